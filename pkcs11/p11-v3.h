/* p11-v3.h: what the module takes from PKCS #11 3.0 that p11-kit's
 * header (2.40) lacks, with the standard's values and layouts
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <p11-kit/pkcs11.h>

#ifndef CKK_CHACHA20
#define CKK_CHACHA20 0x33UL
#endif
#ifndef CKM_CHACHA20_KEY_GEN
#define CKM_CHACHA20_KEY_GEN 0x1225UL
#endif
#ifndef CKM_CHACHA20_POLY1305
#define CKM_CHACHA20_POLY1305 0x4021UL
#endif

/* CK_CCM_PARAMS */
typedef struct {
  CK_ULONG ulDataLen;
  CK_BYTE_PTR pNonce;
  CK_ULONG ulNonceLen;
  CK_BYTE_PTR pAAD;
  CK_ULONG ulAADLen;
  CK_ULONG ulMACLen;
} P11CcmParams;

/* CK_SALSA20_CHACHA20_POLY1305_PARAMS */
typedef struct {
  CK_BYTE_PTR pNonce;
  CK_ULONG ulNonceLen;
  CK_BYTE_PTR pAAD;
  CK_ULONG ulAADLen;
} P11ChaCha20Poly1305Params;
