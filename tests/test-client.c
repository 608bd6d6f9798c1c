/* test-client.c: ParsecClient against a scriptable fake service
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "parsec-glib.h"
#include "async-wait.h"
#include "fake-service.h"
#include "list_authenticators.pb-c.h"
#include "list_clients.pb-c.h"
#include "list_opcodes.pb-c.h"
#include "list_providers.pb-c.h"

typedef struct {
  FakeService *fake;
  AsyncWait wait;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->fake = fake_service_new ();
  async_wait_init (&f->wait);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  async_wait_clear (&f->wait);
  fake_service_free (f->fake);
}

/* A client that needs no discovery: explicit provider and method. */
static ParsecClient *
quick_client (Fixture     *f,
              guint        timeout_ms,
              GError     **error)
{
  return g_initable_new (PARSEC_TYPE_CLIENT, NULL, error,
                         "endpoint", fake_service_get_endpoint (f->fake),
                         "provider", PARSEC_PROVIDER_MBED_CRYPTO,
                         "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                         "application-name", "test-app",
                         "timeout", timeout_ms,
                         NULL);
}

static void
assert_weak_gone (gpointer *weak)
{
  g_assert_null (*weak);
}

/* Discovery */

static ParsecClient *
auto_client (Fixture     *f,
             GError     **error)
{
  return g_initable_new (PARSEC_TYPE_CLIENT, NULL, error,
                         "endpoint", fake_service_get_endpoint (f->fake),
                         "application-name", "test-app",
                         NULL);
}

/* Initialisation sends nothing; ping and the lists need no discovery;
 * the first authenticated crypto call asks for the providers and
 * authenticators, once. */
static void
test_discovery_sync (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GArray) opcodes = NULL;
  gpointer weak = NULL;

  client = auto_client (f, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 0);
  g_assert_cmpuint (parsec_client_get_implicit_provider (client), ==, PARSEC_PROVIDER_CORE);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_NONE);

  {
    g_autoptr(ParsecProtocolVersion) version = parsec_client_ping (client, NULL, &error);

    g_assert_no_error (error);
    g_assert_nonnull (version);
  }
  providers = parsec_client_list_providers (client, NULL, &error);
  g_assert_no_error (error);
  opcodes = parsec_client_list_opcodes (client, PARSEC_PROVIDER_MBED_CRYPTO, NULL, &error);
  g_assert_no_error (error);
  {
    /* Without authentication while none is known. */
    g_autoptr(GBytes) request = fake_service_dup_last_request (f->fake);

    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (request, NULL))[21], ==, PARSEC_AUTH_TYPE_NONE);
  }
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 3);
  g_assert_cmpuint (parsec_client_get_implicit_provider (client), ==, PARSEC_PROVIDER_CORE);

  g_assert_true (parsec_client_destroy_key (client, "key", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 3 + 2 + 1);
  g_assert_cmpuint (parsec_client_get_implicit_provider (client), ==, PARSEC_PROVIDER_MBED_CRYPTO);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_DIRECT);

  g_assert_true (parsec_client_destroy_key (client, "key", NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&opcodes, g_array_unref);
  opcodes = parsec_client_list_opcodes (client, PARSEC_PROVIDER_MBED_CRYPTO, NULL, &error);
  g_assert_no_error (error);
  {
    /* With it once known, as the official clients send it. */
    g_autoptr(GBytes) request = fake_service_dup_last_request (f->fake);

    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (request, NULL))[21], ==, PARSEC_AUTH_TYPE_DIRECT);
  }
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 3 + 2 + 1 + 2);

  g_object_add_weak_pointer (G_OBJECT (client), &weak);
  g_clear_object (&client);
  assert_weak_gone (&weak);
}

typedef struct {
  Fixture *f;
  guint pending;
  guint failed;
} Burst;

static void
burst_call_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Burst *burst = user_data;
  g_autoptr(GError) error = NULL;

  if (!parsec_client_destroy_key_finish (PARSEC_CLIENT (source), result, &error))
    burst->failed++;
  if (--burst->pending == 0)
    g_main_loop_quit (burst->f->wait.loop);
}

/* A burst of first calls waits for one discovery. */
static void
test_discovery_async (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GObject) source = NULL;
  Burst burst = { f, 16, 0 };

  g_async_initable_new_async (PARSEC_TYPE_CLIENT, G_PRIORITY_DEFAULT, NULL, async_wait_store, &f->wait,
                              "endpoint", fake_service_get_endpoint (f->fake),
                              "application-name", "test-app",
                              NULL);
  async_wait_result (&f->wait);
  source = g_async_result_get_source_object (f->wait.result);
  client = PARSEC_CLIENT (g_async_initable_new_finish (G_ASYNC_INITABLE (source), f->wait.result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 0);

  for (guint i = 0; i < 16; i++)
    parsec_client_destroy_key_async (client, "key", NULL, burst_call_done, &burst);
  g_main_loop_run (f->wait.loop);
  g_assert_cmpuint (burst.failed, ==, 0);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 2 + 16);
  g_assert_cmpuint (parsec_client_get_implicit_provider (client), ==, PARSEC_PROVIDER_MBED_CRYPTO);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_DIRECT);

  parsec_client_discover_async (client, NULL, async_wait_store, &f->wait);
  g_assert_true (parsec_client_discover_finish (client, async_wait_result (&f->wait), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 2 + 16);
}

