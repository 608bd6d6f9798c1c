/* parsec-dbus-encoding.c: algorithms, key attributes and errors on D-Bus
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-dbus-encoding-private.h"

/* Hashes */

/* By ParsecHash value. Shorter than the enum nicks ("sha-256") because
 * that is how people and most crypto libraries spell them; the nicks are
 * accepted as well. */
static const char * const hash_names[] = {
  NULL, "md2", "md4", "md5", "ripemd160", "sha1", "sha224", "sha256",
  "sha384", "sha512", "sha512-224", "sha512-256", "sha3-224", "sha3-256",
  "sha3-384", "sha3-512",
};

gboolean
_parsec_dbus_hash_from_string (const char *name,
                               gboolean    allow_any,
                               ParsecHash *hash)
{
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  for (guint i = 1; i < G_N_ELEMENTS (hash_names); i++)
    if (g_str_equal (name, hash_names[i]))
      {
        *hash = (ParsecHash) i;
        return TRUE;
      }

  klass = g_type_class_ref (PARSEC_TYPE_HASH);
  value = g_enum_get_value_by_nick (klass, name);
  if (value == NULL || value->value == PARSEC_HASH_NONE ||
      (value->value == PARSEC_HASH_ANY && !allow_any))
    return FALSE;
  *hash = (ParsecHash) value->value;
  return TRUE;
}

char *
_parsec_dbus_hash_to_string (ParsecHash hash)
{
  if (hash == PARSEC_HASH_ANY)
    return g_strdup ("any");
  if ((guint) hash < G_N_ELEMENTS (hash_names) && hash_names[hash] != NULL)
    return g_strdup (hash_names[hash]);
  return g_strdup_printf ("unknown-%u", (guint) hash);
}

/* Enum and flags names: the library's nicks ("ecc-key-pair", "secp-r1",
 * "sign-hash"), so that the D-Bus names follow the C API. */

static gboolean
enum_from_nick (GType        type,
                const char  *nick,
                int         *out)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *value = g_enum_get_value_by_nick (klass, nick);

  if (value == NULL)
    return FALSE;
  *out = value->value;
  return TRUE;
}

static char *
enum_to_nick (GType type,
              int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *found = g_enum_get_value (klass, value);

  return found != NULL ? g_strdup (found->value_nick) : g_strdup_printf ("unknown-%d", value);
}

/* Algorithms */

typedef enum {
  HASH_NO,
  HASH_REQUIRED,
  HASH_OR_ANY,       /* signature schemes: "any" in a key policy */
} HashRule;

typedef struct {
  const char *name;
  ParsecAlgorithmKind kind;
  guint variant;
  HashRule hash;
  const char *length_field;   /* optional truncation, or NULL */
  gboolean derivation;        /* optional "derivation" a{sv} */
} AlgorithmName;

/* Every algorithm by the "kind" that names it: one flat namespace, like
 * PSA's PSA_ALG_* macros, so that a dictionary needs no family field. */
