/* parsec-dbus-exporter-private.h: the exporter's limits and test hooks
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

/* Test hooks, never used by the program: they let one test process play
 * several callers.
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
/* The callers the exporter knows and the calls that hold a slot, from
 * the exporter's context. */
void  _parsec_dbus_exporter_get_load             (ParsecDBusExporter        *self,
                                                  guint                     *n_callers,
                                                  guint                     *n_in_flight);

G_END_DECLS
