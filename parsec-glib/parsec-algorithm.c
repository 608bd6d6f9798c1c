/* parsec-algorithm.c: a PSA algorithm
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"
#include "parsec-psa-private.h"

/**
 * ParsecAlgorithm:
 *
 * An algorithm of the PSA Crypto API, as key policies and operations name
 * it: immutable and reference counted. Create one with the constructor of
 * its variant, for example [ctor@Parsec.Algorithm.new_ecdsa] or
 * [ctor@Parsec.Algorithm.new_aead].
 *
 * Since: 1.0
 */
G_DEFINE_BOXED_TYPE (ParsecAlgorithm, parsec_algorithm, parsec_algorithm_ref, parsec_algorithm_unref)

ParsecAlgorithm *
_parsec_algorithm_new (ParsecAlgorithmKind  kind,
                       guint                variant,
                       ParsecHash           hash,
                       guint                length,
                       ParsecAlgorithm     *inner)
{
  ParsecAlgorithm *self = g_new0 (ParsecAlgorithm, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->variant = variant;
  self->hash = hash;
  self->length = length;
  self->inner = inner != NULL ? parsec_algorithm_ref (inner) : NULL;
  return self;
}

/**
 * parsec_algorithm_ref:
 * @self: a #ParsecAlgorithm
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_ref (ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * parsec_algorithm_unref:
 * @self: (transfer full): a #ParsecAlgorithm
 *
 * Drops a reference.
 *
 * Since: 1.0
 */
void
parsec_algorithm_unref (ParsecAlgorithm *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      g_clear_pointer (&self->inner, parsec_algorithm_unref);
      g_free (self);
    }
}

static gboolean
is_hash (ParsecHash hash)
{
  return hash >= PARSEC_HASH_MD2 && hash <= PARSEC_HASH_SHA3_512;
}

