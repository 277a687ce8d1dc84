/* db_scheduler.c - statements for the scheduler's rows and the clock (see db_scheduler.h). */
#include "db_scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"

/* The first key of every task's advisory lock ("PDSC"); the second is the task name's hash. */
#define SCHED_LOCK "1346655043"
#define KEEP_ROWS "100"

const struct pd_db_stmt pd_db_scheduler_stmts[] = {
    {"sched_due",
     "WITH p AS (SELECT pd_period_start($2::interval, pd_now()) AS ps)"
     " SELECT extract(epoch FROM p.ps)::bigint, coalesce(r.state, ''), coalesce(r.attempts, 0),"
     " coalesce(extract(epoch FROM pd_now() - r.finished_at), 0)::float8"
     " FROM p LEFT JOIN scheduler_runs r ON r.task = $1 AND r.period_start = p.ps"},
    {"sched_lock", "SELECT pg_try_advisory_lock(" SCHED_LOCK ", hashtext($1))"},
    {"sched_unlock", "SELECT pg_advisory_unlock(" SCHED_LOCK ", hashtext($1))"},
    {"sched_claim",
     "INSERT INTO scheduler_runs AS r (task, period_start, state, instance, missed)"
     " SELECT $1, to_timestamp($3::bigint), 'running', $4,"
     " coalesce(pd_periods_between($2::interval, (SELECT max(period_start) FROM scheduler_runs"
     " WHERE task = $1 AND period_start < to_timestamp($3::bigint)), to_timestamp($3::bigint)), 0)"
     " ON CONFLICT (task, period_start) DO UPDATE SET state = 'running', instance = $4,"
     " attempts = r.attempts + 1, started_at = pd_now(), finished_at = NULL, duration_ms = NULL,"
     " detail = NULL WHERE r.state <> 'ok' RETURNING attempts, missed"},
    {"sched_finish",
     "UPDATE scheduler_runs SET state = $3, finished_at = pd_now(), duration_ms = $4::float8,"
     " detail = $5 WHERE task = $1 AND period_start = to_timestamp($2::bigint)"},
    {"sched_prune",
     "DELETE FROM scheduler_runs WHERE task = $1 AND period_start < (SELECT period_start FROM"
     " scheduler_runs WHERE task = $1 ORDER BY period_start DESC OFFSET " KEEP_ROWS
     " - 1 LIMIT 1)"},
    {"sched_latest",
     "SELECT t.task, extract(epoch FROM r.period_start)::bigint,"
     " extract(epoch FROM r.started_at)::float8, r.state, coalesce(r.duration_ms, 0) / 1000.0,"
     " r.attempts, r.missed FROM unnest($1::text[]) AS t(task) CROSS JOIN LATERAL"
     " (SELECT * FROM scheduler_runs s WHERE s.task = t.task ORDER BY period_start DESC LIMIT 1) r"
     " ORDER BY t.task"},
    {"clock_skew", "SELECT coalesce(extract(epoch FROM (SELECT skew FROM pd_clock)), 0)::float8"},
    {NULL, NULL},
};

enum pd_result pd_db_sched_due(struct pd_db *db, const char *task, const char *every,
                               struct pd_sched_due *out)
{
  PGresult *r = NULL;
  const char *params[2] = {task, every};
  memset(out, 0, sizeof(*out));
  enum pd_result rc = pd_db_exec(db, "sched_due", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  out->period_start = pd_db_int(r, 0, 0);
  snprintf(out->state, sizeof(out->state), "%s", pd_db_val(r, 0, 1));
  out->attempts = (int)pd_db_int(r, 0, 2);
  out->since_finish_s = strtod(pd_db_val(r, 0, 3), NULL);
  PQclear(r);
  return PD_OK;
}

static enum pd_result lock_call(struct pd_db *db, const char *stmt, const char *task, bool *got)
{
  PGresult *r = NULL;
  const char *params[1] = {task};
  enum pd_result rc = pd_db_exec(db, stmt, 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (got != NULL)
    *got = pd_db_bool(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_sched_lock(struct pd_db *db, const char *task, bool *got)
{
  *got = false;
  return lock_call(db, "sched_lock", task, got);
}

enum pd_result pd_db_sched_unlock(struct pd_db *db, const char *task)
{
  return lock_call(db, "sched_unlock", task, NULL);
}

enum pd_result pd_db_sched_claim(struct pd_db *db, const char *task, const char *every,
                                 int64_t period_start, const char *instance, bool *claimed,
                                 int *attempts, int *missed)
{
  PGresult *r = NULL;
  char ps[24];
  snprintf(ps, sizeof(ps), "%lld", (long long)period_start);
  const char *params[4] = {task, every, ps, instance};
  *claimed = false;
  enum pd_result rc = pd_db_exec(db, "sched_claim", 4, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 1) {
    *claimed = true;
    *attempts = (int)pd_db_int(r, 0, 0);
    *missed = (int)pd_db_int(r, 0, 1);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_sched_finish(struct pd_db *db, const char *task, int64_t period_start,
                                  const char *state, double duration_s, const char *detail)
{
  char ps[24], ms[32];
  snprintf(ps, sizeof(ps), "%lld", (long long)period_start);
  snprintf(ms, sizeof(ms), "%.3f", duration_s * 1000.0);
  const char *params[5] = {task, ps, state, ms, detail != NULL && detail[0] ? detail : NULL};
  enum pd_result rc = pd_db_exec(db, "sched_finish", 5, params, NULL);
  if (rc == PD_OK)
    rc = pd_db_exec(db, "sched_prune", 1, params, NULL);
  return rc;
}

enum pd_result pd_db_sched_latest(struct pd_db *db, const char *const *tasks, size_t n,
                                  struct pd_sched_last *out, size_t *count)
{
  PGresult *r = NULL;
  char list[PD_SCHED_LIST_MAX];
  size_t at = 0;
  *count = 0;
  list[at++] = '{';
  for (size_t i = 0; i < n; i++) {
    int w = snprintf(list + at, sizeof(list) - at, "%s%s", i > 0 ? "," : "", tasks[i]);
    if (w < 0 || (size_t)w >= sizeof(list) - at - 1)
      return PD_E_TOOBIG;
    at += (size_t)w;
  }
  list[at++] = '}';
  list[at] = '\0';
  const char *params[1] = {list};
  enum pd_result rc = pd_db_exec(db, "sched_latest", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  for (int i = 0; i < PQntuples(r) && (size_t)i < n; i++) {
    struct pd_sched_last *l = &out[i];
    snprintf(l->task, sizeof(l->task), "%s", pd_db_val(r, i, 0));
    l->period_start = pd_db_int(r, i, 1);
    l->started_at = strtod(pd_db_val(r, i, 2), NULL);
    snprintf(l->state, sizeof(l->state), "%s", pd_db_val(r, i, 3));
    l->duration_s = strtod(pd_db_val(r, i, 4), NULL);
    l->attempts = (int)pd_db_int(r, i, 5);
    l->missed = (int)pd_db_int(r, i, 6);
    (*count)++;
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_clock_skew(struct pd_db *db, double *skew_s)
{
  PGresult *r = NULL;
  *skew_s = 0;
  enum pd_result rc = pd_db_exec(db, "clock_skew", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *skew_s = strtod(pd_db_val(r, 0, 0), NULL);
  PQclear(r);
  return PD_OK;
}
