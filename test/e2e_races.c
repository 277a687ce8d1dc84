/* e2e_races.c - races between the economy's features, end to end on two real `popdeck serve`
 * instances and one PostgreSQL: each round fires commands and button presses that reach for
 * the same copy or the same account at once, from both servers, and then checks what the
 * player would see in the database: the copy in exactly one place (one owner, one state, at
 * most one escrow) and the books whole (pd_ge_books: every operation sums to zero, every
 * balance is its ledger rows and never negative, every copy's state matches its escrow).
 * The suites of each feature race it against itself; this one races them against each other:
 * a copy sold, offered, gifted and burned at once; a trade confirmed while its giver sells,
 * gifts and burns the offered copy; /transfer_data accepted while a trade starts, and while a
 * buyer buys the account's listing.  And the farming flags that sales and one-sided trades
 * share with gifts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static int races; /* rounds run, for the summary line */
/* Which side won, so the summary shows both orders happened. */
static int transfer_first, trade_first, sale_first, move_first;

static int setup(void **state)
{
  char env[512];
  int status = 0;
  if (pd_e2e_setup(&E, "races") != 0)
    return -1;
  /* Confirming a trade opens at once after a change here, so a round need not wait 5 s. */
  if (pd_e2e_seed_demo(&E, 2) != 0 ||
      pd_ge_assets_with("e2e_races-assets", "trade_confirm_delay_s", 0, env, sizeof(env)) != 0)
    return -1;
  const char *extra[] = {env, NULL};
  pd_e2e_server_stop(&E, 0, SIGTERM, 10000, &status);
  if (pd_e2e_server_start(&E, 0, extra) != 0 || pd_e2e_server_start(&E, 1, extra) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  printf("e2e_races: %d race rounds (transfer before trade %d, after %d; sale before transfer %d,"
         " after %d)\n",
         races, transfer_first, trade_first, sale_first, move_first);
  pd_e2e_teardown(&E);
  return 0;
}

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

/* Discord ids unique to a test and round. */
static void who(char out[24], int test, int round, int k)
{
  snprintf(out, 24, "74%02d%04d%08d", test, round, k);
}

static void run_ok(json_t *ix, int srv)
{
  json_t *r = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  json_decref(r);
}

static json_t *cmd_card(const char *command, const char *sub, const char *user, const char *ref)
{
  json_t *ix = pd_ge_command(command, sub, user);
  pd_ge_option(ix, "card", 3, json_string(ref), 0);
  return ix;
}

static json_t *sell(const char *user, const char *ref, int64_t price)
{
  json_t *ix = cmd_card("sell", NULL, user, ref);
  pd_ge_option(ix, "price", 4, json_integer(price), 0);
  pd_ge_option(ix, "currency", 3, json_string("notes"), 0);
  pd_ge_option(ix, "scope", 3, json_string("global"), 0);
  return ix;
}

static json_t *gift(const char *user, const char *to, const char *ref)
{
  json_t *ix = cmd_card("gift", NULL, user, ref);
  pd_ge_option(ix, "user", 6, json_string(to), 0);
  return ix;
}

static json_t *with_user(const char *command, const char *sub, const char *user, const char *opt,
                         const char *other)
{
  json_t *ix = pd_ge_command(command, sub, user);
  pd_ge_option(ix, opt, 6, json_string(other), 0);
  return ix;
}

struct shot {
  json_t *ix; /* stolen */
  int srv;
  json_t *reply;
};

static void *shoot(void *arg)
{
  struct shot *s = arg;
  s->reply = pd_ge_post(&E, s->srv, s->ix);
  return NULL;
}

/* Fires every shot at once (from their own threads), then frees them. */
static void fire(struct shot *s, int n)
{
  pthread_t t[8];
  for (int i = 0; i < n; i++)
    pthread_create(&t[i], NULL, shoot, &s[i]);
  for (int i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  for (int i = 0; i < n; i++) {
    json_decref(s[i].ix);
    json_decref(s[i].reply);
  }
  races++;
}

/* A player's Notes; 0 for a Discord user who never played. */
static int64_t notes_of(const char *discord)
{
  return sqlf("SELECT coalesce((SELECT coins FROM users WHERE discord_id = '%s'), 0)", discord);
}

/* Where a copy is: 1 when it is in exactly one place (one live owner, and an escrow row exactly
 * when its state says so). */
static int in_one_place(int64_t copy)
{
  return sqlf("SELECT count(*) FROM user_cards c WHERE c.id = %lld AND c.user_id IS NOT NULL AND"
              " (SELECT count(*) FROM market_listings l WHERE l.user_card_id = c.id AND"
              " l.status = 'active') = (c.state = 'listed')::int AND"
              " (SELECT count(*) FROM trade_cards t WHERE t.user_card_id = c.id AND t.active) ="
              " (c.state = 'trading')::int",
              (long long)copy) == 1;
}

static void books_ok(int round)
{
  const char *bad = pd_ge_books(&E);
  if (bad[0] != '\0')
    fail_msg("round %d: %s", round, bad);
}

/* One free copy reached for by /sell and /trade add at once (A has a trade open with B), and by
 * /gift, /burn card and /sell at once: each round exactly one of them has it. */
static void test_one_copy_many_hands(void **state)
{
  enum { ROUNDS = 40 };
  for (int round = 0; round < ROUNDS; round++) {
    char A[24], B[24], C[24], ref[48];
    who(A, 1, round, 1);
    who(B, 1, round, 2);
    who(C, 1, round, 3);
    pd_ge_player(&E, A, 30);
    pd_ge_player(&E, B, 30);
    pd_ge_player(&E, C, 30);
    int64_t x = pd_ge_copy(&E, A, "common", round % 3, ref);
    run_ok(with_user("trade", "start", A, "user", B), 0);
    struct shot s[2] = {{sell(A, ref, 100), 0, NULL}, {cmd_card("trade", "add", A, ref), 1, NULL}};
    fire(s, 2);
    int64_t listed = sqlf("SELECT count(*) FROM market_listings WHERE user_card_id = %lld AND"
                          " status = 'active'",
                          (long long)x),
            offered = sqlf("SELECT count(*) FROM trade_cards WHERE user_card_id = %lld AND active",
                           (long long)x);
    if (listed + offered != 1 || !in_one_place(x))
      fail_msg("round %d: sell vs trade add: %lld listings, %lld offers", round, (long long)listed,
               (long long)offered);
    books_ok(round);
    run_ok(pd_ge_command("trade", "cancel", A), 0);

    /* A second free copy: given away, burned and sold at once. */
    int64_t y = pd_ge_copy(&E, A, "common", round % 3, ref);
    struct shot t[3] = {{gift(A, C, ref), 0, NULL},
                        {cmd_card("burn", "card", A, ref), 1, NULL},
                        {sell(A, ref, 50), round % 2, NULL}};
    fire(t, 3);
    int64_t to_c = sqlf("SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
                        " WHERE c.id = %lld AND u.discord_id = '%s' AND c.state = 'free'",
                        (long long)y, C),
            gone = sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'gone'",
                        (long long)y),
            sold = sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'listed'",
                        (long long)y);
    if (to_c + gone + sold != 1 || !in_one_place(y))
      fail_msg("round %d: gift/burn/sell: gifted %lld, burned %lld, listed %lld", round,
               (long long)to_c, (long long)gone, (long long)sold);
    books_ok(round);
  }
}

