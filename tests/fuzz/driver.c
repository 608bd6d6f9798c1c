/* driver.c: runs a fuzz target over files, without a fuzzing engine
 *
 * Each argument is a file or a directory whose files (not recursively)
 * are fed to LLVMFuzzerTestOneInput one at a time, in name order so that
 * a failure is reproducible. This is how the targets run as ordinary
 * tests over their seed corpus; it does no fuzzing of its own.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz-common.h"

static guint
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr(GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      exit (EXIT_FAILURE);
    }
  /* A copy of exactly the input's size, so that reading past the end is
   * caught by ASan and valgrind as it would be under libFuzzer. */
  {
    g_autofree guint8 *copy = g_memdup2 (contents, len);

    LLVMFuzzerTestOneInput (copy, len);
  }
  return 1;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static guint
run_directory (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  const char *name;
  guint count = 0;

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      exit (EXIT_FAILURE);
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_build_filename (path, name, NULL));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    if (g_file_test (g_ptr_array_index (names, i), G_FILE_TEST_IS_REGULAR))
      count += run_file (g_ptr_array_index (names, i));
  return count;
}

int
main (int    argc,
      char **argv)
{
  guint count = 0;

  if (argc < 2)
    {
      fprintf (stderr, "Usage: %s FILE-OR-DIRECTORY…\n", argv[0]);
      return EXIT_FAILURE;
    }

  for (int i = 1; i < argc; i++)
    count += g_file_test (argv[i], G_FILE_TEST_IS_DIR) ? run_directory (argv[i]) : run_file (argv[i]);

  /* An empty corpus would make the test pass without testing anything. */
  if (count == 0)
    {
      fprintf (stderr, "No inputs in the arguments\n");
      return EXIT_FAILURE;
    }
  printf ("%s: %u inputs\n", argv[0], count);
  return EXIT_SUCCESS;
}
