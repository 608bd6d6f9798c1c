/* parsec-client-attestation.c: key attestation (TPM ActivateCredential)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-secure-private.h"

#include "attest_key.pb-c.h"
#include "prepare_key_attestation.pb-c.h"


static const ParsecOperation op_prepare_key_attestation = {
  PARSEC_OPCODE_PREPARE_KEY_ATTESTATION, PARSEC_CALL_AUTH_REQUIRED, &prepare_key_attestation__result__descriptor,
};
/* The TPM provider maps every TPM error it has no row for to
 * PsaErrorCommunicationFailure, among them the integrity check that fails
 * when a credential was made for another key or another TPM. */
static const ParsecHint attest_key_hint = {
  PARSEC_ERROR_PSA_COMMUNICATION_FAILURE,
  N_("The TPM provider also answers so when the credential was not made for this key's name and this TPM's "
     "endorsement key, or was damaged on the way"),
};

static const ParsecHint *
attest_key_hint_of (const ProtobufCMessage *operation)
{
  return &attest_key_hint;
}

static const ParsecOperation op_attest_key = {
  PARSEC_OPCODE_ATTEST_KEY, PARSEC_CALL_AUTH_REQUIRED, &attest_key__result__descriptor,
  attest_key_hint_of,
};

/**
 * ParsecKeyAttestationPreparation:
 *
 * What a verifier needs to build the challenge of a TPM ActivateCredential
 * attestation, from [method@Parsec.Client.prepare_key_attestation].
 *
 * Since: 1.0
 */
struct _ParsecKeyAttestationPreparation {
  gatomicrefcount ref_count;
  GBytes *name;
  GBytes *public_area;
  GBytes *attesting_key_public;
};

G_DEFINE_BOXED_TYPE (ParsecKeyAttestationPreparation, parsec_key_attestation_preparation,
                     parsec_key_attestation_preparation_ref, parsec_key_attestation_preparation_unref)

/**
 * parsec_key_attestation_preparation_ref:
 * @self: a #ParsecKeyAttestationPreparation
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
ParsecKeyAttestationPreparation *
parsec_key_attestation_preparation_ref (ParsecKeyAttestationPreparation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * parsec_key_attestation_preparation_unref:
 * @self: a #ParsecKeyAttestationPreparation
 *
 * Drops a reference.
 *
 * Since: 1.0
 */
void
parsec_key_attestation_preparation_unref (ParsecKeyAttestationPreparation *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_pointer (&self->name, g_bytes_unref);
  g_clear_pointer (&self->public_area, g_bytes_unref);
  g_clear_pointer (&self->attesting_key_public, g_bytes_unref);
  g_free (self);
}

/**
 * parsec_key_attestation_preparation_get_name:
 * @self: a #ParsecKeyAttestationPreparation
 *
 * Gets the TPM name of the attested key.
 *
 * Returns: (transfer none): the name
 *
 * Since: 1.0
 */
GBytes *
parsec_key_attestation_preparation_get_name (ParsecKeyAttestationPreparation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

/**
 * parsec_key_attestation_preparation_get_public_area:
 * @self: a #ParsecKeyAttestationPreparation
 *
 * Gets the TPM public area of the attested key.
 *
 * Returns: (transfer none): the public area
 *
 * Since: 1.0
 */
GBytes *
parsec_key_attestation_preparation_get_public_area (ParsecKeyAttestationPreparation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->public_area;
}

/**
 * parsec_key_attestation_preparation_get_attesting_key_public:
 * @self: a #ParsecKeyAttestationPreparation
 *
 * Gets the public key of the attesting key, with which the verifier
 * makes its credential.
 *
 * Returns: (transfer none): the public key
 *
 * Since: 1.0
 */
GBytes *
parsec_key_attestation_preparation_get_attesting_key_public (ParsecKeyAttestationPreparation *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->attesting_key_public;
}

typedef ParsecKeyAttestationPreparation Preparation;

static GBytes *
bytes_from_binary (const ProtobufCBinaryData *binary)
{
  return g_bytes_new (binary->data, binary->len);
}

static Preparation *
preparation_from_result (ProtobufCMessage  *message,
                         GError           **error)
{
  PrepareKeyAttestation__Result *result = (PrepareKeyAttestation__Result *) message;
  PrepareKeyAttestation__PrepareKeyAttestationOutput__ActivateCredential *credential;
  Preparation *preparation;

  if (result->output == NULL ||
      result->output->mechanism_case != PREPARE_KEY_ATTESTATION__PREPARE_KEY_ATTESTATION_OUTPUT__MECHANISM_ACTIVATE_CREDENTIAL)
    {
      g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                           _("The Parsec service answered PrepareKeyAttestation without ActivateCredential parameters"));
      return NULL;
    }
  credential = result->output->activate_credential;
  preparation = g_new0 (Preparation, 1);
  g_atomic_ref_count_init (&preparation->ref_count);
  preparation->name = bytes_from_binary (&credential->name);
  preparation->public_area = bytes_from_binary (&credential->public_);
  preparation->attesting_key_public = bytes_from_binary (&credential->attesting_key_pub);
  return preparation;
}

