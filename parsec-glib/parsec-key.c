/* parsec-key.c: a key held by the Parsec service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-keys-private.h"
#include "parsec-operations-private.h"
#include "parsec-psa-private.h"
#include "parsec-x509-private.h"

/**
 * ParsecKey:
 *
 * A key held by the Parsec service, in the namespace of the application.
 *
 * Get one from parsec_client_generate_key(), parsec_client_import_key(),
 * parsec_client_lookup_key() or parsec_client_list_keys(). A key knows
 * its client, its name, the provider that holds it and its attributes,
 * read once when the key object was made; operations whose algorithm is
 * %NULL use the algorithm the key's policy permits, so a signature over
 * data costs one request.
 *
 * If the key is destroyed and made again under the same name with another
 * policy, the object keeps the old attributes: refusals of an algorithm
 * taken from them say so, and a new lookup gets the new ones.
 *
 * An application that knows a key's name and algorithms can also make the
 * object itself with g_object_new() and no #ParsecKey:attributes; then
 * every operation needs an explicit algorithm.
 *
 * Since: 1.0
 */
struct _ParsecKey
{
  GObject parent_instance;

  ParsecClient *client;
  char *name;
  ParsecProvider provider;
  ParsecKeyAttributes *attributes;   /* NULL when not known */
};

G_DEFINE_FINAL_TYPE (ParsecKey, parsec_key, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_NAME,
  PROP_PROVIDER,
  PROP_ATTRIBUTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
parsec_key_finalize (GObject *object)
{
  ParsecKey *self = PARSEC_KEY (object);

  g_clear_object (&self->client);
  g_free (self->name);
  g_clear_pointer (&self->attributes, parsec_key_attributes_unref);

  G_OBJECT_CLASS (parsec_key_parent_class)->finalize (object);
}

static void
parsec_key_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  ParsecKey *self = PARSEC_KEY (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PROVIDER:
      g_value_set_enum (value, self->provider);
      break;
    case PROP_ATTRIBUTES:
      g_value_set_boxed (value, self->attributes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_key_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  ParsecKey *self = PARSEC_KEY (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_NAME:
      self->name = g_value_dup_string (value);
      break;
    case PROP_PROVIDER:
      self->provider = g_value_get_enum (value);
      break;
    case PROP_ATTRIBUTES:
      self->attributes = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_key_constructed (GObject *object)
{
  ParsecKey *self = PARSEC_KEY (object);

  G_OBJECT_CLASS (parsec_key_parent_class)->constructed (object);

  /* A key object is made for a client and a name; without them every
   * method would fail later, far from the mistake. */
  g_return_if_fail (PARSEC_IS_CLIENT (self->client));
  g_return_if_fail (self->name != NULL && g_utf8_validate (self->name, -1, NULL));
}

static void
parsec_key_class_init (ParsecKeyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                            G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = parsec_key_finalize;
  object_class->get_property = parsec_key_get_property;
  object_class->set_property = parsec_key_set_property;
  object_class->constructed = parsec_key_constructed;

  /**
   * ParsecKey:client:
   *
   * The client whose connection and authentication the key's operations
   * use.
   *
   * Since: 1.0
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, PARSEC_TYPE_CLIENT, flags);

  /**
   * ParsecKey:name:
   *
   * The key's name in the application's namespace.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL, flags);

  /**
   * ParsecKey:provider:
   *
   * The provider that holds the key, or %PARSEC_PROVIDER_AUTO for the
   * client's implicit provider.
   *
   * Since: 1.0
   */
  properties[PROP_PROVIDER] =
    g_param_spec_enum ("provider", NULL, NULL, PARSEC_TYPE_PROVIDER, PARSEC_PROVIDER_AUTO, flags);

  /**
   * ParsecKey:attributes:
   *
   * The key's type, size, usage and policy as the service reported them
   * when the object was made, or %NULL when they are not known.
   *
   * Since: 1.0
   */
  properties[PROP_ATTRIBUTES] =
    g_param_spec_boxed ("attributes", NULL, NULL, PARSEC_TYPE_KEY_ATTRIBUTES, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
parsec_key_init (ParsecKey *self)
{
  self->provider = PARSEC_PROVIDER_AUTO;
}

ParsecKey *
_parsec_key_new (ParsecClient        *client,
                 const char          *name,
                 ParsecProvider       provider,
                 ParsecKeyAttributes *attributes)
{
  ParsecKey *key = g_object_new (PARSEC_TYPE_KEY,
                                 "client", client,
                                 "name", name,
                                 "attributes", attributes,
                                 NULL);

  /* Set here, not through the enum property: a service may hold keys in
   * a provider this version does not name, and its id is kept. */
  key->provider = provider;
  return key;
}

/**
 * parsec_key_get_client:
 * @self: a #ParsecKey
 *
 * Gets #ParsecKey:client.
 *
 * Returns: (transfer none): the client
 *
 * Since: 1.0
 */
ParsecClient *
parsec_key_get_client (ParsecKey *self)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);

  return self->client;
}

/**
 * parsec_key_get_name:
 * @self: a #ParsecKey
 *
 * Gets #ParsecKey:name.
 *
 * Returns: the key's name
 *
 * Since: 1.0
 */
const char *
parsec_key_get_name (ParsecKey *self)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);

  return self->name;
}

/**
 * parsec_key_get_provider:
 * @self: a #ParsecKey
 *
 * Gets #ParsecKey:provider.
 *
 * Returns: the provider that holds the key, or %PARSEC_PROVIDER_AUTO
 *
 * Since: 1.0
 */
ParsecProvider
parsec_key_get_provider (ParsecKey *self)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), PARSEC_PROVIDER_AUTO);

  return self->provider;
}

/**
 * parsec_key_get_attributes:
 * @self: a #ParsecKey
 *
 * Gets #ParsecKey:attributes.
 *
 * Returns: (transfer none) (nullable): the key's attributes, or %NULL
 *   when they are not known
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_get_attributes (ParsecKey *self)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);

  return self->attributes;
}

/* Where the key's operations go. */
static void
key_target (ParsecKey       *self,
            ParsecCallFlags  flags,
            gpointer         source_tag,
            ParsecTarget    *target)
{
  target->client = self->client;
  target->source_object = self;
  target->provider = self->provider == PARSEC_PROVIDER_AUTO ? PARSEC_PROVIDER_IMPLICIT : (guint) self->provider;
  target->source_tag = source_tag;
  target->flags = flags;
}

static gboolean
key_policy_known (ParsecKey  *self,
                  GError    **error)
{
  if (self->attributes != NULL)
    return TRUE;
  g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
               _("The policy of key \"%s\" is not known to this key object: pass an algorithm, or get the "
                 "key from parsec_client_lookup_key()"), self->name);
  return FALSE;
}

/* The hash a digest of this length comes from, for policies that permit
 * any hash. */
static ParsecHash
hash_of_digest (GBytes *digest)
{
  switch (digest != NULL ? g_bytes_get_size (digest) : 0)
    {
    case 20:
      return PARSEC_HASH_SHA_1;
    case 28:
      return PARSEC_HASH_SHA_224;
    case 32:
      return PARSEC_HASH_SHA_256;
    case 48:
      return PARSEC_HASH_SHA_384;
    case 64:
      return PARSEC_HASH_SHA_512;
    default:
      return PARSEC_HASH_NONE;
    }
}

