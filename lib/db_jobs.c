/* db_jobs.c - statements for the follow-up queue. */
#include "db_jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"

/* The follow-up f is not an admin job's progress edit behind an older one still pending. */
#define ADMIN_EDIT_IN_ORDER                                                                        \
  "(f.attach IS NULL OR NOT f.attach ? 'admin_job' OR NOT EXISTS (SELECT 1 FROM followup_jobs o"   \
  " WHERE o.status = 'pending' AND o.attach @> jsonb_build_object('admin_job', f.attach ->"        \
  " 'admin_job') AND o.id < f.id))"

const struct pd_db_stmt pd_db_jobs_stmts[] = {
    {"job_add", "WITH j AS (INSERT INTO followup_jobs (kind, application_id, interaction_token, "
                "method, payload, ref,"
                " token_expires_at, attach) VALUES ($1, $2, $3, $4, $5::jsonb, $6, now() + "
                "interval '15 minutes', $7::jsonb)"
                " RETURNING id)"
                " SELECT id, pg_notify('" PD_JOBS_CHANNEL "', id::text) FROM j"},
    /* A DM waits for no token: it never expires. */
    {"job_add_dms",
     "WITH j AS (INSERT INTO followup_jobs (kind, application_id, interaction_token, method,"
     " payload, ref, token_expires_at, attach)"
     " SELECT 'message', $1, '', 'dm', jsonb_build_object('content', x.content,"
     " 'allowed_mentions', jsonb_build_object('parse', '[]'::jsonb)), $3, 'infinity',"
     " jsonb_build_object('recipient_id', x.recipient)"
     " FROM jsonb_to_recordset($2::jsonb) AS x(recipient text, content text) RETURNING id)"
     " SELECT count(*), pg_notify('" PD_JOBS_CHANNEL "', coalesce(min(id), 0)::text) FROM j"},
    {"job_add_dm",
     "WITH j AS (INSERT INTO followup_jobs (kind, application_id, interaction_token, method,"
     " payload, ref, token_expires_at, attach) VALUES ('message', $1, '', 'dm', $2::jsonb, $3,"
     " 'infinity', jsonb_build_object('recipient_id', $4::text)) RETURNING id)"
     " SELECT id, pg_notify('" PD_JOBS_CHANNEL "', id::text) FROM j"},
    /* A consumption waits for no token either. */
    {"job_add_consume",
     "WITH j AS (INSERT INTO followup_jobs (kind, application_id, interaction_token, method,"
     " payload, ref, token_expires_at, attach) VALUES ('message', $1, '', 'consume', '{}', $2,"
     " 'infinity', jsonb_build_object('entitlement_id', $3::text)) RETURNING id)"
     " SELECT id, pg_notify('" PD_JOBS_CHANNEL "', id::text) FROM j"},
    /* An admin job's progress edits of one message go in order: a newer one waits while an
     * older one is still pending (being sent, or waiting out a retry), so the message never
     * goes back to an earlier count (ADMIN_EDIT_IN_ORDER; the job deletes the older ones it
     * can, db_admin_jobs.c). */
    {"job_claim", "SELECT id, kind, application_id, interaction_token, method, payload, attempts,"
                  " token_expires_at <= now(), coalesce(ref, ''), attach FROM followup_jobs f"
                  " WHERE status = 'pending' AND next_attempt_at <= now() AND " ADMIN_EDIT_IN_ORDER
                  " ORDER BY next_attempt_at, id FOR UPDATE SKIP LOCKED LIMIT 1"},
    {"job_done",
     "UPDATE followup_jobs SET status = 'done', attempts = attempts + 1, finished_at = now(),"
     " interaction_token = '', last_error = NULL WHERE id = $1"},
    /* clock_timestamp, not now(): now() is when the transaction began, before the send, and a
     * retry_after counted from then would come back too early. */
    {"job_retry", "UPDATE followup_jobs SET attempts = attempts + 1, last_error = $3,"
                  " next_attempt_at = clock_timestamp() + make_interval(secs => $2::double "
                  "precision / 1000) WHERE id = $1"},
    {"job_fail",
     "UPDATE followup_jobs SET status = 'failed', attempts = attempts + 1, finished_at = now(),"
     " interaction_token = '', last_error = $2 WHERE id = $1"},
    {"job_depth", "SELECT count(*) FROM followup_jobs WHERE status = 'pending'"},
    /* NULL when nothing is pending (greatest() skips a NULL, so it must not see min()'s). */
    {"job_next_due",
     "SELECT CASE WHEN min(next_attempt_at) IS NOT NULL THEN greatest(0, ceil(extract(epoch FROM"
     " min(next_attempt_at) - now()) * 1000))::bigint END"
     " FROM followup_jobs f WHERE status = 'pending' AND " ADMIN_EDIT_IN_ORDER},
    {NULL, NULL},
};

