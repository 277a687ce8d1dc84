/* sweep.c - the table of sweepers and the loop that runs them (see sweep.h). */
#include "sweep.h"

#include "db_market.h"
#include "db_packs.h"
#include "commands.h"
#include "log.h"

/* Listings past their days: closed as 'expired', their copies back to their sellers.  A few
 * hundred at a time keeps each transaction short; the next sweep takes the rest. */
static enum pd_result sweep_listings(struct pd_app *app, struct pd_db *db, int64_t *n)
{
  return pd_db_market_expire(db, 200, n);
}

/* Packs nobody picked from in time: they keep no card (the pick refuses them) and now say so. */
static enum pd_result sweep_packs(struct pd_app *app, struct pd_db *db, int64_t *n)
{
  return pd_db_packs_expire(db, 200, n);
}

const struct pd_sweeper pd_sweepers[] = {
    {"transfers", pd_transfer_sweep}, /* gifts: /transfer_data requests never answered */
    {"market_listings", sweep_listings},
    {"trades", pd_trade_sweep},
    {"packs", sweep_packs},
    {NULL, NULL},
};

struct sweep_arg {
  struct pd_app *app;
  const struct pd_sweeper *s;
  int64_t n;
};

static enum pd_result sweep_one(struct pd_db *db, void *arg)
{
  struct sweep_arg *a = arg;
  a->n = 0;
  return a->s->fn(a->app, db, &a->n);
}

/* Each sweeper's batches until one finds nothing (or BATCHES_MAX, the rest next period). */
#define BATCHES_MAX 50
enum pd_result pd_task_expire(struct pd_app *app, struct pd_db *db, const struct pd_task_run *r,
                              char *detail, size_t cap)
{
  size_t at = 0;
  enum pd_result failed = PD_OK;
  (void)r;
  detail[0] = '\0';
  for (const struct pd_sweeper *s = pd_sweepers; s->name != NULL; s++) {
    int64_t total = 0;
    enum pd_result rc = PD_OK;
    for (int b = 0; b < BATCHES_MAX && !atomic_load(&app->stopping); b++) {
      struct sweep_arg a = {app, s, 0};
      rc = pd_db_tx(db, pd_now_us() + 5000000, sweep_one, &a);
      if (rc != PD_OK || a.n == 0)
        break;
      total += a.n;
    }
    if (rc != PD_OK) {
      pd_log_error("sweep %s: %s", s->name, pd_result_str(rc));
      failed = rc; /* the other sweepers still run */
    } else if (total > 0) {
      pd_log("info", "sweep released",
             json_pack("{s:s, s:I}", "sweeper", s->name, "rows", (json_int_t)total));
    }
    int w = snprintf(detail + at, cap - at, "%s%s %lld%s", at > 0 ? ", " : "", s->name,
                     (long long)total, rc != PD_OK ? " (failed)" : "");
    if (w > 0 && (size_t)w < cap - at)
      at += (size_t)w;
  }
  return failed;
}
