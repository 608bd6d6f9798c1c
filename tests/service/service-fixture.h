/* service-fixture.h: a private parsec-glib-test-service for a test
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <gio/gio.h>

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

/* One asynchronous call at a time on the thread-default main context:
 * pass parsec_test_async_store and the struct as the callback and its
 * data, then parsec_test_async_wait() runs the loop until the callback
 * and returns its result (owned by the struct until the next wait). */
typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
} ParsecTestAsync;

void          parsec_test_async_init  (ParsecTestAsync *self);
void          parsec_test_async_clear (ParsecTestAsync *self);
void          parsec_test_async_store (GObject         *source,
                                       GAsyncResult    *result,
                                       gpointer         user_data);
GAsyncResult *parsec_test_async_wait  (ParsecTestAsync *self);

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
