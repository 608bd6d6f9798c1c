/* tool.h: what the parts of parsec-glib-tool share
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <parsec-glib/parsec-glib.h>

#include "der.h"
#include "secure-mem.h"

G_BEGIN_DECLS

#define TOOL_NAME "parsec-glib-tool"

/* Exit statuses, documented in --help and tools/README.md. parsec-tool
 * exits with 1 on any failure, and so does this tool unless
 * --exit-status detailed (or PARSEC_GLIB_TOOL_EXIT_STATUS=detailed) asks
 * for these. */
#define TOOL_EXIT_STATUS_ENV "PARSEC_GLIB_TOOL_EXIT_STATUS"

typedef enum {
  TOOL_EXIT_OK = 0,
  TOOL_EXIT_MISMATCH = 1,     /* verify, hash --expect: the answer is "no" */
  TOOL_EXIT_USAGE = 2,        /* options, arguments, unreadable or unsuitable input */
  TOOL_EXIT_SERVICE = 3,      /* the service answered with an error status */
  TOOL_EXIT_CONNECTION = 4,   /* endpoint, connection, timeout, protocol */
  TOOL_EXIT_LOCAL = 5,        /* a local failure, such as writing the output */
} ToolExit;

/* Any failure, as parsec-tool reports it */
#define TOOL_EXIT_FAILURE 1

#define TOOL_ERROR (tool_error_quark ())
GQuark tool_error_quark (void);

typedef enum {
  TOOL_ERROR_USAGE,           /* exit 2 */
  TOOL_ERROR_MISMATCH,        /* exit 1 */
  TOOL_ERROR_LOCAL,           /* exit 5 */
} ToolError;

/* Output encodings, as a mask of what a command can produce. */
typedef enum {
  TOOL_FORMAT_PEM = 1 << 0,
  TOOL_FORMAT_DER = 1 << 1,
  TOOL_FORMAT_RAW = 1 << 2,
  TOOL_FORMAT_BASE64 = 1 << 3,
  TOOL_FORMAT_HEX = 1 << 4,
  /* The line parsec-tool prints, where it is none of the above */
  TOOL_FORMAT_TEXT = 1 << 5,
} ToolFormat;

#define TOOL_FORMATS_BINARY (TOOL_FORMAT_RAW | TOOL_FORMAT_BASE64 | TOOL_FORMAT_HEX)

typedef struct _Tool Tool;
typedef gboolean (*ToolHandler) (Tool    *tool,
                                 char   **args,
                                 GError **error);

/* Short options whose meaning after the command is parsec-tool's. */
typedef enum {
  TOOL_COMMAND_NONE = 0,
  TOOL_COMMAND_PROVIDER_SHORT = 1 << 0,   /* -p is --provider (list-opcodes) */
  TOOL_COMMAND_OAEP_SHORT = 1 << 1,       /* -o is --oaep, --output has no short form */
} ToolCommandFlags;

typedef struct {
  const char *name;
  const char *summary;
  ToolHandler handler;
  ToolCommandFlags flags;
} ToolCommand;

struct _Tool
{
  const ToolCommand *command;

  /* Global options; NULL or -1 when not given, so that the library's
   * own configuration (environment, GSettings) applies. */
  char *endpoint;
  char *app_name;
  char *auth;
  char *provider;
  char *timeout;
  char *jwt_svid_file;
  char *exit_status;

  /* Output options */
  char *output;
  char *format_name;
  gboolean json;
  ToolFormat formats;         /* what the command can produce */
  ToolFormat default_format;
  ToolFormat json_format;     /* the default with --json */
  ToolFormat format;          /* chosen, once parsed */
  char *format_help;

  /* Input options */
  char *input;
  char *data;
  char *input_format;

  /* The data as parsec-tool's positional argument, for the commands that
   * take one: its name in --help (NULL: no argument), its encoding and
   * the value given. */
  const char *argument_name;
  const char *argument_encoding;
  char *argument;

