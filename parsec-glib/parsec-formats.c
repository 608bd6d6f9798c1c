/* parsec-formats.c: keys and signatures in the encodings other libraries use
 *
 * PSA exports public keys in their bare form (an RSAPublicKey, or a curve
 * point) and ECDSA signatures as r ‖ s. X.509 tooling, GnuTLS and OpenSSL
 * want a SubjectPublicKeyInfo and DER-encoded signatures; the few DER
 * structures involved are written here directly.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "parsec-glib.h"

#define DER_INTEGER    0x02
#define DER_BIT_STRING 0x03
#define DER_NULL       0x05
#define DER_SEQUENCE   0x30

static void
der_append (GByteArray   *out,
            guint8        tag,
            const guint8 *content,
            gsize         len)
{
  guint8 header[6] = { tag };
  gsize header_len;

  if (len < 0x80)
    {
      header[1] = (guint8) len;
      header_len = 2;
    }
  else
    {
      guint n = 0;

      for (gsize rest = len; rest > 0; rest >>= 8)
        n++;
      header[1] = 0x80 | n;
      for (guint i = 0; i < n; i++)
        header[2 + i] = (guint8) (len >> (8 * (n - 1 - i)));
      header_len = 2 + n;
    }
  g_byte_array_append (out, header, header_len);
  g_byte_array_append (out, content, len);
}

static GByteArray *
der_wrap (guint8      tag,
          GByteArray *content)
{
  GByteArray *out = g_byte_array_sized_new (content->len + 6);

  der_append (out, tag, content->data, content->len);
  g_byte_array_unref (content);
  return out;
}

/* Object identifiers, already DER-encoded with their tag. */
static const guint8 oid_rsa_encryption[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01 };
static const guint8 oid_ec_public_key[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const guint8 oid_secp192r1[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x01 };
static const guint8 oid_secp224r1[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21 };
static const guint8 oid_secp256r1[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const guint8 oid_secp384r1[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const guint8 oid_secp521r1[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const guint8 oid_secp256k1[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a };
static const guint8 oid_brainpool256[] = { 0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 };
static const guint8 oid_brainpool384[] = { 0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b };
static const guint8 oid_brainpool512[] = { 0x06, 0x09, 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d };
static const guint8 oid_x25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x6e };
static const guint8 oid_x448[] = { 0x06, 0x03, 0x2b, 0x65, 0x6f };

typedef struct {
  ParsecEccFamily family;
  guint bits;
  const guint8 *oid;
  gsize oid_len;
} Curve;

#define CURVE(family, bits, oid) { family, bits, oid, sizeof oid }

static const Curve curves[] = {
  CURVE (PARSEC_ECC_FAMILY_SECP_R1, 192, oid_secp192r1),
  CURVE (PARSEC_ECC_FAMILY_SECP_R1, 224, oid_secp224r1),
  CURVE (PARSEC_ECC_FAMILY_SECP_R1, 256, oid_secp256r1),
  CURVE (PARSEC_ECC_FAMILY_SECP_R1, 384, oid_secp384r1),
  CURVE (PARSEC_ECC_FAMILY_SECP_R1, 521, oid_secp521r1),
  CURVE (PARSEC_ECC_FAMILY_SECP_K1, 256, oid_secp256k1),
  CURVE (PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 256, oid_brainpool256),
  CURVE (PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 384, oid_brainpool384),
  CURVE (PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 512, oid_brainpool512),
  CURVE (PARSEC_ECC_FAMILY_MONTGOMERY, 255, oid_x25519),
  CURVE (PARSEC_ECC_FAMILY_MONTGOMERY, 448, oid_x448),
};

/* The curve of a public key: by its size, or when the attributes give
 * none (the service keeps the 0 bits of a key imported with "size from
 * the data"), by the length of the key itself. */
static const Curve *
curve_lookup (ParsecEccFamily family,
              guint           bits,
              gsize           key_len)
{
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    {
      gsize size = (curves[i].bits + 7) / 8;
      /* Montgomery keys are the bare coordinate, others 0x04 ‖ x ‖ y. */
      gsize expected_len = family == PARSEC_ECC_FAMILY_MONTGOMERY ? size : 1 + 2 * size;

      if (curves[i].family != family)
        continue;
      if (bits != 0 ? curves[i].bits == bits : expected_len == key_len)
        return &curves[i];
    }
  return NULL;
}

static GBytes *
spki_der (const ParsecKeyAttributes  *attributes,
          GBytes                     *public_key,
          GError                    **error)
{
  ParsecKeyType type = parsec_key_attributes_get_key_type (attributes);
  g_autoptr(GByteArray) algorithm = g_byte_array_new ();
  GByteArray *bit_string = g_byte_array_new ();
  GByteArray *spki;
  const guint8 unused_bits = 0;
  gsize len;
  const guint8 *data = g_bytes_get_data (public_key, &len);

  if (type == PARSEC_KEY_TYPE_RSA_KEY_PAIR || type == PARSEC_KEY_TYPE_RSA_PUBLIC_KEY)
    {
      const guint8 null[] = { DER_NULL, 0x00 };

      g_byte_array_append (algorithm, oid_rsa_encryption, sizeof oid_rsa_encryption);
      g_byte_array_append (algorithm, null, sizeof null);
    }
  else if (type == PARSEC_KEY_TYPE_ECC_KEY_PAIR || type == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY)
    {
      ParsecEccFamily family = parsec_key_attributes_get_ecc_family (attributes);
      const Curve *curve = curve_lookup (family, parsec_key_attributes_get_bits (attributes), len);

      if (curve == NULL)
        {
          g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                       "No SubjectPublicKeyInfo encoding is known for a %u-bit curve of family %u",
                       parsec_key_attributes_get_bits (attributes), family);
          g_byte_array_unref (bit_string);
          return NULL;
        }
      /* Montgomery keys name their curve in the algorithm identifier
       * itself (RFC 8410); Weierstrass keys name it as a parameter. */
      if (family != PARSEC_ECC_FAMILY_MONTGOMERY)
        g_byte_array_append (algorithm, oid_ec_public_key, sizeof oid_ec_public_key);
      g_byte_array_append (algorithm, curve->oid, curve->oid_len);
    }
  else
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   "Keys of type %u have no SubjectPublicKeyInfo encoding", type);
      g_byte_array_unref (bit_string);
      return NULL;
    }

  g_byte_array_append (bit_string, &unused_bits, 1);
  g_byte_array_append (bit_string, data, len);

  spki = g_byte_array_new ();
  {
    g_autoptr(GByteArray) algorithm_seq = g_byte_array_new ();
    g_autoptr(GByteArray) key = der_wrap (DER_BIT_STRING, bit_string);

    der_append (algorithm_seq, DER_SEQUENCE, algorithm->data, algorithm->len);
    g_byte_array_append (spki, algorithm_seq->data, algorithm_seq->len);
    g_byte_array_append (spki, key->data, key->len);
  }
  return g_byte_array_free_to_bytes (der_wrap (DER_SEQUENCE, spki));
}

