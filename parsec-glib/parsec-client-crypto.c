/* parsec-client-crypto.c: cryptographic operations with keys held by the
 * service, and the random and hash services
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-operations-private.h"
#include "parsec-keys-private.h"
#include "parsec-psa-private.h"
#include "parsec-secure-private.h"
#include "parsec-wire-private.h"

#include "attest_key.pb-c.h"
#include "can_do_crypto.pb-c.h"
#include "prepare_key_attestation.pb-c.h"
#include "psa_aead_decrypt.pb-c.h"
#include "psa_aead_encrypt.pb-c.h"
#include "psa_asymmetric_decrypt.pb-c.h"
#include "psa_asymmetric_encrypt.pb-c.h"
#include "psa_cipher_decrypt.pb-c.h"
#include "psa_cipher_encrypt.pb-c.h"
#include "psa_generate_random.pb-c.h"
#include "psa_hash_compare.pb-c.h"
#include "psa_hash_compute.pb-c.h"
#include "psa_mac_compute.pb-c.h"
#include "psa_mac_verify.pb-c.h"
#include "psa_raw_key_agreement.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "psa_sign_message.pb-c.h"
#include "psa_verify_hash.pb-c.h"
#include "psa_verify_message.pb-c.h"

/* Parsec 1.5.0 reads a deterministic ECDSA policy back from Mbed TLS as
 * randomized ECDSA (psa-crypto 0.13 tests PSA_ALG_IS_ECDSA first), so it
 * refuses both kinds of signature with such a key. */
static const ParsecHint deterministic_ecdsa_hint = {
  PARSEC_ERROR_PSA_NOT_PERMITTED,
  N_("Parsec 1.5.0 refuses every signature with a deterministic ECDSA key (it reads the key's policy back "
     "as randomized ECDSA); use a randomized ECDSA key with such a service"),
};

static const ParsecHint *
signature_hint (const PsaAlgorithm__Algorithm__AsymmetricSignature *alg)
{
  if (alg != NULL && alg->variant_case == PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_DETERMINISTIC_ECDSA)
    return &deterministic_ecdsa_hint;
  return NULL;
}

static const ParsecHint *
sign_hash_hint (const ProtobufCMessage *operation)
{
  return signature_hint (((const PsaSignHash__Operation *) operation)->alg);
}

static const ParsecOperation op_sign_hash = {
  PARSEC_OPCODE_PSA_SIGN_HASH, PARSEC_CALL_AUTH_REQUIRED, &psa_sign_hash__result__descriptor,
  sign_hash_hint,
};

static ProtobufCMessage *
sign_hash_build (PsaSignHash__Operation *operation,
                 ProtobufCMessage **part,
                 const char *key_name,
                 ParsecAlgorithm *algorithm,
                 GBytes *hash,
                 GError **error)
{
  psa_sign_hash__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_OPCODE_PSA_SIGN_HASH, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__AsymmetricSignature *) *part;
  operation->hash = _parsec_binary_from_bytes (hash);
  return &operation->base;
}

void
_parsec_sign_hash_start (const ParsecTarget *target,
                         const char *key_name,
                         ParsecAlgorithm *algorithm,
                         GBytes *hash,
                         GCancellable *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer user_data)
{
  PsaSignHash__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (hash != NULL);

  request = sign_hash_build (&operation, &part, key_name, algorithm, hash, &error);
  _parsec_client_start (target, &op_sign_hash, request, error, cancellable,
                        callback, user_data, _parsec_call_done_bytes);
}

/**
 * parsec_client_sign_hash_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a signature algorithm the key permits
 * @hash: the hash to sign, computed with the algorithm's hash
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Signs a hash with a private key held by the service. Finish with
 * [method@Parsec.Client.sign_hash_finish].
 *
 * Since: 1.0
 */
void
parsec_client_sign_hash_async (ParsecClient *self,
                               const char *key_name,
                               ParsecAlgorithm *algorithm,
                               GBytes *hash,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_sign_hash_start (&PARSEC_CLIENT_TARGET (self, parsec_client_sign_hash_async), key_name, algorithm, hash, cancellable, callback, user_data);
}

/**
 * parsec_client_sign_hash_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.sign_hash_async].
 *
 * Returns: (transfer full): the signature, in the PSA format (r ‖ s for
 *   ECDSA; see [func@Parsec.ecdsa_signature_to_der]), or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_sign_hash_finish (ParsecClient *self,
                                GAsyncResult *result,
                                GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_sign_hash_run (const ParsecTarget *target,
                       const char *key_name,
                       ParsecAlgorithm *algorithm,
                       GBytes *hash,
                       GCancellable *cancellable,
                       GError **error)
{
  PsaSignHash__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (hash != NULL, NULL);

  request = sign_hash_build (&operation, &part, key_name, algorithm, hash, &build_error);
  result = _parsec_client_run (target, &op_sign_hash, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, FALSE);
}

/**
 * parsec_client_sign_hash:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a signature algorithm the key permits
 * @hash: the hash to sign, computed with the algorithm's hash
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Signs a hash with a private key held by the service, blocking the
 * calling thread.
 *
 * Returns: (transfer full): the signature, in the PSA format (r ‖ s for
 *   ECDSA; see [func@Parsec.ecdsa_signature_to_der]), or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_sign_hash (ParsecClient *self,
                         const char *key_name,
                         ParsecAlgorithm *algorithm,
                         GBytes *hash,
                         GCancellable *cancellable,
                         GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_sign_hash_run (&PARSEC_CLIENT_TARGET (self, parsec_client_sign_hash), key_name, algorithm, hash, cancellable, error);
}

static const ParsecHint *
verify_hash_hint (const ProtobufCMessage *operation)
{
  return signature_hint (((const PsaVerifyHash__Operation *) operation)->alg);
}

static const ParsecOperation op_verify_hash = {
  PARSEC_OPCODE_PSA_VERIFY_HASH, PARSEC_CALL_AUTH_REQUIRED, &psa_verify_hash__result__descriptor,
  verify_hash_hint,
};

static ProtobufCMessage *
verify_hash_build (PsaVerifyHash__Operation *operation,
                   ProtobufCMessage **part,
                   const char *key_name,
                   ParsecAlgorithm *algorithm,
                   GBytes *hash,
                   GBytes *signature,
                   GError **error)
{
  psa_verify_hash__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_OPCODE_PSA_VERIFY_HASH, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__AsymmetricSignature *) *part;
  operation->hash = _parsec_binary_from_bytes (hash);
  operation->signature = _parsec_binary_from_bytes (signature);
  return &operation->base;
}

void
_parsec_verify_hash_start (const ParsecTarget *target,
                           const char *key_name,
                           ParsecAlgorithm *algorithm,
                           GBytes *hash,
                           GBytes *signature,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  PsaVerifyHash__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (hash != NULL);
  g_return_if_fail (signature != NULL);

  request = verify_hash_build (&operation, &part, key_name, algorithm, hash, signature, &error);
  _parsec_client_start (target, &op_verify_hash, request, error, cancellable,
                        callback, user_data, _parsec_call_done_boolean);
}

/**
 * parsec_client_verify_hash_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: the signature algorithm
 * @hash: the signed hash
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Verifies the signature of a hash with a key held by the service. Finish
 * with [method@Parsec.Client.verify_hash_finish].
 *
 * Since: 1.0
 */
void
parsec_client_verify_hash_async (ParsecClient *self,
                                 const char *key_name,
                                 ParsecAlgorithm *algorithm,
                                 GBytes *hash,
                                 GBytes *signature,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_verify_hash_start (&PARSEC_CLIENT_TARGET (self, parsec_client_verify_hash_async), key_name, algorithm, hash, signature, cancellable, callback, user_data);
}

/**
 * parsec_client_verify_hash_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.verify_hash_async].
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_client_verify_hash_finish (ParsecClient *self,
                                  GAsyncResult *result,
                                  GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
_parsec_verify_hash_run (const ParsecTarget *target,
                         const char *key_name,
                         ParsecAlgorithm *algorithm,
                         GBytes *hash,
                         GBytes *signature,
                         GCancellable *cancellable,
                         GError **error)
{
  PsaVerifyHash__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), FALSE);
  g_return_val_if_fail (algorithm != NULL, FALSE);
  g_return_val_if_fail (hash != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  request = verify_hash_build (&operation, &part, key_name, algorithm, hash, signature, &build_error);
  result = _parsec_client_run (target, &op_verify_hash, request, build_error, cancellable, error);
  _parsec_message_free (result);
  return result != NULL;
}

/**
 * parsec_client_verify_hash:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: the signature algorithm
 * @hash: the signed hash
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Verifies the signature of a hash with a key held by the service,
 * blocking the calling thread.
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_client_verify_hash (ParsecClient *self,
                           const char *key_name,
                           ParsecAlgorithm *algorithm,
                           GBytes *hash,
                           GBytes *signature,
                           GCancellable *cancellable,
                           GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), FALSE);

  return _parsec_verify_hash_run (&PARSEC_CLIENT_TARGET (self, parsec_client_verify_hash), key_name, algorithm, hash, signature, cancellable, error);
}

static const ParsecHint *
sign_message_hint (const ProtobufCMessage *operation)
{
  return signature_hint (((const PsaSignMessage__Operation *) operation)->alg);
}

static const ParsecOperation op_sign_message = {
  PARSEC_OPCODE_PSA_SIGN_MESSAGE, PARSEC_CALL_AUTH_REQUIRED, &psa_sign_message__result__descriptor,
  sign_message_hint,
};

static ProtobufCMessage *
sign_message_build (PsaSignMessage__Operation *operation,
                    ProtobufCMessage **part,
                    const char *key_name,
                    ParsecAlgorithm *algorithm,
                    GBytes *message,
                    GError **error)
{
  psa_sign_message__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_OPCODE_PSA_SIGN_MESSAGE, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__AsymmetricSignature *) *part;
  operation->message = _parsec_binary_from_bytes (message);
  return &operation->base;
}

void
_parsec_sign_message_start (const ParsecTarget *target,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *message,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  PsaSignMessage__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (message != NULL);

  request = sign_message_build (&operation, &part, key_name, algorithm, message, &error);
  _parsec_client_start (target, &op_sign_message, request, error, cancellable,
                        callback, user_data, _parsec_call_done_bytes);
}

/**
 * parsec_client_sign_message_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a signature algorithm the key permits
 * @message: the message to sign
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Signs a message with a private key held by the service, which hashes it.
 * Finish with [method@Parsec.Client.sign_message_finish].
 *
 * Since: 1.0
 */
