/* test_config.c - configuration rules (lib/config.c), fed from a table instead of the environment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define PK "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"

struct kv {
  const char *k, *v;
};

static const char *table_get(void *arg, const char *name)
{
  for (const struct kv *e = arg; e->k != NULL; e++)
    if (strcmp(e->k, name) == 0)
      return e->v;
  return NULL;
}

static enum pd_result load(const struct kv *vars, unsigned need, struct pd_config *c, char *err, size_t errlen)
{
  struct pd_config_source src = {table_get, (void *)vars};
  return pd_config_load(&src, need, c, err, errlen);
}

static void test_defaults(void **state)
{
  struct kv vars[] = {{NULL, NULL}};
  struct pd_config c;
  char err[256];
  assert_int_equal(load(vars, 0, &c, err, sizeof(err)), PD_OK);
  assert_string_equal(c.api_base, "https://discord.com/api/v10");
  assert_string_equal(c.listen_host, "127.0.0.1");
  assert_int_equal(c.listen_port, 8080);
  assert_string_equal(c.admin_file, "admin.json");
  assert_int_equal(c.daily_notes, 250);
  assert_int_equal(c.http_threads, 8);
  assert_false(c.has_public_key);
  pd_config_free(&c);
}

static void test_full_and_trimmed(void **state)
{
  struct kv vars[] = {{"DATABASE_URL", "postgresql:///x"},     {"DISCORD_PUBLIC_KEY", PK},
                      {"DISCORD_APPLICATION_ID", "1111111111111111111"}, {"DISCORD_API_BASE", "http://127.0.0.1:9/api/v10//"},
                      {"LISTEN_ADDR", "[::1]:0"},               {"DB_POOL_SIZE", "3"},
                      {NULL, NULL}};
  struct pd_config c;
  char err[256];
  assert_int_equal(load(vars, PD_NEED_DB | PD_NEED_PUBLIC_KEY | PD_NEED_APP_ID, &c, err, sizeof(err)), PD_OK);
  assert_true(c.has_public_key);
  assert_int_equal(c.public_key[0], 0x3b);
  assert_int_equal(c.public_key[31], 0x29);
  assert_string_equal(c.api_base, "http://127.0.0.1:9/api/v10");
  assert_string_equal(c.listen_host, "::1");
  assert_int_equal(c.listen_port, 0);
  assert_int_equal(c.db_pool_size, 3);
  pd_config_free(&c);
}

static void test_errors_name_the_variable(void **state)
{
  struct {
    struct kv vars[3];
    unsigned need;
    const char *prefix;
  } rows[] = {
    {{{NULL, NULL}}, PD_NEED_DB, "DATABASE_URL: is required"},
    {{{NULL, NULL}}, PD_NEED_PUBLIC_KEY, "DISCORD_PUBLIC_KEY: is required"},
    {{{NULL, NULL}}, PD_NEED_APP_ID, "DISCORD_APPLICATION_ID: is required"},
    {{{NULL, NULL}}, PD_NEED_BOT_TOKEN, "DISCORD_BOT_TOKEN: is required"},
    {{{"DISCORD_PUBLIC_KEY", "abcd"}, {NULL, NULL}}, 0, "DISCORD_PUBLIC_KEY: must be 64 hex"},
    {{{"DISCORD_PUBLIC_KEY", "zz6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"}, {NULL, NULL}}, 0,
     "DISCORD_PUBLIC_KEY: must be 64 hex"},
    {{{"DISCORD_APPLICATION_ID", "my-app"}, {NULL, NULL}}, 0, "DISCORD_APPLICATION_ID: must be a numeric"},
    {{{"DISCORD_API_BASE", "discord.com/api"}, {NULL, NULL}}, 0, "DISCORD_API_BASE: must be an http"},
    {{{"LISTEN_ADDR", "8080"}, {NULL, NULL}}, 0, "LISTEN_ADDR: must be HOST:PORT"},
    {{{"LISTEN_ADDR", "host:"}, {NULL, NULL}}, 0, "LISTEN_ADDR: must be HOST:PORT"},
    {{{"LISTEN_ADDR", ":80"}, {NULL, NULL}}, 0, "LISTEN_ADDR: must be HOST:PORT"},
    {{{"LISTEN_ADDR", "h:99999"}, {NULL, NULL}}, 0, "LISTEN_ADDR: must be HOST:PORT"},
    {{{"HTTP_THREADS", "0"}, {NULL, NULL}}, 0, "HTTP_THREADS: must be a whole number from 1"},
    {{{"DB_POOL_SIZE", "abc"}, {NULL, NULL}}, 0, "DB_POOL_SIZE: must be a whole number"},
    {{{"DAILY_NOTES", "12x"}, {NULL, NULL}}, 0, "DAILY_NOTES: must be a whole number"},
    {{{"ADMIN_TOKEN", "short"}, {NULL, NULL}}, 0, "ADMIN_TOKEN: must be at least 16"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct pd_config c;
    char err[256];
    enum pd_result rc = load(rows[i].vars, rows[i].need, &c, err, sizeof(err));
    if (rc != PD_E_INVALID || strncmp(err, rows[i].prefix, strlen(rows[i].prefix)) != 0)
      fail_msg("row %zu: got %d \"%s\", want \"%s...\"", i, rc, err, rows[i].prefix);
  }
}

static void test_dotenv(void **state)
{
  char path[] = "/tmp/pd-dotenv-XXXXXX";
  int fd = mkstemp(path);
  FILE *f = fdopen(fd, "w");
  fputs("# comment\n\nPD_T_PLAIN=one\nexport PD_T_EXPORTED=two\nPD_T_QUOTED=\"three four\"\n"
        "PD_T_SINGLE='five'\nPD_T_SET=from-file\n", f);
  fclose(f);
  setenv("PD_T_SET", "from-env", 1);
  char err[256];
  assert_int_equal(pd_config_load_dotenv(path, err, sizeof(err)), PD_OK);
  assert_string_equal(getenv("PD_T_PLAIN"), "one");
  assert_string_equal(getenv("PD_T_EXPORTED"), "two");
  assert_string_equal(getenv("PD_T_QUOTED"), "three four");
  assert_string_equal(getenv("PD_T_SINGLE"), "five");
  assert_string_equal(getenv("PD_T_SET"), "from-env");

  f = fopen(path, "w");
  fputs("GOOD=1\nthis line is wrong\n", f);
  fclose(f);
  assert_int_equal(pd_config_load_dotenv(path, err, sizeof(err)), PD_E_INVALID);
  assert_non_null(strstr(err, ":2: expected NAME=value"));
  f = fopen(path, "w");
  fputs("BAD-NAME=1\n", f);
  fclose(f);
  assert_int_equal(pd_config_load_dotenv(path, err, sizeof(err)), PD_E_INVALID);
  assert_non_null(strstr(err, ":1:"));
  unlink(path);
  assert_int_equal(pd_config_load_dotenv("/nonexistent/.env", err, sizeof(err)), PD_OK);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_defaults),
    cmocka_unit_test(test_full_and_trimmed),
    cmocka_unit_test(test_errors_name_the_variable),
    cmocka_unit_test(test_dotenv),
  };
  return cmocka_run_group_tests_name("test_config", tests, NULL, NULL);
}
