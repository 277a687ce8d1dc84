/* test_rarity.c - rarity config loading and errors, odds per kind, the threshold draw, reuse. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rarity.h"

#define TWO_32 ((uint64_t)1 << 32)

static const char *asset_path(void)
{
  static char path[512];
  const char *dir = getenv("ASSETS_DIR");
  snprintf(path, sizeof(path), "%s/rarity.json", dir != NULL && dir[0] != '\0' ? dir : "assets");
  return path;
}

static struct pd_rarity_config *load_defaults(void)
{
  struct pd_rarity_config *cfg = NULL;
  char err[256] = "";
  enum pd_result rc = pd_rarity_config_load(asset_path(), &cfg, err, sizeof(err));
  if (rc != PD_OK)
    fail_msg("%s: %s", asset_path(), err);
  return cfg;
}

static void test_names(void **state)
{
  (void)state;
  static const char *const names[] = {"common", "rare", "epic", "legendary", "mythic"};
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    enum pd_rarity got = PD_RARITY_COUNT;
    assert_string_equal(pd_rarity_name((enum pd_rarity)r), names[r]);
    assert_int_equal(pd_rarity_parse(names[r], &got), PD_OK);
    assert_int_equal(got, r);
  }
  static const char *const bad[] = {"", "Common", "legend", "mythic ", "uncommon"};
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    enum pd_rarity got = PD_RARITY_COUNT;
    assert_int_equal(pd_rarity_parse(bad[i], &got), PD_E_INVALID);
    assert_int_equal(got, PD_RARITY_COUNT);
  }
  assert_null(pd_rarity_name(PD_RARITY_COUNT));
  enum pd_rarity got;
  assert_int_equal(pd_rarity_parse(NULL, &got), PD_E_INVALID);
}

static void test_defaults_load(void **state)
{
  (void)state;
  struct pd_rarity_config *cfg = load_defaults();
  static const double base[] = {62, 23, 10, 4, 1};
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    assert_true(cfg->base[r] == base[r]);
  assert_int_equal(cfg->min_stock_per_rarity, 5);
  assert_true(cfg->reuse_bias == 0.7);
  assert_true(cfg->kind_multiplier[PD_KIND_RED_CARPET][PD_RARITY_LEGENDARY] == 4);
  pd_rarity_config_free(cfg);
  pd_rarity_config_free(NULL);
}

/* Odds worked out by hand from assets/rarity.json: base weight x multiplier, over the sum. */
static void test_probabilities_by_hand(void **state)
{
  (void)state;
  static const double legendary_plus_20[] = {1, 1, 1, 1.2, 1};
  static const double only_mythic[] = {0, 0, 0, 0, 1};
  static const struct {
    enum pd_kind kind;
    const double *boost;
    double weights[PD_RARITY_COUNT]; /* before dividing by their sum */
  } rows[] = {
      {PD_KIND_UNKNOWN, NULL, {62, 23, 10, 4, 1}},
      {PD_KIND_GENERATED, NULL, {62, 23, 10, 4, 1}},
      {PD_KIND_CONCERT, NULL, {74.4, 29.9, 6, 1.6, 0.3}},
      {PD_KIND_COVER, NULL, {43.4, 46, 10, 2, 0.5}},
      {PD_KIND_MV, NULL, {24.8, 36.8, 25, 4, 1}},
      {PD_KIND_RED_CARPET, NULL, {18.6, 18.4, 30, 16, 2}},
      {PD_KIND_PROMO, NULL, {24.8, 20.7, 25, 12, 1.5}},
      {PD_KIND_RED_CARPET, legendary_plus_20, {18.6, 18.4, 30, 19.2, 2}},
      {PD_KIND_CONCERT, only_mythic, {0, 0, 0, 0, 1}},
  };
  struct pd_rarity_config *cfg = load_defaults();
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    double p[PD_RARITY_COUNT], sum = 0, want_sum = 0;
    assert_int_equal(pd_rarity_probabilities(cfg, rows[i].kind, rows[i].boost, p), PD_OK);
    for (int r = 0; r < PD_RARITY_COUNT; r++)
      want_sum += rows[i].weights[r];
    for (int r = 0; r < PD_RARITY_COUNT; r++) {
      if (fabs(p[r] - rows[i].weights[r] / want_sum) > 1e-12)
        fail_msg("row %zu %s: got %.15f want %.15f", i, pd_rarity_name((enum pd_rarity)r), p[r],
                 rows[i].weights[r] / want_sum);
      sum += p[r];
    }
    assert_true(fabs(sum - 1) < 1e-12);
  }
  /* The kinds move odds the way the spec says. */
  double base[5], concert[5], cover[5], mv[5], red[5], promo[5];
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_UNKNOWN, NULL, base), PD_OK);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_CONCERT, NULL, concert), PD_OK);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_COVER, NULL, cover), PD_OK);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_MV, NULL, mv), PD_OK);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_RED_CARPET, NULL, red), PD_OK);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_PROMO, NULL, promo), PD_OK);
  assert_true(concert[0] + concert[1] > base[0] + base[1]);
  assert_true(cover[1] > cover[0] && cover[1] > base[1]);
  assert_true(mv[1] + mv[2] > base[1] + base[2] && mv[2] > base[2]);
  assert_true(red[2] + red[3] > 3 * (base[2] + base[3]) && red[3] > base[3]);
  assert_true(promo[2] + promo[3] > base[2] + base[3]);

  double p[PD_RARITY_COUNT];
  static const double negative[] = {1, 1, -1, 1, 1};
  static const double zero[] = {0, 0, 0, 0, 0};
  static const double nan_boost[] = {1, NAN, 1, 1, 1};
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_MV, negative, p), PD_E_INVALID);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_MV, zero, p), PD_E_INVALID);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_MV, nan_boost, p), PD_E_INVALID);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_COUNT, NULL, p), PD_E_INVALID);
  assert_int_equal(pd_rarity_probabilities(NULL, PD_KIND_MV, NULL, p), PD_E_INVALID);
  pd_rarity_config_free(cfg);
}

