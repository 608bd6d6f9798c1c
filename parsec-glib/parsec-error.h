/* parsec-error.h: errors reported by parsec-glib
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib.h>

#include "parsec-enums.h"
#include "parsec-version.h"

G_BEGIN_DECLS

/**
 * PARSEC_ERROR:
 *
 * The error domain of parsec-glib. Codes are #ParsecError values.
 *
 * Since: 1.0
 */
#define PARSEC_ERROR (parsec_error_quark ())

/**
 * ParsecError:
 * @PARSEC_ERROR_WRONG_PROVIDER_ID: the request went to the wrong provider
 * @PARSEC_ERROR_CONTENT_TYPE_NOT_SUPPORTED: the service cannot read the body's format
 * @PARSEC_ERROR_ACCEPT_TYPE_NOT_SUPPORTED: the service cannot answer in the requested format
 * @PARSEC_ERROR_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED: the service does not speak this wire protocol version
 * @PARSEC_ERROR_PROVIDER_NOT_REGISTERED: no such provider runs in the service
 * @PARSEC_ERROR_PROVIDER_DOES_NOT_EXIST: the provider identifier is unknown to the service
 * @PARSEC_ERROR_DESERIALIZING_BODY_FAILED: the service could not decode the request body
 * @PARSEC_ERROR_SERIALIZING_BODY_FAILED: the service could not encode its answer
 * @PARSEC_ERROR_OPCODE_DOES_NOT_EXIST: the service does not know the operation
 * @PARSEC_ERROR_RESPONSE_TOO_LARGE: the answer would exceed the service's buffer limit
 * @PARSEC_ERROR_AUTHENTICATION_ERROR: the service rejected the authentication data
 * @PARSEC_ERROR_AUTHENTICATOR_DOES_NOT_EXIST: the authentication type is unknown to the service
 * @PARSEC_ERROR_AUTHENTICATOR_NOT_REGISTERED: the service does not run this authenticator
 * @PARSEC_ERROR_KEY_INFO_MANAGER_ERROR: the service's key store failed
 * @PARSEC_ERROR_CONNECTION_ERROR: the service had a connection problem
 * @PARSEC_ERROR_INVALID_ENCODING: a value in the request was not valid
 * @PARSEC_ERROR_INVALID_HEADER: the request header was malformed
 * @PARSEC_ERROR_WRONG_PROVIDER_UUID: the provider's UUID did not match
 * @PARSEC_ERROR_NOT_AUTHENTICATED: the operation needs authentication
 * @PARSEC_ERROR_BODY_SIZE_EXCEEDS_LIMIT: the request body is larger than the service accepts
 * @PARSEC_ERROR_ADMIN_OPERATION: only an administrator may do this
 * @PARSEC_ERROR_DEPRECATED_PRIMITIVE: the key template uses a deprecated algorithm or key type
 * @PARSEC_ERROR_PSA_GENERIC_ERROR: unspecified failure (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_NOT_PERMITTED: the key's policy forbids this (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_NOT_SUPPORTED: the provider does not support this (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_INVALID_ARGUMENT: an argument is invalid (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_INVALID_HANDLE: the key handle is invalid (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_BAD_STATE: the operation is in the wrong state (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_BUFFER_TOO_SMALL: an output buffer is too small (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_ALREADY_EXISTS: a key of that name already exists (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_DOES_NOT_EXIST: no key of that name exists (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_INSUFFICIENT_MEMORY: out of memory (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_INSUFFICIENT_STORAGE: out of key storage (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_INSUFFICIENT_DATA: not enough data (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_COMMUNICATION_FAILURE: the provider could not reach its backend (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_STORAGE_FAILURE: the key storage failed (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_HARDWARE_FAILURE: the hardware failed (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_INSUFFICIENT_ENTROPY: not enough entropy (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_INVALID_SIGNATURE: the signature or MAC does not match (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_INVALID_PADDING: the decrypted padding is invalid (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_CORRUPTION_DETECTED: internal corruption was detected (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_DATA_CORRUPT: stored data is corrupt (a PSA Crypto status)
 * @PARSEC_ERROR_PSA_DATA_INVALID: stored data is invalid (a PSA Crypto status)
 * @PARSEC_ERROR_PROTOCOL_VIOLATION: the peer's response broke the wire
 *   protocol (bad header, truncated message, undecodable body)
 * @PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT: the response body is larger than
 *   [property@Parsec.Client:max-response-size]
 * @PARSEC_ERROR_INVALID_ENDPOINT: the endpoint is not a usable `unix:` URI
 * @PARSEC_ERROR_SERVICE_UNAVAILABLE: no service could be reached at the endpoint
 * @PARSEC_ERROR_NO_USABLE_AUTHENTICATOR: the service offers no
 *   authenticator the client can serve
 * @PARSEC_ERROR_NO_APPLICATION_NAME: direct authentication was chosen but
 *   no application name is known
 * @PARSEC_ERROR_NO_JWT_SVID_TOKEN: JWT-SVID authentication was chosen but
 *   no token is set
 * @PARSEC_ERROR_REQUEST_TOO_LARGE: the request exceeds a size the service
 *   accepts; nothing was sent
 * @PARSEC_ERROR_INVALID_INPUT: an argument cannot be encoded for the
 *   service; nothing was sent
 * @PARSEC_ERROR_NO_CRYPTO_PROVIDER: the service hosts no provider for
 *   cryptographic operations
 * @PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER: the provider does not list the
 *   operation among those it supports; nothing was sent
 * @PARSEC_ERROR_UNTRUSTED_ENDPOINT: the endpoint failed a check of
 *   [property@Parsec.Client:trust-policy] (the socket, a directory on its path or the
 *   peer's user is not trusted); nothing was sent
 *
 * Errors in the [error@Parsec.Error] domain, `PARSEC_ERROR`.
 *
 * Codes up to 65535 are the service's own response status codes, at
 * their wire value; a service may send a status that is not named here,
 * and it is reported with that number as the code. Codes from 65536 on
 * are failures detected by the client itself.
 *
 * Timeouts are reported as %G_IO_ERROR_TIMED_OUT and cancellation as
 * %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_ERROR_WRONG_PROVIDER_ID = 1,
  PARSEC_ERROR_CONTENT_TYPE_NOT_SUPPORTED = 2,
  PARSEC_ERROR_ACCEPT_TYPE_NOT_SUPPORTED = 3,
  PARSEC_ERROR_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED = 4,
  PARSEC_ERROR_PROVIDER_NOT_REGISTERED = 5,
  PARSEC_ERROR_PROVIDER_DOES_NOT_EXIST = 6,
  PARSEC_ERROR_DESERIALIZING_BODY_FAILED = 7,
  PARSEC_ERROR_SERIALIZING_BODY_FAILED = 8,
  PARSEC_ERROR_OPCODE_DOES_NOT_EXIST = 9,
  PARSEC_ERROR_RESPONSE_TOO_LARGE = 10,
  PARSEC_ERROR_AUTHENTICATION_ERROR = 11,
  PARSEC_ERROR_AUTHENTICATOR_DOES_NOT_EXIST = 12,
  PARSEC_ERROR_AUTHENTICATOR_NOT_REGISTERED = 13,
  PARSEC_ERROR_KEY_INFO_MANAGER_ERROR = 14,
  PARSEC_ERROR_CONNECTION_ERROR = 15,
  PARSEC_ERROR_INVALID_ENCODING = 16,
  PARSEC_ERROR_INVALID_HEADER = 17,
  PARSEC_ERROR_WRONG_PROVIDER_UUID = 18,
  PARSEC_ERROR_NOT_AUTHENTICATED = 19,
  PARSEC_ERROR_BODY_SIZE_EXCEEDS_LIMIT = 20,
  PARSEC_ERROR_ADMIN_OPERATION = 21,
  PARSEC_ERROR_DEPRECATED_PRIMITIVE = 22,

  PARSEC_ERROR_PSA_GENERIC_ERROR = 1132,
  PARSEC_ERROR_PSA_NOT_PERMITTED = 1133,
  PARSEC_ERROR_PSA_NOT_SUPPORTED = 1134,
  PARSEC_ERROR_PSA_INVALID_ARGUMENT = 1135,
  PARSEC_ERROR_PSA_INVALID_HANDLE = 1136,
  PARSEC_ERROR_PSA_BAD_STATE = 1137,
  PARSEC_ERROR_PSA_BUFFER_TOO_SMALL = 1138,
  PARSEC_ERROR_PSA_ALREADY_EXISTS = 1139,
  PARSEC_ERROR_PSA_DOES_NOT_EXIST = 1140,
  PARSEC_ERROR_PSA_INSUFFICIENT_MEMORY = 1141,
  PARSEC_ERROR_PSA_INSUFFICIENT_STORAGE = 1142,
  PARSEC_ERROR_PSA_INSUFFICIENT_DATA = 1143,
  PARSEC_ERROR_PSA_COMMUNICATION_FAILURE = 1145,
  PARSEC_ERROR_PSA_STORAGE_FAILURE = 1146,
  PARSEC_ERROR_PSA_HARDWARE_FAILURE = 1147,
  PARSEC_ERROR_PSA_INSUFFICIENT_ENTROPY = 1148,
  PARSEC_ERROR_PSA_INVALID_SIGNATURE = 1149,
  PARSEC_ERROR_PSA_INVALID_PADDING = 1150,
  PARSEC_ERROR_PSA_CORRUPTION_DETECTED = 1151,
  PARSEC_ERROR_PSA_DATA_CORRUPT = 1152,
  PARSEC_ERROR_PSA_DATA_INVALID = 1153,

  /* Each code written out: the numbers are ABI, and a new code is
   * appended with the next one, never slotted in. */
  PARSEC_ERROR_PROTOCOL_VIOLATION = 65536,
  PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT = 65537,
  PARSEC_ERROR_INVALID_ENDPOINT = 65538,
  PARSEC_ERROR_SERVICE_UNAVAILABLE = 65539,
  PARSEC_ERROR_NO_USABLE_AUTHENTICATOR = 65540,
  PARSEC_ERROR_NO_APPLICATION_NAME = 65541,
  PARSEC_ERROR_NO_JWT_SVID_TOKEN = 65542,
  PARSEC_ERROR_REQUEST_TOO_LARGE = 65543,
  PARSEC_ERROR_INVALID_INPUT = 65544,
  PARSEC_ERROR_NO_CRYPTO_PROVIDER = 65545,
  PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER = 65546,
  PARSEC_ERROR_UNTRUSTED_ENDPOINT = 65547,
} ParsecError;

PARSEC_AVAILABLE_IN_1_0
GQuark       parsec_error_quark           (void);

PARSEC_AVAILABLE_IN_1_0
const char  *parsec_status_get_name       (guint status);
PARSEC_AVAILABLE_IN_1_0
const char  *parsec_opcode_get_name       (ParsecOpcode opcode);

G_END_DECLS