static GBytes *
pem_from_der (GBytes     *der,
              const char *label)
{
  g_autofree char *base64 = g_base64_encode (g_bytes_get_data (der, NULL), g_bytes_get_size (der));
  GString *pem = g_string_new (NULL);
  gsize len = strlen (base64);

  g_string_append_printf (pem, "-----BEGIN %s-----\n", label);
  for (gsize i = 0; i < len; i += 64)
    {
      g_string_append_len (pem, base64 + i, MIN (64, len - i));
      g_string_append_c (pem, '\n');
    }
  g_string_append_printf (pem, "-----END %s-----\n", label);
  return g_string_free_to_bytes (pem);
}

/**
 * parsec_public_key_convert:
 * @attributes: the attributes of the key
 * @public_key: the public key in the PSA export format, as
 *   parsec_client_export_public_key() returns it with
 *   %PARSEC_PUBLIC_KEY_FORMAT_PSA
 * @format: the format wanted
 * @error: return location for a #GError
 *
 * Re-encodes a public key: as a DER or PEM SubjectPublicKeyInfo, the form
 * X.509 certificates, GnuTLS (`gnutls_pubkey_import()`) and OpenSSL
 * (`openssl pkey -pubin`) read. RSA keys and elliptic-curve keys on the
 * NIST, secp256k1, Brainpool and Montgomery curves are supported.
 *
 * Returns: (transfer full): the encoded key, or %NULL with
 *   %PARSEC_ERROR_INVALID_INPUT for a key that has no such encoding
 *
 * Since: 1.0
 */
