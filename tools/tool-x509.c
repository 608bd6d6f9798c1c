/* tool-x509.c: the subject options of create-csr and create-certificate
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The options give the subject's name and alternative names as
 * parsec-tool takes them; the library writes the request or certificate
 * (ParsecCertificateOptions, parsec_key_create_certificate_request(),
 * parsec_key_create_self_signed_certificate()).
 */
#include "config.h"

#include <string.h>

#include "tool.h"

/* The subject's attributes, each given as values (usually one) of an
 * option; the table fixes the order they are written in, which is
 * parsec-tool's. */
typedef struct {
  const char *long_name;
  const char *description;
  const char *attribute;        /* as ParsecCertificateOptions names it */
} NamePart;

static const NamePart name_parts[] = {
  { "cn", "Common name", "CN" },
  { "ou", "Organizational unit (repeatable)", "OU" },
  { "o", "Organization", "O" },
  { "l", "Locality", "L" },
  { "st", "State or province", "ST" },
  { "c", "Country (two letters)", "C" },
  { "serialNumber", "Serial number of the subject (not of a certificate)", "serialNumber" },
};

#define N_NAME_PARTS G_N_ELEMENTS (name_parts)
G_STATIC_ASSERT (N_NAME_PARTS == TOOL_X509_NAME_PARTS);

/* "DNS:name", "IP:address", "email:address", "URI:uri"; a bare value is
 * a DNS name. */
static gboolean
add_alt_name (ParsecCertificateOptions  *options,
              const char                *entry,
              GError                   **error)
{
  const char *colon = strchr (entry, ':');
  g_autofree char *kind = colon != NULL ? g_ascii_strdown (entry, colon - entry) : g_strdup ("dns");
  const char *value = colon != NULL ? colon + 1 : entry;

  if (g_str_equal (kind, "dns"))
    parsec_certificate_options_add_dns_name (options, value);
  else if (g_str_equal (kind, "email"))
    parsec_certificate_options_add_email_address (options, value);
  else if (g_str_equal (kind, "uri"))
    parsec_certificate_options_add_uri (options, value);
  else if (g_str_equal (kind, "ip"))
    {
      g_autoptr(GInetAddress) address = g_inet_address_new_from_string (value);

      if (address == NULL)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--san “%s”: not an IP address", entry);
          return FALSE;
        }
      parsec_certificate_options_add_ip_address (options, address);
    }
  else
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--san “%s”: use DNS:, IP:, email: or URI:", entry);
      return FALSE;
    }
  return TRUE;
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

void
tool_x509_subject_clear (ToolX509Subject *subject)
{
  for (gsize i = 0; i < N_NAME_PARTS; i++)
    g_clear_pointer (&subject->values[i], g_strfreev);
  g_clear_pointer (&subject->alt_names, g_strfreev);
}

ParsecCertificateOptions *
tool_x509_options (const ToolX509Subject  *subject,
                   GError                **error)
{
  g_autoptr(ParsecCertificateOptions) options = parsec_certificate_options_new ();

  for (gsize i = 0; i < N_NAME_PARTS; i++)
    for (guint j = 0; subject->values[i] != NULL && subject->values[i][j] != NULL; j++)
      if (!parsec_certificate_options_add_subject_attribute (options, name_parts[i].attribute,
                                                             subject->values[i][j], error))
        {
          g_prefix_error (error, "--%s: ", name_parts[i].long_name);
          return NULL;
        }
  for (guint i = 0; subject->alt_names != NULL && subject->alt_names[i] != NULL; i++)
    if (!add_alt_name (options, subject->alt_names[i], error))
      return NULL;
  return g_steal_pointer (&options);
}

/* The key that signs the request or certificate, looked up (one request)
 * for its policy, which must let it sign data. */
ParsecKey *
tool_x509_lookup_key (Tool        *tool,
                      const char  *key_name,
                      GError     **error)
{
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  ParsecClient *client;
  ParsecHash hash;

  if ((client = tool_get_client (tool, error)) == NULL ||
      (key = parsec_client_lookup_key (client, key_name, NULL, error)) == NULL ||
      !tool_signature_plan (key_name, parsec_key_get_attributes (key), &algorithm, &hash, error))
    return NULL;
  return g_steal_pointer (&key);
}
