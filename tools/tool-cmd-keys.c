/* tool-cmd-keys.c: creating, importing, exporting, listing and deleting keys
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "tool.h"

/* The JSON of a key just made; like parsec-tool, nothing without --json. */
static gboolean
report_key (Tool                *tool,
            const char          *verb,
            const char          *key_name,
            ParsecKeyAttributes *attributes,
            GError             **error)
{
  g_autoptr(ToolJson) json = tool_json_new ();

  if (!tool->json)
    return TRUE;
  tool_json_begin_key_object (json, key_name);
  tool_json_key (json, verb);
  tool_json_bool (json, TRUE);
  tool_json_key_attributes (json, attributes);
  tool_json_end_object (json);
  return tool_json_write (tool, json, FALSE, error);
}

static gboolean
generate (Tool                *tool,
          const char          *key_name,
          ParsecKeyAttributes *attributes,
          GError             **error)
{
  ParsecClient *client = tool_get_client (tool, error);
  g_autoptr(ParsecKey) key = NULL;

  if (client == NULL || (key = parsec_client_generate_key (client, key_name, attributes, NULL, error)) == NULL)
    return FALSE;
  return report_key (tool, "created", key_name, attributes, error);
}

gboolean
tool_cmd_create_rsa_key (Tool    *tool,
                         char   **args,
                         GError **error)
{
  g_autofree char *key_name = NULL;
  int bits = 2048;
  ToolPolicy policy = { 0 };
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    { "bits", 'b', 0, G_OPTION_ARG_INT, &bits, "Size of the key in bits (default 2048)", "BITS" },
    /* parsec-tool's -s, -o and -b are --for-signing, --oaep and --bits */
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  gboolean ok;

  tool_add_entries (tool, context, entries);
  tool_add_policy_options (tool, context, &policy);
  ok = tool_parse (tool, context, &args, error) && tool_require (key_name, "--key-name", error);
  if (ok && bits <= 0)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--bits must be positive, not %d", bits);
      ok = FALSE;
    }
  /* No check of the size: which sizes work is the provider's business. */
  if (ok)
    attributes = tool_policy_attributes (&policy, PARSEC_KEY_TYPE_RSA_KEY_PAIR, NULL, (guint) bits, error);
  ok = attributes != NULL && generate (tool, key_name, attributes, error);
  tool_policy_clear (&policy);
  return ok;
}

