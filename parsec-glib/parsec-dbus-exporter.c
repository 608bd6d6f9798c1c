/* parsec-dbus-exporter.c: the Parsec client served over D-Bus
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <gio/gunixfdlist.h>

#include "parsec-dbus-encoding-private.h"
#include "parsec-dbus-exporter-private.h"
#include "parsec-dbus-generated.h"

/**
 * ParsecDBusExporter:
 *
 * Serves the `community.parsec.Crypto1` D-Bus interface on a
 * #GDBusConnection, with the configuration of a #ParsecClient, for
 * programs that cannot reach the Parsec socket themselves (Flatpak
 * applications) or that speak D-Bus rather than C.
 *
 * Every caller gets a key namespace of its own. The exporter asks the
 * message bus for the caller's user and process id, once per unique bus
 * name, and names the caller to the Parsec service (with direct
 * authentication) after what the bus and the kernel say about it, never
 * after anything the caller sends: its Flatpak app id when it runs in a
 * Flatpak sandbox, otherwise its executable. Callers of another user are
 * refused. Secrets that a method returns come back as a file descriptor,
 * not in the message. `docs/dbus.md` describes the interface, its
 * encoding of algorithms and key attributes, and the security model.
 *
 * The connection must be to a message bus (the exporter needs the bus to
 * identify callers). Method calls run asynchronously on the thread-default
 * main context of the thread that called parsec_dbus_exporter_export(),
 * so one caller's slow operation does not hold up another's.
 *
 * `parsec-glib-dbus-service` is a small program that exports a client
 * this way on the session bus under %PARSEC_DBUS_SERVICE_NAME.
 *
 * Since: 1.0
 */
struct _ParsecDBusExporter
{
  GObject parent_instance;

  ParsecClient *client;            /* the configuration to serve */

  GDBusConnection *connection;
  char *object_path;
  guint registration_id;
  guint name_owner_changed_id;

  GHashTable *callers;             /* unique bus name → Caller */
  GHashTable *identities;          /* application name → Identity */

  ParsecDBusCredentialsFunc credentials_func;
  gpointer credentials_data;
  char *proc_root;
};

G_DEFINE_FINAL_TYPE (ParsecDBusExporter, parsec_dbus_exporter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_PROC_ROOT "/proc"
/* .flatpak-info is a few hundred bytes; anything this large is not one. */
#define MAX_FLATPAK_INFO_SIZE (64 * 1024)

typedef struct _Method Method;

/* One method call, from arrival to reply. */
typedef struct {
  ParsecDBusExporter *self;
  GDBusMethodInvocation *invocation;
  const Method *method;
  ParsecClient *client;            /* the caller's, once known */
} Call;

/* A unique bus name that has called, with the identity the bus and the
 * kernel gave it. Resolved once: the process id the bus reports can be
 * reused by another process after the caller's exits, while the unique
 * name cannot. */
typedef struct {
  char *sender;
  gboolean resolving;
  char *application_name;          /* once resolved */
  GError *refusal;                 /* or why it is refused */
  GQueue waiting;                  /* of Call, while resolving */
  gboolean removed;
} Caller;

/* One key namespace of the service, shared by the callers that resolve
 * to the same application name. */
typedef struct {
  char *application_name;
  ParsecClient *client;            /* once initialised */
  GQueue waiting;                  /* of Call, while initialising */
  gboolean removed;
} Identity;

static void call_start  (Call *call);
static void call_return_error (Call *call, const GError *error);

/* Calls */

static void
call_free (Call *call)
{
  g_clear_object (&call->self);
  g_clear_object (&call->invocation);
  g_clear_object (&call->client);
  g_free (call);
}

/* Takes @call. */
static void
call_return_error (Call         *call,
                   const GError *error)
{
  g_dbus_method_invocation_return_gerror (call->invocation, error);
  call_free (call);
}

static void
fail_queue (GQueue       *queue,
            const GError *error)
{
  Call *call;

  while ((call = g_queue_pop_head (queue)) != NULL)
    call_return_error (call, error);
}

/* Callers and identities */

static void
caller_clear (Caller *caller)
{
  g_free (caller->sender);
  g_free (caller->application_name);
  g_clear_error (&caller->refusal);
}

static void
caller_unref (Caller *caller)
{
  g_rc_box_release_full (caller, (GDestroyNotify) caller_clear);
}

static void
caller_release (gpointer data)
{
  Caller *caller = data;
  g_autoptr(GError) error = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED,
                                                 "The caller left the bus, or the interface was withdrawn");

  caller->removed = TRUE;
  fail_queue (&caller->waiting, error);
  g_rc_box_release_full (caller, (GDestroyNotify) caller_clear);
}

static void
identity_clear (Identity *identity)
{
  g_free (identity->application_name);
  g_clear_object (&identity->client);
}

static void
identity_release (gpointer data)
{
  Identity *identity = data;
  g_autoptr(GError) error = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED,
                                                 "The D-Bus interface of the Parsec service was withdrawn");

  identity->removed = TRUE;
  fail_queue (&identity->waiting, error);
  g_rc_box_release_full (identity, (GDestroyNotify) identity_clear);
}

typedef struct {
  ParsecDBusExporter *self;
  Identity *identity;
} IdentityInit;

