/* parsec-x509.c: certificate requests (RFC 2986) and self-signed
 * certificates (RFC 5280) in DER
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The subject's name and alternative names from ParsecCertificateOptions,
 * the SubjectPublicKeyInfo the key exports, and the signature algorithm
 * its policy makes sign_data use; the key's methods (parsec-key.c) fetch
 * the public key and the signature.
 */
#include "config.h"

#include <string.h>

#include "der.h"
#include "parsec-error.h"
#include "parsec-formats.h"
#include "parsec-i18n-private.h"
#include "parsec-psa-private.h"
#include "parsec-x509-private.h"

#define OID_RSASSA_PSS          "1.2.840.113549.1.1.10"
#define OID_MGF1                "1.2.840.113549.1.1.8"
#define OID_SUBJECT_ALT_NAME    "2.5.29.17"
#define OID_BASIC_CONSTRAINTS   "2.5.29.19"
#define OID_KEY_USAGE           "2.5.29.15"
#define OID_EXTENSION_REQUEST   "1.2.840.113549.1.9.14"

/* Distinguished names */

typedef struct {
  const char *name;
  const char *oid;
  gboolean printable;           /* PrintableString when the value fits (RFC 5280) */
} AttributeType;

static const AttributeType attribute_types[] = {
  { "CN", "2.5.4.3", FALSE },
  { "OU", "2.5.4.11", FALSE },
  { "O", "2.5.4.10", FALSE },
  { "L", "2.5.4.7", FALSE },
  { "ST", "2.5.4.8", FALSE },
  { "C", "2.5.4.6", TRUE },
  { "serialNumber", "2.5.4.5", TRUE },
};

static gboolean
is_printable_string (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr (" '()+,-./:=?", *p) == NULL)
      return FALSE;
  return TRUE;
}

/* An object identifier in dotted form that der_oid() writes: at least
 * two arcs of digits, the first 0, 1 or 2. */
static gboolean
is_dotted_oid (const char *text)
{
  g_auto(GStrv) arcs = g_strsplit (text, ".", -1);

  if (g_strv_length (arcs) < 2 ||
      (!g_str_equal (arcs[0], "0") && !g_str_equal (arcs[0], "1") && !g_str_equal (arcs[0], "2")))
    return FALSE;
  for (guint i = 0; arcs[i] != NULL; i++)
    {
      if (*arcs[i] == '\0' || strlen (arcs[i]) > 15)
        return FALSE;
      for (const char *p = arcs[i]; *p != '\0'; p++)
        if (!g_ascii_isdigit (*p))
          return FALSE;
    }
  return TRUE;
}

ParsecX509Attribute *
_parsec_x509_attribute_new (const char  *attribute,
                            const char  *value,
                            GError     **error)
{
  const AttributeType *type = NULL;
  ParsecX509Attribute *made;

  for (gsize i = 0; i < G_N_ELEMENTS (attribute_types); i++)
    if (g_ascii_strcasecmp (attribute, attribute_types[i].name) == 0 ||
        g_str_equal (attribute, attribute_types[i].oid))
      type = &attribute_types[i];
  if (type == NULL && !is_dotted_oid (attribute))
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("Unknown subject attribute \"%s\": use CN, OU, O, L, ST, C, serialNumber or a dotted "
                     "object identifier"), attribute);
      return NULL;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("The value of subject attribute \"%s\" is not UTF-8"), attribute);
      return NULL;
    }

  made = g_new0 (ParsecX509Attribute, 1);
  made->oid = g_strdup (type != NULL ? type->oid : attribute);
  made->value = g_strdup (value);
  made->tag = DER_UTF8_STRING;
  /* A country is two letters; otherwise it stays a UTF8String. */
  if (type != NULL && type->printable && is_printable_string (value) &&
      (!g_str_equal (type->name, "C") || strlen (value) == 2))
    made->tag = DER_PRINTABLE;
  return made;
}

