/* parsec-enums.h: identifiers of the Parsec wire protocol
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/**
 * ParsecProvider:
 * @PARSEC_PROVIDER_CORE: the core provider: discovery and administration
 * @PARSEC_PROVIDER_MBED_CRYPTO: software cryptography (Mbed Crypto)
 * @PARSEC_PROVIDER_PKCS11: a PKCS #11 token
 * @PARSEC_PROVIDER_TPM: a TPM 2.0 chip
 * @PARSEC_PROVIDER_TRUSTED_SERVICE: the Trusted Services crypto service (TrustZone)
 * @PARSEC_PROVIDER_CRYPTOAUTHLIB: a Microchip CryptoAuthentication device
 * @PARSEC_PROVIDER_AUTO: no wire id: the service's first crypto provider,
 *   as the client's [property@Parsec.Client:provider] or a key's [property@Parsec.Key:provider]
 *
 * The providers a Parsec service can host, by their wire identifier.
 *
 * Identifiers are one byte on the wire; a service may report one that is
 * not listed here, and parsec-glib keeps it as a plain number.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_PROVIDER_AUTO = -1,
  PARSEC_PROVIDER_CORE = 0,
  PARSEC_PROVIDER_MBED_CRYPTO = 1,
  PARSEC_PROVIDER_PKCS11 = 2,
  PARSEC_PROVIDER_TPM = 3,
  PARSEC_PROVIDER_TRUSTED_SERVICE = 4,
  PARSEC_PROVIDER_CRYPTOAUTHLIB = 5,
} ParsecProvider;

/**
 * ParsecAuthType:
 * @PARSEC_AUTH_TYPE_NONE: no authentication
 * @PARSEC_AUTH_TYPE_DIRECT: the application states its name
 * @PARSEC_AUTH_TYPE_JWT: JSON Web Token (defined, but no service implements it)
 * @PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS: the kernel vouches for the caller's user id
 * @PARSEC_AUTH_TYPE_JWT_SVID: a SPIFFE JWT-SVID token
 *
 * The authentication types of the wire protocol, as the service lists
 * them in its authenticators and as the request header carries them.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_AUTH_TYPE_NONE = 0,
  PARSEC_AUTH_TYPE_DIRECT = 1,
  PARSEC_AUTH_TYPE_JWT = 2,
  PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS = 3,
  PARSEC_AUTH_TYPE_JWT_SVID = 4,
} ParsecAuthType;

/**
 * ParsecAuthMethod:
 * @PARSEC_AUTH_METHOD_AUTO: use the first authenticator the service offers
 *   that the client can serve
 * @PARSEC_AUTH_METHOD_NONE: send no authentication; only operations that
 *   need none will succeed
 * @PARSEC_AUTH_METHOD_DIRECT: send [property@Parsec.Client:application-name]
 * @PARSEC_AUTH_METHOD_UNIX_PEER_CREDENTIALS: send the effective user id,
 *   which the service checks against the socket's peer credentials
 * @PARSEC_AUTH_METHOD_JWT_SVID: send [property@Parsec.Client:jwt-svid-token]
 *
 * How a #ParsecClient authenticates its requests.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_AUTH_METHOD_AUTO,
  PARSEC_AUTH_METHOD_NONE,
  PARSEC_AUTH_METHOD_DIRECT,
  PARSEC_AUTH_METHOD_UNIX_PEER_CREDENTIALS,
  PARSEC_AUTH_METHOD_JWT_SVID,
} ParsecAuthMethod;

/**
 * ParsecTrustPolicy:
 * @PARSEC_TRUST_POLICY_DEFAULT: the system's choice: the GSettings
 *   `trust-policy` key, else %PARSEC_TRUST_POLICY_OFF; never in force
 * @PARSEC_TRUST_POLICY_OFF: no checks: whatever listens on the endpoint
 *   is taken for the service
 * @PARSEC_TRUST_POLICY_WARN: check, and log a message when a check fails,
 *   but go on
 * @PARSEC_TRUST_POLICY_ENFORCE: check, and refuse to talk to an endpoint
 *   that fails a check with %PARSEC_ERROR_UNTRUSTED_ENDPOINT
 *
 * Whether a #ParsecClient checks, before each request, that the endpoint
 * is the genuine service: that it is a socket, that only trusted users
 * can change the directories on its path, and that the process at the
 * other end runs as a trusted user ([property@Parsec.Client:trusted-users]).
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_TRUST_POLICY_DEFAULT = -1,
  PARSEC_TRUST_POLICY_OFF,
  PARSEC_TRUST_POLICY_WARN,
  PARSEC_TRUST_POLICY_ENFORCE,
} ParsecTrustPolicy;

/**
 * ParsecOpcode:
 * @PARSEC_OPCODE_PING: Ping
 * @PARSEC_OPCODE_PSA_GENERATE_KEY: PsaGenerateKey
 * @PARSEC_OPCODE_PSA_DESTROY_KEY: PsaDestroyKey
 * @PARSEC_OPCODE_PSA_SIGN_HASH: PsaSignHash
 * @PARSEC_OPCODE_PSA_VERIFY_HASH: PsaVerifyHash
 * @PARSEC_OPCODE_PSA_IMPORT_KEY: PsaImportKey
 * @PARSEC_OPCODE_PSA_EXPORT_PUBLIC_KEY: PsaExportPublicKey
 * @PARSEC_OPCODE_LIST_PROVIDERS: ListProviders
 * @PARSEC_OPCODE_LIST_OPCODES: ListOpcodes
 * @PARSEC_OPCODE_PSA_ASYMMETRIC_ENCRYPT: PsaAsymmetricEncrypt
 * @PARSEC_OPCODE_PSA_ASYMMETRIC_DECRYPT: PsaAsymmetricDecrypt
 * @PARSEC_OPCODE_PSA_EXPORT_KEY: PsaExportKey
 * @PARSEC_OPCODE_PSA_GENERATE_RANDOM: PsaGenerateRandom
 * @PARSEC_OPCODE_LIST_AUTHENTICATORS: ListAuthenticators
 * @PARSEC_OPCODE_PSA_HASH_COMPUTE: PsaHashCompute
 * @PARSEC_OPCODE_PSA_HASH_COMPARE: PsaHashCompare
 * @PARSEC_OPCODE_PSA_AEAD_ENCRYPT: PsaAeadEncrypt
 * @PARSEC_OPCODE_PSA_AEAD_DECRYPT: PsaAeadDecrypt
 * @PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT: PsaRawKeyAgreement
 * @PARSEC_OPCODE_PSA_CIPHER_ENCRYPT: PsaCipherEncrypt
 * @PARSEC_OPCODE_PSA_CIPHER_DECRYPT: PsaCipherDecrypt
 * @PARSEC_OPCODE_PSA_MAC_COMPUTE: PsaMacCompute
 * @PARSEC_OPCODE_PSA_MAC_VERIFY: PsaMacVerify
 * @PARSEC_OPCODE_PSA_SIGN_MESSAGE: PsaSignMessage
 * @PARSEC_OPCODE_PSA_VERIFY_MESSAGE: PsaVerifyMessage
 * @PARSEC_OPCODE_LIST_KEYS: ListKeys
 * @PARSEC_OPCODE_LIST_CLIENTS: ListClients
 * @PARSEC_OPCODE_DELETE_CLIENT: DeleteClient
 * @PARSEC_OPCODE_ATTEST_KEY: AttestKey
 * @PARSEC_OPCODE_PREPARE_KEY_ATTESTATION: PrepareKeyAttestation
 * @PARSEC_OPCODE_CAN_DO_CRYPTO: CanDoCrypto
 *
 * The operations of the wire protocol, by their opcode.
 *
 * A service may list opcodes that are not named here; parsec-glib keeps
 * them as plain numbers.
 *
 * Since: 1.0
 */
