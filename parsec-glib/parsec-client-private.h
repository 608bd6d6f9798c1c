/* parsec-client-private.h: the one generic request path every operation uses
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <protobuf-c/protobuf-c.h>

#include "parsec-glib.h"
#include "list_opcodes.pb-c.h"
#include "parsec-endpoint-private.h"

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

typedef enum {
  PARSEC_CALL_POLICY_HINT = 1 << 0,   /* explain refusals by a policy that may have changed */
} ParsecCallFlags;

/* Where an operation on a key goes and whose task reports it: the
 * client's implicit provider for the name-based calls, the key's own
 * provider for the methods of #ParsecKey. */
typedef struct {
  ParsecClient *client;
  gpointer source_object;        /* the task's: the client or the key */
  guint provider;                /* a provider id, or PARSEC_PROVIDER_IMPLICIT */
  gpointer source_tag;
  ParsecCallFlags flags;
} ParsecTarget;

#define PARSEC_CLIENT_TARGET(self, tag) \
  ((ParsecTarget) { (self), (self), PARSEC_PROVIDER_IMPLICIT, (gpointer) (tag), 0 })
#define PARSEC_CORE_TARGET(self, tag) \
  ((ParsecTarget) { (self), (self), PARSEC_PROVIDER_CORE, (gpointer) (tag), 0 })

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

/* The client's state, shared by its configuration, authentication and
 * call files. */
/* The bound on the calls of a client (and its duplicates) in flight:
 * a counting semaphore whose waiters, synchronous and asynchronous, are
 * served in the order they came. */
typedef struct _ParsecSlots ParsecSlots;

ParsecSlots      *_parsec_slots_new         (guint                   max);
ParsecSlots      *_parsec_slots_ref         (ParsecSlots            *slots);
void              _parsec_slots_unref       (ParsecSlots            *slots);

struct _ParsecClient
{
  GObject parent_instance;

  /* Configuration, fixed at construction. Initialisation replaces the
   * "unset" values (NULL, -1, 0, PARSEC_TRUST_POLICY_DEFAULT) with the
   * values in force; the AUTO ones stay, for discovery to decide. */
  char *endpoint;
  char *application_name;        /* secure memory: direct authentication sends it */
  ParsecAuthMethod auth_method;
  ParsecProvider provider;
  int timeout_ms;
  guint max_response_size;
  guint max_requests_in_flight;
  ParsecTrustPolicy trust_policy;
  char **trusted_users;

  /* Where notifications of what discovery learns are emitted: the
   * thread-default context of the thread that constructed the client. */
  GMainContext *context;
  GThread *thread;
  guint notified;                /* ParsecNeeds, atomic */

  /* Resolved at initialisation */
  gboolean initialized;
  gboolean holds_pkcs11_identity;  /* counted in parsec-client-tls.c */
  GSocketAddress *address;
  GArray *trusted_uids;          /* guint32 */
  ParsecSlots *slots;            /* the bound on calls in flight, shared with duplicates */

  /* Found by discovery on first need, or set by the configuration, then
   * fixed: read once the matching bit of known is seen under the lock. */
  GMutex discovery_lock;
  ParsecNeeds known;
  guint implicit_provider;
  ParsecAuthType auth_type;
  GBytes *auth_data;             /* wiping; NULL for none and JWT-SVID */
  GSList *discoveries;           /* Discovery, one per main context */

  GMutex token_lock;
  char *jwt_svid_token;          /* secure memory */

  /* The operations each provider lists, asked when the provider answers
   * PsaErrorNotSupported, so that the error says what was missing. */
  GMutex opcodes_lock;
  guint64 opcodes_known[256 / 64];   /* bit per provider */
  guint64 opcodes[256];              /* bit per opcode below 64 */
};

/* parsec-client-tls.c: the identities the PKCS #11 module serves. An
 * initialised client counts itself in until it is finalised. */
void              _parsec_client_hold_pkcs11_identity    (ParsecClient *self);
void              _parsec_client_release_pkcs11_identity (ParsecClient *self);

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
                                             ParsecCallFlags         flags,
                                             GCancellable           *cancellable,
                                             GError                **error);

void              _parsec_client_call_async (ParsecClient           *self,
                                             const ParsecOperation  *op,
                                             guint                   provider,
                                             const ProtobufCMessage *operation,
                                             ParsecCallFlags         flags,
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
void              _parsec_client_start      (const ParsecTarget     *target,
                                             const ParsecOperation  *op,
                                             const ProtobufCMessage *operation,
                                             GError                 *build_error,
                                             GCancellable           *cancellable,
                                             GAsyncReadyCallback     callback,
                                             gpointer                user_data,
                                             ParsecCallDone          done);
ProtobufCMessage *_parsec_client_run        (const ParsecTarget     *target,
                                             const ParsecOperation  *op,
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

GTask            *_parsec_task_new          (gpointer                source_object,
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

/* What discovery or the configuration settles, once. */
void              _parsec_client_learn_provider (ParsecClient       *self,
                                                 guint               provider);
gboolean          _parsec_client_learn_auth (ParsecClient           *self,
                                             ProtobufCMessage       *result,
                                             GError                **error);

/* Conversions shared by the discovery in initialisation and the public
 * list operations. */
GPtrArray        *_parsec_providers_from_result      (ProtobufCMessage *result);
GPtrArray        *_parsec_authenticators_from_result (ProtobufCMessage *result);

extern const ParsecOperation _parsec_op_list_providers;
extern const ParsecOperation _parsec_op_list_authenticators;
extern const ParsecOperation _parsec_op_list_opcodes;

G_END_DECLS
