/* scheduler.c - the task table and the thread that runs each task once per period across every
 * instance (see scheduler.h). */
#include "scheduler.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog_tasks.h"
#include "db_scheduler.h"
#include "log.h"
#include "metrics.h"

#define RETRY_S 60     /* a failed run is tried again after this many seconds x its attempts */
#define MAX_ATTEMPTS 5 /* in one period */
#define LOST_DB_PAUSE_MS 1000

static int reconcile_every(const struct pd_config *cfg)
{
  return cfg->payments_reconcile_s;
}

static bool reconcile_enabled(const struct pd_app *app)
{
  if (app->cfg.payments_reconcile_s <= 0 || app->cfg.npayment_skus == 0)
    return false;
  if (app->cfg.bot_token == NULL)
    pd_log_error("PAYMENTS_RECONCILE_S is set but DISCORD_BOT_TOKEN is not: no reconcile");
  return app->cfg.bot_token != NULL;
}

const struct pd_task pd_tasks[] = {
    /* Listings, trades and transfers past their time (sweep.c). */
    {"expire", "60 seconds", NULL, NULL, pd_task_expire},
    /* Every leaderboard rank rebuilt from balances and copies (cmd_leaderboard.c). */
    {"leaderboard", "60 seconds", NULL, NULL, pd_task_leaderboard},
    /* Discord's entitlements against the payments table (entitlements.c). */
    {"entitlement_reconcile", "3600 seconds", reconcile_every, reconcile_enabled,
     pd_task_entitlements},
    /* Events that are over: escrow cancelled, copies gone, consolation paid (event_end.c). */
    {"event_end", "60 seconds", NULL, NULL, pd_task_event_end},
    /* Listings of wished cards: one DM per player per hour (wishlist_notify.c). */
    {"wishlist_notify", "60 seconds", NULL, NULL, pd_task_wishlist_notify},
    /* The catalog's growth and upkeep (catalog_tasks.c). */
    {"weekly_sync", "7 days", NULL, pd_task_weekly_sync_enabled, pd_task_weekly_sync},
    {"monthly_prune", "1 month", NULL, pd_task_monthly_prune_enabled, pd_task_monthly_prune},
    {"stock_refill", "3600 seconds", NULL, pd_task_stock_refill_enabled, pd_task_stock_refill},
    {NULL, NULL, NULL, NULL, NULL},
};

struct slot {
  const struct pd_task *task;
  char every[32]; /* the Postgres interval this instance uses */
  bool enabled;
};

struct pd_scheduler {
  struct pd_app *app;
  struct slot slots[PD_METRICS_TASKS_MAX];
  size_t n;
  char instance[96]; /* host:pid */
  struct pd_db *db;  /* handed to the thread */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool stop;
};

/* Sleeps up to ms unless stopped; false once stopping. */
static bool pause_ms(struct pd_scheduler *s, int ms)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (long)(ms % 1000) * 1000000;
  if (t.tv_nsec >= 1000000000) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000;
  }
  pthread_mutex_lock(&s->mu);
  while (!s->stop && pthread_cond_timedwait(&s->cv, &s->mu, &t) == 0)
    ;
  bool go = !s->stop;
  pthread_mutex_unlock(&s->mu);
  return go;
}

/* Whether the period described by due still wants a run from us. */
static bool wants_run(const struct pd_sched_due *due)
{
  if (due->state[0] == '\0' || strcmp(due->state, "running") == 0)
    return true; /* nobody yet, or a runner whose lock we may find free (it died) */
  if (strcmp(due->state, "failed") == 0)
    return due->attempts < MAX_ATTEMPTS && due->since_finish_s >= (double)RETRY_S * due->attempts;
  return false;
}

static void log_run(const char *level, const char *msg, const struct slot *sl,
                    const struct pd_task_run *r, double secs, const char *detail,
                    const char *instance)
{
  json_t *f = json_pack("{s:s, s:I, s:i, s:i, s:f, s:s}", "task", sl->task->name, "period_start",
                        (json_int_t)r->period_start, "attempt", r->attempt, "missed", r->missed,
                        "seconds", secs, "instance", instance);
  if (detail != NULL && detail[0] != '\0')
    json_object_set_new(f, "detail", json_string(detail));
  pd_log(level, msg, f);
}

/* One task's turn in a tick: run it if its period is due and its lock is free. */
static enum pd_result tick_one(struct pd_scheduler *s, struct pd_db *db, const struct slot *sl)
{
  struct pd_sched_due due;
  bool locked = false, claimed = false;
  enum pd_result rc = pd_db_sched_due(db, sl->task->name, sl->every, &due);
  if (rc != PD_OK || !wants_run(&due))
    return rc;
  if ((rc = pd_db_sched_lock(db, sl->task->name, &locked)) != PD_OK || !locked)
    return rc; /* another instance runs it now */
  struct pd_task_run run = {.period_start = due.period_start};
  rc = pd_db_sched_claim(db, sl->task->name, sl->every, due.period_start, s->instance, &claimed,
                         &run.attempt, &run.missed);
  if (rc == PD_OK && claimed) {
    char detail[512] = "";
    int64_t t0 = pd_now_us();
    enum pd_result trc = sl->task->run(s->app, db, &run, detail, sizeof(detail));
    double secs = (double)(pd_now_us() - t0) / 1e6;
    if (trc != PD_OK && detail[0] == '\0')
      snprintf(detail, sizeof(detail), "%s", pd_result_str(trc));
    pd_metrics_task_run(sl->task->name, trc == PD_OK);
    /* A task that lost the database cannot record its end now: the row stays 'running' and the
     * next tick (this instance or another, once this lock is gone) takes it over. */
    rc = pd_db_sched_finish(db, sl->task->name, due.period_start, trc == PD_OK ? "ok" : "failed",
                            secs, detail);
    log_run(trc == PD_OK ? "info" : "error", trc == PD_OK ? "task ran" : "task failed", sl, &run,
            secs, detail, s->instance);
  }
  if (pd_db_sched_unlock(db, sl->task->name) != PD_OK && rc == PD_OK)
    rc = PD_E_DB_DOWN; /* the lock goes with the connection, which we then drop */
  return rc;
}

