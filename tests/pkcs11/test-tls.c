/* test-tls.c: GIO TLS and libsoup with a client key that stays in the service
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Installed, the module is registered with p11-kit, whose modules GnuTLS
 * loads on first need. p11-kit reads no user configuration for root (as
 * CI runs), so the test gives GnuTLS the module itself, before GIO's
 * GnuTLS backend (the same GnuTLS, in this process) looks for modules.
 * glib-networking then signs through it: a server on loopback requires a
 * client certificate, and sees the one whose key is in the test service.
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

#define APP_NAME "tls-test"
#define KEY_NAME "tls-client-key"

static ParsecTestService *service;
static ParsecClient *client;
static ParsecKey *client_key;
static GTlsCertificate *server_certificate;
static GBytes *client_pem;
static char *home;

/* A self-signed certificate for @key, in PEM. */
static char *
self_signed (gnutls_privkey_t  key,
             const char       *cn)
{
  gnutls_x509_crt_t crt;
  gnutls_pubkey_t pub;
  gnutls_datum_t out;
  guint8 serial[] = { 0x2a };
  char *pem;

  g_assert_cmpint (gnutls_pubkey_init (&pub), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pub, key, 0, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  gnutls_x509_crt_set_activation_time (crt, time (NULL) - 60);
  gnutls_x509_crt_set_expiration_time (crt, time (NULL) + 3600);
  gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen (cn));
  gnutls_x509_crt_set_issuer_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen (cn));
  g_assert_cmpint (gnutls_x509_crt_set_pubkey (crt, pub), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_privkey_sign (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_pubkey_deinit (pub);
  return pem;
}

static void
make_server_certificate (void)
{
  g_autoptr(GError) error = NULL;
  gnutls_x509_privkey_t x509;
  gnutls_privkey_t key;
  gnutls_datum_t key_pem;
  g_autofree char *cert_pem = NULL;
  g_autofree char *both = NULL;

  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (x509, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (key, x509, 0), ==, 0);
  cert_pem = self_signed (key, "localhost");
  g_assert_cmpint (gnutls_x509_privkey_export2 (x509, GNUTLS_X509_FMT_PEM, &key_pem), ==, 0);
  both = g_strdup_printf ("%s%.*s", cert_pem, (int) key_pem.size, key_pem.data);
  server_certificate = g_tls_certificate_new_from_pem (both, -1, &error);
  g_assert_no_error (error);
  gnutls_free (key_pem.data);
  gnutls_privkey_deinit (key);
  gnutls_x509_privkey_deinit (x509);
}

/* The client's certificate, signed by its key through the module. */
static void
make_client_certificate (void)
{
  g_autofree char *uri = parsec_client_get_pkcs11_uri (client, KEY_NAME);
  gnutls_privkey_t key;
  char *pem;

  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_url (key, uri, 0), ==, 0);
  pem = self_signed (key, "parsec client");
  client_pem = g_bytes_new_take (pem, strlen (pem));
  gnutls_privkey_deinit (key);
}

/* A handshake on loopback: the server requires a client certificate. */

typedef struct {
  GMainLoop *loop;
  GTlsCertificate *client_certificate;
  GTlsConnection *server;
  GIOStream *client_stream;
  GError *server_error;
  GError *client_error;
  GTlsCertificate *peer;
  guint pending;
  guint speaker;
} Handshake;

static gboolean
accept_any (GTlsConnection       *connection,
            GTlsCertificate      *certificate,
            GTlsCertificateFlags  errors,
            gpointer              user_data)
{
  /* Both certificates are self-signed; their keys are what is tested. */
  return TRUE;
}

static void
handshake_done (Handshake *h)
{
  if (--h->pending == 0)
    g_main_loop_quit (h->loop);
}

static void
server_handshaken (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  Handshake *h = user_data;

  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &h->server_error))
    h->peer = g_object_ref (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source)));
  handshake_done (h);
}

static void
accepted (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Handshake *h = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  GIOStream *tls;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &h->server_error);
  if (connection == NULL)
    {
      handshake_done (h);
      return;
    }
  tls = g_tls_server_connection_new (G_IO_STREAM (connection), server_certificate, &h->server_error);
  g_assert_no_error (h->server_error);
  g_object_set (tls, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_any), NULL);
  h->server = G_TLS_CONNECTION (tls);
  g_tls_connection_handshake_async (h->server, G_PRIORITY_DEFAULT, NULL, server_handshaken, h);
}

static void
client_event (GSocketClient      *socket_client,
              GSocketClientEvent  event,
              GSocketConnectable *connectable,
              GIOStream          *connection,
              gpointer            user_data)
{
  Handshake *h = user_data;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKING)
    return;
  g_tls_connection_set_certificate (G_TLS_CONNECTION (connection), h->client_certificate);
  g_signal_connect (connection, "accept-certificate", G_CALLBACK (accept_any), NULL);
}

