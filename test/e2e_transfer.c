/* e2e_transfer.c - /transfer_data end to end against two real `popdeck serve` processes: every
 * refusal (bots, yourself, nothing to move, an open trade on either side, once per 30 days, a
 * request already waiting), a move into a new account (Accept by the target only), a merge
 * (both choose Merge; balances added, copies united, the later cooldown kept), Cancel, expiry
 * by the sweeper, and races on both servers: a double-clicked Accept (one move), and a gift
 * racing the move (everything ends in exactly one place).  The books are checked after every
 * round. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static int races;

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "transfer") != 0 || pd_e2e_server_start(&E, 1, NULL) != 0)
    return -1;
  return pd_e2e_seed_demo(&E, 2);
}

static int teardown(void **state)
{
  printf("e2e_transfer: %d races\n", races);
  pd_e2e_teardown(&E);
  return 0;
}

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

static void contains(json_t *reply, const char *needle)
{
  const char *t = pd_ge_text(reply);
  if (strstr(t, needle) == NULL)
    fail_msg("\"%s\" not in \"%s\"", needle, t);
}

static void books_ok(void)
{
  assert_string_equal(pd_ge_books(&E), "");
}

static json_t *transfer(const char *from, const char *to, int bot, int srv)
{
  json_t *ix = pd_ge_command("transfer_data", NULL, from);
  pd_ge_option(ix, "target", 6, json_string(to), bot);
  json_t *r = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return r;
}

static json_t *press(const char *custom_id, const char *user, int srv)
{
  json_t *ix = pd_e2e_button(custom_id, user);
  json_t *r = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return r;
}

static int64_t uid(const char *discord)
{
  return sqlf("SELECT id FROM users WHERE discord_id = '%s'", discord);
}

static int64_t copies_of(const char *discord)
{
  return sqlf("SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id WHERE"
              " u.discord_id = '%s' AND c.state <> 'gone'",
              discord);
}

/* A listing of copy by its owner (set-up: the market helper's commands are not on this
 * branch). */
static void list_copy(const char *owner, int64_t copy)
{
  sqlf("UPDATE user_cards SET state = 'listed' WHERE id = %lld RETURNING 1", (long long)copy);
  sqlf("INSERT INTO market_listings (user_card_id, seller_id, card_id, price, currency, scope,"
       " expires_at) SELECT id, user_id, card_id, 50, 'notes', 'global', now() + interval '7 days'"
       " FROM user_cards WHERE id = %lld RETURNING 1",
       (long long)copy);
}

static void test_transfer_refusals(void **state)
{
  const char *A = "730000000000000001", *B = "730000000000000002", *C = "730000000000000003";
  char ref[48];
  pd_ge_player(&E, A, 30);
  json_t *r = transfer(A, "730000000000000099", 1, 0);
  contains(r, "Bots can't hold a PopDeck account");
  json_decref(r);
  r = transfer(A, A, 0, 1);
  contains(r, "That is this account");
  json_decref(r);
  r = transfer(A, B, 0, 0);
  contains(r, "Your account has nothing to move yet.");
  json_decref(r);
  pd_ge_copy(&E, A, "common", 0, ref);
  /* An open trade, on either side. */
  pd_ge_player(&E, C, 30);
  sqlf("WITH t AS (INSERT INTO trades (a_id, b_id, expires_at) VALUES (%lld, %lld, now() +"
       " interval '15 minutes') RETURNING id) INSERT INTO trade_players SELECT x, t.id FROM t,"
       " unnest(ARRAY[%lld, %lld]) x RETURNING 1",
       (long long)uid(A), (long long)uid(C), (long long)uid(A), (long long)uid(C));
  r = transfer(A, B, 0, 0);
  contains(r, "<@730000000000000001> has an open trade, so the account can't move now. Finish it "
              "with `/trade confirm` or end it with `/trade cancel`");
  json_decref(r);
  pd_ge_player(&E, B, 30);
  r = transfer(B, C, 0, 1);
  contains(r, "Your account has nothing to move yet.");
  json_decref(r);
  pd_ge_grant(&E, B, "notes", 5);
  r = transfer(B, C, 0, 1);
  contains(r, "<@730000000000000003> has an open trade");
  json_decref(r);
  assert_true(pd_e2e_sql(&E, "DELETE FROM trade_players"));
  /* A transfer made 10 days ago by the target: refused until day 30. */
  sqlf("INSERT INTO data_transfers (from_user, to_user, to_discord_id, mode, status, expires_at,"
       " closed_at) VALUES (%lld, %lld, '%s', 'move', 'done', now(), now() - interval '10 days')"
       " RETURNING 1",
       (long long)uid(C), (long long)uid(A), A);
  r = transfer(B, C, 0, 0);
  contains(r, "An account can move data once every 30 days, and one of these two did lately. The "
              "next transfer can be made <t:");
  json_decref(r);
  /* One request at a time. */
  r = transfer(A, B, 0, 0);
  contains(r, "An account can move data once every 30 days");
  json_decref(r);
  assert_true(pd_e2e_sql(&E, "DELETE FROM data_transfers"));
  r = transfer(B, "730000000000000004", 0, 0);
  contains(r, "wants to move their whole PopDeck account");
  json_decref(r);
  r = transfer(B, "730000000000000005", 0, 1);
  contains(r, "You already asked to move your account to <@730000000000000004>");
  json_decref(r);
  assert_int_equal(sqlf("SELECT count(*) FROM data_transfers"), 1);
  books_ok();
}

