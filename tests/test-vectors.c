/* test-vectors.c: conformance with the Parsec project's published client
 * test vectors (parsec-mock)
 *
 * The vectors are read from PARSEC_MOCK_VECTORS, or from shared/ beside
 * the source tree; they are not part of this repository. An in-test
 * server answers a request only when it is byte-identical to a vector's
 * request, so every request the client makes is checked exactly.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"
#include "fake-service.h"

typedef struct {
  char *name;
  GBytes *request;
  GBytes *response;
} Vector;

typedef struct {
  GPtrArray *vectors;      /* Vector, the set the server answers from */
  guint unmatched;
  GMutex lock;
} Replay;

static void
vector_free (Vector *v)
{
  g_free (v->name);
  g_bytes_unref (v->request);
  g_bytes_unref (v->response);
  g_free (v);
}

static GBytes *
bytes_from_hex (const char *hex)
{
  gsize len = strlen (hex);
  GByteArray *out = g_byte_array_sized_new (len / 2);

  g_assert_cmpuint (len % 2, ==, 0);
  for (gsize i = 0; i < len; i += 2)
    {
      int hi = g_ascii_xdigit_value (hex[i]);
      int lo = g_ascii_xdigit_value (hex[i + 1]);
      guint8 byte;

      g_assert_cmpint (hi, >=, 0);
      g_assert_cmpint (lo, >=, 0);
      byte = (guint8) (hi << 4 | lo);
      g_byte_array_append (out, &byte, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

static char *
vectors_dir (void)
{
  const char *env = g_getenv ("PARSEC_MOCK_VECTORS");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (PARSEC_SOURCE_ROOT, "..", "shared", "vectors", "parsec-mock", NULL);
}

/* Only the two hex lines of each file are needed; the rest is prose. */
static Vector *
vector_load (const char *name)
{
  g_autofree char *dir = vectors_dir ();
  g_autofree char *file = g_strconcat (name, ".test.yaml", NULL);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  Vector *v;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;

  v = g_new0 (Vector, 1);
  v->name = g_strdup (name);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "request_hex:"))
        v->request = bytes_from_hex (g_strstrip ((char *) line + strlen ("request_hex:")));
      else if (g_str_has_prefix (line, "response_hex:"))
        v->response = bytes_from_hex (g_strstrip ((char *) line + strlen ("response_hex:")));
    }
  g_assert_nonnull (v->request);
  g_assert_nonnull (v->response);
  return v;
}

static gboolean
have_vectors (void)
{
  g_autofree char *dir = vectors_dir ();
  g_autofree char *ping = g_build_filename (dir, "ping.test.yaml", NULL);

  if (g_file_test (ping, G_FILE_TEST_EXISTS))
    return TRUE;
  g_test_skip_printf ("parsec-mock vectors not found in %s; set PARSEC_MOCK_VECTORS", dir);
  return FALSE;
}

/* list_opcodes_directauth carries direct authentication bytes under a
 * NoAuth header: a client that labels its authentication correctly sends
 * auth type 1 there. That vector alone is compared field by field: every
 * byte but the auth type, which must be Direct. */
static gboolean
is_directauth_quirk (const Vector *v)
{
  return g_str_has_prefix (v->name, "list_opcodes_");
}

static gboolean
request_matches (const Vector *v,
                 GBytes       *request)
{
  gsize a_len, b_len;
  const guint8 *a = g_bytes_get_data (v->request, &a_len);
  const guint8 *b = g_bytes_get_data (request, &b_len);

  if (a_len != b_len)
    return FALSE;
  if (!is_directauth_quirk (v))
    return memcmp (a, b, a_len) == 0;

  return memcmp (a, b, 21) == 0 &&
         a[21] == PARSEC_AUTH_TYPE_NONE && b[21] == PARSEC_AUTH_TYPE_DIRECT &&
         memcmp (a + 22, b + 22, a_len - 22) == 0;
}

