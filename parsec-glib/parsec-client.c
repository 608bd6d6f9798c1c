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
 * with g_async_initable_new_async() to set properties. Initialisation
 * finds the service like the official Parsec clients do: it asks for the
 * providers and authenticators, without authentication, then picks the
 * first crypto provider as the implicit provider of crypto operations and
 * the first authenticator the client can serve.
 *
 * The endpoint comes, first match wins, from #ParsecClient:endpoint, the
 * `PARSEC_SERVICE_ENDPOINT` environment variable, the `endpoint` key of
 * the `community.parsec.glib` GSettings schema when it is installed, and
 * finally `unix:/run/parsec/parsec.sock`.
 *
 * Every operation opens its own connection, as the service expects, and
 * has one deadline (#ParsecClient:timeout) for connecting, sending and
 * receiving. Operations on keys go to the implicit provider; to name
 * another, make them on a client from parsec_client_dup_for_provider(). Asynchronous operations run on the thread-default main
 * context of the caller without helper threads. An initialised client
 * may be used from several threads at once.
 *
 * Since: 1.0
 */
struct _ParsecClient
{
  GObject parent_instance;

  /* Configuration, fixed once initialised */
  char *endpoint;
  char *application_name;
  ParsecAuthMethod auth_method;
  int provider;
  guint timeout_ms;
  guint max_response_size;
  ParsecTrustPolicy trust_policy;
  char **trusted_users;
  guint explicitly_set;          /* bit per PROP_ */

  /* Found at initialisation */
  gboolean initialized;
  GSocketAddress *address;
  guint implicit_provider;
  ParsecAuthType auth_type;
  GBytes *auth_data;             /* wiping; NULL for none and JWT-SVID */
  GArray *trusted_uids;          /* guint32 */

  GMutex token_lock;
  char *jwt_svid_token;          /* secure memory */

  /* The operations each provider lists, asked once per provider before
   * its first use, so that unsupported calls fail before sending. */
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
  PARSEC_OPCODE_LIST_PROVIDERS, FALSE, &list_providers__result__descriptor,
};
const ParsecOperation _parsec_op_list_authenticators = {
  PARSEC_OPCODE_LIST_AUTHENTICATORS, FALSE, &list_authenticators__result__descriptor,
};
const ParsecOperation _parsec_op_list_opcodes = {
  PARSEC_OPCODE_LIST_OPCODES, TRUE, &list_opcodes__result__descriptor,
};

static void
parsec_client_finalize (GObject *object)
{
  ParsecClient *self = PARSEC_CLIENT (object);

  g_free (self->endpoint);
  /* The application name is what direct authentication sends. */
  if (self->application_name != NULL)
    _parsec_secure_wipe (self->application_name, strlen (self->application_name));
  g_free (self->application_name);
  g_strfreev (self->trusted_users);
  g_clear_pointer (&self->trusted_uids, g_array_unref);
  g_clear_object (&self->address);
  g_clear_pointer (&self->auth_data, g_bytes_unref);
  g_clear_pointer (&self->jwt_svid_token, _parsec_secure_free);
  g_mutex_clear (&self->token_lock);
  g_mutex_clear (&self->opcodes_lock);

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
      g_value_set_enum (value, self->auth_type);
      break;
    case PROP_PROVIDER:
      g_value_set_int (value, self->provider);
      break;
    case PROP_IMPLICIT_PROVIDER:
      g_value_set_uint (value, self->implicit_provider);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout_ms);
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

  if (self->initialized && prop_id != PROP_JWT_SVID_TOKEN)
    {
      g_critical ("ParsecClient:%s cannot change once the client is initialised", pspec->name);
      return;
    }

  switch (prop_id)
    {
    case PROP_ENDPOINT:
      g_free (self->endpoint);
      self->endpoint = g_value_dup_string (value);
      break;
    case PROP_APPLICATION_NAME:
      g_free (self->application_name);
      self->application_name = g_value_dup_string (value);
      break;
    case PROP_AUTH_METHOD:
      self->auth_method = g_value_get_enum (value);
      break;
    case PROP_PROVIDER:
      self->provider = g_value_get_int (value);
      break;
    case PROP_TIMEOUT:
      self->timeout_ms = g_value_get_uint (value);
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
      return;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  /* These properties are not construct properties, so GObject never sets
   * them to their defaults: a set is the application's explicit choice,
   * which outranks the environment and GSettings. */
  self->explicitly_set |= 1u << prop_id;
}

static void
parsec_client_class_init (ParsecClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  /* Configuration is read at initialisation and fixed from then on. */
  const GParamFlags config_flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags found_flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = parsec_client_finalize;
  object_class->get_property = parsec_client_get_property;
  object_class->set_property = parsec_client_set_property;

  /**
   * ParsecClient:endpoint:
   *
   * The URI of the service's socket, `unix:/path` or `unix:///path`
   * (percent-encoding is decoded). %NULL at construction means: take
   * `PARSEC_SERVICE_ENDPOINT`, else the GSettings `endpoint` key, else
   * `unix:/run/parsec/parsec.sock`. After initialisation it holds the
   * endpoint in use.
   *
   * Since: 1.0
   */
  properties[PROP_ENDPOINT] =
    g_param_spec_string ("endpoint", NULL, NULL, NULL, config_flags);

  /**
   * ParsecClient:application-name:
   *
   * The name sent by direct authentication; the service keeps each name's
   * keys apart. When not set, the application id of the default
   * #GApplication is used, if there is one.
   *
   * Since: 1.0
   */
  properties[PROP_APPLICATION_NAME] =
    g_param_spec_string ("application-name", NULL, NULL, NULL, config_flags);

  /**
   * ParsecClient:auth-method:
   *
   * How requests are authenticated. With %PARSEC_AUTH_METHOD_AUTO the
   * client uses the first authenticator the service offers that it can
   * serve.
   *
   * Since: 1.0
   */
  properties[PROP_AUTH_METHOD] =
    g_param_spec_enum ("auth-method", NULL, NULL, PARSEC_TYPE_AUTH_METHOD,
                       PARSEC_AUTH_METHOD_AUTO, config_flags);

  /**
   * ParsecClient:auth-type:
   *
   * The authentication type in use, known once the client is initialised.
   *
   * Since: 1.0
   */
  properties[PROP_AUTH_TYPE] =
    g_param_spec_enum ("auth-type", NULL, NULL, PARSEC_TYPE_AUTH_TYPE,
                       PARSEC_AUTH_TYPE_NONE, found_flags);

  /**
   * ParsecClient:provider:
   *
   * The provider of crypto operations that do not name one: a
   * #ParsecProviderId, or %PARSEC_PROVIDER_AUTO (-1) for the first crypto
   * provider the service lists.
   *
   * Since: 1.0
   */
  properties[PROP_PROVIDER] =
    g_param_spec_int ("provider", NULL, NULL, PARSEC_PROVIDER_AUTO, G_MAXUINT8,
                      PARSEC_PROVIDER_AUTO, config_flags);

  /**
   * ParsecClient:implicit-provider:
   *
   * The provider used by crypto operations that do not name one, known
   * once the client is initialised. %PARSEC_PROVIDER_CORE means the
   * service hosts no crypto provider.
   *
   * Since: 1.0
   */
  properties[PROP_IMPLICIT_PROVIDER] =
    g_param_spec_uint ("implicit-provider", NULL, NULL, 0, G_MAXUINT8, 0, found_flags);

  /**
   * ParsecClient:timeout:
   *
   * The deadline of each call in milliseconds, covering connecting,
   * sending and receiving. 0 means no deadline, which leaves the
   * application at the mercy of a service that never answers. When not
   * set, the GSettings `timeout` key or 60000 is used.
   *
   * Since: 1.0
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL, 0, G_MAXUINT, DEFAULT_TIMEOUT_MS, config_flags);

  /**
   * ParsecClient:max-response-size:
   *
   * The largest response body the client accepts, in bytes; a larger one
   * is refused before any memory is allocated for it. When not set, the
   * GSettings `max-response-size` key or 1 MiB is used.
   *
   * Since: 1.0
   */
  properties[PROP_MAX_RESPONSE_SIZE] =
    g_param_spec_uint ("max-response-size", NULL, NULL, 0, G_MAXUINT32,
                       DEFAULT_MAX_RESPONSE_SIZE, config_flags);

  /**
   * ParsecClient:jwt-svid-token:
   *
   * The JWT-SVID token sent with JWT-SVID authentication. It may be
   * replaced at any time, for example before it expires; it cannot be
   * read back.
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
   * genuine service (see #ParsecTrustPolicy). When not set, the GSettings
   * `trust-policy` key or %PARSEC_TRUST_POLICY_OFF is used.
   *
   * Socket activation and containers move the socket and the service's
   * user: list the users that may own the socket, its directories and
   * the service process in #ParsecClient:trusted-users.
   *
   * Since: 1.0
   */
  properties[PROP_TRUST_POLICY] =
    g_param_spec_enum ("trust-policy", NULL, NULL, PARSEC_TYPE_TRUST_POLICY,
                       PARSEC_TRUST_POLICY_OFF, config_flags);

  /**
   * ParsecClient:trusted-users:
   *
   * The users, by name or decimal id, trusted to own the socket and the
   * directories on its path and to run the service. %NULL means root and
   * the `parsec` user when it exists, or the GSettings `trusted-users` key
   * when it is set.
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
  self->timeout_ms = DEFAULT_TIMEOUT_MS;
  self->max_response_size = DEFAULT_MAX_RESPONSE_SIZE;
  g_mutex_init (&self->token_lock);
  g_mutex_init (&self->opcodes_lock);
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
is_set (ParsecClient *self,
        guint         prop_id)
{
  return (self->explicitly_set & (1u << prop_id)) != 0;
}

static gboolean
client_configure (ParsecClient  *self,
                  GError       **error)
{
  g_autoptr(GSettings) settings = lookup_settings ();
  g_autofree char *path = NULL;

  if (!is_set (self, PROP_ENDPOINT) || self->endpoint == NULL)
    {
      const char *env = g_getenv (PARSEC_ENDPOINT_ENV);
      g_autofree char *configured = NULL;

      if (settings != NULL)
        configured = g_settings_get_string (settings, "endpoint");

      g_free (self->endpoint);
      if (env != NULL && *env != '\0')
        self->endpoint = g_strdup (env);
      else if (configured != NULL && *configured != '\0')
        self->endpoint = g_steal_pointer (&configured);
      else
        self->endpoint = g_strdup (PARSEC_DEFAULT_ENDPOINT);
    }

  if (settings != NULL)
    {
      if (!is_set (self, PROP_TIMEOUT))
        self->timeout_ms = g_settings_get_uint (settings, "timeout");
      if (!is_set (self, PROP_MAX_RESPONSE_SIZE))
        self->max_response_size = g_settings_get_uint (settings, "max-response-size");
      if (!is_set (self, PROP_TRUST_POLICY))
        {
          g_autofree char *policy = g_settings_get_string (settings, "trust-policy");

          if (g_str_equal (policy, "enforce"))
            self->trust_policy = PARSEC_TRUST_POLICY_ENFORCE;
          else if (g_str_equal (policy, "warn"))
            self->trust_policy = PARSEC_TRUST_POLICY_WARN;
          else
            self->trust_policy = PARSEC_TRUST_POLICY_OFF;
        }
      if (!is_set (self, PROP_TRUSTED_USERS))
        {
          g_auto(GStrv) users = g_settings_get_strv (settings, "trusted-users");

          if (users[0] != NULL)
            {
              g_strfreev (self->trusted_users);
              self->trusted_users = g_steal_pointer (&users);
            }
        }
    }

  g_clear_pointer (&self->trusted_uids, g_array_unref);
  self->trusted_uids = _parsec_endpoint_resolve_users ((const char * const *) self->trusted_users, error);
  if (self->trusted_uids == NULL)
    return FALSE;

  if (self->application_name == NULL)
    {
      GApplication *app = g_application_get_default ();

      if (app != NULL && g_application_get_application_id (app) != NULL)
        self->application_name = g_strdup (g_application_get_application_id (app));
    }

  path = _parsec_endpoint_parse (self->endpoint, error);
  if (path == NULL)
    return FALSE;
  g_clear_object (&self->address);
  self->address = g_unix_socket_address_new (path);
  return TRUE;
}

/* Authentication */

static gboolean
client_use_auth_type (ParsecClient    *self,
                      ParsecAuthType   type,
                      GError         **error)
{
  g_clear_pointer (&self->auth_data, g_bytes_unref);

  switch (type)
    {
    case PARSEC_AUTH_TYPE_NONE:
    case PARSEC_AUTH_TYPE_JWT_SVID:
      break;

    case PARSEC_AUTH_TYPE_DIRECT:
      if (self->application_name == NULL || *self->application_name == '\0')
        {
          g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_NO_APPLICATION_NAME,
                               "The Parsec service authenticates applications by name, and this one has none: "
                               "set ParsecClient:application-name, or give the default GApplication an application id");
          return FALSE;
        }
      self->auth_data = _parsec_secure_bytes_new (self->application_name,
                                                  strlen (self->application_name));
      break;

    case PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS:
      {
        /* The service compares with SO_PEERCRED, which holds the
         * effective user id. */
        guint32 uid = (guint32) geteuid ();
        guint8 le[4] = { uid & 0xff, (uid >> 8) & 0xff, (uid >> 16) & 0xff, uid >> 24 };

        self->auth_data = _parsec_secure_bytes_new (le, sizeof le);
      }
      break;

    case PARSEC_AUTH_TYPE_JWT:
    default:
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_USABLE_AUTHENTICATOR,
                   "parsec-glib cannot authenticate with authentication type %u", type);
      return FALSE;
    }

  self->auth_type = type;
  return TRUE;
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

static gboolean
client_choose_auth (ParsecClient  *self,
                    GPtrArray     *authenticators,
                    GError       **error)
{
  g_autoptr(GString) offered = NULL;

  switch (self->auth_method)
    {
    case PARSEC_AUTH_METHOD_NONE:
      return client_use_auth_type (self, PARSEC_AUTH_TYPE_NONE, error);
    case PARSEC_AUTH_METHOD_DIRECT:
      return client_use_auth_type (self, PARSEC_AUTH_TYPE_DIRECT, error);
    case PARSEC_AUTH_METHOD_UNIX_PEER_CREDENTIALS:
      return client_use_auth_type (self, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS, error);
    case PARSEC_AUTH_METHOD_JWT_SVID:
      return client_use_auth_type (self, PARSEC_AUTH_TYPE_JWT_SVID, error);
    case PARSEC_AUTH_METHOD_AUTO:
    default:
      break;
    }

  /* A service without authenticators accepts only requests without
   * authentication; there is nothing to pick. */
  if (authenticators->len == 0)
    return client_use_auth_type (self, PARSEC_AUTH_TYPE_NONE, error);

  offered = g_string_new (NULL);
  for (guint i = 0; i < authenticators->len; i++)
    {
      ParsecAuthenticatorInfo *info = g_ptr_array_index (authenticators, i);
      guint id = parsec_authenticator_info_get_id (info);

      if (client_can_serve (self, id))
        return client_use_auth_type (self, id, error);
      g_string_append_printf (offered, "%s%u", i > 0 ? ", " : "", id);
    }

  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_USABLE_AUTHENTICATOR,
               "The Parsec service offers no authenticator this client can serve (authentication types offered: %s; "
               "JWT-SVID needs ParsecClient:jwt-svid-token)", offered->str);
  return FALSE;
}