/* A trade both sides agreed to, confirmed by its second side while the giver of the offered copy
 * sells it, gives it away and burns it, all at once: the escrow holds, so the swap happens every
 * round exactly once and every other hand is refused. */
static void test_confirm_while_the_offer_is_taken(void **state)
{
  enum { ROUNDS = 40 };
  for (int round = 0; round < ROUNDS; round++) {
    char A[24], B[24], C[24], ref[48];
    who(A, 2, round, 1);
    who(B, 2, round, 2);
    who(C, 2, round, 3);
    pd_ge_player(&E, A, 30);
    pd_ge_player(&E, B, 30);
    pd_ge_player(&E, C, 30);
    pd_ge_grant(&E, B, "notes", 10);
    int64_t x = pd_ge_copy(&E, A, "common", round % 3, ref);
    run_ok(with_user("trade", "start", A, "user", B), 0);
    run_ok(cmd_card("trade", "add", A, ref), 1);
    json_t *add = pd_ge_command("trade", "add", B);
    pd_ge_option(add, "notes", 4, json_integer(10), 0);
    run_ok(add, 0);
    run_ok(pd_ge_command("trade", "confirm", B), 1);
    struct shot s[4] = {{pd_ge_command("trade", "confirm", A), round % 2, NULL},
                        {sell(A, ref, 100), 1 - round % 2, NULL},
                        {gift(A, C, ref), round % 2, NULL},
                        {cmd_card("burn", "card", A, ref), 1 - round % 2, NULL}};
    fire(s, 4);
    int64_t done = sqlf("SELECT count(*) FROM trades t JOIN users u ON u.id = t.a_id WHERE"
                        " u.discord_id = '%s' AND t.status = 'done'",
                        A);
    int64_t b_has = sqlf("SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
                         " WHERE c.id = %lld AND u.discord_id = '%s' AND c.state = 'free'",
                         (long long)x, B);
    if (done != 1 || b_has != 1 || !in_one_place(x))
      fail_msg("round %d: trade done %lld, copy with B %lld", round, (long long)done,
               (long long)b_has);
    assert_int_equal(pd_ge_balance(&E, A, "notes"), 10);
    assert_int_equal(pd_ge_balance(&E, B, "notes"), 0);
    books_ok(round);
  }
}

