/* e2e_statements.c - every named statement of every pd_db_areas table (lib/db_areas.c) against
 * the migrated schema: each prepares, no name is used twice across the tables, and the number
 * of parameters PostgreSQL infers equals the highest $N in the SQL text (a statement whose
 * text skips a number, or that the area's C code would bind with the wrong count, shows here
 * rather than on a player's command). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"
#include "e2e.h"

static struct pd_e2e E;
static PGconn *pg; /* a connection of its own: nothing else has prepared statements on it */

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "statements") != 0)
    return -1;
  pg = PQconnectdb(E.db_url);
  if (PQstatus(pg) != CONNECTION_OK) {
    fprintf(stderr, "e2e_statements: %s", PQerrorMessage(pg));
    return -1;
  }
  return 0;
}

static int teardown(void **state)
{
  PQfinish(pg);
  pd_e2e_teardown(&E);
  return 0;
}

/* The highest $N in sql; 0 when there is none. */
static int highest_param(const char *sql)
{
  int max = 0;
  for (const char *p = strchr(sql, '$'); p != NULL; p = strchr(p + 1, '$')) {
    if (!isdigit((unsigned char)p[1]))
      continue;
    long n = strtol(p + 1, NULL, 10);
    if (n > max)
      max = (int)n;
  }
  return max;
}

/* Rows for highest_param itself, so the check below counts what it means to. */
static void test_highest_param_reads_the_text(void **state)
{
  struct {
    const char *sql;
    int want;
  } rows[] = {
      {"SELECT 1", 0},
      {"SELECT $1", 1},
      {"SELECT $2, $1", 2},
      {"SELECT $1::int + $10", 10},
      {"SELECT $$text$$, $3", 3},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    if (highest_param(rows[i].sql) != rows[i].want)
      fail_msg("\"%s\": got %d, want %d", rows[i].sql, highest_param(rows[i].sql), rows[i].want);
}

/* How many statement tables lib/db_areas.h declares (the suites run from the tree's top). */
static size_t declared_areas(void)
{
  char line[256];
  size_t n = 0;
  FILE *f = fopen("lib/db_areas.h", "r");
  assert_non_null(f);
  while (fgets(line, sizeof(line), f) != NULL)
    if (strncmp(line, "extern const struct pd_db_stmt pd_db_", 37) == 0)
      n++;
  fclose(f);
  return n;
}

static void test_every_statement_prepares_with_its_parameters(void **state)
{
  size_t count = 0, areas = 0;
  int failures = 0;
  for (size_t a = 0; pd_db_areas[a] != NULL; a++, areas++) {
    if (pd_db_areas[a][0].name == NULL) {
      fprintf(stderr, "area %zu has no statements\n", a);
      failures++;
    }
    for (const struct pd_db_stmt *s = pd_db_areas[a]; s->name != NULL; s++, count++) {
      PGresult *r = PQprepare(pg, s->name, s->sql, 0, NULL);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "%s does not prepare: %s", s->name, PQresultErrorMessage(r));
        failures++;
        PQclear(r);
        continue;
      }
      PQclear(r);
      r = PQdescribePrepared(pg, s->name);
      if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "%s cannot be described: %s", s->name, PQresultErrorMessage(r));
        failures++;
      } else if (PQnparams(r) != highest_param(s->sql)) {
        fprintf(stderr, "%s: PostgreSQL sees %d parameters, the text goes up to $%d\n", s->name,
                PQnparams(r), highest_param(s->sql));
        failures++;
      }
      PQclear(r);
    }
  }
  printf("e2e_statements: %zu statements in %zu areas\n", count, areas);
  /* Every table db_areas.h declares is in the list (a new area's table left out would never be
   * prepared). */
  assert_int_equal(areas, declared_areas());
  assert_true(count > areas);
  assert_int_equal(failures, 0);
}

static void test_names_are_unique_across_tables(void **state)
{
  int dups = 0;
  for (size_t a = 0; pd_db_areas[a] != NULL; a++)
    for (const struct pd_db_stmt *s = pd_db_areas[a]; s->name != NULL; s++)
      for (size_t b = a; pd_db_areas[b] != NULL; b++)
        for (const struct pd_db_stmt *t = b == a ? s + 1 : pd_db_areas[b]; t->name != NULL; t++)
          if (strcmp(s->name, t->name) == 0) {
            fprintf(stderr, "statement name %s is used twice (areas %zu and %zu)\n", s->name, a, b);
            dups++;
          }
  assert_int_equal(dups, 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_highest_param_reads_the_text),
      PD_E2E_TEST(test_names_are_unique_across_tables),
      PD_E2E_TEST(test_every_statement_prepares_with_its_parameters),
  };
  return cmocka_run_group_tests_name("e2e_statements", tests, setup, teardown);
}
