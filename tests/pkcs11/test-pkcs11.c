/* test-pkcs11.c: the PKCS #11 module against the test service
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The module is loaded as applications load it, with dlopen() and
 * C_GetFunctionList(); keys are made through the library, the module is
 * asked about them, and what it signs is checked by the library (and the
 * other way round). Each test has a service and a certificate store of
 * its own.
 */
#include "config.h"

#include <dlfcn.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>
#include <parsec-glib/parsec-glib.h>
#include <p11-kit/pkcs11.h>

#include "p11-test-token.h"

#define APP_NAME "pkcs11-test"

/* Whether the service keeps keys per user (Unix peer credentials) rather
 * than per application name: the module then has one token, the user's. */
static gboolean
namespaces_are_users (void)
{
  return g_str_equal (parsec_test_service_default_authenticator (), "unix-peer-credentials");
}

/* The label of the token of APP_NAME's keys */
static char *
expected_label (void)
{
  if (namespaces_are_users ())
    return g_strdup_printf ("Parsec uid %u", (guint) geteuid ());
  return g_strdup ("Parsec " APP_NAME);
}

typedef P11TestToken Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  user_data)
{
  p11_test_token_open (f, APP_NAME);
}

/* The module may already be finalised by the test. */
static void
fixture_teardown (Fixture       *f,
                  gconstpointer  user_data)
{
  p11_test_token_close (f);
}

/* Helpers */


/* Makes a key, or checks that the service refuses its policy (the TPM
 * provider refuses policies for any hash, for example) and says FALSE. */
static gboolean
make_key_if_served (Fixture             *f,
                    const char          *name,
                    ParsecKeyAttributes *attributes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecKey) key = parsec_client_generate_key (f->client, name, attributes, NULL, &error);

  parsec_key_attributes_unref (attributes);
  if (key != NULL)
    return TRUE;
  g_test_message ("%s: %s", name, error->message);
  g_assert_true (g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED) ||
                 g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_INVALID_ARGUMENT));
  return FALSE;
}

static void
make_key (Fixture             *f,
          const char          *name,
          ParsecKeyAttributes *attributes)
{
  g_assert_true (make_key_if_served (f, name, attributes));
}

/* RSA key attributes, taking @algorithm over. */
static ParsecKeyAttributes *
rsa_key (gboolean         signing,
         ParsecAlgorithm *algorithm)
{
  ParsecKeyAttributes *attributes = signing ? parsec_key_attributes_new_rsa_signing (2048, algorithm)
                                            : parsec_key_attributes_new_rsa_encryption (2048, algorithm);

  parsec_algorithm_unref (algorithm);
  return attributes;
}

/* One search: up to @max objects that match @tmpl into @found; how many. */
static CK_ULONG
find_objects (Fixture          *f,
              CK_ATTRIBUTE     *tmpl,
              CK_ULONG          count,
              CK_OBJECT_HANDLE *found,
              CK_ULONG          max)
{
  CK_ULONG n = 0;

  g_assert_cmpuint (p11->C_FindObjectsInit (f->session, tmpl, count), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjects (f->session, found, max, &n), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjectsFinal (f->session), ==, CKR_OK);
  return n;
}

/* The object of @klass whose @type is @value (any, for a NULL @value), or
 * CK_INVALID_HANDLE; there must not be more than one. */
static CK_OBJECT_HANDLE
find_by (Fixture           *f,
         CK_OBJECT_CLASS    klass,
         CK_ATTRIBUTE_TYPE  type,
         const void        *value,
         CK_ULONG           len)
{
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { type, (void *) value, len },
  };
  CK_OBJECT_HANDLE found[2];
  CK_ULONG n = find_objects (f, tmpl, value != NULL ? 2 : 1, found, G_N_ELEMENTS (found));

  if (n == 0)
    return CK_INVALID_HANDLE;
  g_assert_cmpuint (n, ==, 1);
  return found[0];
}

static CK_OBJECT_HANDLE
find_one (Fixture         *f,
          CK_OBJECT_CLASS  klass,
          const char      *label)
{
  return find_by (f, klass, CKA_LABEL, label, label != NULL ? strlen (label) : 0);
}

/* Whether CKA_ALLOWED_MECHANISMS of @key names @type */
static gboolean
has_mechanism (Fixture           *f,
               CK_OBJECT_HANDLE   key,
               CK_MECHANISM_TYPE  type)
{
  g_autoptr(GBytes) value = get_attribute (f, key, CKA_ALLOWED_MECHANISMS);
  gsize n = g_bytes_get_size (value) / sizeof (CK_MECHANISM_TYPE);

  g_assert_cmpuint (g_bytes_get_size (value) % sizeof (CK_MECHANISM_TYPE), ==, 0);
  for (gsize i = 0; i < n; i++)
    {
      CK_MECHANISM_TYPE listed;

      memcpy (&listed, (const guint8 *) g_bytes_get_data (value, NULL) + i * sizeof listed, sizeof listed);
      if (listed == type)
        return TRUE;
    }
  return FALSE;
}

static GBytes *
sign (Fixture          *f,
      CK_MECHANISM     *mechanism,
      CK_OBJECT_HANDLE  key,
      GBytes           *data)
{
  CK_ULONG len = 0;
  guint8 *out;

  g_assert_cmpuint (p11->C_SignInit (f->session, mechanism, key), ==, CKR_OK);
  /* The size query keeps the operation going. */
  g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                 NULL, &len), ==, CKR_OK);
  out = g_malloc (len);
  g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                                 out, &len), ==, CKR_OK);
  return g_bytes_new_take (out, len);
}

static CK_RV
verify (Fixture          *f,
        CK_MECHANISM     *mechanism,
        CK_OBJECT_HANDLE  key,
        GBytes           *data,
        GBytes           *signature)
{
  CK_RV rv = p11->C_VerifyInit (f->session, mechanism, key);

  if (rv != CKR_OK)
    return rv;
  return p11->C_Verify (f->session, (CK_BYTE_PTR) g_bytes_get_data (data, NULL), g_bytes_get_size (data),
                        (CK_BYTE_PTR) g_bytes_get_data (signature, NULL), g_bytes_get_size (signature));
}

static GBytes *
sha256 (GBytes *data)
{
  guint8 digest[32];
  gsize len = sizeof digest;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (checksum, g_bytes_get_data (data, NULL), g_bytes_get_size (data));
  g_checksum_get_digest (checksum, digest, &len);
  return g_bytes_new (digest, len);
}

/* Tests */

static void
test_info (Fixture       *f,
           gconstpointer  user_data)
{
  CK_INFO info;
  CK_TOKEN_INFO token;
  CK_SLOT_INFO slot;
  CK_MECHANISM_TYPE mechanisms[64];
  CK_ULONG n = G_N_ELEMENTS (mechanisms);
  CK_MECHANISM_INFO mechanism_info;
  g_autofree char *label = NULL;
  g_autofree char *expected = expected_label ();

  g_assert_cmpuint (p11->C_GetInfo (&info), ==, CKR_OK);
  g_assert_cmpuint (info.cryptokiVersion.major, ==, 2);
  g_assert_cmpuint (info.cryptokiVersion.minor, ==, 40);
  g_assert_cmpuint (p11->C_GetSlotInfo (f->slot, &slot), ==, CKR_OK);
  g_assert_true (slot.flags & CKF_TOKEN_PRESENT);
  g_assert_cmpuint (p11->C_GetTokenInfo (f->slot, &token), ==, CKR_OK);
  label = g_strstrip (g_strndup ((const char *) token.label, sizeof token.label));
  g_assert_cmpstr (label, ==, expected);
  g_assert_false (token.flags & CKF_LOGIN_REQUIRED);
  g_assert_true (token.flags & CKF_RNG);
  g_assert_cmpuint (token.ulSessionCount, ==, 1);
  g_assert_cmpuint (token.ulRwSessionCount, ==, 1);

  g_assert_cmpuint (p11->C_GetMechanismList (f->slot, mechanisms, &n), ==, CKR_OK);
  for (CK_ULONG i = 0; i < n; i++)
    {
      g_assert_cmpuint (p11->C_GetMechanismInfo (f->slot, mechanisms[i], &mechanism_info), ==, CKR_OK);
      /* Digests are computed in the module, the rest in the service. */
      g_assert_true ((mechanism_info.flags & CKF_DIGEST) ? !(mechanism_info.flags & CKF_HW)
                                                          : (mechanism_info.flags & CKF_HW));
    }
  g_assert_cmpuint (p11->C_GetMechanismInfo (f->slot, CKM_ECDSA, &mechanism_info), ==, CKR_OK);
  g_assert_cmpuint (mechanism_info.ulMinKeySize, ==, 256);
  g_assert_cmpuint (mechanism_info.ulMaxKeySize, ==, 521);
  g_assert_true (mechanism_info.flags & CKF_SIGN);
  g_assert_cmpuint (p11->C_GetMechanismInfo (f->slot, CKM_RSA_PKCS_OAEP, &mechanism_info), ==, CKR_OK);
  g_assert_true (mechanism_info.flags & CKF_DECRYPT);
  g_assert_false (mechanism_info.flags & CKF_SIGN);
  g_assert_cmpuint (p11->C_GetMechanismInfo (f->slot, CKM_MD5, &mechanism_info), ==, CKR_MECHANISM_INVALID);
}

/* One token per application name, each with its own keys. */
static void
test_tokens (Fixture       *f,
             gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) other = parsec_client_new_sync ("other-app", NULL, &error);
  g_autoptr(ParsecKeyAttributes) attributes = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);
  g_autoptr(ParsecKey) theirs = NULL;
  g_autofree char *uri = NULL;
  CK_SLOT_ID slots[4];
  CK_ULONG n = G_N_ELEMENTS (slots);
  CK_TOKEN_INFO first, second;

  g_assert_no_error (error);
  make_key (f, "mine", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  theirs = parsec_client_generate_key (other, "theirs", attributes, NULL, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_setenv ("PARSEC_PKCS11_APPLICATION_NAME", APP_NAME ", other-app", TRUE);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, slots, &n), ==, CKR_OK);
  if (namespaces_are_users ())
    {
      g_autofree char *expected = expected_label ();
      g_autofree char *label = NULL;

      /* Both names are the same user to the service: one token, which
       * lists each of the user's keys once. */
      g_assert_cmpuint (n, ==, 1);
      g_assert_cmpuint (p11->C_GetTokenInfo (slots[0], &first), ==, CKR_OK);
      label = g_strstrip (g_strndup ((const char *) first.label, sizeof first.label));
      g_assert_cmpstr (label, ==, expected);
      /* The library's URI names this token, for either name. */
      uri = parsec_client_get_pkcs11_uri (other, NULL);
      g_assert_true (memcmp (strstr (uri, "serial=") + 7, first.serialNumber, 16) == 0);
      g_assert_cmpuint (p11->C_OpenSession (slots[0], CKF_SERIAL_SESSION, NULL, NULL, &f->session), ==, CKR_OK);
      g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "mine"), !=, CK_INVALID_HANDLE);
      g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "theirs"), !=, CK_INVALID_HANDLE);
      parsec_client_destroy_key (other, "theirs", NULL, &error);
      g_assert_no_error (error);
      return;
    }
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (p11->C_GetTokenInfo (slots[0], &first), ==, CKR_OK);
  g_assert_cmpuint (p11->C_GetTokenInfo (slots[1], &second), ==, CKR_OK);
  g_assert_true (memcmp (first.serialNumber, second.serialNumber, sizeof first.serialNumber) != 0);
  g_assert_true (memcmp (second.label, "Parsec other-app ", 17) == 0);
  /* The serial is the one of the library's URI for that identity. */
  uri = parsec_client_get_pkcs11_uri (other, NULL);
  g_assert_nonnull (strstr (uri, "token=Parsec%20other-app;serial="));
  g_assert_true (memcmp (strstr (uri, "serial=") + 7, second.serialNumber, 16) == 0);

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GBytes) label = NULL;
      CK_OBJECT_HANDLE key;

      g_assert_cmpuint (p11->C_OpenSession (slots[i], CKF_SERIAL_SESSION, NULL, NULL, &f->session), ==, CKR_OK);
      /* The token's one private key */
      key = find_one (f, CKO_PRIVATE_KEY, NULL);
      g_assert_cmpuint (key, !=, CK_INVALID_HANDLE);
      label = get_attribute (f, key, CKA_LABEL);
      g_assert_cmpmem (g_bytes_get_data (label, NULL), g_bytes_get_size (label), i == 0 ? "mine" : "theirs",
                       i == 0 ? 4 : 6);
    }
  parsec_client_destroy_key (other, "theirs", NULL, &error);
  g_assert_no_error (error);
}

/* A token for each identity of the process's clients, whatever the
 * configuration names: added as the clients appear, kept until
 * C_Finalize, gone with the clients. */
static void
test_process_tokens (Fixture       *f,
                     gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) other = NULL;
  g_autofree char *uri = NULL;
  CK_SLOT_ID slots[4];
  CK_ULONG n = G_N_ELEMENTS (slots);
  CK_TOKEN_INFO info;

  /* The module was initialised before this client existed. */
  other = parsec_client_new_sync ("process-app", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, slots, &n), ==, CKR_OK);
  if (namespaces_are_users ())
    {
      /* The user's one token serves every name at its endpoint, and is
       * the token of the client's URI once the client knows how the
       * service authenticates. */
      g_assert_cmpuint (n, ==, 1);
      g_assert_true (parsec_client_discover (other, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (parsec_client_get_auth_type (other), ==, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS);
      g_assert_cmpuint (p11->C_GetTokenInfo (slots[0], &info), ==, CKR_OK);
      uri = parsec_client_get_pkcs11_uri (other, NULL);
      g_assert_true (memcmp (strstr (uri, "serial=") + 7, info.serialNumber, 16) == 0);
      return;
    }
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (slots[0], ==, f->slot);
  g_assert_cmpuint (p11->C_GetTokenInfo (slots[1], &info), ==, CKR_OK);
  g_assert_true (memcmp (info.label, "Parsec process-app ", 19) == 0);
  uri = parsec_client_get_pkcs11_uri (other, NULL);
  g_assert_true (memcmp (strstr (uri, "serial=") + 7, info.serialNumber, 16) == 0);

  /* A second client of the same identity adds nothing; the slot stays
   * while the module lives, whatever the clients do. */
  {
    g_autoptr(ParsecClient) same = parsec_client_new_sync ("process-app", NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (same);
    n = G_N_ELEMENTS (slots);
    g_assert_cmpuint (p11->C_GetSlotList (CK_FALSE, slots, &n), ==, CKR_OK);
    g_assert_cmpuint (n, ==, 2);
  }
  g_clear_object (&other);
  n = G_N_ELEMENTS (slots);
  g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, slots, &n), ==, CKR_OK);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (p11->C_GetTokenInfo (slots[1], &info), ==, CKR_OK);

  /* Once no client has it, a new initialisation does not serve it. */
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  n = G_N_ELEMENTS (slots);
  g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, slots, &n), ==, CKR_OK);
  g_assert_cmpuint (n, ==, 1);
}

static void
test_objects (Fixture       *f,
              gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) exported = NULL;
  g_autoptr(GBytes) spki = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GBytes) params = NULL;
  g_autoptr(GBytes) point = NULL;
  g_autoptr(ParsecKey) ec_key = NULL;
  g_autoptr(GBytes) modulus = NULL;
  g_autoptr(GBytes) exponent = NULL;
  const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  const guint8 f4[] = { 0x01, 0x00, 0x01 };
  CK_OBJECT_HANDLE priv, pub;
  CK_ATTRIBUTE attributes[3];
  CK_BYTE small[2];
  CK_ULONG klass;

  make_key (f, "ec-key", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  make_key (f, "rsa-key", rsa_key (FALSE, parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256)));
  {
    g_autoptr(ParsecKeyAttributes) signing = parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256);

    make_key (f, "exportable", parsec_key_attributes_with_usage (signing, PARSEC_KEY_USAGE_SIGN_HASH |
                                                                 PARSEC_KEY_USAGE_VERIFY_HASH | PARSEC_KEY_USAGE_EXPORT));
  }

  priv = find_one (f, CKO_PRIVATE_KEY, "ec-key");
  pub = find_one (f, CKO_PUBLIC_KEY, "ec-key");
  g_assert_cmpuint (priv, !=, CK_INVALID_HANDLE);
  g_assert_cmpuint (pub, !=, CK_INVALID_HANDLE);
  g_assert_cmpuint (priv, !=, pub);
  g_assert_cmpuint (get_ulong (f, priv, CKA_KEY_TYPE), ==, CKK_EC);
  g_assert_true (get_bool (f, priv, CKA_SENSITIVE));
  g_assert_false (get_bool (f, priv, CKA_EXTRACTABLE));
  g_assert_true (get_bool (f, priv, CKA_SIGN));
  g_assert_false (get_bool (f, priv, CKA_DECRYPT));
  g_assert_true (get_bool (f, pub, CKA_VERIFY));
  g_assert_true (get_bool (f, priv, CKA_TOKEN));
  g_assert_false (get_bool (f, priv, CKA_PRIVATE));
  id = get_attribute (f, priv, CKA_ID);
  g_assert_cmpmem (g_bytes_get_data (id, NULL), g_bytes_get_size (id), "ec-key", 6);
  params = get_attribute (f, pub, CKA_EC_PARAMS);
  g_assert_cmpmem (g_bytes_get_data (params, NULL), g_bytes_get_size (params), p256_oid, sizeof p256_oid);

  /* The point is the library's export, in an OCTET STRING. */
  exported = parsec_client_export_public_key (f->client, "ec-key", NULL, &error);
  g_assert_no_error (error);
  point = get_attribute (f, pub, CKA_EC_POINT);
  g_assert_cmpuint (g_bytes_get_size (point), ==, 2 + g_bytes_get_size (exported));
  g_assert_cmpuint (((const guint8 *) g_bytes_get_data (point, NULL))[0], ==, 0x04);
  g_assert_cmpmem ((const guint8 *) g_bytes_get_data (point, NULL) + 2, g_bytes_get_size (point) - 2,
                   g_bytes_get_data (exported, NULL), g_bytes_get_size (exported));
  g_clear_pointer (&exported, g_bytes_unref);
  ec_key = parsec_client_lookup_key (f->client, "ec-key", NULL, &error);
  g_assert_no_error (error);
  exported = parsec_key_export_public_key (ec_key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL, &error);
  g_assert_no_error (error);
  spki = get_attribute (f, priv, CKA_PUBLIC_KEY_INFO);
  g_assert_true (g_bytes_equal (spki, exported));

  /* Private parts are sensitive; unknown attributes are not there. In
   * both cases the length says so, and the other attributes are filled. */
  klass = 0;
  attributes[0] = (CK_ATTRIBUTE) { CKA_VALUE, small, sizeof small };
  attributes[1] = (CK_ATTRIBUTE) { CKA_CLASS, &klass, sizeof klass };
  attributes[2] = (CK_ATTRIBUTE) { 0x7fff0000UL, small, sizeof small };
  g_assert_cmpuint (p11->C_GetAttributeValue (f->session, priv, attributes, 2), ==, CKR_ATTRIBUTE_SENSITIVE);
  g_assert_cmpuint (attributes[0].ulValueLen, ==, CK_UNAVAILABLE_INFORMATION);
  g_assert_cmpuint (klass, ==, CKO_PRIVATE_KEY);
  g_assert_cmpuint (p11->C_GetAttributeValue (f->session, priv, &attributes[2], 1), ==, CKR_ATTRIBUTE_TYPE_INVALID);
  g_assert_cmpuint (attributes[2].ulValueLen, ==, CK_UNAVAILABLE_INFORMATION);
  /* A short buffer */
  attributes[0] = (CK_ATTRIBUTE) { CKA_LABEL, small, sizeof small };
  g_assert_cmpuint (p11->C_GetAttributeValue (f->session, priv, attributes, 1), ==, CKR_BUFFER_TOO_SMALL);
  g_assert_cmpuint (attributes[0].ulValueLen, ==, CK_UNAVAILABLE_INFORMATION);

  priv = find_one (f, CKO_PRIVATE_KEY, "rsa-key");
  pub = find_one (f, CKO_PUBLIC_KEY, "rsa-key");
  g_assert_cmpuint (get_ulong (f, priv, CKA_KEY_TYPE), ==, CKK_RSA);
  g_assert_true (get_bool (f, priv, CKA_DECRYPT));
  g_assert_false (get_bool (f, priv, CKA_SIGN));
  g_assert_true (get_bool (f, pub, CKA_ENCRYPT));
  g_assert_cmpuint (get_ulong (f, pub, CKA_MODULUS_BITS), ==, 2048);
  modulus = get_attribute (f, priv, CKA_MODULUS);
  g_assert_cmpuint (g_bytes_get_size (modulus), ==, 256);
  exponent = get_attribute (f, pub, CKA_PUBLIC_EXPONENT);
  g_assert_cmpmem (g_bytes_get_data (exponent, NULL), g_bytes_get_size (exponent), f4, sizeof f4);
  {
    g_autoptr(GBytes) allowed = get_attribute (f, priv, CKA_ALLOWED_MECHANISMS);

    g_assert_cmpuint (g_bytes_get_size (allowed), ==, sizeof (CK_MECHANISM_TYPE));
    g_assert_cmpuint (*(const CK_MECHANISM_TYPE *) g_bytes_get_data (allowed, NULL), ==, CKM_RSA_PKCS_OAEP);
  }

  priv = find_one (f, CKO_PRIVATE_KEY, "exportable");
  g_assert_true (get_bool (f, priv, CKA_EXTRACTABLE));
  g_assert_true (get_bool (f, priv, CKA_SENSITIVE));

  /* A key deleted in the service is gone at the next search. */
  parsec_client_destroy_key (f->client, "exportable", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "exportable"), ==, CK_INVALID_HANDLE);
  g_assert_cmpuint (p11->C_GetAttributeValue (f->session, priv, attributes, 1), ==, CKR_OBJECT_HANDLE_INVALID);
}

