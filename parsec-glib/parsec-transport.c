/* parsec-transport.c: one request and its response over a Unix socket
 *
 * The service reads one request per connection and closes it after the
 * answer, so every call opens its own socket. The exchange is a small
 * state machine that advances as far as the socket allows without
 * blocking; the synchronous driver waits on the socket between steps and
 * the asynchronous one waits in a GSource on the caller's main context,
 * so both share every byte of framing and every check. The socket is a
 * plain non-blocking file descriptor: a request needs no object of its
 * own beyond the asynchronous driver's GSource.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <gio/gunixsocketaddress.h>

#include "parsec-glib.h"
#include "parsec-error-private.h"
#include "parsec-i18n-private.h"
#include "parsec-secure-private.h"
#include "parsec-transport-private.h"
#include "parsec-wire-private.h"
#include "secure-env.h"

/* A full listen backlog makes a non-blocking connect fail with EAGAIN;
 * the socket never signals when to retry, so poll again after this. */
#define CONNECT_RETRY_US 1000

typedef enum {
  STATE_CONNECT,
  STATE_CONNECTING,
  STATE_CONNECTED,
  STATE_WRITE,
  STATE_READ_HEADER,
  STATE_READ_BODY,
  STATE_DONE,
} ExchangeState;

typedef struct _Exchange Exchange;

struct _Exchange {
  ParsecTransportParams params;
  ExchangeState state;
  int fd;                      /* -1 before the socket exists */
  gboolean owns_address;       /* the asynchronous driver's reference */
  ParsecWireBuffer request;
  gsize written;
  GError *write_error;         /* kept in case the service answers anyway */
  guint8 header_bytes[PARSEC_WIRE_HEADER_LEN];
  gsize header_read;
  ParsecWireHeader header;
  guint8 *body;                /* secure memory of body_capacity bytes */
  gsize body_capacity;
  gsize body_read;
  gint64 start;                /* monotonic µs */
  gint64 deadline;             /* monotonic µs, G_MAXINT64 without one */

  /* asynchronous driver */
  GCancellable *cancellable;
  GMainContext *context;       /* the caller's, which outlives the call */
  ParsecWatch watch;
  gboolean watching;
  ParsecTransportDone done;
  gpointer done_data;
};

static const char *
exchange_path (Exchange *x)
{
  return g_unix_socket_address_get_path (G_UNIX_SOCKET_ADDRESS (x->params.address));
}

static void
exchange_init (Exchange                    *x,
               const ParsecTransportParams *params,
               ParsecWireBuffer             request)
{
  *x = (Exchange) { .params = *params, .fd = -1, .request = request };
  x->start = g_get_monotonic_time ();
  if (params->deadline != 0)
    x->deadline = params->deadline;
  else
    x->deadline = params->timeout_ms > 0
      ? x->start + (gint64) params->timeout_ms * G_TIME_SPAN_MILLISECOND
      : G_MAXINT64;
}

static void
exchange_clear (Exchange *x)
{
  if (x->fd >= 0)
    {
      close (x->fd);
      x->fd = -1;
    }
  _parsec_wire_buffer_clear (&x->request);
  g_clear_error (&x->write_error);
  g_clear_pointer (&x->body, secure_free);
  if (x->owns_address)
    g_clear_object (&x->params.address);
}

/* A GIOError for errno @errsv, as GIO words it. */
static GError *
errno_error (int         errsv,
             const char *what)
{
  return g_error_new (G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", what, g_strerror (errsv));
}

static GError *
connect_error (Exchange *x,
               GError   *cause)
{
  const char *advice = "";
  GError *error;

  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    advice = _(". Is the service running? Set PARSEC_SERVICE_ENDPOINT or ParsecClient:endpoint if it listens elsewhere");
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    advice = _(". The socket exists but no service accepts connections on it");
  else if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    advice = _(". The user may need to be in the service's clients group (often parsec-clients)");

  error = g_error_new (PARSEC_ERROR, PARSEC_ERROR_SERVICE_UNAVAILABLE,
                       _("Cannot connect to the Parsec service at %s: %s%s"),
                       exchange_path (x), cause->message, advice);
  g_error_free (cause);
  return error;
}

static GError *
timeout_error (Exchange *x)
{
  return g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                      _("The Parsec service at %s did not complete %s within %u ms"),
                      exchange_path (x), _parsec_opcode_get_name (x->params.opcode),
                      x->params.timeout_ms);
}

