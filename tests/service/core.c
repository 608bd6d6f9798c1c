/* core.c: the core provider, discovery and administration
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "parsec-secure-private.h"
#include "test-service.h"

#include "delete_client.pb-c.h"
#include "list_authenticators.pb-c.h"
#include "list_clients.pb-c.h"
#include "list_keys.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"
#include "ping.pb-c.h"

/* The version the core provider reports: the service release whose
 * behaviour this program follows. */
#define SERVICE_VERSION_MAJ 1
#define SERVICE_VERSION_MIN 5
#define SERVICE_VERSION_REV 0

/* Everything hung on a result is freed by protobuf-c with the secure
 * allocator, so it has to come from there. */
static char *
result_strdup (const char *text)
{
  gsize len = strlen (text) + 1;
  char *copy = secure_alloc (len);

  memcpy (copy, text, len);
  return copy;
}

static gpointer
result_message_new (const ProtobufCMessageDescriptor *descriptor)
{
  ProtobufCMessage *message = secure_alloc (descriptor->sizeof_message);

  protobuf_c_message_init (descriptor, message);
  return message;
}

guint16
core_ping (const Caller           *caller,
           const ProtobufCMessage *operation,
           ProtobufCMessage       *result)
{
  Ping__Result *out = (Ping__Result *) result;

  out->wire_protocol_version_maj = 1;
  out->wire_protocol_version_min = 0;
  return STATUS_SUCCESS;
}

static ListProviders__ProviderInfo *
provider_info_new (const char *uuid,
                   const char *description,
                   const char *vendor,
                   guint       maj,
                   guint       min,
                   guint       rev,
                   guint       id)
{
  ListProviders__ProviderInfo *info = result_message_new (&list_providers__provider_info__descriptor);

  info->uuid = result_strdup (uuid);
  info->description = result_strdup (description);
  info->vendor = result_strdup (vendor);
  info->version_maj = maj;
  info->version_min = min;
  info->version_rev = rev;
  info->id = id;
  return info;
}

guint16
core_list_providers (const Caller           *caller,
                     const ProtobufCMessage *operation,
                     ProtobufCMessage       *result)
{
  ListProviders__Result *out = (ListProviders__Result *) result;

  /* Configured providers in order, then the core provider last. */
  out->n_providers = 2;
  out->providers = secure_alloc (2 * sizeof *out->providers);
  if (caller->service->provider == PROVIDER_TPM)
    out->providers[0] =
      provider_info_new ("1e4954a4-ff21-46d3-ab0c-661eeb667e1d",
                         "TPM provider, interfacing with a library implementing the TCG TSS 2.0 Enhanced System API specification.",
                         "Trusted Computing Group (TCG)", 0, 1, 0, PROVIDER_TPM);
  else
    out->providers[0] =
      provider_info_new ("1c1139dc-ad7c-47dc-ad6b-db6fdb466552",
                         "User space software provider, based on Mbed Crypto - the reference implementation of the PSA crypto API",
                         "Arm", 0, 1, 0, PROVIDER_MBED_CRYPTO);
  out->providers[1] =
    provider_info_new ("47049873-2a43-4845-9d72-831eab668784",
                       "Software provider that implements only administrative (i.e. no cryptographic) operations",
                       "", SERVICE_VERSION_MAJ, SERVICE_VERSION_MIN, SERVICE_VERSION_REV, PROVIDER_CORE);
  return STATUS_SUCCESS;
}

guint16
core_list_opcodes (const Caller           *caller,
                   const ProtobufCMessage *operation,
                   ProtobufCMessage       *result)
{
  const ListOpcodes__Operation *in = (const ListOpcodes__Operation *) operation;
  ListOpcodes__Result *out = (ListOpcodes__Result *) result;
  g_autoptr(GArray) opcodes = NULL;

  /* The service narrows the field to a provider id first. */
  if (in->provider_id > G_MAXUINT8)
    return STATUS_INVALID_ENCODING;
  if (in->provider_id > PROVIDER_ID_MAX)
    return STATUS_PROVIDER_DOES_NOT_EXIST;
  if (in->provider_id != PROVIDER_CORE && in->provider_id != caller->service->provider)
    return STATUS_PROVIDER_NOT_REGISTERED;

  opcodes = service_list_opcodes (caller->service, in->provider_id);
  out->n_opcodes = opcodes->len;
  out->opcodes = secure_alloc (opcodes->len * sizeof (uint32_t));
  memcpy (out->opcodes, opcodes->data, opcodes->len * sizeof (uint32_t));
  return STATUS_SUCCESS;
}

guint16
core_list_authenticators (const Caller           *caller,
                          const ProtobufCMessage *operation,
                          ProtobufCMessage       *result)
{
  ListAuthenticators__Result *out = (ListAuthenticators__Result *) result;
  ListAuthenticators__AuthenticatorInfo *info =
    result_message_new (&list_authenticators__authenticator_info__descriptor);

  if (caller->service->auth_type == AUTH_DIRECT)
    info->description = result_strdup ("Direct authenticator: the application states its own name; "
                                       "only for deployments where every client is trusted");
  else
    info->description = result_strdup ("Unix peer credentials authenticator: the user id stated in the request "
                                       "must match the one the kernel reports for the connection");
  info->version_maj = 0;
  info->version_min = 1;
  info->version_rev = 0;
  info->id = caller->service->auth_type;

  out->n_authenticators = 1;
  out->authenticators = secure_alloc (sizeof *out->authenticators);
  out->authenticators[0] = info;
  return STATUS_SUCCESS;
}

guint16
core_list_keys (const Caller           *caller,
                const ProtobufCMessage *operation,
                ProtobufCMessage       *result)
{
  ListKeys__Result *out = (ListKeys__Result *) result;
  g_autoptr(GPtrArray) keys = keystore_list_keys (caller->service->keys, caller->app);

  out->n_keys = keys->len;
  out->keys = secure_alloc (keys->len * sizeof *out->keys);
  for (guint i = 0; i < keys->len; i++)
    {
      StoredKey *key = g_ptr_array_index (keys, i);
      ListKeys__KeyInfo *info = result_message_new (&list_keys__key_info__descriptor);

      info->provider_id = caller->service->provider;
      info->name = result_strdup (key->name);
      /* Unpacked with the same allocator, so the result can own it. */
      info->attributes = g_steal_pointer (&key->attributes);
      out->keys[i] = info;
    }
  return STATUS_SUCCESS;
}

guint16
core_list_clients (const Caller           *caller,
                   const ProtobufCMessage *operation,
                   ProtobufCMessage       *result)
{
  ListClients__Result *out = (ListClients__Result *) result;
  g_auto(GStrv) clients = keystore_list_clients (caller->service->keys);
  guint n = g_strv_length (clients);

  out->n_clients = n;
  out->clients = secure_alloc (n * sizeof *out->clients);
  for (guint i = 0; i < n; i++)
    out->clients[i] = result_strdup (clients[i]);
  return STATUS_SUCCESS;
}

guint16
core_delete_client (const Caller           *caller,
                    const ProtobufCMessage *operation,
                    ProtobufCMessage       *result)
{
  const DeleteClient__Operation *in = (const DeleteClient__Operation *) operation;

  /* A client without keys is deleted already: success. */
  return keystore_delete_client (caller->service->keys, in->client);
}
