/* bench-tool.c: parsec-glib-tool's commands, timed, and the requests each
 * one sends
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each command runs as a process against a private test service that logs
 * every request (tests/service, --request-log), the way a script would
 * run it: wall time from spawn to exit, median of the runs, and the
 * number of requests of one run. With a reference tool (parsec-tool) the
 * same command lines run through it too, on the same service, so the two
 * columns compare like with like. Against another service
 * (PARSEC_TEST_SERVICE_COMMAND) only the times are shown.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "bench.h"
#include "bench-tool.h"
#include "service-fixture.h"

#define KEY "bench-key"
#define TMP_KEY "bench-tmp"
#define MAX_RUNS 64

/* parsec-tool's command lines; parsec-glib-tool takes them unchanged. */
static const struct {
  const char *label;
  const char *argv[6];
} commands[] = {
  { "ping", { "ping" } },
  { "list-providers", { "list-providers" } },
  { "list-authenticators", { "list-authenticators" } },
  { "list-opcodes -p 1", { "list-opcodes", "-p", "1" } },
  { "list-keys", { "list-keys" } },
  { "generate-random -n 32", { "generate-random", "-n", "32" } },
  { "export-public-key", { "export-public-key", "-k", KEY } },
  { "sign", { "sign", "-k", KEY, "hello" } },
  { "create-ecc-key", { "create-ecc-key", "-k", TMP_KEY } },
  { "delete-key", { "delete-key", "-k", TMP_KEY } },
};
#define N_COMMANDS G_N_ELEMENTS (commands)

typedef struct {
  gboolean available;
  double ms[N_COMMANDS];
  double cpu_ms[N_COMMANDS];     /* user + system time of the process */
  gint requests[N_COMMANDS];     /* -1: not counted */
  char *why;                     /* when not available */
} ToolColumn;

struct _ToolReport {
  guint runs;
  gboolean counted;
  char *names[2];
  ToolColumn columns[2];         /* parsec-glib-tool, the reference */
  /* The start-up floor: a program that loads GIO and exits. */
  gboolean floor_available;
  double floor_ms;
  double floor_cpu_ms;
  char *floor_why;
};

static gint
count_lines (const char *path)
{
  g_autofree char *text = NULL;
  gint lines = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\n')
      lines++;
  return lines;
}

static double
children_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

/* Runs @argv: its wall time in ms, and in @cpu_ms the CPU time it used
 * (what /usr/bin/time adds up as user and system), or a negative value
 * with @error set. */
static double
run_argv (const char * const  *argv,
          char               **envp,
          double              *cpu_ms,
          GError             **error)
{
  g_autofree char *err = NULL;
  gint status = 0;
  gint64 start;
  double cpu_start;

  /* The children's times count each child once it is waited for: here
   * only the command (the service is waited for at the end). */
  cpu_start = children_cpu_ms ();
  start = g_get_monotonic_time ();
  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                     NULL, &err, &status, error))
    return -1;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s (%s): ", argv[0], g_strstrip (err));
      return -1;
    }
  *cpu_ms = children_cpu_ms () - cpu_start;
  return (double) (g_get_monotonic_time () - start) / 1000.0;
}

static double
run_command (const char  *tool,
             guint        command,
             char       **envp,
             double      *cpu_ms,
             GError     **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  double ms;

  g_ptr_array_add (argv, (gpointer) tool);
  for (guint i = 0; commands[command].argv[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) commands[command].argv[i]);
  g_ptr_array_add (argv, NULL);
  ms = run_argv ((const char * const *) argv->pdata, envp, cpu_ms, error);
  if (ms < 0)
    g_prefix_error (error, "%s: ", commands[command].label);
  return ms;
}

/* Both tools, paired: each round runs every command once through one
 * tool, then through the other, then the start-up floor once, so that a
 * disturbance on the machine falls on all; create and delete alternate
 * within each tool's turn. A tool that fails is dropped from the rounds
 * after. */
