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
#include <gio/gunixinputstream.h>

#include "parsec-dbus-encoding-private.h"
#include "parsec-dbus-exporter-private.h"
#include "parsec-dbus-identity.h"
#include "parsec-dbus-interface.h"
#include "secure-mem.h"

/**
 * ParsecDBusExporter:
 *
 * Serves the `community.parsec.Crypto1` D-Bus interface on a
 * #GDBusConnection, with the configuration of a #ParsecClient, for
 * programs that cannot reach the Parsec socket themselves (Flatpak
 * applications) or that speak D-Bus rather than C.
 *
 * Every caller gets a key namespace of its own. The exporter asks the
 * message bus for the caller's user and process (with a pidfd when the bus
 * has one), once per unique bus name, and names the caller to the Parsec
 * service (with direct authentication) after what the bus and the kernel
 * say about it, never after anything the caller sends: its Flatpak app id
 * when it runs in a Flatpak sandbox, otherwise its executable. It holds
 * the name to that identity: once the process is no longer the one it was
 * at the first call (another program, or another process), the name is
 * refused. Callers of another user are refused. Secrets that a method
 * returns come back as a file descriptor, not in the message.
 *
 * Calls are served a few at a time per caller, per process and overall,
 * in turn between the processes whose callers wait, so that one caller,
 * or one process however many connections it opens, cannot starve the
 * others; calls beyond a caller's, a process's or the exporter's queue
 * are refused.
 * Replies are bounded in size. `docs/dbus.md` describes the interface,
 * its encoding of algorithms and key attributes, the limits and the
 * security model.
 *
 * The connection must be to a message bus (the exporter needs the bus to
 * identify callers). Method calls run asynchronously on the thread-default
 * main context of the thread that called parsec_dbus_exporter_export(),
 * so one caller's slow operation does not hold up another's.
 *
 * `parsec-glib-dbus-service` is a small program that exports a client
 * this way on the session bus under %PARSEC_DBUS_SERVICE_NAME.
 */
/* The callers of one process, or those not identified yet: they take
 * turns for slots as one, and share limits, so that a process gains
 * nothing by opening more connections. */
typedef struct {
  char *key;                       /* "uid pid", or NULL for the unidentified */
  guint n_callers;
  guint in_flight;                 /* calls holding a slot */
  guint queued;                    /* calls waiting for a slot */
  gsize queued_bytes;              /* of their arguments */
  GQueue turns;                    /* of Caller: those waiting for a slot, in turn */
  gboolean in_turns;
} Process;

struct _ParsecDBusExporter
{
  GObject parent_instance;

  ParsecClient *client;            /* the configuration to serve */

  GDBusConnection *connection;
  char *object_path;
  guint registration_id;

  GHashTable *callers;             /* unique bus name → Caller */
  GHashTable *identities;          /* application name → Identity */
  guint identity_serial;           /* of the last Identity made */

  guint in_flight;                 /* calls holding a slot, of all callers */
  guint queued;                    /* calls waiting for a slot, of all callers */
  gsize queued_bytes;              /* of their arguments */
  gboolean idle;                   /* no caller, no call */
  GHashTable *processes;           /* "uid pid" → Process, of the identified callers */
  Process *unidentified;           /* the callers not identified (yet) */
  GQueue turns;                    /* of Process: those with callers waiting for a slot, in turn */
  gboolean pumping;

  ParsecDBusCredentialsFunc credentials_func;
  gpointer credentials_data;
  char *proc_root;
};

