/* parsec-client-auth.c: how the client authenticates its requests
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-secure-private.h"

/* Authentication */

/* The authentication data @type sends: NULL for none and for JWT-SVID,
 * whose token is read at each request. */
static gboolean
auth_data_for_type (ParsecClient    *self,
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
                               _("The Parsec service authenticates applications by name, and this one has none: "
                                 "set ParsecClient:application-name, or give the default GApplication an application id"));
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
                   _("parsec-glib cannot authenticate with authentication type %u"), type);
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

/* The authentication type of an explicit [property@Parsec.Client:auth-method], or
 * with %PARSEC_AUTH_METHOD_AUTO the first of @authenticators the client
 * can serve. */
static gboolean
choose_auth_type (ParsecClient    *self,
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
               _("The Parsec service offers no authenticator this client can serve (authentication types offered: %s; "
                 "JWT-SVID needs ParsecClient:jwt-svid-token)"), offered->str);
  return FALSE;
}

/* Settles the authentication: the configured method, or with
 * PARSEC_AUTH_METHOD_AUTO the first of the service's authenticators in
 * @result that the client can serve. What is settled first stays. */
gboolean
_parsec_client_learn_auth (ParsecClient      *self,
                   ProtobufCMessage  *result,
                   GError           **error)
{
  g_autoptr(GPtrArray) authenticators = NULL;
  g_autoptr(GBytes) auth_data = NULL;
  ParsecAuthType type;

  if (result != NULL)
    authenticators = _parsec_authenticators_from_result (result);
  if (!choose_auth_type (self, authenticators, &type, error) ||
      !auth_data_for_type (self, type, &auth_data, error))
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
