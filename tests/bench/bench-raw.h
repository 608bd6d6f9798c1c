/* bench-raw.h: the raw floor, shared by bench.c and bench-cost.c
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <sys/un.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* Reads exactly @len bytes, blocking; FALSE on error or end of file. */
gboolean read_exact (int     fd,
                     guint8 *buf,
                     gsize   len);

/* socket, connect, one write, an exact read of the header and of the
 * body it announces (at most 1024 bytes), close. */
gboolean raw_call (const struct sockaddr_un  *addr,
                   const guint8              *request,
                   gsize                      request_len,
                   GError                   **error);

G_END_DECLS
