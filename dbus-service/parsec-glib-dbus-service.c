/* parsec-glib-dbus-service: the Parsec service on the session bus
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Owns community.parsec.Crypto on the session bus and serves
 * community.parsec.Crypto1 at /community/parsec/Crypto with a
 * ParsecDBusExporter, for applications that cannot reach the Parsec
 * socket (Flatpak) or prefer D-Bus. Each caller gets a key namespace of
 * its own; docs/dbus.md describes the interface and its security model.
 * Started by D-Bus activation (data/community.parsec.Crypto.service) or
 * its systemd user unit; it finds the Parsec service like any parsec-glib
 * client (PARSEC_SERVICE_ENDPOINT, GSettings, /run/parsec/parsec.sock).
 * With --idle-timeout, as activation starts it, it exits once it has had
 * no caller for that long; by hand, without it, it never does.
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <glib-unix.h>

#include "parsec-dbus-exporter.h"
#include "parsec-dbus-exporter-private.h"

typedef struct {
  GMainLoop *loop;
  int status;
  gboolean replace;
  guint idle_timeout;              /* seconds, 0 for never */
  guint idle_source;
  gboolean releasing;              /* the name is released: exit when idle */
  GDBusConnection *connection;
  ParsecDBusExporter *exporter;
  guint owner_id;
} Service;

static void
service_quit (Service *service,
              int      status)
{
  service->status = status;
  g_main_loop_quit (service->loop);
}

static gboolean
on_signal (gpointer user_data)
{
  service_quit (user_data, EXIT_SUCCESS);
  return G_SOURCE_REMOVE;
}

static void
name_acquired (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  g_debug ("Serving %s", name);
}

/* Lost or never got: another instance serves the name, or the bus went
 * away. Either way there is nothing left to do. */
static void
name_lost (GDBusConnection *connection,
           const char      *name,
           gpointer         user_data)
{
  Service *service = user_data;

  if (connection == NULL)
    g_printerr ("parsec-glib-dbus-service: lost the connection to the session bus\n");
  else
    g_printerr ("parsec-glib-dbus-service: the name %s is taken (try --replace)\n", name);
  service_quit (service, EXIT_FAILURE);
}

/* Runs after the calls the bus sent before the name was released: they
 * were dispatched first, at a higher priority. */
static gboolean
quit_if_idle (gpointer user_data)
{
  Service *service = user_data;

  if (parsec_dbus_exporter_get_idle (service->exporter))
    service_quit (service, EXIT_SUCCESS);
  return G_SOURCE_REMOVE;
}

/* The name is released before the exit, synchronously, so that the bus
 * activates a new instance for the next call instead of sending it to
 * one that is going away. A call that came before still gets its reply:
 * the exit then waits until the exporter is idle again. */
static gboolean
idle_expired (gpointer user_data)
{
  Service *service = user_data;

  service->idle_source = 0;
  g_debug ("No caller for %u s: releasing %s", service->idle_timeout, PARSEC_DBUS_SERVICE_NAME);
  g_bus_unown_name (service->owner_id);
  service->owner_id = 0;
  service->releasing = TRUE;
  g_idle_add_full (G_PRIORITY_LOW, quit_if_idle, service, NULL);
  return G_SOURCE_REMOVE;
}

static void
idle_changed (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  Service *service = user_data;
  gboolean idle = parsec_dbus_exporter_get_idle (service->exporter);

  if (service->releasing)
    {
      if (idle)
        service_quit (service, EXIT_SUCCESS);
      return;
    }
  g_clear_handle_id (&service->idle_source, g_source_remove);
  if (idle)
    /* Not g_timeout_add_seconds(), whose first run may come up to a
     * second early. */
    service->idle_source = g_timeout_add (service->idle_timeout * 1000, idle_expired, service);
}

static void
bus_ready (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Service *service = user_data;
  g_autoptr(GError) error = NULL;

  service->connection = g_bus_get_finish (result, &error);
  if (service->connection == NULL ||
      !parsec_dbus_exporter_export (service->exporter, service->connection, PARSEC_DBUS_OBJECT_PATH, &error))
    {
      g_printerr ("parsec-glib-dbus-service: %s\n", error->message);
      service_quit (service, EXIT_FAILURE);
      return;
    }

  /* Exported before the name is owned, so that an activated caller finds
   * the object as soon as the name resolves. */
  service->owner_id = g_bus_own_name_on_connection (service->connection, PARSEC_DBUS_SERVICE_NAME,
                                                    G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT |
                                                    (service->replace ? G_BUS_NAME_OWNER_FLAGS_REPLACE : 0),
                                                    name_acquired, name_lost, service, NULL);
  if (service->idle_timeout > 0)
    {
      g_signal_connect (service->exporter, "notify::idle", G_CALLBACK (idle_changed), service);
      idle_changed (G_OBJECT (service->exporter), NULL, service);
    }
}

