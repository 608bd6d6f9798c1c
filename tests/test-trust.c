/* test-trust.c: the checks that the endpoint is the genuine service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "parsec-glib.h"
#include "parsec-endpoint-private.h"
#include "fake-service.h"

#define UNPRIVILEGED_UID 65534

/* A parent directory whose own path passes the checks, for services
 * that must be trusted; NULL (and the test skipped) when there is none. */
static char *
trusted_parent (void)
{
  g_autofree char *parent = g_build_filename (g_get_user_runtime_dir (), "parsec-glib-tests", NULL);
  g_autofree char *dir = NULL;
  guint32 me = geteuid ();

  if (g_mkdir_with_parents (parent, 0755) != 0 || g_chmod (parent, 0755) != 0)
    {
      g_test_skip_printf ("cannot make %s", parent);
      return NULL;
    }

  /* The positive tests need a path that passes the checks on its own. */
  for (dir = g_strdup (parent); !g_str_equal (dir, "/");)
    {
      struct stat st;
      char *up;

      if (stat (dir, &st) != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
          (st.st_uid != 0 && st.st_uid != me))
        {
          g_test_skip_printf ("%s is not a trusted path for test sockets", dir);
          return NULL;
        }
      up = g_path_get_dirname (dir);
      g_free (dir);
      dir = up;
    }
  return g_steal_pointer (&parent);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
ping (ParsecClient  *client,
      gboolean       async,
      GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(ParsecProtocolVersion) version = NULL;

  if (!async)
    {
      version = parsec_client_ping (client, NULL, error);
      return version != NULL;
    }

  parsec_client_ping_async (client, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  version = parsec_client_ping_finish (client, result, error);
  return version != NULL;
}

static ParsecClient *
new_client (const char        *endpoint,
            ParsecTrustPolicy  policy,
            const char * const *trusted_users,
            GError           **error)
{
  return g_initable_new (PARSEC_TYPE_CLIENT, NULL, error,
                         "endpoint", endpoint,
                         "provider", 1,
                         "auth-method", PARSEC_AUTH_METHOD_NONE,
                         "trust-policy", policy,
                         "trusted-users", trusted_users,
                         "timeout", 5000,
                         NULL);
}

static void
test_trusted_service (void)
{
  g_autofree char *parent = trusted_parent ();
  g_autoptr(FakeService) fake = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *me = g_strdup_printf ("%u", (guint) geteuid ());
  const char *trusted[] = { "root", me, NULL };

  if (parent == NULL)
    return;

  fake = fake_service_new_in (parent);
  client = new_client (fake_service_get_endpoint (fake), PARSEC_TRUST_POLICY_ENFORCE, trusted, &error);
  g_assert_no_error (error);
  g_assert_true (ping (client, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (ping (client, TRUE, &error));
  g_assert_no_error (error);
}

typedef struct {
  mode_t mode;
  const char *message_part;
} DirectoryCase;

static const DirectoryCase directory_cases[] = {
  { 0770, "writable by its group" },
  { 0777, "writable by everyone" },
  { 01777, "writable by everyone" },
};

static void
test_writable_directory (gconstpointer data)
{
  const DirectoryCase *c = data;
  g_autofree char *parent = trusted_parent ();
  g_autoptr(FakeService) fake = NULL;
  g_autofree char *me = g_strdup_printf ("%u", (guint) geteuid ());
  const char *trusted[] = { "root", me, NULL };
  g_autofree char *dir = NULL;

  if (parent == NULL)
    return;

  fake = fake_service_new_in (parent);
  dir = g_path_get_dirname (fake_service_get_path (fake));
  g_assert_cmpint (g_chmod (dir, c->mode), ==, 0);

  for (int async = 0; async <= 1; async++)
    {
      g_autoptr(ParsecClient) client = NULL;
      g_autoptr(GError) error = NULL;

      client = new_client (fake_service_get_endpoint (fake), PARSEC_TRUST_POLICY_ENFORCE, trusted, &error);
      g_assert_no_error (error);
      g_assert_false (ping (client, async, &error));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_UNTRUSTED_ENDPOINT);
      g_assert_nonnull (strstr (error->message, c->message_part));
    }
  /* Nothing reached the fake: the request was never written. */
  g_assert_cmpuint (fake_service_get_request_count (fake), ==, 0);
  g_chmod (dir, 0755);
}

/* What the checks look at is what a connection reaches: a symbolic link
 * to the socket, or to a directory on the way, is followed and its
 * target's directories are checked; a socket that is not there still has
 * its directories checked. Each case had passed "enforce". */
typedef enum {
  LINK_TO_SOCKET,
  LINK_TO_DIRECTORY,
  MISSING_SOCKET,
  TRUSTED_LINK,
} LinkCase;

static void
test_symbolic_links (gconstpointer data)
{
  LinkCase c = GPOINTER_TO_INT (data);
  g_autofree char *parent = trusted_parent ();
  g_autofree char *writable = NULL;
  g_autofree char *link = NULL;
  g_autofree char *endpoint = NULL;
  g_autoptr(FakeService) fake = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *me = g_strdup_printf ("%u", (guint) geteuid ());
  const char *trusted[] = { "root", me, NULL };
  g_autofree char *socket_dir = NULL;

  if (parent == NULL)
    return;

  /* The service's own directory is private; the one above it is not. */
  writable = g_build_filename (parent, "writable-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp_full (writable, 0755));
  fake = fake_service_new_in (c == TRUSTED_LINK ? parent : writable);
  g_assert_cmpint (g_chmod (writable, c == TRUSTED_LINK ? 0755 : 01777), ==, 0);
  socket_dir = g_path_get_dirname (fake_service_get_path (fake));

  link = g_build_filename (parent, "link-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp_full (link, 0755));
  g_rmdir (link);
  switch (c)
    {
    case LINK_TO_SOCKET:
    case TRUSTED_LINK:
      g_assert_cmpint (symlink (fake_service_get_path (fake), link), ==, 0);
      endpoint = g_strconcat ("unix:", link, NULL);
      break;
    case LINK_TO_DIRECTORY:
      g_assert_cmpint (symlink (socket_dir, link), ==, 0);
      endpoint = g_strconcat ("unix:", link, "/parsec.sock", NULL);
      break;
    case MISSING_SOCKET:
    default:
      endpoint = g_strconcat ("unix:", writable, "/missing.sock", NULL);
      break;
    }

  client = new_client (endpoint, PARSEC_TRUST_POLICY_ENFORCE, trusted, &error);
  g_assert_no_error (error);
  for (int async = 0; async <= 1; async++)
    {
      gboolean ok = ping (client, async, &error);

      if (c == TRUSTED_LINK)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_UNTRUSTED_ENDPOINT);
      g_assert_nonnull (strstr (error->message, writable));
      g_assert_nonnull (strstr (error->message, "writable by everyone"));
      g_clear_error (&error);
    }
  if (c != TRUSTED_LINK)
    g_assert_cmpuint (fake_service_get_request_count (fake), ==, 0);

  g_unlink (link);
  g_clear_pointer (&fake, fake_service_free);
  g_rmdir (writable);
}

static void
test_not_a_socket (void)
{
  g_autofree char *parent = trusted_parent ();
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *endpoint = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (parent == NULL)
    return;

  dir = g_build_filename (parent, "not-a-socket-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp_full (dir, 0755));
  path = g_build_filename (dir, "parsec.sock", NULL);
  g_assert_true (g_file_set_contents (path, "not a socket", -1, NULL));
  endpoint = g_strconcat ("unix:", path, NULL);

  client = new_client (endpoint, PARSEC_TRUST_POLICY_ENFORCE, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ping (client, FALSE, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_UNTRUSTED_ENDPOINT);
  g_assert_nonnull (strstr (error->message, "is not a socket"));

  g_unlink (path);
  g_rmdir (dir);
}

/* A service whose socket and directories are trusted but whose process
 * runs as another user: the peer check alone must catch it. The socket
 * is bound as root and listened on after dropping to an unprivileged
 * user, because the peer credentials are taken at listen(). */
static pid_t
spawn_unprivileged_service (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int ready[2];
  pid_t pid;
  char byte;

  g_assert_cmpint (pipe (ready), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int fd = socket (AF_UNIX, SOCK_STREAM, 0);
      guint8 header[PARSEC_WIRE_HEADER_LEN];
      const guint8 ping_body[] = { 0x08, 0x01 };
      ParsecWireHeader response;

      g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
      if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0 ||
          setresuid (UNPRIVILEGED_UID, UNPRIVILEGED_UID, UNPRIVILEGED_UID) != 0 ||
          listen (fd, 8) != 0 || write (ready[1], "r", 1) != 1)
        _exit (1);
      _parsec_wire_header_init_request (&response, 0, PARSEC_OPCODE_PING, 0, sizeof ping_body, 0);
      for (;;)
        {
          int conn = accept (fd, NULL, NULL);
          guint8 out[PARSEC_WIRE_HEADER_LEN + sizeof ping_body];

          if (conn < 0)
            _exit (0);
          if (read (conn, header, sizeof header) == sizeof header)
            {
              _parsec_wire_header_encode (&response, out);
              memcpy (out + PARSEC_WIRE_HEADER_LEN, ping_body, sizeof ping_body);
              if (write (conn, out, sizeof out) < 0)
                _exit (1);
            }
          close (conn);
        }
    }
  close (ready[1]);
  g_assert_cmpint (read (ready[0], &byte, 1), ==, 1);
  close (ready[0]);
  return pid;
}

static void
test_untrusted_peer (void)
{
  g_autofree char *parent = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *endpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) enforcing = NULL;
  g_autoptr(ParsecClient) warning = NULL;
  g_autoptr(ParsecClient) trusting = NULL;
  const char *trust_nobody_else[] = { "root", NULL };
  g_autofree char *unprivileged = g_strdup_printf ("%u", UNPRIVILEGED_UID);
  const char *trust_both[] = { "root", unprivileged, NULL };
  g_autoptr(ParsecProtocolVersion) version = NULL;
  pid_t pid;
  int status;

  if (geteuid () != 0)
    {
      g_test_skip ("running a service as another user needs root");
      return;
    }
  parent = trusted_parent ();
  if (parent == NULL)
    return;

  dir = g_build_filename (parent, "peer-XXXXXX", NULL);
  g_assert_nonnull (g_mkdtemp_full (dir, 0755));
  path = g_build_filename (dir, "parsec.sock", NULL);
  endpoint = g_strconcat ("unix:", path, NULL);
  pid = spawn_unprivileged_service (path);

  enforcing = new_client (endpoint, PARSEC_TRUST_POLICY_ENFORCE, trust_nobody_else, &error);
  g_assert_no_error (error);
  for (int async = 0; async <= 1; async++)
    {
      g_assert_false (ping (enforcing, async, &error));
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_UNTRUSTED_ENDPOINT);
      g_assert_nonnull (strstr (error->message, "runs as uid 65534"));
      g_clear_error (&error);
    }

  /* Under "warn" the same endpoint is used, and the doubt logged. */
  warning = new_client (endpoint, PARSEC_TRUST_POLICY_WARN, trust_nobody_else, &error);
  g_assert_no_error (error);
  g_test_expect_message ("Parsec", G_LOG_LEVEL_MESSAGE, "*runs as uid 65534, which is not a trusted user*");
  version = parsec_client_ping (warning, NULL, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_nonnull (version);
  g_assert_cmpuint (version->major, ==, 1);

  /* And a listed user is trusted. */
  trusting = new_client (endpoint, PARSEC_TRUST_POLICY_ENFORCE, trust_both, &error);
  g_assert_no_error (error);
  g_assert_true (ping (trusting, FALSE, &error));
  g_assert_no_error (error);

  kill (pid, SIGTERM);
  waitpid (pid, &status, 0);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_resolve_users (void)
{
  g_autoptr(GArray) defaults = _parsec_endpoint_resolve_users (NULL, NULL);
  const char *listed[] = { "root", "4242", NULL };
  const char *unknown[] = { "no-such-user-parsec-glib", NULL };
  g_autoptr(GArray) uids = _parsec_endpoint_resolve_users (listed, NULL);
  g_autoptr(GError) error = NULL;
  GArray *none;

  g_assert_cmpuint (defaults->len, >=, 1);
  g_assert_cmpuint (g_array_index (defaults, guint32, 0), ==, 0);
  g_assert_cmpuint (uids->len, ==, 2);
  g_assert_cmpuint (g_array_index (uids, guint32, 1), ==, 4242);

  none = _parsec_endpoint_resolve_users (unknown, &error);
  g_assert_null (none);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parsec/trust/trusted-service", test_trusted_service);
  for (gsize i = 0; i < G_N_ELEMENTS (directory_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/parsec/trust/writable-directory/%o", directory_cases[i].mode);

      g_test_add_data_func (path, &directory_cases[i], test_writable_directory);
    }
  g_test_add_func ("/parsec/trust/not-a-socket", test_not_a_socket);
  g_test_add_data_func ("/parsec/trust/symbolic-links/to-socket", GINT_TO_POINTER (LINK_TO_SOCKET), test_symbolic_links);
  g_test_add_data_func ("/parsec/trust/symbolic-links/to-directory", GINT_TO_POINTER (LINK_TO_DIRECTORY), test_symbolic_links);
  g_test_add_data_func ("/parsec/trust/symbolic-links/trusted", GINT_TO_POINTER (TRUSTED_LINK), test_symbolic_links);
  g_test_add_data_func ("/parsec/trust/missing-socket", GINT_TO_POINTER (MISSING_SOCKET), test_symbolic_links);
  g_test_add_func ("/parsec/trust/untrusted-peer", test_untrusted_peer);
  g_test_add_func ("/parsec/trust/resolve-users", test_resolve_users);

  return g_test_run ();
}
