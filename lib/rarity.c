/* rarity.c - rarity config (jansson), odds per image kind, threshold draw, reuse decision. */
#include "rarity.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgerr.h"

#define TWO_32 4294967296.0
/* Weights, multipliers and boosts stay at or below this, so sums cannot overflow. */
#define MAX_WEIGHT 1e6

static const char *const rarity_names[PD_RARITY_COUNT] = {"common", "rare", "epic", "legendary",
                                                          "mythic"};

const char *pd_rarity_name(enum pd_rarity r)
{
  if ((unsigned)r >= PD_RARITY_COUNT)
    return NULL;
  return rarity_names[r];
}

enum pd_result pd_rarity_parse(const char *s, enum pd_rarity *out)
{
  if (s == NULL || out == NULL)
    return PD_E_INVALID;
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    if (strcmp(s, rarity_names[r]) == 0) {
      *out = (enum pd_rarity)r;
      return PD_OK;
    }
  return PD_E_INVALID;
}

/* ---- loading ---- */

static bool is_comment(const char *key)
{
  return strcmp(key, "_comment") == 0;
}

/* {"common": w, ...} with all five rarities into out; path names obj in errors. */
static enum pd_result read_weights(json_t *obj, const char *path, double out[PD_RARITY_COUNT],
                                   const struct pd_cfgerr *e)
{
  if (!json_is_object(obj))
    return pd_cfg_fail(e, "%s: must be an object", path);
  const char *key;
  json_t *val;
  json_object_foreach(obj, key, val)
  {
    enum pd_rarity r;
    if (is_comment(key))
      continue;
    if (pd_rarity_parse(key, &r) != PD_OK)
      return pd_cfg_fail(e, "%s.%.64s: unknown rarity", path, key);
    if (!json_is_number(val))
      return pd_cfg_fail(e, "%s.%s: must be a number", path, key);
    double v = json_number_value(val);
    if (!(v >= 0) || v > MAX_WEIGHT)
      return pd_cfg_fail(e, "%s.%s: must be from 0 to %g (got %g)", path, key, MAX_WEIGHT, v);
    out[r] = v;
  }
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    if (json_object_get(obj, rarity_names[r]) == NULL)
      return pd_cfg_fail(e, "%s.%s: missing", path, rarity_names[r]);
  return PD_OK;
}

static enum pd_result read_kinds(json_t *obj, struct pd_rarity_config *cfg,
                                 const struct pd_cfgerr *e)
{
  if (!json_is_object(obj))
    return pd_cfg_fail(e, "kind_multipliers: must be an object");
  const char *key;
  json_t *val;
  json_object_foreach(obj, key, val)
  {
    enum pd_kind k;
    if (is_comment(key))
      continue;
    if (pd_kind_parse(key, &k) != PD_OK)
      return pd_cfg_fail(e, "kind_multipliers.%.64s: unknown kind", key);
    char path[64];
    snprintf(path, sizeof(path), "kind_multipliers.%s", key);
    enum pd_result rc = read_weights(val, path, cfg->kind_multiplier[k], e);
    if (rc != PD_OK)
      return rc;
  }
  return PD_OK;
}

static enum pd_result read_reuse(json_t *obj, struct pd_rarity_config *cfg,
                                 const struct pd_cfgerr *e)
{
  if (!json_is_object(obj))
    return pd_cfg_fail(e, "reuse: must be an object");
  const char *key;
  json_t *val;
  json_object_foreach(obj, key, val)
  {
    if (is_comment(key))
      continue;
    if (strcmp(key, "min_stock_per_rarity") == 0) {
      json_int_t v = json_is_integer(val) ? json_integer_value(val) : -1;
      if (v < 0 || v > PD_RARITY_MAX_MIN_STOCK)
        return pd_cfg_fail(e, "reuse.min_stock_per_rarity: must be an integer from 0 to %d",
                           PD_RARITY_MAX_MIN_STOCK);
      cfg->min_stock_per_rarity = (int64_t)v;
    } else if (strcmp(key, "reuse_bias") == 0) {
      if (!json_is_number(val))
        return pd_cfg_fail(e, "reuse.reuse_bias: must be a number");
      double v = json_number_value(val);
      if (!(v >= 0 && v <= 1))
        return pd_cfg_fail(e, "reuse.reuse_bias: must be between 0 and 1 (got %g)", v);
      cfg->reuse_bias = v;
    } else {
      return pd_cfg_fail(e, "reuse.%.64s: unknown key", key);
    }
  }
  if (json_object_get(obj, "min_stock_per_rarity") == NULL)
    return pd_cfg_fail(e, "reuse.min_stock_per_rarity: missing");
  if (json_object_get(obj, "reuse_bias") == NULL)
    return pd_cfg_fail(e, "reuse.reuse_bias: missing");
  return PD_OK;
}

