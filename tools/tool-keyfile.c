/* tool-keyfile.c: key files in the PSA import format, and back to PKCS #8
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * GnuTLS parses the key files (PKCS #8, PKCS #1, SEC1, SubjectPublicKeyInfo,
 * X.509); the PSA forms are then written here: an RSA key pair is its
 * RSAPrivateKey, an RSA public key its RSAPublicKey, an elliptic-curve
 * private key the bare scalar and a public key the uncompressed point.
 */
#include "config.h"

#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "tool.h"
#include "tool-gnutls.h"

#define OID_RSA_ENCRYPTION "1.2.840.113549.1.1.1"
#define OID_EC_PUBLIC_KEY  "1.2.840.10045.2.1"

/* g_autoptr() wants type names, GnuTLS has struct tags. */
typedef struct gnutls_x509_privkey_int ToolGnutlsPrivkey;
typedef struct gnutls_pubkey_st ToolGnutlsPubkey;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ToolGnutlsPrivkey, gnutls_x509_privkey_deinit)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ToolGnutlsPubkey, gnutls_pubkey_deinit)

static void
datum_wipe (gnutls_datum_t *datum)
{
  if (datum->data != NULL)
    {
      secure_wipe (datum->data, datum->size);
      gnutls_free (datum->data);
      datum->data = NULL;
    }
}

static const ToolCurve *
curve_from_gnutls (gnutls_ecc_curve_t  curve,
                   GError            **error)
{
  const char *name;

  switch (curve)
    {
    case GNUTLS_ECC_CURVE_SECP192R1:
      name = "p192";
      break;
    case GNUTLS_ECC_CURVE_SECP224R1:
      name = "p224";
      break;
    case GNUTLS_ECC_CURVE_SECP256R1:
      name = "p256";
      break;
    case GNUTLS_ECC_CURVE_SECP384R1:
      name = "p384";
      break;
    case GNUTLS_ECC_CURVE_SECP521R1:
      name = "p521";
      break;
    default:
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "the key is on curve %s, which PSA cannot import",
                   gnutls_ecc_curve_get_name (curve) != NULL ? gnutls_ecc_curve_get_name (curve) : "(unknown)");
      return NULL;
    }
  return tool_curve_lookup (name, error);
}

/* A big-endian number as exactly @size bytes, as PSA wants coordinates
 * and scalars (GnuTLS may add or drop leading zeros). */
static gboolean
append_fixed (guint8               *out,
              const gnutls_datum_t *number,
              gsize                 size)
{
  const guint8 *p = number->data;
  gsize len = number->size;

  while (len > 0 && *p == 0)
    {
      p++;
      len--;
    }
  if (len > size)
    return FALSE;
  memset (out, 0, size - len);
  if (len > 0)
    memcpy (out + (size - len), p, len);
  return TRUE;
}

static gboolean
material_from_privkey (gnutls_x509_privkey_t   key,
                       ToolKeyMaterial        *material,
                       GError                **error)
{
  unsigned int bits = 0;
  int algorithm = gnutls_x509_privkey_get_pk_algorithm2 (key, &bits);
  gnutls_datum_t exported = { NULL, 0 };
  int ret;

  if (algorithm == GNUTLS_PK_RSA)
    {
      /* RSA keys export as PKCS #1, which is the PSA format. */
      ret = gnutls_x509_privkey_export2 (key, GNUTLS_X509_FMT_DER, &exported);
      if (ret < 0)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "cannot convert the RSA key: %s", gnutls_strerror (ret));
          return FALSE;
        }
      material->data = secure_bytes_new (exported.data, exported.size);
      material->key_type = PARSEC_KEY_TYPE_RSA_KEY_PAIR;
      material->bits = bits;
      datum_wipe (&exported);
      return TRUE;
    }

  if (algorithm == GNUTLS_PK_ECDSA)
    {
      gnutls_ecc_curve_t curve;
      gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 }, k = { NULL, 0 };
      gsize size;
      guint8 *scalar;

      ret = gnutls_x509_privkey_export_ecc_raw (key, &curve, &x, &y, &k);
      if (ret < 0)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "cannot convert the elliptic-curve key: %s",
                       gnutls_strerror (ret));
          return FALSE;
        }
      datum_wipe (&x);
      datum_wipe (&y);
      material->curve = curve_from_gnutls (curve, error);
      if (material->curve == NULL)
        {
          datum_wipe (&k);
          return FALSE;
        }
      size = (material->curve->bits + 7) / 8;
      scalar = secure_alloc (size);
      if (!append_fixed (scalar, &k, size))
        {
          datum_wipe (&k);
          secure_free (scalar);
          g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "the private key is larger than its curve");
          return FALSE;
        }
      datum_wipe (&k);
      material->data = secure_bytes_take (scalar, size);
      material->key_type = PARSEC_KEY_TYPE_ECC_KEY_PAIR;
      material->bits = material->curve->bits;
      return TRUE;
    }

  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
               "the key is a %s key; only RSA and elliptic-curve (ECDSA) keys can be imported",
               gnutls_pk_get_name (algorithm) != NULL ? gnutls_pk_get_name (algorithm) : "unknown");
  return FALSE;
}

