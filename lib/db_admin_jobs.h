/* db_admin_jobs.h - statements of the admin background jobs (table admin_jobs, sql/015): the
 * runner's claim, lease, progress and finish (server/admin_jobs.c), the job and jobs listings
 * (lib/admin_queue.c), the progress edits of a job's Discord message, and the card re-render
 * the render kind does (server/catalog.c). */
#ifndef PD_DB_ADMIN_JOBS_H
#define PD_DB_ADMIN_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Messages a job keeps (the oldest go first); job {job} shows the newest PD_ADMIN_JOB_SHOWN. */
#define PD_ADMIN_JOB_MESSAGES_MAX 200
#define PD_ADMIN_JOB_SHOWN 20

/* A job as its runner holds it once claimed. */
struct pd_db_admin_job {
  int64_t id;
  char kind[32];
  json_t *params; /* owned */
  int attempts, max_attempts;
  int done, total; /* as recorded: a resumed job starts from them */
  char instance[128];
  bool has_token; /* the job came from Discord and its interaction token is still usable */
  char actor[32];
  char ref[40];
};
void pd_db_admin_job_clear(struct pd_db_admin_job *j);

/* In an open transaction: locks the oldest job that is queued or running on an expired lease
 * (FOR UPDATE SKIP LOCKED).  PD_E_NOTFOUND when there is none.  j gets id, kind, attempts,
 * max_attempts and the instance that ran it last ("" for none). */
enum pd_result pd_db_admin_job_pick(struct pd_db *db, struct pd_db_admin_job *j);
/* The picked job becomes this instance's: running, attempts + 1, a lease of lease_s seconds.
 * Fills the rest of j. */
enum pd_result pd_db_admin_job_start(struct pd_db *db, const char *instance, int lease_s,
                                     struct pd_db_admin_job *j);
/* The picked job is failed with error without being run (its attempts are used up). */
enum pd_result pd_db_admin_job_exhaust(struct pd_db *db, int64_t id, const char *error);

/* Records progress (done, total; total < 0 keeps it), appends message (may be NULL), and renews
 * the lease, if this instance still holds the job (same instance, same attempt, running):
 * *held says whether it did. */
enum pd_result pd_db_admin_job_progress(struct pd_db *db, const struct pd_db_admin_job *j,
                                        int lease_s, int done, int total, const char *message,
                                        bool *held);
/* Renews the lease only. */
enum pd_result pd_db_admin_job_renew(struct pd_db *db, const struct pd_db_admin_job *j, int lease_s,
                                     bool *held);
/* Finishes the job: state "done" (with result, borrowed) or "failed" (with error), appending
 * message.  *held as above: a job another instance took is left to it. */
enum pd_result pd_db_admin_job_finish(struct pd_db *db, const struct pd_db_admin_job *j, bool ok,
                                      json_t *result, const char *error, const char *message,
                                      bool *held);
/* Puts the job back in the queue (this instance is stopping): its attempt is not counted, and
 * the queue is told so another instance takes it now. */
enum pd_result pd_db_admin_job_release(struct pd_db *db, const struct pd_db_admin_job *j);

/* The job's Discord message: deletes its progress edits still waiting (not one being sent: SKIP
 * LOCKED), then queues payload (borrowed) as the next edit of the interaction's first answer,
 * unless the token is gone or expired (*queued false). */
enum pd_result pd_db_admin_job_edit(struct pd_db *db, int64_t job, json_t *payload, bool *queued);

/* job {job}: the row as the API shows it (*out owned), PD_E_NOTFOUND when there is none. */
enum pd_result pd_db_admin_job_get(struct pd_db *db, int64_t id, json_t **out);
/* jobs: newest first, state may be NULL, before 0 for the first page, at most limit rows. */
enum pd_result pd_db_admin_job_page(struct pd_db *db, const char *state, int64_t before, int limit,
                                    json_t **out);

/* Whether public_id is a permanent or a temporary card. */
enum pd_result pd_db_admin_card_exists(struct pd_db *db, const char *public_id, bool *exists);
/* Every card's public id, permanent ones first, each kind in the order it was made. */
enum pd_result pd_db_admin_card_ids(struct pd_db *db, json_t **ids);

/* One card as a re-render needs it. */
struct pd_db_render_card {
  bool temporary;
  char public_id[32];
  char artist[256], era[256]; /* "" for a temporary card not complete yet */
  char rarity[16];
  char art[128];         /* stored source art ("art/<phash>.png"), "" when none */
  char source_url[1024]; /* a temporary card's uploaded picture, "" when none */
  int image_rev;
};
/* In an open transaction: waits until no other render of public_id is running, and keeps it
 * so until the transaction ends. */
enum pd_result pd_db_render_lock(struct pd_db *db, const char *public_id);
enum pd_result pd_db_render_card_get(struct pd_db *db, const char *public_id,
                                     struct pd_db_render_card *out);
/* The card's new file: image_url and image_rev. */
enum pd_result pd_db_render_card_set(struct pd_db *db, const struct pd_db_render_card *card,
                                     const char *url, int rev);

#endif
