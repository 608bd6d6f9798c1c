/* p11-private.h: what the parts of the PKCS #11 module share
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include <p11-kit/pkcs11.h>
/* p11-kit's header maps the standard's field names onto its own through
 * lowercase macros; the module uses the standard's names only, and these
 * would rename ordinary variables. */
#undef value
#undef value_len
#undef count
#undef parameter
#undef parameter_len
#undef params
#undef reserved
#undef serial_number
#undef hash_alg
#undef source_data
#undef slot_id

#include <parsec-glib/parsec-glib.h>

#include "digest.h"
#include "p11-v3.h"
#include "secure-env.h"

/* The module's debug messages only where the environment that asks for
 * them is trusted: under AT_SECURE, G_MESSAGES_DEBUG comes from whoever
 * started a more privileged program, and must not make it tell that user
 * about what it opened with its privileges. */
#undef g_debug
#define g_debug(...)                                            \
  G_STMT_START {                                                \
    if (secure_env_trusted ())                                  \
      g_log (G_LOG_DOMAIN, G_LOG_LEVEL_DEBUG, __VA_ARGS__);     \
  } G_STMT_END

G_BEGIN_DECLS

typedef struct _P11Slot P11Slot;
typedef struct _P11Object P11Object;
typedef struct _P11Session P11Session;
typedef struct _P11Operation P11Operation;
typedef struct _P11SessionKey P11SessionKey;

typedef enum {
  P11_KIND_PRIVATE_KEY,
  P11_KIND_PUBLIC_KEY,
  P11_KIND_CERTIFICATE,
  P11_KIND_SECRET_KEY,        /* an AES, ChaCha20 or raw secret of the service */
  P11_KIND_DATA,              /* a CKO_DATA object, the module's own */
} P11Kind;

struct _P11Slot
{
  CK_SLOT_ID id;
  ParsecClient *client;
  char label[32];             /* space-padded, as CK_TOKEN_INFO has them */
  char serial[16];
  char description[64];
  char *store_path;
  /* "kind:name" to the object, so that handles survive a refresh. */
  GHashTable *objects;
  /* From the store: the CKA_ID chosen for a key, by key name */
  GHashTable *key_ids;
  /* From the store: the names of keys whose public object was destroyed */
  GHashTable *hidden_publics;
  /* The session objects this initialisation made, by key name */
  GHashTable *session_keys;
  /* Whether session objects left by processes now gone were destroyed */
  gboolean swept;
  gboolean logged_in;
  /* Whether the service told how it authenticates this slot's client
   * (see settle_namespaces()), and whether it keeps keys per user. */
  gboolean settled;
  gboolean user_namespace;
  /* What the slot's provider answered to ListOpcodes, once asked */
  GArray *opcodes;
};

/* A session object's key, while its session lasts */
struct _P11SessionKey
{
  CK_SESSION_HANDLE session;
  ParsecKey *key;
  GBytes *id;
  gboolean public_hidden;
};

struct _P11Object
{
  CK_OBJECT_HANDLE handle;
  P11Slot *slot;
  P11Kind kind;
  gboolean seen;              /* in the last refresh */
  /* Keys: as the service listed or made it, with its attributes */
  char *key_name;
  ParsecKey *key;
  gboolean session_object;
  /* A session object's session (certificates; keys have P11SessionKey) */
  CK_SESSION_HANDLE session;
  /* Both: the SubjectPublicKeyInfo (loaded on first need for keys) */
  GBytes *spki;
  GBytes *id;
  /* Certificates and data objects (whose value is in secure memory) */
  char *store_group;
  char *label;
  GBytes *value;
  /* Data objects */
  GBytes *application;
  GBytes *object_id;
  gboolean modifiable;
};

/* Whether @object is a key of the service, rather than one the module
 * keeps (a certificate or data object) */
static inline gboolean
p11_object_is_key (const P11Object *object)
{
  return object->kind != P11_KIND_CERTIFICATE && object->kind != P11_KIND_DATA;
}

typedef enum {
  P11_OP_SIGN,
  P11_OP_VERIFY,
  P11_OP_ENCRYPT,
  P11_OP_DECRYPT,
  P11_N_OPS,
} P11OpKind;

struct _P11Session
{
  CK_SESSION_HANDLE handle;
  P11Slot *slot;
  CK_FLAGS flags;
  /* C_FindObjects: the handles found, while a search is active */
  GArray *found;
  guint found_pos;
  P11Operation *ops[P11_N_OPS];
  /* C_DigestInit to C_DigestFinal; a digest is single-part (C_Digest)
   * or multi-part (C_DigestUpdate, C_DigestFinal) from its first call */
  Digest *digest;
  gsize digest_len;
  gboolean digest_single;
  gboolean digest_multi;
};

