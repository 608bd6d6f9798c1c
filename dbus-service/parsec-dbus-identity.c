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
/* /proc/PID/cgroup and /proc/PID/cmdline: larger ones are refused. */
#define MAX_CALLER_LIST_SIZE  (64 * 1024)

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

/* Reads the file @name under @dir_fd, which the caller may have put in
 * place, into wiping memory: opened without blocking or following links,
 * a regular file (checked on the descriptor before the first read) of at
 * most @max bytes. *@contents gets a NUL after the @len bytes. @what
 * names it in errors. An absent file gives FALSE with errno ENOENT and no
 * error when @absent_ok. */
static gboolean
read_caller_file (int          dir_fd,
                  const char  *name,
                  gsize        max,
                  gboolean     absent_ok,
                  guint32      pid,
                  const char  *what,
                  char       **contents,
                  gsize       *len,
                  GError     **error)
{
  struct stat st;
  int fd, saved_errno;

  *contents = NULL;
  *len = 0;
  fd = openat (dir_fd, name, CALLER_FILE_FLAGS);
  if (fd < 0)
    {
      saved_errno = errno;
      if (!(absent_ok && saved_errno == ENOENT))
        identity_error (error, saved_errno, "Cannot read the %s of process %u: %s", what, pid,
                        g_strerror (saved_errno));
      errno = saved_errno;
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      errno = 0;
      return access_denied (error, "The %s of process %u is not a regular file", what, pid);
    }
  *contents = secure_alloc (max + 1);
  while (*len < max + 1)
    {
      gssize n = read (fd, *contents + *len, max + 1 - *len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved_errno = errno;
          close (fd);
          g_clear_pointer (contents, secure_free);
          errno = 0;
          return identity_error (error, saved_errno, "Cannot read the %s of process %u: %s", what, pid,
                                 g_strerror (saved_errno));
        }
      if (n == 0)
        break;
      *len += (gsize) n;
    }
  close (fd);
  if (*len > max)
    {
      g_clear_pointer (contents, secure_free);
      errno = 0;
      return access_denied (error, "The %s of process %u is too large", what, pid);
    }
  (*contents)[*len] = '\0';
  return TRUE;
}

/* The [Application] name of a Flatpak sandbox's metadata, which the
 * sandboxed app cannot write (bubblewrap mounts it read-only). In wiping
 * memory. */
static char *
flatpak_app_id (const char  *contents,
                gsize        len,
                guint32      pid,
                GError     **error)
{
  char *app_id = keyfile_application_name (contents, len);

  if (app_id == NULL)
    {
      access_denied (error, "Process %u runs in a sandbox without an application id", pid);
      return NULL;
    }
  /* Flatpak app ids are D-Bus well-known names; anything else did not
   * come from Flatpak, and could smuggle separators into the name. */
  if (!g_dbus_is_name (app_id) || g_dbus_is_unique_name (app_id))
    {
      access_denied (error, "Process %u runs in a sandbox with an invalid application id", pid);
      g_clear_pointer (&app_id, secure_free);
    }
  return app_id;
}

/* The application id of a host application, from the name of its
 * systemd unit in /proc/PID/cgroup (cgroup v2), as desktops start them
 * and xdg-desktop-portal reads them: app[-<launcher>]-<app id>-<random>.scope
 * or app[-<launcher>]-<app id>[@<random>].service, with '-' in the id
 * escaped as \x2d. NULL (and no error) when the process is in no such
 * unit or the id is not a valid application id. In wiping memory. */
