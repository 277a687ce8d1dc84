/* e2e_ledger.c - the ledger and `popdeck audit`, end to end: /daily through the real server
 * writes one operation of two rows with the 'rewards' account; the audit passes a clean database
 * and names what is wrong in a broken one (a balance changed without a row, a row changed, an
 * operation that does not sum to zero, a game account below zero, a listed copy without its
 * listing); an incremental run checks every balance, not only the accounts with new rows; and
 * migrate's partitions take a row out of the default partition.  Each test puts back what it
 * broke: the harness audits the database after every test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "db_ledger.h"
#include "e2e.h"

static struct pd_e2e E;

#define PLAYER "700000000000001001"

static int setup(void **state)
{
  char cmd[2048];
  if (pd_e2e_setup(&E, "ledger") != 0)
    return -1;
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" %s/popdeck seed demo --limit 1 >/dev/null",
           E.db_url, E.cards_dir, E.build);
  return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

/* Runs the audit and checks its exit status and that its output contains want. */
static void audit_says(const char *args, int status, const char *want)
{
  char out[4096];
  int st = pd_e2e_audit(&E, args, out, sizeof(out));
  if (st != status || strstr(out, want) == NULL)
    fail_msg("popdeck audit %s: exit %d (want %d), said: %s (want \"%s\")", args, st, status, out,
             want);
}

static int64_t player_id(void)
{
  return pd_e2e_sql_int(&E, "SELECT id FROM users WHERE discord_id = '" PLAYER "'");
}

static void test_daily_is_one_op_of_two_rows(void **state)
{
  json_t *ix = pd_e2e_command("daily", PLAYER), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  json_decref(reply);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(DISTINCT op_id) FROM ledger"), 1);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM ledger"), 2);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT sum(amount) FROM ledger"), 0);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT -amount FROM ledger WHERE system_account = 'rewards'"),
      pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '" PLAYER "'"));
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM ledger l JOIN users u ON u.id = "
                                      "l.user_id WHERE u.discord_id = '" PLAYER "' AND amount > 0"),
                   1);
  audit_says("", 0, "audit: clean: ");
  audit_says("--full", 0, "2 ledger rows checked");
}

static void test_balance_changed_without_a_row(void **state)
{
  char want[128];
  int64_t coins = pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '" PLAYER "'");
  assert_true(pd_e2e_sql(&E, "UPDATE users SET coins = coins + 1 WHERE discord_id = '" PLAYER "'"));
  snprintf(want, sizeof(want),
           "audit: player %lld (discord " PLAYER ") notes: balance %lld, ledger %lld",
           (long long)player_id(), (long long)coins + 1, (long long)coins);
  audit_says("", 1, want);
  audit_says("--full", 1, want);
  assert_true(pd_e2e_sql(&E, "UPDATE users SET coins = coins - 1 WHERE discord_id = '" PLAYER "'"));
  audit_says("", 0, "audit: clean");
}

static void test_ledger_row_changed(void **state)
{
  char want[128];
  int64_t coins = pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '" PLAYER "'");
  assert_true(pd_e2e_sql(&E, "UPDATE ledger SET amount = amount + 5 WHERE user_id = (SELECT id "
                             "FROM users WHERE discord_id = '" PLAYER "')"));
  /* The player's balance is the first account that disagrees. */
  snprintf(want, sizeof(want),
           "audit: player %lld (discord " PLAYER ") notes: balance %lld, ledger %lld",
           (long long)player_id(), (long long)coins, (long long)coins + 5);
  audit_says("--full", 1, want);
  assert_true(pd_e2e_sql(&E, "UPDATE ledger SET amount = amount - 5 WHERE user_id = (SELECT id "
                             "FROM users WHERE discord_id = '" PLAYER "')"));
  audit_says("--full", 0, "audit: clean");
}