static gboolean
material_from_pubkey (gnutls_pubkey_t   key,
                      ToolKeyMaterial  *material,
                      GError          **error)
{
  unsigned int bits = 0;
  int algorithm = gnutls_pubkey_get_pk_algorithm (key, &bits);
  int ret;

  if (algorithm == GNUTLS_PK_RSA)
    {
      gnutls_datum_t m = { NULL, 0 }, e = { NULL, 0 };

      ret = gnutls_pubkey_export_rsa_raw (key, &m, &e);
      if (ret < 0)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "cannot convert the RSA key: %s", gnutls_strerror (ret));
          return FALSE;
        }
      /* RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } */
      material->data = der_seq (der_uint (m.data, m.size), der_uint (e.data, e.size), NULL);
      material->key_type = PARSEC_KEY_TYPE_RSA_PUBLIC_KEY;
      material->bits = bits;
      gnutls_free (m.data);
      gnutls_free (e.data);
      return TRUE;
    }

  if (algorithm == GNUTLS_PK_ECDSA)
    {
      gnutls_ecc_curve_t curve;
      gnutls_datum_t x = { NULL, 0 }, y = { NULL, 0 };
      gboolean fits;
      gsize size;
      guint8 *point;

      ret = gnutls_pubkey_export_ecc_raw (key, &curve, &x, &y);
      if (ret < 0)
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "cannot convert the elliptic-curve key: %s",
                       gnutls_strerror (ret));
          return FALSE;
        }
      material->curve = curve_from_gnutls (curve, error);
      if (material->curve == NULL)
        {
          gnutls_free (x.data);
          gnutls_free (y.data);
          return FALSE;
        }
      /* The uncompressed point: 04 ‖ x ‖ y. */
      size = (material->curve->bits + 7) / 8;
      point = secure_alloc (1 + 2 * size);
      point[0] = 0x04;
      fits = append_fixed (point + 1, &x, size) && append_fixed (point + 1 + size, &y, size);
      gnutls_free (x.data);
      gnutls_free (y.data);
      if (!fits)
        {
          secure_free (point);
          g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "the public key is larger than its curve");
          return FALSE;
        }
      material->data = secure_bytes_take (point, 1 + 2 * size);
      material->key_type = PARSEC_KEY_TYPE_ECC_PUBLIC_KEY;
      material->bits = material->curve->bits;
      return TRUE;
    }

  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
               "the key is a %s key; only RSA and elliptic-curve (ECDSA) keys can be imported",
               gnutls_pk_get_name (algorithm) != NULL ? gnutls_pk_get_name (algorithm) : "unknown");
  return FALSE;
}

/* The password of an encrypted key, NUL-terminated, without the
 * trailing newline, in wiped memory. */
static char *
read_password (const char  *path,
               GError     **error)
{
  g_autoptr(GBytes) contents = tool_read_file (path, "the password file", error);
  gsize len;
  char *password;

  if (contents == NULL)
    return NULL;
  len = g_bytes_get_size (contents);
  password = (char *) secure_alloc (len + 1);
  memcpy (password, g_bytes_get_data (contents, NULL), len);
  while (len > 0 && (password[len - 1] == '\n' || password[len - 1] == '\r'))
    password[--len] = '\0';
  return password;
}

static int
import_private (GBytes      *der,
                const char  *password_file,
                ToolKeyMaterial *material,
                GError     **error)
{
  g_autoptr(ToolGnutlsPrivkey) key = NULL;
  gnutls_datum_t datum = { (unsigned char *) g_bytes_get_data (der, NULL), (unsigned int) g_bytes_get_size (der) };
  char *password = NULL;
  int ret;

  if (password_file != NULL && (password = read_password (password_file, error)) == NULL)
    return -1;
  gnutls_x509_privkey_init (&key);
  ret = gnutls_x509_privkey_import2 (key, &datum, GNUTLS_X509_FMT_DER, password, 0);
  secure_free (password);
  if (ret == GNUTLS_E_DECRYPTION_FAILED && password_file == NULL)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "the private key is encrypted: give --password-file");
      return ret;
    }
  if (ret < 0)
    return ret;
  return material_from_privkey (key, material, error) ? 0 : -1;
}

