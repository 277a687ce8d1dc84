/* e2e_stripe.c - Stripe Checkout end to end: /buy_gems against test/doubles/stripe.c (the link
 * button to the double's session, the form fields and Idempotency-Key it got, one session for
 * an interaction delivered twice; "not set up" without STRIPE_SECRET_KEY), and POST
 * /webhooks/stripe with events signed as Stripe signs them: granted once under concurrent,
 * shuffled redelivery; an unpaid session granted by its async success; refunds and disputes
 * clawed back (a debt when the Gems were spent, a spend refused meanwhile, the next purchase
 * settling it); a refund before its payment; every bad signature 400 with nothing written; an
 * unknown type 200; a secret roll accepted.  The membership as a Stripe subscription:
 * /buy_gems membership opens a mode=subscription session with a recurring price and the player
 * in the subscription's metadata; the completed session grants nothing, each invoice.paid moves
 * the membership to its period's end (once per invoice); customer.subscription.deleted ends
 * it, a refunded invoice ends it, and a deletion delivered before the last invoice keeps it
 * ended.  The books are audited after every test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "e2e.h"
#include "gifts_e2e.h"
#include "stripe_e2e.h"

#define SK "sk_test_popdeck_e2e_51Hx0000000000"
#define WHSEC "whsec_popdeck_e2e_current_0123456789"
#define OLD_WHSEC "whsec_popdeck_e2e_previous_abcdef"

static struct pd_e2e E;
static struct pd_se S;

static int setup(void **state)
{
  static char api[96];
  if (pd_e2e_setup(&E, "stripe") != 0 || pd_se_start(&S, E.build, SK) != 0)
    return -1;
  snprintf(api, sizeof(api), "STRIPE_API_BASE=%s", S.root);
  const char *const env[] = {"DISCORD_BOT_TOKEN=test-bot-token",
                             api,
                             "STRIPE_SECRET_KEY=" SK,
                             "STRIPE_WEBHOOK_SECRET=" WHSEC,
                             "PUBLIC_BASE_URL=http://127.0.0.1:9/popdeck/",
                             NULL};
  /* Server 0 sells.  (Instances share the job queue, so one without the Stripe settings runs
   * only for test_not_set_up: its workers would take jobs that need them.) */
  pd_e2e_server_stop(&E, 0, 15, 10000, &(int){0});
  return pd_e2e_server_start(&E, 0, env);
}

static int teardown(void **state)
{
  pd_se_stop(&S);
  pd_e2e_teardown(&E);
  return 0;
}

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

static const struct pd_se_how SIGNED = {.secret = WHSEC};

static long deliver(const char *body, const struct pd_se_how *how)
{
  return pd_se_send(E.srv[0].port, body, how, NULL);
}

/* A fresh player id, so the tests never share one. */
static void player(char out[24])
{
  snprintf(out, 24, "42%017u", randombytes_uniform(1000000000u));
}

static void unique(char *out, size_t len, const char *prefix)
{
  char hex[17];
  unsigned char raw[8];
  randombytes_buf(raw, sizeof(raw));
  sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
  snprintf(out, len, "%s%s", prefix, hex);
}

/* A session event for bundle, as text (caller frees). */
static char *session_event(const char *evt, const char *type, const char *cs, const char *user,
                           const char *bundle, const char *paid, long long amount, const char *pi)
{
  return pd_se_event(evt, type, pd_se_session(cs, user, bundle, paid, amount, pi));
}

static int64_t payments(const char *cs)
{
  return sqlf("SELECT count(*) FROM payments WHERE provider = 'stripe' AND provider_id = '%s'", cs);
}

static int64_t gems(const char *user)
{
  return sqlf("SELECT coalesce((SELECT gems FROM users WHERE discord_id = '%s'), 0)", user);
}

/* The receipts and notices the player's DM channel got, waiting for at least n. */
static json_t *dms(const char *user, size_t n)
{
  char path[64];
  snprintf(path, sizeof(path), "/channels/9%s/messages", user);
  json_t *r =
      n > 0 ? pd_double_wait_requests(E.dbl, path, n, 10000) : pd_double_requests(E.dbl, path);
  assert_non_null(r);
  return r;
}

static const char *dm_text(json_t *reqs, size_t i)
{
  const char *t = json_string_value(
      json_object_get(json_object_get(json_array_get(reqs, i), "json"), "content"));
  return t != NULL ? t : "";
}

static json_t *buy(const char *user, const char *bundle)
{
  json_t *ix = pd_ge_command("buy_gems", NULL, user);
  pd_ge_option(ix, "bundle", 3, json_string(bundle), 0);
  return ix;
}

/* The edit of the deferred answer the worker sent for token (caller owns). */
static json_t *followup(const char *token, size_t n)
{
  json_t *reqs = pd_double_wait_requests(E.dbl, token, n, 10000);
  assert_non_null(reqs);
  return reqs;
}

