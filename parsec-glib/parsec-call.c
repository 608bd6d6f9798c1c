/* parsec-call.c: discovery and the call, one set of steps that a
 * blocking driver and a main-context driver run
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "parsec-client-private.h"
#include "parsec-i18n-private.h"
#include "parsec-secure-private.h"
#include "parsec-transport-private.h"
#include "parsec-wire-private.h"

#include "list_authenticators.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"

/* The first crypto provider: the service lists them in its configured
 * order, the core provider last. */
static guint
first_crypto_provider (GPtrArray *providers)
{
  for (guint i = 0; i < providers->len; i++)
    {
      guint id = parsec_provider_info_get_id (g_ptr_array_index (providers, i));

      if (id != PARSEC_PROVIDER_CORE && id <= G_MAXUINT8)
        return id;
    }
  return PARSEC_PROVIDER_CORE;
}

/* The generic request path */

void
_parsec_message_free (ProtobufCMessage *message)
{
  if (message != NULL)
    protobuf_c_message_free_unpacked (message, &_parsec_secure_protobuf_allocator);
}

char *
_parsec_utf8_from_service (const char *text)
{
  return g_utf8_make_valid (text != NULL ? text : "", -1);
}

static gboolean
check_body_size (const ParsecOperation  *op,
                 gsize                   body_len,
                 GError                **error)
{
  if (body_len > PARSEC_WIRE_SERVICE_BODY_LIMIT)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_REQUEST_TOO_LARGE,
                   _("The %s request body would be %zu bytes; the service accepts at most %u"),
                   _parsec_opcode_get_name (op->opcode), body_len, PARSEC_WIRE_SERVICE_BODY_LIMIT);
      return FALSE;
    }
  return TRUE;
}

/* The body of a request that must wait for discovery, packed while the
 * caller's message still exists. */
static GBytes *
client_pack_body (const ParsecOperation   *op,
                  const ProtobufCMessage  *operation,
                  GError                 **error)
{
  gsize body_len = operation != NULL ? protobuf_c_message_get_packed_size (operation) : 0;
  guint8 *buffer;

  if (!check_body_size (op, body_len, error))
    return NULL;
  buffer = secure_alloc (body_len);
  if (operation != NULL)
    protobuf_c_message_pack (operation, buffer);
  return secure_bytes_take (buffer, body_len);
}

static gboolean
client_sends_auth (ParsecClient          *self,
                   const ParsecOperation *op)
{
  gboolean known;

  if (op->auth != PARSEC_CALL_AUTH_IF_KNOWN)
    return op->auth == PARSEC_CALL_AUTH_REQUIRED;
  g_mutex_lock (&self->discovery_lock);
  known = (self->known & PARSEC_NEEDS_AUTH) != 0;
  g_mutex_unlock (&self->discovery_lock);
  return known;
}

/* The whole request: header, the body (@operation packed, or @packed)
 * and the authentication, which discovery must have settled. */
static gboolean
client_encode_request (ParsecClient            *self,
                       const ParsecOperation   *op,
                       guint8                   provider,
                       const ProtobufCMessage  *operation,
                       GBytes                  *packed,
                       ParsecWireBuffer        *request,
                       GError                 **error)
{
  ParsecWireHeader header;
  gsize body_len;
  const guint8 *auth = NULL;
  gsize auth_len = 0;
  guint8 auth_type = PARSEC_AUTH_TYPE_NONE;
  char *token_copy = NULL;
  guint8 *buffer;

  if (packed != NULL)
    body_len = g_bytes_get_size (packed);
  else
    body_len = operation != NULL ? protobuf_c_message_get_packed_size (operation) : 0;
  if (!check_body_size (op, body_len, error))
    return FALSE;

  if (client_sends_auth (self, op))
    {
      auth_type = self->auth_type;
      if (self->auth_type == PARSEC_AUTH_TYPE_JWT_SVID)
        {
          g_mutex_lock (&self->token_lock);
          if (self->jwt_svid_token != NULL)
            {
              auth_len = strlen (self->jwt_svid_token);
              token_copy = secure_alloc (auth_len);
              memcpy (token_copy, self->jwt_svid_token, auth_len);
            }
          g_mutex_unlock (&self->token_lock);
          if (token_copy == NULL)
            {
              g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_NO_JWT_SVID_TOKEN,
                                   _("JWT-SVID authentication needs a token: set ParsecClient:jwt-svid-token"));
              return FALSE;
            }
          auth = (const guint8 *) token_copy;
        }
      else if (self->auth_data != NULL)
        auth = g_bytes_get_data (self->auth_data, &auth_len);
    }

  if (auth_len > PARSEC_WIRE_AUTH_MAX)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_REQUEST_TOO_LARGE,
                   _("The authentication data is %zu bytes; the wire protocol allows at most %u"),
                   auth_len, PARSEC_WIRE_AUTH_MAX);
      secure_free (token_copy);
      return FALSE;
    }

  buffer = secure_alloc (PARSEC_WIRE_HEADER_LEN + body_len + auth_len);
  _parsec_wire_header_init_request (&header, provider, op->opcode, auth_type,
                                    (guint32) body_len, (guint16) auth_len);
  _parsec_wire_header_encode (&header, buffer);
  if (packed != NULL)
    memcpy (buffer + PARSEC_WIRE_HEADER_LEN, g_bytes_get_data (packed, NULL), body_len);
  else if (operation != NULL)
    protobuf_c_message_pack (operation, buffer + PARSEC_WIRE_HEADER_LEN);
  if (auth != NULL && auth_len > 0)
    memcpy (buffer + PARSEC_WIRE_HEADER_LEN + body_len, auth, auth_len);
  secure_free (token_copy);

  request->data = buffer;
  request->len = PARSEC_WIRE_HEADER_LEN + body_len + auth_len;
  return TRUE;
}

/* Field 1 of a result that carries bytes there. */
static const ProtobufCBinaryData *
result_binary (const ProtobufCMessage *result)
{
  const ProtobufCFieldDescriptor *field =
    protobuf_c_message_descriptor_get_field (result->descriptor, 1);

  g_assert (field != NULL && field->type == PROTOBUF_C_TYPE_BYTES);
  return &G_STRUCT_MEMBER (ProtobufCBinaryData, (gpointer) result, field->offset);
}

