/* test-dbus.c: community.parsec.Crypto1 through the generated proxy
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each test runs a private message bus (GTestDBus) and a private
 * parsec-glib-test-service, and a ParsecDBusExporter on a thread of its
 * own (the proxies' synchronous calls block the test thread). One test
 * process plays several callers: a test hook gives each of its
 * connections a made-up process id, and a made-up /proc says what that
 * process is. One test uses no hook at all, to cover the production path
 * (GetConnectionCredentials and the real /proc).
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixfdlist.h>

#include "parsec-dbus-encoding-private.h"
#include "parsec-dbus-exporter-private.h"
#include "parsec-dbus-generated.h"
#include "service-fixture.h"

#define TIMEOUT_MS 60000

typedef struct {
  ParsecTestService *service;
  GTestDBus *bus;
  char *proc_root;
  gboolean hooks;

  /* The exporter's thread */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  gboolean ready;
  char *server_name;            /* the exporter connection's unique name */

  GHashTable *credentials;      /* unique name → "uid pid" */
} Fixture;

/* Test hook: the made-up credentials of the test's own connections. */
static gboolean
fake_credentials (const char *sender,
                  guint32    *uid,
                  guint32    *pid,
                  gpointer    user_data)
{
  Fixture *fixture = user_data;
  const char *value;
  gboolean found = FALSE;

  g_mutex_lock (&fixture->lock);
  value = g_hash_table_lookup (fixture->credentials, sender);
  if (value != NULL)
    found = sscanf (value, "%u %u", uid, pid) == 2;
  g_mutex_unlock (&fixture->lock);
  return found;
}

static gpointer
exporter_thread (gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(ParsecDBusExporter) exporter = NULL;

  g_main_context_push_thread_default (fixture->context);

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fixture->bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", parsec_test_service_get_endpoint (fixture->service),
                           "auth-method", PARSEC_AUTH_METHOD_NONE,
                           NULL);
  g_assert_no_error (error);
  exporter = parsec_dbus_exporter_new (client);
  if (fixture->hooks)
    {
      _parsec_dbus_exporter_set_credentials_func (exporter, fake_credentials, fixture);
      _parsec_dbus_exporter_set_proc_root (exporter, fixture->proc_root);
    }
  parsec_dbus_exporter_export (exporter, connection, PARSEC_DBUS_OBJECT_PATH, &error);
  g_assert_no_error (error);
  g_assert_true (parsec_dbus_exporter_get_connection (exporter) == connection);
  g_assert_cmpstr (parsec_dbus_exporter_get_object_path (exporter), ==, PARSEC_DBUS_OBJECT_PATH);

  g_mutex_lock (&fixture->lock);
  fixture->server_name = g_strdup (g_dbus_connection_get_unique_name (connection));
  fixture->ready = TRUE;
  g_cond_signal (&fixture->cond);
  g_mutex_unlock (&fixture->lock);

  g_main_loop_run (fixture->loop);

  parsec_dbus_exporter_unexport (exporter);
  g_assert_null (parsec_dbus_exporter_get_connection (exporter));
  g_dbus_connection_close_sync (connection, NULL, NULL);
  /* Let the clients' finalisation run here, on their context. */
  g_clear_object (&exporter);
  g_clear_object (&client);
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  g_main_context_pop_thread_default (fixture->context);
  return NULL;
}

/* A made-up process under the fake /proc: @exe is its executable, and
 * @flatpak_info, when not NULL, the /.flatpak-info of its sandbox. */
