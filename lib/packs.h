/* packs.h - the game's packs, draws and cooldowns (assets/packs.json): validated at start
 * with clear errors, and the exact odds and the draw every pack open and /draw use, so what
 * /odds publishes is what the game does. */
#ifndef PD_PACKS_H
#define PD_PACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db_users.h"
#include "rarity.h"

#define PD_PACK_MAX_SIZE 5
#define PD_PACK_MAX_PRICES 3 /* one per currency */

struct pd_price {
  enum pd_currency currency;
  int64_t amount; /* 0 = free */
};

struct pd_pack {
  char id[32];   /* [a-z0-9-], what /openpack's option sends */
  char name[64]; /* what players read */
  int size;      /* cards offered, 1..PD_PACK_MAX_SIZE; the player keeps one */
  int free_per_day;
  /* What one open costs once the free ones are used, in any of these currencies (each at
   * most once, amounts >= 1); none: only the free opens. */
  struct pd_price prices[PD_PACK_MAX_PRICES];
  int nprices;
  double weights[PD_RARITY_COUNT];
  /* An event pack ("event": true): opened only while an event that offers it (events.pack)
   * runs where the player is, free once with /claim_event_pack, else at its prices. */
  bool event;
};

/* Real money (packs.json "bundles"): what a payment buys.  The bundle PD_BUNDLE_MEMBERSHIP is
 * the membership (its days; PAYMENT_SKUS maps a Discord subscription SKU to it). */
#define PD_BUNDLE_MEMBERSHIP "membership"
#define PD_BUNDLE_MAX_PRICES 4
struct pd_money {
  char currency[4]; /* ISO 4217, lowercase: "usd" */
  int64_t amount;   /* minor units: 499 = $4.99 */
};
/* amount of currency (ISO 4217, any case) as players read it: "4.99 USD", or "500 JPY" for the
 * currencies Stripe counts in whole units.  "" when currency is not three letters or amount < 0
 * (not known). */
void pd_money_text(int64_t amount, const char *currency, char *out, size_t len);

struct pd_bundle {
  char id[32];   /* [a-z0-9-], /buy_gems's choice and PAYMENT_SKUS's name */
  char name[64]; /* what players read */
  int64_t gems;  /* Gems it grants (0: none) */
  int64_t days;  /* days of membership it grants (0: none) */
  struct pd_money prices[PD_BUNDLE_MAX_PRICES]; /* the first is what Stripe Checkout charges */
  int nprices;
};

struct pd_tier {
  char role_id[24]; /* a Discord role */
  char name[64];
  double multiplier; /* cooldowns are multiplied by this, (0, 1] */
};

struct pd_event_boost {
  char event[128];                 /* events.name */
  double weights[PD_RARITY_COUNT]; /* multipliers while the event runs; 1 = unchanged */
};

/* The economy (packs.json "economy"): what burning pays, the market, trades, gifts,
 * exchange and data transfers. */
struct pd_economy {
  int64_t burn_notes[PD_RARITY_COUNT]; /* Notes the game pays for a burned copy, by rarity */
  int market_fee_bps;                  /* the sale fee in basis points: 500 = 5% */
  int64_t listing_days;                /* a listing expires after this and its copy returns */
  int64_t trade_expiry_s;              /* an open trade left this long expires */
  int64_t trade_confirm_delay_s;       /* confirming waits this long after any change */
  int gift_max_per_day;                /* gifts a player may give, and receive, per UTC day */
  int64_t gift_notes_per_day;          /* Notes a player may give, and receive, per UTC day */
  int64_t exchange_notes_per_disc;     /* Notes -> Discs rate */
  int64_t transfer_every_days;         /* /transfer_data at most once per this per account */
  int64_t transfer_accept_s;           /* the target must answer within this */
  int farm_one_way_per_day;            /* one-way transfers to one account that raise a flag */
  int64_t young_account_days;          /* accounts younger than this raise a flag */
};

struct pd_game_config {
  struct pd_pack *packs;
  size_t npacks;
  const struct pd_pack *default_pack;
  int draw_free_per_day;
  struct pd_price draw_price;
  double draw_weights[PD_RARITY_COUNT];
  int64_t openpack_cooldown_s, draw_cooldown_s;
  double booster_multiplier; /* for server boosters (member.premium_since set) */
  struct pd_tier *tiers;
  size_t ntiers;
  int64_t pack_expiry_s; /* how long a pack's buttons keep working */
  struct pd_event_boost *boosts;
  size_t nboosts;
  struct pd_economy economy;
  struct pd_bundle *bundles;
  size_t nbundles;
  double member_multiplier; /* cooldowns of an active member, (0, 1] (1: none configured) */
  int member_extra_opens;   /* free opens a day a member gets on top of each pack's */
  /* Collection points of one copy of each rarity, for /leaderboard (sql/025). */
  int64_t leaderboard_weights[PD_RARITY_COUNT];
};

/* Reads and validates; on failure one line in err naming the file and the JSON path, e.g.
 * "assets/packs.json: packs[1].size: must be 1 to 5 (got 9)".  PD_E_IO when unreadable. */
enum pd_result pd_game_config_load(const char *path, struct pd_game_config **out, char *err,
                                   size_t errlen);
enum pd_result pd_game_config_parse(const char *json, struct pd_game_config **out, char *err,
                                    size_t errlen);
void pd_game_config_free(struct pd_game_config *cfg);

const struct pd_pack *pd_game_pack(const struct pd_game_config *cfg, const char *id);
const struct pd_bundle *pd_game_bundle(const struct pd_game_config *cfg, const char *id);
const struct pd_event_boost *pd_game_event_boost(const struct pd_game_config *cfg,
                                                 const char *event);

/* The exact chance of each rarity for weights times boost (NULL: none), as pd_pack_draw
 * draws it (pd_rarity_odds over the same thresholds). */
void pd_pack_odds(const double weights[PD_RARITY_COUNT], const double *boost,
                  double out[PD_RARITY_COUNT]);
/* One rarity for a uniform 32-bit r (randombytes_random()). */
enum pd_rarity pd_pack_draw(const double weights[PD_RARITY_COUNT], const double *boost, uint32_t r);

/* base_s times the smallest multiplier the player has: booster_multiplier when boosting,
 * member_multiplier with an active membership, and each tier whose role is among role_ids;
 * rounded up, at least 1 s when base_s > 0. */
int64_t pd_game_cooldown_s(const struct pd_game_config *cfg, int64_t base_s, bool booster,
                           bool member, const char *const *role_ids, size_t nroles);

#endif
