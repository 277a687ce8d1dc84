/* e2e_events.c - events for players end to end: two real `popdeck serve` processes on one
 * PostgreSQL (the seeded demo catalog), the Discord double, and the database clock moved with
 * pd_e2e_clock_advance instead of sleeping.  /events and its exact odds (the numbers /odds
 * prints), a guild event's boost seen only in its guild, /claim_event_pack's rules (before the
 * start, during, twice, daily across a UTC midnight, another guild's event, after the end, ten
 * racing claims opening one pack). */
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
#include <unistd.h>

#include "e2e.h"
#include "gifts_e2e.h"
#include "ixbuild.h"

#define GUILD "2222222222222222222" /* the guild lib/ixbuild.c puts interactions in */
#define OTHER_GUILD "3333333333333333333"
#define RACERS 10

static struct pd_e2e E;

static const char *const ENV[] = {"DISCORD_BOT_TOKEN=test-bot-token", NULL};

static int setup(void **state)
{
  int status = 0;
  if (pd_e2e_setup(&E, "events") != 0 || pd_e2e_seed_demo(&E, 2) != 0)
    return -1;
  if (pd_e2e_server_stop(&E, 0, SIGTERM, 10000, &status) != 0 ||
      pd_e2e_server_start(&E, 0, ENV) != 0 || pd_e2e_server_start(&E, 1, ENV) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

#define HAS(text, needle)                                                                          \
  do {                                                                                             \
    if (strstr((text), (needle)) == NULL)                                                          \
      fail_msg("expected \"%s\" in: %s", (needle), (text));                                        \
  } while (0)
#define LACKS(text, needle)                                                                        \
  do {                                                                                             \
    if (strstr((text), (needle)) != NULL)                                                          \
      fail_msg("did not expect \"%s\" in: %s", (needle), (text));                                  \
  } while (0)

static void sql_do(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql_do(const char *fmt, ...)
{
  char sql[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  assert_true(pd_e2e_sql(&E, sql));
}

/* An event from now + start_s to now + end_s (database clock); guild NULL: global. */
static int64_t event(const char *name, long start_s, long end_s, const char *boosts,
                     const char *pack, const char *guild, const char *claim, long consolation)
{
  char g[40];
  snprintf(g, sizeof(g), guild != NULL ? "'%s'" : "NULL", guild);
  return pd_e2e_sqlf(
      &E,
      "INSERT INTO events (name, description, start_at, end_at, boosts, pack,"
      " guild_id, claim_every, consolation_notes) VALUES ('%s', 'About %s',"
      " pd_now() + make_interval(secs => %ld), pd_now() + make_interval(secs => %ld),"
      " '%s', %s%s%s, %s, '%s', %ld) RETURNING id",
      name, name, start_s, end_s, boosts, pack != NULL ? "'" : "", pack != NULL ? pack : "NULL",
      pack != NULL ? "'" : "", g, claim, consolation);
}

/* A command in guild (NULL: GUILD; "": a DM), with one string option (name NULL: none). */
static json_t *command(const char *cmd, const char *user, const char *guild, const char *opt,
                       const char *value)
{
  json_t *ix;
  if (guild != NULL && guild[0] == '\0') {
    struct pd_ixb b = {
        .type = 2, .app_id = PD_E2E_APP_ID, .user_id = user, .command = cmd, .dm = true};
    ix = pd_ixb_build(&b);
  } else {
    ix = pd_e2e_command(cmd, user);
    if (guild != NULL)
      json_object_set_new(ix, "guild_id", json_string(guild));
  }
  if (opt != NULL)
    pd_e2e_option(ix, opt, 3, json_string(value));
  return ix;
}

/* Posts and returns the reply (caller owns). */
static json_t *run(int idx, const char *cmd, const char *user, const char *guild, const char *opt,
                   const char *value)
{
  json_t *ix = command(cmd, user, guild, opt, value), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, idx, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

/* The reply's text: its content, or its first embed's description and fields. */
static void text_of(json_t *reply, char *out, size_t cap)
{
  json_t *data = json_object_get(reply, "data");
  size_t at = (size_t)snprintf(out, cap, "%s", pd_e2e_content(reply));
  json_t *embed = json_array_get(json_object_get(data, "embeds"), 0);
  const char *d = json_string_value(json_object_get(embed, "description"));
  if (d != NULL && at < cap)
    at += (size_t)snprintf(out + at, cap - at, "%s\n", d);
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(embed, "fields"), i, f)
  {
    if (at < cap)
      at += (size_t)snprintf(out + at, cap - at, "[%s]\n%s\n",
                             json_string_value(json_object_get(f, "name")),
                             json_string_value(json_object_get(f, "value")));
  }
}

/* /claim_event_pack pack:which by user in guild: the immediate reply's text into out (an
 * ephemeral refusal), or "DEFERRED" and the pack message the double got. */
static void claim(int idx, const char *user, const char *guild, const char *which, char *out,
                  size_t cap)
{
  json_t *ix = command("claim_event_pack", user, guild, "pack", which), *reply = NULL;
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, idx, ix, &reply), 200);
  if (json_integer_value(json_object_get(reply, "type")) == 5) {
    json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 10000);
    assert_non_null(reqs);
    json_t *embed = json_array_get(
        json_object_get(json_object_get(json_array_get(reqs, 0), "json"), "embeds"), 0);
    snprintf(out, cap, "DEFERRED %s", json_string_value(json_object_get(embed, "description")));
    json_decref(reqs);
  } else {
    assert_true(pd_e2e_ephemeral(reply));
    snprintf(out, cap, "%s", pd_e2e_content(reply));
  }
  json_decref(reply);
  json_decref(ix);
}

static int64_t packs_of(const char *user, const char *pack)
{
  return pd_e2e_sqlf(&E,
                     "SELECT count(*) FROM pack_opens p JOIN users u ON u.id = p.user_id WHERE"
                     " u.discord_id = '%s' AND p.pack = '%s'",
                     user, pack);
}

/* ---- /events and the boosts ---- */

/* An event's own boosts (events.boosts, as /admin event create sets them) are what draws and
 * /odds apply, and a server's event boosts only in that server. */
static void test_event_boosts_where_visible(void **state)
{
  const char *P = "730000000000000002";
  char odds[4000];
  int64_t g = event("Global Glow", -60, 86400, "{\"mythic\": 2}", NULL, NULL, "event", 0);
  int64_t o =
      event("Elsewhere Only", -60, 86400, "{\"legendary\": 5}", NULL, OTHER_GUILD, "event", 0);
  json_t *reply = run(0, "odds", P, NULL, NULL, NULL);
  text_of(reply, odds, sizeof(odds));
  json_decref(reply);
  HAS(odds, "Event boost on now:** Global Glow");
  LACKS(odds, "Elsewhere Only");
  /* 1 x 2 / (62 + 23 + 10 + 4 + 1 x 2): the mythic weight doubled, the rest unchanged. */
  HAS(odds, "Mythic: **1.9802%** (usually 1.0000%)");
  reply = run(1, "odds", P, OTHER_GUILD, NULL, NULL);
  text_of(reply, odds, sizeof(odds));
  json_decref(reply);
  HAS(odds, "Global Glow, Elsewhere Only");
  reply = run(1, "odds", P, "", NULL, NULL);
  text_of(reply, odds, sizeof(odds));
  json_decref(reply);
  LACKS(odds, "Elsewhere Only");
  sql_do("DELETE FROM events WHERE id IN (%lld, %lld)", (long long)g, (long long)o);
}

static void test_events_and_exact_odds(void **state)
{
  const char *P = "730000000000000001";
  char text[8000], odds[4000], line[128];
  json_t *reply = run(0, "events", P, "", NULL, NULL);
  text_of(reply, text, sizeof(text));
  json_decref(reply);
  HAS(text, "No event is running or coming up here");

  int64_t g = event("Mythic Week", -60, 86400, "{\"mythic\": 2}", "festival-3", NULL, "day", 0);
  int64_t u = event("Local Gig", 7200, 90000, "{}", NULL, GUILD, "event", 0);
  int64_t o = event("Elsewhere", -60, 86400, "{\"legendary\": 5}", NULL, OTHER_GUILD, "event", 0);
  assert_true(g > 0 && u > 0 && o > 0);

  reply = run(1, "events", P, NULL, NULL, NULL);
  text_of(reply, text, sizeof(text));
  json_decref(reply);
  HAS(text, "[Mythic Week]");
  HAS(text, "About Mythic Week");
  HAS(text, "ends <t:");
  HAS(text, ":R>");
  HAS(text, ":f>");
  HAS(text, "Festival pack");
  HAS(text, "once per UTC day");
  HAS(text, "[Local Gig (this server) (upcoming)]");
  HAS(text, "starts <t:");
  LACKS(text, "Elsewhere");
  /* The boost as /odds prints it: the same line, to the digit. */
  reply = run(0, "odds", P, NULL, NULL, NULL);
  text_of(reply, odds, sizeof(odds));
  json_decref(reply);
  HAS(odds, "Mythic Week");
  const char *m = strstr(odds, "Mythic: **");
  assert_non_null(m);
  snprintf(line, sizeof(line), "%.*s", (int)strcspn(m, "\n"), m);
  HAS(line, "(usually 1.0000%)");
  HAS(text, line);
  LACKS(odds, "Elsewhere");

  /* Another server's event boosts only there: its /odds shows it, GUILD's did not. */
  reply = run(0, "odds", P, OTHER_GUILD, NULL, NULL);
  text_of(reply, odds, sizeof(odds));
  json_decref(reply);
  HAS(odds, "Elsewhere");
  reply = run(0, "events", P, "", NULL, NULL);
  text_of(reply, text, sizeof(text));
  json_decref(reply);
  HAS(text, "Mythic Week");
  LACKS(text, "Local Gig");
  sql_do("DELETE FROM events WHERE id IN (%lld, %lld, %lld)", (long long)g, (long long)u,
         (long long)o);
}

/* ---- /claim_event_pack ---- */

static void test_claim_rules(void **state)
{
  const char *P = "730000000000000011";
  char text[2000];
  int64_t ev = event("Claim Fest", 3600, 3 * 86400, "{}", "festival-3", NULL, "event", 0);
  char id[24];
  snprintf(id, sizeof(id), "%lld", (long long)ev);

  claim(0, P, NULL, "festival-3", text, sizeof(text));
  HAS(text, "Claim Fest has not started yet: claim its Festival pack from <t:");
  assert_int_equal(packs_of(P, "festival-3"), 0);

  assert_true(pd_e2e_clock_advance(&E, 3600 + 5));
  /* The suggestions: the packs claimable here now, valued by event. */
  json_t *ac = pd_e2e_autocomplete("claim_event_pack", "pack", "fest", P), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ac, &reply), 200);
  json_t *choice = json_array_get(json_object_get(json_object_get(reply, "data"), "choices"), 0);
  assert_string_equal(json_string_value(json_object_get(choice, "value")), id);
  HAS(json_string_value(json_object_get(choice, "name")), "Festival pack (Claim Fest, free once)");
  json_decref(reply);
  json_decref(ac);

  claim(1, P, NULL, id, text, sizeof(text));
  HAS(text, "DEFERRED");
  HAS(text, "opened a **Festival pack**. Pick one card to keep");
  assert_int_equal(packs_of(P, "festival-3"), 1);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM pack_opens p JOIN event_pack_claims c ON"
                               " c.pack_id = p.id WHERE c.event_id = %lld AND c.period = 0 AND"
                               " p.paid_amount = 0 AND p.paid_currency IS NULL",
                               (long long)ev),
                   1);
  claim(0, P, NULL, "festival-3", text, sizeof(text));
  HAS(text, "You already claimed Claim Fest's free Festival pack");
  assert_int_equal(packs_of(P, "festival-3"), 1);

  /* /openpack opens the event pack only while its event runs (at its price). */
  reply = run(0, "openpack", P, NULL, "pack", "festival-3");
  HAS(pd_e2e_content(reply), "Festival pack costs **150 Notes**");
  json_decref(reply);

  /* Another server's event. */
  int64_t other = event("Their Fest", -60, 86400, "{}", "festival-3", OTHER_GUILD, "event", 0);
  snprintf(id, sizeof(id), "%lld", (long long)other);
  claim(0, P, NULL, id, text, sizeof(text));
  HAS(text, "Their Fest belongs to another server");
  claim(0, P, "", id, text, sizeof(text));
  HAS(text, "Their Fest belongs to another server");
  assert_int_equal(packs_of(P, "festival-3"), 1);

  /* After the end: refused, and /openpack of the pack too. */
  sql_do("DELETE FROM events WHERE id = %lld", (long long)other);
  assert_true(pd_e2e_clock_advance(&E, 3 * 86400));
  snprintf(id, sizeof(id), "%lld", (long long)ev);
  claim(1, P, NULL, id, text, sizeof(text));
  HAS(text, "Claim Fest ended <t:");
  HAS(text, "can no longer be claimed");
  sql_do("DELETE FROM user_cooldowns");
  reply = run(0, "openpack", P, NULL, "pack", "festival-3");
  HAS(pd_e2e_content(reply), "Festival pack is an event pack: it opens only while an event");
  json_decref(reply);
  assert_int_equal(packs_of(P, "festival-3"), 1);
}

