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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static int races; /* concurrent rounds fired, reported at the end */

static int setup(void **state)
{
  char cmd[2048];
  if (pd_e2e_setup(&E, "gifts") != 0 || pd_e2e_server_start(&E, 1, NULL) != 0)
    return -1;
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" %s/popdeck seed demo --limit 2 >/dev/null",
           E.db_url, E.cards_dir, E.build);
  return system(cmd) == 0 ? 0 : -1;
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

static int64_t sqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t sqlf(const char *fmt, ...)
{
  char sql[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  return pd_e2e_sql_int(&E, sql);
}

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

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_burn_card),
      cmocka_unit_test(test_burn_epic_asks_first),
      cmocka_unit_test(test_burn_duplicates),
      cmocka_unit_test(test_race_double_clicked_burn),
  };
  return cmocka_run_group_tests_name("e2e_gifts", tests, setup, teardown);
}
