/* db_jobs.h - the durable follow-up queue (table followup_jobs). */
#ifndef PD_DB_JOBS_H
#define PD_DB_JOBS_H

#include <jansson.h>
#include <stdbool.h>

#include "db.h"

/* The notification channel a new job is announced on (LISTEN in the workers). */
#define PD_JOBS_CHANNEL "popdeck_jobs"
/* Discord keeps an interaction token usable for 15 minutes. */
#define PD_TOKEN_LIFETIME_S (15 * 60)

/* Where a job goes: the interaction's webhook (edit the deferred answer, or a new follow-up), or
 * a direct message to a player (POST /users/@me/channels, then /channels/{id}/messages, with
 * the bot token; no interaction token, so it never expires), or the consumption of a granted
 * Discord entitlement (POST /applications/{app}/entitlements/{id}/consume, bot token, never
 * expires; sql/019). */
enum pd_job_method { PD_JOB_EDIT_ORIGINAL, PD_JOB_FOLLOWUP, PD_JOB_DM, PD_JOB_CONSUME };

struct pd_job {
  int64_t id;
  char *kind;
  char *application_id;
  char *token;
  enum pd_job_method method;
  json_t *payload; /* owned: the message exactly as Discord gets it */
  json_t *attach;  /* owned, NULL when none: what the kind builds its files from; for
                    * PD_JOB_DM {"recipient_id": "..."}; for PD_JOB_CONSUME
                    * {"entitlement_id": "..."} */
  int attempts;
  bool expired; /* the token is past its 15 minutes */
  char ref[16];
};

/* Queues a job in the caller's transaction and announces it on commit.  kind is the name the
 * worker knows it by; payload and attach (may be NULL) are borrowed.  The token is taken to
 * expire PD_TOKEN_LIFETIME_S from now. */
enum pd_result pd_db_job_add(struct pd_db *db, const char *kind, const char *application_id,
                             const char *token, enum pd_job_method method, json_t *payload,
                             json_t *attach, const char *ref, int64_t *id_out);

/* Queues a direct message to the Discord user recipient in the caller's transaction (method
 * PD_JOB_DM, kind "message"): sent when the transaction commits, retried like any job.
 * payload is borrowed. */
enum pd_result pd_db_job_add_dm(struct pd_db *db, const char *application_id, const char *recipient,
                                json_t *payload, const char *ref, int64_t *id_out);

/* Queues the consumption of the Discord entitlement entitlement_id in the caller's
 * transaction (method PD_JOB_CONSUME, kind "message", an empty payload): queued with the grant,
 * so a granted consumable is consumed once the grant commits, and never before. */
enum pd_result pd_db_job_add_consume(struct pd_db *db, const char *application_id,
                                     const char *entitlement_id, const char *ref, int64_t *id_out);

/* Many direct messages in one statement (list: [{"recipient": "discord id", "content": text}]),
 * each a job as pd_db_job_add_dm makes it; *n (may be NULL) gets how many.  PD_E_INVALID when
 * an entry has no numeric recipient or no content (nothing queued). */
enum pd_result pd_db_job_add_dms(struct pd_db *db, const char *application_id, json_t *list,
                                 const char *ref, int64_t *n);

/* In an open transaction: locks the oldest due job (FOR UPDATE SKIP LOCKED).
 * PD_E_NOTFOUND when none is due.  *job is to be freed with pd_job_free. */
enum pd_result pd_db_job_claim(struct pd_db *db, struct pd_job **job);
enum pd_result pd_db_job_done(struct pd_db *db, int64_t id);
enum pd_result pd_db_job_retry(struct pd_db *db, int64_t id, int64_t delay_ms, const char *error);
enum pd_result pd_db_job_fail(struct pd_db *db, int64_t id, const char *error);
/* Jobs still to be sent, across every instance. */
enum pd_result pd_db_job_depth(struct pd_db *db, int64_t *depth);
/* Milliseconds until the next pending job is due (0 when one is due now, -1 when none). */
enum pd_result pd_db_job_next_due_ms(struct pd_db *db, int64_t *ms);

void pd_job_free(struct pd_job *job);

#endif