void
_parsec_x509_attribute_free (ParsecX509Attribute *attribute)
{
  g_free (attribute->oid);
  g_free (attribute->value);
  g_free (attribute);
}

/* Name ::= SEQUENCE OF RelativeDistinguishedName, each a SET of one
 * AttributeTypeAndValue. */
static GBytes *
build_name (GPtrArray  *attributes,
            const char *default_common_name)
{
  GBytes *rdns = g_bytes_new (NULL, 0);

  for (guint i = 0; attributes != NULL && i < attributes->len; i++)
    {
      const ParsecX509Attribute *attribute = g_ptr_array_index (attributes, i);

      rdns = der_cat (rdns,
                      der_tlv (DER_SET, der_seq (der_oid (attribute->oid),
                                                 der_string (attribute->tag, attribute->value),
                                                 NULL)),
                      NULL);
    }
  if ((attributes == NULL || attributes->len == 0) && default_common_name != NULL)
    rdns = der_cat (rdns,
                    der_tlv (DER_SET, der_seq (der_oid (attribute_types[0].oid),
                                               der_string (DER_UTF8_STRING, default_common_name),
                                               NULL)),
                    NULL);
  return der_tlv (DER_SEQUENCE, rdns);
}

GBytes *
_parsec_x509_general_name (ParsecX509NameKind kind,
                           gconstpointer      data,
                           gsize              len)
{
  return der_tlv (0x80 | kind, g_bytes_new (data, len));
}

/* The subjectAltName extension, as an Extension element, or nothing. */
static GBytes *
build_alt_names (GPtrArray *alt_names)
{
  GBytes *names;

  if (alt_names == NULL || alt_names->len == 0)
    return g_bytes_new (NULL, 0);
  names = g_bytes_new (NULL, 0);
  for (guint i = 0; i < alt_names->len; i++)
    names = der_cat (names, g_bytes_ref (g_ptr_array_index (alt_names, i)), NULL);
  return der_seq (der_oid (OID_SUBJECT_ALT_NAME),
                  der_tlv (DER_OCTET_STRING, der_tlv (DER_SEQUENCE, names)),
                  NULL);
}

/* Signature algorithms */

typedef struct {
  ParsecHash hash;
  guint digest_len;
  const char *oid;              /* the hash alone, as in RSASSA-PSS parameters */
  const char *ecdsa_oid;        /* ecdsa-with-… */
  const char *rsa_oid;          /* …WithRSAEncryption */
} HashOids;

static const HashOids hash_oids[] = {
  { PARSEC_HASH_SHA_256, 32, "2.16.840.1.101.3.4.2.1", "1.2.840.10045.4.3.2", "1.2.840.113549.1.1.11" },
  { PARSEC_HASH_SHA_384, 48, "2.16.840.1.101.3.4.2.2", "1.2.840.10045.4.3.3", "1.2.840.113549.1.1.12" },
  { PARSEC_HASH_SHA_512, 64, "2.16.840.1.101.3.4.2.3", "1.2.840.10045.4.3.4", "1.2.840.113549.1.1.13" },
  { PARSEC_HASH_SHA_224, 28, "2.16.840.1.101.3.4.2.4", "1.2.840.10045.4.3.1", "1.2.840.113549.1.1.14" },
  { PARSEC_HASH_SHA3_256, 32, "2.16.840.1.101.3.4.2.8", "2.16.840.1.101.3.4.3.10", "2.16.840.1.101.3.4.3.14" },
  { PARSEC_HASH_SHA3_384, 48, "2.16.840.1.101.3.4.2.9", "2.16.840.1.101.3.4.3.11", "2.16.840.1.101.3.4.3.15" },
  { PARSEC_HASH_SHA3_512, 64, "2.16.840.1.101.3.4.2.10", "2.16.840.1.101.3.4.3.12", "2.16.840.1.101.3.4.3.16" },
  { PARSEC_HASH_SHA_1, 20, "1.3.14.3.2.26", "1.2.840.10045.4.1", "1.2.840.113549.1.1.5" },
};

