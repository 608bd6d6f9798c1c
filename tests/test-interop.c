/* test-interop.c: keys, signatures and ciphertexts exchanged with GnuTLS
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * What parsec-glib produces must be usable by another implementation and
 * the other way round: public keys exported as DER or PEM import into
 * GnuTLS, which verifies Parsec's signatures and encrypts to Parsec's
 * keys; GnuTLS's signatures verify through Parsec; private keys move
 * both ways in the PSA import formats (RSAPrivateKey, the raw EC scalar).
 * Each test runs against a fresh parsec-glib-test-service.
 *
 * GnuTLS 3.7 has no RSA-OAEP (it came with 3.8.4), so only PKCS #1 v1.5
 * encryption is exchanged.
 */
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <parsec-glib/parsec-glib.h>

#include "service-fixture.h"

#define assert_gnutls(expr) \
  G_STMT_START { \
    int ret_ = (expr); \
    if (ret_ < 0) \
      g_error ("%s: %s", #expr, gnutls_strerror (ret_)); \
  } G_STMT_END

typedef struct {
  ParsecTestService *service;
  ParsecClient *client;
  ParsecTestProvider *provider;  /* what the service's provider offers */
  gconstpointer data;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->data = data;
  f->service = parsec_test_service_start (NULL, NULL, &error);
  g_assert_no_error (error);
  f->client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                              "endpoint", parsec_test_service_get_endpoint (f->service),
                              "application-name", "e2e-app",
                              NULL);
  g_assert_no_error (error);
  f->provider = parsec_test_provider_query (f->client, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->provider, parsec_test_provider_free);
  g_clear_object (&f->client);
  parsec_test_service_free (f->service);
}

/* GnuTLS and GLib buffers */

static gnutls_datum_t
datum_of (GBytes *bytes)
{
  gsize len;
  gnutls_datum_t datum;

  datum.data = (unsigned char *) g_bytes_get_data (bytes, &len);
  datum.size = len;
  return datum;
}

/* Takes a buffer GnuTLS allocated. */
static GBytes *
bytes_take_datum (gnutls_datum_t *datum)
{
  GBytes *bytes = g_bytes_new (datum->data, datum->size);

  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;
  return bytes;
}

static GBytes *
bytes_from_string (const char *text)
{
  return g_bytes_new_static (text, strlen (text));
}

static GBytes *
bytes_from_hex (const char *hex)
{
  gsize len = strlen (hex) / 2;
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (g_ascii_xdigit_value (hex[2 * i]) << 4 | g_ascii_xdigit_value (hex[2 * i + 1]));
  return g_bytes_new_take (data, len);
}

/* Two big-endian unsigned integers are equal whatever their leading
 * zeros. */
static void
assert_integer_equal (const gnutls_datum_t *value,
                      GBytes               *expected)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (expected, &len);
  const guint8 *q = value->data;
  gsize q_len = value->size;

  while (len > 0 && *p == 0)
    p++, len--;
  while (q_len > 0 && *q == 0)
    q++, q_len--;
  g_assert_cmpmem (q, q_len, p, len);
}

static GBytes *
bytes_tamper (GBytes *bytes)
{
  gsize len;
  guint8 *copy = g_bytes_unref_to_data (g_bytes_ref (bytes), &len);

  copy[len / 2] ^= 0x01;
  return g_bytes_new_take (copy, len);
}

static void
assert_bytes_equal (GBytes *a,
                    GBytes *b)
{
  g_assert_cmpmem (g_bytes_get_data (a, NULL), g_bytes_get_size (a),
                   g_bytes_get_data (b, NULL), g_bytes_get_size (b));
}

static GBytes *
digest (ParsecHash  hash,
        GBytes     *data)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (hash == PARSEC_HASH_SHA_512 ? G_CHECKSUM_SHA512 :
                                                  hash == PARSEC_HASH_SHA_384 ? G_CHECKSUM_SHA384 : G_CHECKSUM_SHA256);
  guint8 out[64];
  gsize len = sizeof out;

  g_assert_true (hash == PARSEC_HASH_SHA_256 || hash == PARSEC_HASH_SHA_384 || hash == PARSEC_HASH_SHA_512);
  g_checksum_update (checksum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_checksum_get_digest (checksum, out, &len);
  return g_bytes_new (out, len);
}

/* Reads one DER tag and length; returns the content, or NULL. */
static const guint8 *
der_content (const guint8  *p,
             const guint8  *end,
             guint8         tag,
             gsize         *len)
{
  gsize n;

  g_assert_cmpint (end - p, >=, 2);
  g_assert_cmphex (p[0], ==, tag);
  n = p[1];
  p += 2;
  if (n & 0x80)
    {
      guint bytes = n & 0x7f;

      n = 0;
      for (guint i = 0; i < bytes; i++)
        n = (n << 8) | *p++;
    }
  g_assert_cmpuint (n, <=, (gsize) (end - p));
  *len = n;
  return p;
}

