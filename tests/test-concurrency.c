/* test-concurrency.c: many calls at once from one client, and the bound
 * on those in flight (ParsecClient:max-requests-in-flight)
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The thousands of calls run against whichever service the fixture
 * starts; the tests that count the connections the service holds open
 * read the request log of parsec-glib-test-service and are skipped
 * against another service.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <parsec-glib/parsec-glib.h>

#include "service-fixture.h"

#define N_CALLS 3000

typedef struct {
  ParsecTestService *service;
  char *log_dir;
  char *log_path;
  GMainLoop *loop;
  guint pending;
  guint failed;
  GError *first_error;
  GArray *order;                /* guint: the calls in the order they finished */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *args[3] = { NULL };
  g_autoptr(GError) error = NULL;

  if (parsec_test_service_is_ours ())
    {
      f->log_dir = g_dir_make_tmp ("parsec-glib-concurrency-XXXXXX", &error);
      g_assert_no_error (error);
      f->log_path = g_build_filename (f->log_dir, "requests.log", NULL);
      args[0] = "--request-log";
      args[1] = f->log_path;
    }
  f->service = parsec_test_service_start_with_args (NULL, NULL, args, &error);
  g_assert_no_error (error);
  f->loop = g_main_loop_new (NULL, FALSE);
  f->order = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_error (&f->first_error);
  g_array_unref (f->order);
  g_main_loop_unref (f->loop);
  parsec_test_service_free (f->service);
  if (f->log_dir != NULL)
    parsec_test_remove_tree (f->log_dir);
  g_free (f->log_path);
  g_free (f->log_dir);
}

static ParsecClient *
new_client (Fixture *f,
            guint    max_in_flight,
            int      timeout_ms)
{
  g_autoptr(GError) error = NULL;
  ParsecClient *client;

  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", parsec_test_service_get_endpoint (f->service),
                           "application-name", "concurrency-app",
                           "max-requests-in-flight", max_in_flight,
                           "timeout", timeout_ms,
                           NULL);
  g_assert_no_error (error);
  return client;
}

/* The most connections the service held open at a request, from its
 * log; and how many requests it logged. */
static guint
log_max_open (Fixture *f,
              guint   *n_requests)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint max_open = 0;

  *n_requests = 0;
  g_file_get_contents (f->log_path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *open = strstr (lines[i], " open=");

      if (*lines[i] == '\0')
        continue;
      if (open == NULL)
        {
          g_test_fail_printf ("a request-log line without open=: %s", lines[i]);
          continue;
        }
      max_open = MAX (max_open, (guint) g_ascii_strtoull (open + strlen (" open="), NULL, 10));
      (*n_requests)++;
    }
  return max_open;
}

typedef struct {
  Fixture *f;
  guint index;
} CallData;

static void
call_finished (Fixture *f,
               guint    index,
               GError  *error)
{
  if (error != NULL)
    {
      f->failed++;
      if (f->first_error == NULL)
        f->first_error = g_error_copy (error);
    }
  g_array_append_val (f->order, index);
  if (--f->pending == 0)
    g_main_loop_quit (f->loop);
}

static void
signed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) signature = parsec_key_sign_hash_finish (PARSEC_KEY (source), result, &error);

  g_assert_true ((signature != NULL) == (error == NULL));
  call_finished (data->f, data->index, error);
}

static void
pinged_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  CallData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecProtocolVersion) version = parsec_client_ping_finish (PARSEC_CLIENT (source), result, &error);

  g_assert_true ((version != NULL) == (error == NULL));
  call_finished (data->f, data->index, error);
}

/* 3000 signatures started at once from one client with the default
 * bound: every one succeeds. */
