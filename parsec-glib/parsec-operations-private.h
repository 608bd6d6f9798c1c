/* parsec-operations-private.h: the operations on a key by name, for a
 * client's implicit provider or a key's own (ParsecTarget)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "parsec-client-private.h"

G_BEGIN_DECLS

void       _parsec_sign_hash_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *hash, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_sign_hash_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *hash, GCancellable *cancellable, GError **error);
void       _parsec_verify_hash_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *hash, GBytes *signature, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean   _parsec_verify_hash_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *hash, GBytes *signature, GCancellable *cancellable, GError **error);
void       _parsec_sign_message_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *message, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_sign_message_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *message, GCancellable *cancellable, GError **error);
void       _parsec_verify_message_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *message, GBytes *signature, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean   _parsec_verify_message_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *message, GBytes *signature, GCancellable *cancellable, GError **error);
void       _parsec_asymmetric_encrypt_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *plaintext, GBytes *label, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_asymmetric_encrypt_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *plaintext, GBytes *label, GCancellable *cancellable, GError **error);
void       _parsec_asymmetric_decrypt_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *ciphertext, GBytes *label, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_asymmetric_decrypt_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *ciphertext, GBytes *label, GCancellable *cancellable, GError **error);
void       _parsec_aead_encrypt_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *nonce, GBytes *additional_data, GBytes *plaintext, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_aead_encrypt_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *nonce, GBytes *additional_data, GBytes *plaintext, GCancellable *cancellable, GError **error);
void       _parsec_aead_decrypt_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *nonce, GBytes *additional_data, GBytes *ciphertext, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_aead_decrypt_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *nonce, GBytes *additional_data, GBytes *ciphertext, GCancellable *cancellable, GError **error);
void       _parsec_cipher_encrypt_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *plaintext, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_cipher_encrypt_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *plaintext, GCancellable *cancellable, GError **error);
void       _parsec_cipher_decrypt_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *ciphertext, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_cipher_decrypt_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *ciphertext, GCancellable *cancellable, GError **error);
void       _parsec_mac_compute_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *input, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_mac_compute_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *input, GCancellable *cancellable, GError **error);
void       _parsec_mac_verify_start (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *input, GBytes *mac, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean   _parsec_mac_verify_run (const ParsecTarget *target, const char *key_name, ParsecAlgorithm *algorithm, GBytes *input, GBytes *mac, GCancellable *cancellable, GError **error);
void       _parsec_raw_key_agreement_start (const ParsecTarget *target, ParsecKeyAgreement agreement, const char *private_key_name, GBytes *peer_key, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_raw_key_agreement_run (const ParsecTarget *target, ParsecKeyAgreement agreement, const char *private_key_name, GBytes *peer_key, GCancellable *cancellable, GError **error);
void       _parsec_destroy_key_start (const ParsecTarget *target, const char *key_name, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
gboolean   _parsec_destroy_key_run (const ParsecTarget *target, const char *key_name, GCancellable *cancellable, GError **error);
void       _parsec_export_key_start (const ParsecTarget *target, const char *key_name, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
GBytes*    _parsec_export_key_run (const ParsecTarget *target, const char *key_name, GCancellable *cancellable, GError **error);

G_END_DECLS
