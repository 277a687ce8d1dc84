/* e2e_ledger.c - lib/db_ledger.c against a real PostgreSQL migrated by `popdeck migrate`: a move
 * refused for want of funds writes nothing at all, so a caller that goes on and commits (the
 * transaction is not aborted) has moved nothing; a move with the funds writes both balances and
 * two rows that sum to zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_ledger.h"
#include "e2e.h"

static struct pd_e2e E;

static int setup(void **state)
{
  return pd_e2e_setup(&E, "ledger");
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

static int64_t value(struct pd_db *db, const char *sql)
{
  PGresult *r = PQexec(db->pg, sql);
  int64_t v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
                  ? strtoll(PQgetvalue(r, 0, 0), NULL, 10)
                  : -1;
  PQclear(r);
  return v;
}

static void test_refused_move_credits_nobody(void **state)
{
  struct pd_db *db = NULL;
  int64_t op = 0, bal[3] = {0, 0, 0};
  assert_int_equal(pd_db_open(E.db_url, 0, true, &db, NULL, 0), PD_OK);
  assert_int_equal(pd_db_exec_sql(db, "INSERT INTO users (id, discord_id) VALUES (91001, "
                                      "'791000000000000001'), (91002, '791000000000000002')"),
                   PD_OK);
  assert_int_equal(pd_db_exec_sql(db, "BEGIN"), PD_OK);
  assert_int_equal(pd_ledger_op_new(db, &op), PD_OK);
  /* 91001 has nothing: refused, and the receiver is not credited either. */
  assert_int_equal(pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(91001), PD_PLAYER_ACCT(91002),
                                  PD_NOTES, 100, NULL, NULL, bal),
                   PD_E_CHECK);
  assert_int_equal(value(db, "SELECT coins FROM users WHERE id = 91002"), 0);
  /* The transaction goes on (the refusal did not abort it) and commits: nothing moved. */
  assert_int_equal(pd_db_exec_sql(db, "COMMIT"), PD_OK);
  assert_int_equal(value(db, "SELECT coins FROM users WHERE id = 91002"), 0);
  assert_int_equal(value(db, "SELECT count(*) FROM ledger WHERE user_id IN (91001, 91002)"), 0);

  /* With the funds: both sides and two rows summing to zero. */
  assert_int_equal(pd_db_exec_sql(db, "BEGIN"), PD_OK);
  assert_int_equal(pd_ledger_game(db, &(struct pd_player){.id = 91001}, PD_ACCT_GRANTS, PD_NOTES,
                                  150, "grant", NULL, NULL),
                   PD_OK);
  assert_int_equal(pd_ledger_op_new(db, &op), PD_OK);
  assert_int_equal(pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(91001), PD_PLAYER_ACCT(91002),
                                  PD_NOTES, 100, NULL, NULL, bal),
                   PD_OK);
  assert_int_equal(bal[0], 100);
  assert_int_equal(pd_db_exec_sql(db, "COMMIT"), PD_OK);
  assert_int_equal(value(db, "SELECT coins FROM users WHERE id = 91001"), 50);
  assert_int_equal(value(db, "SELECT coins FROM users WHERE id = 91002"), 100);
  char sql[128];
  snprintf(sql, sizeof(sql), "SELECT sum(amount) FROM ledger WHERE op_id = %lld", (long long)op);
  assert_int_equal(value(db, sql), 0);
  pd_db_close(db);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_refused_move_credits_nobody),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
