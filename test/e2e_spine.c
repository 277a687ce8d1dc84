/* e2e_spine.c - the endpoint as Discord meets it: signatures, malformed bodies, PING, the
 * command table, the five player commands, ops routes, and the failure message with its
 * reference id in the log.  Real `popdeck serve`, real PostgreSQL, the Discord double. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "e2e.h"

static struct pd_e2e E;

static int setup(void **state)
{
  return pd_e2e_setup(&E, "spine");
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

static void test_body_over_64k_is_413(void **state)
{
  size_t n = 64 * 1024 + 1;
  char *big = malloc(n);
  memset(big, ' ', n);
  big[0] = '{';
  big[n - 1] = '}';
  struct pd_http_reply r;
  assert_int_equal(pd_e2e_post_signed(&E, 0, big, n, NULL, &r), 413);
  pd_http_reply_free(&r);
  free(big);
}

/* What a command that reached the database would have left: players, ledger rows, cooldowns. */
static const char *const written[] = {"SELECT count(*) FROM users",
                                      "SELECT count(*) FROM transactions",
                                      "SELECT count(*) FROM user_cooldowns"};

static void test_signatures_refused_with_401(void **state)
{
  /* A /daily from a new player: accepted, it would add a user, a ledger row and a cooldown. */
  json_t *ix = pd_e2e_command("daily", "700000000000000011");
  char *body = json_dumps(ix, JSON_COMPACT);
  json_decref(ix);
  size_t len = strlen(body);
  char now[24], old[24], future[24], sig[129], bad[129];
  snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
  snprintf(old, sizeof(old), "%lld", (long long)time(NULL) - 301);
  snprintf(future, sizeof(future), "%lld", (long long)time(NULL) + 400);
  pd_e2e_sign(&E, now, body, len, sig);
  memcpy(bad, sig, sizeof(bad));
  bad[10] = bad[10] == 'a' ? 'b' : 'a';
  char old_sig[129], future_sig[129];
  pd_e2e_sign(&E, old, body, len, old_sig);
  pd_e2e_sign(&E, future, body, len, future_sig);
  /* A different key: a valid signature from someone else. */
  unsigned char pk2[crypto_sign_PUBLICKEYBYTES], sk2[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk2, sk2);
  unsigned char raw[crypto_sign_BYTES];
  char other[129];
  char *msg = malloc(strlen(now) + len + 1);
  snprintf(msg, strlen(now) + len + 1, "%s%s", now, body);
  crypto_sign_detached(raw, NULL, (unsigned char *)msg, strlen(msg), sk2);
  sodium_bin2hex(other, sizeof(other), raw, sizeof(raw));
  free(msg);

  struct {
    const char *sig, *ts;
  } rows[] = {
      {NULL, now},          {sig, NULL},  {NULL, NULL}, {bad, now},   {old_sig, old},
      {future_sig, future}, {other, now}, {"zz", now},  {sig, "abc"},
  };
  int64_t before[PD_ARRAY_LEN(written)];
  for (size_t k = 0; k < PD_ARRAY_LEN(written); k++)
    before[k] = pd_e2e_sql_int(&E, written[k]);
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct pd_http_reply r;
    long st = pd_e2e_post_raw(&E, 0, body, len, rows[i].sig, rows[i].ts, &r);
    if (st != 401)
      fail_msg("row %zu: expected 401, got %ld", i, st);
    pd_http_reply_free(&r);
  }
  /* The database is not touched by any of them. */
  for (size_t k = 0; k < PD_ARRAY_LEN(written); k++)
    if (pd_e2e_sql_int(&E, written[k]) != before[k] || before[k] < 0)
      fail_msg("%s: %lld before the refused rows, %lld after", written[k], (long long)before[k],
               (long long)pd_e2e_sql_int(&E, written[k]));
  /* The same body correctly signed is accepted and does write: the rows failed for their
   * signatures, and the counts above would have seen a write. */
  struct pd_http_reply ok;
  assert_int_equal(pd_e2e_post_raw(&E, 0, body, len, sig, now, &ok), 200);
  pd_http_reply_free(&ok);
  for (size_t k = 0; k < PD_ARRAY_LEN(written); k++)
    if (pd_e2e_sql_int(&E, written[k]) != before[k] + 1)
      fail_msg("%s: the signed /daily did not add one row", written[k]);
  free(body);
  struct pd_http_reply m;
  assert_int_equal(pd_e2e_get(&E, 0, "/metrics", &m), 200);
  assert_non_null(strstr(m.body, "popdeck_signature_failures_total 9\n"));
  assert_non_null(
      strstr(m.body, "popdeck_http_requests_total{route=\"/interactions\",status=\"401\"} 9\n"));
  pd_http_reply_free(&m);
}

