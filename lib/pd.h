/* pd.h - the result codes and small helpers every PopDeck module shares. */
#ifndef PD_H
#define PD_H

#include <stddef.h>
#include <stdint.h>

/* One result enum for the whole program (curl's CURLcode, Taler's status
 * codes).  Values travel through out-parameters; only the router maps a
 * result to an HTTP status or a Discord message. */
enum pd_result {
  PD_OK = 0,
  PD_E_NOMEM,    /* allocation failed */
  PD_E_INVALID,  /* input is malformed */
  PD_E_NOTFOUND, /* the thing asked for does not exist */
  PD_E_CONFLICT, /* a uniqueness or state rule said no (a duplicate: SQLSTATE 23505) */
  PD_E_CHECK,    /* a CHECK constraint said no (a balance would go below zero: 23514) */
  PD_E_TOOBIG,   /* input over a size cap */
  PD_E_DB_SOFT,  /* serialization failure or deadlock: retry the transaction */
  PD_E_DB_DOWN,  /* the database cannot be reached right now */
  PD_E_DB_HARD,  /* the database refused the statement: a bug or bad data */
  PD_E_UPSTREAM, /* a remote API failed */
  PD_E_IO,       /* a file or socket operation failed */
  PD_E_INTERNAL, /* anything else that is our fault */
  PD_E_USER,     /* a player's mistake, already answered (pd_ctx_user_error): roll back, show it */
  PD_E_HOLD      /* the player owes Gems after a clawback: no Gems may leave them (db_ledger.h) */
};

const char *pd_result_str(enum pd_result r);

#define PD_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* PD_STATIC marks a file-local function that its unit test may call
 * (curl's UNITTEST): static in the program, visible in test builds. */
#ifdef PD_UNITTEST
#define PD_STATIC
#else
#define PD_STATIC static
#endif

/* Monotonic clock in microseconds, for latency figures and deadlines. */
int64_t pd_now_us(void);

#endif
