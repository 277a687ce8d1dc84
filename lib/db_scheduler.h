/* db_scheduler.h - the scheduler's rows (sql/022): which period a task is in, who runs it, how
 * it went; and the database clock's test skew.  server/scheduler.c drives them. */
#ifndef PD_DB_SCHEDULER_H
#define PD_DB_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* A task's current period (by the database clock, pd_now()) and its row, if any. */
struct pd_sched_due {
  int64_t period_start; /* epoch seconds */
  char state[8];        /* "" (no row yet), "running", "ok" or "failed" */
  int attempts;
  double since_finish_s; /* since a failed run ended */
};

#define PD_SCHED_LIST_MAX 1024 /* the task names of one pd_db_sched_latest, as a text array */

/* The latest run of a task, for GET /metrics. */
struct pd_sched_last {
  char task[32];
  int64_t period_start;
  double started_at; /* epoch seconds */
  char state[8];
  double duration_s; /* 0 while running */
  int attempts;
  int missed;
};

/* every is a Postgres interval ("60 seconds", "7 days", "1 month"). */
enum pd_result pd_db_sched_due(struct pd_db *db, const char *task, const char *every,
                               struct pd_sched_due *out);
/* The task's session-level advisory lock: held while this connection runs it. */
enum pd_result pd_db_sched_lock(struct pd_db *db, const char *task, bool *got);
enum pd_result pd_db_sched_unlock(struct pd_db *db, const char *task);
/* Takes the period's run under the lock: inserts the row, or takes over one that is 'running'
 * (its instance died) or 'failed'.  *claimed is false when the period is already done.  *missed
 * gets the periods since the task's previous run that had none. */
enum pd_result pd_db_sched_claim(struct pd_db *db, const char *task, const char *every,
                                 int64_t period_start, const char *instance, bool *claimed,
                                 int *attempts, int *missed);
/* Records the end of the run (state "ok" or "failed") and keeps the task's newest 100 rows. */
enum pd_result pd_db_sched_finish(struct pd_db *db, const char *task, int64_t period_start,
                                  const char *state, double duration_s, const char *detail);
/* The latest run of each of the n tasks that has one; *count gets how many were found. */
enum pd_result pd_db_sched_latest(struct pd_db *db, const char *const *tasks, size_t n,
                                  struct pd_sched_last *out, size_t *count);
/* pd_clock's skew in seconds (0 in production). */
enum pd_result pd_db_clock_skew(struct pd_db *db, double *skew_s);

#endif
