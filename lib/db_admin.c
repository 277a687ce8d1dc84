/* db_admin.c - statements for the admin runner (see db_admin.h). */
#include "db_admin.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "db_areas.h"
#include "db_jobs.h"

const struct pd_db_stmt pd_db_admin_stmts[] = {
    {"admin_audit_insert",
     "INSERT INTO admin_audit (actor, action, outcome, target, args, before, after, ref)"
     " VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8)"},
    {"admin_confirm_get", "SELECT actor, action, args, used_at IS NOT NULL, expires_at <= pd_now()"
                          " FROM admin_confirmations WHERE token = $1"},
    {"admin_confirm_use", "UPDATE admin_confirmations SET used_at = pd_now()"
                          " WHERE token = $1 AND used_at IS NULL AND expires_at > pd_now()"
                          " RETURNING 1"},
    /* Old rows go as new ones come: a table of two-minute tokens stays small. */
    {"admin_confirm_add",
     "WITH gone AS (DELETE FROM admin_confirmations WHERE expires_at < pd_now() - interval '1 day')"
     " INSERT INTO admin_confirmations (token, actor, action, args, preview, expires_at)"
     " VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, pd_now() + make_interval(secs => $6::int))"
     " RETURNING extract(epoch FROM expires_at)::bigint"},
    {"admin_listed", "SELECT 1 FROM admins WHERE discord_id = $1"},
    {"admin_job_insert",
     "WITH j AS (INSERT INTO admin_jobs (kind, params, actor, ref, application_id,"
     " interaction_token, token_expires_at) VALUES ($1, $2::jsonb, $3, $4, $5, $6,"
     " CASE WHEN $6::text IS NULL THEN NULL ELSE pd_now() + interval '15 minutes' END)"
     " RETURNING id)"
     " SELECT id, pg_notify('" PD_ADMIN_JOBS_CHANNEL "', id::text) FROM j"},
    /* Keyset pages, newest first: (actor, id) and (action, id) serve the filters. */
    {"admin_audit_page",
     "SELECT id, extract(epoch FROM at)::bigint, actor, action, outcome, target, args, before,"
     " after, ref FROM admin_audit"
     " WHERE ($1::text IS NULL OR actor = $1) AND ($2::text IS NULL OR action = $2)"
     "   AND ($3::bigint IS NULL OR id < $3)"
     " ORDER BY id DESC LIMIT $4::int"},
    {"admin_confirm_cancel", "UPDATE admin_confirmations SET used_at = pd_now()"
                             " WHERE token = $1 AND actor = $2 AND used_at IS NULL RETURNING 1"},
    {"admin_suggest_artists",
     "SELECT left(name || ' (id ' || id || ')', 100), id::text FROM artists"
     " WHERE removed_at IS NULL AND lower(name) LIKE '%' || " LIKE_LITERAL(
         "$1") " || '%'"
               " ORDER BY lower(name) LIKE " LIKE_LITERAL("$1") " || '%' DESC, name LIMIT 25"},
    {"admin_notify_shutdown", "SELECT pg_notify('" PD_CONTROL_CHANNEL "', 'shutdown')"},
    {"admins_list", "SELECT discord_id, added_by, extract(epoch FROM added_at)::bigint"
                    " FROM admins ORDER BY added_at, discord_id"},
    {"admins_add", "INSERT INTO admins (discord_id, added_by) VALUES ($1, $2)"
                   " ON CONFLICT (discord_id) DO NOTHING RETURNING 1"},
    {"admins_remove", "DELETE FROM admins WHERE discord_id = $1 RETURNING added_by"},
    {NULL, NULL},
};

enum pd_result pd_db_admin_audit_insert(struct pd_db *db, const struct pd_db_audit_row *row)
{
  char *args = pd_db_json_param(row->args), *before = pd_db_json_param(row->before),
       *after = pd_db_json_param(row->after);
  const char *params[8] = {row->actor, row->action, row->outcome, row->target,
                           args,       before,      after,        row->ref};
  enum pd_result rc = pd_db_exec(db, "admin_audit_insert", 8, params, NULL);
  free(args);
  free(before);
  free(after);
  return rc;
}