/* The algorithm of an operation of @kind: @algorithm, or the one the
 * key's policy permits. For a signature policy that permits any hash, the
 * hash follows the length of @digest. */
static ParsecAlgorithm *
key_algorithm (ParsecKey            *self,
               ParsecAlgorithm      *algorithm,
               ParsecAlgorithmKind   kind,
               GBytes               *digest,
               GError              **error)
{
  ParsecAlgorithm *policy;

  if (algorithm != NULL)
    return parsec_algorithm_ref (algorithm);
  if (!key_policy_known (self, error))
    return NULL;

  policy = parsec_key_attributes_get_algorithm (self->attributes);
  if (parsec_algorithm_get_kind (policy) != kind ||
      (kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE && parsec_algorithm_get_signature_scheme (policy) == 0))
    {
      g_autofree char *text = parsec_algorithm_to_string (policy);

      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("The policy of key \"%s\" (%s) does not permit this operation"), self->name, text);
      return NULL;
    }
  if (kind == PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE && parsec_algorithm_get_hash (policy) == PARSEC_HASH_ANY &&
      _parsec_algorithm_get_variant (policy) != PARSEC_SIGNATURE_SCHEME_ECDSA_ANY)
    {
      ParsecHash hash = digest != NULL ? hash_of_digest (digest) : PARSEC_HASH_SHA_256;

      if (hash == PARSEC_HASH_NONE)
        {
          g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                       _("Key \"%s\" permits any hash and a hash of %zu bytes names none: pass an algorithm"), self->name, g_bytes_get_size (digest));
          return NULL;
        }
      return _parsec_algorithm_new (PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE,
                                    _parsec_algorithm_get_variant (policy), hash, 0, NULL);
    }
  return parsec_algorithm_ref (policy);
}

/* The algorithm and target of an operation of @kind; see key_algorithm(). */
static gboolean
key_prepare (ParsecKey            *self,
             ParsecAlgorithm      *algorithm,
             ParsecAlgorithmKind   kind,
             GBytes               *digest,
             ParsecAlgorithm     **chosen,
             ParsecTarget         *target,
             GError              **error)
{
  *chosen = key_algorithm (self, algorithm, kind, digest, error);
  if (*chosen == NULL)
    return FALSE;
  key_target (self, algorithm == NULL ? PARSEC_CALL_POLICY_HINT : 0, NULL, target);
  return TRUE;
}

/* As key_prepare(), reporting a failure to @callback. */
static gboolean
key_prepare_async (ParsecKey            *self,
                   ParsecAlgorithm      *algorithm,
                   ParsecAlgorithmKind   kind,
                   GBytes               *digest,
                   gpointer              source_tag,
                   GAsyncReadyCallback   callback,
                   gpointer              user_data,
                   ParsecAlgorithm     **chosen,
                   ParsecTarget         *target)
{
  GError *error = NULL;

  if (!key_prepare (self, algorithm, kind, digest, chosen, target, &error))
    {
      g_task_report_error (self, callback, user_data, source_tag, error);
      return FALSE;
    }
  target->source_tag = source_tag;
  return TRUE;
}

static gpointer
key_finish_pointer (ParsecKey     *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
key_finish_boolean (ParsecKey     *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * parsec_key_sign_hash_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @hash: the hash to sign, computed with the algorithm's hash
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Signs a hash with the key. Finish with parsec_key_sign_hash_finish().
 *
 * Since: 1.0
 */
void
parsec_key_sign_hash_async (ParsecKey            *self,
                            ParsecAlgorithm      *algorithm,
                            GBytes               *hash,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (hash != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, hash, parsec_key_sign_hash_async,
                         callback, user_data, &chosen, &target))
    _parsec_sign_hash_start (&target, self->name, chosen, hash, cancellable, callback, user_data);
}

/**
 * parsec_key_sign_hash_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_sign_hash_async().
 *
 * Returns: (transfer full): the signature, in the PSA format (r ‖ s for ECDSA; see parsec_ecdsa_signature_to_der()), or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_hash_finish (ParsecKey     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_sign_hash:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @hash: the hash to sign, computed with the algorithm's hash
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Signs a hash with the key. Blocks the calling thread; see parsec_key_sign_hash_async().
 *
 * Returns: (transfer full): the signature, in the PSA format (r ‖ s for ECDSA; see parsec_ecdsa_signature_to_der()), or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_hash (ParsecKey        *self,
                      ParsecAlgorithm  *algorithm,
                      GBytes           *hash,
                      GCancellable     *cancellable,
                      GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (hash != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, hash, &chosen, &target, error))
    return NULL;
  return _parsec_sign_hash_run (&target, self->name, chosen, hash, cancellable, error);
}

/**
 * parsec_key_verify_hash_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @hash: the signed hash
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Verifies a signature of a hash with the key. Finish with parsec_key_verify_hash_finish().
 *
 * Since: 1.0
 */
void
parsec_key_verify_hash_async (ParsecKey            *self,
                              ParsecAlgorithm      *algorithm,
                              GBytes               *hash,
                              GBytes               *signature,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (hash != NULL);
  g_return_if_fail (signature != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, hash, parsec_key_verify_hash_async,
                         callback, user_data, &chosen, &target))
    _parsec_verify_hash_start (&target, self->name, chosen, hash, signature, cancellable, callback, user_data);
}

/**
 * parsec_key_verify_hash_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_verify_hash_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_hash_finish (ParsecKey     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return key_finish_boolean (self, result, error);
}

/**
 * parsec_key_verify_hash:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @hash: the signed hash
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Verifies a signature of a hash with the key. Blocks the calling thread; see parsec_key_verify_hash_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_hash (ParsecKey        *self,
                        ParsecAlgorithm  *algorithm,
                        GBytes           *hash,
                        GBytes           *signature,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), FALSE);
  g_return_val_if_fail (hash != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, hash, &chosen, &target, error))
    return FALSE;
  return _parsec_verify_hash_run (&target, self->name, chosen, hash, signature, cancellable, error);
}

/**
 * parsec_key_sign_message_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @message: the message to sign
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Signs a message with the key, hashing it in the service. Few providers offer this (Mbed Crypto does not): parsec_key_sign_data() works with every provider. Finish with parsec_key_sign_message_finish().
 *
 * Since: 1.0
 */
void
parsec_key_sign_message_async (ParsecKey            *self,
                               ParsecAlgorithm      *algorithm,
                               GBytes               *message,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (message != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, NULL, parsec_key_sign_message_async,
                         callback, user_data, &chosen, &target))
    _parsec_sign_message_start (&target, self->name, chosen, message, cancellable, callback, user_data);
}

