/* metrics.c - lock-free counters (C11 atomics) behind /metrics. */
#include "metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One counter per route and HTTP status 100-599, so every code is reported under its own
 * label; the last slot counts anything outside that range as "other". */
#define STATUS_MIN 100
#define STATUS_MAX 599
#define N_STATUS (STATUS_MAX - STATUS_MIN + 2)

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define N_BUCKET PD_ARRAY_LEN(buckets)

static _Atomic uint64_t requests[PD_ROUTE_COUNT][N_STATUS];
static _Atomic uint64_t sig_failures;
static _Atomic uint64_t tx_retries;
static _Atomic uint64_t hist[N_BUCKET + 1];
static _Atomic uint64_t hist_count;
static _Atomic uint64_t hist_sum_us;
static _Atomic uint64_t followups[PD_FOLLOWUP_OUTCOME_COUNT];

/* Scheduled runs of this instance by task: a handful of tasks, once a period each. */
static pthread_mutex_t task_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
  const char *task;
  uint64_t ok, failed;
} task_runs[PD_METRICS_TASKS_MAX];

static const char *route_names[PD_ROUTE_COUNT] = {
    "/interactions", "/healthz",         "/readyz", "/metrics", "/cards",
    "/admin",        "/webhooks/stripe", "/events", "/play",    "other"};
static const char *outcome_names[PD_FOLLOWUP_OUTCOME_COUNT] = {"sent", "rate_limited", "retry",
                                                               "gave_up", "expired"};

const char *pd_route_name(enum pd_route r)
{
  return r < PD_ROUTE_COUNT ? route_names[r] : "other";
}

void pd_metrics_request(enum pd_route route, int status)
{
  if (route >= PD_ROUTE_COUNT)
    route = PD_ROUTE_OTHER;
  size_t i =
      status >= STATUS_MIN && status <= STATUS_MAX ? (size_t)(status - STATUS_MIN) : N_STATUS - 1;
  atomic_fetch_add_explicit(&requests[route][i], 1, memory_order_relaxed);
}

void pd_metrics_tx_retry(void)
{
  atomic_fetch_add_explicit(&tx_retries, 1, memory_order_relaxed);
}

void pd_metrics_task_run(const char *task, bool ok)
{
  pthread_mutex_lock(&task_mu);
  for (size_t i = 0; i < PD_METRICS_TASKS_MAX; i++) {
    if (task_runs[i].task == NULL)
      task_runs[i].task = task;
    if (strcmp(task_runs[i].task, task) != 0)
      continue;
    if (ok)
      task_runs[i].ok++;
    else
      task_runs[i].failed++;
    break;
  }
  pthread_mutex_unlock(&task_mu);
}

