/* parsec-endpoint-private.h: the service endpoint URI
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PARSEC_DEFAULT_ENDPOINT "unix:/run/parsec/parsec.sock"
#define PARSEC_ENDPOINT_ENV     "PARSEC_SERVICE_ENDPOINT"

char *_parsec_endpoint_parse (const char  *endpoint,
                              GError     **error);

G_END_DECLS
