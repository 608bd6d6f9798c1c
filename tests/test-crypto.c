/* test-crypto.c: every PSA operation end to end against the test service
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each test gets a fresh parsec-glib-test-service (Mbed TLS behind the
 * Mbed Crypto or the TPM provider's rules) and a client that found it by
 * discovery. No test assumes which provider runs: each asks the service
 * (ParsecTestProvider) and, where the provider cannot do what it tests,
 * checks the library's typed error for the refusal instead.
 * Every test is registered twice, once going through the synchronous
 * calls and once through the _async/_finish pairs on a main loop (see
 * CALL), so the two APIs are held to the same results.
 */
#include <string.h>

#include <parsec-glib/parsec-glib.h>

#include "async-wait.h"
#include "service-fixture.h"

typedef enum {
  SERVICE_PLAIN = 0,
  /* The real Mbed Crypto provider does not serve PsaSignMessage and
   * PsaVerifyMessage; the test service does on request. */
  SERVICE_SIGN_MESSAGE = 1 << 0,
  /* The test service writes a line per request to a file (--request-log). */
  SERVICE_REQUEST_LOG = 1 << 1,
} ServiceFlags;

typedef struct {
  gboolean async;
  ServiceFlags flags;
  gconstpointer data;
} TestData;

typedef struct {
  ParsecTestService *service;
  ParsecClient *client;
  AsyncWait wait;
  gboolean async;
  gconstpointer data;
  GHashTable *keys;             /* name → the ParsecKey generate() made */
  ParsecTestProvider *provider; /* what the service's provider offers */
  char *log_dir;                /* with SERVICE_REQUEST_LOG */
  char *log_path;
  gsize log_read;               /* bytes of the log already counted */
} Fixture;

static char *logged_requests (Fixture *f);

static void
fixture_setup (Fixture       *f,
               gconstpointer  user_data)
{
  const TestData *test = user_data;
  const char *args[4] = { NULL };
  guint n_args = 0;
  g_autoptr(GError) error = NULL;

  f->async = test->async;
  f->data = test->data;
  if (test->flags & SERVICE_SIGN_MESSAGE)
    args[n_args++] = "--sign-message";
  if (test->flags & SERVICE_REQUEST_LOG)
    {
      f->log_dir = g_dir_make_tmp ("parsec-glib-request-log-XXXXXX", &error);
      g_assert_no_error (error);
      f->log_path = g_build_filename (f->log_dir, "requests.log", NULL);
      args[n_args++] = "--request-log";
      args[n_args++] = f->log_path;
    }
  f->service = parsec_test_service_start_with_args (NULL, NULL, args, &error);
  g_assert_no_error (error);
  f->client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                              "endpoint", parsec_test_service_get_endpoint (f->service),
                              "application-name", "e2e-app",
                              NULL);
  g_assert_no_error (error);
  async_wait_init (&f->wait);
  f->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  f->provider = parsec_test_provider_query (f->client, &error);
  g_assert_no_error (error);
  /* The tests count their own requests, not these. */
  if (f->log_path != NULL)
    g_free (logged_requests (f));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  user_data)
{
  gpointer weak = f->client;

  async_wait_clear (&f->wait);
  g_clear_pointer (&f->provider, parsec_test_provider_free);
  /* Key objects hold their client. */
  g_hash_table_unref (f->keys);
  g_object_add_weak_pointer (G_OBJECT (f->client), &weak);
  g_clear_object (&f->client);
  /* No call may keep the client alive behind our back. */
  g_assert_null (weak);
  parsec_test_service_free (f->service);
  if (f->log_dir != NULL)
    parsec_test_remove_tree (f->log_dir);
  g_free (f->log_dir);
  g_free (f->log_path);
}

/* Runs the main loop until the pending call has finished; the result
 * stays with the fixture until the next call. */
/* Data helpers */

static GBytes *
bytes_from_hex (const char *hex)
{
  gsize len = strlen (hex) / 2;
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
  return g_bytes_new_take (data, len);
}

static GBytes *
bytes_from_string (const char *text)
{
  return g_bytes_new_static (text, strlen (text));
}

/* A copy of @bytes with one bit flipped at @index (from the end when
 * negative). */
static GBytes *
bytes_tamper (GBytes *bytes,
              gssize  index)
{
  gsize len;
  guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &len);

  g_assert_cmpuint (len, >, 0);
  copy[index < 0 ? (gssize) len + index : index] ^= 0x01;
  return g_bytes_new_take (copy, len);
}

static void
assert_bytes_equal (GBytes *a,
                    GBytes *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a),
                   g_bytes_get_data (b, NULL), g_bytes_get_size (b));
}

/* The digest GLib computes, for the hashes it knows. */
static GBytes *
digest (ParsecHash  hash,
        GBytes     *data)
{
  GChecksumType type;
  g_autoptr(GChecksum) checksum = NULL;
  guint8 out[64];
  gsize len = sizeof out;

  switch (hash)
    {
    case PARSEC_HASH_SHA_256:
      type = G_CHECKSUM_SHA256;
      break;
    case PARSEC_HASH_SHA_384:
      type = G_CHECKSUM_SHA384;
      break;
    case PARSEC_HASH_SHA_512:
      type = G_CHECKSUM_SHA512;
      break;
    default:
      g_assert_not_reached ();
    }
  checksum = g_checksum_new (type);
  g_checksum_update (checksum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_checksum_get_digest (checksum, out, &len);
  return g_bytes_new (out, len);
}

/* The digest for a signature case: GLib's where it has the hash, else the
 * service's, which test_hash holds to the FIPS 180-2 values. */
static GBytes *
case_digest (Fixture    *f,
             ParsecHash  hash,
             GBytes     *data)
{
  g_autoptr(GError) error = NULL;
  GBytes *computed;

  if (hash == PARSEC_HASH_SHA_256 || hash == PARSEC_HASH_SHA_384 || hash == PARSEC_HASH_SHA_512)
    return digest (hash, data);
  computed = parsec_client_hash_compute (f->client, hash, data, NULL, &error);
  g_assert_no_error (error);
  return computed;
}

static void
assert_attributes_equal (const ParsecKeyAttributes *a,
                         const ParsecKeyAttributes *b)
{
  g_assert_cmpint (parsec_key_attributes_get_key_type (a), ==, parsec_key_attributes_get_key_type (b));
  g_assert_cmpint (parsec_key_attributes_get_ecc_family (a), ==, parsec_key_attributes_get_ecc_family (b));
  g_assert_cmpuint (parsec_key_attributes_get_bits (a), ==, parsec_key_attributes_get_bits (b));
  g_assert_cmphex (parsec_key_attributes_get_usage (a), ==, parsec_key_attributes_get_usage (b));
  g_assert_true (parsec_algorithm_equal (parsec_key_attributes_get_algorithm (a),
                                         parsec_key_attributes_get_algorithm (b)));
}

static gboolean
is_p384 (const ParsecKeyAttributes *attributes)
{
  return attributes != NULL &&
         (parsec_key_attributes_get_key_type (attributes) == PARSEC_KEY_TYPE_ECC_KEY_PAIR ||
          parsec_key_attributes_get_key_type (attributes) == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY) &&
         parsec_key_attributes_get_ecc_family (attributes) == PARSEC_ECC_FAMILY_SECP_R1 &&
         parsec_key_attributes_get_bits (attributes) == 384;
}

/* @attributes with the size left to the key data. */
static ParsecKeyAttributes *
without_bits (const ParsecKeyAttributes *attributes)
{
  return parsec_key_attributes_new_ecc (parsec_key_attributes_get_key_type (attributes),
                                        parsec_key_attributes_get_ecc_family (attributes), 0,
                                        parsec_key_attributes_get_usage (attributes),
                                        parsec_key_attributes_get_algorithm (attributes));
}

/* A P-384 private key of its own for each name: a SHA-384 digest, below
 * the group order once its top bit is clear. */
static gboolean
import_p384 (Fixture                   *f,
             const char                *key_name,
             const ParsecKeyAttributes *attributes)
{
  g_autoptr(ParsecKeyAttributes) sizeless = without_bits (attributes);
  g_autoptr(GBytes) name = bytes_from_string (key_name);
  g_autoptr(GBytes) scalar = digest (PARSEC_HASH_SHA_384, name);
  g_autofree guint8 *data = g_bytes_unref_to_data (g_steal_pointer (&scalar), &(gsize) { 0 });
  g_autoptr(GBytes) material = NULL;
  g_autoptr(GError) error = NULL;

  ParsecKey *key;

  data[0] &= 0x7f;
  material = g_bytes_new (data, 48);
  key = CALL (f, import_key, &error, key_name, sizeless, material);
  /* A provider that imports no key pair (the TPM provider) has no stand-in. */
  if (key == NULL)
    {
      parsec_test_assert_provider_limit (error);
      return FALSE;
    }
  g_assert_no_error (error);
  g_hash_table_replace (f->keys, g_strdup (key_name), key);
  return TRUE;
}

typedef enum {
  KEY_GENERATED,
  KEY_IMPORTED,                 /* a P-384 key Mbed Crypto could not generate */
  KEY_REFUSED,                  /* what the provider cannot hold */
} KeyMade;

/* Generates the key, which key_of() then gives (NULL @attributes: an
 * ECDSA P-256 signing key with SHA-256).
 *
 * Parsec 1.5.0's Mbed Crypto provider cannot generate P-384 keys (its
 * psa-crypto size table lacks 384 bits), and the test service follows it:
 * the refusal must say so, and a key imported with 0 bits, whose size
 * comes from its data, stands in (KEY_IMPORTED).
 *
 * A provider may hold no such key at all: the TPM provider takes no
 * wildcard hash, raw or deterministic ECDSA, SHA-224 or RIPEMD-160, no
 * ECDH or symmetric keys, and swtpm no 4096-bit RSA. Then the refusal
 * must be a provider's typed error, which CanDoCrypto, where offered,
 * foretold (swtpm's 4096-bit failure excepted: the provider does not
 * know its TPM's sizes), and the caller checks no more (KEY_REFUSED). */
static KeyMade
generate (Fixture             *f,
          const char          *key_name,
          ParsecKeyAttributes *attributes)
{
  g_autoptr(ParsecKeyAttributes) signing = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(GError) error = NULL;
  ParsecKey *key;

  if (attributes == NULL)
    attributes = signing;
  key = CALL (f, generate_key, &error, key_name, attributes);
  if (key != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (parsec_key_get_name (key), ==, key_name);
      g_assert_true (parsec_key_get_attributes (key) != NULL);
      g_hash_table_replace (f->keys, g_strdup (key_name), key);
      return KEY_GENERATED;
    }
  if (is_p384 (attributes) && g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT) &&
      strstr (error->message, "cannot generate P-384 keys") != NULL &&
      import_p384 (f, key_name, attributes))
    return KEY_IMPORTED;
  parsec_test_assert_provider_limit (error);
  if (!g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_COMMUNICATION_FAILURE))
    g_assert_false (parsec_test_provider_can_generate (f->provider, f->client, attributes));
  return KEY_REFUSED;
}

/* The key object generate() made for @key_name; for a name it did not
 * make, one the application makes with the attributes of an ECDSA P-256
 * signing key, which the service may not hold. */
static ParsecKey *
key_of (Fixture    *f,
        const char *key_name)
{
  ParsecKey *key = g_hash_table_lookup (f->keys, key_name);

  if (key == NULL)
    {
      g_autoptr(ParsecKeyAttributes) signing = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);

      key = g_object_new (PARSEC_TYPE_KEY, "client", f->client, "name", key_name, "attributes", signing, NULL);
      g_hash_table_insert (f->keys, g_strdup (key_name), key);
    }
  return key;
}

/* The PSA format by name, from the client; DER and PEM from the key
 * object, which knows the key's type. */
static GBytes *
export_public (Fixture               *f,
               const char            *key_name,
               ParsecPublicKeyFormat  format)
{
  g_autoptr(GError) error = NULL;
  GBytes *exported = format == PARSEC_PUBLIC_KEY_FORMAT_PSA
    ? CALL (f, export_public_key, &error, key_name)
    : KEY_CALL (f, key_of (f, key_name), export_public_key, &error, format);

  g_assert_no_error (error);
  g_assert_nonnull (exported);
  return exported;
}

