/* test-tls-setup.c: a TLS client certificate as an application first makes one
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The program does what the documentation asks of an application and
 * nothing else: a ParsecClient with its endpoint and application name, a
 * key, a certificate for it, parsec_key_create_tls_certificate(), a
 * handshake with a server that requires a client certificate. No
 * PARSEC_PKCS11_APPLICATION_NAME, no module given to GnuTLS by the test, no
 * user configuration for p11-kit (and, as CI runs it, root, for whom p11-kit
 * reads none): the module serves the identities of the process's clients,
 * and the library gives GnuTLS the module when p11-kit does not.
 *
 * With --through-p11-kit the program keeps the user's configuration, which
 * must register the module with p11-kit (test-tls-p11-kit.sh runs it under
 * parsec-test-env --pkcs11), and forbids the library to give GnuTLS the
 * module: the handshakes then go through the module as p11-kit loaded it.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <parsec-glib/parsec-glib.h>

#include "service-fixture.h"
#include "tls-handshake.h"

static ParsecTestService *service;
static GTlsCertificate *server_certificate;
/* The server's key also issues the clients' certificates. */
static gnutls_privkey_t issuer_key;

/* A client of the test service by its endpoint property: the module's own
 * configuration names no service at all. */
static ParsecClient *
client_new (const char *application_name)
{
  g_autoptr(GError) error = NULL;
  ParsecClient *client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                                         "endpoint", parsec_test_service_get_endpoint (service),
                                         "application-name", application_name,
                                         NULL);

  g_assert_no_error (error);
  return client;
}

/* A new signing key of @client's, with a certificate for it in PEM. */
static ParsecKey *
key_with_certificate (ParsecClient  *client,
                      const char    *name,
                      GBytes       **pem)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) spki = NULL;
  ParsecKey *key;
  gnutls_pubkey_t subject;
  gnutls_datum_t der;
  char *text;

  key = parsec_client_generate_key (client, name, attributes, NULL, &error);
  g_assert_no_error (error);
  spki = parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL, &error);
  g_assert_no_error (error);
  der.data = (unsigned char *) g_bytes_get_data (spki, NULL);
  der.size = g_bytes_get_size (spki);
  g_assert_cmpint (gnutls_pubkey_init (&subject), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import (subject, &der, GNUTLS_X509_FMT_DER), ==, 0);
  text = tls_certificate_pem (subject, name, issuer_key, TLS_SERVER_NAME);
  gnutls_pubkey_deinit (subject);
  *pem = g_bytes_new_take (text, strlen (text));
  return key;
}

/* A handshake in which the server requires, and gets, @key's certificate:
 * the client proved it holds the key, which signed in the service. */
static void
assert_handshake (ParsecKey *key,
                  GBytes    *pem)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = parsec_key_create_tls_certificate (key, pem, NULL, &error);
  TlsHandshake h;

  g_assert_no_error (error);
  g_assert_nonnull (certificate);
  tls_run_handshake (&h, server_certificate, certificate);
  g_assert_no_error (h.server_error);
  g_assert_no_error (h.client_error);
  g_assert_nonnull (h.peer);
  g_assert_true (g_tls_certificate_is_same (h.peer, certificate));
  tls_handshake_clear (&h);
}

static void
test_handshake (void)
{
  g_autoptr(ParsecClient) client = client_new ("org.example.TlsSetup");
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GError) error = NULL;

  key = key_with_certificate (client, "web-client", &pem);
  assert_handshake (key, pem);
  parsec_key_destroy (key, NULL, &error);
  g_assert_no_error (error);
}

/* A client made after GnuTLS has loaded the module: its token appears. */
static void
test_later_client (void)
{
  g_autoptr(ParsecClient) client = client_new ("org.example.TlsSetup.Later");
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) pem = NULL;
  g_autoptr(GError) error = NULL;

  key = key_with_certificate (client, "later-client", &pem);
  assert_handshake (key, pem);
  parsec_key_destroy (key, NULL, &error);
  g_assert_no_error (error);
}

