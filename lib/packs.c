/* packs.c - assets/packs.json, pack odds and draws, cooldown reductions. */
#include "packs.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgerr.h"

#define MAX_PRICE 1000000000LL
#define MAX_COOLDOWN_S (7 * 86400)

static enum pd_result integer(json_t *obj, const char *key, const char *path, int64_t lo,
                              int64_t hi, int64_t *out, const struct pd_cfgerr *e)
{
  json_t *v = json_object_get(obj, key);
  const char *dot = path[0] != '\0' ? "." : "";
  if (v == NULL)
    return pd_cfg_fail(e, "%s%s%s: missing", path, dot, key);
  if (!json_is_integer(v))
    return pd_cfg_fail(e, "%s%s%s: must be a whole number from %lld to %lld", path, dot, key,
                       (long long)lo, (long long)hi);
  if (json_integer_value(v) < lo || json_integer_value(v) > hi)
    return pd_cfg_fail(e, "%s%s%s: must be a whole number from %lld to %lld (got %lld)", path, dot,
                       key, (long long)lo, (long long)hi, (long long)json_integer_value(v));
  *out = json_integer_value(v);
  return PD_OK;
}

static enum pd_result text(json_t *obj, const char *key, const char *path, char *out, size_t outlen,
                           const struct pd_cfgerr *e)
{
  const char *s = json_string_value(json_object_get(obj, key));
  if (s == NULL)
    return pd_cfg_fail(e, "%s.%s: must be a string", path, key);
  if (s[0] == '\0' || strlen(s) >= outlen)
    return pd_cfg_fail(e, "%s.%s: must be 1 to %zu bytes", path, key, outlen - 1);
  snprintf(out, outlen, "%s", s);
  return PD_OK;
}

/* All five rarities (partial: only those listed, the others staying as they are). */
static enum pd_result weights(json_t *obj, const char *path, bool partial,
                              double out[PD_RARITY_COUNT], const struct pd_cfgerr *e)
{
  const char *key;
  json_t *v;
  double sum = 0;
  if (!json_is_object(obj))
    return pd_cfg_fail(e, "%s: must be an object of rarity weights", path);
  json_object_foreach(obj, key, v)
  {
    enum pd_rarity r;
    if (strcmp(key, "_comment") == 0)
      continue;
    if (pd_rarity_parse(key, &r) != PD_OK)
      return pd_cfg_fail(e, "%s.%.64s: unknown rarity", path, key);
    if (!json_is_number(v) || !(json_number_value(v) >= 0) || json_number_value(v) > 1e6)
      return pd_cfg_fail(e, "%s.%s: must be a number from 0 to 1000000", path, key);
    out[r] = json_number_value(v);
  }
  for (int r = 0; r < PD_RARITY_COUNT; r++) {
    if (!partial && json_object_get(obj, pd_rarity_name((enum pd_rarity)r)) == NULL)
      return pd_cfg_fail(e, "%s.%s: missing", path, pd_rarity_name((enum pd_rarity)r));
    sum += out[r];
  }
  return sum > 0 ? PD_OK : pd_cfg_fail(e, "%s: every rarity has weight 0", path);
}

/* One price object at path p; amounts from min_amount (0: a free price needs no currency). */
static enum pd_result price_at(json_t *obj, const char *p, int64_t min_amount, struct pd_price *out,
                               const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"currency", "amount", NULL};
  int64_t amount = 0;
  enum pd_result rc = pd_cfg_known_keys(obj, p, keys, e);
  if (rc == PD_OK)
    rc = integer(obj, "amount", p, min_amount, MAX_PRICE, &amount, e);
  if (rc != PD_OK)
    return rc;
  json_t *cj = json_object_get(obj, "currency");
  const char *cur = json_string_value(cj);
  out->amount = amount;
  if (cj == NULL && amount == 0)
    return PD_OK; /* free: no currency needed */
  for (int c = PD_NOTES; c <= PD_GEMS; c++)
    if (cur != NULL && strcmp(cur, pd_currency_name((enum pd_currency)c)) == 0) {
      out->currency = (enum pd_currency)c;
      return PD_OK;
    }
  return pd_cfg_fail(e, "%s.currency: must be notes, discs or gems", p);
}

