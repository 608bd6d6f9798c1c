/* tool-cmd-crypto.c: signing, encryption, hashing and random numbers
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "tool.h"

/* Parses, connects and looks the key up (one request): what every key
 * command does first. */
static ParsecKey *
parse_and_look_up (Tool            *tool,
                   GOptionContext  *context,
                   char          ***args,
                   char           **key_name,
                   GError         **error)
{
  ParsecClient *client;

  if (!tool_parse (tool, context, args, error) ||
      !tool_require (*key_name, "--key-name", error) ||
      (client = tool_get_client (tool, error)) == NULL)
    return NULL;
  return parsec_client_lookup_key (client, *key_name, NULL, error);
}

/* The input as a stream when the library hashes @hash as it reads: raw
 * files and standard input of any size. *@stream stays NULL for the
 * other inputs and hashes, which are read whole. */
static gboolean
open_input_stream (Tool           *tool,
                   ParsecHash      hash,
                   GInputStream  **stream,
                   GError        **error)
{
  GError *local_error = NULL;

  if (tool_hash_streams (hash))
    *stream = tool_open_input_stream (tool, &local_error);
  if (local_error == NULL)
    return TRUE;
  g_propagate_error (error, local_error);
  return FALSE;
}

gboolean
tool_cmd_sign (Tool    *tool,
               char   **args,
               GError **error)
{
  g_autofree char *key_name = NULL;
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autofree char *algorithm_text = NULL;
  ParsecHash hash;
  ToolData data = { .json_name = "signature" };

  tool->argument_name = "DATA";
  context = tool_context_new (tool, "[DATA]",
                              "Signs DATA, a string as parsec-tool takes it, or the data of --input or --data, "
                              "or standard input. The data is hashed here with the hash of the key's policy "
                              "(SHA-256 where the policy allows any) and signed with its algorithm; raw files "
                              "and standard input of any size are read in chunks, in constant memory. der is "
                              "the signature as OpenSSL verifies it (for ECDSA an Ecdsa-Sig-Value), base64 (the "
                              "default, as parsec-tool prints it) and hex encode der, raw is the PSA form "
                              "(r ‖ s for ECDSA).");
  tool_add_entries (tool, context, entries);
  tool_add_input_options (tool, context, NULL);
  tool_add_output_options (tool, context, TOOL_FORMAT_DER | TOOL_FORMATS_BINARY, TOOL_FORMAT_BASE64,
                           TOOL_FORMAT_BASE64);
  key = parse_and_look_up (tool, context, &args, &key_name, error);
  if (key == NULL ||
      !tool_signature_plan (key_name, parsec_key_get_attributes (key), &algorithm, &hash, error))
    return FALSE;
  if (!open_input_stream (tool, hash, &stream, error))
    return FALSE;
  if ((stream == NULL && (input = tool_read_input (tool, error)) == NULL) ||
      (signature = tool_sign (key, algorithm, hash, input, stream, &der, error)) == NULL)
    return FALSE;
  data.der = der;
  data.raw = signature;

  algorithm_text = parsec_algorithm_to_string (algorithm);
  tool_json_begin_key_object (json, key_name);
  tool_json_key (json, "algorithm");
  tool_json_string (json, algorithm_text);
  return tool_emit (tool, &data, json, error);
}

static gboolean
is_text (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_isgraph (data[i]) || g_ascii_isspace (data[i])))
      return FALSE;
  return len > 0;
}

static gboolean
is_hex_text (GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_isxdigit (data[i]) || g_ascii_isspace (data[i]) || data[i] == ':'))
      return FALSE;
  return TRUE;
}

/* The signature to verify, in the PSA form the service checks. */
static GBytes *
read_signature (const char             *path,
                const char             *format,
                const ParsecAlgorithm  *algorithm,
                guint                   bits,
                GError                **error)
{
  g_autoptr(GBytes) file = tool_read_file (path, "the signature", error);
  g_autoptr(GBytes) binary = NULL;
  gboolean der = TRUE, raw = TRUE;

  if (file == NULL)
    return NULL;
  if (format == NULL || g_str_equal (format, "auto"))
    {
      /* Binary signatures are not text; hex is also valid base64, so it
       * is tried first. */
      if (is_text (file))
        format = is_hex_text (file) ? "hex" : "base64";
      else
        format = "binary";
    }
  else if (g_str_equal (format, "der"))
    raw = FALSE;
  else if (g_str_equal (format, "raw"))
    der = FALSE;

  if (g_str_equal (format, "base64") || g_str_equal (format, "hex"))
    binary = tool_decode_text (file, format, "the signature", error);
  else if (g_str_equal (format, "binary") || g_str_equal (format, "der") || g_str_equal (format, "raw"))
    binary = g_bytes_ref (file);
  else
    g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                 "unknown --signature-format “%s”: use auto, der, raw, base64 or hex", format);
  if (binary == NULL)
    return NULL;

  /* Only ECDSA signatures differ between DER and PSA. */
  if (!tool_is_ecdsa (algorithm))
    return g_steal_pointer (&binary);
  if (der)
    {
      GBytes *converted = parsec_ecdsa_signature_from_der (binary, bits, raw ? NULL : error);

      if (converted != NULL || !raw)
        return converted;
    }
  return g_steal_pointer (&binary);
}

