/* async-wait.h: waiting in a test for one asynchronous call's result
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <gio/gio.h>

/* One asynchronous call at a time on the thread-default main context:
 * pass async_wait_store and the struct as the callback and its data, then
 * async_wait_result() runs the loop until the callback and returns its
 * result (owned by the struct until the next wait). */
typedef struct {
  GMainLoop *loop;
  GAsyncResult *result;
} AsyncWait;

static inline void
async_wait_init (AsyncWait *wait)
{
  wait->loop = g_main_loop_new (NULL, FALSE);
  wait->result = NULL;
}

static inline void
async_wait_clear (AsyncWait *wait)
{
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
}

/* A GAsyncReadyCallback whose user data is an AsyncWait. */
static inline void
async_wait_store (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AsyncWait *wait = user_data;

  g_assert_null (wait->result);
  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Runs the main loop until the pending call has called back; the result
 * stays with @wait until the next call. */
static inline GAsyncResult *
async_wait_result (AsyncWait *wait)
{
  g_clear_object (&wait->result);
  g_main_loop_run (wait->loop);
  g_assert_nonnull (wait->result);
  return wait->result;
}

/* parsec_client_<op> (…, NULL, error), or parsec_client_<op>_async (…,
 * NULL, callback) and parsec_client_<op>_finish () after the main loop
 * has delivered the result: the same arguments either way. @f is a
 * fixture with `async`, `client` and an AsyncWait `wait`. */
#define CALL(f, op, error, ...) \
  ((f)->async \
   ? (parsec_client_##op##_async ((f)->client, ##__VA_ARGS__, NULL, async_wait_store, &(f)->wait), \
      parsec_client_##op##_finish ((f)->client, async_wait_result (&(f)->wait), (error))) \
   : parsec_client_##op ((f)->client, ##__VA_ARGS__, NULL, (error)))

/* The same for a ParsecKey's operations, with @key as the source object. */
#define KEY_CALL(f, key, op, error, ...) \
  ((f)->async \
   ? (parsec_key_##op##_async ((key), ##__VA_ARGS__, NULL, async_wait_store, &(f)->wait), \
      parsec_key_##op##_finish ((key), async_wait_result (&(f)->wait), (error))) \
   : parsec_key_##op ((key), ##__VA_ARGS__, NULL, (error)))