static void
measure_columns (ToolReport  *report,
                 const char **tools,
                 const char  *gio_start,
                 guint        runs,
                 char       **envp,
                 const char  *log_path)
{
  ToolColumn *columns = report->columns;
  double times[2][N_COMMANDS][MAX_RUNS];
  double cpu[2][N_COMMANDS][MAX_RUNS];
  double floor_times[MAX_RUNS];
  double floor_cpu[MAX_RUNS];

  for (guint run = 0; run < runs; run++)
    {
      for (guint i = 0; i < 2; i++)
        for (guint c = 0; c < N_COMMANDS; c++)
          {
            g_autoptr(GError) error = NULL;

            if (tools[i] == NULL || columns[i].why != NULL)
              continue;
            /* In place: the service appends to the file it opened. */
            if (log_path != NULL && run == 0 && truncate (log_path, 0) != 0)
              {
                columns[i].why = g_strdup_printf ("Cannot empty %s: %s", log_path, g_strerror (errno));
                continue;
              }
            times[i][c][run] = run_command (tools[i], c, envp, &cpu[i][c][run], &error);
            if (times[i][c][run] < 0)
              {
                columns[i].why = g_strdup (error->message);
                continue;
              }
            if (run == 0)
              columns[i].requests[c] = log_path != NULL ? count_lines (log_path) : -1;
          }
      if (gio_start != NULL && report->floor_why == NULL)
        {
          const char * const argv[] = { gio_start, NULL };
          g_autoptr(GError) error = NULL;

          floor_times[run] = run_argv (argv, envp, &floor_cpu[run], &error);
          if (floor_times[run] < 0)
            report->floor_why = g_strdup (error->message);
        }
    }
  if (gio_start != NULL && report->floor_why == NULL)
    {
      report->floor_ms = median (floor_times, runs);
      report->floor_cpu_ms = median (floor_cpu, runs);
      report->floor_available = TRUE;
    }
  for (guint i = 0; i < 2; i++)
    {
      if (tools[i] == NULL || columns[i].why != NULL)
        continue;
      for (guint c = 0; c < N_COMMANDS; c++)
        {
          columns[i].ms[c] = median (times[i][c], runs);
          columns[i].cpu_ms[c] = median (cpu[i][c], runs);
        }
      columns[i].available = TRUE;
    }
}

ToolReport *
tool_bench_run (const char  *tool,
                const char  *reference,
                const char  *gio_start,
                guint        runs,
                GError     **error)
{
  const char * const admins[] = { "parsec-tool", NULL };
  g_autoptr(ParsecTestService) service = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *log_path = NULL;
  g_auto(GStrv) envp = NULL;
  ToolReport *report;

  runs = CLAMP (runs, 1, MAX_RUNS);
  dir = g_dir_make_tmp ("parsec-bench-tool-XXXXXX", error);
  if (dir == NULL)
    return NULL;
  log_path = g_build_filename (dir, "requests.log", NULL);
  {
    const char * const args[] = { "--request-log", log_path, NULL };

    service = parsec_test_service_start_with_args ("direct", admins, args, error);
  }
  if (service == NULL)
    return NULL;

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "PARSEC_SERVICE_ENDPOINT", parsec_test_service_get_endpoint (service), TRUE);
  envp = g_environ_setenv (envp, "GSETTINGS_BACKEND", "memory", TRUE);
  envp = g_environ_setenv (envp, "RUST_LOG", "off", TRUE);

  report = g_new0 (ToolReport, 1);
  report->runs = runs;
  report->counted = parsec_test_service_is_ours ();
  report->names[0] = g_path_get_basename (tool);
  report->names[1] = reference != NULL ? g_path_get_basename (reference) : g_strdup ("parsec-tool");

  {
    /* The key the key commands use, in the namespace both tools share. */
    const char *argv[] = { tool, "create-ecc-key", "-k", KEY, NULL };
    gint status;

    if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, error) ||
        !g_spawn_check_wait_status (status, error))
      {
        tool_bench_free (report);
        return NULL;
      }
  }

  {
    const char *tools[2] = { tool, reference };

    if (reference == NULL)
      report->columns[1].why = g_strdup ("no reference tool: set PARSEC_TOOL or --parsec-tool");
    if (gio_start == NULL)
      report->floor_why = g_strdup ("no start-up floor program: --gio-start");
    measure_columns (report, tools, gio_start, runs, envp, report->counted ? log_path : NULL);
  }

  g_unlink (log_path);
  g_rmdir (dir);
  return report;
}

