/* frontend.c: the listener and one non-blocking request per connection
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A connection reads exactly what the header announces, in the stages
 * the real service reads it (wire_header_1_0.rs, request/mod.rs), so each
 * malformed request is answered at the same point and with the same
 * status: magic, header size, version, reserved bytes, body size limit
 * (before any body byte is read), then body and auth, then the header's
 * enumerated values. Those failures get the default response header
 * (provider 0, session 0, opcode Ping); everything after them echoes the
 * request's provider, session and opcode.
 *
 * A peer that makes no progress for the timeout is sent ConnectionError
 * and dropped, like the service whose reads and writes time out.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include "parsec-secure-private.h"
#include "parsec-wire-private.h"
#include "test-service.h"

/* The opcode of the default response header. */
#define OPCODE_PING 0x01

struct _Frontend
{
  Service *service;
  GSocket *listener;
  GSource *accept_source;
  char *socket_path;
  GHashTable *connections;       /* Connection* set */
};

typedef enum {
  STAGE_MAGIC,
  STAGE_HEADER_SIZE,
  STAGE_HEADER,
  STAGE_PAYLOAD,
  STAGE_RESPONSE,
} Stage;

typedef struct {
  Frontend *frontend;
  GSocket *socket;
  uid_t peer_uid;
  GSource *io_source;
  GIOCondition watched;
  GSource *timeout_source;
  Stage stage;

  /* The current read or write: @need bytes at @target, @done of them so far. */
  guint8 *target;
  gsize need;
  gsize done;

  guint8 header[PARSEC_WIRE_HEADER_LEN];
  guint8 *header_rest;           /* the bytes after the size field when it is not 30 */
  ParsecWireHeader request;
  guint8 *payload;               /* body ‖ auth, wiped on free */
  guint8 *response;              /* header ‖ body, wiped on free */
} Connection;

static gboolean connection_watch (Connection *conn);
static void     connection_restart_timer (Connection *conn);

static void
connection_close (Connection *conn)
{
  g_hash_table_remove (conn->frontend->connections, conn);
}

static void
connection_free (Connection *conn)
{
  if (conn->io_source != NULL)
    {
      g_source_destroy (conn->io_source);
      g_source_unref (conn->io_source);
    }
  if (conn->timeout_source != NULL)
    {
      g_source_destroy (conn->timeout_source);
      g_source_unref (conn->timeout_source);
    }
  g_socket_close (conn->socket, NULL);
  g_object_unref (conn->socket);
  g_free (conn->header_rest);
  secure_free (conn->payload);
  secure_free (conn->response);
  g_free (conn);
}

static void
connection_expect (Connection *conn,
                   Stage       stage,
                   guint8     *target,
                   gsize       need)
{
  conn->stage = stage;
  conn->target = target;
  conn->need = need;
  conn->done = 0;
}

static void
connection_respond (Connection   *conn,
                    gboolean      echo_request,
                    guint16       status,
                    const guint8 *body,
                    gsize         body_len)
{
  ParsecWireHeader header = {
    .magic = PARSEC_WIRE_MAGIC,
    .header_size = PARSEC_WIRE_HEADER_SIZE_FIELD,
    .version_major = PARSEC_WIRE_VERSION_MAJOR,
    .version_minor = PARSEC_WIRE_VERSION_MINOR,
    .content_type = PARSEC_WIRE_CONTENT_PROTOBUF,
    .body_len = body_len,
    .opcode = OPCODE_PING,
    .status = status,
  };

  if (echo_request)
    {
      header.provider = conn->request.provider;
      header.session = conn->request.session;
      header.content_type = conn->request.accept_type;
      header.opcode = conn->request.opcode;
    }

  conn->response = secure_alloc (PARSEC_WIRE_HEADER_LEN + body_len);
  _parsec_wire_header_encode (&header, conn->response);
  if (body_len > 0)
    memcpy (conn->response + PARSEC_WIRE_HEADER_LEN, body, body_len);
  connection_expect (conn, STAGE_RESPONSE, conn->response, PARSEC_WIRE_HEADER_LEN + body_len);
}

/* The enumerated header fields are checked once the whole request is in,
 * in the service's order (request_header.rs). */
static guint16
check_header_values (const ParsecWireHeader *header)
{
  if (header->content_type != PARSEC_WIRE_CONTENT_PROTOBUF)
    return STATUS_CONTENT_TYPE_NOT_SUPPORTED;
  if (header->accept_type != PARSEC_WIRE_CONTENT_PROTOBUF)
    return STATUS_ACCEPT_TYPE_NOT_SUPPORTED;
  if (header->auth_type > AUTH_TYPE_MAX)
    return STATUS_AUTHENTICATOR_DOES_NOT_EXIST;
  if (service_find_op (header->opcode) == NULL)
    return STATUS_OPCODE_DOES_NOT_EXIST;
  if (header->provider > PROVIDER_ID_MAX)
    return STATUS_PROVIDER_DOES_NOT_EXIST;
  return STATUS_SUCCESS;
}

