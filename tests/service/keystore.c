/* keystore.c: keys on disk, one file per key in a directory per client
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * DIR/<client>/<key> where both parts are the hex encoding of the UTF-8
 * name, or "sha256-" and the hex SHA-256 of it when the hex form would not
 * fit in a file name. The file repeats both names, so listings never have
 * to reverse the encoding:
 *
 *   "PTSKEY01" then four fields, each a little-endian u32 length and that
 *   many bytes: client name, key name, KeyAttributes (protobuf) and the
 *   key material in PSA export format.
 *
 * Files are written atomically (temporary file and rename), mode 0600.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>
#include <mbedtls/platform_util.h>

#include "parsec-secure-private.h"
#include "test-service.h"

struct _KeyStore
{
  char *dir;
};

#define FILE_MAGIC      "PTSKEY01"
#define FILE_MAGIC_LEN  8
#define FILE_FIELDS     4
#define HEX_NAME_MAX    200

enum { FIELD_APP, FIELD_NAME, FIELD_ATTRIBUTES, FIELD_MATERIAL };

static char *
encode_name (const char *name)
{
  gsize len = strlen (name);
  GString *out;

  if (len * 2 > HEX_NAME_MAX)
    {
      g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, len);
      return g_strconcat ("sha256-", digest, NULL);
    }

  out = g_string_sized_new (len * 2 + 1);
  for (gsize i = 0; i < len; i++)
    g_string_append_printf (out, "%02x", (guint8) name[i]);
  /* The empty name still needs a file name. */
  if (len == 0)
    g_string_append (out, "-");
  return g_string_free (out, FALSE);
}

static char *
client_dir (KeyStore   *store,
            const char *app)
{
  g_autofree char *encoded = encode_name (app);

  return g_build_filename (store->dir, encoded, NULL);
}

static char *
key_path (KeyStore   *store,
          const char *app,
          const char *name)
{
  g_autofree char *dir = client_dir (store, app);
  g_autofree char *encoded = encode_name (name);

  return g_build_filename (dir, encoded, NULL);
}

KeyStore *
keystore_new (const char  *dir,
              GError     **error)
{
  KeyStore *store;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Cannot create the key directory %s: %s", dir, g_strerror (saved));
      return NULL;
    }

  store = g_new0 (KeyStore, 1);
  store->dir = g_strdup (dir);
  return store;
}

const char *
keystore_get_dir (KeyStore *store)
{
  return store->dir;
}

void
keystore_free (KeyStore *store)
{
  if (store == NULL)
    return;
  g_free (store->dir);
  g_free (store);
}

void
keystore_key_free (StoredKey *key)
{
  if (key == NULL)
    return;
  g_free (key->app);
  g_free (key->name);
  if (key->attributes != NULL)
    protobuf_c_message_free_unpacked (&key->attributes->base, &_parsec_secure_protobuf_allocator);
  secure_free (key->material);
  g_free (key);
}

