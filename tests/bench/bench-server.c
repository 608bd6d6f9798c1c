/* bench-server.c: an instant-answer Parsec ping server for the benchmark
 *
 * The benchmark measures the client, so the server must cost as little as
 * possible and treat every client alike: one dedicated thread, one epoll
 * set, non-blocking sockets, no allocation per connection, and a response
 * computed once. A connection is answered as soon as its whole request
 * (header, body and auth) has been read, then closed, exactly like the
 * service's one-request-per-connection front end.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bench-server.h"
#include "parsec-glib.h"
#include "parsec-wire-private.h"

/* Far more than the 256 requests the benchmark keeps in flight, so that a
 * client never sees a full backlog; the kernel caps it at somaxconn. */
#define LISTEN_BACKLOG 4096
#define MAX_EVENTS     256

typedef struct {
  guint8 header[PARSEC_WIRE_HEADER_LEN];
  guint8 header_read;
  gboolean open;
  gboolean registered;         /* in the epoll set */
  guint64 skip;                /* body and auth bytes still to read */
} Conn;

struct _BenchServer {
  char *dir;
  char *path;
  char *endpoint;
  int listen_fd;
  int epoll_fd;
  int stop_fd;
  GThread *thread;

  /* One slot per possible descriptor, allocated once: no allocation on
   * the server's hot path. */
  Conn *conns;
  gsize n_conns;

  GMutex lock;
  GCond cond;
  gboolean started;
  clockid_t cpu_clock;

  guint64 answered;            /* written by the server thread only */
  guint64 dropped;
};

static guint8 ping_request[BENCH_PING_REQUEST_LEN];
static guint8 ping_response[BENCH_PING_RESPONSE_LEN];

static void
init_messages (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      ParsecWireHeader header;

      _parsec_wire_header_init_request (&header, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_PING,
                                        PARSEC_AUTH_TYPE_NONE, 0, 0);
      _parsec_wire_header_encode (&header, ping_request);

      /* Ping result: wire_protocol_version_maj = 1 (field 1, varint);
       * the minor version 0 is the default and so not encoded. */
      header.body_len = 2;
      header.status = 0;
      header.accept_type = 0;
      header.auth_type = 0;
      _parsec_wire_header_encode (&header, ping_response);
      ping_response[PARSEC_WIRE_HEADER_LEN] = 0x08;
      ping_response[PARSEC_WIRE_HEADER_LEN + 1] = 0x01;

      g_once_init_leave (&initialized, 1);
    }
}

const guint8 *
bench_ping_request (void)
{
  init_messages ();
  return ping_request;
}

const guint8 *
bench_ping_response (void)
{
  init_messages ();
  return ping_response;
}

static void
conn_close (BenchServer *self,
            int          fd,
            gboolean     answered)
{
  /* Closing the only descriptor of the socket also removes it from the
   * epoll set. */
  self->conns[fd].open = FALSE;
  close (fd);
  if (answered)
    __atomic_store_n (&self->answered, self->answered + 1, __ATOMIC_RELAXED);
  else
    __atomic_store_n (&self->dropped, self->dropped + 1, __ATOMIC_RELAXED);
}

/* Reads as much of the request as is there; answers and closes once it is
 * complete. */
static void
conn_serve (BenchServer *self,
            int          fd)
{
  Conn *c = &self->conns[fd];

  for (;;)
    {
      gssize n;

      if (c->header_read < PARSEC_WIRE_HEADER_LEN)
        {
          n = read (fd, c->header + c->header_read, PARSEC_WIRE_HEADER_LEN - c->header_read);
          if (n > 0)
            {
              c->header_read += (guint8) n;
              if (c->header_read == PARSEC_WIRE_HEADER_LEN)
                {
                  ParsecWireHeader header;

                  _parsec_wire_header_decode (c->header, &header);
                  if (header.magic != PARSEC_WIRE_MAGIC)
                    {
                      conn_close (self, fd, FALSE);
                      return;
                    }
                  c->skip = (guint64) header.body_len + header.auth_len;
                }
              continue;
            }
        }
      else if (c->skip > 0)
        {
          guint8 scratch[4096];

          n = read (fd, scratch, MIN (c->skip, sizeof scratch));
          if (n > 0)
            {
              c->skip -= (guint64) n;
              continue;
            }
        }
      else
        {
          /* 38 bytes always fit in an empty socket buffer. */
          n = write (fd, ping_response, sizeof ping_response);
          conn_close (self, fd, n == (gssize) sizeof ping_response);
          return;
        }

      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (!c->registered)
            {
              struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

              if (epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
                {
                  conn_close (self, fd, FALSE);
                  return;
                }
              c->registered = TRUE;
            }
          return;
        }
      if (n < 0 && errno == EINTR)
        continue;
      conn_close (self, fd, FALSE);
      return;
    }
}

