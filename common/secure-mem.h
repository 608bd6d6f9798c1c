/* secure-mem.h: memory that is wiped before it is released
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void            secure_wipe             (gpointer          data,
                                         gsize             len);
/* Zeroed memory whose free function knows its length, so that a caller
 * with only the pointer (a GDestroyNotify, protobuf-c's allocator) can
 * wipe all of it. */
gpointer        secure_alloc            (gsize             len);
void            secure_free             (gpointer          data);
/* Moves the first @used bytes of @data (from secure_alloc(), or NULL) to
 * a new block of @len bytes and frees @data; for buffers that grow. */
gpointer        secure_grow             (gpointer          data,
                                         gsize             used,
                                         gsize             len);
/* A GBytes that owns @data, from secure_alloc(), and wipes it when freed. */
GBytes         *secure_bytes_take       (gpointer          data,
                                         gsize             len);
GBytes         *secure_bytes_new        (gconstpointer     data,
                                         gsize             len);
/* Strings in such memory, freed with secure_free(); NULL gives NULL. */
char           *secure_strdup           (const char       *text);
/* Without the intermediate copies g_strdup_printf() would leave. */
char           *secure_strdup_printf    (const char       *format,
                                         ...) G_GNUC_PRINTF (1, 2);

/* Tests observe wiping through this hook: it is called with each block
 * just before it goes back to the allocator, after it was wiped. */
typedef void (*SecureFreeHook) (gconstpointer mem,
                                gsize         len,
                                gpointer      user_data);
void            secure_set_free_hook    (SecureFreeHook    hook,
                                         gpointer          user_data);

G_END_DECLS
