/* fuzz-common.h: what the fuzz targets and the hostile-responses test share
 *
 * Every public operation of ParsecClient as a table entry that can run it
 * synchronously or asynchronously against the one in-process fake
 * service, the script that tells the fake what to answer, and random
 * but well-formed result bodies built from the protobuf descriptors.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <stdint.h>

#include "parsec-glib.h"
#include "fake-service.h"

G_BEGIN_DECLS

/* libFuzzer's entry point, defined by every target. */
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

typedef enum {
  FUZZ_FAMILY_CORE,
  FUZZ_FAMILY_KEYS,
  FUZZ_FAMILY_CRYPTO,
  FUZZ_FAMILY_ATTESTATION,
} FuzzFamily;

typedef struct {
  const char *name;
  FuzzFamily family;
  /* The request that receives the response under test; the others
   * (ListOpcodes before a crypto operation, the ListKeys lookup before
   * DER export or sign-data) get well-formed answers unless the script
   * says otherwise. */
  guint32 opcode;
  const ProtobufCMessageDescriptor *result;
  /* Whether field 1 of the result holds the operation's bytes. */
  gboolean bytes_result;

  /* @client is a ready client; the operations that create a client take
   * their endpoint and timeout from it. Each returns whether it
   * succeeded and checks what it got. */
  gboolean (*run)    (ParsecClient         *client,
                      GError              **error);
  void     (*start)  (ParsecClient         *client,
                      GCancellable         *cancellable,
                      GAsyncReadyCallback   callback,
                      gpointer              user_data);
  gboolean (*finish) (ParsecClient         *client,
                      GAsyncResult         *result,
                      GError              **error);
} FuzzOp;

extern const FuzzOp fuzz_ops[];
extern const gsize fuzz_n_ops;

/* The ops of one family, in table order; (transfer container). */
GPtrArray   *fuzz_ops_of_family   (FuzzFamily family);

/* What the fake answers next. @response goes to requests with @opcode,
 * or to every request when @all is TRUE; it may be NULL to send nothing. */
typedef struct {
  GBytes *response;
  guint32 opcode;
  gboolean all;
  FakeAction action;
} FuzzScript;

/* The process's fake service, started on first use and never stopped. */
FakeService *fuzz_fake_get        (void);
void         fuzz_fake_set_script (const FuzzScript *script);

/* A bug already reported that @script would trigger in @op, or NULL: the
 * reproducer in tests/test-hostile.c covers it, and the fuzz targets and
 * the random tests skip such inputs until the library is fixed. */

/* A client of the fake with direct authentication and the Mbed Crypto
 * provider, made without discovery; each call returns a fresh copy, so
 * no state (the provider's operation list) carries over between inputs. */
ParsecClient *fuzz_client_new     (guint timeout_ms);

/* For fuzz targets: GSettings in memory, warnings and criticals fatal. */
void         fuzz_init            (void);

/* Aborts unless exactly one of @ok and @error says what happened, and
 * the error is one the library documents. Timeouts count as hangs
 * unless @timeout_expected. */
void         fuzz_check_outcome   (const FuzzOp *op,
                                   gboolean      ok,
                                   const GError *error,
                                   gboolean      timeout_expected);

/* Checks of what the library hands out; the take functions free it and
 * return whether there was anything. */
void         fuzz_check_attributes    (ParsecKeyAttributes *attributes);
gboolean     fuzz_take_providers      (GPtrArray           *providers);
gboolean     fuzz_take_authenticators (GPtrArray           *authenticators);

/* A response: a well-formed header for @opcode with @status around @body. */
GBytes      *fuzz_response_new    (guint32       opcode,
                                   guint16       status,
                                   gconstpointer body,
                                   gsize         body_len);

/* A random message of @descriptor, packed: every field of the contract,
 * with values drawn towards the ones the library looks at. */
GBytes      *fuzz_random_body     (const ProtobufCMessageDescriptor *descriptor,
                                   GRand                            *rand);

/* The canned answers the fake gives to the requests around the one under
 * test, packed bodies: all opcodes, and one ECDSA P-256 key named "key". */
GBytes      *fuzz_canned_list_opcodes (void);
GBytes      *fuzz_canned_list_keys    (void);

G_END_DECLS
