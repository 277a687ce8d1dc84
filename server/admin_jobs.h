/* admin_jobs.h - the runner of the admin background jobs (admin_jobs rows that the operations
 * ingest, sync, force_render and reseed queue, and that setrarity and create_temp_card queue as
 * "render" {"cards": [public id]}).
 *
 * ADMIN_JOB_WORKERS threads per instance, each with its own connection, LISTEN on
 * PD_ADMIN_JOBS_CHANNEL and claim the oldest job that is queued, or running on an expired lease
 * (its instance died), in a short transaction with FOR UPDATE SKIP LOCKED: so any instance runs
 * a job, and one at a time.  A claim makes the job running, attempts + 1, instance host:pid and
 * a lease of ADMIN_JOB_LEASE_S seconds, which a heartbeat renews while the job's thread is
 * alive and making progress; a job whose attempts already reached max_attempts is failed with
 * the reason instead of run, so none stays "running" forever.  Every kind is idempotent (the
 * catalog writer adds nothing twice; a render draws one more revision), so a job resumed after
 * a crash may redo what the dead instance did: the result is the same.
 *
 * Kinds: "ingest" {"artist"}, "sync" {}, "render" {"cards": [public id]} or {} (every card),
 * "reseed" {}.  Each reports progress with pd_admin_job_progress, which also edits the /admin
 * message the job came from. */
#ifndef PD_ADMIN_JOBS_H
#define PD_ADMIN_JOBS_H

#include <stdbool.h>

#include "app.h"

struct pd_admin_jobs;

/* Starts app->cfg.admin_job_workers threads (none when 0: *out is still set). */
enum pd_result pd_admin_jobs_start(struct pd_app *app, struct pd_admin_jobs **out);
/* Asks every thread to stop: a running job stops at its next progress report and goes back to
 * the queue for another instance. */
void pd_admin_jobs_quiesce(struct pd_admin_jobs *r);
/* Quiesces and waits for the threads.  NULL is fine. */
void pd_admin_jobs_stop(struct pd_admin_jobs *r);

/* A job being run, as its kind sees it. */
struct pd_admin_job;

/* Records that done of total are done (total < 0: unknown) with a line for people ("12/34
 * artists: Taylor Swift"), renews the lease, and when the job came from Discord queues an edit
 * of its message (at most one a second; a newer edit supersedes one not yet sent).  Returns
 * false when the job must stop: another instance took it over, or this one is stopping. */
bool pd_admin_job_progress(struct pd_admin_job *job, int done, int total, const char *text);

#endif
