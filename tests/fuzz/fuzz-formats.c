/* fuzz-formats.c: signatures and public keys in other libraries' encodings
 *
 * The first byte picks the conversion:
 *   0  parsec_ecdsa_signature_from_der: 2 bytes of curve size, the DER
 *   1  parsec_ecdsa_signature_to_der: the r ‖ s
 *   2  parsec_public_key_convert: key type, family, 2 bytes of size and
 *      the format, then the PSA public key
 *   3  the same with the attributes decoded from a KeyAttributes message:
 *      its length, the message, then the public key
 * and each result is checked against the inverse conversion or the DER
 * structure it must have.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "parsec-client-private.h"
#include "parsec-psa-private.h"
#include "parsec-secure-private.h"

#include "psa_key_attributes.pb-c.h"

static void
check_error (const GError *error)
{
  g_assert_true (g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

static void
from_der (const guint8 *data,
          gsize         size)
{
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;
  guint bits;

  if (size < 2)
    return;
  bits = 1 + ((data[0] | (data[1] << 8)) % 1024);
  der = g_bytes_new (data + 2, size - 2);
  raw = parsec_ecdsa_signature_from_der (der, bits, &error);
  if (raw == NULL)
    {
      check_error (error);
      return;
    }
  g_assert_cmpuint (g_bytes_get_size (raw), ==, 2 * ((bits + 7) / 8));

  /* Back to DER, the encoding is the minimal one, which decodes to the
   * same r ‖ s. */
  if (g_bytes_get_size (raw) <= 2 * 66)
    {
      g_autoptr(GBytes) again = parsec_ecdsa_signature_to_der (raw, &error);
      g_autoptr(GBytes) back = NULL;

      g_assert_no_error (error);
      back = parsec_ecdsa_signature_from_der (again, bits, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (back, raw));
    }
}

static void
to_der (const guint8 *data,
        gsize         size)
{
  g_autoptr(GBytes) raw = g_bytes_new (data, size);
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) back = NULL;
  g_autoptr(GError) error = NULL;

  der = parsec_ecdsa_signature_to_der (raw, &error);
  if (der == NULL)
    {
      check_error (error);
      return;
    }
  back = parsec_ecdsa_signature_from_der (der, (guint) (size / 2) * 8, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (back, raw));
}

/* Reads one DER header; returns the content length and advances *p. */
static gsize
der_header (const guint8 **p,
            const guint8  *end,
            guint8         tag)
{
  gsize len;

  g_assert_cmpint (end - *p, >=, 2);
  g_assert_cmpuint ((*p)[0], ==, tag);
  len = (*p)[1];
  *p += 2;
  if (len & 0x80)
    {
      guint n = len & 0x7f;

      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpuint (n, <=, sizeof (gsize));
      g_assert_cmpint (end - *p, >=, (gssize) n);
      len = 0;
      for (guint i = 0; i < n; i++)
        len = (len << 8) | *(*p)++;
      /* Definite, minimal length form. */
      g_assert_cmpuint (len, >=, 0x80);
    }
  g_assert_cmpuint ((gsize) (end - *p), >=, len);
  return len;
}

/* A SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID, … }, BIT STRING {
 * 0 unused bits, the PSA key } }, nothing after. */
static void
check_spki (GBytes *der,
            GBytes *public_key)
{
  gsize size;
  const guint8 *p = g_bytes_get_data (der, &size);
  const guint8 *end = p + size;
  gsize len;

  len = der_header (&p, end, 0x30);
  g_assert_true (p + len == end);
  len = der_header (&p, end, 0x30);
  g_assert_cmpuint (len, >, 0);
  g_assert_cmpuint (p[0], ==, 0x06);
  p += len;
  len = der_header (&p, end, 0x03);
  g_assert_true (p + len == end);
  g_assert_cmpuint (len, ==, 1 + g_bytes_get_size (public_key));
  g_assert_cmpuint (p[0], ==, 0);
  g_assert_cmpmem (p + 1, len - 1, g_bytes_get_data (public_key, NULL), g_bytes_get_size (public_key));
}

