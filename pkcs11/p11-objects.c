/* p11-objects.c: the objects of a token and their attributes
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each RSA or elliptic-curve (Weierstrass) key that ListKeys returns is a
 * private key object and a public key object (only the latter for a
 * public key), both labelled with the key's name and with a CKA_ID that
 * is the name's bytes unless a CKA_ID was chosen for the key when it was
 * generated. An AES, ChaCha20 or raw-data key is one secret key object,
 * whose attributes p11-secret.c gives. Certificates and data objects come
 * from the token's store file (p11-store.c), or are session objects in the
 * module's memory. The public key of a key is asked for on first need only.
 */
#include "config.h"

#include <string.h>

#include "der.h"
#include "p11-private.h"
#include "secure-mem.h"

#define KEY_PREFIX_PRIVATE "priv:"
#define KEY_PREFIX_PUBLIC "pub:"
#define KEY_PREFIX_CERTIFICATE "cert:"
#define KEY_PREFIX_SECRET "secret:"
#define KEY_PREFIX_DATA "data:"

/* Templates */

CK_RV
p11_template_check (const CK_ATTRIBUTE *tmpl,
                    CK_ULONG            count)
{
  for (CK_ULONG i = 0; i < count; i++)
    if ((tmpl[i].pValue == NULL && tmpl[i].ulValueLen > 0) || tmpl[i].ulValueLen == CK_UNAVAILABLE_INFORMATION)
      return CKR_ATTRIBUTE_VALUE_INVALID;
  return CKR_OK;
}

static gboolean
type_in (CK_ATTRIBUTE_TYPE        type,
         const CK_ATTRIBUTE_TYPE *types,
         gsize                    n_types)
{
  for (gsize i = 0; i < n_types; i++)
    if (types[i] == type)
      return TRUE;
  return FALSE;
}

CK_RV
p11_template_only (const CK_ATTRIBUTE      *tmpl,
                   CK_ULONG                 count,
                   const CK_ATTRIBUTE_TYPE *types,
                   gsize                    n_types)
{
  for (CK_ULONG i = 0; i < count; i++)
    if (!type_in (tmpl[i].type, types, n_types))
      return CKR_ATTRIBUTE_TYPE_INVALID;
  return CKR_OK;
}

CK_RV
p11_template_find (const CK_ATTRIBUTE  *tmpl,
                   CK_ULONG             count,
                   CK_ATTRIBUTE_TYPE    type,
                   const CK_ATTRIBUTE **found)
{
  *found = NULL;
  for (CK_ULONG i = 0; i < count; i++)
    if (tmpl[i].type == type)
      {
        /* The same attribute twice, with two values, is inconsistent. */
        if (*found != NULL && ((*found)->ulValueLen != tmpl[i].ulValueLen ||
                               memcmp ((*found)->pValue, tmpl[i].pValue, tmpl[i].ulValueLen) != 0))
          return CKR_TEMPLATE_INCONSISTENT;
        *found = &tmpl[i];
      }
  return CKR_OK;
}

/* A text attribute's value: UTF-8 without NUL, else NULL. */
char *
p11_attribute_text (const CK_ATTRIBUTE *attribute)
{
  if (attribute->ulValueLen == 0)
    return g_strdup ("");
  if (!g_utf8_validate_len (attribute->pValue, attribute->ulValueLen, NULL))
    return NULL;
  return g_strndup (attribute->pValue, attribute->ulValueLen);
}

/* An attribute of a fixed size: copied into @value if present. */
static CK_RV
template_fixed (const CK_ATTRIBUTE *tmpl,
                CK_ULONG            count,
                CK_ATTRIBUTE_TYPE   type,
                gpointer            value,
                gsize               size,
                gboolean           *present)
{
  const CK_ATTRIBUTE *found;
  CK_RV rv = p11_template_find (tmpl, count, type, &found);

  if (rv != CKR_OK)
    return rv;
  if (present != NULL)
    *present = found != NULL;
  if (found == NULL)
    return CKR_OK;
  if (found->ulValueLen != size)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  memcpy (value, found->pValue, size);
  return CKR_OK;
}

CK_RV
p11_template_bool (const CK_ATTRIBUTE *tmpl,
                   CK_ULONG            count,
                   CK_ATTRIBUTE_TYPE   type,
                   gboolean           *value,
                   gboolean           *present)
{
  CK_BBOOL b = *value ? CK_TRUE : CK_FALSE;
  CK_RV rv = template_fixed (tmpl, count, type, &b, sizeof b, present);

  *value = b != CK_FALSE;
  return rv;
}

CK_RV
p11_template_ulong (const CK_ATTRIBUTE *tmpl,
                    CK_ULONG            count,
                    CK_ATTRIBUTE_TYPE   type,
                    CK_ULONG           *value,
                    gboolean           *present)
{
  return template_fixed (tmpl, count, type, value, sizeof *value, present);
}

/* Keys of the service */

static gboolean
key_type_is_supported (ParsecKeyAttributes *attributes)
{
  switch (parsec_key_attributes_get_key_type (attributes))
    {
    case PARSEC_KEY_TYPE_RSA_KEY_PAIR:
    case PARSEC_KEY_TYPE_RSA_PUBLIC_KEY:
      return TRUE;
    case PARSEC_KEY_TYPE_ECC_KEY_PAIR:
    case PARSEC_KEY_TYPE_ECC_PUBLIC_KEY:
      /* Montgomery curves are not ECDSA's: PKCS #11 gives them key types
       * of their own, which the module does not offer. */
      return parsec_key_attributes_get_ecc_family (attributes) != PARSEC_ECC_FAMILY_MONTGOMERY;
    default:
      return FALSE;
    }
}

ParsecKeyAttributes *
p11_object_attributes (P11Object *object)
{
  return parsec_key_get_attributes (object->key);
}

gboolean
p11_object_is_rsa (P11Object *object)
{
  ParsecKeyType type = parsec_key_attributes_get_key_type (p11_object_attributes (object));

  return type == PARSEC_KEY_TYPE_RSA_KEY_PAIR || type == PARSEC_KEY_TYPE_RSA_PUBLIC_KEY;
}

static char *
object_key (P11Kind     kind,
            const char *name)
{
  const char *prefix = kind == P11_KIND_PRIVATE_KEY ? KEY_PREFIX_PRIVATE
                       : kind == P11_KIND_PUBLIC_KEY ? KEY_PREFIX_PUBLIC
                       : kind == P11_KIND_SECRET_KEY ? KEY_PREFIX_SECRET
                       : kind == P11_KIND_DATA ? KEY_PREFIX_DATA : KEY_PREFIX_CERTIFICATE;

  return g_strconcat (prefix, name, NULL);
}

static P11Object *
slot_lookup (P11Slot    *slot,
             P11Kind     kind,
             const char *name)
{
  g_autofree char *key = object_key (kind, name);

  return g_hash_table_lookup (slot->objects, key);
}

/* The object of @kind named @name (a key's name, a certificate's store
 * group), made with a handle of its own if there is none. */
static P11Object *
slot_object (P11Slot    *slot,
             P11Kind     kind,
             const char *name)
{
  P11Object *object = slot_lookup (slot, kind, name);

  if (object != NULL)
    return object;
  object = g_new0 (P11Object, 1);
  object->slot = slot;
  object->kind = kind;
  if (kind == P11_KIND_CERTIFICATE || kind == P11_KIND_DATA)
    object->store_group = g_strdup (name);
  else
    object->key_name = g_strdup (name);
  p11_module_register_object (object);
  g_hash_table_insert (slot->objects, object_key (kind, name), object);
  return object;
}

