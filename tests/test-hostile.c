/* test-hostile.c: the client against a service that answers anything
 *
 * Thousands of responses, random or mutated from well-formed responses of
 * every operation (bit flips, truncation, length fields that lie, random
 * bodies, huge declared lengths, wrong opcodes and statuses, bad header
 * fields), go to the real client through the fake service, synchronously
 * and asynchronously. Every call must end with a result or a GError:
 * no crash, no hang (each call has the client's 2 s deadline), no
 * critical or warning (fatal in tests).
 *
 * The responses come from a seed printed at the start; set
 * PARSEC_HOSTILE_SEED to repeat a run, PARSEC_HOSTILE_ITERATIONS to
 * change the number of calls per mode, and PARSEC_HOSTILE_VERBOSE to
 * log each case.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "async-wait.h"
#include "fuzz-common.h"
#include "parsec-wire-private.h"

#include "list_keys.pb-c.h"

#define TIMEOUT_MS         2000
/* The stalled calls end at their deadline: short, to keep the test so. */
#define STALL_TIMEOUT_MS   250
#define DEFAULT_ITERATIONS 2500
/* Only a client that never calls back can reach this. */
#define WATCHDOG_S         120

typedef enum {
  MUTATION_NONE,
  MUTATION_RANDOM,
  MUTATION_BIT_FLIPS,
  MUTATION_BODY_BIT_FLIPS,
  MUTATION_BYTES,
  MUTATION_TRUNCATE,
  MUTATION_BODY_LENGTH,
  MUTATION_HUGE_LENGTH,
  MUTATION_RANDOM_BODY,
  MUTATION_PROTOBUF_LENGTH,
  MUTATION_OPCODE,
  MUTATION_STATUS,
  MUTATION_HEADER_FIELD,
  MUTATION_TRAILING,
  MUTATION_EMPTY,
  MUTATION_CLOSE,
  N_MUTATIONS
} Mutation;

static const char * const mutation_names[] = {
  "none", "random", "bit-flips", "body-bit-flips", "bytes", "truncate", "body-length",
  "huge-length", "random-body", "protobuf-length", "opcode", "status", "header-field",
  "trailing", "empty", "close",
};
G_STATIC_ASSERT (G_N_ELEMENTS (mutation_names) == N_MUTATIONS);

static guint32 seed;
static guint iterations;
static gboolean verbose;

static void
put_u16 (guint8 *p, guint16 v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  put_u16 (p, v & 0xffff);
  put_u16 (p + 2, v >> 16);
}

static void
append_random (GByteArray *array,
               GRand      *rand,
               gsize       len)
{
  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = (guint8) g_rand_int (rand);

      g_byte_array_append (array, &byte, 1);
    }
}

static void
set_body_length (GByteArray *r,
                 guint32     len)
{
  put_u32 (r->data + 22, len);
}

/* A response to @op as @mutation makes it, and in *action how the fake
 * delivers it. */
