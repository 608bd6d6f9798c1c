/* parsec-i18n.c: the library's text domain, bound on first use
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <libintl.h>

#include "parsec-i18n-private.h"

/* Returns the translation of @msgid in the library's own text domain,
 * in UTF-8 whatever the locale's encoding: messages end up in GErrors,
 * whose text is UTF-8. */
const char *
_parsec_gettext (const char *msgid)
{
  static gsize bound;

  if (g_once_init_enter (&bound))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&bound, 1);
    }
  return g_dgettext (GETTEXT_PACKAGE, msgid);
}