G_DEFINE_FINAL_TYPE (ParsecDBusExporter, parsec_dbus_exporter, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_IDLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_PROC_ROOT "/proc"

typedef struct _Method Method;

/* One key namespace of the service, shared by the callers that resolve
 * to the same application name. */
typedef struct {
  char *application_name;          /* in wiping memory */
  guint serial;                    /* what the log calls it, instead of its name */
  guint n_callers;                 /* bound to it */
  ParsecClient *client;            /* once initialised */
  gboolean initialising;
  GQueue waiting;                  /* of Call, while initialising */
  gboolean removed;
} Identity;

typedef enum {
  CALLER_UNKNOWN,                  /* not resolved yet, or short of resources last time */
  CALLER_RESOLVING,
  CALLER_KNOWN,
  CALLER_REFUSED,
} CallerState;

/* A unique bus name that has called. Its identity is read at its first
 * call and held to from then on: the unique name is never reused, while
 * the process id can be, and the process can start another program. */
typedef struct {
  ParsecDBusExporter *self;        /* which forgets its callers before it goes */
  Process *process;                /* the unidentified until identified */
  char *sender;
  guint name_watch_id;             /* of its NameOwnerChanged */
  GCancellable *cancellable;       /* of its calls, cancelled when it leaves */
  CallerState state;
  guint32 pid;
  guint64 start_time;              /* of the process, when known */
  Identity *identity;              /* when known */
  GError *refusal;                 /* when refused */
  GQueue resolving;                /* of Call: holding slots, waiting for the identity */

  GQueue queued;                   /* of Call: waiting for a slot */
  gsize queued_bytes;              /* of their arguments */
  guint in_flight;                 /* calls holding a slot */
  gboolean in_turns;
  gboolean removed;
} Caller;

/* One method call, from arrival to reply. */
typedef struct {
  ParsecDBusExporter *self;
  Caller *caller;
  GDBusMethodInvocation *invocation;
  const Method *method;
  GCancellable *cancellable;       /* the caller's */
  ParsecClient *client;            /* the caller's, once known */
  gsize size;                      /* of the arguments */
  gboolean admitted;               /* holds a slot */
  ParsecPublicKeyFormat format;    /* ExportPublicKey's, while the key is looked up */
} Call;

static void call_start      (Call *call);
static void update_idle     (ParsecDBusExporter *self);
static void caller_dispatch (ParsecDBusExporter *self,
                             Caller             *caller,
                             Call               *call);
static void pump            (ParsecDBusExporter *self);

static Caller *
caller_ref (Caller *caller)
{
  return g_rc_box_acquire (caller);
}

static Process *
process_new (const char *key)
{
  Process *process = g_rc_box_new0 (Process);

  process->key = g_strdup (key);
  g_queue_init (&process->turns);
  return process;
}

static Process *
process_ref (Process *process)
{
  return g_rc_box_acquire (process);
}

static void caller_unref (Caller *caller);

static void
process_clear (Process *process)
{
  g_free (process->key);
  g_queue_clear_full (&process->turns, (GDestroyNotify) caller_unref);
}

static void
process_unref (Process *process)
{
  g_rc_box_release_full (process, (GDestroyNotify) process_clear);
}

/* The process of user @uid with the id @pid, as the callers that are it
 * share it. */
static Process *
process_lookup (ParsecDBusExporter *self,
                guint32             uid,
                guint32             pid)
{
  g_autofree char *key = g_strdup_printf ("%u %u", uid, pid);
  Process *process = g_hash_table_lookup (self->processes, key);

  if (process == NULL)
    {
      process = process_new (key);
      g_hash_table_insert (self->processes, process->key, process);
    }
  return process;
}

/* @process has one caller fewer: forgotten with the last. */
static void
process_leave (ParsecDBusExporter *self,
               Process            *process)
{
  process->n_callers--;
  if (process->n_callers == 0 && process->key != NULL &&
      g_hash_table_lookup (self->processes, process->key) == process)
    g_hash_table_remove (self->processes, process->key);
}

static void
caller_clear (Caller *caller)
{
  g_clear_pointer (&caller->process, process_unref);
  g_free (caller->sender);
  g_clear_object (&caller->cancellable);
  g_clear_error (&caller->refusal);
}

static void
caller_unref (Caller *caller)
{
  g_rc_box_release_full (caller, (GDestroyNotify) caller_clear);
}

static void
identity_clear (Identity *identity)
{
  /* The application name is what direct authentication sends. */
  secure_free (identity->application_name);
  g_clear_object (&identity->client);
}

static void
identity_unref (Identity *identity)
{
  g_rc_box_release_full (identity, (GDestroyNotify) identity_clear);
}

/* Calls */

/* Puts @caller in line for a slot if it has calls waiting and room for
 * one more in flight. */
/* Puts @process in line for a slot if it has callers waiting and room
 * for one more call in flight. */
static void
process_take_turn (ParsecDBusExporter *self,
                   Process            *process)
{
  if (process->in_turns || g_queue_is_empty (&process->turns) ||
      process->in_flight >= PARSEC_DBUS_MAX_PROCESS_CALLS_IN_FLIGHT)
    return;
  process->in_turns = TRUE;
  g_queue_push_tail (&self->turns, process_ref (process));
}

/* Puts @caller in line, in its process, for a slot if it has calls
 * waiting and room for one more in flight. */
static void
caller_take_turn (ParsecDBusExporter *self,
                  Caller             *caller)
{
  if (caller->removed || caller->in_turns || g_queue_is_empty (&caller->queued) ||
      caller->in_flight >= PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT)
    return;
  caller->in_turns = TRUE;
  g_queue_push_tail (&caller->process->turns, caller_ref (caller));
  process_take_turn (self, caller->process);
}

/* The count of the calls of @caller that wait, in its process and in all,
 * grows (@sign 1) or shrinks (-1) by @n calls of @bytes. */
static void
queued_count (ParsecDBusExporter *self,
              Caller             *caller,
              int                 sign,
              guint               n,
              gsize               bytes)
{
  if (sign > 0)
    {
      caller->queued_bytes += bytes;
      caller->process->queued += n;
      caller->process->queued_bytes += bytes;
      self->queued += n;
      self->queued_bytes += bytes;
    }
  else
    {
      caller->queued_bytes -= bytes;
      caller->process->queued -= n;
      caller->process->queued_bytes -= bytes;
      self->queued -= n;
      self->queued_bytes -= bytes;
    }
}

/* Takes @call, which has its reply: frees its slot for the next call. */
static void
call_complete (Call *call)
{
  ParsecDBusExporter *self = call->self;
  Caller *caller = call->caller;

  if (call->admitted)
    {
      self->in_flight--;
      caller->process->in_flight--;
      caller->in_flight--;
      caller_take_turn (self, caller);
      process_take_turn (self, caller->process);
    }
  g_clear_object (&call->invocation);
  g_clear_object (&call->client);
  g_free (call);
  pump (self);
  caller_unref (caller);
  update_idle (self);
  g_object_unref (self);
}

/* Takes @call. */
static void
call_return_error (Call         *call,
                   const GError *error)
{
  /* Every call authenticates directly: when the service has no such
   * authenticator (the client finds none it may use, or the service
   * refuses the request), the library's message would point at settings
   * that cannot help here. */
  if (g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_NO_USABLE_AUTHENTICATOR) ||
      g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_AUTHENTICATOR_NOT_REGISTERED))
    {
      g_dbus_method_invocation_return_error_literal (call->invocation, error->domain, error->code,
                                                     PARSEC_DBUS_NO_DIRECT_AUTHENTICATION_MESSAGE);
      call_complete (call);
      return;
    }
  g_dbus_method_invocation_return_gerror (call->invocation, error);
  call_complete (call);
}

/* Empties @queue first, so that what failing a call sets off finds it
 * in order. */
static void
fail_queue (GQueue       *queue,
            const GError *error)
{
  GQueue calls = *queue;
  Call *call;

  g_queue_init (queue);
  while ((call = g_queue_pop_head (&calls)) != NULL)
    call_return_error (call, error);
}

static void
caller_fail_queued (Caller       *caller,
                    const GError *error)
{
  queued_count (caller->self, caller, -1, caller->queued.length, caller->queued_bytes);
  fail_queue (&caller->queued, error);
}

/* Slots */

static void
caller_admit (ParsecDBusExporter *self,
              Caller             *caller,
              Call               *call)
{
  call->admitted = TRUE;
  self->in_flight++;
  caller->process->in_flight++;
  caller->in_flight++;
  caller_dispatch (self, caller, call);
}

/* Gives the free slots to the processes whose callers wait, one call
 * each in turn, and within a process to its callers in turn: a process
 * with a hundred calls waiting, or a hundred connections, gets no more
 * turns than one with a single call. */
static void
pump (ParsecDBusExporter *self)
{
  Process *process;

  /* A call that ends while a slot is given (one refused at once) lets
   * this loop go on instead of starting another. */
  if (self->pumping)
    return;
  self->pumping = TRUE;
  while (self->in_flight < PARSEC_DBUS_MAX_CALLS_IN_FLIGHT &&
         (process = g_queue_pop_head (&self->turns)) != NULL)
    {
      Call *call = NULL;
      Caller *caller;

      process->in_turns = FALSE;
      /* Callers that left, or are full, lose their turn. */
      while (call == NULL && process->in_flight < PARSEC_DBUS_MAX_PROCESS_CALLS_IN_FLIGHT &&
             (caller = g_queue_pop_head (&process->turns)) != NULL)
        {
          caller->in_turns = FALSE;
          if (!caller->removed && caller->in_flight < PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT)
            call = g_queue_pop_head (&caller->queued);
          if (call != NULL)
            {
              queued_count (self, caller, -1, 1, call->size);
              caller_admit (self, caller, call);
              caller_take_turn (self, caller);
            }
          caller_unref (caller);
        }
      process_take_turn (self, process);
      process_unref (process);
    }
  self->pumping = FALSE;
}

/* Whether @caller may have one more call of @size bytes of arguments
 * waiting: the bounds of what waits, from the caller's to the service's,
 * so that one caller cannot fill its process's share, nor one process
 * the service's, whatever its number of connections. */
