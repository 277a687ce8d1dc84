/* test_missions.c - assets/missions.json as shipped, every refusal of a bad config with its
 * message, and the choice of a period's missions: three different ones, the same for the same
 * period, spread over the whole pool as the days go by. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "missions.h"

/* 2026-11-30, a Monday, 00:00 UTC. */
#define MONDAY 1795996800LL

static void test_shipped_config(void **state)
{
  struct pd_missions *m = NULL;
  char err[256] = "";
  if (pd_missions_load("assets/missions.json", &m, err, sizeof(err)) != PD_OK)
    fail_msg("assets/missions.json: %s", err);
  assert_true(m->npool[PD_PERIOD_DAY] >= PD_MISSIONS_PER_PERIOD);
  assert_true(m->npool[PD_PERIOD_WEEK] >= PD_MISSIONS_PER_PERIOD);
  /* Every kind the issue names is offered somewhere, and every reward is paid. */
  int kinds[PD_MK_COUNT] = {0};
  for (int p = 0; p < 2; p++)
    for (size_t i = 0; i < m->npool[p]; i++) {
      kinds[m->pool[p][i].kind]++;
      assert_true(m->pool[p][i].reward.amount > 0);
    }
  for (int k = 0; k < PD_MK_COUNT; k++)
    assert_true(kinds[k] > 0);
  const char *want[] = {"first_mythic", "era_complete", "cards_100",
                        "cards_1000",   "first_trade",  "streak_7"};
  for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
    bool found = false;
    for (size_t i = 0; i < m->nachievements; i++)
      found |= strcmp(m->achievements[i].id, want[w]) == 0;
    assert_true(found);
  }
  pd_missions_free(m);
  pd_missions_free(NULL);
}

#define POOL3                                                                                      \
  "[{\"id\":\"a\",\"kind\":\"draws\",\"n\":1,\"reward\":{\"currency\":\"notes\",\"amount\":1}},"   \
  "{\"id\":\"b\",\"kind\":\"draws\",\"n\":2,\"reward\":{\"currency\":\"notes\",\"amount\":1}},"    \
  "{\"id\":\"c\",\"kind\":\"trades\",\"n\":1,\"reward\":{\"currency\":\"gems\",\"amount\":1}}]"

static void test_bad_configs_are_refused_with_reasons(void **state)
{
  static const struct {
    const char *json, *error;
  } rows[] = {
      {"[]", "(root): must be an object"},
      {"{\"daily\":" POOL3 ",\"weekly\":" POOL3 ",\"achievements\":[],\"x\":1}", "x: unknown key"},
      {"{\"weekly\":" POOL3 ",\"achievements\":[]}", "daily: must be an array of 3 to 64 missions"},
      {"{\"daily\":[" POOL3 "],\"weekly\":" POOL3 ",\"achievements\":[]}",
       "daily: must be an array of 3 to 64 missions"},
      {"{\"daily\":" POOL3 ",\"weekly\":" POOL3 "}",
       "achievements: must be an array of at most 64"},
      {"{\"daily\":[{\"id\":\"a\",\"kind\":\"dance\",\"n\":1,\"reward\":{\"currency\":\"notes\","
       "\"amount\":1}},{},{}],\"weekly\":" POOL3 ",\"achievements\":[]}",
       "daily[0].kind: must be one of open_packs, draws, market_sell, market_buy, trades, "
       "era_complete, login_streak"},
      {"{\"daily\":[{\"id\":\"A b\",\"kind\":\"draws\",\"n\":1},{},{}],\"weekly\":" POOL3
       ",\"achievements\":[]}",
       "daily[0].id: only a-z, 0-9 and _ (got \"A b\")"},
      {"{\"daily\":[{\"id\":\"a\",\"kind\":\"draws\",\"n\":0,\"reward\":{\"currency\":\"notes\","
       "\"amount\":1}},{},{}],\"weekly\":" POOL3 ",\"achievements\":[]}",
       "daily[0].n: must be a whole number from 1 to 100000"},
      {"{\"daily\":[{\"id\":\"a\",\"kind\":\"draws\",\"n\":1},{},{}],\"weekly\":" POOL3
       ",\"achievements\":[]}",
       "daily[0].reward: missing"},
      {"{\"daily\":[{\"id\":\"a\",\"kind\":\"draws\",\"n\":1,\"reward\":{\"currency\":\"gold\","
       "\"amount\":1}},{},{}],\"weekly\":" POOL3 ",\"achievements\":[]}",
       "daily[0].reward.currency: must be one of notes, discs, gems"},
      {"{\"daily\":[{\"id\":\"a\",\"kind\":\"draws\",\"n\":1,\"reward\":{\"currency\":\"notes\","
       "\"amount\":0}},{},{}],\"weekly\":" POOL3 ",\"achievements\":[]}",
       "daily[0].reward.amount: must be a whole number from 1 to 1000000000"},
      {"{\"daily\":" POOL3 ",\"weekly\":[{\"id\":\"a\",\"kind\":\"draws\",\"n\":1,\"reward\":{"
       "\"currency\":\"notes\",\"amount\":1}},{\"id\":\"a\",\"kind\":\"draws\",\"n\":1,\"reward\":"
       "{\"currency\":\"notes\",\"amount\":1}},{}],\"achievements\":[]}",
       "weekly[1].id: \"a\" is also weekly[0]"},
      {"{\"daily\":" POOL3 ",\"weekly\":" POOL3
       ",\"achievements\":[{\"id\":\"x\",\"name\":\"X\",\"kind\":\"cards\",\"n\":1,\"y\":2}]}",
       "achievements[0].y: unknown key"},
      {"{\"daily\":" POOL3 ",\"weekly\":" POOL3
       ",\"achievements\":[{\"id\":\"x\",\"kind\":\"cards\",\"n\":1}]}",
       "achievements[0].name: must be a string"},
      {"{\"daily\":" POOL3 ",\"weekly\":" POOL3
       ",\"achievements\":[{\"id\":\"x\",\"name\":\"X\",\"kind\":\"drawn\",\"n\":1}]}",
       "achievements[0].kind: must be one of mythic, era_complete, cards, trades, login_streak"},
      {"{\"daily\":" POOL3 ",\"weekly\":" POOL3
       ",\"achievements\":[{\"id\":\"x\",\"name\":\"X\",\"kind\":\"cards\",\"n\":1},"
       "{\"id\":\"x\",\"name\":\"Y\",\"kind\":\"cards\",\"n\":2}]}",
       "achievements[1].id: \"x\" is also achievements[0]"},
      {"{\"daily\":", "line 1, column 9: "},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct pd_missions *m = NULL;
    char err[256] = "";
    assert_int_equal(pd_missions_parse(rows[i].json, &m, err, sizeof(err)), PD_E_INVALID);
    assert_null(m);
    if (strncmp(err, rows[i].error, strlen(rows[i].error)) != 0)
      fail_msg("row %zu: want \"%s\", got \"%s\"", i, rows[i].error, err);
  }
  /* The file's name leads the line serve prints. */
  struct pd_missions *m = NULL;
  char err[256] = "";
  assert_int_equal(pd_missions_load("/nonexistent/missions.json", &m, err, sizeof(err)), PD_E_IO);
  assert_non_null(strstr(err, "/nonexistent/missions.json: "));
  /* The smallest valid file, with an optional reward left out. */
  assert_int_equal(
      pd_missions_parse("{\"daily\":" POOL3 ",\"weekly\":" POOL3
                        ",\"achievements\":[{\"id\":\"x\",\"name\":\"X\",\"kind\":\"cards\",\"n\":"
                        "1}]}",
                        &m, err, sizeof(err)),
      PD_OK);
  assert_int_equal(m->achievements[0].reward.amount, 0);
  assert_int_equal(m->pool[PD_PERIOD_WEEK][2].reward.currency, PD_GEMS);
  pd_missions_free(m);
}

