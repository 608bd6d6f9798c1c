/* parsec-glib-tool.c: the command line client of the Parsec service
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * parsec-glib-tool [GLOBAL OPTION]... COMMAND [OPTION]...
 *
 * Global options are parsed up to the first non-option (the command);
 * each command then parses the rest with a context of its own, which
 * accepts the global options again so that they may follow the command.
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

G_DEFINE_QUARK (parsec-glib-tool-error-quark, tool_error)

/* Every command, in the order --help lists them. */
const ToolCommand tool_commands[] = {
  { "ping", "Check that the service answers; print its wire protocol version", tool_cmd_ping },
  { "list-providers", "List the providers the service hosts", tool_cmd_list_providers },
  { "list-opcodes", "List the operations a provider supports (see --provider)", tool_cmd_list_opcodes },
  { "list-authenticators", "List the authenticators the service runs", tool_cmd_list_authenticators },
  { "list-keys", "List the keys of this application", tool_cmd_list_keys },
  { "list-clients", "List the clients that have keys (administrators only)", tool_cmd_list_clients },
  { "delete-client", "Delete every key of a client (administrators only)", tool_cmd_delete_client },
  { "create-rsa-key", "Create an RSA key pair for encryption (default) or signing", tool_cmd_create_rsa_key },
  { "create-ecc-key", "Create an elliptic-curve key pair for ECDSA signing", tool_cmd_create_ecc_key },
  { "import-key", "Import a public or private key from a PEM, DER or PSA file", tool_cmd_import_key },
  { "export-public-key", "Export the public key of a key (PEM by default)", tool_cmd_export_public_key },
  { "export-key", "Export a key whose policy allows it (private keys are secret)", tool_cmd_export_key },
  { "delete-key", "Delete a key", tool_cmd_delete_key },
  { "sign", "Sign data with a key, with the algorithm of its policy", tool_cmd_sign },
  { "verify", "Verify a signature with a key, with the algorithm of its policy", tool_cmd_verify },
  { "encrypt", "Encrypt data with a key, with the algorithm of its policy", tool_cmd_encrypt },
  { "decrypt", "Decrypt data with a key, with the algorithm of its policy", tool_cmd_decrypt },
  { "hash", "Hash data in the service, or compare with an expected digest", tool_cmd_hash },
  { "generate-random", "Generate random bytes", tool_cmd_generate_random },
  { "create-csr", "Create a PKCS #10 certificate signing request signed by a key", tool_cmd_create_csr },
  { NULL, NULL, NULL },
};

static const char exit_status_help[] =
  "Exit status:\n"
  "  0  success\n"
  "  1  verify or hash --expect: the signature or digest does not match\n"
  "  2  usage error: bad option or argument, unreadable or unusable input,\n"
  "     a key whose policy does not allow the operation\n"
  "  3  the service refused the operation (an error status it returned)\n"
  "  4  the service could not be reached or spoke the protocol wrongly:\n"
  "     bad endpoint, service unavailable, timeout, protocol violation\n"
  "  5  local failure, such as an output file that cannot be written";

/* The options of every command, which may precede or follow its name.
 * GOption copies the entries, not the strings they point to. */
static GOptionGroup *
global_options_new (Tool *tool)
{
  const GOptionEntry entries[] = {
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &tool->endpoint,
      "Service endpoint URI (default: PARSEC_SERVICE_ENDPOINT, GSettings, unix:/run/parsec/parsec.sock)", "URI" },
    { "app-name", 0, 0, G_OPTION_ARG_STRING, &tool->app_name,
      "Application name for direct authentication (default: parsec-tool, as parsec-tool uses)", "NAME" },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &tool->auth,
      "Authentication: auto (default), none, direct, unix-peer-credentials or jwt-svid", "METHOD" },
    { "jwt-svid-file", 0, 0, G_OPTION_ARG_FILENAME, &tool->jwt_svid_file,
      "File holding the JWT-SVID token for --auth jwt-svid", "FILE" },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &tool->provider,
      "Provider of crypto operations, by id or name (default: the service's first)", "ID" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &tool->timeout,
      "Deadline of each request in seconds, 0 for none (default: GSettings, or 60)", "SECONDS" },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group = g_option_group_new ("global", "Global options (they may also precede the command):",
                                            "Show the global options", NULL, NULL);

  g_option_group_add_entries (group, entries);
  return group;
}

