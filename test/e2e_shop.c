/* e2e_shop.c - /shop, its buttons, /exchange and pack prices in several currencies, end to
 * end against two real `popdeck serve` processes: the shop lists every pack with its free
 * opens and prices; a pack button opens the pack exactly as /openpack pack: does (the same
 * follow-up with the card backs, the same cooldown and payment); /openpack's currency option;
 * the Notes -> Discs exchange as one operation with the 'shop' account; a double-clicked
 * exchange button with funds for one.  The books are checked after every test. */
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
static int races;

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "shop") != 0 || pd_e2e_server_start(&E, 1, NULL) != 0)
    return -1;
  return pd_e2e_seed_demo(&E, 2);
}

static int teardown(void **state)
{
  printf("e2e_shop: %d races\n", races);
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

static json_t *shop(const char *user, int srv)
{
  json_t *ix = pd_ge_command("shop", NULL, user);
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

/* Presses a pack button (or posts an /openpack) and returns the pack message the worker sent
 * (caller owns), after checking the first answer was "thinking". */
static json_t *pack_message(json_t *ix, int srv)
{
  const char *token = json_string_value(json_object_get(ix, "token"));
  json_t *r = pd_ge_post(&E, srv, ix);
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 5);
  json_decref(r);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  json_t *req = json_incref(json_array_get(reqs, 0));
  json_decref(reqs);
  return req;
}

static int64_t user_id(const char *discord)
{
  return sqlf("SELECT id FROM users WHERE discord_id = '%s'", discord);
}

static void test_shop_lists_packs_and_prices(void **state)
{
  const char *A = "720000000000000001";
  json_t *r = shop(A, 0);
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 4);
  assert_true(pd_e2e_ephemeral(r));
  contains(r, "**Standard pack** — 3 cards, keep one. Free: 3 of 3 left today. Then 100 Notes or "
              "1 Discs each.");
  contains(r, "**Premium pack** — 5 cards, keep one. Free: 0 of 0 left today. Then 5 Gems each.");
  contains(r, "**Exchange** — 200 Notes buy 1 Disc");
  contains(r, "**Gems** come with real-money purchases; the shop sells none yet.");
  contains(r, "You have 0 Notes, 0 Discs and 0 Gems.");
  assert_string_equal(pd_ge_button(r, 0, 0), "shop:open:standard-3:free");
  assert_null(pd_ge_button(r, 0, 1));
  assert_string_equal(pd_ge_button(r, 1, 0), "shop:open:premium-5:gems");
  assert_string_equal(pd_ge_button(r, 2, 0), "shop:exchange:1");
  assert_string_equal(pd_ge_button(r, 2, 1), "shop:exchange:10");
  json_decref(r);
  /* Once today's free opens are used, the standard pack has a button per price. */
  assert_true(pd_e2e_sql(&E, "INSERT INTO free_allotments (user_id, what, day, used) SELECT id,"
                             " 'pack:standard-3', (now() AT TIME ZONE 'UTC')::date, 3 FROM users"
                             " WHERE discord_id = '720000000000000001'"));
  r = shop(A, 1);
  contains(r, "Free: 0 of 3 left today.");
  assert_string_equal(pd_ge_button(r, 0, 0), "shop:open:standard-3:notes");
  assert_string_equal(pd_ge_button(r, 0, 1), "shop:open:standard-3:discs");
  json_decref(r);
  assert_string_equal(pd_ge_books(&E), "");
}