static void test_claim_daily_across_midnight(void **state)
{
  const char *P = "730000000000000021";
  char text[2000], id[24];
  int64_t ev = event("Daily Fest", -60, 5 * 86400, "{}", "festival-3", GUILD, "day", 0);
  snprintf(id, sizeof(id), "%lld", (long long)ev);
  /* Just before a UTC midnight: claim, refused until midnight, claim again after it. */
  long to_midnight = (long)pd_e2e_sqlf(
      &E, "SELECT extract(epoch FROM date_trunc('day', pd_now() AT TIME ZONE 'UTC') + interval"
          " '1 day' - (pd_now() AT TIME ZONE 'UTC'))::bigint");
  if (to_midnight < 60)
    to_midnight += 86400;
  assert_true(pd_e2e_clock_advance(&E, to_midnight - 30));
  claim(0, P, NULL, id, text, sizeof(text));
  HAS(text, "DEFERRED");
  claim(1, P, NULL, id, text, sizeof(text));
  HAS(text, "You already claimed today's free Festival pack of Daily Fest; the next one <t:");
  int64_t next = pd_e2e_sqlf(&E, "SELECT extract(epoch FROM date_trunc('day', pd_now() AT TIME"
                                 " ZONE 'UTC') + interval '1 day')::bigint");
  char want[48];
  snprintf(want, sizeof(want), "<t:%lld:R>", (long long)next);
  HAS(text, want);
  assert_true(pd_e2e_clock_advance(&E, 60));
  claim(0, P, NULL, id, text, sizeof(text));
  HAS(text, "DEFERRED");
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(DISTINCT period) FROM event_pack_claims WHERE"
                               " event_id = %lld",
                               (long long)ev),
                   2);
  assert_int_equal(packs_of(P, "festival-3"), 2);
  sql_do("UPDATE events SET end_at = pd_now() WHERE id = %lld", (long long)ev);
}