static guint32
get_u32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static void
put_u32 (guint8  *p,
         guint32  v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

/* Splits the file into its fields, pointing into @data. */
static gboolean
parse_fields (const guint8  *data,
              gsize          len,
              const guint8 **fields,
              gsize         *lengths)
{
  gsize offset = FILE_MAGIC_LEN;

  if (len < FILE_MAGIC_LEN || memcmp (data, FILE_MAGIC, FILE_MAGIC_LEN) != 0)
    return FALSE;

  for (guint i = 0; i < FILE_FIELDS; i++)
    {
      guint32 field_len;

      if (len - offset < 4)
        return FALSE;
      field_len = get_u32 (data + offset);
      offset += 4;
      if (len - offset < field_len)
        return FALSE;
      fields[i] = data + offset;
      lengths[i] = field_len;
      offset += field_len;
    }
  return offset == len;
}

static StoredKey *
read_key_file (const char *path,
               gboolean    with_material,
               guint16    *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StoredKey) key = NULL;
  char *contents = NULL;
  gsize len = 0;
  const guint8 *fields[FILE_FIELDS];
  gsize lengths[FILE_FIELDS];

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      *status = g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                ? STATUS_PSA_DOES_NOT_EXIST : STATUS_PSA_STORAGE_FAILURE;
      if (*status != STATUS_PSA_DOES_NOT_EXIST)
        g_warning ("Cannot read key file %s: %s", path, error->message);
      return NULL;
    }

  key = g_new0 (StoredKey, 1);
  if (parse_fields ((const guint8 *) contents, len, fields, lengths))
    {
      key->app = g_strndup ((const char *) fields[FIELD_APP], lengths[FIELD_APP]);
      key->name = g_strndup ((const char *) fields[FIELD_NAME], lengths[FIELD_NAME]);
      key->attributes = (PsaKeyAttributes__KeyAttributes *)
        protobuf_c_message_unpack (&psa_key_attributes__key_attributes__descriptor,
                                   &_parsec_secure_protobuf_allocator,
                                   lengths[FIELD_ATTRIBUTES], fields[FIELD_ATTRIBUTES]);
      if (with_material)
        {
          key->material_len = lengths[FIELD_MATERIAL];
          key->material = secure_alloc (key->material_len);
          if (key->material_len > 0)
            memcpy (key->material, fields[FIELD_MATERIAL], key->material_len);
        }
    }

  mbedtls_platform_zeroize (contents, len);
  g_free (contents);

  if (key->attributes == NULL)
    {
      g_warning ("Key file %s is corrupt", path);
      *status = STATUS_PSA_STORAGE_FAILURE;
      return NULL;
    }

  *status = STATUS_SUCCESS;
  return g_steal_pointer (&key);
}

gboolean
keystore_exists (KeyStore   *store,
                 const char *app,
                 const char *name)
{
  g_autofree char *path = key_path (store, app, name);

  return g_file_test (path, G_FILE_TEST_EXISTS);
}

guint16
keystore_load (KeyStore    *store,
               const char  *app,
               const char  *name,
               StoredKey  **key)
{
  g_autofree char *path = key_path (store, app, name);
  guint16 status;

  *key = read_key_file (path, TRUE, &status);
  /* Two names can share a hashed file name only by a SHA-256 collision;
   * still, never hand out a key under a name it was not stored with. */
  if (*key != NULL && (g_strcmp0 ((*key)->app, app) != 0 || g_strcmp0 ((*key)->name, name) != 0))
    {
      g_clear_pointer (key, keystore_key_free);
      return STATUS_PSA_DOES_NOT_EXIST;
    }
  return status;
}

guint16
keystore_save (KeyStore                              *store,
               const char                            *app,
               const char                            *name,
               const PsaKeyAttributes__KeyAttributes *attributes,
               const guint8                          *material,
               gsize                                  material_len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = client_dir (store, app);
  g_autofree char *path = key_path (store, app, name);
  gsize attributes_len = protobuf_c_message_get_packed_size (&attributes->base);
  const gsize lengths[FILE_FIELDS] = { strlen (app), strlen (name), attributes_len, material_len };
  gsize total = FILE_MAGIC_LEN;
  guint8 *buffer, *p;
  gboolean ok;

  for (guint i = 0; i < FILE_FIELDS; i++)
    total += 4 + lengths[i];

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_warning ("Cannot create %s: %s", dir, g_strerror (errno));
      return STATUS_PSA_STORAGE_FAILURE;
    }

  buffer = secure_alloc (total);
  memcpy (buffer, FILE_MAGIC, FILE_MAGIC_LEN);
  p = buffer + FILE_MAGIC_LEN;
  for (guint i = 0; i < FILE_FIELDS; i++)
    {
      put_u32 (p, lengths[i]);
      p += 4;
      switch (i)
        {
        case FIELD_APP:
          memcpy (p, app, lengths[i]);
          break;
        case FIELD_NAME:
          memcpy (p, name, lengths[i]);
          break;
        case FIELD_ATTRIBUTES:
          protobuf_c_message_pack (&attributes->base, p);
          break;
        case FIELD_MATERIAL:
          if (material_len > 0)
            memcpy (p, material, material_len);
          break;
        default:
          g_assert_not_reached ();
        }
      p += lengths[i];
    }

  ok = g_file_set_contents_full (path, (const char *) buffer, total,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error);
  secure_free (buffer);
  if (!ok)
    {
      g_warning ("Cannot store key: %s", error->message);
      return STATUS_PSA_STORAGE_FAILURE;
    }
  return STATUS_SUCCESS;
}