void
tool_bench_print (const ToolReport *r)
{
  g_print ("\nCommand-line tool: each command as a process, median wall time and CPU time\n"
           "(user + system) of %u paired runs; requests counted by the test service%s\n", r->runs,
           r->counted ? "" : " (not counted: another service is configured)");
  g_print ("%-24s %29s %29s\n", "", r->names[0], r->names[1]);
  g_print ("%-24s %10s %9s %8s %10s %9s %8s\n", "command", "requests", "ms", "cpu ms", "requests", "ms", "cpu ms");
  for (guint c = 0; c < N_COMMANDS; c++)
    {
      g_print ("%-24s", commands[c].label);
      for (guint i = 0; i < 2; i++)
        {
          const ToolColumn *column = &r->columns[i];

          if (!column->available)
            g_print (" %10s %9s %8s", "-", "-", "-");
          else if (column->requests[c] < 0)
            g_print (" %10s %9.1f %8.1f", "-", column->ms[c], column->cpu_ms[c]);
          else
            g_print (" %10d %9.1f %8.1f", column->requests[c], column->ms[c], column->cpu_ms[c]);
        }
      g_print ("\n");
    }
  for (guint i = 0; i < 2; i++)
    if (!r->columns[i].available)
      g_print ("(%s: n/a, %s)\n", r->names[i], r->columns[i].why);
  if (r->floor_available)
    g_print ("%-24s %10s %9.1f %8.1f   (loads GIO, makes a socket address, exits)\n",
             "start-up floor", "0", r->floor_ms, r->floor_cpu_ms);
  else
    g_print ("(start-up floor: n/a, %s)\n", r->floor_why);
}

void
tool_bench_json (const ToolReport *r,
                 GString          *out)
{
  g_string_append_printf (out, "{\"runs\": %u, \"requests_counted\": %s", r->runs,
                          r->counted ? "true" : "false");
  for (guint i = 0; i < 2; i++)
    {
      const ToolColumn *column = &r->columns[i];

      g_string_append_printf (out, ", \"%s\": ", i == 0 ? "tool" : "reference");
      if (!column->available)
        {
          g_autofree char *why = g_strescape (column->why, NULL);

          g_string_append_printf (out, "{\"available\": false, \"note\": \"%s\"}", why);
          continue;
        }
      g_string_append (out, "{");
      for (guint c = 0; c < N_COMMANDS; c++)
        {
          g_string_append_printf (out, "%s\"%s\": {\"requests\": ", c > 0 ? ", " : "", commands[c].label);
          if (column->requests[c] < 0)
            g_string_append (out, "null");
          else
            g_string_append_printf (out, "%d", column->requests[c]);
          g_string_append (out, ", \"ms\": ");
          json_number (out, column->ms[c]);
          g_string_append (out, ", \"cpu_ms\": ");
          json_number (out, column->cpu_ms[c]);
          g_string_append (out, "}");
        }
      g_string_append (out, "}");
    }
  g_string_append (out, ", \"start_up_floor\": ");
  if (r->floor_available)
    {
      g_string_append (out, "{\"ms\": ");
      json_number (out, r->floor_ms);
      g_string_append (out, ", \"cpu_ms\": ");
      json_number (out, r->floor_cpu_ms);
      g_string_append (out, "}");
    }
  else
    g_string_append (out, "null");
  g_string_append (out, "}");
}

void
tool_bench_free (ToolReport *r)
{
  if (r == NULL)
    return;
  for (guint i = 0; i < 2; i++)
    {
      g_free (r->names[i]);
      g_free (r->columns[i].why);
    }
  g_free (r->floor_why);
  g_free (r);
}
