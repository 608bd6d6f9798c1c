/* fuzz-common.c: what the fuzz targets and the hostile-responses test share
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "parsec-client-private.h"
#include "parsec-psa-private.h"
#include "parsec-secure-private.h"
#include "parsec-wire-private.h"

#include "list_keys.pb-c.h"
#include "list_opcodes.pb-c.h"

#include "attest_key.pb-c.h"
#include "can_do_crypto.pb-c.h"
#include "delete_client.pb-c.h"
#include "list_authenticators.pb-c.h"
#include "list_clients.pb-c.h"
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
#include "psa_mac_compute.pb-c.h"
#include "psa_mac_verify.pb-c.h"
#include "psa_raw_key_agreement.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "psa_sign_message.pb-c.h"
#include "psa_verify_hash.pb-c.h"
#include "psa_verify_message.pb-c.h"

#define KEY "key"
#define APP "fuzz"

/* Inputs of the operations: valid, so that every call gets as far as
 * the service's answer. */
typedef struct {
  GBytes *hash;        /* a SHA-256 digest */
  GBytes *data;
  GBytes *signature;   /* a P-256 r ‖ s */
  GBytes *small;
  ParsecAlgorithm *ecdsa;
  ParsecAlgorithm *oaep;
  ParsecAlgorithm *gcm;
  ParsecAlgorithm *cbc;
  ParsecAlgorithm *hmac;
  ParsecKeyAttributes *ecc;
} Inputs;

static const Inputs *
inputs (void)
{
  static Inputs in;
  static gsize done;

  if (g_once_init_enter (&done))
    {
      static const guint8 digest[32] = { 0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea };
      static const guint8 signature[64] = { 0x01, [32] = 0x02 };

      in.hash = g_bytes_new_static (digest, sizeof digest);
      in.data = g_bytes_new_static ("abc", 3);
      in.signature = g_bytes_new_static (signature, sizeof signature);
      in.small = g_bytes_new_static ("0123456789abcdef", 16);
      in.ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
      in.oaep = parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
      in.gcm = parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
      in.cbc = parsec_algorithm_new_cipher (PARSEC_CIPHER_CBC_PKCS7);
      in.hmac = parsec_algorithm_new_hmac (PARSEC_HASH_SHA_256);
      in.ecc = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
      g_once_init_leave (&done, 1);
    }
  return &in;
}

/* Checks of what a successful call returned */

static void
check_text (const char *text)
{
  /* Strings from the service reach applications (and bindings, which
   * insist on UTF-8) only after the library made them valid. */
  g_assert_nonnull (text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
}

static void
check_algorithm (ParsecAlgorithm *algorithm)
{
  g_autofree char *text = NULL;

  g_assert_nonnull (algorithm);
  text = parsec_algorithm_to_string (algorithm);
  check_text (text);
  g_assert_true (parsec_algorithm_equal (algorithm, algorithm));
  if (parsec_algorithm_get_inner (algorithm) != NULL)
    check_algorithm (parsec_algorithm_get_inner (algorithm));
}

void
fuzz_check_attributes (ParsecKeyAttributes *attributes)
{
  g_assert_nonnull (attributes);
  (void) parsec_key_attributes_get_key_type (attributes);
  (void) parsec_key_attributes_get_ecc_family (attributes);
  (void) parsec_key_attributes_get_dh_family (attributes);
  (void) parsec_key_attributes_get_bits (attributes);
  (void) parsec_key_attributes_get_usage (attributes);
  (void) parsec_key_attributes_is_public_key (attributes);
  check_algorithm (parsec_key_attributes_get_algorithm (attributes));
}

static gboolean
take_bytes (GBytes *bytes)
{
  if (bytes == NULL)
    return FALSE;
  g_bytes_unref (bytes);
  return TRUE;
}

static gboolean
take_pem (GBytes *bytes)
{
  const char *begin = "-----BEGIN PUBLIC KEY-----\n";

  if (bytes == NULL)
    return FALSE;
  g_assert_cmpuint (g_bytes_get_size (bytes), >, strlen (begin));
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), strlen (begin), begin, strlen (begin));
  g_bytes_unref (bytes);
  return TRUE;
}

gboolean
fuzz_take_providers (GPtrArray *providers)
{
  if (providers == NULL)
    return FALSE;
  for (guint i = 0; i < providers->len; i++)
    {
      ParsecProviderInfo *info = g_ptr_array_index (providers, i);

      check_text (parsec_provider_info_get_uuid (info));
      check_text (parsec_provider_info_get_description (info));
      check_text (parsec_provider_info_get_vendor (info));
      (void) parsec_provider_info_get_id (info);
      (void) parsec_provider_info_get_version_major (info);
      (void) parsec_provider_info_get_version_minor (info);
      (void) parsec_provider_info_get_version_revision (info);
    }
  g_ptr_array_unref (providers);
  return TRUE;
}

gboolean
fuzz_take_authenticators (GPtrArray *authenticators)
{
  if (authenticators == NULL)
    return FALSE;
  for (guint i = 0; i < authenticators->len; i++)
    {
      ParsecAuthenticatorInfo *info = g_ptr_array_index (authenticators, i);

      check_text (parsec_authenticator_info_get_description (info));
      (void) parsec_authenticator_info_get_id (info);
      (void) parsec_authenticator_info_get_version_major (info);
      (void) parsec_authenticator_info_get_version_minor (info);
      (void) parsec_authenticator_info_get_version_revision (info);
    }
  g_ptr_array_unref (authenticators);
  return TRUE;
}

static void
check_key (ParsecKey *key)
{
  g_assert_true (PARSEC_IS_KEY (key));
  g_assert_true (PARSEC_IS_CLIENT (parsec_key_get_client (key)));
  check_text (parsec_key_get_name (key));
  (void) parsec_key_get_provider (key);
  fuzz_check_attributes (parsec_key_get_attributes (key));
}

static gboolean
take_keys (GPtrArray *keys)
{
  if (keys == NULL)
    return FALSE;
  for (guint i = 0; i < keys->len; i++)
    check_key (g_ptr_array_index (keys, i));
  g_ptr_array_unref (keys);
  return TRUE;
}

