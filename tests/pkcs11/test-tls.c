/* test-tls.c: GIO TLS and libsoup with a client key that stays in the service
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The program manages GnuTLS's PKCS #11 modules itself, as some programs
 * do: it gives GnuTLS the module in manual mode, before GIO's GnuTLS
 * backend (the same GnuTLS, in this process) looks for modules, and names
 * the module's token with PARSEC_PKCS11_APPLICATION_NAME, which the
 * library then leaves alone. glib-networking signs through the module: a
 * server on loopback requires a client certificate, and sees the one whose
 * key is in the test service. test-tls-setup.c is the program that
 * configures nothing.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/pkcs11.h>
#include <gnutls/x509.h>
#include <libsoup/soup.h>
#include <parsec-glib/parsec-glib.h>

#include "service-fixture.h"
#include "tls-handshake.h"

#define APP_NAME "tls-test"
#define KEY_NAME "tls-client-key"

static ParsecTestService *service;
static ParsecClient *client;
static ParsecKey *client_key;
static GTlsCertificate *server_certificate;
static GBytes *client_pem;
static char *home;

/* The client's certificate, signed by its key through the module. */
static void
make_client_certificate (void)
{
  g_autofree char *uri = parsec_client_get_pkcs11_uri (client, KEY_NAME);
  gnutls_privkey_t key;
  char *pem;

  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_url (key, uri, 0), ==, 0);
  pem = tls_self_signed (key, "parsec client");
  client_pem = g_bytes_new_take (pem, strlen (pem));
  gnutls_privkey_deinit (key);
}

static GTlsCertificate *
create_certificate (GBytes *certificate)
{
  g_autoptr(GError) error = NULL;
  GTlsCertificate *tls_certificate = parsec_key_create_tls_certificate (client_key, certificate, NULL, &error);

  g_assert_no_error (error);
  return tls_certificate;
}

static void
test_handshake (void)
{
  g_autoptr(GTlsCertificate) certificate = create_certificate (client_pem);
  TlsHandshake h;

  tls_run_handshake (&h, server_certificate, certificate);
  g_assert_no_error (h.server_error);
  g_assert_no_error (h.client_error);
  g_assert_nonnull (h.peer);
  /* The server saw the certificate of the service's key. */
  g_assert_true (g_tls_certificate_is_same (h.peer, certificate));
  tls_handshake_clear (&h);
}

static void
create_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTlsCertificate **certificate = user_data;
  g_autoptr(GError) error = NULL;

  *certificate = parsec_key_create_tls_certificate_finish (PARSEC_KEY (source), result, &error);
  g_assert_no_error (error);
}

static void
test_stored_certificate (void)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GTlsCertificate) from_pem = create_certificate (client_pem);
  g_autofree char *uri = parsec_client_get_pkcs11_uri (client, KEY_NAME);
  gnutls_x509_crt_t crt;
  gnutls_datum_t pem = { (unsigned char *) g_bytes_get_data (client_pem, NULL), g_bytes_get_size (client_pem) };
  TlsHandshake h;

  /* Put on the token beside its key, the certificate needs no PEM. */
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &pem, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_pkcs11_copy_x509_crt2 (uri, crt, KEY_NAME, NULL, GNUTLS_PKCS11_OBJ_FLAG_MARK_NOT_PRIVATE), ==, 0);
  gnutls_x509_crt_deinit (crt);

  parsec_key_create_tls_certificate_async (client_key, NULL, NULL, create_done, &certificate);
  while (certificate == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_tls_certificate_is_same (certificate, from_pem));
  tls_run_handshake (&h, server_certificate, certificate);
  g_assert_no_error (h.server_error);
  g_assert_true (g_tls_certificate_is_same (h.peer, certificate));
  tls_handshake_clear (&h);
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(ParsecKey) missing = NULL;
  g_autoptr(GBytes) garbage = g_bytes_new_static ("not a certificate", 17);

  missing = parsec_client_lookup_key (client, "no-such-key", NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_null (missing);
  g_clear_error (&error);
  certificate = parsec_key_create_tls_certificate (client_key, garbage, NULL, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_null (certificate);
}

/* libsoup 3: a request to an HTTPS server on loopback that requires a
 * client certificate.
 *
 * libsoup 3.2's SoupServer leaks its listening address and, after a TLS
 * connection, the connection and what it holds; LeakSanitizer is told to
 * pass over what test_soup() allocates (as valgrind is, in
 * tests/service/valgrind.supp), with stacks unwound far enough to see it. */
const char *__lsan_default_suppressions (void);
const char *__asan_default_options (void);

const char *
__lsan_default_suppressions (void)
{
  return "leak:test_soup\n";
}

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

typedef struct {
  GTlsCertificate *client_certificate;
  GTlsCertificate *seen;
} SoupTest;

static void
serve (SoupServer        *server,
       SoupServerMessage *msg,
       const char        *path,
       GHashTable        *query,
       gpointer           user_data)
{
  SoupTest *t = user_data;
  GTlsCertificate *peer = soup_server_message_get_tls_peer_certificate (msg);

  g_set_object (&t->seen, peer);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "hello", 5);
}

