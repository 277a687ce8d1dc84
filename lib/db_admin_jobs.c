/* db_admin_jobs.c - statements of the admin background jobs (see db_admin_jobs.h). */
#include "db_admin_jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db_admin.h"
#include "db_areas.h"
#include "db_jobs.h"

/* The columns a job is shown with (job, jobs): the newest PD_ADMIN_JOB_SHOWN messages. */
#define JOB_COLUMNS                                                                                \
  "id, kind, state, done, total, (SELECT coalesce(jsonb_agg(m ORDER BY n), '[]')"                  \
  " FROM jsonb_array_elements(messages) WITH ORDINALITY AS x(m, n)"                                \
  " WHERE n > jsonb_array_length(messages) - 20), result, error, attempts, max_attempts,"          \
  " extract(epoch FROM created_at)::bigint, extract(epoch FROM started_at)::bigint,"               \
  " extract(epoch FROM finished_at)::bigint, params, instance, actor"

/* messages with text appended as {"at", "text"}, the oldest dropped past the cap; $N is the
 * text, NULL appends nothing. */
#define APPEND_MESSAGE(p)                                                                          \
  "CASE WHEN " p "::text IS NULL THEN messages ELSE (SELECT coalesce(jsonb_agg(m ORDER BY n),"     \
  " '[]') FROM jsonb_array_elements(messages || jsonb_build_array(jsonb_build_object('at',"        \
  " extract(epoch FROM now())::bigint, 'text', " p "::text))) WITH ORDINALITY AS x(m, n)"          \
  " WHERE n > jsonb_array_length(messages) + 1 - 200) END"

/* Who holds a job: the instance that claimed it, at that attempt, still running. */
#define HELD "id = $1 AND instance = $2 AND attempts = $3::int AND state = 'running'"

