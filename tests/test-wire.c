/* test-wire.c: the fixed header codec and the response checks
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"
#include "parsec-wire-private.h"

static void
test_request_layout (void)
{
  ParsecWireHeader header;
  guint8 bytes[PARSEC_WIRE_HEADER_LEN];

  _parsec_wire_header_init_request (&header, 1, 0x1C, 1, 0x01020304, 0x0506);
  header.session = G_GUINT64_CONSTANT (0x1122334455667788);
  _parsec_wire_header_encode (&header, bytes);

  /* Field by field, little-endian, at the offsets of the specification. */
  g_assert_cmphex (bytes[0], ==, 0x10);
  g_assert_cmphex (bytes[1], ==, 0xA7);
  g_assert_cmphex (bytes[2], ==, 0xC0);
  g_assert_cmphex (bytes[3], ==, 0x5E);
  g_assert_cmphex (bytes[4], ==, 30);
  g_assert_cmphex (bytes[5], ==, 0);
  g_assert_cmphex (bytes[6], ==, 1);
  g_assert_cmphex (bytes[7], ==, 0);
  g_assert_cmphex (bytes[8] | bytes[9], ==, 0);
  g_assert_cmphex (bytes[10], ==, 1);
  g_assert_cmphex (bytes[11], ==, 0x88);
  g_assert_cmphex (bytes[18], ==, 0x11);
  g_assert_cmphex (bytes[19], ==, 0);
  g_assert_cmphex (bytes[20], ==, 0);
  g_assert_cmphex (bytes[21], ==, 1);
  g_assert_cmphex (bytes[22], ==, 0x04);
  g_assert_cmphex (bytes[25], ==, 0x01);
  g_assert_cmphex (bytes[26], ==, 0x06);
  g_assert_cmphex (bytes[27], ==, 0x05);
  g_assert_cmphex (bytes[28], ==, 0x1C);
  g_assert_cmphex (bytes[29] | bytes[30] | bytes[31], ==, 0);
  for (guint i = 32; i < PARSEC_WIRE_HEADER_LEN; i++)
    g_assert_cmphex (bytes[i], ==, 0);
}

static void
test_roundtrip (void)
{
  for (guint round = 0; round < 1000; round++)
    {
      ParsecWireHeader in = {
        .magic = g_random_int (),
        .header_size = g_random_int_range (0, 65536),
        .version_major = g_random_int_range (0, 256),
        .version_minor = g_random_int_range (0, 256),
        .flags = g_random_int_range (0, 65536),
        .provider = g_random_int_range (0, 256),
        .session = ((guint64) g_random_int () << 32) | g_random_int (),
        .content_type = g_random_int_range (0, 256),
        .accept_type = g_random_int_range (0, 256),
        .auth_type = g_random_int_range (0, 256),
        .body_len = g_random_int (),
        .auth_len = g_random_int_range (0, 65536),
        .opcode = g_random_int (),
        .status = g_random_int_range (0, 65536),
        .reserved1 = g_random_int_range (0, 256),
        .reserved2 = g_random_int_range (0, 256),
      };
      ParsecWireHeader out;
      guint8 bytes[PARSEC_WIRE_HEADER_LEN];
      guint8 again[PARSEC_WIRE_HEADER_LEN];

      _parsec_wire_header_encode (&in, bytes);
      _parsec_wire_header_decode (bytes, &out);
      _parsec_wire_header_encode (&out, again);
      g_assert_cmpmem (bytes, sizeof bytes, again, sizeof again);
#define SAME(field) g_assert_cmpuint (in.field, ==, out.field)
      SAME (magic); SAME (header_size); SAME (version_major); SAME (version_minor);
      SAME (flags); SAME (provider); SAME (session); SAME (content_type);
      SAME (accept_type); SAME (auth_type); SAME (body_len); SAME (auth_len);
      SAME (opcode); SAME (status); SAME (reserved1); SAME (reserved2);
#undef SAME
    }
}

