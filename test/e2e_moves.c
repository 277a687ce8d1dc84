/* e2e_moves.c - the ledger's one statement (db_ledger.h) against a real PostgreSQL: a move
 * changes both balances and writes two rows that sum to zero; a move the payer cannot afford
 * writes nothing and leaves the transaction usable; and many transactions spending one
 * balance at once never take it below zero or lose a Note. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "db_ledger.h"
#include "e2e.h"

static struct pd_e2e E;

static int setup(void **state)
{
  return pd_e2e_setup(&E, "moves");
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

static struct pd_db *open_db(void)
{
  struct pd_db *db = NULL;
  char err[256];
  assert_int_equal(pd_db_open(E.db_url, 0, true, &db, err, sizeof(err)), PD_OK);
  return db;
}

static int64_t player(const char *discord_id, int64_t notes)
{
  char sql[512];
  snprintf(sql, sizeof(sql), "INSERT INTO users (discord_id) VALUES ('%s')", discord_id);
  assert_true(pd_e2e_sql(&E, sql));
  snprintf(sql, sizeof(sql), "SELECT id FROM users WHERE discord_id = '%s'", discord_id);
  int64_t id = pd_e2e_sql_int(&E, sql);
  if (notes > 0) { /* funded from the game, through the ledger like everything else */
    struct pd_db *db = open_db();
    struct pd_player p = {.id = id};
    assert_int_equal(pd_ledger_game(db, &p, PD_ACCT_GRANTS, PD_NOTES, notes, "grant", NULL, NULL),
                     PD_OK);
    assert_int_equal(p.notes, notes);
    pd_db_close(db);
  }
  return id;
}

static int64_t sql_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int64_t sql_int(const char *fmt, ...)
{
  char sql[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  return pd_e2e_sql_int(&E, sql);
}

static void test_move_between_players_sums_to_zero(void **state)
{
  int64_t a = player("800000000000000001", 500), b = player("800000000000000002", 0);
  struct pd_db *db = open_db();
  int64_t op = 0, fb[3] = {0}, tb[3] = {0};
  assert_int_equal(pd_db_exec_sql(db, "BEGIN"), PD_OK);
  assert_int_equal(pd_ledger_op_new(db, &op), PD_OK);
  assert_int_equal(pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(a), PD_PLAYER_ACCT(b), PD_NOTES,
                                  120, NULL, fb, tb),
                   PD_OK);
  assert_int_equal(pd_ledger_move(db, op, "market_fee", PD_PLAYER_ACCT(a),
                                  PD_GAME_ACCT(PD_ACCT_BANK), PD_NOTES, 6, NULL, fb, NULL),
                   PD_OK);
  assert_int_equal(pd_db_exec_sql(db, "COMMIT"), PD_OK);
  assert_int_equal(fb[0], 500 - 120 - 6);
  assert_int_equal(tb[0], 120);
  assert_int_equal(sql_int("SELECT coins FROM users WHERE id = %lld", (long long)a), 374);
  assert_int_equal(sql_int("SELECT coins FROM users WHERE id = %lld", (long long)b), 120);
  assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE op_id = %lld", (long long)op), 4);
  assert_int_equal(sql_int("SELECT sum(amount) FROM ledger WHERE op_id = %lld", (long long)op), 0);
  assert_int_equal(
      sql_int("SELECT amount FROM ledger WHERE op_id = %lld AND system_account = 'bank'",
              (long long)op),
      6);
  pd_db_close(db);
}

