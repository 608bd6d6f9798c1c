/* parsec-secure-private.h: memory that is wiped before it is released
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>
#include <protobuf-c/protobuf-c.h>

#include "secure-mem.h"

G_BEGIN_DECLS

/* For protobuf_c_message_unpack() and _free_unpacked(): decoded results
 * may hold key material, so their memory is wiped too. */
extern ProtobufCAllocator _parsec_secure_protobuf_allocator;

G_END_DECLS
