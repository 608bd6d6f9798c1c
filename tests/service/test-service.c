/* test-service.c: parsec-glib-test-service driven through parsec-glib
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each test gets a fresh service (direct authentication, "admin" as the
 * administrator, unless the test data says otherwise) with the Mbed
 * Crypto provider, whose behaviour these tests hold it to, whatever
 * provider PARSEC_TEST_PROVIDER chooses for the rest of the suite. Crypto goes
 * through the library's generic request path, since the PSA operations
 * have no public API yet; malformed requests are sent as raw bytes.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>

#include "parsec-client-private.h"
#include "parsec-wire-private.h"
#include "service-fixture.h"

#include "list_keys.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "attest_key.pb-c.h"
#include "can_do_crypto.pb-c.h"
#include "psa_aead_decrypt.pb-c.h"
#include "psa_aead_encrypt.pb-c.h"
#include "psa_asymmetric_decrypt.pb-c.h"
#include "psa_asymmetric_encrypt.pb-c.h"
#include "psa_cipher_encrypt.pb-c.h"
#include "psa_destroy_key.pb-c.h"
#include "psa_export_key.pb-c.h"
#include "psa_export_public_key.pb-c.h"
#include "psa_generate_key.pb-c.h"
#include "psa_generate_random.pb-c.h"
#include "psa_hash_compare.pb-c.h"
#include "psa_hash_compute.pb-c.h"
#include "psa_import_key.pb-c.h"
#include "psa_raw_key_agreement.pb-c.h"
#include "psa_sign_hash.pb-c.h"
#include "psa_sign_message.pb-c.h"
#include "psa_verify_hash.pb-c.h"
#include "psa_verify_message.pb-c.h"

/* Message building. Messages live on the heap and are freed with
 * protobuf-c's default allocator, which is malloc(), as g_malloc() is. */

static gpointer
msg_new (const ProtobufCMessageDescriptor *descriptor)
{
  ProtobufCMessage *message = g_malloc0 (descriptor->sizeof_message);

  protobuf_c_message_init (descriptor, message);
  return message;
}

static void
msg_free (gpointer message)
{
  if (message != NULL)
    protobuf_c_message_free_unpacked (message, NULL);
}

typedef ProtobufCMessage Msg;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Msg, msg_free)

static ProtobufCBinaryData
bytes_dup (gconstpointer data,
           gsize         len)
{
  return (ProtobufCBinaryData) { len, g_memdup2 (data, MAX (len, 1)) };
}

#define ANY_HASH (-1)

static PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash *
sign_hash_new (int hash)
{
  PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash *sign_hash =
    msg_new (&psa_algorithm__algorithm__asymmetric_signature__sign_hash__descriptor);

  if (hash == ANY_HASH)
    {
      sign_hash->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_ANY;
      sign_hash->any = msg_new (&psa_algorithm__algorithm__asymmetric_signature__sign_hash__any__descriptor);
    }
  else
    {
      sign_hash->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC;
      sign_hash->specific = hash;
    }
  return sign_hash;
}

typedef enum { SIG_ECDSA, SIG_RSA_PKCS1V15, SIG_RSA_PSS } SigKind;

static PsaAlgorithm__Algorithm__AsymmetricSignature *
sig_new (SigKind kind,
         int     hash)
{
  PsaAlgorithm__Algorithm__AsymmetricSignature *sig =
    msg_new (&psa_algorithm__algorithm__asymmetric_signature__descriptor);

  switch (kind)
    {
    case SIG_ECDSA:
      sig->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA;
      sig->ecdsa = msg_new (&psa_algorithm__algorithm__asymmetric_signature__ecdsa__descriptor);
      sig->ecdsa->hash_alg = sign_hash_new (hash);
      break;
    case SIG_RSA_PKCS1V15:
      sig->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PKCS1V15_SIGN;
      sig->rsa_pkcs1v15_sign = msg_new (&psa_algorithm__algorithm__asymmetric_signature__rsa_pkcs1v15_sign__descriptor);
      sig->rsa_pkcs1v15_sign->hash_alg = sign_hash_new (hash);
      break;
    case SIG_RSA_PSS:
      sig->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PSS;
      sig->rsa_pss = msg_new (&psa_algorithm__algorithm__asymmetric_signature__rsa_pss__descriptor);
      sig->rsa_pss->hash_alg = sign_hash_new (hash);
      break;
    default:
      g_assert_not_reached ();
    }
  return sig;
}

/* hash 0 = PKCS#1 v1.5, else OAEP with that hash */
static PsaAlgorithm__Algorithm__AsymmetricEncryption *
enc_new (int oaep_hash)
{
  PsaAlgorithm__Algorithm__AsymmetricEncryption *enc =
    msg_new (&psa_algorithm__algorithm__asymmetric_encryption__descriptor);

  if (oaep_hash == 0)
    {
      enc->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_PKCS1V15_CRYPT;
      enc->rsa_pkcs1v15_crypt = msg_new (&psa_algorithm__algorithm__asymmetric_encryption__rsa_pkcs1v15_crypt__descriptor);
    }
  else
    {
      enc->variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_ENCRYPTION__VARIANT_RSA_OAEP;
      enc->rsa_oaep = msg_new (&psa_algorithm__algorithm__asymmetric_encryption__rsa_oaep__descriptor);
      enc->rsa_oaep->hash_alg = oaep_hash;
    }
  return enc;
}

/* tag_length 0 = the default tag */
static PsaAlgorithm__Algorithm__Aead *
aead_new (int   base,
          guint tag_length)
{
  PsaAlgorithm__Algorithm__Aead *aead = msg_new (&psa_algorithm__algorithm__aead__descriptor);

  if (tag_length == 0)
    {
      aead->variant_case = PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_DEFAULT_LENGTH_TAG;
      aead->aead_with_default_length_tag = base;
    }
  else
    {
      aead->variant_case = PSA_ALGORITHM__ALGORITHM__AEAD__VARIANT_AEAD_WITH_SHORTENED_TAG;
      aead->aead_with_shortened_tag = msg_new (&psa_algorithm__algorithm__aead__aead_with_shortened_tag__descriptor);
      aead->aead_with_shortened_tag->aead_alg = base;
      aead->aead_with_shortened_tag->tag_length = tag_length;
    }
  return aead;
}

/* Wraps one of the above (taken) as a policy algorithm; NULL = None. */
static PsaAlgorithm__Algorithm *
alg_new (PsaAlgorithm__Algorithm__VariantCase variant,
         gpointer                             inner)
{
  PsaAlgorithm__Algorithm *alg = msg_new (&psa_algorithm__algorithm__descriptor);

  alg->variant_case = variant;
  switch (variant)
    {
    case PSA_ALGORITHM__ALGORITHM__VARIANT_NONE:
      alg->none = msg_new (&psa_algorithm__algorithm__none__descriptor);
      break;
    case PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE:
      alg->asymmetric_signature = inner;
      break;
    case PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_ENCRYPTION:
      alg->asymmetric_encryption = inner;
      break;
    case PSA_ALGORITHM__ALGORITHM__VARIANT_AEAD:
      alg->aead = inner;
      break;
    case PSA_ALGORITHM__ALGORITHM__VARIANT_KEY_AGREEMENT:
      alg->key_agreement = msg_new (&psa_algorithm__algorithm__key_agreement__descriptor);
      alg->key_agreement->variant_case = PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__VARIANT_RAW;
      alg->key_agreement->raw = PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__RAW__ECDH;
      break;
    default:
      g_assert_not_reached ();
    }
  return alg;
}

enum {
  U_EXPORT = 1 << 0,
  U_ENCRYPT = 1 << 1,
  U_DECRYPT = 1 << 2,
  U_SIGN_HASH = 1 << 3,
  U_VERIFY_HASH = 1 << 4,
  U_SIGN_MESSAGE = 1 << 5,
  U_VERIFY_MESSAGE = 1 << 6,
  U_DERIVE = 1 << 7,
};