const struct pd_db_stmt pd_db_admin_jobs_stmts[] = {
    /* A running job whose lease ran out was left by an instance that died (a live one renews
     * it): it is claimed again like a queued one. */
    {"admin_job_pick",
     "SELECT id, attempts, max_attempts, coalesce(instance, ''), kind FROM admin_jobs"
     " WHERE state = 'queued' OR (state = 'running' AND lease_until < now())"
     " ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1"},
    {"admin_job_start",
     "UPDATE admin_jobs SET state = 'running', attempts = attempts + 1, instance = $2,"
     " lease_until = now() + make_interval(secs => $3::int),"
     " started_at = coalesce(started_at, now()) WHERE id = $1"
     " RETURNING kind, params, attempts, done, coalesce(total, 0), actor, coalesce(ref, ''),"
     " interaction_token IS NOT NULL AND application_id IS NOT NULL"
     " AND token_expires_at > now()"},
    {"admin_job_exhaust",
     "UPDATE admin_jobs SET state = 'failed', error = $2, finished_at = now(), lease_until = NULL,"
     " messages = " APPEND_MESSAGE("$2") " WHERE id = $1"},
    {"admin_job_progress",
     "UPDATE admin_jobs SET done = $4::int, total = CASE WHEN $5::int < 0 THEN total ELSE $5::int"
     " END, messages = " APPEND_MESSAGE(
         "$6") ","
               " lease_until = now() + make_interval(secs => $7::int) WHERE " HELD " RETURNING 1"},
    {"admin_job_renew", "UPDATE admin_jobs SET lease_until = now() + make_interval(secs => $4::int)"
                        " WHERE " HELD " RETURNING 1"},
    {"admin_job_finish",
     "UPDATE admin_jobs SET state = $4, result = $5::jsonb, error = $6, finished_at = now(),"
     " lease_until = NULL, done = CASE WHEN $4 = 'done' THEN greatest(done, coalesce(total, 0))"
     " ELSE done END, messages = " APPEND_MESSAGE("$7") " WHERE " HELD " RETURNING 1"},
    {"admin_job_release", "WITH j AS (UPDATE admin_jobs SET state = 'queued', lease_until = NULL,"
                          " attempts = attempts - 1 WHERE " HELD " RETURNING id)"
                          " SELECT pg_notify('" PD_ADMIN_JOBS_CHANNEL "', id::text) FROM j"},
    /* A progress edit of job N is a follow-up with attach {"admin_job": N}.  The one a worker
     * is sending right now is locked and stays; every other is superseded by the new one. */
    {"admin_job_edit_clear",
     "DELETE FROM followup_jobs WHERE id IN (SELECT id FROM followup_jobs"
     " WHERE status = 'pending' AND method = 'edit_original' AND attach @> jsonb_build_object("
     "'admin_job', $1::bigint) FOR UPDATE SKIP LOCKED)"},
    {"admin_job_edit_add",
     "WITH f AS (INSERT INTO followup_jobs (kind, application_id, interaction_token, method,"
     " payload, ref, token_expires_at, attach)"
     " SELECT 'message', application_id, interaction_token, 'edit_original', $2::jsonb, ref,"
     " token_expires_at, jsonb_build_object('admin_job', id) FROM admin_jobs"
     " WHERE id = $1 AND application_id IS NOT NULL AND interaction_token IS NOT NULL"
     " AND token_expires_at > now() RETURNING id)"
     " SELECT id, pg_notify('" PD_JOBS_CHANNEL "', id::text) FROM f"},
    {"admin_job_get", "SELECT " JOB_COLUMNS " FROM admin_jobs WHERE id = $1"},
    {"admin_job_page",
     "SELECT " JOB_COLUMNS " FROM admin_jobs WHERE ($1::text IS NULL OR state = $1)"
     " AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3::int"},
    /* A removed card (delete_template, purge_artist) is drawn no more. */
    {"admin_card_exists", "SELECT 1 FROM card_templates WHERE public_id = $1 AND removed_at IS NULL"
                          " UNION ALL SELECT 1 FROM temp_card_templates WHERE public_id = $1"
                          " AND removed_at IS NULL"},
    {"admin_card_ids", "SELECT public_id FROM (SELECT public_id, 0 AS k, id FROM card_templates"
                       " WHERE removed_at IS NULL"
                       " UNION ALL SELECT public_id, 1, id FROM temp_card_templates"
                       " WHERE artist_id IS NOT NULL AND era_id IS NOT NULL AND rarity IS NOT NULL"
                       " AND removed_at IS NULL) c ORDER BY k, id"},
    {"admin_render_lock", "SELECT pg_advisory_xact_lock(hashtext('popdeck render ' || $1))"},
    {"admin_render_card",
     "SELECT false, t.public_id, a.name, e.name, t.rarity, coalesce(i.storage_url, ''), '',"
     " t.image_rev FROM card_templates t JOIN artists a ON a.id = t.artist_id"
     " JOIN eras e ON e.id = t.era_id LEFT JOIN era_images i ON i.id = t.source_image_id"
     " WHERE t.public_id = $1"
     " UNION ALL SELECT true, t.public_id, coalesce(a.name, ''), coalesce(e.name, ''),"
     " coalesce(t.rarity, ''), coalesce(i.storage_url, ''), coalesce(t.source_url, ''),"
     " t.image_rev FROM temp_card_templates t LEFT JOIN artists a ON a.id = t.artist_id"
     " LEFT JOIN eras e ON e.id = t.era_id LEFT JOIN era_images i ON i.id = t.source_image_id"
     " WHERE t.public_id = $1"},
    {"admin_render_set_template",
     "UPDATE card_templates SET image_url = $2, image_rev = $3::int WHERE public_id = $1"},
    {"admin_render_set_temp",
     "UPDATE temp_card_templates SET image_url = $2, image_rev = $3::int WHERE public_id = $1"},
    {NULL, NULL},
};

static void id_text(int64_t v, char out[24])
{
  snprintf(out, 24, "%" PRId64, v);
}

void pd_db_admin_job_clear(struct pd_db_admin_job *j)
{
  json_decref(j->params);
  memset(j, 0, sizeof(*j));
}

