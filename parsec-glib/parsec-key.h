/* parsec-key.h: a key held by the Parsec service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "parsec-algorithm.h"
#include "parsec-certificate-options.h"
#include "parsec-client.h"
#include "parsec-formats.h"
#include "parsec-key-attributes.h"
#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_KEY (parsec_key_get_type ())

PARSEC_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ParsecKey, parsec_key, PARSEC, KEY, GObject)

PARSEC_AVAILABLE_IN_1_0
ParsecClient        *parsec_key_get_client     (ParsecKey *self);
PARSEC_AVAILABLE_IN_1_0
const char          *parsec_key_get_name       (ParsecKey *self);
PARSEC_AVAILABLE_IN_1_0
ParsecProvider       parsec_key_get_provider   (ParsecKey *self);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_get_attributes (ParsecKey *self);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_sign_hash_async (ParsecKey            *self,
                                      ParsecAlgorithm      *algorithm,
                                      GBytes               *hash,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_hash_finish (ParsecKey     *self,
                                       GAsyncResult  *result,
                                       GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_hash (ParsecKey        *self,
                                ParsecAlgorithm  *algorithm,
                                GBytes           *hash,
                                GCancellable     *cancellable,
                                GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_verify_hash_async (ParsecKey            *self,
                                        ParsecAlgorithm      *algorithm,
                                        GBytes               *hash,
                                        GBytes               *signature,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_hash_finish (ParsecKey     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_hash (ParsecKey        *self,
                                  ParsecAlgorithm  *algorithm,
                                  GBytes           *hash,
                                  GBytes           *signature,
                                  GCancellable     *cancellable,
                                  GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_sign_message_async (ParsecKey            *self,
                                         ParsecAlgorithm      *algorithm,
                                         GBytes               *message,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_message_finish (ParsecKey     *self,
                                          GAsyncResult  *result,
                                          GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_message (ParsecKey        *self,
                                   ParsecAlgorithm  *algorithm,
                                   GBytes           *message,
                                   GCancellable     *cancellable,
                                   GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_verify_message_async (ParsecKey            *self,
                                           ParsecAlgorithm      *algorithm,
                                           GBytes               *message,
                                           GBytes               *signature,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_message_finish (ParsecKey     *self,
                                            GAsyncResult  *result,
                                            GError       **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_message (ParsecKey        *self,
                                     ParsecAlgorithm  *algorithm,
                                     GBytes           *message,
                                     GBytes           *signature,
                                     GCancellable     *cancellable,
                                     GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_asymmetric_encrypt_async (ParsecKey            *self,
                                               ParsecAlgorithm      *algorithm,
                                               GBytes               *plaintext,
                                               GBytes               *label,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_asymmetric_encrypt_finish (ParsecKey     *self,
                                                GAsyncResult  *result,
                                                GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_asymmetric_encrypt (ParsecKey        *self,
                                         ParsecAlgorithm  *algorithm,
                                         GBytes           *plaintext,
                                         GBytes           *label,
                                         GCancellable     *cancellable,
                                         GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_asymmetric_decrypt_async (ParsecKey            *self,
                                               ParsecAlgorithm      *algorithm,
                                               GBytes               *ciphertext,
                                               GBytes               *label,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_asymmetric_decrypt_finish (ParsecKey     *self,
                                                GAsyncResult  *result,
                                                GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_asymmetric_decrypt (ParsecKey        *self,
                                         ParsecAlgorithm  *algorithm,
                                         GBytes           *ciphertext,
                                         GBytes           *label,
                                         GCancellable     *cancellable,
                                         GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_aead_encrypt_async (ParsecKey            *self,
                                         ParsecAlgorithm      *algorithm,
                                         GBytes               *nonce,
                                         GBytes               *additional_data,
                                         GBytes               *plaintext,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_aead_encrypt_finish (ParsecKey     *self,
                                          GAsyncResult  *result,
                                          GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_aead_encrypt (ParsecKey        *self,
                                   ParsecAlgorithm  *algorithm,
                                   GBytes           *nonce,
                                   GBytes           *additional_data,
                                   GBytes           *plaintext,
                                   GCancellable     *cancellable,
                                   GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_aead_decrypt_async (ParsecKey            *self,
                                         ParsecAlgorithm      *algorithm,
                                         GBytes               *nonce,
                                         GBytes               *additional_data,
                                         GBytes               *ciphertext,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_aead_decrypt_finish (ParsecKey     *self,
                                          GAsyncResult  *result,
                                          GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_aead_decrypt (ParsecKey        *self,
                                   ParsecAlgorithm  *algorithm,
                                   GBytes           *nonce,
                                   GBytes           *additional_data,
                                   GBytes           *ciphertext,
                                   GCancellable     *cancellable,
                                   GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_cipher_encrypt_async (ParsecKey            *self,
                                           ParsecAlgorithm      *algorithm,
                                           GBytes               *plaintext,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_cipher_encrypt_finish (ParsecKey     *self,
                                            GAsyncResult  *result,
                                            GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_cipher_encrypt (ParsecKey        *self,
                                     ParsecAlgorithm  *algorithm,
                                     GBytes           *plaintext,
                                     GCancellable     *cancellable,
                                     GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_cipher_decrypt_async (ParsecKey            *self,
                                           ParsecAlgorithm      *algorithm,
                                           GBytes               *ciphertext,
                                           GCancellable         *cancellable,
                                           GAsyncReadyCallback   callback,
                                           gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_cipher_decrypt_finish (ParsecKey     *self,
                                            GAsyncResult  *result,
                                            GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_cipher_decrypt (ParsecKey        *self,
                                     ParsecAlgorithm  *algorithm,
                                     GBytes           *ciphertext,
                                     GCancellable     *cancellable,
                                     GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_mac_compute_async (ParsecKey            *self,
                                        ParsecAlgorithm      *algorithm,
                                        GBytes               *input,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_mac_compute_finish (ParsecKey     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_mac_compute (ParsecKey        *self,
                                  ParsecAlgorithm  *algorithm,
                                  GBytes           *input,
                                  GCancellable     *cancellable,
                                  GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_mac_verify_async (ParsecKey            *self,
                                       ParsecAlgorithm      *algorithm,
                                       GBytes               *input,
                                       GBytes               *mac,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_mac_verify_finish (ParsecKey     *self,
                                        GAsyncResult  *result,
                                        GError       **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_mac_verify (ParsecKey        *self,
                                 ParsecAlgorithm  *algorithm,
                                 GBytes           *input,
                                 GBytes           *mac,
                                 GCancellable     *cancellable,
                                 GError          **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_sign_data_async (ParsecKey            *self,
                                      GBytes               *data,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_data_finish (ParsecKey     *self,
                                       GAsyncResult  *result,
                                       GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_data (ParsecKey     *self,
                                GBytes        *data,
                                GCancellable  *cancellable,
                                GError       **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_verify_data_async (ParsecKey            *self,
                                        GBytes               *data,
                                        GBytes               *signature,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_data_finish (ParsecKey     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_data (ParsecKey     *self,
                                  GBytes        *data,
                                  GBytes        *signature,
                                  GCancellable  *cancellable,
                                  GError       **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_sign_stream_async (ParsecKey            *self,
                                        GInputStream         *stream,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_stream_finish (ParsecKey     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_stream (ParsecKey     *self,
                                  GInputStream  *stream,
                                  GCancellable  *cancellable,
                                  GError       **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_verify_stream_async (ParsecKey            *self,
                                          GInputStream         *stream,
                                          GBytes               *signature,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_stream_finish (ParsecKey     *self,
                                           GAsyncResult  *result,
                                           GError       **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_stream (ParsecKey     *self,
                                    GInputStream  *stream,
                                    GBytes        *signature,
                                    GCancellable  *cancellable,
                                    GError       **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_sign_file_async (ParsecKey            *self,
                                      GFile                *file,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_file_finish (ParsecKey     *self,
                                       GAsyncResult  *result,
                                       GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_sign_file (ParsecKey     *self,
                                GFile         *file,
                                GCancellable  *cancellable,
                                GError       **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_verify_file_async (ParsecKey            *self,
                                        GFile                *file,
                                        GBytes               *signature,
                                        GCancellable         *cancellable,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_file_finish (ParsecKey     *self,
                                         GAsyncResult  *result,
                                         GError       **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_verify_file (ParsecKey     *self,
                                  GFile         *file,
                                  GBytes        *signature,
                                  GCancellable  *cancellable,
                                  GError       **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_create_certificate_request_async (ParsecKey                 *self,
                                                       ParsecCertificateOptions  *options,
                                                       GCancellable              *cancellable,
                                                       GAsyncReadyCallback        callback,
                                                       gpointer                   user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_create_certificate_request_finish (ParsecKey     *self,
                                                        GAsyncResult  *result,
                                                        GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_create_certificate_request (ParsecKey                 *self,
                                                 ParsecCertificateOptions  *options,
                                                 GCancellable              *cancellable,
                                                 GError                   **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_create_self_signed_certificate_async (ParsecKey                 *self,
                                                           ParsecCertificateOptions  *options,
                                                           GCancellable              *cancellable,
                                                           GAsyncReadyCallback        callback,
                                                           gpointer                   user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_create_self_signed_certificate_finish (ParsecKey     *self,
                                                            GAsyncResult  *result,
                                                            GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_create_self_signed_certificate (ParsecKey                 *self,
                                                     ParsecCertificateOptions  *options,
                                                     GCancellable              *cancellable,
                                                     GError                   **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_raw_key_agreement_async (ParsecKey            *self,
                                              GBytes               *peer_key,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_raw_key_agreement_finish (ParsecKey     *self,
                                               GAsyncResult  *result,
                                               GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_raw_key_agreement (ParsecKey     *self,
                                        GBytes        *peer_key,
                                        GCancellable  *cancellable,
                                        GError       **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_export_async (ParsecKey            *self,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_export_finish (ParsecKey     *self,
                                    GAsyncResult  *result,
                                    GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_export (ParsecKey     *self,
                             GCancellable  *cancellable,
                             GError       **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_export_public_key_async (ParsecKey              *self,
                                              ParsecPublicKeyFormat   format,
                                              GCancellable           *cancellable,
                                              GAsyncReadyCallback     callback,
                                              gpointer                user_data);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_export_public_key_finish (ParsecKey     *self,
                                               GAsyncResult  *result,
                                               GError       **error);
PARSEC_AVAILABLE_IN_1_0
GBytes   *parsec_key_export_public_key (ParsecKey              *self,
                                        ParsecPublicKeyFormat   format,
                                        GCancellable           *cancellable,
                                        GError                **error);

PARSEC_AVAILABLE_IN_1_0
void      parsec_key_destroy_async (ParsecKey            *self,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_destroy_finish (ParsecKey     *self,
                                     GAsyncResult  *result,
                                     GError       **error);
PARSEC_AVAILABLE_IN_1_0
gboolean  parsec_key_destroy (ParsecKey     *self,
                              GCancellable  *cancellable,
                              GError       **error);

G_END_DECLS
