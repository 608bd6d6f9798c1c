/* crypto.c: the Mbed Crypto provider, and the TPM provider's rules
 *
 * With --provider tpm the same PSA cryptography serves the requests, held
 * to what the TPM provider on swtpm accepts and answers (measured with
 * tests/service/provider-probe.py against the real one): the functions
 * named tpm_* hold its checks, from parsec providers/tpm/.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Keys live in the key store, not in PSA: each operation imports the
 * stored material as a volatile PSA key carrying the stored policy, so
 * that PSA itself enforces usage flags and the permitted algorithm, and
 * destroys it again before answering.
 */
#include "config.h"

#include <string.h>

#include "parsec-secure-private.h"
#include "test-service.h"

#include "can_do_crypto.pb-c.h"
#include "psa_aead_decrypt.pb-c.h"
#include "psa_aead_encrypt.pb-c.h"
#include "psa_asymmetric_decrypt.pb-c.h"
#include "psa_asymmetric_encrypt.pb-c.h"
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

#define RETURN_IF_FAILED(expr) \
  G_STMT_START { guint16 status_ = (expr); if (status_ != STATUS_SUCCESS) return status_; } G_STMT_END

/* A volatile PSA key that is destroyed when it goes out of scope. */
typedef psa_key_id_t VolatileKey;

