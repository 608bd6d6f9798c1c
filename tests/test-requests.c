/* test-requests.c: the request of every operation, field by field
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each public operation is driven against the fake service, which keeps
 * every request it receives. The bodies are decoded with the generated
 * protobuf-c code and checked against the contracts (PROTOCOL.md §2):
 * each field number's value, which fields are on the wire at all (an
 * empty optional field must be absent), that the encoding is the
 * canonical one, and the header's provider, opcode and authentication.
 * The expectations are written with the contract's own names and
 * numbers, never derived from the library's conversions. Every test runs
 * through the synchronous call and through the _async/_finish pair.
 */
#include "config.h"

#include <string.h>

#include "parsec-glib.h"
#include "parsec-client-private.h"
#include "parsec-psa-private.h"
#include "parsec-secure-private.h"
#include "async-wait.h"
#include "fake-service.h"

#include "attest_key.pb-c.h"
#include "can_do_crypto.pb-c.h"
#include "delete_client.pb-c.h"
#include "list_authenticators.pb-c.h"
#include "list_clients.pb-c.h"
#include "list_keys.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"
#include "ping.pb-c.h"
#include "prepare_key_attestation.pb-c.h"
#include "psa_aead_decrypt.pb-c.h"
#include "psa_aead_encrypt.pb-c.h"
#include "psa_asymmetric_decrypt.pb-c.h"
#include "psa_asymmetric_encrypt.pb-c.h"
#include "psa_cipher_decrypt.pb-c.h"
#include "psa_cipher_encrypt.pb-c.h"
#include "psa_destroy_key.pb-c.h"
#include "psa_export_key.pb-c.h"
#include "psa_export_public_key.pb-c.h"
#include "psa_generate_key.pb-c.h"
#include "psa_generate_random.pb-c.h"
#include "psa_hash_compare.pb-c.h"
#include "psa_hash_compute.pb-c.h"
#include "psa_import_key.pb-c.h"
#include "psa_mac_compute.pb-c.h"
#include "psa_mac_verify.pb-c.h"
#include "psa_raw_key_agreement.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "psa_sign_message.pb-c.h"
#include "psa_verify_hash.pb-c.h"
#include "psa_verify_message.pb-c.h"

#define APP_NAME "contract-app"

/* Opcodes, from the contract's table (PROTOCOL.md §1.6). */
enum {
  OP_PING = 0x01,
  OP_GENERATE_KEY = 0x02,
  OP_DESTROY_KEY = 0x03,
  OP_SIGN_HASH = 0x04,
  OP_VERIFY_HASH = 0x05,
  OP_IMPORT_KEY = 0x06,
  OP_EXPORT_PUBLIC_KEY = 0x07,
  OP_LIST_PROVIDERS = 0x08,
  OP_LIST_OPCODES = 0x09,
  OP_ASYMMETRIC_ENCRYPT = 0x0A,
  OP_ASYMMETRIC_DECRYPT = 0x0B,
  OP_EXPORT_KEY = 0x0C,
  OP_GENERATE_RANDOM = 0x0D,
  OP_LIST_AUTHENTICATORS = 0x0E,
  OP_HASH_COMPUTE = 0x0F,
  OP_HASH_COMPARE = 0x10,
  OP_AEAD_ENCRYPT = 0x11,
  OP_AEAD_DECRYPT = 0x12,
  OP_RAW_KEY_AGREEMENT = 0x13,
  OP_CIPHER_ENCRYPT = 0x14,
  OP_CIPHER_DECRYPT = 0x15,
  OP_MAC_COMPUTE = 0x16,
  OP_MAC_VERIFY = 0x17,
  OP_SIGN_MESSAGE = 0x18,
  OP_VERIFY_MESSAGE = 0x19,
  OP_LIST_KEYS = 0x1A,
  OP_LIST_CLIENTS = 0x1B,
  OP_DELETE_CLIENT = 0x1C,
  OP_ATTEST_KEY = 0x1E,
  OP_PREPARE_KEY_ATTESTATION = 0x1F,
  OP_CAN_DO_CRYPTO = 0x20,
};

/* Top-level field numbers present in a body, as a mask of 1 << number. */
#define FIELDS(...) fields_mask ((const guint[]) { __VA_ARGS__, 0 })

static guint64
fields_mask (const guint *numbers)
{
  guint64 mask = 0;

  for (; *numbers != 0; numbers++)
    mask |= G_GUINT64_CONSTANT (1) << *numbers;
  return mask;
}

#define NO_FIELDS G_GUINT64_CONSTANT (0)

typedef struct {
  ParsecWireHeader header;
  GBytes *body;
  GBytes *auth;
} Captured;

static void
captured_free (Captured *captured)
{
  g_bytes_unref (captured->body);
  g_bytes_unref (captured->auth);
  g_free (captured);
}

typedef struct {
  FakeService *fake;
  ParsecClient *client;
  AsyncWait wait;
  gboolean async;
  gconstpointer data;

  GMutex lock;
  GPtrArray *requests;            /* of Captured, in arrival order */
  ParsecKeyAttributes *listed;    /* what ListKeys says "key" is */
  GPtrArray *messages;            /* decoded bodies, freed at teardown */
  guint32 unlisted_opcode;        /* answered PsaErrorNotSupported and not listed */
  guint32 refused_opcode;         /* answered PsaErrorNotSupported though listed */
} Fixture;

typedef struct {
  gboolean async;
  gconstpointer data;
} TestData;

/* The fake: records each request and answers like a service whose
 * provider 1 lists every operation and holds one key, "key". */

static GBytes *
answer_list_opcodes (Fixture *f)
{
  ListOpcodes__Result result = LIST_OPCODES__RESULT__INIT;
  guint32 opcodes[0x20];

  for (guint32 opcode = OP_PING; opcode <= OP_CAN_DO_CRYPTO; opcode++)
    if (opcode != 0x1D && opcode != f->unlisted_opcode)
      opcodes[result.n_opcodes++] = opcode;
  result.opcodes = opcodes;
  return fake_response_new (OP_LIST_OPCODES, 0, 0, &result.base);
}

static GBytes *
answer_list_keys (Fixture *f)
{
  ListKeys__Result result = LIST_KEYS__RESULT__INIT;
  ListKeys__KeyInfo info = LIST_KEYS__KEY_INFO__INIT;
  ListKeys__KeyInfo *keys[] = { &info };
  g_autoptr(ProtobufCMessage) attributes = NULL;

  g_mutex_lock (&f->lock);
  attributes = _parsec_key_attributes_to_message (f->listed);
  g_mutex_unlock (&f->lock);
  info.provider_id = PARSEC_PROVIDER_MBED_CRYPTO;
  info.name = (char *) "key";
  info.attributes = (PsaKeyAttributes__KeyAttributes *) attributes;
  result.n_keys = 1;
  result.keys = keys;
  return fake_response_new (OP_LIST_KEYS, 0, 0, &result.base);
}

static GBytes *
answer_export_public_key (void)
{
  PsaExportPublicKey__Result result = PSA_EXPORT_PUBLIC_KEY__RESULT__INIT;
  guint8 point[65] = { 0x04 };

  result.data.data = point;
  result.data.len = sizeof point;
  return fake_response_new (OP_EXPORT_PUBLIC_KEY, PARSEC_PROVIDER_MBED_CRYPTO, 0, &result.base);
}

/* What the fake's provider says the digest of anything is. */
/* What the fake provider answers for a digest: as long as the hash's,
 * made of one repeated byte. */
static GBytes *
provider_digest (guint hash)
{
  gsize len = _parsec_hash_get_length ((ParsecHash) hash);
  guint8 *digest = g_malloc (MAX (len, 1));

  memset (digest, 0xd1, len);
  return g_bytes_new_take (digest, len);
}

static GBytes *
answer_hash_compute (const FakeRequest *request)
{
  PsaHashCompute__Result result = PSA_HASH_COMPUTE__RESULT__INIT;
  g_autoptr(ProtobufCMessage) operation = NULL;
  g_autoptr(GBytes) digest = NULL;

  operation = protobuf_c_message_unpack (&psa_hash_compute__operation__descriptor, &_parsec_secure_protobuf_allocator,
                                         g_bytes_get_size (request->body), g_bytes_get_data (request->body, NULL));
  g_assert_nonnull (operation);
  digest = provider_digest (((PsaHashCompute__Operation *) operation)->alg);
  result.hash.data = (guint8 *) g_bytes_get_data (digest, &result.hash.len);
  return fake_response_new (OP_HASH_COMPUTE, PARSEC_PROVIDER_MBED_CRYPTO, 0, &result.base);
}

/* As many bytes as asked for. */
static GBytes *
answer_generate_random (const FakeRequest *request)
{
  PsaGenerateRandom__Result result = PSA_GENERATE_RANDOM__RESULT__INIT;
  g_autoptr(ProtobufCMessage) operation = NULL;
  g_autofree guint8 *random = NULL;

  operation = protobuf_c_message_unpack (&psa_generate_random__operation__descriptor, &_parsec_secure_protobuf_allocator,
                                         g_bytes_get_size (request->body), g_bytes_get_data (request->body, NULL));
  g_assert_nonnull (operation);
  result.random_bytes.len = ((PsaGenerateRandom__Operation *) operation)->size;
  random = g_malloc0 (MAX (result.random_bytes.len, 1));
  result.random_bytes.data = random;
  return fake_response_new (OP_GENERATE_RANDOM, PARSEC_PROVIDER_MBED_CRYPTO, 0, &result.base);
}

/* A signature as long as the listed key makes: r ‖ s, or the modulus. */
static GBytes *
answer_sign_hash (Fixture *f)
{
  PsaSignHash__Result result = PSA_SIGN_HASH__RESULT__INIT;
  guint bits = parsec_key_attributes_get_bits (f->listed);
  gboolean ecc = parsec_key_attributes_get_ecc_family (f->listed) != PARSEC_ECC_FAMILY_NONE;
  gsize len = ecc ? 2 * ((bits + 7) / 8) : (bits + 7) / 8;
  g_autofree guint8 *signature = g_malloc0 (MAX (len, 1));

  result.signature.data = signature;
  result.signature.len = len;
  return fake_response_new (OP_SIGN_HASH, PARSEC_PROVIDER_MBED_CRYPTO, 0, &result.base);
}

static GBytes *
answer_prepare_key_attestation (void)
{
  PrepareKeyAttestation__Result result = PREPARE_KEY_ATTESTATION__RESULT__INIT;
  PrepareKeyAttestation__PrepareKeyAttestationOutput output = PREPARE_KEY_ATTESTATION__PREPARE_KEY_ATTESTATION_OUTPUT__INIT;
  PrepareKeyAttestation__PrepareKeyAttestationOutput__ActivateCredential credential =
    PREPARE_KEY_ATTESTATION__PREPARE_KEY_ATTESTATION_OUTPUT__ACTIVATE_CREDENTIAL__INIT;

  credential.name = (ProtobufCBinaryData) { 4, (guint8 *) "name" };
  credential.public_ = (ProtobufCBinaryData) { 6, (guint8 *) "public" };
  credential.attesting_key_pub = (ProtobufCBinaryData) { 9, (guint8 *) "attesting" };
  output.mechanism_case = PREPARE_KEY_ATTESTATION__PREPARE_KEY_ATTESTATION_OUTPUT__MECHANISM_ACTIVATE_CREDENTIAL;
  output.activate_credential = &credential;
  result.output = &output;
  return fake_response_new (OP_PREPARE_KEY_ATTESTATION, PARSEC_PROVIDER_MBED_CRYPTO, 0, &result.base);
}

static GBytes *
answer_attest_key (void)
{
  AttestKey__Result result = ATTEST_KEY__RESULT__INIT;
  AttestKey__AttestationOutput output = ATTEST_KEY__ATTESTATION_OUTPUT__INIT;
  AttestKey__AttestationOutput__ActivateCredential credential = ATTEST_KEY__ATTESTATION_OUTPUT__ACTIVATE_CREDENTIAL__INIT;

  credential.credential = (ProtobufCBinaryData) { 10, (guint8 *) "credential" };
  output.mechanism_case = ATTEST_KEY__ATTESTATION_OUTPUT__MECHANISM_ACTIVATE_CREDENTIAL;
  output.activate_credential = &credential;
  result.output = &output;
  return fake_response_new (OP_ATTEST_KEY, PARSEC_PROVIDER_MBED_CRYPTO, 0, &result.base);
}

