/* parsec-certificate-options.c: what a certificate request or a
 * self-signed certificate says about its subject
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <string.h>

#include "parsec-certificate-options.h"
#include "parsec-error.h"
#include "parsec-i18n-private.h"
#include "parsec-x509-private.h"

/**
 * ParsecCertificateOptions:
 *
 * What a certificate request (parsec_key_create_certificate_request())
 * or a self-signed certificate (parsec_key_create_self_signed_certificate())
 * says about its subject: the attributes of its distinguished name, in
 * the order they are added, its alternative names (DNS names, IP
 * addresses, email addresses, URIs) and, for a certificate, its validity.
 *
 * ```c
 * g_autoptr(ParsecCertificateOptions) options = parsec_certificate_options_new ();
 *
 * parsec_certificate_options_add_subject_attribute (options, "CN", "www.example.org", NULL);
 * parsec_certificate_options_add_subject_attribute (options, "O", "Example", NULL);
 * parsec_certificate_options_add_dns_name (options, "www.example.org");
 * csr = parsec_key_create_certificate_request (key, options, NULL, &error);
 * ```
 *
 * Since: 1.0
 */
struct _ParsecCertificateOptions
{
  GObject parent_instance;

  GPtrArray *attributes;        /* ParsecX509Attribute */
  GPtrArray *alt_names;         /* GBytes, each a GeneralName */
  GDateTime *not_before;
  GDateTime *not_after;
};

G_DEFINE_FINAL_TYPE (ParsecCertificateOptions, parsec_certificate_options, G_TYPE_OBJECT)

static void
parsec_certificate_options_finalize (GObject *object)
{
  ParsecCertificateOptions *self = PARSEC_CERTIFICATE_OPTIONS (object);

  g_ptr_array_unref (self->attributes);
  g_ptr_array_unref (self->alt_names);
  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  G_OBJECT_CLASS (parsec_certificate_options_parent_class)->finalize (object);
}

static void
parsec_certificate_options_class_init (ParsecCertificateOptionsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = parsec_certificate_options_finalize;
}

static void
parsec_certificate_options_init (ParsecCertificateOptions *self)
{
  self->attributes = g_ptr_array_new_with_free_func ((GDestroyNotify) _parsec_x509_attribute_free);
  self->alt_names = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
}

/**
 * parsec_certificate_options_new:
 *
 * Makes options with no subject attribute, no alternative name and the
 * default validity.
 *
 * Returns: (transfer full): new options
 *
 * Since: 1.0
 */
ParsecCertificateOptions *
parsec_certificate_options_new (void)
{
  return g_object_new (PARSEC_TYPE_CERTIFICATE_OPTIONS, NULL);
}

/**
 * parsec_certificate_options_add_subject_attribute:
 * @self: a #ParsecCertificateOptions
 * @attribute: `CN`, `OU`, `O`, `L`, `ST`, `C`, `serialNumber` (the
 *   subject's, not the certificate's) or an object identifier in dotted
 *   form
 * @value: its value, in UTF-8
 * @error: return location for a #GError
 *
 * Adds an attribute to the subject's distinguished name, after those
 * added before; an attribute may be added several times. A country and a
 * serial number are written as PrintableString when their value fits
 * one (as RFC 5280 asks), the others as UTF8String.
 *
 * Returns: %TRUE, or %FALSE with %PARSEC_ERROR_INVALID_INPUT for an
 *   attribute this function does not know or a value that is not UTF-8
 *
 * Since: 1.0
 */