static GBytes *
key_id (P11Slot    *slot,
        const char *key_name)
{
  P11SessionKey *session_key = g_hash_table_lookup (slot->session_keys, key_name);
  GBytes *id;

  if (session_key != NULL)
    return g_bytes_ref (session_key->id);
  id = g_hash_table_lookup (slot->key_ids, key_name);

  if (id != NULL)
    return g_bytes_ref (id);
  return g_bytes_new (key_name, strlen (key_name));
}

P11Object *
p11_slot_add_key (P11Slot   *slot,
                  P11Kind    kind,
                  ParsecKey *key)
{
  const char *key_name = parsec_key_get_name (key);
  P11Object *object = slot_object (slot, kind, key_name);

  if (object->key != NULL &&
      !parsec_algorithm_equal (parsec_key_attributes_get_algorithm (p11_object_attributes (object)),
                               parsec_key_attributes_get_algorithm (parsec_key_get_attributes (key))))
    /* A key of the same name was made again: its public key changed too. */
    g_clear_pointer (&object->spki, g_bytes_unref);
  g_set_object (&object->key, key);
  g_clear_pointer (&object->id, g_bytes_unref);
  object->id = key_id (slot, key_name);
  object->session_object = g_hash_table_contains (slot->session_keys, key_name);
  object->seen = TRUE;
  return object;
}

void
p11_slot_add_session_key (P11Slot           *slot,
                          CK_SESSION_HANDLE  session,
                          ParsecKey         *key,
                          GBytes            *id)
{
  P11SessionKey *session_key = g_new0 (P11SessionKey, 1);

  session_key->session = session;
  session_key->key = g_object_ref (key);
  session_key->id = id;
  g_hash_table_replace (slot->session_keys, g_strdup (parsec_key_get_name (key)), session_key);
}

void
p11_slot_take_session_keys (P11Slot           *slot,
                            CK_SESSION_HANDLE  session,
                            GPtrArray         *keys)
{
  GHashTableIter iter;
  gpointer name, value;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GPtrArray) certificates = g_ptr_array_new ();

  g_hash_table_iter_init (&iter, slot->session_keys);
  while (g_hash_table_iter_next (&iter, &name, &value))
    {
      P11SessionKey *session_key = value;

      if (session != CK_INVALID_HANDLE && session_key->session != session)
        continue;
      g_ptr_array_add (keys, g_object_ref (session_key->key));
      g_ptr_array_add (names, name);
    }
  for (guint i = 0; i < names->len; i++)
    {
      p11_slot_forget_key (slot, g_ptr_array_index (names, i));
      g_hash_table_remove (slot->session_keys, g_ptr_array_index (names, i));
    }

  /* Session certificates and data objects are the module's alone. */
  g_hash_table_iter_init (&iter, slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      P11Object *object = value;

      if (!p11_object_is_key (object) && object->session_object &&
          (session == CK_INVALID_HANDLE || object->session == session))
        g_ptr_array_add (certificates, object);
    }
  for (guint i = 0; i < certificates->len; i++)
    p11_slot_forget_object (slot, g_ptr_array_index (certificates, i));
}

/* Called without the module's lock: the service may take its time. */
void
p11_session_key_destroy_unref (gpointer key)
{
  g_autoptr(GError) error = NULL;

  if (!parsec_key_destroy (key, NULL, &error))
    g_debug ("session object not destroyed: %s", error->message);
  g_object_unref (key);
}

void
p11_session_keys_destroy (GPtrArray *keys)
{
  for (guint i = 0; i < keys->len; i++)
    p11_session_key_destroy_unref (g_object_ref (g_ptr_array_index (keys, i)));
}

void
p11_slot_forget_object (P11Slot   *slot,
                        P11Object *object)
{
  g_autofree char *lookup = object_key (object->kind,
                                        p11_object_is_key (object) ? object->key_name
                                                                   : object->store_group);

  p11_module_unregister_object (object);
  g_hash_table_remove (slot->objects, lookup);
}

void
p11_slot_forget_key (P11Slot    *slot,
                     const char *key_name)
{
  static const P11Kind key_kinds[] = { P11_KIND_PRIVATE_KEY, P11_KIND_PUBLIC_KEY, P11_KIND_SECRET_KEY };

  for (gsize i = 0; i < G_N_ELEMENTS (key_kinds); i++)
    {
      P11Object *object = slot_lookup (slot, key_kinds[i], key_name);

      if (object != NULL)
        p11_slot_forget_object (slot, object);
    }
}

/* Certificates */

typedef struct {
  DerCursor serial;
  DerCursor issuer;
  DerCursor subject;
  DerCursor spki;
} CertificateParts;

/* Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 * TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber,
 *   signature, issuer, validity, subject, subjectPublicKeyInfo, … } */
static gboolean
certificate_parse (GBytes           *der,
                   CertificateParts *parts)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (der, &len);
  DerCursor top, certificate, tbs;

  der_cursor_init (&top, data, len);
  if (!der_expect (&top, DER_SEQUENCE, &certificate, NULL) || !der_cursor_at_end (&top) ||
      !der_expect (&certificate, DER_SEQUENCE, &tbs, NULL))
    return FALSE;
  /* The version, optional: the cursor moves past it only if it is there. */
  der_expect (&tbs, 0xa0, NULL, NULL);
  return der_expect (&tbs, DER_INTEGER, NULL, &parts->serial) &&
         der_expect (&tbs, DER_SEQUENCE, NULL, NULL) &&
         der_expect (&tbs, DER_SEQUENCE, NULL, &parts->issuer) &&
         der_expect (&tbs, DER_SEQUENCE, NULL, NULL) &&
         der_expect (&tbs, DER_SEQUENCE, NULL, &parts->subject) &&
         der_expect (&tbs, DER_SEQUENCE, NULL, &parts->spki);
}

static GBytes *
cursor_bytes (const DerCursor *cursor)
{
  return g_bytes_new (cursor->p, der_cursor_len (cursor));
}

static P11Object *
slot_add_certificate (P11Slot    *slot,
                      const char *group,
                      GBytes     *value,
                      GBytes     *id,
                      const char *label)
{
  CertificateParts parts;
  P11Object *object;

  if (!certificate_parse (value, &parts))
    return NULL;
  object = slot_object (slot, P11_KIND_CERTIFICATE, group);
  /* Referenced before the old values go: they may be the same. */
  value = g_bytes_ref (value);
  id = id != NULL ? g_bytes_ref (id) : g_bytes_new (NULL, 0);
  label = g_strdup (label != NULL ? label : "");
  g_clear_pointer (&object->value, g_bytes_unref);
  object->value = (GBytes *) value;
  g_clear_pointer (&object->spki, g_bytes_unref);
  object->spki = cursor_bytes (&parts.spki);
  g_clear_pointer (&object->id, g_bytes_unref);
  object->id = (GBytes *) id;
  g_free (object->label);
  object->label = (char *) label;
  object->seen = TRUE;
  return object;
}

/* Data objects */

/* Takes nothing: @value is copied into secure memory unless it is there
 * already (from secure_bytes_new()). */
static P11Object *
slot_add_data (P11Slot    *slot,
               const char *group,
               GBytes     *value,
               const char *label,
               GBytes     *application,
               GBytes     *object_id,
               gboolean    modifiable)
{
  P11Object *object = slot_object (slot, P11_KIND_DATA, group);

  /* Referenced before the old values go: they may be the same. */
  value = g_bytes_ref (value);
  object_id = object_id != NULL ? g_bytes_ref (object_id) : g_bytes_new (NULL, 0);
  label = g_strdup (label != NULL ? label : "");
  application = application != NULL ? g_bytes_ref (application) : g_bytes_new (NULL, 0);
  g_clear_pointer (&object->value, g_bytes_unref);
  object->value = (GBytes *) value;
  g_clear_pointer (&object->object_id, g_bytes_unref);
  object->object_id = (GBytes *) object_id;
  g_free (object->label);
  object->label = (char *) label;
  g_clear_pointer (&object->application, g_bytes_unref);
  object->application = (GBytes *) application;
  object->modifiable = modifiable;
  object->seen = TRUE;
  return object;
}

