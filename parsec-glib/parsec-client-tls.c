/* parsec-client-tls.c: keys of the service for PKCS #11 users and GIO TLS
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The parsec-glib PKCS #11 module (docs/pkcs11.md) shows each identity's
 * keys as a token; this file says which token and object a key is, so
 * that the module and its users agree, and hands GIO a GTlsCertificate
 * whose private key GnuTLS reaches through the module.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-keys-private.h"

/* What the module calls a token when nothing names the application. */
#define PKCS11_DEFAULT_APPLICATION_NAME "parsec-glib-pkcs11"
#define PKCS11_LABEL_PREFIX "Parsec "
/* CK_TOKEN_INFO's sizes */
#define PKCS11_LABEL_SIZE 32
#define PKCS11_SERIAL_SIZE 16

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
 * authentication that is #ParsecClient:application-name, or
 * `parsec-glib-pkcs11` for a client without one; the module must serve
 * that name (`PARSEC_PKCS11_APPLICATION_NAME`, else the default
 * #GApplication's id). Where the client authenticates with Unix peer
 * credentials (#ParsecClient:auth-type, known once the client has talked
 * to the service or was configured so), the service keeps keys per user,
 * and the token is the user's, labelled `Parsec uid N`, whatever the
 * application name. The URI names the key by its label, the key's
 * name, so it matches the private key, its public key and any
 * certificate stored with that label.
 *
 * Nothing is sent to the service: call parsec_client_discover() first to
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
  const char *endpoint;
  g_autofree char *identity = NULL;
  g_autofree char *digest = NULL;
  g_autofree char *label = NULL;
  GString *uri;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  endpoint = parsec_client_get_endpoint (self);
  if (parsec_client_get_auth_type (self) == PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS ||
      parsec_client_get_auth_method (self) == PARSEC_AUTH_METHOD_UNIX_PEER_CREDENTIALS)
    {
      /* The service's namespace is the effective user id it reads from
       * the socket. A line of its own keeps it apart from any
       * application name. */
      g_autofree char *user = g_strdup_printf ("uid %u", (guint) geteuid ());

      identity = g_strdup_printf ("%s\n\n%s", endpoint != NULL ? endpoint : "", user);
      label = token_label (user);
    }
  else
    {
      application_name = parsec_client_get_application_name (self);
      if (application_name == NULL || *application_name == '\0')
        application_name = PKCS11_DEFAULT_APPLICATION_NAME;
      /* The serial tells apart tokens of one name on two services. */
      identity = g_strdup_printf ("%s\n%s", endpoint != NULL ? endpoint : "", application_name);
      label = token_label (application_name);
    }
  digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, identity, -1);

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
 * service: GnuTLS signs through the parsec-glib PKCS #11 module, at the
 * URI parsec_key_get_pkcs11_uri() gives, so the module must be
 * registered with p11-kit (as installed, or in the user's
 * `~/.config/pkcs11/modules/`) and serve this client's application name.
 *
 * With @certificate %NULL, the certificate is the one the module stores
 * for the key (a certificate put on the token with the key's CKA_ID, for
 * example with `p11tool --write`).
 *
 * Nothing is sent to the service; the backend may read files, which
 * blocks the calling thread. See parsec_key_create_tls_certificate_async().
 *
 * Returns: (transfer full): the certificate, or %NULL with @error set:
 *   %G_TLS_ERROR_UNAVAILABLE without a TLS backend, %G_TLS_ERROR_BAD_CERTIFICATE
 *   for a certificate the backend cannot read, the service's error for
 *   the key
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
 * parsec_key_create_tls_certificate(). The TLS backend reads PKCS #11
 * objects with blocking calls, so the work runs in a worker thread of
 * GIO's. Finish with parsec_key_create_tls_certificate_finish().
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
 * Finishes parsec_key_create_tls_certificate_async().
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
 * module shows it; see parsec_client_get_pkcs11_uri(). Nothing is sent to
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
