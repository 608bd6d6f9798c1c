/* p11-crypto.c: PKCS #11 mechanisms on the keys of the service
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A PSA key permits one algorithm (with any hash, for some), so each
 * mechanism is mapped onto the key's policy when an operation starts, and
 * refused with CKR_MECHANISM_INVALID where the policy does not permit it,
 * as CKA_ALLOWED_MECHANISMS says. The service signs hashes: the hashing
 * mechanisms hash here (GLib's SHA-2), which also makes C_SignUpdate work;
 * the others gather their short input.
 *
 * Mapping rules, by the key's policy:
 * - RSA PKCS #1 v1.5 with a hash: CKM_SHA*_RSA_PKCS of that hash, and
 *   CKM_RSA_PKCS on a DigestInfo of that hash. With any hash: all of them.
 *   Raw PKCS #1 v1.5: CKM_RSA_PKCS on any input, and the hashing ones.
 * - RSA-PSS: CKM_RSA_PKCS_PSS and CKM_SHA*_RSA_PKCS_PSS, with MGF1 of the
 *   same hash and a salt as long as the hash, which is what PSA uses.
 * - ECDSA with a hash: CKM_ECDSA on a digest of that length and
 *   CKM_ECDSA_SHA* of it; with any hash, the hash is told by the length.
 * - RSA PKCS #1 v1.5 encryption: CKM_RSA_PKCS; OAEP: CKM_RSA_PKCS_OAEP
 *   with the policy's hash, MGF1 of it and any label.
 */
#include "config.h"

#include <string.h>

#include "der.h"
#include "p11-private.h"
#include "secure-mem.h"

/* The largest input of a mechanism that does not hash: a DigestInfo, a
 * digest, or an RSA block of a key of up to 8192 bits. */
#define MAX_RAW_INPUT 1024

#define RSA_MIN_BITS 1024
#define RSA_MAX_BITS 4096
#define EC_MIN_BITS 256
#define EC_MAX_BITS 521

typedef enum {
  FAMILY_RSA_KEYGEN,
  FAMILY_EC_KEYGEN,
  FAMILY_RSA_PKCS,
  FAMILY_RSA_PSS,
  FAMILY_RSA_OAEP,
  FAMILY_ECDSA,
} Family;

#define EC_FLAGS (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)

typedef struct {
  CK_MECHANISM_TYPE type;
  Family family;
  ParsecHash hash;            /* what the mechanism hashes with, if it does */
  CK_FLAGS flags;
} Mechanism;

static const Mechanism mechanisms[] = {
  { CKM_RSA_PKCS_KEY_PAIR_GEN, FAMILY_RSA_KEYGEN, PARSEC_HASH_NONE, CKF_GENERATE_KEY_PAIR },
  { CKM_RSA_PKCS, FAMILY_RSA_PKCS, PARSEC_HASH_NONE, CKF_SIGN | CKF_VERIFY | CKF_ENCRYPT | CKF_DECRYPT },
  { CKM_SHA256_RSA_PKCS, FAMILY_RSA_PKCS, PARSEC_HASH_SHA_256, CKF_SIGN | CKF_VERIFY },
  { CKM_SHA384_RSA_PKCS, FAMILY_RSA_PKCS, PARSEC_HASH_SHA_384, CKF_SIGN | CKF_VERIFY },
  { CKM_SHA512_RSA_PKCS, FAMILY_RSA_PKCS, PARSEC_HASH_SHA_512, CKF_SIGN | CKF_VERIFY },
  { CKM_RSA_PKCS_PSS, FAMILY_RSA_PSS, PARSEC_HASH_NONE, CKF_SIGN | CKF_VERIFY },
  { CKM_SHA256_RSA_PKCS_PSS, FAMILY_RSA_PSS, PARSEC_HASH_SHA_256, CKF_SIGN | CKF_VERIFY },
  { CKM_SHA384_RSA_PKCS_PSS, FAMILY_RSA_PSS, PARSEC_HASH_SHA_384, CKF_SIGN | CKF_VERIFY },
  { CKM_SHA512_RSA_PKCS_PSS, FAMILY_RSA_PSS, PARSEC_HASH_SHA_512, CKF_SIGN | CKF_VERIFY },
  { CKM_RSA_PKCS_OAEP, FAMILY_RSA_OAEP, PARSEC_HASH_NONE, CKF_ENCRYPT | CKF_DECRYPT },
  { CKM_EC_KEY_PAIR_GEN, FAMILY_EC_KEYGEN, PARSEC_HASH_NONE, CKF_GENERATE_KEY_PAIR | EC_FLAGS },
  { CKM_ECDSA, FAMILY_ECDSA, PARSEC_HASH_NONE, CKF_SIGN | CKF_VERIFY | EC_FLAGS },
  { CKM_ECDSA_SHA256, FAMILY_ECDSA, PARSEC_HASH_SHA_256, CKF_SIGN | CKF_VERIFY | EC_FLAGS },
  { CKM_ECDSA_SHA384, FAMILY_ECDSA, PARSEC_HASH_SHA_384, CKF_SIGN | CKF_VERIFY | EC_FLAGS },
  { CKM_ECDSA_SHA512, FAMILY_ECDSA, PARSEC_HASH_SHA_512, CKF_SIGN | CKF_VERIFY | EC_FLAGS },
};

typedef struct {
  ParsecHash hash;
  CK_MECHANISM_TYPE mechanism;
  CK_RSA_PKCS_MGF_TYPE mgf;
  gsize len;
  const char *oid;
} Hash;

static const Hash hashes[] = {
  { PARSEC_HASH_SHA_1, CKM_SHA_1, CKG_MGF1_SHA1, 20, "1.3.14.3.2.26" },
  { PARSEC_HASH_SHA_224, CKM_SHA224, CKG_MGF1_SHA224, 28, "2.16.840.1.101.3.4.2.4" },
  { PARSEC_HASH_SHA_256, CKM_SHA256, CKG_MGF1_SHA256, 32, "2.16.840.1.101.3.4.2.1" },
  { PARSEC_HASH_SHA_384, CKM_SHA384, CKG_MGF1_SHA384, 48, "2.16.840.1.101.3.4.2.2" },
  { PARSEC_HASH_SHA_512, CKM_SHA512, CKG_MGF1_SHA512, 64, "2.16.840.1.101.3.4.2.3" },
};

static const Hash *
hash_find (ParsecHash hash)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hashes); i++)
    if (hashes[i].hash == hash)
      return &hashes[i];
  return NULL;
}

static const Hash *
hash_find_mechanism (CK_MECHANISM_TYPE mechanism)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hashes); i++)
    if (hashes[i].mechanism == mechanism)
      return &hashes[i];
  return NULL;
}

static const Hash *
hash_find_len (gsize len)
{
  for (gsize i = 0; i < G_N_ELEMENTS (hashes); i++)
    if (hashes[i].len == len)
      return &hashes[i];
  return NULL;
}

static const Mechanism *
mechanism_find (CK_MECHANISM_TYPE type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    if (mechanisms[i].type == type)
      return &mechanisms[i];
  return NULL;
}

CK_RV
p11_mechanism_list (CK_MECHANISM_TYPE *list,
                    CK_ULONG          *count)
{
  CK_ULONG n = G_N_ELEMENTS (mechanisms);
  CK_RV rv;

  if (!p11_output_fits (list, count, n, &rv))
    return rv;
  for (CK_ULONG i = 0; i < n; i++)
    list[i] = mechanisms[i].type;
  *count = n;
  return CKR_OK;
}

static gboolean
family_is_rsa (Family family)
{
  return family != FAMILY_EC_KEYGEN && family != FAMILY_ECDSA;
}

