/* test_packs.c - assets/packs.json as shipped, every refusal of a bad config with its message,
 * the published odds, cooldown reductions, and 1,000,000 draws from each pack through the
 * draw function the game uses, checked against the published odds by chi-square. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "packs.h"

static struct pd_game_config *shipped(void)
{
  struct pd_game_config *g = NULL;
  char err[256] = "";
  if (pd_game_config_load("assets/packs.json", &g, err, sizeof(err)) != PD_OK)
    fail_msg("assets/packs.json: %s", err);
  return g;
}

static void test_shipped_config(void **state)
{
  struct pd_game_config *g = shipped();
  assert_int_equal(g->npacks, 3);
  assert_string_equal(g->default_pack->id, "standard-3");
  /* The festival pack opens only while an event offers it (/claim_event_pack). */
  assert_true(pd_game_pack(g, "festival-3")->event);
  assert_false(g->default_pack->event);
  const struct pd_pack *s = pd_game_pack(g, "standard-3"), *p = pd_game_pack(g, "premium-5");
  assert_int_equal(s->size, 3);
  assert_int_equal(s->free_per_day, 3);
  /* The standard pack: the free allotment, then 100 Notes or 1 Disc. */
  assert_int_equal(s->nprices, 2);
  assert_int_equal(s->prices[0].currency, PD_NOTES);
  assert_int_equal(s->prices[0].amount, 100);
  assert_int_equal(s->prices[1].currency, PD_DISCS);
  assert_int_equal(s->prices[1].amount, 1);
  assert_int_equal(p->size, 5);
  assert_int_equal(p->nprices, 1);
  assert_int_equal(p->prices[0].currency, PD_GEMS);
  assert_null(pd_game_pack(g, "nope"));
  assert_int_equal(g->openpack_cooldown_s, 420);
  assert_int_equal(g->draw_cooldown_s, 120);
  assert_int_equal(g->pack_expiry_s, 600);
  assert_int_equal(g->draw_free_per_day, 5);
  assert_non_null(pd_game_event_boost(g, "Summer Festival"));
  assert_null(pd_game_event_boost(g, "Winter"));
  /* What real money buys: Gems bundles priced in cents, and the membership's 30 days. */
  assert_int_equal(g->nbundles, 4);
  const struct pd_bundle *b = pd_game_bundle(g, "gems-550"), *m = pd_game_bundle(g, "membership");
  assert_int_equal(b->gems, 550);
  assert_int_equal(b->days, 0);
  assert_string_equal(b->prices[0].currency, "usd");
  assert_int_equal(b->prices[0].amount, 499);
  assert_int_equal(m->gems, 0);
  assert_int_equal(m->days, 30);
  assert_null(pd_game_bundle(g, "gems-1"));
  assert_true(g->member_multiplier == 0.5);
  assert_int_equal(g->member_extra_opens, 2);
  pd_game_config_free(g);
}

/* The shipped file with one change: path ("a.b.0.c") set to value (JSON text), or removed
 * when value is NULL. */
static char *changed(const char *path, const char *value)
{
  json_t *root = json_load_file("assets/packs.json", 0, NULL), *at = root;
  char buf[128], *save = NULL;
  snprintf(buf, sizeof(buf), "%s", path);
  char *key = strtok_r(buf, ".", &save), *next;
  while ((next = strtok_r(NULL, ".", &save)) != NULL) {
    at = json_is_array(at) ? json_array_get(at, (size_t)strtoul(key, NULL, 10))
                           : json_object_get(at, key);
    key = next;
  }
  json_t *v = value != NULL ? json_loads(value, JSON_DECODE_ANY, NULL) : NULL;
  if (json_is_array(at))
    json_array_set_new(at, (size_t)strtoul(key, NULL, 10), v);
  else if (v != NULL)
    json_object_set_new(at, key, v);
  else
    json_object_del(at, key);
  char *s = json_dumps(root, 0);
  json_decref(root);
  return s;
}