static void test_malformed_with_valid_signature_is_400(void **state)
{
  const char *rows[] = {"not json",
                        "[1,2]",
                        "{\"type\":99,\"id\":\"1\"}",
                        "{\"type\":\"2\"}",
                        "{\"type\":2,\"id\":\"1\",\"application_id\":\"1\",\"token\":\"t\","
                        "\"data\":{\"name\":\"ping\"}}",
                        ""};
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct pd_http_reply r;
    long st = pd_e2e_post_signed(&E, 0, rows[i], strlen(rows[i]), NULL, &r);
    if (st != 400)
      fail_msg("row %zu (%s): expected 400, got %ld", i, rows[i], st);
    pd_http_reply_free(&r);
  }
}

static void test_ping_is_pong(void **state)
{
  const char *body = PD_E2E_PING_BODY;
  struct pd_http_reply r;
  assert_int_equal(pd_e2e_post_signed(&E, 0, body, strlen(body), NULL, &r), 200);
  assert_string_equal(r.body, "{\"type\":1}");
  assert_string_equal(pd_http_header(&r, "Content-Type"), "application/json");
  pd_http_reply_free(&r);
}

static void test_unknown_command_is_ephemeral_message(void **state)
{
  json_t *ix = pd_e2e_command("dance", "700000000000000001"), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 4);
  assert_true(pd_e2e_ephemeral(reply));
  assert_non_null(strstr(pd_e2e_content(reply), "/dance"));
  assert_non_null(strstr(pd_e2e_content(reply), "/help"));
  json_decref(ix);
  json_decref(reply);
}

static void test_help_lists_every_command(void **state)
{
  json_t *ix = pd_e2e_command("help", "700000000000000001"), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  const char *desc = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0), "description"));
  assert_non_null(desc);
  const char *want[] = {"**/ping**",    "**/help**",
                        "**/profile**", "**/balance** `[user]`",
                        "**/daily**",   "Claim your daily Notes"};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (strstr(desc, want[i]) == NULL)
      fail_msg("/help is missing %s in:\n%s", want[i], desc);
  json_decref(ix);
  json_decref(reply);
}

static void test_ping_command_answers_latency(void **state)
{
  json_t *ix = pd_e2e_command("ping", "700000000000000001"), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "Pong!"));
  assert_non_null(strstr(pd_e2e_content(reply), " ms**"));
  json_decref(ix);
  json_decref(reply);
}

static const char *embed_field(json_t *embed, const char *name)
{
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(embed, "fields"), i, f)
  {
    if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
      return json_string_value(json_object_get(f, "value"));
  }
  return NULL;
}

static void test_profile_registers_and_follows_up(void **state)
{
  const char *uid = "700000000000000010";
  json_t *ix = pd_e2e_command("profile", uid), *reply = NULL;
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  /* Deferred: Discord shows "thinking" and the embed arrives as an edit of @original. */
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 5);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM users WHERE discord_id = '700000000000000010'"), 1);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  json_t *req = json_array_get(reqs, 0);
  assert_string_equal(json_string_value(json_object_get(req, "method")), "PATCH");
  char path[512];
  snprintf(path, sizeof(path), "/api/v10/webhooks/%s/%s/messages/@original", PD_E2E_APP_ID, token);
  assert_string_equal(json_string_value(json_object_get(req, "path")), path);
  json_t *embed = json_array_get(json_object_get(json_object_get(req, "json"), "embeds"), 0);
  assert_string_equal(json_string_value(json_object_get(embed, "title")), "Player 0010's PopDeck");
  assert_string_equal(embed_field(embed, "Notes"), "0");
  assert_string_equal(embed_field(embed, "Gems"), "0");
  assert_non_null(
      strstr(json_string_value(json_object_get(json_object_get(embed, "thumbnail"), "url")),
             "/avatars/700000000000000010/a1b2c3d4e5f60718293a4b5c6d7e8f90.png"));
  assert_non_null(strstr(json_string_value(json_object_get(embed, "description")), "Welcome"));
  assert_non_null(strstr(embed_field(embed, "Joined"), "<t:"));
  /* The job row is finished and no longer holds the token (the worker records it once Discord
   * has answered, a moment after the double saw the request). */
  int64_t done = 0;
  for (int i = 0; i < 100 && done != 1; i++) {
    done = pd_e2e_sql_int(
        &E, "SELECT count(*) FROM followup_jobs WHERE status = 'done' AND interaction_token = ''"
            " AND ref IS NOT NULL");
    if (done != 1)
      usleep(50000);
  }
  assert_int_equal(done, 1);
  json_decref(reqs);
  json_decref(ix);
  json_decref(reply);

  /* A second /profile does not register again and does not say welcome. */
  ix = pd_e2e_command("profile", uid);
  token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, NULL), 200);
  reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  embed = json_array_get(
      json_object_get(json_object_get(json_array_get(reqs, 0), "json"), "embeds"), 0);
  assert_null(json_object_get(embed, "description"));
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM users WHERE discord_id = '700000000000000010'"), 1);
  json_decref(reqs);
  json_decref(ix);
}