  /* The options that take a value, for tool_compat_normalize_args(), the
   * one that takes several, for tool_compat_expand_values(), and the
   * command line they made */
  GString *value_shorts;
  GPtrArray *value_longs;
  const char *multi_value_long;
  char **args;

  ParsecClient *client;
};

/* The option every key command has, named as parsec-tool names it. */
#define TOOL_KEY_NAME_ENTRY(variable) \
  { "key-name", 'k', 0, G_OPTION_ARG_STRING, (variable), "Name of the key (required)", "NAME" }

/* The command table, in parsec-glib-tool.c. */
extern const ToolCommand tool_commands[];

/* parsec-glib-tool.c: options and the client */
GOptionContext *tool_context_new        (Tool             *tool,
                                         const char       *parameters,
                                         const char       *description);
void            tool_add_input_options  (Tool             *tool,
                                         GOptionContext   *context,
                                         const char       *format_help);
void            tool_add_output_options (Tool             *tool,
                                         GOptionContext   *context,
                                         ToolFormat        formats,
                                         ToolFormat        default_format,
                                         ToolFormat        json_format);
void            tool_add_entries        (Tool             *tool,
                                         GOptionContext   *context,
                                         const GOptionEntry *entries);
gboolean        tool_parse              (Tool             *tool,
                                         GOptionContext   *context,
                                         char           ***args,
                                         GError          **error);
gboolean        tool_require            (const char       *value,
                                         const char       *option,
                                         GError          **error);
/* Says on stderr, once the client knows how it authenticates, that the
 * service keeps keys per user where it does, when --app-name was given. */
void            tool_note_namespace     (Tool             *tool,
                                         ParsecClient     *client);
ParsecClient   *tool_get_client         (Tool             *tool,
                                         GError          **error);

/* tool-io.c: input, output, encodings */
GBytes         *tool_read_file          (const char       *path,
                                         const char       *what,
                                         GError          **error);
GInputStream   *tool_open_input_stream  (Tool             *tool,
                                         GError          **error);
GBytes         *tool_read_input         (Tool             *tool,
                                         GError          **error);
GBytes         *tool_decode_text        (GBytes           *text,
                                         const char       *encoding,
                                         const char       *what,
                                         GError          **error);
GBytes         *tool_pem_encode         (const char       *label,
                                         GBytes           *der,
                                         const char       *newline);
GBytes         *tool_pem_decode         (GBytes           *text,
                                         char            **label,
                                         GError          **error);
GBytes         *tool_hex_encode         (GBytes           *data);
GBytes         *tool_base64_encode      (GBytes           *data);
const char     *tool_format_get_name    (ToolFormat        format);
/* @text with controls, bidirectional formatting and bytes that are not
 * UTF-8 escaped (\xNN, \u{NNNN}, \\): how text from the service or
 * other clients is printed, in outputs and messages. */
char           *tool_escape             (const char       *text);
gboolean        tool_write              (Tool             *tool,
                                         const char       *text,
                                         gsize             len,
                                         gboolean          secret,
                                         GError          **error);

/* Data a command produces: @der is the standard encoding (a DER
 * structure, or the data itself when there is no structure), @raw the
 * PSA form where it differs. */
typedef struct {
  GBytes *der;
  GBytes *raw;
  GBytes *text;               /* TOOL_FORMAT_TEXT, the line parsec-tool prints */
  const char *pem_label;
  const char *json_name;
  gboolean secret;
} ToolData;

typedef struct _ToolJson ToolJson;

ToolJson       *tool_json_new           (void);
void            tool_json_free          (ToolJson         *json);
void            tool_json_begin_object  (ToolJson         *json);
void            tool_json_end_object    (ToolJson         *json);
void            tool_json_begin_array   (ToolJson         *json);
void            tool_json_end_array     (ToolJson         *json);
void            tool_json_key           (ToolJson         *json,
                                         const char       *key);
