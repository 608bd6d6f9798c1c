/* test-secure.c: secrets are wiped before their memory is released
 *
 * The library's secure allocator calls a test hook with each block right
 * before it goes back to malloc. These tests find the blocks that held a
 * request, an exported key or a plaintext and check they were zero by
 * then, on success, error and cancellation paths alike.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"
#include "parsec-secure-private.h"
#include "fake-service.h"
#include "list_opcodes.pb-c.h"
#include "psa_asymmetric_decrypt.pb-c.h"
#include "psa_export_key.pb-c.h"

typedef struct {
  gconstpointer mem;
  gsize size;
  gboolean zeroed;
} Release;

static GArray *releases;
static GMutex releases_lock;

static void
record_release (gconstpointer mem,
                gsize         size,
                gpointer      user_data)
{
  Release release = { mem, size, TRUE };

  for (gsize i = 0; i < size; i++)
    if (((const guint8 *) mem)[i] != 0)
      release.zeroed = FALSE;
  g_mutex_lock (&releases_lock);
  g_array_append_val (releases, release);
  g_mutex_unlock (&releases_lock);
}

/* Whether a block of @size (at @mem, unless NULL) was released, and all
 * the blocks released were zero. */
static gboolean
released (gconstpointer mem,
          gsize         size)
{
  gboolean found = FALSE;

  g_mutex_lock (&releases_lock);
  for (guint i = 0; i < releases->len; i++)
    {
      Release *r = &g_array_index (releases, Release, i);

      g_assert_true (r->zeroed);
      if (r->size == size && (mem == NULL || r->mem == mem))
        found = TRUE;
    }
  g_mutex_unlock (&releases_lock);
  return found;
}

static const guint8 key_material[] = "-- key material: 0123456789abcdef --";
static const guint8 plaintext[] = "-- a plaintext only the key owner should see --";

static GBytes *
answer (const FakeRequest *request,
        FakeAction        *action,
        gpointer           user_data)
{
  const char *mode = user_data;

  switch (request->header.opcode)
    {
    case PARSEC_OPCODE_LIST_OPCODES:
      {
        ListOpcodes__Result result = LIST_OPCODES__RESULT__INIT;
        guint32 all[32];

        for (guint i = 0; i < G_N_ELEMENTS (all); i++)
          all[i] = i + 1;
        result.opcodes = all;
        result.n_opcodes = G_N_ELEMENTS (all);
        return fake_response_new (request->header.opcode, 0, 0, &result.base);
      }
    case PARSEC_OPCODE_PSA_EXPORT_KEY:
      {
        PsaExportKey__Result result = PSA_EXPORT_KEY__RESULT__INIT;

        result.data.data = (guint8 *) key_material;
        result.data.len = sizeof key_material;
        return fake_response_new (request->header.opcode, 1, 0, &result.base);
      }
    case PARSEC_OPCODE_PSA_ASYMMETRIC_DECRYPT:
      if (g_str_equal (mode, "refuse"))
        return fake_response_new (request->header.opcode, 1, PARSEC_ERROR_PSA_INVALID_PADDING, NULL);
      if (g_str_equal (mode, "stall"))
        {
          *action = FAKE_ACTION_SEND_HOLD;
          return NULL;
        }
      if (g_str_equal (mode, "announce"))
        {
          ParsecWireHeader header;

          /* 200 MiB promised, ten bytes sent. */
          _parsec_wire_header_init_request (&header, 1, request->header.opcode, 0, 200u << 20, 0);
          *action = FAKE_ACTION_SEND;
          return fake_response_new_raw (&header, plaintext, 10);
        }
      if (g_str_equal (mode, "truncate"))
        {
          ParsecWireHeader header;

          /* A header promising a body the peer never completes. */
          _parsec_wire_header_init_request (&header, 1, request->header.opcode, 0, 64, 0);
          *action = FAKE_ACTION_SEND;
          return fake_response_new_raw (&header, plaintext, 10);
        }
      {
        PsaAsymmetricDecrypt__Result result = PSA_ASYMMETRIC_DECRYPT__RESULT__INIT;

        result.plaintext.data = (guint8 *) plaintext;
        result.plaintext.len = sizeof plaintext;
        return fake_response_new (request->header.opcode, 1, 0, &result.base);
      }
    default:
      return fake_response_new (request->header.opcode, 1, 0, NULL);
    }
}

