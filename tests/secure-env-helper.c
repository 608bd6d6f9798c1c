/* secure-env-helper.c: what the library takes from the environment
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Prints whether the process runs under AT_SECURE, the endpoint a client
 * configured from the environment and GSettings would use, and the PKCS #11
 * module's application-name variable as the library reads it. Linked
 * statically with the library, so that it runs under AT_SECURE (where the
 * dynamic loader ignores LD_LIBRARY_PATH and $ORIGIN); secure-env.sh runs
 * it with and without file capabilities.
 */
#include "config.h"

#include <stdio.h>
#include <sys/auxv.h>

#include "parsec-glib.h"
#include "secure-env.h"

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                                                   "application-name", "secure-env", NULL);
  const char *name = secure_env_get ("PARSEC_PKCS11_APPLICATION_NAME");

  if (client == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  printf ("at-secure=%lu\nendpoint=%s\npkcs11-application-name=%s\n", getauxval (AT_SECURE),
          parsec_client_get_endpoint (client), name != NULL ? name : "(unset)");
  return 0;
}
