/* test-pkcs11-fake.c: the PKCS #11 module against a service that misbehaves
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The module is loaded with dlopen() as applications load it, and talks
 * to the fake service of tests/fake-service.c, which answers slowly or
 * wrongly where a test says so: the module's lock is not held while the
 * service works, a call in flight across C_Finalize and C_Initialize does
 * not reach the new initialisation's sessions, and lengths the service
 * gives are checked. C_Initialize's arguments are checked here too.
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <p11-kit/pkcs11.h>

#include "fake-service.h"
#include "p11-test-module.h"
#include "parsec-glib.h"

#include "list_keys.pb-c.h"
#include "psa_export_public_key.pb-c.h"
#include "psa_sign_hash.pb-c.h"

/* The slow answer, and how fast what does not need it must be */
#define SLOW_MS 1500
#define QUICK_MS (SLOW_MS / 2)


typedef struct {
  FakeService *fake;
  char *store_dir;
  /* The request the fake answers slowly, and when it began */
  gint slow_opcode;
  gint slow_started;
  CK_SLOT_ID slot;
  CK_SESSION_HANDLE session;
} Fixture;

/* The keys the fake lists: what their public keys and signatures are */
typedef struct {
  const char *name;
  gboolean rsa;
  gsize public_len;           /* 0: an empty public key */
  gsize signature_len;
} FakeKey;

static const FakeKey fake_keys[] = {
  { "ec-empty", FALSE, 0, 64 },
  { "ec-wrong-size", FALSE, 1 + 2 * 48, 64 },
  { "ec-short-signature", FALSE, 1 + 2 * 32, 10 },
  { "rsa-short-signature", TRUE, 256, 128 },
};

static const FakeKey *
fake_key_find (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fake_keys); i++)
    if (g_strcmp0 (fake_keys[i].name, name) == 0)
      return &fake_keys[i];
  g_error ("the module asked for a key never listed: %s", name);
}

static GBytes *
list_keys_response (void)
{
  PsaKeyAttributes__KeyType__EccKeyPair ecc = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_KEY_PAIR__INIT;
  PsaKeyAttributes__KeyType__RsaKeyPair rsa = PSA_KEY_ATTRIBUTES__KEY_TYPE__RSA_KEY_PAIR__INIT;
  PsaKeyAttributes__KeyType ec_type = PSA_KEY_ATTRIBUTES__KEY_TYPE__INIT;
  PsaKeyAttributes__KeyType rsa_type = PSA_KEY_ATTRIBUTES__KEY_TYPE__INIT;
  PsaKeyAttributes__UsageFlags usage = PSA_KEY_ATTRIBUTES__USAGE_FLAGS__INIT;
  PsaAlgorithm__Algorithm__AsymmetricSignature__SignHash sha256 =
    PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__INIT;
  PsaAlgorithm__Algorithm__AsymmetricSignature__Ecdsa ecdsa = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__ECDSA__INIT;
  PsaAlgorithm__Algorithm__AsymmetricSignature__RsaPkcs1v15Sign pkcs1 =
    PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__RSA_PKCS1V15_SIGN__INIT;
  PsaAlgorithm__Algorithm__AsymmetricSignature ec_signature = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__INIT;
  PsaAlgorithm__Algorithm__AsymmetricSignature rsa_signature = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__INIT;
  PsaAlgorithm__Algorithm ec_algorithm = PSA_ALGORITHM__ALGORITHM__INIT;
  PsaAlgorithm__Algorithm rsa_algorithm = PSA_ALGORITHM__ALGORITHM__INIT;
  PsaKeyAttributes__KeyPolicy ec_policy = PSA_KEY_ATTRIBUTES__KEY_POLICY__INIT;
  PsaKeyAttributes__KeyPolicy rsa_policy = PSA_KEY_ATTRIBUTES__KEY_POLICY__INIT;
  PsaKeyAttributes__KeyAttributes ec_attributes = PSA_KEY_ATTRIBUTES__KEY_ATTRIBUTES__INIT;
  PsaKeyAttributes__KeyAttributes rsa_attributes = PSA_KEY_ATTRIBUTES__KEY_ATTRIBUTES__INIT;
  ListKeys__KeyInfo infos[G_N_ELEMENTS (fake_keys)];
  ListKeys__KeyInfo *list[G_N_ELEMENTS (fake_keys)];
  ListKeys__Result result = LIST_KEYS__RESULT__INIT;

  ecc.curve_family = PSA_KEY_ATTRIBUTES__KEY_TYPE__ECC_FAMILY__SECP_R1;
  ec_type.variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_ECC_KEY_PAIR;
  ec_type.ecc_key_pair = &ecc;
  rsa_type.variant_case = PSA_KEY_ATTRIBUTES__KEY_TYPE__VARIANT_RSA_KEY_PAIR;
  rsa_type.rsa_key_pair = &rsa;
  usage.sign_hash = TRUE;
  usage.verify_hash = TRUE;
  sha256.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__SIGN_HASH__VARIANT_SPECIFIC;
  sha256.specific = PSA_ALGORITHM__ALGORITHM__HASH__SHA_256;
  ecdsa.hash_alg = &sha256;
  pkcs1.hash_alg = &sha256;
  ec_signature.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_ECDSA;
  ec_signature.ecdsa = &ecdsa;
  rsa_signature.variant_case = PSA_ALGORITHM__ALGORITHM__ASYMMETRIC_SIGNATURE__VARIANT_RSA_PKCS1V15_SIGN;
  rsa_signature.rsa_pkcs1v15_sign = &pkcs1;
  ec_algorithm.variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE;
  ec_algorithm.asymmetric_signature = &ec_signature;
  rsa_algorithm.variant_case = PSA_ALGORITHM__ALGORITHM__VARIANT_ASYMMETRIC_SIGNATURE;
  rsa_algorithm.asymmetric_signature = &rsa_signature;
  ec_policy.key_usage_flags = &usage;
  ec_policy.key_algorithm = &ec_algorithm;
  rsa_policy.key_usage_flags = &usage;
  rsa_policy.key_algorithm = &rsa_algorithm;
  ec_attributes.key_type = &ec_type;
  ec_attributes.key_bits = 256;
  ec_attributes.key_policy = &ec_policy;
  rsa_attributes.key_type = &rsa_type;
  rsa_attributes.key_bits = 2048;
  rsa_attributes.key_policy = &rsa_policy;

  for (gsize i = 0; i < G_N_ELEMENTS (fake_keys); i++)
    {
      list_keys__key_info__init (&infos[i]);
      infos[i].provider_id = PARSEC_PROVIDER_MBED_CRYPTO;
      infos[i].name = (char *) fake_keys[i].name;
      infos[i].attributes = fake_keys[i].rsa ? &rsa_attributes : &ec_attributes;
      list[i] = &infos[i];
    }
  result.n_keys = G_N_ELEMENTS (fake_keys);
  result.keys = list;
  return fake_response_new (PARSEC_OPCODE_LIST_KEYS, 0, 0, &result.base);
}

