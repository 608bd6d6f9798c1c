/* bench.c: how close parsec-glib comes to the cost of a bare socket exchange
 *
 * Every ping row sends the same 36-byte ping to the same in-process
 * instant-answer server (bench-server.c), so the only difference between
 * the raw floor and the library is the client; the sign-hash rows do the
 * same against the test service. See README.md beside this file for how
 * to run it and how to read its output.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bench.h"
#include "bench-raw.h"
#include "bench-server.h"
#include "bench-tool.h"
#include "parsec-glib.h"
#include "parsec-wire-private.h"
#include "service-fixture.h"

/* Options */

static gint64 opt_iterations = 20000;
static gint64 opt_warmup = 1000;
static gint opt_repeat = 3;
static gint64 opt_calls = 1000000;
static gint64 opt_alloc_iterations = 2000;
static gint64 opt_sign_iterations = 500;
static gint64 opt_file_mib = 256;
static gboolean opt_json = FALSE;
static gboolean opt_no_allocs = FALSE;
static char *opt_probe = NULL;
static char *opt_tool = NULL;
static char *opt_parsec_tool = NULL;
static char *opt_gio_start = NULL;
static gint opt_tool_runs = 10;

static const GOptionEntry option_entries[] = {
  { "iterations", 'n', 0, G_OPTION_ARG_INT64, &opt_iterations,
    "Measured calls per row and repetition (default 20000)", "N" },
  { "warmup", 'w', 0, G_OPTION_ARG_INT64, &opt_warmup,
    "Unmeasured calls before each row (default 1000)", "N" },
  { "repeat", 'r', 0, G_OPTION_ARG_INT, &opt_repeat,
    "Repetitions of the rows, interleaved; the median is reported (default 3)", "R" },
  { "calls", 'c', 0, G_OPTION_ARG_INT64, &opt_calls,
    "Library calls between the RSS readings, half sync, half async (default 1000000)", "N" },
  { "sign-iterations", 0, 0, G_OPTION_ARG_INT64, &opt_sign_iterations,
    "Measured sign-hash and sign-data calls per row and repetition through the test service, 0 to skip (default 500)", "N" },
  { "file-mib", 0, 0, G_OPTION_ARG_INT64, &opt_file_mib,
    "Size of the sparse file parsec_key_sign_file() signs while peak RSS is read, in MiB (default 256; 0 skips)", "N" },
  { "alloc-iterations", 0, 0, G_OPTION_ARG_INT64, &opt_alloc_iterations,
    "Extra calls in the second valgrind run that counts allocations (default 2000)", "N" },
  { "no-allocs", 0, 0, G_OPTION_ARG_NONE, &opt_no_allocs,
    "Skip counting allocations under valgrind", NULL },
  { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json,
    "Print the figures as JSON instead of a table", NULL },
  { "tool", 0, 0, G_OPTION_ARG_FILENAME, &opt_tool,
    "parsec-glib-tool, whose commands are timed and their requests counted", "PATH" },
  { "parsec-tool", 0, 0, G_OPTION_ARG_FILENAME, &opt_parsec_tool,
    "parsec-tool, timed and counted on the same command lines (default: $PARSEC_TOOL)", "PATH" },
  { "gio-start", 0, 0, G_OPTION_ARG_FILENAME, &opt_gio_start,
    "parsec-glib-bench-gio-start, run in the same rounds as the tools as their start-up floor", "PATH" },
  { "tool-runs", 0, 0, G_OPTION_ARG_INT, &opt_tool_runs,
    "Runs of each command of the tools, 0 to skip them (default 10)", "N" },
  /* Internal: what the allocation count runs under valgrind. */
  { "probe", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt_probe, NULL, "MODE" },
  G_OPTION_ENTRY_NULL
};

/* /proc/self/status */

typedef struct {
  gint64 rss_kb;               /* VmRSS */
  gint64 hwm_kb;               /* VmHWM: peak RSS since start or the last reset */
  gint64 threads;
} ProcStatus;

static gint64
status_field (const char *text,
              const char *name)
{
  const char *line = strstr (text, name);

  if (line == NULL)
    return -1;
  return g_ascii_strtoll (line + strlen (name), NULL, 10);
}

static ProcStatus
proc_status_read (void)
{
  ProcStatus st = { -1, -1, -1 };
  char buf[4096];
  int fd = open ("/proc/self/status", O_RDONLY | O_CLOEXEC);
  gssize n;

  if (fd < 0)
    return st;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return st;
  buf[n] = '\0';
  st.rss_kb = status_field (buf, "\nVmRSS:");
  st.hwm_kb = status_field (buf, "\nVmHWM:");
  st.threads = status_field (buf, "\nThreads:");
  return st;
}

/* Resets VmHWM to the current RSS (Linux ≥ 4.0), so that the peak of one
 * row can be read; FALSE if the kernel refuses. */
static gboolean
proc_reset_hwm (void)
{
  int fd = open ("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, "5", 1) == 1;
  close (fd);
  return ok;
}

/* Samples the process while the 256-in-flight row runs. Reading
 * /proc/self/status costs tens of µs, so only every SAMPLE_EVERY calls. */
#define SAMPLE_EVERY 2048

typedef struct {
  guint64 calls;
  gint64 max_threads;
  gint64 max_rss_kb;
} Sampler;

static void
sampler_tick (Sampler *s)
{
  ProcStatus st;

  if (s == NULL || ++s->calls % SAMPLE_EVERY != 0)
    return;

  st = proc_status_read ();
  s->max_threads = MAX (s->max_threads, st.threads);
  s->max_rss_kb = MAX (s->max_rss_kb, st.rss_kb);
}

/* Clocks */

static gint64
process_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* The bench */

typedef struct {
  BenchServer *server;
  ParsecClient *client;
  GMainContext *context;
  struct sockaddr_un addr;
  Sampler *sampler;            /* set while a sampled row runs */
  guint64 expected;            /* requests the server should have answered */
} Bench;

static gboolean
run_raw_sequential (Bench   *b,
                    guint64  n,
                    GError **error)
{
  for (guint64 i = 0; i < n; i++)
    if (!raw_call (&b->addr, bench_ping_request (), BENCH_PING_REQUEST_LEN, error))
      return FALSE;
  return TRUE;
}

/* A reference, not a target: the same raw exchange with many requests in
 * flight from one thread, driven by epoll, to show what the kernel and
 * the server allow when requests overlap. */

typedef struct {
  int fd;
  guint8 response[BENCH_PING_RESPONSE_LEN];
  gsize got;
} RawSlot;

static int
raw_slot_start (Bench   *b,
                RawSlot *slot,
                int      epoll_fd,
                guint    index)
{
  struct epoll_event ev = { .events = EPOLLIN, .data.u32 = index };

  slot->got = 0;
  slot->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (slot->fd < 0)
    return -errno;
  /* A Unix socket connects at once or fails (EAGAIN: backlog full); the
   * server's backlog is far above the requests in flight. */
  if (connect (slot->fd, (struct sockaddr *) &b->addr, sizeof b->addr) < 0 ||
      write (slot->fd, bench_ping_request (), BENCH_PING_REQUEST_LEN) != BENCH_PING_REQUEST_LEN ||
      epoll_ctl (epoll_fd, EPOLL_CTL_ADD, slot->fd, &ev) < 0)
    {
      int saved_errno = errno;

      close (slot->fd);
      return -saved_errno;
    }
  return 0;
}

static gboolean
run_raw_in_flight (Bench   *b,
                   guint    depth,
                   guint64  n,
                   GError **error)
{
  g_autofree RawSlot *slots = g_new0 (RawSlot, depth);
  struct epoll_event events[64];
  guint64 issued = 0, done = 0;
  int epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  int err = 0;

  for (guint i = 0; i < depth && issued < n && err == 0; i++, issued++)
    err = raw_slot_start (b, &slots[i], epoll_fd, i);

  while (done < n && err == 0)
    {
      int ready = epoll_wait (epoll_fd, events, G_N_ELEMENTS (events), -1);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready < 0)
        {
          err = -errno;
          break;
        }
      for (int i = 0; i < ready && err == 0; i++)
        {
          RawSlot *slot = &slots[events[i].data.u32];
          gssize got = read (slot->fd, slot->response + slot->got, sizeof slot->response - slot->got);

          if (got < 0 && errno == EAGAIN)
            continue;
          if (got <= 0)
            {
              err = got < 0 ? -errno : -ECONNRESET;
              break;
            }
          slot->got += (gsize) got;
          if (slot->got < sizeof slot->response)
            continue;
          close (slot->fd);
          done++;
          if (issued < n)
            {
              err = raw_slot_start (b, slot, epoll_fd, events[i].data.u32);
              issued++;
            }
        }
    }

  close (epoll_fd);
  if (err != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (-err),
                   "Raw in-flight exchange failed: %s", g_strerror (-err));
      return FALSE;
    }
  return TRUE;
}

