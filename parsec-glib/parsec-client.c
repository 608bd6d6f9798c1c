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

#include "list_authenticators.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"

/**
 * ParsecClient:
 *
 * A client of the Parsec service.
 *
 * Create one with parsec_client_new() (or parsec_client_new_sync()), or
 * with g_async_initable_new_async() to set properties. The configuration
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
 * with #ParsecClient:provider and #ParsecClient:auth-method set never
 * asks. parsec_client_discover() asks at once.
 *
 * The endpoint comes, first match wins, from #ParsecClient:endpoint, the
 * `PARSEC_SERVICE_ENDPOINT` environment variable, the `endpoint` key of
 * the `community.parsec.glib` GSettings schema when it is installed, and
 * finally `unix:/run/parsec/parsec.sock`. The timeout, the response
 * limit, the trust policy and the trusted users come from their property,
 * else the GSettings key of the same name, else the built-in default.
 *
 * What discovery learns, #ParsecClient:implicit-provider and
 * #ParsecClient:auth-type, is notified once, on the thread-default main
 * context of the thread that constructed the client, whichever thread
 * the discovery ran on.
 *
 * Every operation opens its own connection, as the service expects, and
 * has one deadline (#ParsecClient:timeout) for connecting, sending and
 * receiving. Operations on keys go to the implicit provider; to name
 * another, make them on a client from parsec_client_dup_for_provider().
 * Asynchronous operations, initialisation aside, run on the thread-default
 * main context of the caller without helper threads. An initialised
 * client may be used from several threads at once.
 *
 * Since: 1.0
 */
struct _ParsecClient
{
  GObject parent_instance;

  /* Configuration, fixed at construction. Initialisation replaces the
   * "unset" values (NULL, -1, 0, PARSEC_TRUST_POLICY_DEFAULT) with the
   * values in force; the AUTO ones stay, for discovery to decide. */
  char *endpoint;
  char *application_name;        /* secure memory: direct authentication sends it */
  ParsecAuthMethod auth_method;
  ParsecProvider provider;
  int timeout_ms;
  guint max_response_size;
  ParsecTrustPolicy trust_policy;
  char **trusted_users;

  /* Where notifications of what discovery learns are emitted: the
   * thread-default context of the thread that constructed the client. */
  GMainContext *context;
  GThread *thread;
  guint notified;                /* ParsecNeeds, atomic */

  /* Resolved at initialisation */
  gboolean initialized;
  GSocketAddress *address;
  GArray *trusted_uids;          /* guint32 */

  /* Found by discovery on first need, or set by the configuration, then
   * fixed: read once the matching bit of known is seen under the lock. */
  GMutex discovery_lock;
  ParsecNeeds known;
  guint implicit_provider;
  ParsecAuthType auth_type;
  GBytes *auth_data;             /* wiping; NULL for none and JWT-SVID */
  GSList *discoveries;           /* Discovery, one per main context */

  GMutex token_lock;
  char *jwt_svid_token;          /* secure memory */

  /* The operations each provider lists, asked when the provider answers
   * PsaErrorNotSupported, so that the error says what was missing. */
  GMutex opcodes_lock;
  guint64 opcodes_known[256 / 64];   /* bit per provider */
  guint64 opcodes[256];              /* bit per opcode below 64 */
};

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
  PROP_JWT_SVID_TOKEN,
  PROP_TRUST_POLICY,
  PROP_TRUSTED_USERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_TIMEOUT_MS        60000
#define DEFAULT_MAX_RESPONSE_SIZE (1u << 20)
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

  g_free (self->endpoint);
  /* The application name is what direct authentication sends. */
  secure_free (self->application_name);
  g_strfreev (self->trusted_users);
  g_clear_pointer (&self->trusted_uids, g_array_unref);
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
   * %PARSEC_AUTH_METHOD_AUTO, and #ParsecClient:auth-type tells the choice.
   *
   * Since: 1.0
   */
  properties[PROP_AUTH_METHOD] =
    g_param_spec_enum ("auth-method", NULL, NULL, PARSEC_TYPE_AUTH_METHOD,
                       PARSEC_AUTH_METHOD_AUTO, config_flags);

  /**
   * ParsecClient:auth-type:
   *
   * The authentication type in use: the one #ParsecClient:auth-method
   * names, or with %PARSEC_AUTH_METHOD_AUTO the one discovery chose, known
   * after the first authenticated call or parsec_client_discover()
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
   * #ParsecClient:implicit-provider tells the choice. For a provider this
   * enumeration does not name, use parsec_client_dup_for_provider().
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
   * #ParsecClient:provider names, or the one discovery chose, known after
   * the first crypto call or parsec_client_discover(). Until then, and
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
   * ParsecClient:jwt-svid-token:
   *
   * The JWT-SVID token sent with JWT-SVID authentication. Unlike the
   * configuration, it may be replaced at any time, for example before it
   * expires; it cannot be read back. The client keeps it in memory it
   * wipes. Setting it as a property can leave copies in GObject's own
   * memory (a #GValue may hold one, or point at the caller's string),
   * which the client cannot wipe: parsec_client_set_jwt_svid_token()
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
   * the service process in #ParsecClient:trusted-users.
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
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

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
      const char *env = g_getenv (PARSEC_ENDPOINT_ENV);
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
      self->max_response_size = settings != NULL ? g_settings_get_uint (settings, "max-response-size")
                                                 : DEFAULT_MAX_RESPONSE_SIZE;
    }
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

/* Authentication */

/* The authentication data @type sends: NULL for none and for JWT-SVID,
 * whose token is read at each request. */