struct shot {
  int idx;
  json_t *ix;
  long type;
  pthread_barrier_t *go;
};

static void *fire(void *arg)
{
  struct shot *s = arg;
  json_t *reply = NULL;
  pthread_barrier_wait(s->go);
  if (pd_e2e_post(&E, s->idx, s->ix, &reply) == 200)
    s->type = (long)json_integer_value(json_object_get(reply, "type"));
  json_decref(reply);
  return NULL;
}

static void test_claim_race(void **state)
{
  const char *P = "730000000000000031";
  char id[24];
  int64_t ev = event("Race Fest", -60, 86400, "{}", "festival-3", NULL, "event", 0);
  snprintf(id, sizeof(id), "%lld", (long long)ev);
  pd_ge_player(&E, P, 30);
  struct shot shots[RACERS];
  pthread_t t[RACERS];
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    shots[i] = (struct shot){
        .idx = i % 2, .ix = command("claim_event_pack", P, NULL, "pack", id), .go = &go};
    pthread_create(&t[i], NULL, fire, &shots[i]);
  }
  int deferred = 0, refused = 0;
  for (int i = 0; i < RACERS; i++) {
    pthread_join(t[i], NULL);
    deferred += shots[i].type == 5;
    refused += shots[i].type == 4;
    json_decref(shots[i].ix);
  }
  pthread_barrier_destroy(&go);
  assert_int_equal(deferred, 1);
  assert_int_equal(refused, RACERS - 1);
  assert_int_equal(packs_of(P, "festival-3"), 1);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT count(*) FROM event_pack_claims WHERE event_id = %lld",
                               (long long)ev),
                   1);
  sql_do("UPDATE events SET end_at = pd_now() WHERE id = %lld", (long long)ev);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_event_boosts_where_visible),
      PD_E2E_TEST(test_events_and_exact_odds),
      PD_E2E_TEST(test_claim_rules),
      PD_E2E_TEST(test_claim_daily_across_midnight),
      PD_E2E_TEST(test_claim_race),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