/* p11-module.c */
CK_RV            p11_rv_from_error          (const GError       *error,
                                             CK_RV               invalid_argument);
/* PKCS #11's convention for what a call returns in the caller's buffer:
 * with @out NULL, the @len needed goes to @out_len (CKR_OK); with @out
 * shorter than @len, too (CKR_BUFFER_TOO_SMALL). TRUE when @len items
 * may be written to @out; else FALSE, with @rv set. */
gboolean         p11_output_fits            (const void         *out,
                                             CK_ULONG_PTR        out_len,
                                             CK_ULONG            len,
                                             CK_RV              *rv);
void             p11_module_register_object (P11Object          *object);
void             p11_module_unregister_object (P11Object        *object);

/* p11-objects.c: objects, their attributes, the refresh from the service */
/* With what the service listed and the store (NULL: keep the certificates
 * read before), both read without the module lock. */
/* Brings the slot's objects in line with @keys and @store (NULL where it
 * could not be read), adding to @stale the session objects of processes
 * that are gone, for the caller to destroy without the lock. */
void             p11_slot_refresh           (P11Slot            *slot,
                                             GPtrArray          *keys,
                                             GKeyFile           *store,
                                             GPtrArray          *stale);
P11Object       *p11_slot_add_key           (P11Slot            *slot,
                                             P11Kind             kind,
                                             ParsecKey          *key);
gboolean         p11_slot_set_key_id        (P11Slot            *slot,
                                             const char         *key_name,
                                             GBytes             *id,
                                             GError            **error);
/* A key just made: the store forgets a former key of its name, and keeps
 * @id (if not NULL) */
gboolean         p11_slot_record_new_key    (P11Slot            *slot,
                                             const char         *key_name,
                                             GBytes             *id,
                                             GError            **error);
void             p11_slot_forget_key        (P11Slot            *slot,
                                             const char         *key_name);
/* After the service destroyed the key: its objects and store entry go. */
void             p11_slot_key_destroyed     (P11Slot            *slot,
                                             const char         *key_name);
void             p11_slot_forget_object     (P11Slot            *slot,
                                             P11Object          *object);
/* Adds a session object made in @session; the slot takes @id. */
void             p11_slot_add_session_key   (P11Slot            *slot,
                                             CK_SESSION_HANDLE   session,
                                             ParsecKey          *key,
                                             GBytes             *id);
/* Forgets the session objects of @session (of every session for
 * CK_INVALID_HANDLE), adding their keys to @keys to be destroyed in the
 * service. */
void             p11_slot_take_session_keys (P11Slot            *slot,
                                             CK_SESSION_HANDLE   session,
                                             GPtrArray          *keys);
void             p11_session_keys_destroy   (GPtrArray          *keys);
/* The same for one key, and drops the reference: the free function of an
 * array freed after the lock is released. */
void             p11_session_key_destroy_unref (gpointer         key);
/* Attribute values: a CK_BBOOL, a CK_ULONG */
GBytes          *p11_bool_value             (gboolean            value);
GBytes          *p11_ulong_value            (CK_ULONG            value);
CK_RV            p11_object_get_attribute   (P11Object          *object,
                                             CK_ATTRIBUTE_TYPE   type,
                                             GBytes            **value);
gboolean         p11_object_matches         (P11Object          *object,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count);
gboolean         p11_object_load_public     (P11Object          *object,
                                             GError            **error);
/* The public key, exported without the module lock, for @object and its
 * other half. */
void             p11_object_set_public      (P11Object          *object,
                                             GBytes             *spki);
gsize            p11_object_key_bytes       (P11Object          *object);
ParsecKeyAttributes *p11_object_attributes  (P11Object          *object);
gboolean         p11_object_is_rsa          (P11Object          *object);
CK_RV            p11_create_certificate     (P11Slot            *slot,
                                             CK_SESSION_HANDLE   session,
                                             gboolean            read_only,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count,
                                             P11Object         **object);
CK_RV            p11_create_data            (P11Slot            *slot,
                                             CK_SESSION_HANDLE   session,
                                             gboolean            read_only,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count,
                                             P11Object         **object);
/* A copy of a certificate or data object, with @tmpl's changes */
CK_RV            p11_object_copy            (P11Object          *object,
                                             CK_SESSION_HANDLE   session,
                                             gboolean            read_only,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count,
                                             P11Object         **copy);