static void test_buy_gems_link_button(void **state)
{
  char user[24];
  player(user);
  assert_int_equal(pd_se_reset(&S), 0);
  json_t *ix = buy(user, "gems-550");
  const char *id = json_string_value(json_object_get(ix, "id"));
  const char *token = json_string_value(json_object_get(ix, "token"));
  json_t *r = pd_ge_post(&E, 0, ix);
  /* Deferred, ephemeral: Stripe is asked by the worker, never inside Discord's 3 s. */
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 5);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "data"), "flags")), 64);
  json_decref(r);
  json_t *reqs = followup(token, 1);
  json_t *edit = json_array_get(reqs, 0);
  assert_string_equal(json_string_value(json_object_get(edit, "method")), "PATCH");
  json_t *body = json_object_get(edit, "json");
  json_t *button = json_array_get(
      json_object_get(json_array_get(json_object_get(body, "components"), 0), "components"), 0);
  assert_int_equal(json_integer_value(json_object_get(button, "type")), 2);
  assert_int_equal(json_integer_value(json_object_get(button, "style")), 5);
  assert_string_equal(json_string_value(json_object_get(button, "label")), "Pay 4.99 USD");
  assert_null(json_object_get(button, "custom_id"));
  char url[512];
  snprintf(url, sizeof(url), "%s", json_string_value(json_object_get(button, "url")));
  json_decref(reqs);

  /* What reached Stripe: one session request, every field as the brief lists it. */
  json_t *sr = pd_se_requests(&S);
  assert_int_equal(json_array_size(sr), 1);
  json_t *q = json_array_get(sr, 0);
  json_t *form = json_object_get(q, "form");
  char key[64];
  snprintf(key, sizeof(key), "popdeck-buy-%s", id);
  assert_string_equal(json_string_value(json_object_get(q, "path")), "/v1/checkout/sessions");
  assert_string_equal(json_string_value(json_object_get(q, "authorization")), "bearer");
  assert_string_equal(json_string_value(json_object_get(q, "idempotency_key")), key);
  assert_string_equal(json_string_value(json_object_get(q, "content_type")),
                      "application/x-www-form-urlencoded");
  assert_int_equal(json_integer_value(json_object_get(q, "status")), 200);
  static const char *const want[][2] = {
      {"mode", "payment"},
      {"line_items[0][price_data][currency]", "usd"},
      {"line_items[0][price_data][unit_amount]", "499"},
      {"line_items[0][price_data][product_data][name]", "Pouch of Gems"},
      {"line_items[0][quantity]", "1"},
      {"success_url", "http://127.0.0.1:9/popdeck/paid"},
      {"cancel_url", "http://127.0.0.1:9/popdeck/paid?cancelled=1"},
      {"metadata[bundle]", "gems-550"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    const char *got = json_string_value(json_object_get(form, want[i][0]));
    if (got == NULL || strcmp(got, want[i][1]) != 0)
      fail_msg("%s: got %s, want %s", want[i][0], got != NULL ? got : "(none)", want[i][1]);
  }
  assert_string_equal(json_string_value(json_object_get(form, "client_reference_id")), user);
  assert_string_equal(json_string_value(json_object_get(form, "metadata[discord_id]")), user);
  char cs[64];
  assert_non_null(json_string_value(json_object_get(q, "session")));
  snprintf(cs, sizeof(cs), "%s", json_string_value(json_object_get(q, "session")));
  assert_non_null(strstr(url, cs));
  assert_int_equal(strncmp(url, S.root, strlen(S.root)), 0);

  /* The same interaction delivered again (a retry): the same key, the same session. */
  r = pd_ge_post(&E, 0, ix);
  json_decref(r);
  reqs = followup(token, 2);
  button = json_array_get(
      json_object_get(
          json_array_get(
              json_object_get(json_object_get(json_array_get(reqs, 1), "json"), "components"), 0),
          "components"),
      0);
  assert_string_equal(json_string_value(json_object_get(button, "url")), url);
  json_decref(reqs);
  json_decref(sr);
  sr = pd_se_requests(&S);
  assert_int_equal(json_array_size(sr), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(sr, 1), "idempotency_key")),
                      key);
  assert_string_equal(json_string_value(json_object_get(json_array_get(sr, 1), "session")), cs);
  json_decref(sr);
  json_decref(ix);
  /* A session is only a link: nothing is granted until Stripe says it is paid. */
  assert_int_equal(gems(user), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payments p JOIN users u ON u.id = p.user_id"
                        " WHERE u.discord_id = '%s'",
                        user),
                   0);
  pd_e2e_double_reset(&E); /* the edits it got go to the OpenAPI check */
}

/* Stripe failing: the player reads that nothing was charged, with a reference. */
static void test_buy_gems_stripe_down(void **state)
{
  char user[24];
  player(user);
  assert_int_equal(pd_se_reset(&S), 0);
  assert_int_equal(pd_se_control(&S, "fail", "{\"status\":500,\"count\":1}"), 0);
  json_t *ix = buy(user, "gems-100");
  json_decref(pd_ge_post(&E, 0, ix));
  json_t *reqs = followup(json_string_value(json_object_get(ix, "token")), 1);
  const char *text = json_string_value(
      json_object_get(json_object_get(json_array_get(reqs, 0), "json"), "content"));
  assert_non_null(strstr(text, "nothing was charged"));
  assert_null(json_object_get(json_object_get(json_array_get(reqs, 0), "json"), "components"));
  json_decref(reqs);
  json_decref(ix);
}