static GBytes *
replay_handler (const FakeRequest *request,
                FakeAction        *action,
                gpointer           user_data)
{
  Replay *replay = user_data;
  g_autoptr(GBytes) raw = NULL;
  GByteArray *all = g_byte_array_new ();
  guint8 header[PARSEC_WIRE_HEADER_LEN];

  _parsec_wire_header_encode (&request->header, header);
  g_byte_array_append (all, header, sizeof header);
  g_byte_array_append (all, g_bytes_get_data (request->body, NULL), g_bytes_get_size (request->body));
  g_byte_array_append (all, g_bytes_get_data (request->auth, NULL), g_bytes_get_size (request->auth));
  raw = g_byte_array_free_to_bytes (all);

  for (guint i = 0; i < replay->vectors->len; i++)
    {
      Vector *v = g_ptr_array_index (replay->vectors, i);

      if (request_matches (v, raw))
        return g_bytes_ref (v->response);
    }

  g_mutex_lock (&replay->lock);
  replay->unmatched++;
  g_mutex_unlock (&replay->lock);
  *action = FAKE_ACTION_CLOSE;
  return NULL;
}

typedef struct {
  FakeService *fake;
  Replay replay;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char * const *names = data;

  f->replay.vectors = g_ptr_array_new_with_free_func ((GDestroyNotify) vector_free);
  g_mutex_init (&f->replay.lock);
  for (guint i = 0; names[i] != NULL; i++)
    {
      Vector *v = vector_load (names[i]);

      if (v != NULL)
        g_ptr_array_add (f->replay.vectors, v);
    }
  f->fake = fake_service_new ();
  fake_service_set_handler (f->fake, replay_handler, &f->replay);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  fake_service_free (f->fake);
  g_ptr_array_unref (f->replay.vectors);
  g_mutex_clear (&f->replay.lock);
}

/* A client that discovers the service through the vectors, as the Go
 * client's mock tests do: ListProviders and ListAuthenticators without
 * authentication, then provider 2 and Direct authentication. */
static ParsecClient *
discovered_client (Fixture    *f,
                   const char *application_name)
{
  g_autoptr(GError) error = NULL;
  ParsecClient *client;

  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           "application-name", application_name,
                           "timeout", 5000,
                           NULL);
  g_assert_no_error (error);
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsec_client_get_implicit_provider (client), ==, PARSEC_PROVIDER_PKCS11);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_DIRECT);
  return client;
}

static void
test_discovery (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) authenticators = NULL;
  g_autoptr(GError) error = NULL;
  ParsecProviderInfo *p;
  ParsecAuthenticatorInfo *a;

  if (!have_vectors ())
    return;

  client = discovered_client (f, "admin_priv");

  providers = parsec_client_list_providers (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, ==, 1);
  p = g_ptr_array_index (providers, 0);
  g_assert_cmpuint (parsec_provider_info_get_id (p), ==, 2);
  g_assert_cmpstr (parsec_provider_info_get_uuid (p), ==, "ee870e5a-ce4a-417f-8543-8fbd84b49cbe");
  g_assert_cmpstr (parsec_provider_info_get_description (p), ==, "Some empty provider");
  g_assert_cmpstr (parsec_provider_info_get_vendor (p), ==, "Arm Ltd.");
  g_assert_cmpuint (parsec_provider_info_get_version_major (p), ==, 9);
  g_assert_cmpuint (parsec_provider_info_get_version_minor (p), ==, 8);
  g_assert_cmpuint (parsec_provider_info_get_version_revision (p), ==, 7);

  authenticators = parsec_client_list_authenticators (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (authenticators->len, ==, 1);
  a = g_ptr_array_index (authenticators, 0);
  g_assert_cmpuint (parsec_authenticator_info_get_id (a), ==, PARSEC_AUTH_TYPE_DIRECT);
  g_assert_cmpstr (parsec_authenticator_info_get_description (a), ==, "direct auth");
  g_assert_cmpuint (parsec_authenticator_info_get_version_major (a), ==, 12);
  g_assert_cmpuint (parsec_authenticator_info_get_version_minor (a), ==, 42);
  g_assert_cmpuint (parsec_authenticator_info_get_version_revision (a), ==, 0);

  g_assert_cmpuint (f->replay.unmatched, ==, 0);
}