static void
identity_client_ready (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  IdentityInit *init = user_data;
  Identity *identity = init->identity;
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) client = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, &error);
  Call *call;

  if (!identity->removed)
    {
      if (client == NULL)
        {
          /* Forget the identity, so that the next call tries again: the
           * service may only have been down for a moment. */
          g_debug ("No Parsec client for %s: %s", identity->application_name, error->message);
          fail_queue (&identity->waiting, error);
          g_hash_table_remove (init->self->identities, identity->application_name);
        }
      else
        {
          identity->client = PARSEC_CLIENT (g_steal_pointer (&client));
          while ((call = g_queue_pop_head (&identity->waiting)) != NULL)
            {
              call->client = g_object_ref (identity->client);
              call_start (call);
            }
        }
    }

  g_rc_box_release_full (identity, (GDestroyNotify) identity_clear);
  g_object_unref (init->self);
  g_free (init);
}

/* The client of a namespace: the exporter's configuration, with direct
 * authentication under the caller's application name. Direct only: with
 * any other authenticator every caller would share one namespace. */
static void
identity_start (ParsecDBusExporter *self,
                Identity           *identity)
{
  IdentityInit *init = g_new0 (IdentityInit, 1);

  init->self = g_object_ref (self);
  init->identity = g_rc_box_acquire (identity);
  g_async_initable_new_async (PARSEC_TYPE_CLIENT, G_PRIORITY_DEFAULT, NULL,
                              identity_client_ready, init,
                              "endpoint", parsec_client_get_endpoint (self->client),
                              "application-name", identity->application_name,
                              "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                              "provider", parsec_client_get_provider (self->client),
                              "timeout", parsec_client_get_timeout (self->client),
                              "max-response-size", parsec_client_get_max_response_size (self->client),
                              NULL);
}

/* Takes @call. */
static void
identity_submit (ParsecDBusExporter *self,
                 const char         *application_name,
                 Call               *call)
{
  Identity *identity = g_hash_table_lookup (self->identities, application_name);

  if (identity == NULL)
    {
      identity = g_rc_box_new0 (Identity);
      identity->application_name = g_strdup (application_name);
      g_queue_init (&identity->waiting);
      g_hash_table_insert (self->identities, identity->application_name, identity);
      g_queue_push_tail (&identity->waiting, call);
      identity_start (self, identity);
      return;
    }

  if (identity->client == NULL)
    {
      g_queue_push_tail (&identity->waiting, call);
      return;
    }

  call->client = g_object_ref (identity->client);
  call_start (call);
}

/* Identity of a process */

static gboolean
access_denied (GError    **error,
               const char *format,
               ...) G_GNUC_PRINTF (2, 3);

static gboolean
access_denied (GError    **error,
               const char *format,
               ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED, format, args));
  va_end (args);
  return FALSE;
}

/* The [Application] name of a Flatpak sandbox's metadata, which the
 * sandboxed app cannot write (bubblewrap mounts it read-only). */
static char *
flatpak_app_id (int          fd,
                guint32      pid,
                GError     **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autofree char *contents = g_malloc (MAX_FLATPAK_INFO_SIZE + 1);
  g_autofree char *app_id = NULL;
  gsize len = 0;
  struct stat st;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      access_denied (error, "The sandbox metadata of process %u is not a regular file", pid);
      return NULL;
    }
  while (len < MAX_FLATPAK_INFO_SIZE + 1)
    {
      gssize n = read (fd, contents + len, MAX_FLATPAK_INFO_SIZE + 1 - len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          access_denied (error, "Cannot read the sandbox metadata of process %u: %s", pid, g_strerror (errno));
          return NULL;
        }
      if (n == 0)
        break;
      len += (gsize) n;
    }
  if (len > MAX_FLATPAK_INFO_SIZE)
    {
      access_denied (error, "The sandbox metadata of process %u is too large", pid);
      return NULL;
    }

  if (!g_key_file_load_from_data (keyfile, contents, len, G_KEY_FILE_NONE, NULL) ||
      (app_id = g_key_file_get_string (keyfile, "Application", "name", NULL)) == NULL)
    {
      access_denied (error, "Process %u runs in a sandbox without an application id", pid);
      return NULL;
    }
  /* Flatpak app ids are D-Bus well-known names; anything else did not
   * come from Flatpak, and could smuggle separators into the name. */
  if (!g_dbus_is_name (app_id) || g_dbus_is_unique_name (app_id))
    {
      access_denied (error, "Process %u runs in a sandbox with an invalid application id", pid);
      return NULL;
    }
  return g_steal_pointer (&app_id);
}