gboolean
tool_cmd_create_ecc_key (Tool    *tool,
                         char   **args,
                         GError **error)
{
  g_autofree char *key_name = NULL;
  g_autofree char *curve_name = NULL;
  ToolPolicy policy = { 0 };
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    { "curve", 'c', 0, G_OPTION_ARG_STRING, &curve_name,
      "Curve: p256 (default), p384, p521, p224, p192 or secp256k1", "CURVE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  const ToolCurve *curve = NULL;
  gboolean ok;

  tool_add_entries (tool, context, entries);
  tool_add_policy_options (tool, context, &policy);
  ok = tool_parse (tool, context, &args, error) &&
       tool_require (key_name, "--key-name", error) &&
       (curve = tool_curve_lookup (curve_name != NULL ? curve_name : "p256", error)) != NULL;
  if (ok)
    attributes = tool_policy_attributes (&policy, PARSEC_KEY_TYPE_ECC_KEY_PAIR, curve, curve->bits, error);
  ok = attributes != NULL && generate (tool, key_name, attributes, error);
  tool_policy_clear (&policy);
  return ok;
}

gboolean
tool_cmd_import_key (Tool    *tool,
                     char   **args,
                     GError **error)
{
  g_autofree char *key_name = NULL;
  g_autofree char *type = NULL;
  g_autofree char *curve = NULL;
  g_autofree char *password_file = NULL;
  ToolPolicy policy = { 0 };
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    { "type", 't', 0, G_OPTION_ARG_STRING, &type,
      "With --input-format raw: rsa-key-pair, rsa-public-key, ecc-key-pair or ecc-public-key", "TYPE" },
    { "curve", 'c', 0, G_OPTION_ARG_STRING, &curve, "With --input-format raw and an elliptic-curve key: its curve",
      "CURVE" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file,
      "File holding the password of an encrypted PKCS #8 key", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL,
                      "Key files: PKCS #8 (PRIVATE KEY, ENCRYPTED PRIVATE KEY), PKCS #1 (RSA PRIVATE KEY, RSA PUBLIC "
                      "KEY), SEC1 (EC PRIVATE KEY), SubjectPublicKeyInfo (PUBLIC KEY) and X.509 certificates (their "
                      "public key), in PEM or DER; or the PSA import format with --input-format raw.\n"
                      "The policy options say what the key is for: RSA keys are for encryption unless "
                      "--for-signing or --pss, elliptic-curve keys sign with ECDSA.");
  g_auto(ToolKeyMaterial) material = { 0 };
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  g_autoptr(ParsecKeyAttributes) request = NULL;
  g_autoptr(GBytes) file = NULL;
  g_autoptr(ParsecKey) key = NULL;
  ParsecClient *client;
  gboolean ok;

  tool_add_entries (tool, context, entries);
  tool_add_input_options (tool, context, "Encoding of the key: auto (default), pem, der, or raw (the PSA format)");
  tool_add_policy_options (tool, context, &policy);
  ok = tool_parse (tool, context, &args, error) && tool_require (key_name, "--key-name", error);
  if (ok)
    file = tool->data != NULL ? secure_bytes_new (tool->data, strlen (tool->data))
                              : tool_read_file (tool->input, "the key file", error);
  ok = file != NULL &&
       tool_key_material_parse (file, tool->input_format, type, curve, password_file, &material, error) &&
       (attributes = tool_policy_attributes (&policy, material.key_type, material.curve, material.bits,
                                             error)) != NULL;
  /* Elliptic-curve keys go with bits 0, PSA's "from the data": Mbed
   * Crypto in Parsec 1.5 refuses 384 for P-384 keys (a psa-crypto bug). */
  if (ok && material.curve != NULL)
    request = parsec_key_attributes_new_ecc (material.key_type, material.curve->family, 0,
                                             parsec_key_attributes_get_usage (attributes),
                                             parsec_key_attributes_get_algorithm (attributes));
  ok = ok &&
       (client = tool_get_client (tool, error)) != NULL &&
       (key = parsec_client_import_key (client, key_name, request != NULL ? request : attributes, material.data,
                                        NULL, error)) != NULL &&
       report_key (tool, "imported", key_name, attributes, error);
  tool_policy_clear (&policy);
  return ok;
}

gboolean
tool_cmd_export_public_key (Tool    *tool,
                            char   **args,
                            GError **error)
{
  g_autofree char *key_name = NULL;
  gboolean pkcs1 = FALSE;
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    { "pkcs1", 0, 0, G_OPTION_ARG_NONE, &pkcs1,
      "RSA keys as a PKCS #1 RSAPublicKey (PEM \"RSA PUBLIC KEY\")", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "pem and der are a SubjectPublicKeyInfo, as OpenSSL and GnuTLS read it, or with "
                                  "--pkcs1 an RSAPublicKey; raw is the PSA format (PKCS #1 RSAPublicKey, or the "
                                  "uncompressed curve point).");
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) psa = NULL;
  g_autoptr(GBytes) der = NULL;
  ParsecKeyAttributes *attributes;
  ParsecClient *client;
  ParsecKeyType type;
  ToolData data = { .pem_label = "PUBLIC KEY", .json_name = "public_key" };

  tool_add_entries (tool, context, entries);
  tool_add_output_options (tool, context, TOOL_FORMAT_PEM | TOOL_FORMAT_DER | TOOL_FORMATS_BINARY,
                           TOOL_FORMAT_PEM, TOOL_FORMAT_PEM);
  /* The public key first, then the key's attributes, which convert it
   * here: parsec-tool's requests in its order, so that a missing key
   * costs the same one. */
  if (!tool_parse (tool, context, &args, error) ||
      !tool_require (key_name, "--key-name", error) ||
      (client = tool_get_client (tool, error)) == NULL ||
      (psa = parsec_client_export_public_key (client, key_name, NULL, error)) == NULL ||
      (key = parsec_client_lookup_key (client, key_name, NULL, error)) == NULL)
    return FALSE;

  attributes = parsec_key_get_attributes (key);
  type = parsec_key_attributes_get_key_type (attributes);
  if (pkcs1 && type != PARSEC_KEY_TYPE_RSA_KEY_PAIR && type != PARSEC_KEY_TYPE_RSA_PUBLIC_KEY)
    {
      g_autofree char *described = tool_describe_key_type (attributes);

      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--pkcs1 is for RSA keys; key “%s” is %s",
                   key_name, described);
      return FALSE;
    }
  if (pkcs1)
    {
      /* The PSA form of an RSA public key is its RSAPublicKey. */
      data.pem_label = "RSA PUBLIC KEY";
      data.der = psa;
    }
  else if (tool->format == TOOL_FORMAT_RAW)
    data.raw = psa;
  else
    {
      der = parsec_public_key_convert (attributes, psa, PARSEC_PUBLIC_KEY_FORMAT_DER, error);
      if (der == NULL)
        return FALSE;
      data.der = der;
    }

  tool_json_begin_key_object (json, key_name);
  return tool_emit (tool, &data, json, error);
}

