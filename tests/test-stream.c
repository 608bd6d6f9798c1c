/* test-stream.c: signing and verifying streams and files with ParsecKey
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Data larger than the tool's old 64 MiB limit is signed from a sparse
 * file and from a generated stream, so that the tests stay fast; the
 * signatures are checked by the service, against a digest computed here,
 * and by OpenSSL when it is installed.
 */
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include <parsec-glib/parsec-glib.h>

#include "async-wait.h"
#include "service-fixture.h"

#define LARGE_SIZE ((goffset) 65 * 1024 * 1024 + 7)

/* A stream of @size bytes of a repeating pattern, which can fail or
 * cancel a cancellable after some reads, and counts its reads. */
#define TEST_TYPE_PATTERN_STREAM (test_pattern_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestPatternStream, test_pattern_stream, TEST, PATTERN_STREAM, GInputStream)

struct _TestPatternStream {
  GInputStream parent_instance;
  goffset size;
  goffset offset;
  guint reads;
  guint fail_at;                /* the read that fails, 0 for none */
  guint cancel_at;              /* the read after which cancellable is cancelled, 0 for none */
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (TestPatternStream, test_pattern_stream, G_TYPE_INPUT_STREAM)

static guint8
pattern_byte (goffset offset)
{
  return (guint8) (offset * 31 + (offset >> 12));
}

static gssize
test_pattern_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  TestPatternStream *self = TEST_PATTERN_STREAM (stream);
  gsize n = (gsize) MIN ((goffset) count, self->size - self->offset);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  self->reads++;
  if (self->fail_at != 0 && self->reads == self->fail_at)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "the generator broke down");
      return -1;
    }
  for (gsize i = 0; i < n; i++)
    ((guint8 *) buffer)[i] = pattern_byte (self->offset + (goffset) i);
  self->offset += (goffset) n;
  if (self->cancel_at != 0 && self->reads == self->cancel_at)
    g_cancellable_cancel (self->cancellable);
  return (gssize) n;
}

static void
test_pattern_stream_finalize (GObject *object)
{
  g_clear_object (&TEST_PATTERN_STREAM (object)->cancellable);
  G_OBJECT_CLASS (test_pattern_stream_parent_class)->finalize (object);
}

static void
test_pattern_stream_class_init (TestPatternStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_pattern_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_pattern_stream_read;
}

static void
test_pattern_stream_init (TestPatternStream *self)
{
}

static TestPatternStream *
pattern_stream_new (goffset size)
{
  TestPatternStream *stream = g_object_new (TEST_TYPE_PATTERN_STREAM, NULL);

  stream->size = size;
  return stream;
}

/* The SHA-256 digest of the pattern's first @size bytes. */
static GBytes *
pattern_digest (goffset size)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 buffer[65536];
  guint8 digest[32];
  gsize len = sizeof digest;

  for (goffset offset = 0; offset < size; offset += sizeof buffer)
    {
      gsize n = (gsize) MIN ((goffset) sizeof buffer, size - offset);

      for (gsize i = 0; i < n; i++)
        buffer[i] = pattern_byte (offset + (goffset) i);
      g_checksum_update (checksum, buffer, n);
    }
  g_checksum_get_digest (checksum, digest, &len);
  return g_bytes_new (digest, len);
}

typedef struct {
  ParsecTestService *service;
  ParsecClient *client;
  ParsecKey *key;
  AsyncWait async;
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(GError) error = NULL;

  f->service = parsec_test_service_start (NULL, NULL, &error);
  g_assert_no_error (error);
  f->client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                              "endpoint", parsec_test_service_get_endpoint (f->service),
                              "application-name", "stream-app",
                              NULL);
  g_assert_no_error (error);
  f->key = parsec_client_generate_key (f->client, "streams", attributes, NULL, &error);
  g_assert_no_error (error);
  async_wait_init (&f->async);
  f->dir = g_dir_make_tmp ("parsec-glib-stream-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (parsec_key_destroy (f->key, NULL, &error));
  g_clear_object (&f->key);
  g_clear_object (&f->client);
  async_wait_clear (&f->async);
  parsec_test_service_free (f->service);
  parsec_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* A sparse file of @size bytes, zeros all along. */
static GFile *
sparse_file (Fixture    *f,
             const char *name,
             goffset     size)
{
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, size), ==, 0);
  close (fd);
  return g_file_new_for_path (path);
}

static void
write_file (Fixture    *f,
            const char *name,
            GBytes     *contents,
            char      **path)
{
  g_autoptr(GError) error = NULL;

  *path = g_build_filename (f->dir, name, NULL);
  g_file_set_contents (*path, g_bytes_get_data (contents, NULL), (gssize) g_bytes_get_size (contents), &error);
  g_assert_no_error (error);
}

/* OpenSSL checks the signature of @file as it checks any ECDSA P-256
 * SHA-256 signature: the public key in PEM, the signature in DER. */