static void
slot_load_data (P11Slot    *slot,
                GKeyFile   *store,
                const char *group)
{
  g_autoptr(GBytes) decoded = p11_store_get_bytes (store, group, "value");
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) object_id = p11_store_get_bytes (store, group, "object-id");
  g_autofree char *label = g_key_file_get_string (store, group, "label", NULL);
  g_autoptr(GBytes) application = p11_store_get_bytes (store, group, "application");
  g_autoptr(GError) error = NULL;
  gboolean modifiable = g_key_file_get_boolean (store, group, "modifiable", &error);
  P11Object *object;
  gsize len;
  gpointer data;

  /* What the module cannot read is left in the file, unseen. */
  if (decoded == NULL)
    return;
  if (error != NULL)
    modifiable = TRUE;
  /* Unchanged in the file: the copy in secure memory stays. */
  object = slot_lookup (slot, P11_KIND_DATA, group);
  if (object != NULL && g_bytes_equal (object->value, decoded))
    value = g_bytes_ref (object->value);
  else
    value = secure_bytes_new (g_bytes_get_data (decoded, NULL), g_bytes_get_size (decoded));
  data = g_bytes_unref_to_data (g_steal_pointer (&decoded), &len);
  secure_wipe (data, len);
  g_free (data);
  slot_add_data (slot, group, value, label, application, object_id, modifiable);
}

static void
slot_load_store (P11Slot  *slot,
                 GKeyFile *store)
{
  g_auto(GStrv) groups = g_key_file_get_groups (store, NULL);

  g_hash_table_remove_all (slot->key_ids);
  g_hash_table_remove_all (slot->hidden_publics);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autoptr(GBytes) id = p11_store_get_bytes (store, groups[i], "id");

      if (g_str_has_prefix (groups[i], "certificate "))
        {
          g_autoptr(GBytes) value = p11_store_get_bytes (store, groups[i], "value");
          g_autofree char *label = g_key_file_get_string (store, groups[i], "label", NULL);

          /* What the module cannot read is left in the file, unseen. */
          if (value != NULL)
            slot_add_certificate (slot, groups[i], value, id, label);
        }
      else if (g_str_has_prefix (groups[i], "data "))
        slot_load_data (slot, store, groups[i]);
      else if (g_str_has_prefix (groups[i], "key "))
        {
          g_autoptr(GBytes) name = p11_store_get_bytes (store, groups[i], "name");
          g_autofree char *key_name = NULL;

          if (name == NULL)
            continue;
          key_name = g_strndup (g_bytes_get_data (name, NULL), g_bytes_get_size (name));
          if (g_key_file_get_boolean (store, groups[i], "public-hidden", NULL))
            g_hash_table_add (slot->hidden_publics, g_strdup (key_name));
          if (id != NULL)
            g_hash_table_replace (slot->key_ids, g_steal_pointer (&key_name), g_steal_pointer (&id));
        }
    }
}

/* Records, in the key's group of the store, its CKA_ID (if @id) or that
 * its public object was destroyed (if @hide_public); @reset forgets what
 * the group said of a former key of the same name first. */
static gboolean
slot_store_key (P11Slot     *slot,
                const char  *key_name,
                GBytes      *id,
                gboolean     hide_public,
                gboolean     reset,
                GError     **error)
{
  g_autoptr(GKeyFile) store = p11_store_load (slot->store_path, error);
  g_autofree char *group = p11_store_key_group (key_name);
  g_autoptr(GBytes) name = g_bytes_new (key_name, strlen (key_name));

  if (store == NULL)
    return FALSE;
  if (reset)
    g_key_file_remove_group (store, group, NULL);
  if (id != NULL || hide_public)
    p11_store_set_bytes (store, group, "name", name);
  if (id != NULL)
    p11_store_set_bytes (store, group, "id", id);
  if (hide_public)
    g_key_file_set_boolean (store, group, "public-hidden", TRUE);
  if (!p11_store_save (slot->store_path, store, error))
    return FALSE;
  slot_load_store (slot, store);
  return TRUE;
}

gboolean
p11_slot_set_key_id (P11Slot     *slot,
                     const char  *key_name,
                     GBytes      *id,
                     GError     **error)
{
  return slot_store_key (slot, key_name, id, FALSE, FALSE, error);
}

gboolean
p11_slot_record_new_key (P11Slot     *slot,
                         const char  *key_name,
                         GBytes      *id,
                         GError     **error)
{
  /* Nothing to write where the store knows nothing of the name. */
  if (id == NULL && !g_hash_table_contains (slot->key_ids, key_name) &&
      !g_hash_table_contains (slot->hidden_publics, key_name))
    return TRUE;
  return slot_store_key (slot, key_name, id, FALSE, TRUE, error);
}

/* Session objects whose process is gone, found in a listing, are
 * destroyed once per initialisation: added to @stale, for the caller to
 * destroy without the lock. */
static void
slot_sweep_session_keys (P11Slot   *slot,
                         GPtrArray *keys,
                         GPtrArray *stale)
{
  if (slot->swept)
    return;
  slot->swept = TRUE;
  for (guint i = 0; i < keys->len; i++)
    {
      ParsecKey *key = g_ptr_array_index (keys, i);
      const char *name = parsec_key_get_name (key);

      if (!g_hash_table_contains (slot->session_keys, name) && p11_session_name_is_stale (name))
        g_ptr_array_add (stale, g_object_ref (key));
    }
}