static PsaKeyAttributes__KeyAttributes *
attributes_new (PsaKeyAttributes__KeyType__VariantCase  type,
                guint                                   bits,
                guint                                   usage,
                PsaAlgorithm__Algorithm                *alg)
{
  PsaKeyAttributes__KeyAttributes *attributes = msg_new (&psa_key_attributes__key_attributes__descriptor);
  PsaKeyAttributes__KeyType *key_type = msg_new (&psa_key_attributes__key_type__descriptor);
  PsaKeyAttributes__UsageFlags *flags = msg_new (&psa_key_attributes__usage_flags__descriptor);

  key_type->variant_case = type;
  switch (type)
    {
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR:
      key_type->ecc_key_pair = msg_new (&psa_key_attributes__key_type__ecc_key_pair__descriptor);
      key_type->ecc_key_pair->curve_family = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R1;
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR:
      key_type->rsa_key_pair = msg_new (&psa_key_attributes__key_type__rsa_key_pair__descriptor);
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_AES:
      key_type->aes = msg_new (&psa_key_attributes__key_type__aes__descriptor);
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_CHACHA20:
      key_type->chacha20 = msg_new (&psa_key_attributes__key_type__chacha20__descriptor);
      break;
    case PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DES:
      /* Deprecated in the contract, which is what the test is about. */
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      key_type->des = msg_new (&psa_key_attributes__key_type__des__descriptor);
      G_GNUC_END_IGNORE_DEPRECATIONS
      break;
    default:
      g_assert_not_reached ();
    }

  flags->export = (usage & U_EXPORT) != 0;
  flags->encrypt = (usage & U_ENCRYPT) != 0;
  flags->decrypt = (usage & U_DECRYPT) != 0;
  flags->sign_hash = (usage & U_SIGN_HASH) != 0;
  flags->verify_hash = (usage & U_VERIFY_HASH) != 0;
  flags->sign_message = (usage & U_SIGN_MESSAGE) != 0;
  flags->verify_message = (usage & U_VERIFY_MESSAGE) != 0;
  flags->derive = (usage & U_DERIVE) != 0;

  attributes->key_type = key_type;
  attributes->key_bits = bits;
  attributes->key_policy = msg_new (&psa_key_attributes__key_policy__descriptor);
  attributes->key_policy->key_usage_flags = flags;
  attributes->key_policy->key_algorithm = alg != NULL ? alg : alg_new (PSA_ALGORITHM__ALGORITHM__VARIANT_NONE, NULL);
  return attributes;
}

static PsaKeyAttributes__KeyAttributes *
ecc_attributes (guint usage,
                int   hash)
{
  return attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR, 256, usage,
                         alg_new (PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE, sig_new (SIG_ECDSA, hash)));
}

/* Calls */

static ProtobufCMessage *
call (ParsecClient                     *client,
      guint8                            provider,
      guint32                           opcode,
      const ProtobufCMessageDescriptor *result_type,
      gpointer                          operation,
      GError                          **error)
{
  ParsecOperation op = { opcode, PARSEC_CALL_AUTH_REQUIRED, result_type };

  return _parsec_client_call (client, &op, provider, operation, 0, NULL, error);
}

#define CRYPTO_CALL(client, opcode, file, operation, error) \
  call (client, PARSEC_PROVIDER_MBED_CRYPTO, opcode, &file##__result__descriptor, operation, error)

static gboolean
generate_key (ParsecClient                    *client,
              const char                      *name,
              PsaKeyAttributes__KeyAttributes *attributes,
              GError                         **error)
{
  g_autoptr(Msg) op = msg_new (&psa_generate_key__operation__descriptor);
  g_autoptr(ProtobufCMessage) result = NULL;

  ((PsaGenerateKey__Operation *) op)->key_name = g_strdup (name);
  ((PsaGenerateKey__Operation *) op)->attributes = attributes;
  result = CRYPTO_CALL (client, PARSEC_OPCODE_PSA_GENERATE_KEY, psa_generate_key, op, error);
  return result != NULL;
}

static gboolean
import_key (ParsecClient                    *client,
            const char                      *name,
            PsaKeyAttributes__KeyAttributes *attributes,
            gconstpointer                    data,
            gsize                            len,
            GError                         **error)
{
  g_autoptr(Msg) op = msg_new (&psa_import_key__operation__descriptor);
  g_autoptr(ProtobufCMessage) result = NULL;

  ((PsaImportKey__Operation *) op)->key_name = g_strdup (name);
  ((PsaImportKey__Operation *) op)->attributes = attributes;
  ((PsaImportKey__Operation *) op)->data = bytes_dup (data, len);
  result = CRYPTO_CALL (client, PARSEC_OPCODE_PSA_IMPORT_KEY, psa_import_key, op, error);
  return result != NULL;
}

static gboolean
destroy_key (ParsecClient  *client,
             const char    *name,
             GError       **error)
{
  g_autoptr(Msg) op = msg_new (&psa_destroy_key__operation__descriptor);
  g_autoptr(ProtobufCMessage) result = NULL;

  ((PsaDestroyKey__Operation *) op)->key_name = g_strdup (name);
  result = CRYPTO_CALL (client, PARSEC_OPCODE_PSA_DESTROY_KEY, psa_destroy_key, op, error);
  return result != NULL;
}

static GBytes *
export_key (ParsecClient  *client,
            const char    *name,
            gboolean       public_only,
            GError       **error)
{
  g_autoptr(ProtobufCMessage) result = NULL;

  if (public_only)
    {
      g_autoptr(Msg) op = msg_new (&psa_export_public_key__operation__descriptor);

      ((PsaExportPublicKey__Operation *) op)->key_name = g_strdup (name);
      result = CRYPTO_CALL (client, PARSEC_OPCODE_PSA_EXPORT_PUBLIC_KEY, psa_export_public_key, op, error);
      if (result == NULL)
        return NULL;
      return g_bytes_new (((PsaExportPublicKey__Result *) result)->data.data,
                          ((PsaExportPublicKey__Result *) result)->data.len);
    }
  else
    {
      g_autoptr(Msg) op = msg_new (&psa_export_key__operation__descriptor);

      ((PsaExportKey__Operation *) op)->key_name = g_strdup (name);
      result = CRYPTO_CALL (client, PARSEC_OPCODE_PSA_EXPORT_KEY, psa_export_key, op, error);
      if (result == NULL)
        return NULL;
      return g_bytes_new (((PsaExportKey__Result *) result)->data.data,
                          ((PsaExportKey__Result *) result)->data.len);
    }
}

static GBytes *
sign_hash (ParsecClient                                 *client,
           const char                                   *name,
           PsaAlgorithm__Algorithm__AsymmetricSignature *alg,
           const guint8                                 *hash,
           gsize                                         hash_len,
           GError                                      **error)
{
  g_autoptr(Msg) op = msg_new (&psa_sign_hash__operation__descriptor);
  g_autoptr(ProtobufCMessage) result = NULL;
  PsaSignHash__Result *out;

  ((PsaSignHash__Operation *) op)->key_name = g_strdup (name);
  ((PsaSignHash__Operation *) op)->alg = alg;
  ((PsaSignHash__Operation *) op)->hash = bytes_dup (hash, hash_len);
  result = CRYPTO_CALL (client, PARSEC_OPCODE_PSA_SIGN_HASH, psa_sign_hash, op, error);
  if (result == NULL)
    return NULL;
  out = (PsaSignHash__Result *) result;
  return g_bytes_new (out->signature.data, out->signature.len);
}

static gboolean
verify_hash (ParsecClient                                 *client,
             const char                                   *name,
             PsaAlgorithm__Algorithm__AsymmetricSignature *alg,
             const guint8                                 *hash,
             gsize                                         hash_len,
             GBytes                                       *signature,
             GError                                      **error)
{
  g_autoptr(Msg) op = msg_new (&psa_verify_hash__operation__descriptor);
  g_autoptr(ProtobufCMessage) result = NULL;
  gsize len;
  gconstpointer data = g_bytes_get_data (signature, &len);

  ((PsaVerifyHash__Operation *) op)->key_name = g_strdup (name);
  ((PsaVerifyHash__Operation *) op)->alg = alg;
  ((PsaVerifyHash__Operation *) op)->hash = bytes_dup (hash, hash_len);
  ((PsaVerifyHash__Operation *) op)->signature = bytes_dup (data, len);
  result = CRYPTO_CALL (client, PARSEC_OPCODE_PSA_VERIFY_HASH, psa_verify_hash, op, error);
  return result != NULL;
}

static GBytes *
sha256 (const char *text)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) text, -1);
  g_checksum_get_digest (checksum, digest, &len);
  return g_bytes_new (digest, len);
}

/* Raw requests */

typedef struct {
  ParsecWireHeader header;
  GBytes *body;
  gboolean closed;               /* the service closed without a response */
} RawResponse;

static void
raw_response_clear (RawResponse *response)
{
  g_clear_pointer (&response->body, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RawResponse, raw_response_clear)

static GSocket *
raw_connect (ParsecTestService *service)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new (parsec_test_service_get_socket_path (service));
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return socket;
}

