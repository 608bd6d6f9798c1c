/* test-dbus.c: community.parsec.Crypto1 through the generated proxy
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each test runs a private message bus (tests/dbus/bus.conf) and a private
 * parsec-glib-test-service (or a scripted fake service), and a
 * ParsecDBusExporter on a thread of its own (the proxies' synchronous
 * calls block the test thread). One test process plays several callers:
 * a test hook gives each of its connections a made-up process id, and a
 * made-up /proc says what that process is. One test uses no hook at all,
 * to cover the production path (GetConnectionCredentials and the real
 * /proc).
 *
 * The whole program runs with G_MESSAGES_DEBUG=all, so that every debug
 * message is built; a log writer keeps them to itself unless the caller
 * asked for them, and lets a test read what was logged.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixfdlist.h>

#include "parsec-dbus-encoding-private.h"
#include "parsec-dbus-exporter-private.h"
#include "parsec-dbus-identity.h"
#include "parsec-dbus-proxy.h"
#include "secure-mem.h"
#include "fake-service.h"
#include "list_keys.pb-c.h"
#include "list_providers.pb-c.h"
#include "psa_export_public_key.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "service-fixture.h"

#define TIMEOUT_MS 60000

/* Watching free(): every block the process frees passes here first (GLib's
 * too, through g_free()), so a copy of a string that went back to the
 * allocator without being wiped is seen. Not with AddressSanitizer, which
 * owns free(); under valgrind, which replaces free() before this sees
 * anything, watch_free_start() says it cannot watch. Blocks that realloc()
 * moves are not seen. */
#if defined(__SANITIZE_ADDRESS__)
# define WATCH_FREE 0
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define WATCH_FREE 0
# endif
#endif
#ifndef WATCH_FREE
# define WATCH_FREE 1
#endif

static gpointer free_watch;     /* the string to look for, or NULL */
static gint free_watch_hits;

#if WATCH_FREE
extern void __libc_free (void *mem);

void
free (void *mem)
{
  const char *watch = g_atomic_pointer_get (&free_watch);

  if (mem != NULL && watch != NULL && memmem (mem, malloc_usable_size (mem), watch, strlen (watch)) != NULL)
    g_atomic_int_inc (&free_watch_hits);
  __libc_free (mem);
}
#endif

/* Whether free() is watched for @needle (a static string) from now on. */
static gboolean
watch_free_start (const char *needle)
{
  g_atomic_int_set (&free_watch_hits, 0);
  g_atomic_pointer_set (&free_watch, (gpointer) needle);
  /* One copy freed unwiped must be seen, or nothing can be. */
  g_free (g_strdup (needle));
  if (g_atomic_int_get (&free_watch_hits) == 0)
    {
      g_atomic_pointer_set (&free_watch, NULL);
      return FALSE;
    }
  g_atomic_int_set (&free_watch_hits, 0);
  return TRUE;
}

/* The blocks seen holding the needle since the start. */
static guint
watch_free_stop (void)
{
  g_atomic_pointer_set (&free_watch, NULL);
  return (guint) g_atomic_int_get (&free_watch_hits);
}

/* The log */

static GMutex log_lock;
static GString *log_capture;    /* while a test reads the log */
static gboolean log_show_debug; /* G_MESSAGES_DEBUG was set for the test */

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  g_mutex_lock (&log_lock);
  if (log_capture != NULL)
    for (gsize i = 0; i < n_fields; i++)
      if (g_str_equal (fields[i].key, "MESSAGE"))
        {
          g_string_append_len (log_capture, fields[i].value, fields[i].length);
          g_string_append_c (log_capture, '\n');
        }
  g_mutex_unlock (&log_lock);

  if ((log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 && !log_show_debug)
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static GLogFunc gtest_log_handler;
static gpointer gtest_log_handler_data;

/* GTest's handler prints debug messages as TAP comments: they go straight
 * to the writer instead, unless asked for. */
static void
log_handler (const char     *log_domain,
             GLogLevelFlags  log_level,
             const char     *message,
             gpointer        user_data)
{
  if ((log_level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)) != 0 && !log_show_debug)
    g_log_default_handler (log_domain, log_level, message, NULL);
  else
    gtest_log_handler (log_domain, log_level, message, gtest_log_handler_data);
}

static void
log_capture_start (void)
{
  g_mutex_lock (&log_lock);
  g_assert_null (log_capture);
  log_capture = g_string_new (NULL);
  g_mutex_unlock (&log_lock);
}

static char *
log_capture_stop (void)
{
  GString *text;

  g_mutex_lock (&log_lock);
  text = g_steal_pointer (&log_capture);
  g_mutex_unlock (&log_lock);
  return g_string_free (text, FALSE);
}

/* Fixtures */

typedef struct {
  gboolean real_identity;       /* no test hooks: the bus's credentials and /proc */
  gboolean fake;                /* a scripted fake service instead of the test service */
  ParsecTrustPolicy trust_policy;
  guint max_response_size;      /* 0 for the default */
} FixtureOptions;

static const FixtureOptions default_options = { 0 };
static const FixtureOptions real_identity_options = { .real_identity = TRUE };
static const FixtureOptions fake_options = { .fake = TRUE, .max_response_size = 16 * 1024 * 1024 };
static const FixtureOptions enforce_options = { .trust_policy = PARSEC_TRUST_POLICY_ENFORCE };

/* What the fake service answers. */
typedef struct {
  gboolean park;                /* SignHash requests are never answered */
  guint n_entries;              /* of ListKeys and ListProviders, when not 0 */
  gsize entry_size;             /* the length of their names or descriptions */
  gsize public_key_size;        /* of ExportPublicKey's answer, when not 0 */
} FakeScript;

typedef struct {
  const FixtureOptions *options;
  ParsecTestService *service;
  FakeService *fake;
  const char *endpoint;
  GPid bus_pid;
  int bus_stdout;
  char *bus_address;
  char *proc_root;

  /* The exporter's thread */
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GMutex lock;
  GCond cond;
  gboolean ready;
  char *server_name;            /* the exporter connection's unique name */
  ParsecDBusExporter *exporter; /* for its thread only */

  GHashTable *credentials;      /* unique name → "uid pid pidfd" */
  FakeScript script;            /* under the lock */
  GArray *children;             /* GPid of processes started for a test */
} Fixture;

/* Test hook: the made-up credentials of the test's own connections. */
static gboolean
fake_credentials (const char *sender,
                  guint32    *uid,
                  guint32    *pid,
                  int        *pidfd,
                  gpointer    user_data)
{
  Fixture *fixture = user_data;
  const char *value;
  gboolean found = FALSE;
  int fd = -1;

  g_mutex_lock (&fixture->lock);
  value = g_hash_table_lookup (fixture->credentials, sender);
  if (value != NULL)
    found = sscanf (value, "%u %u %d", uid, pid, &fd) == 3;
  g_mutex_unlock (&fixture->lock);
  *pidfd = fd >= 0 ? dup (fd) : -1;
  return found;
}

static GBytes *
packed_response (const FakeRequest      *request,
                 const ProtobufCMessage *result)
{
  return fake_response_new (request->header.opcode, request->header.provider, 0, result);
}

/* The fake service: a well-behaved service with direct authentication,
 * but for what the script says. */
static GBytes *
fake_answer (const FakeRequest *request,
             FakeAction        *action,
             gpointer           user_data)
{
  Fixture *fixture = user_data;
  FakeScript script;

  g_mutex_lock (&fixture->lock);
  script = fixture->script;
  g_mutex_unlock (&fixture->lock);

  switch (request->header.opcode)
    {
    case PARSEC_OPCODE_PSA_SIGN_HASH:
      if (script.park)
        {
          *action = FAKE_ACTION_PARK;
          return NULL;
        }
      {
        static const guint8 signature[64] = { 1 };
        PsaSignHash__Result result = PSA_SIGN_HASH__RESULT__INIT;

        result.signature.data = (guint8 *) signature;
        result.signature.len = sizeof signature;
        return packed_response (request, &result.base);
      }
    case PARSEC_OPCODE_LIST_KEYS:
      if (script.n_entries > 0)
        {
          ListKeys__Result result = LIST_KEYS__RESULT__INIT;
          g_autofree ListKeys__KeyInfo *infos = g_new0 (ListKeys__KeyInfo, script.n_entries);
          g_autofree ListKeys__KeyInfo **list = g_new0 (ListKeys__KeyInfo *, script.n_entries);
          g_autofree char *names = g_malloc (script.n_entries * (script.entry_size + 1));

          for (guint i = 0; i < script.n_entries; i++)
            {
              char *name = names + i * (script.entry_size + 1);

              list_keys__key_info__init (&infos[i]);
              memset (name, 'k', script.entry_size);
              g_snprintf (name, script.entry_size + 1, "%u", i);
              name[strlen (name)] = 'k';
              name[script.entry_size] = '\0';
              infos[i].name = name;
              infos[i].provider_id = PARSEC_PROVIDER_MBED_CRYPTO;
              list[i] = &infos[i];
            }
          result.keys = list;
          result.n_keys = script.n_entries;
          return packed_response (request, &result.base);
        }
      break;
    case PARSEC_OPCODE_LIST_PROVIDERS:
      if (script.n_entries > 0)
        {
          ListProviders__Result result = LIST_PROVIDERS__RESULT__INIT;
          g_autofree ListProviders__ProviderInfo *infos = g_new0 (ListProviders__ProviderInfo, script.n_entries);
          g_autofree ListProviders__ProviderInfo **list = g_new0 (ListProviders__ProviderInfo *, script.n_entries);
          g_autofree char *description = g_malloc (script.entry_size + 1);

          memset (description, 'd', script.entry_size);
          description[script.entry_size] = '\0';
          for (guint i = 0; i < script.n_entries; i++)
            {
              list_providers__provider_info__init (&infos[i]);
              /* The first is the crypto provider discovery looks for. */
              infos[i].id = i == 0 ? PARSEC_PROVIDER_MBED_CRYPTO : 0x80 + (i % 0x70);
              infos[i].uuid = (char *) "1c1139dc-ad7c-47dc-ad6b-db6fdb466552";
              infos[i].vendor = (char *) "Arm";
              infos[i].description = description;
              list[i] = &infos[i];
            }
          result.providers = list;
          result.n_providers = script.n_entries;
          return packed_response (request, &result.base);
        }
      break;
    case PARSEC_OPCODE_PSA_EXPORT_PUBLIC_KEY:
      if (script.public_key_size > 0)
        {
          PsaExportPublicKey__Result result = PSA_EXPORT_PUBLIC_KEY__RESULT__INIT;
          g_autofree guint8 *data = g_malloc0 (script.public_key_size);

          result.data.data = data;
          result.data.len = script.public_key_size;
          return packed_response (request, &result.base);
        }
      break;
    default:
      break;
    }
  return fake_handler_default (request, action, GUINT_TO_POINTER (PARSEC_AUTH_TYPE_DIRECT));
}

static void
fake_script (Fixture          *fixture,
             const FakeScript *script)
{
  g_mutex_lock (&fixture->lock);
  fixture->script = *script;
  g_mutex_unlock (&fixture->lock);
}

