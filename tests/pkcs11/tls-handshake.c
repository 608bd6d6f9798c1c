/* tls-handshake.c: certificates and a handshake on loopback for the TLS tests
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "tls-handshake.h"

char *
tls_certificate_pem (gnutls_pubkey_t   subject,
                     const char       *cn,
                     gnutls_privkey_t  signer,
                     const char       *issuer_cn)
{
  gnutls_x509_crt_t crt;
  gnutls_datum_t out;
  guint8 serial[] = { 0x2a };
  char *pem;

  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  gnutls_x509_crt_set_activation_time (crt, time (NULL) - 60);
  gnutls_x509_crt_set_expiration_time (crt, time (NULL) + 3600);
  gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen (cn));
  gnutls_x509_crt_set_issuer_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, issuer_cn, strlen (issuer_cn));
  g_assert_cmpint (gnutls_x509_crt_set_pubkey (crt, subject), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_privkey_sign (crt, crt, signer, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out), ==, 0);
  pem = g_strndup ((const char *) out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_crt_deinit (crt);
  return pem;
}

char *
tls_self_signed (gnutls_privkey_t  key,
                 const char       *cn)
{
  gnutls_pubkey_t pub;
  char *pem;

  g_assert_cmpint (gnutls_pubkey_init (&pub), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import_privkey (pub, key, 0, 0), ==, 0);
  pem = tls_certificate_pem (pub, cn, key, cn);
  gnutls_pubkey_deinit (pub);
  return pem;
}

GTlsCertificate *
tls_server_certificate_new (gnutls_privkey_t *key_out)
{
  g_autoptr(GError) error = NULL;
  gnutls_x509_privkey_t x509;
  gnutls_privkey_t key;
  gnutls_datum_t key_pem;
  g_autofree char *cert_pem = NULL;
  g_autofree char *both = NULL;
  GTlsCertificate *certificate;

  g_assert_cmpint (gnutls_x509_privkey_init (&x509), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (x509, GNUTLS_PK_ECDSA,
                                                 GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_privkey_import_x509 (key, x509, GNUTLS_PRIVKEY_IMPORT_COPY), ==, 0);
  cert_pem = tls_self_signed (key, TLS_SERVER_NAME);
  g_assert_cmpint (gnutls_x509_privkey_export2 (x509, GNUTLS_X509_FMT_PEM, &key_pem), ==, 0);
  both = g_strdup_printf ("%s%.*s", cert_pem, (int) key_pem.size, key_pem.data);
  certificate = g_tls_certificate_new_from_pem (both, -1, &error);
  g_assert_no_error (error);
  gnutls_free (key_pem.data);
  gnutls_x509_privkey_deinit (x509);
  if (key_out != NULL)
    *key_out = key;
  else
    gnutls_privkey_deinit (key);
  return certificate;
}


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
handshake_done (TlsHandshake *h)
{
  if (--h->pending == 0)
    g_main_loop_quit (h->loop);
}

static void
server_handshaken (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TlsHandshake *h = user_data;

  if (g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &h->server_error))
    h->peer = g_object_ref (g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source)));
  handshake_done (h);
}

static void
accepted (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  TlsHandshake *h = user_data;
  g_autoptr(GSocketConnection) connection = NULL;
  GIOStream *tls;

  connection = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &h->server_error);
  if (connection == NULL)
    {
      handshake_done (h);
      return;
    }
  tls = g_tls_server_connection_new (G_IO_STREAM (connection), h->server_certificate, &h->server_error);
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
  TlsHandshake *h = user_data;

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
  TlsHandshake *h = user_data;
  GBytes *bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &h->client_error);

  g_clear_pointer (&bytes, g_bytes_unref);
  handshake_done (h);
}

static void
connected (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  TlsHandshake *h = user_data;
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
  TlsHandshake *h = user_data;

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

void
tls_run_handshake (TlsHandshake    *h,
                   GTlsCertificate *server_certificate,
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
  h->server_certificate = server_certificate;
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

void
tls_handshake_clear (TlsHandshake *h)
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
