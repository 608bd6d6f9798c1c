/* test-pkcs11-secret.c: what the PKCS #11 module offers beside key pairs:
 * digests, secret keys, AEAD and ECDH
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each mechanism is offered where the service's provider lists the
 * operation it needs: each test asks the service (ParsecTestProvider)
 * and checks the module's answers either way, so that it runs against
 * the test service, the real Mbed Crypto provider and the TPM provider,
 * which offers none of these.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <parsec-glib/parsec-glib.h>

#include "pkcs11/p11-v3.h"
#include "p11-test-token.h"

#define APP_NAME "pkcs11-secret-test"

typedef struct {
  P11TestToken token;
  ParsecTestProvider *provider;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  p11_test_token_open (&f->token, APP_NAME);
  f->provider = parsec_test_provider_query (f->token.client, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  user_data)
{
  g_clear_pointer (&f->provider, parsec_test_provider_free);
  p11_test_token_close (&f->token);
}

static gboolean
offers (Fixture      *f,
        ParsecOpcode  opcode)
{
  return parsec_test_provider_offers (f->provider, opcode);
}

static gboolean
in_list (const CK_MECHANISM_TYPE *list,
         CK_ULONG                 n,
         CK_MECHANISM_TYPE        type)
{
  for (CK_ULONG i = 0; i < n; i++)
    if (list[i] == type)
      return TRUE;
  return FALSE;
}

/* The mechanism list */

static void
test_mechanisms (Fixture       *f,
                 gconstpointer  user_data)
{
  static const struct {
    CK_MECHANISM_TYPE type;
    ParsecOpcode opcode;
    CK_FLAGS flag;
  } expected[] = {
    { CKM_SHA_1, PARSEC_OPCODE_PSA_HASH_COMPUTE, CKF_DIGEST },
    { CKM_SHA224, PARSEC_OPCODE_PSA_HASH_COMPUTE, CKF_DIGEST },
    { CKM_SHA256, PARSEC_OPCODE_PSA_HASH_COMPUTE, CKF_DIGEST },
    { CKM_SHA384, PARSEC_OPCODE_PSA_HASH_COMPUTE, CKF_DIGEST },
    { CKM_SHA512, PARSEC_OPCODE_PSA_HASH_COMPUTE, CKF_DIGEST },
    { CKM_AES_KEY_GEN, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, CKF_GENERATE },
    { CKM_AES_GCM, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, CKF_ENCRYPT },
    { CKM_AES_CCM, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, CKF_DECRYPT },
    { CKM_CHACHA20_KEY_GEN, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, CKF_GENERATE },
    { CKM_CHACHA20_POLY1305, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, CKF_ENCRYPT },
    { CKM_ECDH1_DERIVE, PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT, CKF_DERIVE },
    { CKM_ECDSA, PARSEC_OPCODE_PSA_SIGN_HASH, CKF_SIGN },
    { CKM_EC_KEY_PAIR_GEN, PARSEC_OPCODE_PSA_GENERATE_KEY, CKF_GENERATE_KEY_PAIR },
  };
  CK_MECHANISM_TYPE list[64];
  CK_ULONG n = 0, count = 0;
  CK_MECHANISM_INFO info;

  g_assert_cmpuint (p11->C_GetMechanismList (f->token.slot, NULL, &count), ==, CKR_OK);
  n = 1;
  g_assert_cmpuint (p11->C_GetMechanismList (f->token.slot, list, &n), ==, CKR_BUFFER_TOO_SMALL);
  g_assert_cmpuint (n, ==, count);
  g_assert_cmpuint (p11->C_GetMechanismList (f->token.slot, list, &n), ==, CKR_OK);
  g_assert_cmpuint (n, ==, count);

  for (gsize i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      gboolean offered = offers (f, expected[i].opcode);

      if (expected[i].flag == CKF_GENERATE)
        offered = offered && offers (f, PARSEC_OPCODE_PSA_GENERATE_KEY);
      g_test_message ("mechanism 0x%lx: %s", expected[i].type, offered ? "offered" : "not offered");
      g_assert_cmpint (in_list (list, n, expected[i].type), ==, offered);
      if (offered)
        {
          g_assert_cmpuint (p11->C_GetMechanismInfo (f->token.slot, expected[i].type, &info), ==, CKR_OK);
          g_assert_true (info.flags & expected[i].flag);
        }
      else
        g_assert_cmpuint (p11->C_GetMechanismInfo (f->token.slot, expected[i].type, &info), ==, CKR_MECHANISM_INVALID);
    }
  if (offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT))
    {
      g_assert_cmpuint (p11->C_GetMechanismInfo (f->token.slot, CKM_AES_GCM, &info), ==, CKR_OK);
      g_assert_cmpuint (info.ulMinKeySize, ==, 16);
      g_assert_cmpuint (info.ulMaxKeySize, ==, 32);
      g_assert_true (info.flags & CKF_HW);
    }
  /* Never offered: no provider has them in one step. */
  g_assert_cmpuint (p11->C_GetMechanismInfo (f->token.slot, CKM_AES_CBC_PAD, &info), ==, CKR_MECHANISM_INVALID);
  g_assert_cmpuint (p11->C_GetMechanismInfo (f->token.slot, CKM_SHA256_HMAC, &info), ==, CKR_MECHANISM_INVALID);
}

/* Digests */

static char *
hex_of (GBytes *bytes)
{
  const guint8 *data = g_bytes_get_data (bytes, NULL);
  GString *hex = g_string_new (NULL);

  for (gsize i = 0; i < g_bytes_get_size (bytes); i++)
    g_string_append_printf (hex, "%02x", data[i]);
  return g_string_free (hex, FALSE);
}