static gboolean
client_auth_data_for_type (ParsecClient    *self,
                           ParsecAuthType   type,
                           GBytes         **auth_data,
                           GError         **error)
{
  *auth_data = NULL;

  switch (type)
    {
    case PARSEC_AUTH_TYPE_NONE:
    case PARSEC_AUTH_TYPE_JWT_SVID:
      return TRUE;

    case PARSEC_AUTH_TYPE_DIRECT:
      if (self->application_name == NULL || *self->application_name == '\0')
        {
          g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_NO_APPLICATION_NAME,
                               "The Parsec service authenticates applications by name, and this one has none: "
                               "set ParsecClient:application-name, or give the default GApplication an application id");
          return FALSE;
        }
      *auth_data = secure_bytes_new (self->application_name, strlen (self->application_name));
      return TRUE;

    case PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS:
      {
        /* The service compares with SO_PEERCRED, which holds the
         * effective user id. */
        guint32 uid = (guint32) geteuid ();
        guint8 le[4] = { uid & 0xff, (uid >> 8) & 0xff, (uid >> 16) & 0xff, uid >> 24 };

        *auth_data = secure_bytes_new (le, sizeof le);
        return TRUE;
      }

    case PARSEC_AUTH_TYPE_JWT:
    default:
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_USABLE_AUTHENTICATOR,
                   "parsec-glib cannot authenticate with authentication type %u", type);
      return FALSE;
    }
}

static gboolean
client_can_serve (ParsecClient *self,
                  guint         auth_type)
{
  switch (auth_type)
    {
    case PARSEC_AUTH_TYPE_NONE:
    case PARSEC_AUTH_TYPE_DIRECT:
    case PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS:
      return TRUE;
    case PARSEC_AUTH_TYPE_JWT_SVID:
      {
        gboolean has_token;

        g_mutex_lock (&self->token_lock);
        has_token = self->jwt_svid_token != NULL;
        g_mutex_unlock (&self->token_lock);
        return has_token;
      }
    default:
      return FALSE;
    }
}

/* The authentication type of an explicit #ParsecClient:auth-method, or
 * with %PARSEC_AUTH_METHOD_AUTO the first of @authenticators the client
 * can serve. */
static gboolean
client_choose_auth_type (ParsecClient    *self,
                         GPtrArray       *authenticators,
                         ParsecAuthType  *type,
                         GError         **error)
{
  g_autoptr(GString) offered = NULL;

  switch (self->auth_method)
    {
    case PARSEC_AUTH_METHOD_NONE:
      *type = PARSEC_AUTH_TYPE_NONE;
      return TRUE;
    case PARSEC_AUTH_METHOD_DIRECT:
      *type = PARSEC_AUTH_TYPE_DIRECT;
      return TRUE;
    case PARSEC_AUTH_METHOD_UNIX_PEER_CREDENTIALS:
      *type = PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS;
      return TRUE;
    case PARSEC_AUTH_METHOD_JWT_SVID:
      *type = PARSEC_AUTH_TYPE_JWT_SVID;
      return TRUE;
    case PARSEC_AUTH_METHOD_AUTO:
    default:
      break;
    }

  /* A service without authenticators accepts only requests without
   * authentication; there is nothing to pick. */
  if (authenticators == NULL || authenticators->len == 0)
    {
      *type = PARSEC_AUTH_TYPE_NONE;
      return TRUE;
    }

  offered = g_string_new (NULL);
  for (guint i = 0; i < authenticators->len; i++)
    {
      ParsecAuthenticatorInfo *info = g_ptr_array_index (authenticators, i);
      guint id = parsec_authenticator_info_get_id (info);

      if (client_can_serve (self, id))
        {
          *type = id;
          return TRUE;
        }
      g_string_append_printf (offered, "%s%u", i > 0 ? ", " : "", id);
    }

  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_USABLE_AUTHENTICATOR,
               "The Parsec service offers no authenticator this client can serve (authentication types offered: %s; "
               "JWT-SVID needs ParsecClient:jwt-svid-token)", offered->str);
  return FALSE;
}

/* The first crypto provider: the service lists them in its configured
 * order, the core provider last. */
static guint
first_crypto_provider (GPtrArray *providers)
{
  for (guint i = 0; i < providers->len; i++)
    {
      guint id = parsec_provider_info_get_id (g_ptr_array_index (providers, i));

      if (id != PARSEC_PROVIDER_CORE && id <= G_MAXUINT8)
        return id;
    }
  return PARSEC_PROVIDER_CORE;
}

/* The generic request path */

void
_parsec_message_free (ProtobufCMessage *message)
{
  if (message != NULL)
    protobuf_c_message_free_unpacked (message, &_parsec_secure_protobuf_allocator);
}

char *
_parsec_utf8_from_service (const char *text)
{
  return g_utf8_make_valid (text != NULL ? text : "", -1);
}

static gboolean
check_body_size (const ParsecOperation  *op,
                 gsize                   body_len,
                 GError                **error)
{
  if (body_len > PARSEC_WIRE_SERVICE_BODY_LIMIT)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_REQUEST_TOO_LARGE,
                   "The %s request body would be %" G_GSIZE_FORMAT " bytes; the service accepts at most %u",
                   _parsec_opcode_get_name (op->opcode), body_len, PARSEC_WIRE_SERVICE_BODY_LIMIT);
      return FALSE;
    }
  return TRUE;
}

/* The body of a request that must wait for discovery, packed while the
 * caller's message still exists. */
static GBytes *
client_pack_body (const ParsecOperation   *op,
                  const ProtobufCMessage  *operation,
                  GError                 **error)
{
  gsize body_len = operation != NULL ? protobuf_c_message_get_packed_size (operation) : 0;
  guint8 *buffer;

  if (!check_body_size (op, body_len, error))
    return NULL;
  buffer = secure_alloc (body_len);
  if (operation != NULL)
    protobuf_c_message_pack (operation, buffer);
  return secure_bytes_take (buffer, body_len);
}

static gboolean
client_sends_auth (ParsecClient          *self,
                   const ParsecOperation *op)
{
  gboolean known;

  if (op->auth != PARSEC_CALL_AUTH_IF_KNOWN)
    return op->auth == PARSEC_CALL_AUTH_REQUIRED;
  g_mutex_lock (&self->discovery_lock);
  known = (self->known & PARSEC_NEEDS_AUTH) != 0;
  g_mutex_unlock (&self->discovery_lock);
  return known;
}