static enum pd_result read_config(json_t *root, struct pd_rarity_config *cfg,
                                  const struct pd_cfgerr *e)
{
  if (!json_is_object(root))
    return pd_cfg_fail(e, "(root): must be an object");
  const char *key;
  json_t *val;
  json_object_foreach(root, key, val)
  {
    if (!is_comment(key) && strcmp(key, "base_weights") != 0 &&
        strcmp(key, "kind_multipliers") != 0 && strcmp(key, "reuse") != 0)
      return pd_cfg_fail(e, "%.64s: unknown key", key);
  }
  json_t *base = json_object_get(root, "base_weights");
  if (base == NULL)
    return pd_cfg_fail(e, "base_weights: missing");
  enum pd_result rc = read_weights(base, "base_weights", cfg->base, e);
  if (rc != PD_OK)
    return rc;
  double sum = 0;
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    sum += cfg->base[r];
  if (sum <= 0)
    return pd_cfg_fail(e, "base_weights: all weights are zero");

  for (int k = 0; k < PD_KIND_COUNT; k++)
    for (int r = 0; r < PD_RARITY_COUNT; r++)
      cfg->kind_multiplier[k][r] = 1;
  json_t *kinds = json_object_get(root, "kind_multipliers");
  if (kinds != NULL) {
    rc = read_kinds(kinds, cfg, e);
    if (rc != PD_OK)
      return rc;
  }
  for (int k = 0; k < PD_KIND_COUNT; k++) {
    double s = 0;
    for (int r = 0; r < PD_RARITY_COUNT; r++)
      s += cfg->base[r] * cfg->kind_multiplier[k][r];
    if (s <= 0)
      return pd_cfg_fail(e, "kind_multipliers.%s: leaves every rarity at zero weight",
                         pd_kind_name((enum pd_kind)k));
  }

  json_t *reuse = json_object_get(root, "reuse");
  if (reuse == NULL)
    return pd_cfg_fail(e, "reuse: missing");
  return read_reuse(reuse, cfg, e);
}

static enum pd_result finish(json_t *root, const json_error_t *jerr, struct pd_rarity_config **out,
                             const struct pd_cfgerr *e)
{
  enum pd_result rc = PD_E_INVALID;
  struct pd_rarity_config *cfg = NULL;
  if (root == NULL) {
    if (json_error_code(jerr) == json_error_cannot_open_file) {
      pd_cfg_fail(e, "%s", jerr->text);
      rc = PD_E_IO;
    } else if (json_error_code(jerr) == json_error_out_of_memory) {
      pd_cfg_fail(e, "out of memory");
      rc = PD_E_NOMEM;
    } else {
      pd_cfg_fail(e, "line %d, column %d: %s", jerr->line, jerr->column, jerr->text);
    }
    goto out;
  }
  rc = PD_E_NOMEM;
  cfg = calloc(1, sizeof(*cfg));
  if (cfg == NULL)
    goto out;
  rc = read_config(root, cfg, e);
  if (rc != PD_OK)
    goto out;
  *out = cfg;
  cfg = NULL;
out:
  free(cfg);
  json_decref(root);
  return rc;
}

enum pd_result pd_rarity_config_load(const char *path, struct pd_rarity_config **out, char *err,
                                     size_t errlen)
{
  struct pd_cfgerr e = {err, errlen, path};
  if (path == NULL || out == NULL)
    return pd_cfg_fail(&e, "no file or no result pointer");
  json_error_t jerr;
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  return finish(root, &jerr, out, &e);
}

