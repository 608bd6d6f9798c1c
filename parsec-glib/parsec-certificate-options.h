/* parsec-certificate-options.h: what a certificate request or a
 * self-signed certificate says about its subject
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#pragma once

#if !defined(__PARSEC_GLIB_INSIDE__) && !defined(PARSEC_GLIB_COMPILATION)
#error "Only <parsec-glib/parsec-glib.h> can be included directly."
#endif

#include <gio/gio.h>

#include "parsec-version.h"

G_BEGIN_DECLS

#define PARSEC_TYPE_CERTIFICATE_OPTIONS (parsec_certificate_options_get_type ())

PARSEC_AVAILABLE_IN_1_0
G_DECLARE_FINAL_TYPE (ParsecCertificateOptions, parsec_certificate_options, PARSEC, CERTIFICATE_OPTIONS, GObject)

PARSEC_AVAILABLE_IN_1_0
ParsecCertificateOptions *parsec_certificate_options_new           (void);
PARSEC_AVAILABLE_IN_1_0
gboolean   parsec_certificate_options_add_subject_attribute (ParsecCertificateOptions  *self,
                                                             const char                *attribute,
                                                             const char                *value,
                                                             GError                   **error);
PARSEC_AVAILABLE_IN_1_0
void       parsec_certificate_options_add_dns_name       (ParsecCertificateOptions *self,
                                                          const char               *name);
PARSEC_AVAILABLE_IN_1_0
void       parsec_certificate_options_add_ip_address     (ParsecCertificateOptions *self,
                                                          GInetAddress             *address);
PARSEC_AVAILABLE_IN_1_0
void       parsec_certificate_options_add_email_address  (ParsecCertificateOptions *self,
                                                          const char               *address);
PARSEC_AVAILABLE_IN_1_0
void       parsec_certificate_options_add_uri            (ParsecCertificateOptions *self,
                                                          const char               *uri);
PARSEC_AVAILABLE_IN_1_0
void       parsec_certificate_options_set_validity       (ParsecCertificateOptions *self,
                                                          GDateTime                *not_before,
                                                          GDateTime                *not_after);
PARSEC_AVAILABLE_IN_1_0
GDateTime *parsec_certificate_options_get_not_before     (ParsecCertificateOptions *self);
PARSEC_AVAILABLE_IN_1_0
GDateTime *parsec_certificate_options_get_not_after      (ParsecCertificateOptions *self);

G_END_DECLS