/* A call cancelled while it waits for discovery ends at once; the
 * discovery goes on for the others. */
static void
test_discovery_cancel (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = auto_client (f, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_assert_no_error (error);
  parsec_client_destroy_key_async (client, "key", cancellable, async_wait_store, &f->wait);
  g_cancellable_cancel (cancellable);
  g_assert_false (parsec_client_destroy_key_finish (client, async_wait_result (&f->wait), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  parsec_client_destroy_key_async (client, "key", NULL, async_wait_store, &f->wait);
  g_assert_true (parsec_client_destroy_key_finish (client, async_wait_result (&f->wait), &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_DIRECT);
}

/* With the provider and the authentication set, nothing is discovered. */
static void
test_discovery_explicit (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = quick_client (f, 5000, &error);
  g_autoptr(GPtrArray) keys = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (parsec_client_get_implicit_provider (client), ==, PARSEC_PROVIDER_MBED_CRYPTO);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_DIRECT);
  g_assert_true (parsec_client_destroy_key (client, "key", NULL, &error));
  g_assert_no_error (error);
  keys = parsec_client_list_keys (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 2);
}

static void
test_new_async_default (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;

  g_setenv ("PARSEC_SERVICE_ENDPOINT", fake_service_get_endpoint (f->fake), TRUE);
  /* Unix peer credentials need no name. */
  fake_service_set_handler (f->fake, fake_handler_default,
                            GUINT_TO_POINTER (PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS));
  parsec_client_new (NULL, NULL, async_wait_store, &f->wait);
  client = parsec_client_new_finish (async_wait_result (&f->wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (parsec_client_get_endpoint (client), ==, fake_service_get_endpoint (f->fake));
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS);

  g_clear_object (&client);
  client = parsec_client_new_sync (NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS);
  g_unsetenv ("PARSEC_SERVICE_ENDPOINT");
}

static void
test_no_application_name (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GPtrArray) keys = NULL;

  /* Direct authentication chosen by discovery: the first call that needs
   * it fails, and nothing authenticated is sent. */
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           NULL);
  g_assert_no_error (error);
  keys = parsec_client_list_keys (client, NULL, &error);
  g_assert_null (keys);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_APPLICATION_NAME);
  g_assert_nonnull (strstr (error->message, "application-name"));
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 1);
  g_clear_error (&error);
  g_clear_object (&client);

  /* Chosen by the application: initialisation fails. */
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                           NULL);
  g_assert_null (client);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_APPLICATION_NAME);
}

/* The last request's authentication type, and its data at the end. */
static const guint8 *
last_request_auth (Fixture *f,
                   GBytes **request,
                   gsize   *len)
{
  *request = fake_service_dup_last_request (f->fake);
  return g_bytes_get_data (*request, len);
}

static void
test_application_id_default (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GApplication) app = g_application_new ("org.example.ParsecTest", G_APPLICATION_DEFAULT_FLAGS);
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  gsize len;
  const guint8 *bytes;

  g_application_set_default (app);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           NULL);
  g_application_set_default (NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (parsec_client_get_application_name (client), ==, "org.example.ParsecTest");

  /* The name travels in the auth field of authenticated requests. */
  keys = parsec_client_list_keys (client, NULL, &error);
  g_assert_no_error (error);
  bytes = last_request_auth (f, &request, &len);
  g_assert_cmpuint (bytes[21], ==, PARSEC_AUTH_TYPE_DIRECT);
  g_assert_cmpmem (bytes + len - strlen ("org.example.ParsecTest"), strlen ("org.example.ParsecTest"),
                   "org.example.ParsecTest", strlen ("org.example.ParsecTest"));
}

static void
test_unix_peer_credentials (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  guint32 uid = geteuid ();
  gsize len;
  const guint8 *bytes;

  fake_service_set_handler (f->fake, fake_handler_default,
                            GUINT_TO_POINTER (PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS));
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           NULL);
  g_assert_no_error (error);

  keys = parsec_client_list_keys (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS);
  bytes = last_request_auth (f, &request, &len);
  g_assert_cmpuint (bytes[21], ==, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS);
  g_assert_cmpuint (bytes[26] | (bytes[27] << 8), ==, 4);
  g_assert_cmpuint (len, >=, PARSEC_WIRE_HEADER_LEN + 4);
  g_assert_cmpuint (bytes[len - 4] | (bytes[len - 3] << 8) | (bytes[len - 2] << 16) | ((guint32) bytes[len - 1] << 24),
                    ==, uid);
}