void
p11_slot_refresh (P11Slot   *slot,
                  GPtrArray *keys,
                  GKeyFile  *store,
                  GPtrArray *stale)
{
  g_autoptr(GPtrArray) gone = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  slot_sweep_session_keys (slot, keys, stale);
  g_hash_table_iter_init (&iter, slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    ((P11Object *) value)->seen = FALSE;

  /* Session certificates and data objects are the module's own, in no
   * store. */
  g_hash_table_iter_init (&iter, slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!p11_object_is_key (value) && ((P11Object *) value)->session_object)
      ((P11Object *) value)->seen = TRUE;
  if (store != NULL)
    slot_load_store (slot, store);
  else
    {
      /* Keep what was read before rather than lose the certificates. */
      g_hash_table_iter_init (&iter, slot->objects);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (!p11_object_is_key (value))
          ((P11Object *) value)->seen = TRUE;
    }

  for (guint i = 0; i < keys->len; i++)
    {
      ParsecKey *key = g_ptr_array_index (keys, i);
      ParsecKeyAttributes *attributes = parsec_key_get_attributes (key);
      const char *name = parsec_key_get_name (key);
      P11SessionKey *session_key;

      if (attributes == NULL || !g_utf8_validate (name, -1, NULL))
        continue;
      /* Session objects are their application's alone. */
      session_key = g_hash_table_lookup (slot->session_keys, name);
      if (session_key == NULL && p11_session_name_is_session (name))
        continue;
      if (p11_key_type_is_secret (parsec_key_attributes_get_key_type (attributes)))
        {
          p11_slot_add_key (slot, P11_KIND_SECRET_KEY, key);
          continue;
        }
      if (!key_type_is_supported (attributes))
        continue;
      if (parsec_key_attributes_is_public_key (attributes))
        {
          p11_slot_add_key (slot, P11_KIND_PUBLIC_KEY, key);
          continue;
        }
      p11_slot_add_key (slot, P11_KIND_PRIVATE_KEY, key);
      if (session_key != NULL ? !session_key->public_hidden : !g_hash_table_contains (slot->hidden_publics, name))
        p11_slot_add_key (slot, P11_KIND_PUBLIC_KEY, key);
    }

  g_hash_table_iter_init (&iter, slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (!((P11Object *) value)->seen)
      g_ptr_array_add (gone, value);
  for (guint i = 0; i < gone->len; i++)
    p11_slot_forget_object (slot, g_ptr_array_index (gone, i));
}

/* Public keys */

void
p11_object_set_public (P11Object *object,
                       GBytes    *spki)
{
  P11Kind other_kind = object->kind == P11_KIND_PRIVATE_KEY ? P11_KIND_PUBLIC_KEY : P11_KIND_PRIVATE_KEY;
  P11Object *other;

  if (object->spki == NULL)
    object->spki = g_bytes_ref (spki);
  /* The other half of the pair has the same public key. */
  other = slot_lookup (object->slot, other_kind, object->key_name);
  if (other != NULL && other->spki == NULL && other->key == object->key)
    other->spki = g_bytes_ref (spki);
}

gboolean
p11_object_load_public (P11Object  *object,
                        GError    **error)
{
  g_autoptr(GBytes) spki = NULL;

  if (object->spki != NULL)
    return TRUE;
  /* One request: the key's attributes convert what the service gives. */
  spki = parsec_key_export_public_key (object->key, PARSEC_PUBLIC_KEY_FORMAT_DER, NULL, error);
  if (spki == NULL)
    return FALSE;
  p11_object_set_public (object, spki);
  return TRUE;
}

/* SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier,
 * subjectPublicKey BIT STRING }: the parameters of the algorithm and the
 * bits of the key. */
static gboolean
spki_parts (GBytes    *spki,
            DerCursor *parameters,
            DerCursor *key)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (spki, &len);
  DerCursor top, seq, algorithm, bits;

  der_cursor_init (&top, data, len);
  if (!der_expect (&top, DER_SEQUENCE, &seq, NULL) ||
      !der_expect (&seq, DER_SEQUENCE, &algorithm, NULL) ||
      !der_expect (&algorithm, DER_OID, NULL, NULL) ||
      !der_expect (&seq, DER_BIT_STRING, &bits, NULL) ||
      der_cursor_at_end (&bits) || bits.p[0] != 0)
    return FALSE;
  *parameters = algorithm;
  bits.p++;
  *key = bits;
  return TRUE;
}

gboolean
p11_spki_ec_params (GBytes  *spki,
                    GBytes **params,
                    GBytes **point)
{
  DerCursor parameters, key, oid;

  if (!spki_parts (spki, &parameters, &key) || !der_expect (&parameters, DER_OID, NULL, &oid))
    return FALSE;
  if (params != NULL)
    *params = cursor_bytes (&oid);
  if (point != NULL)
    *point = der_tlv (DER_OCTET_STRING, cursor_bytes (&key));
  return TRUE;
}

static gboolean
spki_rsa (GBytes    *spki,
          DerCursor *modulus,
          DerCursor *exponent)
{
  DerCursor parameters, key, seq;

  return spki_parts (spki, &parameters, &key) &&
         der_expect (&key, DER_SEQUENCE, &seq, NULL) &&
         der_expect_uint (&seq, modulus) &&
         der_expect_uint (&seq, exponent);
}

gsize
p11_object_key_bytes (P11Object *object)
{
  guint bits = parsec_key_attributes_get_bits (p11_object_attributes (object));
  DerCursor a, b;
  gsize bytes;

  if (object->spki == NULL)
    return 0;
  if (p11_object_is_rsa (object))
    bytes = spki_rsa (object->spki, &a, &b) ? der_cursor_len (&a) : 0;
  else if (!spki_parts (object->spki, &a, &b) || der_cursor_len (&b) < 3 || der_cursor_len (&b) % 2 == 0 ||
           b.p[0] != 0x04)
    /* Not 04 ‖ x ‖ y */
    bytes = 0;
  else
    bytes = (der_cursor_len (&b) - 1) / 2;
  /* The public key the service gave must be of the key's size, the one
   * the library holds its signatures to. */
  if (bits != 0 && bytes != (bits + 7) / 8)
    {
      g_debug ("a public key of %zu bytes for a key of %u bits", bytes, bits);
      return 0;
    }
  return bytes;
}

/* Attributes */

GBytes *
p11_bool_value (gboolean value)
{
  CK_BBOOL b = value ? CK_TRUE : CK_FALSE;

  return g_bytes_new (&b, sizeof b);
}

GBytes *
p11_ulong_value (CK_ULONG value)
{
  return g_bytes_new (&value, sizeof value);
}

static GBytes *
empty_value (void)
{
  return g_bytes_new (NULL, 0);
}

static GBytes *
string_value (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* Attributes of every key and certificate object. */
static CK_RV
storage_attribute (P11Object          *object,
                   CK_ATTRIBUTE_TYPE   type,
                   GBytes            **value)
{
  switch (type)
    {
    case CKA_CLASS:
      *value = p11_ulong_value (object->kind == P11_KIND_PRIVATE_KEY ? CKO_PRIVATE_KEY
                            : object->kind == P11_KIND_PUBLIC_KEY ? CKO_PUBLIC_KEY
                            : object->kind == P11_KIND_SECRET_KEY ? CKO_SECRET_KEY
                            : object->kind == P11_KIND_DATA ? CKO_DATA : CKO_CERTIFICATE);
      return CKR_OK;
    case CKA_TOKEN:
      *value = p11_bool_value (!object->session_object);
      return CKR_OK;
    case CKA_DESTROYABLE:
      *value = p11_bool_value (TRUE);
      return CKR_OK;
    case CKA_PRIVATE:
      /* No login guards anything: the service has authenticated the
       * process (see C_Login). */
      *value = p11_bool_value (FALSE);
      return CKR_OK;
    case CKA_COPYABLE:
      /* The service cannot copy a key; the module copies its own. */
      *value = p11_bool_value (!p11_object_is_key (object));
      return CKR_OK;
    case CKA_MODIFIABLE:
      /* Keys are the service's; certificates can be relabelled. */
      *value = p11_bool_value (object->kind == P11_KIND_DATA ? object->modifiable
                           : object->kind == P11_KIND_CERTIFICATE);
      return CKR_OK;
    case CKA_LABEL:
      *value = string_value (p11_object_is_key (object) ? p11_session_name_label (object->key_name)
                             : object->label);
      return CKR_OK;
    default:
      break;
    }

  /* Data objects have none of the rest. */
  if (object->kind == P11_KIND_DATA)
    return CKR_ATTRIBUTE_TYPE_INVALID;
  switch (type)
    {
    case CKA_ID:
      *value = g_bytes_ref (object->id);
      return CKR_OK;
    case CKA_START_DATE:
    case CKA_END_DATE:
      *value = empty_value ();
      return CKR_OK;
    default:
      return CKR_ATTRIBUTE_TYPE_INVALID;
    }
}

static CK_RV
load_public_or_fail (P11Object *object)
{
  g_autoptr(GError) error = NULL;

  if (!p11_object_load_public (object, &error))
    return p11_rv_from_error (error, CKR_DEVICE_ERROR);
  return CKR_OK;
}

static CK_RV
key_material_attribute (P11Object          *object,
                        CK_ATTRIBUTE_TYPE   type,
                        GBytes            **value)
{
  CK_RV rv;

  if (p11_object_is_rsa (object))
    {
      DerCursor modulus, exponent;

      if (type != CKA_MODULUS && type != CKA_PUBLIC_EXPONENT && type != CKA_MODULUS_BITS &&
          type != CKA_PUBLIC_KEY_INFO)
        return CKR_ATTRIBUTE_TYPE_INVALID;
      if ((rv = load_public_or_fail (object)) != CKR_OK)
        return rv;
      if (type == CKA_PUBLIC_KEY_INFO)
        {
          *value = g_bytes_ref (object->spki);
          return CKR_OK;
        }
      if (!spki_rsa (object->spki, &modulus, &exponent))
        return CKR_DEVICE_ERROR;
      if (type == CKA_MODULUS)
        *value = cursor_bytes (&modulus);
      else if (type == CKA_PUBLIC_EXPONENT)
        *value = cursor_bytes (&exponent);
      else
        *value = p11_ulong_value (der_uint_bits (&modulus));
      return CKR_OK;
    }

  if (type != CKA_EC_PARAMS && type != CKA_EC_POINT && type != CKA_PUBLIC_KEY_INFO)
    return CKR_ATTRIBUTE_TYPE_INVALID;
  if ((rv = load_public_or_fail (object)) != CKR_OK)
    return rv;
  if (type == CKA_PUBLIC_KEY_INFO)
    *value = g_bytes_ref (object->spki);
  else if (!p11_spki_ec_params (object->spki, type == CKA_EC_PARAMS ? value : NULL,
                                type == CKA_EC_POINT ? value : NULL))
    return CKR_DEVICE_ERROR;
  return CKR_OK;
}

static GBytes *
allowed_mechanisms_value (P11Object *object)
{
  g_autoptr(GArray) mechanisms = p11_allowed_mechanisms (object);

  return g_bytes_new (mechanisms->data, mechanisms->len * sizeof (CK_MECHANISM_TYPE));
}

static CK_RV
key_attribute (P11Object          *object,
               CK_ATTRIBUTE_TYPE   type,
               GBytes            **value)
{
  ParsecKeyUsage usage = parsec_key_attributes_get_usage (p11_object_attributes (object));
  gboolean private_key = object->kind == P11_KIND_PRIVATE_KEY;
  gboolean exportable = (usage & PARSEC_KEY_USAGE_EXPORT) != 0;

  switch (type)
    {
    case CKA_KEY_TYPE:
      *value = p11_ulong_value (p11_object_is_rsa (object) ? CKK_RSA : CKK_EC);
      return CKR_OK;
    case CKA_DERIVE:
      *value = p11_bool_value ((usage & PARSEC_KEY_USAGE_DERIVE) != 0);
      return CKR_OK;
    case CKA_LOCAL:
      /* The service does not say whether it made the key or was given it. */
      *value = p11_bool_value (FALSE);
      return CKR_OK;
    case CKA_KEY_GEN_MECHANISM:
      *value = p11_ulong_value (CK_UNAVAILABLE_INFORMATION);
      return CKR_OK;
    case CKA_ALLOWED_MECHANISMS:
      *value = allowed_mechanisms_value (object);
      return CKR_OK;
    case CKA_SUBJECT:
      *value = empty_value ();
      return CKR_OK;
    default:
      break;
    }

  if (private_key)
    switch (type)
      {
      case CKA_SENSITIVE:
        *value = p11_bool_value (TRUE);
        return CKR_OK;
      case CKA_EXTRACTABLE:
        *value = p11_bool_value (exportable);
        return CKR_OK;
      case CKA_NEVER_EXTRACTABLE:
        /* A PSA policy never changes. */
        *value = p11_bool_value (!exportable);
        return CKR_OK;
      case CKA_ALWAYS_SENSITIVE:
        *value = p11_bool_value (FALSE);
        return CKR_OK;
      case CKA_DECRYPT:
        *value = p11_bool_value ((usage & PARSEC_KEY_USAGE_DECRYPT) != 0);
        return CKR_OK;
      case CKA_SIGN:
        *value = p11_bool_value ((usage & (PARSEC_KEY_USAGE_SIGN_HASH | PARSEC_KEY_USAGE_SIGN_MESSAGE)) != 0);
        return CKR_OK;
      case CKA_SIGN_RECOVER:
      case CKA_UNWRAP:
      case CKA_WRAP_WITH_TRUSTED:
      case CKA_ALWAYS_AUTHENTICATE:
        *value = p11_bool_value (FALSE);
        return CKR_OK;
      case CKA_VALUE:
      case CKA_PRIVATE_EXPONENT:
      case CKA_PRIME_1:
      case CKA_PRIME_2:
      case CKA_EXPONENT_1:
      case CKA_EXPONENT_2:
      case CKA_COEFFICIENT:
        return CKR_ATTRIBUTE_SENSITIVE;
      default:
        break;
      }
  else
    switch (type)
      {
      case CKA_ENCRYPT:
        *value = p11_bool_value ((usage & PARSEC_KEY_USAGE_ENCRYPT) != 0);
        return CKR_OK;
      case CKA_VERIFY:
        *value = p11_bool_value ((usage & (PARSEC_KEY_USAGE_VERIFY_HASH | PARSEC_KEY_USAGE_VERIFY_MESSAGE)) != 0);
        return CKR_OK;
      case CKA_VERIFY_RECOVER:
      case CKA_WRAP:
      case CKA_TRUSTED:
        *value = p11_bool_value (FALSE);
        return CKR_OK;
      default:
        break;
      }

  return key_material_attribute (object, type, value);
}

static CK_RV
certificate_attribute (P11Object          *object,
                       CK_ATTRIBUTE_TYPE   type,
                       GBytes            **value)
{
  CertificateParts parts;

  switch (type)
    {
    case CKA_CERTIFICATE_TYPE:
      *value = p11_ulong_value (CKC_X_509);
      return CKR_OK;
    case CKA_TRUSTED:
      *value = p11_bool_value (FALSE);
      return CKR_OK;
    case CKA_CERTIFICATE_CATEGORY:
    case CKA_JAVA_MIDP_SECURITY_DOMAIN:
      *value = p11_ulong_value (0);
      return CKR_OK;
    case CKA_VALUE:
      *value = g_bytes_ref (object->value);
      return CKR_OK;
    case CKA_PUBLIC_KEY_INFO:
      *value = g_bytes_ref (object->spki);
      return CKR_OK;
    case CKA_URL:
    case CKA_HASH_OF_SUBJECT_PUBLIC_KEY:
    case CKA_HASH_OF_ISSUER_PUBLIC_KEY:
      *value = empty_value ();
      return CKR_OK;
    case CKA_CHECK_VALUE:
      {
        /* The first three bytes of the certificate's SHA-1. */
        guint8 digest[20];
        gsize len = sizeof digest;
        g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA1);

        g_checksum_update (checksum, g_bytes_get_data (object->value, NULL), g_bytes_get_size (object->value));
        g_checksum_get_digest (checksum, digest, &len);
        *value = g_bytes_new (digest, 3);
        return CKR_OK;
      }
    case CKA_SUBJECT:
    case CKA_ISSUER:
    case CKA_SERIAL_NUMBER:
      /* The store's certificates were checked when they were read. */
      if (!certificate_parse (object->value, &parts))
        return CKR_GENERAL_ERROR;
      *value = cursor_bytes (type == CKA_SUBJECT ? &parts.subject
                             : type == CKA_ISSUER ? &parts.issuer : &parts.serial);
      return CKR_OK;
    default:
      return CKR_ATTRIBUTE_TYPE_INVALID;
    }
}

static CK_RV
data_attribute (P11Object          *object,
                CK_ATTRIBUTE_TYPE   type,
                GBytes            **value)
{
  switch (type)
    {
    case CKA_APPLICATION:
      *value = g_bytes_ref (object->application);
      return CKR_OK;
    case CKA_OBJECT_ID:
      *value = g_bytes_ref (object->object_id);
      return CKR_OK;
    case CKA_VALUE:
      *value = g_bytes_ref (object->value);
      return CKR_OK;
    default:
      return CKR_ATTRIBUTE_TYPE_INVALID;
    }
}

CK_RV
p11_object_get_attribute (P11Object          *object,
                          CK_ATTRIBUTE_TYPE   type,
                          GBytes            **value)
{
  CK_RV rv = storage_attribute (object, type, value);

  if (rv != CKR_ATTRIBUTE_TYPE_INVALID)
    return rv;
  if (object->kind == P11_KIND_CERTIFICATE)
    return certificate_attribute (object, type, value);
  if (object->kind == P11_KIND_DATA)
    return data_attribute (object, type, value);
  if (object->kind == P11_KIND_SECRET_KEY)
    return p11_secret_attribute (object, type, value);
  return key_attribute (object, type, value);
}

gboolean
p11_object_matches (P11Object          *object,
                    const CK_ATTRIBUTE *tmpl,
                    CK_ULONG            count)
{
  for (CK_ULONG i = 0; i < count; i++)
    {
      g_autoptr(GBytes) value = NULL;

      if (p11_object_get_attribute (object, tmpl[i].type, &value) != CKR_OK ||
          g_bytes_get_size (value) != tmpl[i].ulValueLen ||
          (tmpl[i].ulValueLen > 0 && memcmp (g_bytes_get_data (value, NULL), tmpl[i].pValue, tmpl[i].ulValueLen) != 0))
        return FALSE;
    }
  return TRUE;
}

/* Creating, changing and destroying */

static CK_RV
store_update (P11Slot    *slot,
              const char *group,
              GBytes     *value,
              GBytes     *id,
              const char *label,
              gboolean    remove)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) store = p11_store_load (slot->store_path, &error);

  if (store == NULL)
    return p11_rv_from_error (error, CKR_DEVICE_ERROR);
  if (remove)
    g_key_file_remove_group (store, group, NULL);
  else
    {
      p11_store_set_bytes (store, group, "value", value);
      p11_store_set_bytes (store, group, "id", id);
      g_key_file_set_string (store, group, "label", label);
    }
  if (!p11_store_save (slot->store_path, store, &error))
    return p11_rv_from_error (error, CKR_DEVICE_ERROR);
  return CKR_OK;
}

