/* parsec-endpoint.c: from a `unix:` URI to a socket path
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <limits.h>
#include <pwd.h>
#include <unistd.h>

#include "parsec-endpoint-private.h"
#include "parsec-glib.h"
#include "parsec-i18n-private.h"

/* Returns the absolute socket path of a `unix:/path` or `unix:///path`
 * endpoint, percent-decoded. Anything the service could not be listening
 * on is refused here rather than at connect time, with a message that
 * says how to write the endpoint. */
char *
_parsec_endpoint_parse (const char  *endpoint,
                        GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  const char *host;

  if (endpoint == NULL || *endpoint == '\0')
    {
      g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                           _("The Parsec endpoint is empty; use a URI such as unix:/run/parsec/parsec.sock"));
      return NULL;
    }

  if (endpoint[0] == '/')
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   _("The Parsec endpoint \"%s\" is a bare path; write it as a URI: unix:%s"),
                   endpoint, endpoint);
      return NULL;
    }

  uri = g_uri_parse (endpoint, G_URI_FLAGS_ENCODED_PATH, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   _("The Parsec endpoint \"%s\" is not a valid URI: %s"),
                   endpoint, local_error->message);
      return NULL;
    }

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "unix") != 0)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   _("The Parsec endpoint \"%s\" uses the scheme \"%s\"; the service only listens on Unix sockets (unix:/path/to/socket)"),
                   endpoint, g_uri_get_scheme (uri));
      return NULL;
    }

  host = g_uri_get_host (uri);
  if ((host != NULL && *host != '\0') || g_uri_get_port (uri) != -1 ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   _("The Parsec endpoint \"%s\" names a host; a Unix socket is local: write unix:/path or unix:///path"),
                   endpoint);
      return NULL;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   _("The Parsec endpoint \"%s\" has a query or fragment, which a socket path cannot have"),
                   endpoint);
      return NULL;
    }

  path = g_uri_unescape_string (g_uri_get_path (uri), NULL);
  if (path == NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   _("The Parsec endpoint \"%s\" has an invalid percent-encoding in its path"),
                   endpoint);
      return NULL;
    }

  if (path[0] != '/')
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   _("The Parsec endpoint \"%s\" has a relative path; the socket path must be absolute (unix:/path)"),
                   endpoint);
      return NULL;
    }

  if (strlen (path) >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   _("The Parsec endpoint's socket path is %zu bytes long; Unix sockets allow at most %zu"),
                   strlen (path), sizeof (((struct sockaddr_un *) NULL)->sun_path) - 1);
      return NULL;
    }

  return g_steal_pointer (&path);
}

static gboolean
uid_trusted (const ParsecTrust *trust,
             guint32            uid)
{
  for (gsize i = 0; i < trust->n_trusted_uids; i++)
    if (trust->trusted_uids[i] == uid)
      return TRUE;
  return FALSE;
}

static gboolean
untrusted (GError     **error,
           const char  *format,
           ...) G_GNUC_PRINTF (2, 3);

static gboolean
untrusted (GError     **error,
           const char  *format,
           ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_UNTRUSTED_ENDPOINT,
               _("The Parsec endpoint is not trusted: %s"), message);
  return FALSE;
}

/* A directory the walk goes through: owned by a trusted user and writable
 * by nobody else, so that what it holds stays put. */
static gboolean
check_directory (const char         *dir,
                 const struct stat  *st,
                 const ParsecTrust  *trust,
                 GError            **error)
{
  if (!uid_trusted (trust, st->st_uid))
    return untrusted (error, _("the directory %s belongs to uid %u, which is not a trusted user"),
                      dir, (guint) st->st_uid);
  if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
    return untrusted (error, _("the directory %s is writable by %s"), dir,
                      (st->st_mode & S_IWOTH) ? _("everyone") : _("its group"));
  return TRUE;
}

/* Symbolic links followed on the way, as the kernel allows. */
#define MAX_LINKS 40

/* Puts the names of @path in front of those the walk has left. */
static void
push_names (GQueue     *names,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);

  for (guint i = g_strv_length (parts); i > 0; i--)
    if (parts[i - 1][0] != '\0' && !g_str_equal (parts[i - 1], "."))
      g_queue_push_head (names, g_strdup (parts[i - 1]));
}

static gboolean
walk_path (GQueue             *names,
           const char         *path,
           const ParsecTrust  *trust,
           GError            **error)
{
  g_autoptr(GString) done = g_string_new ("/");
  guint links = 0;
  char *next;
  struct stat st;

  if (lstat ("/", &st) != 0)
    return untrusted (error, _("the directory / cannot be checked"));
  if (!check_directory ("/", &st, trust, error))
    return FALSE;

  while ((next = g_queue_pop_head (names)) != NULL)
    {
      g_autofree char *name = next;
      g_autofree char *current = NULL;
      gboolean last = g_queue_is_empty (names);

      if (g_str_equal (name, ".."))
        {
          g_autofree char *up = g_path_get_dirname (done->str);

          g_string_assign (done, up);
          continue;
        }
      current = g_build_filename (done->str, name, NULL);

      if (lstat (current, &st) != 0)
        {
          if (last)
            return TRUE;  /* connecting reports a missing socket better */
          return untrusted (error, _("%s cannot be checked"), current);
        }

      if (S_ISLNK (st.st_mode))
        {
          char target[PATH_MAX];
          gssize len;

          if (!uid_trusted (trust, st.st_uid))
            return untrusted (error, _("the symbolic link %s belongs to uid %u, which is not a trusted user"),
                              current, (guint) st.st_uid);
          if (++links > MAX_LINKS)
            return untrusted (error, _("%s leads through too many symbolic links"), path);
          len = readlink (current, target, sizeof target - 1);
          if (len < 0)
            return untrusted (error, _("the symbolic link %s cannot be read"), current);
          target[len] = '\0';

          /* Go on from the link's target, then the names after it. */
          if (target[0] == '/')
            g_string_assign (done, "/");
          push_names (names, target);
          continue;
        }

      if (last)
        {
          if (!S_ISSOCK (st.st_mode))
            return untrusted (error, _("%s is not a socket"), current);
          if (!uid_trusted (trust, st.st_uid))
            return untrusted (error, _("the socket %s belongs to uid %u, which is not a trusted user"),
                              current, (guint) st.st_uid);
          return TRUE;
        }
      if (!S_ISDIR (st.st_mode))
        return untrusted (error, _("%s is not a directory"), current);
      if (!check_directory (current, &st, trust, error))
        return FALSE;
      g_string_assign (done, current);
    }
  return untrusted (error, _("%s names no socket"), path);
}

