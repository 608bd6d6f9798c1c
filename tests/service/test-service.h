/* test-service.h: the parts of parsec-glib-test-service and how they meet
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The program plays the real Parsec service with its core and Mbed Crypto
 * providers: main.c listens and runs the loop, frontend.c reads and checks
 * requests and routes them through the operation table in dispatch.c,
 * core.c and crypto.c serve the operations, convert.c turns protobuf
 * algorithm and attribute messages into PSA values and keystore.c keeps
 * the keys on disk.
 */
#pragma once

#include <gio/gio.h>
#include <protobuf-c/protobuf-c.h>
#include <psa/crypto.h>

#include "psa_key_attributes.pb-c.h"

G_BEGIN_DECLS

/* Response status codes, at their wire values. The PSA ones are 1000
 * minus the psa_status_t value; service_status_from_psa() maps those. */
typedef enum {
  STATUS_SUCCESS = 0,
  STATUS_WRONG_PROVIDER_ID = 1,
  STATUS_CONTENT_TYPE_NOT_SUPPORTED = 2,
  STATUS_ACCEPT_TYPE_NOT_SUPPORTED = 3,
  STATUS_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED = 4,
  STATUS_PROVIDER_NOT_REGISTERED = 5,
  STATUS_PROVIDER_DOES_NOT_EXIST = 6,
  STATUS_DESERIALIZING_BODY_FAILED = 7,
  STATUS_SERIALIZING_BODY_FAILED = 8,
  STATUS_OPCODE_DOES_NOT_EXIST = 9,
  STATUS_RESPONSE_TOO_LARGE = 10,
  STATUS_AUTHENTICATION_ERROR = 11,
  STATUS_AUTHENTICATOR_DOES_NOT_EXIST = 12,
  STATUS_AUTHENTICATOR_NOT_REGISTERED = 13,
  STATUS_KEY_INFO_MANAGER_ERROR = 14,
  STATUS_CONNECTION_ERROR = 15,
  STATUS_INVALID_ENCODING = 16,
  STATUS_INVALID_HEADER = 17,
  STATUS_NOT_AUTHENTICATED = 19,
  STATUS_BODY_SIZE_EXCEEDS_LIMIT = 20,
  STATUS_ADMIN_OPERATION = 21,
  STATUS_DEPRECATED_PRIMITIVE = 22,
  STATUS_PSA_GENERIC_ERROR = 1132,
  STATUS_PSA_NOT_PERMITTED = 1133,
  STATUS_PSA_NOT_SUPPORTED = 1134,
  STATUS_PSA_INVALID_ARGUMENT = 1135,
  STATUS_PSA_ALREADY_EXISTS = 1139,
  STATUS_PSA_DOES_NOT_EXIST = 1140,
  STATUS_PSA_INSUFFICIENT_MEMORY = 1141,
  STATUS_PSA_COMMUNICATION_FAILURE = 1145,
  STATUS_PSA_STORAGE_FAILURE = 1146,
  STATUS_PSA_INVALID_SIGNATURE = 1149,
} ServiceStatus;

#define PROVIDER_CORE        0
#define PROVIDER_MBED_CRYPTO 1
#define PROVIDER_TPM         3
#define PROVIDER_ID_MAX      5

#define AUTH_NONE                   0
#define AUTH_DIRECT                 1
#define AUTH_UNIX_PEER_CREDENTIALS  3
#define AUTH_TYPE_MAX               4

/* The service's default core_settings.buffer_size_limit. */
#define SERVICE_BUFFER_LIMIT (1u << 20)

/* The most random bytes the TPM provider gives per request: one
 * TPM2_GetRandom, the size of the TPM's largest digest (SHA-512 on swtpm). */
#define TPM_RANDOM_MAX 64

typedef struct _KeyStore KeyStore;

typedef struct {
  guint8 auth_type;              /* the one authenticator: AUTH_DIRECT or AUTH_UNIX_PEER_CREDENTIALS */
  char **admins;                 /* identities allowed to run admin operations */
  guint timeout_ms;              /* per read or write, like the service's listener timeout */
  gboolean sign_message;         /* also serve PsaSignMessage and PsaVerifyMessage */
  guint8 provider;               /* the one crypto provider: PROVIDER_MBED_CRYPTO or PROVIDER_TPM */
  FILE *request_log;             /* a line per request, or NULL */
  KeyStore *keys;
} Service;

/* What an operation handler is given. */
typedef struct {
  Service *service;
  const char *app;               /* authenticated identity, NULL without authentication */
} Caller;

/* A handler fills @result, which the dispatcher allocated and packs and
 * frees afterwards; every block a handler hangs on it must come from
 * secure_alloc(), since results may hold key material. */
typedef guint16 (*OpHandler) (const Caller           *caller,
                              const ProtobufCMessage *operation,
                              ProtobufCMessage       *result);

typedef enum {
  OP_CORE,
  OP_CRYPTO,
} OpKind;

typedef enum {
  ACCESS_ANYONE,
  ACCESS_AUTHENTICATED,
  ACCESS_ADMIN,
} OpAccess;

typedef struct {
  guint32 opcode;
  OpKind kind;
  OpAccess access;
  /* Listed by ListOpcodes for its provider. */
  gboolean listed;
  const ProtobufCMessageDescriptor *operation_type;
  const ProtobufCMessageDescriptor *result_type;
  /* NULL when the provider does not implement the operation: the real
   * service's provider trait answers PsaErrorNotSupported then. */
  OpHandler handler;
} OpEntry;