CK_RV
p11_mechanism_info (CK_MECHANISM_TYPE  type,
                    CK_MECHANISM_INFO *info)
{
  const Mechanism *mechanism = mechanism_find (type);

  if (mechanism == NULL)
    return CKR_MECHANISM_INVALID;
  info->ulMinKeySize = family_is_rsa (mechanism->family) ? RSA_MIN_BITS : EC_MIN_BITS;
  info->ulMaxKeySize = family_is_rsa (mechanism->family) ? RSA_MAX_BITS : EC_MAX_BITS;
  /* The work is done by the service, behind its boundary. */
  info->flags = mechanism->flags | CKF_HW;
  return CKR_OK;
}

/* Policies */

typedef struct {
  ParsecAlgorithmKind kind;
  guint scheme;               /* a ParsecSignatureScheme or ParsecEncryptionScheme */
  ParsecHash hash;
} Policy;

static void
policy_of (ParsecKeyAttributes *attributes,
           Policy              *policy)
{
  ParsecAlgorithm *algorithm = parsec_key_attributes_get_algorithm (attributes);

  policy->kind = algorithm != NULL ? parsec_algorithm_get_kind (algorithm) : PARSEC_ALGORITHM_KIND_NONE;
  if (policy->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE)
    policy->scheme = parsec_algorithm_get_signature_scheme (algorithm);
  else if (policy->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION)
    policy->scheme = parsec_algorithm_get_encryption_scheme (algorithm);
  else
    policy->scheme = 0;
  policy->hash = algorithm != NULL ? parsec_algorithm_get_hash (algorithm) : PARSEC_HASH_NONE;
}

static gboolean
policy_hash_allows (const Policy *policy,
                    ParsecHash    hash)
{
  return policy->hash == PARSEC_HASH_ANY || policy->hash == hash;
}

static gboolean
is_signature (const Policy *policy,
              guint         scheme)
{
  return policy->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE && policy->scheme == scheme;
}

static gboolean
is_ecdsa (const Policy *policy)
{
  return is_signature (policy, PARSEC_SIGNATURE_SCHEME_ECDSA) || is_signature (policy, PARSEC_SIGNATURE_SCHEME_ECDSA_ANY) ||
         is_signature (policy, PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA);
}

/* Whether the policy permits the mechanism, leaving aside what depends on
 * the mechanism's parameters or input. */
static gboolean
mechanism_permitted (const Mechanism *mechanism,
                     const Policy    *policy,
                     P11OpKind        op)
{
  gboolean signing = op == P11_OP_SIGN || op == P11_OP_VERIFY;

  switch (mechanism->family)
    {
    case FAMILY_RSA_PKCS:
      if (!signing)
        return mechanism->hash == PARSEC_HASH_NONE && policy->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION &&
               policy->scheme == PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15;
      if (is_signature (policy, PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW))
        return TRUE;
      return is_signature (policy, PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15) &&
             (mechanism->hash == PARSEC_HASH_NONE || policy_hash_allows (policy, mechanism->hash));
    case FAMILY_RSA_PSS:
      return signing && is_signature (policy, PARSEC_SIGNATURE_SCHEME_RSA_PSS) &&
             (mechanism->hash == PARSEC_HASH_NONE || policy_hash_allows (policy, mechanism->hash));
    case FAMILY_RSA_OAEP:
      return !signing && policy->kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION &&
             policy->scheme == PARSEC_ENCRYPTION_SCHEME_RSA_OAEP;
    case FAMILY_ECDSA:
      return signing && is_ecdsa (policy) &&
             (mechanism->hash == PARSEC_HASH_NONE || policy->scheme == PARSEC_SIGNATURE_SCHEME_ECDSA_ANY ||
              policy_hash_allows (policy, mechanism->hash));
    case FAMILY_RSA_KEYGEN:
    case FAMILY_EC_KEYGEN:
    default:
      return FALSE;
    }
}

GArray *
p11_allowed_mechanisms (P11Object *object)
{
  GArray *allowed = g_array_new (FALSE, FALSE, sizeof (CK_MECHANISM_TYPE));
  gboolean rsa = p11_object_is_rsa (object);
  Policy policy;

  policy_of (p11_object_attributes (object), &policy);
  for (gsize i = 0; i < G_N_ELEMENTS (mechanisms); i++)
    {
      gboolean permitted = FALSE;

      if (family_is_rsa (mechanisms[i].family) != rsa)
        continue;
      for (P11OpKind op = 0; op < P11_N_OPS; op++)
        permitted = permitted || mechanism_permitted (&mechanisms[i], &policy, op);
      if (permitted)
        g_array_append_val (allowed, mechanisms[i].type);
    }
  return allowed;
}

/* Operations */

struct _P11Operation
{
  P11OpKind kind;
  const Mechanism *mechanism;
  ParsecKey *key;
  Policy policy;
  gsize key_bytes;
  /* From the parameters of PSS and OAEP */
  const Hash *hash;
  GBytes *label;
  /* Input: hashed as it comes (with its state wiped), or gathered */
  gboolean hashing;
  Digest *digest;
  guint8 *buffer;
  gsize buffer_len;
  gboolean single_part;       /* C_Sign and friends had their input */
  /* A decryption's plaintext, kept for a call with a larger buffer */
  GBytes *result;
  /* On a secret key: the rest is p11-secret.c's */
  P11SecretOperation *secret;
};

void
p11_operation_free (P11Operation *op)
{
  g_clear_object (&op->key);
  g_clear_pointer (&op->label, g_bytes_unref);
  g_clear_pointer (&op->digest, digest_free);
  g_clear_pointer (&op->buffer, secure_free);
  g_clear_pointer (&op->result, g_bytes_unref);
  g_clear_pointer (&op->secret, p11_secret_operation_free);
  g_free (op);
}

static CK_RV
check_pss_params (const CK_MECHANISM *mechanism,
                  const Mechanism    *known,
                  const Policy       *policy,
                  const Hash        **hash)
{
  CK_RSA_PKCS_PSS_PARAMS copy, *params = &copy;

  if (mechanism->pParameter == NULL || mechanism->ulParameterLen != sizeof copy)
    return CKR_MECHANISM_PARAM_INVALID;
  /* The caller's parameters need not be aligned. */
  memcpy (&copy, mechanism->pParameter, sizeof copy);
  *hash = hash_find_mechanism (params->hashAlg);
  /* PSA uses MGF1 with the message's hash and a salt as long as it. */
  if (*hash == NULL || params->mgf != (*hash)->mgf || params->sLen != (*hash)->len ||
      (known->hash != PARSEC_HASH_NONE && known->hash != (*hash)->hash))
    return CKR_MECHANISM_PARAM_INVALID;
  if (!policy_hash_allows (policy, (*hash)->hash))
    return CKR_MECHANISM_INVALID;
  return CKR_OK;
}

static CK_RV
check_oaep_params (const CK_MECHANISM *mechanism,
                   const Policy       *policy,
                   const Hash        **hash,
                   GBytes            **label)
{
  CK_RSA_PKCS_OAEP_PARAMS copy, *params = &copy;

  if (mechanism->pParameter == NULL || mechanism->ulParameterLen != sizeof copy)
    return CKR_MECHANISM_PARAM_INVALID;
  /* The caller's parameters need not be aligned. */
  memcpy (&copy, mechanism->pParameter, sizeof copy);
  *hash = hash_find_mechanism (params->hashAlg);
  if (*hash == NULL || params->mgf != (*hash)->mgf)
    return CKR_MECHANISM_PARAM_INVALID;
  if (params->source != 0 && params->source != CKZ_DATA_SPECIFIED)
    return CKR_MECHANISM_PARAM_INVALID;
  if (params->pSourceData == NULL && params->ulSourceDataLen > 0)
    return CKR_MECHANISM_PARAM_INVALID;
  if (policy->hash != (*hash)->hash)
    return CKR_MECHANISM_INVALID;
  *label = params->ulSourceDataLen > 0 ? g_bytes_new (params->pSourceData, params->ulSourceDataLen) : NULL;
  return CKR_OK;
}