static GBytes *
hostile_response (const FuzzOp *op,
                  Mutation      mutation,
                  GRand        *rand,
                  FakeAction   *action)
{
  g_autoptr(GBytes) body = fuzz_random_body (op->result, rand);
  g_autoptr(GBytes) valid = fuzz_response_new (op->opcode, 0, g_bytes_get_data (body, NULL),
                                               g_bytes_get_size (body));
  GByteArray *r = g_byte_array_new ();
  gsize body_len = g_bytes_get_size (body);

  g_byte_array_append (r, g_bytes_get_data (valid, NULL), g_bytes_get_size (valid));
  *action = FAKE_ACTION_SEND;

  switch (mutation)
    {
    case MUTATION_NONE:
      break;

    case MUTATION_RANDOM:
      g_byte_array_set_size (r, 0);
      append_random (r, rand, g_rand_int_range (rand, 0, 2 * PARSEC_WIRE_HEADER_LEN));
      break;

    case MUTATION_BIT_FLIPS:
    case MUTATION_BODY_BIT_FLIPS:
      {
        gsize start = mutation == MUTATION_BODY_BIT_FLIPS ? PARSEC_WIRE_HEADER_LEN : 0;

        if (r->len == start)
          break;
        for (guint n = g_rand_int_range (rand, 1, 9); n > 0; n--)
          r->data[g_rand_int_range (rand, start, r->len)] ^= 1u << g_rand_int_range (rand, 0, 8);
      }
      break;

    case MUTATION_BYTES:
      {
        static const guint8 values[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };

        for (guint n = g_rand_int_range (rand, 1, 5); n > 0; n--)
          r->data[g_rand_int_range (rand, 0, r->len)] = g_rand_boolean (rand)
            ? values[g_rand_int_range (rand, 0, G_N_ELEMENTS (values))] : (guint8) g_rand_int (rand);
      }
      break;

    case MUTATION_TRUNCATE:
      g_byte_array_set_size (r, g_rand_int_range (rand, 0, r->len));
      break;

    case MUTATION_BODY_LENGTH:
      {
        const guint32 lies[] = {
          body_len + 1, body_len > 0 ? body_len - 1 : 1, 0, body_len + g_rand_int_range (rand, 2, 4096),
          body_len / 2, g_rand_int (rand),
        };

        set_body_length (r, lies[g_rand_int_range (rand, 0, G_N_ELEMENTS (lies))]);
      }
      break;

    case MUTATION_HUGE_LENGTH:
      {
        /* At the client's default limit (1 MiB, allocated and never
         * filled), just above it, and the most a u32 says. */
        const guint32 lies[] = { 1u << 20, (1u << 20) + 1, G_MAXUINT32, G_MAXINT32 };

        set_body_length (r, lies[g_rand_int_range (rand, 0, G_N_ELEMENTS (lies))]);
        if (g_rand_boolean (rand))
          g_byte_array_set_size (r, PARSEC_WIRE_HEADER_LEN);
      }
      break;

    case MUTATION_RANDOM_BODY:
      {
        guint32 len = g_rand_int_range (rand, 0, 8) == 0 ? g_rand_int_range (rand, 0, 65536)
                                                         : g_rand_int_range (rand, 0, 256);

        g_byte_array_set_size (r, PARSEC_WIRE_HEADER_LEN);
        append_random (r, rand, len);
        set_body_length (r, len);
      }
      break;

    case MUTATION_PROTOBUF_LENGTH:
      {
        /* A length-delimited field whose length runs past the body, or
         * a varint that never ends. */
        guint8 field[11];
        gsize field_len = 0, at = PARSEC_WIRE_HEADER_LEN + g_rand_int_range (rand, 0, body_len + 1);
        guint32 length = g_rand_boolean (rand) ? G_MAXUINT32 : (guint32) body_len + g_rand_int_range (rand, 1, 64);

        field[field_len++] = (guint8) ((g_rand_int_range (rand, 1, 5) << 3) | 2);
        if (g_rand_int_range (rand, 0, 4) == 0)
          while (field_len < sizeof field)
            field[field_len++] = 0xff;
        else
          {
            for (; length >= 0x80; length >>= 7)
              field[field_len++] = (guint8) (length | 0x80);
            field[field_len++] = (guint8) length;
          }
        g_array_insert_vals ((GArray *) r, at, field, field_len);
        set_body_length (r, r->len - PARSEC_WIRE_HEADER_LEN);
      }
      break;

    case MUTATION_OPCODE:
      {
        /* Ping is what the service's default error header carries. */
        const guint32 opcodes[] = {
          PARSEC_OPCODE_PING, op->opcode + 1, op->opcode + 0x100, PARSEC_OPCODE_LIST_OPCODES,
          g_rand_int (rand),
        };
        guint32 opcode = opcodes[g_rand_int_range (rand, 0, G_N_ELEMENTS (opcodes))];

        put_u32 (r->data + 28, opcode != op->opcode ? opcode : opcode + 1);
      }
      break;

    case MUTATION_STATUS:
      {
        const guint16 statuses[] = {
          PARSEC_ERROR_WRONG_PROVIDER_ID, PARSEC_ERROR_NOT_AUTHENTICATED, PARSEC_ERROR_PSA_DOES_NOT_EXIST,
          PARSEC_ERROR_PSA_INVALID_SIGNATURE, 23, 1131, 1144, 1154, G_MAXUINT16, (guint16) g_rand_int (rand) | 1,
        };

        put_u16 (r->data + 32, statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))]);
        if (g_rand_boolean (rand))
          {
            g_byte_array_set_size (r, PARSEC_WIRE_HEADER_LEN);
            set_body_length (r, 0);
          }
        if (g_rand_boolean (rand))
          put_u32 (r->data + 28, PARSEC_OPCODE_PING);
      }
      break;

    case MUTATION_HEADER_FIELD:
      {
        /* Offset and size of each field of PROTOCOL.md §1.2 but the
         * length, opcode and status, which have their own mutations. */
        static const struct { guint8 offset, size; } fields[] = {
          { 0, 4 }, { 4, 2 }, { 6, 1 }, { 7, 1 }, { 8, 2 }, { 10, 1 }, { 11, 8 }, { 19, 1 },
          { 20, 1 }, { 21, 1 }, { 26, 2 }, { 34, 1 }, { 35, 1 },
        };
        guint f = g_rand_int_range (rand, 0, G_N_ELEMENTS (fields));

        for (guint i = 0; i < fields[f].size; i++)
          r->data[fields[f].offset + i] = (guint8) g_rand_int (rand);
      }
      break;

    case MUTATION_TRAILING:
      append_random (r, rand, g_rand_int_range (rand, 1, 512));
      break;

    case MUTATION_EMPTY:
      g_byte_array_set_size (r, 0);
      break;

    case MUTATION_CLOSE:
      *action = FAKE_ACTION_CLOSE;
      break;

    case N_MUTATIONS:
    default:
      g_assert_not_reached ();
    }

  return g_byte_array_free_to_bytes (r);
}

