/* parsec-authenticator-info.h: an authenticator the service runs
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_AUTHENTICATOR_INFO (parsec_authenticator_info_get_type ())

PARSEC_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ParsecAuthenticatorInfo, parsec_authenticator_info, PARSEC, AUTHENTICATOR_INFO, GObject)

PARSEC_AVAILABLE_IN_1_0
guint        parsec_authenticator_info_get_id               (ParsecAuthenticatorInfo *self);
PARSEC_AVAILABLE_IN_1_0
const char  *parsec_authenticator_info_get_description      (ParsecAuthenticatorInfo *self);
PARSEC_AVAILABLE_IN_1_0
guint        parsec_authenticator_info_get_version_major    (ParsecAuthenticatorInfo *self);
PARSEC_AVAILABLE_IN_1_0
guint        parsec_authenticator_info_get_version_minor    (ParsecAuthenticatorInfo *self);
PARSEC_AVAILABLE_IN_1_0
guint        parsec_authenticator_info_get_version_revision (ParsecAuthenticatorInfo *self);

G_END_DECLS
