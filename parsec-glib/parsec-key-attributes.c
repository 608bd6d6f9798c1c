/* parsec-key-attributes.c: the type, size and policy of a key
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"
#include "parsec-psa-private.h"

/**
 * ParsecKeyAttributes:
 *
 * What a key is (its type, curve or group family and size) and what it
 * may be used for (usage flags and the one algorithm it permits). The
 * service enforces the policy. Immutable and reference counted.
 *
 * The `new_…` constructors for common keys choose sensible policies:
 * [ctor@Parsec.KeyAttributes.new_ecc_signing] gives an ECDSA key on a NIST
 * curve that signs and verifies hashes and messages, for instance.
 *
 * Since: 1.0
 */
G_DEFINE_BOXED_TYPE (ParsecKeyAttributes, parsec_key_attributes,
                     parsec_key_attributes_ref, parsec_key_attributes_unref)

static ParsecKeyAttributes *
key_attributes_new (ParsecKeyType    key_type,
                    guint            family,
                    guint            bits,
                    ParsecKeyUsage   usage,
                    ParsecAlgorithm *algorithm)
{
  ParsecKeyAttributes *self = g_new0 (ParsecKeyAttributes, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->key_type = key_type;
  self->family = family;
  self->bits = bits;
  self->usage = usage;
  self->algorithm = algorithm != NULL ? parsec_algorithm_ref (algorithm) : parsec_algorithm_new_none ();
  return self;
}

/**
 * parsec_key_attributes_ref:
 * @self: a #ParsecKeyAttributes
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_ref (ParsecKeyAttributes *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * parsec_key_attributes_unref:
 * @self: (transfer full): a #ParsecKeyAttributes
 *
 * Drops a reference.
 *
 * Since: 1.0
 */
void
parsec_key_attributes_unref (ParsecKeyAttributes *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      parsec_algorithm_unref (self->algorithm);
      g_free (self);
    }
}

static gboolean
is_key_type (ParsecKeyType key_type)
{
  return key_type >= PARSEC_KEY_TYPE_RAW_DATA && key_type <= PARSEC_KEY_TYPE_DH_PUBLIC_KEY;
}