GOptionContext *
tool_context_new (Tool       *tool,
                  const char *parameters,
                  const char *description)
{
  g_autofree char *prgname = g_strdup_printf ("%s %s", TOOL_NAME, tool->command->name);
  GOptionContext *context;

  /* So that --help reads “parsec-glib-tool sign [OPTION…]”. */
  g_set_prgname (prgname);
  context = g_option_context_new (parameters);
  g_option_context_set_summary (context, tool->command->summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  /* The globals again, so that they may also follow the command. */
  g_option_context_add_group (context, global_options_new (tool));
  return context;
}

void
tool_add_input_options (Tool           *tool,
                        GOptionContext *context,
                        const char     *format_help)
{
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &tool->input,
      "Read the data from FILE (- or no --input: standard input)", "FILE" },
    { "data", 'd', 0, G_OPTION_ARG_STRING, &tool->data,
      "Take the data from the command line instead", "STRING" },
    { "input-format", 0, 0, G_OPTION_ARG_STRING, &tool->input_format,
      format_help != NULL ? format_help : "Encoding of the data: raw (default), base64 or hex", "ENCODING" },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_add_main_entries (context, entries, NULL);
}

void
tool_add_output_options (Tool           *tool,
                         GOptionContext *context,
                         ToolFormat      formats,
                         ToolFormat      default_format)
{
  g_autoptr(GString) help = g_string_new ("Output encoding: ");

  tool->formats = formats;
  tool->default_format = default_format;
  for (ToolFormat f = TOOL_FORMAT_PEM; f <= TOOL_FORMAT_HEX; f <<= 1)
    if (formats & f)
      g_string_append_printf (help, "%s%s%s", help->str[help->len - 1] == ' ' ? "" : ", ",
                              tool_format_get_name (f), f == default_format ? " (default)" : "");
  g_free (tool->format_help);
  tool->format_help = g_string_free (g_steal_pointer (&help), FALSE);
  {
    const GOptionEntry entries[] = {
      { "format", 'f', 0, G_OPTION_ARG_STRING, &tool->format_name, tool->format_help, "FORMAT" },
      G_OPTION_ENTRY_NULL
    };

    g_option_context_add_main_entries (context, entries, NULL);
  }
}

static gboolean
parse_format (Tool    *tool,
              GError **error)
{
  tool->format = tool->default_format;
  if (tool->format_name == NULL)
    return TRUE;
  for (ToolFormat f = TOOL_FORMAT_PEM; f <= TOOL_FORMAT_HEX; f <<= 1)
    if ((tool->formats & f) &&
        (g_str_equal (tool->format_name, tool_format_get_name (f)) ||
         (f == TOOL_FORMAT_RAW && g_str_equal (tool->format_name, "psa"))))
      {
        tool->format = f;
        return TRUE;
      }
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "unknown --format “%s” (%s)",
               tool->format_name, tool->format_help);
  return FALSE;
}

gboolean
tool_parse (Tool             *tool,
            GOptionContext   *context,
            char           ***args,
            GError          **error)
{
  const GOptionEntry output_entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &tool->output,
      "Write the result to FILE (-: standard output, even secrets to a terminal)", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &tool->json, "Write the result as JSON, for scripts", NULL },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_add_main_entries (context, output_entries, NULL);
  if (!g_option_context_parse_strv (context, args, error))
    return FALSE;
  if ((*args)[0] != NULL && (*args)[1] != NULL)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "unexpected argument “%s”", (*args)[1]);
      return FALSE;
    }
  if (tool->data != NULL && tool->input != NULL)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "--data and --input exclude each other");
      return FALSE;
    }
  return parse_format (tool, error);
}

gboolean
tool_require (const char  *value,
              const char  *option,
              GError     **error)
{
  if (value != NULL && *value != '\0')
    return TRUE;
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "%s is required", option);
  return FALSE;
}

/* The client */

static gboolean
parse_provider (const char  *text,
                int         *provider,
                GError     **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PARSEC_TYPE_PROVIDER_ID);
  GEnumValue *value = g_enum_get_value_by_nick (klass, text);
  guint64 number;

  if (value != NULL)
    {
      *provider = value->value;
      return TRUE;
    }
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT8, &number, NULL))
    {
      *provider = (int) number;
      return TRUE;
    }
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
               "unknown --provider “%s”: give a number from 0 to 255, or core, mbed-crypto, pkcs11, tpm, "
               "trusted-service or cryptoauthlib", text);
  return FALSE;
}

