/* tool-algorithms.c: hashes, curves and key policies of parsec-glib-tool
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>
#include "tool.h"
#include "tool-gnutls.h"

/* Hashes by name. */
static const ToolHash hashes[] = {
  { "sha256", PARSEC_HASH_SHA_256, 32 },
  { "sha384", PARSEC_HASH_SHA_384, 48 },
  { "sha512", PARSEC_HASH_SHA_512, 64 },
  { "sha224", PARSEC_HASH_SHA_224, 28 },
  { "sha3-256", PARSEC_HASH_SHA3_256, 32 },
  { "sha3-384", PARSEC_HASH_SHA3_384, 48 },
  { "sha3-512", PARSEC_HASH_SHA3_512, 64 },
  { "sha1", PARSEC_HASH_SHA_1, 20 },
  { "ripemd160", PARSEC_HASH_RIPEMD160, 20 },
  { "md5", PARSEC_HASH_MD5, 16 },
  /* Only in signing policies: the key then signs with every hash. */
  { "any", PARSEC_HASH_ANY, 0 },
};

static const ToolCurve curves[] = {
  { "p256", "secp256r1", PARSEC_ECC_FAMILY_SECP_R1, 256, "1.2.840.10045.3.1.7", PARSEC_HASH_SHA_256 },
  { "p384", "secp384r1", PARSEC_ECC_FAMILY_SECP_R1, 384, "1.3.132.0.34", PARSEC_HASH_SHA_384 },
  { "p521", "secp521r1", PARSEC_ECC_FAMILY_SECP_R1, 521, "1.3.132.0.35", PARSEC_HASH_SHA_512 },
  { "p224", "secp224r1", PARSEC_ECC_FAMILY_SECP_R1, 224, "1.3.132.0.33", PARSEC_HASH_SHA_224 },
  { "p192", "secp192r1", PARSEC_ECC_FAMILY_SECP_R1, 192, "1.2.840.10045.3.1.1", PARSEC_HASH_SHA_256 },
  { "secp256k1", NULL, PARSEC_ECC_FAMILY_SECP_K1, 256, "1.3.132.0.10", PARSEC_HASH_SHA_256 },
};

const ToolHash *
tool_hash_lookup (const char  *name,
                  GError     **error)
{
  g_autoptr(GString) known = g_string_new (NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      if (g_ascii_strcasecmp (name, hashes[i].name) == 0)
        return &hashes[i];
      g_string_append_printf (known, "%s%s", i > 0 ? ", " : "", hashes[i].name);
    }
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "unknown hash “%s” (known: %s)", name, known->str);
  return NULL;
}

const ToolCurve *
tool_curve_lookup (const char  *name,
                   GError     **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    if (g_ascii_strcasecmp (name, curves[i].name) == 0 ||
        (curves[i].alias != NULL && g_ascii_strcasecmp (name, curves[i].alias) == 0))
      return &curves[i];
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
               "unknown curve “%s” (known: p256, p384, p521, p224, p192, secp256k1)", name);
  return NULL;
}

const ToolCurve *
tool_curve_find (ParsecEccFamily family,
                 guint           bits)
{
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    if (curves[i].family == family && curves[i].bits == bits)
      return &curves[i];
  return NULL;
}

/* The curve of a key whose attributes may say 0 bits, as the service
 * keeps them for a key imported with "size from the data": then the
 * size of a coordinate or of the private scalar, @len bytes, tells. */
const ToolCurve *
tool_curve_find_sized (ParsecEccFamily family,
                       guint           bits,
                       gsize           len)
{
  if (bits != 0)
    return tool_curve_find (family, bits);
  for (gsize i = 0; i < G_N_ELEMENTS (curves); i++)
    if (curves[i].family == family && (curves[i].bits + 7) / 8 == len)
      return &curves[i];
  return NULL;
}

char *
tool_enum_nick (GType type,
                int   value)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (type);
  GEnumValue *found = g_enum_get_value (klass, value);

  /* The service may send values this library version does not name. */
  if (found == NULL)
    return g_strdup_printf ("%d", value);
  return g_strdup (found->value_nick);
}

