/* digest.h: hashing with its state wiped
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

#include <parsec-glib/parsec-crypto-enums.h>

G_BEGIN_DECLS

typedef struct _Digest Digest;

/* A hash in progress, or NULL for a hash not computed here (the
 * provider then does, for data small enough to send). */
Digest       *digest_new    (ParsecHash     hash);
void          digest_update (Digest        *self,
                             gconstpointer  data,
                             gsize          len);
/* The digest, in a GBytes that wipes it; the state is wiped and freed. */
GBytes       *digest_finish (Digest        *self);
void          digest_free   (Digest        *self);

/* The digest of @data in one go, or NULL as for digest_new(). */
GBytes       *digest_bytes  (ParsecHash     hash,
                             GBytes        *data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Digest, digest_free)

G_END_DECLS
