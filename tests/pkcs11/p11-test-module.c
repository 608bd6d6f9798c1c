/* p11-test-module.c: the PKCS #11 module as the tests load it
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <dlfcn.h>

#include "p11-test-module.h"

CK_FUNCTION_LIST_PTR p11;

void
p11_test_load_module (const char *path)
{
  void *module = dlopen (path, RTLD_NOW | RTLD_LOCAL);
  CK_C_GetFunctionList get_function_list;

  if (module == NULL)
    g_error ("%s", dlerror ());
  get_function_list = (CK_C_GetFunctionList) dlsym (module, "C_GetFunctionList");
  if (get_function_list == NULL)
    g_error ("%s", dlerror ());
  g_assert_cmpuint (get_function_list (&p11), ==, CKR_OK);
  /* Nothing but the entry point is exported. */
  g_assert_null (dlsym (module, "C_Initialize"));
}