/**
 * parsec_key_sign_message_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_sign_message_async().
 *
 * Returns: (transfer full): the signature, in the PSA format, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_message_finish (ParsecKey     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_sign_message:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @message: the message to sign
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Signs a message with the key, hashing it in the service. Few providers offer this (Mbed Crypto does not): parsec_key_sign_data() works with every provider. Blocks the calling thread; see parsec_key_sign_message_async().
 *
 * Returns: (transfer full): the signature, in the PSA format, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_message (ParsecKey        *self,
                         ParsecAlgorithm  *algorithm,
                         GBytes           *message,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (message != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, NULL, &chosen, &target, error))
    return NULL;
  return _parsec_sign_message_run (&target, self->name, chosen, message, cancellable, error);
}

/**
 * parsec_key_verify_message_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @message: the signed message
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Verifies a signature of a message with the key, hashing it in the service. Finish with parsec_key_verify_message_finish().
 *
 * Since: 1.0
 */
void
parsec_key_verify_message_async (ParsecKey            *self,
                                 ParsecAlgorithm      *algorithm,
                                 GBytes               *message,
                                 GBytes               *signature,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (message != NULL);
  g_return_if_fail (signature != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, NULL, parsec_key_verify_message_async,
                         callback, user_data, &chosen, &target))
    _parsec_verify_message_start (&target, self->name, chosen, message, signature, cancellable, callback, user_data);
}

/**
 * parsec_key_verify_message_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_verify_message_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_message_finish (ParsecKey     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return key_finish_boolean (self, result, error);
}

/**
 * parsec_key_verify_message:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @message: the signed message
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Verifies a signature of a message with the key, hashing it in the service. Blocks the calling thread; see parsec_key_verify_message_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_message (ParsecKey        *self,
                           ParsecAlgorithm  *algorithm,
                           GBytes           *message,
                           GBytes           *signature,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, NULL, &chosen, &target, error))
    return FALSE;
  return _parsec_verify_message_run (&target, self->name, chosen, message, signature, cancellable, error);
}

/**
 * parsec_key_asymmetric_encrypt_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @plaintext: the data to encrypt
 * @label: (nullable): the OAEP label, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Encrypts data with the public part of the key. Finish with parsec_key_asymmetric_encrypt_finish().
 *
 * Since: 1.0
 */
void
parsec_key_asymmetric_encrypt_async (ParsecKey            *self,
                                     ParsecAlgorithm      *algorithm,
                                     GBytes               *plaintext,
                                     GBytes               *label,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (plaintext != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, NULL, parsec_key_asymmetric_encrypt_async,
                         callback, user_data, &chosen, &target))
    _parsec_asymmetric_encrypt_start (&target, self->name, chosen, plaintext, label, cancellable, callback, user_data);
}

/**
 * parsec_key_asymmetric_encrypt_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_asymmetric_encrypt_async().
 *
 * Returns: (transfer full): the ciphertext, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_asymmetric_encrypt_finish (ParsecKey     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_asymmetric_encrypt:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @plaintext: the data to encrypt
 * @label: (nullable): the OAEP label, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Encrypts data with the public part of the key. Blocks the calling thread; see parsec_key_asymmetric_encrypt_async().
 *
 * Returns: (transfer full): the ciphertext, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_asymmetric_encrypt (ParsecKey        *self,
                               ParsecAlgorithm  *algorithm,
                               GBytes           *plaintext,
                               GBytes           *label,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, NULL, &chosen, &target, error))
    return NULL;
  return _parsec_asymmetric_encrypt_run (&target, self->name, chosen, plaintext, label, cancellable, error);
}

/**
 * parsec_key_asymmetric_decrypt_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @ciphertext: the data to decrypt
 * @label: (nullable): the OAEP label, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Decrypts data with the key. Finish with parsec_key_asymmetric_decrypt_finish().
 *
 * Since: 1.0
 */
void
parsec_key_asymmetric_decrypt_async (ParsecKey            *self,
                                     ParsecAlgorithm      *algorithm,
                                     GBytes               *ciphertext,
                                     GBytes               *label,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (ciphertext != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, NULL, parsec_key_asymmetric_decrypt_async,
                         callback, user_data, &chosen, &target))
    _parsec_asymmetric_decrypt_start (&target, self->name, chosen, ciphertext, label, cancellable, callback, user_data);
}

/**
 * parsec_key_asymmetric_decrypt_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_asymmetric_decrypt_async().
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_asymmetric_decrypt_finish (ParsecKey     *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_asymmetric_decrypt:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @ciphertext: the data to decrypt
 * @label: (nullable): the OAEP label, or %NULL for none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Decrypts data with the key. Blocks the calling thread; see parsec_key_asymmetric_decrypt_async().
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_asymmetric_decrypt (ParsecKey        *self,
                               ParsecAlgorithm  *algorithm,
                               GBytes           *ciphertext,
                               GBytes           *label,
                               GCancellable     *cancellable,
                               GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, NULL, &chosen, &target, error))
    return NULL;
  return _parsec_asymmetric_decrypt_run (&target, self->name, chosen, ciphertext, label, cancellable, error);
}

/**
 * parsec_key_aead_encrypt_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @nonce: the nonce
 * @additional_data: (nullable): data authenticated but not encrypted, or %NULL
 * @plaintext: the data to encrypt
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Encrypts and authenticates data with the key. Finish with parsec_key_aead_encrypt_finish().
 *
 * Since: 1.0
 */
void
parsec_key_aead_encrypt_async (ParsecKey            *self,
                               ParsecAlgorithm      *algorithm,
                               GBytes               *nonce,
                               GBytes               *additional_data,
                               GBytes               *plaintext,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (nonce != NULL);
  g_return_if_fail (plaintext != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_AEAD, NULL, parsec_key_aead_encrypt_async,
                         callback, user_data, &chosen, &target))
    _parsec_aead_encrypt_start (&target, self->name, chosen, nonce, additional_data, plaintext, cancellable, callback, user_data);
}

/**
 * parsec_key_aead_encrypt_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_aead_encrypt_async().
 *
 * Returns: (transfer full): the ciphertext followed by the tag, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_aead_encrypt_finish (ParsecKey     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_aead_encrypt:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @nonce: the nonce
 * @additional_data: (nullable): data authenticated but not encrypted, or %NULL
 * @plaintext: the data to encrypt
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Encrypts and authenticates data with the key. Blocks the calling thread; see parsec_key_aead_encrypt_async().
 *
 * Returns: (transfer full): the ciphertext followed by the tag, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_aead_encrypt (ParsecKey        *self,
                         ParsecAlgorithm  *algorithm,
                         GBytes           *nonce,
                         GBytes           *additional_data,
                         GBytes           *plaintext,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_AEAD, NULL, &chosen, &target, error))
    return NULL;
  return _parsec_aead_encrypt_run (&target, self->name, chosen, nonce, additional_data, plaintext, cancellable, error);
}

/**
 * parsec_key_aead_decrypt_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @nonce: the nonce
 * @additional_data: (nullable): the authenticated data, or %NULL
 * @ciphertext: the ciphertext followed by the tag
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Checks and decrypts data with the key. Finish with parsec_key_aead_decrypt_finish().
 *
 * Since: 1.0
 */
