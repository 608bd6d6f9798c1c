/* parsec-key-attributes.h: the type, size and policy of a key
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "parsec-algorithm.h"
#include "parsec-crypto-enums.h"
#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_KEY_ATTRIBUTES (parsec_key_attributes_get_type ())

typedef struct _ParsecKeyAttributes ParsecKeyAttributes;

PARSEC_AVAILABLE_IN_1_0
GType                parsec_key_attributes_get_type        (void) G_GNUC_CONST;

PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_ref             (ParsecKeyAttributes       *self);
PARSEC_AVAILABLE_IN_1_0
void                 parsec_key_attributes_unref           (ParsecKeyAttributes       *self);

PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_new             (ParsecKeyType              key_type,
                                                            guint                      bits,
                                                            ParsecKeyUsage             usage,
                                                            ParsecAlgorithm           *algorithm);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_new_ecc         (ParsecKeyType              key_type,
                                                            ParsecEccFamily            family,
                                                            guint                      bits,
                                                            ParsecKeyUsage             usage,
                                                            ParsecAlgorithm           *algorithm);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_new_dh          (ParsecKeyType              key_type,
                                                            ParsecDhFamily             family,
                                                            guint                      bits,
                                                            ParsecKeyUsage             usage,
                                                            ParsecAlgorithm           *algorithm);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_new_ecc_signing (guint                      bits,
                                                            ParsecHash                 hash);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_new_rsa_signing (guint                      bits,
                                                            ParsecAlgorithm           *algorithm);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_new_rsa_encryption (guint                   bits,
                                                               ParsecAlgorithm        *algorithm);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_new_ecdh        (ParsecEccFamily            family,
                                                            guint                      bits);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_new_aead        (ParsecKeyType              key_type,
                                                            guint                      bits,
                                                            ParsecAlgorithm           *algorithm);

PARSEC_AVAILABLE_IN_1_0
ParsecKeyType        parsec_key_attributes_get_key_type    (const ParsecKeyAttributes *self);
PARSEC_AVAILABLE_IN_1_0
ParsecEccFamily      parsec_key_attributes_get_ecc_family  (const ParsecKeyAttributes *self);
PARSEC_AVAILABLE_IN_1_0
ParsecDhFamily       parsec_key_attributes_get_dh_family   (const ParsecKeyAttributes *self);
PARSEC_AVAILABLE_IN_1_0
guint                parsec_key_attributes_get_bits        (const ParsecKeyAttributes *self);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyUsage       parsec_key_attributes_get_usage       (const ParsecKeyAttributes *self);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm     *parsec_key_attributes_get_algorithm   (const ParsecKeyAttributes *self);
PARSEC_AVAILABLE_IN_1_0
gboolean             parsec_key_attributes_is_public_key   (const ParsecKeyAttributes *self);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_attributes_with_usage      (const ParsecKeyAttributes *self,
                                                            ParsecKeyUsage             usage);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsecKeyAttributes, parsec_key_attributes_unref)

G_END_DECLS
