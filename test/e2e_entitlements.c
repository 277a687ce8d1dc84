/* e2e_entitlements.c - Discord's premium SKUs end to end, on real servers, PostgreSQL and the
 * Discord double: signed webhook events at POST /events (PING; the same ENTITLEMENT_CREATE five
 * times at once and out of order with its UPDATE, granted once; a DELETE that claws back and
 * leaves a debt that holds Gems; a DELETE before its CREATE; an unknown SKU; bad signatures),
 * an entitlement seen first in an interaction and then by webhook, `popdeck payments reconcile`
 * granting what the webhook missed (twice: idempotent), the subscription's ends_at in /cooldowns
 * and /profile, and /shop's premium buttons.  What is asserted is what Discord and the player
 * see: statuses and bodies, the consume requests and DMs the double got, balances and rows. */
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"
#include "events_e2e.h"
#include "gifts_e2e.h"
#include "sig.h"

static struct pd_e2e E;

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

#define SKU_550 "1300000000000000001"
#define SKU_100 "1300000000000000002"
#define SKU_MEMBER "1300000000000000003"
#define SKU_OTHER "1300000000000000099" /* not in PAYMENT_SKUS */
#define SKUS "PAYMENT_SKUS=" SKU_550 ":gems-550," SKU_100 ":gems-100," SKU_MEMBER ":membership"
#define BOT "DISCORD_BOT_TOKEN=test-bot-token"

static int setup(void **state)
{
  static const char *const extra[] = {SKUS, BOT, NULL};
  if (pd_e2e_setup(&E, "entitlements") != 0)
    return -1;
  int status;
  pd_e2e_server_stop(&E, 0, SIGTERM, 10000, &status);
  return pd_e2e_server_start(&E, 0, extra);
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

/* Posts event type of entitlement ent (borrowed) at timestamp; returns the status, and checks
 * that a 204 has an empty body. */
static long send_event(const char *type, const char *at, json_t *ent)
{
  struct pd_http_reply r;
  json_t *ev = pd_ev_event(type, at, ent);
  long st = pd_ev_post(&E, 0, ev, &r);
  json_decref(ev);
  if (st == 204 && r.len != 0)
    fail_msg("%s: 204 with a body: %s", type, r.body);
  pd_http_reply_free(&r);
  return st;
}

static int64_t gems_of(const char *user)
{
  return sqlf("SELECT gems FROM users WHERE discord_id = '%s'", user);
}

/* Consume requests the double got for entitlement id, waiting for at least want. */
static size_t consumes(const char *id, size_t want)
{
  char path[160];
  snprintf(path, sizeof(path), "/entitlements/%s/consume", id);
  json_t *got = want > 0 ? pd_double_wait_requests(E.dbl, path, want, 10000) : NULL;
  json_decref(got);
  /* Every consume job that was queued has been finished by now or never will be. */
  for (int i = 0; i < 200 && sqlf("SELECT count(*) FROM followup_jobs WHERE method = 'consume'"
                                  " AND status = 'pending'") > 0;
       i++)
    usleep(50000);
  got = pd_double_requests(E.dbl, path);
  size_t n = json_array_size(got);
  size_t i;
  json_t *req;
  json_array_foreach(got, i, req)
  {
    assert_string_equal(json_string_value(json_object_get(req, "method")), "POST");
    assert_string_equal(json_string_value(json_object_get(req, "authorization")),
                        "Bot test-bot-token");
  }
  json_decref(got);
  return n;
}

/* DMs the double delivered to user (the channel is 9 + the user's id), waiting for want. */
static size_t dms(const char *user, size_t want, const char *needle)
{
  char path[80];
  snprintf(path, sizeof(path), "/channels/9%s/messages", user);
  json_t *got = pd_double_wait_requests(E.dbl, path, want, 10000);
  if (got == NULL)
    got = pd_double_requests(E.dbl, path);
  size_t n = json_array_size(got);
  if (needle != NULL && n > 0) {
    const char *c = json_string_value(
        json_object_get(json_object_get(json_array_get(got, n - 1), "json"), "content"));
    if (c == NULL || strstr(c, needle) == NULL)
      fail_msg("DM \"%s\" does not say \"%s\"", c != NULL ? c : "", needle);
  }
  json_decref(got);
  return n;
}

static void test_ping(void **state)
{
  struct pd_http_reply r;
  json_t *ping = pd_ev_ping();
  assert_int_equal(pd_ev_post(&E, 0, ping, &r), 204);
  assert_int_equal(r.len, 0);
  pd_http_reply_free(&r);
  json_decref(ping);
}

/* A tampered body, another key, and each header missing: 401, and nothing is granted. */
static void test_bad_signatures(void **state)
{
  char ts[24], sig[129], at[40];
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  struct pd_http_reply r;
  pd_e2e_double_reset(&E);
  pd_ev_time(0, at);
  json_t *ent =
      pd_ev_entitlement("1312000000000000001", SKU_550, "80351110224678901", 1, false, false, NULL);
  json_t *ev = pd_ev_event("ENTITLEMENT_CREATE", at, ent);
  char *body = json_dumps(ev, JSON_COMPACT);
  size_t len = strlen(body);
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  pd_e2e_sign(&E, ts, body, len, sig);

  char *tampered = strdup(body);
  char *digit = strstr(tampered, "1312000000000000001");
  digit[18] = '2'; /* another entitlement, same signature */
  assert_int_equal(pd_ev_post_raw(&E, 0, tampered, len, sig, ts, &r), 401);
  pd_http_reply_free(&r);

  crypto_sign_keypair(pk, sk);
  char other[129];
  pd_sig_sign(sk, ts, body, len, other);
  assert_int_equal(pd_ev_post_raw(&E, 0, body, len, other, ts, &r), 401);
  pd_http_reply_free(&r);
  assert_int_equal(pd_ev_post_raw(&E, 0, body, len, NULL, ts, &r), 401);
  pd_http_reply_free(&r);
  assert_int_equal(pd_ev_post_raw(&E, 0, body, len, sig, NULL, &r), 401);
  pd_http_reply_free(&r);
  /* An old timestamp, signed correctly. */
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL) - 3600);
  pd_e2e_sign(&E, ts, body, len, sig);
  assert_int_equal(pd_ev_post_raw(&E, 0, body, len, sig, ts, &r), 401);
  pd_http_reply_free(&r);

  assert_int_equal(sqlf("SELECT count(*) FROM payments"), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM payment_events"), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM users WHERE discord_id = '80351110224678901'"), 0);
  /* Signed, but not an event: 400. */
  const char *junk = "{\"version\":1,\"type\":\"one\"}";
  pd_e2e_sign(&E, ts, junk, strlen(junk), sig);
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  pd_e2e_sign(&E, ts, junk, strlen(junk), sig);
  assert_int_equal(pd_ev_post_raw(&E, 0, junk, strlen(junk), sig, ts, &r), 400);
  pd_http_reply_free(&r);
  free(tampered);
  free(body);
  json_decref(ev);
  json_decref(ent);
}