/* dispatch.c */
const OpEntry *service_find_op       (guint32             opcode);
gboolean       service_op_available  (const Service      *service,
                                      const OpEntry      *entry);
GArray        *service_list_opcodes  (const Service      *service,
                                      guint8              provider);
guint16        service_dispatch      (Service            *service,
                                      guint8              auth_type,
                                      const guint8       *auth,
                                      gsize               auth_len,
                                      uid_t               peer_uid,
                                      guint8              provider,
                                      guint32             opcode,
                                      const guint8       *body,
                                      gsize               body_len,
                                      guint8            **response_body,
                                      gsize              *response_len);
guint16        service_status_from_psa (psa_status_t      status);
void          *service_result_bytes  (ProtobufCBinaryData *field,
                                      gsize                size);

/* core.c */
guint16 core_ping                (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 core_list_providers      (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 core_list_opcodes        (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 core_list_authenticators (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 core_list_keys           (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 core_list_clients        (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 core_delete_client       (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);

/* crypto.c */
guint16 crypto_generate_key       (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_import_key         (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_export_public_key  (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_export_key         (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_destroy_key        (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_sign_hash          (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_verify_hash        (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_sign_message       (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_verify_message     (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_asymmetric_encrypt (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_asymmetric_decrypt (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_aead_encrypt       (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_aead_decrypt       (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_hash_compute       (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_hash_compare       (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_raw_key_agreement  (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_generate_random    (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 crypto_can_do_crypto      (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);

/* attestation.c: the TPM provider's ActivateCredential attestation */
guint16 attestation_prepare       (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);
guint16 attestation_attest_key    (const Caller *, const ProtobufCMessage *, ProtobufCMessage *);

/* convert.c: each returns STATUS_SUCCESS or the status the real service's
 * converters give for the value (InvalidEncoding for absent or unknown
 * values). */
guint16  convert_hash               (int                                                hash,
                                     psa_algorithm_t                                   *out);
guint16  convert_algorithm          (const PsaAlgorithm__Algorithm                     *alg,
                                     psa_algorithm_t                                   *out);
guint16  convert_signature_alg      (const PsaAlgorithm__Algorithm__AsymmetricSignature *alg,
                                     psa_algorithm_t                                   *out);
guint16  convert_encryption_alg     (const PsaAlgorithm__Algorithm__AsymmetricEncryption *alg,
                                     psa_algorithm_t                                   *out);
guint16  convert_aead_alg           (const PsaAlgorithm__Algorithm__Aead               *alg,
                                     psa_algorithm_t                                   *out);
guint16  convert_key_agreement_raw  (int                                                raw,
                                     psa_algorithm_t                                   *out);
/* Also refuses, with PsaErrorInvalidArgument, the curve sizes psa-crypto
 * does not accept. */
guint16  convert_key_attributes     (const PsaKeyAttributes__KeyAttributes             *attributes,
                                     psa_key_attributes_t                              *out);
/* Whether the SECP R1 sizes are held to psa-crypto's table (with 284
 * where 384 belongs), as the Mbed Crypto provider's conversion does; the
 * TPM provider does not convert through psa-crypto. */
void     convert_set_psa_crypto_sizes (gboolean                                   check);
/* The usage flags a key is stored and listed with: signing and verifying
 * hashes imply the same for messages. */
void     convert_extend_usage       (PsaKeyAttributes__UsageFlags                      *flags);
gboolean convert_is_deprecated      (const PsaKeyAttributes__KeyAttributes             *attributes);
guint16  convert_operation          (guint32                                            opcode,
                                     const ProtobufCMessage                            *operation);

/* keystore.c: one file per key under DIR/<client>/<name>. Material
 * buffers are wiped by keystore_key_free(). */
typedef struct {
  char *app;
  char *name;
  PsaKeyAttributes__KeyAttributes *attributes;
  guint8 *material;
  gsize material_len;
} StoredKey;

KeyStore  *keystore_new        (const char          *dir,
                                GError             **error);
void       keystore_free       (KeyStore            *store);
/* The directory, where the service keeps what is not a client's key */
const char *keystore_get_dir   (KeyStore            *store);
gboolean   keystore_exists     (KeyStore            *store,
                                const char          *app,
                                const char          *name);
guint16    keystore_load       (KeyStore            *store,
                                const char          *app,
                                const char          *name,
                                StoredKey          **key);
guint16    keystore_save       (KeyStore            *store,
                                const char          *app,
                                const char          *name,
                                const PsaKeyAttributes__KeyAttributes *attributes,
                                const guint8        *material,
                                gsize                material_len);
guint16    keystore_remove     (KeyStore            *store,
                                const char          *app,
                                const char          *name);
GPtrArray *keystore_list_keys  (KeyStore            *store,
                                const char          *app);
char     **keystore_list_clients (KeyStore          *store);
guint16    keystore_delete_client (KeyStore         *store,
                                   const char       *app);
void       keystore_key_free   (StoredKey           *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoredKey, keystore_key_free)

/* frontend.c */
typedef struct _Frontend Frontend;

Frontend *frontend_new  (Service     *service,
                         const char  *socket_path,
                         GError     **error);
void      frontend_free (Frontend    *frontend);

G_END_DECLS