/* The library */

static gboolean
run_lib_sync (Bench   *b,
              guint64  n,
              GError **error)
{
  for (guint64 i = 0; i < n; i++)
    {
      g_autoptr(ParsecProtocolVersion) version = parsec_client_ping (b->client, NULL, error);

      if (version == NULL)
        return FALSE;
      sampler_tick (b->sampler);
    }
  return TRUE;
}

typedef struct {
  Bench *bench;
  guint depth;
  guint64 to_issue;
  guint64 in_flight;
  GError *error;
} AsyncRun;

static void async_ping_done (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data);

static void
async_fill (AsyncRun *run)
{
  while (run->in_flight < run->depth && run->to_issue > 0 && run->error == NULL)
    {
      run->to_issue--;
      run->in_flight++;
      parsec_client_ping_async (run->bench->client, NULL, async_ping_done, run);
    }
}

static void
async_ping_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AsyncRun *run = user_data;
  GError *error = NULL;
  g_autoptr(ParsecProtocolVersion) version = NULL;

  run->in_flight--;
  version = parsec_client_ping_finish (PARSEC_CLIENT (source), result, &error);
  if (version == NULL)
    {
      if (run->error == NULL)
        run->error = error;
      else
        g_error_free (error);
    }
  sampler_tick (run->bench->sampler);
  async_fill (run);
}

/* Keeps @depth pings in flight from this thread until @n have completed. */
static gboolean
run_lib_async (Bench   *b,
               guint    depth,
               guint64  n,
               GError **error)
{
  AsyncRun run = { .bench = b, .depth = depth, .to_issue = n };

  async_fill (&run);
  while (run.in_flight > 0)
    g_main_context_iteration (b->context, TRUE);

  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}

/* Rows */

typedef enum {
  MODE_RAW,
  MODE_RAW_IN_FLIGHT,
  MODE_SYNC,
  MODE_ASYNC,
} RowMode;

typedef struct {
  const char *id;
  const char *label;
  RowMode mode;
  guint depth;
  double target;               /* minimum ratio to the floor; 0 = none */
  gboolean sampled;            /* record peak RSS and threads */
} RowSpec;

static const RowSpec rows[] = {
  { "raw_floor", "raw floor, sequential", MODE_RAW, 1, 0, FALSE },
  { "sync", "library sync ping, sequential", MODE_SYNC, 1, 0.8, FALSE },
  { "async_1", "library async ping, 1 in flight", MODE_ASYNC, 1, 0, FALSE },
  { "async_16", "library async ping, 16 in flight", MODE_ASYNC, 16, 0, FALSE },
  { "async_256", "library async ping, 256 in flight", MODE_ASYNC, 256, 0.9, TRUE },
  { "raw_256", "raw epoll, 256 in flight (reference)", MODE_RAW_IN_FLIGHT, 256, 0, FALSE },
};

typedef struct {
  double rate[64];             /* requests per second, one per repetition */
  double client_cpu_us[64];    /* per call */
  double server_cpu_us[64];    /* per call */
  guint n;
} RowResult;

/* The server counts a request after it has written the answer, so its
 * count may trail the client's by the requests last in flight: give it a
 * moment before calling a difference an error. */
static gboolean
server_check (Bench      *b,
              const char *what,
              GError    **error)
{
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

  while (bench_server_get_answered (b->server) != b->expected &&
         g_get_monotonic_time () < deadline)
    g_usleep (100);
  if (bench_server_get_answered (b->server) != b->expected)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s: the server answered %" G_GUINT64_FORMAT " requests, expected %" G_GUINT64_FORMAT,
                   what, bench_server_get_answered (b->server), b->expected);
      return FALSE;
    }
  return TRUE;
}