static GBytes *
recording_handler (const FakeRequest *request,
                   FakeAction        *action,
                   gpointer           user_data)
{
  Fixture *f = user_data;
  Captured *captured = g_new0 (Captured, 1);

  captured->header = request->header;
  captured->body = g_bytes_ref (request->body);
  captured->auth = g_bytes_ref (request->auth);
  g_mutex_lock (&f->lock);
  g_ptr_array_add (f->requests, captured);
  g_mutex_unlock (&f->lock);

  if (request->header.opcode != 0 &&
      (request->header.opcode == f->unlisted_opcode || request->header.opcode == f->refused_opcode))
    return fake_response_new (request->header.opcode, request->header.provider,
                              PARSEC_ERROR_PSA_NOT_SUPPORTED, NULL);

  switch (request->header.opcode)
    {
    case OP_LIST_OPCODES:
      return answer_list_opcodes (f);
    case OP_LIST_KEYS:
      return answer_list_keys (f);
    case OP_EXPORT_PUBLIC_KEY:
      return answer_export_public_key ();
    case OP_HASH_COMPUTE:
      return answer_hash_compute (request);
    case OP_SIGN_HASH:
      return answer_sign_hash (f);
    case OP_GENERATE_RANDOM:
      return answer_generate_random (request);
    case OP_PREPARE_KEY_ATTESTATION:
      return answer_prepare_key_attestation ();
    case OP_ATTEST_KEY:
      return answer_attest_key ();
    default:
      /* Discovery, Ping, and success with an empty result. */
      return fake_handler_default (request, action, GUINT_TO_POINTER (PARSEC_AUTH_TYPE_DIRECT));
    }
}

/* Bodies decoded here use protobuf-c's default allocator, not the
 * library's. */
static void
unpacked_free (ProtobufCMessage *message)
{
  protobuf_c_message_free_unpacked (message, NULL);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  user_data)
{
  const TestData *test = user_data;
  g_autoptr(GError) error = NULL;

  f->async = test->async;
  f->data = test->data;
  g_mutex_init (&f->lock);
  f->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) captured_free);
  f->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) unpacked_free);
  f->listed = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  f->fake = fake_service_new ();
  fake_service_set_handler (f->fake, recording_handler, f);
  async_wait_init (&f->wait);

  /* Explicit provider and authentication: no discovery requests. */
  f->client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                              "endpoint", fake_service_get_endpoint (f->fake),
                              "provider", PARSEC_PROVIDER_MBED_CRYPTO,
                              "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                              "application-name", APP_NAME,
                              NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  user_data)
{
  async_wait_clear (&f->wait);
  g_clear_object (&f->client);
  /* Stops the fake's thread before what its handler uses goes. */
  fake_service_free (f->fake);
  g_ptr_array_unref (f->messages);
  g_ptr_array_unref (f->requests);
  parsec_key_attributes_unref (f->listed);
  g_mutex_clear (&f->lock);
}

static void
set_listed_key (Fixture             *f,
                ParsecKeyAttributes *attributes)
{
  g_mutex_lock (&f->lock);
  parsec_key_attributes_unref (f->listed);
  f->listed = parsec_key_attributes_ref (attributes);
  g_mutex_unlock (&f->lock);
}

/* Requests */

static void
forget_requests (Fixture *f)
{
  g_mutex_lock (&f->lock);
  g_ptr_array_set_size (f->requests, 0);
  g_mutex_unlock (&f->lock);
}

/* Operations of the core provider; all others go to the crypto provider. */
static gboolean
is_core_opcode (guint32 opcode)
{
  switch (opcode)
    {
    case OP_PING:
    case OP_LIST_PROVIDERS:
    case OP_LIST_OPCODES:
    case OP_LIST_AUTHENTICATORS:
    case OP_LIST_KEYS:
    case OP_LIST_CLIENTS:
    case OP_DELETE_CLIENT:
      return TRUE;
    default:
      return FALSE;
    }
}

/* Discovery goes without authentication, as the official clients send
 * it; everything else carries the application's name. */
static gboolean
is_anonymous_opcode (guint32 opcode)
{
  return opcode == OP_PING || opcode == OP_LIST_PROVIDERS || opcode == OP_LIST_AUTHENTICATORS;
}

static void
assert_header (const Captured *captured,
               guint32         opcode)
{
  const ParsecWireHeader *h = &captured->header;

  g_assert_cmphex (h->magic, ==, 0x5EC0A710);
  g_assert_cmpuint (h->header_size, ==, 30);
  g_assert_cmpuint (h->version_major, ==, 1);
  g_assert_cmpuint (h->version_minor, ==, 0);
  g_assert_cmpuint (h->flags, ==, 0);
  g_assert_cmpuint (h->session, ==, 0);
  g_assert_cmpuint (h->content_type, ==, 0);
  g_assert_cmpuint (h->accept_type, ==, 0);
  g_assert_cmpuint (h->status, ==, 0);
  g_assert_cmpuint (h->reserved1, ==, 0);
  g_assert_cmpuint (h->reserved2, ==, 0);
  g_assert_cmphex (h->opcode, ==, opcode);
  g_assert_cmpuint (h->provider, ==, is_core_opcode (opcode) ? PARSEC_PROVIDER_CORE : PARSEC_PROVIDER_MBED_CRYPTO);
  g_assert_cmpuint (h->body_len, ==, g_bytes_get_size (captured->body));
  g_assert_cmpuint (h->auth_len, ==, g_bytes_get_size (captured->auth));
  if (is_anonymous_opcode (opcode))
    {
      g_assert_cmpuint (h->auth_type, ==, PARSEC_AUTH_TYPE_NONE);
      g_assert_cmpuint (h->auth_len, ==, 0);
    }
  else
    {
      g_assert_cmpuint (h->auth_type, ==, PARSEC_AUTH_TYPE_DIRECT);
      g_assert_cmpmem (g_bytes_get_data (captured->auth, NULL), g_bytes_get_size (captured->auth),
                       APP_NAME, strlen (APP_NAME));
    }
}

static guint64
read_varint (const guint8 **p,
             const guint8  *end)
{
  guint64 value = 0;

  for (guint shift = 0; *p < end && shift < 64; shift += 7)
    {
      guint8 byte = *(*p)++;

      value |= (guint64) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        return value;
    }
  g_assert_not_reached ();
}

/* The numbers of the top-level fields on the wire, read without the
 * generated code so that an empty field sent explicitly shows. */
static guint64
body_fields (GBytes *body)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (body, &len);
  const guint8 *end = len > 0 ? p + len : p;
  guint64 mask = 0;

  while (p < end)
    {
      guint64 key = read_varint (&p, end);
      guint number = key >> 3;

      g_assert_cmpuint (number, >, 0);
      g_assert_cmpuint (number, <, 64);
      /* Each field once: the fields here are neither repeated nor merged. */
      g_assert_cmphex (mask & (G_GUINT64_CONSTANT (1) << number), ==, 0);
      mask |= G_GUINT64_CONSTANT (1) << number;
      switch (key & 7)
        {
        case 0:
          read_varint (&p, end);
          break;
        case 2:
          {
            guint64 field_len = read_varint (&p, end);

            g_assert_cmpuint (field_len, <=, (guint64) (end - p));
            p += field_len;
          }
          break;
        default:
          /* No fixed-width fields in these contracts. */
          g_assert_not_reached ();
        }
    }
  return mask;
}

/* The @index-th of the @count requests the last call sent (the support
 * check aside), checked as a request for @opcode whose body holds exactly
 * the top-level @fields; returns the body decoded as @descriptor, valid
 * until the end of the test. */
static gpointer
request (Fixture                          *f,
         guint                             index,
         guint                             count,
         guint32                           opcode,
         const ProtobufCMessageDescriptor *descriptor,
         guint64                           fields)
{
  g_autoptr(GPtrArray) sent = g_ptr_array_new ();
  const Captured *captured;
  ProtobufCMessage *message;
  g_autofree guint8 *repacked = NULL;
  gsize len;
  const guint8 *body;

  g_mutex_lock (&f->lock);
  for (guint i = 0; i < f->requests->len; i++)
    g_ptr_array_add (sent, f->requests->pdata[i]);
  g_mutex_unlock (&f->lock);

  g_assert_cmpuint (sent->len, ==, count);
  captured = sent->pdata[index];
  assert_header (captured, opcode);
  g_assert_cmphex (body_fields (captured->body), ==, fields);

  body = g_bytes_get_data (captured->body, &len);
  message = protobuf_c_message_unpack (descriptor, NULL, len, body);
  g_assert_nonnull (message);
  g_ptr_array_add (f->messages, message);
  /* Canonical proto3: what the generated code would write, byte for byte,
   * so no field holds its default value explicitly. */
  g_assert_cmpuint (protobuf_c_message_get_packed_size (message), ==, len);
  repacked = g_malloc (MAX (len, 1));
  protobuf_c_message_pack (message, repacked);
  g_assert_cmpmem (repacked, len, body, len);
  return message;
}

/* The only request of the last call. */
#define ONLY_REQUEST(f, opcode, descriptor, fields) request ((f), 0, 1, (opcode), (descriptor), (fields))

static void
assert_binary (ProtobufCBinaryData  binary,
               GBytes              *expected)
{
  gsize len = expected != NULL ? g_bytes_get_size (expected) : 0;

  g_assert_cmpmem (binary.data, binary.len, expected != NULL ? g_bytes_get_data (expected, NULL) : NULL, len);
}

static GBytes *
bytes_from_string (const char *text)
{
  return g_bytes_new_static (text, strlen (text));
}

/* Algorithms: what the caller asks for, and what the contract says goes
 * on the wire for it. */

#define NO_HASH 0
#define ANY_HASH (-1)

typedef struct {
  guint kind;                   /* case of Algorithm.variant */
  guint variant;                /* case of the family's oneof, or its enum value */
  int hash;                     /* Hash value, ANY_HASH (SignHash.any) or NO_HASH */
  guint length;                 /* AeadWithShortenedTag / Mac.Truncated length, 0 for full */
  guint kdf;                    /* KeyDerivation case after a key agreement, 0 for raw */
  int kdf_hash;
} Wire;

typedef struct {
  const char *name;
  ParsecAlgorithmKind kind;
  guint variant;
  ParsecHash hash;
  guint length;
  ParsecKeyDerivation kdf;
  ParsecHash kdf_hash;
  Wire wire;
} AlgCase;

#define H(name) PSA_ALGORITHM__ALGORITHM__HASH__##name
#define KIND(name) PSA_ALGORITHM__ALGORITHM__VARIANT_##name

static ParsecAlgorithm *
alg_case_new (const AlgCase *c)
{
  g_autoptr(ParsecAlgorithm) inner = NULL;

  switch (c->kind)
    {
    case PARSEC_ALGORITHM_KIND_NONE:
      return parsec_algorithm_new_none ();
    case PARSEC_ALGORITHM_KIND_HASH:
      return parsec_algorithm_new_hash (c->hash);
    case PARSEC_ALGORITHM_KIND_MAC:
      if (c->variant == PARSEC_MAC_HMAC)
        inner = parsec_algorithm_new_hmac (c->hash);
      else
        inner = c->variant == PARSEC_MAC_CMAC ? parsec_algorithm_new_cmac () : parsec_algorithm_new_cbc_mac ();
      return c->length != 0 ? parsec_algorithm_new_truncated_mac (inner, c->length) : g_steal_pointer (&inner);
    case PARSEC_ALGORITHM_KIND_CIPHER:
      return parsec_algorithm_new_cipher (c->variant);
    case PARSEC_ALGORITHM_KIND_AEAD:
      return c->length != 0 ? parsec_algorithm_new_aead_shortened_tag (c->variant, c->length)
                            : parsec_algorithm_new_aead (c->variant);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE:
      return parsec_algorithm_new_signature (c->variant, c->hash);
    case PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION:
      return parsec_algorithm_new_encryption (c->variant, c->hash);
    case PARSEC_ALGORITHM_KIND_KEY_AGREEMENT:
      if (c->kdf == 0)
        return parsec_algorithm_new_key_agreement (c->variant);
      inner = parsec_algorithm_new_key_derivation (c->kdf, c->kdf_hash);
      return parsec_algorithm_new_key_agreement_with_derivation (c->variant, inner);
    case PARSEC_ALGORITHM_KIND_KEY_DERIVATION:
      return parsec_algorithm_new_key_derivation (c->variant, c->hash);
    default:
      g_assert_not_reached ();
    }
}

#define SIG(v) PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_##v

static const AlgCase signature_algs[] = {
  { "rsa-pkcs1v15-sha256", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15, PARSEC_HASH_SHA_256,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (RSA_PKCS1V15_SIGN), H (SHA_256) } },
  { "rsa-pkcs1v15-raw", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15_RAW, PARSEC_HASH_NONE,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (RSA_PKCS1V15_SIGN_RAW), NO_HASH } },
  { "rsa-pss-sha256", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_RSA_PSS, PARSEC_HASH_SHA_256,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (RSA_PSS), H (SHA_256) } },
  { "rsa-pss-sha384", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_RSA_PSS, PARSEC_HASH_SHA_384,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (RSA_PSS), H (SHA_384) } },
  { "ecdsa-sha256", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_SHA_256,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (ECDSA), H (SHA_256) } },
  { "ecdsa-sha512", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_SHA_512,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (ECDSA), H (SHA_512) } },
  { "ecdsa-any", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_ECDSA_ANY, PARSEC_HASH_NONE,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (ECDSA_ANY), NO_HASH } },
  { "deterministic-ecdsa-sha3-256", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA,
    PARSEC_HASH_SHA3_256, .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (DETERMINISTIC_ECDSA), H (SHA3_256) } },
};