gboolean
tool_cmd_export_key (Tool    *tool,
                     char   **args,
                     GError **error)
{
  g_autofree char *key_name = NULL;
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "Only keys created or imported with --exportable can be exported. Key pairs come "
                                  "as PKCS #8 (PEM \"PRIVATE KEY\" or DER), public keys as a SubjectPublicKeyInfo; "
                                  "raw is the PSA format. Private keys are secret: they are not written to a terminal "
                                  "unless --output - asks for it.");
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) material = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  ParsecKeyAttributes *attributes;
  ParsecClient *client;
  ParsecKeyType type;
  ToolData data = { .json_name = "key" };

  tool_add_entries (tool, context, entries);
  tool_add_output_options (tool, context, TOOL_FORMAT_PEM | TOOL_FORMAT_DER | TOOL_FORMATS_BINARY,
                           TOOL_FORMAT_PEM, TOOL_FORMAT_PEM);
  if (!tool_parse (tool, context, &args, error) ||
      !tool_require (key_name, "--key-name", error) ||
      (client = tool_get_client (tool, error)) == NULL ||
      (key = parsec_client_lookup_key (client, key_name, NULL, error)) == NULL ||
      (material = parsec_key_export (key, NULL, error)) == NULL)
    return FALSE;

  attributes = parsec_key_get_attributes (key);
  type = parsec_key_attributes_get_key_type (attributes);
  data.secret = !parsec_key_attributes_is_public_key (attributes);
  if (type == PARSEC_KEY_TYPE_RSA_KEY_PAIR || type == PARSEC_KEY_TYPE_ECC_KEY_PAIR)
    {
      der = tool_private_key_to_pkcs8 (attributes, material, error);
      if (der == NULL)
        return FALSE;
      data.pem_label = "PRIVATE KEY";
    }
  else if (type == PARSEC_KEY_TYPE_RSA_PUBLIC_KEY || type == PARSEC_KEY_TYPE_ECC_PUBLIC_KEY)
    {
      der = parsec_public_key_convert (attributes, material, PARSEC_PUBLIC_KEY_FORMAT_DER, error);
      if (der == NULL)
        return FALSE;
      data.pem_label = "PUBLIC KEY";
    }
  else if (tool->format == TOOL_FORMAT_PEM || tool->format == TOOL_FORMAT_DER)
    {
      g_autofree char *described = tool_describe_key_type (attributes);

      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                   "key “%s” (%s) has no PEM or DER form: use --format raw, base64 or hex", key_name, described);
      return FALSE;
    }
  data.der = der;
  data.raw = material;

  tool_json_begin_key_object (json, key_name);
  tool_json_key_attributes (json, attributes);
  return tool_emit (tool, &data, json, error);
}

gboolean
tool_cmd_delete_key (Tool    *tool,
                     char   **args,
                     GError **error)
{
  g_autofree char *key_name = NULL;
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ToolJson) json = tool_json_new ();
  ParsecClient *client;

  tool_add_entries (tool, context, entries);
  if (!tool_parse (tool, context, &args, error) ||
      !tool_require (key_name, "--key-name", error) ||
      (client = tool_get_client (tool, error)) == NULL ||
      !parsec_client_destroy_key (client, key_name, NULL, error))
    return FALSE;

  /* parsec-tool prints nothing */
  if (!tool->json)
    return TRUE;
  tool_json_begin_key_object (json, key_name);
  tool_json_key (json, "deleted");
  tool_json_bool (json, TRUE);
  tool_json_end_object (json);
  return tool_json_write (tool, json, FALSE, error);
}

gboolean
tool_cmd_list_keys (Tool    *tool,
                    char   **args,
                    GError **error)
{
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) keys = NULL;
  ParsecClient *client;

  if (!tool_parse (tool, context, &args, error) ||
      (client = tool_get_client (tool, error)) == NULL ||
      (keys = parsec_client_list_keys (client, NULL, error)) == NULL)
    return FALSE;
  tool_note_namespace (tool, client);

  /* As parsec-tool: one line a key, nothing when there are none */
  tool_json_begin_array (json);
  for (guint i = 0; i < keys->len; i++)
    {
      ParsecKey *key = g_ptr_array_index (keys, i);
      ParsecKeyAttributes *attributes = parsec_key_get_attributes (key);
      g_autofree char *provider = tool_compat_provider_name (parsec_key_get_provider (key));
      g_autofree char *type = tool_compat_key_type (attributes);
      g_autofree char *algorithm = tool_compat_algorithm (parsec_key_attributes_get_algorithm (attributes));
      g_autofree char *shown = tool_escape (parsec_key_get_name (key));

      g_string_append_printf (text, "* %s (%s, %s, %u bits, permitted algorithm: %s)\n",
                              shown, provider, type,
                              parsec_key_attributes_get_bits (attributes), algorithm);
      tool_json_begin_object (json);
      tool_json_key (json, "name");
      tool_json_string (json, parsec_key_get_name (key));
      tool_json_key (json, "provider");
      tool_json_int (json, parsec_key_get_provider (key));
      tool_json_key_attributes (json, attributes);
      tool_json_end_object (json);
    }
  tool_json_end_array (json);

  if (tool->json)
    return tool_json_write (tool, json, FALSE, error);
  return tool_write (tool, text->str, text->len, FALSE, error);
}