static GError *
eof_error (Exchange *x)
{
  const char *operation = _parsec_opcode_get_name (x->params.opcode);

  if (x->state == STATE_READ_HEADER && x->header_read == 0)
    {
      if (x->write_error != NULL)
        return g_error_new (PARSEC_ERROR, PARSEC_ERROR_SERVICE_UNAVAILABLE,
                            _("Sending %s to the Parsec service failed: %s"),
                            operation, x->write_error->message);
      return g_error_new (PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                          _("The Parsec service closed the connection without answering %s"),
                          operation);
    }
  if (x->state == STATE_READ_HEADER)
    return g_error_new (PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                        _("The Parsec service's response to %s ended after %zu of %d header bytes"),
                        operation, x->header_read, PARSEC_WIRE_HEADER_LEN);
  return g_error_new (PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                      _("The Parsec service's response to %s ended after %zu of %u body bytes"),
                      operation, x->body_read, x->header.body_len);
}

static GError *
receive_error (Exchange *x,
               GError   *cause)
{
  GError *error = g_error_new (PARSEC_ERROR, PARSEC_ERROR_SERVICE_UNAVAILABLE,
                               _("Receiving the response to %s failed on the connection to the Parsec service: %s"),
                               _parsec_opcode_get_name (x->params.opcode), cause->message);
  g_error_free (cause);
  return error;
}

/* Applies the trust policy to the result of one check: under "warn" a
 * failure is logged and the exchange goes on. A message, not a warning:
 * the failure is the system's setup, not a bug in the program, and must
 * not abort one run with G_DEBUG=fatal-warnings. */
static gboolean
exchange_trust (Exchange  *x,
                gboolean   trusted,
                GError    *check_error,
                GError   **error)
{
  if (trusted)
    return TRUE;
  if (x->params.trust.policy == PARSEC_TRUST_POLICY_WARN)
    {
      g_message ("%s", check_error->message);
      g_error_free (check_error);
      return TRUE;
    }
  *error = check_error;
  return FALSE;
}

/* g_log_writer_default_would_drop() reads the environment at every call,
 * which costs more than the rest of a request's bookkeeping: whether
 * G_MESSAGES_DEBUG is set at all is read once, at the first request. Like
 * every variable of the library's, not under AT_SECURE. */
static gboolean
messages_debug_set (void)
{
  static gsize state = 0;   /* 0 unknown, 1 unset, 2 set */

  if (g_once_init_enter (&state))
    g_once_init_leave (&state, secure_env_get ("G_MESSAGES_DEBUG") != NULL ? 2 : 1);
  return state == 2;
}

/* Debug-level record of each call, never with payloads or authentication
 * data; enable with G_MESSAGES_DEBUG=Parsec. */
static void
exchange_log (Exchange     *x,
              const GError *error)
{
  guint status = 0;
  char status_text[16];
  char provider_text[8];
  char opcode_text[16];
  char duration_text[24];

  if ((!messages_debug_set () && !g_log_get_debug_enabled ()) ||
      g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    return;

  if (error != NULL && error->domain == PARSEC_ERROR && error->code < 65536)
    status = (guint) error->code;
  g_snprintf (status_text, sizeof status_text, "%u", status);
  g_snprintf (provider_text, sizeof provider_text, "%u", x->params.provider);
  g_snprintf (opcode_text, sizeof opcode_text, "%u", x->params.opcode);
  g_snprintf (duration_text, sizeof duration_text, "%" G_GINT64_FORMAT, g_get_monotonic_time () - x->start);

  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG,
                    "PARSEC_OPCODE", opcode_text,
                    "PARSEC_PROVIDER", provider_text,
                    "PARSEC_STATUS", status_text,
                    "PARSEC_DURATION_US", duration_text,
                    "MESSAGE", "%s to provider %u: %s in %s µs",
                    _parsec_opcode_get_name (x->params.opcode), x->params.provider,
                    error == NULL ? "success" : error->message, duration_text);
}