/* The key's public key, in PSA's format: 04 ‖ x ‖ y, or an RSAPublicKey
 * of a 2048-bit modulus. */
static GBytes *
public_key_of (const FakeKey *key)
{
  static const guint8 rsa_head[] = { 0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00 };
  static const guint8 rsa_exponent[] = { 0x02, 0x03, 0x01, 0x00, 0x01 };
  GByteArray *out = g_byte_array_new ();

  if (key->rsa)
    {
      guint8 modulus[256];

      memset (modulus, 0xc5, sizeof modulus);
      g_byte_array_append (out, rsa_head, sizeof rsa_head);
      g_byte_array_append (out, modulus, sizeof modulus);
      g_byte_array_append (out, rsa_exponent, sizeof rsa_exponent);
    }
  else if (key->public_len > 0)
    {
      g_byte_array_set_size (out, key->public_len);
      memset (out->data, 0x11, key->public_len);
      out->data[0] = 0x04;
    }
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
fake_handler (const FakeRequest *request,
              FakeAction        *action,
              gpointer           user_data)
{
  Fixture *f = user_data;
  gsize len = request->body != NULL ? g_bytes_get_size (request->body) : 0;
  const guint8 *body = request->body != NULL ? g_bytes_get_data (request->body, NULL) : NULL;

  if (request->header.opcode == (guint32) g_atomic_int_get (&f->slow_opcode))
    {
      g_atomic_int_set (&f->slow_started, 1);
      g_usleep (SLOW_MS * G_TIME_SPAN_MILLISECOND);
    }
  switch (request->header.opcode)
    {
    case PARSEC_OPCODE_LIST_KEYS:
      return list_keys_response ();
    case PARSEC_OPCODE_PSA_EXPORT_PUBLIC_KEY:
      {
        PsaExportPublicKey__Operation *operation = psa_export_public_key__operation__unpack (NULL, len, body);
        PsaExportPublicKey__Result result = PSA_EXPORT_PUBLIC_KEY__RESULT__INIT;
        g_autoptr(GBytes) data = NULL;
        GBytes *response;

        g_assert_nonnull (operation);
        data = public_key_of (fake_key_find (operation->key_name));
        result.data.data = (guint8 *) g_bytes_get_data (data, &result.data.len);
        response = fake_response_new (request->header.opcode, PARSEC_PROVIDER_MBED_CRYPTO, 0, &result.base);
        psa_export_public_key__operation__free_unpacked (operation, NULL);
        return response;
      }
    case PARSEC_OPCODE_PSA_SIGN_HASH:
      {
        PsaSignHash__Operation *operation = psa_sign_hash__operation__unpack (NULL, len, body);
        PsaSignHash__Result result = PSA_SIGN_HASH__RESULT__INIT;
        guint8 signature[512];
        GBytes *response;

        g_assert_nonnull (operation);
        memset (signature, 0x5a, sizeof signature);
        result.signature.data = signature;
        result.signature.len = fake_key_find (operation->key_name)->signature_len;
        response = fake_response_new (request->header.opcode, PARSEC_PROVIDER_MBED_CRYPTO, 0, &result.base);
        psa_sign_hash__operation__free_unpacked (operation, NULL);
        return response;
      }
    default:
      return fake_handler_default (request, action, GUINT_TO_POINTER (PARSEC_AUTH_TYPE_DIRECT));
    }
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  CK_ULONG n = 1;

  f->fake = fake_service_new ();
  fake_service_set_handler (f->fake, fake_handler, f);
  f->store_dir = g_dir_make_tmp ("parsec-pkcs11-fake-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("PARSEC_SERVICE_ENDPOINT", fake_service_get_endpoint (f->fake), TRUE);
  g_setenv ("PARSEC_PKCS11_APPLICATION_NAME", "pkcs11-fake-test", TRUE);
  g_setenv ("PARSEC_PKCS11_STORE_DIR", f->store_dir, TRUE);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, &f->slot, &n), ==, CKR_OK);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &f->session),
                    ==, CKR_OK);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  user_data)
{
  p11->C_Finalize (NULL);
  g_clear_pointer (&f->fake, fake_service_free);
  g_rmdir (f->store_dir);
  g_free (f->store_dir);
}