static gboolean
queue_check (ParsecDBusExporter  *self,
             Caller              *caller,
             gsize                size,
             GError             **error)
{
  if (caller->queued.length >= PARSEC_DBUS_MAX_CALLER_CALLS_QUEUED)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                 "This caller has %u calls waiting for the Parsec service already; "
                 "wait for replies before sending more", PARSEC_DBUS_MAX_CALLER_CALLS_QUEUED);
  else if (size > PARSEC_DBUS_MAX_CALLER_BYTES_QUEUED - caller->queued_bytes)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                 "The waiting calls of this caller would hold more than %u MiB of arguments; "
                 "wait for replies before sending more", PARSEC_DBUS_MAX_CALLER_BYTES_QUEUED >> 20);
  else if (caller->process->queued >= PARSEC_DBUS_MAX_PROCESS_CALLS_QUEUED)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                 "The connections of this process have %u calls waiting for the Parsec service already; "
                 "wait for replies before sending more", PARSEC_DBUS_MAX_PROCESS_CALLS_QUEUED);
  else if (size > PARSEC_DBUS_MAX_PROCESS_BYTES_QUEUED - caller->process->queued_bytes)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                 "The waiting calls of this process would hold more than %u MiB of arguments; "
                 "wait for replies before sending more", PARSEC_DBUS_MAX_PROCESS_BYTES_QUEUED >> 20);
  else if (self->queued >= PARSEC_DBUS_MAX_CALLS_QUEUED || size > PARSEC_DBUS_MAX_BYTES_QUEUED - self->queued_bytes)
    g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_LIMITS_EXCEEDED,
                 "The Parsec D-Bus service has as many calls waiting as it keeps (%u, or %u MiB of arguments); "
                 "try again later", PARSEC_DBUS_MAX_CALLS_QUEUED, PARSEC_DBUS_MAX_BYTES_QUEUED >> 20);
  else
    return TRUE;
  return FALSE;
}

/* Takes @call: serves it now, queues it, or refuses it when the caller
 * has too much waiting already. */
static void
caller_submit (ParsecDBusExporter *self,
               Caller             *caller,
               Call               *call)
{
  g_autoptr(GError) error = NULL;

  if (caller->state == CALLER_REFUSED)
    {
      call_return_error (call, caller->refusal);
      return;
    }
  if (g_queue_is_empty (&caller->queued) &&
      caller->in_flight < PARSEC_DBUS_MAX_CALLER_CALLS_IN_FLIGHT &&
      caller->process->in_flight < PARSEC_DBUS_MAX_PROCESS_CALLS_IN_FLIGHT &&
      self->in_flight < PARSEC_DBUS_MAX_CALLS_IN_FLIGHT)
    {
      caller_admit (self, caller, call);
      return;
    }

  queue_check (self, caller, call->size, &error);
  if (error != NULL)
    {
      call_return_error (call, error);
      return;
    }
  g_queue_push_tail (&caller->queued, call);
  queued_count (self, caller, 1, 1, call->size);
  caller_take_turn (self, caller);
  pump (self);
}

/* Identities */

/* Takes the table's reference to @identity, out of the table already, so
 * that nothing its failed calls set off finds it there. */
static void
identity_release (Identity *identity)
{
  g_autoptr(GError) error = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED,
                                                 "The caller left the bus, or the interface was withdrawn");

  identity->removed = TRUE;
  fail_queue (&identity->waiting, error);
  identity_unref (identity);
}

/* The namespace of @application_name (wiping memory, taken), bound to one
 * more caller. */
static Identity *
identity_bind (ParsecDBusExporter *self,
               char               *application_name)
{
  Identity *identity = g_hash_table_lookup (self->identities, application_name);

  if (identity != NULL)
    {
      secure_free (application_name);
    }
  else
    {
      identity = g_rc_box_new0 (Identity);
      identity->application_name = application_name;
      identity->serial = ++self->identity_serial;
      g_queue_init (&identity->waiting);
      g_hash_table_insert (self->identities, identity->application_name, identity);
    }
  identity->n_callers++;
  return g_rc_box_acquire (identity);
}

static void
identity_unbind (ParsecDBusExporter *self,
                 Identity           *identity)
{
  if (--identity->n_callers == 0 && !identity->removed)
    {
      g_hash_table_steal (self->identities, identity->application_name);
      identity_release (identity);
    }
  identity_unref (identity);
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
  g_autoptr(ParsecClient) client = PARSEC_CLIENT (source);
  Call *call;

  if (!g_async_initable_init_finish (G_ASYNC_INITABLE (source), result, &error))
    g_clear_object (&client);

  if (!identity->removed)
    {
      identity->initialising = FALSE;
      if (client == NULL)
        {
          /* The next call tries again: the service may only have been down
           * for a moment. */
          g_debug ("No Parsec client for namespace %u: %s", identity->serial, error->message);
          fail_queue (&identity->waiting, error);
        }
      else
        {
          identity->client = g_steal_pointer (&client);
          while ((call = g_queue_pop_head (&identity->waiting)) != NULL)
            {
              call->client = g_object_ref (identity->client);
              call_start (call);
            }
        }
    }

  identity_unref (identity);
  g_object_unref (init->self);
  g_free (init);
}

/* The client of a namespace: every setting of the exporter's
 * configuration (endpoint, provider, limits, trust policy and users, and
 * any added later), with direct authentication under the caller's
 * application name. Direct only: with any other authenticator every
 * caller would share one namespace. */
static void
identity_start (ParsecDBusExporter *self,
                Identity           *identity)
{
  IdentityInit *init = g_new0 (IdentityInit, 1);
  g_autofree GParamSpec **pspecs = NULL;
  g_autofree const char **names = NULL;
  g_autofree GValue *values = NULL;
  guint n_pspecs = 0, n = 0;
  GObject *client;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (self->client), &n_pspecs);
  names = g_new0 (const char *, n_pspecs + 2);
  values = g_new0 (GValue, n_pspecs + 2);
  for (guint i = 0; i < n_pspecs; i++)
    {
      if ((pspecs[i]->flags & G_PARAM_READWRITE) != G_PARAM_READWRITE ||
          g_str_equal (pspecs[i]->name, "application-name") ||
          g_str_equal (pspecs[i]->name, "auth-method"))
        continue;
      names[n] = pspecs[i]->name;
      g_value_init (&values[n], pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (self->client), pspecs[i]->name, &values[n]);
      n++;
    }
  /* Static: the client's copy is the only one, and it wipes it. */
  names[n] = "application-name";
  g_value_init (&values[n], G_TYPE_STRING);
  g_value_set_static_string (&values[n], identity->application_name);
  n++;
  names[n] = "auth-method";
  g_value_init (&values[n], PARSEC_TYPE_AUTH_METHOD);
  g_value_set_enum (&values[n], PARSEC_AUTH_METHOD_DIRECT);
  n++;

  client = g_object_new_with_properties (PARSEC_TYPE_CLIENT, n, names, values);
  for (guint i = 0; i < n; i++)
    g_value_unset (&values[i]);

  identity->initialising = TRUE;
  init->self = g_object_ref (self);
  init->identity = g_rc_box_acquire (identity);
  g_async_initable_init_async (G_ASYNC_INITABLE (client), G_PRIORITY_DEFAULT, NULL,
                               identity_client_ready, init);
}

