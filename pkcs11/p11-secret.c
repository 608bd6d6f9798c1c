/* p11-secret.c: secret keys of the service, AEAD on them, and ECDH
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A secret key is a key of the service like the key pairs: AES and
 * ChaCha20 keys (CKK_AES, CKK_CHACHA20) for the service's AEAD, and raw
 * secrets (CKK_GENERIC_SECRET, PSA's raw data) such as C_DeriveKey makes.
 * Their value stays in the service unless the key was made extractable:
 * then it is not sensitive either (the module cannot wrap, so those two
 * attributes are one PSA usage, EXPORT), and CKA_VALUE is read with
 * PsaExportKey. Like key pairs, they are session objects unless CKA_TOKEN
 * is true (p11-session-keys.c).
 *
 * A PSA key permits one algorithm, chosen when it is made: AES-GCM
 * unless CKA_ALLOWED_MECHANISMS names CKM_AES_CCM. Its tag is the full
 * 16 bytes, so CK_GCM_PARAMS' ulTagBits must be 128 and CK_CCM_PARAMS'
 * ulMACLen 16. The service's AEAD is single-part: C_EncryptUpdate and
 * C_DecryptUpdate gather the input (up to what one request carries) and
 * output nothing until C_EncryptFinal or C_DecryptFinal.
 *
 * ECDH (CKM_ECDH1_DERIVE with CKD_NULL) runs PsaRawKeyAgreement; the
 * shared secret, or its first CKA_VALUE_LEN bytes, is imported back into
 * the service as the new key, so it never stays in the module.
 */
#include "config.h"

#include <string.h>

#include "der.h"
#include "p11-private.h"
#include "secure-mem.h"

/* What one request to the service carries, less room for the rest of it */
#define MAX_AEAD_INPUT ((1 << 20) - 4096)
#define AEAD_TAG_LEN 16

/* Key types */

gboolean
p11_key_type_is_secret (ParsecKeyType type)
{
  return type == PARSEC_KEY_TYPE_AES || type == PARSEC_KEY_TYPE_CHACHA20 || type == PARSEC_KEY_TYPE_RAW_DATA;
}

static CK_KEY_TYPE
pkcs11_key_type (ParsecKeyType type)
{
  switch (type)
    {
    case PARSEC_KEY_TYPE_AES:
      return CKK_AES;
    case PARSEC_KEY_TYPE_CHACHA20:
      return CKK_CHACHA20;
    default:
      return CKK_GENERIC_SECRET;
    }
}

/* The mechanism a key's policy permits, or CK_UNAVAILABLE_INFORMATION */
static CK_MECHANISM_TYPE
policy_mechanism (ParsecKeyAttributes *attributes)
{
  ParsecAlgorithm *algorithm = parsec_key_attributes_get_algorithm (attributes);

  if (algorithm == NULL || parsec_algorithm_get_kind (algorithm) != PARSEC_ALGORITHM_KIND_AEAD)
    return CK_UNAVAILABLE_INFORMATION;
  switch (parsec_algorithm_get_aead (algorithm))
    {
    case PARSEC_AEAD_GCM:
      return CKM_AES_GCM;
    case PARSEC_AEAD_CCM:
      return CKM_AES_CCM;
    case PARSEC_AEAD_CHACHA20_POLY1305:
      return CKM_CHACHA20_POLY1305;
    default:
      return CK_UNAVAILABLE_INFORMATION;
    }
}

gboolean
p11_secret_is_exportable (P11Object *object)
{
  return (parsec_key_attributes_get_usage (p11_object_attributes (object)) & PARSEC_KEY_USAGE_EXPORT) != 0;
}