void
parsec_client_sign_message_async (ParsecClient *self,
                                  const char *key_name,
                                  ParsecAlgorithm *algorithm,
                                  GBytes *message,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_sign_message_start (&PARSEC_CLIENT_TARGET (self, parsec_client_sign_message_async), key_name, algorithm, message, cancellable, callback, user_data);
}

/**
 * parsec_client_sign_message_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.sign_message_async].
 *
 * Returns: (transfer full): the signature, in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_sign_message_finish (ParsecClient *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_sign_message_run (const ParsecTarget *target,
                          const char *key_name,
                          ParsecAlgorithm *algorithm,
                          GBytes *message,
                          GCancellable *cancellable,
                          GError **error)
{
  PsaSignMessage__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  request = sign_message_build (&operation, &part, key_name, algorithm, message, &build_error);
  result = _parsec_client_run (target, &op_sign_message, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, FALSE);
}

/**
 * parsec_client_sign_message:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a signature algorithm the key permits
 * @message: the message to sign
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Signs a message with a private key held by the service, which hashes it,
 * blocking the calling thread.
 *
 * Returns: (transfer full): the signature, in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_sign_message (ParsecClient *self,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *message,
                            GCancellable *cancellable,
                            GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_sign_message_run (&PARSEC_CLIENT_TARGET (self, parsec_client_sign_message), key_name, algorithm, message, cancellable, error);
}

static const ParsecHint *
verify_message_hint (const ProtobufCMessage *operation)
{
  return signature_hint (((const PsaVerifyMessage__Operation *) operation)->alg);
}

static const ParsecOperation op_verify_message = {
  PARSEC_OPCODE_PSA_VERIFY_MESSAGE, PARSEC_CALL_AUTH_REQUIRED, &psa_verify_message__result__descriptor,
  verify_message_hint,
};

static ProtobufCMessage *
verify_message_build (PsaVerifyMessage__Operation *operation,
                      ProtobufCMessage **part,
                      const char *key_name,
                      ParsecAlgorithm *algorithm,
                      GBytes *message,
                      GBytes *signature,
                      GError **error)
{
  psa_verify_message__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_OPCODE_PSA_VERIFY_MESSAGE, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__AsymmetricSignature *) *part;
  operation->message = _parsec_binary_from_bytes (message);
  operation->signature = _parsec_binary_from_bytes (signature);
  return &operation->base;
}

void
_parsec_verify_message_start (const ParsecTarget *target,
                              const char *key_name,
                              ParsecAlgorithm *algorithm,
                              GBytes *message,
                              GBytes *signature,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  PsaVerifyMessage__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (message != NULL);
  g_return_if_fail (signature != NULL);

  request = verify_message_build (&operation, &part, key_name, algorithm, message, signature, &error);
  _parsec_client_start (target, &op_verify_message, request, error, cancellable,
                        callback, user_data, _parsec_call_done_boolean);
}

/**
 * parsec_client_verify_message_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: the signature algorithm
 * @message: the signed message
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Verifies the signature of a message with a key held by the service.
 * Finish with [method@Parsec.Client.verify_message_finish].
 *
 * Since: 1.0
 */
void
parsec_client_verify_message_async (ParsecClient *self,
                                    const char *key_name,
                                    ParsecAlgorithm *algorithm,
                                    GBytes *message,
                                    GBytes *signature,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_verify_message_start (&PARSEC_CLIENT_TARGET (self, parsec_client_verify_message_async), key_name, algorithm, message, signature, cancellable, callback, user_data);
}

/**
 * parsec_client_verify_message_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.verify_message_async].
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_client_verify_message_finish (ParsecClient *self,
                                     GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
_parsec_verify_message_run (const ParsecTarget *target,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *message,
                            GBytes *signature,
                            GCancellable *cancellable,
                            GError **error)
{
  PsaVerifyMessage__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), FALSE);
  g_return_val_if_fail (algorithm != NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  request = verify_message_build (&operation, &part, key_name, algorithm, message, signature, &build_error);
  result = _parsec_client_run (target, &op_verify_message, request, build_error, cancellable, error);
  _parsec_message_free (result);
  return result != NULL;
}

/**
 * parsec_client_verify_message:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: the signature algorithm
 * @message: the signed message
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Verifies the signature of a message with a key held by the service,
 * blocking the calling thread.
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_client_verify_message (ParsecClient *self,
                              const char *key_name,
                              ParsecAlgorithm *algorithm,
                              GBytes *message,
                              GBytes *signature,
                              GCancellable *cancellable,
                              GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), FALSE);

  return _parsec_verify_message_run (&PARSEC_CLIENT_TARGET (self, parsec_client_verify_message), key_name, algorithm, message, signature, cancellable, error);
}

/* parsec-interface's validate() refuses empty inputs that PSA itself
 * would take. */
static const ParsecHint empty_input_hint = {
  PARSEC_ERROR_PSA_INVALID_ARGUMENT,
  N_("The Parsec service refuses an empty message (and, for AEAD, an empty nonce)"),
};

static const ParsecHint *
asymmetric_encrypt_hint (const ProtobufCMessage *operation)
{
  return ((const PsaAsymmetricEncrypt__Operation *) operation)->plaintext.len == 0 ? &empty_input_hint : NULL;
}

static const ParsecOperation op_asymmetric_encrypt = {
  PARSEC_OPCODE_PSA_ASYMMETRIC_ENCRYPT, PARSEC_CALL_AUTH_REQUIRED, &psa_asymmetric_encrypt__result__descriptor,
  asymmetric_encrypt_hint,
};

static ProtobufCMessage *
asymmetric_encrypt_build (PsaAsymmetricEncrypt__Operation *operation,
                          ProtobufCMessage **part,
                          const char *key_name,
                          ParsecAlgorithm *algorithm,
                          GBytes *plaintext,
                          GBytes *label,
                          GError **error)
{
  psa_asymmetric_encrypt__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, PARSEC_OPCODE_PSA_ASYMMETRIC_ENCRYPT, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__AsymmetricEncryption *) *part;
  operation->plaintext = _parsec_binary_from_bytes (plaintext);
  operation->salt = _parsec_binary_from_bytes (label);
  return &operation->base;
}

void
_parsec_asymmetric_encrypt_start (const ParsecTarget *target,
                                  const char *key_name,
                                  ParsecAlgorithm *algorithm,
                                  GBytes *plaintext,
                                  GBytes *label,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  PsaAsymmetricEncrypt__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (plaintext != NULL);

  request = asymmetric_encrypt_build (&operation, &part, key_name, algorithm, plaintext, label, &error);
  _parsec_client_start (target, &op_asymmetric_encrypt, request, error, cancellable,
                        callback, user_data, _parsec_call_done_bytes);
}

/**
 * parsec_client_asymmetric_encrypt_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: an encryption algorithm the key permits
 * @plaintext: the message
 * @label: (nullable): the OAEP label, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Encrypts a short message with a public key held by the service. Finish
 * with [method@Parsec.Client.asymmetric_encrypt_finish].
 *
 * Since: 1.0
 */
void
parsec_client_asymmetric_encrypt_async (ParsecClient *self,
                                        const char *key_name,
                                        ParsecAlgorithm *algorithm,
                                        GBytes *plaintext,
                                        GBytes *label,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_asymmetric_encrypt_start (&PARSEC_CLIENT_TARGET (self, parsec_client_asymmetric_encrypt_async), key_name, algorithm, plaintext, label, cancellable, callback, user_data);
}

