/* parsec-dbus-identity.c: who a D-Bus caller is, from the kernel's word
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parsec-dbus-identity.h"
#include "secure-mem.h"

/* .flatpak-info is a few hundred bytes; anything this large is not one. */
#define MAX_FLATPAK_INFO_SIZE (64 * 1024)

/* How every file is opened that a caller may have put in place (its
 * sandbox's root is its own to arrange, in a user namespace): a FIFO or
 * a device must not block the open or the reads, and a link must not
 * lead elsewhere. The file type is checked on the descriptor before the
 * first read. */
#define CALLER_FILE_FLAGS (O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)

static gboolean
identity_error (GError    **error,
                int         errsv,
                const char *format,
                ...) G_GNUC_PRINTF (3, 4);

/* Refuses the caller for good (AccessDenied), unless @errsv says that the
 * exporter ran short of descriptors or memory: that passes, and the
 * caller may try again (LimitsExceeded). */
static gboolean
identity_error (GError    **error,
                int         errsv,
                const char *format,
                ...)
{
  gboolean transient = errsv == EMFILE || errsv == ENFILE || errsv == ENOMEM ||
                       errsv == ENOBUFS || errsv == EAGAIN || errsv == EINTR;
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (transient)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                 "%s; the Parsec D-Bus service is short of resources, try again", message);
  else
    g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, message);
  return FALSE;
}

#define access_denied(error, ...) identity_error ((error), 0, __VA_ARGS__)

/* The [Application] name= of Flatpak's metadata, which Flatpak writes
 * with GKeyFile. Read here without GKeyFile, whose copies could not be
 * wiped, and strictly: whatever GKeyFile might read another way (a key
 * outside a group, a line that is neither, a malformed group, a repeated
 * name, spaces around the '=') gives no name. Escapes and other oddities
 * are left to the caller's D-Bus name check. In wiping memory. */
static char *
keyfile_application_name (const char *contents,
                          gsize       len)
{
  const char *line = contents, *end = contents + len;
  const char *found = NULL;
  gsize found_len = 0;
  gboolean in_group = FALSE, in_application = FALSE;
  char *name;

  if (memchr (contents, '\0', len) != NULL || !g_utf8_validate (contents, (gssize) len, NULL))
    return NULL;

  while (line < end)
    {
      const char *eol = memchr (line, '\n', (gsize) (end - line));
      const char *next = eol != NULL ? eol + 1 : end;
      const char *stop = eol != NULL ? eol : end;

      if (stop > line && stop[-1] == '\r')
        stop--;
      while (line < stop && g_ascii_isspace (*line))
        line++;

      if (line == stop || *line == '#')
        ;
      else if (*line == '[')
        {
          if (stop - line < 3 || stop[-1] != ']')
            return NULL;
          for (const char *c = line + 1; c < stop - 1; c++)
            if (*c == '[' || *c == ']' || g_ascii_iscntrl (*c))
              return NULL;
          in_group = TRUE;
          in_application = stop - line - 2 == (gssize) strlen ("Application") &&
                           memcmp (line + 1, "Application", strlen ("Application")) == 0;
        }
      else
        {
          const char *eq = memchr (line, '=', (gsize) (stop - line));
          const char *key_end = eq;

          if (eq == NULL || !in_group)
            return NULL;
          while (key_end > line && g_ascii_isspace (key_end[-1]))
            key_end--;
          if (key_end == line)
            return NULL;
          if (in_application && key_end - line == 4 && memcmp (line, "name", 4) == 0)
            {
              if (found != NULL || key_end != eq || (eq + 1 < stop && g_ascii_isspace (eq[1])))
                return NULL;
              found = eq + 1;
              found_len = (gsize) (stop - found);
            }
        }
      line = next;
    }

  if (found == NULL)
    return NULL;
  name = secure_alloc (found_len + 1);
  memcpy (name, found, found_len);
  name[found_len] = '\0';
  return name;
}

/* The [Application] name of a Flatpak sandbox's metadata, which the
 * sandboxed app cannot write (bubblewrap mounts it read-only). In wiping
 * memory. */