CK_RV
p11_operation_new (P11OpKind            kind,
                   const CK_MECHANISM  *mechanism,
                   P11Object           *key,
                   P11Operation       **out)
{
  g_autoptr(GError) error = NULL;
  const Mechanism *known = mechanism_find (mechanism->mechanism);
  ParsecKeyAttributes *attributes = p11_object_attributes (key);
  ParsecKeyUsage usage = parsec_key_attributes_get_usage (attributes);
  ParsecKeyUsage needed;
  const Hash *hash = NULL;
  g_autoptr(GBytes) label = NULL;
  P11Operation *op;
  Policy policy;
  CK_FLAGS flag;
  gsize key_bytes;
  CK_RV rv;

  if (mechanism->pParameter == NULL && mechanism->ulParameterLen > 0)
    return CKR_MECHANISM_PARAM_INVALID;
  if (key->kind == P11_KIND_SECRET_KEY)
    {
      P11SecretOperation *secret;

      if ((rv = p11_secret_operation_new (kind, mechanism, key, &secret)) != CKR_OK)
        return rv;
      op = g_new0 (P11Operation, 1);
      op->kind = kind;
      op->key = g_object_ref (key->key);
      op->secret = secret;
      *out = op;
      return CKR_OK;
    }
  if (p11_mechanism_is_aead (mechanism->mechanism))
    return CKR_KEY_TYPE_INCONSISTENT;
  flag = kind == P11_OP_SIGN ? CKF_SIGN : kind == P11_OP_VERIFY ? CKF_VERIFY
         : kind == P11_OP_ENCRYPT ? CKF_ENCRYPT : CKF_DECRYPT;
  if (known == NULL || !(known->flags & flag))
    return CKR_MECHANISM_INVALID;
  if (family_is_rsa (known->family) != p11_object_is_rsa (key))
    return CKR_KEY_TYPE_INCONSISTENT;

  /* Private keys sign and decrypt, public keys verify and encrypt. */
  if ((kind == P11_OP_SIGN || kind == P11_OP_DECRYPT) != (key->kind == P11_KIND_PRIVATE_KEY))
    return CKR_KEY_FUNCTION_NOT_PERMITTED;
  needed = kind == P11_OP_SIGN ? PARSEC_KEY_USAGE_SIGN_HASH : kind == P11_OP_VERIFY ? PARSEC_KEY_USAGE_VERIFY_HASH
           : kind == P11_OP_ENCRYPT ? PARSEC_KEY_USAGE_ENCRYPT : PARSEC_KEY_USAGE_DECRYPT;
  if (!(usage & needed))
    return CKR_KEY_FUNCTION_NOT_PERMITTED;

  policy_of (attributes, &policy);
  if (!mechanism_permitted (known, &policy, kind))
    return CKR_MECHANISM_INVALID;
  if (known->family == FAMILY_RSA_PSS)
    rv = check_pss_params (mechanism, known, &policy, &hash);
  else if (known->family == FAMILY_RSA_OAEP)
    rv = check_oaep_params (mechanism, &policy, &hash, &label);
  else
    rv = mechanism->ulParameterLen == 0 ? CKR_OK : CKR_MECHANISM_PARAM_INVALID;
  if (rv != CKR_OK)
    return rv;

  /* Output sizes come from the public key. */
  if (!p11_object_load_public (key, &error))
    return p11_rv_from_error (error, CKR_DEVICE_ERROR);
  key_bytes = p11_object_key_bytes (key);
  if (key_bytes == 0)
    return CKR_DEVICE_ERROR;

  op = g_new0 (P11Operation, 1);
  op->kind = kind;
  op->mechanism = known;
  op->key = g_object_ref (key->key);
  op->policy = policy;
  op->key_bytes = key_bytes;
  op->hash = hash != NULL ? hash : hash_find (known->hash);
  op->label = g_steal_pointer (&label);
  /* The mechanisms that hash use hashes GLib has. */
  op->hashing = known->hash != PARSEC_HASH_NONE && op->hash != NULL;
  if (op->hashing)
    op->digest = digest_new (op->hash->hash);
  else
    op->buffer = secure_alloc (MAX_RAW_INPUT);
  *out = op;
  return CKR_OK;
}

CK_RV
p11_operation_update (P11Operation *op,
                      const guint8 *data,
                      gsize         len)
{
  if (op->secret != NULL)
    return p11_secret_operation_update (op->secret, data, len);
  if (op->hashing)
    {
      if (op->digest == NULL)
        return CKR_OPERATION_NOT_INITIALIZED;
      if (len > 0)
        digest_update (op->digest, data, len);
      return CKR_OK;
    }
  if (len > MAX_RAW_INPUT - op->buffer_len)
    return op->kind == P11_OP_DECRYPT ? CKR_ENCRYPTED_DATA_LEN_RANGE : CKR_DATA_LEN_RANGE;
  if (len > 0)
    memcpy (op->buffer + op->buffer_len, data, len);
  op->buffer_len += len;
  return CKR_OK;
}

CK_RV
p11_operation_input_once (P11Operation *op,
                          const guint8 *data,
                          gsize         len)
{
  /* A call after a size query (or a buffer too small) gives its input
   * again, maybe another: the result is the one of the call that gets it,
   * over that call's input. */
  if (op->single_part)
    {
      if (op->secret != NULL)
        p11_secret_operation_restart (op->secret);
      else if (op->hashing)
        {
          g_clear_pointer (&op->digest, digest_free);
          op->digest = digest_new (op->hash->hash);
        }
      else
        {
          secure_wipe (op->buffer, op->buffer_len);
          op->buffer_len = 0;
        }
      g_clear_pointer (&op->result, g_bytes_unref);
    }
  op->single_part = TRUE;
  return p11_operation_update (op, data, len);
}

/* DigestInfo ::= SEQUENCE { digestAlgorithm AlgorithmIdentifier,
 * digest OCTET STRING } (PKCS #1), with or without NULL parameters. */
static GBytes *
digest_info (const Hash *hash,
             GBytes     *digest)
{
  return der_seq (der_seq (der_oid (hash->oid), der_null (), NULL),
                  der_tlv (DER_OCTET_STRING, g_bytes_ref (digest)), NULL);
}

static const Hash *
digest_info_parse (const guint8  *data,
                   gsize          len,
                   GBytes       **digest)
{
  DerCursor top, seq, algorithm, oid, octets;
  g_autoptr(GBytes) encoded = NULL;
  const Hash *hash;

  der_cursor_init (&top, data, len);
  if (!der_expect (&top, DER_SEQUENCE, &seq, NULL) || !der_cursor_at_end (&top) ||
      !der_expect (&seq, DER_SEQUENCE, &algorithm, NULL) ||
      !der_expect (&algorithm, DER_OID, NULL, &oid) ||
      !der_expect (&seq, DER_OCTET_STRING, &octets, NULL) || !der_cursor_at_end (&seq))
    return NULL;
  if (!der_cursor_at_end (&algorithm) &&
      (!der_expect (&algorithm, DER_NULL, NULL, NULL) || !der_cursor_at_end (&algorithm)))
    return NULL;
  /* The digest's length tells the hashes apart: only its OID is encoded. */
  hash = hash_find_len (der_cursor_len (&octets));
  if (hash == NULL)
    return NULL;
  encoded = der_oid (hash->oid);
  if (g_bytes_get_size (encoded) != der_cursor_len (&oid) ||
      memcmp (g_bytes_get_data (encoded, NULL), oid.p, der_cursor_len (&oid)) != 0)
    return NULL;
  *digest = g_bytes_new (octets.p, der_cursor_len (&octets));
  return hash;
}