struct sender {
  const char *type;
  const char *at;
  json_t *ent;
  long status;
};

static void *send_thread(void *arg)
{
  struct sender *s = arg;
  s->status = send_event(s->type, s->at, s->ent);
  return NULL;
}

/* Five deliveries of one ENTITLEMENT_CREATE at once, with its UPDATE among them (and before
 * them): one payment, one ledger operation, one consume, one receipt. */
static void test_create_five_times_concurrently(void **state)
{
  const char *user = "80351110224678902", *id = "1312000000000000002";
  char created[40], updated[40];
  pd_e2e_double_reset(&E);
  pd_ev_time(-5, created);
  pd_ev_time(-1, updated);
  json_t *ent = pd_ev_entitlement(id, SKU_550, user, 1, false, false, NULL);
  assert_int_equal(pd_double_entitlement_put(E.dbl, ent), PD_OK);
  struct sender s[6];
  pthread_t t[6];
  s[0] = (struct sender){"ENTITLEMENT_UPDATE", updated, ent, 0};
  for (int i = 1; i < 6; i++)
    s[i] = (struct sender){"ENTITLEMENT_CREATE", created, ent, 0};
  for (int i = 0; i < 6; i++)
    pthread_create(&t[i], NULL, send_thread, &s[i]);
  for (int i = 0; i < 6; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(s[i].status, 204);
  }
  /* Late again, after all that. */
  assert_int_equal(send_event("ENTITLEMENT_CREATE", created, ent), 204);

  assert_int_equal(gems_of(user), 550);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s'", id), 1);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s' AND state ="
                        " 'granted' AND gems = 550 AND bundle = 'gems-550'",
                        id),
                   1);
  assert_int_equal(sqlf("SELECT count(DISTINCT op_id) FROM ledger WHERE kind = 'purchase_gems'"
                        " AND user_id = (SELECT id FROM users WHERE discord_id = '%s')",
                        user),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM payment_events WHERE event_id LIKE '%s:%%'", id), 2);
  assert_int_equal(consumes(id, 1), 1);
  assert_int_equal(dms(user, 1, "550 Gems"), 1);
  /* The double holds it consumed, as Discord would. */
  json_t *held = pd_double_entitlements(E.dbl);
  assert_true(json_is_true(json_object_get(json_array_get(held, 0), "consumed")));
  json_decref(held);
  json_decref(ent);
}