char *
_parsec_dbus_identity_resolve (const char  *proc_root,
                               guint32      own_uid,
                               guint32      uid,
                               guint32      pid,
                               GError     **error)
{
  g_autofree char *pid_path = NULL;
  char exe[4096];
  int pid_fd, root_fd, info_fd;
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
      access_denied (error, "Cannot look at process %u: %s", pid, g_strerror (errno));
      return NULL;
    }

  root_fd = openat (pid_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    {
      saved_errno = errno;
      close (pid_fd);
      access_denied (error, "Cannot see the root directory of process %u: %s", pid, g_strerror (saved_errno));
      return NULL;
    }
  info_fd = openat (root_fd, ".flatpak-info", O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
  saved_errno = errno;
  close (root_fd);

  if (info_fd >= 0)
    {
      g_autofree char *app_id = flatpak_app_id (info_fd, pid, error);

      close (info_fd);
      close (pid_fd);
      if (app_id == NULL)
        return NULL;
      return g_strdup_printf ("dbus:uid=%u:flatpak=%s", uid, app_id);
    }
  if (saved_errno != ENOENT)
    {
      /* Unknown is not unsandboxed: refuse rather than guess. */
      close (pid_fd);
      access_denied (error, "Cannot tell whether process %u is sandboxed: %s", pid, g_strerror (saved_errno));
      return NULL;
    }

  exe_len = readlinkat (pid_fd, "exe", exe, sizeof exe - 1);
  saved_errno = errno;
  close (pid_fd);
  if (exe_len <= 0)
    {
      access_denied (error, "Cannot find the executable of process %u: %s", pid,
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
  return g_strdup_printf ("dbus:uid=%u:exe=%s", uid, exe);
}

typedef struct {
  ParsecDBusExporter *self;
  Caller *caller;
} CallerResolve;

static void
caller_resolved (ParsecDBusExporter *self,
                 Caller             *caller,
                 guint32             uid,
                 guint32             pid,
                 GError             *bus_error)
{
  g_autoptr(GError) error = bus_error;
  Call *call;

  caller->resolving = FALSE;
  if (error == NULL)
    caller->application_name = _parsec_dbus_identity_resolve (self->proc_root, (guint32) geteuid (),
                                                              uid, pid, &error);
  if (caller->application_name == NULL)
    {
      g_debug ("Refusing %s: %s", caller->sender, error->message);
      caller->refusal = g_steal_pointer (&error);
      fail_queue (&caller->waiting, caller->refusal);
      return;
    }

  g_debug ("%s is %s", caller->sender, caller->application_name);
  while ((call = g_queue_pop_head (&caller->waiting)) != NULL)
    identity_submit (self, caller->application_name, call);
}

static void
credentials_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CallerResolve *resolve = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  guint32 uid = G_MAXUINT32, pid = 0;

  if (reply != NULL)
    {
      g_autoptr(GVariant) credentials = g_variant_get_child_value (reply, 0);

      if (!g_variant_lookup (credentials, "UnixUserID", "u", &uid) ||
          !g_variant_lookup (credentials, "ProcessID", "u", &pid))
        g_set_error_literal (&error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                             "The message bus does not know the caller's user and process");
    }
  else
    {
      /* Whatever went wrong, the caller stays unidentified. */
      GError *denied = g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                    "Cannot identify the caller: %s", error->message);

      g_clear_error (&error);
      error = denied;
    }

  if (!resolve->caller->removed)
    caller_resolved (resolve->self, resolve->caller, uid, pid, g_steal_pointer (&error));

  caller_unref (resolve->caller);
  g_object_unref (resolve->self);
  g_free (resolve);
}

static void
caller_resolve (ParsecDBusExporter *self,
                Caller             *caller)
{
  CallerResolve *resolve;
  guint32 uid, pid;

  caller->resolving = TRUE;
  if (self->credentials_func != NULL &&
      self->credentials_func (caller->sender, &uid, &pid, self->credentials_data))
    {
      caller_resolved (self, caller, uid, pid, NULL);
      return;
    }

  resolve = g_new0 (CallerResolve, 1);
  resolve->self = g_object_ref (self);
  resolve->caller = g_rc_box_acquire (caller);
  g_dbus_connection_call (self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionCredentials",
                          g_variant_new ("(s)", caller->sender), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, credentials_ready, resolve);
}

/* Takes @call. */
static void
caller_submit (ParsecDBusExporter *self,
               const char         *sender,
               Call               *call)
{
  Caller *caller = g_hash_table_lookup (self->callers, sender);

  if (caller == NULL)
    {
      caller = g_rc_box_new0 (Caller);
      caller->sender = g_strdup (sender);
      g_queue_init (&caller->waiting);
      g_hash_table_insert (self->callers, caller->sender, caller);
      g_queue_push_tail (&caller->waiting, call);
      caller_resolve (self, caller);
      return;
    }

  if (caller->resolving)
    g_queue_push_tail (&caller->waiting, call);
  else if (caller->refusal != NULL)
    call_return_error (call, caller->refusal);
  else
    identity_submit (self, caller->application_name, call);
}

/* A unique name that leaves the bus never comes back: forget it, and the
 * namespace's client when it was the last caller in it. */
static void
name_owner_changed (GDBusConnection *connection,
                    const char      *sender_name,
                    const char      *object_path,
                    const char      *interface_name,
                    const char      *signal_name,
                    GVariant        *parameters,
                    gpointer         user_data)
{
  ParsecDBusExporter *self = user_data;
  const char *name, *old_owner, *new_owner;
  g_autofree char *application_name = NULL;
  Caller *caller;
  GHashTableIter iter;
  gpointer value;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    return;
  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  if (name[0] != ':' || new_owner[0] != '\0')
    return;

  caller = g_hash_table_lookup (self->callers, name);
  if (caller == NULL)
    return;
  application_name = g_strdup (caller->application_name);
  g_hash_table_remove (self->callers, name);
  if (application_name == NULL)
    return;

  g_hash_table_iter_init (&iter, self->callers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Caller *other = value;

      if (g_strcmp0 (other->application_name, application_name) == 0)
        return;
    }
  g_hash_table_remove (self->identities, application_name);
}

/* Replies */

/* A sealed memory file holding @secret: the caller reads it from offset
 * 0; nobody can change it; it disappears with the last descriptor. The
 * secret never sits in a D-Bus message, where the bus and monitors could
 * see it and nobody could wipe it. */
static int
secret_fd_new (GBytes  *secret,
               GError **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (secret, &len);
  gsize done = 0;
  int fd, saved_errno;

  fd = memfd_create ("parsec-secret", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    goto fail;
  while (done < len)
    {
      gssize n = write (fd, data + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      done += (gsize) n;
    }
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0 ||
      lseek (fd, 0, SEEK_SET) != 0)
    goto fail;
  return fd;

fail:
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
               "Cannot make a file descriptor for the result: %s", g_strerror (saved_errno));
  return -1;
}

static void
call_return_secret (Call   *call,
                    GBytes *secret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  GDBusConnection *connection = g_dbus_method_invocation_get_connection (call->invocation);
  int fd;

  if (!(g_dbus_connection_get_capabilities (connection) & G_DBUS_CAPABILITY_FLAGS_UNIX_FD_PASSING))
    {
      g_set_error_literal (&error, G_DBUS_ERROR, G_DBUS_ERROR_NOT_SUPPORTED,
                           "This connection cannot pass file descriptors, which carry the secrets");
      call_return_error (call, error);
      return;
    }
  fd = secret_fd_new (secret, &error);
  if (fd < 0)
    {
      call_return_error (call, error);
      return;
    }
  fd_list = g_unix_fd_list_new_from_array (&fd, 1);
  g_dbus_method_invocation_return_value_with_unix_fd_list (call->invocation, g_variant_new ("(h)", 0), fd_list);
  call_free (call);
}

/* Methods */

typedef gboolean  (*FinishBoolFunc)   (ParsecClient *client, GAsyncResult *result, GError **error);
typedef GBytes   *(*FinishBytesFunc)  (ParsecClient *client, GAsyncResult *result, GError **error);
typedef GVariant *(*FinishCustomFunc) (ParsecClient *client, GAsyncResult *result, GError **error);

/* The shapes of the operations' arguments that several share. */
typedef void (*AlgOneFunc)   (ParsecClient *, const char *, ParsecAlgorithm *, GBytes *,
                              GCancellable *, GAsyncReadyCallback, gpointer);
typedef void (*AlgTwoFunc)   (ParsecClient *, const char *, ParsecAlgorithm *, GBytes *, GBytes *,
                              GCancellable *, GAsyncReadyCallback, gpointer);
typedef void (*AlgThreeFunc) (ParsecClient *, const char *, ParsecAlgorithm *, GBytes *, GBytes *, GBytes *,
                              GCancellable *, GAsyncReadyCallback, gpointer);

typedef enum {
  REPLY_NONE,          /* finish: FinishBoolFunc, reply () */
  REPLY_BYTES,         /* finish: FinishBytesFunc, reply (ay) */
  REPLY_SECRET,        /* finish: FinishBytesFunc, reply (h) */
  REPLY_CUSTOM,        /* finish: FinishCustomFunc, reply as it builds */
} ReplyKind;

typedef gboolean (*StartFunc) (Call *call, GVariant *parameters, GCallback async, GError **error);

struct _Method
{
  const char *name;
  StartFunc start;
  GCallback async;     /* the client's _async, for the shared start functions */
  ReplyKind reply;
  GCallback finish;
};

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;
  ParsecClient *client = PARSEC_CLIENT (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GVariant *reply = NULL;

  switch (call->method->reply)
    {
    case REPLY_NONE:
      if (((FinishBoolFunc) call->method->finish) (client, result, &error))
        reply = g_variant_new ("()");
      break;
    case REPLY_BYTES:
      bytes = ((FinishBytesFunc) call->method->finish) (client, result, &error);
      if (bytes != NULL)
        reply = g_variant_new ("(@ay)", g_variant_new_from_bytes (G_VARIANT_TYPE_BYTESTRING, bytes, TRUE));
      break;
    case REPLY_SECRET:
      bytes = ((FinishBytesFunc) call->method->finish) (client, result, &error);
      if (bytes != NULL)
        {
          call_return_secret (call, bytes);
          return;
        }
      break;
    case REPLY_CUSTOM:
      reply = ((FinishCustomFunc) call->method->finish) (client, result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (reply == NULL)
    {
      call_return_error (call, error);
      return;
    }
  g_dbus_method_invocation_return_value (call->invocation, reply);
  call_free (call);
}

static GBytes *
child_bytes (GVariant *parameters,
             gsize     index)
{
  g_autoptr(GVariant) child = g_variant_get_child_value (parameters, index);

  return g_variant_get_data_as_bytes (child);
}

static ParsecAlgorithm *
child_algorithm (GVariant  *parameters,
                 gsize      index,
                 GError   **error)
{
  g_autoptr(GVariant) child = g_variant_get_child_value (parameters, index);

  return _parsec_dbus_algorithm_from_variant (child, error);
}

static ParsecKeyAttributes *
child_attributes (GVariant  *parameters,
                  gsize      index,
                  GError   **error)
{
  g_autoptr(GVariant) child = g_variant_get_child_value (parameters, index);

  return _parsec_dbus_key_attributes_from_variant (child, error);
}

static const char *
child_string (GVariant *parameters,
              gsize     index)
{
  g_autoptr(GVariant) child = g_variant_get_child_value (parameters, index);

  /* Points into @parameters, which outlives the call's start. */
  return g_variant_get_string (child, NULL);
}

/* (s key_name, a{sv} algorithm, ay) */
static gboolean
start_alg_one (Call      *call,
               GVariant  *parameters,
               GCallback  async,
               GError   **error)
{
  g_autoptr(ParsecAlgorithm) algorithm = child_algorithm (parameters, 1, error);
  g_autoptr(GBytes) data = NULL;

  if (algorithm == NULL)
    return FALSE;
  data = child_bytes (parameters, 2);
  ((AlgOneFunc) async) (call->client, child_string (parameters, 0), algorithm, data, NULL, call_done, call);
  return TRUE;
}

/* (s key_name, a{sv} algorithm, ay, ay) */
static gboolean
start_alg_two (Call      *call,
               GVariant  *parameters,
               GCallback  async,
               GError   **error)
{
  g_autoptr(ParsecAlgorithm) algorithm = child_algorithm (parameters, 1, error);
  g_autoptr(GBytes) first = NULL, second = NULL;

  if (algorithm == NULL)
    return FALSE;
  first = child_bytes (parameters, 2);
  second = child_bytes (parameters, 3);
  ((AlgTwoFunc) async) (call->client, child_string (parameters, 0), algorithm, first, second,
                        NULL, call_done, call);
  return TRUE;
}

/* (s key_name, a{sv} algorithm, ay, ay, ay) */
static gboolean
start_alg_three (Call      *call,
                 GVariant  *parameters,
                 GCallback  async,
                 GError   **error)
{
  g_autoptr(ParsecAlgorithm) algorithm = child_algorithm (parameters, 1, error);
  g_autoptr(GBytes) first = NULL, second = NULL, third = NULL;

  if (algorithm == NULL)
    return FALSE;
  first = child_bytes (parameters, 2);
  second = child_bytes (parameters, 3);
  third = child_bytes (parameters, 4);
  ((AlgThreeFunc) async) (call->client, child_string (parameters, 0), algorithm, first, second, third,
                          NULL, call_done, call);
  return TRUE;
}

/* (s key_name) */
static gboolean
start_key (Call      *call,
           GVariant  *parameters,
           GCallback  async,
           GError   **error)
{
  typedef void (*KeyFunc) (ParsecClient *, const char *, GCancellable *, GAsyncReadyCallback, gpointer);

  ((KeyFunc) async) (call->client, child_string (parameters, 0), NULL, call_done, call);
  return TRUE;
}

/* () */
static gboolean
start_none (Call      *call,
            GVariant  *parameters,
            GCallback  async,
            GError   **error)
{
  typedef void (*NoArgFunc) (ParsecClient *, GCancellable *, GAsyncReadyCallback, gpointer);

  ((NoArgFunc) async) (call->client, NULL, call_done, call);
  return TRUE;
}

static gboolean
start_generate_key (Call      *call,
                    GVariant  *parameters,
                    GCallback  async,
                    GError   **error)
{
  g_autoptr(ParsecKeyAttributes) attributes = child_attributes (parameters, 1, error);

  if (attributes == NULL)
    return FALSE;
  parsec_client_generate_key_async (call->client, child_string (parameters, 0), attributes,
                                    NULL, call_done, call);
  return TRUE;
}

static gboolean
start_import_key (Call      *call,
                  GVariant  *parameters,
                  GCallback  async,
                  GError   **error)
{
  g_autoptr(ParsecKeyAttributes) attributes = child_attributes (parameters, 1, error);
  g_autoptr(GBytes) data = NULL;

  if (attributes == NULL)
    return FALSE;
  data = child_bytes (parameters, 2);
  parsec_client_import_key_async (call->client, child_string (parameters, 0), attributes, data,
                                  NULL, call_done, call);
  return TRUE;
}

static gboolean
start_export_public_key (Call      *call,
                         GVariant  *parameters,
                         GCallback  async,
                         GError   **error)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (PARSEC_TYPE_PUBLIC_KEY_FORMAT);
  const char *format = child_string (parameters, 1);
  GEnumValue *value = g_enum_get_value_by_nick (klass, format);

  if (value == NULL)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "Unknown public key format “%s”: use \"psa\", \"der\" or \"pem\"", format);
      return FALSE;
    }
  parsec_client_export_public_key_async (call->client, child_string (parameters, 0), value->value,
                                         NULL, call_done, call);
  return TRUE;
}

