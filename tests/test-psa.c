/* test-psa.c: algorithms and key attributes, and their protobuf encoding
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"
#include "parsec-client-private.h"
#include "parsec-psa-private.h"
#include "parsec-secure-private.h"
#include "psa_algorithm.pb-c.h"
#include "psa_key_attributes.pb-c.h"

static GBytes *
pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *buf = g_malloc (len + 1);

  protobuf_c_message_pack (message, buf);
  return g_bytes_new_take (buf, len);
}

static ParsecAlgorithm *
roundtrip_algorithm (const ParsecAlgorithm *algorithm)
{
  g_autoptr(ProtobufCMessage) message = _parsec_algorithm_to_message (algorithm);
  g_autoptr(GBytes) bytes = pack (message);
  g_autoptr(ProtobufCMessage) parsed = NULL;

  parsed = protobuf_c_message_unpack (&psa_algorithm__algorithm__descriptor,
                                      &_parsec_secure_protobuf_allocator,
                                      g_bytes_get_size (bytes), g_bytes_get_data (bytes, NULL));
  g_assert_nonnull (parsed);
  return _parsec_algorithm_from_message (parsed);
}

static void
test_algorithm_roundtrip (void)
{
  g_autoptr(ParsecAlgorithm) hkdf = parsec_algorithm_new_key_derivation (PARSEC_KEY_DERIVATION_HKDF, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecAlgorithm) hmac = parsec_algorithm_new_hmac (PARSEC_HASH_SHA_384);
  ParsecAlgorithm *algorithms[] = {
    parsec_algorithm_new_none (),
    parsec_algorithm_new_hash (PARSEC_HASH_SHA3_512),
    parsec_algorithm_new_hmac (PARSEC_HASH_SHA_256),
    parsec_algorithm_new_cbc_mac (),
    parsec_algorithm_new_cmac (),
    parsec_algorithm_new_truncated_mac (hmac, 16),
    parsec_algorithm_new_cipher (PARSEC_CIPHER_CBC_PKCS7),
    parsec_algorithm_new_aead (PARSEC_AEAD_GCM),
    parsec_algorithm_new_aead_shortened_tag (PARSEC_AEAD_CCM, 8),
    parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256),
    parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_ANY),
    parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW, PARSEC_HASH_NONE),
    parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_512),
    parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256),
    parsec_algorithm_new_ecdsa (PARSEC_HASH_ANY),
    parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_ECDSA_ANY, PARSEC_HASH_NONE),
    parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA, PARSEC_HASH_SHA_384),
    parsec_algorithm_new_rsa_pkcs1v15_crypt (),
    parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256),
    parsec_algorithm_new_key_agreement (PARSEC_KEY_AGREEMENT_ECDH),
    parsec_algorithm_new_key_agreement (PARSEC_KEY_AGREEMENT_FFDH),
    parsec_algorithm_new_key_agreement_with_derivation (PARSEC_KEY_AGREEMENT_ECDH, hkdf),
    parsec_algorithm_new_key_derivation (PARSEC_KEY_DERIVATION_TLS12_PRF, PARSEC_HASH_SHA_256),
    parsec_algorithm_new_key_derivation (PARSEC_KEY_DERIVATION_TLS12_PSK_TO_MS, PARSEC_HASH_SHA_384),
  };

  for (gsize i = 0; i < G_N_ELEMENTS (algorithms); i++)
    {
      g_autoptr(ParsecAlgorithm) back = roundtrip_algorithm (algorithms[i]);
      g_autofree char *text = parsec_algorithm_to_string (algorithms[i]);
      g_autofree char *back_text = parsec_algorithm_to_string (back);

      g_test_message ("%s", text);
      g_assert_cmpstr (text, ==, back_text);
      g_assert_true (parsec_algorithm_equal (algorithms[i], back));
      g_assert_false (strstr (text, "unknown"));
      parsec_algorithm_unref (algorithms[i]);
    }
}

/* Exact bytes, worked out from the contract by hand: Algorithm field 6
 * (asymmetric_signature) { field 4 (ecdsa) { field 1 (hash_alg) { field 2
 * (specific) = 7 (SHA-256) } } }. */
static void
test_algorithm_bytes (void)
{
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecAlgorithm) any = parsec_algorithm_new_ecdsa (PARSEC_HASH_ANY);
  g_autoptr(ParsecAlgorithm) gcm = parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
  g_autoptr(ProtobufCMessage) m1 = _parsec_algorithm_to_message (ecdsa);
  g_autoptr(ProtobufCMessage) m2 = _parsec_algorithm_to_message (any);
  g_autoptr(ProtobufCMessage) m3 = _parsec_algorithm_to_message (gcm);
  g_autoptr(GBytes) b1 = pack (m1);
  g_autoptr(GBytes) b2 = pack (m2);
  g_autoptr(GBytes) b3 = pack (m3);
  const guint8 e1[] = { 0x32, 0x06, 0x22, 0x04, 0x0a, 0x02, 0x10, 0x07 };
  const guint8 e2[] = { 0x32, 0x06, 0x22, 0x04, 0x0a, 0x02, 0x0a, 0x00 };
  const guint8 e3[] = { 0x2a, 0x02, 0x08, 0x02 };

  g_assert_cmpmem (g_bytes_get_data (b1, NULL), g_bytes_get_size (b1), e1, sizeof e1);
  g_assert_cmpmem (g_bytes_get_data (b2, NULL), g_bytes_get_size (b2), e2, sizeof e2);
  g_assert_cmpmem (g_bytes_get_data (b3, NULL), g_bytes_get_size (b3), e3, sizeof e3);
}

