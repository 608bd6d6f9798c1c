/* fuzz-result.h: the result targets, one per family of operations
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "fuzz-common.h"

G_BEGIN_DECLS

/* Input: a byte that picks an operation of @family, then a result body.
 * The body is unpacked with the library's secure allocator and put
 * through the library's conversions, then sent to the client behind a
 * well-formed header. */
void fuzz_result_run (FuzzFamily    family,
                      const guint8 *data,
                      gsize         size);

G_END_DECLS