/* What the service is asked to sign or verify: the algorithm and the hash
 * (or, for raw PKCS #1 v1.5, the block to pad). */
static CK_RV
signature_input (P11Operation     *op,
                 ParsecAlgorithm **algorithm,
                 GBytes          **input)
{
  g_autoptr(GBytes) digest = NULL;
  const Policy *policy = &op->policy;
  const Hash *hash = NULL;

  if (op->hashing)
    {
      if (op->digest == NULL)
        return CKR_OPERATION_NOT_INITIALIZED;
      /* Finished once: the operation ends with its result. */
      digest = digest_finish (g_steal_pointer (&op->digest));
      hash = op->hash;
    }
  else
    digest = g_bytes_new (op->buffer, op->buffer_len);

  switch (op->mechanism->family)
    {
    case FAMILY_RSA_PKCS:
      if (policy->scheme == PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW)
        {
          *algorithm = parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW, PARSEC_HASH_NONE);
          *input = hash != NULL ? digest_info (hash, digest) : g_bytes_ref (digest);
          return CKR_OK;
        }
      if (hash == NULL)
        {
          g_autoptr(GBytes) inner = NULL;

          hash = digest_info_parse (op->buffer, op->buffer_len, &inner);
          if (hash == NULL)
            return CKR_DATA_INVALID;
          /* The hash is known only now: C_Sign has no CKR_MECHANISM_INVALID. */
          if (!policy_hash_allows (policy, hash->hash))
            return CKR_DATA_INVALID;
          g_clear_pointer (&digest, g_bytes_unref);
          digest = g_steal_pointer (&inner);
        }
      *algorithm = parsec_algorithm_new_rsa_pkcs1v15_sign (hash->hash);
      break;
    case FAMILY_RSA_PSS:
      hash = op->hash;
      if (g_bytes_get_size (digest) != hash->len)
        return CKR_DATA_LEN_RANGE;
      *algorithm = parsec_algorithm_new_rsa_pss (hash->hash);
      break;
    case FAMILY_ECDSA:
      if (policy->scheme == PARSEC_SIGNATURE_SCHEME_ECDSA_ANY)
        {
          if (g_bytes_get_size (digest) == 0)
            return CKR_DATA_LEN_RANGE;
          *algorithm = parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_ECDSA_ANY, PARSEC_HASH_NONE);
          break;
        }
      if (hash == NULL)
        {
          hash = policy->hash == PARSEC_HASH_ANY ? hash_find_len (g_bytes_get_size (digest)) : hash_find (policy->hash);
          if (hash == NULL || hash->len != g_bytes_get_size (digest))
            return CKR_DATA_LEN_RANGE;
        }
      *algorithm = parsec_algorithm_new_signature (policy->scheme, hash->hash);
      break;
    case FAMILY_RSA_OAEP:
    case FAMILY_RSA_KEYGEN:
    case FAMILY_EC_KEYGEN:
    default:
      return CKR_GENERAL_ERROR;
    }
  *input = g_steal_pointer (&digest);
  return CKR_OK;
}

static gsize
output_size (P11Operation *op)
{
  if (op->secret != NULL)
    return p11_secret_output_size (op->secret);
  if (op->mechanism->family == FAMILY_ECDSA)
    return 2 * op->key_bytes;
  return op->key_bytes;
}

static ParsecAlgorithm *
encryption_algorithm (P11Operation *op)
{
  if (op->mechanism->family == FAMILY_RSA_OAEP)
    return parsec_algorithm_new_rsa_oaep (op->hash->hash);
  return parsec_algorithm_new_rsa_pkcs1v15_crypt ();
}

/* Runs the operation in the service. */
static CK_RV
compute (P11Operation  *op,
         GBytes       **result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  g_autoptr(GBytes) input = NULL;
  CK_RV rv;

  if (op->secret != NULL)
    return p11_secret_compute (op->secret, op->key, result);
  switch (op->kind)
    {
    case P11_OP_SIGN:
      rv = signature_input (op, &algorithm, &input);
      if (rv != CKR_OK)
        return rv;
      *result = parsec_key_sign_hash (op->key, algorithm, input, NULL, &error);
      if (*result == NULL)
        return p11_rv_from_error (error, CKR_DATA_INVALID);
      /* The library holds the signature to the key's size; the size
       * query promised the public key's, which must be the same. */
      if (g_bytes_get_size (*result) != output_size (op))
        {
          g_debug ("a signature of %zu bytes from a key of %zu", g_bytes_get_size (*result), op->key_bytes);
          g_clear_pointer (result, g_bytes_unref);
          return CKR_DEVICE_ERROR;
        }
      return CKR_OK;
    case P11_OP_ENCRYPT:
      algorithm = encryption_algorithm (op);
      input = secure_bytes_new (op->buffer, op->buffer_len);
      *result = parsec_key_asymmetric_encrypt (op->key, algorithm, input, op->label, NULL, &error);
      return *result != NULL ? CKR_OK : p11_rv_from_error (error, CKR_DATA_LEN_RANGE);
    case P11_OP_DECRYPT:
      if (op->buffer_len != op->key_bytes)
        return CKR_ENCRYPTED_DATA_LEN_RANGE;
      algorithm = encryption_algorithm (op);
      input = g_bytes_new (op->buffer, op->buffer_len);
      *result = parsec_key_asymmetric_decrypt (op->key, algorithm, input, op->label, NULL, &error);
      return *result != NULL ? CKR_OK : p11_rv_from_error (error, CKR_ENCRYPTED_DATA_INVALID);
    case P11_OP_VERIFY:
    case P11_N_OPS:
    default:
      return CKR_GENERAL_ERROR;
    }
}

CK_RV
p11_operation_finish (P11Operation *op,
                      CK_BYTE_PTR   out,
                      CK_ULONG_PTR  out_len,
                      gboolean     *done)
{
  gsize len;
  CK_RV rv;

  *done = FALSE;
  if (op->result == NULL)
    {
      /* Sizes are exact but for decryption, whose bound is the block:
       * a short buffer is judged by the result. */
      if ((out == NULL || op->kind != P11_OP_DECRYPT) &&
          !p11_output_fits (out, out_len, output_size (op), &rv))
        return rv;
      rv = compute (op, &op->result);
      if (rv != CKR_OK)
        {
          *done = TRUE;
          return rv;
        }
    }
  len = g_bytes_get_size (op->result);
  if (!p11_output_fits (out, out_len, len, &rv))
    return rv;
  if (len > 0)
    memcpy (out, g_bytes_get_data (op->result, NULL), len);
  *out_len = len;
  *done = TRUE;
  return CKR_OK;
}

CK_RV
p11_operation_verify (P11Operation *op,
                      const guint8 *signature,
                      gsize         len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) signature_bytes = NULL;
  CK_RV rv;

  if (len != output_size (op))
    return CKR_SIGNATURE_LEN_RANGE;
  rv = signature_input (op, &algorithm, &input);
  if (rv != CKR_OK)
    return rv;
  signature_bytes = g_bytes_new (signature, len);
  if (!parsec_key_verify_hash (op->key, algorithm, input, signature_bytes, NULL, &error))
    return p11_rv_from_error (error, CKR_SIGNATURE_INVALID);
  return CKR_OK;
}