static void
client_choose_provider (ParsecClient *self,
                        GPtrArray    *providers)
{
  /* The service lists its crypto providers in its configured order, the
   * core provider last; the first crypto provider is the default. */
  self->implicit_provider = PARSEC_PROVIDER_CORE;
  for (guint i = 0; i < providers->len; i++)
    {
      guint id = parsec_provider_info_get_id (g_ptr_array_index (providers, i));

      if (id != PARSEC_PROVIDER_CORE && id <= G_MAXUINT8)
        {
          self->implicit_provider = id;
          return;
        }
    }
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

static GBytes *
client_encode_request (ParsecClient            *self,
                       const ParsecOperation   *op,
                       guint8                   provider,
                       const ProtobufCMessage  *operation,
                       GError                 **error)
{
  ParsecWireHeader header;
  gsize body_len = operation != NULL ? protobuf_c_message_get_packed_size (operation) : 0;
  const guint8 *auth = NULL;
  gsize auth_len = 0;
  guint8 auth_type = PARSEC_AUTH_TYPE_NONE;
  char *token_copy = NULL;
  guint8 *buffer;

  if (op->authenticated)
    {
      auth_type = self->auth_type;
      if (self->auth_type == PARSEC_AUTH_TYPE_JWT_SVID)
        {
          g_mutex_lock (&self->token_lock);
          if (self->jwt_svid_token != NULL)
            {
              auth_len = strlen (self->jwt_svid_token);
              token_copy = _parsec_secure_alloc (auth_len);
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

  if (body_len > PARSEC_WIRE_SERVICE_BODY_LIMIT)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_REQUEST_TOO_LARGE,
                   "The %s request body would be %" G_GSIZE_FORMAT " bytes; the service accepts at most %u",
                   _parsec_opcode_get_name (op->opcode), body_len, PARSEC_WIRE_SERVICE_BODY_LIMIT);
      _parsec_secure_free (token_copy);
      return NULL;
    }
  if (auth_len > PARSEC_WIRE_AUTH_MAX)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_REQUEST_TOO_LARGE,
                   "The authentication data is %" G_GSIZE_FORMAT " bytes; the wire protocol allows at most %u",
                   auth_len, PARSEC_WIRE_AUTH_MAX);
      _parsec_secure_free (token_copy);
      return NULL;
    }

  buffer = _parsec_secure_alloc (PARSEC_WIRE_HEADER_LEN + body_len + auth_len);
  _parsec_wire_header_init_request (&header, provider, op->opcode, auth_type,
                                    (guint32) body_len, (guint16) auth_len);
  _parsec_wire_header_encode (&header, buffer);
  if (operation != NULL)
    protobuf_c_message_pack (operation, buffer + PARSEC_WIRE_HEADER_LEN);
  if (auth_len > 0)
    memcpy (buffer + PARSEC_WIRE_HEADER_LEN + body_len, auth, auth_len);
  _parsec_secure_free (token_copy);

  return _parsec_secure_bytes_new_take (buffer, PARSEC_WIRE_HEADER_LEN + body_len + auth_len);
}

