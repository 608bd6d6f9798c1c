/* test-service-vectors.c: the parsec-mock client vectors against the test service
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each vector's request bytes go to parsec-glib-test-service as they are
 * (direct authentication, "admin_priv" as the administrator, which is the
 * name the vectors use). The response header must agree with the
 * vector's — magic, header size, version, provider, opcode and status —
 * wherever the real service would answer as the mock does; the body is
 * compared only where the mock's data is not made up. The vectors are
 * read from PARSEC_MOCK_VECTORS, or from the shared directory next to the
 * source tree; they are not copied into the repository.
 */
#include "config.h"

#include <string.h>
#include <gio/gunixsocketaddress.h>

#include "parsec-wire-private.h"
#include "service-fixture.h"

typedef struct {
  const char *file;
  int status;                    /* what the real service answers; -1 = as the vector */
  gboolean compare_body;
  const char *why;
} VectorNote;

/* Where the real service and the mock part ways (PROTOCOL.md §6). */
static const VectorNote notes[] = {
  { "ping.test.yaml", -1, TRUE, NULL },
  { "delete_client.test.yaml", -1, TRUE, NULL },
  { "delete_client_admin_err.test.yaml", -1, TRUE, NULL },
  { "list_clients_admin_err.test.yaml", -1, TRUE, NULL },
  /* The real service deletes the keys a client has; a client with none is
   * deleted already, so the answer is success (providers/core/mod.rs),
   * not the mock's PsaErrorDoesNotExist. */
  { "delete_client_notexist.test.yaml", 0, TRUE,
    "the real service answers success for an unknown client" },
  /* The mock's providers, authenticators and clients are invented (a
   * provider with a made-up UUID, "direct auth" version 12.42, clients
   * jim and bob); the service answers with its own. */
  { "list_providers.test.yaml", -1, FALSE, "the mock's provider list is fictional" },
  { "list_authenticators.test.yaml", -1, FALSE, "the mock's authenticator is fictional" },
  { "list_clients.test.yaml", -1, FALSE, "the mock's clients are fictional" },
  /* No authentication in the header but six bytes of auth field: the
   * service ignores the field, so this is a plain ListOpcodes for Mbed
   * Crypto, whose opcode list differs from the mock's [1, 3, 2, 6]. */
  { "list_opcodes_directauth.test.yaml", -1, FALSE,
    "NoAuth with auth bytes; the service ignores them and lists its own opcodes" },
  /* The same request; the vector's response announces 500 body bytes and
   * sends 5, to test a client's handling of truncation. Only its header
   * fields mean anything for a service. */
  { "list_opcodes_bad1.test.yaml", -1, FALSE,
    "a deliberately truncated response for client tests; the service sends a whole one" },
};

static char *vector_dir;

static const VectorNote *
find_note (const char *file)
{
  for (gsize i = 0; i < G_N_ELEMENTS (notes); i++)
    if (g_str_equal (notes[i].file, file))
      return &notes[i];
  return NULL;
}

static GBytes *
hex_field (const char *yaml,
           const char *key)
{
  g_autofree char *prefix = g_strdup_printf ("%s: ", key);
  const char *start = strstr (yaml, prefix);
  GByteArray *bytes;

  if (start == NULL)
    return NULL;
  start += strlen (prefix);
  bytes = g_byte_array_new ();
  while (g_ascii_isxdigit (start[0]) && g_ascii_isxdigit (start[1]))
    {
      guint8 byte = (g_ascii_xdigit_value (start[0]) << 4) | g_ascii_xdigit_value (start[1]);

      g_byte_array_append (bytes, &byte, 1);
      start += 2;
    }
  return g_byte_array_free_to_bytes (bytes);
}