static enum pd_result price(json_t *obj, const char *path, struct pd_price *out,
                            const struct pd_cfgerr *e)
{
  char p[96];
  snprintf(p, sizeof(p), "%s.price", path);
  return price_at(obj, p, 0, out, e);
}

/* A pack's "prices": up to one per currency, each at least 1 (free opens are the allotment). */
static enum pd_result prices(json_t *list, const char *path, struct pd_pack *k,
                             const struct pd_cfgerr *e)
{
  size_t i;
  json_t *v;
  if (!json_is_array(list) || json_array_size(list) > PD_PACK_MAX_PRICES)
    return pd_cfg_fail(e, "%s.prices: must be an array of at most %d prices", path,
                       PD_PACK_MAX_PRICES);
  json_array_foreach(list, i, v)
  {
    char p[96];
    snprintf(p, sizeof(p), "%s.prices[%zu]", path, i);
    enum pd_result rc = price_at(v, p, 1, &k->prices[i], e);
    if (rc != PD_OK)
      return rc;
    for (size_t j = 0; j < i; j++)
      if (k->prices[j].currency == k->prices[i].currency)
        return pd_cfg_fail(e, "%s.currency: %s is already prices[%zu]", p,
                           pd_currency_name(k->prices[i].currency), j);
    k->nprices++;
  }
  return PD_OK;
}

static bool id_ok(const char *s)
{
  for (; *s != '\0'; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
      return false;
  return true;
}

static bool snowflake(const char *s)
{
  size_t n = strlen(s);
  if (n < 17 || n > 20)
    return false;
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

static enum pd_result read_packs(json_t *list, struct pd_game_config *g, const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"id",     "name",    "size",  "free_per_day",
                                     "prices", "weights", "event", NULL};
  size_t i;
  json_t *p;
  if (!json_is_array(list) || json_array_size(list) == 0)
    return pd_cfg_fail(e, "packs: must be a non-empty array");
  g->packs = calloc(json_array_size(list), sizeof(*g->packs));
  if (g->packs == NULL)
    return PD_E_NOMEM;
  json_array_foreach(list, i, p)
  {
    char path[32], wpath[48];
    int64_t v = 0;
    struct pd_pack *k = &g->packs[i];
    snprintf(path, sizeof(path), "packs[%zu]", i);
    snprintf(wpath, sizeof(wpath), "%s.weights", path);
    enum pd_result rc = pd_cfg_known_keys(p, path, keys, e);
    if (rc == PD_OK)
      rc = text(p, "id", path, k->id, sizeof(k->id), e);
    if (rc == PD_OK && !id_ok(k->id))
      rc = pd_cfg_fail(e, "%s.id: only a-z, 0-9 and '-' (got \"%s\")", path, k->id);
    for (size_t j = 0; rc == PD_OK && j < i; j++)
      if (strcmp(g->packs[j].id, k->id) == 0)
        rc = pd_cfg_fail(e, "%s.id: \"%s\" is already packs[%zu]", path, k->id, j);
    if (rc == PD_OK)
      rc = text(p, "name", path, k->name, sizeof(k->name), e);
    if (rc == PD_OK && (rc = integer(p, "size", path, 1, PD_PACK_MAX_SIZE, &v, e)) == PD_OK)
      k->size = (int)v;
    if (rc == PD_OK && (rc = integer(p, "free_per_day", path, 0, 1000, &v, e)) == PD_OK)
      k->free_per_day = (int)v;
    if (rc == PD_OK)
      rc = prices(json_object_get(p, "prices"), path, k, e);
    if (rc == PD_OK)
      rc = weights(json_object_get(p, "weights"), wpath, false, k->weights, e);
    json_t *ev = json_object_get(p, "event");
    if (rc == PD_OK && ev != NULL && !json_is_boolean(ev))
      rc = pd_cfg_fail(e, "%s.event: must be true or false", path);
    k->event = json_is_true(ev);
    if (rc != PD_OK)
      return rc;
    g->npacks++;
  }
  return PD_OK;
}

static enum pd_result read_cooldowns(json_t *c, struct pd_game_config *g, const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"openpack_s", "draw_s", "booster_multiplier", "tiers", NULL};
  static const char *const tkeys[] = {"role_id", "name", "multiplier", NULL};
  enum pd_result rc = pd_cfg_known_keys(c, "cooldowns", keys, e);
  if (rc == PD_OK)
    rc = integer(c, "openpack_s", "cooldowns", 0, MAX_COOLDOWN_S, &g->openpack_cooldown_s, e);
  if (rc == PD_OK)
    rc = integer(c, "draw_s", "cooldowns", 0, MAX_COOLDOWN_S, &g->draw_cooldown_s, e);
  if (rc != PD_OK)
    return rc;
  json_t *b = json_object_get(c, "booster_multiplier");
  if (!json_is_number(b) || !(json_number_value(b) > 0 && json_number_value(b) <= 1))
    return pd_cfg_fail(e, "cooldowns.booster_multiplier: must be a number above 0 and at most 1");
  g->booster_multiplier = json_number_value(b);
  json_t *tiers = json_object_get(c, "tiers");
  if (tiers == NULL)
    return PD_OK;
  if (!json_is_array(tiers))
    return pd_cfg_fail(e, "cooldowns.tiers: must be an array");
  g->tiers = calloc(json_array_size(tiers) + 1, sizeof(*g->tiers));
  if (g->tiers == NULL)
    return PD_E_NOMEM;
  size_t i;
  json_t *t;
  json_array_foreach(tiers, i, t)
  {
    char path[40];
    struct pd_tier *k = &g->tiers[i];
    snprintf(path, sizeof(path), "cooldowns.tiers[%zu]", i);
    rc = pd_cfg_known_keys(t, path, tkeys, e);
    if (rc == PD_OK)
      rc = text(t, "role_id", path, k->role_id, sizeof(k->role_id), e);
    if (rc == PD_OK && !snowflake(k->role_id))
      rc = pd_cfg_fail(e, "%s.role_id: must be a Discord id (17 to 20 digits)", path);
    if (rc == PD_OK)
      rc = text(t, "name", path, k->name, sizeof(k->name), e);
    json_t *m = json_object_get(t, "multiplier");
    if (rc == PD_OK &&
        (!json_is_number(m) || !(json_number_value(m) > 0 && json_number_value(m) <= 1)))
      rc = pd_cfg_fail(e, "%s.multiplier: must be a number above 0 and at most 1", path);
    if (rc != PD_OK)
      return rc;
    k->multiplier = json_number_value(m);
    g->ntiers++;
  }
  return PD_OK;
}