/* (s hash, ay input[, ay digest]) */
static gboolean
start_hash (Call      *call,
            GVariant  *parameters,
            GCallback  async,
            GError   **error)
{
  const char *name = child_string (parameters, 0);
  g_autoptr(GBytes) input = child_bytes (parameters, 1);
  ParsecHash hash;

  if (!_parsec_dbus_hash_from_string (name, FALSE, &hash))
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Unknown hash “%s”", name);
      return FALSE;
    }
  if (g_variant_n_children (parameters) == 2)
    {
      parsec_client_hash_compute_async (call->client, hash, input, NULL, call_done, call);
    }
  else
    {
      g_autoptr(GBytes) digest = child_bytes (parameters, 2);

      parsec_client_hash_compare_async (call->client, hash, input, digest, NULL, call_done, call);
    }
  return TRUE;
}

static gboolean
start_generate_random (Call      *call,
                       GVariant  *parameters,
                       GCallback  async,
                       GError   **error)
{
  guint64 size;

  g_variant_get (parameters, "(t)", &size);
  if (size > G_MAXSIZE)
    {
      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "Cannot make %" G_GUINT64_FORMAT " random bytes", size);
      return FALSE;
    }
  parsec_client_generate_random_async (call->client, (gsize) size, NULL, call_done, call);
  return TRUE;
}