static void test_move_into_a_new_account(void **state)
{
  const char *A = "730000000000000011", *T = "730000000000000012", *X = "730000000000000013";
  char ref[48];
  pd_ge_player(&E, A, 30);
  pd_ge_grant(&E, A, "notes", 700);
  pd_ge_grant(&E, A, "discs", 4);
  int64_t c1 = pd_ge_copy(&E, A, "common", 0, ref);
  int64_t c2 = pd_ge_copy(&E, A, "rare", 0, ref);
  int64_t c3 = pd_ge_copy(&E, A, "epic", 0, ref);
  sqlf("UPDATE user_cards SET state = 'locked' WHERE id = %lld RETURNING 1", (long long)c2);
  list_copy(A, c3);
  sqlf("UPDATE user_cards SET state = 'gone' WHERE id = %lld RETURNING 1", (long long)c1);
  int64_t c4 = pd_ge_copy(&E, A, "common", 1, ref);
  sqlf("INSERT INTO user_cooldowns (user_id, command, expires_at) VALUES (%lld, 'daily', now() +"
       " interval '5 hours') RETURNING 1",
       (long long)uid(A));
  json_t *r = transfer(A, T, 0, 0);
  assert_false(pd_e2e_ephemeral(r));
  contains(r, "<@730000000000000012>, press **Accept** before <t:");
  char accept[64], cancel[64];
  snprintf(accept, sizeof(accept), "%s", pd_ge_button(r, 0, 0));
  snprintf(cancel, sizeof(cancel), "%s", pd_ge_button(r, 0, 1));
  assert_int_equal(strncmp(accept, "transfer_data:accept:", 21), 0);
  json_decref(r);
  /* Only the target accepts; strangers may not press at all. */
  r = press(accept, A, 1);
  contains(r, "Only <@730000000000000012> can accept this transfer.");
  json_decref(r);
  r = press(accept, X, 0);
  contains(r, "Only <@730000000000000011> and <@730000000000000012> can answer");
  json_decref(r);
  r = press(cancel, X, 0);
  contains(r, "Only <@730000000000000011> and <@730000000000000012> can answer");
  json_decref(r);
  assert_int_equal(copies_of(A), 3);
  r = press(accept, T, 1);
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 7);
  contains(r, "Moved **700 Notes, 4 Discs, 0 Gems**, **3 copies** (1 listings cancelled first)"
              " and 1 cooldowns.");
  json_decref(r);
  r = press(accept, T, 0);
  contains(r, "This transfer is already done.");
  json_decref(r);
  /* Everything is T's: balances, the three copies (the locked one still locked, the listed one
   * free, its listing cancelled); the burned copy stays behind. */
  assert_int_equal(pd_ge_balance(&E, T, "notes"), 700);
  assert_int_equal(pd_ge_balance(&E, T, "discs"), 4);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 0);
  assert_int_equal(pd_ge_balance(&E, A, "discs"), 0);
  assert_int_equal(copies_of(A), 0);
  assert_int_equal(copies_of(T), 3);
  assert_int_equal(
      sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'locked'", (long long)c2),
      1);
  assert_int_equal(
      sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'free'", (long long)c3), 1);
  assert_int_equal(sqlf("SELECT count(*) FROM market_listings WHERE user_card_id = %lld AND"
                        " status = 'cancelled'",
                        (long long)c3),
                   1);
  assert_int_equal(sqlf("SELECT user_id FROM user_cards WHERE id = %lld", (long long)c1), uid(A));
  assert_int_equal(sqlf("SELECT count(*) FROM user_cooldowns WHERE user_id = %lld AND command ="
                        " 'daily'",
                        (long long)uid(T)),
                   1);
  /* One operation: the ledger shows each currency leaving A and reaching T. */
  int64_t op = sqlf("SELECT op_id FROM data_transfers WHERE status = 'done' AND from_user = %lld",
                    (long long)uid(A));
  assert_true(op > 0);
  assert_int_equal(
      sqlf("SELECT count(*) FROM ledger WHERE op_id = %lld AND kind = 'transfer'", (long long)op),
      4);
  assert_int_equal(sqlf("SELECT amount FROM ledger WHERE op_id = %lld AND user_id = %lld AND"
                        " currency = 'notes'",
                        (long long)op, (long long)uid(A)),
                   -700);
  assert_int_equal(sqlf("SELECT count(*) FROM card_moves WHERE op_id = %lld AND kind = 'transfer'"
                        " AND to_user = %lld",
                        (long long)op, (long long)uid(T)),
                   3);
  assert_int_equal(sqlf("SELECT count(*) FROM data_transfers WHERE op_id = %lld AND mode = 'move'"
                        " AND (detail->>'notes')::int = 700 AND (detail->>'copies')::int = 3 AND"
                        " (detail->>'listings_cancelled')::int = 1 AND to_user = %lld",
                        (long long)op, (long long)uid(T)),
                   1);
  assert_true(c4 > 0);
  /* Once per 30 days, for both accounts. */
  r = transfer(T, X, 0, 0);
  contains(r, "An account can move data once every 30 days");
  json_decref(r);
  books_ok();
}

