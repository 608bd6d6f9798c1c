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

/* Every command, in the order --help lists them: parsec-tool's sixteen
 * first, under its names, then the ones it lacks. */
const ToolCommand tool_commands[] = {
  { "ping", "Ping the service and print its wire protocol version", tool_cmd_ping },
  { "list-providers", "List the providers the service hosts", tool_cmd_list_providers },
  { "list-authenticators", "List the authenticators the service runs", tool_cmd_list_authenticators },
  { "list-opcodes", "List the operations a provider supports (-p ID; the core provider by default)",
    tool_cmd_list_opcodes, TOOL_COMMAND_PROVIDER_SHORT },
  { "list-keys", "List the keys of this application (of this user, where the service authenticates users)",
    tool_cmd_list_keys },
  { "list-clients", "List the clients that have keys (administrators only)", tool_cmd_list_clients },
  { "delete-client", "Delete every key of a client (administrators only)", tool_cmd_delete_client },
  { "generate-random", "Generate random bytes", tool_cmd_generate_random },
  { "export-public-key", "Export the public part of a key (PEM by default)", tool_cmd_export_public_key },
  { "create-rsa-key", "Create an RSA key pair for encryption (default) or signing", tool_cmd_create_rsa_key,
    TOOL_COMMAND_OAEP_SHORT },
  { "create-ecc-key", "Create an elliptic-curve key pair for ECDSA signing", tool_cmd_create_ecc_key },
  { "encrypt", "Encrypt data with the algorithm of the key (base64 ciphertext)", tool_cmd_encrypt },
  { "decrypt", "Decrypt data with the algorithm of the key", tool_cmd_decrypt },
  { "sign", "Sign data with the algorithm of the key (base64 signature)", tool_cmd_sign },
  { "delete-key", "Delete a key", tool_cmd_delete_key },
  { "create-csr", "Create a PKCS #10 certificate signing request signed by a key", tool_cmd_create_csr },
  { "import-key", "Import a public or private key from a PEM, DER or PSA file", tool_cmd_import_key },
  { "export-key", "Export a key whose policy allows it (private keys are secret)", tool_cmd_export_key },
  { "verify", "Verify a signature with the algorithm of the key", tool_cmd_verify },
  { "hash", "Hash data in the service, or compare with an expected digest", tool_cmd_hash },
  { "create-certificate", "Create a self-signed X.509 certificate for a key", tool_cmd_create_certificate },
  { "pkcs11-uri", "Print the PKCS #11 URI of a key, for programs using the PKCS #11 module", tool_cmd_pkcs11_uri },
  { NULL, NULL, NULL, 0 },
};

static const char exit_status_help[] =
  "Exit status: 0 on success and 1 on any failure, as parsec-tool (verify and\n"
  "hash --expect also exit with 1 when the signature or digest does not match).\n"
  "With --exit-status detailed, or " TOOL_EXIT_STATUS_ENV "=detailed in the environment:\n"
  "  0  success\n"
  "  1  verify or hash --expect: the signature or digest does not match\n"
  "  2  usage error: bad option or argument, unreadable or unusable input,\n"
  "     a key whose policy does not allow the operation\n"
  "  3  the service refused the operation (an error status it returned)\n"
  "  4  the service could not be reached or spoke the protocol wrongly:\n"
  "     bad endpoint, service unavailable, timeout, protocol violation\n"
  "  5  local failure, such as an output file that cannot be written";

/* Notes the options that take a value, for tool_compat_normalize_args(). */
static void
note_entries (Tool               *tool,
              const GOptionEntry *entries)
{
  if (tool->value_shorts == NULL)
    {
      tool->value_shorts = g_string_new (NULL);
      tool->value_longs = g_ptr_array_new_with_free_func (g_free);
    }
  for (const GOptionEntry *entry = entries; entry->long_name != NULL; entry++)
    {
      if (entry->arg == G_OPTION_ARG_NONE)
        continue;
      if (entry->short_name != 0)
        g_string_append_c (tool->value_shorts, entry->short_name);
      g_ptr_array_add (tool->value_longs, g_strconcat ("--", entry->long_name, NULL));
    }
}