static GVariant *
finish_ping (ParsecClient  *client,
             GAsyncResult  *result,
             GError       **error)
{
  guint major = 0, minor = 0;

  if (!parsec_client_ping_finish (client, result, &major, &minor, error))
    return NULL;
  return g_variant_new ("(uu)", major, minor);
}

static GVariant *
finish_list_providers (ParsecClient  *client,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_autoptr(GPtrArray) providers = parsec_client_list_providers_finish (client, result, error);
  GVariantBuilder builder;

  if (providers == NULL)
    return NULL;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < providers->len; i++)
    {
      ParsecProviderInfo *info = g_ptr_array_index (providers, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "id", g_variant_new_uint32 (parsec_provider_info_get_id (info)));
      g_variant_builder_add (&builder, "{sv}", "uuid", g_variant_new_string (parsec_provider_info_get_uuid (info)));
      g_variant_builder_add (&builder, "{sv}", "description",
                             g_variant_new_string (parsec_provider_info_get_description (info)));
      g_variant_builder_add (&builder, "{sv}", "vendor", g_variant_new_string (parsec_provider_info_get_vendor (info)));
      g_variant_builder_add (&builder, "{sv}", "version-major",
                             g_variant_new_uint32 (parsec_provider_info_get_version_major (info)));
      g_variant_builder_add (&builder, "{sv}", "version-minor",
                             g_variant_new_uint32 (parsec_provider_info_get_version_minor (info)));
      g_variant_builder_add (&builder, "{sv}", "version-revision",
                             g_variant_new_uint32 (parsec_provider_info_get_version_revision (info)));
      g_variant_builder_close (&builder);
    }
  return g_variant_new ("(@aa{sv})", g_variant_builder_end (&builder));
}

