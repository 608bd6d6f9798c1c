/* test-attestation.c: TPM ActivateCredential key attestation, verified
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The test plays the remote verifier of docs/attestation.md: it prepares
 * the attestation of a key, checks what the service gave (the attested
 * key's TPM name and public area, the endorsement key's public key)
 * against the key's own public key, makes a credential for that name with
 * tpm2-tools' software TPM2_MakeCredential (`tpm2_makecredential -T none`)
 * and checks that the service gives the secret back, and only for the
 * key the credential names.
 *
 * Only the TPM provider attests keys: the test asks the provider in use
 * for its operations, and where they are missing checks the error a
 * caller gets instead.
 */
#include <string.h>

#include <glib/gstdio.h>
#include <parsec-glib/parsec-glib.h>

#include "service-fixture.h"
#include "tpm-marshal.h"

/* TPM 2.0 constants (TPM 2.0 Library Part 2, Structures) */
#define TPM_ALG_RSA       0x0001
#define TPM_ALG_SHA256    0x000B
#define TPM_ALG_NULL      0x0010
#define TPM_ALG_RSASSA    0x0014
#define TPM_ALG_RSAES     0x0015
#define TPM_ALG_ECDSA     0x0018
#define TPM_ALG_OAEP      0x0017
#define TPM_ALG_ECC       0x0023
#define TPM_ECC_NIST_P256 0x0003

/* fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign */
#define SIGNING_KEY_ATTRIBUTES    0x00040072u
/* … and decrypt */
#define DECRYPTION_KEY_ATTRIBUTES 0x00060072u

/* tpm2-tools' credential file: magic, version, TPM2B_ID_OBJECT,
 * TPM2B_ENCRYPTED_SECRET */
#define CREDENTIAL_FILE_MAGIC 0xBADCC0DEu

typedef struct {
  ParsecTestService *service;
  ParsecClient *client;
  gboolean offered;
  char *dir;
} Fixture;