static void test_not_set_up(void **state)
{
  char user[24];
  int status = 0;
  player(user);
  assert_int_equal(pd_e2e_server_start(&E, 1, NULL), 0);
  json_t *ix = buy(user, "gems-550");
  json_t *r = pd_ge_post(&E, 1, ix);
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 4);
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), "Payments are not set up"));
  json_decref(r);
  json_decref(ix);
  /* Nor is its webhook there. */
  char *ev = session_event("evt_x", "checkout.session.completed", "cs_test_x", user, "gems-100",
                           "paid", 99, "pi_x");
  assert_int_equal(pd_se_send(E.srv[1].port, ev, &SIGNED, NULL), 404);
  free(ev);
  assert_int_equal(pd_e2e_server_stop(&E, 1, 15, 10000, &status), 0);
}

struct shot {
  const char *body;
  long status;
};

static void *send_one(void *arg)
{
  struct shot *s = arg;
  s->status = deliver(s->body, &SIGNED);
  return NULL;
}

/* The same completed event five times at once, and the session's async success, in shuffled
 * order: one payment, one ledger operation, one receipt. */
static void test_granted_once_under_redelivery(void **state)
{
  char user[24], cs[48], pi[48], evt[48], evt2[48];
  player(user);
  unique(cs, sizeof(cs), "cs_test_");
  unique(pi, sizeof(pi), "pi_");
  unique(evt, sizeof(evt), "evt_");
  unique(evt2, sizeof(evt2), "evt_");
  char *done =
      session_event(evt, "checkout.session.completed", cs, user, "gems-550", "paid", 499, pi);
  char *async = session_event(evt2, "checkout.session.async_payment_succeeded", cs, user,
                              "gems-550", "paid", 499, pi);
  struct shot shots[6];
  for (int i = 0; i < 6; i++)
    shots[i] = (struct shot){i == 0 ? async : done, 0};
  for (int i = 5; i > 0; i--) { /* shuffled */
    int k = (int)randombytes_uniform((uint32_t)i + 1);
    struct shot t = shots[i];
    shots[i] = shots[k];
    shots[k] = t;
  }
  pthread_t th[6];
  for (int i = 0; i < 6; i++)
    pthread_create(&th[i], NULL, send_one, &shots[i]);
  for (int i = 0; i < 6; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < 6; i++)
    assert_int_equal(shots[i].status, 200);
  assert_int_equal(payments(cs), 1);
  assert_int_equal(gems(user), 550);
  assert_int_equal(sqlf("SELECT count(DISTINCT l.op_id) FROM ledger l JOIN users u ON u.id ="
                        " l.user_id WHERE l.kind = 'purchase_gems' AND u.discord_id = '%s'",
                        user),
                   1);
  assert_int_equal(sqlf("SELECT count(DISTINCT op_id) FROM payments WHERE provider_id = '%s'", cs),
                   1);
  assert_int_equal(
      sqlf("SELECT count(*) FROM payment_events WHERE event_id IN ('%s', '%s')", evt, evt2), 2);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s' AND amount = 499"
                        " AND currency = 'usd' AND provider_ref = '%s' AND state = 'granted'",
                        cs, pi),
                   1);
  /* One receipt queued, and one reached the player. */
  assert_int_equal(sqlf("SELECT count(*) FROM followup_jobs WHERE method = 'dm' AND attach ->>"
                        " 'recipient_id' = '%s'",
                        user),
                   1);
  json_t *d = dms(user, 1);
  assert_int_equal(json_array_size(d), 1);
  assert_non_null(strstr(dm_text(d, 0), "550 Gems"));
  assert_non_null(strstr(dm_text(d, 0), cs));
  json_decref(d);
  /* Redelivered later, one by one: still nothing new. */
  assert_int_equal(deliver(done, &SIGNED), 200);
  assert_int_equal(deliver(async, &SIGNED), 200);
  assert_int_equal(payments(cs), 1);
  assert_int_equal(gems(user), 550);
  free(done);
  free(async);
  pd_e2e_double_reset(&E); /* the receipt goes to the OpenAPI check */
}

static void test_unpaid_then_async_success(void **state)
{
  char user[24], cs[48], pi[48], evt[48], evt2[48];
  player(user);
  unique(cs, sizeof(cs), "cs_test_");
  unique(pi, sizeof(pi), "pi_");
  unique(evt, sizeof(evt), "evt_");
  unique(evt2, sizeof(evt2), "evt_");
  char *unpaid =
      session_event(evt, "checkout.session.completed", cs, user, "gems-100", "unpaid", 99, pi);
  assert_int_equal(deliver(unpaid, &SIGNED), 200);
  assert_int_equal(payments(cs), 0);
  assert_int_equal(gems(user), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payment_events WHERE event_id = '%s' AND outcome ="
                        " 'unpaid'",
                        evt),
                   1);
  char *paid = session_event(evt2, "checkout.session.async_payment_succeeded", cs, user, "gems-100",
                             "paid", 99, pi);
  assert_int_equal(deliver(paid, &SIGNED), 200);
  assert_int_equal(deliver(paid, &SIGNED), 200);
  assert_int_equal(deliver(unpaid, &SIGNED), 200);
  assert_int_equal(payments(cs), 1);
  assert_int_equal(gems(user), 100);
  free(unpaid);
  free(paid);
}

