/* e2e_events.c - events for players end to end: two real `popdeck serve` processes on one
 * PostgreSQL (the seeded demo catalog), the Discord double, and the database clock moved with
 * pd_e2e_clock_advance instead of sleeping.  /events and its exact odds (the numbers /odds
 * prints), a guild event's boost seen only in its guild, /claim_event_pack's rules (before the
 * start, during, twice, daily across a UTC midnight, another guild's event, after the end, ten
 * racing claims opening one pack), and the event_end task: escrow cancelled and returned,
 * copies gone, the consolation paid once per owner as one ledger operation, owners told by the
 * double's DMs, settled once with two instances; a card expiring before its event's end has
 * its listing cancelled without a consolation. */
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

static const char *const ENV[] = {"DISCORD_BOT_TOKEN=test-bot-token",
                                  "SCHEDULER_PERIODS=expire:5,event_end:2", NULL};

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

static int64_t wait_sql(const char *sql, int64_t want)
{
  int64_t v = -1;
  for (int i = 0; i < 200; i++) {
    v = pd_e2e_sql_int(&E, sql);
    if (v == want)
      break;
    usleep(100 * 1000);
  }
  return v;
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

/* A server's event's temporary cards are drawn only in that server: 200 of them of each rarity
 * (the demo catalog has a handful), so a draw elsewhere that could reach them would. */
static void test_guild_event_cards_drawn_only_there(void **state)
{
  const char *P = "730000000000000061";
  int64_t ev = event("Their Cards", -60, 86400, "{}", NULL, OTHER_GUILD, "event", 0);
  sql_do("INSERT INTO temp_card_templates (public_id, artist_id, era_id, rarity, image_url,"
         " event_id) SELECT 'THEIRS-' || g || '-' || r, e.artist_id, e.id, r,"
         " 'http://127.0.0.1/x.png', %lld FROM generate_series(1, 200) g,"
         " unnest(ARRAY['common', 'rare', 'epic', 'legendary', 'mythic']) r,"
         " (SELECT id, artist_id FROM eras ORDER BY id LIMIT 1) e",
         (long long)ev);
  int64_t uid = pd_ge_player(&E, P, 30);
  const char *where[2] = {GUILD, OTHER_GUILD};
  int64_t temp[2] = {0, 0};
  for (int w = 0; w < 2; w++) {
    for (int i = 0; i < 8; i++) {
      sql_do("DELETE FROM user_cooldowns WHERE user_id = %lld", (long long)uid);
      sql_do("DELETE FROM free_allotments WHERE user_id = %lld", (long long)uid);
      json_decref(run(i % 2, "draw", P, where[w], NULL, NULL));
    }
    temp[w] = pd_e2e_sqlf(&E,
                          "SELECT count(*) FROM user_cards WHERE user_id = %lld AND"
                          " temp_template_id IS NOT NULL",
                          (long long)uid) -
              (w > 0 ? temp[0] : 0);
  }
  assert_int_equal(
      pd_e2e_sqlf(&E, "SELECT count(*) FROM user_cards WHERE user_id = %lld", (long long)uid), 16);
  assert_int_equal(temp[0], 0);
  assert_true(temp[1] > 0);
  sql_do("UPDATE events SET end_at = pd_now() WHERE id = %lld", (long long)ev);
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

/* ---- the event_end task ---- */

/* A rendered temporary card of event ev (expires: SQL for its own expiry, or NULL). */
static int64_t temp_card(int64_t ev, const char *public_id, const char *expires)
{
  return pd_e2e_sqlf(&E,
                     "INSERT INTO temp_card_templates (public_id, artist_id, era_id, rarity,"
                     " image_url, event_id, expires_at) SELECT '%s', e.artist_id, e.id, 'epic',"
                     " 'http://127.0.0.1/x.png', %lld, %s FROM eras e ORDER BY e.id LIMIT 1"
                     " RETURNING id",
                     public_id, (long long)ev, expires != NULL ? expires : "NULL");
}

/* A copy of temporary card tc for user (minted with its move, as a draw makes it). */
static int64_t temp_copy(const char *user, int64_t tc, int print)
{
  int64_t uid = pd_ge_player(&E, user, 30);
  return pd_e2e_sqlf(
      &E,
      "WITH c AS (INSERT INTO user_cards (user_id, temp_template_id, print_no, source,"
      " is_temporary, expires_at) SELECT %lld, t.id, %d, 'draw', true, coalesce(t.expires_at,"
      " e.end_at) FROM temp_card_templates t JOIN events e ON e.id = t.event_id WHERE t.id = %lld"
      " RETURNING id, user_id), m AS (INSERT INTO card_moves (op_id, user_card_id, from_user,"
      " to_user, kind) SELECT nextval('ledger_op_seq'), c.id, NULL, c.user_id, 'draw' FROM c)"
      " SELECT id FROM c",
      (long long)uid, print, (long long)tc);
}

static int64_t sell(const char *user, const char *ref, long price)
{
  json_t *ix = pd_e2e_command("sell", user), *reply = NULL;
  pd_e2e_option(ix, "card", 3, json_string(ref));
  pd_e2e_option(ix, "price", 4, json_integer(price));
  pd_e2e_option(ix, "currency", 3, json_string("notes"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  const char *at = strstr(pd_e2e_content(reply), "as listing **");
  if (at == NULL)
    fail_msg("not listed: %s", pd_e2e_content(reply));
  int64_t id = strtoll(at + 13, NULL, 10);
  json_decref(reply);
  json_decref(ix);
  return id;
}

/* The DMs the double got for user (their contents joined) once there are n. */
static void dms_of(const char *user, size_t n, char *out, size_t cap)
{
  char chan[64];
  snprintf(chan, sizeof(chan), "/channels/9%s/messages", user);
  json_t *msgs = pd_double_wait_requests(E.dbl, chan, n, 15000);
  if (msgs == NULL)
    fail_msg("fewer than %zu DMs to %s", n, user);
  size_t at = 0, i;
  json_t *m;
  out[0] = '\0';
  json_array_foreach(msgs, i, m)
  {
    const char *c = json_string_value(json_object_get(json_object_get(m, "json"), "content"));
    if (at < cap)
      at += (size_t)snprintf(out + at, cap - at, "%s\n", c != NULL ? c : "");
  }
  json_decref(msgs);
}

static size_t dm_count(const char *user)
{
  char chan[64];
  snprintf(chan, sizeof(chan), "/channels/9%s/messages", user);
  json_t *msgs = pd_double_requests(E.dbl, chan);
  size_t n = json_array_size(msgs);
  json_decref(msgs);
  return n;
}

static void test_event_end_settles_once(void **state)
{
  const char *A = "730000000000000041", *B = "730000000000000042", *C = "730000000000000043";
  char text[4000];
  int64_t ev = event("Fade Fest", -60, 7200, "{}", NULL, NULL, "event", 25);
  int64_t t1 = temp_card(ev, "FADE-ONE", NULL), t2 = temp_card(ev, "FADE-TWO", NULL);
  int64_t a1 = temp_copy(A, t1, 1), a2 = temp_copy(A, t1, 2), b1 = temp_copy(B, t2, 1);
  (void)a2;
  /* A lists one copy; B offers theirs in an open trade with C, who offers Notes. */
  int64_t listing = sell(A, "FADE-ONE/1", 500);
  assert_true(listing > 0);
  int64_t uc = pd_ge_player(&E, C, 30), ub = pd_ge_player(&E, B, 30);
  pd_ge_grant(&E, C, "notes", 300);
  int64_t trade = pd_e2e_sqlf(&E,
                              "INSERT INTO trades (a_id, b_id, b_notes, expires_at) VALUES (%lld,"
                              " %lld, 300, pd_now() + interval '1 day') RETURNING id",
                              (long long)ub, (long long)uc);
  sql_do("INSERT INTO trade_players VALUES (%lld, %lld), (%lld, %lld)", (long long)ub,
         (long long)trade, (long long)uc, (long long)trade);
  sql_do("UPDATE user_cards SET state = 'trading' WHERE id = %lld", (long long)b1);
  sql_do("INSERT INTO trade_cards (trade_id, user_card_id, from_user, added_version) VALUES"
         " (%lld, %lld, %lld, 1)",
         (long long)trade, (long long)b1, (long long)ub);
  pd_double_reset(E.dbl);

  /* Nothing happens before the end. */
  usleep(2500 * 1000);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM events WHERE id = %lld AND settled_at IS"
                               " NOT NULL",
                               (long long)ev),
                   0);
  assert_true(pd_e2e_clock_advance(&E, 7200 + 5));
  char sql[256];
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM events WHERE id = %lld AND settled_at IS NOT NULL", (long long)ev);
  assert_int_equal(wait_sql(sql, 1), 1);

  /* The listing and the trade were cancelled, the escrow back, the copies gone. */
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM market_listings WHERE id = %lld AND"
                               " status = 'cancelled'",
                               (long long)listing),
                   1);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM trades WHERE id = %lld AND status ="
                               " 'cancelled'",
                               (long long)trade),
                   1);
  assert_int_equal(
      pd_e2e_sqlf(&E, "SELECT count(*) FROM trade_players WHERE trade_id = %lld", (long long)trade),
      0);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM user_cards WHERE temp_template_id IN"
                               " (%lld, %lld) AND state <> 'gone'",
                               (long long)t1, (long long)t2),
                   0);
  assert_int_equal(pd_ge_balance(&E, C, "notes"), 300);
  /* The consolation: 25 Notes per copy, one operation per owner, from 'rewards'. */
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 50);
  assert_int_equal(pd_ge_balance(&E, B, "notes"), 25);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT count(DISTINCT op_id) FROM ledger WHERE kind ="
                                   " 'event_consolation' AND user_id IS NOT NULL"),
                   2);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT -sum(amount) FROM ledger WHERE kind ="
                                   " 'event_consolation' AND system_account = 'rewards'"),
                   75);
  /* Each copy's last move went to nobody under its owner's consolation operation. */
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM card_moves m JOIN ledger l ON l.op_id ="
                               " m.op_id AND l.user_id = m.from_user WHERE m.user_card_id IN"
                               " (%lld, %lld, %lld) AND m.to_user IS NULL AND l.kind ="
                               " 'event_consolation'",
                               (long long)a1, (long long)a2, (long long)b1),
                   3);

  /* One DM each owner, through the double; the traders told of the trade. */
  dms_of(A, 1, text, sizeof(text));
  HAS(text, "**Fade Fest** is over: your 2 temporary copies of its cards left your collection");
  HAS(text, "1 listing and 0 trade offers");
  HAS(text, "2 × 25 = **50 Notes**");
  dms_of(B, 2, text, sizeof(text));
  HAS(text, "1 temporary copy");
  HAS(text, "**25 Notes**");
  HAS(text, "Your trade with <@730000000000000043> was cancelled");
  dms_of(C, 1, text, sizeof(text));
  HAS(text, "Your trade with <@730000000000000042> was cancelled");

  /* Settled once: more periods on both servers change nothing. */
  assert_true(pd_e2e_clock_advance(&E, 120));
  usleep(3000 * 1000);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT count(DISTINCT op_id) FROM ledger WHERE kind ="
                                   " 'event_consolation'"),
                   2);
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 50);
  assert_int_equal(dm_count(A), 1);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT count(*) FROM scheduler_runs WHERE task = 'event_end'"
                                   " AND detail LIKE '%%(2 owners, 3 copies)%%'"),
                   1);
  const char *books = pd_ge_books(&E);
  if (books[0] != '\0')
    fail_msg("%s", books);
}