/* The whole request: header, the body (@operation packed, or @packed)
 * and the authentication, which discovery must have settled. */
static GBytes *
client_encode_request (ParsecClient            *self,
                       const ParsecOperation   *op,
                       guint8                   provider,
                       const ProtobufCMessage  *operation,
                       GBytes                  *packed,
                       GError                 **error)
{
  ParsecWireHeader header;
  gsize body_len;
  const guint8 *auth = NULL;
  gsize auth_len = 0;
  guint8 auth_type = PARSEC_AUTH_TYPE_NONE;
  char *token_copy = NULL;
  guint8 *buffer;

  if (packed != NULL)
    body_len = g_bytes_get_size (packed);
  else
    body_len = operation != NULL ? protobuf_c_message_get_packed_size (operation) : 0;
  if (!check_body_size (op, body_len, error))
    return NULL;

  if (client_sends_auth (self, op))
    {
      auth_type = self->auth_type;
      if (self->auth_type == PARSEC_AUTH_TYPE_JWT_SVID)
        {
          g_mutex_lock (&self->token_lock);
          if (self->jwt_svid_token != NULL)
            {
              auth_len = strlen (self->jwt_svid_token);
              token_copy = secure_alloc (auth_len);
              memcpy (token_copy, self->jwt_svid_token, auth_len);
            }
          g_mutex_unlock (&self->token_lock);
          if (token_copy == NULL)
            {
              g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_NO_JWT_SVID_TOKEN,
                                   "JWT-SVID authentication needs a token: set ParsecClient:jwt-svid-token");
              return NULL;
            }
          auth = (const guint8 *) token_copy;
        }
      else if (self->auth_data != NULL)
        auth = g_bytes_get_data (self->auth_data, &auth_len);
    }

  if (auth_len > PARSEC_WIRE_AUTH_MAX)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_REQUEST_TOO_LARGE,
                   "The authentication data is %" G_GSIZE_FORMAT " bytes; the wire protocol allows at most %u",
                   auth_len, PARSEC_WIRE_AUTH_MAX);
      secure_free (token_copy);
      return NULL;
    }

  buffer = secure_alloc (PARSEC_WIRE_HEADER_LEN + body_len + auth_len);
  _parsec_wire_header_init_request (&header, provider, op->opcode, auth_type,
                                    (guint32) body_len, (guint16) auth_len);
  _parsec_wire_header_encode (&header, buffer);
  if (packed != NULL)
    memcpy (buffer + PARSEC_WIRE_HEADER_LEN, g_bytes_get_data (packed, NULL), body_len);
  else if (operation != NULL)
    protobuf_c_message_pack (operation, buffer + PARSEC_WIRE_HEADER_LEN);
  if (auth_len > 0)
    memcpy (buffer + PARSEC_WIRE_HEADER_LEN + body_len, auth, auth_len);
  secure_free (token_copy);

  return secure_bytes_take (buffer, PARSEC_WIRE_HEADER_LEN + body_len + auth_len);
}

/* Field 1 of a result that carries bytes there. */
static const ProtobufCBinaryData *
result_binary (const ProtobufCMessage *result)
{
  const ProtobufCFieldDescriptor *field =
    protobuf_c_message_descriptor_get_field (result->descriptor, 1);

  g_assert (field != NULL && field->type == PROTOBUF_C_TYPE_BYTES);
  return &G_STRUCT_MEMBER (ProtobufCBinaryData, (gpointer) result, field->offset);
}

/* Reads a varint at *@p, before @end. */
static gboolean
wire_varint (const guint8 **p,
             const guint8  *end,
             guint64       *value)
{
  *value = 0;
  for (guint shift = 0; shift < 64 && *p < end; shift += 7)
    {
      guint8 byte = *(*p)++;

      *value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Counts the entries of field 1 in a protobuf message without decoding
 * it: a record per entry, or for @packed scalars the bytes of their
 * records, each entry taking one at least. Returns FALSE for bytes that
 * are no message; protobuf-c then says so. */
static gboolean
wire_count_entries (const guint8 *data,
                    gsize         len,
                    gboolean      packed,
                    gsize        *count)
{
  const guint8 *p = data, *end = data + len;

  *count = 0;
  while (p < end)
    {
      guint64 key, value;

      if (!wire_varint (&p, end, &key))
        return FALSE;
      switch (key & 7)
        {
        case 0:                     /* varint */
          if (!wire_varint (&p, end, &value))
            return FALSE;
          if ((key >> 3) == 1)
            (*count)++;
          break;
        case 1:                     /* 64-bit */
          if ((gsize) (end - p) < 8)
            return FALSE;
          p += 8;
          break;
        case 5:                     /* 32-bit */
          if ((gsize) (end - p) < 4)
            return FALSE;
          p += 4;
          break;
        case 2:                     /* length-delimited */
          if (!wire_varint (&p, end, &value) || value > (guint64) (end - p))
            return FALSE;
          if ((key >> 3) == 1)
            *count += packed ? (gsize) value : 1;
          p += value;
          break;
        default:
          return FALSE;
        }
    }
  return TRUE;
}

/* Whether the list in field 1 is of scalars, which proto3 packs. */
static gboolean
list_is_packed (const ParsecOperation *op)
{
  const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (op->result_type, 1);

  return field != NULL && field->type != PROTOBUF_C_TYPE_MESSAGE &&
         field->type != PROTOBUF_C_TYPE_STRING && field->type != PROTOBUF_C_TYPE_BYTES;
}

/* Decodes the response, and holds field 1 to the length the request
 * fixed (@expected, 0 for none). */
static ProtobufCMessage *
client_decode_result (const ParsecOperation  *op,
                      GBytes                 *body,
                      gsize                   expected,
                      GError                **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);
  ProtobufCMessage *result;
  gsize got, entries;

  /* A list is counted before it is decoded: a megabyte of empty entries
   * would otherwise cost many times as much once decoded. */
  if (op->max_entries > 0 && wire_count_entries (data, len, list_is_packed (op), &entries) &&
      entries > op->max_entries)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   "The Parsec service's response to %s lists more than %u entries",
                   _parsec_opcode_get_name (op->opcode), op->max_entries);
      return NULL;
    }

  result = protobuf_c_message_unpack (op->result_type, &_parsec_secure_protobuf_allocator, len, data);
  if (result == NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   "The Parsec service's response to %s could not be decoded",
                   _parsec_opcode_get_name (op->opcode));
      return NULL;
    }
  if (expected > 0 && (got = result_binary (result)->len) != expected)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   "The Parsec service answered %s with %" G_GSIZE_FORMAT " bytes where %" G_GSIZE_FORMAT
                   " were asked for", _parsec_opcode_get_name (op->opcode), got, expected);
      _parsec_message_free (result);
      return NULL;
    }
  return result;
}

