/* parsec-client-core.c: the core provider's operations
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"

#include "delete_client.pb-c.h"
#include "list_authenticators.pb-c.h"
#include "list_clients.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"
#include "ping.pb-c.h"

static const ParsecOperation op_ping = {
  PARSEC_OPCODE_PING, PARSEC_CALL_AUTH_NONE, &ping__result__descriptor,
};
static const ParsecOperation op_list_clients = {
  PARSEC_OPCODE_LIST_CLIENTS, PARSEC_CALL_AUTH_REQUIRED, &list_clients__result__descriptor,
  NULL, NULL, PARSEC_LIST_MAX_ENTRIES,
};
static const ParsecOperation op_delete_client = {
  PARSEC_OPCODE_DELETE_CLIENT, PARSEC_CALL_AUTH_REQUIRED, &delete_client__result__descriptor,
};

/* Ping */

/**
 * ParsecProtocolVersion:
 * @major: the major version
 * @minor: the minor version
 *
 * A version of the Parsec wire protocol, as [method@Parsec.Client.ping] reports
 * the highest one the service speaks.
 *
 * Since: 1.0
 */

/**
 * parsec_protocol_version_copy:
 * @self: a #ParsecProtocolVersion
 *
 * Copies a version.
 *
 * Returns: (transfer full): a copy of @self
 *
 * Since: 1.0
 */
ParsecProtocolVersion *
parsec_protocol_version_copy (const ParsecProtocolVersion *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

/**
 * parsec_protocol_version_free:
 * @self: a #ParsecProtocolVersion
 *
 * Frees a version.
 *
 * Since: 1.0
 */
void
parsec_protocol_version_free (ParsecProtocolVersion *self)
{
  g_free (self);
}

G_DEFINE_BOXED_TYPE (ParsecProtocolVersion, parsec_protocol_version,
                     parsec_protocol_version_copy, parsec_protocol_version_free)

/* The versions are single bytes on the wire; a larger value is nonsense
 * from the peer, not something to pass on. */
static ParsecProtocolVersion *
ping_version_from_result (ProtobufCMessage  *message,
                          GError           **error)
{
  Ping__Result *result = (Ping__Result *) message;
  ParsecProtocolVersion *version;

  if (result->wire_protocol_version_maj > G_MAXUINT8 || result->wire_protocol_version_min > G_MAXUINT8)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The Parsec service reported wire protocol version %u.%u, which cannot exist"),
                   result->wire_protocol_version_maj, result->wire_protocol_version_min);
      return NULL;
    }
  version = g_new (ParsecProtocolVersion, 1);
  version->major = result->wire_protocol_version_maj;
  version->minor = result->wire_protocol_version_min;
  return version;
}

static void
ping_done (GTask            *task,
           ProtobufCMessage *result)
{
  GError *error = NULL;
  ParsecProtocolVersion *version = ping_version_from_result (result, &error);

  if (version != NULL)
    g_task_return_pointer (task, version, (GDestroyNotify) parsec_protocol_version_free);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * parsec_client_ping_async:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Asks the service for the highest wire protocol version it speaks. The
 * request carries no authentication.
 *
 * Since: 1.0
 */
void
parsec_client_ping_async (ParsecClient        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));

  task = _parsec_task_new (self, cancellable, callback, user_data, parsec_client_ping_async, "[parsec-glib] ping");
  _parsec_client_call_async (self, &op_ping, PARSEC_PROVIDER_CORE, NULL, 0, task, ping_done);
}

/**
 * parsec_client_ping_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.ping_async].
 *
 * Returns: (transfer full): the service's wire protocol version, or %NULL
 *   on error
 *
 * Since: 1.0
 */
