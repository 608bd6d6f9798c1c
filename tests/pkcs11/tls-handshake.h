/* tls-handshake.h: certificates and a handshake on loopback for the TLS tests
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A server on loopback requires a client certificate (and accepts any,
 * since what the tests check is that the client's key signs); the client
 * connects through a GSocketClient and sets its certificate as the
 * handshake starts.
 */
#pragma once

#include <gio/gio.h>
#include <gnutls/abstract.h>

#define TLS_SERVER_NAME "localhost"

/* A certificate for @subject named @cn, issued in @issuer_cn's name and
 * signed with @signer, in PEM. */
char            *tls_certificate_pem        (gnutls_pubkey_t   subject,
                                             const char       *cn,
                                             gnutls_privkey_t  signer,
                                             const char       *issuer_cn);
char            *tls_self_signed            (gnutls_privkey_t  key,
                                             const char       *cn);
/* The server's self-signed certificate and software key; @key, if not
 * NULL, gets the key too, to issue client certificates with. */
GTlsCertificate *tls_server_certificate_new (gnutls_privkey_t *key);

typedef struct {
  GMainLoop *loop;
  GTlsCertificate *server_certificate;
  GTlsCertificate *client_certificate;
  GTlsConnection *server;
  GIOStream *client_stream;
  GError *server_error;
  GError *client_error;
  GTlsCertificate *peer;     /* the client's certificate, as the server saw it */
  guint pending;
  guint speaker;
} TlsHandshake;

void             tls_run_handshake          (TlsHandshake     *h,
                                             GTlsCertificate  *server_certificate,
                                             GTlsCertificate  *client_certificate);
void             tls_handshake_clear        (TlsHandshake     *h);