static gboolean
row_run (Bench          *b,
         const RowSpec  *spec,
         guint64         n,
         GError        **error)
{
  b->expected += n;
  switch (spec->mode)
    {
    case MODE_RAW:
      return run_raw_sequential (b, n, error);
    case MODE_RAW_IN_FLIGHT:
      return run_raw_in_flight (b, spec->depth, n, error);
    case MODE_SYNC:
      return run_lib_sync (b, n, error);
    case MODE_ASYNC:
      return run_lib_async (b, spec->depth, n, error);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
row_measure (Bench          *b,
             const RowSpec  *spec,
             RowResult      *result,
             GError        **error)
{
  gint64 t0, t1, cpu0, cpu1, srv0, srv1;
  double calls = (double) opt_iterations;

  if (opt_warmup > 0 && !row_run (b, spec, (guint64) opt_warmup, error))
    return FALSE;

  if (!server_check (b, spec->id, error))
    return FALSE;
  srv0 = bench_server_get_cpu_time_us (b->server);
  cpu0 = process_cpu_us ();
  t0 = g_get_monotonic_time ();
  if (!row_run (b, spec, (guint64) opt_iterations, error))
    return FALSE;
  t1 = g_get_monotonic_time ();
  cpu1 = process_cpu_us ();
  srv1 = bench_server_get_cpu_time_us (b->server);

  if (!server_check (b, spec->id, error))
    return FALSE;

  result->rate[result->n] = calls * G_USEC_PER_SEC / (double) MAX (t1 - t0, 1);
  result->server_cpu_us[result->n] = (double) (srv1 - srv0) / calls;
  result->client_cpu_us[result->n] = (double) ((cpu1 - cpu0) - (srv1 - srv0)) / calls;
  result->n++;
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
median (const double *values,
        guint         n)
{
  double sorted[64];

  if (n == 0)
    return 0;
  memcpy (sorted, values, n * sizeof *values);
  qsort (sorted, n, sizeof *sorted, compare_doubles);
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/* The sign-hash round trip through the test service (tests/service):
 * ECDSA P-256 with SHA-256 on a key the benchmark generates, timed
 * through parsec_client_sign_hash() and as a raw replay of the very bytes
 * the library sent (header, body and auth), so that the ratio shows the
 * library's cost on an operation that does real work. The service is a
 * separate process, so neither row competes with the ping server.
 *
 * Beside them, signing data: with the ParsecKey the generation returned
 * (parsec_key_sign_data(), which knows the key's policy), and the way it
 * goes by name (parsec_client_lookup_key() for the policy, the digest
 * computed here, parsec_client_sign_hash()). The service's request log
 * counts what each sends per call. */

#define SIGN_KEY_NAME "parsec-glib-bench-sign"
#define SIGN_WARMUP   50

typedef struct {
  gboolean available;
  char *why;
  double library_rate[64];
  double raw_rate[64];
  double library_cpu_us[64];   /* this process's CPU per call */
  double raw_cpu_us[64];
  double key_data_rate[64];    /* parsec_key_sign_data() */
  double key_data_cpu_us[64];
  double by_name_rate[64];     /* lookup, then sign the hash by name */
  double by_name_cpu_us[64];
  double key_data_requests;    /* requests per call, as the service logged them */
  double by_name_requests;
  guint n;
  /* parsec_key_sign_file() on a sparse file of file_mib MiB: the peak RSS
   * over the RSS before (VmHWM reset first), and the time it took. */
  gint64 file_mib;
  gint64 file_rss_before_kb;
  gint64 file_peak_growth_kb;
  double file_seconds;
  gboolean file_hwm_reset;
  char *file_why;
} SignHashResult;

/* Captures the library's sign-hash request: a relay between a client and
 * the service that keeps a copy of the request with the sign-hash opcode
 * (the client may first ask which opcodes the provider lists). */
typedef struct {
  int listen_fd;
  struct sockaddr_un service;
  GBytes *request;
  GError *error;
} Relay;

static gboolean
relay_read_message (int          fd,
                    gboolean     is_request,
                    GByteArray  *out)
{
  ParsecWireHeader header;
  gsize rest;

  g_byte_array_set_size (out, PARSEC_WIRE_HEADER_LEN);
  if (!read_exact (fd, out->data, PARSEC_WIRE_HEADER_LEN))
    return FALSE;
  _parsec_wire_header_decode (out->data, &header);
  rest = header.body_len + (is_request ? header.auth_len : 0);
  if (rest > PARSEC_WIRE_SERVICE_BODY_LIMIT + PARSEC_WIRE_AUTH_MAX)
    return FALSE;
  g_byte_array_set_size (out, PARSEC_WIRE_HEADER_LEN + rest);
  return read_exact (fd, out->data + PARSEC_WIRE_HEADER_LEN, rest);
}

static gboolean
write_all (int           fd,
           const guint8 *data,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gpointer
relay_thread (gpointer user_data)
{
  Relay *relay = user_data;

  while (relay->request == NULL)
    {
      g_autoptr(GByteArray) request = g_byte_array_new ();
      g_autoptr(GByteArray) response = g_byte_array_new ();
      int client_fd = accept4 (relay->listen_fd, NULL, NULL, SOCK_CLOEXEC);
      int service_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      gboolean ok;

      ok = client_fd >= 0 && service_fd >= 0 &&
           relay_read_message (client_fd, TRUE, request) &&
           connect (service_fd, (struct sockaddr *) &relay->service, sizeof relay->service) == 0 &&
           write_all (service_fd, request->data, request->len) &&
           relay_read_message (service_fd, FALSE, response) &&
           write_all (client_fd, response->data, response->len);
      if (client_fd >= 0)
        close (client_fd);
      if (service_fd >= 0)
        close (service_fd);
      if (!ok)
        {
          g_set_error (&relay->error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "Relaying a request to the test service failed");
          return NULL;
        }
      {
        ParsecWireHeader header;

        _parsec_wire_header_decode (request->data, &header);
        if (header.opcode == PARSEC_OPCODE_PSA_SIGN_HASH)
          relay->request = g_byte_array_free_to_bytes (g_steal_pointer (&request));
      }
    }
  return NULL;
}

static GBytes *
sign_hash_capture (const char       *service_path,
                   ParsecAlgorithm  *algorithm,
                   GBytes           *hash,
                   GError          **error)
{
  g_autofree char *dir = g_dir_make_tmp ("parsec-glib-bench-relay-XXXXXX", error);
  g_autofree char *path = NULL;
  g_autofree char *endpoint = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) sign_error = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  Relay relay = { .listen_fd = -1, .service = { .sun_family = AF_UNIX } };
  GThread *thread;

  if (dir == NULL)
    return NULL;
  path = g_build_filename (dir, "relay.sock", NULL);
  endpoint = g_strconcat ("unix:", path, NULL);
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  g_strlcpy (relay.service.sun_path, service_path, sizeof relay.service.sun_path);

  relay.listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (relay.listen_fd < 0 || bind (relay.listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      listen (relay.listen_fd, 16) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot listen on %s: %s", path, g_strerror (saved_errno));
      if (relay.listen_fd >= 0)
        close (relay.listen_fd);
      g_unlink (path);
      g_rmdir (dir);
      return NULL;
    }

  thread = g_thread_new ("bench-relay", relay_thread, &relay);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, error,
                           "endpoint", endpoint,
                           "provider", PARSEC_PROVIDER_MBED_CRYPTO,
                           "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                           "application-name", "parsec-glib-bench",
                           "timeout", 30000,
                           NULL);
  if (client != NULL)
    signature = parsec_client_sign_hash (client, SIGN_KEY_NAME, algorithm, hash, NULL, &sign_error);
  /* Wake the relay if the client never reached it. */
  shutdown (relay.listen_fd, SHUT_RDWR);
  g_thread_join (thread);
  close (relay.listen_fd);
  g_unlink (path);
  g_rmdir (dir);

  if (client == NULL)
    {
      g_clear_pointer (&relay.request, g_bytes_unref);
      g_clear_error (&relay.error);
      return NULL;
    }
  if (signature == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&sign_error));
      g_clear_pointer (&relay.request, g_bytes_unref);
      g_clear_error (&relay.error);
      return NULL;
    }
  if (relay.request == NULL)
    {
      g_propagate_error (error, relay.error);
      return NULL;
    }
  g_clear_error (&relay.error);
  return relay.request;
}

static gboolean
sign_hash_run_library (ParsecClient     *client,
                       ParsecAlgorithm  *algorithm,
                       GBytes           *hash,
                       gint64            n,
                       GError          **error)
{
  for (gint64 i = 0; i < n; i++)
    {
      g_autoptr(GBytes) signature = parsec_client_sign_hash (client, SIGN_KEY_NAME, algorithm,
                                                             hash, NULL, error);
      if (signature == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
sign_data_run_key (ParsecKey  *key,
                   GBytes     *data,
                   gint64      n,
                   GError    **error)
{
  for (gint64 i = 0; i < n; i++)
    {
      g_autoptr(GBytes) signature = parsec_key_sign_data (key, data, NULL, error);

      if (signature == NULL)
        return FALSE;
    }
  return TRUE;
}

/* What signing data by name takes: the key's policy from a lookup, the
 * digest of its hash, then the signature of that digest. */
static gboolean
sign_data_run_by_name (ParsecClient  *client,
                       GBytes        *data,
                       gint64         n,
                       GError       **error)
{
  for (gint64 i = 0; i < n; i++)
    {
      g_autoptr(ParsecKey) key = parsec_client_lookup_key (client, SIGN_KEY_NAME, NULL, error);
      g_autoptr(GChecksum) checksum = NULL;
      g_autoptr(GBytes) digest = NULL;
      g_autoptr(GBytes) signature = NULL;
      ParsecAlgorithm *algorithm;
      guint8 buffer[32];
      gsize len = sizeof buffer;

      if (key == NULL)
        return FALSE;
      algorithm = parsec_key_attributes_get_algorithm (parsec_key_get_attributes (key));
      g_assert (parsec_algorithm_get_hash (algorithm) == PARSEC_HASH_SHA_256);
      checksum = g_checksum_new (G_CHECKSUM_SHA256);
      g_checksum_update (checksum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
      g_checksum_get_digest (checksum, buffer, &len);
      digest = g_bytes_new (buffer, len);
      signature = parsec_client_sign_hash (client, SIGN_KEY_NAME, algorithm, digest, NULL, error);
      if (signature == NULL)
        return FALSE;
    }
  return TRUE;
}

/* The lines of the service's request log: the requests it has received. */
static gint64
logged_requests (const char *log_path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  gint64 lines = 0;

  if (!g_file_get_contents (log_path, &contents, &len, NULL))
    return 0;
  for (gsize i = 0; i < len; i++)
    lines += contents[i] == '\n';
  return lines;
}

static gboolean
sign_hash_run_raw (const struct sockaddr_un  *addr,
                   GBytes                    *request,
                   gint64                     n,
                   GError                   **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (request, &len);

  for (gint64 i = 0; i < n; i++)
    if (!raw_call (addr, data, len, error))
      return FALSE;
  return TRUE;
}

/* Signs a sparse file larger than any buffer the library may use, and
 * reads how far RSS rose: the data is hashed chunk by chunk, so it must
 * stay flat whatever the file's size. */
static void
sign_file_measure (SignHashResult *r,
                   ParsecKey      *key)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("parsec-glib-bench-file-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) signature = NULL;
  ProcStatus before, after;
  gint64 t0;
  int fd;

  r->file_mib = opt_file_mib;
  if (dir == NULL)
    {
      r->file_why = g_strdup (error->message);
      return;
    }
  path = g_build_filename (dir, "large", NULL);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || ftruncate (fd, (off_t) opt_file_mib * 1024 * 1024) != 0)
    r->file_why = g_strdup_printf ("cannot make a %" G_GINT64_FORMAT " MiB file: %s", opt_file_mib,
                                   g_strerror (errno));
  if (fd >= 0)
    close (fd);
  if (r->file_why == NULL)
    {
      file = g_file_new_for_path (path);
      r->file_hwm_reset = proc_reset_hwm ();
      before = proc_status_read ();
      t0 = g_get_monotonic_time ();
      signature = parsec_key_sign_file (key, file, NULL, &error);
      r->file_seconds = (g_get_monotonic_time () - t0) / 1e6;
      after = proc_status_read ();
      r->file_rss_before_kb = before.rss_kb;
      r->file_peak_growth_kb = after.hwm_kb - before.rss_kb;
      if (signature == NULL)
        r->file_why = g_strdup_printf ("signing failed: %s", error->message);
    }
  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
sign_measure_with_service (SignHashResult     *r,
                           ParsecTestService  *service,
                           const char         *log_path,
                           GError            **error)
{
  static const guint8 digest[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
  };
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) hash = g_bytes_new_static (digest, sizeof digest);
  g_autoptr(GBytes) data = g_bytes_new_static ("data the benchmark signs", 24);
  g_autoptr(GBytes) request = NULL;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  g_strlcpy (addr.sun_path, parsec_test_service_get_socket_path (service), sizeof addr.sun_path);

  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, error,
                           "endpoint", parsec_test_service_get_endpoint (service),
                           "provider", PARSEC_PROVIDER_MBED_CRYPTO,
                           "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                           "application-name", "parsec-glib-bench",
                           "timeout", 30000,
                           NULL);
  if (client == NULL)
    return FALSE;
  attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  key = parsec_client_generate_key (client, SIGN_KEY_NAME, attributes, NULL, error);
  if (key == NULL)
    return FALSE;
  request = sign_hash_capture (parsec_test_service_get_socket_path (service), algorithm, hash, error);
  if (request == NULL)
    return FALSE;

  if (!sign_hash_run_library (client, algorithm, hash, SIGN_WARMUP, error) ||
      !sign_hash_run_raw (&addr, request, SIGN_WARMUP, error) ||
      !sign_data_run_key (key, data, SIGN_WARMUP, error) ||
      !sign_data_run_by_name (client, data, SIGN_WARMUP, error))
    return FALSE;

  for (gint rep = 0; rep < opt_repeat; rep++)
    {
      double calls = (double) opt_sign_iterations;
      gint64 t0, t1, t2, cpu0, cpu1, cpu2, logged0, logged1, logged2;
      gint64 key_t0, key_t1, key_cpu0, key_cpu1, name_t0, name_t1, name_cpu0, name_cpu1;

      cpu0 = process_cpu_us ();
      t0 = g_get_monotonic_time ();
      if (!sign_hash_run_raw (&addr, request, opt_sign_iterations, error))
        return FALSE;
      t1 = g_get_monotonic_time ();
      cpu1 = process_cpu_us ();
      if (!sign_hash_run_library (client, algorithm, hash, opt_sign_iterations, error))
        return FALSE;
      t2 = g_get_monotonic_time ();
      cpu2 = process_cpu_us ();
      /* The log is read between the timed spans. */
      logged0 = logged_requests (log_path);
      key_cpu0 = process_cpu_us ();
      key_t0 = g_get_monotonic_time ();
      if (!sign_data_run_key (key, data, opt_sign_iterations, error))
        return FALSE;
      key_t1 = g_get_monotonic_time ();
      key_cpu1 = process_cpu_us ();
      logged1 = logged_requests (log_path);
      name_cpu0 = process_cpu_us ();
      name_t0 = g_get_monotonic_time ();
      if (!sign_data_run_by_name (client, data, opt_sign_iterations, error))
        return FALSE;
      name_t1 = g_get_monotonic_time ();
      name_cpu1 = process_cpu_us ();
      logged2 = logged_requests (log_path);
      r->raw_rate[r->n] = calls * G_USEC_PER_SEC / (double) MAX (t1 - t0, 1);
      r->library_rate[r->n] = calls * G_USEC_PER_SEC / (double) MAX (t2 - t1, 1);
      r->key_data_rate[r->n] = calls * G_USEC_PER_SEC / (double) MAX (key_t1 - key_t0, 1);
      r->by_name_rate[r->n] = calls * G_USEC_PER_SEC / (double) MAX (name_t1 - name_t0, 1);
      r->raw_cpu_us[r->n] = (double) (cpu1 - cpu0) / calls;
      r->library_cpu_us[r->n] = (double) (cpu2 - cpu1) / calls;
      r->key_data_cpu_us[r->n] = (double) (key_cpu1 - key_cpu0) / calls;
      r->by_name_cpu_us[r->n] = (double) (name_cpu1 - name_cpu0) / calls;
      r->key_data_requests = (double) (logged1 - logged0) / calls;
      r->by_name_requests = (double) (logged2 - logged1) / calls;
      r->n++;
    }
  if (opt_file_mib > 0)
    sign_file_measure (r, key);
  else
    r->file_why = g_strdup ("skipped (--file-mib=0)");
  return TRUE;
}

/* On a test service of its own, which logs the requests it receives. */
static gboolean
sign_hash_measure_all (SignHashResult  *r,
                       GError         **error)
{
  g_autofree char *log_dir = NULL;
  g_autofree char *log_path = NULL;
  const char *service_args[3] = { "--request-log", NULL, NULL };
  ParsecTestService *service;
  gboolean ok;

  log_dir = g_dir_make_tmp ("parsec-glib-bench-log-XXXXXX", error);
  if (log_dir == NULL)
    return FALSE;
  log_path = g_build_filename (log_dir, "requests.log", NULL);
  service_args[1] = log_path;
  service = parsec_test_service_start_with_args ("direct", NULL, service_args, error);
  ok = service != NULL && sign_measure_with_service (r, service, log_path, error);
  g_clear_pointer (&service, parsec_test_service_free);
  parsec_test_remove_tree (log_dir);
  return ok;
}

static void
sign_hash_measure (SignHashResult *r)
{
  g_autoptr(GError) error = NULL;

  if (opt_sign_iterations == 0)
    r->why = g_strdup ("skipped (--sign-iterations=0)");
  else if (!sign_hash_measure_all (r, &error))
    r->why = g_strdup_printf ("the test service run failed: %s", error->message);
  else
    r->available = TRUE;
}

/* RSS over many calls: half through the sync path, half through the
 * async path with 256 in flight, with RSS read at every tenth. */

#define RSS_SAMPLES 10

typedef struct {
  gint64 calls;
  gint64 before_kb;
  gint64 after_kb;
  gint64 samples_kb[RSS_SAMPLES];
  double seconds;
} RssResult;

static gboolean
rss_measure (Bench      *b,
             RssResult  *r,
             GError    **error)
{
  gint64 done = 0;
  gint64 t0;

  r->calls = opt_calls;
  r->before_kb = proc_status_read ().rss_kb;
  t0 = g_get_monotonic_time ();
  for (guint i = 0; i < RSS_SAMPLES; i++)
    {
      gint64 chunk = opt_calls * (i + 1) / RSS_SAMPLES - done;
      gboolean ok = i < RSS_SAMPLES / 2
        ? run_lib_sync (b, (guint64) chunk, error)
        : run_lib_async (b, 256, (guint64) chunk, error);

      b->expected += (guint64) chunk;
      if (!ok)
        return FALSE;
      done += chunk;
      r->samples_kb[i] = proc_status_read ().rss_kb;
    }
  r->seconds = (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC;
  r->after_kb = r->samples_kb[RSS_SAMPLES - 1];
  return server_check (b, "rss", error);
}

/* Allocations per call, counted by valgrind's memcheck: the benchmark runs
 * itself twice per mode with --probe, the second time with
 * opt_alloc_iterations more calls, and divides the difference of the
 * "total heap usage" lines by that number, so that start-up and warm-up
 * cancel out. G_SLICE=always-malloc makes GLib 2.74's slice allocations
 * visible as mallocs (GLib ≥ 2.76 always does that). The server thread
 * allocates nothing per connection, which the raw row (0 allocs) shows. */

static const struct {
  const char *mode;
  const char *label;
} alloc_probes[] = {
  { "raw", "raw floor" },
  { "sync", "library sync ping" },
  { "async1", "library async ping, 1 in flight" },
  { "async256", "library async ping, 256 in flight" },
};

#define PROBE_BASE_CALLS 500

typedef struct {
  gboolean available;
  char *why;
  double allocs[G_N_ELEMENTS (alloc_probes)];
  double bytes[G_N_ELEMENTS (alloc_probes)];
  double unfreed[G_N_ELEMENTS (alloc_probes)];
} AllocResult;

static gboolean
run_probe (Bench      *b,
           const char *mode,
           guint64     n,
           GError    **error)
{
  if (g_str_equal (mode, "raw"))
    return run_raw_sequential (b, n, error);
  if (g_str_equal (mode, "sync"))
    return run_lib_sync (b, n, error);
  if (g_str_equal (mode, "async1"))
    return run_lib_async (b, 1, n, error);
  if (g_str_equal (mode, "async256"))
    return run_lib_async (b, 256, n, error);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "Unknown probe %s", mode);
  return FALSE;
}

static gboolean
parse_heap_usage (const char *text,
                  double     *allocs,
                  double     *frees,
                  double     *bytes)
{
  const char *line = strstr (text, "total heap usage:");
  g_autofree char *copy = NULL;
  char *p;
  gsize j = 0;

  if (line == NULL)
    return FALSE;
  /* "total heap usage: 1,234 allocs, 1,200 frees, 56,789 bytes allocated" */
  copy = g_strndup (line, strcspn (line, "\n"));
  for (p = copy; *p != '\0'; p++)
    if (*p != ',')
      copy[j++] = *p;
  copy[j] = '\0';
  return sscanf (copy, "total heap usage: %lf allocs %lf frees %lf bytes", allocs, frees, bytes) == 3;
}

static gboolean
valgrind_probe (const char *valgrind,
                const char *self_exe,
                const char *mode,
                gint64      calls,
                double     *allocs,
                double     *frees,
                double     *bytes,
                GError    **error)
{
  g_autofree char *probe_arg = g_strdup_printf ("--probe=%s", mode);
  g_autofree char *calls_arg = g_strdup_printf ("--iterations=%" G_GINT64_FORMAT, calls);
  g_autofree char *warmup_arg = g_strdup_printf ("--warmup=%" G_GINT64_FORMAT, opt_warmup);
  const char *argv[] = {
    valgrind, "--tool=memcheck", "--leak-check=no", "--trace-children=no",
    self_exe, probe_arg, calls_arg, warmup_arg, NULL,
  };
  g_auto(GStrv) envp = g_environ_setenv (g_get_environ (), "G_SLICE", "always-malloc", TRUE);
  g_autofree char *err_text = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err_text, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      /* Say what valgrind said: its last line explains the failure. */
      g_strchomp (err_text);
      g_prefix_error (error, "%s: ", strrchr (err_text, '\n') != NULL ? strrchr (err_text, '\n') + 1 : err_text);
      return FALSE;
    }
  if (!parse_heap_usage (err_text, allocs, frees, bytes))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "No \"total heap usage\" line in valgrind's output");
      return FALSE;
    }
  return TRUE;
}

static void
alloc_measure (AllocResult *r)
{
  g_autofree char *valgrind = g_find_program_in_path ("valgrind");
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);

  if (opt_no_allocs)
    {
      r->why = g_strdup ("skipped (--no-allocs)");
      return;
    }
  if (valgrind == NULL || self_exe == NULL)
    {
      r->why = g_strdup ("valgrind not found");
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (alloc_probes); i++)
    {
      double a1, f1, b1, a2, f2, b2;
      g_autoptr(GError) error = NULL;

      if (!valgrind_probe (valgrind, self_exe, alloc_probes[i].mode, PROBE_BASE_CALLS,
                           &a1, &f1, &b1, &error) ||
          !valgrind_probe (valgrind, self_exe, alloc_probes[i].mode,
                           PROBE_BASE_CALLS + opt_alloc_iterations, &a2, &f2, &b2, &error))
        {
          r->why = g_strdup_printf ("valgrind run failed: %s", error->message);
          return;
        }
      r->allocs[i] = (a2 - a1) / (double) opt_alloc_iterations;
      r->bytes[i] = (b2 - b1) / (double) opt_alloc_iterations;
      r->unfreed[i] = ((a2 - f2) - (a1 - f1)) / (double) opt_alloc_iterations;
    }
  r->available = TRUE;
}