typedef struct {
  FakeService *fake;
  ParsecClient *client;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->fake = fake_service_new ();
  fake_service_set_handler (f->fake, answer, (gpointer) data);
  f->client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                              "endpoint", fake_service_get_endpoint (f->fake),
                              "provider", 1,
                              "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                              "application-name", "secure-test",
                              "timeout", 2000,
                              NULL);
  g_assert_no_error (error);
  releases = g_array_new (FALSE, FALSE, sizeof (Release));
  secure_set_free_hook (record_release, NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  secure_set_free_hook (NULL, NULL);
  g_clear_pointer (&releases, g_array_unref);
  g_clear_object (&f->client);
  fake_service_free (f->fake);
}

/* The size of the request block the library sends for a decryption. */
static gsize
decrypt_request_size (GBytes *ciphertext)
{
  PsaAsymmetricDecrypt__Operation operation = PSA_ASYMMETRIC_DECRYPT__OPERATION__INIT;
  PsaAlgorithm__Algorithm__AsymmetricEncryption alg = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__INIT;
  PsaAlgorithm__Algorithm__AsymmetricEncryption__RsaPkcs1v15Crypt pkcs1 =
    PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__RSA_PKCS1V15_CRYPT__INIT;

  alg.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_PKCS1V15_CRYPT;
  alg.rsa_pkcs1v15_crypt = &pkcs1;
  operation.key_name = (char *) "key";
  operation.alg = &alg;
  operation.ciphertext.data = (guint8 *) g_bytes_get_data (ciphertext, &operation.ciphertext.len);
  return PARSEC_WIRE_HEADER_LEN + protobuf_c_message_get_packed_size (&operation.base) + strlen ("secure-test");
}

static void
test_exported_key (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GBytes *key = parsec_client_export_key (f->client, "key", NULL, &error);
  gconstpointer mem;
  gsize size;

  g_assert_no_error (error);
  mem = g_bytes_get_data (key, &size);
  g_assert_cmpmem (mem, size, key_material, sizeof key_material);
  g_assert_false (released (mem, size));

  g_bytes_unref (key);
  g_assert_true (released (mem, size));
}

static void
test_plaintext_and_request (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(ParsecAlgorithm) pkcs1 = parsec_algorithm_new_rsa_pkcs1v15_crypt ();
  g_autoptr(GBytes) ciphertext = g_bytes_new_static ("ciphertext bytes", 16);
  g_autoptr(GError) error = NULL;
  GBytes *decrypted;
  gconstpointer mem;
  gsize size;

  decrypted = parsec_client_asymmetric_decrypt (f->client, "key", pkcs1, ciphertext, NULL, NULL, &error);
  g_assert_no_error (error);
  /* The request went out and was wiped once sent. */
  g_assert_true (released (NULL, decrypt_request_size (ciphertext)));

  mem = g_bytes_get_data (decrypted, &size);
  g_assert_cmpmem (mem, size, plaintext, sizeof plaintext);
  g_bytes_unref (decrypted);
  g_assert_true (released (mem, size));
}

static gpointer
cancel_soon (gpointer cancellable)
{
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (cancellable);
  return NULL;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
test_error_paths (Fixture       *f,
                  gconstpointer  data)
{
  const char *mode = data;
  g_autoptr(ParsecAlgorithm) pkcs1 = parsec_algorithm_new_rsa_pkcs1v15_crypt ();
  g_autoptr(GBytes) ciphertext = g_bytes_new_static ("ciphertext bytes", 16);

  for (int async = 0; async <= 1; async++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) decrypted = NULL;
      GThread *canceller = NULL;

      g_array_set_size (releases, 0);
      if (g_str_equal (mode, "stall"))
        canceller = g_thread_new ("canceller", cancel_soon, cancellable);

      if (async)
        {
          g_autoptr(GAsyncResult) result = NULL;

          parsec_client_asymmetric_decrypt_async (f->client, "key", pkcs1, ciphertext, NULL,
                                                  cancellable, store_result, &result);
          while (result == NULL)
            g_main_context_iteration (NULL, TRUE);
          decrypted = parsec_client_asymmetric_decrypt_finish (f->client, result, &error);
        }
      else
        decrypted = parsec_client_asymmetric_decrypt (f->client, "key", pkcs1, ciphertext, NULL,
                                                      cancellable, &error);
      if (canceller != NULL)
        g_thread_join (canceller);

      g_assert_null (decrypted);
      g_assert_nonnull (error);
      g_test_message ("%s (%s): %s", mode, async ? "async" : "sync", error->message);
      g_assert_true (released (NULL, decrypt_request_size (ciphertext)));
      if (g_str_equal (mode, "truncate"))
        g_assert_true (released (NULL, 64));
    }
}