guint16
keystore_remove (KeyStore   *store,
                 const char *app,
                 const char *name)
{
  g_autofree char *dir = client_dir (store, app);
  g_autofree char *path = key_path (store, app, name);

  if (g_unlink (path) != 0)
    {
      if (errno == ENOENT)
        return STATUS_PSA_DOES_NOT_EXIST;
      g_warning ("Cannot remove %s: %s", path, g_strerror (errno));
      return STATUS_PSA_STORAGE_FAILURE;
    }
  /* Fails while other keys remain, which is what we want. */
  (void) g_rmdir (dir);
  return STATUS_SUCCESS;
}

/* Key files only: skips the temporary files of an interrupted write,
 * whose names carry a dot-separated suffix. */
static gboolean
is_key_file_name (const char *name)
{
  return strchr (name, '.') == NULL;
}

static gint
compare_keys_by_name (gconstpointer a,
                      gconstpointer b)
{
  const StoredKey *ka = *(StoredKey * const *) a;
  const StoredKey *kb = *(StoredKey * const *) b;

  return strcmp (ka->name, kb->name);
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

GPtrArray *
keystore_list_keys (KeyStore   *store,
                    const char *app)
{
  g_autofree char *dir_path = client_dir (store, app);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify) keystore_key_free);
  const char *entry;

  if (dir == NULL)
    return keys;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      StoredKey *key;
      guint16 status;

      if (!is_key_file_name (entry))
        continue;
      path = g_build_filename (dir_path, entry, NULL);
      key = read_key_file (path, FALSE, &status);
      if (key != NULL)
        g_ptr_array_add (keys, key);
    }
  g_ptr_array_sort (keys, compare_keys_by_name);
  return keys;
}

char **
keystore_list_clients (KeyStore *store)
{
  g_autoptr(GDir) top = g_dir_open (store->dir, 0, NULL);
  g_autoptr(GPtrArray) clients = g_ptr_array_new_with_free_func (g_free);
  const char *entry;

  if (top != NULL)
    {
      while ((entry = g_dir_read_name (top)) != NULL)
        {
          g_autofree char *dir_path = g_build_filename (store->dir, entry, NULL);
          g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
          const char *file;

          if (dir == NULL)
            continue;
          /* A client exists while it has a key; any key names it. */
          while ((file = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = NULL;
              g_autoptr(StoredKey) key = NULL;
              guint16 status;

              if (!is_key_file_name (file))
                continue;
              path = g_build_filename (dir_path, file, NULL);
              key = read_key_file (path, FALSE, &status);
              if (key != NULL)
                {
                  g_ptr_array_add (clients, g_steal_pointer (&key->app));
                  break;
                }
            }
        }
    }

  g_ptr_array_sort (clients, compare_strings);
  g_ptr_array_add (clients, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&clients), FALSE);
}

guint16
keystore_delete_client (KeyStore   *store,
                        const char *app)
{
  g_autoptr(GPtrArray) keys = keystore_list_keys (store, app);
  guint16 status = STATUS_SUCCESS;

  for (guint i = 0; i < keys->len; i++)
    {
      StoredKey *key = g_ptr_array_index (keys, i);
      guint16 removed = keystore_remove (store, app, key->name);

      if (removed != STATUS_SUCCESS && removed != STATUS_PSA_DOES_NOT_EXIST)
        status = removed;
    }
  return status;
}