/* Output */

typedef struct {
  RowResult rows[G_N_ELEMENTS (rows)];
  gint64 threads_before;
  gint64 threads_max;
  char *thread_names;
  gint64 peak_rss_kb;
  gboolean hwm_reset;
  SignHashResult sign_hash;
  RssResult rss;
  AllocResult allocs;
  guint64 dropped;
  ToolReport *tool;
  char *tool_why;
} Report;

static void
report_free (Report *r)
{
  g_free (r->thread_names);
  g_free (r->allocs.why);
  g_free (r->sign_hash.why);
  g_free (r->sign_hash.file_why);
  tool_bench_free (r->tool);
  g_free (r->tool_why);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Report, report_free)

/* No growth: what is left after the calls must be within what one page of
 * allocator slack per sample could explain. */
#define RSS_GROWTH_TOLERANCE_KB 256

static gboolean
rss_target_met (const Report *r)
{
  return r->rss.after_kb - r->rss.before_kb <= RSS_GROWTH_TOLERANCE_KB;
}

static const char *
target_text (double ratio,
             double target)
{
  if (target <= 0)
    return "";
  return ratio >= target ? "met" : "MISSED";
}

static void
print_table (const Report *r)
{
  double floor_rate = median (r->rows[0].rate, r->rows[0].n);

  g_print ("parsec-glib benchmark: %" G_GINT64_FORMAT " calls per row, median of %d, %u CPUs\n\n",
           opt_iterations, opt_repeat, g_get_num_processors ());
  /* ASCII only: g_print() would turn other characters into '?' under a
   * C locale. */
  g_print ("%-40s %10s %9s %11s %11s %8s  %s\n", "row", "req/s", "us/call",
           "client CPU", "server CPU", "x floor", "target");
  g_print ("%-40s %10s %9s %11s %11s %8s\n", "", "", "", "us/call", "us/call", "");
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const RowResult *row = &r->rows[i];
      double rate = median (row->rate, row->n);
      double ratio = rate / floor_rate;
      g_autofree char *target = rows[i].target > 0
        ? g_strdup_printf (">= %.1f %s", rows[i].target, target_text (ratio, rows[i].target))
        : g_strdup ("");

      g_print ("%-40s %10.0f %9.2f %11.2f %11.2f %8.2f  %s\n", rows[i].label, rate,
               1e6 / rate, median (row->client_cpu_us, row->n),
               median (row->server_cpu_us, row->n), ratio, target);
    }
  if (r->sign_hash.available)
    {
      double raw = median (r->sign_hash.raw_rate, r->sign_hash.n);
      double lib = median (r->sign_hash.library_rate, r->sign_hash.n);

      g_print ("%-40s %10.0f %9.2f %11.2f %11s %8.2f\n", "sign-hash, raw replay of the same bytes",
               raw, 1e6 / raw, median (r->sign_hash.raw_cpu_us, r->sign_hash.n), "-", 1.0);
      double key_data = median (r->sign_hash.key_data_rate, r->sign_hash.n);
      double by_name = median (r->sign_hash.by_name_rate, r->sign_hash.n);

      g_print ("%-40s %10.0f %9.2f %11.2f %11s %8.2f\n", "sign-hash, library", lib, 1e6 / lib,
               median (r->sign_hash.library_cpu_us, r->sign_hash.n), "-", lib / raw);
      g_print ("%-40s %10.0f %9.2f %11.2f %11s %8.2f  %.2f requests/call\n", "ParsecKey sign_data", key_data,
               1e6 / key_data, median (r->sign_hash.key_data_cpu_us, r->sign_hash.n), "-", key_data / raw,
               r->sign_hash.key_data_requests);
      g_print ("%-40s %10.0f %9.2f %11.2f %11s %8.2f  %.2f requests/call\n", "sign data by name, lookup + sign_hash",
               by_name, 1e6 / by_name, median (r->sign_hash.by_name_cpu_us, r->sign_hash.n), "-", by_name / raw,
               r->sign_hash.by_name_requests);
      g_print ("(sign-hash and sign data: ECDSA P-256/SHA-256 through the test service, %" G_GINT64_FORMAT
               " calls per row; x floor is against the raw replay; requests/call as the service logged them)\n",
               opt_sign_iterations);
      if (r->sign_hash.file_why == NULL)
        g_print ("\nParsecKey sign_file on a %" G_GINT64_FORMAT " MiB file: %.2f s; RSS %" G_GINT64_FORMAT
                 " kB before, peak %+" G_GINT64_FORMAT " kB during (%s)\n", r->sign_hash.file_mib,
                 r->sign_hash.file_seconds, r->sign_hash.file_rss_before_kb, r->sign_hash.file_peak_growth_kb,
                 r->sign_hash.file_hwm_reset ? "VmHWM reset before" : "VmHWM since start: clear_refs refused");
      else
        g_print ("\nParsecKey sign_file: n/a (%s)\n", r->sign_hash.file_why);
    }
  else
    {
      g_print ("%-40s n/a (%s)\n", "sign-hash, raw replay of the same bytes", r->sign_hash.why);
      g_print ("%-40s n/a (%s)\n", "sign-hash, library", r->sign_hash.why);
      g_print ("%-40s n/a (%s)\n", "ParsecKey sign_data", r->sign_hash.why);
      g_print ("%-40s n/a (%s)\n", "sign data by name, lookup + sign_hash", r->sign_hash.why);
    }

  g_print ("\nDuring the 256-in-flight rows:\n");
  g_print ("  threads: %" G_GINT64_FORMAT " before, at most %" G_GINT64_FORMAT
           " during, extra %" G_GINT64_FORMAT " %s\n  threads at the end of the row: %s\n",
           r->threads_before, r->threads_max, r->threads_max - r->threads_before,
           r->threads_max == r->threads_before ? "met" : "MISSED", r->thread_names);
  g_print ("  peak RSS: %" G_GINT64_FORMAT " kB (%s)\n", r->peak_rss_kb,
           r->hwm_reset ? "VmHWM reset before the row" : "VmHWM since start: clear_refs refused");

  g_print ("\nRSS over %" G_GINT64_FORMAT " library calls (half sync, half async with 256 in flight, %.1f s):\n",
           r->rss.calls, r->rss.seconds);
  g_print ("  before %" G_GINT64_FORMAT " kB, after %" G_GINT64_FORMAT " kB, growth %+" G_GINT64_FORMAT
           " kB %s\n  at each tenth:", r->rss.before_kb, r->rss.after_kb,
           r->rss.after_kb - r->rss.before_kb, rss_target_met (r) ? "met" : "MISSED");
  for (guint i = 0; i < RSS_SAMPLES; i++)
    g_print (" %" G_GINT64_FORMAT, r->rss.samples_kb[i]);
  g_print (" kB\n");

  g_print ("\nAllocations per call (valgrind memcheck, G_SLICE=always-malloc):\n");
  if (!r->allocs.available)
    g_print ("  n/a (%s)\n", r->allocs.why);
  else
    for (guint i = 0; i < G_N_ELEMENTS (alloc_probes); i++)
      g_print ("  %-36s %6.2f allocs, %8.1f bytes, %+.3f not freed\n", alloc_probes[i].label,
               r->allocs.allocs[i], r->allocs.bytes[i], r->allocs.unfreed[i]);

  if (r->tool != NULL)
    tool_bench_print (r->tool);
  else
    g_print ("\nCommand-line tool: n/a (%s)\n", r->tool_why);
  if (r->dropped > 0)
    g_print ("\nWarning: the server dropped %" G_GUINT64_FORMAT " connections\n", r->dropped);
}