/* The scheduler's lines: this instance's runs, then each task's latest run anywhere. */
static void render_tasks(FILE *f, const struct pd_metrics_gauges *g)
{
  fputs("# HELP popdeck_task_runs_total Scheduled task runs by this instance, by outcome.\n"
        "# TYPE popdeck_task_runs_total counter\n",
        f);
  pthread_mutex_lock(&task_mu);
  for (size_t i = 0; i < PD_METRICS_TASKS_MAX && task_runs[i].task != NULL; i++)
    fprintf(f,
            "popdeck_task_runs_total{task=\"%s\",outcome=\"ok\"} %llu\n"
            "popdeck_task_runs_total{task=\"%s\",outcome=\"failed\"} %llu\n",
            task_runs[i].task, (unsigned long long)task_runs[i].ok, task_runs[i].task,
            (unsigned long long)task_runs[i].failed);
  pthread_mutex_unlock(&task_mu);
  if (g->ntasks == 0)
    return;
  fputs("# HELP popdeck_task_last_run_timestamp_seconds When each task's latest run started, on "
        "any instance.\n"
        "# TYPE popdeck_task_last_run_timestamp_seconds gauge\n",
        f);
  for (size_t i = 0; i < g->ntasks; i++)
    fprintf(f, "popdeck_task_last_run_timestamp_seconds{task=\"%s\"} %.3f\n", g->tasks[i].task,
            g->tasks[i].started_at);
  fputs("# HELP popdeck_task_last_duration_seconds How long each task's latest finished run "
        "took.\n"
        "# TYPE popdeck_task_last_duration_seconds gauge\n",
        f);
  for (size_t i = 0; i < g->ntasks; i++)
    fprintf(f, "popdeck_task_last_duration_seconds{task=\"%s\"} %.6f\n", g->tasks[i].task,
            g->tasks[i].duration_s);
  fputs("# HELP popdeck_task_last_outcome The outcome of each task's latest run (1 for the one "
        "it had).\n"
        "# TYPE popdeck_task_last_outcome gauge\n",
        f);
  static const char *const states[] = {"ok", "failed", "running"};
  for (size_t i = 0; i < g->ntasks; i++)
    for (size_t k = 0; k < PD_ARRAY_LEN(states); k++)
      fprintf(f, "popdeck_task_last_outcome{task=\"%s\",outcome=\"%s\"} %d\n", g->tasks[i].task,
              states[k], strcmp(g->tasks[i].state, states[k]) == 0);
  fputs("# HELP popdeck_task_last_attempts Attempts the latest run of each task took.\n"
        "# TYPE popdeck_task_last_attempts gauge\n",
        f);
  for (size_t i = 0; i < g->ntasks; i++)
    fprintf(f, "popdeck_task_last_attempts{task=\"%s\"} %d\n", g->tasks[i].task,
            g->tasks[i].attempts);
  fputs("# HELP popdeck_task_last_missed_periods Periods before each task's latest run that had "
        "none (caught up by it).\n"
        "# TYPE popdeck_task_last_missed_periods gauge\n",
        f);
  for (size_t i = 0; i < g->ntasks; i++)
    fprintf(f, "popdeck_task_last_missed_periods{task=\"%s\"} %d\n", g->tasks[i].task,
            g->tasks[i].missed);
}

void pd_metrics_signature_failure(void)
{
  atomic_fetch_add_explicit(&sig_failures, 1, memory_order_relaxed);
}

void pd_metrics_handler_seconds(double s)
{
  size_t i = 0;
  while (i < N_BUCKET && s > buckets[i])
    i++;
  atomic_fetch_add_explicit(&hist[i], 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&hist_count, 1, memory_order_relaxed);
  atomic_fetch_add_explicit(&hist_sum_us, (uint64_t)(s * 1e6), memory_order_relaxed);
}

void pd_metrics_followup(enum pd_followup_outcome o)
{
  if (o < PD_FOLLOWUP_OUTCOME_COUNT)
    atomic_fetch_add_explicit(&followups[o], 1, memory_order_relaxed);
}

