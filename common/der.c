/* der.c: the few DER structures the library and its programs write and read
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Structures are built bottom up from GBytes that each function takes
 * over, so that a whole structure reads as one nested expression. Every
 * piece lives in wiped memory: PKCS #8 private keys are built here too.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "der.h"
#include "secure-mem.h"

static GBytes *
der_cat_valist (GBytes  *first,
                va_list  args)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize total = 0, offset = 0;
  guint8 *out;

  for (GBytes *part = first; part != NULL; part = va_arg (args, GBytes *))
    {
      g_ptr_array_add (parts, part);
      total += g_bytes_get_size (part);
    }
  out = secure_alloc (total);
  for (guint i = 0; i < parts->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (parts, i), &len);

      if (len > 0)
        memcpy (out + offset, data, len);
      offset += len;
    }
  return secure_bytes_take (out, total);
}

GBytes *
der_cat (GBytes *first,
         ...)
{
  va_list args;
  GBytes *out;

  va_start (args, first);
  out = der_cat_valist (first, args);
  va_end (args);
  return out;
}

GBytes *
der_tlv (guint8  tag,
         GBytes *content)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (content, &len);
  guint8 header[2 + sizeof (gsize)] = { tag };
  gsize header_len;
  guint8 *out;

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
      header[1] = (guint8) (0x80 | n);
      for (guint i = 0; i < n; i++)
        header[2 + i] = (guint8) (len >> (8 * (n - 1 - i)));
      header_len = 2 + n;
    }

  out = secure_alloc (header_len + len);
  memcpy (out, header, header_len);
  if (len > 0)
    memcpy (out + header_len, data, len);
  g_bytes_unref (content);
  return secure_bytes_take (out, header_len + len);
}

GBytes *
der_seq (GBytes *first,
         ...)
{
  va_list args;
  GBytes *content;

  va_start (args, first);
  content = der_cat_valist (first, args);
  va_end (args);
  return der_tlv (DER_SEQUENCE, content);
}

GBytes *
der_oid (const char *dotted)
{
  g_auto(GStrv) arcs = g_strsplit (dotted, ".", -1);
  guint n_arcs = g_strv_length (arcs);
  g_autoptr(GByteArray) content = g_byte_array_new ();

  g_return_val_if_fail (n_arcs >= 2, NULL);
  for (guint i = 1; i < n_arcs; i++)
    {
      guint64 arc = g_ascii_strtoull (arcs[i], NULL, 10);
      guint8 digits[10];
      guint n = 0;

      if (i == 1)
        arc += 40 * g_ascii_strtoull (arcs[0], NULL, 10);
      /* Base 128, most significant group first, continuation bit set on
       * all groups but the last. */
      do
        {
          digits[n++] = arc & 0x7f;
          arc >>= 7;
        }
      while (arc > 0);
      while (n > 0)
        {
          guint8 b;

          n--;
          b = digits[n] | (n > 0 ? 0x80 : 0);
          g_byte_array_append (content, &b, 1);
        }
    }
  return der_tlv (DER_OID, g_bytes_new (content->data, content->len));
}

GBytes *
der_uint (const guint8 *big_endian,
          gsize         len)
{
  guint8 *out;
  gsize out_len;

  /* Minimal encoding: no leading zeros, but one where the top bit would
   * make the number negative. */
  while (len > 1 && big_endian[0] == 0)
    {
      big_endian++;
      len--;
    }
  if (len == 0)
    return der_tlv (DER_INTEGER, g_bytes_new ("", 1));
  out_len = len + ((big_endian[0] & 0x80) ? 1 : 0);
  out = secure_alloc (out_len);
  memcpy (out + (out_len - len), big_endian, len);
  return der_tlv (DER_INTEGER, secure_bytes_take (out, out_len));
}

GBytes *
der_small_uint (guint value)
{
  guint8 be[4] = { value >> 24, value >> 16, value >> 8, value };

  return der_uint (be, sizeof be);
}