/* A key the library made or looked up: "key", with attributes. */
static gboolean
take_key (ParsecKey *key)
{
  if (key == NULL)
    return FALSE;
  check_key (key);
  g_assert_cmpstr (parsec_key_get_name (key), ==, KEY);
  g_object_unref (key);
  return TRUE;
}

static gboolean
take_opcodes (GArray *opcodes)
{
  if (opcodes == NULL)
    return FALSE;
  g_array_unref (opcodes);
  return TRUE;
}

static gboolean
take_clients (char **clients)
{
  if (clients == NULL)
    return FALSE;
  for (char **c = clients; *c != NULL; c++)
    check_text (*c);
  g_strfreev (clients);
  return TRUE;
}

static gboolean
take_client (GObject *client)
{
  if (client == NULL)
    return FALSE;
  g_assert_true (PARSEC_IS_CLIENT (client));
  (void) parsec_client_get_implicit_provider (PARSEC_CLIENT (client));
  (void) parsec_client_get_auth_type (PARSEC_CLIENT (client));
  g_object_unref (client);
  return TRUE;
}

static gboolean
take_version (ParsecProtocolVersion *version)
{
  if (version == NULL)
    return FALSE;
  g_assert_cmpuint (version->major, <=, G_MAXUINT8);
  g_assert_cmpuint (version->minor, <=, G_MAXUINT8);
  parsec_protocol_version_free (version);
  return TRUE;
}

static gboolean
take_preparation (ParsecKeyAttestationPreparation *preparation)
{
  if (preparation == NULL)
    return FALSE;
  g_assert_nonnull (parsec_key_attestation_preparation_get_name (preparation));
  g_assert_nonnull (parsec_key_attestation_preparation_get_public_area (preparation));
  g_assert_nonnull (parsec_key_attestation_preparation_get_attesting_key_public (preparation));
  parsec_key_attestation_preparation_unref (preparation);
  return TRUE;
}

/* The operations. Each comes as run (sync), start and finish (async). */

#define SYNC(fn) static gboolean fn##_run (ParsecClient *c, GError **e)
#define START(fn) static void fn##_start (ParsecClient *c, GCancellable *k, GAsyncReadyCallback cb, gpointer d)
#define FINISH(fn) static gboolean fn##_finish (ParsecClient *c, GAsyncResult *r, GError **e)

/* The operations of a key object. Each gets its key in one of two ways:
 * looked up (ListKeys, whose answer may be the one under test), or made
 * by the application with the attributes of the canned key, which costs
 * no request. The async form runs both steps in a task of the client. */

typedef struct {
  gboolean (*run)    (ParsecKey *key, GError **e);
  void     (*start)  (ParsecKey *key, GCancellable *k, GAsyncReadyCallback cb, gpointer d);
  gboolean (*finish) (ParsecKey *key, GAsyncResult *r, GError **e);
} KeyCall;

static ParsecKey *
known_key_new (ParsecClient *c)
{
  return g_object_new (PARSEC_TYPE_KEY, "client", c, "name", KEY, "attributes", inputs ()->ecc, NULL);
}

static gboolean
lookup_key_for_run (ParsecClient  *c,
                    const KeyCall *call,
                    GError       **e)
{
  g_autoptr(ParsecKey) key = parsec_client_lookup_key (c, KEY, NULL, e);

  return key != NULL && call->run (key, e);
}

static gboolean
known_key_for_run (ParsecClient  *c,
                   const KeyCall *call,
                   GError       **e)
{
  g_autoptr(ParsecKey) key = known_key_new (c);

  return call->run (key, e);
}

