/* e2e_gifts.c - /burn and /gift end to end: signed interactions to two real `popdeck serve`
 * processes on one PostgreSQL with the seeded demo catalog.  Every refusal, the ledger
 * operations (the 'burns' account pays burns; a gift sums to zero between the players), the
 * daily caps and the farming flags, and races fired at both servers at once: a double-clicked
 * Burn button, a burn and a gift of one copy, two gifts racing the cap.  After every test the
 * books are checked (pd_ge_books): no Note and no copy lost or made. */
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

#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static int races; /* concurrent rounds fired, reported at the end */

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "gifts") != 0 || pd_e2e_server_start(&E, 1, NULL) != 0)
    return -1;
  return pd_e2e_seed_demo(&E, 2);
}

static int teardown(void **state)
{
  printf("e2e_gifts: %d races\n", races);
  pd_e2e_teardown(&E);
  return 0;
}

static void books_ok(void)
{
  assert_string_equal(pd_ge_books(&E), "");
}

static json_t *burn_card(const char *user, const char *ref, int srv)
{
  json_t *ix = pd_ge_command("burn", "card", user);
  pd_ge_option(ix, "card", 3, json_string(ref), 0);
  json_t *reply = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return reply;
}

static json_t *press(const char *custom_id, const char *user, int srv)
{
  json_t *ix = pd_e2e_button(custom_id, user);
  json_t *reply = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return reply;
}

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

static void contains(json_t *reply, const char *needle)
{
  const char *t = pd_ge_text(reply);
  if (strstr(t, needle) == NULL)
    fail_msg("\"%s\" not in \"%s\"", needle, t);
}

static int64_t burns_paid(void)
{
  return -sqlf("SELECT coalesce(sum(amount), 0) FROM ledger WHERE system_account = 'burns'");
}

static void test_burn_card(void **state)
{
  const char *A = "710000000000000001", *B = "710000000000000002";
  char ref[48], locked[48];
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, B, 30);
  int64_t id = pd_ge_copy(&E, A, "common", 0, ref);
  int64_t paid0 = burns_paid();
  /* A common copy burns at once for 10 Notes, from the 'burns' account, in one operation. */
  json_t *r = burn_card(A, ref, 0);
  contains(r, "for **10 Notes**");
  assert_true(pd_e2e_ephemeral(r));
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 10);
  assert_int_equal(
      sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'gone'", (long long)id), 1);
  assert_int_equal(sqlf("SELECT count(*) FROM card_moves WHERE user_card_id = %lld AND kind ="
                        " 'burn' AND to_user IS NULL AND op_id = (SELECT op_id FROM ledger"
                        " WHERE system_account = 'burns' AND kind = 'burn' ORDER BY id DESC"
                        " LIMIT 1)",
                        (long long)id),
                   1);
  assert_int_equal(burns_paid() - paid0, 10);
  /* The same copy again: it is gone, so it is not A's any more. */
  r = burn_card(A, ref, 1);
  contains(r, "You don't have");
  json_decref(r);
  /* Someone else's copy, a locked copy, a malformed one. */
  pd_ge_copy(&E, B, "common", 1, ref);
  r = burn_card(A, ref, 0);
  contains(r, "You don't have");
  json_decref(r);
  int64_t lid = pd_ge_copy(&E, A, "rare", 0, locked);
  sqlf("UPDATE user_cards SET state = 'locked' WHERE id = %lld RETURNING 1", (long long)lid);
  r = burn_card(A, locked, 0);
  contains(r, "is locked, so it can't be burned. Unlock it with `/unlock card:");
  json_decref(r);
  r = burn_card(A, "nonsense", 0);
  contains(r, "is not a copy");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 10);
  books_ok();
}