/* The application name, which direct authentication sends, is wiped when
 * the client goes, and the token also when it is replaced; so are copies
 * the client makes of itself, and the library's record of the identity. */
static void
test_identity_strings (Fixture       *f,
                       gconstpointer  data)
{
  ParsecClient *client = g_object_new (PARSEC_TYPE_CLIENT, "application-name", "the-app-name", NULL);
  ParsecClient *copy;

  g_object_set (client, "jwt-svid-token", "token.one.x", NULL);
  g_object_set (client, "jwt-svid-token", "token.two.xyz", NULL);
  g_assert_true (released (NULL, strlen ("token.one.x") + 1));

  g_assert_true (g_initable_init (G_INITABLE (client), NULL, NULL));
  copy = parsec_client_dup_for_provider (client, 1);
  g_object_unref (client);
  g_object_unref (copy);
  g_assert_true (released (NULL, strlen ("the-app-name") + 1));
  g_assert_true (released (NULL, strlen ("token.two.xyz") + 1));
  g_mutex_lock (&releases_lock);
  {
    guint names = 0;

    for (guint i = 0; i < releases->len; i++)
      if (g_array_index (releases, Release, i).size == strlen ("the-app-name") + 1)
        names++;
    /* The client's, the copy's, and the one the library kept for the
     * PKCS #11 module while a client had that identity. */
    g_assert_cmpuint (names, ==, 3);
  }
  g_mutex_unlock (&releases_lock);
}

/* Memory for a body grows as its bytes arrive: a peer that announces a
 * large body and closes costs little, and what it did send is wiped. */
static void
test_announced_body (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(ParsecAlgorithm) pkcs1 = parsec_algorithm_new_rsa_pkcs1v15_crypt ();
  g_autoptr(GBytes) ciphertext = g_bytes_new_static ("ciphertext bytes", 16);
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(GError) error = NULL;
  gsize largest = 0;

  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           "provider", 1,
                           "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                           "application-name", "secure-test",
                           "max-response-size", 256u << 20,
                           NULL);
  g_assert_no_error (error);
  decrypted = parsec_client_asymmetric_decrypt (client, "key", pkcs1, ciphertext, NULL, NULL, &error);
  g_assert_null (decrypted);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);

  g_assert_true (released (NULL, decrypt_request_size (ciphertext)));
  for (guint i = 0; i < releases->len; i++)
    largest = MAX (largest, g_array_index (releases, Release, i).size);
  g_assert_cmpuint (largest, <=, 64 * 1024);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/parsec/secure/exported-key", Fixture, "ok", fixture_setup, test_exported_key, fixture_teardown);
  g_test_add ("/parsec/secure/plaintext-and-request", Fixture, "ok", fixture_setup, test_plaintext_and_request, fixture_teardown);
  g_test_add ("/parsec/secure/error/service-refuses", Fixture, "refuse", fixture_setup, test_error_paths, fixture_teardown);
  g_test_add ("/parsec/secure/error/truncated-response", Fixture, "truncate", fixture_setup, test_error_paths, fixture_teardown);
  g_test_add ("/parsec/secure/error/cancelled", Fixture, "stall", fixture_setup, test_error_paths, fixture_teardown);
  g_test_add ("/parsec/secure/error/announced-body", Fixture, "announce", fixture_setup, test_announced_body, fixture_teardown);
  g_test_add ("/parsec/secure/identity-strings", Fixture, "ok", fixture_setup, test_identity_strings, fixture_teardown);

  return g_test_run ();
}
