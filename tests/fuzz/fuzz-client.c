/* fuzz-client.c: the whole client path against any response
 *
 * The first byte picks one public operation (bit 7: whether the requests
 * around it, such as ListOpcodes before a crypto operation, get the same
 * response rather than a well-formed one); the rest is what the fake
 * service sends back, header and body, to the operation's requests. The
 * synchronous call must end with a result or a GError.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "fuzz-common.h"

/* Far longer than any answer takes: the fake closes the connection after
 * answering, so a timeout here means the client hung. */
#define TIMEOUT_MS 10000

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) response = NULL;
  g_autoptr(ParsecClient) client = NULL;
  g_autoptr(GError) error = NULL;
  FuzzScript script = { 0 };
  const FuzzOp *op;
  gboolean ok;

  if (size < 1)
    return 0;
  fuzz_init ();

  op = &fuzz_ops[(data[0] & 0x7f) % fuzz_n_ops];
  response = g_bytes_new (data + 1, size - 1);
  script.response = response;
  script.opcode = op->opcode;
  script.all = (data[0] & 0x80) != 0;
  script.action = FAKE_ACTION_SEND;
  fuzz_fake_set_script (&script);

  client = fuzz_client_new (TIMEOUT_MS);
  ok = op->run (client, &error);
  fuzz_check_outcome (op, ok, error, FALSE);
  return 0;
}