/* Receives into buf[*filled..wanted). Returns FALSE on error; *would_block
 * is set when the socket has nothing for now. */
static gboolean
exchange_receive (Exchange  *x,
                  guint8    *buf,
                  gsize      wanted,
                  gsize     *filled,
                  gboolean  *would_block,
                  GError   **error)
{
  gssize n;

  *would_block = FALSE;
  do
    n = recv (x->fd, buf + *filled, wanted - *filled, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        {
          *would_block = TRUE;
          return TRUE;
        }
      *error = receive_error (x, errno_error (errno, _("Error receiving data")));
      return FALSE;
    }
  if (n == 0)
    {
      *error = eof_error (x);
      return FALSE;
    }
  *filled += (gsize) n;
  return TRUE;
}

/* The body buffer grows with what arrives, doubling from BODY_CHUNK up to
 * the announced length: a peer that announces a large body and sends
 * little costs little. */
#define BODY_CHUNK (64 * 1024)

static void
exchange_grow_body (Exchange *x)
{
  gsize capacity = MIN ((gsize) x->header.body_len, MAX (BODY_CHUNK, 2 * x->body_capacity));

  x->body = secure_grow (x->body, x->body_read, capacity);
  x->body_capacity = capacity;
}

/* Advances the exchange as far as possible without blocking. Returns TRUE
 * when it is finished (x->state is STATE_DONE, or *error is set); FALSE
 * when it must wait for @wait on the socket, or for a short while when
 * @wait is 0. */