/**
 * parsec_algorithm_new_none:
 *
 * The policy algorithm of a key that serves no cryptographic operation.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_none (void)
{
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_NONE, 0, PARSEC_HASH_NONE, 0, NULL);
}

/**
 * parsec_algorithm_new_hash:
 * @hash: the hash
 *
 * A hash algorithm.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_hash (ParsecHash hash)
{
  g_return_val_if_fail (is_hash (hash), NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_HASH, 0, hash, 0, NULL);
}

/**
 * parsec_algorithm_new_hmac:
 * @hash: the hash
 *
 * HMAC with @hash.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_hmac (ParsecHash hash)
{
  g_return_val_if_fail (is_hash (hash), NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_HMAC, hash, 0, NULL);
}

/**
 * parsec_algorithm_new_cbc_mac:
 *
 * CBC-MAC.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_cbc_mac (void)
{
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_CBC_MAC, PARSEC_HASH_NONE, 0, NULL);
}

/**
 * parsec_algorithm_new_cmac:
 *
 * CMAC.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_cmac (void)
{
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_CMAC, PARSEC_HASH_NONE, 0, NULL);
}

/**
 * parsec_algorithm_new_truncated_mac:
 * @mac: a full-length MAC algorithm
 * @mac_length: the length of the truncated MAC in bytes, non-zero
 *
 * @mac truncated to @mac_length bytes.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_truncated_mac (ParsecAlgorithm *mac,
                                    guint            mac_length)
{
  g_return_val_if_fail (mac != NULL && mac->kind == PARSEC_ALGORITHM_KIND_MAC, NULL);
  g_return_val_if_fail (mac_length > 0, NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_MAC, mac->variant, mac->hash, mac_length, NULL);
}

/**
 * parsec_algorithm_new_cipher:
 * @cipher: the cipher mode
 *
 * An unauthenticated symmetric cipher.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_cipher (ParsecCipher cipher)
{
  g_return_val_if_fail (cipher >= PARSEC_CIPHER_STREAM_CIPHER && cipher <= PARSEC_CIPHER_CBC_PKCS7, NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_CIPHER, cipher, PARSEC_HASH_NONE, 0, NULL);
}

/**
 * parsec_algorithm_new_aead:
 * @aead: the AEAD algorithm
 *
 * An AEAD algorithm with its default tag length (16 bytes).
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_aead (ParsecAead aead)
{
  g_return_val_if_fail (aead >= PARSEC_AEAD_CCM && aead <= PARSEC_AEAD_CHACHA20_POLY1305, NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_AEAD, aead, PARSEC_HASH_NONE, 0, NULL);
}

/**
 * parsec_algorithm_new_aead_shortened_tag:
 * @aead: the AEAD algorithm
 * @tag_length: the tag length in bytes, non-zero
 *
 * An AEAD algorithm with a shortened tag.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_aead_shortened_tag (ParsecAead aead,
                                         guint      tag_length)
{
  g_return_val_if_fail (aead >= PARSEC_AEAD_CCM && aead <= PARSEC_AEAD_CHACHA20_POLY1305, NULL);
  g_return_val_if_fail (tag_length > 0, NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_AEAD, aead, PARSEC_HASH_NONE, tag_length, NULL);
}

static gboolean
signature_takes_hash (ParsecSignatureScheme scheme)
{
  return scheme != PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW && scheme != PARSEC_SIGNATURE_SCHEME_ECDSA_ANY;
}

/**
 * parsec_algorithm_new_signature:
 * @scheme: the signature scheme
 * @hash: the hash the scheme signs with, or %PARSEC_HASH_ANY in a key
 *   policy that allows any; %PARSEC_HASH_NONE for the schemes without one
 *   (%PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW, %PARSEC_SIGNATURE_SCHEME_ECDSA_ANY)
 *
 * An asymmetric signature algorithm.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_signature (ParsecSignatureScheme scheme,
                                ParsecHash            hash)
{
  g_return_val_if_fail (scheme >= PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15 && scheme <= PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA, NULL);
  g_return_val_if_fail (signature_takes_hash (scheme) ? (is_hash (hash) || hash == PARSEC_HASH_ANY)
                                                      : hash == PARSEC_HASH_NONE, NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, scheme, hash, 0, NULL);
}

/**
 * parsec_algorithm_new_rsa_pkcs1v15_sign:
 * @hash: the hash, or %PARSEC_HASH_ANY in a key policy
 *
 * RSA PKCS #1 v1.5 signatures.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_rsa_pkcs1v15_sign (ParsecHash hash)
{
  return parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15, hash);
}

/**
 * parsec_algorithm_new_rsa_pss:
 * @hash: the hash, or %PARSEC_HASH_ANY in a key policy
 *
 * RSA-PSS signatures, with a salt as long as the hash.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_rsa_pss (ParsecHash hash)
{
  return parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_RSA_PSS, hash);
}

/**
 * parsec_algorithm_new_ecdsa:
 * @hash: the hash, or %PARSEC_HASH_ANY in a key policy
 *
 * Randomised ECDSA signatures.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_ecdsa (ParsecHash hash)
{
  return parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_ECDSA, hash);
}

/**
 * parsec_algorithm_new_encryption:
 * @scheme: the encryption scheme
 * @hash: the hash of %PARSEC_ENCRYPTION_SCHEME_RSA_OAEP; %PARSEC_HASH_NONE otherwise
 *
 * An asymmetric encryption algorithm.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_encryption (ParsecEncryptionScheme scheme,
                                 ParsecHash             hash)
{
  g_return_val_if_fail (scheme == PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15 || scheme == PARSEC_ENCRYPTION_SCHEME_RSA_OAEP, NULL);
  g_return_val_if_fail (scheme == PARSEC_ENCRYPTION_SCHEME_RSA_OAEP ? is_hash (hash) : hash == PARSEC_HASH_NONE, NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, scheme, hash, 0, NULL);
}

/**
 * parsec_algorithm_new_rsa_pkcs1v15_crypt:
 *
 * RSA PKCS #1 v1.5 encryption.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_rsa_pkcs1v15_crypt (void)
{
  return parsec_algorithm_new_encryption (PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15, PARSEC_HASH_NONE);
}

/**
 * parsec_algorithm_new_rsa_oaep:
 * @hash: the hash of OAEP and its mask generation
 *
 * RSA-OAEP encryption.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_rsa_oaep (ParsecHash hash)
{
  return parsec_algorithm_new_encryption (PARSEC_ENCRYPTION_SCHEME_RSA_OAEP, hash);
}

/**
 * parsec_algorithm_new_key_agreement:
 * @agreement: the key agreement
 *
 * A raw key agreement, whose output is the shared secret itself.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_key_agreement (ParsecKeyAgreement agreement)
{
  g_return_val_if_fail (agreement == PARSEC_KEY_AGREEMENT_FFDH || agreement == PARSEC_KEY_AGREEMENT_ECDH, NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_KEY_AGREEMENT, agreement, PARSEC_HASH_NONE, 0, NULL);
}

/**
 * parsec_algorithm_new_key_agreement_with_derivation:
 * @agreement: the key agreement
 * @derivation: a key derivation algorithm applied to the shared secret
 *
 * A key agreement followed by a key derivation.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_key_agreement_with_derivation (ParsecKeyAgreement  agreement,
                                                    ParsecAlgorithm    *derivation)
{
  g_return_val_if_fail (agreement == PARSEC_KEY_AGREEMENT_FFDH || agreement == PARSEC_KEY_AGREEMENT_ECDH, NULL);
  g_return_val_if_fail (derivation != NULL && derivation->kind == PARSEC_ALGORITHM_KIND_KEY_DERIVATION, NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_KEY_AGREEMENT, agreement, PARSEC_HASH_NONE, 0, derivation);
}

/**
 * parsec_algorithm_new_key_derivation:
 * @derivation: the key derivation function
 * @hash: its hash
 *
 * A key derivation algorithm.
 *
 * Returns: (transfer full): a new #ParsecAlgorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_new_key_derivation (ParsecKeyDerivation derivation,
                                     ParsecHash          hash)
{
  g_return_val_if_fail (derivation >= PARSEC_KEY_DERIVATION_HKDF && derivation <= PARSEC_KEY_DERIVATION_TLS12_PSK_TO_MS, NULL);
  g_return_val_if_fail (is_hash (hash), NULL);
  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_KEY_DERIVATION, derivation, hash, 0, NULL);
}

/**
 * parsec_algorithm_get_kind:
 * @self: a #ParsecAlgorithm
 *
 * Gets the family of the algorithm.
 *
 * Returns: the kind
 *
 * Since: 1.0
 */