static enum pd_result read_boosts(json_t *list, struct pd_game_config *g, const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"event", "weights", NULL};
  size_t i;
  json_t *b;
  if (list == NULL)
    return PD_OK;
  if (!json_is_array(list))
    return pd_cfg_fail(e, "event_boosts: must be an array");
  g->boosts = calloc(json_array_size(list) + 1, sizeof(*g->boosts));
  if (g->boosts == NULL)
    return PD_E_NOMEM;
  json_array_foreach(list, i, b)
  {
    char path[40], wpath[56];
    struct pd_event_boost *k = &g->boosts[i];
    snprintf(path, sizeof(path), "event_boosts[%zu]", i);
    snprintf(wpath, sizeof(wpath), "%s.weights", path);
    for (int r = 0; r < PD_RARITY_COUNT; r++)
      k->weights[r] = 1;
    enum pd_result rc = pd_cfg_known_keys(b, path, keys, e);
    if (rc == PD_OK)
      rc = text(b, "event", path, k->event, sizeof(k->event), e);
    for (size_t j = 0; rc == PD_OK && j < i; j++)
      if (strcmp(g->boosts[j].event, k->event) == 0)
        rc = pd_cfg_fail(e, "%s.event: \"%s\" is boosted twice", path, k->event);
    if (rc == PD_OK)
      rc = weights(json_object_get(b, "weights"), wpath, true, k->weights, e);
    if (rc != PD_OK)
      return rc;
    g->nboosts++;
  }
  return PD_OK;
}