#define ENC(v) PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_##v

static const AlgCase encryption_algs[] = {
  { "rsa-pkcs1v15", PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, PARSEC_ENCRYPTION_SCHEME_RSA_PKCS1V15, PARSEC_HASH_NONE,
    .wire = { KIND (ASYMMETRIC_ENCRYPTION), ENC (RSA_PKCS1V15_CRYPT), NO_HASH } },
  { "rsa-oaep-sha256", PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, PARSEC_ENCRYPTION_SCHEME_RSA_OAEP, PARSEC_HASH_SHA_256,
    .wire = { KIND (ASYMMETRIC_ENCRYPTION), ENC (RSA_OAEP), H (SHA_256) } },
  { "rsa-oaep-sha1", PARSEC_ALGORITHM_KIND_ASYMMETRIC_ENCRYPTION, PARSEC_ENCRYPTION_SCHEME_RSA_OAEP, PARSEC_HASH_SHA_1,
    .wire = { KIND (ASYMMETRIC_ENCRYPTION), ENC (RSA_OAEP), H (SHA_1) } },
};

#define AEAD(v) PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__##v

static const AlgCase aead_algs[] = {
  { "ccm", PARSEC_ALGORITHM_KIND_AEAD, PARSEC_AEAD_CCM, .wire = { KIND (AEAD), AEAD (CCM) } },
  { "gcm", PARSEC_ALGORITHM_KIND_AEAD, PARSEC_AEAD_GCM, .wire = { KIND (AEAD), AEAD (GCM) } },
  { "chacha20-poly1305", PARSEC_ALGORITHM_KIND_AEAD, PARSEC_AEAD_CHACHA20_POLY1305,
    .wire = { KIND (AEAD), AEAD (CHACHA20_POLY1305) } },
  { "gcm-tag-8", PARSEC_ALGORITHM_KIND_AEAD, PARSEC_AEAD_GCM, .length = 8, .wire = { KIND (AEAD), AEAD (GCM), .length = 8 } },
  { "ccm-tag-4", PARSEC_ALGORITHM_KIND_AEAD, PARSEC_AEAD_CCM, .length = 4, .wire = { KIND (AEAD), AEAD (CCM), .length = 4 } },
};

#define CIPHER(v) PSA_ALGORITHM__ALGORITHM__CIPHER__##v

static const AlgCase cipher_algs[] = {
  { "stream", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_STREAM_CIPHER, .wire = { KIND (CIPHER), CIPHER (STREAM_CIPHER) } },
  { "ctr", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_CTR, .wire = { KIND (CIPHER), CIPHER (CTR) } },
  { "xts", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_XTS, .wire = { KIND (CIPHER), CIPHER (XTS) } },
  { "cbc-pkcs7", PARSEC_ALGORITHM_KIND_CIPHER, PARSEC_CIPHER_CBC_PKCS7, .wire = { KIND (CIPHER), CIPHER (CBC_PKCS7) } },
};

#define MAC(v) PSA_ALGORITHM__ALGORITHM__MAC__FULL_LENGTH__VARIANT_##v

static const AlgCase mac_algs[] = {
  { "hmac-sha256", PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_HMAC, PARSEC_HASH_SHA_256,
    .wire = { KIND (MAC), MAC (HMAC), H (SHA_256) } },
  { "cbc-mac", PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_CBC_MAC, .wire = { KIND (MAC), MAC (CBC_MAC) } },
  { "cmac", PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_CMAC, .wire = { KIND (MAC), MAC (CMAC) } },
  { "hmac-sha512-truncated", PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_HMAC, PARSEC_HASH_SHA_512, 16,
    .wire = { KIND (MAC), MAC (HMAC), H (SHA_512), 16 } },
  { "cmac-truncated", PARSEC_ALGORITHM_KIND_MAC, PARSEC_MAC_CMAC, .length = 4, .wire = { KIND (MAC), MAC (CMAC), .length = 4 } },
};

#define KDF(v) PSA_ALGORITHM__ALGORITHM__KEY_DERIVATION__VARIANT_##v
#define RAW(v) PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__RAW__##v

/* Only in key policies. */
static const AlgCase policy_only_algs[] = {
  { "none", PARSEC_ALGORITHM_KIND_NONE, .wire = { KIND (NONE) } },
  { "hash-sha512-256", PARSEC_ALGORITHM_KIND_HASH, .hash = PARSEC_HASH_SHA_512_256,
    .wire = { KIND (HASH), .hash = H (SHA_512_256) } },
  { "ecdsa-any-hash", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_ECDSA, PARSEC_HASH_ANY,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (ECDSA), ANY_HASH } },
  { "rsa-pss-any-hash", PARSEC_ALGORITHM_KIND_ASYMMETRIC_SIGNATURE, PARSEC_SIGNATURE_SCHEME_RSA_PSS, PARSEC_HASH_ANY,
    .wire = { KIND (ASYMMETRIC_SIGNATURE), SIG (RSA_PSS), ANY_HASH } },
  { "ecdh", PARSEC_ALGORITHM_KIND_KEY_AGREEMENT, PARSEC_KEY_AGREEMENT_ECDH, .wire = { KIND (KEY_AGREEMENT), RAW (ECDH) } },
  { "ffdh", PARSEC_ALGORITHM_KIND_KEY_AGREEMENT, PARSEC_KEY_AGREEMENT_FFDH, .wire = { KIND (KEY_AGREEMENT), RAW (FFDH) } },
  { "ecdh-hkdf-sha256", PARSEC_ALGORITHM_KIND_KEY_AGREEMENT, PARSEC_KEY_AGREEMENT_ECDH,
    .kdf = PARSEC_KEY_DERIVATION_HKDF, .kdf_hash = PARSEC_HASH_SHA_256,
    .wire = { KIND (KEY_AGREEMENT), RAW (ECDH), .kdf = KDF (HKDF), .kdf_hash = H (SHA_256) } },
  { "ffdh-tls12-prf-sha384", PARSEC_ALGORITHM_KIND_KEY_AGREEMENT, PARSEC_KEY_AGREEMENT_FFDH,
    .kdf = PARSEC_KEY_DERIVATION_TLS12_PRF, .kdf_hash = PARSEC_HASH_SHA_384,
    .wire = { KIND (KEY_AGREEMENT), RAW (FFDH), .kdf = KDF (TLS12_PRF), .kdf_hash = H (SHA_384) } },
  { "hkdf-sha224", PARSEC_ALGORITHM_KIND_KEY_DERIVATION, PARSEC_KEY_DERIVATION_HKDF, PARSEC_HASH_SHA_224,
    .wire = { KIND (KEY_DERIVATION), KDF (HKDF), H (SHA_224) } },
  { "tls12-psk-to-ms-sha256", PARSEC_ALGORITHM_KIND_KEY_DERIVATION, PARSEC_KEY_DERIVATION_TLS12_PSK_TO_MS,
    PARSEC_HASH_SHA_256, .wire = { KIND (KEY_DERIVATION), KDF (TLS12_PSK_TO_MS), H (SHA_256) } },
};

typedef struct {
  const AlgCase *cases;
  gsize n_cases;
} AlgTable;

#define ALG_TABLE(cases) { cases, G_N_ELEMENTS (cases) }

/* Every algorithm above, for key policies. */
static const AlgTable all_algs[] = {
  ALG_TABLE (signature_algs), ALG_TABLE (encryption_algs), ALG_TABLE (aead_algs),
  ALG_TABLE (cipher_algs), ALG_TABLE (mac_algs), ALG_TABLE (policy_only_algs),
};

static void
check_sign_hash (const PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash *sign_hash,
                 int                                                          hash)
{
  g_assert_nonnull (sign_hash);
  if (hash == ANY_HASH)
    {
      g_assert_cmpint (sign_hash->variant_case, ==, PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_ANY);
      g_assert_nonnull (sign_hash->any);
    }
  else
    {
      g_assert_cmpint (sign_hash->variant_case, ==, PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC);
      g_assert_cmpint (sign_hash->specific, ==, hash);
    }
}