static GVariant *
finish_list_keys (ParsecClient  *client,
                  GAsyncResult  *result,
                  GError       **error)
{
  g_autoptr(GPtrArray) keys = parsec_client_list_keys_finish (client, result, error);
  GVariantBuilder builder;

  if (keys == NULL)
    return NULL;
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < keys->len; i++)
    {
      ParsecKeyInfo *info = g_ptr_array_index (keys, i);

      g_variant_builder_open (&builder, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&builder, "{sv}", "name", g_variant_new_string (parsec_key_info_get_name (info)));
      g_variant_builder_add (&builder, "{sv}", "provider", g_variant_new_uint32 (parsec_key_info_get_provider (info)));
      g_variant_builder_add (&builder, "{sv}", "attributes",
                             _parsec_dbus_key_attributes_to_variant (parsec_key_info_get_attributes (info)));
      g_variant_builder_close (&builder);
    }
  return g_variant_new ("(@aa{sv})", g_variant_builder_end (&builder));
}

static GVariant *
finish_key_attributes (ParsecClient  *client,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_autoptr(ParsecKeyAttributes) attributes = parsec_client_get_key_attributes_finish (client, result, error);

  if (attributes == NULL)
    return NULL;
  return g_variant_new ("(@a{sv})", _parsec_dbus_key_attributes_to_variant (attributes));
}

#define ASYNC(f) ((GCallback) (f))
#define FINISH(f) ((GCallback) (f))

/* The interface's methods; GDBus has already checked the argument types
 * against the introspection data when a handler runs. */