gboolean
parsec_certificate_options_add_subject_attribute (ParsecCertificateOptions  *self,
                                                  const char                *attribute,
                                                  const char                *value,
                                                  GError                   **error)
{
  ParsecX509Attribute *added;

  g_return_val_if_fail (PARSEC_IS_CERTIFICATE_OPTIONS (self), FALSE);
  g_return_val_if_fail (attribute != NULL, FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  added = _parsec_x509_attribute_new (attribute, value, error);
  if (added == NULL)
    return FALSE;
  g_ptr_array_add (self->attributes, added);
  return TRUE;
}

/**
 * parsec_certificate_options_add_dns_name:
 * @self: a #ParsecCertificateOptions
 * @name: a DNS name, such as `www.example.org`
 *
 * Adds a DNS name to the subject's alternative names.
 *
 * Since: 1.0
 */
void
parsec_certificate_options_add_dns_name (ParsecCertificateOptions *self,
                                         const char               *name)
{
  g_return_if_fail (PARSEC_IS_CERTIFICATE_OPTIONS (self));
  g_return_if_fail (name != NULL);

  g_ptr_array_add (self->alt_names, _parsec_x509_general_name (PARSEC_X509_NAME_DNS, name, strlen (name)));
}

/**
 * parsec_certificate_options_add_ip_address:
 * @self: a #ParsecCertificateOptions
 * @address: an IPv4 or IPv6 address
 *
 * Adds an IP address to the subject's alternative names.
 *
 * Since: 1.0
 */
void
parsec_certificate_options_add_ip_address (ParsecCertificateOptions *self,
                                           GInetAddress             *address)
{
  g_return_if_fail (PARSEC_IS_CERTIFICATE_OPTIONS (self));
  g_return_if_fail (G_IS_INET_ADDRESS (address));

  g_ptr_array_add (self->alt_names,
                   _parsec_x509_general_name (PARSEC_X509_NAME_IP, g_inet_address_to_bytes (address),
                                              g_inet_address_get_native_size (address)));
}

/**
 * parsec_certificate_options_add_email_address:
 * @self: a #ParsecCertificateOptions
 * @address: an email address
 *
 * Adds an email address to the subject's alternative names.
 *
 * Since: 1.0
 */
void
parsec_certificate_options_add_email_address (ParsecCertificateOptions *self,
                                              const char               *address)
{
  g_return_if_fail (PARSEC_IS_CERTIFICATE_OPTIONS (self));
  g_return_if_fail (address != NULL);

  g_ptr_array_add (self->alt_names, _parsec_x509_general_name (PARSEC_X509_NAME_EMAIL, address, strlen (address)));
}

/**
 * parsec_certificate_options_add_uri:
 * @self: a #ParsecCertificateOptions
 * @uri: a URI
 *
 * Adds a URI to the subject's alternative names.
 *
 * Since: 1.0
 */
void
parsec_certificate_options_add_uri (ParsecCertificateOptions *self,
                                    const char               *uri)
{
  g_return_if_fail (PARSEC_IS_CERTIFICATE_OPTIONS (self));
  g_return_if_fail (uri != NULL);

  g_ptr_array_add (self->alt_names, _parsec_x509_general_name (PARSEC_X509_NAME_URI, uri, strlen (uri)));
}

/**
 * parsec_certificate_options_set_validity:
 * @self: a #ParsecCertificateOptions
 * @not_before: (nullable): when a certificate becomes valid, or %NULL
 *   for the moment it is made
 * @not_after: (nullable): when it expires, or %NULL for 365 days after
 *   @not_before
 *
 * Sets the validity of a self-signed certificate; a certificate request
 * has none.
 *
 * Since: 1.0
 */
void
parsec_certificate_options_set_validity (ParsecCertificateOptions *self,
                                         GDateTime                *not_before,
                                         GDateTime                *not_after)
{
  g_return_if_fail (PARSEC_IS_CERTIFICATE_OPTIONS (self));

  g_clear_pointer (&self->not_before, g_date_time_unref);
  g_clear_pointer (&self->not_after, g_date_time_unref);
  self->not_before = not_before != NULL ? g_date_time_ref (not_before) : NULL;
  self->not_after = not_after != NULL ? g_date_time_ref (not_after) : NULL;
}

/**
 * parsec_certificate_options_get_not_before:
 * @self: a #ParsecCertificateOptions
 *
 * Gets what parsec_certificate_options_set_validity() set.
 *
 * Returns: (transfer none) (nullable): when a certificate becomes valid,
 *   or %NULL for the moment it is made
 *
 * Since: 1.0
 */
GDateTime *
parsec_certificate_options_get_not_before (ParsecCertificateOptions *self)
{
  g_return_val_if_fail (PARSEC_IS_CERTIFICATE_OPTIONS (self), NULL);
  return self->not_before;
}

/**
 * parsec_certificate_options_get_not_after:
 * @self: a #ParsecCertificateOptions
 *
 * Gets what parsec_certificate_options_set_validity() set.
 *
 * Returns: (transfer none) (nullable): when a certificate expires, or
 *   %NULL for 365 days after it becomes valid
 *
 * Since: 1.0
 */
GDateTime *
parsec_certificate_options_get_not_after (ParsecCertificateOptions *self)
{
  g_return_val_if_fail (PARSEC_IS_CERTIFICATE_OPTIONS (self), NULL);
  return self->not_after;
}

/* For parsec-x509.c */

GPtrArray *
_parsec_certificate_options_get_attributes (ParsecCertificateOptions *self)
{
  return self->attributes;
}

GPtrArray *
_parsec_certificate_options_get_alt_names (ParsecCertificateOptions *self)
{
  return self->alt_names;
}
