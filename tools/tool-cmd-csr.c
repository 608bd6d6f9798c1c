/* tool-cmd-csr.c: PKCS #10 certificate signing requests
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The library writes the request (RFC 2986): the subject from the
 * options, the key's public key, and the signature the service makes
 * with the key's own policy, which also decides the signature algorithm
 * named in the request.
 */
#include "config.h"

#include <string.h>

#include "tool.h"

/* The request as parsec-tool prints it: PEM with CRLF line ends (as its
 * CSR library writes them), and the newline of its println. */
static GBytes *
csr_text (GBytes *request)
{
  g_autoptr(GBytes) pem = tool_pem_encode ("CERTIFICATE REQUEST", request, "\r\n");

  return der_cat (g_steal_pointer (&pem), g_bytes_new ("\n", 1), NULL);
}

gboolean
tool_cmd_create_csr (Tool    *tool,
                     char   **args,
                     GError **error)
{
  g_autofree char *key_name = NULL;
  g_auto(ToolX509Subject) subject = { { NULL } };
  GOptionEntry entries[] = {
    { "key-name", 'k', 0, G_OPTION_ARG_STRING, &key_name, "Name of the signing key (required)", "NAME" },
    { NULL }
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "The request is signed with the key's policy: ecdsa-with-SHA256/384/512, "
                                  "sha256/384/512WithRSAEncryption or RSASSA-PSS (SHA-256 where the policy allows any "
                                  "hash). The default output, text, is the PEM request as parsec-tool prints it "
                                  "(CRLF line ends, then an empty line); pem has plain line ends. Check it with "
                                  "“openssl req -verify -noout -in FILE”.");
  g_autoptr(ParsecCertificateOptions) options = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  ToolData data = { .pem_label = "CERTIFICATE REQUEST", .json_name = "csr" };

  tool_add_entries (tool, context, entries);
  tool_x509_add_subject_options (tool, context, &subject);
  tool_add_output_options (tool, context,
                           TOOL_FORMAT_PEM | TOOL_FORMAT_DER | TOOL_FORMAT_BASE64 | TOOL_FORMAT_HEX | TOOL_FORMAT_TEXT,
                           TOOL_FORMAT_TEXT, TOOL_FORMAT_PEM);

  if (!tool_parse (tool, context, &args, error) ||
      !tool_require (key_name, "--key-name", error) ||
      (options = tool_x509_options (&subject, error)) == NULL ||
      (key = tool_x509_lookup_key (tool, key_name, error)) == NULL ||
      (request = parsec_key_create_certificate_request (key, options, NULL, error)) == NULL)
    return FALSE;
  data.der = request;
  text = csr_text (request);
  data.text = text;
  tool_json_begin_key_object (json, key_name);
  return tool_emit (tool, &data, json, error);
}
