/* test-init.c: where ParsecClient's initialisation does its blocking work
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>

#include "parsec-glib.h"

/* The default GSettings backend of this program: every read waits at a
 * gate that the test opens, and reports the defaults. A read on the
 * caller's thread would hold its main context until the gate gives up. */

static GMutex gate_lock;
static GCond gate_cond;
static gboolean gate_open = TRUE;
static GThread *reader;

typedef GSettingsBackend GatedBackend;
typedef GSettingsBackendClass GatedBackendClass;

static GType gated_backend_get_type (void);
G_DEFINE_TYPE (GatedBackend, gated_backend, G_TYPE_SETTINGS_BACKEND)

static GVariant *
gated_backend_read (GSettingsBackend   *backend,
                    const char         *key,
                    const GVariantType *expected_type,
                    gboolean            default_value)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;

  g_mutex_lock (&gate_lock);
  if (reader == NULL)
    reader = g_thread_self ();
  g_cond_broadcast (&gate_cond);
  while (!gate_open)
    if (!g_cond_wait_until (&gate_cond, &gate_lock, deadline))
      gate_open = TRUE;         /* once: the test fails, and fast */
  g_mutex_unlock (&gate_lock);
  return NULL;
}

static void
gated_backend_class_init (GatedBackendClass *klass)
{
  klass->read = gated_backend_read;
}

static void
gated_backend_init (GatedBackend *self)
{
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The asynchronous initialisation reads the configuration in a worker
 * thread, and the caller's context runs on meanwhile. */
static void
test_async_off_thread (void)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GObject) source = NULL;
  g_autoptr(GObject) client = NULL;
  g_autoptr(GError) error = NULL;
  gboolean read_started = FALSE;

  g_mutex_lock (&gate_lock);
  gate_open = FALSE;
  reader = NULL;
  g_mutex_unlock (&gate_lock);

  g_async_initable_new_async (PARSEC_TYPE_CLIENT, G_PRIORITY_DEFAULT, NULL, store_result, &result,
                              "application-name", "init-test", NULL);

  /* The worker reaches the gate while this thread's context iterates. */
  while (!read_started)
    {
      g_main_context_iteration (NULL, FALSE);
      g_mutex_lock (&gate_lock);
      read_started = reader != NULL;
      if (!read_started)
        g_cond_wait_until (&gate_cond, &gate_lock, g_get_monotonic_time () + G_TIME_SPAN_SECOND / 10);
      g_mutex_unlock (&gate_lock);
    }
  g_assert_true (reader != g_thread_self ());
  g_main_context_iteration (NULL, FALSE);
  g_assert_null (result);

  g_mutex_lock (&gate_lock);
  gate_open = TRUE;
  g_cond_broadcast (&gate_cond);
  g_mutex_unlock (&gate_lock);

  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  source = g_async_result_get_source_object (result);
  client = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsec_client_get_timeout (PARSEC_CLIENT (client)), ==, 60000);
}

/* The synchronous one works on the caller's thread, as blocking calls do. */
static void
test_sync_on_caller_thread (void)
{
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&gate_lock);
  reader = NULL;
  g_mutex_unlock (&gate_lock);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error, "application-name", "init-test", NULL);
  g_assert_no_error (error);
  g_assert_true (reader == g_thread_self ());
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  /* Registering returns the extension point when GIO has made it. */
  g_io_extension_point_register (G_SETTINGS_BACKEND_EXTENSION_POINT_NAME);
  g_io_extension_point_implement (G_SETTINGS_BACKEND_EXTENSION_POINT_NAME, gated_backend_get_type (),
                                  "parsec-test-gated", 0);
  g_setenv ("GSETTINGS_BACKEND", "parsec-test-gated", TRUE);

  g_test_add_func ("/parsec/init/async-off-thread", test_async_off_thread);
  g_test_add_func ("/parsec/init/sync-on-caller-thread", test_sync_on_caller_thread);
  return g_test_run ();
}
