/* der.h: the few DER structures the library and its programs write and read
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DER_INTEGER      0x02
#define DER_BIT_STRING   0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL         0x05
#define DER_OID          0x06
#define DER_UTF8_STRING  0x0c
#define DER_PRINTABLE    0x13
#define DER_IA5_STRING   0x16
#define DER_UTC_TIME     0x17
#define DER_GENERALIZED_TIME 0x18
#define DER_SEQUENCE     0x30
#define DER_SET          0x31

/* Writing: each function takes over the GBytes it is given, so that a
 * structure reads as one nested expression; all in wiped memory. */
GBytes         *der_tlv                 (guint8            tag,
                                         GBytes           *content);
GBytes         *der_cat                 (GBytes           *first,
                                         ...) G_GNUC_NULL_TERMINATED;
GBytes         *der_seq                 (GBytes           *first,
                                         ...) G_GNUC_NULL_TERMINATED;
GBytes         *der_oid                 (const char       *dotted);
GBytes         *der_uint                (const guint8     *big_endian,
                                         gsize             len);
GBytes         *der_small_uint          (guint             value);
GBytes         *der_null                (void);
GBytes         *der_string              (guint8            tag,
                                         const char       *text);
GBytes         *der_bit_string          (GBytes           *content);

/* Reading: a cursor over encoded elements; nothing is copied. */
typedef struct {
  const guint8 *p;
  const guint8 *end;
} DerCursor;

void            der_cursor_init         (DerCursor        *cursor,
                                         gconstpointer     data,
                                         gsize             len);
gsize           der_cursor_len          (const DerCursor  *cursor);
gboolean        der_cursor_at_end       (const DerCursor  *cursor);
/* The element at the cursor, which moves past it: its tag, a cursor over
 * its content and one over the whole element (each may be NULL). */
gboolean        der_next                (DerCursor        *cursor,
                                         guint8           *tag,
                                         DerCursor        *content,
                                         DerCursor        *whole);
/* The same, for an element that must have @tag. */
gboolean        der_expect              (DerCursor        *cursor,
                                         guint8            tag,
                                         DerCursor        *content,
                                         DerCursor        *whole);
/* A non-negative INTEGER's content without its leading zeros. */
gboolean        der_expect_uint         (DerCursor        *cursor,
                                         DerCursor        *magnitude);
/* The size in bits of such a magnitude. */
guint           der_uint_bits           (const DerCursor  *magnitude);
gboolean        der_rsa_bits            (GBytes           *der,
                                         gboolean          private_key,
                                         guint            *bits);

G_END_DECLS