static const AlgorithmName algorithm_names[] = {
  { "none", PARSEC_ALGORITHM_KIND_NONE, 0, HASH_NO, NULL, FALSE },
  { "hash", PARSEC_ALGORITHM_KIND_HASH, 0, HASH_REQUIRED, NULL, FALSE },
  { "hmac", PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_HMAC, HASH_REQUIRED, "mac-length", FALSE },
  { "cbc-mac", PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_CBC_MAC, HASH_NO, "mac-length", FALSE },
  { "cmac", PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_CMAC, HASH_NO, "mac-length", FALSE },
  { "stream-cipher", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_STREAM_CIPHER, HASH_NO, NULL, FALSE },
  { "ctr", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_CTR, HASH_NO, NULL, FALSE },
  { "cfb", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_CFB, HASH_NO, NULL, FALSE },
  { "ofb", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_OFB, HASH_NO, NULL, FALSE },
  { "xts", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_XTS, HASH_NO, NULL, FALSE },
  { "ecb-no-padding", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_ECB_NO_PADDING, HASH_NO, NULL, FALSE },
  { "cbc-no-padding", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_CBC_NO_PADDING, HASH_NO, NULL, FALSE },
  { "cbc-pkcs7", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_CBC_PKCS7, HASH_NO, NULL, FALSE },
  { "ccm", PARSEC_ALGORITHM_KIND_AEAD, PARSEC_AEAD_CCM, HASH_NO, "tag-length", FALSE },
  { "gcm", PARSEC_ALGORITHM_KIND_AEAD, PARSEC_AEAD_GCM, HASH_NO, "tag-length", FALSE },
  { "chacha20-poly1305", PARSEC_ALGORITHM_KIND_AEAD, PARSEC_AEAD_CHACHA20_POLY1305, HASH_NO, "tag-length", FALSE },
  { "rsa-pkcs1v15-sign", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15, HASH_OR_ANY, NULL, FALSE },
  { "rsa-pkcs1v15-sign-raw", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW, HASH_NO, NULL, FALSE },
  { "rsa-pss", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_RSA_PSS, HASH_OR_ANY, NULL, FALSE },
  { "ecdsa", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_ECDSA, HASH_OR_ANY, NULL, FALSE },
  { "ecdsa-any", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_ECDSA_ANY, HASH_NO, NULL, FALSE },
  { "deterministic-ecdsa", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA, HASH_OR_ANY, NULL, FALSE },
  { "rsa-pkcs1v15-crypt", PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15, HASH_NO, NULL, FALSE },
  { "rsa-oaep", PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, PARSEC_ENCRYPTION_SCHEME_RSA_OAEP, HASH_REQUIRED, NULL, FALSE },
  { "ffdh", PARSEC_ALGORITHM_KIND_KEY_AGREEMENT, PARSEC_KEY_AGREEMENT_FFDH, HASH_NO, NULL, TRUE },
  { "ecdh", PARSEC_ALGORITHM_KIND_KEY_AGREEMENT, PARSEC_KEY_AGREEMENT_ECDH, HASH_NO, NULL, TRUE },
  { "hkdf", PARSEC_ALGORITHM_KIND_KEY_DERIVATION, PARSEC_KEY_DERIVATION_HKDF, HASH_REQUIRED, NULL, FALSE },
  { "tls12-prf", PARSEC_ALGORITHM_KIND_KEY_DERIVATION, PARSEC_KEY_DERIVATION_TLS12_PRF, HASH_REQUIRED, NULL, FALSE },
  { "tls12-psk-to-ms", PARSEC_ALGORITHM_KIND_KEY_DERIVATION, PARSEC_KEY_DERIVATION_TLS12_PSK_TO_MS, HASH_REQUIRED, NULL, FALSE },
};

static const AlgorithmName *
algorithm_name_lookup (ParsecAlgorithmKind kind,
                       guint               variant)
{
  for (gsize i = 0; i < G_N_ELEMENTS (algorithm_names); i++)
    if (algorithm_names[i].kind == kind && algorithm_names[i].variant == variant)
      return &algorithm_names[i];
  return NULL;
}

/* The algorithm within its family, which names it on the bus with its
 * kind. */
static guint
algorithm_variant (const ParsecAlgorithm *algorithm)
{
  switch (parsec_algorithm_get_kind (algorithm))
    {
    case PARSEC_ALGORITHM_KIND_MAC:
      return parsec_algorithm_get_mac (algorithm);
    case PARSEC_ALGORITHM_KIND_CIPHER:
      return parsec_algorithm_get_cipher (algorithm);
    case PARSEC_ALGORITHM_KIND_AEAD:
      return parsec_algorithm_get_aead (algorithm);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      return parsec_algorithm_get_signature_scheme (algorithm);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      return parsec_algorithm_get_encryption_scheme (algorithm);
    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
      return parsec_algorithm_get_key_agreement (algorithm);
    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
      return parsec_algorithm_get_key_derivation (algorithm);
    default:
      return 0;
    }
}