/* Bought, partly spent, refunded: what is there is taken, the rest owed; Gems can't be spent
 * meanwhile; the next purchase pays the debt back first. */
static void test_refund_claws_back_with_debt(void **state)
{
  char user[24], friend[24], cs[48], pi[48], evt[48], cs2[48], pi2[48];
  player(user);
  player(friend);
  pd_ge_player(&E, friend, 30);
  unique(cs, sizeof(cs), "cs_test_");
  unique(pi, sizeof(pi), "pi_");
  unique(evt, sizeof(evt), "evt_");
  char *ev = session_event(evt, "checkout.session.completed", cs, user, "gems-100", "paid", 99, pi);
  assert_int_equal(deliver(ev, &SIGNED), 200);
  free(ev);
  assert_int_equal(gems(user), 100);
  pd_ge_player(&E, user, 30); /* old enough to give */
  /* 60 of the 100 Gems go to a friend. */
  json_t *ix = pd_ge_command("gift", NULL, user);
  pd_ge_option(ix, "user", 6, json_string(friend), 0);
  pd_ge_option(ix, "gems", 4, json_integer(60), 0);
  json_decref(pd_ge_post(&E, 0, ix));
  json_decref(ix);
  assert_int_equal(gems(user), 40);

  unique(evt, sizeof(evt), "evt_");
  ev = pd_se_event(evt, "charge.refunded", pd_se_charge(pi, 99));
  assert_int_equal(deliver(ev, &SIGNED), 200);
  assert_int_equal(deliver(ev, &SIGNED), 200); /* redelivered */
  free(ev);
  assert_int_equal(gems(user), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s' AND state ="
                        " 'clawed_back' AND clawed_gems = 40 AND debt_gems = 60 AND"
                        " clawback_reason = 'refund'",
                        cs),
                   1);
  assert_int_equal(sqlf("SELECT d.gems FROM gem_debts d JOIN users u ON u.id = d.user_id WHERE"
                        " u.discord_id = '%s'",
                        user),
                   60);
  json_t *d = dms(user, 2);
  assert_non_null(strstr(dm_text(d, 1), "you owe the other **60 Gems**"));
  json_decref(d);

  /* A spend of Gems (Gems a friend gives back) is refused while they are owed... */
  ix = pd_ge_command("gift", NULL, friend);
  pd_ge_option(ix, "user", 6, json_string(user), 0);
  pd_ge_option(ix, "gems", 4, json_integer(10), 0);
  pd_ge_player(&E, friend, 30);
  json_decref(pd_ge_post(&E, 0, ix));
  json_decref(ix);
  /* (the gift settled 10 of the 60) */
  ix = pd_ge_command("gift", NULL, user);
  pd_ge_option(ix, "user", 6, json_string(friend), 0);
  pd_ge_option(ix, "gems", 4, json_integer(1), 0);
  json_t *r = pd_ge_post(&E, 0, ix);
  json_decref(ix);
  assert_true(pd_e2e_ephemeral(r));
  if (strstr(pd_ge_text(r), "Your Gems are on hold") == NULL)
    fail_msg("not the hold message: %s", pd_ge_text(r));
  json_decref(r);

  /* ...and the next purchase pays the rest back first. */
  unique(cs2, sizeof(cs2), "cs_test_");
  unique(pi2, sizeof(pi2), "pi_");
  unique(evt, sizeof(evt), "evt_");
  int64_t owed = sqlf("SELECT coalesce((SELECT d.gems FROM gem_debts d JOIN users u ON u.id ="
                      " d.user_id WHERE u.discord_id = '%s'), 0)",
                      user);
  int64_t before = gems(user);
  ev = session_event(evt, "checkout.session.completed", cs2, user, "gems-100", "paid", 99, pi2);
  assert_int_equal(deliver(ev, &SIGNED), 200);
  free(ev);
  assert_int_equal(gems(user), before + 100 - owed);
  assert_int_equal(sqlf("SELECT count(*) FROM gem_debts d JOIN users u ON u.id = d.user_id WHERE"
                        " u.discord_id = '%s'",
                        user),
                   0);
}

static void test_dispute_claws_back(void **state)
{
  char user[24], cs[48], pi[48], evt[48];
  player(user);
  unique(cs, sizeof(cs), "cs_test_");
  unique(pi, sizeof(pi), "pi_");
  unique(evt, sizeof(evt), "evt_");
  char *ev = session_event(evt, "checkout.session.completed", cs, user, "gems-100", "paid", 99, pi);
  assert_int_equal(deliver(ev, &SIGNED), 200);
  free(ev);
  unique(evt, sizeof(evt), "evt_");
  ev = pd_se_event(evt, "charge.dispute.created", pd_se_charge(pi, -1));
  assert_int_equal(deliver(ev, &SIGNED), 200);
  free(ev);
  assert_int_equal(gems(user), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s' AND state ="
                        " 'clawed_back' AND clawback_reason = 'dispute'",
                        cs),
                   1);
}