/* The key the service holds under @key_name, looked up. */
static ParsecKey *
lookup (Fixture    *f,
        const char *key_name)
{
  g_autoptr(GError) error = NULL;
  ParsecKey *key = CALL (f, lookup_key, &error, key_name);

  g_assert_no_error (error);
  g_assert_nonnull (key);
  g_assert_cmpstr (parsec_key_get_name (key), ==, key_name);
  g_assert_cmpint (parsec_key_get_provider (key), ==, f->provider->provider);
  g_assert_nonnull (parsec_key_get_attributes (key));
  return key;
}

/* Signatures */

typedef struct {
  const char *name;
  ParsecSignatureScheme scheme;
  ParsecHash hash;              /* of the policy; NONE for ECDSA (any) */
  guint bits;                   /* modulus or curve size */
} SignCase;

static const SignCase sign_cases[] = {
  { "rsa-pkcs1v15", PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15, PARSEC_HASH_SHA_256, 1024 },
  { "rsa-pss", PARSEC_SIGNATURE_SCHEME_RSA_PSS, PARSEC_HASH_SHA_256, 1024 },
  { "ecdsa-p256", PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_SHA_256, 256 },
  { "ecdsa-p384", PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_SHA_384, 384 },
  { "deterministic-ecdsa-p256", PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA, PARSEC_HASH_SHA_256, 256 },
  /* Signs hashes of any length; no messages, having no hash of its own. */
  { "ecdsa-any-p256", PARSEC_SIGNATURE_SCHEME_ECDSA_ANY, PARSEC_HASH_NONE, 256 },
  /* A hash GLib cannot compute. */
  { "ecdsa-p256-sha224", PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_SHA_224, 256 },
  { "rsa-pkcs1v15-ripemd160", PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15, PARSEC_HASH_RIPEMD160, 1024 },
};

static gboolean
sign_case_is_ecdsa (const SignCase *c)
{
  return c->scheme == PARSEC_SIGNATURE_SCHEME_ECDSA || c->scheme == PARSEC_SIGNATURE_SCHEME_ECDSA_ANY ||
         c->scheme == PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA;
}

/* The hash signed: the policy's, or SHA-256 where it names none, as
 * sign_data picks it. */
static ParsecHash
sign_case_hash (const SignCase *c)
{
  return c->hash != PARSEC_HASH_NONE ? c->hash : PARSEC_HASH_SHA_256;
}

static ParsecKeyAttributes *
sign_case_attributes (const SignCase *c)
{
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_signature (c->scheme, c->hash);

  if (c->scheme == PARSEC_SIGNATURE_SCHEME_ECDSA)
    return parsec_key_attributes_new_ecc_signing (c->bits, c->hash);
  if (sign_case_is_ecdsa (c))
    return parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, c->bits,
                                          PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH |
                                          PARSEC_KEY_USAGE_SIGN_MESSAGE | PARSEC_KEY_USAGE_VERIFY_MESSAGE,
                                          algorithm);
  return parsec_key_attributes_new_rsa_signing (c->bits, algorithm);
}

/* RSA signatures are as long as the modulus, ECDSA ones are r ‖ s. */
static gsize
sign_case_signature_size (const SignCase *c)
{
  return sign_case_is_ecdsa (c) ? 2 * ((c->bits + 7) / 8) : c->bits / 8;
}

/* RSA PKCS #1 v1.5 and deterministic ECDSA sign alike twice. */
static gboolean
sign_case_is_deterministic (const SignCase *c)
{
  return c->scheme == PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15 || c->scheme == PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA;
}

/* A signature with its last bit flipped is refused as invalid. Mbed TLS
 * (2.28 in the test service, 3.5 in Parsec 1.5.0) decodes an RSA-PSS
 * signature first and reports an encoding whose top bits are set as an
 * invalid argument: about one tampered signature in 700 ends so. */
static void
assert_tampered_refused (const SignCase *c,
                         const GError   *error)
{
  if (c->scheme == PARSEC_SIGNATURE_SCHEME_RSA_PSS && g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT))
    return;
  g_assert_error ((GError *) error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
}

/* Keys a provider makes but does not sign with: TRUE when @error is that
 * refusal. Parsec 1.5.0's Mbed Crypto provider reads a deterministic
 * ECDSA policy back as randomized ECDSA and refuses every signature with
 * such a key (PsaErrorNotPermitted, explained by the library); the TPM
 * provider makes RSA-PSS keys but signs and verifies with PKCS #1 v1.5
 * and ECDSA only (PsaErrorNotSupported). The test service follows both. */
static gboolean
is_signing_refusal (const SignCase *c,
                    const GError   *error)
{
  if (c->scheme == PARSEC_SIGNATURE_SCHEME_RSA_PSS)
    return g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED);
  if (c->scheme != PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA ||
      !g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED))
    return FALSE;
  g_assert_nonnull (strstr (error->message, "deterministic ECDSA key"));
  return TRUE;
}

static void
test_sign_hash (Fixture       *f,
                gconstpointer  user_data)
{
  const SignCase *c = f->data;
  g_autoptr(ParsecKeyAttributes) attributes = sign_case_attributes (c);
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_signature (c->scheme, c->hash);
  g_autoptr(GBytes) data = bytes_from_string ("The quick brown fox jumps over the lazy dog");
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) bad_signature = NULL;
  g_autoptr(GBytes) bad_hash = NULL;
  g_autoptr(GError) error = NULL;

  if (generate (f, "signer", attributes) == KEY_REFUSED)
    return;
  hash = case_digest (f, sign_case_hash (c), data);

  signature = CALL (f, sign_hash, &error, "signer", algorithm, hash);
  if (signature == NULL && is_signing_refusal (c, error))
    {
      g_clear_error (&error);
      g_assert_false (CALL (f, verify_hash, &error, "signer", algorithm, hash, hash));
      g_assert_true (is_signing_refusal (c, error));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, sign_case_signature_size (c));
  again = CALL (f, sign_hash, &error, "signer", algorithm, hash);
  g_assert_no_error (error);
  g_assert_cmpint (g_bytes_equal (signature, again), ==, sign_case_is_deterministic (c));

  g_assert_true (CALL (f, verify_hash, &error, "signer", algorithm, hash, signature));
  g_assert_no_error (error);
  g_assert_true (CALL (f, verify_hash, &error, "signer", algorithm, hash, again));
  g_assert_no_error (error);

  bad_signature = bytes_tamper (signature, -1);
  g_assert_false (CALL (f, verify_hash, &error, "signer", algorithm, hash, bad_signature));
  assert_tampered_refused (c, error);
  g_clear_error (&error);

  bad_hash = bytes_tamper (hash, 0);
  g_assert_false (CALL (f, verify_hash, &error, "signer", algorithm, bad_hash, signature));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
}

/* A key's sign_data picks its own algorithm and hashes locally, so its
 * signatures are ordinary hash signatures. */
static void
test_sign_data (Fixture       *f,
                gconstpointer  user_data)
{
  const SignCase *c = f->data;
  g_autoptr(ParsecKeyAttributes) attributes = sign_case_attributes (c);
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_signature (c->scheme, c->hash);
  g_autoptr(GBytes) data = bytes_from_string ("data signed with the key's own policy");
  g_autoptr(GBytes) other = bytes_from_string ("other data");
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(ParsecKey) looked_up = NULL;
  g_autoptr(ParsecKey) nobody = NULL;
  g_autoptr(GError) error = NULL;
  ParsecKey *signer;

  if (generate (f, "signer", attributes) == KEY_REFUSED)
    return;
  hash = case_digest (f, sign_case_hash (c), data);
  signer = key_of (f, "signer");

  signature = KEY_CALL (f, signer, sign_data, &error, data);
  if (signature == NULL && is_signing_refusal (c, error))
    {
      g_clear_error (&error);
      g_assert_false (KEY_CALL (f, signer, verify_data, &error, data, hash));
      g_assert_true (is_signing_refusal (c, error));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, sign_case_signature_size (c));

  g_assert_true (KEY_CALL (f, signer, verify_data, &error, data, signature));
  g_assert_no_error (error);
  g_assert_true (CALL (f, verify_hash, &error, "signer", algorithm, hash, signature));
  g_assert_no_error (error);
  /* The key as looked up verifies it alike. */
  looked_up = lookup (f, "signer");
  g_assert_true (KEY_CALL (f, looked_up, verify_data, &error, data, signature));
  g_assert_no_error (error);

  g_assert_false (KEY_CALL (f, signer, verify_data, &error, other, signature));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
  g_clear_error (&error);

  /* A key the service does not hold: not found by lookup, and refused by
   * the service for an object made with its attributes. */
  g_assert_null (CALL (f, lookup_key, &error, "nobody"));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  nobody = g_object_new (PARSEC_TYPE_KEY, "client", f->client, "name", "nobody", "attributes", attributes, NULL);
  g_assert_null (KEY_CALL (f, nobody, sign_data, &error, data));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
}

/* An operation the provider does not list: the library refuses it
 * without asking the service, with its own error naming the operation. */
static void
assert_operation_refused (GBytes  *result,
                          GError **error)
{
  g_assert_null (result);
  g_assert_error (*error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
  g_assert_nonnull (strstr ((*error)->message, "does not support Psa"));
}

/* Asked of the service each time, as a test of ListOpcodes too. */
static gboolean
provider_offers (Fixture *f,
                 guint32  opcode)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) opcodes = CALL (f, list_opcodes, &error, f->provider->provider);

  g_assert_no_error (error);
  g_assert_cmpint (parsec_test_opcodes_contain (opcodes, opcode), ==, parsec_test_provider_offers (f->provider, opcode));
  return parsec_test_opcodes_contain (opcodes, opcode);
}

/* Signing and verifying messages fail with the library's own error for an
 * operation the provider lacks, the first time as afterwards. */
static void
assert_message_signing_refused (Fixture         *f,
                                ParsecAlgorithm *algorithm)
{
  g_autoptr(GBytes) message = bytes_from_string ("message");
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 2; round++)
    {
      g_assert_null (CALL (f, sign_message, &error, "signer", algorithm, message));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_assert_nonnull (strstr (error->message, "PsaSignMessage"));
      g_clear_error (&error);
      g_assert_false (CALL (f, verify_message, &error, "signer", algorithm, message, message));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_clear_error (&error);
    }
}

static void
test_sign_message (Fixture       *f,
                   gconstpointer  user_data)
{
  const SignCase *c = f->data;
  g_autoptr(ParsecKeyAttributes) attributes = sign_case_attributes (c);
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_signature (c->scheme, c->hash);
  g_autoptr(GBytes) message = bytes_from_string ("a message the service hashes itself");
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) bad_signature = NULL;
  g_autoptr(GBytes) bad_message = NULL;
  g_autoptr(GError) error = NULL;

  if (generate (f, "signer", attributes) == KEY_REFUSED)
    return;

  /* The Mbed Crypto provider of Parsec 1.5.0 does not offer the message
   * operations; the test service does with --sign-message. The provider's
   * list says which, and without them the library refuses the call. */
  if (!provider_offers (f, PARSEC_OPCODE_PSA_SIGN_MESSAGE))
    {
      assert_message_signing_refused (f, algorithm);
      return;
    }

  hash = case_digest (f, sign_case_hash (c), message);
  signature = CALL (f, sign_message, &error, "signer", algorithm, message);
  if (signature == NULL && is_signing_refusal (c, error))
    {
      g_clear_error (&error);
      g_assert_false (CALL (f, verify_message, &error, "signer", algorithm, message, message));
      g_assert_true (is_signing_refusal (c, error));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, sign_case_signature_size (c));

  g_assert_true (CALL (f, verify_message, &error, "signer", algorithm, message, signature));
  g_assert_no_error (error);
  /* A message signature is the signature of the message's hash. */
  g_assert_true (CALL (f, verify_hash, &error, "signer", algorithm, hash, signature));
  g_assert_no_error (error);

  /* The last bit: a flip near the top could push r or the RSA signature
   * past the group order or modulus, which PSA reports as an invalid
   * argument rather than an invalid signature. */
  bad_signature = bytes_tamper (signature, -1);
  g_assert_false (CALL (f, verify_message, &error, "signer", algorithm, message, bad_signature));
  assert_tampered_refused (c, error);
  g_clear_error (&error);

  bad_message = bytes_tamper (message, 0);
  g_assert_false (CALL (f, verify_message, &error, "signer", algorithm, bad_message, signature));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
}