static void test_burn_epic_asks_first(void **state)
{
  const char *A = "710000000000000003", *B = "710000000000000004";
  char ref[48];
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, B, 30);
  int64_t id = pd_ge_copy(&E, A, "epic", 0, ref);
  json_t *r = burn_card(A, ref, 0);
  contains(r, "for **150 Notes**? A burned copy is gone for good.");
  char burn[64], keep[64];
  snprintf(burn, sizeof(burn), "%s", pd_ge_button(r, 0, 0));
  snprintf(keep, sizeof(keep), "%s", pd_ge_button(r, 0, 1));
  json_decref(r);
  assert_int_equal(
      sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'free'", (long long)id), 1);
  /* Keep changes nothing; another player's press is refused. */
  r = press(keep, A, 0);
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 7);
  contains(r, "Kept");
  json_decref(r);
  r = press(burn, B, 1);
  contains(r, "not yours to burn");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 0);
  /* A locked copy is refused at the button too. */
  sqlf("UPDATE user_cards SET state = 'locked' WHERE id = %lld RETURNING 1", (long long)id);
  r = press(burn, A, 0);
  contains(r, "is locked");
  json_decref(r);
  sqlf("UPDATE user_cards SET state = 'free' WHERE id = %lld RETURNING 1", (long long)id);
  /* Burn: the message becomes the result; a second press finds it gone. */
  r = press(burn, A, 0);
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 7);
  contains(r, "for **150 Notes**");
  json_decref(r);
  r = press(burn, A, 1);
  contains(r, "is already burned");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 150);
  r = press("burn:card:1; DROP TABLE users", A, 0);
  contains(r, "not one PopDeck made");
  json_decref(r);
  books_ok();
}

static json_t *burn_dups(const char *user, const char *rarity, int srv)
{
  json_t *ix = pd_ge_command("burn", "duplicates", user);
  if (rarity != NULL)
    pd_ge_option(ix, "rarity", 3, json_string(rarity), 0);
  json_t *reply = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return reply;
}

static void test_burn_duplicates(void **state)
{
  const char *A = "710000000000000005";
  char r1[48], r2[48], r3[48], x[48];
  pd_ge_player(&E, A, 30);
  json_t *r = burn_dups(A, NULL, 0);
  contains(r, "You have no duplicates to burn");
  json_decref(r);
  /* Card 1 (common): three copies, the lowest print stays.  Card 2 (rare): its lowest print is
   * locked, so the free one burns.  Card 3 (rare): one copy, kept.  Card 4 (common): two copies,
   * the higher one listed-like (locked): kept, and nothing of card 4 burns. */
  int64_t c1a = pd_ge_copy(&E, A, "common", 0, r1);
  int64_t c1b = pd_ge_copy(&E, A, "common", 0, r2);
  int64_t c1c = pd_ge_copy(&E, A, "common", 0, r3);
  int64_t c2a = pd_ge_copy(&E, A, "rare", 0, x);
  int64_t c2b = pd_ge_copy(&E, A, "rare", 0, x);
  pd_ge_copy(&E, A, "rare", 1, x);
  pd_ge_copy(&E, A, "common", 1, x);
  int64_t c4b = pd_ge_copy(&E, A, "common", 1, x);
  sqlf("UPDATE user_cards SET state = 'locked' WHERE id IN (%lld, %lld) RETURNING 1",
       (long long)c2a, (long long)c4b);
  /* Only the rare ones: one copy for 40 Notes. */
  r = burn_dups(A, "rare", 0);
  contains(r, "**1 copies for 40 Notes.**");
  char rare_btn[100];
  snprintf(rare_btn, sizeof(rare_btn), "%s", pd_ge_button(r, 0, 0));
  json_decref(r);
  r = burn_dups(A, NULL, 1);
  contains(r, "**3 copies for 60 Notes.**");
  contains(r, r2);
  contains(r, r3);
  char all_btn[100];
  snprintf(all_btn, sizeof(all_btn), "%s", pd_ge_button(r, 0, 0));
  json_decref(r);
  /* Nothing burned until the button.  Then the rare one goes, and the list of all changed: its
   * button refuses and burns nothing. */
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 0);
  r = press(rare_btn, A, 0);
  contains(r, "You burned **1 duplicates** for **40 Notes**");
  json_decref(r);
  r = press(all_btn, A, 1);
  contains(r, "Your duplicates changed since this list was shown (3 then, 2 now)");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 40);
  r = burn_dups(A, NULL, 0);
  contains(r, "**2 copies for 20 Notes.**");
  snprintf(all_btn, sizeof(all_btn), "%s", pd_ge_button(r, 0, 0));
  json_decref(r);
  r = press(all_btn, A, 0);
  contains(r, "for **20 Notes**");
  json_decref(r);
  r = press(all_btn, A, 1);
  contains(r, "already burned");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 60);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards WHERE id IN (%lld, %lld, %lld) AND state"
                        " = 'gone'",
                        (long long)c1b, (long long)c1c, (long long)c2b),
                   3);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards uc JOIN users u ON u.id = uc.user_id"
                        " WHERE u.discord_id = '%s' AND state <> 'gone'",
                        A),
                   5);
  assert_int_equal(
      sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'free'", (long long)c1a),
      1);
  books_ok();
}

