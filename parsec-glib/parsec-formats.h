/* parsec-formats.h: keys and signatures in the encodings other libraries use
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib.h>

#include "parsec-key-attributes.h"
#include "parsec-version.h"

G_BEGIN_DECLS

PARSEC_AVAILABLE_IN_1_0
GBytes *parsec_public_key_convert        (const ParsecKeyAttributes *attributes,
                                          GBytes                    *public_key,
                                          ParsecPublicKeyFormat      format,
                                          GError                   **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *parsec_ecdsa_signature_to_der    (GBytes                    *signature,
                                          GError                   **error);
PARSEC_AVAILABLE_IN_1_0
GBytes *parsec_ecdsa_signature_from_der  (GBytes                    *der,
                                          guint                      bits,
                                          GError                   **error);

PARSEC_AVAILABLE_IN_1_0
char   *parsec_pem_encode                (GBytes                    *der,
                                          const char                *label);

G_END_DECLS
