/* secure-mem.c: memory that is wiped before it is released
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "secure-mem.h"

/* Each block carries its length in front; the header keeps max_align_t
 * alignment for what follows it. */
typedef union {
  gsize len;
  max_align_t align;
} BlockHeader;

static SecureFreeHook free_hook;
static gpointer free_hook_data;

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

gpointer
secure_alloc (gsize len)
{
  BlockHeader *block;

  /* Callers bound their lengths well below this; the check keeps the
   * sum from wrapping whatever they pass. */
  if (G_UNLIKELY (len > G_MAXSIZE - sizeof (BlockHeader)))
    g_error ("parsec-glib: a secure block of %" G_GSIZE_FORMAT " bytes cannot exist", len);
  block = g_malloc0 (sizeof (BlockHeader) + len);
  block->len = len;
  return block + 1;
}

void
secure_free (gpointer data)
{
  BlockHeader *block;

  if (data == NULL)
    return;
  block = (BlockHeader *) data - 1;
  secure_wipe (data, block->len);
  if (G_UNLIKELY (free_hook != NULL))
    free_hook (data, block->len, free_hook_data);
  secure_wipe (block, sizeof *block);
  g_free (block);
}

gpointer
secure_grow (gpointer data,
             gsize    used,
             gsize    len)
{
  gpointer grown = secure_alloc (len);

  g_return_val_if_fail (used <= len, grown);
  if (used > 0)
    memcpy (grown, data, used);
  secure_free (data);
  return grown;
}

GBytes *
secure_bytes_take (gpointer data,
                   gsize    len)
{
  return g_bytes_new_with_free_func (data, len, secure_free, data);
}

GBytes *
secure_bytes_new (gconstpointer data,
                  gsize         len)
{
  gpointer copy = secure_alloc (len);

  if (len > 0)
    memcpy (copy, data, len);
  return secure_bytes_take (copy, len);
}

char *
secure_strdup (const char *text)
{
  gsize len;
  char *copy;

  if (text == NULL)
    return NULL;
  len = strlen (text) + 1;
  copy = secure_alloc (len);
  memcpy (copy, text, len);
  return copy;
}

char *
secure_strdup_printf (const char *format,
                      ...)
{
  va_list args;
  int len;
  char *text;

  va_start (args, format);
  len = g_vsnprintf (NULL, 0, format, args);
  va_end (args);
  text = secure_alloc ((gsize) len + 1);
  va_start (args, format);
  g_vsnprintf (text, (gulong) len + 1, format, args);
  va_end (args);
  return text;
}

void
secure_set_free_hook (SecureFreeHook hook,
                      gpointer       user_data)
{
  free_hook = hook;
  free_hook_data = user_data;
}
