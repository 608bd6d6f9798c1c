/* tool-x509.c: what create-csr and create-certificate write alike
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The subject's name and alternative names from the options, the
 * signature algorithm of the key's policy and the signature itself, in
 * DER (RFC 5280, RFC 2986).
 */
#include "config.h"

#include <string.h>

#include "tool.h"

#define OID_RSASSA_PSS        "1.2.840.113549.1.1.10"
#define OID_MGF1              "1.2.840.113549.1.1.8"
#define OID_SUBJECT_ALT_NAME  "2.5.29.17"

/* The subject's attributes, each given as values (usually one) of an
 * option; the table fixes the order they are written in, which is
 * parsec-tool's. X.509 wants PrintableString for the country and the
 * serial number (RFC 5280), written when the value fits one. */
typedef struct {
  const char *long_name;
  const char *description;
  const char *oid;
  gboolean printable;
} NamePart;

#define NAME_PART_CN 0

static const NamePart name_parts[] = {
  [NAME_PART_CN] = { "cn", "Common name", "2.5.4.3", FALSE },
  { "ou", "Organizational unit (repeatable)", "2.5.4.11", FALSE },
  { "o", "Organization", "2.5.4.10", FALSE },
  { "l", "Locality", "2.5.4.7", FALSE },
  { "st", "State or province", "2.5.4.8", FALSE },
  { "c", "Country (two letters)", "2.5.4.6", TRUE },
  { "serialNumber", "Serial number of the subject (not of a certificate)", "2.5.4.5", TRUE },
};

#define N_NAME_PARTS G_N_ELEMENTS (name_parts)
G_STATIC_ASSERT (N_NAME_PARTS == TOOL_X509_NAME_PARTS);

static gboolean
is_printable_string (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (" '()+,-./:=?", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName, each a SET of one
 * AttributeTypeAndValue. */
static GBytes *
build_name (const ToolX509Subject  *subject,
            GError                **error)
{
  char ** const *values = subject->values;
  GBytes *rdns = g_bytes_new (NULL, 0);

  for (gsize i = 0; i < N_NAME_PARTS; i++)
    for (guint j = 0; values[i] != NULL && values[i][j] != NULL; j++)
      {
        const char *value = values[i][j];
        /* parsec-tool takes any value, so the others are UTF8Strings. */
        gboolean printable = name_parts[i].printable && is_printable_string (value) &&
                             (!g_str_equal (name_parts[i].long_name, "c") || strlen (value) == 2);

        if (!g_utf8_validate (value, -1, NULL))
          {
            g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--%s: the value is not UTF-8",
                         name_parts[i].long_name);
            g_bytes_unref (rdns);
            return NULL;
          }
        rdns = der_cat (rdns,
                        der_tlv (DER_SET,
                                 der_seq (der_oid (name_parts[i].oid),
                                          der_string (printable ? DER_PRINTABLE : DER_UTF8_STRING, value),
                                          NULL)),
                        NULL);
      }
  return der_tlv (DER_SEQUENCE, rdns);
}

/* GeneralName of "DNS:name", "IP:address", "email:address", "URI:uri";
 * a bare value is a DNS name. */
static GBytes *
build_general_name (const char  *entry,
                    GError     **error)
{
  const char *colon = strchr (entry, ':');
  g_autofree char *kind = colon != NULL ? g_ascii_strdown (entry, colon - entry) : g_strdup ("dns");
  const char *value = colon != NULL ? colon + 1 : entry;

  if (g_str_equal (kind, "dns"))
    return der_tlv (0x82, g_bytes_new (value, strlen (value)));
  if (g_str_equal (kind, "email"))
    return der_tlv (0x81, g_bytes_new (value, strlen (value)));
  if (g_str_equal (kind, "uri"))
    return der_tlv (0x86, g_bytes_new (value, strlen (value)));
  if (g_str_equal (kind, "ip"))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (value);

      if (address == NULL)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--san “%s”: not an IP address", entry);
          return NULL;
        }
      return der_tlv (0x87, g_bytes_new (g_inet_address_to_bytes (address),
                                         g_inet_address_get_native_size (address)));
    }
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--san “%s”: use DNS:, IP:, email: or URI:", entry);
  return NULL;
}

/* The extensions a subject asks for, as Extension elements one after the
 * other: its alternative names, if any. */
static GBytes *
build_extensions (const ToolX509Subject  *subject,
                  GError                **error)
{
  GBytes *names;

  if (subject->alt_names == NULL)
    return g_bytes_new (NULL, 0);
  names = g_bytes_new (NULL, 0);
  for (guint i = 0; subject->alt_names[i] != NULL; i++)
    {
      GBytes *name = build_general_name (subject->alt_names[i], error);

      if (name == NULL)
        {
          g_bytes_unref (names);
          return NULL;
        }
      names = der_cat (names, name, NULL);
    }
  return der_seq (der_oid (OID_SUBJECT_ALT_NAME),
                  der_tlv (DER_OCTET_STRING, der_tlv (DER_SEQUENCE, names)),
                  NULL);
}

