/* gen-corpus.c: writes the seed corpus of the fuzz targets
 *
 * Usage: gen-corpus DIRECTORY (tests/fuzz/corpus). Writes, for each
 * target, well-formed inputs for every operation and a few mutations of
 * them; the output is the same on every run. Inputs the fuzzers found
 * interesting are kept beside these, under other names.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "fuzz-common.h"
#include "parsec-client-private.h"
#include "parsec-psa-private.h"
#include "parsec-wire-private.h"

#include "psa_algorithm.pb-c.h"
#include "psa_key_attributes.pb-c.h"

static const char *root;

static void
put (const char   *target,
     const char   *name,
     GByteArray   *input)
{
  g_autofree char *dir = g_build_filename (root, target, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  if (!g_file_set_contents (path, (const char *) input->data, input->len, &error))
    g_error ("%s", error->message);
}

static GByteArray *
input_new (const guint8 *prefix,
           gsize         prefix_len,
           GBytes       *rest)
{
  GByteArray *input = g_byte_array_new ();

  g_byte_array_append (input, prefix, prefix_len);
  if (rest != NULL)
    g_byte_array_append (input, g_bytes_get_data (rest, NULL), g_bytes_get_size (rest));
  return input;
}

static void
put_u32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

static GBytes *
pack (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *buf = g_malloc (len + 1);

  protobuf_c_message_pack (message, buf);
  return g_bytes_new_take (buf, len);
}

/* fuzz-response-header: expected opcode, limit, header */

static void
header_seed (const char       *name,
             guint32           expected,
             guint32           limit,
             ParsecWireHeader *header,
             gsize             len)
{
  guint8 buf[8 + PARSEC_WIRE_HEADER_LEN];
  g_autoptr(GByteArray) input = NULL;

  put_u32 (buf, expected);
  put_u32 (buf + 4, limit);
  _parsec_wire_header_encode (header, buf + 8);
  input = input_new (buf, 8 + MIN (len, (gsize) PARSEC_WIRE_HEADER_LEN), NULL);
  put ("fuzz-response-header", name, input);
}

static void
gen_response_header (void)
{
  ParsecWireHeader h;
  const guint32 limit = 1u << 20;

  for (gsize i = 0; i < fuzz_n_ops; i++)
    {
      g_autofree char *name = g_strdup_printf ("valid-%s", fuzz_ops[i].name);

      _parsec_wire_header_init_request (&h, 1, fuzz_ops[i].opcode, 0, 2, 0);
      header_seed (name, fuzz_ops[i].opcode, limit, &h, PARSEC_WIRE_HEADER_LEN);
    }

  _parsec_wire_header_init_request (&h, 0, PARSEC_OPCODE_PING, 0, 0, 0);
  h.status = PARSEC_ERROR_PSA_DOES_NOT_EXIST;
  header_seed ("status-default-header", PARSEC_OPCODE_LIST_KEYS, limit, &h, PARSEC_WIRE_HEADER_LEN);
  h.status = 0xffff;
  header_seed ("status-unknown", PARSEC_OPCODE_LIST_KEYS, limit, &h, PARSEC_WIRE_HEADER_LEN);

  _parsec_wire_header_init_request (&h, 0, PARSEC_OPCODE_PING, 0, 0, 0);
  header_seed ("wrong-opcode", PARSEC_OPCODE_LIST_KEYS, limit, &h, PARSEC_WIRE_HEADER_LEN);
  h.magic = 0x10a7c05e;
  header_seed ("wrong-magic", PARSEC_OPCODE_PING, limit, &h, PARSEC_WIRE_HEADER_LEN);
  header_seed ("wrong-magic-short", PARSEC_OPCODE_PING, limit, &h, 5);
  h.magic = PARSEC_WIRE_MAGIC;
  h.header_size = 31;
  header_seed ("wrong-size", PARSEC_OPCODE_PING, limit, &h, PARSEC_WIRE_HEADER_LEN);
  h.header_size = PARSEC_WIRE_HEADER_SIZE_FIELD;
  h.version_minor = 1;
  header_seed ("wrong-version", PARSEC_OPCODE_PING, limit, &h, PARSEC_WIRE_HEADER_LEN);
  h.version_minor = 0;
  h.reserved2 = 1;
  header_seed ("reserved", PARSEC_OPCODE_PING, limit, &h, PARSEC_WIRE_HEADER_LEN);
  h.reserved2 = 0;
  h.body_len = G_MAXUINT32;
  header_seed ("huge-body", PARSEC_OPCODE_PING, limit, &h, PARSEC_WIRE_HEADER_LEN);
  h.body_len = limit;
  header_seed ("body-at-limit", PARSEC_OPCODE_PING, limit, &h, PARSEC_WIRE_HEADER_LEN);
  header_seed ("truncated", PARSEC_OPCODE_PING, limit, &h, 20);
}

/* fuzz-result-*: selector, body */

static void
result_seed (const char   *target,
             const char   *name,
             guint8        selector,
             GBytes       *body)
{
  g_autoptr(GByteArray) input = input_new (&selector, 1, body);

  put (target, name, input);
}

