/* bench-tool.h: parsec-glib-tool's commands, timed and counted
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ToolReport ToolReport;

/* Runs parsec-tool's command lines through @tool, and through
 * @reference (parsec-tool) when it is not NULL, @runs times each against
 * a private test service; in the same rounds @gio_start, when not NULL,
 * the program whose start-up is the floor under any GIO command. */
ToolReport *tool_bench_run   (const char        *tool,
                              const char        *reference,
                              const char        *gio_start,
                              guint              runs,
                              GError           **error);
void        tool_bench_print (const ToolReport  *report);
/* Appends the report as a JSON object. */
void        tool_bench_json  (const ToolReport  *report,
                              GString           *out);
void        tool_bench_free  (ToolReport        *report);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ToolReport, tool_bench_free)

G_END_DECLS