static void test_daily_credits_once_and_says_when_next(void **state)
{
  const char *uid = "700000000000000020";
  json_t *ix = pd_e2e_command("daily", uid), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  const char *desc = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0), "description"));
  assert_non_null(desc);
  assert_non_null(strstr(desc, "You claimed **250 Notes**! You now have **250 Notes**."));
  assert_false(pd_e2e_ephemeral(reply));
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '700000000000000020'"), 250);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM transactions t JOIN users u ON u.id = t.user_id"
                         " WHERE u.discord_id = '700000000000000020' AND t.type = 'daily'"
                         " AND t.amount = 250 AND t.currency = 'notes'"),
      1);
  json_decref(ix);
  json_decref(reply);

  ix = pd_e2e_command("daily", uid);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  int64_t until = pd_e2e_sql_int(
      &E, "SELECT ceil(extract(epoch FROM c.expires_at))::bigint FROM user_cooldowns c"
          " JOIN users u ON u.id = c.user_id WHERE u.discord_id = '700000000000000020'");
  int64_t now = (int64_t)time(NULL);
  assert_true(until > now + 86400 - 60 && until <= now + 86400 + 1);
  char want[64];
  snprintf(want, sizeof(want), "<t:%lld:R>", (long long)until);
  assert_non_null(strstr(pd_e2e_content(reply), "already claimed"));
  assert_non_null(strstr(pd_e2e_content(reply), want));
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '700000000000000020'"), 250);
  json_decref(ix);
  json_decref(reply);
}

struct claim {
  json_t *ix;
  long status;
  json_t *reply;
};

static void *claim_thread(void *arg)
{
  struct claim *c = arg;
  c->status = pd_e2e_post(&E, 0, c->ix, &c->reply);
  return NULL;
}

static void test_twenty_simultaneous_dailies_credit_once(void **state)
{
  enum { N = 20 };
  struct claim c[N];
  pthread_t t[N];
  for (int i = 0; i < N; i++) {
    c[i].ix = pd_e2e_command("daily", "700000000000000030");
    c[i].reply = NULL;
  }
  for (int i = 0; i < N; i++)
    pthread_create(&t[i], NULL, claim_thread, &c[i]);
  int credited = 0, refused = 0;
  for (int i = 0; i < N; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(c[i].status, 200);
    json_t *embeds = json_object_get(json_object_get(c[i].reply, "data"), "embeds");
    if (embeds != NULL)
      credited++;
    else if (strstr(pd_e2e_content(c[i].reply), "already claimed") != NULL)
      refused++;
    json_decref(c[i].ix);
    json_decref(c[i].reply);
  }
  /* Every player sees an answer; exactly one is a credit, and the ledger agrees. */
  assert_int_equal(credited, 1);
  assert_int_equal(refused, N - 1);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '700000000000000030'"), 250);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM transactions t JOIN users u ON u.id = t.user_id"
                         " WHERE u.discord_id = '700000000000000030'"),
      1);
}

static void test_balance_self_other_and_strangers(void **state)
{
  json_t *ix = pd_e2e_command("daily", "700000000000000040"), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, NULL), 200);
  json_decref(ix);

  /* Someone else looks at 0040's balance through the USER option. */
  ix = pd_e2e_command("balance", "700000000000000041");
  pd_e2e_option(ix, "user", 6, json_string("700000000000000040"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_t *embed = json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0);
  assert_string_equal(json_string_value(json_object_get(embed, "title")), "Player 0040's balance");
  assert_string_equal(embed_field(embed, "Notes"), "250");
  json_decref(ix);
  json_decref(reply);

  /* A player who never played. */
  ix = pd_e2e_command("balance", "700000000000000041");
  pd_e2e_option(ix, "user", 6, json_string("700000000000000099"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  assert_string_equal(pd_e2e_content(reply), "Player 0099 hasn't played PopDeck yet.");
  json_decref(ix);
  json_decref(reply);

  /* Yourself, before playing: a pointer to /daily. */
  ix = pd_e2e_command("balance", "700000000000000042");
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "/daily"));
  json_decref(ix);
  json_decref(reply);
}

static void test_dm_shape_works(void **state)
{
  json_t *ix = pd_e2e_command("daily", "700000000000000050"), *reply = NULL;
  /* Turn the guild interaction into a DM one: user at top level, no guild or member. */
  json_t *user = json_incref(json_object_get(json_object_get(ix, "member"), "user"));
  json_object_del(ix, "member");
  json_object_del(ix, "guild_id");
  json_object_del(ix, "guild");
  json_object_set_new(ix, "user", user);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(json_object_get(json_object_get(reply, "data"), "embeds"));
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '700000000000000050'"), 250);
  json_decref(ix);
  json_decref(reply);
}