static void
check_signature (const PsaAlgorithm__Algorithm__AsymmetricSignature *alg,
                 const Wire                                         *wire)
{
  g_assert_nonnull (alg);
  g_assert_cmpint (alg->variant_case, ==, wire->variant);
  switch (alg->variant_case)
    {
    case SIG (RSA_PKCS1V15_SIGN):
      check_sign_hash (alg->rsa_pkcs1v15_sign->hash_alg, wire->hash);
      break;
    case SIG (RSA_PSS):
      check_sign_hash (alg->rsa_pss->hash_alg, wire->hash);
      break;
    case SIG (ECDSA):
      check_sign_hash (alg->ecdsa->hash_alg, wire->hash);
      break;
    case SIG (DETERMINISTIC_ECDSA):
      check_sign_hash (alg->deterministic_ecdsa->hash_alg, wire->hash);
      break;
    case SIG (RSA_PKCS1V15_SIGN_RAW):
      g_assert_nonnull (alg->rsa_pkcs1v15_sign_raw);
      break;
    case SIG (ECDSA_ANY):
      g_assert_nonnull (alg->ecdsa_any);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
check_encryption (const PsaAlgorithm__Algorithm__AsymmetricEncryption *alg,
                  const Wire                                          *wire)
{
  g_assert_nonnull (alg);
  g_assert_cmpint (alg->variant_case, ==, wire->variant);
  if (alg->variant_case == ENC (RSA_OAEP))
    g_assert_cmpint (alg->rsa_oaep->hash_alg, ==, wire->hash);
  else
    g_assert_nonnull (alg->rsa_pkcs1v15_crypt);
}

static void
check_aead (const PsaAlgorithm__Algorithm__Aead *alg,
            const Wire                          *wire)
{
  g_assert_nonnull (alg);
  if (wire->length == 0)
    {
      g_assert_cmpint (alg->variant_case, ==, PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_DEFAULT_LENGTH_TAG);
      g_assert_cmpint (alg->aead_with_default_length_tag, ==, wire->variant);
    }
  else
    {
      g_assert_cmpint (alg->variant_case, ==, PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_SHORTENED_TAG);
      g_assert_cmpint (alg->aead_with_shortened_tag->aead_alg, ==, wire->variant);
      g_assert_cmpuint (alg->aead_with_shortened_tag->tag_length, ==, wire->length);
    }
}

static void
check_mac (const PsaAlgorithm__Algorithm__Mac *alg,
           const Wire                         *wire)
{
  const PsaAlgorithm__Algorithm__Mac__FullLength *full;

  g_assert_nonnull (alg);
  if (wire->length == 0)
    {
      g_assert_cmpint (alg->variant_case, ==, PSA_ALGORITHM__ALGORITHM__MAC__VARIANT_FULL_LENGTH);
      full = alg->full_length;
    }
  else
    {
      g_assert_cmpint (alg->variant_case, ==, PSA_ALGORITHM__ALGORITHM__MAC__VARIANT_TRUNCATED);
      g_assert_cmpuint (alg->truncated->mac_length, ==, wire->length);
      full = alg->truncated->mac_alg;
    }
  g_assert_nonnull (full);
  g_assert_cmpint (full->variant_case, ==, wire->variant);
  if (full->variant_case == MAC (HMAC))
    g_assert_cmpint (full->hmac->hash_alg, ==, wire->hash);
  else
    g_assert_nonnull (full->variant_case == MAC (CMAC) ? (gpointer) full->cmac : (gpointer) full->cbc_mac);
}

static void
check_key_derivation (const PsaAlgorithm__Algorithm__KeyDerivation *alg,
                      guint                                         variant,
                      int                                           hash)
{
  g_assert_nonnull (alg);
  g_assert_cmpint (alg->variant_case, ==, variant);
  switch (alg->variant_case)
    {
    case KDF (HKDF):
      g_assert_cmpint (alg->hkdf->hash_alg, ==, hash);
      break;
    case KDF (TLS12_PRF):
      g_assert_cmpint (alg->tls12_prf->hash_alg, ==, hash);
      break;
    case KDF (TLS12_PSK_TO_MS):
      g_assert_cmpint (alg->tls12_psk_to_ms->hash_alg, ==, hash);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
check_key_agreement (const PsaAlgorithm__Algorithm__KeyAgreement *alg,
                     const Wire                                  *wire)
{
  g_assert_nonnull (alg);
  if (wire->kdf == 0)
    {
      g_assert_cmpint (alg->variant_case, ==, PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_RAW);
      g_assert_cmpint (alg->raw, ==, wire->variant);
    }
  else
    {
      g_assert_cmpint (alg->variant_case, ==, PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_WITH_KEY_DERIVATION);
      g_assert_cmpint (alg->with_key_derivation->ka_alg, ==, wire->variant);
      check_key_derivation (alg->with_key_derivation->kdf_alg, wire->kdf, wire->kdf_hash);
    }
}

static void
check_algorithm (const PsaAlgorithm__Algorithm *alg,
                 const Wire                    *wire)
{
  g_assert_nonnull (alg);
  g_assert_cmpint (alg->variant_case, ==, wire->kind);
  switch (alg->variant_case)
    {
    case KIND (NONE):
      g_assert_nonnull (alg->none);
      break;
    case KIND (HASH):
      g_assert_cmpint (alg->hash, ==, wire->hash);
      break;
    case KIND (MAC):
      check_mac (alg->mac, wire);
      break;
    case KIND (CIPHER):
      g_assert_cmpint (alg->cipher, ==, wire->variant);
      break;
    case KIND (AEAD):
      check_aead (alg->aead, wire);
      break;
    case KIND (ASYMMETRIC_SIGNATURE):
      check_signature (alg->asymmetric_signature, wire);
      break;
    case KIND (ASYMMETRIC_ENCRYPTION):
      check_encryption (alg->asymmetric_encryption, wire);
      break;
    case KIND (KEY_AGREEMENT):
      check_key_agreement (alg->key_agreement, wire);
      break;
    case KIND (KEY_DERIVATION):
      check_key_derivation (alg->key_derivation, wire->variant, wire->hash);
      break;
    default:
      g_assert_not_reached ();
    }
}

static const AlgCase *
find_alg (const char *name)
{
  for (gsize t = 0; t < G_N_ELEMENTS (all_algs); t++)
    for (gsize i = 0; i < all_algs[t].n_cases; i++)
      if (g_str_equal (all_algs[t].cases[i].name, name))
        return &all_algs[t].cases[i];
  g_assert_not_reached ();
}

/* Key attributes */

#define KT(v) PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_##v
#define ECC(v) PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__##v
#define SIGNING (PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH | \
                 PARSEC_KEY_USAGE_SIGN_MESSAGE | PARSEC_KEY_USAGE_VERIFY_MESSAGE)

typedef struct {
  const char *name;
  ParsecKeyType type;
  guint family;
  guint bits;
  ParsecKeyUsage usage;
  const char *algorithm;        /* an AlgCase */
  guint wire_type;              /* case of KeyType.variant */
  guint wire_family;            /* curve_family or group_family */
} AttrCase;

static const AttrCase attr_cases[] = {
  { "ecc-key-pair", PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, 384, SIGNING, "ecdsa-sha512",
    KT (ECC_KEY_PAIR), ECC (SECP_R1) },
  { "ecc-public-key", PARSEC_KEY_TYPE_ECC_PUBLIC_KEY, PARSEC_ECC_FAMILY_BRAINPOOL_P_R1, 256,
    PARSEC_KEY_USAGE_VERIFY_HASH | PARSEC_KEY_USAGE_VERIFY_MESSAGE, "ecdsa-any-hash",
    KT (ECC_PUBLIC_KEY), ECC (BRAINPOOL_P_R1) },
  { "secp-k1", PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_K1, 256, PARSEC_KEY_USAGE_SIGN_HASH,
    "deterministic-ecdsa-sha3-256", KT (ECC_KEY_PAIR), ECC (SECP_K1) },
  { "montgomery", PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_MONTGOMERY, 255, PARSEC_KEY_USAGE_DERIVE,
    "ecdh-hkdf-sha256", KT (ECC_KEY_PAIR), ECC (MONTGOMERY) },
  { "rsa-key-pair", PARSEC_KEY_TYPE_RSA_KEY_PAIR, 0, 2048, PARSEC_KEY_USAGE_ENCRYPT | PARSEC_KEY_USAGE_DECRYPT,
    "rsa-oaep-sha256", KT (RSA_KEY_PAIR) },
  { "rsa-public-key", PARSEC_KEY_TYPE_RSA_PUBLIC_KEY, 0, 4096, PARSEC_KEY_USAGE_VERIFY_HASH, "rsa-pss-any-hash",
    KT (RSA_PUBLIC_KEY) },
  { "dh-key-pair", PARSEC_KEY_TYPE_DH_KEY_PAIR, PARSEC_DH_FAMILY_RFC7919, 3072, PARSEC_KEY_USAGE_DERIVE,
    "ffdh-tls12-prf-sha384", KT (DH_KEY_PAIR), PSA_KEY_ATTRIBUTES__KEY_TYPE__DH_FAMILY__RFC7919 },
  { "dh-public-key", PARSEC_KEY_TYPE_DH_PUBLIC_KEY, PARSEC_DH_FAMILY_RFC7919, 2048, PARSEC_KEY_USAGE_NONE, "ffdh",
    KT (DH_PUBLIC_KEY), PSA_KEY_ATTRIBUTES__KEY_TYPE__DH_FAMILY__RFC7919 },
  { "aes", PARSEC_KEY_TYPE_AES, 0, 256,
    PARSEC_KEY_USAGE_ENCRYPT | PARSEC_KEY_USAGE_DECRYPT | PARSEC_KEY_USAGE_EXPORT | PARSEC_KEY_USAGE_COPY |
    PARSEC_KEY_USAGE_CACHE, "gcm-tag-8", KT (AES) },
  { "chacha20", PARSEC_KEY_TYPE_CHACHA20, 0, 256, PARSEC_KEY_USAGE_ENCRYPT, "chacha20-poly1305", KT (CHACHA20) },
  { "camellia", PARSEC_KEY_TYPE_CAMELLIA, 0, 128, PARSEC_KEY_USAGE_DECRYPT, "cbc-pkcs7", KT (CAMELLIA) },
  { "hmac", PARSEC_KEY_TYPE_HMAC, 0, 256, PARSEC_KEY_USAGE_SIGN_MESSAGE, "hmac-sha512-truncated", KT (HMAC) },
  { "derive", PARSEC_KEY_TYPE_DERIVE, 0, 0, PARSEC_KEY_USAGE_DERIVE, "tls12-psk-to-ms-sha256", KT (DERIVE) },
  { "raw-data", PARSEC_KEY_TYPE_RAW_DATA, 0, 0, PARSEC_KEY_USAGE_NONE, "none", KT (RAW_DATA) },
  { "raw-data-hash-policy", PARSEC_KEY_TYPE_RAW_DATA, 0, 64, PARSEC_KEY_USAGE_EXPORT, "hash-sha512-256", KT (RAW_DATA) },
};

static ParsecKeyAttributes *
attr_case_new (const AttrCase *c)
{
  g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (find_alg (c->algorithm));

  switch (c->type)
    {
    case PARSEC_KEY_TYPE_ECC_KEY_PAIR:
    case PARSEC_KEY_TYPE_ECC_PUBLIC_KEY:
      return parsec_key_attributes_new_ecc (c->type, c->family, c->bits, c->usage, algorithm);
    case PARSEC_KEY_TYPE_DH_KEY_PAIR:
    case PARSEC_KEY_TYPE_DH_PUBLIC_KEY:
      return parsec_key_attributes_new_dh (c->type, c->family, c->bits, c->usage, algorithm);
    default:
      return parsec_key_attributes_new (c->type, c->bits, c->usage, algorithm);
    }
}

/* UsageFlags: the contract's name and number of each flag's field. */
static const struct {
  ParsecKeyUsage flag;
  const char *field;
  guint number;
} usage_fields[] = {
  { PARSEC_KEY_USAGE_EXPORT, "export", 1 },
  { PARSEC_KEY_USAGE_COPY, "copy", 2 },
  { PARSEC_KEY_USAGE_CACHE, "cache", 3 },
  { PARSEC_KEY_USAGE_ENCRYPT, "encrypt", 4 },
  { PARSEC_KEY_USAGE_DECRYPT, "decrypt", 5 },
  { PARSEC_KEY_USAGE_SIGN_MESSAGE, "sign_message", 6 },
  { PARSEC_KEY_USAGE_VERIFY_MESSAGE, "verify_message", 7 },
  { PARSEC_KEY_USAGE_SIGN_HASH, "sign_hash", 8 },
  { PARSEC_KEY_USAGE_VERIFY_HASH, "verify_hash", 9 },
  { PARSEC_KEY_USAGE_DERIVE, "derive", 10 },
};

static void
check_usage (const PsaKeyAttributes__UsageFlags *flags,
             ParsecKeyUsage                      usage)
{
  g_assert_nonnull (flags);
  for (gsize i = 0; i < G_N_ELEMENTS (usage_fields); i++)
    {
      const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name (flags->base.descriptor, usage_fields[i].field);

      g_assert_nonnull (field);
      g_assert_cmpuint (field->id, ==, usage_fields[i].number);
      g_assert_cmpint (G_STRUCT_MEMBER (protobuf_c_boolean, flags, field->offset), ==,
                       (usage & usage_fields[i].flag) != 0);
    }
}

static void
check_attributes (const PsaKeyAttributes__KeyAttributes *attributes,
                  guint                                  wire_type,
                  guint                                  wire_family,
                  guint                                  bits,
                  ParsecKeyUsage                         usage,
                  const AlgCase                         *algorithm)
{
  const PsaKeyAttributes__KeyType *type;

  g_assert_nonnull (attributes);
  type = attributes->key_type;
  g_assert_nonnull (type);
  g_assert_cmpint (type->variant_case, ==, wire_type);
  switch (type->variant_case)
    {
    case KT (ECC_KEY_PAIR):
      g_assert_cmpint (type->ecc_key_pair->curve_family, ==, wire_family);
      break;
    case KT (ECC_PUBLIC_KEY):
      g_assert_cmpint (type->ecc_public_key->curve_family, ==, wire_family);
      break;
    case KT (DH_KEY_PAIR):
      g_assert_cmpint (type->dh_key_pair->group_family, ==, wire_family);
      break;
    case KT (DH_PUBLIC_KEY):
      g_assert_cmpint (type->dh_public_key->group_family, ==, wire_family);
      break;
    default:
      /* The other key types are empty messages, present all the same. */
      g_assert_nonnull (type->raw_data);
      break;
    }
  g_assert_cmpuint (attributes->key_bits, ==, bits);
  g_assert_nonnull (attributes->key_policy);
  check_usage (attributes->key_policy->key_usage_flags, usage);
  check_algorithm (attributes->key_policy->key_algorithm, &algorithm->wire);
}

static void
check_attr_case (const PsaKeyAttributes__KeyAttributes *attributes,
                 const AttrCase                        *c)
{
  check_attributes (attributes, c->wire_type, c->wire_family, c->bits, c->usage, find_alg (c->algorithm));
}

/* Keys */

static void
assert_same_attributes (const ParsecKeyAttributes *a,
                        const ParsecKeyAttributes *b)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpint (parsec_key_attributes_get_key_type (a), ==, parsec_key_attributes_get_key_type (b));
  g_assert_cmpint (parsec_key_attributes_get_ecc_family (a), ==, parsec_key_attributes_get_ecc_family (b));
  g_assert_cmpint (parsec_key_attributes_get_dh_family (a), ==, parsec_key_attributes_get_dh_family (b));
  g_assert_cmpuint (parsec_key_attributes_get_bits (a), ==, parsec_key_attributes_get_bits (b));
  g_assert_cmphex (parsec_key_attributes_get_usage (a), ==, parsec_key_attributes_get_usage (b));
  g_assert_true (parsec_algorithm_equal (parsec_key_attributes_get_algorithm (a),
                                         parsec_key_attributes_get_algorithm (b)));
}

/* A key made by generate_key or import_key: its client, name, the client's
 * provider, and the attributes it was made with. */
static void
assert_made_key (Fixture             *f,
                 ParsecKey           *key,
                 const char          *name,
                 ParsecKeyAttributes *attributes)
{
  g_assert_true (PARSEC_IS_KEY (key));
  g_assert_true (parsec_key_get_client (key) == f->client);
  g_assert_cmpstr (parsec_key_get_name (key), ==, name);
  g_assert_cmpint (parsec_key_get_provider (key), ==, PARSEC_PROVIDER_MBED_CRYPTO);
  assert_same_attributes (parsec_key_get_attributes (key), attributes);
}

static void
test_generate_key (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  PsaGenerateKey__Operation *operation;

  for (gsize i = 0; i < G_N_ELEMENTS (attr_cases); i++)
    {
      const AttrCase *c = &attr_cases[i];
      g_autoptr(ParsecKeyAttributes) attributes = attr_case_new (c);

      g_autoptr(ParsecKey) key = NULL;

      g_test_message ("%s", c->name);
      forget_requests (f);
      key = CALL (f, generate_key, &error, c->name, attributes);
      g_assert_no_error (error);
      assert_made_key (f, key, c->name, attributes);
      operation = ONLY_REQUEST (f, OP_GENERATE_KEY, &psa_generate_key__operation__descriptor, FIELDS (1, 2));
      g_assert_cmpstr (operation->key_name, ==, c->name);
      check_attr_case (operation->attributes, c);
    }

  /* The attributes parsec_key_attributes_new_ecc_signing() makes: an ECDSA
   * P-256 signing key with SHA-256. */
  {
    g_autoptr(ParsecKeyAttributes) signing = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
    g_autoptr(ParsecKey) key = NULL;

    forget_requests (f);
    key = CALL (f, generate_key, &error, "default", signing);
    g_assert_no_error (error);
    assert_made_key (f, key, "default", signing);
    operation = ONLY_REQUEST (f, OP_GENERATE_KEY, &psa_generate_key__operation__descriptor, FIELDS (1, 2));
    g_assert_cmpstr (operation->key_name, ==, "default");
    check_attributes (operation->attributes, KT (ECC_KEY_PAIR), ECC (SECP_R1), 256, SIGNING, find_alg ("ecdsa-sha256"));
  }

  /* Attributes are required now: without, nothing is sent. */
  if (!f->async)
    {
      forget_requests (f);
      g_test_expect_message ("Parsec", G_LOG_LEVEL_CRITICAL, "*attributes != NULL*");
      g_assert_null (parsec_client_generate_key (f->client, "default", NULL, NULL, &error));
      g_test_assert_expected_messages ();
      g_assert_no_error (error);
      g_assert_cmpuint (f->requests->len, ==, 0);
    }
}

/* Each usage flag alone sets its own field and no other. */
static void
test_usage_flags (Fixture       *f,
                  gconstpointer  user_data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (usage_fields); i++)
    {
      g_autoptr(ParsecKeyAttributes) attributes =
        parsec_key_attributes_new (PARSEC_KEY_TYPE_RAW_DATA, 8, usage_fields[i].flag, NULL);
      g_autoptr(GError) error = NULL;
      PsaGenerateKey__Operation *operation;

      g_autoptr(ParsecKey) key = NULL;

      forget_requests (f);
      key = CALL (f, generate_key, &error, usage_fields[i].field, attributes);
      g_assert_no_error (error);
      g_assert_nonnull (key);
      operation = ONLY_REQUEST (f, OP_GENERATE_KEY, &psa_generate_key__operation__descriptor, FIELDS (1, 2));
      check_attributes (operation->attributes, KT (RAW_DATA), 0, 8, usage_fields[i].flag, find_alg ("none"));
    }
}

static void
test_import_key (Fixture       *f,
                 gconstpointer  user_data)
{
  for (gsize i = 0; i < G_N_ELEMENTS (attr_cases); i++)
    {
      const AttrCase *c = &attr_cases[i];
      g_autoptr(ParsecKeyAttributes) attributes = attr_case_new (c);
      g_autofree char *material = g_strdup_printf ("key material of %s", c->name);
      g_autoptr(GBytes) data = bytes_from_string (material);
      g_autoptr(GError) error = NULL;
      PsaImportKey__Operation *operation;
      g_autoptr(ParsecKey) key = NULL;

      g_test_message ("%s", c->name);
      forget_requests (f);
      key = CALL (f, import_key, &error, c->name, attributes, data);
      g_assert_no_error (error);
      assert_made_key (f, key, c->name, attributes);
      operation = ONLY_REQUEST (f, OP_IMPORT_KEY, &psa_import_key__operation__descriptor, FIELDS (1, 2, 3));
      g_assert_cmpstr (operation->key_name, ==, c->name);
      check_attr_case (operation->attributes, c);
      assert_binary (operation->data, data);
    }
}

static void
test_can_do_crypto (Fixture       *f,
                    gconstpointer  user_data)
{
  static const struct {
    ParsecCheckType check;
    guint wire;
  } checks[] = {
    { PARSEC_CHECK_TYPE_USE, CAN_DO_CRYPTO__CHECK_TYPE__USE },
    { PARSEC_CHECK_TYPE_GENERATE, CAN_DO_CRYPTO__CHECK_TYPE__GENERATE },
    { PARSEC_CHECK_TYPE_IMPORT, CAN_DO_CRYPTO__CHECK_TYPE__IMPORT },
    { PARSEC_CHECK_TYPE_DERIVE, CAN_DO_CRYPTO__CHECK_TYPE__DERIVE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (checks); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (attr_cases); j += 3)
      {
        const AttrCase *c = &attr_cases[j];
        g_autoptr(ParsecKeyAttributes) attributes = attr_case_new (c);
        g_autoptr(GError) error = NULL;
        CanDoCrypto__Operation *operation;

        forget_requests (f);
        g_assert_true (CALL (f, can_do_crypto, &error, checks[i].check, attributes));
        g_assert_no_error (error);
        operation = ONLY_REQUEST (f, OP_CAN_DO_CRYPTO, &can_do_crypto__operation__descriptor, FIELDS (1, 2));
        g_assert_cmpint (operation->check_type, ==, checks[i].wire);
        check_attr_case (operation->attributes, c);
      }
}

/* Operations whose request is the key's name alone. */
static void
test_key_name_only (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GError) error = NULL;
  PsaDestroyKey__Operation *destroy;
  PsaExportKey__Operation *export;
  PsaExportPublicKey__Operation *export_public;

  g_assert_true (CALL (f, destroy_key, &error, "named key"));
  g_assert_no_error (error);
  destroy = ONLY_REQUEST (f, OP_DESTROY_KEY, &psa_destroy_key__operation__descriptor, FIELDS (1));
  g_assert_cmpstr (destroy->key_name, ==, "named key");

  forget_requests (f);
  exported = CALL (f, export_key, &error, "ключ");
  g_assert_no_error (error);
  export = ONLY_REQUEST (f, OP_EXPORT_KEY, &psa_export_key__operation__descriptor, FIELDS (1));
  g_assert_cmpstr (export->key_name, ==, "ключ");
  g_clear_pointer (&exported, g_bytes_unref);

  forget_requests (f);
  exported = CALL (f, export_public_key, &error, "public");
  g_assert_no_error (error);
  export_public = ONLY_REQUEST (f, OP_EXPORT_PUBLIC_KEY, &psa_export_public_key__operation__descriptor, FIELDS (1));
  g_assert_cmpstr (export_public->key_name, ==, "public");
}

/* DER and PEM need the key's type: the key looked up once (ListKeys to
 * the core provider) knows it, and each export is then one request to the
 * crypto provider. A key object without attributes exports only in the
 * PSA format, and refuses the others before sending anything. */
static void
test_export_public_key_lookup (Fixture       *f,
                               gconstpointer  user_data)
{
  const ParsecPublicKeyFormat formats[] = {
    PARSEC_PUBLIC_KEY_FORMAT_DER, PARSEC_PUBLIC_KEY_FORMAT_PEM, PARSEC_PUBLIC_KEY_FORMAT_PSA,
  };
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(ParsecKey) unknown = NULL;
  g_autoptr(GError) error = NULL;

  key = CALL (f, lookup_key, &error, "key");
  g_assert_no_error (error);
  g_assert_nonnull (key);
  ONLY_REQUEST (f, OP_LIST_KEYS, &list_keys__operation__descriptor, NO_FIELDS);

  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GBytes) exported = NULL;
      PsaExportPublicKey__Operation *operation;

      forget_requests (f);
      exported = KEY_CALL (f, key, export_public_key, &error, formats[i]);
      g_assert_no_error (error);
      g_assert_nonnull (exported);
      operation = ONLY_REQUEST (f, OP_EXPORT_PUBLIC_KEY, &psa_export_public_key__operation__descriptor, FIELDS (1));
      g_assert_cmpstr (operation->key_name, ==, "key");
    }

  unknown = g_object_new (PARSEC_TYPE_KEY, "client", f->client, "name", "key", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GBytes) exported = NULL;

      forget_requests (f);
      exported = KEY_CALL (f, unknown, export_public_key, &error, formats[i]);
      if (formats[i] == PARSEC_PUBLIC_KEY_FORMAT_PSA)
        {
          g_assert_no_error (error);
          g_assert_nonnull (exported);
          ONLY_REQUEST (f, OP_EXPORT_PUBLIC_KEY, &psa_export_public_key__operation__descriptor, FIELDS (1));
          continue;
        }
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, "look the key up first"));
      g_assert_null (exported);
      g_assert_cmpuint (f->requests->len, ==, 0);
      g_clear_error (&error);
    }
}