static void
fixture_start (Fixture            *f,
               const char * const *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) opcodes = NULL;

  f->service = parsec_test_service_start_with_args (NULL, NULL, args, &error);
  g_assert_no_error (error);
  f->client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                              "endpoint", parsec_test_service_get_endpoint (f->service),
                              "application-name", "attestation-app",
                              NULL);
  g_assert_no_error (error);
  g_assert_true (parsec_client_discover (f->client, NULL, &error));
  g_assert_no_error (error);
  opcodes = parsec_client_list_opcodes (f->client, parsec_client_get_implicit_provider (f->client),
                                        NULL, &error);
  g_assert_no_error (error);
  f->offered = parsec_test_opcodes_contain (opcodes, PARSEC_OPCODE_PREPARE_KEY_ATTESTATION) &&
               parsec_test_opcodes_contain (opcodes, PARSEC_OPCODE_ATTEST_KEY);
  f->dir = g_dir_make_tmp ("parsec-glib-attestation-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  user_data)
{
  fixture_start (f, NULL);
}

/* The test service playing the TPM provider; tests run with it are the
 * same as against a real TPM, so the two agree. */
static void
fixture_setup_tpm_double (Fixture       *f,
                          gconstpointer  user_data)
{
  const char * const args[] = { "--provider", "tpm", NULL };

  fixture_start (f, args);
  g_assert_true (f->offered);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  user_data)
{
  g_clear_object (&f->client);
  parsec_test_service_free (f->service);
  parsec_test_remove_tree (f->dir);
  g_free (f->dir);
}

/* The unsigned big-endian magnitude of the first INTEGER of an
 * RSAPublicKey, the modulus. */
static GBytes *
rsa_modulus (GBytes *rsa_public_key)
{
  gsize len, pos = 0, n;
  const guint8 *der = g_bytes_get_data (rsa_public_key, &len);

  /* SEQUENCE header, then INTEGER header; lengths in short or long form */
  for (guint level = 0; level < 2; level++)
    {
      g_assert_cmpuint (len, >, pos + 2);
      g_assert_cmpuint (der[pos], ==, level == 0 ? 0x30 : 0x02);
      n = der[pos + 1];
      pos += 2;
      if (n & 0x80)
        {
          guint octets = n & 0x7f;

          g_assert_cmpuint (octets, <=, 2);
          for (n = 0; octets > 0; octets--)
            n = n << 8 | der[pos++];
        }
    }
  g_assert_cmpuint (pos + n, <=, len);
  while (n > 0 && der[pos] == 0)
    pos++, n--;
  return g_bytes_new (der + pos, n);
}

/* The TPMT_PUBLIC the TPM provider gives its keys (tss-esapi's transient
 * key template), with @public_key, the PSA export, as its unique field. */
static GBytes *
expected_public_area (ParsecKeyAttributes *attributes,
                      GBytes              *public_key)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  ParsecAlgorithm *algorithm = parsec_key_attributes_get_algorithm (attributes);
  gsize len;
  const guint8 *data;

  if (parsec_key_attributes_get_key_type (attributes) == PARSEC_KEY_TYPE_RSA_KEY_PAIR)
    {
      g_autoptr(GBytes) modulus = rsa_modulus (public_key);
      gboolean signing = parsec_algorithm_get_kind (algorithm) == PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE;

      tpm_put16 (out, TPM_ALG_RSA);
      tpm_put16 (out, TPM_ALG_SHA256);
      tpm_put32 (out, signing ? SIGNING_KEY_ATTRIBUTES : DECRYPTION_KEY_ATTRIBUTES);
      tpm_put16 (out, 0);                   /* authPolicy */
      tpm_put16 (out, TPM_ALG_NULL);        /* symmetric */
      if (signing)
        {
          tpm_put16 (out, TPM_ALG_RSASSA);
          tpm_put16 (out, TPM_ALG_SHA256);
        }
      else
        tpm_put16 (out, TPM_ALG_NULL);      /* the scheme is chosen per operation */
      tpm_put16 (out, (guint16) parsec_key_attributes_get_bits (attributes));
      tpm_put32 (out, 0);                   /* exponent: the default, 65537 */
      data = g_bytes_get_data (modulus, &len);
      tpm_put_sized (out, data, len);
    }
  else
    {
      data = g_bytes_get_data (public_key, &len);
      g_assert_cmpuint (len, ==, 65);
      g_assert_cmpuint (data[0], ==, 0x04);
      tpm_put16 (out, TPM_ALG_ECC);
      tpm_put16 (out, TPM_ALG_SHA256);
      tpm_put32 (out, SIGNING_KEY_ATTRIBUTES);
      tpm_put16 (out, 0);
      tpm_put16 (out, TPM_ALG_NULL);
      tpm_put16 (out, TPM_ALG_ECDSA);
      tpm_put16 (out, TPM_ALG_SHA256);
      tpm_put16 (out, TPM_ECC_NIST_P256);
      tpm_put16 (out, TPM_ALG_NULL);        /* kdf */
      tpm_put_sized (out, data + 1, 32);
      tpm_put_sized (out, data + 33, 32);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static ParsecKeyAttributes *
attributes_for (const char *kind)
{
  if (g_str_equal (kind, "ecdsa"))
    return parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  if (g_str_equal (kind, "rsa-sign"))
    {
      g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256);

      return parsec_key_attributes_new_rsa_signing (2048, algorithm);
    }
  if (g_str_equal (kind, "rsa-decrypt"))
    {
      g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_rsa_pkcs1v15_crypt ();

      return parsec_key_attributes_new_rsa_encryption (2048, algorithm);
    }
  g_assert_not_reached ();
}

/* The verifier: tpm2-tools makes the credential for @name with the
 * endorsement key's public key; the blob and secret are the two sized
 * structures of its output file, without their sizes. */
static void
make_credential (Fixture     *f,
                 GBytes      *endorsement_key,
                 GBytes      *name,
                 GBytes      *secret,
                 GBytes     **credential_blob,
                 GBytes     **encrypted_secret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) ek_attributes = NULL;
  g_autoptr(ParsecAlgorithm) oaep = parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) pem = NULL;
  g_autofree char *ek_path = g_build_filename (f->dir, "ek.pem", NULL);
  g_autofree char *secret_path = g_build_filename (f->dir, "secret", NULL);
  g_autofree char *out_path = g_build_filename (f->dir, "credential", NULL);
  g_autofree char *name_hex = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree guint8 *file = NULL;
  gsize len, blob_len, secret_len;
  int status;
  const guint8 *name_data;

  /* The endorsement key is an RSA 2048 decryption key: its public key
   * arrives as an RSAPublicKey, which tpm2-tools reads as PEM. */
  ek_attributes = parsec_key_attributes_new_rsa_encryption (2048, oaep);
  pem = parsec_public_key_convert (ek_attributes, endorsement_key, PARSEC_PUBLIC_KEY_FORMAT_PEM, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (ek_path, g_bytes_get_data (pem, NULL), g_bytes_get_size (pem), &error));
  g_assert_true (g_file_set_contents (secret_path, g_bytes_get_data (secret, NULL), g_bytes_get_size (secret), &error));
  name_data = g_bytes_get_data (name, &len);
  name_hex = g_malloc (2 * len + 1);
  for (gsize i = 0; i < len; i++)
    g_snprintf (name_hex + 2 * i, 3, "%02x", name_data[i]);

  {
    const char *argv[] = {
      "tpm2_makecredential", "-T", "none", "-G", "rsa", "-u", ek_path, "-s", secret_path,
      "-n", name_hex, "-o", out_path, NULL,
    };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, &error))
      g_error ("tpm2_makecredential: %s\n%s", error->message, err);
  }

  g_assert_true (g_file_get_contents (out_path, (char **) &file, &len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 12);
  g_assert_cmphex (GUINT32_FROM_BE (*(guint32 *) file), ==, CREDENTIAL_FILE_MAGIC);
  blob_len = file[8] << 8 | file[9];
  g_assert_cmpuint (len, >=, 12 + blob_len);
  secret_len = file[10 + blob_len] << 8 | file[11 + blob_len];
  g_assert_cmpuint (len, ==, 12 + blob_len + secret_len);
  *credential_blob = g_bytes_new (file + 10, blob_len);
  *encrypted_secret = g_bytes_new (file + 12 + blob_len, secret_len);
}