enum pd_result pd_db_admin_job_pick(struct pd_db *db, struct pd_db_admin_job *j)
{
  PGresult *r = NULL;
  memset(j, 0, sizeof(*j));
  enum pd_result rc = pd_db_exec(db, "admin_job_pick", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  j->id = pd_db_int(r, 0, 0);
  j->attempts = (int)pd_db_int(r, 0, 1);
  j->max_attempts = (int)pd_db_int(r, 0, 2);
  snprintf(j->instance, sizeof(j->instance), "%s", pd_db_val(r, 0, 3));
  snprintf(j->kind, sizeof(j->kind), "%s", pd_db_val(r, 0, 4));
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_admin_job_start(struct pd_db *db, const char *instance, int lease_s,
                                     struct pd_db_admin_job *j)
{
  PGresult *r = NULL;
  char id[24], lease[24];
  id_text(j->id, id);
  id_text(lease_s, lease);
  const char *p[3] = {id, instance, lease};
  enum pd_result rc = pd_db_exec(db, "admin_job_start", 3, p, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 1) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  snprintf(j->kind, sizeof(j->kind), "%s", pd_db_val(r, 0, 0));
  j->params = json_loads(pd_db_val(r, 0, 1), 0, NULL);
  j->attempts = (int)pd_db_int(r, 0, 2);
  j->done = (int)pd_db_int(r, 0, 3);
  j->total = (int)pd_db_int(r, 0, 4);
  snprintf(j->actor, sizeof(j->actor), "%s", pd_db_val(r, 0, 5));
  snprintf(j->ref, sizeof(j->ref), "%s", pd_db_val(r, 0, 6));
  j->has_token = pd_db_bool(r, 0, 7);
  snprintf(j->instance, sizeof(j->instance), "%s", instance);
  PQclear(r);
  return j->params != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_db_admin_job_exhaust(struct pd_db *db, int64_t id, const char *error)
{
  char idt[24];
  id_text(id, idt);
  const char *p[2] = {idt, error};
  return pd_db_exec(db, "admin_job_exhaust", 2, p, NULL);
}

/* Runs a statement on a held job (parameters 1-3 are id, instance, attempt; then extra). */
static enum pd_result held_exec(struct pd_db *db, const char *stmt, const struct pd_db_admin_job *j,
                                int nextra, const char *const *extra, bool *held)
{
  PGresult *r = NULL;
  char id[24], attempt[24];
  const char *p[8] = {id, j->instance, attempt};
  id_text(j->id, id);
  id_text(j->attempts, attempt);
  for (int i = 0; i < nextra && i < 5; i++)
    p[3 + i] = extra[i];
  enum pd_result rc = pd_db_exec(db, stmt, 3 + nextra, p, &r);
  if (rc == PD_OK && held != NULL)
    *held = PQntuples(r) == 1;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_admin_job_progress(struct pd_db *db, const struct pd_db_admin_job *j,
                                        int lease_s, int done, int total, const char *message,
                                        bool *held)
{
  char d[24], t[24], lease[24];
  id_text(done, d);
  id_text(total, t);
  id_text(lease_s, lease);
  const char *extra[4] = {d, t, message, lease};
  return held_exec(db, "admin_job_progress", j, 4, extra, held);
}

enum pd_result pd_db_admin_job_renew(struct pd_db *db, const struct pd_db_admin_job *j, int lease_s,
                                     bool *held)
{
  char lease[24];
  id_text(lease_s, lease);
  const char *extra[1] = {lease};
  return held_exec(db, "admin_job_renew", j, 1, extra, held);
}

enum pd_result pd_db_admin_job_finish(struct pd_db *db, const struct pd_db_admin_job *j, bool ok,
                                      json_t *result, const char *error, const char *message,
                                      bool *held)
{
  char *res = pd_db_json_param(result);
  const char *extra[4] = {ok ? "done" : "failed", res, ok ? NULL : error, message};
  enum pd_result rc = held_exec(db, "admin_job_finish", j, 4, extra, held);
  free(res);
  return rc;
}

enum pd_result pd_db_admin_job_release(struct pd_db *db, const struct pd_db_admin_job *j)
{
  return held_exec(db, "admin_job_release", j, 0, NULL, NULL);
}

enum pd_result pd_db_admin_job_edit(struct pd_db *db, int64_t job, json_t *payload, bool *queued)
{
  PGresult *r = NULL;
  char id[24];
  id_text(job, id);
  *queued = false;
  const char *p1[1] = {id};
  enum pd_result rc = pd_db_exec(db, "admin_job_edit_clear", 1, p1, NULL);
  if (rc != PD_OK)
    return rc;
  char *body = json_dumps(payload, JSON_COMPACT);
  if (body == NULL)
    return PD_E_NOMEM;
  const char *p2[2] = {id, body};
  rc = pd_db_exec(db, "admin_job_edit_add", 2, p2, &r);
  free(body);
  if (rc == PD_OK)
    *queued = PQntuples(r) == 1;
  PQclear(r);
  return rc;
}

static json_t *json_col(const PGresult *r, int row, int col)
{
  const char *v = pd_db_val(r, row, col);
  json_t *j = v != NULL ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
  return j != NULL ? j : json_null();
}

static json_t *int_or_null(const PGresult *r, int row, int col)
{
  return pd_db_val(r, row, col) != NULL ? json_integer(pd_db_int(r, row, col)) : json_null();
}

static json_t *job_of(const PGresult *r, int i)
{
  return json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:o, s:s?, s:I, s:I, s:I, s:o, s:o, s:o, s:s?,"
                   " s:s}",
                   "id", (json_int_t)pd_db_int(r, i, 0), "kind", pd_db_val(r, i, 1), "state",
                   pd_db_val(r, i, 2), "done", (json_int_t)pd_db_int(r, i, 3), "total",
                   int_or_null(r, i, 4), "messages", json_col(r, i, 5), "result", json_col(r, i, 6),
                   "error", pd_db_val(r, i, 7), "attempts", (json_int_t)pd_db_int(r, i, 8),
                   "max_attempts", (json_int_t)pd_db_int(r, i, 9), "created",
                   (json_int_t)pd_db_int(r, i, 10), "started", int_or_null(r, i, 11), "finished",
                   int_or_null(r, i, 12), "params", json_col(r, i, 13), "instance",
                   pd_db_val(r, i, 14), "actor", pd_db_val(r, i, 15));
}

enum pd_result pd_db_admin_job_get(struct pd_db *db, int64_t id, json_t **out)
{
  PGresult *r = NULL;
  char idt[24];
  id_text(id, idt);
  const char *p[1] = {idt};
  enum pd_result rc = pd_db_exec(db, "admin_job_get", 1, p, &r);
  if (rc != PD_OK)
    return rc;
  *out = PQntuples(r) == 1 ? job_of(r, 0) : NULL;
  rc = PQntuples(r) == 1 ? (*out != NULL ? PD_OK : PD_E_NOMEM) : PD_E_NOTFOUND;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_admin_job_page(struct pd_db *db, const char *state, int64_t before, int limit,
                                    json_t **out)
{
  PGresult *r = NULL;
  char b[24], l[24];
  id_text(before, b);
  id_text(limit, l);
  const char *p[3] = {state, before > 0 ? b : NULL, l};
  enum pd_result rc = pd_db_exec(db, "admin_job_page", 3, p, &r);
  if (rc != PD_OK)
    return rc;
  *out = json_array();
  for (int i = 0; *out != NULL && i < PQntuples(r); i++)
    json_array_append_new(*out, job_of(r, i));
  PQclear(r);
  return *out != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_db_admin_card_exists(struct pd_db *db, const char *public_id, bool *exists)
{
  PGresult *r = NULL;
  const char *p[1] = {public_id};
  enum pd_result rc = pd_db_exec(db, "admin_card_exists", 1, p, &r);
  if (rc == PD_OK)
    *exists = PQntuples(r) > 0;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_admin_card_ids(struct pd_db *db, json_t **ids)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "admin_card_ids", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *ids = json_array();
  for (int i = 0; *ids != NULL && i < PQntuples(r); i++)
    json_array_append_new(*ids, json_string(pd_db_val(r, i, 0)));
  PQclear(r);
  return *ids != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_db_render_lock(struct pd_db *db, const char *public_id)
{
  const char *p[1] = {public_id};
  return pd_db_exec(db, "admin_render_lock", 1, p, NULL);
}

enum pd_result pd_db_render_card_get(struct pd_db *db, const char *public_id,
                                     struct pd_db_render_card *out)
{
  PGresult *r = NULL;
  const char *p[1] = {public_id};
  memset(out, 0, sizeof(*out));
  enum pd_result rc = pd_db_exec(db, "admin_render_card", 1, p, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  out->temporary = pd_db_bool(r, 0, 0);
  snprintf(out->public_id, sizeof(out->public_id), "%s", pd_db_val(r, 0, 1));
  snprintf(out->artist, sizeof(out->artist), "%s", pd_db_val(r, 0, 2));
  snprintf(out->era, sizeof(out->era), "%s", pd_db_val(r, 0, 3));
  snprintf(out->rarity, sizeof(out->rarity), "%s", pd_db_val(r, 0, 4));
  snprintf(out->art, sizeof(out->art), "%s", pd_db_val(r, 0, 5));
  snprintf(out->source_url, sizeof(out->source_url), "%s", pd_db_val(r, 0, 6));
  out->image_rev = (int)pd_db_int(r, 0, 7);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_render_card_set(struct pd_db *db, const struct pd_db_render_card *card,
                                     const char *url, int rev)
{
  char r[24];
  id_text(rev, r);
  const char *p[3] = {card->public_id, url, r};
  return pd_db_exec(db, card->temporary ? "admin_render_set_temp" : "admin_render_set_template", 3,
                    p, NULL);
}
