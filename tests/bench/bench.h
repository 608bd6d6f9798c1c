/* bench.h: the figures' arithmetic and formatting, shared by the rows
 * of bench.c and the tool's of bench-tool.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* At most 64 values, left in their order; 0 for none. */
double median      (const double *values,
                    guint         n);
/* Appends @value with three decimals, whatever the locale. */
void   json_number (GString      *out,
                    double        value);

G_END_DECLS