static gpointer
exporter_thread (gpointer user_data)
{
  Fixture *fixture = user_data;
  const FixtureOptions *options = fixture->options;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(ParsecDBusExporter) exporter = NULL;

  g_main_context_push_thread_default (fixture->context);

  connection = g_dbus_connection_new_for_address_sync (fixture->bus_address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fixture->endpoint,
                           "auth-method", PARSEC_AUTH_METHOD_NONE,
                           "trust-policy", options->trust_policy,
                           "max-response-size", options->max_response_size != 0 ? options->max_response_size : 1u << 20,
                           NULL);
  g_assert_no_error (error);
  exporter = parsec_dbus_exporter_new (client);
  if (!options->real_identity)
    {
      _parsec_dbus_exporter_set_credentials_func (exporter, fake_credentials, fixture);
      _parsec_dbus_exporter_set_proc_root (exporter, fixture->proc_root);
    }
  parsec_dbus_exporter_export (exporter, connection, PARSEC_DBUS_OBJECT_PATH, &error);
  g_assert_no_error (error);
  g_assert_true (parsec_dbus_exporter_get_connection (exporter) == connection);
  g_assert_cmpstr (parsec_dbus_exporter_get_object_path (exporter), ==, PARSEC_DBUS_OBJECT_PATH);

  g_mutex_lock (&fixture->lock);
  fixture->server_name = g_strdup (g_dbus_connection_get_unique_name (connection));
  fixture->exporter = exporter;
  fixture->ready = TRUE;
  g_cond_signal (&fixture->cond);
  g_mutex_unlock (&fixture->lock);

  g_main_loop_run (fixture->loop);

  parsec_dbus_exporter_unexport (exporter);
  g_assert_null (parsec_dbus_exporter_get_connection (exporter));
  g_dbus_connection_close_sync (connection, NULL, NULL);
  /* Let the clients' finalisation run here, on their context. */
  g_clear_object (&exporter);
  g_clear_object (&client);
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  g_main_context_pop_thread_default (fixture->context);
  return NULL;
}

/* Writes @pid's made-up stat file, with the start time @start_time and a
 * command name with the parentheses and spaces the parser must survive. */
static void
fake_stat (Fixture *fixture,
           guint32  pid,
           guint64  start_time)
{
  g_autofree char *path = g_strdup_printf ("%s/%u/stat", fixture->proc_root, pid);
  g_autofree char *stat = g_strdup_printf ("%u (a) b (c) S 1 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 %"
                                           G_GUINT64_FORMAT " 10000 100 18446744073709551615\n",
                                           pid, start_time);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, stat, -1, &error);
  g_assert_no_error (error);
}

/* Makes the made-up process @pid run @exe, from @start_time on. */
static void
fake_exec (Fixture    *fixture,
           guint32     pid,
           const char *exe,
           guint64     start_time)
{
  g_autofree char *exe_link = g_strdup_printf ("%s/%u/exe", fixture->proc_root, pid);

  g_unlink (exe_link);
  g_assert_cmpint (symlink (exe, exe_link), ==, 0);
  fake_stat (fixture, pid, start_time);
}

/* A made-up process under the fake /proc: @exe is its executable, and
 * @flatpak_info, when not NULL, the /.flatpak-info of its sandbox. It
 * started at "time" @pid. */
static void
fake_process (Fixture    *fixture,
              guint32     pid,
              const char *exe,
              const char *flatpak_info)
{
  g_autofree char *dir = g_strdup_printf ("%s/%u", fixture->proc_root, pid);
  g_autofree char *root = g_build_filename (dir, "root", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (root, 0700), ==, 0);
  fake_exec (fixture, pid, exe, pid);
  if (flatpak_info != NULL)
    {
      g_autofree char *info = g_build_filename (root, ".flatpak-info", NULL);

      g_file_set_contents (info, flatpak_info, -1, &error);
      g_assert_no_error (error);
    }
}

/* The bus and other children go with the test, even one that aborts
 * before its teardown. */
static void
bus_child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

/* A private bus with the limits of the usual session bus (GTestDBus's
 * has dbus-daemon's built-in ones: 128 pending calls per connection). */
static void
bus_start (Fixture *fixture)
{
  g_autofree char *config = g_strdup_printf ("--config-file=%s", TEST_BUS_CONFIG);
  const char *argv[] = { "dbus-daemon", config, "--nofork", "--print-address=1", NULL };
  g_autoptr(GError) error = NULL;
  GString *address = g_string_new (NULL);
  char c;

  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                            bus_child_setup, NULL, &fixture->bus_pid, NULL, &fixture->bus_stdout, NULL, &error);
  g_assert_no_error (error);
  while (read (fixture->bus_stdout, &c, 1) == 1 && c != '\n')
    g_string_append_c (address, c);
  g_assert_cmpuint (address->len, >, 0);
  fixture->bus_address = g_string_free (address, FALSE);
}

static void
bus_stop (Fixture *fixture)
{
  kill (fixture->bus_pid, SIGTERM);
  waitpid (fixture->bus_pid, NULL, 0);
  close (fixture->bus_stdout);
  g_free (fixture->bus_address);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  const char * const service_args[] = { "--sign-message", NULL };
  g_autoptr(GError) error = NULL;

  fixture->options = data != NULL ? data : &default_options;
  g_mutex_init (&fixture->lock);
  g_cond_init (&fixture->cond);
  if (fixture->options->fake)
    {
      fixture->fake = fake_service_new ();
      fake_service_set_handler (fixture->fake, fake_answer, fixture);
      fixture->endpoint = fake_service_get_endpoint (fixture->fake);
    }
  else
    {
      fixture->service = parsec_test_service_start_with_args ("direct", NULL, service_args, &error);
      g_assert_no_error (error);
      fixture->endpoint = parsec_test_service_get_endpoint (fixture->service);
    }

  bus_start (fixture);

  fixture->proc_root = g_dir_make_tmp ("parsec-dbus-proc-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->children = g_array_new (FALSE, FALSE, sizeof (GPid));

  fixture->context = g_main_context_new ();
  fixture->loop = g_main_loop_new (fixture->context, FALSE);
  fixture->thread = g_thread_new ("exporter", exporter_thread, fixture);
  g_mutex_lock (&fixture->lock);
  while (!fixture->ready)
    g_cond_wait (&fixture->cond, &fixture->lock);
  g_mutex_unlock (&fixture->lock);
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* Withdraws the interface and lets the exporter go, with everything it
 * held. */
static void
exporter_stop (Fixture *fixture)
{
  if (fixture->thread == NULL)
    return;
  g_main_context_invoke (fixture->context, quit_loop, fixture->loop);
  g_thread_join (g_steal_pointer (&fixture->thread));
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  exporter_stop (fixture);
  g_main_loop_unref (fixture->loop);
  g_main_context_unref (fixture->context);
  g_free (fixture->server_name);
  g_hash_table_unref (fixture->credentials);
  for (guint i = 0; i < fixture->children->len; i++)
    {
      GPid pid = g_array_index (fixture->children, GPid, i);

      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  g_array_unref (fixture->children);

  bus_stop (fixture);
  parsec_test_remove_tree (fixture->proc_root);
  g_free (fixture->proc_root);
  g_clear_pointer (&fixture->service, parsec_test_service_free);
  g_clear_pointer (&fixture->fake, fake_service_free);
  g_mutex_clear (&fixture->lock);
  g_cond_clear (&fixture->cond);
}

/* A new connection to the bus, playing process @pid of user @uid (when
 * @pid is not 0) with the pidfd @pidfd (or -1) as the bus's ProcessFD,
 * and a proxy for the exporter on it. */
static ParsecGenCrypto1 *
caller_new_full (Fixture *fixture,
                 guint32  uid,
                 guint32  pid,
                 int      pidfd)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  ParsecGenCrypto1 *proxy;

  connection = g_dbus_connection_new_for_address_sync (fixture->bus_address,
                                                       G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                       G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                       NULL, NULL, &error);
  g_assert_no_error (error);
  if (pid != 0)
    {
      g_mutex_lock (&fixture->lock);
      g_hash_table_insert (fixture->credentials, g_strdup (g_dbus_connection_get_unique_name (connection)),
                           g_strdup_printf ("%u %u %d", uid, pid, pidfd));
      g_mutex_unlock (&fixture->lock);
    }
  proxy = parsec_gen_crypto1_proxy_new_sync (connection, G_DBUS_PROXY_FLAGS_NONE, fixture->server_name,
                                             PARSEC_DBUS_OBJECT_PATH, NULL, &error);
  g_assert_no_error (error);
  return proxy;
}

static ParsecGenCrypto1 *
caller_new (Fixture *fixture,
            guint32  uid,
            guint32  pid)
{
  return caller_new_full (fixture, uid, pid, -1);
}

/* What the service holds for an application name, asked directly. */
static gboolean
service_has_key (Fixture    *fixture,
                 const char *application_name,
                 const char *key_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GPtrArray) keys = NULL;

  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fixture->endpoint,
                           "application-name", application_name,
                           "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                           NULL);
  g_assert_no_error (error);
  keys = parsec_client_list_keys (client, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    if (g_str_equal (parsec_key_get_name (g_ptr_array_index (keys, i)), key_name))
      return TRUE;
  return FALSE;
}

static GVariant *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  GVariant *value = g_variant_parse (NULL, text, NULL, NULL, &error);

  g_assert_no_error (error);
  return value;
}

static GVariant *
bytes_variant (const void *data,
               gsize       len)
{
  return g_variant_ref_sink (g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, data, len, 1));
}

/* Reads the secret behind handle 0 of @handle in @fd_list, checking that
 * it is sealed against change. */
static GBytes *
read_secret (GVariant    *handle,
             GUnixFDList *fd_list)
{
  g_autoptr(GError) error = NULL;
  GByteArray *data = g_byte_array_new ();
  int fd, seals;
  guint8 buffer[4096];
  gssize n;

  g_assert_nonnull (fd_list);
  g_assert_cmpint (g_unix_fd_list_get_length (fd_list), ==, 1);
  fd = g_unix_fd_list_get (fd_list, g_variant_get_handle (handle), &error);
  g_assert_no_error (error);
  seals = fcntl (fd, F_GET_SEALS);
  g_assert_cmpint (seals & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK), ==, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK);
  while ((n = read (fd, buffer, sizeof buffer)) > 0)
    g_byte_array_append (data, buffer, (guint) n);
  g_assert_cmpint (n, ==, 0);
  close (fd);
  return g_byte_array_free_to_bytes (data);
}

static void
assert_bytes (GVariant   *value,
              const void *data,
              gsize       len)
{
  gsize n;
  const void *got = g_variant_get_fixed_array (value, &n, 1);

  g_assert_cmpmem (got, n, data, len);
}

static const char ecdsa_key[] =
  "{'type': <'ecc-key-pair'>, 'curve': <'secp-r1'>, 'bits': <uint32 256>,"
  " 'usage': <['sign-hash', 'verify-hash', 'sign-message', 'verify-message', 'export']>,"
  " 'algorithm': <{'kind': <'ecdsa'>, 'hash': <'sha256'>}>}";
static const char ecdsa[] = "{'kind': <'ecdsa'>, 'hash': <'sha256'>}";

/* What the service's provider offers, asked directly. */
static ParsecTestProvider *
service_provider (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  ParsecTestProvider *provider = parsec_test_service_query_provider (fixture->service, &error);

  g_assert_no_error (error);
  return provider;
}

static gboolean
service_offers (Fixture *fixture,
                guint32  opcode)
{
  g_autoptr(ParsecTestProvider) provider = service_provider (fixture);

  return parsec_test_provider_offers (provider, opcode);
}