static GBytes *
digest (Fixture           *f,
        CK_MECHANISM_TYPE  type,
        const void        *data,
        gsize              len)
{
  CK_MECHANISM mechanism = { type, NULL, 0 };
  guint8 out[64];
  CK_ULONG out_len = 0;

  g_assert_cmpuint (p11->C_DigestInit (f->token.session, &mechanism), ==, CKR_OK);
  /* The size, then a buffer too small: the operation goes on. */
  g_assert_cmpuint (p11->C_Digest (f->token.session, (CK_BYTE_PTR) data, len, NULL, &out_len), ==, CKR_OK);
  g_assert_cmpuint (out_len, >, 1);
  out_len = 1;
  g_assert_cmpuint (p11->C_Digest (f->token.session, (CK_BYTE_PTR) data, len, out, &out_len), ==, CKR_BUFFER_TOO_SMALL);
  out_len = sizeof out;
  g_assert_cmpuint (p11->C_Digest (f->token.session, (CK_BYTE_PTR) data, len, out, &out_len), ==, CKR_OK);
  return g_bytes_new (out, out_len);
}

static void
test_digest (Fixture       *f,
             gconstpointer  user_data)
{
  static const struct {
    CK_MECHANISM_TYPE type;
    const char *abc;            /* FIPS 180-4's digest of "abc" */
  } hashes[] = {
    { CKM_SHA_1, "a9993e364706816aba3e25717850c26c9cd0d89d" },
    { CKM_SHA224, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
    { CKM_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
    { CKM_SHA384,
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
    { CKM_SHA512,
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
      "454d4423643ce80e2a9ac94fa54ca49f" },
  };
  CK_MECHANISM sha256 = { CKM_SHA256, NULL, 0 };
  CK_MECHANISM with_param = { CKM_SHA256, (CK_VOID_PTR) "x", 1 };
  CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
  g_autofree guint8 *big = g_malloc (3 << 20);
  guint8 out[64];
  CK_ULONG out_len = sizeof out;

  if (!offers (f, PARSEC_OPCODE_PSA_HASH_COMPUTE))
    {
      g_assert_cmpuint (p11->C_DigestInit (f->token.session, &sha256), ==, CKR_MECHANISM_INVALID);
      return;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      g_autoptr(GBytes) single = digest (f, hashes[i].type, "abc", 3);
      g_autofree char *hex = hex_of (single);
      CK_MECHANISM mechanism = { hashes[i].type, NULL, 0 };

      g_assert_cmpstr (hex, ==, hashes[i].abc);

      /* In parts, the same */
      g_assert_cmpuint (p11->C_DigestInit (f->token.session, &mechanism), ==, CKR_OK);
      g_assert_cmpuint (p11->C_DigestUpdate (f->token.session, (CK_BYTE_PTR) "a", 1), ==, CKR_OK);
      g_assert_cmpuint (p11->C_DigestUpdate (f->token.session, NULL, 0), ==, CKR_OK);
      g_assert_cmpuint (p11->C_DigestUpdate (f->token.session, (CK_BYTE_PTR) "bc", 2), ==, CKR_OK);
      out_len = 0;
      g_assert_cmpuint (p11->C_DigestFinal (f->token.session, NULL, &out_len), ==, CKR_OK);
      g_assert_cmpuint (out_len, ==, g_bytes_get_size (single));
      out_len = sizeof out;
      g_assert_cmpuint (p11->C_DigestFinal (f->token.session, out, &out_len), ==, CKR_OK);
      g_assert_cmpmem (out, out_len, g_bytes_get_data (single, NULL), g_bytes_get_size (single));
      g_assert_cmpuint (p11->C_DigestFinal (f->token.session, out, &out_len), ==, CKR_OPERATION_NOT_INITIALIZED);
    }

  /* More than the service takes in one request, in parts: the digest of
   * the library's own hashing of the same data. */
  memset (big, 0x5a, 3 << 20);
  {
    g_autoptr(GBytes) expected = NULL;
    g_autoptr(GBytes) head = g_bytes_new_static (big, 1000);
    g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
    guint8 reference[32];
    gsize reference_len = sizeof reference;

    g_checksum_update (checksum, big, 3 << 20);
    g_checksum_get_digest (checksum, reference, &reference_len);
    g_assert_cmpuint (p11->C_DigestInit (f->token.session, &sha256), ==, CKR_OK);
    for (int i = 0; i < 3; i++)
      g_assert_cmpuint (p11->C_DigestUpdate (f->token.session, big + (i << 20), 1 << 20), ==, CKR_OK);
    out_len = sizeof out;
    g_assert_cmpuint (p11->C_DigestFinal (f->token.session, out, &out_len), ==, CKR_OK);
    g_assert_cmpmem (out, out_len, reference, reference_len);
    /* and what the service computes, for what it takes */
    expected = parsec_client_hash_compute (f->token.client, PARSEC_HASH_SHA_256, head, NULL, NULL);
    if (expected != NULL)
      {
        g_autoptr(GBytes) ours = digest (f, CKM_SHA256, big, 1000);

        g_assert_true (g_bytes_equal (ours, expected));
      }
  }

  /* What is refused */
  g_assert_cmpuint (p11->C_DigestInit (f->token.session, &with_param), ==, CKR_MECHANISM_PARAM_INVALID);
  g_assert_cmpuint (p11->C_DigestInit (f->token.session, &ecdsa), ==, CKR_MECHANISM_INVALID);
  g_assert_cmpuint (p11->C_DigestUpdate (f->token.session, (CK_BYTE_PTR) "a", 1), ==, CKR_OPERATION_NOT_INITIALIZED);
  g_assert_cmpuint (p11->C_DigestInit (f->token.session, &sha256), ==, CKR_OK);
  g_assert_cmpuint (p11->C_DigestInit (f->token.session, &sha256), ==, CKR_OPERATION_ACTIVE);
  g_assert_cmpuint (p11->C_Digest (f->token.session, NULL, 1, out, &out_len), ==, CKR_ARGUMENTS_BAD);
  /* A digest is single-part or multi-part from its first call; mixing the
   * two ends it. */
  g_assert_cmpuint (p11->C_DigestInit (f->token.session, &sha256), ==, CKR_OK);
  g_assert_cmpuint (p11->C_DigestUpdate (f->token.session, (CK_BYTE_PTR) "a", 1), ==, CKR_OK);
  out_len = sizeof out;
  g_assert_cmpuint (p11->C_Digest (f->token.session, (CK_BYTE_PTR) "a", 1, out, &out_len), ==, CKR_OPERATION_ACTIVE);
  g_assert_cmpuint (p11->C_DigestFinal (f->token.session, out, &out_len), ==, CKR_OPERATION_NOT_INITIALIZED);
  g_assert_cmpuint (p11->C_DigestInit (f->token.session, &sha256), ==, CKR_OK);
  out_len = 0;
  g_assert_cmpuint (p11->C_Digest (f->token.session, (CK_BYTE_PTR) "a", 1, NULL, &out_len), ==, CKR_OK);
  out_len = sizeof out;
  g_assert_cmpuint (p11->C_DigestFinal (f->token.session, out, &out_len), ==, CKR_OPERATION_ACTIVE);
  g_assert_cmpuint (p11->C_DigestFinal (f->token.session, out, &out_len), ==, CKR_OPERATION_NOT_INITIALIZED);
}

/* Secret keys and AEAD */

static CK_RV
generate_secret (Fixture           *f,
                 CK_MECHANISM_TYPE  type,
                 const char        *label,
                 CK_ULONG           value_len,
                 CK_ATTRIBUTE      *extra,
                 CK_ULONG           n_extra,
                 CK_OBJECT_HANDLE  *key)
{
  CK_MECHANISM mechanism = { type, NULL, 0 };
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[8] = {
    { CKA_LABEL, (CK_VOID_PTR) label, strlen (label) },
    { CKA_ENCRYPT, &yes, sizeof yes },
    { CKA_VALUE_LEN, &value_len, sizeof value_len },
  };
  CK_ULONG n = value_len > 0 ? 3 : 2;
  gboolean token_given = FALSE;

  g_assert_cmpuint (n + n_extra + 1, <=, G_N_ELEMENTS (tmpl));
  for (CK_ULONG i = 0; i < n_extra; i++)
    {
      token_given = token_given || extra[i].type == CKA_TOKEN;
      tmpl[n++] = extra[i];
    }
  /* A token object unless asked otherwise */
  if (!token_given)
    tmpl[n++] = (CK_ATTRIBUTE) { CKA_TOKEN, &yes, sizeof yes };
  return p11->C_GenerateKey (f->token.session, &mechanism, tmpl, n, key);
}

/* Encrypts or decrypts in one call, with the size query first. */
static CK_RV
aead (Fixture           *f,
      gboolean           encrypt,
      CK_MECHANISM      *mechanism,
      CK_OBJECT_HANDLE   key,
      GBytes            *input,
      GBytes           **output)
{
  gsize len = g_bytes_get_size (input);
  CK_BYTE_PTR in = (CK_BYTE_PTR) g_bytes_get_data (input, NULL);
  g_autofree guint8 *out = NULL;
  CK_ULONG out_len = 0;
  CK_RV rv;

  rv = encrypt ? p11->C_EncryptInit (f->token.session, mechanism, key) : p11->C_DecryptInit (f->token.session, mechanism, key);
  if (rv != CKR_OK)
    return rv;
  rv = encrypt ? p11->C_Encrypt (f->token.session, in, len, NULL, &out_len)
               : p11->C_Decrypt (f->token.session, in, len, NULL, &out_len);
  g_assert_cmpuint (rv, ==, CKR_OK);
  g_assert_cmpuint (out_len, ==, encrypt ? len + 16 : len - 16);
  out = g_malloc (out_len + 1);
  rv = encrypt ? p11->C_Encrypt (f->token.session, in, len, out, &out_len)
               : p11->C_Decrypt (f->token.session, in, len, out, &out_len);
  if (rv == CKR_OK)
    *output = g_bytes_new (out, out_len);
  return rv;
}

static void
test_aes_gcm (Fixture       *f,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("attack at dawn, or later", 24);
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(GBytes) by_library = NULL;
  g_autoptr(GBytes) nonce = NULL;
  g_autoptr(GBytes) aad_bytes = NULL;
  g_autoptr(ParsecKey) service_key = NULL;
  g_autoptr(ParsecAlgorithm) gcm = parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
  guint8 iv[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
  guint8 aad[] = "header";
  CK_GCM_PARAMS params = { iv, sizeof iv, 96, aad, 6, 128 };
  CK_GCM_PARAMS short_tag = { iv, sizeof iv, 96, aad, 6, 96 };
  CK_MECHANISM mechanism = { CKM_AES_GCM, &params, sizeof params };
  CK_MECHANISM bad_tag = { CKM_AES_GCM, &short_tag, sizeof short_tag };
  CK_MECHANISM no_params = { CKM_AES_GCM, NULL, 0 };
  P11CcmParams ccm_params = { 24, iv, 12, NULL, 0, 16 };
  CK_MECHANISM ccm = { CKM_AES_CCM, &ccm_params, sizeof ccm_params };
  CK_BBOOL no = CK_FALSE;
  CK_ATTRIBUTE session_key = { CKA_TOKEN, &no, sizeof no };
  CK_OBJECT_HANDLE key, other;
  guint8 out[64];
  CK_ULONG out_len, value_len;
  CK_ATTRIBUTE value = { CKA_VALUE, NULL, 0 };

  if (!offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT) || !offers (f, PARSEC_OPCODE_PSA_GENERATE_KEY))
    {
      g_assert_cmpuint (generate_secret (f, CKM_AES_KEY_GEN, "aes", 32, NULL, 0, &key), ==, CKR_MECHANISM_INVALID);
      return;
    }

  /* Templates the module refuses */
  g_assert_cmpuint (generate_secret (f, CKM_AES_KEY_GEN, "aes", 0, NULL, 0, &key), ==, CKR_TEMPLATE_INCOMPLETE);
  g_assert_cmpuint (generate_secret (f, CKM_AES_KEY_GEN, "aes", 17, NULL, 0, &key), ==, CKR_KEY_SIZE_RANGE);
  g_assert_cmpuint (generate_secret (f, CKM_SHA256, "aes", 32, NULL, 0, &key), ==, CKR_MECHANISM_INVALID);
  /* The names of session objects are theirs alone. */
  g_assert_cmpuint (generate_secret (f, CKM_AES_KEY_GEN, "pkcs11-session-1-2-3-4-5-x", 32, NULL, 0, &key),
                    ==, CKR_ATTRIBUTE_VALUE_INVALID);

  g_assert_cmpuint (generate_secret (f, CKM_AES_KEY_GEN, "aes", 32, NULL, 0, &key), ==, CKR_OK);
  g_assert_cmpuint (get_ulong (&f->token, key, CKA_CLASS), ==, CKO_SECRET_KEY);
  g_assert_cmpuint (get_ulong (&f->token, key, CKA_KEY_TYPE), ==, CKK_AES);
  g_assert_cmpuint (get_ulong (&f->token, key, CKA_VALUE_LEN), ==, 32);
  g_assert_true (get_bool (&f->token, key, CKA_SENSITIVE));
  g_assert_false (get_bool (&f->token, key, CKA_EXTRACTABLE));
  g_assert_true (get_bool (&f->token, key, CKA_ENCRYPT));
  g_assert_true (get_bool (&f->token, key, CKA_TOKEN));
  g_assert_cmpuint (get_ulong (&f->token, key, CKA_ALLOWED_MECHANISMS), ==, CKM_AES_GCM);
  g_assert_cmpuint (p11->C_GetAttributeValue (f->token.session, key, &value, 1), ==, CKR_ATTRIBUTE_SENSITIVE);

  /* A round trip, checked by the library on the same key */
  g_assert_cmpuint (aead (f, TRUE, &mechanism, key, plaintext, &ciphertext), ==, CKR_OK);
  g_assert_cmpuint (aead (f, FALSE, &mechanism, key, ciphertext, &decrypted), ==, CKR_OK);
  g_assert_true (g_bytes_equal (decrypted, plaintext));
  service_key = parsec_client_lookup_key (f->token.client, "aes", NULL, &error);
  g_assert_no_error (error);
  nonce = g_bytes_new (iv, sizeof iv);
  aad_bytes = g_bytes_new (aad, 6);
  by_library = parsec_key_aead_decrypt (service_key, gcm, nonce, aad_bytes, ciphertext, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (by_library, plaintext));

  /* In parts: gathered, then the whole at the end */
  g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &mechanism, key), ==, CKR_OK);
  out_len = sizeof out;
  g_assert_cmpuint (p11->C_EncryptUpdate (f->token.session, (CK_BYTE_PTR) "attack at dawn", 14, out, &out_len), ==, CKR_OK);
  g_assert_cmpuint (out_len, ==, 0);
  out_len = sizeof out;
  g_assert_cmpuint (p11->C_EncryptUpdate (f->token.session, (CK_BYTE_PTR) ", or later", 10, out, &out_len), ==, CKR_OK);
  out_len = 4;
  g_assert_cmpuint (p11->C_EncryptFinal (f->token.session, out, &out_len), ==, CKR_BUFFER_TOO_SMALL);
  g_assert_cmpuint (out_len, ==, 40);
  out_len = sizeof out;
  g_assert_cmpuint (p11->C_EncryptFinal (f->token.session, out, &out_len), ==, CKR_OK);
  g_assert_cmpmem (out, out_len, g_bytes_get_data (ciphertext, NULL), g_bytes_get_size (ciphertext));

  /* A changed ciphertext fails its tag. */
  {
    g_autoptr(GBytes) changed = NULL;
    g_autoptr(GBytes) nothing = NULL;

    memcpy (out, g_bytes_get_data (ciphertext, NULL), 40);
    out[3] ^= 1;
    changed = g_bytes_new (out, 40);
    g_assert_cmpuint (aead (f, FALSE, &mechanism, key, changed, &nothing), ==, CKR_ENCRYPTED_DATA_INVALID);
  }

  /* Parameters and keys the module refuses */
  g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &bad_tag, key), ==, CKR_MECHANISM_PARAM_INVALID);
  g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &no_params, key), ==, CKR_MECHANISM_PARAM_INVALID);
  g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &ccm, key), ==, CKR_MECHANISM_INVALID);
  out_len = sizeof out;
  g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &mechanism, key), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Encrypt (f->token.session, (CK_BYTE_PTR) "", 0, out, &out_len), ==, CKR_DATA_LEN_RANGE);
  {
    CK_MECHANISM sign = { CKM_SHA256_HMAC, NULL, 0 };
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };

    g_assert_cmpuint (p11->C_SignInit (f->token.session, &sign, key), ==, CKR_MECHANISM_INVALID);
    /* A mechanism of key pairs on a secret key, and the other way round */
    g_assert_cmpuint (p11->C_SignInit (f->token.session, &ecdsa, key), ==, CKR_KEY_TYPE_INCONSISTENT);
  }

  /* A session object: a key of the service while its session lasts, made
   * in a read-only session too */
  {
    CK_SESSION_HANDLE read_only;
    CK_OBJECT_HANDLE session_aes;
    g_autoptr(GBytes) session_ciphertext = NULL;
    g_autoptr(GPtrArray) keys = NULL;
    guint n_keys;

    g_assert_cmpuint (p11->C_OpenSession (f->token.slot, CKF_SERIAL_SESSION, NULL, NULL, &read_only), ==, CKR_OK);
    keys = parsec_client_list_keys (f->token.client, NULL, &error);
    g_assert_no_error (error);
    n_keys = keys->len;
    g_clear_pointer (&keys, g_ptr_array_unref);
    {
      CK_SESSION_HANDLE rw = f->token.session;

      f->token.session = read_only;
      g_assert_cmpuint (generate_secret (f, CKM_AES_KEY_GEN, "aes-session", 16, NULL, 0, &session_aes),
                        ==, CKR_SESSION_READ_ONLY);
      g_assert_cmpuint (generate_secret (f, CKM_AES_KEY_GEN, "aes-session", 16, &session_key, 1, &session_aes),
                        ==, CKR_OK);
      g_assert_false (get_bool (&f->token, session_aes, CKA_TOKEN));
      g_assert_cmpuint (aead (f, TRUE, &mechanism, session_aes, plaintext, &session_ciphertext), ==, CKR_OK);
      f->token.session = rw;
    }
    keys = parsec_client_list_keys (f->token.client, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (keys->len, ==, n_keys + 1);
    g_clear_pointer (&keys, g_ptr_array_unref);
    g_assert_cmpuint (p11->C_CloseSession (read_only), ==, CKR_OK);
    keys = parsec_client_list_keys (f->token.client, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (keys->len, ==, n_keys);
  }

  /* A key for CCM, found again by a new session, and destroyed */
  {
    CK_MECHANISM_TYPE allowed = CKM_AES_CCM;
    CK_ATTRIBUTE for_ccm = { CKA_ALLOWED_MECHANISMS, &allowed, sizeof allowed };
    g_autoptr(GBytes) ccm_ciphertext = NULL;
    g_autoptr(GBytes) ccm_decrypted = NULL;
    CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
    CK_ATTRIBUTE find[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_LABEL, "aes-ccm", 7 } };
    CK_OBJECT_HANDLE found[2];
    CK_ULONG n = 0;

    value_len = 16;
    g_assert_cmpuint (generate_secret (f, CKM_AES_KEY_GEN, "aes-ccm", value_len, &for_ccm, 1, &other), ==, CKR_OK);
    g_assert_cmpuint (get_ulong (&f->token, other, CKA_ALLOWED_MECHANISMS), ==, CKM_AES_CCM);
    g_assert_cmpuint (aead (f, TRUE, &ccm, other, plaintext, &ccm_ciphertext), ==, CKR_OK);
    g_assert_cmpuint (aead (f, FALSE, &ccm, other, ccm_ciphertext, &ccm_decrypted), ==, CKR_OK);
    g_assert_true (g_bytes_equal (ccm_decrypted, plaintext));
    /* CCM is told the length of its data. */
    ccm_params.ulDataLen = 23;
    g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &ccm, other), ==, CKR_OK);
    out_len = sizeof out;
    g_assert_cmpuint (p11->C_Encrypt (f->token.session, (CK_BYTE_PTR) g_bytes_get_data (plaintext, NULL), 24, out, &out_len),
                      ==, CKR_DATA_LEN_RANGE);

    g_assert_cmpuint (p11->C_CloseSession (f->token.session), ==, CKR_OK);
    g_assert_cmpuint (p11->C_OpenSession (f->token.slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &f->token.session),
                      ==, CKR_OK);
    g_assert_cmpuint (p11->C_FindObjectsInit (f->token.session, find, G_N_ELEMENTS (find)), ==, CKR_OK);
    g_assert_cmpuint (p11->C_FindObjects (f->token.session, found, G_N_ELEMENTS (found), &n), ==, CKR_OK);
    g_assert_cmpuint (p11->C_FindObjectsFinal (f->token.session), ==, CKR_OK);
    g_assert_cmpuint (n, ==, 1);
    g_assert_cmpuint (get_ulong (&f->token, found[0], CKA_VALUE_LEN), ==, 16);
    g_assert_cmpuint (p11->C_DestroyObject (f->token.session, found[0]), ==, CKR_OK);
    g_clear_object (&service_key);
    service_key = parsec_client_lookup_key (f->token.client, "aes-ccm", NULL, &error);
    g_assert_null (service_key);
    g_clear_error (&error);
  }
}

