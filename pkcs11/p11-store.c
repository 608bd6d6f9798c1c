/* p11-store.c: the per-user file beside a token
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The Parsec service keeps keys only. What PKCS #11 users expect on the
 * same token besides, certificates and the CKA_ID they chose for a key,
 * is kept in a key file of the user's, one per token (named after its
 * serial number):
 *
 *   [certificate 3f2a…]          a certificate; the group name is random
 *   label=…
 *   id=<hex>
 *   value=<base64 DER>
 *
 *   [key <hex of the key name>]  what a key has beyond the service's data
 *   id=<hex>
 *
 * Nothing secret goes there. Each change rewrites the file atomically; the
 * last of two processes writing at once wins.
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "p11-private.h"

GKeyFile *
p11_store_load (const char  *path,
                GError     **error)
{
  g_autoptr(GKeyFile) store = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (store, path, G_KEY_FILE_NONE, &local_error))
    {
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
          return NULL;
        }
    }
  return g_steal_pointer (&store);
}

gboolean
p11_store_save (const char  *path,
                GKeyFile    *store,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *data = NULL;
  gsize len;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot create %s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  data = g_key_file_to_data (store, &len, NULL);
  return g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

GBytes *
p11_store_get_bytes (GKeyFile   *store,
                     const char *group,
                     const char *key)
{
  g_autofree char *text = g_key_file_get_string (store, group, key, NULL);
  gsize len;
  guchar *data;

  if (text == NULL)
    return NULL;
  if (g_str_equal (key, "value"))
    {
      data = g_base64_decode (text, &len);
      return g_bytes_new_take (data, len);
    }
  /* Hex */
  len = strlen (text);
  if (len % 2 != 0)
    return NULL;
  data = g_malloc (len / 2 + 1);
  for (gsize i = 0; i < len / 2; i++)
    {
      int hi = g_ascii_xdigit_value (text[2 * i]), lo = g_ascii_xdigit_value (text[2 * i + 1]);

      if (hi < 0 || lo < 0)
        {
          g_free (data);
          return NULL;
        }
      data[i] = (guchar) (hi << 4 | lo);
    }
  return g_bytes_new_take (data, len / 2);
}

char *
p11_hex_encode (const guint8 *data,
                gsize         len)
{
  GString *hex = g_string_sized_new (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_string_append_printf (hex, "%02x", data[i]);
  return g_string_free (hex, FALSE);
}

void
p11_store_set_bytes (GKeyFile   *store,
                     const char *group,
                     const char *key,
                     GBytes     *value)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (value, &len);
  g_autofree char *text = NULL;

  if (g_str_equal (key, "value"))
    text = g_base64_encode (data, len);
  else
    text = p11_hex_encode (data, len);
  g_key_file_set_string (store, group, key, text);
}

char *
p11_store_key_group (const char *key_name)
{
  g_autofree char *hex = p11_hex_encode ((const guint8 *) key_name, strlen (key_name));

  return g_strconcat ("key ", hex, NULL);
}
