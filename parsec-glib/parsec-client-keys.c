/* parsec-client-keys.c: keys in the service: create, import, export,
 * destroy, list and look up
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-operations-private.h"
#include "parsec-keys-private.h"
#include "parsec-secure-private.h"
#include "parsec-psa-private.h"

#include "list_keys.pb-c.h"
#include "psa_destroy_key.pb-c.h"
#include "psa_export_key.pb-c.h"
#include "psa_export_public_key.pb-c.h"
#include "psa_generate_key.pb-c.h"
#include "psa_import_key.pb-c.h"

static const ParsecOperation op_destroy_key = {
  PARSEC_OPCODE_PSA_DESTROY_KEY, PARSEC_CALL_AUTH_REQUIRED, &psa_destroy_key__result__descriptor,
};

static ProtobufCMessage *
destroy_key_build (PsaDestroyKey__Operation *operation,
                   const char *key_name,
                   GError **error)
{
  psa_destroy_key__operation__init (operation);
  operation->key_name = (char *) key_name;
  return &operation->base;
}

void
_parsec_destroy_key_start (const ParsecTarget *target,
                           const char *key_name,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  PsaDestroyKey__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));

  request = destroy_key_build (&operation, key_name, &error);
  _parsec_client_start (target, &op_destroy_key, request, error, cancellable,
                        callback, user_data, _parsec_call_done_boolean);
}

/**
 * parsec_client_destroy_key_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Destroys a key held by the service. Finish with
 * [method@Parsec.Client.destroy_key_finish].
 *
 * Since: 1.0
 */
void
parsec_client_destroy_key_async (ParsecClient *self,
                                 const char *key_name,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_destroy_key_start (&PARSEC_CLIENT_TARGET (self, parsec_client_destroy_key_async), key_name, cancellable, callback, user_data);
}

/**
 * parsec_client_destroy_key_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.destroy_key_async].
 *
 * Returns: %TRUE if the key was destroyed
 *
 * Since: 1.0
 */
gboolean
parsec_client_destroy_key_finish (ParsecClient *self,
                                  GAsyncResult *result,
                                  GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
_parsec_destroy_key_run (const ParsecTarget *target,
                         const char *key_name,
                         GCancellable *cancellable,
                         GError **error)
{
  PsaDestroyKey__Operation operation;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), FALSE);

  request = destroy_key_build (&operation, key_name, &build_error);
  result = _parsec_client_run (target, &op_destroy_key, request, build_error, cancellable, error);
  _parsec_message_free (result);
  return result != NULL;
}

/**
 * parsec_client_destroy_key:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Destroys a key held by the service, blocking the calling thread.
 *
 * Returns: %TRUE if the key was destroyed
 *
 * Since: 1.0
 */
gboolean
parsec_client_destroy_key (ParsecClient *self,
                           const char *key_name,
                           GCancellable *cancellable,
                           GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), FALSE);

  return _parsec_destroy_key_run (&PARSEC_CLIENT_TARGET (self, parsec_client_destroy_key), key_name, cancellable, error);
}

static const ParsecOperation op_export_key = {
  PARSEC_OPCODE_PSA_EXPORT_KEY, PARSEC_CALL_AUTH_REQUIRED, &psa_export_key__result__descriptor,
};

static ProtobufCMessage *
export_key_build (PsaExportKey__Operation *operation,
                  const char *key_name,
                  GError **error)
{
  psa_export_key__operation__init (operation);
  operation->key_name = (char *) key_name;
  return &operation->base;
}

void
_parsec_export_key_start (const ParsecTarget *target,
                          const char *key_name,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  PsaExportKey__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));

  request = export_key_build (&operation, key_name, &error);
  _parsec_client_start (target, &op_export_key, request, error, cancellable,
                        callback, user_data, _parsec_call_done_secret);
}

/**
 * parsec_client_export_key_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Exports a key's material in the PSA export format; its policy must have
 * %PARSEC_KEY_USAGE_EXPORT. Finish with [method@Parsec.Client.export_key_finish].
 *
 * Since: 1.0
 */
