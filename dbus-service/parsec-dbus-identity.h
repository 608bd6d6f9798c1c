/* parsec-dbus-identity.h: who a D-Bus caller is, from the kernel's word
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The application name under which the service keeps the keys of the
 * process @pid of user @uid, looked up under @proc_root (normally
 * "/proc"):
 *
 *   dbus:uid=<uid>:flatpak=<app id>   a process with /.flatpak-info
 *   dbus:uid=<uid>:app=<app id>       one in an application's systemd unit
 *                                     (app-…-<app id>-….scope / .service)
 *   dbus:uid=<uid>:interpreter=<path, ':' and '%' escaped>:script=<path>
 *                                     an interpreter running a script
 *   dbus:uid=<uid>:exe=<path>         any other process
 *
 * @pidfd, when not -1, is a pidfd of the process the bus saw connect
 * (the ProcessFD credential): the process must still be the one with
 * @pid once everything is read. @start_time, when not NULL, receives the
 * process's start time (field 22 of /proc/PID/stat).
 *
 * The name is in wiping memory: free it with secure_free().
 *
 * Fails with G_DBUS_ERROR_ACCESS_DENIED for another user than the
 * exporter's (@own_uid) and for a process whose identity cannot be
 * established (gone, unreadable, or a sandbox without an app id), and
 * with G_DBUS_ERROR_LIMITS_EXCEEDED when the exporter lacked the
 * resources to look (out of file descriptors or memory), which may pass. */
char *_parsec_dbus_identity_resolve (const char  *proc_root,
                                     guint32      own_uid,
                                     guint32      uid,
                                     guint32      pid,
                                     int          pidfd,
                                     guint64     *start_time,
                                     GError     **error);

G_END_DECLS