/* The key (private, else public) whose public key the certificate holds,
 * among those whose public key the module has (the caller asked the
 * service for the others without the lock). */
static P11Object *
matching_key (P11Slot *slot,
              GBytes  *spki)
{
  P11Object *found = NULL;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      P11Object *object = value;

      if (p11_object_is_key (object) && object->kind != P11_KIND_SECRET_KEY &&
          (found == NULL || found->kind == P11_KIND_PUBLIC_KEY) &&
          object->spki != NULL && g_bytes_equal (object->spki, spki))
        found = object;
    }
  return found;
}

static gboolean
slot_has_key_id (P11Slot *slot,
                 GBytes  *id)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (p11_object_is_key (value) && g_bytes_equal (((P11Object *) value)->id, id))
      return TRUE;
  return FALSE;
}

/* Gives @key (and its other half) the CKA_ID @id, and the certificates
 * paired with it by its former id too, so that they stay paired. */
static CK_RV
slot_rekey (P11Slot   *slot,
            P11Object *key,
            GBytes    *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) former = g_bytes_ref (key->id);
  g_autoptr(GBytes) spki = g_bytes_ref (key->spki);
  g_autofree char *key_name = g_strdup (key->key_name);
  P11SessionKey *session_key = g_hash_table_lookup (slot->session_keys, key_name);
  g_autoptr(GPtrArray) paired = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  if (session_key != NULL)
    {
      g_bytes_unref (session_key->id);
      session_key->id = g_bytes_ref (id);
    }
  else if (!p11_slot_set_key_id (slot, key_name, id, &error))
    return p11_rv_from_error (error, CKR_DEVICE_ERROR);
  g_hash_table_iter_init (&iter, slot->objects);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      P11Object *object = value;

      if (p11_object_is_key (object) && g_strcmp0 (object->key_name, key_name) == 0)
        {
          g_bytes_unref (object->id);
          object->id = g_bytes_ref (id);
        }
      else if (object->kind == P11_KIND_CERTIFICATE && g_bytes_equal (object->id, former) &&
               g_bytes_equal (object->spki, spki))
        g_ptr_array_add (paired, object);
    }
  for (guint i = 0; i < paired->len; i++)
    {
      P11Object *certificate = g_ptr_array_index (paired, i);
      CK_RV rv = certificate->session_object ? CKR_OK
                 : store_update (slot, certificate->store_group, certificate->value, id, certificate->label, FALSE);

      if (rv != CKR_OK)
        return rv;
      slot_add_certificate (slot, certificate->store_group, certificate->value, id, certificate->label);
    }
  return CKR_OK;
}

