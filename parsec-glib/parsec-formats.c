/* parsec-formats.c: keys and signatures in the encodings other libraries use
 *
 * PSA exports public keys in their bare form (an RSAPublicKey, or a curve
 * point) and ECDSA signatures as r ‖ s. X.509 tooling, GnuTLS and OpenSSL
 * want a SubjectPublicKeyInfo and DER-encoded signatures, which common/der
 * writes and reads.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "der.h"
#include "parsec-glib.h"
#include "parsec-i18n-private.h"

/* Object identifiers of the algorithms and curves */
#define OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"
#define OID_EC_PUBLIC_KEY  "1.2.840.10045.2.1"

typedef struct {
  ParsecEccFamily family;
  guint bits;
  const char *oid;
} Curve;

static const Curve curves[] = {
  { PARSEC_ECC_FAMILY_SECP_R1, 192, "1.2.840.10045.3.1.1" },
  { PARSEC_ECC_FAMILY_SECP_R1, 224, "1.3.132.0.33" },
  { PARSEC_ECC_FAMILY_SECP_R1, 256, "1.2.840.10045.3.1.7" },
  { PARSEC_ECC_FAMILY_SECP_R1, 384, "1.3.132.0.34" },
  { PARSEC_ECC_FAMILY_SECP_R1, 521, "1.3.132.0.35" },
  { PARSEC_ECC_FAMILY_SECP_K1, 256, "1.3.132.0.10" },
  { PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 256, "1.3.36.3.3.2.8.1.1.7" },
  { PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 384, "1.3.36.3.3.2.8.1.1.11" },
  { PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 512, "1.3.36.3.3.2.8.1.1.13" },
  { PARSEC_ECC_FAMILY_MONTGOMERY, 255, "1.3.101.110" },
  { PARSEC_ECC_FAMILY_MONTGOMERY, 448, "1.3.101.111" },
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

/* Whether @len is 2 × the field size of a curve ECDSA signs with: r ‖ s
 * of any other length was not made by one. */
static gboolean
is_ecdsa_signature_length (gsize len)
{
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    if (curves[i].family != PARSEC_ECC_FAMILY_MONTGOMERY && len == 2 * ((curves[i].bits + 7) / 8))
      return TRUE;
  return FALSE;
}

/* The AlgorithmIdentifier of a SubjectPublicKeyInfo. */
static GBytes *
spki_algorithm (const ParsecKeyAttributes  *attributes,
                gsize                       key_len,
                GError                    **error)
{
  ParsecKeyType type = parsec_key_attributes_get_key_type (attributes);
  ParsecEccFamily family;
  const Curve *curve;

  if (type == PARSEC_KEY_TYPE_RSA_KEY_PAIR || type == PARSEC_KEY_TYPE_RSA_PUBLIC_KEY)
    return der_seq (der_oid (OID_RSA_ENCRYPTION), der_null (), NULL);

  if (type != PARSEC_KEY_TYPE_ECC_KEY_PAIR && type != PARSEC_KEY_TYPE_ECC_PUBLIC_KEY)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("Keys of type %u have no SubjectPublicKeyInfo encoding"), type);
      return NULL;
    }
  family = parsec_key_attributes_get_ecc_family (attributes);
  curve = curve_lookup (family, parsec_key_attributes_get_bits (attributes), key_len);
  if (curve == NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("No SubjectPublicKeyInfo encoding is known for a %u-bit curve of family %u"),
                   parsec_key_attributes_get_bits (attributes), family);
      return NULL;
    }
  /* Montgomery keys name their curve in the algorithm identifier itself
   * (RFC 8410); Weierstrass keys name it as a parameter. */
  if (family == PARSEC_ECC_FAMILY_MONTGOMERY)
    return der_seq (der_oid (curve->oid), NULL);
  return der_seq (der_oid (OID_EC_PUBLIC_KEY), der_oid (curve->oid), NULL);
}