static gboolean
read_exactly (GSocket *socket,
              guint8  *buffer,
              gsize    len)
{
  gsize done = 0;

  while (done < len)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_receive (socket, (char *) buffer + done, len - done, NULL, &error);

      if (n <= 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

static void
raw_read_response (GSocket     *socket,
                   RawResponse *response)
{
  guint8 header[PARSEC_WIRE_HEADER_LEN];
  guint8 *body;

  memset (response, 0, sizeof *response);
  if (!read_exactly (socket, header, sizeof header))
    {
      response->closed = TRUE;
      return;
    }
  _parsec_wire_header_decode (header, &response->header);
  g_assert_cmpuint (response->header.magic, ==, PARSEC_WIRE_MAGIC);
  g_assert_cmpuint (response->header.header_size, ==, PARSEC_WIRE_HEADER_SIZE_FIELD);
  g_assert_cmpuint (response->header.body_len, <=, 1u << 21);
  body = g_malloc (response->header.body_len);
  g_assert_true (read_exactly (socket, body, response->header.body_len));
  response->body = g_bytes_new_take (body, response->header.body_len);
}

/* Sends @len bytes (a send the service cuts short is not an error: it
 * may answer before reading everything) and reads the response. */
static void
raw_exchange (ParsecTestService *service,
              gconstpointer      request,
              gsize              len,
              RawResponse       *response)
{
  g_autoptr(GSocket) socket = raw_connect (service);

  (void) g_socket_send_with_blocking (socket, request, len, TRUE, NULL, NULL);
  raw_read_response (socket, response);
}

/* A well-formed request whose fields the caller then spoils. */
static gsize
raw_request (guint8        *buffer,
             guint8         provider,
             guint32        opcode,
             guint8         auth_type,
             gconstpointer  body,
             gsize          body_len,
             gconstpointer  auth,
             gsize          auth_len)
{
  ParsecWireHeader header;

  _parsec_wire_header_init_request (&header, provider, opcode, auth_type, body_len, auth_len);
  header.session = 0x1122334455667788;
  _parsec_wire_header_encode (&header, buffer);
  if (body_len > 0)
    memcpy (buffer + PARSEC_WIRE_HEADER_LEN, body, body_len);
  if (auth_len > 0)
    memcpy (buffer + PARSEC_WIRE_HEADER_LEN + body_len, auth, auth_len);
  return PARSEC_WIRE_HEADER_LEN + body_len + auth_len;
}

static void
assert_default_header (const RawResponse *response,
                       guint16            status)
{
  g_assert_false (response->closed);
  g_assert_cmpuint (response->header.status, ==, status);
  g_assert_cmpuint (response->header.provider, ==, 0);
  g_assert_cmpuint (response->header.session, ==, 0);
  g_assert_cmpuint (response->header.opcode, ==, PARSEC_OPCODE_PING);
  g_assert_cmpuint (response->header.body_len, ==, 0);
}

static void
assert_echoed_header (const RawResponse *response,
                      guint8             provider,
                      guint32            opcode,
                      guint16            status)
{
  g_assert_false (response->closed);
  g_assert_cmpuint (response->header.status, ==, status);
  g_assert_cmpuint (response->header.provider, ==, provider);
  g_assert_cmpuint (response->header.session, ==, 0x1122334455667788);
  g_assert_cmpuint (response->header.opcode, ==, opcode);
}

/* Fixture */

typedef struct {
  const char *authenticator;
  const char * const *extra_args;
} ServiceConfig;

static const ServiceConfig direct_config = { "direct", NULL };
static const char * const sign_message_args[] = { "--sign-message", NULL };
static const ServiceConfig sign_message_config = { "direct", sign_message_args };
static const ServiceConfig peer_config = { "unix-peer-credentials", NULL };

typedef struct {
  ParsecTestService *service;
  ParsecClient *client;          /* app-a, or the caller's uid */
  char *uid;
  GArray *mbed_opcodes;          /* asked on first need */
} Fixture;

static ParsecClient *
client_new (Fixture    *fixture,
            const char *app)
{
  g_autoptr(GError) error = NULL;
  ParsecClient *client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                                         "endpoint", parsec_test_service_get_endpoint (fixture->service),
                                         "application-name", app,
                                         NULL);

  g_assert_no_error (error);
  return client;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  const ServiceConfig *config = data;
  g_autoptr(GError) error = NULL;
  const char *admins[] = { "admin", NULL, NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;

  fixture->uid = g_strdup_printf ("%u", (guint) geteuid ());
  /* With peer credentials, identities are user ids: make ours admin. */
  admins[1] = fixture->uid;
  g_strv_builder_add_many (builder, "--provider", "mbed-crypto", NULL);
  if (config->extra_args != NULL)
    g_strv_builder_addv (builder, (const char **) config->extra_args);
  args = g_strv_builder_end (builder);
  fixture->service = parsec_test_service_start_with_args (config->authenticator, admins,
                                                          (const char * const *) args, &error);
  g_assert_no_error (error);
  fixture->client = client_new (fixture, "app-a");
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->client);
  g_clear_pointer (&fixture->service, parsec_test_service_free);
  g_clear_pointer (&fixture->mbed_opcodes, g_array_unref);
  g_free (fixture->uid);
}

#define TEST(path, config, func) \
  g_test_add ("/parsec/service/" path, Fixture, config, fixture_setup, func, fixture_teardown)

/* Discovery */

static void
test_discovery (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GPtrArray) authenticators = NULL;
  g_autoptr(GArray) core_ops = NULL;
  g_autoptr(GArray) mbed_ops = NULL;
  g_autoptr(ParsecProtocolVersion) version = NULL;
  const guint32 expected_mbed[] = { 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x0A, 0x0B, 0x0C, 0x0D,
                                    0x0F, 0x10, 0x11, 0x12, 0x13, 0x20 };

  version = parsec_client_ping (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (version);
  g_assert_cmpuint (version->major, ==, 1);
  g_assert_cmpuint (version->minor, ==, 0);

  providers = parsec_client_list_providers (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, ==, 2);
  g_assert_cmpuint (parsec_provider_info_get_id (g_ptr_array_index (providers, 0)), ==, PARSEC_PROVIDER_MBED_CRYPTO);
  g_assert_cmpstr (parsec_provider_info_get_uuid (g_ptr_array_index (providers, 0)), ==,
                   "1c1139dc-ad7c-47dc-ad6b-db6fdb466552");
  g_assert_cmpuint (parsec_provider_info_get_id (g_ptr_array_index (providers, 1)), ==, PARSEC_PROVIDER_CORE);
  g_assert_cmpstr (parsec_provider_info_get_uuid (g_ptr_array_index (providers, 1)), ==,
                   "47049873-2a43-4845-9d72-831eab668784");
  g_assert_true (parsec_client_discover (fixture->client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsec_client_get_implicit_provider (fixture->client), ==, PARSEC_PROVIDER_MBED_CRYPTO);

  authenticators = parsec_client_list_authenticators (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (authenticators->len, ==, 1);
  g_assert_cmpuint (parsec_authenticator_info_get_id (g_ptr_array_index (authenticators, 0)), ==,
                    PARSEC_AUTH_TYPE_DIRECT);

  /* The core provider's quirk: only five of its operations are listed. */
  core_ops = parsec_client_list_opcodes (fixture->client, PARSEC_PROVIDER_CORE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (core_ops->len, ==, 5);
  g_assert_true (parsec_test_opcodes_contain (core_ops, PARSEC_OPCODE_LIST_KEYS));
  g_assert_false (parsec_test_opcodes_contain (core_ops, PARSEC_OPCODE_LIST_CLIENTS));

  mbed_ops = parsec_client_list_opcodes (fixture->client, PARSEC_PROVIDER_MBED_CRYPTO, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mbed_ops->len, ==, G_N_ELEMENTS (expected_mbed));
  for (gsize i = 0; i < G_N_ELEMENTS (expected_mbed); i++)
    g_assert_true (parsec_test_opcodes_contain (mbed_ops, expected_mbed[i]));

  g_clear_pointer (&mbed_ops, g_array_unref);
  mbed_ops = parsec_client_list_opcodes (fixture->client, PARSEC_PROVIDER_PKCS11, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PROVIDER_NOT_REGISTERED);
  g_assert_null (mbed_ops);
}

/* Signatures */

static void
check_sign_verify (Fixture                         *fixture,
                   const char                      *name,
                   PsaKeyAttributes__KeyAttributes *attributes,
                   SigKind                          kind,
                   int                              hash)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) digest = sha256 ("the message");
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) tampered = NULL;
  g_autofree guint8 *bad = NULL;
  gsize len;

  g_assert_true (generate_key (fixture->client, name, attributes, &error));
  g_assert_no_error (error);

  signature = sign_hash (fixture->client, name, sig_new (kind, hash),
                         g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), &error);
  g_assert_no_error (error);
  g_assert_nonnull (signature);

  g_assert_true (verify_hash (fixture->client, name, sig_new (kind, hash),
                              g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), signature, &error));
  g_assert_no_error (error);

  g_bytes_get_data (signature, &len);
  bad = g_memdup2 (g_bytes_get_data (signature, NULL), len);
  bad[len / 2] ^= 0x01;
  tampered = g_bytes_new (bad, len);
  g_assert_false (verify_hash (fixture->client, name, sig_new (kind, hash),
                               g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), tampered, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
}

