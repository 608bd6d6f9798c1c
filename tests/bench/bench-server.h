/* bench-server.h: an instant-answer Parsec ping server for the benchmark
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The 36-byte ping request every client of the benchmark sends, and the
 * 38-byte answer the server gives to any well-formed request. */
#define BENCH_PING_REQUEST_LEN  36
#define BENCH_PING_RESPONSE_LEN 38

typedef struct _BenchServer BenchServer;

BenchServer  *bench_server_new             (GError      **error);
void          bench_server_free            (BenchServer  *self);
const char   *bench_server_get_path        (BenchServer  *self);
const char   *bench_server_get_endpoint    (BenchServer  *self);
guint64       bench_server_get_answered    (BenchServer  *self);
guint64       bench_server_get_dropped     (BenchServer  *self);
gint64        bench_server_get_cpu_time_us (BenchServer  *self);

const guint8 *bench_ping_request           (void);
const guint8 *bench_ping_response          (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchServer, bench_server_free)

G_END_DECLS
