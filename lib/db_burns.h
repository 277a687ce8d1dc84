/* db_burns.h - selling copies back to the game: the duplicates /burn duplicates offers, and
 * the burn itself (the 'burns' account pays, the copies go 'gone'), in the caller's
 * transaction. */
#ifndef PD_DB_BURNS_H
#define PD_DB_BURNS_H

#include <stddef.h>
#include <stdint.h>

#include "copyref.h"
#include "db.h"
#include "packs.h"

/* At most this many copies burn in one /burn duplicates (the rest wait for the next one). */
#define PD_BURN_MAX 200

struct pd_burn_item {
  int64_t id; /* user_cards.id */
  char ref[PD_COPYREF_SIZE];
  char rarity[16];
  int64_t notes; /* what the game pays for it */
};

/* The owner's duplicates, locked FOR UPDATE, in id order (at most PD_BURN_MAX; *more gets how
 * many were left out): every free copy whose print number is above the lowest print number the
 * owner holds of that card in any state but 'gone' (locked, listed and trading copies count as
 * kept copies and are never offered).  rarity NULL: every rarity.  Caller frees *items. */
enum pd_result pd_db_burn_duplicates(struct pd_db *db, int64_t owner, const char *rarity,
                                     const struct pd_economy *ec, struct pd_burn_item **items,
                                     size_t *n, int64_t *more);

/* Burns the owner's free copies ids[0..n) as one operation: the 'burns' account pays notes
 * (the sum of their prices; none when 0) and each copy goes 'gone' with its card_moves row.
 * PD_E_CONFLICT when one of them is not the owner's free copy any more.  *op_id gets the
 * operation; new_notes (may be NULL) the owner's Notes after it. */
enum pd_result pd_db_burn(struct pd_db *db, int64_t owner, const int64_t *ids, size_t n,
                          int64_t notes, int64_t *op_id, int64_t *new_notes);

/* What the game pays for a copy of rarity (0 for an unknown rarity). */
int64_t pd_burn_notes(const struct pd_economy *ec, const char *rarity);

/* A digest of the copy ids, 32 hex characters: what a confirm button binds to. */
void pd_burn_digest(const int64_t *ids, size_t n, char out[33]);

#endif
