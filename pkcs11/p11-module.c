/* p11-module.c: the PKCS #11 v2.40 entry points of parsec-glib-pkcs11
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * One slot, with its token always present, per Parsec identity: the
 * service the library's configuration names (PARSEC_SERVICE_ENDPOINT,
 * GSettings), reached with each application name of
 * PARSEC_PKCS11_APPLICATION_NAME (comma-separated), else the default
 * GApplication's id, else "parsec-glib-pkcs11"; and the endpoint and
 * application name of each ParsecClient of the process the module is
 * loaded in, as the library reports them, so that the URIs the library
 * gives its applications name tokens that exist. Those slots are added as
 * the clients appear, at C_Initialize and at each C_GetSlotList, and stay
 * until C_Finalize, so slot ids keep their meaning. Each slot keeps a
 * ParsecClient of its own; nothing is sent before a call needs the service.
 *
 * One mutex guards the module's state, never held while the service
 * works: a call that asks the service (sign, verify, encrypt, decrypt,
 * random, key generation, listing, public keys, destruction, discovery)
 * references what it needs under the lock, drops it while it waits, and
 * looks its session and objects up again by handle after; handles are
 * never reused in the process, so one that went meanwhile is not found.
 * So threads work in parallel. After fork() every call of the
 * child answers CKR_CRYPTOKI_NOT_INITIALIZED until C_Initialize; the
 * parent's state, whose locks another thread may have held, is left alone.
 */
#include "config.h"

#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <p11-kit/uri.h>

#include "p11-private.h"
#include "parsec-glib/parsec-pkcs11-private.h"
#include "secure-mem.h"
#include "secure-env.h"

#define DEFAULT_APPLICATION_NAME "parsec-glib-pkcs11"
#define MANUFACTURER "Parsec (parsec-glib)"

typedef struct {
  GPtrArray *slots;           /* P11Slot */
  GHashTable *sessions;       /* handle to P11Session */
  GHashTable *objects;        /* handle to P11Object, owned by their slot */
  /* Whether a call that needs the slots has asked the services how they
   * authenticate (see settle_slots()). */
  gboolean settling_tried;
} ModuleState;

static GMutex module_lock;
static ModuleState *state;
/* Session and object handles, under the lock: they keep counting across
 * C_Finalize and C_Initialize, so that a handle of an earlier
 * initialisation (an operation still in flight in another thread, say)
 * never names anything of a later one. */
static CK_ULONG next_handle = 1;
/* The process that initialised the module; read before taking the lock,
 * which a child of fork() cannot trust. */
static volatile pid_t module_pid;
/* What a fork's child left behind: kept reachable, never touched. */
static GPtrArray *abandoned;

/* A space-padded field of CK_INFO and its friends */
static void
pad (char       *field,
     gsize       size,
     const char *text)
{
  gsize len = strlen (text);

  /* Cut before the character that would not fit whole, so the field
   * stays valid UTF-8. */
  if (len > size)
    len = g_utf8_find_prev_char (text, text + size + 1) - text;
  memset (field, ' ', size);
  memcpy (field, text, len);
}

/* Helpers for the other files */

gboolean
p11_output_fits (const void   *out,
                 CK_ULONG_PTR  out_len,
                 CK_ULONG      len,
                 CK_RV        *rv)
{
  if (out != NULL && *out_len >= len)
    return TRUE;
  *rv = out == NULL ? CKR_OK : CKR_BUFFER_TOO_SMALL;
  *out_len = len;
  return FALSE;
}

CK_RV
p11_rv_from_error (const GError *error,
                   CK_RV         invalid_argument)
{
  g_debug ("%s", error->message);
  if (error->domain == PARSEC_ERROR)
    {
      switch (error->code)
        {
        case PARSEC_ERROR_PSA_NOT_PERMITTED:
          return CKR_KEY_FUNCTION_NOT_PERMITTED;
        case PARSEC_ERROR_PSA_NOT_SUPPORTED:
          return CKR_MECHANISM_INVALID;
        case PARSEC_ERROR_PSA_INVALID_ARGUMENT:
          return invalid_argument;
        case PARSEC_ERROR_PSA_INVALID_SIGNATURE:
          return CKR_SIGNATURE_INVALID;
        case PARSEC_ERROR_PSA_INVALID_PADDING:
          return CKR_ENCRYPTED_DATA_INVALID;
        case PARSEC_ERROR_PSA_DOES_NOT_EXIST:
        case PARSEC_ERROR_PSA_INVALID_HANDLE:
          return CKR_KEY_HANDLE_INVALID;
        case PARSEC_ERROR_PSA_ALREADY_EXISTS:
          return CKR_ATTRIBUTE_VALUE_INVALID;
        case PARSEC_ERROR_PSA_INSUFFICIENT_MEMORY:
        case PARSEC_ERROR_PSA_INSUFFICIENT_STORAGE:
          return CKR_DEVICE_MEMORY;
        case PARSEC_ERROR_PSA_GENERIC_ERROR:
        case PARSEC_ERROR_PSA_BAD_STATE:
        case PARSEC_ERROR_PSA_BUFFER_TOO_SMALL:
          return CKR_FUNCTION_FAILED;
        default:
          /* The connection, the protocol, authentication, the hardware
           * behind the service: the device failed. */
          return CKR_DEVICE_ERROR;
        }
    }
  if (error->domain == G_IO_ERROR)
    return CKR_DEVICE_ERROR;
  /* The store would outgrow its bound. */
  if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC))
    return CKR_DEVICE_MEMORY;
  return CKR_FUNCTION_FAILED;
}

/* Object handles are the module's, so that they are unique across slots. */
void
p11_module_register_object (P11Object *object)
{
  object->handle = next_handle++;
  g_hash_table_insert (state->objects, GUINT_TO_POINTER (object->handle), object);
}

void
p11_module_unregister_object (P11Object *object)
{
  if (state != NULL && object->handle != CK_INVALID_HANDLE)
    g_hash_table_remove (state->objects, GUINT_TO_POINTER (object->handle));
  object->handle = CK_INVALID_HANDLE;
}

/* State */

/* Objects have one owner, their slot's table. */
static void
object_free (P11Object *object)
{
  g_free (object->key_name);
  g_clear_object (&object->key);
  g_clear_pointer (&object->spki, g_bytes_unref);
  g_clear_pointer (&object->id, g_bytes_unref);
  g_free (object->store_group);
  g_free (object->label);
  g_clear_pointer (&object->value, g_bytes_unref);
  g_clear_pointer (&object->application, g_bytes_unref);
  g_clear_pointer (&object->object_id, g_bytes_unref);
  g_free (object);
}

static void
session_free (P11Session *session)
{
  for (guint i = 0; i < P11_N_OPS; i++)
    g_clear_pointer (&session->ops[i], p11_operation_free);
  g_clear_pointer (&session->digest, digest_free);
  g_clear_pointer (&session->found, g_array_unref);
  g_free (session);
}

static void
session_key_free (P11SessionKey *session_key)
{
  g_clear_object (&session_key->key);
  g_clear_pointer (&session_key->id, g_bytes_unref);
  g_free (session_key);
}

static void
slot_free (P11Slot *slot)
{
  g_clear_pointer (&slot->objects, g_hash_table_unref);
  g_clear_pointer (&slot->key_ids, g_hash_table_unref);
  g_clear_pointer (&slot->hidden_publics, g_hash_table_unref);
  g_clear_pointer (&slot->session_keys, g_hash_table_unref);
  g_clear_object (&slot->client);
  g_clear_pointer (&slot->opcodes, g_array_unref);
  g_free (slot->store_path);
  g_free (slot);
}

static void
state_free (ModuleState *s)
{
  g_hash_table_unref (s->sessions);
  g_hash_table_unref (s->objects);
  g_ptr_array_unref (s->slots);
  g_free (s);
}

/* Application names are credentials under direct authentication: they
 * are kept in memory that is wiped when freed (secure_strv_free()), and
 * never logged. */
static char **
configured_names (void)
{
  const char *env = secure_env_get ("PARSEC_PKCS11_APPLICATION_NAME");
  GApplication *app = g_application_get_default ();
  GPtrArray *names = g_ptr_array_new ();

  if (env != NULL && *env != '\0')
    {
      char **parts = g_strsplit (env, ",", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          gsize len = strlen (parts[i]);

          g_strstrip (parts[i]);
          if (*parts[i] != '\0' && g_utf8_validate (parts[i], -1, NULL))
            g_ptr_array_add (names, secure_strdup (parts[i]));
          secure_wipe (parts[i], len);
        }
      g_strfreev (parts);
    }
  if (names->len == 0 && app != NULL && g_application_get_application_id (app) != NULL)
    g_ptr_array_add (names, secure_strdup (g_application_get_application_id (app)));
  if (names->len == 0)
    g_ptr_array_add (names, secure_strdup (DEFAULT_APPLICATION_NAME));
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

static void
secure_strv_free (char **strv)
{
  for (guint i = 0; strv[i] != NULL; i++)
    secure_free (strv[i]);
  g_free (strv);
}

static char *
store_path_for (const char *serial)
{
  const char *dir = secure_env_get ("PARSEC_PKCS11_STORE_DIR");
  g_autofree char *file = g_strdup_printf ("%.16s.ini", serial);

  if (dir != NULL && *dir != '\0')
    return g_build_filename (dir, file, NULL);
  if (!secure_env_trusted ())
    {
      /* Not XDG_DATA_HOME nor HOME: the effective user's own directory. */
      struct passwd pw, *found = NULL;
      char buffer[4096];

      if (getpwuid_r (geteuid (), &pw, buffer, sizeof buffer, &found) != 0 || found == NULL ||
          !g_path_is_absolute (pw.pw_dir))
        return g_build_filename ("/nonexistent", "parsec-glib", "pkcs11", file, NULL);
      return g_build_filename (pw.pw_dir, ".local", "share", "parsec-glib", "pkcs11", file, NULL);
    }
  return g_build_filename (g_get_user_data_dir (), "parsec-glib", "pkcs11", file, NULL);
}

/* The token's label, serial and store, from the library's URI for the
 * client's namespace, so that the URIs it gives name this token. */
static gboolean
slot_read_identity (P11Slot  *slot,
                    GError  **error)
{
  g_autofree char *uri_text = parsec_client_get_pkcs11_uri (slot->client, NULL);
  g_autofree char *description = NULL;
  P11KitUri *uri = p11_kit_uri_new ();
  CK_TOKEN_INFO *token;

  if (p11_kit_uri_parse (uri_text, P11_KIT_URI_FOR_TOKEN, uri) != P11_KIT_URI_OK)
    {
      /* The URI names the application: not in the message. */
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot read the token URI the library gives");
      p11_kit_uri_free (uri);
      return FALSE;
    }
  token = p11_kit_uri_get_token_info (uri);
  memcpy (slot->label, token->label, sizeof slot->label);
  memcpy (slot->serial, token->serialNumber, sizeof slot->serial);
  p11_kit_uri_free (uri);
  if (parsec_client_get_auth_type (slot->client) == PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS)
    description = g_strdup_printf ("Parsec service %s, keys of uid %u", parsec_client_get_endpoint (slot->client),
                                   (guint) geteuid ());
  else
    description = g_strdup_printf ("Parsec service %s", parsec_client_get_endpoint (slot->client));
  pad (slot->description, sizeof slot->description, description);
  g_free (slot->store_path);
  slot->store_path = store_path_for (slot->serial);
  return TRUE;
}

/* A slot for @application_name at @endpoint, or at the configured
 * service for a NULL @endpoint. */
static P11Slot *
slot_new (CK_SLOT_ID   id,
          const char  *endpoint,
          const char  *application_name,
          GError     **error)
{
  P11Slot *slot;
  ParsecClient *client;

  /* Initialisation reads the configuration and sends nothing. */
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, error,
                           "endpoint", endpoint,
                           "application-name", application_name,
                           NULL);
  if (client == NULL)
    return NULL;

  slot = g_new0 (P11Slot, 1);
  slot->id = id;
  slot->client = client;
  slot->objects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) object_free);
  slot->key_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  slot->hidden_publics = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  slot->session_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) session_key_free);

  if (!slot_read_identity (slot, error))
    {
      slot_free (slot);
      return NULL;
    }
  return slot;
}

