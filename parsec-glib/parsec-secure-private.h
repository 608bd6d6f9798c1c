/* parsec-secure-private.h: memory that is wiped before it is released
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>
#include <protobuf-c/protobuf-c.h>

G_BEGIN_DECLS

gpointer _parsec_secure_alloc     (gsize          size);
void     _parsec_secure_free      (gpointer       mem);
void     _parsec_secure_wipe      (gpointer       mem,
                                   gsize          size);
GBytes  *_parsec_secure_bytes_new_take (gpointer  mem,
                                        gsize     size);
GBytes  *_parsec_secure_bytes_new (gconstpointer  data,
                                   gsize          size);

/* For protobuf_c_message_unpack() and _free_unpacked(): decoded results
 * may hold key material, so their memory is wiped too. */
extern ProtobufCAllocator _parsec_secure_protobuf_allocator;

/* Tests observe wiping through this hook: it is called with each block
 * just before it goes back to the allocator, after it was wiped. */
typedef void (*ParsecSecureFreeHook) (gconstpointer mem,
                                      gsize         size,
                                      gpointer      user_data);
void     _parsec_secure_set_free_hook (ParsecSecureFreeHook hook,
                                       gpointer             user_data);

G_END_DECLS
