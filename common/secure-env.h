/* secure-env.h: the environment, when the process may trust it
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether the process's environment was set by someone with no more
 * privileges than the process itself: FALSE under AT_SECURE (a setuid or
 * setgid program, or one that gained file capabilities), where whoever
 * started it chose the environment and must not steer it. */
gboolean        secure_env_trusted      (void);
/* @name's value, as g_getenv(), or NULL when the environment is not
 * trusted: how every variable of parsec-glib is read. */
const char     *secure_env_get          (const char       *name);

G_END_DECLS