GVariant *
_parsec_dbus_algorithm_to_variant (const ParsecAlgorithm *algorithm)
{
  ParsecAlgorithmKind kind = parsec_algorithm_get_kind (algorithm);
  guint variant = algorithm_variant (algorithm);
  guint length = parsec_algorithm_get_length (algorithm);
  ParsecAlgorithm *inner = parsec_algorithm_get_inner (algorithm);
  const AlgorithmName *name = algorithm_name_lookup (kind, variant);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  if (name == NULL)
    {
      g_variant_builder_add (&builder, "{sv}", "kind",
                             g_variant_new_take_string (g_strdup_printf ("unknown-%u-%u", (guint) kind, variant)));
      return g_variant_builder_end (&builder);
    }

  g_variant_builder_add (&builder, "{sv}", "kind", g_variant_new_string (name->name));
  if (name->hash != HASH_NO)
    g_variant_builder_add (&builder, "{sv}", "hash",
                           g_variant_new_take_string (_parsec_dbus_hash_to_string (parsec_algorithm_get_hash (algorithm))));
  if (name->length_field != NULL && length != 0)
    g_variant_builder_add (&builder, "{sv}", name->length_field, g_variant_new_uint32 (length));
  if (name->derivation && inner != NULL)
    g_variant_builder_add (&builder, "{sv}", "derivation", _parsec_dbus_algorithm_to_variant (inner));
  return g_variant_builder_end (&builder);
}

/* @name's algorithm, through the library's constructors: the decoding
 * has checked what they check, so none of them fails here. */
static ParsecAlgorithm *
algorithm_new (const AlgorithmName *name,
               ParsecHash           hash,
               guint                length,
               ParsecAlgorithm     *derivation)
{
  g_autoptr(ParsecAlgorithm) mac = NULL;

  switch (name->kind)
    {
    case PARSEC_ALGORITHM_KIND_NONE:
      return parsec_algorithm_new_none ();
    case PARSEC_ALGORITHM_KIND_HASH:
      return parsec_algorithm_new_hash (hash);
    case PARSEC_ALGORITHM_KIND_MAC:
      if (name->variant == PARSEC_MAC_HMAC)
        mac = parsec_algorithm_new_hmac (hash);
      else if (name->variant == PARSEC_MAC_CBC_MAC)
        mac = parsec_algorithm_new_cbc_mac ();
      else
        mac = parsec_algorithm_new_cmac ();
      return length != 0 ? parsec_algorithm_new_truncated_mac (mac, length) : g_steal_pointer (&mac);
    case PARSEC_ALGORITHM_KIND_CIPHER:
      return parsec_algorithm_new_cipher ((ParsecCipher) name->variant);
    case PARSEC_ALGORITHM_KIND_AEAD:
      return length != 0 ? parsec_algorithm_new_aead_shortened_tag ((ParsecAead) name->variant, length)
                         : parsec_algorithm_new_aead ((ParsecAead) name->variant);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      return parsec_algorithm_new_signature ((ParsecSignatureScheme) name->variant, hash);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      return parsec_algorithm_new_encryption ((ParsecEncryptionScheme) name->variant, hash);
    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
      return derivation != NULL
        ? parsec_algorithm_new_key_agreement_with_derivation ((ParsecKeyAgreement) name->variant, derivation)
        : parsec_algorithm_new_key_agreement ((ParsecKeyAgreement) name->variant);
    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
      return parsec_algorithm_new_key_derivation ((ParsecKeyDerivation) name->variant, hash);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
invalid_args (GError    **error,
              const char *format,
              ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid_args (GError    **error,
              const char *format,
              ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, format, args));
  va_end (args);
  return FALSE;
}

/* Checks that every field of @dict is one of @fields (entries with a NULL
 * name do not apply to this dictionary) and has the type that goes with it. */
typedef struct {
  const char *name;
  const GVariantType *type;
} Field;

static gboolean
check_fields (GVariant    *dict,
              const char  *what,
              const Field *fields,
              gsize        n_fields,
              GError     **error)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, &value))
    {
      /* Owns the value for the rest of the iteration. */
      g_autoptr(GVariant) owned G_GNUC_UNUSED = value;
      gsize i;

      for (i = 0; i < n_fields; i++)
        if (fields[i].name != NULL && g_str_equal (fields[i].name, key))
          break;
      if (i == n_fields)
        return invalid_args (error, "%s: the field “%s” does not belong here", what, key);
      if (!g_variant_is_of_type (value, fields[i].type))
        return invalid_args (error, "%s: the field “%s” must be of type %s, not %s", what, key,
                             (const char *) fields[i].type, g_variant_get_type_string (value));
    }
  return TRUE;
}

