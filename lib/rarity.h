/* rarity.h - rarity odds: the configured distribution, image-kind reweighting, the draw
 * itself, and whether a draw reuses an existing card or creates a new one. */
#ifndef PD_RARITY_H
#define PD_RARITY_H

#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "pd.h"

enum pd_rarity {
  PD_RARITY_COMMON = 0,
  PD_RARITY_RARE,
  PD_RARITY_EPIC,
  PD_RARITY_LEGENDARY,
  PD_RARITY_MYTHIC,
  PD_RARITY_COUNT
};

/* "common", "rare", "epic", "legendary", "mythic" (card_templates.rarity); NULL outside. */
const char *pd_rarity_name(enum pd_rarity r);

/* Exact, case-sensitive inverse of pd_rarity_name; PD_E_INVALID otherwise. */
enum pd_result pd_rarity_parse(const char *s, enum pd_rarity *out);

/* The most a config may ask for in min_stock_per_rarity. */
#define PD_RARITY_MAX_MIN_STOCK 1000000

struct pd_rarity_config {
  double base[PD_RARITY_COUNT];                           /* weights >= 0, not all zero */
  double kind_multiplier[PD_KIND_COUNT][PD_RARITY_COUNT]; /* >= 0; 1 for kinds not listed */
  int64_t min_stock_per_rarity;                           /* 0..PD_RARITY_MAX_MIN_STOCK */
  double reuse_bias;                                      /* 0..1 */
};

/* Reads a rarity config (assets/rarity.json):
 *   {
 *     "base_weights":     {"common": 62, "rare": 23, "epic": 10, "legendary": 4, "mythic": 1},
 *     "kind_multipliers": {"red_carpet": {"common": 0.3, "rare": 0.8, "epic": 3, ...}, ...},
 *     "reuse":            {"min_stock_per_rarity": 5, "reuse_bias": 0.7}
 *   }
 * base_weights and reuse are required, with every key.  kind_multipliers is optional and
 * so is each kind in it (a kind not listed keeps its weights), but a listed kind must give
 * all five rarities.  Weights and multipliers are numbers >= 0; the base weights, and the
 * base times each kind's multipliers, must not all be zero.  Any object may carry a
 * "_comment"; every other key must be known.
 * On failure returns PD_E_INVALID (PD_E_IO if the file cannot be read, PD_E_NOMEM) and
 * writes one line to err naming the file and the JSON path, e.g.
 *   "assets/rarity.json: reuse.reuse_bias: must be between 0 and 1 (got 1.5)".
 * On success *out belongs to the caller (pd_rarity_config_free). */
enum pd_result pd_rarity_config_load(const char *path, struct pd_rarity_config **out, char *err,
                                     size_t errlen);

/* The same from JSON text; errors name only the JSON path. */
enum pd_result pd_rarity_config_parse(const char *json, struct pd_rarity_config **out, char *err,
                                      size_t errlen);

void pd_rarity_config_free(struct pd_rarity_config *cfg);

/* The exact odds for an image kind:
 *   out[r] = base[r] * kind_multiplier[kind][r] * boost[r] / (sum over r of the same)
 * boost is NULL or five multipliers >= 0 (an event's "+20% legendary" is 1.2 there).
 * PD_E_INVALID for a bad kind or boost, or when the product is zero everywhere. */
enum pd_result pd_rarity_probabilities(const struct pd_rarity_config *cfg, enum pd_kind kind,
                                       const double *boost, double out[PD_RARITY_COUNT]);

/* The draw maps a uniform 32-bit r onto rarities with integer thresholds:
 *   upper[k] = round(2^32 * (p[0] + ... + p[k]) / (p[0] + ... + p[4]))
 * except that a rarity with p == 0 gets no values (upper[k] = upper[k - 1]) and the last
 * rarity with p > 0 ends at 2^32.  Rarity k is drawn for upper[k - 1] <= r < upper[k]
 * (upper[-1] = 0), so its exact chance is (upper[k] - upper[k - 1]) / 2^32: that is what
 * pd_rarity_odds reports, and it is within 2^-32 of p[k] / sum.  Negative or NaN entries
 * count as 0; all zero draws common. */
void pd_rarity_thresholds(const double probs[PD_RARITY_COUNT], uint64_t upper[PD_RARITY_COUNT]);

/* The exact chance of each rarity under pd_rarity_sample, for publishing: sums to 1. */
void pd_rarity_odds(const double probs[PD_RARITY_COUNT], double out[PD_RARITY_COUNT]);

/* Draws with r from randombytes_random() (uniform over 0..2^32-1).  Deterministic in r. */
enum pd_rarity pd_rarity_sample(const double probs[PD_RARITY_COUNT], uint32_t r);

enum pd_rarity_source {
  PD_RARITY_CREATE, /* make a new card template from a fresh image */
  PD_RARITY_REUSE,  /* hand out an existing template of this rarity */
};

/* Values of r below this reuse: round(reuse_bias * 2^32), so 0 never and 1 always. */
uint64_t pd_rarity_reuse_threshold(const struct pd_rarity_config *cfg);

/* stock = templates already available for (era, rarity).  stock < min_stock_per_rarity
 * creates, and so does stock <= 0 (nothing to reuse) even when the minimum is 0; otherwise reuse
 * when r < pd_rarity_reuse_threshold(cfg), a Bernoulli draw with chance reuse_bias for a uniform r
 * (randombytes_random()). */
enum pd_rarity_source pd_rarity_decide_reuse(const struct pd_rarity_config *cfg, int64_t stock,
                                             uint32_t r);

#endif
