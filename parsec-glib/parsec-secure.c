/* parsec-secure.c: protobuf-c's memory, wiped before it is released
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-secure-private.h"

static void *
protobuf_alloc (void   *allocator_data,
                size_t  size)
{
  return secure_alloc (size);
}

static void
protobuf_free (void *allocator_data,
               void *pointer)
{
  secure_free (pointer);
}

ProtobufCAllocator _parsec_secure_protobuf_allocator = {
  .alloc = protobuf_alloc,
  .free = protobuf_free,
  .allocator_data = NULL,
};