static void
test_many_signatures (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(ParsecClient) client = new_client (f, 0, -1);
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) hash = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree CallData *calls = g_new0 (CallData, N_CALLS);
  guint8 digest[32];
  gint64 start;

  g_assert_cmpuint (parsec_client_get_max_requests_in_flight (client), ==, 16);
  key = parsec_client_generate_key (client, "many", attributes, NULL, &error);
  g_assert_no_error (error);
  memset (digest, 0x5a, sizeof digest);
  hash = g_bytes_new (digest, sizeof digest);

  start = g_get_monotonic_time ();
  f->pending = N_CALLS;
  for (guint i = 0; i < N_CALLS; i++)
    {
      calls[i] = (CallData) { f, i };
      parsec_key_sign_hash_async (key, NULL, hash, NULL, signed_cb, &calls[i]);
    }
  g_main_loop_run (f->loop);
  g_test_message ("%u signatures in %.2f s", N_CALLS, (g_get_monotonic_time () - start) / 1e6);

  if (f->first_error != NULL)
    g_test_message ("first failure: %s", f->first_error->message);
  g_assert_cmpuint (f->failed, ==, 0);
  g_assert_cmpuint (f->order->len, ==, N_CALLS);

  g_assert_true (parsec_key_destroy (key, NULL, &error));
  g_assert_no_error (error);
}

/* The service never holds more connections of one client open than its
 * bound, and the queued calls finish in the order they were made. */
static void
test_bound_holds (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ParsecClient) client = new_client (f, 3, -1);
  g_autofree CallData *calls = g_new0 (CallData, 300);
  guint n_requests, max_open;

  if (!parsec_test_service_is_ours ())
    {
      g_test_skip ("counts the connections in the request log of parsec-glib-test-service");
      return;
    }

  f->pending = 300;
  for (guint i = 0; i < 300; i++)
    {
      calls[i] = (CallData) { f, i };
      parsec_client_ping_async (client, NULL, pinged_cb, &calls[i]);
    }
  g_main_loop_run (f->loop);
  g_assert_cmpuint (f->failed, ==, 0);

  max_open = log_max_open (f, &n_requests);
  g_assert_cmpuint (n_requests, ==, 300);
  g_assert_cmpuint (max_open, <=, 3);
  /* The bound is reached, not just respected by calls one at a time. */
  g_assert_cmpuint (max_open, >=, 2);
}

static void
test_fifo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(ParsecClient) client = new_client (f, 1, -1);
  CallData calls[40];

  f->pending = G_N_ELEMENTS (calls);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      calls[i] = (CallData) { f, i };
      parsec_client_ping_async (client, NULL, pinged_cb, &calls[i]);
    }
  g_main_loop_run (f->loop);
  g_assert_cmpuint (f->failed, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    g_assert_cmpuint (g_array_index (f->order, guint, i), ==, i);
}

typedef struct {
  ParsecClient *client;
  guint calls;
  guint failed;
  GCancellable *cancellable;
  GError *error;                /* the first failure */
} ThreadData;

static gpointer
ping_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < data->calls; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ParsecProtocolVersion) version = parsec_client_ping (data->client, data->cancellable, &error);

      if (version == NULL)
        {
          data->failed++;
          if (data->error == NULL)
            data->error = g_steal_pointer (&error);
        }
    }
  return NULL;
}

/* Synchronous calls from several threads count against the same bound,
 * and with asynchronous calls of the main thread. */
static void
test_bound_sync_threads (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(ParsecClient) client = new_client (f, 2, -1);
  ThreadData threads[6];
  GThread *handles[G_N_ELEMENTS (threads)];
  CallData calls[30];
  guint n_requests, max_open, failed = 0;

  if (!parsec_test_service_is_ours ())
    {
      g_test_skip ("counts the connections in the request log of parsec-glib-test-service");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      threads[i] = (ThreadData) { client, 20, 0, NULL, NULL };
      handles[i] = g_thread_new ("ping", ping_thread, &threads[i]);
    }
  f->pending = G_N_ELEMENTS (calls);
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      calls[i] = (CallData) { f, i };
      parsec_client_ping_async (client, NULL, pinged_cb, &calls[i]);
    }
  g_main_loop_run (f->loop);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (handles[i]);
      failed += threads[i].failed;
    }
  g_assert_cmpuint (failed, ==, 0);
  g_assert_cmpuint (f->failed, ==, 0);

  max_open = log_max_open (f, &n_requests);
  g_assert_cmpuint (n_requests, ==, 6 * 20 + G_N_ELEMENTS (calls));
  g_assert_cmpuint (max_open, <=, 2);
}