static gsize
expected_length_of_call (const ParsecOperation  *op,
                         const ProtobufCMessage *operation)
{
  return op->result_length != NULL && operation != NULL ? op->result_length (operation) : 0;
}

/* The key an operation is about, to name it in the service's errors. */
static const char *
operation_key_name (const ProtobufCMessage *operation)
{
  static const char * const names[] = { "key_name", "private_key_name", "attested_key_name" };

  if (operation == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name (operation->descriptor, names[i]);

      if (field != NULL && field->type == PROTOBUF_C_TYPE_STRING)
        return G_STRUCT_MEMBER (const char *, operation, field->offset);
    }
  return NULL;
}

static void
client_transport_params (ParsecClient          *self,
                         const ParsecOperation *op,
                         guint8                 provider,
                         const char            *key_name,
                         ParsecTransportParams *params)
{
  params->provider = provider;
  params->key_name = key_name;
  params->address = self->address;
  params->opcode = op->opcode;
  params->max_body_len = self->max_response_size;
  params->timeout_ms = self->timeout_ms;
  params->trust.policy = self->trust_policy;
  params->trust.trusted_uids = (const guint32 *) self->trusted_uids->data;
  params->trust.n_trusted_uids = self->trusted_uids->len;
}

/* Provider support of operations */

typedef enum {
  SUPPORT_UNKNOWN,
  SUPPORTED,
  NOT_SUPPORTED,
} Support;

static Support
client_lookup_support (ParsecClient *self,
                       guint8        provider,
                       guint32       opcode)
{
  Support support = SUPPORTED;

  /* Core operations, and opcodes beyond what the cache records, are left
   * to the service to judge. */
  if (provider == PARSEC_PROVIDER_CORE || opcode >= 64)
    return SUPPORTED;

  g_mutex_lock (&self->opcodes_lock);
  if ((self->opcodes_known[provider / 64] & (G_GUINT64_CONSTANT (1) << (provider % 64))) == 0)
    support = SUPPORT_UNKNOWN;
  else if ((self->opcodes[provider] & (G_GUINT64_CONSTANT (1) << opcode)) == 0)
    support = NOT_SUPPORTED;
  g_mutex_unlock (&self->opcodes_lock);
  return support;
}

static void
client_store_support (ParsecClient     *self,
                      guint8            provider,
                      ProtobufCMessage *message)
{
  ListOpcodes__Result *result = (ListOpcodes__Result *) message;
  guint64 mask = 0;

  for (gsize i = 0; i < result->n_opcodes; i++)
    if (result->opcodes[i] < 64)
      mask |= G_GUINT64_CONSTANT (1) << result->opcodes[i];

  g_mutex_lock (&self->opcodes_lock);
  self->opcodes[provider] = mask;
  self->opcodes_known[provider / 64] |= G_GUINT64_CONSTANT (1) << (provider % 64);
  g_mutex_unlock (&self->opcodes_lock);
}

static GError *
not_supported_error (guint8  provider,
                     guint32 opcode)
{
  return g_error_new (PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER,
                      "Provider %u of the Parsec service does not support %s",
                      provider, _parsec_opcode_get_name (opcode));
}

/* The service answers PsaErrorNotSupported both for an operation its
 * provider lacks and for parameters the provider cannot serve. Only then
 * is the provider's list of operations worth a request: it tells the two
 * apart at no cost to calls that succeed. */
static gboolean
client_should_ask_support (ParsecClient *self,
                           guint8        provider,
                           guint32       opcode,
                           const GError *error)
{
  return g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED) &&
         client_lookup_support (self, provider, opcode) == SUPPORT_UNKNOWN;
}

/* After the provider's list of operations arrived (@result, or NULL when
 * asking failed): the error to report for the call that failed with
 * @error (transfer full). */
static GError *
client_explain_not_supported (ParsecClient     *self,
                              guint8            provider,
                              guint32           opcode,
                              ProtobufCMessage *result,
                              GError           *error)
{
  if (result != NULL)
    client_store_support (self, provider, result);
  if (client_lookup_support (self, provider, opcode) == NOT_SUPPORTED)
    {
      g_error_free (error);
      return not_supported_error (provider, opcode);
    }
  return error;
}

void
_parsec_list_opcodes_operation_init (ListOpcodes__Operation *operation,
                                     guint8                  provider)
{
  list_opcodes__operation__init (operation);
  operation->provider_id = provider;
}

/* One request and its decoded result, for a call whose needs are met. */
static ProtobufCMessage *
client_exchange (ParsecClient           *self,
                 const ParsecOperation  *op,
                 guint8                  provider,
                 const ProtobufCMessage *operation,
                 GBytes                 *packed,
                 GCancellable           *cancellable,
                 GError                **error)
{
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) body = NULL;
  ParsecTransportParams params;

  request = client_encode_request (self, op, provider, operation, packed, error);
  if (request == NULL)
    return NULL;
  client_transport_params (self, op, provider, operation_key_name (operation), &params);
  body = _parsec_transport_call (&params, request, cancellable, error);
  if (body == NULL)
    return NULL;
  return client_decode_result (op, body, expected_length_of_call (op, operation), error);
}