ParsecAlgorithm *
_parsec_dbus_algorithm_from_variant (GVariant  *variant,
                                     GError   **error)
{
  const AlgorithmName *name = NULL;
  const char *kind = NULL, *hash_name = NULL;
  guint32 length = 0;
  g_autoptr(GVariant) derivation_v = NULL;
  g_autoptr(ParsecAlgorithm) derivation = NULL;
  ParsecHash hash = PARSEC_HASH_NONE;
  Field fields[4];

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      invalid_args (error, "An algorithm is an a{sv}, not %s", g_variant_get_type_string (variant));
      return NULL;
    }
  if (!g_variant_lookup (variant, "kind", "&s", &kind))
    {
      invalid_args (error, "An algorithm needs a string field “kind”, such as \"ecdsa\"");
      return NULL;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (algorithm_names); i++)
    if (g_str_equal (algorithm_names[i].name, kind))
      name = &algorithm_names[i];
  if (name == NULL)
    {
      invalid_args (error, "Algorithm: unknown kind “%s”", kind);
      return NULL;
    }

  fields[0] = (Field) { "kind", G_VARIANT_TYPE_STRING };
  fields[1] = (Field) { name->hash != HASH_NO ? "hash" : NULL, G_VARIANT_TYPE_STRING };
  fields[2] = (Field) { name->length_field, G_VARIANT_TYPE_UINT32 };
  fields[3] = (Field) { name->derivation ? "derivation" : NULL, G_VARIANT_TYPE_VARDICT };
  if (!check_fields (variant, "Algorithm", fields, G_N_ELEMENTS (fields), error))
    return NULL;

  if (name->hash != HASH_NO)
    {
      if (!g_variant_lookup (variant, "hash", "&s", &hash_name))
        {
          invalid_args (error, "Algorithm “%s” needs a field “hash”, such as \"sha256\"", kind);
          return NULL;
        }
      if (!_parsec_dbus_hash_from_string (hash_name, name->hash == HASH_OR_ANY, &hash))
        {
          invalid_args (error, "Algorithm “%s”: “%s” is not a hash it can use", kind, hash_name);
          return NULL;
        }
    }
  if (name->length_field != NULL && g_variant_lookup (variant, name->length_field, "u", &length) && length == 0)
    {
      invalid_args (error, "Algorithm “%s”: “%s” must not be 0; leave it out for the full length",
                    kind, name->length_field);
      return NULL;
    }
  derivation_v = name->derivation ? g_variant_lookup_value (variant, "derivation", G_VARIANT_TYPE_VARDICT) : NULL;
  if (derivation_v != NULL)
    {
      derivation = _parsec_dbus_algorithm_from_variant (derivation_v, error);
      if (derivation == NULL)
        return NULL;
      if (parsec_algorithm_get_kind (derivation) != PARSEC_ALGORITHM_KIND_KEY_DERIVATION)
        {
          invalid_args (error, "Algorithm “%s”: the derivation must be a key derivation such as \"hkdf\"", kind);
          return NULL;
        }
    }

  return algorithm_new (name, hash, length, derivation);
}

/* Key attributes */

static gboolean
key_type_is_ecc (ParsecKeyType type)
{
  return type == PARSEC_KEY_TYPE_ECC_KEY_PAIR || type == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY;
}

