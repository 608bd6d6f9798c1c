/* fuzz-result.c: result bodies through the library's decoding and conversions
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "fuzz-result.h"
#include "parsec-client-private.h"
#include "parsec-psa-private.h"
#include "parsec-secure-private.h"

#include "list_authenticators.pb-c.h"
#include "list_keys.pb-c.h"
#include "list_providers.pb-c.h"
#include "psa_algorithm.pb-c.h"
#include "psa_key_attributes.pb-c.h"

/* The fake answers at once: reaching this means the client hung. */
#define TIMEOUT_MS 10000

static ProtobufCMessage *
unpack (const ProtobufCMessageDescriptor *descriptor,
        const guint8                     *data,
        gsize                             size)
{
  return protobuf_c_message_unpack (descriptor, &_parsec_secure_protobuf_allocator, size, data);
}

static GBytes *
pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *buf = g_malloc (len + 1);

  g_assert_cmpuint (protobuf_c_message_pack (message, buf), ==, len);
  return g_bytes_new_take (buf, len);
}

/* The library sends back what it received: an algorithm or attributes
 * from the service, given to a later operation, must encode to what
 * decodes to the same value. */
static void
check_algorithm_roundtrip (ParsecAlgorithm *algorithm)
{
  g_autoptr(ProtobufCMessage) message = _parsec_algorithm_to_message (algorithm);
  g_autoptr(GBytes) bytes = pack (message);
  g_autoptr(ProtobufCMessage) parsed = NULL;
  g_autoptr(ParsecAlgorithm) back = NULL;

  parsed = unpack (&psa_algorithm__algorithm__descriptor, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_nonnull (parsed);
  back = _parsec_algorithm_from_message (parsed);
  g_assert_true (parsec_algorithm_equal (algorithm, back));
}

static void
check_attributes_roundtrip (ParsecKeyAttributes *attributes)
{
  g_autoptr(ProtobufCMessage) message = _parsec_key_attributes_to_message (attributes);
  g_autoptr(GBytes) bytes = pack (message);
  g_autoptr(ProtobufCMessage) parsed = NULL;
  g_autoptr(ParsecKeyAttributes) back = NULL;

  parsed = unpack (&psa_key_attributes__key_attributes__descriptor,
                   g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_nonnull (parsed);
  back = _parsec_key_attributes_from_message (parsed);
  g_assert_cmpuint (back->key_type, ==, attributes->key_type);
  g_assert_cmpuint (back->family, ==, attributes->family);
  g_assert_cmpuint (back->bits, ==, attributes->bits);
  g_assert_cmpuint (back->usage, ==, attributes->usage);
  g_assert_true (parsec_algorithm_equal (back->algorithm, attributes->algorithm));
}

static void
convert_attributes (const ProtobufCMessage *message)
{
  g_autoptr(ParsecKeyAttributes) attributes = _parsec_key_attributes_from_message (message);

  fuzz_check_attributes (attributes);
  check_attributes_roundtrip (attributes);
}

static void
convert_algorithm (const ProtobufCMessage *message)
{
  g_autoptr(ParsecAlgorithm) algorithm = _parsec_algorithm_from_message (message);
  g_autofree char *text = parsec_algorithm_to_string (algorithm);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  check_algorithm_roundtrip (algorithm);
}

/* The conversions the library makes of a decoded result, as far as they
 * are reachable without the client. */
static void
convert_result (const FuzzOp     *op,
                ProtobufCMessage *message)
{
  if (message->descriptor == &list_providers__result__descriptor)
    g_assert_true (fuzz_take_providers (_parsec_providers_from_result (message)));
  else if (message->descriptor == &list_authenticators__result__descriptor)
    g_assert_true (fuzz_take_authenticators (_parsec_authenticators_from_result (message)));
  else if (message->descriptor == &list_keys__result__descriptor)
    {
      ListKeys__Result *result = (ListKeys__Result *) message;

      for (gsize i = 0; i < result->n_keys; i++)
        convert_attributes (result->keys[i]->attributes != NULL ? &result->keys[i]->attributes->base : NULL);
    }

  if (op->bytes_result)
    {
      const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (message->descriptor, 1);
      const ProtobufCBinaryData *binary = &G_STRUCT_MEMBER (ProtobufCBinaryData, message, field->offset);
      g_autoptr(GBytes) plain = _parsec_result_bytes (message, FALSE);
      g_autoptr(GBytes) secret = _parsec_result_bytes (message, TRUE);

      g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain), binary->data, binary->len);
      g_assert_true (g_bytes_equal (plain, secret));
    }
}

static void
run_op (const FuzzOp *op,
        const guint8 *body,
        gsize         size)
{
  g_autoptr(ProtobufCMessage) message = unpack (op->result, body, size);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;
  FuzzScript script = { 0 };
  gboolean ok;

  if (message != NULL)
    convert_result (op, message);

  /* Then the whole way, behind a header the client accepts. */
  response = fuzz_response_new (op->opcode, 0, body, size);
  script.response = response;
  script.opcode = op->opcode;
  script.action = FAKE_ACTION_SEND;
  fuzz_fake_set_script (&script);
  client = fuzz_client_new (TIMEOUT_MS);
  ok = op->run (client, &error);
  fuzz_check_outcome (op, ok, error, FALSE);
  /* What the library cannot decode, it cannot have succeeded with. */
  if (message == NULL)
    g_assert_true (g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION));
}

void
fuzz_result_run (FuzzFamily    family,
                 const guint8 *data,
                 gsize         size)
{
  g_autoptr(GPtrArray) ops = NULL;
  guint extras, pick;

  if (size < 1)
    return;
  fuzz_init ();

  ops = fuzz_ops_of_family (family);
  /* Key attributes and algorithms arrive inside ListKeys results; they
   * also get a selector of their own so that the fuzzer need not find
   * the ListKeys framing first. */
  extras = family == FUZZ_FAMILY_KEYS ? 2 : 0;
  pick = data[0] % (ops->len + extras);

  if (pick < ops->len)
    run_op (g_ptr_array_index (ops, pick), data + 1, size - 1);
  else
    {
      const ProtobufCMessageDescriptor *descriptor = pick == ops->len
        ? &psa_key_attributes__key_attributes__descriptor : &psa_algorithm__algorithm__descriptor;
      g_autoptr(ProtobufCMessage) message = unpack (descriptor, data + 1, size - 1);

      if (message == NULL)
        return;
      if (descriptor == &psa_key_attributes__key_attributes__descriptor)
        convert_attributes (message);
      else
        convert_algorithm (message);
    }
}
