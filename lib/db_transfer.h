/* db_transfer.h - /transfer_data: a whole account (balances, copies, cooldowns) moved to
 * another Discord account, and the pending requests waiting for the players' answers. */
#ifndef PD_DB_TRANSFER_H
#define PD_DB_TRANSFER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct pd_transfer {
  int64_t id;
  int64_t from_user;
  char from_discord[24];
  int64_t to_user; /* 0 until the target has an account */
  char to_discord[24];
  char mode[8];    /* "move" or "merge" */
  char status[12]; /* pending, done, cancelled, expired */
  bool expired;    /* past expires_at */
  int64_t expires_at;
  bool from_agreed, to_agreed;
};

/* When the player may next move data (a done transfer to or from either account within
 * days), or 0 when they may now.  b may be 0 (no account). */
enum pd_result pd_db_transfer_next(struct pd_db *db, int64_t a, int64_t b, int64_t days,
                                   int64_t *next);
/* Whether a or b (may be 0) is in an open trade: *who gets that player's id, or 0. */
enum pd_result pd_db_transfer_trading(struct pd_db *db, int64_t a, int64_t b, int64_t *who);
/* Whether the player has any PopDeck data: a balance, a copy (in any state) or a ledger row. */
enum pd_result pd_db_transfer_touched(struct pd_db *db, int64_t user, bool *touched);
/* The source's pending request (expired ones are closed first), or PD_E_NOTFOUND. */
enum pd_result pd_db_transfer_pending(struct pd_db *db, int64_t from, struct pd_transfer *out);
enum pd_result pd_db_transfer_insert(struct pd_db *db, int64_t from, int64_t to,
                                     const char *to_discord, const char *mode, bool from_agreed,
                                     int64_t accept_s, struct pd_transfer *out);
/* The request, locked for the transaction.  PD_E_NOTFOUND when there is none. */
enum pd_result pd_db_transfer_lock(struct pd_db *db, int64_t id, struct pd_transfer *out);
enum pd_result pd_db_transfer_agree(struct pd_db *db, int64_t id, bool from, bool to);
/* Closes a pending request as status; to_user, op_id (0: none) and detail (borrowed, may be
 * NULL) are recorded. */
enum pd_result pd_db_transfer_close(struct pd_db *db, int64_t id, const char *status,
                                    int64_t to_user, int64_t op_id, json_t *detail);

/* The move itself, in the caller's transaction with both players' rows locked: the source's
 * active listings are cancelled (their copies free again), every copy that is not gone moves
 * to the target with a card_moves row (kind 'transfer', op_id), and the source's running
 * cooldowns go to the target (the later expiry wins).  Balances move through db_ledger.h. */
struct pd_transfer_moved {
  int64_t listings, copies, cooldowns;
};
enum pd_result pd_db_transfer_move(struct pd_db *db, int64_t from, int64_t to, int64_t op_id,
                                   struct pd_transfer_moved *out);
/* The player's balances (notes, discs, gems), locked. */
enum pd_result pd_db_transfer_balances(struct pd_db *db, int64_t user, int64_t out[3]);

/* Closes requests past their time (the sweeper): *n gets how many. */
enum pd_result pd_db_transfer_expire(struct pd_db *db, int64_t *n);

#endif