enum pd_result pd_rarity_config_parse(const char *json, struct pd_rarity_config **out, char *err,
                                      size_t errlen)
{
  struct pd_cfgerr e = {err, errlen, NULL};
  if (json == NULL || out == NULL)
    return pd_cfg_fail(&e, "no text or no result pointer");
  json_error_t jerr;
  json_t *root = json_loads(json, JSON_REJECT_DUPLICATES, &jerr);
  return finish(root, &jerr, out, &e);
}

void pd_rarity_config_free(struct pd_rarity_config *cfg)
{
  free(cfg);
}

/* ---- odds ---- */

enum pd_result pd_rarity_probabilities(const struct pd_rarity_config *cfg, enum pd_kind kind,
                                       const double *boost, double out[PD_RARITY_COUNT])
{
  if (cfg == NULL || out == NULL || (unsigned)kind >= PD_KIND_COUNT)
    return PD_E_INVALID;
  double w[PD_RARITY_COUNT];
  double sum = 0;
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    double b = boost != NULL ? boost[r] : 1;
    if (!(b >= 0 && b <= MAX_WEIGHT))
      return PD_E_INVALID;
    w[r] = cfg->base[r] * cfg->kind_multiplier[kind][r] * b;
    sum += w[r];
  }
  if (!(sum > 0))
    return PD_E_INVALID;
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    out[r] = w[r] / sum;
  return PD_OK;
}

void pd_rarity_thresholds(const double probs[PD_RARITY_COUNT], uint64_t upper[PD_RARITY_COUNT])
{
  double p[PD_RARITY_COUNT];
  double sum = 0;
  int last = -1;
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    p[r] = probs[r] > 0 ? probs[r] : 0; /* also turns NaN into 0 */
    sum += p[r];
    if (p[r] > 0)
      last = r;
  }
  if (last < 0 || !isfinite(sum)) { /* nothing drawable: everything is common */
    for (int r = 0; r < PD_RARITY_COUNT; r++)
      upper[r] = (uint64_t)1 << 32;
    return;
  }
  double cum = 0;
  uint64_t prev = 0;
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    cum += p[r];
    uint64_t u;
    if (r >= last)
      u = (uint64_t)1 << 32;
    else if (p[r] == 0)
      u = prev;
    else
      u = (uint64_t)llround(cum / sum * TWO_32);
    if (u < prev)
      u = prev;
    if (u > (uint64_t)1 << 32)
      u = (uint64_t)1 << 32;
    upper[r] = u;
    prev = u;
  }
}

void pd_rarity_odds(const double probs[PD_RARITY_COUNT], double out[PD_RARITY_COUNT])
{
  uint64_t upper[PD_RARITY_COUNT];
  pd_rarity_thresholds(probs, upper);
  uint64_t prev = 0;
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    out[r] = (double)(upper[r] - prev) / TWO_32;
    prev = upper[r];
  }
}

enum pd_rarity pd_rarity_sample(const double probs[PD_RARITY_COUNT], uint32_t r)
{
  uint64_t upper[PD_RARITY_COUNT];
  pd_rarity_thresholds(probs, upper);
  for (int k = 0; k < PD_RARITY_COUNT; k++)
    if ((uint64_t)r < upper[k])
      return (enum pd_rarity)k;
  return PD_RARITY_MYTHIC; /* not reached: upper[4] is 2^32 */
}

/* ---- reuse or create ---- */

uint64_t pd_rarity_reuse_threshold(const struct pd_rarity_config *cfg)
{
  double b = cfg->reuse_bias;
  if (!(b > 0))
    return 0;
  if (b >= 1)
    return (uint64_t)1 << 32;
  return (uint64_t)llround(b * TWO_32);
}

enum pd_rarity_source pd_rarity_decide_reuse(const struct pd_rarity_config *cfg, int64_t stock,
                                             uint32_t r)
{
  if (stock < cfg->min_stock_per_rarity || stock <= 0)
    return PD_RARITY_CREATE;
  return (uint64_t)r < pd_rarity_reuse_threshold(cfg) ? PD_RARITY_REUSE : PD_RARITY_CREATE;
}
