/* tool-cmd-csr.c: PKCS #10 certificate signing requests
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The request is written in DER here (RFC 2986): the subject from the
 * options, the SubjectPublicKeyInfo as the library exports it, and the
 * signature the service makes with the key's own policy, which also
 * decides the signature algorithm named in the request.
 */
#include "config.h"

#include <string.h>

#include "tool.h"

#define OID_RSASSA_PSS        "1.2.840.113549.1.1.10"
#define OID_MGF1              "1.2.840.113549.1.1.8"
#define OID_EXTENSION_REQUEST "1.2.840.113549.1.9.14"
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

static const NamePart name_parts[] = {
  { "cn", "Common name", "2.5.4.3", FALSE },
  { "ou", "Organizational unit (repeatable)", "2.5.4.11", FALSE },
  { "o", "Organization", "2.5.4.10", FALSE },
  { "l", "Locality", "2.5.4.7", FALSE },
  { "st", "State or province", "2.5.4.8", FALSE },
  { "c", "Country (two letters)", "2.5.4.6", TRUE },
  { "serialNumber", "Serial number of the subject (not of a certificate)", "2.5.4.5", TRUE },
};

#define N_NAME_PARTS G_N_ELEMENTS (name_parts)

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
build_name (char   **values[N_NAME_PARTS],
            GError **error)
{
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
        rdns = tool_der_cat (rdns,
                             tool_der_tlv (TOOL_DER_SET,
                                           tool_der_seq (tool_der_oid (name_parts[i].oid),
                                                         tool_der_string (printable ? TOOL_DER_PRINTABLE
                                                                                    : TOOL_DER_UTF8_STRING,
                                                                          value),
                                                         NULL)),
                             NULL);
      }
  return tool_der_tlv (TOOL_DER_SEQUENCE, rdns);
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
    return tool_der_tlv (0x82, g_bytes_new (value, strlen (value)));
  if (g_str_equal (kind, "email"))
    return tool_der_tlv (0x81, g_bytes_new (value, strlen (value)));
  if (g_str_equal (kind, "uri"))
    return tool_der_tlv (0x86, g_bytes_new (value, strlen (value)));
  if (g_str_equal (kind, "ip"))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (value);

      if (address == NULL)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--san “%s”: not an IP address", entry);
          return NULL;
        }
      return tool_der_tlv (0x87, g_bytes_new (g_inet_address_to_bytes (address),
                                              g_inet_address_get_native_size (address)));
    }
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--san “%s”: use DNS:, IP:, email: or URI:", entry);
  return NULL;
}

/* attributes [0] IMPLICIT SET OF Attribute: an extension request with
 * the subject alternative names, if any. */
static GBytes *
build_attributes (char    **alt_names,
                  GError  **error)
{
  GBytes *names = g_bytes_new (NULL, 0);

  if (alt_names == NULL)
    return tool_der_tlv (0xa0, names);
  for (guint i = 0; alt_names[i] != NULL; i++)
    {
      GBytes *name = build_general_name (alt_names[i], error);

      if (name == NULL)
        {
          g_bytes_unref (names);
          return NULL;
        }
      names = tool_der_cat (names, name, NULL);
    }
  return tool_der_tlv (0xa0,
                       tool_der_seq (tool_der_oid (OID_EXTENSION_REQUEST),
                                     tool_der_tlv (TOOL_DER_SET,
                                                   tool_der_seq (tool_der_seq (tool_der_oid (OID_SUBJECT_ALT_NAME),
                                                                               tool_der_tlv (TOOL_DER_OCTET_STRING,
                                                                                             tool_der_tlv (TOOL_DER_SEQUENCE, names)),
                                                                               NULL),
                                                                 NULL)),
                                     NULL));
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
  switch (parsec_algorithm_get_variant (signature))
    {
    case PARSEC_SIGNATURE_RSA_PKCS1V15:
      return tool_der_seq (tool_der_oid (hash->rsa_oid), tool_der_null (), NULL);
    case PARSEC_SIGNATURE_ECDSA:
    case PARSEC_SIGNATURE_ECDSA_ANY:
    case PARSEC_SIGNATURE_DETERMINISTIC_ECDSA:
      return tool_der_seq (tool_der_oid (hash->ecdsa_oid), NULL);
    case PARSEC_SIGNATURE_RSA_PSS:
      /* RFC 4055 parameters: MGF1 with the same hash, and a salt as long
       * as the hash, which is what PSA signs with. */
      return tool_der_seq (tool_der_oid (OID_RSASSA_PSS),
                           tool_der_seq (tool_der_tlv (0xa0, tool_der_seq (tool_der_oid (hash->oid), NULL)),
                                         tool_der_tlv (0xa1, tool_der_seq (tool_der_oid (OID_MGF1),
                                                                           tool_der_seq (tool_der_oid (hash->oid), NULL),
                                                                           NULL)),
                                         tool_der_tlv (0xa2, tool_der_small_uint (hash->digest_len)),
                                         NULL),
                           NULL);
    case PARSEC_SIGNATURE_RSA_PKCS1V15_RAW:
    default:
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                   "the policy of key “%s” has no signature algorithm for certificate requests", key_name);
      return NULL;
    }
}

/* The request as parsec-tool prints it: PEM with CRLF line ends (as its
 * CSR library writes them), and the newline of its println. */