struct shot {
  char custom_id[100];
  const char *user;
  int srv;
  json_t *ix; /* a command instead of a button, when set */
  json_t *reply;
};

static void *shoot(void *arg)
{
  struct shot *s = arg;
  if (s->ix != NULL) {
    s->reply = pd_ge_post(&E, s->srv, s->ix);
  } else {
    s->reply = press(s->custom_id, s->user, s->srv);
  }
  return NULL;
}

/* Fires n shots at once and waits for all. */
static void fire(struct shot *s, int n)
{
  pthread_t t[16];
  for (int i = 0; i < n; i++)
    pthread_create(&t[i], NULL, shoot, &s[i]);
  for (int i = 0; i < n; i++)
    pthread_join(t[i], NULL);
  races++;
}

/* A Burn button pressed four times at once, on both servers: one burn, one payment. */
static void test_race_double_clicked_burn(void **state)
{
  enum { ROUNDS = 25, N = 4 };
  const char *A = "710000000000000006";
  char ref[48];
  pd_ge_player(&E, A, 30);
  for (int round = 0; round < ROUNDS; round++) {
    int64_t before = pd_ge_balance(&E, A, "notes");
    pd_ge_copy(&E, A, "legendary", round % 2, ref);
    json_t *r = burn_card(A, ref, round % 2);
    struct shot s[N];
    for (int i = 0; i < N; i++) {
      snprintf(s[i].custom_id, sizeof(s[i].custom_id), "%s", pd_ge_button(r, 0, 0));
      s[i].user = A;
      s[i].srv = i % 2;
      s[i].ix = NULL;
    }
    json_decref(r);
    fire(s, N);
    int won = 0, told = 0;
    for (int i = 0; i < N; i++) {
      if (json_integer_value(json_object_get(s[i].reply, "type")) == 7)
        won++;
      else if (strstr(pd_ge_text(s[i].reply), "already burned") != NULL)
        told++;
      json_decref(s[i].reply);
    }
    assert_int_equal(won, 1);
    assert_int_equal(told, N - 1);
    assert_int_equal(pd_ge_balance(&E, A, "notes"), before + 400);
    books_ok();
  }
}

static json_t *gift(const char *from, const char *to, const char *card, int64_t notes,
                    int64_t discs, int srv)
{
  json_t *ix = pd_ge_command("gift", NULL, from);
  pd_ge_option(ix, "user", 6, json_string(to), 0);
  if (card != NULL)
    pd_ge_option(ix, "card", 3, json_string(card), 0);
  if (notes != 0)
    pd_ge_option(ix, "notes", 4, json_integer(notes), 0);
  if (discs != 0)
    pd_ge_option(ix, "discs", 4, json_integer(discs), 0);
  json_t *reply = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return reply;
}

static int64_t owner_of(int64_t copy)
{
  return sqlf("SELECT u.discord_id::bigint FROM user_cards c JOIN users u ON u.id = c.user_id"
              " WHERE c.id = %lld",
              (long long)copy);
}

static void test_gift_refusals(void **state)
{
  const char *A = "710000000000000101", *B = "710000000000000102";
  char ref[48], bref[48];
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, B, 30);
  pd_ge_grant(&E, A, "notes", 50);
  json_t *ix = pd_ge_command("gift", NULL, A), *r;
  pd_ge_option(ix, "user", 6, json_string("710000000000000199"), 1);
  pd_ge_option(ix, "notes", 4, json_integer(5), 0);
  r = pd_ge_post(&E, 0, ix);
  contains(r, "Bots don't collect cards");
  json_decref(r);
  json_decref(ix);
  r = gift(A, A, NULL, 5, 0, 0);
  contains(r, "can't give a gift to yourself");
  json_decref(r);
  r = gift(A, B, NULL, 0, 0, 1);
  contains(r, "Name something to give");
  json_decref(r);
  r = gift(A, B, NULL, 1000000001, 0, 0);
  contains(r, "**notes** must be a whole number from 1 to 1,000,000,000");
  json_decref(r);
  r = gift(A, B, NULL, -3, 0, 0);
  contains(r, "**notes** must be a whole number from 1 to 1,000,000,000");
  json_decref(r);
  r = gift(A, B, NULL, 51, 0, 1);
  contains(r, "You have 50 Notes, so you can't give 51");
  json_decref(r);
  r = gift(A, B, NULL, 0, 1, 0);
  contains(r, "You have 0 Discs");
  json_decref(r);
  int64_t id = pd_ge_copy(&E, A, "rare", 0, ref);
  sqlf("UPDATE user_cards SET state = 'locked' WHERE id = %lld RETURNING 1", (long long)id);
  r = gift(A, B, ref, 0, 0, 0);
  contains(r, "is locked, so it can't be gifted");
  json_decref(r);
  pd_ge_copy(&E, B, "rare", 0, bref);
  r = gift(A, B, bref, 0, 0, 1);
  contains(r, "You don't have");
  json_decref(r);
  /* Nothing moved, nothing recorded. */
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 50);
  assert_int_equal(pd_ge_balance(&E, B, "notes"), 0);
  assert_int_equal(owner_of(id), 710000000000000101LL);
  assert_int_equal(sqlf("SELECT count(*) FROM gifts"), 0);
  books_ok();
}