static void test_our_failure_names_a_reference_in_the_log(void **state)
{
  /* Break the ledger table under the running server: /daily cannot write its row.  (Not the
   * transactions view: /daily writes to the ledger, which the view only reads.) */
  assert_true(pd_e2e_sql(&E, "ALTER TABLE ledger RENAME TO ledger_away"));
  json_t *ix = pd_e2e_command("daily", "700000000000000060"), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  const char *text = pd_e2e_content(reply);
  const char *ref = strstr(text, "reference `");
  assert_non_null(ref);
  char id[16] = "";
  sscanf(ref + strlen("reference `"), "%8[0-9A-Z]", id);
  assert_int_equal(strlen(id), 8);
  char needle[64];
  snprintf(needle, sizeof(needle), "\"ref\":\"%s\"", id);
  assert_true(pd_e2e_log_has(&E, 0, needle));
  /* Nothing was half-done: no credit, no cooldown (and the audit after this test finds every
   * balance equal to its rows). */
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM user_cooldowns c JOIN users u ON u.id = c.user_id"
                         " WHERE u.discord_id = '700000000000000060'"),
      0);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT coalesce((SELECT coins FROM users"
                                      " WHERE discord_id = '700000000000000060'), 0)"),
                   0);
  assert_true(pd_e2e_sql(&E, "ALTER TABLE ledger_away RENAME TO ledger"));
  json_decref(ix);
  json_decref(reply);

  /* With the table back the same player claims normally. */
  ix = pd_e2e_command("daily", "700000000000000060");
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(json_object_get(json_object_get(reply, "data"), "embeds"));
  json_decref(ix);
  json_decref(reply);
}

/* The count of /readyz answers with status 200 in /metrics (0 when absent). */
static long readyz_ok_count(void)
{
  struct pd_http_reply r;
  long n = 0;
  assert_int_equal(pd_e2e_get(&E, 0, "/metrics", &r), 200);
  const char *key = "popdeck_http_requests_total{route=\"/readyz\",status=\"200\"} ";
  const char *p = strstr(r.body, key);
  if (p != NULL)
    n = strtol(p + strlen(key), NULL, 10);
  pd_http_reply_free(&r);
  return n;
}

/* Sets up all it reads (its own /daily, /readyz and player), so it passes alone and in any order.
 */
static void test_ops_routes(void **state)
{
  const char *uid = "700000000000000095";
  struct pd_http_reply r;
  json_t *ix = pd_e2e_command("daily", uid), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  json_decref(reply);
  /* The previous test's follow-up reached the double before its worker marked it sent: wait for
   * that, or /readyz may read (and keep for a second) a queue depth of 1. */
  for (int i = 0; i < 100 && pd_e2e_sql_int(&E, "SELECT count(*) FROM followup_jobs WHERE status"
                                                " = 'pending'") != 0;
       i++)
    usleep(50000);
  long ready_before = readyz_ok_count();
  assert_int_equal(pd_e2e_get(&E, 0, "/healthz", &r), 200);
  pd_http_reply_free(&r);
  assert_int_equal(pd_e2e_get(&E, 0, "/readyz", &r), 200);
  pd_http_reply_free(&r);
  assert_int_equal(pd_e2e_get(&E, 0, "/nope", &r), 404);
  pd_http_reply_free(&r);
  assert_int_equal(pd_e2e_get(&E, 0, "/interactions", &r), 405);
  pd_http_reply_free(&r);
  assert_int_equal(pd_e2e_get(&E, 0, "/metrics", &r), 200);
  char ready[128];
  snprintf(ready, sizeof(ready),
           "popdeck_http_requests_total{route=\"/readyz\",status=\"200\"} %ld\n", ready_before + 1);
  const char *want[] = {"# TYPE popdeck_handler_duration_seconds histogram",
                        "popdeck_followup_queue_depth 0\n", "popdeck_db_pool_in_use ",
                        "popdeck_followup_attempts_total{outcome=\"sent\"} ", ready};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
    if (strstr(r.body, want[i]) == NULL)
      fail_msg("metrics lack %s", want[i]);
  pd_http_reply_free(&r);
  /* The request log is JSON lines with the fields ops need, and never the token. */
  char needle[64];
  snprintf(needle, sizeof(needle), "\"user_id\":\"%s\"", uid);
  assert_true(pd_e2e_log_has(&E, 0, "\"route\":\"/interactions\""));
  assert_true(pd_e2e_log_has(&E, 0, "\"command\":\"daily\""));
  assert_true(pd_e2e_log_has(&E, 0, needle));
  assert_true(pd_e2e_log_has(&E, 0, "\"duration_ms\":"));
  /* A fresh interaction: neither its token nor its signature may reach the log. */
  ix = pd_e2e_command("balance", uid);
  char token[128];
  snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(ix, "token")));
  char *body = json_dumps(ix, JSON_COMPACT);
  char sig[129];
  assert_int_equal(pd_e2e_post_signed(&E, 0, body, strlen(body), sig, &r), 200);
  pd_http_reply_free(&r);
  usleep(200000); /* the line is written when the response completes */
  assert_true(pd_e2e_log_has(&E, 0, "\"command\":\"balance\"")); /* the request was logged... */
  assert_false(pd_e2e_log_has(&E, 0, token));
  assert_false(pd_e2e_log_has(&E, 0, sig));
  free(body);
  json_decref(ix);

  /* A database behind on migrations is not ready (once /readyz's cached answer, at most a
   * second old, has expired: see e2e_http.c for that bound).  The newest migration is hidden
   * under a negative version and put back, so the tests after this one see a ready database. */
  assert_true(pd_e2e_sql(&E, "UPDATE schema_migrations SET version = -version"
                             " WHERE version = (SELECT max(version) FROM schema_migrations)"));
  usleep(1100000);
  assert_int_equal(pd_e2e_get(&E, 0, "/readyz", &r), 503);
  assert_non_null(strstr(r.body, "popdeck migrate"));
  pd_http_reply_free(&r);
  assert_true(pd_e2e_sql(&E, "UPDATE schema_migrations SET version = -version WHERE version < 0"));
  usleep(1100000);
  assert_int_equal(pd_e2e_get(&E, 0, "/readyz", &r), 200);
  pd_http_reply_free(&r);
}

