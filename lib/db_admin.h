/* db_admin.h - statements of the admin runner (admin.c): audit rows, confirmations, the admins
 * table, and queueing background jobs (sql/015). */
#ifndef PD_DB_ADMIN_H
#define PD_DB_ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct pd_db_audit_row {
  const char *actor, *action, *outcome, *target, *ref; /* target, ref may be NULL */
  json_t *args, *before, *after;                       /* borrowed, may be NULL */
};
enum pd_result pd_db_admin_audit_insert(struct pd_db *db, const struct pd_db_audit_row *row);

struct pd_db_confirmation {
  char *actor, *action;
  json_t *args;
  bool used, expired;
};
/* PD_E_NOTFOUND for an unknown token. */
enum pd_result pd_db_admin_confirm_get(struct pd_db *db, const char *token,
                                       struct pd_db_confirmation *out);
void pd_db_confirmation_clear(struct pd_db_confirmation *c);
/* Marks the token used if it is unused and unexpired; *used says whether this call did. */
enum pd_result pd_db_admin_confirm_use(struct pd_db *db, const char *token, bool *used);
/* Stores a token valid for seconds; *expires gets when (Unix seconds). */
enum pd_result pd_db_admin_confirm_add(struct pd_db *db, const char *token, const char *actor,
                                       const char *action, json_t *args, json_t *preview,
                                       int seconds, int64_t *expires);

/* Uses up actor's unused token without doing anything; *cancelled says whether it did. */
enum pd_result pd_db_admin_confirm_cancel(struct pd_db *db, const char *token, const char *actor,
                                          bool *cancelled);
/* Up to 25 artists whose name holds typed: {"name": "NAME (id N)", "value": "N"}. */
enum pd_result pd_db_admin_suggest_artists(struct pd_db *db, const char *typed, json_t **choices);

/* Whether discord_id is in the admins table. */
enum pd_result pd_db_admin_listed(struct pd_db *db, const char *discord_id, bool *listed);

/* Queues an admin job and announces it on commit (PD_ADMIN_JOBS_CHANNEL).  application_id and
 * token may be NULL (REST). */
enum pd_result pd_db_admin_job_insert(struct pd_db *db, const char *kind, json_t *params,
                                      const char *actor, const char *ref,
                                      const char *application_id, const char *token, int64_t *id);

/* Announces "shutdown" on PD_CONTROL_CHANNEL when the transaction commits. */
enum pd_result pd_db_admin_notify_shutdown(struct pd_db *db);

#endif