static void
volatile_key_destroy (VolatileKey key)
{
  psa_destroy_key (key);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (VolatileKey, volatile_key_destroy, PSA_KEY_ID_NULL)

/* The checks of parsec-interface's validate() methods that precede every
 * use of a key: usage flag, permitted algorithm, and key type against
 * algorithm, all refused with PsaErrorNotPermitted. They judge the policy
 * as psa-crypto reads it back from Mbed TLS, and psa-crypto 0.13 reads a
 * deterministic ECDSA policy as randomized ECDSA (types/algorithm.rs tests
 * PSA_ALG_IS_ECDSA first): such a key passes no check for deterministic
 * ECDSA, and PSA then refuses randomized ECDSA, so no signature operation
 * works with it. */
static psa_algorithm_t
policy_read_back (psa_algorithm_t policy)
{
  if (PSA_ALG_IS_DETERMINISTIC_ECDSA (policy))
    return PSA_ALG_ECDSA (PSA_ALG_SIGN_GET_HASH (policy));
  return policy;
}

/* psa-crypto's is_alg_permitted(): equality, except that a hash-and-sign
 * policy for any hash permits the same scheme with a specific one. */
static gboolean
policy_permits (psa_algorithm_t policy,
                psa_algorithm_t alg)
{
  if (policy == PSA_ALG_NONE)
    return FALSE;
  if (PSA_ALG_IS_SIGN_HASH (policy) && PSA_ALG_SIGN_GET_HASH (policy) == PSA_ALG_ANY_HASH)
    return PSA_ALG_IS_SIGN_HASH (alg) &&
           (alg & ~PSA_ALG_HASH_MASK) == (policy & ~PSA_ALG_HASH_MASK) &&
           PSA_ALG_SIGN_GET_HASH (alg) != 0 && PSA_ALG_SIGN_GET_HASH (alg) != PSA_ALG_ANY_HASH;
  return policy == alg;
}

static gboolean type_fits_algorithm (psa_key_type_t  type,
                                     psa_algorithm_t alg);

static guint16
check_key_use (const psa_key_attributes_t *attributes,
               psa_key_usage_t             usage,
               psa_algorithm_t             alg)
{
  if ((psa_get_key_usage_flags (attributes) & usage) != usage)
    return STATUS_PSA_NOT_PERMITTED;
  if (alg == PSA_ALG_NONE)
    return STATUS_SUCCESS;
  if (!policy_permits (policy_read_back (psa_get_key_algorithm (attributes)), alg) ||
      !type_fits_algorithm (psa_get_key_type (attributes), alg))
    return STATUS_PSA_NOT_PERMITTED;
  return STATUS_SUCCESS;
}

/* Loads the key, checks that it may be used for @usage with @alg (none
 * for an export), and imports it into PSA. */
static guint16
open_key (const Caller    *caller,
          const char      *name,
          psa_key_usage_t  usage,
          psa_algorithm_t  alg,
          VolatileKey     *key)
{
  g_autoptr(StoredKey) stored = NULL;
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  psa_status_t status;
  guint16 checked;

  RETURN_IF_FAILED (keystore_load (caller->service->keys, caller->app, name, &stored));
  /* The attributes passed this conversion when the key was stored. */
  if (convert_key_attributes (stored->attributes, &attributes) != STATUS_SUCCESS)
    return STATUS_PSA_STORAGE_FAILURE;
  checked = check_key_use (&attributes, usage, alg);
  if (checked != STATUS_SUCCESS)
    {
      psa_reset_key_attributes (&attributes);
      return checked;
    }
  status = psa_import_key (&attributes, stored->material, stored->material_len, key);
  psa_reset_key_attributes (&attributes);
  return service_status_from_psa (status);
}

/* Stores a new key with the usage flags the service lists it with. */
static guint16
save_key (const Caller                          *caller,
          const char                            *name,
          const PsaKeyAttributes__KeyAttributes *requested,
          const guint8                          *material,
          gsize                                  material_len)
{
  PsaKeyAttributes__KeyAttributes attributes = *requested;
  PsaKeyAttributes__KeyPolicy policy = *requested->key_policy;
  PsaKeyAttributes__UsageFlags usage = *requested->key_policy->key_usage_flags;

  convert_extend_usage (&usage);
  policy.key_usage_flags = &usage;
  attributes.key_policy = &policy;
  return keystore_save (caller->service->keys, caller->app, name, &attributes, material, material_len);
}

/* psa-crypto's is_hash_len_permitted(): a hash-and-sign scheme signs
 * hashes of its own hash's length only. */
static gboolean
hash_length_permitted (psa_algorithm_t alg,
                       gsize           len)
{
  psa_algorithm_t hash = PSA_ALG_SIGN_GET_HASH (alg);

  if (alg == PSA_ALG_ECDSA_ANY || alg == PSA_ALG_RSA_PKCS1V15_SIGN_RAW)
    return TRUE;
  return hash != PSA_ALG_ANY_HASH && len == PSA_HASH_LENGTH (hash);
}

/* The Mbed Crypto provider only accepts the RSA sizes it was tested with;
 * an import may leave the size to be taken from the data. */
static guint16
check_key_size (const psa_key_attributes_t *attributes,
                gboolean                    is_import)
{
  psa_key_type_t type = psa_get_key_type (attributes);
  gsize bits = psa_get_key_bits (attributes);

  if (is_import && bits == 0)
    return STATUS_SUCCESS;
  if (PSA_KEY_TYPE_IS_RSA (type) && bits != 1024 && bits != 2048 && bits != 4096)
    return STATUS_PSA_INVALID_ARGUMENT;
  return STATUS_SUCCESS;
}

/* Checks shared by generate and import, in the service's order. */
static guint16
check_new_key (const Caller                          *caller,
               const char                            *name,
               const PsaKeyAttributes__KeyAttributes *template,
               gboolean                               is_import,
               psa_key_attributes_t                  *attributes)
{
  RETURN_IF_FAILED (convert_key_attributes (template, attributes));
  /* The service refuses to create keys from deprecated primitives but,
   * by design, still lets existing ones be imported (it only warns). */
  if (!is_import && convert_is_deprecated (template))
    return STATUS_DEPRECATED_PRIMITIVE;
  RETURN_IF_FAILED (check_key_size (attributes, is_import));
  if (keystore_exists (caller->service->keys, caller->app, name))
    return STATUS_PSA_ALREADY_EXISTS;
  return STATUS_SUCCESS;
}

static gboolean
is_tpm (const Caller *caller)
{
  return caller->service->provider == PROVIDER_TPM;
}

/* parsec-tpm's hash conversion, narrowed to what swtpm creates keys with
 * (it has no SHA-3: PsaErrorNotSupported at TPM2_Create). */
static guint16
tpm_check_hash (psa_algorithm_t hash)
{
  if (hash == PSA_ALG_SHA_1 || hash == PSA_ALG_SHA_256 || hash == PSA_ALG_SHA_384 || hash == PSA_ALG_SHA_512)
    return STATUS_SUCCESS;
  return STATUS_PSA_NOT_SUPPORTED;
}

/* The TPM provider's utils::parsec_to_tpm_params(): RSA of 1024 to 4096
 * bits with PKCS #1 v1.5 or PSS for one hash, or an encryption scheme;
 * ECDSA for one hash on the NIST curves. Wildcard hashes, deterministic
 * ECDSA and every other type are PsaErrorNotSupported; a scheme that does
 * not fit the key type PsaErrorInvalidArgument. */
static guint16
tpm_check_params (const psa_key_attributes_t *attributes)
{
  psa_key_type_t type = psa_get_key_type (attributes);
  psa_algorithm_t alg = psa_get_key_algorithm (attributes);
  gsize bits = psa_get_key_bits (attributes);

  if (PSA_KEY_TYPE_IS_RSA (type))
    {
      if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
        return STATUS_PSA_INVALID_ARGUMENT;
      if (PSA_ALG_IS_RSA_PKCS1V15_SIGN (alg) || PSA_ALG_IS_RSA_PSS (alg))
        {
          if (alg == PSA_ALG_RSA_PKCS1V15_SIGN_RAW || PSA_ALG_SIGN_GET_HASH (alg) == PSA_ALG_ANY_HASH)
            return STATUS_PSA_NOT_SUPPORTED;
          return tpm_check_hash (PSA_ALG_SIGN_GET_HASH (alg));
        }
      if (alg == PSA_ALG_RSA_PKCS1V15_CRYPT)
        return STATUS_SUCCESS;
      if (PSA_ALG_IS_RSA_OAEP (alg))
        return tpm_check_hash (PSA_ALG_RSA_OAEP_GET_HASH (alg));
      return STATUS_PSA_INVALID_ARGUMENT;
    }
  if (PSA_KEY_TYPE_IS_ECC (type))
    {
      /* Randomized ECDSA for any hash is no scheme it knows, but raw and
       * deterministic ECDSA are ones it refuses. */
      if (!PSA_ALG_IS_ECDSA (alg) || alg == PSA_ALG_ECDSA (PSA_ALG_ANY_HASH))
        return STATUS_PSA_INVALID_ARGUMENT;
      if (alg == PSA_ALG_ECDSA_ANY || PSA_ALG_IS_DETERMINISTIC_ECDSA (alg))
        return STATUS_PSA_NOT_SUPPORTED;
      RETURN_IF_FAILED (tpm_check_hash (PSA_ALG_SIGN_GET_HASH (alg)));
      if (PSA_KEY_TYPE_ECC_GET_FAMILY (type) != PSA_ECC_FAMILY_SECP_R1 ||
          (bits != 192 && bits != 224 && bits != 256 && bits != 384 && bits != 521))
        return STATUS_PSA_NOT_SUPPORTED;
      return STATUS_SUCCESS;
    }
  return STATUS_PSA_NOT_SUPPORTED;
}

/* The TPM provider's key generation, in its order: deprecated primitives,
 * an existing name, public key types, the parameters; swtpm then has no
 * 4096-bit RSA (TPM_RC_VALUE, which the provider turns into
 * PsaErrorCommunicationFailure). */
static guint16
tpm_check_generate (const Caller                          *caller,
                    const char                            *name,
                    const PsaKeyAttributes__KeyAttributes *template,
                    psa_key_attributes_t                  *attributes)
{
  RETURN_IF_FAILED (convert_key_attributes (template, attributes));
  if (convert_is_deprecated (template))
    return STATUS_DEPRECATED_PRIMITIVE;
  if (keystore_exists (caller->service->keys, caller->app, name))
    return STATUS_PSA_ALREADY_EXISTS;
  if (PSA_KEY_TYPE_IS_PUBLIC_KEY (psa_get_key_type (attributes)))
    return STATUS_PSA_INVALID_ARGUMENT;
  RETURN_IF_FAILED (tpm_check_params (attributes));
  if (PSA_KEY_TYPE_IS_RSA (psa_get_key_type (attributes)) && psa_get_key_bits (attributes) == 4096)
    return STATUS_PSA_COMMUNICATION_FAILURE;
  return STATUS_SUCCESS;
}

/* The TPM provider imports public keys only. A size left at 0 is taken
 * from the data first (utils::adjust_attributes_key_bits): an ECC point
 * of n bytes counts (n - 1) / 2 * 8 bits, so a P-521 point has 528 and
 * no curve. */
static guint16
tpm_check_import (const Caller                          *caller,
                  const PsaImportKey__Operation         *in,
                  psa_key_attributes_t                  *attributes)
{
  psa_key_type_t type;

  RETURN_IF_FAILED (convert_key_attributes (in->attributes, attributes));
  type = psa_get_key_type (attributes);
  if (type != PSA_KEY_TYPE_RSA_PUBLIC_KEY && !PSA_KEY_TYPE_IS_ECC_PUBLIC_KEY (type))
    return STATUS_PSA_NOT_SUPPORTED;
  if (keystore_exists (caller->service->keys, caller->app, in->key_name))
    return STATUS_PSA_ALREADY_EXISTS;
  if (psa_get_key_bits (attributes) == 0 && PSA_KEY_TYPE_IS_ECC (type))
    {
      if (in->data.len == 0 || in->data.len % 2 == 0)
        return STATUS_PSA_INVALID_ARGUMENT;
      psa_set_key_bits (attributes, (in->data.len - 1) / 2 * 8);
    }
  else if (psa_get_key_bits (attributes) == 0)
    {
      psa_key_attributes_t imported = PSA_KEY_ATTRIBUTES_INIT;
      g_auto(VolatileKey) key = PSA_KEY_ID_NULL;

      if (psa_import_key (attributes, in->data.data, in->data.len, &key) != PSA_SUCCESS ||
          psa_get_key_attributes (key, &imported) != PSA_SUCCESS)
        return STATUS_PSA_INVALID_ARGUMENT;
      psa_set_key_bits (attributes, psa_get_key_bits (&imported));
      psa_reset_key_attributes (&imported);
    }
  RETURN_IF_FAILED (tpm_check_params (attributes));
  /* A point must be 1 + 2 * (bits / 8) bytes: none is, for P-521. */
  if (PSA_KEY_TYPE_IS_ECC (type) && in->data.len != 1 + 2 * (psa_get_key_bits (attributes) / 8))
    return STATUS_PSA_INVALID_ARGUMENT;
  return STATUS_SUCCESS;
}

guint16
crypto_generate_key (const Caller           *caller,
                     const ProtobufCMessage *operation,
                     ProtobufCMessage       *result)
{
  const PsaGenerateKey__Operation *in = (const PsaGenerateKey__Operation *) operation;
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  guint8 *material;
  gsize size, len = 0;
  psa_status_t psa;
  guint16 status;

  if (is_tpm (caller))
    RETURN_IF_FAILED (tpm_check_generate (caller, in->key_name, in->attributes, &attributes));
  else
    RETURN_IF_FAILED (check_new_key (caller, in->key_name, in->attributes, FALSE, &attributes));

  /* Export is how the material gets to the store; the stored policy is
   * the requested one. */
  psa_set_key_usage_flags (&attributes, psa_get_key_usage_flags (&attributes) | PSA_KEY_USAGE_EXPORT);
  psa = psa_generate_key (&attributes, &key);
  if (psa != PSA_SUCCESS)
    return service_status_from_psa (psa);

  size = PSA_BITS_TO_BYTES (psa_get_key_bits (&attributes)) + PSA_EXPORT_KEY_PAIR_MAX_SIZE;
  material = secure_alloc (size);
  psa = psa_export_key (key, material, size, &len);
  if (psa == PSA_SUCCESS)
    status = save_key (caller, in->key_name, in->attributes, material, len);
  else
    status = service_status_from_psa (psa);
  secure_free (material);
  return status;
}

guint16
crypto_import_key (const Caller           *caller,
                   const ProtobufCMessage *operation,
                   ProtobufCMessage       *result)
{
  const PsaImportKey__Operation *in = (const PsaImportKey__Operation *) operation;
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_status_t psa;

  if (is_tpm (caller))
    RETURN_IF_FAILED (tpm_check_import (caller, in, &attributes));
  else
    RETURN_IF_FAILED (check_new_key (caller, in->key_name, in->attributes, TRUE, &attributes));

  /* PSA validates the data against the attributes; what it accepts it
   * accepts again at every use. */
  psa = psa_import_key (&attributes, in->data.data, in->data.len, &key);
  if (psa != PSA_SUCCESS)
    return service_status_from_psa (psa);
  if (is_tpm (caller))
    {
      /* The TPM provider stores the size it found. */
      PsaKeyAttributes__KeyAttributes sized = *in->attributes;

      sized.key_bits = psa_get_key_bits (&attributes);
      return save_key (caller, in->key_name, &sized, in->data.data, in->data.len);
    }
  return save_key (caller, in->key_name, in->attributes, in->data.data, in->data.len);
}

/* The TPM provider sizes ECC coordinates and signature halves as bits / 8
 * bytes, one short for P-521 (utils.rs): it makes P-521 keys, but their
 * public key export fails (PsaErrorCommunicationFailure), signing too
 * (PsaErrorGenericError), verifying and importing them with their size
 * are PsaErrorInvalidArgument. */
static gboolean
tpm_is_odd_curve (const Caller *caller,
                  psa_key_id_t  key)
{
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  gboolean odd;

  if (!is_tpm (caller) || psa_get_key_attributes (key, &attributes) != PSA_SUCCESS)
    return FALSE;
  odd = PSA_KEY_TYPE_IS_ECC (psa_get_key_type (&attributes)) && psa_get_key_bits (&attributes) % 8 != 0;
  psa_reset_key_attributes (&attributes);
  return odd;
}

guint16
crypto_export_public_key (const Caller           *caller,
                          const ProtobufCMessage *operation,
                          ProtobufCMessage       *result)
{
  const PsaExportPublicKey__Operation *in = (const PsaExportPublicKey__Operation *) operation;
  PsaExportPublicKey__Result *out = (PsaExportPublicKey__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  guint8 *data;

  RETURN_IF_FAILED (open_key (caller, in->key_name, 0, PSA_ALG_NONE, &key));
  if (tpm_is_odd_curve (caller, key))
    return STATUS_PSA_COMMUNICATION_FAILURE;
  data = service_result_bytes (&out->data, PSA_EXPORT_PUBLIC_KEY_MAX_SIZE);
  return service_status_from_psa (psa_export_public_key (key, data, PSA_EXPORT_PUBLIC_KEY_MAX_SIZE, &out->data.len));
}

guint16
crypto_export_key (const Caller           *caller,
                   const ProtobufCMessage *operation,
                   ProtobufCMessage       *result)
{
  const PsaExportKey__Operation *in = (const PsaExportKey__Operation *) operation;
  PsaExportKey__Result *out = (PsaExportKey__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  gsize size;
  guint8 *data;

  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_EXPORT, PSA_ALG_NONE, &key));
  if (psa_get_key_attributes (key, &attributes) != PSA_SUCCESS)
    return STATUS_PSA_GENERIC_ERROR;
  size = PSA_BITS_TO_BYTES (psa_get_key_bits (&attributes)) + PSA_EXPORT_KEY_PAIR_MAX_SIZE;
  psa_reset_key_attributes (&attributes);
  data = service_result_bytes (&out->data, size);
  return service_status_from_psa (psa_export_key (key, data, size, &out->data.len));
}

guint16
crypto_destroy_key (const Caller           *caller,
                    const ProtobufCMessage *operation,
                    ProtobufCMessage       *result)
{
  const PsaDestroyKey__Operation *in = (const PsaDestroyKey__Operation *) operation;

  return keystore_remove (caller->service->keys, caller->app, in->key_name);
}

/* The TPM provider signs and verifies with PKCS #1 v1.5 and randomized
 * ECDSA only (asym_sign.rs), once the key is found and before its policy
 * is checked: RSA-PSS keys can be made but not used. */
static guint16
tpm_check_signature (const Caller    *caller,
                     const char      *name,
                     psa_algorithm_t  alg)
{
  if (!is_tpm (caller))
    return STATUS_SUCCESS;
  if (!keystore_exists (caller->service->keys, caller->app, name))
    return STATUS_PSA_DOES_NOT_EXIST;
  if (PSA_ALG_IS_RSA_PKCS1V15_SIGN (alg) || (PSA_ALG_IS_ECDSA (alg) && !PSA_ALG_IS_DETERMINISTIC_ECDSA (alg)))
    return STATUS_SUCCESS;
  return STATUS_PSA_NOT_SUPPORTED;
}

guint16
crypto_sign_hash (const Caller           *caller,
                  const ProtobufCMessage *operation,
                  ProtobufCMessage       *result)
{
  const PsaSignHash__Operation *in = (const PsaSignHash__Operation *) operation;
  PsaSignHash__Result *out = (PsaSignHash__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;
  guint8 *signature;

  RETURN_IF_FAILED (convert_signature_alg (in->alg, &alg));
  RETURN_IF_FAILED (tpm_check_signature (caller, in->key_name, alg));
  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_SIGN_HASH, alg, &key));
  if (!hash_length_permitted (alg, in->hash.len))
    return STATUS_PSA_INVALID_ARGUMENT;
  if (tpm_is_odd_curve (caller, key))
    return STATUS_PSA_GENERIC_ERROR;
  signature = service_result_bytes (&out->signature, PSA_SIGNATURE_MAX_SIZE);
  return service_status_from_psa (psa_sign_hash (key, alg, in->hash.data, in->hash.len,
                                                 signature, PSA_SIGNATURE_MAX_SIZE, &out->signature.len));
}

