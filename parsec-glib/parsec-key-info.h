/* parsec-key-info.h: a key stored in the service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "parsec-key-attributes.h"
#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_KEY_INFO (parsec_key_info_get_type ())

PARSEC_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ParsecKeyInfo, parsec_key_info, PARSEC, KEY_INFO, GObject)

PARSEC_AVAILABLE_IN_1_0
const char          *parsec_key_info_get_name       (ParsecKeyInfo *self);
PARSEC_AVAILABLE_IN_1_0
guint                parsec_key_info_get_provider   (ParsecKeyInfo *self);
PARSEC_AVAILABLE_IN_1_0
ParsecKeyAttributes *parsec_key_info_get_attributes (ParsecKeyInfo *self);

G_END_DECLS