static void
test_sign_ecdsa (Fixture       *f,
                 gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("a message to sign", 17);
  g_autoptr(GBytes) digest = sha256 (data);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) multi = NULL;
  g_autoptr(ParsecAlgorithm) ecdsa = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  CK_MECHANISM raw = { CKM_ECDSA, NULL, 0 }, hashed = { CKM_ECDSA_SHA256, NULL, 0 };
  CK_MECHANISM sha384 = { CKM_ECDSA_SHA384, NULL, 0 }, pss = { CKM_RSA_PKCS_PSS, NULL, 0 };
  CK_OBJECT_HANDLE priv, pub;
  guint8 out[64];
  CK_ULONG len = sizeof out;

  make_key (f, "ec", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  priv = find_one (f, CKO_PRIVATE_KEY, "ec");
  pub = find_one (f, CKO_PUBLIC_KEY, "ec");

  /* CKM_ECDSA signs the digest; the library verifies what the module made. */
  signature = sign (f, &raw, priv, digest);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, 64);
  parsec_client_verify_hash (f->client, "ec", ecdsa, digest, signature, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (verify (f, &hashed, pub, data, signature), ==, CKR_OK);
  g_clear_pointer (&signature, g_bytes_unref);

  /* Hashing mechanisms, in one part and in several */
  signature = sign (f, &hashed, priv, data);
  g_assert_cmpuint (verify (f, &raw, pub, digest, signature), ==, CKR_OK);
  g_assert_cmpuint (p11->C_SignInit (f->session, &hashed, priv), ==, CKR_OK);
  g_assert_cmpuint (p11->C_SignUpdate (f->session, (CK_BYTE_PTR) "a message", 9), ==, CKR_OK);
  g_assert_cmpuint (p11->C_SignUpdate (f->session, (CK_BYTE_PTR) " to sign", 8), ==, CKR_OK);
  /* Too small: the operation goes on */
  len = 10;
  g_assert_cmpuint (p11->C_SignFinal (f->session, out, &len), ==, CKR_BUFFER_TOO_SMALL);
  g_assert_cmpuint (len, ==, 64);
  g_assert_cmpuint (p11->C_SignFinal (f->session, out, &len), ==, CKR_OK);
  multi = g_bytes_new (out, len);
  g_assert_cmpuint (verify (f, &hashed, pub, data, multi), ==, CKR_OK);
  /* Done: a second C_SignFinal has nothing to finish. */
  g_assert_cmpuint (p11->C_SignFinal (f->session, out, &len), ==, CKR_OPERATION_NOT_INITIALIZED);

  /* A tampered signature */
  memcpy (out, g_bytes_get_data (signature, NULL), 64);
  out[10] ^= 1;
  {
    g_autoptr(GBytes) bad = g_bytes_new (out, 64);
    g_autoptr(GBytes) short_signature = g_bytes_new (out, 63);

    g_assert_cmpuint (verify (f, &hashed, pub, data, bad), ==, CKR_SIGNATURE_INVALID);
    g_assert_cmpuint (verify (f, &hashed, pub, data, short_signature), ==, CKR_SIGNATURE_LEN_RANGE);
  }

  /* What the policy does not permit: another hash, another key type, a
   * digest of the wrong length, signing with the public key. */
  g_assert_cmpuint (p11->C_SignInit (f->session, &sha384, priv), ==, CKR_MECHANISM_INVALID);
  g_assert_cmpuint (p11->C_SignInit (f->session, &pss, priv), ==, CKR_KEY_TYPE_INCONSISTENT);
  g_assert_cmpuint (p11->C_SignInit (f->session, &raw, pub), ==, CKR_KEY_FUNCTION_NOT_PERMITTED);
  g_assert_cmpuint (p11->C_SignInit (f->session, &raw, priv), ==, CKR_OK);
  len = sizeof out;
  g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) "short", 5, out, &len), ==, CKR_DATA_LEN_RANGE);
  g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) "short", 5, out, &len), ==, CKR_OPERATION_NOT_INITIALIZED);
}

static void
test_sign_rsa (Fixture       *f,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = g_bytes_new_static ("RSA signs this", 14);
  g_autoptr(GBytes) digest = sha256 (data);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(ParsecAlgorithm) pkcs1 = parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256);
  /* DigestInfo of SHA-256, as TLS and SSH hand it to CKM_RSA_PKCS */
  const guint8 prefix[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
                            0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
  g_autoptr(GByteArray) info = g_byte_array_new ();
  g_autoptr(GBytes) info_bytes = NULL;
  CK_RSA_PKCS_PSS_PARAMS pss_params = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
  CK_RSA_PKCS_PSS_PARAMS bad_salt = { CKM_SHA256, CKG_MGF1_SHA256, 20 };
  CK_MECHANISM rsa_pkcs = { CKM_RSA_PKCS, NULL, 0 }, sha256_rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
  CK_MECHANISM pss = { CKM_RSA_PKCS_PSS, &pss_params, sizeof pss_params };
  CK_MECHANISM sha256_pss = { CKM_SHA256_RSA_PKCS_PSS, &pss_params, sizeof pss_params };
  CK_MECHANISM pss_bad = { CKM_SHA256_RSA_PKCS_PSS, &bad_salt, sizeof bad_salt };
  CK_MECHANISM pss_short = { CKM_SHA256_RSA_PKCS_PSS, &pss_params, sizeof pss_params - 1 };
  CK_OBJECT_HANDLE priv, pub;
  gboolean pss_made;

  /* Where the service makes keys for one hash only, SHA-256 is the one
   * signed with here. */
  if (!make_key_if_served (f, "rsa", rsa_key (TRUE, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_ANY))))
    make_key (f, "rsa", rsa_key (TRUE, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256)));
  pss_made = make_key_if_served (f, "pss", rsa_key (TRUE, parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256)));
  priv = find_one (f, CKO_PRIVATE_KEY, "rsa");
  pub = find_one (f, CKO_PUBLIC_KEY, "rsa");

  g_byte_array_append (info, prefix, sizeof prefix);
  g_byte_array_append (info, g_bytes_get_data (digest, NULL), g_bytes_get_size (digest));
  info_bytes = g_bytes_new (info->data, info->len);
  signature = sign (f, &rsa_pkcs, priv, info_bytes);
  g_assert_cmpuint (g_bytes_get_size (signature), ==, 256);
  parsec_client_verify_hash (f->client, "rsa", pkcs1, digest, signature, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (verify (f, &sha256_rsa, pub, data, signature), ==, CKR_OK);
  g_clear_pointer (&signature, g_bytes_unref);
  /* PKCS #1 v1.5 is deterministic: both ways give the same signature. */
  signature = sign (f, &sha256_rsa, priv, data);
  g_assert_cmpuint (verify (f, &rsa_pkcs, pub, info_bytes, signature), ==, CKR_OK);
  g_clear_pointer (&signature, g_bytes_unref);
  /* Not a DigestInfo */
  {
    guint8 out[256];
    CK_ULONG len = sizeof out;

    g_assert_cmpuint (p11->C_SignInit (f->session, &rsa_pkcs, priv), ==, CKR_OK);
    g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) "raw", 3, out, &len), ==, CKR_DATA_INVALID);
  }

  if (!pss_made)
    return;
  priv = find_one (f, CKO_PRIVATE_KEY, "pss");
  pub = find_one (f, CKO_PUBLIC_KEY, "pss");
  g_assert_cmpuint (p11->C_SignInit (f->session, &rsa_pkcs, priv), ==, CKR_MECHANISM_INVALID);
  g_assert_cmpuint (p11->C_SignInit (f->session, &pss_bad, priv), ==, CKR_MECHANISM_PARAM_INVALID);
  g_assert_cmpuint (p11->C_SignInit (f->session, &pss_short, priv), ==, CKR_MECHANISM_PARAM_INVALID);
  /* The TPM provider makes RSA-PSS keys but does not sign with them: the
   * service's refusal is the mechanism's. */
  {
    guint8 out[256];
    CK_ULONG len = sizeof out;
    CK_RV rv;

    g_assert_cmpuint (p11->C_SignInit (f->session, &sha256_pss, priv), ==, CKR_OK);
    rv = p11->C_Sign (f->session, (CK_BYTE_PTR) g_bytes_get_data (data, NULL), g_bytes_get_size (data), out, &len);
    if (rv == CKR_MECHANISM_INVALID)
      return;
    g_assert_cmpuint (rv, ==, CKR_OK);
  }
  signature = sign (f, &sha256_pss, priv, data);
  g_assert_cmpuint (verify (f, &pss, pub, digest, signature), ==, CKR_OK);
  g_clear_pointer (&signature, g_bytes_unref);
  signature = sign (f, &pss, priv, digest);
  g_assert_cmpuint (verify (f, &sha256_pss, pub, data, signature), ==, CKR_OK);
}

static void
test_decrypt (Fixture       *f,
              gconstpointer  user_data)
{
  CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0 };
  /* A TPM takes only labels that end with a zero byte (TPM2_RSA_Decrypt) */
  CK_RSA_PKCS_OAEP_PARAMS labelled = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, (void *) "label", 6 };
  CK_RSA_PKCS_OAEP_PARAMS sha1 = { CKM_SHA_1, CKG_MGF1_SHA1, CKZ_DATA_SPECIFIED, NULL, 0 };
  CK_MECHANISM mechanism = { CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep };
  CK_MECHANISM with_label = { CKM_RSA_PKCS_OAEP, &labelled, sizeof labelled };
  CK_MECHANISM wrong_hash = { CKM_RSA_PKCS_OAEP, &sha1, sizeof sha1 };
  CK_MECHANISM pkcs1 = { CKM_RSA_PKCS, NULL, 0 };
  CK_OBJECT_HANDLE priv, pub;
  guint8 encrypted[256], plain[256];
  CK_ULONG encrypted_len = sizeof encrypted, plain_len;

  make_key (f, "oaep", rsa_key (FALSE, parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256)));
  priv = find_one (f, CKO_PRIVATE_KEY, "oaep");
  pub = find_one (f, CKO_PUBLIC_KEY, "oaep");

  for (guint round = 0; round < 2; round++)
    {
      CK_MECHANISM *m = round == 0 ? &mechanism : &with_label;

      encrypted_len = sizeof encrypted;
      g_assert_cmpuint (p11->C_EncryptInit (f->session, m, pub), ==, CKR_OK);
      g_assert_cmpuint (p11->C_Encrypt (f->session, (CK_BYTE_PTR) "secret", 6, encrypted, &encrypted_len), ==, CKR_OK);
      g_assert_cmpuint (encrypted_len, ==, 256);

      g_assert_cmpuint (p11->C_DecryptInit (f->session, m, priv), ==, CKR_OK);
      /* The size query gives the bound, a short buffer the exact size. */
      g_assert_cmpuint (p11->C_Decrypt (f->session, encrypted, encrypted_len, NULL, &plain_len), ==, CKR_OK);
      g_assert_cmpuint (plain_len, ==, 256);
      plain_len = 2;
      g_assert_cmpuint (p11->C_Decrypt (f->session, encrypted, encrypted_len, plain, &plain_len), ==, CKR_BUFFER_TOO_SMALL);
      g_assert_cmpuint (plain_len, ==, 6);
      g_assert_cmpuint (p11->C_Decrypt (f->session, encrypted, encrypted_len, plain, &plain_len), ==, CKR_OK);
      g_assert_cmpmem (plain, plain_len, "secret", 6);
    }

  /* The other label, or damaged data, does not decrypt. Parsec's TPM
   * provider answers every refusal of the TPM as
   * PsaErrorCommunicationFailure, which the module can only take for a
   * device error; the library says which the service answered. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ParsecAlgorithm) oaep_sha256 = parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256);
    g_autoptr(GBytes) ciphertext = g_bytes_new (encrypted, encrypted_len);
    g_autoptr(GBytes) decrypted = parsec_client_asymmetric_decrypt (f->client, "oaep", oaep_sha256, ciphertext,
                                                                    NULL, NULL, &error);

    g_assert_null (decrypted);
    g_assert_cmpuint (p11->C_DecryptInit (f->session, &mechanism, priv), ==, CKR_OK);
    plain_len = sizeof plain;
    g_assert_cmpuint (p11->C_Decrypt (f->session, encrypted, encrypted_len, plain, &plain_len), ==,
                      g_error_matches (error, PARSEC_ERROR, PARSEC_ERROR_PSA_COMMUNICATION_FAILURE)
                      ? CKR_DEVICE_ERROR : CKR_ENCRYPTED_DATA_INVALID);
  }
  g_assert_cmpuint (p11->C_DecryptInit (f->session, &mechanism, priv), ==, CKR_OK);
  plain_len = sizeof plain;
  g_assert_cmpuint (p11->C_Decrypt (f->session, encrypted, 100, plain, &plain_len), ==, CKR_ENCRYPTED_DATA_LEN_RANGE);
  g_assert_cmpuint (p11->C_DecryptInit (f->session, &wrong_hash, priv), ==, CKR_MECHANISM_INVALID);
  g_assert_cmpuint (p11->C_DecryptInit (f->session, &pkcs1, priv), ==, CKR_MECHANISM_INVALID);
  g_assert_cmpuint (p11->C_DecryptInit (f->session, &mechanism, pub), ==, CKR_KEY_FUNCTION_NOT_PERMITTED);
}

static void
test_generate (Fixture       *f,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  const guint8 unknown_oid[] = { 0x06, 0x03, 0x2a, 0x03, 0x04 };
  CK_BBOOL yes = CK_TRUE;
  CK_ULONG bits = 2048;
  CK_MECHANISM ec_gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 }, rsa_gen = { CKM_RSA_PKCS_KEY_PAIR_GEN, NULL, 0 };
  CK_MECHANISM ecdsa = { CKM_ECDSA_SHA256, NULL, 0 }, sha256_rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
  CK_ATTRIBUTE ec_public[] = {
    { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid },
    { CKA_VERIFY, &yes, sizeof yes },
  };
  CK_ATTRIBUTE ec_private[] = {
    { CKA_LABEL, "made-ec", 7 },
    { CKA_ID, "\x01\x02", 2 },
    { CKA_SIGN, &yes, sizeof yes },
    { CKA_TOKEN, &yes, sizeof yes },
  };
  CK_ATTRIBUTE rsa_public[] = {
    { CKA_MODULUS_BITS, &bits, sizeof bits },
    { CKA_PUBLIC_EXPONENT, "\x01\x00\x01", 3 },
    { CKA_TOKEN, &yes, sizeof yes },
  };
  CK_ATTRIBUTE rsa_private[] = {
    { CKA_LABEL, "made-rsa", 8 },
  };
  CK_ATTRIBUTE bad_curve[] = {
    { CKA_EC_PARAMS, (void *) unknown_oid, sizeof unknown_oid },
  };
  CK_OBJECT_HANDLE pub, priv;
  g_autoptr(GBytes) data = g_bytes_new_static ("made here", 9);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  CK_SESSION_HANDLE read_only;

  g_assert_cmpuint (p11->C_GenerateKeyPair (f->session, &ec_gen, ec_public, G_N_ELEMENTS (ec_public),
                                            ec_private, G_N_ELEMENTS (ec_private), &pub, &priv), ==, CKR_OK);
  signature = sign (f, &ecdsa, priv, data);
  g_assert_cmpuint (verify (f, &ecdsa, pub, data, signature), ==, CKR_OK);
  id = get_attribute (f, priv, CKA_ID);
  g_assert_cmpmem (g_bytes_get_data (id, NULL), g_bytes_get_size (id), "\x01\x02", 2);
  g_clear_pointer (&signature, g_bytes_unref);
  /* The key is the service's: the library sees it. */
  {
    g_autoptr(ParsecKey) made = parsec_client_lookup_key (f->client, "made-ec", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (parsec_key_attributes_get_bits (parsec_key_get_attributes (made)), ==, 256);
  }

  g_assert_cmpuint (p11->C_GenerateKeyPair (f->session, &rsa_gen, rsa_public, G_N_ELEMENTS (rsa_public),
                                            rsa_private, G_N_ELEMENTS (rsa_private), &pub, &priv), ==, CKR_OK);
  /* RSA-PSS for any hash, or where the service makes no such key
   * PKCS #1 v1.5 (see test_policies) */
  {
    CK_RSA_PKCS_PSS_PARAMS pss_params = { CKM_SHA256, CKG_MGF1_SHA256, 32 };
    CK_MECHANISM sha256_pss = { CKM_SHA256_RSA_PKCS_PSS, &pss_params, sizeof pss_params };
    CK_MECHANISM *m = has_mechanism (f, priv, CKM_SHA256_RSA_PKCS_PSS) ? &sha256_pss : &sha256_rsa;

    g_clear_pointer (&signature, g_bytes_unref);
    signature = sign (f, m, priv, data);
    g_assert_cmpuint (verify (f, m, pub, data, signature), ==, CKR_OK);
  }

  /* The same name again, an unknown curve, no size, a read-only session */
  g_assert_cmpuint (p11->C_GenerateKeyPair (f->session, &rsa_gen, rsa_public, G_N_ELEMENTS (rsa_public),
                                            rsa_private, G_N_ELEMENTS (rsa_private), &pub, &priv),
                    ==, CKR_ATTRIBUTE_VALUE_INVALID);
  g_assert_cmpuint (p11->C_GenerateKeyPair (f->session, &ec_gen, bad_curve, 1, NULL, 0, &pub, &priv),
                    ==, CKR_CURVE_NOT_SUPPORTED);
  g_assert_cmpuint (p11->C_GenerateKeyPair (f->session, &rsa_gen, NULL, 0, NULL, 0, &pub, &priv),
                    ==, CKR_TEMPLATE_INCOMPLETE);
  /* A key for ECDH: made where the service makes one (asked through the
   * library), else a template the token cannot fulfil (the TPM provider
   * has no key agreement). */
  {
    CK_ATTRIBUTE derive_private[] = {
      { CKA_LABEL, "made-ecdh", 9 },
      { CKA_DERIVE, &yes, sizeof yes },
      { CKA_TOKEN, &yes, sizeof yes },
    };
    CK_OBJECT_HANDLE derive_pub, derive_priv;
    gboolean served = make_key_if_served (f, "probe-ecdh", parsec_key_attributes_new_ecdh (PARSEC_ECC_FAMILY_SECP_R1, 256));
    CK_RV rv = p11->C_GenerateKeyPair (f->session, &ec_gen, ec_public, 1, derive_private,
                                       G_N_ELEMENTS (derive_private), &derive_pub, &derive_priv);

    g_assert_cmpuint (rv, ==, served ? CKR_OK : CKR_TEMPLATE_INCONSISTENT);
    if (served)
      {
        parsec_client_destroy_key (f->client, "probe-ecdh", NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (p11->C_DestroyObject (f->session, derive_priv), ==, CKR_OK);
      }
  }
  g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION, NULL, NULL, &read_only), ==, CKR_OK);
  /* A read-only session makes session objects only. */
  g_assert_cmpuint (p11->C_GenerateKeyPair (read_only, &ec_gen, ec_public, 1, ec_private + 3, 1, &pub, &priv),
                    ==, CKR_SESSION_READ_ONLY);
  g_assert_cmpuint (p11->C_DestroyObject (read_only, priv), ==, CKR_SESSION_READ_ONLY);

  /* Destroying either object destroys the key in the service. */
  g_assert_cmpuint (p11->C_DestroyObject (f->session, priv), ==, CKR_OK);
  g_assert_cmpuint (p11->C_DestroyObject (f->session, priv), ==, CKR_OBJECT_HANDLE_INVALID);
  g_assert_cmpuint (p11->C_DestroyObject (f->session, pub), ==, CKR_OBJECT_HANDLE_INVALID);
  keys = parsec_client_list_keys (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  g_assert_cmpstr (parsec_key_get_name (g_ptr_array_index (keys, 0)), ==, "made-ec");

  /* The chosen CKA_ID outlives the module's instance. */
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &f->session), ==, CKR_OK);
  priv = find_one (f, CKO_PRIVATE_KEY, "made-ec");
  g_clear_pointer (&id, g_bytes_unref);
  id = get_attribute (f, priv, CKA_ID);
  g_assert_cmpmem (g_bytes_get_data (id, NULL), g_bytes_get_size (id), "\x01\x02", 2);
}

