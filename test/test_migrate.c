/* test_migrate.c - which files count as migrations and the highest number among them
 * (pd_migrate_latest in lib/migrate.c).  Applying them to a database is covered end to end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate.h"

static char root[64];

static int make_root(void **state)
{
  const char *tmp = getenv("TMPDIR");
  snprintf(root, sizeof(root), "%s/pd-migrate-XXXXXX",
           tmp != NULL && tmp[0] != '\0' && strlen(tmp) < 40 ? tmp : "/tmp");
  return mkdtemp(root) != NULL ? 0 : -1;
}

/* Removes dir and everything under it. */
static void remove_tree(const char *dir)
{
  DIR *d = opendir(dir);
  if (d == NULL)
    return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    char path[512];
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
      continue;
    snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
    if (unlink(path) != 0)
      remove_tree(path);
  }
  closedir(d);
  rmdir(dir);
}

static int remove_root(void **state)
{
  remove_tree(root);
  return 0;
}

/* A fresh directory under root holding the named files (a trailing '/' makes a directory). */
static const char *dir_with(const char *name, const char *const *files)
{
  static char dir[128];
  snprintf(dir, sizeof(dir), "%s/%s", root, name);
  assert_int_equal(mkdir(dir, 0700), 0);
  for (const char *const *f = files; *f != NULL; f++) {
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, *f);
    size_t n = strlen(path);
    if (path[n - 1] == '/') {
      path[n - 1] = '\0';
      assert_int_equal(mkdir(path, 0700), 0);
      continue;
    }
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("SELECT 1;\n", fp);
    fclose(fp);
  }
  return dir;
}

static void test_latest(void **state)
{
  static const char *const mixed[] = {"001_a.sql", "010_b.sql", "002_c.sql", "readme.md",
                                      "01_x.sql",  "abc_d.sql", "004-x.sql", NULL};
  static const char *const decoys[] = {"001_init.sql", "099_x.sql.bak", "0990_x.sql",
                                       "999_x.SQL",    "999_x.sql~",    "999_.sql",
                                       ".999_x.sql",   "99a_x.sql",     NULL};
  static const char *const none[] = {"readme.md", "schema.sql", "1_x.sql", NULL};
  static const char *const empty[] = {NULL};
  static const char *const high[] = {"001_a.sql", "999_last.sql", "500_mid.sql", NULL};
  static const char *const only_zero[] = {"000_zero.sql", NULL};
  struct {
    const char *name;
    const char *const *files;
    int want;
  } rows[] = {
      {"mixed", mixed, 10}, {"decoys", decoys, 1},       {"none", none, 0}, {"empty", empty, 0},
      {"high", high, 999},  {"only-zero", only_zero, 0}, /* numbering starts at 001 */
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    const char *dir = dir_with(rows[i].name, rows[i].files);
    int version = -1;
    enum pd_result rc = pd_migrate_latest(dir, &version);
    if (rc != PD_OK || version != rows[i].want)
      fail_msg("%s: got %s, version %d, want %d", rows[i].name, pd_result_str(rc), version,
               rows[i].want);
  }
}

static void test_unreadable_dir(void **state)
{
  char path[128];
  int version = 42;
  snprintf(path, sizeof(path), "%s/missing", root);
  assert_int_equal(pd_migrate_latest(path, &version), PD_E_IO);
  assert_int_equal(version, 42); /* untouched on failure */
  /* a file where the directory should be */
  const char *dir = dir_with("file-not-dir", (const char *const[]){"001_a.sql", NULL});
  snprintf(path, sizeof(path), "%s/001_a.sql", dir);
  assert_int_equal(pd_migrate_latest(path, &version), PD_E_IO);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_latest),
      cmocka_unit_test(test_unreadable_dir),
  };
  return cmocka_run_group_tests_name("test_migrate", tests, make_root, remove_root);
}