/* The real Mbed Crypto provider, and the test service without
 * --sign-message, do not list the message operations: the library
 * refuses them. */
static void
test_sign_message_unsupported (Fixture       *f,
                               gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);

  generate (f, "signer", NULL);
  g_assert_false (provider_offers (f, PARSEC_OPCODE_PSA_SIGN_MESSAGE));
  assert_message_signing_refused (f, algorithm);
}

/* Keys */

/* parsec_key_attributes_new_ecc_signing (256, SHA-256): an ECDSA P-256
 * key that signs and verifies hashes and messages with SHA-256. */
static void
test_generate_default (Fixture       *f,
                       gconstpointer  user_data)
{
  g_autoptr(ParsecKey) key = NULL;
  ParsecKeyAttributes *attributes;
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) data = bytes_from_string ("signed by the default key");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "default", NULL);

  key = lookup (f, "default");
  attributes = parsec_key_get_attributes (key);
  assert_attributes_equal (attributes, parsec_key_get_attributes (key_of (f, "default")));
  g_assert_cmpint (parsec_key_attributes_get_key_type (attributes), ==, PARSEC_KEY_TYPE_ECC_KEY_PAIR);
  g_assert_cmpint (parsec_key_attributes_get_ecc_family (attributes), ==, PARSEC_ECC_FAMILY_SECP_R1);
  g_assert_cmpuint (parsec_key_attributes_get_bits (attributes), ==, 256);
  g_assert_cmphex (parsec_key_attributes_get_usage (attributes), ==,
                   PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH |
                   PARSEC_KEY_USAGE_SIGN_MESSAGE | PARSEC_KEY_USAGE_VERIFY_MESSAGE);
  g_assert_true (parsec_algorithm_equal (parsec_key_attributes_get_algorithm (attributes), ecdsa));

  /* An uncompressed P-256 point. */
  public_key = export_public (f, "default", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  g_assert_cmpuint (g_bytes_get_size (public_key), ==, 65);
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (public_key, NULL))[0], ==, 0x04);

  signature = CALL (f, sign_hash, &error, "default", ecdsa, hash);
  g_assert_no_error (error);
  g_assert_true (CALL (f, verify_hash, &error, "default", ecdsa, hash, signature));
  g_assert_no_error (error);
}

/* What the service stores is what lookup_key and list_keys give back,
 * for keys of every family the provider handles. */
static ParsecKeyAttributes *
attributes_case (guint i)
{
  g_autoptr(ParsecAlgorithm) algorithm = NULL;

  switch (i)
    {
    case 0:
      return parsec_key_attributes_new_ecc_signing (384, PARSEC_HASH_SHA_384);
    case 1:
      algorithm = parsec_algorithm_new_rsa_pss (PARSEC_HASH_ANY);
      return parsec_key_attributes_new_rsa_signing (1024, algorithm);
    case 2:
      algorithm = parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
      return parsec_key_attributes_new_rsa_encryption (1024, algorithm);
    case 3:
      algorithm = parsec_algorithm_new_aead_shortened_tag (PARSEC_AEAD_GCM, 12);
      return parsec_key_attributes_new_aead (PARSEC_KEY_TYPE_AES, 192, algorithm);
    case 4:
      return parsec_key_attributes_new_ecdh (PARSEC_ECC_FAMILY_SECP_R1, 256);
    case 5:
      algorithm = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
      return parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, 256,
                                            PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_EXPORT |
                                            PARSEC_KEY_USAGE_COPY | PARSEC_KEY_USAGE_CACHE,
                                            algorithm);
    case 6:
      return parsec_key_attributes_new (PARSEC_KEY_TYPE_RAW_DATA, 128, PARSEC_KEY_USAGE_EXPORT, NULL);
    default:
      return NULL;
    }
}

/* The service stores and lists a key that may sign (verify) hashes as
 * one that may sign (verify) messages too, as Mbed TLS 3 extends the
 * flags of every key. Takes @attributes. */
static ParsecKeyAttributes *
with_implied_usage (ParsecKeyAttributes *attributes)
{
  ParsecKeyUsage usage = parsec_key_attributes_get_usage (attributes);
  ParsecKeyAttributes *implied;

  if (usage & PARSEC_KEY_USAGE_SIGN_HASH)
    usage |= PARSEC_KEY_USAGE_SIGN_MESSAGE;
  if (usage & PARSEC_KEY_USAGE_VERIFY_HASH)
    usage |= PARSEC_KEY_USAGE_VERIFY_MESSAGE;
  implied = parsec_key_attributes_with_usage (attributes, usage);
  parsec_key_attributes_unref (attributes);
  return implied;
}

static void
test_key_attributes (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func ((GDestroyNotify) parsec_key_attributes_unref);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  keys = CALL (f, list_keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 0);
  g_clear_pointer (&keys, g_ptr_array_unref);

  for (guint n = 0;; n++)
    {
      g_autoptr(ParsecKeyAttributes) attributes = attributes_case (n);
      g_autoptr(ParsecKey) stored = NULL;
      char *name;
      KeyMade made;

      if (attributes == NULL)
        break;
      name = g_strdup_printf ("key-%u", n);
      made = generate (f, name, attributes);
      /* What the provider cannot hold is not stored (generate() checked
       * the refusal); a key imported in place of one the service cannot
       * generate is stored without its size. */
      if (made == KEY_REFUSED)
        {
          g_free (name);
          continue;
        }
      g_ptr_array_add (names, name);
      if (made == KEY_IMPORTED)
        g_ptr_array_add (expected, with_implied_usage (without_bits (attributes)));
      else
        g_ptr_array_add (expected, with_implied_usage (parsec_key_attributes_ref (attributes)));
      stored = lookup (f, name);
      assert_attributes_equal (parsec_key_get_attributes (stored), g_ptr_array_index (expected, expected->len - 1));
    }
  /* Every provider holds some of these. */
  g_assert_cmpuint (names->len, >, 0);

  keys = CALL (f, list_keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, names->len);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      ParsecKey *key = NULL;

      for (guint j = 0; j < keys->len && key == NULL; j++)
        if (g_str_equal (parsec_key_get_name (keys->pdata[j]), name))
          key = keys->pdata[j];
      g_assert_nonnull (key);
      g_assert_true (parsec_key_get_client (key) == f->client);
      g_assert_cmpint (parsec_key_get_provider (key), ==, f->provider->provider);
      assert_attributes_equal (parsec_key_get_attributes (key), expected->pdata[i]);
    }
}

static void
test_destroy_key (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) data = bytes_from_string ("data");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(ParsecKey) doomed = NULL;
  g_autoptr(ParsecKey) missing = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "doomed", NULL);
  generate (f, "kept", NULL);
  doomed = g_object_ref (key_of (f, "doomed"));
  first = export_public (f, "doomed", PARSEC_PUBLIC_KEY_FORMAT_PSA);

  g_assert_true (CALL (f, destroy_key, &error, "doomed"));
  g_assert_no_error (error);

  missing = CALL (f, lookup_key, &error, "doomed");
  g_assert_null (missing);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  g_assert_null (CALL (f, sign_hash, &error, "doomed", ecdsa, hash));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  /* The object stays, and its operations find no key. */
  g_assert_null (KEY_CALL (f, doomed, sign_hash, &error, ecdsa, hash));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  g_assert_false (CALL (f, destroy_key, &error, "doomed"));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  g_assert_false (KEY_CALL (f, doomed, destroy, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);

  keys = CALL (f, list_keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpstr (parsec_key_get_name (keys->pdata[0]), ==, "kept");

  /* The name is free again, for a new key, which its object destroys. */
  generate (f, "doomed", NULL);
  second = export_public (f, "doomed", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  g_assert_false (g_bytes_equal (first, second));
  g_assert_true (KEY_CALL (f, key_of (f, "doomed"), destroy, &error));
  g_assert_no_error (error);
  g_clear_pointer (&keys, g_ptr_array_unref);
  keys = CALL (f, list_keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
}

/* Key names are arbitrary UTF-8 in the client's namespace: they travel
 * and come back unchanged, and each names its own key. */
static void
test_key_names (Fixture       *f,
                gconstpointer  user_data)
{
  g_autofree char *long_name = g_strnfill (300, 'k');
  const char *names[] = {
    "with spaces and\ttabs", "ünïcödé 🔑", "../../etc/passwd", "slash/inside", long_name,
  };
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) data = bytes_from_string ("named");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    generate (f, names[i], NULL);

  keys = CALL (f, list_keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, G_N_ELEMENTS (names));
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GBytes) signature = NULL;
      g_autoptr(ParsecKey) key = NULL;
      gboolean listed = FALSE;

      for (guint j = 0; j < keys->len; j++)
        listed |= g_str_equal (parsec_key_get_name (keys->pdata[j]), names[i]);
      g_assert_true (listed);

      key = lookup (f, names[i]);
      signature = KEY_CALL (f, key, sign_hash, &error, ecdsa, hash);
      g_assert_no_error (error);
      /* Verified by that key only: the names do not collide. */
      g_assert_true (CALL (f, verify_hash, &error, names[i], ecdsa, hash, signature));
      g_assert_no_error (error);
      g_assert_false (CALL (f, verify_hash, &error, names[(i + 1) % G_N_ELEMENTS (names)], ecdsa, hash, signature));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
      g_clear_error (&error);
    }
}

/* lookup_key gives the key as generated, and PsaErrorDoesNotExist for a
 * name the service does not hold. */
static void
test_lookup_key (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) pss = parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) rsa = parsec_key_attributes_new_rsa_signing (1024, pss);
  const char *names[] = { "ecdsa", "rsa" };
  g_autoptr(ParsecKey) absent = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "ecdsa", NULL);
  /* The service lists a key that signs hashes as one that signs messages
   * too (see with_implied_usage()): generated with both, it reads back as
   * it was made. */
  generate (f, "rsa", rsa);

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(ParsecKey) found = lookup (f, names[i]);
      ParsecKey *generated = key_of (f, names[i]);

      g_assert_true (parsec_key_get_client (found) == f->client);
      g_assert_cmpint (parsec_key_get_provider (generated), ==, f->provider->provider);
      assert_attributes_equal (parsec_key_get_attributes (found), parsec_key_get_attributes (generated));
    }

  absent = CALL (f, lookup_key, &error, "absent");
  g_assert_null (absent);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_nonnull (strstr (error->message, "absent"));
}

/* A NULL algorithm is the one the key's policy permits: what the key
 * signs that way verifies with the explicit algorithm, by name, and the
 * other way round; sign_data's signatures are hash signatures of it. */
static void
test_key_policy_algorithm (Fixture       *f,
                           gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) data = bytes_from_string ("signed with the policy's algorithm");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(GBytes) by_policy = NULL;
  g_autoptr(GBytes) by_name = NULL;
  g_autoptr(GBytes) by_data = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GError) error = NULL;
  ParsecKey *key;

  generate (f, "signer", NULL);
  key = key_of (f, "signer");

  by_policy = KEY_CALL (f, key, sign_hash, &error, NULL, hash);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (by_policy), ==, 64);
  g_assert_true (CALL (f, verify_hash, &error, "signer", ecdsa, hash, by_policy));
  g_assert_no_error (error);
  g_assert_true (KEY_CALL (f, key, verify_hash, &error, NULL, hash, by_policy));
  g_assert_no_error (error);

  by_name = CALL (f, sign_hash, &error, "signer", ecdsa, hash);
  g_assert_no_error (error);
  g_assert_true (KEY_CALL (f, key, verify_hash, &error, NULL, hash, by_name));
  g_assert_no_error (error);

  by_data = KEY_CALL (f, key, sign_data, &error, data);
  g_assert_no_error (error);
  g_assert_true (KEY_CALL (f, key, verify_hash, &error, NULL, hash, by_data));
  g_assert_no_error (error);

  tampered = bytes_tamper (by_policy, -1);
  g_assert_false (KEY_CALL (f, key, verify_hash, &error, NULL, hash, tampered));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
}

/* A key object made with g_object_new() and no attributes knows no
 * policy: sign_data and a NULL algorithm are refused, an explicit
 * algorithm works. */
