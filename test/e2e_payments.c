/* e2e_payments.c - the payments ledger under the two providers' front doors, end to end: a
 * payment granted through lib/db_payments.h (as the webhook routes call it) against a real
 * PostgreSQL, and what the player then sees from a real `popdeck serve`:
 *   - a payment is granted once however often and however concurrently it arrives, with one
 *     ledger operation from 'purchases' and one DM receipt;
 *   - a clawback takes back what is there and records the rest as owed; while Gems are owed no
 *     Gems can be spent (the refusal says how much and why), Notes still can; Gems that arrive
 *     pay the debt back first, and a new purchase settles it;
 *   - a refund that arrives before its payment makes the payment pay nothing;
 *   - a membership shortens cooldowns and adds free opens, and leaves /odds exactly as it is;
 *     its clawback ends it.
 * `popdeck audit` runs after every test (PD_E2E_TEST). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "db_payments.h"
#include "admin_e2e.h"
#include "e2e.h"
#include "gifts_e2e.h"
#include "packs.h"
#include "pd.h"

static struct pd_e2e E;
static struct pd_game_config *G;

static int setup(void **state)
{
  char err[256];
  if (pd_game_config_load("assets/packs.json", &G, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "assets/packs.json: %s\n", err);
    return -1;
  }
  /* Receipts are direct messages: they need the bot token. */
  static char admin_env[600];
  const char *extra[] = {admin_env, "DISCORD_BOT_TOKEN=test-bot-token", "ADMIN_TOKEN=" PD_AE_TOKEN,
                         NULL};
  if (pd_ae_setup(&E, "payments", admin_env, sizeof(admin_env)) != 0 ||
      pd_e2e_server_start(&E, 0, extra) != 0)
    return -1;
  return pd_e2e_seed_demo(&E, 2);
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  pd_game_config_free(G);
  return 0;
}

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)
#define HAS(hay, needle)                                                                           \
  do {                                                                                             \
    if (strstr((hay), (needle)) == NULL)                                                           \
      fail_msg("\"%s\" not in \"%s\"", (needle), (hay));                                           \
  } while (0)

struct call {
  bool reverse;
  const char *provider_id, *discord_id, *bundle;
  int64_t ends_at;
  struct pd_pay_result out;
  enum pd_result rc;
};

static enum pd_result in_tx(struct pd_db *db, void *arg)
{
  struct call *c = arg;
  json_t *raw = json_pack("{s:s}", "id", c->provider_id);
  if (c->reverse) {
    const struct pd_pay_reversal rv = {.provider = PD_PAY_STRIPE,
                                       .provider_id = c->provider_id,
                                       .reason = "refund",
                                       .raw = raw,
                                       .application_id = PD_E2E_APP_ID,
                                       .ref = "e2epayments0"};
    c->rc = pd_pay_clawback(db, &rv, &c->out);
  } else {
    const struct pd_pay_grant g = {.provider = PD_PAY_STRIPE,
                                   .provider_id = c->provider_id,
                                   .discord_id = c->discord_id,
                                   .bundle = pd_game_bundle(G, c->bundle),
                                   .amount = pd_game_bundle(G, c->bundle)->prices[0].amount,
                                   .currency = "usd",
                                   .member_ends_at = c->ends_at,
                                   .raw = raw,
                                   .application_id = PD_E2E_APP_ID,
                                   .ref = "e2epayments0"};
    c->rc = pd_pay_grant(db, &g, &c->out);
  }
  json_decref(raw);
  return c->rc;
}

/* One grant or clawback in its own connection and SERIALIZABLE transaction, as a webhook runs
 * it; the outcome. */
static enum pd_pay_outcome run(struct call *c)
{
  struct pd_db *db = NULL;
  char err[256];
  if (pd_db_open(E.db_url, 0, true, &db, err, sizeof(err)) != PD_OK)
    fail_msg("database: %s", err);
  enum pd_result rc = pd_db_tx(db, pd_now_us() + 20000000, in_tx, c);
  pd_db_close(db);
  if (rc != PD_OK)
    fail_msg("%s %s: %s", c->reverse ? "clawback" : "grant", c->provider_id, pd_result_str(rc));
  return c->out.outcome;
}