static void test_merge_needs_both(void **state)
{
  const char *A = "730000000000000021", *T = "730000000000000022";
  char ref[48];
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, T, 30);
  pd_ge_grant(&E, A, "notes", 300);
  pd_ge_grant(&E, T, "notes", 50);
  pd_ge_grant(&E, T, "gems", 2);
  pd_ge_copy(&E, A, "common", 0, ref);
  pd_ge_copy(&E, A, "common", 0, ref);
  pd_ge_copy(&E, T, "rare", 1, ref);
  sqlf("INSERT INTO user_cooldowns (user_id, command, expires_at) VALUES (%lld, 'daily', now() +"
       " interval '2 hours'), (%lld, 'daily', now() + interval '9 hours'), (%lld, 'openpack',"
       " now() + interval '3 minutes') RETURNING 1",
       (long long)uid(A), (long long)uid(T), (long long)uid(A));
  /* Asked and cancelled by the target: nothing moves. */
  json_t *r = transfer(A, T, 0, 0);
  contains(r, "who already has PopDeck data. If both choose **Merge**");
  char merge[64], cancel[64];
  snprintf(merge, sizeof(merge), "%s", pd_ge_button(r, 0, 0));
  snprintf(cancel, sizeof(cancel), "%s", pd_ge_button(r, 0, 1));
  assert_int_equal(strncmp(merge, "transfer_data:merge:", 20), 0);
  json_decref(r);
  r = press(merge, A, 0);
  contains(r, "<@730000000000000021> chose **Merge**. Waiting for <@730000000000000022>");
  json_decref(r);
  r = press(cancel, T, 1);
  contains(r, "<@730000000000000022> cancelled the transfer: nothing moved.");
  json_decref(r);
  r = press(merge, T, 0);
  contains(r, "This transfer is already cancelled.");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, T, "notes"), 50);
  /* Asked again: both choose Merge, in either order. */
  r = transfer(A, T, 0, 1);
  snprintf(merge, sizeof(merge), "%s", pd_ge_button(r, 0, 0));
  json_decref(r);
  r = press(merge, T, 1);
  contains(r, "Waiting for <@730000000000000021>");
  json_decref(r);
  r = press(merge, T, 0);
  contains(r, "Waiting for <@730000000000000021>");
  json_decref(r);
  r = press(merge, A, 0);
  contains(r, "is merged into <@730000000000000022>'s. Moved **300 Notes, 0 Discs, 0 Gems**, **2 "
              "copies**");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, T, "notes"), 350);
  assert_int_equal(pd_ge_balance(&E, T, "gems"), 2);
  assert_int_equal(copies_of(T), 3);
  assert_int_equal(copies_of(A), 0);
  /* The later cooldown wins: T's daily stays at 9 hours; A's running openpack came along. */
  assert_int_equal(sqlf("SELECT round(extract(epoch FROM expires_at - now()) / 3600) FROM"
                        " user_cooldowns WHERE user_id = %lld AND command = 'daily'",
                        (long long)uid(T)),
                   9);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cooldowns WHERE user_id = %lld AND command ="
                        " 'openpack'",
                        (long long)uid(T)),
                   1);
  books_ok();
}

