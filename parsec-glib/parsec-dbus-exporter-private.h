/* parsec-dbus-exporter-private.h: how the exporter tells callers apart
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "parsec-glib.h"

G_BEGIN_DECLS

/* The application name under which the service keeps the keys of the
 * process @pid of user @uid, looked up under @proc_root (normally
 * "/proc"):
 *
 *   dbus:uid=<uid>:flatpak=<app id>   a process with /.flatpak-info
 *   dbus:uid=<uid>:exe=<path>         any other process
 *
 * Fails with G_DBUS_ERROR_ACCESS_DENIED for another user than the
 * exporter's (@own_uid) and for a process whose identity cannot be
 * established (gone, unreadable, or a sandbox without an app id). */
char *_parsec_dbus_identity_resolve (const char  *proc_root,
                                     guint32      own_uid,
                                     guint32      uid,
                                     guint32      pid,
                                     GError     **error);

/* Test hooks, never used in production and not exported from the shared
 * library: they let one test process play several callers.
 *
 * A credentials function replaces org.freedesktop.DBus.GetConnectionCredentials
 * for the unique names it knows (returning TRUE); @proc_root replaces
 * "/proc" for every lookup. */
typedef gboolean (*ParsecDBusCredentialsFunc) (const char *sender,
                                               guint32    *uid,
                                               guint32    *pid,
                                               gpointer    user_data);

void  _parsec_dbus_exporter_set_credentials_func (ParsecDBusExporter        *self,
                                                  ParsecDBusCredentialsFunc  func,
                                                  gpointer                   user_data);
void  _parsec_dbus_exporter_set_proc_root        (ParsecDBusExporter        *self,
                                                  const char                *proc_root);

G_END_DECLS