static void
gen_results (GRand *rand)
{
  static const struct {
    FuzzFamily family;
    const char *target;
  } families[] = {
    { FUZZ_FAMILY_CORE, "fuzz-result-core" },
    { FUZZ_FAMILY_KEYS, "fuzz-result-keys" },
    { FUZZ_FAMILY_CRYPTO, "fuzz-result-crypto" },
    { FUZZ_FAMILY_ATTESTATION, "fuzz-result-attestation" },
  };

  for (gsize f = 0; f < G_N_ELEMENTS (families); f++)
    {
      g_autoptr(GPtrArray) ops = fuzz_ops_of_family (families[f].family);

      for (guint i = 0; i < ops->len; i++)
        {
          const FuzzOp *op = g_ptr_array_index (ops, i);

          for (guint n = 0; n < 2; n++)
            {
              g_autoptr(GBytes) body = fuzz_random_body (op->result, rand);
              g_autofree char *name = g_strdup_printf ("%s-%u", op->name, n);

              result_seed (families[f].target, name, i, body);
            }
        }
    }

  /* The keys target's own selectors: attributes, then algorithms. */
  {
    g_autoptr(GPtrArray) ops = fuzz_ops_of_family (FUZZ_FAMILY_KEYS);
    g_autoptr(ParsecAlgorithm) hkdf = parsec_algorithm_new_key_derivation (PARSEC_KEY_DERIVATION_HKDF, PARSEC_HASH_SHA_256);
    g_autoptr(ParsecAlgorithm) hmac = parsec_algorithm_new_hmac (PARSEC_HASH_SHA_384);
    ParsecKeyAttributes *attributes[] = {
      parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_ANY),
      parsec_key_attributes_new_rsa_encryption (2048, parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256)),
      parsec_key_attributes_new_ecdh (PARSEC_ECC_FAMILY_MONTGOMERY, 255),
    };
    ParsecAlgorithm *algorithms[] = {
      parsec_algorithm_new_none (),
      parsec_algorithm_new_hash (PARSEC_HASH_SHA3_512),
      parsec_algorithm_new_truncated_mac (hmac, 16),
      parsec_algorithm_new_cmac (),
      parsec_algorithm_new_cipher (PARSEC_CIPHER_CTR),
      parsec_algorithm_new_aead_shortened_tag (PARSEC_AEAD_CCM, 8),
      parsec_algorithm_new_rsa_pss (PARSEC_HASH_ANY),
      parsec_algorithm_new_signature (PARSEC_SIGNATURE_SCHEME_ECDSA_ANY, PARSEC_HASH_NONE),
      parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_512),
      parsec_algorithm_new_key_agreement (PARSEC_KEY_AGREEMENT_FFDH),
      parsec_algorithm_new_key_agreement_with_derivation (PARSEC_KEY_AGREEMENT_ECDH, hkdf),
      parsec_algorithm_new_key_derivation (PARSEC_KEY_DERIVATION_TLS12_PRF, PARSEC_HASH_SHA_384),
    };

    for (gsize i = 0; i < G_N_ELEMENTS (attributes); i++)
      {
        g_autoptr(ProtobufCMessage) message = _parsec_key_attributes_to_message (attributes[i]);
        g_autoptr(GBytes) body = pack (message);
        g_autofree char *name = g_strdup_printf ("attributes-%" G_GSIZE_FORMAT, i);

        result_seed ("fuzz-result-keys", name, ops->len, body);
        parsec_key_attributes_unref (attributes[i]);
      }
    for (gsize i = 0; i < G_N_ELEMENTS (algorithms); i++)
      {
        g_autoptr(ProtobufCMessage) message = _parsec_algorithm_to_message (algorithms[i]);
        g_autoptr(GBytes) body = pack (message);
        g_autofree char *name = g_strdup_printf ("algorithm-%02" G_GSIZE_FORMAT, i);

        result_seed ("fuzz-result-keys", name, ops->len + 1, body);
        parsec_algorithm_unref (algorithms[i]);
      }
  }
}

/* fuzz-client: operation, whole response */

static void
client_seed (const char *name,
             guint8      selector,
             GBytes     *response)
{
  g_autoptr(GByteArray) input = input_new (&selector, 1, response);

  put ("fuzz-client", name, input);
}