static enum pd_result read_economy(json_t *x, struct pd_economy *ec, const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"burn_notes",
                                     "market_fee_bps",
                                     "listing_days",
                                     "trade_expiry_s",
                                     "trade_confirm_delay_s",
                                     "gift_max_per_day",
                                     "gift_notes_per_day",
                                     "exchange_notes_per_disc",
                                     "transfer_every_days",
                                     "transfer_accept_s",
                                     "farm_one_way_per_day",
                                     "young_account_days",
                                     NULL};
  static const char *const rkeys[] = {"common", "rare", "epic", "legendary", "mythic", NULL};
  int64_t v = 0;
  if (x == NULL)
    return pd_cfg_fail(e, "economy: missing");
  enum pd_result rc = pd_cfg_known_keys(x, "economy", keys, e);
  json_t *burn = json_object_get(x, "burn_notes");
  if (rc == PD_OK && burn == NULL)
    return pd_cfg_fail(e, "economy.burn_notes: missing");
  if (rc == PD_OK)
    rc = pd_cfg_known_keys(burn, "economy.burn_notes", rkeys, e);
  for (int r = 0; rc == PD_OK && r < PD_RARITY_COUNT; r++)
    rc = integer(burn, pd_rarity_name((enum pd_rarity)r), "economy.burn_notes", 0, 1000000000,
                 &ec->burn_notes[r], e);
  if (rc == PD_OK && (rc = integer(x, "market_fee_bps", "economy", 0, 5000, &v, e)) == PD_OK)
    ec->market_fee_bps = (int)v;
  if (rc == PD_OK)
    rc = integer(x, "listing_days", "economy", 1, 90, &ec->listing_days, e);
  if (rc == PD_OK)
    rc = integer(x, "trade_expiry_s", "economy", 60, 86400, &ec->trade_expiry_s, e);
  if (rc == PD_OK)
    rc = integer(x, "trade_confirm_delay_s", "economy", 0, 60, &ec->trade_confirm_delay_s, e);
  if (rc == PD_OK && (rc = integer(x, "gift_max_per_day", "economy", 0, 10000, &v, e)) == PD_OK)
    ec->gift_max_per_day = (int)v;
  if (rc == PD_OK)
    rc = integer(x, "gift_notes_per_day", "economy", 0, 1000000000, &ec->gift_notes_per_day, e);
  if (rc == PD_OK)
    rc = integer(x, "exchange_notes_per_disc", "economy", 1, 1000000000,
                 &ec->exchange_notes_per_disc, e);
  if (rc == PD_OK)
    rc = integer(x, "transfer_every_days", "economy", 0, 365, &ec->transfer_every_days, e);
  if (rc == PD_OK)
    rc = integer(x, "transfer_accept_s", "economy", 60, 86400, &ec->transfer_accept_s, e);
  if (rc == PD_OK && (rc = integer(x, "farm_one_way_per_day", "economy", 1, 10000, &v, e)) == PD_OK)
    ec->farm_one_way_per_day = (int)v;
  if (rc == PD_OK)
    rc = integer(x, "young_account_days", "economy", 0, 365, &ec->young_account_days, e);
  return rc;
}

/* "bundles": what real money buys (Gems, or the membership's days), each with its prices in
 * money's minor units by ISO currency: {"usd": 499}. */