enum pd_result pd_db_admin_confirm_get(struct pd_db *db, const char *token,
                                       struct pd_db_confirmation *out)
{
  PGresult *res = NULL;
  const char *params[1] = {token};
  memset(out, 0, sizeof(*out));
  enum pd_result rc = pd_db_exec(db, "admin_confirm_get", 1, params, &res);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(res) == 0) {
    PQclear(res);
    return PD_E_NOTFOUND;
  }
  out->actor = strdup(pd_db_val(res, 0, 0));
  out->action = strdup(pd_db_val(res, 0, 1));
  out->args = json_loads(pd_db_val(res, 0, 2), 0, NULL);
  out->used = pd_db_bool(res, 0, 3);
  out->expired = pd_db_bool(res, 0, 4);
  PQclear(res);
  if (out->actor == NULL || out->action == NULL || out->args == NULL) {
    pd_db_confirmation_clear(out);
    return PD_E_NOMEM;
  }
  return PD_OK;
}

void pd_db_confirmation_clear(struct pd_db_confirmation *c)
{
  free(c->actor);
  free(c->action);
  json_decref(c->args);
  memset(c, 0, sizeof(*c));
}

enum pd_result pd_db_admin_confirm_use(struct pd_db *db, const char *token, bool *used)
{
  PGresult *res = NULL;
  const char *params[1] = {token};
  enum pd_result rc = pd_db_exec(db, "admin_confirm_use", 1, params, &res);
  if (rc == PD_OK)
    *used = PQntuples(res) == 1;
  PQclear(res);
  return rc;
}

enum pd_result pd_db_admin_confirm_add(struct pd_db *db, const char *token, const char *actor,
                                       const char *action, json_t *args, json_t *preview,
                                       int seconds, int64_t *expires)
{
  PGresult *res = NULL;
  char secs[16];
  char *a = pd_db_json_param(args), *p = pd_db_json_param(preview);
  snprintf(secs, sizeof(secs), "%d", seconds);
  const char *params[6] = {token, actor, action, a != NULL ? a : "{}", p != NULL ? p : "{}", secs};
  enum pd_result rc = pd_db_exec(db, "admin_confirm_add", 6, params, &res);
  if (rc == PD_OK)
    *expires = pd_db_int(res, 0, 0);
  PQclear(res);
  free(a);
  free(p);
  return rc;
}

enum pd_result pd_db_admin_listed(struct pd_db *db, const char *discord_id, bool *listed)
{
  PGresult *res = NULL;
  const char *params[1] = {discord_id};
  enum pd_result rc = pd_db_exec(db, "admin_listed", 1, params, &res);
  if (rc == PD_OK)
    *listed = PQntuples(res) == 1;
  PQclear(res);
  return rc;
}

enum pd_result pd_db_admin_job_insert(struct pd_db *db, const char *kind, json_t *params,
                                      const char *actor, const char *ref,
                                      const char *application_id, const char *token, int64_t *id)
{
  PGresult *res = NULL;
  char *p = pd_db_json_param(params);
  const char *v[6] = {kind, p != NULL ? p : "{}", actor, ref, application_id, token};
  enum pd_result rc = pd_db_exec(db, "admin_job_insert", 6, v, &res);
  if (rc == PD_OK)
    *id = pd_db_int(res, 0, 0);
  PQclear(res);
  free(p);
  return rc;
}

enum pd_result pd_db_admin_confirm_cancel(struct pd_db *db, const char *token, const char *actor,
                                          bool *cancelled)
{
  PGresult *res = NULL;
  const char *params[2] = {token, actor};
  enum pd_result rc = pd_db_exec(db, "admin_confirm_cancel", 2, params, &res);
  if (rc == PD_OK)
    *cancelled = PQntuples(res) == 1;
  PQclear(res);
  return rc;
}

enum pd_result pd_db_admin_suggest_artists(struct pd_db *db, const char *typed, json_t **choices)
{
  PGresult *r = NULL;
  const char *params[1] = {typed != NULL ? typed : ""};
  enum pd_result rc = pd_db_exec(db, "admin_suggest_artists", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *choices = json_array();
  for (int i = 0; *choices != NULL && i < PQntuples(r); i++)
    json_array_append_new(
        *choices, json_pack("{s:s, s:s}", "name", pd_db_val(r, i, 0), "value", pd_db_val(r, i, 1)));
  PQclear(r);
  return *choices != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_db_admin_notify_shutdown(struct pd_db *db)
{
  return pd_db_exec(db, "admin_notify_shutdown", 0, NULL, NULL);
}
