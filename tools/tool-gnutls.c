/* tool-gnutls.c: GnuTLS, loaded when a command first needs it
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <dlfcn.h>

#define TOOL_GNUTLS_LOADER
#include "tool-gnutls.h"
#include "tool.h"

const ToolGnutls *tool_gnutls;
/* Kept loaded for the rest of the process once its functions are known. */
static void *tool_gnutls_library;

gboolean
tool_gnutls_load (GError **error)
{
  static ToolGnutls table;
  void *library;
  const char *missing = NULL;

  if (tool_gnutls != NULL)
    return TRUE;
  library = dlopen (TOOL_GNUTLS_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_LOCAL, "cannot load GnuTLS (%s): %s",
                   TOOL_GNUTLS_SONAME, dlerror ());
      return FALSE;
    }
#define TOOL_GNUTLS_LOOKUP(name) \
  if ((table.name = dlsym (library, "gnutls_" #name)) == NULL && missing == NULL) \
    missing = "gnutls_" #name;
  TOOL_GNUTLS_FUNCTIONS (TOOL_GNUTLS_LOOKUP)
#undef TOOL_GNUTLS_LOOKUP
  if ((table.free = dlsym (library, "gnutls_free")) == NULL && missing == NULL)
    missing = "gnutls_free";
  if (missing != NULL)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_LOCAL, "%s lacks %s", TOOL_GNUTLS_SONAME, missing);
      dlclose (library);
      return FALSE;
    }
  tool_gnutls_library = library;
  tool_gnutls = &table;
  return TRUE;
}