static enum pd_pay_outcome grant(const char *id, const char *user, const char *bundle)
{
  struct call c = {.provider_id = id, .discord_id = user, .bundle = bundle};
  return run(&c);
}

static enum pd_pay_outcome clawback(const char *id, int64_t *debt)
{
  struct call c = {.reverse = true, .provider_id = id};
  enum pd_pay_outcome o = run(&c);
  if (debt != NULL)
    *debt = c.out.debt;
  return o;
}

/* How many DMs the double got for discord_id whose content has needle, waiting up to 10 s for
 * at least one (the worker sends them after the grant commits). */
static size_t dms_with(const char *discord_id, const char *needle)
{
  char chan[64];
  size_t found = 0;
  snprintf(chan, sizeof(chan), "/channels/9%s/messages", discord_id);
  for (int tries = 0; tries < 200 && found == 0; tries++) {
    if (tries > 0)
      usleep(50000);
    json_t *msgs = pd_double_requests(E.dbl, chan), *m;
    size_t i;
    json_array_foreach(msgs, i, m)
    {
      const char *t = json_string_value(json_object_get(json_object_get(m, "json"), "content"));
      found += t != NULL && strstr(t, needle) != NULL;
    }
    json_decref(msgs);
  }
  return found;
}

static json_t *command(const char *name, const char *user)
{
  json_t *ix = pd_ge_command(name, NULL, user);
  json_t *r = pd_ge_post(&E, 0, ix);
  json_decref(ix);
  return r;
}

static json_t *gift_gems(const char *from, const char *to, int64_t gems)
{
  json_t *ix = pd_ge_command("gift", NULL, from);
  pd_ge_option(ix, "user", 6, json_string(to), 0);
  pd_ge_option(ix, "gems", 4, json_integer(gems), 0);
  json_t *r = pd_ge_post(&E, 0, ix);
  json_decref(ix);
  return r;
}

static void test_granted_once_with_one_receipt(void **state)
{
  const char *A = "720000000000000001";
  assert_int_equal(grant("cs_test_once", A, "gems-550"), PD_PAY_GRANTED);
  assert_int_equal(grant("cs_test_once", A, "gems-550"), PD_PAY_DUPLICATE);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 550);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = 'cs_test_once'"
                        " AND state = 'granted' AND gems = 550 AND amount = 499"
                        " AND currency = 'usd' AND op_id IS NOT NULL"),
                   1);
  /* One operation: the player's +550 and the purchases account's -550. */
  assert_int_equal(sqlf("SELECT count(*) FROM ledger l JOIN payments p ON p.op_id = l.op_id"
                        " WHERE p.provider_id = 'cs_test_once'"),
                   2);
  assert_int_equal(sqlf("SELECT sum(amount) FROM ledger WHERE system_account = 'purchases'"
                        " AND kind = 'purchase_gems' AND meta->>'payment' ="
                        " (SELECT id::text FROM payments WHERE provider_id = 'cs_test_once')"),
                   -550);
  assert_int_equal(dms_with(A, "550 Gems"), 1);
  assert_int_equal(dms_with(A, "4.99 USD"), 1);
  json_t *r = command("balance", A);
  char *shown = json_dumps(r, 0);
  HAS(shown, "550");
  free(shown);
  json_decref(r);
}

struct racer {
  pthread_t t;
  struct call c;
};

static void *race(void *arg)
{
  struct racer *r = arg;
  run(&r->c);
  return NULL;
}

/* Five deliveries at once, each its own connection and transaction: one grant. */
static void test_concurrent_deliveries_grant_once(void **state)
{
  const char *A = "720000000000000002";
  struct racer rs[5];
  for (int i = 0; i < 5; i++) {
    rs[i].c = (struct call){.provider_id = "cs_test_race", .discord_id = A, .bundle = "gems-100"};
    assert_int_equal(pthread_create(&rs[i].t, NULL, race, &rs[i]), 0);
  }
  int granted = 0, dup = 0;
  for (int i = 0; i < 5; i++) {
    pthread_join(rs[i].t, NULL);
    granted += rs[i].c.out.outcome == PD_PAY_GRANTED;
    dup += rs[i].c.out.outcome == PD_PAY_DUPLICATE;
  }
  assert_int_equal(granted, 1);
  assert_int_equal(dup, 4);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 100);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = 'cs_test_race'"), 1);
  assert_int_equal(dms_with(A, "100 Gems"), 1);
  /* One receipt queued at all, not one sent and four waiting. */
  assert_int_equal(sqlf("SELECT count(*) FROM followup_jobs WHERE method = 'dm'"
                        " AND payload->>'content' LIKE '%%cs_test_race%%'"),
                   1);
}

