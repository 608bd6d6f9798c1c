/* parsec-client.c: configuration, discovery and the generic request path
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <gio/gunixsocketaddress.h>

#include "parsec-client-private.h"
#include "parsec-endpoint-private.h"
#include "parsec-secure-private.h"
#include "parsec-transport-private.h"
#include "parsec-wire-private.h"
#include "secure-env.h"

#include "list_authenticators.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"

/**
 * ParsecClient:
 *
 * A client of the Parsec service.
 *
 * Create one with [func@Parsec.Client.new] (or [ctor@Parsec.Client.new_sync]), or
 * with [func@Gio.AsyncInitable.new_async] to set properties. The configuration
 * properties are construct-only: they are given at construction and
 * fixed from then on. Each has an "unset" value, its default, that leaves
 * the choice to the environment, GSettings or a built-in default; once
 * the client is initialised, each reads as the value in force.
 * Initialisation reads the configuration and sends nothing; the
 * asynchronous one reads it (GSettings, user names) in a worker thread.
 *
 * The client finds the service like the official Parsec clients do, but
 * only when a call first needs it and once per client: it asks for the
 * providers, without authentication, and takes the first crypto provider
 * as the implicit provider of crypto operations; it asks for the
 * authenticators and takes the first one it can serve. Ping and the
 * provider, authenticator and opcode lists need neither, and a client
 * with [property@Parsec.Client:provider] and [property@Parsec.Client:auth-method] set never
 * asks. [method@Parsec.Client.discover] asks at once.
 *
 * The endpoint comes, first match wins, from [property@Parsec.Client:endpoint], the
 * `PARSEC_SERVICE_ENDPOINT` environment variable, the `endpoint` key of
 * the `community.parsec.glib` GSettings schema when it is installed, and
 * finally `unix:/run/parsec/parsec.sock`. The timeout, the response
 * limit, the trust policy and the trusted users come from their property,
 * else the GSettings key of the same name, else the built-in default.
 *
 * What discovery learns, [property@Parsec.Client:implicit-provider] and
 * [property@Parsec.Client:auth-type], is notified once, on the thread-default main
 * context of the thread that constructed the client, whichever thread
 * the discovery ran on.
 *
 * Every operation opens its own connection, as the service expects, and
 * has one deadline ([property@Parsec.Client:timeout]) for connecting, sending and
 * receiving. At most [property@Parsec.Client:max-requests-in-flight] operations of a
 * client are in flight at once; the others wait their turn, in order. Operations on keys go to the implicit provider; to name
 * another, make them on a client from [method@Parsec.Client.dup_for_provider].
 * Asynchronous operations, initialisation aside, run on the thread-default
 * main context of the caller without helper threads. An initialised
 * client may be used from several threads at once.
 *
 * Since: 1.0
 */

static void parsec_client_initable_iface_init (GInitableIface *iface);
static void parsec_client_async_initable_iface_init (GAsyncInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ParsecClient, parsec_client, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, parsec_client_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_INITABLE, parsec_client_async_initable_iface_init))

