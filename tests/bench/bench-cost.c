/* bench-cost.c: the client's own cost of one request, for callgrind
 *
 * Talks to whatever service PARSEC_SERVICE_ENDPOINT names (the test
 * service or the real one), discovers once, makes one request outside the
 * measurement, then makes --iterations requests of one kind with
 * callgrind's collection switched on around them only. Run it under
 * `valgrind --tool=callgrind --collect-atstart=no` and divide the total
 * by the iterations: tests/bench/cost does both. Only this process is
 * instrumented, so the service's work is not counted.
 *
 * The floor modes make no request: they count what GLib itself costs any
 * asynchronous call whose answer wakes the main loop on its own, the
 * least a client that follows GIO's conventions can pay above the
 * synchronous path (tests/bench/README.md).
 *
 * --mode=rss instead makes one signing call, the smallest useful
 * program, and prints its peak resident set size; with
 * BENCH_COST_MAPPINGS set, also the resident kB of each mapping.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <valgrind/callgrind.h>
#include <glib-unix.h>
#include <gio/gio.h>

#include "bench-raw.h"
#include "bench-server.h"
#include "parsec-glib.h"

#define KEY_NAME "parsec-glib-bench-cost"

static char *opt_mode = NULL;
static gint64 opt_iterations = 1000;
static gint opt_in_flight = 1;

static const GOptionEntry option_entries[] = {
  { "mode", 'm', 0, G_OPTION_ARG_STRING, &opt_mode,
    "raw, ping, sign, verify, sign-async, floor-wakeup, floor-object, floor-task "
    "or rss (default ping)", "MODE" },
  { "iterations", 'n', 0, G_OPTION_ARG_INT64, &opt_iterations,
    "Measured requests (default 1000)", "N" },
  { "in-flight", 'k', 0, G_OPTION_ARG_INT, &opt_in_flight,
    "Requests in flight for sign-async (default 1)", "K" },
  { NULL }
};

typedef struct {
  ParsecClient *client;
  ParsecAlgorithm *algorithm;
  GBytes *hash;
  gint64 started;
  gint64 finished;
  GError *error;
} AsyncRun;

static void sign_async_start (AsyncRun *run);

static void
sign_async_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AsyncRun *run = user_data;
  GBytes *signature = parsec_client_sign_hash_finish (run->client, result,
                                                     run->error == NULL ? &run->error : NULL);

  g_clear_pointer (&signature, g_bytes_unref);

  run->finished++;
  if (run->error == NULL && run->started < opt_iterations)
    sign_async_start (run);
}

static void
sign_async_start (AsyncRun *run)
{
  run->started++;
  parsec_client_sign_hash_async (run->client, KEY_NAME, run->algorithm, run->hash, NULL,
                                 sign_async_done, run);
}

static gboolean
run_sign_async (ParsecClient    *client,
                ParsecAlgorithm *algorithm,
                GBytes          *hash,
                GError         **error)
{
  AsyncRun run = { client, algorithm, hash, 0, 0, NULL };

  CALLGRIND_TOGGLE_COLLECT;
  for (gint i = 0; i < opt_in_flight && run.started < opt_iterations; i++)
    sign_async_start (&run);
  while (run.finished < run.started)
    g_main_context_iteration (NULL, TRUE);
  CALLGRIND_TOGGLE_COLLECT;

  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}

/* GLib's floor. A pipe stands for a socket whose answer has arrived:
 * one byte written, one main-loop iteration that finds it ready and
 * dispatches the descriptor's source, which reads it. */
typedef struct {
  int fds[2];
  GTask *pending;
  gint64 done;
} Floor;

static gboolean
floor_readable (gint         fd,
                GIOCondition condition,
                gpointer     user_data)
{
  Floor *floor = user_data;
  char byte;

  if (read (fd, &byte, 1) != 1)
    g_error ("floor: read: %s", g_strerror (errno));
  if (floor->pending != NULL)
    {
      GTask *task = g_steal_pointer (&floor->pending);

      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  else
    floor->done++;
  return G_SOURCE_CONTINUE;
}

static void
floor_task_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Floor *floor = user_data;

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    floor->done++;
}

