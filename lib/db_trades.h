/* db_trades.h - trades between two players (sql/010: trades, trade_players, trade_cards): the
 * offer of each side (escrowed copies and currency amounts), its version and confirmations,
 * and closing a trade with its escrow released.
 *
 * Every function that changes a trade expects its row locked first (pd_db_trade_of or
 * pd_db_trade_get with lock), so two changes to one trade never interleave. */
#ifndef PD_DB_TRADES_H
#define PD_DB_TRADES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "copyref.h"
#include "db.h"

/* A trade's sides: the player who started it (a) and the one asked (b). */
enum { PD_TRADE_A = 0, PD_TRADE_B = 1 };

/* The most copies one side may offer in a trade (the trade message lists them all). */
#define PD_TRADE_MAX_COPIES 10

struct pd_trade {
  int64_t id;
  int64_t user[2];       /* users.id of a and b */
  char discord[2][24];   /* their Discord ids */
  char status[12];       /* 'open','done','cancelled','expired','failed' */
  int64_t version;       /* counts changes to the offer, from 1 */
  int64_t confirmed[2];  /* the version each side confirmed, 0: none */
  int64_t offer[2][3];   /* [side][notes, discs, gems] */
  int64_t changed_ms;    /* the last change (Unix ms, the database's clock) */
  int64_t now_ms;        /* the database's clock when the row was read */
  int64_t expires_at;    /* Unix s */
  char last_change[256]; /* what the last change was */
  char close_reason[256];
};

/* One offered copy. */
struct pd_trade_copy {
  int64_t copy_id; /* user_cards.id */
  int from;        /* the side offering it */
  int64_t owner;   /* user_cards.user_id now */
  char state[12];  /* user_cards.state now */
  char ref[PD_COPYREF_SIZE];
  char rarity[16];
  char artist[64];
};

/* The side (PD_TRADE_A or PD_TRADE_B) of user_id in t, or -1. */
int pd_trade_side(const struct pd_trade *t, int64_t user_id);

/* The open trade user_id is in (lock: FOR UPDATE).  PD_E_NOTFOUND when there is none. */
enum pd_result pd_db_trade_of(struct pd_db *db, int64_t user_id, bool lock, struct pd_trade *out);
/* The trade by id, open or closed (lock: FOR UPDATE).  PD_E_NOTFOUND when there is none. */
enum pd_result pd_db_trade_get(struct pd_db *db, int64_t trade_id, bool lock, struct pd_trade *out);

/* Opens a trade of a with b (both registered), expiring in expiry_s, change its first
 * last_change.  PD_E_CONFLICT when either is already in an open trade (nothing is usable of
 * what was written: the caller rolls back). */
enum pd_result pd_db_trade_open(struct pd_db *db, int64_t a, int64_t b, int64_t expiry_s,
                                const char *change, int64_t *trade_id);

/* Records a change to t's offer: the amounts in t->offer, version + 1, both confirmations
 * cleared, changed_at now, last_change, expiry moved to now + expiry_s.  Updates t. */
enum pd_result pd_db_trade_change(struct pd_db *db, struct pd_trade *t, const char *change,
                                  int64_t expiry_s);

/* Offers copy_id (already in state 'trading') from user in trade_id. */
enum pd_result pd_db_trade_card_add(struct pd_db *db, int64_t trade_id, int64_t copy_id,
                                    int64_t user, int64_t version);
/* Takes copy_id out of the offer (the row goes inactive; the caller then frees the copy).
 * PD_E_NOTFOUND when user does not offer it in trade_id. */
enum pd_result pd_db_trade_card_remove(struct pd_db *db, int64_t trade_id, int64_t copy_id,
                                       int64_t user);

/* The copies offered in trade_id, in the order they were added (lock: their user_cards rows
 * FOR UPDATE, in id order).  At most cap go to out; *n is how many there are. */
enum pd_result pd_db_trade_copies(struct pd_db *db, const struct pd_trade *t, bool lock,
                                  struct pd_trade_copy *out, size_t cap, size_t *n);
/* How many copies user offers in trade_id. */
enum pd_result pd_db_trade_copy_count(struct pd_db *db, int64_t trade_id, int64_t user, int64_t *n);

/* Both players' balances (notes, discs, gems) by side, their rows locked FOR UPDATE in id
 * order, so they stay as read until the swap commits. */
enum pd_result pd_db_trade_balances(struct pd_db *db, const struct pd_trade *t, int64_t bal[2][3]);

/* Side confirms version (the caller checked it is t's version). */
enum pd_result pd_db_trade_confirm(struct pd_db *db, struct pd_trade *t, int side, int64_t version);

/* Deactivates every offer of trade_id (the escrow's first half); ids (may be NULL, cap
 * entries) get the copies, *n how many. */
enum pd_result pd_db_trade_cards_close(struct pd_db *db, int64_t trade_id, int64_t *ids, size_t cap,
                                       size_t *n);

/* Ends an open trade: releases what is still escrowed (offers closed first, then those copies
 * back to 'free'), sets status ('done','cancelled','expired','failed'), reason and op_id (0:
 * none), and frees both players for another trade.  Updates t. */
enum pd_result pd_db_trade_close(struct pd_db *db, struct pd_trade *t, const char *status,
                                 const char *reason, int64_t op_id);

/* Open trades past their expiry, locked FOR UPDATE SKIP LOCKED (another instance's sweep, or
 * a command on one, keeps it): up to cap ids into ids, *n how many. */
enum pd_result pd_db_trades_expired(struct pd_db *db, int64_t *ids, size_t cap, size_t *n);

/* Autocomplete over the copies user offers in their open trade: up to 25 {"name", "value"}
 * choices matching typed. */
enum pd_result pd_db_trade_suggest(struct pd_db *db, int64_t user, const char *typed,
                                   json_t **choices);

#endif