/* A call in a thread of its own, on the session */

typedef struct {
  CK_SESSION_HANDLE session;
  CK_OBJECT_HANDLE key;
  CK_RV (*call) (CK_SESSION_HANDLE session,
                 CK_OBJECT_HANDLE  key);
  CK_RV rv;
  gint done;
} Call;

static gpointer
call_in_thread (gpointer user_data)
{
  Call *call = user_data;

  call->rv = call->call (call->session, call->key);
  g_atomic_int_set (&call->done, 1);
  return NULL;
}

static CK_RV
search_call (CK_SESSION_HANDLE session,
             CK_OBJECT_HANDLE  key)
{
  return p11->C_FindObjectsInit (session, NULL, 0);
}

static CK_RV
sign_init_call (CK_SESSION_HANDLE session,
                CK_OBJECT_HANDLE  key)
{
  CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };

  return p11->C_SignInit (session, &ecdsa, key);
}

static CK_RV
destroy_call (CK_SESSION_HANDLE session,
              CK_OBJECT_HANDLE  key)
{
  return p11->C_DestroyObject (session, key);
}

/* Starts @call in a thread, with the service slow to answer @opcode, and
 * returns once the service is working on it. */
static GThread *
start_slow (Fixture  *f,
            gint      opcode,
            Call     *call)
{
  GThread *thread;

  g_atomic_int_set (&f->slow_started, 0);
  g_atomic_int_set (&f->slow_opcode, opcode);
  thread = g_thread_new ("call", call_in_thread, call);
  while (!g_atomic_int_get (&f->slow_started))
    g_usleep (G_TIME_SPAN_MILLISECOND);
  return thread;
}

static CK_OBJECT_HANDLE find_private_key (Fixture    *f,
                                          const char *label);

/* While the service takes its time to list the keys, export a public key
 * or destroy a key, the calls that do not need it answer at once
 * (docs/threat-model.md). */