static void
openssl_verifies (Fixture    *f,
                  const char *openssl,
                  GFile      *file,
                  GBytes     *signature)
{
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *signature_path = NULL;
  g_autofree char *data_path = g_file_get_path (file);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  public_key = parsec_key_export_public_key (f->key, PARSEC_PUBLIC_KEY_FORMAT_PEM, NULL, &error);
  g_assert_no_error (error);
  der = parsec_ecdsa_signature_to_der (signature, &error);
  g_assert_no_error (error);
  write_file (f, "public.pem", public_key, &key_path);
  write_file (f, "signature.der", der, &signature_path);

  {
    const char *argv[] = { openssl, "dgst", "-sha256", "-verify", key_path, "-signature", signature_path,
                           data_path, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  }
  g_assert_no_error (error);
  g_test_message ("openssl: %s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "Verified OK"));
}

static void
assert_openssl_verifies (Fixture *f,
                         GFile   *file,
                         GBytes  *signature)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");

  if (openssl != NULL)
    openssl_verifies (f, openssl, file, signature);
  else
    g_test_message ("openssl is not installed: the signature is checked by the service alone");
}

/* A sparse file larger than 64 MiB, signed and verified synchronously and
 * asynchronously; OpenSSL agrees. */
static void
test_large_file (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GFile) file = sparse_file (f, "large", LARGE_SIZE);
  g_autoptr(GBytes) sync_signature = NULL;
  g_autoptr(GBytes) async_signature = NULL;
  g_autoptr(GError) error = NULL;

  sync_signature = parsec_key_sign_file (f->key, file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (sync_signature), ==, 64);
  parsec_key_sign_file_async (f->key, file, NULL, async_wait_store, &f->async);
  async_signature = parsec_key_sign_file_finish (f->key, async_wait_result (&f->async), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (async_signature), ==, 64);

  /* Each verifies the other's signature. */
  g_assert_true (parsec_key_verify_file (f->key, file, async_signature, NULL, &error));
  g_assert_no_error (error);
  parsec_key_verify_file_async (f->key, file, sync_signature, NULL, async_wait_store, &f->async);
  g_assert_true (parsec_key_verify_file_finish (f->key, async_wait_result (&f->async), &error));
  g_assert_no_error (error);

  assert_openssl_verifies (f, file, sync_signature);
  assert_openssl_verifies (f, file, async_signature);
}

/* A generated stream larger than 64 MiB: its signature is one of the
 * SHA-256 digest of what it produced. A wrong signature is refused. */