static void test_card_expiring_early(void **state)
{
  const char *S = "730000000000000051";
  char text[2000];
  int64_t ev = event("Long Fest", -60, 5 * 86400, "{}", NULL, NULL, "event", 10);
  int64_t tc = temp_card(ev, "EARLY-ONE", "pd_now() + interval '10 minutes'");
  int64_t copy = temp_copy(S, tc, 1);
  int64_t listing = sell(S, "EARLY-ONE/1", 200);
  pd_double_reset(E.dbl);
  assert_true(pd_e2e_clock_advance(&E, 11 * 60));
  char sql[256];
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM market_listings WHERE id = %lld AND status ="
           " 'cancelled'",
           (long long)listing);
  assert_int_equal(wait_sql(sql, 1), 1);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM user_cards WHERE id = %lld AND state ="
                               " 'free'",
                               (long long)copy),
                   1);
  dms_of(S, 1, text, sizeof(text));
  HAS(text, "Your market listing of EARLY-ONE was cancelled");
  /* The consolation waits for the event's end. */
  assert_int_equal(pd_ge_balance(&E, S, "notes"), 0);
  sql_do("UPDATE events SET end_at = pd_now() WHERE id = %lld", (long long)ev);
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM events WHERE id = %lld AND settled_at IS NOT NULL", (long long)ev);
  assert_int_equal(wait_sql(sql, 1), 1);
  assert_int_equal(pd_ge_balance(&E, S, "notes"), 10);
}