ParsecProtocolVersion *
parsec_client_ping_finish (ParsecClient  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_ping:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the service for the highest wire protocol version it speaks,
 * blocking the calling thread.
 *
 * Returns: (transfer full): the service's wire protocol version, or %NULL
 *   on error
 *
 * Since: 1.0
 */
ParsecProtocolVersion *
parsec_client_ping (ParsecClient  *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(ProtobufCMessage) result = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  result = _parsec_client_call (self, &op_ping, PARSEC_PROVIDER_CORE, NULL, 0, cancellable, error);
  if (result == NULL)
    return NULL;
  return ping_version_from_result (result, error);
}

/* ListProviders */

GPtrArray *
_parsec_providers_from_result (ProtobufCMessage *message)
{
  ListProviders__Result *result = (ListProviders__Result *) message;
  GPtrArray *providers = g_ptr_array_new_full (result->n_providers, g_object_unref);

  for (gsize i = 0; i < result->n_providers; i++)
    {
      const ListProviders__ProviderInfo *p = result->providers[i];
      g_autofree char *uuid = _parsec_utf8_from_service (p->uuid);
      g_autofree char *description = _parsec_utf8_from_service (p->description);
      g_autofree char *vendor = _parsec_utf8_from_service (p->vendor);

      g_ptr_array_add (providers,
                       g_object_new (PARSEC_TYPE_PROVIDER_INFO,
                                     "id", p->id,
                                     "uuid", uuid,
                                     "description", description,
                                     "vendor", vendor,
                                     "version-major", p->version_maj,
                                     "version-minor", p->version_min,
                                     "version-revision", p->version_rev,
                                     NULL));
    }
  return providers;
}

static void
list_providers_done (GTask            *task,
                     ProtobufCMessage *result)
{
  g_task_return_pointer (task, _parsec_providers_from_result (result),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

/**
 * parsec_client_list_providers_async:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Lists the providers the service hosts, crypto providers in the
 * service's order of preference and the core provider last. An answer
 * of more than 256 providers fails with %PARSEC_ERROR_PROTOCOL_VIOLATION.
 *
 * Since: 1.0
 */
void
parsec_client_list_providers_async (ParsecClient        *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));

  task = _parsec_task_new (self, cancellable, callback, user_data,
                                  parsec_client_list_providers_async, "[parsec-glib] list providers");
  _parsec_client_call_async (self, &_parsec_op_list_providers, PARSEC_PROVIDER_CORE, NULL, 0,
                             task, list_providers_done);
}

/**
 * parsec_client_list_providers_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.list_providers_async].
 *
 * Returns: (transfer container) (element-type ParsecProviderInfo): the
 *   providers, or %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
parsec_client_list_providers_finish (ParsecClient  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_list_providers:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the providers the service hosts, blocking the calling thread.
 *
 * Returns: (transfer container) (element-type ParsecProviderInfo): the
 *   providers, or %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
parsec_client_list_providers (ParsecClient  *self,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(ProtobufCMessage) result = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  result = _parsec_client_call (self, &_parsec_op_list_providers, PARSEC_PROVIDER_CORE, NULL, 0,
                                cancellable, error);
  return result != NULL ? _parsec_providers_from_result (result) : NULL;
}

/* ListOpcodes */

static GArray *
opcodes_from_result (ProtobufCMessage *message)
{
  ListOpcodes__Result *result = (ListOpcodes__Result *) message;
  GArray *opcodes = g_array_sized_new (FALSE, FALSE, sizeof (guint32), result->n_opcodes);

  g_array_append_vals (opcodes, result->opcodes, result->n_opcodes);
  return opcodes;
}

static void
list_opcodes_done (GTask            *task,
                   ProtobufCMessage *result)
{
  g_task_return_pointer (task, opcodes_from_result (result), (GDestroyNotify) g_array_unref);
  g_object_unref (task);
}

/**
 * parsec_client_list_opcodes_async:
 * @self: a #ParsecClient
 * @provider: the provider to ask about, a #ParsecProvider
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Lists the operations a provider supports, as opcodes. Opcodes the
 * library does not know are kept as they are. An answer of more than 256
 * fails with %PARSEC_ERROR_PROTOCOL_VIOLATION.
 *
 * Since: 1.0
 */
void
parsec_client_list_opcodes_async (ParsecClient        *self,
                                  ParsecProvider       provider,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  ListOpcodes__Operation operation;
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail ((guint) provider <= G_MAXUINT8);

  task = _parsec_task_new (self, cancellable, callback, user_data,
                                  parsec_client_list_opcodes_async, "[parsec-glib] list opcodes");
  _parsec_list_opcodes_operation_init (&operation, provider);
  _parsec_client_call_async (self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE,
                             &operation.base, 0, task, list_opcodes_done);
}

/**
 * parsec_client_list_opcodes_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.list_opcodes_async].
 *
 * Returns: (transfer full) (element-type guint32): the opcodes, or %NULL
 *   on error
 *
 * Since: 1.0
 */
GArray *
parsec_client_list_opcodes_finish (ParsecClient  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_list_opcodes:
 * @self: a #ParsecClient
 * @provider: the provider to ask about, a #ParsecProvider
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the operations a provider supports, blocking the calling thread.
 *
 * Returns: (transfer full) (element-type guint32): the opcodes, or %NULL
 *   on error
 *
 * Since: 1.0
 */
GArray *
parsec_client_list_opcodes (ParsecClient   *self,
                            ParsecProvider  provider,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(ProtobufCMessage) result = NULL;
  ListOpcodes__Operation operation;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail ((guint) provider <= G_MAXUINT8, NULL);

  _parsec_list_opcodes_operation_init (&operation, provider);
  result = _parsec_client_call (self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE,
                                &operation.base, 0, cancellable, error);
  return result != NULL ? opcodes_from_result (result) : NULL;
}

/* ListAuthenticators */

GPtrArray *
_parsec_authenticators_from_result (ProtobufCMessage *message)
{
  ListAuthenticators__Result *result = (ListAuthenticators__Result *) message;
  GPtrArray *authenticators = g_ptr_array_new_full (result->n_authenticators, g_object_unref);

  for (gsize i = 0; i < result->n_authenticators; i++)
    {
      const ListAuthenticators__AuthenticatorInfo *a = result->authenticators[i];
      g_autofree char *description = _parsec_utf8_from_service (a->description);

      g_ptr_array_add (authenticators,
                       g_object_new (PARSEC_TYPE_AUTHENTICATOR_INFO,
                                     "id", a->id,
                                     "description", description,
                                     "version-major", a->version_maj,
                                     "version-minor", a->version_min,
                                     "version-revision", a->version_rev,
                                     NULL));
    }
  return authenticators;
}

static void
list_authenticators_done (GTask            *task,
                          ProtobufCMessage *result)
{
  g_task_return_pointer (task, _parsec_authenticators_from_result (result),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

/**
 * parsec_client_list_authenticators_async:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Lists the authenticators the service runs. An answer of more than 256
 * fails with %PARSEC_ERROR_PROTOCOL_VIOLATION.
 *
 * Since: 1.0
 */
void
parsec_client_list_authenticators_async (ParsecClient        *self,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));

  task = _parsec_task_new (self, cancellable, callback, user_data,
                                  parsec_client_list_authenticators_async,
                                  "[parsec-glib] list authenticators");
  _parsec_client_call_async (self, &_parsec_op_list_authenticators, PARSEC_PROVIDER_CORE, NULL, 0,
                             task, list_authenticators_done);
}

/**
 * parsec_client_list_authenticators_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.list_authenticators_async].
 *
 * Returns: (transfer container) (element-type ParsecAuthenticatorInfo):
 *   the authenticators, or %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
parsec_client_list_authenticators_finish (ParsecClient  *self,
                                          GAsyncResult  *result,
                                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_list_authenticators:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the authenticators the service runs, blocking the calling thread.
 *
 * Returns: (transfer container) (element-type ParsecAuthenticatorInfo):
 *   the authenticators, or %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
parsec_client_list_authenticators (ParsecClient  *self,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(ProtobufCMessage) result = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  result = _parsec_client_call (self, &_parsec_op_list_authenticators, PARSEC_PROVIDER_CORE, NULL, 0,
                                cancellable, error);
  return result != NULL ? _parsec_authenticators_from_result (result) : NULL;
}

/* ListClients */

static char **
clients_from_result (ProtobufCMessage *message)
{
  ListClients__Result *result = (ListClients__Result *) message;
  char **clients = g_new0 (char *, result->n_clients + 1);

  for (gsize i = 0; i < result->n_clients; i++)
    clients[i] = _parsec_utf8_from_service (result->clients[i]);
  return clients;
}

static void
list_clients_done (GTask            *task,
                   ProtobufCMessage *result)
{
  g_task_return_pointer (task, clients_from_result (result), (GDestroyNotify) g_strfreev);
  g_object_unref (task);
}

/**
 * parsec_client_list_clients_async:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Lists the applications that own keys in the service. Only the service's
 * administrators may do this; others get %PARSEC_ERROR_ADMIN_OPERATION.
 * An answer of more than 16384 clients fails with
 * %PARSEC_ERROR_PROTOCOL_VIOLATION.
 *
 * Since: 1.0
 */
void
parsec_client_list_clients_async (ParsecClient        *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));

  task = _parsec_task_new (self, cancellable, callback, user_data,
                                  parsec_client_list_clients_async, "[parsec-glib] list clients");
  _parsec_client_call_async (self, &op_list_clients, PARSEC_PROVIDER_CORE, NULL, 0,
                             task, list_clients_done);
}