typedef struct {
  ParsecClient *client;
  GMainContext *context;
  GThread *thread;              /* the one that must run the callbacks */
  guint pending;
  guint failed;
  guint wrong_thread;
} ContextThread;

/* Finishes a ping: whether it succeeded. */
static gboolean
ping_finished (GObject      *source,
               GAsyncResult *result)
{
  g_autoptr(ParsecProtocolVersion) version = parsec_client_ping_finish (PARSEC_CLIENT (source), result, NULL);

  return version != NULL;
}

static void
context_pinged (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ContextThread *data = user_data;

  if (!ping_finished (source, result))
    data->failed++;
  if (g_thread_self () != data->thread || g_main_context_get_thread_default () != data->context)
    data->wrong_thread++;
  data->pending--;
}

/* Asynchronous calls from several threads, each on a main context of
 * its own, share the client and its bound: a slot freed on one context
 * goes to a call waiting on another. The threads hold the client only
 * through their calls, and free their contexts at the end. */
static gpointer
context_thread (gpointer user_data)
{
  ContextThread *data = user_data;

  data->context = g_main_context_new ();
  data->thread = g_thread_self ();
  g_main_context_push_thread_default (data->context);
  data->pending = 40;
  for (guint i = 0; i < 40; i++)
    parsec_client_ping_async (data->client, NULL, context_pinged, data);
  g_clear_object (&data->client);
  while (data->pending > 0)
    g_main_context_iteration (data->context, TRUE);
  g_main_context_pop_thread_default (data->context);
  g_main_context_unref (data->context);
  return NULL;
}

static void
test_contexts_threads (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(ParsecClient) client = new_client (f, 2, -1);
  ContextThread threads[4];
  GThread *handles[G_N_ELEMENTS (threads)];
  guint n_requests, max_open;

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      threads[i] = (ContextThread) { g_object_ref (client) };
      handles[i] = g_thread_new ("context", context_thread, &threads[i]);
    }
  g_clear_object (&client);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    {
      g_thread_join (handles[i]);
      g_assert_cmpuint (threads[i].failed, ==, 0);
      g_assert_cmpuint (threads[i].wrong_thread, ==, 0);
    }

  if (parsec_test_service_is_ours ())
    {
      max_open = log_max_open (f, &n_requests);
      g_assert_cmpuint (n_requests, ==, 4 * 40);
      g_assert_cmpuint (max_open, <=, 2);
    }
}

typedef struct {
  ParsecClient *client;
  guint pending;
  guint failed;
  gboolean nested_done;
  guint nested_iterations;
} NestedData;

static void
nested_pinged (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  NestedData *data = user_data;

  if (!ping_finished (source, result))
    data->failed++;
  data->nested_done = TRUE;
}

static void
outer_pinged (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  NestedData *data = user_data;

  if (!ping_finished (source, result))
    data->failed++;
  /* The first callback waits for another call in a nested loop, while
   * the answers that came with its own wait to be run. */
  if (data->pending-- == 8)
    {
      parsec_client_ping_async (data->client, NULL, nested_pinged, data);
      while (!data->nested_done)
        {
          g_main_context_iteration (NULL, TRUE);
          data->nested_iterations++;
        }
    }
}

/* A main loop nested in a callback runs the answers that arrived with
 * the callback's own, and sleeps when nothing is left: it never finds
 * the sockets ready with nothing to run. */