static enum pd_result read_bundles(json_t *list, struct pd_game_config *g,
                                   const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"id", "name", "gems", "days", "prices", NULL};
  size_t i;
  json_t *b;
  if (list == NULL)
    return PD_OK;
  if (!json_is_array(list))
    return pd_cfg_fail(e, "bundles: must be an array");
  g->bundles = calloc(json_array_size(list) + 1, sizeof(*g->bundles));
  if (g->bundles == NULL)
    return PD_E_NOMEM;
  json_array_foreach(list, i, b)
  {
    char path[32];
    struct pd_bundle *k = &g->bundles[i];
    snprintf(path, sizeof(path), "bundles[%zu]", i);
    enum pd_result rc = pd_cfg_known_keys(b, path, keys, e);
    if (rc == PD_OK)
      rc = text(b, "id", path, k->id, sizeof(k->id), e);
    if (rc == PD_OK && !id_ok(k->id))
      rc = pd_cfg_fail(e, "%s.id: only a-z, 0-9 and '-' (got \"%s\")", path, k->id);
    for (size_t j = 0; rc == PD_OK && j < i; j++)
      if (strcmp(g->bundles[j].id, k->id) == 0)
        rc = pd_cfg_fail(e, "%s.id: \"%s\" is already bundles[%zu]", path, k->id, j);
    if (rc == PD_OK)
      rc = text(b, "name", path, k->name, sizeof(k->name), e);
    if (rc == PD_OK)
      rc = integer(b, "gems", path, 0, 1000000, &k->gems, e);
    if (rc == PD_OK && json_object_get(b, "days") != NULL)
      rc = integer(b, "days", path, 1, 366, &k->days, e);
    if (rc == PD_OK && strcmp(k->id, PD_BUNDLE_MEMBERSHIP) == 0 && k->days == 0)
      rc = pd_cfg_fail(e, "%s.days: the membership needs its length in days", path);
    if (rc == PD_OK && k->gems == 0 && k->days == 0)
      rc = pd_cfg_fail(e, "%s: a bundle gives Gems, days of membership, or both", path);
    if (rc != PD_OK)
      return rc;
    json_t *pr = json_object_get(b, "prices");
    const char *cur;
    json_t *amt;
    if (!json_is_object(pr) || json_object_size(pr) == 0 ||
        json_object_size(pr) > PD_BUNDLE_MAX_PRICES)
      return pd_cfg_fail(e, "%s.prices: must be an object of 1 to %d prices, {\"usd\": 499}", path,
                         PD_BUNDLE_MAX_PRICES);
    json_object_foreach(pr, cur, amt)
    {
      struct pd_money *m = &k->prices[k->nprices];
      bool iso = strlen(cur) == 3;
      for (size_t c = 0; iso && c < 3; c++)
        iso = cur[c] >= 'a' && cur[c] <= 'z';
      if (!iso)
        return pd_cfg_fail(e, "%s.prices.%.16s: a currency is three lowercase letters (ISO 4217)",
                           path, cur);
      if ((rc = integer(pr, cur, path, 1, 100000000, &m->amount, e)) != PD_OK)
        return rc;
      memcpy(m->currency, cur, 4);
      k->nprices++;
    }
    g->nbundles++;
  }
  return PD_OK;
}

/* "leaderboard": the collection points of one copy of each rarity (/leaderboard by:collection).
 * Optional: without it a copy is worth 1, 3, 10, 30 and 100 points, common to mythic. */
static enum pd_result read_leaderboard(json_t *lb, struct pd_game_config *g,
                                       const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"collection_weights", NULL};
  static const char *const rkeys[] = {"common", "rare", "epic", "legendary", "mythic", NULL};
  static const int64_t defaults[PD_RARITY_COUNT] = {1, 3, 10, 30, 100};
  memcpy(g->leaderboard_weights, defaults, sizeof(defaults));
  if (lb == NULL)
    return PD_OK;
  enum pd_result rc = pd_cfg_known_keys(lb, "leaderboard", keys, e);
  json_t *w = json_object_get(lb, "collection_weights");
  if (rc == PD_OK && w == NULL)
    return pd_cfg_fail(e, "leaderboard.collection_weights: missing");
  if (rc == PD_OK)
    rc = pd_cfg_known_keys(w, "leaderboard.collection_weights", rkeys, e);
  for (int r = 0; rc == PD_OK && r < PD_RARITY_COUNT; r++)
    rc = integer(w, pd_rarity_name((enum pd_rarity)r), "leaderboard.collection_weights", 0, 1000000,
                 &g->leaderboard_weights[r], e);
  return rc;
}