/**
 * parsec_client_asymmetric_encrypt_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.asymmetric_encrypt_async].
 *
 * Returns: (transfer full): the ciphertext, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_asymmetric_encrypt_finish (ParsecClient *self,
                                         GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_asymmetric_encrypt_run (const ParsecTarget *target,
                                const char *key_name,
                                ParsecAlgorithm *algorithm,
                                GBytes *plaintext,
                                GBytes *label,
                                GCancellable *cancellable,
                                GError **error)
{
  PsaAsymmetricEncrypt__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);

  request = asymmetric_encrypt_build (&operation, &part, key_name, algorithm, plaintext, label, &build_error);
  result = _parsec_client_run (target, &op_asymmetric_encrypt, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, FALSE);
}

/**
 * parsec_client_asymmetric_encrypt:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: an encryption algorithm the key permits
 * @plaintext: the message
 * @label: (nullable): the OAEP label, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Encrypts a short message with a public key held by the service, blocking
 * the calling thread.
 *
 * Returns: (transfer full): the ciphertext, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_asymmetric_encrypt (ParsecClient *self,
                                  const char *key_name,
                                  ParsecAlgorithm *algorithm,
                                  GBytes *plaintext,
                                  GBytes *label,
                                  GCancellable *cancellable,
                                  GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_asymmetric_encrypt_run (&PARSEC_CLIENT_TARGET (self, parsec_client_asymmetric_encrypt), key_name, algorithm, plaintext, label, cancellable, error);
}

static const ParsecOperation op_asymmetric_decrypt = {
  PARSEC_OPCODE_PSA_ASYMMETRIC_DECRYPT, PARSEC_CALL_AUTH_REQUIRED, &psa_asymmetric_decrypt__result__descriptor,
};

static ProtobufCMessage *
asymmetric_decrypt_build (PsaAsymmetricDecrypt__Operation *operation,
                          ProtobufCMessage **part,
                          const char *key_name,
                          ParsecAlgorithm *algorithm,
                          GBytes *ciphertext,
                          GBytes *label,
                          GError **error)
{
  psa_asymmetric_decrypt__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, PARSEC_OPCODE_PSA_ASYMMETRIC_DECRYPT, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__AsymmetricEncryption *) *part;
  operation->ciphertext = _parsec_binary_from_bytes (ciphertext);
  operation->salt = _parsec_binary_from_bytes (label);
  return &operation->base;
}

void
_parsec_asymmetric_decrypt_start (const ParsecTarget *target,
                                  const char *key_name,
                                  ParsecAlgorithm *algorithm,
                                  GBytes *ciphertext,
                                  GBytes *label,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  PsaAsymmetricDecrypt__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (ciphertext != NULL);

  request = asymmetric_decrypt_build (&operation, &part, key_name, algorithm, ciphertext, label, &error);
  _parsec_client_start (target, &op_asymmetric_decrypt, request, error, cancellable,
                        callback, user_data, _parsec_call_done_secret);
}

/**
 * parsec_client_asymmetric_decrypt_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: an encryption algorithm the key permits
 * @ciphertext: the ciphertext
 * @label: (nullable): the OAEP label, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Decrypts a message with a private key held by the service. Finish with
 * [method@Parsec.Client.asymmetric_decrypt_finish].
 *
 * Since: 1.0
 */
void
parsec_client_asymmetric_decrypt_async (ParsecClient *self,
                                        const char *key_name,
                                        ParsecAlgorithm *algorithm,
                                        GBytes *ciphertext,
                                        GBytes *label,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_asymmetric_decrypt_start (&PARSEC_CLIENT_TARGET (self, parsec_client_asymmetric_decrypt_async), key_name, algorithm, ciphertext, label, cancellable, callback, user_data);
}

/**
 * parsec_client_asymmetric_decrypt_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.asymmetric_decrypt_async].
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when
 *   freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_asymmetric_decrypt_finish (ParsecClient *self,
                                         GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_asymmetric_decrypt_run (const ParsecTarget *target,
                                const char *key_name,
                                ParsecAlgorithm *algorithm,
                                GBytes *ciphertext,
                                GBytes *label,
                                GCancellable *cancellable,
                                GError **error)
{
  PsaAsymmetricDecrypt__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);

  request = asymmetric_decrypt_build (&operation, &part, key_name, algorithm, ciphertext, label, &build_error);
  result = _parsec_client_run (target, &op_asymmetric_decrypt, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, TRUE);
}

/**
 * parsec_client_asymmetric_decrypt:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: an encryption algorithm the key permits
 * @ciphertext: the ciphertext
 * @label: (nullable): the OAEP label, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Decrypts a message with a private key held by the service, blocking the
 * calling thread.
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when
 *   freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_asymmetric_decrypt (ParsecClient *self,
                                  const char *key_name,
                                  ParsecAlgorithm *algorithm,
                                  GBytes *ciphertext,
                                  GBytes *label,
                                  GCancellable *cancellable,
                                  GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_asymmetric_decrypt_run (&PARSEC_CLIENT_TARGET (self, parsec_client_asymmetric_decrypt), key_name, algorithm, ciphertext, label, cancellable, error);
}

static const ParsecHint *
aead_encrypt_hint (const ProtobufCMessage *operation)
{
  const PsaAeadEncrypt__Operation *aead = (const PsaAeadEncrypt__Operation *) operation;

  return aead->plaintext.len == 0 || aead->nonce.len == 0 ? &empty_input_hint : NULL;
}

static const ParsecOperation op_aead_encrypt = {
  PARSEC_OPCODE_PSA_AEAD_ENCRYPT, PARSEC_CALL_AUTH_REQUIRED, &psa_aead_encrypt__result__descriptor,
  aead_encrypt_hint,
};

static ProtobufCMessage *
aead_encrypt_build (PsaAeadEncrypt__Operation *operation,
                    ProtobufCMessage **part,
                    const char *key_name,
                    ParsecAlgorithm *algorithm,
                    GBytes *nonce,
                    GBytes *additional_data,
                    GBytes *plaintext,
                    GError **error)
{
  psa_aead_encrypt__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_AEAD, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__Aead *) *part;
  operation->nonce = _parsec_binary_from_bytes (nonce);
  operation->additional_data = _parsec_binary_from_bytes (additional_data);
  operation->plaintext = _parsec_binary_from_bytes (plaintext);
  return &operation->base;
}

void
_parsec_aead_encrypt_start (const ParsecTarget *target,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *nonce,
                            GBytes *additional_data,
                            GBytes *plaintext,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  PsaAeadEncrypt__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (nonce != NULL);
  g_return_if_fail (plaintext != NULL);

  request = aead_encrypt_build (&operation, &part, key_name, algorithm, nonce, additional_data, plaintext, &error);
  _parsec_client_start (target, &op_aead_encrypt, request, error, cancellable,
                        callback, user_data, _parsec_call_done_bytes);
}

/**
 * parsec_client_aead_encrypt_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: an AEAD algorithm the key permits
 * @nonce: the nonce, never reused with the same key
 * @additional_data: (nullable): data authenticated but not encrypted, or %NULL for none
 * @plaintext: the message
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Encrypts and authenticates a message with a symmetric key held by the
 * service. Finish with [method@Parsec.Client.aead_encrypt_finish].
 *
 * Since: 1.0
 */
void
parsec_client_aead_encrypt_async (ParsecClient *self,
                                  const char *key_name,
                                  ParsecAlgorithm *algorithm,
                                  GBytes *nonce,
                                  GBytes *additional_data,
                                  GBytes *plaintext,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_aead_encrypt_start (&PARSEC_CLIENT_TARGET (self, parsec_client_aead_encrypt_async), key_name, algorithm, nonce, additional_data, plaintext, cancellable, callback, user_data);
}

/**
 * parsec_client_aead_encrypt_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.aead_encrypt_async].
 *
 * Returns: (transfer full): the ciphertext followed by the tag, or %NULL
 *   on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_aead_encrypt_finish (ParsecClient *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_aead_encrypt_run (const ParsecTarget *target,
                          const char *key_name,
                          ParsecAlgorithm *algorithm,
                          GBytes *nonce,
                          GBytes *additional_data,
                          GBytes *plaintext,
                          GCancellable *cancellable,
                          GError **error)
{
  PsaAeadEncrypt__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);

  request = aead_encrypt_build (&operation, &part, key_name, algorithm, nonce, additional_data, plaintext, &build_error);
  result = _parsec_client_run (target, &op_aead_encrypt, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, FALSE);
}

/**
 * parsec_client_aead_encrypt:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: an AEAD algorithm the key permits
 * @nonce: the nonce, never reused with the same key
 * @additional_data: (nullable): data authenticated but not encrypted, or %NULL for none
 * @plaintext: the message
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Encrypts and authenticates a message with a symmetric key held by the
 * service, blocking the calling thread.
 *
 * Returns: (transfer full): the ciphertext followed by the tag, or %NULL
 *   on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_aead_encrypt (ParsecClient *self,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *nonce,
                            GBytes *additional_data,
                            GBytes *plaintext,
                            GCancellable *cancellable,
                            GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_aead_encrypt_run (&PARSEC_CLIENT_TARGET (self, parsec_client_aead_encrypt), key_name, algorithm, nonce, additional_data, plaintext, cancellable, error);
}

static const ParsecOperation op_aead_decrypt = {
  PARSEC_OPCODE_PSA_AEAD_DECRYPT, PARSEC_CALL_AUTH_REQUIRED, &psa_aead_decrypt__result__descriptor,
};

static ProtobufCMessage *
aead_decrypt_build (PsaAeadDecrypt__Operation *operation,
                    ProtobufCMessage **part,
                    const char *key_name,
                    ParsecAlgorithm *algorithm,
                    GBytes *nonce,
                    GBytes *additional_data,
                    GBytes *ciphertext,
                    GError **error)
{
  psa_aead_decrypt__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_AEAD, PARSEC_OPCODE_PSA_AEAD_DECRYPT, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__Aead *) *part;
  operation->nonce = _parsec_binary_from_bytes (nonce);
  operation->additional_data = _parsec_binary_from_bytes (additional_data);
  operation->ciphertext = _parsec_binary_from_bytes (ciphertext);
  return &operation->base;
}

void
_parsec_aead_decrypt_start (const ParsecTarget *target,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *nonce,
                            GBytes *additional_data,
                            GBytes *ciphertext,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  PsaAeadDecrypt__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (nonce != NULL);
  g_return_if_fail (ciphertext != NULL);

  request = aead_decrypt_build (&operation, &part, key_name, algorithm, nonce, additional_data, ciphertext, &error);
  _parsec_client_start (target, &op_aead_decrypt, request, error, cancellable,
                        callback, user_data, _parsec_call_done_secret);
}

/**
 * parsec_client_aead_decrypt_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: an AEAD algorithm the key permits
 * @nonce: the nonce used to encrypt
 * @additional_data: (nullable): the authenticated data, or %NULL for none
 * @ciphertext: the ciphertext followed by the tag
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Checks and decrypts a message with a symmetric key held by the service.
 * Finish with [method@Parsec.Client.aead_decrypt_finish].
 *
 * Since: 1.0
 */
