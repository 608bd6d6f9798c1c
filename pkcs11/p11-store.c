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
 *   [data 3f2a…]                 a token data object (CKO_DATA)
 *   label=…
 *   application=…
 *   object-id=<hex>
 *   modifiable=true|false
 *   value=<base64>
 *
 * No key material goes there; a data object's value is whatever the
 * application that made it a token object chose to keep on disk. Each change rewrites the file atomically; the
 * last of two processes writing at once wins.
 *
 * The store is the user's own: its directory and file must belong to the
 * effective user and be writable by nobody else, the file must be a
 * regular file of at most STORE_MAX_SIZE bytes, and no symbolic link is
 * followed at the end of the path. A store that is not so is not used;
 * the messages that say why never quote its contents.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "p11-private.h"

#define STORE_MAX_SIZE (1024 * 1024)

static gboolean
check_private (const char   *path,
               struct stat  *st,
               GError      **error)
{
  if (st->st_uid != geteuid ())
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM, "%s belongs to another user: store not used", path);
      return FALSE;
    }
  if (st->st_mode & (S_IWGRP | S_IWOTH))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_PERM, "%s is writable by others: store not used", path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_errno_error (GError     **error,
                 int          saved,
                 const char  *what,
                 const char  *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s %s: %s", what, path,
               saved == ELOOP ? "a symbolic link, not followed" : g_strerror (saved));
  return FALSE;
}

/* The store's directory, opened and checked: -1 with @error set, or with
 * none where it does not exist. */
static int
open_store_dir (const char  *dir,
                GError     **error)
{
  struct stat st;
  int fd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    {
      if (errno != ENOENT)
        set_errno_error (error, errno, "cannot open the store directory", dir);
      return -1;
    }
  if (fstat (fd, &st) != 0 || !check_private (dir, &st, error))
    {
      if (error != NULL && *error == NULL)
        set_errno_error (error, errno, "cannot read the store directory", dir);
      close (fd);
      return -1;
    }
  return fd;
}

/* The store file's bytes, read from the checked directory: NULL with
 * @error set, or with none where there is no store yet. */
static char *
read_store (const char  *path,
            gsize       *len,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *data = NULL;
  struct stat st;
  int dir_fd, fd;
  gssize got;

  dir_fd = open_store_dir (dir, error);
  if (dir_fd < 0)
    return NULL;
  /* Non-blocking: a FIFO in its place must not hang the caller. */
  fd = openat (dir_fd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  close (dir_fd);
  if (fd < 0)
    {
      if (errno != ENOENT)
        set_errno_error (error, errno, "cannot open the store", path);
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      set_errno_error (error, errno, "cannot read the store", path);
      close (fd);
      return NULL;
    }
  if (!S_ISREG (st.st_mode) || st.st_size > STORE_MAX_SIZE || !check_private (path, &st, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                     "%s is not a regular file of at most %d bytes: store not used", path, STORE_MAX_SIZE);
      close (fd);
      return NULL;
    }
  /* One byte more than allowed tells a file that grew meanwhile. */
  data = g_malloc (STORE_MAX_SIZE + 1);
  *len = 0;
  while (*len <= STORE_MAX_SIZE && (got = read (fd, data + *len, STORE_MAX_SIZE + 1 - *len)) != 0)
    {
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0)
        {
          set_errno_error (error, errno, "cannot read the store", path);
          close (fd);
          return NULL;
        }
      *len += got;
    }
  close (fd);
  if (*len > STORE_MAX_SIZE)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is larger than %d bytes: store not used", path,
                   STORE_MAX_SIZE);
      return NULL;
    }
  return g_steal_pointer (&data);
}

GKeyFile *
p11_store_load (const char  *path,
                GError     **error)
{
  g_autoptr(GKeyFile) store = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;

  data = read_store (path, &len, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  /* GKeyFile's own messages quote the line they stumbled on: not here. */
  if (data != NULL && !g_key_file_load_from_data (store, data, len, G_KEY_FILE_NONE, NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not a key file: store not used", path);
      return NULL;
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
  g_autoptr(GError) dir_error = NULL;
  gsize len;
  int dir_fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot create %s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  /* Written only where it would be read. */
  dir_fd = open_store_dir (dir, &dir_error);
  if (dir_fd < 0)
    {
      if (dir_error == NULL)
        g_set_error (&dir_error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s is gone", dir);
      g_propagate_error (error, g_steal_pointer (&dir_error));
      return FALSE;
    }
  close (dir_fd);
  data = g_key_file_to_data (store, &len, NULL);
  /* What could not be read back is not written. */
  if (len > STORE_MAX_SIZE)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "%s would exceed %d bytes: not written", path,
                   STORE_MAX_SIZE);
      return FALSE;
    }
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