void
parsec_key_aead_decrypt_async (ParsecKey            *self,
                               ParsecAlgorithm      *algorithm,
                               GBytes               *nonce,
                               GBytes               *additional_data,
                               GBytes               *ciphertext,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (nonce != NULL);
  g_return_if_fail (ciphertext != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_AEAD, NULL, parsec_key_aead_decrypt_async,
                         callback, user_data, &chosen, &target))
    _parsec_aead_decrypt_start (&target, self->name, chosen, nonce, additional_data, ciphertext, cancellable, callback, user_data);
}

/**
 * parsec_key_aead_decrypt_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_aead_decrypt_async().
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_aead_decrypt_finish (ParsecKey     *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_aead_decrypt:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @nonce: the nonce
 * @additional_data: (nullable): the authenticated data, or %NULL
 * @ciphertext: the ciphertext followed by the tag
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks and decrypts data with the key. Blocks the calling thread; see parsec_key_aead_decrypt_async().
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_aead_decrypt (ParsecKey        *self,
                         ParsecAlgorithm  *algorithm,
                         GBytes           *nonce,
                         GBytes           *additional_data,
                         GBytes           *ciphertext,
                         GCancellable     *cancellable,
                         GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_AEAD, NULL, &chosen, &target, error))
    return NULL;
  return _parsec_aead_decrypt_run (&target, self->name, chosen, nonce, additional_data, ciphertext, cancellable, error);
}

/**
 * parsec_key_cipher_encrypt_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @plaintext: the data to encrypt
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Encrypts data with the key and an unauthenticated cipher. Finish with parsec_key_cipher_encrypt_finish().
 *
 * Since: 1.0
 */
void
parsec_key_cipher_encrypt_async (ParsecKey            *self,
                                 ParsecAlgorithm      *algorithm,
                                 GBytes               *plaintext,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (plaintext != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_CIPHER, NULL, parsec_key_cipher_encrypt_async,
                         callback, user_data, &chosen, &target))
    _parsec_cipher_encrypt_start (&target, self->name, chosen, plaintext, cancellable, callback, user_data);
}

/**
 * parsec_key_cipher_encrypt_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_cipher_encrypt_async().
 *
 * Returns: (transfer full): the IV followed by the ciphertext, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_cipher_encrypt_finish (ParsecKey     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_cipher_encrypt:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @plaintext: the data to encrypt
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Encrypts data with the key and an unauthenticated cipher. Blocks the calling thread; see parsec_key_cipher_encrypt_async().
 *
 * Returns: (transfer full): the IV followed by the ciphertext, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_cipher_encrypt (ParsecKey        *self,
                           ParsecAlgorithm  *algorithm,
                           GBytes           *plaintext,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (plaintext != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_CIPHER, NULL, &chosen, &target, error))
    return NULL;
  return _parsec_cipher_encrypt_run (&target, self->name, chosen, plaintext, cancellable, error);
}

/**
 * parsec_key_cipher_decrypt_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @ciphertext: the IV followed by the ciphertext
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Decrypts data with the key and an unauthenticated cipher. Finish with parsec_key_cipher_decrypt_finish().
 *
 * Since: 1.0
 */
void
parsec_key_cipher_decrypt_async (ParsecKey            *self,
                                 ParsecAlgorithm      *algorithm,
                                 GBytes               *ciphertext,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (ciphertext != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_CIPHER, NULL, parsec_key_cipher_decrypt_async,
                         callback, user_data, &chosen, &target))
    _parsec_cipher_decrypt_start (&target, self->name, chosen, ciphertext, cancellable, callback, user_data);
}

/**
 * parsec_key_cipher_decrypt_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_cipher_decrypt_async().
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_cipher_decrypt_finish (ParsecKey     *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_cipher_decrypt:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @ciphertext: the IV followed by the ciphertext
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Decrypts data with the key and an unauthenticated cipher. Blocks the calling thread; see parsec_key_cipher_decrypt_async().
 *
 * Returns: (transfer full): the plaintext, in memory that is wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_cipher_decrypt (ParsecKey        *self,
                           ParsecAlgorithm  *algorithm,
                           GBytes           *ciphertext,
                           GCancellable     *cancellable,
                           GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (ciphertext != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_CIPHER, NULL, &chosen, &target, error))
    return NULL;
  return _parsec_cipher_decrypt_run (&target, self->name, chosen, ciphertext, cancellable, error);
}

/**
 * parsec_key_mac_compute_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @input: the data
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Computes a MAC of data with the key. Finish with parsec_key_mac_compute_finish().
 *
 * Since: 1.0
 */
void
parsec_key_mac_compute_async (ParsecKey            *self,
                              ParsecAlgorithm      *algorithm,
                              GBytes               *input,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (input != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_MAC, NULL, parsec_key_mac_compute_async,
                         callback, user_data, &chosen, &target))
    _parsec_mac_compute_start (&target, self->name, chosen, input, cancellable, callback, user_data);
}

/**
 * parsec_key_mac_compute_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_mac_compute_async().
 *
 * Returns: (transfer full): the MAC, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_mac_compute_finish (ParsecKey     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_mac_compute:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @input: the data
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Computes a MAC of data with the key. Blocks the calling thread; see parsec_key_mac_compute_async().
 *
 * Returns: (transfer full): the MAC, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_mac_compute (ParsecKey        *self,
                        ParsecAlgorithm  *algorithm,
                        GBytes           *input,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (input != NULL, NULL);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_MAC, NULL, &chosen, &target, error))
    return NULL;
  return _parsec_mac_compute_run (&target, self->name, chosen, input, cancellable, error);
}

/**
 * parsec_key_mac_verify_async:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @input: the data
 * @mac: the MAC to check
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Checks a MAC of data with the key. Finish with parsec_key_mac_verify_finish().
 *
 * Since: 1.0
 */
void
parsec_key_mac_verify_async (ParsecKey            *self,
                             ParsecAlgorithm      *algorithm,
                             GBytes               *input,
                             GBytes               *mac,
                             GCancellable         *cancellable,
                             GAsyncReadyCallback   callback,
                             gpointer              user_data)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (input != NULL);
  g_return_if_fail (mac != NULL);

  if (key_prepare_async (self, algorithm, PARSEC_ALGORITHM_KIND_MAC, NULL, parsec_key_mac_verify_async,
                         callback, user_data, &chosen, &target))
    _parsec_mac_verify_start (&target, self->name, chosen, input, mac, cancellable, callback, user_data);
}