guint16
crypto_verify_hash (const Caller           *caller,
                    const ProtobufCMessage *operation,
                    ProtobufCMessage       *result)
{
  const PsaVerifyHash__Operation *in = (const PsaVerifyHash__Operation *) operation;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;

  RETURN_IF_FAILED (convert_signature_alg (in->alg, &alg));
  RETURN_IF_FAILED (tpm_check_signature (caller, in->key_name, alg));
  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_VERIFY_HASH, alg, &key));
  if (!hash_length_permitted (alg, in->hash.len) || tpm_is_odd_curve (caller, key))
    return STATUS_PSA_INVALID_ARGUMENT;
  return service_status_from_psa (psa_verify_hash (key, alg, in->hash.data, in->hash.len,
                                                   in->signature.data, in->signature.len));
}

guint16
crypto_sign_message (const Caller           *caller,
                     const ProtobufCMessage *operation,
                     ProtobufCMessage       *result)
{
  const PsaSignMessage__Operation *in = (const PsaSignMessage__Operation *) operation;
  PsaSignMessage__Result *out = (PsaSignMessage__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;
  guint8 *signature;

  RETURN_IF_FAILED (convert_signature_alg (in->alg, &alg));
  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_SIGN_MESSAGE, alg, &key));
  signature = service_result_bytes (&out->signature, PSA_SIGNATURE_MAX_SIZE);
  return service_status_from_psa (psa_sign_message (key, alg, in->message.data, in->message.len,
                                                    signature, PSA_SIGNATURE_MAX_SIZE, &out->signature.len));
}