CK_RV
p11_generate_random (ParsecClient *client,
                     CK_BYTE_PTR   out,
                     CK_ULONG      len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) random = NULL;

  if (len == 0)
    return CKR_OK;
  random = parsec_client_generate_random (client, len, NULL, &error);
  if (random == NULL)
    return p11_rv_from_error (error, CKR_DATA_LEN_RANGE);
  if (g_bytes_get_size (random) != len)
    return CKR_DEVICE_ERROR;
  memcpy (out, g_bytes_get_data (random, NULL), len);
  return CKR_OK;
}

/* Key pairs */

typedef struct {
  ParsecEccFamily family;
  guint bits;
} Curve;

/* The curves a key pair can be asked for on. Their identifiers come
 * from the library's own table, through the keys it converts. */
static const Curve curves[] = {
  { PARSEC_ECC_FAMILY_SECP_R1, 256 },
  { PARSEC_ECC_FAMILY_SECP_R1, 384 },
  { PARSEC_ECC_FAMILY_SECP_R1, 521 },
  { PARSEC_ECC_FAMILY_SECP_K1, 256 },
  { PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 256 },
  { PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 384 },
  { PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 512 },
};

static const Curve *
curve_from_params (const CK_ATTRIBUTE *params)
{
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    {
      gsize size = (curves[i].bits + 7) / 8;
      g_autofree guint8 *point = g_malloc0 (1 + 2 * size);
      g_autoptr(ParsecKeyAttributes) attributes =
        parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_PUBLIC_KEY, curves[i].family, curves[i].bits,
                                       PARSEC_KEY_USAGE_NONE, NULL);
      g_autoptr(GBytes) point_bytes = NULL;
      g_autoptr(GBytes) spki = NULL;
      g_autoptr(GBytes) oid = NULL;

      point[0] = 0x04;
      point_bytes = g_bytes_new (point, 1 + 2 * size);
      spki = parsec_public_key_convert (attributes, point_bytes, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL);
      if (spki != NULL && p11_spki_ec_params (spki, &oid, NULL) &&
          g_bytes_get_size (oid) == params->ulValueLen &&
          memcmp (g_bytes_get_data (oid, NULL), params->pValue, params->ulValueLen) == 0)
        return &curves[i];
    }
  return NULL;
}

/* The attributes of both templates, checked for what they ask. */
typedef struct {
  const CK_ATTRIBUTE *public_tmpl;
  CK_ULONG public_count;
  const CK_ATTRIBUTE *private_tmpl;
  CK_ULONG private_count;
} Templates;

static CK_RV
templates_find (const Templates     *t,
                CK_ATTRIBUTE_TYPE    type,
                const CK_ATTRIBUTE **found)
{
  const CK_ATTRIBUTE *in_private;
  CK_RV rv = p11_template_find (t->private_tmpl, t->private_count, type, &in_private);

  if (rv != CKR_OK)
    return rv;
  rv = p11_template_find (t->public_tmpl, t->public_count, type, found);
  if (rv != CKR_OK)
    return rv;
  if (in_private != NULL)
    {
      if (*found != NULL && ((*found)->ulValueLen != in_private->ulValueLen ||
                             memcmp ((*found)->pValue, in_private->pValue, in_private->ulValueLen) != 0))
        return CKR_TEMPLATE_INCONSISTENT;
      *found = in_private;
    }
  return CKR_OK;
}

/* CKA_CLASS, CKA_TOKEN and CKA_SENSITIVE of one template; @token is
 * left alone where the template does not say. */
static CK_RV
check_storage (const CK_ATTRIBUTE *tmpl,
               CK_ULONG            count,
               CK_OBJECT_CLASS     klass,
               gboolean           *token,
               gboolean           *token_given)
{
  gboolean sensitive = TRUE, present;
  CK_ULONG value;
  CK_RV rv;

  if ((rv = p11_template_ulong (tmpl, count, CKA_CLASS, &value, &present)) != CKR_OK)
    return rv;
  if (present && value != klass)
    return CKR_TEMPLATE_INCONSISTENT;
  /* CKA_PRIVATE is accepted either way, as nothing needs a login. */
  if ((rv = p11_template_bool (tmpl, count, CKA_TOKEN, token, token_given)) != CKR_OK)
    return rv;
  if ((rv = p11_template_bool (tmpl, count, CKA_SENSITIVE, &sensitive, NULL)) != CKR_OK)
    return rv;
  if (!sensitive)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  return CKR_OK;
}

/* Which families CKA_ALLOWED_MECHANISMS names, as bits of 1 << Family;
 * CKM_RSA_PKCS (signing and encryption both) counts apart, in @raw_pkcs. */
static guint
allowed_families (const CK_ATTRIBUTE *allowed,
                  gboolean           *raw_pkcs)
{
  guint families = 0;

  *raw_pkcs = FALSE;
  if (allowed == NULL)
    return 0;
  for (CK_ULONG i = 0; i < allowed->ulValueLen / sizeof (CK_MECHANISM_TYPE); i++)
    {
      CK_MECHANISM_TYPE type;
      const Mechanism *mechanism;

      /* The application's buffer need not be aligned for a CK_ULONG. */
      memcpy (&type, (const guint8 *) allowed->pValue + i * sizeof type, sizeof type);
      mechanism = mechanism_find (type);
      if (mechanism == NULL)
        continue;
      if (type == CKM_RSA_PKCS)
        *raw_pkcs = TRUE;
      else
        families |= 1u << mechanism->family;
    }
  return families;
}

/* The policies to try, best first: a service that refuses a policy for
 * any hash (Parsec's TPM provider) gets the next. */
typedef struct {
  ParsecAlgorithm *algorithms[3];
  guint n;
} Choices;

static void
choices_add (Choices         *choices,
             ParsecAlgorithm *algorithm)
{
  g_assert (choices->n < G_N_ELEMENTS (choices->algorithms));
  choices->algorithms[choices->n++] = algorithm;
}

static void
choices_clear (Choices *choices)
{
  for (guint i = 0; i < choices->n; i++)
    parsec_algorithm_unref (choices->algorithms[i]);
  choices->n = 0;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Choices, choices_clear)

/* What the templates ask a key to do */
typedef struct {
  gboolean sign, decrypt, derive;
  gboolean usage_given;       /* any of the three was in the template */
  guint families;             /* from CKA_ALLOWED_MECHANISMS */
  gboolean raw_pkcs;
} Wish;

/* An RSA key's one algorithm. Signing keys get RSA-PSS for any hash,
 * which every TLS 1.2 and 1.3 client here asks first, else PKCS #1 v1.5
 * (for any hash, or SHA-256) where the service makes no such key;
 * CKA_ALLOWED_MECHANISMS chooses PKCS #1 v1.5 (for SSH) or OAEP. A key
 * for decryption only gets PKCS #1 v1.5, which CKM_RSA_PKCS encrypts
 * with. PSA keys have a single algorithm: mechanisms of two, or a usage
 * the allowed mechanisms exclude, are a template no key can fulfil. */