static void test_unaffordable_move_writes_nothing(void **state)
{
  int64_t a = player("800000000000000003", 50), b = player("800000000000000004", 0);
  struct pd_db *db = open_db();
  int64_t op = 0, rows = pd_e2e_sql_int(&E, "SELECT count(*) FROM ledger");
  assert_int_equal(pd_db_exec_sql(db, "BEGIN"), PD_OK);
  assert_int_equal(pd_ledger_op_new(db, &op), PD_OK);
  assert_int_equal(pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(a), PD_PLAYER_ACCT(b), PD_NOTES,
                                  51, NULL, NULL, NULL),
                   PD_E_CHECK);
  /* The transaction goes on: the caller can still say how much is missing, or pay less. */
  assert_int_equal(pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(a), PD_PLAYER_ACCT(b), PD_NOTES,
                                  50, NULL, NULL, NULL),
                   PD_OK);
  assert_int_equal(pd_db_exec_sql(db, "COMMIT"), PD_OK);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM ledger"), rows + 2);
  assert_int_equal(sql_int("SELECT coins FROM users WHERE id = %lld", (long long)a), 0);
  /* The refused move credited nothing either: the receiver has exactly what was paid. */
  assert_int_equal(sql_int("SELECT coins FROM users WHERE id = %lld", (long long)b), 50);

  /* Nonsense is refused before any SQL runs. */
  assert_int_equal(pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(a), PD_PLAYER_ACCT(a), PD_NOTES, 1,
                                  NULL, NULL, NULL),
                   PD_E_INVALID);
  assert_int_equal(pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(b), PD_PLAYER_ACCT(a), PD_NOTES, 0,
                                  NULL, NULL, NULL),
                   PD_E_INVALID);
  assert_int_equal(pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(b), PD_PLAYER_ACCT(987654),
                                  PD_NOTES, 1, NULL, NULL, NULL),
                   PD_E_NOTFOUND);
  /* Paying a player who does not exist takes nothing from the payer. */
  assert_int_equal(sql_int("SELECT coins FROM users WHERE id = %lld", (long long)b), 50);
  pd_db_close(db);
}

struct spender {
  int64_t from, to;
  enum pd_result rc;
};

static enum pd_result spend(struct pd_db *db, void *arg)
{
  struct spender *s = arg;
  int64_t op = 0;
  enum pd_result rc = pd_ledger_op_new(db, &op);
  if (rc == PD_OK)
    rc = pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(s->from), PD_PLAYER_ACCT(s->to), PD_DISCS,
                        10, NULL, NULL, NULL);
  return rc;
}

static void *spend_thread(void *arg)
{
  struct spender *s = arg;
  struct pd_db *db = NULL;
  char err[256];
  s->rc = pd_db_open(E.db_url, 0, true, &db, err, sizeof(err));
  if (s->rc == PD_OK)
    s->rc = pd_db_tx(db, pd_now_us() + 20000000, spend, s);
  pd_db_close(db);
  return NULL;
}

/* 24 transactions at once, each paying 10 Discs out of a balance of 100, in serializable
 * transactions with retries: exactly 10 succeed, the rest are told the funds are short, and
 * every Disc is accounted for. */
static void test_racing_spends_never_overdraw(void **state)
{
  enum { N = 24 };
  int64_t a = player("800000000000000005", 0), b = player("800000000000000006", 0);
  struct pd_db *db = open_db();
  struct pd_player p = {.id = a};
  assert_int_equal(pd_ledger_game(db, &p, PD_ACCT_GRANTS, PD_DISCS, 100, "grant", NULL, NULL),
                   PD_OK);
  pd_db_close(db);
  struct spender s[N];
  pthread_t t[N];
  for (int i = 0; i < N; i++) {
    s[i] = (struct spender){a, b, PD_OK};
    pthread_create(&t[i], NULL, spend_thread, &s[i]);
  }
  int ok = 0, short_ = 0;
  for (int i = 0; i < N; i++) {
    pthread_join(t[i], NULL);
    ok += s[i].rc == PD_OK;
    short_ += s[i].rc == PD_E_CHECK;
  }
  assert_int_equal(ok, 10);
  assert_int_equal(short_, N - 10);
  assert_int_equal(sql_int("SELECT discs FROM users WHERE id = %lld", (long long)a), 0);
  assert_int_equal(sql_int("SELECT discs FROM users WHERE id = %lld", (long long)b), 100);
  assert_int_equal(sql_int("SELECT coalesce(sum(amount), 0) FROM ledger WHERE user_id = %lld"
                           " AND currency = 'discs'",
                           (long long)b),
                   100);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM (SELECT op_id FROM ledger GROUP BY"
                                      " op_id, currency HAVING sum(amount) <> 0) x"),
                   0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_move_between_players_sums_to_zero),
      PD_E2E_TEST(test_unaffordable_move_writes_nothing),
      PD_E2E_TEST(test_racing_spends_never_overdraw),
  };
  return cmocka_run_group_tests_name("e2e_moves", tests, setup, teardown);
}