enum {
  PROP_0,
  PROP_ENDPOINT,
  PROP_APPLICATION_NAME,
  PROP_AUTH_METHOD,
  PROP_AUTH_TYPE,
  PROP_PROVIDER,
  PROP_IMPLICIT_PROVIDER,
  PROP_TIMEOUT,
  PROP_MAX_RESPONSE_SIZE,
  PROP_MAX_REQUESTS_IN_FLIGHT,
  PROP_JWT_SVID_TOKEN,
  PROP_TRUST_POLICY,
  PROP_TRUSTED_USERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_TIMEOUT_MS        60000
#define DEFAULT_MAX_RESPONSE_SIZE (1u << 20)
#define DEFAULT_MAX_REQUESTS_IN_FLIGHT 16
#define MAX_REQUESTS_IN_FLIGHT_LIMIT   4096
#define SETTINGS_SCHEMA_ID        "community.parsec.glib"

const ParsecOperation _parsec_op_list_providers = {
  PARSEC_OPCODE_LIST_PROVIDERS, PARSEC_CALL_AUTH_NONE, &list_providers__result__descriptor,
  NULL, NULL, PARSEC_LIST_MAX_IDS,
};
const ParsecOperation _parsec_op_list_authenticators = {
  PARSEC_OPCODE_LIST_AUTHENTICATORS, PARSEC_CALL_AUTH_NONE, &list_authenticators__result__descriptor,
  NULL, NULL, PARSEC_LIST_MAX_IDS,
};
const ParsecOperation _parsec_op_list_opcodes = {
  PARSEC_OPCODE_LIST_OPCODES, PARSEC_CALL_AUTH_IF_KNOWN, &list_opcodes__result__descriptor,
  NULL, NULL, PARSEC_LIST_MAX_IDS,
};

static void
parsec_client_finalize (GObject *object)
{
  ParsecClient *self = PARSEC_CLIENT (object);

  _parsec_client_release_pkcs11_identity (self);
  g_free (self->endpoint);
  /* The application name is what direct authentication sends. */
  secure_free (self->application_name);
  g_strfreev (self->trusted_users);
  g_clear_pointer (&self->trusted_uids, g_array_unref);
  g_clear_pointer (&self->slots, _parsec_slots_unref);
  g_clear_object (&self->address);
  g_clear_pointer (&self->auth_data, g_bytes_unref);
  g_clear_pointer (&self->jwt_svid_token, secure_free);
  g_mutex_clear (&self->token_lock);
  g_mutex_clear (&self->opcodes_lock);
  g_mutex_clear (&self->discovery_lock);
  g_main_context_unref (self->context);
  g_thread_unref (self->thread);

  G_OBJECT_CLASS (parsec_client_parent_class)->finalize (object);
}

static void
parsec_client_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ParsecClient *self = PARSEC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_value_set_string (value, self->endpoint);
      break;
    case PROP_APPLICATION_NAME:
      g_value_set_string (value, self->application_name);
      break;
    case PROP_AUTH_METHOD:
      g_value_set_enum (value, self->auth_method);
      break;
    case PROP_AUTH_TYPE:
      g_value_set_enum (value, parsec_client_get_auth_type (self));
      break;
    case PROP_PROVIDER:
      g_value_set_enum (value, self->provider);
      break;
    case PROP_IMPLICIT_PROVIDER:
      g_value_set_enum (value, parsec_client_get_implicit_provider (self));
      break;
    case PROP_TIMEOUT:
      g_value_set_int (value, self->timeout_ms);
      break;
    case PROP_MAX_RESPONSE_SIZE:
      g_value_set_uint (value, self->max_response_size);
      break;
    case PROP_MAX_REQUESTS_IN_FLIGHT:
      g_value_set_uint (value, self->max_requests_in_flight);
      break;
    case PROP_TRUST_POLICY:
      g_value_set_enum (value, self->trust_policy);
      break;
    case PROP_TRUSTED_USERS:
      g_value_set_boxed (value, self->trusted_users);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_client_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  ParsecClient *self = PARSEC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_free (self->endpoint);
      self->endpoint = g_value_dup_string (value);
      break;
    case PROP_APPLICATION_NAME:
      secure_free (self->application_name);
      self->application_name = secure_strdup (g_value_get_string (value));
      break;
    case PROP_AUTH_METHOD:
      self->auth_method = g_value_get_enum (value);
      break;
    case PROP_PROVIDER:
      self->provider = g_value_get_enum (value);
      break;
    case PROP_TIMEOUT:
      self->timeout_ms = g_value_get_int (value);
      break;
    case PROP_MAX_RESPONSE_SIZE:
      self->max_response_size = g_value_get_uint (value);
      break;
    case PROP_MAX_REQUESTS_IN_FLIGHT:
      self->max_requests_in_flight = g_value_get_uint (value);
      break;
    case PROP_TRUST_POLICY:
      self->trust_policy = g_value_get_enum (value);
      break;
    case PROP_TRUSTED_USERS:
      g_strfreev (self->trusted_users);
      self->trusted_users = g_value_dup_boxed (value);
      break;
    case PROP_JWT_SVID_TOKEN:
      parsec_client_set_jwt_svid_token (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_client_class_init (ParsecClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  /* Configuration is given at construction and fixed from then on. */
  const GParamFlags config_flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                   G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags found_flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = parsec_client_finalize;
  object_class->get_property = parsec_client_get_property;
  object_class->set_property = parsec_client_set_property;

  /**
   * ParsecClient:endpoint:
   *
   * The URI of the service's socket, `unix:/path` or `unix:///path`
   * (percent-encoding is decoded). %NULL, the default, means unset: take
   * `PARSEC_SERVICE_ENDPOINT`, else the GSettings `endpoint` key, else
   * `unix:/run/parsec/parsec.sock`. Read before initialisation it is what
   * was given; after, the endpoint in use.
   *
   * Since: 1.0
   */
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL, NULL, config_flags);

  /**
   * ParsecClient:application-name:
   *
   * The name sent by direct authentication; the service keeps each name's
   * keys apart. %NULL, the default, means unset: initialisation takes the
   * application id of the default #GApplication, if there is one, and the
   * property then reads as that id.
   *
   * Since: 1.0
   */
  properties[PROP_APPLICATION_NAME] =
    g_param_spec_string ("application-name", NULL, NULL, NULL, config_flags);

  /**
   * ParsecClient:auth-method:
   *
   * How requests are authenticated. With %PARSEC_AUTH_METHOD_AUTO, the
   * default, the client uses the first authenticator the service offers
   * that it can serve; the property keeps reading
   * %PARSEC_AUTH_METHOD_AUTO, and [property@Parsec.Client:auth-type] tells the choice.
   *
   * Since: 1.0
   */
  properties[PROP_AUTH_METHOD] =
    g_param_spec_enum ("auth-method", NULL, NULL, PARSEC_TYPE_AUTH_METHOD,
                       PARSEC_AUTH_METHOD_AUTO, config_flags);

  /**
   * ParsecClient:auth-type:
   *
   * The authentication type in use: the one [property@Parsec.Client:auth-method]
   * names, or with %PARSEC_AUTH_METHOD_AUTO the one discovery chose, known
   * after the first authenticated call or [method@Parsec.Client.discover]
   * (%PARSEC_AUTH_TYPE_NONE until then). Discovery notifies it on the
   * client's context (see #ParsecClient).
   *
   * Since: 1.0
   */
  properties[PROP_AUTH_TYPE] =
    g_param_spec_enum ("auth-type", NULL, NULL, PARSEC_TYPE_AUTH_TYPE,
                       PARSEC_AUTH_TYPE_NONE, found_flags);

  /**
   * ParsecClient:provider:
   *
   * The provider of crypto operations that do not name one.
   * %PARSEC_PROVIDER_AUTO, the default, means the service's first crypto
   * provider; the property keeps reading %PARSEC_PROVIDER_AUTO, and
   * [property@Parsec.Client:implicit-provider] tells the choice. For a provider this
   * enumeration does not name, use [method@Parsec.Client.dup_for_provider].
   *
   * Since: 1.0
   */
  properties[PROP_PROVIDER] =
    g_param_spec_enum ("provider", NULL, NULL, PARSEC_TYPE_PROVIDER,
                       PARSEC_PROVIDER_AUTO, config_flags);

  /**
   * ParsecClient:implicit-provider:
   *
   * The provider used by crypto operations that do not name one: the one
   * [property@Parsec.Client:provider] names, or the one discovery chose, known after
   * the first crypto call or [method@Parsec.Client.discover]. Until then, and
   * when the service hosts no crypto provider, it is
   * %PARSEC_PROVIDER_CORE. It may be a provider this enumeration does
   * not name. Discovery notifies it on the client's context (see
   * #ParsecClient).
   *
   * Since: 1.0
   */
  properties[PROP_IMPLICIT_PROVIDER] =
    g_param_spec_enum ("implicit-provider", NULL, NULL, PARSEC_TYPE_PROVIDER,
                       PARSEC_PROVIDER_CORE, found_flags);

  /**
   * ParsecClient:timeout:
   *
   * The deadline of each call in milliseconds, covering connecting,
   * sending and receiving. 0 means no deadline, which leaves the
   * application at the mercy of a service that never answers. -1, the
   * default, means unset: the GSettings `timeout` key, else 60000. Read
   * before initialisation it is what was given; after, the deadline in
   * force.
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_int ("timeout", NULL, NULL, -1, G_MAXINT, -1, config_flags);

  /**
   * ParsecClient:max-response-size:
   *
   * The largest response body the client accepts, in bytes, at most 256
   * MiB; a larger one is refused before any memory is allocated for it,
   * and memory for an accepted one grows as its bytes arrive. 0, the
   * default, means unset: the GSettings `max-response-size` key, else 1
   * MiB. Read before initialisation it is what was given; after, the
   * limit in force.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_RESPONSE_SIZE] =
    g_param_spec_uint ("max-response-size", NULL, NULL, 0, PARSEC_WIRE_RESPONSE_SIZE_LIMIT,
                       0, config_flags);

  /**
   * ParsecClient:max-requests-in-flight:
   *
   * How many calls of this client may be in flight at once, each with its
   * own connection to the service; the calls beyond wait in a queue and
   * start in the order they were made, as earlier ones finish. It keeps a
   * program that starts thousands of calls at once from overrunning the
   * service, which drops connections it cannot take.
   *
   * Synchronous and asynchronous calls, from every thread, count alike: a
   * synchronous call blocks its thread until its turn comes. A call's
   * [property@Parsec.Client:timeout] runs from the moment it is made, its time in
   * the queue included, and cancelling a queued call takes it out of the
   * queue at once. Clients from [method@Parsec.Client.dup_for_provider] share
   * the bound of their original.
   *
   * Since the queue is served as calls finish, a synchronous call made
   * on a thread whose main context must run for the asynchronous calls in
   * flight to finish waits until its deadline: mix the two on one thread
   * only below the bound.
   *
   * 0, the default, means unset: the GSettings `max-requests-in-flight`
   * key, else 16; at most 4096. Read before initialisation it is what was
   * given; after, the bound in force.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_REQUESTS_IN_FLIGHT] =
    g_param_spec_uint ("max-requests-in-flight", NULL, NULL, 0, MAX_REQUESTS_IN_FLIGHT_LIMIT,
                       0, config_flags);

  /**
   * ParsecClient:jwt-svid-token:
   *
   * The JWT-SVID token sent with JWT-SVID authentication. Unlike the
   * configuration, it may be replaced at any time, for example before it
   * expires; it cannot be read back. The client keeps it in memory it
   * wipes. Setting it as a property can leave copies in GObject's own
   * memory (a #GValue may hold one, or point at the caller's string),
   * which the client cannot wipe: [method@Parsec.Client.set_jwt_svid_token]
   * makes none.
   *
   * Since: 1.0
   */
  properties[PROP_JWT_SVID_TOKEN] =
    g_param_spec_string ("jwt-svid-token", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * ParsecClient:trust-policy:
   *
   * Whether to check, before each request, that the endpoint is the
   * genuine service (see #ParsecTrustPolicy). %PARSEC_TRUST_POLICY_DEFAULT,
   * the default, means unset: the GSettings `trust-policy` key, else
   * %PARSEC_TRUST_POLICY_OFF. Read before initialisation it is what was
   * given; after, the policy in force, never %PARSEC_TRUST_POLICY_DEFAULT.
   *
   * Socket activation and containers move the socket and the service's
   * user: list the users that may own the socket, its directories and
   * the service process in [property@Parsec.Client:trusted-users].
   *
   * Since: 1.0
   */
  properties[PROP_TRUST_POLICY] =
    g_param_spec_enum ("trust-policy", NULL, NULL, PARSEC_TYPE_TRUST_POLICY,
                       PARSEC_TRUST_POLICY_DEFAULT, config_flags);

  /**
   * ParsecClient:trusted-users:
   *
   * The users, by name or decimal id, trusted to own the socket and the
   * directories on its path and to run the service. %NULL, the default,
   * means unset: the GSettings `trusted-users` key when it names any,
   * else root and the `parsec` user when it exists. Read before
   * initialisation it is what was given; after, the list in force, which
   * is %NULL for root and `parsec`.
   *
   * Since: 1.0
   */
  properties[PROP_TRUSTED_USERS] =
    g_param_spec_boxed ("trusted-users", NULL, NULL, G_TYPE_STRV, config_flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
parsec_client_init (ParsecClient *self)
{
  self->auth_method = PARSEC_AUTH_METHOD_AUTO;
  self->provider = PARSEC_PROVIDER_AUTO;
  self->timeout_ms = -1;
  self->trust_policy = PARSEC_TRUST_POLICY_DEFAULT;
  self->context = g_main_context_ref_thread_default ();
  self->thread = g_thread_ref (g_thread_self ());
  g_mutex_init (&self->token_lock);
  g_mutex_init (&self->opcodes_lock);
  g_mutex_init (&self->discovery_lock);
}

/* Configuration */

static GSettings *
lookup_settings (void)
{
  GSettingsSchemaSource *source;
  g_autoptr(GSettingsSchema) schema = NULL;

  /* GSettings takes its schemas, backend and the user's values from the
   * environment (XDG_DATA_DIRS, GSETTINGS_BACKEND, XDG_CONFIG_HOME...):
   * a privileged program started by someone else goes by its properties
   * and the built-in defaults alone. */
  if (!secure_env_trusted ())
    return NULL;
  source = g_settings_schema_source_get_default ();
  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, SETTINGS_SCHEMA_ID, TRUE);
  if (schema == NULL)
    return NULL;
  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
client_configure (ParsecClient  *self,
                  GError       **error)
{
  g_autoptr(GSettings) settings = lookup_settings ();
  g_autofree char *path = NULL;

  if (self->endpoint == NULL)
    {
      const char *env = secure_env_get (PARSEC_ENDPOINT_ENV);
      g_autofree char *configured = NULL;

      if (settings != NULL)
        configured = g_settings_get_string (settings, "endpoint");

      if (env != NULL && *env != '\0')
        self->endpoint = g_strdup (env);
      else if (configured != NULL && *configured != '\0')
        self->endpoint = g_steal_pointer (&configured);
      else
        self->endpoint = g_strdup (PARSEC_DEFAULT_ENDPOINT);
    }

  if (self->timeout_ms < 0)
    {
      /* The key is unsigned; G_MAXINT ms, 24 days, is as good as more. */
      self->timeout_ms = settings != NULL ? (int) MIN (g_settings_get_uint (settings, "timeout"), (guint) G_MAXINT)
                                          : DEFAULT_TIMEOUT_MS;
    }
  if (self->max_response_size == 0)
    {
      self->max_response_size = settings != NULL ? g_settings_get_uint (settings, "max-response-size") : 0;
      /* 0 is "unset" there too. */
      if (self->max_response_size == 0)
        self->max_response_size = DEFAULT_MAX_RESPONSE_SIZE;
    }
  if (self->max_requests_in_flight == 0)
    {
      self->max_requests_in_flight =
        settings != NULL ? MIN (g_settings_get_uint (settings, "max-requests-in-flight"), MAX_REQUESTS_IN_FLIGHT_LIMIT) : 0;
      if (self->max_requests_in_flight == 0)
        self->max_requests_in_flight = DEFAULT_MAX_REQUESTS_IN_FLIGHT;
    }
  if (self->slots == NULL)
    self->slots = _parsec_slots_new (self->max_requests_in_flight);
  if (self->trust_policy == PARSEC_TRUST_POLICY_DEFAULT)
    {
      g_autofree char *policy = settings != NULL ? g_settings_get_string (settings, "trust-policy") : NULL;

      if (g_strcmp0 (policy, "enforce") == 0)
        self->trust_policy = PARSEC_TRUST_POLICY_ENFORCE;
      else if (g_strcmp0 (policy, "warn") == 0)
        self->trust_policy = PARSEC_TRUST_POLICY_WARN;
      else
        self->trust_policy = PARSEC_TRUST_POLICY_OFF;
    }
  if (self->trusted_users == NULL && settings != NULL)
    {
      g_auto(GStrv) users = g_settings_get_strv (settings, "trusted-users");

      if (users[0] != NULL)
        self->trusted_users = g_steal_pointer (&users);
    }

  g_clear_pointer (&self->trusted_uids, g_array_unref);
  /* Only the checks read the uids. Without checks the default users are
   * not looked up: that would load the system's user databases (NSS
   * modules) into every program. Users named explicitly are still
   * resolved, so that a misspelt name fails here whatever the policy. */
  if (self->trust_policy == PARSEC_TRUST_POLICY_OFF && self->trusted_users == NULL)
    self->trusted_uids = g_array_new (FALSE, FALSE, sizeof (guint32));
  else
    self->trusted_uids = _parsec_endpoint_resolve_users ((const char * const *) self->trusted_users, error);
  if (self->trusted_uids == NULL)
    return FALSE;

  path = _parsec_endpoint_parse (self->endpoint, error);
  if (path == NULL)
    return FALSE;
  g_clear_object (&self->address);
  self->address = g_unix_socket_address_new (path);
  return TRUE;
}

/* Initialisation: the configuration alone. What discovery finds is asked
 * on first need; what the application set explicitly is known at once. */

/* On the caller's thread: GLib keeps the default GApplication, and the
 * application its id, without a lock. */
static void
client_default_application_name (ParsecClient *self)
{
  GApplication *app;

  if (self->application_name != NULL)
    return;
  app = g_application_get_default ();
  if (app != NULL && g_application_get_application_id (app) != NULL)
    self->application_name = secure_strdup (g_application_get_application_id (app));
}

/* The blocking part (GSettings, user lookups), on any thread. */
static gboolean
client_initialize (ParsecClient  *self,
                   GError       **error)
{
  if (!client_configure (self, error))
    return FALSE;
  if (self->provider != PARSEC_PROVIDER_AUTO)
    _parsec_client_learn_provider (self, (guint) self->provider);
  if (self->auth_method != PARSEC_AUTH_METHOD_AUTO && !_parsec_client_learn_auth (self, NULL, error))
    return FALSE;
  self->initialized = TRUE;
  _parsec_client_hold_pkcs11_identity (self);
  return TRUE;
}

static gboolean
parsec_client_initable_init (GInitable     *initable,
                             GCancellable  *cancellable,
                             GError       **error)
{
  ParsecClient *self = PARSEC_CLIENT (initable);

  if (self->initialized)
    return TRUE;
  client_default_application_name (self);
  return client_initialize (self, error);
}

static void
parsec_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = parsec_client_initable_init;
}

static void
client_initialize_in_thread (GTask        *task,
                             gpointer      source_object,
                             gpointer      task_data,
                             GCancellable *cancellable)
{
  GError *error = NULL;

  if (client_initialize (source_object, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
parsec_client_init_async (GAsyncInitable      *initable,
                          int                  io_priority,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  ParsecClient *self = PARSEC_CLIENT (initable);
  GTask *task;

  task = _parsec_task_new (self, cancellable, callback, user_data,
                                  parsec_client_init_async, "[parsec-glib] client initialisation");
  g_task_set_priority (task, io_priority);

  if (self->initialized)
    g_task_return_boolean (task, TRUE);
  else
    {
      client_default_application_name (self);
      g_task_run_in_thread (task, client_initialize_in_thread);
    }
  g_object_unref (task);
}

static gboolean
parsec_client_init_finish (GAsyncInitable  *initable,
                           GAsyncResult    *result,
                           GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, initable), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
parsec_client_async_initable_iface_init (GAsyncInitableIface *iface)
{
  iface->init_async = parsec_client_init_async;
  iface->init_finish = parsec_client_init_finish;
}

/* Explicit discovery */

static void
discover_done (gpointer  user_data,
               GError   *error)
{
  GTask *task = user_data;

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/**
 * parsec_client_discover_async:
 * @self: an initialised #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the client knows the service
 * @user_data: data for @callback
 *
 * Asks the service now for what the client would otherwise ask on first
 * need: its providers, to choose the implicit provider, and its
 * authenticators, to choose how to authenticate. Nothing is asked that
 * the configuration already settles or an earlier call found.
 *
 * Calls do this by themselves, so an application needs it only to fail
 * early when the service is missing or unsuitable, or to read
 * [property@Parsec.Client:implicit-provider] and [property@Parsec.Client:auth-type] before its
 * first call. Finish with [method@Parsec.Client.discover_finish].
 *
 * Since: 1.0
 */
void
parsec_client_discover_async (ParsecClient        *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PARSEC_IS_CLIENT (self));
  g_return_if_fail (self->initialized);

  task = _parsec_task_new (self, cancellable, callback, user_data,
                                  parsec_client_discover_async, "[parsec-glib] discovery");
  _parsec_client_discover_async (self, PARSEC_NEEDS_PROVIDER | PARSEC_NEEDS_AUTH, task, discover_done, task);
}

/**
 * parsec_client_discover_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Parsec.Client.discover_async].
 *
 * Returns: %TRUE when the client knows its implicit provider and
 *   authentication
 *
 * Since: 1.0
 */
gboolean
parsec_client_discover_finish (ParsecClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * parsec_client_discover:
 * @self: an initialised #ParsecClient
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Asks the service for its providers and authenticators, blocking the
 * calling thread. See [method@Parsec.Client.discover_async].
 *
 * Returns: %TRUE when the client knows its implicit provider and
 *   authentication
 *
 * Since: 1.0
 */
gboolean
parsec_client_discover (ParsecClient  *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), FALSE);
  g_return_val_if_fail (self->initialized, FALSE);

  return _parsec_client_discover (self, PARSEC_NEEDS_PROVIDER | PARSEC_NEEDS_AUTH, cancellable, error);
}

/**
 * parsec_client_new:
 * @application_name: (nullable): the name direct authentication sends, or
 *   %NULL for the default #GApplication's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the client is ready
 * @user_data: data for @callback
 *
 * Creates a client for the configured Parsec service. Finish with
 * [ctor@Parsec.Client.new_finish]. Nothing is sent to the service yet: see
 * #ParsecClient for when the client asks for its providers and
 * authenticators.
 *
 * The application name matters only when the service authenticates
 * applications by name (direct authentication); the keys of each name are
 * kept apart. To set other properties, use [func@Gio.AsyncInitable.new_async].
 *
 * Since: 1.0
 */
void
parsec_client_new (const char          *application_name,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_async_initable_new_async (PARSEC_TYPE_CLIENT, G_PRIORITY_DEFAULT, cancellable,
                              callback, user_data,
                              "application-name", application_name,
                              NULL);
}

/**
 * parsec_client_new_finish:
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes [func@Parsec.Client.new].
 *
 * Returns: (transfer full): the new client, or %NULL on error
 *
 * Since: 1.0
 */
ParsecClient *
parsec_client_new_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_autoptr(GObject) source = g_async_result_get_source_object (result);
  GObject *client;

  client = g_async_initable_new_finish (G_ASYNC_INITABLE (source), result, error);
  return client != NULL ? PARSEC_CLIENT (client) : NULL;
}

/**
 * parsec_client_new_sync:
 * @application_name: (nullable): the name direct authentication sends, or
 *   %NULL for the default #GApplication's id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Creates a client for the configured Parsec service, blocking the
 * calling thread. See [func@Parsec.Client.new].
 *
 * Returns: (transfer full): the new client, or %NULL on error
 *
 * Since: 1.0
 */
ParsecClient *
parsec_client_new_sync (const char    *application_name,
                        GCancellable  *cancellable,
                        GError       **error)
{
  return g_initable_new (PARSEC_TYPE_CLIENT, cancellable, error,
                         "application-name", application_name,
                         NULL);
}

/**
 * parsec_client_dup_for_provider:
 * @self: an initialised #ParsecClient
 * @provider: a provider of the service, a #ParsecProvider
 *
 * Makes a client that sends crypto operations to @provider instead of the
 * implicit provider, for an application that uses several providers (a
 * TPM for some keys, software for others). It shares the configuration
 * and authentication of @self and sends no request to be created.
 *
 * Returns: (transfer full): a new, initialised client
 *
 * Since: 1.0
 */
ParsecClient *
parsec_client_dup_for_provider (ParsecClient   *self,
                                ParsecProvider  provider)
{
  ParsecClient *copy;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (self->initialized, NULL);
  g_return_val_if_fail ((guint) provider <= G_MAXUINT8, NULL);

  copy = g_object_new (PARSEC_TYPE_CLIENT,
                       "endpoint", self->endpoint,
                       "auth-method", self->auth_method,
                       "timeout", self->timeout_ms,
                       "max-response-size", self->max_response_size,
                       "max-requests-in-flight", self->max_requests_in_flight,
                       "trust-policy", self->trust_policy,
                       "trusted-users", self->trusted_users,
                       NULL);
  /* Copied here rather than through the property, which would leave a
   * copy in GObject's memory. */
  copy->application_name = secure_strdup (self->application_name);
  /* Set here: the property takes only the providers the enumeration
   * names, and the service may host others. */
  copy->provider = provider;
  copy->address = g_object_ref (self->address);
  copy->trusted_uids = g_array_ref (self->trusted_uids);
  copy->slots = _parsec_slots_ref (self->slots);
  copy->implicit_provider = provider;
  copy->known = PARSEC_NEEDS_PROVIDER;

  /* What discovery has found of the authentication so far; the copy
   * finds the rest itself. */
  g_mutex_lock (&self->discovery_lock);
  if (self->known & PARSEC_NEEDS_AUTH)
    {
      copy->auth_type = self->auth_type;
      copy->auth_data = self->auth_data != NULL ? g_bytes_ref (self->auth_data) : NULL;
      copy->known |= PARSEC_NEEDS_AUTH;
    }
  g_mutex_unlock (&self->discovery_lock);

  g_mutex_lock (&self->token_lock);
  copy->jwt_svid_token = secure_strdup (self->jwt_svid_token);
  g_mutex_unlock (&self->token_lock);

  g_mutex_lock (&self->opcodes_lock);
  memcpy (copy->opcodes_known, self->opcodes_known, sizeof copy->opcodes_known);
  memcpy (copy->opcodes, self->opcodes, sizeof copy->opcodes);
  g_mutex_unlock (&self->opcodes_lock);

  copy->initialized = TRUE;
  _parsec_client_hold_pkcs11_identity (copy);
  return copy;
}

/* What discovery learned, notified on the client's context */

typedef struct {
  ParsecClient *self;
  ParsecNeeds learned;
} Learned;

static gboolean
learned_notify (gpointer user_data)
{
  Learned *learned = user_data;

  if (learned->learned & PARSEC_NEEDS_PROVIDER)
    g_object_notify_by_pspec (G_OBJECT (learned->self), properties[PROP_IMPLICIT_PROVIDER]);
  if (learned->learned & PARSEC_NEEDS_AUTH)
    g_object_notify_by_pspec (G_OBJECT (learned->self), properties[PROP_AUTH_TYPE]);
  return G_SOURCE_REMOVE;
}

static void
learned_free (gpointer user_data)
{
  Learned *learned = user_data;

  g_object_unref (learned->self);
  g_free (learned);
}

void
_parsec_client_learned (ParsecClient *self,
                        ParsecNeeds   learned)
{
  Learned *data;

  /* Racing discoveries may both report a value that only one recorded:
   * the first report notifies. What initialisation learns from the
   * configuration is no change anyone could watch. */
  learned &= ~g_atomic_int_or (&self->notified, learned);
  if (learned == 0 || !self->initialized)
    return;

  data = g_new0 (Learned, 1);
  data->self = g_object_ref (self);
  data->learned = learned;
  /* g_main_context_invoke_full() runs at once on a thread that can
   * acquire the context as its thread-default; a thread that merely
   * shares the global default context with the client's must not, so it
   * queues instead. */
  if (self->thread == g_thread_self () || g_main_context_is_owner (self->context))
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, learned_notify, data, learned_free);
  else
    {
      GSource *source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, learned_notify, data, learned_free);
      g_source_set_static_name (source, "[parsec-glib] discovery notification");
      g_source_attach (source, self->context);
      g_source_unref (source);
    }
}

/* Accessors */

/**
 * parsec_client_get_endpoint:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:endpoint].
 *
 * Returns: (nullable): the endpoint URI in use once the client is
 *   initialised; before, the one given at construction, or %NULL
 *
 * Since: 1.0
 */
const char *
parsec_client_get_endpoint (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  return self->endpoint;
}

/**
 * parsec_client_get_application_name:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:application-name].
 *
 * Returns: (nullable): the application name, after initialisation the
 *   default #GApplication's id when none was given
 *
 * Since: 1.0
 */
const char *
parsec_client_get_application_name (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  return self->application_name;
}

/**
 * parsec_client_get_auth_method:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:auth-method].
 *
 * Returns: the configured authentication method, %PARSEC_AUTH_METHOD_AUTO
 *   when none was given; see [method@Parsec.Client.get_auth_type] for the one
 *   in use
 *
 * Since: 1.0
 */
ParsecAuthMethod
parsec_client_get_auth_method (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), PARSEC_AUTH_METHOD_AUTO);
  return self->auth_method;
}

/**
 * parsec_client_get_auth_type:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:auth-type].
 *
 * Returns: the authentication type in use
 *
 * Since: 1.0
 */
ParsecAuthType
parsec_client_get_auth_type (ParsecClient *self)
{
  ParsecAuthType type;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), PARSEC_AUTH_TYPE_NONE);

  g_mutex_lock (&self->discovery_lock);
  type = self->auth_type;
  g_mutex_unlock (&self->discovery_lock);
  return type;
}