/**
 * parsec_key_mac_verify_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_mac_verify_async().
 *
 * Returns: %TRUE if the MAC is valid; otherwise %FALSE with %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_mac_verify_finish (ParsecKey     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  return key_finish_boolean (self, result, error);
}

/**
 * parsec_key_mac_verify:
 * @self: a #ParsecKey
 * @algorithm: (nullable): the algorithm, or %NULL for the one the key's
 *   policy permits
 * @input: the data
 * @mac: the MAC to check
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Checks a MAC of data with the key. Blocks the calling thread; see parsec_key_mac_verify_async().
 *
 * Returns: %TRUE if the MAC is valid; otherwise %FALSE with %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_mac_verify (ParsecKey        *self,
                       ParsecAlgorithm  *algorithm,
                       GBytes           *input,
                       GBytes           *mac,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autoptr(ParsecAlgorithm) chosen = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), FALSE);
  g_return_val_if_fail (input != NULL, FALSE);
  g_return_val_if_fail (mac != NULL, FALSE);

  if (!key_prepare (self, algorithm, PARSEC_ALGORITHM_KIND_MAC, NULL, &chosen, &target, error))
    return FALSE;
  return _parsec_mac_verify_run (&target, self->name, chosen, input, mac, cancellable, error);
}

/**
 * parsec_key_sign_data_async:
 * @self: a #ParsecKey
 * @data: the data to sign
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Signs data with the algorithm the key's policy permits, SHA-256 where
 * it permits any hash. The hash is computed here for SHA-1, SHA-224,
 * SHA-256, SHA-384 and SHA-512, so only the digest travels to the
 * service, in one request; for other hashes (SHA-3, …) the provider
 * computes it first, for data of up to 1 MiB, the service's request
 * limit. For larger data, see parsec_key_sign_stream() and
 * parsec_key_sign_file(). Finish with
 * parsec_key_sign_data_finish().
 *
 * Since: 1.0
 */
void
parsec_key_sign_data_async (ParsecKey            *self,
                            GBytes               *data,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  GError *error = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (data != NULL);

  if (!key_policy_known (self, &error))
    {
      g_task_report_error (self, callback, user_data, parsec_key_sign_data_async, error);
      return;
    }
  key_target (self, PARSEC_CALL_POLICY_HINT, parsec_key_sign_data_async, &target);
  _parsec_data_signature_start (&target, self->name, self->attributes, data, NULL, cancellable,
                                callback, user_data);
}

/**
 * parsec_key_sign_data_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_sign_data_async().
 *
 * Returns: (transfer full): the signature in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_data_finish (ParsecKey     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_sign_data:
 * @self: a #ParsecKey
 * @data: the data to sign
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Signs data with the algorithm the key's policy permits, blocking the
 * calling thread. See parsec_key_sign_data_async().
 *
 * Returns: (transfer full): the signature in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_data (ParsecKey     *self,
                      GBytes        *data,
                      GCancellable  *cancellable,
                      GError       **error)
{
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (data != NULL, NULL);

  if (!key_policy_known (self, error))
    return NULL;
  key_target (self, PARSEC_CALL_POLICY_HINT, NULL, &target);
  return _parsec_data_signature_run (&target, self->name, self->attributes, data, NULL, cancellable, error);
}

/**
 * parsec_key_verify_data_async:
 * @self: a #ParsecKey
 * @data: the signed data
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Verifies a signature made by parsec_key_sign_data(), with the
 * algorithm of the key's policy, in one request. Finish with
 * parsec_key_verify_data_finish().
 *
 * Since: 1.0
 */
void
parsec_key_verify_data_async (ParsecKey            *self,
                              GBytes               *data,
                              GBytes               *signature,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  GError *error = NULL;
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (data != NULL);
  g_return_if_fail (signature != NULL);

  if (!key_policy_known (self, &error))
    {
      g_task_report_error (self, callback, user_data, parsec_key_verify_data_async, error);
      return;
    }
  key_target (self, PARSEC_CALL_POLICY_HINT, parsec_key_verify_data_async, &target);
  _parsec_data_signature_start (&target, self->name, self->attributes, data, signature, cancellable,
                                callback, user_data);
}

/**
 * parsec_key_verify_data_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_verify_data_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_data_finish (ParsecKey     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return key_finish_boolean (self, result, error);
}

/**
 * parsec_key_verify_data:
 * @self: a #ParsecKey
 * @data: the signed data
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Verifies a signature made by parsec_key_sign_data(), blocking the
 * calling thread.
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_data (ParsecKey     *self,
                        GBytes        *data,
                        GBytes        *signature,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GBytes) verified = NULL;
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  if (!key_policy_known (self, error))
    return FALSE;
  key_target (self, PARSEC_CALL_POLICY_HINT, NULL, &target);
  verified = _parsec_data_signature_run (&target, self->name, self->attributes, data, signature, cancellable, error);
  return verified != NULL;
}

/* Streams and files: read in chunks and hashed here. */

static void
key_stream_signature_start (ParsecKey           *self,
                            GInputStream        *stream,
                            GFile               *file,
                            GBytes              *signature,
                            gpointer             source_tag,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GError *error = NULL;
  ParsecTarget target;

  if (!key_policy_known (self, &error))
    {
      g_task_report_error (self, callback, user_data, source_tag, error);
      return;
    }
  key_target (self, PARSEC_CALL_POLICY_HINT, source_tag, &target);
  _parsec_stream_signature_start (&target, self->name, self->attributes, stream, file, signature, cancellable,
                                  callback, user_data);
}

static GBytes *
key_stream_signature_run (ParsecKey     *self,
                          GInputStream  *stream,
                          GFile         *file,
                          GBytes        *signature,
                          GCancellable  *cancellable,
                          GError       **error)
{
  ParsecTarget target;

  if (!key_policy_known (self, error))
    return NULL;
  key_target (self, PARSEC_CALL_POLICY_HINT, NULL, &target);
  return _parsec_stream_signature_run (&target, self->name, self->attributes, stream, file, signature,
                                       cancellable, error);
}

/**
 * parsec_key_sign_stream_async:
 * @self: a #ParsecKey
 * @stream: the data to sign
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the signature is made
 * @user_data: data for @callback
 *
 * Signs the data @stream holds, read to its end, with the algorithm the
 * key's policy permits, as parsec_key_sign_data() does. The data is read
 * in chunks of 64 KiB with g_input_stream_read_async() and hashed here
 * as it arrives, so that memory stays flat whatever its size; the chunks
 * and the hash state are wiped. Only the digest goes to the service, in
 * one request. The stream is left open.
 *
 * The hash is the one of the key's policy (SHA-256 where it permits any):
 * SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512. For a key whose policy
 * names another hash, the call fails with %PARSEC_ERROR_INVALID_INPUT;
 * parsec_key_sign_data() then has the provider hash the data, up to the
 * service's request limit of 1 MiB.
 *
 * A read error ends the call with the stream's error. Finish with
 * parsec_key_sign_stream_finish().
 *
 * Since: 1.0
 */
void
parsec_key_sign_stream_async (ParsecKey            *self,
                              GInputStream         *stream,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (G_IS_INPUT_STREAM (stream));

  key_stream_signature_start (self, stream, NULL, NULL, parsec_key_sign_stream_async, cancellable, callback,
                              user_data);
}

/**
 * parsec_key_sign_stream_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_sign_stream_async().
 *
 * Returns: (transfer full): the signature in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_stream_finish (ParsecKey     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_sign_stream:
 * @self: a #ParsecKey
 * @stream: the data to sign
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Signs the data @stream holds, read to its end in chunks, blocking the
 * calling thread. See parsec_key_sign_stream_async().
 *
 * Returns: (transfer full): the signature in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_stream (ParsecKey     *self,
                        GInputStream  *stream,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  return key_stream_signature_run (self, stream, NULL, NULL, cancellable, error);
}

/**
 * parsec_key_verify_stream_async:
 * @self: a #ParsecKey
 * @stream: the signed data
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the signature is checked
 * @user_data: data for @callback
 *
 * Verifies a signature of the data @stream holds, read to its end in
 * chunks and hashed here as parsec_key_sign_stream_async() does, with
 * the algorithm of the key's policy, in one request. Finish with
 * parsec_key_verify_stream_finish().
 *
 * Since: 1.0
 */
