/* fuzz-result-attestation.c: results of the key attestation operations
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "fuzz-result.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_result_run (FUZZ_FAMILY_ATTESTATION, data, size);
  return 0;
}