static gboolean
verifier_available (void)
{
  g_autofree char *path = g_find_program_in_path ("tpm2_makecredential");

  if (path == NULL)
    {
      g_test_skip ("the verifier's tool, tpm2_makecredential (tpm2-tools), is not installed");
      return FALSE;
    }
  return TRUE;
}

/* What a client sees of the preparation: the name is SHA-256 over the
 * public area, the public area is the provider's template around the
 * key's own public key, the endorsement key an RSA 2048 public key. */
static void
check_preparation (ParsecKeyAttestationPreparation *preparation,
                   ParsecKeyAttributes             *attributes,
                   GBytes                          *public_key)
{
  g_autoptr(GBytes) expected = expected_public_area (attributes, public_key);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  GBytes *name = parsec_key_attestation_preparation_get_name (preparation);
  GBytes *public_area = parsec_key_attestation_preparation_get_public_area (preparation);
  GBytes *ek = parsec_key_attestation_preparation_get_attesting_key_public (preparation);
  guint8 digest[32];
  gsize digest_len = sizeof digest, len;
  const guint8 *data;

  g_assert_cmpmem (g_bytes_get_data (public_area, NULL), g_bytes_get_size (public_area),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
  g_checksum_update (checksum, g_bytes_get_data (public_area, NULL), g_bytes_get_size (public_area));
  g_checksum_get_digest (checksum, digest, &digest_len);
  data = g_bytes_get_data (name, &len);
  g_assert_cmpuint (len, ==, 2 + sizeof digest);
  g_assert_cmpuint (data[0] << 8 | data[1], ==, TPM_ALG_SHA256);
  g_assert_cmpmem (data + 2, len - 2, digest, sizeof digest);

  {
    g_autoptr(GBytes) modulus = rsa_modulus (ek);
    const guint8 *der = g_bytes_get_data (ek, &len);

    g_assert_cmpuint (g_bytes_get_size (modulus), ==, 256);
    /* …followed by the INTEGER 65537, the last thing in the key */
    g_assert_cmpuint (len, >, 5);
    g_assert_cmpmem (der + len - 5, 5, ((const guint8[]) { 0x02, 0x03, 0x01, 0x00, 0x01 }), 5);
  }
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  user_data)
{
  const char *kind = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = attributes_for (kind);
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(ParsecKeyAttestationPreparation) preparation = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) encrypted_secret = NULL;
  g_autoptr(GBytes) credential = NULL;
  guint8 secret_data[32];

  key = parsec_client_generate_key (f->client, kind, attributes, NULL, &error);
  g_assert_no_error (error);
  preparation = parsec_client_prepare_key_attestation (f->client, kind, NULL, NULL, &error);
  if (!f->offered)
    {
      /* The Mbed Crypto provider has no attestation. The client knows
       * from the ListOpcodes answer and refuses without asking. */
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_assert_null (preparation);
      return;
    }
  g_assert_no_error (error);
  public_key = parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_PSA, NULL, &error);
  g_assert_no_error (error);
  check_preparation (preparation, attributes, public_key);

  if (!verifier_available ())
    return;
  for (gsize i = 0; i < sizeof secret_data; i++)
    secret_data[i] = (guint8) g_test_rand_int ();
  secret = g_bytes_new (secret_data, sizeof secret_data);
  make_credential (f, parsec_key_attestation_preparation_get_attesting_key_public (preparation),
                   parsec_key_attestation_preparation_get_name (preparation), secret,
                   &blob, &encrypted_secret);
  credential = parsec_client_attest_key (f->client, kind, blob, encrypted_secret, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (credential, NULL), g_bytes_get_size (credential),
                   secret_data, sizeof secret_data);
}