CK_RV
p11_secret_attribute (P11Object          *object,
                      CK_ATTRIBUTE_TYPE   type,
                      GBytes            **value)
{
  g_autoptr(GError) error = NULL;
  ParsecKeyAttributes *attributes = p11_object_attributes (object);
  ParsecKeyUsage usage = parsec_key_attributes_get_usage (attributes);
  gboolean exportable = (usage & PARSEC_KEY_USAGE_EXPORT) != 0;
  CK_MECHANISM_TYPE mechanism;

  switch (type)
    {
    case CKA_KEY_TYPE:
      *value = p11_ulong_value (pkcs11_key_type (parsec_key_attributes_get_key_type (attributes)));
      return CKR_OK;
    case CKA_VALUE_LEN:
      *value = p11_ulong_value (parsec_key_attributes_get_bits (attributes) / 8);
      return CKR_OK;
    case CKA_ENCRYPT:
      *value = p11_bool_value ((usage & PARSEC_KEY_USAGE_ENCRYPT) != 0);
      return CKR_OK;
    case CKA_DECRYPT:
      *value = p11_bool_value ((usage & PARSEC_KEY_USAGE_DECRYPT) != 0);
      return CKR_OK;
    case CKA_DERIVE:
    case CKA_SIGN:
    case CKA_VERIFY:
    case CKA_WRAP:
    case CKA_UNWRAP:
    case CKA_TRUSTED:
    case CKA_WRAP_WITH_TRUSTED:
    case CKA_LOCAL:
      /* Nothing derives from, signs with or wraps with these keys here;
       * the service does not say whether it made a key or was given it. */
      *value = p11_bool_value (FALSE);
      return CKR_OK;
    case CKA_SENSITIVE:
      *value = p11_bool_value (!exportable);
      return CKR_OK;
    case CKA_ALWAYS_SENSITIVE:
    case CKA_NEVER_EXTRACTABLE:
      /* A PSA policy never changes, but an imported key's value was
       * outside before, and the service does not tell which it is. */
      *value = p11_bool_value (FALSE);
      return CKR_OK;
    case CKA_EXTRACTABLE:
      *value = p11_bool_value (exportable);
      return CKR_OK;
    case CKA_KEY_GEN_MECHANISM:
      *value = p11_ulong_value (CK_UNAVAILABLE_INFORMATION);
      return CKR_OK;
    case CKA_ALLOWED_MECHANISMS:
      mechanism = policy_mechanism (attributes);
      *value = mechanism == CK_UNAVAILABLE_INFORMATION ? g_bytes_new (NULL, 0)
               : g_bytes_new (&mechanism, sizeof mechanism);
      return CKR_OK;
    case CKA_VALUE:
      if (!exportable)
        return CKR_ATTRIBUTE_SENSITIVE;
      *value = parsec_key_export (object->key, NULL, &error);
      return *value != NULL ? CKR_OK : p11_rv_from_error (error, CKR_DEVICE_ERROR);
    default:
      return CKR_ATTRIBUTE_TYPE_INVALID;
    }
}

/* Templates of new secret keys */

typedef struct {
  CK_KEY_TYPE type;
  gboolean type_given;
  CK_ULONG value_len;
  gboolean value_len_given;
  gboolean exportable;
  ParsecKeyUsage usage;
  CK_MECHANISM_TYPE aead;     /* the policy of AES keys */
  char *name;
} SecretSpec;