static const Method methods[] = {
  { "Ping", start_none, ASYNC (parsec_client_ping_async), REPLY_CUSTOM, FINISH (finish_ping) },
  { "ListProviders", start_none, ASYNC (parsec_client_list_providers_async), REPLY_CUSTOM, FINISH (finish_list_providers) },
  { "ListKeys", start_none, ASYNC (parsec_client_list_keys_async), REPLY_CUSTOM, FINISH (finish_list_keys) },
  { "GetKeyAttributes", start_key, ASYNC (parsec_client_get_key_attributes_async), REPLY_CUSTOM, FINISH (finish_key_attributes) },
  { "GenerateKey", start_generate_key, NULL, REPLY_NONE, FINISH (parsec_client_generate_key_finish) },
  { "ImportKey", start_import_key, NULL, REPLY_NONE, FINISH (parsec_client_import_key_finish) },
  { "ExportPublicKey", start_export_public_key, NULL, REPLY_BYTES, FINISH (parsec_client_export_public_key_finish) },
  { "ExportKey", start_key, ASYNC (parsec_client_export_key_async), REPLY_SECRET, FINISH (parsec_client_export_key_finish) },
  { "DestroyKey", start_key, ASYNC (parsec_client_destroy_key_async), REPLY_NONE, FINISH (parsec_client_destroy_key_finish) },
  { "SignHash", start_alg_one, ASYNC (parsec_client_sign_hash_async), REPLY_BYTES, FINISH (parsec_client_sign_hash_finish) },
  { "VerifyHash", start_alg_two, ASYNC (parsec_client_verify_hash_async), REPLY_NONE, FINISH (parsec_client_verify_hash_finish) },
  { "SignMessage", start_alg_one, ASYNC (parsec_client_sign_message_async), REPLY_BYTES, FINISH (parsec_client_sign_message_finish) },
  { "VerifyMessage", start_alg_two, ASYNC (parsec_client_verify_message_async), REPLY_NONE, FINISH (parsec_client_verify_message_finish) },
  { "AsymmetricEncrypt", start_alg_two, ASYNC (parsec_client_asymmetric_encrypt_async), REPLY_BYTES, FINISH (parsec_client_asymmetric_encrypt_finish) },
  { "AsymmetricDecrypt", start_alg_two, ASYNC (parsec_client_asymmetric_decrypt_async), REPLY_SECRET, FINISH (parsec_client_asymmetric_decrypt_finish) },
  { "AeadEncrypt", start_alg_three, ASYNC (parsec_client_aead_encrypt_async), REPLY_BYTES, FINISH (parsec_client_aead_encrypt_finish) },
  { "AeadDecrypt", start_alg_three, ASYNC (parsec_client_aead_decrypt_async), REPLY_SECRET, FINISH (parsec_client_aead_decrypt_finish) },
  { "HashCompute", start_hash, NULL, REPLY_BYTES, FINISH (parsec_client_hash_compute_finish) },
  { "HashCompare", start_hash, NULL, REPLY_NONE, FINISH (parsec_client_hash_compare_finish) },
  { "GenerateRandom", start_generate_random, NULL, REPLY_SECRET, FINISH (parsec_client_generate_random_finish) },
};

/* Takes @call, which has its client. */
static void
call_start (Call *call)
{
  GVariant *parameters = g_dbus_method_invocation_get_parameters (call->invocation);
  g_autoptr(GError) error = NULL;

  if (!call->method->start (call, parameters, call->method->async, &error))
    call_return_error (call, error);
}

static void
method_call (GDBusConnection       *connection,
             const char            *sender,
             const char            *object_path,
             const char            *interface_name,
             const char            *method_name,
             GVariant              *parameters,
             GDBusMethodInvocation *invocation,
             gpointer               user_data)
{
  ParsecDBusExporter *self = user_data;
  const Method *method = NULL;
  Call *call;

  for (gsize i = 0; i < G_N_ELEMENTS (methods); i++)
    if (g_str_equal (methods[i].name, method_name))
      method = &methods[i];
  if (method == NULL)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD,
                                             "No method %s", method_name);
      return;
    }
  /* Without a bus there is nobody to vouch for the caller. */
  if (sender == NULL)
    {
      g_dbus_method_invocation_return_error_literal (invocation, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                                     "The Parsec D-Bus interface serves only callers on a message bus");
      return;
    }

  call = g_new0 (Call, 1);
  call->self = g_object_ref (self);
  call->invocation = g_object_ref (invocation);
  call->method = method;
  caller_submit (self, sender, call);
}

static GVariant *
get_property (GDBusConnection  *connection,
              const char       *sender,
              const char       *object_path,
              const char       *interface_name,
              const char       *property_name,
              GError          **error,
              gpointer          user_data)
{
  if (g_str_equal (property_name, "Version"))
    return g_variant_new_uint32 (PARSEC_DBUS_INTERFACE_VERSION);
  g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "No property %s", property_name);
  return NULL;
}

static const GDBusInterfaceVTable interface_vtable = {
  method_call,
  get_property,
  NULL,
  { 0 }
};

/* GObject */

static void
parsec_dbus_exporter_dispose (GObject *object)
{
  ParsecDBusExporter *self = PARSEC_DBUS_EXPORTER (object);

  parsec_dbus_exporter_unexport (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (parsec_dbus_exporter_parent_class)->dispose (object);
}

static void
parsec_dbus_exporter_finalize (GObject *object)
{
  ParsecDBusExporter *self = PARSEC_DBUS_EXPORTER (object);

  g_hash_table_unref (self->callers);
  g_hash_table_unref (self->identities);
  g_free (self->proc_root);

  G_OBJECT_CLASS (parsec_dbus_exporter_parent_class)->finalize (object);
}

static void
parsec_dbus_exporter_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ParsecDBusExporter *self = PARSEC_DBUS_EXPORTER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_dbus_exporter_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ParsecDBusExporter *self = PARSEC_DBUS_EXPORTER (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_dbus_exporter_class_init (ParsecDBusExporterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = parsec_dbus_exporter_dispose;
  object_class->finalize = parsec_dbus_exporter_finalize;
  object_class->get_property = parsec_dbus_exporter_get_property;
  object_class->set_property = parsec_dbus_exporter_set_property;

  /**
   * ParsecDBusExporter:client:
   *
   * The client whose configuration is served: its endpoint, provider,
   * timeout and response size limit. Each caller gets a client of its own
   * with that configuration and direct authentication under the caller's
   * identity; this one sends nothing itself.
   *
   * Since: 1.0
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, PARSEC_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Registers the error domain's D-Bus names, for the replies. */
  parsec_error_quark ();
}

static void
parsec_dbus_exporter_init (ParsecDBusExporter *self)
{
  self->callers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, caller_release);
  self->identities = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, identity_release);
  self->proc_root = g_strdup (DEFAULT_PROC_ROOT);
}

