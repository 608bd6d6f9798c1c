/* parsec-i18n-private.h: the library's translatable messages
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>

/* gi18n-lib.h's macros, with _() binding the text domain the first time
 * a message is translated: a library cannot count on the program to do
 * it, and has no initialisation function of its own to do it in. */
#include <glib/gi18n-lib.h>

#undef _
#define _(String) _parsec_gettext (String)

const char *_parsec_gettext (const char *msgid) G_GNUC_FORMAT (1);
