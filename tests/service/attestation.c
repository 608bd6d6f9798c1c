/* attestation.c: the TPM provider's key attestation (ActivateCredential)
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * What a client sees is what Parsec 1.5.0's TPM provider gives
 * (providers/tpm/key_attestation.rs with tss-esapi 7's transient context):
 * PrepareKeyAttestation answers the attested key's TPM name (SHA-256 over
 * its public area), its public area (a marshalled TPMT_PUBLIC, the
 * template tss-esapi makes keys with around the key's public key) and the
 * endorsement key's public key as an RSAPublicKey. AttestKey does what
 * TPM2_ActivateCredential does (TPM 2.0 Library Part 1, "Credential
 * Protection"), in software: the "endorsement key" is an RSA 2048 key
 * kept in the key directory, so a verifier's tpm2_makecredential works
 * against it as against a TPM.
 *
 * Statuses follow the real provider: only the default attesting key
 * (PsaErrorNotSupported otherwise), the key's lookup, its attributes as
 * utils::parsec_to_tpm_params() judges them, then the TPM's answers as
 * the provider maps them: a malformed challenge is PsaErrorInvalidArgument
 * (TPM_RC_SIZE, TPM_RC_VALUE), a failed integrity check
 * PsaErrorCommunicationFailure.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "der.h"
#include "parsec-secure-private.h"
#include "test-service.h"
#include "tpm-marshal.h"

#include "attest_key.pb-c.h"
#include "prepare_key_attestation.pb-c.h"

#define RETURN_IF_FAILED(expr) \
  G_STMT_START { guint16 status_ = (expr); if (status_ != STATUS_SUCCESS) return status_; } G_STMT_END

#define TPM_ALG_RSA     0x0001
#define TPM_ALG_SHA1    0x0004
#define TPM_ALG_SHA256  0x000B
#define TPM_ALG_SHA384  0x000C
#define TPM_ALG_SHA512  0x000D
#define TPM_ALG_NULL    0x0010
#define TPM_ALG_RSASSA  0x0014
#define TPM_ALG_RSAPSS  0x0016
#define TPM_ALG_ECDSA   0x0018
#define TPM_ALG_ECC     0x0023
#define TPM_ALG_SHA3_256 0x0027
#define TPM_ALG_SHA3_384 0x0028
#define TPM_ALG_SHA3_512 0x0029

/* fixedTPM | fixedParent | sensitiveDataOrigin | userWithAuth | sign;
 * decryption keys add decrypt. */
#define OBJECT_SIGN     0x00040072u
#define OBJECT_DECRYPT  0x00020000u

#define ENDORSEMENT_KEY_FILE "endorsement-key"
#define ENDORSEMENT_KEY_BITS 2048
#define SEED_SIZE       32      /* the endorsement key's name algorithm, SHA-256 */
#define SYM_KEY_SIZE    16      /* its symmetric algorithm, AES-128 in CFB mode */

typedef psa_key_id_t VolatileKey;

