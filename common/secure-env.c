/* secure-env.c: the environment, when the process may trust it
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <sys/auxv.h>

#include "secure-env.h"

gboolean
secure_env_trusted (void)
{
  return getauxval (AT_SECURE) == 0;
}

const char *
secure_env_get (const char *name)
{
  return secure_env_trusted () ? g_getenv (name) : NULL;
}