static void *scheduler_main(void *arg)
{
  struct pd_scheduler *s = arg;
  struct pd_db *db = s->db; /* connected by pd_scheduler_start, or NULL: connect here */
  bool warned_skew = false;
  for (;;) {
    if (db == NULL && pd_db_open(s->app->cfg.database_url, 0, true, &db, NULL, 0) != PD_OK) {
      db = NULL;
      if (!pause_ms(s, LOST_DB_PAUSE_MS))
        break;
      continue;
    }
    double skew = 0;
    if (!warned_skew && pd_db_clock_skew(db, &skew) == PD_OK) {
      warned_skew = true;
      if (skew != 0)
        pd_log("warn", "the database clock is skewed (pd_clock): a test setting, never production",
               json_pack("{s:f}", "skew_seconds", skew));
    }
    enum pd_result rc = PD_OK;
    for (size_t i = 0; i < s->n && rc == PD_OK && !atomic_load(&s->app->stopping); i++)
      if (s->slots[i].enabled)
        rc = tick_one(s, db, &s->slots[i]);
    if (rc != PD_OK) {
      pd_log_error("scheduler: %s", pd_result_str(rc));
      pd_db_close(db); /* with it go any locks it held */
      db = NULL;
    }
    if (!pause_ms(s, s->app->cfg.scheduler_tick_ms))
      break;
  }
  pd_db_close(db);
  return NULL;
}

/* The period of a task in this configuration, as a Postgres interval. */
static void task_every(const struct pd_app *app, const struct pd_task *t, char *out, size_t cap)
{
  int secs = t->every_from != NULL ? t->every_from(&app->cfg) : 0;
  for (size_t i = 0; i < app->cfg.nscheduler_periods; i++)
    if (strcmp(app->cfg.scheduler_periods[i].task, t->name) == 0)
      secs = app->cfg.scheduler_periods[i].seconds;
  if (secs > 0)
    snprintf(out, cap, "%d seconds", secs);
  else
    snprintf(out, cap, "%s", t->every);
}

enum pd_result pd_scheduler_check(const struct pd_config *cfg)
{
  for (size_t i = 0; i < cfg->nscheduler_periods; i++) {
    const struct pd_task *t = pd_tasks;
    while (t->name != NULL && strcmp(t->name, cfg->scheduler_periods[i].task) != 0)
      t++;
    if (t->name == NULL) {
      fprintf(stderr, "SCHEDULER_PERIODS: \"%s\" is not a task (the tasks are:",
              cfg->scheduler_periods[i].task);
      for (t = pd_tasks; t->name != NULL; t++)
        fprintf(stderr, " %s", t->name);
      fprintf(stderr, ")\n");
      return PD_E_INVALID;
    }
  }
  return PD_OK;
}

enum pd_result pd_scheduler_start(struct pd_app *app, struct pd_scheduler **out)
{
  *out = NULL;
  if (!app->cfg.scheduler)
    return PD_OK;
  struct pd_scheduler *s = calloc(1, sizeof(*s));
  if (s == NULL)
    return PD_E_NOMEM;
  s->app = app;
  char host[64] = "localhost";
  if (gethostname(host, sizeof(host)) != 0)
    snprintf(host, sizeof(host), "localhost");
  host[sizeof(host) - 1] = '\0';
  snprintf(s->instance, sizeof(s->instance), "%s:%d", host, (int)getpid());
  json_t *tasks = json_object();
  for (const struct pd_task *t = pd_tasks; t->name != NULL && s->n < PD_METRICS_TASKS_MAX; t++) {
    struct slot *sl = &s->slots[s->n++];
    sl->task = t;
    sl->enabled = t->enabled == NULL || t->enabled(app);
    task_every(app, t, sl->every, sizeof(sl->every));
    json_object_set_new(tasks, t->name, json_string(sl->enabled ? sl->every : "off"));
  }
  /* Connected (its statements prepared) before `serve` says it listens, not meanwhile; a
   * database that is down now is connected to by the thread when it comes back. */
  if (pd_db_open(app->cfg.database_url, 0, true, &s->db, NULL, 0) != PD_OK)
    s->db = NULL;
  pthread_condattr_t ca;
  pthread_mutex_init(&s->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&s->cv, &ca);
  pthread_condattr_destroy(&ca);
  if (pthread_create(&s->thread, NULL, scheduler_main, s) != 0) {
    json_decref(tasks);
    pd_db_close(s->db);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
    return PD_E_NOMEM;
  }
  pd_log("info", "scheduler started",
         json_pack("{s:o, s:i}", "tasks", tasks, "tick_ms", app->cfg.scheduler_tick_ms));
  *out = s;
  return PD_OK;
}

void pd_scheduler_stop(struct pd_scheduler *s)
{
  if (s == NULL)
    return;
  pthread_mutex_lock(&s->mu);
  s->stop = true;
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
  pthread_join(s->thread, NULL);
  pthread_cond_destroy(&s->cv);
  pthread_mutex_destroy(&s->mu);
  free(s);
}
