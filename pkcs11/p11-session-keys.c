/* p11-session-keys.c: session objects, kept in the service while their
 * session lasts
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A key pair made with CKA_TOKEN false is a session object: it lives in
 * the service like any key (the service has no other kind), named
 *
 *   pkcs11-session-BOOT-PIDNS-PID-START-RANDOM-LABEL
 *
 * where BOOT is the start of the kernel's boot id, PIDNS the inode of
 * the process's pid namespace, PID and START the process's id and start
 * time (in clock ticks since boot, as /proc/PID/stat has it), all in hex.
 * The module destroys it when its session closes, and at C_Finalize. A
 * process that ends without either leaves it behind: the next
 * initialisation that lists the same keys destroys those whose process is
 * gone, which the name tells. Only the module that made a session object
 * shows it; others skip the prefix.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "p11-private.h"

#define SESSION_NAME_PREFIX "pkcs11-session-"

static char *
boot_id (void)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/random/boot_id", &contents, NULL, NULL) ||
      strlen (contents) < 8)
    return NULL;
  return g_strndup (contents, 8);
}

static gboolean
pid_namespace (const char *pid_dir,
               guint64    *inode)
{
  g_autofree char *path = g_build_filename (pid_dir, "ns", "pid", NULL);
  struct stat st;

  if (stat (path, &st) != 0)
    return FALSE;
  *inode = (guint64) st.st_ino;
  return TRUE;
}

/* The start time of the process, field 22 of /proc/PID/stat; the name
 * (field 2) may hold anything, so the fields are counted after its last
 * parenthesis. FALSE with @gone set if there is no such process. */
static gboolean
process_start (const char *pid_dir,
               guint64    *start,
               gboolean   *gone)
{
  g_autofree char *path = g_build_filename (pid_dir, "stat", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  const char *p;

  *gone = FALSE;
  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      *gone = g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      return FALSE;
    }
  p = strrchr (contents, ')');
  if (p == NULL)
    return FALSE;
  /* Fields 3 to 21 come before the start time. */
  for (guint field = 2; field < 22; field++)
    {
      p = strchr (p + 1, ' ');
      if (p == NULL)
        return FALSE;
    }
  *start = g_ascii_strtoull (p + 1, NULL, 10);
  return TRUE;
}

char *
p11_session_prefix (void)
{
  g_autofree char *boot = boot_id ();
  guint64 namespace = 0, start = 0;
  gboolean gone;

  if (boot == NULL)
    boot = g_strdup ("00000000");
  pid_namespace ("/proc/self", &namespace);
  process_start ("/proc/self", &start, &gone);
  return g_strdup_printf (SESSION_NAME_PREFIX "%s-%" G_GINT64_MODIFIER "x-%lx-%" G_GINT64_MODIFIER "x-",
                          boot, namespace, (unsigned long) getpid (), start);
}

/* What a session object's name says */
typedef struct {
  char boot[9];
  guint64 namespace;
  guint64 pid;
  guint64 start;
  const char *label;
} SessionName;

static gboolean
session_name_parse (const char  *name,
                    SessionName *parsed)
{
  guint64 *numbers[] = { &parsed->namespace, &parsed->pid, &parsed->start, NULL /* RANDOM */ };
  const char *p, *end;

  if (!g_str_has_prefix (name, SESSION_NAME_PREFIX))
    return FALSE;
  p = name + strlen (SESSION_NAME_PREFIX);
  end = strchr (p, '-');
  if (end == NULL || end == p || end - p >= (gssize) sizeof parsed->boot)
    return FALSE;
  memcpy (parsed->boot, p, end - p);
  parsed->boot[end - p] = '\0';
  p = end + 1;
  for (gsize i = 0; i < G_N_ELEMENTS (numbers); i++)
    {
      char *stop;
      guint64 value;

      if (!g_ascii_isxdigit (*p))
        return FALSE;
      value = g_ascii_strtoull (p, &stop, 16);
      if (*stop != '-')
        return FALSE;
      if (numbers[i] != NULL)
        *numbers[i] = value;
      p = stop + 1;
    }
  parsed->label = p;
  return TRUE;
}

gboolean
p11_session_name_is_session (const char *name)
{
  SessionName parsed;

  return session_name_parse (name, &parsed);
}

const char *
p11_session_name_label (const char *name)
{
  SessionName parsed;

  return session_name_parse (name, &parsed) ? parsed.label : name;
}

/* Whether the process that made the session object @name is gone: it
 * ran before the last boot, or in this pid namespace no process has its
 * id and start time. A process of another namespace, or one this process
 * cannot see (/proc mounted with hidepid), is left alone. */
gboolean
p11_session_name_is_stale (const char *name)
{
  g_autofree char *boot = boot_id ();
  g_autofree char *pid_dir = NULL;
  SessionName parsed;
  guint64 own_namespace, running_start;
  gboolean gone;

  if (boot == NULL || !session_name_parse (name, &parsed))
    return FALSE;
  if (!g_str_equal (boot, parsed.boot))
    return TRUE;
  if (parsed.pid == 0 || !pid_namespace ("/proc/self", &own_namespace) || own_namespace != parsed.namespace)
    return FALSE;
  pid_dir = g_strdup_printf ("/proc/%" G_GUINT64_FORMAT, parsed.pid);
  if (process_start (pid_dir, &running_start, &gone))
    return running_start != parsed.start;
  return gone;
}