/* The size of an elliptic-curve key, which the service lists as 0 for a
 * key imported with "size from the data": then its public point tells. */
static gboolean
ecc_bits (ParsecKey  *key,
          guint      *bits,
          GError    **error)
{
  ParsecKeyAttributes *attributes = parsec_key_get_attributes (key);
  g_autoptr(GBytes) point = NULL;
  const ToolCurve *curve;

  *bits = parsec_key_attributes_get_bits (attributes);
  if (*bits != 0)
    return TRUE;
  point = parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_PSA, NULL, error);
  if (point == NULL)
    return FALSE;
  /* 04 ‖ x ‖ y */
  curve = tool_curve_find_sized (parsec_key_attributes_get_ecc_family (attributes), 0,
                                 (g_bytes_get_size (point) - 1) / 2);
  if (curve == NULL)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "the curve of key “%s” is not one this tool knows",
                   parsec_key_get_name (key));
      return FALSE;
    }
  *bits = curve->bits;
  return TRUE;
}

gboolean
tool_cmd_verify (Tool    *tool,
                 char   **args,
                 GError **error)
{
  g_autofree char *key_name = NULL;
  g_autofree char *signature_path = NULL;
  g_autofree char *signature_format = NULL;
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    { "signature", 'S', 0, G_OPTION_ARG_FILENAME, &signature_path,
      "File holding the signature (required; - for standard input)", "FILE" },
    { "signature-format", 0, 0, G_OPTION_ARG_STRING, &signature_format,
      "Encoding of the signature: auto (default), der, raw, base64 or hex", "FORMAT" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "Verifies a signature made by sign, or by OpenSSL with the same algorithm. "
                                  "The data is hashed here; raw files and standard input of any size are read "
                                  "in chunks, in constant memory. Exits with 1 if the signature does not match.");
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(GError) local_error = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  g_autoptr(GBytes) digest = NULL;
  ParsecHash hash;
  guint bits = 0;
  gboolean valid;

  tool_add_entries (tool, context, entries);
  tool_add_input_options (tool, context, NULL);
  key = parse_and_look_up (tool, context, &args, &key_name, error);
  if (key == NULL ||
      !tool_require (signature_path, "--signature", error) ||
      !tool_signature_plan (key_name, parsec_key_get_attributes (key), &algorithm, &hash, error))
    return FALSE;
  if (g_str_equal (signature_path, "-") && tool->data == NULL && (tool->input == NULL || g_str_equal (tool->input, "-")))
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                           "the signature and the data cannot both come from standard input");
      return FALSE;
    }
  if (tool_is_ecdsa (algorithm) && !ecc_bits (key, &bits, error))
    return FALSE;
  signature = read_signature (signature_path, signature_format, algorithm, bits, error);
  if (signature == NULL)
    return FALSE;
  /* Raw files and standard input are hashed here as they are read, in
   * constant memory whatever their size. */
  if (!open_input_stream (tool, hash, &stream, error))
    return FALSE;
  if (stream != NULL)
    valid = parsec_key_verify_stream (key, stream, signature, NULL, &local_error);
  else if ((input = tool_read_input (tool, error)) == NULL ||
           (digest = tool_digest (tool->client, hash, input, error)) == NULL)
    return FALSE;
  else
    valid = parsec_key_verify_hash (key, algorithm, digest, signature, NULL, &local_error);
  if (!valid && !g_error_matches (local_error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (tool->json)
    {
      tool_json_begin_key_object (json, key_name);
      tool_json_key (json, "valid");
      tool_json_bool (json, valid);
      tool_json_end_object (json);
      if (!tool_json_write (tool, json, FALSE, error))
        return FALSE;
    }
  else if (valid && !tool_print (tool, error, "The signature is valid.\n"))
    return FALSE;

  if (!valid)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_MISMATCH, "the signature does not match");
      return FALSE;
    }
  return TRUE;
}