static void test_bad_configs_are_refused_with_reasons(void **state)
{
  static const struct {
    const char *path, *value, *err;
  } rows[] = {
      {"extra", "1", "extra: unknown key"},
      {"bundles.0.id", "\"Gems!\"", "bundles[0].id: only a-z, 0-9 and '-' (got \"Gems!\")"},
      {"bundles.1.id", "\"gems-100\"", "bundles[1].id: \"gems-100\" is already bundles[0]"},
      {"bundles.0.gems", "-1",
       "bundles[0].gems: must be a whole number from 0 to 1000000 (got -1)"},
      {"bundles.0.gems", "0", "bundles[0]: a bundle gives Gems, days of membership, or both"},
      {"bundles.3.days", NULL, "bundles[3].days: the membership needs its length in days"},
      {"bundles.0.prices", "{}",
       "bundles[0].prices: must be an object of 1 to 4 prices, {\"usd\": 499}"},
      {"bundles.0.prices", "{\"USD\": 99}",
       "bundles[0].prices.USD: a currency is three lowercase letters (ISO 4217)"},
      {"bundles.0.prices", "{\"usd\": 0}",
       "bundles[0].usd: must be a whole number from 1 to 100000000 (got 0)"},
      {"membership.cooldown_multiplier", "0",
       "membership.cooldown_multiplier: must be a number above 0 and at most 1"},
      {"membership.extra_free_opens", "-2",
       "membership.extra_free_opens: must be a whole number from 0 to 100 (got -2)"},
      {"leaderboard.collection_weights.mythic", "-1",
       "leaderboard.collection_weights.mythic: must be a whole number from 0 to 1000000 (got -1)"},
      {"leaderboard.collection_weights.shiny", "2",
       "leaderboard.collection_weights.shiny: unknown key"},
      {"leaderboard.collection_weights.epic", NULL, "leaderboard.collection_weights.epic: missing"},
      {"leaderboard.collection_weights.rare", "2.5",
       "leaderboard.collection_weights.rare: must be a whole number from 0 to 1000000"},
      {"leaderboard.collection_weights", NULL, "leaderboard.collection_weights: missing"},
      {"packs", "[]", "packs: must be a non-empty array"},
      {"packs.0.colour", "\"red\"", "packs[0].colour: unknown key"},
      {"packs.1.event", "\"yes\"", "packs[1].event: must be true or false"},
      {"packs.0.event", "true",
       "default_pack: \"standard-3\" is an event pack, openable only while its event runs"},
      {"packs.0.id", "\"Big Pack\"", "packs[0].id: only a-z, 0-9 and '-' (got \"Big Pack\")"},
      {"packs.1.id", "\"standard-3\"", "packs[1].id: \"standard-3\" is already packs[0]"},
      {"packs.0.name", "\"\"", "packs[0].name: must be 1 to 63 bytes"},
      {"packs.0.name", NULL, "packs[0].name: must be a string"},
      {"packs.1.size", "9", "packs[1].size: must be a whole number from 1 to 5 (got 9)"},
      {"packs.1.size", "0", "packs[1].size: must be a whole number from 1 to 5 (got 0)"},
      {"packs.0.size", "2.5", "packs[0].size: must be a whole number from 1 to 5"},
      {"packs.0.free_per_day", "-1",
       "packs[0].free_per_day: must be a whole number from 0 to 1000 (got -1)"},
      {"packs.0.prices.0.currency", "\"dollars\"",
       "packs[0].prices[0].currency: must be notes, discs or gems"},
      {"packs.0.prices.0.amount", "-5",
       "packs[0].prices[0].amount: must be a whole number from 1 to 1000000000 (got -5)"},
      {"packs.0.prices.0.amount", "0",
       "packs[0].prices[0].amount: must be a whole number from 1 to 1000000000 (got 0)"},
      {"packs.0.prices.0.tax", "1", "packs[0].prices[0].tax: unknown key"},
      {"packs.0.prices.1", "{\"amount\":3,\"currency\":5}",
       "packs[0].prices[1].currency: must be notes, discs or gems"},
      {"packs.0.prices.1", "{\"amount\":100}",
       "packs[0].prices[1].currency: must be notes, discs or gems"},
      {"packs.0.prices.1", "{\"amount\":7,\"currency\":\"notes\"}",
       "packs[0].prices[1].currency: notes is already prices[0]"},
      {"packs.0.prices", "{\"amount\":7,\"currency\":\"notes\"}",
       "packs[0].prices: must be an array of at most 3 prices"},
      {"packs.0.prices", NULL, "packs[0].prices: must be an array of at most 3 prices"},
      {"packs.0.price", "{\"amount\":7,\"currency\":\"notes\"}", "packs[0].price: unknown key"},
      {"packs.0.id", "\"abcdefghijklmnopqrstuvwxyz0123456789\"",
       "packs[0].id: must be 1 to 31 bytes"},
      {"event_boosts.0.weights.shiny", "2", "event_boosts[0].weights.shiny: unknown rarity"},
      {"cooldowns.draw_s", "-1",
       "cooldowns.draw_s: must be a whole number from 0 to 604800 (got -1)"},
      {"packs.0.weights.mythic", NULL, "packs[0].weights.mythic: missing"},
      {"packs.0.weights.shiny", "1", "packs[0].weights.shiny: unknown rarity"},
      {"packs.0.weights.rare", "-1", "packs[0].weights.rare: must be a number from 0 to 1000000"},
      {"packs.0.weights", "{\"common\":0,\"rare\":0,\"epic\":0,\"legendary\":0,\"mythic\":0}",
       "packs[0].weights: every rarity has weight 0"},
      {"default_pack", "\"mega\"", "default_pack: must name one of the packs"},
      {"draw", NULL, "draw: missing"},
      {"draw.weights.common", "\"lots\"",
       "draw.weights.common: must be a number from 0 to 1000000"},
      {"cooldowns.openpack_s", "604801",
       "cooldowns.openpack_s: must be a whole number from 0 to 604800 (got 604801)"},
      {"cooldowns.booster_multiplier", "0",
       "cooldowns.booster_multiplier: must be a number above 0 and at most 1"},
      {"cooldowns.booster_multiplier", "1.5",
       "cooldowns.booster_multiplier: must be a number above 0 and at most 1"},
      {"cooldowns.tiers.0.role_id", "\"supporters\"",
       "cooldowns.tiers[0].role_id: must be a Discord id (17 to 20 digits)"},
      {"cooldowns.tiers.0.multiplier", "2",
       "cooldowns.tiers[0].multiplier: must be a number above 0 and at most 1"},
      {"pack_expiry_s", "30", "pack_expiry_s: must be a whole number from 60 to 3600 (got 30)"},
      {"default_pack", NULL, "default_pack: must name one of the packs"},
      {"event_boosts.0.weights.mythic", "-2",
       "event_boosts[0].weights.mythic: must be a number from 0 to 1000000"},
      {"event_boosts.0.weights",
       "{\"common\":0,\"rare\":0,\"epic\":0,\"legendary\":0,\"mythic\":0}",
       "event_boosts[0].weights: every rarity has weight 0"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char err[256] = "";
    struct pd_game_config *g = NULL;
    char *json = changed(rows[i].path, rows[i].value);
    enum pd_result rc = pd_game_config_parse(json, &g, err, sizeof(err));
    free(json);
    if (rc != PD_E_INVALID)
      fail_msg("row %zu (%s): accepted", i, rows[i].path);
    if (strcmp(err, rows[i].err) != 0)
      fail_msg("row %zu (%s): said \"%s\", want \"%s\"", i, rows[i].path, err, rows[i].err);
    assert_null(g);
  }
  /* The file name leads the message when loading from a file. */
  char err[256];
  struct pd_game_config *g = NULL;
  assert_int_equal(pd_game_config_load("test/no-such-packs.json", &g, err, sizeof(err)), PD_E_IO);
  assert_non_null(strstr(err, "test/no-such-packs.json: "));
}

static void test_odds(void **state)
{
  struct pd_game_config *g = shipped();
  double p[PD_RARITY_COUNT], sum = 0;
  const struct pd_pack *s = pd_game_pack(g, "standard-3");
  pd_pack_odds(s->weights, NULL, p);
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    sum += p[r];
    assert_true(fabs(p[r] - s->weights[r] / 100.0) <= ldexp(1, -32));
  }
  assert_true(fabs(sum - 1) < 1e-12);
  /* Summer Festival: legendary x1.5, mythic x2, renormalised over 103. */
  const struct pd_event_boost *b = pd_game_event_boost(g, "Summer Festival");
  pd_pack_odds(s->weights, b->weights, p);
  assert_true(fabs(p[PD_RARITY_MYTHIC] - 2.0 / 103) <= ldexp(1, -32));
  assert_true(fabs(p[PD_RARITY_LEGENDARY] - 6.0 / 103) <= ldexp(1, -32));
  assert_true(fabs(p[PD_RARITY_COMMON] - 62.0 / 103) <= ldexp(1, -32));
  /* The draw maps r onto those odds: the bottom of the range is common, the top mythic. */
  assert_int_equal(pd_pack_draw(s->weights, NULL, 0), PD_RARITY_COMMON);
  assert_int_equal(pd_pack_draw(s->weights, NULL, UINT32_MAX), PD_RARITY_MYTHIC);
  pd_game_config_free(g);
}

