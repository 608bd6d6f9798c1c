/* parsec-client-tls.c: keys of the service for PKCS #11 users and GIO TLS
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The parsec-glib PKCS #11 module (docs/pkcs11.md) shows each identity's
 * keys as a token; this file says which token and object a key is, so
 * that the module and its users agree, keeps the identities of this
 * process's clients for the module to serve, and hands GIO a
 * GTlsCertificate whose private key GnuTLS reaches through the module.
 */
#include "config.h"

#include <dlfcn.h>
#include <string.h>
#include <unistd.h>

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-keys-private.h"
#include "parsec-pkcs11-private.h"
#include "parsec-secure-private.h"
#include "secure-env.h"

/* What the module calls a token when nothing names the application. */
#define PKCS11_DEFAULT_APPLICATION_NAME "parsec-glib-pkcs11"
#define PKCS11_LABEL_PREFIX "Parsec "
/* CK_TOKEN_INFO's sizes */
#define PKCS11_LABEL_SIZE 32
#define PKCS11_SERIAL_SIZE 16
#define PKCS11_MODULE_FILE "parsec-glib-pkcs11.so"
/* The GnuTLS whose ABI the lookups below are written against */
#define GNUTLS_SONAME "libgnutls.so.30"

static const char *
pkcs11_application_name (ParsecClient *self)
{
  const char *application_name = parsec_client_get_application_name (self);

  if (application_name == NULL || *application_name == '\0')
    return PKCS11_DEFAULT_APPLICATION_NAME;
  return application_name;
}

static const char *
pkcs11_endpoint (ParsecClient *self)
{
  const char *endpoint = parsec_client_get_endpoint (self);

  return endpoint != NULL ? endpoint : "";
}

/* The text a token's serial is the digest of; it names the application,
 * so it lives in wiped memory. */
static char *
identity_text (const char *endpoint,
               const char *application_name)
{
  return secure_strdup_printf ("%s\n%s", endpoint, application_name);
}

/* The identities of the initialised clients of this process */

typedef struct {
  char *endpoint;
  char *application_name;     /* secure memory */
  guint clients;
} Pkcs11Identity;

static GMutex identities_lock;
/* identity_text() to Pkcs11Identity */
static GHashTable *identities;

static void
pkcs11_identity_free (Pkcs11Identity *identity)
{
  g_free (identity->endpoint);
  secure_free (identity->application_name);
  g_free (identity);
}

void
_parsec_client_hold_pkcs11_identity (ParsecClient *self)
{
  const char *endpoint = pkcs11_endpoint (self);
  const char *application_name = pkcs11_application_name (self);
  char *text;
  Pkcs11Identity *identity;

  if (self->holds_pkcs11_identity)
    return;
  text = identity_text (endpoint, application_name);
  g_mutex_lock (&identities_lock);
  if (identities == NULL)
    identities = g_hash_table_new_full (g_str_hash, g_str_equal, secure_free,
                                        (GDestroyNotify) pkcs11_identity_free);
  identity = g_hash_table_lookup (identities, text);
  if (identity == NULL)
    {
      identity = g_new0 (Pkcs11Identity, 1);
      identity->endpoint = g_strdup (endpoint);
      identity->application_name = secure_strdup (application_name);
      g_hash_table_insert (identities, g_steal_pointer (&text), identity);
    }
  identity->clients++;
  g_mutex_unlock (&identities_lock);
  secure_free (text);
  self->holds_pkcs11_identity = TRUE;
}

void
_parsec_client_release_pkcs11_identity (ParsecClient *self)
{
  char *text;
  Pkcs11Identity *identity;

  if (!self->holds_pkcs11_identity)
    return;
  text = identity_text (pkcs11_endpoint (self), pkcs11_application_name (self));
  g_mutex_lock (&identities_lock);
  identity = g_hash_table_lookup (identities, text);
  if (identity != NULL && --identity->clients == 0)
    g_hash_table_remove (identities, text);
  g_mutex_unlock (&identities_lock);
  secure_free (text);
  self->holds_pkcs11_identity = FALSE;
}

void
_parsec_pkcs11_foreach_identity (ParsecPkcs11IdentityFunc func,
                                 gpointer                 user_data)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (func != NULL);

  g_mutex_lock (&identities_lock);
  if (identities != NULL)
    {
      g_hash_table_iter_init (&iter, identities);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Pkcs11Identity *identity = value;

          func (identity->endpoint, identity->application_name, user_data);
        }
    }
  g_mutex_unlock (&identities_lock);
}

