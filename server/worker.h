/* worker.h - follow-up workers: deliver queued deferred replies to Discord. */
#ifndef PD_WORKER_H
#define PD_WORKER_H

#include "app.h"

/* How a worker finishes a deferred reply before sending it.  The name of each kind is what
 * followup_jobs.kind holds; a row whose name is none of these is failed, never guessed at.
 * A new kind is a value here plus its row in worker.c's kinds[] (name and prepare function). */
enum pd_job_kind {
  PD_JOB_MESSAGE,      /* the payload as it is (plus stored cards its embeds name) */
  PD_JOB_PACK,         /* attach {"size": n}: the backs of n cards as pack.png */
  PD_JOB_PROFILE_CARD, /* attach {"name", "notes", "discs", "gems", "joined_at"}: profile.png */
  PD_JOB_CHECKOUT, /* attach {"bundle", "player", "key"}: /buy_gems's Stripe link (buy_gems.h) */
  PD_JOB_KIND_COUNT
};

/* The stored name of kind ("message", "pack", ...); NULL for a value out of range. */
const char *pd_job_kind_name(enum pd_job_kind kind);

struct pd_workers;
enum pd_result pd_workers_start(struct pd_app *app, int n, struct pd_workers **out);
/* Asks every worker to stop after its current send, and waits for them. */
void pd_workers_stop(struct pd_workers *w);

#endif