/* Adds the hint that fits the request to the service's error. */
static void
client_add_hint (const ParsecHint *hint,
                 GError           *error)
{
  char *message;

  if (hint == NULL || !g_error_matches (error, PARSEC_ERROR, (gint) hint->status))
    return;
  message = g_strdup_printf ("%s. %s", error->message, hint->text);
  g_free (error->message);
  error->message = message;
}

static const ParsecHint *
hint_of_call (const ParsecOperation  *op,
              const ProtobufCMessage *operation)
{
  return op->hint != NULL && operation != NULL ? op->hint (operation) : NULL;
}

/* Discovery */

static ParsecNeeds
needs_of_call (const ParsecOperation *op,
               guint                  provider)
{
  return (op->auth == PARSEC_CALL_AUTH_REQUIRED ? PARSEC_NEEDS_AUTH : 0) |
         (provider == PARSEC_PROVIDER_IMPLICIT ? PARSEC_NEEDS_PROVIDER : 0);
}

static ParsecNeeds
client_missing (ParsecClient *self,
                ParsecNeeds   needs)
{
  ParsecNeeds missing;

  g_mutex_lock (&self->discovery_lock);
  missing = needs & ~self->known;
  g_mutex_unlock (&self->discovery_lock);
  return missing;
}

/* What discovery found is fixed once known: when two discoveries race,
 * the first answer stays. */
static void
client_learn_provider (ParsecClient *self,
                       guint         provider)
{
  g_mutex_lock (&self->discovery_lock);
  if ((self->known & PARSEC_NEEDS_PROVIDER) == 0)
    {
      self->implicit_provider = provider;
      self->known |= PARSEC_NEEDS_PROVIDER;
    }
  g_mutex_unlock (&self->discovery_lock);
  _parsec_client_learned (self, PARSEC_NEEDS_PROVIDER);
}

static void
client_learn_providers (ParsecClient     *self,
                        ProtobufCMessage *result)
{
  g_autoptr(GPtrArray) providers = _parsec_providers_from_result (result);

  client_learn_provider (self, first_crypto_provider (providers));
}

static gboolean
client_learn_auth (ParsecClient      *self,
                   ProtobufCMessage  *result,
                   GError           **error)
{
  g_autoptr(GPtrArray) authenticators = NULL;
  g_autoptr(GBytes) auth_data = NULL;
  ParsecAuthType type;

  if (result != NULL)
    authenticators = _parsec_authenticators_from_result (result);
  if (!client_choose_auth_type (self, authenticators, &type, error) ||
      !client_auth_data_for_type (self, type, &auth_data, error))
    return FALSE;

  g_mutex_lock (&self->discovery_lock);
  if ((self->known & PARSEC_NEEDS_AUTH) == 0)
    {
      self->auth_type = type;
      self->auth_data = g_steal_pointer (&auth_data);
      self->known |= PARSEC_NEEDS_AUTH;
    }
  g_mutex_unlock (&self->discovery_lock);
  _parsec_client_learned (self, PARSEC_NEEDS_AUTH);
  return TRUE;
}

gboolean
_parsec_client_discover (ParsecClient  *self,
                         ParsecNeeds    needs,
                         GCancellable  *cancellable,
                         GError       **error)
{
  ParsecNeeds missing = client_missing (self, needs);

  if (missing & PARSEC_NEEDS_PROVIDER)
    {
      g_autoptr(ProtobufCMessage) result = NULL;

      result = client_exchange (self, &_parsec_op_list_providers, PARSEC_PROVIDER_CORE, NULL, NULL,
                                cancellable, error);
      if (result == NULL)
        return FALSE;
      client_learn_providers (self, result);
    }
  if (missing & PARSEC_NEEDS_AUTH)
    {
      g_autoptr(ProtobufCMessage) result = NULL;

      result = client_exchange (self, &_parsec_op_list_authenticators, PARSEC_PROVIDER_CORE, NULL, NULL,
                                cancellable, error);
      if (result == NULL || !client_learn_auth (self, result, error))
        return FALSE;
    }
  return TRUE;
}

/* Asynchronous discovery: the calls that need it on one main context wait
 * for one discovery there, so that a burst of first calls costs one
 * request per thing to learn. Calls on other contexts run their own: a
 * context nobody iterates any more must not hold them up. */
typedef struct {
  ParsecClient *self;
  GMainContext *context;
  GQueue waiters;                /* Waiter */
  const ParsecOperation *asking; /* the request under way */
} Discovery;

typedef struct {
  Discovery *discovery;
  ParsecNeeds needs;
  ParsecDiscovered discovered;
  gpointer user_data;
  GSource *cancelled_source;
} Waiter;

static void discovery_step (Discovery *discovery);

static void
waiter_resume (Waiter *waiter,
               GError *error)
{
  if (waiter->cancelled_source != NULL)
    {
      g_source_destroy (waiter->cancelled_source);
      g_source_unref (waiter->cancelled_source);
    }
  waiter->discovered (waiter->user_data, error);
  g_free (waiter);
}

/* A waiter whose call is cancelled leaves at once; the discovery goes on
 * for the others and for later calls. Runs on the discovery's context. */
static gboolean
waiter_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  Waiter *waiter = user_data;
  Discovery *discovery = waiter->discovery;
  ParsecClient *self = discovery->self;
  GError *error = NULL;

  g_mutex_lock (&self->discovery_lock);
  g_queue_remove (&discovery->waiters, waiter);
  g_mutex_unlock (&self->discovery_lock);

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  waiter_resume (waiter, error);
  return G_SOURCE_REMOVE;
}

/* Resumes the waiters whose needs are now met, and those that needed what
 * @failed names with a copy of @error. Called without the lock. */