static ParsecWireHeader
good_response (void)
{
  ParsecWireHeader header;

  _parsec_wire_header_init_request (&header, 0, PARSEC_OPCODE_LIST_OPCODES, 0, 6, 0);
  header.accept_type = 0;
  return header;
}

typedef struct {
  const char *name;
  void (*mutate) (ParsecWireHeader *header);
  GQuark domain;
  int code;
  const char *message_part;
} MalformedCase;

static void bad_magic (ParsecWireHeader *h) { h->magic = 0xDEADBEEF; }
static void bad_header_size (ParsecWireHeader *h) { h->header_size = 32; }
static void bad_major (ParsecWireHeader *h) { h->version_major = 2; }
static void bad_minor (ParsecWireHeader *h) { h->version_minor = 1; }
static void bad_reserved1 (ParsecWireHeader *h) { h->reserved1 = 1; }
static void bad_reserved2 (ParsecWireHeader *h) { h->reserved2 = 0x80; }
static void too_long (ParsecWireHeader *h) { h->body_len = 1024 + 1; }
static void error_default_header (ParsecWireHeader *h) { h->status = 21; h->opcode = PARSEC_OPCODE_PING; h->body_len = 0; }
static void unknown_status (ParsecWireHeader *h) { h->status = 4242; h->opcode = PARSEC_OPCODE_PING; }
static void psa_status (ParsecWireHeader *h) { h->status = 1140; }
static void wrong_opcode (ParsecWireHeader *h) { h->opcode = PARSEC_OPCODE_LIST_PROVIDERS; }
static void oversized_error (ParsecWireHeader *h) { h->status = 1; h->body_len = G_MAXUINT32; }

static const MalformedCase malformed_cases[] = {
  { "magic", bad_magic, 0, PARSEC_ERROR_PROTOCOL_VIOLATION, "magic" },
  { "header-size", bad_header_size, 0, PARSEC_ERROR_PROTOCOL_VIOLATION, "header of size 32" },
  { "version-major", bad_major, 0, PARSEC_ERROR_PROTOCOL_VIOLATION, "version 2.0" },
  { "version-minor", bad_minor, 0, PARSEC_ERROR_PROTOCOL_VIOLATION, "version 1.1" },
  { "reserved1", bad_reserved1, 0, PARSEC_ERROR_PROTOCOL_VIOLATION, "reserved" },
  { "reserved2", bad_reserved2, 0, PARSEC_ERROR_PROTOCOL_VIOLATION, "reserved" },
  { "body-too-long", too_long, 0, PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT, "1025-byte" },
  /* A body length beyond the limit is refused even on an error reply:
   * the limit is checked before anything else is believed. */
  { "oversized-error", oversized_error, 0, PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT, "max-response-size" },
  { "error-default-header", error_default_header, 0, PARSEC_ERROR_ADMIN_OPERATION, "AdminOperation, status 21" },
  { "unknown-status", unknown_status, 0, 4242, "status 4242" },
  { "psa-status", psa_status, 0, PARSEC_ERROR_PSA_DOES_NOT_EXIST, "PsaErrorDoesNotExist" },
  { "wrong-opcode", wrong_opcode, 0, PARSEC_ERROR_PROTOCOL_VIOLATION, "response to ListProviders" },
};

static void
test_malformed (gconstpointer data)
{
  const MalformedCase *c = data;
  ParsecWireHeader header = good_response ();
  g_autoptr(GError) error = NULL;

  c->mutate (&header);
  g_assert_false (_parsec_wire_check_response_header (&header, PARSEC_OPCODE_LIST_OPCODES, 1024, &error));
  g_assert_error (error, PARSEC_ERROR, c->code);
  g_assert_nonnull (strstr (error->message, c->message_part));
}

