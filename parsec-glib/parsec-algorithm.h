/* parsec-algorithm.h: a PSA algorithm
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "parsec-crypto-enums.h"
#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_ALGORITHM (parsec_algorithm_get_type ())

typedef struct _ParsecAlgorithm ParsecAlgorithm;

PARSEC_AVAILABLE_IN_1_0
GType             parsec_algorithm_get_type            (void) G_GNUC_CONST;

PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_ref                 (ParsecAlgorithm       *self);
PARSEC_AVAILABLE_IN_1_0
void              parsec_algorithm_unref               (ParsecAlgorithm       *self);

PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_none            (void);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_hash            (ParsecHash             hash);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_hmac            (ParsecHash             hash);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_cbc_mac         (void);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_cmac            (void);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_truncated_mac   (ParsecAlgorithm       *mac,
                                                        guint                  mac_length);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_cipher          (ParsecCipher           cipher);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_aead            (ParsecAead             aead);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_aead_shortened_tag (ParsecAead          aead,
                                                           guint               tag_length);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_signature       (ParsecSignatureScheme  scheme,
                                                        ParsecHash             hash);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_rsa_pkcs1v15_sign (ParsecHash           hash);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_rsa_pss         (ParsecHash             hash);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_ecdsa           (ParsecHash             hash);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_encryption      (ParsecEncryptionScheme scheme,
                                                        ParsecHash             hash);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_rsa_pkcs1v15_crypt (void);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_rsa_oaep        (ParsecHash             hash);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_key_agreement   (ParsecKeyAgreement     agreement);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_key_agreement_with_derivation (ParsecKeyAgreement  agreement,
                                                                      ParsecAlgorithm    *derivation);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_new_key_derivation  (ParsecKeyDerivation    derivation,
                                                        ParsecHash             hash);

PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithmKind parsec_algorithm_get_kind          (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecMac              parsec_algorithm_get_mac (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecCipher           parsec_algorithm_get_cipher (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecAead             parsec_algorithm_get_aead (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecSignatureScheme  parsec_algorithm_get_signature_scheme (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecEncryptionScheme parsec_algorithm_get_encryption_scheme (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAgreement     parsec_algorithm_get_key_agreement (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyDerivation    parsec_algorithm_get_key_derivation (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecHash        parsec_algorithm_get_hash            (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
guint             parsec_algorithm_get_length          (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
ParsecAlgorithm  *parsec_algorithm_get_inner           (const ParsecAlgorithm *self);
PARSEC_AVAILABLE_IN_1_0
gboolean          parsec_algorithm_equal               (const ParsecAlgorithm *self,
                                                        const ParsecAlgorithm *other);
PARSEC_AVAILABLE_IN_1_0
char             *parsec_algorithm_to_string           (const ParsecAlgorithm *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsecAlgorithm, parsec_algorithm_unref)

G_END_DECLS