void
parsec_client_aead_decrypt_async (ParsecClient *self,
                                  const char *key_name,
                                  ParsecAlgorithm *algorithm,
                                  GBytes *nonce,
                                  GBytes *additional_data,
                                  GBytes *ciphertext,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_aead_decrypt_start (&PARSEC_CLIENT_TARGET (self, parsec_client_aead_decrypt_async), key_name, algorithm, nonce, additional_data, ciphertext, cancellable, callback, user_data);
}

/**
 * parsec_client_aead_decrypt_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.aead_decrypt_async].
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when
 *   freed; a tampered message fails with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_aead_decrypt_finish (ParsecClient *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_aead_decrypt_run (const ParsecTarget *target,
                          const char *key_name,
                          ParsecAlgorithm *algorithm,
                          GBytes *nonce,
                          GBytes *additional_data,
                          GBytes *ciphertext,
                          GCancellable *cancellable,
                          GError **error)
{
  PsaAeadDecrypt__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);

  request = aead_decrypt_build (&operation, &part, key_name, algorithm, nonce, additional_data, ciphertext, &build_error);
  result = _parsec_client_run (target, &op_aead_decrypt, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, TRUE);
}

/**
 * parsec_client_aead_decrypt:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: an AEAD algorithm the key permits
 * @nonce: the nonce used to encrypt
 * @additional_data: (nullable): the authenticated data, or %NULL for none
 * @ciphertext: the ciphertext followed by the tag
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks and decrypts a message with a symmetric key held by the service,
 * blocking the calling thread.
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when
 *   freed; a tampered message fails with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_aead_decrypt (ParsecClient *self,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *nonce,
                            GBytes *additional_data,
                            GBytes *ciphertext,
                            GCancellable *cancellable,
                            GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_aead_decrypt_run (&PARSEC_CLIENT_TARGET (self, parsec_client_aead_decrypt), key_name, algorithm, nonce, additional_data, ciphertext, cancellable, error);
}

static const ParsecOperation op_cipher_encrypt = {
  PARSEC_OPCODE_PSA_CIPHER_ENCRYPT, PARSEC_CALL_AUTH_REQUIRED, &psa_cipher_encrypt__result__descriptor,
};

static ProtobufCMessage *
cipher_encrypt_build (PsaCipherEncrypt__Operation *operation,
                      const char *key_name,
                      ParsecAlgorithm *algorithm,
                      GBytes *plaintext,
                      GError **error)
{
  psa_cipher_encrypt__operation__init (operation);
  operation->key_name = (char *) key_name;
  if (!_parsec_algorithm_check_kind (algorithm, PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_OPCODE_PSA_CIPHER_ENCRYPT, error))
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__Cipher) _parsec_algorithm_get_variant (algorithm);
  operation->plaintext = _parsec_binary_from_bytes (plaintext);
  return &operation->base;
}

void
_parsec_cipher_encrypt_start (const ParsecTarget *target,
                              const char *key_name,
                              ParsecAlgorithm *algorithm,
                              GBytes *plaintext,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  PsaCipherEncrypt__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (plaintext != NULL);

  request = cipher_encrypt_build (&operation, key_name, algorithm, plaintext, &error);
  _parsec_client_start (target, &op_cipher_encrypt, request, error, cancellable,
                        callback, user_data, _parsec_call_done_bytes);
}

/**
 * parsec_client_cipher_encrypt_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a cipher the key permits
 * @plaintext: the message
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Encrypts a message with an unauthenticated symmetric cipher; the service
 * chooses the IV. Finish with [method@Parsec.Client.cipher_encrypt_finish].
 *
 * Since: 1.0
 */
void
parsec_client_cipher_encrypt_async (ParsecClient *self,
                                    const char *key_name,
                                    ParsecAlgorithm *algorithm,
                                    GBytes *plaintext,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_cipher_encrypt_start (&PARSEC_CLIENT_TARGET (self, parsec_client_cipher_encrypt_async), key_name, algorithm, plaintext, cancellable, callback, user_data);
}

/**
 * parsec_client_cipher_encrypt_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.cipher_encrypt_async].
 *
 * Returns: (transfer full): the IV followed by the ciphertext, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_cipher_encrypt_finish (ParsecClient *self,
                                     GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_cipher_encrypt_run (const ParsecTarget *target,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *plaintext,
                            GCancellable *cancellable,
                            GError **error)
{
  PsaCipherEncrypt__Operation operation;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);

  request = cipher_encrypt_build (&operation, key_name, algorithm, plaintext, &build_error);
  result = _parsec_client_run (target, &op_cipher_encrypt, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, FALSE);
}

/**
 * parsec_client_cipher_encrypt:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a cipher the key permits
 * @plaintext: the message
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Encrypts a message with an unauthenticated symmetric cipher; the service
 * chooses the IV, blocking the calling thread.
 *
 * Returns: (transfer full): the IV followed by the ciphertext, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_cipher_encrypt (ParsecClient *self,
                              const char *key_name,
                              ParsecAlgorithm *algorithm,
                              GBytes *plaintext,
                              GCancellable *cancellable,
                              GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_cipher_encrypt_run (&PARSEC_CLIENT_TARGET (self, parsec_client_cipher_encrypt), key_name, algorithm, plaintext, cancellable, error);
}

static const ParsecOperation op_cipher_decrypt = {
  PARSEC_OPCODE_PSA_CIPHER_DECRYPT, PARSEC_CALL_AUTH_REQUIRED, &psa_cipher_decrypt__result__descriptor,
};

static ProtobufCMessage *
cipher_decrypt_build (PsaCipherDecrypt__Operation *operation,
                      const char *key_name,
                      ParsecAlgorithm *algorithm,
                      GBytes *ciphertext,
                      GError **error)
{
  psa_cipher_decrypt__operation__init (operation);
  operation->key_name = (char *) key_name;
  if (!_parsec_algorithm_check_kind (algorithm, PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_OPCODE_PSA_CIPHER_DECRYPT, error))
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__Cipher) _parsec_algorithm_get_variant (algorithm);
  operation->ciphertext = _parsec_binary_from_bytes (ciphertext);
  return &operation->base;
}

void
_parsec_cipher_decrypt_start (const ParsecTarget *target,
                              const char *key_name,
                              ParsecAlgorithm *algorithm,
                              GBytes *ciphertext,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  PsaCipherDecrypt__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (ciphertext != NULL);

  request = cipher_decrypt_build (&operation, key_name, algorithm, ciphertext, &error);
  _parsec_client_start (target, &op_cipher_decrypt, request, error, cancellable,
                        callback, user_data, _parsec_call_done_secret);
}

/**
 * parsec_client_cipher_decrypt_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a cipher the key permits
 * @ciphertext: the IV followed by the ciphertext
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Decrypts a message with an unauthenticated symmetric cipher. Finish with
 * [method@Parsec.Client.cipher_decrypt_finish].
 *
 * Since: 1.0
 */
void
parsec_client_cipher_decrypt_async (ParsecClient *self,
                                    const char *key_name,
                                    ParsecAlgorithm *algorithm,
                                    GBytes *ciphertext,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_cipher_decrypt_start (&PARSEC_CLIENT_TARGET (self, parsec_client_cipher_decrypt_async), key_name, algorithm, ciphertext, cancellable, callback, user_data);
}

/**
 * parsec_client_cipher_decrypt_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.cipher_decrypt_async].
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when
 *   freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_cipher_decrypt_finish (ParsecClient *self,
                                     GAsyncResult *result,
                                     GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_cipher_decrypt_run (const ParsecTarget *target,
                            const char *key_name,
                            ParsecAlgorithm *algorithm,
                            GBytes *ciphertext,
                            GCancellable *cancellable,
                            GError **error)
{
  PsaCipherDecrypt__Operation operation;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);

  request = cipher_decrypt_build (&operation, key_name, algorithm, ciphertext, &build_error);
  result = _parsec_client_run (target, &op_cipher_decrypt, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, TRUE);
}

/**
 * parsec_client_cipher_decrypt:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a cipher the key permits
 * @ciphertext: the IV followed by the ciphertext
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Decrypts a message with an unauthenticated symmetric cipher, blocking
 * the calling thread.
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when
 *   freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_cipher_decrypt (ParsecClient *self,
                              const char *key_name,
                              ParsecAlgorithm *algorithm,
                              GBytes *ciphertext,
                              GCancellable *cancellable,
                              GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_cipher_decrypt_run (&PARSEC_CLIENT_TARGET (self, parsec_client_cipher_decrypt), key_name, algorithm, ciphertext, cancellable, error);
}

static const ParsecOperation op_mac_compute = {
  PARSEC_OPCODE_PSA_MAC_COMPUTE, PARSEC_CALL_AUTH_REQUIRED, &psa_mac_compute__result__descriptor,
};

static ProtobufCMessage *
mac_compute_build (PsaMacCompute__Operation *operation,
                   ProtobufCMessage **part,
                   const char *key_name,
                   ParsecAlgorithm *algorithm,
                   GBytes *input,
                   GError **error)
{
  psa_mac_compute__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_MAC, PARSEC_OPCODE_PSA_MAC_COMPUTE, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__Mac *) *part;
  operation->input = _parsec_binary_from_bytes (input);
  return &operation->base;
}

void
_parsec_mac_compute_start (const ParsecTarget *target,
                           const char *key_name,
                           ParsecAlgorithm *algorithm,
                           GBytes *input,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  PsaMacCompute__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (input != NULL);

  request = mac_compute_build (&operation, &part, key_name, algorithm, input, &error);
  _parsec_client_start (target, &op_mac_compute, request, error, cancellable,
                        callback, user_data, _parsec_call_done_bytes);
}

/**
 * parsec_client_mac_compute_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a MAC algorithm the key permits
 * @input: the message
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Computes a message authentication code with a key held by the service.
 * Finish with [method@Parsec.Client.mac_compute_finish].
 *
 * Since: 1.0
 */
