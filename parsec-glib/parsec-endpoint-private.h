/* parsec-endpoint-private.h: the service endpoint URI
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <gio/gio.h>

#include "parsec-glib.h"

G_BEGIN_DECLS

#define PARSEC_DEFAULT_ENDPOINT "unix:/run/parsec/parsec.sock"
#define PARSEC_ENDPOINT_ENV     "PARSEC_SERVICE_ENDPOINT"

char *_parsec_endpoint_parse (const char  *endpoint,
                              GError     **error);

typedef struct {
  ParsecTrustPolicy policy;
  const guint32 *trusted_uids;
  gsize n_trusted_uids;
} ParsecTrust;

/* Each returns FALSE with PARSEC_ERROR_UNTRUSTED_ENDPOINT naming what
 * failed; the caller decides by the policy whether that is fatal. */
gboolean _parsec_endpoint_check_path (const char         *path,
                                      const ParsecTrust  *trust,
                                      GError            **error);
gboolean _parsec_endpoint_check_peer (int                 fd,
                                      const char         *path,
                                      const ParsecTrust  *trust,
                                      GError            **error);
/* Resolves user names or decimal ids, on any thread; NULL means root and the `parsec`
 * user when there is one. */
GArray  *_parsec_endpoint_resolve_users (const char * const  *users,
                                         GError             **error);

G_END_DECLS