static void
test_key_without_attributes (Fixture       *f,
                             gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) data = bytes_from_string ("signed by a bare key object");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(ParsecKey) bare = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "signer", NULL);
  bare = g_object_new (PARSEC_TYPE_KEY, "client", f->client, "name", "signer", NULL);
  g_assert_null (parsec_key_get_attributes (bare));
  g_assert_cmpint (parsec_key_get_provider (bare), ==, PARSEC_PROVIDER_AUTO);

  g_assert_null (KEY_CALL (f, bare, sign_data, &error, data));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "lookup_key"));
  g_clear_error (&error);
  g_assert_null (KEY_CALL (f, bare, sign_hash, &error, NULL, hash));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  signature = KEY_CALL (f, bare, sign_hash, &error, ecdsa, hash);
  g_assert_no_error (error);
  g_assert_true (KEY_CALL (f, bare, verify_hash, &error, ecdsa, hash, signature));
  g_assert_no_error (error);
  /* The key the service holds made it. */
  g_assert_true (KEY_CALL (f, key_of (f, "signer"), verify_data, &error, data, signature));
  g_assert_no_error (error);
}

/* A key destroyed and made again under its name with another policy: the
 * old object still signs with the old policy's algorithm, the service
 * refuses it, and the error says the policy may have changed; a new
 * lookup gets the new policy. An explicit algorithm gets no such hint. */
static void
test_key_replaced (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(ParsecKeyAttributes) sha384 = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_384);
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) data = bytes_from_string ("signed after the key changed");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(ParsecKey) old = NULL;
  g_autoptr(ParsecKey) again = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "changing", NULL);
  old = g_object_ref (key_of (f, "changing"));
  g_assert_true (CALL (f, destroy_key, &error, "changing"));
  g_assert_no_error (error);
  generate (f, "changing", sha384);

  g_assert_null (KEY_CALL (f, old, sign_data, &error, data));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED);
  g_assert_nonnull (strstr (error->message, "key's policy"));
  g_assert_nonnull (strstr (error->message, "look it up again"));
  g_clear_error (&error);
  g_assert_null (KEY_CALL (f, old, sign_hash, &error, NULL, hash));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED);
  g_assert_nonnull (strstr (error->message, "look it up again"));
  g_clear_error (&error);

  /* The algorithm was the caller's: the refusal is the service's alone. */
  g_assert_null (KEY_CALL (f, old, sign_hash, &error, ecdsa, hash));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED);
  g_assert_null (strstr (error->message, "look it up again"));
  g_clear_error (&error);

  again = lookup (f, "changing");
  g_assert_true (parsec_algorithm_equal (parsec_key_attributes_get_algorithm (parsec_key_get_attributes (again)),
                                         parsec_key_attributes_get_algorithm (sha384)));
  signature = KEY_CALL (f, again, sign_data, &error, data);
  g_assert_no_error (error);
  g_assert_true (KEY_CALL (f, again, verify_data, &error, data, signature));
  g_assert_no_error (error);
}

/* The operations the service logged since the last call, joined with
 * spaces ("" for none): the test service writes each line before it
 * answers. */
static char *
logged_requests (Fixture *f)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;
  gsize len = 0;

  g_assert_nonnull (f->log_path);
  if (!g_file_get_contents (f->log_path, &contents, &len, &error))
    {
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      return g_strdup ("");
    }
  g_assert_cmpuint (len, >=, f->log_read);
  lines = g_strsplit (contents + f->log_read, "\n", -1);
  f->log_read = len;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;

      if (*lines[i] == '\0')
        continue;
      words = g_strsplit (lines[i], " ", 2);
      /* Every key operation goes to the crypto provider. */
      if (g_str_equal (words[0], "ListKeys") || g_str_equal (words[0], "ListOpcodes"))
        g_assert_true (g_str_has_prefix (words[1], "provider=0 "));
      else if (!g_str_equal (words[0], "Ping") && !g_str_equal (words[0], "ListProviders") &&
               !g_str_equal (words[0], "ListAuthenticators"))
        {
          g_autofree char *provider = g_strdup_printf ("provider=%u ", f->provider->provider);

          g_assert_true (g_str_has_prefix (words[1], provider));
        }
      g_strv_builder_add (names, words[0]);
    }
  list = g_strv_builder_end (names);
  return g_strjoinv (" ", list);
}

#define assert_logged(f, expected) \
  G_STMT_START { \
    g_autofree char *logged_ = logged_requests (f); \
    g_assert_cmpstr (logged_, ==, (expected)); \
  } G_STMT_END

/* What each way of signing data costs, counted by the service: a key's
 * sign_data and verify_data one request each, PsaSignHash and
 * PsaVerifyHash, however often they run, SHA-224 included (the client
 * hashes SHA-1 and SHA-2); the provider's PsaHashCompute first for a hash
 * the client does not compute (RIPEMD-160 here); by name, a lookup
 * (ListKeys) first. */
static void
test_request_count (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) sha224 = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_224);
  g_autoptr(ParsecKeyAttributes) sha224_signing =
    parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, 256,
                                   PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH, sha224);
  g_autoptr(ParsecAlgorithm) ripemd160 = parsec_algorithm_new_ecdsa (PARSEC_HASH_RIPEMD160);
  g_autoptr(ParsecKeyAttributes) ripemd160_signing =
    parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, 256,
                                   PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH, ripemd160);
  g_autoptr(GBytes) data = bytes_from_string ("counted");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(GError) error = NULL;
  ParsecKey *key;
  KeyMade sha224_made, ripemd160_made;

  if (!parsec_test_service_is_ours ())
    {
      g_test_skip ("Only parsec-glib-test-service keeps a request log");
      return;
    }

  generate (f, "signer", NULL);
  sha224_made = generate (f, "sha224", sha224_signing);
  ripemd160_made = generate (f, "ripemd160", ripemd160_signing);
  g_free (logged_requests (f));
  key = key_of (f, "signer");

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GBytes) signature = KEY_CALL (f, key, sign_data, &error, data);

      g_assert_no_error (error);
      assert_logged (f, "PsaSignHash");
      g_assert_true (KEY_CALL (f, key, verify_data, &error, data, signature));
      g_assert_no_error (error);
      assert_logged (f, "PsaVerifyHash");
    }

  /* SHA-224 is hashed here: one request (the TPM provider holds no
   * SHA-224 key, as generate() checked). */
  if (sha224_made != KEY_REFUSED)
    {
      g_autoptr(GBytes) signature = KEY_CALL (f, key_of (f, "sha224"), sign_data, &error, data);

      g_assert_no_error (error);
      g_assert_nonnull (signature);
      assert_logged (f, "PsaSignHash");
    }

  /* A hash the client does not compute: the provider hashes first (the
   * TPM provider refuses such a key, as generate() checked). */
  if (ripemd160_made != KEY_REFUSED)
    {
      g_autoptr(GBytes) signature = KEY_CALL (f, key_of (f, "ripemd160"), sign_data, &error, data);

      g_assert_no_error (error);
      g_assert_nonnull (signature);
      assert_logged (f, "PsaHashCompute PsaSignHash");
    }

  /* The name-based equivalent: look the key up, then sign the hash. */
  {
    g_autoptr(ParsecKey) looked_up = lookup (f, "signer");
    g_autoptr(GBytes) signature = NULL;

    signature = KEY_CALL (f, looked_up, sign_hash, &error, NULL, hash);
    g_assert_no_error (error);
    assert_logged (f, "ListKeys PsaSignHash");
  }
}

typedef struct {
  const char *name;
  ParsecKeyType type;
  guint bits;
  gsize psa_size;               /* of the PSA public key export */
} ExportCase;

static const ExportCase export_cases[] = {
  { "rsa-1024", PARSEC_KEY_TYPE_RSA_KEY_PAIR, 1024, 140 },
  { "ecc-p256", PARSEC_KEY_TYPE_ECC_KEY_PAIR, 256, 65 },
  { "ecc-p384", PARSEC_KEY_TYPE_ECC_KEY_PAIR, 384, 97 },
};

#define PEM_HEADER "-----BEGIN PUBLIC KEY-----\n"
#define PEM_FOOTER "-----END PUBLIC KEY-----\n"

/* The three formats carry the same key: the DER SubjectPublicKeyInfo
 * ends with the PSA export as its BIT STRING, and the PEM is that DER in
 * base64. */
static void
test_export_public_key (Fixture       *f,
                        gconstpointer  user_data)
{
  const ExportCase *c = f->data;
  g_autoptr(ParsecAlgorithm) pss = parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) attributes = c->type == PARSEC_KEY_TYPE_RSA_KEY_PAIR
    ? parsec_key_attributes_new_rsa_signing (c->bits, pss)
    : parsec_key_attributes_new_ecc_signing (c->bits, PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) psa = NULL;
  g_autoptr(GBytes) psa_by_key = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pem_text = NULL;
  g_autofree char *body = NULL;
  g_autofree char *base64 = NULL;
  g_autofree guint8 *decoded = NULL;
  g_auto(GStrv) lines = NULL;
  const guint8 *psa_data, *der_data;
  gsize psa_len, der_len, decoded_len;

  generate (f, "key", attributes);
  psa = export_public (f, "key", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  der = export_public (f, "key", PARSEC_PUBLIC_KEY_FORMAT_DER);
  pem = export_public (f, "key", PARSEC_PUBLIC_KEY_FORMAT_PEM);
  /* The key object exports the PSA format as the client does by name. */
  psa_by_key = KEY_CALL (f, key_of (f, "key"), export_public_key, &error, PARSEC_PUBLIC_KEY_FORMAT_PSA);
  g_assert_no_error (error);
  assert_bytes_equal (psa_by_key, psa);

  psa_data = g_bytes_get_data (psa, &psa_len);
  der_data = g_bytes_get_data (der, &der_len);
  g_assert_cmpuint (psa_len, ==, c->psa_size);
  /* RSAPublicKey is a SEQUENCE; a Weierstrass point is uncompressed. */
  g_assert_cmpuint (psa_data[0], ==, c->type == PARSEC_KEY_TYPE_RSA_KEY_PAIR ? 0x30 : 0x04);
  g_assert_cmpuint (der_data[0], ==, 0x30);
  g_assert_cmpuint (der_len, >, psa_len + 1);
  g_assert_cmpmem (der_data + der_len - psa_len, psa_len, psa_data, psa_len);
  g_assert_cmpuint (der_data[der_len - psa_len - 1], ==, 0x00); /* no unused bits */

  pem_text = g_strndup (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem));
  g_assert_true (g_str_has_prefix (pem_text, PEM_HEADER));
  g_assert_true (g_str_has_suffix (pem_text, PEM_FOOTER));
  body = g_strndup (pem_text + strlen (PEM_HEADER), strlen (pem_text) - strlen (PEM_HEADER) - strlen (PEM_FOOTER));
  lines = g_strsplit (body, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_cmpuint (strlen (lines[i]), <=, 64);
  base64 = g_strjoinv ("", lines);
  decoded = g_base64_decode (base64, &decoded_len);
  g_assert_cmpmem (decoded, decoded_len, der_data, der_len);
}

typedef struct {
  const char *name;
  gboolean rsa;
} ExportImportCase;

static const ExportImportCase export_import_cases[] = {
  { "ecdsa-p256", FALSE },
  { "rsa-pkcs1v15", TRUE },
};