/* The encryption algorithm of a key's policy. */
static ParsecAlgorithm *
encryption_algorithm (const char           *key_name,
                      ParsecKeyAttributes  *attributes,
                      GError              **error)
{
  ParsecAlgorithm *policy = parsec_key_attributes_get_algorithm (attributes);

  if (parsec_algorithm_get_kind (policy) != PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION)
    {
      g_autofree char *text = parsec_algorithm_to_string (policy);

      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "key “%s” is not an encryption key (its policy: %s)",
                   key_name, text);
      return NULL;
    }
  return policy;
}

/* encrypt and decrypt differ in direction, in the encoding of their
 * argument and output and in whether the result is secret. */
static gboolean
asymmetric_crypt (Tool      *tool,
                  char     **args,
                  gboolean   encrypt,
                  GError   **error)
{
  g_autofree char *key_name = NULL;
  const GOptionEntry entries[] = {
    TOOL_KEY_NAME_ENTRY (&key_name),
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autofree char *algorithm_text = NULL;
  ParsecAlgorithm *algorithm;
  ToolData data = { .json_name = encrypt ? "ciphertext" : "plaintext", .secret = !encrypt };

  if (encrypt)
    {
      tool->argument_name = "PLAINTEXT";
      context = tool_context_new (tool, "[PLAINTEXT]",
                                  "Encrypts PLAINTEXT, a string as parsec-tool takes it, or the data of --input or "
                                  "--data, or standard input, with the algorithm of the key's policy (RSA PKCS #1 "
                                  "v1.5 or OAEP), as “openssl pkeyutl -encrypt” with the public key would. The "
                                  "ciphertext is printed in base64 unless --format says otherwise.");
    }
  else
    {
      tool->argument_name = "CIPHERTEXT";
      tool->argument_encoding = "base64";
      context = tool_context_new (tool, "[CIPHERTEXT]",
                                  "Decrypts CIPHERTEXT, in base64 as parsec-tool takes it, or the data of --input or "
                                  "--data (raw unless --input-format), or standard input, with the algorithm of the "
                                  "key's policy. The default output, text, is the plaintext as a line of UTF-8 "
                                  "(invalid sequences replaced), as parsec-tool prints it; raw is the plaintext "
                                  "itself. The plaintext is secret: in raw, base64 or hex it is not written to a "
                                  "terminal unless --output - asks for it.");
    }
  tool_add_entries (tool, context, entries);
  tool_add_input_options (tool, context, NULL);
  if (encrypt)
    tool_add_output_options (tool, context, TOOL_FORMATS_BINARY, TOOL_FORMAT_BASE64, TOOL_FORMAT_BASE64);
  else
    tool_add_output_options (tool, context, TOOL_FORMATS_BINARY | TOOL_FORMAT_TEXT, TOOL_FORMAT_TEXT,
                             TOOL_FORMAT_RAW);
  /* The input first: a ciphertext that is not base64 costs no request. */
  if (!tool_parse (tool, context, &args, error) ||
      !tool_require (key_name, "--key-name", error) ||
      (input = tool_read_input (tool, error)) == NULL ||
      tool_get_client (tool, error) == NULL ||
      (key = parsec_client_lookup_key (tool->client, key_name, NULL, error)) == NULL ||
      (algorithm = encryption_algorithm (key_name, parsec_key_get_attributes (key), error)) == NULL)
    return FALSE;

  if (encrypt)
    output = parsec_key_asymmetric_encrypt (key, algorithm, input, NULL, NULL, error);
  else
    output = parsec_key_asymmetric_decrypt (key, algorithm, input, NULL, NULL, error);
  if (output == NULL)
    return FALSE;
  data.raw = output;
  if (!encrypt)
    {
      text = tool_compat_text_line (output);
      data.text = text;
    }

  algorithm_text = parsec_algorithm_to_string (algorithm);
  tool_json_begin_key_object (json, key_name);
  tool_json_key (json, "algorithm");
  tool_json_string (json, algorithm_text);
  return tool_emit (tool, &data, json, error);
}

gboolean
tool_cmd_encrypt (Tool    *tool,
                  char   **args,
                  GError **error)
{
  return asymmetric_crypt (tool, args, TRUE, error);
}

gboolean
tool_cmd_decrypt (Tool    *tool,
                  char   **args,
                  GError **error)
{
  return asymmetric_crypt (tool, args, FALSE, error);
}

gboolean
tool_cmd_hash (Tool    *tool,
               char   **args,
               GError **error)
{
  g_autofree char *hash_name = NULL;
  g_autofree char *expect = NULL;
  const GOptionEntry entries[] = {
    { "alg", 'a', 0, G_OPTION_ARG_STRING, &hash_name,
      "Hash: sha256 (default), sha384, sha512, sha224, sha3-256, sha3-384, sha3-512, sha1, ripemd160, md5", "HASH" },
    { "expect", 0, 0, G_OPTION_ARG_STRING, &expect,
      "Compare with this digest (hex) instead of printing it; exit 1 if it differs", "HEX" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "The service computes the hash, so the data travels in one request: at most "
                                  "1 MiB, the service's request limit, less a few bytes of the request's own "
                                  "fields. To sign larger data, use sign, which hashes here.");
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) digest = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(GError) local_error = NULL;
  const ToolHash *hash = NULL;
  ParsecClient *client;
  gboolean match;
  ToolData data = { .json_name = "digest" };

  tool_add_entries (tool, context, entries);
  tool_add_input_options (tool, context, NULL);
  tool_add_output_options (tool, context, TOOL_FORMATS_BINARY, TOOL_FORMAT_HEX, TOOL_FORMAT_HEX);
  if (!tool_parse (tool, context, &args, error) ||
      (hash = tool_hash_lookup (hash_name != NULL ? hash_name : "sha256", error)) == NULL)
    return FALSE;
  if (hash->digest_len == 0)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "“%s” is not a hash", hash->name);
      return FALSE;
    }
  if (expect != NULL)
    {
      g_autoptr(GBytes) text = g_bytes_new (expect, strlen (expect));

      expected = tool_decode_text (text, "hex", "the expected digest", error);
      if (expected == NULL)
        return FALSE;
    }
  if ((client = tool_get_client (tool, error)) == NULL || (input = tool_read_input (tool, error)) == NULL)
    return FALSE;

  tool_json_begin_object (json);
  tool_json_key (json, "algorithm");
  tool_json_string (json, hash->name);
  if (expected == NULL)
    {
      digest = parsec_client_hash_compute (client, hash->hash, input, NULL, error);
      if (digest == NULL)
        return FALSE;
      data.raw = digest;
      return tool_emit (tool, &data, json, error);
    }

  match = parsec_client_hash_compare (client, hash->hash, input, expected, NULL, &local_error);
  if (!match && !g_error_matches (local_error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (tool->json)
    {
      tool_json_key (json, "match");
      tool_json_bool (json, match);
      tool_json_end_object (json);
      if (!tool_json_write (tool, json, FALSE, error))
        return FALSE;
    }
  else if (match && !tool_print (tool, error, "The digest matches.\n"))
    return FALSE;
  if (!match)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_MISMATCH, "the digest does not match");
      return FALSE;
    }
  return TRUE;
}