static void test_pack_buttons_open_as_openpack_does(void **state)
{
  const char *A = "720000000000000002";
  pd_ge_player(&E, A, 30);
  /* The free button: the pack message with its card backs and pick buttons, a free open used,
   * the /openpack cooldown started. */
  json_t *ix = pd_e2e_button("shop:open:standard-3:free", A);
  json_t *req = pack_message(ix, 0);
  json_decref(ix);
  json_t *file = json_array_get(json_object_get(req, "files"), 0);
  assert_string_equal(json_string_value(json_object_get(file, "filename")), "pack.png");
  json_t *row = json_array_get(json_object_get(json_object_get(req, "json"), "components"), 0);
  const char *pick = json_string_value(
      json_object_get(json_array_get(json_object_get(row, "components"), 2), "custom_id"));
  assert_non_null(pick);
  assert_int_equal(strncmp(pick, "pick:", 5), 0);
  json_decref(req);
  assert_int_equal(sqlf("SELECT count(*) FROM pack_opens WHERE user_id = %lld AND pack ="
                        " 'standard-3' AND paid_amount = 0 AND array_length(template_ids, 1) = 3",
                        (long long)user_id(A)),
                   1);
  assert_int_equal(
      sqlf("SELECT used FROM free_allotments WHERE user_id = %lld", (long long)user_id(A)), 1);
  /* The same cooldown as /openpack: the next press is refused, and so is /openpack. */
  json_t *r = press("shop:open:standard-3:free", A, 1);
  contains(r, "You can open your next pack <t:");
  json_decref(r);
  ix = pd_ge_command("openpack", NULL, A);
  r = pd_ge_post(&E, 0, ix);
  contains(r, "You can open your next pack <t:");
  json_decref(r);
  json_decref(ix);
  /* Free opens used: the Discs button pays one Disc to the shop. */
  assert_true(pd_e2e_sql(&E, "DELETE FROM user_cooldowns"));
  sqlf("UPDATE free_allotments SET used = 3 WHERE user_id = %lld RETURNING 1",
       (long long)user_id(A));
  r = press("shop:open:standard-3:discs", A, 0);
  contains(r, "Standard pack costs **1 Discs** once today's 3 free ones are used, and you have 0");
  json_decref(r);
  pd_ge_grant(&E, A, "discs", 1);
  pd_ge_grant(&E, A, "notes", 100);
  ix = pd_e2e_button("shop:open:standard-3:discs", A);
  json_decref(pack_message(ix, 1));
  json_decref(ix);
  assert_int_equal(pd_ge_balance(&E, A, "discs"), 0);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 100);
  assert_int_equal(sqlf("SELECT count(*) FROM pack_opens WHERE user_id = %lld AND paid_currency ="
                        " 'discs' AND paid_amount = 1",
                        (long long)user_id(A)),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM ledger WHERE kind = 'purchase' AND system_account ="
                        " 'shop' AND currency = 'discs' AND amount = 1"),
                   1);
  /* /openpack without a currency pays with the first price it can afford: Notes here. */
  assert_true(pd_e2e_sql(&E, "DELETE FROM user_cooldowns"));
  ix = pd_ge_command("openpack", NULL, A);
  json_decref(pack_message(ix, 0));
  json_decref(ix);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 0);
  /* With a currency it pays in that one, or says why not. */
  assert_true(pd_e2e_sql(&E, "DELETE FROM user_cooldowns"));
  ix = pd_ge_command("openpack", NULL, A);
  pd_ge_option(ix, "currency", 3, json_string("discs"), 0);
  r = pd_ge_post(&E, 1, ix);
  contains(
      r,
      "Standard pack costs **1 Discs** once today's 3 free ones are used, and you have 0 Discs.");
  json_decref(r);
  json_decref(ix);
  ix = pd_ge_command("openpack", NULL, A);
  pd_ge_option(ix, "pack", 3, json_string("premium-5"), 0);
  pd_ge_option(ix, "currency", 3, json_string("notes"), 0);
  r = pd_ge_post(&E, 0, ix);
  contains(r, "Premium pack is not sold for Notes: it costs **5 Gems**.");
  json_decref(r);
  json_decref(ix);
  /* Forged buttons. */
  r = press("shop:open:mega-9:notes", A, 0);
  contains(r, "That pack is no longer sold");
  json_decref(r);
  r = press("shop:open:standard-3:dollars", A, 0);
  contains(r, "not one PopDeck made");
  json_decref(r);
  assert_string_equal(pd_ge_books(&E), "");
}

static json_t *exchange(const char *user, int64_t amount, int srv)
{
  json_t *ix = pd_ge_command("exchange", NULL, user);
  pd_ge_option(ix, "amount", 4, json_integer(amount), 0);
  json_t *r = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return r;
}

