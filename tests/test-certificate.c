/* test-certificate.c: certificate requests and self-signed certificates
 * made by ParsecKey, checked by OpenSSL and GIO
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <parsec-glib/parsec-glib.h>

#include "async-wait.h"
#include "service-fixture.h"

typedef struct {
  ParsecTestService *service;
  ParsecClient *client;
  AsyncWait async;
  char *dir;
  char *openssl;
  GPtrArray *keys;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->service = parsec_test_service_start (NULL, NULL, &error);
  g_assert_no_error (error);
  f->client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                              "endpoint", parsec_test_service_get_endpoint (f->service),
                              "application-name", "certificate-app",
                              NULL);
  g_assert_no_error (error);
  async_wait_init (&f->async);
  f->dir = g_dir_make_tmp ("parsec-glib-certificate-XXXXXX", &error);
  g_assert_no_error (error);
  f->openssl = g_find_program_in_path ("openssl");
  f->keys = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < f->keys->len; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (parsec_key_destroy (g_ptr_array_index (f->keys, i), NULL, &error));
    }
  g_ptr_array_unref (f->keys);
  g_clear_object (&f->client);
  async_wait_clear (&f->async);
  parsec_test_service_free (f->service);
  parsec_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->openssl);
}

static ParsecKey *
generate (Fixture             *f,
          const char          *name,
          ParsecKeyAttributes *attributes)
{
  g_autoptr(GError) error = NULL;
  ParsecKey *key = parsec_client_generate_key (f->client, name, attributes, NULL, &error);

  g_assert_no_error (error);
  g_ptr_array_add (f->keys, g_object_ref (key));
  parsec_key_attributes_unref (attributes);
  return key;
}

static char *
write_pem (Fixture    *f,
           const char *name,
           GBytes     *der,
           const char *label)
{
  g_autofree char *pem = parsec_pem_encode (der, label);
  char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (pem, "-----BEGIN "));
  g_file_set_contents (path, pem, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* Runs openssl with @args; returns its standard output and error. */
static char *
openssl (Fixture     *f,
         const char **args)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  g_strv_builder_add (builder, f->openssl);
  g_strv_builder_addv (builder, args);
  argv = g_strv_builder_end (builder);
  g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("openssl %s failed: %s%s", args[0], out, err);
  return g_strconcat (out, err, NULL);
}

static ParsecCertificateOptions *
full_options (void)
{
  ParsecCertificateOptions *options = parsec_certificate_options_new ();
  g_autoptr(GInetAddress) v4 = g_inet_address_new_from_string ("192.0.2.1");
  g_autoptr(GInetAddress) v6 = g_inet_address_new_from_string ("2001:db8::1");
  g_autoptr(GError) error = NULL;

  g_assert_true (parsec_certificate_options_add_subject_attribute (options, "CN", "host.example", &error));
  g_assert_true (parsec_certificate_options_add_subject_attribute (options, "O", "Example Ünïcode", &error));
  g_assert_true (parsec_certificate_options_add_subject_attribute (options, "OU", "Unit A", &error));
  g_assert_true (parsec_certificate_options_add_subject_attribute (options, "OU", "Unit B", &error));
  g_assert_true (parsec_certificate_options_add_subject_attribute (options, "C", "DE", &error));
  g_assert_no_error (error);
  parsec_certificate_options_add_dns_name (options, "host.example");
  parsec_certificate_options_add_ip_address (options, v4);
  parsec_certificate_options_add_ip_address (options, v6);
  parsec_certificate_options_add_email_address (options, "admin@host.example");
  parsec_certificate_options_add_uri (options, "https://host.example/");
  return options;
}

static void
assert_names (const char *text)
{
  g_assert_nonnull (strstr (text, "CN = host.example"));
  g_assert_nonnull (strstr (text, "O = Example "));
  g_assert_nonnull (strstr (text, "OU = Unit A"));
  g_assert_nonnull (strstr (text, "C = DE"));
  g_assert_nonnull (strstr (text, "DNS:host.example"));
  g_assert_nonnull (strstr (text, "IP Address:192.0.2.1"));
  g_assert_nonnull (strstr (text, "IP Address:2001:DB8:0:0:0:0:0:1"));
  g_assert_nonnull (strstr (text, "email:admin@host.example"));
  g_assert_nonnull (strstr (text, "URI:https://host.example/"));
}

/* A CSR for an ECDSA key, sync and async: OpenSSL verifies it and reads
 * the subject and alternative names back. */