void
parsec_client_export_key_async (ParsecClient *self,
                                const char *key_name,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_export_key_start (&PARSEC_CLIENT_TARGET (self, parsec_client_export_key_async), key_name, cancellable, callback, user_data);
}

/**
 * parsec_client_export_key_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.export_key_async].
 *
 * Returns: (transfer full): the key material, in memory that is wiped when
 *   freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_export_key_finish (ParsecClient *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_export_key_run (const ParsecTarget *target,
                        const char *key_name,
                        GCancellable *cancellable,
                        GError **error)
{
  PsaExportKey__Operation operation;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);

  request = export_key_build (&operation, key_name, &build_error);
  result = _parsec_client_run (target, &op_export_key, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, TRUE);
}

/**
 * parsec_client_export_key:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Exports a key's material in the PSA export format; its policy must have
 * %PARSEC_KEY_USAGE_EXPORT, blocking the calling thread.
 *
 * Returns: (transfer full): the key material, in memory that is wiped when
 *   freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_export_key (ParsecClient *self,
                          const char *key_name,
                          GCancellable *cancellable,
                          GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_export_key_run (&PARSEC_CLIENT_TARGET (self, parsec_client_export_key), key_name, cancellable, error);
}

/* Parsec 1.5.0 takes its key sizes from psa-crypto 0.13, whose SECP R1
 * row lists 284 where 384 belongs. */
static gboolean
is_sized_p384 (const PsaKeyAttributes__KeyAttributes *attributes)
{
  const PsaKeyAttributes__KeyType *type = attributes != NULL ? attributes->key_type : NULL;
  int family = -1;

  if (attributes == NULL || attributes->key_bits != 384 || type == NULL)
    return FALSE;
  if (type->variant_case == PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR)
    family = type->ecc_key_pair->curve_family;
  else if (type->variant_case == PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_PUBLIC_KEY)
    family = type->ecc_public_key->curve_family;
  return family == PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R1;
}

static const ParsecHint *
generate_key_hint (const ProtobufCMessage *operation)
{
  static const ParsecHint p384 = {
    PARSEC_ERROR_PSA_INVALID_ARGUMENT,
    N_("Parsec 1.5.0 cannot generate P-384 keys (its psa-crypto size table lacks 384 bits); "
       "such a key can only be imported there, with 0 bits"),
  };

  return is_sized_p384 (((const PsaGenerateKey__Operation *) operation)->attributes) ? &p384 : NULL;
}

static const ParsecOperation op_generate_key = {
  PARSEC_OPCODE_PSA_GENERATE_KEY, PARSEC_CALL_AUTH_REQUIRED, &psa_generate_key__result__descriptor,
  generate_key_hint,
};

static ProtobufCMessage *
generate_key_build (PsaGenerateKey__Operation *operation,
                    ProtobufCMessage **part,
                    const char *key_name,
                    ParsecKeyAttributes *attributes,
                    GError **error)
{
  psa_generate_key__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_key_attributes_to_message (attributes);
  operation->attributes = (PsaKeyAttributes__KeyAttributes *) *part;
  return &operation->base;
}

/* The key a generation or an import made, on the implicit provider that
 * the call used. */
static ParsecKey *
made_key (ParsecClient        *self,
          const char          *key_name,
          ParsecKeyAttributes *attributes)
{
  return _parsec_key_new (self, key_name, parsec_client_get_implicit_provider (self), attributes);
}

static void
key_made_done (GTask            *task,
               ProtobufCMessage *result)
{
  ParsecKeyTaskData *data = g_task_get_task_data (task);

  g_task_return_pointer (task, made_key (data->client, data->key_name, data->attributes), g_object_unref);
  g_object_unref (task);
}

/* Starts a generation or an import whose request is @request (or NULL
 * with @build_error). */