/* Endpoints and application names, one after the other */
static void
collect_identity (const char *endpoint,
                  const char *application_name,
                  gpointer    user_data)
{
  g_ptr_array_add (user_data, secure_strdup (endpoint));
  g_ptr_array_add (user_data, secure_strdup (application_name));
}

static gboolean
state_serves (ModuleState *s,
              const char  *endpoint,
              const char  *application_name)
{
  for (guint i = 0; i < s->slots->len; i++)
    {
      P11Slot *slot = g_ptr_array_index (s->slots, i);

      /* Where the service keeps one namespace per user, every name of
       * the endpoint is served by its one token. */
      if (g_strcmp0 (parsec_client_get_endpoint (slot->client), endpoint) == 0 &&
          (slot->user_namespace ||
           g_strcmp0 (parsec_client_get_application_name (slot->client), application_name) == 0))
        return TRUE;
    }
  return FALSE;
}

/* Slots for the identities of the process's clients that have none yet. */
static void
add_process_slots (ModuleState *s)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (secure_free);

  /* Copied first: making a slot makes a client, which the library counts
   * under the lock it holds while it reports. */
  _parsec_pkcs11_foreach_identity (collect_identity, found);
  for (guint i = 0; i + 1 < found->len; i += 2)
    {
      g_autoptr(GError) error = NULL;
      const char *endpoint = g_ptr_array_index (found, i);
      const char *application_name = g_ptr_array_index (found, i + 1);
      P11Slot *slot;

      if (state_serves (s, endpoint, application_name))
        continue;
      slot = slot_new (s->slots->len + 1, endpoint, application_name, &error);
      if (slot == NULL)
        {
          g_debug ("no slot for a client at %s: %s", endpoint, error->message);
          continue;
        }
      g_ptr_array_add (s->slots, slot);
    }
}

static CK_RV
state_new (ModuleState **out)
{
  g_autoptr(GError) error = NULL;
  char **names = configured_names ();
  ModuleState *s = g_new0 (ModuleState, 1);

  s->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) slot_free);
  s->sessions = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) session_free);
  s->objects = g_hash_table_new (NULL, NULL);
  for (guint i = 0; names[i] != NULL; i++)
    {
      P11Slot *slot = slot_new (i + 1, NULL, names[i], &error);

      if (slot == NULL)
        {
          g_debug ("no slot for configured name %u: %s", i + 1, error->message);
          secure_strv_free (names);
          state_free (s);
          return CKR_GENERAL_ERROR;
        }
      g_ptr_array_add (s->slots, slot);
    }
  secure_strv_free (names);
  add_process_slots (s);
  *out = s;
  return CKR_OK;
}

/* The clients of the slots whose service has not told how it
 * authenticates yet (see settle_namespaces()), referenced; none while
 * sessions are open, as slots do not change under them. Called with the
 * lock held. */
static GPtrArray *
unsettled_clients (ModuleState *s)
{
  GPtrArray *clients = g_ptr_array_new_with_free_func (g_object_unref);

  if (g_hash_table_size (s->sessions) > 0)
    return clients;
  for (guint i = 0; i < s->slots->len; i++)
    {
      P11Slot *slot = g_ptr_array_index (s->slots, i);

      if (!slot->settled)
        g_ptr_array_add (clients, g_object_ref (slot->client));
    }
  return clients;
}

/* Asks each client's service how it authenticates: the clients that
 * answered, referenced. Round trips: called without the lock. */
static GHashTable *
discover_clients (GPtrArray *clients)
{
  GHashTable *answered = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);

  for (guint i = 0; i < clients->len; i++)
    {
      g_autoptr(GError) error = NULL;
      ParsecClient *client = g_ptr_array_index (clients, i);

      if (parsec_client_discover (client, NULL, &error))
        g_hash_table_add (answered, g_object_ref (client));
      else
        g_debug ("cannot learn how the service authenticates: %s", error->message);
    }
  return answered;
}

/* A service that authenticates with Unix peer credentials keeps one key
 * namespace per user, whatever application name a client gives: one token
 * per name would list the same keys several times. Each slot's service is
 * asked how it authenticates (settle_slots()), until it answers; a slot whose
 * service keeps keys per user becomes the user's token, and other slots
 * at its endpoint go. @answered: the clients whose service answered
 * (discover_clients()). Slots are not changed under open sessions. Called
 * with the lock held. */
static void
settle_namespaces (ModuleState *s,
                   GHashTable  *answered)
{
  gboolean removed = FALSE;

  if (g_hash_table_size (s->sessions) > 0)
    return;
  for (guint i = 0; i < s->slots->len; i++)
    {
      g_autoptr(GError) error = NULL;
      P11Slot *slot = g_ptr_array_index (s->slots, i);

      /* Discovery is kept by the client: asking again costs nothing. */
      if (slot->settled || !g_hash_table_contains (answered, slot->client) ||
          !parsec_client_discover (slot->client, NULL, NULL))
        continue;
      slot->settled = TRUE;
      if (parsec_client_get_auth_type (slot->client) != PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS)
        continue;
      slot->user_namespace = TRUE;
      if (!slot_read_identity (slot, &error))
        g_debug ("token of the user's namespace: %s", error->message);
    }
  /* One token per user namespace: the first slot at an endpoint stays. */
  for (guint i = s->slots->len; i-- > 0;)
    {
      P11Slot *slot = g_ptr_array_index (s->slots, i);

      if (!slot->user_namespace)
        continue;
      for (guint j = 0; j < i; j++)
        {
          P11Slot *earlier = g_ptr_array_index (s->slots, j);

          if (earlier->user_namespace &&
              g_strcmp0 (parsec_client_get_endpoint (earlier->client), parsec_client_get_endpoint (slot->client)) == 0)
            {
              g_ptr_array_remove_index (s->slots, i);
              removed = TRUE;
              break;
            }
        }
    }
  if (removed)
    for (guint i = 0; i < s->slots->len; i++)
      ((P11Slot *) g_ptr_array_index (s->slots, i))->id = i + 1;
}

/* Entry and exit of each call */

static gboolean lock_module (void);

/* Settles the slots (settle_namespaces()) the first time a call needs
 * them, and again at each C_GetSlotList (@again) while a service has not
 * answered. The services are asked without the lock, which other threads'
 * calls need meanwhile. Called with the lock held; returns with it held,
 * or FALSE where the module was finalised meanwhile. */
static gboolean
settle_slots (gboolean again)
{
  g_autoptr(GPtrArray) unsettled = NULL;
  g_autoptr(GHashTable) answered = NULL;

  if (state->settling_tried && !again)
    return TRUE;
  state->settling_tried = TRUE;
  unsettled = unsettled_clients (state);
  if (unsettled->len == 0)
    return TRUE;
  g_mutex_unlock (&module_lock);
  answered = discover_clients (unsettled);
  if (!lock_module ())
    return FALSE;
  settle_namespaces (state, answered);
  return TRUE;
}

/* Takes the lock if the module is initialised in this process. */
static gboolean
lock_module (void)
{
  if (module_pid != getpid ())
    return FALSE;
  g_mutex_lock (&module_lock);
  if (state == NULL)
    {
      g_mutex_unlock (&module_lock);
      return FALSE;
    }
  return TRUE;
}

#define LOCK_OR_RETURN()                                  \
  G_STMT_START {                                          \
    if (!lock_module ())                                  \
      return CKR_CRYPTOKI_NOT_INITIALIZED;                \
  } G_STMT_END

#define UNLOCK() g_mutex_unlock (&module_lock)

/* Locks, and finds the slot; the lock is held only if CKR_OK is returned. */
static CK_RV
lock_slot (CK_SLOT_ID   id,
           P11Slot    **slot)
{
  LOCK_OR_RETURN ();
  if (!settle_slots (FALSE))
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  if (id == 0 || id > state->slots->len)
    {
      UNLOCK ();
      return CKR_SLOT_ID_INVALID;
    }
  *slot = g_ptr_array_index (state->slots, id - 1);
  return CKR_OK;
}

/* For the calls that need nothing of the slot but that it exists. */
static CK_RV
check_slot (CK_SLOT_ID id)
{
  P11Slot *slot;
  CK_RV rv = lock_slot (id, &slot);

  if (rv == CKR_OK)
    UNLOCK ();
  return rv;
}

/* Asks the slot's provider what it offers, once it answers, without the
 * lock held while the service works. */