void
parsec_client_mac_compute_async (ParsecClient *self,
                                 const char *key_name,
                                 ParsecAlgorithm *algorithm,
                                 GBytes *input,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_mac_compute_start (&PARSEC_CLIENT_TARGET (self, parsec_client_mac_compute_async), key_name, algorithm, input, cancellable, callback, user_data);
}

/**
 * parsec_client_mac_compute_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.mac_compute_async].
 *
 * Returns: (transfer full): the MAC, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_mac_compute_finish (ParsecClient *self,
                                  GAsyncResult *result,
                                  GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_mac_compute_run (const ParsecTarget *target,
                         const char *key_name,
                         ParsecAlgorithm *algorithm,
                         GBytes *input,
                         GCancellable *cancellable,
                         GError **error)
{
  PsaMacCompute__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), NULL);
  g_return_val_if_fail (algorithm != NULL, NULL);
  g_return_val_if_fail (input != NULL, NULL);

  request = mac_compute_build (&operation, &part, key_name, algorithm, input, &build_error);
  result = _parsec_client_run (target, &op_mac_compute, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, FALSE);
}

/**
 * parsec_client_mac_compute:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: a MAC algorithm the key permits
 * @input: the message
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Computes a message authentication code with a key held by the service,
 * blocking the calling thread.
 *
 * Returns: (transfer full): the MAC, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_mac_compute (ParsecClient *self,
                           const char *key_name,
                           ParsecAlgorithm *algorithm,
                           GBytes *input,
                           GCancellable *cancellable,
                           GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_mac_compute_run (&PARSEC_CLIENT_TARGET (self, parsec_client_mac_compute), key_name, algorithm, input, cancellable, error);
}

static const ParsecOperation op_mac_verify = {
  PARSEC_OPCODE_PSA_MAC_VERIFY, PARSEC_CALL_AUTH_REQUIRED, &psa_mac_verify__result__descriptor,
};

static ProtobufCMessage *
mac_verify_build (PsaMacVerify__Operation *operation,
                  ProtobufCMessage **part,
                  const char *key_name,
                  ParsecAlgorithm *algorithm,
                  GBytes *input,
                  GBytes *mac,
                  GError **error)
{
  psa_mac_verify__operation__init (operation);
  operation->key_name = (char *) key_name;
  *part = _parsec_algorithm_part_checked (algorithm, PARSEC_ALGORITHM_KIND_MAC, PARSEC_OPCODE_PSA_MAC_VERIFY, error);
  if (*part == NULL)
    return NULL;
  operation->alg = (PsaAlgorithm__Algorithm__Mac *) *part;
  operation->input = _parsec_binary_from_bytes (input);
  operation->mac = _parsec_binary_from_bytes (mac);
  return &operation->base;
}

void
_parsec_mac_verify_start (const ParsecTarget *target,
                          const char *key_name,
                          ParsecAlgorithm *algorithm,
                          GBytes *input,
                          GBytes *mac,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  PsaMacVerify__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL));
  g_return_if_fail (algorithm != NULL);
  g_return_if_fail (input != NULL);
  g_return_if_fail (mac != NULL);

  request = mac_verify_build (&operation, &part, key_name, algorithm, input, mac, &error);
  _parsec_client_start (target, &op_mac_verify, request, error, cancellable,
                        callback, user_data, _parsec_call_done_boolean);
}

/**
 * parsec_client_mac_verify_async:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: the MAC algorithm
 * @input: the message
 * @mac: the MAC to check
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Checks a message authentication code with a key held by the service.
 * Finish with [method@Parsec.Client.mac_verify_finish].
 *
 * Since: 1.0
 */
void
parsec_client_mac_verify_async (ParsecClient *self,
                                const char *key_name,
                                ParsecAlgorithm *algorithm,
                                GBytes *input,
                                GBytes *mac,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_mac_verify_start (&PARSEC_CLIENT_TARGET (self, parsec_client_mac_verify_async), key_name, algorithm, input, mac, cancellable, callback, user_data);
}

/**
 * parsec_client_mac_verify_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.mac_verify_async].
 *
 * Returns: %TRUE if the MAC matches; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_client_mac_verify_finish (ParsecClient *self,
                                 GAsyncResult *result,
                                 GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
_parsec_mac_verify_run (const ParsecTarget *target,
                        const char *key_name,
                        ParsecAlgorithm *algorithm,
                        GBytes *input,
                        GBytes *mac,
                        GCancellable *cancellable,
                        GError **error)
{
  PsaMacVerify__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (key_name != NULL && g_utf8_validate (key_name, -1, NULL), FALSE);
  g_return_val_if_fail (algorithm != NULL, FALSE);
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (mac != NULL, FALSE);

  request = mac_verify_build (&operation, &part, key_name, algorithm, input, mac, &build_error);
  result = _parsec_client_run (target, &op_mac_verify, request, build_error, cancellable, error);
  _parsec_message_free (result);
  return result != NULL;
}

/**
 * parsec_client_mac_verify:
 * @self: a #ParsecClient
 * @key_name: the name of the key
 * @algorithm: the MAC algorithm
 * @input: the message
 * @mac: the MAC to check
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks a message authentication code with a key held by the service,
 * blocking the calling thread.
 *
 * Returns: %TRUE if the MAC matches; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_client_mac_verify (ParsecClient *self,
                          const char *key_name,
                          ParsecAlgorithm *algorithm,
                          GBytes *input,
                          GBytes *mac,
                          GCancellable *cancellable,
                          GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), FALSE);

  return _parsec_mac_verify_run (&PARSEC_CLIENT_TARGET (self, parsec_client_mac_verify), key_name, algorithm, input, mac, cancellable, error);
}

static gsize
hash_compute_length (const ProtobufCMessage *operation)
{
  return _parsec_hash_get_length ((ParsecHash) ((const PsaHashCompute__Operation *) operation)->alg);
}

static const ParsecOperation op_hash_compute = {
  PARSEC_OPCODE_PSA_HASH_COMPUTE, PARSEC_CALL_AUTH_REQUIRED, &psa_hash_compute__result__descriptor,
  NULL, hash_compute_length,
};

static ProtobufCMessage *
hash_compute_build (PsaHashCompute__Operation *operation,
                    ParsecHash hash_algorithm,
                    GBytes *input,
                    GError **error)
{
  psa_hash_compute__operation__init (operation);
  operation->alg = (PsaAlgorithm__Algorithm__Hash) hash_algorithm;
  operation->input = _parsec_binary_from_bytes (input);
  return &operation->base;
}

/**
 * parsec_client_hash_compute_async:
 * @self: a #ParsecClient
 * @hash_algorithm: the hash
 * @input: the data
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Hashes data in the service. Finish with
 * [method@Parsec.Client.hash_compute_finish].
 *
 * Since: 1.0
 */
void
parsec_client_hash_compute_async (ParsecClient *self,
                                  ParsecHash hash_algorithm,
                                  GBytes *input,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  PsaHashCompute__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (hash_algorithm > PARSEC_HASH_NONE && hash_algorithm <= PARSEC_HASH_SHA3_512);
  g_return_if_fail (input != NULL);

  request = hash_compute_build (&operation, hash_algorithm, input, &error);
  _parsec_client_start (&PARSEC_CLIENT_TARGET (self, parsec_client_hash_compute_async), &op_hash_compute, request, error, cancellable,
                        callback, user_data, _parsec_call_done_bytes);
}

/**
 * parsec_client_hash_compute_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.hash_compute_async].
 *
 * Returns: (transfer full): the hash, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_hash_compute_finish (ParsecClient *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_hash_compute:
 * @self: a #ParsecClient
 * @hash_algorithm: the hash
 * @input: the data
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Hashes data in the service, blocking the calling thread.
 *
 * Returns: (transfer full): the hash, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_hash_compute (ParsecClient *self,
                            ParsecHash hash_algorithm,
                            GBytes *input,
                            GCancellable *cancellable,
                            GError **error)
{
  PsaHashCompute__Operation operation;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (hash_algorithm > PARSEC_HASH_NONE && hash_algorithm <= PARSEC_HASH_SHA3_512, NULL);
  g_return_val_if_fail (input != NULL, NULL);

  request = hash_compute_build (&operation, hash_algorithm, input, &build_error);
  result = _parsec_client_run (&PARSEC_CLIENT_TARGET (self, NULL), &op_hash_compute, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, FALSE);
}

static const ParsecOperation op_hash_compare = {
  PARSEC_OPCODE_PSA_HASH_COMPARE, PARSEC_CALL_AUTH_REQUIRED, &psa_hash_compare__result__descriptor,
};

static ProtobufCMessage *
hash_compare_build (PsaHashCompare__Operation *operation,
                    ParsecHash hash_algorithm,
                    GBytes *input,
                    GBytes *hash,
                    GError **error)
{
  psa_hash_compare__operation__init (operation);
  operation->alg = (PsaAlgorithm__Algorithm__Hash) hash_algorithm;
  operation->input = _parsec_binary_from_bytes (input);
  operation->hash = _parsec_binary_from_bytes (hash);
  return &operation->base;
}

/**
 * parsec_client_hash_compare_async:
 * @self: a #ParsecClient
 * @hash_algorithm: the hash
 * @input: the data
 * @hash: the expected hash
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Checks in the service that data has a given hash. Finish with
 * [method@Parsec.Client.hash_compare_finish].
 *
 * Since: 1.0
 */