static void
make_key_start (ParsecClient           *self,
                const ParsecOperation  *op,
                const char             *key_name,
                ParsecKeyAttributes    *attributes,
                const ProtobufCMessage *request,
                GError                 *build_error,
                GCancellable           *cancellable,
                GAsyncReadyCallback     callback,
                gpointer                user_data,
                gpointer                source_tag)
{
  GTask *task = _parsec_key_task_new (&PARSEC_CLIENT_TARGET (self, source_tag), key_name, cancellable,
                                      callback, user_data);
  ParsecKeyTaskData *data = g_task_get_task_data (task);

  if (request == NULL)
    {
      g_task_return_error (task, build_error);
      g_object_unref (task);
      return;
    }
  data->attributes = parsec_key_attributes_ref (attributes);
  _parsec_client_call_async (self, op, PARSEC_PROVIDER_IMPLICIT, request, 0, task, key_made_done);
}

/**
 * parsec_client_generate_key_async:
 * @self: a #ParsecClient
 * @key_name: the name of the new key
 * @attributes: what to generate: type, size, usage and policy, such as
 *   [ctor@Parsec.KeyAttributes.new_ecc_signing] makes
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Generates a key in the service. Finish with
 * [method@Parsec.Client.generate_key_finish].
 *
 * The service decides which keys it makes: Parsec 1.5's Mbed Crypto
 * provider and the test service make RSA keys of 1024, 2048 and 4096
 * bits (not 3072) and elliptic-curve keys on every SECP R1 curve but
 * P-384; the TPM provider what its TPM implements. A key the service
 * does not make fails with %PARSEC_ERROR_PSA_INVALID_ARGUMENT or
 * %PARSEC_ERROR_PSA_NOT_SUPPORTED; see [Parsec services and their
 * limits](services.html).
 *
 * Since: 1.0
 */
void
parsec_client_generate_key_async (ParsecClient *self,
                                  const char *key_name,
                                  ParsecKeyAttributes *attributes,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  PsaGenerateKey__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (attributes != NULL);

  request = generate_key_build (&operation, &part, key_name, attributes, &error);
  make_key_start (self, &op_generate_key, key_name, attributes, request, error, cancellable,
                  callback, user_data, parsec_client_generate_key_async);
}

/**
 * parsec_client_generate_key_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.generate_key_async].
 *
 * Returns: (transfer full): the new key, or %NULL on error
 *
 * Since: 1.0
 */