static CK_RV
ensure_opcodes (CK_SLOT_ID id)
{
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GArray) opcodes = NULL;
  P11Slot *slot;
  CK_RV rv = lock_slot (id, &slot);

  if (rv != CKR_OK)
    return rv;
  if (slot->opcodes == NULL)
    client = g_object_ref (slot->client);
  UNLOCK ();
  if (client == NULL)
    return CKR_OK;
  opcodes = p11_opcodes_fetch (client);
  if (opcodes == NULL)
    return CKR_OK;
  rv = lock_slot (id, &slot);
  if (rv != CKR_OK)
    return rv;
  if (slot->opcodes == NULL)
    slot->opcodes = g_steal_pointer (&opcodes);
  UNLOCK ();
  return CKR_OK;
}

static P11Session *
lookup_session (CK_SESSION_HANDLE handle)
{
  return g_hash_table_lookup (state->sessions, GUINT_TO_POINTER (handle));
}

static P11Object *
lookup_object (P11Session       *session,
               CK_OBJECT_HANDLE  handle)
{
  P11Object *object = g_hash_table_lookup (state->objects, GUINT_TO_POINTER (handle));

  if (object == NULL || object->slot != session->slot)
    return NULL;
  return object;
}

static gboolean
session_is_rw (P11Session *session)
{
  return (session->flags & CKF_RW_SESSION) != 0;
}

/* General purpose */

static CK_RV
check_initialize_args (CK_VOID_PTR init_args)
{
  CK_C_INITIALIZE_ARGS *args = init_args;
  guint given;

  if (args == NULL)
    return CKR_OK;
  if (args->pReserved != NULL)
    return CKR_ARGUMENTS_BAD;
  given = (args->CreateMutex != NULL) + (args->DestroyMutex != NULL) +
          (args->LockMutex != NULL) + (args->UnlockMutex != NULL);
  if (given != 0 && given != 4)
    return CKR_ARGUMENTS_BAD;
  /* The module locks with the system's primitives. Mutex functions of the
   * application's are accepted beside CKF_OS_LOCKING_OK, as p11-kit and
   * GnuTLS give them, and not used; without it, the application asks for
   * its own to be used, which the module cannot do. */
  if (given == 4 && !(args->flags & CKF_OS_LOCKING_OK))
    return CKR_CANT_LOCK;
  /* CKF_LIBRARY_CANT_CREATE_OS_THREADS, which p11-kit always passes, is
   * not followed: the module starts no thread, but GLib may (a GSettings
   * backend, for one), and refusing would leave p11-kit users without it. */
  return CKR_OK;
}

CK_RV
C_Initialize (CK_VOID_PTR init_args)
{
  ModuleState *s = NULL;
  CK_RV rv;

  rv = check_initialize_args (init_args);
  if (rv != CKR_OK)
    return rv;

  if (module_pid != 0 && module_pid != getpid ())
    {
      /* A child of fork(): the parent's lock may be held for ever. */
      if (state != NULL)
        {
          if (abandoned == NULL)
            abandoned = g_ptr_array_new ();
          g_ptr_array_add (abandoned, state);
          state = NULL;
        }
      g_mutex_init (&module_lock);
      module_pid = 0;
    }

  g_mutex_lock (&module_lock);
  if (state != NULL)
    {
      UNLOCK ();
      return CKR_CRYPTOKI_ALREADY_INITIALIZED;
    }
  rv = state_new (&s);
  if (rv == CKR_OK)
    {
      state = s;
      module_pid = getpid ();
    }
  UNLOCK ();
  return rv;
}

CK_RV
C_Finalize (CK_VOID_PTR reserved)
{
  g_autoptr(GPtrArray) session_keys = g_ptr_array_new_with_free_func (g_object_unref);

  if (reserved != NULL)
    return CKR_ARGUMENTS_BAD;
  LOCK_OR_RETURN ();
  /* Session objects end with their sessions. */
  for (guint i = 0; i < state->slots->len; i++)
    p11_slot_take_session_keys (g_ptr_array_index (state->slots, i), CK_INVALID_HANDLE, session_keys);
  state_free (g_steal_pointer (&state));
  UNLOCK ();
  p11_session_keys_destroy (session_keys);
  return CKR_OK;
}

CK_RV
C_GetInfo (CK_INFO_PTR info)
{
  LOCK_OR_RETURN ();
  UNLOCK ();
  if (info == NULL)
    return CKR_ARGUMENTS_BAD;
  memset (info, 0, sizeof *info);
  info->cryptokiVersion.major = CRYPTOKI_VERSION_MAJOR;
  info->cryptokiVersion.minor = CRYPTOKI_VERSION_MINOR;
  pad ((char *) info->manufacturerID, sizeof info->manufacturerID, MANUFACTURER);
  pad ((char *) info->libraryDescription, sizeof info->libraryDescription, "parsec-glib PKCS #11 module");
  info->libraryVersion.major = PARSEC_MAJOR_VERSION;
  info->libraryVersion.minor = PARSEC_MINOR_VERSION;
  return CKR_OK;
}

/* Slots and tokens */

CK_RV
C_GetSlotList (CK_BBOOL       token_present,
               CK_SLOT_ID_PTR slot_list,
               CK_ULONG_PTR   count)
{
  CK_RV rv = CKR_OK;
  CK_ULONG n;

  LOCK_OR_RETURN ();
  /* GnuTLS asks with a buffer, never for the size first: slots are added
   * at every call. */
  if (count != NULL)
    add_process_slots (state);
  if (count != NULL && !settle_slots (TRUE))
    return CKR_CRYPTOKI_NOT_INITIALIZED;
  n = state->slots->len;
  if (count == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if (p11_output_fits (slot_list, count, n, &rv))
    {
      for (CK_ULONG i = 0; i < n; i++)
        slot_list[i] = i + 1;
      *count = n;
    }
  UNLOCK ();
  return rv;
}

CK_RV
C_GetSlotInfo (CK_SLOT_ID        slot_id,
               CK_SLOT_INFO_PTR  info)
{
  P11Slot *slot;
  CK_RV rv = lock_slot (slot_id, &slot);

  if (rv != CKR_OK)
    return rv;
  if (info == NULL)
    {
      UNLOCK ();
      return CKR_ARGUMENTS_BAD;
    }
  memset (info, 0, sizeof *info);
  memcpy (info->slotDescription, slot->description, sizeof info->slotDescription);
  pad ((char *) info->manufacturerID, sizeof info->manufacturerID, MANUFACTURER);
  info->flags = CKF_TOKEN_PRESENT;
  info->hardwareVersion.major = 1;
  info->firmwareVersion.major = PARSEC_MAJOR_VERSION;
  info->firmwareVersion.minor = PARSEC_MINOR_VERSION;
  UNLOCK ();
  return CKR_OK;
}

CK_RV
C_GetTokenInfo (CK_SLOT_ID         slot_id,
                CK_TOKEN_INFO_PTR  info)
{
  P11Slot *slot;
  CK_ULONG sessions = 0, rw_sessions = 0;
  GHashTableIter iter;
  gpointer value;
  CK_RV rv = lock_slot (slot_id, &slot);

  if (rv != CKR_OK)
    return rv;
  if (info == NULL)
    {
      UNLOCK ();
      return CKR_ARGUMENTS_BAD;
    }
  g_hash_table_iter_init (&iter, state->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      P11Session *session = value;

      if (session->slot != slot)
        continue;
      sessions++;
      if (session_is_rw (session))
        rw_sessions++;
    }
  memset (info, 0, sizeof *info);
  memcpy (info->label, slot->label, sizeof info->label);
  pad ((char *) info->manufacturerID, sizeof info->manufacturerID, MANUFACTURER);
  pad ((char *) info->model, sizeof info->model, "parsec-glib");
  memcpy (info->serialNumber, slot->serial, sizeof info->serialNumber);
  /* The service authenticates the process, so there is no PIN. */
  info->flags = CKF_RNG | CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED;
  info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulSessionCount = sessions;
  info->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
  info->ulRwSessionCount = rw_sessions;
  info->ulMaxPinLen = 0;
  info->ulMinPinLen = 0;
  info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
  info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
  info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
  info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
  info->hardwareVersion.major = 1;
  info->firmwareVersion.major = PARSEC_MAJOR_VERSION;
  info->firmwareVersion.minor = PARSEC_MINOR_VERSION;
  memset (info->utcTime, ' ', sizeof info->utcTime);
  UNLOCK ();
  return CKR_OK;
}

CK_RV
C_WaitForSlotEvent (CK_FLAGS       flags,
                    CK_SLOT_ID_PTR slot,
                    CK_VOID_PTR    reserved)
{
  LOCK_OR_RETURN ();
  UNLOCK ();
  if (slot == NULL || reserved != NULL)
    return CKR_ARGUMENTS_BAD;
  /* Tokens never come or go. */
  if (flags & CKF_DONT_BLOCK)
    return CKR_NO_EVENT;
  return CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_GetMechanismList (CK_SLOT_ID            slot_id,
                    CK_MECHANISM_TYPE_PTR list,
                    CK_ULONG_PTR          count)
{
  P11Slot *slot;
  CK_RV rv = ensure_opcodes (slot_id);

  if (rv != CKR_OK || (rv = lock_slot (slot_id, &slot)) != CKR_OK)
    return rv;
  rv = count == NULL ? CKR_ARGUMENTS_BAD : p11_slot_mechanism_list (slot, list, count);
  UNLOCK ();
  return rv;
}

CK_RV
C_GetMechanismInfo (CK_SLOT_ID             slot_id,
                    CK_MECHANISM_TYPE      type,
                    CK_MECHANISM_INFO_PTR  info)
{
  P11Slot *slot;
  CK_RV rv = ensure_opcodes (slot_id);

  if (rv != CKR_OK || (rv = lock_slot (slot_id, &slot)) != CKR_OK)
    return rv;
  rv = info == NULL ? CKR_ARGUMENTS_BAD : p11_slot_mechanism_info (slot, type, info);
  UNLOCK ();
  return rv;
}

CK_RV
C_InitToken (CK_SLOT_ID      slot_id,
             CK_UTF8CHAR_PTR pin,
             CK_ULONG        pin_len,
             CK_UTF8CHAR_PTR label)
{
  CK_RV rv = check_slot (slot_id);

  return rv != CKR_OK ? rv : CKR_FUNCTION_NOT_SUPPORTED;
}

/* Sessions */

static CK_RV
lock_session (CK_SESSION_HANDLE   handle,
              P11Session        **session)
{
  LOCK_OR_RETURN ();
  *session = lookup_session (handle);
  if (*session == NULL)
    {
      UNLOCK ();
      return CKR_SESSION_HANDLE_INVALID;
    }
  return CKR_OK;
}

/* For the calls that need nothing of the session but that it exists. */
static CK_RV
check_session (CK_SESSION_HANDLE handle)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv == CKR_OK)
    UNLOCK ();
  return rv;
}