static void
volatile_key_destroy (VolatileKey key)
{
  psa_destroy_key (key);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (VolatileKey, volatile_key_destroy, PSA_KEY_ID_NULL)

/* utils::convert_hash_to_tpm() */
static guint16
tpm_hash (psa_algorithm_t  hash,
          guint           *out)
{
  switch (hash)
    {
    case PSA_ALG_SHA_1: *out = TPM_ALG_SHA1; return STATUS_SUCCESS;
    case PSA_ALG_SHA_256: *out = TPM_ALG_SHA256; return STATUS_SUCCESS;
    case PSA_ALG_SHA_384: *out = TPM_ALG_SHA384; return STATUS_SUCCESS;
    case PSA_ALG_SHA_512: *out = TPM_ALG_SHA512; return STATUS_SUCCESS;
    case PSA_ALG_SHA3_256: *out = TPM_ALG_SHA3_256; return STATUS_SUCCESS;
    case PSA_ALG_SHA3_384: *out = TPM_ALG_SHA3_384; return STATUS_SUCCESS;
    case PSA_ALG_SHA3_512: *out = TPM_ALG_SHA3_512; return STATUS_SUCCESS;
    default: return STATUS_PSA_NOT_SUPPORTED;
    }
}

/* The RSA parameters and unique field of the public area. */
static guint16
rsa_public_area (gsize           bits,
                 psa_algorithm_t alg,
                 const guint8   *public_key,
                 gsize           public_len,
                 GByteArray     *out)
{
  DerCursor cursor, key, modulus;
  guint32 attributes = OBJECT_SIGN;
  guint scheme = TPM_ALG_NULL, hash = 0;

  if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
    return STATUS_PSA_INVALID_ARGUMENT;
  if (PSA_ALG_IS_RSA_PKCS1V15_SIGN (alg) || PSA_ALG_IS_RSA_PSS (alg))
    {
      psa_algorithm_t sign_hash = PSA_ALG_SIGN_GET_HASH (alg);

      if (sign_hash == 0 || sign_hash == PSA_ALG_ANY_HASH)
        return STATUS_PSA_NOT_SUPPORTED;
      RETURN_IF_FAILED (tpm_hash (sign_hash, &hash));
      scheme = PSA_ALG_IS_RSA_PSS (alg) ? TPM_ALG_RSAPSS : TPM_ALG_RSASSA;
    }
  else if (alg == PSA_ALG_RSA_PKCS1V15_CRYPT || PSA_ALG_IS_RSA_OAEP (alg))
    {
      if (PSA_ALG_IS_RSA_OAEP (alg))
        RETURN_IF_FAILED (tpm_hash (PSA_ALG_RSA_OAEP_GET_HASH (alg), &hash));
      /* The scheme is chosen per operation. */
      attributes |= OBJECT_DECRYPT;
    }
  else
    return STATUS_PSA_INVALID_ARGUMENT;

  /* The PSA export is an RSAPublicKey: SEQUENCE { modulus, exponent } */
  der_cursor_init (&cursor, public_key, public_len);
  if (!der_expect (&cursor, DER_SEQUENCE, &key, NULL) || !der_expect_uint (&key, &modulus))
    return STATUS_PSA_STORAGE_FAILURE;

  tpm_put16 (out, TPM_ALG_RSA);
  tpm_put16 (out, TPM_ALG_SHA256);
  tpm_put32 (out, attributes);
  tpm_put16 (out, 0);                       /* authPolicy */
  tpm_put16 (out, TPM_ALG_NULL);            /* symmetric */
  tpm_put16 (out, scheme);
  if (scheme != TPM_ALG_NULL)
    tpm_put16 (out, hash);
  tpm_put16 (out, (guint) bits);
  tpm_put32 (out, 0);                       /* exponent: the default, 65537 */
  tpm_put_sized (out, modulus.p, der_cursor_len (&modulus));
  return STATUS_SUCCESS;
}

static guint16
ecc_public_area (psa_key_type_t  type,
                 gsize           bits,
                 psa_algorithm_t alg,
                 const guint8   *public_key,
                 gsize           public_len,
                 GByteArray     *out)
{
  gsize coordinate = PSA_BITS_TO_BYTES (bits);
  guint hash, curve;

  if (PSA_ALG_IS_DETERMINISTIC_ECDSA (alg) ||
      (PSA_ALG_IS_RANDOMIZED_ECDSA (alg) && PSA_ALG_SIGN_GET_HASH (alg) == PSA_ALG_ANY_HASH))
    return STATUS_PSA_NOT_SUPPORTED;
  if (!PSA_ALG_IS_RANDOMIZED_ECDSA (alg) || PSA_ALG_SIGN_GET_HASH (alg) == 0)
    return STATUS_PSA_INVALID_ARGUMENT;
  RETURN_IF_FAILED (tpm_hash (PSA_ALG_SIGN_GET_HASH (alg), &hash));
  if (PSA_KEY_TYPE_ECC_GET_FAMILY (type) != PSA_ECC_FAMILY_SECP_R1)
    return STATUS_PSA_NOT_SUPPORTED;
  switch (bits)
    {
    case 192: curve = 0x0001; break;
    case 224: curve = 0x0002; break;
    case 256: curve = 0x0003; break;
    case 384: curve = 0x0004; break;
    case 521: curve = 0x0005; break;
    default: return STATUS_PSA_NOT_SUPPORTED;
    }
  if (public_len != 1 + 2 * coordinate || public_key[0] != 0x04)
    return STATUS_PSA_STORAGE_FAILURE;

  tpm_put16 (out, TPM_ALG_ECC);
  tpm_put16 (out, TPM_ALG_SHA256);
  tpm_put32 (out, OBJECT_SIGN);
  tpm_put16 (out, 0);
  tpm_put16 (out, TPM_ALG_NULL);
  tpm_put16 (out, TPM_ALG_ECDSA);
  tpm_put16 (out, hash);
  tpm_put16 (out, curve);
  tpm_put16 (out, TPM_ALG_NULL);            /* kdf */
  tpm_put_sized (out, public_key + 1, coordinate);
  tpm_put_sized (out, public_key + 1 + coordinate, coordinate);
  return STATUS_SUCCESS;
}

/* The attested key's public area and name, as the TPM would have them. */
static guint16
attested_key_area (const Caller  *caller,
                   const char    *name,
                   GBytes       **public_area,
                   GBytes       **tpm_name)
{
  g_autoptr(StoredKey) stored = NULL;
  g_autoptr(GByteArray) area = g_byte_array_new ();
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  psa_key_type_t type;
  psa_algorithm_t alg;
  gsize bits, public_len = 0;
  guint8 public_key[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
  guint8 digest[PSA_HASH_LENGTH (PSA_ALG_SHA_256)];
  gsize digest_len;
  guint16 status = STATUS_SUCCESS;
  g_autoptr(GByteArray) name_bytes = g_byte_array_new ();

  RETURN_IF_FAILED (keystore_load (caller->service->keys, caller->app, name, &stored));
  if (convert_key_attributes (stored->attributes, &attributes) != STATUS_SUCCESS)
    return STATUS_PSA_STORAGE_FAILURE;
  type = psa_get_key_type (&attributes);
  bits = psa_get_key_bits (&attributes);
  alg = psa_get_key_algorithm (&attributes);
  if (!PSA_KEY_TYPE_IS_RSA (type) && !PSA_KEY_TYPE_IS_ECC (type))
    status = STATUS_PSA_NOT_SUPPORTED;
  if (status == STATUS_SUCCESS)
    {
      /* Only the public key is needed: the stored material goes into PSA
       * without the policy's usage, for the export alone. */
      psa_set_key_usage_flags (&attributes, PSA_KEY_USAGE_EXPORT);
      status = service_status_from_psa (psa_import_key (&attributes, stored->material, stored->material_len, &key));
    }
  psa_reset_key_attributes (&attributes);
  if (status == STATUS_SUCCESS)
    status = service_status_from_psa (psa_export_public_key (key, public_key, sizeof public_key, &public_len));
  if (status == STATUS_SUCCESS)
    status = PSA_KEY_TYPE_IS_RSA (type)
             ? rsa_public_area (bits, alg, public_key, public_len, area)
             : ecc_public_area (type, bits, alg, public_key, public_len, area);
  if (status != STATUS_SUCCESS)
    return status;

  if (psa_hash_compute (PSA_ALG_SHA_256, area->data, area->len, digest, sizeof digest, &digest_len) != PSA_SUCCESS)
    return STATUS_PSA_GENERIC_ERROR;
  tpm_put16 (name_bytes, TPM_ALG_SHA256);
  g_byte_array_append (name_bytes, digest, (guint) digest_len);
  *public_area = g_byte_array_free_to_bytes (g_steal_pointer (&area));
  *tpm_name = g_byte_array_free_to_bytes (g_steal_pointer (&name_bytes));
  return STATUS_SUCCESS;
}

/* The endorsement key, made on first use and kept in the key directory
 * like a TPM keeps its endorsement seed. */
static guint16
endorsement_key_open (const Caller *caller,
                      VolatileKey  *key)
{
  g_autofree char *path = g_build_filename (keystore_get_dir (caller->service->keys), ENDORSEMENT_KEY_FILE, NULL);
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  g_autofree guint8 *material = NULL;
  gsize material_len = 0;
  psa_status_t status;

  psa_set_key_type (&attributes, PSA_KEY_TYPE_RSA_KEY_PAIR);
  psa_set_key_bits (&attributes, ENDORSEMENT_KEY_BITS);
  psa_set_key_usage_flags (&attributes, PSA_KEY_USAGE_DECRYPT | PSA_KEY_USAGE_EXPORT);
  psa_set_key_algorithm (&attributes, PSA_ALG_RSA_OAEP (PSA_ALG_SHA_256));
  if (g_file_get_contents (path, (char **) &material, &material_len, NULL))
    {
      status = psa_import_key (&attributes, material, material_len, key);
      secure_wipe (material, material_len);
      return status == PSA_SUCCESS ? STATUS_SUCCESS : STATUS_PSA_STORAGE_FAILURE;
    }

  status = psa_generate_key (&attributes, key);
  if (status != PSA_SUCCESS)
    return service_status_from_psa (status);
  material_len = PSA_EXPORT_KEY_OUTPUT_SIZE (PSA_KEY_TYPE_RSA_KEY_PAIR, ENDORSEMENT_KEY_BITS);
  material = g_malloc (material_len);
  status = psa_export_key (*key, material, material_len, &material_len);
  if (status == PSA_SUCCESS &&
      !g_file_set_contents_full (path, (const char *) material, material_len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL))
    status = PSA_ERROR_STORAGE_FAILURE;
  secure_wipe (material, material_len);
  return service_status_from_psa (status);
}

/* KDFa (TPM 2.0 Part 1, 11.4.10.2): SP 800-108 counter mode with
 * HMAC-SHA-256; the label is given with its terminating NUL. */
static gboolean
kdfa (const guint8 *seed,
      const char   *label,
      const guint8 *context,
      gsize         context_len,
      guint8       *out,
      gsize         out_len)
{
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  g_autoptr(GByteArray) input = NULL;
  guint8 block[PSA_HASH_LENGTH (PSA_ALG_SHA_256)];
  gsize done = 0, block_len;
  guint32 counter = 0;

  psa_set_key_type (&attributes, PSA_KEY_TYPE_HMAC);
  psa_set_key_usage_flags (&attributes, PSA_KEY_USAGE_SIGN_MESSAGE);
  psa_set_key_algorithm (&attributes, PSA_ALG_HMAC (PSA_ALG_SHA_256));
  if (psa_import_key (&attributes, seed, SEED_SIZE, &key) != PSA_SUCCESS)
    return FALSE;
  while (done < out_len)
    {
      gsize n;

      input = g_byte_array_new ();
      tpm_put32 (input, ++counter);
      g_byte_array_append (input, (const guint8 *) label, (guint) strlen (label) + 1);
      g_byte_array_append (input, context, (guint) context_len);
      tpm_put32 (input, (guint32) (out_len * 8));
      if (psa_mac_compute (key, PSA_ALG_HMAC (PSA_ALG_SHA_256), input->data, input->len,
                           block, sizeof block, &block_len) != PSA_SUCCESS)
        return FALSE;
      g_clear_pointer (&input, g_byte_array_unref);
      n = MIN (block_len, out_len - done);
      memcpy (out + done, block, n);
      done += n;
    }
  secure_wipe (block, sizeof block);
  return TRUE;
}

/* TPM2_ActivateCredential: the seed from the secret with the endorsement
 * key, the blob's HMAC over the encrypted identity and the name, then the
 * identity (a TPM2B_DIGEST) decrypted. */
static guint16
activate_credential (const Caller  *caller,
                     GBytes        *name,
                     const guint8  *blob,
                     gsize          blob_len,
                     const guint8  *secret,
                     gsize          secret_len,
                     guint8       **credential,
                     gsize         *credential_len)
{
  static const char identity_label[] = "IDENTITY";
  g_auto(VolatileKey) endorsement_key = PSA_KEY_ID_NULL;
  g_auto(VolatileKey) hmac_key = PSA_KEY_ID_NULL;
  g_auto(VolatileKey) sym_key = PSA_KEY_ID_NULL;
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  guint8 seed[PSA_ASYMMETRIC_DECRYPT_OUTPUT_MAX_SIZE];
  guint8 hmac_secret[SEED_SIZE], sym_secret[SYM_KEY_SIZE];
  g_autofree guint8 *iv_and_identity = NULL;
  guint8 *identity;                     /* secure memory: the credential */
  g_autoptr(GByteArray) hmac_input = g_byte_array_new ();
  gsize seed_len = 0, hmac_len, encrypted_len, identity_len = 0, inner_len;
  const guint8 *encrypted;
  guint16 status;
  gboolean ok;

  /* TPM2B_ID_OBJECT: integrityHMAC (a TPM2B_DIGEST), then encIdentity */
  if (blob_len < 2)
    return STATUS_PSA_INVALID_ARGUMENT;
  hmac_len = blob[0] << 8 | blob[1];
  if (hmac_len != SEED_SIZE || blob_len <= 2 + hmac_len)
    return STATUS_PSA_INVALID_ARGUMENT;
  encrypted = blob + 2 + hmac_len;
  encrypted_len = blob_len - 2 - hmac_len;

  RETURN_IF_FAILED (endorsement_key_open (caller, &endorsement_key));
  if (psa_asymmetric_decrypt (endorsement_key, PSA_ALG_RSA_OAEP (PSA_ALG_SHA_256), secret, secret_len,
                              (const guint8 *) identity_label, sizeof identity_label,
                              seed, sizeof seed, &seed_len) != PSA_SUCCESS ||
      seed_len != SEED_SIZE)
    {
      secure_wipe (seed, sizeof seed);
      return STATUS_PSA_INVALID_ARGUMENT;
    }

  ok = kdfa (seed, "INTEGRITY", NULL, 0, hmac_secret, sizeof hmac_secret) &&
       kdfa (seed, "STORAGE", g_bytes_get_data (name, NULL), g_bytes_get_size (name), sym_secret, sizeof sym_secret);
  secure_wipe (seed, sizeof seed);
  if (!ok)
    return STATUS_PSA_GENERIC_ERROR;

  psa_set_key_type (&attributes, PSA_KEY_TYPE_HMAC);
  psa_set_key_usage_flags (&attributes, PSA_KEY_USAGE_VERIFY_MESSAGE);
  psa_set_key_algorithm (&attributes, PSA_ALG_HMAC (PSA_ALG_SHA_256));
  status = service_status_from_psa (psa_import_key (&attributes, hmac_secret, sizeof hmac_secret, &hmac_key));
  secure_wipe (hmac_secret, sizeof hmac_secret);
  psa_reset_key_attributes (&attributes);
  if (status != STATUS_SUCCESS)
    return status;
  g_byte_array_append (hmac_input, encrypted, (guint) encrypted_len);
  g_byte_array_append (hmac_input, g_bytes_get_data (name, NULL), (guint) g_bytes_get_size (name));
  /* TPM_RC_INTEGRITY, which the provider maps to this status */
  if (psa_mac_verify (hmac_key, PSA_ALG_HMAC (PSA_ALG_SHA_256), hmac_input->data, hmac_input->len,
                      blob + 2, hmac_len) != PSA_SUCCESS)
    return STATUS_PSA_COMMUNICATION_FAILURE;

  psa_set_key_type (&attributes, PSA_KEY_TYPE_AES);
  psa_set_key_usage_flags (&attributes, PSA_KEY_USAGE_DECRYPT);
  psa_set_key_algorithm (&attributes, PSA_ALG_CFB);
  status = service_status_from_psa (psa_import_key (&attributes, sym_secret, sizeof sym_secret, &sym_key));
  secure_wipe (sym_secret, sizeof sym_secret);
  psa_reset_key_attributes (&attributes);
  if (status != STATUS_SUCCESS)
    return status;
  /* PSA takes the IV in front of the ciphertext; the TPM's is zero. */
  iv_and_identity = g_malloc0 (16 + encrypted_len);
  memcpy (iv_and_identity + 16, encrypted, encrypted_len);
  identity = secure_alloc (encrypted_len);
  status = service_status_from_psa (psa_cipher_decrypt (sym_key, PSA_ALG_CFB, iv_and_identity, 16 + encrypted_len,
                                                        identity, encrypted_len, &identity_len));
  if (status == STATUS_SUCCESS)
    {
      inner_len = identity_len >= 2 ? (gsize) (identity[0] << 8 | identity[1]) : G_MAXSIZE;
      if (inner_len == G_MAXSIZE || inner_len != identity_len - 2 || inner_len > SEED_SIZE)
        status = STATUS_PSA_INVALID_ARGUMENT;
    }
  if (status != STATUS_SUCCESS)
    {
      secure_free (identity);
      return status;
    }
  memmove (identity, identity + 2, inner_len);
  *credential = identity;
  *credential_len = inner_len;
  return STATUS_SUCCESS;
}

guint16
attestation_prepare (const Caller           *caller,
                     const ProtobufCMessage *operation,
                     ProtobufCMessage       *result)
{
  const PrepareKeyAttestation__Operation *in = (const PrepareKeyAttestation__Operation *) operation;
  PrepareKeyAttestation__Result *out = (PrepareKeyAttestation__Result *) result;
  const PrepareKeyAttestation__PrepareKeyAttestationParams__ActivateCredential *params;
  PrepareKeyAttestation__PrepareKeyAttestationOutput *output;
  PrepareKeyAttestation__PrepareKeyAttestationOutput__ActivateCredential *activate;
  g_autoptr(GBytes) public_area = NULL;
  g_autoptr(GBytes) name = NULL;
  g_auto(VolatileKey) endorsement_key = PSA_KEY_ID_NULL;
  guint8 endorsement_public[PSA_EXPORT_PUBLIC_KEY_MAX_SIZE];
  gsize endorsement_len = 0;

  /* The converter checked that the mechanism is set. */
  params = in->parameters->activate_credential;
  if (params == NULL || params->attested_key_name == NULL)
    return STATUS_INVALID_ENCODING;
  if (params->attesting_key_name != NULL && *params->attesting_key_name != '\0')
    return STATUS_PSA_NOT_SUPPORTED;
  RETURN_IF_FAILED (attested_key_area (caller, params->attested_key_name, &public_area, &name));
  RETURN_IF_FAILED (endorsement_key_open (caller, &endorsement_key));
  RETURN_IF_FAILED (service_status_from_psa (psa_export_public_key (endorsement_key, endorsement_public,
                                                                    sizeof endorsement_public, &endorsement_len)));

  output = secure_alloc (sizeof *output);
  prepare_key_attestation__prepare_key_attestation_output__init (output);
  activate = secure_alloc (sizeof *activate);
  prepare_key_attestation__prepare_key_attestation_output__activate_credential__init (activate);
  output->mechanism_case = PREPARE_KEY_ATTESTATION__PREPARE_KEY_ATTESTATION_OUTPUT__MECHANISM_ACTIVATE_CREDENTIAL;
  output->activate_credential = activate;
  out->output = output;
  memcpy (service_result_bytes (&activate->name, g_bytes_get_size (name)),
          g_bytes_get_data (name, NULL), g_bytes_get_size (name));
  memcpy (service_result_bytes (&activate->public_, g_bytes_get_size (public_area)),
          g_bytes_get_data (public_area, NULL), g_bytes_get_size (public_area));
  memcpy (service_result_bytes (&activate->attesting_key_pub, endorsement_len), endorsement_public, endorsement_len);
  return STATUS_SUCCESS;
}

guint16
attestation_attest_key (const Caller           *caller,
                        const ProtobufCMessage *operation,
                        ProtobufCMessage       *result)
{
  const AttestKey__Operation *in = (const AttestKey__Operation *) operation;
  AttestKey__Result *out = (AttestKey__Result *) result;
  const AttestKey__AttestationMechanismParams__ActivateCredential *params = in->parameters->activate_credential;
  AttestKey__AttestationOutput *output;
  AttestKey__AttestationOutput__ActivateCredential *activate;
  g_autoptr(GBytes) public_area = NULL;
  g_autoptr(GBytes) name = NULL;
  guint8 *credential = NULL;
  gsize credential_len = 0;

  if (params == NULL || in->attested_key_name == NULL)
    return STATUS_INVALID_ENCODING;
  if (in->attesting_key_name != NULL && *in->attesting_key_name != '\0')
    return STATUS_PSA_NOT_SUPPORTED;
  RETURN_IF_FAILED (attested_key_area (caller, in->attested_key_name, &public_area, &name));
  RETURN_IF_FAILED (activate_credential (caller, name, params->credential_blob.data, params->credential_blob.len,
                                         params->secret.data, params->secret.len, &credential, &credential_len));

  output = secure_alloc (sizeof *output);
  attest_key__attestation_output__init (output);
  activate = secure_alloc (sizeof *activate);
  attest_key__attestation_output__activate_credential__init (activate);
  output->mechanism_case = ATTEST_KEY__ATTESTATION_OUTPUT__MECHANISM_ACTIVATE_CREDENTIAL;
  output->activate_credential = activate;
  out->output = output;
  activate->credential.data = credential;
  activate->credential.len = credential_len;
  return STATUS_SUCCESS;
}
