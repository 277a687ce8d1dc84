/* e2e_ratelimit.c - the per-player command limit, end to end: two `popdeck serve` instances on
 * one database, both with RATE_LIMIT_COMMANDS=3 and RATE_LIMIT_WINDOW_S=2.  A player's fourth
 * command in the window is refused with an ephemeral "slow down" naming when to try again, before
 * any handler runs (a refused /daily credits nothing); the count is shared by the instances and
 * exact under a race; autocomplete and other players are not limited; the window slides on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

static struct pd_e2e E;
static const char *const LIMIT[] = {"RATE_LIMIT_COMMANDS=3", "RATE_LIMIT_WINDOW_S=2", NULL};

static int setup(void **state)
{
  int status = 0;
  if (pd_e2e_setup(&E, "ratelimit") != 0 || pd_e2e_server_stop(&E, 0, 15, 10000, &status) != 0)
    return -1;
  if (pd_e2e_server_start(&E, 0, LIMIT) != 0 || pd_e2e_server_start(&E, 1, LIMIT) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

static json_t *send_cmd(int srv, const char *name, const char *user)
{
  json_t *ix = pd_e2e_command(name, user), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, srv, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

static bool slowed(json_t *reply)
{
  return pd_e2e_ephemeral(reply) && strncmp(pd_e2e_content(reply), "Slow down: ", 11) == 0;
}

/* Waits until the player's window is empty again. */
static void let_window_pass(void)
{
  usleep(2100 * 1000);
}

static void test_fourth_command_is_refused_across_instances(void **state)
{
  const char *u = "700000000000000301";
  /* Three commands, alternating instances: all answered. */
  for (int i = 0; i < 3; i++) {
    json_t *r = send_cmd(i % 2, "ping", u);
    assert_false(slowed(r));
    assert_non_null(strstr(pd_e2e_content(r), "Pong!"));
    json_decref(r);
  }
  /* The fourth, on either instance, is refused, and it is /daily: nothing is credited. */
  int64_t before = (int64_t)time(NULL);
  json_t *r = send_cmd(1, "daily", u);
  assert_true(slowed(r));
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 4);
  const char *text = pd_e2e_content(r);
  assert_non_null(
      strstr(text, "PopDeck takes 3 commands every 2 seconds from each player. Try again <t:"));
  long long when = 0;
  assert_int_equal(sscanf(strstr(text, "<t:") + 3, "%lld", &when), 1);
  /* When the first of the three leaves the window: within the next two seconds. */
  assert_true(when >= before && when <= before + 3);
  assert_non_null(strstr(text, ":R> (at <t:"));
  json_decref(r);
  r = send_cmd(0, "daily", u);
  assert_true(slowed(r));
  json_decref(r);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM users WHERE discord_id = '700000000000000301'"), 0);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM transactions"), 0);

  /* A button is a command too; an autocomplete is not. */
  json_t *ix = pd_e2e_button("mycards:1:1:0:0:-:n:2:n:0:0", u), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_true(slowed(reply));
  json_decref(ix);
  json_decref(reply);
  ix = pd_e2e_autocomplete("viewcard", "card", "TAYL", u);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 8);
  json_decref(ix);
  json_decref(reply);
  /* Another player is not slowed by this one. */
  r = send_cmd(0, "ping", "700000000000000302");
  assert_false(slowed(r));
  json_decref(r);

  /* Once the window has passed, the player plays again: /daily credits. */
  let_window_pass();
  r = send_cmd(1, "daily", u);
  assert_false(slowed(r));
  assert_non_null(json_object_get(json_object_get(r, "data"), "embeds"));
  json_decref(r);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '700000000000000301'"), 250);
}

struct shot {
  int srv;
  const char *user;
  bool slowed;
  long status;
};

static void *fire(void *arg)
{
  struct shot *s = arg;
  json_t *ix = pd_e2e_command("ping", s->user), *reply = NULL;
  s->status = pd_e2e_post(&E, s->srv, ix, &reply);
  s->slowed = slowed(reply);
  json_decref(ix);
  json_decref(reply);
  return NULL;
}

/* Twelve commands at once from one player, over both instances: exactly three get through. */
static void test_race_lets_exactly_the_limit_through(void **state)
{
  enum { N = 12 };
  struct shot s[N];
  pthread_t t[N];
  let_window_pass();
  for (int i = 0; i < N; i++) {
    s[i] = (struct shot){.srv = i % 2, .user = "700000000000000303"};
    pthread_create(&t[i], NULL, fire, &s[i]);
  }
  int through = 0, refused = 0;
  for (int i = 0; i < N; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(s[i].status, 200);
    if (s[i].slowed)
      refused++;
    else
      through++;
  }
  assert_int_equal(through, 3);
  assert_int_equal(refused, N - 3);
  /* The refused ones were not counted: the window holds exactly the three. */
  assert_int_equal(
      pd_e2e_sql_int(
          &E,
          "SELECT cardinality(hits) FROM rate_limit_hits WHERE discord_id = '700000000000000303'"),
      3);
}

/* A malformed limit stops serve with one line naming it. */
static void test_bad_limit_is_a_configuration_error(void **state)
{
  char cmd[1024];
  snprintf(cmd, sizeof(cmd),
           "RATE_LIMIT_COMMANDS=lots DATABASE_URL=postgresql:///x DISCORD_PUBLIC_KEY=%s"
           " DISCORD_APPLICATION_ID=%s %s/popdeck serve 2>&1 | head -n 1"
           " | grep -q '^RATE_LIMIT_COMMANDS: must be a whole number from 0 to 1000000'",
           E.pk_hex, PD_E2E_APP_ID, E.build);
  assert_int_equal(system(cmd), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_fourth_command_is_refused_across_instances),
      PD_E2E_TEST(test_race_lets_exactly_the_limit_through),
      PD_E2E_TEST(test_bad_limit_is_a_configuration_error),
  };
  return cmocka_run_group_tests_name("e2e_ratelimit", tests, setup, teardown);
}