/* What the module does not do still checks its session. */
static CK_RV
not_supported (CK_SESSION_HANDLE handle)
{
  CK_RV rv = check_session (handle);

  return rv != CKR_OK ? rv : CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_InitPIN (CK_SESSION_HANDLE handle,
           CK_UTF8CHAR_PTR   pin,
           CK_ULONG          pin_len)
{
  return not_supported (handle);
}

CK_RV
C_SetPIN (CK_SESSION_HANDLE handle,
          CK_UTF8CHAR_PTR   old_pin,
          CK_ULONG          old_len,
          CK_UTF8CHAR_PTR   new_pin,
          CK_ULONG          new_len)
{
  return not_supported (handle);
}

CK_RV
C_OpenSession (CK_SLOT_ID            slot_id,
               CK_FLAGS              flags,
               CK_VOID_PTR           application,
               CK_NOTIFY             notify,
               CK_SESSION_HANDLE_PTR handle)
{
  P11Slot *slot;
  P11Session *session;
  CK_RV rv = ensure_opcodes (slot_id);

  if (rv != CKR_OK || (rv = lock_slot (slot_id, &slot)) != CKR_OK)
    return rv;
  if (handle == NULL)
    {
      UNLOCK ();
      return CKR_ARGUMENTS_BAD;
    }
  if (!(flags & CKF_SERIAL_SESSION))
    {
      UNLOCK ();
      return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
    }
  session = g_new0 (P11Session, 1);
  session->handle = next_handle++;
  session->slot = slot;
  session->flags = flags & (CKF_SERIAL_SESSION | CKF_RW_SESSION);
  g_hash_table_insert (state->sessions, GUINT_TO_POINTER (session->handle), session);
  *handle = session->handle;
  UNLOCK ();
  return CKR_OK;
}

static gboolean
slot_has_sessions (P11Slot *slot)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, state->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((P11Session *) value)->slot == slot)
      return TRUE;
  return FALSE;
}

CK_RV
C_CloseSession (CK_SESSION_HANDLE handle)
{
  g_autoptr(GPtrArray) session_keys = g_ptr_array_new_with_free_func (g_object_unref);
  P11Session *session;
  P11Slot *slot;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  slot = session->slot;
  p11_slot_take_session_keys (slot, handle, session_keys);
  g_hash_table_remove (state->sessions, GUINT_TO_POINTER (handle));
  /* The login state lasts as long as the token's sessions. */
  if (!slot_has_sessions (slot))
    slot->logged_in = FALSE;
  UNLOCK ();
  p11_session_keys_destroy (session_keys);
  return CKR_OK;
}

static gboolean
session_in_slot (gpointer key,
                 gpointer value,
                 gpointer user_data)
{
  return ((P11Session *) value)->slot == user_data;
}

CK_RV
C_CloseAllSessions (CK_SLOT_ID slot_id)
{
  g_autoptr(GPtrArray) session_keys = g_ptr_array_new_with_free_func (g_object_unref);
  P11Slot *slot;
  CK_RV rv = lock_slot (slot_id, &slot);

  if (rv != CKR_OK)
    return rv;
  p11_slot_take_session_keys (slot, CK_INVALID_HANDLE, session_keys);
  g_hash_table_foreach_remove (state->sessions, session_in_slot, slot);
  slot->logged_in = FALSE;
  UNLOCK ();
  p11_session_keys_destroy (session_keys);
  return CKR_OK;
}

CK_RV
C_GetSessionInfo (CK_SESSION_HANDLE   handle,
                  CK_SESSION_INFO_PTR info)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (info == NULL)
    {
      UNLOCK ();
      return CKR_ARGUMENTS_BAD;
    }
  memset (info, 0, sizeof *info);
  info->slotID = session->slot->id;
  info->flags = session->flags;
  if (session_is_rw (session))
    info->state = session->slot->logged_in ? CKS_RW_USER_FUNCTIONS : CKS_RW_PUBLIC_SESSION;
  else
    info->state = session->slot->logged_in ? CKS_RO_USER_FUNCTIONS : CKS_RO_PUBLIC_SESSION;
  info->ulDeviceError = 0;
  UNLOCK ();
  return CKR_OK;
}

CK_RV
C_GetOperationState (CK_SESSION_HANDLE handle,
                     CK_BYTE_PTR       operation_state,
                     CK_ULONG_PTR      len)
{
  CK_RV rv = check_session (handle);

  if (rv != CKR_OK)
    return rv;
  return len == NULL ? CKR_ARGUMENTS_BAD : CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_SetOperationState (CK_SESSION_HANDLE handle,
                     CK_BYTE_PTR       operation_state,
                     CK_ULONG          len,
                     CK_OBJECT_HANDLE  encryption_key,
                     CK_OBJECT_HANDLE  authentication_key)
{
  CK_RV rv = check_session (handle);

  if (rv != CKR_OK)
    return rv;
  return operation_state == NULL ? CKR_ARGUMENTS_BAD : CKR_FUNCTION_NOT_SUPPORTED;
}

CK_RV
C_Login (CK_SESSION_HANDLE handle,
         CK_USER_TYPE      user_type,
         CK_UTF8CHAR_PTR   pin,
         CK_ULONG          pin_len)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (pin == NULL && pin_len > 0)
    rv = CKR_ARGUMENTS_BAD;
  else if (user_type != CKU_USER && user_type != CKU_SO && user_type != CKU_CONTEXT_SPECIFIC)
    rv = CKR_USER_TYPE_INVALID;
  else if (user_type == CKU_CONTEXT_SPECIFIC)
    rv = session->slot->logged_in ? CKR_OK : CKR_USER_NOT_LOGGED_IN;
  else if (session->slot->logged_in)
    rv = CKR_USER_ALREADY_LOGGED_IN;
  else
    /* The service has authenticated the process already; a PIN adds
     * nothing, and any is accepted (docs/pkcs11.md). */
    session->slot->logged_in = TRUE;
  UNLOCK ();
  return rv;
}

CK_RV
C_Logout (CK_SESSION_HANDLE handle)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (!session->slot->logged_in)
    rv = CKR_USER_NOT_LOGGED_IN;
  session->slot->logged_in = FALSE;
  UNLOCK ();
  return rv;
}

/* Objects */

/* What a listing needs of the service and the store, read without the
 * lock: @keys, and @store or NULL where it could not be read. */
static CK_RV
read_token (ParsecClient  *client,
            const char    *store_path,
            GPtrArray    **keys,
            GKeyFile     **store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) store_error = NULL;

  *store = p11_store_load (store_path, &store_error);
  if (*store == NULL)
    g_debug ("%s", store_error->message);
  *keys = parsec_client_list_keys (client, NULL, &error);
  if (*keys == NULL)
    {
      g_clear_pointer (store, g_key_file_unref);
      return p11_rv_from_error (error, CKR_DEVICE_ERROR);
    }
  return CKR_OK;
}

/* Whether the attribute comes from the key's public key, which the
 * service is asked for on first need. */
static gboolean
is_public_key_attribute (CK_ATTRIBUTE_TYPE type)
{
  return type == CKA_MODULUS || type == CKA_PUBLIC_EXPONENT || type == CKA_MODULUS_BITS ||
         type == CKA_PUBLIC_KEY_INFO || type == CKA_EC_PARAMS || type == CKA_EC_POINT;
}

/* A key pair's object whose public key the service was not asked for yet */
static gboolean
lacks_public_key (const P11Object *object)
{
  return (object->kind == P11_KIND_PRIVATE_KEY || object->kind == P11_KIND_PUBLIC_KEY) && object->spki == NULL;
}

static void
key_unref (gpointer key)
{
  if (key != NULL)
    g_object_unref (key);
}

/* Exports the public keys of the objects of @handles that have none yet,
 * without the lock, and keeps them for the objects still there after;
 * the first failure is returned once all were tried. Called without the
 * lock. */
static CK_RV
load_public_keys (CK_SESSION_HANDLE  handle,
                  GArray            *handles)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (key_unref);
  g_autoptr(GPtrArray) exported = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  P11Session *session;
  CK_RV failed = CKR_OK;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  for (guint i = 0; i < handles->len; i++)
    {
      P11Object *object = lookup_object (session, g_array_index (handles, CK_OBJECT_HANDLE, i));

      if (object != NULL && lacks_public_key (object))
        g_ptr_array_add (keys, g_object_ref (object->key));
      else
        g_ptr_array_add (keys, NULL);
    }
  UNLOCK ();

  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(GError) error = NULL;
      ParsecKey *key = g_ptr_array_index (keys, i);
      GBytes *spki = NULL;

      if (key != NULL && (spki = parsec_key_export_public_key (key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL,
                                                                &error)) == NULL && failed == CKR_OK)
        failed = p11_rv_from_error (error, CKR_DEVICE_ERROR);
      g_ptr_array_add (exported, spki);
    }

  rv = lock_session (handle, &session);
  if (rv != CKR_OK)
    return rv;
  for (guint i = 0; i < handles->len; i++)
    {
      P11Object *object = lookup_object (session, g_array_index (handles, CK_OBJECT_HANDLE, i));
      GBytes *spki = g_ptr_array_index (exported, i);

      /* The same key as exported: a refresh meanwhile may have replaced it. */
      if (spki != NULL && object != NULL && object->key == g_ptr_array_index (keys, i))
        p11_object_set_public (object, spki);
    }
  UNLOCK ();
  return failed;
}

/* The handles of the slot's keys whose public key was not asked for yet.
 * Called with the lock held. */
static GArray *
keys_without_public (P11Slot *slot)
{
  GArray *handles = g_array_new (FALSE, FALSE, sizeof (CK_OBJECT_HANDLE));
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (lacks_public_key (value))
      g_array_append_val (handles, ((P11Object *) value)->handle);
  return handles;
}

/* A secret key's value, exported without the lock where @tmpl asks for
 * it: @key is the key it was read from, @rv the service's answer. */
typedef struct {
  ParsecKey *key;
  GBytes *value;
  CK_RV rv;
} SecretValue;