static void
test_random (Fixture       *f,
             gconstpointer  user_data)
{
  guint8 a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };

  g_assert_cmpuint (p11->C_GenerateRandom (f->session, a, sizeof a), ==, CKR_OK);
  g_assert_cmpuint (p11->C_GenerateRandom (f->session, b, sizeof b), ==, CKR_OK);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
  g_assert_true (memcmp (a, zero, sizeof a) != 0);
  g_assert_cmpuint (p11->C_GenerateRandom (f->session, a, 0), ==, CKR_OK);
  g_assert_cmpuint (p11->C_SeedRandom (f->session, a, 4), ==, CKR_RANDOM_SEED_NOT_SUPPORTED);
}

/* A self-signed certificate for a key of GnuTLS's own: the store does not
 * care whose key a certificate is for. */
static GBytes *
make_certificate (const char *cn)
{
  gnutls_x509_privkey_t key;
  gnutls_x509_crt_t crt;
  gnutls_datum_t out;
  GBytes *der;
  guint8 serial[] = { 0x01, 0x02 };

  g_assert_cmpint (gnutls_x509_privkey_init (&key), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  gnutls_x509_crt_set_activation_time (crt, time (NULL) - 60);
  gnutls_x509_crt_set_expiration_time (crt, time (NULL) + 3600);
  gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen (cn));
  gnutls_x509_crt_set_issuer_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen (cn));
  gnutls_x509_crt_set_key (crt, key);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &out), ==, 0);
  der = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_x509_privkey_deinit (key);
  return der;
}

static void
test_certificates (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GBytes) der = make_certificate ("parsec test");
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) serial = NULL;
  CK_OBJECT_CLASS klass = CKO_CERTIFICATE, key_class = CKO_PRIVATE_KEY;
  CK_CERTIFICATE_TYPE type = CKC_X_509;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_CERTIFICATE_TYPE, &type, sizeof type },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_LABEL, "my cert", 7 },
    { CKA_ID, "ec", 2 },
    { CKA_VALUE, (void *) g_bytes_get_data (der, NULL), g_bytes_get_size (der) },
  };
  CK_ATTRIBUTE garbage[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_VALUE, "not DER", 7 },
  };
  CK_ATTRIBUTE no_value[] = {
    { CKA_CLASS, &klass, sizeof klass },
  };
  CK_ATTRIBUTE a_key[] = {
    { CKA_CLASS, &key_class, sizeof key_class },
  };
  CK_ATTRIBUTE relabel[] = {
    { CKA_LABEL, "renamed", 7 },
  };
  CK_OBJECT_HANDLE cert;
  const guint8 serial_der[] = { 0x02, 0x02, 0x01, 0x02 };

  g_assert_cmpuint (p11->C_CreateObject (f->session, tmpl, G_N_ELEMENTS (tmpl), &cert), ==, CKR_OK);
  value = get_attribute (f, cert, CKA_VALUE);
  g_assert_true (g_bytes_equal (value, der));
  serial = get_attribute (f, cert, CKA_SERIAL_NUMBER);
  g_assert_cmpmem (g_bytes_get_data (serial, NULL), g_bytes_get_size (serial), serial_der, sizeof serial_der);
  g_assert_cmpuint (get_ulong (f, cert, CKA_CERTIFICATE_TYPE), ==, CKC_X_509);

  g_assert_cmpuint (p11->C_CreateObject (f->session, garbage, G_N_ELEMENTS (garbage), &cert), ==, CKR_ATTRIBUTE_VALUE_INVALID);
  g_assert_cmpuint (p11->C_CreateObject (f->session, no_value, G_N_ELEMENTS (no_value), &cert), ==, CKR_TEMPLATE_INCOMPLETE);
  /* A key is imported, and needs its type and parts (test_public_import). */
  g_assert_cmpuint (p11->C_CreateObject (f->session, a_key, G_N_ELEMENTS (a_key), &cert), ==, CKR_TEMPLATE_INCOMPLETE);

  cert = find_one (f, CKO_CERTIFICATE, "my cert");
  g_assert_cmpuint (p11->C_SetAttributeValue (f->session, cert, relabel, 1), ==, CKR_OK);

  /* A copy: a session certificate of its own, of the same value; the
   * value itself cannot change. */
  {
    CK_BBOOL no = CK_FALSE;
    CK_ATTRIBUTE as_session[] = { { CKA_TOKEN, &no, sizeof no }, { CKA_LABEL, "copied", 6 } };
    CK_ATTRIBUTE new_value[] = { { CKA_VALUE, "not DER", 7 } };
    CK_OBJECT_HANDLE copy;
    g_autoptr(GBytes) copied = NULL;

    g_assert_cmpuint (p11->C_CopyObject (f->session, cert, new_value, 1, &copy), ==, CKR_ATTRIBUTE_READ_ONLY);
    g_assert_cmpuint (p11->C_CopyObject (f->session, cert, as_session, G_N_ELEMENTS (as_session), &copy), ==, CKR_OK);
    copied = get_attribute (f, copy, CKA_VALUE);
    g_assert_true (g_bytes_equal (copied, der));
    g_assert_false (get_bool (f, copy, CKA_TOKEN));
    g_assert_cmpuint (find_one (f, CKO_CERTIFICATE, "copied"), ==, copy);
    g_assert_cmpuint (p11->C_DestroyObject (f->session, copy), ==, CKR_OK);
  }

  /* Labels as callers pass them: empty with no buffer at all, and text
   * that is no UTF-8 string. */
  {
    CK_ATTRIBUTE unlabelled[G_N_ELEMENTS (tmpl)];
    CK_ATTRIBUTE empty_label[] = { { CKA_LABEL, NULL, 0 } };
    CK_ATTRIBUTE nul_label[] = { { CKA_LABEL, "a\0b", 3 } };
    CK_ATTRIBUTE invalid_label[] = { { CKA_LABEL, "\xff", 1 } };
    CK_OBJECT_HANDLE other;
    g_autoptr(GBytes) label = NULL;

    memcpy (unlabelled, tmpl, sizeof tmpl);
    unlabelled[3] = empty_label[0];
    unlabelled[4] = (CK_ATTRIBUTE) { CKA_ID, "e2", 2 };
    g_assert_cmpuint (p11->C_CreateObject (f->session, unlabelled, G_N_ELEMENTS (unlabelled), &other), ==, CKR_OK);
    label = get_attribute (f, other, CKA_LABEL);
    g_assert_cmpuint (g_bytes_get_size (label), ==, 0);
    g_assert_cmpuint (p11->C_SetAttributeValue (f->session, other, empty_label, 1), ==, CKR_OK);
    g_assert_cmpuint (p11->C_SetAttributeValue (f->session, other, nul_label, 1), ==, CKR_ATTRIBUTE_VALUE_INVALID);
    g_assert_cmpuint (p11->C_SetAttributeValue (f->session, other, invalid_label, 1), ==, CKR_ATTRIBUTE_VALUE_INVALID);
    unlabelled[3] = nul_label[0];
    g_assert_cmpuint (p11->C_CreateObject (f->session, unlabelled, G_N_ELEMENTS (unlabelled), &other), ==,
                      CKR_ATTRIBUTE_VALUE_INVALID);
    g_assert_cmpuint (p11->C_DestroyObject (f->session, find_by (f, CKO_CERTIFICATE, CKA_ID, "e2", 2)), ==, CKR_OK);
  }

  /* In the store: another instance of the module finds it, by its id. */
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &f->session), ==, CKR_OK);
  cert = find_by (f, CKO_CERTIFICATE, CKA_ID, "ec", 2);
  g_assert_cmpuint (cert, !=, CK_INVALID_HANDLE);
  g_assert_cmpuint (find_one (f, CKO_CERTIFICATE, "renamed"), ==, cert);

  g_assert_cmpuint (p11->C_DestroyObject (f->session, cert), ==, CKR_OK);
  g_assert_cmpuint (find_one (f, CKO_CERTIFICATE, NULL), ==, CK_INVALID_HANDLE);
}

/* DigestInfo prefixes of SHA-256, SHA-384 and SHA-512 (PKCS #1), as TLS
 * 1.2 and SSH hand them to CKM_RSA_PKCS */
static GBytes *
digest_info_of (ParsecHash  hash,
                const char *text)
{
  const guint8 sha256_prefix[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
                                   0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
  const guint8 sha384_prefix[] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
                                   0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 };
  const guint8 sha512_prefix[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
                                   0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };
  GChecksumType type = hash == PARSEC_HASH_SHA_384 ? G_CHECKSUM_SHA384
                       : hash == PARSEC_HASH_SHA_512 ? G_CHECKSUM_SHA512 : G_CHECKSUM_SHA256;
  const guint8 *prefix = hash == PARSEC_HASH_SHA_384 ? sha384_prefix
                         : hash == PARSEC_HASH_SHA_512 ? sha512_prefix : sha256_prefix;
  g_autoptr(GChecksum) checksum = g_checksum_new (type);
  GByteArray *info = g_byte_array_new ();
  guint8 digest[64];
  gsize len = sizeof digest;

  g_checksum_update (checksum, (const guchar *) text, strlen (text));
  g_checksum_get_digest (checksum, digest, &len);
  g_byte_array_append (info, prefix, sizeof sha256_prefix);
  g_byte_array_append (info, digest, len);
  return g_byte_array_free_to_bytes (info);
}

/* Every signing and decrypting mechanism the module lists starts on
 * @priv exactly when its CKA_ALLOWED_MECHANISMS names it; the others are
 * refused at C_SignInit or C_DecryptInit. */
static void
check_allowed_exact (Fixture          *f,
                     CK_OBJECT_HANDLE  priv)
{
  CK_MECHANISM_TYPE types[128];
  CK_ULONG n = G_N_ELEMENTS (types);
  guint listed_count = 0;

  g_assert_cmpuint (p11->C_GetMechanismList (f->slot, types, &n), ==, CKR_OK);
  for (CK_ULONG i = 0; i < n; i++)
    {
      CK_MECHANISM_INFO info;
      CK_MECHANISM_TYPE hash = types[i] == CKM_SHA384_RSA_PKCS_PSS ? CKM_SHA384
                               : types[i] == CKM_SHA512_RSA_PKCS_PSS ? CKM_SHA512 : CKM_SHA256;
      CK_RSA_PKCS_PSS_PARAMS pss = { hash, hash == CKM_SHA384 ? CKG_MGF1_SHA384 : hash == CKM_SHA512 ? CKG_MGF1_SHA512
                                                                                  : CKG_MGF1_SHA256,
                                     hash == CKM_SHA384 ? 48 : hash == CKM_SHA512 ? 64 : 32 };
      CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0 };
      gboolean is_pss = types[i] == CKM_RSA_PKCS_PSS || types[i] == CKM_SHA256_RSA_PKCS_PSS ||
                        types[i] == CKM_SHA384_RSA_PKCS_PSS || types[i] == CKM_SHA512_RSA_PKCS_PSS;
      CK_MECHANISM mechanism = { types[i], NULL, 0 };
      gboolean listed = has_mechanism (f, priv, types[i]);
      gboolean started = FALSE;
      guint8 out[1024];
      CK_ULONG len = sizeof out;
      CK_RV rv;

      if (is_pss)
        {
          mechanism.pParameter = &pss;
          mechanism.ulParameterLen = sizeof pss;
        }
      else if (types[i] == CKM_RSA_PKCS_OAEP)
        {
          mechanism.pParameter = &oaep;
          mechanism.ulParameterLen = sizeof oaep;
        }
      g_assert_cmpuint (p11->C_GetMechanismInfo (f->slot, types[i], &info), ==, CKR_OK);
      if (info.flags & CKF_SIGN)
        {
          rv = p11->C_SignInit (f->session, &mechanism, priv);
          if (rv == CKR_OK)
            {
              started = TRUE;
              /* Any answer but a size's ends the operation. */
              p11->C_Sign (f->session, (CK_BYTE_PTR) "x", 1, out, &len);
            }
          else
            /* A key that does not sign at all (CKA_SIGN false) says so. */
            g_assert_true (rv == CKR_MECHANISM_INVALID || rv == CKR_KEY_TYPE_INCONSISTENT ||
                           rv == CKR_MECHANISM_PARAM_INVALID || rv == CKR_KEY_FUNCTION_NOT_PERMITTED);
        }
      if (info.flags & CKF_DECRYPT)
        {
          rv = p11->C_DecryptInit (f->session, &mechanism, priv);
          if (rv == CKR_OK)
            {
              started = TRUE;
              len = sizeof out;
              p11->C_Decrypt (f->session, (CK_BYTE_PTR) "x", 1, out, &len);
            }
          else
            g_assert_true (rv == CKR_MECHANISM_INVALID || rv == CKR_KEY_TYPE_INCONSISTENT ||
                           rv == CKR_MECHANISM_PARAM_INVALID || rv == CKR_KEY_FUNCTION_NOT_PERMITTED);
        }
      if (!(info.flags & (CKF_SIGN | CKF_DECRYPT)))
        continue;
      g_test_message ("mechanism 0x%lx: listed %d, started %d", (gulong) types[i], listed, started);
      g_assert_cmpint (listed, ==, started);
      listed_count += listed;
    }
  g_assert_cmpuint (listed_count, >, 0);
}

static CK_RV
generate_pair (Fixture            *f,
               CK_SESSION_HANDLE   session,
               CK_MECHANISM_TYPE   type,
               CK_ATTRIBUTE       *public_tmpl,
               CK_ULONG            public_count,
               CK_ATTRIBUTE       *private_tmpl,
               CK_ULONG            private_count,
               CK_OBJECT_HANDLE   *pub,
               CK_OBJECT_HANDLE   *priv)
{
  CK_MECHANISM mechanism = { type, NULL, 0 };

  return p11->C_GenerateKeyPair (session, &mechanism, public_tmpl, public_count, private_tmpl, private_count,
                                 pub, priv);
}

static guint
count_service_keys (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = parsec_client_list_keys (f->client, NULL, &error);

  g_assert_no_error (error);
  return keys->len;
}