static void test_gift_moves_in_one_operation(void **state)
{
  const char *A = "710000000000000103", *B = "710000000000000104";
  char ref[48];
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, B, 30);
  pd_ge_grant(&E, A, "notes", 500);
  pd_ge_grant(&E, A, "discs", 3);
  int64_t id = pd_ge_copy(&E, A, "epic", 0, ref);
  json_t *r = gift(A, B, ref, 120, 2, 1);
  contains(r, "<@710000000000000103> gave <@710000000000000104> **");
  contains(r, ref);
  contains(r, "**120 Notes** and **2 Discs**");
  assert_false(pd_e2e_ephemeral(r));
  assert_string_equal(
      json_string_value(json_array_get(
          json_object_get(json_object_get(json_object_get(r, "data"), "allowed_mentions"), "users"),
          0)),
      B);
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 380);
  assert_int_equal(pd_ge_balance(&E, B, "notes"), 120);
  assert_int_equal(pd_ge_balance(&E, A, "discs"), 1);
  assert_int_equal(pd_ge_balance(&E, B, "discs"), 2);
  assert_int_equal(owner_of(id), 710000000000000104LL);
  int64_t op = sqlf("SELECT op_id FROM gifts WHERE user_card_id = %lld AND notes = 120 AND discs"
                    " = 2 AND gems = 0",
                    (long long)id);
  assert_true(op > 0);
  /* One operation: four ledger rows between the two players, and the copy's move. */
  assert_int_equal(sqlf("SELECT count(*) FROM ledger WHERE op_id = %lld AND kind = 'gift' AND"
                        " system_account IS NULL",
                        (long long)op),
                   4);
  assert_int_equal(sqlf("SELECT count(*) FROM card_moves WHERE op_id = %lld AND kind = 'gift'"
                        " AND user_card_id = %lld",
                        (long long)op, (long long)id),
                   1);
  /* B got it free, and can give it on. */
  r = gift(B, A, ref, 0, 0, 0);
  contains(r, "gave");
  json_decref(r);
  assert_int_equal(owner_of(id), 710000000000000103LL);
  /* Old accounts, two gifts: no flag. */
  assert_int_equal(sqlf("SELECT count(*) FROM abuse_flags WHERE from_user IN (SELECT id FROM"
                        " users WHERE discord_id IN ('%s', '%s'))",
                        A, B),
                   0);
  books_ok();
}

