/* test-version.c: the version macros and functions agree with the project
 *
 * Built as an application is, against the public header only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <parsec-glib/parsec-glib.h>

/* The defaults of an application that sets neither. */
G_STATIC_ASSERT (PARSEC_VERSION_MIN_REQUIRED == PARSEC_VERSION_CUR_STABLE);
G_STATIC_ASSERT (PARSEC_VERSION_MAX_ALLOWED == PARSEC_VERSION_CUR_STABLE);
G_STATIC_ASSERT (PARSEC_VERSION_PREV_STABLE <= PARSEC_VERSION_CUR_STABLE);
G_STATIC_ASSERT (PARSEC_VERSION_CUR_STABLE >= PARSEC_VERSION_1_0);
G_STATIC_ASSERT (PARSEC_CHECK_VERSION (1, 0, 0));
G_STATIC_ASSERT (PARSEC_CHECK_VERSION (PARSEC_MAJOR_VERSION, PARSEC_MINOR_VERSION, PARSEC_MICRO_VERSION));
G_STATIC_ASSERT (!PARSEC_CHECK_VERSION (PARSEC_MAJOR_VERSION, PARSEC_MINOR_VERSION, PARSEC_MICRO_VERSION + 1));
G_STATIC_ASSERT (!PARSEC_CHECK_VERSION (PARSEC_MAJOR_VERSION + 1, 0, 0));

static void
test_project (void)
{
  g_autofree char *version = g_strdup_printf ("%u.%u.%u", PARSEC_MAJOR_VERSION,
                                              PARSEC_MINOR_VERSION, PARSEC_MICRO_VERSION);

  g_assert_cmpstr (PARSEC_VERSION_S, ==, PARSEC_PROJECT_VERSION);
  g_assert_cmpstr (version, ==, PARSEC_PROJECT_VERSION);
}

static void
test_runtime (void)
{
  g_assert_cmpuint (parsec_get_major_version (), ==, PARSEC_MAJOR_VERSION);
  g_assert_cmpuint (parsec_get_minor_version (), ==, PARSEC_MINOR_VERSION);
  g_assert_cmpuint (parsec_get_micro_version (), ==, PARSEC_MICRO_VERSION);
}

static void
test_check (void)
{
  guint major = PARSEC_MAJOR_VERSION, minor = PARSEC_MINOR_VERSION, micro = PARSEC_MICRO_VERSION;

  g_assert_null (parsec_check_version (major, minor, micro));
  g_assert_null (parsec_check_version (1, 0, 0));
  if (micro > 0)
    g_assert_null (parsec_check_version (major, minor, micro - 1));
  if (minor > 0)
    g_assert_null (parsec_check_version (major, minor - 1, micro + 1));

  g_assert_nonnull (parsec_check_version (major, minor, micro + 1));
  g_assert_nonnull (parsec_check_version (major, minor + 1, 0));
  g_assert_nonnull (parsec_check_version (major + 1, 0, 0));
  g_assert_nonnull (parsec_check_version (major - 1, minor, micro));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/parsec/version/project", test_project);
  g_test_add_func ("/parsec/version/runtime", test_runtime);
  g_test_add_func ("/parsec/version/check", test_check);

  return g_test_run ();
}