static char *
token_label (const char *application_name)
{
  g_autofree char *label = g_strconcat (PKCS11_LABEL_PREFIX, application_name, NULL);
  gsize len = strlen (label);

  /* Cut to the field's size at a character boundary. */
  while (len > PKCS11_LABEL_SIZE)
    len = g_utf8_find_prev_char (label, label + len) - label;
  label[len] = '\0';
  return g_steal_pointer (&label);
}

static void
append_escaped (GString    *uri,
                const char *attribute,
                const char *value,
                gsize       len)
{
  g_string_append_printf (uri, "%s=", attribute);
  for (gsize i = 0; i < len; i++)
    {
      guchar c = value[i];

      /* RFC 7512: unreserved characters as they are, the rest encoded. */
      if (g_ascii_isalnum (c) || strchr ("-._~", c) != NULL)
        g_string_append_c (uri, c);
      else
        g_string_append_printf (uri, "%%%02X", c);
    }
}

/**
 * parsec_client_get_pkcs11_uri:
 * @self: an initialised #ParsecClient
 * @key_name: (nullable): the name of a key, or %NULL for the token
 *
 * The PKCS #11 URI (RFC 7512) of a key as the parsec-glib PKCS #11 module
 * shows it, or of the module's token for this client's endpoint and
 * application name. Programs that take PKCS #11 URIs (GnuTLS, OpenSSL's
 * pkcs11 engine, p11tool, GIO's #GTlsCertificate:private-key-pkcs11-uri)
 * find the key with it once the module is loaded.
 *
 * The token is the one of the client's key namespace. With direct
 * authentication that is [property@Parsec.Client:endpoint] and
 * [property@Parsec.Client:application-name] (`parsec-glib-pkcs11` for a
 * client without one). The module, loaded into this process, serves a
 * token for the endpoint and application name of every initialised
 * #ParsecClient of the process, so the URI needs no configuration there;
 * another process loading the module finds the token if its
 * `PARSEC_PKCS11_APPLICATION_NAME` (else its default #GApplication's id)
 * names the application and the library's configuration names the same
 * service. Where the client authenticates with Unix peer credentials
 * ([property@Parsec.Client:auth-type], known once the client has talked
 * to the service or was configured so), the service keeps keys per user,
 * and the token is the user's, labelled `Parsec uid N`, whatever the
 * application name. The URI names the key by its label, the key's name,
 * so it matches the private key, its public key and any certificate
 * stored with that label.
 *
 * Nothing is sent to the service: call [method@Parsec.Client.discover] first to
 * have the namespace of a client configured for automatic authentication.
 *
 * Returns: (transfer full): the URI
 *
 * Stability: Unstable
 * Since: 1.0
 */
char *
parsec_client_get_pkcs11_uri (ParsecClient *self,
                              const char   *key_name)
{
  const char *application_name;
  char *identity;
  g_autofree char *digest = NULL;
  g_autofree char *label = NULL;
  GString *uri;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  if (parsec_client_get_auth_type (self) == PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS ||
      parsec_client_get_auth_method (self) == PARSEC_AUTH_METHOD_UNIX_PEER_CREDENTIALS)
    {
      /* The service's namespace is the effective user id it reads from
       * the socket. An empty line keeps it apart from any application
       * name. */
      g_autofree char *user = g_strdup_printf ("uid %u", (guint) geteuid ());

      identity = secure_strdup_printf ("%s\n\n%s", pkcs11_endpoint (self), user);
      label = token_label (user);
    }
  else
    {
      application_name = pkcs11_application_name (self);
      /* The serial tells apart tokens of one name on two services. */
      identity = identity_text (pkcs11_endpoint (self), application_name);
      label = token_label (application_name);
    }
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, identity, -1);
  secure_free (identity);

  uri = g_string_new ("pkcs11:");
  append_escaped (uri, "token", label, strlen (label));
  g_string_append_c (uri, ';');
  append_escaped (uri, "serial", digest, PKCS11_SERIAL_SIZE);
  if (key_name != NULL)
    {
      g_string_append_c (uri, ';');
      append_escaped (uri, "object", key_name, strlen (key_name));
    }
  return g_string_free (uri, FALSE);
}

