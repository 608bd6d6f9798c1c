/* parsec-key-info.c: a key stored in the service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"
#include "parsec-psa-private.h"

/**
 * ParsecKeyInfo:
 *
 * A key the service keeps for the application, as listed by
 * parsec_client_list_keys().
 *
 * Since: 1.0
 */
struct _ParsecKeyInfo
{
  GObject parent_instance;

  char *name;
  guint provider;
  ParsecKeyAttributes *attributes;
};

G_DEFINE_FINAL_TYPE (ParsecKeyInfo, parsec_key_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_PROVIDER,
  PROP_ATTRIBUTES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
parsec_key_info_finalize (GObject *object)
{
  ParsecKeyInfo *self = PARSEC_KEY_INFO (object);

  g_free (self->name);
  g_clear_pointer (&self->attributes, parsec_key_attributes_unref);

  G_OBJECT_CLASS (parsec_key_info_parent_class)->finalize (object);
}

static void
parsec_key_info_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ParsecKeyInfo *self = PARSEC_KEY_INFO (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_PROVIDER:
      g_value_set_uint (value, self->provider);
      break;
    case PROP_ATTRIBUTES:
      g_value_set_boxed (value, self->attributes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_key_info_class_init (ParsecKeyInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = parsec_key_info_finalize;
  object_class->get_property = parsec_key_info_get_property;

  /**
   * ParsecKeyInfo:name:
   *
   * The key's name in the application's namespace.
   *
   * Since: 1.0
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);

  /**
   * ParsecKeyInfo:provider:
   *
   * The provider holding the key, a #ParsecProvider for known ones.
   *
   * Since: 1.0
   */
  properties[PROP_PROVIDER] = g_param_spec_uint ("provider", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  /**
   * ParsecKeyInfo:attributes:
   *
   * The key's type, size and policy.
   *
   * Since: 1.0
   */
  properties[PROP_ATTRIBUTES] = g_param_spec_boxed ("attributes", NULL, NULL,
                                                    PARSEC_TYPE_KEY_ATTRIBUTES, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
parsec_key_info_init (ParsecKeyInfo *self)
{
}

ParsecKeyInfo *
_parsec_key_info_new (const char          *name,
                      guint                provider,
                      ParsecKeyAttributes *attributes)
{
  ParsecKeyInfo *self = g_object_new (PARSEC_TYPE_KEY_INFO, NULL);

  self->name = g_strdup (name);
  self->provider = provider;
  self->attributes = parsec_key_attributes_ref (attributes);
  return self;
}

/**
 * parsec_key_info_get_name:
 * @self: a #ParsecKeyInfo
 *
 * Gets #ParsecKeyInfo:name.
 *
 * Returns: the name
 *
 * Since: 1.0
 */
const char *
parsec_key_info_get_name (ParsecKeyInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_KEY_INFO (self), NULL);
  return self->name;
}

/**
 * parsec_key_info_get_provider:
 * @self: a #ParsecKeyInfo
 *
 * Gets #ParsecKeyInfo:provider.
 *
 * Returns: the provider
 *
 * Since: 1.0
 */
guint
parsec_key_info_get_provider (ParsecKeyInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_KEY_INFO (self), 0);
  return self->provider;
}

/**
 * parsec_key_info_get_attributes:
 * @self: a #ParsecKeyInfo
 *
 * Gets #ParsecKeyInfo:attributes.
 *
 * Returns: (transfer none): the attributes
 *
 * Since: 1.0
 */
ParsecKeyAttributes *
parsec_key_info_get_attributes (ParsecKeyInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_KEY_INFO (self), NULL);
  return self->attributes;
}