static char *
host_app_id (const char *cgroup)
{
  const char *line = cgroup, *unit, *end;
  g_autofree char *name = NULL;
  g_auto(GStrv) parts = NULL;
  GString *app_id;
  guint n;

  /* The unified hierarchy's line: "0::/path". */
  while (line != NULL && !g_str_has_prefix (line, "0::/"))
    {
      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }
  if (line == NULL)
    return NULL;
  end = strchr (line, '\n');
  if (end == NULL)
    end = line + strlen (line);
  unit = g_strrstr_len (line, end - line, "/") + 1;
  name = g_strndup (unit, (gsize) (end - unit));

  if (!g_str_has_prefix (name, "app-"))
    return NULL;
  if (g_str_has_suffix (name, ".scope"))
    {
      /* The random part is the last field. */
      name[strlen (name) - strlen (".scope")] = '\0';
      if (strrchr (name, '-') == name + 3)
        return NULL;
      *strrchr (name, '-') = '\0';
    }
  else if (g_str_has_suffix (name, ".service"))
    {
      name[strlen (name) - strlen (".service")] = '\0';
      if (strchr (name, '@') != NULL)
        *strchr (name, '@') = '\0';
    }
  else
    return NULL;

  parts = g_strsplit (name + strlen ("app-"), "-", -1);
  n = g_strv_length (parts);
  if (n < 1 || n > 2)
    return NULL;
  app_id = g_string_new (parts[n - 1]);
  g_string_replace (app_id, "\\x2d", "-", 0);
  if (!g_application_id_is_valid (app_id->str))
    {
      g_string_free (app_id, TRUE);
      return NULL;
    }
  return g_string_free (app_id, FALSE);
}

/* Interpreters whose executable names every script they run, by the
 * start of the executable's base name. */
static const char * const interpreters[] = {
  "gjs", "python", "perl", "ruby", "node", "lua", "tclsh", "wish", "php",
};

static gboolean
is_interpreter (const char *exe)
{
  const char *base = strrchr (exe, '/') + 1;

  for (gsize i = 0; i < G_N_ELEMENTS (interpreters); i++)
    if (g_str_has_prefix (base, interpreters[i]))
      return TRUE;
  return FALSE;
}

/* The script an interpreter runs: the first argument of @cmdline (@len
 * bytes of NUL-terminated arguments) after the interpreter's options, made
 * absolute against @cwd; NULL when there is none (-c, standard input, or
 * -m for a module by name unless @module_is_file, as with gjs). Options
 * that take a value are not known, so "python -W error x.py" names
 * "error": a name, not a proof (see docs/dbus.md). */
static char *
interpreter_script (const char *cmdline,
                    gsize       len,
                    const char *cwd,
                    gboolean    module_is_file)
{
  const char *arg = cmdline, *end = cmdline + len;
  gboolean first = TRUE;

  for (; arg < end; arg += strlen (arg) + 1, first = FALSE)
    {
      if (first)
        continue;   /* the interpreter itself */
      /* gjs -m FILE runs FILE as a module; python -m NAME a module by
       * name, which is no file. */
      if (g_str_equal (arg, "-m") && !module_is_file)
        return NULL;
      if (g_str_equal (arg, "-c") || g_str_equal (arg, "-e") || g_str_equal (arg, "-") || g_str_equal (arg, "--"))
        return NULL;
      if (arg[0] == '-')
        continue;
      if (arg[0] == '\0')
        return NULL;
      if (g_path_is_absolute (arg))
        return g_canonicalize_filename (arg, NULL);
      return g_canonicalize_filename (arg, cwd);
    }
  return NULL;
}

/* Field 22 of /proc/PID/stat, when the process started (in clock ticks
 * since boot): it tells a process from a later one with the same id. */