/* Reads a varint at *@p, before @end. */
static gboolean
wire_varint (const guint8 **p,
             const guint8  *end,
             guint64       *value)
{
  *value = 0;
  for (guint shift = 0; shift < 64 && *p < end; shift += 7)
    {
      guint8 byte = *(*p)++;

      *value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Counts the entries of field 1 in a protobuf message without decoding
 * it: a record per entry, or for @packed scalars the bytes of their
 * records, each entry taking one at least. Returns FALSE for bytes that
 * are no message; protobuf-c then says so. */
static gboolean
wire_count_entries (const guint8 *data,
                    gsize         len,
                    gboolean      packed,
                    gsize        *count)
{
  const guint8 *p, *end;

  *count = 0;
  /* An empty body may come without a buffer: no arithmetic on NULL. */
  if (len == 0)
    return TRUE;
  p = data;
  end = data + len;
  while (p < end)
    {
      guint64 key, value;

      if (!wire_varint (&p, end, &key))
        return FALSE;
      switch (key & 7)
        {
        case 0:                     /* varint */
          if (!wire_varint (&p, end, &value))
            return FALSE;
          if ((key >> 3) == 1)
            (*count)++;
          break;
        case 1:                     /* 64-bit */
          if ((gsize) (end - p) < 8)
            return FALSE;
          p += 8;
          break;
        case 5:                     /* 32-bit */
          if ((gsize) (end - p) < 4)
            return FALSE;
          p += 4;
          break;
        case 2:                     /* length-delimited */
          if (!wire_varint (&p, end, &value) || value > (guint64) (end - p))
            return FALSE;
          if ((key >> 3) == 1)
            *count += packed ? (gsize) value : 1;
          p += value;
          break;
        default:
          return FALSE;
        }
    }
  return TRUE;
}

/* Whether the list in field 1 is of scalars, which proto3 packs. */
static gboolean
list_is_packed (const ParsecOperation *op)
{
  const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (op->result_type, 1);

  return field != NULL && field->type != PROTOBUF_C_TYPE_MESSAGE &&
         field->type != PROTOBUF_C_TYPE_STRING && field->type != PROTOBUF_C_TYPE_BYTES;
}

/* Decodes the response, and holds field 1 to the length the request
 * fixed (@expected, 0 for none), or to at least one byte and at most
 * @expected where the operation may answer short. */
static ProtobufCMessage *
client_decode_result (const ParsecOperation  *op,
                      ParsecWireBuffer        body,
                      gsize                   expected,
                      GError                **error)
{
  gsize len = body.len;
  const guint8 *data = body.data;
  ProtobufCMessage *result;
  gsize got, entries;

  /* A list is counted before it is decoded: a megabyte of empty entries
   * would otherwise cost many times as much once decoded. */
  if (op->max_entries > 0 && wire_count_entries (data, len, list_is_packed (op), &entries) &&
      entries > op->max_entries)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The Parsec service's response to %s lists more than %u entries"),
                   _parsec_opcode_get_name (op->opcode), op->max_entries);
      return NULL;
    }

  result = protobuf_c_message_unpack (op->result_type, &_parsec_secure_protobuf_allocator, len, data);
  if (result == NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The Parsec service's response to %s could not be decoded"),
                   _parsec_opcode_get_name (op->opcode));
      return NULL;
    }
  if (expected == 0)
    return result;
  got = result_binary (result)->len;
  if (op->result_may_be_short && got > 0 && got < expected)
    return result;
  if (got != expected)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION,
                   _("The Parsec service answered %s with %zu bytes where %zu were asked for"), _parsec_opcode_get_name (op->opcode), got, expected);
      _parsec_message_free (result);
      return NULL;
    }
  return result;
}

static gsize
expected_length_of_call (const ParsecOperation  *op,
                         const ProtobufCMessage *operation)
{
  return op->result_length != NULL && operation != NULL ? op->result_length (operation) : 0;
}

/* The key an operation is about, to name it in the service's errors. */
static const char *
operation_key_name (const ProtobufCMessage *operation)
{
  static const char * const names[] = { "key_name", "private_key_name", "attested_key_name" };

  if (operation == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name (operation->descriptor, names[i]);

      if (field != NULL && field->type == PROTOBUF_C_TYPE_STRING)
        return G_STRUCT_MEMBER (const char *, operation, field->offset);
    }
  return NULL;
}

static void
client_transport_params (ParsecClient          *self,
                         const ParsecOperation *op,
                         guint8                 provider,
                         const char            *key_name,
                         ParsecTransportParams *params)
{
  params->provider = provider;
  params->key_name = key_name;
  params->address = self->address;
  params->opcode = op->opcode;
  params->max_body_len = self->max_response_size;
  params->timeout_ms = self->timeout_ms;
  params->deadline = 0;
  params->trust.policy = self->trust_policy;
  params->trust.trusted_uids = (const guint32 *) self->trusted_uids->data;
  params->trust.n_trusted_uids = self->trusted_uids->len;
}

/* Provider support of operations */

typedef enum {
  SUPPORT_UNKNOWN,
  SUPPORTED,
  NOT_SUPPORTED,
} Support;

static Support
client_lookup_support (ParsecClient *self,
                       guint8        provider,
                       guint32       opcode)
{
  Support support = SUPPORTED;

  /* Core operations, and opcodes beyond what the cache records, are left
   * to the service to judge. */
  if (provider == PARSEC_PROVIDER_CORE || opcode >= 64)
    return SUPPORTED;

  g_mutex_lock (&self->opcodes_lock);
  if ((self->opcodes_known[provider / 64] & (G_GUINT64_CONSTANT (1) << (provider % 64))) == 0)
    support = SUPPORT_UNKNOWN;
  else if ((self->opcodes[provider] & (G_GUINT64_CONSTANT (1) << opcode)) == 0)
    support = NOT_SUPPORTED;
  g_mutex_unlock (&self->opcodes_lock);
  return support;
}

