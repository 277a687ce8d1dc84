/* audit.h - what `popdeck audit` decides without a database: the horizon a run may checkpoint,
 * and the one line that names what it found (server/audit.c runs the checks, lib/db_audit.c
 * holds their statements). */
#ifndef PD_AUDIT_H
#define PD_AUDIT_H

#include <stddef.h>
#include <stdint.h>

/* How far behind the run's clock the horizon stays even when no transaction is open: rows
 * dated within it are read again by the next run.  It covers what pg_stat_activity cannot show
 * (transactions of roles the audit's role may not see) with room to spare: a command's
 * transaction is cut at its 2.5 s deadline (and 2.5 s statement timeout), a worker's statements
 * at 30 s, an idle transaction at 60 s (lib/db.c). */
#define PD_AUDIT_MARGIN_US (10LL * 60 * 1000000)

/* No previous horizon (a full run, or the first one). */
#define PD_AUDIT_NO_HORIZON INT64_MIN

/* The horizon of a run whose clock read now_us just before its snapshot: margin_us before it,
 * earlier still if a transaction that started at oldest_us (0: none open) was open then (its
 * rows carry its start time and commit later), and never before prev_us, the horizon the run
 * starts from (every row dated before that was committed by then already). */
int64_t pd_audit_horizon(int64_t now_us, int64_t oldest_us, int64_t margin_us, int64_t prev_us);

enum pd_audit_kind {
  PD_AUDIT_CLEAN = 0,
  PD_AUDIT_BALANCE,       /* a player's balance is not the sum of its ledger rows */
  PD_AUDIT_NEGATIVE,      /* a player's balance is below zero */
  PD_AUDIT_SYSTEM,        /* a game account that issues nothing sums below zero */
  PD_AUDIT_OP,            /* an operation's rows do not sum to zero in a currency */
  PD_AUDIT_LISTED,        /* a listed copy without exactly one active listing by its owner */
  PD_AUDIT_TRADING,       /* a trading copy without exactly one active offer in an open trade */
  PD_AUDIT_LISTING_STATE, /* an active listing on a copy that is not listed */
  PD_AUDIT_OFFER_STATE,   /* an active trade offer on a copy that is not trading */
  PD_AUDIT_DUPLICATE,     /* two live copies with one card and print number */
  PD_AUDIT_PAYMENT,       /* a payment's Gems in the ledger are not what it granted */
  PD_AUDIT_UNPAID,        /* a payment of Gems with no grant, and no refund that explains it */
  PD_AUDIT_CLAWBACK,      /* a clawback's Gems in the ledger are not what it took back */
  PD_AUDIT_CLAWBACK_SUM,  /* a clawback's taken and owed Gems do not add up to the payment's */
  PD_AUDIT_DEBT,          /* a player owes more Gems than their clawed-back payments left owed */
};

/* The first thing a run found wrong; which fields mean something depends on kind. */
struct pd_audit_finding {
  enum pd_audit_kind kind;
  int64_t id;       /* player, operation or copy id */
  char who[64];     /* the player's Discord id, or the game account's name */
  char currency[8]; /* notes, discs, gems */
  int64_t balance;  /* the player's balance */
  int64_t ledger;   /* the sum of the ledger rows */
  char kinds[64];   /* the operation's kinds, comma separated */
  int64_t owner;    /* the copy's owner (players.id) */
  int64_t card_id;  /* the copy's card and print number */
  int64_t print_no;
  char state[16]; /* the copy's state */
  int64_t count;  /* how many listings or offers were found */
  int64_t other;  /* the listing, trade or other copy involved */
  int64_t want;   /* a payment's Gems as recorded on it */
  int64_t got;    /* the same in the ledger (or gem_debts) */
};

/* One line for f, starting "audit: " (no newline). */
void pd_audit_describe(const struct pd_audit_finding *f, char *out, size_t outlen);

#endif