static void
fake_process (Fixture    *fixture,
              guint32     pid,
              const char *exe,
              const char *flatpak_info)
{
  g_autofree char *dir = g_strdup_printf ("%s/%u", fixture->proc_root, pid);
  g_autofree char *root = g_build_filename (dir, "root", NULL);
  g_autofree char *exe_link = g_build_filename (dir, "exe", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  g_assert_cmpint (symlink (exe, exe_link), ==, 0);
  if (flatpak_info != NULL)
    {
      g_autofree char *info = g_build_filename (root, ".flatpak-info", NULL);

      g_file_set_contents (info, flatpak_info, -1, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const service_args[] = { "--sign-message", NULL };
  g_autoptr(GError) error = NULL;

  fixture->hooks = GPOINTER_TO_INT (data) == 0;
  fixture->service = parsec_test_service_start_with_args ("direct", NULL, service_args, &error);
  g_assert_no_error (error);

  fixture->bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (fixture->bus);

  fixture->proc_root = g_dir_make_tmp ("parsec-dbus-proc-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_mutex_init (&fixture->lock);
  g_cond_init (&fixture->cond);
  fixture->context = g_main_context_new ();
  fixture->loop = g_main_loop_new (fixture->context, FALSE);
  fixture->thread = g_thread_new ("exporter", exporter_thread, fixture);
  g_mutex_lock (&fixture->lock);
  while (!fixture->ready)
    g_cond_wait (&fixture->cond, &fixture->lock);
  g_mutex_unlock (&fixture->lock);
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_main_context_invoke (fixture->context, quit_loop, fixture->loop);
  g_thread_join (fixture->thread);
  g_main_loop_unref (fixture->loop);
  g_main_context_unref (fixture->context);
  g_mutex_clear (&fixture->lock);
  g_cond_clear (&fixture->cond);
  g_free (fixture->server_name);
  g_hash_table_unref (fixture->credentials);

  g_test_dbus_down (fixture->bus);
  g_object_unref (fixture->bus);
  remove_tree (fixture->proc_root);
  g_free (fixture->proc_root);
  parsec_test_service_free (fixture->service);
}

/* A new connection to the bus, playing process @pid of user @uid (when
 * @pid is not 0), and a proxy for the exporter on it. */
static ParsecGenCrypto1 *
caller_new (Fixture *fixture,
            guint32  uid,
            guint32  pid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  ParsecGenCrypto1 *proxy;

  connection = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (fixture->bus),
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  if (pid != 0)
    {
      g_mutex_lock (&fixture->lock);
      g_hash_table_insert (fixture->credentials, g_strdup (g_dbus_connection_get_unique_name (connection)),
                           g_strdup_printf ("%u %u", uid, pid));
      g_mutex_unlock (&fixture->lock);
    }
  proxy = parsec_gen_crypto1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_NONE, fixture->server_name,
                                             PARSEC_DBUS_OBJECT_PATH, NULL, &error);
  g_assert_no_error (error);
  return proxy;
}

/* What the service holds for an application name, asked directly. */
static gboolean
service_has_key (Fixture    *fixture,
                 const char *application_name,
                 const char *key_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GPtrArray) keys = NULL;

  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", parsec_test_service_get_endpoint (fixture->service),
                           "application-name", application_name,
                           "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                           NULL);
  g_assert_no_error (error);
  keys = parsec_client_list_keys (client, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    if (g_str_equal (parsec_key_info_get_name (g_ptr_array_index (keys, i)), key_name))
      return TRUE;
  return FALSE;
}

static GVariant *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *value = g_variant_parse (NULL, text, NULL, NULL, &error);

  g_assert_no_error (error);
  return value;
}

static GVariant *
bytes_variant (const void *data,
               gsize       len)
{
  return g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, len, 1));
}

/* Reads the secret behind handle 0 of @handle in @fd_list, checking that
 * it is sealed against change. */
static GBytes *
read_secret (GVariant    *handle,
             GUnixFDList *fd_list)
{
  g_autoptr(GError) error = NULL;
  GByteArray *data = g_byte_array_new ();
  int fd, seals;
  guint8 buffer[4096];
  gssize n;

  g_assert_nonnull (fd_list);
  g_assert_cmpint (g_unix_fd_list_get_length (fd_list), ==, 1);
  fd = g_unix_fd_list_get (fd_list, g_variant_get_handle (handle), &error);
  g_assert_no_error (error);
  seals = fcntl (fd, F_GET_SEALS);
  g_assert_cmpint (seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK), ==, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK);
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_byte_array_append (data, buffer, (guint) n);
  g_assert_cmpint (n, ==, 0);
  close (fd);
  return g_byte_array_free_to_bytes (data);
}

static void
assert_bytes (GVariant   *value,
              const void *data,
              gsize       len)
{
  gsize n;
  const void *got = g_variant_get_fixed_array (value, &n, 1);

  g_assert_cmpmem (got, n, data, len);
}

static const char ecdsa_key[] =
  "{'type': <'ecc-key-pair'>, 'curve': <'secp-r1'>, 'bits': <uint32 256>,"
  " 'usage': <['sign-hash', 'verify-hash', 'sign-message', 'verify-message', 'export']>,"
  " 'algorithm': <{'kind': <'ecdsa'>, 'hash': <'sha256'>}>}";
