/* secure-mem.c: memory that is wiped before it is released
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * For the programs beside the library (the tool, the PKCS #11 module):
 * the library's own helpers are private to it.
 */
#include "config.h"

#include <string.h>

#include "secure-mem.h"

/* The length is kept in front of the data, so that a free function with
 * only the data pointer knows how much to wipe. */
#define SECURE_HEADER 16

void
secure_wipe (gpointer data,
             gsize    len)
{
  if (data == NULL || len == 0)
    return;
#ifdef HAVE_EXPLICIT_BZERO
  explicit_bzero (data, len);
#else
  {
    volatile guint8 *p = data;

    while (len--)
      *p++ = 0;
  }
#endif
}

guint8 *
secure_alloc (gsize len)
{
  guint8 *block = g_malloc0 (SECURE_HEADER + len);

  *(gsize *) block = len;
  return block + SECURE_HEADER;
}

void
secure_free (gpointer data)
{
  guint8 *block;

  if (data == NULL)
    return;
  block = (guint8 *) data - SECURE_HEADER;
  secure_wipe (block, SECURE_HEADER + *(gsize *) block);
  g_free (block);
}

GBytes *
secure_bytes_take (guint8 *data,
                   gsize   len)
{
  return g_bytes_new_with_free_func (data, len, secure_free, data);
}

GBytes *
secure_bytes_new (gconstpointer data,
                  gsize         len)
{
  guint8 *copy = secure_alloc (len);

  if (len > 0)
    memcpy (copy, data, len);
  return secure_bytes_take (copy, len);
}