static int
import_public (GBytes          *der,
               gboolean         certificate,
               ToolKeyMaterial *material,
               GError         **error)
{
  g_autoptr(ToolGnutlsPubkey) key = NULL;
  gnutls_datum_t datum = { (unsigned char *) g_bytes_get_data (der, NULL), (unsigned int) g_bytes_get_size (der) };
  int ret;

  gnutls_pubkey_init (&key);
  if (certificate)
    ret = gnutls_pubkey_import_x509_raw (key, &datum, GNUTLS_X509_FMT_DER, 0);
  else
    ret = gnutls_pubkey_import (key, &datum, GNUTLS_X509_FMT_DER);
  if (ret < 0)
    return ret;
  return material_from_pubkey (key, material, error) ? 0 : -1;
}

static gboolean
import_rsa_public_key (GBytes          *der,
                       ToolKeyMaterial *material)
{
  if (!der_rsa_bits (der, FALSE, &material->bits))
    return FALSE;
  material->data = g_bytes_ref (der);
  material->key_type = PARSEC_KEY_TYPE_RSA_PUBLIC_KEY;
  return TRUE;
}

/* Reports a GnuTLS failure, unless the step already set an error. */
static gboolean
check (int          ret,
       const char  *what,
       GError     **error)
{
  if (ret == 0)
    return TRUE;
  if (error != NULL && *error == NULL)
    g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "cannot read %s: %s", what, gnutls_strerror (ret));
  return FALSE;
}

static gboolean
parse_pem (GBytes           *file,
           const char       *password_file,
           ToolKeyMaterial  *material,
           GError          **error)
{
  g_autofree char *label = NULL;
  g_autoptr(GBytes) der = tool_pem_decode (file, &label, error);

  if (der == NULL)
    return FALSE;
  if (g_str_equal (label, "PRIVATE KEY") || g_str_equal (label, "ENCRYPTED PRIVATE KEY") ||
      g_str_equal (label, "RSA PRIVATE KEY") || g_str_equal (label, "EC PRIVATE KEY"))
    return check (import_private (der, password_file, material, error), "the private key", error);
  if (g_str_equal (label, "PUBLIC KEY"))
    return check (import_public (der, FALSE, material, error), "the public key", error);
  if (g_str_equal (label, "CERTIFICATE"))
    return check (import_public (der, TRUE, material, error), "the certificate", error);
  if (g_str_equal (label, "RSA PUBLIC KEY"))
    {
      if (import_rsa_public_key (der, material))
        return TRUE;
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "the RSA PUBLIC KEY block is not an RSAPublicKey");
      return FALSE;
    }
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "a PEM block “%s” is not a key this tool can import", label);
  return FALSE;
}

static gboolean
parse_der (GBytes           *der,
           const char       *password_file,
           ToolKeyMaterial  *material,
           GError          **error)
{
  int ret;

  /* Without a label, try what the file could be, private keys first. */
  ret = import_private (der, password_file, material, error);
  if (ret == 0 || (error != NULL && *error != NULL))
    return ret == 0;
  ret = import_public (der, FALSE, material, error);
  if (ret == 0 || (error != NULL && *error != NULL))
    return ret == 0;
  ret = import_public (der, TRUE, material, error);
  if (ret == 0 || (error != NULL && *error != NULL))
    return ret == 0;
  if (import_rsa_public_key (der, material))
    return TRUE;
  g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                       "the input is no key file this tool can read (PKCS #8, PKCS #1, SEC1, SubjectPublicKeyInfo, "
                       "X.509); for the PSA format use --input-format raw with --type");
  return FALSE;
}