static GBytes *
csr_text (GBytes *request)
{
  g_autoptr(GBytes) pem = tool_pem_encode ("CERTIFICATE REQUEST", request, "\r\n");

  return tool_der_cat (g_steal_pointer (&pem), g_bytes_new ("\n", 1), NULL);
}

gboolean
tool_cmd_create_csr (Tool    *tool,
                     char   **args,
                     GError **error)
{
  g_autofree char *key_name = NULL;
  char **values[N_NAME_PARTS] = { NULL };
  g_auto(GStrv) alt_names = NULL;
  GOptionEntry entries[N_NAME_PARTS + 4] = {
    { "key-name", 'k', 0, G_OPTION_ARG_STRING, &key_name, "Name of the signing key (required)", "NAME" },
    { "san", 0, 0, G_OPTION_ARG_STRING_ARRAY, &alt_names,
      "Subject alternative names, one or more after each --san: a DNS name (as parsec-tool takes them), or "
      "DNS:name, IP:address, email:address or URI:uri", "NAME…" },
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "The request is signed with the key's policy: ecdsa-with-SHA256/384/512, "
                                  "sha256/384/512WithRSAEncryption or RSASSA-PSS (SHA-256 where the policy allows any "
                                  "hash). The default output, text, is the PEM request as parsec-tool prints it "
                                  "(CRLF line ends, then an empty line); pem has plain line ends. Check it with "
                                  "“openssl req -verify -noout -in FILE”.");
  g_auto(GStrv) expanded = tool_compat_expand_values (args, "--san");
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  g_autoptr(ParsecAlgorithm) signature_algorithm = NULL;
  g_autoptr(GBytes) psa_public_key = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GBytes) info = NULL;
  g_autoptr(GBytes) digest = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) signature_der = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  GBytes *name = NULL, *algorithm = NULL, *request_attributes = NULL;
  char **parse_args = expanded;
  ParsecHash hash;
  ParsecClient *client;
  gboolean ok = FALSE;
  ToolData data = { .pem_label = "CERTIFICATE REQUEST", .json_name = "csr" };

  /* The name options come from the table; --serial-number is another
   * spelling of parsec-tool's --serialNumber. */
  for (gsize i = 0; i < N_NAME_PARTS; i++)
    entries[2 + i] = (GOptionEntry) { name_parts[i].long_name, 0, 0, G_OPTION_ARG_STRING_ARRAY, &values[i],
                                      name_parts[i].description, "VALUE" };
  entries[2 + N_NAME_PARTS] = (GOptionEntry) { "serial-number", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING_ARRAY,
                                               &values[N_NAME_PARTS - 1], NULL, "VALUE" };
  tool_add_entries (tool, context, entries);
  tool_add_output_options (tool, context,
                           TOOL_FORMAT_PEM | TOOL_FORMAT_DER | TOOL_FORMAT_BASE64 | TOOL_FORMAT_HEX | TOOL_FORMAT_TEXT,
                           TOOL_FORMAT_TEXT, TOOL_FORMAT_PEM);

  if (!tool_parse (tool, context, &parse_args, error) ||
      !tool_require (key_name, "--key-name", error) ||
      (name = build_name (values, error)) == NULL ||
      (request_attributes = build_attributes (alt_names, error)) == NULL ||
      (client = tool_get_client (tool, error)) == NULL ||
      (attributes = parsec_client_get_key_attributes (client, key_name, NULL, error)) == NULL ||
      !tool_signature_plan (key_name, attributes, &signature_algorithm, &hash, error) ||
      (algorithm = build_signature_algorithm (key_name, signature_algorithm, hash, error)) == NULL ||
      (psa_public_key = parsec_client_export_public_key (client, key_name, PARSEC_PUBLIC_KEY_FORMAT_PSA,
                                                         NULL, error)) == NULL ||
      (public_key = parsec_public_key_convert (attributes, psa_public_key, PARSEC_PUBLIC_KEY_FORMAT_DER,
                                               error)) == NULL)
    goto out;

  /* CertificationRequestInfo ::= SEQUENCE { version 0, subject,
   * subjectPKInfo, attributes } */
  info = tool_der_seq (tool_der_small_uint (0), g_steal_pointer (&name), g_bytes_ref (public_key),
                       g_steal_pointer (&request_attributes), NULL);
  digest = tool_digest (client, hash, info, error);
  if (digest == NULL)
    goto out;
  signature = parsec_client_sign_hash (client, key_name, signature_algorithm, digest, NULL, error);
  if (signature == NULL)
    goto out;
  if (tool_is_ecdsa (signature_algorithm))
    signature_der = parsec_ecdsa_signature_to_der (signature, error);
  else
    signature_der = g_bytes_ref (signature);
  if (signature_der == NULL)
    goto out;

  request = tool_der_seq (g_bytes_ref (info), g_steal_pointer (&algorithm),
                          tool_der_bit_string (g_steal_pointer (&signature_der)), NULL);
  data.der = request;
  text = csr_text (request);
  data.text = text;
  tool_json_begin_object (json);
  tool_json_key (json, "key_name");
  tool_json_string (json, key_name);
  ok = tool_emit (tool, &data, json, error);

out:
  g_clear_pointer (&name, g_bytes_unref);
  g_clear_pointer (&algorithm, g_bytes_unref);
  g_clear_pointer (&request_attributes, g_bytes_unref);
  for (gsize i = 0; i < N_NAME_PARTS; i++)
    g_strfreev (values[i]);
  return ok;
}