void
json_number (GString *out,
             double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.3f", value));
}

/* A sign-data row: {"requests_per_second", "us_per_call",
 * "client_cpu_us_per_call", "requests_per_call"}. */
static void
json_sign_data (GString      *out,
                const double *rate,
                const double *cpu_us,
                guint         n,
                double        requests)
{
  double median_rate = median (rate, n);

  g_string_append (out, "{\"requests_per_second\": ");
  json_number (out, median_rate);
  g_string_append (out, ", \"us_per_call\": ");
  json_number (out, 1e6 / median_rate);
  g_string_append (out, ", \"client_cpu_us_per_call\": ");
  json_number (out, median (cpu_us, n));
  g_string_append (out, ", \"requests_per_call\": ");
  json_number (out, requests);
  g_string_append (out, "}");
}

static void
print_json (const Report *r)
{
  g_autoptr(GString) out = g_string_new ("{\n");
  double floor_rate = median (r->rows[0].rate, r->rows[0].n);

  g_string_append_printf (out, "  \"iterations\": %" G_GINT64_FORMAT ",\n  \"repeat\": %d,\n"
                          "  \"cpus\": %u,\n  \"rows\": {\n",
                          opt_iterations, opt_repeat, g_get_num_processors ());
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const RowResult *row = &r->rows[i];
      double rate = median (row->rate, row->n);

      g_string_append_printf (out, "    \"%s\": {\"label\": \"%s\", \"requests_per_second\": ",
                              rows[i].id, rows[i].label);
      json_number (out, rate);
      g_string_append (out, ", \"us_per_call\": ");
      json_number (out, 1e6 / rate);
      g_string_append (out, ", \"client_cpu_us_per_call\": ");
      json_number (out, median (row->client_cpu_us, row->n));
      g_string_append (out, ", \"server_cpu_us_per_call\": ");
      json_number (out, median (row->server_cpu_us, row->n));
      g_string_append (out, ", \"ratio_to_floor\": ");
      json_number (out, rate / floor_rate);
      if (rows[i].target > 0)
        {
          g_string_append (out, ", \"target_ratio\": ");
          json_number (out, rows[i].target);
          g_string_append_printf (out, ", \"target_met\": %s",
                                  rate / floor_rate >= rows[i].target ? "true" : "false");
        }
      g_string_append (out, ", \"runs\": [");
      for (guint k = 0; k < row->n; k++)
        {
          if (k > 0)
            g_string_append (out, ", ");
          json_number (out, row->rate[k]);
        }
      g_string_append_printf (out, "]}%s\n", i + 1 < G_N_ELEMENTS (rows) ? "," : "");
    }
  g_string_append (out, "  },\n  \"sign_hash\": ");
  if (r->sign_hash.available)
    {
      double raw = median (r->sign_hash.raw_rate, r->sign_hash.n);
      double lib = median (r->sign_hash.library_rate, r->sign_hash.n);

      g_string_append_printf (out, "{\"available\": true, \"iterations\": %" G_GINT64_FORMAT
                              ", \"library_requests_per_second\": ", opt_sign_iterations);
      json_number (out, lib);
      g_string_append (out, ", \"raw_requests_per_second\": ");
      json_number (out, raw);
      g_string_append (out, ", \"ratio_to_raw\": ");
      json_number (out, lib / raw);
      g_string_append (out, ", \"library_client_cpu_us_per_call\": ");
      json_number (out, median (r->sign_hash.library_cpu_us, r->sign_hash.n));
      g_string_append (out, ", \"raw_client_cpu_us_per_call\": ");
      json_number (out, median (r->sign_hash.raw_cpu_us, r->sign_hash.n));
      g_string_append (out, ", \"key_sign_data\": ");
      json_sign_data (out, r->sign_hash.key_data_rate, r->sign_hash.key_data_cpu_us, r->sign_hash.n,
                      r->sign_hash.key_data_requests);
      g_string_append (out, ", \"sign_data_by_name\": ");
      json_sign_data (out, r->sign_hash.by_name_rate, r->sign_hash.by_name_cpu_us, r->sign_hash.n,
                      r->sign_hash.by_name_requests);
      if (r->sign_hash.file_why == NULL)
        {
          g_string_append_printf (out, ", \"sign_file\": {\"mib\": %" G_GINT64_FORMAT ", \"seconds\": ",
                                  r->sign_hash.file_mib);
          json_number (out, r->sign_hash.file_seconds);
          g_string_append_printf (out, ", \"rss_before_kb\": %" G_GINT64_FORMAT ", \"peak_growth_kb\": %"
                                  G_GINT64_FORMAT ", \"hwm_reset\": %s}", r->sign_hash.file_rss_before_kb,
                                  r->sign_hash.file_peak_growth_kb, r->sign_hash.file_hwm_reset ? "true" : "false");
        }
      g_string_append (out, "},\n");
    }
  else
    g_string_append_printf (out, "{\"available\": false, \"note\": \"n/a (%s)\"},\n",
                            r->sign_hash.why);

  g_string_append_printf (out,
                          "  \"in_flight_256\": {\"threads_before\": %" G_GINT64_FORMAT
                          ", \"threads_max\": %" G_GINT64_FORMAT ", \"extra_threads\": %" G_GINT64_FORMAT
                          ", \"thread_names\": \"%s\", \"peak_rss_kb\": %" G_GINT64_FORMAT ", \"hwm_reset\": %s},\n",
                          r->threads_before, r->threads_max, r->threads_max - r->threads_before,
                          r->thread_names, r->peak_rss_kb, r->hwm_reset ? "true" : "false");

  g_string_append_printf (out,
                          "  \"rss\": {\"calls\": %" G_GINT64_FORMAT ", \"before_kb\": %" G_GINT64_FORMAT
                          ", \"after_kb\": %" G_GINT64_FORMAT ", \"growth_kb\": %" G_GINT64_FORMAT
                          ", \"no_growth\": %s, \"seconds\": ",
                          r->rss.calls, r->rss.before_kb, r->rss.after_kb,
                          r->rss.after_kb - r->rss.before_kb, rss_target_met (r) ? "true" : "false");
  json_number (out, r->rss.seconds);
  g_string_append (out, ", \"samples_kb\": [");
  for (guint i = 0; i < RSS_SAMPLES; i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? ", " : "", r->rss.samples_kb[i]);
  g_string_append (out, "]},\n  \"allocations_per_call\": ");

  if (!r->allocs.available)
    g_string_append_printf (out, "{\"available\": false, \"note\": \"n/a (%s)\"}", r->allocs.why);
  else
    {
      g_string_append (out, "{");
      for (guint i = 0; i < G_N_ELEMENTS (alloc_probes); i++)
        {
          g_string_append_printf (out, "%s\n    \"%s\": {\"allocs\": ", i > 0 ? "," : "",
                                  alloc_probes[i].mode);
          json_number (out, r->allocs.allocs[i]);
          g_string_append (out, ", \"bytes\": ");
          json_number (out, r->allocs.bytes[i]);
          g_string_append (out, ", \"not_freed\": ");
          json_number (out, r->allocs.unfreed[i]);
          g_string_append (out, "}");
        }
      g_string_append (out, "\n  }");
    }
  g_string_append (out, ",\n  \"tool\": ");
  if (r->tool != NULL)
    tool_bench_json (r->tool, out);
  else
    {
      g_autofree char *why = g_strescape (r->tool_why != NULL ? r->tool_why : "", NULL);

      g_string_append_printf (out, "{\"available\": false, \"note\": \"n/a (%s)\"}", why);
    }
  g_string_append_printf (out, ",\n  \"server_dropped\": %" G_GUINT64_FORMAT "\n}\n", r->dropped);

  fputs (out->str, stdout);
}

