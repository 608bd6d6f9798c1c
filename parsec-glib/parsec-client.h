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
#include "parsec-crypto-enums.h"
#include "parsec-key-attributes.h"
#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_CLIENT (parsec_client_get_type ())

PARSEC_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ParsecClient, parsec_client, PARSEC, CLIENT, GObject)

typedef struct _ParsecKey ParsecKey;

typedef struct {
  guint major;
  guint minor;
} ParsecProtocolVersion;

#define PARSEC_TYPE_PROTOCOL_VERSION (parsec_protocol_version_get_type ())

PARSEC_AVAILABLE_IN_1_0
GType                  parsec_protocol_version_get_type (void) G_GNUC_CONST;
PARSEC_AVAILABLE_IN_1_0
ParsecProtocolVersion *parsec_protocol_version_copy     (const ParsecProtocolVersion *self);
PARSEC_AVAILABLE_IN_1_0
void                   parsec_protocol_version_free     (ParsecProtocolVersion       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsecProtocolVersion, parsec_protocol_version_free)

typedef struct _ParsecKeyAttestationPreparation ParsecKeyAttestationPreparation;

#define PARSEC_TYPE_KEY_ATTESTATION_PREPARATION (parsec_key_attestation_preparation_get_type ())

PARSEC_AVAILABLE_IN_1_0
GType   parsec_key_attestation_preparation_get_type (void) G_GNUC_CONST;
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttestationPreparation *parsec_key_attestation_preparation_ref (ParsecKeyAttestationPreparation *self);
PARSEC_AVAILABLE_IN_1_0
void    parsec_key_attestation_preparation_unref (ParsecKeyAttestationPreparation *self);
PARSEC_AVAILABLE_IN_1_0
GBytes *parsec_key_attestation_preparation_get_name (ParsecKeyAttestationPreparation *self);
PARSEC_AVAILABLE_IN_1_0
GBytes *parsec_key_attestation_preparation_get_public_area (ParsecKeyAttestationPreparation *self);
PARSEC_AVAILABLE_IN_1_0
GBytes *parsec_key_attestation_preparation_get_attesting_key_public (ParsecKeyAttestationPreparation *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsecKeyAttestationPreparation, parsec_key_attestation_preparation_unref)

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_new                  (const char           *application_name,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
ParsecClient     *parsec_client_new_finish           (GAsyncResult         *result,
                                                      GError              **error);
PARSEC_AVAILABLE_IN_1_0
ParsecClient     *parsec_client_new_sync             (const char           *application_name,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

PARSEC_AVAILABLE_IN_1_0
void              parsec_client_discover_async       (ParsecClient         *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean          parsec_client_discover_finish      (ParsecClient         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
PARSEC_AVAILABLE_IN_1_0
gboolean          parsec_client_discover             (ParsecClient         *self,
                                                      GCancellable         *cancellable,
                                                      GError              **error);

PARSEC_AVAILABLE_IN_1_0
ParsecClient     *parsec_client_dup_for_provider     (ParsecClient         *self,
                                                      ParsecProvider        provider);

PARSEC_AVAILABLE_IN_1_0
const char       *parsec_client_get_endpoint         (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
const char       *parsec_client_get_application_name (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
ParsecAuthMethod  parsec_client_get_auth_method      (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
ParsecAuthType    parsec_client_get_auth_type        (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
ParsecProvider    parsec_client_get_provider         (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
ParsecProvider    parsec_client_get_implicit_provider (ParsecClient        *self);
PARSEC_AVAILABLE_IN_1_0
int               parsec_client_get_timeout          (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
guint             parsec_client_get_max_response_size (ParsecClient        *self);
PARSEC_AVAILABLE_IN_1_0
guint             parsec_client_get_max_requests_in_flight (ParsecClient   *self);
PARSEC_AVAILABLE_IN_1_0
ParsecTrustPolicy parsec_client_get_trust_policy     (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
const char * const *parsec_client_get_trusted_users  (ParsecClient         *self);
PARSEC_AVAILABLE_IN_1_0
void              parsec_client_set_jwt_svid_token   (ParsecClient         *self,
                                                      const char           *token);

PARSEC_AVAILABLE_IN_1_0
void                   parsec_client_ping_async  (ParsecClient        *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PARSEC_AVAILABLE_IN_1_0
ParsecProtocolVersion *parsec_client_ping_finish (ParsecClient        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
PARSEC_AVAILABLE_IN_1_0
ParsecProtocolVersion *parsec_client_ping        (ParsecClient        *self,
                                                  GCancellable        *cancellable,
                                                  GError             **error);

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
                                                      ParsecProvider        provider,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GArray           *parsec_client_list_opcodes_finish  (ParsecClient         *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
PARSEC_AVAILABLE_IN_1_0
GArray           *parsec_client_list_opcodes         (ParsecClient         *self,
                                                      ParsecProvider        provider,
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

/* Keys */

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_destroy_key_async (ParsecClient *self,
                                           const char *key_name,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_destroy_key_finish (ParsecClient *self,
                                            GAsyncResult *result,
                                            GError **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_destroy_key (ParsecClient *self,
                                     const char *key_name,
                                     GCancellable *cancellable,
                                     GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_export_key_async (ParsecClient *self,
                                          const char *key_name,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_export_key_finish (ParsecClient *self,
                                           GAsyncResult *result,
                                           GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_export_key (ParsecClient *self,
                                    const char *key_name,
                                    GCancellable *cancellable,
                                    GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_generate_key_async (ParsecClient *self,
                                            const char *key_name,
                                            ParsecKeyAttributes *attributes,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
ParsecKey *  parsec_client_generate_key_finish (ParsecClient *self,
                                             GAsyncResult *result,
                                             GError **error);
PARSEC_AVAILABLE_IN_1_0
ParsecKey *  parsec_client_generate_key (ParsecClient *self,
                                      const char *key_name,
                                      ParsecKeyAttributes *attributes,
                                      GCancellable *cancellable,
                                      GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_import_key_async (ParsecClient *self,
                                          const char *key_name,
                                          ParsecKeyAttributes *attributes,
                                          GBytes *data,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
ParsecKey *  parsec_client_import_key_finish (ParsecClient *self,
                                           GAsyncResult *result,
                                           GError **error);
PARSEC_AVAILABLE_IN_1_0
ParsecKey *  parsec_client_import_key (ParsecClient *self,
                                    const char *key_name,
                                    ParsecKeyAttributes *attributes,
                                    GBytes *data,
                                    GCancellable *cancellable,
                                    GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_list_keys_async (ParsecClient *self,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GPtrArray *parsec_client_list_keys_finish (ParsecClient *self,
                                          GAsyncResult *result,
                                          GError **error);
PARSEC_AVAILABLE_IN_1_0
GPtrArray *parsec_client_list_keys (ParsecClient *self,
                                   GCancellable *cancellable,
                                   GError **error);


PARSEC_AVAILABLE_IN_1_0
void        parsec_client_lookup_key_async (ParsecClient        *self,
                                            const char          *key_name,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
PARSEC_AVAILABLE_IN_1_0
ParsecKey  *parsec_client_lookup_key_finish (ParsecClient       *self,
                                             GAsyncResult       *result,
                                             GError            **error);
PARSEC_AVAILABLE_IN_1_0
ParsecKey  *parsec_client_lookup_key       (ParsecClient        *self,
                                            const char          *key_name,
                                            GCancellable        *cancellable,
                                            GError             **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_export_public_key_async (ParsecClient *self,
                                                 const char *key_name,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_export_public_key_finish (ParsecClient *self,
                                                  GAsyncResult *result,
                                                  GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_export_public_key (ParsecClient *self,
                                           const char *key_name,
                                           GCancellable *cancellable,
                                           GError **error);

/* Cryptography */

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_sign_hash_async (ParsecClient *self,
                                         const char *key_name,
                                         ParsecAlgorithm *algorithm,
                                         GBytes *hash,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_sign_hash_finish (ParsecClient *self,
                                          GAsyncResult *result,
                                          GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_sign_hash (ParsecClient *self,
                                   const char *key_name,
                                   ParsecAlgorithm *algorithm,
                                   GBytes *hash,
                                   GCancellable *cancellable,
                                   GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_verify_hash_async (ParsecClient *self,
                                           const char *key_name,
                                           ParsecAlgorithm *algorithm,
                                           GBytes *hash,
                                           GBytes *signature,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_verify_hash_finish (ParsecClient *self,
                                            GAsyncResult *result,
                                            GError **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_verify_hash (ParsecClient *self,
                                     const char *key_name,
                                     ParsecAlgorithm *algorithm,
                                     GBytes *hash,
                                     GBytes *signature,
                                     GCancellable *cancellable,
                                     GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_sign_message_async (ParsecClient *self,
                                            const char *key_name,
                                            ParsecAlgorithm *algorithm,
                                            GBytes *message,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_sign_message_finish (ParsecClient *self,
                                             GAsyncResult *result,
                                             GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_sign_message (ParsecClient *self,
                                      const char *key_name,
                                      ParsecAlgorithm *algorithm,
                                      GBytes *message,
                                      GCancellable *cancellable,
                                      GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_verify_message_async (ParsecClient *self,
                                              const char *key_name,
                                              ParsecAlgorithm *algorithm,
                                              GBytes *message,
                                              GBytes *signature,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_verify_message_finish (ParsecClient *self,
                                               GAsyncResult *result,
                                               GError **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_verify_message (ParsecClient *self,
                                        const char *key_name,
                                        ParsecAlgorithm *algorithm,
                                        GBytes *message,
                                        GBytes *signature,
                                        GCancellable *cancellable,
                                        GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_asymmetric_encrypt_async (ParsecClient *self,
                                                  const char *key_name,
                                                  ParsecAlgorithm *algorithm,
                                                  GBytes *plaintext,
                                                  GBytes *label,
                                                  GCancellable *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_asymmetric_encrypt_finish (ParsecClient *self,
                                                   GAsyncResult *result,
                                                   GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_asymmetric_encrypt (ParsecClient *self,
                                            const char *key_name,
                                            ParsecAlgorithm *algorithm,
                                            GBytes *plaintext,
                                            GBytes *label,
                                            GCancellable *cancellable,
                                            GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_asymmetric_decrypt_async (ParsecClient *self,
                                                  const char *key_name,
                                                  ParsecAlgorithm *algorithm,
                                                  GBytes *ciphertext,
                                                  GBytes *label,
                                                  GCancellable *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_asymmetric_decrypt_finish (ParsecClient *self,
                                                   GAsyncResult *result,
                                                   GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_asymmetric_decrypt (ParsecClient *self,
                                            const char *key_name,
                                            ParsecAlgorithm *algorithm,
                                            GBytes *ciphertext,
                                            GBytes *label,
                                            GCancellable *cancellable,
                                            GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_aead_encrypt_async (ParsecClient *self,
                                            const char *key_name,
                                            ParsecAlgorithm *algorithm,
                                            GBytes *nonce,
                                            GBytes *additional_data,
                                            GBytes *plaintext,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_aead_encrypt_finish (ParsecClient *self,
                                             GAsyncResult *result,
                                             GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_aead_encrypt (ParsecClient *self,
                                      const char *key_name,
                                      ParsecAlgorithm *algorithm,
                                      GBytes *nonce,
                                      GBytes *additional_data,
                                      GBytes *plaintext,
                                      GCancellable *cancellable,
                                      GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_aead_decrypt_async (ParsecClient *self,
                                            const char *key_name,
                                            ParsecAlgorithm *algorithm,
                                            GBytes *nonce,
                                            GBytes *additional_data,
                                            GBytes *ciphertext,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_aead_decrypt_finish (ParsecClient *self,
                                             GAsyncResult *result,
                                             GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_aead_decrypt (ParsecClient *self,
                                      const char *key_name,
                                      ParsecAlgorithm *algorithm,
                                      GBytes *nonce,
                                      GBytes *additional_data,
                                      GBytes *ciphertext,
                                      GCancellable *cancellable,
                                      GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_cipher_encrypt_async (ParsecClient *self,
                                              const char *key_name,
                                              ParsecAlgorithm *algorithm,
                                              GBytes *plaintext,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_cipher_encrypt_finish (ParsecClient *self,
                                               GAsyncResult *result,
                                               GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_cipher_encrypt (ParsecClient *self,
                                        const char *key_name,
                                        ParsecAlgorithm *algorithm,
                                        GBytes *plaintext,
                                        GCancellable *cancellable,
                                        GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_cipher_decrypt_async (ParsecClient *self,
                                              const char *key_name,
                                              ParsecAlgorithm *algorithm,
                                              GBytes *ciphertext,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_cipher_decrypt_finish (ParsecClient *self,
                                               GAsyncResult *result,
                                               GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_cipher_decrypt (ParsecClient *self,
                                        const char *key_name,
                                        ParsecAlgorithm *algorithm,
                                        GBytes *ciphertext,
                                        GCancellable *cancellable,
                                        GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_mac_compute_async (ParsecClient *self,
                                           const char *key_name,
                                           ParsecAlgorithm *algorithm,
                                           GBytes *input,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_mac_compute_finish (ParsecClient *self,
                                            GAsyncResult *result,
                                            GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_mac_compute (ParsecClient *self,
                                     const char *key_name,
                                     ParsecAlgorithm *algorithm,
                                     GBytes *input,
                                     GCancellable *cancellable,
                                     GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_mac_verify_async (ParsecClient *self,
                                          const char *key_name,
                                          ParsecAlgorithm *algorithm,
                                          GBytes *input,
                                          GBytes *mac,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_mac_verify_finish (ParsecClient *self,
                                           GAsyncResult *result,
                                           GError **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_mac_verify (ParsecClient *self,
                                    const char *key_name,
                                    ParsecAlgorithm *algorithm,
                                    GBytes *input,
                                    GBytes *mac,
                                    GCancellable *cancellable,
                                    GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_hash_compute_async (ParsecClient *self,
                                            ParsecHash hash_algorithm,
                                            GBytes *input,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_hash_compute_finish (ParsecClient *self,
                                             GAsyncResult *result,
                                             GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_hash_compute (ParsecClient *self,
                                      ParsecHash hash_algorithm,
                                      GBytes *input,
                                      GCancellable *cancellable,
                                      GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_hash_compare_async (ParsecClient *self,
                                            ParsecHash hash_algorithm,
                                            GBytes *input,
                                            GBytes *hash,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_hash_compare_finish (ParsecClient *self,
                                             GAsyncResult *result,
                                             GError **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_hash_compare (ParsecClient *self,
                                      ParsecHash hash_algorithm,
                                      GBytes *input,
                                      GBytes *hash,
                                      GCancellable *cancellable,
                                      GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_raw_key_agreement_async (ParsecClient *self,
                                                 ParsecKeyAgreement agreement,
                                                 const char *private_key_name,
                                                 GBytes *peer_key,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_raw_key_agreement_finish (ParsecClient *self,
                                                  GAsyncResult *result,
                                                  GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_raw_key_agreement (ParsecClient *self,
                                           ParsecKeyAgreement agreement,
                                           const char *private_key_name,
                                           GBytes *peer_key,
                                           GCancellable *cancellable,
                                           GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_generate_random_async (ParsecClient *self,
                                               gsize size,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_generate_random_finish (ParsecClient *self,
                                                GAsyncResult *result,
                                                GError **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *  parsec_client_generate_random (ParsecClient *self,
                                         gsize size,
                                         GCancellable *cancellable,
                                         GError **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_can_do_crypto_async (ParsecClient *self,
                                             ParsecCheckType check,
                                             ParsecKeyAttributes *attributes,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_can_do_crypto_finish (ParsecClient *self,
                                              GAsyncResult *result,
                                              GError **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_client_can_do_crypto (ParsecClient *self,
                                       ParsecCheckType check,
                                       ParsecKeyAttributes *attributes,
                                       GCancellable *cancellable,
                                       GError **error);



PARSEC_AVAILABLE_IN_1_0
void      parsec_client_prepare_key_attestation_async  (ParsecClient         *self,
                                                        const char           *attested_key_name,
                                                        const char           *attesting_key_name,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttestationPreparation *parsec_client_prepare_key_attestation_finish (ParsecClient         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttestationPreparation *parsec_client_prepare_key_attestation (ParsecClient         *self,
                                                        const char           *attested_key_name,
                                                        const char           *attesting_key_name,
                                                        GCancellable         *cancellable,
                                                        GError              **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_client_attest_key_async               (ParsecClient         *self,
                                                        const char           *attested_key_name,
                                                        GBytes               *credential_blob,
                                                        GBytes               *secret,
                                                        const char           *attesting_key_name,
                                                        GCancellable         *cancellable,
                                                        GAsyncReadyCallback   callback,
                                                        gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_client_attest_key_finish              (ParsecClient         *self,
                                                        GAsyncResult         *result,
                                                        GError              **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_client_attest_key                     (ParsecClient         *self,
                                                        const char           *attested_key_name,
                                                        GBytes               *credential_blob,
                                                        GBytes               *secret,
                                                        const char           *attesting_key_name,
                                                        GCancellable         *cancellable,
                                                        GError              **error);

G_END_DECLS
