/* dispatch.c: the operation table and the checks a parsed request goes through
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The order of the checks follows the real service (front_end.rs,
 * dispatcher.rs, backend_handler.rs): authentication, provider lookup,
 * core-versus-crypto capability, admin rights, body decoding, the need
 * for an authenticated caller, and only then the provider.
 */
#include "config.h"

#include <string.h>

#include "parsec-secure-private.h"
#include "test-service.h"

#include "can_do_crypto.pb-c.h"
#include "attest_key.pb-c.h"
#include "delete_client.pb-c.h"
#include "list_authenticators.pb-c.h"
#include "list_clients.pb-c.h"
#include "list_keys.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"
#include "ping.pb-c.h"
#include "prepare_key_attestation.pb-c.h"
#include "psa_aead_decrypt.pb-c.h"
#include "psa_aead_encrypt.pb-c.h"
#include "psa_asymmetric_decrypt.pb-c.h"
#include "psa_asymmetric_encrypt.pb-c.h"
#include "psa_cipher_decrypt.pb-c.h"
#include "psa_cipher_encrypt.pb-c.h"
#include "psa_destroy_key.pb-c.h"
#include "psa_export_key.pb-c.h"
#include "psa_export_public_key.pb-c.h"
#include "psa_generate_key.pb-c.h"
#include "psa_generate_random.pb-c.h"
#include "psa_hash_compare.pb-c.h"
#include "psa_hash_compute.pb-c.h"
#include "psa_import_key.pb-c.h"
#include "psa_raw_key_agreement.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "psa_sign_message.pb-c.h"
#include "psa_verify_hash.pb-c.h"
#include "psa_verify_message.pb-c.h"

