/* SPDX-License-Identifier: Apache-2.0
 *
 * sign-file.c: sign a file with a key held by the Parsec service, then
 * verify the signature.
 *
 * Usage: sign-file KEY-NAME FILE
 * Build: cc sign-file.c $(pkg-config --cflags --libs parsec-glib-1)
 */
#include <parsec-glib/parsec-glib.h>

int
main (int argc, char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(ParsecKeyAttributes) attributes = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autofree char *encoded = NULL;
  const char *key_name;

  if (argc != 3)
    {
      g_printerr ("usage: %s KEY-NAME FILE\n", argv[0]);
      return 2;
    }
  key_name = argv[1];

  /* The service keeps each application's keys apart by this name. */
  client = parsec_client_new_sync ("org.example.SignFile", NULL, &error);
  if (client == NULL)
    goto out;

  /* An ECDSA P-256 key for SHA-256; the key of an earlier run is reused. */
  attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  key = parsec_client_generate_key (client, key_name, attributes, NULL, &error);
  if (key == NULL)
    {
      if (!g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_ALREADY_EXISTS))
        goto out;
      g_clear_error (&error);
      key = parsec_client_lookup_key (client, key_name, NULL, &error);
      if (key == NULL)
        goto out;
    }

  /* The key's policy gives the algorithm; only the SHA-256 digest of the
   * file travels to the service, in one request. */
  file = g_mapped_file_new (argv[2], FALSE, &error);
  if (file == NULL)
    goto out;
  data = g_mapped_file_get_bytes (file);

  signature = parsec_key_sign_data (key, data, NULL, &error);
  if (signature == NULL)
    goto out;
  encoded = g_base64_encode (g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
  g_print ("%s\n", encoded);

  /* A signature that does not match fails with PARSEC_ERROR_PSA_INVALID_SIGNATURE. */
  if (!parsec_key_verify_data (key, data, signature, NULL, &error))
    goto out;
  g_print ("verified\n");

out:
  if (error != NULL)
    {
      g_printerr ("sign-file: %s\n", error->message);
      return 1;
    }
  return 0;
}
