/* p11-digest.c: CKM_SHA_1 to CKM_SHA512 on their own
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Offered where the slot's provider lists PsaHashCompute, and computed
 * in the module with the library's hashing (Mbed TLS, its state wiped
 * when freed): the service takes one request of at most 1 MiB and has no
 * multi-part hashing, while C_DigestUpdate may feed any amount. The
 * result is the one the service would give.
 */
#include "config.h"

#include <string.h>

#include "p11-private.h"

static const struct {
  CK_MECHANISM_TYPE mechanism;
  ParsecHash hash;
  gsize len;
} digests[] = {
  { CKM_SHA_1, PARSEC_HASH_SHA_1, 20 },
  { CKM_SHA224, PARSEC_HASH_SHA_224, 28 },
  { CKM_SHA256, PARSEC_HASH_SHA_256, 32 },
  { CKM_SHA384, PARSEC_HASH_SHA_384, 48 },
  { CKM_SHA512, PARSEC_HASH_SHA_512, 64 },
};

CK_RV
p11_digest_init (P11Session         *session,
                 const CK_MECHANISM *mechanism)
{
  if (session->digest != NULL)
    return CKR_OPERATION_ACTIVE;
  if (!p11_slot_has_opcode (session->slot, PARSEC_OPCODE_PSA_HASH_COMPUTE))
    return CKR_MECHANISM_INVALID;
  for (gsize i = 0; i < G_N_ELEMENTS (digests); i++)
    if (digests[i].mechanism == mechanism->mechanism)
      {
        if (mechanism->ulParameterLen != 0)
          return CKR_MECHANISM_PARAM_INVALID;
        session->digest = digest_new (digests[i].hash);
        if (session->digest == NULL)
          return CKR_MECHANISM_INVALID;
        session->digest_len = digests[i].len;
        session->digest_single = FALSE;
        session->digest_multi = FALSE;
        return CKR_OK;
      }
  return CKR_MECHANISM_INVALID;
}

CK_RV
p11_digest_update (P11Session   *session,
                   const guint8 *data,
                   gsize         len)
{
  if (session->digest == NULL)
    return CKR_OPERATION_NOT_INITIALIZED;
  if (len > 0)
    digest_update (session->digest, data, len);
  return CKR_OK;
}

CK_RV
p11_digest_final (P11Session   *session,
                  CK_BYTE_PTR   out,
                  CK_ULONG_PTR  out_len)
{
  g_autoptr(GBytes) result = NULL;
  gsize len = session->digest_len;
  CK_RV rv;

  if (session->digest == NULL)
    return CKR_OPERATION_NOT_INITIALIZED;
  if (!p11_output_fits (out, out_len, len, &rv))
    return rv;
  result = digest_finish (g_steal_pointer (&session->digest));
  memcpy (out, g_bytes_get_data (result, NULL), len);
  *out_len = len;
  return CKR_OK;
}
