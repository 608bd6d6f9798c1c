/* parsec-psa-convert.c: algorithms and key attributes to and from protobuf
 *
 * The contracts nest oneofs several levels deep. Rather than one C
 * function per generated type, the conversions address fields by their
 * numbers in the .proto files through protobuf-c's descriptors, so the
 * code reads like the contract it implements.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-psa-private.h"
#include "parsec-secure-private.h"
#include "parsec-wire-private.h"

#include "psa_algorithm.pb-c.h"
#include "psa_key_attributes.pb-c.h"

static ProtobufCMessage *
message_new (const ProtobufCMessageDescriptor *descriptor)
{
  ProtobufCMessage *message = secure_alloc (descriptor->sizeof_message);

  descriptor->message_init (message);
  return message;
}

/* Values read from the service may name a variant that does not exist
 * (0 for an unset oneof) and be handed back by the application later, so
 * a field that is not in the contract is skipped, never asserted on: the
 * service then refuses the incomplete message with a status. */
static const ProtobufCFieldDescriptor *
field_if_any (const ProtobufCMessage *message,
              guint                   number)
{
  if (message == NULL)
    return NULL;
  return protobuf_c_message_descriptor_get_field (message->descriptor, number);
}

static void
mark_oneof (ProtobufCMessage               *message,
            const ProtobufCFieldDescriptor *f)
{
  if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
    G_STRUCT_MEMBER (guint32, message, f->quantifier_offset) = f->id;
}

/* Creates the sub-message of field @number and selects it when the field
 * belongs to a oneof. */
static ProtobufCMessage *
child_new (ProtobufCMessage *message,
           guint             number)
{
  const ProtobufCFieldDescriptor *f = field_if_any (message, number);
  ProtobufCMessage *child;

  if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE)
    return NULL;
  child = message_new (f->descriptor);

  G_STRUCT_MEMBER (ProtobufCMessage *, message, f->offset) = child;
  mark_oneof (message, f);
  return child;
}

static void
child_set (ProtobufCMessage *message,
           guint             number,
           ProtobufCMessage *child)
{
  const ProtobufCFieldDescriptor *f = field_if_any (message, number);

  g_assert (f != NULL);  /* only called with numbers of the contract */

  G_STRUCT_MEMBER (ProtobufCMessage *, message, f->offset) = child;
  mark_oneof (message, f);
}

/* For uint32, enum and bool fields, which protobuf-c all stores in 32 bits. */
static void
value_set (ProtobufCMessage *message,
           guint             number,
           guint32           value)
{
  const ProtobufCFieldDescriptor *f = field_if_any (message, number);

  if (f == NULL || f->type == PROTOBUF_C_TYPE_MESSAGE)
    return;

  G_STRUCT_MEMBER (guint32, message, f->offset) = value;
  mark_oneof (message, f);
}

static guint
oneof_case (const ProtobufCMessage *message,
            guint                   any_member)
{
  const ProtobufCFieldDescriptor *f = field_if_any (message, any_member);

  if (f == NULL)
    return 0;
  return G_STRUCT_MEMBER (guint32, message, f->quantifier_offset);
}

static gboolean
is_selected (const ProtobufCMessage         *message,
             const ProtobufCFieldDescriptor *f)
{
  return !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
         G_STRUCT_MEMBER (guint32, message, f->quantifier_offset) == f->id;
}

static const ProtobufCMessage *
child_get (const ProtobufCMessage *message,
           guint                   number)
{
  const ProtobufCFieldDescriptor *f = field_if_any (message, number);

  if (f == NULL || !is_selected (message, f))
    return NULL;
  return G_STRUCT_MEMBER (ProtobufCMessage *, message, f->offset);
}

static guint32
value_get (const ProtobufCMessage *message,
           guint                   number)
{
  const ProtobufCFieldDescriptor *f = field_if_any (message, number);

  if (f == NULL || !is_selected (message, f))
    return 0;
  return G_STRUCT_MEMBER (guint32, message, f->offset);
}

/* Field numbers of psa_algorithm.proto */
enum {
  MAC_FULL_LENGTH = 1, MAC_TRUNCATED = 2,
  TRUNCATED_MAC = 1, TRUNCATED_LENGTH = 2,
  AEAD_DEFAULT_TAG = 1, AEAD_SHORTENED_TAG = 2,
  SHORTENED_ALG = 1, SHORTENED_LENGTH = 2,
  SIGN_HASH_ANY = 1, SIGN_HASH_SPECIFIC = 2,
  HASH_ALG = 1,
  KEY_AGREEMENT_RAW = 1, KEY_AGREEMENT_WITH_DERIVATION = 2,
  WITH_DERIVATION_RAW = 1, WITH_DERIVATION_KDF = 2,
};