static ProtobufCMessage *
client_decode_result (const ParsecOperation  *op,
                      GBytes                 *body,
                      GError                **error)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (body, &len);
  ProtobufCMessage *result;

  result = protobuf_c_message_unpack (op->result_type, &_parsec_secure_protobuf_allocator, len, data);
  if (result == NULL)
    g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                 "The Parsec service's response to %s could not be decoded",
                 _parsec_opcode_get_name (op->opcode));
  return result;
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

void
_parsec_list_opcodes_operation_init (ListOpcodes__Operation *operation,
                                     guint8                  provider)
{
  list_opcodes__operation__init (operation);
  operation->provider_id = provider;
}

/* The request itself, without the support check. */
static ProtobufCMessage *
client_exchange (ParsecClient           *self,
                 const ParsecOperation  *op,
                 guint8                  provider,
                 const char             *key_name,
                 GBytes                 *request,
                 GCancellable           *cancellable,
                 GError                **error)
{
  g_autoptr(GBytes) body = NULL;
  ParsecTransportParams params;

  client_transport_params (self, op, provider, key_name, &params);
  body = _parsec_transport_call (&params, request, cancellable, error);
  if (body == NULL)
    return NULL;
  return client_decode_result (op, body, error);
}

static gboolean
client_check_support (ParsecClient  *self,
                      guint8         provider,
                      guint32        opcode,
                      GCancellable  *cancellable,
                      GError       **error)
{
  Support support = client_lookup_support (self, provider, opcode);

  if (support == SUPPORT_UNKNOWN)
    {
      ListOpcodes__Operation list;
      g_autoptr(GBytes) request = NULL;
      g_autoptr(ProtobufCMessage) result = NULL;

      _parsec_list_opcodes_operation_init (&list, provider);
      request = client_encode_request (self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE,
                                       &list.base, error);
      if (request == NULL)
        return FALSE;
      result = client_exchange (self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE, NULL, request,
                                cancellable, error);
      if (result == NULL)
        return FALSE;
      client_store_support (self, provider, result);
      support = client_lookup_support (self, provider, opcode);
    }

  if (support == NOT_SUPPORTED)
    {
      g_propagate_error (error, not_supported_error (provider, opcode));
      return FALSE;
    }
  return TRUE;
}