enum pd_result pd_db_job_add(struct pd_db *db, const char *kind, const char *application_id,
                             const char *token, enum pd_job_method method, json_t *payload,
                             json_t *attach, const char *ref, int64_t *id_out)
{
  PGresult *r = NULL;
  enum pd_result rc = PD_E_NOMEM;
  char *body = json_dumps(payload, JSON_COMPACT);
  char *extra = attach != NULL ? json_dumps(attach, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
  if (body == NULL || (attach != NULL && extra == NULL))
    goto out;
  const char *params[7] = {kind,  application_id,
                           token, method == PD_JOB_EDIT_ORIGINAL ? "edit_original" : "followup",
                           body,  ref,
                           extra};
  rc = pd_db_exec(db, "job_add", 7, params, &r);
out:
  free(body);
  free(extra);
  if (rc != PD_OK)
    return rc;
  if (id_out != NULL)
    *id_out = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_job_add_dm(struct pd_db *db, const char *application_id, const char *recipient,
                                json_t *payload, const char *ref, int64_t *id_out)
{
  PGresult *r = NULL;
  char *body = json_dumps(payload, JSON_COMPACT);
  if (body == NULL)
    return PD_E_NOMEM;
  const char *params[4] = {application_id, body, ref, recipient};
  enum pd_result rc = pd_db_exec(db, "job_add_dm", 4, params, &r);
  free(body);
  if (rc != PD_OK)
    return rc;
  if (id_out != NULL)
    *id_out = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_job_add_consume(struct pd_db *db, const char *application_id,
                                     const char *entitlement_id, const char *ref, int64_t *id_out)
{
  PGresult *r = NULL;
  const char *params[3] = {application_id, ref, entitlement_id};
  enum pd_result rc = pd_db_exec(db, "job_add_consume", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  if (id_out != NULL)
    *id_out = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_job_add_dms(struct pd_db *db, const char *application_id, json_t *list,
                                 const char *ref, int64_t *n)
{
  PGresult *r = NULL;
  size_t i;
  json_t *m;
  json_array_foreach(list, i, m)
  {
    const char *to = json_string_value(json_object_get(m, "recipient"));
    if (to == NULL || to[0] == '\0' || strlen(to) > 20 || strspn(to, "0123456789") != strlen(to) ||
        !json_is_string(json_object_get(m, "content")))
      return PD_E_INVALID;
  }
  char *body = json_dumps(list, JSON_COMPACT);
  if (body == NULL)
    return PD_E_NOMEM;
  const char *params[3] = {application_id, body, ref};
  enum pd_result rc = pd_db_exec(db, "job_add_dms", 3, params, &r);
  free(body);
  if (rc != PD_OK)
    return rc;
  if (n != NULL)
    *n = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

void pd_job_free(struct pd_job *job)
{
  if (job == NULL)
    return;
  free(job->kind);
  free(job->application_id);
  free(job->token);
  json_decref(job->payload);
  json_decref(job->attach);
  free(job);
}

enum pd_result pd_db_job_claim(struct pd_db *db, struct pd_job **out)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "job_claim", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  struct pd_job *j = calloc(1, sizeof(*j));
  if (j == NULL) {
    PQclear(r);
    return PD_E_NOMEM;
  }
  j->id = pd_db_int(r, 0, 0);
  j->kind = strdup(pd_db_val(r, 0, 1));
  j->application_id = strdup(pd_db_val(r, 0, 2));
  j->token = strdup(pd_db_val(r, 0, 3));
  const char *method = pd_db_val(r, 0, 4);
  j->method = strcmp(method, "edit_original") == 0 ? PD_JOB_EDIT_ORIGINAL
              : strcmp(method, "dm") == 0          ? PD_JOB_DM
              : strcmp(method, "consume") == 0     ? PD_JOB_CONSUME
                                                   : PD_JOB_FOLLOWUP;
  j->payload = json_loads(pd_db_val(r, 0, 5), 0, NULL);
  j->attempts = (int)pd_db_int(r, 0, 6);
  j->expired = pd_db_bool(r, 0, 7);
  snprintf(j->ref, sizeof(j->ref), "%s", pd_db_val(r, 0, 8));
  const char *attach = pd_db_val(r, 0, 9);
  j->attach = attach != NULL ? json_loads(attach, JSON_DECODE_ANY, NULL) : NULL;
  PQclear(r);
  if (j->kind == NULL || j->application_id == NULL || j->token == NULL || j->payload == NULL ||
      (attach != NULL && j->attach == NULL)) {
    pd_job_free(j);
    return PD_E_NOMEM;
  }
  *out = j;
  return PD_OK;
}

static enum pd_result by_id(struct pd_db *db, const char *stmt, int64_t id, const char *a,
                            const char *b)
{
  char idbuf[24];
  snprintf(idbuf, sizeof(idbuf), "%" PRId64, id);
  const char *params[3] = {idbuf, a, b};
  int n = 1 + (a != NULL || b != NULL) + (b != NULL);
  return pd_db_exec(db, stmt, n, params, NULL);
}

enum pd_result pd_db_job_done(struct pd_db *db, int64_t id)
{
  return by_id(db, "job_done", id, NULL, NULL);
}

enum pd_result pd_db_job_retry(struct pd_db *db, int64_t id, int64_t delay_ms, const char *error)
{
  char ms[24];
  snprintf(ms, sizeof(ms), "%" PRId64, delay_ms);
  return by_id(db, "job_retry", id, ms, error);
}

enum pd_result pd_db_job_fail(struct pd_db *db, int64_t id, const char *error)
{
  return by_id(db, "job_fail", id, error, NULL);
}

static enum pd_result one_int(struct pd_db *db, const char *stmt, int64_t *out, int64_t if_null)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *out = pd_db_val(r, 0, 0) != NULL ? pd_db_int(r, 0, 0) : if_null;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_job_depth(struct pd_db *db, int64_t *depth)
{
  return one_int(db, "job_depth", depth, 0);
}

enum pd_result pd_db_job_next_due_ms(struct pd_db *db, int64_t *ms)
{
  return one_int(db, "job_next_due", ms, -1);
}