static gboolean
server_accept_any (SoupServerMessage    *msg,
                   GTlsCertificate      *certificate,
                   GTlsCertificateFlags  errors,
                   gpointer              user_data)
{
  return TRUE;
}

static void
request_started (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  /* Emitted before the handshake, which judges the client's certificate. */
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (server_accept_any), NULL);
}

static gboolean
soup_accept_any (SoupMessage          *msg,
                 GTlsCertificate      *certificate,
                 GTlsCertificateFlags  errors,
                 gpointer              user_data)
{
  return TRUE;
}

static gboolean
request_certificate (SoupMessage          *msg,
                     GTlsClientConnection *connection,
                     gpointer              user_data)
{
  SoupTest *t = user_data;

  soup_message_set_tls_client_certificate (msg, t->client_certificate);
  return TRUE;
}

static void
sent (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  GBytes **body = user_data;
  g_autoptr(GError) error = NULL;

  *body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
}

static void
test_soup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = create_certificate (client_pem);
  SoupServer *server = soup_server_new ("tls-certificate", server_certificate, NULL);
  SoupSession *session = soup_session_new ();
  SoupMessage *msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;
  SoupTest t = { certificate, NULL };

  soup_server_set_tls_auth_mode (server, G_TLS_AUTHENTICATION_REQUIRED);
  soup_server_add_handler (server, NULL, serve, &t, NULL);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started), NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  msg = soup_message_new ("GET", url);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (soup_accept_any), NULL);
  g_signal_connect (msg, "request-certificate", G_CALLBACK (request_certificate), &t);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, sent, &body);
  while (body == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_message_get_status (msg), ==, SOUP_STATUS_OK);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), "hello", 5);
  g_assert_nonnull (t.seen);
  g_assert_true (g_tls_certificate_is_same (t.seen, certificate));
  g_clear_object (&t.seen);

  /* Both ends closed, and what they scheduled run, before they go. */
  soup_session_abort (session);
  g_clear_object (&session);
  g_clear_object (&msg);
  soup_server_disconnect (server);
  g_object_unref (server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Last: the key goes, and the handshake fails on both sides, cleanly. */
static void
test_key_deleted (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = create_certificate (client_pem);
  TlsHandshake h;

  parsec_client_destroy_key (client, KEY_NAME, NULL, &error);
  g_assert_no_error (error);
  tls_run_handshake (&h, server_certificate, certificate);
  g_assert_nonnull (h.server_error);
  g_assert_null (h.peer);
  g_assert_nonnull (h.client_error);
  tls_handshake_clear (&h);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *store = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  home = g_dir_make_tmp ("parsec-tls-test-XXXXXX", &error);
  g_assert_no_error (error);
  store = g_build_filename (home, "store", NULL);
  g_setenv ("PARSEC_PKCS11_APPLICATION_NAME", APP_NAME, TRUE);
  g_setenv ("PARSEC_PKCS11_STORE_DIR", store, TRUE);
  /* Loopback needs no proxy, and libproxy's C++ does not get along with
   * clang's sanitizer runtime. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("GIO has no TLS backend (glib-networking)");
      return g_test_run ();
    }

  /* One service for the whole program: GnuTLS keeps the module, and so its
   * tokens, until the process ends. */
  service = parsec_test_service_start (NULL, NULL, &error);
  g_assert_no_error (error);
  g_setenv ("PARSEC_SERVICE_ENDPOINT", parsec_test_service_get_endpoint (service), TRUE);
  g_assert_cmpint (gnutls_pkcs11_init (GNUTLS_PKCS11_FLAG_MANUAL, NULL), ==, 0);
  g_assert_cmpint (gnutls_pkcs11_add_provider (PKCS11_MODULE_PATH, NULL), ==, 0);
  client = parsec_client_new_sync (APP_NAME, NULL, &error);
  g_assert_no_error (error);
  attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  client_key = parsec_client_generate_key (client, KEY_NAME, attributes, NULL, &error);
  g_assert_no_error (error);
  server_certificate = tls_server_certificate_new (NULL);
  make_client_certificate ();

  g_test_add_func ("/parsec/tls/handshake", test_handshake);
  g_test_add_func ("/parsec/tls/stored-certificate", test_stored_certificate);
  g_test_add_func ("/parsec/tls/errors", test_errors);
  g_test_add_func ("/parsec/tls/soup", test_soup);
  g_test_add_func ("/parsec/tls/key-deleted", test_key_deleted);
  status = g_test_run ();

  g_clear_object (&server_certificate);
  g_clear_pointer (&client_pem, g_bytes_unref);
  g_clear_object (&client_key);
  g_clear_object (&client);
  g_clear_pointer (&service, parsec_test_service_free);
  parsec_test_remove_tree (home);
  g_free (home);
  return status;
}
