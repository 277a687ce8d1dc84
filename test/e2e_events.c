/* e2e_events.c - events for players end to end: two real `popdeck serve` processes on one
 * PostgreSQL (the seeded demo catalog) and the Discord double.  An event's boosts in /odds,
 * and a guild event's seen only in its guild. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "ixbuild.h"

#define GUILD "2222222222222222222" /* the guild lib/ixbuild.c puts interactions in */
#define OTHER_GUILD "3333333333333333333"

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
                     const char *guild)
{
  char g[40];
  snprintf(g, sizeof(g), guild != NULL ? "'%s'" : "NULL", guild);
  return pd_e2e_sqlf(&E,
                     "INSERT INTO events (name, description, start_at, end_at, boosts, guild_id)"
                     " VALUES ('%s', 'About %s', pd_now() + make_interval(secs => %ld),"
                     " pd_now() + make_interval(secs => %ld), '%s', %s) RETURNING id",
                     name, name, start_s, end_s, boosts, g);
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

/* ---- /events and the boosts ---- */

/* An event's own boosts (events.boosts, as /admin event create sets them) are what draws and
 * /odds apply, and a server's event boosts only in that server. */
static void test_event_boosts_where_visible(void **state)
{
  const char *P = "730000000000000002";
  char odds[4000];
  int64_t g = event("Global Glow", -60, 86400, "{\"mythic\": 2}", NULL);
  int64_t o = event("Elsewhere Only", -60, 86400, "{\"legendary\": 5}", OTHER_GUILD);
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

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_event_boosts_where_visible),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