/* Stripe sends the refund first: the payment, when it comes, grants nothing. */
static void test_refund_before_payment(void **state)
{
  char user[24], cs[48], pi[48], evt[48];
  player(user);
  unique(cs, sizeof(cs), "cs_test_");
  unique(pi, sizeof(pi), "pi_");
  unique(evt, sizeof(evt), "evt_");
  char *ev = pd_se_event(evt, "charge.refunded", pd_se_charge(pi, 99));
  assert_int_equal(deliver(ev, &SIGNED), 200);
  free(ev);
  unique(evt, sizeof(evt), "evt_");
  ev = session_event(evt, "checkout.session.completed", cs, user, "gems-100", "paid", 99, pi);
  assert_int_equal(deliver(ev, &SIGNED), 200);
  free(ev);
  assert_int_equal(gems(user), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s' AND state ="
                        " 'clawed_back' AND op_id IS NULL",
                        cs),
                   1);
}

/* Each way a delivery can be wrong: 400, and nothing is written at all. */
static void test_bad_signatures_write_nothing(void **state)
{
  char user[24], cs[48], evt[48];
  player(user);
  unique(cs, sizeof(cs), "cs_test_");
  unique(evt, sizeof(evt), "evt_");
  char *ev =
      session_event(evt, "checkout.session.completed", cs, user, "gems-550", "paid", 499, "pi_bad");
  const struct pd_se_how bad[] = {
      {.secret = WHSEC, .tamper = true},    {.secret = "whsec_someone_else_entirely_000"},
      {.secret = WHSEC, .t_offset = -301},  {.secret = WHSEC, .t_offset = 3600},
      {.secret = WHSEC, .no_header = true},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    struct pd_http_reply r;
    long st = pd_se_send(E.srv[0].port, ev, &bad[i], &r);
    if (st != 400)
      fail_msg("delivery %zu: HTTP %ld (%s)", i, st, r.body);
    pd_http_reply_free(&r);
  }
  /* A good signature over bytes that are not JSON: 400 too. */
  assert_int_equal(deliver("{\"id\": \"evt_", &SIGNED), 400);
  assert_int_equal(payments(cs), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payment_events WHERE event_id = '%s'", evt), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM users WHERE discord_id = '%s'", user), 0);
  /* The same event, signed right, is then granted. */
  assert_int_equal(deliver(ev, &SIGNED), 200);
  assert_int_equal(gems(user), 550);
  free(ev);
}

static void test_unknown_type_is_200(void **state)
{
  char evt[48];
  unique(evt, sizeof(evt), "evt_");
  int64_t before = sqlf("SELECT count(*) FROM payments");
  char *ev = pd_se_event(evt, "customer.created",
                         json_pack("{s:s, s:s}", "id", "cus_test_1", "object", "customer"));
  struct pd_http_reply r;
  assert_int_equal(pd_se_send(E.srv[0].port, ev, &SIGNED, &r), 200);
  assert_non_null(strstr(r.body, "\"ignored\""));
  pd_http_reply_free(&r);
  free(ev);
  assert_int_equal(sqlf("SELECT count(*) FROM payments"), before);
  assert_int_equal(sqlf("SELECT count(*) FROM payment_events WHERE event_id = '%s' AND outcome ="
                        " 'ignored'",
                        evt),
                   1);
}

/* During a secret roll Stripe signs with both secrets: the right v1 among two is enough. */
static void test_secret_roll_accepted(void **state)
{
  char user[24], cs[48], evt[48];
  player(user);
  unique(cs, sizeof(cs), "cs_test_");
  unique(evt, sizeof(evt), "evt_");
  char *ev =
      session_event(evt, "checkout.session.completed", cs, user, "gems-100", "paid", 99, "pi_r1");
  const struct pd_se_how roll = {.secret = WHSEC, .also = OLD_WHSEC};
  assert_int_equal(deliver(ev, &roll), 200);
  free(ev);
  assert_int_equal(gems(user), 100);
  /* Only the old secret's v1 (the roll is over): refused. */
  unique(evt, sizeof(evt), "evt_");
  unique(cs, sizeof(cs), "cs_test_");
  ev = session_event(evt, "checkout.session.completed", cs, user, "gems-100", "paid", 99, "pi_r2");
  const struct pd_se_how old = {.secret = OLD_WHSEC};
  assert_int_equal(deliver(ev, &old), 400);
  free(ev);
  assert_int_equal(payments(cs), 0);
}

/* /cooldowns, as the player reads it (caller frees nothing: the text is copied). */
static void cooldowns_text(const char *user, char *out, size_t len)
{
  json_t *ix = pd_ge_command("cooldowns", NULL, user);
  json_t *r = pd_ge_post(&E, 0, ix);
  json_decref(ix);
  const char *d = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(r, "data"), "embeds"), 0), "description"));
  snprintf(out, len, "%s", d != NULL ? d : "");
  json_decref(r);
}

/* The membership's end (Unix s), 0 when the player has none. */
static int64_t member_end(const char *user)
{
  return sqlf(
      "SELECT coalesce((SELECT floor(extract(epoch FROM m.ends_at))::bigint FROM memberships m"
      " JOIN users u ON u.id = m.user_id WHERE u.discord_id = '%s'), 0)",
      user);
}