static void
test_large_stream (Fixture       *f,
                   gconstpointer  data)
{
  const goffset size = LARGE_SIZE + 12345;
  g_autoptr(GBytes) digest = pattern_digest (size);
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);

  for (guint async = 0; async < 2; async++)
    {
      g_autoptr(TestPatternStream) stream = pattern_stream_new (size);
      g_autoptr(TestPatternStream) again = pattern_stream_new (size);
      g_autoptr(TestPatternStream) shorter = pattern_stream_new (size - 1);
      g_autoptr(GBytes) signature = NULL;
      gboolean valid;

      if (async)
        {
          parsec_key_sign_stream_async (f->key, G_INPUT_STREAM (stream), NULL, async_wait_store, &f->async);
          signature = parsec_key_sign_stream_finish (f->key, async_wait_result (&f->async), &error);
        }
      else
        signature = parsec_key_sign_stream (f->key, G_INPUT_STREAM (stream), NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (stream->offset, ==, size);
      /* The stream is the caller's: left open. */
      g_assert_false (g_input_stream_is_closed (G_INPUT_STREAM (stream)));

      g_assert_true (parsec_key_verify_hash (f->key, algorithm, digest, signature, NULL, &error));
      g_assert_no_error (error);

      if (async)
        {
          parsec_key_verify_stream_async (f->key, G_INPUT_STREAM (again), signature, NULL, async_wait_store, &f->async);
          valid = parsec_key_verify_stream_finish (f->key, async_wait_result (&f->async), &error);
        }
      else
        valid = parsec_key_verify_stream (f->key, G_INPUT_STREAM (again), signature, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (valid);

      if (async)
        {
          parsec_key_verify_stream_async (f->key, G_INPUT_STREAM (shorter), signature, NULL, async_wait_store, &f->async);
          valid = parsec_key_verify_stream_finish (f->key, async_wait_result (&f->async), &error);
        }
      else
        valid = parsec_key_verify_stream (f->key, G_INPUT_STREAM (shorter), signature, NULL, &error);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
      g_assert_false (valid);
      g_clear_error (&error);
    }
}

/* The stream and data paths agree: what sign_data signs, verify_stream
 * verifies, and the other way. */
static void
test_agrees_with_data (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static ("the data to sign", 16);
  g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GInputStream) stream2 = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr(GBytes) from_data = NULL;
  g_autoptr(GBytes) from_stream = NULL;
  g_autoptr(GError) error = NULL;

  from_data = parsec_key_sign_data (f->key, bytes, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (parsec_key_verify_stream (f->key, stream, from_data, NULL, &error));
  g_assert_no_error (error);
  from_stream = parsec_key_sign_stream (f->key, stream2, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (parsec_key_verify_data (f->key, bytes, from_stream, NULL, &error));
  g_assert_no_error (error);
}

/* Cancelled while its data is being read, a call stops reading and
 * reports the cancellation. */
static void
test_cancel_mid_stream (Fixture       *f,
                        gconstpointer  data)
{
  for (guint async = 0; async < 2; async++)
    {
      g_autoptr(TestPatternStream) stream = pattern_stream_new (LARGE_SIZE);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GBytes) signature = NULL;
      g_autoptr(GError) error = NULL;

      stream->cancellable = g_object_ref (cancellable);
      stream->cancel_at = 3;
      if (async)
        {
          parsec_key_sign_stream_async (f->key, G_INPUT_STREAM (stream), cancellable, async_wait_store, &f->async);
          signature = parsec_key_sign_stream_finish (f->key, async_wait_result (&f->async), &error);
        }
      else
        signature = parsec_key_sign_stream (f->key, G_INPUT_STREAM (stream), cancellable, &error);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (signature);
      g_assert_cmpuint (stream->reads, ==, 3);
      g_assert_cmpint (stream->offset, <, LARGE_SIZE);
    }
}

/* A read error ends the call with the stream's error, said to come from
 * reading the data. */
static void
test_read_error (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GFile) missing = g_file_new_build_filename (f->dir, "missing", NULL);

  for (guint async = 0; async < 2; async++)
    {
      g_autoptr(TestPatternStream) stream = pattern_stream_new (LARGE_SIZE);
      g_autoptr(GBytes) signature = g_bytes_new_static ("0123456789012345678901234567890123456789012345678901234567890123", 64);
      g_autoptr(GError) error = NULL;
      gboolean valid;

      stream->fail_at = 5;
      if (async)
        {
          parsec_key_verify_stream_async (f->key, G_INPUT_STREAM (stream), signature, NULL, async_wait_store, &f->async);
          valid = parsec_key_verify_stream_finish (f->key, async_wait_result (&f->async), &error);
        }
      else
        valid = parsec_key_verify_stream (f->key, G_INPUT_STREAM (stream), signature, NULL, &error);
      g_assert_false (valid);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
      g_assert_nonnull (strstr (error->message, "the generator broke down"));
      g_assert_nonnull (strstr (error->message, "Cannot read the data"));
      g_assert_cmpuint (stream->reads, ==, 5);
      g_clear_error (&error);

      /* A file that cannot be opened. */
      if (async)
        {
          parsec_key_sign_file_async (f->key, missing, NULL, async_wait_store, &f->async);
          g_assert_null (parsec_key_sign_file_finish (f->key, async_wait_result (&f->async), &error));
        }
      else
        g_assert_null (parsec_key_sign_file (f->key, missing, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    }
}

/* A key whose policy cannot sign data says so before anything is read. */
static void
test_not_a_signing_key (Fixture       *f,
                        gconstpointer  data)
{
  /* An RSA encryption key: every provider known holds one (the TPM
   * provider has no AES keys). */
  g_autoptr(ParsecAlgorithm) pkcs1 = parsec_algorithm_new_rsa_pkcs1v15_crypt ();
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_rsa_encryption (2048, pkcs1);
  g_autoptr(ParsecKey) decrypting = NULL;
  g_autoptr(TestPatternStream) stream = pattern_stream_new (1024);
  g_autoptr(GError) error = NULL;

  decrypting = parsec_client_generate_key (f->client, "streams-decrypting", attributes, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (parsec_key_sign_stream (decrypting, G_INPUT_STREAM (stream), NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_assert_cmpuint (stream->reads, ==, 0);
  g_clear_error (&error);
  g_assert_true (parsec_key_destroy (decrypting, NULL, &error));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/parsec/stream/large-file", Fixture, NULL, fixture_setup, test_large_file, fixture_teardown);
  g_test_add ("/parsec/stream/large-stream", Fixture, NULL, fixture_setup, test_large_stream, fixture_teardown);
  g_test_add ("/parsec/stream/agrees-with-data", Fixture, NULL, fixture_setup, test_agrees_with_data,
              fixture_teardown);
  g_test_add ("/parsec/stream/cancel-mid-stream", Fixture, NULL, fixture_setup, test_cancel_mid_stream,
              fixture_teardown);
  g_test_add ("/parsec/stream/read-error", Fixture, NULL, fixture_setup, test_read_error, fixture_teardown);
  g_test_add ("/parsec/stream/not-a-signing-key", Fixture, NULL, fixture_setup, test_not_a_signing_key,
              fixture_teardown);

  return g_test_run ();
}