static void
check_pem (GBytes *pem,
           GBytes *der)
{
  const char *begin = "-----BEGIN PUBLIC KEY-----\n";
  const char *end = "-----END PUBLIC KEY-----\n";
  g_autofree char *text = g_strndup (g_bytes_get_data (pem, NULL), g_bytes_get_size (pem));
  g_autoptr(GString) base64 = g_string_new (NULL);
  g_autofree guint8 *decoded = NULL;
  gsize decoded_len;
  g_auto(GStrv) lines = NULL;

  g_assert_cmpuint (strlen (text), ==, g_bytes_get_size (pem));
  g_assert_true (g_str_has_prefix (text, begin));
  g_assert_true (g_str_has_suffix (text, end));
  lines = g_strsplit (text + strlen (begin), "\n", -1);
  for (guint i = 0; lines[i] != NULL && !g_str_has_prefix (lines[i], "-----END"); i++)
    {
      g_assert_cmpuint (strlen (lines[i]), <=, 64);
      g_string_append (base64, lines[i]);
    }
  decoded = g_base64_decode (base64->str, &decoded_len);
  g_assert_cmpmem (decoded, decoded_len, g_bytes_get_data (der, NULL), g_bytes_get_size (der));
}

static void
convert (const ParsecKeyAttributes *attributes,
         ParsecPublicKeyFormat      format,
         const guint8              *data,
         gsize                      size)
{
  g_autoptr(GBytes) public_key = g_bytes_new (data, size);
  g_autoptr(GBytes) converted = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GError) error = NULL;

  converted = parsec_public_key_convert (attributes, public_key, format, &error);
  if (converted == NULL)
    {
      g_assert_cmpint (format, !=, PARSEC_PUBLIC_KEY_FORMAT_PSA);
      check_error (error);
      return;
    }
  g_assert_no_error (error);
  if (format == PARSEC_PUBLIC_KEY_FORMAT_PSA)
    {
      g_assert_true (g_bytes_equal (converted, public_key));
      return;
    }

  der = parsec_public_key_convert (attributes, public_key, PARSEC_PUBLIC_KEY_FORMAT_DER, &error);
  g_assert_no_error (error);
  check_spki (der, public_key);
  if (format == PARSEC_PUBLIC_KEY_FORMAT_PEM)
    check_pem (converted, der);
  else
    g_assert_true (g_bytes_equal (converted, der));
}

static void
convert_raw_attributes (const guint8 *data,
                        gsize         size)
{
  ParsecKeyAttributes *attributes;

  if (size < 5)
    return;
  /* Any values, not only those the constructors accept: the attributes
   * of a key come from the service. */
  attributes = g_new0 (ParsecKeyAttributes, 1);
  g_atomic_ref_count_init (&attributes->ref_count);
  attributes->key_type = data[0] % 16;
  attributes->family = data[1] % 16;
  attributes->bits = data[2] | (data[3] << 8);
  attributes->algorithm = parsec_algorithm_new_none ();
  convert (attributes, data[4] % 3, data + 5, size - 5);
  parsec_key_attributes_unref (attributes);
}

static void
convert_message_attributes (const guint8 *data,
                            gsize         size)
{
  g_autoptr(ProtobufCMessage) message = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  gsize len;

  if (size < 2)
    return;
  len = MIN (data[1], size - 2);
  message = protobuf_c_message_unpack (&psa_key_attributes__key_attributes__descriptor,
                                       &_parsec_secure_protobuf_allocator, len, data + 2);
  if (message == NULL)
    return;
  attributes = _parsec_key_attributes_from_message (message);
  convert (attributes, data[0] % 3, data + 2 + len, size - 2 - len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  if (size < 1)
    return 0;
  fuzz_init ();

  switch (data[0] % 4)
    {
    case 0:
      from_der (data + 1, size - 1);
      break;
    case 1:
      to_der (data + 1, size - 1);
      break;
    case 2:
      convert_raw_attributes (data + 1, size - 1);
      break;
    default:
      convert_message_attributes (data + 1, size - 1);
      break;
    }
  return 0;
}
