/* convert.c: protobuf algorithm and key attribute messages to PSA values
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The real service converts the protobuf messages into its native types
 * before a provider sees them, and that step rejects absent messages,
 * unset oneofs and enum values it does not know (including the *_NONE
 * placeholders) with InvalidEncoding. What survives is handed to PSA,
 * which decides what it supports.
 */
#include "config.h"

#include "test-service.h"

#include "attest_key.pb-c.h"
#include "can_do_crypto.pb-c.h"
#include "prepare_key_attestation.pb-c.h"
#include "psa_aead_decrypt.pb-c.h"
#include "psa_aead_encrypt.pb-c.h"
#include "psa_asymmetric_decrypt.pb-c.h"
#include "psa_asymmetric_encrypt.pb-c.h"
#include "psa_cipher_decrypt.pb-c.h"
#include "psa_cipher_encrypt.pb-c.h"
#include "psa_generate_key.pb-c.h"
#include "psa_hash_compare.pb-c.h"
#include "psa_hash_compute.pb-c.h"
#include "psa_import_key.pb-c.h"
#include "psa_raw_key_agreement.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "psa_sign_message.pb-c.h"
#include "psa_verify_hash.pb-c.h"
#include "psa_verify_message.pb-c.h"

/* PSA Crypto API 1.0 value; Mbed TLS 2.28 does not define it, and will
 * answer PSA_ERROR_NOT_SUPPORTED for keys that use it. */
#ifndef PSA_ECC_FAMILY_FRP
#define PSA_ECC_FAMILY_FRP ((psa_ecc_family_t) 0x33)
#endif

#define RETURN_IF_FAILED(expr) \
  G_STMT_START { guint16 status_ = (expr); if (status_ != STATUS_SUCCESS) return status_; } G_STMT_END

guint16
convert_hash (int              hash,
              psa_algorithm_t *out)
{
  static const psa_algorithm_t hashes[] = {
    [PSA_ALGORITHM__ALGORITHM__HASH__MD2] = PSA_ALG_MD2,
    [PSA_ALGORITHM__ALGORITHM__HASH__MD4] = PSA_ALG_MD4,
    [PSA_ALGORITHM__ALGORITHM__HASH__MD5] = PSA_ALG_MD5,
    [PSA_ALGORITHM__ALGORITHM__HASH__RIPEMD160] = PSA_ALG_RIPEMD160,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA_1] = PSA_ALG_SHA_1,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA_224] = PSA_ALG_SHA_224,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA_256] = PSA_ALG_SHA_256,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA_384] = PSA_ALG_SHA_384,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA_512] = PSA_ALG_SHA_512,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA_512_224] = PSA_ALG_SHA_512_224,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA_512_256] = PSA_ALG_SHA_512_256,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA3_224] = PSA_ALG_SHA3_224,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA3_256] = PSA_ALG_SHA3_256,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA3_384] = PSA_ALG_SHA3_384,
    [PSA_ALGORITHM__ALGORITHM__HASH__SHA3_512] = PSA_ALG_SHA3_512,
  };

  /* HASH_NONE (0) leaves its slot at 0 and is refused with the rest. */
  if (hash < 0 || (gsize) hash >= G_N_ELEMENTS (hashes) || hashes[hash] == 0)
    return STATUS_INVALID_ENCODING;
  *out = hashes[hash];
  return STATUS_SUCCESS;
}

static guint16
convert_sign_hash (const PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash *sign_hash,
                   psa_algorithm_t                                              *out)
{
  if (sign_hash == NULL)
    return STATUS_INVALID_ENCODING;
  switch (sign_hash->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_ANY:
      *out = PSA_ALG_ANY_HASH;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC:
      return convert_hash (sign_hash->specific, out);
    default:
      return STATUS_INVALID_ENCODING;
    }
}

