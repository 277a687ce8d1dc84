/* scheduler.h - the periodic tasks of `popdeck serve`, each run once per period across every
 * instance.
 *
 * Every instance runs a scheduler thread.  Each tick (SCHEDULER_TICK_MS) it asks the database
 * which period each task is in (pd_period_start of the task's interval at pd_now(), the test
 * clock), and for a task whose period has no finished run it takes the task's advisory lock and
 * claims the period's row (scheduler_runs).  The lock keeps two instances from running a task at
 * once; the row keeps a period from running twice.  An instance that dies mid-run loses its lock
 * with its connection, and the next instance takes the row over (attempts + 1).  A failed run is
 * tried again after RETRY_S x attempts, at most MAX_ATTEMPTS times in its period.  Periods that
 * passed while no instance ran collapse into the one catch-up run of the current period, which
 * records how many it covered ("missed").
 *
 * A task runs outside any transaction on the scheduler's own connection and opens the
 * transactions it needs; it returns between batches once app->stopping is set. */
#ifndef PD_SCHEDULER_H
#define PD_SCHEDULER_H

#include "app.h"
#include "db.h"

/* What a run knows about its period. */
struct pd_task_run {
  int64_t period_start; /* epoch seconds */
  int missed;           /* periods before this one that had no run */
  int attempt;          /* 1 for the first */
};

struct pd_task {
  const char *name;
  /* Default period: a Postgres interval ("60 seconds", "7 days", "1 month"). */
  const char *every;
  /* The period in seconds from the configuration instead of `every` (NULL: none). */
  int (*every_from)(const struct pd_config *cfg);
  /* Whether this configuration runs the task at all (NULL: always). */
  bool (*enabled)(const struct pd_app *app);
  /* detail gets one line for the row and the log ("released 3 listings"). */
  enum pd_result (*run)(struct pd_app *app, struct pd_db *db, const struct pd_task_run *r,
                        char *detail, size_t cap);
};

/* NULL-terminated (scheduler.c); a new periodic task is one row there. */
extern const struct pd_task pd_tasks[];

/* Checks SCHEDULER_PERIODS against the task table: PD_E_INVALID, with a line on stderr, for a
 * name that is not a task. */
enum pd_result pd_scheduler_check(const struct pd_config *cfg);

struct pd_scheduler;
/* Starts the thread unless SCHEDULER=0 (*out is then NULL). */
enum pd_result pd_scheduler_start(struct pd_app *app, struct pd_scheduler **out);
/* Waits for a run under way to return (tasks stop early once app->stopping is set). */
void pd_scheduler_stop(struct pd_scheduler *s);

/* The tasks' bodies that live with their features. */
enum pd_result pd_task_expire(struct pd_app *app, struct pd_db *db, const struct pd_task_run *r,
                              char *detail, size_t cap);
enum pd_result pd_task_leaderboard(struct pd_app *app, struct pd_db *db,
                                   const struct pd_task_run *r, char *detail, size_t cap);
enum pd_result pd_task_entitlements(struct pd_app *app, struct pd_db *db,
                                    const struct pd_task_run *r, char *detail, size_t cap);
enum pd_result pd_task_event_end(struct pd_app *app, struct pd_db *db, const struct pd_task_run *r,
                                 char *detail, size_t cap);
enum pd_result pd_task_wishlist_notify(struct pd_app *app, struct pd_db *db,
                                       const struct pd_task_run *r, char *detail, size_t cap);

#endif
