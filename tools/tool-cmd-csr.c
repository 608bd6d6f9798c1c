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

#define OID_EXTENSION_REQUEST "1.2.840.113549.1.9.14"

/* attributes [0] IMPLICIT SET OF Attribute: an extension request with
 * the subject's extensions, if any. */
static GBytes *
build_attributes (GBytes *extensions)
{
  if (g_bytes_get_size (extensions) == 0)
    return der_tlv (0xa0, extensions);
  return der_tlv (0xa0,
                  der_seq (der_oid (OID_EXTENSION_REQUEST),
                           der_tlv (DER_SET, der_seq (extensions, NULL)),
                           NULL));
}

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
  g_auto(ToolX509Parts) parts = { NULL };
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
  g_autoptr(GBytes) text = NULL;
  g_autoptr(GBytes) info = NULL;
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
      !tool_x509_prepare (tool, key_name, &subject, &parts, error))
    return FALSE;

  /* CertificationRequestInfo ::= SEQUENCE { version 0, subject,
   * subjectPKInfo, attributes } */
  info = der_seq (der_small_uint (0), g_bytes_ref (parts.name), g_bytes_ref (parts.public_key),
                  build_attributes (g_bytes_ref (parts.extensions)), NULL);
  request = tool_x509_sign (&parts, info, error);
  if (request == NULL)
    return FALSE;
  data.der = request;
  text = csr_text (request);
  data.text = text;
  tool_json_begin_key_object (json, key_name);
  return tool_emit (tool, &data, json, error);
}
