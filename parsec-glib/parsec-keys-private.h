/* parsec-keys-private.h: operations that need a key's attributes, and the
 * key objects the client makes
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "parsec-client-private.h"
#include "digest.h"

G_BEGIN_DECLS

typedef struct {
  ParsecClient *client;
  guint provider;                  /* a provider id, or PARSEC_PROVIDER_IMPLICIT */
  char *key_name;
  ParsecPublicKeyFormat format;
  GBytes *data;                    /* what to sign or verify */
  GBytes *signature;               /* what to verify */
  ParsecKeyAttributes *attributes; /* the key's, when known */
  GInputStream *stream;            /* what to sign or verify, read in chunks */
  Digest *digest;            /* its hash in progress */
  ParsecAlgorithm *algorithm;      /* the signature's */
  guint8 *chunk;                   /* secure memory for one chunk */
} ParsecKeyTaskData;

void        _parsec_key_task_data_free (ParsecKeyTaskData   *data);
GTask      *_parsec_key_task_new       (const ParsecTarget  *target,
                                        const char          *key_name,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);

/* A key object for a key the service holds; @provider is a provider id or
 * PARSEC_PROVIDER_AUTO. */
ParsecKey  *_parsec_key_new            (ParsecClient        *client,
                                        const char          *name,
                                        ParsecProvider       provider,
                                        ParsecKeyAttributes *attributes);

gboolean    _parsec_check_signature_length (const ParsecKeyAttributes  *attributes,
                                            GBytes                     *signature,
                                            GError                    **error);

/* How a key of @attributes signs data: the algorithm of its policy with
 * a definite hash (SHA-256 where the policy allows any). */
gboolean    _parsec_plan_data_signature (const char           *key_name,
                                         ParsecKeyAttributes  *attributes,
                                         ParsecAlgorithm     **algorithm,
                                         ParsecHash           *hash,
                                         GError              **error);

void        _parsec_data_signature_start (const ParsecTarget  *target,
                                          const char          *key_name,
                                          ParsecKeyAttributes *attributes,
                                          GBytes              *data,
                                          GBytes              *signature,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GBytes     *_parsec_data_signature_run   (const ParsecTarget  *target,
                                          const char          *key_name,
                                          ParsecKeyAttributes *attributes,
                                          GBytes              *data,
                                          GBytes              *signature,
                                          GCancellable        *cancellable,
                                          GError             **error);

void        _parsec_stream_signature_start (const ParsecTarget  *target,
                                            const char          *key_name,
                                            ParsecKeyAttributes *attributes,
                                            GInputStream        *stream,
                                            GFile               *file,
                                            GBytes              *signature,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
GBytes     *_parsec_stream_signature_run   (const ParsecTarget  *target,
                                            const char          *key_name,
                                            ParsecKeyAttributes *attributes,
                                            GInputStream        *stream,
                                            GFile               *file,
                                            GBytes              *signature,
                                            GCancellable        *cancellable,
                                            GError             **error);

void        _parsec_public_key_export_start (const ParsecTarget    *target,
                                             const char            *key_name,
                                             ParsecKeyAttributes   *attributes,
                                             ParsecPublicKeyFormat  format,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
GBytes     *_parsec_public_key_export_run   (const ParsecTarget    *target,
                                             const char            *key_name,
                                             ParsecKeyAttributes   *attributes,
                                             ParsecPublicKeyFormat  format,
                                             GCancellable          *cancellable,
                                             GError               **error);

G_END_DECLS