/* One case: the response to send and to which requests. */
typedef struct {
  const FuzzOp *op;
  Mutation mutation;
  FuzzScript script;
} Case;

static void
case_prepare (Case  *c,
              guint  i,
              GRand *rand)
{
  c->op = &fuzz_ops[i % fuzz_n_ops];
  c->mutation = g_rand_int_range (rand, 0, N_MUTATIONS);
  c->script.opcode = c->op->opcode;
  /* Sometimes the requests around the operation get it too. */
  c->script.all = g_rand_int_range (rand, 0, 8) == 0;
  c->script.response = hostile_response (c->op, c->mutation, rand, &c->script.action);
  if (verbose)
    g_test_message ("case %u: %s, %s%s, %" G_GSIZE_FORMAT " bytes", i, c->op->name,
                    mutation_names[c->mutation], c->script.all ? ", to every request" : "",
                    g_bytes_get_size (c->script.response));
  fuzz_fake_set_script (&c->script);
}

static void
case_clear (Case *c)
{
  g_clear_pointer (&c->script.response, g_bytes_unref);
}

typedef struct {
  guint results;
  guint errors;
} Tally;

static void
tally_report (const Tally *tally,
              const char  *mode)
{
  g_test_message ("%s: %u calls, %u results, %u errors", mode,
                  tally->results + tally->errors, tally->results, tally->errors);
  /* Both ways out were taken, or the responses were not hostile enough
   * (or not valid enough) to test anything. */
  g_assert_cmpuint (tally->results, >, 0);
  g_assert_cmpuint (tally->errors, >, 0);
}

static void
test_sync (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  Tally tally = { 0 };

  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
      g_autoptr(GError) error = NULL;
      Case c = { 0 };
      gboolean ok;

      case_prepare (&c, i, rand);
      ok = c.op->run (client, &error);
      fuzz_check_outcome (c.op, ok, error, FALSE);
      if (ok)
        tally.results++;
      else
        tally.errors++;
      case_clear (&c);
    }
  tally_report (&tally, "sync");
}

static gboolean
watchdog (gpointer user_data)
{
  g_error ("An asynchronous call (%s) did not call back within %d s", (const char *) user_data, WATCHDOG_S);
  return G_SOURCE_REMOVE;
}

static gboolean
run_async (const FuzzOp  *op,
           ParsecClient  *client,
           GError       **error)
{
  AsyncWait wait;
  guint watch;
  gboolean ok;

  async_wait_init (&wait);
  watch = g_timeout_add_seconds (WATCHDOG_S, watchdog, (gpointer) op->name);
  op->start (client, NULL, async_wait_store, &wait);
  ok = op->finish (client, async_wait_result (&wait), error);
  g_source_remove (watch);
  async_wait_clear (&wait);
  return ok;
}

