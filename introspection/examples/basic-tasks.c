/* SPDX-License-Identifier: Apache-2.0
 *
 * basic-tasks.c: the basic tasks of docs/examples.md, one function each,
 * run one after the other against the configured Parsec service.
 *
 * Usage: basic-tasks FILE SERVER-PEM
 * (FILE: any file to sign; SERVER-PEM: a TLS server's certificate and
 * key, such as tls-server.pem beside this file)
 * Build: cc basic-tasks.c $(pkg-config --cflags --libs parsec-glib-unstable-1)
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

/* parsec_key_create_tls_certificate() is in the API that may still
 * change: parsec-glib-unstable-1 defines PARSEC_API_SUBJECT_TO_CHANGE. */
#include <parsec-glib/parsec-glib.h>

/* Task: Sign a file and verify the signature */
static gboolean
sign_and_verify_file (ParsecClient  *client,
                      const char    *path,
                      GError       **error)
{
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) signature = NULL;

  attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  key = parsec_client_generate_key (client, "example-signing", attributes, NULL, error);
  if (key == NULL)
    return FALSE;

  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return FALSE;
  data = g_mapped_file_get_bytes (file);
  signature = parsec_key_sign_data (key, data, NULL, error);
  if (signature == NULL ||
      !parsec_key_verify_data (key, data, signature, NULL, error))
    return FALSE;
  g_print ("signed and verified %s\n", path);
  return TRUE;
}

/* Task: Encrypt and decrypt */
static gboolean
encrypt_and_decrypt (ParsecClient  *client,
                     GError       **error)
{
  g_autoptr(ParsecAlgorithm) oaep = parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_rsa_encryption (2048, oaep);
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("attack at dawn", 14);
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GBytes) decrypted = NULL;

  key = parsec_client_generate_key (client, "example-encryption", attributes, NULL, error);
  if (key == NULL)
    return FALSE;

  /* NULL: the algorithm of the key's policy, RSA-OAEP with SHA-256 */
  ciphertext = parsec_key_asymmetric_encrypt (key, NULL, plaintext, NULL, NULL, error);
  if (ciphertext == NULL)
    return FALSE;
  decrypted = parsec_key_asymmetric_decrypt (key, NULL, ciphertext, NULL, NULL, error);
  if (decrypted == NULL)
    return FALSE;
  g_print ("decrypted: %.*s\n", (int) g_bytes_get_size (decrypted),
           (const char *) g_bytes_get_data (decrypted, NULL));
  return TRUE;
}

/* Task: List keys with their attributes */
static gboolean
list_keys (ParsecClient  *client,
           GError       **error)
{
  g_autoptr(GPtrArray) keys = parsec_client_list_keys (client, NULL, error);

  if (keys == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    {
      ParsecKey *key = g_ptr_array_index (keys, i);
      ParsecKeyAttributes *attributes = parsec_key_get_attributes (key);
      g_autofree char *type = g_enum_to_string (PARSEC_TYPE_KEY_TYPE,
                                                parsec_key_attributes_get_key_type (attributes));
      g_autofree char *algorithm =
        parsec_algorithm_to_string (parsec_key_attributes_get_algorithm (attributes));

      g_print ("%s: %s, %u bits, %s\n", parsec_key_get_name (key), type,
               parsec_key_attributes_get_bits (attributes), algorithm);
    }
  return TRUE;
}

/* Task: Cancellation and deadlines */
static void
on_signed (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(GBytes) signature = parsec_key_sign_hash_finish (PARSEC_KEY (source), result, error);

  /* Signed before the cancellation came: not what this example wants. */
  if (signature != NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the call was not cancelled");
}

static gboolean
cancel_and_time_out (const char  *application_name,
                     GError     **error)
{
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) digest = g_bytes_new_take (g_malloc0 (32), 32);
  g_autoptr(GError) sign_error = NULL;

  /* A deadline: each request of this client fails with
   * G_IO_ERROR_TIMED_OUT after 5 seconds (0: no deadline). */
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, error,
                           "application-name", application_name,
                           "timeout", 5000,
                           NULL);
  if (client == NULL)
    return FALSE;
  key = parsec_client_generate_key (client, "example-cancelled", attributes, NULL, error);
  if (key == NULL)
    return FALSE;

  /* Cancellation: the call ends at once with G_IO_ERROR_CANCELLED. */
  parsec_key_sign_hash_async (key, NULL, digest, cancellable, on_signed, &sign_error);
  g_cancellable_cancel (cancellable);
  while (sign_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!g_error_matches (sign_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&sign_error));
      return FALSE;
    }
  g_print ("cancelled: %s\n", sign_error->message);
  return parsec_key_destroy (key, NULL, error);
}

/* Task: Matching errors */
static gboolean
match_errors (ParsecClient  *client,
              GError       **error)
{
  g_autoptr(GError) lookup_error = NULL;
  g_autoptr(ParsecKey) key = parsec_client_lookup_key (client, "no-such-key", NULL, &lookup_error);

  if (g_error_matches (lookup_error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST))
    {
      g_print ("no key named no-such-key\n");
      return TRUE;
    }
  if (lookup_error != NULL)
    g_propagate_error (error, g_steal_pointer (&lookup_error));
  else
    g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_ALREADY_EXISTS, "%s exists", parsec_key_get_name (key));
  return FALSE;
}