/**
 * parsec_client_get_provider:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:provider].
 *
 * Returns: the configured provider, %PARSEC_PROVIDER_AUTO when none was
 *   given; see [method@Parsec.Client.get_implicit_provider] for the one in use
 *
 * Since: 1.0
 */
ParsecProvider
parsec_client_get_provider (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), PARSEC_PROVIDER_AUTO);
  return self->provider;
}

/**
 * parsec_client_get_implicit_provider:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:implicit-provider].
 *
 * Returns: the provider of crypto operations that do not name one,
 *   possibly one the enumeration does not name
 *
 * Since: 1.0
 */
ParsecProvider
parsec_client_get_implicit_provider (ParsecClient *self)
{
  ParsecProvider provider;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), PARSEC_PROVIDER_CORE);

  g_mutex_lock (&self->discovery_lock);
  provider = self->implicit_provider;
  g_mutex_unlock (&self->discovery_lock);
  return provider;
}

/**
 * parsec_client_get_timeout:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:timeout].
 *
 * Returns: the deadline of each call in milliseconds, 0 for none, in
 *   force once the client is initialised; before, the one given at
 *   construction, or -1
 *
 * Since: 1.0
 */
int
parsec_client_get_timeout (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), -1);
  return self->timeout_ms;
}

/**
 * parsec_client_get_max_response_size:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:max-response-size].
 *
 * Returns: the largest response body accepted, in bytes, in force once
 *   the client is initialised; before, the one given at construction, or 0
 *
 * Since: 1.0
 */