static void test_gift_daily_caps(void **state)
{
  const char *A = "710000000000000105", *R = "710000000000000106";
  char to[32];
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, R, 30);
  pd_ge_grant(&E, A, "notes", 100000);
  /* Ten gifts a day from A (to ten players); the eleventh is refused with when it resets. */
  for (int i = 0; i < 10; i++) {
    snprintf(to, sizeof(to), "7100000000000002%02d", i);
    pd_ge_player(&E, to, 30);
    json_t *r = gift(A, to, NULL, 1, 0, i % 2);
    contains(r, "gave");
    json_decref(r);
  }
  json_t *r = gift(A, R, NULL, 1, 0, 0);
  contains(r, "You have given 10 gifts today, the most a day. You can give again <t:");
  json_decref(r);
  /* Ten gifts a day to R (from ten players); the eleventh giver is refused. */
  for (int i = 10; i < 21; i++) {
    snprintf(to, sizeof(to), "7100000000000002%02d", i);
    pd_ge_player(&E, to, 30);
    pd_ge_grant(&E, to, "notes", 10);
    r = gift(to, R, NULL, 1, 0, i % 2);
    contains(r, i < 20 ? "gave"
                       : "has received 10 gifts today, the most a day. They can receive "
                         "again <t:");
    json_decref(r);
  }
  /* 5,000 Notes a day: given by one, and received by one. */
  const char *G = "710000000000000107", *H = "710000000000000108", *K = "710000000000000109";
  pd_ge_player(&E, G, 30);
  pd_ge_player(&E, H, 30);
  pd_ge_player(&E, K, 30);
  pd_ge_grant(&E, G, "notes", 20000);
  pd_ge_grant(&E, K, "notes", 20000);
  r = gift(G, H, NULL, 4000, 0, 0);
  contains(r, "gave");
  json_decref(r);
  r = gift(G, K, NULL, 1001, 0, 1);
  contains(r,
           "You can give 5,000 Notes a day and have 1,000 left today. The count starts again <t:");
  json_decref(r);
  r = gift(K, H, NULL, 1500, 0, 1);
  contains(r, "can receive 5,000 Notes a day and has room for 1,000 more today");
  json_decref(r);
  r = gift(K, H, NULL, 1000, 0, 0);
  contains(r, "gave");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, H, "notes"), 5000);
  books_ok();
}

static void test_gift_farming_flags(void **state)
{
  const char *A = "710000000000000110", *B = "710000000000000111", *Y = "710000000000000112";
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, B, 30);
  pd_ge_player(&E, Y, 2);
  pd_ge_grant(&E, A, "notes", 1000);
  int64_t a = sqlf("SELECT id FROM users WHERE discord_id = '%s'", A);
  int64_t b = sqlf("SELECT id FROM users WHERE discord_id = '%s'", B);
  /* Four one-way gifts A -> B: nothing yet; the fifth raises one flag, the sixth no second. */
  for (int i = 0; i < 6; i++) {
    json_t *r = gift(A, B, NULL, 10, 0, i % 2);
    contains(r, "gave");
    json_decref(r);
    assert_int_equal(sqlf("SELECT count(*) FROM abuse_flags WHERE kind = 'one_way_transfers' AND"
                          " from_user = %lld AND to_user = %lld",
                          (long long)a, (long long)b),
                     i < 4 ? 0 : 1);
  }
  assert_int_equal(sqlf("SELECT count(*) FROM abuse_flags WHERE kind = 'one_way_transfers' AND"
                        " from_user = %lld AND (detail->>'in_a_day')::int = 5 AND op_id = (SELECT"
                        " op_id FROM gifts WHERE giver_id = %lld ORDER BY id OFFSET 4 LIMIT 1)",
                        (long long)a, (long long)a),
                   1);
  /* A gift to an account two days old raises a young-account flag; the gift went through. */
  json_t *r = gift(A, Y, NULL, 10, 0, 0);
  contains(r, "gave");
  json_decref(r);
  assert_int_equal(sqlf("SELECT count(*) FROM abuse_flags WHERE kind = 'young_account' AND"
                        " to_user = (SELECT id FROM users WHERE discord_id = '%s')",
                        Y),
                   1);
  assert_int_equal(pd_ge_balance(&E, Y, "notes"), 10);
  /* A receiver who never played gets an account, and a young one is flagged too. */
  r = gift(A, "710000000000000113", NULL, 10, 0, 1);
  contains(r, "gave");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, "710000000000000113", "notes"), 10);
  assert_int_equal(
      sqlf("SELECT count(*) FROM abuse_flags WHERE kind = 'young_account' AND"
           " to_user = (SELECT id FROM users WHERE discord_id = '710000000000000113')"),
      1);
  books_ok();
}