/* Main */

static void
progress (const char *what)
{
  /* Only for a person watching: never into a log or a pipe. */
  if (!opt_json && isatty (STDERR_FILENO))
    g_printerr ("\r%-60s\r%s", "", what);
}

/* The names of this process's threads, to show which exist. */
static char *
thread_names (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *tid;

  while (dir != NULL && (tid = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", tid, "comm", NULL);
      char *name = NULL;

      if (g_file_get_contents (path, &name, NULL, NULL))
        g_ptr_array_add (names, g_strstrip (name));
    }
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

static gboolean
bench_run_all (Bench   *b,
               Report  *r,
               GError **error)
{
  const RowSpec *sampled = NULL;

  for (gint rep = 0; rep < opt_repeat; rep++)
    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      {
        /* On the heap rather than the stack: b, which points to it
         * while the row runs, outlives this block. */
        g_autofree Sampler *sampler = NULL;

        if (rows[i].sampled)
          {
            ProcStatus st = proc_status_read ();

            sampled = &rows[i];
            r->threads_before = MAX (r->threads_before, st.threads);
            r->hwm_reset = proc_reset_hwm ();
            sampler = g_new0 (Sampler, 1);
            b->sampler = sampler;
          }
        progress (rows[i].label);
        if (!row_measure (b, &rows[i], &r->rows[i], error))
          {
            b->sampler = NULL;
            return FALSE;
          }
        if (b->sampler != NULL)
          {
            ProcStatus st = proc_status_read ();

            b->sampler = NULL;
            r->threads_max = MAX (r->threads_max, MAX (sampler->max_threads, st.threads));
            if (r->thread_names == NULL)
              r->thread_names = thread_names ();
            r->peak_rss_kb = MAX (r->peak_rss_kb, MAX (sampler->max_rss_kb, st.hwm_kb));
          }
      }
  g_assert (sampled != NULL);

  progress ("sign-hash through the test service");
  sign_hash_measure (&r->sign_hash);

  progress ("RSS over many calls");
  if (!rss_measure (b, &r->rss, error))
    return FALSE;

  progress ("allocations per call (valgrind)");
  alloc_measure (&r->allocs);
  progress ("");

  r->dropped = bench_server_get_dropped (b->server);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) option_context = NULL;
  g_autoptr(BenchServer) server = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Report) report = NULL;
  Bench b = { 0 };

  /* A dconf backend would start threads of its own and skew the thread
   * count; the benchmark configures the client explicitly anyway. */
  g_setenv ("GSETTINGS_BACKEND", "memory", FALSE);

  option_context = g_option_context_new ("- benchmark parsec-glib against a raw socket floor");
  g_option_context_add_main_entries (option_context, option_entries, NULL);
  if (!g_option_context_parse (option_context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (opt_iterations < 1 || opt_warmup < 0 || opt_repeat < 1 || opt_repeat > 64 ||
      opt_calls < RSS_SAMPLES || opt_alloc_iterations < 1 || opt_sign_iterations < 0)
    {
      g_printerr ("Invalid option value: --iterations >= 1, --warmup >= 0, 1 <= --repeat <= 64, "
                  "--calls >= %d, --alloc-iterations >= 1, --sign-iterations >= 0\n", RSS_SAMPLES);
      return 2;
    }

  server = bench_server_new (&error);
  if (server == NULL)
    {
      g_printerr ("Cannot start the benchmark server: %s\n", error->message);
      return 1;
    }
  b.server = server;
  b.addr.sun_family = AF_UNIX;
  g_strlcpy (b.addr.sun_path, bench_server_get_path (server), sizeof b.addr.sun_path);

  /* An explicit provider and auth method: no discovery requests, nothing
   * but the pings reaches the server. The bound on calls in flight is
   * raised so that the 256-in-flight rows have 256 in flight. */
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", bench_server_get_endpoint (server),
                           "provider", PARSEC_PROVIDER_MBED_CRYPTO,
                           "auth-method", PARSEC_AUTH_METHOD_NONE,
                           "application-name", "parsec-glib-bench",
                           "timeout", 30000,
                           "max-requests-in-flight", 256,
                           NULL);
  if (client == NULL)
    {
      g_printerr ("Cannot create the client: %s\n", error->message);
      return 1;
    }
  b.client = client;

  /* Async calls run on this thread's own context, as an application's
   * would. */
  context = g_main_context_new ();
  g_main_context_push_thread_default (context);
  b.context = context;

  if (opt_probe != NULL)
    {
      if ((opt_warmup > 0 && !run_probe (&b, opt_probe, (guint64) opt_warmup, &error)) ||
          !run_probe (&b, opt_probe, (guint64) opt_iterations, &error))
        {
          g_printerr ("Probe %s failed: %s\n", opt_probe, error->message);
          return 1;
        }
    }
  else
    {
      report = g_new0 (Report, 1);
      if (!bench_run_all (&b, report, &error))
        {
          g_printerr ("\nBenchmark failed: %s\n", error->message);
          return 1;
        }
      if (opt_tool == NULL || opt_tool_runs == 0)
        report->tool_why = g_strdup (opt_tool == NULL ? "no --tool" : "skipped (--tool-runs=0)");
      else
        {
          progress ("command-line tools");
          report->tool = tool_bench_run (opt_tool, opt_parsec_tool != NULL ? opt_parsec_tool : g_getenv ("PARSEC_TOOL"),
                                         opt_gio_start,
                                         (guint) opt_tool_runs, &error);
          if (report->tool == NULL)
            report->tool_why = g_strdup_printf ("the tool run failed: %s", error->message);
          g_clear_error (&error);
        }
      if (opt_json)
        print_json (report);
      else
        print_table (report);
    }

  g_main_context_pop_thread_default (context);
  return 0;
}