ParsecAlgorithmKind
parsec_algorithm_get_kind (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, PARSEC_ALGORITHM_KIND_NONE);
  return self->kind;
}

/* The algorithm within its family; what it means depends on the kind. */
guint
_parsec_algorithm_get_variant (const ParsecAlgorithm *self)
{
  return self->variant;
}

/**
 * parsec_algorithm_get_mac:
 * @self: a #ParsecAlgorithm
 *
 * Gets which a MAC algorithm @self is.
 *
 * Returns: the #ParsecMac, or 0 when @self is not of
 *   %PARSEC_ALGORITHM_KIND_MAC
 *
 * Since: 1.0
 */
ParsecMac
parsec_algorithm_get_mac (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->kind == PARSEC_ALGORITHM_KIND_MAC ? (ParsecMac) self->variant : 0;
}

/**
 * parsec_algorithm_get_cipher:
 * @self: a #ParsecAlgorithm
 *
 * Gets which an unauthenticated cipher algorithm @self is.
 *
 * Returns: the #ParsecCipher, or 0 when @self is not of
 *   %PARSEC_ALGORITHM_KIND_CIPHER
 *
 * Since: 1.0
 */
ParsecCipher
parsec_algorithm_get_cipher (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->kind == PARSEC_ALGORITHM_KIND_CIPHER ? (ParsecCipher) self->variant : 0;
}

/**
 * parsec_algorithm_get_aead:
 * @self: a #ParsecAlgorithm
 *
 * Gets which an AEAD algorithm @self is.
 *
 * Returns: the #ParsecAead, or 0 when @self is not of
 *   %PARSEC_ALGORITHM_KIND_AEAD
 *
 * Since: 1.0
 */
ParsecAead
parsec_algorithm_get_aead (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->kind == PARSEC_ALGORITHM_KIND_AEAD ? (ParsecAead) self->variant : 0;
}

/**
 * parsec_algorithm_get_signature_scheme:
 * @self: a #ParsecAlgorithm
 *
 * Gets which a signature algorithm @self is.
 *
 * Returns: the #ParsecSignatureScheme, or 0 when @self is not of
 *   %PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE
 *
 * Since: 1.0
 */