static const char ecdsa[] = "{'kind': <'ecdsa'>, 'hash': <'sha256'>}";

/* Every method, as one unsandboxed caller. */
static void
test_methods (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) providers = NULL, keys = NULL, attributes = NULL, digest = NULL;
  g_autoptr(GVariant) signature = NULL, message_signature = NULL, public_key = NULL, der = NULL;
  g_autoptr(GVariant) handle = NULL, ciphertext = NULL, aead_ciphertext = NULL, algorithm = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), alg = parse (ecdsa);
  g_autoptr(GVariant) hello = bytes_variant ("hello", 5), other = bytes_variant ("other", 5);
  g_autoptr(GVariant) empty = bytes_variant ("", 0);
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 expected[32];
  gsize expected_len = sizeof expected;
  const char *type = NULL, *curve = NULL, *kind = NULL, *hash = NULL;
  guint major = 0, minor = 0, bits = 0;
  gboolean found_mbed = FALSE, found_key = FALSE;
  GVariantIter iter;
  GVariant *entry;

  fake_process (fixture, 1001, "/usr/bin/app-a", NULL);
  proxy = caller_new (fixture, (guint32) geteuid (), 1001);

  g_assert_cmpuint (parsec_gen_crypto1_get_version (proxy), ==, PARSEC_DBUS_INTERFACE_VERSION);

  parsec_gen_crypto1_call_ping_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (major, ==, 1);
  g_assert_cmpuint (minor, ==, 0);

  parsec_gen_crypto1_call_list_providers_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &providers, NULL, &error);
  g_assert_no_error (error);
  g_variant_iter_init (&iter, providers);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      guint32 id = G_MAXUINT32;
      const char *uuid = NULL;

      g_assert_true (g_variant_lookup (entry, "id", "u", &id));
      g_assert_true (g_variant_lookup (entry, "uuid", "&s", &uuid));
      if (id == PARSEC_PROVIDER_MBED_CRYPTO)
        found_mbed = g_str_equal (uuid, "1c1139dc-ad7c-47dc-ad6b-db6fdb466552");
      g_variant_unref (entry);
    }
  g_assert_true (found_mbed);

  /* Keys */
  parsec_gen_crypto1_call_generate_key_sync (proxy, "sig", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  parsec_gen_crypto1_call_list_keys_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_no_error (error);
  g_variant_iter_init (&iter, keys);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char *name = NULL;
      guint32 provider = 0;

      g_assert_true (g_variant_lookup (entry, "name", "&s", &name));
      g_assert_true (g_variant_lookup (entry, "provider", "u", &provider));
      if (g_str_equal (name, "sig"))
        found_key = provider == PARSEC_PROVIDER_MBED_CRYPTO;
      g_variant_unref (entry);
    }
  g_assert_true (found_key);

  parsec_gen_crypto1_call_get_key_attributes_sync (proxy, "sig", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (attributes, "type", "&s", &type));
  g_assert_cmpstr (type, ==, "ecc-key-pair");
  g_assert_true (g_variant_lookup (attributes, "curve", "&s", &curve));
  g_assert_cmpstr (curve, ==, "secp-r1");
  g_assert_true (g_variant_lookup (attributes, "bits", "u", &bits));
  g_assert_cmpuint (bits, ==, 256);
  algorithm = g_variant_lookup_value (attributes, "algorithm", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (algorithm, "kind", "&s", &kind));
  g_assert_cmpstr (kind, ==, "ecdsa");
  g_assert_true (g_variant_lookup (algorithm, "hash", "&s", &hash));
  g_assert_cmpstr (hash, ==, "sha256");

  /* Hashes */
  parsec_gen_crypto1_call_hash_compute_sync (proxy, "sha256", hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                             &digest, NULL, &error);
  g_assert_no_error (error);
  g_checksum_update (checksum, (const guchar *) "hello", 5);
  g_checksum_get_digest (checksum, expected, &expected_len);
  assert_bytes (digest, expected, expected_len);
  parsec_gen_crypto1_call_hash_compare_sync (proxy, "sha-256", hello, digest, G_DBUS_CALL_FLAGS_NONE,
                                             TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_hash_compare_sync (proxy, "sha256", other, digest, G_DBUS_CALL_FLAGS_NONE,
                                             TIMEOUT_MS, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
  g_clear_error (&error);

  /* Signatures */
  parsec_gen_crypto1_call_sign_hash_sync (proxy, "sig", alg, digest, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                          &signature, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (signature), ==, 64);
  parsec_gen_crypto1_call_verify_hash_sync (proxy, "sig", alg, digest, signature, G_DBUS_CALL_FLAGS_NONE,
                                            TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) wrong = NULL;

    expected[0] ^= 1;
    wrong = bytes_variant (expected, expected_len);
    expected[0] ^= 1;
    parsec_gen_crypto1_call_verify_hash_sync (proxy, "sig", alg, wrong, signature, G_DBUS_CALL_FLAGS_NONE,
                                              TIMEOUT_MS, NULL, &error);
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
    g_clear_error (&error);
  }

  parsec_gen_crypto1_call_sign_message_sync (proxy, "sig", alg, hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                             &message_signature, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_verify_message_sync (proxy, "sig", alg, hello, message_signature,
                                               G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_verify_message_sync (proxy, "sig", alg, other, message_signature,
                                               G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
  g_clear_error (&error);

  /* Public and private key export */
  parsec_gen_crypto1_call_export_public_key_sync (proxy, "sig", "psa", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                  &public_key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (public_key), ==, 65);
  parsec_gen_crypto1_call_export_public_key_sync (proxy, "sig", "der", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                  &der, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (der), ==, 91);

  parsec_gen_crypto1_call_export_key_sync (proxy, "sig", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL,
                                           &handle, &fd_list, NULL, &error);
  g_assert_no_error (error);
  secret = read_secret (handle, fd_list);
  g_assert_cmpuint (g_bytes_get_size (secret), ==, 32);
  g_clear_pointer (&handle, g_variant_unref);
  g_clear_pointer (&secret, g_bytes_unref);
  g_clear_object (&fd_list);

  /* Asymmetric encryption */
  {
    g_autoptr(GVariant) rsa_key = parse ("{'type': <'rsa-key-pair'>, 'bits': <uint32 1024>,"
                                         " 'usage': <['encrypt', 'decrypt']>,"
                                         " 'algorithm': <{'kind': <'rsa-pkcs1v15-crypt'>}>}");
    g_autoptr(GVariant) rsa = parse ("{'kind': <'rsa-pkcs1v15-crypt'>}");

    parsec_gen_crypto1_call_generate_key_sync (proxy, "rsa", rsa_key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                               NULL, &error);
    g_assert_no_error (error);
    parsec_gen_crypto1_call_asymmetric_encrypt_sync (proxy, "rsa", rsa, hello, empty, G_DBUS_CALL_FLAGS_NONE,
                                                     TIMEOUT_MS, &ciphertext, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_variant_n_children (ciphertext), ==, 128);
    parsec_gen_crypto1_call_asymmetric_decrypt_sync (proxy, "rsa", rsa, ciphertext, empty, G_DBUS_CALL_FLAGS_NONE,
                                                     TIMEOUT_MS, NULL, &handle, &fd_list, NULL, &error);
    g_assert_no_error (error);
    secret = read_secret (handle, fd_list);
    g_assert_cmpmem (g_bytes_get_data (secret, NULL), g_bytes_get_size (secret), "hello", 5);
    g_clear_pointer (&handle, g_variant_unref);
    g_clear_pointer (&secret, g_bytes_unref);
    g_clear_object (&fd_list);
  }

  /* AEAD, with an imported key */
  {
    static const guint8 aes_key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    static const guint8 nonce_data[12] = { 0 };
    g_autoptr(GVariant) aes_attributes = parse ("{'type': <'aes'>, 'bits': <uint32 128>,"
                                                " 'usage': <['encrypt', 'decrypt']>,"
                                                " 'algorithm': <{'kind': <'gcm'>}>}");
    g_autoptr(GVariant) gcm = parse ("{'kind': <'gcm'>}");
    g_autoptr(GVariant) key_data = bytes_variant (aes_key, sizeof aes_key);
    g_autoptr(GVariant) nonce = bytes_variant (nonce_data, sizeof nonce_data);
    g_autoptr(GVariant) ad = bytes_variant ("header", 6);

    parsec_gen_crypto1_call_import_key_sync (proxy, "aes", aes_attributes, key_data, G_DBUS_CALL_FLAGS_NONE,
                                             TIMEOUT_MS, NULL, &error);
    g_assert_no_error (error);
    parsec_gen_crypto1_call_aead_encrypt_sync (proxy, "aes", gcm, nonce, ad, hello, G_DBUS_CALL_FLAGS_NONE,
                                               TIMEOUT_MS, &aead_ciphertext, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_variant_n_children (aead_ciphertext), ==, 5 + 16);
    parsec_gen_crypto1_call_aead_decrypt_sync (proxy, "aes", gcm, nonce, ad, aead_ciphertext,
                                               G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &handle, &fd_list,
                                               NULL, &error);
    g_assert_no_error (error);
    secret = read_secret (handle, fd_list);
    g_assert_cmpmem (g_bytes_get_data (secret, NULL), g_bytes_get_size (secret), "hello", 5);
    g_clear_pointer (&handle, g_variant_unref);
    g_clear_pointer (&secret, g_bytes_unref);
    g_clear_object (&fd_list);

    /* A wrong tag: the service's refusal comes back as its error. */
    parsec_gen_crypto1_call_aead_decrypt_sync (proxy, "aes", gcm, nonce, hello, aead_ciphertext,
                                               G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &handle, &fd_list,
                                               NULL, &error);
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
    g_clear_error (&error);
  }

  /* Random bytes */
  parsec_gen_crypto1_call_generate_random_sync (proxy, 100, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL,
                                                &handle, &fd_list, NULL, &error);
  g_assert_no_error (error);
  secret = read_secret (handle, fd_list);
  g_assert_cmpuint (g_bytes_get_size (secret), ==, 100);

  /* Destroy, and the error of a key that is gone */
  parsec_gen_crypto1_call_destroy_key_sync (proxy, "sig", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_get_key_attributes_sync (proxy, "sig", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   NULL, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_true (g_dbus_error_is_remote_error (error));
  {
    g_autofree char *remote = g_dbus_error_get_remote_error (error);

    g_assert_cmpstr (remote, ==, "community.parsec.Error.PsaErrorDoesNotExist");
  }
}

/* Arguments the interface refuses, and service errors by name. */
static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const bad_attributes[] = {
    "{'bits': <uint32 256>}",                                          /* no type */
    "{'type': <'ecc-key-pair'>, 'bits': <uint32 256>}",                /* no curve */
    "{'type': <'aes'>, 'curve': <'secp-r1'>}",                         /* curve on AES */
    "{'type': <'aes'>, 'bitz': <uint32 128>}",                         /* typo */
    "{'type': <'aes'>, 'bits': <128>}",                                /* int32 */
    "{'type': <'aes'>, 'usage': <['encrypt', 'sign']>}",               /* unknown usage */
    "{'type': <'aes'>, 'algorithm': <{'kind': <'gcm'>, 'hash': <'sha256'>}>}",   /* hash on GCM */
    "{'type': <'aes'>, 'algorithm': <{'kind': <'hmac'>}>}",            /* HMAC without hash */
    "{'type': <'aes'>, 'algorithm': <{'kind': <'rsa-oaep'>, 'hash': <'any'>}>}", /* any outside signatures */
    "{'type': <'aes'>, 'algorithm': <{'kind': <'gcm'>, 'tag-length': <uint32 0>}>}",
    "{'type': <'derive'>, 'algorithm': <{'kind': <'ecdh'>, 'derivation': <{'kind': <'gcm'>}>}>}",
  };
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), hello = bytes_variant ("hello", 5);
  g_autoptr(GVariant) rsa = parse ("{'kind': <'rsa-pkcs1v15-crypt'>}");
  g_autoptr(GVariant) output = NULL;

  fake_process (fixture, 1001, "/usr/bin/app-a", NULL);
  proxy = caller_new (fixture, (guint32) geteuid (), 1001);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_attributes); i++)
    {
      g_autoptr(GVariant) attributes = parse (bad_attributes[i]);

      g_test_message ("%s", bad_attributes[i]);
      parsec_gen_crypto1_call_generate_key_sync (proxy, "k", attributes, G_DBUS_CALL_FLAGS_NONE,
                                                 TIMEOUT_MS, NULL, &error);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error (&error);
    }

  parsec_gen_crypto1_call_hash_compute_sync (proxy, "sha257", hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                             &output, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  parsec_gen_crypto1_call_export_public_key_sync (proxy, "k", "jwk", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                  &output, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  parsec_gen_crypto1_call_generate_key_sync (proxy, "k", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_generate_key_sync (proxy, "k", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_ALREADY_EXISTS);
  g_clear_error (&error);

  /* A policy that forbids the operation. */
  parsec_gen_crypto1_call_asymmetric_encrypt_sync (proxy, "k", rsa, hello, hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &output,
                                                   NULL, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == PARSEC_ERROR);
  g_clear_error (&error);

  /* By hand, without the generated code: the error name on the wire. */
  {
    GDBusConnection *connection = g_dbus_proxy_get_connection (G_DBUS_PROXY (proxy));
    g_autoptr(GVariant) reply = NULL;
    g_autofree char *remote = NULL;

    reply = g_dbus_connection_call_sync (connection, fixture->server_name, PARSEC_DBUS_OBJECT_PATH,
                                         PARSEC_DBUS_INTERFACE_NAME, "DestroyKey",
                                         g_variant_new ("(s)", "never-made"), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
    g_assert_null (reply);
    remote = g_dbus_error_get_remote_error (error);
    g_assert_cmpstr (remote, ==, "community.parsec.Error.PsaErrorDoesNotExist");
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
    g_clear_error (&error);

    reply = g_dbus_connection_call_sync (connection, fixture->server_name, PARSEC_DBUS_OBJECT_PATH,
                                         PARSEC_DBUS_INTERFACE_NAME, "DestroyKey",
                                         g_variant_new ("(u)", 7), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  }
}

/* Two unsandboxed programs see their own keys only, even under one name. */
static void
test_isolation (Fixture       *fixture,
                gconstpointer  data)
{
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) a = NULL, b = NULL, a_again = NULL, stranger = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), keys = NULL, attributes = NULL;
  g_autofree char *name_a = g_strdup_printf ("dbus:uid=%u:exe=/usr/bin/app-a", uid);
  g_autofree char *name_b = g_strdup_printf ("dbus:uid=%u:exe=/usr/bin/app-b", uid);
  guint major, minor;

  fake_process (fixture, 1001, "/usr/bin/app-a", NULL);
  fake_process (fixture, 1002, "/usr/bin/app-b", NULL);
  fake_process (fixture, 1003, "/usr/bin/app-a (deleted)", NULL);
  fake_process (fixture, 1004, "/usr/bin/app-a", NULL);
  a = caller_new (fixture, uid, 1001);
  b = caller_new (fixture, uid, 1002);

  parsec_gen_crypto1_call_generate_key_sync (a, "mine", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  parsec_gen_crypto1_call_list_keys_sync (b, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (keys), ==, 0);
  parsec_gen_crypto1_call_get_key_attributes_sync (b, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  parsec_gen_crypto1_call_destroy_key_sync (b, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  /* The same name in B's namespace is another key. */
  parsec_gen_crypto1_call_generate_key_sync (b, "mine", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (service_has_key (fixture, name_a, "mine"));
  g_assert_true (service_has_key (fixture, name_b, "mine"));

  /* The same program in another process, or updated on disk while it
   * runs, is the same identity. */
  a_again = caller_new (fixture, uid, 1003);
  parsec_gen_crypto1_call_get_key_attributes_sync (a_again, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&a_again);
  a_again = caller_new (fixture, uid, 1004);
  parsec_gen_crypto1_call_destroy_key_sync (a_again, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (service_has_key (fixture, name_a, "mine"));
  g_assert_true (service_has_key (fixture, name_b, "mine"));

  /* Another user is refused, whatever it asks. */
  fake_process (fixture, 1005, "/usr/bin/app-a", NULL);
  stranger = caller_new (fixture, uid + 1, 1005);
  parsec_gen_crypto1_call_ping_sync (stranger, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  parsec_gen_crypto1_call_list_keys_sync (stranger, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
}

/* A Flatpak app is known by its app id, whatever its executable. */
static void
test_sandboxed (Fixture       *fixture,
                gconstpointer  data)
{
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) app = NULL, same_app = NULL, host = NULL, broken = NULL, forged = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), attributes = NULL;
  g_autofree char *app_name = g_strdup_printf ("dbus:uid=%u:flatpak=org.example.App", uid);
  guint major, minor;

  fake_process (fixture, 2001, "/app/bin/example", "[Application]\nname=org.example.App\nruntime=runtime/org.gnome.Platform/x86_64/45\n");
  fake_process (fixture, 2002, "/usr/bin/xdg-dbus-proxy", "[Application]\nname=org.example.App\n");
  fake_process (fixture, 2003, "/app/bin/example", NULL);
  fake_process (fixture, 2004, "/usr/bin/bwrap", "[Runtime]\nruntime=runtime/org.gnome.Platform/x86_64/45\n");
  fake_process (fixture, 2005, "/app/bin/x", "[Application]\nname=dbus:uid=0:exe=/usr/bin/app-a\n");
  app = caller_new (fixture, uid, 2001);
  same_app = caller_new (fixture, uid, 2002);
  host = caller_new (fixture, uid, 2003);
  broken = caller_new (fixture, uid, 2004);
  forged = caller_new (fixture, uid, 2005);

  parsec_gen_crypto1_call_generate_key_sync (app, "app-key", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (service_has_key (fixture, app_name, "app-key"));

  parsec_gen_crypto1_call_get_key_attributes_sync (same_app, "app-key", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&attributes, g_variant_unref);

  /* The same executable outside the sandbox is somebody else. */
  parsec_gen_crypto1_call_get_key_attributes_sync (host, "app-key", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);

  /* A sandbox without an app id, or with one that is not an app id, is
   * refused rather than taken for unsandboxed. */
  parsec_gen_crypto1_call_ping_sync (broken, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  parsec_gen_crypto1_call_ping_sync (forged, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
}

/* Without test hooks: the bus's credentials and the real /proc. */
static void
test_real_identity (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key);
  g_autofree char *prefix = g_strdup_printf ("dbus:uid=%u:exe=/", (guint32) geteuid ());
  g_autofree char *name = NULL;

  /* What this process is to the rules (not /proc/self/exe, which
   * valgrind rewrites for the process itself but not for others). */
  name = _parsec_dbus_identity_resolve ("/proc", (guint32) geteuid (), (guint32) geteuid (), (guint32) getpid (), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (name, prefix));

  proxy = caller_new (fixture, 0, 0);
  parsec_gen_crypto1_call_generate_key_sync (proxy, "real", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (service_has_key (fixture, name, "real"));
}

typedef struct {
  guint pending;
  guint failed;
} Batch;

static void
batch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_proxy_call_with_unix_fd_list_finish (G_DBUS_PROXY (source), NULL, result, &error);

  if (reply == NULL)
    {
      g_test_message ("%s", error->message);
      batch->failed++;
    }
  batch->pending--;
}

/* Many callers, many calls in flight at once, each answered. */
static void
test_concurrent (Fixture       *fixture,
                 gconstpointer  data)
{
  enum { N_CALLERS = 4, N_CALLS = 25 };
  ParsecGenCrypto1 *callers[N_CALLERS];
  Batch batch = { 0 };

  for (guint i = 0; i < N_CALLERS; i++)
    {
      g_autofree char *exe = g_strdup_printf ("/usr/bin/app-%u", i);

      fake_process (fixture, 3000 + i, exe, NULL);
      callers[i] = caller_new (fixture, (guint32) geteuid (), 3000 + i);
    }
  for (guint i = 0; i < N_CALLERS; i++)
    for (guint j = 0; j < N_CALLS; j++)
      {
        GVariant *parameters = j % 2 == 0
          ? g_variant_new ("(t)", (guint64) 64)
          : g_variant_new ("(s@ay)", "sha512", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "x", 1, 1));

        batch.pending++;
        g_dbus_proxy_call_with_unix_fd_list (G_DBUS_PROXY (callers[i]),
                                             j % 2 == 0 ? "GenerateRandom" : "HashCompute", parameters,
                                             G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, NULL, batch_done, &batch);
      }
  while (batch.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (batch.failed, ==, 0);
  for (guint i = 0; i < N_CALLERS; i++)
    g_object_unref (callers[i]);
}

/* The identity rules on their own. */
static void
test_identity_resolve (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("parsec-dbus-proc-XXXXXX", &error);
  Fixture fake = { .proc_root = root };
  char *name;

  g_assert_no_error (error);
  fake_process (&fake, 10, "/opt/tool", NULL);
  fake_process (&fake, 11, "relative", NULL);
  fake_process (&fake, 12, "/app/bin/x", "[Application]\nname=org.example.Good\n");
  fake_process (&fake, 13, "/app/bin/x", "[Application]\nname=:1.42\n");
  fake_process (&fake, 14, "/app/bin/x", "not a key file");

  name = _parsec_dbus_identity_resolve (root, 1000, 1000, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "dbus:uid=1000:exe=/opt/tool");
  g_free (name);
  name = _parsec_dbus_identity_resolve (root, 1000, 1000, 12, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "dbus:uid=1000:flatpak=org.example.Good");
  g_free (name);

  /* Another user; no process; a process that is gone; no usable identity. */
  static const guint32 refused[][2] = { { 1001, 10 }, { 1000, 0 }, { 1000, 99 }, { 1000, 11 }, { 1000, 13 }, { 1000, 14 } };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      name = _parsec_dbus_identity_resolve (root, 1000, refused[i][0], refused[i][1], &error);
      g_assert_null (name);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
      g_clear_error (&error);
    }
  remove_tree (root);
}

/* The a{sv} encoding both ways. */
static void
test_encoding (void)
{
  static const char * const algorithms[] = {
    "{'kind': <'none'>}",
    "{'kind': <'hash'>, 'hash': <'sha3-256'>}",
    "{'kind': <'hmac'>, 'hash': <'sha384'>, 'mac-length': <uint32 16>}",
    "{'kind': <'cmac'>}",
    "{'kind': <'cbc-pkcs7'>}",
    "{'kind': <'chacha20-poly1305'>}",
    "{'kind': <'ccm'>, 'tag-length': <uint32 8>}",
    "{'kind': <'rsa-pss'>, 'hash': <'any'>}",
    "{'kind': <'deterministic-ecdsa'>, 'hash': <'sha512-256'>}",
    "{'kind': <'ecdsa-any'>}",
    "{'kind': <'rsa-oaep'>, 'hash': <'sha1'>}",
    "{'kind': <'ecdh'>, 'derivation': <{'kind': <'hkdf'>, 'hash': <'sha256'>}>}",
    "{'kind': <'tls12-psk-to-ms'>, 'hash': <'sha384'>}",
  };
  static const char * const attributes[] = {
    "{'type': <'ecc-public-key'>, 'curve': <'brainpool-p-r1'>, 'bits': <uint32 384>, 'usage': <['verify-hash']>,"
    " 'algorithm': <{'kind': <'ecdsa'>, 'hash': <'sha384'>}>}",
    "{'type': <'dh-key-pair'>, 'group': <'rfc7919'>, 'bits': <uint32 2048>, 'usage': <['derive']>,"
    " 'algorithm': <{'kind': <'ffdh'>}>}",
    "{'type': <'raw-data'>, 'bits': <uint32 0>, 'usage': <@as []>, 'algorithm': <{'kind': <'none'>}>}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (algorithms); i++)
    {
      g_autoptr(GVariant) input = parse (algorithms[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ParsecAlgorithm) algorithm = _parsec_dbus_algorithm_from_variant (input, &error);
      g_autoptr(GVariant) output = NULL;

      g_assert_no_error (error);
      output = g_variant_ref_sink (_parsec_dbus_algorithm_to_variant (algorithm));
      g_assert_cmpvariant (output, input);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (attributes); i++)
    {
      g_autoptr(GVariant) input = parse (attributes[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ParsecKeyAttributes) decoded = _parsec_dbus_key_attributes_from_variant (input, &error);
      g_autoptr(GVariant) output = NULL;

      g_assert_no_error (error);
      output = g_variant_ref_sink (_parsec_dbus_key_attributes_to_variant (decoded));
      g_assert_cmpvariant (output, input);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parsec/dbus/encoding", test_encoding);
  g_test_add_func ("/parsec/dbus/identity-resolve", test_identity_resolve);
  g_test_add ("/parsec/dbus/methods", Fixture, NULL, fixture_set_up, test_methods, fixture_tear_down);
  g_test_add ("/parsec/dbus/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);
  g_test_add ("/parsec/dbus/isolation", Fixture, NULL, fixture_set_up, test_isolation, fixture_tear_down);
  g_test_add ("/parsec/dbus/sandboxed", Fixture, NULL, fixture_set_up, test_sandboxed, fixture_tear_down);
  g_test_add ("/parsec/dbus/concurrent", Fixture, NULL, fixture_set_up, test_concurrent, fixture_tear_down);
  g_test_add ("/parsec/dbus/real-identity", Fixture, GINT_TO_POINTER (1), fixture_set_up, test_real_identity,
              fixture_tear_down);

  return g_test_run ();
}