static gboolean
is_pem (GBytes *data)
{
  gsize len;
  const char *text = g_bytes_get_data (data, &len);

  return len >= 10 && g_strstr_len (text, MIN (len, 4096), "-----BEGIN ") != NULL;
}

/* The backend's certificate from @property (a string or a GByteArray),
 * with the private key at @key_uri. */
static GTlsCertificate *
tls_certificate_new (GTlsBackend   *backend,
                     const char    *property,
                     gconstpointer  value,
                     const char    *key_uri,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return g_initable_new (g_tls_backend_get_certificate_type (backend), cancellable, error,
                         property, value,
                         "private-key-pkcs11-uri", key_uri,
                         NULL);
}

/* GnuTLS's PKCS #11 functions, from the libgnutls that glib-networking's
 * GnuTLS backend brought into the process: the library does not link
 * GnuTLS, which only GIO's backend needs. */
typedef struct {
  int (*token_get_flags) (const char *url, unsigned int *flags);
  int (*add_provider) (const char *name, const char *params);
  const char *(*strerror) (int error);
} GnutlsPkcs11;

static const GnutlsPkcs11 *
gnutls_pkcs11_in_process (void)
{
  static GnutlsPkcs11 functions;
  static gsize found;

  if (g_once_init_enter (&found))
    {
      void *gnutls = dlopen (GNUTLS_SONAME, RTLD_NOW | RTLD_NOLOAD);
      gsize result = 1;

      if (gnutls != NULL)
        {
          functions.token_get_flags = (int (*) (const char *, unsigned int *))
            dlsym (gnutls, "gnutls_pkcs11_token_get_flags");
          functions.add_provider = (int (*) (const char *, const char *))
            dlsym (gnutls, "gnutls_pkcs11_add_provider");
          functions.strerror = (const char *(*) (int)) dlsym (gnutls, "gnutls_strerror");
          if (functions.token_get_flags != NULL && functions.add_provider != NULL &&
              functions.strerror != NULL)
            result = 2;
          /* The handle stays: GIO's backend keeps GnuTLS loaded anyway. */
        }
      g_once_init_leave (&found, result);
    }
  return found == 2 ? &functions : NULL;
}

/* The module file to give GnuTLS when p11-kit does not load the module:
 * PARSEC_PKCS11_MODULE (empty: none); the module built beside this
 * library when it runs from a build tree (the project's own or one it is
 * a subproject of: BUILD/parsec-glib/ and BUILD/pkcs11/); else the
 * installed module. */