/* The Accept button of a /transfer_data request (sent to target), or fails. */
static void transfer_request(const char *from, const char *to, char accept[128])
{
  json_t *ix = with_user("transfer_data", NULL, from, "target", to);
  json_t *r = pd_ge_post(&E, 0, ix);
  json_decref(ix);
  const char *b = pd_ge_button(r, 0, 0);
  if (b == NULL || strncmp(b, "transfer_data:accept:", 21) != 0)
    fail_msg("no Accept button: %s", pd_ge_text(r));
  snprintf(accept, 128, "%s", b);
  json_decref(r);
}

/* /transfer_data accepted while the account starts a trade: whichever is first, the other is
 * refused or finds nothing to take, and the account's copy is in one place. */
static void test_transfer_while_a_trade_starts(void **state)
{
  enum { ROUNDS = 30 };
  for (int round = 0; round < ROUNDS; round++) {
    char A[24], B[24], C[24], ref[48], accept[128];
    who(A, 3, round, 1);
    who(B, 3, round, 2);
    who(C, 3, round, 3); /* never played: the transfer waits for C's Accept */
    pd_ge_player(&E, A, 30);
    pd_ge_player(&E, B, 30);
    pd_ge_grant(&E, A, "notes", 70);
    int64_t x = pd_ge_copy(&E, A, "common", round % 3, ref);
    transfer_request(A, C, accept);
    struct shot s[3] = {{pd_e2e_button(accept, C), round % 2, NULL},
                        {with_user("trade", "start", A, "user", B), 1 - round % 2, NULL},
                        {cmd_card("trade", "add", A, ref), round % 2, NULL}};
    fire(s, 3);
    int64_t moved = sqlf("SELECT count(*) FROM data_transfers t JOIN users u ON u.id = t.from_user"
                         " WHERE u.discord_id = '%s' AND t.status = 'done'",
                         A);
    int64_t c_notes = notes_of(C), a_notes = notes_of(A);
    if (!in_one_place(x) || a_notes + c_notes != 70 || (moved == 1) != (c_notes == 70))
      fail_msg("round %d: moved %lld, A has %lld Notes, C %lld", round, (long long)moved,
               (long long)a_notes, (long long)c_notes);
    if (moved == 1)
      transfer_first++;
    else
      trade_first++;
    books_ok(round);
    /* Whoever holds a trade now ends it, so the next round starts clean. */
    run_ok(pd_ge_command("trade", "cancel", A), 1);
  }
}

