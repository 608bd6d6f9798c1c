/* parsec-error.c: the error domain and the service's status codes
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-error-private.h"
#include "parsec-i18n-private.h"
#include "parsec-wire-private.h"

/**
 * parsec_error_quark:
 *
 * The quark of the [error@Parsec.Error] domain.
 *
 * Returns: the error quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (parsec-error-quark, parsec_error)

typedef struct {
  guint16 status;
  const char *name;
  const char *meaning;
} StatusInfo;

/* Sorted by status; the texts say what happened in terms a person can act on. */
static const StatusInfo status_table[] = {
  { 1, "WrongProviderId", N_("the request was sent to the wrong provider") },
  { 2, "ContentTypeNotSupported", N_("the service cannot read the request body's format") },
  { 3, "AcceptTypeNotSupported", N_("the service cannot answer in the requested format") },
  { 4, "WireProtocolVersionNotSupported", N_("the service does not speak this wire protocol version") },
  { 5, "ProviderNotRegistered", N_("the service does not run the requested provider") },
  { 6, "ProviderDoesNotExist", N_("the service does not know the requested provider") },
  { 7, "DeserializingBodyFailed", N_("the service could not decode the request body") },
  { 8, "SerializingBodyFailed", N_("the service could not encode its answer") },
  { 9, "OpcodeDoesNotExist", N_("the service does not implement this operation") },
  { 10, "ResponseTooLarge", N_("the answer would exceed the service's buffer limit") },
  { 11, "AuthenticationError", N_("the service rejected the client's authentication") },
  { 12, "AuthenticatorDoesNotExist", N_("the service does not know this authentication type") },
  { 13, "AuthenticatorNotRegistered", N_("the service does not run this authenticator") },
  { 14, "KeyInfoManagerError", N_("the service's key store failed") },
  { 15, "ConnectionError", N_("the service had a connection problem") },
  { 16, "InvalidEncoding", N_("a value in the request is not valid") },
  { 17, "InvalidHeader", N_("the service found the request header malformed") },
  { 18, "WrongProviderUuid", N_("the provider's UUID does not match") },
  { 19, "NotAuthenticated", N_("this operation needs authentication") },
  { 20, "BodySizeExceedsLimit", N_("the request body is larger than the service accepts") },
  { 21, "AdminOperation", N_("only an administrator of the service may do this") },
  { 22, "DeprecatedPrimitive", N_("the key template uses a deprecated algorithm or key type") },
  { 1132, "PsaErrorGenericError", N_("the provider failed") },
  { 1133, "PsaErrorNotPermitted", N_("the key's policy does not permit this") },
  { 1134, "PsaErrorNotSupported", N_("the provider does not support this") },
  { 1135, "PsaErrorInvalidArgument", N_("an argument is not valid for this key or algorithm") },
  { 1136, "PsaErrorInvalidHandle", N_("the key handle is not valid") },
  { 1137, "PsaErrorBadState", N_("the provider is in the wrong state for this") },
  { 1138, "PsaErrorBufferTooSmall", N_("an output buffer is too small") },
  { 1139, "PsaErrorAlreadyExists", N_("a key with this name already exists") },
  { 1140, "PsaErrorDoesNotExist", N_("no key with this name exists") },
  { 1141, "PsaErrorInsufficientMemory", N_("the provider is out of memory") },
  { 1142, "PsaErrorInsufficientStorage", N_("the provider is out of key storage") },
  { 1143, "PsaErrorInsufficientData", N_("not enough data") },
  { 1145, "PsaErrorCommunicationFailure", N_("the provider could not reach its backend") },
  { 1146, "PsaErrorStorageFailure", N_("the provider's storage failed") },
  { 1147, "PsaErrorHardwareFailure", N_("the provider's hardware failed") },
  { 1148, "PsaErrorInsufficientEntropy", N_("the provider lacks entropy") },
  { 1149, "PsaErrorInvalidSignature", N_("the signature or MAC does not match") },
  { 1150, "PsaErrorInvalidPadding", N_("the decrypted data has invalid padding") },
  { 1151, "PsaErrorCorruptionDetected", N_("the provider detected internal corruption") },
  { 1152, "PsaErrorDataCorrupt", N_("stored data is corrupt") },
  { 1153, "PsaErrorDataInvalid", N_("stored data is not valid") },
};

