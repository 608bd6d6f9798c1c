/* parsec-transport.c: one request and its response over a Unix socket
 *
 * The service reads one request per connection and closes it after the
 * answer, so every call opens its own socket. The exchange is a small
 * state machine that advances as far as the socket allows without
 * blocking; the synchronous driver waits on the socket between steps and
 * the asynchronous one waits in a GSource on the caller's main context,
 * so both share every byte of framing and every check.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include <gio/gunixsocketaddress.h>

#include "parsec-glib.h"
#include "parsec-error-private.h"
#include "parsec-i18n-private.h"
#include "parsec-secure-private.h"
#include "parsec-transport-private.h"
#include "parsec-wire-private.h"

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

typedef struct {
  GSource source;
  Exchange *exchange;
  gpointer fd_tag;
} ExchangeSource;

struct _Exchange {
  ParsecTransportParams params;
  ExchangeState state;
  GSocket *socket;
  GBytes *request;
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
  ExchangeSource *source;
  GIOCondition source_condition;
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
               GBytes                      *request)
{
  *x = (Exchange) { .params = *params };
  g_object_ref (x->params.address);
  x->request = g_bytes_ref (request);
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
  if (x->socket != NULL)
    {
      g_socket_close (x->socket, NULL);
      g_clear_object (&x->socket);
    }
  g_clear_pointer (&x->request, g_bytes_unref);
  g_clear_error (&x->write_error);
  g_clear_pointer (&x->body, secure_free);
  g_clear_object (&x->params.address);
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

  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
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
  GError *local_error = NULL;
  gssize n;

  *would_block = FALSE;
  n = g_socket_receive (x->socket, (char *) buf + *filled, wanted - *filled, NULL, &local_error);
  if (n < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_error_free (local_error);
          *would_block = TRUE;
          return TRUE;
        }
      *error = receive_error (x, local_error);
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
  guint8 *body = secure_alloc (capacity);

  if (x->body_read > 0)
    memcpy (body, x->body, x->body_read);
  secure_free (x->body);
  x->body = body;
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
          if (x->socket == NULL)
            {
              if (x->params.trust.policy != PARSEC_TRUST_POLICY_OFF)
                {
                  gboolean trusted = _parsec_endpoint_check_path (exchange_path (x), &x->params.trust,
                                                                  &local_error);

                  if (!exchange_trust (x, trusted, g_steal_pointer (&local_error), error))
                    return TRUE;
                }
              x->socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_DEFAULT, &local_error);
              if (x->socket == NULL)
                {
                  *error = connect_error (x, local_error);
                  return TRUE;
                }
              g_socket_set_blocking (x->socket, FALSE);
            }
          if (g_socket_connect (x->socket, x->params.address, NULL, &local_error))
            {
              x->state = STATE_CONNECTED;
              break;
            }
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PENDING))
            {
              g_clear_error (&local_error);
              x->state = STATE_CONNECTING;
              *wait = G_IO_OUT;
              return FALSE;
            }
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_clear_error (&local_error);
              *wait = 0;
              return FALSE;
            }
          *error = connect_error (x, local_error);
          return TRUE;

        case STATE_CONNECTING:
          if (!g_socket_check_connect_result (x->socket, &local_error))
            {
              *error = connect_error (x, local_error);
              return TRUE;
            }
          x->state = STATE_CONNECTED;
          break;

        case STATE_CONNECTED:
          /* Before anything, authentication data included, is written. */
          if (x->params.trust.policy != PARSEC_TRUST_POLICY_OFF)
            {
              gboolean trusted = _parsec_endpoint_check_peer (x->socket, exchange_path (x), &x->params.trust,
                                                              &local_error);

              if (!exchange_trust (x, trusted, g_steal_pointer (&local_error), error))
                return TRUE;
            }
          x->state = STATE_WRITE;
          break;

        case STATE_WRITE:
          {
            gsize len;
            const guint8 *data = g_bytes_get_data (x->request, &len);
            gssize n = g_socket_send (x->socket, (const char *) data + x->written,
                                      len - x->written, NULL, &local_error);

            if (n < 0)
              {
                if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
                  {
                    g_clear_error (&local_error);
                    *wait = G_IO_OUT;
                    return FALSE;
                  }
                /* The service answers an oversized request at once and
                 * stops reading, so a failed write may still be followed
                 * by a response that explains it. */
                x->write_error = local_error;
                local_error = NULL;
                x->state = STATE_READ_HEADER;
                break;
              }
            x->written += (gsize) n;
            if (x->written == len)
              x->state = STATE_READ_HEADER;
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

static GBytes *
exchange_steal_body (Exchange *x)
{
  if (x->body == NULL)
    return secure_bytes_new (NULL, 0);
  /* The whole body arrived, so the buffer is exactly as long. */
  return secure_bytes_take (g_steal_pointer (&x->body), x->body_read);
}

GBytes *
_parsec_transport_call (const ParsecTransportParams  *params,
                        GBytes                       *request,
                        GCancellable                 *cancellable,
                        GError                      **error)
{
  Exchange x;
  GError *local_error = NULL;
  GBytes *body = NULL;

  exchange_init (&x, params, request);

  while (!g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    {
      GIOCondition wait = 0;
      gint64 remaining;

      if (exchange_step (&x, &wait, &local_error))
        {
          if (local_error == NULL)
            body = exchange_steal_body (&x);
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
      if (!g_socket_condition_timed_wait (x.socket, wait,
                                          x.deadline == G_MAXINT64 ? -1 : remaining,
                                          cancellable, &local_error))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
            {
              g_clear_error (&local_error);
              local_error = timeout_error (&x);
            }
          break;
        }
    }

  exchange_log (&x, local_error);
  exchange_clear (&x);
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return body;
}

/* Asynchronous driver */

static gboolean exchange_source_dispatch (GSource     *source,
                                          GSourceFunc  callback,
                                          gpointer     user_data);

static GSourceFuncs exchange_source_funcs = {
  .dispatch = exchange_source_dispatch,
};

static gboolean
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  /* Only wakes the parent source, which notices the cancellation. */
  return G_SOURCE_CONTINUE;
}

static void
exchange_finish_async (Exchange *x,
                       GError   *error)
{
  GBytes *body = error == NULL ? exchange_steal_body (x) : NULL;
  ParsecTransportDone done = x->done;
  gpointer done_data = x->done_data;

  exchange_log (x, error);
  if (x->source != NULL)
    {
      g_source_destroy ((GSource *) x->source);
      g_source_unref ((GSource *) x->source);
    }
  g_clear_object (&x->cancellable);
  exchange_clear (x);
  g_free (x);

  done (body, error, done_data);
}

static void
exchange_set_ready_time (Exchange     *x,
                         GIOCondition  wait)
{
  gint64 ready_time;

  if (wait == 0)
    ready_time = MIN (x->deadline, g_get_monotonic_time () + CONNECT_RETRY_US);
  else
    ready_time = x->deadline == G_MAXINT64 ? -1 : x->deadline;
  if (g_source_get_ready_time ((GSource *) x->source) != ready_time)
    g_source_set_ready_time ((GSource *) x->source, ready_time);
}

/* Runs the exchange until it must wait, then (re)arms the source. */
static void
exchange_resume (Exchange     *x,
                 GMainContext *context)
{
  GError *error = NULL;
  GIOCondition wait = 0;

  if (g_cancellable_set_error_if_cancelled (x->cancellable, &error))
    {
      exchange_finish_async (x, error);
      return;
    }
  if (g_get_monotonic_time () >= x->deadline)
    {
      exchange_finish_async (x, timeout_error (x));
      return;
    }

  if (exchange_step (x, &wait, &error))
    {
      exchange_finish_async (x, error);
      return;
    }

  if (x->source == NULL)
    {
      x->source = (ExchangeSource *) g_source_new (&exchange_source_funcs, sizeof (ExchangeSource));
      x->source->exchange = x;
      g_source_set_static_name ((GSource *) x->source, "[parsec-glib] request");
      x->source->fd_tag = g_source_add_unix_fd ((GSource *) x->source,
                                                g_socket_get_fd (x->socket), wait);
      x->source_condition = wait;
      if (x->cancellable != NULL)
        {
          GSource *cancel_source = g_cancellable_source_new (x->cancellable);

          g_source_set_callback (cancel_source, G_SOURCE_FUNC (cancelled_cb), NULL, NULL);
          g_source_add_child_source ((GSource *) x->source, cancel_source);
          g_source_unref (cancel_source);
        }
      /* Set before attaching: on an attached source it wakes the loop. */
      exchange_set_ready_time (x, wait);
      g_source_attach ((GSource *) x->source, context);
      return;
    }

  if (wait != x->source_condition)
    {
      g_source_modify_unix_fd ((GSource *) x->source, x->source->fd_tag, wait);
      x->source_condition = wait;
    }
  exchange_set_ready_time (x, wait);
}

static gboolean
exchange_source_dispatch (GSource     *source,
                          GSourceFunc  callback,
                          gpointer     user_data)
{
  Exchange *x = ((ExchangeSource *) source)->exchange;

  exchange_resume (x, g_source_get_context (source));
  return G_SOURCE_CONTINUE;
}

void
_parsec_transport_call_async (const ParsecTransportParams *params,
                              GBytes                      *request,
                              GMainContext                *context,
                              GCancellable                *cancellable,
                              ParsecTransportDone          done,
                              gpointer                     user_data)
{
  Exchange *x = g_new (Exchange, 1);

  exchange_init (x, params, request);
  x->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  x->done = done;
  x->done_data = user_data;

  exchange_resume (x, context);
}