static const CK_ATTRIBUTE_TYPE certificate_template_types[] = {
  CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_LABEL, CKA_ID, CKA_CERTIFICATE_TYPE,
  CKA_VALUE, CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_TRUSTED, CKA_CERTIFICATE_CATEGORY,
  CKA_START_DATE, CKA_END_DATE, CKA_CHECK_VALUE, CKA_JAVA_MIDP_SECURITY_DOMAIN, CKA_URL,
  CKA_HASH_OF_SUBJECT_PUBLIC_KEY, CKA_HASH_OF_ISSUER_PUBLIC_KEY, CKA_DESTROYABLE, CKA_COPYABLE,
};

CK_RV
p11_create_certificate (P11Slot             *slot,
                        CK_SESSION_HANDLE    session,
                        gboolean             read_only,
                        const CK_ATTRIBUTE  *tmpl,
                        CK_ULONG             count,
                        P11Object          **object)
{
  const CK_ATTRIBUTE *value_attribute, *id_attribute, *label_attribute;
  CK_ULONG klass = 0, certificate_type = CKC_X_509;
  gboolean have_class, token = FALSE, private_object = FALSE, trusted = FALSE;
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) id = NULL;
  g_autofree char *label = NULL;
  g_autofree char *group = NULL;
  g_autofree char *uuid = NULL;
  CertificateParts parts;
  CK_RV rv;

  if ((rv = p11_template_only (tmpl, count, certificate_template_types, G_N_ELEMENTS (certificate_template_types))) != CKR_OK ||
      (rv = p11_template_ulong (tmpl, count, CKA_CLASS, &klass, &have_class)) != CKR_OK ||
      (rv = p11_template_ulong (tmpl, count, CKA_CERTIFICATE_TYPE, &certificate_type, NULL)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_TOKEN, &token, NULL)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_PRIVATE, &private_object, NULL)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_TRUSTED, &trusted, NULL)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_VALUE, &value_attribute)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_ID, &id_attribute)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_LABEL, &label_attribute)) != CKR_OK)
    return rv;
  if (!have_class)
    return CKR_TEMPLATE_INCOMPLETE;
  /* Keys are made in the service, by C_GenerateKeyPair. */
  if (klass != CKO_CERTIFICATE || certificate_type != CKC_X_509)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  /* Nothing needs a login; trust is for a security officer to grant, and
   * there is none. Token objects go to the store, session objects (the
   * standard's default) stay in the module's memory. */
  if (private_object || trusted)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  if (token && read_only)
    return CKR_SESSION_READ_ONLY;
  if (value_attribute == NULL)
    return CKR_TEMPLATE_INCOMPLETE;
  value = g_bytes_new (value_attribute->pValue, value_attribute->ulValueLen);
  if (!certificate_parse (value, &parts))
    return CKR_ATTRIBUTE_VALUE_INVALID;
  if (label_attribute != NULL && (label = p11_attribute_text (label_attribute)) == NULL)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  /* A certificate pairs with the key whose public key it holds, by
   * CKA_ID: without an id it takes the key's; with one of its own (NSS
   * gives its own), the key takes that, unless another key has it. */
  {
    g_autoptr(GBytes) spki = cursor_bytes (&parts.spki);
    P11Object *key = matching_key (slot, spki);

    if (id_attribute != NULL)
      {
        id = g_bytes_new (id_attribute->pValue, id_attribute->ulValueLen);
        if (key != NULL && g_bytes_get_size (id) > 0 && !g_bytes_equal (key->id, id) && !slot_has_key_id (slot, id) &&
            (rv = slot_rekey (slot, key, id)) != CKR_OK)
          return rv;
      }
    else if (key != NULL)
      id = g_bytes_ref (key->id);
    else
      id = g_bytes_new (NULL, 0);
  }
  if (label == NULL)
    label = g_strdup ("");

  uuid = g_uuid_string_random ();
  group = g_strconcat (token ? "certificate " : "session certificate ", uuid, NULL);
  if (token && (rv = store_update (slot, group, value, id, label, FALSE)) != CKR_OK)
    return rv;
  *object = slot_add_certificate (slot, group, value, id, label);
  if (*object == NULL)
    return CKR_GENERAL_ERROR;
  (*object)->session_object = !token;
  (*object)->session = token ? CK_INVALID_HANDLE : session;
  return CKR_OK;
}

