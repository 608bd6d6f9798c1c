/* parsec-glib.h: the one header applications include
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#define __PARSEC_GLIB_INSIDE__

#include <gio/gio.h>

#include "parsec-version.h"
#include "parsec-enums.h"
#include "parsec-crypto-enums.h"
#include "parsec-enum-types.h"
#include "parsec-error.h"
#include "parsec-algorithm.h"
#include "parsec-key-attributes.h"
#include "parsec-certificate-options.h"
#include "parsec-formats.h"
#include "parsec-provider-info.h"
#include "parsec-authenticator-info.h"
#include "parsec-client.h"
#include "parsec-key.h"

/* The PKCS #11 and TLS helpers may still change before they are frozen. */
#if defined(PARSEC_API_SUBJECT_TO_CHANGE) || defined(PARSEC_GLIB_COMPILATION)
#include "parsec-unstable.h"
#endif

#undef __PARSEC_GLIB_INSIDE__