/* "membership": what an active membership changes.  Convenience only: never the odds. */
static enum pd_result read_membership(json_t *m, struct pd_game_config *g,
                                      const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"cooldown_multiplier", "extra_free_opens", NULL};
  g->member_multiplier = 1;
  if (m == NULL)
    return PD_OK;
  enum pd_result rc = pd_cfg_known_keys(m, "membership", keys, e);
  int64_t v = 0;
  if (rc == PD_OK && (rc = integer(m, "extra_free_opens", "membership", 0, 100, &v, e)) == PD_OK)
    g->member_extra_opens = (int)v;
  if (rc != PD_OK)
    return rc;
  json_t *x = json_object_get(m, "cooldown_multiplier");
  if (!json_is_number(x) || !(json_number_value(x) > 0 && json_number_value(x) <= 1))
    return pd_cfg_fail(e, "membership.cooldown_multiplier: must be a number above 0 and at most 1");
  g->member_multiplier = json_number_value(x);
  return PD_OK;
}

static enum pd_result read_game(json_t *root, struct pd_game_config *g, const struct pd_cfgerr *e)
{
  static const char *const keys[] = {"default_pack",  "packs",        "draw",    "cooldowns",
                                     "pack_expiry_s", "event_boosts", "economy", "bundles",
                                     "membership",    "leaderboard",  NULL};
  static const char *const dkeys[] = {"free_per_day", "price", "weights", NULL};
  int64_t v = 0;
  enum pd_result rc = pd_cfg_known_keys(root, "", keys, e);
  if (rc == PD_OK)
    rc = read_packs(json_object_get(root, "packs"), g, e);
  if (rc != PD_OK)
    return rc;
  const char *def = json_string_value(json_object_get(root, "default_pack"));
  if (def == NULL || (g->default_pack = pd_game_pack(g, def)) == NULL)
    return pd_cfg_fail(e, "default_pack: must name one of the packs");
  if (g->default_pack->event)
    return pd_cfg_fail(
        e, "default_pack: \"%s\" is an event pack, openable only while its event runs", def);
  json_t *d = json_object_get(root, "draw");
  if (d == NULL)
    return pd_cfg_fail(e, "draw: missing");
  rc = pd_cfg_known_keys(d, "draw", dkeys, e);
  if (rc == PD_OK && (rc = integer(d, "free_per_day", "draw", 0, 1000, &v, e)) == PD_OK)
    g->draw_free_per_day = (int)v;
  if (rc == PD_OK)
    rc = price(json_object_get(d, "price"), "draw", &g->draw_price, e);
  if (rc == PD_OK)
    rc = weights(json_object_get(d, "weights"), "draw.weights", false, g->draw_weights, e);
  if (rc != PD_OK)
    return rc;
  json_t *c = json_object_get(root, "cooldowns");
  if (c == NULL)
    return pd_cfg_fail(e, "cooldowns: missing");
  rc = read_cooldowns(c, g, e);
  if (rc == PD_OK)
    rc = integer(root, "pack_expiry_s", "", 60, 3600, &g->pack_expiry_s, e);
  if (rc == PD_OK)
    rc = read_boosts(json_object_get(root, "event_boosts"), g, e);
  if (rc == PD_OK)
    rc = read_economy(json_object_get(root, "economy"), &g->economy, e);
  if (rc == PD_OK)
    rc = read_bundles(json_object_get(root, "bundles"), g, e);
  if (rc == PD_OK)
    rc = read_membership(json_object_get(root, "membership"), g, e);
  if (rc == PD_OK)
    rc = read_leaderboard(json_object_get(root, "leaderboard"), g, e);
  return rc;
}

static enum pd_result finish(json_t *root, const json_error_t *jerr, struct pd_game_config **out,
                             const struct pd_cfgerr *e)
{
  if (root == NULL) {
    if (json_error_code(jerr) == json_error_cannot_open_file) {
      pd_cfg_fail(e, "%s", jerr->text);
      return PD_E_IO;
    }
    return pd_cfg_fail(e, "line %d, column %d: %s", jerr->line, jerr->column, jerr->text);
  }
  struct pd_game_config *g = calloc(1, sizeof(*g));
  enum pd_result rc = g != NULL ? read_game(root, g, e) : PD_E_NOMEM;
  json_decref(root);
  if (rc != PD_OK) {
    pd_game_config_free(g);
    return rc;
  }
  *out = g;
  return PD_OK;
}