typedef struct {
  PrepareKeyAttestation__Operation operation;
  PrepareKeyAttestation__PrepareKeyAttestationParams params;
  PrepareKeyAttestation__PrepareKeyAttestationParams__ActivateCredential credential;
} PrepareRequest;

static const ProtobufCMessage *
prepare_request_init (PrepareRequest *request,
                      const char     *attested_key_name,
                      const char     *attesting_key_name)
{
  prepare_key_attestation__operation__init (&request->operation);
  prepare_key_attestation__prepare_key_attestation_params__init (&request->params);
  prepare_key_attestation__prepare_key_attestation_params__activate_credential__init (&request->credential);
  /* An empty attesting key name asks for the service's default key. */
  request->credential.attested_key_name = (char *) attested_key_name;
  request->credential.attesting_key_name = (char *) (attesting_key_name ? attesting_key_name : "");
  request->params.mechanism_case = PREPARE_KEY_ATTESTATION__PREPARE_KEY_ATTESTATION_PARAMS__MECHANISM_ACTIVATE_CREDENTIAL;
  request->params.activate_credential = &request->credential;
  request->operation.parameters = &request->params;
  return &request->operation.base;
}

static void
prepare_done (GTask            *task,
              ProtobufCMessage *result)
{
  GError *error = NULL;
  Preparation *preparation = preparation_from_result (result, &error);

  if (preparation != NULL)
    g_task_return_pointer (task, preparation, (GDestroyNotify) parsec_key_attestation_preparation_unref);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * parsec_client_prepare_key_attestation_async:
 * @self: a #ParsecClient
 * @attested_key_name: the key to attest
 * @attesting_key_name: (nullable): the key that attests, or %NULL for the
 *   provider's default attestation key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Gets what a verifier needs to build the challenge of a TPM
 * ActivateCredential attestation. Only the TPM provider attests keys.
 * Finish with [method@Parsec.Client.prepare_key_attestation_finish].
 *
 * Since: 1.0
 */
void
parsec_client_prepare_key_attestation_async (ParsecClient        *self,
                                             const char          *attested_key_name,
                                             const char          *attesting_key_name,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data)
{
  PrepareRequest request;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (attested_key_name != NULL && g_utf8_validate (attested_key_name, -1, NULL));

  _parsec_client_start (&PARSEC_CLIENT_TARGET (self, parsec_client_prepare_key_attestation_async), &op_prepare_key_attestation, prepare_request_init (&request, attested_key_name, attesting_key_name), NULL, cancellable,
                        callback, user_data, prepare_done);
}

/**
 * parsec_client_prepare_key_attestation_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.prepare_key_attestation_async].
 *
 * Returns: (transfer full): what the verifier needs, or %NULL on error
 *
 * Since: 1.0
 */
ParsecKeyAttestationPreparation *
parsec_client_prepare_key_attestation_finish (ParsecClient  *self,
                                              GAsyncResult  *result,
                                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_prepare_key_attestation:
 * @self: a #ParsecClient
 * @attested_key_name: the key to attest
 * @attesting_key_name: (nullable): the key that attests, or %NULL for the
 *   provider's default attestation key
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Gets what a verifier needs to build the challenge of a TPM
 * ActivateCredential attestation, blocking the calling thread.
 *
 * Returns: (transfer full): what the verifier needs, or %NULL on error
 *
 * Since: 1.0
 */
ParsecKeyAttestationPreparation *
parsec_client_prepare_key_attestation (ParsecClient  *self,
                                       const char    *attested_key_name,
                                       const char    *attesting_key_name,
                                       GCancellable  *cancellable,
                                       GError       **error)
{
  PrepareRequest request;
  g_autoptr(ProtobufCMessage) result = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (attested_key_name != NULL && g_utf8_validate (attested_key_name, -1, NULL), NULL);

  result = _parsec_client_run (&PARSEC_CLIENT_TARGET (self, NULL), &op_prepare_key_attestation,
                               prepare_request_init (&request, attested_key_name, attesting_key_name),
                               NULL, cancellable, error);
  if (result == NULL)
    return NULL;
  return preparation_from_result (result, error);
}

typedef struct {
  AttestKey__Operation operation;
  AttestKey__AttestationMechanismParams params;
  AttestKey__AttestationMechanismParams__ActivateCredential credential;
} AttestRequest;

static const ProtobufCMessage *
attest_request_init (AttestRequest *request,
                     const char    *attested_key_name,
                     GBytes        *credential_blob,
                     GBytes        *secret,
                     const char    *attesting_key_name)
{
  attest_key__operation__init (&request->operation);
  attest_key__attestation_mechanism_params__init (&request->params);
  attest_key__attestation_mechanism_params__activate_credential__init (&request->credential);
  request->credential.credential_blob = _parsec_binary_from_bytes (credential_blob);
  request->credential.secret = _parsec_binary_from_bytes (secret);
  request->params.mechanism_case = ATTEST_KEY__ATTESTATION_MECHANISM_PARAMS__MECHANISM_ACTIVATE_CREDENTIAL;
  request->params.activate_credential = &request->credential;
  request->operation.attested_key_name = (char *) attested_key_name;
  request->operation.parameters = &request->params;
  request->operation.attesting_key_name = (char *) (attesting_key_name ? attesting_key_name : "");
  return &request->operation.base;
}

static GBytes *
credential_from_result (ProtobufCMessage  *message,
                        GError           **error)
{
  AttestKey__Result *result = (AttestKey__Result *) message;

  if (result->output == NULL ||
      result->output->mechanism_case != ATTEST_KEY__ATTESTATION_OUTPUT__MECHANISM_ACTIVATE_CREDENTIAL)
    {
      g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                           _("The Parsec service answered AttestKey without an ActivateCredential output"));
      return NULL;
    }
  /* The recovered credential is the verifier's secret. */
  return secure_bytes_new (result->output->activate_credential->credential.data,
                                   result->output->activate_credential->credential.len);
}

static void
attest_done (GTask            *task,
             ProtobufCMessage *result)
{
  GError *error = NULL;
  GBytes *credential = credential_from_result (result, &error);

  if (credential != NULL)
    g_task_return_pointer (task, credential, (GDestroyNotify) g_bytes_unref);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

/**
 * parsec_client_attest_key_async:
 * @self: a #ParsecClient
 * @attested_key_name: the key to attest
 * @credential_blob: the verifier's credential blob
 * @secret: the verifier's encrypted secret
 * @attesting_key_name: (nullable): the key that attests, or %NULL for the
 *   provider's default attestation key
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Answers a TPM ActivateCredential challenge, proving that the attested
 * key lives in the same TPM as the attesting key. Finish with
 * [method@Parsec.Client.attest_key_finish].
 *
 * Since: 1.0
 */
void
parsec_client_attest_key_async (ParsecClient        *self,
                                const char          *attested_key_name,
                                GBytes              *credential_blob,
                                GBytes              *secret,
                                const char          *attesting_key_name,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  AttestRequest request;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (attested_key_name != NULL && g_utf8_validate (attested_key_name, -1, NULL));
  g_return_if_fail (credential_blob != NULL && secret != NULL);

  _parsec_client_start (&PARSEC_CLIENT_TARGET (self, parsec_client_attest_key_async), &op_attest_key, attest_request_init (&request, attested_key_name, credential_blob, secret,
                                             attesting_key_name), NULL, cancellable,
                        callback, user_data, attest_done);
}

/**
 * parsec_client_attest_key_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.attest_key_async].
 *
 * Returns: (transfer full): the recovered credential, in memory that is
 *   wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_attest_key_finish (ParsecClient  *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * parsec_client_attest_key:
 * @self: a #ParsecClient
 * @attested_key_name: the key to attest
 * @credential_blob: the verifier's credential blob
 * @secret: the verifier's encrypted secret
 * @attesting_key_name: (nullable): the key that attests, or %NULL for the
 *   provider's default attestation key
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Answers a TPM ActivateCredential challenge, blocking the calling thread.
 *
 * Returns: (transfer full): the recovered credential, in memory that is
 *   wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_client_attest_key (ParsecClient  *self,
                          const char    *attested_key_name,
                          GBytes        *credential_blob,
                          GBytes        *secret,
                          const char    *attesting_key_name,
                          GCancellable  *cancellable,
                          GError       **error)
{
  AttestRequest request;
  g_autoptr(ProtobufCMessage) result = NULL;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (attested_key_name != NULL && g_utf8_validate (attested_key_name, -1, NULL), NULL);
  g_return_val_if_fail (credential_blob != NULL && secret != NULL, NULL);

  result = _parsec_client_run (&PARSEC_CLIENT_TARGET (self, NULL), &op_attest_key, attest_request_init (&request, attested_key_name, credential_blob, secret,
                                                    attesting_key_name), NULL, cancellable, error);
  if (result == NULL)
    return NULL;
  return credential_from_result (result, error);
}