static void
client_store_support (ParsecClient     *self,
                      guint8            provider,
                      ProtobufCMessage *message)
{
  ListOpcodes__Result *result = (ListOpcodes__Result *) message;
  guint64 mask = 0;

  for (gsize i = 0; i < result->n_opcodes; i++)
    if (result->opcodes[i] < 64)
      mask |= G_GUINT64_CONSTANT (1) << result->opcodes[i];

  g_mutex_lock (&self->opcodes_lock);
  self->opcodes[provider] = mask;
  self->opcodes_known[provider / 64] |= G_GUINT64_CONSTANT (1) << (provider % 64);
  g_mutex_unlock (&self->opcodes_lock);
}

static GError *
not_supported_error (guint8  provider,
                     guint32 opcode)
{
  return g_error_new (PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER,
                      _("Provider %u of the Parsec service does not support %s"),
                      provider, _parsec_opcode_get_name (opcode));
}

/* The service answers PsaErrorNotSupported both for an operation its
 * provider lacks and for parameters the provider cannot serve. Only then
 * is the provider's list of operations worth a request: it tells the two
 * apart at no cost to calls that succeed. */
static gboolean
client_should_ask_support (ParsecClient *self,
                           guint8        provider,
                           guint32       opcode,
                           const GError *error)
{
  return g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED) &&
         client_lookup_support (self, provider, opcode) == SUPPORT_UNKNOWN;
}

/* After the provider's list of operations arrived (@result, or NULL when
 * asking failed): the error to report for the call that failed with
 * @error (transfer full). */
static GError *
client_explain_not_supported (ParsecClient     *self,
                              guint8            provider,
                              guint32           opcode,
                              ProtobufCMessage *result,
                              GError           *error)
{
  if (result != NULL)
    client_store_support (self, provider, result);
  if (client_lookup_support (self, provider, opcode) == NOT_SUPPORTED)
    {
      g_error_free (error);
      return not_supported_error (provider, opcode);
    }
  return error;
}

void
_parsec_list_opcodes_operation_init (ListOpcodes__Operation *operation,
                                     guint8                  provider)
{
  list_opcodes__operation__init (operation);
  operation->provider_id = provider;
}

/* The request of @operation (or of the body @packed) to @provider, and
 * how to send it. */
static gboolean
client_request (ParsecClient            *self,
                const ParsecOperation   *op,
                guint8                   provider,
                const ProtobufCMessage  *operation,
                GBytes                  *packed,
                const char              *key_name,
                ParsecTransportParams   *params,
                ParsecWireBuffer        *request,
                GError                 **error)
{
  if (!client_encode_request (self, op, provider, operation, packed, request, error))
    return FALSE;
  client_transport_params (self, op, provider, key_name, params);
  return TRUE;
}

/* Adds the hint that fits the request to the service's error. */
static void
client_add_hint (const ParsecHint *hint,
                 GError           *error)
{
  char *message;

  if (hint == NULL || error == NULL || !g_error_matches (error, PARSEC_ERROR, (gint) hint->status))
    return;
  message = g_strdup_printf ("%s. %s", error->message, _(hint->text));
  g_free (error->message);
  error->message = message;
}

/* For an operation whose algorithm came from the key's policy as the
 * client last read it: a refusal may mean the key changed since. */
static void
add_policy_hint (GError *error)
{
  static const guint statuses[] = {
    PARSEC_ERROR_PSA_NOT_PERMITTED, PARSEC_ERROR_PSA_INVALID_ARGUMENT, PARSEC_ERROR_PSA_NOT_SUPPORTED,
    PARSEC_ERROR_PSA_DOES_NOT_EXIST,
  };
  char *message;

  if (error->domain != PARSEC_ERROR)
    return;
  for (gsize i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (error->code == (gint) statuses[i])
      {
        message = g_strdup_printf (_("%s. The algorithm came from the key's policy as it was when the key was "
                                     "looked up; if the key was replaced since, look it up again"), error->message);
        g_free (error->message);
        error->message = message;
        return;
      }
}

static const ParsecHint *
hint_of_call (const ParsecOperation  *op,
              const ProtobufCMessage *operation)
{
  return op->hint != NULL && operation != NULL ? op->hint (operation) : NULL;
}

/* Discovery */

static ParsecNeeds
needs_of_call (const ParsecOperation *op,
               guint                  provider)
{
  return (op->auth == PARSEC_CALL_AUTH_REQUIRED ? PARSEC_NEEDS_AUTH : 0) |
         (provider == PARSEC_PROVIDER_IMPLICIT ? PARSEC_NEEDS_PROVIDER : 0);
}

static ParsecNeeds
client_missing (ParsecClient *self,
                ParsecNeeds   needs)
{
  ParsecNeeds missing;

  g_mutex_lock (&self->discovery_lock);
  missing = needs & ~self->known;
  g_mutex_unlock (&self->discovery_lock);
  return missing;
}

/* What discovery found is fixed once known: when two discoveries race,
 * the first answer stays. */
void
_parsec_client_learn_provider (ParsecClient *self,
                       guint         provider)
{
  g_mutex_lock (&self->discovery_lock);
  if ((self->known & PARSEC_NEEDS_PROVIDER) == 0)
    {
      self->implicit_provider = provider;
      self->known |= PARSEC_NEEDS_PROVIDER;
    }
  g_mutex_unlock (&self->discovery_lock);
  _parsec_client_learned (self, PARSEC_NEEDS_PROVIDER);
}

static void
client_learn_providers (ParsecClient     *self,
                        ProtobufCMessage *result)
{
  g_autoptr(GPtrArray) providers = _parsec_providers_from_result (result);

  _parsec_client_learn_provider (self, first_crypto_provider (providers));
}


/* Discovery asks the providers first, then the authenticators. */
static const ParsecOperation *
discovery_op (ParsecNeeds missing)
{
  return (missing & PARSEC_NEEDS_PROVIDER) ? &_parsec_op_list_providers : &_parsec_op_list_authenticators;
}

/* The request that asks for what @missing names first. */
static ParsecWireBuffer
discovery_request (ParsecClient          *self,
                   ParsecNeeds            missing,
                   ParsecTransportParams *params)
{
  ParsecWireBuffer request = { NULL, 0 };
  gboolean encoded = client_request (self, discovery_op (missing), PARSEC_PROVIDER_CORE, NULL, NULL, NULL,
                                     params, &request, NULL);

  g_assert (encoded);   /* an empty unauthenticated request always encodes */
  return request;
}

/* Learns from the answer (@body or @error, both transfer full) to the
 * discovery request of @op. */
static gboolean
discovery_learn (ParsecClient           *self,
                 const ParsecOperation  *op,
                 ParsecWireBuffer        body,
                 GError                 *error,
                 GError                **learn_error)
{
  g_autoptr(ProtobufCMessage) result = NULL;

  if (error == NULL)
    result = client_decode_result (op, body, 0, &error);
  _parsec_wire_buffer_clear (&body);
  if (result == NULL)
    {
      g_propagate_error (learn_error, error);
      return FALSE;
    }
  if (op == &_parsec_op_list_providers)
    {
      client_learn_providers (self, result);
      return TRUE;
    }
  return _parsec_client_learn_auth (self, result, learn_error);
}

/* The blocking driver of discovery. */
gboolean
_parsec_client_discover (ParsecClient  *self,
                         ParsecNeeds    needs,
                         GCancellable  *cancellable,
                         GError       **error)
{
  ParsecNeeds missing;

  while ((missing = client_missing (self, needs)) != 0)
    {
      ParsecTransportParams params;
      ParsecWireBuffer request = discovery_request (self, missing, &params);
      GError *exchange_error = NULL;
      ParsecWireBuffer body;

      _parsec_transport_call (&params, request, cancellable, &body, &exchange_error);
      if (!discovery_learn (self, discovery_op (missing), body, exchange_error, error))
        return FALSE;
    }
  return TRUE;
}

/* Asynchronous discovery: the calls that need it on one main context wait
 * for one discovery there, so that a burst of first calls costs one
 * request per thing to learn. Calls on other contexts run their own: a
 * context nobody iterates any more must not hold them up. */
typedef struct {
  ParsecClient *self;
  GMainContext *context;
  GQueue waiters;                /* Waiter */
  const ParsecOperation *asking; /* the request under way */
} Discovery;

typedef struct {
  Discovery *discovery;
  ParsecNeeds needs;
  ParsecDiscovered discovered;
  gpointer user_data;
  GSource *cancelled_source;
} Waiter;

static void discovery_step (Discovery *discovery);

static void
waiter_resume (Waiter *waiter,
               GError *error)
{
  if (waiter->cancelled_source != NULL)
    {
      g_source_destroy (waiter->cancelled_source);
      g_source_unref (waiter->cancelled_source);
    }
  waiter->discovered (waiter->user_data, error);
  g_free (waiter);
}

/* A waiter whose call is cancelled leaves at once; the discovery goes on
 * for the others and for later calls. Runs on the discovery's context. */
static gboolean
waiter_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  Waiter *waiter = user_data;
  Discovery *discovery = waiter->discovery;
  ParsecClient *self = discovery->self;
  GError *error = NULL;

  g_mutex_lock (&self->discovery_lock);
  g_queue_remove (&discovery->waiters, waiter);
  g_mutex_unlock (&self->discovery_lock);

  g_cancellable_set_error_if_cancelled (cancellable, &error);
  waiter_resume (waiter, error);
  return G_SOURCE_REMOVE;
}