guint16
crypto_verify_message (const Caller           *caller,
                       const ProtobufCMessage *operation,
                       ProtobufCMessage       *result)
{
  const PsaVerifyMessage__Operation *in = (const PsaVerifyMessage__Operation *) operation;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;

  RETURN_IF_FAILED (convert_signature_alg (in->alg, &alg));
  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_VERIFY_MESSAGE, alg, &key));
  return service_status_from_psa (psa_verify_message (key, alg, in->message.data, in->message.len,
                                                      in->signature.data, in->signature.len));
}

guint16
crypto_asymmetric_encrypt (const Caller           *caller,
                           const ProtobufCMessage *operation,
                           ProtobufCMessage       *result)
{
  const PsaAsymmetricEncrypt__Operation *in = (const PsaAsymmetricEncrypt__Operation *) operation;
  PsaAsymmetricEncrypt__Result *out = (PsaAsymmetricEncrypt__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;
  guint8 *ciphertext;

  RETURN_IF_FAILED (convert_encryption_alg (in->alg, &alg));
  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_ENCRYPT, alg, &key));
  if (in->plaintext.len == 0 || (alg == PSA_ALG_RSA_PKCS1V15_CRYPT && in->salt.len > 0))
    return STATUS_PSA_INVALID_ARGUMENT;
  /* A TPM refuses an OAEP label that does not end with a zero byte
   * (TPM_RC_VALUE), which the TPM provider reports as
   * PsaErrorCommunicationFailure; "label\0" works. */
  if (is_tpm (caller) && in->salt.len > 0 && in->salt.data[in->salt.len - 1] != 0)
    return STATUS_PSA_COMMUNICATION_FAILURE;
  ciphertext = service_result_bytes (&out->ciphertext, PSA_ASYMMETRIC_ENCRYPT_OUTPUT_MAX_SIZE);
  /* An empty salt means no salt. */
  return service_status_from_psa (psa_asymmetric_encrypt (key, alg, in->plaintext.data, in->plaintext.len,
                                                          in->salt.len > 0 ? in->salt.data : NULL, in->salt.len,
                                                          ciphertext, PSA_ASYMMETRIC_ENCRYPT_OUTPUT_MAX_SIZE,
                                                          &out->ciphertext.len));
}