static void
secret_value_clear (SecretValue *secret)
{
  g_clear_object (&secret->key);
  g_clear_pointer (&secret->value, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SecretValue, secret_value_clear)

static CK_RV
load_secret_value_for (CK_SESSION_HANDLE   handle,
                       CK_OBJECT_HANDLE    object_handle,
                       const CK_ATTRIBUTE *tmpl,
                       CK_ULONG            count,
                       SecretValue        *secret)
{
  g_autoptr(GError) error = NULL;
  gboolean wanted = FALSE;
  P11Session *session;
  P11Object *object;
  CK_RV rv;

  for (CK_ULONG i = 0; i < count; i++)
    wanted = wanted || tmpl[i].type == CKA_VALUE;
  if (!wanted)
    return CKR_OK;
  rv = lock_session (handle, &session);
  if (rv != CKR_OK)
    return rv;
  object = lookup_object (session, object_handle);
  if (object != NULL && object->kind == P11_KIND_SECRET_KEY && p11_secret_is_exportable (object))
    secret->key = g_object_ref (object->key);
  UNLOCK ();
  if (secret->key == NULL)
    return CKR_OK;
  secret->value = parsec_key_export (secret->key, NULL, &error);
  secret->rv = secret->value != NULL ? CKR_OK : p11_rv_from_error (error, CKR_DEVICE_ERROR);
  return CKR_OK;
}

/* load_public_keys() for one object, where @tmpl asks for its public key. */
static CK_RV
load_public_key_for (CK_SESSION_HANDLE   handle,
                     CK_OBJECT_HANDLE    object_handle,
                     const CK_ATTRIBUTE *tmpl,
                     CK_ULONG            count)
{
  g_autoptr(GArray) handles = g_array_new (FALSE, FALSE, sizeof (CK_OBJECT_HANDLE));

  for (CK_ULONG i = 0; tmpl != NULL && i < count; i++)
    if (is_public_key_attribute (tmpl[i].type))
      {
        g_array_append_val (handles, object_handle);
        return load_public_keys (handle, handles);
      }
  return CKR_OK;
}

/* Adds a key the service has made or imported to the session's slot, as
 * one object of @kind: a session object of the session, or a token
 * object. A private key is a key pair: its public half shows too, its
 * handle in @public_handle unless NULL. */
static CK_RV
add_made_key (CK_SESSION_HANDLE     handle,
              P11NewKey            *made,
              P11Kind               kind,
              CK_OBJECT_HANDLE_PTR  object_handle,
              CK_OBJECT_HANDLE_PTR  public_handle)
{
  P11Object *public_half = NULL;
  g_autoptr(GError) error = NULL;
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    {
      /* The session closed meanwhile: its session object goes with it. */
      if (!made->token)
        parsec_key_destroy (made->key, NULL, NULL);
      return rv;
    }
  if (!made->token)
    p11_slot_add_session_key (session->slot, handle, made->key, g_steal_pointer (&made->id));
  else if (!p11_slot_record_new_key (session->slot, parsec_key_get_name (made->key), made->id, &error))
    g_debug ("CKA_ID of “%s” not kept: %s", parsec_key_get_name (made->key), error->message);
  if (kind == P11_KIND_PRIVATE_KEY)
    public_half = p11_slot_add_key (session->slot, P11_KIND_PUBLIC_KEY, made->key);
  *object_handle = p11_slot_add_key (session->slot, kind, made->key)->handle;
  if (public_handle != NULL && public_half != NULL)
    *public_handle = public_half->handle;
  UNLOCK ();
  return CKR_OK;
}

/* Where a secret key is to be made: the session's slot, whose provider
 * must list @opcode (and @opcode2 unless 0); taken without keeping the
 * lock. */
static CK_RV
new_secret_for (CK_SESSION_HANDLE   handle,
                ParsecOpcode        opcode,
                ParsecOpcode        opcode2,
                CK_RV               missing,
                P11NewKey          *made)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (!p11_slot_has_opcode (session->slot, opcode) ||
      (opcode2 != 0 && !p11_slot_has_opcode (session->slot, opcode2)))
    rv = missing;
  else
    {
      made->client = g_object_ref (session->slot->client);
      made->read_only = !session_is_rw (session);
    }
  UNLOCK ();
  return rv;
}

/* C_CreateObject of a key: imported into the service, where the slot's
 * provider imports keys. */
static CK_RV
create_imported_key (CK_SESSION_HANDLE     handle,
                     CK_OBJECT_CLASS       klass,
                     CK_ATTRIBUTE_PTR      tmpl,
                     CK_ULONG              count,
                     CK_OBJECT_HANDLE_PTR  object_handle)
{
  g_auto(P11NewKey) made = { NULL, };
  g_autofree char *session_prefix = p11_session_prefix ();
  g_autoptr(ParsecClient) client = NULL;
  CK_RV rv = new_secret_for (handle, PARSEC_OPCODE_PSA_IMPORT_KEY, 0, CKR_TEMPLATE_INCONSISTENT, &made);

  client = made.client;
  if (rv != CKR_OK)
    return rv;
  made.session_prefix = session_prefix;
  if (klass == CKO_SECRET_KEY)
    rv = p11_secret_import (&made, tmpl, count);
  else
    rv = p11_import_key (&made, klass, tmpl, count);
  if (rv != CKR_OK)
    return rv;
  return add_made_key (handle, &made, klass == CKO_SECRET_KEY ? P11_KIND_SECRET_KEY
                                      : klass == CKO_PRIVATE_KEY ? P11_KIND_PRIVATE_KEY : P11_KIND_PUBLIC_KEY,
                       object_handle, NULL);
}

CK_RV
C_CreateObject (CK_SESSION_HANDLE    handle,
                CK_ATTRIBUTE_PTR     tmpl,
                CK_ULONG             count,
                CK_OBJECT_HANDLE_PTR object_handle)
{
  g_autoptr(GArray) without_public = NULL;
  P11Session *session;
  P11Object *object = NULL;
  CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if ((tmpl == NULL && count > 0) || object_handle == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if ((rv = p11_template_check (tmpl, count)) != CKR_OK ||
           (rv = p11_template_ulong (tmpl, count, CKA_CLASS, &klass, NULL)) != CKR_OK)
    ;
  else if (klass == CKO_SECRET_KEY || klass == CKO_PUBLIC_KEY || klass == CKO_PRIVATE_KEY)
    {
      UNLOCK ();
      return create_imported_key (handle, klass, tmpl, count, object_handle);
    }
  else if (klass == CKO_DATA)
    {
      /* The module's own: nothing to ask the service. */
      rv = p11_create_data (session->slot, handle, !session_is_rw (session), tmpl, count, &object);
      if (rv == CKR_OK)
        *object_handle = object->handle;
      UNLOCK ();
      return rv;
    }
  else
    without_public = keys_without_public (session->slot);
  UNLOCK ();
  if (rv != CKR_OK)
    return rv;

  /* A certificate pairs with its key by public key: those the module has
   * not seen yet are asked for without the lock first. */
  if (without_public->len > 0)
    load_public_keys (handle, without_public);
  rv = lock_session (handle, &session);
  if (rv != CKR_OK)
    return rv;
  rv = p11_create_certificate (session->slot, handle, !session_is_rw (session), tmpl, count, &object);
  if (rv == CKR_OK)
    *object_handle = object->handle;
  UNLOCK ();
  return rv;
}

CK_RV
C_CopyObject (CK_SESSION_HANDLE    handle,
              CK_OBJECT_HANDLE     object_handle,
              CK_ATTRIBUTE_PTR     tmpl,
              CK_ULONG             count,
              CK_OBJECT_HANDLE_PTR new_handle)
{
  P11Session *session;
  P11Object *object, *copy = NULL;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if ((tmpl == NULL && count > 0) || new_handle == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if ((object = lookup_object (session, object_handle)) == NULL)
    rv = CKR_OBJECT_HANDLE_INVALID;
  else if (p11_object_is_key (object))
    /* Keys cannot be copied in the service; CKA_COPYABLE says so. */
    rv = CKR_ACTION_PROHIBITED;
  else if ((rv = p11_template_check (tmpl, count)) == CKR_OK &&
           (rv = p11_object_copy (object, handle, !session_is_rw (session), tmpl, count, &copy)) == CKR_OK)
    *new_handle = copy->handle;
  UNLOCK ();
  return rv;
}

CK_RV
C_DestroyObject (CK_SESSION_HANDLE handle,
                 CK_OBJECT_HANDLE  object_handle)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKey) key = NULL;
  P11Session *session;
  P11Object *object;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  object = lookup_object (session, object_handle);
  if (object == NULL)
    rv = CKR_OBJECT_HANDLE_INVALID;
  else if (!session_is_rw (session) && !object->session_object)
    rv = CKR_SESSION_READ_ONLY;
  else
    rv = p11_object_destroy (object, &key);
  UNLOCK ();
  if (rv != CKR_OK || key == NULL)
    return rv;

  /* A key the service destroys, without the lock held */
  if (!parsec_key_destroy (key, NULL, &error) &&
      !g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST))
    return p11_rv_from_error (error, CKR_FUNCTION_FAILED);
  rv = lock_session (handle, &session);
  if (rv != CKR_OK)
    return rv;
  p11_slot_key_destroyed (session->slot, parsec_key_get_name (key));
  UNLOCK ();
  return CKR_OK;
}