static void
test_async (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed ^ 0x5a5a5a5a);
  Tally tally = { 0 };

  for (guint i = 0; i < iterations; i++)
    {
      g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
      g_autoptr(GError) error = NULL;
      Case c = { 0 };
      gboolean ok;

      case_prepare (&c, i, rand);
      ok = run_async (c.op, client, &error);
      fuzz_check_outcome (c.op, ok, error, FALSE);
      if (ok)
        tally.results++;
      else
        tally.errors++;
      case_clear (&c);
    }
  tally_report (&tally, "async");
}

static const FuzzOp *
find_op (const char *name)
{
  for (gsize i = 0; i < fuzz_n_ops; i++)
    if (g_str_equal (fuzz_ops[i].name, name))
      return &fuzz_ops[i];
  g_assert_not_reached ();
}

/* A service that sends part of a response and then nothing: each call
 * must end at its deadline, with G_IO_ERROR_TIMED_OUT. */
static void
test_stall (void)
{
  static const char * const stalled[] = { "list_keys", "sign_hash", "discover_providers" };

  for (guint i = 0; i < G_N_ELEMENTS (stalled); i++)
    for (guint body = 0; body < 2; body++)
      {
        const FuzzOp *op = find_op (stalled[i]);
        g_autoptr(GBytes) header = NULL;
        FuzzScript script = { 0 };

        /* Nothing at all, or a header that announces a body never sent. */
        if (body)
          {
            ParsecWireHeader h;
            guint8 buf[PARSEC_WIRE_HEADER_LEN];

            _parsec_wire_header_init_request (&h, 0, op->opcode, 0, 100, 0);
            _parsec_wire_header_encode (&h, buf);
            header = g_bytes_new (buf, sizeof buf);
          }
        script.response = header;
        script.opcode = op->opcode;
        script.action = FAKE_ACTION_SEND_HOLD;
        fuzz_fake_set_script (&script);

        for (guint async = 0; async < 2; async++)
          {
            g_autoptr(ParsecClient) client = fuzz_client_new (STALL_TIMEOUT_MS);
            g_autoptr(GError) error = NULL;
            gboolean ok = async ? run_async (op, client, &error) : op->run (client, &error);

            fuzz_check_outcome (op, ok, error, TRUE);
            g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
          }
      }
}

/* What the fuzzers found, as tests. */

/* Answers the next requests with @opcode with @body. */
static void
serve_body (guint32       opcode,
            const guint8 *body,
            gsize         len)
{
  g_autoptr(GBytes) response = fuzz_response_new (opcode, 0, body, len);
  FuzzScript script = { 0 };

  script.response = response;
  script.opcode = opcode;
  script.action = FAKE_ACTION_SEND;
  fuzz_fake_set_script (&script);
}

/* A ListKeys answer with the key "key" of @provider. */
static void
serve_key_of (guint32                          provider,
              PsaKeyAttributes__KeyAttributes *attributes)
{
  ListKeys__Result result = LIST_KEYS__RESULT__INIT;
  ListKeys__KeyInfo info = LIST_KEYS__KEY_INFO__INIT;
  ListKeys__KeyInfo *keys[] = { &info };
  gsize len;
  g_autofree guint8 *body = NULL;

  info.provider_id = provider;
  info.name = (char *) "key";
  info.attributes = attributes;
  result.n_keys = 1;
  result.keys = keys;
  len = protobuf_c_message_get_packed_size (&result.base);
  body = g_malloc (len + 1);
  protobuf_c_message_pack (&result.base, body);
  serve_body (PARSEC_OPCODE_LIST_KEYS, body, len);
}

/* The same for the Mbed Crypto provider. */
static void
serve_key (PsaKeyAttributes__KeyAttributes *attributes)
{
  serve_key_of (PARSEC_PROVIDER_MBED_CRYPTO, attributes);
}

/* KeyInfo.attributes is an optional message: a service may leave it
 * out. The library took the address of a member through the NULL
 * pointer (undefined behaviour, UBSan); the key now reads as having no
 * attributes to speak of. */