/* Takes @call. */
static void
identity_submit (ParsecDBusExporter *self,
                 Identity           *identity,
                 Call               *call)
{
  if (identity->client != NULL)
    {
      call->client = g_object_ref (identity->client);
      call_start (call);
      return;
    }
  g_queue_push_tail (&identity->waiting, call);
  if (!identity->initialising)
    identity_start (self, identity);
}

/* Callers */

static void caller_leave (ParsecDBusExporter *self,
                          Caller             *caller);

static void
caller_name_owner_changed (GDBusConnection *connection,
                           const char      *sender_name,
                           const char      *object_path,
                           const char      *interface_name,
                           const char      *signal_name,
                           GVariant        *parameters,
                           gpointer         user_data)
{
  Caller *caller = user_data;
  const char *name, *old_owner, *new_owner;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sss)")))
    return;
  g_variant_get (parameters, "(&s&s&s)", &name, &old_owner, &new_owner);
  /* A unique name that leaves the bus never comes back. */
  if (new_owner[0] == '\0')
    caller_leave (caller->self, caller);
}

typedef struct {
  ParsecDBusExporter *self;
  Caller *caller;
} CallerResolve;

static CallerResolve *
caller_resolve_new (ParsecDBusExporter *self,
                    Caller             *caller)
{
  CallerResolve *resolve = g_new0 (CallerResolve, 1);

  resolve->self = g_object_ref (self);
  resolve->caller = caller_ref (caller);
  return resolve;
}

static void
caller_resolve_free (CallerResolve *resolve)
{
  caller_unref (resolve->caller);
  g_object_unref (resolve->self);
  g_free (resolve);
}

static void
caller_owner_ready (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CallerResolve *check = user_data;
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  /* Only whether the name has an owner matters. */
  g_clear_pointer (&reply, g_variant_unref);
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) && !check->caller->removed)
    caller_leave (check->self, check->caller);
  caller_resolve_free (check);
}

/* Watches @caller's unique name alone, not every name on the bus: the
 * service hears of its own callers only. The name may have left before
 * the match was in place (a caller that sends and disconnects); the bus
 * answers GetNameOwner after it has added the match, so one of the two
 * tells. */
static void
caller_watch (ParsecDBusExporter *self,
              Caller             *caller)
{
  caller->name_watch_id =
    g_dbus_connection_signal_subscribe (self->connection, "org.freedesktop.DBus", "org.freedesktop.DBus",
                                        "NameOwnerChanged", "/org/freedesktop/DBus", caller->sender,
                                        G_DBUS_SIGNAL_FLAGS_NONE, caller_name_owner_changed, caller, NULL);
  g_dbus_connection_call (self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetNameOwner", g_variant_new ("(s)", caller->sender),
                          G_VARIANT_TYPE ("(s)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          caller_owner_ready, caller_resolve_new (self, caller));
}

static Caller *
caller_lookup (ParsecDBusExporter *self,
               const char         *sender)
{
  Caller *caller = g_hash_table_lookup (self->callers, sender);

  if (caller == NULL)
    {
      caller = g_rc_box_new0 (Caller);
      caller->self = self;
      caller->sender = g_strdup (sender);
      caller->process = process_ref (self->unidentified);
      caller->process->n_callers++;
      caller->cancellable = g_cancellable_new ();
      g_queue_init (&caller->resolving);
      g_queue_init (&caller->queued);
      g_hash_table_insert (self->callers, caller->sender, caller);
      caller_watch (self, caller);
      update_idle (self);
    }
  return caller;
}

/* Refuses @caller from now on with @refusal (taken), and its calls that
 * wait. */
static void
caller_refuse (Caller *caller,
               GError *refusal)
{
  g_debug ("Refusing %s: %s", caller->sender, refusal->message);
  caller->state = CALLER_REFUSED;
  caller->refusal = refusal;
  fail_queue (&caller->resolving, caller->refusal);
  caller_fail_queued (caller, caller->refusal);
}

/* Fails the calls of @caller that wait for @identity's client. */
static void
identity_drop_caller (Identity     *identity,
                      Caller       *caller,
                      const GError *error)
{
  GQueue dropped = G_QUEUE_INIT;
  GList *link = identity->waiting.head;

  while (link != NULL)
    {
      GList *next = link->next;

      if (((Call *) link->data)->caller == caller)
        {
          g_queue_unlink (&identity->waiting, link);
          g_queue_push_tail_link (&dropped, link);
        }
      link = next;
    }
  fail_queue (&dropped, error);
}

/* Takes the table's reference to @caller, which left or is withdrawn
 * from: its calls in flight are cancelled, those waiting failed, and its
 * identity let go. */
static void
caller_forget (ParsecDBusExporter *self,
               Caller             *caller)
{
  g_autoptr(GError) error = g_error_new_literal (G_DBUS_ERROR, G_DBUS_ERROR_DISCONNECTED,
                                                 "The caller left the bus, or the interface was withdrawn");

  caller->removed = TRUE;
  process_leave (self, caller->process);
  /* Out of its process's turns, where it would keep the process alive. */
  if (caller->in_turns)
    {
      g_queue_remove (&caller->process->turns, caller);
      caller->in_turns = FALSE;
      caller_unref (caller);
    }
  g_dbus_connection_signal_unsubscribe (self->connection, caller->name_watch_id);
  caller->name_watch_id = 0;
  g_cancellable_cancel (caller->cancellable);
  fail_queue (&caller->resolving, error);
  caller_fail_queued (caller, error);
  if (caller->identity != NULL)
    {
      identity_drop_caller (caller->identity, caller, error);
      identity_unbind (self, g_steal_pointer (&caller->identity));
    }
  caller_unref (caller);
}

static void
caller_leave (ParsecDBusExporter *self,
              Caller             *caller)
{
  g_debug ("%s left: %u calls in flight cancelled, %u waiting dropped", caller->sender, caller->in_flight,
           caller->queued.length + caller->resolving.length);
  g_hash_table_steal (self->callers, caller->sender);
  caller_forget (self, caller);
  update_idle (self);
}

/* Gives back the slots that the calls of @caller, just identified, hold
 * beyond its process's share (each new connection's first calls are
 * served as the unidentified's): the calls wait their turn, or are
 * refused when the process's queue is full. */
static void
caller_return_slots (ParsecDBusExporter *self,
                     Caller             *caller)
{
  g_autoptr(GError) refusal = NULL;
  GQueue refused = G_QUEUE_INIT;
  Call *call;

  while (caller->process->in_flight > PARSEC_DBUS_MAX_PROCESS_CALLS_IN_FLIGHT &&
         (call = g_queue_pop_tail (&caller->resolving)) != NULL)
    {
      g_autoptr(GError) error = NULL;

      call->admitted = FALSE;
      self->in_flight--;
      caller->process->in_flight--;
      caller->in_flight--;
      if (queue_check (self, caller, call->size, &error))
        {
          g_queue_push_head (&caller->queued, call);
          queued_count (self, caller, 1, 1, call->size);
          continue;
        }
      g_queue_push_head (&refused, call);
      if (refusal == NULL)
        refusal = g_steal_pointer (&error);
    }
  if (refusal != NULL)
    fail_queue (&refused, refusal);
  caller_take_turn (self, caller);
  pump (self);
}

/* Moves @caller, just identified, from the unidentified to @process, with
 * its calls in flight and waiting. */
static void
caller_move (ParsecDBusExporter *self,
             Caller             *caller,
             Process            *process)
{
  Process *from = caller->process;

  if (caller->in_turns)
    {
      g_queue_remove (&from->turns, caller);
      caller->in_turns = FALSE;
      caller_unref (caller);
    }
  from->in_flight -= caller->in_flight;
  from->queued -= caller->queued.length;
  from->queued_bytes -= caller->queued_bytes;
  process_leave (self, from);
  process->n_callers++;
  process->in_flight += caller->in_flight;
  process->queued += caller->queued.length;
  process->queued_bytes += caller->queued_bytes;
  caller->process = process_ref (process);
  process_take_turn (self, from);
  process_unref (from);
  caller_take_turn (self, caller);
}

static void
caller_resolved (ParsecDBusExporter *self,
                 Caller             *caller,
                 guint32             uid,
                 guint32             pid,
                 int                 pidfd,
                 GError             *bus_error)
{
  g_autoptr(GError) error = bus_error;
  guint64 start_time = 0;
  char *name = NULL;
  Call *call;

  if (error == NULL)
    name = _parsec_dbus_identity_resolve (self->proc_root, (guint32) geteuid (), uid, pid, pidfd,
                                          &start_time, &error);
  if (pidfd >= 0)
    close (pidfd);

  if (name == NULL)
    {
      if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
        {
          caller_refuse (caller, g_steal_pointer (&error));
          return;
        }
      /* Not remembered: the caller's next call tries again. */
      g_debug ("Cannot identify %s now: %s", caller->sender, error->message);
      caller->state = CALLER_UNKNOWN;
      fail_queue (&caller->resolving, error);
      return;
    }

  caller_move (self, caller, process_lookup (self, uid, pid));
  caller_return_slots (self, caller);
  caller->state = CALLER_KNOWN;
  caller->pid = pid;
  caller->start_time = start_time;
  caller->identity = identity_bind (self, name);
  g_debug ("%s is process %u, in namespace %u", caller->sender, pid, caller->identity->serial);
  while ((call = g_queue_pop_head (&caller->resolving)) != NULL)
    identity_submit (self, caller->identity, call);
}

static void
credentials_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CallerResolve *resolve = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fd_list = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &fd_list,
                                                                                result, &error);
  guint32 uid = G_MAXUINT32, pid = 0;
  gint32 handle;
  int pidfd = -1;

  if (reply != NULL)
    {
      g_autoptr(GVariant) credentials = g_variant_get_child_value (reply, 0);

      if (!g_variant_lookup (credentials, "UnixUserID", "u", &uid) ||
          !g_variant_lookup (credentials, "ProcessID", "u", &pid))
        g_set_error_literal (&error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                             "The message bus does not know the caller's user and process");
      /* dbus-broker 35 and dbus-daemon 1.15.8 and later: the process that
       * connected, which no later process with its id can pass for. */
      else if (g_variant_lookup (credentials, "ProcessFD", "h", &handle) && fd_list != NULL &&
               (pidfd = g_unix_fd_list_get (fd_list, handle, NULL)) < 0)
        g_set_error_literal (&error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                             "Cannot identify the caller now: the message bus's process descriptor is unusable");
    }
  else
    {
      /* Not the caller's fault, and not remembered. */
      GError *failed = g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_FAILED,
                                    "Cannot identify the caller now: %s", error->message);

      g_clear_error (&error);
      error = failed;
    }

  if (!resolve->caller->removed)
    {
      caller_resolved (resolve->self, resolve->caller, uid, pid, pidfd, g_steal_pointer (&error));
    }
  else if (pidfd >= 0)
    close (pidfd);

  caller_resolve_free (resolve);
}