static gboolean
is_ecdsa (const ParsecAlgorithm *algorithm)
{
  ParsecSignatureScheme scheme = parsec_algorithm_get_signature_scheme (algorithm);

  return scheme == PARSEC_SIGNATURE_SCHEME_ECDSA || scheme == PARSEC_SIGNATURE_SCHEME_ECDSA_ANY ||
         scheme == PARSEC_SIGNATURE_SCHEME_DETERMINISTIC_ECDSA;
}

GBytes *
_parsec_x509_signature_algorithm (const char             *key_name,
                                  const ParsecAlgorithm  *algorithm,
                                  ParsecHash              hash,
                                  GError                **error)
{
  const HashOids *oids = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (hash_oids); i++)
    if (hash_oids[i].hash == hash)
      oids = &hash_oids[i];
  if (oids == NULL)
    {
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("Key \"%s\" signs with %s, which has no X.509 signature algorithm"),
                   key_name, _parsec_hash_get_name (hash));
      return NULL;
    }
  if (is_ecdsa (algorithm))
    return der_seq (der_oid (oids->ecdsa_oid), NULL);
  switch (parsec_algorithm_get_signature_scheme (algorithm))
    {
    case PARSEC_SIGNATURE_SCHEME_RSA_PKCS1V15:
      return der_seq (der_oid (oids->rsa_oid), der_null (), NULL);
    case PARSEC_SIGNATURE_SCHEME_RSA_PSS:
      /* RFC 4055 parameters: MGF1 with the same hash, and a salt as long
       * as the hash, which is what PSA signs with. */
      return der_seq (der_oid (OID_RSASSA_PSS),
                      der_seq (der_tlv (0xa0, der_seq (der_oid (oids->oid), NULL)),
                               der_tlv (0xa1, der_seq (der_oid (OID_MGF1),
                                                       der_seq (der_oid (oids->oid), NULL),
                                                       NULL)),
                               der_tlv (0xa2, der_small_uint (oids->digest_len)),
                               NULL),
                      NULL);
    default:
      g_set_error (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                   _("The policy of key \"%s\" has no X.509 signature algorithm"), key_name);
      return NULL;
    }
}

/* Certificate requests and certificates */

/* attributes [0] IMPLICIT SET OF Attribute: an extension request with
 * the subject's alternative names, if any. */
static GBytes *
request_attributes (GBytes *extensions)
{
  if (g_bytes_get_size (extensions) == 0)
    return der_tlv (0xa0, extensions);
  return der_tlv (0xa0,
                  der_seq (der_oid (OID_EXTENSION_REQUEST),
                           der_tlv (DER_SET, der_seq (extensions, NULL)),
                           NULL));
}

/* Time ::= UTCTime (up to 2049) | GeneralizedTime, in UTC */
static GBytes *
x509_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);
  int year = g_date_time_get_year (utc);
  g_autofree char *text = g_date_time_format (utc, year < 2050 ? "%y%m%d%H%M%SZ" : "%Y%m%d%H%M%SZ");

  return der_string (year < 2050 ? DER_UTC_TIME : DER_GENERALIZED_TIME, text);
}

/* A positive serial of 16 random bytes (RFC 5280 allows 20). */
static GBytes *
random_serial (void)
{
  guint8 serial[16];

  for (gsize i = 0; i < sizeof serial; i += 4)
    {
      guint32 r = g_random_int ();

      memcpy (serial + i, &r, 4);
    }
  serial[0] = (serial[0] & 0x7f) | 0x40;
  return der_uint (serial, sizeof serial);
}

/* basicConstraints (not a CA) and keyUsage (digitalSignature), both
 * critical, then the alternative names. */
