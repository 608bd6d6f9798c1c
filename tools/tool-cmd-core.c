/* tool-cmd-core.c: discovery and administration commands
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "tool.h"

/* Parses a command without options of its own and connects. */
static ParsecClient *
parse_and_connect (Tool            *tool,
                   GOptionContext  *context,
                   char          ***args,
                   GError         **error)
{
  if (!tool_parse (tool, context, args, error))
    return NULL;
  return tool_get_client (tool, error);
}

gboolean
tool_cmd_ping (Tool    *tool,
               char   **args,
               GError **error)
{
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(ParsecProtocolVersion) version = NULL;
  ParsecClient *client;

  client = parse_and_connect (tool, context, &args, error);
  if (client == NULL || (version = parsec_client_ping (client, NULL, error)) == NULL)
    return FALSE;

  if (!tool->json)
    return tool_print (tool, error, "%u.%u\n", version->major, version->minor);
  tool_json_begin_object (json);
  tool_json_key (json, "wire_protocol_version");
  tool_json_begin_object (json);
  tool_json_key (json, "major");
  tool_json_int (json, version->major);
  tool_json_key (json, "minor");
  tool_json_int (json, version->minor);
  tool_json_end_object (json);
  tool_json_end_object (json);
  return tool_json_write (tool, json, FALSE, error);
}

gboolean
tool_cmd_list_providers (Tool    *tool,
                         char   **args,
                         GError **error)
{
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) providers = NULL;
  ParsecClient *client;

  client = parse_and_connect (tool, context, &args, error);
  if (client == NULL || (providers = parsec_client_list_providers (client, NULL, error)) == NULL)
    return FALSE;

  tool_json_begin_array (json);
  for (guint i = 0; i < providers->len; i++)
    {
      ParsecProviderInfo *info = g_ptr_array_index (providers, i);
      guint id = parsec_provider_info_get_id (info);
      g_autofree char *nick = tool_enum_nick (PARSEC_TYPE_PROVIDER, (int) id);
      g_autofree char *version = g_strdup_printf ("%u.%u.%u",
                                                  parsec_provider_info_get_version_major (info),
                                                  parsec_provider_info_get_version_minor (info),
                                                  parsec_provider_info_get_version_revision (info));

      const char *vendor = parsec_provider_info_get_vendor (info);
      g_autofree char *name = tool_compat_provider_name (id);

      g_autofree char *description = tool_escape (parsec_provider_info_get_description (info));
      g_autofree char *vendor_text = tool_escape (vendor != NULL && *vendor != '\0' ? vendor : "Unspecified");
      g_autofree char *uuid = tool_escape (parsec_provider_info_get_uuid (info));

      g_string_append_printf (text, "ID: 0x%02x (%s)\nDescription: %s\nVersion: %s\nVendor: %s\nUUID: %s\n\n",
                              id, name, description, version, vendor_text, uuid);
      tool_json_begin_object (json);
      tool_json_key (json, "id");
      tool_json_int (json, id);
      tool_json_key (json, "name");
      tool_json_string (json, nick);
      tool_json_key (json, "description");
      tool_json_string (json, parsec_provider_info_get_description (info));
      tool_json_key (json, "vendor");
      tool_json_string (json, parsec_provider_info_get_vendor (info));
      tool_json_key (json, "version");
      tool_json_string (json, version);
      tool_json_key (json, "uuid");
      tool_json_string (json, parsec_provider_info_get_uuid (info));
      tool_json_end_object (json);
    }
  tool_json_end_array (json);

  if (tool->json)
    return tool_json_write (tool, json, FALSE, error);
  return tool_write (tool, text->str, text->len, FALSE, error);
}

gboolean
tool_cmd_list_opcodes (Tool    *tool,
                       char   **args,
                       GError **error)
{
  g_autoptr(GOptionContext) context =
    tool_context_new (tool, NULL, "The provider is the one of -p/--provider ID, before or after the command; "
                                  "without it, the core provider, as in parsec-tool.");
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GArray) opcodes = NULL;
  ParsecClient *client;
  guint provider;

  client = parse_and_connect (tool, context, &args, error);
  if (client == NULL)
    return FALSE;
  /* parsec-tool's client starts with the core provider, and list-opcodes
   * asks nothing else: no discovery. */
  provider = parsec_client_get_provider (client) == PARSEC_PROVIDER_AUTO ? PARSEC_PROVIDER_CORE
                                                                         : (guint) parsec_client_get_provider (client);
  opcodes = parsec_client_list_opcodes (client, provider, NULL, error);
  if (opcodes == NULL)
    return FALSE;

  tool_json_begin_object (json);
  tool_json_key (json, "provider");
  tool_json_int (json, provider);
  tool_json_key (json, "opcodes");
  tool_json_begin_array (json);
  for (guint i = 0; i < opcodes->len; i++)
    {
      guint32 opcode = g_array_index (opcodes, guint32, i);
      g_autofree char *nick = tool_enum_nick (PARSEC_TYPE_OPCODE, (int) opcode);
      g_autofree char *name = tool_compat_opcode_name (opcode);

      g_string_append_printf (text, "0x%02x (%s)\n", opcode, name);
      tool_json_begin_object (json);
      tool_json_key (json, "opcode");
      tool_json_int (json, opcode);
      tool_json_key (json, "name");
      tool_json_string (json, nick);
      tool_json_end_object (json);
    }
  tool_json_end_array (json);
  tool_json_end_object (json);

  if (tool->json)
    return tool_json_write (tool, json, FALSE, error);
  return tool_write (tool, text->str, text->len, FALSE, error);
}

