/* parsec-provider-info.c: a provider hosted by the service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"

/**
 * ParsecProviderInfo:
 *
 * What the service says about one of its providers, as returned by
 * [method@Parsec.Client.list_providers].
 *
 * The identifier is a #ParsecProvider for the providers the library
 * knows; a newer service may report others, kept as plain numbers.
 *
 * Since: 1.0
 */
struct _ParsecProviderInfo
{
  GObject parent_instance;

  guint id;
  char *uuid;
  char *description;
  char *vendor;
  guint version[3];
};

G_DEFINE_FINAL_TYPE (ParsecProviderInfo, parsec_provider_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_UUID,
  PROP_DESCRIPTION,
  PROP_VENDOR,
  PROP_VERSION_MAJOR,
  PROP_VERSION_MINOR,
  PROP_VERSION_REVISION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
parsec_provider_info_finalize (GObject *object)
{
  ParsecProviderInfo *self = PARSEC_PROVIDER_INFO (object);

  g_free (self->uuid);
  g_free (self->description);
  g_free (self->vendor);

  G_OBJECT_CLASS (parsec_provider_info_parent_class)->finalize (object);
}

static void
parsec_provider_info_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ParsecProviderInfo *self = PARSEC_PROVIDER_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_VENDOR:
      g_value_set_string (value, self->vendor);
      break;
    case PROP_VERSION_MAJOR:
    case PROP_VERSION_MINOR:
    case PROP_VERSION_REVISION:
      g_value_set_uint (value, self->version[prop_id - PROP_VERSION_MAJOR]);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_provider_info_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ParsecProviderInfo *self = PARSEC_PROVIDER_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_uint (value);
      break;
    case PROP_UUID:
      self->uuid = g_value_dup_string (value);
      break;
    case PROP_DESCRIPTION:
      self->description = g_value_dup_string (value);
      break;
    case PROP_VENDOR:
      self->vendor = g_value_dup_string (value);
      break;
    case PROP_VERSION_MAJOR:
    case PROP_VERSION_MINOR:
    case PROP_VERSION_REVISION:
      self->version[prop_id - PROP_VERSION_MAJOR] = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
parsec_provider_info_class_init (ParsecProviderInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = parsec_provider_info_finalize;
  object_class->get_property = parsec_provider_info_get_property;
  object_class->set_property = parsec_provider_info_set_property;

  /**
   * ParsecProviderInfo:id:
   *
   * The provider's wire identifier, a #ParsecProvider for known ones.
   *
   * Since: 1.0
   */
  properties[PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  /**
   * ParsecProviderInfo:uuid:
   *
   * The UUID of the provider's implementation.
   *
   * Since: 1.0
   */
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, "", flags);

  /**
   * ParsecProviderInfo:description:
   *
   * A description of the provider, in the service's words.
   *
   * Since: 1.0
   */
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, "", flags);

  /**
   * ParsecProviderInfo:vendor:
   *
   * Who made the provider's backend.
   *
   * Since: 1.0
   */
  properties[PROP_VENDOR] = g_param_spec_string ("vendor", NULL, NULL, "", flags);

  /**
   * ParsecProviderInfo:version-major:
   *
   * The major version of the provider.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION_MAJOR] = g_param_spec_uint ("version-major", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  /**
   * ParsecProviderInfo:version-minor:
   *
   * The minor version of the provider.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION_MINOR] = g_param_spec_uint ("version-minor", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  /**
   * ParsecProviderInfo:version-revision:
   *
   * The revision of the provider.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION_REVISION] = g_param_spec_uint ("version-revision", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
parsec_provider_info_init (ParsecProviderInfo *self)
{
}

/**
 * parsec_provider_info_get_id:
 * @self: a #ParsecProviderInfo
 *
 * Gets [property@Parsec.ProviderInfo:id].
 *
 * Returns: the provider's wire identifier
 *
 * Since: 1.0
 */
ParsecProvider
parsec_provider_info_get_id (ParsecProviderInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_PROVIDER_INFO (self), 0);
  return self->id;
}

/**
 * parsec_provider_info_get_uuid:
 * @self: a #ParsecProviderInfo
 *
 * Gets [property@Parsec.ProviderInfo:uuid].
 *
 * Returns: the UUID of the provider's implementation
 *
 * Since: 1.0
 */
const char *
parsec_provider_info_get_uuid (ParsecProviderInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_PROVIDER_INFO (self), NULL);
  return self->uuid;
}

/**
 * parsec_provider_info_get_description:
 * @self: a #ParsecProviderInfo
 *
 * Gets [property@Parsec.ProviderInfo:description].
 *
 * Returns: the description
 *
 * Since: 1.0
 */
const char *
parsec_provider_info_get_description (ParsecProviderInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_PROVIDER_INFO (self), NULL);
  return self->description;
}

/**
 * parsec_provider_info_get_vendor:
 * @self: a #ParsecProviderInfo
 *
 * Gets [property@Parsec.ProviderInfo:vendor].
 *
 * Returns: the vendor
 *
 * Since: 1.0
 */
const char *
parsec_provider_info_get_vendor (ParsecProviderInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_PROVIDER_INFO (self), NULL);
  return self->vendor;
}

/**
 * parsec_provider_info_get_version_major:
 * @self: a #ParsecProviderInfo
 *
 * Gets [property@Parsec.ProviderInfo:version-major].
 *
 * Returns: the major version
 *
 * Since: 1.0
 */
guint
parsec_provider_info_get_version_major (ParsecProviderInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_PROVIDER_INFO (self), 0);
  return self->version[0];
}

/**
 * parsec_provider_info_get_version_minor:
 * @self: a #ParsecProviderInfo
 *
 * Gets [property@Parsec.ProviderInfo:version-minor].
 *
 * Returns: the minor version
 *
 * Since: 1.0
 */
guint
parsec_provider_info_get_version_minor (ParsecProviderInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_PROVIDER_INFO (self), 0);
  return self->version[1];
}

/**
 * parsec_provider_info_get_version_revision:
 * @self: a #ParsecProviderInfo
 *
 * Gets [property@Parsec.ProviderInfo:version-revision].
 *
 * Returns: the revision
 *
 * Since: 1.0
 */
guint
parsec_provider_info_get_version_revision (ParsecProviderInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_PROVIDER_INFO (self), 0);
  return self->version[2];
}
