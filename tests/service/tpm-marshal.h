/* tpm-marshal.h: writing TPM 2.0 structures (big-endian, sized buffers)
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * For the test service's TPM attestation and the test that checks the
 * public areas a TPM gives.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

static inline void
tpm_put16 (GByteArray *out,
           guint       value)
{
  guint8 bytes[2] = { (value >> 8) & 0xff, value & 0xff };

  g_byte_array_append (out, bytes, sizeof bytes);
}

static inline void
tpm_put32 (GByteArray *out,
           guint32     value)
{
  tpm_put16 (out, value >> 16);
  tpm_put16 (out, value & 0xffff);
}

/* A TPM2B: the size, then the bytes */
static inline void
tpm_put_sized (GByteArray   *out,
               const guint8 *data,
               gsize         len)
{
  tpm_put16 (out, (guint) len);
  g_byte_array_append (out, data, (guint) len);
}

G_END_DECLS