/* Resumes the waiters whose needs are now met, and those that needed what
 * @failed names with a copy of @error. Called without the lock. */
static void
discovery_resume (Discovery    *discovery,
                  ParsecNeeds   failed,
                  const GError *error)
{
  ParsecClient *self = discovery->self;
  GQueue ready = G_QUEUE_INIT;
  GQueue failing = G_QUEUE_INIT;
  GList *link, *next;

  g_mutex_lock (&self->discovery_lock);
  for (link = discovery->waiters.head; link != NULL; link = next)
    {
      Waiter *waiter = link->data;
      ParsecNeeds missing = waiter->needs & ~self->known;

      next = link->next;
      if (missing == 0 || (missing & failed) != 0)
        {
          g_queue_unlink (&discovery->waiters, link);
          g_queue_push_tail_link (missing == 0 ? &ready : &failing, link);
        }
    }
  g_mutex_unlock (&self->discovery_lock);

  while ((link = g_queue_pop_head_link (&ready)) != NULL)
    {
      waiter_resume (link->data, NULL);
      g_list_free_1 (link);
    }
  while ((link = g_queue_pop_head_link (&failing)) != NULL)
    {
      waiter_resume (link->data, g_error_copy (error));
      g_list_free_1 (link);
    }
}

static void
discovery_answered (ParsecWireBuffer  body,
                    GError           *error,
                    gpointer          user_data)
{
  Discovery *discovery = user_data;
  const ParsecOperation *op = discovery->asking;
  ParsecNeeds learning = op == &_parsec_op_list_providers ? PARSEC_NEEDS_PROVIDER : PARSEC_NEEDS_AUTH;
  GError *learn_error = NULL;

  discovery_learn (discovery->self, op, body, error, &learn_error);
  discovery_resume (discovery, learn_error != NULL ? learning : 0, learn_error);
  g_clear_error (&learn_error);
  discovery_step (discovery);
}

/* Asks for the next thing a waiter misses, or ends the discovery. */
static void
discovery_step (Discovery *discovery)
{
  ParsecClient *self = discovery->self;
  ParsecNeeds missing = 0;
  ParsecWireBuffer request;
  ParsecTransportParams params;

  g_mutex_lock (&self->discovery_lock);
  for (GList *link = discovery->waiters.head; link != NULL; link = link->next)
    missing |= ((Waiter *) link->data)->needs & ~self->known;
  if (missing == 0)
    self->discoveries = g_slist_remove (self->discoveries, discovery);
  g_mutex_unlock (&self->discovery_lock);

  if (missing == 0)
    {
      /* Waiters that the last answer satisfied after all. */
      discovery_resume (discovery, 0, NULL);
      g_main_context_unref (discovery->context);
      g_object_unref (discovery->self);
      g_free (discovery);
      return;
    }

  discovery->asking = discovery_op (missing);
  request = discovery_request (self, missing, &params);
  _parsec_transport_call_async (&params, request, discovery->context, NULL, discovery_answered, discovery);
}

