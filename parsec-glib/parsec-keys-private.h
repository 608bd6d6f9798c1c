/* parsec-keys-private.h: operations that first look up a key's attributes
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "parsec-glib.h"

G_BEGIN_DECLS

/* Continues a task once the key's attributes are known; must return a
 * value on the task or pass it on. */
typedef void (*ParsecKeyFound) (GTask               *task,
                                ParsecKeyAttributes *attributes);

typedef struct {
  char *key_name;
  ParsecPublicKeyFormat format;
  GBytes *data;                    /* what to sign or verify */
  GBytes *signature;               /* what to verify */
  ParsecKeyAttributes *attributes; /* once found */
  ParsecKeyFound next;
} ParsecKeyTaskData;

void   _parsec_key_task_data_free (ParsecKeyTaskData   *data);
GTask *_parsec_key_task_new       (ParsecClient        *self,
                                   const char          *key_name,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data,
                                   gpointer             source_tag);
void   _parsec_key_lookup_async   (ParsecClient        *self,
                                   GTask               *task,
                                   ParsecKeyFound       next);

G_END_DECLS
