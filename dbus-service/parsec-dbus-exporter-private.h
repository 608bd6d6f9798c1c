/* parsec-dbus-exporter-private.h: how the exporter tells callers apart
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "parsec-dbus-exporter.h"

G_BEGIN_DECLS

/* The exporter's limits, which docs/dbus.md documents. */

/* Calls being served at once: for every caller together, and for one. */
#define PARSEC_DBUS_MAX_CALLS_IN_FLIGHT         64
#define PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT  8
/* Calls of one caller waiting for their turn, in number and in bytes of
 * arguments; a call beyond either is refused with LimitsExceeded. */
#define PARSEC_DBUS_MAX_CALLER_CALLS_QUEUED     128
#define PARSEC_DBUS_MAX_CALLER_BYTES_QUEUED     (16 * 1024 * 1024)
/* The body of a reply; a larger one is refused with ResponseExceedsLimit
 * instead of being built. */
#define PARSEC_DBUS_MAX_REPLY_SIZE              (4 * 1024 * 1024)

/* The application name under which the service keeps the keys of the
 * process @pid of user @uid, looked up under @proc_root (normally
 * "/proc"):
 *
 *   dbus:uid=<uid>:flatpak=<app id>   a process with /.flatpak-info
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

/* Test hooks, never used in production and not exported from the shared
 * library: they let one test process play several callers.
 *
 * A credentials function replaces org.freedesktop.DBus.GetConnectionCredentials
 * for the unique names it knows (returning TRUE); it may give a pidfd as
 * the bus's ProcessFD (the exporter takes it), or -1. @proc_root replaces
 * "/proc" for every lookup of a caller. */
typedef gboolean (*ParsecDBusCredentialsFunc) (const char *sender,
                                               guint32    *uid,
                                               guint32    *pid,
                                               int        *pidfd,
                                               gpointer    user_data);

void  _parsec_dbus_exporter_set_credentials_func (ParsecDBusExporter        *self,
                                                  ParsecDBusCredentialsFunc  func,
                                                  gpointer                   user_data);
void  _parsec_dbus_exporter_set_proc_root        (ParsecDBusExporter        *self,
                                                  const char                *proc_root);

G_END_DECLS
