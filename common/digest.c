/* digest.c: hashing with its state wiped
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The library and the PKCS #11 module hash here what they sign, so that
 * only the digest goes to the service and a stream of any size is hashed
 * in chunks; the module's digest mechanisms hash here too. Mbed TLS wipes its hash state when it is freed, which
 * GChecksum does not: the digest stands for the data it signs, which may
 * be secret.
 */
#include "config.h"

#include <mbedtls/md.h>

#include "digest.h"
#include "secure-mem.h"

struct _Digest {
  mbedtls_md_context_t context;
  gsize length;
};

static mbedtls_md_type_t
md_type_of (ParsecHash hash)
{
  switch (hash)
    {
    case PARSEC_HASH_SHA_1:
      return MBEDTLS_MD_SHA1;
    case PARSEC_HASH_SHA_224:
      return MBEDTLS_MD_SHA224;
    case PARSEC_HASH_SHA_256:
      return MBEDTLS_MD_SHA256;
    case PARSEC_HASH_SHA_384:
      return MBEDTLS_MD_SHA384;
    case PARSEC_HASH_SHA_512:
      return MBEDTLS_MD_SHA512;
    default:
      return MBEDTLS_MD_NONE;
    }
}

Digest *
digest_new (ParsecHash hash)
{
  const mbedtls_md_info_t *info = mbedtls_md_info_from_type (md_type_of (hash));
  Digest *self;

  if (info == NULL)
    return NULL;
  self = g_new0 (Digest, 1);
  self->length = mbedtls_md_get_size (info);
  mbedtls_md_init (&self->context);
  /* Without HMAC these fail only when memory runs out, which GLib
   * treats as fatal everywhere else. */
  if (mbedtls_md_setup (&self->context, info, 0) != 0 || mbedtls_md_starts (&self->context) != 0)
    g_error ("Cannot start a %s hash", mbedtls_md_get_name (info));
  return self;
}

void
digest_update (Digest        *self,
               gconstpointer  data,
               gsize          len)
{
  /* Cannot fail once started. */
  (void) mbedtls_md_update (&self->context, data, len);
}

GBytes *
digest_finish (Digest *self)
{
  gsize len = self->length;
  guint8 *digest = secure_alloc (MBEDTLS_MD_MAX_SIZE);

  (void) mbedtls_md_finish (&self->context, digest);
  digest_free (self);
  return secure_bytes_take (digest, len);
}

void
digest_free (Digest *self)
{
  if (self == NULL)
    return;
  mbedtls_md_free (&self->context);
  g_free (self);
}

GBytes *
digest_bytes (ParsecHash  hash,
              GBytes     *data)
{
  Digest *digest = digest_new (hash);

  if (digest == NULL)
    return NULL;
  digest_update (digest, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  return digest_finish (digest);
}