static void
caller_resolve (ParsecDBusExporter *self,
                Caller             *caller)
{
  CallerResolve *resolve;
  guint32 uid, pid;
  int pidfd = -1;

  caller->state = CALLER_RESOLVING;
  if (self->credentials_func != NULL &&
      self->credentials_func (caller->sender, &uid, &pid, &pidfd, self->credentials_data))
    {
      caller_resolved (self, caller, uid, pid, pidfd, NULL);
      return;
    }

  resolve = caller_resolve_new (self, caller);
  g_dbus_connection_call_with_unix_fd_list (self->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                            "org.freedesktop.DBus", "GetConnectionCredentials",
                                            g_variant_new ("(s)", caller->sender), G_VARIANT_TYPE ("(a{sv})"),
                                            G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL, credentials_ready, resolve);
}

/* Whether the process of a known caller is still what it was at its
 * first call: the same process (by its start time) running the same
 * program. A process that started another program since, or a process
 * that got the id of one that exited, is not the caller. */
static gboolean
caller_verify (ParsecDBusExporter  *self,
               Caller              *caller,
               GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 start_time = 0;
  char *name;
  gboolean same;

  name = _parsec_dbus_identity_resolve (self->proc_root, (guint32) geteuid (), (guint32) geteuid (),
                                        caller->pid, -1, &start_time, &local_error);
  if (name == NULL)
    {
      if (!g_error_matches (local_error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      caller_refuse (caller, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                          "The process that connected as %s can no longer be identified: %s",
                                          caller->sender, local_error->message));
      g_propagate_error (error, g_error_copy (caller->refusal));
      return FALSE;
    }

  same = start_time == caller->start_time && strcmp (name, caller->identity->application_name) == 0;
  secure_free (name);
  if (!same)
    {
      caller_refuse (caller, g_error_new (G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED,
                                          "Process %u, which connected as %s, is no longer the program it was "
                                          "at its first call (it started another program, or exited and its "
                                          "id went to another process)", caller->pid, caller->sender));
      g_propagate_error (error, g_error_copy (caller->refusal));
      return FALSE;
    }
  return TRUE;
}

/* Takes @call, which holds a slot. */
static void
caller_dispatch (ParsecDBusExporter *self,
                 Caller             *caller,
                 Call               *call)
{
  g_autoptr(GError) error = NULL;

  switch (caller->state)
    {
    case CALLER_UNKNOWN:
      g_queue_push_tail (&caller->resolving, call);
      caller_resolve (self, caller);
      break;
    case CALLER_RESOLVING:
      g_queue_push_tail (&caller->resolving, call);
      break;
    case CALLER_REFUSED:
      call_return_error (call, caller->refusal);
      break;
    case CALLER_KNOWN:
      if (caller_verify (self, caller, &error))
        identity_submit (self, caller->identity, call);
      else
        call_return_error (call, error);
      break;
    default:
      g_assert_not_reached ();
    }
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
  call_complete (call);
}

static void
set_reply_too_large (GError **error)
{
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT,
               "The reply would be larger than the %u MiB that the Parsec D-Bus interface sends in one message",
               PARSEC_DBUS_MAX_REPLY_SIZE >> 20);
}

