/* service-fixture.c: a private parsec-glib-test-service for a test
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixinputstream.h>

#include "service-fixture.h"

/* Generous, so that a service running under valgrind still makes it. */
#define START_TIMEOUT_MS 60000
#define STOP_TIMEOUT_MS  30000

struct _ParsecTestService
{
  GSubprocess *process;
  GStrv argv;
  char *dir;
  char *socket_path;
  char *endpoint;
  char *key_dir;
};

/* PARSEC_TEST_SERVICE_COMMAND, a command line that takes the options of
 * parsec-glib-test-service, runs another service instead (such as
 * run-parsec-service with the real one); PARSEC_TEST_SERVICE names
 * another binary of ours. */
static gboolean
add_service_command (GStrvBuilder  *argv,
                     GError       **error)
{
  const char *command = g_getenv ("PARSEC_TEST_SERVICE_COMMAND");
  const char *binary = g_getenv ("PARSEC_TEST_SERVICE");

  if (command != NULL && *command != '\0')
    {
      g_auto(GStrv) words = NULL;

      if (!g_shell_parse_argv (command, NULL, &words, error))
        return FALSE;
      g_strv_builder_addv (argv, (const char **) words);
      return TRUE;
    }
  g_strv_builder_add (argv, binary != NULL && *binary != '\0' ? binary : PARSEC_TEST_SERVICE_PATH);
  return TRUE;
}

const char *
parsec_test_service_default_authenticator (void)
{
  const char *env = g_getenv ("PARSEC_TEST_AUTHENTICATOR");

  return env != NULL && *env != '\0' ? env : "direct";
}

gboolean
parsec_test_service_is_ours (void)
{
  const char *command = g_getenv ("PARSEC_TEST_SERVICE_COMMAND");

  return command == NULL || *command == '\0';
}

/* Reads the service's first line from its stdout within the deadline. */
static char *
read_ready_line (GSubprocess  *process,
                 gint64        deadline,
                 GError      **error)
{
  int fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (process)));
  GString *line = g_string_new (NULL);

  for (;;)
    {
      gint64 remaining = (deadline - g_get_monotonic_time ()) / 1000;
      GPollFD poll_fd = { fd, G_IO_IN | G_IO_HUP | G_IO_ERR, 0 };
      char c;
      gssize n;

      if (remaining <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "The test service did not report that it listens within %d ms (got “%s”)",
                       START_TIMEOUT_MS, line->str);
          break;
        }
      if (g_poll (&poll_fd, 1, (gint) remaining) <= 0)
        continue;

      n = read (fd, &c, 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "The test service exited before it listened (output so far: “%s”)", line->str);
          break;
        }
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
    }

  g_string_free (line, TRUE);
  return NULL;
}

/* A test that crashes must not leave its service behind. */
static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

static gboolean
service_launch (ParsecTestService  *self,
                GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *line = NULL;
  g_autofree char *expected = g_strdup_printf ("listening on %s", self->socket_path);

  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) self->argv, error);
  if (self->process == NULL)
    return FALSE;

  line = read_ready_line (self->process, g_get_monotonic_time () + START_TIMEOUT_MS * G_TIME_SPAN_MILLISECOND, error);
  if (line == NULL)
    return FALSE;
  if (!g_str_equal (line, expected))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "The test service said “%s” instead of “%s”", line, expected);
      return FALSE;
    }
  return TRUE;
}

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* SIGTERM, and SIGKILL if it has not gone by the deadline. Runs its own
 * main context so that it works from any test. */
static void
service_stop (ParsecTestService *self)
{
  g_autoptr(GMainContext) context = NULL;
  gboolean done = FALSE, timed_out = FALSE;
  GSource *timeout;

  if (self->process == NULL)
    return;

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  g_subprocess_send_signal (self->process, SIGTERM);
  g_subprocess_wait_async (self->process, NULL, wait_done, &done);
  timeout = g_timeout_source_new (STOP_TIMEOUT_MS);
  g_source_set_callback (timeout, set_flag, &timed_out, NULL);
  g_source_attach (timeout, context);
  while (!done && !timed_out)
    g_main_context_iteration (context, TRUE);
  if (!done)
    {
      g_warning ("The test service did not stop within %d ms; killing it", STOP_TIMEOUT_MS);
      g_subprocess_force_exit (self->process);
      while (!done)
        g_main_context_iteration (context, TRUE);
    }
  g_source_destroy (timeout);
  g_source_unref (timeout);
  g_main_context_pop_thread_default (context);

  if (g_subprocess_get_if_exited (self->process) && g_subprocess_get_exit_status (self->process) != 0)
    g_warning ("The test service exited with status %d", g_subprocess_get_exit_status (self->process));
  g_clear_object (&self->process);
}

void
parsec_test_remove_tree (const char *path)
{
  /* A link goes, never what it points to: a made-up /proc has links to
   * directories of the system. */
  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          parsec_test_remove_tree (child);
        }
    }
  (void) g_remove (path);
}