/* A credential made for another key's name does not open with this key:
 * the TPM's integrity check fails, and the caller gets a typed error. */
static void
test_wrong_key (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = attributes_for ("ecdsa");
  g_autoptr(ParsecKey) attested = NULL;
  g_autoptr(ParsecKey) other = NULL;
  g_autoptr(ParsecKeyAttestationPreparation) other_preparation = NULL;
  g_autoptr(GBytes) secret = g_bytes_new_static ("the verifier's nonce, 32 bytes..", 32);
  g_autoptr(GBytes) blob = NULL;
  g_autoptr(GBytes) encrypted_secret = NULL;
  g_autoptr(GBytes) credential = NULL;

  attested = parsec_client_generate_key (f->client, "attested", attributes, NULL, &error);
  g_assert_no_error (error);
  other = parsec_client_generate_key (f->client, "other", attributes, NULL, &error);
  g_assert_no_error (error);
  other_preparation = parsec_client_prepare_key_attestation (f->client, "other", NULL, NULL, &error);
  if (!f->offered)
    {
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      return;
    }
  g_assert_no_error (error);
  if (!verifier_available ())
    return;
  make_credential (f, parsec_key_attestation_preparation_get_attesting_key_public (other_preparation),
                   parsec_key_attestation_preparation_get_name (other_preparation), secret,
                   &blob, &encrypted_secret);

  /* The TPM fails its integrity check (TPM_RC_INTEGRITY), which Parsec
   * 1.5.0's TPM provider answers as PsaErrorCommunicationFailure; the
   * library's message names the likely cause. */
  credential = parsec_client_attest_key (f->client, "attested", blob, encrypted_secret, NULL, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_COMMUNICATION_FAILURE);
  g_assert_nonnull (strstr (error->message, "not made for this key"));
  g_assert_null (credential);

  /* The key the credential names still opens it. */
  g_clear_error (&error);
  credential = parsec_client_attest_key (f->client, "other", blob, encrypted_secret, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (credential, secret));
}

/* A damaged challenge is refused, not answered. */
static void
test_damaged (Fixture       *f,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = attributes_for ("ecdsa");
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) blob = g_bytes_new_static ("\x00\x01", 2);
  g_autoptr(GBytes) secret = g_bytes_new_static ("\x00", 1);
  g_autoptr(GBytes) credential = NULL;

  key = parsec_client_generate_key (f->client, "k", attributes, NULL, &error);
  g_assert_no_error (error);
  credential = parsec_client_attest_key (f->client, "k", blob, secret, NULL, NULL, &error);
  g_assert_null (credential);
  if (!f->offered)
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
  else
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT);

  /* An unknown key is named as such. */
  g_clear_error (&error);
  credential = parsec_client_attest_key (f->client, "missing", blob, secret, NULL, NULL, &error);
  g_assert_null (credential);
  g_assert_nonnull (error);
  if (!f->offered)
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
  else
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* Against the service in use: what its provider offers */
  g_test_add ("/attestation/round-trip/ecdsa", Fixture, "ecdsa", fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/attestation/round-trip/rsa-sign", Fixture, "rsa-sign", fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/attestation/round-trip/rsa-decrypt", Fixture, "rsa-decrypt", fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/attestation/wrong-key", Fixture, NULL, fixture_setup, test_wrong_key, fixture_teardown);
  g_test_add ("/attestation/damaged", Fixture, NULL, fixture_setup, test_damaged, fixture_teardown);
  /* The test service plays the TPM provider's attestation on request. */
  if (parsec_test_service_is_ours ())
    {
      g_test_add ("/attestation/tpm-double/round-trip/ecdsa", Fixture, "ecdsa", fixture_setup_tpm_double, test_round_trip, fixture_teardown);
      g_test_add ("/attestation/tpm-double/round-trip/rsa-sign", Fixture, "rsa-sign", fixture_setup_tpm_double, test_round_trip, fixture_teardown);
      g_test_add ("/attestation/tpm-double/round-trip/rsa-decrypt", Fixture, "rsa-decrypt", fixture_setup_tpm_double, test_round_trip, fixture_teardown);
      g_test_add ("/attestation/tpm-double/wrong-key", Fixture, NULL, fixture_setup_tpm_double, test_wrong_key, fixture_teardown);
      g_test_add ("/attestation/tpm-double/damaged", Fixture, NULL, fixture_setup_tpm_double, test_damaged, fixture_teardown);
    }
  return g_test_run ();
}