static void
test_sign_ecdsa (Fixture       *fixture,
                 gconstpointer  data)
{
  check_sign_verify (fixture, "ecdsa",
                     ecc_attributes (U_SIGN_HASH | U_VERIFY_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256),
                     SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256);
}

static void
test_sign_ecdsa_any_hash (Fixture       *fixture,
                          gconstpointer  data)
{
  /* A policy for any hash admits a specific one at use. */
  check_sign_verify (fixture, "ecdsa-any", ecc_attributes (U_SIGN_HASH | U_VERIFY_HASH, ANY_HASH),
                     SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256);
}

static void
test_sign_rsa (Fixture       *fixture,
               gconstpointer  data)
{
  const SigKind kinds[] = { SIG_RSA_PKCS1V15, SIG_RSA_PSS };

  for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *name = g_strdup_printf ("rsa-%" G_GSIZE_FORMAT, i);
      PsaKeyAttributes__KeyAttributes *attributes =
        attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR, 1024, U_SIGN_HASH | U_VERIFY_HASH,
                        alg_new (PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE,
                                 sig_new (kinds[i], PSA_ALGORITHM__ALGORITHM__HASH__SHA_256)));

      check_sign_verify (fixture, name, attributes, kinds[i], PSA_ALGORITHM__ALGORITHM__HASH__SHA_256);
    }
}

/* The operations the Mbed Crypto provider lists; owned by the fixture. */
static GArray *
mbed_opcodes (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  if (fixture->mbed_opcodes == NULL)
    fixture->mbed_opcodes = parsec_client_list_opcodes (fixture->client, PARSEC_PROVIDER_MBED_CRYPTO, NULL, &error);
  g_assert_no_error (error);
  return fixture->mbed_opcodes;
}

static void
test_sign_message (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Msg) sign = msg_new (&psa_sign_message__operation__descriptor);
  g_autoptr(Msg) verify = msg_new (&psa_verify_message__operation__descriptor);
  g_autoptr(ProtobufCMessage) signed_result = NULL;
  g_autoptr(ProtobufCMessage) verified = NULL;
  PsaSignMessage__Result *signature;

  g_assert_true (generate_key (fixture->client, "msg",
                               ecc_attributes (U_SIGN_MESSAGE | U_VERIFY_MESSAGE, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256),
                               &error));
  g_assert_no_error (error);

  ((PsaSignMessage__Operation *) sign)->key_name = g_strdup ("msg");
  ((PsaSignMessage__Operation *) sign)->alg = sig_new (SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256);
  ((PsaSignMessage__Operation *) sign)->message = bytes_dup ("hello", 5);

  /* Parsec 1.5.0's Mbed Crypto provider does not implement it, nor does
   * the test service unless started with --sign-message: the list says
   * which, and an unlisted operation is refused. */
  if (!parsec_test_opcodes_contain (mbed_opcodes (fixture), PARSEC_OPCODE_PSA_SIGN_MESSAGE))
    {
      g_auto(RawResponse) response = { 0 };
      gsize body_len = protobuf_c_message_get_packed_size (sign);
      g_autofree guint8 *body = g_malloc (body_len);
      g_autofree guint8 *request = g_malloc (PARSEC_WIRE_HEADER_LEN + body_len + 5);
      gsize len;

      /* The real Mbed Crypto provider does not implement it. The client
       * would not even send it, as ListOpcodes does not list it. */
      protobuf_c_message_pack (sign, body);
      len = raw_request (request, PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_SIGN_MESSAGE,
                         PARSEC_AUTH_TYPE_DIRECT, body, body_len, "app-a", 5);
      raw_exchange (fixture->service, request, len, &response);
      assert_echoed_header (&response, PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_SIGN_MESSAGE,
                            PARSEC_ERROR_PSA_NOT_SUPPORTED);
      return;
    }

  signed_result = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_SIGN_MESSAGE, psa_sign_message, sign, &error);
  g_assert_no_error (error);
  signature = (PsaSignMessage__Result *) signed_result;

  ((PsaVerifyMessage__Operation *) verify)->key_name = g_strdup ("msg");
  ((PsaVerifyMessage__Operation *) verify)->alg = sig_new (SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256);
  ((PsaVerifyMessage__Operation *) verify)->message = bytes_dup ("hello", 5);
  ((PsaVerifyMessage__Operation *) verify)->signature = bytes_dup (signature->signature.data, signature->signature.len);
  verified = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_VERIFY_MESSAGE, psa_verify_message, verify, &error);
  g_assert_no_error (error);
  g_assert_nonnull (verified);
}

/* Encryption */

static void
test_asymmetric_encryption (Fixture       *fixture,
                            gconstpointer  data)
{
  const int schemes[] = { 0, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256 };

  for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("rsa-crypt-%" G_GSIZE_FORMAT, i);
      g_autoptr(Msg) encrypt = msg_new (&psa_asymmetric_encrypt__operation__descriptor);
      g_autoptr(Msg) decrypt = msg_new (&psa_asymmetric_decrypt__operation__descriptor);
      g_autoptr(ProtobufCMessage) ciphertext = NULL;
      g_autoptr(ProtobufCMessage) plaintext = NULL;
      PsaAsymmetricEncrypt__Result *ct;
      PsaAsymmetricDecrypt__Result *pt;

      g_assert_true (generate_key (fixture->client, name,
                                   attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR, 1024,
                                                   U_ENCRYPT | U_DECRYPT,
                                                   alg_new (PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_ENCRYPTION,
                                                            enc_new (schemes[i]))),
                                   &error));
      g_assert_no_error (error);

      ((PsaAsymmetricEncrypt__Operation *) encrypt)->key_name = g_strdup (name);
      ((PsaAsymmetricEncrypt__Operation *) encrypt)->alg = enc_new (schemes[i]);
      ((PsaAsymmetricEncrypt__Operation *) encrypt)->plaintext = bytes_dup ("secret", 6);
      ciphertext = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_ASYMMETRIC_ENCRYPT, psa_asymmetric_encrypt,
                                encrypt, &error);
      g_assert_no_error (error);
      ct = (PsaAsymmetricEncrypt__Result *) ciphertext;
      g_assert_cmpuint (ct->ciphertext.len, ==, 128);

      ((PsaAsymmetricDecrypt__Operation *) decrypt)->key_name = g_strdup (name);
      ((PsaAsymmetricDecrypt__Operation *) decrypt)->alg = enc_new (schemes[i]);
      ((PsaAsymmetricDecrypt__Operation *) decrypt)->ciphertext = bytes_dup (ct->ciphertext.data, ct->ciphertext.len);
      plaintext = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_ASYMMETRIC_DECRYPT, psa_asymmetric_decrypt,
                               decrypt, &error);
      g_assert_no_error (error);
      pt = (PsaAsymmetricDecrypt__Result *) plaintext;
      g_assert_cmpmem (pt->plaintext.data, pt->plaintext.len, "secret", 6);
    }
}

typedef struct {
  PsaKeyAttributes__KeyType__VariantCase type;
  guint bits;
  int base;
  guint tag_length;
  gsize nonce_length;
} AeadCase;