/**
 * parsec_key_attributes_new:
 * @key_type: the key type; not an elliptic-curve or Diffie-Hellman type,
 *   which have their own constructors
 * @bits: the key size in bits; 0 on import means "as large as the data"
 * @usage: what the key may be used for
 * @algorithm: (nullable): the algorithm the key permits; %NULL for none
 *
 * Describes a key.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_new (ParsecKeyType    key_type,
                           guint            bits,
                           ParsecKeyUsage   usage,
                           ParsecAlgorithm *algorithm)
{
  g_return_val_if_fail (is_key_type (key_type) && key_type < PARSEC_KEY_TYPE_ECC_KEY_PAIR, NULL);
  return key_attributes_new (key_type, 0, bits, usage, algorithm);
}

/**
 * parsec_key_attributes_new_ecc:
 * @key_type: %PARSEC_KEY_TYPE_ECC_KEY_PAIR or %PARSEC_KEY_TYPE_ECC_PUBLIC_KEY
 * @family: the curve family
 * @bits: the curve size in bits, which picks the curve in the family
 * @usage: what the key may be used for
 * @algorithm: (nullable): the algorithm the key permits; %NULL for none
 *
 * Describes an elliptic-curve key.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_new_ecc (ParsecKeyType    key_type,
                               ParsecEccFamily  family,
                               guint            bits,
                               ParsecKeyUsage   usage,
                               ParsecAlgorithm *algorithm)
{
  g_return_val_if_fail (key_type == PARSEC_KEY_TYPE_ECC_KEY_PAIR ||
                        key_type == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY, NULL);
  return key_attributes_new (key_type, family, bits, usage, algorithm);
}

/**
 * parsec_key_attributes_new_dh:
 * @key_type: %PARSEC_KEY_TYPE_DH_KEY_PAIR or %PARSEC_KEY_TYPE_DH_PUBLIC_KEY
 * @family: the group family
 * @bits: the group size in bits
 * @usage: what the key may be used for
 * @algorithm: (nullable): the algorithm the key permits; %NULL for none
 *
 * Describes a finite-field Diffie-Hellman key.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_new_dh (ParsecKeyType    key_type,
                              ParsecDhFamily   family,
                              guint            bits,
                              ParsecKeyUsage   usage,
                              ParsecAlgorithm *algorithm)
{
  g_return_val_if_fail (key_type == PARSEC_KEY_TYPE_DH_KEY_PAIR ||
                        key_type == PARSEC_KEY_TYPE_DH_PUBLIC_KEY, NULL);
  return key_attributes_new (key_type, family, bits, usage, algorithm);
}

#define SIGNING_USAGE (PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH | \
                       PARSEC_KEY_USAGE_SIGN_MESSAGE | PARSEC_KEY_USAGE_VERIFY_MESSAGE)

/**
 * parsec_key_attributes_new_ecc_signing:
 * @bits: 256, 384 or 521 for the NIST curves P-256, P-384 and P-521
 * @hash: the hash signatures use, typically %PARSEC_HASH_SHA_256
 *
 * Describes an ECDSA key pair on a NIST curve (SECP R1) that may sign and
 * verify hashes and messages. Its public key can always be exported; the
 * private key cannot.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_new_ecc_signing (guint      bits,
                                       ParsecHash hash)
{
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (hash);

  g_return_val_if_fail (ecdsa != NULL, NULL);
  return key_attributes_new (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, bits,
                             SIGNING_USAGE, ecdsa);
}

/**
 * parsec_key_attributes_new_rsa_signing:
 * @bits: the modulus size, such as 2048 (the sizes a service makes are
 *   its own: 1024, 2048 and 4096 for Parsec 1.5's Mbed Crypto provider;
 *   see [method@Parsec.Client.generate_key])
 * @algorithm: a signature algorithm, such as
 *   [ctor@Parsec.Algorithm.new_rsa_pss] or [ctor@Parsec.Algorithm.new_rsa_pkcs1v15_sign]
 *
 * Describes an RSA key pair that may sign and verify hashes and messages.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_new_rsa_signing (guint            bits,
                                       ParsecAlgorithm *algorithm)
{
  g_return_val_if_fail (algorithm != NULL && algorithm->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, NULL);
  return key_attributes_new (PARSEC_KEY_TYPE_RSA_KEY_PAIR, 0, bits, SIGNING_USAGE, algorithm);
}

/**
 * parsec_key_attributes_new_rsa_encryption:
 * @bits: the modulus size, such as 2048 (the sizes a service makes are
 *   its own: 1024, 2048 and 4096 for Parsec 1.5's Mbed Crypto provider;
 *   see [method@Parsec.Client.generate_key])
 * @algorithm: an encryption algorithm, such as [ctor@Parsec.Algorithm.new_rsa_oaep]
 *
 * Describes an RSA key pair that may encrypt and decrypt.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_new_rsa_encryption (guint            bits,
                                          ParsecAlgorithm *algorithm)
{
  g_return_val_if_fail (algorithm != NULL && algorithm->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, NULL);
  return key_attributes_new (PARSEC_KEY_TYPE_RSA_KEY_PAIR, 0, bits,
                             PARSEC_KEY_USAGE_ENCRYPT | PARSEC_KEY_USAGE_DECRYPT, algorithm);
}

/**
 * parsec_key_attributes_new_ecdh:
 * @family: the curve family, such as %PARSEC_ECC_FAMILY_SECP_R1 or
 *   %PARSEC_ECC_FAMILY_MONTGOMERY
 * @bits: the curve size (255 for Curve25519)
 *
 * Describes an elliptic-curve key pair for raw ECDH key agreement.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_new_ecdh (ParsecEccFamily family,
                                guint           bits)
{
  g_autoptr(ParsecAlgorithm) ecdh = parsec_algorithm_new_key_agreement (PARSEC_KEY_AGREEMENT_ECDH);

  return key_attributes_new (PARSEC_KEY_TYPE_ECC_KEY_PAIR, family, bits, PARSEC_KEY_USAGE_DERIVE, ecdh);
}

/**
 * parsec_key_attributes_new_aead:
 * @key_type: %PARSEC_KEY_TYPE_AES, %PARSEC_KEY_TYPE_CAMELLIA or
 *   %PARSEC_KEY_TYPE_CHACHA20
 * @bits: the key size (128, 192 or 256 for AES; 256 for ChaCha20)
 * @algorithm: an AEAD algorithm, such as [ctor@Parsec.Algorithm.new_aead]
 *
 * Describes a symmetric key that may encrypt and decrypt with an AEAD
 * algorithm.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_new_aead (ParsecKeyType    key_type,
                                guint            bits,
                                ParsecAlgorithm *algorithm)
{
  g_return_val_if_fail (algorithm != NULL && algorithm->kind == PARSEC_ALGORITHM_KIND_AEAD, NULL);
  return key_attributes_new (key_type, 0, bits,
                             PARSEC_KEY_USAGE_ENCRYPT | PARSEC_KEY_USAGE_DECRYPT, algorithm);
}

/**
 * parsec_key_attributes_get_key_type:
 * @self: a #ParsecKeyAttributes
 *
 * Gets the key type.
 *
 * Returns: the key type
 *
 * Since: 1.0
 */