char **
tool_usage_nicks (ParsecKeyUsage usage)
{
  g_autoptr(GFlagsClass) klass = g_type_class_ref (PARSEC_TYPE_KEY_USAGE);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value != 0 && (usage & klass->values[i].value) == klass->values[i].value)
      g_strv_builder_add (builder, klass->values[i].value_nick);
  return g_strv_builder_end (builder);
}

/* Policies */

void
tool_add_policy_options (Tool           *tool,
                         GOptionContext *context,
                         ToolPolicy     *policy)
{
  /* -o is parsec-tool's short form of --oaep in create-rsa-key. */
  gboolean oaep_short = (tool->command->flags & TOOL_COMMAND_OAEP_SHORT) != 0;
  const GOptionEntry entries[] = {
    { "for-signing", 's', 0, G_OPTION_ARG_NONE, &policy->signing,
      "A signing key (RSA PKCS #1 v1.5 unless --pss; always for elliptic curves)", NULL },
    { "for-encryption", 'e', 0, G_OPTION_ARG_NONE, &policy->encryption,
      "An encryption key (RSA PKCS #1 v1.5 unless --oaep; the default for RSA)", NULL },
    { "pss", 0, 0, G_OPTION_ARG_NONE, &policy->pss, "Sign with RSA-PSS (implies --for-signing)", NULL },
    { "for-tls", 0, 0, G_OPTION_ARG_NONE, &policy->tls,
      "A key for TLS 1.2 and 1.3 client or server authentication: RSA-PSS or ECDSA, for any hash unless --hash",
      NULL },
    { "oaep", oaep_short ? 'o' : 0, 0, G_OPTION_ARG_NONE, &policy->oaep,
      "Encrypt with RSA-OAEP (implies --for-encryption; ignored with --for-signing, as parsec-tool does)", NULL },
    { "hash", 'H', 0, G_OPTION_ARG_STRING, &policy->hash,
      "Hash of the signature or OAEP: sha256 (the default, sha384/sha512 for P-384/P-521), sha384, sha512, sha224, any…",
      "HASH" },
    { "exportable", 0, 0, G_OPTION_ARG_NONE, &policy->exportable,
      "Allow export-key to export the key material", NULL },
    G_OPTION_ENTRY_NULL
  };

  tool_add_entries (tool, context, entries);
}

void
tool_policy_clear (ToolPolicy *policy)
{
  g_clear_pointer (&policy->hash, g_free);
}

