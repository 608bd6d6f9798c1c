/* secure-mem.h: memory that is wiped before it is released
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void            secure_wipe             (gpointer          data,
                                         gsize             len);
guint8         *secure_alloc            (gsize             len);
void            secure_free             (gpointer          data);
/* A GBytes that owns @data, from secure_alloc(), and wipes it when freed. */
GBytes         *secure_bytes_take       (guint8           *data,
                                         gsize             len);
GBytes         *secure_bytes_new        (gconstpointer     data,
                                         gsize             len);

G_END_DECLS