void
parsec_client_hash_compare_async (ParsecClient *self,
                                  ParsecHash hash_algorithm,
                                  GBytes *input,
                                  GBytes *hash,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  PsaHashCompare__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (hash_algorithm > PARSEC_HASH_NONE && hash_algorithm <= PARSEC_HASH_SHA3_512);
  g_return_if_fail (input != NULL);
  g_return_if_fail (hash != NULL);

  request = hash_compare_build (&operation, hash_algorithm, input, hash, &error);
  _parsec_client_start (&PARSEC_CLIENT_TARGET (self, parsec_client_hash_compare_async), &op_hash_compare, request, error, cancellable,
                        callback, user_data, _parsec_call_done_boolean);
}

/**
 * parsec_client_hash_compare_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.hash_compare_async].
 *
 * Returns: %TRUE if the hash matches; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_client_hash_compare_finish (ParsecClient *self,
                                   GAsyncResult *result,
                                   GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * parsec_client_hash_compare:
 * @self: a #ParsecClient
 * @hash_algorithm: the hash
 * @input: the data
 * @hash: the expected hash
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks in the service that data has a given hash, blocking the calling
 * thread.
 *
 * Returns: %TRUE if the hash matches; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_client_hash_compare (ParsecClient *self,
                            ParsecHash hash_algorithm,
                            GBytes *input,
                            GBytes *hash,
                            GCancellable *cancellable,
                            GError **error)
{
  PsaHashCompare__Operation operation;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (hash_algorithm > PARSEC_HASH_NONE && hash_algorithm <= PARSEC_HASH_SHA3_512, FALSE);
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (hash != NULL, FALSE);

  request = hash_compare_build (&operation, hash_algorithm, input, hash, &build_error);
  result = _parsec_client_run (&PARSEC_CLIENT_TARGET (self, NULL), &op_hash_compare, request, build_error, cancellable, error);
  _parsec_message_free (result);
  return result != NULL;
}

static const ParsecOperation op_raw_key_agreement = {
  PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT, PARSEC_CALL_AUTH_REQUIRED, &psa_raw_key_agreement__result__descriptor,
};

static ProtobufCMessage *
raw_key_agreement_build (PsaRawKeyAgreement__Operation *operation,
                         ParsecKeyAgreement agreement,
                         const char *private_key_name,
                         GBytes *peer_key,
                         GError **error)
{
  psa_raw_key_agreement__operation__init (operation);
  operation->alg = (PsaAlgorithm__Algorithm__KeyAgreement__Raw) agreement;
  operation->private_key_name = (char *) private_key_name;
  operation->peer_key = _parsec_binary_from_bytes (peer_key);
  return &operation->base;
}

void
_parsec_raw_key_agreement_start (const ParsecTarget *target,
                                 ParsecKeyAgreement agreement,
                                 const char *private_key_name,
                                 GBytes *peer_key,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  PsaRawKeyAgreement__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (agreement == PARSEC_KEY_AGREEMENT_FFDH || agreement == PARSEC_KEY_AGREEMENT_ECDH);
  g_return_if_fail (private_key_name != NULL && g_utf8_validate (private_key_name, -1, NULL));
  g_return_if_fail (peer_key != NULL);

  request = raw_key_agreement_build (&operation, agreement, private_key_name, peer_key, &error);
  _parsec_client_start (target, &op_raw_key_agreement, request, error, cancellable,
                        callback, user_data, _parsec_call_done_secret);
}

/**
 * parsec_client_raw_key_agreement_async:
 * @self: a #ParsecClient
 * @agreement: the key agreement the key permits
 * @private_key_name: the name of the private key
 * @peer_key: the peer's public key, in the PSA export format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Agrees on a shared secret between a private key held by the service and
 * a peer's public key. Finish with
 * [method@Parsec.Client.raw_key_agreement_finish].
 *
 * Since: 1.0
 */
void
parsec_client_raw_key_agreement_async (ParsecClient *self,
                                       ParsecKeyAgreement agreement,
                                       const char *private_key_name,
                                       GBytes *peer_key,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  g_return_if_fail (PARSEC_IS_CLIENT (self));

  _parsec_raw_key_agreement_start (&PARSEC_CLIENT_TARGET (self, parsec_client_raw_key_agreement_async), agreement, private_key_name, peer_key, cancellable, callback, user_data);
}

/**
 * parsec_client_raw_key_agreement_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.raw_key_agreement_async].
 *
 * Returns: (transfer full): the raw shared secret, in memory that is wiped
 *   when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_raw_key_agreement_finish (ParsecClient *self,
                                        GAsyncResult *result,
                                        GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

GBytes *
_parsec_raw_key_agreement_run (const ParsecTarget *target,
                               ParsecKeyAgreement agreement,
                               const char *private_key_name,
                               GBytes *peer_key,
                               GCancellable *cancellable,
                               GError **error)
{
  PsaRawKeyAgreement__Operation operation;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (agreement == PARSEC_KEY_AGREEMENT_FFDH || agreement == PARSEC_KEY_AGREEMENT_ECDH, NULL);
  g_return_val_if_fail (private_key_name != NULL && g_utf8_validate (private_key_name, -1, NULL), NULL);
  g_return_val_if_fail (peer_key != NULL, NULL);

  request = raw_key_agreement_build (&operation, agreement, private_key_name, peer_key, &build_error);
  result = _parsec_client_run (target, &op_raw_key_agreement, request, build_error, cancellable, error);
  return _parsec_result_take_bytes (result, TRUE);
}

/**
 * parsec_client_raw_key_agreement:
 * @self: a #ParsecClient
 * @agreement: the key agreement the key permits
 * @private_key_name: the name of the private key
 * @peer_key: the peer's public key, in the PSA export format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Agrees on a shared secret between a private key held by the service and
 * a peer's public key, blocking the calling thread.
 *
 * Returns: (transfer full): the raw shared secret, in memory that is wiped
 *   when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_raw_key_agreement (ParsecClient *self,
                                 ParsecKeyAgreement agreement,
                                 const char *private_key_name,
                                 GBytes *peer_key,
                                 GCancellable *cancellable,
                                 GError **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  return _parsec_raw_key_agreement_run (&PARSEC_CLIENT_TARGET (self, parsec_client_raw_key_agreement), agreement, private_key_name, peer_key, cancellable, error);
}

static gsize
generate_random_length (const ProtobufCMessage *operation)
{
  return ((const PsaGenerateRandom__Operation *) operation)->size;
}

/* A provider may answer with fewer bytes than asked for (the TPM
 * provider gives one TPM2_GetRandom, 64 bytes on swtpm): each answer
 * holds at least one byte and at most the rest, and the rest is asked
 * for again. */
static const ParsecOperation op_generate_random = {
  PARSEC_OPCODE_PSA_GENERATE_RANDOM, PARSEC_CALL_AUTH_REQUIRED, &psa_generate_random__result__descriptor,
  NULL, generate_random_length, 0, TRUE,
};

static ProtobufCMessage *
generate_random_build (PsaGenerateRandom__Operation *operation,
                       gsize size,
                       GError **error)
{
  psa_generate_random__operation__init (operation);
  operation->size = size;
  return &operation->base;
}

/* The random bytes gathered over the answers to one call, in wiped
 * memory that grows as they come, up to the size asked for. */
typedef struct {
  gsize size;
  guint8 *data;
  gsize len;
  gsize capacity;
} RandomFill;

static RandomFill *
random_fill_new (gsize size)
{
  RandomFill *fill = g_new0 (RandomFill, 1);

  fill->size = size;
  return fill;
}

static void
random_fill_free (RandomFill *fill)
{
  secure_free (fill->data);
  g_free (fill);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RandomFill, random_fill_free)

static gsize
random_fill_missing (const RandomFill *fill)
{
  return fill->size - fill->len;
}

/* Adds one answer (at most the missing bytes, as the call checked) and
 * returns the whole when complete, else NULL. The first answer, when it
 * is complete, is the result as it came. */
static GBytes *
random_fill_add (RandomFill *fill,
                 GBytes     *answer)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (answer, &len);
  GBytes *whole;

  if (fill->len == 0 && len == fill->size)
    return g_bytes_ref (answer);
  if (fill->len + len > fill->capacity)
    {
      gsize capacity = MIN (fill->size, MAX (fill->len + len, fill->capacity * 2));

      fill->data = secure_grow (fill->data, fill->len, capacity);
      fill->capacity = capacity;
    }
  memcpy (fill->data + fill->len, data, len);
  fill->len += len;
  if (fill->len < fill->size)
    return NULL;
  whole = secure_bytes_take (g_steal_pointer (&fill->data), fill->len);
  fill->len = fill->capacity = 0;
  return whole;
}

static void generate_random_ask (GTask *task);

