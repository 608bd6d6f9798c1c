/* parsec-dbus-exporter.h: the Parsec client served over D-Bus
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The D-Bus service's own API, for parsec-glib-dbus-service and its
 * tests; not part of the client library, and not installed.
 */
#pragma once

#include <gio/gio.h>
#include <parsec-glib/parsec-glib.h>

G_BEGIN_DECLS

/**
 * PARSEC_DBUS_SERVICE_NAME:
 *
 * The well-known bus name that `parsec-glib-dbus-service` owns on the
 * session bus.
 */
#define PARSEC_DBUS_SERVICE_NAME "community.parsec.Crypto"

/**
 * PARSEC_DBUS_OBJECT_PATH:
 *
 * The object path at which `parsec-glib-dbus-service` exports
 * %PARSEC_DBUS_INTERFACE_NAME.
 */
#define PARSEC_DBUS_OBJECT_PATH "/community/parsec/Crypto"

/**
 * PARSEC_DBUS_INTERFACE_NAME:
 *
 * The D-Bus interface of a #ParsecDBusExporter.
 */
#define PARSEC_DBUS_INTERFACE_NAME "community.parsec.Crypto1"

/**
 * PARSEC_DBUS_INTERFACE_VERSION:
 *
 * The value of the `Version` property of %PARSEC_DBUS_INTERFACE_NAME that
 * this library serves.
 */
#define PARSEC_DBUS_INTERFACE_VERSION 1

#define PARSEC_TYPE_DBUS_EXPORTER (parsec_dbus_exporter_get_type ())

G_DECLARE_FINAL_TYPE (ParsecDBusExporter, parsec_dbus_exporter, PARSEC, DBUS_EXPORTER, GObject)

ParsecDBusExporter *parsec_dbus_exporter_new             (ParsecClient        *client);
ParsecClient       *parsec_dbus_exporter_get_client      (ParsecDBusExporter  *self);
gboolean            parsec_dbus_exporter_export          (ParsecDBusExporter  *self,
                                                          GDBusConnection     *connection,
                                                          const char          *object_path,
                                                          GError             **error);
void                parsec_dbus_exporter_unexport        (ParsecDBusExporter  *self);
GDBusConnection    *parsec_dbus_exporter_get_connection  (ParsecDBusExporter  *self);
const char         *parsec_dbus_exporter_get_object_path (ParsecDBusExporter  *self);
gboolean            parsec_dbus_exporter_get_idle        (ParsecDBusExporter  *self);

G_END_DECLS