static CK_RV data_set_attributes (P11Object          *object,
                                 const CK_ATTRIBUTE *tmpl,
                                 CK_ULONG            count);

CK_RV
p11_object_set_attributes (P11Object          *object,
                           const CK_ATTRIBUTE *tmpl,
                           CK_ULONG            count)
{
  const CK_ATTRIBUTE *id_attribute, *label_attribute;
  g_autoptr(GBytes) id = NULL;
  g_autofree char *label = NULL;
  CK_RV rv;

  if (object->kind == P11_KIND_DATA)
    return data_set_attributes (object, tmpl, count);
  if (object->kind != P11_KIND_CERTIFICATE)
    return CKR_ACTION_PROHIBITED;
  for (CK_ULONG i = 0; i < count; i++)
    {
      g_autoptr(GBytes) current = NULL;

      if (tmpl[i].type == CKA_ID || tmpl[i].type == CKA_LABEL)
        continue;
      rv = p11_object_get_attribute (object, tmpl[i].type, &current);
      if (rv != CKR_OK)
        return rv;
      return CKR_ATTRIBUTE_READ_ONLY;
    }
  if ((rv = p11_template_find (tmpl, count, CKA_ID, &id_attribute)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_LABEL, &label_attribute)) != CKR_OK)
    return rv;
  id = id_attribute != NULL ? g_bytes_new (id_attribute->pValue, id_attribute->ulValueLen) : g_bytes_ref (object->id);
  if (label_attribute == NULL)
    label = g_strdup (object->label);
  else if ((label = p11_attribute_text (label_attribute)) == NULL)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  if (!object->session_object &&
      (rv = store_update (object->slot, object->store_group, object->value, id, label, FALSE)) != CKR_OK)
    return rv;
  slot_add_certificate (object->slot, object->store_group, object->value, id, label);
  return CKR_OK;
}

CK_RV
p11_object_destroy (P11Object  *object,
                    ParsecKey **in_service)
{
  P11Slot *slot = object->slot;
  CK_RV rv;

  *in_service = NULL;
  if (!p11_object_is_key (object))
    {
      rv = object->session_object ? CKR_OK : store_update (slot, object->store_group, NULL, NULL, NULL, TRUE);
      if (rv == CKR_OK)
        p11_slot_forget_object (slot, object);
      return rv;
    }
  /* The public object of a key pair is a view of the key: it goes, the
   * private key stays (for a token key, in the store's record of it). */
  if (object->kind == P11_KIND_PUBLIC_KEY && !parsec_key_attributes_is_public_key (p11_object_attributes (object)))
    {
      P11SessionKey *session_key = g_hash_table_lookup (slot->session_keys, object->key_name);
      g_autoptr(GError) error = NULL;

      if (session_key != NULL)
        session_key->public_hidden = TRUE;
      else if (!slot_store_key (slot, object->key_name, NULL, TRUE, FALSE, &error))
        return p11_rv_from_error (error, CKR_DEVICE_ERROR);
      p11_slot_forget_object (slot, object);
      return CKR_OK;
    }
  /* The key goes in the service: the caller asks it without the module
   * lock, then calls p11_slot_key_destroyed(). */
  *in_service = g_object_ref (object->key);
  return CKR_OK;
}

/* Data objects: made, changed and copied */

static CK_RV
data_store_update (P11Object *object)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GKeyFile) store = p11_store_load (object->slot->store_path, &error);

  if (store == NULL)
    return p11_rv_from_error (error, CKR_DEVICE_ERROR);
  g_key_file_remove_group (store, object->store_group, NULL);
  g_key_file_set_string (store, object->store_group, "label", object->label);
  p11_store_set_bytes (store, object->store_group, "application", object->application);
  p11_store_set_bytes (store, object->store_group, "object-id", object->object_id);
  g_key_file_set_boolean (store, object->store_group, "modifiable", object->modifiable);
  p11_store_set_bytes (store, object->store_group, "value", object->value);
  if (!p11_store_save (object->slot->store_path, store, &error))
    return p11_rv_from_error (error, CKR_DEVICE_ERROR);
  return CKR_OK;
}

static const CK_ATTRIBUTE_TYPE data_template_types[] = {
  CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_LABEL, CKA_APPLICATION, CKA_OBJECT_ID,
  CKA_VALUE, CKA_DESTROYABLE, CKA_COPYABLE,
};

/* A data object's label, application, object id and value from @tmpl,
 * each NULL where @tmpl has none. */
typedef struct {
  char *label;
  GBytes *application;
  GBytes *object_id;
  GBytes *value;
} DataFields;

static void
data_fields_clear (DataFields *fields)
{
  g_clear_pointer (&fields->label, g_free);
  g_clear_pointer (&fields->application, g_bytes_unref);
  g_clear_pointer (&fields->object_id, g_bytes_unref);
  g_clear_pointer (&fields->value, g_bytes_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DataFields, data_fields_clear)

static CK_RV
data_fields_read (const CK_ATTRIBUTE *tmpl,
                  CK_ULONG            count,
                  DataFields         *fields)
{
  const CK_ATTRIBUTE *label, *application, *object_id, *value;
  CK_RV rv;

  if ((rv = p11_template_find (tmpl, count, CKA_LABEL, &label)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_APPLICATION, &application)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_OBJECT_ID, &object_id)) != CKR_OK ||
      (rv = p11_template_find (tmpl, count, CKA_VALUE, &value)) != CKR_OK)
    return rv;
  if (label != NULL && (fields->label = p11_attribute_text (label)) == NULL)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  /* The application's description, as it gave it (often with its NUL) */
  if (application != NULL)
    fields->application = g_bytes_new (application->pValue, application->ulValueLen);
  if (object_id != NULL)
    fields->object_id = g_bytes_new (object_id->pValue, object_id->ulValueLen);
  /* The value may be the application's secret. */
  if (value != NULL)
    fields->value = secure_bytes_new (value->pValue, value->ulValueLen);
  return CKR_OK;
}