void
parsec_key_verify_stream_async (ParsecKey            *self,
                                GInputStream         *stream,
                                GBytes               *signature,
                                GCancellable         *cancellable,
                                GAsyncReadyCallback   callback,
                                gpointer              user_data)
{
  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (G_IS_INPUT_STREAM (stream));
  g_return_if_fail (signature != NULL);

  key_stream_signature_start (self, stream, NULL, signature, parsec_key_verify_stream_async, cancellable,
                              callback, user_data);
}

/**
 * parsec_key_verify_stream_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_verify_stream_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_stream_finish (ParsecKey     *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return key_finish_boolean (self, result, error);
}

/**
 * parsec_key_verify_stream:
 * @self: a #ParsecKey
 * @stream: the signed data
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Verifies a signature of the data @stream holds, blocking the calling
 * thread. See parsec_key_verify_stream_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_stream (ParsecKey     *self,
                          GInputStream  *stream,
                          GBytes        *signature,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(GBytes) verified = NULL;

  g_return_val_if_fail (PARSEC_IS_KEY (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  verified = key_stream_signature_run (self, stream, NULL, signature, cancellable, error);
  return verified != NULL;
}

/**
 * parsec_key_sign_file_async:
 * @self: a #ParsecKey
 * @file: the file to sign
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the signature is made
 * @user_data: data for @callback
 *
 * Signs the contents of @file, of any size, as
 * parsec_key_sign_stream_async() signs a stream: opened with
 * g_file_read_async(), read in chunks and hashed here. Finish with
 * parsec_key_sign_file_finish().
 *
 * Since: 1.0
 */
void
parsec_key_sign_file_async (ParsecKey            *self,
                            GFile                *file,
                            GCancellable         *cancellable,
                            GAsyncReadyCallback   callback,
                            gpointer              user_data)
{
  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (G_IS_FILE (file));

  key_stream_signature_start (self, NULL, file, NULL, parsec_key_sign_file_async, cancellable, callback,
                              user_data);
}

/**
 * parsec_key_sign_file_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_sign_file_async().
 *
 * Returns: (transfer full): the signature in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_file_finish (ParsecKey     *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_sign_file:
 * @self: a #ParsecKey
 * @file: the file to sign
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Signs the contents of @file, of any size, blocking the calling thread.
 * See parsec_key_sign_file_async().
 *
 * Returns: (transfer full): the signature in the PSA format, or %NULL on
 *   error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_sign_file (ParsecKey     *self,
                      GFile         *file,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  return key_stream_signature_run (self, NULL, file, NULL, cancellable, error);
}

/**
 * parsec_key_verify_file_async:
 * @self: a #ParsecKey
 * @file: the signed file
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the signature is checked
 * @user_data: data for @callback
 *
 * Verifies a signature of the contents of @file, of any size, as
 * parsec_key_verify_stream_async() verifies one of a stream. Finish with
 * parsec_key_verify_file_finish().
 *
 * Since: 1.0
 */
void
parsec_key_verify_file_async (ParsecKey            *self,
                              GFile                *file,
                              GBytes               *signature,
                              GCancellable         *cancellable,
                              GAsyncReadyCallback   callback,
                              gpointer              user_data)
{
  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (signature != NULL);

  key_stream_signature_start (self, NULL, file, signature, parsec_key_verify_file_async, cancellable,
                              callback, user_data);
}

/**
 * parsec_key_verify_file_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_verify_file_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_file_finish (ParsecKey     *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  return key_finish_boolean (self, result, error);
}

/**
 * parsec_key_verify_file:
 * @self: a #ParsecKey
 * @file: the signed file
 * @signature: the signature, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Verifies a signature of the contents of @file, of any size, blocking
 * the calling thread. See parsec_key_verify_file_async().
 *
 * Returns: %TRUE if the signature is valid; otherwise %FALSE with
 *   %PARSEC_ERROR_PSA_INVALID_SIGNATURE or another error
 *
 * Since: 1.0
 */