static void
forget_entries (Tool *tool)
{
  if (tool->value_shorts != NULL)
    g_string_free (g_steal_pointer (&tool->value_shorts), TRUE);
  g_clear_pointer (&tool->value_longs, g_ptr_array_unref);
}

void
tool_add_entries (Tool               *tool,
                  GOptionContext     *context,
                  const GOptionEntry *entries)
{
  note_entries (tool, entries);
  g_option_context_add_main_entries (context, entries, NULL);
}

/* The options of every command, which may precede or follow its name.
 * Before the command they have parsec-tool's short forms (-p, -t); after
 * it, short options belong to the command, as in parsec-tool, where only
 * list-opcodes takes -p. GOption copies the entries, not the strings they
 * point to. */
static GOptionGroup *
global_options_new (Tool     *tool,
                    gboolean  before_command)
{
  gboolean provider_short = before_command ||
                            (tool->command != NULL && (tool->command->flags & TOOL_COMMAND_PROVIDER_SHORT));
  const GOptionEntry entries[] = {
    { "provider", provider_short ? 'p' : 0, 0, G_OPTION_ARG_STRING, &tool->provider,
      "Provider of the command, by id or name (default: the service's first crypto provider)", "ID" },
    { "timeout", before_command ? 't' : 0, 0, G_OPTION_ARG_STRING, &tool->timeout,
      "Deadline of each request in seconds, 0 for none (default: GSettings, or 60)", "SECONDS" },
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &tool->endpoint,
      "Service endpoint URI (default: PARSEC_SERVICE_ENDPOINT, GSettings, unix:/run/parsec/parsec.sock)", "URI" },
    { "app-name", 0, 0, G_OPTION_ARG_STRING, &tool->app_name,
      "Application name for direct authentication (default: parsec-tool, as parsec-tool uses)", "NAME" },
    { "auth", 0, 0, G_OPTION_ARG_STRING, &tool->auth,
      "Authentication: auto (default), none, direct, unix-peer-credentials or jwt-svid", "METHOD" },
    { "jwt-svid-file", 0, 0, G_OPTION_ARG_FILENAME, &tool->jwt_svid_file,
      "File holding the JWT-SVID token for --auth jwt-svid", "FILE" },
    { "exit-status", 0, 0, G_OPTION_ARG_STRING, &tool->exit_status,
      "parsec-tool (default: 1 on any failure) or detailed (see --help)", "KIND" },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group = g_option_group_new ("global", "Global options (they may also precede the command):",
                                            "Show the global options", NULL, NULL);

  note_entries (tool, entries);
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
  /* The command's options replace those before it. */
  forget_entries (tool);
  context = g_option_context_new (parameters);
  g_option_context_set_summary (context, tool->command->summary);
  if (description != NULL)
    g_option_context_set_description (context, description);
  /* The globals again, so that they may also follow the command. */
  g_option_context_add_group (context, global_options_new (tool, FALSE));
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

  tool_add_entries (tool, context, entries);
}

/* @default_format is parsec-tool's, @json_format the default with --json. */
void
tool_add_output_options (Tool           *tool,
                         GOptionContext *context,
                         ToolFormat      formats,
                         ToolFormat      default_format,
                         ToolFormat      json_format)
{
  g_autoptr(GString) help = g_string_new ("Output encoding: ");

  tool->formats = formats;
  tool->default_format = default_format;
  tool->json_format = json_format;
  for (ToolFormat f = TOOL_FORMAT_PEM; f <= TOOL_FORMAT_TEXT; f <<= 1)
    if (formats & f)
      g_string_append_printf (help, "%s%s%s%s", help->str[help->len - 1] == ' ' ? "" : ", ",
                              tool_format_get_name (f), f == default_format ? " (default)" : "",
                              f == json_format && f != default_format ? " (default with --json)" : "");
  g_free (tool->format_help);
  tool->format_help = g_string_free (g_steal_pointer (&help), FALSE);
  {
    const GOptionEntry entries[] = {
      { "format", 'f', 0, G_OPTION_ARG_STRING, &tool->format_name, tool->format_help, "FORMAT" },
      G_OPTION_ENTRY_NULL
    };

    tool_add_entries (tool, context, entries);
  }
}