static void
discovery_resume (Discovery    *discovery,
                  ParsecNeeds   failed,
                  const GError *error)
{
  ParsecClient *self = discovery->self;
  GQueue ready = G_QUEUE_INIT;
  GQueue failing = G_QUEUE_INIT;
  GList *link, *next;

  g_mutex_lock (&self->discovery_lock);
  for (link = discovery->waiters.head; link != NULL; link = next)
    {
      Waiter *waiter = link->data;
      ParsecNeeds missing = waiter->needs & ~self->known;

      next = link->next;
      if (missing == 0 || (missing & failed) != 0)
        {
          g_queue_unlink (&discovery->waiters, link);
          g_queue_push_tail_link (missing == 0 ? &ready : &failing, link);
        }
    }
  g_mutex_unlock (&self->discovery_lock);

  while ((link = g_queue_pop_head_link (&ready)) != NULL)
    {
      waiter_resume (link->data, NULL);
      g_list_free_1 (link);
    }
  while ((link = g_queue_pop_head_link (&failing)) != NULL)
    {
      waiter_resume (link->data, g_error_copy (error));
      g_list_free_1 (link);
    }
}

static void
discovery_answered (GBytes   *body,
                    GError   *error,
                    gpointer  user_data)
{
  Discovery *discovery = user_data;
  ParsecClient *self = discovery->self;
  const ParsecOperation *op = discovery->asking;
  g_autoptr(ProtobufCMessage) result = NULL;
  ParsecNeeds learning = op == &_parsec_op_list_providers ? PARSEC_NEEDS_PROVIDER : PARSEC_NEEDS_AUTH;

  if (error == NULL)
    result = client_decode_result (op, body, 0, &error);
  g_clear_pointer (&body, g_bytes_unref);

  if (result != NULL)
    {
      if (learning == PARSEC_NEEDS_PROVIDER)
        client_learn_providers (self, result);
      else
        client_learn_auth (self, result, &error);
    }

  discovery_resume (discovery, error != NULL ? learning : 0, error);
  g_clear_error (&error);
  discovery_step (discovery);
}

/* Asks for the next thing a waiter misses, or ends the discovery. */
static void
discovery_step (Discovery *discovery)
{
  ParsecClient *self = discovery->self;
  ParsecNeeds missing = 0;
  GError *error = NULL;
  g_autoptr(GBytes) request = NULL;
  ParsecTransportParams params;

  g_mutex_lock (&self->discovery_lock);
  for (GList *link = discovery->waiters.head; link != NULL; link = link->next)
    missing |= ((Waiter *) link->data)->needs & ~self->known;
  if (missing == 0)
    self->discoveries = g_slist_remove (self->discoveries, discovery);
  g_mutex_unlock (&self->discovery_lock);

  if (missing == 0)
    {
      /* Waiters that the last answer satisfied after all. */
      discovery_resume (discovery, 0, NULL);
      g_main_context_unref (discovery->context);
      g_object_unref (discovery->self);
      g_free (discovery);
      return;
    }

  discovery->asking = (missing & PARSEC_NEEDS_PROVIDER) ? &_parsec_op_list_providers
                                                        : &_parsec_op_list_authenticators;
  request = client_encode_request (self, discovery->asking, PARSEC_PROVIDER_CORE, NULL, NULL, &error);
  g_assert_no_error (error);   /* an empty unauthenticated request always encodes */
  client_transport_params (self, discovery->asking, PARSEC_PROVIDER_CORE, NULL, &params);
  _parsec_transport_call_async (&params, request, discovery->context, NULL, discovery_answered, discovery);
}

void
_parsec_client_discover_async (ParsecClient     *self,
                               ParsecNeeds       needs,
                               GTask            *task,
                               ParsecDiscovered  discovered,
                               gpointer          user_data)
{
  GMainContext *context = g_task_get_context (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  Discovery *discovery = NULL;
  gboolean start = FALSE;
  Waiter *waiter;

  g_mutex_lock (&self->discovery_lock);
  if ((needs & ~self->known) == 0)
    {
      g_mutex_unlock (&self->discovery_lock);
      discovered (user_data, NULL);
      return;
    }
  for (GSList *link = self->discoveries; link != NULL; link = link->next)
    if (((Discovery *) link->data)->context == context)
      discovery = link->data;
  if (discovery == NULL)
    {
      discovery = g_new0 (Discovery, 1);
      discovery->self = g_object_ref (self);
      discovery->context = g_main_context_ref (context);
      self->discoveries = g_slist_prepend (self->discoveries, discovery);
      start = TRUE;
    }
  waiter = g_new0 (Waiter, 1);
  waiter->discovery = discovery;
  waiter->needs = needs;
  waiter->discovered = discovered;
  waiter->user_data = user_data;
  g_queue_push_tail (&discovery->waiters, waiter);
  g_mutex_unlock (&self->discovery_lock);

  /* On the discovery's context, where the waiter is resumed, so that it
   * cannot be resumed twice. */
  if (cancellable != NULL)
    {
      waiter->cancelled_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancelled_source, G_SOURCE_FUNC (waiter_cancelled), waiter, NULL);
      g_source_attach (waiter->cancelled_source, context);
    }
  if (start)
    discovery_step (discovery);
}

/* Calls */

/* The provider a call goes to, once discovery has found the implicit
 * one. */
static gboolean
client_resolve_provider (ParsecClient  *self,
                         guint          provider,
                         guint8        *wire_provider,
                         GError       **error)
{
  if (provider == PARSEC_PROVIDER_IMPLICIT)
    {
      provider = parsec_client_get_implicit_provider (self);
      if (provider == PARSEC_PROVIDER_CORE)
        {
          g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_NO_CRYPTO_PROVIDER,
                               "The Parsec service hosts no crypto provider for keys and cryptographic operations");
          return FALSE;
        }
    }
  *wire_provider = (guint8) provider;
  return TRUE;
}

/* Known before sending, from an earlier answer: the provider lacks the
 * operation. */
static gboolean
client_check_known_support (ParsecClient  *self,
                            guint8         provider,
                            guint32        opcode,
                            GError       **error)
{
  if (client_lookup_support (self, provider, opcode) == NOT_SUPPORTED)
    {
      g_propagate_error (error, not_supported_error (provider, opcode));
      return FALSE;
    }
  return TRUE;
}