ParsecKey *
parsec_client_generate_key_finish (ParsecClient  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_generate_key:
 * @self: a #ParsecClient
 * @key_name: the name of the new key
 * @attributes: what to generate: type, size, usage and policy, such as
 *   [ctor@Parsec.KeyAttributes.new_ecc_signing] makes
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Generates a key in the service, blocking the calling thread.
 *
 * The service decides which keys it makes: Parsec 1.5's Mbed Crypto
 * provider and the test service make RSA keys of 1024, 2048 and 4096
 * bits (not 3072) and elliptic-curve keys on every SECP R1 curve but
 * P-384; the TPM provider what its TPM implements. A key the service
 * does not make fails with %PARSEC_ERROR_PSA_INVALID_ARGUMENT or
 * %PARSEC_ERROR_PSA_NOT_SUPPORTED; see [Parsec services and their
 * limits](services.html).
 *
 * Returns: (transfer full): the new key, or %NULL on error
 *
 * Since: 1.0
 */
ParsecKey *
parsec_client_generate_key (ParsecClient *self,
                            const char *key_name,
                            ParsecKeyAttributes *attributes,
                            GCancellable *cancellable,
                            GError **error)
{
  PsaGenerateKey__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (attributes != NULL, NULL);

  request = generate_key_build (&operation, &part, key_name, attributes, &build_error);
  result = _parsec_client_run (&PARSEC_CLIENT_TARGET (self, NULL), &op_generate_key, request, build_error, cancellable, error);
  if (result == NULL)
    return NULL;
  _parsec_message_free (result);
  return made_key (self, key_name, attributes);
}

static const ParsecHint *
import_key_hint (const ProtobufCMessage *operation)
{
  static const ParsecHint p384 = {
    PARSEC_ERROR_PSA_INVALID_ARGUMENT,
    N_("Parsec 1.5.0 refuses P-384 keys given with their size (its psa-crypto size table lacks 384 bits); "
       "import with 0 bits, and the size is taken from the key data"),
  };

  return is_sized_p384 (((const PsaImportKey__Operation *) operation)->attributes) ? &p384 : NULL;
}

static const ParsecOperation op_import_key = {
  PARSEC_OPCODE_PSA_IMPORT_KEY, PARSEC_CALL_AUTH_REQUIRED, &psa_import_key__result__descriptor,
  import_key_hint,
};

static ProtobufCMessage *
import_key_build (PsaImportKey__Operation *operation,
                  ProtobufCMessage **part,
                  const char *key_name,
                  ParsecKeyAttributes *attributes,
                  GBytes *data,
                  GError **error)
{
  psa_import_key__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_key_attributes_to_message (attributes);
  operation->attributes = (PsaKeyAttributes__KeyAttributes *) *part;
  operation->data = _parsec_binary_from_bytes (data);
  return &operation->base;
}

/**
 * parsec_client_import_key_async:
 * @self: a #ParsecClient
 * @key_name: the name of the new key
 * @attributes: what the key is and may do; 0 bits take the size from @data
 * @data: the key material in the PSA export format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Imports a key into the service. Finish with
 * [method@Parsec.Client.import_key_finish].
 *
 * Since: 1.0
 */
void
parsec_client_import_key_async (ParsecClient *self,
                                const char *key_name,
                                ParsecKeyAttributes *attributes,
                                GBytes *data,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  PsaImportKey__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (attributes != NULL);
  g_return_if_fail (data != NULL);

  request = import_key_build (&operation, &part, key_name, attributes, data, &error);
  make_key_start (self, &op_import_key, key_name, attributes, request, error, cancellable,
                  callback, user_data, parsec_client_import_key_async);
}

/**
 * parsec_client_import_key_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.import_key_async].
 *
 * Returns: (transfer full): the imported key, or %NULL on error
 *
 * Since: 1.0
 */
ParsecKey *
parsec_client_import_key_finish (ParsecClient  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_import_key:
 * @self: a #ParsecClient
 * @key_name: the name of the new key
 * @attributes: what the key is and may do; 0 bits take the size from @data
 * @data: the key material in the PSA export format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Imports a key into the service, blocking the calling thread.
 *
 * Returns: (transfer full): the imported key, or %NULL on error
 *
 * Since: 1.0
 */
ParsecKey *
parsec_client_import_key (ParsecClient *self,
                          const char *key_name,
                          ParsecKeyAttributes *attributes,
                          GBytes *data,
                          GCancellable *cancellable,
                          GError **error)
{
  PsaImportKey__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (attributes != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);

  request = import_key_build (&operation, &part, key_name, attributes, data, &build_error);
  result = _parsec_client_run (&PARSEC_CLIENT_TARGET (self, NULL), &op_import_key, request, build_error, cancellable, error);
  if (result == NULL)
    return NULL;
  _parsec_message_free (result);
  return made_key (self, key_name, attributes);
}

/* ListKeys */

static const ParsecOperation op_list_keys = {
  PARSEC_OPCODE_LIST_KEYS, PARSEC_CALL_AUTH_REQUIRED, &list_keys__result__descriptor,
  NULL, NULL, PARSEC_LIST_MAX_ENTRIES,
};

static GPtrArray *
keys_from_result (ParsecClient     *self,
                  ProtobufCMessage *message)
{
  ListKeys__Result *result = (ListKeys__Result *) message;
  GPtrArray *keys = g_ptr_array_new_full (result->n_keys, g_object_unref);

  for (gsize i = 0; i < result->n_keys; i++)
    {
      const ListKeys__KeyInfo *k = result->keys[i];
      g_autofree char *name = _parsec_utf8_from_service (k->name);
      /* The attributes are an optional message: a service may leave them out. */
      g_autoptr(ParsecKeyAttributes) attributes =
        _parsec_key_attributes_from_message ((const ProtobufCMessage *) k->attributes);

      g_ptr_array_add (keys, _parsec_key_new (self, name, (ParsecProvider) k->provider_id, attributes));
    }
  return keys;
}

static void
list_keys_done (GTask            *task,
                ProtobufCMessage *result)
{
  g_task_return_pointer (task, keys_from_result (g_task_get_source_object (task), result),
                         (GDestroyNotify) g_ptr_array_unref);
  g_object_unref (task);
}

/**
 * parsec_client_list_keys_async:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Lists the keys the service holds for this application, in every
 * provider. Finish with [method@Parsec.Client.list_keys_finish].
 *
 * Since: 1.0
 */
void
parsec_client_list_keys_async (ParsecClient        *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  ListKeys__Operation operation = LIST_KEYS__OPERATION__INIT;

  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_client_start (&PARSEC_CORE_TARGET (self, parsec_client_list_keys_async), &op_list_keys,
                        &operation.base, NULL, cancellable, callback, user_data, list_keys_done);
}

/**
 * parsec_client_list_keys_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.list_keys_async].
 *
 * Returns: (transfer container) (element-type ParsecKey): the keys, at
 *   most 16384, or %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
parsec_client_list_keys_finish (ParsecClient  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_list_keys:
 * @self: a #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Lists the keys the service holds for this application, blocking the
 * calling thread.
 *
 * Returns: (transfer container) (element-type ParsecKey): the keys, at
 *   most 16384, or %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
parsec_client_list_keys (ParsecClient  *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  ListKeys__Operation operation = LIST_KEYS__OPERATION__INIT;
  g_autoptr(ProtobufCMessage) result = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  result = _parsec_client_run (&PARSEC_CORE_TARGET (self, NULL), &op_list_keys, &operation.base, NULL,
                               cancellable, error);
  if (result == NULL)
    return NULL;
  return keys_from_result (self, result);
}

/* Looking up one key */

void
_parsec_key_task_data_free (ParsecKeyTaskData *data)
{
  g_clear_object (&data->client);
  g_free (data->key_name);
  g_clear_pointer (&data->data, g_bytes_unref);
  g_clear_pointer (&data->signature, g_bytes_unref);
  g_clear_pointer (&data->attributes, parsec_key_attributes_unref);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->digest, digest_free);
  g_clear_pointer (&data->algorithm, parsec_algorithm_unref);
  g_clear_pointer (&data->chunk, secure_free);
  g_free (data);
}

GTask *
_parsec_key_task_new (const ParsecTarget  *target,
                      const char          *key_name,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  GTask *task = _parsec_task_new (target->source_object, cancellable, callback, user_data, target->source_tag,
                                  "[parsec-glib] key operation");
  ParsecKeyTaskData *data = g_new0 (ParsecKeyTaskData, 1);

  data->client = g_object_ref (target->client);
  data->provider = target->provider;
  data->key_name = g_strdup (key_name);
  g_task_set_task_data (task, data, (GDestroyNotify) _parsec_key_task_data_free);
  return task;
}

/* The key named @key_name in the implicit provider, from a ListKeys
 * result. */
static ParsecKey *
find_key (ParsecClient      *self,
          ProtobufCMessage  *message,
          const char        *key_name,
          GError           **error)
{
  ListKeys__Result *result = (ListKeys__Result *) message;
  guint provider = (guint) parsec_client_get_implicit_provider (self);

  for (gsize i = 0; i < result->n_keys; i++)
    if (result->keys[i]->provider_id == provider && g_strcmp0 (result->keys[i]->name, key_name) == 0)
      {
        g_autoptr(ParsecKeyAttributes) attributes =
          _parsec_key_attributes_from_message ((const ProtobufCMessage *) result->keys[i]->attributes);

        return _parsec_key_new (self, key_name, (ParsecProvider) provider, attributes);
      }

  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST,
               _("The Parsec service holds no key named \"%s\" for this application in provider %u"),
               key_name, provider);
  return NULL;
}