ParsecSignatureScheme
parsec_algorithm_get_signature_scheme (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE ? (ParsecSignatureScheme) self->variant : 0;
}

/**
 * parsec_algorithm_get_encryption_scheme:
 * @self: a #ParsecAlgorithm
 *
 * Gets which an asymmetric encryption algorithm @self is.
 *
 * Returns: the #ParsecEncryptionScheme, or 0 when @self is not of
 *   %PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION
 *
 * Since: 1.0
 */
ParsecEncryptionScheme
parsec_algorithm_get_encryption_scheme (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION ? (ParsecEncryptionScheme) self->variant : 0;
}

/**
 * parsec_algorithm_get_key_agreement:
 * @self: a #ParsecAlgorithm
 *
 * Gets which a key agreement algorithm @self is.
 *
 * Returns: the #ParsecKeyAgreement, or 0 when @self is not of
 *   %PARSEC_ALGORITHM_KIND_KEY_AGREEMENT
 *
 * Since: 1.0
 */
ParsecKeyAgreement
parsec_algorithm_get_key_agreement (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->kind == PARSEC_ALGORITHM_KIND_KEY_AGREEMENT ? (ParsecKeyAgreement) self->variant : 0;
}

/**
 * parsec_algorithm_get_key_derivation:
 * @self: a #ParsecAlgorithm
 *
 * Gets which a key derivation algorithm @self is.
 *
 * Returns: the #ParsecKeyDerivation, or 0 when @self is not of
 *   %PARSEC_ALGORITHM_KIND_KEY_DERIVATION
 *
 * Since: 1.0
 */
ParsecKeyDerivation
parsec_algorithm_get_key_derivation (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->kind == PARSEC_ALGORITHM_KIND_KEY_DERIVATION ? (ParsecKeyDerivation) self->variant : 0;
}

/**
 * parsec_algorithm_get_hash:
 * @self: a #ParsecAlgorithm
 *
 * Gets the hash of the algorithm, if it has one.
 *
 * Returns: the hash, %PARSEC_HASH_ANY for a policy allowing any, or
 *   %PARSEC_HASH_NONE
 *
 * Since: 1.0
 */
ParsecHash
parsec_algorithm_get_hash (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, PARSEC_HASH_NONE);
  return self->hash;
}

/**
 * parsec_algorithm_get_length:
 * @self: a #ParsecAlgorithm
 *
 * Gets the length of a truncated MAC or a shortened AEAD tag.
 *
 * Returns: the length in bytes, 0 for the full or default length
 *
 * Since: 1.0
 */
guint
parsec_algorithm_get_length (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->length;
}

/**
 * parsec_algorithm_get_inner:
 * @self: a #ParsecAlgorithm
 *
 * Gets the key derivation that follows a key agreement.
 *
 * Returns: (transfer none) (nullable): the key derivation, or %NULL
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_algorithm_get_inner (const ParsecAlgorithm *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->inner;
}

/**
 * parsec_algorithm_equal:
 * @self: a #ParsecAlgorithm
 * @other: another #ParsecAlgorithm
 *
 * Compares two algorithms.
 *
 * Returns: %TRUE if they are the same algorithm
 *
 * Since: 1.0
 */
gboolean
parsec_algorithm_equal (const ParsecAlgorithm *self,
                        const ParsecAlgorithm *other)
{
  g_return_val_if_fail (self != NULL && other != NULL, FALSE);

  if (self->kind != other->kind || self->variant != other->variant ||
      self->hash != other->hash || self->length != other->length)
    return FALSE;
  if (self->inner == NULL || other->inner == NULL)
    return self->inner == other->inner;
  return parsec_algorithm_equal (self->inner, other->inner);
}

const char *
_parsec_hash_get_name (ParsecHash hash)
{
  static const char * const names[] = {
    "none", "MD2", "MD4", "MD5", "RIPEMD-160", "SHA-1", "SHA-224", "SHA-256",
    "SHA-384", "SHA-512", "SHA-512/224", "SHA-512/256", "SHA3-224", "SHA3-256",
    "SHA3-384", "SHA3-512",
  };

  if (hash == PARSEC_HASH_ANY)
    return "any hash";
  if ((guint) hash < G_N_ELEMENTS (names))
    return names[hash];
  return "unknown hash";
}