static void
full_mac_fill (ProtobufCMessage      *full,
               const ParsecAlgorithm *algorithm)
{
  ProtobufCMessage *variant = child_new (full, algorithm->variant);

  if (algorithm->variant == PARSEC_MAC_HMAC)
    value_set (variant, HASH_ALG, algorithm->hash);
}

static void
key_derivation_fill (ProtobufCMessage      *kdf,
                     const ParsecAlgorithm *algorithm)
{
  value_set (child_new (kdf, algorithm->variant), HASH_ALG, algorithm->hash);
}

/* Fills the message of one algorithm family (Mac, Aead, …); the hash,
 * cipher and none families are plain values of the top-level oneof and
 * have no message of their own. */
static void
part_fill (ProtobufCMessage      *part,
           const ParsecAlgorithm *algorithm)
{
  switch (algorithm->kind)
    {
    case PARSEC_ALGORITHM_KIND_MAC:
      if (algorithm->length == 0)
        full_mac_fill (child_new (part, MAC_FULL_LENGTH), algorithm);
      else
        {
          ProtobufCMessage *truncated = child_new (part, MAC_TRUNCATED);

          full_mac_fill (child_new (truncated, TRUNCATED_MAC), algorithm);
          value_set (truncated, TRUNCATED_LENGTH, algorithm->length);
        }
      break;

    case PARSEC_ALGORITHM_KIND_AEAD:
      if (algorithm->length == 0)
        value_set (part, AEAD_DEFAULT_TAG, algorithm->variant);
      else
        {
          ProtobufCMessage *shortened = child_new (part, AEAD_SHORTENED_TAG);

          value_set (shortened, SHORTENED_ALG, algorithm->variant);
          value_set (shortened, SHORTENED_LENGTH, algorithm->length);
        }
      break;

    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      {
        ProtobufCMessage *scheme = child_new (part, algorithm->variant);

        if (algorithm->hash == PARSEC_HASH_ANY)
          child_new (child_new (scheme, HASH_ALG), SIGN_HASH_ANY);
        else if (algorithm->hash != PARSEC_HASH_NONE)
          value_set (child_new (scheme, HASH_ALG), SIGN_HASH_SPECIFIC, algorithm->hash);
      }
      break;

    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      {
        ProtobufCMessage *scheme = child_new (part, algorithm->variant);

        if (algorithm->variant == PARSEC_ENCRYPTION_SCHEME_RSA_OAEP)
          value_set (scheme, HASH_ALG, algorithm->hash);
      }
      break;

    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
      if (algorithm->inner == NULL)
        value_set (part, KEY_AGREEMENT_RAW, algorithm->variant);
      else
        {
          ProtobufCMessage *with = child_new (part, KEY_AGREEMENT_WITH_DERIVATION);

          value_set (with, WITH_DERIVATION_RAW, algorithm->variant);
          key_derivation_fill (child_new (with, WITH_DERIVATION_KDF), algorithm->inner);
        }
      break;

    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
      key_derivation_fill (part, algorithm);
      break;

    case PARSEC_ALGORITHM_KIND_NONE:
    case PARSEC_ALGORITHM_KIND_HASH:
    case PARSEC_ALGORITHM_KIND_CIPHER:
    default:
      /* Plain values of the top-level oneof; nothing to fill. */
      break;
    }
}

static const ProtobufCMessageDescriptor *
part_descriptor (ParsecAlgorithmKind kind)
{
  return protobuf_c_message_descriptor_get_field (&psa_algorithm__algorithm__descriptor, kind)->descriptor;
}

ProtobufCMessage *
_parsec_algorithm_part_to_message (const ParsecAlgorithm *algorithm)
{
  ProtobufCMessage *part = message_new (part_descriptor (algorithm->kind));

  part_fill (part, algorithm);
  return part;
}

ProtobufCMessage *
_parsec_algorithm_to_message (const ParsecAlgorithm *algorithm)
{
  ProtobufCMessage *message = message_new (&psa_algorithm__algorithm__descriptor);

  switch (algorithm->kind)
    {
    case PARSEC_ALGORITHM_KIND_NONE:
      child_new (message, PARSEC_ALGORITHM_KIND_NONE);
      break;
    case PARSEC_ALGORITHM_KIND_HASH:
      value_set (message, PARSEC_ALGORITHM_KIND_HASH, algorithm->hash);
      break;
    case PARSEC_ALGORITHM_KIND_CIPHER:
      value_set (message, PARSEC_ALGORITHM_KIND_CIPHER, algorithm->variant);
      break;
    default:
      part_fill (child_new (message, algorithm->kind), algorithm);
      break;
    }
  return message;
}