static void
test_import (Fixture       *f,
             gconstpointer  user_data)
{
  static const guint8 secret[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                     0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_AES;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ULONG value_len = 16;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &type, sizeof type },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_LABEL, "imported", 8 },
    { CKA_VALUE, (CK_VOID_PTR) secret, sizeof secret },
    { CKA_EXTRACTABLE, &yes, sizeof yes },
    { CKA_VALUE_LEN, &value_len, sizeof value_len },
  };
  CK_ATTRIBUTE both[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &type, sizeof type },
    { CKA_VALUE, (CK_VOID_PTR) secret, sizeof secret },
    { CKA_EXTRACTABLE, &yes, sizeof yes },
    { CKA_SENSITIVE, &yes, sizeof yes },
  };
  CK_ATTRIBUTE short_value[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &type, sizeof type },
    { CKA_VALUE, (CK_VOID_PTR) secret, 15 },
    { CKA_SENSITIVE, &no, sizeof no },
  };
  CK_OBJECT_HANDLE key;
  CK_RV rv;

  /* CKA_VALUE_LEN comes from the value. */
  g_assert_cmpuint (p11->C_CreateObject (f->token.session, tmpl, G_N_ELEMENTS (tmpl), &key), ==, CKR_TEMPLATE_INCONSISTENT);
  g_assert_cmpuint (p11->C_CreateObject (f->token.session, both, G_N_ELEMENTS (both), &key), ==, CKR_TEMPLATE_INCONSISTENT);
  rv = p11->C_CreateObject (f->token.session, short_value, G_N_ELEMENTS (short_value), &key);
  g_assert_cmpuint (rv, ==, offers (f, PARSEC_OPCODE_PSA_IMPORT_KEY) ? CKR_ATTRIBUTE_VALUE_INVALID
                                                                     : CKR_TEMPLATE_INCONSISTENT);

  rv = p11->C_CreateObject (f->token.session, tmpl, G_N_ELEMENTS (tmpl) - 1, &key);
  if (!offers (f, PARSEC_OPCODE_PSA_IMPORT_KEY))
    {
      g_assert_cmpuint (rv, ==, CKR_TEMPLATE_INCONSISTENT);
      return;
    }
  if (rv == CKR_TEMPLATE_INCONSISTENT)
    {
      /* The provider has no AES (the TPM provider). */
      g_assert_false (offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT));
      return;
    }
  g_assert_cmpuint (rv, ==, CKR_OK);
  g_assert_false (get_bool (&f->token, key, CKA_SENSITIVE));
  g_assert_true (get_bool (&f->token, key, CKA_EXTRACTABLE));
  g_assert_cmpuint (get_ulong (&f->token, key, CKA_VALUE_LEN), ==, 16);
  if (offers (f, PARSEC_OPCODE_PSA_EXPORT_KEY))
    {
      g_autoptr(GBytes) value = get_attribute (&f->token, key, CKA_VALUE);

      g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), secret, sizeof secret);
    }
  /* NIST SP 800-38D's test case 3 key on its first 16 bytes, with a
   * known answer from the library. */
  if (offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ParsecKey) service_key = parsec_client_lookup_key (f->token.client, "imported", NULL, &error);
      g_autoptr(ParsecAlgorithm) gcm = parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
      g_autoptr(GBytes) nonce = g_bytes_new_static ("twelve bytes", 12);
      g_autoptr(GBytes) plaintext = g_bytes_new_static ("imported", 8);
      g_autoptr(GBytes) expected = NULL;
      g_autoptr(GBytes) ours = NULL;
      CK_GCM_PARAMS params = { (CK_BYTE_PTR) "twelve bytes", 12, 96, NULL, 0, 128 };
      CK_MECHANISM mechanism = { CKM_AES_GCM, &params, sizeof params };

      g_assert_no_error (error);
      expected = parsec_key_aead_encrypt (service_key, gcm, nonce, NULL, plaintext, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (aead (f, TRUE, &mechanism, key, plaintext, &ours), ==, CKR_OK);
      g_assert_true (g_bytes_equal (ours, expected));
    }
}