/* A buyer buys the account's listing while the target accepts the account's transfer: either
 * the sale comes first (the buyer has the copy, the seller's Notes move with the account) or
 * the transfer does (the listing is cancelled, the copy moves, the buyer is refused). */
static void test_buy_while_the_seller_moves(void **state)
{
  enum { ROUNDS = 30 };
  for (int round = 0; round < ROUNDS; round++) {
    char A[24], B[24], C[24], ref[48], accept[128], listing[32];
    who(A, 4, round, 1);
    who(B, 4, round, 2);
    who(C, 4, round, 3);
    pd_ge_player(&E, A, 30);
    pd_ge_player(&E, B, 30);
    pd_ge_grant(&E, B, "notes", 100);
    int64_t x = pd_ge_copy(&E, A, "common", round % 3, ref);
    run_ok(sell(A, ref, 100), 0);
    snprintf(listing, sizeof(listing), "%lld",
             (long long)sqlf("SELECT id FROM market_listings WHERE user_card_id = %lld AND"
                             " status = 'active'",
                             (long long)x));
    transfer_request(A, C, accept);
    json_t *buy = pd_ge_command("buy", NULL, B);
    pd_ge_option(buy, "listing", 3, json_string(listing), 0);
    struct shot s[2] = {{pd_e2e_button(accept, C), round % 2, NULL}, {buy, 1 - round % 2, NULL}};
    fire(s, 2);
    int64_t b_has = sqlf("SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
                         " WHERE c.id = %lld AND u.discord_id = '%s'",
                         (long long)x, B),
            c_has = sqlf("SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
                         " WHERE c.id = %lld AND u.discord_id = '%s'",
                         (long long)x, C);
    int64_t seller = notes_of(A) + notes_of(C);
    /* Sold: the seller's side holds the price minus the 5% fee, wherever the account went. */
    if (!in_one_place(x) || b_has + c_has != 1 ||
        (b_has == 1 ? (seller != 95 || pd_ge_balance(&E, B, "notes") != 0)
                    : (seller != 0 || pd_ge_balance(&E, B, "notes") != 100)))
      fail_msg("round %d: B has it %lld, C has it %lld, seller side %lld Notes", round,
               (long long)b_has, (long long)c_has, (long long)seller);
    if (b_has == 1)
      sale_first++;
    else
      move_first++;
    books_ok(round);
  }
}

/* Not a race: sales and one-sided trades feed the same farming flags as gifts.  Five purchases
 * from one account to another in a day flag the pair (value went buyer -> seller); a sale to
 * or from an account a few days old flags it young; a trade where one side gives nothing counts
 * as a one-way transfer, a two-sided one does not.  Nothing is refused. */