/* An exported private key imports again as the same key. */
static void
test_export_import (Fixture       *f,
                    gconstpointer  user_data)
{
  const ExportImportCase *c = f->data;
  g_autoptr(ParsecAlgorithm) algorithm = c->rsa ? parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256)
                                                : parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) base = c->rsa ? parsec_key_attributes_new_rsa_signing (1024, algorithm)
                                               : parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) exportable =
    parsec_key_attributes_with_usage (base, parsec_key_attributes_get_usage (base) | PARSEC_KEY_USAGE_EXPORT);
  /* 0 bits: the size comes from the data. */
  g_autoptr(ParsecKeyAttributes) import_attributes = c->rsa
    ? parsec_key_attributes_new (PARSEC_KEY_TYPE_RSA_KEY_PAIR, 0, parsec_key_attributes_get_usage (base), algorithm)
    : parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, 0,
                                     parsec_key_attributes_get_usage (base), algorithm);
  g_autoptr(ParsecKey) imported = NULL;
  g_autoptr(ParsecKey) copy = NULL;
  g_autoptr(GBytes) material = NULL;
  g_autoptr(GBytes) original_public = NULL;
  g_autoptr(GBytes) copy_public = NULL;
  g_autoptr(GBytes) original_der = NULL;
  g_autoptr(GBytes) copy_der = NULL;
  g_autoptr(GBytes) data = bytes_from_string ("signed by the copy");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) original_signature = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "original", exportable);
  /* The TPM provider exports no private key and imports public keys
   * only: it does not list PsaExportKey, so the library refuses the call
   * itself, and the service refuses a key pair's import. */
  if (!provider_offers (f, PARSEC_OPCODE_PSA_EXPORT_KEY))
    {
      g_autoptr(GBytes) scalar = bytes_from_string ("thirty-two bytes of key material");

      g_assert_null (CALL (f, export_key, &error, "original"));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_clear_error (&error);
      g_assert_null (CALL (f, import_key, &error, "copy", import_attributes, scalar));
      parsec_test_assert_provider_limit (error);
      return;
    }
  material = CALL (f, export_key, &error, "original");
  g_assert_no_error (error);
  g_assert_nonnull (material);
  if (c->rsa)
    /* An RSAPrivateKey: a SEQUENCE longer than the modulus. */
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (material, NULL))[0], ==, 0x30);
  else
    /* The private scalar, as long as the curve. */
    g_assert_cmpuint (g_bytes_get_size (material), ==, 32);

  imported = CALL (f, import_key, &error, "copy", import_attributes, material);
  g_assert_no_error (error);
  g_assert_nonnull (imported);
  g_assert_cmpstr (parsec_key_get_name (imported), ==, "copy");
  assert_attributes_equal (parsec_key_get_attributes (imported), import_attributes);
  copy = lookup (f, "copy");
  g_assert_cmpint (parsec_key_attributes_get_key_type (parsec_key_get_attributes (copy)), ==,
                   parsec_key_attributes_get_key_type (base));
  g_hash_table_replace (f->keys, g_strdup ("copy"), g_object_ref (copy));

  original_public = export_public (f, "original", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  copy_public = export_public (f, "copy", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  assert_bytes_equal (original_public, copy_public);
  /* The service keeps the 0 bits it was given; the SubjectPublicKeyInfo
   * still names the right curve. */
  original_der = export_public (f, "original", PARSEC_PUBLIC_KEY_FORMAT_DER);
  copy_der = export_public (f, "copy", PARSEC_PUBLIC_KEY_FORMAT_DER);
  assert_bytes_equal (original_der, copy_der);

  signature = CALL (f, sign_hash, &error, "copy", algorithm, hash);
  g_assert_no_error (error);
  g_assert_true (CALL (f, verify_hash, &error, "original", algorithm, hash, signature));
  g_assert_no_error (error);
  if (c->rsa)
    {
      /* PKCS #1 v1.5 is deterministic: the same key, the same signature. */
      original_signature = CALL (f, sign_hash, &error, "original", algorithm, hash);
      g_assert_no_error (error);
      assert_bytes_equal (signature, original_signature);
    }
}

/* A public key alone verifies what its private key signed, and signs
 * nothing. */
static void
test_import_public_key (Fixture       *f,
                        gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) public_attributes =
    parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_PUBLIC_KEY, PARSEC_ECC_FAMILY_SECP_R1, 256,
                                   PARSEC_KEY_USAGE_VERIFY_HASH, ecdsa);
  g_autoptr(ParsecKey) imported = NULL;
  g_autoptr(ParsecKey) stored = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GBytes) reexported = NULL;
  g_autoptr(GBytes) data = bytes_from_string ("verified by the public key");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "private", NULL);
  public_key = export_public (f, "private", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  imported = CALL (f, import_key, &error, "public", public_attributes, public_key);
  g_assert_no_error (error);
  g_assert_nonnull (imported);

  stored = lookup (f, "public");
  g_assert_true (parsec_key_attributes_is_public_key (parsec_key_get_attributes (stored)));
  reexported = export_public (f, "public", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  assert_bytes_equal (reexported, public_key);

  signature = CALL (f, sign_hash, &error, "private", ecdsa, hash);
  g_assert_no_error (error);
  g_assert_true (CALL (f, verify_hash, &error, "public", ecdsa, hash, signature));
  g_assert_no_error (error);
  /* The imported key's object verifies with its policy's algorithm. */
  g_assert_true (KEY_CALL (f, imported, verify_hash, &error, NULL, hash, signature));
  g_assert_no_error (error);

  g_assert_null (CALL (f, sign_hash, &error, "public", ecdsa, hash));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED);
  g_clear_error (&error);
  g_assert_null (KEY_CALL (f, imported, sign_hash, &error, NULL, hash));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED);
}

static void
test_duplicate_name (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) signing = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) public_attributes =
    parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_PUBLIC_KEY, PARSEC_ECC_FAMILY_SECP_R1, 256,
                                   PARSEC_KEY_USAGE_VERIFY_HASH, ecdsa);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) other_public = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "taken", NULL);
  before = export_public (f, "taken", PARSEC_PUBLIC_KEY_FORMAT_PSA);

  g_assert_null (CALL (f, generate_key, &error, "taken", signing));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_ALREADY_EXISTS);
  g_clear_error (&error);

  /* An import under the name too: of a public key, which every provider
   * imports. */
  generate (f, "other", NULL);
  other_public = export_public (f, "other", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  g_assert_null (CALL (f, import_key, &error, "taken", public_attributes, other_public));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_ALREADY_EXISTS);

  /* The first key is untouched. */
  after = export_public (f, "taken", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  assert_bytes_equal (before, after);
}

/* Asymmetric encryption */

/* A ciphertext that does not decrypt: PsaErrorInvalidPadding, but the
 * TPM provider on swtpm reports PsaErrorCommunicationFailure (swtpm
 * answers TPM2_RSA_Decrypt with TPM_RC_FAILURE, not the padding error). */
static void
assert_bad_ciphertext (Fixture      *f,
                       const GError *error)
{
  if (f->provider->provider == PARSEC_PROVIDER_TPM)
    g_assert_error ((GError *) error, PARSEC_ERROR, PARSEC_ERROR_PSA_COMMUNICATION_FAILURE);
  else
    g_assert_error ((GError *) error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_PADDING);
}

typedef struct {
  const char *name;
  ParsecEncryptionScheme scheme;
  const char *label;            /* OAEP label, sent as the salt */
} EncryptCase;

static const EncryptCase encrypt_cases[] = {
  { "rsa-pkcs1v15", PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15, NULL },
  { "rsa-oaep", PARSEC_ENCRYPTION_SCHEME_RSA_OAEP, NULL },
  { "rsa-oaep-label", PARSEC_ENCRYPTION_SCHEME_RSA_OAEP, "a label" },
};

static void
test_asymmetric_encrypt (Fixture       *f,
                         gconstpointer  user_data)
{
  const EncryptCase *c = f->data;
  g_autoptr(ParsecAlgorithm) algorithm =
    parsec_algorithm_new_encryption (c->scheme, c->scheme == PARSEC_ENCRYPTION_SCHEME_RSA_OAEP ? PARSEC_HASH_SHA_256
                                                                                        : PARSEC_HASH_NONE);
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_rsa_encryption (1024, algorithm);
  g_autoptr(GBytes) salt = c->label != NULL ? bytes_from_string (c->label) : NULL;
  g_autoptr(GBytes) wrong_salt = bytes_from_string ("another label");
  g_autoptr(GBytes) plaintext = bytes_from_string ("a secret for the key holder");
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GError) error = NULL;

  generate (f, "crypt", attributes);

  ciphertext = CALL (f, asymmetric_encrypt, &error, "crypt", algorithm, plaintext, salt);
  /* swtpm refuses OAEP labels (TPM_RC_VALUE), which the TPM provider
   * reports as PsaErrorCommunicationFailure. */
  if (ciphertext == NULL && salt != NULL && f->provider->provider == PARSEC_PROVIDER_TPM)
    {
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_COMMUNICATION_FAILURE);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (ciphertext), ==, 1024 / 8);
  /* Both schemes are randomised. */
  again = CALL (f, asymmetric_encrypt, &error, "crypt", algorithm, plaintext, salt);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (ciphertext, again));

  /* The plaintext comes back: a secret, returned to the caller. */
  decrypted = CALL (f, asymmetric_decrypt, &error, "crypt", algorithm, ciphertext, salt);
  g_assert_no_error (error);
  assert_bytes_equal (decrypted, plaintext);
  g_clear_pointer (&decrypted, g_bytes_unref);

  tampered = bytes_tamper (ciphertext, 10);
  g_assert_null (CALL (f, asymmetric_decrypt, &error, "crypt", algorithm, tampered, salt));
  assert_bad_ciphertext (f, error);
  g_clear_error (&error);

  if (c->scheme == PARSEC_ENCRYPTION_SCHEME_RSA_OAEP)
    {
      /* The label is bound to the ciphertext: any other one, or none
       * (an empty salt is no salt), does not decrypt. */
      g_assert_null (CALL (f, asymmetric_decrypt, &error, "crypt", algorithm, ciphertext,
                           salt != NULL ? NULL : wrong_salt));
      assert_bad_ciphertext (f, error);
      g_clear_error (&error);
      if (salt != NULL)
        {
          g_assert_null (CALL (f, asymmetric_decrypt, &error, "crypt", algorithm, ciphertext, wrong_salt));
          assert_bad_ciphertext (f, error);
        }
    }
}

/* AEAD */

typedef struct {
  const char *name;
  ParsecKeyType key_type;
  guint bits;
  ParsecAead aead;
  guint tag_length;             /* 0 for the default */
  gsize nonce_length;
  gsize expected_tag;
} AeadCase;

static const AeadCase aead_cases[] = {
  { "aes-gcm", PARSEC_KEY_TYPE_AES, 256, PARSEC_AEAD_GCM, 0, 12, 16 },
  { "aes-ccm", PARSEC_KEY_TYPE_AES, 128, PARSEC_AEAD_CCM, 0, 13, 16 },
  { "chacha20-poly1305", PARSEC_KEY_TYPE_CHACHA20, 256, PARSEC_AEAD_CHACHA20_POLY1305, 0, 12, 16 },
  { "aes-gcm-short-tag", PARSEC_KEY_TYPE_AES, 128, PARSEC_AEAD_GCM, 8, 12, 8 },
  { "aes-ccm-short-tag", PARSEC_KEY_TYPE_AES, 192, PARSEC_AEAD_CCM, 4, 7, 4 },
};

