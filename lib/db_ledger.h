/* db_ledger.h - money moves: every balance change is one operation of ledger rows that sum to
 * zero in each currency, written in the caller's transaction together with the balances.
 *
 * An account is a player (users.id) or one of the game's system accounts (sql/010: 'bank',
 * 'rewards', 'shop', 'burns', 'grants', 'purchases', 'refunds').  Start an operation with
 * pd_ledger_op_new, then make each of its moves with pd_ledger_move; all of them commit or
 * none does.  Nothing else may change users.coins, discs or gems. */
#ifndef PD_DB_LEDGER_H
#define PD_DB_LEDGER_H

#include <jansson.h>
#include <stdint.h>

#include "db.h"
#include "db_users.h"

/* Game accounts (system_accounts.name). */
#define PD_ACCT_BANK "bank"
#define PD_ACCT_REWARDS "rewards"
#define PD_ACCT_SHOP "shop"
#define PD_ACCT_BURNS "burns"
#define PD_ACCT_GRANTS "grants"
#define PD_ACCT_PURCHASES "purchases"
#define PD_ACCT_REFUNDS "refunds"

/* The ledger kinds that may take Gems from a player who owes Gems (sql/018 gem_debts): every
 * other Gems debit from such a player is refused with PD_E_HOLD. */
#define PD_LEDGER_KIND_CLAWBACK "clawback"
#define PD_LEDGER_KIND_SETTLE "debt_settle"

/* Amounts a player may name (prices, offers, gifts): whole numbers in this range. */
#define PD_AMOUNT_MIN 1
#define PD_AMOUNT_MAX 1000000000LL

struct pd_account {
  int64_t user_id;    /* a player, or 0 */
  const char *system; /* a game account, or NULL */
};
#define PD_PLAYER_ACCT(id) ((struct pd_account){.user_id = (id), .system = NULL})
#define PD_GAME_ACCT(name) ((struct pd_account){.user_id = 0, .system = (name)})

/* A new operation id (ledger_op_seq). */
enum pd_result pd_ledger_op_new(struct pd_db *db, int64_t *op_id);

/* Moves amount (> 0) of currency c from one account to another as operation op_id: both
 * balances and both ledger rows, in one statement.  PD_E_CHECK when a player's balance would
 * go below zero (nothing is written: the caller says how much is missing), PD_E_HOLD when the
 * payer owes Gems and this debits Gems (the dispatcher tells the player), PD_E_INVALID for
 * amount <= 0 or from == to, PD_E_NOTFOUND when a player does not exist.  meta (may be NULL)
 * is borrowed.  When a side is a player, its new balances go to from_bal / to_bal (each may be
 * NULL; notes, discs, gems). */
enum pd_result pd_ledger_move(struct pd_db *db, int64_t op_id, const char *kind,
                              struct pd_account from, struct pd_account to, enum pd_currency c,
                              int64_t amount, json_t *meta, int64_t from_bal[3], int64_t to_bal[3]);

/* One move between a player and a game account, in its own new operation: amount > 0 pays
 * the player from game, amount < 0 pays game from the player.  p's balances are updated.
 * *op_id (may be NULL) gets the operation. */
enum pd_result pd_ledger_game(struct pd_db *db, struct pd_player *p, const char *game,
                              enum pd_currency c, int64_t amount, const char *kind, json_t *meta,
                              int64_t *op_id);

/* The game's account game pays many players at once, each payment its own operation (as
 * pd_ledger_game with a positive amount would make it), in one statement: for an admin's refund
 * of thousands of owners.  payments is [{"user": users.id, "amount": n > 0, "meta": {...}?}],
 * each player at most once (PD_E_INVALID otherwise, nothing written); meta (may be NULL) is
 * every row's meta unless a payment has its own.  *ops (owned) gets {"<user>": op_id}.
 * PD_E_NOTFOUND when a player does not exist: rows may have been written, so the caller's
 * transaction must roll back (returning the error does). */
enum pd_result pd_ledger_pay_many(struct pd_db *db, const char *game, const char *kind,
                                  enum pd_currency c, json_t *payments, json_t *meta, json_t **ops);

/* The balance of currency c in b[3] (notes, discs, gems). */
static inline int64_t pd_balance_of(const int64_t b[3], enum pd_currency c)
{
  return b[(int)c];
}

#endif