/* Takes @call and @reply (floating or not). */
static void
call_return_value (Call     *call,
                   GVariant *reply)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (reply);
  g_autoptr(GError) error = NULL;

  if (g_variant_get_size (owned) > PARSEC_DBUS_MAX_REPLY_SIZE)
    {
      set_reply_too_large (&error);
      call_return_error (call, error);
      return;
    }
  g_dbus_method_invocation_return_value (call->invocation, owned);
  call_complete (call);
}

/* An array of dictionaries for a reply, given up as soon as it would make
 * the reply too large, before the rest is built. */
typedef struct {
  GVariantBuilder builder;
  gsize size;
} ReplyList;

static void
reply_list_init (ReplyList *list)
{
  g_variant_builder_init (&list->builder, G_VARIANT_TYPE ("aa{sv}"));
  list->size = 0;
}

/* Ends @entry, an a{sv} builder, and adds it; on failure clears @list. */
static gboolean
reply_list_add (ReplyList        *list,
                GVariantBuilder  *entry,
                GError          **error)
{
  g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_builder_end (entry));
  /* The entry, its padding and its offset in the array. */
  gsize size = g_variant_get_size (value) + 16;

  if (size > PARSEC_DBUS_MAX_REPLY_SIZE - list->size)
    {
      g_variant_builder_clear (&list->builder);
      set_reply_too_large (error);
      return FALSE;
    }
  list->size += size;
  g_variant_builder_add_value (&list->builder, value);
  return TRUE;
}

static GVariant *
reply_list_end (ReplyList *list)
{
  return g_variant_new ("(@aa{sv})", g_variant_builder_end (&list->builder));
}

/* Methods */

/* The source is the client, or the key of a key method. */
typedef gboolean  (*FinishBoolFunc)   (gpointer source, GAsyncResult *result, GError **error);
typedef GBytes   *(*FinishBytesFunc)  (gpointer source, GAsyncResult *result, GError **error);
typedef GVariant *(*FinishCustomFunc) (gpointer source, GAsyncResult *result, GError **error);

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
  gboolean takes_fd;   /* its second argument, an h */
};

static void
call_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;
  gpointer client = source;
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
  call_return_value (call, reply);
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
  ((AlgOneFunc) async) (call->client, child_string (parameters, 0), algorithm, data, call->cancellable, call_done, call);
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
                        call->cancellable, call_done, call);
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
                          call->cancellable, call_done, call);
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

  ((KeyFunc) async) (call->client, child_string (parameters, 0), call->cancellable, call_done, call);
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

  ((NoArgFunc) async) (call->client, call->cancellable, call_done, call);
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
                                    call->cancellable, call_done, call);
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
                                  call->cancellable, call_done, call);
  return TRUE;
}

/* The key @call looked up, or NULL when the lookup failed and @call has
 * its reply. */
static ParsecKey *
call_key_found (Call         *call,
                GObject      *source,
                GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  ParsecKey *key = parsec_client_lookup_key_finish (PARSEC_CLIENT (source), result, &error);

  if (key == NULL)
    call_return_error (call, error);
  return key;
}

static void
export_public_key_found (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(ParsecKey) key = call_key_found (call, source, result);

  if (key == NULL)
    return;
  parsec_key_export_public_key_async (key, call->format, call->cancellable, call_done, call);
}

static GBytes *
finish_export_public_key (gpointer       source,
                          GAsyncResult  *result,
                          GError       **error)
{
  if (PARSEC_IS_KEY (source))
    return parsec_key_export_public_key_finish (source, result, error);
  return parsec_client_export_public_key_finish (source, result, error);
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
  if (value->value == PARSEC_PUBLIC_KEY_FORMAT_PSA)
    parsec_client_export_public_key_async (call->client, child_string (parameters, 0), call->cancellable,
                                           call_done, call);
  else
    {
      /* DER and PEM need the key's type: look the key up first. */
      call->format = value->value;
      parsec_client_lookup_key_async (call->client, child_string (parameters, 0), call->cancellable,
                                      export_public_key_found, call);
    }
  return TRUE;
}

/* The stream of the descriptor a *DataFd call carries, or NULL when
 * @call has its reply. */
static GInputStream *
call_data_stream (Call *call)
{
  GDBusMessage *message = g_dbus_method_invocation_get_message (call->invocation);
  g_autoptr(GVariant) handle = g_variant_get_child_value (g_dbus_method_invocation_get_parameters (call->invocation), 1);
  g_autoptr(GError) error = NULL;
  int fd = g_unix_fd_list_get (g_dbus_message_get_unix_fd_list (message), g_variant_get_handle (handle), &error);

  if (fd < 0)
    {
      call_return_error (call, error);
      return NULL;
    }
  return g_unix_input_stream_new (fd, TRUE);
}

/* (s key, ay data[, ay signature]): signed or verified as the key's
 * policy says, hashed in this process (GChecksum, or the service for
 * the hashes GLib lacks) by the client library. The *DataFd forms,
 * (s key, h data[, ay signature]), read the descriptor to its end in
 * chunks (from the thread pool for a regular file, polled for a pipe or
 * a socket), so that the daemon's memory stays flat whatever its
 * length; method_call() has checked the descriptor's kind. */
static void
data_key_found (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(ParsecKey) key = call_key_found (call, source, result);
  GVariant *parameters;
  g_autoptr(GBytes) data = NULL, signature = NULL;
  g_autoptr(GInputStream) stream = NULL;
  gboolean verify;

  /* A failed lookup has replied, and @call is gone. */
  if (key == NULL)
    return;
  verify = call->method->reply == REPLY_NONE;
  parameters = g_dbus_method_invocation_get_parameters (call->invocation);
  if (verify)
    signature = child_bytes (parameters, 2);
  if (!call->method->takes_fd)
    {
      data = child_bytes (parameters, 1);
      if (verify)
        parsec_key_verify_data_async (key, data, signature, call->cancellable, call_done, call);
      else
        parsec_key_sign_data_async (key, data, call->cancellable, call_done, call);
    }
  else if ((stream = call_data_stream (call)) != NULL)
    {
      if (verify)
        parsec_key_verify_stream_async (key, stream, signature, call->cancellable, call_done, call);
      else
        parsec_key_sign_stream_async (key, stream, call->cancellable, call_done, call);
    }
}

