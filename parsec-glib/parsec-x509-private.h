/* parsec-x509-private.h: certificate requests (RFC 2986) and
 * self-signed certificates (RFC 5280) in DER
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#include "parsec-algorithm.h"
#include "parsec-certificate-options.h"
#include "parsec-crypto-enums.h"

G_BEGIN_DECLS

/* One attribute of a distinguished name. */
typedef struct {
  char *oid;
  char *value;
  guint8 tag;                   /* the string type it is written as */
} ParsecX509Attribute;

ParsecX509Attribute *_parsec_x509_attribute_new  (const char           *attribute,
                                                  const char           *value,
                                                  GError              **error);
void                 _parsec_x509_attribute_free (ParsecX509Attribute  *attribute);

/* The context tags of a GeneralName's choices. */
typedef enum {
  PARSEC_X509_NAME_EMAIL = 1,
  PARSEC_X509_NAME_DNS = 2,
  PARSEC_X509_NAME_URI = 6,
  PARSEC_X509_NAME_IP = 7,
} ParsecX509NameKind;

GBytes    *_parsec_x509_general_name (ParsecX509NameKind  kind,
                                      gconstpointer       data,
                                      gsize               len);

GPtrArray *_parsec_certificate_options_get_attributes (ParsecCertificateOptions *self);
GPtrArray *_parsec_certificate_options_get_alt_names  (ParsecCertificateOptions *self);

/* The AlgorithmIdentifier of the signatures a key makes with @algorithm
 * and @hash (what its policy makes sign_data use). */
GBytes    *_parsec_x509_signature_algorithm (const char             *key_name,
                                             const ParsecAlgorithm  *algorithm,
                                             ParsecHash              hash,
                                             GError                **error);
/* What is signed: a CertificationRequestInfo, or (@certificate) a
 * TBSCertificate whose issuer is its subject. @options may be NULL; a
 * certificate with no subject attribute is named CN=@key_name. */
GBytes    *_parsec_x509_to_be_signed        (gboolean                   certificate,
                                             const char                *key_name,
                                             ParsecCertificateOptions  *options,
                                             GBytes                    *signature_algorithm,
                                             GBytes                    *public_key,
                                             GError                   **error);
/* SEQUENCE { @to_be_signed, @signature_algorithm, BIT STRING } with
 * @signature as the service made it (for ECDSA r ‖ s, which X.509
 * carries as an Ecdsa-Sig-Value). */
GBytes    *_parsec_x509_assemble            (GBytes                    *to_be_signed,
                                             GBytes                    *signature_algorithm,
                                             const ParsecAlgorithm     *algorithm,
                                             GBytes                    *signature,
                                             GError                   **error);

G_END_DECLS
