/* tool-compat.c: what parsec-tool prints, and how it reads its command line
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * parsec-glib-tool prints by default what parsec-tool 0.7 prints, so that
 * scripts written for one run with the other. parsec-tool's lists show
 * the names of its Rust types (their Display or Debug forms): the tables
 * here hold those names, by wire value.
 */
#include "config.h"

#include <string.h>

#include "tool.h"

/* The name at @value of a table indexed by wire value, or the number. */
static char *
table_name (const char * const *names,
            gsize               n_names,
            guint               value)
{
  if (value < n_names && names[value] != NULL)
    return g_strdup (names[value]);
  return g_strdup_printf ("%u", value);
}

#define TABLE_NAME(names, value) table_name ((names), G_N_ELEMENTS (names), (value))

char *
tool_compat_provider_name (guint provider)
{
  static const char * const names[] = {
    "Core provider", "Mbed Crypto provider", "PKCS #11 provider", "TPM provider",
    "Trusted Service provider", "CryptoAuthentication Library provider",
  };

  return TABLE_NAME (names, provider);
}

char *
tool_compat_authenticator_name (guint authenticator)
{
  static const char * const names[] = {
    "No authentication", "Direct authentication", "JSON Web Tokens authentication",
    "Unix Peer Credentials authentication", "JWT SPIFFE Verifiable Identity Document authentication",
  };

  return TABLE_NAME (names, authenticator);
}

char *
tool_compat_opcode_name (guint32 opcode)
{
  const char *name = parsec_opcode_get_name (opcode);

  return name != NULL ? g_strdup (name) : g_strdup_printf ("%u", opcode);
}

static char *
hash_name (ParsecHash hash)
{
  static const char * const names[] = {
    [PARSEC_HASH_MD2] = "Md2", [PARSEC_HASH_MD4] = "Md4", [PARSEC_HASH_MD5] = "Md5",
    [PARSEC_HASH_RIPEMD160] = "Ripemd160", [PARSEC_HASH_SHA_1] = "Sha1", [PARSEC_HASH_SHA_224] = "Sha224",
    [PARSEC_HASH_SHA_256] = "Sha256", [PARSEC_HASH_SHA_384] = "Sha384", [PARSEC_HASH_SHA_512] = "Sha512",
    [PARSEC_HASH_SHA_512_224] = "Sha512_224", [PARSEC_HASH_SHA_512_256] = "Sha512_256",
    [PARSEC_HASH_SHA3_224] = "Sha3_224", [PARSEC_HASH_SHA3_256] = "Sha3_256",
    [PARSEC_HASH_SHA3_384] = "Sha3_384", [PARSEC_HASH_SHA3_512] = "Sha3_512",
  };

  return TABLE_NAME (names, hash);
}

/* A signature's hash: one hash, or any in a key policy */
static char *
sign_hash_name (ParsecHash hash)
{
  g_autofree char *name = NULL;

  if (hash == PARSEC_HASH_ANY)
    return g_strdup ("Any");
  name = hash_name (hash);
  return g_strdup_printf ("Specific(%s)", name);
}

/* The variant of a family, followed by "{ hash_alg: … }" if it has a hash. */
static char *
with_hash (const char * const *names,
           gsize               n_names,
           guint               variant,
           char             *(*name_hash) (ParsecHash),
           ParsecHash          hash)
{
  g_autofree char *name = table_name (names, n_names, variant);
  g_autofree char *hash_text = NULL;

  if (hash == PARSEC_HASH_NONE)
    return g_steal_pointer (&name);
  hash_text = name_hash (hash);
  return g_strdup_printf ("%s { hash_alg: %s }", name, hash_text);
}

static char *
full_length_mac (const ParsecAlgorithm *mac)
{
  static const char * const names[] = {
    [PARSEC_MAC_HMAC] = "Hmac", [PARSEC_MAC_CBC_MAC] = "CbcMac", [PARSEC_MAC_CMAC] = "Cmac",
  };

  return with_hash (names, G_N_ELEMENTS (names), parsec_algorithm_get_mac (mac), hash_name,
                    parsec_algorithm_get_hash (mac));
}