void
_parsec_client_discover_async (ParsecClient     *self,
                               ParsecNeeds       needs,
                               GTask            *task,
                               ParsecDiscovered  discovered,
                               gpointer          user_data)
{
  GMainContext *context = g_task_get_context (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  Discovery *discovery = NULL;
  gboolean start = FALSE;
  Waiter *waiter;

  g_mutex_lock (&self->discovery_lock);
  if ((needs & ~self->known) == 0)
    {
      g_mutex_unlock (&self->discovery_lock);
      discovered (user_data, NULL);
      return;
    }
  for (GSList *link = self->discoveries; link != NULL; link = link->next)
    if (((Discovery *) link->data)->context == context)
      discovery = link->data;
  if (discovery == NULL)
    {
      discovery = g_new0 (Discovery, 1);
      discovery->self = g_object_ref (self);
      discovery->context = g_main_context_ref (context);
      self->discoveries = g_slist_prepend (self->discoveries, discovery);
      start = TRUE;
    }
  waiter = g_new0 (Waiter, 1);
  waiter->discovery = discovery;
  waiter->needs = needs;
  waiter->discovered = discovered;
  waiter->user_data = user_data;
  g_queue_push_tail (&discovery->waiters, waiter);
  g_mutex_unlock (&self->discovery_lock);

  /* On the discovery's context, where the waiter is resumed, so that it
   * cannot be resumed twice. */
  if (cancellable != NULL)
    {
      waiter->cancelled_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (waiter->cancelled_source, G_SOURCE_FUNC (waiter_cancelled), waiter, NULL);
      g_source_attach (waiter->cancelled_source, context);
    }
  if (start)
    discovery_step (discovery);
}

/* The bound on calls in flight */

struct _ParsecSlots {
  gint ref_count;
  GMutex lock;
  GCond granted;                 /* for the synchronous waiters */
  guint max;
  guint busy;
  GQueue waiting;                /* SlotWaiter, oldest first; not empty only when all are busy */
};

typedef enum {
  SLOT_WAITING,
  SLOT_GRANTED,
  SLOT_GIVEN_UP,
} SlotState;

typedef void (*SlotGranted) (gpointer  user_data,
                             GError   *error);

/* A call waiting for a slot. A synchronous one waits on the condition
 * variable (no watch); an asynchronous one is resumed on its context by
 * its watch, for whichever comes first of the slot, its cancellable and
 * its deadline. */
typedef struct {
  ParsecSlots *slots;
  GList link;
  SlotState state;
  gboolean asynchronous;
  ParsecWatch watch;
  GCancellable *cancellable;
  gint64 deadline;
  SlotGranted resume;
  gpointer user_data;
  const char *what;
  guint timeout_ms;
} SlotWaiter;

ParsecSlots *
_parsec_slots_new (guint max)
{
  ParsecSlots *slots = g_new0 (ParsecSlots, 1);

  slots->ref_count = 1;
  g_mutex_init (&slots->lock);
  g_cond_init (&slots->granted);
  slots->max = MAX (max, 1);
  g_queue_init (&slots->waiting);
  return slots;
}

ParsecSlots *
_parsec_slots_ref (ParsecSlots *slots)
{
  g_atomic_int_inc (&slots->ref_count);
  return slots;
}

void
_parsec_slots_unref (ParsecSlots *slots)
{
  if (slots == NULL || !g_atomic_int_dec_and_test (&slots->ref_count))
    return;
  /* Every call holds a reference to its client, so no one waits. */
  g_mutex_clear (&slots->lock);
  g_cond_clear (&slots->granted);
  g_free (slots);
}

/* Takes a slot when one is free and nobody waits for one. */
static gboolean
slots_try_acquire (ParsecSlots *slots)
{
  gboolean taken = FALSE;

  g_mutex_lock (&slots->lock);
  if (slots->busy < slots->max)
    {
      slots->busy++;
      taken = TRUE;
    }
  g_mutex_unlock (&slots->lock);
  return taken;
}

/* Hands the slot to the oldest waiter, or frees it. */
static void
slots_release (ParsecSlots *slots)
{
  GList *link;

  g_mutex_lock (&slots->lock);
  link = g_queue_pop_head_link (&slots->waiting);
  if (link == NULL)
    slots->busy--;
  else
    {
      SlotWaiter *waiter = link->data;

      waiter->state = SLOT_GRANTED;
      if (waiter->asynchronous)
        _parsec_watch_wake (&waiter->watch);
      else
        g_cond_broadcast (&slots->granted);
    }
  g_mutex_unlock (&slots->lock);
}

static GError *
slot_timeout_error (const char *what,
                    guint       timeout_ms,
                    guint       max)
{
  return g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                      _("%s did not start within its deadline of %u ms: the client's %u requests in flight "
                        "(ParsecClient:max-requests-in-flight) were all busy"),
                      what, timeout_ms, max);
}

static GError *
slot_cancelled_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
}

static void
slot_waiter_wake (GCancellable *cancellable,
                  ParsecSlots  *slots)
{
  g_mutex_lock (&slots->lock);
  g_cond_broadcast (&slots->granted);
  g_mutex_unlock (&slots->lock);
}

/* Waits, blocking, for a slot until @deadline (monotonic µs, G_MAXINT64
 * for none) or until @cancellable is cancelled. */
static gboolean
slots_acquire (ParsecSlots   *slots,
               gint64         deadline,
               guint          timeout_ms,
               const char    *what,
               GCancellable  *cancellable,
               GError       **error)
{
  SlotWaiter waiter = { .slots = slots, .state = SLOT_WAITING };
  gulong handler = 0;
  gboolean cancelled = FALSE;

  if (slots_try_acquire (slots))
    return TRUE;
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (slot_waiter_wake), slots, NULL);

  g_mutex_lock (&slots->lock);
  if (slots->busy < slots->max)
    {
      slots->busy++;
      waiter.state = SLOT_GRANTED;
    }
  else
    {
      waiter.link.data = &waiter;
      g_queue_push_tail_link (&slots->waiting, &waiter.link);
      while (waiter.state == SLOT_WAITING)
        {
          if ((cancelled = g_cancellable_is_cancelled (cancellable)))
            break;
          if (deadline == G_MAXINT64)
            g_cond_wait (&slots->granted, &slots->lock);
          else if (!g_cond_wait_until (&slots->granted, &slots->lock, deadline) &&
                   g_get_monotonic_time () >= deadline)
            break;
        }
      if (waiter.state == SLOT_WAITING)
        g_queue_unlink (&slots->waiting, &waiter.link);
    }
  g_mutex_unlock (&slots->lock);
  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);

  if (waiter.state == SLOT_GRANTED)
    return TRUE;
  g_propagate_error (error, cancelled ? slot_cancelled_error () : slot_timeout_error (what, timeout_ms, slots->max));
  return FALSE;
}