/* Spent Gems become a debt; spending Gems is refused until it is paid back. */
static void test_clawback_with_spent_gems_holds_gems(void **state)
{
  const char *A = "720000000000000003", *B = "720000000000000004";
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, B, 30);
  assert_int_equal(grant("cs_test_spent", A, "gems-550"), PD_PAY_GRANTED);
  json_t *r = gift_gems(A, B, 500);
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 50);
  int64_t debt = 0;
  assert_int_equal(clawback("cs_test_spent", &debt), PD_PAY_CLAWED_BACK);
  assert_int_equal(debt, 500);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 0); /* never below zero */
  assert_int_equal(sqlf("SELECT d.gems FROM gem_debts d JOIN users u ON u.id = d.user_id"
                        " WHERE u.discord_id = '%s'",
                        A),
                   500);
  assert_int_equal(sqlf("SELECT clawed_gems * 1000 + debt_gems FROM payments"
                        " WHERE provider_id = 'cs_test_spent' AND state = 'clawed_back'"),
                   50 * 1000 + 500);
  assert_int_equal(dms_with(A, "you owe the other **500 Gems**"), 1);
  /* A second refund of the same payment changes nothing. */
  assert_int_equal(clawback("cs_test_spent", NULL), PD_PAY_DUPLICATE);

  /* B gives 100 Gems back: A holds them, but spending Gems pays the debt first. */
  r = gift_gems(B, A, 100);
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 100);
  r = gift_gems(A, B, 1);
  HAS(pd_ge_text(r), "Your Gems are on hold");
  HAS(pd_ge_text(r), "you owe **400 Gems**");
  assert_true(pd_e2e_ephemeral(r));
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 0);
  assert_int_equal(pd_ge_balance(&E, B, "gems"), 400);
  /* Notes still work, and /profile says what is owed. */
  r = command("daily", A);
  assert_null(strstr(pd_ge_text(r), "on hold"));
  json_decref(r);
  assert_true(pd_ge_balance(&E, A, "notes") > 0);

  /* A new purchase pays back the 400 first; the rest can be spent again. */
  assert_int_equal(grant("cs_test_spent2", A, "gems-550"), PD_PAY_GRANTED);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 150);
  assert_int_equal(sqlf("SELECT count(*) FROM gem_debts d JOIN users u ON u.id = d.user_id"
                        " WHERE u.discord_id = '%s'",
                        A),
                   0);
  assert_int_equal(dms_with(A, "400 of them paid back Gems you owed"), 1);
  r = gift_gems(A, B, 1);
  assert_null(strstr(pd_ge_text(r), "on hold"));
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 149);
}

/* Stripe may deliver charge.refunded before checkout.session.completed. */
static void test_refund_before_payment_pays_nothing(void **state)
{
  const char *A = "720000000000000005";
  assert_int_equal(clawback("cs_test_early", NULL), PD_PAY_PENDING);
  assert_int_equal(grant("cs_test_early", A, "gems-1200"), PD_PAY_REVERSED);
  assert_int_equal(grant("cs_test_early", A, "gems-1200"), PD_PAY_DUPLICATE);
  assert_int_equal(pd_ge_balance(&E, A, "gems"), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = 'cs_test_early'"
                        " AND state = 'clawed_back' AND op_id IS NULL"),
                   1);
}

static const char *embed_desc(json_t *r)
{
  const char *d = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(r, "data"), "embeds"), 0), "description"));
  return d != NULL ? d : "";
}

/* The profile embed of the follow-up /profile's deferred answer edits in. */
static char *profile(const char *user)
{
  json_t *ix = pd_ge_command("profile", NULL, user);
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, NULL), 200);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 10000);
  assert_non_null(reqs);
  char *s = json_dumps(json_object_get(json_array_get(reqs, 0), "json"), 0);
  json_decref(reqs);
  json_decref(ix);
  return s;
}