static gboolean
read_exactly (GSocket *socket,
              guint8  *buffer,
              gsize    len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = g_socket_receive (socket, (char *) buffer + done, len - done, NULL, NULL);

      if (n <= 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

static void
test_vector (gconstpointer data)
{
  const char *file = data;
  const VectorNote *note = find_note (file);
  g_autofree char *path = g_build_filename (vector_dir, file, NULL);
  g_autofree char *yaml = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(ParsecTestService) service = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  const char *admins[] = { "admin_priv", NULL };
  const char * const mbed_crypto[] = { "--provider", "mbed-crypto", NULL };
  ParsecWireHeader want, got;
  guint8 header[PARSEC_WIRE_HEADER_LEN];
  g_autofree guint8 *body = NULL;

  g_assert_true (g_file_get_contents (path, &yaml, NULL, &error));
  g_assert_no_error (error);
  request = hex_field (yaml, "request_hex");
  expected = hex_field (yaml, "response_hex");
  g_assert_nonnull (request);
  g_assert_nonnull (expected);
  g_assert_cmpuint (g_bytes_get_size (expected), >=, PARSEC_WIRE_HEADER_LEN);
  _parsec_wire_header_decode (g_bytes_get_data (expected, NULL), &want);

  if (note == NULL)
    g_test_message ("%s is a vector this test does not know; comparing headers only", file);
  else if (note->why != NULL)
    g_test_message ("%s: %s", file, note->why);

  /* The vectors are the Mbed Crypto provider's answers. */
  service = parsec_test_service_start_with_args ("direct", admins, mbed_crypto, &error);
  g_assert_no_error (error);

  address = g_unix_socket_address_new (parsec_test_service_get_socket_path (service));
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  g_assert_true (g_socket_connect (socket, address, NULL, &error));
  g_assert_no_error (error);
  g_socket_send_with_blocking (socket, g_bytes_get_data (request, NULL), g_bytes_get_size (request),
                               TRUE, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (read_exactly (socket, header, sizeof header));
  _parsec_wire_header_decode (header, &got);
  body = g_malloc (got.body_len);
  g_assert_true (read_exactly (socket, body, got.body_len));

  g_assert_cmphex (got.magic, ==, want.magic);
  g_assert_cmpuint (got.header_size, ==, want.header_size);
  g_assert_cmpuint (got.version_major, ==, want.version_major);
  g_assert_cmpuint (got.version_minor, ==, want.version_minor);
  g_assert_cmpuint (got.provider, ==, want.provider);
  g_assert_cmpuint (got.session, ==, want.session);
  g_assert_cmpuint (got.opcode, ==, want.opcode);
  g_assert_cmpuint (got.status, ==, note != NULL && note->status >= 0 ? (guint) note->status : want.status);
  g_assert_cmpuint (got.auth_len, ==, 0);
  g_assert_cmpuint (got.reserved1, ==, 0);
  g_assert_cmpuint (got.reserved2, ==, 0);

  if (note != NULL && note->compare_body)
    g_assert_cmpmem (body, got.body_len,
                     (const guint8 *) g_bytes_get_data (expected, NULL) + PARSEC_WIRE_HEADER_LEN,
                     g_bytes_get_size (expected) - PARSEC_WIRE_HEADER_LEN);
}

static void
test_no_vectors (void)
{
  g_autofree char *message = g_strdup_printf ("No parsec-mock vectors in %s (set PARSEC_MOCK_VECTORS)", vector_dir);

  g_test_skip (message);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

int
main (int    argc,
      char **argv)
{
  const char *env = g_getenv ("PARSEC_MOCK_VECTORS");
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  int status;

  g_test_init (&argc, &argv, NULL);

  vector_dir = env != NULL && *env != '\0'
               ? g_strdup (env)
               : g_build_filename (PARSEC_SOURCE_ROOT, "..", "shared", "vectors", "parsec-mock", NULL);
  dir = g_dir_open (vector_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".test.yaml"))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, compare_names);

  if (files->len == 0)
    g_test_add_func ("/parsec/service/vectors/none", test_no_vectors);
  for (guint i = 0; i < files->len; i++)
    {
      const char *file = g_ptr_array_index (files, i);
      g_autofree char *test_path = g_strdup_printf ("/parsec/service/vectors/%.*s",
                                                    (int) (strlen (file) - strlen (".test.yaml")), file);

      g_test_add_data_func (test_path, file, test_vector);
    }

  status = g_test_run ();
  g_free (vector_dir);
  return status;
}