/**
 * parsec_client_list_clients_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.list_clients_async].
 *
 * Returns: (transfer full) (array zero-terminated=1): the client names,
 *   or %NULL on error
 *
 * Since: 1.0
 */
char **
parsec_client_list_clients_finish (ParsecClient  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_list_clients:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the applications that own keys in the service, blocking the
 * calling thread. Only the service's administrators may do this.
 *
 * Returns: (transfer full) (array zero-terminated=1): the client names,
 *   or %NULL on error
 *
 * Since: 1.0
 */
char **
parsec_client_list_clients (ParsecClient  *self,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(ProtobufCMessage) result = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  result = _parsec_client_call (self, &op_list_clients, PARSEC_PROVIDER_CORE, NULL, 0,
                                cancellable, error);
  return result != NULL ? clients_from_result (result) : NULL;
}

/* DeleteClient */

static void
delete_client_done (GTask            *task,
                    ProtobufCMessage *result)
{
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
delete_client_operation_init (DeleteClient__Operation *operation,
                              const char              *client)
{
  delete_client__operation__init (operation);
  operation->client = (char *) client;
}

/**
 * parsec_client_delete_client_async:
 * @self: a #ParsecClient
 * @client: the name of the application whose keys to delete
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Deletes every key an application owns, in every provider. Only the
 * service's administrators may do this.
 *
 * Since: 1.0
 */
void
parsec_client_delete_client_async (ParsecClient        *self,
                                   const char          *client,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  DeleteClient__Operation operation;
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (client != NULL && g_utf8_validate (client, -1, NULL));

  task = _parsec_task_new (self, cancellable, callback, user_data,
                                  parsec_client_delete_client_async, "[parsec-glib] delete client");
  delete_client_operation_init (&operation, client);
  _parsec_client_call_async (self, &op_delete_client, PARSEC_PROVIDER_CORE,
                             &operation.base, 0, task, delete_client_done);
}

/**
 * parsec_client_delete_client_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.delete_client_async].
 *
 * Returns: %TRUE if the keys were deleted (or there were none)
 *
 * Since: 1.0
 */
gboolean
parsec_client_delete_client_finish (ParsecClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * parsec_client_delete_client:
 * @self: a #ParsecClient
 * @client: the name of the application whose keys to delete
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Deletes every key an application owns, blocking the calling thread.
 * Only the service's administrators may do this.
 *
 * Returns: %TRUE if the keys were deleted (or there were none)
 *
 * Since: 1.0
 */
gboolean
parsec_client_delete_client (ParsecClient  *self,
                             const char    *client,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(ProtobufCMessage) result = NULL;
  DeleteClient__Operation operation;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (client != NULL && g_utf8_validate (client, -1, NULL), FALSE);

  delete_client_operation_init (&operation, client);
  result = _parsec_client_call (self, &op_delete_client, PARSEC_PROVIDER_CORE,
                                &operation.base, 0, cancellable, error);
  return result != NULL;
}