static void
lookup_done (GTask            *task,
             ProtobufCMessage *result)
{
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  GError *error = NULL;
  ParsecKey *key = find_key (data->client, result, data->key_name, &error);

  if (key != NULL)
    g_task_return_pointer (task, key, g_object_unref);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

/* The keys are those of the implicit provider, which must be known to
 * pick the key out of the list. */
static void
lookup_discovered (gpointer  user_data,
                   GError   *error)
{
  GTask *task = user_data;
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  ListKeys__Operation operation = LIST_KEYS__OPERATION__INIT;

  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  _parsec_client_call_async (data->client, &op_list_keys, PARSEC_PROVIDER_CORE, &operation.base, 0, task,
                             lookup_done);
}

/**
 * parsec_client_lookup_key_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Finds a key of the implicit provider by its name, with its attributes,
 * in one request (ListKeys: Parsec has no request for one key). Finish
 * with [method@Parsec.Client.lookup_key_finish].
 *
 * Since: 1.0
 */
void
parsec_client_lookup_key_async (ParsecClient        *self,
                                const char          *key_name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));

  task = _parsec_key_task_new (&PARSEC_CLIENT_TARGET (self, parsec_client_lookup_key_async), key_name,
                               cancellable, callback, user_data);
  _parsec_client_discover_async (self, PARSEC_NEEDS_PROVIDER, task, lookup_discovered, task);
}