static GBytes *
authenticators_handler (const FakeRequest *request,
                        FakeAction        *action,
                        gpointer           user_data)
{
  const guint32 *ids = user_data;

  if (request->header.opcode == PARSEC_OPCODE_LIST_AUTHENTICATORS)
    {
      ListAuthenticators__Result result = LIST_AUTHENTICATORS__RESULT__INIT;
      ListAuthenticators__AuthenticatorInfo infos[4];
      ListAuthenticators__AuthenticatorInfo *list[4];

      for (result.n_authenticators = 0; ids[result.n_authenticators] != G_MAXUINT32; result.n_authenticators++)
        {
          gsize i = result.n_authenticators;

          list_authenticators__authenticator_info__init (&infos[i]);
          infos[i].id = ids[i];
          infos[i].description = (char *) "\xff not UTF-8";
          list[i] = &infos[i];
        }
      result.authenticators = list;
      return fake_response_new (request->header.opcode, 0, 0, &result.base);
    }
  return fake_handler_default (request, action, NULL);
}

static void
test_auth_selection (Fixture       *f,
                     gconstpointer  data)
{
  static const guint32 unknown_then_jwt_then_peer[] = { 99, PARSEC_AUTH_TYPE_JWT, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS, G_MAXUINT32 };
  static const guint32 jwt_svid_only[] = { PARSEC_AUTH_TYPE_JWT_SVID, G_MAXUINT32 };
  static const guint32 none[] = { G_MAXUINT32 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GPtrArray) authenticators = NULL;

  /* Unknown and unserved types are passed over, not fatal. */
  fake_service_set_handler (f->fake, authenticators_handler, (gpointer) unknown_then_jwt_then_peer);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake), NULL);
  g_assert_no_error (error);
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_UNIX_PEER_CREDENTIALS);

  /* ... and kept as numbers when listed, with text made valid. */
  authenticators = parsec_client_list_authenticators (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (authenticators->len, ==, 3);
  g_assert_cmpuint (parsec_authenticator_info_get_id (g_ptr_array_index (authenticators, 0)), ==, 99);
  g_assert_true (g_utf8_validate (parsec_authenticator_info_get_description (g_ptr_array_index (authenticators, 0)), -1, NULL));
  g_clear_object (&client);

  /* JWT-SVID is served only with a token. */
  fake_service_set_handler (f->fake, authenticators_handler, (gpointer) jwt_svid_only);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake), NULL);
  g_assert_no_error (error);
  g_assert_false (parsec_client_discover (client, NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_USABLE_AUTHENTICATOR);
  g_clear_error (&error);
  g_clear_object (&client);

  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           "jwt-svid-token", "header.payload.signature", NULL);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) keys = parsec_client_list_keys (client, NULL, &error);
    g_autoptr(GBytes) request = fake_service_dup_last_request (f->fake);
    gsize len;
    const guint8 *bytes = g_bytes_get_data (request, &len);

    g_assert_no_error (error);
    g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_JWT_SVID);
    g_assert_cmpuint (bytes[21], ==, PARSEC_AUTH_TYPE_JWT_SVID);
    g_assert_cmpmem (bytes + len - 24, 24, "header.payload.signature", 24);

    /* A refreshed token is used from the next request on. */
    parsec_client_set_jwt_svid_token (client, "fresh.token.value");
    g_clear_pointer (&keys, g_ptr_array_unref);
    keys = parsec_client_list_keys (client, NULL, &error);
    g_assert_no_error (error);
    g_clear_pointer (&request, g_bytes_unref);
    request = fake_service_dup_last_request (f->fake);
    bytes = g_bytes_get_data (request, &len);
    g_assert_cmpmem (bytes + len - 17, 17, "fresh.token.value", 17);

    /* Without a token, nothing is sent. */
    parsec_client_set_jwt_svid_token (client, NULL);
    g_clear_pointer (&keys, g_ptr_array_unref);
    keys = parsec_client_list_keys (client, NULL, &error);
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_JWT_SVID_TOKEN);
    g_assert_null (keys);
    g_clear_error (&error);
  }
  g_clear_object (&client);

  /* A service without authenticators gets requests without. */
  fake_service_set_handler (f->fake, authenticators_handler, (gpointer) none);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake), NULL);
  g_assert_no_error (error);
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (parsec_client_get_auth_type (client), ==, PARSEC_AUTH_TYPE_NONE);
}

static GBytes *
providers_handler (const FakeRequest *request,
                   FakeAction        *action,
                   gpointer           user_data)
{
  if (request->header.opcode == PARSEC_OPCODE_LIST_PROVIDERS)
    {
      ListProviders__Result result = LIST_PROVIDERS__RESULT__INIT;
      ListProviders__ProviderInfo core = LIST_PROVIDERS__PROVIDER_INFO__INIT;
      ListProviders__ProviderInfo future = LIST_PROVIDERS__PROVIDER_INFO__INIT;
      ListProviders__ProviderInfo *with_crypto[] = { &future, &core };
      ListProviders__ProviderInfo *core_only[] = { &core };

      future.id = 200;
      future.uuid = (char *) "00000000-0000-0000-0000-000000000200";
      future.version_maj = 70000;
      if (user_data != NULL)
        {
          result.providers = with_crypto;
          result.n_providers = 2;
        }
      else
        {
          result.providers = core_only;
          result.n_providers = 1;
        }
      return fake_response_new (request->header.opcode, 0, 0, &result.base);
    }
  return fake_handler_default (request, action, GUINT_TO_POINTER (PARSEC_AUTH_TYPE_DIRECT));
}