static void
test_key_without_attributes (void)
{
  g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GError) error = NULL;

  serve_key (NULL);
  keys = parsec_client_list_keys (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpuint (parsec_key_attributes_get_key_type (parsec_key_get_attributes (keys->pdata[0])), ==, 0);
  key = parsec_client_lookup_key (client, "key", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (parsec_key_attributes_get_key_type (parsec_key_get_attributes (key)), ==, 0);
}

/* A key of a provider this version of the library does not name keeps
 * its wire id, without a warning. */
static void
test_unknown_provider (void)
{
  g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  serve_key_of (13, NULL);
  keys = parsec_client_list_keys (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpstr (parsec_key_get_name (keys->pdata[0]), ==, "key");
  g_assert_cmpint (parsec_key_get_provider (keys->pdata[0]), ==, 13);
}

/* The attributes of a key whose type the service left out convert to key
 * type 0, which has no field in the contract; given back to the library,
 * here to copy the key, they must encode (for the service to refuse)
 * rather than abort, as they did. */
static void
test_attributes_sent_back (void)
{
  g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(ParsecKey) copy = NULL;
  ParsecKeyAttributes *attributes;
  g_autoptr(GError) error = NULL;
  PsaKeyAttributes__KeyAttributes message = PSA_KEY_ATTRIBUTES__KEY_ATTRIBUTES__INIT;

  message.key_bits = 256;
  serve_key (&message);
  key = parsec_client_lookup_key (client, "key", NULL, &error);
  g_assert_no_error (error);
  attributes = parsec_key_get_attributes (key);
  g_assert_cmpuint (parsec_key_attributes_get_key_type (attributes), ==, 0);

  copy = parsec_client_generate_key (client, "copy", attributes, NULL, &error);
  fuzz_check_outcome (find_op ("generate_key"), copy != NULL, error, FALSE);
}

/* sign-data takes its algorithm from the key's policy. A signature
 * policy without a scheme made parsec_algorithm_new_signature() fail with
 * a critical, and the NULL algorithm was used next; it is an error, for
 * signing as for verifying. */
static void
test_sign_data_policy (void)
{
  g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
  g_autoptr(GBytes) data = g_bytes_new_static ("abc", 3);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GError) error = NULL;
  PsaKeyAttributes__KeyAttributes message = PSA_KEY_ATTRIBUTES__KEY_ATTRIBUTES__INIT;
  PsaKeyAttributes__KeyPolicy policy = PSA_KEY_ATTRIBUTES__KEY_POLICY__INIT;
  PsaAlgorithm__Algorithm algorithm = PSA_ALGORITHM__ALGORITHM__INIT;
  PsaAlgorithm__Algorithm__AsymmetricSignature no_scheme = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__INIT;

  algorithm.variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE;
  algorithm.asymmetric_signature = &no_scheme;
  policy.key_algorithm = &algorithm;
  message.key_bits = 256;
  message.key_policy = &policy;
  serve_key (&message);

  key = parsec_client_lookup_key (client, "key", NULL, &error);
  g_assert_no_error (error);
  signature = parsec_key_sign_data (key, data, NULL, &error);
  g_assert_null (signature);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (parsec_key_verify_data (key, data, data, NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
}

/* The response to @opcode: field 1 holding @len bytes @fill. */
static void
serve_bytes (guint32 opcode,
             guint8  fill,
             gsize   len)
{
  g_autofree guint8 *body = g_malloc (len + 8);
  gsize n = 0;

  /* Field 1, length-delimited, then the bytes. */
  body[n++] = 0x0a;
  for (gsize v = len; ; v >>= 7)
    {
      body[n++] = (guint8) ((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
      if (v <= 0x7f)
        break;
    }
  memset (body + n, fill, len);
  serve_body (opcode, body, n + len);
}

/* What the request fixes, the answer must keep: a digest as long as its
 * hash, random bytes neither none nor more than asked for.
 * generate_random(32) took 0 and 5000 bytes before. */
static void
test_result_lengths (void)
{
  g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
  g_autoptr(GBytes) data = g_bytes_new_static ("abc", 3);
  const gsize random_lengths[] = { 0, 33, 5000 };
  const gsize digest_lengths[] = { 0, 20, 31, 64 };

  for (gsize i = 0; i < G_N_ELEMENTS (random_lengths); i++)
    {
      g_autoptr(GBytes) random = NULL;
      g_autoptr(GError) error = NULL;

      serve_bytes (PARSEC_OPCODE_PSA_GENERATE_RANDOM, 0x5a, random_lengths[i]);
      random = parsec_client_generate_random (client, 32, NULL, &error);
      g_assert_null (random);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (digest_lengths); i++)
    {
      g_autoptr(GBytes) digest = NULL;
      g_autoptr(GError) error = NULL;

      serve_bytes (PARSEC_OPCODE_PSA_HASH_COMPUTE, 0x5a, digest_lengths[i]);
      digest = parsec_client_hash_compute (client, PARSEC_HASH_SHA_256, data, NULL, &error);
      g_assert_null (digest);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
    }
  {
    g_autoptr(GBytes) random = NULL;
    g_autoptr(GError) error = NULL;

    serve_bytes (PARSEC_OPCODE_PSA_GENERATE_RANDOM, 0x5a, 32);
    random = parsec_client_generate_random (client, 32, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_bytes_get_size (random), ==, 32);
  }
}

static void
random_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Asks for @size random bytes of a service that answers every request
 * with @answer bytes, synchronously or not; returns the result and in
 * @requests how many requests it took. */
static GBytes *
random_from_short_answers (gsize     size,
                           gsize     answer,
                           gboolean  async,
                           guint    *requests,
                           GError  **error)
{
  g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
  guint before;
  GBytes *random;

  serve_bytes (PARSEC_OPCODE_PSA_GENERATE_RANDOM, 0x5a, answer);
  before = fake_service_get_request_count (fuzz_fake_get ());
  if (async)
    {
      g_autoptr(GAsyncResult) result = NULL;

      parsec_client_generate_random_async (client, size, NULL, random_done, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      random = parsec_client_generate_random_finish (client, result, error);
    }
  else
    random = parsec_client_generate_random (client, size, NULL, error);
  *requests = fake_service_get_request_count (fuzz_fake_get ()) - before;
  return random;
}

/* A service may give fewer random bytes than asked for (the TPM provider
 * gives one TPM2_GetRandom): the client asks again for the rest, takes
 * no answer longer than the rest and stops at the first bad one. */
static void
test_random_short_answers (void)
{
  for (guint async = 0; async < 2; async++)
    {
      g_autoptr(GBytes) random = NULL;
      g_autoptr(GError) error = NULL;
      guint requests;

      random = random_from_short_answers (30, 3, async, &requests, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (random), ==, 30);
      g_assert_cmpuint (requests, ==, 10);
      for (gsize i = 0; i < 30; i++)
        g_assert_cmpuint (((const guint8 *) g_bytes_get_data (random, NULL))[i], ==, 0x5a);
      g_clear_pointer (&random, g_bytes_unref);

      /* 3 bytes ten times, then 3 where 2 are missing. */
      random = random_from_short_answers (32, 3, async, &requests, &error);
      g_assert_null (random);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
      g_assert_cmpuint (requests, ==, 11);
      g_clear_error (&error);

      /* Nothing is never progress. */
      random = random_from_short_answers (32, 0, async, &requests, &error);
      g_assert_null (random);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
      g_assert_cmpuint (requests, ==, 1);
    }
}

/* A signature of data by a key of known size has that size: r ‖ s for
 * the canned P-256 key, looked up or made with its attributes. */
static void
test_signature_length (void)
{
  g_autoptr(GBytes) data = g_bytes_new_static ("abc", 3);
  g_autoptr(ParsecKeyAttributes) p256 = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  const gsize lengths[] = { 0, 63, 65, 200 };

  for (gsize i = 0; i < G_N_ELEMENTS (lengths); i++)
    for (guint looked_up = 0; looked_up < 2; looked_up++)
      {
        g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
        g_autoptr(ParsecKey) key = NULL;
        g_autoptr(GBytes) signature = NULL;
        g_autoptr(GError) error = NULL;

        serve_bytes (PARSEC_OPCODE_PSA_SIGN_HASH, 0x5a, lengths[i]);
        if (looked_up)
          {
            key = parsec_client_lookup_key (client, "key", NULL, &error);
            g_assert_no_error (error);
          }
        else
          key = g_object_new (PARSEC_TYPE_KEY, "client", client, "name", "key", "attributes", p256, NULL);
        signature = parsec_key_sign_data (key, data, NULL, &error);
        g_assert_null (signature);
        g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
      }
}

/* A signature of a hash too: r ‖ s as long as the curve, an RSA
 * signature as long as the modulus, synchronously and asynchronously. */
static void
test_hash_signature_length (void)
{
  g_autoptr(GBytes) digest = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(ParsecKeyAttributes) p256 = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecAlgorithm) pss = parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKeyAttributes) rsa = parsec_key_attributes_new_rsa_signing (2048, pss);
  const struct {
    ParsecKeyAttributes *attributes;
    gsize good, bad[4];
  } cases[] = {
    { p256, 64, { 0, 62, 66, 132 } },
    { rsa, 256, { 0, 255, 257, 512 } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize j = 0; j <= G_N_ELEMENTS (cases[i].bad); j++)
      for (guint async = 0; async < 2; async++)
        {
          gsize len = j < G_N_ELEMENTS (cases[i].bad) ? cases[i].bad[j] : cases[i].good;
          g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);
          g_autoptr(ParsecKey) key = g_object_new (PARSEC_TYPE_KEY, "client", client, "name", "key",
                                                   "attributes", cases[i].attributes, NULL);
          g_autoptr(GBytes) signature = NULL;
          g_autoptr(GError) error = NULL;

          g_test_message ("case %zu, %zu bytes, %s", i, len, async ? "async" : "sync");
          serve_bytes (PARSEC_OPCODE_PSA_SIGN_HASH, 0x5a, len);
          if (async)
            {
              AsyncWait wait;

              async_wait_init (&wait);
              parsec_key_sign_hash_async (key, NULL, digest, NULL, async_wait_store, &wait);
              signature = parsec_key_sign_hash_finish (key, async_wait_result (&wait), &error);
              async_wait_clear (&wait);
            }
          else
            signature = parsec_key_sign_hash (key, NULL, digest, NULL, &error);
          if (len == cases[i].good)
            {
              g_assert_no_error (error);
              g_assert_cmpuint (g_bytes_get_size (signature), ==, len);
            }
          else
            {
              g_assert_null (signature);
              g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
            }
        }
}

/* r ‖ s converts to DER only at the length of a curve's. */
static void
test_ecdsa_signature_lengths (void)
{
  static const gsize good[] = { 48, 56, 64, 96, 128, 132 };
  static const gsize bad[] = { 0, 1, 2, 62, 63, 66, 130, 134, 200 };
  guint8 raw[200];

  memset (raw, 0x5a, sizeof raw);
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GBytes) signature = g_bytes_new (raw, good[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) der = parsec_ecdsa_signature_to_der (signature, &error);

      g_assert_no_error (error);
      g_assert_nonnull (der);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GBytes) signature = g_bytes_new (raw, bad[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) der = parsec_ecdsa_signature_to_der (signature, &error);

      g_test_message ("%zu bytes", bad[i]);
      g_assert_null (der);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
    }
}

/* A response to @opcode whose field 1 repeats @record @n times. */
static void
serve_repeated (guint32       opcode,
                const guint8 *record,
                gsize         record_len,
                gsize         n)
{
  g_autofree guint8 *body = g_malloc (record_len * n + 1);

  for (gsize i = 0; i < n; i++)
    memcpy (body + i * record_len, record, record_len);
  serve_body (opcode, body, record_len * n);
}

/* Lists are bounded before they are decoded: half a million empty keys in
 * a megabyte once took a D-Bus service to 2.4 GB. */
static void
test_list_bounds (void)
{
  static const guint8 empty_entry[] = { 0x0a, 0x00 };
  g_autoptr(ParsecClient) client = fuzz_client_new (TIMEOUT_MS);

  for (guint round = 0; round < 2; round++)
    {
      gboolean over = round == 1;
      g_autoptr(GPtrArray) keys = NULL;
      g_autoptr(GPtrArray) providers = NULL;
      g_auto(GStrv) clients = NULL;
      g_autoptr(GArray) opcodes = NULL;
      g_autoptr(GError) keys_error = NULL;
      g_autoptr(GError) providers_error = NULL;
      g_autoptr(GError) clients_error = NULL;
      g_autoptr(GError) opcodes_error = NULL;

      serve_repeated (PARSEC_OPCODE_LIST_KEYS, empty_entry, sizeof empty_entry, over ? 524288 - 1 : 16384);
      keys = parsec_client_list_keys (client, NULL, &keys_error);
      serve_repeated (PARSEC_OPCODE_LIST_PROVIDERS, empty_entry, sizeof empty_entry, over ? 257 : 256);
      providers = parsec_client_list_providers (client, NULL, &providers_error);
      serve_repeated (PARSEC_OPCODE_LIST_CLIENTS, empty_entry, sizeof empty_entry, over ? 16385 : 16384);
      clients = parsec_client_list_clients (client, NULL, &clients_error);

      /* One packed record of operation ids, each 1. */
      serve_bytes (PARSEC_OPCODE_LIST_OPCODES, 0x01, over ? 300 : 127);
      opcodes = parsec_client_list_opcodes (client, PARSEC_PROVIDER_MBED_CRYPTO, NULL, &opcodes_error);

      if (over)
        {
          g_assert_error (keys_error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
          g_assert_error (providers_error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
          g_assert_error (clients_error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
          g_assert_error (opcodes_error, PARSEC_ERROR, PARSEC_ERROR_PROTOCOL_VIOLATION);
        }
      else
        {
          g_assert_no_error (keys_error);
          g_assert_cmpuint (keys->len, ==, 16384);
          g_assert_no_error (providers_error);
          g_assert_cmpuint (providers->len, ==, 256);
          g_assert_no_error (clients_error);
          g_assert_cmpuint (g_strv_length (clients), ==, 16384);
          g_assert_no_error (opcodes_error);
          g_assert_cmpuint (opcodes->len, ==, 127);
        }
    }
}

/* An empty DER signature, which once made parsec_ecdsa_signature_from_der()
 * compute NULL + 0 (undefined behaviour that UBSan reports). */
static void
test_empty_der (void)
{
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GError) error = NULL;

  raw = parsec_ecdsa_signature_from_der (empty, 256, &error);
  g_assert_null (raw);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
}

/* The curve size may come from a key the service describes, with 0 or
 * 2000 bits: an error, where a precondition once returned NULL without
 * one (and parsec-glib-tool verify then crashed on the missing error). */
static void
test_der_curve_sizes (void)
{
  static const guint8 der_bytes[] = { 0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01 };
  g_autoptr(GBytes) der = g_bytes_new_static (der_bytes, sizeof der_bytes);
  const guint sizes[] = { 0, 1025, 2000, G_MAXUINT };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(GError) error = NULL;

      raw = parsec_ecdsa_signature_from_der (der, sizes[i], &error);
      g_assert_null (raw);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
    }
}

int
main (int    argc,
      char **argv)
{
  const char *env;

  g_test_init (&argc, &argv, NULL);

  env = g_getenv ("PARSEC_HOSTILE_SEED");
  seed = env != NULL ? (guint32) g_ascii_strtoull (env, NULL, 10) : (guint32) g_test_rand_int ();
  env = g_getenv ("PARSEC_HOSTILE_ITERATIONS");
  iterations = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : DEFAULT_ITERATIONS;
  verbose = g_getenv ("PARSEC_HOSTILE_VERBOSE") != NULL;
  g_test_message ("seed %u (repeat with PARSEC_HOSTILE_SEED=%u), %u calls per mode", seed, seed, iterations);

  /* Started before the tests, so that its thread is not counted as
   * theirs. */
  fuzz_fake_get ();

  g_test_add_func ("/parsec/hostile/sync", test_sync);
  g_test_add_func ("/parsec/hostile/async", test_async);
  g_test_add_func ("/parsec/hostile/random-short-answers", test_random_short_answers);
  g_test_add_func ("/parsec/hostile/stall", test_stall);
  g_test_add_func ("/parsec/hostile/key-without-attributes", test_key_without_attributes);
  g_test_add_func ("/parsec/hostile/unknown-provider", test_unknown_provider);
  g_test_add_func ("/parsec/hostile/attributes-sent-back", test_attributes_sent_back);
  g_test_add_func ("/parsec/hostile/sign-data-policy", test_sign_data_policy);
  g_test_add_func ("/parsec/hostile/empty-der", test_empty_der);
  g_test_add_func ("/parsec/hostile/der-curve-sizes", test_der_curve_sizes);
  g_test_add_func ("/parsec/hostile/result-lengths", test_result_lengths);
  g_test_add_func ("/parsec/hostile/list-bounds", test_list_bounds);
  g_test_add_func ("/parsec/hostile/signature-length", test_signature_length);
  g_test_add_func ("/parsec/hostile/hash-signature-length", test_hash_signature_length);
  g_test_add_func ("/parsec/hostile/ecdsa-signature-lengths", test_ecdsa_signature_lengths);

  return g_test_run ();
}