static void
secret_spec_clear (SecretSpec *spec)
{
  g_clear_pointer (&spec->name, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SecretSpec, secret_spec_clear)

/* Whether a boolean asks what the key cannot do. */
static CK_RV
refuse_true (const CK_ATTRIBUTE *tmpl,
             CK_ULONG            count,
             CK_ATTRIBUTE_TYPE   type)
{
  gboolean value = FALSE;
  CK_RV rv = p11_template_bool (tmpl, count, type, &value, NULL);

  if (rv != CKR_OK)
    return rv;
  return value ? CKR_TEMPLATE_INCONSISTENT : CKR_OK;
}

/* What a template asks of a secret key, checked against what the service
 * can make; @default_type where CKA_KEY_TYPE is not given. */
static CK_RV
secret_spec_parse (P11NewKey          *made,
                   const CK_ATTRIBUTE *tmpl,
                   CK_ULONG            count,
                   CK_KEY_TYPE         default_type,
                   SecretSpec         *spec)
{
  const CK_ATTRIBUTE *label, *id, *allowed;
  gboolean sensitive = TRUE, extractable = FALSE, encrypt = TRUE, decrypt = TRUE;
  gboolean sensitive_given, extractable_given;
  CK_ULONG klass;
  gboolean class_given;
  CK_RV rv;

  if ((rv = p11_template_ulong (tmpl, count, CKA_CLASS, &klass, &class_given)) != CKR_OK ||
      (rv = p11_template_ulong (tmpl, count, CKA_KEY_TYPE, &spec->type, &spec->type_given)) != CKR_OK ||
      (rv = p11_template_ulong (tmpl, count, CKA_VALUE_LEN, &spec->value_len, &spec->value_len_given)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_TOKEN, &made->token, NULL)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_SENSITIVE, &sensitive, &sensitive_given)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_EXTRACTABLE, &extractable, &extractable_given)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_ENCRYPT, &encrypt, NULL)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_DECRYPT, &decrypt, NULL)) != CKR_OK ||
      (rv = refuse_true (tmpl, count, CKA_SIGN)) != CKR_OK ||
      (rv = refuse_true (tmpl, count, CKA_VERIFY)) != CKR_OK ||
      (rv = refuse_true (tmpl, count, CKA_DERIVE)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_LABEL, &label)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_ID, &id)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_ALLOWED_MECHANISMS, &allowed)) != CKR_OK)
    return rv;
  if (class_given && klass != CKO_SECRET_KEY)
    return CKR_TEMPLATE_INCONSISTENT;
  if (!spec->type_given)
    spec->type = default_type;
  if (spec->type != CKK_AES && spec->type != CKK_CHACHA20 && spec->type != CKK_GENERIC_SECRET)
    return CKR_TEMPLATE_INCONSISTENT;
  /* Session objects are keys of the service too, destroyed with their
   * session; a read-only session makes only those. */
  if (made->token && made->read_only)
    return CKR_SESSION_READ_ONLY;

  /* Not sensitive and extractable are one PSA usage, EXPORT (the module
   * cannot wrap, so a key's value leaves only to be read): CKA_SENSITIVE
   * decides, else CKA_EXTRACTABLE; by default the value never leaves the
   * service. A sensitive key extractable by wrapping cannot be made. */
  if (sensitive_given && extractable_given && sensitive && extractable)
    return CKR_TEMPLATE_INCONSISTENT;
  spec->exportable = sensitive_given ? !sensitive : extractable_given && extractable;

  spec->usage = spec->exportable ? PARSEC_KEY_USAGE_EXPORT : PARSEC_KEY_USAGE_NONE;
  /* A generic secret is data for the application (what ECDH derives):
   * no mechanism here encrypts or wraps with it, so what a template says
   * of that is moot (pkcs11-tool --derive asks all four) and reads false. */
  if (spec->type != CKK_GENERIC_SECRET)
    {
      if ((rv = refuse_true (tmpl, count, CKA_WRAP)) != CKR_OK ||
          (rv = refuse_true (tmpl, count, CKA_UNWRAP)) != CKR_OK)
        return rv;
      if (encrypt)
        spec->usage |= PARSEC_KEY_USAGE_ENCRYPT;
      if (decrypt)
        spec->usage |= PARSEC_KEY_USAGE_DECRYPT;
    }

  spec->aead = spec->type == CKK_CHACHA20 ? CKM_CHACHA20_POLY1305 : CKM_AES_GCM;
  if (allowed != NULL)
    {
      const CK_MECHANISM_TYPE *types = allowed->pValue;
      gboolean found = FALSE;

      if (allowed->ulValueLen % sizeof (CK_MECHANISM_TYPE) != 0)
        return CKR_ATTRIBUTE_VALUE_INVALID;
      for (CK_ULONG i = 0; i < allowed->ulValueLen / sizeof (CK_MECHANISM_TYPE) && !found; i++)
        if ((spec->type == CKK_AES && (types[i] == CKM_AES_GCM || types[i] == CKM_AES_CCM)) ||
            (spec->type == CKK_CHACHA20 && types[i] == CKM_CHACHA20_POLY1305))
          {
            spec->aead = types[i];
            found = TRUE;
          }
      /* A key for none of the mechanisms it may be used with */
      if (!found && allowed->ulValueLen > 0)
        return CKR_TEMPLATE_INCONSISTENT;
    }

  return p11_new_key_name (made, label, id, &spec->name);
}

/* Whether @len bytes make a key of the spec's type. */
static gboolean
secret_len_valid (const SecretSpec *spec,
                  gsize             len)
{
  switch (spec->type)
    {
    case CKK_AES:
      return len == 16 || len == 24 || len == 32;
    case CKK_CHACHA20:
      return len == 32;
    default:
      return len > 0 && len <= 512;
    }
}