ParsecKeyAttributes *
tool_policy_attributes (const ToolPolicy  *policy,
                        ParsecKeyType      key_type,
                        const ToolCurve   *curve,
                        guint              bits,
                        GError           **error)
{
  gboolean is_rsa = key_type == PARSEC_KEY_TYPE_RSA_KEY_PAIR || key_type == PARSEC_KEY_TYPE_RSA_PUBLIC_KEY;
  gboolean is_pair = key_type == PARSEC_KEY_TYPE_RSA_KEY_PAIR || key_type == PARSEC_KEY_TYPE_ECC_KEY_PAIR;
  /* parsec-tool makes a signing key of "--for-signing --oaep" */
  gboolean oaep = policy->oaep && !(policy->signing && !policy->pss && !policy->tls && !policy->encryption);
  /* TLS clients and servers ask RSA keys for RSA-PSS first, at 1.2 too. */
  gboolean pss = policy->pss || policy->tls;
  gboolean signing = policy->signing || pss;
  gboolean encryption = policy->encryption || oaep;
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  ParsecHash hash = policy->tls ? PARSEC_HASH_ANY : curve != NULL ? curve->default_hash : PARSEC_HASH_SHA_256;
  ParsecKeyUsage usage;

  if (signing && encryption)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                           "a key is either for signing or for encryption: PSA allows one algorithm per key");
      return NULL;
    }
  if (!is_rsa && encryption)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                           "elliptic-curve keys sign (ECDSA); --for-encryption and --oaep are for RSA keys");
      return NULL;
    }
  if (!is_rsa && policy->pss && !policy->tls)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--pss is for RSA keys");
      return NULL;
    }
  /* RSA keys are for encryption unless asked otherwise, as in parsec-tool. */
  if (!is_rsa)
    signing = TRUE;

  if (policy->hash != NULL)
    {
      const ToolHash *found = tool_hash_lookup (policy->hash, error);

      if (found == NULL)
        return NULL;
      if (!signing && !oaep)
        {
          g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                               "--hash applies to signing keys and to --oaep");
          return NULL;
        }
      if (found->hash == PARSEC_HASH_ANY && !signing)
        {
          g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--hash any applies to signing keys only");
          return NULL;
        }
      hash = found->hash;
    }

  if (signing)
    {
      if (!is_rsa)
        algorithm = parsec_algorithm_new_ecdsa (hash);
      else if (pss)
        algorithm = parsec_algorithm_new_rsa_pss (hash);
      else
        algorithm = parsec_algorithm_new_rsa_pkcs1v15_sign (hash);
      usage = is_pair
        ? PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH |
          PARSEC_KEY_USAGE_SIGN_MESSAGE | PARSEC_KEY_USAGE_VERIFY_MESSAGE
        : PARSEC_KEY_USAGE_VERIFY_HASH | PARSEC_KEY_USAGE_VERIFY_MESSAGE;
    }
  else
    {
      algorithm = oaep ? parsec_algorithm_new_rsa_oaep (hash) : parsec_algorithm_new_rsa_pkcs1v15_crypt ();
      usage = is_pair ? PARSEC_KEY_USAGE_ENCRYPT | PARSEC_KEY_USAGE_DECRYPT : PARSEC_KEY_USAGE_ENCRYPT;
    }
  if (policy->exportable)
    usage |= PARSEC_KEY_USAGE_EXPORT;

  if (curve != NULL)
    return parsec_key_attributes_new_ecc (key_type, curve->family, curve->bits, usage, algorithm);
  return parsec_key_attributes_new (key_type, bits, usage, algorithm);
}

/* The signature sign, verify and create-csr make with a key: the
 * algorithm of its policy, with SHA-256 where the policy allows any hash,
 * as parsec_key_sign_data() does. */
gboolean
tool_signature_plan (const char           *key_name,
                     ParsecKeyAttributes  *attributes,
                     ParsecAlgorithm     **algorithm,
                     ParsecHash           *hash,
                     GError              **error)
{
  ParsecAlgorithm *policy = parsec_key_attributes_get_algorithm (attributes);
  ParsecSignatureScheme scheme = parsec_algorithm_get_signature_scheme (policy);
  g_autofree char *text = parsec_algorithm_to_string (policy);

  if (parsec_algorithm_get_kind (policy) != PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "key “%s” is not a signing key (its policy: %s)",
                   key_name, text);
      return FALSE;
    }
  if (scheme == PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                   "key “%s” signs only data encoded by the caller (%s), which this tool does not do",
                   key_name, text);
      return FALSE;
    }
  *hash = parsec_algorithm_get_hash (policy);
  if (*hash == PARSEC_HASH_ANY || *hash == PARSEC_HASH_NONE)
    *hash = PARSEC_HASH_SHA_256;
  /* The policy came from the service, which may name what this version
   * does not know. */
  if (scheme < PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15 || scheme > PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA ||
      *hash < PARSEC_HASH_MD2 || *hash > PARSEC_HASH_SHA3_512)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "key “%s” has a signature policy this tool does not know (%s)",
                   key_name, text);
      return FALSE;
    }
  if (scheme == PARSEC_SIGNATURE_SCHEME_ECDSA_ANY)
    *algorithm = parsec_algorithm_ref (policy);
  else
    *algorithm = parsec_algorithm_new_signature (scheme, *hash);
  return TRUE;
}

