/* fake-service-main.c: the fake service as a program, for binding tests
 *
 * Prints the endpoint on standard output, then serves until standard
 * input closes, so that it dies with the test that started it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include "fake-service.h"

int
main (int argc, char **argv)
{
  g_autoptr(FakeService) fake = fake_service_new ();
  char buf[64];

  printf ("%s\n", fake_service_get_endpoint (fake));
  fflush (stdout);
  while (read (STDIN_FILENO, buf, sizeof buf) > 0)
    ;
  return 0;
}