static gboolean
key_type_is_dh (ParsecKeyType type)
{
  return type == PARSEC_KEY_TYPE_DH_KEY_PAIR || type == PARSEC_KEY_TYPE_DH_PUBLIC_KEY;
}

GVariant *
_parsec_dbus_key_attributes_to_variant (const ParsecKeyAttributes *attributes)
{
  g_autoptr(GFlagsClass) usage_class = g_type_class_ref (PARSEC_TYPE_KEY_USAGE);
  ParsecKeyType type = parsec_key_attributes_get_key_type (attributes);
  ParsecKeyUsage usage_flags = parsec_key_attributes_get_usage (attributes);
  GVariantBuilder builder, usage;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&builder, "{sv}", "type",
                         g_variant_new_take_string (enum_to_nick (PARSEC_TYPE_KEY_TYPE, type)));
  if (key_type_is_ecc (type))
    g_variant_builder_add (&builder, "{sv}", "curve",
                           g_variant_new_take_string (enum_to_nick (PARSEC_TYPE_ECC_FAMILY,
                                                                    parsec_key_attributes_get_ecc_family (attributes))));
  if (key_type_is_dh (type))
    g_variant_builder_add (&builder, "{sv}", "group",
                           g_variant_new_take_string (enum_to_nick (PARSEC_TYPE_DH_FAMILY,
                                                                    parsec_key_attributes_get_dh_family (attributes))));
  g_variant_builder_add (&builder, "{sv}", "bits", g_variant_new_uint32 (parsec_key_attributes_get_bits (attributes)));

  g_variant_builder_init (&usage, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; i < usage_class->n_values; i++)
    {
      GFlagsValue *flag = &usage_class->values[i];

      if (flag->value != 0 && (usage_flags & flag->value) == flag->value)
        g_variant_builder_add (&usage, "s", flag->value_nick);
    }
  g_variant_builder_add (&builder, "{sv}", "usage", g_variant_builder_end (&usage));
  g_variant_builder_add (&builder, "{sv}", "algorithm",
                         _parsec_dbus_algorithm_to_variant (parsec_key_attributes_get_algorithm (attributes)));
  return g_variant_builder_end (&builder);
}