static void
test_aead (Fixture       *fixture,
           gconstpointer  data)
{
  const AeadCase cases[] = {
    { PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_AES, 128, PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__GCM, 0, 12 },
    { PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_AES, 256, PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__CCM, 0, 13 },
    { PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_AES, 128, PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__CCM, 8, 13 },
    { PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_CHACHA20, 256,
      PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__CHACHA20_POLY1305, 0, 12 },
  };
  const char plaintext[] = "attack at dawn";
  const guint8 nonce[13] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const AeadCase *c = &cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("aead-%" G_GSIZE_FORMAT, i);
      g_autoptr(Msg) encrypt = msg_new (&psa_aead_encrypt__operation__descriptor);
      g_autoptr(Msg) decrypt = msg_new (&psa_aead_decrypt__operation__descriptor);
      g_autoptr(Msg) tampered = msg_new (&psa_aead_decrypt__operation__descriptor);
      g_autoptr(ProtobufCMessage) ciphertext = NULL;
      g_autoptr(ProtobufCMessage) decrypted = NULL;
      g_autoptr(ProtobufCMessage) rejected = NULL;
      PsaAeadEncrypt__Result *ct;
      PsaAeadDecrypt__Result *pt;
      PsaAeadDecrypt__Operation *bad;

      g_assert_true (generate_key (fixture->client, name,
                                   attributes_new (c->type, c->bits, U_ENCRYPT | U_DECRYPT,
                                                   alg_new (PSA_ALGORITHM__ALGORITHM__VARIANT_AEAD,
                                                            aead_new (c->base, c->tag_length))),
                                   &error));
      g_assert_no_error (error);

      ((PsaAeadEncrypt__Operation *) encrypt)->key_name = g_strdup (name);
      ((PsaAeadEncrypt__Operation *) encrypt)->alg = aead_new (c->base, c->tag_length);
      ((PsaAeadEncrypt__Operation *) encrypt)->nonce = bytes_dup (nonce, c->nonce_length);
      ((PsaAeadEncrypt__Operation *) encrypt)->additional_data = bytes_dup ("header", 6);
      ((PsaAeadEncrypt__Operation *) encrypt)->plaintext = bytes_dup (plaintext, strlen (plaintext));
      ciphertext = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, psa_aead_encrypt, encrypt, &error);
      g_assert_no_error (error);
      ct = (PsaAeadEncrypt__Result *) ciphertext;
      g_assert_cmpuint (ct->ciphertext.len, ==, strlen (plaintext) + (c->tag_length != 0 ? c->tag_length : 16));

      ((PsaAeadDecrypt__Operation *) decrypt)->key_name = g_strdup (name);
      ((PsaAeadDecrypt__Operation *) decrypt)->alg = aead_new (c->base, c->tag_length);
      ((PsaAeadDecrypt__Operation *) decrypt)->nonce = bytes_dup (nonce, c->nonce_length);
      ((PsaAeadDecrypt__Operation *) decrypt)->additional_data = bytes_dup ("header", 6);
      ((PsaAeadDecrypt__Operation *) decrypt)->ciphertext = bytes_dup (ct->ciphertext.data, ct->ciphertext.len);
      decrypted = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_AEAD_DECRYPT, psa_aead_decrypt, decrypt, &error);
      g_assert_no_error (error);
      pt = (PsaAeadDecrypt__Result *) decrypted;
      g_assert_cmpmem (pt->plaintext.data, pt->plaintext.len, plaintext, strlen (plaintext));

      bad = (PsaAeadDecrypt__Operation *) tampered;
      bad->key_name = g_strdup (name);
      bad->alg = aead_new (c->base, c->tag_length);
      bad->nonce = bytes_dup (nonce, c->nonce_length);
      bad->additional_data = bytes_dup ("header", 6);
      bad->ciphertext = bytes_dup (ct->ciphertext.data, ct->ciphertext.len);
      bad->ciphertext.data[0] ^= 0x80;
      rejected = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_AEAD_DECRYPT, psa_aead_decrypt, tampered, &error);
      g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
      g_assert_null (rejected);
    }
}

/* Keyless operations */

static void
test_hash (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) expected = sha256 ("abc");
  g_autoptr(Msg) compute = msg_new (&psa_hash_compute__operation__descriptor);
  g_autoptr(Msg) compare = msg_new (&psa_hash_compare__operation__descriptor);
  g_autoptr(Msg) mismatch = msg_new (&psa_hash_compare__operation__descriptor);
  g_autoptr(Msg) none = msg_new (&psa_hash_compute__operation__descriptor);
  g_autoptr(ProtobufCMessage) computed = NULL;
  g_autoptr(ProtobufCMessage) compared = NULL;
  g_autoptr(ProtobufCMessage) failed = NULL;
  PsaHashCompute__Result *hash;

  ((PsaHashCompute__Operation *) compute)->alg = PSA_ALGORITHM__ALGORITHM__HASH__SHA_256;
  ((PsaHashCompute__Operation *) compute)->input = bytes_dup ("abc", 3);
  computed = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_HASH_COMPUTE, psa_hash_compute, compute, &error);
  g_assert_no_error (error);
  hash = (PsaHashCompute__Result *) computed;
  g_assert_cmpmem (hash->hash.data, hash->hash.len, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));

  ((PsaHashCompare__Operation *) compare)->alg = PSA_ALGORITHM__ALGORITHM__HASH__SHA_256;
  ((PsaHashCompare__Operation *) compare)->input = bytes_dup ("abc", 3);
  ((PsaHashCompare__Operation *) compare)->hash = bytes_dup (hash->hash.data, hash->hash.len);
  compared = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_HASH_COMPARE, psa_hash_compare, compare, &error);
  g_assert_no_error (error);

  ((PsaHashCompare__Operation *) mismatch)->alg = PSA_ALGORITHM__ALGORITHM__HASH__SHA_256;
  ((PsaHashCompare__Operation *) mismatch)->input = bytes_dup ("abd", 3);
  ((PsaHashCompare__Operation *) mismatch)->hash = bytes_dup (hash->hash.data, hash->hash.len);
  failed = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_HASH_COMPARE, psa_hash_compare, mismatch, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_SIGNATURE);
  g_clear_error (&error);

  /* HASH_NONE is a placeholder the service's converter refuses. */
  ((PsaHashCompute__Operation *) none)->input = bytes_dup ("abc", 3);
  g_clear_pointer (&failed, _parsec_message_free);
  failed = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_HASH_COMPUTE, psa_hash_compute, none, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENCODING);
}

static void
test_random (Fixture       *fixture,
             gconstpointer  data)
{
  const guint64 sizes[] = { 0, 1, 32, 1000, 1u << 20 };

  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(Msg) op = msg_new (&psa_generate_random__operation__descriptor);
      g_autoptr(ProtobufCMessage) result = NULL;
      g_autoptr(ParsecClient) big = NULL;

      ((PsaGenerateRandom__Operation *) op)->size = sizes[i];
      if (sizes[i] < 1000)
        result = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_GENERATE_RANDOM, psa_generate_random, op, &error);
      else
        {
          /* The default response cap is exactly 1 MiB of body; a 1 MiB
           * random buffer needs a few bytes of framing on top. */
          big = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                                "endpoint", parsec_test_service_get_endpoint (fixture->service),
                                "application-name", "app-a",
                                "max-response-size", 2u << 20,
                                NULL);
          g_assert_no_error (error);
          result = CRYPTO_CALL (big, PARSEC_OPCODE_PSA_GENERATE_RANDOM, psa_generate_random, op, &error);
        }
      g_assert_no_error (error);
      g_assert_cmpuint (((PsaGenerateRandom__Result *) result)->random_bytes.len, ==, sizes[i]);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(Msg) op = msg_new (&psa_generate_random__operation__descriptor);
    g_autoptr(ProtobufCMessage) result = NULL;

    ((PsaGenerateRandom__Operation *) op)->size = (1u << 20) + 1;
    result = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_GENERATE_RANDOM, psa_generate_random, op, &error);
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_RESPONSE_TOO_LARGE);
  }
}

/* Key management */

static void
test_ecdh (Fixture       *fixture,
           gconstpointer  data)
{
  const char *names[] = { "alice", "bob" };
  GBytes *public_keys[2];
  GBytes *secrets[2];

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (generate_key (fixture->client, names[i],
                                   attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR, 256, U_DERIVE,
                                                   alg_new (PSA_ALGORITHM__ALGORITHM__VARIANT_KEY_AGREEMENT, NULL)),
                                   &error));
      g_assert_no_error (error);
      public_keys[i] = export_key (fixture->client, names[i], TRUE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (g_bytes_get_size (public_keys[i]), ==, 65);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(Msg) op = msg_new (&psa_raw_key_agreement__operation__descriptor);
      g_autoptr(ProtobufCMessage) result = NULL;
      PsaRawKeyAgreement__Result *out;
      gsize len;
      gconstpointer peer = g_bytes_get_data (public_keys[1 - i], &len);

      ((PsaRawKeyAgreement__Operation *) op)->alg = PSA_ALGORITHM__ALGORITHM__KEY_AGREEMENT__RAW__ECDH;
      ((PsaRawKeyAgreement__Operation *) op)->private_key_name = g_strdup (names[i]);
      ((PsaRawKeyAgreement__Operation *) op)->peer_key = bytes_dup (peer, len);
      result = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT, psa_raw_key_agreement, op, &error);
      g_assert_no_error (error);
      out = (PsaRawKeyAgreement__Result *) result;
      secrets[i] = g_bytes_new (out->shared_secret.data, out->shared_secret.len);
    }

  g_assert_cmpuint (g_bytes_get_size (secrets[0]), ==, 32);
  g_assert_true (g_bytes_equal (secrets[0], secrets[1]));
  for (guint i = 0; i < 2; i++)
    {
      g_bytes_unref (public_keys[i]);
      g_bytes_unref (secrets[i]);
    }
}

