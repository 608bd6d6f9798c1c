/* p11-mechanisms.c: the mechanisms a slot offers, from what its provider
 * answers to ListOpcodes
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each mechanism needs one operation of the service; a provider that
 * does not list it (the TPM provider lists no hashing, AEAD or key
 * agreement) gets no such mechanism in C_GetMechanismList, and
 * C_GetMechanismInfo calls it invalid. The key-pair mechanisms come from
 * p11-crypto.c's table; the ones on secret keys, digests and ECDH are
 * here.
 */
#include "config.h"

#include "p11-private.h"

#define EC_FLAGS (CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS)

typedef struct {
  CK_MECHANISM_TYPE type;
  ParsecOpcode opcode;
  CK_ULONG min_key_size;
  CK_ULONG max_key_size;
  CK_FLAGS flags;
} Offer;

/* Key sizes as PKCS #11 gives them: bytes for secret keys, bits for
 * elliptic curves. Digests are computed in the module (p11-digest.c),
 * so they have no CKF_HW. */
static const Offer offers[] = {
  { CKM_SHA_1, PARSEC_OPCODE_PSA_HASH_COMPUTE, 0, 0, CKF_DIGEST },
  { CKM_SHA224, PARSEC_OPCODE_PSA_HASH_COMPUTE, 0, 0, CKF_DIGEST },
  { CKM_SHA256, PARSEC_OPCODE_PSA_HASH_COMPUTE, 0, 0, CKF_DIGEST },
  { CKM_SHA384, PARSEC_OPCODE_PSA_HASH_COMPUTE, 0, 0, CKF_DIGEST },
  { CKM_SHA512, PARSEC_OPCODE_PSA_HASH_COMPUTE, 0, 0, CKF_DIGEST },
  { CKM_AES_KEY_GEN, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, 16, 32, CKF_HW | CKF_GENERATE },
  { CKM_AES_GCM, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, 16, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT },
  { CKM_AES_CCM, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, 16, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT },
  { CKM_CHACHA20_KEY_GEN, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, 32, 32, CKF_HW | CKF_GENERATE },
  { CKM_CHACHA20_POLY1305, PARSEC_OPCODE_PSA_AEAD_ENCRYPT, 32, 32, CKF_HW | CKF_ENCRYPT | CKF_DECRYPT },
  { CKM_ECDH1_DERIVE, PARSEC_OPCODE_PSA_RAW_KEY_AGREEMENT, 256, 521, CKF_HW | CKF_DERIVE | EC_FLAGS },
};

GArray *
p11_opcodes_fetch (ParsecClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  ParsecProvider provider = parsec_client_get_provider (client);
  GArray *opcodes = NULL;

  /* The provider of a client left to choose is known once the service
   * has listed its providers. */
  if (provider == PARSEC_PROVIDER_AUTO)
    {
      providers = parsec_client_list_providers (client, NULL, &error);
      provider = parsec_client_get_implicit_provider (client);
    }
  if (error == NULL)
    opcodes = parsec_client_list_opcodes (client, provider, NULL, &error);
  /* Until the service answers, nothing that needs it is offered. */
  if (opcodes == NULL)
    g_debug ("Cannot list the provider's operations: %s", error->message);
  return opcodes;
}

gboolean
p11_slot_has_opcode (P11Slot      *slot,
                     ParsecOpcode  opcode)
{
  if (slot->opcodes == NULL)
    return FALSE;
  for (guint i = 0; i < slot->opcodes->len; i++)
    if (g_array_index (slot->opcodes, guint32, i) == (guint32) opcode)
      return TRUE;
  return FALSE;
}

static const Offer *
offer_find (CK_MECHANISM_TYPE type)
{
  for (gsize i = 0; i < G_N_ELEMENTS (offers); i++)
    if (offers[i].type == type)
      return &offers[i];
  return NULL;
}

/* The operation a key-pair mechanism needs, by what it does. */
static ParsecOpcode
key_pair_opcode (CK_FLAGS flags)
{
  if (flags & CKF_GENERATE_KEY_PAIR)
    return PARSEC_OPCODE_PSA_GENERATE_KEY;
  if (flags & CKF_SIGN)
    return PARSEC_OPCODE_PSA_SIGN_HASH;
  return PARSEC_OPCODE_PSA_ASYMMETRIC_ENCRYPT;
}

CK_RV
p11_slot_mechanism_info (P11Slot           *slot,
                         CK_MECHANISM_TYPE  type,
                         CK_MECHANISM_INFO *info)
{
  const Offer *offer = offer_find (type);
  CK_RV rv;

  if (offer != NULL)
    {
      if (!p11_slot_has_opcode (slot, offer->opcode) ||
          ((offer->flags & CKF_GENERATE) && !p11_slot_has_opcode (slot, PARSEC_OPCODE_PSA_GENERATE_KEY)))
        return CKR_MECHANISM_INVALID;
      info->ulMinKeySize = offer->min_key_size;
      info->ulMaxKeySize = offer->max_key_size;
      info->flags = offer->flags;
      return CKR_OK;
    }
  rv = p11_mechanism_info (type, info);
  if (rv != CKR_OK)
    return rv;
  if (!p11_slot_has_opcode (slot, key_pair_opcode (info->flags)))
    return CKR_MECHANISM_INVALID;
  return CKR_OK;
}

CK_RV
p11_slot_mechanism_list (P11Slot           *slot,
                         CK_MECHANISM_TYPE *list,
                         CK_ULONG          *count)
{
  g_autoptr(GArray) offered = g_array_new (FALSE, FALSE, sizeof (CK_MECHANISM_TYPE));
  g_autofree CK_MECHANISM_TYPE *key_pair = NULL;
  CK_ULONG n_key_pair = 0;
  CK_MECHANISM_INFO info;
  CK_RV rv;

  p11_mechanism_list (NULL, &n_key_pair);
  key_pair = g_new (CK_MECHANISM_TYPE, n_key_pair);
  p11_mechanism_list (key_pair, &n_key_pair);
  for (CK_ULONG i = 0; i < n_key_pair; i++)
    if (p11_slot_mechanism_info (slot, key_pair[i], &info) == CKR_OK)
      g_array_append_val (offered, key_pair[i]);
  for (gsize i = 0; i < G_N_ELEMENTS (offers); i++)
    if (p11_slot_mechanism_info (slot, offers[i].type, &info) == CKR_OK)
      g_array_append_val (offered, offers[i].type);

  if (!p11_output_fits (list, count, offered->len, &rv))
    return rv;
  for (guint i = 0; i < offered->len; i++)
    list[i] = g_array_index (offered, CK_MECHANISM_TYPE, i);
  *count = offered->len;
  return CKR_OK;
}