static gboolean
parse_auth (const char        *text,
            ParsecAuthMethod  *method,
            GError           **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PARSEC_TYPE_AUTH_METHOD);
  GEnumValue *value = g_enum_get_value_by_nick (klass, text);

  if (value == NULL)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                   "unknown --auth “%s”: use auto, none, direct, unix-peer-credentials or jwt-svid", text);
      return FALSE;
    }
  *method = value->value;
  return TRUE;
}

ParsecClient *
tool_get_client (Tool    *tool,
                 GError **error)
{
  g_autoptr(ParsecClient) client = NULL;

  if (tool->client != NULL)
    return tool->client;

  client = g_object_new (PARSEC_TYPE_CLIENT, NULL);
  /* Only what was given is set: an unset property leaves the choice to
   * the library (PARSEC_SERVICE_ENDPOINT, GSettings, defaults). */
  if (tool->endpoint != NULL)
    g_object_set (client, "endpoint", tool->endpoint, NULL);
  /* The library has no other source of a name than a GApplication; use
   * parsec-tool's so that both tools see the same keys. */
  g_object_set (client, "application-name", tool->app_name != NULL ? tool->app_name : "parsec-tool", NULL);
  if (tool->auth != NULL)
    {
      ParsecAuthMethod method;

      if (!parse_auth (tool->auth, &method, error))
        return NULL;
      g_object_set (client, "auth-method", method, NULL);
    }
  if (tool->provider != NULL)
    {
      int provider;

      if (!parse_provider (tool->provider, &provider, error))
        return NULL;
      g_object_set (client, "provider", provider, NULL);
    }
  if (tool->timeout != NULL)
    {
      guint64 seconds;

      if (!g_ascii_string_to_unsigned (tool->timeout, 10, 0, G_MAXUINT / 1000, &seconds, NULL))
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                       "--timeout wants a whole number of seconds, not “%s”", tool->timeout);
          return NULL;
        }
      g_object_set (client, "timeout", (guint) seconds * 1000, NULL);
    }
  if (tool->jwt_svid_file != NULL)
    {
      g_autoptr(GBytes) token = tool_read_file (tool->jwt_svid_file, "the JWT-SVID token", error);
      char *text;
      gsize len;

      if (token == NULL)
        return NULL;
      /* A NUL-terminated, whitespace-trimmed copy, wiped once handed over. */
      len = g_bytes_get_size (token);
      text = (char *) tool_secure_alloc (len + 1);
      memcpy (text, g_bytes_get_data (token, NULL), len);
      parsec_client_set_jwt_svid_token (client, g_strstrip (text));
      tool_secure_free (text);
    }

  if (!g_initable_init (G_INITABLE (client), NULL, error))
    return NULL;
  tool->client = g_steal_pointer (&client);
  return tool->client;
}

/* Errors and exit statuses */

static ToolExit
exit_status_for (const GError *error)
{
  if (error->domain == TOOL_ERROR)
    {
      switch ((ToolError) error->code)
        {
        case TOOL_ERROR_MISMATCH:
          return TOOL_EXIT_MISMATCH;
        case TOOL_ERROR_USAGE:
          return TOOL_EXIT_USAGE;
        case TOOL_ERROR_LOCAL:
        default:
          return TOOL_EXIT_LOCAL;
        }
    }
  if (error->domain == G_OPTION_ERROR)
    return TOOL_EXIT_USAGE;
  if (error->domain == PARSEC_ERROR)
    {
      /* Codes below 65536 are statuses the service sent. */
      if (error->code < PARSEC_ERROR_PROTOCOL_VIOLATION)
        return TOOL_EXIT_SERVICE;
      switch (error->code)
        {
        case PARSEC_ERROR_NO_USABLE_AUTHENTICATOR:
        case PARSEC_ERROR_NO_APPLICATION_NAME:
        case PARSEC_ERROR_NO_JWT_SVID_TOKEN:
        case PARSEC_ERROR_REQUEST_TOO_LARGE:
        case PARSEC_ERROR_INVALID_INPUT:
          return TOOL_EXIT_USAGE;
        case PARSEC_ERROR_NO_CRYPTO_PROVIDER:
        case PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER:
          return TOOL_EXIT_SERVICE;
        default:
          /* Protocol violation, oversized response, invalid or untrusted
           * endpoint, service unavailable, and whatever else the client
           * finds wrong with the connection. */
          return TOOL_EXIT_CONNECTION;
        }
    }
  if (error->domain == G_IO_ERROR)
    return TOOL_EXIT_CONNECTION;
  return TOOL_EXIT_LOCAL;
}