/* Where GnuTLS cannot reach the module, creating the certificate fails,
 * saying why and what to do. In a process of its own, whose GnuTLS has
 * not been given the module. */
static void
test_unreachable (void)
{
  g_autofree char *pattern = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(ParsecClient) client = NULL;
      g_autoptr(ParsecKey) key = NULL;
      g_autoptr(GBytes) pem = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GTlsCertificate) certificate = NULL;

      g_setenv ("PARSEC_PKCS11_MODULE", "/nonexistent/parsec-glib-pkcs11.so", TRUE);
      client = client_new ("org.example.TlsSetup.Unreachable");
      key = key_with_certificate (client, "unreachable", &pem);
      certificate = parsec_key_create_tls_certificate (key, pem, NULL, &error);
      g_assert_null (certificate);
      g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_UNAVAILABLE);
      g_print ("%s\n", error->message);
      g_clear_error (&error);
      parsec_key_destroy (key, NULL, &error);
      g_assert_no_error (error);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  /* The key, the token (the application's, or the user's where the
   * service keeps keys per user), why, and the two ways out */
  pattern = g_strdup_printf ("*key ?unreachable?*pkcs11:token=Parsec%%20%s;serial=*"
                             "p11-kit does not load the parsec-glib PKCS #11 module*"
                             "/nonexistent/parsec-glib-pkcs11.so*no such file*"
                             "Register the module with p11-kit*PARSEC_PKCS11_MODULE*",
                             g_str_equal (parsec_test_service_default_authenticator (), "unix-peer-credentials")
                             ? "uid%20*" : "org.example.TlsSetup.Unre");
  g_test_trap_assert_stdout (pattern);
  /* What to register depends on who is asking. */
  if (getuid () == 0)
    g_test_trap_assert_stdout ("*system-wide*p11-kit reads no user configuration for root*");
  else
    g_test_trap_assert_stdout ("*~/.config/pkcs11/modules/*");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *home = NULL;
  gboolean through_p11_kit = argc > 1 && g_str_equal (argv[1], "--through-p11-kit");
  int status;

  if (through_p11_kit)
    argv[1] = argv[0], argc--, argv++;
  g_test_init (&argc, &argv, NULL);

  /* Nothing configures the module: no user configuration for p11-kit
   * (unless p11-kit is what is tested), no names, no module file; its
   * certificates go to a fresh directory. */
  home = g_dir_make_tmp ("parsec-tls-setup-XXXXXX", &error);
  g_assert_no_error (error);
  if (through_p11_kit)
    g_setenv ("PARSEC_PKCS11_MODULE", "", TRUE);
  else
    {
      g_setenv ("HOME", home, TRUE);
      g_setenv ("XDG_CONFIG_HOME", home, TRUE);
      g_unsetenv ("PARSEC_PKCS11_MODULE");
    }
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_unsetenv ("PARSEC_PKCS11_APPLICATION_NAME");
  g_unsetenv ("PARSEC_PKCS11_STORE_DIR");
  g_unsetenv ("PARSEC_SERVICE_ENDPOINT");
  /* Loopback needs no proxy (and see test-tls.c on libproxy). */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("GIO has no TLS backend (glib-networking)");
      return g_test_run ();
    }

  service = parsec_test_service_start (NULL, NULL, &error);
  g_assert_no_error (error);
  server_certificate = tls_server_certificate_new (&issuer_key);

  g_test_add_func ("/parsec/tls-setup/handshake", test_handshake);
  g_test_add_func ("/parsec/tls-setup/later-client", test_later_client);
  if (!through_p11_kit)
    g_test_add_func ("/parsec/tls-setup/unreachable", test_unreachable);
  status = g_test_run ();

  gnutls_privkey_deinit (issuer_key);
  g_clear_object (&server_certificate);
  g_clear_pointer (&service, parsec_test_service_free);
  parsec_test_remove_tree (home);
  return status;
}