GBytes *
der_null (void)
{
  return der_tlv (DER_NULL, g_bytes_new (NULL, 0));
}

GBytes *
der_string (guint8      tag,
            const char *text)
{
  return der_tlv (tag, g_bytes_new (text, strlen (text)));
}

GBytes *
der_bit_string (GBytes *content)
{
  /* No unused bits in the last byte. */
  return der_tlv (DER_BIT_STRING, der_cat (g_bytes_new ("", 1), content, NULL));
}

/* Reading */

void
der_cursor_init (DerCursor     *cursor,
                 gconstpointer  data,
                 gsize          len)
{
  cursor->p = data;
  cursor->end = cursor->p + len;
}

gsize
der_cursor_len (const DerCursor *cursor)
{
  return (gsize) (cursor->end - cursor->p);
}

gboolean
der_cursor_at_end (const DerCursor *cursor)
{
  return cursor->p >= cursor->end;
}

gboolean
der_next (DerCursor *cursor,
          guint8    *tag,
          DerCursor *content,
          DerCursor *whole)
{
  const guint8 *p = cursor->p;
  gsize n;

  if (cursor->end - p < 2)
    return FALSE;
  /* Multi-byte tags appear in none of the structures read here. */
  if ((p[0] & 0x1f) == 0x1f)
    return FALSE;
  if (tag != NULL)
    *tag = p[0];
  n = p[1];
  p += 2;
  if (n & 0x80)
    {
      guint bytes = n & 0x7f;

      /* No indefinite lengths in DER; nothing here is 4 GiB long. */
      if (bytes == 0 || bytes > 4 || (gsize) (cursor->end - p) < bytes)
        return FALSE;
      n = 0;
      for (guint i = 0; i < bytes; i++)
        n = (n << 8) | *p++;
    }
  if ((gsize) (cursor->end - p) < n)
    return FALSE;
  if (content != NULL)
    der_cursor_init (content, p, n);
  if (whole != NULL)
    der_cursor_init (whole, cursor->p, (gsize) (p + n - cursor->p));
  cursor->p = p + n;
  return TRUE;
}

gboolean
der_expect (DerCursor *cursor,
            guint8     tag,
            DerCursor *content,
            DerCursor *whole)
{
  DerCursor copy = *cursor;
  guint8 found;

  if (!der_next (&copy, &found, content, whole) || found != tag)
    return FALSE;
  *cursor = copy;
  return TRUE;
}

gboolean
der_expect_uint (DerCursor *cursor,
                 DerCursor *magnitude)
{
  DerCursor content;

  if (!der_expect (cursor, DER_INTEGER, &content, NULL) || der_cursor_at_end (&content) ||
      (content.p[0] & 0x80) != 0)
    return FALSE;
  while (content.end - content.p > 1 && content.p[0] == 0)
    content.p++;
  *magnitude = content;
  return TRUE;
}

guint
der_uint_bits (const DerCursor *magnitude)
{
  if (der_cursor_at_end (magnitude))
    return 0;
  return (guint) (der_cursor_len (magnitude) - 1) * 8 + g_bit_storage (magnitude->p[0]);
}

/* The size of the modulus of an RSAPublicKey or RSAPrivateKey (PKCS #1),
 * which is what PSA uses for RSA keys. */
gboolean
der_rsa_bits (GBytes   *der,
              gboolean  private_key,
              guint    *bits)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (der, &size);
  DerCursor top, seq, modulus;

  der_cursor_init (&top, data, size);
  if (!der_expect (&top, DER_SEQUENCE, &seq, NULL))
    return FALSE;
  /* version */
  if (private_key && !der_expect (&seq, DER_INTEGER, NULL, NULL))
    return FALSE;
  if (!der_expect_uint (&seq, &modulus) || modulus.p[0] == 0)
    return FALSE;
  *bits = der_uint_bits (&modulus);
  return TRUE;
}