typedef enum {
  PARSEC_OPCODE_PING = 0x01,
  PARSEC_OPCODE_PSA_GENERATE_KEY = 0x02,
  PARSEC_OPCODE_PSA_DESTROY_KEY = 0x03,
  PARSEC_OPCODE_PSA_SIGN_HASH = 0x04,
  PARSEC_OPCODE_PSA_VERIFY_HASH = 0x05,
  PARSEC_OPCODE_PSA_IMPORT_KEY = 0x06,
  PARSEC_OPCODE_PSA_EXPORT_PUBLIC_KEY = 0x07,
  PARSEC_OPCODE_LIST_PROVIDERS = 0x08,
  PARSEC_OPCODE_LIST_OPCODES = 0x09,
  PARSEC_OPCODE_PSA_ASYMMETRIC_ENCRYPT = 0x0A,
  PARSEC_OPCODE_PSA_ASYMMETRIC_DECRYPT = 0x0B,
  PARSEC_OPCODE_PSA_EXPORT_KEY = 0x0C,
  PARSEC_OPCODE_PSA_GENERATE_RANDOM = 0x0D,
  PARSEC_OPCODE_LIST_AUTHENTICATORS = 0x0E,
  PARSEC_OPCODE_PSA_HASH_COMPUTE = 0x0F,
  PARSEC_OPCODE_PSA_HASH_COMPARE = 0x10,
  PARSEC_OPCODE_PSA_AEAD_ENCRYPT = 0x11,
  PARSEC_OPCODE_PSA_AEAD_DECRYPT = 0x12,
  PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT = 0x13,
  PARSEC_OPCODE_PSA_CIPHER_ENCRYPT = 0x14,
  PARSEC_OPCODE_PSA_CIPHER_DECRYPT = 0x15,
  PARSEC_OPCODE_PSA_MAC_COMPUTE = 0x16,
  PARSEC_OPCODE_PSA_MAC_VERIFY = 0x17,
  PARSEC_OPCODE_PSA_SIGN_MESSAGE = 0x18,
  PARSEC_OPCODE_PSA_VERIFY_MESSAGE = 0x19,
  PARSEC_OPCODE_LIST_KEYS = 0x1A,
  PARSEC_OPCODE_LIST_CLIENTS = 0x1B,
  PARSEC_OPCODE_DELETE_CLIENT = 0x1C,
  PARSEC_OPCODE_ATTEST_KEY = 0x1E,
  PARSEC_OPCODE_PREPARE_KEY_ATTESTATION = 0x1F,
  PARSEC_OPCODE_CAN_DO_CRYPTO = 0x20,
} ParsecOpcode;

G_END_DECLS