static void
connection_handle_request (Connection *conn)
{
  const ParsecWireHeader *request = &conn->request;
  guint8 *body = NULL;
  gsize body_len = 0;
  guint16 status;

  status = check_header_values (request);
  if (status != STATUS_SUCCESS)
    {
      connection_respond (conn, FALSE, status, NULL, 0);
      return;
    }

  /* One line per request whose header parsed, for tests that count what
   * a client sends; open= is the connections accepted and not yet closed,
   * this one included, for tests of how many a client keeps open. */
  if (conn->frontend->service->request_log != NULL)
    {
      fprintf (conn->frontend->service->request_log, "%s provider=%u auth=%u open=%u\n",
               _parsec_opcode_get_name (request->opcode), request->provider, request->auth_type,
               g_hash_table_size (conn->frontend->connections));
      fflush (conn->frontend->service->request_log);
    }

  status = service_dispatch (conn->frontend->service, request->auth_type,
                             conn->payload + request->body_len, request->auth_len,
                             conn->peer_uid, request->provider, request->opcode,
                             conn->payload, request->body_len, &body, &body_len);
  connection_respond (conn, TRUE, status, body, body_len);
  secure_free (body);
}

/* Moves to the next stage once the current one has all its bytes. */
static void
connection_advance (Connection *conn)
{
  guint16 header_size;

  switch (conn->stage)
    {
    case STAGE_MAGIC:
      _parsec_wire_header_decode (conn->header, &conn->request);
      if (conn->request.magic != PARSEC_WIRE_MAGIC)
        connection_respond (conn, FALSE, STATUS_INVALID_HEADER, NULL, 0);
      else
        connection_expect (conn, STAGE_HEADER_SIZE, conn->header + 4, 2);
      break;

    case STAGE_HEADER_SIZE:
      header_size = conn->header[4] | (conn->header[5] << 8);
      /* The service reads as many bytes as announced before it judges
       * the size. */
      if (header_size == PARSEC_WIRE_HEADER_SIZE_FIELD)
        connection_expect (conn, STAGE_HEADER, conn->header + PARSEC_WIRE_PREFIX_LEN, header_size);
      else
        {
          /* Never NULL, even for a size of 0: it marks the bad size. */
          conn->header_rest = g_malloc (MAX (header_size, 1));
          connection_expect (conn, STAGE_HEADER, conn->header_rest, header_size);
        }
      break;

    case STAGE_HEADER:
      _parsec_wire_header_decode (conn->header, &conn->request);
      if (conn->header_rest != NULL)
        connection_respond (conn, FALSE, STATUS_INVALID_HEADER, NULL, 0);
      else if (conn->request.version_major != PARSEC_WIRE_VERSION_MAJOR ||
               conn->request.version_minor != PARSEC_WIRE_VERSION_MINOR)
        connection_respond (conn, FALSE, STATUS_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED, NULL, 0);
      else if (conn->request.reserved1 != 0 || conn->request.reserved2 != 0)
        connection_respond (conn, FALSE, STATUS_INVALID_HEADER, NULL, 0);
      else if (conn->request.body_len > PARSEC_WIRE_SERVICE_BODY_LIMIT)
        connection_respond (conn, FALSE, STATUS_BODY_SIZE_EXCEEDS_LIMIT, NULL, 0);
      else
        {
          gsize len = (gsize) conn->request.body_len + conn->request.auth_len;

          conn->payload = secure_alloc (len);
          connection_expect (conn, STAGE_PAYLOAD, conn->payload, len);
        }
      break;

    case STAGE_PAYLOAD:
      connection_handle_request (conn);
      break;

    case STAGE_RESPONSE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
connection_timed_out (gpointer user_data)
{
  Connection *conn = user_data;

  g_clear_pointer (&conn->timeout_source, g_source_unref);
  if (conn->stage == STAGE_RESPONSE)
    {
      g_debug ("Dropping a client that does not read its response");
      connection_close (conn);
    }
  else
    {
      /* What a read that timed out gives in the service. */
      connection_respond (conn, FALSE, STATUS_CONNECTION_ERROR, NULL, 0);
      connection_restart_timer (conn);
      connection_watch (conn);
    }
  return G_SOURCE_REMOVE;
}

static void
connection_restart_timer (Connection *conn)
{
  if (conn->timeout_source != NULL)
    {
      g_source_destroy (conn->timeout_source);
      g_source_unref (conn->timeout_source);
    }
  conn->timeout_source = g_timeout_source_new (conn->frontend->service->timeout_ms);
  g_source_set_callback (conn->timeout_source, connection_timed_out, conn, NULL);
  g_source_attach (conn->timeout_source, NULL);
}

/* Does what can be done without blocking. Returns FALSE when the
 * connection is finished and must be closed. */
static gboolean
connection_step (Connection *conn)
{
  while (conn->done < conn->need || conn->stage != STAGE_RESPONSE)
    {
      g_autoptr(GError) error = NULL;
      gssize n;

      if (conn->done == conn->need)
        {
          connection_advance (conn);
          continue;
        }

      if (conn->stage == STAGE_RESPONSE)
        n = g_socket_send (conn->socket, (const char *) conn->target + conn->done,
                           conn->need - conn->done, NULL, &error);
      else
        n = g_socket_receive (conn->socket, (char *) conn->target + conn->done,
                              conn->need - conn->done, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return TRUE;
      if (n < 0 && conn->stage == STAGE_RESPONSE)
        return FALSE;
      if (n <= 0)
        {
          /* The peer is gone or hung up mid-request: the service's read
           * fails and it still tries to say so. */
          connection_respond (conn, FALSE, STATUS_CONNECTION_ERROR, NULL, 0);
          continue;
        }

      conn->done += n;
      connection_restart_timer (conn);
    }
  return FALSE;
}

static gboolean
connection_ready (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  Connection *conn = user_data;

  if (!connection_step (conn))
    {
      connection_close (conn);
      return G_SOURCE_REMOVE;
    }
  return connection_watch (conn) ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* Waits for the direction the current stage needs; returns whether it
 * replaced the watch that was in place. */
static gboolean
connection_watch (Connection *conn)
{
  GIOCondition condition = (conn->stage == STAGE_RESPONSE ? G_IO_OUT : G_IO_IN) | G_IO_HUP | G_IO_ERR;

  if (conn->io_source != NULL && conn->watched == condition)
    return FALSE;

  if (conn->io_source != NULL)
    {
      g_source_destroy (conn->io_source);
      g_source_unref (conn->io_source);
    }
  conn->watched = condition;
  conn->io_source = g_socket_create_source (conn->socket, condition, NULL);
  g_source_set_callback (conn->io_source, G_SOURCE_FUNC (connection_ready), conn, NULL);
  g_source_attach (conn->io_source, NULL);
  return TRUE;
}

static void
frontend_add_connection (Frontend *frontend,
                         GSocket  *socket)
{
  Connection *conn = g_new0 (Connection, 1);
  g_autoptr(GCredentials) credentials = g_socket_get_credentials (socket, NULL);

  conn->frontend = frontend;
  conn->socket = g_object_ref (socket);
  conn->peer_uid = credentials != NULL ? g_credentials_get_unix_user (credentials, NULL) : (uid_t) -1;
  g_socket_set_blocking (socket, FALSE);
  connection_expect (conn, STAGE_MAGIC, conn->header, 4);
  g_hash_table_add (frontend->connections, conn);
  connection_restart_timer (conn);
  connection_watch (conn);
}

static gboolean
frontend_accept (GSocket      *listener,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  Frontend *frontend = user_data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_accept (listener, NULL, &error);

      if (socket == NULL)
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_warning ("Cannot accept a connection: %s", error->message);
          break;
        }
      frontend_add_connection (frontend, socket);
    }
  return G_SOURCE_CONTINUE;
}

Frontend *
frontend_new (Service     *service,
              const char  *socket_path,
              GError     **error)
{
  g_autoptr(GSocket) listener = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  Frontend *frontend;

  listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (listener == NULL)
    return NULL;

  /* Like the service: a stale socket file from an earlier run goes. */
  (void) g_unlink (socket_path);
  address = g_unix_socket_address_new (socket_path);
  g_socket_set_listen_backlog (listener, SOMAXCONN);
  if (!g_socket_bind (listener, address, FALSE, error) || !g_socket_listen (listener, error))
    return NULL;
  g_socket_set_blocking (listener, FALSE);
  (void) g_chmod (socket_path, 0666);

  frontend = g_new0 (Frontend, 1);
  frontend->service = service;
  frontend->listener = g_steal_pointer (&listener);
  frontend->socket_path = g_strdup (socket_path);
  frontend->connections = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) connection_free, NULL);
  frontend->accept_source = g_socket_create_source (frontend->listener, G_IO_IN, NULL);
  g_source_set_callback (frontend->accept_source, G_SOURCE_FUNC (frontend_accept), frontend, NULL);
  g_source_attach (frontend->accept_source, NULL);
  return frontend;
}

void
frontend_free (Frontend *frontend)
{
  if (frontend == NULL)
    return;
  g_source_destroy (frontend->accept_source);
  g_source_unref (frontend->accept_source);
  g_hash_table_destroy (frontend->connections);
  g_socket_close (frontend->listener, NULL);
  g_object_unref (frontend->listener);
  (void) g_unlink (frontend->socket_path);
  g_free (frontend->socket_path);
  g_free (frontend);
}