ParsecKeyType
parsec_key_attributes_get_key_type (const ParsecKeyAttributes *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->key_type;
}

/**
 * parsec_key_attributes_get_ecc_family:
 * @self: a #ParsecKeyAttributes
 *
 * Gets the curve family of an elliptic-curve key.
 *
 * Returns: the family, %PARSEC_ECC_FAMILY_NONE for other keys
 *
 * Since: 1.0
 */
ParsecEccFamily
parsec_key_attributes_get_ecc_family (const ParsecKeyAttributes *self)
{
  g_return_val_if_fail (self != NULL, PARSEC_ECC_FAMILY_NONE);
  if (self->key_type != PARSEC_KEY_TYPE_ECC_KEY_PAIR && self->key_type != PARSEC_KEY_TYPE_ECC_PUBLIC_KEY)
    return PARSEC_ECC_FAMILY_NONE;
  return self->family;
}

/**
 * parsec_key_attributes_get_dh_family:
 * @self: a #ParsecKeyAttributes
 *
 * Gets the group family of a Diffie-Hellman key.
 *
 * Returns: the family
 *
 * Since: 1.0
 */
ParsecDhFamily
parsec_key_attributes_get_dh_family (const ParsecKeyAttributes *self)
{
  g_return_val_if_fail (self != NULL, PARSEC_DH_FAMILY_RFC7919);
  if (self->key_type != PARSEC_KEY_TYPE_DH_KEY_PAIR && self->key_type != PARSEC_KEY_TYPE_DH_PUBLIC_KEY)
    return PARSEC_DH_FAMILY_RFC7919;
  return self->family;
}

/**
 * parsec_key_attributes_get_bits:
 * @self: a #ParsecKeyAttributes
 *
 * Gets the key size.
 *
 * Returns: the size in bits
 *
 * Since: 1.0
 */
guint
parsec_key_attributes_get_bits (const ParsecKeyAttributes *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->bits;
}

/**
 * parsec_key_attributes_get_usage:
 * @self: a #ParsecKeyAttributes
 *
 * Gets what the key may be used for.
 *
 * Returns: the usage flags
 *
 * Since: 1.0
 */
ParsecKeyUsage
parsec_key_attributes_get_usage (const ParsecKeyAttributes *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->usage;
}

/**
 * parsec_key_attributes_get_algorithm:
 * @self: a #ParsecKeyAttributes
 *
 * Gets the algorithm the key permits.
 *
 * Returns: (transfer none): the algorithm
 *
 * Since: 1.0
 */
ParsecAlgorithm *
parsec_key_attributes_get_algorithm (const ParsecKeyAttributes *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->algorithm;
}

/**
 * parsec_key_attributes_is_public_key:
 * @self: a #ParsecKeyAttributes
 *
 * Whether the key is a public key without its private part.
 *
 * Returns: %TRUE for public key types
 *
 * Since: 1.0
 */
gboolean
parsec_key_attributes_is_public_key (const ParsecKeyAttributes *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->key_type == PARSEC_KEY_TYPE_RSA_PUBLIC_KEY ||
         self->key_type == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY ||
         self->key_type == PARSEC_KEY_TYPE_DH_PUBLIC_KEY;
}

/**
 * parsec_key_attributes_with_usage:
 * @self: a #ParsecKeyAttributes
 * @usage: the usage flags of the copy
 *
 * Copies the attributes with other usage flags, for example to make a
 * key exportable: `parsec_key_attributes_with_usage (attributes,
 * parsec_key_attributes_get_usage (attributes) | PARSEC_KEY_USAGE_EXPORT)`.
 *
 * Returns: (transfer full): new key attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_attributes_with_usage (const ParsecKeyAttributes *self,
                                  ParsecKeyUsage             usage)
{
  g_return_val_if_fail (self != NULL, NULL);
  return key_attributes_new (self->key_type, self->family, self->bits, usage, self->algorithm);
}