CK_RV
C_GetObjectSize (CK_SESSION_HANDLE handle,
                 CK_OBJECT_HANDLE  object_handle,
                 CK_ULONG_PTR      size)
{
  P11Session *session;
  P11Object *object;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if ((object = lookup_object (session, object_handle)) == NULL)
    rv = CKR_OBJECT_HANDLE_INVALID;
  else if (size == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else
    *size = p11_object_size (object);
  UNLOCK ();
  return rv;
}

CK_RV
C_GetAttributeValue (CK_SESSION_HANDLE handle,
                     CK_OBJECT_HANDLE  object_handle,
                     CK_ATTRIBUTE_PTR  tmpl,
                     CK_ULONG          count)
{
  g_auto(SecretValue) secret = { NULL, NULL, CKR_OK };
  P11Session *session;
  P11Object *object;
  CK_RV rv;

  /* The service is asked for a public key without the lock; what the
   * attributes need of it then is at hand (or the error comes again). */
  if (tmpl != NULL)
    {
      rv = load_public_key_for (handle, object_handle, tmpl, count);
      if (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_CRYPTOKI_NOT_INITIALIZED)
        return rv;
      rv = load_secret_value_for (handle, object_handle, tmpl, count, &secret);
      if (rv != CKR_OK)
        return rv;
    }
  rv = lock_session (handle, &session);
  if (rv != CKR_OK)
    return rv;
  object = lookup_object (session, object_handle);
  if (object == NULL)
    {
      UNLOCK ();
      return CKR_OBJECT_HANDLE_INVALID;
    }
  if (tmpl == NULL && count > 0)
    {
      UNLOCK ();
      return CKR_ARGUMENTS_BAD;
    }
  for (CK_ULONG i = 0; i < count; i++)
    {
      g_autoptr(GBytes) value = NULL;
      CK_RV attribute_rv;
      gsize len;

      /* The same key as exported: a refresh meanwhile may have replaced it. */
      if (tmpl[i].type == CKA_VALUE && secret.key != NULL && object->key == secret.key)
        {
          attribute_rv = secret.rv;
          value = secret.value != NULL ? g_bytes_ref (secret.value) : NULL;
        }
      else
        attribute_rv = p11_object_get_attribute (object, tmpl[i].type, &value);
      len = value != NULL ? g_bytes_get_size (value) : 0;

      if (attribute_rv == CKR_ATTRIBUTE_SENSITIVE || attribute_rv == CKR_ATTRIBUTE_TYPE_INVALID)
        {
          tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
          rv = attribute_rv;
        }
      else if (attribute_rv != CKR_OK)
        {
          /* The service could not give what the attribute needs. */
          rv = attribute_rv;
          break;
        }
      else if (tmpl[i].pValue == NULL)
        tmpl[i].ulValueLen = len;
      else if (tmpl[i].ulValueLen < len)
        {
          tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
          rv = CKR_BUFFER_TOO_SMALL;
        }
      else
        {
          if (len > 0)
            memcpy (tmpl[i].pValue, g_bytes_get_data (value, NULL), len);
          tmpl[i].ulValueLen = len;
        }
    }
  UNLOCK ();
  return rv;
}

CK_RV
C_SetAttributeValue (CK_SESSION_HANDLE handle,
                     CK_OBJECT_HANDLE  object_handle,
                     CK_ATTRIBUTE_PTR  tmpl,
                     CK_ULONG          count)
{
  P11Session *session;
  P11Object *object;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  object = lookup_object (session, object_handle);
  if (object == NULL)
    rv = CKR_OBJECT_HANDLE_INVALID;
  else if (tmpl == NULL && count > 0)
    rv = CKR_ARGUMENTS_BAD;
  else if ((rv = p11_template_check (tmpl, count)) != CKR_OK)
    ;
  else if (!session_is_rw (session) && !object->session_object)
    rv = CKR_SESSION_READ_ONLY;
  else
    rv = p11_object_set_attributes (object, tmpl, count);
  UNLOCK ();
  return rv;
}

CK_RV
C_FindObjectsInit (CK_SESSION_HANDLE handle,
                   CK_ATTRIBUTE_PTR  tmpl,
                   CK_ULONG          count)
{
  g_autoptr(ParsecClient) client = NULL;
  g_autofree char *store_path = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GKeyFile) store = NULL;
  g_autoptr(GArray) without_public = NULL;
  /* Freed on return, when the lock is no longer held: the session objects
   * of processes that are gone are destroyed in the service then. */
  g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func (p11_session_key_destroy_unref);
  P11Session *session;
  GHashTableIter iter;
  gpointer value;
  gboolean wants_public = FALSE;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (tmpl == NULL && count > 0)
    rv = CKR_ARGUMENTS_BAD;
  else if (session->found != NULL)
    rv = CKR_OPERATION_ACTIVE;
  else if ((rv = p11_template_check (tmpl, count)) == CKR_OK)
    {
      client = g_object_ref (session->slot->client);
      store_path = g_strdup (session->slot->store_path);
    }
  UNLOCK ();
  if (rv != CKR_OK)
    return rv;

  /* The service and the store are read without the lock, which other
   * threads' calls need meanwhile; the session is looked up again after. */
  rv = read_token (client, store_path, &keys, &store);
  if (rv != CKR_OK)
    return rv;
  rv = lock_session (handle, &session);
  if (rv != CKR_OK)
    return rv;
  if (session->found != NULL)
    {
      UNLOCK ();
      return CKR_OPERATION_ACTIVE;
    }
  p11_slot_refresh (session->slot, keys, store, stale);

  /* A search on public key material needs the keys' public keys first. */
  for (CK_ULONG i = 0; i < count; i++)
    wants_public = wants_public || is_public_key_attribute (tmpl[i].type);
  if (wants_public)
    {
      without_public = keys_without_public (session->slot);
      if (without_public->len > 0)
        {
          /* A key whose public key could not be had does not match. */
          UNLOCK ();
          load_public_keys (handle, without_public);
          rv = lock_session (handle, &session);
          if (rv != CKR_OK)
            return rv;
          if (session->found != NULL)
            {
              UNLOCK ();
              return CKR_OPERATION_ACTIVE;
            }
        }
    }
  session->found = g_array_new (FALSE, FALSE, sizeof (CK_OBJECT_HANDLE));
  session->found_pos = 0;
  g_hash_table_iter_init (&iter, session->slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      P11Object *object = value;

      if (p11_object_matches (object, tmpl, count))
        g_array_append_val (session->found, object->handle);
    }
  UNLOCK ();
  return CKR_OK;
}

CK_RV
C_FindObjects (CK_SESSION_HANDLE    handle,
               CK_OBJECT_HANDLE_PTR objects,
               CK_ULONG             max_count,
               CK_ULONG_PTR         count)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if ((objects == NULL && max_count > 0) || count == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if (session->found == NULL)
    rv = CKR_OPERATION_NOT_INITIALIZED;
  else
    {
      CK_ULONG n = 0;

      while (n < max_count && session->found_pos < session->found->len)
        {
          CK_OBJECT_HANDLE found = g_array_index (session->found, CK_OBJECT_HANDLE, session->found_pos++);

          /* Skip what was destroyed since the search began. */
          if (lookup_object (session, found) != NULL)
            objects[n++] = found;
        }
      *count = n;
    }
  UNLOCK ();
  return rv;
}

CK_RV
C_FindObjectsFinal (CK_SESSION_HANDLE handle)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (session->found == NULL)
    rv = CKR_OPERATION_NOT_INITIALIZED;
  g_clear_pointer (&session->found, g_array_unref);
  UNLOCK ();
  return rv;
}

/* Cryptographic operations: *Init checks everything it can and leaves
 * the operation in the session; the calls that produce a result take it
 * out while the service works, and put it back when it goes on. */

static CK_RV
operation_init (CK_SESSION_HANDLE  handle,
                P11OpKind          kind,
                CK_MECHANISM_PTR   mechanism,
                CK_OBJECT_HANDLE   key_handle)
{
  g_autoptr(GArray) handles = g_array_new (FALSE, FALSE, sizeof (CK_OBJECT_HANDLE));
  P11Session *session;
  P11Object *key;
  P11Operation *op = NULL;
  CK_RV rv;

  /* Output sizes come from the public key, which the service is asked
   * for without the lock. */
  g_array_append_val (handles, key_handle);
  rv = load_public_keys (handle, handles);
  if (rv == CKR_SESSION_HANDLE_INVALID || rv == CKR_CRYPTOKI_NOT_INITIALIZED)
    return rv;
  rv = lock_session (handle, &session);
  if (rv != CKR_OK)
    return rv;
  if (mechanism == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if (session->ops[kind] != NULL)
    rv = CKR_OPERATION_ACTIVE;
  else if ((key = lookup_object (session, key_handle)) == NULL || !p11_object_is_key (key))
    rv = CKR_KEY_HANDLE_INVALID;
  else
    rv = p11_operation_new (kind, mechanism, key, &op);
  if (rv == CKR_OK)
    session->ops[kind] = op;
  UNLOCK ();
  return rv;
}

static CK_RV
operation_take (CK_SESSION_HANDLE   handle,
                P11OpKind           kind,
                P11Operation      **op)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  *op = g_steal_pointer (&session->ops[kind]);
  UNLOCK ();
  return *op == NULL ? CKR_OPERATION_NOT_INITIALIZED : CKR_OK;
}

/* Puts @op back in its session if it goes on, frees it if not. */
static void
operation_return (CK_SESSION_HANDLE  handle,
                  P11OpKind          kind,
                  P11Operation      *op,
                  gboolean           done)
{
  if (!done && lock_module ())
    {
      P11Session *session = lookup_session (handle);

      if (session != NULL && session->ops[kind] == NULL)
        {
          session->ops[kind] = op;
          op = NULL;
        }
      UNLOCK ();
    }
  g_clear_pointer (&op, p11_operation_free);
}

static CK_RV
operation_update (CK_SESSION_HANDLE handle,
                  P11OpKind         kind,
                  CK_BYTE_PTR       part,
                  CK_ULONG          len)
{
  P11Operation *op;
  CK_RV rv = operation_take (handle, kind, &op);

  if (rv != CKR_OK)
    return rv;
  if (part == NULL && len > 0)
    rv = CKR_ARGUMENTS_BAD;
  else
    rv = p11_operation_update (op, part, len);
  operation_return (handle, kind, op, rv != CKR_OK);
  return rv;
}

/* C_EncryptUpdate, C_DecryptUpdate: RSA works on one block, so parts are
 * gathered and nothing comes out. */
static CK_RV
operation_gather (CK_SESSION_HANDLE handle,
                  P11OpKind         kind,
                  CK_BYTE_PTR       part,
                  CK_ULONG          len,
                  CK_ULONG_PTR      out_len)
{
  if (out_len == NULL)
    return CKR_ARGUMENTS_BAD;
  *out_len = 0;
  return operation_update (handle, kind, part, len);
}