/**
 * parsec_client_lookup_key_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.lookup_key_async].
 *
 * Returns: (transfer full): the key, or %NULL with
 *   %PARSEC_ERROR_PSA_DOES_NOT_EXIST when there is none by that name, or
 *   another error
 *
 * Since: 1.0
 */
ParsecKey *
parsec_client_lookup_key_finish (ParsecClient  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_lookup_key:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Finds a key of the implicit provider by its name, blocking the calling
 * thread. See [method@Parsec.Client.lookup_key_async].
 *
 * Returns: (transfer full): the key, or %NULL with
 *   %PARSEC_ERROR_PSA_DOES_NOT_EXIST when there is none by that name, or
 *   another error
 *
 * Since: 1.0
 */
ParsecKey *
parsec_client_lookup_key (ParsecClient  *self,
                          const char    *key_name,
                          GCancellable  *cancellable,
                          GError       **error)
{
  ListKeys__Operation operation = LIST_KEYS__OPERATION__INIT;
  g_autoptr(ProtobufCMessage) result = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);

  if (!_parsec_client_discover (self, PARSEC_NEEDS_PROVIDER, cancellable, error))
    return NULL;
  result = _parsec_client_call (self, &op_list_keys, PARSEC_PROVIDER_CORE, &operation.base, 0,
                                cancellable, error);
  if (result == NULL)
    return NULL;
  return find_key (self, result, key_name, error);
}

/* PsaExportPublicKey */

static const ParsecOperation op_export_public_key = {
  PARSEC_OPCODE_PSA_EXPORT_PUBLIC_KEY, PARSEC_CALL_AUTH_REQUIRED, &psa_export_public_key__result__descriptor,
};

static void
export_public_key_operation_init (PsaExportPublicKey__Operation *operation,
                                  const char                    *key_name)
{
  psa_export_public_key__operation__init (operation);
  operation->key_name = (char *) key_name;
}

/* The public key in the format the task asks, from the PSA format. */
static void
export_public_key_done (GTask            *task,
                        ProtobufCMessage *result)
{
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) psa = _parsec_result_bytes (result, FALSE);
  GError *error = NULL;
  GBytes *converted;

  converted = parsec_public_key_convert (data->attributes, psa, data->format, &error);
  if (converted != NULL)
    g_task_return_pointer (task, converted, (GDestroyNotify) g_bytes_unref);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

