/* sweep.h - the economy's clocks: listings past their 7 days, trades left open, transfers
 * never answered.  Each sweeper releases what has run out (its escrow back to its owner) in
 * its own transaction; the scheduler's "expire" task (scheduler.c, every minute by default)
 * runs them all.  A sweeper takes rows FOR UPDATE SKIP LOCKED, so a command racing it either
 * wins or finds the row closed, and `popdeck` tools may sweep while a scheduler does. */
#ifndef PD_SWEEP_H
#define PD_SWEEP_H

#include "app.h"
#include "db.h"
#include "scheduler.h"

struct pd_sweeper {
  const char *name;
  /* Runs inside a transaction; *n gets how many rows it released. */
  enum pd_result (*fn)(struct pd_app *app, struct pd_db *db, int64_t *n);
};

/* NULL-terminated (sweep.c); a new clock is one row there. */
extern const struct pd_sweeper pd_sweepers[];

/* gifts: pending /transfer_data requests past economy.transfer_accept_s (cmd_transfer_data.c). */
enum pd_result pd_transfer_sweep(struct pd_app *app, struct pd_db *db, int64_t *n);

#endif