guint16
convert_signature_alg (const PsaAlgorithm__Algorithm__AsymmetricSignature *alg,
                       psa_algorithm_t                                   *out)
{
  psa_algorithm_t hash = 0;

  if (alg == NULL)
    return STATUS_INVALID_ENCODING;

  switch (alg->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PKCS1V15_SIGN:
      RETURN_IF_FAILED (convert_sign_hash (alg->rsa_pkcs1v15_sign->hash_alg, &hash));
      *out = PSA_ALG_RSA_PKCS1V15_SIGN (hash);
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PKCS1V15_SIGN_RAW:
      *out = PSA_ALG_RSA_PKCS1V15_SIGN_RAW;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PSS:
      RETURN_IF_FAILED (convert_sign_hash (alg->rsa_pss->hash_alg, &hash));
      *out = PSA_ALG_RSA_PSS (hash);
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA:
      RETURN_IF_FAILED (convert_sign_hash (alg->ecdsa->hash_alg, &hash));
      *out = PSA_ALG_ECDSA (hash);
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA_ANY:
      *out = PSA_ALG_ECDSA_ANY;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_DETERMINISTIC_ECDSA:
      RETURN_IF_FAILED (convert_sign_hash (alg->deterministic_ecdsa->hash_alg, &hash));
      *out = PSA_ALG_DETERMINISTIC_ECDSA (hash);
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

guint16
convert_encryption_alg (const PsaAlgorithm__Algorithm__AsymmetricEncryption *alg,
                        psa_algorithm_t                                    *out)
{
  psa_algorithm_t hash = 0;

  if (alg == NULL)
    return STATUS_INVALID_ENCODING;

  switch (alg->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_PKCS1V15_CRYPT:
      *out = PSA_ALG_RSA_PKCS1V15_CRYPT;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_OAEP:
      RETURN_IF_FAILED (convert_hash (alg->rsa_oaep->hash_alg, &hash));
      *out = PSA_ALG_RSA_OAEP (hash);
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

static guint16
convert_aead_base (int              aead,
                   psa_algorithm_t *out)
{
  switch (aead)
    {
    case PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__CCM:
      *out = PSA_ALG_CCM;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__GCM:
      *out = PSA_ALG_GCM;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__CHACHA20_POLY1305:
      *out = PSA_ALG_CHACHA20_POLY1305;
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

guint16
convert_aead_alg (const PsaAlgorithm__Algorithm__Aead *alg,
                  psa_algorithm_t                    *out)
{
  psa_algorithm_t base = 0;

  if (alg == NULL)
    return STATUS_INVALID_ENCODING;

  switch (alg->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_DEFAULT_LENGTH_TAG:
      return convert_aead_base (alg->aead_with_default_length_tag, out);
    case PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_SHORTENED_TAG:
      RETURN_IF_FAILED (convert_aead_base (alg->aead_with_shortened_tag->aead_alg, &base));
      /* The encoding has six bits for the length; a larger value would
       * silently turn into another algorithm. */
      if (alg->aead_with_shortened_tag->tag_length > 63)
        return STATUS_PSA_INVALID_ARGUMENT;
      *out = PSA_ALG_AEAD_WITH_SHORTENED_TAG (base, alg->aead_with_shortened_tag->tag_length);
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

static guint16
convert_cipher (int              cipher,
                psa_algorithm_t *out)
{
  static const psa_algorithm_t ciphers[] = {
    [PSA_ALGORITHM__ALGORITHM__CIPHER__STREAM_CIPHER] = PSA_ALG_STREAM_CIPHER,
    [PSA_ALGORITHM__ALGORITHM__CIPHER__CTR] = PSA_ALG_CTR,
    [PSA_ALGORITHM__ALGORITHM__CIPHER__CFB] = PSA_ALG_CFB,
    [PSA_ALGORITHM__ALGORITHM__CIPHER__OFB] = PSA_ALG_OFB,
    [PSA_ALGORITHM__ALGORITHM__CIPHER__XTS] = PSA_ALG_XTS,
    [PSA_ALGORITHM__ALGORITHM__CIPHER__ECB_NO_PADDING] = PSA_ALG_ECB_NO_PADDING,
    [PSA_ALGORITHM__ALGORITHM__CIPHER__CBC_NO_PADDING] = PSA_ALG_CBC_NO_PADDING,
    [PSA_ALGORITHM__ALGORITHM__CIPHER__CBC_PKCS7] = PSA_ALG_CBC_PKCS7,
  };

  if (cipher < 0 || (gsize) cipher >= G_N_ELEMENTS (ciphers) || ciphers[cipher] == 0)
    return STATUS_INVALID_ENCODING;
  *out = ciphers[cipher];
  return STATUS_SUCCESS;
}

static guint16
convert_full_length_mac (const PsaAlgorithm__Algorithm__Mac__FullLength *mac,
                         psa_algorithm_t                                *out)
{
  psa_algorithm_t hash = 0;

  if (mac == NULL)
    return STATUS_INVALID_ENCODING;

  switch (mac->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_HMAC:
      RETURN_IF_FAILED (convert_hash (mac->hmac->hash_alg, &hash));
      *out = PSA_ALG_HMAC (hash);
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_CBC_MAC:
      *out = PSA_ALG_CBC_MAC;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_CMAC:
      *out = PSA_ALG_CMAC;
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

static guint16
convert_mac (const PsaAlgorithm__Algorithm__Mac *mac,
             psa_algorithm_t                   *out)
{
  psa_algorithm_t full = 0;

  if (mac == NULL)
    return STATUS_INVALID_ENCODING;

  switch (mac->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__MAC__VARIANT_FULL_LENGTH:
      return convert_full_length_mac (mac->full_length, out);
    case PSA_ALGORITHM__ALGORITHM__MAC__VARIANT_TRUNCATED:
      RETURN_IF_FAILED (convert_full_length_mac (mac->truncated->mac_alg, &full));
      if (mac->truncated->mac_length > 63)
        return STATUS_PSA_INVALID_ARGUMENT;
      *out = PSA_ALG_TRUNCATED_MAC (full, mac->truncated->mac_length);
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

guint16
convert_key_agreement_raw (int              raw,
                           psa_algorithm_t *out)
{
  switch (raw)
    {
    case PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__RAW__FFDH:
      *out = PSA_ALG_FFDH;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__RAW__ECDH:
      *out = PSA_ALG_ECDH;
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

static guint16
convert_key_derivation (const PsaAlgorithm__Algorithm__KeyDerivation *kdf,
                        psa_algorithm_t                              *out)
{
  psa_algorithm_t hash = 0;

  if (kdf == NULL)
    return STATUS_INVALID_ENCODING;

  switch (kdf->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_HKDF:
      RETURN_IF_FAILED (convert_hash (kdf->hkdf->hash_alg, &hash));
      *out = PSA_ALG_HKDF (hash);
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_TLS12_PRF:
      RETURN_IF_FAILED (convert_hash (kdf->tls12_prf->hash_alg, &hash));
      *out = PSA_ALG_TLS12_PRF (hash);
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_TLS12_PSK_TO_MS:
      RETURN_IF_FAILED (convert_hash (kdf->tls12_psk_to_ms->hash_alg, &hash));
      *out = PSA_ALG_TLS12_PSK_TO_MS (hash);
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

static guint16
convert_key_agreement (const PsaAlgorithm__Algorithm__KeyAgreement *agreement,
                       psa_algorithm_t                             *out)
{
  psa_algorithm_t raw = 0, kdf = 0;

  if (agreement == NULL)
    return STATUS_INVALID_ENCODING;

  switch (agreement->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_RAW:
      return convert_key_agreement_raw (agreement->raw, out);
    case PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_WITH_KEY_DERIVATION:
      RETURN_IF_FAILED (convert_key_agreement_raw (agreement->with_key_derivation->ka_alg, &raw));
      RETURN_IF_FAILED (convert_key_derivation (agreement->with_key_derivation->kdf_alg, &kdf));
      *out = PSA_ALG_KEY_AGREEMENT (raw, kdf);
      return STATUS_SUCCESS;
    default:
      return STATUS_INVALID_ENCODING;
    }
}

guint16
convert_algorithm (const PsaAlgorithm__Algorithm *alg,
                   psa_algorithm_t               *out)
{
  if (alg == NULL)
    return STATUS_INVALID_ENCODING;

  switch (alg->variant_case)
    {
    case PSA_ALGORITHM__ALGORITHM__VARIANT_NONE:
      *out = PSA_ALG_NONE;
      return STATUS_SUCCESS;
    case PSA_ALGORITHM__ALGORITHM__VARIANT_HASH:
      return convert_hash (alg->hash, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_MAC:
      return convert_mac (alg->mac, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_CIPHER:
      return convert_cipher (alg->cipher, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_AEAD:
      return convert_aead_alg (alg->aead, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE:
      return convert_signature_alg (alg->asymmetric_signature, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_ENCRYPTION:
      return convert_encryption_alg (alg->asymmetric_encryption, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_KEY_AGREEMENT:
      return convert_key_agreement (alg->key_agreement, out);
    case PSA_ALGORITHM__ALGORITHM__VARIANT_KEY_DERIVATION:
      return convert_key_derivation (alg->key_derivation, out);
    default:
      return STATUS_INVALID_ENCODING;
    }
}

static guint16
convert_ecc_family (int               family,
                    psa_ecc_family_t *out)
{
  static const psa_ecc_family_t families[] = {
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_K1] = PSA_ECC_FAMILY_SECP_K1,
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R1] = PSA_ECC_FAMILY_SECP_R1,
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R2] = PSA_ECC_FAMILY_SECP_R2,
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECT_K1] = PSA_ECC_FAMILY_SECT_K1,
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECT_R1] = PSA_ECC_FAMILY_SECT_R1,
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECT_R2] = PSA_ECC_FAMILY_SECT_R2,
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__BRAINPOOL_P_R1] = PSA_ECC_FAMILY_BRAINPOOL_P_R1,
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__FRP] = PSA_ECC_FAMILY_FRP,
    [PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__MONTGOMERY] = PSA_ECC_FAMILY_MONTGOMERY,
  };

  if (family < 0 || (gsize) family >= G_N_ELEMENTS (families) || families[family] == 0)
    return STATUS_INVALID_ENCODING;
  *out = families[family];
  return STATUS_SUCCESS;
}

static guint16
convert_dh_family (int              family,
                   psa_dh_family_t *out)
{
  if (family != PSA_KEY_ATTRIBUTES__KEY_TYPE__DH_FAMILY__RFC7919)
    return STATUS_INVALID_ENCODING;
  *out = PSA_DH_FAMILY_RFC7919;
  return STATUS_SUCCESS;
}

static guint16
convert_key_type (const PsaKeyAttributes__KeyType *type,
                  psa_key_type_t                  *out)
{
  psa_ecc_family_t ecc = 0;
  psa_dh_family_t dh = 0;

  if (type == NULL)
    return STATUS_INVALID_ENCODING;

  switch (type->variant_case)
    {
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RAW_DATA:
      *out = PSA_KEY_TYPE_RAW_DATA;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_HMAC:
      *out = PSA_KEY_TYPE_HMAC;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DERIVE:
      *out = PSA_KEY_TYPE_DERIVE;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_AES:
      *out = PSA_KEY_TYPE_AES;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DES:
      *out = PSA_KEY_TYPE_DES;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_CAMELLIA:
      *out = PSA_KEY_TYPE_CAMELLIA;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ARC4:
      *out = PSA_KEY_TYPE_ARC4;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_CHACHA20:
      *out = PSA_KEY_TYPE_CHACHA20;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_PUBLIC_KEY:
      *out = PSA_KEY_TYPE_RSA_PUBLIC_KEY;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR:
      *out = PSA_KEY_TYPE_RSA_KEY_PAIR;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR:
      RETURN_IF_FAILED (convert_ecc_family (type->ecc_key_pair->curve_family, &ecc));
      *out = PSA_KEY_TYPE_ECC_KEY_PAIR (ecc);
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_PUBLIC_KEY:
      RETURN_IF_FAILED (convert_ecc_family (type->ecc_public_key->curve_family, &ecc));
      *out = PSA_KEY_TYPE_ECC_PUBLIC_KEY (ecc);
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DH_KEY_PAIR:
      RETURN_IF_FAILED (convert_dh_family (type->dh_key_pair->group_family, &dh));
      *out = PSA_KEY_TYPE_DH_KEY_PAIR (dh);
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DH_PUBLIC_KEY:
      RETURN_IF_FAILED (convert_dh_family (type->dh_public_key->group_family, &dh));
      *out = PSA_KEY_TYPE_DH_PUBLIC_KEY (dh);
      break;
    default:
      return STATUS_INVALID_ENCODING;
    }
  return STATUS_SUCCESS;
}

static psa_key_usage_t
convert_usage (const PsaKeyAttributes__UsageFlags *flags)
{
  psa_key_usage_t usage = 0;

  /* "cache" has no counterpart in Mbed TLS 2.28: it only permits an
   * implementation to keep a copy of the key, so it restricts nothing. */
  if (flags->export)
    usage |= PSA_KEY_USAGE_EXPORT;
  if (flags->copy)
    usage |= PSA_KEY_USAGE_COPY;
  if (flags->encrypt)
    usage |= PSA_KEY_USAGE_ENCRYPT;
  if (flags->decrypt)
    usage |= PSA_KEY_USAGE_DECRYPT;
  /* A hash signer signs messages too, as Mbed TLS 3 extends the flags
   * (convert_extend_usage). */
  if (flags->sign_message || flags->sign_hash)
    usage |= PSA_KEY_USAGE_SIGN_MESSAGE;
  if (flags->verify_message || flags->verify_hash)
    usage |= PSA_KEY_USAGE_VERIFY_MESSAGE;
  if (flags->sign_hash)
    usage |= PSA_KEY_USAGE_SIGN_HASH;
  if (flags->verify_hash)
    usage |= PSA_KEY_USAGE_VERIFY_HASH;
  if (flags->derive)
    usage |= PSA_KEY_USAGE_DERIVE;
  return usage;
}

void
convert_extend_usage (PsaKeyAttributes__UsageFlags *flags)
{
  flags->sign_message |= flags->sign_hash;
  flags->verify_message |= flags->verify_hash;
}

/* The curve sizes psa-crypto 0.13 lets through its conversion to PSA
 * attributes (types/key.rs), 0 being "from the data". Its SECP R1 row
 * lists 284 where 384 belongs (rust-psa-crypto#142), so the real service
 * refuses every P-384 key it is told the size of. */
static gboolean psa_crypto_sizes = TRUE;

static guint16
check_ecc_size (psa_ecc_family_t family,
                gsize            bits)
{
  static const struct {
    psa_ecc_family_t family;
    guint16 sizes[7];
  } table[] = {
    { PSA_ECC_FAMILY_SECP_R1, { 192, 224, 256, 284, 521 } },
    { PSA_ECC_FAMILY_SECP_K1, { 192, 224, 256 } },
    { PSA_ECC_FAMILY_SECT_K1, { 233, 239, 283, 409, 571 } },
    { PSA_ECC_FAMILY_SECT_R1, { 233, 283, 409, 571 } },
    { PSA_ECC_FAMILY_BRAINPOOL_P_R1, { 192, 224, 256, 320, 384, 512 } },
    { PSA_ECC_FAMILY_FRP, { 256 } },
    { PSA_ECC_FAMILY_MONTGOMERY, { 255, 448 } },
  };

  if (bits == 0)
    return STATUS_SUCCESS;
  for (gsize i = 0; i < G_N_ELEMENTS (table); i++)
    {
      if (table[i].family != family)
        continue;
      for (gsize j = 0; j < G_N_ELEMENTS (table[i].sizes) && table[i].sizes[j] != 0; j++)
        if (table[i].sizes[j] == bits)
          return STATUS_SUCCESS;
      return STATUS_PSA_INVALID_ARGUMENT;
    }
  return STATUS_SUCCESS;
}

/* What the service's protobuf conversion of key attributes refuses. */
static guint16
decode_key_attributes (const PsaKeyAttributes__KeyAttributes *attributes,
                       psa_key_type_t                        *type,
                       psa_algorithm_t                       *alg)
{
  if (attributes == NULL || attributes->key_policy == NULL ||
      attributes->key_policy->key_usage_flags == NULL)
    return STATUS_INVALID_ENCODING;
  RETURN_IF_FAILED (convert_key_type (attributes->key_type, type));
  return convert_algorithm (attributes->key_policy->key_algorithm, alg);
}

guint16
convert_key_attributes (const PsaKeyAttributes__KeyAttributes *attributes,
                        psa_key_attributes_t                  *out)
{
  psa_key_type_t type = 0;
  psa_algorithm_t alg = 0;

  RETURN_IF_FAILED (decode_key_attributes (attributes, &type, &alg));
  if (PSA_KEY_TYPE_IS_ECC (type) && psa_crypto_sizes)
    RETURN_IF_FAILED (check_ecc_size (PSA_KEY_TYPE_ECC_GET_FAMILY (type), attributes->key_bits));

  *out = psa_key_attributes_init ();
  psa_set_key_type (out, type);
  psa_set_key_bits (out, attributes->key_bits);
  psa_set_key_usage_flags (out, convert_usage (attributes->key_policy->key_usage_flags));
  psa_set_key_algorithm (out, alg);
  return STATUS_SUCCESS;
}

/* PSA Crypto API 1.0 deprecates these hashes and key types; the service
 * refuses to generate keys that use them (see crypto_generate_key()). */
static gboolean
key_type_is_deprecated (psa_key_type_t type,
                        gsize          bits)
{
  psa_ecc_family_t family;

  if (type == PSA_KEY_TYPE_DES || type == PSA_KEY_TYPE_ARC4)
    return TRUE;
  /* The service lists these curves under their public key types only. */
  if (!PSA_KEY_TYPE_IS_ECC_PUBLIC_KEY (type))
    return FALSE;
  family = PSA_KEY_TYPE_ECC_GET_FAMILY (type);
  return family == PSA_ECC_FAMILY_SECP_R2 || family == PSA_ECC_FAMILY_SECT_R2 ||
         (family == PSA_ECC_FAMILY_SECT_R1 && bits == 163) ||
         (family == PSA_ECC_FAMILY_SECT_K1 && bits == 163) ||
         (family == PSA_ECC_FAMILY_BRAINPOOL_P_R1 && bits == 160);
}

void
convert_set_psa_crypto_sizes (gboolean check)
{
  psa_crypto_sizes = check;
}

gboolean
convert_is_deprecated (const PsaKeyAttributes__KeyAttributes *attributes)
{
  psa_key_attributes_t psa = PSA_KEY_ATTRIBUTES_INIT;
  psa_algorithm_t hash;

  if (convert_key_attributes (attributes, &psa) != STATUS_SUCCESS)
    return FALSE;

  if (key_type_is_deprecated (psa_get_key_type (&psa), psa_get_key_bits (&psa)))
    return TRUE;

  /* Every PSA algorithm built on a hash (hash-and-sign, OAEP, HMAC, the
   * KDFs and key agreements with a KDF) carries the hash in its low byte,
   * and the algorithms without one have zero there. */
  hash = PSA_ALG_CATEGORY_HASH | (psa_get_key_algorithm (&psa) & PSA_ALG_HASH_MASK);
  return hash == PSA_ALG_MD2 || hash == PSA_ALG_MD4 ||
         hash == PSA_ALG_MD5 || hash == PSA_ALG_SHA_1;
}

/* The conversion of a request's body into the service's native
 * operation, which happens before the service looks for a caller or
 * asks the provider: absent messages, unset oneofs and unknown enum
 * values are InvalidEncoding however the request would fare later. */
guint16
convert_operation (guint32                 opcode,
                   const ProtobufCMessage *operation)
{
  psa_algorithm_t alg = 0;
  psa_key_type_t type = 0;

  switch (opcode)
    {
    case 0x02:
      return decode_key_attributes (((const PsaGenerateKey__Operation *) operation)->attributes, &type, &alg);
    case 0x06:
      return decode_key_attributes (((const PsaImportKey__Operation *) operation)->attributes, &type, &alg);
    case 0x04:
      return convert_signature_alg (((const PsaSignHash__Operation *) operation)->alg, &alg);
    case 0x05:
      return convert_signature_alg (((const PsaVerifyHash__Operation *) operation)->alg, &alg);
    case 0x18:
      return convert_signature_alg (((const PsaSignMessage__Operation *) operation)->alg, &alg);
    case 0x19:
      return convert_signature_alg (((const PsaVerifyMessage__Operation *) operation)->alg, &alg);
    case 0x0A:
      return convert_encryption_alg (((const PsaAsymmetricEncrypt__Operation *) operation)->alg, &alg);
    case 0x0B:
      return convert_encryption_alg (((const PsaAsymmetricDecrypt__Operation *) operation)->alg, &alg);
    case 0x0F:
      return convert_hash (((const PsaHashCompute__Operation *) operation)->alg, &alg);
    case 0x10:
      return convert_hash (((const PsaHashCompare__Operation *) operation)->alg, &alg);
    case 0x11:
      return convert_aead_alg (((const PsaAeadEncrypt__Operation *) operation)->alg, &alg);
    case 0x12:
      return convert_aead_alg (((const PsaAeadDecrypt__Operation *) operation)->alg, &alg);
    case 0x13:
      return convert_key_agreement_raw (((const PsaRawKeyAgreement__Operation *) operation)->alg, &alg);
    case 0x14:
      return convert_cipher (((const PsaCipherEncrypt__Operation *) operation)->alg, &alg);
    case 0x15:
      return convert_cipher (((const PsaCipherDecrypt__Operation *) operation)->alg, &alg);
    case 0x1E:
      {
        const AttestKey__Operation *attest = (const AttestKey__Operation *) operation;

        if (attest->parameters == NULL ||
            attest->parameters->mechanism_case == ATTEST_KEY__ATTESTATION_MECHANISM_PARAMS__MECHANISM__NOT_SET)
          return STATUS_INVALID_ENCODING;
        return STATUS_SUCCESS;
      }
    case 0x1F:
      {
        const PrepareKeyAttestation__Operation *prepare = (const PrepareKeyAttestation__Operation *) operation;

        if (prepare->parameters == NULL ||
            prepare->parameters->mechanism_case ==
              PREPARE_KEY_ATTESTATION__PREPARE_KEY_ATTESTATION_PARAMS__MECHANISM__NOT_SET)
          return STATUS_INVALID_ENCODING;
        return STATUS_SUCCESS;
      }
    case 0x20:
      {
        const CanDoCrypto__Operation *can = (const CanDoCrypto__Operation *) operation;

        if (can->check_type < CAN_DO_CRYPTO__CHECK_TYPE__USE || can->check_type > CAN_DO_CRYPTO__CHECK_TYPE__DERIVE)
          return STATUS_INVALID_ENCODING;
        return decode_key_attributes (can->attributes, &type, &alg);
      }
    default:
      return STATUS_SUCCESS;
    }
}