static char *
key_derivation (const ParsecAlgorithm *derivation)
{
  static const char * const names[] = {
    [PARSEC_KEY_DERIVATION_HKDF] = "Hkdf", [PARSEC_KEY_DERIVATION_TLS12_PRF] = "Tls12Prf",
    [PARSEC_KEY_DERIVATION_TLS12_PSK_TO_MS] = "Tls12PskToMs",
  };

  return with_hash (names, G_N_ELEMENTS (names), parsec_algorithm_get_key_derivation (derivation), hash_name,
                    parsec_algorithm_get_hash (derivation));
}

/* The inside of "Kind(…)": the algorithm within its family. */
static char *
algorithm_inner (const ParsecAlgorithm *algorithm)
{
  static const char * const signatures[] = {
    [PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15] = "RsaPkcs1v15Sign", [PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW] = "RsaPkcs1v15SignRaw",
    [PARSEC_SIGNATURE_SCHEME_RSA_PSS] = "RsaPss", [PARSEC_SIGNATURE_SCHEME_ECDSA] = "Ecdsa",
    [PARSEC_SIGNATURE_SCHEME_ECDSA_ANY] = "EcdsaAny", [PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA] = "DeterministicEcdsa",
  };
  static const char * const encryptions[] = {
    [PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15] = "RsaPkcs1v15Crypt", [PARSEC_ENCRYPTION_SCHEME_RSA_OAEP] = "RsaOaep",
  };
  static const char * const ciphers[] = {
    [PARSEC_CIPHER_STREAM_CIPHER] = "StreamCipher", [PARSEC_CIPHER_CTR] = "Ctr", [PARSEC_CIPHER_CFB] = "Cfb",
    [PARSEC_CIPHER_OFB] = "Ofb", [PARSEC_CIPHER_XTS] = "Xts", [PARSEC_CIPHER_ECB_NO_PADDING] = "EcbNoPadding",
    [PARSEC_CIPHER_CBC_NO_PADDING] = "CbcNoPadding", [PARSEC_CIPHER_CBC_PKCS7] = "CbcPkcs7",
  };
  static const char * const aeads[] = {
    [PARSEC_AEAD_CCM] = "Ccm", [PARSEC_AEAD_GCM] = "Gcm", [PARSEC_AEAD_CHACHA20_POLY1305] = "Chacha20Poly1305",
  };
  static const char * const agreements[] = {
    [PARSEC_KEY_AGREEMENT_FFDH] = "Ffdh", [PARSEC_KEY_AGREEMENT_ECDH] = "Ecdh",
  };
  ParsecSignatureScheme signature = parsec_algorithm_get_signature_scheme (algorithm);
  ParsecEncryptionScheme encryption = parsec_algorithm_get_encryption_scheme (algorithm);
  guint length = parsec_algorithm_get_length (algorithm);
  g_autofree char *name = NULL;

  switch (parsec_algorithm_get_kind (algorithm))
    {
    case PARSEC_ALGORITHM_KIND_HASH:
      return hash_name (parsec_algorithm_get_hash (algorithm));
    case PARSEC_ALGORITHM_KIND_MAC:
      name = full_length_mac (algorithm);
      if (length == 0)
        return g_strdup_printf ("FullLength(%s)", name);
      return g_strdup_printf ("Truncated { mac_alg: %s, mac_length: %u }", name, length);
    case PARSEC_ALGORITHM_KIND_CIPHER:
      return TABLE_NAME (ciphers, parsec_algorithm_get_cipher (algorithm));
    case PARSEC_ALGORITHM_KIND_AEAD:
      name = TABLE_NAME (aeads, parsec_algorithm_get_aead (algorithm));
      if (length == 0)
        return g_strdup_printf ("AeadWithDefaultLengthTag(%s)", name);
      return g_strdup_printf ("AeadWithShortenedTag { aead_alg: %s, tag_length: %u }", name, length);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      return with_hash (signatures, G_N_ELEMENTS (signatures), signature, sign_hash_name,
                        signature == PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW ||
                        signature == PARSEC_SIGNATURE_SCHEME_ECDSA_ANY
                          ? PARSEC_HASH_NONE : parsec_algorithm_get_hash (algorithm));
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      return with_hash (encryptions, G_N_ELEMENTS (encryptions), encryption, hash_name,
                        encryption == PARSEC_ENCRYPTION_SCHEME_RSA_OAEP ? parsec_algorithm_get_hash (algorithm)
                                                                        : PARSEC_HASH_NONE);
    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
      name = TABLE_NAME (agreements, parsec_algorithm_get_key_agreement (algorithm));
      if (parsec_algorithm_get_inner (algorithm) == NULL)
        return g_strdup_printf ("Raw(%s)", name);
      {
        g_autofree char *derivation = key_derivation (parsec_algorithm_get_inner (algorithm));

        return g_strdup_printf ("WithKeyDerivation { ka_alg: %s, kdf_alg: %s }", name, derivation);
      }
    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
      return key_derivation (algorithm);
    case PARSEC_ALGORITHM_KIND_NONE:
    default:
      return NULL;
    }
}

