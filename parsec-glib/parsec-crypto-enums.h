/* parsec-crypto-enums.h: PSA algorithms, key types and key usage
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * ParsecHash:
 * @PARSEC_HASH_NONE: no hash
 * @PARSEC_HASH_MD2: MD2 (deprecated; the service refuses it in key policies)
 * @PARSEC_HASH_MD4: MD4 (deprecated)
 * @PARSEC_HASH_MD5: MD5 (deprecated)
 * @PARSEC_HASH_RIPEMD160: RIPEMD-160
 * @PARSEC_HASH_SHA_1: SHA-1 (deprecated)
 * @PARSEC_HASH_SHA_224: SHA-224
 * @PARSEC_HASH_SHA_256: SHA-256
 * @PARSEC_HASH_SHA_384: SHA-384
 * @PARSEC_HASH_SHA_512: SHA-512
 * @PARSEC_HASH_SHA_512_224: SHA-512/224
 * @PARSEC_HASH_SHA_512_256: SHA-512/256
 * @PARSEC_HASH_SHA3_224: SHA3-224
 * @PARSEC_HASH_SHA3_256: SHA3-256
 * @PARSEC_HASH_SHA3_384: SHA3-384
 * @PARSEC_HASH_SHA3_512: SHA3-512
 * @PARSEC_HASH_ANY: any hash: only in the policy of a signature key, which
 *   may then sign with every hash
 *
 * Hash algorithms.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_HASH_NONE = 0,
  PARSEC_HASH_MD2 = 1,
  PARSEC_HASH_MD4 = 2,
  PARSEC_HASH_MD5 = 3,
  PARSEC_HASH_RIPEMD160 = 4,
  PARSEC_HASH_SHA_1 = 5,
  PARSEC_HASH_SHA_224 = 6,
  PARSEC_HASH_SHA_256 = 7,
  PARSEC_HASH_SHA_384 = 8,
  PARSEC_HASH_SHA_512 = 9,
  PARSEC_HASH_SHA_512_224 = 10,
  PARSEC_HASH_SHA_512_256 = 11,
  PARSEC_HASH_SHA3_224 = 12,
  PARSEC_HASH_SHA3_256 = 13,
  PARSEC_HASH_SHA3_384 = 14,
  PARSEC_HASH_SHA3_512 = 15,
  PARSEC_HASH_ANY = 0x100,
} ParsecHash;

/**
 * ParsecAlgorithmKind:
 * @PARSEC_ALGORITHM_KIND_NONE: no algorithm: the key cannot be used for cryptography
 * @PARSEC_ALGORITHM_KIND_HASH: a hash
 * @PARSEC_ALGORITHM_KIND_MAC: a message authentication code
 * @PARSEC_ALGORITHM_KIND_CIPHER: an unauthenticated symmetric cipher
 * @PARSEC_ALGORITHM_KIND_AEAD: authenticated encryption with associated data
 * @PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE: a signature scheme
 * @PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION: an asymmetric encryption scheme
 * @PARSEC_ALGORITHM_KIND_KEY_AGREEMENT: a key agreement, raw or followed by a
 *   key derivation
 * @PARSEC_ALGORITHM_KIND_KEY_DERIVATION: a key derivation function
 *
 * The families of #ParsecAlgorithm.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_ALGORITHM_KIND_NONE = 1,
  PARSEC_ALGORITHM_KIND_HASH = 2,
  PARSEC_ALGORITHM_KIND_MAC = 3,
  PARSEC_ALGORITHM_KIND_CIPHER = 4,
  PARSEC_ALGORITHM_KIND_AEAD = 5,
  PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE = 6,
  PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION = 7,
  PARSEC_ALGORITHM_KIND_KEY_AGREEMENT = 8,
  PARSEC_ALGORITHM_KIND_KEY_DERIVATION = 9,
} ParsecAlgorithmKind;

/**
 * ParsecMac:
 * @PARSEC_MAC_HMAC: HMAC with a hash
 * @PARSEC_MAC_CBC_MAC: CBC-MAC
 * @PARSEC_MAC_CMAC: CMAC
 *
 * Message authentication codes.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_MAC_HMAC = 1,
  PARSEC_MAC_CBC_MAC = 2,
  PARSEC_MAC_CMAC = 3,
} ParsecMac;

/**
 * ParsecCipher:
 * @PARSEC_CIPHER_STREAM_CIPHER: a stream cipher (such as ChaCha20)
 * @PARSEC_CIPHER_CTR: counter mode
 * @PARSEC_CIPHER_CFB: cipher feedback mode
 * @PARSEC_CIPHER_OFB: output feedback mode
 * @PARSEC_CIPHER_XTS: XTS mode
 * @PARSEC_CIPHER_ECB_NO_PADDING: ECB without padding
 * @PARSEC_CIPHER_CBC_NO_PADDING: CBC without padding
 * @PARSEC_CIPHER_CBC_PKCS7: CBC with PKCS #7 padding
 *
 * Unauthenticated symmetric cipher modes.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_CIPHER_STREAM_CIPHER = 1,
  PARSEC_CIPHER_CTR = 2,
  PARSEC_CIPHER_CFB = 3,
  PARSEC_CIPHER_OFB = 4,
  PARSEC_CIPHER_XTS = 5,
  PARSEC_CIPHER_ECB_NO_PADDING = 6,
  PARSEC_CIPHER_CBC_NO_PADDING = 7,
  PARSEC_CIPHER_CBC_PKCS7 = 8,
} ParsecCipher;

/**
 * ParsecAead:
 * @PARSEC_AEAD_CCM: AES-CCM (and other block ciphers)
 * @PARSEC_AEAD_GCM: AES-GCM (and other block ciphers)
 * @PARSEC_AEAD_CHACHA20_POLY1305: ChaCha20-Poly1305
 *
 * Authenticated encryption algorithms.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_AEAD_CCM = 1,
  PARSEC_AEAD_GCM = 2,
  PARSEC_AEAD_CHACHA20_POLY1305 = 3,
} ParsecAead;

/**
 * ParsecSignatureScheme:
 * @PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15: RSA PKCS #1 v1.5 with a hash
 * @PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW: RSA PKCS #1 v1.5 over data the caller
 *   encoded itself
 * @PARSEC_SIGNATURE_SCHEME_RSA_PSS: RSA-PSS with a hash
 * @PARSEC_SIGNATURE_SCHEME_ECDSA: randomised ECDSA with a hash
 * @PARSEC_SIGNATURE_SCHEME_ECDSA_ANY: ECDSA without a hash of its own
 * @PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA: deterministic ECDSA (RFC 6979)
 *
 * Asymmetric signature schemes.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15 = 1,
  PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW = 2,
  PARSEC_SIGNATURE_SCHEME_RSA_PSS = 3,
  PARSEC_SIGNATURE_SCHEME_ECDSA = 4,
  PARSEC_SIGNATURE_SCHEME_ECDSA_ANY = 5,
  PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA = 6,
} ParsecSignatureScheme;

/**
 * ParsecEncryptionScheme:
 * @PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15: RSA PKCS #1 v1.5 encryption
 * @PARSEC_ENCRYPTION_SCHEME_RSA_OAEP: RSA-OAEP with a hash
 *
 * Asymmetric encryption schemes.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15 = 1,
  PARSEC_ENCRYPTION_SCHEME_RSA_OAEP = 2,
} ParsecEncryptionScheme;

/**
 * ParsecKeyAgreement:
 * @PARSEC_KEY_AGREEMENT_FFDH: finite-field Diffie-Hellman
 * @PARSEC_KEY_AGREEMENT_ECDH: elliptic-curve Diffie-Hellman
 *
 * Raw key agreement algorithms.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_KEY_AGREEMENT_FFDH = 1,
  PARSEC_KEY_AGREEMENT_ECDH = 2,
} ParsecKeyAgreement;

/**
 * ParsecKeyDerivation:
 * @PARSEC_KEY_DERIVATION_HKDF: HKDF
 * @PARSEC_KEY_DERIVATION_TLS12_PRF: the TLS 1.2 PRF
 * @PARSEC_KEY_DERIVATION_TLS12_PSK_TO_MS: the TLS 1.2 PSK-to-master-secret derivation
 *
 * Key derivation functions.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_KEY_DERIVATION_HKDF = 1,
  PARSEC_KEY_DERIVATION_TLS12_PRF = 2,
  PARSEC_KEY_DERIVATION_TLS12_PSK_TO_MS = 3,
} ParsecKeyDerivation;

/**
 * ParsecKeyType:
 * @PARSEC_KEY_TYPE_RAW_DATA: raw data, not a key for any algorithm
 * @PARSEC_KEY_TYPE_HMAC: an HMAC key
 * @PARSEC_KEY_TYPE_DERIVE: a secret for key derivation
 * @PARSEC_KEY_TYPE_AES: an AES key
 * @PARSEC_KEY_TYPE_DES: a DES key (deprecated)
 * @PARSEC_KEY_TYPE_CAMELLIA: a Camellia key
 * @PARSEC_KEY_TYPE_ARC4: an ARC4 key (deprecated)
 * @PARSEC_KEY_TYPE_CHACHA20: a ChaCha20 key
 * @PARSEC_KEY_TYPE_RSA_PUBLIC_KEY: an RSA public key
 * @PARSEC_KEY_TYPE_RSA_KEY_PAIR: an RSA key pair
 * @PARSEC_KEY_TYPE_ECC_KEY_PAIR: an elliptic-curve key pair, of a #ParsecEccFamily
 * @PARSEC_KEY_TYPE_ECC_PUBLIC_KEY: an elliptic-curve public key, of a #ParsecEccFamily
 * @PARSEC_KEY_TYPE_DH_KEY_PAIR: a Diffie-Hellman key pair, of a #ParsecDhFamily
 * @PARSEC_KEY_TYPE_DH_PUBLIC_KEY: a Diffie-Hellman public key, of a #ParsecDhFamily
 *
 * Key types.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_KEY_TYPE_RAW_DATA = 1,
  PARSEC_KEY_TYPE_HMAC = 2,
  PARSEC_KEY_TYPE_DERIVE = 3,
  PARSEC_KEY_TYPE_AES = 4,
  PARSEC_KEY_TYPE_DES = 5,
  PARSEC_KEY_TYPE_CAMELLIA = 6,
  PARSEC_KEY_TYPE_ARC4 = 7,
  PARSEC_KEY_TYPE_CHACHA20 = 8,
  PARSEC_KEY_TYPE_RSA_PUBLIC_KEY = 9,
  PARSEC_KEY_TYPE_RSA_KEY_PAIR = 10,
  PARSEC_KEY_TYPE_ECC_KEY_PAIR = 11,
  PARSEC_KEY_TYPE_ECC_PUBLIC_KEY = 12,
  PARSEC_KEY_TYPE_DH_KEY_PAIR = 13,
  PARSEC_KEY_TYPE_DH_PUBLIC_KEY = 14,
} ParsecKeyType;

/**
 * ParsecEccFamily:
 * @PARSEC_ECC_FAMILY_NONE: no family (key types other than elliptic curve)
 * @PARSEC_ECC_FAMILY_SECP_K1: SEC Koblitz curves over prime fields (secp256k1, …)
 * @PARSEC_ECC_FAMILY_SECP_R1: SEC random curves over prime fields (P-256, P-384, P-521, …)
 * @PARSEC_ECC_FAMILY_SECP_R2: SEC secp160r2 (deprecated)
 * @PARSEC_ECC_FAMILY_SECT_K1: SEC Koblitz curves over binary fields
 * @PARSEC_ECC_FAMILY_SECT_R1: SEC random curves over binary fields
 * @PARSEC_ECC_FAMILY_SECT_R2: SEC sect163r2 (deprecated)
 * @PARSEC_ECC_FAMILY_BRAINPOOL_P_R1: Brainpool random curves over prime fields
 * @PARSEC_ECC_FAMILY_FRP: the FRP256v1 curve
 * @PARSEC_ECC_FAMILY_MONTGOMERY: Montgomery curves (Curve25519, Curve448)
 *
 * Families of elliptic curves; the key size picks the curve.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_ECC_FAMILY_NONE = 0,
  PARSEC_ECC_FAMILY_SECP_K1 = 1,
  PARSEC_ECC_FAMILY_SECP_R1 = 2,
  PARSEC_ECC_FAMILY_SECP_R2 = 3,
  PARSEC_ECC_FAMILY_SECT_K1 = 4,
  PARSEC_ECC_FAMILY_SECT_R1 = 5,
  PARSEC_ECC_FAMILY_SECT_R2 = 6,
  PARSEC_ECC_FAMILY_BRAINPOOL_P_R1 = 7,
  PARSEC_ECC_FAMILY_FRP = 8,
  PARSEC_ECC_FAMILY_MONTGOMERY = 9,
} ParsecEccFamily;

/**
 * ParsecDhFamily:
 * @PARSEC_DH_FAMILY_RFC7919: the finite-field groups of RFC 7919
 *
 * Families of finite-field Diffie-Hellman groups.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_DH_FAMILY_RFC7919 = 0,
} ParsecDhFamily;

/**
 * ParsecKeyUsage:
 * @PARSEC_KEY_USAGE_NONE: no usage
 * @PARSEC_KEY_USAGE_EXPORT: the key material may be exported
 * @PARSEC_KEY_USAGE_COPY: the key may be copied
 * @PARSEC_KEY_USAGE_CACHE: the provider may cache the key outside secure storage
 * @PARSEC_KEY_USAGE_ENCRYPT: the key may encrypt
 * @PARSEC_KEY_USAGE_DECRYPT: the key may decrypt
 * @PARSEC_KEY_USAGE_SIGN_MESSAGE: the key may sign messages
 * @PARSEC_KEY_USAGE_VERIFY_MESSAGE: the key may verify signatures of messages
 * @PARSEC_KEY_USAGE_SIGN_HASH: the key may sign hashes
 * @PARSEC_KEY_USAGE_VERIFY_HASH: the key may verify signatures of hashes
 * @PARSEC_KEY_USAGE_DERIVE: the key may be used in key derivation and agreement
 *
 * What a key may be used for: its usage policy, enforced by the service.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/ {
  PARSEC_KEY_USAGE_NONE = 0,
  PARSEC_KEY_USAGE_EXPORT = 1 << 0,
  PARSEC_KEY_USAGE_COPY = 1 << 1,
  PARSEC_KEY_USAGE_CACHE = 1 << 2,
  PARSEC_KEY_USAGE_ENCRYPT = 1 << 3,
  PARSEC_KEY_USAGE_DECRYPT = 1 << 4,
  PARSEC_KEY_USAGE_SIGN_MESSAGE = 1 << 5,
  PARSEC_KEY_USAGE_VERIFY_MESSAGE = 1 << 6,
  PARSEC_KEY_USAGE_SIGN_HASH = 1 << 7,
  PARSEC_KEY_USAGE_VERIFY_HASH = 1 << 8,
  PARSEC_KEY_USAGE_DERIVE = 1 << 9,
} ParsecKeyUsage;

/**
 * ParsecCheckType:
 * @PARSEC_CHECK_TYPE_USE: can a key with these attributes be used
 * @PARSEC_CHECK_TYPE_GENERATE: can such a key be generated
 * @PARSEC_CHECK_TYPE_IMPORT: can such a key be imported
 * @PARSEC_CHECK_TYPE_DERIVE: can such a key be derived
 *
 * What [method@Parsec.Client.can_do_crypto] asks the provider.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_CHECK_TYPE_USE = 1,
  PARSEC_CHECK_TYPE_GENERATE = 2,
  PARSEC_CHECK_TYPE_IMPORT = 3,
  PARSEC_CHECK_TYPE_DERIVE = 4,
} ParsecCheckType;

/**
 * ParsecPublicKeyFormat:
 * @PARSEC_PUBLIC_KEY_FORMAT_PSA: the PSA export format: an RSAPublicKey
 *   (PKCS #1) in DER for RSA, the uncompressed point for Weierstrass
 *   curves, the raw key for Montgomery curves
 * @PARSEC_PUBLIC_KEY_FORMAT_DER: a SubjectPublicKeyInfo in DER, as X.509
 *   certificates, GnuTLS and OpenSSL use it
 * @PARSEC_PUBLIC_KEY_FORMAT_PEM: a SubjectPublicKeyInfo in PEM
 *   (`-----BEGIN PUBLIC KEY-----`)
 *
 * Encodings of an exported public key.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_PUBLIC_KEY_FORMAT_PSA,
  PARSEC_PUBLIC_KEY_FORMAT_DER,
  PARSEC_PUBLIC_KEY_FORMAT_PEM,
} ParsecPublicKeyFormat;

G_END_DECLS
