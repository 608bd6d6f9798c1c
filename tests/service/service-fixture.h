/* service-fixture.h: a private parsec-glib-test-service for a test
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <gio/gio.h>
#include <parsec-glib/parsec-glib.h>

G_BEGIN_DECLS

typedef struct _ParsecTestService ParsecTestService;

/* Starts the service on a socket and key directory of its own, in a new
 * temporary directory, and waits until it listens. @authenticator is
 * "direct" or "unix-peer-credentials", or NULL for a test that works with
 * either: then PARSEC_TEST_AUTHENTICATOR, or "direct", chooses; @admins
 * the identities allowed to run admin operations (NULL-terminated, or
 * NULL for none).
 *
 * The service binary is the one built next to the tests, or the one
 * named by PARSEC_TEST_SERVICE; PARSEC_TEST_SERVICE_COMMAND, a command line
 * that takes the same options and prints the same "listening on" line,
 * runs another service instead (tests/service/README.md).
 * PARSEC_TEST_SERVICE_WRAPPER, when set, is a command line put in front of
 * it (for example a valgrind call). */
ParsecTestService *parsec_test_service_start           (const char         *authenticator,
                                                        const char * const *admins,
                                                        GError            **error);
/* The same, with more command line options for the service (NULL-terminated
 * or NULL), such as "--sign-message" or "--timeout-ms". */
ParsecTestService *parsec_test_service_start_with_args (const char         *authenticator,
                                                        const char * const *admins,
                                                        const char * const *extra_args,
                                                        GError            **error);
const char        *parsec_test_service_get_endpoint    (ParsecTestService  *self);
const char        *parsec_test_service_get_socket_path (ParsecTestService  *self);
const char        *parsec_test_service_get_key_dir     (ParsecTestService  *self);
/* Stops the service and starts it again on the same socket and keys. */
gboolean           parsec_test_service_restart         (ParsecTestService  *self,
                                                        GError            **error);
/* The authenticator of a service started with none named. */
const char        *parsec_test_service_default_authenticator (void);
/* Whether the fixtures run parsec-glib-test-service, rather than the
 * service PARSEC_TEST_SERVICE_COMMAND starts. */
gboolean           parsec_test_service_is_ours         (void);
/* Removes a directory and everything in it, as the fixture does its own;
 * symbolic links are removed, not followed. */
void               parsec_test_remove_tree             (const char         *path);
/* Stops the service and removes its temporary directory. */
void               parsec_test_service_free            (ParsecTestService  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsecTestService, parsec_test_service_free)

/* What the service's crypto provider can do, as the service tells it:
 * tests ask this rather than assume which provider runs (Mbed Crypto,
 * the TPM provider, or another service's). */
typedef struct {
  guint provider;               /* the first crypto provider the service lists */
  char *uuid;                   /* its UUID */
  GArray *opcodes;              /* guint32: that provider's ListOpcodes */
} ParsecTestProvider;

/* Asks the service behind @client for its providers and the operations
 * of the first crypto provider. */
ParsecTestProvider *parsec_test_provider_query   (ParsecClient             *client,
                                                  GError                  **error);
/* The same, through a client of its own for @service. */
ParsecTestProvider *parsec_test_service_query_provider (ParsecTestService    *service,
                                                        GError              **error);
gboolean           parsec_test_provider_offers   (const ParsecTestProvider *self,
                                                  guint32                   opcode);
void               parsec_test_provider_free     (ParsecTestProvider       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsecTestProvider, parsec_test_provider_free)

/* Whether the service's provider can make a key with @attributes, as it
 * answers CanDoCrypto (where offered) and, failing that, as it answers
 * the key generation itself: a provider limit, not a library error, is
 * then asserted (see parsec_test_assert_provider_limit()). */
gboolean           parsec_test_provider_can_generate (const ParsecTestProvider *self,
                                                      ParsecClient             *client,
                                                      ParsecKeyAttributes      *attributes);

/* Asserts that @error is how a service refuses what its provider cannot
 * do, typed: PsaErrorNotSupported, PsaErrorInvalidArgument (parameters a
 * provider does not take, such as the TPM provider's ECDH or
 * any-hash ECDSA keys), PsaErrorCommunicationFailure (the TPM provider's
 * report of a TPM's TPM_RC_VALUE or TPM_RC_FAILURE, such as swtpm's for
 * 4096-bit RSA) or the library's own NOT_SUPPORTED_BY_PROVIDER for an
 * operation the provider does not list. */
void               parsec_test_assert_provider_limit (const GError          *error);

/* Whether a list from parsec_client_list_opcodes() holds @opcode: how a
 * test asks a service whether its provider has an operation. */
static inline gboolean
parsec_test_opcodes_contain (GArray  *opcodes,
                             guint32  opcode)
{
  for (guint i = 0; i < opcodes->len; i++)
    if (g_array_index (opcodes, guint32, i) == opcode)
      return TRUE;
  return FALSE;
}

G_END_DECLS
