/* parsec-authenticator-info.c: an authenticator the service runs
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"

/**
 * ParsecAuthenticatorInfo:
 *
 * What the service says about one of its authenticators, as returned by
 * [method@Parsec.Client.list_authenticators].
 *
 * The identifier is the #ParsecAuthType the authenticator checks; a newer
 * service may report others, kept as plain numbers.
 *
 * Since: 1.0
 */
struct _ParsecAuthenticatorInfo
{
  GObject parent_instance;

  guint id;
  char *description;
  guint version[3];
};

G_DEFINE_FINAL_TYPE (ParsecAuthenticatorInfo, parsec_authenticator_info, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_DESCRIPTION,
  PROP_VERSION_MAJOR,
  PROP_VERSION_MINOR,
  PROP_VERSION_REVISION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
parsec_authenticator_info_finalize (GObject *object)
{
  ParsecAuthenticatorInfo *self = PARSEC_AUTHENTICATOR_INFO (object);

  g_free (self->description);

  G_OBJECT_CLASS (parsec_authenticator_info_parent_class)->finalize (object);
}

static void
parsec_authenticator_info_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ParsecAuthenticatorInfo *self = PARSEC_AUTHENTICATOR_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_uint (value, self->id);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
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
parsec_authenticator_info_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ParsecAuthenticatorInfo *self = PARSEC_AUTHENTICATOR_INFO (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_uint (value);
      break;
    case PROP_DESCRIPTION:
      self->description = g_value_dup_string (value);
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
parsec_authenticator_info_class_init (ParsecAuthenticatorInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = parsec_authenticator_info_finalize;
  object_class->get_property = parsec_authenticator_info_get_property;
  object_class->set_property = parsec_authenticator_info_set_property;

  /**
   * ParsecAuthenticatorInfo:id:
   *
   * The authentication type this authenticator checks, a #ParsecAuthType for known ones.
   *
   * Since: 1.0
   */
  properties[PROP_ID] = g_param_spec_uint ("id", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  /**
   * ParsecAuthenticatorInfo:description:
   *
   * A description of the authenticator, in the service's words.
   *
   * Since: 1.0
   */
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, "", flags);

  /**
   * ParsecAuthenticatorInfo:version-major:
   *
   * The major version of the authenticator.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION_MAJOR] = g_param_spec_uint ("version-major", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  /**
   * ParsecAuthenticatorInfo:version-minor:
   *
   * The minor version of the authenticator.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION_MINOR] = g_param_spec_uint ("version-minor", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  /**
   * ParsecAuthenticatorInfo:version-revision:
   *
   * The revision of the authenticator.
   *
   * Since: 1.0
   */
  properties[PROP_VERSION_REVISION] = g_param_spec_uint ("version-revision", NULL, NULL, 0, G_MAXUINT32, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
parsec_authenticator_info_init (ParsecAuthenticatorInfo *self)
{
}

/**
 * parsec_authenticator_info_get_id:
 * @self: a #ParsecAuthenticatorInfo
 *
 * Gets [property@Parsec.AuthenticatorInfo:id].
 *
 * Returns: the authentication type, a #ParsecAuthType for known ones
 *
 * Since: 1.0
 */
guint
parsec_authenticator_info_get_id (ParsecAuthenticatorInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_AUTHENTICATOR_INFO (self), 0);
  return self->id;
}

/**
 * parsec_authenticator_info_get_description:
 * @self: a #ParsecAuthenticatorInfo
 *
 * Gets [property@Parsec.AuthenticatorInfo:description].
 *
 * Returns: the description
 *
 * Since: 1.0
 */
const char *
parsec_authenticator_info_get_description (ParsecAuthenticatorInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_AUTHENTICATOR_INFO (self), NULL);
  return self->description;
}

/**
 * parsec_authenticator_info_get_version_major:
 * @self: a #ParsecAuthenticatorInfo
 *
 * Gets [property@Parsec.AuthenticatorInfo:version-major].
 *
 * Returns: the major version
 *
 * Since: 1.0
 */
guint
parsec_authenticator_info_get_version_major (ParsecAuthenticatorInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_AUTHENTICATOR_INFO (self), 0);
  return self->version[0];
}

/**
 * parsec_authenticator_info_get_version_minor:
 * @self: a #ParsecAuthenticatorInfo
 *
 * Gets [property@Parsec.AuthenticatorInfo:version-minor].
 *
 * Returns: the minor version
 *
 * Since: 1.0
 */
guint
parsec_authenticator_info_get_version_minor (ParsecAuthenticatorInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_AUTHENTICATOR_INFO (self), 0);
  return self->version[1];
}

/**
 * parsec_authenticator_info_get_version_revision:
 * @self: a #ParsecAuthenticatorInfo
 *
 * Gets [property@Parsec.AuthenticatorInfo:version-revision].
 *
 * Returns: the revision
 *
 * Since: 1.0
 */
guint
parsec_authenticator_info_get_version_revision (ParsecAuthenticatorInfo *self)
{
  g_return_val_if_fail (PARSEC_IS_AUTHENTICATOR_INFO (self), 0);
  return self->version[2];
}
