/* test_admins.c - the admin list from ADMIN_FILE (lib/admins.c), over temporary files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "admins.h"

static char dir[64];

static int make_dir(void **state)
{
  const char *tmp = getenv("TMPDIR");
  snprintf(dir, sizeof(dir), "%s/pd-admins-XXXXXX",
           tmp != NULL && tmp[0] != '\0' && strlen(tmp) < 40 ? tmp : "/tmp");
  return mkdtemp(dir) != NULL ? 0 : -1;
}

static int remove_dir(void **state)
{
  char path[128];
  snprintf(path, sizeof(path), "%s/admin.json", dir);
  unlink(path);
  return rmdir(dir);
}

/* Writes text to dir/admin.json and returns its path. */
static const char *admin_file(const char *text)
{
  static char path[128];
  snprintf(path, sizeof(path), "%s/admin.json", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
  return path;
}

static void test_missing_file_is_empty(void **state)
{
  char path[128], err[256] = "";
  struct pd_admins a;
  snprintf(path, sizeof(path), "%s/none.json", dir);
  assert_int_equal(pd_admins_load(path, &a, err, sizeof(err)), PD_OK);
  assert_int_equal(a.n, 0);
  assert_false(pd_admins_has(&a, "80351110224678912"));
  pd_admins_free(&a);
}

static void test_valid_lists(void **state)
{
  struct {
    const char *text;
    size_t n;
  } rows[] = {
      {"{\"admins\": []}", 0},
      {"{\"admins\": [\"80351110224678912\"]}", 1},
      {"{\"admins\": [\"80351110224678912\", \"53908232506183680\", \"1\"], \"note\": \"ops "
       "team\"}\n",
       3},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char err[256] = "";
    struct pd_admins a;
    if (pd_admins_load(admin_file(rows[i].text), &a, err, sizeof(err)) != PD_OK)
      fail_msg("%s: refused: %s", rows[i].text, err);
    assert_int_equal(a.n, rows[i].n);
    pd_admins_free(&a);
    assert_int_equal(a.n, 0);
    assert_null(a.ids);
  }
}

static void test_has(void **state)
{
  char err[256] = "";
  struct pd_admins a;
  assert_int_equal(pd_admins_load(admin_file("{\"admins\": [\"80351110224678912\", \"1\"]}"), &a,
                                  err, sizeof(err)),
                   PD_OK);
  struct {
    const char *id;
    bool want;
  } rows[] = {
      {"80351110224678912", true},
      {"1", true},
      {"8035111022467891", false},   /* a prefix is not the id */
      {"803511102246789120", false}, /* nor is a longer id */
      {"53908232506183680", false},
      {"", false},
      {NULL, false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    if (pd_admins_has(&a, rows[i].id) != rows[i].want)
      fail_msg("has(%s) should be %s", rows[i].id ? rows[i].id : "NULL",
               rows[i].want ? "true" : "false");
  pd_admins_free(&a);
  pd_admins_free(NULL);
  struct pd_admins none = {0};
  assert_false(pd_admins_has(&none, "1"));
}

/* Owners are admins too; admins are not owners; an id in both lists counts once. */
static void test_owners(void **state)
{
  char err[256] = "";
  struct pd_admins a;
  const char *path = admin_file("{\"admins\": [\"11\", \"22\"], \"owners\": [\"33\", \"22\"]}");
  assert_int_equal(pd_admins_load(path, &a, err, sizeof(err)), PD_OK);
  assert_int_equal(a.n, 3);
  assert_int_equal(a.nowners, 2);
  assert_true(pd_admins_has(&a, "33"));
  assert_true(pd_admins_is_owner(&a, "33"));
  assert_true(pd_admins_is_owner(&a, "22"));
  assert_false(pd_admins_is_owner(&a, "11"));
  assert_true(pd_admins_has(&a, "11"));
  assert_false(pd_admins_has(&a, "44"));
  pd_admins_free(&a);
  assert_int_equal(a.nowners, 0);
}

/* A malformed file is refused with a reason that starts with the file's name. */
static void test_malformed(void **state)
{
  struct {
    const char *text, *reason;
  } rows[] = {
      {"", ":"},
      {"{\"admins\": [\"1\"]", ":1:"},
      {"{\"admins\": []} trailing", ":1:"},
      {"[\"80351110224678912\"]", ": \"admins\" must be an array"},
      {"\"80351110224678912\"", ":1:"},
      {"{}", ": \"admins\" must be an array"},
      {"{\"admins\": \"80351110224678912\"}", ": \"admins\" must be an array"},
      {"{\"admins\": [80351110224678912]}", ": admins[0] must be a numeric Discord user id"},
      {"{\"admins\": [null]}", ": admins[0] must be a numeric Discord user id"},
      {"{\"admins\": [\"alice\"]}", ": admins[0] must be a numeric Discord user id"},
      {"{\"admins\": [\"8035111022467891x\"]}", ": admins[0] must be a numeric Discord user id"},
      {"{\"admins\": [\"-1\"]}", ": admins[0] must be a numeric Discord user id"},
      {"{\"admins\": [\"\"]}", ": admins[0] must be a numeric Discord user id"},
      {"{\"admins\": [\"1\", \"2\", \"<@3>\"]}", ": admins[2] must be a numeric Discord user id"},
      {"{\"admins\": [], \"owners\": \"1\"}",
       ": \"admins\" must be an array of Discord user ids (and \"owners\""},
      {"{\"admins\": [], \"owners\": [\"x\"]}", ": owners[0] must be a numeric Discord user id"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char err[256] = "", want[160];
    struct pd_admins a;
    const char *path = admin_file(rows[i].text);
    enum pd_result rc = pd_admins_load(path, &a, err, sizeof(err));
    snprintf(want, sizeof(want), "%s%s", path, rows[i].reason);
    if (rc != PD_E_INVALID || strncmp(err, want, strlen(want)) != 0)
      fail_msg("%s: got %s \"%s\", want \"%s...\"", rows[i].text, pd_result_str(rc), err, want);
    /* Nothing half-loaded is left behind. */
    assert_int_equal(a.n, 0);
    assert_null(a.ids);
  }
}

/* A file that exists but cannot be read is not an empty list, and the reason names it. */
static void test_unreadable(void **state)
{
  char path[160], err[256] = "";
  struct pd_admins a;
  snprintf(path, sizeof(path), "%s/inner.json", admin_file("{\"admins\": []}"));
  enum pd_result rc = pd_admins_load(path, &a, err, sizeof(err));
  assert_int_equal(rc, PD_E_IO);
  if (strncmp(err, path, strlen(path)) != 0 || strlen(err) <= strlen(path))
    fail_msg("reason \"%s\" does not name %s", err, path);
  assert_int_equal(a.n, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_missing_file_is_empty),
      cmocka_unit_test(test_valid_lists),
      cmocka_unit_test(test_has),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_owners),
      cmocka_unit_test(test_unreadable),
  };
  return cmocka_run_group_tests_name("test_admins", tests, make_dir, remove_dir);
}