static void
print_error (const char   *command,
             const GError *error)
{
  g_autofree char *message = g_strdup (error->message);

  /* One line, whatever the message. */
  g_strdelimit (message, "\r\n", ' ');
  g_strchomp (message);
  if (command != NULL)
    g_printerr ("%s: %s: %s\n", TOOL_NAME, command, message);
  else
    g_printerr ("%s: %s\n", TOOL_NAME, message);
}

static char *
commands_help (void)
{
  GString *help = g_string_new ("Commands:\n");
  gsize width = 0;

  for (const ToolCommand *c = tool_commands; c->name != NULL; c++)
    width = MAX (width, strlen (c->name));
  for (const ToolCommand *c = tool_commands; c->name != NULL; c++)
    g_string_append_printf (help, "  %-*s  %s\n", (int) width, c->name, c->summary);
  g_string_append_printf (help, "\nRun “%s COMMAND --help” for the options of a command.\n\n%s",
                          TOOL_NAME, exit_status_help);
  return g_string_free (help, FALSE);
}

static void
tool_clear (Tool *tool)
{
  g_clear_object (&tool->client);
  g_clear_pointer (&tool->endpoint, g_free);
  g_clear_pointer (&tool->app_name, g_free);
  g_clear_pointer (&tool->auth, g_free);
  g_clear_pointer (&tool->provider, g_free);
  g_clear_pointer (&tool->timeout, g_free);
  g_clear_pointer (&tool->jwt_svid_file, g_free);
  g_clear_pointer (&tool->output, g_free);
  g_clear_pointer (&tool->format_name, g_free);
  g_clear_pointer (&tool->format_help, g_free);
  g_clear_pointer (&tool->input, g_free);
  /* --data may be plaintext. */
  if (tool->data != NULL)
    tool_wipe (tool->data, strlen (tool->data));
  g_clear_pointer (&tool->data, g_free);
  g_clear_pointer (&tool->input_format, g_free);
}

int
main (int    argc,
      char **argv)
{
  Tool tool = { 0 };
  gboolean version = FALSE;
  const GOptionEntry main_entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &tool.json, "Write the result as JSON, for scripts", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *help = NULL;
  g_auto(GStrv) args = NULL;
  int status = TOOL_EXIT_OK;

  setlocale (LC_ALL, "");
  g_set_prgname (TOOL_NAME);

  context = g_option_context_new ("COMMAND [OPTION…]");
  g_option_context_set_summary (context, "A command line client of the Parsec security service.");
  help = commands_help ();
  g_option_context_set_description (context, help);
  g_option_context_set_main_group (context, global_options_new (&tool));
  g_option_context_add_main_entries (context, main_entries, NULL);
  /* Stop at the command: what follows belongs to it. */
  g_option_context_set_strict_posix (context, TRUE);

  args = g_strdupv (argv);
  if (!g_option_context_parse_strv (context, &args, &error))
    {
      print_error (NULL, error);
      tool_clear (&tool);
      return TOOL_EXIT_USAGE;
    }

  if (version)
    {
      g_print ("%s %s\n", TOOL_NAME, PACKAGE_VERSION);
      tool_clear (&tool);
      return TOOL_EXIT_OK;
    }
  if (args[0] == NULL || args[1] == NULL)
    {
      g_printerr ("%s: no command given; see “%s --help”\n", TOOL_NAME, TOOL_NAME);
      tool_clear (&tool);
      return TOOL_EXIT_USAGE;
    }

  for (const ToolCommand *c = tool_commands; c->name != NULL; c++)
    if (g_str_equal (c->name, args[1]))
      tool.command = c;
  if (tool.command == NULL)
    {
      g_printerr ("%s: unknown command “%s”; see “%s --help”\n", TOOL_NAME, args[1], TOOL_NAME);
      tool_clear (&tool);
      return TOOL_EXIT_USAGE;
    }

  /* The command parses its own options from args[1] on, in place; its
   * name stands where GOption expects the program's. */
  if (!tool.command->handler (&tool, args + 1, &error))
    {
      print_error (tool.command->name, error);
      status = exit_status_for (error);
    }

  tool_clear (&tool);
  return status;
}
