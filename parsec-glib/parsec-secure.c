/* parsec-secure.c: memory that is wiped before it is released
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "parsec-secure-private.h"

/* Each block carries its size in front, so that a free function that is
 * only given the pointer (GDestroyNotify, protobuf-c's allocator) can
 * still wipe all of it. The header keeps max_align_t alignment. */
typedef union {
  gsize size;
  max_align_t align;
} BlockHeader;

static ParsecSecureFreeHook free_hook;
static gpointer free_hook_data;

void
_parsec_secure_wipe (gpointer mem,
                     gsize    size)
{
  if (mem == NULL || size == 0)
    return;
#ifdef HAVE_EXPLICIT_BZERO
  explicit_bzero (mem, size);
#else
  {
    volatile guint8 *p = mem;
    while (size--)
      *p++ = 0;
  }
#endif
}

gpointer
_parsec_secure_alloc (gsize size)
{
  BlockHeader *block;

  /* Sizes come from lengths the library has bounded (max-response-size
   * at most PARSEC_WIRE_RESPONSE_SIZE_LIMIT), so this cannot wrap; the
   * check keeps it so. */
  if (G_UNLIKELY (size > G_MAXSIZE - sizeof (BlockHeader)))
    g_error ("parsec-glib: a secure block of %" G_GSIZE_FORMAT " bytes cannot exist", size);
  block = g_malloc (sizeof (BlockHeader) + size);

  block->size = size;
  return block + 1;
}

void
_parsec_secure_free (gpointer mem)
{
  BlockHeader *block;

  if (mem == NULL)
    return;

  block = (BlockHeader *) mem - 1;
  _parsec_secure_wipe (mem, block->size);
  if (G_UNLIKELY (free_hook != NULL))
    free_hook (mem, block->size, free_hook_data);
  _parsec_secure_wipe (block, sizeof *block);
  g_free (block);
}

GBytes *
_parsec_secure_bytes_new_take (gpointer mem,
                               gsize    size)
{
  return g_bytes_new_with_free_func (mem, size, _parsec_secure_free, mem);
}

GBytes *
_parsec_secure_bytes_new (gconstpointer data,
                          gsize         size)
{
  gpointer mem = _parsec_secure_alloc (size);

  if (size > 0)
    memcpy (mem, data, size);
  return _parsec_secure_bytes_new_take (mem, size);
}

static void *
protobuf_alloc (void   *allocator_data,
                size_t  size)
{
  return _parsec_secure_alloc (size);
}

static void
protobuf_free (void *allocator_data,
               void *pointer)
{
  _parsec_secure_free (pointer);
}

ProtobufCAllocator _parsec_secure_protobuf_allocator = {
  .alloc = protobuf_alloc,
  .free = protobuf_free,
  .allocator_data = NULL,
};

void
_parsec_secure_set_free_hook (ParsecSecureFreeHook hook,
                              gpointer             user_data)
{
  free_hook = hook;
  free_hook_data = user_data;
}