enum pd_result pd_metrics_render(const struct pd_metrics_gauges *g, char **out, size_t *len)
{
  char *buf = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&buf, &n);
  if (f == NULL)
    return PD_E_NOMEM;

  fputs("# HELP popdeck_http_requests_total HTTP requests answered, by route and status.\n"
        "# TYPE popdeck_http_requests_total counter\n",
        f);
  for (int r = 0; r < PD_ROUTE_COUNT; r++) {
    for (size_t s = 0; s < N_STATUS; s++) {
      uint64_t v = atomic_load_explicit(&requests[r][s], memory_order_relaxed);
      if (v == 0)
        continue;
      char code[8];
      if (s < N_STATUS - 1)
        snprintf(code, sizeof(code), "%d", STATUS_MIN + (int)s);
      else
        snprintf(code, sizeof(code), "other");
      fprintf(f, "popdeck_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n", route_names[r],
              code, (unsigned long long)v);
    }
  }
  fprintf(f,
          "# HELP popdeck_signature_failures_total Interaction requests refused for a bad or "
          "missing signature.\n"
          "# TYPE popdeck_signature_failures_total counter\n"
          "popdeck_signature_failures_total %llu\n",
          (unsigned long long)atomic_load(&sig_failures));
  fprintf(f,
          "# HELP popdeck_db_tx_retries_total Transactions run again after a serialization "
          "failure or a deadlock.\n"
          "# TYPE popdeck_db_tx_retries_total counter\n"
          "popdeck_db_tx_retries_total %llu\n",
          (unsigned long long)atomic_load(&tx_retries));

  fputs("# HELP popdeck_handler_duration_seconds Time from a verified interaction to its answer.\n"
        "# TYPE popdeck_handler_duration_seconds histogram\n",
        f);
  uint64_t cum = 0;
  for (size_t i = 0; i < N_BUCKET; i++) {
    cum += atomic_load(&hist[i]);
    fprintf(f, "popdeck_handler_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[i],
            (unsigned long long)cum);
  }
  cum += atomic_load(&hist[N_BUCKET]);
  fprintf(f, "popdeck_handler_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
          (unsigned long long)cum);
  fprintf(f, "popdeck_handler_duration_seconds_sum %.6f\n",
          (double)atomic_load(&hist_sum_us) / 1e6);
  fprintf(f, "popdeck_handler_duration_seconds_count %llu\n",
          (unsigned long long)atomic_load(&hist_count));

  fputs("# HELP popdeck_followup_attempts_total Follow-up sends to Discord, by outcome.\n"
        "# TYPE popdeck_followup_attempts_total counter\n",
        f);
  for (int o = 0; o < PD_FOLLOWUP_OUTCOME_COUNT; o++)
    fprintf(f, "popdeck_followup_attempts_total{outcome=\"%s\"} %llu\n", outcome_names[o],
            (unsigned long long)atomic_load(&followups[o]));
  fprintf(f,
          "# HELP popdeck_followup_failures_total Follow-ups given up for good (a refused request "
          "or an expired token).\n"
          "# TYPE popdeck_followup_failures_total counter\n"
          "popdeck_followup_failures_total %llu\n",
          (unsigned long long)(atomic_load(&followups[PD_FOLLOWUP_GAVE_UP]) +
                               atomic_load(&followups[PD_FOLLOWUP_EXPIRED])));

  if (g->followup_queue_depth >= 0)
    fprintf(f,
            "# HELP popdeck_followup_queue_depth Follow-ups waiting to be sent (all instances).\n"
            "# TYPE popdeck_followup_queue_depth gauge\n"
            "popdeck_followup_queue_depth %lld\n",
            (long long)g->followup_queue_depth);
  fprintf(f,
          "# HELP popdeck_db_pool_in_use Database connections checked out of this process's pool.\n"
          "# TYPE popdeck_db_pool_in_use gauge\n"
          "popdeck_db_pool_in_use %lld\n"
          "# HELP popdeck_db_pool_size Size of this process's database pool.\n"
          "# TYPE popdeck_db_pool_size gauge\n"
          "popdeck_db_pool_size %lld\n",
          (long long)g->db_pool_in_use, (long long)g->db_pool_size);
  if (g->clock_skew_s != 0)
    fprintf(f,
            "# HELP popdeck_clock_skew_seconds The database clock's test skew (pd_clock); never "
            "set in production.\n"
            "# TYPE popdeck_clock_skew_seconds gauge\n"
            "popdeck_clock_skew_seconds %.3f\n",
            g->clock_skew_s);
  render_tasks(f, g);

  if (fclose(f) != 0) {
    free(buf);
    return PD_E_NOMEM;
  }
  *out = buf;
  *len = n;
  return PD_OK;
}

#ifdef PD_UNITTEST
void pd_metrics_reset(void)
{
  memset((void *)requests, 0, sizeof(requests));
  memset((void *)hist, 0, sizeof(hist));
  memset((void *)followups, 0, sizeof(followups));
  atomic_store(&sig_failures, 0);
  atomic_store(&tx_retries, 0);
  atomic_store(&hist_count, 0);
  atomic_store(&hist_sum_us, 0);
  pthread_mutex_lock(&task_mu);
  memset(task_runs, 0, sizeof(task_runs));
  pthread_mutex_unlock(&task_mu);
}
#endif
