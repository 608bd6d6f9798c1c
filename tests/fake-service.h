/* fake-service.h: a scriptable stand-in for the Parsec service
 *
 * It answers each connection from a handler run in its own thread, so it
 * can serve both synchronous and asynchronous clients, and can be told to
 * misbehave in every way the client must survive.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <gio/gio.h>
#include <protobuf-c/protobuf-c.h>

#include "parsec-wire-private.h"

G_BEGIN_DECLS

typedef struct _FakeService FakeService;

typedef struct {
  ParsecWireHeader header;
  GBytes *body;
  GBytes *auth;
  guint32 peer_uid;
} FakeRequest;

/* What the fake does with a connection. */
typedef enum {
  FAKE_ACTION_SEND,       /* send the bytes, then close */
  FAKE_ACTION_SEND_HOLD,  /* send the bytes, then keep the connection open */
  FAKE_ACTION_CLOSE,      /* close without answering */
  FAKE_ACTION_PARK,       /* send the bytes, keep the connection open and serve
                           * the next ones: fake_service_close_parked() or the
                           * fake's end closes it */
} FakeAction;

/* Returns the bytes to send (may be NULL for nothing). */
typedef GBytes *(*FakeHandler) (const FakeRequest *request,
                                FakeAction        *action,
                                gpointer           user_data);

FakeService *fake_service_new                (void);
/* In a new directory (mode 0755) under @parent rather than in /tmp. */
FakeService *fake_service_new_in             (const char *parent);
/* A fake whose listening socket exists but never accepts: connections
 * queue until the backlog is full. */
FakeService *fake_service_new_not_accepting  (void);
void         fake_service_free               (FakeService *self);
const char  *fake_service_get_endpoint       (FakeService *self);
const char  *fake_service_get_path           (FakeService *self);
void         fake_service_set_handler        (FakeService *self,
                                              FakeHandler  handler,
                                              gpointer     user_data);
guint        fake_service_get_request_count  (FakeService *self);
/* The last request received, or NULL (transfer full). */
GBytes      *fake_service_dup_last_request   (FakeService *self);
/* The connections parked by FAKE_ACTION_PARK and not closed yet. */
guint        fake_service_get_parked_count   (FakeService *self);
void         fake_service_close_parked       (FakeService *self);

/* The handler of a well-behaved service: discovery (Mbed Crypto and core
 * providers, one authenticator of the type in user_data), Ping 1.0, and
 * success with an empty body for anything else. */
GBytes      *fake_handler_default            (const FakeRequest *request,
                                              FakeAction        *action,
                                              gpointer           user_data);

GBytes      *fake_response_new               (guint32                 opcode,
                                              guint8                  provider,
                                              guint16                 status,
                                              const ProtobufCMessage *body);
GBytes      *fake_response_new_raw           (const ParsecWireHeader *header,
                                              gconstpointer           body,
                                              gsize                   body_len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeService, fake_service_free)

G_END_DECLS