static char *
pkcs11_module_file (void)
{
  const char *given = secure_env_get ("PARSEC_PKCS11_MODULE");
  Dl_info library;

  if (given != NULL)
    return *given != '\0' ? g_strdup (given) : NULL;
  if (dladdr (&identities, &library) != 0 && library.dli_fname != NULL)
    {
      g_autofree char *library_dir = g_path_get_dirname (library.dli_fname);
      g_autofree char *build_dir = g_path_get_dirname (library_dir);
      g_autofree char *built = g_build_filename (build_dir, "pkcs11", PKCS11_MODULE_FILE, NULL);

      if (g_str_has_suffix (library_dir, G_DIR_SEPARATOR_S "parsec-glib") &&
          g_file_test (built, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&built);
    }
#ifdef PARSEC_PKCS11_MODULE_PATH
  return g_strdup (PARSEC_PKCS11_MODULE_PATH);
#else
  return NULL;
#endif
}

/* GnuTLS's PKCS #11 state is the process's; our own changes to it go one
 * at a time (gnutls_pkcs11_add_provider() takes no lock). */
static GMutex gnutls_lock;

/* Whether GnuTLS, which signs for GIO's TLS, sees the token of @key's
 * identity: with the modules p11-kit's configuration names, as it loads
 * them on first need, else with the module added from its file. */
static gboolean
check_token_reachable (ParsecKey  *key,
                       GError    **error)
{
  GTlsBackend *backend = g_tls_backend_get_default ();
  const GnutlsPkcs11 *gnutls;
  g_autofree char *token = NULL;
  g_autofree char *module = NULL;
  const char *failure = NULL;
  const char *advice;
  unsigned int flags;
  int status;

  if (!g_str_equal (G_OBJECT_TYPE_NAME (backend), "GTlsBackendGnutls"))
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                   _("GIO’s TLS backend (%s) cannot use keys through PKCS #11; keys of the service need "
                     "glib-networking’s GnuTLS backend (GIO_USE_TLS=gnutls)"),
                   G_OBJECT_TYPE_NAME (backend));
      return FALSE;
    }
  gnutls = gnutls_pkcs11_in_process ();
  if (gnutls == NULL)
    {
      g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                   _("GIO’s GnuTLS backend is loaded but its PKCS #11 functions (%s) are not found"),
                   GNUTLS_SONAME);
      return FALSE;
    }

  token = parsec_client_get_pkcs11_uri (parsec_key_get_client (key), NULL);
  g_mutex_lock (&gnutls_lock);
  if (gnutls->token_get_flags (token, &flags) == 0)
    {
      g_mutex_unlock (&gnutls_lock);
      return TRUE;
    }
  module = pkcs11_module_file ();
  if (module != NULL && !g_file_test (module, G_FILE_TEST_EXISTS))
    failure = _("there is no such file");
  else if (module != NULL)
    {
      status = gnutls->add_provider (module, NULL);
      if (status == 0 && gnutls->token_get_flags (token, &flags) == 0)
        {
          g_mutex_unlock (&gnutls_lock);
          g_debug ("p11-kit does not load the PKCS #11 module; GnuTLS was given %s", module);
          return TRUE;
        }
      failure = status != 0 ? gnutls->strerror (status) : _("it shows no such token");
    }
  g_mutex_unlock (&gnutls_lock);

  /* p11-kit reads ~/.config/pkcs11/modules/ for users other than root. */
  advice = getuid () == 0
    ? _("Register the module with p11-kit system-wide (installing parsec-glib does; p11-kit reads "
        "no user configuration for root) or set PARSEC_PKCS11_MODULE to its file")
    : _("Register the module with p11-kit (installing parsec-glib does, or a file in "
        "~/.config/pkcs11/modules/) or set PARSEC_PKCS11_MODULE to its file");
  if (module == NULL)
    g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                 _("GnuTLS finds no PKCS #11 token for key “%s” (%s): p11-kit does not load the "
                   "parsec-glib PKCS #11 module in this process and no module file is known. %s"),
                 parsec_key_get_name (key), token, advice);
  else
    g_set_error (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                 _("GnuTLS finds no PKCS #11 token for key “%s” (%s): p11-kit does not load the "
                   "parsec-glib PKCS #11 module in this process, and the module %s could not be used "
                   "instead (%s). %s"),
                 parsec_key_get_name (key), token, module, failure, advice);
  return FALSE;
}

/**
 * parsec_key_create_tls_certificate:
 * @self: the certificate's key
 * @certificate: (nullable): the certificate, in PEM (with its chain, if
 *   any) or DER; %NULL for the one stored on the key's token
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * A #GTlsCertificate for @certificate whose private key is @self in the
 * service, for #GTlsConnection:certificate, a #GSocketClient's
 * connections or a libsoup client certificate. The key never leaves the
 * service: GnuTLS (glib-networking's backend) signs through the
 * parsec-glib PKCS #11 module, at the URI [method@Parsec.Key.get_pkcs11_uri]
 * gives. The module serves the token of every #ParsecClient of the
 * process, whatever its application name, so nothing needs configuring
 * but the client.
 *
 * GnuTLS loads the modules p11-kit's configuration names (the installed
 * module is among them). This function checks that GnuTLS sees the key's
 * token; where p11-kit does not load the module (as root, who has no user
 * configuration for p11-kit, or from a build tree), it gives GnuTLS the
 * module itself: the file `PARSEC_PKCS11_MODULE` names, else the module
 * built beside the library when the library runs from its build tree, else
 * the installed module. GnuTLS's modules are the process's: its other
 * users see the module too.
 *
 * With @certificate %NULL, the certificate is the one the module stores
 * for the key (a certificate put on the token with the key's CKA_ID, for
 * example with `p11tool --write`).
 *
 * Nothing is sent to the service, but GnuTLS may load PKCS #11 modules
 * and the backend read files, which blocks the calling thread. See
 * [method@Parsec.Key.create_tls_certificate_async].
 *
 * Returns: (transfer full): the certificate, or %NULL with @error set:
 *   %G_TLS_ERROR_UNAVAILABLE without a TLS backend, with one other than
 *   GnuTLS, or when GnuTLS cannot reach the module (the message says why
 *   and what to do); %G_TLS_ERROR_BAD_CERTIFICATE for a certificate the
 *   backend cannot read; the service's error for the key
 *
 * Stability: Unstable
 * Since: 1.0
 */