static void test_register_commands_uploads_the_table(void **state)
{
  char cmd[1024];
  /* Without a bot token: one line naming the variable, exit 2, nothing sent. */
  snprintf(cmd, sizeof(cmd),
           "env -u DISCORD_BOT_TOKEN DISCORD_APPLICATION_ID=%s DISCORD_API_BASE=%s %s/popdeck"
           " register-commands 2>&1 | grep -q '^DISCORD_BOT_TOKEN: is required'",
           PD_E2E_APP_ID, pd_double_api_base(E.dbl), E.build);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd),
           "env -u DISCORD_BOT_TOKEN DISCORD_APPLICATION_ID=%s %s/popdeck register-commands"
           " >/dev/null 2>&1",
           PD_E2E_APP_ID, E.build);
  assert_int_equal(WEXITSTATUS(system(cmd)), 2);

  snprintf(cmd, sizeof(cmd),
           "DISCORD_BOT_TOKEN=test-bot-token DISCORD_APPLICATION_ID=%s DISCORD_API_BASE=%s"
           " %s/popdeck register-commands --guild 2222222222222222222 >/dev/null",
           PD_E2E_APP_ID, pd_double_api_base(E.dbl), E.build);
  assert_int_equal(system(cmd), 0);
  json_t *reqs = pd_double_requests(E.dbl, "/guilds/2222222222222222222/commands");
  assert_int_equal(json_array_size(reqs), 1);
  json_t *req = json_array_get(reqs, 0);
  assert_string_equal(json_string_value(json_object_get(req, "method")), "PUT");
  assert_string_equal(json_string_value(json_object_get(req, "authorization")),
                      "Bot test-bot-token");
  json_t *body = json_object_get(req, "json");
  /* Every slash command of the table, in table order; the pack buttons' entry is not one. */
  size_t k = 0;
  for (const struct pd_command *c = pd_commands; c->name != NULL; c++) {
    if (!pd_command_is_slash(c))
      continue;
    assert_string_equal(json_string_value(json_object_get(json_array_get(body, k), "name")),
                        c->name);
    k++;
  }
  assert_int_equal(json_array_size(body), k);
  assert_true(k >= 13);
  for (size_t i = 0; i < k; i++) /* a button-only entry is never a slash command */
    assert_string_not_equal(json_string_value(json_object_get(json_array_get(body, i), "name")),
                            "pick");
  json_t *opt = json_array_get(json_object_get(json_array_get(body, 3), "options"), 0);
  assert_string_equal(json_string_value(json_object_get(opt, "name")), "user");
  assert_int_equal(json_integer_value(json_object_get(opt, "type")), 6);
  json_decref(reqs);
}