/* The same copy burned and gifted at once, on both servers: exactly one happens. */
static void test_race_burn_and_gift_one_copy(void **state)
{
  enum { ROUNDS = 25 };
  const char *A = "710000000000000120", *B = "710000000000000121";
  char ref[48];
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, B, 30);
  int burns = 0, gifts = 0;
  for (int round = 0; round < ROUNDS; round++) {
    int64_t id = pd_ge_copy(&E, A, "common", round % 2, ref);
    int64_t before = pd_ge_balance(&E, A, "notes");
    struct shot s[2] = {{.srv = round % 2}, {.srv = 1 - round % 2}};
    s[0].ix = pd_ge_command("burn", "card", A);
    pd_ge_option(s[0].ix, "card", 3, json_string(ref), 0);
    s[1].ix = pd_ge_command("gift", NULL, A);
    pd_ge_option(s[1].ix, "user", 6, json_string(B), 0);
    pd_ge_option(s[1].ix, "card", 3, json_string(ref), 0);
    fire(s, 2);
    bool burned = strstr(pd_ge_text(s[0].reply), "You burned") != NULL;
    bool gave = strstr(pd_ge_text(s[1].reply), "gave") != NULL;
    assert_true(burned != gave);
    if (burned) {
      burns++;
      contains(s[1].reply, "You don't have");
      assert_int_equal(pd_ge_balance(&E, A, "notes"), before + 10);
      assert_int_equal(
          sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'gone'", (long long)id),
          1);
    } else {
      gifts++;
      contains(s[0].reply, "You don't have");
      assert_int_equal(pd_ge_balance(&E, A, "notes"), before);
      assert_int_equal(owner_of(id), 710000000000000121LL);
    }
    for (int i = 0; i < 2; i++) {
      json_decref(s[i].reply);
      json_decref(s[i].ix);
    }
    books_ok();
    /* The rounds' gifts would reach A's daily cap. */
    assert_true(pd_e2e_sql(&E, "DELETE FROM gifts WHERE giver_id = (SELECT id FROM users WHERE"
                               " discord_id = '710000000000000120')"));
  }
  printf("burn/gift: %d burned first, %d gifted first\n", burns, gifts);
}

/* A giver with one gift left today sends four at once to four players, on both servers:
 * exactly one goes through, the cap is never passed. */
static void test_race_gifts_at_the_cap(void **state)
{
  enum { ROUNDS = 20, N = 4 };
  char giver[32], to[N][32];
  for (int round = 0; round < ROUNDS; round++) {
    snprintf(giver, sizeof(giver), "7100000000000003%02d", round);
    pd_ge_player(&E, giver, 30);
    pd_ge_grant(&E, giver, "notes", 1000);
    for (int i = 0; i < 9; i++) {
      char other[32];
      snprintf(other, sizeof(other), "7100000000000004%02d", i);
      pd_ge_player(&E, other, 30);
      json_t *r = gift(giver, other, NULL, 1, 0, i % 2);
      contains(r, "gave");
      json_decref(r);
    }
    struct shot s[N];
    for (int i = 0; i < N; i++) {
      snprintf(to[i], sizeof(to[i]), "7100000000000005%02d", i);
      pd_ge_player(&E, to[i], 30);
      s[i].srv = i % 2;
      s[i].ix = pd_ge_command("gift", NULL, giver);
      pd_ge_option(s[i].ix, "user", 6, json_string(to[i]), 0);
      pd_ge_option(s[i].ix, "notes", 4, json_integer(7), 0);
    }
    fire(s, N);
    int ok = 0, capped = 0;
    for (int i = 0; i < N; i++) {
      if (strstr(pd_ge_text(s[i].reply), "gave") != NULL)
        ok++;
      else if (strstr(pd_ge_text(s[i].reply), "You have given 10 gifts today") != NULL)
        capped++;
      json_decref(s[i].reply);
      json_decref(s[i].ix);
    }
    assert_int_equal(ok, 1);
    assert_int_equal(capped, N - 1);
    assert_int_equal(sqlf("SELECT count(*) FROM gifts WHERE giver_id = (SELECT id FROM users"
                          " WHERE discord_id = '%s')",
                          giver),
                     10);
    assert_int_equal(pd_ge_balance(&E, giver, "notes"), 1000 - 9 - 7);
    books_ok();
    /* The receivers' own caps do not fill up across rounds. */
    assert_true(pd_e2e_sql(&E, "DELETE FROM gifts WHERE receiver_id IN (SELECT id FROM users"
                               " WHERE discord_id LIKE '7100000000000004%' OR discord_id LIKE"
                               " '7100000000000005%')"));
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_burn_card),
      PD_E2E_TEST(test_burn_epic_asks_first),
      PD_E2E_TEST(test_burn_duplicates),
      PD_E2E_TEST(test_race_double_clicked_burn),
      PD_E2E_TEST(test_gift_refusals),
      PD_E2E_TEST(test_gift_moves_in_one_operation),
      PD_E2E_TEST(test_gift_daily_caps),
      PD_E2E_TEST(test_gift_farming_flags),
      PD_E2E_TEST(test_race_burn_and_gift_one_copy),
      PD_E2E_TEST(test_race_gifts_at_the_cap),
  };
  return cmocka_run_group_tests_name("e2e_gifts", tests, setup, teardown);
}
