/* metrics.h - process counters and a latency histogram, rendered in Prometheus text format. */
#ifndef PD_METRICS_H
#define PD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pd.h"

enum pd_route {
  PD_ROUTE_INTERACTIONS,
  PD_ROUTE_HEALTHZ,
  PD_ROUTE_READYZ,
  PD_ROUTE_METRICS,
  PD_ROUTE_CARDS,
  PD_ROUTE_ADMIN,  /* everything under /admin/ (server/admin_api.c) */
  PD_ROUTE_STRIPE, /* POST /webhooks/stripe (server/stripe_webhook.c) */
  PD_ROUTE_EVENTS, /* Discord's webhook events (server/events.c) */
  PD_ROUTE_PLAY,   /* the development playground under /play (server/playground.c) */
  PD_ROUTE_OTHER,
  PD_ROUTE_COUNT
};

enum pd_followup_outcome {
  PD_FOLLOWUP_SENT,
  PD_FOLLOWUP_RATE_LIMITED,
  PD_FOLLOWUP_RETRY,   /* 5xx or network error, will retry */
  PD_FOLLOWUP_GAVE_UP, /* a 4xx that is never retried */
  PD_FOLLOWUP_EXPIRED, /* the 15-minute interaction token ran out */
  PD_FOLLOWUP_OUTCOME_COUNT
};

/* A scheduled task's latest run across every instance (server/scheduler.c), read from the
 * database at scrape time. */
struct pd_metrics_task {
  char task[32];
  double started_at; /* epoch seconds */
  double duration_s; /* 0 while it runs */
  char state[8];     /* running, ok or failed */
  int attempts;
  int missed; /* periods before it that had no run */
};

#define PD_METRICS_TASKS_MAX 16

/* Values read at scrape time rather than counted. */
struct pd_metrics_gauges {
  int64_t followup_queue_depth; /* -1 when the database could not be asked */
  int64_t db_pool_in_use;
  int64_t db_pool_size;
  const struct pd_metrics_task *tasks; /* ntasks of them; tasks that never ran are left out */
  size_t ntasks;
  double clock_skew_s; /* the database clock's test skew (pd_clock), 0 in production */
};

const char *pd_route_name(enum pd_route r);
void pd_metrics_request(enum pd_route route, int status);
void pd_metrics_signature_failure(void);
/* A transaction run again after a serialization failure or a deadlock (pd_db_tx). */
void pd_metrics_tx_retry(void);
void pd_metrics_handler_seconds(double seconds);
void pd_metrics_followup(enum pd_followup_outcome outcome);
/* A scheduled task this instance ran; task is a name that lives as long as the process. */
void pd_metrics_task_run(const char *task, bool ok);

/* Renders everything; *out is malloc'd and NUL-terminated. */
enum pd_result pd_metrics_render(const struct pd_metrics_gauges *g, char **out, size_t *len);

#ifdef PD_UNITTEST
void pd_metrics_reset(void);
#endif

#endif