static void test_op_that_does_not_sum_to_zero(void **state)
{
  char want[128];
  /* A game account that issues currency, alone in its operation: no balance disagrees, the
   * operation does. */
  assert_true(pd_e2e_sql(&E, "INSERT INTO ledger (op_id, kind, system_account, currency, amount)"
                             " VALUES (nextval('ledger_op_seq'), 'grant', 'grants', 'discs', 7)"));
  int64_t op = pd_e2e_sql_int(&E, "SELECT op_id FROM ledger WHERE kind = 'grant'");
  snprintf(want, sizeof(want), "audit: op %lld (grant) discs: its rows sum to 7, not 0",
           (long long)op);
  audit_says("", 1, want);
  audit_says("--full", 1, want);
  assert_true(pd_e2e_sql(&E, "DELETE FROM ledger WHERE kind = 'grant'"));

  /* An operation that sums to zero but takes the bank (which issues nothing) below zero. */
  assert_true(pd_e2e_sql(&E, "WITH o AS (SELECT nextval('ledger_op_seq') AS id)"
                             " INSERT INTO ledger (op_id, kind, system_account, currency, amount)"
                             " SELECT o.id, 'fee_refund', s, 'notes', a FROM o,"
                             " (VALUES ('bank', -5), ('refunds', 5)) v(s, a)"));
  audit_says("", 1, "audit: game account bank notes: its rows sum to -5, below zero");
  assert_true(pd_e2e_sql(&E, "DELETE FROM ledger WHERE kind = 'fee_refund'"));
  audit_says("", 0, "audit: clean");
}

static void test_listed_copy_without_a_listing(void **state)
{
  char want[160];
  /* Fixture rows by SQL: a copy in escrow with no listing holding it. */
  assert_true(pd_e2e_sql(&E, "INSERT INTO user_cards (user_id, template_id, print_no, state)"
                             " SELECT u.id, (SELECT min(id) FROM card_templates), 900001, 'listed'"
                             " FROM users u WHERE u.discord_id = '" PLAYER "'"));
  int64_t copy = pd_e2e_sql_int(&E, "SELECT id FROM user_cards WHERE print_no = 900001");
  snprintf(want, sizeof(want),
           "audit: copy %lld (card %lld #900001, player %lld (discord " PLAYER
           "), listed) has 0 active listings by its owner",
           (long long)copy, (long long)pd_e2e_sql_int(&E, "SELECT min(id) FROM card_templates"),
           (long long)player_id());
  audit_says("", 1, want);
  /* A listing by someone else does not hold it either. */
  assert_true(pd_e2e_sql(&E, "INSERT INTO users (discord_id) VALUES ('700000000000001002')"));
  assert_true(pd_e2e_sql(&E, "INSERT INTO market_listings (user_card_id, seller_id, card_id, price,"
                             " currency, scope, expires_at) SELECT uc.id, u.id, uc.card_id, 10,"
                             " 'notes', 'global', now() + interval '7 days' FROM user_cards uc,"
                             " users u WHERE uc.print_no = 900001 AND u.discord_id = "
                             "'700000000000001002'"));
  audit_says("", 1, want);
  /* Its owner's listing does: clean. */
  assert_true(pd_e2e_sql(&E, "UPDATE market_listings SET seller_id = (SELECT id FROM users"
                             " WHERE discord_id = '" PLAYER "')"));
  audit_says("", 0, "audit: clean");
  assert_true(pd_e2e_sql(&E, "UPDATE market_listings SET status = 'unlisted'"));
  assert_true(pd_e2e_sql(&E, "UPDATE user_cards SET state = 'free' WHERE print_no = 900001"));
}

/* The checkpoint covers rows dated before its horizon; a later run reads none of them, yet a
 * balance changed after the checkpoint is still compared with checkpoint + rows after. */