static void
test_attributes_roundtrip (void)
{
  g_autoptr(ParsecAlgorithm) oaep = parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecAlgorithm) gcm = parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
  ParsecKeyAttributes *all[] = {
    parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256),
    parsec_key_attributes_new_rsa_encryption (2048, oaep),
    parsec_key_attributes_new_ecdh (PARSEC_ECC_FAMILY_MONTGOMERY, 255),
    parsec_key_attributes_new_aead (PARSEC_KEY_TYPE_AES, 128, gcm),
    parsec_key_attributes_new (PARSEC_KEY_TYPE_RAW_DATA, 0, PARSEC_KEY_USAGE_EXPORT | PARSEC_KEY_USAGE_DERIVE, NULL),
    parsec_key_attributes_new_dh (PARSEC_KEY_TYPE_DH_PUBLIC_KEY, PARSEC_DH_FAMILY_RFC7919, 2048, PARSEC_KEY_USAGE_NONE, NULL),
  };

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_autoptr(ProtobufCMessage) message = _parsec_key_attributes_to_message (all[i]);
      g_autoptr(GBytes) bytes = pack (message);
      g_autoptr(ProtobufCMessage) parsed = NULL;
      g_autoptr(ParsecKeyAttributes) back = NULL;

      parsed = protobuf_c_message_unpack (&psa_key_attributes__key_attributes__descriptor,
                                          &_parsec_secure_protobuf_allocator,
                                          g_bytes_get_size (bytes), g_bytes_get_data (bytes, NULL));
      g_assert_nonnull (parsed);
      back = _parsec_key_attributes_from_message (parsed);
      g_assert_cmpint (parsec_key_attributes_get_key_type (back), ==, parsec_key_attributes_get_key_type (all[i]));
      g_assert_cmpint (parsec_key_attributes_get_ecc_family (back), ==, parsec_key_attributes_get_ecc_family (all[i]));
      g_assert_cmpuint (parsec_key_attributes_get_bits (back), ==, parsec_key_attributes_get_bits (all[i]));
      g_assert_cmphex (parsec_key_attributes_get_usage (back), ==, parsec_key_attributes_get_usage (all[i]));
      g_assert_true (parsec_algorithm_equal (parsec_key_attributes_get_algorithm (back),
                                             parsec_key_attributes_get_algorithm (all[i])));
      parsec_key_attributes_unref (all[i]);
    }
}

/* What a newer or hostile service may put in key attributes is kept or
 * read as none, never a crash. */
static void
test_attributes_lenient (void)
{
  PsaKeyAttributes__KeyAttributes empty = PSA_KEY_ATTRIBUTES__KEY_ATTRIBUTES__INIT;
  g_autoptr(ParsecKeyAttributes) attributes = _parsec_key_attributes_from_message (&empty.base);
  g_autoptr(ParsecAlgorithm) none = _parsec_algorithm_from_message (NULL);

  g_assert_cmpint (parsec_key_attributes_get_key_type (attributes), ==, 0);
  g_assert_cmpint (parsec_algorithm_get_kind (parsec_key_attributes_get_algorithm (attributes)), ==, PARSEC_ALGORITHM_KIND_NONE);
  g_assert_cmpint (parsec_algorithm_get_kind (none), ==, PARSEC_ALGORITHM_KIND_NONE);

  /* Such values go back to the service when the application reuses
   * them; they encode (incompletely, for the service to refuse). */
  {
    PsaAlgorithm__Algorithm algorithm = PSA_ALGORITHM__ALGORITHM__INIT;
    PsaAlgorithm__Algorithm__AsymmetricSignature signature = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__INIT;
    g_autoptr(ParsecAlgorithm) no_scheme = NULL;
    g_autoptr(ProtobufCMessage) again = NULL;
    g_autoptr(ProtobufCMessage) attributes_again = _parsec_key_attributes_to_message (attributes);
    g_autoptr(GBytes) packed = pack (attributes_again);

    algorithm.variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE;
    algorithm.asymmetric_signature = &signature;
    no_scheme = _parsec_algorithm_from_message (&algorithm.base);
    g_assert_cmpint (parsec_algorithm_get_kind (no_scheme), ==, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE);
    g_assert_cmpuint (parsec_algorithm_get_signature_scheme (no_scheme), ==, 0);
    /* The getters of the other kinds say 0 too. */
    g_assert_cmpuint (parsec_algorithm_get_mac (no_scheme), ==, 0);
    g_assert_cmpuint (parsec_algorithm_get_cipher (no_scheme), ==, 0);
    g_assert_cmpuint (parsec_algorithm_get_aead (no_scheme), ==, 0);
    g_assert_cmpuint (parsec_algorithm_get_encryption_scheme (no_scheme), ==, 0);
    g_assert_cmpuint (parsec_algorithm_get_key_agreement (no_scheme), ==, 0);
    g_assert_cmpuint (parsec_algorithm_get_key_derivation (no_scheme), ==, 0);
    again = _parsec_algorithm_to_message (no_scheme);
    g_clear_pointer (&packed, g_bytes_unref);
    packed = pack (again);
    g_assert_nonnull (packed);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parsec/psa/algorithm-roundtrip", test_algorithm_roundtrip);
  g_test_add_func ("/parsec/psa/algorithm-bytes", test_algorithm_bytes);
  g_test_add_func ("/parsec/psa/attributes-roundtrip", test_attributes_roundtrip);
  g_test_add_func ("/parsec/psa/attributes-lenient", test_attributes_lenient);

  return g_test_run ();
}
