/* tool-cmd-pkcs11.c: what a user needs around the PKCS #11 module
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * pkcs11-uri prints the URI other programs find a key at through the
 * parsec-glib PKCS #11 module; create-certificate makes the self-signed
 * X.509 certificate (RFC 5280) that TLS clients and servers pair with it.
 */
#include "config.h"

#include <string.h>

#include "tool.h"

#define OID_BASIC_CONSTRAINTS "2.5.29.19"
#define OID_KEY_USAGE         "2.5.29.15"

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
    tool_context_new (tool, NULL, "The URI names the token of the endpoint and key namespace in use, as the "
                                  "parsec-glib PKCS #11 module shows them: the application name's (the module "
                                  "must serve that name, PARSEC_PKCS11_APPLICATION_NAME), or the user's where "
                                  "the service authenticates users (Unix peer credentials).");
  g_autofree char *uri = NULL;
  g_autoptr(GError) discovery_error = NULL;
  ParsecClient *client;

  tool_add_entries (tool, context, entries);
  if (!tool_parse (tool, context, &args, error) ||
      (client = tool_get_client (tool, error)) == NULL)
    return FALSE;
  /* The namespace depends on how the service authenticates; without an
   * answer the URI is the application name's. */
  if (!parsec_client_discover (client, NULL, &discovery_error))
    g_printerr ("%s: cannot ask the service how it authenticates (%s); the URI names the application's token\n",
                TOOL_NAME, discovery_error->message);
  tool_note_namespace (tool, client);
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

/* Time ::= UTCTime (up to 2049) | GeneralizedTime, in UTC */
static GBytes *
x509_time (GDateTime *time)
{
  int year = g_date_time_get_year (time);
  g_autofree char *text = g_date_time_format (time, year < 2050 ? "%y%m%d%H%M%SZ" : "%Y%m%d%H%M%SZ");

  return der_string (year < 2050 ? DER_UTC_TIME : DER_GENERALIZED_TIME, text);
}

/* A positive serial of 16 random bytes (RFC 5280 allows 20). */
static GBytes *
random_serial (void)
{
  guint8 serial[16];

  for (gsize i = 0; i < sizeof serial; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (serial + i, &r, 4);
    }
  serial[0] = (serial[0] & 0x7f) | 0x40;
  return der_uint (serial, sizeof serial);
}

/* basicConstraints (not a CA) and keyUsage (digitalSignature), both
 * critical, then what the subject asks for. */
static GBytes *
certificate_extensions (GBytes *requested)
{
  const guint8 true_value[] = { 0x01, 0x01, 0xff };
  /* BIT STRING, 7 unused bits, digitalSignature */
  const guint8 digital_signature[] = { 0x03, 0x02, 0x07, 0x80 };

  return der_tlv (0xa3,
                  der_seq (der_seq (der_oid (OID_BASIC_CONSTRAINTS), g_bytes_new (true_value, sizeof true_value),
                                    der_tlv (DER_OCTET_STRING, der_tlv (DER_SEQUENCE, g_bytes_new (NULL, 0))), NULL),
                           der_seq (der_oid (OID_KEY_USAGE), g_bytes_new (true_value, sizeof true_value),
                                    der_tlv (DER_OCTET_STRING,
                                             g_bytes_new (digital_signature, sizeof digital_signature)),
                                    NULL),
                           requested,
                           NULL));
}

gboolean
tool_cmd_create_certificate (Tool    *tool,
                             char   **args,
                             GError **error)
{
  g_autofree char *key_name = NULL;
  g_auto(ToolX509Subject) subject = { { NULL } };
  g_auto(ToolX509Parts) parts = { NULL };
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
  g_autoptr(GBytes) tbs = NULL;
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
  tool_x509_subject_default_name (&subject, key_name);
  not_after = g_date_time_add_days (now, days);
  if (!tool_x509_prepare (tool, key_name, &subject, &parts, error))
    return FALSE;

  /* TBSCertificate ::= SEQUENCE { [0] version v3, serialNumber, signature,
   * issuer, validity, subject, subjectPublicKeyInfo, [3] extensions } */
  tbs = der_seq (der_tlv (0xa0, der_small_uint (2)),
                 random_serial (),
                 g_bytes_ref (parts.algorithm),
                 g_bytes_ref (parts.name),
                 der_seq (x509_time (now), x509_time (not_after), NULL),
                 g_bytes_ref (parts.name),
                 g_bytes_ref (parts.public_key),
                 certificate_extensions (g_bytes_ref (parts.extensions)),
                 NULL);
  certificate = tool_x509_sign (&parts, tbs, error);
  if (certificate == NULL)
    return FALSE;
  data.der = certificate;
  tool_json_begin_key_object (json, key_name);
  return tool_emit (tool, &data, json, error);
}