/* The PSA form of a public key is the BIT STRING of its
 * SubjectPublicKeyInfo: an RSAPublicKey, or the uncompressed point. */
static GBytes *
psa_public_key_from_spki (GBytes *spki)
{
  gsize len, seq_len, alg_len, bits_len;
  const guint8 *p = g_bytes_get_data (spki, &len);
  const guint8 *seq = der_content (p, p + len, 0x30, &seq_len);
  const guint8 *alg = der_content (seq, seq + seq_len, 0x30, &alg_len);
  const guint8 *bits = der_content (alg + alg_len, seq + seq_len, 0x03, &bits_len);

  g_assert_cmpuint (bits_len, >, 1);
  g_assert_cmpuint (bits[0], ==, 0); /* no unused bits */
  return g_bytes_new (bits + 1, bits_len - 1);
}

/* The key the service holds under @key_name, with its attributes. */
static ParsecKey *
lookup (Fixture    *f,
        const char *key_name)
{
  g_autoptr(GError) error = NULL;
  ParsecKey *key = parsec_client_lookup_key (f->client, key_name, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (key);
  return key;
}

/* What the key the service holds under @key_name exports as a DER
 * SubjectPublicKeyInfo. */
static GBytes *
export_der (Fixture    *f,
            const char *key_name)
{
  g_autoptr(ParsecKey) key = lookup (f, key_name);
  g_autoptr(GError) error = NULL;
  GBytes *der = parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (der);
  return der;
}

/* A GnuTLS public key from what Parsec exports as DER, after checking
 * that the PEM export is the same key. */
static gnutls_pubkey_t
gnutls_public_key_of (Fixture    *f,
                      const char *key_name)
{
  g_autoptr(ParsecKey) key = lookup (f, key_name);
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GBytes) reexported = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_pubkey_t from_der, from_pem;
  gnutls_datum_t datum, out;

  der = parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL, &error);
  g_assert_no_error (error);
  pem = parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_PEM, NULL, &error);
  g_assert_no_error (error);

  assert_gnutls (gnutls_pubkey_init (&from_der));
  datum = datum_of (der);
  assert_gnutls (gnutls_pubkey_import (from_der, &datum, GNUTLS_X509_FMT_DER));

  assert_gnutls (gnutls_pubkey_init (&from_pem));
  datum = datum_of (pem);
  assert_gnutls (gnutls_pubkey_import (from_pem, &datum, GNUTLS_X509_FMT_PEM));
  assert_gnutls (gnutls_pubkey_export2 (from_pem, GNUTLS_X509_FMT_DER, &out));
  reexported = bytes_take_datum (&out);
  /* GnuTLS writes the key back exactly as Parsec encoded it. */
  assert_bytes_equal (reexported, der);
  gnutls_pubkey_deinit (from_pem);

  return from_der;
}

/* Signature schemes, as both sides name them */

typedef struct {
  const char *name;
  ParsecSignatureScheme scheme;
  ParsecHash hash;
  guint bits;
  gnutls_pk_algorithm_t pk;
  gnutls_sign_algorithm_t sign;
  gnutls_ecc_curve_t curve;
} SignCase;

static const SignCase sign_cases[] = {
  { "rsa-pkcs1v15", PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15, PARSEC_HASH_SHA_256, 2048,
    GNUTLS_PK_RSA, GNUTLS_SIGN_RSA_SHA256, GNUTLS_ECC_CURVE_INVALID },
  /* RSA-PSS with an ordinary RSA key (rsaEncryption): "RSAE" in GnuTLS. */
  { "rsa-pss", PARSEC_SIGNATURE_SCHEME_RSA_PSS, PARSEC_HASH_SHA_256, 2048,
    GNUTLS_PK_RSA, GNUTLS_SIGN_RSA_PSS_RSAE_SHA256, GNUTLS_ECC_CURVE_INVALID },
  { "ecdsa-p256", PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_SHA_256, 256,
    GNUTLS_PK_ECDSA, GNUTLS_SIGN_ECDSA_SHA256, GNUTLS_ECC_CURVE_SECP256R1 },
  { "ecdsa-p384", PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_SHA_384, 384,
    GNUTLS_PK_ECDSA, GNUTLS_SIGN_ECDSA_SHA384, GNUTLS_ECC_CURVE_SECP384R1 },
  /* Signatures past 127 bytes: DER lengths in the long form. */
  { "ecdsa-p521", PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_SHA_512, 521,
    GNUTLS_PK_ECDSA, GNUTLS_SIGN_ECDSA_SHA512, GNUTLS_ECC_CURVE_SECP521R1 },
};

static gboolean
is_ecdsa (const SignCase *c)
{
  return c->scheme == PARSEC_SIGNATURE_SCHEME_ECDSA;
}

