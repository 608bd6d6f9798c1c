/* main.c: parsec-glib-test-service, a stand-in for the Parsec service
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Serves the wire protocol on a Unix socket like the real service with
 * its core and Mbed Crypto providers, with real cryptography from Mbed
 * TLS's PSA Crypto API and keys kept under a directory of its own, so
 * that parsec-glib can be tested end to end without the service.
 *
 * Everything runs in one thread: connections are non-blocking and the
 * crypto runs synchronously in the main loop (PSA in Mbed TLS 2.28 is not
 * thread-safe).
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib-unix.h>
#include <mbedtls/version.h>

#include "test-service.h"

static gboolean
quit_on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *socket_path = NULL;
  g_autofree char *key_dir = NULL;
  g_autofree char *authenticator = NULL;
  g_auto(GStrv) admins = NULL;
  int timeout_ms = 200;
  gboolean sign_message = FALSE;
  g_autofree char *request_log = NULL;
  g_autofree char *provider = g_strdup (g_getenv ("PARSEC_TEST_PROVIDER"));
  const GOptionEntry entries[] = {
    { "socket", 0, 0, G_OPTION_ARG_FILENAME, &socket_path, "Path of the Unix socket to listen on", "PATH" },
    { "keys", 0, 0, G_OPTION_ARG_FILENAME, &key_dir, "Directory that keeps the keys", "DIR" },
    { "authenticator", 0, 0, G_OPTION_ARG_STRING, &authenticator,
      "The authenticator: direct (default) or unix-peer-credentials", "NAME" },
    { "admin", 0, 0, G_OPTION_ARG_STRING_ARRAY, &admins,
      "An identity allowed to list and delete clients (application name, or decimal user id); repeatable", "NAME" },
    { "timeout-ms", 0, 0, G_OPTION_ARG_INT, &timeout_ms,
      "How long a read or write may stall before the client is dropped (default 200)", "N" },
    { "sign-message", 0, 0, G_OPTION_ARG_NONE, &sign_message,
      "Also serve PsaSignMessage and PsaVerifyMessage, which the real Mbed Crypto provider does not", NULL },
    { "provider", 0, 0, G_OPTION_ARG_STRING, &provider,
      "The crypto provider to play: mbed-crypto (default) or tpm (PARSEC_TEST_PROVIDER sets the default)", "NAME" },
    { "request-log", 0, 0, G_OPTION_ARG_FILENAME, &request_log,
      "Append a line per request (operation, provider, authentication type) to FILE", "FILE" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- a Parsec service for tests");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Service service = { 0 };
  Frontend *frontend;

  setlocale (LC_ALL, "");
  /* A client that hangs up must not kill the service. */
  signal (SIGPIPE, SIG_IGN);

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Speaks the Parsec wire protocol like the Parsec service with its core and "
                                "Mbed Crypto providers, with real cryptography (Mbed TLS " MBEDTLS_VERSION_STRING ").");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (socket_path == NULL || key_dir == NULL)
    {
      g_printerr ("Both --socket and --keys are required; see --help\n");
      return EXIT_FAILURE;
    }
  if (authenticator == NULL || g_str_equal (authenticator, "direct"))
    service.auth_type = AUTH_DIRECT;
  else if (g_str_equal (authenticator, "unix-peer-credentials"))
    service.auth_type = AUTH_UNIX_PEER_CREDENTIALS;
  else
    {
      g_printerr ("Unknown authenticator “%s”: use direct or unix-peer-credentials\n", authenticator);
      return EXIT_FAILURE;
    }
  if (timeout_ms <= 0)
    {
      g_printerr ("--timeout-ms must be positive\n");
      return EXIT_FAILURE;
    }
  if (provider == NULL || *provider == '\0' || g_str_equal (provider, "mbed-crypto"))
    service.provider = PROVIDER_MBED_CRYPTO;
  else if (g_str_equal (provider, "tpm"))
    service.provider = PROVIDER_TPM;
  else
    {
      g_printerr ("Unknown provider “%s”: use mbed-crypto or tpm\n", provider);
      return EXIT_FAILURE;
    }
  convert_set_psa_crypto_sizes (service.provider == PROVIDER_MBED_CRYPTO);
  service.admins = admins;
  service.timeout_ms = timeout_ms;
  service.sign_message = sign_message;
  if (request_log != NULL)
    {
      service.request_log = fopen (request_log, "a");
      if (service.request_log == NULL)
        {
          g_printerr ("Cannot open %s: %s\n", request_log, g_strerror (errno));
          return EXIT_FAILURE;
        }
    }

  if (psa_crypto_init () != PSA_SUCCESS)
    {
      g_printerr ("Cannot initialise the PSA Crypto library\n");
      return EXIT_FAILURE;
    }

  service.keys = keystore_new (key_dir, &error);
  if (service.keys == NULL)
    {
      g_printerr ("%s\n", error->message);
      mbedtls_psa_crypto_free ();
      return EXIT_FAILURE;
    }

  frontend = frontend_new (&service, socket_path, &error);
  if (frontend == NULL)
    {
      g_printerr ("Cannot listen on %s: %s\n", socket_path, error->message);
      keystore_free (service.keys);
      mbedtls_psa_crypto_free ();
      return EXIT_FAILURE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, quit_on_signal, loop);
  g_unix_signal_add (SIGINT, quit_on_signal, loop);

  /* Whoever started us waits for this line before connecting. */
  printf ("listening on %s\n", socket_path);
  fflush (stdout);

  g_main_loop_run (loop);

  frontend_free (frontend);
  keystore_free (service.keys);
  mbedtls_psa_crypto_free ();
  if (service.request_log != NULL)
    fclose (service.request_log);
  return EXIT_SUCCESS;
}