/* Money as players read it, in Stripe's minor units. */
static void test_money_text(void **state)
{
  char out[32];
  pd_money_text(499, "usd", out, sizeof(out));
  assert_string_equal(out, "4.99 USD");
  pd_money_text(5, "EUR", out, sizeof(out));
  assert_string_equal(out, "0.05 EUR");
  pd_money_text(500, "jpy", out, sizeof(out)); /* yen have no minor unit */
  assert_string_equal(out, "500 JPY");
  pd_money_text(0, "usd", out, sizeof(out));
  assert_string_equal(out, "0.00 USD");
  pd_money_text(-1, "usd", out, sizeof(out)); /* not known */
  assert_string_equal(out, "");
  pd_money_text(499, "us", out, sizeof(out));
  assert_string_equal(out, "");
  pd_money_text(499, "u$d", out, sizeof(out));
  assert_string_equal(out, "");
  pd_money_text(499, NULL, out, sizeof(out));
  assert_string_equal(out, "");
}

static void test_cooldowns(void **state)
{
  struct pd_game_config *g = shipped();
  const char *tier[] = {"1180000000000000001"}, *other[] = {"1180000000000000999"};
  const char *both[] = {"1180000000000000999", "1180000000000000001"};
  assert_int_equal(pd_game_cooldown_s(g, 420, false, false, NULL, 0), 420);
  assert_int_equal(pd_game_cooldown_s(g, 420, true, false, NULL, 0), 210);  /* booster 0.5 */
  assert_int_equal(pd_game_cooldown_s(g, 420, false, false, tier, 1), 315); /* Supporter 0.75 */
  assert_int_equal(pd_game_cooldown_s(g, 420, true, false, tier, 1), 210);  /* the smaller wins */
  assert_int_equal(pd_game_cooldown_s(g, 420, false, false, other, 1), 420);
  assert_int_equal(pd_game_cooldown_s(g, 420, false, false, both, 2), 315);
  assert_int_equal(pd_game_cooldown_s(g, 121, false, false, tier, 1), 91); /* 90.75 rounds up */
  assert_int_equal(pd_game_cooldown_s(g, 1, true, false, NULL, 0), 1); /* never below a second */
  assert_int_equal(pd_game_cooldown_s(g, 0, true, false, NULL, 0), 0);
  /* A membership (0.5 as shipped) is one more multiplier: the smallest still wins. */
  assert_int_equal(pd_game_cooldown_s(g, 420, false, true, NULL, 0), 210);
  assert_int_equal(pd_game_cooldown_s(g, 420, false, true, tier, 1), 210);
  assert_int_equal(pd_game_cooldown_s(g, 121, false, true, NULL, 0), 61);
  pd_game_config_free(g);
}