/* Task: TLS client certificate */
/* A new key with a self-signed certificate, as a GTlsCertificate whose
 * private key stays in the service. */
static GTlsCertificate *
new_key_tls_certificate (ParsecClient  *client,
                         GError       **error)
{
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) pem = NULL;
  char *text;

  key = parsec_client_generate_key (client, "example-tls-client", attributes, NULL, error);
  if (key == NULL)
    return NULL;
  /* NULL: the default subject and validity */
  der = parsec_key_create_self_signed_certificate (key, NULL, NULL, error);
  if (der == NULL)
    return NULL;
  /* PEM, as a file for the peer to trust would hold it (DER does too) */
  text = parsec_pem_encode (der, "CERTIFICATE");
  pem = g_bytes_new_take (text, strlen (text));
  return parsec_key_create_tls_certificate (key, pem, NULL, error);
}

/* Both certificates are self-signed: each side trusts the one it expects. */
static gboolean
accept_expected (GTlsConnection       *connection,
                 GTlsCertificate      *peer,
                 GTlsCertificateFlags  errors,
                 gpointer              expected)
{
  return g_tls_certificate_is_same (peer, expected);
}

static gpointer
server_handshake (gpointer server)
{
  GError *error = NULL;

  g_tls_connection_handshake (server, NULL, &error);
  return error;
}

/* A mutual TLS handshake on a socket pair with a server whose certificate
 * and key are in @server_pem: the server, in a thread of its own,
 * requires a client certificate and gets the client's. */
static gboolean
tls_client_certificate (ParsecClient  *client,
                        const char    *server_pem,
                        GError       **error)
{
  g_autoptr(GTlsCertificate) server_certificate = NULL;
  g_autoptr(GTlsCertificate) client_certificate = NULL;
  g_autoptr(GSocket) server_socket = NULL, client_socket = NULL;
  g_autoptr(GSocketConnection) server_stream = NULL, client_stream = NULL;
  g_autoptr(GIOStream) server = NULL, tls = NULL;
  GError *server_error;
  GThread *thread;
  int fds[2];

  server_certificate = g_tls_certificate_new_from_file (server_pem, error);
  if (server_certificate == NULL)
    return FALSE;
  client_certificate = new_key_tls_certificate (client, error);
  if (client_certificate == NULL)
    return FALSE;

  if (socketpair (AF_UNIX, SOCK_STREAM, 0, fds) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "socketpair: %s", g_strerror (errsv));
      return FALSE;
    }
  if ((server_socket = g_socket_new_from_fd (fds[0], error)) == NULL ||
      (client_socket = g_socket_new_from_fd (fds[1], error)) == NULL)
    return FALSE;
  server_stream = g_socket_connection_factory_create_connection (server_socket);
  client_stream = g_socket_connection_factory_create_connection (client_socket);

  server = g_tls_server_connection_new (G_IO_STREAM (server_stream), server_certificate, error);
  if (server == NULL)
    return FALSE;
  g_object_set (server, "authentication-mode", G_TLS_AUTHENTICATION_REQUIRED, NULL);
  g_signal_connect (server, "accept-certificate", G_CALLBACK (accept_expected), client_certificate);

  tls = g_tls_client_connection_new (G_IO_STREAM (client_stream), NULL, error);
  if (tls == NULL)
    return FALSE;
  g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), client_certificate);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_expected), server_certificate);

  thread = g_thread_new ("tls-server", server_handshake, server);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, error))
    {
      /* Ends the server's handshake too */
      g_io_stream_close (G_IO_STREAM (client_stream), NULL, NULL);
      server_error = g_thread_join (thread);
      g_clear_error (&server_error);
      return FALSE;
    }
  /* With TLS 1.3 the client finishes first: the server has the verdict. */
  server_error = g_thread_join (thread);
  if (server_error != NULL)
    {
      g_propagate_error (error, server_error);
      return FALSE;
    }
  g_print ("the server accepted the client's certificate\n");
  return TRUE;
}

/* End of the tasks */

/* The keys of this program, made by the tasks above */
static gboolean
delete_keys (ParsecClient  *client,
             GError       **error)
{
  g_autoptr(GPtrArray) keys = parsec_client_list_keys (client, NULL, error);

  if (keys == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    if (!parsec_key_destroy (g_ptr_array_index (keys, i), NULL, error))
      return FALSE;
  return TRUE;
}

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;

  if (argc != 3)
    {
      g_printerr ("usage: %s FILE SERVER-PEM\n", argv[0]);
      return 2;
    }

  client = parsec_client_new_sync ("org.example.BasicTasks", NULL, &error);
  if (client == NULL ||
      !sign_and_verify_file (client, argv[1], &error) ||
      !encrypt_and_decrypt (client, &error) ||
      !list_keys (client, &error) ||
      !cancel_and_time_out ("org.example.BasicTasks", &error) ||
      !match_errors (client, &error) ||
      !tls_client_certificate (client, argv[2], &error) ||
      !delete_keys (client, &error))
    {
      g_printerr ("basic-tasks: %s\n", error->message);
      return 1;
    }
  return 0;
}