/* DER and PEM need the key's type, from its attributes. */
static gboolean
can_convert_public_key (const char             *key_name,
                        ParsecKeyAttributes    *attributes,
                        ParsecPublicKeyFormat   format,
                        GError                **error)
{
  if (format == PARSEC_PUBLIC_KEY_FORMAT_PSA || attributes != NULL)
    return TRUE;
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
               _("The type of key \"%s\" is not known, so its public key can only be exported "
                 "in the PSA format; look the key up first"), key_name);
  return FALSE;
}

void
_parsec_public_key_export_start (const ParsecTarget    *target,
                                 const char            *key_name,
                                 ParsecKeyAttributes   *attributes,
                                 ParsecPublicKeyFormat  format,
                                 GCancellable          *cancellable,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  PsaExportPublicKey__Operation operation;
  GTask *task = _parsec_key_task_new (target, key_name, cancellable, callback, user_data);
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->format = format;
  data->attributes = attributes != NULL ? parsec_key_attributes_ref (attributes) : NULL;
  if (!can_convert_public_key (key_name, attributes, format, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  export_public_key_operation_init (&operation, key_name);
  _parsec_client_call_async (target->client, &op_export_public_key, target->provider, &operation.base, 0,
                             task, format == PARSEC_PUBLIC_KEY_FORMAT_PSA ? _parsec_call_done_bytes
                                                                          : export_public_key_done);
}

GBytes *
_parsec_public_key_export_run (const ParsecTarget     *target,
                               const char             *key_name,
                               ParsecKeyAttributes    *attributes,
                               ParsecPublicKeyFormat   format,
                               GCancellable           *cancellable,
                               GError                **error)
{
  PsaExportPublicKey__Operation operation;
  g_autoptr(GBytes) psa = NULL;

  if (!can_convert_public_key (key_name, attributes, format, error))
    return NULL;
  export_public_key_operation_init (&operation, key_name);
  psa = _parsec_result_take_bytes (_parsec_client_run (target, &op_export_public_key, &operation.base, NULL,
                                                       cancellable, error),
                                   FALSE);
  if (psa == NULL || format == PARSEC_PUBLIC_KEY_FORMAT_PSA)
    return g_steal_pointer (&psa);
  return parsec_public_key_convert (attributes, psa, format, error);
}

/**
 * parsec_client_export_public_key_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Exports the public part of a key of the implicit provider in the PSA
 * format: DER RSAPublicKey for RSA, an uncompressed point for elliptic
 * curves. [method@Parsec.Key.export_public_key] also writes DER and PEM
 * SubjectPublicKeyInfo. Finish with
 * [method@Parsec.Client.export_public_key_finish].
 *
 * Since: 1.0
 */
void
parsec_client_export_public_key_async (ParsecClient        *self,
                                       const char          *key_name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));

  _parsec_public_key_export_start (&PARSEC_CLIENT_TARGET (self, parsec_client_export_public_key_async), key_name,
                                   NULL, PARSEC_PUBLIC_KEY_FORMAT_PSA, cancellable, callback, user_data);
}

/**
 * parsec_client_export_public_key_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.export_public_key_async].
 *
 * Returns: (transfer full): the public key in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_export_public_key_finish (ParsecClient  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_export_public_key:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Exports the public part of a key in the PSA format, blocking the
 * calling thread. See [method@Parsec.Client.export_public_key_async].
 *
 * Returns: (transfer full): the public key in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_export_public_key (ParsecClient  *self,
                                 const char    *key_name,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);

  return _parsec_public_key_export_run (&PARSEC_CLIENT_TARGET (self, NULL), key_name, NULL,
                                        PARSEC_PUBLIC_KEY_FORMAT_PSA, cancellable, error);
}