GTlsCertificate *
parsec_key_create_tls_certificate (ParsecKey     *self,
                                   GBytes        *certificate,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  ParsecKeyAttributes *attributes;
  const char *key_name;
  g_autofree char *key_uri = NULL;
  GTlsBackend *backend;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  backend = g_tls_backend_get_default ();
  if (!g_tls_backend_supports_tls (backend))
    {
      g_set_error_literal (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE,
                           _("GIO has no TLS backend: install glib-networking"));
      return NULL;
    }
  key_name = parsec_key_get_name (self);
  attributes = parsec_key_get_attributes (self);
  if (attributes != NULL && parsec_key_attributes_is_public_key (attributes))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("key “%s” is a public key: a TLS certificate needs its private key"), key_name);
      return NULL;
    }

  if (!check_token_reachable (self, error))
    return NULL;

  key_uri = parsec_key_get_pkcs11_uri (self);
  if (certificate == NULL)
    {
      g_autofree char *certificate_uri = g_strconcat (key_uri, ";type=cert", NULL);

      return tls_certificate_new (backend, "pkcs11-uri", certificate_uri, key_uri, cancellable, error);
    }
  if (is_pem (certificate))
    {
      g_autofree char *pem = g_strndup (g_bytes_get_data (certificate, NULL), g_bytes_get_size (certificate));

      return tls_certificate_new (backend, "certificate-pem", pem, key_uri, cancellable, error);
    }
  {
    g_autoptr(GByteArray) der = g_bytes_unref_to_array (g_bytes_ref (certificate));

    return tls_certificate_new (backend, "certificate", der, key_uri, cancellable, error);
  }
}


static void
create_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GBytes *given = task_data;
  GError *error = NULL;
  GTlsCertificate *certificate;

  certificate = parsec_key_create_tls_certificate (source_object, given, cancellable, &error);
  if (certificate == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, certificate, g_object_unref);
}

/**
 * parsec_key_create_tls_certificate_async:
 * @self: the certificate's key
 * @certificate: (nullable): the certificate, in PEM or DER; %NULL for the
 *   one stored on the key's token
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the certificate is ready
 * @user_data: data for @callback
 *
 * Makes a #GTlsCertificate whose private key stays in the service; see
 * [method@Parsec.Key.create_tls_certificate]. The TLS backend reads PKCS #11
 * objects with blocking calls, so the work runs in a worker thread of
 * GIO's. Finish with [method@Parsec.Key.create_tls_certificate_finish].
 *
 * Stability: Unstable
 * Since: 1.0
 */
void
parsec_key_create_tls_certificate_async (ParsecKey           *self,
                                         GBytes              *certificate,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PARSEC_IS_KEY (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, parsec_key_create_tls_certificate_async);
  g_task_set_name (task, "[parsec-glib] TLS certificate");
  if (certificate != NULL)
    g_task_set_task_data (task, g_bytes_ref (certificate), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (task, create_in_thread);
}

/**
 * parsec_key_create_tls_certificate_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Key.create_tls_certificate_async].
 *
 * Returns: (transfer full): the certificate, or %NULL with @error set
 *
 * Stability: Unstable
 * Since: 1.0
 */
GTlsCertificate *
parsec_key_create_tls_certificate_finish (ParsecKey     *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_key_get_pkcs11_uri:
 * @self: a #ParsecKey
 *
 * The PKCS #11 URI (RFC 7512) of the key as the parsec-glib PKCS #11
 * module shows it; see [method@Parsec.Client.get_pkcs11_uri]. Nothing is sent to
 * the service.
 *
 * Returns: (transfer full): the URI
 *
 * Stability: Unstable
 * Since: 1.0
 */
char *
parsec_key_get_pkcs11_uri (ParsecKey *self)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);

  return parsec_client_get_pkcs11_uri (parsec_key_get_client (self), parsec_key_get_name (self));
}