static void test_incremental_run_checks_every_balance(void **state)
{
  char want[128];
  assert_true(pd_e2e_sql(&E, "UPDATE ledger SET at = at - interval '1 hour'"));
  audit_says("--full", 0, "audit: clean");
  audit_says("", 0, "0 ledger rows checked");
  audit_says("", 0, "rows since the last checkpoint");
  int64_t coins = pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '" PLAYER "'");
  assert_true(pd_e2e_sql(&E, "UPDATE users SET coins = coins + 3 WHERE discord_id = '" PLAYER "'"));
  snprintf(want, sizeof(want),
           "audit: player %lld (discord " PLAYER ") notes: balance %lld, ledger %lld",
           (long long)player_id(), (long long)coins + 3, (long long)coins);
  audit_says("", 1, want);
  /* The failed run left no checkpoint: the next one still starts from the clean one. */
  assert_true(pd_e2e_sql(&E, "UPDATE users SET coins = coins - 3 WHERE discord_id = '" PLAYER "'"));
  audit_says("", 0, "0 ledger rows checked");
  /* A row written now with an old date (a higher id than the checkpoint saw) is read too. */
  assert_true(pd_e2e_sql(&E, "WITH o AS (SELECT nextval('ledger_op_seq') AS id)"
                             " INSERT INTO ledger (op_id, at, kind, system_account, currency,"
                             " amount) SELECT o.id, now() - interval '2 hours', 'late', 'grants',"
                             " 'gems', 4 FROM o"));
  audit_says("", 1, "(late) gems: its rows sum to 4, not 0");
  assert_true(pd_e2e_sql(&E, "DELETE FROM ledger WHERE kind = 'late'"));
}

/* A row dated in a month that has no partition goes to the default partition (it is never
 * refused); the next migrate makes the month and moves the row into it. */
static void test_migrate_makes_the_missing_partition(void **state)
{
  char part[64], sql[512], cmd[2048];
  pd_e2e_sql_text(&E,
                  "SELECT 'ledger_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC')"
                  " + interval '3 months', 'YYYY_MM')",
                  part, sizeof(part));
  snprintf(sql, sizeof(sql), "DROP TABLE %s", part);
  assert_true(pd_e2e_sql(&E, sql));
  assert_true(pd_e2e_sql(
      &E, "WITH o AS (SELECT nextval('ledger_op_seq') AS id), u AS (UPDATE users SET coins ="
          " coins + 10 WHERE discord_id = '" PLAYER "' RETURNING id)"
          " INSERT INTO ledger (op_id, at, kind, user_id, system_account, currency, amount)"
          " SELECT o.id, date_trunc('month', now()) + interval '3 months 2 days', 'daily', v.u,"
          " v.s, 'notes', v.a FROM o, u, LATERAL (VALUES (u.id, NULL, 10), (NULL, 'rewards',"
          " -10)) v(u, s, a)"));
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM ledger_default"), 2);
  audit_says("", 0, "audit: clean");
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=\"%s\" %s/popdeck migrate | grep -q '^migrate: 1 ledger partition made'",
           E.db_url, E.build);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM ledger_default"), 0);
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", part);
  assert_int_equal(pd_e2e_sql_int(&E, sql), 2);
  audit_says("--full", 0, "audit: clean");
  /* Every run makes what is missing; nothing is missing now. */
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=\"%s\" %s/popdeck migrate | grep -q '^migrate: 0 ledger partitions made'",
           E.db_url, E.build);
  assert_int_equal(system(cmd), 0);
}

static void test_usage_and_configuration(void **state)
{
  char cmd[2048];
  snprintf(cmd, sizeof(cmd), "DATABASE_URL=\"%s\" %s/popdeck audit --bogus >/dev/null 2>&1",
           E.db_url, E.build);
  assert_int_equal(WEXITSTATUS(system(cmd)), 2);
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=nonsense:// %s/popdeck audit 2>&1 | grep -q '^DATABASE_URL: is not'",
           E.build);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd), "DATABASE_URL=nonsense:// %s/popdeck audit >/dev/null 2>&1", E.build);
  assert_int_equal(WEXITSTATUS(system(cmd)), 2);
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL='postgresql:///popdeck?host=/nonexistent-popdeck-socket'"
           " %s/popdeck audit >/dev/null 2>&1",
           E.build);
  assert_int_equal(WEXITSTATUS(system(cmd)), 2);
}

/* pd_ledger_pay_many (an admin's refund of every owner of a card): each payment its own
 * operation of two rows, every balance updated, in one statement; a player twice or a player
 * who does not exist writes nothing that lasts. */