/* The waiter's watch: the slot, the cancellable or the deadline. The
 * waiter leaves the queue unless the slot was handed to it, and is
 * resumed once, on its context. */
static void
slot_waiter_ready (ParsecWatch *watch)
{
  SlotWaiter *waiter = G_STRUCT_MEMBER_P (watch, -G_STRUCT_OFFSET (SlotWaiter, watch));
  ParsecSlots *slots = waiter->slots;
  GError *error = NULL;

  g_mutex_lock (&slots->lock);
  if (waiter->state == SLOT_WAITING)
    {
      if (g_cancellable_is_cancelled (waiter->cancellable))
        error = slot_cancelled_error ();
      else if (g_get_monotonic_time () >= waiter->deadline)
        error = slot_timeout_error (waiter->what, waiter->timeout_ms, slots->max);
      else
        {
          /* Nothing has ended the wait: the cancellable was reset
           * before the wake-up it caused ran. Keep waiting. */
          g_mutex_unlock (&slots->lock);
          return;
        }
      g_queue_unlink (&slots->waiting, &waiter->link);
      waiter->state = SLOT_GIVEN_UP;
    }
  g_mutex_unlock (&slots->lock);

  _parsec_watch_stop (&waiter->watch);
  waiter->resume (waiter->user_data, error);
  g_free (waiter);
}

/* Queues for a slot; @resume is called on @context with the slot, or
 * with the error that ends the wait. The waiter is a record in the
 * queue: the one source of @context watches its deadline and
 * cancellable, and a released slot wakes it there. */
static void
slots_acquire_async (ParsecSlots  *slots,
                     gint64        deadline,
                     guint         timeout_ms,
                     const char   *what,
                     GMainContext *context,
                     GCancellable *cancellable,
                     SlotGranted   resume,
                     gpointer      user_data)
{
  SlotWaiter *waiter = g_new (SlotWaiter, 1);
  gboolean granted = FALSE;

  *waiter = (SlotWaiter) {
    .slots = slots, .state = SLOT_WAITING, .asynchronous = TRUE, .cancellable = cancellable,
    .deadline = deadline, .resume = resume, .user_data = user_data, .what = what, .timeout_ms = timeout_ms,
  };
  waiter->link.data = waiter;

  /* Watched before it is queued, so that a slot released at once in
   * another thread finds a watch to wake. */
  _parsec_watch_start (&waiter->watch, context, cancellable, deadline, slot_waiter_ready);

  g_mutex_lock (&slots->lock);
  if (slots->busy < slots->max)
    {
      slots->busy++;
      granted = TRUE;
    }
  else
    g_queue_push_tail_link (&slots->waiting, &waiter->link);
  g_mutex_unlock (&slots->lock);

  if (granted)
    {
      _parsec_watch_stop (&waiter->watch);
      g_free (waiter);
      resume (user_data, NULL);
    }
}

/* The deadline of a call submitted now, monotonic µs. */
static gint64
client_call_deadline (ParsecClient *self)
{
  return self->timeout_ms > 0 ? g_get_monotonic_time () + (gint64) self->timeout_ms * G_TIME_SPAN_MILLISECOND
                              : G_MAXINT64;
}

/* Calls */

/* The provider a call goes to, once discovery has found the implicit
 * one. */
static gboolean
client_resolve_provider (ParsecClient  *self,
                         guint          provider,
                         guint8        *wire_provider,
                         GError       **error)
{
  if (provider == PARSEC_PROVIDER_IMPLICIT)
    {
      provider = (guint) parsec_client_get_implicit_provider (self);
      if (provider == PARSEC_PROVIDER_CORE)
        {
          g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_NO_CRYPTO_PROVIDER,
                               _("The Parsec service hosts no crypto provider for keys and cryptographic operations"));
          return FALSE;
        }
    }
  *wire_provider = (guint8) provider;
  return TRUE;
}

/* Known before sending, from an earlier answer: the provider lacks the
 * operation. */
static gboolean
client_check_known_support (ParsecClient  *self,
                            guint8         provider,
                            guint32        opcode,
                            GError       **error)
{
  if (client_lookup_support (self, provider, opcode) == NOT_SUPPORTED)
    {
      g_propagate_error (error, not_supported_error (provider, opcode));
      return FALSE;
    }
  return TRUE;
}

/* One call once discovery is done: its request, and after a
 * PsaErrorNotSupported the provider's list of operations that explains
 * it. The two drivers below send what call_next_request() makes and hand
 * the answer to call_take_answer(). */
typedef struct {
  ParsecClient *self;
  const ParsecOperation *op;
  guint provider;                /* as asked, maybe PARSEC_PROVIDER_IMPLICIT */
  guint8 wire_provider;
  const ProtobufCMessage *operation;  /* the caller's message while it lives, or NULL */
  GBytes *packed;                /* the body packed while discovery runs */
  const char *key_name;          /* named in errors, for as long as the call */
  const ParsecHint *hint;
  gsize expected_length;
  GError *refusal;               /* PsaErrorNotSupported, while its explanation is asked */
  ParsecCallFlags flags;
  gint64 deadline;               /* monotonic µs from submission, G_MAXINT64 for none */
  gboolean holds_slot;
} ParsecCall;

static void
call_init (ParsecCall             *call,
           ParsecClient           *self,
           const ParsecOperation  *op,
           guint                   provider,
           const ProtobufCMessage *operation,
           const char             *key_name,
           ParsecCallFlags         flags)
{
  memset (call, 0, sizeof *call);
  call->flags = flags;
  call->self = self;
  call->op = op;
  call->provider = provider;
  call->operation = operation;
  call->key_name = key_name;
  call->hint = hint_of_call (op, operation);
  call->expected_length = expected_length_of_call (op, operation);
  call->deadline = client_call_deadline (self);
}

static void
call_clear (ParsecCall *call)
{
  if (call->holds_slot)
    slots_release (call->self->slots);
  g_clear_pointer (&call->packed, g_bytes_unref);
  g_clear_error (&call->refusal);
}

