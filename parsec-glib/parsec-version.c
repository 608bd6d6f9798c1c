/* parsec-version.c: the version of the library a program runs with
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include "parsec-glib.h"

/**
 * parsec_get_major_version:
 *
 * Returns the major version of the parsec-glib library the program runs
 * with, which may differ from %PARSEC_MAJOR_VERSION, the version of the
 * headers it was built against.
 *
 * Returns: the major version of the library
 *
 * Since: 1.0
 */
guint
parsec_get_major_version (void)
{
  return PARSEC_MAJOR_VERSION;
}

/**
 * parsec_get_minor_version:
 *
 * Returns the minor version of the parsec-glib library the program runs
 * with, which may differ from %PARSEC_MINOR_VERSION.
 *
 * Returns: the minor version of the library
 *
 * Since: 1.0
 */
guint
parsec_get_minor_version (void)
{
  return PARSEC_MINOR_VERSION;
}

/**
 * parsec_get_micro_version:
 *
 * Returns the micro version of the parsec-glib library the program runs
 * with, which may differ from %PARSEC_MICRO_VERSION.
 *
 * Returns: the micro version of the library
 *
 * Since: 1.0
 */
guint
parsec_get_micro_version (void)
{
  return PARSEC_MICRO_VERSION;
}

/**
 * parsec_check_version:
 * @required_major: the required major version
 * @required_minor: the required minor version
 * @required_micro: the required micro version
 *
 * Checks that the parsec-glib library the program runs with can stand in
 * for the given version: it has the same major version, and it is that
 * version or a later one. Releases with the same major version keep the
 * ABI of those before them.
 *
 * Pass %PARSEC_MAJOR_VERSION, %PARSEC_MINOR_VERSION and
 * %PARSEC_MICRO_VERSION to check the library against the headers the
 * program was built with.
 *
 * Returns: (nullable) (transfer none): %NULL if the library is
 *   compatible, otherwise a message describing the mismatch, owned by
 *   the library
 *
 * Since: 1.0
 */
const char *
parsec_check_version (guint required_major,
                      guint required_minor,
                      guint required_micro)
{
  if (required_major > PARSEC_MAJOR_VERSION)
    return "parsec-glib version too old (major mismatch)";
  if (required_major < PARSEC_MAJOR_VERSION)
    return "parsec-glib version too new (major mismatch)";
  if (required_minor > PARSEC_MINOR_VERSION)
    return "parsec-glib version too old (minor mismatch)";
  if (required_minor == PARSEC_MINOR_VERSION && required_micro > PARSEC_MICRO_VERSION)
    return "parsec-glib version too old (micro mismatch)";
  return NULL;
}