/* A listed temporary copy past its own expiry cannot be bought in the moments before the
 * event_end task cancels its listing.  (Only the copy's expiry is moved here, not its card's,
 * so the task leaves the listing to the buyer's request.) */
static void test_expired_temporary_copy_not_sold(void **state)
{
  const char *S = "730000000000000071", *B = "730000000000000072";
  char ref[64];
  int64_t ev = event("Short Fest", -60, 5 * 86400, "{}", NULL, NULL, "event", 0);
  int64_t tc = temp_card(ev, "SHORT-ONE", NULL);
  int64_t copy = temp_copy(S, tc, 1);
  snprintf(ref, sizeof(ref), "SHORT-ONE/1");
  int64_t listing = sell(S, ref, 100);
  pd_ge_player(&E, B, 30);
  pd_ge_grant(&E, B, "notes", 100);
  sql_do("UPDATE user_cards SET expires_at = pd_now() - interval '1 second' WHERE id = %lld",
         (long long)copy);
  char id[24];
  snprintf(id, sizeof(id), "%lld", (long long)listing);
  json_t *reply = run(1, "buy", B, NULL, "listing", id);
  HAS(pd_e2e_content(reply), "is a temporary event card that has expired");
  assert_true(pd_e2e_ephemeral(reply));
  json_decref(reply);
  assert_int_equal(pd_ge_balance(&E, B, "notes"), 100);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM market_listings WHERE id = %lld AND"
                               " status = 'active'",
                               (long long)listing),
                   1);
  sql_do("UPDATE temp_card_templates SET expires_at = pd_now() WHERE id = %lld", (long long)tc);
  sql_do("UPDATE events SET end_at = pd_now() WHERE id = %lld", (long long)ev);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_event_boosts_where_visible),
      PD_E2E_TEST(test_events_and_exact_odds),
      PD_E2E_TEST(test_guild_event_cards_drawn_only_there),
      PD_E2E_TEST(test_claim_rules),
      PD_E2E_TEST(test_claim_daily_across_midnight),
      PD_E2E_TEST(test_claim_race),
      PD_E2E_TEST(test_event_end_settles_once),
      PD_E2E_TEST(test_card_expiring_early),
      PD_E2E_TEST(test_expired_temporary_copy_not_sold),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