static GBytes *
spki_der (const ParsecKeyAttributes  *attributes,
          GBytes                     *public_key,
          GError                    **error)
{
  GBytes *algorithm = spki_algorithm (attributes, g_bytes_get_size (public_key), error);

  if (algorithm == NULL)
    return NULL;
  return der_seq (algorithm, der_bit_string (g_bytes_ref (public_key)), NULL);
}

static GString *
pem_build (GBytes     *der,
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
  return pem;
}

/**
 * parsec_pem_encode:
 * @der: DER data, such as a certificate or a certificate request
 * @label: the PEM label, such as `CERTIFICATE` or `CERTIFICATE REQUEST`
 *
 * Encodes DER data in PEM (RFC 7468): base64 in lines of 64 characters
 * between the BEGIN and END lines of @label, each line ending with a
 * newline.
 *
 * Returns: (transfer full): the PEM text
 *
 * Since: 1.0
 */
char *
parsec_pem_encode (GBytes     *der,
                   const char *label)
{
  g_return_val_if_fail (der != NULL, NULL);
  g_return_val_if_fail (label != NULL, NULL);

  return g_string_free (pem_build (der, label), FALSE);
}

static GBytes *
pem_from_der (GBytes     *der,
              const char *label)
{
  return g_string_free_to_bytes (pem_build (der, label));
}

/**
 * parsec_public_key_convert:
 * @attributes: the attributes of the key
 * @public_key: the public key in the PSA export format, as
 *   [method@Parsec.Client.export_public_key] returns it with
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
 *   %PARSEC_ERROR_INVALID_INPUT if @signature is not r ‖ s of a curve the
 *   library knows (2 × 24 bytes for P-192 up to 2 × 66 for P-521)
 *
 * Since: 1.0
 */
GBytes *
parsec_ecdsa_signature_to_der (GBytes  *signature,
                               GError **error)
{
  gsize len;
  const guint8 *raw;

  g_return_val_if_fail (signature != NULL, NULL);

  raw = g_bytes_get_data (signature, &len);
  if (!is_ecdsa_signature_length (len))
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("A %zu-byte value is not an ECDSA signature (r ‖ s)"), len);
      return NULL;
    }

  return der_seq (der_uint (raw, len / 2), der_uint (raw + len / 2, len / 2), NULL);
}

/**
 * parsec_ecdsa_signature_from_der:
 * @der: a DER-encoded ECDSA signature
 * @bits: the size of the curve in bits, such as 256 for P-256
 * @error: return location for a #GError
 *
 * Decodes a DER ECDSA signature into the r ‖ s form that
 * [method@Parsec.Client.verify_hash] expects. @bits may come from a key's
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
  gconstpointer data;
  g_autofree guint8 *raw = NULL;
  DerCursor top, seq;

  g_return_val_if_fail (der != NULL, NULL);

  if (bits == 0 || bits > 1024)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("No elliptic curve has %u bits: the signature cannot be decoded for it"), bits);
      return NULL;
    }

  /* Empty data may have no address at all to count from. */
  data = g_bytes_get_data (der, &len);
  if (len == 0)
    goto invalid;
  der_cursor_init (&top, data, len);
  if (!der_expect (&top, DER_SEQUENCE, &seq, NULL) || !der_cursor_at_end (&top))
    goto invalid;

  raw = g_malloc0 (2 * size);
  for (guint i = 0; i < 2; i++)
    {
      DerCursor magnitude;
      gsize n;

      if (!der_expect_uint (&seq, &magnitude) || (n = der_cursor_len (&magnitude)) > size)
        goto invalid;
      memcpy (raw + i * size + (size - n), magnitude.p, n);
    }
  if (!der_cursor_at_end (&seq))
    goto invalid;

  return g_bytes_new_take (g_steal_pointer (&raw), 2 * size);

invalid:
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
               _("The data is not a DER ECDSA signature for a %u-bit curve"), bits);
  return NULL;
}