static const StatusInfo *
status_lookup (guint status)
{
  gsize lo = 0, hi = G_N_ELEMENTS (status_table);

  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;

      if (status_table[mid].status == status)
        return &status_table[mid];
      if (status_table[mid].status < status)
        lo = mid + 1;
      else
        hi = mid;
    }
  return NULL;
}

/**
 * parsec_status_get_name:
 * @status: a response status code of the wire protocol
 *
 * Gets the name the Parsec specification gives a response status code,
 * such as `PsaErrorDoesNotExist` for 1140.
 *
 * Returns: (nullable): the name, or %NULL for a status the library does
 *   not know (0, success, included)
 *
 * Since: 1.0
 */
const char *
parsec_status_get_name (guint status)
{
  const StatusInfo *info = status_lookup (status);

  return info ? info->name : NULL;
}

GError *
_parsec_error_new_from_status (guint       status,
                               guint32     opcode,
                               const char *key_name)
{
  const StatusInfo *info = status_lookup (status);
  g_autofree char *what = NULL;

  /* Operations on a key say which: the message may reach a person who
   * did not write the call. */
  if (key_name != NULL)
    what = g_strdup_printf (_("%s of key \u201c%s\u201d"), _parsec_opcode_get_name (opcode), key_name);
  else
    what = g_strdup (_parsec_opcode_get_name (opcode));

  if (info == NULL)
    return g_error_new (PARSEC_ERROR, (gint) status,
                        _("The Parsec service refused %s with status %u, which this version of parsec-glib does not know"),
                        what, status);

  return g_error_new (PARSEC_ERROR, (gint) status,
                      _("The Parsec service refused %s: %s (%s, status %u)"),
                      what, _(info->meaning), info->name, status);
}

/**
 * parsec_opcode_get_name:
 * @opcode: an operation of the wire protocol
 *
 * Gets the name the Parsec project gives @opcode, such as
 * `PsaSignHash`.
 *
 * Returns: (nullable): the name, or %NULL for an opcode this version of
 *   parsec-glib does not know
 *
 * Since: 1.0
 */
const char *
parsec_opcode_get_name (ParsecOpcode opcode)
{
  static const char * const names[] = {
    [0x01] = "Ping",
    [0x02] = "PsaGenerateKey",
    [0x03] = "PsaDestroyKey",
    [0x04] = "PsaSignHash",
    [0x05] = "PsaVerifyHash",
    [0x06] = "PsaImportKey",
    [0x07] = "PsaExportPublicKey",
    [0x08] = "ListProviders",
    [0x09] = "ListOpcodes",
    [0x0A] = "PsaAsymmetricEncrypt",
    [0x0B] = "PsaAsymmetricDecrypt",
    [0x0C] = "PsaExportKey",
    [0x0D] = "PsaGenerateRandom",
    [0x0E] = "ListAuthenticators",
    [0x0F] = "PsaHashCompute",
    [0x10] = "PsaHashCompare",
    [0x11] = "PsaAeadEncrypt",
    [0x12] = "PsaAeadDecrypt",
    [0x13] = "PsaRawKeyAgreement",
    [0x14] = "PsaCipherEncrypt",
    [0x15] = "PsaCipherDecrypt",
    [0x16] = "PsaMacCompute",
    [0x17] = "PsaMacVerify",
    [0x18] = "PsaSignMessage",
    [0x19] = "PsaVerifyMessage",
    [0x1A] = "ListKeys",
    [0x1B] = "ListClients",
    [0x1C] = "DeleteClient",
    [0x1E] = "AttestKey",
    [0x1F] = "PrepareKeyAttestation",
    [0x20] = "CanDoCrypto",
  };

  if ((guint) opcode < G_N_ELEMENTS (names))
    return names[opcode];
  return NULL;
}