/* Every method, as one unsandboxed caller. */
static void
test_methods (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) providers = NULL, keys = NULL, attributes = NULL, digest = NULL;
  g_autoptr(GVariant) signature = NULL, message_signature = NULL, public_key = NULL, der = NULL;
  g_autoptr(GVariant) handle = NULL, ciphertext = NULL, aead_ciphertext = NULL, algorithm = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), alg = parse (ecdsa);
  g_autoptr(GVariant) hello = bytes_variant ("hello", 5), other = bytes_variant ("other", 5);
  g_autoptr(GVariant) empty = bytes_variant ("", 0);
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GBytes) secret = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 expected[32];
  gsize expected_len = sizeof expected;
  const char *type = NULL, *curve = NULL, *kind = NULL, *hash = NULL;
  guint major = 0, minor = 0, bits = 0;
  gboolean found_provider = FALSE, found_key = FALSE;
  g_autoptr(ParsecTestProvider) provider = service_provider (fixture);
  GVariantIter iter;
  GVariant *entry;

  fake_process (fixture, 1001, "/usr/bin/app-a", NULL);
  proxy = caller_new (fixture, (guint32) geteuid (), 1001);

  g_assert_cmpuint (parsec_gen_crypto1_get_version (proxy), ==, PARSEC_DBUS_INTERFACE_VERSION);

  parsec_gen_crypto1_call_ping_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (major, ==, 1);
  g_assert_cmpuint (minor, ==, 0);

  parsec_gen_crypto1_call_list_providers_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &providers, NULL, &error);
  g_assert_no_error (error);
  g_variant_iter_init (&iter, providers);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      guint32 id = G_MAXUINT32;
      const char *uuid = NULL;

      g_assert_true (g_variant_lookup (entry, "id", "u", &id));
      g_assert_true (g_variant_lookup (entry, "uuid", "&s", &uuid));
      if (id == provider->provider)
        found_provider = g_str_equal (uuid, provider->uuid);
      g_variant_unref (entry);
    }
  g_assert_true (found_provider);

  /* Keys */
  parsec_gen_crypto1_call_generate_key_sync (proxy, "sig", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  parsec_gen_crypto1_call_list_keys_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_no_error (error);
  g_variant_iter_init (&iter, keys);
  while ((entry = g_variant_iter_next_value (&iter)) != NULL)
    {
      const char *name = NULL;
      guint32 key_provider = 0;

      g_assert_true (g_variant_lookup (entry, "name", "&s", &name));
      g_assert_true (g_variant_lookup (entry, "provider", "u", &key_provider));
      if (g_str_equal (name, "sig"))
        found_key = key_provider == provider->provider;
      g_variant_unref (entry);
    }
  g_assert_true (found_key);

  parsec_gen_crypto1_call_get_key_attributes_sync (proxy, "sig", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_variant_lookup (attributes, "type", "&s", &type));
  g_assert_cmpstr (type, ==, "ecc-key-pair");
  g_assert_true (g_variant_lookup (attributes, "curve", "&s", &curve));
  g_assert_cmpstr (curve, ==, "secp-r1");
  g_assert_true (g_variant_lookup (attributes, "bits", "u", &bits));
  g_assert_cmpuint (bits, ==, 256);
  algorithm = g_variant_lookup_value (attributes, "algorithm", G_VARIANT_TYPE_VARDICT);
  g_assert_true (g_variant_lookup (algorithm, "kind", "&s", &kind));
  g_assert_cmpstr (kind, ==, "ecdsa");
  g_assert_true (g_variant_lookup (algorithm, "hash", "&s", &hash));
  g_assert_cmpstr (hash, ==, "sha256");

  /* Hashes; the TPM provider has none, and the caller gets the
   * library's error for an operation the provider lacks. */
  g_checksum_update (checksum, (const guchar *) "hello", 5);
  g_checksum_get_digest (checksum, expected, &expected_len);
  if (parsec_test_provider_offers (provider, PARSEC_OPCODE_PSA_HASH_COMPUTE))
    {
      parsec_gen_crypto1_call_hash_compute_sync (proxy, "sha256", hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                 &digest, NULL, &error);
      g_assert_no_error (error);
      assert_bytes (digest, expected, expected_len);
      parsec_gen_crypto1_call_hash_compare_sync (proxy, "sha-256", hello, digest, G_DBUS_CALL_FLAGS_NONE,
                                                 TIMEOUT_MS, NULL, &error);
      g_assert_no_error (error);
      parsec_gen_crypto1_call_hash_compare_sync (proxy, "sha256", other, digest, G_DBUS_CALL_FLAGS_NONE,
                                                 TIMEOUT_MS, NULL, &error);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
      g_clear_error (&error);
    }
  else
    {
      parsec_gen_crypto1_call_hash_compute_sync (proxy, "sha256", hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                 &digest, NULL, &error);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_clear_error (&error);
      digest = bytes_variant (expected, expected_len);
    }

  /* Signatures */
  parsec_gen_crypto1_call_sign_hash_sync (proxy, "sig", alg, digest, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                          &signature, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (signature), ==, 64);
  parsec_gen_crypto1_call_verify_hash_sync (proxy, "sig", alg, digest, signature, G_DBUS_CALL_FLAGS_NONE,
                                            TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GVariant) wrong = NULL;

    expected[0] ^= 1;
    wrong = bytes_variant (expected, expected_len);
    expected[0] ^= 1;
    parsec_gen_crypto1_call_verify_hash_sync (proxy, "sig", alg, wrong, signature, G_DBUS_CALL_FLAGS_NONE,
                                              TIMEOUT_MS, NULL, &error);
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
    g_clear_error (&error);
  }

  /* Parsec 1.5.0's Mbed Crypto provider has no message operations (the
   * test service has them with --sign-message): the caller gets the
   * library's error for an operation the provider lacks. */
  if (service_offers (fixture, PARSEC_OPCODE_PSA_SIGN_MESSAGE))
    {
      parsec_gen_crypto1_call_sign_message_sync (proxy, "sig", alg, hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                 &message_signature, NULL, &error);
      g_assert_no_error (error);
      parsec_gen_crypto1_call_verify_message_sync (proxy, "sig", alg, hello, message_signature,
                                                   G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
      g_assert_no_error (error);
      parsec_gen_crypto1_call_verify_message_sync (proxy, "sig", alg, other, message_signature,
                                                   G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
      g_clear_error (&error);
    }
  else
    {
      parsec_gen_crypto1_call_sign_message_sync (proxy, "sig", alg, hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                 &message_signature, NULL, &error);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_clear_error (&error);
      parsec_gen_crypto1_call_verify_message_sync (proxy, "sig", alg, hello, signature,
                                                   G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_clear_error (&error);
    }

  /* Public and private key export */
  parsec_gen_crypto1_call_export_public_key_sync (proxy, "sig", "psa", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                  &public_key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (public_key), ==, 65);
  parsec_gen_crypto1_call_export_public_key_sync (proxy, "sig", "der", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                  &der, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (der), ==, 91);

  parsec_gen_crypto1_call_export_key_sync (proxy, "sig", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL,
                                           &handle, &fd_list, NULL, &error);
  /* The TPM provider exports no private key. */
  if (!parsec_test_provider_offers (provider, PARSEC_OPCODE_PSA_EXPORT_KEY))
    {
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
      g_clear_error (&error);
    }
  else
    {
      g_assert_no_error (error);
      secret = read_secret (handle, fd_list);
      g_assert_cmpuint (g_bytes_get_size (secret), ==, 32);
      g_clear_pointer (&handle, g_variant_unref);
      g_clear_pointer (&secret, g_bytes_unref);
      g_clear_object (&fd_list);
    }

  /* Asymmetric encryption */
  {
    g_autoptr(GVariant) rsa_key = parse ("{'type': <'rsa-key-pair'>, 'bits': <uint32 1024>,"
                                         " 'usage': <['encrypt', 'decrypt']>,"
                                         " 'algorithm': <{'kind': <'rsa-pkcs1v15-crypt'>}>}");
    g_autoptr(GVariant) rsa = parse ("{'kind': <'rsa-pkcs1v15-crypt'>}");

    parsec_gen_crypto1_call_generate_key_sync (proxy, "rsa", rsa_key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                               NULL, &error);
    g_assert_no_error (error);
    parsec_gen_crypto1_call_asymmetric_encrypt_sync (proxy, "rsa", rsa, hello, empty, G_DBUS_CALL_FLAGS_NONE,
                                                     TIMEOUT_MS, &ciphertext, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_variant_n_children (ciphertext), ==, 128);
    parsec_gen_crypto1_call_asymmetric_decrypt_sync (proxy, "rsa", rsa, ciphertext, empty, G_DBUS_CALL_FLAGS_NONE,
                                                     TIMEOUT_MS, NULL, &handle, &fd_list, NULL, &error);
    g_assert_no_error (error);
    secret = read_secret (handle, fd_list);
    g_assert_cmpmem (g_bytes_get_data (secret, NULL), g_bytes_get_size (secret), "hello", 5);
    g_clear_pointer (&handle, g_variant_unref);
    g_clear_pointer (&secret, g_bytes_unref);
    g_clear_object (&fd_list);
  }

  /* AEAD, with an imported key */
  {
    static const guint8 aes_key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    static const guint8 nonce_data[12] = { 0 };
    g_autoptr(GVariant) aes_attributes = parse ("{'type': <'aes'>, 'bits': <uint32 128>,"
                                                " 'usage': <['encrypt', 'decrypt']>,"
                                                " 'algorithm': <{'kind': <'gcm'>}>}");
    g_autoptr(GVariant) gcm = parse ("{'kind': <'gcm'>}");
    g_autoptr(GVariant) key_data = bytes_variant (aes_key, sizeof aes_key);
    g_autoptr(GVariant) nonce = bytes_variant (nonce_data, sizeof nonce_data);
    g_autoptr(GVariant) ad = bytes_variant ("header", 6);

    parsec_gen_crypto1_call_import_key_sync (proxy, "aes", aes_attributes, key_data, G_DBUS_CALL_FLAGS_NONE,
                                             TIMEOUT_MS, NULL, &error);
    /* The TPM provider has no AEAD and imports no AES key. */
    if (!parsec_test_provider_offers (provider, PARSEC_OPCODE_PSA_AEAD_ENCRYPT))
      {
        parsec_test_assert_provider_limit (error);
        g_clear_error (&error);
        parsec_gen_crypto1_call_aead_encrypt_sync (proxy, "aes", gcm, nonce, ad, hello, G_DBUS_CALL_FLAGS_NONE,
                                                   TIMEOUT_MS, &aead_ciphertext, NULL, &error);
        g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
        g_clear_error (&error);
        goto random;
      }
    g_assert_no_error (error);
    parsec_gen_crypto1_call_aead_encrypt_sync (proxy, "aes", gcm, nonce, ad, hello, G_DBUS_CALL_FLAGS_NONE,
                                               TIMEOUT_MS, &aead_ciphertext, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_variant_n_children (aead_ciphertext), ==, 5 + 16);
    parsec_gen_crypto1_call_aead_decrypt_sync (proxy, "aes", gcm, nonce, ad, aead_ciphertext,
                                               G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &handle, &fd_list,
                                               NULL, &error);
    g_assert_no_error (error);
    secret = read_secret (handle, fd_list);
    g_assert_cmpmem (g_bytes_get_data (secret, NULL), g_bytes_get_size (secret), "hello", 5);
    g_clear_pointer (&handle, g_variant_unref);
    g_clear_pointer (&secret, g_bytes_unref);
    g_clear_object (&fd_list);

    /* A wrong tag: the service's refusal comes back as its error. */
    parsec_gen_crypto1_call_aead_decrypt_sync (proxy, "aes", gcm, nonce, hello, aead_ciphertext,
                                               G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &handle, &fd_list,
                                               NULL, &error);
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
    g_clear_error (&error);
  }

  /* Random bytes, more than the TPM provider gives per request */
random:
  parsec_gen_crypto1_call_generate_random_sync (proxy, 100, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL,
                                                &handle, &fd_list, NULL, &error);
  g_assert_no_error (error);
  secret = read_secret (handle, fd_list);
  g_assert_cmpuint (g_bytes_get_size (secret), ==, 100);

  /* Destroy, and the error of a key that is gone */
  parsec_gen_crypto1_call_destroy_key_sync (proxy, "sig", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_get_key_attributes_sync (proxy, "sig", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   NULL, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_true (g_dbus_error_is_remote_error (error));
  {
    g_autofree char *remote = g_dbus_error_get_remote_error (error);

    g_assert_cmpstr (remote, ==, "community.parsec.Error.PsaErrorDoesNotExist");
  }
}

/* Arguments the interface refuses, and service errors by name. */
static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const bad_attributes[] = {
    "{'bits': <uint32 256>}",                                          /* no type */
    "{'type': <'ecc-key-pair'>, 'bits': <uint32 256>}",                /* no curve */
    "{'type': <'aes'>, 'curve': <'secp-r1'>}",                         /* curve on AES */
    "{'type': <'aes'>, 'bitz': <uint32 128>}",                         /* typo */
    "{'type': <'aes'>, 'bits': <128>}",                                /* int32 */
    "{'type': <'aes'>, 'usage': <['encrypt', 'sign']>}",               /* unknown usage */
    "{'type': <'aes'>, 'algorithm': <{'kind': <'gcm'>, 'hash': <'sha256'>}>}",   /* hash on GCM */
    "{'type': <'aes'>, 'algorithm': <{'kind': <'hmac'>}>}",            /* HMAC without hash */
    "{'type': <'aes'>, 'algorithm': <{'kind': <'rsa-oaep'>, 'hash': <'any'>}>}", /* any outside signatures */
    "{'type': <'aes'>, 'algorithm': <{'kind': <'gcm'>, 'tag-length': <uint32 0>}>}",
    "{'type': <'derive'>, 'algorithm': <{'kind': <'ecdh'>, 'derivation': <{'kind': <'gcm'>}>}>}",
  };
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), hello = bytes_variant ("hello", 5);
  g_autoptr(GVariant) rsa = parse ("{'kind': <'rsa-pkcs1v15-crypt'>}");
  g_autoptr(GVariant) output = NULL;

  fake_process (fixture, 1001, "/usr/bin/app-a", NULL);
  proxy = caller_new (fixture, (guint32) geteuid (), 1001);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_attributes); i++)
    {
      g_autoptr(GVariant) attributes = parse (bad_attributes[i]);

      g_test_message ("%s", bad_attributes[i]);
      parsec_gen_crypto1_call_generate_key_sync (proxy, "k", attributes, G_DBUS_CALL_FLAGS_NONE,
                                                 TIMEOUT_MS, NULL, &error);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
      g_clear_error (&error);
    }

  parsec_gen_crypto1_call_hash_compute_sync (proxy, "sha257", hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                             &output, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);
  parsec_gen_crypto1_call_export_public_key_sync (proxy, "k", "jwk", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                  &output, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
  g_clear_error (&error);

  parsec_gen_crypto1_call_generate_key_sync (proxy, "k", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_generate_key_sync (proxy, "k", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_ALREADY_EXISTS);
  g_clear_error (&error);

  /* A policy that forbids the operation. */
  parsec_gen_crypto1_call_asymmetric_encrypt_sync (proxy, "k", rsa, hello, hello, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &output,
                                                   NULL, &error);
  g_assert_nonnull (error);
  g_assert_true (error->domain == PARSEC_ERROR);
  g_clear_error (&error);

  /* By hand, without the generated code: the error name on the wire. */
  {
    GDBusConnection *connection = g_dbus_proxy_get_connection (G_DBUS_PROXY (proxy));
    g_autoptr(GVariant) reply = NULL;
    g_autofree char *remote = NULL;

    reply = g_dbus_connection_call_sync (connection, fixture->server_name, PARSEC_DBUS_OBJECT_PATH,
                                         PARSEC_DBUS_INTERFACE_NAME, "DestroyKey",
                                         g_variant_new ("(s)", "never-made"), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
    g_assert_null (reply);
    remote = g_dbus_error_get_remote_error (error);
    g_assert_cmpstr (remote, ==, "community.parsec.Error.PsaErrorDoesNotExist");
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
    g_clear_error (&error);

    reply = g_dbus_connection_call_sync (connection, fixture->server_name, PARSEC_DBUS_OBJECT_PATH,
                                         PARSEC_DBUS_INTERFACE_NAME, "DestroyKey",
                                         g_variant_new ("(u)", 7), NULL,
                                         G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
    g_clear_error (&error);

    /* Descriptors that no method takes, which would pile up in the
     * service while calls wait. */
    {
      g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();

      g_assert_cmpint (g_unix_fd_list_append (fds, 0, &error), ==, 0);
      g_assert_no_error (error);
      reply = g_dbus_connection_call_with_unix_fd_list_sync (connection, fixture->server_name, PARSEC_DBUS_OBJECT_PATH,
                                                             PARSEC_DBUS_INTERFACE_NAME, "DestroyKey",
                                                             g_variant_new ("(s)", "k"), NULL,
                                                             G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, fds, NULL,
                                                             NULL, &error);
      g_assert_null (reply);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS);
    }
  }
}

/* Two unsandboxed programs see their own keys only, even under one name. */
static void
test_isolation (Fixture       *fixture,
                gconstpointer  data)
{
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) a = NULL, b = NULL, a_again = NULL, stranger = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), keys = NULL, attributes = NULL;
  g_autofree char *name_a = g_strdup_printf ("dbus:uid=%u:exe=/usr/bin/app-a", uid);
  g_autofree char *name_b = g_strdup_printf ("dbus:uid=%u:exe=/usr/bin/app-b", uid);
  guint major, minor;

  fake_process (fixture, 1001, "/usr/bin/app-a", NULL);
  fake_process (fixture, 1002, "/usr/bin/app-b", NULL);
  fake_process (fixture, 1003, "/usr/bin/app-a (deleted)", NULL);
  fake_process (fixture, 1004, "/usr/bin/app-a", NULL);
  a = caller_new (fixture, uid, 1001);
  b = caller_new (fixture, uid, 1002);

  parsec_gen_crypto1_call_generate_key_sync (a, "mine", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  parsec_gen_crypto1_call_list_keys_sync (b, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (keys), ==, 0);
  parsec_gen_crypto1_call_get_key_attributes_sync (b, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  parsec_gen_crypto1_call_destroy_key_sync (b, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);
  /* The same name in B's namespace is another key. */
  parsec_gen_crypto1_call_generate_key_sync (b, "mine", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (service_has_key (fixture, name_a, "mine"));
  g_assert_true (service_has_key (fixture, name_b, "mine"));

  /* The same program in another process, or updated on disk while it
   * runs, is the same identity. */
  a_again = caller_new (fixture, uid, 1003);
  parsec_gen_crypto1_call_get_key_attributes_sync (a_again, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&a_again);
  a_again = caller_new (fixture, uid, 1004);
  parsec_gen_crypto1_call_destroy_key_sync (a_again, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (service_has_key (fixture, name_a, "mine"));
  g_assert_true (service_has_key (fixture, name_b, "mine"));

  /* Another user is refused, whatever it asks. */
  fake_process (fixture, 1005, "/usr/bin/app-a", NULL);
  stranger = caller_new (fixture, uid + 1, 1005);
  parsec_gen_crypto1_call_ping_sync (stranger, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  parsec_gen_crypto1_call_list_keys_sync (stranger, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
}

/* A Flatpak app is known by its app id, whatever its executable. */
static void
test_sandboxed (Fixture       *fixture,
                gconstpointer  data)
{
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) app = NULL, same_app = NULL, host = NULL, broken = NULL, forged = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), attributes = NULL;
  g_autofree char *app_name = g_strdup_printf ("dbus:uid=%u:flatpak=org.example.App", uid);
  guint major, minor;

  fake_process (fixture, 2001, "/app/bin/example", "[Application]\nname=org.example.App\nruntime=runtime/org.gnome.Platform/x86_64/45\n");
  fake_process (fixture, 2002, "/usr/bin/xdg-dbus-proxy", "[Application]\nname=org.example.App\n");
  fake_process (fixture, 2003, "/app/bin/example", NULL);
  fake_process (fixture, 2004, "/usr/bin/bwrap", "[Runtime]\nruntime=runtime/org.gnome.Platform/x86_64/45\n");
  fake_process (fixture, 2005, "/app/bin/x", "[Application]\nname=dbus:uid=0:exe=/usr/bin/app-a\n");
  app = caller_new (fixture, uid, 2001);
  same_app = caller_new (fixture, uid, 2002);
  host = caller_new (fixture, uid, 2003);
  broken = caller_new (fixture, uid, 2004);
  forged = caller_new (fixture, uid, 2005);

  parsec_gen_crypto1_call_generate_key_sync (app, "app-key", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (service_has_key (fixture, app_name, "app-key"));

  parsec_gen_crypto1_call_get_key_attributes_sync (same_app, "app-key", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&attributes, g_variant_unref);

  /* The same executable outside the sandbox is somebody else. */
  parsec_gen_crypto1_call_get_key_attributes_sync (host, "app-key", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                   &attributes, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);

  /* A sandbox without an app id, or with one that is not an app id, is
   * refused rather than taken for unsandboxed. */
  parsec_gen_crypto1_call_ping_sync (broken, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  parsec_gen_crypto1_call_ping_sync (forged, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
}

/* Without test hooks: the bus's credentials and the real /proc. */
static void
test_real_identity (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key);
  g_autofree char *prefix = g_strdup_printf ("dbus:uid=%u:exe=/", (guint32) geteuid ());
  char *name = NULL;
  guint64 start_time = 0;

  /* What this process is to the rules (not /proc/self/exe, which
   * valgrind rewrites for the process itself but not for others). */
  name = _parsec_dbus_identity_resolve ("/proc", (guint32) geteuid (), (guint32) geteuid (), (guint32) getpid (),
                                        -1, &start_time, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (name, prefix));
  g_assert_cmpuint (start_time, >, 0);

  proxy = caller_new (fixture, 0, 0);
  parsec_gen_crypto1_call_generate_key_sync (proxy, "real", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  /* Held to at later calls, against the real /proc too. */
  parsec_gen_crypto1_call_get_key_attributes_sync (proxy, "real", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (service_has_key (fixture, name, "real"));
  secure_free (name);
}

typedef struct {
  guint pending;
  guint failed;
} Batch;

static void
batch_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Batch *batch = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_proxy_call_with_unix_fd_list_finish (G_DBUS_PROXY (source), NULL, result, &error);

  if (reply == NULL)
    {
      g_test_message ("%s", error->message);
      batch->failed++;
    }
  batch->pending--;
}

/* Many callers, many calls in flight at once, each answered. */
static void
test_concurrent (Fixture       *fixture,
                 gconstpointer  data)
{
  enum { N_CALLERS = 4, N_CALLS = 25 };
  ParsecGenCrypto1 *callers[N_CALLERS];
  Batch batch = { 0 };
  /* Random bytes and hashes; where the provider has no hashes (TPM),
   * random bytes it gives in two answers. */
  gboolean hashes = service_offers (fixture, PARSEC_OPCODE_PSA_HASH_COMPUTE);

  for (guint i = 0; i < N_CALLERS; i++)
    {
      g_autofree char *exe = g_strdup_printf ("/usr/bin/app-%u", i);

      fake_process (fixture, 3000 + i, exe, NULL);
      callers[i] = caller_new (fixture, (guint32) geteuid (), 3000 + i);
    }
  for (guint i = 0; i < N_CALLERS; i++)
    for (guint j = 0; j < N_CALLS; j++)
      {
        gboolean hash = j % 2 == 1 && hashes;
        GVariant *parameters = !hash
          ? g_variant_new ("(t)", (guint64) (j % 2 == 0 ? 64 : 100))
          : g_variant_new ("(s@ay)", "sha512", g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, "x", 1, 1));

        batch.pending++;
        g_dbus_proxy_call_with_unix_fd_list (G_DBUS_PROXY (callers[i]),
                                             hash ? "HashCompute" : "GenerateRandom", parameters,
                                             G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, NULL, batch_done, &batch);
      }
  while (batch.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (batch.failed, ==, 0);
  for (guint i = 0; i < N_CALLERS; i++)
    g_object_unref (callers[i]);
}

/* The descriptors this process may still open, all taken. */
typedef struct {
  struct rlimit saved;
  GArray *fds;
} FdHog;

/* Takes them all, a few hundred (the soft limit lowered for the while;
 * where that is refused, as under valgrind, it takes longer). */
static void
fds_exhaust (FdHog *hog)
{
  struct rlimit limit;
  int fd;

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &hog->saved), ==, 0);
  limit = hog->saved;
  limit.rlim_cur = MIN (limit.rlim_cur, 512);
  setrlimit (RLIMIT_NOFILE, &limit);
  hog->fds = g_array_new (FALSE, FALSE, sizeof (int));
  while ((fd = dup (0)) >= 0)
    g_array_append_val (hog->fds, fd);
  g_assert_cmpint (errno, ==, EMFILE);
}

static void
fds_release (FdHog *hog)
{
  for (guint i = 0; i < hog->fds->len; i++)
    close (g_array_index (hog->fds, int, i));
  g_clear_pointer (&hog->fds, g_array_unref);
  setrlimit (RLIMIT_NOFILE, &hog->saved);
}

/* SignData and VerifyData: data of any length signed with the key's
 * policy, hashed in the D-Bus service; the signature is the one SignHash
 * makes of the data's SHA-256 digest, and VerifyHash accepts it. */
static void
test_data_signature (Fixture       *fixture,
                     gconstpointer  data)
{
  enum { LARGE = 3 * 1024 * 1024 };
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), alg = parse (ecdsa);
  g_autofree guint8 *large = g_malloc (LARGE);
  g_autoptr(GVariant) input = NULL, other = bytes_variant ("other", 5);
  g_autoptr(GVariant) signature = NULL, digest_variant = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  gsize len;

  for (gsize i = 0; i < LARGE; i++)
    large[i] = (guint8) (i * 7);
  input = bytes_variant (large, LARGE);
  g_checksum_update (checksum, large, LARGE);
  g_checksum_get_digest (checksum, digest, &digest_len);
  digest_variant = bytes_variant (digest, digest_len);

  fake_process (fixture, 1101, "/usr/bin/app-data", NULL);
  proxy = caller_new (fixture, (guint32) geteuid (), 1101);
  parsec_gen_crypto1_call_generate_key_sync (proxy, "data", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  parsec_gen_crypto1_call_sign_data_sync (proxy, "data", input, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &signature,
                                          NULL, &error);
  g_assert_no_error (error);
  g_variant_get_fixed_array (signature, &len, 1);
  g_assert_cmpuint (len, ==, 64);

  parsec_gen_crypto1_call_verify_data_sync (proxy, "data", input, signature, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                            NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_verify_hash_sync (proxy, "data", alg, digest_variant, signature, G_DBUS_CALL_FLAGS_NONE,
                                            TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  parsec_gen_crypto1_call_verify_data_sync (proxy, "data", other, signature, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                            NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
  g_clear_error (&error);

  g_clear_pointer (&signature, g_variant_unref);
  parsec_gen_crypto1_call_sign_data_sync (proxy, "missing", other, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &signature,
                                          NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_null (signature);
}

/* Writes @contents (@len bytes, or up to the NUL when -1) as the file
 * @name of the made-up process @pid. */
static void
fake_proc_file (const char *proc_root,
                guint32     pid,
                const char *name,
                const char *contents,
                gssize      len)
{
  g_autofree char *path = g_strdup_printf ("%s/%u/%s", proc_root, pid, name);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
}

#define CMDLINE(text) text, sizeof text - 1

/* How host applications and scripts are named: the application id of
 * the systemd unit a desktop started them in, the script an interpreter
 * runs, or else the executable. */
static void
test_host_names (void)
{
  static const char unit_prefix[] = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/";
  static const struct {
    const char *exe;
    const char *unit;             /* NULL: no cgroup file */
    const char *cmdline;          /* NUL-separated, ending with "\0" */
    gsize cmdline_len;
    const char *expected;
  } cases[] = {
    { "/usr/bin/editor", "app-gnome-org.example.Editor-4521.scope", NULL, 0, "app=org.example.Editor" },
    { "/usr/bin/editor", "app-org.example.My\\x2dApp-17.scope", NULL, 0, "app=org.example.My-App" },
    { "/usr/bin/mail", "app-gnome-org.example.Mail@2f9c.service", NULL, 0, "app=org.example.Mail" },
    { "/usr/bin/mail", "app-org.example.Mail.service", NULL, 0, "app=org.example.Mail" },
    /* Not an application id, or not an application's unit */
    { "/usr/bin/firefox", "app-gnome-firefox-1234.scope", NULL, 0, "exe=/usr/bin/firefox" },
    { "/usr/bin/bash", "vte-spawn-0c2f.scope", NULL, 0, "exe=/usr/bin/bash" },
    { "/usr/bin/tool", NULL, NULL, 0, "exe=/usr/bin/tool" },
    /* Interpreters */
    { "/usr/bin/gjs-console", "session.slice", CMDLINE ("gjs\0-m\0/opt/app/main.js\0"),
      "interpreter=/usr/bin/gjs-console:script=/opt/app/main.js" },
    { "/usr/bin/python3.11", NULL, CMDLINE ("python3\0-u\0tools/run.py\0--flag\0"),
      "interpreter=/usr/bin/python3.11:script=/home/u/tools/run.py" },
    { "/opt/a:b/python3", NULL, CMDLINE ("python3\0../x.py\0"), "interpreter=/opt/a%3Ab/python3:script=/home/x.py" },
    { "/usr/bin/python3.11", NULL, CMDLINE ("python3\0-c\0print(1)\0"), "exe=/usr/bin/python3.11" },
    { "/usr/bin/python3.11", NULL, CMDLINE ("python3\0-m\0http.server\0"), "exe=/usr/bin/python3.11" },
    { "/usr/bin/python3.11", NULL, CMDLINE ("python3\0"), "exe=/usr/bin/python3.11" },
    /* An application's unit wins over the interpreter */
    { "/usr/bin/gjs-console", "app-org.example.Js-3.scope", CMDLINE ("gjs\0/opt/js/main.js\0"), "app=org.example.Js" },
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("parsec-dbus-proc-XXXXXX", &error);
  Fixture fake = { .proc_root = root };

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint32 pid = 100 + (guint32) i;
      g_autofree char *cwd = g_strdup_printf ("%s/%u/cwd", root, pid);
      g_autofree char *expected = g_strdup_printf ("dbus:uid=1000:%s", cases[i].expected);
      char *name;

      fake_process (&fake, pid, cases[i].exe, NULL);
      g_assert_cmpint (symlink ("/home/u", cwd), ==, 0);
      if (cases[i].unit != NULL)
        {
          g_autofree char *cgroup = g_strdup_printf ("%s%s\n", unit_prefix, cases[i].unit);

          fake_proc_file (root, pid, "cgroup", cgroup, -1);
        }
      fake_proc_file (root, pid, "cmdline", cases[i].cmdline != NULL ? cases[i].cmdline : "tool\0",
                      cases[i].cmdline != NULL ? (gssize) cases[i].cmdline_len : 5);
      name = _parsec_dbus_identity_resolve (root, 1000, 1000, pid, -1, NULL, &error);
      g_test_message ("case %zu: %s", i, name);
      g_assert_no_error (error);
      g_assert_cmpstr (name, ==, expected);
      secure_free (name);
    }

  /* A FIFO as the cgroup file refuses; so does a command line too long. */
  {
    g_autofree char *cgroup = g_strdup_printf ("%s/200/cgroup", root);
    g_autofree char *long_cmdline = g_malloc0 (128 * 1024);
    char *name;

    fake_process (&fake, 200, "/usr/bin/tool", NULL);
    g_assert_cmpint (mkfifo (cgroup, 0600), ==, 0);
    name = _parsec_dbus_identity_resolve (root, 1000, 1000, 200, -1, NULL, &error);
    g_assert_null (name);
    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
    g_clear_error (&error);

    fake_process (&fake, 201, "/usr/bin/python3", NULL);
    fake_proc_file (root, 201, "cmdline", long_cmdline, 128 * 1024);
    name = _parsec_dbus_identity_resolve (root, 1000, 1000, 201, -1, NULL, &error);
    g_assert_null (name);
    g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
    g_clear_error (&error);
  }

  parsec_test_remove_tree (root);
}

/* The identity rules on their own. */
static void
test_identity_resolve (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *root = g_dir_make_tmp ("parsec-dbus-proc-XXXXXX", &error);
  Fixture fake = { .proc_root = root };
  g_autofree char *stat_21 = g_build_filename (root, "21", "stat", NULL);
  g_autofree char *stat_22 = g_build_filename (root, "22", "stat", NULL);
  g_autofree char *info_23 = g_build_filename (root, "23", "root", ".flatpak-info", NULL);
  g_autofree char *info_24 = g_build_filename (root, "24", "root", ".flatpak-info", NULL);
  g_autofree char *info_25 = g_build_filename (root, "25", "root", ".flatpak-info", NULL);
  g_autofree char *stat_26 = g_build_filename (root, "26", "stat", NULL);
  FdHog hog;
  guint64 start_time = 0;
  char *name;

  g_assert_no_error (error);
  fake_process (&fake, 10, "/opt/tool", NULL);
  fake_process (&fake, 11, "relative", NULL);
  fake_process (&fake, 12, "/app/bin/x", "[Application]\nname=org.example.Good\n");
  fake_process (&fake, 13, "/app/bin/x", "[Application]\nname=:1.42\n");
  fake_process (&fake, 14, "/app/bin/x", "not a key file");
  fake_process (&fake, 15, "/app/bin/x",
                "# Flatpak's\r\n  [Application]\r\nname[de]=org.example.Other\nname=org.example.Crlf\r\n"
                "runtime = runtime/org.gnome.Platform/x86_64/45\n[Instance]\nname=org.example.Instance\n");
  /* Whatever GKeyFile might read otherwise, or not at all. */
  fake_process (&fake, 16, "/app/bin/x", "[Application]\nname=org.example.A\nname=org.example.B\n");
  fake_process (&fake, 17, "/app/bin/x", "[Application]\nname = org.example.Spaced\n");
  fake_process (&fake, 18, "/app/bin/x", "name=org.example.Early\n[Application]\nname=org.example.Late\n");
  fake_process (&fake, 19, "/app/bin/x", "[Application]\nname=org.example.A\n[Bad]Group]\n");
  fake_process (&fake, 20, "/app/bin/x", "[Application]\nname=org\\s.example\n");
  fake_process (&fake, 21, "/opt/tool", NULL);
  g_unlink (stat_21);
  fake_process (&fake, 22, "/opt/tool", NULL);
  g_file_set_contents (stat_22, "22 (tool) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5x 0\n", -1, &error);
  g_assert_no_error (error);
  /* What a caller in a user namespace can put at its sandbox's root: a
   * FIFO (whose open would wait for a writer for good), a link to a file
   * elsewhere, a device. */
  fake_process (&fake, 23, "/app/bin/x", NULL);
  g_assert_cmpint (mkfifo (info_23, 0600), ==, 0);
  fake_process (&fake, 24, "/app/bin/x", NULL);
  g_assert_cmpint (symlink (stat_22, info_24), ==, 0);
  fake_process (&fake, 25, "/app/bin/x", NULL);
  g_assert_cmpint (symlink ("/dev/zero", info_25), ==, 0);
  fake_process (&fake, 26, "/opt/tool", NULL);
  g_unlink (stat_26);
  g_assert_cmpint (mkfifo (stat_26, 0600), ==, 0);

  name = _parsec_dbus_identity_resolve (root, 1000, 1000, 10, -1, &start_time, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "dbus:uid=1000:exe=/opt/tool");
  g_assert_cmpuint (start_time, ==, 10);
  secure_free (name);
  name = _parsec_dbus_identity_resolve (root, 1000, 1000, 12, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "dbus:uid=1000:flatpak=org.example.Good");
  secure_free (name);
  name = _parsec_dbus_identity_resolve (root, 1000, 1000, 15, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "dbus:uid=1000:flatpak=org.example.Crlf");
  secure_free (name);

  /* Another user; no process; a process that is gone; no usable
   * identity; no start time. */
  static const guint32 refused[][2] = {
    { 1001, 10 }, { 1000, 0 }, { 1000, 99 }, { 1000, 11 }, { 1000, 13 }, { 1000, 14 },
    { 1000, 16 }, { 1000, 17 }, { 1000, 18 }, { 1000, 19 }, { 1000, 20 }, { 1000, 21 }, { 1000, 22 },
    { 1000, 23 }, { 1000, 24 }, { 1000, 25 }, { 1000, 26 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_test_message ("uid %u, pid %u", refused[i][0], refused[i][1]);
      name = _parsec_dbus_identity_resolve (root, 1000, refused[i][0], refused[i][1], -1, NULL, &error);
      g_assert_null (name);
      g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
      g_clear_error (&error);
    }

  /* Out of descriptors is no verdict on the caller. */
  fds_exhaust (&hog);
  name = _parsec_dbus_identity_resolve (root, 1000, 1000, 10, -1, NULL, &error);
  fds_release (&hog);
  g_assert_null (name);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED);
  g_clear_error (&error);

  parsec_test_remove_tree (root);
}

/* The a{sv} encoding both ways. */
static void
test_encoding (void)
{
  static const char * const algorithms[] = {
    "{'kind': <'none'>}",
    "{'kind': <'hash'>, 'hash': <'sha3-256'>}",
    "{'kind': <'hmac'>, 'hash': <'sha384'>, 'mac-length': <uint32 16>}",
    "{'kind': <'cmac'>}",
    "{'kind': <'cbc-pkcs7'>}",
    "{'kind': <'chacha20-poly1305'>}",
    "{'kind': <'ccm'>, 'tag-length': <uint32 8>}",
    "{'kind': <'rsa-pss'>, 'hash': <'any'>}",
    "{'kind': <'deterministic-ecdsa'>, 'hash': <'sha512-256'>}",
    "{'kind': <'ecdsa-any'>}",
    "{'kind': <'rsa-oaep'>, 'hash': <'sha1'>}",
    "{'kind': <'ecdh'>, 'derivation': <{'kind': <'hkdf'>, 'hash': <'sha256'>}>}",
    "{'kind': <'tls12-psk-to-ms'>, 'hash': <'sha384'>}",
  };
  static const char * const attributes[] = {
    "{'type': <'ecc-public-key'>, 'curve': <'brainpool-p-r1'>, 'bits': <uint32 384>, 'usage': <['verify-hash']>,"
    " 'algorithm': <{'kind': <'ecdsa'>, 'hash': <'sha384'>}>}",
    "{'type': <'dh-key-pair'>, 'group': <'rfc7919'>, 'bits': <uint32 2048>, 'usage': <['derive']>,"
    " 'algorithm': <{'kind': <'ffdh'>}>}",
    "{'type': <'raw-data'>, 'bits': <uint32 0>, 'usage': <@as []>, 'algorithm': <{'kind': <'none'>}>}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (algorithms); i++)
    {
      g_autoptr(GVariant) input = parse (algorithms[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ParsecAlgorithm) algorithm = _parsec_dbus_algorithm_from_variant (input, &error);
      g_autoptr(GVariant) output = NULL;

      g_assert_no_error (error);
      output = g_variant_ref_sink (_parsec_dbus_algorithm_to_variant (algorithm));
      g_assert_cmpvariant (output, input);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (attributes); i++)
    {
      g_autoptr(GVariant) input = parse (attributes[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(ParsecKeyAttributes) decoded = _parsec_dbus_key_attributes_from_variant (input, &error);
      g_autoptr(GVariant) output = NULL;

      g_assert_no_error (error);
      output = g_variant_ref_sink (_parsec_dbus_key_attributes_to_variant (decoded));
      g_assert_cmpvariant (output, input);
    }
}

/* Calls made without waiting for them, counted by their outcome. */
typedef struct {
  guint pending;
  guint ok;
  guint limited;                /* LimitsExceeded */
  guint failed;                 /* anything else */
} Tally;

static void
tally_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Tally *tally = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply != NULL)
    tally->ok++;
  else if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED))
    tally->limited++;
  else if (tally->failed++ == 0)
    g_test_message ("first failure: %s", error->message);
  tally->pending--;
}

/* Calls @method with @parameters (floating), without a timeout. */
static void
call_async (ParsecGenCrypto1 *proxy,
            const char       *method,
            GVariant         *parameters,
            Tally            *tally)
{
  tally->pending++;
  g_dbus_connection_call (g_dbus_proxy_get_connection (G_DBUS_PROXY (proxy)),
                          g_dbus_proxy_get_name (G_DBUS_PROXY (proxy)), PARSEC_DBUS_OBJECT_PATH,
                          PARSEC_DBUS_INTERFACE_NAME, method, parameters, NULL, G_DBUS_CALL_FLAGS_NONE,
                          G_MAXINT, NULL, tally_done, tally);
}

/* Runs this thread's main context until @condition holds; what it waits
 * for happens on other threads too, so it looks every millisecond. */
#define WAIT_UNTIL(condition)                                                  \
  G_STMT_START {                                                               \
    gint64 wait_end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;          \
    while (!(condition))                                                       \
      {                                                                        \
        g_assert_cmpint (g_get_monotonic_time (), <, wait_end);                \
        while (g_main_context_iteration (NULL, FALSE))                         \
          ;                                                                    \
        g_usleep (1000);                                                       \
      }                                                                        \
  } G_STMT_END

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

static GVariant *
sign_hash_parameters (const char *key_name)
{
  static const guint8 digest[32] = { 0 };

  return g_variant_new ("(s@a{sv}@ay)", key_name, g_variant_new_parsed (ecdsa),
                        g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, digest, sizeof digest, 1));
}

/* The limits, against a fake service that leaves SignHash unanswered
 * until told: calls in flight per caller and in all, queues per caller
 * by count and by size, and the turns callers take. */
static void
test_limits (Fixture       *fixture,
             gconstpointer  data)
{
  enum {
    PER_CALLER = PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT,
    QUEUED = PARSEC_DBUS_MAX_CALLER_CALLS_QUEUED,
    N_BUSY = PARSEC_DBUS_MAX_CALLS_IN_FLIGHT / PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT,
    EXTRA = 10,
    BIG = 512 * 1024,
  };
  guint32 uid = (guint32) geteuid ();
  ParsecGenCrypto1 *busy[N_BUSY];
  g_autoptr(ParsecGenCrypto1) bystander = NULL, latecomer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *big_input = g_malloc0 (BIG);
  g_autoptr(GVariant) big_call = NULL;
  Tally flood = { 0 }, others = { 0 }, big = { 0 }, late = { 0 };
  guint big_fit, major, minor;
  gint64 start;

  fake_script (fixture, &(FakeScript) { .park = TRUE });
  for (guint i = 0; i < N_BUSY; i++)
    {
      g_autofree char *exe = g_strdup_printf ("/usr/bin/busy-%u", i);

      fake_process (fixture, 6000 + i, exe, NULL);
      busy[i] = caller_new (fixture, uid, 6000 + i);
    }

  /* One caller: a few calls in flight, a bounded queue behind them, and
   * the rest refused at once. */
  for (guint i = 0; i < PER_CALLER + QUEUED + EXTRA; i++)
    call_async (busy[0], "SignHash", sign_hash_parameters ("k"), &flood);
  WAIT_UNTIL (flood.limited == EXTRA && fake_service_get_parked_count (fixture->fake) == PER_CALLER);

  /* Meanwhile another caller is served, at once. */
  fake_process (fixture, 6100, "/usr/bin/bystander", NULL);
  bystander = caller_new (fixture, uid, 6100);
  start = g_get_monotonic_time ();
  parsec_gen_crypto1_call_ping_sync (bystander, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("another caller's Ping while the first has %u calls in flight and %u waiting: %.1f ms",
                  PER_CALLER, QUEUED, (g_get_monotonic_time () - start) / 1000.0);
  spin (100);
  g_assert_cmpuint (fake_service_get_parked_count (fixture->fake), ==, PER_CALLER);
  g_assert_cmpuint (flood.pending, ==, PER_CALLER + QUEUED);

  /* Every slot taken: each busy caller has as many in flight as it may,
   * and one more waiting; the last one's queue fills by size. */
  for (guint i = 1; i < N_BUSY; i++)
    for (guint j = 0; j < PER_CALLER + (i < N_BUSY - 1 ? 1 : 0); j++)
      call_async (busy[i], "SignHash", sign_hash_parameters ("k"), &others);
  big_call = g_variant_ref_sink (g_variant_new ("(s@ay)", "sha256",
                                                g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, big_input, BIG, 1)));
  big_fit = PARSEC_DBUS_MAX_CALLER_BYTES_QUEUED / g_variant_get_size (big_call);
  for (guint i = 0; i < big_fit + 3; i++)
    call_async (busy[N_BUSY - 1], "HashCompute", big_call, &big);
  WAIT_UNTIL (fake_service_get_parked_count (fixture->fake) == PARSEC_DBUS_MAX_CALLS_IN_FLIGHT && big.limited == 3);

  /* A latecomer waits for a slot... */
  fake_process (fixture, 6101, "/usr/bin/latecomer", NULL);
  latecomer = caller_new (fixture, uid, 6101);
  call_async (latecomer, "Ping", NULL, &late);
  spin (200);
  g_assert_cmpuint (late.pending, ==, 1);
  g_assert_cmpuint (fake_service_get_parked_count (fixture->fake), ==, PARSEC_DBUS_MAX_CALLS_IN_FLIGHT);

  /* ... and has its turn with the first free one, ahead of the calls that
   * waited longer in the queues of callers that had theirs. */
  fake_service_close_parked (fixture->fake);
  WAIT_UNTIL (late.pending == 0);
  g_assert_cmpuint (late.ok, ==, 1);
  g_assert_cmpuint (flood.pending, >=, QUEUED);

  /* Everything else is answered in the end. */
  fake_script (fixture, &(FakeScript) { .park = FALSE });
  WAIT_UNTIL ((fake_service_close_parked (fixture->fake), flood.pending + others.pending + big.pending == 0));
  g_assert_cmpuint (flood.limited, ==, EXTRA);
  g_assert_cmpuint (flood.ok + flood.failed, ==, PER_CALLER + QUEUED);
  g_assert_cmpuint (others.limited, ==, 0);
  g_assert_cmpuint (big.limited, ==, 3);
  g_assert_cmpuint (big.ok + big.failed, ==, big_fit);

  for (guint i = 0; i < N_BUSY; i++)
    g_object_unref (busy[i]);
}

typedef struct {
  Fixture *fixture;
  guint n_callers;
  guint n_in_flight;
  guint n_queued;
  gsize bytes_queued;
  guint n_processes;
  gboolean done;
} LoadQuery;

static gboolean
load_query (gpointer user_data)
{
  LoadQuery *query = user_data;
  Fixture *fixture = query->fixture;

  g_mutex_lock (&fixture->lock);
  _parsec_dbus_exporter_get_load (fixture->exporter, &query->n_callers, &query->n_in_flight);
  _parsec_dbus_exporter_get_queued (fixture->exporter, &query->n_queued, &query->bytes_queued,
                                    &query->n_processes);
  query->done = TRUE;
  g_cond_signal (&fixture->cond);
  g_mutex_unlock (&fixture->lock);
  return G_SOURCE_REMOVE;
}

/* What the exporter holds, asked on its thread. */
static LoadQuery
exporter_load (Fixture *fixture)
{
  LoadQuery query = { .fixture = fixture };

  g_main_context_invoke (fixture->context, load_query, &query);
  g_mutex_lock (&fixture->lock);
  while (!query.done)
    g_cond_wait (&fixture->cond, &fixture->lock);
  g_mutex_unlock (&fixture->lock);
  return query;
}

/* Whether the exporter knows @n_callers callers and has @n_in_flight
 * calls holding a slot. */
static gboolean
exporter_load_is (Fixture *fixture,
                  guint    n_callers,
                  guint    n_in_flight)
{
  LoadQuery query = exporter_load (fixture);

  return query.n_callers == n_callers && query.n_in_flight == n_in_flight;
}

/* A caller leaves the bus with calls in flight and waiting, against a
 * fake service that answers none of them: the exporter cancels those in
 * flight, drops the others and forgets the caller at once, while another
 * caller's calls go on. */
static void
test_caller_leaves (Fixture       *fixture,
                    gconstpointer  data)
{
  enum { PER_CALLER = PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT, WAITING = 5, OTHERS = 2 };
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) leaver = NULL, bystander = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = NULL, *expected = NULL;
  Tally left = { 0 }, stays = { 0 };
  guint major, minor;

  fake_script (fixture, &(FakeScript) { .park = TRUE });
  fake_process (fixture, 13001, "/usr/bin/app-leaving", NULL);
  fake_process (fixture, 13002, "/usr/bin/app-staying", NULL);
  leaver = caller_new (fixture, uid, 13001);
  bystander = caller_new (fixture, uid, 13002);
  for (guint i = 0; i < PER_CALLER + WAITING; i++)
    call_async (leaver, "SignHash", sign_hash_parameters ("k"), &left);
  for (guint i = 0; i < OTHERS; i++)
    call_async (bystander, "SignHash", sign_hash_parameters ("k"), &stays);
  WAIT_UNTIL (fake_service_get_parked_count (fixture->fake) == PER_CALLER + OTHERS);
  g_assert_true (exporter_load_is (fixture, 2, PER_CALLER + OTHERS));

  log_capture_start ();
  g_dbus_connection_close_sync (g_dbus_proxy_get_connection (G_DBUS_PROXY (leaver)), NULL, &error);
  g_assert_no_error (error);
  WAIT_UNTIL (left.pending == 0 && exporter_load_is (fixture, 1, OTHERS));
  log = log_capture_stop ();
  expected = g_strdup_printf ("left: %u calls in flight cancelled, %u waiting dropped", PER_CALLER, WAITING);
  g_assert_nonnull (strstr (log, expected));
  /* Let go by the exporter, not answered by the service. */
  g_assert_cmpuint (fake_service_get_parked_count (fixture->fake), ==, PER_CALLER + OTHERS);

  /* The other caller is served, and its calls in flight still wait. */
  parsec_gen_crypto1_call_ping_sync (bystander, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stays.pending, ==, OTHERS);

  fake_script (fixture, &(FakeScript) { .park = FALSE });
  fake_service_close_parked (fixture->fake);
  WAIT_UNTIL (stays.pending == 0);
  g_assert_cmpuint (stays.limited, ==, 0);
  g_assert_true (exporter_load_is (fixture, 1, 0));
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The review's flood: 4000 SignHash calls from one connection to the
 * real test service, under systemd's default limit of 1024 descriptors.
 * Another caller's calls, the first of them sent behind the whole flood,
 * are answered within their deadline, and its identity is not taken for
 * a refusal. */
static void
test_flood (Fixture       *fixture,
            gconstpointer  data)
{
  enum { N_FLOOD = 4000, N_BYSTANDER = 5, DEADLINE_MS = 30000 };
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) flooder = NULL, bystander = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key);
  g_autoptr(GError) error = NULL;
  struct rlimit saved, limit;
  Tally flood = { 0 };
  guint fds_before, fds_max;
  gint64 slowest = 0, start;

  fake_process (fixture, 5001, "/usr/bin/flooder", NULL);
  fake_process (fixture, 5002, "/usr/bin/bystander", NULL);
  flooder = caller_new (fixture, uid, 5001);
  bystander = caller_new (fixture, uid, 5002);
  parsec_gen_crypto1_call_generate_key_sync (flooder, "flood", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  limit = saved;
  limit.rlim_cur = MIN (saved.rlim_cur, 1024);
  if (setrlimit (RLIMIT_NOFILE, &limit) != 0)
    g_test_message ("cannot lower the descriptor limit: %s", g_strerror (errno));
  fds_before = fds_max = count_fds ();

  for (guint i = 0; i < N_FLOOD; i++)
    call_async (flooder, "SignHash", sign_hash_parameters ("flood"), &flood);
  for (guint i = 0; i < N_BYSTANDER; i++)
    {
      g_autoptr(GVariant) keys = NULL;

      /* A call every provider answers. */
      start = g_get_monotonic_time ();
      parsec_gen_crypto1_call_list_keys_sync (bystander, G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS, &keys, NULL, &error);
      g_assert_no_error (error);
      slowest = MAX (slowest, g_get_monotonic_time () - start);
      fds_max = MAX (fds_max, count_fds ());
    }
  while (flood.pending > 0)
    {
      g_main_context_iteration (NULL, TRUE);
      if (flood.pending % 64 == 0)
        fds_max = MAX (fds_max, count_fds ());
    }
  setrlimit (RLIMIT_NOFILE, &saved);

  g_test_message ("flood of %u calls: %u answered, %u refused as LimitsExceeded, %u failed; "
                  "the other caller's slowest call took %" G_GINT64_FORMAT " ms; "
                  "descriptors open: %u before, at most %u during",
                  N_FLOOD, flood.ok, flood.limited, flood.failed, slowest / 1000, fds_before, fds_max);
  g_assert_cmpuint (flood.failed, ==, 0);
  g_assert_cmpuint (flood.ok, >=, PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT + PARSEC_DBUS_MAX_CALLER_CALLS_QUEUED);
  g_assert_cmpuint (fds_max, <, fds_before + PARSEC_DBUS_MAX_CALLS_IN_FLIGHT + 32);

  parsec_gen_crypto1_call_list_keys_sync (bystander, G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Hundreds of connections of one process, each a caller of its own,
 * against a fake service that leaves SignHash unanswered until told: the
 * process holds no more slots and has no more calls waiting than one
 * process may, however many connections it opens, the rest refused with
 * LimitsExceeded; and another process's calls are answered at once,
 * within their deadline. Per connection, the calls waiting and the slots
 * would grow with the number of connections, and the other process's
 * calls wait for a slot that never frees. */
static void
test_connection_flood (Fixture       *fixture,
                       gconstpointer  data)
{
  enum {
    N_CONNECTIONS = 300,
    PER_CONNECTION = 4,
    TOTAL = N_CONNECTIONS * PER_CONNECTION,
    IN_FLIGHT = PARSEC_DBUS_MAX_PROCESS_CALLS_IN_FLIGHT,
    /* the process's queue, and what its connections sent before they
     * were identified */
    MAX_WAITING = 2 * PARSEC_DBUS_MAX_PROCESS_CALLS_QUEUED,
    N_BYSTANDER = 20,
    DEADLINE_MS = 2000,
  };
  guint32 uid = (guint32) geteuid ();
  g_autoptr(GPtrArray) flooders = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(ParsecGenCrypto1) bystander = NULL;
  g_autoptr(GError) error = NULL;
  Tally flood = { 0 };
  LoadQuery queued;
  gint64 slowest = 0;

  fake_script (fixture, &(FakeScript) { .park = TRUE });
  fake_process (fixture, 7000, "/usr/bin/flooder", NULL);
  fake_process (fixture, 7001, "/usr/bin/bystander", NULL);
  for (guint i = 0; i < N_CONNECTIONS; i++)
    g_ptr_array_add (flooders, caller_new (fixture, uid, 7000));
  for (guint j = 0; j < PER_CONNECTION; j++)
    for (guint i = 0; i < N_CONNECTIONS; i++)
      call_async (g_ptr_array_index (flooders, i), "SignHash", sign_hash_parameters ("k"), &flood);

  /* Every call of the flood is parked, waiting or refused. */
  WAIT_UNTIL (fake_service_get_parked_count (fixture->fake) == IN_FLIGHT &&
              (queued = exporter_load (fixture), flood.limited + queued.n_queued + IN_FLIGHT == TOTAL));
  g_test_message ("%u connections of one process sent %u calls: %u in flight, %u waiting (%zu bytes), "
                  "%u refused as LimitsExceeded", N_CONNECTIONS, TOTAL, IN_FLIGHT, queued.n_queued,
                  queued.bytes_queued, flood.limited);
  g_assert_cmpuint (queued.n_queued, <=, MAX_WAITING);
  g_assert_cmpuint (queued.n_queued, <=, PARSEC_DBUS_MAX_CALLS_QUEUED);
  g_assert_cmpuint (queued.n_processes, ==, 1);
  g_assert_cmpuint (flood.limited, >=, TOTAL - IN_FLIGHT - MAX_WAITING);
  g_assert_cmpuint (flood.failed, ==, 0);

  /* Another process is served at once, call after call. */
  bystander = caller_new (fixture, uid, 7001);
  for (guint i = 0; i < N_BYSTANDER; i++)
    {
      gint64 start = g_get_monotonic_time ();
      guint major, minor;

      parsec_gen_crypto1_call_ping_sync (bystander, G_DBUS_CALL_FLAGS_NONE, DEADLINE_MS, &major, &minor, NULL,
                                         &error);
      g_assert_no_error (error);
      slowest = MAX (slowest, g_get_monotonic_time () - start);
    }
  g_test_message ("the other process's slowest call took %.1f ms", slowest / 1000.0);
  g_assert_cmpint (slowest, <, DEADLINE_MS * 1000);
  g_assert_cmpuint (fake_service_get_parked_count (fixture->fake), ==, IN_FLIGHT);

  /* The flood drains, and the exporter forgets the process with its
   * connections. */
  fake_script (fixture, &(FakeScript) { .park = FALSE });
  WAIT_UNTIL ((fake_service_close_parked (fixture->fake), flood.pending == 0));
  /* The parked ones closed unanswered; the waiting ones served. */
  g_assert_cmpuint (flood.failed, <=, IN_FLIGHT);
  g_assert_cmpuint (flood.ok + flood.failed + flood.limited, ==, TOTAL);
  g_ptr_array_set_size (flooders, 0);
  WAIT_UNTIL (exporter_load_is (fixture, 1, 0));
  queued = exporter_load (fixture);
  g_assert_cmpuint (queued.n_queued, ==, 0);
  g_assert_cmpuint (queued.bytes_queued, ==, 0);
  g_assert_cmpuint (queued.n_processes, ==, 1);
}

/* Out of descriptors when a caller's first call comes: that call fails,
 * as LimitsExceeded, and the next one is served. */
static void
test_transient_refusal (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  Tally tally = { 0 };
  FdHog hog;
  guint major, minor;

  fake_process (fixture, 7001, "/usr/bin/app-transient", NULL);
  proxy = caller_new (fixture, (guint32) geteuid (), 7001);

  fds_exhaust (&hog);
  call_async (proxy, "Ping", NULL, &tally);
  while (tally.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  fds_release (&hog);
  g_assert_cmpuint (tally.limited, ==, 1);

  parsec_gen_crypto1_call_ping_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);
}

static void
assert_too_large (GError *error)
{
  g_autofree char *remote = NULL;

  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT);
  remote = g_dbus_error_get_remote_error (error);
  g_assert_cmpstr (remote, ==, "community.parsec.Error.ResponseExceedsLimit");
}

/* A service that answers huge lists, well within the client's response
 * limit (16 MiB here) but far beyond a reply's: the reply is refused,
 * not built. */
static void
test_reply_size (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) list = NULL, public_key = NULL;

  fake_process (fixture, 8001, "/usr/bin/app-lists", NULL);
  proxy = caller_new (fixture, (guint32) geteuid (), 8001);

  fake_script (fixture, &(FakeScript) { .n_entries = 100, .entry_size = 60000 });
  parsec_gen_crypto1_call_list_keys_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &list, NULL, &error);
  assert_too_large (error);
  g_clear_error (&error);
  parsec_gen_crypto1_call_list_providers_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &list, NULL, &error);
  assert_too_large (error);
  g_clear_error (&error);

  /* Large, but within the bound. */
  fake_script (fixture, &(FakeScript) { .n_entries = 40, .entry_size = 60000 });
  parsec_gen_crypto1_call_list_keys_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &list, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (list), ==, 40);
  g_clear_pointer (&list, g_variant_unref);

  fake_script (fixture, &(FakeScript) { .public_key_size = 5 * 1024 * 1024 });
  parsec_gen_crypto1_call_export_public_key_sync (proxy, "k", "psa", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                  &public_key, NULL, &error);
  assert_too_large (error);
  g_clear_error (&error);
  fake_script (fixture, &(FakeScript) { .public_key_size = 1024 * 1024 });
  parsec_gen_crypto1_call_export_public_key_sync (proxy, "k", "psa", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS,
                                                  &public_key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_variant_n_children (public_key), ==, 1024 * 1024);
}

/* An exporter whose configuration enforces the trust policy, on an
 * endpoint that fails it (its socket is under /tmp): the callers' calls
 * are refused, and nothing reaches the service. */
static void
test_trust_policy (Fixture       *fixture,
                   gconstpointer  data)
{
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key);
  g_autofree char *name = g_strdup_printf ("dbus:uid=%u:exe=/usr/bin/app-trusting", uid);
  guint major, minor;

  fake_process (fixture, 9001, "/usr/bin/app-trusting", NULL);
  proxy = caller_new (fixture, uid, 9001);

  parsec_gen_crypto1_call_ping_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_UNTRUSTED_ENDPOINT);
  g_clear_error (&error);
  parsec_gen_crypto1_call_generate_key_sync (proxy, "untrusted", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_UNTRUSTED_ENDPOINT);
  g_assert_false (service_has_key (fixture, name, "untrusted"));
}

/* A caller is held to what its process was at its first call. */
static void
test_identity_change (Fixture       *fixture,
                      gconstpointer  data)
{
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) a = NULL, b = NULL, c = NULL, d = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), keys = NULL;
  g_autofree char *dir_c = g_strdup_printf ("%s/10003", fixture->proc_root);
  guint major, minor;

  fake_process (fixture, 10001, "/usr/bin/app-a", NULL);
  fake_process (fixture, 10002, "/usr/bin/app-b", NULL);
  fake_process (fixture, 10003, "/usr/bin/app-c", NULL);
  fake_process (fixture, 10004, "/usr/bin/app-d", NULL);
  a = caller_new (fixture, uid, 10001);
  b = caller_new (fixture, uid, 10002);
  c = caller_new (fixture, uid, 10003);
  d = caller_new (fixture, uid, 10004);
  parsec_gen_crypto1_call_generate_key_sync (a, "mine", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_ping_sync (b, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_ping_sync (c, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_ping_sync (d, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);

  /* The process starts another program (a child of it keeps the
   * connection): refused from then on, even once it runs the first again. */
  fake_exec (fixture, 10001, "/usr/bin/victim", 10001);
  parsec_gen_crypto1_call_list_keys_sync (a, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);
  fake_exec (fixture, 10001, "/usr/bin/app-a", 10001);
  parsec_gen_crypto1_call_destroy_key_sync (a, "mine", G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);

  /* The process exited, and another one, the same program, got its id. */
  fake_exec (fixture, 10002, "/usr/bin/app-b", 20002);
  parsec_gen_crypto1_call_ping_sync (b, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);

  /* The process exited, and its id is free. */
  parsec_test_remove_tree (dir_c);
  parsec_gen_crypto1_call_ping_sync (c, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);

  /* The program was updated on disk while it runs: the same program. */
  fake_exec (fixture, 10004, "/usr/bin/app-d (deleted)", 10004);
  parsec_gen_crypto1_call_ping_sync (d, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);
}

/* A process of our own, kept until the fixture ends, and a pidfd of it
 * (-1 when the system, or valgrind, has no pidfd_open). */
static int
child_with_pidfd (Fixture *fixture,
                  GPid    *pid)
{
  const char *argv[] = { "sleep", "600", NULL };
  g_autoptr(GError) error = NULL;

  g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                 bus_child_setup, NULL, pid, &error);
  g_assert_no_error (error);
  g_array_append_val (fixture->children, *pid);
#ifdef SYS_pidfd_open
  return (int) syscall (SYS_pidfd_open, *pid, 0);
#else
  return -1;
#endif
}

/* With the bus's ProcessFD (played by the test hook): the process the
 * bus saw connect must be the one read through /proc. */
static void
test_process_fd (Fixture       *fixture,
                 gconstpointer  data)
{
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) a = NULL, b = NULL, c = NULL;
  g_autoptr(GError) error = NULL;
  GPid live, gone;
  int live_fd, gone_fd;
  guint major, minor;

  live_fd = child_with_pidfd (fixture, &live);
  gone_fd = child_with_pidfd (fixture, &gone);
  if (live_fd < 0 || gone_fd < 0)
    {
      if (live_fd >= 0)
        close (live_fd);
      if (gone_fd >= 0)
        close (gone_fd);
      g_test_skip ("pidfd_open() is not available");
      return;
    }
  fake_process (fixture, (guint32) live, "/usr/bin/app-pidfd", NULL);
  fake_process (fixture, (guint32) gone, "/usr/bin/app-pidfd", NULL);

  a = caller_new_full (fixture, uid, (guint32) live, live_fd);
  parsec_gen_crypto1_call_ping_sync (a, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_no_error (error);

  /* The bus's process id and descriptor disagree. */
  b = caller_new_full (fixture, uid, (guint32) gone, live_fd);
  parsec_gen_crypto1_call_ping_sync (b, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_error (&error);

  /* The process that connected has exited; whatever /proc now shows under
   * its id (here still the made-up entry) is another process. */
  kill (gone, SIGKILL);
  waitpid (gone, NULL, 0);
  g_array_remove_index (fixture->children, fixture->children->len - 1);
  c = caller_new_full (fixture, uid, (guint32) gone, gone_fd);
  parsec_gen_crypto1_call_ping_sync (c, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);

  close (live_fd);
  close (gone_fd);
}

typedef struct {
  gsize size;                   /* of the blocks to look at */
  gint found;
  gint dirty;
} ReleaseWatch;

static void
watch_release (gconstpointer mem,
               gsize         size,
               gpointer      user_data)
{
  ReleaseWatch *watch = user_data;

  if (size != watch->size)
    return;
  g_atomic_int_inc (&watch->found);
  for (gsize i = 0; i < size; i++)
    if (((const guint8 *) mem)[i] != 0)
      {
        g_atomic_int_inc (&watch->dirty);
        break;
      }
}

/* The exporter's copies of a caller's application name are all wiped
 * before their memory goes back: no block freed holds the name, and the
 * exporter's own copies go through the wiping allocator. */
static void
test_wiped (Fixture       *fixture,
            gconstpointer  data)
{
  static const char needle[] = ":exe=/usr/bin/app-wipe";
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) proxy = NULL;
  g_autoptr(GDBusConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), keys = NULL;
  ReleaseWatch releases = { 0 };
  char name[64];
  gboolean watching;
  guint hits;

  g_snprintf (name, sizeof name, "dbus:uid=%u%s", uid, needle);
  releases.size = strlen (name) + 1;
  fake_process (fixture, 11001, "/usr/bin/app-wipe", NULL);
  proxy = caller_new (fixture, uid, 11001);
  connection = g_object_ref (g_dbus_proxy_get_connection (G_DBUS_PROXY (proxy)));

  watching = watch_free_start (needle);
  secure_set_free_hook (watch_release, &releases);
  parsec_gen_crypto1_call_generate_key_sync (proxy, "k", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_list_keys_sync (proxy, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_no_error (error);

  /* The caller leaves, then the exporter goes, with all it held. */
  g_clear_object (&proxy);
  g_dbus_connection_close_sync (connection, NULL, &error);
  g_assert_no_error (error);
  exporter_stop (fixture);
  secure_set_free_hook (NULL, NULL);
  hits = watch_free_stop ();

  if (watching)
    g_assert_cmpuint (hits, ==, 0);
  else
    g_test_message ("free() cannot be watched in this build; only the wiping allocator is checked");
  g_assert_cmpint (releases.found, >=, 1);
  g_assert_cmpint (releases.dirty, ==, 0);
}

/* With every debug message on, the log names no caller's application
 * name, executable or app id. */
static void
test_log (Fixture       *fixture,
          gconstpointer  data)
{
  guint32 uid = (guint32) geteuid ();
  g_autoptr(ParsecGenCrypto1) host = NULL, sandboxed = NULL, refused = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) key = parse (ecdsa_key), keys = NULL;
  g_autofree char *log = NULL;
  guint major, minor;

  fake_process (fixture, 12001, "/usr/bin/app-log-secret", NULL);
  fake_process (fixture, 12002, "/app/bin/app-log-secret", "[Application]\nname=org.example.LogSecret\n");
  fake_process (fixture, 12003, "/app/bin/app-log-secret", "[Application]\nname=:1.42\n");
  host = caller_new (fixture, uid, 12001);
  sandboxed = caller_new (fixture, uid, 12002);
  refused = caller_new (fixture, uid, 12003);

  log_capture_start ();
  parsec_gen_crypto1_call_generate_key_sync (host, "k", key, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_list_keys_sync (sandboxed, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &keys, NULL, &error);
  g_assert_no_error (error);
  parsec_gen_crypto1_call_ping_sync (refused, G_DBUS_CALL_FLAGS_NONE, TIMEOUT_MS, &major, &minor, NULL, &error);
  g_assert_error (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED);
  g_clear_object (&host);
  g_clear_object (&sandboxed);
  g_clear_object (&refused);
  exporter_stop (fixture);
  log = log_capture_stop ();

  g_assert_null (strstr (log, "log-secret"));
  g_assert_null (strstr (log, "LogSecret"));
  /* The debug messages were there to look at. */
  g_assert_nonnull (strstr (log, "namespace"));
}

int
main (int    argc,
      char **argv)
{
  /* Before any thread starts: every debug message is made, and kept
   * here unless asked for. */
  log_show_debug = g_getenv ("G_MESSAGES_DEBUG") != NULL;
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);
  gtest_log_handler = g_log_set_default_handler (log_handler, NULL);
  gtest_log_handler_data = NULL;

  g_test_add_func ("/parsec/dbus/encoding", test_encoding);
  g_test_add_func ("/parsec/dbus/identity-resolve", test_identity_resolve);
  g_test_add_func ("/parsec/dbus/host-names", test_host_names);
  g_test_add ("/parsec/dbus/methods", Fixture, NULL, fixture_set_up, test_methods, fixture_tear_down);
  g_test_add ("/parsec/dbus/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);
  g_test_add ("/parsec/dbus/data-signature", Fixture, NULL, fixture_set_up, test_data_signature, fixture_tear_down);
  g_test_add ("/parsec/dbus/isolation", Fixture, NULL, fixture_set_up, test_isolation, fixture_tear_down);
  g_test_add ("/parsec/dbus/sandboxed", Fixture, NULL, fixture_set_up, test_sandboxed, fixture_tear_down);
  g_test_add ("/parsec/dbus/concurrent", Fixture, NULL, fixture_set_up, test_concurrent, fixture_tear_down);
  g_test_add ("/parsec/dbus/real-identity", Fixture, &real_identity_options, fixture_set_up, test_real_identity,
              fixture_tear_down);
  g_test_add ("/parsec/dbus/limits", Fixture, &fake_options, fixture_set_up, test_limits, fixture_tear_down);
  g_test_add ("/parsec/dbus/flood", Fixture, NULL, fixture_set_up, test_flood, fixture_tear_down);
  g_test_add ("/parsec/dbus/connection-flood", Fixture, &fake_options, fixture_set_up, test_connection_flood,
              fixture_tear_down);
  g_test_add ("/parsec/dbus/transient-refusal", Fixture, NULL, fixture_set_up, test_transient_refusal,
              fixture_tear_down);
  g_test_add ("/parsec/dbus/caller-leaves", Fixture, &fake_options, fixture_set_up, test_caller_leaves,
              fixture_tear_down);
  g_test_add ("/parsec/dbus/reply-size", Fixture, &fake_options, fixture_set_up, test_reply_size, fixture_tear_down);
  g_test_add ("/parsec/dbus/trust-policy", Fixture, &enforce_options, fixture_set_up, test_trust_policy,
              fixture_tear_down);
  g_test_add ("/parsec/dbus/identity-change", Fixture, NULL, fixture_set_up, test_identity_change, fixture_tear_down);
  g_test_add ("/parsec/dbus/process-fd", Fixture, NULL, fixture_set_up, test_process_fd, fixture_tear_down);
  g_test_add ("/parsec/dbus/wiped", Fixture, NULL, fixture_set_up, test_wiped, fixture_tear_down);
  g_test_add ("/parsec/dbus/log", Fixture, NULL, fixture_set_up, test_log, fixture_tear_down);

  return g_test_run ();
}
