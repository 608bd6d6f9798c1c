/* parsec-dbus-exporter-private.h: the exporter's limits and test hooks
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "parsec-dbus-exporter.h"

G_BEGIN_DECLS

/* The exporter's limits, which docs/dbus.md documents. */

/* A caller is one bus connection; the callers of one process (by uid and
 * pid, as the bus tells) share the process's limits and take turns as
 * one; callers not identified yet share the limits of one process. */

/* Calls being served at once: for every caller together, for the callers
 * of one process, and for one caller. */
#define PARSEC_DBUS_MAX_CALLS_IN_FLIGHT         64
#define PARSEC_DBUS_MAX_PROCESS_CALLS_IN_FLIGHT 16
#define PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT  8
/* Calls waiting for their turn, in number and in bytes of arguments: of
 * one caller, of one process, and of all; a call beyond any is refused
 * with LimitsExceeded. */
#define PARSEC_DBUS_MAX_CALLER_CALLS_QUEUED     128
#define PARSEC_DBUS_MAX_CALLER_BYTES_QUEUED     (16 * 1024 * 1024)
#define PARSEC_DBUS_MAX_PROCESS_CALLS_QUEUED    256
#define PARSEC_DBUS_MAX_PROCESS_BYTES_QUEUED    (16 * 1024 * 1024)
#define PARSEC_DBUS_MAX_CALLS_QUEUED            1024
#define PARSEC_DBUS_MAX_BYTES_QUEUED            (64 * 1024 * 1024)
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
/* The calls waiting for a slot, their arguments' size, and the processes
 * of identified callers the exporter keeps. */
void  _parsec_dbus_exporter_get_queued           (ParsecDBusExporter        *self,
                                                  guint                     *n_queued,
                                                  gsize                     *bytes_queued,
                                                  guint                     *n_processes);

/* Why every call fails when the Parsec service offers no direct
 * authentication: the error of such calls, and the daemon's warning. */
#define PARSEC_DBUS_NO_DIRECT_AUTHENTICATION_MESSAGE \
  "The Parsec service does not offer direct authentication, which the D-Bus service needs " \
  "to give each application keys of its own. A Parsec service that authenticates clients by " \
  "Unix peer credentials keeps keys per user: the D-Bus service, one process of one user, " \
  "cannot keep its callers apart there, so it serves none. Enable the direct authenticator " \
  "in the Parsec service's configuration, or use the Parsec socket directly."

G_END_DECLS