static gboolean
start_data_signature (Call      *call,
                      GVariant  *parameters,
                      GCallback  async,
                      GError   **error)
{
  parsec_client_lookup_key_async (call->client, child_string (parameters, 0), call->cancellable,
                                  data_key_found, call);
  return TRUE;
}

/* The one descriptor a *DataFd call may carry, the one its argument
 * names, and of a kind that ends: a regular file, a pipe or a socket.
 * Checked before the call waits, so that a refusal is at once. */
static gboolean
check_data_fd (GVariant     *parameters,
               GUnixFDList  *fd_list,
               GError      **error)
{
  g_autoptr(GVariant) handle = g_variant_get_child_value (parameters, 1);
  struct stat st;

  if (fd_list == NULL || g_unix_fd_list_get_length (fd_list) != 1 || g_variant_get_handle (handle) != 0)
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                           "The data argument must name the one file descriptor the call carries");
      return FALSE;
    }
  if (fstat (g_unix_fd_list_peek_fds (fd_list, NULL)[0], &st) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                   "Cannot look at the data's file descriptor: %s", g_strerror (errsv));
      return FALSE;
    }
  if (!S_ISREG (st.st_mode) && !S_ISFIFO (st.st_mode) && !S_ISSOCK (st.st_mode))
    {
      g_set_error_literal (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                           "The data's file descriptor must be a regular file, a pipe or a socket, "
                           "not a directory, a device or other special file");
      return FALSE;
    }
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
      parsec_client_hash_compute_async (call->client, hash, input, call->cancellable, call_done, call);
    }
  else
    {
      g_autoptr(GBytes) digest = child_bytes (parameters, 2);

      parsec_client_hash_compare_async (call->client, hash, input, digest, call->cancellable, call_done, call);
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
  parsec_client_generate_random_async (call->client, (gsize) size, call->cancellable, call_done, call);
  return TRUE;
}

static GVariant *
finish_ping (ParsecClient  *client,
             GAsyncResult  *result,
             GError       **error)
{
  g_autoptr(ParsecProtocolVersion) version = parsec_client_ping_finish (client, result, error);

  if (version == NULL)
    return NULL;
  return g_variant_new ("(uu)", version->major, version->minor);
}

/* A made key is not part of the reply: the caller names keys itself. */
static gboolean
finish_generate_key (ParsecClient  *client,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_autoptr(ParsecKey) key = parsec_client_generate_key_finish (client, result, error);

  return key != NULL;
}

static gboolean
finish_import_key (ParsecClient  *client,
                   GAsyncResult  *result,
                   GError       **error)
{
  g_autoptr(ParsecKey) key = parsec_client_import_key_finish (client, result, error);

  return key != NULL;
}

static GVariant *
finish_list_providers (ParsecClient  *client,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_autoptr(GPtrArray) providers = parsec_client_list_providers_finish (client, result, error);
  ReplyList list;

  if (providers == NULL)
    return NULL;
  reply_list_init (&list);
  for (guint i = 0; i < providers->len; i++)
    {
      ParsecProviderInfo *info = g_ptr_array_index (providers, i);
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "id", g_variant_new_uint32 (parsec_provider_info_get_id (info)));
      g_variant_builder_add (&entry, "{sv}", "uuid", g_variant_new_string (parsec_provider_info_get_uuid (info)));
      g_variant_builder_add (&entry, "{sv}", "description",
                             g_variant_new_string (parsec_provider_info_get_description (info)));
      g_variant_builder_add (&entry, "{sv}", "vendor", g_variant_new_string (parsec_provider_info_get_vendor (info)));
      g_variant_builder_add (&entry, "{sv}", "version-major",
                             g_variant_new_uint32 (parsec_provider_info_get_version_major (info)));
      g_variant_builder_add (&entry, "{sv}", "version-minor",
                             g_variant_new_uint32 (parsec_provider_info_get_version_minor (info)));
      g_variant_builder_add (&entry, "{sv}", "version-revision",
                             g_variant_new_uint32 (parsec_provider_info_get_version_revision (info)));
      if (!reply_list_add (&list, &entry, error))
        return NULL;
    }
  return reply_list_end (&list);
}

static GVariant *
finish_list_keys (ParsecClient  *client,
                  GAsyncResult  *result,
                  GError       **error)
{
  g_autoptr(GPtrArray) keys = parsec_client_list_keys_finish (client, result, error);
  ReplyList list;

  if (keys == NULL)
    return NULL;
  reply_list_init (&list);
  for (guint i = 0; i < keys->len; i++)
    {
      ParsecKey *key = g_ptr_array_index (keys, i);
      GVariantBuilder entry;

      g_variant_builder_init (&entry, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&entry, "{sv}", "name", g_variant_new_string (parsec_key_get_name (key)));
      g_variant_builder_add (&entry, "{sv}", "provider", g_variant_new_uint32 ((guint32) parsec_key_get_provider (key)));
      g_variant_builder_add (&entry, "{sv}", "attributes",
                             _parsec_dbus_key_attributes_to_variant (parsec_key_get_attributes (key)));
      if (!reply_list_add (&list, &entry, error))
        return NULL;
    }
  return reply_list_end (&list);
}

static GVariant *
finish_key_attributes (ParsecClient  *client,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_autoptr(ParsecKey) key = parsec_client_lookup_key_finish (client, result, error);

  if (key == NULL)
    return NULL;
  return g_variant_new ("(@a{sv})", _parsec_dbus_key_attributes_to_variant (parsec_key_get_attributes (key)));
}

#define ASYNC(f) ((GCallback) (f))
#define FINISH(f) ((GCallback) (f))

/* The interface's methods; GDBus has already checked the argument types
 * against the introspection data when a handler runs. */