ParsecKeyAttributes *
_parsec_dbus_key_attributes_from_variant (GVariant  *variant,
                                          GError   **error)
{
  static const Field fields[] = {
    { "type", G_VARIANT_TYPE_STRING },
    { "bits", G_VARIANT_TYPE_UINT32 },
    { "curve", G_VARIANT_TYPE_STRING },
    { "group", G_VARIANT_TYPE_STRING },
    { "usage", G_VARIANT_TYPE_STRING_ARRAY },
    { "algorithm", G_VARIANT_TYPE_VARDICT },
  };
  g_autoptr(GFlagsClass) usage_class = NULL;
  g_autoptr(GVariant) algorithm_v = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  g_autofree const char **usage_names = NULL;
  const char *type_name = NULL, *curve_name = NULL, *group_name = NULL;
  int type, family = 0;
  guint32 bits = 0;
  ParsecKeyUsage usage = PARSEC_KEY_USAGE_NONE;

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      invalid_args (error, "Key attributes are an a{sv}, not %s", g_variant_get_type_string (variant));
      return NULL;
    }
  if (!check_fields (variant, "Key attributes", fields, G_N_ELEMENTS (fields), error))
    return NULL;

  if (!g_variant_lookup (variant, "type", "&s", &type_name))
    {
      invalid_args (error, "Key attributes need a field “type”, such as \"ecc-key-pair\"");
      return NULL;
    }
  if (!enum_from_nick (PARSEC_TYPE_KEY_TYPE, type_name, &type))
    {
      invalid_args (error, "Key attributes: unknown key type “%s”", type_name);
      return NULL;
    }
  g_variant_lookup (variant, "bits", "u", &bits);

  g_variant_lookup (variant, "curve", "&s", &curve_name);
  if (key_type_is_ecc (type))
    {
      if (curve_name == NULL)
        {
          invalid_args (error, "Key attributes: a key of type “%s” needs a field “curve”, such as \"secp-r1\"", type_name);
          return NULL;
        }
      if (!enum_from_nick (PARSEC_TYPE_ECC_FAMILY, curve_name, &family) || family == PARSEC_ECC_FAMILY_NONE)
        {
          invalid_args (error, "Key attributes: unknown curve family “%s”", curve_name);
          return NULL;
        }
    }
  else if (curve_name != NULL)
    {
      invalid_args (error, "Key attributes: a key of type “%s” has no curve", type_name);
      return NULL;
    }

  g_variant_lookup (variant, "group", "&s", &group_name);
  if (key_type_is_dh (type))
    {
      if (group_name != NULL && !enum_from_nick (PARSEC_TYPE_DH_FAMILY, group_name, &family))
        {
          invalid_args (error, "Key attributes: unknown Diffie-Hellman group family “%s”", group_name);
          return NULL;
        }
    }
  else if (group_name != NULL)
    {
      invalid_args (error, "Key attributes: a key of type “%s” has no group", type_name);
      return NULL;
    }

  usage_class = g_type_class_ref (PARSEC_TYPE_KEY_USAGE);
  if (g_variant_lookup (variant, "usage", "^a&s", &usage_names))
    for (gsize i = 0; usage_names[i] != NULL; i++)
      {
        GFlagsValue *flag = g_flags_get_value_by_nick (usage_class, usage_names[i]);

        if (flag == NULL || flag->value == 0)
          {
            invalid_args (error, "Key attributes: unknown usage “%s”", usage_names[i]);
            return NULL;
          }
        usage |= flag->value;
      }

  algorithm_v = g_variant_lookup_value (variant, "algorithm", G_VARIANT_TYPE_VARDICT);
  if (algorithm_v != NULL)
    {
      algorithm = _parsec_dbus_algorithm_from_variant (algorithm_v, error);
      if (algorithm == NULL)
        return NULL;
    }

  if (key_type_is_ecc (type))
    return parsec_key_attributes_new_ecc (type, family, bits, usage, algorithm);
  if (key_type_is_dh (type))
    return parsec_key_attributes_new_dh (type, family, bits, usage, algorithm);
  return parsec_key_attributes_new (type, bits, usage, algorithm);
}

/* Errors */

/* "protocol-violation" → "ProtocolViolation", for the client-side codes,
 * which have no name in the Parsec specification. */
static char *
camel_case (const char *nick)
{
  GString *name = g_string_new (NULL);
  gboolean upper = TRUE;

  for (const char *p = nick; *p != '\0'; p++)
    {
      if (*p == '-')
        {
          upper = TRUE;
          continue;
        }
      g_string_append_c (name, upper ? g_ascii_toupper (*p) : *p);
      upper = FALSE;
    }
  return g_string_free (name, FALSE);
}

/* Every code of ParsecError gets community.parsec.Error.<Name>: the
 * service's own status name where there is one (PsaErrorDoesNotExist, as
 * the Parsec book names it), else the enum nick in CamelCase. Walking the
 * enum keeps the mapping complete as codes are added. A code that is not
 * in the enum still travels, as GDBus's generic encoding of an unmapped
 * error, and comes back as the same domain and code. The mapping is the
 * service's: the client library's error domain knows nothing of D-Bus. */
static gpointer
error_register (gpointer data)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PARSEC_TYPE_ERROR);

  for (guint i = 0; i < klass->n_values; i++)
    {
      const GEnumValue *value = &klass->values[i];
      const char *status_name = value->value <= G_MAXUINT16 ? parsec_status_get_name ((guint) value->value) : NULL;
      g_autofree char *camel = status_name == NULL ? camel_case (value->value_nick) : NULL;
      g_autofree char *dbus_name = g_strconcat ("community.parsec.Error.",
                                                status_name != NULL ? status_name : camel, NULL);

      g_dbus_error_register_error (PARSEC_ERROR, value->value, dbus_name);
    }
  return NULL;
}

void
_parsec_dbus_error_register (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, error_register, NULL);
}