static void
test_list_keys (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GError) error = NULL;

  keys = CALL (f, list_keys, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  ONLY_REQUEST (f, OP_LIST_KEYS, &list_keys__operation__descriptor, NO_FIELDS);
  /* Key objects, each with its client, name, provider and attributes. */
  g_assert_true (PARSEC_IS_KEY (keys->pdata[0]));
  g_assert_true (parsec_key_get_client (keys->pdata[0]) == f->client);
  g_assert_cmpstr (parsec_key_get_name (keys->pdata[0]), ==, "key");
  g_assert_cmpint (parsec_key_get_provider (keys->pdata[0]), ==, PARSEC_PROVIDER_MBED_CRYPTO);
  assert_same_attributes (parsec_key_get_attributes (keys->pdata[0]), f->listed);
}

/* lookup_key: one ListKeys; the key listed under the name, or
 * PsaErrorDoesNotExist. */
static void
test_lookup_key (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GError) error = NULL;

  key = CALL (f, lookup_key, &error, "key");
  g_assert_no_error (error);
  ONLY_REQUEST (f, OP_LIST_KEYS, &list_keys__operation__descriptor, NO_FIELDS);
  g_assert_true (PARSEC_IS_KEY (key));
  g_assert_true (parsec_key_get_client (key) == f->client);
  g_assert_cmpstr (parsec_key_get_name (key), ==, "key");
  g_assert_cmpint (parsec_key_get_provider (key), ==, PARSEC_PROVIDER_MBED_CRYPTO);
  assert_same_attributes (parsec_key_get_attributes (key), f->listed);
  g_clear_object (&key);

  forget_requests (f);
  key = CALL (f, lookup_key, &error, "absent");
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_nonnull (strstr (error->message, "absent"));
  g_assert_null (key);
  ONLY_REQUEST (f, OP_LIST_KEYS, &list_keys__operation__descriptor, NO_FIELDS);
}

/* Signatures, with every scheme the contract has. */

/* The only request of the last call: one PsaSignHash (PsaVerifyHash) of
 * @hash by @key_name with the algorithm the AlgCase @sent names. */
static void
assert_sign_hash_request (Fixture    *f,
                          const char *key_name,
                          const char *sent,
                          GBytes     *hash)
{
  PsaSignHash__Operation *operation =
    ONLY_REQUEST (f, OP_SIGN_HASH, &psa_sign_hash__operation__descriptor, FIELDS (1, 2, 3));

  g_assert_cmpstr (operation->key_name, ==, key_name);
  check_signature (operation->alg, &find_alg (sent)->wire);
  assert_binary (operation->hash, hash);
}

static void
assert_verify_hash_request (Fixture    *f,
                            const char *key_name,
                            const char *sent,
                            GBytes     *hash,
                            GBytes     *signature)
{
  PsaVerifyHash__Operation *operation =
    ONLY_REQUEST (f, OP_VERIFY_HASH, &psa_verify_hash__operation__descriptor, FIELDS (1, 2, 3, 4));

  g_assert_cmpstr (operation->key_name, ==, key_name);
  check_signature (operation->alg, &find_alg (sent)->wire);
  assert_binary (operation->hash, hash);
  assert_binary (operation->signature, signature);
}


static void
test_sign_hash (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GBytes) hash = bytes_from_string ("0123456789abcdef0123456789abcdef");

  for (gsize i = 0; i < G_N_ELEMENTS (signature_algs); i++)
    {
      g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (&signature_algs[i]);
      g_autoptr(GBytes) signature = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", signature_algs[i].name);
      forget_requests (f);
      signature = CALL (f, sign_hash, &error, "signer", algorithm, hash);
      g_assert_no_error (error);
      assert_sign_hash_request (f, "signer", signature_algs[i].name, hash);
    }
}

static void
test_verify_hash (Fixture       *f,
                  gconstpointer  user_data)
{
  g_autoptr(GBytes) hash = bytes_from_string ("0123456789abcdef0123456789abcdef");
  g_autoptr(GBytes) signature = bytes_from_string ("a signature");

  for (gsize i = 0; i < G_N_ELEMENTS (signature_algs); i++)
    {
      g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (&signature_algs[i]);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", signature_algs[i].name);
      forget_requests (f);
      g_assert_true (CALL (f, verify_hash, &error, "verifier", algorithm, hash, signature));
      g_assert_no_error (error);
      assert_verify_hash_request (f, "verifier", signature_algs[i].name, hash, signature);
    }
}