static void
test_request (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(ParsecKey) key = generate (f, "csr-ecc", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  g_autoptr(ParsecCertificateOptions) options = full_options ();
  g_autoptr(GError) error = NULL;

  for (guint async = 0; async < 2; async++)
    {
      g_autoptr(GBytes) request = NULL;
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;

      if (async)
        {
          parsec_key_create_certificate_request_async (key, options, NULL, async_wait_store, &f->async);
          request = parsec_key_create_certificate_request_finish (key, async_wait_result (&f->async), &error);
        }
      else
        request = parsec_key_create_certificate_request (key, options, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (((const guint8 *) g_bytes_get_data (request, NULL))[0], ==, 0x30);
      if (f->openssl == NULL)
        continue;
      path = write_pem (f, "request.pem", request, "CERTIFICATE REQUEST");
      text = openssl (f, (const char *[]) { "req", "-verify", "-noout", "-text", "-in", path, NULL });
      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, "verify OK"));
      g_assert_nonnull (strstr (text, "ecdsa-with-SHA256"));
      assert_names (text);
    }
}

/* A CSR for RSA-PSS and RSA PKCS #1 keys, and one with no subject. */
static void
test_request_rsa (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ParsecAlgorithm) pss = parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecAlgorithm) pkcs1 = parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_384);
  g_autoptr(ParsecKey) pss_key = generate (f, "csr-pss", parsec_key_attributes_new_rsa_signing (2048, pss));
  g_autoptr(ParsecKey) pkcs1_key = generate (f, "csr-pkcs1", parsec_key_attributes_new_rsa_signing (2048, pkcs1));
  g_autoptr(GBytes) pss_request = NULL;
  g_autoptr(GBytes) pkcs1_request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pss_path = NULL;
  g_autofree char *pkcs1_path = NULL;
  g_autofree char *text = NULL;

  pkcs1_request = parsec_key_create_certificate_request (pkcs1_key, NULL, NULL, &error);
  g_assert_no_error (error);
  if (f->openssl != NULL)
    {
      pkcs1_path = write_pem (f, "pkcs1.pem", pkcs1_request, "CERTIFICATE REQUEST");
      text = openssl (f, (const char *[]) { "req", "-verify", "-noout", "-text", "-in", pkcs1_path, NULL });
      g_assert_nonnull (strstr (text, "verify OK"));
      g_assert_nonnull (strstr (text, "sha384WithRSAEncryption"));
      g_clear_pointer (&text, g_free);
    }

  pss_request = parsec_key_create_certificate_request (pss_key, NULL, NULL, &error);
  if (pss_request == NULL)
    {
      /* The TPM provider makes RSA-PSS keys but does not sign with them:
       * its refusal, typed, and nothing half-made. */
      parsec_test_assert_provider_limit (error);
      return;
    }
  g_assert_no_error (error);
  if (f->openssl == NULL)
    return;
  pss_path = write_pem (f, "pss.pem", pss_request, "CERTIFICATE REQUEST");
  text = openssl (f, (const char *[]) { "req", "-verify", "-noout", "-text", "-in", pss_path, NULL });
  g_assert_nonnull (strstr (text, "verify OK"));
  g_assert_nonnull (strstr (text, "rsassaPss"));
}

/* A self-signed certificate, sync and async: OpenSSL verifies it against
 * itself and reads its extensions and validity; GIO reads it as a
 * GTlsCertificate. */