static void
test_policies (Fixture       *f,
               gconstpointer  user_data)
{
  const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  CK_BBOOL yes = CK_TRUE;
  CK_ULONG bits = 2048;
  CK_MECHANISM_TYPE ssh_mechanisms[] = { CKM_RSA_PKCS, CKM_SHA256_RSA_PKCS, CKM_SHA512_RSA_PKCS };
  CK_ATTRIBUTE rsa_public[] = {
    { CKA_MODULUS_BITS, &bits, sizeof bits },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_VERIFY, &yes, sizeof yes },
    { CKA_ENCRYPT, &yes, sizeof yes },
  };
  /* What pkcs11-tool --keypairgen and p11tool ask: signing and decryption */
  CK_ATTRIBUTE rsa_private[] = {
    { CKA_LABEL, "tls-rsa", 7 },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_SIGN, &yes, sizeof yes },
    { CKA_DECRYPT, &yes, sizeof yes },
  };
  CK_ATTRIBUTE ssh_private[] = {
    { CKA_LABEL, "ssh-rsa", 7 },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_SIGN, &yes, sizeof yes },
    { CKA_ALLOWED_MECHANISMS, ssh_mechanisms, sizeof ssh_mechanisms },
  };
  CK_ATTRIBUTE ec_public[] = {
    { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid },
    { CKA_TOKEN, &yes, sizeof yes },
  };
  CK_ATTRIBUTE ec_private[] = {
    { CKA_LABEL, "made-ec", 7 },
    { CKA_SIGN, &yes, sizeof yes },
  };
  CK_MECHANISM rsa_pkcs = { CKM_RSA_PKCS, NULL, 0 }, sha384_rsa = { CKM_SHA384_RSA_PKCS, NULL, 0 };
  CK_MECHANISM sha512_rsa = { CKM_SHA512_RSA_PKCS, NULL, 0 };
  CK_RSA_PKCS_PSS_PARAMS sha384_params = { CKM_SHA384, CKG_MGF1_SHA384, 48 };
  CK_MECHANISM pss_sha384 = { CKM_RSA_PKCS_PSS, &sha384_params, sizeof sha384_params };
  CK_OBJECT_HANDLE pub, priv;
  g_autoptr(GBytes) data = g_bytes_new_static ("for TLS", 7);
  guint8 out[512];
  CK_ULONG len;

  /* An RSA key made through the module serves TLS 1.2 and 1.3: RSA-PSS
   * for any hash, which every client asks first. */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_public, G_N_ELEMENTS (rsa_public),
                                   rsa_private, G_N_ELEMENTS (rsa_private), &pub, &priv), ==, CKR_OK);
  check_allowed_exact (f, priv);
  if (has_mechanism (f, priv, CKM_RSA_PKCS_PSS))
    {
      const CK_MECHANISM_TYPE hashes[] = { CKM_SHA256, CKM_SHA384, CKM_SHA512 };
      const CK_RSA_PKCS_MGF_TYPE mgfs[] = { CKG_MGF1_SHA256, CKG_MGF1_SHA384, CKG_MGF1_SHA512 };
      const gsize lengths[] = { 32, 48, 64 };

      g_assert_true (has_mechanism (f, priv, CKM_SHA256_RSA_PKCS_PSS));
      g_assert_true (has_mechanism (f, priv, CKM_SHA512_RSA_PKCS_PSS));
      g_assert_false (has_mechanism (f, priv, CKM_RSA_PKCS));
      for (gsize i = 0; i < G_N_ELEMENTS (hashes); i++)
        {
          CK_RSA_PKCS_PSS_PARAMS params = { hashes[i], mgfs[i], lengths[i] };
          CK_MECHANISM pss = { CKM_RSA_PKCS_PSS, &params, sizeof params };
          g_autoptr(GBytes) digest = g_bytes_new (g_bytes_get_data (data, NULL), 0);
          guint8 hash[64] = { 0 };
          g_autoptr(GBytes) signature = NULL;

          g_clear_pointer (&digest, g_bytes_unref);
          memset (hash, (int) i + 1, sizeof hash);
          digest = g_bytes_new (hash, lengths[i]);
          signature = sign (f, &pss, priv, digest);
          g_assert_cmpuint (verify (f, &pss, pub, digest, signature), ==, CKR_OK);
        }
      /* Raw PKCS #1 v1.5 is another algorithm: refused at the start. */
      g_assert_cmpuint (p11->C_SignInit (f->session, &rsa_pkcs, priv), ==, CKR_MECHANISM_INVALID);
      /* A PSA key has one algorithm: the key signs, it does not decrypt. */
      g_assert_false (get_bool (f, priv, CKA_DECRYPT));
      g_assert_cmpuint (p11->C_DecryptInit (f->session, &rsa_pkcs, priv), ==, CKR_KEY_FUNCTION_NOT_PERMITTED);
    }
  else
    {
      /* A service that makes no RSA-PSS key (the TPM provider) gets PKCS
       * #1 v1.5, which serves TLS 1.2 only where the client takes it. */
      g_test_message ("the service made no RSA-PSS key");
      g_assert_true (has_mechanism (f, priv, CKM_RSA_PKCS));
      g_assert_true (has_mechanism (f, priv, CKM_SHA256_RSA_PKCS));
    }

  /* For SSH, whose clients sign with CKM_RSA_PKCS: PKCS #1 v1.5 */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_public, G_N_ELEMENTS (rsa_public),
                                   ssh_private, G_N_ELEMENTS (ssh_private), &pub, &priv), ==, CKR_OK);
  check_allowed_exact (f, priv);
  g_assert_true (has_mechanism (f, priv, CKM_RSA_PKCS));
  g_assert_false (has_mechanism (f, priv, CKM_RSA_PKCS_PSS));
  {
    g_autoptr(GBytes) info = digest_info_of (PARSEC_HASH_SHA_512, "rsa-sha2-512");

    len = sizeof out;
    if (has_mechanism (f, priv, CKM_SHA512_RSA_PKCS))
      {
        g_autoptr(GBytes) signature = sign (f, &sha512_rsa, priv, data);

        g_assert_cmpuint (p11->C_SignInit (f->session, &rsa_pkcs, priv), ==, CKR_OK);
        g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) g_bytes_get_data (info, NULL), g_bytes_get_size (info),
                                       out, &len), ==, CKR_OK);
        g_assert_cmpuint (verify (f, &sha512_rsa, pub, data, signature), ==, CKR_OK);
      }
    else
      {
        /* For one hash (the TPM provider): the DigestInfo names the hash,
         * known only at C_Sign, which refuses its data. */
        g_assert_cmpuint (p11->C_SignInit (f->session, &rsa_pkcs, priv), ==, CKR_OK);
        g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) g_bytes_get_data (info, NULL), g_bytes_get_size (info),
                                       out, &len), ==, CKR_DATA_INVALID);
      }
  }

  /* A key of one hash lists that hash's mechanisms and no other. */
  make_key (f, "pkcs1-sha256", rsa_key (TRUE, parsec_algorithm_new_rsa_pkcs1v15_sign (PARSEC_HASH_SHA_256)));
  priv = find_one (f, CKO_PRIVATE_KEY, "pkcs1-sha256");
  check_allowed_exact (f, priv);
  g_assert_true (has_mechanism (f, priv, CKM_SHA256_RSA_PKCS));
  g_assert_false (has_mechanism (f, priv, CKM_SHA384_RSA_PKCS));
  g_assert_cmpuint (p11->C_SignInit (f->session, &sha384_rsa, priv), ==, CKR_MECHANISM_INVALID);
  {
    g_autoptr(GBytes) info = digest_info_of (PARSEC_HASH_SHA_384, "other hash");

    len = sizeof out;
    g_assert_cmpuint (p11->C_SignInit (f->session, &rsa_pkcs, priv), ==, CKR_OK);
    g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) g_bytes_get_data (info, NULL), g_bytes_get_size (info),
                                   out, &len), ==, CKR_DATA_INVALID);
  }
  if (make_key_if_served (f, "pss-sha256", rsa_key (TRUE, parsec_algorithm_new_rsa_pss (PARSEC_HASH_SHA_256))))
    {
      priv = find_one (f, CKO_PRIVATE_KEY, "pss-sha256");
      check_allowed_exact (f, priv);
      /* The parameters name the hash: refused at the start. */
      g_assert_cmpuint (p11->C_SignInit (f->session, &pss_sha384, priv), ==, CKR_MECHANISM_INVALID);
    }

  /* ECDSA: CKM_ECDSA's digest length names the hash; one no hash has is
   * refused at C_Sign. */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, G_N_ELEMENTS (ec_public),
                                   ec_private, G_N_ELEMENTS (ec_private), &pub, &priv), ==, CKR_OK);
  check_allowed_exact (f, priv);
  {
    CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };

    len = sizeof out;
    g_assert_cmpuint (p11->C_SignInit (f->session, &ecdsa, priv), ==, CKR_OK);
    g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) "seventeen bytes!!", 17, out, &len), ==,
                      CKR_DATA_LEN_RANGE);
  }
}

static void
test_templates (Fixture       *f,
                gconstpointer  user_data)
{
  const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ULONG bits = 2048;
  CK_MECHANISM_TYPE oaep_only[] = { CKM_RSA_PKCS_OAEP };
  CK_MECHANISM_TYPE two_algorithms[] = { CKM_RSA_PKCS_PSS, CKM_RSA_PKCS_OAEP };
  CK_MECHANISM_TYPE pss_only[] = { CKM_SHA256_RSA_PKCS_PSS };
  CK_ATTRIBUTE rsa_public[] = {
    { CKA_MODULUS_BITS, &bits, sizeof bits },
    { CKA_TOKEN, &yes, sizeof yes },
  };
  CK_ATTRIBUTE ec_public[] = {
    { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid },
    { CKA_TOKEN, &yes, sizeof yes },
  };
  CK_ATTRIBUTE sign_and_derive[] = {
    { CKA_LABEL, "both", 4 },
    { CKA_SIGN, &yes, sizeof yes },
    { CKA_DERIVE, &yes, sizeof yes },
  };
  CK_ATTRIBUTE decrypt_only[] = {
    { CKA_LABEL, "decrypter", 9 },
    { CKA_SIGN, &no, sizeof no },
    { CKA_DECRYPT, &yes, sizeof yes },
  };
  CK_ATTRIBUTE for_oaep[] = {
    { CKA_LABEL, "oaep", 4 },
    { CKA_DECRYPT, &yes, sizeof yes },
    { CKA_ALLOWED_MECHANISMS, oaep_only, sizeof oaep_only },
  };
  CK_ATTRIBUTE for_two[] = {
    { CKA_LABEL, "two", 3 },
    { CKA_ALLOWED_MECHANISMS, two_algorithms, sizeof two_algorithms },
  };
  CK_ATTRIBUTE pss_to_decrypt[] = {
    { CKA_LABEL, "pss-decrypt", 11 },
    { CKA_SIGN, &no, sizeof no },
    { CKA_DECRYPT, &yes, sizeof yes },
    { CKA_ALLOWED_MECHANISMS, pss_only, sizeof pss_only },
  };
  CK_ATTRIBUTE rsa_derive[] = {
    { CKA_LABEL, "rsa-derive", 10 },
    { CKA_DERIVE, &yes, sizeof yes },
  };
  CK_ATTRIBUTE session_private[] = {
    { CKA_LABEL, "half", 4 },
    { CKA_TOKEN, &no, sizeof no },
  };
  CK_MECHANISM pkcs1 = { CKM_RSA_PKCS, NULL, 0 };
  CK_OBJECT_HANDLE pub, priv;
  guint before = count_service_keys (f);
  guint8 encrypted[256], plain[256];
  CK_ULONG encrypted_len = sizeof encrypted, plain_len = sizeof plain;
  guint8 *misaligned;

  /* What no PSA key can be is refused, and nothing is made. */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, G_N_ELEMENTS (ec_public),
                                   sign_and_derive, G_N_ELEMENTS (sign_and_derive), &pub, &priv),
                    ==, CKR_TEMPLATE_INCONSISTENT);
  g_assert_cmpuint (generate_pair (f, f->session, CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_public, G_N_ELEMENTS (rsa_public),
                                   for_two, G_N_ELEMENTS (for_two), &pub, &priv), ==, CKR_TEMPLATE_INCONSISTENT);
  g_assert_cmpuint (generate_pair (f, f->session, CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_public, G_N_ELEMENTS (rsa_public),
                                   pss_to_decrypt, G_N_ELEMENTS (pss_to_decrypt), &pub, &priv),
                    ==, CKR_TEMPLATE_INCONSISTENT);
  g_assert_cmpuint (generate_pair (f, f->session, CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_public, G_N_ELEMENTS (rsa_public),
                                   rsa_derive, G_N_ELEMENTS (rsa_derive), &pub, &priv), ==, CKR_TEMPLATE_INCONSISTENT);
  /* A token object and a session object at once */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, G_N_ELEMENTS (ec_public),
                                   session_private, G_N_ELEMENTS (session_private), &pub, &priv),
                    ==, CKR_TEMPLATE_INCONSISTENT);
  g_assert_cmpuint (count_service_keys (f), ==, before);

  /* A key for decryption only decrypts PKCS #1 v1.5, as CKM_RSA_PKCS
   * encrypts (pkcs11-tool --test does). */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_public, G_N_ELEMENTS (rsa_public),
                                   decrypt_only, G_N_ELEMENTS (decrypt_only), &pub, &priv), ==, CKR_OK);
  check_allowed_exact (f, priv);
  g_assert_true (has_mechanism (f, priv, CKM_RSA_PKCS));
  g_assert_false (get_bool (f, priv, CKA_SIGN));
  g_assert_true (get_bool (f, priv, CKA_DECRYPT));
  g_assert_true (get_bool (f, pub, CKA_ENCRYPT));
  g_assert_cmpuint (p11->C_EncryptInit (f->session, &pkcs1, pub), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Encrypt (f->session, (CK_BYTE_PTR) "sealed", 6, encrypted, &encrypted_len), ==, CKR_OK);
  g_assert_cmpuint (p11->C_DecryptInit (f->session, &pkcs1, priv), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Decrypt (f->session, encrypted, encrypted_len, plain, &plain_len), ==, CKR_OK);
  g_assert_cmpmem (plain, plain_len, "sealed", 6);

  /* CKA_ALLOWED_MECHANISMS chooses OAEP; the application's array need
   * not be aligned. */
  misaligned = g_malloc (sizeof oaep_only + 1);
  memcpy (misaligned + 1, oaep_only, sizeof oaep_only);
  for_oaep[2].pValue = misaligned + 1;
  g_assert_cmpuint (generate_pair (f, f->session, CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_public, G_N_ELEMENTS (rsa_public),
                                   for_oaep, G_N_ELEMENTS (for_oaep), &pub, &priv), ==, CKR_OK);
  g_free (misaligned);
  check_allowed_exact (f, priv);
  g_assert_true (has_mechanism (f, priv, CKM_RSA_PKCS_OAEP));
  g_assert_false (has_mechanism (f, priv, CKM_RSA_PKCS));
}

/* The key names of the service that end with @label */
static guint
count_named (Fixture    *f,
             const char *suffix)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) keys = parsec_client_list_keys (f->client, NULL, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < keys->len; i++)
    {
      const char *name = parsec_key_get_name (g_ptr_array_index (keys, i));

      if (g_str_has_prefix (name, "pkcs11-session-") && g_str_has_suffix (name, suffix))
        n++;
    }
  return n;
}

static CK_SESSION_HANDLE
open_session (Fixture  *f,
              CK_FLAGS  flags)
{
  CK_SESSION_HANDLE session;

  g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION | flags, NULL, NULL, &session), ==, CKR_OK);
  return session;
}

/* A child process makes a session object and waits for a byte on @in,
 * then ends without closing anything. */
static pid_t
spawn_session_owner (Fixture    *f,
                     const char *label,
                     int        *in)
{
  int ready[2], go[2];
  guint8 code = 0xff;
  pid_t pid;

  g_assert_cmpint (pipe (ready), ==, 0);
  g_assert_cmpint (pipe (go), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
      CK_ATTRIBUTE pub_tmpl[] = { { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid } };
      CK_ATTRIBUTE priv_tmpl[] = { { CKA_LABEL, (void *) label, strlen (label) } };
      CK_MECHANISM mechanism = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
      CK_OBJECT_HANDLE pub, priv;
      CK_SESSION_HANDLE session;
      CK_SLOT_ID slot;
      CK_ULONG n = 1;

      code = 0;
      if (p11->C_Initialize (NULL) != CKR_OK ||
          p11->C_GetSlotList (CK_TRUE, &slot, &n) != CKR_OK ||
          p11->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session) != CKR_OK ||
          p11->C_GenerateKeyPair (session, &mechanism, pub_tmpl, 1, priv_tmpl, 1, &pub, &priv) != CKR_OK)
        code = 1;
      if (write (ready[1], &code, 1) != 1 || read (go[0], &code, 1) != 1)
        code = 2;
      /* As a crash would: nothing closed, no leak checks (see test_fork) */
      kill (getpid (), SIGKILL);
    }
  close (ready[1]);
  close (go[0]);
  g_assert_cmpint (read (ready[0], &code, 1), ==, 1);
  close (ready[0]);
  g_assert_cmpint (code, ==, 0);
  *in = go[1];
  return pid;
}

static void
reinitialize (Fixture *f)
{
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  f->session = open_session (f, CKF_RW_SESSION);
  /* A search reads the service's keys again. */
  find_one (f, CKO_PRIVATE_KEY, "none");
}