static void
floor_wake (Floor *floor)
{
  gint64 before = floor->done;

  if (write (floor->fds[1], "x", 1) != 1)
    g_error ("floor: write: %s", g_strerror (errno));
  while (floor->done == before)
    g_main_context_iteration (NULL, TRUE);
}

/* floor-wakeup: the iteration alone. floor-object: creating and
 * finalising a plain GObject, less than any GAsyncResult costs.
 * floor-task: a GTask created as a call starts, returned from the
 * wake-up, finished in its callback and finalised, as GIO's own
 * asynchronous calls do. */
static gboolean
run_floor (const char  *mode,
           GError     **error)
{
  g_autoptr(GObject) source_object = g_object_new (G_TYPE_OBJECT, NULL);
  Floor floor = { { -1, -1 }, NULL, 0 };
  guint source_id;
  gboolean tasks = g_str_equal (mode, "floor-task");

  if (g_str_equal (mode, "floor-object"))
    {
      g_object_unref (g_object_new (G_TYPE_OBJECT, NULL));
      CALLGRIND_TOGGLE_COLLECT;
      for (gint64 i = 0; i < opt_iterations; i++)
        g_object_unref (g_object_new (G_TYPE_OBJECT, NULL));
      CALLGRIND_TOGGLE_COLLECT;
      return TRUE;
    }
  if (!tasks && !g_str_equal (mode, "floor-wakeup"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "Unknown mode %s", mode);
      return FALSE;
    }
  if (pipe2 (floor.fds, O_CLOEXEC | O_NONBLOCK) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "pipe: %s", g_strerror (errno));
      return FALSE;
    }
  source_id = g_unix_fd_add (floor.fds[0], G_IO_IN, floor_readable, &floor);
  /* One of each outside the measurement: types and sources settled. */
  for (gint64 i = 0; i <= opt_iterations; i++)
    {
      if (i == 1)
        CALLGRIND_TOGGLE_COLLECT;
      if (tasks)
        floor.pending = g_task_new (source_object, NULL, floor_task_done, &floor);
      floor_wake (&floor);
    }
  CALLGRIND_TOGGLE_COLLECT;
  g_source_remove (source_id);
  close (floor.fds[0]);
  close (floor.fds[1]);
  return TRUE;
}

/* Resident kB of each mapped file (and of the anonymous mappings), from
 * /proc/self/smaps: where the resident set goes. */
static void
print_resident_by_mapping (void)
{
  g_autofree char *smaps = NULL;
  g_autoptr(GHashTable) sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = NULL;
  const char *current = "[anonymous]";
  GHashTableIter iter;
  gpointer key, value;

  if (!g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL))
    return;
  lines = g_strsplit (smaps, "\n", -1);
  for (char **line = lines; *line != NULL; line++)
    {
      guint64 kb;

      if (g_ascii_isxdigit ((*line)[0]) && strchr (*line, '-') != NULL)
        {
          const char *path = strchr (*line, '/');

          if (path == NULL)
            path = strchr (*line, '[');
          current = path != NULL ? path : "[anonymous]";
        }
      else if (sscanf (*line, "Rss: %" G_GUINT64_FORMAT " kB", &kb) == 1 && kb > 0)
        {
          gpointer old = g_hash_table_lookup (sizes, current);

          g_hash_table_replace (sizes, g_strdup (current), GSIZE_TO_POINTER (GPOINTER_TO_SIZE (old) + kb));
        }
    }
  g_hash_table_iter_init (&iter, sizes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_printerr ("%8" G_GSIZE_FORMAT " kB  %s\n", GPOINTER_TO_SIZE (value), (const char *) key);
}

static gboolean
endpoint_address (struct sockaddr_un  *addr,
                  GError             **error)
{
  const char *endpoint = g_getenv ("PARSEC_SERVICE_ENDPOINT");
  const char *path = endpoint != NULL && g_str_has_prefix (endpoint, "unix:")
    ? endpoint + strlen ("unix:") : "/run/parsec/parsec.sock";

  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  if (strlen (path) >= sizeof addr->sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG, "Socket path too long: %s", path);
      return FALSE;
    }
  strcpy (addr->sun_path, path);
  return TRUE;
}