static void test_profile_attaches_its_banner(void **state)
{
  json_t *ix = pd_e2e_command("profile", "700000000000000070");
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, NULL), 200);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  json_t *req = json_array_get(reqs, 0);
  assert_non_null(
      strstr(json_string_value(json_object_get(req, "content_type")), "multipart/form-data"));
  json_t *file = json_array_get(json_object_get(req, "files"), 0);
  assert_non_null(file);
  assert_string_equal(json_string_value(json_object_get(file, "field")), "files[0]");
  assert_string_equal(json_string_value(json_object_get(file, "filename")), "profile.png");
  assert_true(json_is_true(json_object_get(file, "png")));
  assert_int_equal(json_integer_value(json_object_get(file, "width")), 800);
  assert_int_equal(json_integer_value(json_object_get(file, "height")), 240);
  json_t *embed = json_array_get(json_object_get(json_object_get(req, "json"), "embeds"), 0);
  assert_string_equal(json_string_value(json_object_get(json_object_get(embed, "image"), "url")),
                      "attachment://profile.png");
  /* The worker's private rendering data never reaches Discord. */
  assert_null(pd_e2e_private_key(json_object_get(req, "json")));
  json_decref(reqs);
  json_decref(ix);
}

/* Every name in the command table, sent as each kind of interaction: a slash command reaches
 * only slash handlers, a button or modal only component handlers.  A button that names a slash
 * command without buttons (daily:1) is refused and credits nothing; a slash command named like a
 * button-only entry (/pick, no custom_id) is unknown; nothing crashes the server. */
static void test_every_name_both_ways(void **state)
{
  const char *uid = "700000000000000080";
  int64_t ledger = pd_e2e_sql_int(&E, "SELECT count(*) FROM transactions");
  for (const struct pd_command *c = pd_commands; c->name != NULL; c++) {
    char custom[64];
    json_t *reply = NULL;
    /* As a slash command with no options. */
    json_t *ix = pd_e2e_command(c->name, uid);
    if (pd_e2e_post(&E, 0, ix, &reply) != 200)
      fail_msg("/%s as a command: no 200", c->name);
    /* (This suite has no catalog, so /openpack and /draw may fail on our side here; what
     * matters is an answer, and that a button-only entry is not run as a command.) */
    if (c->handler == NULL &&
        (strstr(pd_e2e_content(reply), "I don't know /") == NULL || !pd_e2e_ephemeral(reply)))
      fail_msg("/%s has no slash command, but the reply was: %s", c->name, pd_e2e_content(reply));
    json_decref(ix);
    json_decref(reply);
    /* As a button (type 3) and as a modal submit (type 5), with and without an argument. */
    for (int form = 0; form < 4; form++) {
      snprintf(custom, sizeof(custom), form % 2 == 0 ? "%s" : "%s:1", c->name);
      ix = pd_e2e_button(custom, uid);
      if (form >= 2)
        json_object_set_new(ix, "type", json_integer(5));
      reply = NULL;
      if (pd_e2e_post(&E, 0, ix, &reply) != 200)
        fail_msg("%s as type %d: no 200", custom, form >= 2 ? 5 : 3);
      const char *text = pd_e2e_content(reply);
      if (strstr(text, "Something went wrong") != NULL)
        fail_msg("%s as a component failed on our side: %s", custom, text);
      if (c->component == NULL &&
          (strstr(text, "belongs to something PopDeck no longer runs") == NULL ||
           !pd_e2e_ephemeral(reply)))
        fail_msg("%s reached /%s, which has no buttons: %s", custom, c->name, text);
      /* (A non-admin meets /admin's refusal before any of its buttons.) */
      if (c->component != NULL && strstr(text, "not one PopDeck made") == NULL &&
          !((c->flags & PD_CMD_ADMIN) && strstr(text, "is for PopDeck admins only") != NULL))
        fail_msg("%s is not a button %s made, but the reply was: %s", custom, c->name, text);
      json_decref(ix);
      json_decref(reply);
    }
    /* As an autocomplete: no suggestions is the only answer for what has none. */
    ix = pd_e2e_autocomplete(c->name, "card", "TAYL", uid);
    reply = NULL;
    assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
    assert_int_equal(json_integer_value(json_object_get(reply, "type")), 8);
    if (c->autocomplete == NULL)
      assert_int_equal(json_array_size(json_object_get(json_object_get(reply, "data"), "choices")),
                       0);
    json_decref(ix);
    json_decref(reply);
  }
  /* /daily ran once as a command; its button forms credited nothing more. */
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM transactions t JOIN users u ON u.id = t.user_id"
                         " WHERE u.discord_id = '700000000000000080'"),
      1);
  assert_true(pd_e2e_sql_int(&E, "SELECT count(*) FROM transactions") == ledger + 1);
  /* And the server is still there. */
  json_t *ix = pd_e2e_command("ping", uid), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "Pong!"));
  json_decref(ix);
  json_decref(reply);
}

/* DATABASE_URL is checked by libpq's own parser at start: a malformed one stops serve with one
 * line naming it (exit 2); a well-formed one that cannot be reached is a warning in libpq's words,
 * and serve answers meanwhile. */