static void
test_nested_loop (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ParsecClient) client = new_client (f, 0, -1);
  NestedData nested = { client, 8 };

  for (guint i = 0; i < 8; i++)
    parsec_client_ping_async (client, NULL, outer_pinged, &nested);
  /* All eight answers are there by the first iteration. */
  g_usleep (300 * G_TIME_SPAN_MILLISECOND);
  while (nested.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (nested.failed, ==, 0);
  g_assert_true (nested.nested_done);
  g_test_message ("%u nested iterations", nested.nested_iterations);
  /* A handful of iterations, not a spin until the answer comes. */
  g_assert_cmpuint (nested.nested_iterations, <, 50);
}

/* A listener that accepts connections into its backlog and never
 * answers, in a directory of its own, and a client of it bounded to one
 * call in flight. */
typedef struct {
  char *dir;
  int fd;
  ParsecClient *client;
} SilentService;

static void
silent_service_start (SilentService *silent,
                      int            timeout_ms)
{
  g_autoptr(GError) error = NULL;
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  g_autofree char *path = NULL;
  g_autofree char *endpoint = NULL;

  silent->dir = g_dir_make_tmp ("parsec-glib-silent-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (silent->dir, "silent.sock", NULL);
  g_assert_cmpuint (strlen (path), <, sizeof address.sun_path);
  strcpy (address.sun_path, path);
  silent->fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_assert_cmpint (silent->fd, >=, 0);
  g_assert_cmpint (bind (silent->fd, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (listen (silent->fd, 16), ==, 0);

  endpoint = g_strconcat ("unix:", path, NULL);
  silent->client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                                   "endpoint", endpoint,
                                   "max-requests-in-flight", 1,
                                   "timeout", timeout_ms,
                                   NULL);
  g_assert_no_error (error);
}

static void
silent_service_stop (SilentService *silent)
{
  g_clear_object (&silent->client);
  close (silent->fd);
  parsec_test_remove_tree (silent->dir);
  g_free (silent->dir);
}

/* A queued call that is cancelled leaves the queue at once, while the
 * call ahead of it still waits for a service that never answers; so does
 * a blocking call cancelled while it waits for its turn. */
static void
test_cancel_queued (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GCancellable) ahead = g_cancellable_new ();
  g_autoptr(GCancellable) queued = g_cancellable_new ();
  CallData calls[2] = { { f, 0 }, { f, 1 } };
  SilentService silent;
  ParsecClient *client;
  gint64 start;

  silent_service_start (&silent, 20000);
  client = silent.client;

  start = g_get_monotonic_time ();
  f->pending = 1;
  parsec_client_ping_async (client, ahead, pinged_cb, &calls[0]);
  parsec_client_ping_async (client, queued, pinged_cb, &calls[1]);
  g_cancellable_cancel (queued);
  g_main_loop_run (f->loop);
  g_assert_cmpuint (f->order->len, ==, 1);
  g_assert_cmpuint (g_array_index (f->order, guint, 0), ==, 1);
  g_assert_error (f->first_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  /* A blocking call behind the same call, on another thread, cancelled
   * while it waits. */
  {
    g_autoptr(GCancellable) blocking = g_cancellable_new ();
    GThread *thread;
    ThreadData thread_data = { client, 1, 0 };

    thread_data.cancellable = blocking;
    thread = g_thread_new ("blocked", ping_thread, &thread_data);
    g_usleep (100 * G_TIME_SPAN_MILLISECOND);
    g_cancellable_cancel (blocking);
    g_thread_join (thread);
    g_assert_cmpuint (thread_data.failed, ==, 1);
    g_assert_error (thread_data.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&thread_data.error);
  }
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  f->pending = 1;
  g_cancellable_cancel (ahead);
  g_main_loop_run (f->loop);
  g_assert_cmpuint (f->failed, ==, 2);

  silent_service_stop (&silent);
}

static gpointer
cancel_later (gpointer cancellable)
{
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (cancellable);
  return NULL;
}

/* A call in flight, and one waiting behind it, cancelled from another
 * thread while the context sleeps: the context wakes and both end at
 * once, long before their deadline. */
static void
test_cancel_from_thread (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CallData calls[2] = { { f, 0 }, { f, 1 } };
  SilentService silent;
  ParsecClient *client;
  GThread *thread;
  gint64 start;

  silent_service_start (&silent, 20000);
  client = silent.client;

  start = g_get_monotonic_time ();
  f->pending = 2;
  parsec_client_ping_async (client, cancellable, pinged_cb, &calls[0]);
  parsec_client_ping_async (client, cancellable, pinged_cb, &calls[1]);
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_main_loop_run (f->loop);
  g_thread_join (thread);

  g_assert_cmpuint (f->failed, ==, 2);
  g_assert_error (f->first_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  silent_service_stop (&silent);
}

typedef struct {
  GMainLoop *loop;
  guint pending;
  GError *errors[2];
  gint64 finished[2];
} DeadlineData;

static void
deadline_pinged (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  DeadlineData *data = user_data;
  guint index = data->errors[0] == NULL && data->finished[0] == 0 ? 0 : 1;
  g_autoptr(ParsecProtocolVersion) version = parsec_client_ping_finish (PARSEC_CLIENT (source), result,
                                                                        &data->errors[index]);

  g_assert_null (version);
  data->finished[index] = g_get_monotonic_time ();
  if (--data->pending == 0)
    g_main_loop_quit (data->loop);
}

/* A queued call's deadline runs from when it was made: behind a call to
 * a service that never answers, both time out together rather than one
 * after the other. (Whether the queued one times out in the queue or just
 * after its turn came depends on which of the two events the context
 * dispatches first.) */
static void
test_deadline_queued (Fixture       *f,
                      gconstpointer  data)
{
  DeadlineData deadline = { f->loop, 2 };
  SilentService silent;
  gint64 start;

  silent_service_start (&silent, 400);
  start = g_get_monotonic_time ();
  parsec_client_ping_async (silent.client, NULL, deadline_pinged, &deadline);
  parsec_client_ping_async (silent.client, NULL, deadline_pinged, &deadline);
  g_main_loop_run (f->loop);

  for (guint i = 0; i < 2; i++)
    {
      g_assert_error (deadline.errors[i], G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      /* Both within one timeout of their start, not one after the other. */
      g_assert_cmpint (deadline.finished[i] - start, <, 780 * G_TIME_SPAN_MILLISECOND);
    }

  g_clear_error (&deadline.errors[0]);
  g_clear_error (&deadline.errors[1]);
  silent_service_stop (&silent);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/parsec/concurrency/many-signatures", Fixture, NULL, fixture_setup, test_many_signatures,
              fixture_teardown);
  g_test_add ("/parsec/concurrency/bound-holds", Fixture, NULL, fixture_setup, test_bound_holds,
              fixture_teardown);
  g_test_add ("/parsec/concurrency/fifo", Fixture, NULL, fixture_setup, test_fifo, fixture_teardown);
  g_test_add ("/parsec/concurrency/sync-threads", Fixture, NULL, fixture_setup, test_bound_sync_threads,
              fixture_teardown);
  g_test_add ("/parsec/concurrency/contexts-threads", Fixture, NULL, fixture_setup, test_contexts_threads,
              fixture_teardown);
  g_test_add ("/parsec/concurrency/nested-loop", Fixture, NULL, fixture_setup, test_nested_loop, fixture_teardown);
  g_test_add ("/parsec/concurrency/cancel-queued", Fixture, NULL, fixture_setup, test_cancel_queued,
              fixture_teardown);
  g_test_add ("/parsec/concurrency/cancel-from-thread", Fixture, NULL, fixture_setup, test_cancel_from_thread,
              fixture_teardown);
  g_test_add ("/parsec/concurrency/deadline-queued", Fixture, NULL, fixture_setup, test_deadline_queued,
              fixture_teardown);

  return g_test_run ();
}