/* API */

/**
 * parsec_dbus_exporter_new:
 * @client: an initialised #ParsecClient whose configuration to serve
 *
 * Creates an exporter for the configuration of @client. Export it with
 * parsec_dbus_exporter_export().
 *
 * The Parsec service must offer direct authentication, which the
 * exporter uses to give each caller its own key namespace; calls fail
 * with %PARSEC_ERROR_NO_USABLE_AUTHENTICATOR otherwise.
 *
 * Returns: (transfer full): a new #ParsecDBusExporter
 *
 * Since: 1.0
 */
ParsecDBusExporter *
parsec_dbus_exporter_new (ParsecClient *client)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (client), NULL);

  return g_object_new (PARSEC_TYPE_DBUS_EXPORTER, "client", client, NULL);
}

/**
 * parsec_dbus_exporter_get_client:
 * @self: a #ParsecDBusExporter
 *
 * Gets #ParsecDBusExporter:client.
 *
 * Returns: (transfer none): the client whose configuration is served
 *
 * Since: 1.0
 */
ParsecClient *
parsec_dbus_exporter_get_client (ParsecDBusExporter *self)
{
  g_return_val_if_fail (PARSEC_IS_DBUS_EXPORTER (self), NULL);

  return self->client;
}

/**
 * parsec_dbus_exporter_export:
 * @self: a #ParsecDBusExporter
 * @connection: a connection to a message bus
 * @object_path: where to export the interface, such as
 *   %PARSEC_DBUS_OBJECT_PATH
 * @error: return location for a #GError
 *
 * Exports the `community.parsec.Crypto1` interface on @connection at
 * @object_path. Calls are served on the thread-default main context of
 * the calling thread. An exporter is exported at most once at a time.
 *
 * Returns: %TRUE on success, %FALSE if the object path is taken or the
 *   exporter is already exported
 *
 * Since: 1.0
 */
gboolean
parsec_dbus_exporter_export (ParsecDBusExporter  *self,
                             GDBusConnection     *connection,
                             const char          *object_path,
                             GError             **error)
{
  guint id;

  g_return_val_if_fail (PARSEC_IS_DBUS_EXPORTER (self), FALSE);
  g_return_val_if_fail (G_IS_DBUS_CONNECTION (connection), FALSE);
  g_return_val_if_fail (object_path != NULL && g_variant_is_object_path (object_path), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->connection != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "The Parsec D-Bus interface is already exported at %s", self->object_path);
      return FALSE;
    }

  id = g_dbus_connection_register_object (connection, object_path,
                                          parsec_gen_crypto1_interface_info (),
                                          &interface_vtable, self, NULL, error);
  if (id == 0)
    return FALSE;

  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  self->registration_id = id;
  self->name_owner_changed_id =
    g_dbus_connection_signal_subscribe (connection, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                        "NameOwnerChanged", "/org/freedesktop/DBus", NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, name_owner_changed, self, NULL);
  return TRUE;
}

/**
 * parsec_dbus_exporter_unexport:
 * @self: a #ParsecDBusExporter
 *
 * Withdraws the interface exported by parsec_dbus_exporter_export(), if
 * it is exported, and forgets the callers. Calls in progress still get
 * their replies.
 *
 * Since: 1.0
 */
void
parsec_dbus_exporter_unexport (ParsecDBusExporter *self)
{
  g_return_if_fail (PARSEC_IS_DBUS_EXPORTER (self));

  if (self->connection == NULL)
    return;

  g_dbus_connection_unregister_object (self->connection, self->registration_id);
  g_dbus_connection_signal_unsubscribe (self->connection, self->name_owner_changed_id);
  self->registration_id = 0;
  self->name_owner_changed_id = 0;
  g_hash_table_remove_all (self->callers);
  g_hash_table_remove_all (self->identities);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
}

/**
 * parsec_dbus_exporter_get_connection:
 * @self: a #ParsecDBusExporter
 *
 * Gets the connection the exporter is exported on.
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL when not
 *   exported
 *
 * Since: 1.0
 */
GDBusConnection *
parsec_dbus_exporter_get_connection (ParsecDBusExporter *self)
{
  g_return_val_if_fail (PARSEC_IS_DBUS_EXPORTER (self), NULL);

  return self->connection;
}

/**
 * parsec_dbus_exporter_get_object_path:
 * @self: a #ParsecDBusExporter
 *
 * Gets the object path the exporter is exported at.
 *
 * Returns: (nullable): the object path, or %NULL when not exported
 *
 * Since: 1.0
 */
const char *
parsec_dbus_exporter_get_object_path (ParsecDBusExporter *self)
{
  g_return_val_if_fail (PARSEC_IS_DBUS_EXPORTER (self), NULL);

  return self->object_path;
}

/* Test hooks */

void
_parsec_dbus_exporter_set_credentials_func (ParsecDBusExporter        *self,
                                            ParsecDBusCredentialsFunc  func,
                                            gpointer                   user_data)
{
  self->credentials_func = func;
  self->credentials_data = user_data;
}

void
_parsec_dbus_exporter_set_proc_root (ParsecDBusExporter *self,
                                     const char         *proc_root)
{
  g_free (self->proc_root);
  self->proc_root = g_strdup (proc_root != NULL ? proc_root : DEFAULT_PROC_ROOT);
}