static void
test_aead (Fixture       *f,
           gconstpointer  user_data)
{
  const AeadCase *c = f->data;
  g_autoptr(ParsecAlgorithm) algorithm = c->tag_length != 0
    ? parsec_algorithm_new_aead_shortened_tag (c->aead, c->tag_length)
    : parsec_algorithm_new_aead (c->aead);
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_aead (c->key_type, c->bits, algorithm);
  g_autofree guint8 *nonce_data = g_malloc0 (c->nonce_length);
  g_autoptr(GBytes) nonce = NULL;
  g_autoptr(GBytes) other_nonce = NULL;
  g_autoptr(GBytes) aad = bytes_from_string ("header in the clear");
  g_autoptr(GBytes) plaintext = bytes_from_string ("the body, encrypted and authenticated");
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GBytes) no_aad_ciphertext = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) empty_ciphertext = NULL;
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autoptr(GBytes) tampered_aad = NULL;
  g_autoptr(ParsecKey) aead_key = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < c->nonce_length; i++)
    nonce_data[i] = (guint8) i;
  nonce = g_bytes_new (nonce_data, c->nonce_length);
  other_nonce = bytes_tamper (nonce, 0);

  /* The TPM provider has no AEAD: it lists no AEAD operation and holds
   * no symmetric key, and the library refuses the operations itself. */
  if (!provider_offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT))
    {
      g_assert_null (CALL (f, generate_key, &error, "aead", attributes));
      parsec_test_assert_provider_limit (error);
      g_clear_error (&error);
      assert_operation_refused (CALL (f, aead_encrypt, &error, "aead", algorithm, nonce, aad, plaintext), &error);
      g_clear_error (&error);
      assert_operation_refused (CALL (f, aead_decrypt, &error, "aead", algorithm, nonce, aad, plaintext), &error);
      return;
    }

  aead_key = CALL (f, generate_key, &error, "aead", attributes);
  if (aead_key == NULL)
    {
      /* Mbed TLS may be built without ChaCha20-Poly1305. */
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED);
      g_assert_cmpint (c->aead, ==, PARSEC_AEAD_CHACHA20_POLY1305);
      g_test_skip ("The test service does not support ChaCha20-Poly1305");
      return;
    }

  ciphertext = CALL (f, aead_encrypt, &error, "aead", algorithm, nonce, aad, plaintext);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (ciphertext), ==, g_bytes_get_size (plaintext) + c->expected_tag);

  decrypted = CALL (f, aead_decrypt, &error, "aead", algorithm, nonce, aad, ciphertext);
  g_assert_no_error (error);
  assert_bytes_equal (decrypted, plaintext);
  g_clear_pointer (&decrypted, g_bytes_unref);
  /* The key object decrypts it with its policy's algorithm. */
  decrypted = KEY_CALL (f, aead_key, aead_decrypt, &error, NULL, nonce, aad, ciphertext);
  g_assert_no_error (error);
  assert_bytes_equal (decrypted, plaintext);
  g_clear_pointer (&decrypted, g_bytes_unref);

  /* Without additional data. */
  no_aad_ciphertext = CALL (f, aead_encrypt, &error, "aead", algorithm, nonce, NULL, plaintext);
  g_assert_no_error (error);
  g_assert_false (g_bytes_equal (no_aad_ciphertext, ciphertext));
  decrypted = CALL (f, aead_decrypt, &error, "aead", algorithm, nonce, NULL, no_aad_ciphertext);
  g_assert_no_error (error);
  assert_bytes_equal (decrypted, plaintext);
  g_clear_pointer (&decrypted, g_bytes_unref);

  /* An empty message would still get its tag, but the Parsec service
   * (parsec-interface's validate()) and the test service refuse it, and
   * the error says so. */
  empty_ciphertext = CALL (f, aead_encrypt, &error, "aead", algorithm, nonce, aad, empty);
  g_assert_null (empty_ciphertext);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "refuses an empty message"));
  g_clear_error (&error);

  /* Any change to ciphertext, tag, additional data or nonce is caught. */
  tampered = bytes_tamper (ciphertext, 0);
  g_assert_null (CALL (f, aead_decrypt, &error, "aead", algorithm, nonce, aad, tampered));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_clear_pointer (&tampered, g_bytes_unref);
  tampered = bytes_tamper (ciphertext, -1);
  g_assert_null (CALL (f, aead_decrypt, &error, "aead", algorithm, nonce, aad, tampered));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
  g_clear_error (&error);
  tampered_aad = bytes_tamper (aad, 2);
  g_assert_null (CALL (f, aead_decrypt, &error, "aead", algorithm, nonce, tampered_aad, ciphertext));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
  g_clear_error (&error);
  g_assert_null (CALL (f, aead_decrypt, &error, "aead", algorithm, other_nonce, aad, ciphertext));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
}

/* The service computes real AES-GCM: test case 2 of McGrew and Viega,
 * "The Galois/Counter Mode of Operation". */
static void
test_aead_known_answer (Fixture       *f,
                        gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) gcm = parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_aead (PARSEC_KEY_TYPE_AES, 128, gcm);
  g_autoptr(GBytes) key = bytes_from_hex ("00000000000000000000000000000000");
  g_autoptr(GBytes) nonce = bytes_from_hex ("000000000000000000000000");
  g_autoptr(GBytes) plaintext = bytes_from_hex ("00000000000000000000000000000000");
  g_autoptr(GBytes) expected = bytes_from_hex ("0388dace60b6a392f328c2b971b2fe78"
                                               "ab6e47d42cec13bdf53a67b21257bddf");
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(ParsecKey) aes = NULL;
  g_autoptr(GError) error = NULL;

  aes = CALL (f, import_key, &error, "aes", attributes, key);
  /* The TPM provider imports public keys only, and has no AEAD. */
  if (!provider_offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT))
    {
      g_assert_null (aes);
      parsec_test_assert_provider_limit (error);
      g_clear_error (&error);
      assert_operation_refused (CALL (f, aead_encrypt, &error, "aes", gcm, nonce, NULL, plaintext), &error);
      return;
    }
  g_assert_no_error (error);
  g_assert_nonnull (aes);
  ciphertext = CALL (f, aead_encrypt, &error, "aes", gcm, nonce, NULL, plaintext);
  g_assert_no_error (error);
  assert_bytes_equal (ciphertext, expected);
  decrypted = CALL (f, aead_decrypt, &error, "aes", gcm, nonce, NULL, expected);
  g_assert_no_error (error);
  assert_bytes_equal (decrypted, plaintext);
  g_clear_pointer (&ciphertext, g_bytes_unref);
  /* The same by the key object, with its policy's algorithm; it takes
   * empty additional data rather than NULL. */
  ciphertext = KEY_CALL (f, aes, aead_encrypt, &error, NULL, nonce, empty, plaintext);
  g_assert_no_error (error);
  assert_bytes_equal (ciphertext, expected);
}

/* Hashes */

typedef struct {
  ParsecHash hash;
  const char *digest_of_abc;
} HashCase;

/* FIPS 180-2 examples. */
static const HashCase hash_cases[] = {
  { PARSEC_HASH_SHA_224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
  { PARSEC_HASH_SHA_256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
  { PARSEC_HASH_SHA_384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                         "8086072ba1e7cc2358baeca134c825a7" },
  { PARSEC_HASH_SHA_512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                         "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
};

static void
test_hash (Fixture       *f,
           gconstpointer  user_data)
{
  g_autoptr(GBytes) abc = bytes_from_string ("abc");
  g_autoptr(GError) error = NULL;
  /* The TPM provider offers no hashes: the library refuses them itself. */
  gboolean offered = provider_offers (f, PARSEC_OPCODE_PSA_HASH_COMPUTE);

  for (gsize i = 0; i < G_N_ELEMENTS (hash_cases); i++)
    {
      const HashCase *c = &hash_cases[i];
      g_autoptr(GBytes) expected = bytes_from_hex (c->digest_of_abc);
      g_autoptr(GBytes) computed = NULL;
      g_autoptr(GBytes) wrong = NULL;

      if (!offered)
        {
          assert_operation_refused (CALL (f, hash_compute, &error, c->hash, abc), &error);
          g_clear_error (&error);
          g_assert_false (CALL (f, hash_compare, &error, c->hash, abc, expected));
          g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
          g_clear_error (&error);
          continue;
        }

      computed = CALL (f, hash_compute, &error, c->hash, abc);
      g_assert_no_error (error);
      assert_bytes_equal (computed, expected);

      g_assert_true (CALL (f, hash_compare, &error, c->hash, abc, expected));
      g_assert_no_error (error);
      wrong = bytes_tamper (expected, -1);
      g_assert_false (CALL (f, hash_compare, &error, c->hash, abc, wrong));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
      g_clear_error (&error);
    }
}

/* Key agreement */

typedef struct {
  const char *name;
  ParsecEccFamily family;
  guint bits;
  const char *spki_prefix;      /* of the DER export, before the PSA key */
} EcdhCase;

static const EcdhCase ecdh_cases[] = {
  { "p256", PARSEC_ECC_FAMILY_SECP_R1, 256, "3059301306072a8648ce3d020106082a8648ce3d030107034200" },
  { "p384", PARSEC_ECC_FAMILY_SECP_R1, 384, "3076301006072a8648ce3d020106052b81040022036200" },
  /* RFC 8410: the curve is the algorithm, with no parameters. */
  { "x25519", PARSEC_ECC_FAMILY_MONTGOMERY, 255, "302a300506032b656e032100" },
};

/* Each side combines its private key with the other's public key, and
 * both arrive at the same secret. */
static void
test_raw_key_agreement (Fixture       *f,
                        gconstpointer  user_data)
{
  const EcdhCase *c = f->data;
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecdh (c->family, c->bits);
  g_autoptr(GBytes) alice_public = NULL;
  g_autoptr(GBytes) alice_der = NULL;
  g_autoptr(GBytes) expected_der = NULL;
  g_autoptr(GByteArray) spki = NULL;
  g_autoptr(GBytes) prefix = bytes_from_hex (c->spki_prefix);
  g_autoptr(GBytes) bob_public = NULL;
  g_autoptr(GBytes) alice_secret = NULL;
  g_autoptr(GBytes) bob_secret = NULL;
  g_autoptr(GBytes) bad_point = NULL;
  g_autoptr(GError) error = NULL;

  /* The TPM provider has no key agreement: it holds no ECDH key and lists
   * no PsaRawKeyAgreement, which the library then refuses itself. */
  if (!provider_offers (f, PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT))
    {
      g_autoptr(GBytes) point = bytes_from_hex ("04");

      g_assert_cmpint (generate (f, "alice", attributes), ==, KEY_REFUSED);
      assert_operation_refused (CALL (f, raw_key_agreement, &error, PARSEC_KEY_AGREEMENT_ECDH, "alice", point), &error);
      return;
    }
  generate (f, "alice", attributes);
  generate (f, "bob", attributes);
  alice_public = export_public (f, "alice", PARSEC_PUBLIC_KEY_FORMAT_PSA);
  bob_public = export_public (f, "bob", PARSEC_PUBLIC_KEY_FORMAT_PSA);

  alice_secret = CALL (f, raw_key_agreement, &error, PARSEC_KEY_AGREEMENT_ECDH, "alice", bob_public);
  g_assert_no_error (error);
  /* The key object takes the agreement from its policy. */
  bob_secret = KEY_CALL (f, key_of (f, "bob"), raw_key_agreement, &error, alice_public);
  g_assert_no_error (error);
  /* The x coordinate of the shared point (u for Montgomery curves). */
  g_assert_cmpuint (g_bytes_get_size (alice_secret), ==, (c->bits + 7) / 8);
  assert_bytes_equal (alice_secret, bob_secret);

  spki = g_byte_array_new ();
  g_byte_array_append (spki, g_bytes_get_data (prefix, NULL), g_bytes_get_size (prefix));
  g_byte_array_append (spki, g_bytes_get_data (alice_public, NULL), g_bytes_get_size (alice_public));
  expected_der = g_bytes_new (spki->data, spki->len);
  alice_der = export_public (f, "alice", PARSEC_PUBLIC_KEY_FORMAT_DER);
  assert_bytes_equal (alice_der, expected_der);

  /* A point off a Weierstrass curve is refused. */
  if (c->family != PARSEC_ECC_FAMILY_MONTGOMERY)
    {
      bad_point = bytes_tamper (bob_public, -1);
      g_assert_null (CALL (f, raw_key_agreement, &error, PARSEC_KEY_AGREEMENT_ECDH, "alice", bad_point));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT);
    }
}

/* Random */

static void
test_generate_random (Fixture       *f,
                      gconstpointer  user_data)
{
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GBytes) large = NULL;
  g_autoptr(GBytes) zeros = NULL;
  g_autoptr(GError) error = NULL;

  first = CALL (f, generate_random, &error, 32);
  g_assert_no_error (error);
  second = CALL (f, generate_random, &error, 32);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (first), ==, 32);
  g_assert_false (g_bytes_equal (first, second));
  zeros = g_bytes_new_take (g_malloc0 (32), 32);
  g_assert_false (g_bytes_equal (first, zeros));

  large = CALL (f, generate_random, &error, 4096);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (large), ==, 4096);
  g_clear_pointer (&large, g_bytes_unref);

  large = CALL (f, generate_random, &error, 0);
  g_assert_no_error (error);
  g_assert_nonnull (large);
  g_assert_cmpuint (g_bytes_get_size (large), ==, 0);
}

/* CanDoCrypto */

typedef struct {
  const char *name;
  ParsecCheckType check;
  int expected;                 /* 0 for yes, else the error code; or ASK_PROVIDER */
} CanDoCase;

/* The answer depends on the provider (the TPM provider imports no key
 * pair and holds no AES key): it must agree with what the service then
 * does when asked to make such a key. */
#define ASK_PROVIDER (-1)