static void
test_import_export (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const guint8 aes[16] = { 0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c };
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GBytes) not_exported = NULL;
  g_autoptr(GBytes) public_key = NULL;

  g_assert_true (import_key (fixture->client, "imported",
                             attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_AES, 0, U_EXPORT | U_ENCRYPT,
                                             alg_new (PSA_ALGORITHM__ALGORITHM__VARIANT_AEAD,
                                                      aead_new (PSA_ALGORITHM__ALGORITHM__AEAD__AEAD_WITH_DEFAULT_LENGTH_TAG__GCM, 0))),
                             aes, sizeof aes, &error));
  g_assert_no_error (error);
  exported = export_key (fixture->client, "imported", FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (g_bytes_get_data (exported, NULL), g_bytes_get_size (exported), aes, sizeof aes);

  /* A symmetric key has no public part. */
  public_key = export_key (fixture->client, "imported", TRUE, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Export is refused by the key's policy. */
  g_assert_true (generate_key (fixture->client, "sealed",
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);
  not_exported = export_key (fixture->client, "sealed", FALSE, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED);
  g_clear_error (&error);
  g_clear_pointer (&public_key, g_bytes_unref);
  public_key = export_key (fixture->client, "sealed", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (public_key), ==, 65);

  /* Bad key data. */
  g_assert_false (import_key (fixture->client, "garbage",
                              attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR, 0, U_SIGN_HASH, NULL),
                              "not a key", 9, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT);
}

/* The test service keeps a file per key under its key directory; another
 * service (PARSEC_TEST_SERVICE_COMMAND) stores them its own way, and only
 * what a client sees of them is checked there. */
static guint count_files (const char *path);

static void
assert_stored_keys (Fixture *fixture,
                    guint    n)
{
  if (parsec_test_service_is_ours ())
    g_assert_cmpuint (count_files (parsec_test_service_get_key_dir (fixture->service)), ==, n);
}

static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint count = 0;

  if (dir == NULL)
    return g_file_test (path, G_FILE_TEST_IS_REGULAR) ? 1 : 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      count += count_files (child);
    }
  return count;
}

static GPtrArray *
list_key_names (ParsecClient  *client,
                GError       **error)
{
  g_autoptr(Msg) op = msg_new (&list_keys__operation__descriptor);
  g_autoptr(ProtobufCMessage) result = call (client, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_KEYS,
                                             &list_keys__result__descriptor, op, error);
  ListKeys__Result *keys = (ListKeys__Result *) result;
  /* Empty rather than NULL on failure: callers check @error, then the
   * length, and a NULL would be theirs to dereference. */
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; keys != NULL && i < keys->n_keys; i++)
    {
      g_assert_cmpuint (keys->keys[i]->provider_id, ==, PARSEC_PROVIDER_MBED_CRYPTO);
      g_assert_nonnull (keys->keys[i]->attributes);
      g_ptr_array_add (names, g_strdup (keys->keys[i]->name));
    }
  return names;
}