static void
read_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Handshake *h = user_data;
  GBytes *bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &h->client_error);

  g_clear_pointer (&bytes, g_bytes_unref);
  handshake_done (h);
}

static void
connected (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Handshake *h = user_data;
  GSocketConnection *connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result,
                                                                  &h->client_error);

  if (connection == NULL)
    {
      handshake_done (h);
      return;
    }
  h->client_stream = G_IO_STREAM (connection);
  /* TLS 1.3 clients finish before the server has judged them: the
   * server's verdict comes with the first read. */
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (h->client_stream), 1, G_PRIORITY_DEFAULT,
                                   NULL, read_done, h);
}

static void
write_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL);
}

static gboolean
server_speaks (gpointer user_data)
{
  Handshake *h = user_data;

  if (h->peer == NULL && h->server_error == NULL)
    return G_SOURCE_CONTINUE;
  h->speaker = 0;
  if (h->peer != NULL)
    g_output_stream_write_all_async (g_io_stream_get_output_stream (G_IO_STREAM (h->server)), "!", 1,
                                     G_PRIORITY_DEFAULT, NULL, write_done, NULL);
  else if (h->server != NULL)
    g_io_stream_close (G_IO_STREAM (h->server), NULL, NULL);
  return G_SOURCE_REMOVE;
}

static gboolean
handshake_timeout (gpointer user_data)
{
  g_error ("the handshake did not end");
  return G_SOURCE_REMOVE;
}

static void
run_handshake (Handshake       *h,
               GTlsCertificate *client_certificate)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint timeout;

  memset (h, 0, sizeof *h);
  h->loop = g_main_loop_new (NULL, FALSE);
  h->client_certificate = client_certificate;
  h->pending = 2;
  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                 &bound, &error);
  g_assert_no_error (error);
  g_socket_listener_accept_async (listener, NULL, accepted, h);

  g_socket_client_set_tls (socket_client, TRUE);
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  g_signal_connect (socket_client, "event", G_CALLBACK (client_event), h);
  g_socket_client_connect_async (socket_client, G_SOCKET_CONNECTABLE (bound), NULL, connected, h);

  h->speaker = g_timeout_add (10, server_speaks, h);
  timeout = g_timeout_add_seconds (120, handshake_timeout, NULL);
  g_main_loop_run (h->loop);
  g_source_remove (timeout);
  g_clear_handle_id (&h->speaker, g_source_remove);
  g_socket_listener_close (listener);
}

static void
handshake_clear (Handshake *h)
{
  if (h->client_stream != NULL)
    g_io_stream_close (h->client_stream, NULL, NULL);
  if (h->server != NULL)
    g_io_stream_close (G_IO_STREAM (h->server), NULL, NULL);
  g_clear_object (&h->client_stream);
  g_clear_object (&h->server);
  g_clear_object (&h->peer);
  g_clear_error (&h->server_error);
  g_clear_error (&h->client_error);
  g_clear_pointer (&h->loop, g_main_loop_unref);
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
  Handshake h;

  run_handshake (&h, certificate);
  g_assert_no_error (h.server_error);
  g_assert_no_error (h.client_error);
  g_assert_nonnull (h.peer);
  /* The server saw the certificate of the service's key. */
  g_assert_true (g_tls_certificate_is_same (h.peer, certificate));
  handshake_clear (&h);
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
  Handshake h;

  /* Put on the token beside its key, the certificate needs no PEM. */
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_import (crt, &pem, GNUTLS_X509_FMT_PEM), ==, 0);
  g_assert_cmpint (gnutls_pkcs11_copy_x509_crt2 (uri, crt, KEY_NAME, NULL, GNUTLS_PKCS11_OBJ_FLAG_MARK_NOT_PRIVATE), ==, 0);
  gnutls_x509_crt_deinit (crt);

  parsec_key_create_tls_certificate_async (client_key, NULL, NULL, create_done, &certificate);
  while (certificate == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_tls_certificate_is_same (certificate, from_pem));
  run_handshake (&h, certificate);
  g_assert_no_error (h.server_error);
  g_assert_true (g_tls_certificate_is_same (h.peer, certificate));
  handshake_clear (&h);
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
  Handshake h;

  parsec_client_destroy_key (client, KEY_NAME, NULL, &error);
  g_assert_no_error (error);
  run_handshake (&h, certificate);
  g_assert_nonnull (h.server_error);
  g_assert_null (h.peer);
  g_assert_nonnull (h.client_error);
  handshake_clear (&h);
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
  make_server_certificate ();
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