ProtobufCMessage *
_parsec_client_call (ParsecClient            *self,
                     const ParsecOperation   *op,
                     guint8                   provider,
                     const ProtobufCMessage  *operation,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  g_autoptr(GBytes) request = NULL;

  request = client_encode_request (self, op, provider, operation, error);
  if (request == NULL)
    return NULL;
  if (!client_check_support (self, provider, op->opcode, cancellable, error))
    return NULL;
  return client_exchange (self, op, provider, operation_key_name (operation), request, cancellable, error);
}

typedef struct {
  ParsecClient *self;
  GTask *task;
  const ParsecOperation *op;
  ParsecCallDone done;
  GBytes *request;
  guint8 provider;
  char *key_name;
} CallData;

static void
call_data_free (CallData *data)
{
  g_bytes_unref (data->request);
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
call_transport_done (GBytes   *body,
                     GError   *error,
                     gpointer  user_data)
{
  CallData *data = user_data;
  ProtobufCMessage *result = NULL;

  if (error == NULL)
    result = client_decode_result (data->op, body, &error);
  g_clear_pointer (&body, g_bytes_unref);

  if (result == NULL)
    {
      call_data_fail (data, error);
      return;
    }

  data->done (data->task, result);
  _parsec_message_free (result);
  call_data_free (data);
}

static void
call_send (CallData *data)
{
  ParsecTransportParams params;

  client_transport_params (data->self, data->op, data->provider, data->key_name, &params);
  _parsec_transport_call_async (&params, data->request, g_task_get_context (data->task),
                                g_task_get_cancellable (data->task), call_transport_done, data);
}

static void
call_opcodes_done (GBytes   *body,
                   GError   *error,
                   gpointer  user_data)
{
  CallData *data = user_data;
  g_autoptr(ProtobufCMessage) result = NULL;

  if (error == NULL)
    result = client_decode_result (&_parsec_op_list_opcodes, body, &error);
  g_clear_pointer (&body, g_bytes_unref);
  if (result == NULL)
    {
      call_data_fail (data, error);
      return;
    }

  client_store_support (data->self, data->provider, result);
  if (client_lookup_support (data->self, data->provider, data->op->opcode) == NOT_SUPPORTED)
    call_data_fail (data, not_supported_error (data->provider, data->op->opcode));
  else
    call_send (data);
}

void
_parsec_client_call_async (ParsecClient           *self,
                           const ParsecOperation  *op,
                           guint8                  provider,
                           const ProtobufCMessage *operation,
                           GTask                  *task,
                           ParsecCallDone          done)
{
  GError *error = NULL;
  CallData *data;
  GBytes *request;

  request = client_encode_request (self, op, provider, operation, &error);
  if (request == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  data = g_new (CallData, 1);
  data->self = g_task_get_source_object (task);
  data->task = task;
  data->op = op;
  data->done = done;
  data->request = request;
  data->provider = provider;
  data->key_name = g_strdup (operation_key_name (operation));

  switch (client_lookup_support (self, provider, op->opcode))
    {
    case SUPPORTED:
      call_send (data);
      break;
    case NOT_SUPPORTED:
      call_data_fail (data, not_supported_error (provider, op->opcode));
      break;
    case SUPPORT_UNKNOWN:
    default:
      {
        ListOpcodes__Operation list;
        g_autoptr(GBytes) list_request = NULL;
        ParsecTransportParams params;

        _parsec_list_opcodes_operation_init (&list, provider);
        list_request = client_encode_request (self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE,
                                              &list.base, &error);
        if (list_request == NULL)
          {
            call_data_fail (data, error);
            break;
          }
        client_transport_params (self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE, NULL, &params);
        _parsec_transport_call_async (&params, list_request, g_task_get_context (task),
                                      g_task_get_cancellable (task), call_opcodes_done, data);
      }
      break;
    }
}

gboolean
_parsec_client_crypto_provider (ParsecClient  *self,
                                guint8        *provider,
                                GError       **error)
{
  if (self->implicit_provider == PARSEC_PROVIDER_CORE)
    {
      g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_NO_CRYPTO_PROVIDER,
                           "The Parsec service hosts no crypto provider for keys and cryptographic operations");
      return FALSE;
    }
  *provider = (guint8) self->implicit_provider;
  return TRUE;
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
  guint8 provider = PARSEC_PROVIDER_CORE;

  if (operation == NULL || (crypto && !_parsec_client_crypto_provider (self, &provider, &build_error)))
    {
      g_task_return_error (task, build_error);
      g_object_unref (task);
      return;
    }
  _parsec_client_call_async (self, op, provider, operation, task, done);
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
  guint8 provider = PARSEC_PROVIDER_CORE;

  if (operation == NULL || (crypto && !_parsec_client_crypto_provider (self, &provider, &build_error)))
    {
      g_propagate_error (error, build_error);
      return NULL;
    }
  return _parsec_client_call (self, op, provider, operation, cancellable, error);
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
  const ProtobufCFieldDescriptor *field =
    protobuf_c_message_descriptor_get_field (result->descriptor, 1);
  const ProtobufCBinaryData *binary;

  g_assert (field != NULL && field->type == PROTOBUF_C_TYPE_BYTES);
  binary = &G_STRUCT_MEMBER (ProtobufCBinaryData, result, field->offset);
  if (secret)
    return _parsec_secure_bytes_new (binary->data, binary->len);
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

/* Initialisation */

static gboolean
client_needs_providers (ParsecClient *self)
{
  return self->provider == PARSEC_PROVIDER_AUTO;
}

static gboolean
client_needs_authenticators (ParsecClient *self)
{
  return self->auth_method == PARSEC_AUTH_METHOD_AUTO;
}

static gboolean
parsec_client_initable_init (GInitable     *initable,
                             GCancellable  *cancellable,
                             GError       **error)
{
  ParsecClient *self = PARSEC_CLIENT (initable);
  g_autoptr(GPtrArray) authenticators = NULL;

  if (self->initialized)
    return TRUE;

  if (!client_configure (self, error))
    return FALSE;

  if (client_needs_providers (self))
    {
      g_autoptr(ProtobufCMessage) result = NULL;
      g_autoptr(GPtrArray) providers = NULL;

      result = _parsec_client_call (self, &_parsec_op_list_providers, PARSEC_PROVIDER_CORE,
                                    NULL, cancellable, error);
      if (result == NULL)
        return FALSE;
      providers = _parsec_providers_from_result (result);
      client_choose_provider (self, providers);
    }
  else
    self->implicit_provider = (guint) self->provider;

  if (client_needs_authenticators (self))
    {
      g_autoptr(ProtobufCMessage) result = NULL;

      result = _parsec_client_call (self, &_parsec_op_list_authenticators, PARSEC_PROVIDER_CORE,
                                    NULL, cancellable, error);
      if (result == NULL)
        return FALSE;
      authenticators = _parsec_authenticators_from_result (result);
    }
  else
    authenticators = g_ptr_array_new ();

  if (!client_choose_auth (self, authenticators, error))
    return FALSE;

  self->initialized = TRUE;
  return TRUE;
}

static void
parsec_client_initable_iface_init (GInitableIface *iface)
{
  iface->init = parsec_client_initable_init;
}

static void
init_finish_with_authenticators (GTask     *task,
                                 GPtrArray *authenticators)
{
  ParsecClient *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (client_choose_auth (self, authenticators, &error))
    {
      self->initialized = TRUE;
      g_task_return_boolean (task, TRUE);
    }
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
init_got_authenticators (GTask            *task,
                         ProtobufCMessage *result)
{
  g_autoptr(GPtrArray) authenticators = _parsec_authenticators_from_result (result);

  init_finish_with_authenticators (task, authenticators);
}

static void
init_continue_with_authenticators (GTask *task)
{
  ParsecClient *self = g_task_get_source_object (task);

  if (client_needs_authenticators (self))
    {
      _parsec_client_call_async (self, &_parsec_op_list_authenticators, PARSEC_PROVIDER_CORE,
                                 NULL, task, init_got_authenticators);
    }
  else
    {
      g_autoptr(GPtrArray) none = g_ptr_array_new ();

      init_finish_with_authenticators (task, none);
    }
}

static void
init_got_providers (GTask            *task,
                    ProtobufCMessage *result)
{
  g_autoptr(GPtrArray) providers = _parsec_providers_from_result (result);

  client_choose_provider (g_task_get_source_object (task), providers);
  init_continue_with_authenticators (task);
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
  GError *error = NULL;

  task = _parsec_client_task_new (self, cancellable, callback, user_data,
                                  parsec_client_init_async, "[parsec-glib] client initialisation");
  g_task_set_priority (task, io_priority);

  if (self->initialized)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }

  if (!client_configure (self, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (client_needs_providers (self))
    _parsec_client_call_async (self, &_parsec_op_list_providers, PARSEC_PROVIDER_CORE,
                               NULL, task, init_got_providers);
  else
    {
      self->implicit_provider = (guint) self->provider;
      init_continue_with_authenticators (task);
    }
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

/**
 * parsec_client_new:
 * @application_name: (nullable): the name direct authentication sends, or
 *   %NULL for the default #GApplication's id
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the client is ready
 * @user_data: data for @callback
 *
 * Creates a client for the configured Parsec service and finds its
 * providers and authenticators. Finish with parsec_client_new_finish().
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
 * Creates a client for the configured Parsec service and finds its
 * providers and authenticators, blocking the calling thread. See
 * parsec_client_new().
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
 * @provider: a provider of the service, a #ParsecProviderId
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
                       "application-name", self->application_name,
                       "auth-method", self->auth_method,
                       "provider", (int) provider,
                       "timeout", self->timeout_ms,
                       "max-response-size", self->max_response_size,
                       "trust-policy", self->trust_policy,
                       "trusted-users", self->trusted_users,
                       NULL);
  copy->address = g_object_ref (self->address);
  copy->trusted_uids = g_array_ref (self->trusted_uids);
  copy->implicit_provider = provider;
  copy->auth_type = self->auth_type;
  copy->auth_data = self->auth_data != NULL ? g_bytes_ref (self->auth_data) : NULL;

  g_mutex_lock (&self->token_lock);
  if (self->jwt_svid_token != NULL)
    {
      gsize len = strlen (self->jwt_svid_token) + 1;

      copy->jwt_svid_token = _parsec_secure_alloc (len);
      memcpy (copy->jwt_svid_token, self->jwt_svid_token, len);
    }
  g_mutex_unlock (&self->token_lock);

  g_mutex_lock (&self->opcodes_lock);
  memcpy (copy->opcodes_known, self->opcodes_known, sizeof copy->opcodes_known);
  memcpy (copy->opcodes, self->opcodes, sizeof copy->opcodes);
  g_mutex_unlock (&self->opcodes_lock);

  copy->initialized = TRUE;
  return copy;
}

/* Accessors */

/**
 * parsec_client_get_endpoint:
 * @self: a #ParsecClient
 *
 * Gets #ParsecClient:endpoint.
 *
 * Returns: (nullable): the endpoint URI, resolved once the client is
 *   initialised
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
 * Returns: (nullable): the application name
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
 * Returns: the configured authentication method
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
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), PARSEC_AUTH_TYPE_NONE);
  return self->auth_type;
}

/**
 * parsec_client_get_provider:
 * @self: a #ParsecClient
 *
 * Gets #ParsecClient:provider.
 *
 * Returns: the configured provider, or %PARSEC_PROVIDER_AUTO
 *
 * Since: 1.0
 */
int
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
 * Returns: the provider of crypto operations that do not name one
 *
 * Since: 1.0
 */
guint
parsec_client_get_implicit_provider (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), 0);
  return self->implicit_provider;
}

/**
 * parsec_client_get_timeout:
 * @self: a #ParsecClient
 *
 * Gets #ParsecClient:timeout.
 *
 * Returns: the deadline of each call in milliseconds, 0 for none
 *
 * Since: 1.0
 */
guint
parsec_client_get_timeout (ParsecClient *self)
{
  g_return_val_if_fail (PARSEC_IS_CLIENT (self), 0);
  return self->timeout_ms;
}

/**
 * parsec_client_get_max_response_size:
 * @self: a #ParsecClient
 *
 * Gets #ParsecClient:max-response-size.
 *
 * Returns: the largest response body accepted, in bytes
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
  char *copy = NULL;
  char *old;

  g_return_if_fail (PARSEC_IS_CLIENT (self));

  if (token != NULL)
    {
      gsize len = strlen (token) + 1;

      copy = _parsec_secure_alloc (len);
      memcpy (copy, token, len);
    }

  g_mutex_lock (&self->token_lock);
  old = self->jwt_svid_token;
  self->jwt_svid_token = copy;
  g_mutex_unlock (&self->token_lock);

  _parsec_secure_free (old);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_JWT_SVID_TOKEN]);
}
