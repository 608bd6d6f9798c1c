/* parsec-transport-private.h: one request and its response over a Unix socket
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <gio/gio.h>

#include "parsec-endpoint-private.h"
#include "parsec-secure-private.h"

G_BEGIN_DECLS

typedef struct {
  GSocketAddress *address;     /* the service's socket */
  guint32 opcode;              /* the operation, which the response must echo */
  guint32 max_body_len;        /* the largest response body accepted */
  guint timeout_ms;            /* one deadline for connect, write and read; 0 = none */
  gint64 deadline;             /* monotonic µs the call's deadline falls at, or 0: timeout_ms from now */
  guint8 provider;             /* for the log only */
  const char *key_name;        /* named in errors, or NULL; the caller keeps it alive for the call */
  ParsecTrust trust;           /* checks before the request is written */
} ParsecTransportParams;

/* A whole request or a response body: secure memory (secure_alloc()),
 * wiped when freed, or NULL when empty. Handed over by value: whoever
 * receives one frees it. */
typedef struct {
  guint8 *data;
  gsize len;
} ParsecWireBuffer;

static inline void
_parsec_wire_buffer_clear (ParsecWireBuffer *buffer)
{
  g_clear_pointer (&buffer->data, secure_free);
  buffer->len = 0;
}

/* Called once with the response body (transfer full) or an error
 * (transfer full, the body then empty). */
typedef void (*ParsecTransportDone) (ParsecWireBuffer  body,
                                     GError           *error,
                                     gpointer          user_data);

/* Something an asynchronous call waits for on a main context: a socket,
 * a time, its cancellable, or a wake-up from any thread. All the watches
 * of one context share one GSource there, so a request adds no source of
 * its own and one main-loop iteration serves every answer that arrived.
 * @func runs on the context, with the watch still started, whenever the
 * socket is ready for @events, @ready_time has passed, the cancellable
 * was cancelled or _parsec_watch_wake() was called; it re-arms the watch
 * or stops it. The owner embeds the watch and keeps it alive until
 * stopped. */
typedef struct _ParsecWatch ParsecWatch;
typedef struct _ParsecWatchSource ParsecWatchSource;

typedef void (*ParsecWatchFunc) (ParsecWatch *watch);

struct _ParsecWatch {
  ParsecWatchFunc func;
  /* private to parsec-transport.c */
  ParsecWatchSource *source;
  ParsecWatch *prev, *next;     /* in the source's list, oldest first */
  ParsecWatch *queue_next;      /* in the source's queue of watches to run */
  int fd;                       /* -1 for none */
  GIOCondition events;
  gint64 ready_time;            /* monotonic µs, G_MAXINT64 for none */
  GCancellable *cancellable;
  gulong cancelled_id;
  gboolean queued;              /* under the source's lock */
  gboolean started;             /* under the source's lock */
};

void     _parsec_watch_start          (ParsecWatch     *watch,
                                       GMainContext    *context,
                                       GCancellable    *cancellable,
                                       gint64           ready_time,
                                       ParsecWatchFunc  func);
gboolean _parsec_watch_set_fd         (ParsecWatch     *watch,
                                       int              fd,
                                       GIOCondition     events,
                                       GError         **error);
void     _parsec_watch_set_ready_time (ParsecWatch     *watch,
                                       gint64           ready_time);
void     _parsec_watch_wake           (ParsecWatch     *watch);
void     _parsec_watch_stop           (ParsecWatch     *watch);

/* Both take @request. */
gboolean _parsec_transport_call       (const ParsecTransportParams *params,
                                       ParsecWireBuffer             request,
                                       GCancellable                *cancellable,
                                       ParsecWireBuffer            *body,
                                       GError                     **error);

void     _parsec_transport_call_async (const ParsecTransportParams *params,
                                       ParsecWireBuffer             request,
                                       GMainContext                *context,
                                       GCancellable                *cancellable,
                                       ParsecTransportDone          done,
                                       gpointer                     user_data);

G_END_DECLS