static void
generate_random_answered (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autoptr(GBytes) answer = g_task_propagate_pointer (G_TASK (result), &error);
  GBytes *whole;

  if (answer == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  whole = random_fill_add (g_task_get_task_data (task), answer);
  if (whole == NULL)
    {
      generate_random_ask (task);
      return;
    }
  g_task_return_pointer (task, whole, (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

/* One request for the bytes still missing. */
static void
generate_random_ask (GTask *task)
{
  ParsecClient *self = g_task_get_source_object (task);
  PsaGenerateRandom__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;

  request = generate_random_build (&operation, random_fill_missing (g_task_get_task_data (task)), &error);
  _parsec_client_start (&PARSEC_CLIENT_TARGET (self, generate_random_ask), &op_generate_random, request, error,
                        g_task_get_cancellable (task), generate_random_answered, task, _parsec_call_done_secret);
}

/**
 * parsec_client_generate_random_async:
 * @self: a #ParsecClient
 * @size: how many bytes
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Asks the service for random bytes. Finish with
 * [method@Parsec.Client.generate_random_finish].
 *
 * A service may give fewer bytes per request than asked for (the TPM
 * provider answers with one TPM2_GetRandom, 64 bytes on some TPMs): the
 * rest is then asked for again until @size bytes have come, each answer
 * holding at least one byte and at most the bytes still missing. An empty
 * or too long answer fails the call with %PARSEC_ERROR_PROTOCOL_VIOLATION.
 *
 * Since: 1.0
 */
void
parsec_client_generate_random_async (ParsecClient *self,
                                     gsize size,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));

  task = _parsec_task_new (self, cancellable, callback, user_data, parsec_client_generate_random_async,
                           _parsec_opcode_get_name (PARSEC_OPCODE_PSA_GENERATE_RANDOM));
  g_task_set_task_data (task, random_fill_new (size), (GDestroyNotify) random_fill_free);
  generate_random_ask (task);
}

/**
 * parsec_client_generate_random_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.generate_random_async].
 *
 * Returns: (transfer full): the random bytes, in memory that is wiped when
 *   freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_generate_random_finish (ParsecClient *self,
                                      GAsyncResult *result,
                                      GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_generate_random:
 * @self: a #ParsecClient
 * @size: how many bytes
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the service for random bytes, blocking the calling thread.
 *
 * A service may give fewer bytes per request than asked for (the TPM
 * provider answers with one TPM2_GetRandom, 64 bytes on some TPMs): the
 * rest is then asked for again until @size bytes have come, each answer
 * holding at least one byte and at most the bytes still missing. An empty
 * or too long answer fails the call with %PARSEC_ERROR_PROTOCOL_VIOLATION.
 *
 * Returns: (transfer full): the random bytes, in memory that is wiped when
 *   freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_generate_random (ParsecClient *self,
                               gsize size,
                               GCancellable *cancellable,
                               GError **error)
{
  g_autoptr(RandomFill) fill = NULL;
  GBytes *whole = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);

  fill = random_fill_new (size);
  while (whole == NULL)
    {
      PsaGenerateRandom__Operation operation;
      const ProtobufCMessage *request;
      GError *build_error = NULL;
      g_autoptr(GBytes) answer = NULL;

      request = generate_random_build (&operation, random_fill_missing (fill), &build_error);
      answer = _parsec_result_take_bytes (_parsec_client_run (&PARSEC_CLIENT_TARGET (self, NULL), &op_generate_random, request,
                                                              build_error, cancellable, error),
                                          TRUE);
      if (answer == NULL)
        return NULL;
      whole = random_fill_add (fill, answer);
    }
  return whole;
}

static const ParsecOperation op_can_do_crypto = {
  PARSEC_OPCODE_CAN_DO_CRYPTO, PARSEC_CALL_AUTH_REQUIRED, &can_do_crypto__result__descriptor,
};

static ProtobufCMessage *
can_do_crypto_build (CanDoCrypto__Operation *operation,
                     ProtobufCMessage **part,
                     ParsecCheckType check,
                     ParsecKeyAttributes *attributes,
                     GError **error)
{
  can_do_crypto__operation__init (operation);
  operation->check_type = (CanDoCrypto__CheckType) check;
  *part = _parsec_key_attributes_to_message (attributes);
  operation->attributes = (PsaKeyAttributes__KeyAttributes *) *part;
  return &operation->base;
}

/**
 * parsec_client_can_do_crypto_async:
 * @self: a #ParsecClient
 * @check: what to check
 * @attributes: the key attributes to check
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Asks the provider whether it supports keys with the given attributes.
 * Finish with [method@Parsec.Client.can_do_crypto_finish].
 *
 * Since: 1.0
 */
void
parsec_client_can_do_crypto_async (ParsecClient *self,
                                   ParsecCheckType check,
                                   ParsecKeyAttributes *attributes,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  CanDoCrypto__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (check >= PARSEC_CHECK_TYPE_USE && check <= PARSEC_CHECK_TYPE_DERIVE);
  g_return_if_fail (attributes != NULL);

  request = can_do_crypto_build (&operation, &part, check, attributes, &error);
  _parsec_client_start (&PARSEC_CLIENT_TARGET (self, parsec_client_can_do_crypto_async), &op_can_do_crypto, request, error, cancellable,
                        callback, user_data, _parsec_call_done_boolean);
}

/**
 * parsec_client_can_do_crypto_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.can_do_crypto_async].
 *
 * Returns: %TRUE if the provider can; otherwise %FALSE with the provider's
 *   reason, typically %PARSEC_ERROR_PSA_NOT_SUPPORTED
 *
 * Since: 1.0
 */
gboolean
parsec_client_can_do_crypto_finish (ParsecClient *self,
                                    GAsyncResult *result,
                                    GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * parsec_client_can_do_crypto:
 * @self: a #ParsecClient
 * @check: what to check
 * @attributes: the key attributes to check
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the provider whether it supports keys with the given attributes,
 * blocking the calling thread.
 *
 * Returns: %TRUE if the provider can; otherwise %FALSE with the provider's
 *   reason, typically %PARSEC_ERROR_PSA_NOT_SUPPORTED
 *
 * Since: 1.0
 */
gboolean
parsec_client_can_do_crypto (ParsecClient *self,
                             ParsecCheckType check,
                             ParsecKeyAttributes *attributes,
                             GCancellable *cancellable,
                             GError **error)
{
  CanDoCrypto__Operation operation;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *build_error = NULL;
  ProtobufCMessage *result;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (check >= PARSEC_CHECK_TYPE_USE && check <= PARSEC_CHECK_TYPE_DERIVE, FALSE);
  g_return_val_if_fail (attributes != NULL, FALSE);

  request = can_do_crypto_build (&operation, &part, check, attributes, &build_error);
  result = _parsec_client_run (&PARSEC_CLIENT_TARGET (self, NULL), &op_can_do_crypto, request, build_error, cancellable, error);
  _parsec_message_free (result);
  return result != NULL;
}

/* Signing data with the key's own policy: hashing locally, or in the
 * provider for hashes the client does not compute */

/* How to sign data with a key of @attributes: the algorithm of its policy
 * with a definite hash (SHA-256 where the policy allows any). */
gboolean
_parsec_plan_data_signature (const char           *key_name,
                             ParsecKeyAttributes  *attributes,
                             ParsecAlgorithm     **algorithm,
                             ParsecHash           *hash,
                             GError              **error)
{
  ParsecAlgorithm *policy = parsec_key_attributes_get_algorithm (attributes);

  if (parsec_algorithm_get_kind (policy) != PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE ||
      _parsec_algorithm_get_variant (policy) == PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW)
    {
      g_autofree char *text = parsec_algorithm_to_string (policy);

      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("The policy of key \"%s\" (%s) does not let it sign data; use parsec_client_sign_hash() with an algorithm of your choice"),
                   key_name, text);
      return FALSE;
    }

  if (_parsec_algorithm_get_variant (policy) < PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15 ||
      _parsec_algorithm_get_variant (policy) > PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("The policy of key \"%s\" names signature scheme %u, which this version of parsec-glib does not know"),
                   key_name, _parsec_algorithm_get_variant (policy));
      return FALSE;
    }

  *hash = parsec_algorithm_get_hash (policy);
  if (*hash == PARSEC_HASH_ANY || *hash == PARSEC_HASH_NONE)
    *hash = PARSEC_HASH_SHA_256;
  /* The policy came from the service: a hash this library does not know
   * is passed on for the service to judge, not asserted on. */
  if (_parsec_algorithm_get_variant (policy) == PARSEC_SIGNATURE_SCHEME_ECDSA_ANY)
    *algorithm = parsec_algorithm_ref (policy);
  else
    *algorithm = _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE,
                                        _parsec_algorithm_get_variant (policy), *hash, 0, NULL);
  return TRUE;
}

/* The signature length a key of known size fixes: the modulus for RSA,
 * r ‖ s for ECDSA; 0 when the key's size is not known (imported with 0
 * bits). */
static gsize
signature_length (const ParsecKeyAttributes *attributes)
{
  gsize bytes = (parsec_key_attributes_get_bits (attributes) + 7) / 8;

  switch (parsec_key_attributes_get_key_type (attributes))
    {
    case PARSEC_KEY_TYPE_RSA_KEY_PAIR:
    case PARSEC_KEY_TYPE_RSA_PUBLIC_KEY:
      return bytes;
    case PARSEC_KEY_TYPE_ECC_KEY_PAIR:
    case PARSEC_KEY_TYPE_ECC_PUBLIC_KEY:
      return 2 * bytes;
    default:
      return 0;
    }
}

/* Whether @signature, which the service made with a key of @attributes
 * (or of unknown attributes, NULL), has the length the key fixes. */
gboolean
_parsec_check_signature_length (const ParsecKeyAttributes  *attributes,
                                GBytes                     *signature,
                                GError                    **error)
{
  gsize expected = attributes != NULL ? signature_length (attributes) : 0;

  if (signature == NULL || expected == 0 || g_bytes_get_size (signature) == expected)
    return TRUE;
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
               _("The Parsec service answered PsaSignHash with a signature of %zu bytes where the key "
                 "makes %zu"), g_bytes_get_size (signature), expected);
  return FALSE;
}

static void
data_signature_done (GTask            *task,
                     ProtobufCMessage *result)
{
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  GBytes *signature = _parsec_result_bytes (result, FALSE);
  GError *error = NULL;

  if (_parsec_check_signature_length (data->attributes, signature, &error))
    g_task_return_pointer (task, signature, (GDestroyNotify) g_bytes_unref);
  else
    {
      g_bytes_unref (signature);
      g_task_return_error (task, error);
    }
  g_object_unref (task);
}

/* Signs or verifies (when the task has a signature) the digest, with the
 * algorithm the task planned. */