/* First in an interaction's entitlements (granted before the command: /balance shows it), then
 * by webhook: granted once, consumed once. */
static void test_interaction_then_webhook(void **state)
{
  const char *user = "80351110224678903", *id = "1312000000000000003";
  char at[40];
  json_t *reply = NULL;
  pd_e2e_double_reset(&E);
  json_t *ent = pd_ev_entitlement(id, SKU_100, user, 1, false, false, NULL);
  assert_int_equal(pd_double_entitlement_put(E.dbl, ent), PD_OK);
  json_t *ix = pd_e2e_command("balance", user);
  json_object_set_new(ix, "entitlements", json_pack("[O]", ent));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  char *shown = json_dumps(reply, JSON_COMPACT);
  if (strstr(shown, "Gems") == NULL || strstr(shown, "100") == NULL)
    fail_msg("/balance right after the purchase: %s", shown);
  free(shown);
  json_decref(reply);
  assert_int_equal(gems_of(user), 100);
  /* The same interaction again (before the consume landed, say): nothing more. */
  assert_int_equal(pd_e2e_post(&E, 0, ix, NULL), 200);
  pd_ev_time(0, at);
  assert_int_equal(send_event("ENTITLEMENT_CREATE", at, ent), 204);
  assert_int_equal(gems_of(user), 100);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s'", id), 1);
  assert_int_equal(consumes(id, 1), 1);
  assert_int_equal(dms(user, 1, "100 Gems"), 1);
  json_decref(ix);
  json_decref(ent);
}

/* Discord fails the consume twice (500): the queue retries it until it is done, and the
 * purchase is still granted once, also when it shows up in an interaction meanwhile. */
static void test_consume_retried(void **state)
{
  const char *user = "80351110224678991", *id = "1312000000000000091";
  char at[40];
  pd_e2e_double_reset(&E);
  json_t *ent = pd_ev_entitlement(id, SKU_100, user, 1, false, false, NULL);
  assert_int_equal(pd_double_entitlement_put(E.dbl, ent), PD_OK);
  assert_int_equal(pd_double_fail_next_on(E.dbl, "/consume", 500, 2, 0), PD_OK);
  pd_ev_time(0, at);
  assert_int_equal(send_event("ENTITLEMENT_CREATE", at, ent), 204);
  json_t *ix = pd_e2e_command("balance", user);
  json_object_set_new(ix, "entitlements", json_pack("[O]", ent));
  assert_int_equal(pd_e2e_post(&E, 0, ix, NULL), 200);
  json_decref(ix);
  assert_int_equal(consumes(id, 3), 3);
  assert_int_equal(gems_of(user), 100);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s'", id), 1);
  assert_int_equal(sqlf("SELECT count(*) FROM followup_jobs WHERE method = 'consume'"
                        " AND status = 'done' AND attempts = 3"),
                   1);
  json_t *held = pd_double_entitlements(E.dbl);
  assert_true(json_is_true(json_object_get(json_array_get(held, 0), "consumed")));
  json_decref(held);
  json_decref(ent);
}

/* A refund after some of the Gems were given away: what is left is taken, the rest owed, and
 * spending Gems is refused with the hold message until it is paid back. */