/* An attacker who can write to any directory on the way to the socket
 * can put a socket of their own there, and so can one who owns it or a
 * symbolic link on the way. The path is walked from the root one name at
 * a time, without following links by itself: each directory is checked,
 * each link is checked and then followed, and the socket checked is the
 * one a connection reaches. A socket that is not there yet passes when
 * everything above it does: only a trusted user could create it. */
gboolean
_parsec_endpoint_check_path (const char         *path,
                             const ParsecTrust  *trust,
                             GError            **error)
{
  GQueue names = G_QUEUE_INIT;
  gboolean trusted;

  push_names (&names, path);
  trusted = walk_path (&names, path, trust, error);
  g_queue_clear_full (&names, g_free);
  return trusted;
}

/* The user of the process at the other end of the connected socket @fd. */
static gboolean
peer_uid (int      fd,
          uid_t   *uid,
          GError **error)
{
#if defined(SO_PEERCRED)
  struct ucred credentials;
  socklen_t len = sizeof credentials;

  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &credentials, &len) < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Unable to read socket credentials: %s"), g_strerror (errsv));
      return FALSE;
    }
  *uid = credentials.uid;
  return TRUE;
#else
  /* GSocket takes the descriptor it wraps: give it a copy. */
  int copy = dup (fd);
  g_autoptr(GSocket) socket = copy >= 0 ? g_socket_new_from_fd (copy, error) : NULL;
  g_autoptr(GCredentials) credentials = NULL;

  if (copy < 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s", g_strerror (errsv));
      return FALSE;
    }
  if (socket == NULL)
    {
      close (copy);
      return FALSE;
    }
  credentials = g_socket_get_credentials (socket, error);
  if (credentials == NULL)
    return FALSE;
  *uid = g_credentials_get_unix_user (credentials, error);
  return *uid != (uid_t) -1;
#endif
}

gboolean
_parsec_endpoint_check_peer (int                 fd,
                             const char         *path,
                             const ParsecTrust  *trust,
                             GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  uid_t uid;

  if (!peer_uid (fd, &uid, &local_error))
    return untrusted (error, _("the user of the process at %s is unknown: %s"), path, local_error->message);
  if (!uid_trusted (trust, uid))
    return untrusted (error, _("the process at %s runs as uid %u, which is not a trusted user (ParsecClient:trusted-users)"),
                      path, (guint) uid);
  return TRUE;
}

/* Bounds the buffer of getpwnam_r(): a passwd entry larger than this is
 * not a user the service runs as. */
#define PASSWD_BUFFER_MAX (1024 * 1024)

/* The uid of a user name. getpwnam_r() rather than getpwnam(): clients on
 * other threads may resolve their users at the same time. */
static gboolean
lookup_user (const char *name,
             guint32    *uid)
{
  long suggested = sysconf (_SC_GETPW_R_SIZE_MAX);
  gsize size = suggested > 0 && suggested < PASSWD_BUFFER_MAX ? (gsize) suggested : 1024;

  for (;;)
    {
      g_autofree char *buffer = g_malloc (size);
      struct passwd pw, *found = NULL;
      int status = getpwnam_r (name, &pw, buffer, size, &found);

      if (status == ERANGE && size < PASSWD_BUFFER_MAX)
        {
          size *= 2;
          continue;
        }
      if (status != 0 || found == NULL)
        return FALSE;
      *uid = pw.pw_uid;
      return TRUE;
    }
}

GArray *
_parsec_endpoint_resolve_users (const char * const  *users,
                                GError             **error)
{
  static const char * const defaults[] = { "root", "parsec", NULL };
  GArray *uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  gboolean optional = users == NULL;

  for (const char * const *user = users ? users : defaults; *user != NULL; user++)
    {
      guint64 number;
      guint32 uid;

      if (g_ascii_string_to_unsigned (*user, 10, 0, G_MAXUINT32 - 1, &number, NULL))
        uid = (guint32) number;
      else if (!lookup_user (*user, &uid))
        {
          if (g_str_equal (*user, "root"))
            uid = 0;
          else if (optional)
            continue;
          else
            {
              g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                           _("The trusted user \"%s\" does not exist"), *user);
              g_array_unref (uids);
              return NULL;
            }
        }
      g_array_append_val (uids, uid);
    }
  return uids;
}