static void test_membership_is_convenience_not_odds(void **state)
{
  const char *M = "720000000000000006", *N = "720000000000000007";
  pd_ge_player(&E, N, 30);
  json_t *r = command("odds", N);
  char *odds_before = json_dumps(json_object_get(r, "data"), JSON_SORT_KEYS);
  json_decref(r);
  r = command("cooldowns", N);
  HAS(embed_desc(r), "Free today: 3 Standard pack");
  json_decref(r);

  assert_int_equal(grant("cs_test_member", M, "membership"), PD_PAY_GRANTED);
  assert_int_equal(pd_ge_balance(&E, M, "gems"), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id"
                        " WHERE u.discord_id = '%s' AND m.ends_at > now() + interval '29 days'",
                        M),
                   1);
  assert_int_equal(dms_with(M, "PopDeck Membership is active"), 1);
  /* 3 free opens + the membership's 2; the openpack cooldown halves (420 s -> 210 s). */
  r = command("cooldowns", M);
  HAS(embed_desc(r), "Free today: 5 Standard pack");
  HAS(embed_desc(r), "You are a member until <t:");
  json_decref(r);
  json_t *ix = pd_ge_command("openpack", NULL, M);
  r = pd_ge_post(&E, 0, ix);
  json_decref(ix);
  json_decref(r);
  int64_t left = sqlf("SELECT extract(epoch FROM expires_at - now())::bigint FROM user_cooldowns c"
                      " JOIN users u ON u.id = c.user_id WHERE u.discord_id = '%s'"
                      " AND c.command = 'openpack'",
                      M);
  assert_true(left > 200 && left <= 210);
  /* The odds a member reads are the odds everyone reads. */
  r = command("odds", M);
  char *odds_member = json_dumps(json_object_get(r, "data"), JSON_SORT_KEYS);
  json_decref(r);
  assert_string_equal(odds_member, odds_before);
  free(odds_member);
  free(odds_before);
  char *p = profile(M);
  HAS(p, "Membership");
  HAS(p, "Active until <t:");
  free(p);

  /* Refunded: the membership it bought ends. */
  assert_int_equal(clawback("cs_test_member", NULL), PD_PAY_CLAWED_BACK);
  assert_int_equal(sqlf("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id"
                        " WHERE u.discord_id = '%s' AND m.ends_at > now()",
                        M),
                   0);
  r = command("cooldowns", M);
  assert_null(strstr(embed_desc(r), "You are a member"));
  json_decref(r);
  p = profile(M);
  assert_null(strstr(p, "Membership"));
  free(p);
}

/* The audit holds the payments to the ledger: a grant that gave other Gems than its payment
 * says, and a debt larger than what the clawbacks left owed, are each named. */
static void test_audit_checks_payments(void **state)
{
  const char *A = "720000000000000008";
  char out[512];
  assert_int_equal(grant("cs_test_audit", A, "gems-100"), PD_PAY_GRANTED);
  assert_int_equal(pd_e2e_audit(&E, "--full", out, sizeof(out)), 0);
  int64_t id = sqlf("SELECT id FROM payments WHERE provider_id = 'cs_test_audit'");
  assert_true(pd_e2e_sql(&E, "UPDATE payments SET gems = 101 WHERE provider_id = 'cs_test_audit'"));
  assert_int_not_equal(pd_e2e_audit(&E, "--full", out, sizeof(out)), 0);
  char want[160];
  snprintf(want, sizeof(want),
           "audit: payment %lld of %s granted 101 Gems but its operation gave 100", (long long)id,
           A);
  HAS(out, want);
  assert_true(pd_e2e_sql(&E, "UPDATE payments SET gems = 100 WHERE provider_id = 'cs_test_audit'"));
  assert_true(pd_e2e_sql(&E, "INSERT INTO gem_debts (user_id, gems) SELECT id, 7 FROM users"
                             " WHERE discord_id = '720000000000000008'"));
  assert_int_not_equal(pd_e2e_audit(&E, "--full", out, sizeof(out)), 0);
  snprintf(want, sizeof(want), "audit: %s owes 7 Gems but their clawed-back payments left 0 owed",
           A);
  HAS(out, want);
  assert_true(pd_e2e_sql(&E, "DELETE FROM gem_debts WHERE gems = 7"));
}