ProtobufCMessage *
_parsec_client_call (ParsecClient            *self,
                     const ParsecOperation   *op,
                     guint                    provider,
                     const ProtobufCMessage  *operation,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  GError *call_error = NULL;
  ProtobufCMessage *result;
  guint8 wire_provider;

  if (!_parsec_client_discover (self, needs_of_call (op, provider), cancellable, error) ||
      !client_resolve_provider (self, provider, &wire_provider, error) ||
      !client_check_known_support (self, wire_provider, op->opcode, error))
    return NULL;

  result = client_exchange (self, op, wire_provider, operation, NULL, cancellable, &call_error);
  if (result == NULL && client_should_ask_support (self, wire_provider, op->opcode, call_error))
    {
      ListOpcodes__Operation list;
      g_autoptr(ProtobufCMessage) opcodes = NULL;

      _parsec_list_opcodes_operation_init (&list, wire_provider);
      opcodes = client_exchange (self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE, &list.base, NULL,
                                 cancellable, NULL);
      call_error = client_explain_not_supported (self, wire_provider, op->opcode, opcodes, call_error);
    }
  if (result == NULL)
    {
      client_add_hint (hint_of_call (op, operation), call_error);
      g_propagate_error (error, call_error);
    }
  return result;
}

typedef struct {
  ParsecClient *self;
  GTask *task;
  const ParsecOperation *op;
  ParsecCallDone done;
  guint provider;                /* as asked, maybe PARSEC_PROVIDER_IMPLICIT */
  guint8 wire_provider;
  GBytes *packed;                /* the body, while discovery runs */
  GError *error;                 /* a failure, while its explanation is asked */
  char *key_name;
  const ParsecHint *hint;
  gsize expected_length;
} CallData;

static void
call_data_free (CallData *data)
{
  g_clear_pointer (&data->packed, g_bytes_unref);
  g_clear_error (&data->error);
  g_free (data->key_name);
  g_free (data);
}

static void
call_data_fail (CallData *data,
                GError   *error)
{
  g_task_return_error (data->task, error);
  g_object_unref (data->task);
  call_data_free (data);
}

static void
call_opcodes_answered (GBytes   *body,
                       GError   *error,
                       gpointer  user_data)
{
  CallData *data = user_data;
  g_autoptr(ProtobufCMessage) result = NULL;

  if (error == NULL)
    result = client_decode_result (&_parsec_op_list_opcodes, body, 0, NULL);
  g_clear_error (&error);
  g_clear_pointer (&body, g_bytes_unref);
  call_data_fail (data, client_explain_not_supported (data->self, data->wire_provider, data->op->opcode,
                                                      result, g_steal_pointer (&data->error)));
}

static void
call_answered (GBytes   *body,
               GError   *error,
               gpointer  user_data)
{
  CallData *data = user_data;
  ProtobufCMessage *result = NULL;

  if (error == NULL)
    result = client_decode_result (data->op, body, data->expected_length, &error);
  g_clear_pointer (&body, g_bytes_unref);

  if (result == NULL && client_should_ask_support (data->self, data->wire_provider, data->op->opcode, error))
    {
      ListOpcodes__Operation list;
      g_autoptr(GBytes) request = NULL;
      ParsecTransportParams params;

      data->error = error;
      _parsec_list_opcodes_operation_init (&list, data->wire_provider);
      request = client_encode_request (data->self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE,
                                       &list.base, NULL, NULL);
      client_transport_params (data->self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE, NULL, &params);
      _parsec_transport_call_async (&params, request, g_task_get_context (data->task),
                                    g_task_get_cancellable (data->task), call_opcodes_answered, data);
      return;
    }
  if (result == NULL)
    {
      client_add_hint (data->hint, error);
      call_data_fail (data, error);
      return;
    }

  data->done (data->task, result);
  _parsec_message_free (result);
  call_data_free (data);
}

/* Sends the request: @operation, or the body packed before discovery. */
static void
call_send (CallData               *data,
           const ProtobufCMessage *operation)
{
  ParsecTransportParams params;
  g_autoptr(GBytes) request = NULL;
  GError *error = NULL;

  if (!client_resolve_provider (data->self, data->provider, &data->wire_provider, &error) ||
      !client_check_known_support (data->self, data->wire_provider, data->op->opcode, &error) ||
      (request = client_encode_request (data->self, data->op, data->wire_provider, operation,
                                        data->packed, &error)) == NULL)
    {
      call_data_fail (data, error);
      return;
    }
  g_clear_pointer (&data->packed, g_bytes_unref);

  client_transport_params (data->self, data->op, data->wire_provider, data->key_name, &params);
  _parsec_transport_call_async (&params, request, g_task_get_context (data->task),
                                g_task_get_cancellable (data->task), call_answered, data);
}

static void
call_discovered (gpointer  user_data,
                 GError   *error)
{
  CallData *data = user_data;

  if (error != NULL)
    call_data_fail (data, error);
  else
    call_send (data, NULL);
}

void
_parsec_client_call_async (ParsecClient           *self,
                           const ParsecOperation  *op,
                           guint                   provider,
                           const ProtobufCMessage *operation,
                           GTask                  *task,
                           ParsecCallDone          done)
{
  ParsecNeeds needs = needs_of_call (op, provider);
  GError *error = NULL;
  CallData *data;

  data = g_new0 (CallData, 1);
  data->self = g_task_get_source_object (task);
  data->task = task;
  data->op = op;
  data->done = done;
  data->provider = provider;
  data->key_name = g_strdup (operation_key_name (operation));
  data->hint = hint_of_call (op, operation);
  data->expected_length = expected_length_of_call (op, operation);

  if (client_missing (self, needs) == 0)
    {
      call_send (data, operation);
      return;
    }

  data->packed = client_pack_body (op, operation, &error);
  if (data->packed == NULL)
    {
      call_data_fail (data, error);
      return;
    }
  _parsec_client_discover_async (self, needs, task, call_discovered, data);
}