static void
gen_client (GRand *rand)
{
  for (gsize i = 0; i < fuzz_n_ops; i++)
    {
      const FuzzOp *op = &fuzz_ops[i];
      g_autoptr(GBytes) body = fuzz_random_body (op->result, rand);
      g_autoptr(GBytes) valid = fuzz_response_new (op->opcode, 0, g_bytes_get_data (body, NULL),
                                                   g_bytes_get_size (body));
      g_autoptr(GBytes) status = fuzz_response_new (op->opcode, PARSEC_ERROR_PSA_NOT_PERMITTED, NULL, 0);
      g_autofree char *valid_name = g_strdup_printf ("%s-valid", op->name);
      g_autofree char *all_name = g_strdup_printf ("%s-all", op->name);
      g_autofree char *status_name = g_strdup_printf ("%s-status", op->name);

      client_seed (valid_name, i, valid);
      /* Every request gets it, ListOpcodes and key lookups too. */
      client_seed (all_name, i | 0x80, valid);
      client_seed (status_name, i, status);
    }

  /* A few lies that need the whole client path. */
  {
    g_autoptr(GBytes) keys = fuzz_canned_list_keys ();
    g_autoptr(GBytes) valid = fuzz_response_new (PARSEC_OPCODE_LIST_KEYS, 0, g_bytes_get_data (keys, NULL),
                                                 g_bytes_get_size (keys));
    gsize len = g_bytes_get_size (valid);
    g_autoptr(GByteArray) lie = g_byte_array_new ();
    guint8 selector = 0;

    for (gsize i = 0; i < fuzz_n_ops; i++)
      if (g_str_equal (fuzz_ops[i].name, "list_keys"))
        selector = i;

    g_byte_array_append (lie, g_bytes_get_data (valid, NULL), len);
    client_seed ("list_keys-canned", selector, valid);
    /* The body is one byte short of the declared length. */
    {
      g_autoptr(GBytes) cut = g_bytes_new_from_bytes (valid, 0, len - 1);

      client_seed ("list_keys-short", selector, cut);
    }
    /* The header alone, announcing a body at the limit. */
    put_u32 (lie->data + 22, 1u << 20);
    g_byte_array_set_size (lie, PARSEC_WIRE_HEADER_LEN);
    {
      g_autoptr(GBytes) header = g_byte_array_free_to_bytes (g_steal_pointer (&lie));

      client_seed ("list_keys-header-only", selector, header);
    }
  }
}

/* fuzz-formats */

static void
formats_seed (const char   *name,
              const guint8 *data,
              gsize         len)
{
  g_autoptr(GByteArray) input = g_byte_array_new ();

  g_byte_array_append (input, data, len);
  put ("fuzz-formats", name, input);
}

static void
gen_formats (void)
{
  /* P-256: a DER signature with a negative-looking r, then the r ‖ s. */
  guint8 der[3 + 2 + 2 + 33 + 2 + 32] = { 0, 0xff, 0x00, 0x30, 2 + 33 + 2 + 32, 0x02, 33, 0x00, 0x80 };
  guint8 raw[1 + 64] = { 1, 0x80 };
  guint8 point[65] = { 0x04, 1, 2, 3 };
  guint8 spki[1 + 5 + sizeof point] = { 2 };

  der[3 + 2 + 2 + 33] = 0x02;
  der[3 + 2 + 2 + 33 + 1] = 32;
  der[3 + 2 + 2 + 33 + 2] = 0x7f;
  formats_seed ("from-der-p256", der, sizeof der);
  raw[33] = 1;
  formats_seed ("to-der-p256", raw, sizeof raw);

  /* ECC key pair, SECP_R1, 256 bits, as DER and as PEM. */
  memcpy (spki + 6, point, sizeof point);
  spki[1] = PARSEC_KEY_TYPE_ECC_KEY_PAIR;
  spki[2] = PARSEC_ECC_FAMILY_SECP_R1;
  spki[3] = 0x00;
  spki[4] = 0x01;
  spki[5] = PARSEC_PUBLIC_KEY_FORMAT_DER;
  formats_seed ("convert-p256-der", spki, sizeof spki);
  spki[5] = PARSEC_PUBLIC_KEY_FORMAT_PEM;
  formats_seed ("convert-p256-pem", spki, sizeof spki);
  spki[1] = PARSEC_KEY_TYPE_RSA_PUBLIC_KEY;
  formats_seed ("convert-rsa-pem", spki, sizeof spki);
  spki[1] = PARSEC_KEY_TYPE_ECC_PUBLIC_KEY;
  spki[2] = PARSEC_ECC_FAMILY_MONTGOMERY;
  spki[3] = 255;
  spki[4] = 0;
  spki[5] = PARSEC_PUBLIC_KEY_FORMAT_DER;
  formats_seed ("convert-x25519-der", spki, 6 + 32);

  /* The attributes as the service sends them. */
  {
    g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecc_signing (384, PARSEC_HASH_SHA_384);
    g_autoptr(ProtobufCMessage) message = _parsec_key_attributes_to_message (attributes);
    g_autoptr(GBytes) packed = pack (message);
    g_autoptr(GByteArray) input = g_byte_array_new ();
    guint8 head[3] = { 3, PARSEC_PUBLIC_KEY_FORMAT_PEM, (guint8) g_bytes_get_size (packed) };

    g_byte_array_append (input, head, sizeof head);
    g_byte_array_append (input, g_bytes_get_data (packed, NULL), g_bytes_get_size (packed));
    g_byte_array_append (input, point, sizeof point);
    put ("fuzz-formats", "convert-message-p384-pem", input);
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240501);

  if (argc != 2)
    {
      fprintf (stderr, "Usage: %s CORPUS-DIRECTORY\n", argv[0]);
      return EXIT_FAILURE;
    }
  root = argv[1];

  gen_response_header ();
  gen_results (rand);
  gen_client (rand);
  gen_formats ();
  return EXIT_SUCCESS;
}
