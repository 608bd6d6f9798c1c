/* fake-service.c: a scriptable stand-in for the Parsec service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <glib-unix.h>

#include "fake-service.h"
#include "list_authenticators.pb-c.h"
#include "list_providers.pb-c.h"
#include "ping.pb-c.h"

/* Generous: the fake waits for the client, not the other way round. */
#define READ_TIMEOUT_MS 10000

struct _FakeService {
  char *dir;
  char *path;
  char *endpoint;
  int listen_fd;
  int stop_pipe[2];
  GThread *thread;

  GMutex lock;
  FakeHandler handler;
  gpointer handler_data;
  guint request_count;
  GBytes *last_request;
  GArray *parked;               /* of int */
};

static gboolean
wait_readable (FakeService *self,
               int          fd,
               int          timeout_ms)
{
  struct pollfd fds[2] = {
    { .fd = fd, .events = POLLIN },
    { .fd = self->stop_pipe[0], .events = POLLIN },
  };

  int ready;

  /* A signal meant for another thread is no reason to stop serving. */
  do
    ready = poll (fds, 2, timeout_ms);
  while (ready < 0 && errno == EINTR);
  if (ready <= 0)
    return FALSE;
  return (fds[1].revents & POLLIN) == 0;
}

static gboolean
read_exact (FakeService *self,
            int          fd,
            guint8      *buf,
            gsize        len)
{
  gsize got = 0;

  while (got < len)
    {
      gssize n;

      if (!wait_readable (self, fd, READ_TIMEOUT_MS))
        return FALSE;
      n = read (fd, buf + got, len - got);
      if (n <= 0)
        return FALSE;
      got += (gsize) n;
    }
  return TRUE;
}

static void
write_all (int           fd,
           const guint8 *buf,
           gsize         len)
{
  while (len > 0)
    {
      gssize n = send (fd, buf, len, MSG_NOSIGNAL);

      if (n <= 0)
        return;
      buf += n;
      len -= (gsize) n;
    }
}

/* Whether the connection stays open, parked. */
static gboolean
serve_connection (FakeService *self,
                  int          fd)
{
  guint8 header_bytes[PARSEC_WIRE_HEADER_LEN];
  g_autofree guint8 *rest = NULL;
  g_autoptr(GBytes) reply = NULL;
  FakeRequest request = { 0 };
  FakeAction action = FAKE_ACTION_SEND;
  struct ucred cred;
  socklen_t cred_len = sizeof cred;
  FakeHandler handler;
  gpointer handler_data;
  gsize rest_len;

  if (!read_exact (self, fd, header_bytes, sizeof header_bytes))
    return FALSE;
  _parsec_wire_header_decode (header_bytes, &request.header);
  rest_len = (gsize) request.header.body_len + request.header.auth_len;
  if (rest_len > 4 * 1024 * 1024)
    return FALSE;
  rest = g_malloc (rest_len + 1);
  if (!read_exact (self, fd, rest, rest_len))
    return FALSE;
  request.body = g_bytes_new (rest, request.header.body_len);
  request.auth = g_bytes_new (rest + request.header.body_len, request.header.auth_len);
  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) == 0)
    request.peer_uid = cred.uid;

  g_mutex_lock (&self->lock);
  self->request_count++;
  g_clear_pointer (&self->last_request, g_bytes_unref);
  {
    GByteArray *all = g_byte_array_new ();

    g_byte_array_append (all, header_bytes, sizeof header_bytes);
    g_byte_array_append (all, rest, rest_len);
    self->last_request = g_byte_array_free_to_bytes (all);
  }
  handler = self->handler;
  handler_data = self->handler_data;
  g_mutex_unlock (&self->lock);

  reply = handler (&request, &action, handler_data);
  g_bytes_unref (request.body);
  g_bytes_unref (request.auth);

  if (action == FAKE_ACTION_CLOSE)
    return FALSE;
  if (reply != NULL)
    write_all (fd, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  if (action == FAKE_ACTION_SEND_HOLD)
    {
      /* Until the client gives up or the fake stops. */
      guint8 sink[64];

      while (wait_readable (self, fd, -1) && read (fd, sink, sizeof sink) > 0)
        ;
    }
  return action == FAKE_ACTION_PARK;
}

