/* draw.h - what /openpack, /draw and the shop share: paying (a free allotment first, then the
 * price), the event boost running now, and drawing cards of the drawn rarities from the catalog. */
#ifndef PD_DRAW_H
#define PD_DRAW_H

#include "commands.h"
#include "db_users.h"
#include "packs.h"

/* The product of the boosts of every event running now that players in guild see (NULL in DMs:
 * the global events only): each event's own multipliers (events.boosts, /admin event create)
 * and the game config's event_boosts of its name; 1 everywhere when none.  events gets the
 * names of the events that boost, comma-separated ("" when none). */
enum pd_result pd_draw_boost(struct pd_db *db, const struct pd_game_config *g, const char *guild,
                             double boost[PD_RARITY_COUNT], char *events, size_t eventslen);

/* Multiplies boost by one event's: its row's multipliers (row: events.boosts as JSON, may be
 * NULL) and the game config's event_boosts of its name.  Whether it boosts anything. */
bool pd_draw_event_boost(const struct pd_game_config *g, const char *name, json_t *row,
                         double boost[PD_RARITY_COUNT]);

/* What /odds prints for a pack's weights w under boost (NULL: none), one rarity a line, rarest
 * first: "Mythic: **2.0000%** (usually 1.0000%)".  changed_only: only the rarities the boost
 * changes (/events).  Cut at cap. */
void pd_odds_text(const double w[PD_RARITY_COUNT], const double *boost, bool changed_only,
                  char *text, size_t cap);

/* n distinct cards (when the catalog has that many) for a player in guild (NULL in DMs: a
 * server's event's cards are drawn only there), each of a rarity drawn with weights and boost;
 * a rarity with no card at all falls to the nearest rarity below (then above) that has one.
 * Randomness from libsodium.  With made (a JSON array), a drawn card may be replaced by a new
 * card of the same rarity and era made from an unused image (reuse versus create,
 * assets/rarity.json's "reuse"): its public id is appended to made, and the card is drawn by
 * the worker before the follow-up goes out (put made in the follow-up's attach as "render").
 * NULL made: existing cards only. */
enum pd_result pd_draw_cards(const struct pd_app *app, struct pd_db *db, const char *guild,
                             const double weights[PD_RARITY_COUNT], const double *boost, size_t n,
                             int64_t *template_ids, const char **rarities, json_t *made);

/* Pays for one open of what: a free allotment of today when one is left, else one of prices
 * (nprices of them; an amount of 0 is free): the one in currency want when want >= 0, else
 * the first the player can afford.  When the player cannot pay, answers the player (ctx) and
 * returns PD_E_USER.  *currency (NULL when free) and *amount say what was paid. */
enum pd_result pd_draw_pay(struct pd_ctx *ctx, struct pd_db *db, struct pd_player *p,
                           const char *what, const char *label, int free_per_day,
                           const struct pd_price *prices, int nprices, int want,
                           const char **currency, int64_t *amount);

/* /openpack's work, which the shop's buttons run too: pays for pack (want as pd_draw_pay),
 * starts the cooldown, draws and records the cards, and answers with the pack message. */
enum pd_result pd_openpack_run(struct pd_ctx *ctx, const struct pd_pack *pack, int want);
/* The paid-for (or free: currency NULL, amount 0) part of an open: draws pack's cards with the
 * boosts running where the player is, records the pack, and answers with the pack message.
 * *pack_id (may be NULL) gets the pack's id. */
enum pd_result pd_openpack_deal(struct pd_ctx *ctx, struct pd_db *db, const struct pd_pack *pack,
                                const char *currency, int64_t amount, int64_t *pack_id);

/* "Notes", "Discs", "Gems". */
const char *pd_currency_label(enum pd_currency c);

/* The cooldown seconds this player waits for base_s (booster, membership and role tiers
 * applied). */
int64_t pd_draw_cooldown(const struct pd_ctx *ctx, int64_t base_s);

/* Whether the player (ctx->player, loaded for PD_CMD_PLAYER commands) is a member now. */
bool pd_draw_member(const struct pd_ctx *ctx);
/* Free opens a day of pack k for this player: a member gets the membership's extra opens of
 * every pack that has free ones (a pack sold only for Gems stays sold). */
int pd_draw_free_opens(const struct pd_ctx *ctx, const struct pd_pack *k);

#endif
