/* p11-test-token.h: a token of a test's own on a service of its own
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <parsec-glib/parsec-glib.h>

#include "p11-test-module.h"
#include "service-fixture.h"

G_BEGIN_DECLS

typedef struct {
  ParsecTestService *service;
  ParsecClient *client;         /* the library's, on the same keys */
  char *store_dir;
  CK_SLOT_ID slot;
  CK_SESSION_HANDLE session;    /* read-write */
} P11TestToken;

/* Starts a service, points the module at it for @app_name's keys and a
 * store of the token's own, initialises it and opens a session. */
void     p11_test_token_open  (P11TestToken      *token,
                               const char        *app_name);
/* Finalises the module (it may be already) and stops the service. */
void     p11_test_token_close (P11TestToken      *token);

/* An attribute's value, which must be readable */
GBytes  *get_attribute        (P11TestToken      *token,
                               CK_OBJECT_HANDLE   object,
                               CK_ATTRIBUTE_TYPE  type);
CK_ULONG get_ulong            (P11TestToken      *token,
                               CK_OBJECT_HANDLE   object,
                               CK_ATTRIBUTE_TYPE  type);
gboolean get_bool             (P11TestToken      *token,
                               CK_OBJECT_HANDLE   object,
                               CK_ATTRIBUTE_TYPE  type);

G_END_DECLS