static gboolean
run (GError **error)
{
  const char *mode = opt_mode != NULL ? opt_mode : "ping";
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(ParsecProtocolVersion) version = NULL;
  guint8 digest[32];

  if (g_str_has_prefix (mode, "floor-"))
    return run_floor (mode, error);

  if (g_str_equal (mode, "raw"))
    {
      struct sockaddr_un addr;

      if (!endpoint_address (&addr, error) ||
          !raw_call (&addr, bench_ping_request (), BENCH_PING_REQUEST_LEN, error))
        return FALSE;
      CALLGRIND_TOGGLE_COLLECT;
      for (gint64 i = 0; i < opt_iterations; i++)
        if (!raw_call (&addr, bench_ping_request (), BENCH_PING_REQUEST_LEN, error))
          break;
      CALLGRIND_TOGGLE_COLLECT;
      return error == NULL || *error == NULL;
    }

  /* Discovery, once. */
  client = parsec_client_new_sync ("parsec-glib-bench-cost", NULL, error);
  if (client == NULL)
    return FALSE;

  if (g_str_equal (mode, "ping"))
    {
      version = parsec_client_ping (client, NULL, error);
      if (version == NULL)
        return FALSE;
      CALLGRIND_TOGGLE_COLLECT;
      for (gint64 i = 0; i < opt_iterations; i++)
        {
          ParsecProtocolVersion *v = parsec_client_ping (client, NULL, error);

          if (v == NULL)
            break;
          parsec_protocol_version_free (v);
        }
      CALLGRIND_TOGGLE_COLLECT;
      return *error == NULL;
    }

  memset (digest, 0x5a, sizeof digest);
  hash = g_bytes_new_static (digest, sizeof digest);
  /* Left over from an interrupted run, or absent. */
  parsec_client_destroy_key (client, KEY_NAME, NULL, NULL);
  {
    g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
    g_autoptr(ParsecKey) key = parsec_client_generate_key (client, KEY_NAME, attributes, NULL, error);

    if (key == NULL)
      return FALSE;
  }
  signature = parsec_client_sign_hash (client, KEY_NAME, algorithm, hash, NULL, error);
  if (signature == NULL)
    return FALSE;

  if (g_str_equal (mode, "rss"))
    {
      struct rusage usage;

      getrusage (RUSAGE_SELF, &usage);
      g_print ("%ld\n", usage.ru_maxrss);
      if (g_getenv ("BENCH_COST_MAPPINGS") != NULL)
        print_resident_by_mapping ();
    }
  else if (g_str_equal (mode, "sign"))
    {
      CALLGRIND_TOGGLE_COLLECT;
      for (gint64 i = 0; i < opt_iterations; i++)
        {
          GBytes *s = parsec_client_sign_hash (client, KEY_NAME, algorithm, hash, NULL, error);

          if (s == NULL)
            break;
          g_bytes_unref (s);
        }
      CALLGRIND_TOGGLE_COLLECT;
    }
  else if (g_str_equal (mode, "verify"))
    {
      CALLGRIND_TOGGLE_COLLECT;
      for (gint64 i = 0; i < opt_iterations; i++)
        if (!parsec_client_verify_hash (client, KEY_NAME, algorithm, hash, signature, NULL, error))
          break;
      CALLGRIND_TOGGLE_COLLECT;
    }
  else if (g_str_equal (mode, "sign-async"))
    run_sign_async (client, algorithm, hash, error);
  else
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "Unknown mode %s", mode);

  parsec_client_destroy_key (client, KEY_NAME, NULL, NULL);
  return *error == NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- instructions per request, under callgrind");
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, option_entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !run (&error))
    {
      fprintf (stderr, "parsec-glib-bench-cost: %s\n", error->message);
      return 1;
    }
  return 0;
}