static void test_exchange(void **state)
{
  const char *A = "720000000000000003";
  pd_ge_player(&E, A, 30);
  pd_ge_grant(&E, A, "notes", 500);
  json_t *r = exchange(A, 3, 0);
  contains(r, "3 Discs cost **600 Notes** and you have 500.");
  json_decref(r);
  r = exchange(A, 0, 1);
  contains(r, "must be a whole number from 1 to 1,000,000,000");
  json_decref(r);
  r = exchange(A, 1000000001, 1);
  contains(r, "must be a whole number from 1 to 1,000,000,000");
  json_decref(r);
  r = exchange(A, 2, 0);
  contains(r, "You bought **2 Discs** for **400 Notes**. You now have 2 Discs.");
  assert_true(pd_e2e_ephemeral(r));
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 100);
  assert_int_equal(pd_ge_balance(&E, A, "discs"), 2);
  /* One operation: the player pays the shop in Notes, the shop pays the player in Discs. */
  int64_t op = sqlf("SELECT max(op_id) FROM ledger WHERE kind = 'exchange'");
  assert_int_equal(sqlf("SELECT count(*) FROM ledger WHERE op_id = %lld", (long long)op), 4);
  assert_int_equal(sqlf("SELECT amount FROM ledger WHERE op_id = %lld AND system_account = 'shop'"
                        " AND currency = 'notes'",
                        (long long)op),
                   400);
  assert_int_equal(sqlf("SELECT amount FROM ledger WHERE op_id = %lld AND system_account = 'shop'"
                        " AND currency = 'discs'",
                        (long long)op),
                   -2);
  /* The shop's button does the same. */
  pd_ge_grant(&E, A, "notes", 100);
  r = press("shop:exchange:1", A, 1);
  contains(r, "You bought **1 Discs** for **200 Notes**");
  assert_true(pd_e2e_ephemeral(r));
  json_decref(r);
  r = press("shop:exchange:0", A, 1);
  contains(r, "must be a whole number from 1 to 1,000,000,000");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "discs"), 3);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 0);
  assert_string_equal(pd_ge_books(&E), "");
}

struct shot {
  const char *user;
  int srv;
  json_t *reply;
};

static void *shoot(void *arg)
{
  struct shot *s = arg;
  s->reply = press("shop:exchange:1", s->user, s->srv);
  return NULL;
}

/* The exchange button pressed four times at once (both servers) with Notes for one Disc:
 * exactly one Disc is bought, the others are told they cannot pay. */
static void test_race_exchange_button(void **state)
{
  enum { ROUNDS = 15, N = 4 };
  const char *A = "720000000000000004";
  pd_ge_player(&E, A, 30);
  for (int round = 0; round < ROUNDS; round++) {
    pd_ge_grant(&E, A, "notes", 200);
    int64_t discs = pd_ge_balance(&E, A, "discs");
    struct shot s[N];
    pthread_t t[N];
    for (int i = 0; i < N; i++) {
      s[i].user = A;
      s[i].srv = i % 2;
      pthread_create(&t[i], NULL, shoot, &s[i]);
    }
    int bought = 0, refused = 0;
    for (int i = 0; i < N; i++) {
      pthread_join(t[i], NULL);
      if (strstr(pd_ge_text(s[i].reply), "You bought") != NULL)
        bought++;
      else if (strstr(pd_ge_text(s[i].reply), "cost **200 Notes** and you have 0") != NULL)
        refused++;
      json_decref(s[i].reply);
    }
    races++;
    assert_int_equal(bought, 1);
    assert_int_equal(refused, N - 1);
    assert_int_equal(pd_ge_balance(&E, A, "discs"), discs + 1);
    assert_int_equal(pd_ge_balance(&E, A, "notes"), 0);
    assert_string_equal(pd_ge_books(&E), "");
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_shop_lists_packs_and_prices),
      PD_E2E_TEST(test_pack_buttons_open_as_openpack_does),
      PD_E2E_TEST(test_exchange),
      PD_E2E_TEST(test_race_exchange_button),
  };
  return cmocka_run_group_tests_name("e2e_shop", tests, setup, teardown);
}