static char *
flatpak_app_id (int          fd,
                guint32      pid,
                GError     **error)
{
  char *contents = NULL, *app_id = NULL;
  gsize len = 0;
  struct stat st;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      access_denied (error, "The sandbox metadata of process %u is not a regular file", pid);
      return NULL;
    }
  contents = secure_alloc (MAX_FLATPAK_INFO_SIZE + 1);
  while (len < MAX_FLATPAK_INFO_SIZE + 1)
    {
      gssize n = read (fd, contents + len, MAX_FLATPAK_INFO_SIZE + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          identity_error (error, errno, "Cannot read the sandbox metadata of process %u: %s", pid, g_strerror (errno));
          goto out;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  if (len > MAX_FLATPAK_INFO_SIZE)
    {
      access_denied (error, "The sandbox metadata of process %u is too large", pid);
      goto out;
    }

  app_id = keyfile_application_name (contents, len);
  if (app_id == NULL)
    {
      access_denied (error, "Process %u runs in a sandbox without an application id", pid);
      goto out;
    }
  /* Flatpak app ids are D-Bus well-known names; anything else did not
   * come from Flatpak, and could smuggle separators into the name. */
  if (!g_dbus_is_name (app_id) || g_dbus_is_unique_name (app_id))
    {
      access_denied (error, "Process %u runs in a sandbox with an invalid application id", pid);
      g_clear_pointer (&app_id, secure_free);
    }

out:
  secure_free (contents);
  return app_id;
}

/* Field 22 of /proc/PID/stat, when the process started (in clock ticks
 * since boot): it tells a process from a later one with the same id. */
static gboolean
read_start_time (int       pid_fd,
                 guint32   pid,
                 guint64  *start_time,
                 GError  **error)
{
  char buf[1024];
  const char *field;
  char *end = NULL;
  gboolean parsed;
  struct stat st;
  gssize n;
  int fd, saved_errno;

  fd = openat (pid_fd, "stat", CALLER_FILE_FLAGS);
  if (fd < 0)
    return identity_error (error, errno, "Cannot read the status of process %u: %s", pid, g_strerror (errno));
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return access_denied (error, "The status of process %u is not a regular file", pid);
    }
  do
    n = read (fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  saved_errno = errno;
  close (fd);
  if (n <= 0)
    return identity_error (error, n < 0 ? saved_errno : 0, "Cannot read the status of process %u: %s", pid,
                           n < 0 ? g_strerror (saved_errno) : "empty");
  buf[n] = '\0';

  /* The command name in parentheses may hold spaces and parentheses
   * itself; field 3 follows the last ')'. */
  field = strrchr (buf, ')');
  for (guint i = 3; field != NULL && i <= 22; i++)
    {
      field = strchr (field, ' ');
      if (field != NULL)
        field++;
    }
  if (field != NULL && g_ascii_isdigit (*field))
    *start_time = g_ascii_strtoull (field, &end, 10);
  parsed = end != NULL && (*end == ' ' || *end == '\n' || *end == '\0');
  secure_wipe (buf, sizeof buf);
  if (!parsed)
    return access_denied (error, "The status of process %u does not say when it started", pid);
  return TRUE;
}

/* Whether @pidfd, the bus's pidfd of the caller, still stands for a live
 * process with the id @pid: then what was read through /proc/PID before
 * was about that process, not one that got the id after it. */
static gboolean
check_pidfd (int       pidfd,
             guint32   pid,
             GError  **error)
{
  struct pollfd poll_fd = { .fd = pidfd, .events = POLLIN };
  char path[64], buf[1024];
  const char *line;
  gssize n = -1;
  int fd, ready;

  g_snprintf (path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  fd = open (path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return identity_error (error, errno, "Cannot look at the process descriptor of process %u: %s",
                           pid, g_strerror (errno));
  do
    n = read (fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  close (fd);
  buf[MAX (n, 0)] = '\0';
  /* Linux lists the process's id there since 5.2 (-1 once it has exited,
   * in recent versions); without the line, poll() below still tells. */
  line = strstr (buf, "\nPid:");
  if (line != NULL)
    {
      gint64 fd_pid = g_ascii_strtoll (line + strlen ("\nPid:"), NULL, 10);

      if (fd_pid <= 0)
        return access_denied (error, "Process %u has exited", pid);
      if (fd_pid != pid)
        return access_denied (error, "The message bus gives process %u and a descriptor of process %" G_GINT64_FORMAT,
                              pid, fd_pid);
    }

  /* A pidfd turns readable when its process exits. */
  do
    ready = poll (&poll_fd, 1, 0);
  while (ready < 0 && errno == EINTR);
  if (ready < 0)
    return identity_error (error, errno, "Cannot tell whether process %u still runs: %s", pid, g_strerror (errno));
  if (ready > 0)
    return access_denied (error, "Process %u has exited", pid);
  return TRUE;
}

char *
_parsec_dbus_identity_resolve (const char  *proc_root,
                               guint32      own_uid,
                               guint32      uid,
                               guint32      pid,
                               int          pidfd,
                               guint64     *start_time,
                               GError     **error)
{
  g_autofree char *pid_path = NULL;
  char exe[4096];
  char *name = NULL, *app_id = NULL;
  int pid_fd = -1, root_fd, info_fd;
  guint64 started = 0;
  gssize exe_len;
  int saved_errno;

  if (uid != own_uid)
    {
      access_denied (error, "The Parsec D-Bus service serves only its own user (%u), not user %u", own_uid, uid);
      return NULL;
    }
  if (pid == 0)
    {
      access_denied (error, "The message bus does not know the caller's process");
      return NULL;
    }

  /* Everything is looked up through one directory descriptor, so that
   * all of it describes the same process even if the id is reused
   * meanwhile (the lookups then fail instead). */
  pid_path = g_strdup_printf ("%s/%u", proc_root, pid);
  pid_fd = open (pid_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (pid_fd < 0)
    {
      identity_error (error, errno, "Cannot look at process %u: %s", pid, g_strerror (errno));
      return NULL;
    }
  if (!read_start_time (pid_fd, pid, &started, error))
    goto out;

  root_fd = openat (pid_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      identity_error (error, errno, "Cannot see the root directory of process %u: %s", pid, g_strerror (errno));
      goto out;
    }
  info_fd = openat (root_fd, ".flatpak-info", CALLER_FILE_FLAGS);
  saved_errno = errno;
  close (root_fd);

  if (info_fd >= 0)
    {
      app_id = flatpak_app_id (info_fd, pid, error);
      close (info_fd);
      if (app_id == NULL)
        goto out;
      name = secure_strdup_printf ("dbus:uid=%u:flatpak=%s", uid, app_id);
      secure_free (app_id);
    }
  else if (saved_errno != ENOENT)
    {
      /* Unknown is not unsandboxed: refuse rather than guess. */
      identity_error (error, saved_errno, "Cannot tell whether process %u is sandboxed: %s", pid,
                      g_strerror (saved_errno));
      goto out;
    }
  else
    {
      exe_len = readlinkat (pid_fd, "exe", exe, sizeof exe - 1);
      saved_errno = errno;
      if (exe_len <= 0)
        {
          identity_error (error, exe_len < 0 ? saved_errno : 0, "Cannot find the executable of process %u: %s", pid,
                          exe_len < 0 ? g_strerror (saved_errno) : "empty");
          goto out;
        }
      exe[exe_len] = '\0';
      /* A program that was updated while it runs keeps its keys. */
      if (g_str_has_suffix (exe, " (deleted)"))
        exe[exe_len - strlen (" (deleted)")] = '\0';
      if (exe[0] != '/')
        {
          access_denied (error, "The executable of process %u has no path", pid);
          goto out;
        }
      name = secure_strdup_printf ("dbus:uid=%u:exe=%s", uid, exe);
    }

  if (pidfd >= 0 && !check_pidfd (pidfd, pid, error))
    g_clear_pointer (&name, secure_free);
  else if (start_time != NULL)
    *start_time = started;

out:
  secure_wipe (exe, sizeof exe);
  close (pid_fd);
  return name;
}