gboolean
tool_cmd_generate_random (Tool    *tool,
                          char   **args,
                          GError **error)
{
  int bytes = -1;
  const GOptionEntry entries[] = {
    { "nbytes", 'n', 0, G_OPTION_ARG_INT, &bytes, "How many bytes (required)", "N" },
    /* The name it had before parsec-tool's */
    { "bytes", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &bytes, NULL, "N" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "The default output, text, is each byte in uppercase hexadecimal followed by a "
                                  "space, then a newline, as parsec-tool prints it. Random bytes are secret: in raw, "
                                  "base64 or hex they are not written to a terminal unless --output - asks for it.");
  g_autoptr(GBytes) random = NULL;
  g_autoptr(GBytes) text = NULL;
  g_autoptr(ToolJson) json = tool_json_new ();
  ParsecClient *client;
  ToolData data = { .json_name = "random", .secret = TRUE };

  tool_add_entries (tool, context, entries);
  tool_add_output_options (tool, context, TOOL_FORMATS_BINARY | TOOL_FORMAT_TEXT, TOOL_FORMAT_TEXT, TOOL_FORMAT_RAW);
  if (!tool_parse (tool, context, &args, error))
    return FALSE;
  if (bytes < 0)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--nbytes is required");
      return FALSE;
    }
  if ((client = tool_get_client (tool, error)) == NULL ||
      (random = parsec_client_generate_random (client, (gsize) bytes, NULL, error)) == NULL)
    return FALSE;

  data.raw = random;
  text = tool_compat_hex_line (random);
  data.text = text;
  tool_json_begin_object (json);
  tool_json_key (json, "bytes");
  tool_json_int (json, bytes);
  return tool_emit (tool, &data, json, error);
}