static void test_pay_many(void **state)
{
  struct pd_db *db = NULL;
  json_t *ops = NULL;
  assert_int_equal(pd_db_open(E.db_url, 0, true, &db, NULL, 0), PD_OK);
  int64_t a = pd_e2e_sql_int(&E, "INSERT INTO users (discord_id) VALUES ('700000000000001101')"
                                 " RETURNING id"),
          b = pd_e2e_sql_int(&E, "INSERT INTO users (discord_id) VALUES ('700000000000001102')"
                                 " RETURNING id");
  json_t *twice = json_pack("[{s:I, s:i}, {s:I, s:i}]", "user", (json_int_t)a, "amount", 5, "user",
                            (json_int_t)a, "amount", 7);
  json_t *ghost = json_pack("[{s:I, s:i}, {s:i, s:i}]", "user", (json_int_t)a, "amount", 5, "user",
                            999999999, "amount", 7);
  json_t *good = json_pack("[{s:I, s:i, s:{s:i}}, {s:I, s:i}]", "user", (json_int_t)a, "amount", 40,
                           "meta", "copies", 1, "user", (json_int_t)b, "amount", 80);
  assert_int_equal(pd_db_exec_sql(db, "BEGIN"), PD_OK);
  assert_int_equal(pd_ledger_pay_many(db, "refunds", "test_refund", PD_NOTES, twice, NULL, &ops),
                   PD_E_INVALID);
  json_decref(ops);
  assert_int_equal(pd_ledger_pay_many(db, "refunds", "test_refund", PD_NOTES, ghost, NULL, &ops),
                   PD_E_NOTFOUND);
  json_decref(ops);
  assert_int_equal(pd_db_exec_sql(db, "ROLLBACK"), PD_OK);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM ledger WHERE kind = 'test_refund'"), 0);
  assert_int_equal(pd_db_exec_sql(db, "BEGIN"), PD_OK);
  json_t *why = json_pack("{s:s}", "why", "test");
  assert_int_equal(pd_ledger_pay_many(db, "refunds", "test_refund", PD_NOTES, good, why, &ops),
                   PD_OK);
  json_decref(why);
  assert_int_equal(pd_db_exec_sql(db, "COMMIT"), PD_OK);
  char key[24];
  snprintf(key, sizeof(key), "%lld", (long long)a);
  int64_t op_a = json_integer_value(json_object_get(ops, key));
  snprintf(key, sizeof(key), "%lld", (long long)b);
  int64_t op_b = json_integer_value(json_object_get(ops, key));
  assert_true(op_a > 0 && op_b > 0 && op_a != op_b);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT coins FROM users WHERE id = %lld", (long long)a), 40);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT coins FROM users WHERE id = %lld", (long long)b), 80);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM ledger WHERE op_id = %lld AND"
                               " ((user_id = %lld AND amount = 40 AND meta->>'copies' = '1')"
                               " OR (system_account = 'refunds' AND amount = -40))",
                               (long long)op_a, (long long)a),
                   2);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM ledger WHERE op_id = %lld AND"
                               " meta->>'why' = 'test' AND abs(amount) = 80",
                               (long long)op_b),
                   2);
  json_decref(ops);
  json_decref(twice);
  json_decref(ghost);
  json_decref(good);
  pd_db_close(db);
  audit_says("--full", 0, "audit: clean: ");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_daily_is_one_op_of_two_rows),
      PD_E2E_TEST(test_balance_changed_without_a_row),
      PD_E2E_TEST(test_ledger_row_changed),
      PD_E2E_TEST(test_op_that_does_not_sum_to_zero),
      PD_E2E_TEST(test_listed_copy_without_a_listing),
      PD_E2E_TEST(test_incremental_run_checks_every_balance),
      PD_E2E_TEST(test_migrate_makes_the_missing_partition),
      PD_E2E_TEST(test_usage_and_configuration),
      PD_E2E_TEST(test_pay_many),
  };
  return cmocka_run_group_tests_name("e2e_ledger", tests, setup, teardown);
}