static ParsecKeyAttributes *
sign_case_attributes (const SignCase *c,
                      ParsecKeyType   type,
                      ParsecKeyUsage  extra_usage)
{
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_signature (c->scheme, c->hash);
  ParsecKeyUsage usage = extra_usage | PARSEC_KEY_USAGE_VERIFY_HASH | PARSEC_KEY_USAGE_VERIFY_MESSAGE;

  if (type != PARSEC_KEY_TYPE_RSA_PUBLIC_KEY && type != PARSEC_KEY_TYPE_ECC_PUBLIC_KEY)
    usage |= PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_SIGN_MESSAGE;
  if (is_ecdsa (c))
    return parsec_key_attributes_new_ecc (type, PARSEC_ECC_FAMILY_SECP_R1, c->bits, usage, algorithm);
  return parsec_key_attributes_new (type, c->bits, usage, algorithm);
}

/* Signatures between the PSA form and the DER form GnuTLS uses. */
static GBytes *
signature_to_gnutls (const SignCase *c,
                     GBytes         *signature)
{
  g_autoptr(GError) error = NULL;
  GBytes *der;

  if (!is_ecdsa (c))
    return g_bytes_ref (signature);
  der = parsec_ecdsa_signature_to_der (signature, &error);
  g_assert_no_error (error);
  return der;
}

static GBytes *
signature_from_gnutls (const SignCase *c,
                       GBytes         *signature)
{
  g_autoptr(GError) error = NULL;
  GBytes *raw;

  if (!is_ecdsa (c))
    return g_bytes_ref (signature);
  raw = parsec_ecdsa_signature_from_der (signature, c->bits, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (raw), ==, 2 * ((c->bits + 7) / 8));
  return raw;
}

static void
assert_gnutls_verifies (const SignCase  *c,
                        gnutls_pubkey_t  public_key,
                        GBytes          *data,
                        GBytes          *signature)
{
  g_autoptr(GBytes) der = signature_to_gnutls (c, signature);
  g_autoptr(GBytes) hash = digest (c->hash, data);
  g_autoptr(GBytes) other = bytes_tamper (data);
  gnutls_datum_t data_datum = datum_of (data);
  gnutls_datum_t hash_datum = datum_of (hash);
  gnutls_datum_t other_datum = datum_of (other);
  gnutls_datum_t signature_datum = datum_of (der);

  assert_gnutls (gnutls_pubkey_verify_data2 (public_key, c->sign, 0, &data_datum, &signature_datum));
  assert_gnutls (gnutls_pubkey_verify_hash2 (public_key, c->sign, 0, &hash_datum, &signature_datum));
  g_assert_cmpint (gnutls_pubkey_verify_data2 (public_key, c->sign, 0, &other_datum, &signature_datum), ==,
                   GNUTLS_E_PK_SIG_VERIFY_FAILED);
}