char *
tool_compat_algorithm (const ParsecAlgorithm *algorithm)
{
  static const char * const kinds[] = {
    [PARSEC_ALGORITHM_KIND_NONE] = "None", [PARSEC_ALGORITHM_KIND_HASH] = "Hash", [PARSEC_ALGORITHM_KIND_MAC] = "Mac",
    [PARSEC_ALGORITHM_KIND_CIPHER] = "Cipher", [PARSEC_ALGORITHM_KIND_AEAD] = "Aead",
    [PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE] = "AsymmetricSignature",
    [PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION] = "AsymmetricEncryption",
    [PARSEC_ALGORITHM_KIND_KEY_AGREEMENT] = "KeyAgreement", [PARSEC_ALGORITHM_KIND_KEY_DERIVATION] = "KeyDerivation",
  };
  g_autofree char *kind = TABLE_NAME (kinds, parsec_algorithm_get_kind (algorithm));
  g_autofree char *inner = algorithm_inner (algorithm);

  if (inner == NULL)
    return g_steal_pointer (&kind);
  return g_strdup_printf ("%s(%s)", kind, inner);
}

char *
tool_compat_key_type (ParsecKeyAttributes *attributes)
{
  static const char * const types[] = {
    [PARSEC_KEY_TYPE_RAW_DATA] = "RawData", [PARSEC_KEY_TYPE_HMAC] = "Hmac", [PARSEC_KEY_TYPE_DERIVE] = "Derive",
    [PARSEC_KEY_TYPE_AES] = "Aes", [PARSEC_KEY_TYPE_DES] = "Des", [PARSEC_KEY_TYPE_CAMELLIA] = "Camellia",
    [PARSEC_KEY_TYPE_ARC4] = "Arc4", [PARSEC_KEY_TYPE_CHACHA20] = "Chacha20",
    [PARSEC_KEY_TYPE_RSA_PUBLIC_KEY] = "RsaPublicKey", [PARSEC_KEY_TYPE_RSA_KEY_PAIR] = "RsaKeyPair",
    [PARSEC_KEY_TYPE_ECC_KEY_PAIR] = "EccKeyPair", [PARSEC_KEY_TYPE_ECC_PUBLIC_KEY] = "EccPublicKey",
    [PARSEC_KEY_TYPE_DH_KEY_PAIR] = "DhKeyPair", [PARSEC_KEY_TYPE_DH_PUBLIC_KEY] = "DhPublicKey",
  };
  static const char * const curve_families[] = {
    [PARSEC_ECC_FAMILY_SECP_K1] = "SecpK1", [PARSEC_ECC_FAMILY_SECP_R1] = "SecpR1",
    [PARSEC_ECC_FAMILY_SECP_R2] = "SecpR2", [PARSEC_ECC_FAMILY_SECT_K1] = "SectK1",
    [PARSEC_ECC_FAMILY_SECT_R1] = "SectR1", [PARSEC_ECC_FAMILY_SECT_R2] = "SectR2",
    [PARSEC_ECC_FAMILY_BRAINPOOL_P_R1] = "BrainpoolPR1", [PARSEC_ECC_FAMILY_FRP] = "Frp",
    [PARSEC_ECC_FAMILY_MONTGOMERY] = "Montgomery",
  };
  static const char * const group_families[] = {
    [PARSEC_DH_FAMILY_RFC7919] = "Rfc7919",
  };
  ParsecKeyType type = parsec_key_attributes_get_key_type (attributes);
  g_autofree char *name = TABLE_NAME (types, type);
  g_autofree char *family = NULL;

  switch (type)
    {
    case PARSEC_KEY_TYPE_ECC_KEY_PAIR:
    case PARSEC_KEY_TYPE_ECC_PUBLIC_KEY:
      family = TABLE_NAME (curve_families, parsec_key_attributes_get_ecc_family (attributes));
      return g_strdup_printf ("%s { curve_family: %s }", name, family);
    case PARSEC_KEY_TYPE_DH_KEY_PAIR:
    case PARSEC_KEY_TYPE_DH_PUBLIC_KEY:
      family = TABLE_NAME (group_families, parsec_key_attributes_get_dh_family (attributes));
      return g_strdup_printf ("%s { group_family: %s }", name, family);
    default:
      return g_steal_pointer (&name);
    }
}