static void test_database_url_checked(void **state)
{
  char cmd[2048];
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=nonsense:// DISCORD_PUBLIC_KEY=%s DISCORD_APPLICATION_ID=%s"
           " %s/popdeck serve 2>&1 | head -n 1 | grep -q '^DATABASE_URL: is not a libpq connection "
           "string (missing'",
           E.pk_hex, PD_E2E_APP_ID, E.build);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=nonsense:// DISCORD_PUBLIC_KEY=%s DISCORD_APPLICATION_ID=%s"
           " %s/popdeck serve >/dev/null 2>&1",
           E.pk_hex, PD_E2E_APP_ID, E.build);
  assert_int_equal(WEXITSTATUS(system(cmd)), 2);
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=nonsense:// %s/popdeck migrate 2>&1 | grep -q '^DATABASE_URL: is not'",
           E.build);
  assert_int_equal(system(cmd), 0);

  char bin[300], log[600], env[5][300];
  int port = pd_proc_free_port();
  struct pd_proc *p = NULL;
  snprintf(bin, sizeof(bin), "%s/popdeck", E.build);
  snprintf(log, sizeof(log), "%s/spine-unreachable.log",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  snprintf(env[0], sizeof(env[0]),
           "DATABASE_URL=postgresql:///popdeck?host=/nonexistent-popdeck-socket");
  snprintf(env[1], sizeof(env[1]), "DISCORD_PUBLIC_KEY=%s", E.pk_hex);
  snprintf(env[2], sizeof(env[2]), "DISCORD_APPLICATION_ID=%s", PD_E2E_APP_ID);
  snprintf(env[3], sizeof(env[3]), "LISTEN_ADDR=127.0.0.1:%d", port);
  snprintf(env[4], sizeof(env[4]), "FOLLOWUP_WORKERS=0");
  const char *envp[] = {
      env[0], env[1], env[2], env[3], env[4], "ADMIN_FILE=/nonexistent/admin.json", NULL};
  char *const argv[] = {bin, "serve", NULL};
  assert_int_equal(pd_proc_spawn(&p, argv, envp, log), PD_OK);
  char line[2048];
  assert_int_equal(pd_proc_wait_log(p, "\"msg\":\"listening\"", 10000, NULL, 0), PD_OK);
  assert_int_equal(
      pd_proc_wait_log(p, "\"msg\":\"database unreachable\"", 1000, line, sizeof(line)), PD_OK);
  /* libpq's own reason names the socket it could not reach. */
  if (strstr(line, "/nonexistent-popdeck-socket/.s.PGSQL.5432") == NULL)
    fail_msg("the warning lacks libpq's reason: %s", line);
  /* Serving meanwhile: a player is told to try again. */
  int saved = E.srv[0].port;
  E.srv[0].port = port;
  json_t *ix = pd_e2e_command("daily", "700000000000000090"), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "catching its breath"));
  E.srv[0].port = saved;
  json_decref(ix);
  json_decref(reply);
  pd_proc_signal(p, 15);
  int status = -1;
  assert_int_equal(pd_proc_wait_exit(p, 10000, &status), PD_OK);
  assert_int_equal(status, 0);
  pd_proc_free(p);
}

/* The option table is applied before any handler: a required option missing, a value of the
 * wrong kind and a value outside the choices each get one ephemeral message naming the option,
 * and the handler never runs (nothing is registered, no cooldown starts). */
static void test_options_checked_by_the_table(void **state)
{
  struct {
    const char *command, *option;
    json_t *value; /* NULL: the option left out */
    int type;
    const char *want;
  } rows[] = {
      {"viewcard", NULL, NULL, 3,
       "/viewcard needs **card**: Card id, artist or era (pick a suggestion)."},
      {"inventory", NULL, NULL, 6, "/inventory needs **user**: Whose collection."},
      {"privacy", "mode", json_string("maybe"), 3,
       "\"maybe\" is not a choice for **mode**. Choose one of: on, off."},
      {"mycards", "rarity", json_string("shiny"), 3,
       "\"shiny\" is not a choice for **rarity**. Choose one of: common, rare, epic, legendary, "
       "mythic."},
      {"mycards", "sort", json_integer(3), 3,
       "/mycards got a **sort** of the wrong kind. Pick it again from the command's options."},
      {"openpack", "pack", json_string("mega-99"), 3,
       "\"mega-99\" is not a choice for **pack**. Choose one of: standard-3, premium-5, "
       "festival-3."},
      {"balance", "user", json_true(), 6,
       "/balance got a **user** of the wrong kind. Pick it again from the command's options."},
  };
  const char *uid = "700000000000000097";
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    json_t *ix = pd_e2e_command(rows[i].command, uid), *reply = NULL;
    if (rows[i].option != NULL) {
      json_t *data = json_object_get(ix, "data");
      json_array_append_new(json_object_get(data, "options"),
                            json_pack("{s:s, s:i, s:o}", "name", rows[i].option, "type",
                                      rows[i].type, "value", rows[i].value));
    }
    assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
    if (!pd_e2e_ephemeral(reply) || strcmp(pd_e2e_content(reply), rows[i].want) != 0)
      fail_msg("/%s: got \"%s\", want \"%s\"", rows[i].command, pd_e2e_content(reply),
               rows[i].want);
    json_decref(ix);
    json_decref(reply);
  }
  /* /privacy and /mycards register their player, /openpack starts a cooldown: none of it ran. */
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM users WHERE discord_id = '700000000000000097'"), 0);
}