static ParsecKeyAttributes *
can_do_attributes (const char *name)
{
  g_autoptr(ParsecAlgorithm) algorithm = NULL;

  if (g_str_equal (name, "ecdsa"))
    return parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  if (g_str_equal (name, "rsa-oaep"))
    {
      algorithm = parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
      return parsec_key_attributes_new_rsa_encryption (2048, algorithm);
    }
  if (g_str_equal (name, "rsa-odd-size"))
    {
      algorithm = parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256);
      return parsec_key_attributes_new_rsa_signing (1000, algorithm);
    }
  if (g_str_equal (name, "aes-gcm"))
    {
      algorithm = parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
      return parsec_key_attributes_new_aead (PARSEC_KEY_TYPE_AES, 128, algorithm);
    }
  if (g_str_equal (name, "ecdsa-on-rsa"))
    {
      algorithm = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
      return parsec_key_attributes_new_rsa_signing (2048, algorithm);
    }
  g_assert_not_reached ();
}

static const CanDoCase can_do_cases[] = {
  { "ecdsa", PARSEC_CHECK_TYPE_USE, 0 },
  { "ecdsa", PARSEC_CHECK_TYPE_GENERATE, 0 },
  { "ecdsa", PARSEC_CHECK_TYPE_IMPORT, ASK_PROVIDER },
  { "rsa-oaep", PARSEC_CHECK_TYPE_GENERATE, 0 },
  { "aes-gcm", PARSEC_CHECK_TYPE_USE, ASK_PROVIDER },
  { "rsa-odd-size", PARSEC_CHECK_TYPE_GENERATE, PARSEC_ERROR_PSA_NOT_SUPPORTED },
  { "ecdsa-on-rsa", PARSEC_CHECK_TYPE_USE, PARSEC_ERROR_PSA_NOT_SUPPORTED },
  /* No provider implements derivation checks. */
  { "ecdsa", PARSEC_CHECK_TYPE_DERIVE, PARSEC_ERROR_PSA_NOT_SUPPORTED },
};

static void
test_can_do_crypto (Fixture       *f,
                    gconstpointer  user_data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (can_do_cases); i++)
    {
      const CanDoCase *c = &can_do_cases[i];
      g_autoptr(ParsecKeyAttributes) attributes = can_do_attributes (c->name);
      g_autoptr(GError) error = NULL;
      gboolean can;

      g_test_message ("%s, check %d", c->name, c->check);
      can = CALL (f, can_do_crypto, &error, c->check, attributes);
      if (c->expected == ASK_PROVIDER)
        {
          g_autofree char *name = g_strdup_printf ("can-do-%zu", i);
          g_autoptr(GBytes) scalar = bytes_from_hex ("0102030405060708090a0b0c0d0e0f10"
                                                     "1112131415161718191a1b1c1d1e1f20");
          g_autoptr(ParsecKey) made = NULL;
          g_autoptr(GError) made_error = NULL;

          if (!can)
            parsec_test_assert_provider_limit (error);
          if (c->check == PARSEC_CHECK_TYPE_IMPORT)
            made = CALL (f, import_key, &made_error, name, attributes, scalar);
          else
            made = CALL (f, generate_key, &made_error, name, attributes);
          g_assert_cmpint (made != NULL, ==, can);
          if (!can)
            parsec_test_assert_provider_limit (made_error);
        }
      else if (c->expected == 0)
        {
          g_assert_no_error (error);
          g_assert_true (can);
        }
      else
        {
          g_assert_error (error, PARSEC_ERROR, c->expected);
          g_assert_false (can);
        }
    }
}

/* An operation on the absent key "key": refused by the library where the
 * provider does not list it, else by the service, for the key. */
static void
assert_unlisted_or_absent (Fixture      *f,
                           guint32       opcode,
                           const GError *error)
{
  if (provider_offers (f, opcode))
    g_assert_error ((GError *) error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  else
    g_assert_error ((GError *) error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
}

/* Operations a provider does not list (no provider of Parsec 1.5.0 has
 * ciphers or MACs; only the TPM provider has key attestation) are refused
 * by the library before anything is sent. */
static void
test_unsupported (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) cbc = parsec_algorithm_new_cipher (PARSEC_CIPHER_CBC_PKCS7);
  g_autoptr(ParsecAlgorithm) hmac = parsec_algorithm_new_hmac (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) data = bytes_from_string ("0123456789abcdef");
  g_autoptr(ParsecKeyAttestationPreparation) prepared = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_null (CALL (f, cipher_encrypt, &error, "key", cbc, data));
  assert_unlisted_or_absent (f, PARSEC_OPCODE_PSA_CIPHER_ENCRYPT, error);
  g_clear_error (&error);
  g_assert_null (CALL (f, cipher_decrypt, &error, "key", cbc, data));
  assert_unlisted_or_absent (f, PARSEC_OPCODE_PSA_CIPHER_DECRYPT, error);
  g_clear_error (&error);
  g_assert_null (CALL (f, mac_compute, &error, "key", hmac, data));
  assert_unlisted_or_absent (f, PARSEC_OPCODE_PSA_MAC_COMPUTE, error);
  g_clear_error (&error);
  g_assert_false (CALL (f, mac_verify, &error, "key", hmac, data, data));
  assert_unlisted_or_absent (f, PARSEC_OPCODE_PSA_MAC_VERIFY, error);
  g_clear_error (&error);
  g_assert_null (CALL (f, attest_key, &error, "key", data, data, NULL));
  assert_unlisted_or_absent (f, PARSEC_OPCODE_ATTEST_KEY, error);
  g_clear_error (&error);

  prepared = CALL (f, prepare_key_attestation, &error, "key", NULL);
  g_assert_null (prepared);
  assert_unlisted_or_absent (f, PARSEC_OPCODE_PREPARE_KEY_ATTESTATION, error);
}

/* Failures, operation by operation */

typedef enum {
  OP_DESTROY_KEY,
  OP_EXPORT_KEY,
  OP_EXPORT_PUBLIC_KEY,
  OP_EXPORT_PUBLIC_KEY_DER,
  OP_LOOKUP_KEY,
  OP_SIGN_HASH,
  OP_VERIFY_HASH,
  OP_SIGN_DATA,
  OP_VERIFY_DATA,
  OP_ASYMMETRIC_ENCRYPT,
  OP_ASYMMETRIC_DECRYPT,
  OP_AEAD_ENCRYPT,
  OP_AEAD_DECRYPT,
  OP_RAW_KEY_AGREEMENT,
  OP_LAST
} KeyOp;

typedef enum {
  ALG_ECDSA,
  ALG_RSA_PKCS1V15_SIGN,
  ALG_RSA_PSS,
  ALG_RSA_PKCS1V15_CRYPT,
  ALG_RSA_OAEP,
  ALG_GCM,
  ALG_CCM,
  ALG_FOR_OP,                   /* what the operation takes in the other tests */
} Alg;

static ParsecAlgorithm *
alg_new (Alg   alg,
         KeyOp op)
{
  switch (alg)
    {
    case ALG_ECDSA:
      return parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
    case ALG_RSA_PKCS1V15_SIGN:
      return parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256);
    case ALG_RSA_PSS:
      return parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256);
    case ALG_RSA_PKCS1V15_CRYPT:
      return parsec_algorithm_new_rsa_pkcs1v15_crypt ();
    case ALG_RSA_OAEP:
      return parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
    case ALG_GCM:
      return parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
    case ALG_CCM:
      return parsec_algorithm_new_aead (PARSEC_AEAD_CCM);
    case ALG_FOR_OP:
    default:
      if (op == OP_ASYMMETRIC_ENCRYPT || op == OP_ASYMMETRIC_DECRYPT)
        return alg_new (ALG_RSA_OAEP, op);
      if (op == OP_AEAD_ENCRYPT || op == OP_AEAD_DECRYPT)
        return alg_new (ALG_GCM, op);
      return alg_new (ALG_ECDSA, op);
    }
}

/* Runs one operation on @key_name with inputs of plausible sizes: by
 * name, or through key_of() for the operations only key objects have. */
static gboolean
run_key_op (Fixture          *f,
            KeyOp             op,
            const char       *key_name,
            ParsecAlgorithm  *algorithm,
            GError          **error)
{
  static const guint8 zeros[128];
  g_autoptr(GBytes) hash = g_bytes_new_static (zeros, 32);
  g_autoptr(GBytes) signature = g_bytes_new_static (zeros, 64);
  g_autoptr(GBytes) block = g_bytes_new_static (zeros, 128);
  g_autoptr(GBytes) nonce = g_bytes_new_static (zeros, 12);
  g_autoptr(GBytes) point = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(ParsecKey) looked_up = NULL;
  guint8 point_data[65] = { 0x04 };

  point = g_bytes_new (point_data, sizeof point_data);
  switch (op)
    {
    case OP_DESTROY_KEY:
      return CALL (f, destroy_key, error, key_name);
    case OP_EXPORT_KEY:
      out = CALL (f, export_key, error, key_name);
      break;
    case OP_EXPORT_PUBLIC_KEY:
      out = CALL (f, export_public_key, error, key_name);
      break;
    case OP_EXPORT_PUBLIC_KEY_DER:
      out = KEY_CALL (f, key_of (f, key_name), export_public_key, error, PARSEC_PUBLIC_KEY_FORMAT_DER);
      break;
    case OP_LOOKUP_KEY:
      looked_up = CALL (f, lookup_key, error, key_name);
      return looked_up != NULL;
    case OP_SIGN_HASH:
      out = CALL (f, sign_hash, error, key_name, algorithm, hash);
      break;
    case OP_VERIFY_HASH:
      return CALL (f, verify_hash, error, key_name, algorithm, hash, signature);
    case OP_SIGN_DATA:
      out = KEY_CALL (f, key_of (f, key_name), sign_data, error, block);
      break;
    case OP_VERIFY_DATA:
      return KEY_CALL (f, key_of (f, key_name), verify_data, error, block, signature);
    case OP_ASYMMETRIC_ENCRYPT:
      out = CALL (f, asymmetric_encrypt, error, key_name, algorithm, hash, NULL);
      break;
    case OP_ASYMMETRIC_DECRYPT:
      out = CALL (f, asymmetric_decrypt, error, key_name, algorithm, block, NULL);
      break;
    case OP_AEAD_ENCRYPT:
      out = CALL (f, aead_encrypt, error, key_name, algorithm, nonce, NULL, hash);
      break;
    case OP_AEAD_DECRYPT:
      out = CALL (f, aead_decrypt, error, key_name, algorithm, nonce, NULL, hash);
      break;
    case OP_RAW_KEY_AGREEMENT:
      out = CALL (f, raw_key_agreement, error, PARSEC_KEY_AGREEMENT_ECDH, key_name, point);
      break;
    case OP_LAST:
    default:
      g_assert_not_reached ();
    }
  return out != NULL;
}

/* Whether the provider lists the operation a KeyOp sends; lookups go to
 * the core provider, which always has them. */
static gboolean
key_op_offered (Fixture *f,
                KeyOp    op)
{
  switch (op)
    {
    case OP_LOOKUP_KEY:
      return TRUE;
    case OP_DESTROY_KEY:
      return provider_offers (f, PARSEC_OPCODE_PSA_DESTROY_KEY);
    case OP_EXPORT_KEY:
      return provider_offers (f, PARSEC_OPCODE_PSA_EXPORT_KEY);
    case OP_EXPORT_PUBLIC_KEY:
    case OP_EXPORT_PUBLIC_KEY_DER:
      return provider_offers (f, PARSEC_OPCODE_PSA_EXPORT_PUBLIC_KEY);
    case OP_SIGN_HASH:
    case OP_SIGN_DATA:
      return provider_offers (f, PARSEC_OPCODE_PSA_SIGN_HASH);
    case OP_VERIFY_HASH:
    case OP_VERIFY_DATA:
      return provider_offers (f, PARSEC_OPCODE_PSA_VERIFY_HASH);
    case OP_ASYMMETRIC_ENCRYPT:
      return provider_offers (f, PARSEC_OPCODE_PSA_ASYMMETRIC_ENCRYPT);
    case OP_ASYMMETRIC_DECRYPT:
      return provider_offers (f, PARSEC_OPCODE_PSA_ASYMMETRIC_DECRYPT);
    case OP_AEAD_ENCRYPT:
      return provider_offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT);
    case OP_AEAD_DECRYPT:
      return provider_offers (f, PARSEC_OPCODE_PSA_AEAD_DECRYPT);
    case OP_RAW_KEY_AGREEMENT:
      return provider_offers (f, PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT);
    case OP_LAST:
    default:
      g_assert_not_reached ();
    }
}