static GBytes *
certificate_extensions (GBytes *alt_names)
{
  const guint8 true_value[] = { 0x01, 0x01, 0xff };
  /* BIT STRING, 7 unused bits, digitalSignature */
  const guint8 digital_signature[] = { 0x03, 0x02, 0x07, 0x80 };

  return der_tlv (0xa3,
                  der_seq (der_seq (der_oid (OID_BASIC_CONSTRAINTS), g_bytes_new (true_value, sizeof true_value),
                                    der_tlv (DER_OCTET_STRING, der_tlv (DER_SEQUENCE, g_bytes_new (NULL, 0))), NULL),
                           der_seq (der_oid (OID_KEY_USAGE), g_bytes_new (true_value, sizeof true_value),
                                    der_tlv (DER_OCTET_STRING,
                                             g_bytes_new (digital_signature, sizeof digital_signature)),
                                    NULL),
                           alt_names,
                           NULL));
}

GBytes *
_parsec_x509_to_be_signed (gboolean                   certificate,
                           const char                *key_name,
                           ParsecCertificateOptions  *options,
                           GBytes                    *signature_algorithm,
                           GBytes                    *public_key,
                           GError                   **error)
{
  GPtrArray *attributes = options != NULL ? _parsec_certificate_options_get_attributes (options) : NULL;
  GPtrArray *alt_names = options != NULL ? _parsec_certificate_options_get_alt_names (options) : NULL;
  g_autoptr(GDateTime) not_before = NULL;
  g_autoptr(GDateTime) not_after = NULL;
  g_autoptr(GBytes) name = NULL;

  if (!certificate)
    {
      /* CertificationRequestInfo ::= SEQUENCE { version 0, subject,
       * subjectPKInfo, attributes } */
      return der_seq (der_small_uint (0), build_name (attributes, NULL), g_bytes_ref (public_key),
                      request_attributes (build_alt_names (alt_names)), NULL);
    }

  if (options != NULL && parsec_certificate_options_get_not_before (options) != NULL)
    not_before = g_date_time_ref (parsec_certificate_options_get_not_before (options));
  else
    not_before = g_date_time_new_now_utc ();
  if (options != NULL && parsec_certificate_options_get_not_after (options) != NULL)
    not_after = g_date_time_ref (parsec_certificate_options_get_not_after (options));
  else
    not_after = g_date_time_add_days (not_before, 365);
  if (not_after == NULL || g_date_time_compare (not_after, not_before) <= 0 ||
      g_date_time_get_year (not_before) < 1950 || g_date_time_get_year (not_after) > 9999)
    {
      g_set_error_literal (error, PARSEC_ERROR, PARSEC_ERROR_INVALID_INPUT,
                           _("The certificate's validity must end after it begins, between 1950 and 9999"));
      return NULL;
    }

  /* TBSCertificate ::= SEQUENCE { [0] version v3, serialNumber, signature,
   * issuer, validity, subject, subjectPublicKeyInfo, [3] extensions } */
  name = build_name (attributes, key_name);
  return der_seq (der_tlv (0xa0, der_small_uint (2)),
                  random_serial (),
                  g_bytes_ref (signature_algorithm),
                  g_bytes_ref (name),
                  der_seq (x509_time (not_before), x509_time (not_after), NULL),
                  g_bytes_ref (name),
                  g_bytes_ref (public_key),
                  certificate_extensions (build_alt_names (alt_names)),
                  NULL);
}

GBytes *
_parsec_x509_assemble (GBytes                 *to_be_signed,
                       GBytes                 *signature_algorithm,
                       const ParsecAlgorithm  *algorithm,
                       GBytes                 *signature,
                       GError                **error)
{
  GBytes *der = is_ecdsa (algorithm) ? parsec_ecdsa_signature_to_der (signature, error) : g_bytes_ref (signature);

  if (der == NULL)
    return NULL;
  return der_seq (g_bytes_ref (to_be_signed), g_bytes_ref (signature_algorithm), der_bit_string (der), NULL);
}