#define OP(code, kind, access, listed, file, handler) \
  { code, kind, access, listed, &file##__operation__descriptor, &file##__result__descriptor, handler }

/* Every opcode the service's Opcode enum knows; anything else is
 * OpcodeDoesNotExist while the header is parsed. The MAC operations
 * (0x16, 0x17) have contracts but no opcode in the service, so they are
 * absent here too. The core provider lists only five of its operations
 * (providers/core/mod.rs); the Mbed Crypto provider lists what it serves. */
static const OpEntry ops[] = {
  OP (0x01, OP_CORE,   ACCESS_ANYONE,        TRUE,  ping,                    core_ping),
  OP (0x02, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_generate_key,        crypto_generate_key),
  OP (0x03, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_destroy_key,         crypto_destroy_key),
  OP (0x04, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_sign_hash,           crypto_sign_hash),
  OP (0x05, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_verify_hash,         crypto_verify_hash),
  OP (0x06, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_import_key,          crypto_import_key),
  OP (0x07, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_export_public_key,   crypto_export_public_key),
  OP (0x08, OP_CORE,   ACCESS_ANYONE,        TRUE,  list_providers,          core_list_providers),
  OP (0x09, OP_CORE,   ACCESS_ANYONE,        TRUE,  list_opcodes,            core_list_opcodes),
  OP (0x0A, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_asymmetric_encrypt,  crypto_asymmetric_encrypt),
  OP (0x0B, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_asymmetric_decrypt,  crypto_asymmetric_decrypt),
  OP (0x0C, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_export_key,          crypto_export_key),
  OP (0x0D, OP_CRYPTO, ACCESS_ANYONE,        TRUE,  psa_generate_random,     crypto_generate_random),
  OP (0x0E, OP_CORE,   ACCESS_ANYONE,        TRUE,  list_authenticators,     core_list_authenticators),
  OP (0x0F, OP_CRYPTO, ACCESS_ANYONE,        TRUE,  psa_hash_compute,        crypto_hash_compute),
  OP (0x10, OP_CRYPTO, ACCESS_ANYONE,        TRUE,  psa_hash_compare,        crypto_hash_compare),
  OP (0x11, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_aead_encrypt,        crypto_aead_encrypt),
  OP (0x12, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_aead_decrypt,        crypto_aead_decrypt),
  OP (0x13, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_raw_key_agreement,   crypto_raw_key_agreement),
  OP (0x14, OP_CRYPTO, ACCESS_AUTHENTICATED, FALSE, psa_cipher_encrypt,      NULL),
  OP (0x15, OP_CRYPTO, ACCESS_AUTHENTICATED, FALSE, psa_cipher_decrypt,      NULL),
  /* The Mbed Crypto provider does not implement these (absent from its
   * SUPPORTED_OPCODES); served only with --sign-message. */
  OP (0x18, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_sign_message,        crypto_sign_message),
  OP (0x19, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  psa_verify_message,      crypto_verify_message),
  OP (0x1A, OP_CORE,   ACCESS_AUTHENTICATED, TRUE,  list_keys,               core_list_keys),
  OP (0x1B, OP_CORE,   ACCESS_ADMIN,         FALSE, list_clients,            core_list_clients),
  OP (0x1C, OP_CORE,   ACCESS_ADMIN,         FALSE, delete_client,           core_delete_client),
  /* Only the TPM provider attests keys (--provider tpm). */
  OP (0x1E, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  attest_key,              attestation_attest_key),
  OP (0x1F, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  prepare_key_attestation, attestation_prepare),
  OP (0x20, OP_CRYPTO, ACCESS_AUTHENTICATED, TRUE,  can_do_crypto,           crypto_can_do_crypto),
};

const OpEntry *
service_find_op (guint32 opcode)
{
  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    if (ops[i].opcode == opcode)
      return &ops[i];
  return NULL;
}

/* The TPM provider's SUPPORTED_OPCODES (providers/tpm/mod.rs); what it
 * does not implement answers PsaErrorNotSupported from the provider
 * trait's defaults. */
static const guint32 tpm_opcodes[] = {
  0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0A, 0x0B, 0x0D, 0x1E, 0x1F, 0x20,
};

static gboolean
tpm_has_opcode (guint32 opcode)
{
  for (gsize i = 0; i < G_N_ELEMENTS (tpm_opcodes); i++)
    if (tpm_opcodes[i] == opcode)
      return TRUE;
  return FALSE;
}

gboolean
service_op_available (const Service *service,
                      const OpEntry *entry)
{
  if (entry->handler == NULL)
    return FALSE;
  if (service->provider == PROVIDER_TPM && entry->kind == OP_CRYPTO)
    return tpm_has_opcode (entry->opcode);
  if (entry->handler == crypto_sign_message || entry->handler == crypto_verify_message)
    return service->sign_message;
  if (entry->handler == attestation_attest_key || entry->handler == attestation_prepare)
    return FALSE;
  return TRUE;
}

GArray *
service_list_opcodes (const Service *service,
                      guint8         provider)
{
  GArray *opcodes = g_array_new (FALSE, FALSE, sizeof (guint32));
  OpKind kind = provider == PROVIDER_CORE ? OP_CORE : OP_CRYPTO;

  for (gsize i = 0; i < G_N_ELEMENTS (ops); i++)
    if (ops[i].kind == kind && ops[i].listed && service_op_available (service, &ops[i]))
      g_array_append_val (opcodes, ops[i].opcode);
  return opcodes;
}

guint16
service_status_from_psa (psa_status_t status)
{
  if (status == PSA_SUCCESS)
    return STATUS_SUCCESS;
  if (status <= PSA_ERROR_GENERIC_ERROR && status >= PSA_ERROR_DATA_INVALID)
    return (guint16) (1000 - status);
  return STATUS_PSA_GENERIC_ERROR;
}

void *
service_result_bytes (ProtobufCBinaryData *field,
                      gsize                size)
{
  field->data = secure_alloc (size);
  field->len = size;
  return field->data;
}

/* protobuf-c accepts any bytes in string fields; the service's decoder
 * does not, so a name that is not UTF-8 fails to decode there. */
static gboolean
message_strings_valid (const ProtobufCMessage *message)
{
  const ProtobufCMessageDescriptor *desc = message->descriptor;

  for (unsigned i = 0; i < desc->n_fields; i++)
    {
      const ProtobufCFieldDescriptor *field = &desc->fields[i];
      const char *member = (const char *) message + field->offset;
      gsize count = 1;

      if (field->type != PROTOBUF_C_TYPE_STRING && field->type != PROTOBUF_C_TYPE_MESSAGE)
        continue;
      if ((field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
          *(const uint32_t *) ((const char *) message + field->quantifier_offset) != field->id)
        continue;

      if (field->label == PROTOBUF_C_LABEL_REPEATED)
        {
          count = *(const size_t *) ((const char *) message + field->quantifier_offset);
          member = *(const char * const *) member;
        }

      for (gsize j = 0; j < count; j++)
        {
          const void *value = ((const void * const *) member)[j];

          if (value == NULL)
            continue;
          if (field->type == PROTOBUF_C_TYPE_STRING ? !g_utf8_validate (value, -1, NULL)
                                                    : !message_strings_valid (value))
            return FALSE;
        }
    }
  return TRUE;
}

/* Returns the identity, or NULL and the status to answer with. */
static char *
authenticate (const Service *service,
              const guint8  *auth,
              gsize          auth_len,
              uid_t          peer_uid,
              guint16       *status)
{
  *status = STATUS_AUTHENTICATION_ERROR;

  if (service->auth_type == AUTH_DIRECT)
    {
      /* C strings cannot hold a NUL, so a name with one is refused
       * rather than silently shortened into another application. */
      if (auth_len == 0 || memchr (auth, '\0', auth_len) != NULL ||
          !g_utf8_validate ((const char *) auth, auth_len, NULL))
        return NULL;
      *status = STATUS_SUCCESS;
      return g_strndup ((const char *) auth, auth_len);
    }
  else
    {
      guint32 uid;

      if (auth_len != 4)
        return NULL;
      uid = (guint32) auth[0] | ((guint32) auth[1] << 8) | ((guint32) auth[2] << 16) | ((guint32) auth[3] << 24);
      if (uid != (guint32) peer_uid)
        return NULL;
      *status = STATUS_SUCCESS;
      return g_strdup_printf ("%u", uid);
    }
}

static void
message_free (ProtobufCMessage *message)
{
  if (message != NULL)
    protobuf_c_message_free_unpacked (message, &_parsec_secure_protobuf_allocator);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProtobufCMessage, message_free)

guint16
service_dispatch (Service       *service,
                  guint8         auth_type,
                  const guint8  *auth,
                  gsize          auth_len,
                  uid_t          peer_uid,
                  guint8         provider,
                  guint32        opcode,
                  const guint8  *body,
                  gsize          body_len,
                  guint8       **response_body,
                  gsize         *response_len)
{
  const OpEntry *entry = service_find_op (opcode);
  g_autofree char *app = NULL;
  g_autoptr(ProtobufCMessage) operation = NULL;
  g_autoptr(ProtobufCMessage) result = NULL;
  Caller caller = { service, NULL };
  guint16 status;

  g_return_val_if_fail (entry != NULL, STATUS_OPCODE_DOES_NOT_EXIST);

  *response_body = NULL;
  *response_len = 0;

  /* A request without authentication is anonymous whatever its auth
   * field holds; the service ignores that field then. */
  if (auth_type != AUTH_NONE)
    {
      if (auth_type != service->auth_type)
        return STATUS_AUTHENTICATOR_NOT_REGISTERED;
      app = authenticate (service, auth, auth_len, peer_uid, &status);
      if (app == NULL)
        return status;
    }
  caller.app = app;

  if (provider != PROVIDER_CORE && provider != service->provider)
    return STATUS_PROVIDER_NOT_REGISTERED;

  if ((provider == PROVIDER_CORE) != (entry->kind == OP_CORE))
    return STATUS_PSA_NOT_SUPPORTED;

  if (entry->access == ACCESS_ADMIN)
    {
      if (app == NULL)
        return STATUS_NOT_AUTHENTICATED;
      if (service->admins == NULL || !g_strv_contains ((const char * const *) service->admins, app))
        return STATUS_ADMIN_OPERATION;
    }

  operation = protobuf_c_message_unpack (entry->operation_type, &_parsec_secure_protobuf_allocator,
                                         body_len, body);
  if (operation == NULL || !message_strings_valid (operation))
    return STATUS_DESERIALIZING_BODY_FAILED;
  status = convert_operation (opcode, operation);
  if (status != STATUS_SUCCESS)
    return status;

  if (entry->access != ACCESS_ANYONE && app == NULL)
    return STATUS_NOT_AUTHENTICATED;

  if (!service_op_available (service, entry))
    return STATUS_PSA_NOT_SUPPORTED;

  result = secure_alloc (entry->result_type->sizeof_message);
  protobuf_c_message_init (entry->result_type, result);
  status = entry->handler (&caller, operation, result);
  if (status != STATUS_SUCCESS)
    return status;

  *response_len = protobuf_c_message_get_packed_size (result);
  *response_body = secure_alloc (*response_len);
  protobuf_c_message_pack (result, *response_body);
  return STATUS_SUCCESS;
}