/* A call whose turn came when its deadline had passed says so, rather
 * than what its request would say of a service it never reached. */
static gboolean
call_check_started (ParsecCall  *call,
                    GError     **error)
{
  if (call->deadline == G_MAXINT64 || g_get_monotonic_time () < call->deadline)
    return TRUE;
  g_propagate_error (error, slot_timeout_error (_parsec_opcode_get_name (call->op->opcode),
                                                (guint) call->self->timeout_ms, call->self->slots->max));
  return FALSE;
}

/* The next request of @call, or NULL with the error that ends it. */
static gboolean
call_next_request (ParsecCall             *call,
                   ParsecTransportParams  *params,
                   ParsecWireBuffer       *request,
                   GError                **error)
{
  if (call->refusal != NULL)
    {
      ListOpcodes__Operation list;

      _parsec_list_opcodes_operation_init (&list, call->wire_provider);
      if (!client_request (call->self, &_parsec_op_list_opcodes, PARSEC_PROVIDER_CORE, &list.base, NULL,
                           NULL, params, request, NULL))
        {
          g_propagate_error (error, g_steal_pointer (&call->refusal));
          return FALSE;
        }
      params->deadline = call->deadline;
      return TRUE;
    }

  if (!client_resolve_provider (call->self, call->provider, &call->wire_provider, error) ||
      !client_check_known_support (call->self, call->wire_provider, call->op->opcode, error) ||
      !client_request (call->self, call->op, call->wire_provider, call->operation, call->packed,
                       call->key_name, params, request, error))
    return FALSE;
  params->deadline = call->deadline;
  return TRUE;
}

/* Takes the answer (@body or @error, both transfer full) to the request
 * call_next_request() made. Returns TRUE when the call needs another
 * request; otherwise it is over, with *@result or *@call_error. */
static gboolean
call_take_answer (ParsecCall        *call,
                  ParsecWireBuffer   body,
                  GError            *error,
                  ProtobufCMessage **result,
                  GError           **call_error)
{
  if (call->refusal != NULL)
    {
      g_autoptr(ProtobufCMessage) opcodes = NULL;

      if (error == NULL)
        opcodes = client_decode_result (&_parsec_op_list_opcodes, body, 0, NULL);
      g_clear_error (&error);
      _parsec_wire_buffer_clear (&body);
      *call_error = client_explain_not_supported (call->self, call->wire_provider, call->op->opcode,
                                                  opcodes, g_steal_pointer (&call->refusal));
      return FALSE;
    }

  if (error == NULL)
    *result = client_decode_result (call->op, body, call->expected_length, &error);
  _parsec_wire_buffer_clear (&body);
  if (*result != NULL)
    return FALSE;
  if (client_should_ask_support (call->self, call->wire_provider, call->op->opcode, error))
    {
      call->refusal = error;
      return TRUE;
    }
  client_add_hint (call->hint, error);
  if (call->flags & PARSEC_CALL_POLICY_HINT)
    add_policy_hint (error);
  *call_error = error;
  return FALSE;
}

/* The blocking driver. */
ProtobufCMessage *
_parsec_client_call (ParsecClient            *self,
                     const ParsecOperation   *op,
                     guint                    provider,
                     const ProtobufCMessage  *operation,
                     ParsecCallFlags          flags,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  ProtobufCMessage *result = NULL;
  GError *call_error = NULL;
  gboolean more = TRUE;
  ParsecCall call;

  call_init (&call, self, op, provider, operation, operation_key_name (operation), flags);
  call.holds_slot = slots_acquire (self->slots, call.deadline, (guint) self->timeout_ms,
                                   _parsec_opcode_get_name (op->opcode), cancellable, &call_error);
  if (!call.holds_slot || !call_check_started (&call, &call_error) ||
      !_parsec_client_discover (self, needs_of_call (op, provider), cancellable, &call_error))
    more = FALSE;
  while (more)
    {
      ParsecTransportParams params;
      ParsecWireBuffer request;
      GError *exchange_error = NULL;
      ParsecWireBuffer body;

      if (!call_next_request (&call, &params, &request, &call_error))
        break;
      _parsec_transport_call (&params, request, cancellable, &body, &exchange_error);
      more = call_take_answer (&call, body, exchange_error, &result, &call_error);
    }
  call_clear (&call);

  if (result == NULL)
    g_propagate_error (error, call_error);
  return result;
}

/* The main-context driver. */
typedef struct {
  ParsecCall call;
  GTask *task;
  ParsecCallDone done;
  ParsecTransportParams params;  /* with @request: made before waiting for a slot */
  ParsecWireBuffer request;
  char key_name[];               /* the caller's, which is gone once the call returns */
} AsyncCall;

static void
async_call_finish (AsyncCall        *data,
                   ProtobufCMessage *result,
                   GError           *error)
{
  /* Before the task returns: the client may go with it. */
  if (data->call.holds_slot)
    {
      slots_release (data->call.self->slots);
      data->call.holds_slot = FALSE;
    }
  if (result != NULL)
    {
      data->done (data->task, result);
      _parsec_message_free (result);
    }
  else
    {
      g_task_return_error (data->task, error);
      g_object_unref (data->task);
    }
  _parsec_wire_buffer_clear (&data->request);
  call_clear (&data->call);
  g_free (data);
}

static void async_call_send (AsyncCall *data);

static void
async_call_answered (ParsecWireBuffer  body,
                     GError           *error,
                     gpointer          user_data)
{
  AsyncCall *data = user_data;
  ProtobufCMessage *result = NULL;
  GError *call_error = NULL;

  if (call_take_answer (&data->call, body, error, &result, &call_error))
    async_call_send (data);
  else
    async_call_finish (data, result, call_error);
}

/* Makes the next request into @data. */
static gboolean
async_call_prepare (AsyncCall *data)
{
  GError *error = NULL;
  gboolean made = call_next_request (&data->call, &data->params, &data->request, &error);

  /* The caller's message is gone once the first request is made. */
  data->call.operation = NULL;
  if (!made)
    async_call_finish (data, NULL, error);
  return made;
}

