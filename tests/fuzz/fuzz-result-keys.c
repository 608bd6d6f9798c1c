/* fuzz-result-keys.c: results of the key operations, key attributes and
 * algorithms
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "fuzz-result.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  fuzz_result_run (FUZZ_FAMILY_KEYS, data, size);
  return 0;
}
