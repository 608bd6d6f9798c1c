/* parsec-wire-private.h: the fixed 36-byte header of the wire protocol 1.0
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PARSEC_WIRE_MAGIC             0x5EC0A710u
#define PARSEC_WIRE_HEADER_LEN        36
/* The header's own size field counts the bytes after it. */
#define PARSEC_WIRE_HEADER_SIZE_FIELD 30
#define PARSEC_WIRE_PREFIX_LEN        6
#define PARSEC_WIRE_VERSION_MAJOR     1
#define PARSEC_WIRE_VERSION_MINOR     0
#define PARSEC_WIRE_CONTENT_PROTOBUF  0
/* The service's default request body limit (core_settings.body_len_limit). */
#define PARSEC_WIRE_SERVICE_BODY_LIMIT (1u << 20)
/* The largest ParsecClient:max-response-size: well within what one
 * allocation can hold on any platform, 32-bit ones included. */
#define PARSEC_WIRE_RESPONSE_SIZE_LIMIT (1u << 28)
#define PARSEC_WIRE_AUTH_MAX          G_MAXUINT16

typedef struct {
  guint32 magic;
  guint16 header_size;
  guint8 version_major;
  guint8 version_minor;
  guint16 flags;
  guint8 provider;
  guint64 session;
  guint8 content_type;
  guint8 accept_type;
  guint8 auth_type;
  guint32 body_len;
  guint16 auth_len;
  guint32 opcode;
  guint16 status;
  guint8 reserved1;
  guint8 reserved2;
} ParsecWireHeader;

void        _parsec_wire_header_init_request   (ParsecWireHeader       *header,
                                                guint8                  provider,
                                                guint32                 opcode,
                                                guint8                  auth_type,
                                                guint32                 body_len,
                                                guint16                 auth_len);
void        _parsec_wire_header_encode         (const ParsecWireHeader *header,
                                                guint8                 *out);
void        _parsec_wire_header_decode         (const guint8           *in,
                                                ParsecWireHeader       *header);
gboolean    _parsec_wire_check_prefix          (const guint8           *in,
                                                gsize                   len,
                                                GError                **error);
gboolean    _parsec_wire_check_response_header (const ParsecWireHeader *header,
                                                guint32                 expected_opcode,
                                                guint32                 max_body_len,
                                                GError                **error);
const char *_parsec_opcode_get_name            (guint32                 opcode);

G_END_DECLS