static bool member_now(const char *user)
{
  return sqlf("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id"
              " WHERE u.discord_id = '%s' AND m.ends_at > now()",
              user) == 1;
}

/* invoice.paid of sub for [start, end], as a new event (the response's outcome in out). */
static long invoice_paid(const char *in, const char *sub, const char *user, long long start,
                         long long end, const char *pi, char *outcome, size_t len)
{
  char evt[48];
  struct pd_http_reply r;
  unique(evt, sizeof(evt), "evt_");
  char *ev = pd_se_event(evt, "invoice.paid",
                         pd_se_invoice(in, sub, user, "membership", 299, start, end, pi));
  long st = pd_se_send(E.srv[0].port, ev, &SIGNED, &r);
  json_t *j = st == 200 ? json_loads(r.body, 0, NULL) : NULL;
  const char *o = json_string_value(json_object_get(j, "outcome"));
  if (outcome != NULL)
    snprintf(outcome, len, "%s", o != NULL ? o : "");
  json_decref(j);
  pd_http_reply_free(&r);
  free(ev);
  return st;
}

static long subscription_deleted(const char *sub, const char *user, long long ended_at,
                                 long long period_end, bool at_period_end)
{
  char evt[48];
  unique(evt, sizeof(evt), "evt_");
  char *ev =
      pd_se_event(evt, "customer.subscription.deleted",
                  pd_se_subscription(sub, user, "membership", ended_at, period_end, at_period_end));
  long st = deliver(ev, &SIGNED);
  free(ev);
  return st;
}

/* /buy_gems membership: a subscription-mode session, renewing every 30 days, the player and the
 * bundle in the subscription's metadata (so every invoice carries them). */