static void test_unanswered_request_expires(void **state)
{
  const char *A = "730000000000000031", *T = "730000000000000032";
  pd_ge_player(&E, A, 30);
  pd_ge_grant(&E, A, "notes", 10);
  json_t *r = transfer(A, T, 0, 0);
  char accept[64];
  snprintf(accept, sizeof(accept), "%s", pd_ge_button(r, 0, 0));
  json_decref(r);
  sqlf("UPDATE data_transfers SET expires_at = now() - interval '1 second' WHERE from_user = %lld"
       " AND status = 'pending' RETURNING 1",
       (long long)uid(A));
  r = press(accept, T, 1);
  contains(r, "This transfer expired unanswered.");
  json_decref(r);
  /* The sweeper (every 5 s, on both servers' workers) closes it. */
  int64_t st = 0;
  for (int i = 0; i < 60 && st != 1; i++) {
    usleep(250000);
    st = sqlf("SELECT count(*) FROM data_transfers WHERE from_user = %lld AND status = 'expired'"
              " AND closed_at IS NOT NULL",
              (long long)uid(A));
  }
  assert_int_equal(st, 1);
  r = press(accept, T, 0);
  contains(r, "This transfer is already expired.");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 10);
  /* A new request may be made right away. */
  r = transfer(A, T, 0, 1);
  contains(r, "press **Accept**");
  json_decref(r);
  books_ok();
}

struct shot {
  char custom_id[64];
  const char *user;
  int srv;
  json_t *ix;
  json_t *reply;
};

static void *shoot(void *arg)
{
  struct shot *s = arg;
  s->reply = s->ix != NULL ? pd_ge_post(&E, s->srv, s->ix) : press(s->custom_id, s->user, s->srv);
  return NULL;
}

