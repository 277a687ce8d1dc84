/* db_copies.h - owned copies (user_cards rows) and the one place each is: 'free', 'locked',
 * 'listed' (market escrow), 'trading' (trade escrow) or 'gone' (burned).  The database holds
 * the rule (sql/010): a listing or trade offer points at a copy in its state, so moving a
 * copy out of escrow means closing the listing or offer first, in the same transaction. */
#ifndef PD_DB_COPIES_H
#define PD_DB_COPIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "copyref.h"
#include "db.h"

struct pd_copy {
  int64_t id; /* user_cards.id */
  int64_t owner;
  int64_t card_id; /* all_cards.id (negative: a temporary card) */
  char public_id[32];
  int64_t print_no;
  char state[12];
  char rarity[16];
  char artist[128]; /* cut on a character boundary */
  char era[128];
  bool temporary;
  int64_t listing_id;        /* the active listing when state is 'listed', else 0 */
  int64_t trade_id;          /* the open trade when state is 'trading', else 0 */
  char ref[PD_COPYREF_SIZE]; /* PUBLIC_ID/PRINT */
};

/* The owner's copy ref (any state but 'gone'), locked FOR UPDATE until the transaction ends.
 * PD_E_NOTFOUND when the owner has no such copy. */
enum pd_result pd_db_copy_own(struct pd_db *db, int64_t owner, const struct pd_copyref *ref,
                              struct pd_copy *out);
/* The same by user_cards.id, whoever owns it (buttons carry ids). */
enum pd_result pd_db_copy_get(struct pd_db *db, int64_t copy_id, struct pd_copy *out);

/* Moves the owner's copy from state from to state to.  PD_E_CONFLICT when it is no longer in
 * state from (or no longer the owner's): someone else moved it first. */
enum pd_result pd_db_copy_set_state(struct pd_db *db, int64_t copy_id, int64_t owner,
                                    const char *from, const char *to);
/* Gives a 'free' copy (or one in state from, which must be released from its escrow first) to
 * another player as part of operation op_id, and records the move (card_moves, kind).  It
 * arrives 'free'.  to = 0 burns it (state 'gone').  PD_E_CONFLICT when it is not the owner's
 * in state from any more. */
enum pd_result pd_db_copy_give(struct pd_db *db, int64_t copy_id, int64_t owner, const char *from,
                               int64_t to, int64_t op_id, const char *kind);

/* Copies by state for /profile and /balance. */
struct pd_copy_counts {
  int64_t free_, locked, listed, trading;
};
enum pd_result pd_db_copy_counts(struct pd_db *db, int64_t owner, struct pd_copy_counts *out);

/* Autocomplete over the owner's copies (never 'gone'): up to 25 {"name", "value"} choices
 * whose ref, artist or era matches typed, copies in state prefer first (then free ones), each
 * named "REF · Artist · Era · rarity (state)" with the ref as value. */
enum pd_result pd_db_copy_suggest(struct pd_db *db, int64_t owner, const char *typed,
                                  const char *prefer, json_t **choices);

#endif