static ParsecKeyAttributes *
secret_spec_attributes (const SecretSpec *spec,
                        gsize             len)
{
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  ParsecKeyType type;

  switch (spec->type)
    {
    case CKK_AES:
      type = PARSEC_KEY_TYPE_AES;
      algorithm = parsec_algorithm_new_aead (spec->aead == CKM_AES_CCM ? PARSEC_AEAD_CCM : PARSEC_AEAD_GCM);
      break;
    case CKK_CHACHA20:
      type = PARSEC_KEY_TYPE_CHACHA20;
      algorithm = parsec_algorithm_new_aead (PARSEC_AEAD_CHACHA20_POLY1305);
      break;
    default:
      type = PARSEC_KEY_TYPE_RAW_DATA;
      algorithm = parsec_algorithm_new_none ();
      break;
    }
  return parsec_key_attributes_new (type, (guint) len * 8, spec->usage, algorithm);
}

/* What the service answers when it cannot make such a key is a template
 * the token cannot fulfil. */
static CK_RV
made_or_refused (P11NewKey *made,
                 GError    *error)
{
  if (made->key != NULL)
    return CKR_OK;
  g_debug ("%s", error->message);
  if (g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED))
    return CKR_TEMPLATE_INCONSISTENT;
  return p11_rv_from_error (error, CKR_TEMPLATE_INCONSISTENT);
}

CK_RV
p11_secret_generate (P11NewKey           *made,
                     const CK_MECHANISM  *mechanism,
                     const CK_ATTRIBUTE  *tmpl,
                     CK_ULONG             count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  g_auto(SecretSpec) spec = { 0, };
  CK_KEY_TYPE type;
  CK_RV rv;

  if (mechanism->mechanism == CKM_AES_KEY_GEN)
    type = CKK_AES;
  else if (mechanism->mechanism == CKM_CHACHA20_KEY_GEN)
    type = CKK_CHACHA20;
  else
    return CKR_MECHANISM_INVALID;
  if (mechanism->ulParameterLen != 0)
    return CKR_MECHANISM_PARAM_INVALID;
  if ((rv = secret_spec_parse (made, tmpl, count, type, &spec)) != CKR_OK)
    return rv;
  if (spec.type != type)
    return CKR_TEMPLATE_INCONSISTENT;
  if (!spec.value_len_given)
    {
      if (type == CKK_AES)
        return CKR_TEMPLATE_INCOMPLETE;
      spec.value_len = 32;
    }
  if (!secret_len_valid (&spec, spec.value_len))
    return CKR_KEY_SIZE_RANGE;

  attributes = secret_spec_attributes (&spec, spec.value_len);
  made->key = parsec_client_generate_key (made->client, spec.name, attributes, NULL, &error);
  return made_or_refused (made, error);
}

CK_RV
p11_secret_import (P11NewKey           *made,
                   const CK_ATTRIBUTE  *tmpl,
                   CK_ULONG             count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  g_autoptr(GBytes) value_bytes = NULL;
  g_auto(SecretSpec) spec = { 0, };
  const CK_ATTRIBUTE *value;
  CK_RV rv;

  if ((rv = secret_spec_parse (made, tmpl, count, CKK_GENERIC_SECRET, &spec)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_VALUE, &value)) != CKR_OK)
    return rv;
  if (!spec.type_given || value == NULL)
    return CKR_TEMPLATE_INCOMPLETE;
  /* The value tells the length. */
  if (spec.value_len_given)
    return CKR_TEMPLATE_INCONSISTENT;
  if (!secret_len_valid (&spec, value->ulValueLen))
    return CKR_ATTRIBUTE_VALUE_INVALID;

  attributes = secret_spec_attributes (&spec, value->ulValueLen);
  value_bytes = secure_bytes_new (value->pValue, value->ulValueLen);
  made->key = parsec_client_import_key (made->client, spec.name, attributes, value_bytes, NULL, &error);
  return made_or_refused (made, error);
}

/* ECDH */

static gboolean
is_point (const guint8 *data,
          gsize         len,
          gsize         point_len)
{
  return len > 0 && data[0] == 0x04 && (point_len != 0 ? len == point_len : len % 2 == 1);
}