static void
test_provider_selection (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GPtrArray) providers = NULL;

  /* A provider the library does not know is still a provider. */
  fake_service_set_handler (f->fake, providers_handler, GINT_TO_POINTER (TRUE));
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           "application-name", "app", NULL);
  g_assert_no_error (error);
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsec_client_get_implicit_provider (client), ==, 200);
  providers = parsec_client_list_providers (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, ==, 2);
  g_assert_cmpuint (parsec_provider_info_get_id (g_ptr_array_index (providers, 0)), ==, 200);
  g_assert_cmpuint (parsec_provider_info_get_version_major (g_ptr_array_index (providers, 0)), ==, 70000);
  g_clear_object (&client);

  fake_service_set_handler (f->fake, providers_handler, NULL);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "endpoint", fake_service_get_endpoint (f->fake),
                           "application-name", "app", NULL);
  g_assert_no_error (error);
  g_assert_true (parsec_client_discover (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (parsec_client_get_implicit_provider (client), ==, PARSEC_PROVIDER_CORE);
  {
    /* Crypto calls then fail before anything is sent. */
    guint before = fake_service_get_request_count (f->fake);
    g_autoptr(GBytes) random = parsec_client_generate_random (client, 8, NULL, &error);

    g_assert_null (random);
    g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_NO_CRYPTO_PROVIDER);
    g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, before);
  }
}

/* Configuration precedence: property > environment > GSettings > default */

static void
test_configuration (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new ("community.parsec.glib");
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = NULL;
  const char *good = fake_service_get_endpoint (f->fake);
  const char *bad = "unix:/nonexistent/parsec.sock";
  ParsecTrustPolicy policy;

  /* GSettings beats the default; unset values read as such until then */
  g_unsetenv ("PARSEC_SERVICE_ENDPOINT");
  g_settings_set_string (settings, "endpoint", good);
  g_settings_set_uint (settings, "timeout", 1234);
  g_settings_set_uint (settings, "max-response-size", 4321);
  g_settings_set_string (settings, "trust-policy", "warn");
  g_settings_set_strv (settings, "trusted-users", (const char * const []) { "root", "4242", NULL });
  client = g_object_new (PARSEC_TYPE_CLIENT, "application-name", "app", NULL);
  g_assert_null (parsec_client_get_endpoint (client));
  g_assert_cmpint (parsec_client_get_timeout (client), ==, -1);
  g_assert_cmpuint (parsec_client_get_max_response_size (client), ==, 0);
  g_assert_cmpint (parsec_client_get_trust_policy (client), ==, PARSEC_TRUST_POLICY_DEFAULT);
  g_assert_null (parsec_client_get_trusted_users (client));
  g_assert_true (g_initable_init (G_INITABLE (client), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (parsec_client_get_endpoint (client), ==, good);
  g_assert_cmpint (parsec_client_get_timeout (client), ==, 1234);
  g_assert_cmpuint (parsec_client_get_max_response_size (client), ==, 4321);
  g_assert_cmpint (parsec_client_get_trust_policy (client), ==, PARSEC_TRUST_POLICY_WARN);
  g_assert_cmpstrv (parsec_client_get_trusted_users (client), ((const char * const []) { "root", "4242", NULL }));
  g_clear_object (&client);

  /* trust-policy is an enum key, made from ParsecTrustPolicy */
  g_assert_true (g_settings_set_enum (settings, "trust-policy", PARSEC_TRUST_POLICY_WARN));
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error, "application-name", "app", NULL);
  g_assert_no_error (error);
  g_object_get (client, "trust-policy", &policy, NULL);
  g_assert_cmpint (policy, ==, PARSEC_TRUST_POLICY_WARN);
  g_clear_object (&client);
  g_settings_reset (settings, "trust-policy");

  /* the environment beats GSettings */
  g_settings_set_string (settings, "endpoint", bad);
  g_setenv ("PARSEC_SERVICE_ENDPOINT", good, TRUE);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error, "application-name", "app", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (parsec_client_get_endpoint (client), ==, good);
  g_clear_object (&client);

  /* properties beat everything */
  g_setenv ("PARSEC_SERVICE_ENDPOINT", bad, TRUE);
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                           "application-name", "app",
                           "endpoint", good,
                           "timeout", 99,
                           "max-response-size", 1000,
                           "trust-policy", PARSEC_TRUST_POLICY_OFF,
                           "trusted-users", (const char * const []) { "0", NULL },
                           NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (parsec_client_get_endpoint (client), ==, good);
  g_assert_cmpint (parsec_client_get_timeout (client), ==, 99);
  g_assert_cmpuint (parsec_client_get_max_response_size (client), ==, 1000);
  g_assert_cmpint (parsec_client_get_trust_policy (client), ==, PARSEC_TRUST_POLICY_OFF);
  g_assert_cmpstrv (parsec_client_get_trusted_users (client), ((const char * const []) { "0", NULL }));
  g_clear_object (&client);

  /* no deadline is a value like any other */
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error, "application-name", "app", "timeout", 0, NULL);
  g_assert_no_error (error);
  g_assert_cmpint (parsec_client_get_timeout (client), ==, 0);
  g_clear_object (&client);

  /* and the default applies when nothing is configured */
  g_unsetenv ("PARSEC_SERVICE_ENDPOINT");
  g_settings_reset (settings, "endpoint");
  g_settings_reset (settings, "timeout");
  g_settings_reset (settings, "max-response-size");
  g_settings_reset (settings, "trust-policy");
  g_settings_reset (settings, "trusted-users");
  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error, "application-name", "app", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (parsec_client_get_endpoint (client), ==, "unix:/run/parsec/parsec.sock");
  g_assert_cmpint (parsec_client_get_timeout (client), ==, 60000);
  g_assert_cmpuint (parsec_client_get_max_response_size (client), ==, 1u << 20);
  g_assert_cmpint (parsec_client_get_trust_policy (client), ==, PARSEC_TRUST_POLICY_OFF);
  g_assert_null (parsec_client_get_trusted_users (client));
  g_assert_null (parsec_client_ping (client, NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_SERVICE_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "/run/parsec/parsec.sock"));
  g_clear_error (&error);
  g_clear_object (&client);

  client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error, "endpoint", "tcp://example:1", NULL);
  g_assert_null (client);
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_ENDPOINT);

  g_setenv ("PARSEC_SERVICE_ENDPOINT", "unix:/nonexistent/parsec-glib-tests.sock", TRUE);
}