static CK_RV
choose_rsa (const Wish *wish,
            Choices    *choices)
{
  guint sign_pkcs = 1u << FAMILY_RSA_PKCS, pss = 1u << FAMILY_RSA_PSS, oaep = 1u << FAMILY_RSA_OAEP;
  gboolean want_sign = wish->sign || (!wish->usage_given && wish->families != oaep);
  gboolean want_decrypt = wish->decrypt || (!wish->usage_given && wish->families == oaep);

  if (wish->derive)
    return CKR_TEMPLATE_INCONSISTENT;
  if (wish->families & ~(sign_pkcs | pss | oaep))
    return CKR_TEMPLATE_INCONSISTENT;
  switch (wish->families)
    {
    case 0:
      if (wish->raw_pkcs && !want_sign && want_decrypt)
        choices_add (choices, parsec_algorithm_new_rsa_pkcs1v15_crypt ());
      else if (wish->raw_pkcs && want_sign)
        {
          choices_add (choices, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_ANY));
          choices_add (choices, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256));
        }
      else if (want_sign)
        {
          choices_add (choices, parsec_algorithm_new_rsa_pss (PARSEC_HASH_ANY));
          choices_add (choices, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_ANY));
          choices_add (choices, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256));
        }
      else if (want_decrypt)
        choices_add (choices, parsec_algorithm_new_rsa_pkcs1v15_crypt ());
      else
        return CKR_TEMPLATE_INCONSISTENT;
      return CKR_OK;
    case 1u << FAMILY_RSA_PKCS:
      if (!want_sign)
        return CKR_TEMPLATE_INCONSISTENT;
      choices_add (choices, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_ANY));
      choices_add (choices, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256));
      return CKR_OK;
    case 1u << FAMILY_RSA_PSS:
      /* CKM_RSA_PKCS beside it asks a second algorithm. */
      if (!want_sign || wish->raw_pkcs)
        return CKR_TEMPLATE_INCONSISTENT;
      choices_add (choices, parsec_algorithm_new_rsa_pss (PARSEC_HASH_ANY));
      choices_add (choices, parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256));
      return CKR_OK;
    case 1u << FAMILY_RSA_OAEP:
      if (!want_decrypt || wish->raw_pkcs)
        return CKR_TEMPLATE_INCONSISTENT;
      choices_add (choices, parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256));
      return CKR_OK;
    default:
      return CKR_TEMPLATE_INCONSISTENT;
    }
}

/* An elliptic-curve key signs with ECDSA for any hash (else for the hash
 * of the curve's strength) or agrees keys with ECDH: not both. */
static CK_RV
choose_ec (const Wish  *wish,
           const Curve *curve,
           Choices     *choices)
{
  gboolean want_sign = wish->sign || (!wish->usage_given && !wish->derive);

  if (wish->raw_pkcs || (wish->families & ~(1u << FAMILY_ECDSA)) != 0)
    return CKR_TEMPLATE_INCONSISTENT;
  if (want_sign && wish->derive)
    return CKR_TEMPLATE_INCONSISTENT;
  if (want_sign)
    {
      choices_add (choices, parsec_algorithm_new_ecdsa (PARSEC_HASH_ANY));
      choices_add (choices, parsec_algorithm_new_ecdsa (curve->bits > 384 ? PARSEC_HASH_SHA_512
                                                        : curve->bits > 256 ? PARSEC_HASH_SHA_384
                                                        : PARSEC_HASH_SHA_256));
    }
  else if (wish->derive)
    choices_add (choices, parsec_algorithm_new_key_agreement (PARSEC_KEY_AGREEMENT_ECDH));
  else
    return CKR_TEMPLATE_INCONSISTENT;
  return CKR_OK;
}

static ParsecKeyUsage
usage_of (ParsecAlgorithm *algorithm,
          gboolean         extractable)
{
  ParsecKeyUsage usage;

  switch (parsec_algorithm_get_kind (algorithm))
    {
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      usage = PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH |
              PARSEC_KEY_USAGE_SIGN_MESSAGE | PARSEC_KEY_USAGE_VERIFY_MESSAGE;
      break;
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      usage = PARSEC_KEY_USAGE_ENCRYPT | PARSEC_KEY_USAGE_DECRYPT;
      break;
    default:
      usage = PARSEC_KEY_USAGE_DERIVE;
      break;
    }
  if (extractable)
    usage |= PARSEC_KEY_USAGE_EXPORT;
  return usage;
}

void
p11_new_key_clear (P11NewKey *made)
{
  g_clear_object (&made->key);
  g_clear_pointer (&made->id, g_bytes_unref);
}

CK_RV
p11_new_key_name (P11NewKey          *made,
                  const CK_ATTRIBUTE *label,
                  const CK_ATTRIBUTE *id,
                  char              **name)
{
  g_autofree char *base = NULL;
  g_autofree char *full = NULL;

  *name = NULL;
  if (label != NULL && label->ulValueLen > 0)
    {
      base = p11_attribute_text (label);
      if (base == NULL)
        return CKR_ATTRIBUTE_VALUE_INVALID;
    }
  else if (id != NULL && id->ulValueLen > 0)
    base = p11_hex_encode (id->pValue, id->ulValueLen);
  else
    base = g_strdup_printf ("pkcs11-%08x%08x", g_random_int (), g_random_int ());
  /* Another program's session object may have the same label. */
  if (!made->token)
    full = g_strdup_printf ("%s%08x-%s", made->session_prefix, g_random_int (), base);
  else if (p11_session_name_is_session (base))
    /* Such names are the session objects': hidden, and destroyed as stale. */
    return CKR_ATTRIBUTE_VALUE_INVALID;
  else
    full = g_strdup (base);

  /* A token key's CKA_ID is its name unless chosen; a session object's,
   * its label's bytes unless chosen. */
  g_clear_pointer (&made->id, g_bytes_unref);
  if (id != NULL && (!made->token || id->ulValueLen != strlen (full) ||
                     memcmp (id->pValue, full, id->ulValueLen) != 0))
    made->id = g_bytes_new (id->pValue, id->ulValueLen);
  else if (!made->token)
    made->id = g_bytes_new (base, strlen (base));
  *name = g_steal_pointer (&full);
  return CKR_OK;
}

/* Makes (or, with @data, imports) a key of @type in the service, into
 * @made, with the first of @choices the service takes, named after
 * @label or @id_attribute. */
static CK_RV
make_key (P11NewKey           *made,
          const Choices       *choices,
          ParsecKeyType        type,
          const Curve         *curve,
          CK_ULONG             bits,
          gboolean             extractable,
          GBytes              *data,
          const CK_ATTRIBUTE  *label,
          const CK_ATTRIBUTE  *id_attribute)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean public_only = type == PARSEC_KEY_TYPE_RSA_PUBLIC_KEY || type == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY;
  CK_RV rv;

  if ((rv = p11_new_key_name (made, label, id_attribute, &name)) != CKR_OK)
    return rv;

  /* A policy for any hash serves every signing mechanism, but not every
   * provider accepts one (the TPM provider refuses it, and RSA-PSS): then
   * the next choice, which the key's CKA_ALLOWED_MECHANISMS tell. */
  for (guint i = 0; i < choices->n && made->key == NULL; i++)
    {
      ParsecAlgorithm *algorithm = choices->algorithms[i];
      ParsecKeyUsage usage = usage_of (algorithm, extractable);
      g_autoptr(ParsecKeyAttributes) attributes = NULL;

      /* A public key only verifies and encrypts. */
      if (public_only)
        usage &= PARSEC_KEY_USAGE_VERIFY_HASH | PARSEC_KEY_USAGE_VERIFY_MESSAGE | PARSEC_KEY_USAGE_ENCRYPT;
      attributes = curve == NULL ? parsec_key_attributes_new (type, bits, usage, algorithm)
                                 : parsec_key_attributes_new_ecc (type, curve->family, curve->bits, usage,
                                                                  algorithm);
      if (error != NULL)
        {
          if (!g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED) &&
              !g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT))
            break;
          g_debug ("%s; trying the next policy", error->message);
          g_clear_error (&error);
        }
      made->key = data != NULL ? parsec_client_import_key (made->client, name, attributes, data, NULL, &error)
                               : parsec_client_generate_key (made->client, name, attributes, NULL, &error);
    }
  /* What the service cannot make is a template the token cannot fulfil. */
  if (made->key == NULL && (error == NULL || g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED)))
    {
      if (error != NULL)
        g_debug ("%s", error->message);
      return CKR_TEMPLATE_INCONSISTENT;
    }
  if (made->key == NULL)
    return p11_rv_from_error (error, data != NULL ? CKR_ATTRIBUTE_VALUE_INVALID : CKR_TEMPLATE_INCONSISTENT);
  return CKR_OK;
}