static void test_sales_and_one_sided_trades_are_flagged(void **state)
{
  char A[24], B[24], C[24], D[24], ref[48], listing[32];
  who(A, 5, 0, 1);
  who(B, 5, 0, 2);
  who(C, 5, 0, 3);
  who(D, 5, 0, 4);
  int64_t a = pd_ge_player(&E, A, 30), b = pd_ge_player(&E, B, 30);
  int64_t c = pd_ge_player(&E, C, 2), d = pd_ge_player(&E, D, 30);
  pd_ge_grant(&E, B, "notes", 500);
  for (int i = 0; i < 5; i++) {
    int64_t x = pd_ge_copy(&E, A, "common", i % 3, ref);
    run_ok(sell(A, ref, 20), i % 2);
    snprintf(listing, sizeof(listing), "%lld",
             (long long)sqlf("SELECT id FROM market_listings WHERE user_card_id = %lld AND"
                             " status = 'active'",
                             (long long)x));
    json_t *buy = pd_ge_command("buy", NULL, B);
    pd_ge_option(buy, "listing", 3, json_string(listing), 0);
    run_ok(buy, 1 - i % 2);
    assert_int_equal(sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND user_id = %lld",
                          (long long)x, (long long)b),
                     1);
  }
  assert_int_equal(sqlf("SELECT count(*) FROM one_way_transfers WHERE kind = 'sale' AND"
                        " from_user = %lld AND to_user = %lld",
                        (long long)b, (long long)a),
                   5);
  assert_int_equal(sqlf("SELECT count(*) FROM abuse_flags WHERE kind = 'one_way_transfers' AND"
                        " from_user = %lld AND to_user = %lld",
                        (long long)b, (long long)a),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM abuse_flags WHERE kind = 'young_account' AND"
                        " (from_user = %lld OR to_user = %lld)",
                        (long long)a, (long long)a),
                   0);

  /* A two-day-old account selling: young. */
  pd_ge_grant(&E, D, "notes", 100);
  int64_t y = pd_ge_copy(&E, C, "common", 0, ref);
  run_ok(sell(C, ref, 30), 0);
  snprintf(listing, sizeof(listing), "%lld",
           (long long)sqlf("SELECT id FROM market_listings WHERE user_card_id = %lld AND"
                           " status = 'active'",
                           (long long)y));
  json_t *buy = pd_ge_command("buy", NULL, D);
  pd_ge_option(buy, "listing", 3, json_string(listing), 0);
  run_ok(buy, 1);
  assert_int_equal(sqlf("SELECT count(*) FROM abuse_flags WHERE kind = 'young_account' AND"
                        " from_user = %lld AND to_user = %lld",
                        (long long)d, (long long)c),
                   1);

  /* D gives C a copy for nothing in a trade: one-way.  Then a swap both ways: not one-way. */
  int64_t z = pd_ge_copy(&E, D, "common", 1, ref);
  run_ok(with_user("trade", "start", D, "user", C), 0);
  run_ok(cmd_card("trade", "add", D, ref), 1);
  run_ok(pd_ge_command("trade", "confirm", D), 0);
  run_ok(pd_ge_command("trade", "confirm", C), 1);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND user_id = %lld",
                        (long long)z, (long long)c),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM one_way_transfers WHERE kind = 'trade' AND"
                        " from_user = %lld AND to_user = %lld",
                        (long long)d, (long long)c),
                   1);
  pd_ge_copy(&E, D, "common", 2, ref);
  char ref2[48];
  pd_ge_copy(&E, C, "common", 2, ref2);
  run_ok(with_user("trade", "start", D, "user", C), 0);
  run_ok(cmd_card("trade", "add", D, ref), 1);
  run_ok(cmd_card("trade", "add", C, ref2), 0);
  run_ok(pd_ge_command("trade", "confirm", D), 0);
  run_ok(pd_ge_command("trade", "confirm", C), 1);
  assert_int_equal(
      sqlf("SELECT count(*) FROM trades WHERE status = 'done' AND a_id = %lld", (long long)d), 2);
  assert_int_equal(sqlf("SELECT count(*) FROM one_way_transfers WHERE kind = 'trade'"), 1);
  books_ok(0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_one_copy_many_hands),
      PD_E2E_TEST(test_confirm_while_the_offer_is_taken),
      PD_E2E_TEST(test_transfer_while_a_trade_starts),
      PD_E2E_TEST(test_buy_while_the_seller_moves),
      PD_E2E_TEST(test_sales_and_one_sided_trades_are_flagged),
  };
  return cmocka_run_group_tests_name("e2e_races", tests, setup, teardown);
}
