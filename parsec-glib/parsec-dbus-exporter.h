/* parsec-dbus-exporter.h: the Parsec client served over D-Bus
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "parsec-client.h"
#include "parsec-version.h"

G_BEGIN_DECLS

/**
 * PARSEC_DBUS_SERVICE_NAME:
 *
 * The well-known bus name that `parsec-glib-dbus-service` owns on the
 * session bus.
 *
 * Since: 1.0
 */
#define PARSEC_DBUS_SERVICE_NAME "community.parsec.Crypto"

/**
 * PARSEC_DBUS_OBJECT_PATH:
 *
 * The object path at which `parsec-glib-dbus-service` exports
 * %PARSEC_DBUS_INTERFACE_NAME.
 *
 * Since: 1.0
 */
#define PARSEC_DBUS_OBJECT_PATH "/community/parsec/Crypto"

/**
 * PARSEC_DBUS_INTERFACE_NAME:
 *
 * The D-Bus interface of a #ParsecDBusExporter.
 *
 * Since: 1.0
 */
#define PARSEC_DBUS_INTERFACE_NAME "community.parsec.Crypto1"

/**
 * PARSEC_DBUS_INTERFACE_VERSION:
 *
 * The value of the `Version` property of %PARSEC_DBUS_INTERFACE_NAME that
 * this library serves.
 *
 * Since: 1.0
 */
#define PARSEC_DBUS_INTERFACE_VERSION 1

#define PARSEC_TYPE_DBUS_EXPORTER (parsec_dbus_exporter_get_type ())

PARSEC_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ParsecDBusExporter, parsec_dbus_exporter, PARSEC, DBUS_EXPORTER, GObject)

PARSEC_AVAILABLE_IN_1_0
ParsecDBusExporter *parsec_dbus_exporter_new             (ParsecClient        *client);
PARSEC_AVAILABLE_IN_1_0
ParsecClient       *parsec_dbus_exporter_get_client      (ParsecDBusExporter  *self);
PARSEC_AVAILABLE_IN_1_0
gboolean            parsec_dbus_exporter_export          (ParsecDBusExporter  *self,
                                                          GDBusConnection     *connection,
                                                          const char          *object_path,
                                                          GError             **error);
PARSEC_AVAILABLE_IN_1_0
void                parsec_dbus_exporter_unexport        (ParsecDBusExporter  *self);
PARSEC_AVAILABLE_IN_1_0
GDBusConnection    *parsec_dbus_exporter_get_connection  (ParsecDBusExporter  *self);
PARSEC_AVAILABLE_IN_1_0
const char         *parsec_dbus_exporter_get_object_path (ParsecDBusExporter  *self);

G_END_DECLS