static void test_delete_claws_back_with_debt(void **state)
{
  const char *user = "80351110224678904", *friend = "80351110224678905";
  const char *id = "1312000000000000004";
  char at[40], later[40];
  json_t *reply = NULL;
  pd_e2e_double_reset(&E);
  pd_ev_time(-10, at);
  pd_ev_time(0, later);
  json_t *ent = pd_ev_entitlement(id, SKU_100, user, 1, false, false, NULL);
  assert_int_equal(pd_double_entitlement_put(E.dbl, ent), PD_OK);
  assert_int_equal(send_event("ENTITLEMENT_CREATE", at, ent), 204);
  assert_int_equal(gems_of(user), 100);
  json_t *gift = pd_e2e_command("gift", user);
  pd_e2e_option(gift, "user", 6, json_string(friend));
  pd_e2e_option(gift, "gems", 4, json_integer(60));
  assert_int_equal(pd_e2e_post(&E, 0, gift, NULL), 200);
  json_decref(gift);
  assert_int_equal(gems_of(user), 40);

  json_object_set_new(ent, "deleted", json_true());
  assert_int_equal(send_event("ENTITLEMENT_DELETE", later, ent), 204);
  assert_int_equal(send_event("ENTITLEMENT_DELETE", later, ent), 204); /* redelivered */
  assert_int_equal(gems_of(user), 0);
  assert_int_equal(sqlf("SELECT gems FROM gem_debts WHERE user_id = (SELECT id FROM users WHERE"
                        " discord_id = '%s')",
                        user),
                   60);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s' AND state ="
                        " 'clawed_back' AND clawed_gems = 40 AND debt_gems = 60",
                        id),
                   1);
  assert_int_equal(dms(user, 2, "owe the other **60 Gems**"), 2);

  /* Gems can't be spent while owed. */
  gift = pd_e2e_command("gift", user);
  pd_e2e_option(gift, "user", 6, json_string(friend));
  pd_e2e_option(gift, "gems", 4, json_integer(1));
  assert_int_equal(pd_e2e_post(&E, 0, gift, &reply), 200);
  if (strstr(pd_e2e_content(reply), "Your Gems are on hold") == NULL)
    fail_msg("spending while owing: %s", pd_e2e_content(reply));
  json_decref(reply);
  json_decref(gift);
  assert_int_equal(gems_of(friend), 60);
  json_decref(ent);
}

/* The refund's event before the purchase's: nothing is ever paid, nothing consumed. */
static void test_delete_before_create(void **state)
{
  const char *user = "80351110224678906", *id = "1312000000000000006";
  char at[40], later[40];
  pd_e2e_double_reset(&E);
  pd_ev_time(-10, at);
  pd_ev_time(0, later);
  json_t *ent = pd_ev_entitlement(id, SKU_550, user, 1, false, true, NULL);
  assert_int_equal(send_event("ENTITLEMENT_DELETE", later, ent), 204);
  json_object_set_new(ent, "deleted", json_false());
  assert_int_equal(send_event("ENTITLEMENT_CREATE", at, ent), 204);
  assert_int_equal(gems_of(user), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM ledger WHERE user_id = (SELECT id FROM users WHERE"
                        " discord_id = '%s')",
                        user),
                   0);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s' AND state ="
                        " 'clawed_back' AND op_id IS NULL",
                        id),
                   1);
  assert_int_equal(consumes(id, 0), 0);
  json_decref(ent);
}