#define BASE                                                                                       \
  "\"base_weights\": {\"common\": 62, \"rare\": 23, \"epic\": 10, \"legendary\": 4, \"mythic\": "  \
  "1}"
#define REUSE "\"reuse\": {\"min_stock_per_rarity\": 5, \"reuse_bias\": 0.7}"
#define ALL5(c, r, e, l, m)                                                                        \
  "{\"common\": " #c ", \"rare\": " #r ", \"epic\": " #e ", \"legendary\": " #l                    \
  ", \"mythic\": " #m "}"

/* One defect per config, and the error that must name it. */
static void test_bad_configs(void **state)
{
  (void)state;
  static const struct {
    const char *json;
    const char *error;
  } rows[] = {
      {"", "line 1"},
      {"{" BASE ", " REUSE, "line 1"},
      {"[]", "(root): must be an object"},
      {"{" REUSE "}", "base_weights: missing"},
      {"{" BASE "}", "reuse: missing"},
      {"{" BASE ", " REUSE ", \"colour\": 1}", "colour: unknown key"},
      {"{\"base_weights\": [62, 23, 10, 4, 1], " REUSE "}", "base_weights: must be an object"},
      {"{\"base_weights\": {\"common\": 62, \"rare\": 23, \"epic\": 10, \"legendary\": 4}, " REUSE
       "}",
       "base_weights.mythic: missing"},
      {"{\"base_weights\": {\"common\": 62, \"rare\": 23, \"epic\": 10, \"legendary\": 4, "
       "\"mythic\": 1, \"uncommon\": 5}, " REUSE "}",
       "base_weights.uncommon: unknown rarity"},
      {"{\"base_weights\": " ALL5(62, -23, 10, 4, 1) ", " REUSE "}",
       "base_weights.rare: must be from 0 to 1e+06 (got -23)"},
      {"{\"base_weights\": " ALL5(62, 23, 10, 4, "1") ", " REUSE "}",
       "base_weights.mythic: must be a number"},
      {"{\"base_weights\": " ALL5(62, 23, true, 4, 1) ", " REUSE "}",
       "base_weights.epic: must be a number"},
      {"{\"base_weights\": " ALL5(62, 23, 10, 4, 1e9) ", " REUSE "}",
       "base_weights.mythic: must be from 0 to 1e+06"},
      {"{\"base_weights\": " ALL5(0, 0, 0.0, 0, 0) ", " REUSE "}",
       "base_weights: all weights are zero"},
      {"{\"base_weights\": {\"common\": 1, \"common\": 2}, " REUSE "}", "duplicate object key"},
      {"{" BASE ", " REUSE ", \"kind_multipliers\": {\"selfie\": " ALL5(1, 1, 1, 1, 1) "}}",
       "kind_multipliers.selfie: unknown kind"},
      {"{" BASE ", " REUSE ", \"kind_multipliers\": {\"mv\": {\"common\": 1}}}",
       "kind_multipliers.mv.rare: missing"},
      {"{" BASE ", " REUSE ", \"kind_multipliers\": {\"mv\": " ALL5(1, 1, -0.5, 1, 1) "}}",
       "kind_multipliers.mv.epic: must be from 0 to 1e+06 (got -0.5)"},
      {"{" BASE ", " REUSE ", \"kind_multipliers\": {\"promo\": " ALL5(0, 0, 0, 0, 0) "}}",
       "kind_multipliers.promo: leaves every rarity at zero weight"},
      {"{\"base_weights\": " ALL5(1, 0, 0, 0, 0) ", " REUSE
                                                 ", \"kind_multipliers\": {\"cover\": " ALL5(
                                                     0, 5, 5, 5, 5) "}}",
       "kind_multipliers.cover: leaves every rarity at zero weight"},
      {"{" BASE ", " REUSE ", \"kind_multipliers\": []}", "kind_multipliers: must be an object"},
      {"{" BASE ", " REUSE ", \"kind_multipliers\": {\"mv\": 2}}",
       "kind_multipliers.mv: must be an object"},
      {"{" BASE ", \"reuse\": 0.7}", "reuse: must be an object"},
      {"{" BASE ", \"reuse\": {\"min_stock_per_rarity\": 5}}", "reuse.reuse_bias: missing"},
      {"{" BASE ", \"reuse\": {\"reuse_bias\": 0.5}}", "reuse.min_stock_per_rarity: missing"},
      {"{" BASE ", \"reuse\": {\"min_stock_per_rarity\": 5, \"reuse_bias\": 1.5}}",
       "reuse.reuse_bias: must be between 0 and 1 (got 1.5)"},
      {"{" BASE ", \"reuse\": {\"min_stock_per_rarity\": 5, \"reuse_bias\": -0.1}}",
       "reuse.reuse_bias: must be between 0 and 1 (got -0.1)"},
      {"{" BASE ", \"reuse\": {\"min_stock_per_rarity\": 5, \"reuse_bias\": \"high\"}}",
       "reuse.reuse_bias: must be a number"},
      {"{" BASE ", \"reuse\": {\"min_stock_per_rarity\": -1, \"reuse_bias\": 0.5}}",
       "reuse.min_stock_per_rarity: must be an integer from 0 to 1000000"},
      {"{" BASE ", \"reuse\": {\"min_stock_per_rarity\": 2.5, \"reuse_bias\": 0.5}}",
       "reuse.min_stock_per_rarity: must be an integer"},
      {"{" BASE ", \"reuse\": {\"min_stock_per_rarity\": 5, \"reuse_bias\": 0.5, \"bias\": 1}}",
       "reuse.bias: unknown key"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct pd_rarity_config *cfg = NULL;
    char err[256] = "";
    enum pd_result rc = pd_rarity_config_parse(rows[i].json, &cfg, err, sizeof(err));
    if (rc != PD_E_INVALID || cfg != NULL || strstr(err, rows[i].error) == NULL)
      fail_msg("row %zu: rc %d, error \"%s\", want \"%s\"", i, rc, err, rows[i].error);
  }
}

static void test_good_configs(void **state)
{
  (void)state;
  /* Comments, optional kinds, zero weights for some rarities, integer or real numbers. */
  static const char *const good[] = {
      "{" BASE ", " REUSE "}",
      "{\"_comment\": \"x\", " BASE ", " REUSE ", \"kind_multipliers\": {\"_comment\": \"y\"}}",
      "{\"base_weights\": " ALL5(1, 0, 0, 0, 0) ", " REUSE "}",
      "{" BASE ", \"reuse\": {\"min_stock_per_rarity\": 0, \"reuse_bias\": 0}}",
      "{" BASE ", \"reuse\": {\"min_stock_per_rarity\": 1000000, \"reuse_bias\": 1}}",
      "{" BASE ", " REUSE ", \"kind_multipliers\": {\"mv\": " ALL5(0, 0, 0, 0, 1.5) "}}",
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(good); i++) {
    struct pd_rarity_config *cfg = NULL;
    char err[256] = "";
    if (pd_rarity_config_parse(good[i], &cfg, err, sizeof(err)) != PD_OK)
      fail_msg("good %zu refused: %s", i, err);
    /* a kind that is not listed keeps the base odds */
    assert_true(cfg->kind_multiplier[PD_KIND_CONCERT][PD_RARITY_RARE] == 1);
    pd_rarity_config_free(cfg);
  }
  /* The file form names the file; a missing file is an I/O error. */
  struct pd_rarity_config *cfg = NULL;
  char err[256] = "";
  assert_int_equal(pd_rarity_config_load("/nonexistent/rarity.json", &cfg, err, sizeof(err)),
                   PD_E_IO);
  assert_non_null(strstr(err, "/nonexistent/rarity.json: "));
  assert_null(cfg);
  /* A tiny error buffer is never overrun, and NULL is fine. */
  char tiny[8];
  memset(tiny, 'x', sizeof(tiny));
  assert_int_equal(pd_rarity_config_parse("[]", &cfg, tiny, sizeof(tiny)), PD_E_INVALID);
  assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
  assert_int_equal(pd_rarity_config_parse("[]", &cfg, NULL, 0), PD_E_INVALID);
}

/* Exact integer thresholds, checked on both sides of every boundary. */
static void test_thresholds(void **state)
{
  (void)state;
  static const struct {
    double p[PD_RARITY_COUNT];
    uint64_t upper[PD_RARITY_COUNT];
  } rows[] = {
      /* 0.62, 0.85, 0.95, 0.99 of 2^32, rounded to nearest */
      {{0.62, 0.23, 0.10, 0.04, 0.01},
       {2662879724u, 3650722202u, 4080218931u, 4252017623u, TWO_32}},
      /* weights need not be normalised */
      {{62, 23, 10, 4, 1}, {2662879724u, 3650722202u, 4080218931u, 4252017623u, TWO_32}},
      {{1, 1, 1, 1, 0}, {1073741824u, 2147483648u, 3221225472u, TWO_32, TWO_32}},
      {{0, 0, 1, 0, 0}, {0, 0, TWO_32, TWO_32, TWO_32}},
      {{0, 0, 0, 0, 1}, {0, 0, 0, 0, TWO_32}},
      {{1, 0, 0, 0, 1}, {2147483648u, 2147483648u, 2147483648u, 2147483648u, TWO_32}},
      {{0.5, 0.5, 0, 0, 0}, {2147483648u, TWO_32, TWO_32, TWO_32, TWO_32}},
      /* garbage counts as zero; nothing at all draws common */
      {{-1, NAN, 1, 0, 0}, {0, 0, TWO_32, TWO_32, TWO_32}},
      {{0, 0, 0, 0, 0}, {TWO_32, TWO_32, TWO_32, TWO_32, TWO_32}},
      /* a chance far below 2^-32 can round to nothing, but never steals from the last */
      {{1, 1e-12, 0, 0, 1e-12}, {TWO_32, TWO_32, TWO_32, TWO_32, TWO_32}},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    uint64_t upper[PD_RARITY_COUNT];
    pd_rarity_thresholds(rows[i].p, upper);
    for (int k = 0; k < PD_RARITY_COUNT; k++)
      if (upper[k] != rows[i].upper[k])
        fail_msg("row %zu: upper[%d] = %llu, want %llu", i, k, (unsigned long long)upper[k],
                 (unsigned long long)rows[i].upper[k]);
    /* Every boundary: the last value below goes to one rarity, the first at it to the next. */
    uint64_t prev = 0;
    for (int k = 0; k < PD_RARITY_COUNT; k++) {
      if (upper[k] > prev) {
        assert_int_equal(pd_rarity_sample(rows[i].p, (uint32_t)prev), k);
        assert_int_equal(pd_rarity_sample(rows[i].p, (uint32_t)(upper[k] - 1)), k);
      }
      prev = upper[k];
    }
    /* Published odds are exactly the interval widths and add up to exactly 1. */
    double odds[PD_RARITY_COUNT], sum = 0;
    pd_rarity_odds(rows[i].p, odds);
    prev = 0;
    for (int k = 0; k < PD_RARITY_COUNT; k++) {
      assert_true(odds[k] * 4294967296.0 == (double)(upper[k] - prev));
      prev = upper[k];
      sum += odds[k];
    }
    assert_true(sum == 1.0);
  }
  /* The ends of the range. */
  static const double base[] = {0.62, 0.23, 0.10, 0.04, 0.01};
  assert_int_equal(pd_rarity_sample(base, 0), PD_RARITY_COMMON);
  assert_int_equal(pd_rarity_sample(base, UINT32_MAX), PD_RARITY_MYTHIC);
  assert_int_equal(pd_rarity_sample(base, 2662879723u), PD_RARITY_COMMON);
  assert_int_equal(pd_rarity_sample(base, 2662879724u), PD_RARITY_RARE);
  assert_int_equal(pd_rarity_sample(base, 4252017622u), PD_RARITY_LEGENDARY);
  assert_int_equal(pd_rarity_sample(base, 4252017623u), PD_RARITY_MYTHIC);
  static const double no_mythic[] = {0.62, 0.23, 0.10, 0.05, 0};
  assert_int_equal(pd_rarity_sample(no_mythic, UINT32_MAX), PD_RARITY_LEGENDARY);
}

/* Odds agree with the probabilities to within 2^-32, for every kind of the defaults, and
 * the draw never goes down as r goes up (sampled every 65,537th value). */
static void test_odds_match_probabilities(void **state)
{
  (void)state;
  struct pd_rarity_config *cfg = load_defaults();
  for (int kind = 0; kind < PD_KIND_COUNT; kind++) {
    double p[PD_RARITY_COUNT], odds[PD_RARITY_COUNT];
    assert_int_equal(pd_rarity_probabilities(cfg, (enum pd_kind)kind, NULL, p), PD_OK);
    pd_rarity_odds(p, odds);
    for (int r = 0; r < PD_RARITY_COUNT; r++)
      assert_true(fabs(odds[r] - p[r]) <= 1.0 / 4294967296.0);
    int last = 0;
    for (uint64_t v = 0; v < TWO_32; v += 65537) {
      int got = (int)pd_rarity_sample(p, (uint32_t)v);
      assert_true(got >= last);
      last = got;
    }
  }
  pd_rarity_config_free(cfg);
}

/* splitmix64: a fixed seed, so the chi-square result is the same on every run. */
static uint64_t next_rand(uint64_t *s)
{
  uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

#define DRAWS 1000000

static double chi_square(const double draw_p[PD_RARITY_COUNT],
                         const double expect_p[PD_RARITY_COUNT], uint64_t seed, int *cells)
{
  long count[PD_RARITY_COUNT] = {0};
  for (long i = 0; i < DRAWS; i++)
    count[pd_rarity_sample(draw_p, (uint32_t)(next_rand(&seed) >> 32))]++;
  double chi = 0;
  *cells = 0;
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    double e = expect_p[r] * DRAWS;
    if (e == 0) {
      assert_int_equal(count[r], 0); /* impossible rarities never come up */
      continue;
    }
    chi += (count[r] - e) * (count[r] - e) / e;
    (*cells)++;
  }
  return chi;
}

/* 99.9% points of chi-square with 1..4 degrees of freedom. */
static const double chi_999[] = {0, 10.828, 13.816, 16.266, 18.467};

static void test_chi_square(void **state)
{
  (void)state;
  struct pd_rarity_config *cfg = load_defaults();
  static const double event[] = {1, 1, 1, 1.2, 1};
  for (int kind = 0; kind < PD_KIND_COUNT; kind++) {
    double p[PD_RARITY_COUNT];
    assert_int_equal(pd_rarity_probabilities(cfg, (enum pd_kind)kind,
                                             kind == PD_KIND_RED_CARPET ? event : NULL, p),
                     PD_OK);
    int cells = 0;
    double chi = chi_square(p, p, UINT64_C(20240601) + (uint64_t)kind, &cells);
    print_message("%-10s chi-square %.2f (%d cells)\n", pd_kind_name((enum pd_kind)kind), chi,
                  cells);
    assert_true(chi < chi_999[cells - 1]);
  }
  static const double some_zero[] = {0.5, 0, 0.3, 0, 0.2};
  int cells = 0;
  assert_true(chi_square(some_zero, some_zero, 77, &cells) < chi_999[2]);
  assert_int_equal(cells, 3);

  /* The same test does catch a wrong distribution: red carpet odds are not the base odds. */
  double base[PD_RARITY_COUNT], red[PD_RARITY_COUNT];
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_UNKNOWN, NULL, base), PD_OK);
  assert_int_equal(pd_rarity_probabilities(cfg, PD_KIND_RED_CARPET, NULL, red), PD_OK);
  assert_true(chi_square(red, base, 1, &cells) > 1000);
  /* and a small skew: mythic at 1.1% instead of 1% */
  double skew[PD_RARITY_COUNT] = {0.619, 0.23, 0.10, 0.04, 0.011};
  assert_true(chi_square(skew, base, 2, &cells) > chi_999[4]);
  pd_rarity_config_free(cfg);
}