static void
key_call_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const KeyCall *call = g_task_get_task_data (task);
  GError *error = NULL;

  if (call->finish (PARSEC_KEY (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    /* fuzz_check_outcome() reports a failure without an error. */
    g_task_return_boolean (task, FALSE);
}

static void
key_looked_up (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const KeyCall *call = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(ParsecKey) key = NULL;
  GError *error = NULL;

  key = parsec_client_lookup_key_finish (PARSEC_CLIENT (source), result, &error);
  if (key == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  call->start (key, cancellable, key_call_done, g_steal_pointer (&task));
}

static void
lookup_key_for_start (ParsecClient        *c,
                      const KeyCall       *call,
                      GCancellable        *k,
                      GAsyncReadyCallback  cb,
                      gpointer             d)
{
  GTask *task = g_task_new (c, k, cb, d);

  g_task_set_task_data (task, (gpointer) call, NULL);
  parsec_client_lookup_key_async (c, KEY, k, key_looked_up, task);
}

static void
known_key_for_start (ParsecClient        *c,
                     const KeyCall       *call,
                     GCancellable        *k,
                     GAsyncReadyCallback  cb,
                     gpointer             d)
{
  g_autoptr(ParsecKey) key = known_key_new (c);
  GTask *task = g_task_new (c, k, cb, d);

  g_task_set_task_data (task, (gpointer) call, NULL);
  call->start (key, k, key_call_done, task);
}

static gboolean
key_call_finish (ParsecClient  *c,
                 GAsyncResult  *r,
                 GError       **e)
{
  g_assert_true (g_task_is_valid (r, c));
  return g_task_propagate_boolean (G_TASK (r), e);
}

/* The op @fn of the table: @key_from (lookup_key_for or known_key_for)
 * gets @key, then @run, or @start and @finish, use it. */
#define KEY_OP(fn, key_from, run_expr, start_expr, finish_expr) \
  static gboolean fn##_key_run (ParsecKey *key, GError **e) { return run_expr; } \
  static void fn##_key_start (ParsecKey *key, GCancellable *k, GAsyncReadyCallback cb, gpointer d) { start_expr; } \
  static gboolean fn##_key_finish (ParsecKey *key, GAsyncResult *r, GError **e) { return finish_expr; } \
  static const KeyCall fn##_call = { fn##_key_run, fn##_key_start, fn##_key_finish }; \
  SYNC (fn) { return key_from##_run (c, &fn##_call, e); } \
  START (fn) { key_from##_start (c, &fn##_call, k, cb, d); } \
  FINISH (fn) { return key_call_finish (c, r, e); }

SYNC (ping) { return take_version (parsec_client_ping (c, NULL, e)); }
START (ping) { parsec_client_ping_async (c, k, cb, d); }
FINISH (ping) { return take_version (parsec_client_ping_finish (c, r, e)); }

SYNC (list_providers) { return fuzz_take_providers (parsec_client_list_providers (c, NULL, e)); }
START (list_providers) { parsec_client_list_providers_async (c, k, cb, d); }
FINISH (list_providers) { return fuzz_take_providers (parsec_client_list_providers_finish (c, r, e)); }

SYNC (list_opcodes) { return take_opcodes (parsec_client_list_opcodes (c, PARSEC_PROVIDER_MBED_CRYPTO, NULL, e)); }
START (list_opcodes) { parsec_client_list_opcodes_async (c, PARSEC_PROVIDER_MBED_CRYPTO, k, cb, d); }
FINISH (list_opcodes) { return take_opcodes (parsec_client_list_opcodes_finish (c, r, e)); }

SYNC (list_authenticators) { return fuzz_take_authenticators (parsec_client_list_authenticators (c, NULL, e)); }
START (list_authenticators) { parsec_client_list_authenticators_async (c, k, cb, d); }
FINISH (list_authenticators) { return fuzz_take_authenticators (parsec_client_list_authenticators_finish (c, r, e)); }

SYNC (list_clients) { return take_clients (parsec_client_list_clients (c, NULL, e)); }
START (list_clients) { parsec_client_list_clients_async (c, k, cb, d); }
FINISH (list_clients) { return take_clients (parsec_client_list_clients_finish (c, r, e)); }

SYNC (delete_client) { return parsec_client_delete_client (c, APP, NULL, e); }
START (delete_client) { parsec_client_delete_client_async (c, APP, k, cb, d); }
FINISH (delete_client) { return parsec_client_delete_client_finish (c, r, e); }

SYNC (destroy_key) { return parsec_client_destroy_key (c, KEY, NULL, e); }
START (destroy_key) { parsec_client_destroy_key_async (c, KEY, k, cb, d); }
FINISH (destroy_key) { return parsec_client_destroy_key_finish (c, r, e); }

SYNC (export_key) { return take_bytes (parsec_client_export_key (c, KEY, NULL, e)); }
START (export_key) { parsec_client_export_key_async (c, KEY, k, cb, d); }
FINISH (export_key) { return take_bytes (parsec_client_export_key_finish (c, r, e)); }

SYNC (generate_key) { return take_key (parsec_client_generate_key (c, KEY, inputs ()->ecc, NULL, e)); }
START (generate_key) { parsec_client_generate_key_async (c, KEY, inputs ()->ecc, k, cb, d); }
FINISH (generate_key) { return take_key (parsec_client_generate_key_finish (c, r, e)); }

SYNC (import_key) { return take_key (parsec_client_import_key (c, KEY, inputs ()->ecc, inputs ()->hash, NULL, e)); }
START (import_key) { parsec_client_import_key_async (c, KEY, inputs ()->ecc, inputs ()->hash, k, cb, d); }
FINISH (import_key) { return take_key (parsec_client_import_key_finish (c, r, e)); }

SYNC (list_keys) { return take_keys (parsec_client_list_keys (c, NULL, e)); }
START (list_keys) { parsec_client_list_keys_async (c, k, cb, d); }
FINISH (list_keys) { return take_keys (parsec_client_list_keys_finish (c, r, e)); }

SYNC (lookup_key) { return take_key (parsec_client_lookup_key (c, KEY, NULL, e)); }
START (lookup_key) { parsec_client_lookup_key_async (c, KEY, k, cb, d); }
FINISH (lookup_key) { return take_key (parsec_client_lookup_key_finish (c, r, e)); }

SYNC (export_public_key_psa) { return take_bytes (parsec_client_export_public_key (c, KEY, NULL, e)); }
START (export_public_key_psa) { parsec_client_export_public_key_async (c, KEY, k, cb, d); }
FINISH (export_public_key_psa) { return take_bytes (parsec_client_export_public_key_finish (c, r, e)); }
KEY_OP (export_public_key_der, lookup_key_for,
        take_bytes (parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL, e)),
        parsec_key_export_public_key_async (key, PARSEC_PUBLIC_KEY_FORMAT_DER, k, cb, d),
        take_bytes (parsec_key_export_public_key_finish (key, r, e)))
KEY_OP (export_public_key_pem, lookup_key_for,
        take_pem (parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_PEM, NULL, e)),
        parsec_key_export_public_key_async (key, PARSEC_PUBLIC_KEY_FORMAT_PEM, k, cb, d),
        take_pem (parsec_key_export_public_key_finish (key, r, e)))

SYNC (sign_hash) { return take_bytes (parsec_client_sign_hash (c, KEY, inputs ()->ecdsa, inputs ()->hash, NULL, e)); }
START (sign_hash) { parsec_client_sign_hash_async (c, KEY, inputs ()->ecdsa, inputs ()->hash, k, cb, d); }
FINISH (sign_hash) { return take_bytes (parsec_client_sign_hash_finish (c, r, e)); }

SYNC (verify_hash) { return parsec_client_verify_hash (c, KEY, inputs ()->ecdsa, inputs ()->hash, inputs ()->signature, NULL, e); }
START (verify_hash) { parsec_client_verify_hash_async (c, KEY, inputs ()->ecdsa, inputs ()->hash, inputs ()->signature, k, cb, d); }
FINISH (verify_hash) { return parsec_client_verify_hash_finish (c, r, e); }

SYNC (sign_message) { return take_bytes (parsec_client_sign_message (c, KEY, inputs ()->ecdsa, inputs ()->data, NULL, e)); }
START (sign_message) { parsec_client_sign_message_async (c, KEY, inputs ()->ecdsa, inputs ()->data, k, cb, d); }
FINISH (sign_message) { return take_bytes (parsec_client_sign_message_finish (c, r, e)); }

SYNC (verify_message) { return parsec_client_verify_message (c, KEY, inputs ()->ecdsa, inputs ()->data, inputs ()->signature, NULL, e); }
START (verify_message) { parsec_client_verify_message_async (c, KEY, inputs ()->ecdsa, inputs ()->data, inputs ()->signature, k, cb, d); }
FINISH (verify_message) { return parsec_client_verify_message_finish (c, r, e); }

SYNC (asymmetric_encrypt) { return take_bytes (parsec_client_asymmetric_encrypt (c, KEY, inputs ()->oaep, inputs ()->data, NULL, NULL, e)); }
START (asymmetric_encrypt) { parsec_client_asymmetric_encrypt_async (c, KEY, inputs ()->oaep, inputs ()->data, NULL, k, cb, d); }
FINISH (asymmetric_encrypt) { return take_bytes (parsec_client_asymmetric_encrypt_finish (c, r, e)); }

SYNC (asymmetric_decrypt) { return take_bytes (parsec_client_asymmetric_decrypt (c, KEY, inputs ()->oaep, inputs ()->signature, inputs ()->small, NULL, e)); }
START (asymmetric_decrypt) { parsec_client_asymmetric_decrypt_async (c, KEY, inputs ()->oaep, inputs ()->signature, inputs ()->small, k, cb, d); }
FINISH (asymmetric_decrypt) { return take_bytes (parsec_client_asymmetric_decrypt_finish (c, r, e)); }

SYNC (aead_encrypt) { return take_bytes (parsec_client_aead_encrypt (c, KEY, inputs ()->gcm, inputs ()->small, inputs ()->data, inputs ()->data, NULL, e)); }
START (aead_encrypt) { parsec_client_aead_encrypt_async (c, KEY, inputs ()->gcm, inputs ()->small, inputs ()->data, inputs ()->data, k, cb, d); }
FINISH (aead_encrypt) { return take_bytes (parsec_client_aead_encrypt_finish (c, r, e)); }

SYNC (aead_decrypt) { return take_bytes (parsec_client_aead_decrypt (c, KEY, inputs ()->gcm, inputs ()->small, inputs ()->data, inputs ()->signature, NULL, e)); }
START (aead_decrypt) { parsec_client_aead_decrypt_async (c, KEY, inputs ()->gcm, inputs ()->small, inputs ()->data, inputs ()->signature, k, cb, d); }
FINISH (aead_decrypt) { return take_bytes (parsec_client_aead_decrypt_finish (c, r, e)); }

SYNC (cipher_encrypt) { return take_bytes (parsec_client_cipher_encrypt (c, KEY, inputs ()->cbc, inputs ()->data, NULL, e)); }
START (cipher_encrypt) { parsec_client_cipher_encrypt_async (c, KEY, inputs ()->cbc, inputs ()->data, k, cb, d); }
FINISH (cipher_encrypt) { return take_bytes (parsec_client_cipher_encrypt_finish (c, r, e)); }

SYNC (cipher_decrypt) { return take_bytes (parsec_client_cipher_decrypt (c, KEY, inputs ()->cbc, inputs ()->signature, NULL, e)); }
START (cipher_decrypt) { parsec_client_cipher_decrypt_async (c, KEY, inputs ()->cbc, inputs ()->signature, k, cb, d); }
FINISH (cipher_decrypt) { return take_bytes (parsec_client_cipher_decrypt_finish (c, r, e)); }

SYNC (mac_compute) { return take_bytes (parsec_client_mac_compute (c, KEY, inputs ()->hmac, inputs ()->data, NULL, e)); }
START (mac_compute) { parsec_client_mac_compute_async (c, KEY, inputs ()->hmac, inputs ()->data, k, cb, d); }
FINISH (mac_compute) { return take_bytes (parsec_client_mac_compute_finish (c, r, e)); }

SYNC (mac_verify) { return parsec_client_mac_verify (c, KEY, inputs ()->hmac, inputs ()->data, inputs ()->hash, NULL, e); }
START (mac_verify) { parsec_client_mac_verify_async (c, KEY, inputs ()->hmac, inputs ()->data, inputs ()->hash, k, cb, d); }
FINISH (mac_verify) { return parsec_client_mac_verify_finish (c, r, e); }

SYNC (hash_compute) { return take_bytes (parsec_client_hash_compute (c, PARSEC_HASH_SHA_256, inputs ()->data, NULL, e)); }
START (hash_compute) { parsec_client_hash_compute_async (c, PARSEC_HASH_SHA_256, inputs ()->data, k, cb, d); }
FINISH (hash_compute) { return take_bytes (parsec_client_hash_compute_finish (c, r, e)); }

SYNC (hash_compare) { return parsec_client_hash_compare (c, PARSEC_HASH_SHA_256, inputs ()->data, inputs ()->hash, NULL, e); }
START (hash_compare) { parsec_client_hash_compare_async (c, PARSEC_HASH_SHA_256, inputs ()->data, inputs ()->hash, k, cb, d); }
FINISH (hash_compare) { return parsec_client_hash_compare_finish (c, r, e); }

SYNC (raw_key_agreement) { return take_bytes (parsec_client_raw_key_agreement (c, PARSEC_KEY_AGREEMENT_ECDH, KEY, inputs ()->signature, NULL, e)); }
START (raw_key_agreement) { parsec_client_raw_key_agreement_async (c, PARSEC_KEY_AGREEMENT_ECDH, KEY, inputs ()->signature, k, cb, d); }
FINISH (raw_key_agreement) { return take_bytes (parsec_client_raw_key_agreement_finish (c, r, e)); }

SYNC (generate_random) { return take_bytes (parsec_client_generate_random (c, 32, NULL, e)); }
START (generate_random) { parsec_client_generate_random_async (c, 32, k, cb, d); }
FINISH (generate_random) { return take_bytes (parsec_client_generate_random_finish (c, r, e)); }

SYNC (can_do_crypto) { return parsec_client_can_do_crypto (c, PARSEC_CHECK_TYPE_GENERATE, inputs ()->ecc, NULL, e); }
START (can_do_crypto) { parsec_client_can_do_crypto_async (c, PARSEC_CHECK_TYPE_GENERATE, inputs ()->ecc, k, cb, d); }
FINISH (can_do_crypto) { return parsec_client_can_do_crypto_finish (c, r, e); }

KEY_OP (sign_data, lookup_key_for,
        take_bytes (parsec_key_sign_data (key, inputs ()->data, NULL, e)),
        parsec_key_sign_data_async (key, inputs ()->data, k, cb, d),
        take_bytes (parsec_key_sign_data_finish (key, r, e)))
KEY_OP (verify_data, lookup_key_for,
        parsec_key_verify_data (key, inputs ()->data, inputs ()->signature, NULL, e),
        parsec_key_verify_data_async (key, inputs ()->data, inputs ()->signature, k, cb, d),
        parsec_key_verify_data_finish (key, r, e))

/* A key object the application made with the key's attributes: no
 * lookup, one request, with the algorithm of the key's policy. */
KEY_OP (key_sign_data, known_key_for,
        take_bytes (parsec_key_sign_data (key, inputs ()->data, NULL, e)),
        parsec_key_sign_data_async (key, inputs ()->data, k, cb, d),
        take_bytes (parsec_key_sign_data_finish (key, r, e)))
KEY_OP (key_verify_data, known_key_for,
        parsec_key_verify_data (key, inputs ()->data, inputs ()->signature, NULL, e),
        parsec_key_verify_data_async (key, inputs ()->data, inputs ()->signature, k, cb, d),
        parsec_key_verify_data_finish (key, r, e))
KEY_OP (key_sign_hash, known_key_for,
        take_bytes (parsec_key_sign_hash (key, NULL, inputs ()->hash, NULL, e)),
        parsec_key_sign_hash_async (key, NULL, inputs ()->hash, k, cb, d),
        take_bytes (parsec_key_sign_hash_finish (key, r, e)))

SYNC (prepare_key_attestation) { return take_preparation (parsec_client_prepare_key_attestation (c, KEY, NULL, NULL, e)); }
START (prepare_key_attestation) { parsec_client_prepare_key_attestation_async (c, KEY, NULL, k, cb, d); }
FINISH (prepare_key_attestation) { return take_preparation (parsec_client_prepare_key_attestation_finish (c, r, e)); }

SYNC (attest_key) { return take_bytes (parsec_client_attest_key (c, KEY, inputs ()->small, inputs ()->small, NULL, NULL, e)); }
START (attest_key) { parsec_client_attest_key_async (c, KEY, inputs ()->small, inputs ()->small, NULL, k, cb, d); }
FINISH (attest_key) { return take_bytes (parsec_client_attest_key_finish (c, r, e)); }

/* Discovery: a new client asks for the providers and authenticators. */
static ParsecClient *
new_auto_client (ParsecClient *c)
{
  ParsecClient *client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, NULL,
                                         "endpoint", parsec_client_get_endpoint (c),
                                         "application-name", APP,
                                         "timeout", parsec_client_get_timeout (c),
                                         NULL);

  g_assert_nonnull (client);   /* initialisation sends nothing */
  return client;
}

SYNC (discover)
{
  ParsecClient *client = new_auto_client (c);

  if (!parsec_client_discover (client, NULL, e))
    {
      g_object_unref (client);
      return FALSE;
    }
  return take_client (G_OBJECT (client));
}
START (discover)
{
  g_autoptr(ParsecClient) client = new_auto_client (c);

  parsec_client_discover_async (client, k, cb, d);
}
FINISH (discover)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (r);

  if (!parsec_client_discover_finish (PARSEC_CLIENT (source), r, e))
    return FALSE;
  return take_client (g_steal_pointer (&source));
}

/* @name says which request gets the response under test; @calls and
 * @finish name the functions that make the calls. */
#define OP_CALLS(name, calls, finish, family, opcode, result, bytes) \
  { #name, FUZZ_FAMILY_##family, PARSEC_OPCODE_##opcode, &result##__result__descriptor, bytes, \
    calls##_run, calls##_start, finish##_finish }
#define OP(name, family, opcode, result, bytes) \
  OP_CALLS (name, name, name, family, opcode, result, bytes)
#define OP_AS(name, calls, family, opcode, result, bytes) \
  OP_CALLS (name, calls, calls, family, opcode, result, bytes)

const FuzzOp fuzz_ops[] = {
  OP (ping, CORE, PING, ping, FALSE),
  OP (list_providers, CORE, LIST_PROVIDERS, list_providers, FALSE),
  OP (list_opcodes, CORE, LIST_OPCODES, list_opcodes, FALSE),
  OP (list_authenticators, CORE, LIST_AUTHENTICATORS, list_authenticators, FALSE),
  OP (list_clients, CORE, LIST_CLIENTS, list_clients, FALSE),
  OP (delete_client, CORE, DELETE_CLIENT, delete_client, FALSE),
  OP_AS (discover_providers, discover, CORE, LIST_PROVIDERS, list_providers, FALSE),
  OP_AS (discover_authenticators, discover, CORE, LIST_AUTHENTICATORS, list_authenticators, FALSE),
  OP (destroy_key, KEYS, PSA_DESTROY_KEY, psa_destroy_key, FALSE),
  OP (export_key, KEYS, PSA_EXPORT_KEY, psa_export_key, TRUE),
  OP (generate_key, KEYS, PSA_GENERATE_KEY, psa_generate_key, FALSE),
  OP (import_key, KEYS, PSA_IMPORT_KEY, psa_import_key, FALSE),
  OP (list_keys, KEYS, LIST_KEYS, list_keys, FALSE),
  OP (lookup_key, KEYS, LIST_KEYS, list_keys, FALSE),
  OP (export_public_key_psa, KEYS, PSA_EXPORT_PUBLIC_KEY, psa_export_public_key, TRUE),
  /* DER and PEM export: the key looked up, then its export. */
  OP (export_public_key_der, KEYS, PSA_EXPORT_PUBLIC_KEY, psa_export_public_key, TRUE),
  OP (export_public_key_pem, KEYS, PSA_EXPORT_PUBLIC_KEY, psa_export_public_key, TRUE),
  /* The same with the lookup's answer under test. */
  OP_AS (export_public_key_der_lookup, export_public_key_der, KEYS, LIST_KEYS, list_keys, FALSE),
  OP_AS (export_public_key_pem_lookup, export_public_key_pem, KEYS, LIST_KEYS, list_keys, FALSE),
  OP (sign_hash, CRYPTO, PSA_SIGN_HASH, psa_sign_hash, TRUE),
  OP (verify_hash, CRYPTO, PSA_VERIFY_HASH, psa_verify_hash, FALSE),
  OP (sign_message, CRYPTO, PSA_SIGN_MESSAGE, psa_sign_message, TRUE),
  OP (verify_message, CRYPTO, PSA_VERIFY_MESSAGE, psa_verify_message, FALSE),
  OP (asymmetric_encrypt, CRYPTO, PSA_ASYMMETRIC_ENCRYPT, psa_asymmetric_encrypt, TRUE),
  OP (asymmetric_decrypt, CRYPTO, PSA_ASYMMETRIC_DECRYPT, psa_asymmetric_decrypt, TRUE),
  OP (aead_encrypt, CRYPTO, PSA_AEAD_ENCRYPT, psa_aead_encrypt, TRUE),
  OP (aead_decrypt, CRYPTO, PSA_AEAD_DECRYPT, psa_aead_decrypt, TRUE),
  OP (cipher_encrypt, CRYPTO, PSA_CIPHER_ENCRYPT, psa_cipher_encrypt, TRUE),
  OP (cipher_decrypt, CRYPTO, PSA_CIPHER_DECRYPT, psa_cipher_decrypt, TRUE),
  OP (mac_compute, CRYPTO, PSA_MAC_COMPUTE, psa_mac_compute, TRUE),
  OP (mac_verify, CRYPTO, PSA_MAC_VERIFY, psa_mac_verify, FALSE),
  OP (hash_compute, CRYPTO, PSA_HASH_COMPUTE, psa_hash_compute, TRUE),
  OP (hash_compare, CRYPTO, PSA_HASH_COMPARE, psa_hash_compare, FALSE),
  OP (raw_key_agreement, CRYPTO, PSA_RAW_KEY_AGREEMENT, psa_raw_key_agreement, TRUE),
  OP (generate_random, CRYPTO, PSA_GENERATE_RANDOM, psa_generate_random, TRUE),
  OP (can_do_crypto, CRYPTO, CAN_DO_CRYPTO, can_do_crypto, FALSE),
  /* The key looked up, then its sign/verify-data: the policy picks the
   * algorithm; SHA-256 is hashed locally. */
  OP (sign_data, CRYPTO, PSA_SIGN_HASH, psa_sign_hash, TRUE),
  OP (verify_data, CRYPTO, PSA_VERIFY_HASH, psa_verify_hash, FALSE),
  OP_AS (sign_data_lookup, sign_data, CRYPTO, LIST_KEYS, list_keys, FALSE),
  OP_AS (verify_data_lookup, verify_data, CRYPTO, LIST_KEYS, list_keys, FALSE),
  OP (prepare_key_attestation, ATTESTATION, PREPARE_KEY_ATTESTATION, prepare_key_attestation, FALSE),
  OP (attest_key, ATTESTATION, ATTEST_KEY, attest_key, FALSE),
  /* Added last, so that the selectors of the seed corpus keep their
   * operations: a key object that knows its attributes, one request. */
  OP (key_sign_data, CRYPTO, PSA_SIGN_HASH, psa_sign_hash, TRUE),
  OP (key_verify_data, CRYPTO, PSA_VERIFY_HASH, psa_verify_hash, FALSE),
  OP (key_sign_hash, CRYPTO, PSA_SIGN_HASH, psa_sign_hash, TRUE),
};
const gsize fuzz_n_ops = G_N_ELEMENTS (fuzz_ops);

GPtrArray *
fuzz_ops_of_family (FuzzFamily family)
{
  GPtrArray *ops = g_ptr_array_new ();

  for (gsize i = 0; i < fuzz_n_ops; i++)
    if (fuzz_ops[i].family == family)
      g_ptr_array_add (ops, (gpointer) &fuzz_ops[i]);
  return ops;
}

/* Known bugs */

/* Whether the library gives @id to a ParsecKey:provider, an enum
 * property that warns of values outside ParsecProvider. */
/* Canned answers */

static GBytes *
pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *buf = g_malloc (len + 1);

  protobuf_c_message_pack (message, buf);
  return g_bytes_new_take (buf, len);
}

GBytes *
fuzz_canned_list_opcodes (void)
{
  ListOpcodes__Result result = LIST_OPCODES__RESULT__INIT;
  guint32 opcodes[PARSEC_OPCODE_CAN_DO_CRYPTO];

  for (guint i = 0; i < G_N_ELEMENTS (opcodes); i++)
    opcodes[i] = i + 1;
  result.n_opcodes = G_N_ELEMENTS (opcodes);
  result.opcodes = opcodes;
  return pack (&result.base);
}

GBytes *
fuzz_canned_list_keys (void)
{
  ListKeys__Result result = LIST_KEYS__RESULT__INIT;
  ListKeys__KeyInfo info = LIST_KEYS__KEY_INFO__INIT;
  ListKeys__KeyInfo *keys[] = { &info };
  g_autoptr(ProtobufCMessage) attributes = _parsec_key_attributes_to_message (inputs ()->ecc);

  info.provider_id = PARSEC_PROVIDER_MBED_CRYPTO;
  info.name = (char *) KEY;
  info.attributes = (PsaKeyAttributes__KeyAttributes *) attributes;
  result.n_keys = 1;
  result.keys = keys;
  return pack (&result.base);
}

/* The fake service */

static GMutex script_lock;
static FuzzScript current_script;

static GBytes *
canned_answer (const FakeRequest *request,
               FakeAction        *action)
{
  static GBytes *opcodes, *keys;

  if (g_once_init_enter (&opcodes))
    g_once_init_leave (&opcodes, fuzz_canned_list_opcodes ());
  if (g_once_init_enter (&keys))
    g_once_init_leave (&keys, fuzz_canned_list_keys ());

  switch (request->header.opcode)
    {
    case PARSEC_OPCODE_LIST_OPCODES:
      return fuzz_response_new (PARSEC_OPCODE_LIST_OPCODES, 0,
                                g_bytes_get_data (opcodes, NULL), g_bytes_get_size (opcodes));
    case PARSEC_OPCODE_LIST_KEYS:
      return fuzz_response_new (PARSEC_OPCODE_LIST_KEYS, 0,
                                g_bytes_get_data (keys, NULL), g_bytes_get_size (keys));
    default:
      /* Discovery with direct authentication, Ping 1.0, empty success. */
      return fake_handler_default (request, action, GUINT_TO_POINTER (PARSEC_AUTH_TYPE_DIRECT));
    }
}

static GBytes *
scripted_answer (const FakeRequest *request,
                 FakeAction        *action,
                 gpointer           user_data)
{
  GBytes *response = NULL;
  gboolean scripted;

  g_mutex_lock (&script_lock);
  scripted = current_script.all || request->header.opcode == current_script.opcode;
  if (scripted)
    {
      response = current_script.response != NULL ? g_bytes_ref (current_script.response) : NULL;
      *action = current_script.action;
    }
  g_mutex_unlock (&script_lock);

  if (!scripted)
    response = canned_answer (request, action);
  return response;
}

FakeService *
fuzz_fake_get (void)
{
  static FakeService *fake;

  if (g_once_init_enter (&fake))
    {
      FakeService *created;
      sigset_t blocked, old;

      /* The fake's thread takes a poll() cut short by a signal as its
       * cue to stop; libFuzzer's timer (SIGALRM) and others must go to
       * the main thread. The thread inherits this mask. */
      sigemptyset (&blocked);
      sigaddset (&blocked, SIGALRM);
      sigaddset (&blocked, SIGUSR1);
      sigaddset (&blocked, SIGUSR2);
      sigaddset (&blocked, SIGINT);
      sigaddset (&blocked, SIGTERM);
      pthread_sigmask (SIG_BLOCK, &blocked, &old);
      created = fake_service_new ();
      pthread_sigmask (SIG_SETMASK, &old, NULL);

      fake_service_set_handler (created, scripted_answer, NULL);
      g_once_init_leave (&fake, created);
    }
  return fake;
}

void
fuzz_fake_set_script (const FuzzScript *next)
{
  GBytes *old;

  g_mutex_lock (&script_lock);
  old = current_script.response;
  current_script = *next;
  if (current_script.response != NULL)
    g_bytes_ref (current_script.response);
  g_mutex_unlock (&script_lock);
  g_clear_pointer (&old, g_bytes_unref);
}

ParsecClient *
fuzz_client_new (guint timeout_ms)
{
  static ParsecClient *base;
  static guint base_timeout;

  if (base == NULL || base_timeout != timeout_ms)
    {
      GError *error = NULL;

      g_clear_object (&base);
      base = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                             "endpoint", fake_service_get_endpoint (fuzz_fake_get ()),
                             "provider", PARSEC_PROVIDER_MBED_CRYPTO,
                             "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                             "application-name", APP,
                             "timeout", timeout_ms,
                             NULL);
      g_assert_no_error (error);
      base_timeout = timeout_ms;
    }
  return parsec_client_dup_for_provider (base, PARSEC_PROVIDER_MBED_CRYPTO);
}

