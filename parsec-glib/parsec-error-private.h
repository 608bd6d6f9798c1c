/* parsec-error-private.h
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "parsec-glib.h"

G_BEGIN_DECLS

GError *_parsec_error_new_from_status (guint       status,
                                       guint32     opcode,
                                       const char *key_name);

G_END_DECLS
