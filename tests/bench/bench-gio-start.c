/* bench-gio-start.c: the least a command built on GIO costs to start
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Loads GIO the way parsec-glib-tool does, makes the one object every
 * command of the tool makes first (the service's socket address), and
 * exits: no request, no option parsing, no locale. The tool benchmark
 * runs it in the same rounds as the tools, so its CPU time is the floor
 * under any command of a program that links GIO (tests/bench/README.md).
 */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

int
main (void)
{
  const char *endpoint = g_getenv ("PARSEC_SERVICE_ENDPOINT");
  GSocketAddress *address;

  if (endpoint == NULL || !g_str_has_prefix (endpoint, "unix:"))
    endpoint = "unix:/run/parsec/parsec.sock";
  address = g_unix_socket_address_new (endpoint + strlen ("unix:"));
  g_object_unref (address);
  return 0;
}