static void
test_session_objects (Fixture       *f,
                      gconstpointer  user_data)
{
  const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ATTRIBUTE ec_public[] = { { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid } };
  CK_ATTRIBUTE temp[] = { { CKA_LABEL, "temp", 4 } };
  CK_ATTRIBUTE temp2[] = { { CKA_LABEL, "temp2", 5 }, { CKA_TOKEN, &no, sizeof no } };
  CK_ATTRIBUTE temp3[] = { { CKA_LABEL, "temp3", 5 } };
  CK_ATTRIBUTE token[] = { { CKA_LABEL, "kept", 4 }, { CKA_TOKEN, &yes, sizeof yes } };
  CK_MECHANISM ecdsa = { CKM_ECDSA_SHA256, NULL, 0 };
  CK_SESSION_HANDLE read_only = open_session (f, 0), other;
  CK_OBJECT_HANDLE pub, priv, pub2, priv2;
  g_autoptr(GBytes) data = g_bytes_new_static ("for now", 7);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) label = NULL;
  g_autoptr(GBytes) id = NULL;
  int go;
  pid_t owner;

  /* Session objects (PKCS #11's default) are made in read-only sessions,
   * token objects are not. */
  g_assert_cmpuint (generate_pair (f, read_only, CKM_EC_KEY_PAIR_GEN, ec_public, 1, token, 2, &pub, &priv),
                    ==, CKR_SESSION_READ_ONLY);
  /* Their names are theirs alone. */
  {
    CK_ATTRIBUTE impostor[] = { { CKA_LABEL, "pkcs11-session-0-0-0-0-0-x", 26 }, { CKA_TOKEN, &yes, sizeof yes } };

    g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, 1, impostor, 2, &pub, &priv),
                      ==, CKR_ATTRIBUTE_VALUE_INVALID);
  }
  g_assert_cmpuint (generate_pair (f, read_only, CKM_EC_KEY_PAIR_GEN, ec_public, 1, temp, 1, &pub, &priv), ==, CKR_OK);
  g_assert_false (get_bool (f, priv, CKA_TOKEN));
  g_assert_false (get_bool (f, pub, CKA_TOKEN));
  label = get_attribute (f, priv, CKA_LABEL);
  g_assert_cmpmem (g_bytes_get_data (label, NULL), g_bytes_get_size (label), "temp", 4);
  id = get_attribute (f, pub, CKA_ID);
  g_assert_cmpmem (g_bytes_get_data (id, NULL), g_bytes_get_size (id), "temp", 4);
  g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "temp"), ==, priv);
  signature = sign (f, &ecdsa, priv, data);
  g_assert_cmpuint (verify (f, &ecdsa, pub, data, signature), ==, CKR_OK);
  /* In the service, under a name that says whose it is */
  g_assert_cmpuint (count_named (f, "-temp"), ==, 1);

  /* It ends with its session. */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, 1, temp2, 2, &pub2, &priv2),
                    ==, CKR_OK);
  g_assert_cmpuint (p11->C_CloseSession (read_only), ==, CKR_OK);
  g_assert_cmpuint (count_named (f, "-temp"), ==, 0);
  g_assert_cmpuint (p11->C_GetAttributeValue (f->session, priv, (CK_ATTRIBUTE[]) { { CKA_LABEL, NULL, 0 } }, 1),
                    ==, CKR_OBJECT_HANDLE_INVALID);
  g_assert_cmpuint (count_named (f, "-temp2"), ==, 1);
  g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "temp2"), ==, priv2);
  g_assert_cmpuint (p11->C_CloseAllSessions (f->slot), ==, CKR_OK);
  g_assert_cmpuint (count_named (f, "-temp2"), ==, 0);

  /* And with the module's instance; destroying it before works too. */
  f->session = open_session (f, CKF_RW_SESSION);
  other = open_session (f, 0);
  g_assert_cmpuint (generate_pair (f, other, CKM_EC_KEY_PAIR_GEN, ec_public, 1, temp3, 1, &pub, &priv), ==, CKR_OK);
  g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, 1, temp, 1, &pub2, &priv2),
                    ==, CKR_OK);
  g_assert_cmpuint (p11->C_DestroyObject (other, priv2), ==, CKR_OK);
  g_assert_cmpuint (count_named (f, "-temp"), ==, 0);
  g_assert_cmpuint (count_named (f, "-temp3"), ==, 1);
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_assert_cmpuint (count_named (f, "-temp3"), ==, 0);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  f->session = open_session (f, CKF_RW_SESSION);

  /* A process that ends without closing leaves its session object: hidden
   * from others while it runs, destroyed once it is gone. */
  owner = spawn_session_owner (f, "orphan", &go);
  g_assert_cmpuint (count_named (f, "-orphan"), ==, 1);
  reinitialize (f);
  g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "orphan"), ==, CK_INVALID_HANDLE);
  g_assert_cmpuint (count_named (f, "-orphan"), ==, 1);
  g_assert_cmpint (write (go, "", 1), ==, 1);
  close (go);
  g_assert_cmpint (waitpid (owner, NULL, 0), ==, owner);
  reinitialize (f);
  g_assert_cmpuint (count_named (f, "-orphan"), ==, 0);

  /* So is one of a former boot. */
  make_key (f, "pkcs11-session-zzzzzzzz-1-1-1-0-rebooted",
            parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  reinitialize (f);
  g_assert_cmpuint (count_named (f, "-rebooted"), ==, 0);
  /* One of another pid namespace, whose processes it cannot see, stays
   * (and is not listed). */
  {
    g_autofree char *boot_id = NULL;
    g_autofree char *name = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (g_file_get_contents ("/proc/sys/kernel/random/boot_id", &boot_id, NULL, NULL));
    boot_id[8] = '\0';
    name = g_strdup_printf ("pkcs11-session-%s-1-7ffffffe-1-0-elsewhere", boot_id);
    make_key (f, name, parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
    reinitialize (f);
    g_assert_cmpuint (count_named (f, "-elsewhere"), ==, 1);
    g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "elsewhere"), ==, CK_INVALID_HANDLE);
    g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, name), ==, CK_INVALID_HANDLE);
    parsec_client_destroy_key (f->client, name, NULL, &error);
    g_assert_no_error (error);
  }

  /* Certificates without CKA_TOKEN are session objects too, kept by the
   * module alone. */
  {
    g_autoptr(GBytes) der = make_certificate ("for the session");
    CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
    CK_ATTRIBUTE tmpl[] = {
      { CKA_CLASS, &klass, sizeof klass },
      { CKA_LABEL, "brief cert", 10 },
      { CKA_VALUE, (void *) g_bytes_get_data (der, NULL), g_bytes_get_size (der) },
      { CKA_TOKEN, &yes, sizeof yes },
    };
    CK_ATTRIBUTE relabel[] = { { CKA_LABEL, "renamed", 7 } };
    CK_OBJECT_HANDLE cert;

    read_only = open_session (f, 0);
    g_assert_cmpuint (p11->C_CreateObject (read_only, tmpl, G_N_ELEMENTS (tmpl), &cert), ==, CKR_SESSION_READ_ONLY);
    g_assert_cmpuint (p11->C_CreateObject (read_only, tmpl, G_N_ELEMENTS (tmpl) - 1, &cert), ==, CKR_OK);
    g_assert_false (get_bool (f, cert, CKA_TOKEN));
    g_assert_cmpuint (p11->C_SetAttributeValue (read_only, cert, relabel, 1), ==, CKR_OK);
    g_assert_cmpuint (find_one (f, CKO_CERTIFICATE, "renamed"), ==, cert);
    g_assert_cmpuint (p11->C_CloseSession (read_only), ==, CKR_OK);
    g_assert_cmpuint (find_one (f, CKO_CERTIFICATE, NULL), ==, CK_INVALID_HANDLE);
    /* Never in the store */
    read_only = open_session (f, 0);
    g_assert_cmpuint (p11->C_CreateObject (read_only, tmpl, G_N_ELEMENTS (tmpl) - 1, &cert), ==, CKR_OK);
    reinitialize (f);
    g_assert_cmpuint (find_one (f, CKO_CERTIFICATE, NULL), ==, CK_INVALID_HANDLE);
  }
}

/* Whether @value is the bytes @data, @len long */
static void
assert_bytes (GBytes        *value,
              gconstpointer  data,
              gsize          len)
{
  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), data, len);
}

/* CKO_DATA: token objects in the store, session objects in the module's
 * memory (allowed in a read-only session, gone with it), found by
 * CKA_APPLICATION, changed, copied, destroyed. */
static void
test_data_objects (Fixture       *f,
                   gconstpointer  user_data)
{
  CK_OBJECT_CLASS data_class = CKO_DATA, key_class = CKO_PUBLIC_KEY;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  /* The application's name with its NUL, as applications give it */
  const char kept_app[] = "kept-app", passing_app[] = "passing-app", fixed_app[] = "fixed-app";
  const guint8 secret[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01 };
  const guint8 changed[] = { 0xfa, 0xce, 0xfe, 0xed };
  const guint8 oid[] = { 0x06, 0x03, 0x2a, 0x03, 0x04 };
  CK_ATTRIBUTE kept[] = {
    { CKA_CLASS, &data_class, sizeof data_class },
    { CKA_APPLICATION, (void *) kept_app, sizeof kept_app },
    { CKA_VALUE, (void *) secret, sizeof secret },
    { CKA_OBJECT_ID, (void *) oid, sizeof oid },
    { CKA_LABEL, "kept", 4 },
    { CKA_PRIVATE, &no, sizeof no },
    { CKA_TOKEN, &yes, sizeof yes },
  };
  CK_ATTRIBUTE passing[] = {
    { CKA_CLASS, &data_class, sizeof data_class },
    { CKA_APPLICATION, (void *) passing_app, sizeof passing_app },
    { CKA_VALUE, (void *) secret, sizeof secret },
  };
  CK_ATTRIBUTE fixed[] = {
    { CKA_CLASS, &data_class, sizeof data_class },
    { CKA_APPLICATION, (void *) fixed_app, sizeof fixed_app },
    { CKA_MODIFIABLE, &no, sizeof no },
  };
  CK_ATTRIBUTE private_one[] = {
    { CKA_CLASS, &data_class, sizeof data_class },
    { CKA_PRIVATE, &yes, sizeof yes },
  };
  CK_ATTRIBUTE relabel[] = {
    { CKA_LABEL, "renamed", 7 },
    { CKA_VALUE, (void *) changed, sizeof changed },
  };
  CK_ATTRIBUTE copy_changes[] = {
    { CKA_TOKEN, &no, sizeof no },
    { CKA_APPLICATION, (void *) passing_app, sizeof passing_app },
    { CKA_LABEL, "copy", 4 },
  };
  CK_ATTRIBUTE other_class[] = { { CKA_CLASS, &key_class, sizeof key_class } };
  CK_ATTRIBUTE make_modifiable[] = { { CKA_MODIFIABLE, &yes, sizeof yes } };
  CK_ATTRIBUTE id_attribute = { CKA_ID, NULL, 0 };
  CK_SESSION_HANDLE read_only = open_session (f, 0);
  CK_OBJECT_HANDLE token_object, session_object, fixed_object, copy, found;
  CK_ULONG size;
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) label = NULL;
  g_autoptr(GBytes) application = NULL;

  g_assert_cmpuint (p11->C_CreateObject (f->session, private_one, G_N_ELEMENTS (private_one), &found), ==,
                    CKR_ATTRIBUTE_VALUE_INVALID);
  g_assert_cmpuint (p11->C_CreateObject (read_only, kept, G_N_ELEMENTS (kept), &token_object), ==,
                    CKR_SESSION_READ_ONLY);
  g_assert_cmpuint (p11->C_CreateObject (f->session, kept, G_N_ELEMENTS (kept), &token_object), ==, CKR_OK);
  /* A session object, in a read-only session */
  g_assert_cmpuint (p11->C_CreateObject (read_only, passing, G_N_ELEMENTS (passing), &session_object), ==, CKR_OK);
  g_assert_cmpuint (p11->C_CreateObject (f->session, fixed, G_N_ELEMENTS (fixed), &fixed_object), ==, CKR_OK);

  g_assert_cmpuint (find_by (f, CKO_DATA, CKA_APPLICATION, kept_app, sizeof kept_app), ==, token_object);
  g_assert_cmpuint (find_by (f, CKO_DATA, CKA_APPLICATION, passing_app, sizeof passing_app), ==, session_object);
  g_assert_cmpuint (find_by (f, CKO_DATA, CKA_OBJECT_ID, oid, sizeof oid), ==, token_object);
  value = get_attribute (f, token_object, CKA_VALUE);
  assert_bytes (value, secret, sizeof secret);
  g_clear_pointer (&value, g_bytes_unref);
  value = get_attribute (f, session_object, CKA_OBJECT_ID);
  g_assert_cmpuint (g_bytes_get_size (value), ==, 0);
  g_clear_pointer (&value, g_bytes_unref);
  g_assert_cmpuint (get_ulong (f, token_object, CKA_CLASS), ==, CKO_DATA);
  g_assert_true (get_bool (f, token_object, CKA_TOKEN));
  g_assert_false (get_bool (f, session_object, CKA_TOKEN));
  g_assert_true (get_bool (f, token_object, CKA_MODIFIABLE));
  g_assert_false (get_bool (f, fixed_object, CKA_MODIFIABLE));
  g_assert_true (get_bool (f, token_object, CKA_COPYABLE));
  /* Data objects have no CKA_ID. */
  g_assert_cmpuint (p11->C_GetAttributeValue (f->session, token_object, &id_attribute, 1), ==,
                    CKR_ATTRIBUTE_TYPE_INVALID);
  g_assert_cmpuint (p11->C_GetObjectSize (f->session, token_object, &size), ==, CKR_OK);
  g_assert_cmpuint (size, >=, sizeof secret + sizeof kept_app);
  g_assert_cmpuint (size, !=, CK_UNAVAILABLE_INFORMATION);

  /* Changed where CKA_MODIFIABLE, in a read-write session for a token object */
  g_assert_cmpuint (p11->C_SetAttributeValue (read_only, token_object, relabel, G_N_ELEMENTS (relabel)), ==,
                    CKR_SESSION_READ_ONLY);
  g_assert_cmpuint (p11->C_SetAttributeValue (f->session, token_object, relabel, G_N_ELEMENTS (relabel)), ==, CKR_OK);
  g_assert_cmpuint (p11->C_SetAttributeValue (read_only, session_object, relabel, 1), ==, CKR_OK);
  g_assert_cmpuint (p11->C_SetAttributeValue (f->session, fixed_object, relabel, 1), ==, CKR_ACTION_PROHIBITED);
  g_assert_cmpuint (p11->C_SetAttributeValue (f->session, token_object, other_class, 1), ==, CKR_ATTRIBUTE_READ_ONLY);
  label = get_attribute (f, session_object, CKA_LABEL);
  assert_bytes (label, "renamed", 7);

  /* A copy: a session object of its own, with the template's changes */
  g_assert_cmpuint (p11->C_CopyObject (f->session, token_object, other_class, 1, &copy), ==, CKR_ATTRIBUTE_READ_ONLY);
  g_assert_cmpuint (p11->C_CopyObject (f->session, fixed_object, make_modifiable, 1, &copy), ==,
                    CKR_ATTRIBUTE_READ_ONLY);
  g_assert_cmpuint (p11->C_CopyObject (f->session, token_object, copy_changes, G_N_ELEMENTS (copy_changes), &copy), ==,
                    CKR_OK);
  g_assert_cmpuint (copy, !=, token_object);
  g_assert_false (get_bool (f, copy, CKA_TOKEN));
  value = get_attribute (f, copy, CKA_VALUE);
  assert_bytes (value, changed, sizeof changed);
  g_clear_pointer (&value, g_bytes_unref);
  value = get_attribute (f, copy, CKA_OBJECT_ID);
  assert_bytes (value, oid, sizeof oid);
  g_clear_pointer (&value, g_bytes_unref);
  g_assert_cmpuint (p11->C_DestroyObject (f->session, copy), ==, CKR_OK);
  g_assert_cmpuint (p11->C_GetObjectSize (f->session, copy, &size), ==, CKR_OBJECT_HANDLE_INVALID);
  g_assert_cmpuint (p11->C_CopyObject (read_only, session_object, NULL, 0, &copy), ==, CKR_OK);

  /* Session objects go with their session. */
  g_assert_cmpuint (p11->C_CloseSession (read_only), ==, CKR_OK);
  g_assert_cmpuint (find_by (f, CKO_DATA, CKA_APPLICATION, passing_app, sizeof passing_app), ==, CK_INVALID_HANDLE);
  g_assert_cmpuint (p11->C_GetObjectSize (f->session, copy, &size), ==, CKR_OBJECT_HANDLE_INVALID);

  /* Token objects stay, as last changed, across initialisations. */
  reinitialize (f);
  token_object = find_by (f, CKO_DATA, CKA_APPLICATION, kept_app, sizeof kept_app);
  g_assert_cmpuint (token_object, !=, CK_INVALID_HANDLE);
  value = get_attribute (f, token_object, CKA_VALUE);
  assert_bytes (value, changed, sizeof changed);
  g_clear_pointer (&value, g_bytes_unref);
  g_clear_pointer (&label, g_bytes_unref);
  label = get_attribute (f, token_object, CKA_LABEL);
  assert_bytes (label, "renamed", 7);
  application = get_attribute (f, token_object, CKA_APPLICATION);
  assert_bytes (application, kept_app, sizeof kept_app);
  /* The one made in the fixture's former session went with it. */
  g_assert_cmpuint (find_by (f, CKO_DATA, CKA_APPLICATION, fixed_app, sizeof fixed_app), ==, CK_INVALID_HANDLE);

  g_assert_cmpuint (p11->C_DestroyObject (f->session, token_object), ==, CKR_OK);
  reinitialize (f);
  g_assert_cmpuint (find_by (f, CKO_DATA, CKA_APPLICATION, kept_app, sizeof kept_app), ==, CK_INVALID_HANDLE);
}

/* CKO_PUBLIC_KEY made from its parts: imported into the service, a session
 * object by default (in a read-only session too, gone with it) or a token
 * object, and verifying what the key pair it came from signs. */