ParsecTestService *
parsec_test_service_start_with_args (const char         *authenticator,
                                     const char * const *admins,
                                     const char * const *extra_args,
                                     GError            **error)
{
  g_autoptr(ParsecTestService) self = g_new0 (ParsecTestService, 1);
  g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();
  const char *wrapper = g_getenv ("PARSEC_TEST_SERVICE_WRAPPER");

  self->dir = g_dir_make_tmp ("parsec-test-service-XXXXXX", error);
  if (self->dir == NULL)
    return NULL;
  self->socket_path = g_build_filename (self->dir, "parsec.sock", NULL);
  self->endpoint = g_strconcat ("unix:", self->socket_path, NULL);
  self->key_dir = g_build_filename (self->dir, "keys", NULL);

  if (wrapper != NULL && *wrapper != '\0')
    {
      g_auto(GStrv) words = NULL;

      if (!g_shell_parse_argv (wrapper, NULL, &words, error))
        return NULL;
      g_strv_builder_addv (argv, (const char **) words);
    }
  if (!add_service_command (argv, error))
    return NULL;
  if (authenticator == NULL)
    authenticator = parsec_test_service_default_authenticator ();
  g_strv_builder_add_many (argv,
                           "--socket", self->socket_path,
                           "--keys", self->key_dir,
                           "--authenticator", authenticator,
                           NULL);
  for (gsize i = 0; admins != NULL && admins[i] != NULL; i++)
    g_strv_builder_add_many (argv, "--admin", admins[i], NULL);
  /* Clients slowed down by valgrind or sanitizers need longer than the
   * real service's 200 ms between connecting and writing. */
  if (g_getenv ("PARSEC_TEST_SERVICE_TIMEOUT_MS") != NULL)
    g_strv_builder_add_many (argv, "--timeout-ms", g_getenv ("PARSEC_TEST_SERVICE_TIMEOUT_MS"), NULL);
  if (extra_args != NULL)
    g_strv_builder_addv (argv, (const char **) extra_args);
  self->argv = g_strv_builder_end (argv);

  if (!service_launch (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

ParsecTestService *
parsec_test_service_start (const char         *authenticator,
                           const char * const *admins,
                           GError            **error)
{
  return parsec_test_service_start_with_args (authenticator, admins, NULL, error);
}

const char *
parsec_test_service_get_endpoint (ParsecTestService *self)
{
  return self->endpoint;
}

const char *
parsec_test_service_get_socket_path (ParsecTestService *self)
{
  return self->socket_path;
}

const char *
parsec_test_service_get_key_dir (ParsecTestService *self)
{
  return self->key_dir;
}

gboolean
parsec_test_service_restart (ParsecTestService  *self,
                             GError            **error)
{
  service_stop (self);
  return service_launch (self, error);
}

ParsecTestProvider *
parsec_test_provider_query (ParsecClient  *client,
                            GError       **error)
{
  g_autoptr(ParsecTestProvider) self = g_new0 (ParsecTestProvider, 1);
  g_autoptr(GPtrArray) providers = parsec_client_list_providers (client, NULL, error);

  if (providers == NULL)
    return NULL;
  for (guint i = 0; i < providers->len && self->provider == 0; i++)
    {
      ParsecProviderInfo *info = g_ptr_array_index (providers, i);

      self->provider = parsec_provider_info_get_id (info);
      if (self->provider != 0)
        self->uuid = g_strdup (parsec_provider_info_get_uuid (info));
    }
  if (self->provider == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "The service lists no crypto provider");
      return NULL;
    }
  self->opcodes = parsec_client_list_opcodes (client, self->provider, NULL, error);
  if (self->opcodes == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

ParsecTestProvider *
parsec_test_service_query_provider (ParsecTestService  *service,
                                    GError            **error)
{
  g_autoptr(ParsecClient) client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, error,
                                                   "endpoint", parsec_test_service_get_endpoint (service),
                                                   NULL);

  if (client == NULL)
    return NULL;
  return parsec_test_provider_query (client, error);
}

gboolean
parsec_test_provider_offers (const ParsecTestProvider *self,
                             guint32                   opcode)
{
  return parsec_test_opcodes_contain (self->opcodes, opcode);
}

void
parsec_test_provider_free (ParsecTestProvider *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->opcodes, g_array_unref);
  g_free (self->uuid);
  g_free (self);
}

void
parsec_test_assert_provider_limit (const GError *error)
{
  g_assert_nonnull (error);
  if (!g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED) &&
      !g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT) &&
      !g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_COMMUNICATION_FAILURE) &&
      !g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER))
    g_error ("Not a provider's refusal: %s (%s, %d)", error->message,
             g_quark_to_string (error->domain), error->code);
}

gboolean
parsec_test_provider_can_generate (const ParsecTestProvider *self,
                                   ParsecClient             *client,
                                   ParsecKeyAttributes      *attributes)
{
  g_autoptr(GError) error = NULL;

  if (!parsec_test_provider_offers (self, PARSEC_OPCODE_CAN_DO_CRYPTO))
    return TRUE;
  if (parsec_client_can_do_crypto (client, PARSEC_CHECK_TYPE_GENERATE, attributes, NULL, &error))
    return TRUE;
  parsec_test_assert_provider_limit (error);
  return FALSE;
}

void
parsec_test_service_free (ParsecTestService *self)
{
  if (self == NULL)
    return;
  service_stop (self);
  if (self->dir != NULL)
    parsec_test_remove_tree (self->dir);
  g_strfreev (self->argv);
  g_free (self->dir);
  g_free (self->socket_path);
  g_free (self->endpoint);
  g_free (self->key_dir);
  g_free (self);
}