static void
test_chacha20 (Fixture       *f,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) plaintext = g_bytes_new_static ("a stream of words", 17);
  g_autoptr(GBytes) ciphertext = NULL;
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(ParsecAlgorithm) chacha20_poly1305 = parsec_algorithm_new_aead (PARSEC_AEAD_CHACHA20_POLY1305);
  g_autoptr(ParsecKeyAttributes) attributes =
    parsec_key_attributes_new (PARSEC_KEY_TYPE_CHACHA20, 256, PARSEC_KEY_USAGE_ENCRYPT | PARSEC_KEY_USAGE_DECRYPT,
                               chacha20_poly1305);
  g_autoptr(ParsecKey) probe = NULL;
  guint8 nonce[12] = { 7 };
  P11ChaCha20Poly1305Params params = { nonce, sizeof nonce, (CK_BYTE_PTR) "aad", 3 };
  P11ChaCha20Poly1305Params short_nonce = { nonce, 8, NULL, 0 };
  CK_MECHANISM mechanism = { CKM_CHACHA20_POLY1305, &params, sizeof params };
  CK_MECHANISM bad = { CKM_CHACHA20_POLY1305, &short_nonce, sizeof short_nonce };
  CK_GCM_PARAMS gcm_params = { nonce, 12, 96, NULL, 0, 128 };
  CK_MECHANISM gcm = { CKM_AES_GCM, &gcm_params, sizeof gcm_params };
  CK_OBJECT_HANDLE key;
  CK_RV rv;

  rv = generate_secret (f, CKM_CHACHA20_KEY_GEN, "chacha", 0, NULL, 0, &key);
  if (!offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT) || !offers (f, PARSEC_OPCODE_PSA_GENERATE_KEY))
    {
      g_assert_cmpuint (rv, ==, CKR_MECHANISM_INVALID);
      return;
    }
  /* The module's answer is the provider's. */
  probe = parsec_client_generate_key (f->token.client, "chacha-probe", attributes, NULL, &error);
  if (probe == NULL)
    {
      g_test_message ("ChaCha20 keys: %s", error->message);
      g_assert_cmpuint (rv, ==, CKR_TEMPLATE_INCONSISTENT);
      return;
    }
  g_assert_cmpuint (rv, ==, CKR_OK);
  g_assert_cmpuint (get_ulong (&f->token, key, CKA_KEY_TYPE), ==, CKK_CHACHA20);
  g_assert_cmpuint (get_ulong (&f->token, key, CKA_VALUE_LEN), ==, 32);
  g_assert_cmpuint (aead (f, TRUE, &mechanism, key, plaintext, &ciphertext), ==, CKR_OK);
  g_assert_cmpuint (aead (f, FALSE, &mechanism, key, ciphertext, &decrypted), ==, CKR_OK);
  g_assert_true (g_bytes_equal (decrypted, plaintext));
  g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &bad, key), ==, CKR_MECHANISM_PARAM_INVALID);
  g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &gcm, key), ==, CKR_KEY_TYPE_INCONSISTENT);
}