gboolean
tool_cmd_list_authenticators (Tool    *tool,
                              char   **args,
                              GError **error)
{
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GPtrArray) authenticators = NULL;
  ParsecClient *client;

  client = parse_and_connect (tool, context, &args, error);
  if (client == NULL || (authenticators = parsec_client_list_authenticators (client, NULL, error)) == NULL)
    return FALSE;

  tool_json_begin_array (json);
  for (guint i = 0; i < authenticators->len; i++)
    {
      ParsecAuthenticatorInfo *info = g_ptr_array_index (authenticators, i);
      guint id = parsec_authenticator_info_get_id (info);
      g_autofree char *nick = tool_enum_nick (PARSEC_TYPE_AUTH_TYPE, (int) id);
      g_autofree char *version = g_strdup_printf ("%u.%u.%u",
                                                  parsec_authenticator_info_get_version_major (info),
                                                  parsec_authenticator_info_get_version_minor (info),
                                                  parsec_authenticator_info_get_version_revision (info));

      g_autofree char *name = tool_compat_authenticator_name (id);
      g_autofree char *description = tool_escape (parsec_authenticator_info_get_description (info));

      g_string_append_printf (text, "ID: 0x%02x (%s)\nDescription: %s\nVersion: %s\n\n",
                              id, name, description, version);
      tool_json_begin_object (json);
      tool_json_key (json, "id");
      tool_json_int (json, id);
      tool_json_key (json, "name");
      tool_json_string (json, nick);
      tool_json_key (json, "description");
      tool_json_string (json, parsec_authenticator_info_get_description (info));
      tool_json_key (json, "version");
      tool_json_string (json, version);
      tool_json_end_object (json);
    }
  tool_json_end_array (json);

  if (tool->json)
    return tool_json_write (tool, json, FALSE, error);
  return tool_write (tool, text->str, text->len, FALSE, error);
}

gboolean
tool_cmd_list_clients (Tool    *tool,
                       char   **args,
                       GError **error)
{
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ToolJson) json = tool_json_new ();
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) clients = NULL;
  ParsecClient *client;

  client = parse_and_connect (tool, context, &args, error);
  if (client == NULL || (clients = parsec_client_list_clients (client, NULL, error)) == NULL)
    return FALSE;

  tool_json_begin_array (json);
  for (guint i = 0; clients[i] != NULL; i++)
    {
      g_autofree char *shown = tool_escape (clients[i]);

      g_string_append_printf (text, "%s\n", shown);
      tool_json_string (json, clients[i]);
    }
  tool_json_end_array (json);

  if (tool->json)
    return tool_json_write (tool, json, FALSE, error);
  return tool_write (tool, text->str, text->len, FALSE, error);
}

gboolean
tool_cmd_delete_client (Tool    *tool,
                        char   **args,
                        GError **error)
{
  g_autofree char *name = NULL;
  const GOptionEntry entries[] = {
    { "client", 'c', 0, G_OPTION_ARG_STRING, &name, "The client whose keys to delete (required)", "NAME" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = tool_context_new (tool, NULL, NULL);
  g_autoptr(ToolJson) json = tool_json_new ();
  ParsecClient *client;

  tool_add_entries (tool, context, entries);
  if (!tool_parse (tool, context, &args, error) ||
      !tool_require (name, "--client", error) ||
      (client = tool_get_client (tool, error)) == NULL ||
      !parsec_client_delete_client (client, name, NULL, error))
    return FALSE;

  /* parsec-tool prints nothing */
  if (!tool->json)
    return TRUE;
  tool_json_begin_object (json);
  tool_json_key (json, "deleted_client");
  tool_json_string (json, name);
  tool_json_end_object (json);
  return tool_json_write (tool, json, FALSE, error);
}
