/* test-endpoint.c: parsing the service endpoint URI
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"
#include "parsec-endpoint-private.h"

typedef struct {
  const char *endpoint;
  const char *path;          /* NULL: refused */
  const char *message_part;
} EndpointCase;

static const EndpointCase cases[] = {
  { "unix:/run/parsec/parsec.sock", "/run/parsec/parsec.sock", NULL },
  { "unix:///run/parsec/parsec.sock", "/run/parsec/parsec.sock", NULL },
  { "UNIX:/tmp/p.sock", "/tmp/p.sock", NULL },
  { "unix:/tmp/with%20space/p.sock", "/tmp/with space/p.sock", NULL },
  { "unix:///tmp/%C3%A9t%C3%A9.sock", "/tmp/\xc3\xa9t\xc3\xa9.sock", NULL },
  { "", NULL, "empty" },
  { "/run/parsec/parsec.sock", NULL, "unix:/run/parsec/parsec.sock" },
  { "tcp://localhost:1234", NULL, "scheme \"tcp\"" },
  { "http:/x", NULL, "scheme \"http\"" },
  { "unix://host/run/parsec.sock", NULL, "names a host" },
  { "unix://user@/run/parsec.sock", NULL, "names a host" },
  { "unix:relative/parsec.sock", NULL, "relative" },
  { "unix:", NULL, "relative" },
  { "unix:/tmp/p.sock?x=1", NULL, "query" },
  { "unix:/tmp/p.sock#frag", NULL, "fragment" },
  { "unix:/tmp/%00.sock", NULL, "percent-encoding" },
  { "unix:/tmp/%zz.sock", NULL, NULL },
  { "not a uri at all", NULL, NULL },
};

static void
test_case (gconstpointer data)
{
  const EndpointCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = _parsec_endpoint_parse (c->endpoint, &error);

  if (c->path != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (path, ==, c->path);
    }
  else
    {
      g_assert_null (path);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT);
      if (c->message_part != NULL)
        g_assert_nonnull (strstr (error->message, c->message_part));
    }
}

static void
test_too_long (void)
{
  g_autofree char *long_path = g_strnfill (200, 'a');
  g_autofree char *endpoint = g_strconcat ("unix:/", long_path, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = _parsec_endpoint_parse (endpoint, &error);

  g_assert_null (path);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/parsec/endpoint/%" G_GSIZE_FORMAT, i);

      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/parsec/endpoint/too-long", test_too_long);

  return g_test_run ();
}