/* The AlgorithmIdentifier of the signature the key's policy makes. */
static GBytes *
build_signature_algorithm (const char             *key_name,
                           const ParsecAlgorithm  *signature,
                           ParsecHash              hash_id,
                           GError                **error)
{
  const ToolHash *hash = tool_hash_find (hash_id);

  if (hash == NULL || hash->oid == NULL)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                   "the hash of key “%s”'s policy has no signature algorithm for certificate requests", key_name);
      return NULL;
    }
  switch (parsec_algorithm_get_signature_scheme (signature))
    {
    case PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15:
      return der_seq (der_oid (hash->rsa_oid), der_null (), NULL);
    case PARSEC_SIGNATURE_SCHEME_ECDSA:
    case PARSEC_SIGNATURE_SCHEME_ECDSA_ANY:
    case PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA:
      return der_seq (der_oid (hash->ecdsa_oid), NULL);
    case PARSEC_SIGNATURE_SCHEME_RSA_PSS:
      /* RFC 4055 parameters: MGF1 with the same hash, and a salt as long
       * as the hash, which is what PSA signs with. */
      return der_seq (der_oid (OID_RSASSA_PSS),
                      der_seq (der_tlv (0xa0, der_seq (der_oid (hash->oid), NULL)),
                               der_tlv (0xa1, der_seq (der_oid (OID_MGF1),
                                                       der_seq (der_oid (hash->oid), NULL),
                                                       NULL)),
                               der_tlv (0xa2, der_small_uint (hash->digest_len)),
                               NULL),
                      NULL);
    case PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW:
    default:
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                   "the policy of key “%s” has no signature algorithm for certificate requests", key_name);
      return NULL;
    }
}

void
tool_x509_add_subject_options (Tool            *tool,
                               GOptionContext  *context,
                               ToolX509Subject *subject)
{
  GOptionEntry entries[N_NAME_PARTS + 3] = {
    { "san", 0, 0, G_OPTION_ARG_STRING_ARRAY, &subject->alt_names,
      "Subject alternative names, one or more after each --san: a DNS name (as parsec-tool takes them), or "
      "DNS:name, IP:address, email:address or URI:uri", "NAME…" },
  };

  /* The name options come from the table; --serial-number is another
   * spelling of parsec-tool's --serialNumber. */
  for (gsize i = 0; i < N_NAME_PARTS; i++)
    entries[1 + i] = (GOptionEntry) { name_parts[i].long_name, 0, 0, G_OPTION_ARG_STRING_ARRAY, &subject->values[i],
                                      name_parts[i].description, "VALUE" };
  entries[1 + N_NAME_PARTS] = (GOptionEntry) { "serial-number", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING_ARRAY,
                                               &subject->values[N_NAME_PARTS - 1], NULL, "VALUE" };
  tool_add_entries (tool, context, entries);
  /* Several names may follow one --san, as in parsec-tool. */
  tool->multi_value_long = "--san";
}

/* @common_name as the subject's name, unless the options name it. */
void
tool_x509_subject_default_name (ToolX509Subject *subject,
                                const char      *common_name)
{
  const char * const values[] = { common_name, NULL };

  for (gsize i = 0; i < N_NAME_PARTS; i++)
    if (subject->values[i] != NULL && subject->values[i][0] != NULL)
      return;
  g_strfreev (subject->values[NAME_PART_CN]);
  subject->values[NAME_PART_CN] = g_strdupv ((char **) values);
}

void
tool_x509_subject_clear (ToolX509Subject *subject)
{
  for (gsize i = 0; i < N_NAME_PARTS; i++)
    g_clear_pointer (&subject->values[i], g_strfreev);
  g_clear_pointer (&subject->alt_names, g_strfreev);
}

gboolean
tool_x509_prepare (Tool                  *tool,
                   const char            *key_name,
                   const ToolX509Subject *subject,
                   ToolX509Parts         *parts,
                   GError               **error)
{
  ParsecKeyAttributes *attributes;
  ParsecClient *client;

  /* One key lookup: its attributes give the signature algorithm and the
   * public key's encoding, and the signature is made on a digest
   * computed here. */
  if ((parts->name = build_name (subject, error)) == NULL ||
      (parts->extensions = build_extensions (subject, error)) == NULL ||
      (client = tool_get_client (tool, error)) == NULL ||
      (parts->key = parsec_client_lookup_key (client, key_name, NULL, error)) == NULL)
    return FALSE;
  attributes = parsec_key_get_attributes (parts->key);
  return tool_signature_plan (key_name, attributes, &parts->signature, &parts->hash, error) &&
         (parts->algorithm = build_signature_algorithm (key_name, parts->signature, parts->hash, error)) != NULL &&
         (parts->public_key = parsec_key_export_public_key (parts->key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL,
                                                            error)) != NULL;
}

void
tool_x509_parts_clear (ToolX509Parts *parts)
{
  g_clear_object (&parts->key);
  g_clear_pointer (&parts->signature, parsec_algorithm_unref);
  g_clear_pointer (&parts->name, g_bytes_unref);
  g_clear_pointer (&parts->extensions, g_bytes_unref);
  g_clear_pointer (&parts->algorithm, g_bytes_unref);
  g_clear_pointer (&parts->public_key, g_bytes_unref);
}

/* @tbs signed by the key, with the algorithm of its policy: the
 * SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING } that a
 * certificate (RFC 5280) and a certificate request (RFC 2986) both are. */
GBytes *
tool_x509_sign (const ToolX509Parts  *parts,
                GBytes               *tbs,
                GError              **error)
{
  g_autoptr(GBytes) signature = NULL;
  GBytes *der = NULL;

  signature = tool_sign (parts->key, parts->signature, parts->hash, tbs, NULL, &der, error);
  if (signature == NULL)
    return NULL;
  return der_seq (g_bytes_ref (tbs), g_bytes_ref (parts->algorithm), der_bit_string (der), NULL);
}