GBytes *
parsec_public_key_convert (const ParsecKeyAttributes  *attributes,
                           GBytes                     *public_key,
                           ParsecPublicKeyFormat       format,
                           GError                    **error)
{
  g_autoptr(GBytes) der = NULL;

  g_return_val_if_fail (attributes != NULL, NULL);
  g_return_val_if_fail (public_key != NULL, NULL);
  g_return_val_if_fail (format <= PARSEC_PUBLIC_KEY_FORMAT_PEM, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (format == PARSEC_PUBLIC_KEY_FORMAT_PSA)
    return g_bytes_ref (public_key);

  der = spki_der (attributes, public_key, error);
  if (der == NULL)
    return NULL;
  if (format == PARSEC_PUBLIC_KEY_FORMAT_DER)
    return g_steal_pointer (&der);
  return pem_from_der (der, "PUBLIC KEY");
}

static void
der_append_integer (GByteArray   *out,
                    const guint8 *magnitude,
                    gsize         len)
{
  g_autoptr(GByteArray) content = g_byte_array_new ();
  const guint8 zero = 0;

  /* Minimal encoding of a non-negative integer: no leading zero bytes,
   * except one when the top bit would make it negative. */
  while (len > 1 && magnitude[0] == 0)
    {
      magnitude++;
      len--;
    }
  if (len == 0 || (magnitude[0] & 0x80) != 0)
    g_byte_array_append (content, &zero, 1);
  g_byte_array_append (content, magnitude, len);
  der_append (out, DER_INTEGER, content->data, content->len);
}

/**
 * parsec_ecdsa_signature_to_der:
 * @signature: an ECDSA signature as PSA makes it: r ‖ s, each as long as
 *   the curve
 * @error: return location for a #GError
 *
 * Encodes an ECDSA signature as the DER `SEQUENCE { r INTEGER, s INTEGER }`
 * that X.509, GnuTLS and OpenSSL use.
 *
 * Returns: (transfer full): the DER signature, or %NULL with
 *   %PARSEC_ERROR_INVALID_INPUT if @signature is not r ‖ s
 *
 * Since: 1.0
 */
GBytes *
parsec_ecdsa_signature_to_der (GBytes  *signature,
                               GError **error)
{
  gsize len;
  const guint8 *raw;
  GByteArray *seq;

  g_return_val_if_fail (signature != NULL, NULL);

  raw = g_bytes_get_data (signature, &len);
  if (len == 0 || len % 2 != 0 || len > 2 * 66)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   "A %" G_GSIZE_FORMAT "-byte value is not an ECDSA signature (r ‖ s)", len);
      return NULL;
    }

  seq = g_byte_array_new ();
  der_append_integer (seq, raw, len / 2);
  der_append_integer (seq, raw + len / 2, len / 2);
  return g_byte_array_free_to_bytes (der_wrap (DER_SEQUENCE, seq));
}

/* Reads one tag-length header; returns the content length or -1. */
static gssize
der_read (const guint8 **p,
          const guint8  *end,
          guint8         tag)
{
  gsize len;

  if (end - *p < 2 || (*p)[0] != tag)
    return -1;
  len = (*p)[1];
  *p += 2;
  if (len & 0x80)
    {
      guint n = len & 0x7f;

      if (n == 0 || n > 2 || (gsize) (end - *p) < n)
        return -1;
      len = 0;
      for (guint i = 0; i < n; i++)
        len = (len << 8) | *(*p)++;
    }
  if ((gsize) (end - *p) < len)
    return -1;
  return (gssize) len;
}

/**
 * parsec_ecdsa_signature_from_der:
 * @der: a DER-encoded ECDSA signature
 * @bits: the size of the curve in bits, such as 256 for P-256
 * @error: return location for a #GError
 *
 * Decodes a DER ECDSA signature into the r ‖ s form that
 * parsec_client_verify_hash() expects. @bits may come from a key's
 * attributes as the service reports them: a size no curve has (0, or
 * over 1024) is an error like a malformed signature.
 *
 * Returns: (transfer full): the signature, or %NULL with
 *   %PARSEC_ERROR_INVALID_INPUT if @der is not a signature for such a curve
 *
 * Since: 1.0
 */
GBytes *
parsec_ecdsa_signature_from_der (GBytes  *der,
                                 guint    bits,
                                 GError **error)
{
  gsize len, size = (bits + 7) / 8;
  const guint8 *p;
  const guint8 *end;
  g_autofree guint8 *raw = NULL;
  gssize seq_len;

  g_return_val_if_fail (der != NULL, NULL);

  if (bits == 0 || bits > 1024)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   "No elliptic curve has %u bits: the signature cannot be decoded for it", bits);
      return NULL;
    }

  /* Empty data may have no address at all to count from. */
  p = g_bytes_get_data (der, &len);
  if (len == 0)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   "The data is not a DER ECDSA signature for a %u-bit curve", bits);
      return NULL;
    }
  end = p + len;

  raw = g_malloc0 (2 * size);
  seq_len = der_read (&p, end, DER_SEQUENCE);
  if (seq_len < 0 || p + seq_len != end)
    goto invalid;

  for (guint i = 0; i < 2; i++)
    {
      gssize int_len = der_read (&p, end, DER_INTEGER);

      if (int_len <= 0)
        goto invalid;
      while (int_len > 0 && *p == 0)
        {
          p++;
          int_len--;
        }
      if ((gsize) int_len > size)
        goto invalid;
      memcpy (raw + i * size + (size - (gsize) int_len), p, (gsize) int_len);
      p += int_len;
    }
  if (p != end)
    goto invalid;

  return g_bytes_new_take (g_steal_pointer (&raw), 2 * size);

invalid:
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
               "The data is not a DER ECDSA signature for a %u-bit curve", bits);
  return NULL;
}