static gpointer
fake_service_thread (gpointer data)
{
  FakeService *self = data;

  while (wait_readable (self, self->listen_fd, -1))
    {
      int fd = accept4 (self->listen_fd, NULL, NULL, SOCK_CLOEXEC);

      if (fd < 0)
        continue;
      if (serve_connection (self, fd))
        {
          g_mutex_lock (&self->lock);
          g_array_append_val (self->parked, fd);
          g_mutex_unlock (&self->lock);
        }
      else
        close (fd);
    }
  return NULL;
}

static FakeService *
fake_service_create (gboolean    accepting,
                     const char *parent)
{
  FakeService *self = g_new0 (FakeService, 1);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  g_autoptr(GError) error = NULL;

  if (parent != NULL)
    {
      self->dir = g_build_filename (parent, "parsec-fake-XXXXXX", NULL);
      g_assert_nonnull (g_mkdtemp_full (self->dir, 0755));
    }
  else
    self->dir = g_dir_make_tmp ("parsec-fake-XXXXXX", &error);
  g_assert_no_error (error);
  self->path = g_build_filename (self->dir, "parsec.sock", NULL);
  self->endpoint = g_strconcat ("unix:", self->path, NULL);
  g_mutex_init (&self->lock);
  self->parked = g_array_new (FALSE, FALSE, sizeof (int));
  self->handler = fake_handler_default;
  self->handler_data = GUINT_TO_POINTER (1);

  self->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint (self->listen_fd, >=, 0);
  g_strlcpy (addr.sun_path, self->path, sizeof addr.sun_path);
  g_assert_cmpint (bind (self->listen_fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (listen (self->listen_fd, accepting ? 64 : 0), ==, 0);
  g_assert_true (g_unix_open_pipe (self->stop_pipe, FD_CLOEXEC, NULL));

  if (accepting)
    self->thread = g_thread_new ("fake-parsec", fake_service_thread, self);
  return self;
}

FakeService *
fake_service_new (void)
{
  return fake_service_create (TRUE, NULL);
}

FakeService *
fake_service_new_in (const char *parent)
{
  return fake_service_create (TRUE, parent);
}

FakeService *
fake_service_new_not_accepting (void)
{
  return fake_service_create (FALSE, NULL);
}

void
fake_service_free (FakeService *self)
{
  if (self == NULL)
    return;

  g_assert_cmpint (write (self->stop_pipe[1], "x", 1), ==, 1);
  if (self->thread != NULL)
    g_thread_join (self->thread);
  fake_service_close_parked (self);
  g_array_unref (self->parked);
  close (self->listen_fd);
  close (self->stop_pipe[0]);
  close (self->stop_pipe[1]);
  g_unlink (self->path);
  g_rmdir (self->dir);
  g_clear_pointer (&self->last_request, g_bytes_unref);
  g_mutex_clear (&self->lock);
  g_free (self->dir);
  g_free (self->path);
  g_free (self->endpoint);
  g_free (self);
}

const char *
fake_service_get_endpoint (FakeService *self)
{
  return self->endpoint;
}

const char *
fake_service_get_path (FakeService *self)
{
  return self->path;
}

void
fake_service_set_handler (FakeService *self,
                          FakeHandler  handler,
                          gpointer     user_data)
{
  g_mutex_lock (&self->lock);
  self->handler = handler;
  self->handler_data = user_data;
  g_mutex_unlock (&self->lock);
}

guint
fake_service_get_request_count (FakeService *self)
{
  guint count;

  g_mutex_lock (&self->lock);
  count = self->request_count;
  g_mutex_unlock (&self->lock);
  return count;
}

GBytes *
fake_service_dup_last_request (FakeService *self)
{
  GBytes *last;

  g_mutex_lock (&self->lock);
  last = self->last_request ? g_bytes_ref (self->last_request) : NULL;
  g_mutex_unlock (&self->lock);
  return last;
}

GBytes *
fake_response_new_raw (const ParsecWireHeader *header,
                       gconstpointer           body,
                       gsize                   body_len)
{
  guint8 *buf = g_malloc (PARSEC_WIRE_HEADER_LEN + body_len);

  _parsec_wire_header_encode (header, buf);
  if (body_len > 0)
    memcpy (buf + PARSEC_WIRE_HEADER_LEN, body, body_len);
  return g_bytes_new_take (buf, PARSEC_WIRE_HEADER_LEN + body_len);
}

GBytes *
fake_response_new (guint32                 opcode,
                   guint8                  provider,
                   guint16                 status,
                   const ProtobufCMessage *body)
{
  ParsecWireHeader header;
  gsize body_len = body ? protobuf_c_message_get_packed_size (body) : 0;
  g_autofree guint8 *packed = g_malloc (body_len + 1);

  if (body != NULL)
    protobuf_c_message_pack (body, packed);
  _parsec_wire_header_init_request (&header, provider, opcode, 0, (guint32) body_len, 0);
  header.status = status;
  return fake_response_new_raw (&header, packed, body_len);
}

GBytes *
fake_handler_default (const FakeRequest *request,
                      FakeAction        *action,
                      gpointer           user_data)
{
  switch (request->header.opcode)
    {
    case 0x01:
      {
        Ping__Result result = PING__RESULT__INIT;

        result.wire_protocol_version_maj = 1;
        return fake_response_new (0x01, 0, 0, &result.base);
      }
    case 0x08:
      {
        ListProviders__Result result = LIST_PROVIDERS__RESULT__INIT;
        ListProviders__ProviderInfo mbed = LIST_PROVIDERS__PROVIDER_INFO__INIT;
        ListProviders__ProviderInfo core = LIST_PROVIDERS__PROVIDER_INFO__INIT;
        ListProviders__ProviderInfo *list[] = { &mbed, &core };

        mbed.uuid = (char *) "1c1139dc-ad7c-47dc-ad6b-db6fdb466552";
        mbed.description = (char *) "Mbed Crypto provider";
        mbed.vendor = (char *) "Arm";
        mbed.version_min = 1;
        mbed.id = 1;
        core.uuid = (char *) "47049873-2a43-4845-9d72-831eab668784";
        core.description = (char *) "Software provider that implements only administrative operations";
        core.vendor = (char *) "Arm";
        core.version_min = 4;
        result.n_providers = 2;
        result.providers = list;
        return fake_response_new (0x08, 0, 0, &result.base);
      }
    case 0x0E:
      {
        ListAuthenticators__Result result = LIST_AUTHENTICATORS__RESULT__INIT;
        ListAuthenticators__AuthenticatorInfo auth = LIST_AUTHENTICATORS__AUTHENTICATOR_INFO__INIT;
        ListAuthenticators__AuthenticatorInfo *list[] = { &auth };

        auth.description = (char *) "fake authenticator";
        auth.version_maj = 1;
        auth.id = GPOINTER_TO_UINT (user_data);
        result.n_authenticators = 1;
        result.authenticators = list;
        return fake_response_new (0x0E, 0, 0, &result.base);
      }
    default:
      return fake_response_new (request->header.opcode, request->header.provider, 0, NULL);
    }
}

guint
fake_service_get_parked_count (FakeService *self)
{
  guint count;

  g_mutex_lock (&self->lock);
  count = self->parked->len;
  g_mutex_unlock (&self->lock);
  return count;
}

void
fake_service_close_parked (FakeService *self)
{
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->parked->len; i++)
    close (g_array_index (self->parked, int, i));
  g_array_set_size (self->parked, 0);
  g_mutex_unlock (&self->lock);
}