static ParsecAlgorithm *
full_mac_from (const ProtobufCMessage *full,
               guint                   length)
{
  guint variant = oneof_case (full, PARSEC_MAC_HMAC);

  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_MAC, variant,
                                variant == PARSEC_MAC_HMAC ? value_get (child_get (full, variant), HASH_ALG) : 0,
                                length, NULL);
}

static ParsecAlgorithm *
key_derivation_from (const ProtobufCMessage *kdf)
{
  guint variant = oneof_case (kdf, 1);

  return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_KEY_DERIVATION, variant,
                                value_get (child_get (kdf, variant), HASH_ALG), 0, NULL);
}

static ParsecAlgorithm *
part_from (ParsecAlgorithmKind      kind,
           const ProtobufCMessage  *part)
{
  switch (kind)
    {
    case PARSEC_ALGORITHM_KIND_MAC:
      if (oneof_case (part, MAC_FULL_LENGTH) == MAC_TRUNCATED)
        {
          const ProtobufCMessage *truncated = child_get (part, MAC_TRUNCATED);

          return full_mac_from (child_get (truncated, TRUNCATED_MAC),
                                value_get (truncated, TRUNCATED_LENGTH));
        }
      return full_mac_from (child_get (part, MAC_FULL_LENGTH), 0);

    case PARSEC_ALGORITHM_KIND_AEAD:
      if (oneof_case (part, AEAD_DEFAULT_TAG) == AEAD_SHORTENED_TAG)
        {
          const ProtobufCMessage *shortened = child_get (part, AEAD_SHORTENED_TAG);

          return _parsec_algorithm_new (kind, value_get (shortened, SHORTENED_ALG), 0,
                                        value_get (shortened, SHORTENED_LENGTH), NULL);
        }
      return _parsec_algorithm_new (kind, value_get (part, AEAD_DEFAULT_TAG), 0, 0, NULL);

    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      {
        guint scheme = oneof_case (part, 1);
        const ProtobufCMessage *sign_hash = child_get (child_get (part, scheme), HASH_ALG);
        ParsecHash hash = oneof_case (sign_hash, SIGN_HASH_ANY) == SIGN_HASH_ANY
          ? PARSEC_HASH_ANY : value_get (sign_hash, SIGN_HASH_SPECIFIC);

        return _parsec_algorithm_new (kind, scheme, hash, 0, NULL);
      }

    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      {
        guint scheme = oneof_case (part, 1);

        return _parsec_algorithm_new (kind, scheme,
                                      scheme == PARSEC_ENCRYPTION_SCHEME_RSA_OAEP
                                      ? value_get (child_get (part, scheme), HASH_ALG) : 0,
                                      0, NULL);
      }

    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
      if (oneof_case (part, KEY_AGREEMENT_RAW) == KEY_AGREEMENT_WITH_DERIVATION)
        {
          const ProtobufCMessage *with = child_get (part, KEY_AGREEMENT_WITH_DERIVATION);
          g_autoptr(ParsecAlgorithm) kdf = key_derivation_from (child_get (with, WITH_DERIVATION_KDF));

          return _parsec_algorithm_new (kind, value_get (with, WITH_DERIVATION_RAW), 0, 0, kdf);
        }
      return _parsec_algorithm_new (kind, value_get (part, KEY_AGREEMENT_RAW), 0, 0, NULL);

    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
      return key_derivation_from (part);

    case PARSEC_ALGORITHM_KIND_NONE:
    case PARSEC_ALGORITHM_KIND_HASH:
    case PARSEC_ALGORITHM_KIND_CIPHER:
    default:
      return parsec_algorithm_new_none ();
    }
}

ParsecAlgorithm *
_parsec_algorithm_from_message (const ProtobufCMessage *message)
{
  guint kind = oneof_case (message, PARSEC_ALGORITHM_KIND_NONE);

  switch (kind)
    {
    case PARSEC_ALGORITHM_KIND_HASH:
      return _parsec_algorithm_new (kind, 0, value_get (message, kind), 0, NULL);
    case PARSEC_ALGORITHM_KIND_CIPHER:
      return _parsec_algorithm_new (kind, value_get (message, kind), 0, 0, NULL);
    case PARSEC_ALGORITHM_KIND_MAC:
    case PARSEC_ALGORITHM_KIND_AEAD:
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
      return part_from (kind, child_get (message, kind));
    case PARSEC_ALGORITHM_KIND_NONE:
    default:
      return parsec_algorithm_new_none ();
    }
}