/* A SKU that is not ours: 204, recorded as ignored, nothing else. */
static void test_unknown_sku(void **state)
{
  const char *user = "80351110224678907", *id = "1312000000000000007";
  char at[40];
  pd_ev_time(0, at);
  json_t *ent = pd_ev_entitlement(id, SKU_OTHER, user, 1, false, false, NULL);
  assert_int_equal(send_event("ENTITLEMENT_CREATE", at, ent), 204);
  assert_int_equal(sqlf("SELECT count(*) FROM payment_events WHERE event_id LIKE '%s:%%' AND"
                        " outcome = 'ignored'",
                        id),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s'", id), 0);
  /* Other event types: 204 and nothing. */
  json_t *ev = json_pack("{s:i, s:s, s:i, s:{s:s, s:s, s:{s:s}}}", "version", 1, "application_id",
                         PD_E2E_APP_ID, "type", 1, "event", "type", "APPLICATION_AUTHORIZED",
                         "timestamp", at, "data", "integration_type", "0");
  assert_int_equal(pd_ev_post(&E, 0, ev, NULL), 204);
  json_decref(ev);
  json_decref(ent);
}

/* Runs `popdeck payments reconcile` against the suite's database and the double. */
static int reconcile(char *out, size_t outlen)
{
  char cmd[3072];
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=\"%s\" DISCORD_APPLICATION_ID=%s DISCORD_API_BASE=%s %s %s"
           " %s/popdeck payments reconcile 2>&1",
           E.db_url, PD_E2E_APP_ID, pd_double_api_base(E.dbl), SKUS, BOT, E.build);
  FILE *p = popen(cmd, "r");
  if (p == NULL)
    return -1;
  size_t n = 0;
  out[0] = '\0';
  while (n + 1 < outlen && fgets(out + n, (int)(outlen - n), p) != NULL)
    n += strlen(out + n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One entitlement the webhook granted, one it never delivered, one refunded while we were
 * away: the reconcile grants the missed one and claws the refunded one back, once. */
static void test_reconcile(void **state)
{
  const char *user = "80351110224678908";
  char at[40], out[1024];
  pd_e2e_double_reset(&E);
  pd_ev_time(0, at);
  json_t *seen = pd_ev_entitlement("1312000000000000010", SKU_100, user, 1, false, false, NULL);
  json_t *missed = pd_ev_entitlement("1312000000000000011", SKU_550, user, 1, false, false, NULL);
  json_t *refunded = pd_ev_entitlement("1312000000000000012", SKU_100, user, 1, false, false, NULL);
  assert_int_equal(pd_double_entitlement_put(E.dbl, seen), PD_OK);
  assert_int_equal(pd_double_entitlement_put(E.dbl, missed), PD_OK);
  assert_int_equal(send_event("ENTITLEMENT_CREATE", at, seen), 204);
  assert_int_equal(send_event("ENTITLEMENT_CREATE", at, refunded), 204);
  assert_int_equal(gems_of(user), 200);
  json_object_set_new(refunded, "deleted", json_true());
  assert_int_equal(pd_double_entitlement_put(E.dbl, refunded), PD_OK);
  /* Three on one page of 100; paging is the next test's. */
  assert_int_equal(reconcile(out, sizeof(out)), 0);
  if (strstr(out, "3 entitlements seen, 1 granted, 1 clawed back") == NULL)
    fail_msg("first reconcile: %s", out);
  assert_int_equal(gems_of(user), 650);
  assert_int_equal(reconcile(out, sizeof(out)), 0);
  if (strstr(out, "3 entitlements seen, 0 granted, 0 clawed back") == NULL)
    fail_msg("second reconcile: %s", out);
  assert_int_equal(gems_of(user), 650);
  assert_int_equal(
      sqlf("SELECT count(*) FROM payments WHERE provider_id LIKE '131200000000000001%%'"), 3);
  assert_int_equal(consumes("1312000000000000011", 1), 1);
  json_t *lists = pd_double_requests(E.dbl, "/applications/" PD_E2E_APP_ID "/entitlements");
  size_t i;
  json_t *req;
  size_t listed = 0;
  json_array_foreach(lists, i, req)
  {
    if (strcmp(json_string_value(json_object_get(req, "method")), "GET") != 0)
      continue;
    listed++;
    assert_string_equal(json_string_value(json_object_get(req, "authorization")),
                        "Bot test-bot-token");
  }
  assert_int_equal(listed, 2);
  json_decref(lists);
  json_decref(seen);
  json_decref(missed);
  json_decref(refunded);
}

/* 230 entitlements in the listing: three pages of at most 100, each after the last id. */
static void test_reconcile_pages(void **state)
{
  static char out[256 * 1024]; /* a log line per grant, then the count */
  char id[32];
  pd_e2e_double_reset(&E);
  for (int i = 0; i < 230; i++) {
    snprintf(id, sizeof(id), "13130000000000%05d", i);
    json_t *ent = pd_ev_entitlement(id, SKU_100, "80351110224678909", 1, false, false, NULL);
    assert_int_equal(pd_double_entitlement_put(E.dbl, ent), PD_OK);
    json_decref(ent);
  }
  assert_int_equal(reconcile(out, sizeof(out)), 0);
  if (strstr(out, "230 entitlements seen, 230 granted") == NULL)
    fail_msg("reconcile: %s", out);
  assert_int_equal(gems_of("80351110224678909"), 23000);
  json_t *lists = pd_double_requests(E.dbl, "/applications/" PD_E2E_APP_ID "/entitlements");
  size_t gets = 0, i;
  json_t *req;
  json_array_foreach(lists, i, req) gets +=
      strcmp(json_string_value(json_object_get(req, "method")), "GET") == 0;
  assert_int_equal(gets, 3);
  json_decref(lists);
  assert_int_equal(consumes("1313000000000000229", 1), 1);
}

/* The subscription: its ends_at is the membership's end (/cooldowns' shorter wait, /profile's
 * field); an UPDATE with an end in the past ends it. */
static void test_subscription_ends_at(void **state)
{
  const char *user = "80351110224678910", *id = "1312000000000000020";
  char at[40], ends[40], ended[40], want[80];
  json_t *reply = NULL;
  pd_e2e_double_reset(&E);
  pd_ev_time(0, at);
  pd_ev_time(10 * 86400, ends);
  pd_ev_time(-60, ended);
  json_t *ent = pd_ev_entitlement(id, SKU_MEMBER, user, 8, false, false, ends);
  assert_int_equal(send_event("ENTITLEMENT_CREATE", at, ent), 204);
  int64_t end = sqlf("SELECT extract(epoch FROM ends_at)::bigint FROM memberships WHERE user_id ="
                     " (SELECT id FROM users WHERE discord_id = '%s')",
                     user);
  assert_true(end > 0);
  json_t *ix = pd_e2e_command("cooldowns", user);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  snprintf(want, sizeof(want), "member until <t:%lld:D>", (long long)end);
  if (strstr(pd_ge_text(reply), want) == NULL || strstr(pd_ge_text(reply), "every 3m+") == NULL)
    fail_msg("/cooldowns of a member: %s", pd_ge_text(reply));
  json_decref(reply);

  json_t *profile = pd_e2e_command("profile", user);
  assert_int_equal(pd_e2e_post(&E, 0, profile, NULL), 200);
  json_t *edits = pd_double_wait_requests(E.dbl, "/messages/@original", 1, 10000);
  assert_non_null(edits);
  char *shown = json_dumps(json_array_get(edits, 0), JSON_COMPACT);
  if (strstr(shown, "Membership") == NULL)
    fail_msg("/profile of a member: %s", shown);
  free(shown);
  json_decref(edits);
  json_decref(profile);

  json_object_set_new(ent, "ends_at", json_string(ended));
  assert_int_equal(send_event("ENTITLEMENT_UPDATE", at, ent), 204);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  if (strstr(pd_ge_text(reply), "every 7m") == NULL || strstr(pd_ge_text(reply), "member") != NULL)
    fail_msg("/cooldowns after the subscription ended: %s", pd_ge_text(reply));
  json_decref(reply);
  assert_int_equal(consumes(id, 0), 0); /* a subscription is never consumed */
  assert_int_equal(sqlf("SELECT count(*) FROM payments WHERE provider_id = '%s'", id), 1);
  json_decref(ix);
  json_decref(ent);
}

/* /shop: one premium button per configured SKU, with sku_id and nothing else, and the bundles
 * named. */
static void test_shop_premium_buttons(void **state)
{
  json_t *reply = NULL;
  json_t *ix = pd_e2e_command("shop", "80351110224678911");
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_t *rows = json_object_get(json_object_get(reply, "data"), "components");
  assert_true(json_array_size(rows) <= 5);
  size_t i, premium = 0;
  json_t *row;
  json_array_foreach(rows, i, row)
  {
    size_t k;
    json_t *b;
    json_array_foreach(json_object_get(row, "components"), k, b)
    {
      if (json_integer_value(json_object_get(b, "style")) != 6)
        continue;
      premium++;
      assert_int_equal(json_object_size(b), 3); /* type, style, sku_id */
      assert_non_null(json_string_value(json_object_get(b, "sku_id")));
    }
  }
  assert_int_equal(premium, 3);
  const char *text = pd_ge_text(reply);
  if (strstr(text, "Pouch of Gems") == NULL || strstr(text, "PopDeck Membership") == NULL)
    fail_msg("/shop does not name the bundles: %s", text);
  json_decref(reply);
  json_decref(ix);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_ping),
      PD_E2E_TEST(test_bad_signatures),
      PD_E2E_TEST(test_create_five_times_concurrently),
      PD_E2E_TEST(test_interaction_then_webhook),
      PD_E2E_TEST(test_consume_retried),
      PD_E2E_TEST(test_delete_claws_back_with_debt),
      PD_E2E_TEST(test_delete_before_create),
      PD_E2E_TEST(test_unknown_sku),
      PD_E2E_TEST(test_reconcile),
      PD_E2E_TEST(test_reconcile_pages),
      PD_E2E_TEST(test_subscription_ends_at),
      PD_E2E_TEST(test_shop_premium_buttons),
  };
  return cmocka_run_group_tests_name("e2e_entitlements", tests, setup, teardown);
}