static void
test_sign_message (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GBytes) message = bytes_from_string ("a message to sign");

  for (gsize i = 0; i < G_N_ELEMENTS (signature_algs); i++)
    {
      g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (&signature_algs[i]);
      g_autoptr(GBytes) signature = NULL;
      g_autoptr(GError) error = NULL;
      PsaSignMessage__Operation *operation;

      g_test_message ("%s", signature_algs[i].name);
      forget_requests (f);
      signature = CALL (f, sign_message, &error, "signer", algorithm, message);
      g_assert_no_error (error);
      operation = ONLY_REQUEST (f, OP_SIGN_MESSAGE, &psa_sign_message__operation__descriptor, FIELDS (1, 2, 3));
      g_assert_cmpstr (operation->key_name, ==, "signer");
      check_signature (operation->alg, &signature_algs[i].wire);
      assert_binary (operation->message, message);
    }
}

static void
test_verify_message (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autoptr(GBytes) message = bytes_from_string ("a signed message");
  g_autoptr(GBytes) signature = bytes_from_string ("its signature");

  for (gsize i = 0; i < G_N_ELEMENTS (signature_algs); i++)
    {
      g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (&signature_algs[i]);
      g_autoptr(GError) error = NULL;
      PsaVerifyMessage__Operation *operation;

      g_test_message ("%s", signature_algs[i].name);
      forget_requests (f);
      g_assert_true (CALL (f, verify_message, &error, "verifier", algorithm, message, signature));
      g_assert_no_error (error);
      operation = ONLY_REQUEST (f, OP_VERIFY_MESSAGE, &psa_verify_message__operation__descriptor, FIELDS (1, 2, 3, 4));
      g_assert_cmpstr (operation->key_name, ==, "verifier");
      check_signature (operation->alg, &signature_algs[i].wire);
      assert_binary (operation->message, message);
      assert_binary (operation->signature, signature);
    }
}

/* A key's sign_data and verify_data sign or verify the digest with its
 * policy's algorithm, which the key knows since it was looked up: one
 * request, PsaSignHash or PsaVerifyHash, with a digest computed here when
 * GLib knows the hash; the provider's PsaHashCompute before it otherwise. */
typedef struct {
  const char *policy;           /* an AlgCase */
  const char *sent;             /* the AlgCase sent */
  GChecksumType digest;         /* -1 when the provider hashes */
  guint wire_hash;              /* the Hash of the PsaHashCompute then */
} DataSignCase;

static const DataSignCase data_sign_cases[] = {
  { "ecdsa-sha256", "ecdsa-sha256", G_CHECKSUM_SHA256 },
  { "ecdsa-sha512", "ecdsa-sha512", G_CHECKSUM_SHA512 },
  { "rsa-pkcs1v15-sha256", "rsa-pkcs1v15-sha256", G_CHECKSUM_SHA256 },
  /* A policy allowing any hash signs with SHA-256. */
  { "rsa-pss-any-hash", "rsa-pss-sha256", G_CHECKSUM_SHA256 },
  { "deterministic-ecdsa-sha3-256", "deterministic-ecdsa-sha3-256", -1, H (SHA3_256) },
};

static void
test_sign_data (Fixture       *f,
                gconstpointer  user_data)
{
  g_autoptr(GBytes) data = bytes_from_string ("data signed with the key's policy");
  g_autoptr(GBytes) signature = bytes_from_string ("a signature");

  for (gsize i = 0; i < G_N_ELEMENTS (data_sign_cases); i++)
    {
      const DataSignCase *c = &data_sign_cases[i];
      g_autoptr(ParsecAlgorithm) policy = alg_case_new (find_alg (c->policy));
      g_autoptr(ParsecKeyAttributes) attributes =
        parsec_key_attributes_new (PARSEC_KEY_TYPE_RSA_KEY_PAIR, 2048, SIGNING, policy);
      g_autoptr(GBytes) expected_digest = NULL;
      g_autoptr(ParsecKey) key = NULL;
      g_autoptr(GError) error = NULL;
      const Wire *wire = &find_alg (c->sent)->wire;
      gboolean local = (int) c->digest != -1;

      g_test_message ("%s", c->policy);
      set_listed_key (f, attributes);
      if (local)
        {
          g_autoptr(GChecksum) checksum = g_checksum_new (c->digest);
          guint8 digest[64];
          gsize len = sizeof digest;

          g_checksum_update (checksum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
          g_checksum_get_digest (checksum, digest, &len);
          expected_digest = g_bytes_new (digest, len);
        }
      else
        expected_digest = provider_digest (c->wire_hash);

      forget_requests (f);
      key = CALL (f, lookup_key, &error, "key");
      g_assert_no_error (error);
      ONLY_REQUEST (f, OP_LIST_KEYS, &list_keys__operation__descriptor, NO_FIELDS);

      /* Twice each: the key is not looked up again. */
      for (guint round = 0; round < 4; round++)
        {
          g_autoptr(GBytes) made = NULL;
          gboolean verify = round % 2;
          guint n = local ? 1 : 2;
          PsaVerifyHash__Operation *verify_hash;
          PsaSignHash__Operation *sign_hash;

          forget_requests (f);
          if (verify)
            g_assert_true (KEY_CALL (f, key, verify_data, &error, data, signature));
          else
            {
              made = KEY_CALL (f, key, sign_data, &error, data);
              g_assert_nonnull (made);
            }
          g_assert_no_error (error);
          if (!local)
            {
              PsaHashCompute__Operation *hash_compute =
                request (f, 0, n, OP_HASH_COMPUTE, &psa_hash_compute__operation__descriptor, FIELDS (1, 2));

              g_assert_cmpint (hash_compute->alg, ==, c->wire_hash);
              assert_binary (hash_compute->input, data);
            }
          if (verify)
            {
              verify_hash = request (f, n - 1, n, OP_VERIFY_HASH, &psa_verify_hash__operation__descriptor,
                                     FIELDS (1, 2, 3, 4));
              g_assert_cmpstr (verify_hash->key_name, ==, "key");
              check_signature (verify_hash->alg, wire);
              assert_binary (verify_hash->hash, expected_digest);
              assert_binary (verify_hash->signature, signature);
            }
          else
            {
              sign_hash = request (f, n - 1, n, OP_SIGN_HASH, &psa_sign_hash__operation__descriptor, FIELDS (1, 2, 3));
              g_assert_cmpstr (sign_hash->key_name, ==, "key");
              check_signature (sign_hash->alg, wire);
              assert_binary (sign_hash->hash, expected_digest);
            }
        }
    }
}

/* With a NULL algorithm, a key's operations use its policy's: one request
 * each. A policy that permits any hash takes it from the digest's length;
 * a length that names no hash, or an operation the policy does not
 * permit, is refused before anything is sent. */
static void
test_key_policy_algorithm (Fixture       *f,
                           gconstpointer  user_data)
{
  g_autoptr(GBytes) hash = bytes_from_string ("0123456789abcdef0123456789abcdef");
  g_autoptr(GBytes) hash384 = bytes_from_string ("0123456789abcdef0123456789abcdef0123456789abcdef");
  g_autoptr(GBytes) odd_hash = bytes_from_string ("seventeen bytes!!");
  g_autoptr(GBytes) signature = bytes_from_string ("a signature");
  g_autoptr(ParsecAlgorithm) pss_any = alg_case_new (find_alg ("rsa-pss-any-hash"));
  g_autoptr(ParsecKeyAttributes) pss_attributes =
    parsec_key_attributes_new (PARSEC_KEY_TYPE_RSA_KEY_PAIR, 2048, SIGNING, pss_any);
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) made = NULL;
  g_autoptr(GError) error = NULL;

  /* "key" is an ECDSA P-256 key with SHA-256. */
  key = CALL (f, lookup_key, &error, "key");
  g_assert_no_error (error);

  forget_requests (f);
  made = KEY_CALL (f, key, sign_hash, &error, NULL, hash);
  g_assert_no_error (error);
  g_assert_nonnull (made);
  assert_sign_hash_request (f, "key", "ecdsa-sha256", hash);
  g_clear_pointer (&made, g_bytes_unref);

  forget_requests (f);
  g_assert_true (KEY_CALL (f, key, verify_hash, &error, NULL, hash, signature));
  g_assert_no_error (error);
  assert_verify_hash_request (f, "key", "ecdsa-sha256", hash, signature);

  /* A signature policy does not encrypt. */
  forget_requests (f);
  made = KEY_CALL (f, key, asymmetric_encrypt, &error, NULL, hash, NULL);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "does not permit"));
  g_assert_null (made);
  g_assert_cmpuint (f->requests->len, ==, 0);
  g_clear_error (&error);
  g_clear_object (&key);

  /* RSA-PSS with any hash: the digest's length says which. */
  set_listed_key (f, pss_attributes);
  key = CALL (f, lookup_key, &error, "key");
  g_assert_no_error (error);

  forget_requests (f);
  made = KEY_CALL (f, key, sign_hash, &error, NULL, hash384);
  g_assert_no_error (error);
  assert_sign_hash_request (f, "key", "rsa-pss-sha384", hash384);
  g_clear_pointer (&made, g_bytes_unref);

  forget_requests (f);
  g_assert_true (KEY_CALL (f, key, verify_hash, &error, NULL, hash, signature));
  g_assert_no_error (error);
  assert_verify_hash_request (f, "key", "rsa-pss-sha256", hash, signature);

  forget_requests (f);
  made = KEY_CALL (f, key, sign_hash, &error, NULL, odd_hash);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_assert_null (made);
  g_assert_cmpuint (f->requests->len, ==, 0);
}

/* A key object made by the application with a name alone knows no policy:
 * the operations that need it fail before sending anything, and the ones
 * given an algorithm work, one request each, to the client's provider. */
static void
test_key_without_attributes (Fixture       *f,
                             gconstpointer  user_data)
{
  g_autoptr(GBytes) data = bytes_from_string ("data");
  g_autoptr(GBytes) hash = bytes_from_string ("0123456789abcdef0123456789abcdef");
  g_autoptr(GBytes) signature = bytes_from_string ("a signature");
  g_autoptr(ParsecAlgorithm) ecdsa = alg_case_new (find_alg ("ecdsa-sha256"));
  g_autoptr(ParsecKey) key = NULL;
  g_autoptr(GBytes) made = NULL;
  g_autoptr(GError) error = NULL;

  key = g_object_new (PARSEC_TYPE_KEY, "client", f->client, "name", "mine", NULL);
  g_assert_true (parsec_key_get_client (key) == f->client);
  g_assert_cmpstr (parsec_key_get_name (key), ==, "mine");
  g_assert_cmpint (parsec_key_get_provider (key), ==, PARSEC_PROVIDER_AUTO);
  g_assert_null (parsec_key_get_attributes (key));

  made = KEY_CALL (f, key, sign_data, &error, data);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "mine"));
  g_assert_null (made);
  g_clear_error (&error);
  g_assert_false (KEY_CALL (f, key, verify_data, &error, data, signature));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  made = KEY_CALL (f, key, sign_hash, &error, NULL, hash);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
  g_assert_null (made);
  g_clear_error (&error);
  g_assert_cmpuint (f->requests->len, ==, 0);

  made = KEY_CALL (f, key, sign_hash, &error, ecdsa, hash);
  g_assert_no_error (error);
  g_assert_nonnull (made);
  assert_sign_hash_request (f, "mine", "ecdsa-sha256", hash);

  forget_requests (f);
  g_assert_true (KEY_CALL (f, key, verify_hash, &error, ecdsa, hash, signature));
  g_assert_no_error (error);
  assert_verify_hash_request (f, "mine", "ecdsa-sha256", hash, signature);
}

/* Asymmetric encryption: an empty salt is no salt, and is not sent. */

typedef struct {
  const char *name;
  const char *text;             /* NULL for no GBytes at all */
  guint64 fields;
} OptionalCase;

