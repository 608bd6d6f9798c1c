/* p11-test-token.c: a token of a test's own on a service of its own
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "p11-test-token.h"

void
p11_test_token_open (P11TestToken *token,
                     const char   *app_name)
{
  g_autoptr(GError) error = NULL;
  CK_SLOT_ID slots[4];
  CK_ULONG n = G_N_ELEMENTS (slots);

  token->service = parsec_test_service_start (NULL, NULL, &error);
  g_assert_no_error (error);
  token->store_dir = g_dir_make_tmp ("parsec-pkcs11-store-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("PARSEC_SERVICE_ENDPOINT", parsec_test_service_get_endpoint (token->service), TRUE);
  g_setenv ("PARSEC_PKCS11_APPLICATION_NAME", app_name, TRUE);
  g_setenv ("PARSEC_PKCS11_STORE_DIR", token->store_dir, TRUE);
  token->client = parsec_client_new_sync (app_name, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, slots, &n), ==, CKR_OK);
  g_assert_cmpuint (n, ==, 1);
  token->slot = slots[0];
  g_assert_cmpuint (p11->C_OpenSession (token->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                        &token->session),
                    ==, CKR_OK);
}

void
p11_test_token_close (P11TestToken *token)
{
  p11->C_Finalize (NULL);
  g_clear_object (&token->client);
  g_clear_pointer (&token->service, parsec_test_service_free);
  parsec_test_remove_tree (token->store_dir);
  g_clear_pointer (&token->store_dir, g_free);
}

GBytes *
get_attribute (P11TestToken      *token,
               CK_OBJECT_HANDLE   object,
               CK_ATTRIBUTE_TYPE  type)
{
  CK_ATTRIBUTE attribute = { type, NULL, 0 };
  guint8 *value;

  g_assert_cmpuint (p11->C_GetAttributeValue (token->session, object, &attribute, 1), ==, CKR_OK);
  value = g_malloc (attribute.ulValueLen + 1);
  attribute.pValue = value;
  g_assert_cmpuint (p11->C_GetAttributeValue (token->session, object, &attribute, 1), ==, CKR_OK);
  return g_bytes_new_take (value, attribute.ulValueLen);
}

CK_ULONG
get_ulong (P11TestToken      *token,
           CK_OBJECT_HANDLE   object,
           CK_ATTRIBUTE_TYPE  type)
{
  g_autoptr(GBytes) value = get_attribute (token, object, type);

  g_assert_cmpuint (g_bytes_get_size (value), ==, sizeof (CK_ULONG));
  return *(const CK_ULONG *) g_bytes_get_data (value, NULL);
}

gboolean
get_bool (P11TestToken      *token,
          CK_OBJECT_HANDLE   object,
          CK_ATTRIBUTE_TYPE  type)
{
  g_autoptr(GBytes) value = get_attribute (token, object, type);

  g_assert_cmpuint (g_bytes_get_size (value), ==, sizeof (CK_BBOOL));
  return *(const CK_BBOOL *) g_bytes_get_data (value, NULL) != CK_FALSE;
}