static void
test_ping (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecProtocolVersion) version = NULL;

  if (!have_vectors ())
    return;

  client = discovered_client (f, "admin_priv");
  version = parsec_client_ping (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (version);
  g_assert_cmpuint (version->major, ==, 1);
  g_assert_cmpuint (version->minor, ==, 0);
  g_assert_cmpuint (f->replay.unmatched, ==, 0);
}

static void
test_list_clients (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ParsecClient) admin = NULL;
  g_autoptr(ParsecClient) other = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) clients = NULL;

  if (!have_vectors ())
    return;

  admin = discovered_client (f, "admin_priv");
  clients = parsec_client_list_clients (admin, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (clients, ((const char *[]) { "jim", "bob", NULL }));
  g_clear_pointer (&clients, g_strfreev);

  other = discovered_client (f, "no_admin");
  clients = parsec_client_list_clients (other, NULL, &error);
  g_assert_null (clients);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_ADMIN_OPERATION);
  g_assert_cmpuint (f->replay.unmatched, ==, 0);
}

static void
test_delete_client (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(ParsecClient) admin = NULL;
  g_autoptr(ParsecClient) other = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_vectors ())
    return;

  admin = discovered_client (f, "admin_priv");
  g_assert_true (parsec_client_delete_client (admin, "existing client", NULL, &error));
  g_assert_no_error (error);

  /* A mock-only answer (the real service succeeds for unknown clients),
   * but it shows a PSA status arriving as its own error code. */
  g_assert_false (parsec_client_delete_client (admin, "not exist", NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);

  other = discovered_client (f, "no_admin");
  g_assert_false (parsec_client_delete_client (other, "client exists", NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_ADMIN_OPERATION);
  g_assert_cmpuint (f->replay.unmatched, ==, 0);
}

static void
test_list_opcodes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) opcodes = NULL;
  const guint32 expected[] = { 1, 3, 2, 6 };

  if (!have_vectors ())
    return;

  client = discovered_client (f, "jimbob");
  opcodes = parsec_client_list_opcodes (client, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (opcodes->data, opcodes->len * sizeof (guint32), expected, sizeof expected);
  g_assert_cmpuint (f->replay.unmatched, ==, 0);
}

/* The same request as list_opcodes_directauth, answered with a header
 * that promises 500 body bytes of which 5 arrive: an error, not a hang. */
static void
test_list_opcodes_truncated (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) opcodes = NULL;

  if (!have_vectors ())
    return;

  client = discovered_client (f, "jimbob");
  opcodes = parsec_client_list_opcodes (client, 1, NULL, &error);
  g_assert_null (opcodes);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
  g_assert_nonnull (strstr (error->message, "ended after 5 of 500 body bytes"));
  g_assert_cmpuint (f->replay.unmatched, ==, 0);
}

#define DISCOVERY "list_providers", "list_authenticators"

static const char *ping_set[] = { DISCOVERY, "ping", NULL };
static const char *discovery_set[] = { DISCOVERY, NULL };
static const char *clients_set[] = { DISCOVERY, "list_clients", "list_clients_admin_err", NULL };
static const char *delete_set[] = { DISCOVERY, "delete_client", "delete_client_admin_err", "delete_client_notexist", NULL };
static const char *opcodes_set[] = { DISCOVERY, "list_opcodes_directauth", NULL };
static const char *opcodes_bad_set[] = { DISCOVERY, "list_opcodes_bad1", NULL };

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/parsec/vectors/discovery", Fixture, discovery_set, fixture_setup, test_discovery, fixture_teardown);
  g_test_add ("/parsec/vectors/ping", Fixture, ping_set, fixture_setup, test_ping, fixture_teardown);
  g_test_add ("/parsec/vectors/list-clients", Fixture, clients_set, fixture_setup, test_list_clients, fixture_teardown);
  g_test_add ("/parsec/vectors/delete-client", Fixture, delete_set, fixture_setup, test_delete_client, fixture_teardown);
  g_test_add ("/parsec/vectors/list-opcodes", Fixture, opcodes_set, fixture_setup, test_list_opcodes, fixture_teardown);
  g_test_add ("/parsec/vectors/list-opcodes-truncated", Fixture, opcodes_bad_set, fixture_setup, test_list_opcodes_truncated, fixture_teardown);

  return g_test_run ();
}