static gboolean
parse_raw (GBytes           *data,
           const char       *type,
           const char       *curve_name,
           ToolKeyMaterial  *material,
           GError          **error)
{
  gsize len = g_bytes_get_size (data);
  const guint8 *bytes = g_bytes_get_data (data, NULL);
  gboolean ok;

  if (type == NULL)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                           "--input-format raw needs --type: rsa-key-pair, rsa-public-key, ecc-key-pair or "
                           "ecc-public-key");
      return FALSE;
    }

  if (g_str_equal (type, "rsa-key-pair") || g_str_equal (type, "rsa-public-key"))
    {
      gboolean private_key = g_str_equal (type, "rsa-key-pair");

      if (!der_rsa_bits (data, private_key, &material->bits))
        {
          g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "the input is not a PKCS #1 %s",
                       private_key ? "RSAPrivateKey" : "RSAPublicKey");
          return FALSE;
        }
      material->key_type = private_key ? PARSEC_KEY_TYPE_RSA_KEY_PAIR : PARSEC_KEY_TYPE_RSA_PUBLIC_KEY;
      material->data = g_bytes_ref (data);
      return TRUE;
    }

  if (!g_str_equal (type, "ecc-key-pair") && !g_str_equal (type, "ecc-public-key"))
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "unknown --type “%s”", type);
      return FALSE;
    }
  if (curve_name == NULL)
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE, "an elliptic-curve key in the PSA format needs --curve");
      return FALSE;
    }
  material->curve = tool_curve_lookup (curve_name, error);
  if (material->curve == NULL)
    return FALSE;
  material->bits = material->curve->bits;
  if (g_str_equal (type, "ecc-key-pair"))
    {
      material->key_type = PARSEC_KEY_TYPE_ECC_KEY_PAIR;
      ok = len == (material->bits + 7) / 8;
    }
  else
    {
      material->key_type = PARSEC_KEY_TYPE_ECC_PUBLIC_KEY;
      ok = len == 1 + 2 * ((material->bits + 7) / 8) && bytes[0] == 0x04;
    }
  if (!ok)
    {
      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE, "the input is not a %s of curve %s in the PSA format",
                   material->key_type == PARSEC_KEY_TYPE_ECC_KEY_PAIR ? "private key" : "public key (uncompressed point)",
                   material->curve->name);
      return FALSE;
    }
  material->data = g_bytes_ref (data);
  return TRUE;
}

static gboolean
looks_like_pem (GBytes *file)
{
  gsize len;
  const char *data = g_bytes_get_data (file, &len);

  return g_strstr_len (data, (gssize) len, "-----BEGIN ") != NULL;
}

gboolean
tool_key_material_parse (GBytes           *file,
                         const char       *format,
                         const char       *type,
                         const char       *curve,
                         const char       *password_file,
                         ToolKeyMaterial  *material,
                         GError          **error)
{
  gboolean raw = format != NULL && (g_str_equal (format, "raw") || g_str_equal (format, "psa"));

  if (!raw && (type != NULL || curve != NULL))
    {
      g_set_error_literal (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                           "--type and --curve describe keys in the PSA format: add --input-format raw");
      return FALSE;
    }
  if (raw)
    return parse_raw (file, type, curve, material, error);
  if (format == NULL || g_str_equal (format, "auto"))
    format = looks_like_pem (file) ? "pem" : "der";
  if ((g_str_equal (format, "pem") || g_str_equal (format, "der")) && !tool_gnutls_load (error))
    return FALSE;
  if (g_str_equal (format, "pem"))
    return parse_pem (file, password_file, material, error);
  if (g_str_equal (format, "der"))
    return parse_der (file, password_file, material, error);
  g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
               "unknown --input-format “%s” for a key: use auto, pem, der or raw", format);
  return FALSE;
}

void
tool_key_material_clear (ToolKeyMaterial *material)
{
  g_clear_pointer (&material->data, g_bytes_unref);
}

/* Exported key pairs, from the PSA format to PKCS #8. */
GBytes *
tool_private_key_to_pkcs8 (ParsecKeyAttributes  *attributes,
                           GBytes               *psa,
                           GError              **error)
{
  ParsecKeyType type = parsec_key_attributes_get_key_type (attributes);
  const ToolCurve *curve;

  if (type == PARSEC_KEY_TYPE_RSA_KEY_PAIR)
    return der_seq (der_small_uint (0),
                    der_seq (der_oid (OID_RSA_ENCRYPTION), der_null (), NULL),
                    der_tlv (DER_OCTET_STRING, g_bytes_ref (psa)),
                    NULL);

  g_return_val_if_fail (type == PARSEC_KEY_TYPE_ECC_KEY_PAIR, NULL);
  curve = tool_curve_find_sized (parsec_key_attributes_get_ecc_family (attributes),
                                 parsec_key_attributes_get_bits (attributes), g_bytes_get_size (psa));
  if (curve == NULL)
    {
      g_autofree char *described = tool_describe_key_type (attributes);

      g_set_error (error, TOOL_ERROR, TOOL_ERROR_USAGE,
                   "this tool knows no object identifier for the curve of the key (%s): use --format raw", described);
      return NULL;
    }
  /* The ECPrivateKey (SEC1) leaves out the curve, which PKCS #8 names,
   * and the optional public key. */
  return der_seq (der_small_uint (0),
                  der_seq (der_oid (OID_EC_PUBLIC_KEY), der_oid (curve->oid), NULL),
                  der_tlv (DER_OCTET_STRING,
                           der_seq (der_small_uint (1),
                                    der_tlv (DER_OCTET_STRING, g_bytes_ref (psa)),
                                    NULL)),
                  NULL);
}