static void
test_asymmetric_encryption (Fixture       *f,
                            gconstpointer  user_data)
{
  const OptionalCase salts[] = {
    { "no salt", NULL, FIELDS (1, 2, 3) },
    { "empty salt", "", FIELDS (1, 2, 3) },
    { "label", "a label", FIELDS (1, 2, 3, 4) },
  };
  g_autoptr(GBytes) text = bytes_from_string ("text");

  for (gsize i = 0; i < G_N_ELEMENTS (encryption_algs); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (salts); j++)
      {
        g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (&encryption_algs[i]);
        g_autoptr(GBytes) salt = salts[j].text != NULL ? bytes_from_string (salts[j].text) : NULL;
        g_autoptr(GBytes) ciphertext = NULL;
        g_autoptr(GBytes) plaintext = NULL;
        g_autoptr(GError) error = NULL;
        PsaAsymmetricEncrypt__Operation *encrypt;
        PsaAsymmetricDecrypt__Operation *decrypt;

        g_test_message ("%s, %s", encryption_algs[i].name, salts[j].name);
        forget_requests (f);
        ciphertext = CALL (f, asymmetric_encrypt, &error, "rsa", algorithm, text, salt);
        g_assert_no_error (error);
        encrypt = ONLY_REQUEST (f, OP_ASYMMETRIC_ENCRYPT, &psa_asymmetric_encrypt__operation__descriptor,
                                salts[j].fields);
        g_assert_cmpstr (encrypt->key_name, ==, "rsa");
        check_encryption (encrypt->alg, &encryption_algs[i].wire);
        assert_binary (encrypt->plaintext, text);
        assert_binary (encrypt->salt, salt);

        forget_requests (f);
        plaintext = CALL (f, asymmetric_decrypt, &error, "rsa", algorithm, text, salt);
        g_assert_no_error (error);
        decrypt = ONLY_REQUEST (f, OP_ASYMMETRIC_DECRYPT, &psa_asymmetric_decrypt__operation__descriptor,
                                salts[j].fields);
        g_assert_cmpstr (decrypt->key_name, ==, "rsa");
        check_encryption (decrypt->alg, &encryption_algs[i].wire);
        assert_binary (decrypt->ciphertext, text);
        assert_binary (decrypt->salt, salt);
      }
}

/* AEAD: no additional data, or empty, is not sent. */
static void
test_aead (Fixture       *f,
           gconstpointer  user_data)
{
  const OptionalCase aads[] = {
    { "no additional data", NULL, FIELDS (1, 2, 3, 5) },
    { "empty additional data", "", FIELDS (1, 2, 3, 5) },
    { "additional data", "header", FIELDS (1, 2, 3, 4, 5) },
  };
  g_autoptr(GBytes) nonce = bytes_from_string ("twelve bytes");
  g_autoptr(GBytes) text = bytes_from_string ("text");

  for (gsize i = 0; i < G_N_ELEMENTS (aead_algs); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (aads); j++)
      {
        g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (&aead_algs[i]);
        g_autoptr(GBytes) aad = aads[j].text != NULL ? bytes_from_string (aads[j].text) : NULL;
        g_autoptr(GBytes) ciphertext = NULL;
        g_autoptr(GBytes) plaintext = NULL;
        g_autoptr(GError) error = NULL;
        PsaAeadEncrypt__Operation *encrypt;
        PsaAeadDecrypt__Operation *decrypt;

        g_test_message ("%s, %s", aead_algs[i].name, aads[j].name);
        forget_requests (f);
        ciphertext = CALL (f, aead_encrypt, &error, "aes", algorithm, nonce, aad, text);
        g_assert_no_error (error);
        encrypt = ONLY_REQUEST (f, OP_AEAD_ENCRYPT, &psa_aead_encrypt__operation__descriptor, aads[j].fields);
        g_assert_cmpstr (encrypt->key_name, ==, "aes");
        check_aead (encrypt->alg, &aead_algs[i].wire);
        assert_binary (encrypt->nonce, nonce);
        assert_binary (encrypt->additional_data, aad);
        assert_binary (encrypt->plaintext, text);

        forget_requests (f);
        plaintext = CALL (f, aead_decrypt, &error, "aes", algorithm, nonce, aad, text);
        g_assert_no_error (error);
        decrypt = ONLY_REQUEST (f, OP_AEAD_DECRYPT, &psa_aead_decrypt__operation__descriptor, aads[j].fields);
        g_assert_cmpstr (decrypt->key_name, ==, "aes");
        check_aead (decrypt->alg, &aead_algs[i].wire);
        assert_binary (decrypt->nonce, nonce);
        assert_binary (decrypt->additional_data, aad);
        assert_binary (decrypt->ciphertext, text);
      }
}

static void
test_cipher (Fixture       *f,
             gconstpointer  user_data)
{
  g_autoptr(GBytes) text = bytes_from_string ("sixteen bytes!!!");

  for (gsize i = 0; i < G_N_ELEMENTS (cipher_algs); i++)
    {
      g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (&cipher_algs[i]);
      g_autoptr(GBytes) ciphertext = NULL;
      g_autoptr(GBytes) plaintext = NULL;
      g_autoptr(GError) error = NULL;
      PsaCipherEncrypt__Operation *encrypt;
      PsaCipherDecrypt__Operation *decrypt;

      g_test_message ("%s", cipher_algs[i].name);
      forget_requests (f);
      ciphertext = CALL (f, cipher_encrypt, &error, "sym", algorithm, text);
      g_assert_no_error (error);
      encrypt = ONLY_REQUEST (f, OP_CIPHER_ENCRYPT, &psa_cipher_encrypt__operation__descriptor, FIELDS (1, 2, 3));
      g_assert_cmpstr (encrypt->key_name, ==, "sym");
      g_assert_cmpint (encrypt->alg, ==, cipher_algs[i].wire.variant);
      assert_binary (encrypt->plaintext, text);

      forget_requests (f);
      plaintext = CALL (f, cipher_decrypt, &error, "sym", algorithm, text);
      g_assert_no_error (error);
      decrypt = ONLY_REQUEST (f, OP_CIPHER_DECRYPT, &psa_cipher_decrypt__operation__descriptor, FIELDS (1, 2, 3));
      g_assert_cmpstr (decrypt->key_name, ==, "sym");
      g_assert_cmpint (decrypt->alg, ==, cipher_algs[i].wire.variant);
      assert_binary (decrypt->ciphertext, text);
    }
}

static void
test_mac (Fixture       *f,
          gconstpointer  user_data)
{
  g_autoptr(GBytes) input = bytes_from_string ("authenticated input");
  g_autoptr(GBytes) mac = bytes_from_string ("a mac");

  for (gsize i = 0; i < G_N_ELEMENTS (mac_algs); i++)
    {
      g_autoptr(ParsecAlgorithm) algorithm = alg_case_new (&mac_algs[i]);
      g_autoptr(GBytes) computed = NULL;
      g_autoptr(GError) error = NULL;
      PsaMacCompute__Operation *compute;
      PsaMacVerify__Operation *verify;

      g_test_message ("%s", mac_algs[i].name);
      forget_requests (f);
      computed = CALL (f, mac_compute, &error, "mac-key", algorithm, input);
      g_assert_no_error (error);
      compute = ONLY_REQUEST (f, OP_MAC_COMPUTE, &psa_mac_compute__operation__descriptor, FIELDS (1, 2, 3));
      g_assert_cmpstr (compute->key_name, ==, "mac-key");
      check_mac (compute->alg, &mac_algs[i].wire);
      assert_binary (compute->input, input);

      forget_requests (f);
      g_assert_true (CALL (f, mac_verify, &error, "mac-key", algorithm, input, mac));
      g_assert_no_error (error);
      verify = ONLY_REQUEST (f, OP_MAC_VERIFY, &psa_mac_verify__operation__descriptor, FIELDS (1, 2, 3, 4));
      g_assert_cmpstr (verify->key_name, ==, "mac-key");
      check_mac (verify->alg, &mac_algs[i].wire);
      assert_binary (verify->input, input);
      assert_binary (verify->mac, mac);
    }
}

static void
test_hash (Fixture       *f,
           gconstpointer  user_data)
{
  static const struct {
    ParsecHash hash;
    guint wire;
  } hashes[] = {
    { PARSEC_HASH_SHA_256, H (SHA_256) },
    { PARSEC_HASH_RIPEMD160, H (RIPEMD160) },
    { PARSEC_HASH_SHA_512_224, H (SHA_512_224) },
    { PARSEC_HASH_SHA3_512, H (SHA3_512) },
  };
  g_autoptr(GBytes) input = bytes_from_string ("hashed input");
  g_autoptr(GBytes) hash = bytes_from_string ("its hash");

  for (gsize i = 0; i < G_N_ELEMENTS (hashes); i++)
    {
      g_autoptr(GBytes) computed = NULL;
      g_autoptr(GError) error = NULL;
      PsaHashCompute__Operation *compute;
      PsaHashCompare__Operation *compare;

      forget_requests (f);
      computed = CALL (f, hash_compute, &error, hashes[i].hash, input);
      g_assert_no_error (error);
      compute = ONLY_REQUEST (f, OP_HASH_COMPUTE, &psa_hash_compute__operation__descriptor, FIELDS (1, 2));
      g_assert_cmpint (compute->alg, ==, hashes[i].wire);
      assert_binary (compute->input, input);

      forget_requests (f);
      g_assert_true (CALL (f, hash_compare, &error, hashes[i].hash, input, hash));
      g_assert_no_error (error);
      compare = ONLY_REQUEST (f, OP_HASH_COMPARE, &psa_hash_compare__operation__descriptor, FIELDS (1, 2, 3));
      g_assert_cmpint (compare->alg, ==, hashes[i].wire);
      assert_binary (compare->input, input);
      assert_binary (compare->hash, hash);
    }
}

static void
test_raw_key_agreement (Fixture       *f,
                        gconstpointer  user_data)
{
  static const struct {
    ParsecKeyAgreement agreement;
    guint wire;
  } agreements[] = {
    { PARSEC_KEY_AGREEMENT_ECDH, RAW (ECDH) },
    { PARSEC_KEY_AGREEMENT_FFDH, RAW (FFDH) },
  };
  g_autoptr(GBytes) peer_key = bytes_from_string ("the peer's public key");

  for (gsize i = 0; i < G_N_ELEMENTS (agreements); i++)
    {
      g_autoptr(GBytes) secret = NULL;
      g_autoptr(GError) error = NULL;
      PsaRawKeyAgreement__Operation *operation;

      forget_requests (f);
      secret = CALL (f, raw_key_agreement, &error, agreements[i].agreement, "private", peer_key);
      g_assert_no_error (error);
      operation = ONLY_REQUEST (f, OP_RAW_KEY_AGREEMENT, &psa_raw_key_agreement__operation__descriptor,
                                FIELDS (1, 2, 3));
      g_assert_cmpint (operation->alg, ==, agreements[i].wire);
      g_assert_cmpstr (operation->private_key_name, ==, "private");
      assert_binary (operation->peer_key, peer_key);
    }
}

static void
test_generate_random (Fixture       *f,
                      gconstpointer  user_data)
{
  g_autoptr(GBytes) random = NULL;
  g_autoptr(GError) error = NULL;
  PsaGenerateRandom__Operation *operation;

  random = CALL (f, generate_random, &error, 1000000);
  g_assert_no_error (error);
  operation = ONLY_REQUEST (f, OP_GENERATE_RANDOM, &psa_generate_random__operation__descriptor, FIELDS (1));
  g_assert_cmpuint (operation->size, ==, 1000000);
  g_clear_pointer (&random, g_bytes_unref);

  /* Zero is the default: the body is empty. */
  forget_requests (f);
  random = CALL (f, generate_random, &error, 0);
  g_assert_no_error (error);
  operation = ONLY_REQUEST (f, OP_GENERATE_RANDOM, &psa_generate_random__operation__descriptor, NO_FIELDS);
  g_assert_cmpuint (operation->size, ==, 0);
}

/* Attestation: no attesting key, or an empty name, is not sent. */

static void
test_prepare_key_attestation (Fixture       *f,
                              gconstpointer  user_data)
{
  const char *attesting[] = { NULL, "", "attesting key" };

  for (gsize i = 0; i < G_N_ELEMENTS (attesting); i++)
    {
      g_autoptr(ParsecKeyAttestationPreparation) prepared = NULL;
      g_autoptr(GError) error = NULL;
      PrepareKeyAttestation__Operation *operation;
      PrepareKeyAttestation__PrepareKeyAttestationParams__ActivateCredential *credential;
      GBytes *name, *public_area, *attesting_key_public;

      forget_requests (f);
      prepared = CALL (f, prepare_key_attestation, &error, "attested key", attesting[i]);
      g_assert_no_error (error);
      g_assert_nonnull (prepared);
      name = parsec_key_attestation_preparation_get_name (prepared);
      public_area = parsec_key_attestation_preparation_get_public_area (prepared);
      attesting_key_public = parsec_key_attestation_preparation_get_attesting_key_public (prepared);
      g_assert_cmpmem (g_bytes_get_data (name, NULL), g_bytes_get_size (name), "name", 4);
      g_assert_cmpmem (g_bytes_get_data (public_area, NULL), g_bytes_get_size (public_area), "public", 6);
      g_assert_cmpmem (g_bytes_get_data (attesting_key_public, NULL), g_bytes_get_size (attesting_key_public),
                       "attesting", 9);
      /* A reference keeps it. */
      parsec_key_attestation_preparation_unref (parsec_key_attestation_preparation_ref (prepared));
      g_assert_true (parsec_key_attestation_preparation_get_name (prepared) == name);

      operation = ONLY_REQUEST (f, OP_PREPARE_KEY_ATTESTATION, &prepare_key_attestation__operation__descriptor,
                                FIELDS (1));
      g_assert_nonnull (operation->parameters);
      g_assert_cmpint (operation->parameters->mechanism_case, ==,
                       PREPARE_KEY_ATTESTATION__PREPARE_KEY_ATTESTATION_PARAMS__MECHANISM_ACTIVATE_CREDENTIAL);
      credential = operation->parameters->activate_credential;
      g_assert_cmpstr (credential->attested_key_name, ==, "attested key");
      /* Absent reads back as the default, ""; the canonical check in
       * request() makes sure it was absent rather than sent empty. */
      g_assert_cmpstr (credential->attesting_key_name, ==, attesting[i] != NULL ? attesting[i] : "");
    }
}