/* The peer's point as PSA takes it (04 ‖ x ‖ y), given so or, as some
 * applications pass CKA_EC_POINT on, in a DER OCTET STRING; @point_len is
 * 0 for a key whose size the service does not tell (imported with the
 * size taken from the data). */
static GBytes *
peer_point (const CK_ECDH1_DERIVE_PARAMS *params,
            gsize                         point_len)
{
  DerCursor cursor, content;

  if (point_len != 0 && is_point (params->public_data, params->public_data_len, point_len))
    return g_bytes_new (params->public_data, point_len);
  der_cursor_init (&cursor, params->public_data, params->public_data_len);
  if (der_expect (&cursor, 0x04, &content, NULL) && der_cursor_at_end (&cursor) &&
      is_point (content.p, der_cursor_len (&content), point_len))
    return g_bytes_new (content.p, der_cursor_len (&content));
  if (point_len == 0 && is_point (params->public_data, params->public_data_len, 0))
    return g_bytes_new (params->public_data, params->public_data_len);
  return NULL;
}

CK_RV
p11_secret_derive_check (const CK_MECHANISM  *mechanism,
                         P11Object           *base,
                         GBytes             **peer)
{
  const CK_ECDH1_DERIVE_PARAMS *params = mechanism->pParameter;
  ParsecKeyAttributes *attributes;
  ParsecAlgorithm *algorithm;
  CK_MECHANISM_INFO info;
  gsize point_len;
  guint bits;

  if (mechanism->mechanism != CKM_ECDH1_DERIVE ||
      p11_slot_mechanism_info (base->slot, mechanism->mechanism, &info) != CKR_OK)
    return CKR_MECHANISM_INVALID;
  if (params == NULL || mechanism->ulParameterLen != sizeof *params)
    return CKR_MECHANISM_PARAM_INVALID;
  /* The service gives the raw shared secret: no KDF, so no shared data. */
  if (params->kdf != CKD_NULL || params->shared_data_len != 0 ||
      params->public_data == NULL || params->public_data_len == 0)
    return CKR_MECHANISM_PARAM_INVALID;

  if (base->kind != P11_KIND_PRIVATE_KEY || p11_object_is_rsa (base))
    return CKR_KEY_TYPE_INCONSISTENT;
  attributes = p11_object_attributes (base);
  algorithm = parsec_key_attributes_get_algorithm (attributes);
  if (!(parsec_key_attributes_get_usage (attributes) & PARSEC_KEY_USAGE_DERIVE) || algorithm == NULL ||
      parsec_algorithm_get_kind (algorithm) != PARSEC_ALGORITHM_KIND_KEY_AGREEMENT ||
      parsec_algorithm_get_key_agreement (algorithm) != PARSEC_KEY_AGREEMENT_ECDH)
    return CKR_KEY_FUNCTION_NOT_PERMITTED;

  bits = parsec_key_attributes_get_bits (attributes);
  point_len = bits != 0 ? 1 + 2 * ((bits + 7) / 8) : 0;
  *peer = peer_point (params, point_len);
  return *peer != NULL ? CKR_OK : CKR_MECHANISM_PARAM_INVALID;
}

CK_RV
p11_secret_derive (P11NewKey           *made,
                   ParsecKey           *base,
                   GBytes              *peer,
                   const CK_ATTRIBUTE  *tmpl,
                   CK_ULONG             count)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GBytes) value = NULL;
  g_auto(SecretSpec) spec = { 0, };
  gsize len;
  CK_RV rv;

  if ((rv = secret_spec_parse (made, tmpl, count, CKK_GENERIC_SECRET, &spec)) != CKR_OK)
    return rv;

  secret = parsec_key_raw_key_agreement (base, peer, NULL, &error);
  if (secret == NULL)
    return p11_rv_from_error (error, CKR_MECHANISM_PARAM_INVALID);
  len = spec.value_len_given ? spec.value_len : g_bytes_get_size (secret);
  if (len > g_bytes_get_size (secret) || !secret_len_valid (&spec, len))
    return CKR_TEMPLATE_INCONSISTENT;
  /* CKD_NULL with a shorter CKA_VALUE_LEN keeps the first bytes. */
  value = secure_bytes_new (g_bytes_get_data (secret, NULL), len);

  attributes = secret_spec_attributes (&spec, len);
  made->key = parsec_client_import_key (made->client, spec.name, attributes, value, NULL, &error);
  return made_or_refused (made, error);
}

