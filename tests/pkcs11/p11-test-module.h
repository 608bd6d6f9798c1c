/* p11-test-module.h: the PKCS #11 module as the tests load it
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <glib.h>
#include <p11-kit/pkcs11.h>

G_BEGIN_DECLS

/* The module's functions, once p11_test_load_module() has run */
extern CK_FUNCTION_LIST_PTR p11;

/* Loads the module as applications do, with dlopen() and
 * C_GetFunctionList() only. */
void p11_test_load_module (const char *path);

G_END_DECLS
