/* parsec-wire.c: packing and checking the fixed header, field by field
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-wire-private.h"
#include "parsec-error-private.h"
#include "parsec-i18n-private.h"

static inline void
put_u16 (guint8 *p, guint16 v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static inline void
put_u32 (guint8 *p, guint32 v)
{
  put_u16 (p, v & 0xffff);
  put_u16 (p + 2, v >> 16);
}

static inline void
put_u64 (guint8 *p, guint64 v)
{
  put_u32 (p, v & 0xffffffffu);
  put_u32 (p + 4, v >> 32);
}

static inline guint16
get_u16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint32
get_u32 (const guint8 *p)
{
  return (guint32) get_u16 (p) | ((guint32) get_u16 (p + 2) << 16);
}

static inline guint64
get_u64 (const guint8 *p)
{
  return (guint64) get_u32 (p) | ((guint64) get_u32 (p + 4) << 32);
}

void
_parsec_wire_header_init_request (ParsecWireHeader *header,
                                  guint8            provider,
                                  guint32           opcode,
                                  guint8            auth_type,
                                  guint32           body_len,
                                  guint16           auth_len)
{
  *header = (ParsecWireHeader) {
    .magic = PARSEC_WIRE_MAGIC,
    .header_size = PARSEC_WIRE_HEADER_SIZE_FIELD,
    .version_major = PARSEC_WIRE_VERSION_MAJOR,
    .version_minor = PARSEC_WIRE_VERSION_MINOR,
    .provider = provider,
    .content_type = PARSEC_WIRE_CONTENT_PROTOBUF,
    .accept_type = PARSEC_WIRE_CONTENT_PROTOBUF,
    .auth_type = auth_type,
    .body_len = body_len,
    .auth_len = auth_len,
    .opcode = opcode,
  };
}

void
_parsec_wire_header_encode (const ParsecWireHeader *header,
                            guint8                 *out)
{
  put_u32 (out + 0, header->magic);
  put_u16 (out + 4, header->header_size);
  out[6] = header->version_major;
  out[7] = header->version_minor;
  put_u16 (out + 8, header->flags);
  out[10] = header->provider;
  put_u64 (out + 11, header->session);
  out[19] = header->content_type;
  out[20] = header->accept_type;
  out[21] = header->auth_type;
  put_u32 (out + 22, header->body_len);
  put_u16 (out + 26, header->auth_len);
  put_u32 (out + 28, header->opcode);
  put_u16 (out + 32, header->status);
  out[34] = header->reserved1;
  out[35] = header->reserved2;
}

void
_parsec_wire_header_decode (const guint8     *in,
                            ParsecWireHeader *header)
{
  header->magic = get_u32 (in + 0);
  header->header_size = get_u16 (in + 4);
  header->version_major = in[6];
  header->version_minor = in[7];
  header->flags = get_u16 (in + 8);
  header->provider = in[10];
  header->session = get_u64 (in + 11);
  header->content_type = in[19];
  header->accept_type = in[20];
  header->auth_type = in[21];
  header->body_len = get_u32 (in + 22);
  header->auth_len = get_u16 (in + 26);
  header->opcode = get_u32 (in + 28);
  header->status = get_u16 (in + 32);
  header->reserved1 = in[34];
  header->reserved2 = in[35];
}

/* Checks the magic number and the header size field as soon as their bytes
 * are in, so that a peer that is not a Parsec service is noticed without
 * waiting for a whole header it may never send. */
gboolean
_parsec_wire_check_prefix (const guint8  *in,
                           gsize          len,
                           GError       **error)
{
  if (len >= 4 && get_u32 (in) != PARSEC_WIRE_MAGIC)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The peer is not a Parsec service: its response starts with 0x%08x instead of the magic number 0x%08x"),
                   get_u32 (in), PARSEC_WIRE_MAGIC);
      return FALSE;
    }
  if (len >= PARSEC_WIRE_PREFIX_LEN && get_u16 (in + 4) != PARSEC_WIRE_HEADER_SIZE_FIELD)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The Parsec service sent a response header of size %u; wire protocol 1.0 has %u"),
                   get_u16 (in + 4), PARSEC_WIRE_HEADER_SIZE_FIELD);
      return FALSE;
    }
  return TRUE;
}

/* The order matters: everything that decides whether the header can be
 * trusted comes first, then the body length before any allocation, then
 * the status (an error reply carries a default header whose opcode is
 * Ping), and the opcode echo last. */
gboolean
_parsec_wire_check_response_header (const ParsecWireHeader  *header,
                                    guint32                  expected_opcode,
                                    guint32                  max_body_len,
                                    GError                 **error)
{
  guint8 prefix[PARSEC_WIRE_PREFIX_LEN];

  put_u32 (prefix, header->magic);
  put_u16 (prefix + 4, header->header_size);
  if (!_parsec_wire_check_prefix (prefix, sizeof prefix, error))
    return FALSE;

  if (header->version_major != PARSEC_WIRE_VERSION_MAJOR ||
      header->version_minor != PARSEC_WIRE_VERSION_MINOR)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The Parsec service answered in wire protocol version %u.%u; only 1.0 is supported"),
                   header->version_major, header->version_minor);
      return FALSE;
    }

  if (header->reserved1 != 0 || header->reserved2 != 0)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The Parsec service's response header has non-zero reserved bytes (0x%02x 0x%02x)"),
                   header->reserved1, header->reserved2);
      return FALSE;
    }

  if (header->body_len > max_body_len)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT,
                   _("The Parsec service announced a %u-byte response to %s, more than the client's limit of %u bytes (ParsecClient:max-response-size)"),
                   header->body_len, _parsec_opcode_get_name (expected_opcode), max_body_len);
      return FALSE;
    }

  if (header->status != 0)
    {
      g_propagate_error (error, _parsec_error_new_from_status (header->status, expected_opcode, NULL));
      return FALSE;
    }

  if (header->opcode != expected_opcode)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The Parsec service answered %s with a response to %s"),
                   _parsec_opcode_get_name (expected_opcode), _parsec_opcode_get_name (header->opcode));
      return FALSE;
    }

  return TRUE;
}

const char *
_parsec_opcode_get_name (guint32 opcode)
{
  const char *name = parsec_opcode_get_name (opcode);

  return name != NULL ? name : "an unknown operation";
}