static void
test_public_import (Fixture       *f,
                    gconstpointer  user_data)
{
  const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;
  CK_KEY_TYPE ec_type = CKK_EC, rsa_type = CKK_RSA;
  CK_ULONG modulus_bits = 2048;
  CK_BBOOL yes = CK_TRUE;
  CK_MECHANISM_TYPE pkcs_sha256 = CKM_SHA256_RSA_PKCS;
  CK_ATTRIBUTE ec_public[] = { { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid } };
  CK_ATTRIBUTE rsa_public[] = { { CKA_MODULUS_BITS, &modulus_bits, sizeof modulus_bits } };
  CK_ATTRIBUTE rsa_private[] = { { CKA_ALLOWED_MECHANISMS, &pkcs_sha256, sizeof pkcs_sha256 } };
  CK_MECHANISM ecdsa = { CKM_ECDSA_SHA256, NULL, 0 };
  CK_MECHANISM rsa_pkcs = { CKM_SHA256_RSA_PKCS, NULL, 0 };
  CK_SESSION_HANDLE read_only = open_session (f, 0);
  CK_OBJECT_HANDLE pub, priv, imported;
  g_autoptr(GBytes) data = g_bytes_new_static ("signed elsewhere", 16);
  g_autoptr(GBytes) other = g_bytes_new_static ("signed elsewhere!", 17);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GBytes) point = NULL;
  g_autoptr(GBytes) modulus = NULL;
  g_autoptr(GBytes) exponent = NULL;
  g_autoptr(GBytes) again = NULL;
  CK_RV rv;

  /* Elliptic curve, a session object of a read-only session */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, 1, NULL, 0, &pub, &priv), ==, CKR_OK);
  point = get_attribute (f, pub, CKA_EC_POINT);
  {
    CK_ATTRIBUTE tmpl[] = {
      { CKA_CLASS, &public_class, sizeof public_class },
      { CKA_KEY_TYPE, &ec_type, sizeof ec_type },
      { CKA_LABEL, "imported-ec", 11 },
      { CKA_VERIFY, &yes, sizeof yes },
      { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid },
      { CKA_EC_POINT, (void *) g_bytes_get_data (point, NULL), g_bytes_get_size (point) },
      { CKA_TOKEN, &yes, sizeof yes },
    };

    g_assert_cmpuint (p11->C_CreateObject (read_only, tmpl, G_N_ELEMENTS (tmpl), &imported), ==, CKR_SESSION_READ_ONLY);
    g_assert_cmpuint (p11->C_CreateObject (read_only, tmpl, G_N_ELEMENTS (tmpl) - 2, &imported), ==,
                      CKR_TEMPLATE_INCOMPLETE);
    g_assert_cmpuint (p11->C_CreateObject (read_only, tmpl, G_N_ELEMENTS (tmpl) - 1, &imported), ==, CKR_OK);
  }
  g_assert_cmpuint (get_ulong (f, imported, CKA_CLASS), ==, CKO_PUBLIC_KEY);
  g_assert_cmpuint (get_ulong (f, imported, CKA_KEY_TYPE), ==, CKK_EC);
  g_assert_false (get_bool (f, imported, CKA_TOKEN));
  g_assert_true (get_bool (f, imported, CKA_VERIFY));
  again = get_attribute (f, imported, CKA_EC_POINT);
  g_assert_true (g_bytes_equal (again, point));
  g_clear_pointer (&again, g_bytes_unref);
  g_assert_cmpuint (find_one (f, CKO_PUBLIC_KEY, "imported-ec"), ==, imported);
  /* Its object has no private half. */
  g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "imported-ec"), ==, CK_INVALID_HANDLE);
  signature = sign (f, &ecdsa, priv, data);
  g_assert_cmpuint (verify (f, &ecdsa, imported, data, signature), ==, CKR_OK);
  g_assert_cmpuint (verify (f, &ecdsa, imported, other, signature), ==, CKR_SIGNATURE_INVALID);
  g_clear_pointer (&signature, g_bytes_unref);
  g_assert_cmpuint (p11->C_CloseSession (read_only), ==, CKR_OK);
  g_assert_cmpuint (find_one (f, CKO_PUBLIC_KEY, "imported-ec"), ==, CK_INVALID_HANDLE);
  g_assert_cmpuint (verify (f, &ecdsa, imported, data, data), ==, CKR_KEY_HANDLE_INVALID);

  /* A private key made from its scalar: a key pair, whose public half
   * shows too and verifies what it signs. */
  {
    CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
    guint8 scalar[31];
    CK_ATTRIBUTE tmpl[] = {
      { CKA_CLASS, &private_class, sizeof private_class },
      { CKA_KEY_TYPE, &ec_type, sizeof ec_type },
      { CKA_LABEL, "imported-private", 16 },
      { CKA_SIGN, &yes, sizeof yes },
      { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid },
      { CKA_VALUE, scalar, sizeof scalar },
    };

    /* 31 bytes: the leading zero left out */
    for (gsize i = 0; i < sizeof scalar; i++)
      scalar[i] = (guint8) (i + 1);
    g_assert_cmpuint (p11->C_CreateObject (f->session, tmpl, G_N_ELEMENTS (tmpl) - 1, &priv), ==,
                      CKR_TEMPLATE_INCOMPLETE);
    rv = p11->C_CreateObject (f->session, tmpl, G_N_ELEMENTS (tmpl), &priv);
    if (rv == CKR_TEMPLATE_INCONSISTENT)
      {
        /* A provider that imports public keys only (Parsec's TPM
         * provider) refuses the library as much. */
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) padded = NULL;
        g_autoptr(ParsecKey) probe = NULL;
        g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
        guint8 full[32] = { 0 };
        ParsecKeyAttributes *attributes =
          parsec_key_attributes_new_ecc (PARSEC_KEY_TYPE_ECC_KEY_PAIR, PARSEC_ECC_FAMILY_SECP_R1, 256,
                                         PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_VERIFY_HASH, algorithm);

        memcpy (full + 1, scalar, sizeof scalar);
        padded = g_bytes_new (full, sizeof full);
        probe = parsec_client_import_key (f->client, "probe-private-import", attributes, padded, NULL, &error);
        parsec_key_attributes_unref (attributes);
        g_assert_null (probe);
        g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_NOT_SUPPORTED);
        g_test_message ("the service imports no key pairs: %s", error->message);
      }
    else
      {
        g_assert_cmpuint (rv, ==, CKR_OK);
        g_assert_cmpuint (get_ulong (f, priv, CKA_CLASS), ==, CKO_PRIVATE_KEY);
        g_assert_false (get_bool (f, priv, CKA_TOKEN));
        pub = find_one (f, CKO_PUBLIC_KEY, "imported-private");
        g_assert_cmpuint (pub, !=, CK_INVALID_HANDLE);
        signature = sign (f, &ecdsa, priv, data);
        g_assert_cmpuint (verify (f, &ecdsa, pub, data, signature), ==, CKR_OK);
        g_clear_pointer (&signature, g_bytes_unref);
        g_assert_cmpuint (p11->C_DestroyObject (f->session, priv), ==, CKR_OK);
      }
  }

  /* RSA, a token object: it stays across initialisations. */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_RSA_PKCS_KEY_PAIR_GEN, rsa_public, 1, rsa_private, 1, &pub, &priv),
                    ==, CKR_OK);
  modulus = get_attribute (f, pub, CKA_MODULUS);
  exponent = get_attribute (f, pub, CKA_PUBLIC_EXPONENT);
  {
    CK_ATTRIBUTE tmpl[] = {
      { CKA_CLASS, &public_class, sizeof public_class },
      { CKA_KEY_TYPE, &rsa_type, sizeof rsa_type },
      { CKA_LABEL, "imported-rsa", 12 },
      { CKA_ALLOWED_MECHANISMS, &pkcs_sha256, sizeof pkcs_sha256 },
      { CKA_MODULUS, (void *) g_bytes_get_data (modulus, NULL), g_bytes_get_size (modulus) },
      { CKA_PUBLIC_EXPONENT, (void *) g_bytes_get_data (exponent, NULL), g_bytes_get_size (exponent) },
      { CKA_TOKEN, &yes, sizeof yes },
    };

    g_assert_cmpuint (p11->C_CreateObject (f->session, tmpl, G_N_ELEMENTS (tmpl), &imported), ==, CKR_OK);
  }
  g_assert_true (get_bool (f, imported, CKA_TOKEN));
  again = get_attribute (f, imported, CKA_MODULUS);
  g_assert_true (g_bytes_equal (again, modulus));
  signature = sign (f, &rsa_pkcs, priv, data);
  reinitialize (f);
  imported = find_one (f, CKO_PUBLIC_KEY, "imported-rsa");
  g_assert_cmpuint (imported, !=, CK_INVALID_HANDLE);
  g_assert_cmpuint (verify (f, &rsa_pkcs, imported, data, signature), ==, CKR_OK);
  g_assert_cmpuint (verify (f, &rsa_pkcs, imported, other, signature), ==, CKR_SIGNATURE_INVALID);
  g_assert_cmpuint (p11->C_DestroyObject (f->session, imported), ==, CKR_OK);
  g_assert_cmpuint (find_one (f, CKO_PUBLIC_KEY, "imported-rsa"), ==, CK_INVALID_HANDLE);
}

static void
test_destroy_public (Fixture       *f,
                     gconstpointer  user_data)
{
  const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE ec_public[] = { { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid } };
  CK_ATTRIBUTE kept[] = { { CKA_LABEL, "kept", 4 }, { CKA_TOKEN, &yes, sizeof yes } };
  CK_ATTRIBUTE session_key[] = { { CKA_LABEL, "brief", 5 } };
  CK_MECHANISM ecdsa = { CKM_ECDSA_SHA256, NULL, 0 };
  CK_OBJECT_HANDLE pub, priv;
  g_autoptr(GBytes) data = g_bytes_new_static ("still signs", 11);
  g_autoptr(GBytes) signature = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecAlgorithm) algorithm = parsec_algorithm_new_ecdsa (PARSEC_HASH_SHA_256);
  g_autoptr(GBytes) digest = sha256 (data);

  for (guint round = 0; round < 2; round++)
    {
      CK_ATTRIBUTE *tmpl = round == 0 ? kept : session_key;

      g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, 1, tmpl, round == 0 ? 2 : 1,
                                       &pub, &priv), ==, CKR_OK);
      /* The usual clean-up: the public half, then the private key */
      g_assert_cmpuint (p11->C_DestroyObject (f->session, pub), ==, CKR_OK);
      g_assert_cmpuint (p11->C_DestroyObject (f->session, pub), ==, CKR_OBJECT_HANDLE_INVALID);
      g_assert_cmpuint (find_one (f, CKO_PUBLIC_KEY, round == 0 ? "kept" : "brief"), ==, CK_INVALID_HANDLE);
      g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, round == 0 ? "kept" : "brief"), ==, priv);
      g_clear_pointer (&signature, g_bytes_unref);
      signature = sign (f, &ecdsa, priv, data);
      if (round == 0)
        {
          /* The key is whole in the service, and the public object stays
           * gone for the token. */
          parsec_client_verify_hash (f->client, "kept", algorithm, digest, signature, NULL, &error);
          g_assert_no_error (error);
          reinitialize (f);
          g_assert_cmpuint (find_one (f, CKO_PUBLIC_KEY, "kept"), ==, CK_INVALID_HANDLE);
          priv = find_one (f, CKO_PRIVATE_KEY, "kept");
          g_assert_cmpuint (priv, !=, CK_INVALID_HANDLE);
        }
      g_assert_cmpuint (p11->C_DestroyObject (f->session, priv), ==, CKR_OK);
      g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, round == 0 ? "kept" : "brief"), ==, CK_INVALID_HANDLE);
    }
  g_assert_cmpuint (count_service_keys (f), ==, 0);

  /* A key of the same name made again has its public object, also where
   * the former one was destroyed behind the module's back. */
  g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, 1, kept, 2, &pub, &priv), ==, CKR_OK);
  g_assert_cmpuint (find_one (f, CKO_PUBLIC_KEY, "kept"), ==, pub);
  g_assert_cmpuint (p11->C_DestroyObject (f->session, pub), ==, CKR_OK);
  parsec_client_destroy_key (f->client, "kept", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (generate_pair (f, f->session, CKM_EC_KEY_PAIR_GEN, ec_public, 1, kept, 2, &pub, &priv), ==, CKR_OK);
  g_assert_cmpuint (find_one (f, CKO_PUBLIC_KEY, "kept"), ==, pub);
}

/* A certificate for @spki, issued by a key of GnuTLS's own */
static GBytes *
make_certificate_for (GBytes     *spki,
                      const char *cn)
{
  gnutls_x509_privkey_t issuer;
  gnutls_pubkey_t subject_key;
  gnutls_x509_crt_t crt;
  gnutls_datum_t in = { (guchar *) g_bytes_get_data (spki, NULL), g_bytes_get_size (spki) }, out;
  guint8 serial[] = { 0x03, 0x04 };
  GBytes *der;

  g_assert_cmpint (gnutls_x509_privkey_init (&issuer), ==, 0);
  g_assert_cmpint (gnutls_x509_privkey_generate (issuer, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0), ==, 0);
  g_assert_cmpint (gnutls_pubkey_init (&subject_key), ==, 0);
  g_assert_cmpint (gnutls_pubkey_import (subject_key, &in, GNUTLS_X509_FMT_DER), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_init (&crt), ==, 0);
  gnutls_x509_crt_set_version (crt, 3);
  gnutls_x509_crt_set_serial (crt, serial, sizeof serial);
  gnutls_x509_crt_set_activation_time (crt, time (NULL) - 60);
  gnutls_x509_crt_set_expiration_time (crt, time (NULL) + 3600);
  gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, cn, strlen (cn));
  gnutls_x509_crt_set_issuer_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0, "issuer", 6);
  g_assert_cmpint (gnutls_x509_crt_set_pubkey (crt, subject_key), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_sign2 (crt, crt, issuer, GNUTLS_DIG_SHA256, 0), ==, 0);
  g_assert_cmpint (gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_DER, &out), ==, 0);
  der = g_bytes_new (out.data, out.size);
  gnutls_free (out.data);
  gnutls_x509_crt_deinit (crt);
  gnutls_pubkey_deinit (subject_key);
  gnutls_x509_privkey_deinit (issuer);
  return der;
}

static CK_OBJECT_HANDLE
store_certificate (Fixture    *f,
                   GBytes     *der,
                   const char *label,
                   const void *id,
                   gsize       id_len)
{
  CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE type = CKC_X_509;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_CERTIFICATE_TYPE, &type, sizeof type },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_LABEL, (void *) label, strlen (label) },
    { CKA_VALUE, (void *) g_bytes_get_data (der, NULL), g_bytes_get_size (der) },
    { CKA_ID, (void *) id, id_len },
  };
  CK_OBJECT_HANDLE object;

  g_assert_cmpuint (p11->C_CreateObject (f->session, tmpl, id != NULL ? G_N_ELEMENTS (tmpl) : G_N_ELEMENTS (tmpl) - 1,
                                         &object), ==, CKR_OK);
  return object;
}

static void
assert_id (Fixture          *f,
           CK_OBJECT_HANDLE  object,
           const void       *id,
           gsize             len)
{
  g_autoptr(GBytes) value = get_attribute (f, object, CKA_ID);

  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), id, len);
}