guint16
crypto_asymmetric_decrypt (const Caller           *caller,
                           const ProtobufCMessage *operation,
                           ProtobufCMessage       *result)
{
  const PsaAsymmetricDecrypt__Operation *in = (const PsaAsymmetricDecrypt__Operation *) operation;
  PsaAsymmetricDecrypt__Result *out = (PsaAsymmetricDecrypt__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;
  guint8 *plaintext;
  psa_status_t psa;

  RETURN_IF_FAILED (convert_encryption_alg (in->alg, &alg));
  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_DECRYPT, alg, &key));
  if (in->ciphertext.len == 0 || (alg == PSA_ALG_RSA_PKCS1V15_CRYPT && in->salt.len > 0))
    return STATUS_PSA_INVALID_ARGUMENT;
  if (is_tpm (caller) && in->salt.len > 0 && in->salt.data[in->salt.len - 1] != 0)
    return STATUS_PSA_COMMUNICATION_FAILURE;
  plaintext = service_result_bytes (&out->plaintext, PSA_ASYMMETRIC_DECRYPT_OUTPUT_MAX_SIZE);
  psa = psa_asymmetric_decrypt (key, alg, in->ciphertext.data, in->ciphertext.len,
                                in->salt.len > 0 ? in->salt.data : NULL, in->salt.len,
                                plaintext, PSA_ASYMMETRIC_DECRYPT_OUTPUT_MAX_SIZE, &out->plaintext.len);
  /* swtpm fails TPM2_RSA_Decrypt of a bad ciphertext with TPM_RC_FAILURE
   * (or a label with TPM_RC_VALUE), not the padding error, and the TPM
   * provider reports PsaErrorCommunicationFailure: no InvalidPadding. */
  if (psa != PSA_SUCCESS && is_tpm (caller))
    return STATUS_PSA_COMMUNICATION_FAILURE;
  return service_status_from_psa (psa);
}