/* C_Sign, C_Encrypt, C_Decrypt: the input, then the output. */
static CK_RV
operation_single (CK_SESSION_HANDLE handle,
                  P11OpKind         kind,
                  CK_BYTE_PTR       in,
                  CK_ULONG          in_len,
                  CK_BYTE_PTR       out,
                  CK_ULONG_PTR      out_len)
{
  P11Operation *op;
  gboolean done = TRUE;
  CK_RV rv = operation_take (handle, kind, &op);

  if (rv != CKR_OK)
    return rv;
  if ((in == NULL && in_len > 0) || out_len == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if ((rv = p11_operation_input_once (op, in, in_len)) == CKR_OK)
    rv = p11_operation_finish (op, out, out_len, &done);
  operation_return (handle, kind, op, done);
  return rv;
}

static CK_RV
operation_final (CK_SESSION_HANDLE handle,
                 P11OpKind         kind,
                 CK_BYTE_PTR       out,
                 CK_ULONG_PTR      out_len)
{
  P11Operation *op;
  gboolean done = TRUE;
  CK_RV rv = operation_take (handle, kind, &op);

  if (rv != CKR_OK)
    return rv;
  if (out_len == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else
    rv = p11_operation_finish (op, out, out_len, &done);
  operation_return (handle, kind, op, done);
  return rv;
}

CK_RV
C_EncryptInit (CK_SESSION_HANDLE handle,
               CK_MECHANISM_PTR  mechanism,
               CK_OBJECT_HANDLE  key)
{
  return operation_init (handle, P11_OP_ENCRYPT, mechanism, key);
}

CK_RV
C_Encrypt (CK_SESSION_HANDLE handle,
           CK_BYTE_PTR       data,
           CK_ULONG          data_len,
           CK_BYTE_PTR       encrypted,
           CK_ULONG_PTR      encrypted_len)
{
  return operation_single (handle, P11_OP_ENCRYPT, data, data_len, encrypted, encrypted_len);
}

CK_RV
C_EncryptUpdate (CK_SESSION_HANDLE handle,
                 CK_BYTE_PTR       part,
                 CK_ULONG          part_len,
                 CK_BYTE_PTR       encrypted,
                 CK_ULONG_PTR      encrypted_len)
{
  return operation_gather (handle, P11_OP_ENCRYPT, part, part_len, encrypted_len);
}

CK_RV
C_EncryptFinal (CK_SESSION_HANDLE handle,
                CK_BYTE_PTR       last,
                CK_ULONG_PTR      last_len)
{
  return operation_final (handle, P11_OP_ENCRYPT, last, last_len);
}

CK_RV
C_DecryptInit (CK_SESSION_HANDLE handle,
               CK_MECHANISM_PTR  mechanism,
               CK_OBJECT_HANDLE  key)
{
  return operation_init (handle, P11_OP_DECRYPT, mechanism, key);
}

CK_RV
C_Decrypt (CK_SESSION_HANDLE handle,
           CK_BYTE_PTR       encrypted,
           CK_ULONG          encrypted_len,
           CK_BYTE_PTR       data,
           CK_ULONG_PTR      data_len)
{
  return operation_single (handle, P11_OP_DECRYPT, encrypted, encrypted_len, data, data_len);
}

CK_RV
C_DecryptUpdate (CK_SESSION_HANDLE handle,
                 CK_BYTE_PTR       encrypted_part,
                 CK_ULONG          encrypted_part_len,
                 CK_BYTE_PTR       part,
                 CK_ULONG_PTR      part_len)
{
  return operation_gather (handle, P11_OP_DECRYPT, encrypted_part, encrypted_part_len, part_len);
}

CK_RV
C_DecryptFinal (CK_SESSION_HANDLE handle,
                CK_BYTE_PTR       last,
                CK_ULONG_PTR      last_len)
{
  return operation_final (handle, P11_OP_DECRYPT, last, last_len);
}

CK_RV
C_SignInit (CK_SESSION_HANDLE handle,
            CK_MECHANISM_PTR  mechanism,
            CK_OBJECT_HANDLE  key)
{
  return operation_init (handle, P11_OP_SIGN, mechanism, key);
}

CK_RV
C_Sign (CK_SESSION_HANDLE handle,
        CK_BYTE_PTR       data,
        CK_ULONG          data_len,
        CK_BYTE_PTR       signature,
        CK_ULONG_PTR      signature_len)
{
  return operation_single (handle, P11_OP_SIGN, data, data_len, signature, signature_len);
}

CK_RV
C_SignUpdate (CK_SESSION_HANDLE handle,
              CK_BYTE_PTR       part,
              CK_ULONG          part_len)
{
  return operation_update (handle, P11_OP_SIGN, part, part_len);
}

CK_RV
C_SignFinal (CK_SESSION_HANDLE handle,
             CK_BYTE_PTR       signature,
             CK_ULONG_PTR      signature_len)
{
  return operation_final (handle, P11_OP_SIGN, signature, signature_len);
}

CK_RV
C_VerifyInit (CK_SESSION_HANDLE handle,
              CK_MECHANISM_PTR  mechanism,
              CK_OBJECT_HANDLE  key)
{
  return operation_init (handle, P11_OP_VERIFY, mechanism, key);
}

CK_RV
C_Verify (CK_SESSION_HANDLE handle,
          CK_BYTE_PTR       data,
          CK_ULONG          data_len,
          CK_BYTE_PTR       signature,
          CK_ULONG          signature_len)
{
  P11Operation *op;
  CK_RV rv = operation_take (handle, P11_OP_VERIFY, &op);

  if (rv != CKR_OK)
    return rv;
  if ((data == NULL && data_len > 0) || (signature == NULL && signature_len > 0))
    rv = CKR_ARGUMENTS_BAD;
  else if ((rv = p11_operation_update (op, data, data_len)) == CKR_OK)
    rv = p11_operation_verify (op, signature, signature_len);
  operation_return (handle, P11_OP_VERIFY, op, TRUE);
  return rv;
}

CK_RV
C_VerifyUpdate (CK_SESSION_HANDLE handle,
                CK_BYTE_PTR       part,
                CK_ULONG          part_len)
{
  return operation_update (handle, P11_OP_VERIFY, part, part_len);
}

CK_RV
C_VerifyFinal (CK_SESSION_HANDLE handle,
               CK_BYTE_PTR       signature,
               CK_ULONG          signature_len)
{
  P11Operation *op;
  CK_RV rv = operation_take (handle, P11_OP_VERIFY, &op);

  if (rv != CKR_OK)
    return rv;
  if (signature == NULL && signature_len > 0)
    rv = CKR_ARGUMENTS_BAD;
  else
    rv = p11_operation_verify (op, signature, signature_len);
  operation_return (handle, P11_OP_VERIFY, op, TRUE);
  return rv;
}

/* Digests, computed in the module (p11-digest.c) */

CK_RV
C_DigestInit (CK_SESSION_HANDLE handle,
              CK_MECHANISM_PTR  mechanism)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (mechanism == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if (mechanism->pParameter == NULL && mechanism->ulParameterLen > 0)
    rv = CKR_MECHANISM_PARAM_INVALID;
  else
    rv = p11_digest_init (session, mechanism);
  UNLOCK ();
  return rv;
}

/* Any failure but a size query or a buffer too small ends the digest. */
static void
digest_end (P11Session *session,
            CK_RV       rv)
{
  if (rv != CKR_OK && rv != CKR_BUFFER_TOO_SMALL && rv != CKR_OPERATION_NOT_INITIALIZED)
    g_clear_pointer (&session->digest, digest_free);
}

CK_RV
C_Digest (CK_SESSION_HANDLE handle,
          CK_BYTE_PTR       data,
          CK_ULONG          data_len,
          CK_BYTE_PTR       digest,
          CK_ULONG_PTR      digest_len)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if ((data == NULL && data_len > 0) || digest_len == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if (session->digest == NULL)
    rv = CKR_OPERATION_NOT_INITIALIZED;
  /* C_Digest does not finish a multi-part digest. */
  else if (session->digest_multi)
    rv = CKR_OPERATION_ACTIVE;
  else
    {
      session->digest_single = TRUE;
      /* A size query hashes nothing: the same data comes again. */
      if (digest != NULL && *digest_len >= session->digest_len)
        rv = p11_digest_update (session, data, data_len);
    }
  if (rv == CKR_OK)
    rv = p11_digest_final (session, digest, digest_len);
  digest_end (session, rv);
  UNLOCK ();
  return rv;
}

CK_RV
C_DigestUpdate (CK_SESSION_HANDLE handle,
                CK_BYTE_PTR       part,
                CK_ULONG          part_len)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (part == NULL && part_len > 0)
    rv = CKR_ARGUMENTS_BAD;
  else if (session->digest != NULL && session->digest_single)
    rv = CKR_OPERATION_ACTIVE;
  else
    {
      session->digest_multi = TRUE;
      rv = p11_digest_update (session, part, part_len);
    }
  digest_end (session, rv);
  UNLOCK ();
  return rv;
}

CK_RV
C_DigestKey (CK_SESSION_HANDLE handle,
             CK_OBJECT_HANDLE  key)
{
  return not_supported (handle);
}

CK_RV
C_DigestFinal (CK_SESSION_HANDLE handle,
               CK_BYTE_PTR       digest,
               CK_ULONG_PTR      digest_len)
{
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (digest_len == NULL)
    rv = CKR_ARGUMENTS_BAD;
  /* A single-part digest is finished by C_Digest only. */
  else if (session->digest != NULL && session->digest_single)
    rv = CKR_OPERATION_ACTIVE;
  else
    {
      session->digest_multi = TRUE;
      rv = p11_digest_final (session, digest, digest_len);
    }
  digest_end (session, rv);
  UNLOCK ();
  return rv;
}

/* What the module does not do: digests of keys, recovery, wrapping, the
 * dual-function calls. */

CK_RV
C_SignRecoverInit (CK_SESSION_HANDLE handle,
                   CK_MECHANISM_PTR  mechanism,
                   CK_OBJECT_HANDLE  key)
{
  return not_supported (handle);
}

CK_RV
C_SignRecover (CK_SESSION_HANDLE handle,
               CK_BYTE_PTR       data,
               CK_ULONG          data_len,
               CK_BYTE_PTR       signature,
               CK_ULONG_PTR      signature_len)
{
  return not_supported (handle);
}

CK_RV
C_VerifyRecoverInit (CK_SESSION_HANDLE handle,
                     CK_MECHANISM_PTR  mechanism,
                     CK_OBJECT_HANDLE  key)
{
  return not_supported (handle);
}

CK_RV
C_VerifyRecover (CK_SESSION_HANDLE handle,
                 CK_BYTE_PTR       signature,
                 CK_ULONG          signature_len,
                 CK_BYTE_PTR       data,
                 CK_ULONG_PTR      data_len)
{
  return not_supported (handle);
}

CK_RV
C_DigestEncryptUpdate (CK_SESSION_HANDLE handle,
                       CK_BYTE_PTR       part,
                       CK_ULONG          part_len,
                       CK_BYTE_PTR       encrypted,
                       CK_ULONG_PTR      encrypted_len)
{
  return not_supported (handle);
}

CK_RV
C_DecryptDigestUpdate (CK_SESSION_HANDLE handle,
                       CK_BYTE_PTR       encrypted,
                       CK_ULONG          encrypted_len,
                       CK_BYTE_PTR       part,
                       CK_ULONG_PTR      part_len)
{
  return not_supported (handle);
}

CK_RV
C_SignEncryptUpdate (CK_SESSION_HANDLE handle,
                     CK_BYTE_PTR       part,
                     CK_ULONG          part_len,
                     CK_BYTE_PTR       encrypted,
                     CK_ULONG_PTR      encrypted_len)
{
  return not_supported (handle);
}

CK_RV
C_DecryptVerifyUpdate (CK_SESSION_HANDLE handle,
                       CK_BYTE_PTR       encrypted,
                       CK_ULONG          encrypted_len,
                       CK_BYTE_PTR       part,
                       CK_ULONG_PTR      part_len)
{
  return not_supported (handle);
}

CK_RV
C_GenerateKey (CK_SESSION_HANDLE    handle,
               CK_MECHANISM_PTR     mechanism,
               CK_ATTRIBUTE_PTR     tmpl,
               CK_ULONG             count,
               CK_OBJECT_HANDLE_PTR key)
{
  g_auto(P11NewKey) made = { NULL, };
  g_autofree char *session_prefix = NULL;
  g_autoptr(ParsecClient) client = NULL;
  CK_RV rv = check_session (handle);

  if (rv != CKR_OK)
    return rv;
  if (mechanism == NULL || (tmpl == NULL && count > 0) || key == NULL)
    return CKR_ARGUMENTS_BAD;
  if ((rv = p11_template_check (tmpl, count)) != CKR_OK)
    return rv;
  /* Secret keys serve the service's AEAD: both are needed. */
  rv = new_secret_for (handle, PARSEC_OPCODE_PSA_GENERATE_KEY, PARSEC_OPCODE_PSA_AEAD_ENCRYPT,
                       CKR_MECHANISM_INVALID, &made);
  client = made.client;
  if (rv != CKR_OK)
    return rv;
  session_prefix = p11_session_prefix ();
  made.session_prefix = session_prefix;
  rv = p11_secret_generate (&made, mechanism, tmpl, count);
  if (rv != CKR_OK)
    return rv;
  return add_made_key (handle, &made, P11_KIND_SECRET_KEY, key, NULL);
}

CK_RV
C_WrapKey (CK_SESSION_HANDLE handle,
           CK_MECHANISM_PTR  mechanism,
           CK_OBJECT_HANDLE  wrapping_key,
           CK_OBJECT_HANDLE  key,
           CK_BYTE_PTR       wrapped_key,
           CK_ULONG_PTR      wrapped_key_len)
{
  return not_supported (handle);
}

CK_RV
C_UnwrapKey (CK_SESSION_HANDLE    handle,
             CK_MECHANISM_PTR     mechanism,
             CK_OBJECT_HANDLE     unwrapping_key,
             CK_BYTE_PTR          wrapped_key,
             CK_ULONG             wrapped_key_len,
             CK_ATTRIBUTE_PTR     tmpl,
             CK_ULONG             count,
             CK_OBJECT_HANDLE_PTR key)
{
  return not_supported (handle);
}

CK_RV
C_DeriveKey (CK_SESSION_HANDLE    handle,
             CK_MECHANISM_PTR     mechanism,
             CK_OBJECT_HANDLE     base_key,
             CK_ATTRIBUTE_PTR     tmpl,
             CK_ULONG             count,
             CK_OBJECT_HANDLE_PTR key)
{
  g_auto(P11NewKey) made = { NULL, };
  g_autofree char *session_prefix = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(ParsecKey) base = NULL;
  g_autoptr(GBytes) peer = NULL;
  P11Session *session;
  P11Object *object;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (mechanism == NULL || (tmpl == NULL && count > 0) || key == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if ((rv = p11_template_check (tmpl, count)) != CKR_OK)
    ;
  else if ((object = lookup_object (session, base_key)) == NULL || !p11_object_is_key (object))
    rv = CKR_KEY_HANDLE_INVALID;
  else if ((rv = p11_secret_derive_check (mechanism, object, &peer)) != CKR_OK)
    ;
  else if (!p11_slot_has_opcode (session->slot, PARSEC_OPCODE_PSA_IMPORT_KEY))
    rv = CKR_TEMPLATE_INCONSISTENT;
  else
    {
      client = g_object_ref (session->slot->client);
      made.client = client;
      made.read_only = !session_is_rw (session);
      base = g_object_ref (object->key);
    }
  UNLOCK ();
  if (rv != CKR_OK)
    return rv;
  session_prefix = p11_session_prefix ();
  made.session_prefix = session_prefix;
  rv = p11_secret_derive (&made, base, peer, tmpl, count);
  if (rv != CKR_OK)
    return rv;
  return add_made_key (handle, &made, P11_KIND_SECRET_KEY, key, NULL);
}

/* Key pairs and random numbers */

CK_RV
C_GenerateKeyPair (CK_SESSION_HANDLE    handle,
                   CK_MECHANISM_PTR     mechanism,
                   CK_ATTRIBUTE_PTR     public_tmpl,
                   CK_ULONG             public_count,
                   CK_ATTRIBUTE_PTR     private_tmpl,
                   CK_ULONG             private_count,
                   CK_OBJECT_HANDLE_PTR public_key,
                   CK_OBJECT_HANDLE_PTR private_key)
{
  g_auto(P11NewKey) made = { NULL, };
  g_autoptr(ParsecClient) client = NULL;
  g_autofree char *session_prefix = NULL;
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  if (mechanism == NULL || (public_tmpl == NULL && public_count > 0) ||
      (private_tmpl == NULL && private_count > 0) || public_key == NULL || private_key == NULL)
    rv = CKR_ARGUMENTS_BAD;
  else if ((rv = p11_template_check (public_tmpl, public_count)) != CKR_OK ||
           (rv = p11_template_check (private_tmpl, private_count)) != CKR_OK)
    ;
  else
    {
      made.read_only = !session_is_rw (session);
      client = g_object_ref (session->slot->client);
      made.client = client;
    }
  UNLOCK ();
  if (rv != CKR_OK)
    return rv;

  session_prefix = p11_session_prefix ();
  made.session_prefix = session_prefix;
  rv = p11_generate_key_pair (&made, mechanism, public_tmpl, public_count, private_tmpl, private_count);
  if (rv != CKR_OK)
    return rv;
  return add_made_key (handle, &made, P11_KIND_PRIVATE_KEY, private_key, public_key);
}

CK_RV
C_SeedRandom (CK_SESSION_HANDLE handle,
              CK_BYTE_PTR       seed,
              CK_ULONG          seed_len)
{
  CK_RV rv = check_session (handle);

  if (rv != CKR_OK)
    return rv;
  if (seed == NULL && seed_len > 0)
    return CKR_ARGUMENTS_BAD;
  return CKR_RANDOM_SEED_NOT_SUPPORTED;
}

CK_RV
C_GenerateRandom (CK_SESSION_HANDLE handle,
                  CK_BYTE_PTR       random_data,
                  CK_ULONG          random_len)
{
  g_autoptr(ParsecClient) client = NULL;
  P11Session *session;
  CK_RV rv = lock_session (handle, &session);

  if (rv != CKR_OK)
    return rv;
  client = g_object_ref (session->slot->client);
  UNLOCK ();
  if (random_data == NULL && random_len > 0)
    return CKR_ARGUMENTS_BAD;
  return p11_generate_random (client, random_data, random_len);
}

/* Parallel functions (legacy) */

CK_RV
C_GetFunctionStatus (CK_SESSION_HANDLE handle)
{
  CK_RV rv = check_session (handle);

  return rv != CKR_OK ? rv : CKR_FUNCTION_NOT_PARALLEL;
}

CK_RV
C_CancelFunction (CK_SESSION_HANDLE handle)
{
  return C_GetFunctionStatus (handle);
}

static CK_RV get_function_list (CK_FUNCTION_LIST_PTR_PTR list);

static CK_FUNCTION_LIST function_list = {
  { CRYPTOKI_VERSION_MAJOR, CRYPTOKI_VERSION_MINOR },
  C_Initialize,
  C_Finalize,
  C_GetInfo,
  /* Not the exported symbol, which another module loaded earlier (p11-kit's
   * proxy, for one) would stand in for. */
  get_function_list,
  C_GetSlotList,
  C_GetSlotInfo,
  C_GetTokenInfo,
  C_GetMechanismList,
  C_GetMechanismInfo,
  C_InitToken,
  C_InitPIN,
  C_SetPIN,
  C_OpenSession,
  C_CloseSession,
  C_CloseAllSessions,
  C_GetSessionInfo,
  C_GetOperationState,
  C_SetOperationState,
  C_Login,
  C_Logout,
  C_CreateObject,
  C_CopyObject,
  C_DestroyObject,
  C_GetObjectSize,
  C_GetAttributeValue,
  C_SetAttributeValue,
  C_FindObjectsInit,
  C_FindObjects,
  C_FindObjectsFinal,
  C_EncryptInit,
  C_Encrypt,
  C_EncryptUpdate,
  C_EncryptFinal,
  C_DecryptInit,
  C_Decrypt,
  C_DecryptUpdate,
  C_DecryptFinal,
  C_DigestInit,
  C_Digest,
  C_DigestUpdate,
  C_DigestKey,
  C_DigestFinal,
  C_SignInit,
  C_Sign,
  C_SignUpdate,
  C_SignFinal,
  C_SignRecoverInit,
  C_SignRecover,
  C_VerifyInit,
  C_Verify,
  C_VerifyUpdate,
  C_VerifyFinal,
  C_VerifyRecoverInit,
  C_VerifyRecover,
  C_DigestEncryptUpdate,
  C_DecryptDigestUpdate,
  C_SignEncryptUpdate,
  C_DecryptVerifyUpdate,
  C_GenerateKey,
  C_GenerateKeyPair,
  C_WrapKey,
  C_UnwrapKey,
  C_DeriveKey,
  C_SeedRandom,
  C_GenerateRandom,
  C_GetFunctionStatus,
  C_CancelFunction,
  C_WaitForSlotEvent,
};

static CK_RV
get_function_list (CK_FUNCTION_LIST_PTR_PTR list)
{
  if (list == NULL)
    return CKR_ARGUMENTS_BAD;
  *list = &function_list;
  return CKR_OK;
}

/* The one symbol the module exports. */
__attribute__ ((visibility ("default"))) CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
  return get_function_list (list);
}