/* Output lines */

/* generate-random's line: each byte as two uppercase hexadecimal digits
 * and a space, then a newline. */
GBytes *
tool_compat_hex_line (GBytes *data)
{
  static const char digits[] = "0123456789ABCDEF";
  gsize len;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  guint8 *out = secure_alloc (len * 3 + 1);

  for (gsize i = 0; i < len; i++)
    {
      out[3 * i] = digits[bytes[i] >> 4];
      out[3 * i + 1] = digits[bytes[i] & 0xf];
      out[3 * i + 2] = ' ';
    }
  out[len * 3] = '\n';
  return secure_bytes_take (out, len * 3 + 1);
}

static gboolean
in_range (const guint8 *bytes,
          gsize         len,
          gsize         i,
          guint8        low,
          guint8        high)
{
  return i < len && bytes[i] >= low && bytes[i] <= high;
}

/* How many bytes from @i form one character (*valid) or the longest start
 * of one that could still have been valid: Unicode's "maximal subpart",
 * which Rust's String::from_utf8_lossy replaces with one U+FFFD. */
static gsize
utf8_sequence (const guint8 *bytes,
               gsize         len,
               gsize         i,
               gboolean     *valid)
{
  guint8 first = bytes[i];
  guint8 low = 0x80, high = 0xbf;
  gsize width;

  *valid = FALSE;
  if (first < 0x80)
    width = 1;
  else if (first >= 0xc2 && first <= 0xdf)
    width = 2;
  else if (first >= 0xe0 && first <= 0xef)
    width = 3;
  else if (first >= 0xf0 && first <= 0xf4)
    width = 4;
  else
    return 1;

  /* Overlong forms, surrogates and values past U+10FFFF are excluded by
   * the range of the second byte. */
  if (first == 0xe0)
    low = 0xa0;
  else if (first == 0xed)
    high = 0x9f;
  else if (first == 0xf0)
    low = 0x90;
  else if (first == 0xf4)
    high = 0x8f;

  for (gsize n = 1; n < width; n++)
    {
      if (!in_range (bytes, len, i + n, n == 1 ? low : 0x80, n == 1 ? high : 0xbf))
        return n;
    }
  *valid = TRUE;
  return width;
}

/* decrypt's line: the plaintext as UTF-8, each invalid sequence replaced
 * with U+FFFD as Rust does it, then a newline, as parsec-tool prints it;
 * a plaintext that ends with a newline (a line of a file, or echo's) gets
 * no second one, so that what was encrypted comes back as it was. */