static void
test_certificate_pairing (Fixture       *f,
                          gconstpointer  user_data)
{
  /* NSS gives a certificate the SHA-1 of its public key as CKA_ID */
  const guint8 nss_id[20] = { 0x5a, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
                              0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13 };
  CK_OBJECT_HANDLE pub, priv, first, second, unrelated;
  g_autoptr(GBytes) spki = NULL;
  g_autoptr(GBytes) der = NULL;
  g_autoptr(GBytes) other = make_certificate ("someone else");

  make_key (f, "web", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  pub = find_one (f, CKO_PUBLIC_KEY, "web");
  priv = find_one (f, CKO_PRIVATE_KEY, "web");
  spki = get_attribute (f, pub, CKA_PUBLIC_KEY_INFO);
  der = make_certificate_for (spki, "web.example");

  /* Without an id, the key's; with one of its own, the key takes it, and
   * the certificates it had keep pairing with it. */
  first = store_certificate (f, der, "first", NULL, 0);
  assert_id (f, first, "web", 3);
  second = store_certificate (f, der, "second", nss_id, sizeof nss_id);
  assert_id (f, second, nss_id, sizeof nss_id);
  assert_id (f, priv, nss_id, sizeof nss_id);
  assert_id (f, pub, nss_id, sizeof nss_id);
  assert_id (f, first, nss_id, sizeof nss_id);
  /* A certificate of no key here changes nothing. */
  unrelated = store_certificate (f, other, "other", "\x77", 1);
  assert_id (f, unrelated, "\x77", 1);
  assert_id (f, priv, nss_id, sizeof nss_id);

  /* It lasts. */
  reinitialize (f);
  priv = find_one (f, CKO_PRIVATE_KEY, "web");
  assert_id (f, priv, nss_id, sizeof nss_id);
  first = find_by (f, CKO_CERTIFICATE, CKA_LABEL, "first", 5);
  assert_id (f, first, nss_id, sizeof nss_id);
  g_assert_cmpuint (find_by (f, CKO_PRIVATE_KEY, CKA_ID, nss_id, sizeof nss_id), ==, priv);
}

/* Every call with the arguments a careless or hostile caller passes:
 * NULL pointers, short buffers, handles that are not there. None may
 * crash; each gets the code the standard names. */

typedef struct {
  Fixture *f;
  CK_OBJECT_HANDLE priv;
  CK_OBJECT_HANDLE pub;
} Hostile;

typedef CK_RV (*HostileCall) (Hostile *h);

typedef struct {
  const char *name;
  HostileCall call;
  CK_RV expected;
} HostileCase;

#define BAD_SESSION ((CK_SESSION_HANDLE) 0xdead)
#define BAD_OBJECT ((CK_OBJECT_HANDLE) 0xbeef)
#define BAD_SLOT ((CK_SLOT_ID) 4242)

static CK_MECHANISM ecdsa_mechanism = { CKM_ECDSA, NULL, 0 };
static CK_MECHANISM unknown_mechanism = { 0x7fff1234UL, NULL, 0 };
static CK_MECHANISM bad_param_mechanism = { CKM_ECDSA, NULL, 16 };

static CK_RV h_get_info_null (Hostile *h) { return p11->C_GetInfo (NULL); }
static CK_RV h_slot_list_null_count (Hostile *h) { return p11->C_GetSlotList (CK_TRUE, NULL, NULL); }
static CK_RV h_slot_list_short (Hostile *h)
{
  CK_SLOT_ID slots[1];
  CK_ULONG n = 0;
  CK_RV rv = p11->C_GetSlotList (CK_FALSE, slots, &n);

  return rv == CKR_BUFFER_TOO_SMALL && n == 1 ? rv : CKR_GENERAL_ERROR;
}
static CK_RV h_slot_info_bad (Hostile *h) { CK_SLOT_INFO i; return p11->C_GetSlotInfo (BAD_SLOT, &i); }
static CK_RV h_slot_info_null (Hostile *h) { return p11->C_GetSlotInfo (h->f->slot, NULL); }
static CK_RV h_token_info_bad (Hostile *h) { CK_TOKEN_INFO i; return p11->C_GetTokenInfo (BAD_SLOT, &i); }
static CK_RV h_token_info_null (Hostile *h) { return p11->C_GetTokenInfo (h->f->slot, NULL); }
static CK_RV h_mechanisms_null (Hostile *h) { return p11->C_GetMechanismList (h->f->slot, NULL, NULL); }
static CK_RV h_mechanisms_short (Hostile *h)
{
  CK_MECHANISM_TYPE list[2];
  CK_ULONG n = 2;
  CK_RV rv = p11->C_GetMechanismList (h->f->slot, list, &n);

  return rv == CKR_BUFFER_TOO_SMALL && n > 2 ? rv : CKR_GENERAL_ERROR;
}
static CK_RV h_mechanisms_bad_slot (Hostile *h) { CK_ULONG n; return p11->C_GetMechanismList (BAD_SLOT, NULL, &n); }
static CK_RV h_mechanism_info_null (Hostile *h) { return p11->C_GetMechanismInfo (h->f->slot, CKM_ECDSA, NULL); }
static CK_RV h_open_null (Hostile *h) { return p11->C_OpenSession (h->f->slot, CKF_SERIAL_SESSION, NULL, NULL, NULL); }
static CK_RV h_open_parallel (Hostile *h) { CK_SESSION_HANDLE s; return p11->C_OpenSession (h->f->slot, 0, NULL, NULL, &s); }
static CK_RV h_open_bad_slot (Hostile *h) { CK_SESSION_HANDLE s; return p11->C_OpenSession (BAD_SLOT, CKF_SERIAL_SESSION, NULL, NULL, &s); }
static CK_RV h_close_bad (Hostile *h) { return p11->C_CloseSession (BAD_SESSION); }
static CK_RV h_close_all_bad (Hostile *h) { return p11->C_CloseAllSessions (BAD_SLOT); }
static CK_RV h_session_info_null (Hostile *h) { return p11->C_GetSessionInfo (h->f->session, NULL); }
static CK_RV h_session_info_bad (Hostile *h) { CK_SESSION_INFO i; return p11->C_GetSessionInfo (BAD_SESSION, &i); }
static CK_RV h_login_null_pin (Hostile *h) { return p11->C_Login (h->f->session, CKU_USER, NULL, 4); }
static CK_RV h_login_bad_user (Hostile *h) { return p11->C_Login (h->f->session, 77, (CK_UTF8CHAR_PTR) "1234", 4); }
static CK_RV h_logout_not_in (Hostile *h) { return p11->C_Logout (h->f->session); }
static CK_RV h_find_init_null (Hostile *h) { return p11->C_FindObjectsInit (h->f->session, NULL, 3); }
static CK_RV h_find_init_bad_value (Hostile *h)
{
  CK_ATTRIBUTE a = { CKA_LABEL, NULL, 5 };

  return p11->C_FindObjectsInit (h->f->session, &a, 1);
}
static CK_RV h_find_not_init (Hostile *h) { CK_OBJECT_HANDLE o; CK_ULONG n; return p11->C_FindObjects (h->f->session, &o, 1, &n); }
static CK_RV h_find_final_not_init (Hostile *h) { return p11->C_FindObjectsFinal (h->f->session); }
static CK_RV h_find_null_count (Hostile *h)
{
  CK_OBJECT_HANDLE o;
  CK_RV rv;

  if (p11->C_FindObjectsInit (h->f->session, NULL, 0) != CKR_OK)
    return CKR_GENERAL_ERROR;
  rv = p11->C_FindObjects (h->f->session, &o, 1, NULL);
  p11->C_FindObjectsFinal (h->f->session);
  return rv;
}
static CK_RV h_find_twice (Hostile *h)
{
  CK_RV rv;

  if (p11->C_FindObjectsInit (h->f->session, NULL, 0) != CKR_OK)
    return CKR_GENERAL_ERROR;
  rv = p11->C_FindObjectsInit (h->f->session, NULL, 0);
  p11->C_FindObjectsFinal (h->f->session);
  return rv;
}
static CK_RV h_attr_bad_object (Hostile *h) { CK_ATTRIBUTE a = { CKA_CLASS, NULL, 0 }; return p11->C_GetAttributeValue (h->f->session, BAD_OBJECT, &a, 1); }
static CK_RV h_attr_bad_session (Hostile *h) { CK_ATTRIBUTE a = { CKA_CLASS, NULL, 0 }; return p11->C_GetAttributeValue (BAD_SESSION, h->priv, &a, 1); }
static CK_RV h_attr_null_template (Hostile *h) { return p11->C_GetAttributeValue (h->f->session, h->priv, NULL, 1); }
static CK_RV h_attr_zero (Hostile *h) { return p11->C_GetAttributeValue (h->f->session, h->priv, NULL, 0); }
static CK_RV h_set_attr_key (Hostile *h) { CK_ATTRIBUTE a = { CKA_LABEL, "x", 1 }; return p11->C_SetAttributeValue (h->f->session, h->priv, &a, 1); }
static CK_RV h_set_attr_null (Hostile *h) { return p11->C_SetAttributeValue (h->f->session, h->priv, NULL, 2); }
static CK_RV h_create_null (Hostile *h) { CK_OBJECT_HANDLE o; return p11->C_CreateObject (h->f->session, NULL, 1, &o); }
static CK_RV h_create_null_handle (Hostile *h) { CK_ATTRIBUTE a = { CKA_LABEL, "x", 1 }; return p11->C_CreateObject (h->f->session, &a, 1, NULL); }
static CK_RV h_create_empty (Hostile *h) { CK_OBJECT_HANDLE o; return p11->C_CreateObject (h->f->session, NULL, 0, &o); }
static CK_RV h_copy (Hostile *h) { CK_OBJECT_HANDLE o; return p11->C_CopyObject (h->f->session, h->priv, NULL, 0, &o); }
static CK_RV h_destroy_bad (Hostile *h) { return p11->C_DestroyObject (h->f->session, BAD_OBJECT); }
static CK_RV h_object_size_null (Hostile *h) { return p11->C_GetObjectSize (h->f->session, h->priv, NULL); }
static CK_RV h_sign_init_null (Hostile *h) { return p11->C_SignInit (h->f->session, NULL, h->priv); }
static CK_RV h_sign_init_bad_key (Hostile *h) { return p11->C_SignInit (h->f->session, &ecdsa_mechanism, BAD_OBJECT); }
static CK_RV h_sign_init_unknown (Hostile *h) { return p11->C_SignInit (h->f->session, &unknown_mechanism, h->priv); }
static CK_RV h_sign_init_bad_param (Hostile *h) { return p11->C_SignInit (h->f->session, &bad_param_mechanism, h->priv); }
static CK_RV h_sign_init_twice (Hostile *h)
{
  CK_RV rv;
  guint8 sig[64];
  CK_ULONG len = sizeof sig;

  if (p11->C_SignInit (h->f->session, &ecdsa_mechanism, h->priv) != CKR_OK)
    return CKR_GENERAL_ERROR;
  rv = p11->C_SignInit (h->f->session, &ecdsa_mechanism, h->priv);
  /* Ends the first with an error: data too short for the hash. */
  p11->C_Sign (h->f->session, (CK_BYTE_PTR) "x", 1, sig, &len);
  return rv;
}
static CK_RV h_sign_not_init (Hostile *h) { guint8 s[64]; CK_ULONG l = sizeof s; return p11->C_Sign (h->f->session, (CK_BYTE_PTR) "x", 1, s, &l); }
static CK_RV h_sign_null_len (Hostile *h)
{
  if (p11->C_SignInit (h->f->session, &ecdsa_mechanism, h->priv) != CKR_OK)
    return CKR_GENERAL_ERROR;
  return p11->C_Sign (h->f->session, (CK_BYTE_PTR) "x", 1, NULL, NULL);
}
static CK_RV h_sign_null_data (Hostile *h)
{
  guint8 s[64];
  CK_ULONG l = sizeof s;

  if (p11->C_SignInit (h->f->session, &ecdsa_mechanism, h->priv) != CKR_OK)
    return CKR_GENERAL_ERROR;
  return p11->C_Sign (h->f->session, NULL, 32, s, &l);
}
static CK_RV h_sign_update_null (Hostile *h)
{
  if (p11->C_SignInit (h->f->session, &ecdsa_mechanism, h->priv) != CKR_OK)
    return CKR_GENERAL_ERROR;
  return p11->C_SignUpdate (h->f->session, NULL, 8);
}
static CK_RV h_sign_update_huge (Hostile *h)
{
  static guint8 big[4096];

  if (p11->C_SignInit (h->f->session, &ecdsa_mechanism, h->priv) != CKR_OK)
    return CKR_GENERAL_ERROR;
  return p11->C_SignUpdate (h->f->session, big, sizeof big);
}
static CK_RV h_sign_final_null (Hostile *h)
{
  if (p11->C_SignInit (h->f->session, &ecdsa_mechanism, h->priv) != CKR_OK)
    return CKR_GENERAL_ERROR;
  return p11->C_SignFinal (h->f->session, NULL, NULL);
}
static CK_RV h_sign_bad_session (Hostile *h) { return p11->C_SignInit (BAD_SESSION, &ecdsa_mechanism, h->priv); }
static CK_RV h_verify_null_sig (Hostile *h)
{
  guint8 digest[32] = { 0 };

  if (p11->C_VerifyInit (h->f->session, &ecdsa_mechanism, h->pub) != CKR_OK)
    return CKR_GENERAL_ERROR;
  return p11->C_Verify (h->f->session, digest, sizeof digest, NULL, 64);
}
static CK_RV h_verify_final_not_init (Hostile *h) { return p11->C_VerifyFinal (h->f->session, (CK_BYTE_PTR) "x", 1); }
static CK_RV h_verify_with_private (Hostile *h) { return p11->C_VerifyInit (h->f->session, &ecdsa_mechanism, h->priv); }
static CK_RV h_encrypt_ec (Hostile *h) { return p11->C_EncryptInit (h->f->session, &ecdsa_mechanism, h->pub); }
static CK_RV h_encrypt_not_init (Hostile *h) { guint8 o[8]; CK_ULONG l = 8; return p11->C_Encrypt (h->f->session, o, 1, o, &l); }
static CK_RV h_encrypt_update_null (Hostile *h) { return p11->C_EncryptUpdate (h->f->session, (CK_BYTE_PTR) "x", 1, NULL, NULL); }
static CK_RV h_decrypt_not_init (Hostile *h) { guint8 o[8]; CK_ULONG l = 8; return p11->C_Decrypt (h->f->session, o, 1, o, &l); }
static CK_RV h_decrypt_final_null (Hostile *h) { return p11->C_DecryptFinal (h->f->session, NULL, NULL); }
static CK_RV h_digest (Hostile *h) { return p11->C_DigestInit (h->f->session, &ecdsa_mechanism); }
static CK_RV h_digest_bad_session (Hostile *h) { return p11->C_DigestInit (BAD_SESSION, &ecdsa_mechanism); }
static CK_RV h_random_null (Hostile *h) { return p11->C_GenerateRandom (h->f->session, NULL, 16); }
static CK_RV h_random_bad_session (Hostile *h) { guint8 r[4]; return p11->C_GenerateRandom (BAD_SESSION, r, 4); }
static CK_RV h_seed_null (Hostile *h) { return p11->C_SeedRandom (h->f->session, NULL, 4); }
static CK_RV h_keygen_null_mechanism (Hostile *h) { CK_OBJECT_HANDLE a, b; return p11->C_GenerateKeyPair (h->f->session, NULL, NULL, 0, NULL, 0, &a, &b); }
static CK_RV h_keygen_null_handles (Hostile *h)
{
  CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };

  return p11->C_GenerateKeyPair (h->f->session, &m, NULL, 0, NULL, 0, NULL, NULL);
}
static CK_RV h_keygen_null_template (Hostile *h)
{
  CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
  CK_OBJECT_HANDLE a, b;

  return p11->C_GenerateKeyPair (h->f->session, &m, NULL, 2, NULL, 0, &a, &b);
}
static CK_RV h_keygen_bad_mechanism (Hostile *h)
{
  CK_OBJECT_HANDLE a, b;

  return p11->C_GenerateKeyPair (h->f->session, &ecdsa_mechanism, NULL, 0, NULL, 0, &a, &b);
}
static CK_RV h_keygen_short_bool (Hostile *h)
{
  CK_MECHANISM m = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
  CK_ULONG big = 1;
  CK_ATTRIBUTE a = { CKA_SIGN, &big, sizeof big };
  CK_OBJECT_HANDLE x, y;

  return p11->C_GenerateKeyPair (h->f->session, &m, NULL, 0, &a, 1, &x, &y);
}
static CK_RV h_wait_null (Hostile *h) { return p11->C_WaitForSlotEvent (CKF_DONT_BLOCK, NULL, NULL); }
static CK_RV h_wait (Hostile *h) { CK_SLOT_ID s; return p11->C_WaitForSlotEvent (CKF_DONT_BLOCK, &s, NULL); }
static CK_RV h_init_twice (Hostile *h) { return p11->C_Initialize (NULL); }
static CK_RV h_init_reserved (Hostile *h)
{
  CK_C_INITIALIZE_ARGS args = { NULL, NULL, NULL, NULL, CKF_OS_LOCKING_OK, (void *) "x" };

  return p11->C_Initialize (&args);
}
static CK_RV h_init_some_mutexes (Hostile *h)
{
  CK_C_INITIALIZE_ARGS args = { (CK_CREATEMUTEX) h_wait, NULL, NULL, NULL, 0, NULL };

  return p11->C_Initialize (&args);
}
static CK_RV h_finalize_reserved (Hostile *h) { return p11->C_Finalize ((void *) "x"); }
static CK_RV h_function_list_null (Hostile *h) { return p11->C_GetFunctionList (NULL); }
static CK_RV h_operation_state (Hostile *h) { return p11->C_GetOperationState (h->f->session, NULL, NULL); }
static CK_RV h_wrap (Hostile *h) { CK_ULONG l = 0; return p11->C_WrapKey (h->f->session, &ecdsa_mechanism, h->pub, h->priv, NULL, &l); }
static CK_RV h_function_status (Hostile *h) { return p11->C_GetFunctionStatus (h->f->session); }
static CK_RV h_init_pin (Hostile *h) { return p11->C_InitPIN (h->f->session, NULL, 0); }
static CK_RV h_init_token_bad_slot (Hostile *h) { return p11->C_InitToken (BAD_SLOT, NULL, 0, NULL); }

static const HostileCase hostile_cases[] = {
  { "GetInfo NULL", h_get_info_null, CKR_ARGUMENTS_BAD },
  { "GetSlotList NULL count", h_slot_list_null_count, CKR_ARGUMENTS_BAD },
  { "GetSlotList short", h_slot_list_short, CKR_BUFFER_TOO_SMALL },
  { "GetSlotInfo bad slot", h_slot_info_bad, CKR_SLOT_ID_INVALID },
  { "GetSlotInfo NULL", h_slot_info_null, CKR_ARGUMENTS_BAD },
  { "GetTokenInfo bad slot", h_token_info_bad, CKR_SLOT_ID_INVALID },
  { "GetTokenInfo NULL", h_token_info_null, CKR_ARGUMENTS_BAD },
  { "GetMechanismList NULL count", h_mechanisms_null, CKR_ARGUMENTS_BAD },
  { "GetMechanismList short", h_mechanisms_short, CKR_BUFFER_TOO_SMALL },
  { "GetMechanismList bad slot", h_mechanisms_bad_slot, CKR_SLOT_ID_INVALID },
  { "GetMechanismInfo NULL", h_mechanism_info_null, CKR_ARGUMENTS_BAD },
  { "OpenSession NULL", h_open_null, CKR_ARGUMENTS_BAD },
  { "OpenSession not serial", h_open_parallel, CKR_SESSION_PARALLEL_NOT_SUPPORTED },
  { "OpenSession bad slot", h_open_bad_slot, CKR_SLOT_ID_INVALID },
  { "CloseSession bad", h_close_bad, CKR_SESSION_HANDLE_INVALID },
  { "CloseAllSessions bad slot", h_close_all_bad, CKR_SLOT_ID_INVALID },
  { "GetSessionInfo NULL", h_session_info_null, CKR_ARGUMENTS_BAD },
  { "GetSessionInfo bad", h_session_info_bad, CKR_SESSION_HANDLE_INVALID },
  { "Login NULL PIN", h_login_null_pin, CKR_ARGUMENTS_BAD },
  { "Login bad user type", h_login_bad_user, CKR_USER_TYPE_INVALID },
  { "Logout not logged in", h_logout_not_in, CKR_USER_NOT_LOGGED_IN },
  { "FindObjectsInit NULL template", h_find_init_null, CKR_ARGUMENTS_BAD },
  { "FindObjectsInit NULL value", h_find_init_bad_value, CKR_ATTRIBUTE_VALUE_INVALID },
  { "FindObjects not initialised", h_find_not_init, CKR_OPERATION_NOT_INITIALIZED },
  { "FindObjectsFinal not initialised", h_find_final_not_init, CKR_OPERATION_NOT_INITIALIZED },
  { "FindObjects NULL count", h_find_null_count, CKR_ARGUMENTS_BAD },
  { "FindObjectsInit twice", h_find_twice, CKR_OPERATION_ACTIVE },
  { "GetAttributeValue bad object", h_attr_bad_object, CKR_OBJECT_HANDLE_INVALID },
  { "GetAttributeValue bad session", h_attr_bad_session, CKR_SESSION_HANDLE_INVALID },
  { "GetAttributeValue NULL template", h_attr_null_template, CKR_ARGUMENTS_BAD },
  { "GetAttributeValue no attributes", h_attr_zero, CKR_OK },
  { "SetAttributeValue on a key", h_set_attr_key, CKR_ACTION_PROHIBITED },
  { "SetAttributeValue NULL", h_set_attr_null, CKR_ARGUMENTS_BAD },
  { "CreateObject NULL template", h_create_null, CKR_ARGUMENTS_BAD },
  { "CreateObject NULL handle", h_create_null_handle, CKR_ARGUMENTS_BAD },
  { "CreateObject empty", h_create_empty, CKR_TEMPLATE_INCOMPLETE },
  { "CopyObject", h_copy, CKR_ACTION_PROHIBITED },
  { "DestroyObject bad", h_destroy_bad, CKR_OBJECT_HANDLE_INVALID },
  { "GetObjectSize NULL", h_object_size_null, CKR_ARGUMENTS_BAD },
  { "SignInit NULL mechanism", h_sign_init_null, CKR_ARGUMENTS_BAD },
  { "SignInit bad key", h_sign_init_bad_key, CKR_KEY_HANDLE_INVALID },
  { "SignInit unknown mechanism", h_sign_init_unknown, CKR_MECHANISM_INVALID },
  { "SignInit parameter length without pointer", h_sign_init_bad_param, CKR_MECHANISM_PARAM_INVALID },
  { "SignInit twice", h_sign_init_twice, CKR_OPERATION_ACTIVE },
  { "Sign not initialised", h_sign_not_init, CKR_OPERATION_NOT_INITIALIZED },
  { "Sign NULL length", h_sign_null_len, CKR_ARGUMENTS_BAD },
  { "Sign NULL data", h_sign_null_data, CKR_ARGUMENTS_BAD },
  { "SignUpdate NULL", h_sign_update_null, CKR_ARGUMENTS_BAD },
  { "SignUpdate too much", h_sign_update_huge, CKR_DATA_LEN_RANGE },
  { "SignFinal NULL length", h_sign_final_null, CKR_ARGUMENTS_BAD },
  { "SignInit bad session", h_sign_bad_session, CKR_SESSION_HANDLE_INVALID },
  { "Verify NULL signature", h_verify_null_sig, CKR_ARGUMENTS_BAD },
  { "VerifyFinal not initialised", h_verify_final_not_init, CKR_OPERATION_NOT_INITIALIZED },
  { "VerifyInit with the private key", h_verify_with_private, CKR_KEY_FUNCTION_NOT_PERMITTED },
  { "EncryptInit ECDSA", h_encrypt_ec, CKR_MECHANISM_INVALID },
  { "Encrypt not initialised", h_encrypt_not_init, CKR_OPERATION_NOT_INITIALIZED },
  { "EncryptUpdate NULL length", h_encrypt_update_null, CKR_ARGUMENTS_BAD },
  { "Decrypt not initialised", h_decrypt_not_init, CKR_OPERATION_NOT_INITIALIZED },
  { "DecryptFinal NULL", h_decrypt_final_null, CKR_OPERATION_NOT_INITIALIZED },
  { "DigestInit of a signing mechanism", h_digest, CKR_MECHANISM_INVALID },
  { "DigestInit bad session", h_digest_bad_session, CKR_SESSION_HANDLE_INVALID },
  { "GenerateRandom NULL", h_random_null, CKR_ARGUMENTS_BAD },
  { "GenerateRandom bad session", h_random_bad_session, CKR_SESSION_HANDLE_INVALID },
  { "SeedRandom NULL", h_seed_null, CKR_ARGUMENTS_BAD },
  { "GenerateKeyPair NULL mechanism", h_keygen_null_mechanism, CKR_ARGUMENTS_BAD },
  { "GenerateKeyPair NULL handles", h_keygen_null_handles, CKR_ARGUMENTS_BAD },
  { "GenerateKeyPair NULL template", h_keygen_null_template, CKR_ARGUMENTS_BAD },
  { "GenerateKeyPair signing mechanism", h_keygen_bad_mechanism, CKR_MECHANISM_INVALID },
  { "GenerateKeyPair bool of the wrong size", h_keygen_short_bool, CKR_ATTRIBUTE_VALUE_INVALID },
  { "WaitForSlotEvent NULL", h_wait_null, CKR_ARGUMENTS_BAD },
  { "WaitForSlotEvent", h_wait, CKR_NO_EVENT },
  { "Initialize twice", h_init_twice, CKR_CRYPTOKI_ALREADY_INITIALIZED },
  { "Initialize pReserved", h_init_reserved, CKR_ARGUMENTS_BAD },
  { "Initialize some mutex functions", h_init_some_mutexes, CKR_ARGUMENTS_BAD },
  { "Finalize pReserved", h_finalize_reserved, CKR_ARGUMENTS_BAD },
  { "GetFunctionList NULL", h_function_list_null, CKR_ARGUMENTS_BAD },
  { "GetOperationState NULL", h_operation_state, CKR_ARGUMENTS_BAD },
  { "WrapKey", h_wrap, CKR_FUNCTION_NOT_SUPPORTED },
  { "GetFunctionStatus", h_function_status, CKR_FUNCTION_NOT_PARALLEL },
  { "InitPIN", h_init_pin, CKR_FUNCTION_NOT_SUPPORTED },
  { "InitToken bad slot", h_init_token_bad_slot, CKR_SLOT_ID_INVALID },
};