static void test_buy_membership_is_a_subscription(void **state)
{
  char user[24];
  player(user);
  assert_int_equal(pd_se_reset(&S), 0);
  json_t *ix = buy(user, "membership");
  const char *token = json_string_value(json_object_get(ix, "token"));
  json_decref(pd_ge_post(&E, 0, ix));
  json_t *reqs = followup(token, 1);
  json_t *body = json_object_get(json_array_get(reqs, 0), "json");
  json_t *button = json_array_get(
      json_object_get(json_array_get(json_object_get(body, "components"), 0), "components"), 0);
  assert_string_equal(json_string_value(json_object_get(button, "label")), "Pay 2.99 USD");
  const char *text = json_string_value(json_object_get(body, "content"));
  assert_non_null(strstr(text, "every 30 days"));
  assert_null(strstr(text, "does not renew"));
  json_decref(reqs);
  json_t *sr = pd_se_requests(&S);
  assert_int_equal(json_array_size(sr), 1);
  json_t *q = json_array_get(sr, 0);
  assert_int_equal(json_integer_value(json_object_get(q, "status")), 200);
  json_t *form = json_object_get(q, "form");
  static const char *const want[][2] = {
      {"mode", "subscription"},
      {"line_items[0][price_data][currency]", "usd"},
      {"line_items[0][price_data][unit_amount]", "299"},
      {"line_items[0][price_data][product_data][name]", "PopDeck Membership"},
      {"line_items[0][price_data][recurring][interval]", "day"},
      {"line_items[0][price_data][recurring][interval_count]", "30"},
      {"line_items[0][quantity]", "1"},
      {"metadata[bundle]", "membership"},
      {"subscription_data[metadata][bundle]", "membership"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    const char *got = json_string_value(json_object_get(form, want[i][0]));
    if (got == NULL || strcmp(got, want[i][1]) != 0)
      fail_msg("%s: got %s, want %s", want[i][0], got != NULL ? got : "(none)", want[i][1]);
  }
  assert_string_equal(json_string_value(json_object_get(form, "client_reference_id")), user);
  assert_string_equal(
      json_string_value(json_object_get(form, "subscription_data[metadata][discord_id]")), user);
  json_decref(sr);
  json_decref(ix);
  /* A Gems bundle stays a one-time payment, with no recurring price. */
  assert_int_equal(pd_se_reset(&S), 0);
  ix = buy(user, "gems-100");
  json_decref(pd_ge_post(&E, 0, ix));
  json_decref(followup(json_string_value(json_object_get(ix, "token")), 1));
  sr = pd_se_requests(&S);
  form = json_object_get(json_array_get(sr, 0), "form");
  assert_string_equal(json_string_value(json_object_get(form, "mode")), "payment");
  assert_null(json_object_get(form, "line_items[0][price_data][recurring][interval]"));
  assert_null(json_object_get(form, "subscription_data[metadata][discord_id]"));
  json_decref(sr);
  json_decref(ix);
  pd_e2e_double_reset(&E);
}

/* The session completes (nothing granted by it), the first invoice makes the player a member
 * until its period's end, the same invoice again changes nothing, a renewal moves the end, and
 * a late older invoice does not move it back. */
static void test_subscription_invoices_renew(void **state)
{
  char user[24], cs[48], sub[48], in1[48], in2[48], pi1[48], pi2[48], evt[48], out[32];
  char text[2048], want[64];
  player(user);
  unique(cs, sizeof(cs), "cs_test_");
  unique(sub, sizeof(sub), "sub_");
  unique(in1, sizeof(in1), "in_");
  unique(in2, sizeof(in2), "in_");
  unique(pi1, sizeof(pi1), "pi_");
  unique(pi2, sizeof(pi2), "pi_");
  unique(evt, sizeof(evt), "evt_");
  long long now = (long long)time(NULL), end1 = now + 30 * 86400, end2 = end1 + 30 * 86400;
  char *ev = pd_se_event(evt, "checkout.session.completed", pd_se_sub_session(cs, user, sub, 299));
  assert_int_equal(deliver(ev, &SIGNED), 200);
  free(ev);
  assert_int_equal(sqlf("SELECT count(*) FROM payment_events WHERE event_id = '%s' AND outcome ="
                        " 'subscription'",
                        evt),
                   1);
  assert_int_equal(payments(cs), 0);
  assert_false(member_now(user));

  assert_int_equal(invoice_paid(in1, sub, user, now, end1, pi1, out, sizeof(out)), 200);
  assert_string_equal(out, "granted");
  assert_int_equal(member_end(user), end1);
  assert_int_equal(sqlf("SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id"
                        " WHERE u.discord_id = '%s' AND m.provider = 'stripe' AND m.source = '%s'",
                        user, sub),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider = 'stripe' AND provider_id ="
                        " '%s' AND provider_ref = '%s' AND member_source = '%s' AND bundle ="
                        " 'membership' AND amount = 299 AND currency = 'usd' AND gems = 0 AND"
                        " days = 0 AND state = 'granted'",
                        in1, pi1, sub),
                   1);
  cooldowns_text(user, text, sizeof(text));
  snprintf(want, sizeof(want), "You are a member until <t:%lld:D>", end1);
  if (strstr(text, want) == NULL)
    fail_msg("/cooldowns: %s", text);
  json_t *d = dms(user, 1);
  assert_non_null(strstr(dm_text(d, 0), "PopDeck Membership is active"));
  assert_non_null(strstr(dm_text(d, 0), in1));
  json_decref(d);

  /* The same invoice again (another event id: invoice.paid and a redelivery): nothing. */
  assert_int_equal(invoice_paid(in1, sub, user, now, end1, pi1, out, sizeof(out)), 200);
  assert_string_equal(out, "duplicate");
  assert_int_equal(payments(in1), 1);
  assert_int_equal(member_end(user), end1);

  /* The renewal: the same membership, moved. */
  assert_int_equal(invoice_paid(in2, sub, user, end1, end2, pi2, out, sizeof(out)), 200);
  assert_string_equal(out, "granted");
  assert_int_equal(member_end(user), end2);
  assert_int_equal(sqlf("SELECT count(*) FROM payments p JOIN users u ON u.id = p.user_id"
                        " WHERE u.discord_id = '%s' AND p.member_source = '%s'",
                        user, sub),
                   2);
  /* An older invoice delivered late (a third one of the first period) moves nothing back. */
  char in0[48];
  unique(in0, sizeof(in0), "in_");
  assert_int_equal(invoice_paid(in0, sub, user, now - 30 * 86400, now, NULL, out, sizeof(out)),
                   200);
  assert_int_equal(member_end(user), end2);
  d = dms(user, 3);
  json_decref(d);
  pd_e2e_double_reset(&E);
}

/* Cancelled: the membership ends when the subscription did, though a renewal had set it. */
static void test_subscription_deleted_ends_it(void **state)
{
  char user[24], sub[48], in1[48], in2[48], text[2048];
  player(user);
  unique(sub, sizeof(sub), "sub_");
  unique(in1, sizeof(in1), "in_");
  unique(in2, sizeof(in2), "in_");
  long long now = (long long)time(NULL), end1 = now + 30 * 86400, end2 = end1 + 30 * 86400;
  assert_int_equal(invoice_paid(in1, sub, user, now, end1, NULL, NULL, 0), 200);
  assert_int_equal(invoice_paid(in2, sub, user, end1, end2, NULL, NULL, 0), 200);
  assert_int_equal(member_end(user), end2);
  /* Cancelled at the end of the period that is running: it ends then, not at end2. */
  assert_int_equal(subscription_deleted(sub, user, end1, end1, true), 200);
  assert_int_equal(member_end(user), end1);
  /* Then cancelled outright (ended now): it is over. */
  assert_int_equal(subscription_deleted(sub, user, now - 1, end1, false), 200);
  assert_int_equal(member_end(user), now - 1);
  assert_false(member_now(user));
  cooldowns_text(user, text, sizeof(text));
  assert_null(strstr(text, "You are a member"));
  /* What was paid stays paid: the payments are granted still (the money is not back). */
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE member_source = '%s' AND state ="
                        " 'granted'",
                        sub),
                   2);
  json_decref(dms(user, 2));
  pd_e2e_double_reset(&E);
}