static void test_reuse(void **state)
{
  (void)state;
  struct pd_rarity_config cfg = {.min_stock_per_rarity = 5, .reuse_bias = 0.7};
  const uint32_t t70 = 3006477107u; /* round(0.7 * 2^32) */
  assert_true(pd_rarity_reuse_threshold(&cfg) == t70);
  static const struct {
    int64_t min_stock;
    double bias;
    int64_t stock;
    uint32_t r;
    enum pd_rarity_source want;
  } rows[] = {
      {5, 0.7, 0, 0, PD_RARITY_CREATE}, /* below the minimum: always create */
      {5, 0.7, 4, 0, PD_RARITY_CREATE},
      {5, 0.7, -3, 0, PD_RARITY_CREATE},
      {5, 0.7, 5, 0, PD_RARITY_REUSE}, /* at the minimum: Bernoulli(0.7) */
      {5, 0.7, 5, 3006477106u, PD_RARITY_REUSE},
      {5, 0.7, 5, 3006477107u, PD_RARITY_CREATE},
      {5, 0.7, 1000, UINT32_MAX, PD_RARITY_CREATE},
      {5, 1.0, 5, UINT32_MAX, PD_RARITY_REUSE}, /* bias 1: always reuse */
      {5, 0.0, 5, 0, PD_RARITY_CREATE},         /* bias 0: never */
      {0, 0.5, 0, 0, PD_RARITY_CREATE},         /* nothing in stock: nothing to reuse */
      {0, 0.5, 1, 0, PD_RARITY_REUSE},
      {0, 0.5, 1, 2147483647u, PD_RARITY_REUSE},
      {0, 0.5, 1, 2147483648u, PD_RARITY_CREATE},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    cfg.min_stock_per_rarity = rows[i].min_stock;
    cfg.reuse_bias = rows[i].bias;
    if (pd_rarity_decide_reuse(&cfg, rows[i].stock, rows[i].r) != rows[i].want)
      fail_msg("row %zu: wrong decision", i);
  }
  /* The defaults: stock 5 reuses about 70% of the time. */
  struct pd_rarity_config *defaults = load_defaults();
  uint64_t seed = 3;
  long reused = 0;
  for (long i = 0; i < DRAWS; i++)
    reused +=
        pd_rarity_decide_reuse(defaults, 5, (uint32_t)(next_rand(&seed) >> 32)) == PD_RARITY_REUSE;
  assert_true(fabs((double)reused / DRAWS - 0.7) < 0.002); /* 4.4 standard deviations */
  pd_rarity_config_free(defaults);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_defaults_load),
      cmocka_unit_test(test_probabilities_by_hand),
      cmocka_unit_test(test_bad_configs),
      cmocka_unit_test(test_good_configs),
      cmocka_unit_test(test_thresholds),
      cmocka_unit_test(test_odds_match_probabilities),
      cmocka_unit_test(test_chi_square),
      cmocka_unit_test(test_reuse),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