gboolean
parsec_key_verify_file (ParsecKey     *self,
                        GFile         *file,
                        GBytes        *signature,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GBytes) verified = NULL;

  g_return_val_if_fail (PARSEC_IS_KEY (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (signature != NULL, FALSE);

  verified = key_stream_signature_run (self, NULL, file, signature, cancellable, error);
  return verified != NULL;
}

/* Certificate requests and self-signed certificates: the public key and
 * the signature come from the service, the rest is written here
 * (parsec-x509.c). */

typedef struct {
  gboolean certificate;
  ParsecCertificateOptions *options;
  ParsecAlgorithm *algorithm;
  GBytes *signature_algorithm;
  GBytes *to_be_signed;
} X509Task;

static void
x509_task_free (X509Task *data)
{
  g_clear_object (&data->options);
  g_clear_pointer (&data->algorithm, parsec_algorithm_unref);
  g_clear_pointer (&data->signature_algorithm, g_bytes_unref);
  g_clear_pointer (&data->to_be_signed, g_bytes_unref);
  g_free (data);
}

/* The signature sign_data makes with the key, named in X.509 terms. */
static gboolean
key_x509_plan (ParsecKey         *self,
               ParsecAlgorithm  **algorithm,
               GBytes           **signature_algorithm,
               GError           **error)
{
  ParsecHash hash;

  return key_policy_known (self, error) &&
         _parsec_plan_data_signature (self->name, self->attributes, algorithm, &hash, error) &&
         (*signature_algorithm = _parsec_x509_signature_algorithm (self->name, *algorithm, hash, error)) != NULL;
}

static GBytes *
key_x509_run (ParsecKey                 *self,
              gboolean                   certificate,
              ParsecCertificateOptions  *options,
              GCancellable              *cancellable,
              GError                   **error)
{
  g_autoptr(ParsecAlgorithm) algorithm = NULL;
  g_autoptr(GBytes) signature_algorithm = NULL;
  g_autoptr(GBytes) public_key = NULL;
  g_autoptr(GBytes) to_be_signed = NULL;
  g_autoptr(GBytes) signature = NULL;

  if (!key_x509_plan (self, &algorithm, &signature_algorithm, error) ||
      (public_key = parsec_key_export_public_key (self, PARSEC_PUBLIC_KEY_FORMAT_DER, cancellable, error)) == NULL ||
      (to_be_signed = _parsec_x509_to_be_signed (certificate, self->name, options, signature_algorithm, public_key,
                                                 error)) == NULL ||
      (signature = parsec_key_sign_data (self, to_be_signed, cancellable, error)) == NULL)
    return NULL;
  return _parsec_x509_assemble (to_be_signed, signature_algorithm, algorithm, signature, error);
}

static void
x509_signed (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  X509Task *data = g_task_get_task_data (task);
  g_autoptr(GBytes) signature = NULL;
  GError *error = NULL;
  GBytes *der;

  signature = parsec_key_sign_data_finish (PARSEC_KEY (source), result, &error);
  der = signature != NULL ? _parsec_x509_assemble (data->to_be_signed, data->signature_algorithm, data->algorithm,
                                                   signature, &error)
                          : NULL;
  if (der != NULL)
    g_task_return_pointer (task, der, (GDestroyNotify) g_bytes_unref);
  else
    g_task_return_error (task, error);
  g_object_unref (task);
}

static void
x509_public_key_exported (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  GTask *task = user_data;
  ParsecKey *self = PARSEC_KEY (source);
  X509Task *data = g_task_get_task_data (task);
  g_autoptr(GBytes) public_key = NULL;
  GError *error = NULL;

  public_key = parsec_key_export_public_key_finish (self, result, &error);
  if (public_key != NULL)
    data->to_be_signed = _parsec_x509_to_be_signed (data->certificate, self->name, data->options,
                                                    data->signature_algorithm, public_key, &error);
  if (data->to_be_signed == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  parsec_key_sign_data_async (self, data->to_be_signed, g_task_get_cancellable (task), x509_signed, task);
}

static void
key_x509_start (ParsecKey                 *self,
                gboolean                   certificate,
                ParsecCertificateOptions  *options,
                gpointer                   source_tag,
                GCancellable              *cancellable,
                GAsyncReadyCallback        callback,
                gpointer                   user_data)
{
  GTask *task = _parsec_task_new (self, cancellable, callback, user_data, source_tag,
                                  "[parsec-glib] certificate");
  X509Task *data = g_new0 (X509Task, 1);
  GError *error = NULL;

  g_task_set_task_data (task, data, (GDestroyNotify) x509_task_free);
  data->certificate = certificate;
  data->options = options != NULL ? g_object_ref (options) : NULL;
  if (!key_x509_plan (self, &data->algorithm, &data->signature_algorithm, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  parsec_key_export_public_key_async (self, PARSEC_PUBLIC_KEY_FORMAT_DER, cancellable, x509_public_key_exported,
                                      task);
}

/**
 * parsec_key_create_certificate_request_async:
 * @self: a #ParsecKey
 * @options: (nullable): the subject's name and alternative names, or
 *   %NULL for an empty subject
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the request is made
 * @user_data: data for @callback
 *
 * Makes a PKCS #10 certificate signing request (RFC 2986) for the key:
 * the subject of @options, its alternative names as an extension
 * request, the key's public key, signed by the key as
 * parsec_key_sign_data() signs (ecdsa-with-SHA256 and the like,
 * sha256WithRSAEncryption and the like, or RSASSA-PSS, after the key's
 * policy). It takes two requests: the public key and the signature.
 * parsec_pem_encode() with `CERTIFICATE REQUEST` gives its PEM form.
 * Finish with parsec_key_create_certificate_request_finish().
 *
 * Since: 1.0
 */
void
parsec_key_create_certificate_request_async (ParsecKey                 *self,
                                             ParsecCertificateOptions  *options,
                                             GCancellable              *cancellable,
                                             GAsyncReadyCallback        callback,
                                             gpointer                   user_data)
{
  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (options == NULL || PARSEC_IS_CERTIFICATE_OPTIONS (options));

  key_x509_start (self, FALSE, options, parsec_key_create_certificate_request_async, cancellable, callback,
                  user_data);
}

/**
 * parsec_key_create_certificate_request_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_create_certificate_request_async().
 *
 * Returns: (transfer full): the request in DER, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_create_certificate_request_finish (ParsecKey     *self,
                                              GAsyncResult  *result,
                                              GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_create_certificate_request:
 * @self: a #ParsecKey
 * @options: (nullable): the subject's name and alternative names, or
 *   %NULL for an empty subject
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a PKCS #10 certificate signing request for the key, blocking the
 * calling thread. See parsec_key_create_certificate_request_async().
 *
 * Returns: (transfer full): the request in DER, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_create_certificate_request (ParsecKey                 *self,
                                       ParsecCertificateOptions  *options,
                                       GCancellable              *cancellable,
                                       GError                   **error)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (options == NULL || PARSEC_IS_CERTIFICATE_OPTIONS (options), NULL);

  return key_x509_run (self, FALSE, options, cancellable, error);
}

/**
 * parsec_key_create_self_signed_certificate_async:
 * @self: a #ParsecKey
 * @options: (nullable): the subject, its alternative names and the
 *   validity, or %NULL for the defaults
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the certificate is made
 * @user_data: data for @callback
 *
 * Makes a self-signed X.509 v3 certificate (RFC 5280) for the key, signed
 * by the key as parsec_key_create_certificate_request_async() signs: its
 * issuer is its subject, the subject of @options, or `CN=` the key's name
 * when @options names none; its serial number is random; it is valid
 * from the validity's start (default: now) to its end (default: 365 days
 * later). Its extensions are basicConstraints (not a CA) and keyUsage
 * (digitalSignature), both critical, and the alternative names of
 * @options. parsec_pem_encode() with `CERTIFICATE` gives its PEM form,
 * which g_tls_certificate_new_from_pem() reads; parsec_key_create_tls_certificate()
 * pairs it with the key for TLS. Finish with
 * parsec_key_create_self_signed_certificate_finish().
 *
 * Since: 1.0
 */
void
parsec_key_create_self_signed_certificate_async (ParsecKey                 *self,
                                                 ParsecCertificateOptions  *options,
                                                 GCancellable              *cancellable,
                                                 GAsyncReadyCallback        callback,
                                                 gpointer                   user_data)
{
  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (options == NULL || PARSEC_IS_CERTIFICATE_OPTIONS (options));

  key_x509_start (self, TRUE, options, parsec_key_create_self_signed_certificate_async, cancellable, callback,
                  user_data);
}

/**
 * parsec_key_create_self_signed_certificate_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_create_self_signed_certificate_async().
 *
 * Returns: (transfer full): the certificate in DER, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_create_self_signed_certificate_finish (ParsecKey     *self,
                                                  GAsyncResult  *result,
                                                  GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_create_self_signed_certificate:
 * @self: a #ParsecKey
 * @options: (nullable): the subject, its alternative names and the
 *   validity, or %NULL for the defaults
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Makes a self-signed X.509 certificate for the key, blocking the calling
 * thread. See parsec_key_create_self_signed_certificate_async().
 *
 * Returns: (transfer full): the certificate in DER, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_create_self_signed_certificate (ParsecKey                 *self,
                                           ParsecCertificateOptions  *options,
                                           GCancellable              *cancellable,
                                           GError                   **error)
{
  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (options == NULL || PARSEC_IS_CERTIFICATE_OPTIONS (options), NULL);

  return key_x509_run (self, TRUE, options, cancellable, error);
}

/* The agreement a key does: its policy's, or the one its type implies. */
static ParsecKeyAgreement
key_agreement (ParsecKey *self)
{
  if (self->attributes != NULL)
    {
      ParsecAlgorithm *policy = parsec_key_attributes_get_algorithm (self->attributes);

      if (parsec_algorithm_get_kind (policy) == PARSEC_ALGORITHM_KIND_KEY_AGREEMENT)
        return parsec_algorithm_get_key_agreement (policy);
      if (parsec_key_attributes_get_key_type (self->attributes) == PARSEC_KEY_TYPE_DH_KEY_PAIR)
        return PARSEC_KEY_AGREEMENT_FFDH;
    }
  return PARSEC_KEY_AGREEMENT_ECDH;
}

/**
 * parsec_key_raw_key_agreement_async:
 * @self: a #ParsecKey, an ECC or DH key pair
 * @peer_key: the peer's public key, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Computes the shared secret of a raw key agreement, ECDH or FFDH as the
 * key's policy and type say. Finish with
 * parsec_key_raw_key_agreement_finish().
 *
 * Since: 1.0
 */
void
parsec_key_raw_key_agreement_async (ParsecKey            *self,
                                    GBytes               *peer_key,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data)
{
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (peer_key != NULL);

  key_target (self, PARSEC_CALL_POLICY_HINT, parsec_key_raw_key_agreement_async, &target);
  _parsec_raw_key_agreement_start (&target, key_agreement (self), self->name, peer_key, cancellable,
                                   callback, user_data);
}

/**
 * parsec_key_raw_key_agreement_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_raw_key_agreement_async().
 *
 * Returns: (transfer full): the shared secret, in memory that is wiped
 *   when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_raw_key_agreement_finish (ParsecKey     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_raw_key_agreement:
 * @self: a #ParsecKey, an ECC or DH key pair
 * @peer_key: the peer's public key, in the PSA format
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Computes the shared secret of a raw key agreement, blocking the calling
 * thread. See parsec_key_raw_key_agreement_async().
 *
 * Returns: (transfer full): the shared secret, in memory that is wiped
 *   when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_raw_key_agreement (ParsecKey     *self,
                              GBytes        *peer_key,
                              GCancellable  *cancellable,
                              GError       **error)
{
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (peer_key != NULL, NULL);

  key_target (self, PARSEC_CALL_POLICY_HINT, NULL, &target);
  return _parsec_raw_key_agreement_run (&target, key_agreement (self), self->name, peer_key, cancellable, error);
}

/**
 * parsec_key_export_async:
 * @self: a #ParsecKey
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Exports the key itself, which its policy must allow
 * (%PARSEC_KEY_USAGE_EXPORT). Finish with parsec_key_export_finish().
 *
 * Since: 1.0
 */
void
parsec_key_export_async (ParsecKey            *self,
                         GCancellable         *cancellable,
                         GAsyncReadyCallback   callback,
                         gpointer              user_data)
{
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));

  key_target (self, 0, parsec_key_export_async, &target);
  _parsec_export_key_start (&target, self->name, cancellable, callback, user_data);
}

/**
 * parsec_key_export_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_export_async().
 *
 * Returns: (transfer full): the key in the PSA format, in memory that is
 *   wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_export_finish (ParsecKey     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_export:
 * @self: a #ParsecKey
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Exports the key itself, blocking the calling thread. See
 * parsec_key_export_async().
 *
 * Returns: (transfer full): the key in the PSA format, in memory that is
 *   wiped when freed, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_export (ParsecKey     *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);

  key_target (self, 0, NULL, &target);
  return _parsec_export_key_run (&target, self->name, cancellable, error);
}

/**
 * parsec_key_export_public_key_async:
 * @self: a #ParsecKey
 * @format: the format to write
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Exports the public part of the key, in one request: the PSA format
 * (DER RSAPublicKey, or an uncompressed point), or a DER or PEM
 * SubjectPublicKeyInfo as other programs read it, which needs the key's
 * attributes. Finish with parsec_key_export_public_key_finish().
 *
 * Since: 1.0
 */
void
parsec_key_export_public_key_async (ParsecKey              *self,
                                    ParsecPublicKeyFormat   format,
                                    GCancellable           *cancellable,
                                    GAsyncReadyCallback     callback,
                                    gpointer                user_data)
{
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));
  g_return_if_fail (format <= PARSEC_PUBLIC_KEY_FORMAT_PEM);

  key_target (self, 0, parsec_key_export_public_key_async, &target);
  _parsec_public_key_export_start (&target, self->name, self->attributes, format, cancellable, callback, user_data);
}

