/* parsec-provider-info.h: a provider hosted by the service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <glib-object.h>

#include "parsec-enums.h"
#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_PROVIDER_INFO (parsec_provider_info_get_type ())

PARSEC_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ParsecProviderInfo, parsec_provider_info, PARSEC, PROVIDER_INFO, GObject)

PARSEC_AVAILABLE_IN_1_0
ParsecProvider parsec_provider_info_get_id           (ParsecProviderInfo *self);
PARSEC_AVAILABLE_IN_1_0
const char  *parsec_provider_info_get_uuid           (ParsecProviderInfo *self);
PARSEC_AVAILABLE_IN_1_0
const char  *parsec_provider_info_get_description    (ParsecProviderInfo *self);
PARSEC_AVAILABLE_IN_1_0
const char  *parsec_provider_info_get_vendor         (ParsecProviderInfo *self);
PARSEC_AVAILABLE_IN_1_0
guint        parsec_provider_info_get_version_major  (ParsecProviderInfo *self);
PARSEC_AVAILABLE_IN_1_0
guint        parsec_provider_info_get_version_minor  (ParsecProviderInfo *self);
PARSEC_AVAILABLE_IN_1_0
guint        parsec_provider_info_get_version_revision (ParsecProviderInfo *self);

G_END_DECLS