/* Core operations */

static void
test_ping (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = quick_client (f, 5000, &error);
  g_autoptr(ParsecProtocolVersion) version = NULL;
  g_autoptr(ParsecProtocolVersion) copy = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (fake_service_get_request_count (f->fake), ==, 0);

  version = parsec_client_ping (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (version);
  g_assert_cmpuint (version->major, ==, 1);
  g_assert_cmpuint (version->minor, ==, 0);

  /* The boxed type copies by value. */
  copy = parsec_protocol_version_copy (version);
  g_assert_true (copy != version);
  g_assert_cmpuint (copy->major, ==, 1);
  g_assert_cmpuint (copy->minor, ==, 0);
  g_assert_true (G_TYPE_IS_BOXED (PARSEC_TYPE_PROTOCOL_VERSION));
  g_clear_pointer (&version, parsec_protocol_version_free);

  parsec_client_ping_async (client, NULL, async_wait_store, &f->wait);
  version = parsec_client_ping_finish (client, async_wait_result (&f->wait), &error);
  g_assert_no_error (error);
  g_assert_nonnull (version);
  g_assert_cmpuint (version->major, ==, 1);
  g_assert_cmpuint (version->minor, ==, 0);

  {
    /* Ping never carries authentication. */
    g_autoptr(GBytes) request = fake_service_dup_last_request (f->fake);

    g_assert_cmpuint (g_bytes_get_size (request), ==, PARSEC_WIRE_HEADER_LEN);
    g_assert_cmpuint (((const guint8 *) g_bytes_get_data (request, NULL))[21], ==, 0);
  }
}

static GBytes *
core_ops_handler (const FakeRequest *request,
                  FakeAction        *action,
                  gpointer           user_data)
{
  switch (request->header.opcode)
    {
    case PARSEC_OPCODE_LIST_OPCODES:
      {
        ListOpcodes__Result result = LIST_OPCODES__RESULT__INIT;
        guint32 opcodes[] = { 1, 0x1234, 0x0A, 0xFFFFFFFF };

        result.opcodes = opcodes;
        result.n_opcodes = G_N_ELEMENTS (opcodes);
        return fake_response_new (request->header.opcode, 0, 0, &result.base);
      }
    case PARSEC_OPCODE_LIST_CLIENTS:
      {
        ListClients__Result result = LIST_CLIENTS__RESULT__INIT;
        char *clients[] = { (char *) "alice", (char *) "bob" };

        result.clients = clients;
        result.n_clients = 2;
        return fake_response_new (request->header.opcode, 0, 0, &result.base);
      }
    default:
      return fake_handler_default (request, action, NULL);
    }
}

static void
test_core_operations (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = quick_client (f, 5000, &error);
  g_autoptr(GArray) opcodes = NULL;
  g_auto(GStrv) clients = NULL;
  g_autoptr(GBytes) request = NULL;
  const guint8 *bytes;
  gsize len;

  g_assert_no_error (error);
  fake_service_set_handler (f->fake, core_ops_handler, NULL);

  /* Unknown opcodes are kept as numbers. */
  opcodes = parsec_client_list_opcodes (client, PARSEC_PROVIDER_MBED_CRYPTO, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opcodes->len, ==, 4);
  g_assert_cmpuint (g_array_index (opcodes, guint32, 1), ==, 0x1234);
  g_assert_cmpuint (g_array_index (opcodes, guint32, 3), ==, 0xFFFFFFFF);
  request = fake_service_dup_last_request (f->fake);
  bytes = g_bytes_get_data (request, &len);
  g_assert_cmpuint (bytes[10], ==, PARSEC_PROVIDER_CORE);
  g_assert_cmpuint (bytes[PARSEC_WIRE_HEADER_LEN], ==, 0x08);
  g_assert_cmpuint (bytes[PARSEC_WIRE_HEADER_LEN + 1], ==, 0x01);
  g_clear_pointer (&opcodes, g_array_unref);

  parsec_client_list_opcodes_async (client, 0, NULL, async_wait_store, &f->wait);
  opcodes = parsec_client_list_opcodes_finish (client, async_wait_result (&f->wait), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (opcodes->len, ==, 4);

  clients = parsec_client_list_clients (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (clients, ((const char *[]) { "alice", "bob", NULL }));
  g_clear_pointer (&clients, g_strfreev);

  parsec_client_list_clients_async (client, NULL, async_wait_store, &f->wait);
  clients = parsec_client_list_clients_finish (client, async_wait_result (&f->wait), &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (clients, ((const char *[]) { "alice", "bob", NULL }));

  g_assert_true (parsec_client_delete_client (client, "alice", NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&request, g_bytes_unref);
  request = fake_service_dup_last_request (f->fake);
  bytes = g_bytes_get_data (request, &len);
  g_assert_cmpuint (bytes[28], ==, PARSEC_OPCODE_DELETE_CLIENT);
  g_assert_cmpmem (bytes + PARSEC_WIRE_HEADER_LEN, 7, "\x0a\x05" "alice", 7);

  parsec_client_delete_client_async (client, "bob", NULL, async_wait_store, &f->wait);
  g_assert_true (parsec_client_delete_client_finish (client, async_wait_result (&f->wait), &error));
  g_assert_no_error (error);

  {
    g_autoptr(GPtrArray) providers = NULL;

    parsec_client_list_providers_async (client, NULL, async_wait_store, &f->wait);
    providers = parsec_client_list_providers_finish (client, async_wait_result (&f->wait), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (providers->len, ==, 2);
    g_assert_cmpstr (parsec_provider_info_get_uuid (g_ptr_array_index (providers, 0)), ==,
                     "1c1139dc-ad7c-47dc-ad6b-db6fdb466552");
    g_assert_cmpstr (parsec_provider_info_get_vendor (g_ptr_array_index (providers, 0)), ==, "Arm");
    }
  {
    g_autoptr(GPtrArray) authenticators = NULL;

    parsec_client_list_authenticators_async (client, NULL, async_wait_store, &f->wait);
    authenticators = parsec_client_list_authenticators_finish (client, async_wait_result (&f->wait), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (authenticators->len, ==, 1);
  }
}

static GBytes *
missing_key_handler (const FakeRequest *request,
                     FakeAction        *action,
                     gpointer           user_data)
{
  if (request->header.opcode == PARSEC_OPCODE_LIST_OPCODES)
    {
      ListOpcodes__Result result = LIST_OPCODES__RESULT__INIT;
      guint32 destroy = PARSEC_OPCODE_PSA_DESTROY_KEY;

      result.opcodes = &destroy;
      result.n_opcodes = 1;
      return fake_response_new (request->header.opcode, 0, 0, &result.base);
    }
  return fake_response_new (request->header.opcode, request->header.provider,
                            PARSEC_ERROR_PSA_DOES_NOT_EXIST, NULL);
}

/* A service error about a key names the key, sync and async. */
static void
test_error_names_key (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ParsecClient) client = quick_client (f, 5000, &error);

  g_assert_no_error (error);
  fake_service_set_handler (f->fake, missing_key_handler, NULL);

  g_assert_false (parsec_client_destroy_key (client, "gone", NULL, &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_nonnull (strstr (error->message, "PsaDestroyKey of key \u201cgone\u201d"));
  g_clear_error (&error);

  parsec_client_destroy_key_async (client, "also gone", NULL, async_wait_store, &f->wait);
  g_assert_false (parsec_client_destroy_key_finish (client, async_wait_result (&f->wait), &error));
  g_assert_error (error, PARSEC_ERROR, PARSEC_ERROR_PSA_DOES_NOT_EXIST);
  g_assert_nonnull (strstr (error->message, "\u201calso gone\u201d"));
}

/* Failure modes: each misbehaviour gives its documented error, in the
 * synchronous and the asynchronous path alike. */

typedef enum {
  MODE_TRUNCATED_HEADER,
  MODE_TRUNCATED_BODY,
  MODE_OVERSIZED_BODY,
  MODE_WRONG_MAGIC,
  MODE_WRONG_VERSION,
  MODE_WRONG_HEADER_SIZE,
  MODE_RESERVED,
  MODE_WRONG_OPCODE,
  MODE_ERROR_DEFAULT_HEADER,
  MODE_UNKNOWN_STATUS,
  MODE_UNDECODABLE_BODY,
  MODE_NO_ANSWER,
  MODE_EARLY_CLOSE,
  MODE_CANCEL,
  MODE_REFUSED,
  MODE_MISSING_SOCKET,
  MODE_BACKLOG_FULL,
} FailureMode;

typedef struct {
  const char *name;
  FailureMode mode;
  GQuark (*domain) (void);
  int code;
} FailureCase;

static GBytes *
failure_handler (const FakeRequest *request,
                 FakeAction        *action,
                 gpointer           user_data)
{
  const FailureCase *c = user_data;
  g_autoptr(GBytes) good = NULL;
  ParsecWireHeader header;
  guint8 body[4] = { 0x0a, 0x02, 'h', 'i' };

  _parsec_wire_header_init_request (&header, 0, request->header.opcode, 0, sizeof body, 0);
  /* Misbehaviour that the client must notice without waiting for more:
   * the connection stays open after the bytes are sent. */
  *action = FAKE_ACTION_SEND_HOLD;

  switch (c->mode)
    {
    case MODE_TRUNCATED_HEADER:
      good = fake_response_new_raw (&header, body, sizeof body);
      *action = FAKE_ACTION_SEND;
      return g_bytes_new_from_bytes (good, 0, 20);
    case MODE_TRUNCATED_BODY:
      good = fake_response_new_raw (&header, body, sizeof body);
      *action = FAKE_ACTION_SEND;
      return g_bytes_new_from_bytes (good, 0, PARSEC_WIRE_HEADER_LEN + 2);
    case MODE_OVERSIZED_BODY:
      header.body_len = 2 * 1024 * 1024;
      return fake_response_new_raw (&header, body, sizeof body);
    case MODE_WRONG_MAGIC:
      header.magic = 0x12345678;
      return fake_response_new_raw (&header, body, sizeof body);
    case MODE_WRONG_VERSION:
      header.version_major = 2;
      return fake_response_new_raw (&header, body, sizeof body);
    case MODE_WRONG_HEADER_SIZE:
      header.header_size = 40;
      return fake_response_new_raw (&header, body, sizeof body);
    case MODE_RESERVED:
      header.reserved2 = 1;
      return fake_response_new_raw (&header, body, sizeof body);
    case MODE_WRONG_OPCODE:
      header.opcode = PARSEC_OPCODE_PING;
      return fake_response_new_raw (&header, body, sizeof body);
    case MODE_ERROR_DEFAULT_HEADER:
      /* What the service sends for a request it could not parse. */
      return fake_response_new (PARSEC_OPCODE_PING, 0, PARSEC_ERROR_ADMIN_OPERATION, NULL);
    case MODE_UNKNOWN_STATUS:
      return fake_response_new (request->header.opcode, 0, 4000, NULL);
    case MODE_UNDECODABLE_BODY:
      {
        guint8 garbage[] = { 0x0a, 0x7f, 0x01 };

        header.body_len = sizeof garbage;
        return fake_response_new_raw (&header, garbage, sizeof garbage);
      }
    case MODE_NO_ANSWER:
    case MODE_CANCEL:
      return NULL;
    case MODE_EARLY_CLOSE:
      *action = FAKE_ACTION_CLOSE;
      return NULL;
    case MODE_REFUSED:
    case MODE_MISSING_SOCKET:
    case MODE_BACKLOG_FULL:
    default:
      g_assert_not_reached ();
    }
}

static const FailureCase failure_cases[] = {
  { "truncated-header", MODE_TRUNCATED_HEADER, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "truncated-body", MODE_TRUNCATED_BODY, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "oversized-body", MODE_OVERSIZED_BODY, parsec_error_quark, PARSEC_ERROR_RESPONSE_EXCEEDS_LIMIT },
  { "wrong-magic", MODE_WRONG_MAGIC, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "wrong-version", MODE_WRONG_VERSION, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "wrong-header-size", MODE_WRONG_HEADER_SIZE, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "reserved", MODE_RESERVED, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "wrong-opcode", MODE_WRONG_OPCODE, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "error-default-header", MODE_ERROR_DEFAULT_HEADER, parsec_error_quark, PARSEC_ERROR_ADMIN_OPERATION },
  { "unknown-status", MODE_UNKNOWN_STATUS, parsec_error_quark, 4000 },
  { "undecodable-body", MODE_UNDECODABLE_BODY, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "no-answer", MODE_NO_ANSWER, g_io_error_quark, G_IO_ERROR_TIMED_OUT },
  { "early-close", MODE_EARLY_CLOSE, parsec_error_quark, PARSEC_ERROR_PROTOCOL_VIOLATION },
  { "cancel", MODE_CANCEL, g_io_error_quark, G_IO_ERROR_CANCELLED },
  { "refused", MODE_REFUSED, parsec_error_quark, PARSEC_ERROR_SERVICE_UNAVAILABLE },
  { "missing-socket", MODE_MISSING_SOCKET, parsec_error_quark, PARSEC_ERROR_SERVICE_UNAVAILABLE },
  { "backlog-full", MODE_BACKLOG_FULL, g_io_error_quark, G_IO_ERROR_TIMED_OUT },
};

#define FAILURE_TIMEOUT_MS 300

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_thread (gpointer data)
{
  g_usleep (50 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (data);
  return NULL;
}

static void
failure_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static char *
make_refusing_socket (char **dir)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char *path;
  int fd;

  *dir = g_dir_make_tmp ("parsec-refused-XXXXXX", NULL);
  path = g_build_filename (*dir, "parsec.sock", NULL);
  fd = socket (AF_UNIX, SOCK_STREAM, 0);
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  g_assert_cmpint (bind (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  /* Bound and closed without listening: the file stays, nobody answers. */
  close (fd);
  return path;
}

static void
test_failure (gconstpointer data)
{
  const FailureCase *c = data;

  for (int async = 0; async <= 1; async++)
    {
      g_autoptr(FakeService) fake = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GError) error = NULL;
      g_autoptr(ParsecClient) client = NULL;
      g_autofree char *dir = NULL;
      g_autofree char *path = NULL;
      g_autofree char *endpoint = NULL;
      g_auto(GStrv) clients = NULL;
      GThread *canceller = NULL;
      int blockers[4] = { -1, -1, -1, -1 };

      switch (c->mode)
        {
        case MODE_REFUSED:
          path = make_refusing_socket (&dir);
          break;
        case MODE_MISSING_SOCKET:
          dir = g_dir_make_tmp ("parsec-missing-XXXXXX", NULL);
          path = g_build_filename (dir, "parsec.sock", NULL);
          break;
        case MODE_BACKLOG_FULL:
          fake = fake_service_new_not_accepting ();
          /* Fill the queue of a listener that never accepts. */
          for (guint i = 0; i < G_N_ELEMENTS (blockers); i++)
            {
              struct sockaddr_un addr = { .sun_family = AF_UNIX };

              blockers[i] = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
              g_strlcpy (addr.sun_path, fake_service_get_path (fake), sizeof addr.sun_path);
              connect (blockers[i], (struct sockaddr *) &addr, sizeof addr);
            }
          break;
        default:
          fake = fake_service_new ();
          fake_service_set_handler (fake, failure_handler, (gpointer) c);
          break;
        }
      endpoint = fake != NULL ? g_strdup (fake_service_get_endpoint (fake))
                              : g_strconcat ("unix:", path, NULL);

      client = g_initable_new (PARSEC_TYPE_CLIENT, NULL, &error,
                               "endpoint", endpoint,
                               "provider", 1,
                               "auth-method", PARSEC_AUTH_METHOD_DIRECT,
                               "application-name", "app",
                               "timeout", FAILURE_TIMEOUT_MS,
                               NULL);
      g_assert_no_error (error);

      if (async)
        {
          g_autoptr(GAsyncResult) result = NULL;

          if (c->mode == MODE_CANCEL)
            g_timeout_add (50, cancel_later, cancellable);
          parsec_client_list_clients_async (client, cancellable, failure_done, &result);
          while (result == NULL)
            g_main_context_iteration (NULL, TRUE);
          clients = parsec_client_list_clients_finish (client, result, &error);
        }
      else
        {
          if (c->mode == MODE_CANCEL)
            canceller = g_thread_new ("canceller", cancel_thread, cancellable);
          clients = parsec_client_list_clients (client, cancellable, &error);
          if (canceller != NULL)
            g_thread_join (canceller);
        }

      g_assert_null (clients);
      g_assert_error (error, c->domain (), c->code);
      g_assert_cmpuint (strlen (error->message), >, 20);
      g_test_message ("%s (%s): %s", c->name, async ? "async" : "sync", error->message);

      for (guint i = 0; i < G_N_ELEMENTS (blockers); i++)
        if (blockers[i] >= 0)
          close (blockers[i]);
      if (path != NULL)
        g_unlink (path);
      if (dir != NULL)
        g_rmdir (dir);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/parsec/client/discovery/sync", Fixture, NULL, fixture_setup, test_discovery_sync, fixture_teardown);
  g_test_add ("/parsec/client/discovery/async", Fixture, NULL, fixture_setup, test_discovery_async, fixture_teardown);
  g_test_add ("/parsec/client/discovery/cancel", Fixture, NULL, fixture_setup, test_discovery_cancel, fixture_teardown);
  g_test_add ("/parsec/client/discovery/explicit", Fixture, NULL, fixture_setup, test_discovery_explicit, fixture_teardown);
  g_test_add ("/parsec/client/discovery/new", Fixture, NULL, fixture_setup, test_new_async_default, fixture_teardown);
  g_test_add ("/parsec/client/discovery/no-application-name", Fixture, NULL, fixture_setup, test_no_application_name, fixture_teardown);
  g_test_add ("/parsec/client/discovery/application-id", Fixture, NULL, fixture_setup, test_application_id_default, fixture_teardown);
  g_test_add ("/parsec/client/discovery/unix-peer-credentials", Fixture, NULL, fixture_setup, test_unix_peer_credentials, fixture_teardown);
  g_test_add ("/parsec/client/discovery/auth-selection", Fixture, NULL, fixture_setup, test_auth_selection, fixture_teardown);
  g_test_add ("/parsec/client/discovery/provider-selection", Fixture, NULL, fixture_setup, test_provider_selection, fixture_teardown);
  g_test_add ("/parsec/client/configuration", Fixture, NULL, fixture_setup, test_configuration, fixture_teardown);
  g_test_add ("/parsec/client/ping", Fixture, NULL, fixture_setup, test_ping, fixture_teardown);
  g_test_add ("/parsec/client/core-operations", Fixture, NULL, fixture_setup, test_core_operations, fixture_teardown);
  g_test_add ("/parsec/client/error-names-key", Fixture, NULL, fixture_setup, test_error_names_key, fixture_teardown);
  for (gsize i = 0; i < G_N_ELEMENTS (failure_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/parsec/client/failure/%s", failure_cases[i].name);

      g_test_add_data_func (path, &failure_cases[i], test_failure);
    }

  return g_test_run ();
}
