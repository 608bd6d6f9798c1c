/* parsec-pkcs11-private.h: what the library tells the PKCS #11 module
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Not installed and not part of the API: the parsec-glib PKCS #11 module
 * (pkcs11/), loaded into a process that uses the library, asks through
 * this which identities the process's clients use, and serves a token for
 * each, so that the URIs of parsec_key_get_pkcs11_uri() name a token that
 * exists (docs/pkcs11.md).
 */
#pragma once

#include "parsec-glib.h"

G_BEGIN_DECLS

typedef void (*ParsecPkcs11IdentityFunc) (const char *endpoint,
                                          const char *application_name,
                                          gpointer    user_data);

/* Calls @func with the endpoint and the application name (as the token
 * URIs take them) of each identity that an initialised ParsecClient of
 * this process has. Called with the library's lock held: @func copies
 * what it needs and must not create or drop clients. */
_PARSEC_EXTERN
void _parsec_pkcs11_foreach_identity (ParsecPkcs11IdentityFunc func,
                                      gpointer                 user_data);

G_END_DECLS