CK_RV
p11_generate_key_pair (P11NewKey             *made,
                       const CK_MECHANISM    *mechanism,
                       const CK_ATTRIBUTE    *public_tmpl,
                       CK_ULONG               public_count,
                       const CK_ATTRIBUTE    *private_tmpl,
                       CK_ULONG               private_count)
{
  g_auto(Choices) choices = { { NULL }, 0 };
  Templates t = { public_tmpl, public_count, private_tmpl, private_count };
  const CK_ATTRIBUTE *label, *id_attribute, *allowed;
  gboolean extractable = FALSE;
  gboolean public_token = FALSE, private_token = FALSE, public_token_given, private_token_given;
  gboolean sign_given, decrypt_given, derive_given;
  Wish wish = { FALSE, FALSE, FALSE, FALSE, 0, FALSE };
  const Curve *curve = NULL;
  CK_ULONG bits = 0;
  gboolean rsa;
  CK_RV rv;

  if (mechanism->mechanism != CKM_RSA_PKCS_KEY_PAIR_GEN && mechanism->mechanism != CKM_EC_KEY_PAIR_GEN)
    return CKR_MECHANISM_INVALID;
  if (mechanism->ulParameterLen != 0)
    return CKR_MECHANISM_PARAM_INVALID;
  rsa = mechanism->mechanism == CKM_RSA_PKCS_KEY_PAIR_GEN;

  if ((rv = check_storage (public_tmpl, public_count, CKO_PUBLIC_KEY, &public_token, &public_token_given)) != CKR_OK ||
      (rv = check_storage (private_tmpl, private_count, CKO_PRIVATE_KEY, &private_token,
                           &private_token_given)) != CKR_OK ||
      (rv = p11_template_bool (private_tmpl, private_count, CKA_SIGN, &wish.sign, &sign_given)) != CKR_OK ||
      (rv = p11_template_bool (private_tmpl, private_count, CKA_DECRYPT, &wish.decrypt, &decrypt_given)) != CKR_OK ||
      (rv = p11_template_bool (private_tmpl, private_count, CKA_DERIVE, &wish.derive, &derive_given)) != CKR_OK ||
      (rv = p11_template_bool (private_tmpl, private_count, CKA_EXTRACTABLE, &extractable, NULL)) != CKR_OK ||
      (rv = templates_find (&t, CKA_LABEL, &label)) != CKR_OK ||
      (rv = templates_find (&t, CKA_ID, &id_attribute)) != CKR_OK ||
      (rv = templates_find (&t, CKA_ALLOWED_MECHANISMS, &allowed)) != CKR_OK)
    return rv;
  if (allowed != NULL && allowed->ulValueLen % sizeof (CK_MECHANISM_TYPE) != 0)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  /* One key in the service is both objects: a token object, or a session
   * object (PKCS #11's default), for both halves. */
  if (public_token_given && private_token_given && public_token != private_token)
    return CKR_TEMPLATE_INCONSISTENT;
  made->token = private_token_given ? private_token : public_token;
  /* A read-only session makes session objects only. */
  if (made->token && made->read_only)
    return CKR_SESSION_READ_ONLY;
  wish.usage_given = sign_given || decrypt_given || derive_given;
  wish.families = allowed_families (allowed, &wish.raw_pkcs);

  if (rsa)
    {
      const CK_ATTRIBUTE *exponent;
      gboolean have_bits;

      if ((rv = p11_template_ulong (public_tmpl, public_count, CKA_MODULUS_BITS, &bits, &have_bits)) != CKR_OK ||
          (rv = p11_template_find (public_tmpl, public_count, CKA_PUBLIC_EXPONENT, &exponent)) != CKR_OK)
        return rv;
      if (!have_bits)
        return CKR_TEMPLATE_INCOMPLETE;
      if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS)
        return CKR_KEY_SIZE_RANGE;
      if (exponent != NULL)
        {
          /* PSA makes keys with the exponent 65537 only. */
          const guint8 *e = exponent->pValue;
          CK_ULONG n = exponent->ulValueLen, i = 0;

          while (i < n && e[i] == 0)
            i++;
          if (n - i != 3 || e[i] != 0x01 || e[i + 1] != 0x00 || e[i + 2] != 0x01)
            return CKR_ATTRIBUTE_VALUE_INVALID;
        }
      rv = choose_rsa (&wish, &choices);
    }
  else
    {
      const CK_ATTRIBUTE *params;

      if ((rv = templates_find (&t, CKA_EC_PARAMS, &params)) != CKR_OK)
        return rv;
      if (params == NULL)
        return CKR_TEMPLATE_INCOMPLETE;
      curve = curve_from_params (params);
      if (curve == NULL)
        return CKR_CURVE_NOT_SUPPORTED;
      rv = choose_ec (&wish, curve, &choices);
    }
  if (rv != CKR_OK)
    return rv;
  return make_key (made, &choices, rsa ? PARSEC_KEY_TYPE_RSA_KEY_PAIR : PARSEC_KEY_TYPE_ECC_KEY_PAIR, curve, bits,
                   extractable, NULL, label, id_attribute);
}

/* The RSA key of an imported template, as PSA imports it: RSAPublicKey,
 * or for a private key RSAPrivateKey ::= SEQUENCE { version 0, modulus,
 * publicExponent, privateExponent, prime1, prime2, exponent1, exponent2,
 * coefficient }, every part given. */
static CK_RV
rsa_import_data (const CK_ATTRIBUTE  *tmpl,
                 CK_ULONG             count,
                 gboolean             private_key,
                 GBytes             **data,
                 guint               *bits)
{
  static const CK_ATTRIBUTE_TYPE public_parts[] = { CKA_MODULUS, CKA_PUBLIC_EXPONENT };
  static const CK_ATTRIBUTE_TYPE private_parts[] = {
    CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1,
    CKA_EXPONENT_2, CKA_COEFFICIENT,
  };
  const CK_ATTRIBUTE_TYPE *parts = private_key ? private_parts : public_parts;
  gsize n_parts = private_key ? G_N_ELEMENTS (private_parts) : G_N_ELEMENTS (public_parts);
  GBytes *sequence = private_key ? der_small_uint (0) : NULL;
  CK_RV rv;

  for (gsize i = 0; i < n_parts; i++)
    {
      const CK_ATTRIBUTE *part;
      GBytes *integer;

      if ((rv = p11_template_find (tmpl, count, parts[i], &part)) != CKR_OK || part == NULL)
        {
          g_clear_pointer (&sequence, g_bytes_unref);
          return rv != CKR_OK ? rv : CKR_TEMPLATE_INCOMPLETE;
        }
      integer = der_uint (part->pValue, part->ulValueLen);
      sequence = sequence != NULL ? der_cat (sequence, integer, NULL) : integer;
    }
  *data = der_tlv (DER_SEQUENCE, sequence);
  if (!der_rsa_bits (*data, private_key, bits) || *bits < RSA_MIN_BITS || *bits > RSA_MAX_BITS)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  return CKR_OK;
}