/* A refunded renewal ends the subscription's membership now. */
static void test_refunded_invoice_ends_it(void **state)
{
  char user[24], sub[48], in1[48], in2[48], pi1[48], pi2[48], evt[48];
  player(user);
  unique(sub, sizeof(sub), "sub_");
  unique(in1, sizeof(in1), "in_");
  unique(in2, sizeof(in2), "in_");
  unique(pi1, sizeof(pi1), "pi_");
  unique(pi2, sizeof(pi2), "pi_");
  long long now = (long long)time(NULL), end1 = now + 30 * 86400, end2 = end1 + 30 * 86400;
  assert_int_equal(invoice_paid(in1, sub, user, now, end1, pi1, NULL, 0), 200);
  assert_int_equal(invoice_paid(in2, sub, user, end1, end2, pi2, NULL, 0), 200);
  assert_true(member_now(user));
  unique(evt, sizeof(evt), "evt_");
  char *ev = pd_se_event(evt, "charge.refunded", pd_se_charge(pi2, 299));
  struct pd_http_reply r;
  assert_int_equal(pd_se_send(E.srv[0].port, ev, &SIGNED, &r), 200);
  assert_non_null(strstr(r.body, "\"clawed_back\""));
  pd_http_reply_free(&r);
  free(ev);
  assert_false(member_now(user));
  assert_true(member_end(user) <= (int64_t)time(NULL));
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s' AND state ="
                        " 'clawed_back' AND clawback_reason = 'refund'",
                        in2),
                   1);
  json_t *d = dms(user, 3);
  assert_non_null(strstr(dm_text(d, 2), "membership has ended"));
  json_decref(d);
  pd_e2e_double_reset(&E);
}

/* Stripe delivers the deletion before the subscription's last invoice: the invoice is recorded
 * as paid, and the membership stays ended. */
static void test_deleted_before_invoice_stays_ended(void **state)
{
  char user[24], sub[48], in1[48], in2[48], out[32];
  player(user);
  unique(sub, sizeof(sub), "sub_");
  unique(in1, sizeof(in1), "in_");
  unique(in2, sizeof(in2), "in_");
  long long now = (long long)time(NULL), end1 = now + 30 * 86400;
  /* A subscription that ended a minute ago; its one invoice comes after. */
  assert_int_equal(subscription_deleted(sub, user, now - 60, now - 60, false), 200);
  assert_int_equal(invoice_paid(in1, sub, user, now - 86400, end1, NULL, out, sizeof(out)), 200);
  assert_string_equal(out, "granted");
  assert_false(member_now(user));
  assert_int_equal(member_end(user), now - 60);
  /* Nor does a later one of it, delivered later still. */
  assert_int_equal(invoice_paid(in2, sub, user, end1, end1 + 30 * 86400, NULL, NULL, 0), 200);
  assert_false(member_now(user));
  assert_int_equal(payments(in1) + payments(in2), 2);
  /* The receipts say the payments added no time, not that the membership is active. */
  json_t *d = dms(user, 2);
  for (size_t i = 0; i < 2; i++) {
    assert_non_null(strstr(dm_text(d, i), "its subscription has already ended"));
    assert_null(strstr(dm_text(d, i), "is active"));
  }
  json_decref(d);
  pd_e2e_double_reset(&E);
}

/* An invoice that names no player or no bundle of ours: 200, recorded unfulfillable. */
static void test_invoice_unfulfillable(void **state)
{
  char sub[48], in[48], evt[48];
  unique(sub, sizeof(sub), "sub_");
  unique(in, sizeof(in), "in_");
  unique(evt, sizeof(evt), "evt_");
  long long now = (long long)time(NULL);
  char *ev = pd_se_event(
      evt, "invoice.paid",
      pd_se_invoice(in, sub, "4200000000000000001", "no-such-bundle", 299, now, now + 86400, NULL));
  struct pd_http_reply r;
  assert_int_equal(pd_se_send(E.srv[0].port, ev, &SIGNED, &r), 200);
  assert_non_null(strstr(r.body, "\"unfulfillable\""));
  pd_http_reply_free(&r);
  free(ev);
  assert_int_equal(payments(in), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payment_events WHERE event_id = '%s' AND outcome ="
                        " 'unfulfillable'",
                        evt),
                   1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_buy_gems_link_button),
      PD_E2E_TEST(test_buy_gems_stripe_down),
      PD_E2E_TEST(test_not_set_up),
      PD_E2E_TEST(test_granted_once_under_redelivery),
      PD_E2E_TEST(test_unpaid_then_async_success),
      PD_E2E_TEST(test_refund_claws_back_with_debt),
      PD_E2E_TEST(test_dispute_claws_back),
      PD_E2E_TEST(test_refund_before_payment),
      PD_E2E_TEST(test_bad_signatures_write_nothing),
      PD_E2E_TEST(test_unknown_type_is_200),
      PD_E2E_TEST(test_secret_roll_accepted),
      PD_E2E_TEST(test_buy_membership_is_a_subscription),
      PD_E2E_TEST(test_subscription_invoices_renew),
      PD_E2E_TEST(test_subscription_deleted_ends_it),
      PD_E2E_TEST(test_refunded_invoice_ends_it),
      PD_E2E_TEST(test_deleted_before_invoice_stays_ended),
      PD_E2E_TEST(test_invoice_unfulfillable),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
