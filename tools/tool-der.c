/* tool-der.c: the few DER structures parsec-glib-tool writes and reads
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

#include "tool.h"

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
  out = tool_secure_alloc (total);
  for (guint i = 0; i < parts->len; i++)
    {
      gsize len;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (parts, i), &len);

      if (len > 0)
        memcpy (out + offset, data, len);
      offset += len;
    }
  return tool_secure_bytes_take (out, total);
}

GBytes *
tool_der_cat (GBytes *first,
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
tool_der_tlv (guint8  tag,
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

  out = tool_secure_alloc (header_len + len);
  memcpy (out, header, header_len);
  if (len > 0)
    memcpy (out + header_len, data, len);
  g_bytes_unref (content);
  return tool_secure_bytes_take (out, header_len + len);
}

GBytes *
tool_der_seq (GBytes *first,
              ...)
{
  va_list args;
  GBytes *content;

  va_start (args, first);
  content = der_cat_valist (first, args);
  va_end (args);
  return tool_der_tlv (TOOL_DER_SEQUENCE, content);
}

GBytes *
tool_der_oid (const char *dotted)
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
  return tool_der_tlv (TOOL_DER_OID, g_bytes_new (content->data, content->len));
}

GBytes *
tool_der_uint (const guint8 *big_endian,
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
    return tool_der_tlv (TOOL_DER_INTEGER, g_bytes_new ("", 1));
  out_len = len + ((big_endian[0] & 0x80) ? 1 : 0);
  out = tool_secure_alloc (out_len);
  memcpy (out + (out_len - len), big_endian, len);
  return tool_der_tlv (TOOL_DER_INTEGER, tool_secure_bytes_take (out, out_len));
}

GBytes *
tool_der_small_uint (guint value)
{
  guint8 be[4] = { value >> 24, value >> 16, value >> 8, value };

  return tool_der_uint (be, sizeof be);
}

GBytes *
tool_der_null (void)
{
  return tool_der_tlv (TOOL_DER_NULL, g_bytes_new (NULL, 0));
}

GBytes *
tool_der_string (guint8      tag,
                 const char *text)
{
  return tool_der_tlv (tag, g_bytes_new (text, strlen (text)));
}

GBytes *
tool_der_bit_string (GBytes *content)
{
  /* No unused bits in the last byte. */
  return tool_der_tlv (TOOL_DER_BIT_STRING, tool_der_cat (g_bytes_new ("", 1), content, NULL));
}

/* Reading */

/* The header at *p: its tag and content length; *p moves to the content. */
static gboolean
der_read_header (const guint8 **p,
                 const guint8  *end,
                 guint8        *tag,
                 gsize         *len)
{
  gsize n;

  if (end - *p < 2)
    return FALSE;
  *tag = *(*p)++;
  n = *(*p)++;
  if (n & 0x80)
    {
      guint bytes = n & 0x7f;

      if (bytes == 0 || bytes > 4 || (gsize) (end - *p) < bytes)
        return FALSE;
      n = 0;
      for (guint i = 0; i < bytes; i++)
        n = (n << 8) | *(*p)++;
    }
  if ((gsize) (end - *p) < n)
    return FALSE;
  *len = n;
  return TRUE;
}

/* The size of the modulus of an RSAPublicKey or RSAPrivateKey (PKCS #1),
 * which is what PSA uses for RSA keys. */
gboolean
tool_der_rsa_bits (GBytes   *der,
                   gboolean  private_key,
                   guint    *bits)
{
  gsize size, len;
  const guint8 *p = g_bytes_get_data (der, &size);
  const guint8 *end = p + size;
  guint8 tag;

  if (!der_read_header (&p, end, &tag, &len) || tag != TOOL_DER_SEQUENCE)
    return FALSE;
  end = p + len;
  if (private_key)
    {
      /* version */
      if (!der_read_header (&p, end, &tag, &len) || tag != TOOL_DER_INTEGER)
        return FALSE;
      p += len;
    }
  if (!der_read_header (&p, end, &tag, &len) || tag != TOOL_DER_INTEGER || len == 0)
    return FALSE;
  while (len > 0 && *p == 0)
    {
      p++;
      len--;
    }
  if (len == 0)
    return FALSE;
  *bits = (guint) (len - 1) * 8 + g_bit_storage (*p);
  return TRUE;
}