static gboolean
exchange_step (Exchange      *x,
               GIOCondition  *wait,
               GError       **error)
{
  GError *local_error = NULL;
  gboolean would_block;

  for (;;)
    {
      switch (x->state)
        {
        case STATE_CONNECT:
          if (x->fd < 0)
            {
              if (x->params.trust.policy != PARSEC_TRUST_POLICY_OFF)
                {
                  gboolean trusted = _parsec_endpoint_check_path (exchange_path (x), &x->params.trust,
                                                                  &local_error);

                  if (!exchange_trust (x, trusted, g_steal_pointer (&local_error), error))
                    return TRUE;
                }
              x->fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
              if (x->fd < 0)
                {
                  *error = connect_error (x, errno_error (errno, _("Unable to create socket")));
                  return TRUE;
                }
            }
          {
            struct sockaddr_un addr = { .sun_family = AF_UNIX };
            const char *path = exchange_path (x);
            gsize path_len = strlen (path);
            int result;

            if (path_len >= sizeof addr.sun_path)
              {
                *error = connect_error (x, errno_error (ENAMETOOLONG, _("Error connecting")));
                return TRUE;
              }
            memcpy (addr.sun_path, path, path_len + 1);
            do
              result = connect (x->fd, (struct sockaddr *) &addr,
                                G_STRUCT_OFFSET (struct sockaddr_un, sun_path) + path_len + 1);
            while (result < 0 && errno == EINTR);
            if (result == 0)
              {
                x->state = STATE_CONNECTED;
                break;
              }
            if (errno == EINPROGRESS)
              {
                x->state = STATE_CONNECTING;
                *wait = G_IO_OUT;
                return FALSE;
              }
            if (errno == EAGAIN)
              {
                *wait = 0;
                return FALSE;
              }
            *error = connect_error (x, errno_error (errno, _("Error connecting")));
            return TRUE;
          }

        case STATE_CONNECTING:
          {
            int socket_error = 0;
            socklen_t len = sizeof socket_error;

            if (getsockopt (x->fd, SOL_SOCKET, SO_ERROR, &socket_error, &len) < 0)
              socket_error = errno;
            if (socket_error != 0)
              {
                *error = connect_error (x, errno_error (socket_error, _("Error connecting")));
                return TRUE;
              }
          }
          x->state = STATE_CONNECTED;
          break;

        case STATE_CONNECTED:
          /* Before anything, authentication data included, is written. */
          if (x->params.trust.policy != PARSEC_TRUST_POLICY_OFF)
            {
              gboolean trusted = _parsec_endpoint_check_peer (x->fd, exchange_path (x), &x->params.trust,
                                                              &local_error);

              if (!exchange_trust (x, trusted, g_steal_pointer (&local_error), error))
                return TRUE;
            }
          x->state = STATE_WRITE;
          break;

        case STATE_WRITE:
          {
            const guint8 *data = x->request.data;
            gsize len = x->request.len;
            gssize n;

            do
              n = send (x->fd, data + x->written, len - x->written, MSG_NOSIGNAL);
            while (n < 0 && errno == EINTR);
            if (n < 0)
              {
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                  {
                    *wait = G_IO_OUT;
                    return FALSE;
                  }
                /* The service answers an oversized request at once and
                 * stops reading, so a failed write may still be followed
                 * by a response that explains it. */
                x->write_error = errno_error (errno, _("Error sending message"));
                x->state = STATE_READ_HEADER;
                break;
              }
            x->written += (gsize) n;
            if (x->written == len)
              {
                /* The service cannot have answered yet: wait rather
                 * than try a receive bound to fail. */
                x->state = STATE_READ_HEADER;
                *wait = G_IO_IN;
                return FALSE;
              }
          }
          break;

        case STATE_READ_HEADER:
          if (!exchange_receive (x, x->header_bytes, sizeof x->header_bytes,
                                 &x->header_read, &would_block, error))
            return TRUE;
          if (would_block)
            {
              *wait = G_IO_IN;
              return FALSE;
            }
          if (!_parsec_wire_check_prefix (x->header_bytes, x->header_read, error))
            return TRUE;
          if (x->header_read < sizeof x->header_bytes)
            break;
          _parsec_wire_header_decode (x->header_bytes, &x->header);
          if (!_parsec_wire_check_response_header (&x->header, x->params.opcode,
                                                   x->params.max_body_len, error))
            {
              if (x->header.status != 0 && x->params.key_name != NULL &&
                  g_error_matches (*error, PARSEC_ERROR, x->header.status))
                {
                  g_clear_error (error);
                  *error = _parsec_error_new_from_status (x->header.status, x->params.opcode,
                                                          x->params.key_name);
                }
              return TRUE;
            }
          if (x->header.body_len == 0)
            {
              x->state = STATE_DONE;
              return TRUE;
            }
          x->state = STATE_READ_BODY;
          break;

        case STATE_READ_BODY:
          if (x->body_read == x->body_capacity)
            exchange_grow_body (x);
          if (!exchange_receive (x, x->body, x->body_capacity,
                                 &x->body_read, &would_block, error))
            return TRUE;
          if (would_block)
            {
              *wait = G_IO_IN;
              return FALSE;
            }
          if (x->body_read == x->header.body_len)
            {
              x->state = STATE_DONE;
              return TRUE;
            }
          break;

        case STATE_DONE:
        default:
          return TRUE;
        }
    }
}

static ParsecWireBuffer
exchange_steal_body (Exchange *x)
{
  /* The whole body arrived, so the buffer is exactly as long. */
  ParsecWireBuffer body = { g_steal_pointer (&x->body), x->body_read };

  return body;
}

/* Waits until the socket is ready for @wait, at most @remaining µs
 * (G_MAXINT64: no deadline), or until @cancellable is cancelled; the
 * caller then finds out which. FALSE with @error on timeout or failure. */