static gboolean
parse_format (Tool    *tool,
              GError **error)
{
  tool->format = tool->json ? tool->json_format : tool->default_format;
  if (tool->format_name == NULL)
    return TRUE;
  for (ToolFormat f = TOOL_FORMAT_PEM; f <= TOOL_FORMAT_TEXT; f <<= 1)
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

static gboolean
check_exit_status_option (const char  *kind,
                          GError     **error)
{
  if (kind == NULL || g_str_equal (kind, "parsec-tool") || g_str_equal (kind, "detailed"))
    return TRUE;
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "unknown --exit-status “%s”: use parsec-tool or detailed",
               kind);
  return FALSE;
}

gboolean
tool_parse (Tool             *tool,
            GOptionContext   *context,
            char           ***args,
            GError          **error)
{
  gboolean oaep_short = (tool->command->flags & TOOL_COMMAND_OAEP_SHORT) != 0;
  gboolean version = FALSE;
  const GOptionEntry output_entries[] = {
    { "output", oaep_short ? 0 : 'o', 0, G_OPTION_ARG_FILENAME, &tool->output,
      "Write the result to FILE (-: standard output, even secrets to a terminal)", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &tool->json, "Write the result as JSON, for scripts", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_auto(GStrv) expanded = NULL;
  char **rest;
  guint n_rest;

  tool_add_entries (tool, context, output_entries);
  if (tool->multi_value_long != NULL)
    *args = expanded = tool_compat_expand_values (*args, tool->multi_value_long);
  tool->args = tool_compat_normalize_args (*args, tool->value_shorts->str, tool->value_longs, FALSE);
  *args = tool->args;
  if (!g_option_context_parse_strv (context, args, error) ||
      !check_exit_status_option (tool->exit_status, error))
    return FALSE;
  if (version)
    {
      /* As GOption does for --help */
      g_print ("%s %s\n", TOOL_NAME, PACKAGE_VERSION);
      exit (TOOL_EXIT_OK);
    }

  /* What is left after the command's name: its argument, if it takes
   * one. GOption may leave a "--" in front of it. */
  rest = *args + 1;
  if (rest[0] != NULL && g_str_equal (rest[0], "--"))
    rest++;
  n_rest = g_strv_length (rest);
  if (n_rest > (tool->argument_name != NULL ? 1 : 0))
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "unexpected argument “%s”",
                   rest[tool->argument_name != NULL ? 1 : 0]);
      return FALSE;
    }
  if (n_rest == 1)
    tool->argument = g_strdup (rest[0]);
  if (tool->argument != NULL && (tool->data != NULL || tool->input != NULL))
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "%s, --data and --input exclude each other",
                   tool->argument_name);
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
parse_provider (const char      *text,
                ParsecProvider  *provider,
                GError         **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PARSEC_TYPE_PROVIDER);
  GEnumValue *value = g_enum_get_value_by_nick (klass, text);
  guint64 number;

  if (value != NULL)
    {
      *provider = value->value;
      return TRUE;
    }
  /* As parsec-tool, only the ids of known providers */
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT8, &number, NULL) &&
      g_enum_get_value (klass, (int) number) != NULL)
    {
      *provider = (ParsecProvider) number;
      return TRUE;
    }
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
               "unknown --provider “%s”: give the id of a provider (0 to 5) or its name: core, mbed-crypto, "
               "pkcs11, tpm, trusted-service or cryptoauthlib", text);
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
  ParsecAuthMethod method = PARSEC_AUTH_METHOD_AUTO;
  ParsecProvider provider = PARSEC_PROVIDER_AUTO;
  int timeout_ms = -1;

  if (tool->client != NULL)
    return tool->client;

  /* What was not given stays unset (NULL, AUTO, -1), which leaves the
   * choice to the library (PARSEC_SERVICE_ENDPOINT, GSettings, defaults). */
  if (tool->auth != NULL && !parse_auth (tool->auth, &method, error))
    return NULL;
  if (tool->provider != NULL && !parse_provider (tool->provider, &provider, error))
    return NULL;
  if (tool->timeout != NULL)
    {
      guint64 seconds;

      if (!g_ascii_string_to_unsigned (tool->timeout, 10, 0, G_MAXINT / 1000, &seconds, NULL))
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                       "--timeout wants a whole number of seconds, not “%s”", tool->timeout);
          return NULL;
        }
      timeout_ms = (int) seconds * 1000;
    }

  /* The library has no other source of a name than a GApplication; use
   * parsec-tool's so that both tools see the same keys. */
  client = g_object_new (PARSEC_TYPE_CLIENT,
                         "endpoint", tool->endpoint,
                         "application-name", tool->app_name != NULL ? tool->app_name : "parsec-tool",
                         "auth-method", method,
                         "provider", provider,
                         "timeout", timeout_ms,
                         NULL);
  if (tool->jwt_svid_file != NULL)
    {
      g_autoptr(GBytes) token = tool_read_file (tool->jwt_svid_file, "the JWT-SVID token", error);
      char *text;
      gsize len;

      if (token == NULL)
        return NULL;
      /* A NUL-terminated, whitespace-trimmed copy, wiped once handed over. */
      len = g_bytes_get_size (token);
      text = (char *) secure_alloc (len + 1);
      memcpy (text, g_bytes_get_data (token, NULL), len);
      parsec_client_set_jwt_svid_token (client, g_strstrip (text));
      secure_free (text);
    }

  if (!g_initable_init (G_INITABLE (client), NULL, error))
    return NULL;
  tool->client = g_steal_pointer (&client);
  return tool->client;
}

