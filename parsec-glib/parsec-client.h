/* parsec-client.h: a connection to the Parsec service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "parsec-enums.h"
#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_CLIENT (parsec_client_get_type ())

PARSEC_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ParsecClient, parsec_client, PARSEC, CLIENT, GObject)

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_new                  (GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
ParsecClient     *parsec_client_new_finish           (GAsyncResult         *result,
                                                      GError              **error);
PARSEC_AVAILABLE_IN_1_0
ParsecClient     *parsec_client_new_sync             (GCancellable         *cancellable,
                                                      GError              **error);

PARSEC_AVAILABLE_IN_1_0
const char       *parsec_client_get_endpoint         (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
const char       *parsec_client_get_application_name (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
ParsecAuthMethod  parsec_client_get_auth_method      (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
ParsecAuthType    parsec_client_get_auth_type        (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
int               parsec_client_get_provider         (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
guint             parsec_client_get_implicit_provider (ParsecClient        *self);
PARSEC_AVAILABLE_IN_1_0
guint             parsec_client_get_timeout          (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
guint             parsec_client_get_max_response_size (ParsecClient        *self);
PARSEC_AVAILABLE_IN_1_0
void              parsec_client_set_jwt_svid_token   (ParsecClient         *self,
                                                      const char           *token);

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_ping_async           (ParsecClient         *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean          parsec_client_ping_finish          (ParsecClient         *self,
                                                      GAsyncResult         *result,
                                                      guint                *wire_protocol_version_major,
                                                      guint                *wire_protocol_version_minor,
                                                      GError              **error);
PARSEC_AVAILABLE_IN_1_0
gboolean          parsec_client_ping                 (ParsecClient         *self,
                                                      guint                *wire_protocol_version_major,
                                                      guint                *wire_protocol_version_minor,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_list_providers_async (ParsecClient         *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GPtrArray        *parsec_client_list_providers_finish (ParsecClient        *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
PARSEC_AVAILABLE_IN_1_0
GPtrArray        *parsec_client_list_providers       (ParsecClient         *self,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_list_opcodes_async   (ParsecClient         *self,
                                                      guint                 provider,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GArray           *parsec_client_list_opcodes_finish  (ParsecClient         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
PARSEC_AVAILABLE_IN_1_0
GArray           *parsec_client_list_opcodes         (ParsecClient         *self,
                                                      guint                 provider,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_list_authenticators_async (ParsecClient    *self,
                                                           GCancellable    *cancellable,
                                                           GAsyncReadyCallback callback,
                                                           gpointer         user_data);
PARSEC_AVAILABLE_IN_1_0
GPtrArray        *parsec_client_list_authenticators_finish (ParsecClient   *self,
                                                            GAsyncResult   *result,
                                                            GError        **error);
PARSEC_AVAILABLE_IN_1_0
GPtrArray        *parsec_client_list_authenticators  (ParsecClient         *self,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_list_clients_async   (ParsecClient         *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
char            **parsec_client_list_clients_finish  (ParsecClient         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
PARSEC_AVAILABLE_IN_1_0
char            **parsec_client_list_clients         (ParsecClient         *self,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_delete_client_async  (ParsecClient         *self,
                                                      const char           *client,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean          parsec_client_delete_client_finish (ParsecClient         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
PARSEC_AVAILABLE_IN_1_0
gboolean          parsec_client_delete_client        (ParsecClient         *self,
                                                      const char           *client,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

G_END_DECLS