static void
test_key_lifecycle (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *long_name = g_strnfill (300, 'k');
  const char *odd_name = "clé / ../ \"quoted\" 🔑";

  g_assert_true (generate_key (fixture->client, odd_name,
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);
  g_assert_true (generate_key (fixture->client, long_name,
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);
  assert_stored_keys (fixture, 2);

  g_assert_false (generate_key (fixture->client, odd_name,
                                ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_ALREADY_EXISTS);
  g_clear_error (&error);

  names = list_key_names (fixture->client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_true (g_ptr_array_find_with_equal_func (names, odd_name, g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (names, long_name, g_str_equal, NULL));

  g_assert_true (destroy_key (fixture->client, odd_name, &error));
  g_assert_no_error (error);
  assert_stored_keys (fixture, 1);
  g_assert_false (destroy_key (fixture->client, odd_name, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);

  g_assert_true (destroy_key (fixture->client, long_name, &error));
  g_assert_no_error (error);
  assert_stored_keys (fixture, 0);
}

static void
test_persistence (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) digest = sha256 ("persist");
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GPtrArray) names = NULL;

  g_assert_true (generate_key (fixture->client, "kept",
                               ecc_attributes (U_SIGN_HASH | U_VERIFY_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256),
                               &error));
  g_assert_no_error (error);
  before = export_key (fixture->client, "kept", TRUE, &error);
  g_assert_no_error (error);
  signature = sign_hash (fixture->client, "kept", sig_new (SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256),
                         g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), &error);
  g_assert_no_error (error);

  g_assert_true (parsec_test_service_restart (fixture->service, &error));
  g_assert_no_error (error);

  names = list_key_names (fixture->client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "kept");
  after = export_key (fixture->client, "kept", TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_true (verify_hash (fixture->client, "kept", sig_new (SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256),
                              g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), signature, &error));
  g_assert_no_error (error);
}

static void
test_isolation (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) other = client_new (fixture, "app-b");
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GBytes) digest = sha256 ("mine");
  g_autoptr(GBytes) signature = NULL;

  g_assert_true (generate_key (fixture->client, "private",
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);

  names = list_key_names (other, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 0);

  signature = sign_hash (other, "private", sig_new (SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256),
                         g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_null (signature);
  g_clear_error (&error);

  g_assert_false (destroy_key (other, "private", &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_clear_error (&error);

  /* app-b may use the same name for a key of its own. */
  g_assert_true (generate_key (other, "private",
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);
  g_clear_pointer (&names, g_ptr_array_unref);
  names = list_key_names (fixture->client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 1);
}

static void
test_policy (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) digest = sha256 ("policy");
  g_autoptr(GBytes) signature = NULL;
  guint8 long_digest[48] = { 0 };

  g_assert_true (generate_key (fixture->client, "verify-only",
                               ecc_attributes (U_VERIFY_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);
  signature = sign_hash (fixture->client, "verify-only", sig_new (SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256),
                         g_bytes_get_data (digest, NULL), g_bytes_get_size (digest), &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED);
  g_clear_error (&error);

  g_assert_true (generate_key (fixture->client, "sha256-only",
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);
  signature = sign_hash (fixture->client, "sha256-only", sig_new (SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_384),
                         long_digest, sizeof long_digest, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_PERMITTED);
  g_clear_error (&error);

  /* Deprecated primitives are refused at generation. */
  g_assert_false (generate_key (fixture->client, "sha1",
                                ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_1), &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_DEPRECATED_PRIMITIVE);
  g_clear_error (&error);
  g_assert_false (generate_key (fixture->client, "des",
                                attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_DES, 64, U_ENCRYPT, NULL), &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_DEPRECATED_PRIMITIVE);
  g_clear_error (&error);

  /* RSA sizes the provider does not offer. */
  g_assert_false (generate_key (fixture->client, "rsa-1000",
                                attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR, 1000, U_SIGN_HASH, NULL),
                                &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT);
}

static guint16
can_do_crypto (Fixture                         *fixture,
               CanDoCrypto__CheckType           check,
               PsaKeyAttributes__KeyAttributes *attributes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Msg) op = msg_new (&can_do_crypto__operation__descriptor);
  g_autoptr(ProtobufCMessage) result = NULL;

  ((CanDoCrypto__Operation *) op)->check_type = check;
  ((CanDoCrypto__Operation *) op)->attributes = attributes;
  result = CRYPTO_CALL (fixture->client, PARSEC_OPCODE_CAN_DO_CRYPTO, can_do_crypto, op, &error);
  if (error != NULL)
    {
      g_assert_true (error->domain == PARSEC_ERROR);
      return error->code;
    }
  return 0;
}

static void
test_can_do_crypto (Fixture       *fixture,
                    gconstpointer  data)
{
  g_assert_cmpuint (can_do_crypto (fixture, CAN_DO_CRYPTO__CHECK_TYPE__GENERATE,
                                   ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256)), ==, 0);
  g_assert_cmpuint (can_do_crypto (fixture, CAN_DO_CRYPTO__CHECK_TYPE__USE,
                                   ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256)), ==, 0);
  /* ECDSA with an RSA key. */
  g_assert_cmpuint (can_do_crypto (fixture, CAN_DO_CRYPTO__CHECK_TYPE__USE,
                                   attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR, 2048, U_SIGN_HASH,
                                                   alg_new (PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE,
                                                            sig_new (SIG_ECDSA, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256)))),
                    ==, PARSEC_ERROR_PSA_NOT_SUPPORTED);
  g_assert_cmpuint (can_do_crypto (fixture, CAN_DO_CRYPTO__CHECK_TYPE__GENERATE,
                                   attributes_new (PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR, 1000, 0, NULL)),
                    ==, PARSEC_ERROR_PSA_NOT_SUPPORTED);
  g_assert_cmpuint (can_do_crypto (fixture, CAN_DO_CRYPTO__CHECK_TYPE__DERIVE,
                                   ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256)),
                    ==, PARSEC_ERROR_PSA_NOT_SUPPORTED);
  g_assert_cmpuint (can_do_crypto (fixture, CAN_DO_CRYPTO__CHECK_TYPE__CHECKTYPE_NONE,
                                   ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256)),
                    ==, PARSEC_ERROR_INVALID_ENCODING);
}

/* Administration */

static void
test_admin (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) admin = client_new (fixture, "admin");
  g_autoptr(ParsecClient) other = client_new (fixture, "app-b");
  g_auto(GStrv) clients = NULL;
  g_auto(GStrv) refused = NULL;
  g_autoptr(GPtrArray) names = NULL;

  g_assert_true (generate_key (fixture->client, "a1",
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_true (generate_key (fixture->client, "a2",
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_true (generate_key (other, "b1",
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);

  clients = parsec_client_list_clients (admin, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (clients), ==, 2);
  g_assert_cmpstr (clients[0], ==, "app-a");
  g_assert_cmpstr (clients[1], ==, "app-b");

  refused = parsec_client_list_clients (fixture->client, NULL, &error);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_ADMIN_OPERATION);
  g_assert_null (refused);
  g_clear_error (&error);
  g_assert_false (parsec_client_delete_client (other, "app-a", NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_ADMIN_OPERATION);
  g_clear_error (&error);

  g_assert_true (parsec_client_delete_client (admin, "app-a", NULL, &error));
  g_assert_no_error (error);
  names = list_key_names (fixture->client, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (names->len, ==, 0);

  /* Like the real service: deleting an unknown client succeeds. */
  g_assert_true (parsec_client_delete_client (admin, "nobody", NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&clients, g_strfreev);
  clients = parsec_client_list_clients (admin, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (clients), ==, 1);
  g_assert_cmpstr (clients[0], ==, "app-b");
}

/* Peer credentials */

static void
test_peer_credentials (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) clients = NULL;
  g_auto(RawResponse) response = { 0 };
  guint8 request[PARSEC_WIRE_HEADER_LEN + 8];
  guint32 uid = geteuid ();
  guint8 wrong[4] = { (uid + 1) & 0xff, ((uid + 1) >> 8) & 0xff, ((uid + 1) >> 16) & 0xff, (uid + 1) >> 24 };
  gsize len;

  g_assert_true (parsec_client_discover (fixture->client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsec_client_get_auth_type (fixture->client), ==, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS);
  g_assert_true (generate_key (fixture->client, "mine",
                               ecc_attributes (U_SIGN_HASH, PSA_ALGORITHM__ALGORITHM__HASH__SHA_256), &error));
  g_assert_no_error (error);

  /* Our user id is an administrator here, and the client name. */
  clients = parsec_client_list_clients (fixture->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (clients), ==, 1);
  g_assert_cmpstr (clients[0], ==, fixture->uid);

  len = raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_KEYS, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS,
                     NULL, 0, wrong, sizeof wrong);
  raw_exchange (fixture->service, request, len, &response);
  assert_echoed_header (&response, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_KEYS, PARSEC_ERROR_AUTHENTICATION_ERROR);
  raw_response_clear (&response);

  len = raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_KEYS, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS,
                     NULL, 0, wrong, 3);
  raw_exchange (fixture->service, request, len, &response);
  assert_echoed_header (&response, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_KEYS, PARSEC_ERROR_AUTHENTICATION_ERROR);
  raw_response_clear (&response);

  /* Direct authentication is not what this service runs. */
  len = raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_KEYS, PARSEC_AUTH_TYPE_DIRECT,
                     NULL, 0, "app-a", 5);
  raw_exchange (fixture->service, request, len, &response);
  assert_echoed_header (&response, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_KEYS,
                        PARSEC_ERROR_AUTHENTICATOR_NOT_REGISTERED);
}

/* Malformed requests */

typedef struct {
  const char *what;
  gsize offset;                  /* byte of the header to overwrite */
  guint8 value;
  guint16 status;
} Spoiler;

static void
test_malformed_header (Fixture       *fixture,
                       gconstpointer  data)
{
  /* Each spoils one field of a well-formed ListProviders request. */
  const Spoiler spoilers[] = {
    { "bad magic", 0, 0x11, PARSEC_ERROR_INVALID_HEADER },
    { "major version 2", 6, 2, PARSEC_ERROR_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED },
    { "minor version 1", 7, 1, PARSEC_ERROR_WIRE_PROTOCOL_VERSION_NOT_SUPPORTED },
    { "reserved1", 34, 1, PARSEC_ERROR_INVALID_HEADER },
    { "reserved2", 35, 0x80, PARSEC_ERROR_INVALID_HEADER },
    { "content type", 19, 1, PARSEC_ERROR_CONTENT_TYPE_NOT_SUPPORTED },
    { "accept type", 20, 1, PARSEC_ERROR_ACCEPT_TYPE_NOT_SUPPORTED },
    { "auth type 5", 21, 5, PARSEC_ERROR_AUTHENTICATOR_DOES_NOT_EXIST },
    { "opcode 0", 28, 0, PARSEC_ERROR_OPCODE_DOES_NOT_EXIST },
    { "MAC compute opcode", 28, PARSEC_OPCODE_PSA_MAC_COMPUTE, PARSEC_ERROR_OPCODE_DOES_NOT_EXIST },
    { "opcode 0x1D", 28, 0x1D, PARSEC_ERROR_OPCODE_DOES_NOT_EXIST },
    { "provider 6", 10, 6, PARSEC_ERROR_PROVIDER_DOES_NOT_EXIST },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (spoilers); i++)
    {
      g_auto(RawResponse) response = { 0 };
      guint8 request[PARSEC_WIRE_HEADER_LEN];

      g_test_message ("%s", spoilers[i].what);
      raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_PROVIDERS, 0, NULL, 0, NULL, 0);
      request[spoilers[i].offset] = spoilers[i].value;
      raw_exchange (fixture->service, request, sizeof request, &response);
      assert_default_header (&response, spoilers[i].status);
    }
}

static void
test_malformed_sizes (Fixture       *fixture,
                      gconstpointer  data)
{
  g_auto(RawResponse) response = { 0 };
  guint8 request[PARSEC_WIRE_HEADER_LEN + 1] = { 0 };

  /* Header size 31: the service reads the 31 bytes, then refuses. */
  raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_PING, 0, NULL, 0, NULL, 0);
  request[4] = 31;
  raw_exchange (fixture->service, request, sizeof request, &response);
  assert_default_header (&response, PARSEC_ERROR_INVALID_HEADER);
  raw_response_clear (&response);

  /* A 2 MiB body is refused before any of it is sent. */
  {
    g_autoptr(GSocket) socket = raw_connect (fixture->service);
    ParsecWireHeader header;

    _parsec_wire_header_init_request (&header, PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_GENERATE_RANDOM, 0,
                                      2u << 20, 0);
    _parsec_wire_header_encode (&header, request);
    g_assert_cmpint (g_socket_send (socket, (const char *) request, PARSEC_WIRE_HEADER_LEN, NULL, NULL), ==,
                     PARSEC_WIRE_HEADER_LEN);
    raw_read_response (socket, &response);
    assert_default_header (&response, PARSEC_ERROR_BODY_SIZE_EXCEEDS_LIMIT);
  }
}

static void
test_malformed_body (Fixture       *fixture,
                     gconstpointer  data)
{
  const guint8 garbage[] = { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x22, 0x33 };
  const guint8 not_utf8[] = { 0x0a, 0x02, 0xc3, 0x28 };       /* DestroyKey key_name = "\xc3\x28" */
  guint8 request[PARSEC_WIRE_HEADER_LEN + 64];
  gsize len;

  {
    g_auto(RawResponse) response = { 0 };

    len = raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_OPCODES, 0, garbage, sizeof garbage, NULL, 0);
    raw_exchange (fixture->service, request, len, &response);
    assert_echoed_header (&response, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_OPCODES,
                          PARSEC_ERROR_DESERIALIZING_BODY_FAILED);
  }
  {
    g_auto(RawResponse) response = { 0 };

    len = raw_request (request, PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_DESTROY_KEY, PARSEC_AUTH_TYPE_DIRECT,
                       not_utf8, sizeof not_utf8, "app-a", 5);
    raw_exchange (fixture->service, request, len, &response);
    assert_echoed_header (&response, PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_DESTROY_KEY,
                          PARSEC_ERROR_DESERIALIZING_BODY_FAILED);
  }
  /* Truncated: the body is announced but never completed; the client
   * hangs up, and the service still says what went wrong. */
  {
    g_auto(RawResponse) response = { 0 };
    g_autoptr(GSocket) socket = raw_connect (fixture->service);

    len = raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_OPCODES, 0, garbage, sizeof garbage, NULL, 0);
    g_socket_send (socket, (const char *) request, len - 3, NULL, NULL);
    g_socket_shutdown (socket, FALSE, TRUE, NULL);
    raw_read_response (socket, &response);
    assert_default_header (&response, PARSEC_ERROR_CONNECTION_ERROR);
  }
}

typedef struct {
  const char *what;
  guint8 provider;
  guint32 opcode;
  gboolean authenticated;
  guint16 status;
  /* A body that decodes, rather than an empty one: the service decodes
   * the body, and refuses what lacks a required message or enum with
   * InvalidEncoding, before it looks for a caller or asks the provider. */
  gboolean with_body;
} RoutingCase;

/* A body of @opcode that the service's converters accept. */
static gsize
routing_body (guint32   opcode,
              guint8  **body)
{
  g_autoptr(Msg) message = NULL;
  gsize len;

  switch (opcode)
    {
    case PARSEC_OPCODE_PSA_CIPHER_ENCRYPT:
      message = msg_new (&psa_cipher_encrypt__operation__descriptor);
      ((PsaCipherEncrypt__Operation *) message)->key_name = g_strdup ("k");
      ((PsaCipherEncrypt__Operation *) message)->alg = PSA_ALGORITHM__ALGORITHM__CIPHER__CTR;
      ((PsaCipherEncrypt__Operation *) message)->plaintext = bytes_dup ("data", 4);
      break;
    case PARSEC_OPCODE_ATTEST_KEY:
      {
        AttestKey__AttestationMechanismParams *params = g_new0 (AttestKey__AttestationMechanismParams, 1);
        AttestKey__AttestationMechanismParams__ActivateCredential *activate =
          g_new0 (AttestKey__AttestationMechanismParams__ActivateCredential, 1);

        attest_key__attestation_mechanism_params__init (params);
        attest_key__attestation_mechanism_params__activate_credential__init (activate);
        params->mechanism_case = ATTEST_KEY__ATTESTATION_MECHANISM_PARAMS__MECHANISM_ACTIVATE_CREDENTIAL;
        params->activate_credential = activate;
        message = msg_new (&attest_key__operation__descriptor);
        ((AttestKey__Operation *) message)->attested_key_name = g_strdup ("k");
        ((AttestKey__Operation *) message)->parameters = params;
      }
      break;
    default:
      g_assert_not_reached ();
    }
  len = protobuf_c_message_get_packed_size (message);
  *body = g_malloc (len);
  protobuf_c_message_pack (message, *body);
  return len;
}

static void
test_routing (Fixture       *fixture,
              gconstpointer  data)
{
  const RoutingCase cases[] = {
    { "core operation to Mbed Crypto", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_LIST_KEYS, TRUE, PARSEC_ERROR_PSA_NOT_SUPPORTED },
    { "admin operation to Mbed Crypto", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_LIST_CLIENTS, TRUE, PARSEC_ERROR_PSA_NOT_SUPPORTED },
    { "crypto operation to core", PARSEC_PROVIDER_CORE, PARSEC_OPCODE_PSA_GENERATE_RANDOM, FALSE, PARSEC_ERROR_PSA_NOT_SUPPORTED },
    { "provider not registered", PARSEC_PROVIDER_TPM, PARSEC_OPCODE_PSA_GENERATE_RANDOM, FALSE, PARSEC_ERROR_PROVIDER_NOT_REGISTERED },
    { "ListKeys without authentication", PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_KEYS, FALSE, PARSEC_ERROR_NOT_AUTHENTICATED },
    { "ListClients without authentication", PARSEC_PROVIDER_CORE, PARSEC_OPCODE_LIST_CLIENTS, FALSE, PARSEC_ERROR_NOT_AUTHENTICATED },
    { "DestroyKey without authentication", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_DESTROY_KEY, FALSE, PARSEC_ERROR_NOT_AUTHENTICATED },
    { "cipher encryption", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_CIPHER_ENCRYPT, TRUE, PARSEC_ERROR_PSA_NOT_SUPPORTED, TRUE },
    { "cipher encryption without algorithm", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_CIPHER_ENCRYPT, TRUE, PARSEC_ERROR_INVALID_ENCODING },
    { "attestation", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_ATTEST_KEY, TRUE, PARSEC_ERROR_PSA_NOT_SUPPORTED, TRUE },
    { "attestation without parameters", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_ATTEST_KEY, TRUE, PARSEC_ERROR_INVALID_ENCODING },
    { "cipher without authentication", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_CIPHER_ENCRYPT, FALSE, PARSEC_ERROR_NOT_AUTHENTICATED, TRUE },
    { "cipher without algorithm or authentication", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_CIPHER_ENCRYPT, FALSE, PARSEC_ERROR_INVALID_ENCODING },
    { "random without authentication", PARSEC_PROVIDER_MBED_CRYPTO, PARSEC_OPCODE_PSA_GENERATE_RANDOM, FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(RawResponse) response = { 0 };
      g_autofree guint8 *body = NULL;
      gsize body_len = cases[i].with_body ? routing_body (cases[i].opcode, &body) : 0;
      g_autofree guint8 *request = g_malloc (PARSEC_WIRE_HEADER_LEN + body_len + 8);
      gsize len;

      g_test_message ("%s", cases[i].what);
      len = raw_request (request, cases[i].provider, cases[i].opcode,
                         cases[i].authenticated ? PARSEC_AUTH_TYPE_DIRECT : PARSEC_AUTH_TYPE_NONE,
                         body, body_len, "app-a", cases[i].authenticated ? 5 : 0);
      raw_exchange (fixture->service, request, len, &response);
      assert_echoed_header (&response, cases[i].provider, cases[i].opcode, cases[i].status);
    }

  /* Authentication types the service does not run, or bad data. */
  {
    g_auto(RawResponse) response = { 0 };
    guint8 request[PARSEC_WIRE_HEADER_LEN + 8];
    gsize len;

    len = raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_PING, PARSEC_AUTH_TYPE_JWT, NULL, 0, "token", 5);
    raw_exchange (fixture->service, request, len, &response);
    assert_echoed_header (&response, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_PING, PARSEC_ERROR_AUTHENTICATOR_NOT_REGISTERED);
    raw_response_clear (&response);

    /* Empty direct authentication fails even for an operation that
     * needs none. */
    len = raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_PING, PARSEC_AUTH_TYPE_DIRECT, NULL, 0, NULL, 0);
    raw_exchange (fixture->service, request, len, &response);
    assert_echoed_header (&response, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_PING, PARSEC_ERROR_AUTHENTICATION_ERROR);
  }
}