static const Method methods[] = {
  { "Ping", start_none, ASYNC (parsec_client_ping_async), REPLY_CUSTOM, FINISH (finish_ping) },
  { "ListProviders", start_none, ASYNC (parsec_client_list_providers_async), REPLY_CUSTOM, FINISH (finish_list_providers) },
  { "ListKeys", start_none, ASYNC (parsec_client_list_keys_async), REPLY_CUSTOM, FINISH (finish_list_keys) },
  { "GetKeyAttributes", start_key, ASYNC (parsec_client_lookup_key_async), REPLY_CUSTOM, FINISH (finish_key_attributes) },
  { "GenerateKey", start_generate_key, NULL, REPLY_NONE, FINISH (finish_generate_key) },
  { "ImportKey", start_import_key, NULL, REPLY_NONE, FINISH (finish_import_key) },
  { "ExportPublicKey", start_export_public_key, NULL, REPLY_BYTES, FINISH (finish_export_public_key) },
  { "ExportKey", start_key, ASYNC (parsec_client_export_key_async), REPLY_SECRET, FINISH (parsec_client_export_key_finish) },
  { "DestroyKey", start_key, ASYNC (parsec_client_destroy_key_async), REPLY_NONE, FINISH (parsec_client_destroy_key_finish) },
  { "SignHash", start_alg_one, ASYNC (parsec_client_sign_hash_async), REPLY_BYTES, FINISH (parsec_client_sign_hash_finish) },
  { "VerifyHash", start_alg_two, ASYNC (parsec_client_verify_hash_async), REPLY_NONE, FINISH (parsec_client_verify_hash_finish) },
  { "SignMessage", start_alg_one, ASYNC (parsec_client_sign_message_async), REPLY_BYTES, FINISH (parsec_client_sign_message_finish) },
  { "SignData", start_data_signature, NULL, REPLY_BYTES, FINISH (parsec_key_sign_data_finish) },
  { "VerifyData", start_data_signature, NULL, REPLY_NONE, FINISH (parsec_key_verify_data_finish) },
  { "SignDataFd", start_data_signature, NULL, REPLY_BYTES,
    FINISH (parsec_key_sign_stream_finish), TRUE },
  { "VerifyDataFd", start_data_signature, NULL, REPLY_NONE,
    FINISH (parsec_key_verify_stream_finish), TRUE },
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

  if (g_cancellable_set_error_if_cancelled (call->cancellable, &error) ||
      !call->method->start (call, parameters, call->method->async, &error))
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
  GUnixFDList *fd_list = g_dbus_message_get_unix_fd_list (g_dbus_method_invocation_get_message (invocation));
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

  /* Only the *DataFd methods take one, and one each: a waiting call
   * holds its descriptor, so the queues' bounds bound them too. */
  if (method->takes_fd)
    {
      g_autoptr(GError) error = NULL;

      if (!check_data_fd (parameters, fd_list, &error))
        {
          g_dbus_method_invocation_return_gerror (invocation, error);
          return;
        }
    }
  else if (fd_list != NULL && g_unix_fd_list_get_length (fd_list) > 0)
    {
      g_dbus_method_invocation_return_error (invocation, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
                                             "%s takes no file descriptors", method_name);
      return;
    }

  call = g_new0 (Call, 1);
  call->self = g_object_ref (self);
  call->caller = caller_ref (caller_lookup (self, sender));
  call->invocation = g_object_ref (invocation);
  call->method = method;
  call->cancellable = call->caller->cancellable;
  call->size = g_variant_get_size (parameters);
  caller_submit (self, call->caller, call);
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

/* Idleness */

static void
update_idle (ParsecDBusExporter *self)
{
  gboolean idle = g_hash_table_size (self->callers) == 0 && self->in_flight == 0;

  if (idle == self->idle)
    return;
  self->idle = idle;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDLE]);
}

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
  g_queue_clear_full (&self->turns, (GDestroyNotify) process_unref);
  g_hash_table_unref (self->processes);
  process_unref (self->unidentified);
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
    case PROP_IDLE:
      g_value_set_boolean (value, self->idle);
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
   * timeout, response size limit, trust policy and trusted users. Each
   * caller gets a client of its own with all of that configuration and
   * direct authentication under the caller's identity; this one sends
   * nothing itself.
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, PARSEC_TYPE_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ParsecDBusExporter:idle:
   *
   * Whether the exporter has no caller (no unique name that has called
   * and is still on the bus) and no call in flight: what a bus-activated
   * service waits for before it exits. Notified on the exporter's
   * context.
   */
  properties[PROP_IDLE] =
    g_param_spec_boolean ("idle", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The error domain's D-Bus names, for the replies. */
  _parsec_dbus_error_register ();
}

static void
parsec_dbus_exporter_init (ParsecDBusExporter *self)
{
  self->callers = g_hash_table_new (g_str_hash, g_str_equal);
  self->identities = g_hash_table_new (g_str_hash, g_str_equal);
  self->processes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) process_unref);
  self->unidentified = process_new (NULL);
  g_queue_init (&self->turns);
  self->proc_root = g_strdup (DEFAULT_PROC_ROOT);
  self->idle = TRUE;
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
                                          (GDBusInterfaceInfo *) &parsec_dbus_crypto1_interface,
                                          &interface_vtable, self, NULL, error);
  if (id == 0)
    return FALSE;

  self->connection = g_object_ref (connection);
  self->object_path = g_strdup (object_path);
  self->registration_id = id;
  return TRUE;
}

/**
 * parsec_dbus_exporter_unexport:
 * @self: a #ParsecDBusExporter
 *
 * Withdraws the interface exported by parsec_dbus_exporter_export(), if
 * it is exported, and forgets the callers. Calls in progress still get
 * their replies.
 */
void
parsec_dbus_exporter_unexport (ParsecDBusExporter *self)
{
  GHashTableIter iter;
  gpointer value;
  Process *process;

  g_return_if_fail (PARSEC_IS_DBUS_EXPORTER (self));

  if (self->connection == NULL)
    return;

  g_dbus_connection_unregister_object (self->connection, self->registration_id);
  self->registration_id = 0;

  /* Out of the table before their waiting calls fail, so that nothing
   * set off by that finds them. */
  while ((process = g_queue_pop_head (&self->turns)) != NULL)
    {
      process->in_turns = FALSE;
      process_unref (process);
    }
  g_hash_table_iter_init (&iter, self->callers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      caller_forget (self, value);
    }
  g_hash_table_iter_init (&iter, self->identities);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_hash_table_iter_steal (&iter);
      identity_release (value);
    }
  g_clear_object (&self->connection);
  g_clear_pointer (&self->object_path, g_free);
  update_idle (self);
}

/**
 * parsec_dbus_exporter_get_connection:
 * @self: a #ParsecDBusExporter
 *
 * Gets the connection the exporter is exported on.
 *
 * Returns: (transfer none) (nullable): the connection, or %NULL when not
 *   exported
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
 */
const char *
parsec_dbus_exporter_get_object_path (ParsecDBusExporter *self)
{
  g_return_val_if_fail (PARSEC_IS_DBUS_EXPORTER (self), NULL);

  return self->object_path;
}

/**
 * parsec_dbus_exporter_get_idle:
 * @self: a #ParsecDBusExporter
 *
 * Gets #ParsecDBusExporter:idle.
 *
 * Returns: whether the exporter has no caller and no call in flight
 */
gboolean
parsec_dbus_exporter_get_idle (ParsecDBusExporter *self)
{
  g_return_val_if_fail (PARSEC_IS_DBUS_EXPORTER (self), FALSE);

  return self->idle;
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

void
_parsec_dbus_exporter_get_load (ParsecDBusExporter *self,
                                guint              *n_callers,
                                guint              *n_in_flight)
{
  *n_callers = g_hash_table_size (self->callers);
  *n_in_flight = self->in_flight;
}

void
_parsec_dbus_exporter_get_queued (ParsecDBusExporter *self,
                                  guint              *n_queued,
                                  gsize              *bytes_queued,
                                  guint              *n_processes)
{
  *n_queued = self->queued;
  *bytes_queued = self->queued_bytes;
  *n_processes = g_hash_table_size (self->processes);
}