/**
 * parsec_key_export_public_key_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_export_public_key_async().
 *
 * Returns: (transfer full): the public key, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_export_public_key_finish (ParsecKey     *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  return key_finish_pointer (self, result, error);
}

/**
 * parsec_key_export_public_key:
 * @self: a #ParsecKey
 * @format: the format to write
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Exports the public part of the key, blocking the calling thread. See
 * parsec_key_export_public_key_async().
 *
 * Returns: (transfer full): the public key, or %NULL on error
 *
 * Since: 1.0
 */
GBytes *
parsec_key_export_public_key (ParsecKey              *self,
                              ParsecPublicKeyFormat   format,
                              GCancellable           *cancellable,
                              GError                **error)
{
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), NULL);
  g_return_val_if_fail (format <= PARSEC_PUBLIC_KEY_FORMAT_PEM, NULL);

  key_target (self, 0, NULL, &target);
  return _parsec_public_key_export_run (&target, self->name, self->attributes, format, cancellable, error);
}

/**
 * parsec_key_destroy_async:
 * @self: a #ParsecKey
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the service has answered
 * @user_data: data for @callback
 *
 * Destroys the key in the service; the object stays, and its operations
 * fail with %PARSEC_ERROR_PSA_DOES_NOT_EXIST. Finish with
 * parsec_key_destroy_finish().
 *
 * Since: 1.0
 */
void
parsec_key_destroy_async (ParsecKey            *self,
                          GCancellable         *cancellable,
                          GAsyncReadyCallback   callback,
                          gpointer              user_data)
{
  ParsecTarget target;

  g_return_if_fail (PARSEC_IS_KEY (self));

  key_target (self, 0, parsec_key_destroy_async, &target);
  _parsec_destroy_key_start (&target, self->name, cancellable, callback, user_data);
}

/**
 * parsec_key_destroy_finish:
 * @self: a #ParsecKey
 * @result: the #GAsyncResult given to the callback
 * @error: return location for a #GError
 *
 * Finishes parsec_key_destroy_async().
 *
 * Returns: %TRUE when the key is destroyed
 *
 * Since: 1.0
 */
gboolean
parsec_key_destroy_finish (ParsecKey     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return key_finish_boolean (self, result, error);
}

/**
 * parsec_key_destroy:
 * @self: a #ParsecKey
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for a #GError
 *
 * Destroys the key in the service, blocking the calling thread. See
 * parsec_key_destroy_async().
 *
 * Returns: %TRUE when the key is destroyed
 *
 * Since: 1.0
 */
gboolean
parsec_key_destroy (ParsecKey     *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  ParsecTarget target;

  g_return_val_if_fail (PARSEC_IS_KEY (self), FALSE);

  key_target (self, 0, NULL, &target);
  return _parsec_destroy_key_run (&target, self->name, cancellable, error);
}