guint16
crypto_aead_encrypt (const Caller           *caller,
                     const ProtobufCMessage *operation,
                     ProtobufCMessage       *result)
{
  const PsaAeadEncrypt__Operation *in = (const PsaAeadEncrypt__Operation *) operation;
  PsaAeadEncrypt__Result *out = (PsaAeadEncrypt__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;
  gsize size = in->plaintext.len + PSA_AEAD_TAG_MAX_SIZE;
  guint8 *ciphertext;

  RETURN_IF_FAILED (convert_aead_alg (in->alg, &alg));
  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_ENCRYPT, alg, &key));
  /* The service refuses an empty message (and nonce), though AEAD could
   * authenticate it (parsec-interface operations/psa_aead_encrypt.rs). */
  if (in->plaintext.len == 0 || in->nonce.len == 0)
    return STATUS_PSA_INVALID_ARGUMENT;
  ciphertext = service_result_bytes (&out->ciphertext, size);
  return service_status_from_psa (psa_aead_encrypt (key, alg, in->nonce.data, in->nonce.len,
                                                    in->additional_data.data, in->additional_data.len,
                                                    in->plaintext.data, in->plaintext.len,
                                                    ciphertext, size, &out->ciphertext.len));
}

guint16
crypto_aead_decrypt (const Caller           *caller,
                     const ProtobufCMessage *operation,
                     ProtobufCMessage       *result)
{
  const PsaAeadDecrypt__Operation *in = (const PsaAeadDecrypt__Operation *) operation;
  PsaAeadDecrypt__Result *out = (PsaAeadDecrypt__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;
  gsize size = in->ciphertext.len;
  guint8 *plaintext;

  RETURN_IF_FAILED (convert_aead_alg (in->alg, &alg));
  RETURN_IF_FAILED (open_key (caller, in->key_name, PSA_KEY_USAGE_DECRYPT, alg, &key));
  if (in->ciphertext.len == 0 || in->nonce.len == 0)
    return STATUS_PSA_INVALID_ARGUMENT;
  plaintext = service_result_bytes (&out->plaintext, size);
  return service_status_from_psa (psa_aead_decrypt (key, alg, in->nonce.data, in->nonce.len,
                                                    in->additional_data.data, in->additional_data.len,
                                                    in->ciphertext.data, in->ciphertext.len,
                                                    plaintext, size, &out->plaintext.len));
}

guint16
crypto_hash_compute (const Caller           *caller,
                     const ProtobufCMessage *operation,
                     ProtobufCMessage       *result)
{
  const PsaHashCompute__Operation *in = (const PsaHashCompute__Operation *) operation;
  PsaHashCompute__Result *out = (PsaHashCompute__Result *) result;
  psa_algorithm_t alg = 0;
  guint8 *hash;

  RETURN_IF_FAILED (convert_hash (in->alg, &alg));
  hash = service_result_bytes (&out->hash, PSA_HASH_MAX_SIZE);
  return service_status_from_psa (psa_hash_compute (alg, in->input.data, in->input.len,
                                                    hash, PSA_HASH_MAX_SIZE, &out->hash.len));
}

guint16
crypto_hash_compare (const Caller           *caller,
                     const ProtobufCMessage *operation,
                     ProtobufCMessage       *result)
{
  const PsaHashCompare__Operation *in = (const PsaHashCompare__Operation *) operation;
  psa_algorithm_t alg = 0;

  RETURN_IF_FAILED (convert_hash (in->alg, &alg));
  return service_status_from_psa (psa_hash_compare (alg, in->input.data, in->input.len,
                                                    in->hash.data, in->hash.len));
}

guint16
crypto_raw_key_agreement (const Caller           *caller,
                          const ProtobufCMessage *operation,
                          ProtobufCMessage       *result)
{
  const PsaRawKeyAgreement__Operation *in = (const PsaRawKeyAgreement__Operation *) operation;
  PsaRawKeyAgreement__Result *out = (PsaRawKeyAgreement__Result *) result;
  g_auto(VolatileKey) key = PSA_KEY_ID_NULL;
  psa_algorithm_t alg = 0;
  guint8 *secret;

  RETURN_IF_FAILED (convert_key_agreement_raw (in->alg, &alg));
  RETURN_IF_FAILED (open_key (caller, in->private_key_name, PSA_KEY_USAGE_DERIVE, alg, &key));
  secret = service_result_bytes (&out->shared_secret, PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE);
  return service_status_from_psa (psa_raw_key_agreement (alg, key, in->peer_key.data, in->peer_key.len,
                                                         secret, PSA_RAW_KEY_AGREEMENT_OUTPUT_MAX_SIZE,
                                                         &out->shared_secret.len));
}

guint16
crypto_generate_random (const Caller           *caller,
                        const ProtobufCMessage *operation,
                        ProtobufCMessage       *result)
{
  const PsaGenerateRandom__Operation *in = (const PsaGenerateRandom__Operation *) operation;
  PsaGenerateRandom__Result *out = (PsaGenerateRandom__Result *) result;
  guint8 *random;

  gsize size = in->size;

  if (size > SERVICE_BUFFER_LIMIT)
    return STATUS_RESPONSE_TOO_LARGE;
  if (caller->service->provider == PROVIDER_TPM)
    size = MIN (size, TPM_RANDOM_MAX);
  random = service_result_bytes (&out->random_bytes, size);
  return service_status_from_psa (psa_generate_random (random, size));
}

/* CanDoCrypto, after the service's generic checks (crypto_capability.rs)
 * and the Mbed Crypto provider's own (capability_discovery.rs). */

static gboolean
type_is_generatable (psa_key_type_t type)
{
  return type == PSA_KEY_TYPE_RSA_KEY_PAIR || PSA_KEY_TYPE_IS_ECC_KEY_PAIR (type) ||
         PSA_KEY_TYPE_IS_DH_KEY_PAIR (type) || type == PSA_KEY_TYPE_RAW_DATA ||
         type == PSA_KEY_TYPE_AES || type == PSA_KEY_TYPE_CAMELLIA || type == PSA_KEY_TYPE_CHACHA20;
}

static gboolean
type_fits_algorithm (psa_key_type_t  type,
                     psa_algorithm_t alg)
{
  gboolean block_cipher = type == PSA_KEY_TYPE_AES || type == PSA_KEY_TYPE_CAMELLIA;

  if (PSA_ALG_IS_RSA_PKCS1V15_SIGN (alg) || PSA_ALG_IS_RSA_PSS (alg) || PSA_ALG_IS_ASYMMETRIC_ENCRYPTION (alg))
    return PSA_KEY_TYPE_IS_RSA (type);
  if (PSA_ALG_IS_ECDSA (alg))
    return PSA_KEY_TYPE_IS_ECC (type);
  if (PSA_ALG_IS_AEAD (alg))
    return PSA_ALG_AEAD_WITH_SHORTENED_TAG (alg, 0) == PSA_ALG_AEAD_WITH_SHORTENED_TAG (PSA_ALG_CHACHA20_POLY1305, 0)
           ? type == PSA_KEY_TYPE_CHACHA20 : block_cipher;
  if (PSA_ALG_IS_CIPHER (alg))
    return alg == PSA_ALG_STREAM_CIPHER ? type == PSA_KEY_TYPE_CHACHA20 : block_cipher;
  if (PSA_ALG_IS_MAC (alg))
    return PSA_ALG_IS_HMAC (PSA_ALG_FULL_LENGTH_MAC (alg)) ? type == PSA_KEY_TYPE_HMAC : block_cipher;
  if (PSA_ALG_IS_KEY_AGREEMENT (alg))
    return PSA_ALG_IS_ECDH (alg) ? PSA_KEY_TYPE_IS_ECC_KEY_PAIR (type) : PSA_KEY_TYPE_IS_DH_KEY_PAIR (type);
  if (PSA_ALG_IS_KEY_DERIVATION (alg))
    return type == PSA_KEY_TYPE_DERIVE;
  return FALSE;
}

static guint16
can_use (const psa_key_attributes_t         *attributes,
         const PsaKeyAttributes__UsageFlags *flags)
{
  psa_algorithm_t alg = psa_get_key_algorithm (attributes);

  if (alg == PSA_ALG_NONE)
    return STATUS_PSA_NOT_SUPPORTED;
  if (!(flags->decrypt || flags->encrypt || flags->sign_hash || flags->sign_message ||
        flags->verify_hash || flags->verify_message))
    return STATUS_PSA_NOT_SUPPORTED;
  if (!type_fits_algorithm (psa_get_key_type (attributes), alg))
    return STATUS_PSA_NOT_SUPPORTED;
  if (check_key_size (attributes, FALSE) != STATUS_SUCCESS)
    return STATUS_PSA_NOT_SUPPORTED;
  return STATUS_SUCCESS;
}

/* The TPM provider's capability_discovery.rs after the generic checks:
 * RSA sizes and NIST curves first, then keys it generates (key pairs) or
 * imports (public keys), and for a use its key parameters. */
static guint16
tpm_can_do_crypto (CanDoCrypto__CheckType              check,
                   const psa_key_attributes_t         *attributes,
                   const PsaKeyAttributes__UsageFlags *flags)
{
  psa_key_type_t type = psa_get_key_type (attributes);
  gsize bits = psa_get_key_bits (attributes);
  gboolean use;

  if (PSA_KEY_TYPE_IS_RSA (type))
    {
      if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
        return STATUS_PSA_NOT_SUPPORTED;
    }
  else if (PSA_KEY_TYPE_IS_ECC (type))
    {
      if (PSA_KEY_TYPE_ECC_GET_FAMILY (type) != PSA_ECC_FAMILY_SECP_R1 ||
          (bits != 192 && bits != 224 && bits != 256 && bits != 384 && bits != 521))
        return STATUS_PSA_NOT_SUPPORTED;
    }
  else
    return STATUS_PSA_NOT_SUPPORTED;

  switch (check)
    {
    case CAN_DO_CRYPTO__CHECK_TYPE__GENERATE:
      if (PSA_KEY_TYPE_IS_PUBLIC_KEY (type))
        return STATUS_PSA_NOT_SUPPORTED;
      use = psa_get_key_algorithm (attributes) != PSA_ALG_NONE;
      break;
    case CAN_DO_CRYPTO__CHECK_TYPE__IMPORT:
      if (!PSA_KEY_TYPE_IS_PUBLIC_KEY (type))
        return STATUS_PSA_NOT_SUPPORTED;
      use = psa_get_key_algorithm (attributes) != PSA_ALG_NONE;
      break;
    case CAN_DO_CRYPTO__CHECK_TYPE__USE:
      use = TRUE;
      break;
    default:
      return STATUS_PSA_NOT_SUPPORTED;
    }
  if (!use)
    return STATUS_SUCCESS;
  if (psa_get_key_algorithm (attributes) == PSA_ALG_NONE ||
      !(flags->decrypt || flags->encrypt || flags->sign_hash || flags->sign_message ||
        flags->verify_hash || flags->verify_message) ||
      !type_fits_algorithm (type, psa_get_key_algorithm (attributes)) ||
      tpm_check_params (attributes) != STATUS_SUCCESS)
    return STATUS_PSA_NOT_SUPPORTED;
  return STATUS_SUCCESS;
}

guint16
crypto_can_do_crypto (const Caller           *caller,
                      const ProtobufCMessage *operation,
                      ProtobufCMessage       *result)
{
  const CanDoCrypto__Operation *in = (const CanDoCrypto__Operation *) operation;
  psa_key_attributes_t attributes = PSA_KEY_ATTRIBUTES_INIT;
  const PsaKeyAttributes__UsageFlags *flags;
  psa_key_type_t type;
  gboolean is_import = in->check_type == CAN_DO_CRYPTO__CHECK_TYPE__IMPORT;
  guint16 status;

  if (in->check_type != CAN_DO_CRYPTO__CHECK_TYPE__USE &&
      in->check_type != CAN_DO_CRYPTO__CHECK_TYPE__GENERATE &&
      in->check_type != CAN_DO_CRYPTO__CHECK_TYPE__IMPORT &&
      in->check_type != CAN_DO_CRYPTO__CHECK_TYPE__DERIVE)
    return STATUS_INVALID_ENCODING;
  /* The provider answers NotSupported for attributes psa-crypto cannot
   * convert, curve sizes included (capability_discovery.rs). */
  status = convert_key_attributes (in->attributes, &attributes);
  if (status == STATUS_PSA_INVALID_ARGUMENT)
    return STATUS_PSA_NOT_SUPPORTED;
  RETURN_IF_FAILED (status);
  flags = in->attributes->key_policy->key_usage_flags;
  type = psa_get_key_type (&attributes);
  if (is_tpm (caller))
    return tpm_can_do_crypto (in->check_type, &attributes, flags);

  switch (in->check_type)
    {
    case CAN_DO_CRYPTO__CHECK_TYPE__USE:
      return can_use (&attributes, flags);

    case CAN_DO_CRYPTO__CHECK_TYPE__GENERATE:
    case CAN_DO_CRYPTO__CHECK_TYPE__IMPORT:
      if (check_key_size (&attributes, is_import) != STATUS_SUCCESS)
        return STATUS_PSA_NOT_SUPPORTED;
      if (!type_is_generatable (type) && !(is_import && PSA_KEY_TYPE_IS_PUBLIC_KEY (type)))
        return STATUS_PSA_NOT_SUPPORTED;
      if (psa_get_key_algorithm (&attributes) == PSA_ALG_NONE)
        return STATUS_SUCCESS;
      return can_use (&attributes, flags);

    default:
      /* Derivation checks are not implemented by any provider. */
      return STATUS_PSA_NOT_SUPPORTED;
    }
}