gboolean
tool_is_ecdsa (const ParsecAlgorithm *algorithm)
{
  ParsecSignatureScheme scheme = parsec_algorithm_get_signature_scheme (algorithm);

  return scheme == PARSEC_SIGNATURE_SCHEME_ECDSA || scheme == PARSEC_SIGNATURE_SCHEME_ECDSA_ANY ||
         scheme == PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA;
}

static int
gnutls_digest_of (ParsecHash hash)
{
  switch (hash)
    {
    case PARSEC_HASH_MD5:
      return GNUTLS_DIG_MD5;
    case PARSEC_HASH_RIPEMD160:
      return GNUTLS_DIG_RMD160;
    case PARSEC_HASH_SHA_1:
      return GNUTLS_DIG_SHA1;
    case PARSEC_HASH_SHA_224:
      return GNUTLS_DIG_SHA224;
    case PARSEC_HASH_SHA_256:
      return GNUTLS_DIG_SHA256;
    case PARSEC_HASH_SHA_384:
      return GNUTLS_DIG_SHA384;
    case PARSEC_HASH_SHA_512:
      return GNUTLS_DIG_SHA512;
    case PARSEC_HASH_SHA3_224:
      return GNUTLS_DIG_SHA3_224;
    case PARSEC_HASH_SHA3_256:
      return GNUTLS_DIG_SHA3_256;
    case PARSEC_HASH_SHA3_384:
      return GNUTLS_DIG_SHA3_384;
    case PARSEC_HASH_SHA3_512:
      return GNUTLS_DIG_SHA3_512;
    default:
      return GNUTLS_DIG_UNKNOWN;
    }
}

static GChecksumType
checksum_of (ParsecHash hash)
{
  switch (hash)
    {
    case PARSEC_HASH_MD5:
      return G_CHECKSUM_MD5;
    case PARSEC_HASH_SHA_1:
      return G_CHECKSUM_SHA1;
    case PARSEC_HASH_SHA_256:
      return G_CHECKSUM_SHA256;
    case PARSEC_HASH_SHA_384:
      return G_CHECKSUM_SHA384;
    case PARSEC_HASH_SHA_512:
      return G_CHECKSUM_SHA512;
    default:
      return (GChecksumType) -1;
    }
}

/* The digest that sign, verify and the X.509 commands sign: computed
 * here, as parsec-tool does, so that signing costs one request. GLib
 * computes the common hashes, GnuTLS (loaded only then) the others, and
 * the service those GnuTLS lacks. */
GBytes *
tool_digest (ParsecClient  *client,
             ParsecHash     hash,
             GBytes        *data,
             GError       **error)
{
  GChecksumType checksum_type = checksum_of (hash);
  int algorithm;
  gsize len;
  gconstpointer bytes = g_bytes_get_data (data, &len);
  guint8 digest[64];

  if (checksum_type != (GChecksumType) -1)
    {
      g_autoptr(GChecksum) checksum = g_checksum_new (checksum_type);
      gsize digest_len = sizeof digest;

      g_checksum_update (checksum, bytes, (gssize) len);
      g_checksum_get_digest (checksum, digest, &digest_len);
      return g_bytes_new (digest, digest_len);
    }
  algorithm = gnutls_digest_of (hash);
  if (algorithm == GNUTLS_DIG_UNKNOWN || !tool_gnutls_load (NULL) || gnutls_hash_get_len (algorithm) > sizeof digest ||
      gnutls_hash_fast (algorithm, bytes, len, digest) < 0)
    return parsec_client_hash_compute (client, hash, data, NULL, error);
  return g_bytes_new (digest, gnutls_hash_get_len (algorithm));
}

/* Whether parsec_key_sign_stream() computes @hash, so that the data can
 * be read as a stream of any size; the service hashes the others, whole. */
gboolean
tool_hash_streams (ParsecHash hash)
{
  return hash == PARSEC_HASH_SHA_1 || hash == PARSEC_HASH_SHA_224 || hash == PARSEC_HASH_SHA_256 ||
         hash == PARSEC_HASH_SHA_384 || hash == PARSEC_HASH_SHA_512;
}