/* An admin reads a player's payments: from REST and from /admin, with what a clawback took. */
static void test_admin_lists_payments(void **state)
{
  const char *A = "720000000000000009";
  assert_int_equal(grant("cs_test_admin1", A, "gems-100"), PD_PAY_GRANTED);
  assert_int_equal(clawback("cs_test_admin1", NULL), PD_PAY_CLAWED_BACK);
  assert_int_equal(grant("cs_test_admin2", A, "gems-550"), PD_PAY_GRANTED);
  struct pd_http_reply out = {0};
  json_t *j = NULL;
  char path[96];
  snprintf(path, sizeof(path), "/admin/v1/users/%s/payments", A);
  assert_int_equal(pd_ae_rest(&E, 0, "GET", path, NULL, PD_AE_TOKEN, &out, &j), 200);
  json_t *list = json_object_get(j, "payments");
  assert_int_equal(json_array_size(list), 2);
  json_t *newest = json_array_get(list, 0), *old = json_array_get(list, 1);
  assert_string_equal(json_string_value(json_object_get(newest, "provider_id")), "cs_test_admin2");
  assert_string_equal(json_string_value(json_object_get(newest, "state")), "granted");
  assert_int_equal(json_integer_value(json_object_get(newest, "gems")), 550);
  assert_int_equal(json_integer_value(json_object_get(newest, "amount")), 499);
  assert_string_equal(json_string_value(json_object_get(old, "state")), "clawed_back");
  assert_string_equal(json_string_value(json_object_get(old, "clawback_reason")), "refund");
  assert_int_equal(json_integer_value(json_object_get(old, "clawed_gems")), 100);
  assert_null(json_object_get(newest, "raw")); /* the provider's event stays in the database */
  json_decref(j);
  pd_http_reply_free(&out);
  /* Without the token: 401, and nothing about the player. */
  assert_int_equal(pd_ae_rest(&E, 0, "GET", path, NULL, NULL, &out, NULL), 401);
  assert_null(strstr(out.body != NULL ? out.body : "", "cs_test_admin"));
  assert_non_null(pd_http_header(&out, "WWW-Authenticate"));
  pd_http_reply_free(&out);

  json_t *ix = pd_ae_ix(PD_AE_ADMIN, "payments");
  pd_ge_option(ix, "user", 6, json_string(A), 0);
  json_t *r = pd_ae_admin(&E, 0, PD_AE_ADMIN, "payments", ix);
  const char *t = pd_ge_text(r);
  HAS(t, "2 payments");
  HAS(t, "gems-550 · 550 Gems · 4.99 USD · stripe `cs_test_admin2` · granted");
  HAS(t, "clawed back (refund; 100 taken, 0 owed)");
  json_decref(r);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'payments'"), 2);

  /* Gems of a player who owes Gems pay the debt: an admin cannot take them either. */
  const char *D = "720000000000000010", *B = "720000000000000011";
  pd_ge_player(&E, D, 30);
  pd_ge_player(&E, B, 30);
  assert_int_equal(grant("cs_test_admin3", D, "gems-100"), PD_PAY_GRANTED);
  json_decref(gift_gems(D, B, 100));
  assert_int_equal(clawback("cs_test_admin3", NULL), PD_PAY_CLAWED_BACK);
  json_decref(gift_gems(B, D, 10));
  snprintf(path, sizeof(path), "/admin/v1/users/%s/grants", D);
  assert_int_equal(pd_ae_rest(&E, 0, "POST", path, "{\"amount\": -5, \"currency\": \"gems\"}",
                              PD_AE_TOKEN, &out, &j),
                   409);
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
                      "gems_on_hold");
  json_decref(j);
  pd_http_reply_free(&out);
  assert_int_equal(pd_ge_balance(&E, D, "gems"), 10);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_granted_once_with_one_receipt),
      PD_E2E_TEST(test_concurrent_deliveries_grant_once),
      PD_E2E_TEST(test_clawback_with_spent_gems_holds_gems),
      PD_E2E_TEST(test_refund_before_payment_pays_nothing),
      PD_E2E_TEST(test_membership_is_convenience_not_odds),
      PD_E2E_TEST(test_audit_checks_payments),
      PD_E2E_TEST(test_admin_lists_payments),
  };
  return cmocka_run_group_tests_name("e2e_payments", tests, setup, teardown);
}
