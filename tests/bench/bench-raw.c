/* bench-raw.c: the raw floor, one request and its response with plain
 * blocking system calls, shared by the benchmark's rows and its
 * instruction counts
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>

#include "bench-raw.h"
#include "parsec-wire-private.h"

/* The raw floor: what any client must do at least, with plain blocking
 * system calls and nothing else — socket, connect, one write, an exact
 * read of the header, an exact read of the body it announces, close. */

gboolean
read_exact (int     fd,
            guint8 *buf,
            gsize   len)
{
  gsize got = 0;

  while (got < len)
    {
      gssize n = read (fd, buf + got, len - got);

      if (n <= 0)
        {
          if (n < 0 && errno == EINTR)
            continue;
          return FALSE;
        }
      got += (gsize) n;
    }
  return TRUE;
}

gboolean
raw_call (const struct sockaddr_un  *addr,
          const guint8              *request,
          gsize                      request_len,
          GError                   **error)
{
  guint8 response[PARSEC_WIRE_HEADER_LEN + 1024];
  ParsecWireHeader header;
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    goto fail;
  if (connect (fd, (const struct sockaddr *) addr, sizeof *addr) < 0)
    goto fail;
  if (write (fd, request, request_len) != (gssize) request_len)
    goto fail;
  if (!read_exact (fd, response, PARSEC_WIRE_HEADER_LEN))
    goto fail;
  _parsec_wire_header_decode (response, &header);
  if (header.magic != PARSEC_WIRE_MAGIC || header.status != 0 ||
      header.body_len > sizeof response - PARSEC_WIRE_HEADER_LEN)
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "Unexpected raw response header");
      return FALSE;
    }
  if (!read_exact (fd, response + PARSEC_WIRE_HEADER_LEN, header.body_len))
    goto fail;
  close (fd);
  return TRUE;

fail:
  {
    int saved_errno = errno;

    if (fd >= 0)
      close (fd);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "Raw exchange failed: %s", g_strerror (saved_errno));
    return FALSE;
  }
}