static void test_sigterm_exits_zero(void **state)
{
  int status = -1;
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(status, 0);
  assert_true(pd_e2e_log_has(&E, 0, "\"msg\":\"stopped\""));
}

/* A migration numbered below one already applied (two branches merged, each with its own next
 * number) is applied by the next `popdeck migrate`, not skipped for good: here 023 is missing
 * when a database is migrated to the newest, then comes. */
static void test_migrate_fills_a_gap(void **state)
{
  char url[1024], dir[] = "/tmp/popdeck-gap-XXXXXX", cmd[2048], out[64];
  assert_int_equal(pd_e2e_database_create("e2e_spine_gap", url, sizeof(url)), 0);
  assert_non_null(mkdtemp(dir));
  snprintf(cmd, sizeof(cmd), "cp sql/*.sql %s/ && rm %s/023_*.sql", dir, dir);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd), "DATABASE_URL='%s' SQL_DIR=%s %s/popdeck migrate >/dev/null 2>&1", url,
           dir, E.build);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd), "cp sql/023_*.sql %s/", dir);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL='%s' SQL_DIR=%s %s/popdeck migrate 2>&1 | grep -c"
           " -e '^migrate: applied 023_' -e 'numbered below the newest applied'"
           " -e '^migrate: 1 applied'",
           url, dir, E.build);
  FILE *f = popen(cmd, "r");
  assert_non_null(f);
  assert_non_null(fgets(out, sizeof(out), f));
  pclose(f);
  assert_int_equal(strtol(out, NULL, 10), 3);
  /* Recorded, and its tables there; a third run has nothing to do. */
  PGconn *c = PQconnectdb(url);
  PGresult *r = PQexec(c, "SELECT count(*) FROM schema_migrations WHERE version = 23");
  assert_string_equal(PQgetvalue(r, 0, 0), "1");
  PQclear(r);
  r = PQexec(c, "SELECT to_regclass('wishlists') IS NOT NULL");
  assert_string_equal(PQgetvalue(r, 0, 0), "t");
  PQclear(r);
  PQfinish(c);
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL='%s' SQL_DIR=%s %s/popdeck migrate 2>&1 | grep -q '^migrate: 0 applied'",
           url, dir, E.build);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd), "rm -r %s", dir);
  assert_int_equal(system(cmd), 0);
  pd_e2e_database_drop("e2e_spine_gap");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      /* First, so it is seen to need nothing from the tests after it; it runs again later. */
      PD_E2E_TEST(test_ops_routes),
      PD_E2E_TEST(test_body_over_64k_is_413),
      PD_E2E_TEST(test_signatures_refused_with_401),
      PD_E2E_TEST(test_malformed_with_valid_signature_is_400),
      PD_E2E_TEST(test_ping_is_pong),
      PD_E2E_TEST(test_unknown_command_is_ephemeral_message),
      PD_E2E_TEST(test_help_lists_every_command),
      PD_E2E_TEST(test_ping_command_answers_latency),
      PD_E2E_TEST(test_profile_registers_and_follows_up),
      PD_E2E_TEST(test_daily_credits_once_and_says_when_next),
      PD_E2E_TEST(test_twenty_simultaneous_dailies_credit_once),
      PD_E2E_TEST(test_balance_self_other_and_strangers),
      PD_E2E_TEST(test_dm_shape_works),
      PD_E2E_TEST(test_our_failure_names_a_reference_in_the_log),
      PD_E2E_TEST(test_register_commands_uploads_the_table),
      PD_E2E_TEST(test_profile_attaches_its_banner),
      PD_E2E_TEST(test_ops_routes),
      PD_E2E_TEST(test_every_name_both_ways),
      PD_E2E_TEST(test_database_url_checked),
      PD_E2E_TEST(test_options_checked_by_the_table),
      PD_E2E_TEST(test_sigterm_exits_zero),
      PD_E2E_TEST(test_migrate_fills_a_gap),
  };
  return cmocka_run_group_tests_name("e2e_spine", tests, setup, teardown);
}