static void
test_attest_key (Fixture       *f,
                 gconstpointer  user_data)
{
  const OptionalCase attesting[] = {
    { "no attesting key", NULL, FIELDS (1, 2) },
    { "empty attesting key", "", FIELDS (1, 2) },
    { "attesting key", "attesting key", FIELDS (1, 2, 3) },
  };
  g_autoptr(GBytes) blob = bytes_from_string ("credential blob");
  g_autoptr(GBytes) secret = bytes_from_string ("encrypted secret");

  for (gsize i = 0; i < G_N_ELEMENTS (attesting); i++)
    {
      g_autoptr(GBytes) credential = NULL;
      g_autoptr(GError) error = NULL;
      AttestKey__Operation *operation;

      g_test_message ("%s", attesting[i].name);
      forget_requests (f);
      credential = CALL (f, attest_key, &error, "attested key", blob, secret, attesting[i].text);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (credential, NULL), g_bytes_get_size (credential), "credential", 10);

      operation = ONLY_REQUEST (f, OP_ATTEST_KEY, &attest_key__operation__descriptor, attesting[i].fields);
      g_assert_cmpstr (operation->attested_key_name, ==, "attested key");
      g_assert_nonnull (operation->parameters);
      g_assert_cmpint (operation->parameters->mechanism_case, ==,
                       ATTEST_KEY__ATTESTATION_MECHANISM_PARAMS__MECHANISM_ACTIVATE_CREDENTIAL);
      assert_binary (operation->parameters->activate_credential->credential_blob, blob);
      assert_binary (operation->parameters->activate_credential->secret, secret);
      g_assert_cmpstr (operation->attesting_key_name, ==, attesting[i].text != NULL ? attesting[i].text : "");
    }
}

/* Core operations */

static void
test_core (Fixture       *f,
           gconstpointer  user_data)
{
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) authenticators = NULL;
  g_autoptr(GArray) opcodes = NULL;
  g_auto(GStrv) clients = NULL;
  g_autoptr(GError) error = NULL;
  ListOpcodes__Operation *list_opcodes;
  DeleteClient__Operation *delete_client;
  g_autoptr(ParsecProtocolVersion) version = NULL;

  version = CALL (f, ping, &error);
  g_assert_no_error (error);
  g_assert_nonnull (version);
  g_assert_cmpuint (version->major, ==, 1);
  g_assert_cmpuint (version->minor, ==, 0);
  ONLY_REQUEST (f, OP_PING, &ping__operation__descriptor, NO_FIELDS);

  forget_requests (f);
  providers = CALL (f, list_providers, &error);
  g_assert_no_error (error);
  ONLY_REQUEST (f, OP_LIST_PROVIDERS, &list_providers__operation__descriptor, NO_FIELDS);

  forget_requests (f);
  authenticators = CALL (f, list_authenticators, &error);
  g_assert_no_error (error);
  ONLY_REQUEST (f, OP_LIST_AUTHENTICATORS, &list_authenticators__operation__descriptor, NO_FIELDS);

  forget_requests (f);
  opcodes = CALL (f, list_opcodes, &error, PARSEC_PROVIDER_MBED_CRYPTO);
  g_assert_no_error (error);
  list_opcodes = ONLY_REQUEST (f, OP_LIST_OPCODES, &list_opcodes__operation__descriptor, FIELDS (1));
  g_assert_cmpuint (list_opcodes->provider_id, ==, PARSEC_PROVIDER_MBED_CRYPTO);
  g_clear_pointer (&opcodes, g_array_unref);
  forget_requests (f);
  /* Provider 0 is the default value: an empty body. */
  opcodes = CALL (f, list_opcodes, &error, PARSEC_PROVIDER_CORE);
  g_assert_no_error (error);
  list_opcodes = ONLY_REQUEST (f, OP_LIST_OPCODES, &list_opcodes__operation__descriptor, NO_FIELDS);
  g_assert_cmpuint (list_opcodes->provider_id, ==, 0);

  forget_requests (f);
  clients = CALL (f, list_clients, &error);
  g_assert_no_error (error);
  ONLY_REQUEST (f, OP_LIST_CLIENTS, &list_clients__operation__descriptor, NO_FIELDS);

  forget_requests (f);
  g_assert_true (CALL (f, delete_client, &error, "an application"));
  g_assert_no_error (error);
  delete_client = ONLY_REQUEST (f, OP_DELETE_CLIENT, &delete_client__operation__descriptor, FIELDS (1));
  g_assert_cmpstr (delete_client->client, ==, "an application");
}

/* Support of an operation: successful calls never ask for the provider's
 * operations; a PsaErrorNotSupported answer makes the client ask once,
 * and an operation the provider does not list then fails before sending,
 * with its own error. */
static void
test_support_check (Fixture       *f,
                    gconstpointer  user_data)
{
  g_autoptr(GBytes) random = NULL;
  g_autoptr(GBytes) digest = NULL;
  g_autoptr(GBytes) data = bytes_from_string ("data");
  g_autoptr(GError) error = NULL;
  ListOpcodes__Operation *list_opcodes;

  random = CALL (f, generate_random, &error, 16);
  g_assert_no_error (error);
  ONLY_REQUEST (f, OP_GENERATE_RANDOM, &psa_generate_random__operation__descriptor, FIELDS (1));
  g_clear_pointer (&random, g_bytes_unref);
  forget_requests (f);

  f->unlisted_opcode = OP_GENERATE_RANDOM;
  f->refused_opcode = OP_HASH_COMPUTE;
  random = CALL (f, generate_random, &error, 16);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
  g_assert_null (random);
  g_clear_error (&error);
  request (f, 0, 2, OP_GENERATE_RANDOM, &psa_generate_random__operation__descriptor, FIELDS (1));
  list_opcodes = request (f, 1, 2, OP_LIST_OPCODES, &list_opcodes__operation__descriptor, FIELDS (1));
  g_assert_cmpuint (list_opcodes->provider_id, ==, PARSEC_PROVIDER_MBED_CRYPTO);
  forget_requests (f);

  /* Known now: nothing is sent. */
  random = CALL (f, generate_random, &error, 16);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NOT_SUPPORTED_BY_PROVIDER);
  g_clear_error (&error);
  g_assert_cmpuint (f->requests->len, ==, 0);

  /* Listed, but refused for these parameters: the service's status stays,
   * and the list is not asked again. */
  digest = CALL (f, hash_compute, &error, PARSEC_HASH_SHA_256, data);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED);
  g_assert_null (digest);
  ONLY_REQUEST (f, OP_HASH_COMPUTE, &psa_hash_compute__operation__descriptor, FIELDS (1, 2));
}

/* An algorithm of the wrong family is refused before anything is sent,
 * not even the support check: by name, and by a key object, whose
 * explicit algorithm counts rather than its policy. */
#define BY_NAME_OR_KEY(f, key, op, error, ...) \
  ((key) != NULL ? KEY_CALL ((f), (key), op, (error), __VA_ARGS__) : CALL ((f), op, (error), "key", __VA_ARGS__))

static void
test_wrong_family (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(ParsecAlgorithm) gcm = parsec_algorithm_new_aead (PARSEC_AEAD_GCM);
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) data = bytes_from_string ("data");
  /* parsec_key_aead_encrypt() and _decrypt() take no NULL additional
   * data, unlike the client's calls. */
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  g_autoptr(ParsecKey) listed = NULL;
  g_autoptr(ParsecKey) bare = g_object_new (PARSEC_TYPE_KEY, "client", f->client, "name", "key", NULL);
  g_autoptr(GError) lookup_error = NULL;
  guint sent;

  listed = CALL (f, lookup_key, &lookup_error, "key");
  g_assert_no_error (lookup_error);
  forget_requests (f);

  for (guint by = 0; by < 3; by++)
    for (guint op = 0; op < 12; op++)
      {
        ParsecKey *key = by == 0 ? NULL : by == 1 ? listed : bare;
        g_autoptr(GBytes) out = NULL;
        g_autoptr(GError) error = NULL;
        gboolean ok = FALSE;

        switch (op)
          {
          case 0:
            out = BY_NAME_OR_KEY (f, key, sign_hash, &error, gcm, data);
            break;
          case 1:
            ok = BY_NAME_OR_KEY (f, key, verify_hash, &error, gcm, data, data);
            break;
          case 2:
            out = BY_NAME_OR_KEY (f, key, sign_message, &error, gcm, data);
            break;
          case 3:
            ok = BY_NAME_OR_KEY (f, key, verify_message, &error, gcm, data, data);
            break;
          case 4:
            out = BY_NAME_OR_KEY (f, key, asymmetric_encrypt, &error, ecdsa, data, NULL);
            break;
          case 5:
            out = BY_NAME_OR_KEY (f, key, asymmetric_decrypt, &error, gcm, data, NULL);
            break;
          case 6:
            out = BY_NAME_OR_KEY (f, key, aead_encrypt, &error, ecdsa, data, key != NULL ? empty : NULL, data);
            break;
          case 7:
            out = BY_NAME_OR_KEY (f, key, aead_decrypt, &error, ecdsa, data, key != NULL ? empty : NULL, data);
            break;
          case 8:
            out = BY_NAME_OR_KEY (f, key, cipher_encrypt, &error, gcm, data);
            break;
          case 9:
            out = BY_NAME_OR_KEY (f, key, cipher_decrypt, &error, ecdsa, data);
            break;
          case 10:
            out = BY_NAME_OR_KEY (f, key, mac_compute, &error, gcm, data);
            break;
          case 11:
          default:
            ok = BY_NAME_OR_KEY (f, key, mac_verify, &error, ecdsa, data, data);
            break;
          }
        g_test_message ("%s, operation %u: %s", by == 0 ? "by name" : by == 1 ? "listed key" : "bare key", op,
                        error != NULL ? error->message : "no error");
        g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT);
        g_assert_null (out);
        g_assert_false (ok);
      }

  g_mutex_lock (&f->lock);
  sent = f->requests->len;
  g_mutex_unlock (&f->lock);
  g_assert_cmpuint (sent, ==, 0);
}

/* Registration */

typedef void (*TestFunc) (Fixture       *f,
                          gconstpointer  user_data);

static GPtrArray *test_data;

static void
add (const char *path,
     TestFunc    func)
{
  for (guint async = 0; async < 2; async++)
    {
      TestData *test = g_new0 (TestData, 1);
      g_autofree char *full = g_strdup_printf ("/parsec/requests/%s/%s", path, async ? "async" : "sync");

      test->async = async;
      g_ptr_array_add (test_data, test);
      g_test_add (full, Fixture, test, fixture_setup, func, fixture_teardown);
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  test_data = g_ptr_array_new_with_free_func (g_free);

  add ("generate-key", test_generate_key);
  add ("usage-flags", test_usage_flags);
  add ("import-key", test_import_key);
  add ("can-do-crypto", test_can_do_crypto);
  add ("key-name-only", test_key_name_only);
  add ("export-public-key-lookup", test_export_public_key_lookup);
  add ("list-keys", test_list_keys);
  add ("lookup-key", test_lookup_key);
  add ("sign-hash", test_sign_hash);
  add ("verify-hash", test_verify_hash);
  add ("sign-message", test_sign_message);
  add ("verify-message", test_verify_message);
  add ("sign-data", test_sign_data);
  add ("key-policy-algorithm", test_key_policy_algorithm);
  add ("key-without-attributes", test_key_without_attributes);
  add ("asymmetric-encryption", test_asymmetric_encryption);
  add ("aead", test_aead);
  add ("cipher", test_cipher);
  add ("mac", test_mac);
  add ("hash", test_hash);
  add ("raw-key-agreement", test_raw_key_agreement);
  add ("generate-random", test_generate_random);
  add ("prepare-key-attestation", test_prepare_key_attestation);
  add ("attest-key", test_attest_key);
  add ("core", test_core);
  add ("support-check", test_support_check);
  add ("wrong-family", test_wrong_family);

  status = g_test_run ();
  g_ptr_array_unref (test_data);
  return status;
}