static void
async_call_send (AsyncCall *data)
{
  ParsecWireBuffer request;

  if (data->request.data == NULL && !async_call_prepare (data))
    return;
  request = data->request;
  data->request = (ParsecWireBuffer) { NULL, 0 };
  _parsec_transport_call_async (&data->params, request, g_task_get_context (data->task),
                                g_task_get_cancellable (data->task), async_call_answered, data);
}

static void
async_call_discovered (gpointer  user_data,
                       GError   *error)
{
  AsyncCall *data = user_data;

  if (error != NULL)
    async_call_finish (data, NULL, error);
  else
    async_call_send (data);
}

/* Once a call waits, its body outlives the caller's message: the whole
 * request when discovery is done, or else the body. */
static gboolean
async_call_keep_body (AsyncCall *data)
{
  GError *error = NULL;

  if (data->call.operation == NULL)
    return TRUE;
  if (client_missing (data->call.self, needs_of_call (data->call.op, data->call.provider)) == 0)
    return async_call_prepare (data);
  data->call.packed = client_pack_body (data->call.op, data->call.operation, &error);
  data->call.operation = NULL;
  if (data->call.packed == NULL)
    {
      async_call_finish (data, NULL, error);
      return FALSE;
    }
  return TRUE;
}

/* With a slot: discovery if needed, then the request. */
static void
async_call_run (AsyncCall *data)
{
  ParsecNeeds needs = needs_of_call (data->call.op, data->call.provider);

  if (client_missing (data->call.self, needs) == 0)
    {
      async_call_send (data);
      return;
    }
  if (async_call_keep_body (data))
    _parsec_client_discover_async (data->call.self, needs, data->task, async_call_discovered, data);
}

static void
async_call_slot_granted (gpointer  user_data,
                         GError   *error)
{
  AsyncCall *data = user_data;

  if (error != NULL)
    {
      async_call_finish (data, NULL, error);
      return;
    }
  data->call.holds_slot = TRUE;
  if (!call_check_started (&data->call, &error))
    async_call_finish (data, NULL, error);
  else
    async_call_run (data);
}

void
_parsec_client_call_async (ParsecClient           *self,
                           const ParsecOperation  *op,
                           guint                   provider,
                           const ProtobufCMessage *operation,
                           ParsecCallFlags         flags,
                           GTask                  *task,
                           ParsecCallDone          done)
{
  const char *key_name = operation_key_name (operation);
  gsize key_name_size = key_name != NULL ? strlen (key_name) + 1 : 0;
  AsyncCall *data;

  /* The name is kept for the errors of the requests to come, in the same
   * allocation as the call. */
  data = g_malloc0 (sizeof (AsyncCall) + key_name_size);
  if (key_name != NULL)
    {
      memcpy (data->key_name, key_name, key_name_size);
      key_name = data->key_name;
    }
  call_init (&data->call, self, op, provider, operation, key_name, flags);
  data->task = task;
  data->done = done;

  if (slots_try_acquire (self->slots))
    {
      data->call.holds_slot = TRUE;
      async_call_run (data);
      return;
    }
  if (async_call_keep_body (data))
    slots_acquire_async (self->slots, data->call.deadline, (guint) self->timeout_ms,
                         _parsec_opcode_get_name (op->opcode), g_task_get_context (task),
                         g_task_get_cancellable (task), async_call_slot_granted, data);
}

void
_parsec_client_start (const ParsecTarget     *target,
                      const ParsecOperation  *op,
                      const ProtobufCMessage *operation,
                      GError                 *build_error,
                      GCancellable           *cancellable,
                      GAsyncReadyCallback     callback,
                      gpointer                user_data,
                      ParsecCallDone          done)
{
  GTask *task = _parsec_task_new (target->source_object, cancellable, callback, user_data, target->source_tag,
                                  _parsec_opcode_get_name (op->opcode));

  if (operation == NULL)
    {
      g_task_return_error (task, build_error);
      g_object_unref (task);
      return;
    }
  _parsec_client_call_async (target->client, op, target->provider, operation,
                             target->flags, task, done);
}

ProtobufCMessage *
_parsec_client_run (const ParsecTarget      *target,
                    const ParsecOperation   *op,
                    const ProtobufCMessage  *operation,
                    GError                  *build_error,
                    GCancellable            *cancellable,
                    GError                 **error)
{
  if (operation == NULL)
    {
      g_propagate_error (error, build_error);
      return NULL;
    }
  return _parsec_client_call (target->client, op, target->provider, operation,
                              target->flags, cancellable, error);
}

ProtobufCBinaryData
_parsec_binary_from_bytes (GBytes *bytes)
{
  ProtobufCBinaryData binary = { 0, NULL };

  if (bytes != NULL)
    binary.data = (guint8 *) g_bytes_get_data (bytes, &binary.len);
  return binary;
}

GBytes *
_parsec_result_bytes (ProtobufCMessage *result,
                      gboolean          secret)
{
  const ProtobufCBinaryData *binary = result_binary (result);

  if (secret)
    return secure_bytes_new (binary->data, binary->len);
  return g_bytes_new (binary->data, binary->len);
}

void
_parsec_call_done_boolean (GTask            *task,
                           ProtobufCMessage *result)
{
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

void
_parsec_call_done_bytes (GTask            *task,
                         ProtobufCMessage *result)
{
  g_task_return_pointer (task, _parsec_result_bytes (result, FALSE), (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

void
_parsec_call_done_secret (GTask            *task,
                          ProtobufCMessage *result)
{
  g_task_return_pointer (task, _parsec_result_bytes (result, TRUE), (GDestroyNotify) g_bytes_unref);
  g_object_unref (task);
}

/* For the synchronous calls: the bytes, with the result freed. */
GBytes *
_parsec_result_take_bytes (ProtobufCMessage *result,
                           gboolean          secret)
{
  GBytes *bytes;

  if (result == NULL)
    return NULL;
  bytes = _parsec_result_bytes (result, secret);
  _parsec_message_free (result);
  return bytes;
}

GTask *
_parsec_task_new (gpointer             source_object,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data,
                         gpointer             source_tag,
                         const char          *name)
{
  GTask *task = g_task_new (source_object, cancellable, callback, user_data);

  /* The function, not GLib's macro, which would name the task
   * "source_tag" first: one copy of a name, not two. */
  (g_task_set_source_tag) (task, source_tag);
  g_task_set_name (task, name);
  return task;
}