static void
data_signature_send (GTask  *task,
                     GBytes *digest)
{
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  ParsecAlgorithm *algorithm = data->algorithm;
  g_autoptr(ProtobufCMessage) part = NULL;
  const ProtobufCMessage *request;
  GError *error = NULL;
  union {
    PsaSignHash__Operation sign_hash;
    PsaVerifyHash__Operation verify_hash;
  } operation;

  if (data->signature == NULL)
    request = sign_hash_build (&operation.sign_hash, &part, data->key_name, algorithm, digest, &error);
  else
    request = verify_hash_build (&operation.verify_hash, &part, data->key_name, algorithm, digest,
                                 data->signature, &error);
  if (request == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  _parsec_client_call_async (data->client, data->signature == NULL ? &op_sign_hash : &op_verify_hash,
                             data->provider, request, PARSEC_CALL_POLICY_HINT, task,
                             data->signature == NULL ? data_signature_done : _parsec_call_done_boolean);
}

static void
data_digest_done (GTask            *task,
                  ProtobufCMessage *result)
{
  g_autoptr(GBytes) digest = _parsec_result_bytes (result, TRUE);

  data_signature_send (task, digest);
}

/* Plans the signature of the task's data, then hashes and signs or
 * verifies it. */
static void
data_signature_begin (GTask *task)
{
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) digest = NULL;
  PsaHashCompute__Operation operation;
  const ProtobufCMessage *request;
  GError *error = NULL;
  ParsecHash hash;

  /* The plan is kept for when the provider's digest comes back. */
  if (!_parsec_plan_data_signature (data->key_name, data->attributes, &data->algorithm, &hash, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  digest = digest_bytes (hash, data->data);
  if (digest != NULL)
    {
      data_signature_send (task, digest);
      return;
    }

  /* The client does not compute the hash (SHA-3, …): the provider does.
   * Signing the message instead would need PsaSignMessage, which almost no
   * provider has, Mbed Crypto included. */
  request = hash_compute_build (&operation, hash, data->data, &error);
  _parsec_client_call_async (data->client, &op_hash_compute, data->provider, request, 0, task, data_digest_done);
}

/* The digest of @data: computed here when the client can, by the
 * provider otherwise. */
static GBytes *
data_digest (const ParsecTarget *target,
             ParsecHash     hash,
             GBytes        *data,
             GCancellable  *cancellable,
             GError       **error)
{
  PsaHashCompute__Operation operation;
  GBytes *digest = digest_bytes (hash, data);

  if (digest != NULL)
    return digest;
  /* Built here rather than through parsec_client_hash_compute(): the hash
   * comes from a policy the service sent, which may name a hash the
   * public checks refuse; the service judges it, as in the async path. */
  return _parsec_result_take_bytes (_parsec_client_run (target, &op_hash_compute, hash_compute_build (&operation, hash, data, NULL), NULL, cancellable, error),
                                    TRUE);
}

/* Signing or verifying (when @signature is set) data with a key's own
 * policy, for #ParsecKey. */
void
_parsec_data_signature_start (const ParsecTarget  *target,
                              const char          *key_name,
                              ParsecKeyAttributes *attributes,
                              GBytes              *data,
                              GBytes              *signature,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = _parsec_key_task_new (target, key_name, cancellable, callback, user_data);
  ParsecKeyTaskData *task_data = g_task_get_task_data (task);

  task_data->data = g_bytes_ref (data);
  task_data->signature = signature != NULL ? g_bytes_ref (signature) : NULL;
  task_data->attributes = parsec_key_attributes_ref (attributes);
  data_signature_begin (task);
}

/* Signs @digest, or verifies @signature of it; for a verification the
 * result is @signature. */
static GBytes *
digest_signature_run (const ParsecTarget   *target,
                      const char           *key_name,
                      ParsecKeyAttributes  *attributes,
                      ParsecAlgorithm      *algorithm,
                      GBytes               *digest,
                      GBytes               *signature,
                      GCancellable         *cancellable,
                      GError              **error)
{
  g_autoptr(GBytes) made = NULL;

  if (signature != NULL)
    {
      if (!_parsec_verify_hash_run (target, key_name, algorithm, digest, signature, cancellable, error))
        return NULL;
      return g_bytes_ref (signature);
    }
  made = _parsec_sign_hash_run (target, key_name, algorithm, digest, cancellable, error);
  if (!_parsec_check_signature_length (attributes, made, error))
    return NULL;
  return g_steal_pointer (&made);
}

GBytes *
_parsec_data_signature_run (const ParsecTarget   *target,
                            const char           *key_name,
                            ParsecKeyAttributes  *attributes,
                            GBytes               *data,
                            GBytes               *signature,
                            GCancellable         *cancellable,
                            GError              **error)
{
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  g_autoptr(GBytes) digest = NULL;
  ParsecHash hash;

  if (!_parsec_plan_data_signature (key_name, attributes, &algorithm, &hash, error))
    return NULL;
  digest = data_digest (target, hash, data, cancellable, error);
  if (digest == NULL)
    return NULL;
  return digest_signature_run (target, key_name, attributes, algorithm, digest, signature, cancellable, error);
}

/* Signing or verifying data read from a stream: hashed here chunk by
 * chunk, so that memory stays flat whatever the size. */

#define STREAM_CHUNK_SIZE (64 * 1024)

/* The plan of a data signature, and the hash in progress. */
static gboolean
plan_stream_signature (const char           *key_name,
                       ParsecKeyAttributes  *attributes,
                       ParsecAlgorithm     **algorithm,
                       Digest        **digest,
                       GError              **error)
{
  ParsecHash hash;

  if (!_parsec_plan_data_signature (key_name, attributes, algorithm, &hash, error))
    return FALSE;
  *digest = digest_new (hash);
  if (*digest != NULL)
    return TRUE;
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
               _("The policy of key \"%s\" hashes with %s, which parsec-glib does not compute itself, so it "
                 "cannot sign a stream; parsec_key_sign_data() lets the provider hash data of up to 1 MiB"),
               key_name, _parsec_hash_get_name (hash));
  g_clear_pointer (algorithm, parsec_algorithm_unref);
  return FALSE;
}

static void
prefix_read_error (GError **error)
{
  g_prefix_error (error, _("Cannot read the data to sign or verify: "));
}

static void stream_read_next (GTask *task);

static void
stream_chunk_read (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  g_autoptr(GBytes) digest = NULL;
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        prefix_read_error (&error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (n > 0)
    {
      digest_update (data->digest, data->chunk, (gsize) n);
      stream_read_next (task);
      return;
    }
  digest = digest_finish (g_steal_pointer (&data->digest));
  g_clear_pointer (&data->chunk, secure_free);
  data_signature_send (task, digest);
}

static void
stream_read_next (GTask *task)
{
  ParsecKeyTaskData *data = g_task_get_task_data (task);

  g_input_stream_read_async (data->stream, data->chunk, STREAM_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), stream_chunk_read, task);
}

static void
stream_file_opened (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->stream = G_INPUT_STREAM (g_file_read_finish (G_FILE (source), result, &error));
  if (data->stream == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  stream_read_next (task);
}

/* Signing or verifying (when @signature is set) what @stream, or else
 * @file, holds, with a key's own policy, for #ParsecKey. */
void
_parsec_stream_signature_start (const ParsecTarget  *target,
                                const char          *key_name,
                                ParsecKeyAttributes *attributes,
                                GInputStream        *stream,
                                GFile               *file,
                                GBytes              *signature,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task = _parsec_key_task_new (target, key_name, cancellable, callback, user_data);
  ParsecKeyTaskData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->signature = signature != NULL ? g_bytes_ref (signature) : NULL;
  data->attributes = parsec_key_attributes_ref (attributes);
  if (!plan_stream_signature (key_name, attributes, &data->algorithm, &data->digest, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  /* The chunk holds the data, which may be secret: wiped like it. */
  data->chunk = secure_alloc (STREAM_CHUNK_SIZE);
  if (stream != NULL)
    {
      data->stream = g_object_ref (stream);
      stream_read_next (task);
    }
  else
    g_file_read_async (file, G_PRIORITY_DEFAULT, cancellable, stream_file_opened, task);
}

static GBytes *
stream_digest (GInputStream  *stream,
               Digest  *digest,
               GCancellable  *cancellable,
               GError       **error)
{
  guint8 *chunk = secure_alloc (STREAM_CHUNK_SIZE);
  gssize n;

  while ((n = g_input_stream_read (stream, chunk, STREAM_CHUNK_SIZE, cancellable, error)) > 0)
    digest_update (digest, chunk, (gsize) n);
  secure_free (chunk);
  if (n < 0)
    {
      if (error != NULL && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        prefix_read_error (error);
      digest_free (digest);
      return NULL;
    }
  return digest_finish (digest);
}

GBytes *
_parsec_stream_signature_run (const ParsecTarget   *target,
                              const char           *key_name,
                              ParsecKeyAttributes  *attributes,
                              GInputStream         *stream,
                              GFile                *file,
                              GBytes               *signature,
                              GCancellable         *cancellable,
                              GError              **error)
{
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  g_autoptr(GInputStream) opened = NULL;
  g_autoptr(GBytes) digest = NULL;
  Digest *state;

  if (!plan_stream_signature (key_name, attributes, &algorithm, &state, error))
    return NULL;
  opened = stream != NULL ? g_object_ref (stream) : G_INPUT_STREAM (g_file_read (file, cancellable, error));
  if (opened == NULL)
    {
      digest_free (state);
      return NULL;
    }
  digest = stream_digest (opened, state, cancellable, error);
  if (digest == NULL)
    return NULL;
  return digest_signature_run (target, key_name, attributes, algorithm, digest, signature, cancellable, error);
}