CK_RV
p11_create_data (P11Slot             *slot,
                 CK_SESSION_HANDLE    session,
                 gboolean             read_only,
                 const CK_ATTRIBUTE  *tmpl,
                 CK_ULONG             count,
                 P11Object          **object)
{
  g_auto(DataFields) fields = { NULL, };
  g_autofree char *uuid = NULL;
  g_autofree char *group = NULL;
  CK_ULONG klass = CKO_DATA;
  gboolean token = FALSE, private_object = FALSE, modifiable = TRUE;
  P11Object *made;
  CK_RV rv;

  if ((rv = p11_template_only (tmpl, count, data_template_types, G_N_ELEMENTS (data_template_types))) != CKR_OK ||
      (rv = p11_template_ulong (tmpl, count, CKA_CLASS, &klass, NULL)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_TOKEN, &token, NULL)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_PRIVATE, &private_object, NULL)) != CKR_OK ||
      (rv = p11_template_bool (tmpl, count, CKA_MODIFIABLE, &modifiable, NULL)) != CKR_OK ||
      (rv = data_fields_read (tmpl, count, &fields)) != CKR_OK)
    return rv;
  if (klass != CKO_DATA)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  /* Nothing needs a login (see C_Login): a private object would be
   * guarded by nothing. */
  if (private_object)
    return CKR_ATTRIBUTE_VALUE_INVALID;
  if (token && read_only)
    return CKR_SESSION_READ_ONLY;
  if (fields.value == NULL)
    fields.value = secure_bytes_new (NULL, 0);

  uuid = g_uuid_string_random ();
  group = g_strconcat (token ? "data " : "session data ", uuid, NULL);
  made = slot_add_data (slot, group, fields.value, fields.label, fields.application, fields.object_id, modifiable);
  made->session_object = !token;
  made->session = token ? CK_INVALID_HANDLE : session;
  if (token && (rv = data_store_update (made)) != CKR_OK)
    {
      p11_slot_forget_object (slot, made);
      return rv;
    }
  *object = made;
  return CKR_OK;
}

static CK_RV
data_set_attributes (P11Object          *object,
                     const CK_ATTRIBUTE *tmpl,
                     CK_ULONG            count)
{
  static const CK_ATTRIBUTE_TYPE settable[] = { CKA_LABEL, CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE };
  g_auto(DataFields) fields = { NULL, };
  g_auto(DataFields) former = { NULL, };
  CK_RV rv;

  if (!object->modifiable)
    return CKR_ACTION_PROHIBITED;
  for (CK_ULONG i = 0; i < count; i++)
    {
      g_autoptr(GBytes) current = NULL;

      if (type_in (tmpl[i].type, settable, G_N_ELEMENTS (settable)))
        continue;
      rv = p11_object_get_attribute (object, tmpl[i].type, &current);
      return rv != CKR_OK ? rv : CKR_ATTRIBUTE_READ_ONLY;
    }
  if ((rv = data_fields_read (tmpl, count, &fields)) != CKR_OK)
    return rv;
  former.label = g_strdup (object->label);
  former.application = g_bytes_ref (object->application);
  former.object_id = g_bytes_ref (object->object_id);
  former.value = g_bytes_ref (object->value);
  slot_add_data (object->slot, object->store_group,
                 fields.value != NULL ? fields.value : former.value,
                 fields.label != NULL ? fields.label : former.label,
                 fields.application != NULL ? fields.application : former.application,
                 fields.object_id != NULL ? fields.object_id : former.object_id, object->modifiable);
  if (!object->session_object && (rv = data_store_update (object)) != CKR_OK)
    {
      /* Left as the store has it. */
      slot_add_data (object->slot, object->store_group, former.value, former.label, former.application,
                     former.object_id, object->modifiable);
      return rv;
    }
  return CKR_OK;
}

/* What a copy may change; the rest must be as it is in the object. */
static const CK_ATTRIBUTE_TYPE data_copy_types[] = {
  CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_LABEL, CKA_APPLICATION, CKA_OBJECT_ID, CKA_VALUE,
};
static const CK_ATTRIBUTE_TYPE certificate_copy_types[] = {
  CKA_CLASS, CKA_TOKEN, CKA_PRIVATE, CKA_LABEL, CKA_ID, CKA_CERTIFICATE_TYPE, CKA_VALUE,
};
static const CK_ATTRIBUTE_TYPE copy_changeable[] = {
  CKA_TOKEN, CKA_PRIVATE, CKA_MODIFIABLE, CKA_LABEL, CKA_APPLICATION, CKA_OBJECT_ID, CKA_ID,
};

CK_RV
p11_object_copy (P11Object          *object,
                 CK_SESSION_HANDLE   session,
                 gboolean            read_only,
                 const CK_ATTRIBUTE *tmpl,
                 CK_ULONG            count,
                 P11Object         **copy)
{
  gboolean data = object->kind == P11_KIND_DATA;
  const CK_ATTRIBUTE_TYPE *types = data ? data_copy_types : certificate_copy_types;
  gsize n_types = data ? G_N_ELEMENTS (data_copy_types) : G_N_ELEMENTS (certificate_copy_types);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GArray) merged = g_array_new (FALSE, TRUE, sizeof (CK_ATTRIBUTE));
  CK_RV rv;

  /* A copy may change what the object's owner could set, and a data
   * object's value (the standard's own example); CKA_MODIFIABLE only from
   * true to false. */
  for (CK_ULONG i = 0; i < count; i++)
    {
      g_autoptr(GBytes) current = NULL;

      if ((rv = p11_object_get_attribute (object, tmpl[i].type, &current)) != CKR_OK)
        return rv;
      /* What the copy would have anyway */
      if (g_bytes_get_size (current) == tmpl[i].ulValueLen &&
          (tmpl[i].ulValueLen == 0 || memcmp (g_bytes_get_data (current, NULL), tmpl[i].pValue, tmpl[i].ulValueLen) == 0))
        continue;
      if (!type_in (tmpl[i].type, types, n_types) ||
          (!type_in (tmpl[i].type, copy_changeable, G_N_ELEMENTS (copy_changeable)) &&
           !(data && tmpl[i].type == CKA_VALUE)) ||
          /* true where the object has false */
          (tmpl[i].type == CKA_MODIFIABLE && !object->modifiable))
        return CKR_ATTRIBUTE_READ_ONLY;
    }

  /* The object's attributes with the template's changes, made anew. */
  for (gsize i = 0; i < n_types; i++)
    {
      const CK_ATTRIBUTE *given;
      CK_ATTRIBUTE attribute = { types[i], NULL, 0 };
      GBytes *current = NULL;

      if ((rv = p11_template_find (tmpl, count, types[i], &given)) != CKR_OK)
        return rv;
      if (given != NULL)
        attribute = *given;
      else if (p11_object_get_attribute (object, types[i], &current) == CKR_OK)
        {
          g_ptr_array_add (values, current);
          attribute.pValue = (CK_VOID_PTR) g_bytes_get_data (current, NULL);
          attribute.ulValueLen = g_bytes_get_size (current);
        }
      else
        continue;
      g_array_append_val (merged, attribute);
    }
  if (data)
    return p11_create_data (object->slot, session, read_only, (CK_ATTRIBUTE *) merged->data, merged->len, copy);
  return p11_create_certificate (object->slot, session, read_only, (CK_ATTRIBUTE *) merged->data, merged->len, copy);
}

CK_ULONG
p11_object_size (P11Object *object)
{
  if (p11_object_is_key (object))
    return CK_UNAVAILABLE_INFORMATION;
  return g_bytes_get_size (object->value) + strlen (object->label) +
         (object->kind == P11_KIND_DATA ? g_bytes_get_size (object->application) + g_bytes_get_size (object->object_id)
                                        : g_bytes_get_size (object->id));
}

void
p11_slot_key_destroyed (P11Slot    *slot,
                        const char *key_name)
{
  g_autofree char *name = g_strdup (key_name);

  /* One key in the service is both objects; a session object has no
   * record in the store. */
  p11_slot_forget_key (slot, name);
  if (!g_hash_table_remove (slot->session_keys, name))
    {
      g_autofree char *group = p11_store_key_group (name);
      g_autoptr(GKeyFile) store = p11_store_load (slot->store_path, NULL);

      if (store != NULL && g_key_file_remove_group (store, group, NULL))
        {
          p11_store_save (slot->store_path, store, NULL);
          slot_load_store (slot, store);
        }
    }
}