gsize
_parsec_hash_get_length (ParsecHash hash)
{
  static const guint8 lengths[] = {
    0, 16, 16, 16, 20, 20, 28, 32, 48, 64, 28, 32, 28, 32, 48, 64,
  };

  return (guint) hash < G_N_ELEMENTS (lengths) ? lengths[hash] : 0;
}

static const char *
name_in (const char * const *names,
         gsize               n_names,
         guint               value)
{
  return value < n_names && names[value] != NULL ? names[value] : "unknown";
}

#define NAME_IN(names, value) name_in (names, G_N_ELEMENTS (names), value)

/**
 * parsec_algorithm_to_string:
 * @self: a #ParsecAlgorithm
 *
 * Describes the algorithm for people, such as `ECDSA(SHA-256)`.
 *
 * Returns: (transfer full): the description
 *
 * Since: 1.0
 */
char *
parsec_algorithm_to_string (const ParsecAlgorithm *self)
{
  static const char * const macs[] = { NULL, "HMAC", "CBC-MAC", "CMAC" };
  static const char * const ciphers[] = { NULL, "stream cipher", "CTR", "CFB", "OFB", "XTS",
                                          "ECB (no padding)", "CBC (no padding)", "CBC (PKCS #7)" };
  static const char * const aeads[] = { NULL, "CCM", "GCM", "ChaCha20-Poly1305" };
  static const char * const signatures[] = { NULL, "RSA PKCS#1 v1.5", "RSA PKCS#1 v1.5 (raw)", "RSA-PSS",
                                             "ECDSA", "ECDSA (any)", "deterministic ECDSA" };
  static const char * const encryptions[] = { NULL, "RSA PKCS#1 v1.5 encryption", "RSA-OAEP" };
  static const char * const agreements[] = { NULL, "FFDH", "ECDH" };
  static const char * const derivations[] = { NULL, "HKDF", "TLS 1.2 PRF", "TLS 1.2 PSK to MS" };
  const char *hash;

  g_return_val_if_fail (self != NULL, NULL);

  hash = _parsec_hash_get_name (self->hash);
  switch (self->kind)
    {
    case PARSEC_ALGORITHM_KIND_NONE:
      return g_strdup ("none");
    case PARSEC_ALGORITHM_KIND_HASH:
      return g_strdup (hash);
    case PARSEC_ALGORITHM_KIND_MAC:
      {
        g_autofree char *full = self->variant == PARSEC_MAC_HMAC
          ? g_strdup_printf ("HMAC(%s)", hash) : g_strdup (NAME_IN (macs, self->variant));

        if (self->length == 0)
          return g_steal_pointer (&full);
        return g_strdup_printf ("%s truncated to %u bytes", full, self->length);
      }
    case PARSEC_ALGORITHM_KIND_CIPHER:
      return g_strdup (NAME_IN (ciphers, self->variant));
    case PARSEC_ALGORITHM_KIND_AEAD:
      if (self->length == 0)
        return g_strdup (NAME_IN (aeads, self->variant));
      return g_strdup_printf ("%s with a %u-byte tag", NAME_IN (aeads, self->variant), self->length);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      if (!signature_takes_hash (self->variant))
        return g_strdup (NAME_IN (signatures, self->variant));
      return g_strdup_printf ("%s(%s)", NAME_IN (signatures, self->variant), hash);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      if (self->variant != PARSEC_ENCRYPTION_SCHEME_RSA_OAEP)
        return g_strdup (NAME_IN (encryptions, self->variant));
      return g_strdup_printf ("%s(%s)", NAME_IN (encryptions, self->variant), hash);
    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
      if (self->inner == NULL)
        return g_strdup (NAME_IN (agreements, self->variant));
      {
        g_autofree char *kdf = parsec_algorithm_to_string (self->inner);

        return g_strdup_printf ("%s then %s", NAME_IN (agreements, self->variant), kdf);
      }
    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
      return g_strdup_printf ("%s(%s)", NAME_IN (derivations, self->variant), hash);
    default:
      return g_strdup_printf ("unknown algorithm %u", self->kind);
    }
}