void            tool_json_string        (ToolJson         *json,
                                         const char       *value);
void            tool_json_int           (ToolJson         *json,
                                         gint64            value);
void            tool_json_bool          (ToolJson         *json,
                                         gboolean          value);
void            tool_json_null          (ToolJson         *json);
void            tool_json_begin_key_object (ToolJson      *json,
                                            const char    *key_name);
gboolean        tool_json_write         (Tool             *tool,
                                         ToolJson         *json,
                                         gboolean          secret,
                                         GError          **error);
const char     *tool_json_get_text      (ToolJson         *json);
gboolean        tool_emit               (Tool             *tool,
                                         const ToolData   *data,
                                         ToolJson         *json,
                                         GError          **error);
gboolean        tool_print              (Tool             *tool,
                                         GError          **error,
                                         const char       *format,
                                         ...) G_GNUC_PRINTF (3, 4);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ToolJson, tool_json_free)

/* tool-algorithms.c: hashes, curves, key policies */
typedef struct {
  const char *name;
  ParsecHash hash;
  guint digest_len;
} ToolHash;

typedef struct {
  const char *name;
  const char *alias;
  ParsecEccFamily family;
  guint bits;
  const char *oid;
  ParsecHash default_hash;
} ToolCurve;

const ToolHash  *tool_hash_lookup       (const char       *name,
                                         GError          **error);
const ToolCurve *tool_curve_lookup      (const char       *name,
                                         GError          **error);
const ToolCurve *tool_curve_find        (ParsecEccFamily   family,
                                         guint             bits);
const ToolCurve *tool_curve_find_sized  (ParsecEccFamily   family,
                                         guint             bits,
                                         gsize             len);
char            *tool_enum_nick         (GType             type,
                                         int               value);
char           **tool_usage_nicks       (ParsecKeyUsage    usage);

/* What to create or import: --for-signing and its friends. */
typedef struct {
  gboolean signing;
  gboolean encryption;
  gboolean pss;
  gboolean tls;
  gboolean oaep;
  gboolean exportable;
  char *hash;
} ToolPolicy;

void             tool_add_policy_options (Tool            *tool,
                                          GOptionContext  *context,
                                          ToolPolicy      *policy);
void             tool_policy_clear       (ToolPolicy      *policy);
ParsecKeyAttributes *tool_policy_attributes (const ToolPolicy *policy,
                                             ParsecKeyType     key_type,
                                             const ToolCurve  *curve,
                                             guint             bits,
                                             GError          **error);
gboolean         tool_signature_plan     (const char          *key_name,
                                          ParsecKeyAttributes *attributes,
                                          ParsecAlgorithm    **algorithm,
                                          ParsecHash          *hash,
                                          GError             **error);
gboolean         tool_is_ecdsa           (const ParsecAlgorithm *algorithm);
void             tool_json_key_attributes (ToolJson           *json,
                                           ParsecKeyAttributes *attributes);
char            *tool_describe_key_type  (ParsecKeyAttributes *attributes);

GBytes          *tool_digest             (ParsecClient     *client,
                                          ParsecHash        hash,
                                          GBytes           *data,
                                          GError          **error);
gboolean         tool_hash_streams       (ParsecHash        hash);
GBytes          *tool_sign               (ParsecKey        *key,
                                          ParsecAlgorithm  *algorithm,
                                          ParsecHash        hash,
                                          GBytes           *data,
                                          GInputStream     *stream,
                                          GBytes          **der,
                                          GError          **error);

/* tool-compat.c: what parsec-tool prints, and how it reads its command line */
char           **tool_compat_normalize_args (char          **args,
                                             const char     *value_shorts,
                                             GPtrArray      *value_longs,
                                             gboolean        stop_at_command);
char           **tool_compat_expand_values  (char          **args,
                                             const char     *option);