static void
assert_parsec_verifies (Fixture        *f,
                        const SignCase *c,
                        const char     *key_name,
                        GBytes         *data,
                        GBytes         *gnutls_signature)
{
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_signature (c->scheme, c->hash);
  g_autoptr(GBytes) signature = signature_from_gnutls (c, gnutls_signature);
  g_autoptr(GBytes) hash = digest (c->hash, data);
  g_autoptr(GBytes) other = bytes_tamper (data);
  g_autoptr(ParsecKey) key = lookup (f, key_name);
  g_autoptr(GError) error = NULL;

  g_assert_true (parsec_client_verify_hash (f->client, key_name, algorithm, hash, signature, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (parsec_key_verify_data (key, data, signature, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (parsec_key_verify_hash (key, NULL, hash, signature, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (parsec_key_verify_data (key, other, signature, NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
}

/* A GnuTLS key pair of the case's type, made once per process: RSA key
 * generation is slow, under valgrind above all. */
static gnutls_x509_privkey_t gnutls_keys[G_N_ELEMENTS (sign_cases)];

static gnutls_privkey_t
gnutls_private_key (const SignCase *c)
{
  gsize i = c - sign_cases;
  gnutls_privkey_t key;

  if (gnutls_keys[i] == NULL)
    {
      /* Both RSA cases sign with one key, as a real RSA key may. */
      gsize shared = c->pk == GNUTLS_PK_RSA ? 0 : i;

      if (gnutls_keys[shared] == NULL)
        {
          assert_gnutls (gnutls_x509_privkey_init (&gnutls_keys[shared]));
          assert_gnutls (gnutls_x509_privkey_generate (gnutls_keys[shared], c->pk,
                                                       c->pk == GNUTLS_PK_RSA ? c->bits
                                                                              : GNUTLS_CURVE_TO_BITS (c->curve),
                                                       0));
        }
      if (shared != i)
        {
          assert_gnutls (gnutls_x509_privkey_init (&gnutls_keys[i]));
          assert_gnutls (gnutls_x509_privkey_cpy (gnutls_keys[i], gnutls_keys[shared]));
        }
    }
  assert_gnutls (gnutls_privkey_init (&key));
  assert_gnutls (gnutls_privkey_import_x509 (key, gnutls_keys[i], GNUTLS_PRIVKEY_IMPORT_COPY));
  return key;
}

static GBytes *
gnutls_sign (const SignCase   *c,
             gnutls_privkey_t  key,
             GBytes           *data)
{
  gnutls_datum_t data_datum = datum_of (data);
  gnutls_datum_t signature;

  assert_gnutls (gnutls_privkey_sign_data2 (key, c->sign, 0, &data_datum, &signature));
  return bytes_take_datum (&signature);
}

/* The key's public part as GnuTLS exports it: a DER SubjectPublicKeyInfo. */
static GBytes *
gnutls_public_key_der (gnutls_privkey_t key)
{
  gnutls_pubkey_t public_key;
  gnutls_datum_t der;

  assert_gnutls (gnutls_pubkey_init (&public_key));
  assert_gnutls (gnutls_pubkey_import_privkey (public_key, key, 0, 0));
  assert_gnutls (gnutls_pubkey_export2 (public_key, GNUTLS_X509_FMT_DER, &der));
  gnutls_pubkey_deinit (public_key);
  return bytes_take_datum (&der);
}

/* A GnuTLS private key in the PSA import format: the private value,
 * big-endian and as long as the curve, or an RSAPrivateKey (PKCS #1) in
 * DER. */
static GBytes *
psa_private_key (const SignCase   *c,
                 gnutls_privkey_t  key)
{
  gnutls_datum_t datum;

  if (is_ecdsa (c))
    {
      gnutls_ecc_curve_t curve;
      gnutls_datum_t x, y, k;
      gsize size = (c->bits + 7) / 8;
      guint8 *scalar = g_malloc0 (size);

      assert_gnutls (gnutls_privkey_export_ecc_raw2 (key, &curve, &x, &y, &k, GNUTLS_EXPORT_FLAG_NO_LZ));
      g_assert_cmpint (curve, ==, c->curve);
      g_assert_cmpuint (k.size, <=, size);
      memcpy (scalar + size - k.size, k.data, k.size);
      gnutls_free (x.data);
      gnutls_free (y.data);
      gnutls_memset (k.data, 0, k.size);
      gnutls_free (k.data);
      return g_bytes_new_take (scalar, size);
    }
  else
    {
      gnutls_x509_privkey_t x509;
      GBytes *der;

      assert_gnutls (gnutls_privkey_export_x509 (key, &x509));
      assert_gnutls (gnutls_x509_privkey_export2 (x509, GNUTLS_X509_FMT_DER, &datum));
      der = bytes_take_datum (&datum);
      gnutls_x509_privkey_deinit (x509);
      return der;
    }
}

/* @attributes with the size left to the key data. */
static ParsecKeyAttributes *
without_bits (const ParsecKeyAttributes *attributes)
{
  if (parsec_key_attributes_get_ecc_family (attributes) != PARSEC_ECC_FAMILY_NONE)
    return parsec_key_attributes_new_ecc (parsec_key_attributes_get_key_type (attributes),
                                          parsec_key_attributes_get_ecc_family (attributes), 0,
                                          parsec_key_attributes_get_usage (attributes),
                                          parsec_key_attributes_get_algorithm (attributes));
  return parsec_key_attributes_new (parsec_key_attributes_get_key_type (attributes), 0,
                                    parsec_key_attributes_get_usage (attributes),
                                    parsec_key_attributes_get_algorithm (attributes));
}

/* Generates the key (@material NULL) or imports @material. Parsec 1.5.0's
 * Mbed Crypto provider refuses P-384 keys given with their size (its
 * psa-crypto size table lacks 384 bits), and the test service follows it:
 * the refusal must say so, and the key is then imported with 0 bits, from
 * @material or from GnuTLS's key for the case. A provider may import no
 * key pair at all (the TPM provider imports public keys only): then the
 * refusal must be a provider's typed error, and the result is NULL. */
static ParsecKey *
create_key (Fixture             *f,
            const SignCase      *c,
            const char          *key_name,
            ParsecKeyAttributes *attributes,
            GBytes              *material)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) sizeless = NULL;
  g_autoptr(GBytes) stand_in = NULL;
  ParsecKey *made;

  made = material != NULL
    ? parsec_client_import_key (f->client, key_name, attributes, material, NULL, &error)
    : parsec_client_generate_key (f->client, key_name, attributes, NULL, &error);
  if (made != NULL)
    {
      g_assert_no_error (error);
      return made;
    }
  if (!(is_ecdsa (c) && c->bits == 384 && g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT)))
    {
      g_assert_nonnull (material);
      parsec_test_assert_provider_limit (error);
      return NULL;
    }
  g_assert_nonnull (strstr (error->message, "P-384"));
  g_clear_error (&error);

  if (material == NULL)
    {
      gnutls_privkey_t key = gnutls_private_key (c);

      stand_in = psa_private_key (c, key);
      gnutls_privkey_deinit (key);
      material = stand_in;
    }
  sizeless = without_bits (attributes);
  made = parsec_client_import_key (f->client, key_name, sizeless, material, NULL, &error);
  if (made == NULL)
    {
      parsec_test_assert_provider_limit (error);
      return NULL;
    }
  g_assert_no_error (error);
  return made;
}

/* The TPM provider makes and imports RSA-PSS keys but neither signs nor
 * verifies with them (PsaErrorNotSupported): TRUE for that refusal. */
static gboolean
is_pss_refusal (const SignCase *c,
                const GError   *error)
{
  return c->scheme == PARSEC_SIGNATURE_SCHEME_RSA_PSS &&
         g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED);
}

/* Parsec signs, GnuTLS verifies with the exported public key. */
static void
test_parsec_signs (Fixture       *f,
                   gconstpointer  user_data)
{
  const SignCase *c = f->data;
  g_autoptr(ParsecKeyAttributes) attributes = sign_case_attributes (c, is_ecdsa (c) ? PARSEC_KEY_TYPE_ECC_KEY_PAIR
                                                                                  : PARSEC_KEY_TYPE_RSA_KEY_PAIR, 0);
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_signature (c->scheme, c->hash);
  g_autoptr(GBytes) data = bytes_from_string ("signed by Parsec, verified by GnuTLS");
  g_autoptr(GBytes) hash = digest (c->hash, data);
  g_autoptr(GBytes) hash_signature = NULL;
  g_autoptr(GBytes) data_signature = NULL;
  g_autoptr(GBytes) policy_signature = NULL;
  g_autoptr(ParsecKey) signer = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_pubkey_t public_key;
  unsigned int bits = 0;

  signer = create_key (f, c, "signer", attributes, NULL);
  /* The TPM provider makes P-521 keys but cannot export their public
   * key (it sizes the coordinates as 521 / 8 bytes), nor sign. */
  if (f->provider->provider == PARSEC_PROVIDER_TPM && c->bits == 521)
    {
      g_assert_null (parsec_client_export_public_key (f->client, "signer", NULL, &error));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_COMMUNICATION_FAILURE);
      return;
    }
  public_key = gnutls_public_key_of (f, "signer");
  g_assert_cmpint (gnutls_pubkey_get_pk_algorithm (public_key, &bits), ==, c->pk);
  if (is_ecdsa (c))
    {
      gnutls_ecc_curve_t curve;

      /* GnuTLS counts P-521 as 528 bits: the curve says more. */
      assert_gnutls (gnutls_pubkey_export_ecc_raw2 (public_key, &curve, NULL, NULL, 0));
      g_assert_cmpint (curve, ==, c->curve);
    }
  else
    g_assert_cmpuint (bits, ==, c->bits);

  hash_signature = parsec_client_sign_hash (f->client, "signer", algorithm, hash, NULL, &error);
  if (hash_signature == NULL && is_pss_refusal (c, error))
    {
      gnutls_pubkey_deinit (public_key);
      return;
    }
  g_assert_no_error (error);
  assert_gnutls_verifies (c, public_key, data, hash_signature);

  data_signature = parsec_key_sign_data (signer, data, NULL, &error);
  g_assert_no_error (error);
  assert_gnutls_verifies (c, public_key, data, data_signature);

  /* The key's own algorithm signs the hash alike. */
  policy_signature = parsec_key_sign_hash (signer, NULL, hash, NULL, &error);
  g_assert_no_error (error);
  assert_gnutls_verifies (c, public_key, data, policy_signature);

  gnutls_pubkey_deinit (public_key);
}

/* GnuTLS signs, Parsec verifies with GnuTLS's public key imported. */
static void
test_gnutls_signs (Fixture       *f,
                   gconstpointer  user_data)
{
  const SignCase *c = f->data;
  g_autoptr(ParsecKeyAttributes) attributes = sign_case_attributes (c, is_ecdsa (c) ? PARSEC_KEY_TYPE_ECC_PUBLIC_KEY
                                                                                  : PARSEC_KEY_TYPE_RSA_PUBLIC_KEY, 0);
  g_autoptr(ParsecKeyAttributes) unsized = NULL;
  g_autoptr(GBytes) data = bytes_from_string ("signed by GnuTLS, verified by Parsec");
  g_autoptr(GBytes) spki = NULL;
  g_autoptr(GBytes) psa = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(ParsecKey) public_key = NULL;
  g_autoptr(ParsecKey) unsized_key = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_privkey_t key = gnutls_private_key (c);

  spki = gnutls_public_key_der (key);
  psa = psa_public_key_from_spki (spki);
  public_key = create_key (f, c, "gnutls-public", attributes, psa);
  /* The TPM provider imports no P-521 point with its size (it wants
   * 521 / 8 bytes a coordinate): create_key() checked the refusal. */
  if (public_key == NULL)
    {
      gnutls_privkey_deinit (key);
      return;
    }
  /* Parsec gives back the SubjectPublicKeyInfo GnuTLS wrote, from the key
   * as looked up and as imported. */
  exported = export_der (f, "gnutls-public");
  assert_bytes_equal (exported, spki);
  g_clear_pointer (&exported, g_bytes_unref);
  exported = parsec_key_export_public_key (public_key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL, &error);
  g_assert_no_error (error);
  assert_bytes_equal (exported, spki);
  /* Also when imported with 0 bits, the size taken from the data. */
  unsized = without_bits (attributes);
  unsized_key = parsec_client_import_key (f->client, "gnutls-public-unsized", unsized, psa, NULL, &error);
  /* The TPM provider sizes an ECC point of n bytes as (n - 1) / 2 * 8
   * bits: 528 for P-521, which is no curve it knows. */
  if (unsized_key == NULL && f->provider->provider == PARSEC_PROVIDER_TPM && c->bits == 521)
    {
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED);
      g_clear_error (&error);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_nonnull (unsized_key);
      g_clear_pointer (&exported, g_bytes_unref);
      exported = export_der (f, "gnutls-public-unsized");
      assert_bytes_equal (exported, spki);
    }

  signature = gnutls_sign (c, key, data);
  {
    g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_signature (c->scheme, c->hash);
    g_autoptr(GBytes) raw = signature_from_gnutls (c, signature);
    g_autoptr(GBytes) hash = digest (c->hash, data);

    if (!parsec_client_verify_hash (f->client, "gnutls-public", algorithm, hash, raw, NULL, &error) &&
        is_pss_refusal (c, error))
      {
        gnutls_privkey_deinit (key);
        return;
      }
    g_clear_error (&error);
  }
  assert_parsec_verifies (f, c, "gnutls-public", data, signature);
  gnutls_privkey_deinit (key);
}

/* A key pair made by GnuTLS, imported into Parsec in the PSA format,
 * signs what GnuTLS verifies. */
static void
test_gnutls_key_in_parsec (Fixture       *f,
                           gconstpointer  user_data)
{
  const SignCase *c = f->data;
  g_autoptr(ParsecKeyAttributes) attributes = sign_case_attributes (c, is_ecdsa (c) ? PARSEC_KEY_TYPE_ECC_KEY_PAIR
                                                                                  : PARSEC_KEY_TYPE_RSA_KEY_PAIR, 0);
  g_autoptr(GBytes) data = bytes_from_string ("signed by Parsec with a GnuTLS key");
  g_autoptr(GBytes) material = NULL;
  g_autoptr(GBytes) spki = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(ParsecKey) imported = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_privkey_t key = gnutls_private_key (c);
  gnutls_pubkey_t public_key;

  material = psa_private_key (c, key);
  imported = create_key (f, c, "from-gnutls", attributes, material);
  if (imported == NULL)
    {
      gnutls_privkey_deinit (key);
      return;
    }

  spki = gnutls_public_key_der (key);
  exported = export_der (f, "from-gnutls");
  assert_bytes_equal (exported, spki);

  signature = parsec_key_sign_data (imported, data, NULL, &error);
  g_assert_no_error (error);
  assert_gnutls (gnutls_pubkey_init (&public_key));
  assert_gnutls (gnutls_pubkey_import_privkey (public_key, key, 0, 0));
  assert_gnutls_verifies (c, public_key, data, signature);

  gnutls_pubkey_deinit (public_key);
  gnutls_privkey_deinit (key);
}

/* A key pair made by Parsec, exported and imported into GnuTLS, signs what
 * Parsec verifies. */
static void
test_parsec_key_in_gnutls (Fixture       *f,
                           gconstpointer  user_data)
{
  const SignCase *c = f->data;
  g_autoptr(ParsecKeyAttributes) attributes = sign_case_attributes (c, is_ecdsa (c) ? PARSEC_KEY_TYPE_ECC_KEY_PAIR
                                                                                  : PARSEC_KEY_TYPE_RSA_KEY_PAIR,
                                                                    PARSEC_KEY_USAGE_EXPORT);
  g_autoptr(GBytes) data = bytes_from_string ("signed by GnuTLS with a Parsec key");
  g_autoptr(GBytes) material = NULL;
  g_autoptr(GBytes) spki = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(ParsecKey) exportable = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_privkey_t key;
  gnutls_datum_t datum;

  exportable = create_key (f, c, "exportable", attributes, NULL);
  material = parsec_key_export (exportable, NULL, &error);
  /* The TPM provider exports no private key: it lists no PsaExportKey,
   * and the library refuses the call itself. */
  if (!parsec_test_provider_offers (f->provider, PARSEC_OPCODE_PSA_EXPORT_KEY))
    {
      g_assert_null (material);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      return;
    }
  g_assert_no_error (error);

  assert_gnutls (gnutls_privkey_init (&key));
  if (is_ecdsa (c))
    {
      g_autoptr(GBytes) point = NULL;
      gsize size = (c->bits + 7) / 8;
      const guint8 *xy;
      gnutls_datum_t x, y, k;

      /* The raw scalar, with the public point from the PSA export:
       * 0x04 ‖ x ‖ y. */
      g_assert_cmpuint (g_bytes_get_size (material), ==, size);
      point = parsec_client_export_public_key (f->client, "exportable", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (point), ==, 1 + 2 * size);
      xy = (const guint8 *) g_bytes_get_data (point, NULL) + 1;
      x = (gnutls_datum_t) { (unsigned char *) xy, size };
      y = (gnutls_datum_t) { (unsigned char *) xy + size, size };
      k = datum_of (material);
      assert_gnutls (gnutls_privkey_import_ecc_raw (key, c->curve, &x, &y, &k));
    }
  else
    {
      datum = datum_of (material);
      assert_gnutls (gnutls_privkey_import_x509_raw (key, &datum, GNUTLS_X509_FMT_DER, NULL, 0));
    }
  assert_gnutls (gnutls_privkey_verify_params (key));

  spki = gnutls_public_key_der (key);
  exported = export_der (f, "exportable");
  assert_bytes_equal (exported, spki);

  signature = gnutls_sign (c, key, data);
  assert_parsec_verifies (f, c, "exportable", data, signature);
  gnutls_privkey_deinit (key);
}

/* ECDSA signatures in DER, next to GnuTLS's own encoder and decoder, for
 * the values where minimal DER integers differ from fixed-width r and s:
 * a top bit that needs a zero byte, leading zero bytes to drop, a tiny
 * value. No service needed. */
static void
test_ecdsa_der (void)
{
  static const struct {
    guint bits;
    const char *r;
    const char *s;
  } cases[] = {
    { 256, "ff00000000000000000000000000000000000000000000000000000000000001",
           "7f00000000000000000000000000000000000000000000000000000000000002" },
    { 256, "0000807060504030201000000000000000000000000000000000000000000000",
           "00ff000000000000000000000000000000000000000000000000000000000003" },
    { 256, "0000000000000000000000000000000000000000000000000000000000000001",
           "8000000000000000000000000000000000000000000000000000000000000000" },
    { 384, "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007f",
           "c0ffee000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) r = bytes_from_hex (cases[i].r);
      g_autoptr(GBytes) s = bytes_from_hex (cases[i].s);
      g_autoptr(GByteArray) rs = g_byte_array_new ();
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(GBytes) der = NULL;
      g_autoptr(GBytes) gnutls_der = NULL;
      g_autoptr(GBytes) back = NULL;
      g_autoptr(GError) error = NULL;
      gnutls_datum_t r_datum = datum_of (r);
      gnutls_datum_t s_datum = datum_of (s);
      gnutls_datum_t out, der_datum, r_out, s_out;

      g_byte_array_append (rs, g_bytes_get_data (r, NULL), g_bytes_get_size (r));
      g_byte_array_append (rs, g_bytes_get_data (s, NULL), g_bytes_get_size (s));
      raw = g_bytes_new (rs->data, rs->len);

      der = parsec_ecdsa_signature_to_der (raw, &error);
      g_assert_no_error (error);
      assert_gnutls (gnutls_encode_rs_value (&out, &r_datum, &s_datum));
      gnutls_der = bytes_take_datum (&out);
      assert_bytes_equal (der, gnutls_der);

      back = parsec_ecdsa_signature_from_der (gnutls_der, cases[i].bits, &error);
      g_assert_no_error (error);
      assert_bytes_equal (back, raw);

      /* GnuTLS reads the same two integers out of Parsec's encoding. */
      der_datum = datum_of (der);
      assert_gnutls (gnutls_decode_rs_value (&der_datum, &r_out, &s_out));
      assert_integer_equal (&r_out, r);
      assert_integer_equal (&s_out, s);
      gnutls_free (r_out.data);
      gnutls_free (s_out.data);
    }
}

/* Encryption: GnuTLS encrypts to Parsec's public key and Parsec decrypts;
 * Parsec encrypts and GnuTLS decrypts with the exported private key. */
static void
test_encryption (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) pkcs1 = parsec_algorithm_new_rsa_pkcs1v15_crypt ();
  g_autoptr(ParsecKeyAttributes) base = parsec_key_attributes_new_rsa_encryption (2048, pkcs1);
  g_autoptr(ParsecKeyAttributes) attributes =
    parsec_key_attributes_with_usage (base, parsec_key_attributes_get_usage (base) | PARSEC_KEY_USAGE_EXPORT);
  g_autoptr(GBytes) secret = bytes_from_string ("a secret for the key holder");
  g_autoptr(GBytes) gnutls_ciphertext = NULL;
  g_autoptr(GBytes) parsec_ciphertext = NULL;
  g_autoptr(GBytes) decrypted = NULL;
  g_autoptr(GBytes) gnutls_decrypted = NULL;
  g_autoptr(GBytes) material = NULL;
  g_autoptr(ParsecKey) rsa = NULL;
  g_autoptr(GError) error = NULL;
  gnutls_pubkey_t public_key;
  gnutls_privkey_t private_key;
  gnutls_datum_t plaintext = datum_of (secret);
  gnutls_datum_t datum, out;

  rsa = parsec_client_generate_key (f->client, "rsa", attributes, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (rsa);

  public_key = gnutls_public_key_of (f, "rsa");
  assert_gnutls (gnutls_pubkey_encrypt_data (public_key, 0, &plaintext, &out));
  gnutls_ciphertext = bytes_take_datum (&out);
  g_assert_cmpuint (g_bytes_get_size (gnutls_ciphertext), ==, 256);
  decrypted = parsec_client_asymmetric_decrypt (f->client, "rsa", pkcs1, gnutls_ciphertext, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_bytes_equal (decrypted, secret);
  g_clear_pointer (&decrypted, g_bytes_unref);
  /* The key object decrypts with its policy's algorithm. */
  decrypted = parsec_key_asymmetric_decrypt (rsa, NULL, gnutls_ciphertext, NULL, NULL, &error);
  g_assert_no_error (error);
  assert_bytes_equal (decrypted, secret);
  gnutls_pubkey_deinit (public_key);

  parsec_ciphertext = parsec_client_asymmetric_encrypt (f->client, "rsa", pkcs1, secret, NULL, NULL, &error);
  g_assert_no_error (error);
  material = parsec_client_export_key (f->client, "rsa", NULL, &error);
  /* The TPM provider exports no private key (the library refuses the
   * call): its ciphertext is checked by its own decryption instead. */
  if (!parsec_test_provider_offers (f->provider, PARSEC_OPCODE_PSA_EXPORT_KEY))
    {
      g_assert_null (material);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_clear_error (&error);
      decrypted = parsec_client_asymmetric_decrypt (f->client, "rsa", pkcs1, parsec_ciphertext, NULL, NULL, &error);
      g_assert_no_error (error);
      assert_bytes_equal (decrypted, secret);
      return;
    }
  g_assert_no_error (error);
  assert_gnutls (gnutls_privkey_init (&private_key));
  datum = datum_of (material);
  assert_gnutls (gnutls_privkey_import_x509_raw (private_key, &datum, GNUTLS_X509_FMT_DER, NULL, 0));
  datum = datum_of (parsec_ciphertext);
  assert_gnutls (gnutls_privkey_decrypt_data (private_key, 0, &datum, &out));
  gnutls_decrypted = bytes_take_datum (&out);
  assert_bytes_equal (gnutls_decrypted, secret);
  gnutls_privkey_deinit (private_key);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  assert_gnutls (gnutls_global_init ());

  for (gsize i = 0; i < G_N_ELEMENTS (sign_cases); i++)
    {
      const SignCase *c = &sign_cases[i];
      const struct {
        const char *path;
        void (*func) (Fixture *, gconstpointer);
      } tests[] = {
        { "parsec-signs", test_parsec_signs },
        { "gnutls-signs", test_gnutls_signs },
        { "gnutls-key-in-parsec", test_gnutls_key_in_parsec },
        { "parsec-key-in-gnutls", test_parsec_key_in_gnutls },
      };

      for (gsize t = 0; t < G_N_ELEMENTS (tests); t++)
        {
          g_autofree char *path = g_strdup_printf ("/parsec/e2e/interop/%s/%s", tests[t].path, c->name);

          g_test_add (path, Fixture, c, fixture_setup, tests[t].func, fixture_teardown);
        }
    }
  g_test_add_func ("/parsec/e2e/interop/ecdsa-der", test_ecdsa_der);
  g_test_add ("/parsec/e2e/interop/rsa-pkcs1v15-encryption", Fixture, NULL,
              fixture_setup, test_encryption, fixture_teardown);

  status = g_test_run ();

  for (gsize i = 0; i < G_N_ELEMENTS (gnutls_keys); i++)
    if (gnutls_keys[i] != NULL)
      gnutls_x509_privkey_deinit (gnutls_keys[i]);
  gnutls_global_deinit ();
  return status;
}
