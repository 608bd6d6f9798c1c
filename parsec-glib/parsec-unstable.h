/* parsec-unstable.h: keys of the service for PKCS #11 users and GIO TLS
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * This part of the API may still change: define PARSEC_API_SUBJECT_TO_CHANGE
 * (pkg-config parsec-glib-unstable-1 does) to use it.
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include "parsec-client.h"
#include "parsec-key.h"

G_BEGIN_DECLS


PARSEC_AVAILABLE_IN_1_0
char             *parsec_client_get_pkcs11_uri       (ParsecClient         *self,
                                                      const char           *key_name);

PARSEC_AVAILABLE_IN_1_0
char             *parsec_key_get_pkcs11_uri                 (ParsecKey           *self);

PARSEC_AVAILABLE_IN_1_0
void              parsec_key_create_tls_certificate_async  (ParsecKey           *self,
                                                            GBytes              *certificate,
                                                            GCancellable        *cancellable,
                                                            GAsyncReadyCallback  callback,
                                                            gpointer             user_data);
PARSEC_AVAILABLE_IN_1_0
GTlsCertificate  *parsec_key_create_tls_certificate_finish (ParsecKey           *self,
                                                            GAsyncResult        *result,
                                                            GError             **error);
PARSEC_AVAILABLE_IN_1_0
GTlsCertificate  *parsec_key_create_tls_certificate        (ParsecKey           *self,
                                                            GBytes              *certificate,
                                                            GCancellable        *cancellable,
                                                            GError             **error);

G_END_DECLS
