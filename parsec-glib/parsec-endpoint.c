/* parsec-endpoint.c: from a `unix:` URI to a socket path
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>
#include <sys/un.h>

#include "parsec-endpoint-private.h"
#include "parsec-glib.h"

/* Returns the absolute socket path of a `unix:/path` or `unix:///path`
 * endpoint, percent-decoded. Anything the service could not be listening
 * on is refused here rather than at connect time, with a message that
 * says how to write the endpoint. */
char *
_parsec_endpoint_parse (const char  *endpoint,
                        GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  const char *host;

  if (endpoint == NULL || *endpoint == '\0')
    {
      g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                           "The Parsec endpoint is empty; use a URI such as unix:/run/parsec/parsec.sock");
      return NULL;
    }

  if (endpoint[0] == '/')
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   "The Parsec endpoint \"%s\" is a bare path; write it as a URI: unix:%s",
                   endpoint, endpoint);
      return NULL;
    }

  uri = g_uri_parse (endpoint, G_URI_FLAGS_ENCODED_PATH, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   "The Parsec endpoint \"%s\" is not a valid URI: %s",
                   endpoint, local_error->message);
      return NULL;
    }

  if (g_ascii_strcasecmp (g_uri_get_scheme (uri), "unix") != 0)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   "The Parsec endpoint \"%s\" uses the scheme \"%s\"; the service only listens on Unix sockets (unix:/path/to/socket)",
                   endpoint, g_uri_get_scheme (uri));
      return NULL;
    }

  host = g_uri_get_host (uri);
  if ((host != NULL && *host != '\0') || g_uri_get_port (uri) != -1 ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   "The Parsec endpoint \"%s\" names a host; a Unix socket is local: write unix:/path or unix:///path",
                   endpoint);
      return NULL;
    }

  if (g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   "The Parsec endpoint \"%s\" has a query or fragment, which a socket path cannot have",
                   endpoint);
      return NULL;
    }

  path = g_uri_unescape_string (g_uri_get_path (uri), NULL);
  if (path == NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   "The Parsec endpoint \"%s\" has an invalid percent-encoding in its path",
                   endpoint);
      return NULL;
    }

  if (path[0] != '/')
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   "The Parsec endpoint \"%s\" has a relative path; the socket path must be absolute (unix:/path)",
                   endpoint);
      return NULL;
    }

  if (strlen (path) >= sizeof (((struct sockaddr_un *) NULL)->sun_path))
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT,
                   "The Parsec endpoint's socket path is %zu bytes long; Unix sockets allow at most %zu",
                   strlen (path), sizeof (((struct sockaddr_un *) NULL)->sun_path) - 1);
      return NULL;
    }

  return g_steal_pointer (&path);
}