/* splitmix64 with a fixed seed stands in for randombytes_random() so the test gives the same
 * verdict every run; what is tested is the mapping from a uniform r to a rarity. */
static uint32_t next_r(uint64_t *s)
{
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return (uint32_t)((z ^ (z >> 31)) >> 32);
}

#define DRAWS 1000000
#define CHI2_4DF_P01 13.277 /* chi-square with 4 degrees of freedom at p = 0.01 */

/* Chi-square of DRAWS draws with (weights, boost) against the published odds of (pw, pboost). */
static double chi_square(const double *weights, const double *boost, const double *pw,
                         const double *pboost, uint64_t seed)
{
  long count[PD_RARITY_COUNT] = {0};
  double p[PD_RARITY_COUNT], chi = 0;
  for (long i = 0; i < DRAWS; i++)
    count[pd_pack_draw(weights, boost, next_r(&seed))]++;
  pd_pack_odds(pw, pboost, p);
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    double e = p[r] * DRAWS;
    chi += (count[r] - e) * (count[r] - e) / e;
  }
  return chi;
}

static void test_a_million_draws_match_the_published_odds(void **state)
{
  struct pd_game_config *g = shipped();
  const double *boost = pd_game_event_boost(g, "Summer Festival")->weights;
  for (size_t i = 0; i < g->npacks; i++) {
    const double *w = g->packs[i].weights;
    double chi = chi_square(w, NULL, w, NULL, 1000 + i);
    print_message("%-12s chi-square %.3f (p > 0.01 below %.3f)\n", g->packs[i].id, chi,
                  CHI2_4DF_P01);
    assert_true(chi < CHI2_4DF_P01);
    chi = chi_square(w, boost, w, boost, 2000 + i);
    print_message("%-12s boosted, chi-square %.3f\n", g->packs[i].id, chi);
    assert_true(chi < CHI2_4DF_P01);
  }
  double chi = chi_square(g->draw_weights, NULL, g->draw_weights, NULL, 3000);
  print_message("%-12s chi-square %.3f\n", "draw", chi);
  assert_true(chi < CHI2_4DF_P01);
  /* The same test fails a draw that does not match what is published: premium draws are not
   * the standard odds, and neither are unboosted draws the boosted odds. */
  assert_true(chi_square(g->packs[1].weights, NULL, g->packs[0].weights, NULL, 4000) > 1000);
  assert_true(chi_square(g->packs[0].weights, NULL, g->packs[0].weights, boost, 5000) >
              CHI2_4DF_P01);
  pd_game_config_free(g);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_shipped_config),
      cmocka_unit_test(test_bad_configs_are_refused_with_reasons),
      cmocka_unit_test(test_odds),
      cmocka_unit_test(test_cooldowns),
      cmocka_unit_test(test_money_text),
      cmocka_unit_test(test_a_million_draws_match_the_published_odds),
  };
  return cmocka_run_group_tests_name("test_packs", tests, NULL, NULL);
}
