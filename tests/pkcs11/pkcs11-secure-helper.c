/* pkcs11-secure-helper.c: what the PKCS #11 module takes from the environment
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Loads the module (built in, with the library, so that it runs under
 * AT_SECURE, where the dynamic loader ignores $ORIGIN), prints whether the
 * process runs under AT_SECURE and the label of its first token (which
 * names the application), then writes a store file that is no key file,
 * a line like one of /etc/shadow, where PARSEC_PKCS11_STORE_DIR (given as
 * the argument too) says the token's store is, and makes the module read
 * its store. test-secure-env-pkcs11.sh runs it with and without a file
 * capability and looks at what it printed, debug messages included.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

#include <glib/gstdio.h>

#include "p11-private.h"

int
main (int    argc,
      char **argv)
{
  CK_FUNCTION_LIST_PTR p11;
  CK_SLOT_ID slot;
  CK_ULONG n = 1;
  CK_TOKEN_INFO token;
  CK_SESSION_HANDLE session;
  g_autofree char *label = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;

  if (argc != 2 || C_GetFunctionList (&p11) != CKR_OK || p11->C_Initialize (NULL) != CKR_OK ||
      p11->C_GetSlotList (CK_TRUE, &slot, &n) != CKR_OK || n != 1 ||
      p11->C_GetTokenInfo (slot, &token) != CKR_OK ||
      p11->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session) != CKR_OK)
    {
      fprintf (stderr, "cannot open a session\n");
      return 1;
    }
  label = g_strchomp (g_strndup ((const char *) token.label, sizeof token.label));
  printf ("at-secure=%lu\nlabel=%s\n", getauxval (AT_SECURE), label);

  serial = g_strchomp (g_strndup ((const char *) token.serialNumber, sizeof token.serialNumber));
  file = g_strdup_printf ("%s.ini", serial);
  path = g_build_filename (argv[1], file, NULL);
  if (!g_file_set_contents_full (path, "root:SECRET-MARKER:19000:0:99999:7:::\n", -1, G_FILE_SET_CONTENTS_NONE,
                                 0600, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  /* Whether the service answers does not matter: the store is read first. */
  printf ("search=0x%lx\n", p11->C_FindObjectsInit (session, NULL, 0));
  fflush (stdout);
  p11->C_Finalize (NULL);
  return 0;
}
