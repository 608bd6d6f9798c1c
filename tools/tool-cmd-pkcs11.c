/* tool-cmd-pkcs11.c: what a user needs around the PKCS #11 module
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * pkcs11-uri prints the URI other programs find a key at through the
 * parsec-glib PKCS #11 module; create-certificate has the library make the
 * self-signed X.509 certificate that TLS clients and servers pair with it.
 */
#include "config.h"

#include <string.h>

#include "tool.h"

gboolean
tool_cmd_pkcs11_uri (Tool    *tool,
                     char   **args,
                     GError **error)
{
  g_autofree char *key_name = NULL;
  GOptionEntry entries[] = {
    { "key-name", 'k', 0, G_OPTION_ARG_STRING, &key_name, "Name of the key (the token's URI without it)", "NAME" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "The URI names the token of the endpoint and application name in use, as the "
                                  "parsec-glib PKCS #11 module shows them; the module must serve that name "
                                  "(PARSEC_PKCS11_APPLICATION_NAME).");
  g_autofree char *uri = NULL;
  ParsecClient *client;

  tool_add_entries (tool, context, entries);
  if (!tool_parse (tool, context, &args, error) ||
      (client = tool_get_client (tool, error)) == NULL)
    return FALSE;
  uri = parsec_client_get_pkcs11_uri (client, key_name);
  if (tool->json)
    {
      g_autoptr(ToolJson) json = tool_json_new ();

      tool_json_begin_object (json);
      tool_json_key (json, "uri");
      tool_json_string (json, uri);
      tool_json_end_object (json);
      return tool_json_write (tool, json, FALSE, error);
    }
  return tool_print (tool, error, "%s\n", uri);
}

gboolean
tool_cmd_create_certificate (Tool    *tool,
                             char   **args,
                             GError **error)
{
  g_autofree char *key_name = NULL;
  g_auto(ToolX509Subject) subject = { { NULL } };
  int days = 365;
  GOptionEntry entries[] = {
    { "key-name", 'k', 0, G_OPTION_ARG_STRING, &key_name, "Name of the certificate's key, which signs it (required)",
      "NAME" },
    { "days", 0, 0, G_OPTION_ARG_INT, &days, "Days the certificate is valid from now (default 365)", "DAYS" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "A self-signed X.509 v3 certificate for the key, signed with its policy as "
                                  "create-csr signs; its subject is the key's name (--cn) unless options give "
                                  "one. Check it with “openssl verify -CAfile FILE FILE”.");
  g_autoptr(ParsecCertificateOptions) options = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) certificate = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  ToolData data = { .pem_label = "CERTIFICATE", .json_name = "certificate" };

  tool_add_entries (tool, context, entries);
  tool_x509_add_subject_options (tool, context, &subject);
  tool_add_output_options (tool, context, TOOL_FORMAT_PEM | TOOL_FORMAT_DER | TOOL_FORMAT_BASE64 | TOOL_FORMAT_HEX,
                           TOOL_FORMAT_PEM, TOOL_FORMAT_PEM);
  if (!tool_parse (tool, context, &args, error) || !tool_require (key_name, "--key-name", error))
    return FALSE;
  if (days <= 0 || days > 100 * 366)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--days wants a number of days from 1 to 36600, not %d", days);
      return FALSE;
    }
  not_after = g_date_time_add_days (now, days);
  if ((options = tool_x509_options (&subject, error)) == NULL)
    return FALSE;
  /* The subject defaults to the key's name: the library's default. */
  parsec_certificate_options_set_validity (options, now, not_after);
  if ((key = tool_x509_lookup_key (tool, key_name, error)) == NULL ||
      (certificate = parsec_key_create_self_signed_certificate (key, options, NULL, error)) == NULL)
    return FALSE;
  data.der = certificate;
  tool_json_begin_key_object (json, key_name);
  return tool_emit (tool, &data, json, error);
}
