/* db_wishlist.h - wishlists (sql/023): a player's wished cards, artists and eras (at most
 * PD_WISHLIST_MAX), who wishes for a card, the notices a listing of a wished card leaves for
 * the wishlist_notify task, and the task's batch of due notices (one DM per player per hour). */
#ifndef PD_DB_WISHLIST_H
#define PD_DB_WISHLIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define PD_WISHLIST_MAX 50

/* kind: "card", "artist" or "era".  what: a card's public id, an artist's name, an era as its
 * suggestion value ("e:<id>") or its name.  *target gets the id the entry keeps (all_cards.id,
 * artists.id, eras.id) and label what players read; PD_E_NOTFOUND when nothing matches. */
enum pd_result pd_db_wish_resolve(struct pd_db *db, const char *kind, const char *what,
                                  int64_t *target, char *label, size_t cap);

/* Adds the wish.  PD_E_CONFLICT when it is already there, PD_E_TOOBIG when the player has
 * PD_WISHLIST_MAX already.  *count gets their entries (after it when added). */
enum pd_result pd_db_wish_add(struct pd_db *db, int64_t user_id, const char *kind, int64_t target,
                              int64_t *count);
/* Removes it; PD_E_NOTFOUND when it was not there. */
enum pd_result pd_db_wish_remove(struct pd_db *db, int64_t user_id, const char *kind,
                                 int64_t target);
/* The player's entries, oldest first (at most PD_WISHLIST_MAX): [{"kind", "label", "value"}]
 * with value what pd_db_wish_resolve takes back.  Caller owns. */
enum pd_result pd_db_wish_list(struct pd_db *db, int64_t user_id, json_t **out);

/* How many players wish for the card (by the card, its artist or its era, counted once). */
enum pd_result pd_db_wish_wanted_by(struct pd_db *db, int64_t card_id, int64_t *n);
/* Which of the n cards (all_cards ids) the player wishes for: wished[i] for ids[i]. */
enum pd_result pd_db_wish_marks(struct pd_db *db, int64_t user_id, const int64_t *ids, size_t n,
                                bool *wished);

/* In the listing's transaction: a notice for every player who wishes for the card, but the
 * seller.  *n (may be NULL) gets how many. */
enum pd_result pd_db_wish_listed(struct pd_db *db, int64_t listing_id, int64_t card_id,
                                 int64_t seller_id, int64_t *n);

/* The wishlist_notify task: takes the pending notices of up to limit players whose last
 * wishlist DM is an hour old or more (or who never had one), marks them told now, and returns
 * the notices [{"recipient": discord id, "notices": [{"card", "artist", "era", "rarity",
 * "price", "currency", "listing", "scope", "active"}...]}] (the oldest first).  Caller owns. */
enum pd_result pd_db_wish_due(struct pd_db *db, int limit, json_t **out);

#endif
