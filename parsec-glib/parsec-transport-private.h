/* parsec-transport-private.h: one request and its response over a Unix socket
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <gio/gio.h>

#include "parsec-endpoint-private.h"

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

/* Called once with the response body (a wiping GBytes, transfer full) or
 * an error (transfer full). */
typedef void (*ParsecTransportDone) (GBytes   *body,
                                     GError   *error,
                                     gpointer  user_data);

GBytes *_parsec_transport_call       (const ParsecTransportParams *params,
                                      GBytes                      *request,
                                      GCancellable                *cancellable,
                                      GError                     **error);

void    _parsec_transport_call_async (const ParsecTransportParams *params,
                                      GBytes                      *request,
                                      GMainContext                *context,
                                      GCancellable                *cancellable,
                                      ParsecTransportDone          done,
                                      gpointer                     user_data);

G_END_DECLS