static void
test_lock_released (Fixture       *f,
                    gconstpointer  user_data)
{
  const struct {
    gint opcode;
    CK_RV (*call) (CK_SESSION_HANDLE session,
                   CK_OBJECT_HANDLE  key);
  } cases[] = {
    { PARSEC_OPCODE_LIST_KEYS, search_call },
    { PARSEC_OPCODE_PSA_EXPORT_PUBLIC_KEY, sign_init_call },
    { PARSEC_OPCODE_PSA_DESTROY_KEY, destroy_call },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Call call = { f->session, find_private_key (f, "ec-short-signature"), cases[i].call, CKR_GENERAL_ERROR };
      CK_INFO info;
      CK_SLOT_ID slot;
      CK_TOKEN_INFO token;
      CK_SESSION_INFO session_info;
      CK_SESSION_HANDLE other;
      CK_ULONG n = 1;
      GThread *thread = start_slow (f, cases[i].opcode, &call);
      gint64 start, took;

      start = g_get_monotonic_time ();
      g_assert_cmpuint (p11->C_GetInfo (&info), ==, CKR_OK);
      g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, &slot, &n), ==, CKR_OK);
      g_assert_cmpuint (p11->C_GetTokenInfo (f->slot, &token), ==, CKR_OK);
      g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION, NULL, NULL, &other), ==, CKR_OK);
      g_assert_cmpuint (p11->C_GetSessionInfo (other, &session_info), ==, CKR_OK);
      g_assert_cmpuint (p11->C_CloseSession (other), ==, CKR_OK);
      took = (g_get_monotonic_time () - start) / G_TIME_SPAN_MILLISECOND;
      if (took >= QUICK_MS)
        g_error ("case %zu: the calls took %" G_GINT64_FORMAT " ms while the service worked", i, took);
      /* The slow call was still under way: it is what the calls did not
       * wait for. */
      g_assert_false (g_atomic_int_get (&call.done));
      g_thread_join (thread);
      g_atomic_int_set (&f->slow_opcode, 0);
      g_assert_cmpuint (call.rv, ==, CKR_OK);
      if (cases[i].call == search_call)
        g_assert_cmpuint (p11->C_FindObjectsFinal (f->session), ==, CKR_OK);
    }
}

/* Handles keep counting across C_Finalize and C_Initialize: a call in
 * flight in another thread meanwhile finds its session gone, and does not
 * land in the session of the new initialisation. */
static void
test_finalize_in_flight (Fixture       *f,
                         gconstpointer  user_data)
{
  Call search = { f->session, CK_INVALID_HANDLE, search_call, CKR_GENERAL_ERROR };
  CK_SESSION_HANDLE next;
  CK_OBJECT_HANDLE found;
  CK_ULONG n = 1;
  GThread *thread = start_slow (f, PARSEC_OPCODE_LIST_KEYS, &search);

  g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Initialize (NULL), ==, CKR_OK);
  g_assert_cmpuint (p11->C_GetSlotList (CK_TRUE, &f->slot, &n), ==, CKR_OK);
  g_assert_cmpuint (p11->C_OpenSession (f->slot, CKF_SERIAL_SESSION, NULL, NULL, &next), ==, CKR_OK);
  g_assert_cmpuint (next, >, f->session);

  g_thread_join (thread);
  g_assert_true (search.rv == CKR_SESSION_HANDLE_INVALID || search.rv == CKR_CRYPTOKI_NOT_INITIALIZED);
  g_assert_cmpuint (p11->C_FindObjects (next, &found, 1, &n), ==, CKR_OPERATION_NOT_INITIALIZED);
  g_assert_cmpuint (p11->C_GetSessionInfo (f->session, &(CK_SESSION_INFO) { 0 }), ==, CKR_SESSION_HANDLE_INVALID);

  /* Objects too: the new ones have handles never given before. */
  g_atomic_int_set (&f->slow_opcode, 0);
  g_assert_cmpuint (p11->C_FindObjectsInit (next, NULL, 0), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjects (next, &found, 1, &n), ==, CKR_OK);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (found, >, next);
  g_assert_cmpuint (p11->C_FindObjectsFinal (next), ==, CKR_OK);
}

static CK_OBJECT_HANDLE
find_private_key (Fixture    *f,
                  const char *label)
{
  CK_OBJECT_CLASS klass = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE tmpl[] = {
    { CKA_CLASS, &klass, sizeof klass },
    { CKA_LABEL, (void *) label, strlen (label) },
  };
  CK_OBJECT_HANDLE found = CK_INVALID_HANDLE;
  CK_ULONG n = 0;

  g_assert_cmpuint (p11->C_FindObjectsInit (f->session, tmpl, G_N_ELEMENTS (tmpl)), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjects (f->session, &found, 1, &n), ==, CKR_OK);
  g_assert_cmpuint (p11->C_FindObjectsFinal (f->session), ==, CKR_OK);
  g_assert_cmpuint (n, ==, 1);
  return found;
}

/* Public keys and signatures not of the key's size are the device's
 * failure, never a size computed from them. */