enum pd_result pd_game_config_load(const char *path, struct pd_game_config **out, char *err,
                                   size_t errlen)
{
  struct pd_cfgerr e = {err, errlen, path};
  json_error_t jerr;
  return finish(json_load_file(path, JSON_REJECT_DUPLICATES, &jerr), &jerr, out, &e);
}

enum pd_result pd_game_config_parse(const char *json, struct pd_game_config **out, char *err,
                                    size_t errlen)
{
  struct pd_cfgerr e = {err, errlen, NULL};
  json_error_t jerr;
  return finish(json_loads(json, JSON_REJECT_DUPLICATES, &jerr), &jerr, out, &e);
}

void pd_game_config_free(struct pd_game_config *g)
{
  if (g == NULL)
    return;
  free(g->packs);
  free(g->tiers);
  free(g->boosts);
  free(g->bundles);
  free(g);
}

const struct pd_pack *pd_game_pack(const struct pd_game_config *g, const char *id)
{
  for (size_t i = 0; id != NULL && i < g->npacks; i++)
    if (strcmp(g->packs[i].id, id) == 0)
      return &g->packs[i];
  return NULL;
}

void pd_money_text(int64_t amount, const char *currency, char *out, size_t len)
{
  /* Stripe's zero-decimal currencies: their minor unit is the whole unit. */
  static const char *const whole[] = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga",
                                      "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"};
  char lower[4] = "", upper[4] = "";
  out[0] = '\0';
  if (amount < 0 || currency == NULL || strlen(currency) != 3)
    return;
  for (int i = 0; i < 3; i++) {
    char ch = currency[i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
      return;
    lower[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    upper[i] = (char)(lower[i] - 32);
  }
  bool zero = false;
  for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
    zero = zero || strcmp(lower, whole[i]) == 0;
  if (zero)
    snprintf(out, len, "%" PRId64 " %s", amount, upper);
  else
    snprintf(out, len, "%" PRId64 ".%02" PRId64 " %s", amount / 100, amount % 100, upper);
}

const struct pd_bundle *pd_game_bundle(const struct pd_game_config *g, const char *id)
{
  for (size_t i = 0; id != NULL && i < g->nbundles; i++)
    if (strcmp(g->bundles[i].id, id) == 0)
      return &g->bundles[i];
  return NULL;
}

const struct pd_event_boost *pd_game_event_boost(const struct pd_game_config *g, const char *event)
{
  for (size_t i = 0; event != NULL && i < g->nboosts; i++)
    if (strcmp(g->boosts[i].event, event) == 0)
      return &g->boosts[i];
  return NULL;
}

static void boosted(const double weights[PD_RARITY_COUNT], const double *boost,
                    double out[PD_RARITY_COUNT])
{
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    out[r] = weights[r] * (boost != NULL ? boost[r] : 1);
}

void pd_pack_odds(const double weights[PD_RARITY_COUNT], const double *boost,
                  double out[PD_RARITY_COUNT])
{
  double w[PD_RARITY_COUNT];
  boosted(weights, boost, w);
  pd_rarity_odds(w, out);
}

enum pd_rarity pd_pack_draw(const double weights[PD_RARITY_COUNT], const double *boost, uint32_t r)
{
  double w[PD_RARITY_COUNT];
  boosted(weights, boost, w);
  return pd_rarity_sample(w, r);
}

int64_t pd_game_cooldown_s(const struct pd_game_config *g, int64_t base_s, bool booster,
                           bool member, const char *const *role_ids, size_t nroles)
{
  double m = booster ? g->booster_multiplier : 1;
  if (member && g->member_multiplier < m)
    m = g->member_multiplier;
  if (base_s <= 0)
    return 0;
  for (size_t t = 0; t < g->ntiers; t++)
    for (size_t i = 0; i < nroles; i++)
      if (role_ids[i] != NULL && strcmp(role_ids[i], g->tiers[t].role_id) == 0 &&
          g->tiers[t].multiplier < m)
        m = g->tiers[t].multiplier;
  int64_t s = (int64_t)ceil((double)base_s * m - 1e-9);
  return s < 1 ? 1 : s;
}