static void
test_self_signed (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(ParsecKey) key = generate (f, "cert-ecc", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  g_autoptr(ParsecCertificateOptions) options = full_options ();
  g_autoptr(GDateTime) not_before = g_date_time_new_utc (2030, 1, 2, 3, 4, 5);
  g_autoptr(GDateTime) not_after = g_date_time_new_utc (2060, 6, 7, 8, 9, 10);
  g_autoptr(GError) error = NULL;

  parsec_certificate_options_set_validity (options, not_before, not_after);
  for (guint async = 0; async < 2; async++)
    {
      g_autoptr(GBytes) certificate = NULL;
      g_autoptr(GTlsCertificate) tls = NULL;
      g_autofree char *pem = NULL;
      g_autofree char *path = NULL;
      g_autofree char *text = NULL;
      g_autofree char *verified = NULL;
      g_autofree char *subject = NULL;
      g_autoptr(GDateTime) tls_not_after = NULL;

      if (async)
        {
          parsec_key_create_self_signed_certificate_async (key, options, NULL, async_wait_store, &f->async);
          certificate = parsec_key_create_self_signed_certificate_finish (key, async_wait_result (&f->async), &error);
        }
      else
        certificate = parsec_key_create_self_signed_certificate (key, options, NULL, &error);
      g_assert_no_error (error);

      pem = parsec_pem_encode (certificate, "CERTIFICATE");
      tls = g_tls_certificate_new_from_pem (pem, -1, &error);
      g_assert_no_error (error);
      subject = g_tls_certificate_get_subject_name (tls);
      g_assert_nonnull (strstr (subject, "CN=host.example"));
      tls_not_after = g_tls_certificate_get_not_valid_after (tls);
      g_assert_cmpint (g_date_time_to_unix (tls_not_after), ==, g_date_time_to_unix (not_after));

      if (f->openssl == NULL)
        continue;
      path = write_pem (f, "certificate.pem", certificate, "CERTIFICATE");
      text = openssl (f, (const char *[]) { "x509", "-noout", "-text", "-in", path, NULL });
      g_test_message ("%s", text);
      assert_names (text);
      g_assert_nonnull (strstr (text, "Version: 3"));
      g_assert_nonnull (strstr (text, "CA:FALSE"));
      g_assert_nonnull (strstr (text, "Digital Signature"));
      g_assert_nonnull (strstr (text, "Not Before: Jan  2 03:04:05 2030 GMT"));
      g_assert_nonnull (strstr (text, "Not After : Jun  7 08:09:10 2060 GMT"));
      verified = openssl (f, (const char *[]) { "verify", "-no_check_time", "-CAfile", path, path, NULL });
      g_assert_nonnull (strstr (verified, ": OK"));
    }
}

/* Without options: the key's name as subject, valid from now for 365
 * days. */
static void
test_self_signed_defaults (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(ParsecKey) key = generate (f, "cert-default",
                                       parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  g_autoptr(GBytes) certificate = NULL;
  g_autoptr(GTlsCertificate) tls = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autofree char *pem = NULL;
  g_autofree char *subject = NULL;
  g_autoptr(GError) error = NULL;

  certificate = parsec_key_create_self_signed_certificate (key, NULL, NULL, &error);
  g_assert_no_error (error);
  pem = parsec_pem_encode (certificate, "CERTIFICATE");
  tls = g_tls_certificate_new_from_pem (pem, -1, &error);
  g_assert_no_error (error);
  subject = g_tls_certificate_get_subject_name (tls);
  g_assert_cmpstr (subject, ==, "CN=cert-default");
  not_before = g_tls_certificate_get_not_valid_before (tls);
  not_after = g_tls_certificate_get_not_valid_after (tls);
  g_assert_cmpint (ABS (g_date_time_difference (not_before, now)), <, 60 * G_TIME_SPAN_SECOND);
  g_assert_cmpint (g_date_time_difference (not_after, not_before), ==, 365 * G_TIME_SPAN_DAY);
  g_assert_cmpint (g_tls_certificate_verify (tls, NULL, tls), ==, 0);
}

/* Bad options and keys that cannot sign are errors, before any request
 * for the key's signature. */
static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(ParsecCertificateOptions) options = parsec_certificate_options_new ();
  g_autoptr(ParsecAlgorithm) oaep = parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKey) ecc = generate (f, "cert-errors", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  g_autoptr(ParsecKey) rsa = generate (f, "cert-oaep", parsec_key_attributes_new_rsa_encryption (2048, oaep));
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) earlier = g_date_time_add_days (now, -1);
  g_autoptr(GBytes) made = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (parsec_certificate_options_add_subject_attribute (options, "XYZ", "value", &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (parsec_certificate_options_add_subject_attribute (options, "CN", "\xff\xfe", &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  /* Any attribute by its object identifier. */
  g_assert_true (parsec_certificate_options_add_subject_attribute (options, "2.5.4.12", "Title", &error));
  g_assert_no_error (error);

  parsec_certificate_options_set_validity (options, now, earlier);
  g_assert_null (parsec_key_create_self_signed_certificate (ecc, options, NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  /* A request has no validity. */
  made = parsec_key_create_certificate_request (ecc, options, NULL, &error);
  g_assert_no_error (error);

  parsec_key_create_certificate_request_async (rsa, NULL, NULL, async_wait_store, &f->async);
  g_assert_null (parsec_key_create_certificate_request_finish (rsa, async_wait_result (&f->async), &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (parsec_key_create_self_signed_certificate (rsa, NULL, NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/parsec/certificate/request", Fixture, NULL, fixture_setup, test_request, fixture_teardown);
  g_test_add ("/parsec/certificate/request-rsa", Fixture, NULL, fixture_setup, test_request_rsa, fixture_teardown);
  g_test_add ("/parsec/certificate/self-signed", Fixture, NULL, fixture_setup, test_self_signed, fixture_teardown);
  g_test_add ("/parsec/certificate/self-signed-defaults", Fixture, NULL, fixture_setup, test_self_signed_defaults,
              fixture_teardown);
  g_test_add ("/parsec/certificate/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);

  return g_test_run ();
}