static void
test_stalled_client (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(RawResponse) response = { 0 };
  g_autoptr(GSocket) socket = raw_connect (fixture->service);
  guint8 request[PARSEC_WIRE_HEADER_LEN];
  gint64 start;

  raw_request (request, PARSEC_PROVIDER_CORE, PARSEC_OPCODE_PING, 0, NULL, 0, NULL, 0);
  g_socket_send (socket, (const char *) request, 10, NULL, NULL);
  start = g_get_monotonic_time ();
  raw_read_response (socket, &response);

  /* Dropped after the service's 200 ms with ConnectionError, as the
   * service's timed-out read would; never before. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 150 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_TIME_SPAN_SECOND);
  assert_default_header (&response, PARSEC_ERROR_CONNECTION_ERROR);
}

/* Many clients at once */

static void
ping_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  guint *pending = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecProtocolVersion) version = parsec_client_ping_finish (PARSEC_CLIENT (source), result, &error);

  g_assert_no_error (error);
  g_assert_nonnull (version);
  g_assert_cmpuint (version->major, ==, 1);
  (*pending)--;
}

static void
test_concurrency (Fixture       *fixture,
                  gconstpointer  data)
{
  guint pending = 256;

  for (guint i = 0; i < 256; i++)
    parsec_client_ping_async (fixture->client, NULL, ping_done, &pending);
  while (pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  TEST ("discovery", &direct_config, test_discovery);
  TEST ("sign/ecdsa", &direct_config, test_sign_ecdsa);
  TEST ("sign/ecdsa-any-hash", &direct_config, test_sign_ecdsa_any_hash);
  TEST ("sign/rsa", &direct_config, test_sign_rsa);
  TEST ("sign/message-unsupported", &direct_config, test_sign_message);
  TEST ("sign/message", &sign_message_config, test_sign_message);
  TEST ("encrypt/asymmetric", &direct_config, test_asymmetric_encryption);
  TEST ("encrypt/aead", &direct_config, test_aead);
  TEST ("hash", &direct_config, test_hash);
  TEST ("random", &direct_config, test_random);
  TEST ("keys/ecdh", &direct_config, test_ecdh);
  TEST ("keys/import-export", &direct_config, test_import_export);
  TEST ("keys/lifecycle", &direct_config, test_key_lifecycle);
  TEST ("keys/persistence", &direct_config, test_persistence);
  TEST ("keys/isolation", &direct_config, test_isolation);
  TEST ("keys/policy", &direct_config, test_policy);
  TEST ("keys/can-do-crypto", &direct_config, test_can_do_crypto);
  TEST ("admin", &direct_config, test_admin);
  TEST ("peer-credentials", &peer_config, test_peer_credentials);
  TEST ("malformed/header", &direct_config, test_malformed_header);
  TEST ("malformed/sizes", &direct_config, test_malformed_sizes);
  TEST ("malformed/body", &direct_config, test_malformed_body);
  TEST ("malformed/routing", &direct_config, test_routing);
  TEST ("malformed/stalled-client", &direct_config, test_stalled_client);
  TEST ("concurrency", &direct_config, test_concurrency);

  return g_test_run ();
}