/* The same period gives the same three distinct missions; a pool of exactly three is shown
 * whole; over a year of days every mission of the pool comes up, each roughly as often. */
static void test_deterministic_choice(void **state)
{
  struct pd_missions *m = NULL;
  char err[256] = "";
  assert_int_equal(pd_missions_load("assets/missions.json", &m, err, sizeof(err)), PD_OK);
  size_t a[PD_MISSIONS_PER_PERIOD], b[PD_MISSIONS_PER_PERIOD];
  size_t n = m->npool[PD_PERIOD_DAY];
  int seen[64] = {0};
  for (int d = 0; d < 365; d++) {
    int64_t start = MONDAY + (int64_t)d * 86400;
    pd_missions_pick(m, PD_PERIOD_DAY, start, a);
    pd_missions_pick(m, PD_PERIOD_DAY, start, b);
    for (int i = 0; i < PD_MISSIONS_PER_PERIOD; i++) {
      assert_int_equal(a[i], b[i]);
      assert_true(a[i] < n);
      for (int j = 0; j < i; j++)
        assert_true(a[i] != a[j]);
      seen[a[i]]++;
      assert_ptr_equal(pd_missions_chosen(m, PD_PERIOD_DAY, start, m->pool[PD_PERIOD_DAY][a[i]].id),
                       &m->pool[PD_PERIOD_DAY][a[i]]);
    }
  }
  /* 365 * 3 picks over n missions: each near 1095 / n (7 missions: 156, sd about 11). */
  double expect = 365.0 * PD_MISSIONS_PER_PERIOD / (double)n;
  for (size_t i = 0; i < n; i++)
    if (seen[i] < expect * 0.7 || seen[i] > expect * 1.3)
      fail_msg("mission %zu picked %d times, expected about %.0f", i, seen[i], expect);
  /* A mission not among today's is not claimable today. */
  pd_missions_pick(m, PD_PERIOD_DAY, MONDAY, a);
  for (size_t i = 0; i < n; i++) {
    bool chosen = i == a[0] || i == a[1] || i == a[2];
    assert_true((pd_missions_chosen(m, PD_PERIOD_DAY, MONDAY, m->pool[PD_PERIOD_DAY][i].id) !=
                 NULL) == chosen);
  }
  assert_null(pd_missions_chosen(m, PD_PERIOD_DAY, MONDAY, "nope"));
  pd_missions_free(m);

  /* A pool of exactly three: all three, in some order. */
  assert_int_equal(pd_missions_parse("{\"daily\":" POOL3 ",\"weekly\":" POOL3
                                     ",\"achievements\":[]}",
                                     &m, err, sizeof(err)),
                   PD_OK);
  pd_missions_pick(m, PD_PERIOD_WEEK, MONDAY, a);
  assert_int_equal(a[0] + a[1] + a[2], 3);
  char title[80];
  pd_mission_title(&m->pool[PD_PERIOD_DAY][0], title, sizeof(title));
  assert_string_equal(title, "Draw 1 time");
  pd_mission_title(&m->pool[PD_PERIOD_DAY][1], title, sizeof(title));
  assert_string_equal(title, "Draw 2 times");
  assert_string_equal(pd_mission_kind_name(PD_MK_ERA_COMPLETE), "era_complete");
  pd_missions_free(m);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shipped_config),
      cmocka_unit_test(test_bad_configs_are_refused_with_reasons),
      cmocka_unit_test(test_deterministic_choice),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
