/* parsec-psa-private.h: algorithms and key attributes, inside and on the wire
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <protobuf-c/protobuf-c.h>

#include "parsec-glib.h"

G_BEGIN_DECLS

struct _ParsecAlgorithm {
  gatomicrefcount ref_count;
  ParsecAlgorithmKind kind;
  guint variant;               /* the kind's own enum, see parsec_algorithm_get_variant() */
  ParsecHash hash;
  guint length;                /* truncated MAC or shortened tag, 0 = full */
  ParsecAlgorithm *inner;      /* key derivation after a key agreement */
};

struct _ParsecKeyAttributes {
  gatomicrefcount ref_count;
  ParsecKeyType key_type;
  guint family;                /* ParsecEccFamily or ParsecDhFamily */
  guint bits;
  ParsecKeyUsage usage;
  ParsecAlgorithm *algorithm;  /* never NULL */
};

ParsecAlgorithm     *_parsec_algorithm_new            (ParsecAlgorithmKind        kind,
                                                       guint                      variant,
                                                       ParsecHash                 hash,
                                                       guint                      length,
                                                       ParsecAlgorithm           *inner);
const char          *_parsec_hash_get_name            (ParsecHash                 hash);
/* The digest length of @hash in bytes, 0 for one this library does not
 * know. */
gsize                _parsec_hash_get_length          (ParsecHash                 hash);

/* Messages built here are freed with _parsec_message_free(). Conversions
 * from the wire never fail: values the library does not know are kept as
 * numbers, and a missing part reads as none. */
ProtobufCMessage    *_parsec_algorithm_to_message      (const ParsecAlgorithm     *algorithm);
ParsecAlgorithm     *_parsec_algorithm_from_message    (const ProtobufCMessage    *message);
ProtobufCMessage    *_parsec_key_attributes_to_message (const ParsecKeyAttributes *attributes);
ParsecKeyAttributes *_parsec_key_attributes_from_message (const ProtobufCMessage  *message);

/* The same conversions for the parts of an algorithm that operations
 * carry on their own (AsymmetricSignature, Aead, …). */
ProtobufCMessage    *_parsec_algorithm_part_to_message (const ParsecAlgorithm     *algorithm);

/* For operations: refuse an algorithm of the wrong family with a clear
 * error rather than sending what the service would reject. */
gboolean             _parsec_algorithm_check_kind      (const ParsecAlgorithm     *algorithm,
                                                        ParsecAlgorithmKind        kind,
                                                        guint32                    opcode,
                                                        GError                   **error);
ProtobufCMessage    *_parsec_algorithm_part_checked    (const ParsecAlgorithm     *algorithm,
                                                        ParsecAlgorithmKind        kind,
                                                        guint32                    opcode,
                                                        GError                   **error);

guint                _parsec_algorithm_get_variant     (const ParsecAlgorithm     *self);

G_END_DECLS