/* AEAD */

gboolean
p11_mechanism_is_aead (CK_MECHANISM_TYPE type)
{
  return type == CKM_AES_GCM || type == CKM_AES_CCM || type == CKM_CHACHA20_POLY1305;
}

struct _P11SecretOperation
{
  P11OpKind kind;
  ParsecAead aead;
  GBytes *nonce;
  GBytes *additional_data;
  CK_ULONG data_len;          /* CCM's: the plaintext's length, as told */
  guint8 *buffer;             /* the input, gathered */
  gsize buffer_len;
};

void
p11_secret_operation_free (P11SecretOperation *op)
{
  g_clear_pointer (&op->nonce, g_bytes_unref);
  g_clear_pointer (&op->additional_data, g_bytes_unref);
  g_clear_pointer (&op->buffer, secure_free);
  g_free (op);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (P11SecretOperation, p11_secret_operation_free)

static GBytes *
param_bytes (const guint8 *data,
             CK_ULONG      len)
{
  return g_bytes_new (len > 0 ? data : NULL, len);
}

static CK_RV
aead_params (const CK_MECHANISM *mechanism,
             P11SecretOperation *op)
{
  const guint8 *nonce, *aad;
  CK_ULONG nonce_len, aad_len;

  switch (mechanism->mechanism)
    {
    case CKM_AES_GCM:
      {
        const CK_GCM_PARAMS *params = mechanism->pParameter;

        if (params == NULL || mechanism->ulParameterLen != sizeof *params || params->tag_bits != 8 * AEAD_TAG_LEN)
          return CKR_MECHANISM_PARAM_INVALID;
        op->aead = PARSEC_AEAD_GCM;
        nonce = params->iv_ptr;
        nonce_len = params->iv_len;
        aad = params->aad_ptr;
        aad_len = params->aad_len;
        if (nonce_len == 0)
          return CKR_MECHANISM_PARAM_INVALID;
        break;
      }
    case CKM_AES_CCM:
      {
        const P11CcmParams *params = mechanism->pParameter;

        if (params == NULL || mechanism->ulParameterLen != sizeof *params || params->ulMACLen != AEAD_TAG_LEN)
          return CKR_MECHANISM_PARAM_INVALID;
        op->aead = PARSEC_AEAD_CCM;
        op->data_len = params->ulDataLen;
        nonce = params->pNonce;
        nonce_len = params->ulNonceLen;
        aad = params->pAAD;
        aad_len = params->ulAADLen;
        if (nonce_len < 7 || nonce_len > 13)
          return CKR_MECHANISM_PARAM_INVALID;
        break;
      }
    case CKM_CHACHA20_POLY1305:
      {
        const P11ChaCha20Poly1305Params *params = mechanism->pParameter;

        if (params == NULL || mechanism->ulParameterLen != sizeof *params)
          return CKR_MECHANISM_PARAM_INVALID;
        op->aead = PARSEC_AEAD_CHACHA20_POLY1305;
        nonce = params->pNonce;
        nonce_len = params->ulNonceLen;
        aad = params->pAAD;
        aad_len = params->ulAADLen;
        /* PSA's ChaCha20-Poly1305 takes the 96-bit nonce of RFC 8439. */
        if (nonce_len != 12)
          return CKR_MECHANISM_PARAM_INVALID;
        break;
      }
    default:
      return CKR_MECHANISM_INVALID;
    }
  if ((nonce == NULL && nonce_len > 0) || (aad == NULL && aad_len > 0) || aad_len > MAX_AEAD_INPUT)
    return CKR_MECHANISM_PARAM_INVALID;
  op->nonce = param_bytes (nonce, nonce_len);
  op->additional_data = param_bytes (aad, aad_len);
  return CKR_OK;
}

CK_RV
p11_secret_operation_new (P11OpKind            kind,
                          const CK_MECHANISM  *mechanism,
                          P11Object           *key,
                          P11SecretOperation **out)
{
  g_autoptr(P11SecretOperation) op = NULL;
  ParsecKeyAttributes *attributes = p11_object_attributes (key);
  ParsecKeyType type = parsec_key_attributes_get_key_type (attributes);
  CK_MECHANISM_INFO info;
  CK_RV rv;

  if (p11_slot_mechanism_info (key->slot, mechanism->mechanism, &info) != CKR_OK)
    return CKR_MECHANISM_INVALID;
  /* A mechanism of key pairs */
  if (!p11_mechanism_is_aead (mechanism->mechanism))
    return CKR_KEY_TYPE_INCONSISTENT;
  if (kind != P11_OP_ENCRYPT && kind != P11_OP_DECRYPT)
    return CKR_MECHANISM_INVALID;
  if ((mechanism->mechanism == CKM_CHACHA20_POLY1305) != (type == PARSEC_KEY_TYPE_CHACHA20) ||
      (type != PARSEC_KEY_TYPE_AES && type != PARSEC_KEY_TYPE_CHACHA20))
    return CKR_KEY_TYPE_INCONSISTENT;
  if (!(parsec_key_attributes_get_usage (attributes) &
        (kind == P11_OP_ENCRYPT ? PARSEC_KEY_USAGE_ENCRYPT : PARSEC_KEY_USAGE_DECRYPT)))
    return CKR_KEY_FUNCTION_NOT_PERMITTED;
  /* The key's policy names one mechanism, as CKA_ALLOWED_MECHANISMS says. */
  if (policy_mechanism (attributes) != mechanism->mechanism)
    return CKR_MECHANISM_INVALID;

  op = g_new0 (P11SecretOperation, 1);
  op->kind = kind;
  if ((rv = aead_params (mechanism, op)) != CKR_OK)
    return rv;
  *out = g_steal_pointer (&op);
  return CKR_OK;
}

CK_RV
p11_secret_operation_update (P11SecretOperation *op,
                             const guint8       *data,
                             gsize               len)
{
  if (len > MAX_AEAD_INPUT - op->buffer_len)
    return op->kind == P11_OP_DECRYPT ? CKR_ENCRYPTED_DATA_LEN_RANGE : CKR_DATA_LEN_RANGE;
  if (len == 0)
    return CKR_OK;
  op->buffer = secure_grow (op->buffer, op->buffer_len, op->buffer_len + len);
  memcpy (op->buffer + op->buffer_len, data, len);
  op->buffer_len += len;
  return CKR_OK;
}

void
p11_secret_operation_restart (P11SecretOperation *op)
{
  g_clear_pointer (&op->buffer, secure_free);
  op->buffer_len = 0;
}

gsize
p11_secret_output_size (P11SecretOperation *op)
{
  if (op->kind == P11_OP_ENCRYPT)
    return op->buffer_len + AEAD_TAG_LEN;
  return op->buffer_len > AEAD_TAG_LEN ? op->buffer_len - AEAD_TAG_LEN : 0;
}

CK_RV
p11_secret_compute (P11SecretOperation *op,
                    ParsecKey          *key,
                    GBytes            **result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_aead (op->aead);
  g_autoptr(GBytes) input = secure_bytes_new (op->buffer, op->buffer_len);

  if (op->kind == P11_OP_ENCRYPT)
    {
      /* PSA refuses to encrypt nothing. */
      if (op->buffer_len == 0 || (op->aead == PARSEC_AEAD_CCM && op->data_len != op->buffer_len))
        return CKR_DATA_LEN_RANGE;
      *result = parsec_key_aead_encrypt (key, algorithm, op->nonce, op->additional_data, input, NULL, &error);
      return *result != NULL ? CKR_OK : p11_rv_from_error (error, CKR_DATA_LEN_RANGE);
    }
  if (op->buffer_len <= AEAD_TAG_LEN ||
      (op->aead == PARSEC_AEAD_CCM && op->data_len != op->buffer_len - AEAD_TAG_LEN))
    return CKR_ENCRYPTED_DATA_LEN_RANGE;
  *result = parsec_key_aead_decrypt (key, algorithm, op->nonce, op->additional_data, input, NULL, &error);
  if (*result == NULL && g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE))
    return CKR_ENCRYPTED_DATA_INVALID;
  return *result != NULL ? CKR_OK : p11_rv_from_error (error, CKR_ENCRYPTED_DATA_INVALID);
}