/* @data, or else what @stream holds, signed by @key with the algorithm
 * and hash tool_signature_plan() chose (for a stream, the same that
 * parsec_key_sign_stream() chooses): the signature in the PSA form, and in
 * *der as X.509 and OpenSSL carry it (for ECDSA an Ecdsa-Sig-Value,
 * otherwise the same bytes). */
GBytes *
tool_sign (ParsecKey        *key,
           ParsecAlgorithm  *algorithm,
           ParsecHash        hash,
           GBytes           *data,
           GInputStream     *stream,
           GBytes          **der,
           GError          **error)
{
  g_autoptr(GBytes) digest = NULL;
  g_autoptr(GBytes) signature = NULL;

  if (data == NULL)
    signature = parsec_key_sign_stream (key, stream, NULL, error);
  else if ((digest = tool_digest (parsec_key_get_client (key), hash, data, error)) != NULL)
    signature = parsec_key_sign_hash (key, algorithm, digest, NULL, error);
  if (signature == NULL)
    return NULL;
  *der = tool_is_ecdsa (algorithm) ? parsec_ecdsa_signature_to_der (signature, error) : g_bytes_ref (signature);
  if (*der == NULL)
    return NULL;
  return g_steal_pointer (&signature);
}

char *
tool_describe_key_type (ParsecKeyAttributes *attributes)
{
  ParsecKeyType type = parsec_key_attributes_get_key_type (attributes);
  g_autofree char *nick = tool_enum_nick (PARSEC_TYPE_KEY_TYPE, type);

  if (type == PARSEC_KEY_TYPE_ECC_KEY_PAIR || type == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY)
    {
      ParsecEccFamily family = parsec_key_attributes_get_ecc_family (attributes);
      guint bits = parsec_key_attributes_get_bits (attributes);
      const ToolCurve *curve = tool_curve_find (family, bits);
      g_autofree char *family_nick = NULL;

      if (curve != NULL)
        return g_strdup_printf ("%s, %s", nick, curve->name);
      family_nick = tool_enum_nick (PARSEC_TYPE_ECC_FAMILY, family);
      return g_strdup_printf ("%s, %s %u bits", nick, family_nick, bits);
    }
  return g_strdup_printf ("%s, %u bits", nick, parsec_key_attributes_get_bits (attributes));
}

void
tool_json_key_attributes (ToolJson            *json,
                          ParsecKeyAttributes *attributes)
{
  ParsecKeyType type = parsec_key_attributes_get_key_type (attributes);
  g_autofree char *type_nick = tool_enum_nick (PARSEC_TYPE_KEY_TYPE, type);
  g_autofree char *algorithm = parsec_algorithm_to_string (parsec_key_attributes_get_algorithm (attributes));
  g_auto(GStrv) usage = tool_usage_nicks (parsec_key_attributes_get_usage (attributes));

  tool_json_key (json, "type");
  tool_json_string (json, type_nick);
  tool_json_key (json, "bits");
  tool_json_int (json, parsec_key_attributes_get_bits (attributes));
  if (type == PARSEC_KEY_TYPE_ECC_KEY_PAIR || type == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY)
    {
      ParsecEccFamily family = parsec_key_attributes_get_ecc_family (attributes);
      const ToolCurve *curve = tool_curve_find (family, parsec_key_attributes_get_bits (attributes));
      g_autofree char *family_nick = tool_enum_nick (PARSEC_TYPE_ECC_FAMILY, family);

      tool_json_key (json, "ecc_family");
      tool_json_string (json, family_nick);
      tool_json_key (json, "curve");
      tool_json_string (json, curve != NULL ? curve->name : NULL);
    }
  tool_json_key (json, "algorithm");
  tool_json_string (json, algorithm);
  tool_json_key (json, "usage");
  tool_json_begin_array (json);
  for (guint i = 0; usage[i] != NULL; i++)
    tool_json_string (json, usage[i]);
  tool_json_end_array (json);
}