static void
test_hostile (Fixture       *f,
              gconstpointer  user_data)
{
  Hostile h = { f };
  guint8 digest[32] = { 1 };
  guint8 signature[64];
  CK_ULONG len = sizeof signature;

  make_key (f, "ec", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  h.priv = find_one (f, CKO_PRIVATE_KEY, "ec");
  h.pub = find_one (f, CKO_PUBLIC_KEY, "ec");
  for (gsize i = 0; i < G_N_ELEMENTS (hostile_cases); i++)
    {
      CK_RV rv = hostile_cases[i].call (&h);

      if (rv != hostile_cases[i].expected)
        g_error ("%s: 0x%lx, not 0x%lx", hostile_cases[i].name, rv, hostile_cases[i].expected);
      /* Whatever came before, the session still works. */
      len = sizeof signature;
      g_assert_cmpuint (p11->C_SignInit (f->session, &ecdsa_mechanism, h.priv), ==, CKR_OK);
      g_assert_cmpuint (p11->C_Sign (f->session, digest, sizeof digest, signature, &len), ==, CKR_OK);
    }

  /* Uninitialised, every call says so. */
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_CRYPTOKI_NOT_INITIALIZED);
  g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, NULL, &len), ==, CKR_CRYPTOKI_NOT_INITIALIZED);
  g_assert_cmpuint (p11->C_GetInfo (NULL), ==, CKR_CRYPTOKI_NOT_INITIALIZED);
  g_assert_cmpuint (p11->C_SignInit (f->session, &ecdsa_mechanism, h.priv), ==, CKR_CRYPTOKI_NOT_INITIALIZED);
  g_assert_cmpuint (p11->C_CloseSession (f->session), ==, CKR_CRYPTOKI_NOT_INITIALIZED);
}

/* Two threads sign with one key, each in its session, at once. */

typedef struct {
  Fixture *f;
  CK_OBJECT_HANDLE priv;
  CK_OBJECT_HANDLE pub;
  guint failures;
} ThreadData;

#define SIGNATURES_PER_THREAD 25

static gpointer
sign_in_thread (gpointer user_data)
{
  ThreadData *data = user_data;
  CK_SESSION_HANDLE session;
  CK_MECHANISM mechanism = { CKM_ECDSA_SHA256, NULL, 0 };

  if (p11->C_OpenSession (data->f->slot, CKF_SERIAL_SESSION, NULL, NULL, &session) != CKR_OK)
    {
      g_atomic_int_inc (&data->failures);
      return NULL;
    }
  for (guint i = 0; i < SIGNATURES_PER_THREAD; i++)
    {
      g_autofree char *message = g_strdup_printf ("message %u from %p", i, (void *) g_thread_self ());
      guint8 signature[64];
      CK_ULONG len = sizeof signature;

      if (p11->C_SignInit (session, &mechanism, data->priv) != CKR_OK ||
          p11->C_Sign (session, (CK_BYTE_PTR) message, strlen (message), signature, &len) != CKR_OK ||
          p11->C_VerifyInit (session, &mechanism, data->pub) != CKR_OK ||
          p11->C_Verify (session, (CK_BYTE_PTR) message, strlen (message), signature, len) != CKR_OK)
        g_atomic_int_inc (&data->failures);
    }
  p11->C_CloseSession (session);
  return NULL;
}

static void
test_threads (Fixture       *f,
              gconstpointer  user_data)
{
  ThreadData data = { f };
  GThread *threads[2];

  make_key (f, "shared", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  data.priv = find_one (f, CKO_PRIVATE_KEY, "shared");
  data.pub = find_one (f, CKO_PUBLIC_KEY, "shared");
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("signer", sign_in_thread, &data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpuint (data.failures, ==, 0);
}

static void
test_fork (Fixture       *f,
           gconstpointer  user_data)
{
  CK_OBJECT_HANDLE priv;
  int status, fds[2];
  guint8 result = 0xff;
  pid_t pid;

  make_key (f, "forked", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  priv = find_one (f, CKO_PRIVATE_KEY, "forked");
  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      CK_ULONG n = 0;
      CK_SLOT_ID slot;
      CK_SESSION_HANDLE session;
      CK_MECHANISM mechanism = { CKM_ECDSA_SHA256, NULL, 0 };
      guint8 signature[64];
      CK_ULONG len = sizeof signature;
      guint8 code = 0;

      /* The parent's state is not the child's. */
      if (p11->C_GetSlotList (CK_TRUE, NULL, &n) != CKR_CRYPTOKI_NOT_INITIALIZED)
        code = 10;
      else if (p11->C_SignInit (f->session, &mechanism, priv) != CKR_CRYPTOKI_NOT_INITIALIZED)
        code = 11;
      else if (p11->C_Initialize (NULL) != CKR_OK)
        code = 12;
      else if (p11->C_GetSlotList (CK_TRUE, &slot, (n = 1, &n)) != CKR_OK)
        code = 13;
      else if (p11->C_OpenSession (slot, CKF_SERIAL_SESSION, NULL, NULL, &session) != CKR_OK)
        code = 14;
      else
        {
          CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
          CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &klass, sizeof klass }, { CKA_LABEL, "forked", 6 } };
          CK_OBJECT_HANDLE key;

          if (p11->C_FindObjectsInit (session, tmpl, 2) != CKR_OK ||
              p11->C_FindObjects (session, &key, 1, &n) != CKR_OK || n != 1 ||
              p11->C_FindObjectsFinal (session) != CKR_OK)
            code = 15;
          else if (p11->C_SignInit (session, &mechanism, key) != CKR_OK ||
                   p11->C_Sign (session, (CK_BYTE_PTR) "child", 5, signature, &len) != CKR_OK)
            code = 16;
          else if (p11->C_Finalize (NULL) != CKR_OK)
            code = 17;
        }
      /* The result goes through the pipe, and the child ends without its
       * exit's leak checks: valgrind and LeakSanitizer would count what the
       * parent's threads, absent here, had allocated. */
      if (write (fds[1], &code, 1) != 1)
        code = 1;
      kill (getpid (), SIGKILL);
    }
  close (fds[1]);
  g_assert_cmpint (read (fds[0], &result, 1), ==, 1);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_cmpint (result, ==, 0);
  /* The parent goes on as before. */
  {
    g_autoptr(GBytes) data = g_bytes_new_static ("parent", 6);
    CK_MECHANISM mechanism = { CKM_ECDSA_SHA256, NULL, 0 };
    g_autoptr(GBytes) signature = sign (f, &mechanism, priv, data);

    g_assert_cmpuint (g_bytes_get_size (signature), ==, 64);
  }
}

static void
test_service_gone (Fixture       *f,
                   gconstpointer  user_data)
{
  CK_MECHANISM mechanism = { CKM_ECDSA_SHA256, NULL, 0 };
  CK_OBJECT_HANDLE priv, pub;
  guint8 signature[64], random[8];
  CK_ULONG len = sizeof signature;
  CK_ATTRIBUTE label = { CKA_LABEL, NULL, 0 };
  CK_ATTRIBUTE point = { CKA_EC_POINT, NULL, 0 };

  make_key (f, "lonely", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  priv = find_one (f, CKO_PRIVATE_KEY, "lonely");
  pub = find_one (f, CKO_PUBLIC_KEY, "lonely");
  g_assert_cmpuint (p11->C_SignInit (f->session, &mechanism, priv), ==, CKR_OK);

  /* The service stops in the middle of an operation. */
  g_clear_pointer (&f->service, parsec_test_service_free);
  g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) "x", 1, signature, &len), ==, CKR_DEVICE_ERROR);
  g_assert_cmpuint (p11->C_GenerateRandom (f->session, random, sizeof random), ==, CKR_DEVICE_ERROR);
  g_assert_cmpuint (p11->C_FindObjectsInit (f->session, NULL, 0), ==, CKR_DEVICE_ERROR);
  /* What the module knows already it still tells; what it would have to
   * ask for is an error. */
  g_assert_cmpuint (p11->C_GetAttributeValue (f->session, priv, &label, 1), ==, CKR_OK);
  g_assert_cmpuint (p11->C_GetAttributeValue (f->session, pub, &point, 1), ==, CKR_OK);
  g_assert_cmpuint (p11->C_DestroyObject (f->session, priv), ==, CKR_DEVICE_ERROR);
  g_assert_cmpuint (p11->C_CloseSession (f->session), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
}

/* The size query keeps the operation, and the call that gets the result
 * works on its own input: after C_Sign (A, NULL), C_Sign (B, buffer)
 * signs B; the same for decryption. */
static void
test_size_query (Fixture       *f,
                 gconstpointer  user_data)
{
  CK_MECHANISM hashed = { CKM_ECDSA_SHA256, NULL, 0 };
  CK_RSA_PKCS_OAEP_PARAMS oaep = { CKM_SHA256, CKG_MGF1_SHA256, CKZ_DATA_SPECIFIED, NULL, 0 };
  CK_MECHANISM oaep_mechanism = { CKM_RSA_PKCS_OAEP, &oaep, sizeof oaep };
  CK_OBJECT_HANDLE priv, pub;
  guint8 out[256], first[256], second[256];
  CK_ULONG len = 0, first_len = sizeof first, second_len = sizeof second;

  make_key (f, "ec", parsec_key_attributes_new_ecc_signing (256, PARSEC_HASH_SHA_256));
  priv = find_one (f, CKO_PRIVATE_KEY, "ec");
  pub = find_one (f, CKO_PUBLIC_KEY, "ec");
  g_assert_cmpuint (p11->C_SignInit (f->session, &hashed, priv), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) "A", 1, NULL, &len), ==, CKR_OK);
  g_assert_cmpuint (len, ==, 64);
  g_assert_cmpuint (p11->C_Sign (f->session, (CK_BYTE_PTR) "B", 1, out, &len), ==, CKR_OK);
  {
    g_autoptr(GBytes) signature = g_bytes_new (out, len);
    g_autoptr(GBytes) a = g_bytes_new_static ("A", 1);
    g_autoptr(GBytes) b = g_bytes_new_static ("B", 1);

    g_assert_cmpuint (verify (f, &hashed, pub, b, signature), ==, CKR_OK);
    g_assert_cmpuint (verify (f, &hashed, pub, a, signature), ==, CKR_SIGNATURE_INVALID);
  }

  /* Decryption: a buffer too small, then another ciphertext */
  make_key (f, "oaep", rsa_key (FALSE, parsec_algorithm_new_rsa_oaep (PARSEC_HASH_SHA_256)));
  priv = find_one (f, CKO_PRIVATE_KEY, "oaep");
  pub = find_one (f, CKO_PUBLIC_KEY, "oaep");
  g_assert_cmpuint (p11->C_EncryptInit (f->session, &oaep_mechanism, pub), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Encrypt (f->session, (CK_BYTE_PTR) "first", 5, first, &first_len), ==, CKR_OK);
  g_assert_cmpuint (p11->C_EncryptInit (f->session, &oaep_mechanism, pub), ==, CKR_OK);
  /* The size query of encryption, then other data */
  g_assert_cmpuint (p11->C_Encrypt (f->session, (CK_BYTE_PTR) "other", 5, NULL, &second_len), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Encrypt (f->session, (CK_BYTE_PTR) "second", 6, second, &second_len), ==, CKR_OK);

  g_assert_cmpuint (p11->C_DecryptInit (f->session, &oaep_mechanism, priv), ==, CKR_OK);
  len = 2;
  g_assert_cmpuint (p11->C_Decrypt (f->session, first, first_len, out, &len), ==, CKR_BUFFER_TOO_SMALL);
  g_assert_cmpuint (len, ==, 5);
  len = sizeof out;
  g_assert_cmpuint (p11->C_Decrypt (f->session, second, second_len, out, &len), ==, CKR_OK);
  g_assert_cmpmem (out, len, "second", 6);
}

/* Callers' attribute values need not be aligned: CKA_ALLOWED_MECHANISMS
 * (an array of CK_ULONG) at an odd address, read under UBSan in the
 * sanitizer build. */
static void
test_unaligned (Fixture       *f,
                gconstpointer  user_data)
{
  const guint8 p256_oid[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
  CK_MECHANISM_TYPE mechanisms[] = { CKM_ECDSA, CKM_ECDSA_SHA256 };
  g_autofree guint8 *buffer = g_malloc (sizeof mechanisms + 1);
  CK_BBOOL yes = CK_TRUE;
  CK_MECHANISM ec_gen = { CKM_EC_KEY_PAIR_GEN, NULL, 0 };
  CK_ATTRIBUTE public_tmpl[] = {
    { CKA_EC_PARAMS, (void *) p256_oid, sizeof p256_oid },
  };
  CK_ATTRIBUTE private_tmpl[] = {
    { CKA_LABEL, "unaligned", 9 },
    { CKA_SIGN, &yes, sizeof yes },
    { CKA_ALLOWED_MECHANISMS, buffer + 1, sizeof mechanisms },
  };
  CK_OBJECT_HANDLE pub, priv;

  memcpy (buffer + 1, mechanisms, sizeof mechanisms);
  g_assert_cmpuint (p11->C_GenerateKeyPair (f->session, &ec_gen, public_tmpl, G_N_ELEMENTS (public_tmpl),
                                            private_tmpl, G_N_ELEMENTS (private_tmpl), &pub, &priv), ==, CKR_OK);
  g_assert_cmpuint (find_one (f, CKO_PRIVATE_KEY, "unaligned"), ==, priv);
}

/* The store's one file, after a certificate was made on the token */
static char *
store_file (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (f->store_dir, 0, &error);
  const char *name;
  char *found = NULL;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_null (found);
      found = g_build_filename (f->store_dir, name, NULL);
    }
  if (found == NULL)
    g_error ("no store file in %s", f->store_dir);
  return found;
}

static guint
count_certificates (Fixture *f)
{
  CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
  CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &klass, sizeof klass } };
  CK_OBJECT_HANDLE found[4];

  return find_objects (f, tmpl, G_N_ELEMENTS (tmpl), found, G_N_ELEMENTS (found));
}

/* The store is read only as the user's private file: not one others may
 * write, not a symbolic link, not a FIFO (which would block for ever),
 * not one too large. A refused store is read as no certificates, and the
 * module's state is not kept from a store that was fine before. */
static void
test_store_checks (Fixture       *f,
                   gconstpointer  user_data)
{
  g_autoptr(GBytes) der = make_certificate ("stored");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *elsewhere = NULL;
  g_autofree char *dir_copy = NULL;
  CK_OBJECT_CLASS klass = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE type = CKC_X_509;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_CERTIFICATE_TYPE, &type, sizeof type },
    { CKA_TOKEN, &yes, sizeof yes },
    { CKA_LABEL, "stored", 6 },
    { CKA_VALUE, (void *) g_bytes_get_data (der, NULL), g_bytes_get_size (der) },
  };
  CK_OBJECT_HANDLE cert;
  gsize len;
  GString *large;

  g_assert_cmpuint (p11->C_CreateObject (f->session, tmpl, G_N_ELEMENTS (tmpl), &cert), ==, CKR_OK);
  path = store_file (f);
  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  /* Each refusal is checked with a new module instance, which has not
   * read the store before. */
  {
    const char *cases[] = { "writable by others", "symbolic link", "FIFO", "too large", "fine" };

    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        gint64 start;

        g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
        g_unlink (path);
        if (i == 0)
          {
            g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_NONE, 0600, &error);
            g_assert_no_error (error);
            g_assert_cmpint (g_chmod (path, 0666), ==, 0);
          }
        else if (i == 1)
          {
            /* A private copy elsewhere, linked to */
            g_autofree char *other_dir = g_dir_make_tmp ("parsec-pkcs11-elsewhere-XXXXXX", &error);

            if (other_dir == NULL)
              g_error ("%s", error->message);
            elsewhere = g_build_filename (other_dir, "store.ini", NULL);
            g_file_set_contents_full (elsewhere, contents, len, G_FILE_SET_CONTENTS_NONE, 0600, &error);
            g_assert_no_error (error);
            g_assert_cmpint (symlink (elsewhere, path), ==, 0);
            dir_copy = g_steal_pointer (&other_dir);
          }
        else if (i == 2)
          g_assert_cmpint (mkfifo (path, 0600), ==, 0);
        else if (i == 3)
          {
            large = g_string_new_len (contents, len);
            while (large->len <= 1024 * 1024)
              g_string_append (large, "# a comment to make the file large\n");
            g_file_set_contents_full (path, large->str, large->len, G_FILE_SET_CONTENTS_NONE, 0600, &error);
            g_assert_no_error (error);
            g_string_free (large, TRUE);
          }
        else
          {
            g_file_set_contents_full (path, contents, len, G_FILE_SET_CONTENTS_NONE, 0600, &error);
            g_assert_no_error (error);
          }
        g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
        g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
                                              &f->session), ==, CKR_OK);
        start = g_get_monotonic_time ();
        if (count_certificates (f) != (i == 4 ? 1 : 0))
          g_error ("%s: the store was %s", cases[i], i == 4 ? "refused" : "used");
        g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_TIME_SPAN_SECOND);
      }
  }
  if (elsewhere != NULL)
    g_unlink (elsewhere);
  if (dir_copy != NULL)
    g_rmdir (dir_copy);

  /* A store directory others may write is not used either. */
  g_assert_cmpint (g_chmod (f->store_dir, 0777), ==, 0);
  g_assert_cmpuint (count_certificates (f), ==, 1);   /* kept from before */
  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &f->session),
                    ==, CKR_OK);
  g_assert_cmpuint (count_certificates (f), ==, 0);
  g_assert_cmpint (g_chmod (f->store_dir, 0700), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gnutls_global_init ();

  p11_test_load_module (PKCS11_MODULE_PATH);

#define ADD(path, func) g_test_add ("/parsec/pkcs11/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("info", test_info);
  ADD ("tokens", test_tokens);
  ADD ("process-tokens", test_process_tokens);
  ADD ("objects", test_objects);
  ADD ("sign-ecdsa", test_sign_ecdsa);
  ADD ("sign-rsa", test_sign_rsa);
  ADD ("decrypt", test_decrypt);
  ADD ("generate", test_generate);
  ADD ("policies", test_policies);
  ADD ("templates", test_templates);
  ADD ("session-objects", test_session_objects);
  ADD ("data-objects", test_data_objects);
  ADD ("public-import", test_public_import);
  ADD ("destroy-public", test_destroy_public);
  ADD ("certificate-pairing", test_certificate_pairing);
  ADD ("random", test_random);
  ADD ("certificates", test_certificates);
  ADD ("hostile", test_hostile);
  ADD ("threads", test_threads);
  ADD ("fork", test_fork);
  ADD ("service-gone", test_service_gone);
  ADD ("size-query", test_size_query);
  ADD ("unaligned", test_unaligned);
  ADD ("store-checks", test_store_checks);
#undef ADD

  return g_test_run ();
}