/* The bytes an object the module keeps takes, or
 * CK_UNAVAILABLE_INFORMATION for a key of the service */
CK_ULONG         p11_object_size            (P11Object          *object);
CK_RV            p11_object_set_attributes  (P11Object          *object,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count);
/* Destroys @object, or gives the key the service must destroy (then
 * p11_slot_key_destroyed()) in @in_service. */
CK_RV            p11_object_destroy         (P11Object          *object,
                                             ParsecKey         **in_service);
gboolean         p11_spki_ec_params         (GBytes             *spki,
                                             GBytes            **params,
                                             GBytes            **point);

/* p11-mechanisms.c: what the slot's provider offers */
gboolean         p11_slot_has_opcode        (P11Slot            *slot,
                                             ParsecOpcode        opcode);
/* Asks the service for a slot's opcodes, or NULL if it does not answer
 * (asked again later); call without the module lock. */
GArray          *p11_opcodes_fetch          (ParsecClient       *client);
CK_RV            p11_slot_mechanism_list    (P11Slot            *slot,
                                             CK_MECHANISM_TYPE  *list,
                                             CK_ULONG           *count);
CK_RV            p11_slot_mechanism_info    (P11Slot            *slot,
                                             CK_MECHANISM_TYPE   type,
                                             CK_MECHANISM_INFO  *info);

/* p11-crypto.c: where a key is made, and what the template asked of it;
 * every kind of key (pairs, public keys, secret keys) goes through one. */
typedef struct {
  ParsecClient *client;
  const char *session_prefix;   /* for session objects' names */
  gboolean read_only;           /* the session's */
  ParsecKey *key;               /* out: the key made */
  GBytes *id;                   /* out: the CKA_ID asked for, or NULL */
  gboolean token;               /* out: whether it is a token object */
} P11NewKey;

void             p11_new_key_clear          (P11NewKey          *made);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (P11NewKey, p11_new_key_clear)

/* The new key's name: its label, else its CKA_ID in hex, else a new one;
 * a session object's behind the session prefix. Sets the CKA_ID the
 * module keeps for it. @made->token must be settled. */
CK_RV            p11_new_key_name           (P11NewKey          *made,
                                             const CK_ATTRIBUTE *label,
                                             const CK_ATTRIBUTE *id,
                                             char              **name);

/* p11-digest.c: C_DigestInit and the rest, hashed in the module */
CK_RV            p11_digest_init            (P11Session         *session,
                                             const CK_MECHANISM *mechanism);
CK_RV            p11_digest_update          (P11Session         *session,
                                             const guint8       *data,
                                             gsize               len);
/* The digest, with the size query convention; ends the operation but
 * for a size query or a buffer too small. */
CK_RV            p11_digest_final           (P11Session         *session,
                                             CK_BYTE_PTR         out,
                                             CK_ULONG_PTR        out_len);

/* p11-secret.c: secret keys, AEAD, ECDH */
typedef struct _P11SecretOperation P11SecretOperation;

/* CKA_VALUE of an exportable key asks the service: see
 * p11_secret_is_exportable() for reading it without the module's lock. */
CK_RV            p11_secret_attribute       (P11Object          *object,
                                             CK_ATTRIBUTE_TYPE   type,
                                             GBytes            **value);
gboolean         p11_secret_is_exportable   (P11Object          *object);
gboolean         p11_key_type_is_secret     (ParsecKeyType       type);
/* Make the key in the service; no module state is touched. */
CK_RV            p11_secret_generate        (P11NewKey          *made,
                                             const CK_MECHANISM *mechanism,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count);
CK_RV            p11_secret_import          (P11NewKey          *made,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count);
/* C_DeriveKey's checks, while the module lock is held: the base key and
 * the peer's point; then the agreement and the new key, without it. */
CK_RV            p11_secret_derive_check    (const CK_MECHANISM *mechanism,
                                             P11Object          *base,
                                             GBytes            **peer);
CK_RV            p11_secret_derive          (P11NewKey          *made,
                                             ParsecKey          *base,
                                             GBytes             *peer,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count);
gboolean         p11_mechanism_is_aead      (CK_MECHANISM_TYPE   type);
CK_RV            p11_secret_operation_new   (P11OpKind           kind,
                                             const CK_MECHANISM *mechanism,
                                             P11Object          *key,
                                             P11SecretOperation **op);
void             p11_secret_operation_free  (P11SecretOperation *op);
CK_RV            p11_secret_operation_update (P11SecretOperation *op,
                                              const guint8       *data,
                                              gsize               len);