/* Says at start-up, rather than at every call, that the Parsec service
 * authenticates only by Unix peer credentials, which the exporter cannot
 * use. Other failures are the calls' to report. */
static void
authenticators_listed (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GPtrArray) authenticators = parsec_client_list_authenticators_finish (PARSEC_CLIENT (source), result, NULL);
  gboolean direct = FALSE, unix_peer = FALSE;

  if (authenticators == NULL)
    return;
  for (guint i = 0; i < authenticators->len; i++)
    {
      guint id = parsec_authenticator_info_get_id (g_ptr_array_index (authenticators, i));

      direct |= id == PARSEC_AUTH_TYPE_DIRECT;
      unix_peer |= id == PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS;
    }
  if (unix_peer && !direct)
    g_message ("The Parsec service authenticates clients by Unix peer credentials only: every call will fail. %s",
               PARSEC_DBUS_NO_DIRECT_AUTHENTICATION_MESSAGE);
}

static void
client_ready (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Service *service = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) client = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, &error);

  if (client == NULL)
    {
      g_printerr ("parsec-glib-dbus-service: %s\n", error->message);
      service_quit (service, EXIT_FAILURE);
      return;
    }

  service->exporter = parsec_dbus_exporter_new (PARSEC_CLIENT (client));
  parsec_client_list_authenticators_async (PARSEC_CLIENT (client), NULL, authenticators_listed, NULL);
  g_bus_get (G_BUS_TYPE_SESSION, NULL, bus_ready, service);
}

/* systemd and most session managers start services with a soft limit of
 * 1024 descriptors and a much higher hard one, leaving it to programs
 * that need more to ask. Every call in flight holds a socket to the
 * Parsec service; the exporter bounds how many, and this leaves room for
 * the bus connection, the callers' lookups and the secrets' descriptors. */
static void
raise_descriptor_limit (void)
{
  struct rlimit limit;

  if (getrlimit (RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max)
    return;
  limit.rlim_cur = limit.rlim_max;
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_printerr ("parsec-glib-dbus-service: cannot raise the descriptor limit: %s\n", g_strerror (errno));
}

int
main (int    argc,
      char **argv)
{
  gboolean replace = FALSE, version = FALSE;
  int idle_timeout = 0;
  const GOptionEntry entries[] = {
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &replace, "Replace the instance that serves the name now", NULL },
    { "idle-timeout", 0, 0, G_OPTION_ARG_INT, &idle_timeout,
      "Exit after SECONDS without a caller or a call (0, the default: never)", "SECONDS" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  Service service = { 0 };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_summary (context,
                                "Serves the Parsec security service on the session bus as "
                                PARSEC_DBUS_SERVICE_NAME ", with a key namespace for each application.");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (idle_timeout < 0 || (guint) idle_timeout > G_MAXUINT / 1000)
    {
      g_printerr ("parsec-glib-dbus-service: --idle-timeout takes a number of seconds from 0 to %u\n",
                  G_MAXUINT / 1000);
      return EXIT_FAILURE;
    }
  if (version)
    {
      g_print ("parsec-glib-dbus-service %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  raise_descriptor_limit ();
  service.loop = g_main_loop_new (NULL, FALSE);
  service.replace = replace;
  service.idle_timeout = (guint) idle_timeout;
  g_unix_signal_add (SIGTERM, on_signal, &service);
  g_unix_signal_add (SIGINT, on_signal, &service);

  /* The configuration the callers' clients copy. It authenticates with
   * nothing, so that it needs no name of its own: each caller's client
   * gets one. */
  g_async_initable_new_async (PARSEC_TYPE_CLIENT, G_PRIORITY_DEFAULT, NULL, client_ready, &service,
                              "auth-method", PARSEC_AUTH_METHOD_NONE,
                              NULL);
  g_main_loop_run (service.loop);

  g_clear_handle_id (&service.idle_source, g_source_remove);
  if (service.owner_id != 0)
    g_bus_unown_name (service.owner_id);
  if (service.exporter != NULL)
    {
      g_signal_handlers_disconnect_by_data (service.exporter, &service);
      parsec_dbus_exporter_unexport (service.exporter);
    }
  g_clear_object (&service.exporter);
  if (service.connection != NULL)
    g_dbus_connection_flush_sync (service.connection, NULL, NULL);
  g_clear_object (&service.connection);
  g_main_loop_unref (service.loop);
  return service.status;
}
