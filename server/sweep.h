/* sweep.h - the economy's clocks: listings past their 7 days, trades left open, transfers
 * never answered.  Each sweeper releases what has run out (its escrow back to its owner) in
 * its own transaction; the follow-up workers run them every PD_SWEEP_INTERVAL_MS.  A sweeper
 * takes rows FOR UPDATE SKIP LOCKED, so every instance may run it at once without two of them
 * releasing the same row, and a command racing it either wins or finds the row closed. */
#ifndef PD_SWEEP_H
#define PD_SWEEP_H

#include "app.h"
#include "db.h"

#define PD_SWEEP_INTERVAL_MS 5000

struct pd_sweeper {
  const char *name;
  /* Runs inside a transaction; *n gets how many rows it released. */
  enum pd_result (*fn)(struct pd_app *app, struct pd_db *db, int64_t *n);
};

/* NULL-terminated (sweep.c); a new clock is one row there. */
extern const struct pd_sweeper pd_sweepers[];

/* gifts: pending /transfer_data requests past economy.transfer_accept_s (cmd_transfer_data.c). */
enum pd_result pd_transfer_sweep(struct pd_app *app, struct pd_db *db, int64_t *n);

/* Runs every sweeper once, each in its own transaction; failures are logged, not fatal. */
void pd_sweep_run(struct pd_app *app, struct pd_db *db);

#endif