GBytes *
tool_compat_text_line (GBytes *data)
{
  static const guint8 replacement[] = { 0xef, 0xbf, 0xbd };
  gsize len, out_len = 0;
  const guint8 *bytes = g_bytes_get_data (data, &len);
  /* A replaced byte grows to three at most. */
  guint8 *out = secure_alloc (len * 3 + 1);

  for (gsize i = 0; i < len;)
    {
      gboolean valid;
      gsize n = utf8_sequence (bytes, len, i, &valid);

      if (valid)
        {
          memcpy (out + out_len, bytes + i, n);
          out_len += n;
        }
      else
        {
          memcpy (out + out_len, replacement, sizeof replacement);
          out_len += sizeof replacement;
        }
      i += n;
    }
  if (out_len == 0 || out[out_len - 1] != '\n')
    out[out_len++] = '\n';
  return secure_bytes_take (out, out_len);
}

/* Command lines */

static gboolean
takes_value (GPtrArray  *value_longs,
             const char *arg)
{
  for (guint i = 0; i < value_longs->len; i++)
    if (g_str_equal (g_ptr_array_index (value_longs, i), arg))
      return TRUE;
  return FALSE;
}

/* Reads short options as parsec-tool's parser does, where GOption would
 * not: "-kNAME" and "-k=NAME" as "-k NAME" (also at the end of a cluster
 * of flags, "-sb1024"). @value_shorts and @value_longs ("--name") are the
 * options that take a value, whose value is left alone; so is what
 * follows "--", and with @stop_at_command what follows the first
 * argument that is no option. */
char **
tool_compat_normalize_args (char       **args,
                            const char  *value_shorts,
                            GPtrArray   *value_longs,
                            gboolean     stop_at_command)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean options = TRUE;

  if (args[0] == NULL)
    return g_strv_builder_end (builder);
  g_strv_builder_add (builder, args[0]);
  for (guint i = 1; args[i] != NULL; i++)
    {
      const char *arg = args[i];
      gsize j;

      if (!options || arg[0] != '-' || arg[1] == '\0' || g_str_equal (arg, "--"))
        {
          g_strv_builder_add (builder, arg);
          if (g_str_equal (arg, "--") || (arg[0] != '-' && stop_at_command))
            options = FALSE;
          continue;
        }
      if (arg[1] == '-')
        {
          g_strv_builder_add (builder, arg);
          if (strchr (arg, '=') == NULL && takes_value (value_longs, arg) && args[i + 1] != NULL)
            g_strv_builder_add (builder, args[++i]);
          continue;
        }

      /* A cluster of short options: the first that takes a value takes
       * the rest of the cluster, or else the next argument. */
      for (j = 1; arg[j] != '\0' && strchr (value_shorts, arg[j]) == NULL; j++)
        ;
      if (arg[j] == '\0' || arg[j + 1] == '\0')
        {
          g_strv_builder_add (builder, arg);
          if (arg[j] != '\0' && args[i + 1] != NULL)
            g_strv_builder_add (builder, args[++i]);
          continue;
        }
      {
        g_autofree char *cluster = g_strndup (arg, j + 1);

        g_strv_builder_add (builder, cluster);
        g_strv_builder_add (builder, arg + j + 1 + (arg[j + 1] == '=' ? 1 : 0));
      }
    }
  return g_strv_builder_end (builder);
}

/* parsec-tool's options with several values take all the arguments that
 * follow up to the next option ("--san a b"); GOption takes one value per
 * option, so the option is repeated before each ("--san a --san b"). */
char **
tool_compat_expand_values (char       **args,
                           const char  *option)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean taking = FALSE;

  for (guint i = 0; args[i] != NULL; i++)
    {
      const char *arg = args[i];

      if (g_str_equal (arg, "--"))
        {
          for (; args[i] != NULL; i++)
            g_strv_builder_add (builder, args[i]);
          break;
        }
      if (g_str_equal (arg, option) && args[i + 1] != NULL)
        {
          g_strv_builder_add (builder, arg);
          g_strv_builder_add (builder, args[++i]);
          taking = TRUE;
          continue;
        }
      if (taking && arg[0] != '-')
        g_strv_builder_add (builder, option);
      else
        taking = FALSE;
      g_strv_builder_add (builder, arg);
    }
  return g_strv_builder_end (builder);
}