/* The elliptic-curve key of an imported template: the public point
 * (uncompressed, raw or in a DER OCTET STRING), or the private scalar
 * (CKA_VALUE), of the size of the curve. */
static CK_RV
ec_import_data (const CK_ATTRIBUTE  *tmpl,
                CK_ULONG             count,
                gboolean             private_key,
                const Curve        **curve,
                GBytes             **data)
{
  const CK_ATTRIBUTE *params, *point, *value;
  DerCursor cursor, content;
  gsize size, point_len;
  CK_RV rv;

  if ((rv = p11_template_find (tmpl, count, CKA_EC_PARAMS, &params)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_EC_POINT, &point)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_VALUE, &value)) != CKR_OK)
    return rv;
  if (params == NULL || (private_key ? value == NULL : point == NULL))
    return CKR_TEMPLATE_INCOMPLETE;
  *curve = curve_from_params (params);
  if (*curve == NULL)
    return CKR_CURVE_NOT_SUPPORTED;
  size = ((*curve)->bits + 7) / 8;
  if (private_key)
    {
      /* Leading zeros the application left out are put back. */
      guint8 *scalar;

      if (value->ulValueLen == 0 || value->ulValueLen > size)
        return CKR_ATTRIBUTE_VALUE_INVALID;
      scalar = secure_alloc (size);
      memset (scalar, 0, size - value->ulValueLen);
      memcpy (scalar + size - value->ulValueLen, value->pValue, value->ulValueLen);
      *data = secure_bytes_take (scalar, size);
      return CKR_OK;
    }
  point_len = 1 + 2 * size;
  der_cursor_init (&cursor, point->pValue, point->ulValueLen);
  if (der_expect (&cursor, 0x04, &content, NULL) && der_cursor_at_end (&cursor) &&
      der_cursor_len (&content) == point_len && content.p[0] == 0x04)
    *data = g_bytes_new (content.p, point_len);
  else if (point->ulValueLen == point_len && ((const guint8 *) point->pValue)[0] == 0x04)
    *data = g_bytes_new (point->pValue, point_len);
  else
    return CKR_ATTRIBUTE_VALUE_INVALID;
  return CKR_OK;
}

/* C_CreateObject of a CKO_PUBLIC_KEY or CKO_PRIVATE_KEY, RSA or
 * elliptic-curve, imported into the service with a policy chosen as for a
 * key pair: to verify or sign (by default), or to encrypt or decrypt where
 * CKA_ENCRYPT or CKA_DECRYPT alone asks. */
CK_RV
p11_import_key (P11NewKey           *made,
                CK_OBJECT_CLASS      klass,
                const CK_ATTRIBUTE  *tmpl,
                CK_ULONG             count)
{
  static const CK_ATTRIBUTE_TYPE known_public[] = {
    CKA_CLASS, CKA_KEY_TYPE, CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_LABEL, CKA_ID, CKA_VERIFY, CKA_ENCRYPT,
    CKA_VERIFY_RECOVER, CKA_WRAP, CKA_DERIVE, CKA_ALLOWED_MECHANISMS, CKA_MODULUS, CKA_PUBLIC_EXPONENT,
    CKA_MODULUS_BITS, CKA_EC_PARAMS, CKA_EC_POINT, CKA_SUBJECT, CKA_START_DATE, CKA_END_DATE, CKA_DESTROYABLE,
    CKA_COPYABLE,
  };
  static const CK_ATTRIBUTE_TYPE known_private[] = {
    CKA_CLASS, CKA_KEY_TYPE, CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_LABEL, CKA_ID, CKA_SIGN, CKA_DECRYPT,
    CKA_SIGN_RECOVER, CKA_UNWRAP, CKA_DERIVE, CKA_ALLOWED_MECHANISMS, CKA_SENSITIVE, CKA_EXTRACTABLE,
    CKA_ALWAYS_AUTHENTICATE, CKA_WRAP_WITH_TRUSTED, CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT,
    CKA_PRIME_1, CKA_PRIME_2, CKA_EXPONENT_1, CKA_EXPONENT_2, CKA_COEFFICIENT, CKA_EC_PARAMS, CKA_VALUE,
    CKA_SUBJECT, CKA_START_DATE, CKA_END_DATE, CKA_DESTROYABLE, CKA_COPYABLE,
  };
  gboolean private_key = klass == CKO_PRIVATE_KEY;
  g_auto(Choices) choices = { { NULL }, 0 };
  g_autoptr(GBytes) data = NULL;
  const CK_ATTRIBUTE *label, *id_attribute, *allowed;
  Wish wish = { FALSE, FALSE, FALSE, FALSE, 0, FALSE };
  gboolean sign_given, decrypt_given, derive_given, have_type, extractable = FALSE;
  const Curve *curve = NULL;
  CK_KEY_TYPE key_type;
  ParsecKeyType type;
  guint bits = 0;
  CK_RV rv;

  made->token = FALSE;
  if ((rv = p11_template_only (tmpl, count, private_key ? known_private : known_public,
                               private_key ? G_N_ELEMENTS (known_private) : G_N_ELEMENTS (known_public))) != CKR_OK ||
      (rv = check_storage (tmpl, count, klass, &made->token, NULL)) != CKR_OK ||
      (rv = p11_template_ulong (tmpl, count, CKA_KEY_TYPE, &key_type, &have_type)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, private_key ? CKA_SIGN : CKA_VERIFY, &wish.sign, &sign_given)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, private_key ? CKA_DECRYPT : CKA_ENCRYPT, &wish.decrypt,
                               &decrypt_given)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_DERIVE, &wish.derive, &derive_given)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_EXTRACTABLE, &extractable, NULL)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_LABEL, &label)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_ID, &id_attribute)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_ALLOWED_MECHANISMS, &allowed)) != CKR_OK)
    return rv;
  if (!have_type)
    return CKR_TEMPLATE_INCOMPLETE;
  if (allowed != NULL && allowed->ulValueLen % sizeof (CK_MECHANISM_TYPE) != 0)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  if (made->token && made->read_only)
    return CKR_SESSION_READ_ONLY;
  /* A key that signs and decrypts both would need two PSA policies:
   * signing, the more common, wins where both are asked (as for key
   * pairs). */
  if (wish.sign && wish.decrypt)
    wish.decrypt = FALSE;
  wish.usage_given = sign_given || decrypt_given || derive_given;
  wish.families = allowed_families (allowed, &wish.raw_pkcs);

  if (key_type == CKK_RSA)
    {
      rv = rsa_import_data (tmpl, count, private_key, &data, &bits);
      if (rv == CKR_OK)
        rv = choose_rsa (&wish, &choices);
      type = private_key ? PARSEC_KEY_TYPE_RSA_KEY_PAIR : PARSEC_KEY_TYPE_RSA_PUBLIC_KEY;
    }
  else if (key_type == CKK_EC)
    {
      rv = ec_import_data (tmpl, count, private_key, &curve, &data);
      if (rv == CKR_OK)
        {
          bits = curve->bits;
          rv = choose_ec (&wish, curve, &choices);
        }
      type = private_key ? PARSEC_KEY_TYPE_ECC_KEY_PAIR : PARSEC_KEY_TYPE_ECC_PUBLIC_KEY;
    }
  else
    return CKR_ATTRIBUTE_VALUE_INVALID;
  if (rv != CKR_OK)
    return rv;
  /* Nothing a public key does agrees keys. */
  if (wish.derive && !private_key)
    return CKR_TEMPLATE_INCONSISTENT;
  return make_key (made, &choices, type, curve, bits, extractable, data, label, id_attribute);
}