static void
accept_all (BenchServer *self)
{
  for (;;)
    {
      int fd = accept4 (self->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

      if (fd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          return;
        }
      if ((gsize) fd >= self->n_conns)
        {
          close (fd);
          __atomic_store_n (&self->dropped, self->dropped + 1, __ATOMIC_RELAXED);
          continue;
        }
      self->conns[fd] = (Conn) { .open = TRUE };
      /* Clients write right after connecting, so the request is usually
       * there already: try before paying for an epoll registration. */
      conn_serve (self, fd);
    }
}

static gpointer
server_thread (gpointer user_data)
{
  BenchServer *self = user_data;
  struct epoll_event events[MAX_EVENTS];

  g_mutex_lock (&self->lock);
  if (pthread_getcpuclockid (pthread_self (), &self->cpu_clock) != 0)
    self->cpu_clock = (clockid_t) -1;
  self->started = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  for (;;)
    {
      int n = epoll_wait (self->epoll_fd, events, MAX_EVENTS, -1);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("bench server: epoll_wait failed: %s", g_strerror (errno));
        }
      for (int i = 0; i < n; i++)
        {
          int fd = events[i].data.fd;

          if (fd == self->stop_fd)
            return NULL;
          if (fd == self->listen_fd)
            accept_all (self);
          else if ((gsize) fd < self->n_conns && self->conns[fd].open)
            conn_serve (self, fd);
        }
    }
}

BenchServer *
bench_server_new (GError **error)
{
  g_autoptr(BenchServer) self = g_new0 (BenchServer, 1);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  struct epoll_event ev = { .events = EPOLLIN };
  struct rlimit limit;
  g_autoptr(GError) local_error = NULL;

  init_messages ();
  self->listen_fd = self->epoll_fd = self->stop_fd = -1;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  self->dir = g_dir_make_tmp ("parsec-glib-bench-XXXXXX", &local_error);
  if (self->dir == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  self->path = g_build_filename (self->dir, "parsec.sock", NULL);
  self->endpoint = g_strconcat ("unix:", self->path, NULL);
  if (strlen (self->path) >= sizeof addr.sun_path)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                   "Socket path %s is too long; set TMPDIR to a shorter directory", self->path);
      return NULL;
    }
  strcpy (addr.sun_path, self->path);

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    limit.rlim_cur = 65536;
  self->n_conns = MIN (limit.rlim_cur, 1u << 20);
  self->conns = g_new0 (Conn, self->n_conns);

  self->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (self->listen_fd < 0 ||
      bind (self->listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      listen (self->listen_fd, LISTEN_BACKLOG) < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot listen on %s: %s", self->path, g_strerror (saved_errno));
      return NULL;
    }

  self->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  self->stop_fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (self->epoll_fd < 0 || self->stop_fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot set up epoll: %s", g_strerror (saved_errno));
      return NULL;
    }
  ev.data.fd = self->listen_fd;
  epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, self->listen_fd, &ev);
  ev.data.fd = self->stop_fd;
  epoll_ctl (self->epoll_fd, EPOLL_CTL_ADD, self->stop_fd, &ev);

  self->thread = g_thread_new ("bench-server", server_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->started)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);

  return g_steal_pointer (&self);
}

void
bench_server_free (BenchServer *self)
{
  if (self == NULL)
    return;

  if (self->thread != NULL)
    {
      guint64 one = 1;

      if (write (self->stop_fd, &one, sizeof one) != sizeof one)
        g_error ("bench server: cannot stop the server thread: %s", g_strerror (errno));
      g_thread_join (self->thread);
    }
  for (gsize fd = 0; self->conns != NULL && fd < self->n_conns; fd++)
    if (self->conns[fd].open)
      close ((int) fd);
  if (self->stop_fd >= 0)
    close (self->stop_fd);
  if (self->epoll_fd >= 0)
    close (self->epoll_fd);
  if (self->listen_fd >= 0)
    close (self->listen_fd);
  if (self->path != NULL)
    g_unlink (self->path);
  if (self->dir != NULL)
    g_rmdir (self->dir);

  g_free (self->conns);
  g_free (self->endpoint);
  g_free (self->path);
  g_free (self->dir);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

const char *
bench_server_get_path (BenchServer *self)
{
  return self->path;
}

const char *
bench_server_get_endpoint (BenchServer *self)
{
  return self->endpoint;
}

guint64
bench_server_get_answered (BenchServer *self)
{
  return __atomic_load_n (&self->answered, __ATOMIC_RELAXED);
}

guint64
bench_server_get_dropped (BenchServer *self)
{
  return __atomic_load_n (&self->dropped, __ATOMIC_RELAXED);
}

/* CPU time the server thread has used, to show that it was not the
 * bottleneck of a row (it should stay well under the row's wall time). */
gint64
bench_server_get_cpu_time_us (BenchServer *self)
{
  struct timespec ts;

  if (self->cpu_clock == (clockid_t) -1 || clock_gettime (self->cpu_clock, &ts) != 0)
    return -1;
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}
