/* parsec-dbus-encoding-private.h: algorithms and key attributes as D-Bus a{sv}
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <parsec-glib/parsec-glib.h>

G_BEGIN_DECLS

/* The encoding of community.parsec.Crypto1 (docs/dbus.md): named fields
 * that a person can type into `gdbus call`. Decoding is strict (unknown
 * fields and names fail with G_DBUS_ERROR_INVALID_ARGS) so that a typo
 * never silently yields a weaker policy; encoding never fails, and
 * writes values the library does not know as "unknown-N". */
GVariant            *_parsec_dbus_algorithm_to_variant       (const ParsecAlgorithm     *algorithm);
ParsecAlgorithm     *_parsec_dbus_algorithm_from_variant     (GVariant                  *variant,
                                                              GError                   **error);
GVariant            *_parsec_dbus_key_attributes_to_variant  (const ParsecKeyAttributes *attributes);
ParsecKeyAttributes *_parsec_dbus_key_attributes_from_variant (GVariant                 *variant,
                                                               GError                  **error);

/* Hash names such as "sha256" (the library's nicks, "sha-256", are
 * accepted too). Returns FALSE for an unknown name; "any" only when
 * @allow_any. */
gboolean             _parsec_dbus_hash_from_string           (const char                *name,
                                                              gboolean                   allow_any,
                                                              ParsecHash                *hash);
char                *_parsec_dbus_hash_to_string             (ParsecHash                 hash);

/* Registers the community.parsec.Error.* names for PARSEC_ERROR, once:
 * before the first reply, and in a process that calls the interface and
 * wants PARSEC_ERROR back from them. */
void                 _parsec_dbus_error_register             (void);

G_END_DECLS