guint
parsec_client_get_max_response_size (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), 0);
  return self->max_response_size;
}

/**
 * parsec_client_get_max_requests_in_flight:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:max-requests-in-flight].
 *
 * Returns: how many calls may be in flight at once, in force once the
 *   client is initialised; before, the number given at construction, or 0
 *
 * Since: 1.0
 */
guint
parsec_client_get_max_requests_in_flight (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), 0);
  return self->max_requests_in_flight;
}

/**
 * parsec_client_get_trust_policy:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:trust-policy].
 *
 * Returns: the policy in force once the client is initialised; before,
 *   the one given at construction, or %PARSEC_TRUST_POLICY_DEFAULT
 *
 * Since: 1.0
 */
ParsecTrustPolicy
parsec_client_get_trust_policy (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), PARSEC_TRUST_POLICY_DEFAULT);
  return self->trust_policy;
}

/**
 * parsec_client_get_trusted_users:
 * @self: a #ParsecClient
 *
 * Gets [property@Parsec.Client:trusted-users].
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the users
 *   trusted to run the service, by name or decimal id. Once the client is
 *   initialised, the list in force, %NULL for root and the `parsec` user;
 *   before, the list given at construction, or %NULL
 *
 * Since: 1.0
 */
const char * const *
parsec_client_get_trusted_users (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  return (const char * const *) self->trusted_users;
}

/**
 * parsec_client_set_jwt_svid_token:
 * @self: a #ParsecClient
 * @token: (nullable): a JWT-SVID in JWS compact serialisation
 *
 * Sets [property@Parsec.Client:jwt-svid-token], the token sent from now on with
 * JWT-SVID authentication. Call it again with a fresh token before the
 * old one expires. The previous token is wiped from memory.
 *
 * Since: 1.0
 */
void
parsec_client_set_jwt_svid_token (ParsecClient *self,
                                  const char   *token)
{
  char *copy;
  char *old;

  g_return_if_fail (PARSEC_IS_CLIENT (self));

  copy = secure_strdup (token);
  g_mutex_lock (&self->token_lock);
  old = self->jwt_svid_token;
  self->jwt_svid_token = copy;
  g_mutex_unlock (&self->token_lock);

  secure_free (old);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JWT_SVID_TOKEN]);
}