char            *tool_compat_provider_name  (guint           provider);
char            *tool_compat_authenticator_name (guint       authenticator);
char            *tool_compat_opcode_name    (guint32         opcode);
char            *tool_compat_key_type       (ParsecKeyAttributes *attributes);
char            *tool_compat_algorithm      (const ParsecAlgorithm *algorithm);
GBytes          *tool_compat_hex_line       (GBytes         *data);
GBytes          *tool_compat_text_line      (GBytes         *data);

/* tool-keyfile.c: key files in, private keys out (GnuTLS parses) */
typedef struct {
  GBytes *data;               /* the PSA import format */
  ParsecKeyType key_type;
  const ToolCurve *curve;     /* elliptic curves only */
  guint bits;
} ToolKeyMaterial;

gboolean         tool_key_material_parse (GBytes           *file,
                                          const char       *format,
                                          const char       *type,
                                          const char       *curve,
                                          const char       *password_file,
                                          ToolKeyMaterial  *material,
                                          GError          **error);
void             tool_key_material_clear (ToolKeyMaterial  *material);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ToolKeyMaterial, tool_key_material_clear)

GBytes          *tool_private_key_to_pkcs8 (ParsecKeyAttributes *attributes,
                                            GBytes              *psa,
                                            GError             **error);

/* tool-x509.c: the subject options of certificate requests and certificates */
#define TOOL_X509_NAME_PARTS 7

typedef struct {
  char **values[TOOL_X509_NAME_PARTS];   /* by the name table's order */
  char **alt_names;
} ToolX509Subject;

void             tool_x509_add_subject_options (Tool                  *tool,
                                                GOptionContext        *context,
                                                ToolX509Subject       *subject);
void             tool_x509_subject_clear       (ToolX509Subject       *subject);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ToolX509Subject, tool_x509_subject_clear)
ParsecCertificateOptions *tool_x509_options    (const ToolX509Subject *subject,
                                                GError               **error);
ParsecKey       *tool_x509_lookup_key          (Tool                  *tool,
                                                const char            *key_name,
                                                GError               **error);

/* The handlers, by family */
gboolean tool_cmd_ping                (Tool *tool, char **args, GError **error);
gboolean tool_cmd_list_providers      (Tool *tool, char **args, GError **error);
gboolean tool_cmd_list_opcodes        (Tool *tool, char **args, GError **error);
gboolean tool_cmd_list_authenticators (Tool *tool, char **args, GError **error);
gboolean tool_cmd_list_keys           (Tool *tool, char **args, GError **error);
gboolean tool_cmd_list_clients        (Tool *tool, char **args, GError **error);
gboolean tool_cmd_delete_client       (Tool *tool, char **args, GError **error);
gboolean tool_cmd_create_rsa_key      (Tool *tool, char **args, GError **error);
gboolean tool_cmd_create_ecc_key      (Tool *tool, char **args, GError **error);
gboolean tool_cmd_import_key          (Tool *tool, char **args, GError **error);
gboolean tool_cmd_export_public_key   (Tool *tool, char **args, GError **error);
gboolean tool_cmd_export_key          (Tool *tool, char **args, GError **error);
gboolean tool_cmd_delete_key          (Tool *tool, char **args, GError **error);
gboolean tool_cmd_sign                (Tool *tool, char **args, GError **error);
gboolean tool_cmd_verify              (Tool *tool, char **args, GError **error);
gboolean tool_cmd_encrypt             (Tool *tool, char **args, GError **error);
gboolean tool_cmd_decrypt             (Tool *tool, char **args, GError **error);
gboolean tool_cmd_hash                (Tool *tool, char **args, GError **error);
gboolean tool_cmd_generate_random     (Tool *tool, char **args, GError **error);
gboolean tool_cmd_create_csr          (Tool *tool, char **args, GError **error);
gboolean tool_cmd_create_certificate  (Tool *tool, char **args, GError **error);
gboolean tool_cmd_pkcs11_uri          (Tool *tool, char **args, GError **error);

G_END_DECLS
