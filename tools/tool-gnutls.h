/* tool-gnutls.h: GnuTLS, loaded when a command first needs it
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Loading GnuTLS and the libraries it depends on, and running their
 * initialisers, costs a command more CPU than everything else the tool
 * does; only reading key files and the hashes GLib lacks need it. The
 * files that use it include this header after GnuTLS's own, call
 * tool_gnutls_load() first, and keep calling the functions by their
 * names, which then go through the table loaded here.
 */
#pragma once

#include <glib.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#define TOOL_GNUTLS_FUNCTIONS(F) \
  F (ecc_curve_get_name) \
  F (hash_fast) \
  F (hash_get_len) \
  F (pk_get_name) \
  F (pubkey_deinit) \
  F (pubkey_export_ecc_raw) \
  F (pubkey_export_rsa_raw) \
  F (pubkey_get_pk_algorithm) \
  F (pubkey_import) \
  F (pubkey_import_x509_raw) \
  F (pubkey_init) \
  F (strerror) \
  F (x509_privkey_deinit) \
  F (x509_privkey_export2) \
  F (x509_privkey_export_ecc_raw) \
  F (x509_privkey_get_pk_algorithm2) \
  F (x509_privkey_import2) \
  F (x509_privkey_init)

#define TOOL_GNUTLS_MEMBER(name) __typeof__ (gnutls_##name) *name;

typedef struct {
  TOOL_GNUTLS_FUNCTIONS (TOOL_GNUTLS_MEMBER)
  gnutls_free_function *free;   /* a variable in GnuTLS, not a function */
} ToolGnutls;

/* Set by a successful tool_gnutls_load(). */
extern const ToolGnutls *tool_gnutls;

gboolean tool_gnutls_load (GError **error);

#ifndef TOOL_GNUTLS_LOADER
#define gnutls_ecc_curve_get_name (tool_gnutls->ecc_curve_get_name)
#define gnutls_hash_fast (tool_gnutls->hash_fast)
#define gnutls_hash_get_len (tool_gnutls->hash_get_len)
#define gnutls_pk_get_name (tool_gnutls->pk_get_name)
#define gnutls_pubkey_deinit (tool_gnutls->pubkey_deinit)
#define gnutls_pubkey_export_ecc_raw (tool_gnutls->pubkey_export_ecc_raw)
#define gnutls_pubkey_export_rsa_raw (tool_gnutls->pubkey_export_rsa_raw)
#define gnutls_pubkey_get_pk_algorithm (tool_gnutls->pubkey_get_pk_algorithm)
#define gnutls_pubkey_import (tool_gnutls->pubkey_import)
#define gnutls_pubkey_import_x509_raw (tool_gnutls->pubkey_import_x509_raw)
#define gnutls_pubkey_init (tool_gnutls->pubkey_init)
#define gnutls_strerror (tool_gnutls->strerror)
#define gnutls_x509_privkey_deinit (tool_gnutls->x509_privkey_deinit)
#define gnutls_x509_privkey_export2 (tool_gnutls->x509_privkey_export2)
#define gnutls_x509_privkey_export_ecc_raw (tool_gnutls->x509_privkey_export_ecc_raw)
#define gnutls_x509_privkey_get_pk_algorithm2 (tool_gnutls->x509_privkey_get_pk_algorithm2)
#define gnutls_x509_privkey_import2 (tool_gnutls->x509_privkey_import2)
#define gnutls_x509_privkey_init (tool_gnutls->x509_privkey_init)
#undef gnutls_free
#define gnutls_free (*tool_gnutls->free)
#endif