void
_parsec_client_start (ParsecClient           *self,
                      const ParsecOperation  *op,
                      gboolean                crypto,
                      const ProtobufCMessage *operation,
                      GError                 *build_error,
                      GCancellable           *cancellable,
                      GAsyncReadyCallback     callback,
                      gpointer                user_data,
                      gpointer                source_tag,
                      ParsecCallDone          done)
{
  GTask *task = _parsec_client_task_new (self, cancellable, callback, user_data, source_tag,
                                         _parsec_opcode_get_name (op->opcode));

  if (operation == NULL)
    {
      g_task_return_error (task, build_error);
      g_object_unref (task);
      return;
    }
  _parsec_client_call_async (self, op, crypto ? PARSEC_PROVIDER_IMPLICIT : PARSEC_PROVIDER_CORE,
                             operation, task, done);
}

ProtobufCMessage *
_parsec_client_run (ParsecClient            *self,
                    const ParsecOperation   *op,
                    gboolean                 crypto,
                    const ProtobufCMessage  *operation,
                    GError                  *build_error,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  if (operation == NULL)
    {
      g_propagate_error (error, build_error);
      return NULL;
    }
  return _parsec_client_call (self, op, crypto ? PARSEC_PROVIDER_IMPLICIT : PARSEC_PROVIDER_CORE,
                              operation, cancellable, error);
}

ProtobufCBinaryData
_parsec_binary_from_bytes (GBytes *bytes)
{
  ProtobufCBinaryData binary = { 0, NULL };

  if (bytes != NULL)
    binary.data = (guint8 *) g_bytes_get_data (bytes, &binary.len);
  return binary;
}

GBytes *
_parsec_result_bytes (ProtobufCMessage *result,
                      gboolean          secret)
{
  const ProtobufCBinaryData *binary = result_binary (result);

  if (secret)
    return secure_bytes_new (binary->data, binary->len);
  return g_bytes_new (binary->data, binary->len);
}

void
_parsec_call_done_boolean (GTask            *task,
                           ProtobufCMessage *result)
{
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
_parsec_call_done_bytes (GTask            *task,
                         ProtobufCMessage *result)
{
  g_task_return_pointer (task, _parsec_result_bytes (result, FALSE), (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

void
_parsec_call_done_secret (GTask            *task,
                          ProtobufCMessage *result)
{
  g_task_return_pointer (task, _parsec_result_bytes (result, TRUE), (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

/* For the synchronous calls: the bytes, with the result freed. */
GBytes *
_parsec_result_take_bytes (ProtobufCMessage *result,
                           gboolean          secret)
{
  GBytes *bytes;

  if (result == NULL)
    return NULL;
  bytes = _parsec_result_bytes (result, secret);
  _parsec_message_free (result);
  return bytes;
}

GTask *
_parsec_client_task_new (ParsecClient        *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data,
                         gpointer             source_tag,
                         const char          *name)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  return task;
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
    client_learn_provider (self, (guint) self->provider);
  if (self->auth_method != PARSEC_AUTH_METHOD_AUTO && !client_learn_auth (self, NULL, error))
    return FALSE;
  self->initialized = TRUE;
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

  task = _parsec_client_task_new (self, cancellable, callback, user_data,
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
 * #ParsecClient:implicit-provider and #ParsecClient:auth-type before its
 * first call. Finish with parsec_client_discover_finish().
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

  task = _parsec_client_task_new (self, cancellable, callback, user_data,
                                  parsec_client_discover_async, "[parsec-glib] discovery");
  _parsec_client_discover_async (self, PARSEC_NEEDS_PROVIDER | PARSEC_NEEDS_AUTH, task, discover_done, task);
}

/**
 * parsec_client_discover_finish:
 * @self: a #ParsecClient
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_client_discover_async().
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
 * calling thread. See parsec_client_discover_async().
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
 * parsec_client_new_finish(). Nothing is sent to the service yet: see
 * #ParsecClient for when the client asks for its providers and
 * authenticators.
 *
 * The application name matters only when the service authenticates
 * applications by name (direct authentication); the keys of each name are
 * kept apart. To set other properties, use g_async_initable_new_async().
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
 * Finishes parsec_client_new().
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
 * calling thread. See parsec_client_new().
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
parsec_client_dup_for_provider (ParsecClient *self,
                                guint         provider)
{
  ParsecClient *copy;

  g_return_val_if_fail (PARSEC_IS_CLIENT (self), NULL);
  g_return_val_if_fail (self->initialized, NULL);
  g_return_val_if_fail (provider <= G_MAXUINT8, NULL);

  copy = g_object_new (PARSEC_TYPE_CLIENT,
                       "endpoint", self->endpoint,
                       "auth-method", self->auth_method,
                       "timeout", self->timeout_ms,
                       "max-response-size", self->max_response_size,
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
 * Gets #ParsecClient:endpoint.
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
 * Gets #ParsecClient:application-name.
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
 * Gets #ParsecClient:auth-method.
 *
 * Returns: the configured authentication method, %PARSEC_AUTH_METHOD_AUTO
 *   when none was given; see parsec_client_get_auth_type() for the one
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
 * Gets #ParsecClient:auth-type.
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
 * Gets #ParsecClient:provider.
 *
 * Returns: the configured provider, %PARSEC_PROVIDER_AUTO when none was
 *   given; see parsec_client_get_implicit_provider() for the one in use
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
 * Gets #ParsecClient:implicit-provider.
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
 * Gets #ParsecClient:timeout.
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
 * Gets #ParsecClient:max-response-size.
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
 * parsec_client_get_trust_policy:
 * @self: a #ParsecClient
 *
 * Gets #ParsecClient:trust-policy.
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
 * Gets #ParsecClient:trusted-users.
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
 * Sets #ParsecClient:jwt-svid-token, the token sent from now on with
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