static gboolean
read_start_time (int       pid_fd,
                 guint32   pid,
                 guint64  *start_time,
                 GError  **error)
{
  char *buf = NULL;
  const char *field;
  char *end = NULL;
  gboolean parsed;
  gsize len;

  if (!read_caller_file (pid_fd, "stat", 4096, FALSE, pid, "status", &buf, &len, error))
    return FALSE;

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
  secure_free (buf);
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

/* The name of an unsandboxed process: its application id when it runs in
 * an application's systemd unit, the script an interpreter runs, or its
 * executable. In wiping memory. */
static char *
host_name (int       pid_fd,
           guint32   uid,
           guint32   pid,
           GError  **error)
{
  char exe[4096], cwd[4096];
  char *contents = NULL, *name = NULL;
  g_autofree char *app_id = NULL;
  g_autofree char *script = NULL;
  g_autofree char *escaped = NULL;
  gssize exe_len, cwd_len;
  gsize len;
  int saved_errno;

  exe_len = readlinkat (pid_fd, "exe", exe, sizeof exe - 1);
  saved_errno = errno;
  if (exe_len <= 0)
    {
      identity_error (error, exe_len < 0 ? saved_errno : 0, "Cannot find the executable of process %u: %s", pid,
                      exe_len < 0 ? g_strerror (saved_errno) : "empty");
      return NULL;
    }
  exe[exe_len] = '\0';
  /* A program that was updated while it runs keeps its keys. */
  if (g_str_has_suffix (exe, " (deleted)"))
    exe[exe_len - strlen (" (deleted)")] = '\0';
  if (exe[0] != '/')
    {
      access_denied (error, "The executable of process %u has no path", pid);
      return NULL;
    }

  /* What the desktop started it as. Without a cgroup file (no cgroup
   * support) there is none; an unreadable one refuses. */
  if (read_caller_file (pid_fd, "cgroup", MAX_CALLER_LIST_SIZE, TRUE, pid, "control group", &contents, &len,
                        error))
    {
      app_id = memchr (contents, '\0', len) == NULL ? host_app_id (contents) : NULL;
      g_clear_pointer (&contents, secure_free);
    }
  else if (errno != ENOENT)
    goto out;
  if (app_id != NULL)
    {
      name = secure_strdup_printf ("dbus:uid=%u:app=%s", uid, app_id);
      goto out;
    }

  if (is_interpreter (exe))
    {
      if (!read_caller_file (pid_fd, "cmdline", MAX_CALLER_LIST_SIZE, FALSE, pid, "command line", &contents, &len,
                             error))
        goto out;
      cwd_len = readlinkat (pid_fd, "cwd", cwd, sizeof cwd - 1);
      cwd[MAX (cwd_len, 0)] = '\0';
      if (len > 0 && contents[len - 1] == '\0' && cwd[0] == '/')
        script = interpreter_script (contents, len, cwd, g_str_has_prefix (strrchr (exe, '/') + 1, "gjs"));
      g_clear_pointer (&contents, secure_free);
      secure_wipe (cwd, sizeof cwd);
    }
  if (script != NULL)
    {
      /* The interpreter's path, with its ':' and '%' escaped, cannot run
       * into the script's. */
      escaped = g_uri_escape_string (exe, "/", TRUE);
      name = secure_strdup_printf ("dbus:uid=%u:interpreter=%s:script=%s", uid, escaped, script);
    }
  else
    name = secure_strdup_printf ("dbus:uid=%u:exe=%s", uid, exe);

out:
  secure_wipe (exe, sizeof exe);
  return name;
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
  char *name = NULL, *app_id = NULL, *contents = NULL;
  int pid_fd = -1, root_fd;
  guint64 started = 0;
  gboolean sandboxed;
  gsize len;
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
  sandboxed = read_caller_file (root_fd, ".flatpak-info", MAX_FLATPAK_INFO_SIZE, TRUE, pid, "sandbox metadata",
                                &contents, &len, error);
  saved_errno = errno;
  close (root_fd);

  if (sandboxed)
    {
      app_id = flatpak_app_id (contents, len, pid, error);
      g_clear_pointer (&contents, secure_free);
      if (app_id == NULL)
        goto out;
      name = secure_strdup_printf ("dbus:uid=%u:flatpak=%s", uid, app_id);
      secure_free (app_id);
    }
  /* Unknown is not unsandboxed: refuse rather than guess. */
  else if (saved_errno != ENOENT)
    goto out;
  else if ((name = host_name (pid_fd, uid, pid, error)) == NULL)
    goto out;

  if (pidfd >= 0 && !check_pidfd (pidfd, pid, error))
    g_clear_pointer (&name, secure_free);
  else if (start_time != NULL)
    *start_time = started;

out:
  close (pid_fd);
  return name;
}