/* GLib ends a fatal log message (g_error(), and criticals and warnings
 * made fatal) with a breakpoint, SIGTRAP, which libFuzzer does not catch:
 * it would lose the input. Turned into SIGABRT, the input is kept. */
static void
trap_to_abort (int signum)
{
  abort ();
}

void
fuzz_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      /* Before GIO reads them. */
      g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
      g_setenv ("PARSEC_SERVICE_ENDPOINT", "unix:/nonexistent/parsec-glib-fuzz.sock", TRUE);
      /* A warning or critical on hostile input is a bug as much as a
       * crash: make it one that the fuzzer reports. */
      g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      signal (SIGTRAP, trap_to_abort);
      g_once_init_leave (&done, 1);
    }
}

void
fuzz_check_outcome (const FuzzOp *op,
                    gboolean      ok,
                    const GError *error,
                    gboolean      timeout_expected)
{
  if (ok)
    {
      g_assert_null (error);
      return;
    }

  if (error == NULL)
    g_error ("%s failed without an error", op->name);
  g_assert_nonnull (error->message);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (error->domain == PARSEC_ERROR)
    return;
  if (timeout_expected && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return;
  g_error ("%s failed with an unexpected error: %s (%s %d)", op->name, error->message,
           g_quark_to_string (error->domain), error->code);
}

/* Responses */

GBytes *
fuzz_response_new (guint32       opcode,
                   guint16       status,
                   gconstpointer body,
                   gsize         body_len)
{
  ParsecWireHeader header;

  _parsec_wire_header_init_request (&header, 0, opcode, 0, (guint32) body_len, 0);
  header.status = status;
  return fake_response_new_raw (&header, body, body_len);
}

/* Random messages */

static guint32
random_u32 (GRand *rand)
{
  /* Small values select oneof members, enum values, provider 1 and so
   * on; the rest probe the edges. */
  switch (g_rand_int_range (rand, 0, 8))
    {
    case 0: return 0;
    case 1: return 1;
    case 2: return G_MAXUINT32;
    case 3: return G_MAXUINT8 + 1;
    case 4: return g_rand_int (rand);
    default: return g_rand_int_range (rand, 0, 16);
    }
}

static char *
random_string (GRand *rand)
{
  static const char * const strings[] = {
    KEY, "", "1c1139dc-ad7c-47dc-ad6b-db6fdb466552", "caf\xc3\xa9", "not \xff UTF-8",
  };
  gsize len;
  char *s;

  if (g_rand_boolean (rand))
    return g_strdup (strings[g_rand_int_range (rand, 0, G_N_ELEMENTS (strings))]);
  len = g_rand_int_range (rand, 0, 40);
  s = g_malloc (len + 1);
  for (gsize i = 0; i < len; i++)
    s[i] = (char) g_rand_int_range (rand, 1, 256);
  s[len] = '\0';
  return s;
}

static ProtobufCBinaryData
random_binary (GRand *rand)
{
  ProtobufCBinaryData binary;

  binary.len = g_rand_int_range (rand, 0, 8) == 0 ? (gsize) g_rand_int_range (rand, 0, 4096)
                                                  : (gsize) g_rand_int_range (rand, 0, 80);
  binary.data = g_malloc (binary.len + 1);
  for (gsize i = 0; i < binary.len; i++)
    binary.data[i] = (guint8) g_rand_int (rand);
  return binary;
}

static ProtobufCMessage *random_message (const ProtobufCMessageDescriptor *descriptor,
                                         GRand                            *rand,
                                         guint                             depth);

static gsize
field_size (const ProtobufCFieldDescriptor *f)
{
  switch (f->type)
    {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
      return 8;
    case PROTOBUF_C_TYPE_DOUBLE:
      return sizeof (double);
    case PROTOBUF_C_TYPE_BOOL:
      return sizeof (protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
      return sizeof (char *);
    case PROTOBUF_C_TYPE_BYTES:
      return sizeof (ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
      return sizeof (ProtobufCMessage *);
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM:
    default:
      return 4;
    }
}

static void
random_value (const ProtobufCFieldDescriptor *f,
              gpointer                        member,
              GRand                          *rand,
              guint                           depth)
{
  switch (f->type)
    {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
      *(guint64 *) member = ((guint64) random_u32 (rand) << 32) | random_u32 (rand);
      break;
    case PROTOBUF_C_TYPE_DOUBLE:
      *(double *) member = g_rand_double (rand);
      break;
    case PROTOBUF_C_TYPE_FLOAT:
      *(float *) member = (float) g_rand_double (rand);
      break;
    case PROTOBUF_C_TYPE_BOOL:
      *(protobuf_c_boolean *) member = g_rand_boolean (rand);
      break;
    case PROTOBUF_C_TYPE_STRING:
      *(char **) member = random_string (rand);
      break;
    case PROTOBUF_C_TYPE_BYTES:
      *(ProtobufCBinaryData *) member = random_binary (rand);
      break;
    case PROTOBUF_C_TYPE_MESSAGE:
      *(ProtobufCMessage **) member = random_message (f->descriptor, rand, depth + 1);
      break;
    case PROTOBUF_C_TYPE_ENUM:
      {
        const ProtobufCEnumDescriptor *e = f->descriptor;

        /* Mostly a value of the enum, sometimes one it does not have. */
        if (e->n_values > 0 && g_rand_int_range (rand, 0, 4) != 0)
          *(guint32 *) member = (guint32) e->values[g_rand_int_range (rand, 0, e->n_values)].value;
        else
          *(guint32 *) member = random_u32 (rand);
      }
      break;
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    default:
      *(guint32 *) member = random_u32 (rand);
      break;
    }
}

static ProtobufCMessage *
random_message (const ProtobufCMessageDescriptor *descriptor,
                GRand                            *rand,
                guint                             depth)
{
  ProtobufCMessage *message = g_malloc0 (descriptor->sizeof_message);

  descriptor->message_init (message);
  for (guint i = 0; i < descriptor->n_fields; i++)
    {
      const ProtobufCFieldDescriptor *f = &descriptor->fields[i];
      gpointer member = (guint8 *) message + f->offset;

      /* Nesting is bounded, and deep enough for every contract. */
      if (f->type == PROTOBUF_C_TYPE_MESSAGE && depth >= 8)
        continue;

      if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        {
          guint32 *selected = (guint32 *) ((guint8 *) message + f->quantifier_offset);
          guint members = 0;

          /* Decide once per oneof, at its first member: none, or one of
           * its members with equal chance. */
          if (i > 0 && (descriptor->fields[i - 1].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
              descriptor->fields[i - 1].quantifier_offset == f->quantifier_offset)
            continue;
          while (i + members < descriptor->n_fields &&
                 (descriptor->fields[i + members].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
                 descriptor->fields[i + members].quantifier_offset == f->quantifier_offset)
            members++;
          {
            guint pick = g_rand_int_range (rand, 0, members + 1);
            const ProtobufCFieldDescriptor *chosen;

            if (pick == members)
              continue;
            chosen = &descriptor->fields[i + pick];
            if (chosen->type == PROTOBUF_C_TYPE_MESSAGE && depth >= 8)
              continue;
            *selected = chosen->id;
            random_value (chosen, (guint8 *) message + chosen->offset, rand, depth);
          }
          continue;
        }

      if (f->label == PROTOBUF_C_LABEL_REPEATED)
        {
          gsize n = g_rand_int_range (rand, 0, 4);
          gsize size = field_size (f);
          guint8 *array = n > 0 ? g_malloc0 (n * size) : NULL;

          for (gsize j = 0; j < n; j++)
            random_value (f, array + j * size, rand, depth);
          *(size_t *) ((guint8 *) message + f->quantifier_offset) = n;
          *(gpointer *) member = array;
          continue;
        }

      if (g_rand_int_range (rand, 0, 4) != 0)
        random_value (f, member, rand, depth);
    }
  return message;
}

GBytes *
fuzz_random_body (const ProtobufCMessageDescriptor *descriptor,
                  GRand                            *rand)
{
  ProtobufCMessage *message = random_message (descriptor, rand, 0);
  GBytes *body = pack (message);

  /* Everything above came from g_malloc, which is malloc. */
  protobuf_c_message_free_unpacked (message, NULL);
  return body;
}