/* Field numbers of psa_key_attributes.proto */
enum {
  ATTRIBUTES_KEY_TYPE = 1, ATTRIBUTES_BITS = 2, ATTRIBUTES_POLICY = 3,
  KEY_TYPE_FAMILY = 1,
  POLICY_USAGE = 1, POLICY_ALGORITHM = 2,
  USAGE_FIRST_FLAG = 1, USAGE_LAST_FLAG = 10,
};

static gboolean
key_type_has_family (guint key_type)
{
  return key_type >= PARSEC_KEY_TYPE_ECC_KEY_PAIR && key_type <= PARSEC_KEY_TYPE_DH_PUBLIC_KEY;
}

ProtobufCMessage *
_parsec_key_attributes_to_message (const ParsecKeyAttributes *attributes)
{
  ProtobufCMessage *message = message_new (&psa_key_attributes__key_attributes__descriptor);
  ProtobufCMessage *key_type = child_new (child_new (message, ATTRIBUTES_KEY_TYPE), attributes->key_type);
  ProtobufCMessage *policy = child_new (message, ATTRIBUTES_POLICY);
  ProtobufCMessage *usage = child_new (policy, POLICY_USAGE);

  if (key_type_has_family (attributes->key_type))
    value_set (key_type, KEY_TYPE_FAMILY, attributes->family);
  value_set (message, ATTRIBUTES_BITS, attributes->bits);

  /* UsageFlags fields 1 to 10 are the flags in the order of ParsecKeyUsage. */
  for (guint number = USAGE_FIRST_FLAG; number <= USAGE_LAST_FLAG; number++)
    value_set (usage, number, (attributes->usage & (1u << (number - 1))) != 0);
  child_set (policy, POLICY_ALGORITHM, _parsec_algorithm_to_message (attributes->algorithm));
  return message;
}

ParsecKeyAttributes *
_parsec_key_attributes_from_message (const ProtobufCMessage *message)
{
  const ProtobufCMessage *key_type = child_get (message, ATTRIBUTES_KEY_TYPE);
  const ProtobufCMessage *policy = child_get (message, ATTRIBUTES_POLICY);
  const ProtobufCMessage *usage = child_get (policy, POLICY_USAGE);
  const ProtobufCMessage *algorithm = child_get (policy, POLICY_ALGORITHM);
  g_autoptr(ParsecAlgorithm) parsed = _parsec_algorithm_from_message (algorithm);
  ParsecKeyAttributes *attributes = g_new0 (ParsecKeyAttributes, 1);
  guint type = oneof_case (key_type, PARSEC_KEY_TYPE_RAW_DATA);

  g_atomic_ref_count_init (&attributes->ref_count);
  attributes->key_type = type;
  if (key_type_has_family (type))
    attributes->family = value_get (child_get (key_type, type), KEY_TYPE_FAMILY);
  attributes->bits = value_get (message, ATTRIBUTES_BITS);
  for (guint number = USAGE_FIRST_FLAG; number <= USAGE_LAST_FLAG; number++)
    if (value_get (usage, number))
      attributes->usage |= 1u << (number - 1);
  attributes->algorithm = g_steal_pointer (&parsed);
  return attributes;
}

static const char *
kind_needed (ParsecAlgorithmKind kind)
{
  switch (kind)
    {
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      return "a signature algorithm";
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      return "an asymmetric encryption algorithm";
    case PARSEC_ALGORITHM_KIND_AEAD:
      return "an AEAD algorithm";
    case PARSEC_ALGORITHM_KIND_CIPHER:
      return "a cipher";
    case PARSEC_ALGORITHM_KIND_MAC:
      return "a MAC algorithm";
    case PARSEC_ALGORITHM_KIND_NONE:
    case PARSEC_ALGORITHM_KIND_HASH:
    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
    default:
      return "another algorithm";
    }
}

gboolean
_parsec_algorithm_check_kind (const ParsecAlgorithm  *algorithm,
                              ParsecAlgorithmKind     kind,
                              guint32                 opcode,
                              GError                **error)
{
  g_autofree char *given = NULL;

  if (algorithm->kind == kind)
    return TRUE;

  given = parsec_algorithm_to_string (algorithm);
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
               _("%s needs %s, not %s"), _parsec_opcode_get_name (opcode), kind_needed (kind), given);
  return FALSE;
}

ProtobufCMessage *
_parsec_algorithm_part_checked (const ParsecAlgorithm  *algorithm,
                                ParsecAlgorithmKind     kind,
                                guint32                 opcode,
                                GError                **error)
{
  if (!_parsec_algorithm_check_kind (algorithm, kind, opcode, error))
    return NULL;
  return _parsec_algorithm_part_to_message (algorithm);
}
