/* parsec-client-private.h: the one generic request path every operation uses
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <protobuf-c/protobuf-c.h>

#include "parsec-glib.h"
#include "list_opcodes.pb-c.h"

G_BEGIN_DECLS

/* Whether a request carries the client's authentication. */
typedef enum {
  PARSEC_CALL_AUTH_NONE,       /* discovery and ping, as the official clients send them */
  PARSEC_CALL_AUTH_REQUIRED,   /* found by discovery first if need be */
  PARSEC_CALL_AUTH_IF_KNOWN,   /* sent when known, never worth a discovery */
} ParsecCallAuth;

/* What to add to the message of a service error with @status: the cause
 * that known services have for it. */
typedef struct {
  guint status;
  const char *text;
} ParsecHint;

typedef struct {
  guint32 opcode;
  ParsecCallAuth auth;
  const ProtobufCMessageDescriptor *result_type;
  /* The hint for a request, or NULL; the service's bugs that are seen from
   * the request alone. */
  const ParsecHint *(*hint) (const ProtobufCMessage *operation);
  /* The length the request fixes for the bytes in field 1 of the result,
   * or 0 where it fixes none; another length is a protocol violation. */
  gsize (*result_length) (const ProtobufCMessage *operation);
  /* For a list in field 1 of the result: the most entries accepted,
   * counted before anything is decoded; 0 for a result that is no list. */
  guint max_entries;
} ParsecOperation;

/* The list bounds (documented with the list operations). Provider,
 * authenticator and operation ids are small numbers, so their lists are
 * short; keys and clients are the service's to count. */
#define PARSEC_LIST_MAX_IDS     256
#define PARSEC_LIST_MAX_ENTRIES 16384

/* Receives the task (transfer full) and the decoded result (owned by the
 * caller, valid during the call); must return a value on the task. */
typedef void (*ParsecCallDone) (GTask            *task,
                                ProtobufCMessage *result);

/* What a call needs to know of the service before its request is
 * written. Discovery finds it on first need, once per client. */
typedef enum {
  PARSEC_NEEDS_NOTHING  = 0,
  PARSEC_NEEDS_PROVIDER = 1 << 0,   /* the implicit provider */
  PARSEC_NEEDS_AUTH     = 1 << 1,   /* the authentication type and data */
} ParsecNeeds;

/* Tells the client that discovery recorded what @learned names; the first
 * report of each notifies its property on the client's context. Called
 * outside the discovery lock. */
void              _parsec_client_learned    (ParsecClient           *self,
                                             ParsecNeeds             learned);

/* As the provider of a call: the implicit provider, once known. */
#define PARSEC_PROVIDER_IMPLICIT 0x100u

/* Sends the request of @operation to @provider (a provider id or
 * PARSEC_PROVIDER_IMPLICIT) after any discovery it needs, and decodes the
 * result. */
ProtobufCMessage *_parsec_client_call       (ParsecClient           *self,
                                             const ParsecOperation  *op,
                                             guint                   provider,
                                             const ProtobufCMessage *operation,
                                             GCancellable           *cancellable,
                                             GError                **error);

void              _parsec_client_call_async (ParsecClient           *self,
                                             const ParsecOperation  *op,
                                             guint                   provider,
                                             const ProtobufCMessage *operation,
                                             GTask                  *task,
                                             ParsecCallDone          done);

/* Makes sure the client knows what @needs names, asking the service the
 * first time. The asynchronous form works on the context and cancellable
 * of @task and calls @discovered there, with an error (transfer full) or
 * NULL. */
typedef void (*ParsecDiscovered) (gpointer  user_data,
                                  GError   *error);

gboolean          _parsec_client_discover   (ParsecClient           *self,
                                             ParsecNeeds             needs,
                                             GCancellable           *cancellable,
                                             GError                **error);
void              _parsec_client_discover_async (ParsecClient       *self,
                                             ParsecNeeds             needs,
                                             GTask                  *task,
                                             ParsecDiscovered        discovered,
                                             gpointer                user_data);

/* Runs an operation whose request @operation was built by the caller; a
 * NULL @operation means building failed with @build_error (transfer
 * full), which the call then reports. */
void              _parsec_client_start      (ParsecClient           *self,
                                             const ParsecOperation  *op,
                                             gboolean                crypto,
                                             const ProtobufCMessage *operation,
                                             GError                 *build_error,
                                             GCancellable           *cancellable,
                                             GAsyncReadyCallback     callback,
                                             gpointer                user_data,
                                             gpointer                source_tag,
                                             ParsecCallDone          done);
ProtobufCMessage *_parsec_client_run        (ParsecClient           *self,
                                             const ParsecOperation  *op,
                                             gboolean                crypto,
                                             const ProtobufCMessage *operation,
                                             GError                 *build_error,
                                             GCancellable           *cancellable,
                                             GError                **error);

/* Results: nothing (TRUE), or the bytes in field 1 of the Result, kept in
 * wiping memory when they are a secret. */
void              _parsec_call_done_boolean (GTask                  *task,
                                             ProtobufCMessage       *result);
void              _parsec_call_done_bytes   (GTask                  *task,
                                             ProtobufCMessage       *result);
void              _parsec_call_done_secret  (GTask                  *task,
                                             ProtobufCMessage       *result);
GBytes           *_parsec_result_bytes      (ProtobufCMessage       *result,
                                             gboolean                secret);
GBytes           *_parsec_result_take_bytes (ProtobufCMessage       *result,
                                             gboolean                secret);
ProtobufCBinaryData _parsec_binary_from_bytes (GBytes               *bytes);

GTask            *_parsec_client_task_new   (ParsecClient           *self,
                                             GCancellable           *cancellable,
                                             GAsyncReadyCallback     callback,
                                             gpointer                user_data,
                                             gpointer                source_tag,
                                             const char             *name);

void              _parsec_message_free      (ProtobufCMessage       *message);

void              _parsec_list_opcodes_operation_init (ListOpcodes__Operation *operation,
                                                       guint8                  provider);
char             *_parsec_utf8_from_service (const char             *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProtobufCMessage, _parsec_message_free)

/* Conversions shared by the discovery in initialisation and the public
 * list operations. */
GPtrArray        *_parsec_providers_from_result      (ProtobufCMessage *result);
GPtrArray        *_parsec_authenticators_from_result (ProtobufCMessage *result);

extern const ParsecOperation _parsec_op_list_providers;
extern const ParsecOperation _parsec_op_list_authenticators;
extern const ParsecOperation _parsec_op_list_opcodes;

G_END_DECLS