static void
test_lengths (Fixture       *f,
              gconstpointer  user_data)
{
  CK_MECHANISM ecdsa = { CKM_ECDSA, NULL, 0 };
  CK_MECHANISM rsa = { CKM_SHA256_RSA_PKCS, NULL, 0 };
  guint8 digest[32] = { 1 };
  guint8 signature[512];
  CK_ULONG len;

  g_assert_cmpuint (p11->C_SignInit (f->session, &ecdsa, find_private_key (f, "ec-empty")), ==, CKR_DEVICE_ERROR);
  g_assert_cmpuint (p11->C_SignInit (f->session, &ecdsa, find_private_key (f, "ec-wrong-size")), ==,
                    CKR_DEVICE_ERROR);

  g_assert_cmpuint (p11->C_SignInit (f->session, &ecdsa, find_private_key (f, "ec-short-signature")), ==, CKR_OK);
  g_assert_cmpuint (p11->C_Sign (f->session, digest, sizeof digest, NULL, &len), ==, CKR_OK);
  g_assert_cmpuint (len, ==, 64);
  g_assert_cmpuint (p11->C_Sign (f->session, digest, sizeof digest, signature, &len), ==, CKR_DEVICE_ERROR);

  g_assert_cmpuint (p11->C_SignInit (f->session, &rsa, find_private_key (f, "rsa-short-signature")), ==, CKR_OK);
  len = sizeof signature;
  g_assert_cmpuint (p11->C_Sign (f->session, digest, sizeof digest, NULL, &len), ==, CKR_OK);
  g_assert_cmpuint (len, ==, 256);
  g_assert_cmpuint (p11->C_Sign (f->session, digest, sizeof digest, signature, &len), ==, CKR_DEVICE_ERROR);
}

/* C_Initialize's arguments, as PKCS #11 v2.40 (5.4) has them */

static CK_RV
create_mutex (CK_VOID_PTR_PTR mutex)
{
  *mutex = g_new0 (GMutex, 1);
  return CKR_OK;
}

static CK_RV
destroy_mutex (CK_VOID_PTR mutex)
{
  g_free (mutex);
  return CKR_OK;
}

static CK_RV
lock_mutex (CK_VOID_PTR mutex)
{
  g_mutex_lock (mutex);
  return CKR_OK;
}

static CK_RV
unlock_mutex (CK_VOID_PTR mutex)
{
  g_mutex_unlock (mutex);
  return CKR_OK;
}

static void
test_initialize_args (void)
{
  static const struct {
    const char *name;
    gboolean mutexes;
    gboolean half_the_mutexes;
    CK_FLAGS flags;
    gboolean reserved;
    CK_RV expected;
  } cases[] = {
    { "nothing", FALSE, FALSE, 0, FALSE, CKR_OK },
    { "OS locking", FALSE, FALSE, CKF_OS_LOCKING_OK, FALSE, CKR_OK },
    { "OS locking or the application's", TRUE, FALSE, CKF_OS_LOCKING_OK, FALSE, CKR_OK },
    { "the application's locking only", TRUE, FALSE, 0, FALSE, CKR_CANT_LOCK },
    { "some mutex functions", FALSE, TRUE, CKF_OS_LOCKING_OK, FALSE, CKR_ARGUMENTS_BAD },
    { "some mutex functions, no flag", FALSE, TRUE, 0, FALSE, CKR_ARGUMENTS_BAD },
    { "reserved", FALSE, FALSE, CKF_OS_LOCKING_OK, TRUE, CKR_ARGUMENTS_BAD },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CK_C_INITIALIZE_ARGS args = { NULL };
      CK_RV rv;

      if (cases[i].mutexes || cases[i].half_the_mutexes)
        {
          args.CreateMutex = create_mutex;
          args.DestroyMutex = destroy_mutex;
        }
      if (cases[i].mutexes)
        {
          args.LockMutex = lock_mutex;
          args.UnlockMutex = unlock_mutex;
        }
      args.flags = cases[i].flags;
      args.pReserved = cases[i].reserved ? (CK_VOID_PTR) "configdir=x" : NULL;
      rv = p11->C_Initialize (&args);
      if (rv != cases[i].expected)
        g_error ("%s: 0x%lx, not 0x%lx", cases[i].name, rv, cases[i].expected);
      if (rv == CKR_OK)
        g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_OK);
      else
        g_assert_cmpuint (p11->C_Finalize (NULL), ==, CKR_CRYPTOKI_NOT_INITIALIZED);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  p11_test_load_module (PKCS11_MODULE_PATH);

  g_test_add_func ("/parsec/pkcs11-fake/initialize-args", test_initialize_args);
#define ADD(path, func) g_test_add ("/parsec/pkcs11-fake/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("lock-released", test_lock_released);
  ADD ("finalize-in-flight", test_finalize_in_flight);
  ADD ("lengths", test_lengths);
#undef ADD

  return g_test_run ();
}