static void
test_good_response (void)
{
  ParsecWireHeader header = good_response ();
  g_autoptr(GError) error = NULL;

  /* Flags, provider and session are the service's business. */
  header.flags = 0xFFFF;
  header.provider = 200;
  header.session = 77;
  g_assert_true (_parsec_wire_check_response_header (&header, PARSEC_OPCODE_LIST_OPCODES, 1024, &error));
  g_assert_no_error (error);
}

static void
test_prefix (void)
{
  guint8 bytes[PARSEC_WIRE_HEADER_LEN];
  ParsecWireHeader header = good_response ();
  g_autoptr(GError) error = NULL;

  _parsec_wire_header_encode (&header, bytes);
  for (gsize len = 0; len <= PARSEC_WIRE_PREFIX_LEN; len++)
    g_assert_true (_parsec_wire_check_prefix (bytes, len, NULL));

  /* A wrong magic number is noticed as soon as its four bytes are in. */
  bytes[3] = 0;
  g_assert_true (_parsec_wire_check_prefix (bytes, 3, NULL));
  g_assert_false (_parsec_wire_check_prefix (bytes, 4, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
}

static void
test_status_names (void)
{
  g_assert_cmpstr (parsec_status_get_name (1), ==, "WrongProviderId");
  g_assert_cmpstr (parsec_status_get_name (22), ==, "DeprecatedPrimitive");
  g_assert_cmpstr (parsec_status_get_name (1132), ==, "PsaErrorGenericError");
  g_assert_cmpstr (parsec_status_get_name (1153), ==, "PsaErrorDataInvalid");
  g_assert_null (parsec_status_get_name (0));
  g_assert_null (parsec_status_get_name (23));
  g_assert_null (parsec_status_get_name (1144));
  g_assert_null (parsec_status_get_name (65535));
}

static void
test_opcode_names (void)
{
  g_assert_cmpstr (parsec_opcode_get_name (PARSEC_OPCODE_PSA_SIGN_HASH), ==, "PsaSignHash");
  g_assert_cmpstr (parsec_opcode_get_name (PARSEC_OPCODE_PING), ==, "Ping");
  g_assert_cmpstr (parsec_opcode_get_name (PARSEC_OPCODE_LIST_KEYS), ==, "ListKeys");
  g_assert_cmpstr (parsec_opcode_get_name (PARSEC_OPCODE_CAN_DO_CRYPTO), ==, "CanDoCrypto");
  /* Numbers the protocol does not use, in the table's gap and past it. */
  g_assert_null (parsec_opcode_get_name ((ParsecOpcode) 0));
  g_assert_null (parsec_opcode_get_name ((ParsecOpcode) 0x1D));
  g_assert_null (parsec_opcode_get_name ((ParsecOpcode) 0x21));
  g_assert_null (parsec_opcode_get_name ((ParsecOpcode) 0xFFFF));
  g_assert_null (parsec_opcode_get_name ((ParsecOpcode) G_MAXUINT32));
  /* The library's own messages name unknown operations in words. */
  g_assert_cmpstr (_parsec_opcode_get_name (0x21), ==, "an unknown operation");
  g_assert_cmpstr (_parsec_opcode_get_name (PARSEC_OPCODE_PSA_SIGN_HASH), ==, "PsaSignHash");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parsec/wire/request-layout", test_request_layout);
  g_test_add_func ("/parsec/wire/roundtrip", test_roundtrip);
  g_test_add_func ("/parsec/wire/good-response", test_good_response);
  g_test_add_func ("/parsec/wire/prefix", test_prefix);
  g_test_add_func ("/parsec/wire/status-names", test_status_names);
  g_test_add_func ("/parsec/wire/opcode-names", test_opcode_names);
  for (gsize i = 0; i < G_N_ELEMENTS (malformed_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/parsec/wire/malformed/%s", malformed_cases[i].name);

      g_test_add_data_func (path, &malformed_cases[i], test_malformed);
    }

  return g_test_run ();
}