static gboolean
exchange_wait (Exchange      *x,
               GIOCondition   wait,
               gint64         remaining,
               GCancellable  *cancellable,
               GError       **error)
{
  GPollFD fds[2] = { { .fd = x->fd, .events = wait } };
  guint n_fds = 1;
  int timeout = -1;
  int result;

  if (x->deadline != G_MAXINT64)
    /* Rounded up: waking before the deadline would only wait again. */
    timeout = (int) MIN ((remaining + 999) / 1000, G_MAXINT);
  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    n_fds = 2;
  do
    result = g_poll (fds, n_fds, timeout);
  while (result < 0 && errno == EINTR);
  if (n_fds == 2)
    g_cancellable_release_fd (cancellable);
  if (result < 0)
    {
      *error = receive_error (x, errno_error (errno, _("Error waiting on the socket")));
      return FALSE;
    }
  if (result == 0)
    {
      *error = timeout_error (x);
      return FALSE;
    }
  return TRUE;
}

gboolean
_parsec_transport_call (const ParsecTransportParams  *params,
                        ParsecWireBuffer              request,
                        GCancellable                 *cancellable,
                        ParsecWireBuffer             *body,
                        GError                      **error)
{
  Exchange x;
  GError *local_error = NULL;

  *body = (ParsecWireBuffer) { NULL, 0 };
  exchange_init (&x, params, request);

  while (!g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    {
      GIOCondition wait = 0;
      gint64 remaining;

      if (exchange_step (&x, &wait, &local_error))
        {
          if (local_error == NULL)
            *body = exchange_steal_body (&x);
          break;
        }

      remaining = x.deadline - g_get_monotonic_time ();
      if (remaining <= 0)
        {
          local_error = timeout_error (&x);
          break;
        }
      if (wait == 0)
        {
          g_usleep (MIN (remaining, CONNECT_RETRY_US));
          continue;
        }
      if (!exchange_wait (&x, wait, remaining, cancellable, &local_error))
        break;
    }

  exchange_log (&x, local_error);
  exchange_clear (&x);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* The watches of one main context */

/* The sockets are on an epoll set of the source's own, which is the one
 * descriptor the context polls: a request's socket costs one epoll_ctl()
 * to add, and the context's poll and check do not grow with the number
 * of requests in flight. */
struct _ParsecWatchSource {
  GSource source;
  GMutex lock;
  GMainContext *context;       /* its key in watch_sources */
  int epoll_fd;
  gpointer epoll_tag;
  ParsecWatch *head, *tail;
  ParsecWatch *queue_head, *queue_tail;  /* due or woken, to run */
  gint64 armed;                /* the GSource's ready time, G_MAXINT64 for none */
};

/* The most ready sockets taken from the epoll set at once; the set stays
 * readable for the rest, which the next iteration takes. */
#define WATCH_EVENTS_MAX 64

/* GMainContext → its ParsecWatchSource, which stays attached until the
 * context is freed and then leaves this table. A call holds a reference
 * to its context, so no lookup meets a source being finalised. */
G_LOCK_DEFINE_STATIC (watch_sources);
static GHashTable *watch_sources;

static void
watch_source_arm (ParsecWatchSource *source,
                  gint64             ready_time)
{
  source->armed = ready_time;
  g_source_set_ready_time ((GSource *) source, ready_time == G_MAXINT64 ? -1 : ready_time);
}

/* Queues @watch to run. */
static void
watch_queue (ParsecWatchSource *source,
             ParsecWatch       *watch)
{
  watch->queued = TRUE;
  watch->queue_next = NULL;
  if (source->queue_tail != NULL)
    source->queue_tail->queue_next = watch;
  else
    source->queue_head = watch;
  source->queue_tail = watch;
}

static void
watch_unqueue (ParsecWatchSource *source,
               ParsecWatch       *watch)
{
  ParsecWatch *previous = NULL;

  for (ParsecWatch *w = source->queue_head; w != watch; w = w->queue_next)
    previous = w;
  if (previous != NULL)
    previous->queue_next = watch->queue_next;
  else
    source->queue_head = watch->queue_next;
  if (source->queue_tail == watch)
    source->queue_tail = previous;
  watch->queued = FALSE;
}

/* Queues the watches whose sockets are ready, straight from the epoll
 * set: no walk over the others. */
static void
watch_source_queue_ready (ParsecWatchSource *source)
{
  struct epoll_event events[WATCH_EVENTS_MAX];
  int n;

  if (source->epoll_tag == NULL ||
      (g_source_query_unix_fd ((GSource *) source, source->epoll_tag) & G_IO_IN) == 0)
    return;
  do
    n = epoll_wait (source->epoll_fd, events, G_N_ELEMENTS (events), 0);
  while (n < 0 && errno == EINTR);
  for (int i = 0; i < n; i++)
    {
      ParsecWatch *watch = events[i].data.ptr;

      if (!watch->queued)
        watch_queue (source, watch);
    }
}

/* Queues the watches whose time has come. */
static void
watch_source_queue_due (ParsecWatchSource *source,
                        gint64             now)
{
  for (ParsecWatch *watch = source->head; watch != NULL; watch = watch->next)
    if (!watch->queued && watch->ready_time <= now)
      watch_queue (source, watch);
}

static gint64
watch_source_earliest (ParsecWatchSource *source)
{
  gint64 earliest = G_MAXINT64;

  for (ParsecWatch *watch = source->head; watch != NULL; watch = watch->next)
    earliest = MIN (earliest, watch->queued ? 0 : watch->ready_time);
  return earliest;
}

/* Runs every watch that is due, and those woken meanwhile: one iteration
 * of the loop serves every answer that arrived. The queue is the
 * source's, not the dispatch's: a main loop nested in a callback runs
 * what is left of it rather than finding the epoll set ready and nothing
 * to do. A wake-up queues its watch itself, so the list of watches is
 * walked only when the ready time has come. */
static gboolean
watch_source_dispatch (GSource     *base,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  ParsecWatchSource *source = (ParsecWatchSource *) base;
  gint64 now = g_source_get_time (base);
  ParsecWatch *watch;
  gboolean timed;

  g_mutex_lock (&source->lock);
  timed = source->armed <= now;
  watch_source_queue_ready (source);
  /* Time is as the iteration found it: read once, here. */
  if (timed)
    watch_source_queue_due (source, now);
  while ((watch = source->queue_head) != NULL)
    {
      source->queue_head = watch->queue_next;
      if (source->queue_head == NULL)
        source->queue_tail = NULL;
      watch->queued = FALSE;
      g_mutex_unlock (&source->lock);
      watch->func (watch);
      g_mutex_lock (&source->lock);
    }
  /* A ready time that fired is moved on to the earliest left; one still
   * ahead stays, even if the watch it was for is gone: moving it wakes
   * the loop, and firing early costs one walk. */
  if (timed || source->armed <= now)
    watch_source_arm (source, watch_source_earliest (source));
  g_mutex_unlock (&source->lock);
  return G_SOURCE_CONTINUE;
}

static void
watch_source_finalize (GSource *base)
{
  ParsecWatchSource *source = (ParsecWatchSource *) base;

  G_LOCK (watch_sources);
  if (g_hash_table_lookup (watch_sources, source->context) == source)
    g_hash_table_remove (watch_sources, source->context);
  G_UNLOCK (watch_sources);
  if (source->epoll_fd >= 0)
    close (source->epoll_fd);
  g_mutex_clear (&source->lock);
}

static GSourceFuncs watch_source_funcs = {
  .dispatch = watch_source_dispatch,
  .finalize = watch_source_finalize,
};

static ParsecWatchSource *
watch_source_get (GMainContext *context)
{
  ParsecWatchSource *source;

  G_LOCK (watch_sources);
  if (watch_sources == NULL)
    watch_sources = g_hash_table_new (NULL, NULL);
  source = g_hash_table_lookup (watch_sources, context);
  if (source == NULL)
    {
      source = (ParsecWatchSource *) g_source_new (&watch_source_funcs, sizeof (ParsecWatchSource));
      g_mutex_init (&source->lock);
      source->context = context;
      source->armed = G_MAXINT64;
      source->epoll_fd = -1;
      g_source_set_static_name ((GSource *) source, "[parsec-glib] requests");
      /* Never blocked while it dispatches: blocking would take every
       * socket out of the poll and put it back after each dispatch. */
      g_source_set_can_recurse ((GSource *) source, TRUE);
      g_source_attach ((GSource *) source, context);
      g_source_unref ((GSource *) source);   /* the context holds it */
      g_hash_table_insert (watch_sources, context, source);
    }
  G_UNLOCK (watch_sources);
  return source;
}

static void
watch_cancelled (GCancellable *cancellable,
                 gpointer      user_data)
{
  _parsec_watch_wake (user_data);
}

/* Called on @context's thread, or before anything else can reach it. */
void
_parsec_watch_start (ParsecWatch     *watch,
                     GMainContext    *context,
                     GCancellable    *cancellable,
                     gint64           ready_time,
                     ParsecWatchFunc  func)
{
  ParsecWatchSource *source = watch_source_get (context);

  *watch = (ParsecWatch) { .func = func, .source = source, .fd = -1, .ready_time = ready_time, .started = TRUE };
  g_mutex_lock (&source->lock);
  watch->prev = source->tail;
  if (source->tail != NULL)
    source->tail->next = watch;
  else
    source->head = watch;
  source->tail = watch;
  if (ready_time < source->armed)
    watch_source_arm (source, ready_time);
  g_mutex_unlock (&source->lock);

  /* Runs at once if already cancelled, and then only wakes the watch. */
  if (cancellable != NULL)
    {
      watch->cancellable = g_object_ref (cancellable);
      watch->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (watch_cancelled), watch, NULL);
    }
}

static guint32
epoll_events (GIOCondition events)
{
  return ((events & G_IO_IN) ? EPOLLIN : 0) | ((events & G_IO_OUT) ? EPOLLOUT : 0);
}

/* The epoll set is made with the first socket, so that running out of
 * descriptors fails a call rather than the source. */
gboolean
_parsec_watch_set_fd (ParsecWatch   *watch,
                      int            fd,
                      GIOCondition   events,
                      GError       **error)
{
  ParsecWatchSource *source = watch->source;
  struct epoll_event event = { .events = epoll_events (events), .data.ptr = watch };
  int errsv = 0;

  g_mutex_lock (&source->lock);
  if (source->epoll_fd < 0)
    {
      source->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
      if (source->epoll_fd < 0)
        errsv = errno;
      else
        source->epoll_tag = g_source_add_unix_fd ((GSource *) source, source->epoll_fd, G_IO_IN);
    }
  if (errsv == 0 && (watch->fd < 0 || events != watch->events))
    {
      if (epoll_ctl (source->epoll_fd, watch->fd < 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) < 0)
        errsv = errno;
      else
        {
          watch->fd = fd;
          watch->events = events;
        }
    }
  g_mutex_unlock (&source->lock);

  if (errsv != 0)
    {
      *error = errno_error (errsv, _("Unable to watch the socket"));
      return FALSE;
    }
  return TRUE;
}

void
_parsec_watch_set_ready_time (ParsecWatch *watch,
                              gint64       ready_time)
{
  ParsecWatchSource *source = watch->source;

  g_mutex_lock (&source->lock);
  watch->ready_time = ready_time;
  if (ready_time < source->armed)
    watch_source_arm (source, ready_time);
  g_mutex_unlock (&source->lock);
}

/* From any thread: the watch's function runs soon on its context. From
 * the source's own dispatch the queue is enough: it runs to the end. */
void
_parsec_watch_wake (ParsecWatch *watch)
{
  ParsecWatchSource *source = watch->source;

  g_mutex_lock (&source->lock);
  /* A queued watch runs anyway; a stopped one no more, which a
   * cancellation in another thread may not know yet. */
  if (!watch->started)
    {
      g_mutex_unlock (&source->lock);
      return;
    }
  if (!watch->queued)
    watch_queue (source, watch);
  if (source->armed != 0 && g_main_current_source () != (GSource *) source)
    watch_source_arm (source, 0);
  g_mutex_unlock (&source->lock);
}

/* On the context's thread; the socket is still open. */
void
_parsec_watch_stop (ParsecWatch *watch)
{
  ParsecWatchSource *source = watch->source;

  g_mutex_lock (&source->lock);
  if (watch->prev != NULL)
    watch->prev->next = watch->next;
  else
    source->head = watch->next;
  if (watch->next != NULL)
    watch->next->prev = watch->prev;
  else
    source->tail = watch->prev;
  watch->prev = watch->next = NULL;
  watch->started = FALSE;
  /* Closing the socket would take it out of the set too, but only once
   * no copy of the descriptor is left. */
  if (watch->fd >= 0)
    epoll_ctl (source->epoll_fd, EPOLL_CTL_DEL, watch->fd, NULL);
  watch->fd = -1;
  if (watch->queued)
    watch_unqueue (source, watch);
  g_mutex_unlock (&source->lock);

  /* Waits for a handler running in another thread. */
  if (watch->cancellable != NULL)
    {
      g_cancellable_disconnect (watch->cancellable, watch->cancelled_id);
      g_clear_object (&watch->cancellable);
    }
}

/* Asynchronous driver */

static void
exchange_finish_async (Exchange *x,
                       GError   *error)
{
  ParsecWireBuffer body = { NULL, 0 };
  ParsecTransportDone done = x->done;
  gpointer done_data = x->done_data;

  if (error == NULL)
    body = exchange_steal_body (x);
  exchange_log (x, error);
  if (x->watching)
    _parsec_watch_stop (&x->watch);
  g_clear_object (&x->cancellable);
  exchange_clear (x);
  g_free (x);

  done (body, error, done_data);
}

static void exchange_watch_ready (ParsecWatch *watch);

/* Runs the exchange until it must wait, then (re)arms its watch. */
static void
exchange_resume (Exchange *x)
{
  GError *error = NULL;
  GIOCondition wait = 0;
  gint64 ready_time;

  if (g_cancellable_set_error_if_cancelled (x->cancellable, &error))
    {
      exchange_finish_async (x, error);
      return;
    }
  if (x->deadline != G_MAXINT64 && g_get_monotonic_time () >= x->deadline)
    {
      exchange_finish_async (x, timeout_error (x));
      return;
    }

  if (exchange_step (x, &wait, &error))
    {
      exchange_finish_async (x, error);
      return;
    }

  ready_time = wait == 0 ? MIN (x->deadline, g_get_monotonic_time () + CONNECT_RETRY_US) : x->deadline;
  if (!x->watching)
    {
      _parsec_watch_start (&x->watch, x->context, x->cancellable, ready_time, exchange_watch_ready);
      x->watching = TRUE;
    }
  else if (ready_time != x->watch.ready_time)
    _parsec_watch_set_ready_time (&x->watch, ready_time);
  if (wait != 0 && !_parsec_watch_set_fd (&x->watch, x->fd, wait, &error))
    exchange_finish_async (x, receive_error (x, error));
}

static void
exchange_watch_ready (ParsecWatch *watch)
{
  exchange_resume (G_STRUCT_MEMBER_P (watch, -G_STRUCT_OFFSET (Exchange, watch)));
}

void
_parsec_transport_call_async (const ParsecTransportParams *params,
                              ParsecWireBuffer             request,
                              GMainContext                *context,
                              GCancellable                *cancellable,
                              ParsecTransportDone          done,
                              gpointer                     user_data)
{
  Exchange *x = g_new (Exchange, 1);

  exchange_init (x, params, request);
  /* The call may outlive the caller's reference to the client. */
  g_object_ref (x->params.address);
  x->owns_address = TRUE;
  x->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  x->context = context;
  x->done = done;
  x->done_data = user_data;

  exchange_resume (x);
}
