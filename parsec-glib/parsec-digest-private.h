/* parsec-digest-private.h: hashing in the client, with its state wiped
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

#include "parsec-crypto-enums.h"

G_BEGIN_DECLS

typedef struct _ParsecDigest ParsecDigest;

/* A hash in progress, or NULL for a hash the client does not compute
 * (the provider then does, for data small enough to send). */
ParsecDigest *_parsec_digest_new    (ParsecHash    hash);
void          _parsec_digest_update (ParsecDigest *self,
                                     gconstpointer data,
                                     gsize         len);
/* The digest, in a GBytes that wipes it; the state is wiped and freed. */
GBytes       *_parsec_digest_finish (ParsecDigest *self);
void          _parsec_digest_free   (ParsecDigest *self);

/* The digest of @data in one go, or NULL as for _parsec_digest_new(). */
GBytes       *_parsec_digest_bytes  (ParsecHash    hash,
                                     GBytes       *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsecDigest, _parsec_digest_free)

G_END_DECLS
