/* fuzz-der.c: the DER reader of common/der.c on any bytes
 *
 * The PKCS #11 module reads certificates handed to C_CreateObject and the
 * DigestInfo handed to C_Sign with it, and the tool reads key files: the
 * input is walked element by element, into every constructed element,
 * and each cursor the reader gives must lie within the one it came from.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "der.h"
#include "fuzz-common.h"

#define MAX_DEPTH 32

static void
walk (DerCursor cursor,
      guint     depth)
{
  while (!der_cursor_at_end (&cursor))
    {
      const guint8 *start = cursor.p;
      DerCursor content, whole, magnitude, again;
      guint8 tag;

      if (!der_next (&cursor, &tag, &content, &whole))
        return;
      g_assert_true (whole.p == start && whole.end == cursor.p);
      g_assert_true (content.p >= whole.p && content.p <= whole.end && content.end == whole.end);
      g_assert_true (cursor.p <= cursor.end);

      again = whole;
      if (tag == DER_INTEGER && der_expect_uint (&again, &magnitude))
        {
          g_assert_true (magnitude.p >= content.p && magnitude.end == content.end);
          g_assert_true (der_cursor_len (&magnitude) >= 1);
        }
      if ((tag & 0x20) != 0 && depth < MAX_DEPTH)
        walk (content, depth + 1);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  DerCursor cursor;
  guint bits = 0;

  der_cursor_init (&cursor, data, size);
  walk (cursor, 0);
  for (int private_key = 0; private_key < 2; private_key++)
    if (der_rsa_bits (bytes, private_key, &bits))
      g_assert_cmpuint (bits, <=, 8 * size);
  return 0;
}