void
tool_note_namespace (Tool         *tool,
                     ParsecClient *client)
{
  if (tool->app_name == NULL ||
      parsec_client_get_auth_type (client) != PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS)
    return;
  g_printerr ("%s: the service authenticates users (Unix peer credentials): the keys are those of uid %u, "
              "whatever --app-name says\n", TOOL_NAME, (guint) geteuid ());
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

/* The name of an error's code, where its domain has an enumeration. */
static char *
error_code_name (const GError *error)
{
  GType type = G_TYPE_INVALID;
  g_autoptr(GEnumClass) klass = NULL;
  GEnumValue *value;

  if (error->domain == TOOL_ERROR)
    {
      static const char *const names[] = { "usage", "mismatch", "local" };

      return error->code >= 0 && (gsize) error->code < G_N_ELEMENTS (names) ? g_strdup (names[error->code]) : NULL;
    }
  if (error->domain == PARSEC_ERROR)
    type = PARSEC_TYPE_ERROR;
  else if (error->domain == G_IO_ERROR)
    type = G_TYPE_IO_ERROR_ENUM;
  if (type == G_TYPE_INVALID)
    return NULL;
  klass = g_type_class_ref (type);
  value = g_enum_get_value (klass, error->code);
  return value != NULL ? g_strdup (value->value_nick) : NULL;
}

/* Under --json, one line on standard error, as the message would be:
 * {"error":{"command":…,"domain":…,"code":…,"name":…,"message":…,"exit_status":…}} */
static void
print_json_error (const char   *command,
                  const GError *error,
                  int           status)
{
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autofree char *name = error_code_name (error);

  tool_json_begin_object (json);
  tool_json_key (json, "error");
  tool_json_begin_object (json);
  tool_json_key (json, "command");
  tool_json_string (json, command);
  tool_json_key (json, "domain");
  tool_json_string (json, g_quark_to_string (error->domain));
  tool_json_key (json, "code");
  tool_json_int (json, error->code);
  tool_json_key (json, "name");
  tool_json_string (json, name);
  tool_json_key (json, "message");
  tool_json_string (json, error->message);
  tool_json_key (json, "exit_status");
  tool_json_int (json, status);
  tool_json_end_object (json);
  tool_json_end_object (json);
  g_printerr ("%s\n", tool_json_get_text (json));
}

static void
print_error (const char   *command,
             const GError *error)
{
  g_autofree char *line = g_strdup (error->message);
  g_autofree char *message = NULL;

  /* One line, whatever the message, and nothing in it (a name from the
   * service or another client) that the terminal would act on. */
  g_strdelimit (line, "\r\n", ' ');
  g_strchomp (line);
  message = tool_escape (line);
  if (command != NULL)
    g_printerr ("%s: %s: %s\n", TOOL_NAME, command, message);
  else
    g_printerr ("%s: %s\n", TOOL_NAME, message);
}

static char *
commands_help (void)
{
  GString *help = g_string_new ("Commands:\n");
  gsize width = strlen ("help");

  for (const ToolCommand *c = tool_commands; c->name != NULL; c++)
    width = MAX (width, strlen (c->name));
  for (const ToolCommand *c = tool_commands; c->name != NULL; c++)
    g_string_append_printf (help, "  %-*s  %s\n", (int) width, c->name, c->summary);
  g_string_append_printf (help, "  %-*s  %s\n", (int) width, "help", "Print this help, or the help of a command");
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
  g_clear_pointer (&tool->exit_status, g_free);
  g_clear_pointer (&tool->output, g_free);
  g_clear_pointer (&tool->format_name, g_free);
  g_clear_pointer (&tool->format_help, g_free);
  g_clear_pointer (&tool->input, g_free);
  /* --data and the argument may be plaintext. */
  if (tool->data != NULL)
    secure_wipe (tool->data, strlen (tool->data));
  g_clear_pointer (&tool->data, g_free);
  if (tool->argument != NULL)
    secure_wipe (tool->argument, strlen (tool->argument));
  g_clear_pointer (&tool->argument, g_free);
  g_clear_pointer (&tool->input_format, g_free);
  g_clear_pointer (&tool->args, g_strfreev);
  forget_entries (tool);
}

/* Whether --json is on the command line, before or after the command:
 * known before parsing, so that usage errors are reported in JSON too. */
static gboolean
wants_json (char **argv)
{
  for (guint i = 1; argv[i] != NULL && !g_str_equal (argv[i], "--"); i++)
    if (g_str_equal (argv[i], "--json"))
      return TRUE;
  return FALSE;
}

/* Whether the main help may be printed: the list of commands is written
 * only then, not at every command's start. Any argument that could ask
 * for it counts, wherever it is. */
static gboolean
wants_main_help (char **argv)
{
  for (guint i = 1; argv[i] != NULL && !g_str_equal (argv[i], "--"); i++)
    if (g_str_has_prefix (argv[i], "--help") || g_str_equal (argv[i], "-h") ||
        g_str_equal (argv[i], "-?") || g_str_equal (argv[i], "help"))
      return TRUE;
  return FALSE;
}

/* Whether to exit with the detailed statuses: --exit-status, wherever it
 * is, outranks the environment. The command line is searched before it
 * is parsed, so that usage errors follow it too. */
static gboolean
wants_detailed_exit (char **argv)
{
  const char *kind = g_getenv (TOOL_EXIT_STATUS_ENV);

  for (guint i = 1; argv[i] != NULL && !g_str_equal (argv[i], "--"); i++)
    {
      if (g_str_has_prefix (argv[i], "--exit-status="))
        kind = argv[i] + strlen ("--exit-status=");
      else if (g_str_equal (argv[i], "--exit-status") && argv[i + 1] != NULL)
        kind = argv[++i];
    }
  return g_strcmp0 (kind, "detailed") == 0;
}

static const ToolCommand *
find_command (const char *name)
{
  for (const ToolCommand *c = tool_commands; c->name != NULL; c++)
    if (g_str_equal (c->name, name))
      return c;
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  Tool tool = { 0 };
  gboolean version = FALSE;
  const GOptionEntry main_entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &tool.json, "Write the result as JSON, for scripts", NULL },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *help = NULL;
  g_auto(GStrv) args = NULL;
  g_auto(GStrv) help_args = NULL;
  const char *command = NULL;
  gboolean detailed, json_errors;
  int status = TOOL_EXIT_OK;

#ifdef TOOL_STATIC_GIO
  /* GIO is linked in (-Dtool_static): the installed GIO modules, built
   * against the shared GIO, would bring a second GLib type system into
   * the process. None is loaded: GSettings has its built-in backends. */
  g_setenv ("GIO_MODULE_DIR", "/dev/null", TRUE);
  g_unsetenv ("GIO_EXTRA_MODULES");
#endif
  /* The character set (GLib's conversions of output and file names) and
   * the language of messages. The other categories are not used, and
   * each costs a locale file read at every start. */
  setlocale (LC_CTYPE, "");
  setlocale (LC_MESSAGES, "");
  g_set_prgname (TOOL_NAME);
  detailed = wants_detailed_exit (argv);
  json_errors = wants_json (argv);

  context = g_option_context_new ("COMMAND [OPTION…]");
  g_option_context_set_summary (context, "A command line client of the Parsec security service, "
                                         "which takes parsec-tool's command lines.");
  if (wants_main_help (argv))
    {
      help = commands_help ();
      g_option_context_set_description (context, help);
    }
  g_option_context_set_main_group (context, global_options_new (&tool, TRUE));
  tool_add_entries (&tool, context, main_entries);
  /* Stop at the command: what follows belongs to it. */
  g_option_context_set_strict_posix (context, TRUE);

  args = tool_compat_normalize_args (argv, tool.value_shorts->str, tool.value_longs, TRUE);
  if (!g_option_context_parse_strv (context, &args, &error) ||
      !check_exit_status_option (tool.exit_status, &error))
    goto out;

  if (version)
    {
      g_print ("%s %s\n", TOOL_NAME, PACKAGE_VERSION);
      goto out;
    }
  if (args[0] == NULL || args[1] == NULL)
    {
      g_set_error (&error, TOOL_ERROR, TOOL_ERROR_USAGE, "no command given; see “%s --help”", TOOL_NAME);
      goto out;
    }

  /* "help [COMMAND]", as parsec-tool has it */
  if (g_str_equal (args[1], "help") && (args[2] == NULL || args[3] == NULL))
    {
      const char *command_help[] = { args[2], "--help", NULL };

      if (args[2] == NULL || g_str_equal (args[2], "help"))
        {
          g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);

          g_print ("%s", text);
          goto out;
        }
      tool.command = find_command (args[2]);
      if (tool.command != NULL)
        {
          /* --help ends the process */
          help_args = g_strdupv ((char **) command_help);
          tool.command->handler (&tool, help_args, &error);
          g_assert_not_reached ();
        }
    }

  tool.command = find_command (args[1]);
  if (tool.command == NULL)
    {
      g_set_error (&error, TOOL_ERROR, TOOL_ERROR_USAGE, "unknown command “%s”; see “%s --help”",
                   g_str_equal (args[1], "help") && args[2] != NULL ? args[2] : args[1], TOOL_NAME);
      goto out;
    }

  /* The command parses its own options from args[1] on, in place; its
   * name stands where GOption expects the program's. */
  command = tool.command->name;
  /* A failure must never pass for success, nor crash the report, even
   * where a callee fails without saying why. */
  if (!tool.command->handler (&tool, args + 1, &error) && error == NULL)
    g_set_error_literal (&error, TOOL_ERROR, TOOL_ERROR_LOCAL, "the command failed without a reason");

out:
  if (error != NULL)
    {
      status = detailed ? exit_status_for (error) : TOOL_EXIT_FAILURE;
      if (json_errors || tool.json)
        print_json_error (command, error, status);
      else
        print_error (command, error);
    }
  tool_clear (&tool);
  return status;
}
