/* fuzz-response-header.c: the checks of a response header
 *
 * Input: the opcode the client expects (4 bytes, little-endian), its body
 * limit (4 bytes), then the response's first bytes. The target runs the
 * prefix check on every prefix, as the transport does while the header
 * arrives, then the header checks, and compares their verdict with a
 * model of PROTOCOL.md §1.2 written out here.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "parsec-wire-private.h"

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static void
check_prefixes (const guint8 *in,
                gsize         len)
{
  gboolean failed = FALSE;

  for (gsize n = 0; n <= MIN (len, (gsize) PARSEC_WIRE_HEADER_LEN); n++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = _parsec_wire_check_prefix (in, n, &error);
      /* The magic number is judged once its 4 bytes are in, the header
       * size once its 2 more are. */
      gboolean expected = (n < 4 || get_u32 (in) == PARSEC_WIRE_MAGIC) &&
                          (n < PARSEC_WIRE_PREFIX_LEN || (in[4] | (in[5] << 8)) == PARSEC_WIRE_HEADER_SIZE_FIELD);

      g_assert_true (ok == expected);
      g_assert_true (ok == (error == NULL));
      if (!ok)
        g_assert_true (g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION));
      /* Once refused, a longer prefix is refused too. */
      g_assert_true (!failed || !ok);
      failed = !ok;
    }
}

static void
check_header (const guint8 *in,
              guint32       expected_opcode,
              guint32       max_body_len)
{
  ParsecWireHeader header;
  guint8 encoded[PARSEC_WIRE_HEADER_LEN];
  g_autoptr(GError) error = NULL;
  gboolean ok;
  ParsecError expected_code = 0;

  _parsec_wire_header_decode (in, &header);
  _parsec_wire_header_encode (&header, encoded);
  g_assert_cmpmem (encoded, sizeof encoded, in, PARSEC_WIRE_HEADER_LEN);

  ok = _parsec_wire_check_response_header (&header, expected_opcode, max_body_len, &error);
  g_assert_true (ok == (error == NULL));

  /* The checks in their documented order: trust in the header, the
   * length before any allocation, the status, the opcode echo. */
  if (header.magic != PARSEC_WIRE_MAGIC || header.header_size != PARSEC_WIRE_HEADER_SIZE_FIELD ||
      header.version_major != PARSEC_WIRE_VERSION_MAJOR || header.version_minor != PARSEC_WIRE_VERSION_MINOR ||
      header.reserved1 != 0 || header.reserved2 != 0)
    expected_code = PARSEC_ERROR_PROTOCOL_VIOLATION;
  else if (header.body_len > max_body_len)
    expected_code = PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT;
  else if (header.status != 0)
    expected_code = header.status;
  else if (header.opcode != expected_opcode)
    expected_code = PARSEC_ERROR_PROTOCOL_VIOLATION;

  if (expected_code == 0)
    {
      g_assert_true (ok);
      return;
    }
  g_assert_false (ok);
  g_assert_true (g_error_matches (error, PARSEC_ERROR, expected_code));
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  guint32 expected_opcode, max_body_len;

  if (size < 8)
    return 0;
  fuzz_init ();

  expected_opcode = get_u32 (data);
  max_body_len = get_u32 (data + 4);
  data += 8;
  size -= 8;

  g_assert_nonnull (_parsec_opcode_get_name (expected_opcode));
  check_prefixes (data, size);
  if (size >= PARSEC_WIRE_HEADER_LEN)
    check_header (data, expected_opcode, max_body_len);
  return 0;
}