static void
test_no_such_key (Fixture       *f,
                  gconstpointer  user_data)
{
  /* Another key exists, so the lookup has something to skip. */
  generate (f, "present", NULL);

  for (KeyOp op = 0; op < OP_LAST; op++)
    {
      g_autoptr(ParsecAlgorithm) algorithm = alg_new (ALG_FOR_OP, op);
      g_autoptr(GError) error = NULL;

      g_test_message ("operation %d", op);
      g_assert_false (run_key_op (f, op, "absent", algorithm, &error));
      /* An operation the provider does not list is the library's to
       * refuse, whatever the key. */
      if (key_op_offered (f, op))
        g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
      else
        g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
    }
}

typedef enum {
  KEY_ECDSA,                    /* sign and verify, not exportable */
  KEY_RSA_PKCS1V15_SIGN,
  KEY_RSA_OAEP,
  KEY_AES_GCM,
  KEY_ECDH,
} KeyKind;

static ParsecKeyAttributes *
key_kind_attributes (KeyKind kind)
{
  g_autoptr(ParsecAlgorithm) algorithm = NULL;

  switch (kind)
    {
    case KEY_ECDSA:
      return parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
    case KEY_RSA_PKCS1V15_SIGN:
      algorithm = alg_new (ALG_RSA_PKCS1V15_SIGN, OP_LAST);
      return parsec_key_attributes_new_rsa_signing (1024, algorithm);
    case KEY_RSA_OAEP:
      algorithm = alg_new (ALG_RSA_OAEP, OP_LAST);
      return parsec_key_attributes_new_rsa_encryption (1024, algorithm);
    case KEY_AES_GCM:
      algorithm = alg_new (ALG_GCM, OP_LAST);
      return parsec_key_attributes_new_aead (PARSEC_KEY_TYPE_AES, 128, algorithm);
    case KEY_ECDH:
    default:
      return parsec_key_attributes_new_ecdh (PARSEC_ECC_FAMILY_SECP_R1, 256);
    }
}

typedef struct {
  KeyKind key;
  KeyOp op;
  Alg alg;
  int expected;
} MisuseCase;

/* The service enforces each key's policy: its usage flags and its one
 * algorithm. Only a key's sign_data, which takes the policy the key object
 * knows, refuses a non-signing key itself. */
static const MisuseCase not_permitted_cases[] = {
  { KEY_RSA_OAEP, OP_SIGN_HASH, ALG_RSA_PKCS1V15_SIGN, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_RSA_PKCS1V15_SIGN, OP_SIGN_HASH, ALG_RSA_PSS, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_RSA_PKCS1V15_SIGN, OP_ASYMMETRIC_DECRYPT, ALG_RSA_PKCS1V15_CRYPT, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_RSA_OAEP, OP_ASYMMETRIC_ENCRYPT, ALG_RSA_PKCS1V15_CRYPT, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_ECDSA, OP_EXPORT_KEY, ALG_FOR_OP, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_AES_GCM, OP_EXPORT_KEY, ALG_FOR_OP, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_AES_GCM, OP_AEAD_ENCRYPT, ALG_CCM, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_ECDSA, OP_RAW_KEY_AGREEMENT, ALG_FOR_OP, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_ECDH, OP_SIGN_HASH, ALG_ECDSA, PARSEC_ERROR_PSA_NOT_PERMITTED },
  { KEY_RSA_OAEP, OP_SIGN_DATA, ALG_FOR_OP, PARSEC_ERROR_INVALID_INPUT },
};

/* An algorithm of the wrong family never reaches the service. */
static const MisuseCase wrong_family_cases[] = {
  { KEY_ECDSA, OP_SIGN_HASH, ALG_GCM, PARSEC_ERROR_INVALID_INPUT },
  { KEY_ECDSA, OP_VERIFY_HASH, ALG_RSA_OAEP, PARSEC_ERROR_INVALID_INPUT },
  { KEY_RSA_OAEP, OP_ASYMMETRIC_ENCRYPT, ALG_RSA_PSS, PARSEC_ERROR_INVALID_INPUT },
  { KEY_RSA_OAEP, OP_ASYMMETRIC_DECRYPT, ALG_GCM, PARSEC_ERROR_INVALID_INPUT },
  { KEY_AES_GCM, OP_AEAD_ENCRYPT, ALG_ECDSA, PARSEC_ERROR_INVALID_INPUT },
  { KEY_AES_GCM, OP_AEAD_DECRYPT, ALG_RSA_OAEP, PARSEC_ERROR_INVALID_INPUT },
};

typedef struct {
  const MisuseCase *cases;
  gsize n_cases;
} MisuseTable;

static const MisuseTable not_permitted = { not_permitted_cases, G_N_ELEMENTS (not_permitted_cases) };
static const MisuseTable wrong_family = { wrong_family_cases, G_N_ELEMENTS (wrong_family_cases) };

/* A misuse is refused with its own error where the provider can do the
 * operation at all; otherwise with the provider's limit, first found. */
static void
assert_misuse_refused (Fixture          *f,
                       const MisuseCase *c,
                       gboolean          key_made,
                       const GError     *error)
{
  if (g_error_matches (error, PARSEC_ERROR, c->expected))
    return;
  /* The provider lists no such operation (the TPM provider exports no
   * private key and has no AEAD or key agreement): the library refuses
   * it first. */
  if (!key_op_offered (f, c->op))
    g_assert_error ((GError *) error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
  /* The provider holds no such key (the TPM provider: no AES or ECDH
   * keys; generate() checked the refusal). */
  else if (!key_made)
    g_assert_error ((GError *) error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  /* The TPM provider signs with PKCS #1 v1.5 and ECDSA only, and says so
   * before it looks at the key's policy. */
  else if (f->provider->provider == PARSEC_PROVIDER_TPM && c->alg == ALG_RSA_PSS)
    g_assert_error ((GError *) error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED);
  else
    g_assert_error ((GError *) error, PARSEC_ERROR, c->expected);
}

static void
test_misuse (Fixture       *f,
             gconstpointer  user_data)
{
  const MisuseTable *table = f->data;
  const KeyKind kinds[] = { KEY_ECDSA, KEY_RSA_PKCS1V15_SIGN, KEY_RSA_OAEP, KEY_AES_GCM, KEY_ECDH };
  g_autoptr(ParsecAlgorithm) ecdsa = alg_new (ALG_ECDSA, OP_LAST);
  g_autoptr(GBytes) data = bytes_from_string ("still usable");
  g_autoptr(GBytes) hash = digest (PARSEC_HASH_SHA_256, data);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  gboolean made[G_N_ELEMENTS (kinds)];

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(ParsecKeyAttributes) attributes = key_kind_attributes (kinds[i]);
      g_autofree char *name = g_strdup_printf ("key-%d", kinds[i]);

      g_assert_cmpint (kinds[i], ==, i);
      made[i] = generate (f, name, attributes) != KEY_REFUSED;
    }

  for (gsize i = 0; i < table->n_cases; i++)
    {
      const MisuseCase *c = &table->cases[i];
      g_autoptr(ParsecAlgorithm) algorithm = alg_new (c->alg, c->op);
      g_autofree char *name = g_strdup_printf ("key-%d", c->key);

      g_test_message ("key %d, operation %d, algorithm %d", c->key, c->op, c->alg);
      g_assert_false (run_key_op (f, c->op, name, algorithm, &error));
      assert_misuse_refused (f, c, made[c->key], error);
      g_clear_error (&error);
    }

  /* The refusals left the keys as they were. */
  signature = KEY_CALL (f, key_of (f, "key-0"), sign_data, &error, data);
  g_assert_no_error (error);
  g_assert_true (CALL (f, verify_hash, &error, "key-0", ecdsa, hash, signature));
  g_assert_no_error (error);
}

/* Registration */

static GPtrArray *test_data;

typedef void (*TestFunc) (Fixture       *f,
                          gconstpointer  user_data);

static void
add (const char    *path,
     TestFunc       func,
     gconstpointer  data,
     ServiceFlags   flags)
{
  for (guint async = 0; async < 2; async++)
    {
      TestData *test = g_new0 (TestData, 1);
      g_autofree char *full = g_strdup_printf ("/parsec/e2e/%s/%s", path, async ? "async" : "sync");

      test->async = async;
      test->flags = flags;
      test->data = data;
      g_ptr_array_add (test_data, test);
      g_test_add (full, Fixture, test, fixture_setup, func, fixture_teardown);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  test_data = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i < G_N_ELEMENTS (sign_cases); i++)
    {
      g_autofree char *hash_path = g_strdup_printf ("sign-hash/%s", sign_cases[i].name);
      g_autofree char *data_path = g_strdup_printf ("sign-data/%s", sign_cases[i].name);
      g_autofree char *message_path = g_strdup_printf ("sign-message/%s", sign_cases[i].name);

      add (hash_path, test_sign_hash, &sign_cases[i], SERVICE_PLAIN);
      add (data_path, test_sign_data, &sign_cases[i], SERVICE_PLAIN);
      if (sign_cases[i].scheme != PARSEC_SIGNATURE_SCHEME_ECDSA_ANY)
        add (message_path, test_sign_message, &sign_cases[i], SERVICE_SIGN_MESSAGE);
    }
  add ("sign-message/unsupported", test_sign_message_unsupported, NULL, SERVICE_PLAIN);

  add ("keys/generate-default", test_generate_default, NULL, SERVICE_PLAIN);
  add ("keys/attributes", test_key_attributes, NULL, SERVICE_PLAIN);
  add ("keys/lookup", test_lookup_key, NULL, SERVICE_PLAIN);
  add ("keys/policy-algorithm", test_key_policy_algorithm, NULL, SERVICE_PLAIN);
  add ("keys/without-attributes", test_key_without_attributes, NULL, SERVICE_PLAIN);
  add ("keys/replaced", test_key_replaced, NULL, SERVICE_PLAIN);
  add ("keys/request-count", test_request_count, NULL, SERVICE_REQUEST_LOG);
  add ("keys/destroy", test_destroy_key, NULL, SERVICE_PLAIN);
  add ("keys/names", test_key_names, NULL, SERVICE_PLAIN);
  add ("keys/import-public", test_import_public_key, NULL, SERVICE_PLAIN);
  add ("keys/duplicate-name", test_duplicate_name, NULL, SERVICE_PLAIN);
  for (gsize i = 0; i < G_N_ELEMENTS (export_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("keys/export-public/%s", export_cases[i].name);

      add (path, test_export_public_key, &export_cases[i], SERVICE_PLAIN);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (export_import_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("keys/export-import/%s", export_import_cases[i].name);

      add (path, test_export_import, &export_import_cases[i], SERVICE_PLAIN);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (encrypt_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("asymmetric-encrypt/%s", encrypt_cases[i].name);

      add (path, test_asymmetric_encrypt, &encrypt_cases[i], SERVICE_PLAIN);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (aead_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("aead/%s", aead_cases[i].name);

      add (path, test_aead, &aead_cases[i], SERVICE_PLAIN);
    }
  add ("aead/known-answer", test_aead_known_answer, NULL, SERVICE_PLAIN);
  add ("hash", test_hash, NULL, SERVICE_PLAIN);
  for (gsize i = 0; i < G_N_ELEMENTS (ecdh_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("raw-key-agreement/ecdh-%s", ecdh_cases[i].name);

      add (path, test_raw_key_agreement, &ecdh_cases[i], SERVICE_PLAIN);
    }
  add ("generate-random", test_generate_random, NULL, SERVICE_PLAIN);
  add ("can-do-crypto", test_can_do_crypto, NULL, SERVICE_PLAIN);
  add ("unsupported", test_unsupported, NULL, SERVICE_PLAIN);

  add ("errors/no-such-key", test_no_such_key, NULL, SERVICE_PLAIN);
  add ("errors/not-permitted", test_misuse, &not_permitted, SERVICE_PLAIN);
  add ("errors/wrong-family", test_misuse, &wrong_family, SERVICE_PLAIN);

  status = g_test_run ();
  g_ptr_array_unref (test_data);
  return status;
}