/* ECDH */

static void
test_ecdh (Fixture       *f,
           gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecAlgorithm) ecdh = parsec_algorithm_new_key_agreement (PARSEC_KEY_AGREEMENT_ECDH);
  g_autoptr(ParsecKeyAttributes) ecdh_attributes =
    parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, 256,
                                   PARSEC_KEY_USAGE_DERIVE, ecdh);
  g_autoptr(ParsecKeyAttributes) signing_attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKey) ours = NULL;
  g_autoptr(ParsecKey) peer = NULL;
  g_autoptr(ParsecKey) signing = NULL;
  g_autoptr(GBytes) peer_point = NULL;
  g_autoptr(GBytes) our_point = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autofree guint8 *wrapped = NULL;
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY, private_class = CKO_PRIVATE_KEY;
  CK_KEY_TYPE generic = CKK_GENERIC_SECRET, aes = CKK_AES;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ULONG sixteen = 16;
  CK_ECDH1_DERIVE_PARAMS params = { CKD_NULL, 0, NULL, 0, NULL };
  CK_MECHANISM mechanism = { CKM_ECDH1_DERIVE, &params, sizeof params };
  CK_ATTRIBUTE readable[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &generic, sizeof generic },
    { CKA_LABEL, "shared", 6 },
    { CKA_SENSITIVE, &no, sizeof no },
    { CKA_EXTRACTABLE, &yes, sizeof yes },
  };
  CK_ATTRIBUTE aes_key[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_KEY_TYPE, &aes, sizeof aes },
    { CKA_LABEL, "shared-aes", 10 },
    { CKA_VALUE_LEN, &sixteen, sizeof sixteen },
  };
  CK_ATTRIBUTE find[] = { { CKA_CLASS, &private_class, sizeof private_class }, { CKA_LABEL, "ecdh", 4 } };
  CK_ATTRIBUTE find_signing[] = { { CKA_CLASS, &private_class, sizeof private_class }, { CKA_LABEL, "signer", 6 } };
  CK_OBJECT_HANDLE base = CK_INVALID_HANDLE, signer = CK_INVALID_HANDLE, derived;
  CK_ULONG n = 0;

  ours = parsec_client_generate_key (f->token.client, "ecdh", ecdh_attributes, NULL, &error);
  if (ours == NULL)
    {
      /* Where the provider cannot make such keys, nothing derives. */
      g_test_message ("ECDH keys: %s", error->message);
      g_assert_false (offers (f, PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT));
      return;
    }
  peer = parsec_client_generate_key (f->token.client, "peer", ecdh_attributes, NULL, &error);
  g_assert_no_error (error);
  signing = parsec_client_generate_key (f->token.client, "signer", signing_attributes, NULL, &error);
  g_assert_no_error (error);
  peer_point = parsec_key_export_public_key (peer, PARSEC_PUBLIC_KEY_FORMAT_PSA, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (peer_point), ==, 65);
  params.public_data = (CK_BYTE_PTR) g_bytes_get_data (peer_point, NULL);
  params.public_data_len = 65;

  g_assert_cmpuint (p11->C_FindObjectsInit (f->token.session, find, G_N_ELEMENTS (find)), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjects (f->token.session, &base, 1, &n), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjectsFinal (f->token.session), ==, CKR_OK);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (p11->C_FindObjectsInit (f->token.session, find_signing, G_N_ELEMENTS (find_signing)), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjects (f->token.session, &signer, 1, &n), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjectsFinal (f->token.session), ==, CKR_OK);

  if (!offers (f, PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT))
    {
      g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, base, readable, G_N_ELEMENTS (readable), &derived),
                        ==, CKR_MECHANISM_INVALID);
      return;
    }

  /* The shared secret, as the other side computes it */
  our_point = parsec_key_export_public_key (ours, PARSEC_PUBLIC_KEY_FORMAT_PSA, NULL, &error);
  g_assert_no_error (error);
  expected = parsec_key_raw_key_agreement (peer, our_point, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, base, readable, G_N_ELEMENTS (readable), &derived),
                    ==, CKR_OK);
  g_assert_cmpuint (get_ulong (&f->token, derived, CKA_CLASS), ==, CKO_SECRET_KEY);
  g_assert_cmpuint (get_ulong (&f->token, derived, CKA_KEY_TYPE), ==, CKK_GENERIC_SECRET);
  g_assert_cmpuint (get_ulong (&f->token, derived, CKA_VALUE_LEN), ==, 32);
  g_assert_false (get_bool (&f->token, derived, CKA_SENSITIVE));
  if (offers (f, PARSEC_OPCODE_PSA_EXPORT_KEY))
    {
      value = get_attribute (&f->token, derived, CKA_VALUE);
      g_assert_true (g_bytes_equal (value, expected));
    }

  /* The point in a DER OCTET STRING, as CKA_EC_POINT has it; an AES key
   * of the secret's first 16 bytes, sensitive */
  wrapped = g_malloc (67);
  wrapped[0] = 0x04;
  wrapped[1] = 65;
  memcpy (wrapped + 2, params.public_data, 65);
  params.public_data = wrapped;
  params.public_data_len = 67;
  g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, base, aes_key, G_N_ELEMENTS (aes_key), &derived),
                    ==, CKR_OK);
  g_assert_cmpuint (get_ulong (&f->token, derived, CKA_KEY_TYPE), ==, CKK_AES);
  g_assert_cmpuint (get_ulong (&f->token, derived, CKA_VALUE_LEN), ==, 16);
  g_assert_true (get_bool (&f->token, derived, CKA_SENSITIVE));
  {
    CK_ATTRIBUTE secret_value = { CKA_VALUE, NULL, 0 };

    g_assert_cmpuint (p11->C_GetAttributeValue (f->token.session, derived, &secret_value, 1), ==, CKR_ATTRIBUTE_SENSITIVE);
  }

  /* A key imported with its size taken from the data, which the service
   * may then report as 0: the point's length is not known beforehand. */
  {
    static const guint8 scalar[32] = { [0] = 0x11, [31] = 0x01 };
    g_autoptr(ParsecKeyAttributes) sizeless =
      parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, 0,
                                     PARSEC_KEY_USAGE_DERIVE, ecdh);
    g_autoptr(GBytes) scalar_bytes = g_bytes_new_static (scalar, sizeof scalar);
    g_autoptr(ParsecKey) imported = parsec_client_import_key (f->token.client, "ecdh-imported", sizeless,
                                                              scalar_bytes, NULL, &error);
    g_autoptr(GBytes) imported_point = NULL;
    g_autoptr(GBytes) imported_expected = NULL;
    g_autoptr(GBytes) imported_value = NULL;
    CK_ATTRIBUTE find_imported[] = {
      { CKA_CLASS, &private_class, sizeof private_class }, { CKA_LABEL, "ecdh-imported", 13 }
    };
    CK_OBJECT_HANDLE imported_base = CK_INVALID_HANDLE;

    g_assert_no_error (error);
    g_assert_cmpuint (p11->C_FindObjectsInit (f->token.session, find_imported, G_N_ELEMENTS (find_imported)), ==, CKR_OK);
    g_assert_cmpuint (p11->C_FindObjects (f->token.session, &imported_base, 1, &n), ==, CKR_OK);
    g_assert_cmpuint (p11->C_FindObjectsFinal (f->token.session), ==, CKR_OK);
    g_assert_cmpuint (n, ==, 1);
    imported_point = parsec_key_export_public_key (imported, PARSEC_PUBLIC_KEY_FORMAT_PSA, NULL, &error);
    g_assert_no_error (error);
    imported_expected = parsec_key_raw_key_agreement (peer, imported_point, NULL, &error);
    g_assert_no_error (error);
    /* the point in DER, then raw */
    g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, imported_base, readable, G_N_ELEMENTS (readable),
                                        &derived), ==, CKR_OK);
    params.public_data = (CK_BYTE_PTR) g_bytes_get_data (peer_point, NULL);
    params.public_data_len = 65;
    g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, imported_base, readable, G_N_ELEMENTS (readable),
                                        &derived), ==, CKR_OK);
    if (offers (f, PARSEC_OPCODE_PSA_EXPORT_KEY))
      {
        imported_value = get_attribute (&f->token, derived, CKA_VALUE);
        g_assert_true (g_bytes_equal (imported_value, imported_expected));
      }
    params.public_data = wrapped;
    params.public_data_len = 67;
  }

  /* What is refused */
  params.public_data_len = 66;
  g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, base, readable, G_N_ELEMENTS (readable), &derived),
                    ==, CKR_MECHANISM_PARAM_INVALID);
  params.public_data_len = 67;
  params.kdf = CKD_SHA256_KDF;
  g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, base, readable, G_N_ELEMENTS (readable), &derived),
                    ==, CKR_MECHANISM_PARAM_INVALID);
  params.kdf = CKD_NULL;
  mechanism.ulParameterLen = 3;
  g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, base, readable, G_N_ELEMENTS (readable), &derived),
                    ==, CKR_MECHANISM_PARAM_INVALID);
  mechanism.ulParameterLen = sizeof params;
  g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, signer, readable, G_N_ELEMENTS (readable), &derived),
                    ==, CKR_KEY_FUNCTION_NOT_PERMITTED);
  if (offers (f, PARSEC_OPCODE_PSA_AEAD_ENCRYPT))
    {
      guint8 iv[12] = { 0 };
      CK_GCM_PARAMS gcm_params = { iv, sizeof iv, 96, NULL, 0, 128 };
      CK_MECHANISM gcm = { CKM_AES_GCM, &gcm_params, sizeof gcm_params };

      g_assert_cmpuint (p11->C_EncryptInit (f->token.session, &gcm, signer), ==, CKR_KEY_TYPE_INCONSISTENT);
    }
  readable[3].pValue = &yes;
  g_assert_cmpuint (p11->C_DeriveKey (f->token.session, &mechanism, base, readable, G_N_ELEMENTS (readable), &derived),
                    ==, CKR_TEMPLATE_INCONSISTENT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  p11_test_load_module (PKCS11_MODULE_PATH);

#define ADD(path, func) g_test_add ("/parsec/pkcs11-secret/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("mechanisms", test_mechanisms);
  ADD ("digest", test_digest);
  ADD ("aes-gcm", test_aes_gcm);
  ADD ("import", test_import);
  ADD ("chacha20", test_chacha20);
  ADD ("ecdh", test_ecdh);
#undef ADD

  return g_test_run ();
}