static void fire(struct shot *s, int n)
{
  pthread_t t[8];
  for (int i = 0; i < n; i++)
    pthread_create(&t[i], NULL, shoot, &s[i]);
  for (int i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  races++;
}

/* Accept pressed four times at once on both servers: one move, the others told it is done. */
static void test_race_double_clicked_accept(void **state)
{
  enum { ROUNDS = 15, N = 4 };
  char A[32], T[32], ref[48];
  for (int round = 0; round < ROUNDS; round++) {
    snprintf(A, sizeof(A), "7300000000000001%02d", round);
    snprintf(T, sizeof(T), "7300000000000002%02d", round);
    pd_ge_player(&E, A, 30);
    pd_ge_grant(&E, A, "notes", 100 + round);
    pd_ge_copy(&E, A, "common", round % 2, ref);
    json_t *r = transfer(A, T, 0, round % 2);
    struct shot s[N];
    for (int i = 0; i < N; i++) {
      snprintf(s[i].custom_id, sizeof(s[i].custom_id), "%s", pd_ge_button(r, 0, 0));
      s[i].user = T;
      s[i].srv = i % 2;
      s[i].ix = NULL;
    }
    json_decref(r);
    fire(s, N);
    int done = 0, told = 0;
    for (int i = 0; i < N; i++) {
      if (json_integer_value(json_object_get(s[i].reply, "type")) == 7)
        done++;
      else if (strstr(pd_ge_text(s[i].reply), "already done") != NULL)
        told++;
      json_decref(s[i].reply);
    }
    assert_int_equal(done, 1);
    assert_int_equal(told, N - 1);
    assert_int_equal(pd_ge_balance(&E, T, "notes"), 100 + round);
    assert_int_equal(pd_ge_balance(&E, A, "notes"), 0);
    assert_int_equal(copies_of(T), 1);
    assert_int_equal(sqlf("SELECT count(*) FROM data_transfers WHERE status = 'done' AND to_user ="
                          " %lld",
                          (long long)uid(T)),
                     1);
    books_ok();
  }
}

/* The source gives a copy and Notes away while the target accepts: whichever runs first, each
 * Note and the copy end in exactly one account. */
static void test_race_gift_during_transfer(void **state)
{
  enum { ROUNDS = 15 };
  char A[32], T[32], G[32], ref[48];
  int gift_first = 0, move_first = 0;
  for (int round = 0; round < ROUNDS; round++) {
    snprintf(A, sizeof(A), "7300000000000003%02d", round);
    snprintf(T, sizeof(T), "7300000000000004%02d", round);
    snprintf(G, sizeof(G), "7300000000000005%02d", round);
    pd_ge_player(&E, A, 30);
    pd_ge_player(&E, G, 30);
    pd_ge_grant(&E, A, "notes", 500);
    int64_t copy = pd_ge_copy(&E, A, "rare", round % 2, ref);
    char gref[48];
    snprintf(gref, sizeof(gref), "%s", ref); /* the gifted copy */
    pd_ge_copy(&E, A, "common", 0, ref);
    json_t *r = transfer(A, T, 0, round % 2);
    struct shot s[2] = {{.user = T, .srv = round % 2}, {.srv = 1 - round % 2}};
    snprintf(s[0].custom_id, sizeof(s[0].custom_id), "%s", pd_ge_button(r, 0, 0));
    json_decref(r);
    s[0].ix = NULL;
    s[1].ix = pd_ge_command("gift", NULL, A);
    pd_ge_option(s[1].ix, "user", 6, json_string(G), 0);
    pd_ge_option(s[1].ix, "card", 3, json_string(gref), 0);
    pd_ge_option(s[1].ix, "notes", 4, json_integer(200), 0);
    fire(s, 2);
    assert_int_equal(json_integer_value(json_object_get(s[0].reply, "type")), 7);
    bool gave = strstr(pd_ge_text(s[1].reply), "gave") != NULL;
    if (gave) {
      gift_first++;
      assert_int_equal(pd_ge_balance(&E, G, "notes"), 200);
      assert_int_equal(pd_ge_balance(&E, T, "notes"), 300);
      assert_int_equal(sqlf("SELECT user_id FROM user_cards WHERE id = %lld", (long long)copy),
                       uid(G));
      assert_int_equal(copies_of(T), 1);
    } else {
      move_first++;
      contains(s[1].reply, "You don't have");
      assert_int_equal(pd_ge_balance(&E, G, "notes"), 0);
      assert_int_equal(pd_ge_balance(&E, T, "notes"), 500);
      assert_int_equal(copies_of(T), 2);
    }
    assert_int_equal(pd_ge_balance(&E, A, "notes"), 0);
    assert_int_equal(copies_of(A), 0);
    json_decref(s[0].reply);
    json_decref(s[1].reply);
    json_decref(s[1].ix);
    books_ok();
  }
  printf("gift during transfer: gift first %d, transfer first %d\n", gift_first, move_first);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_transfer_refusals),          PD_E2E_TEST(test_move_into_a_new_account),
      PD_E2E_TEST(test_merge_needs_both),           PD_E2E_TEST(test_unanswered_request_expires),
      PD_E2E_TEST(test_race_double_clicked_accept), PD_E2E_TEST(test_race_gift_during_transfer),
  };
  return cmocka_run_group_tests_name("e2e_transfer", tests, setup, teardown);
}