/* Forgets the input gathered so far (wiped). */
void             p11_secret_operation_restart (P11SecretOperation *op);
gsize            p11_secret_output_size     (P11SecretOperation *op);
CK_RV            p11_secret_compute         (P11SecretOperation *op,
                                             ParsecKey          *key,
                                             GBytes            **result);

/* p11-store.c: the per-user file beside a token (certificates, key ids) */
GKeyFile        *p11_store_load             (const char         *path,
                                             GError            **error);
gboolean         p11_store_save             (const char         *path,
                                             GKeyFile           *store,
                                             GError            **error);
GBytes          *p11_store_get_bytes        (GKeyFile           *store,
                                             const char         *group,
                                             const char         *key);
void             p11_store_set_bytes        (GKeyFile           *store,
                                             const char         *group,
                                             const char         *key,
                                             GBytes             *value);
char            *p11_store_key_group        (const char         *key_name);
char            *p11_hex_encode             (const guint8       *data,
                                             gsize               len);

/* p11-session-keys.c: the names of session objects in the service */
char            *p11_session_prefix         (void);
gboolean         p11_session_name_is_session (const char        *name);
const char      *p11_session_name_label     (const char         *name);
gboolean         p11_session_name_is_stale  (const char         *name);

/* p11-crypto.c: mechanisms and the operations on keys */
CK_RV            p11_mechanism_list         (CK_MECHANISM_TYPE  *list,
                                             CK_ULONG           *count);
CK_RV            p11_mechanism_info         (CK_MECHANISM_TYPE   type,
                                             CK_MECHANISM_INFO  *info);
GArray          *p11_allowed_mechanisms     (P11Object          *object);
CK_RV            p11_operation_new          (P11OpKind          kind,
                                             const CK_MECHANISM *mechanism,
                                             P11Object          *key,
                                             P11Operation      **op);
void             p11_operation_free         (P11Operation       *op);
CK_RV            p11_operation_update       (P11Operation       *op,
                                             const guint8       *data,
                                             gsize               len);
CK_RV            p11_operation_input_once   (P11Operation       *op,
                                             const guint8       *data,
                                             gsize               len);
/* The output of sign, encrypt, decrypt, with the size query convention;
 * @done tells whether the operation is over. */
CK_RV            p11_operation_finish       (P11Operation       *op,
                                             CK_BYTE_PTR         out,
                                             CK_ULONG_PTR        out_len,
                                             gboolean           *done);
CK_RV            p11_operation_verify       (P11Operation       *op,
                                             const guint8       *signature,
                                             gsize               len);
/* Makes the key pair in the service, into @made. No module state is
 * touched. */
CK_RV            p11_generate_key_pair      (P11NewKey          *made,
                                             const CK_MECHANISM *mechanism,
                                             const CK_ATTRIBUTE *public_tmpl,
                                             CK_ULONG            public_count,
                                             const CK_ATTRIBUTE *private_tmpl,
                                             CK_ULONG            private_count);
/* C_CreateObject of a CKO_PUBLIC_KEY or CKO_PRIVATE_KEY, imported into
 * the service, into @made; no module state touched. */
CK_RV            p11_import_key             (P11NewKey          *made,
                                             CK_OBJECT_CLASS     klass,
                                             const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count);
CK_RV            p11_generate_random        (ParsecClient       *client,
                                             CK_BYTE_PTR         out,
                                             CK_ULONG            len);
/* Attribute values in templates */
CK_RV            p11_template_find          (const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count,
                                             CK_ATTRIBUTE_TYPE   type,
                                             const CK_ATTRIBUTE **found);
CK_RV            p11_template_bool          (const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count,
                                             CK_ATTRIBUTE_TYPE   type,
                                             gboolean           *value,
                                             gboolean           *present);
CK_RV            p11_template_ulong         (const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count,
                                             CK_ATTRIBUTE_TYPE   type,
                                             CK_ULONG           *value,
                                             gboolean           *present);
/* CKR_ATTRIBUTE_TYPE_INVALID unless every attribute of @tmpl is of @types */
CK_RV            p11_template_only          (const CK_ATTRIBUTE      *tmpl,
                                             CK_ULONG                 count,
                                             const CK_ATTRIBUTE_TYPE *types,
                                             gsize                    n_types);
CK_RV            p11_template_check         (const CK_ATTRIBUTE *tmpl,
                                             CK_ULONG            count);
char            *p11_attribute_text         (const CK_ATTRIBUTE *attribute);

G_END_DECLS
