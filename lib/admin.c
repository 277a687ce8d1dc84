/* admin.c - runs admin operations: owner checks, confirmations, one transaction with its audit
 * row (see admin.h), and the argument helpers every operation reads its input with. */
#include "admin.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ops.h"
#include "admins.h"
#include "db_admin.h"
#include "db_jobs.h"
#include "utf8.h"

const struct pd_admin_op pd_admin_ops[] = {
    {"give_currency", 0, pd_admin_give_currency, pd_admin_give_currency_confirm_if},
    {"audit", PD_ADMIN_READ, pd_admin_audit_list, NULL},
    {"admins_list", PD_ADMIN_READ, pd_admin_admins_list, NULL},
    {"admins_add", PD_ADMIN_OWNER_ONLY, pd_admin_admins_add, NULL},
    {"admins_remove", PD_ADMIN_OWNER_ONLY, pd_admin_admins_remove, NULL},
    {"shutdown", PD_ADMIN_OWNER_ONLY, pd_admin_shutdown, NULL},
    {"ban", 0, pd_admin_ban, NULL},
    {"unban", 0, pd_admin_unban, NULL},
    {"flags", PD_ADMIN_READ, pd_admin_flags, NULL},
    {"flags_review", 0, pd_admin_flags_review, NULL},
    {"user", PD_ADMIN_READ, pd_admin_user, NULL},
    {"payments", PD_ADMIN_READ, pd_admin_payments, NULL},
    {"event_create", 0, pd_admin_event_create, NULL},
    {"event_end", 0, pd_admin_event_end, NULL},
    {"event_list", PD_ADMIN_READ, pd_admin_event_list, NULL},
    {"create_temp_card", 0, pd_admin_create_temp_card, NULL},
    {"clear_db", PD_ADMIN_OWNER_ONLY | PD_ADMIN_DESTRUCTIVE, pd_admin_clear_db, NULL},
    {"ingest", 0, pd_admin_ingest, NULL},
    {"sync", 0, pd_admin_sync, NULL},
    {"force_render", 0, pd_admin_force_render, NULL},
    {"reseed", PD_ADMIN_OWNER_ONLY, pd_admin_reseed, NULL},
    {"job", PD_ADMIN_READ, pd_admin_job, NULL},
    {"jobs", PD_ADMIN_READ, pd_admin_jobs, NULL},
    {"setrarity", 0, pd_admin_setrarity, NULL},
    {"delete_template", PD_ADMIN_DESTRUCTIVE, pd_admin_delete_template, NULL},
    {"purge_artist", PD_ADMIN_DESTRUCTIVE, pd_admin_purge_artist, NULL},
    {NULL, 0, NULL, NULL},
};

const struct pd_admin_op *pd_admin_op_find(const char *name)
{
  for (const struct pd_admin_op *o = pd_admin_ops; name != NULL && o->name != NULL; o++)
    if (strcmp(o->name, name) == 0)
      return o;
  return NULL;
}

enum pd_result pd_admin_refuse(struct pd_admin_call *c, int status, const char *code,
                               const char *fmt, ...)
{
  va_list ap;
  c->err_status = status;
  snprintf(c->err_code, sizeof(c->err_code), "%s", code);
  va_start(ap, fmt);
  pd_utf8_vfmt(c->err_message, sizeof(c->err_message), fmt, ap);
  va_end(ap);
  return PD_E_USER;
}

json_t *pd_admin_result(struct pd_admin_call *c, const char *fmt, ...)
{
  char text[1000];
  va_list ap;
  va_start(ap, fmt);
  pd_utf8_vfmt(text, sizeof(text), fmt, ap);
  va_end(ap);
  if (c->result == NULL)
    c->result = json_object();
  if (c->result != NULL)
    json_object_set_new(c->result, "message", json_string(text));
  return c->result;
}

/* ---- arguments ---- */

enum pd_result pd_admin_arg_str(struct pd_admin_call *c, const char *name, const char **out)
{
  json_t *v = json_object_get(c->args, name);
  if (v == NULL || json_is_null(v))
    return PD_E_NOTFOUND;
  if (!json_is_string(v))
    return pd_admin_refuse(c, 400, "invalid_argument", "\"%s\" must be text.", name);
  *out = json_string_value(v);
  return PD_OK;
}

enum pd_result pd_admin_arg_int(struct pd_admin_call *c, const char *name, int64_t *out)
{
  json_t *v = json_object_get(c->args, name);
  if (v == NULL || json_is_null(v))
    return PD_E_NOTFOUND;
  if (json_is_integer(v)) {
    *out = json_integer_value(v);
    return PD_OK;
  }
  const char *s = json_string_value(v);
  const char *digits = s != NULL && s[0] == '-' ? s + 1 : s;
  if (digits != NULL && digits[0] != '\0' && strlen(digits) <= 18 &&
      strspn(digits, "0123456789") == strlen(digits)) {
    *out = strtoll(s, NULL, 10);
    return PD_OK;
  }
  return pd_admin_refuse(c, 400, "invalid_argument", "\"%s\" must be a whole number.", name);
}

enum pd_result pd_admin_arg_bool(struct pd_admin_call *c, const char *name, bool *out)
{
  json_t *v = json_object_get(c->args, name);
  if (v == NULL || json_is_null(v))
    return PD_E_NOTFOUND;
  if (json_is_boolean(v)) {
    *out = json_is_true(v);
    return PD_OK;
  }
  const char *s = json_string_value(v);
  if (s != NULL && (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)) {
    *out = true;
    return PD_OK;
  }
  if (s != NULL && (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)) {
    *out = false;
    return PD_OK;
  }
  return pd_admin_refuse(c, 400, "invalid_argument", "\"%s\" must be true or false.", name);
}

enum pd_result pd_admin_arg_snowflake(struct pd_admin_call *c, const char *name, char out[24])
{
  json_t *v = json_object_get(c->args, name);
  if (v == NULL || json_is_null(v))
    return PD_E_NOTFOUND;
  if (json_is_integer(v) && json_integer_value(v) > 0) {
    snprintf(out, 24, "%" PRId64, (int64_t)json_integer_value(v));
    return PD_OK;
  }
  const char *s = json_string_value(v);
  if (s != NULL && s[0] != '\0' && strlen(s) <= 20 && strspn(s, "0123456789") == strlen(s)) {
    snprintf(out, 24, "%s", s);
    return PD_OK;
  }
  return pd_admin_refuse(c, 400, "invalid_argument",
                         "\"%s\" must be a Discord user id (digits only).", name);
}

static enum pd_result missing(struct pd_admin_call *c, const char *name, enum pd_result rc)
{
  if (rc != PD_E_NOTFOUND)
    return rc;
  return pd_admin_refuse(c, 400, "missing_argument", "\"%s\" is required.", name);
}

enum pd_result pd_admin_need_str(struct pd_admin_call *c, const char *name, const char **out)
{
  return missing(c, name, pd_admin_arg_str(c, name, out));
}

enum pd_result pd_admin_need_int(struct pd_admin_call *c, const char *name, int64_t *out)
{
  return missing(c, name, pd_admin_arg_int(c, name, out));
}

enum pd_result pd_admin_need_snowflake(struct pd_admin_call *c, const char *name, char out[24])
{
  return missing(c, name, pd_admin_arg_snowflake(c, name, out));
}

enum pd_result pd_admin_need_user(struct pd_admin_call *c, char out[24])
{
  enum pd_result rc = pd_admin_need_snowflake(c, "user", out);
  if (rc == PD_OK)
    snprintf(c->target, sizeof(c->target), "user %s", out);
  return rc;
}

/* ---- running a call ---- */

struct run {
  const struct pd_admin_op *op;
  struct pd_admin_call call;
  const char *confirm; /* the token to use up, or NULL */
  bool token_lost;     /* the token was used (or expired) by the time the work ran */
};

static void call_reset(struct pd_admin_call *c)
{
  json_decref(c->result);
  json_decref(c->before);
  json_decref(c->after);
  c->result = c->before = c->after = NULL;
  c->status = 0;
  c->target[0] = '\0';
  c->err_status = 0;
  c->err_code[0] = '\0';
  c->err_message[0] = '\0';
}

static enum pd_result audit_row(struct pd_db *db, const struct pd_admin_call *c, const char *action,
                                const char *outcome, json_t *after)
{
  struct pd_db_audit_row row = {
      .actor = c->who->actor,
      .action = action,
      .outcome = outcome,
      .target = c->target[0] != '\0' ? c->target : NULL,
      .args = c->args,
      .before = c->before,
      .after = after,
      .ref = c->who->ref,
  };
  return pd_db_admin_audit_insert(db, &row);
}

/* The work, inside pd_db_tx: use up the token, run the operation, write its audit row.  A
 * preview always ends in PD_E_USER, so its transaction is rolled back. */
static enum pd_result run_tx(struct pd_db *db, void *arg)
{
  struct run *r = arg;
  struct pd_admin_call *c = &r->call;
  call_reset(c);
  c->db = db;
  if (r->confirm != NULL && !c->preview) {
    bool used = false;
    enum pd_result rc = pd_db_admin_confirm_use(db, r->confirm, &used);
    if (rc != PD_OK)
      return rc;
    if (!used) {
      r->token_lost = true;
      return pd_admin_refuse(c, 410, "confirm_used",
                             "That confirmation was already used or has expired. Start again.");
    }
  }
  enum pd_result rc = r->op->run(c);
  if (rc == PD_OK && c->result == NULL)
    pd_admin_result(c, "%s done.", r->op->name);
  if (rc == PD_OK && c->result == NULL)
    return PD_E_NOMEM;
  if (rc != PD_OK)
    return rc;
  if (c->preview)
    return PD_E_USER; /* nothing of a preview may last */
  return audit_row(db, c, r->op->name, "done", c->after);
}

/* An audit row in a transaction of its own (refusals, previews): the call's own rolled back. */
static enum pd_result audit_alone(struct pd_db *db, struct pd_admin_call *c, const char *action,
                                  const char *outcome, json_t *after)
{
  enum pd_result rc = pd_db_exec_sql(db, "BEGIN");
  if (rc == PD_OK)
    rc = audit_row(db, c, action, outcome, after);
  if (rc == PD_OK)
    return pd_db_exec_sql(db, "COMMIT");
  (void)pd_db_exec_sql(db, "ROLLBACK");
  return rc;
}

static json_t *error_body(const char *code, const char *message)
{
  return json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message);
}

static void answer_error(struct pd_admin_answer *out, int status, const char *code,
                         const char *message)
{
  out->status = status;
  out->body = error_body(code, message);
}

/* Refuses with the call's refusal and audits it (outcome "refused", the error as after). */
static enum pd_result answer_refusal(struct pd_db *db, struct run *r, const char *action,
                                     struct pd_admin_answer *out)
{
  struct pd_admin_call *c = &r->call;
  answer_error(out, c->err_status, c->err_code, c->err_message);
  json_t *after = json_object_get(out->body, "error");
  json_decref(c->before);
  c->before = NULL;
  return out->body != NULL ? audit_alone(db, c, action, "refused", after) : PD_E_NOMEM;
}

/* A token's row, checked against the caller before any work: whose, which operation, which
 * arguments.  Fills *op_name and *stored (owned) on success. */
static enum pd_result check_token(struct pd_db *db, struct run *r, const char *op,
                                  const char *token, char *op_name, size_t cap, json_t **stored)
{
  struct pd_admin_call *c = &r->call;
  struct pd_db_confirmation row;
  *stored = NULL;
  if (strlen(token) != PD_ADMIN_TOKEN_LEN || strspn(token, "0123456789abcdef") != strlen(token))
    return pd_admin_refuse(c, 404, "confirm_unknown",
                           "That confirmation token is not one PopDeck gave out. Start again.");
  enum pd_result rc = pd_db_admin_confirm_get(db, token, &row);
  if (rc == PD_E_NOTFOUND)
    return pd_admin_refuse(c, 404, "confirm_unknown",
                           "That confirmation token is not one PopDeck gave out. Start again.");
  if (rc != PD_OK)
    return rc;
  rc = PD_E_USER;
  if (strcmp(row.actor, c->who->actor) != 0)
    pd_admin_refuse(c, 403, "confirm_not_yours",
                    "Only the admin who asked for this can confirm it.");
  else if (row.used)
    pd_admin_refuse(c, 410, "confirm_used", "That confirmation was already used. Start again.");
  else if (row.expired)
    pd_admin_refuse(c, 410, "confirm_expired",
                    "That confirmation expired (they last %d seconds). Start again.",
                    PD_ADMIN_CONFIRM_S);
  else if ((op != NULL && strcmp(op, row.action) != 0) ||
           (c->args != NULL && json_object_size(c->args) > 0 && !json_equal(c->args, row.args)))
    pd_admin_refuse(c, 409, "confirm_mismatch",
                    "That confirmation was made for another call (%s). Repeat exactly the call "
                    "that was previewed.",
                    row.action);
  else
    rc = PD_OK;
  if (rc == PD_OK) {
    snprintf(op_name, cap, "%s", row.action);
    *stored = json_incref(row.args);
  }
  pd_db_confirmation_clear(&row);
  return rc;
}

/* Stores a confirmation for the preview in r and answers 409 with it. */
static enum pd_result answer_preview(struct pd_db *db, struct run *r, struct pd_admin_answer *out)
{
  struct pd_admin_call *c = &r->call;
  unsigned char raw[PD_ADMIN_TOKEN_LEN / 2];
  int64_t expires = 0;
  randombytes_buf(raw, sizeof(raw));
  sodium_bin2hex(out->confirm, sizeof(out->confirm), raw, sizeof(raw));
  enum pd_result rc = pd_db_exec_sql(db, "BEGIN");
  if (rc == PD_OK)
    rc = pd_db_admin_confirm_add(db, out->confirm, c->who->actor, r->op->name, c->args, c->result,
                                 PD_ADMIN_CONFIRM_S, &expires);
  if (rc == PD_OK)
    rc = audit_row(db, c, r->op->name, "previewed", c->result);
  if (rc == PD_OK)
    rc = pd_db_exec_sql(db, "COMMIT");
  if (rc != PD_OK) {
    (void)pd_db_exec_sql(db, "ROLLBACK");
    out->confirm[0] = '\0';
    return rc;
  }
  const char *what = json_string_value(json_object_get(c->result, "message"));
  char message[600];
  pd_utf8_fmt(message, sizeof(message),
              "%s Confirm within %d seconds: repeat the call with ?confirm=TOKEN, or press "
              "Confirm.",
              what != NULL ? what : "This cannot be undone.", PD_ADMIN_CONFIRM_S);
  out->status = 409;
  out->body = json_pack("{s:{s:s, s:s}, s:O, s:s, s:I}", "error", "code", "confirm_required",
                        "message", message, "preview", c->result, "confirm", out->confirm,
                        "expires_at", (json_int_t)expires);
  return out->body != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_admin_run(struct pd_db *db, int64_t deadline_us, const struct pd_admin_env *env,
                            const struct pd_admin_caller *who, const char *op, json_t *args,
                            const char *confirm, struct pd_admin_answer *out)
{
  struct run r = {0};
  char op_name[64] = "";
  json_t *own_args = NULL;
  enum pd_result rc = PD_OK;
  memset(out, 0, sizeof(*out));
  r.call.env = env;
  r.call.who = who;
  r.call.args = args;

  if (confirm != NULL && confirm[0] != '\0') {
    rc = check_token(db, &r, op, confirm, op_name, sizeof(op_name), &own_args);
    if (rc == PD_E_USER) {
      r.call.args = args != NULL ? args : own_args;
      rc = answer_refusal(db, &r, op != NULL ? op : "confirm", out);
      goto done;
    }
    if (rc != PD_OK)
      goto done;
    op = op_name;
    r.call.args = own_args;
    r.confirm = confirm;
  }
  if (r.call.args == NULL)
    r.call.args = own_args = json_object();
  if (r.call.args == NULL || !json_is_object(r.call.args)) {
    answer_error(out, 400, "invalid_argument", "The arguments must be a JSON object.");
    goto done;
  }
  r.op = pd_admin_op_find(op);
  if (r.op == NULL) {
    answer_error(out, 404, "unknown_operation", "There is no such admin operation.");
    goto done;
  }
  if ((r.op->flags & PD_ADMIN_OWNER_ONLY) && !who->owner) {
    pd_admin_refuse(&r.call, 403, "owner_only",
                    "Only an owner (ADMIN_FILE's \"owners\") may run %s.", r.op->name);
    rc = answer_refusal(db, &r, r.op->name, out);
    goto done;
  }
  bool confirm_first = !(r.op->flags & PD_ADMIN_READ) && r.confirm == NULL &&
                       ((r.op->flags & PD_ADMIN_DESTRUCTIVE) ||
                        (r.op->confirm_if != NULL && r.op->confirm_if(&r.call)));
  r.call.preview = confirm_first;
  rc = pd_db_tx(db, deadline_us, run_tx, &r);
  if (rc == PD_E_USER && r.call.err_status == 0 && confirm_first) {
    rc = answer_preview(db, &r, out);
  } else if (rc == PD_E_USER) {
    rc = answer_refusal(db, &r, r.op->name, out);
  } else if (rc == PD_OK) {
    out->status = r.call.status != 0 ? r.call.status : 200;
    out->body = json_incref(r.call.result);
  }
done:
  call_reset(&r.call);
  json_decref(own_args);
  if (rc == PD_OK && out->body == NULL)
    rc = PD_E_NOMEM;
  return rc;
}

void pd_admin_answer_clear(struct pd_admin_answer *a)
{
  json_decref(a->body);
  memset(a, 0, sizeof(*a));
}

enum pd_result pd_admin_cancel(struct pd_db *db, const char *token, const char *actor,
                               bool *cancelled)
{
  *cancelled = false;
  if (token == NULL || strlen(token) != PD_ADMIN_TOKEN_LEN)
    return PD_OK;
  return pd_db_admin_confirm_cancel(db, token, actor, cancelled);
}

enum pd_result pd_admin_is_admin(struct pd_db *db, const struct pd_admins *file,
                                 const char *discord_id, bool *admin)
{
  *admin = pd_admins_has(file, discord_id);
  if (*admin || discord_id == NULL || db == NULL)
    return PD_OK;
  return pd_db_admin_listed(db, discord_id, admin);
}

enum pd_result pd_admin_audit_denied(struct pd_db *db, const char *actor, const char *action,
                                     json_t *args, const char *ref)
{
  struct pd_admin_caller who = {.actor = actor, .ref = ref};
  struct pd_admin_call c = {.who = &who, .args = args};
  snprintf(c.target, sizeof(c.target), "user %s", actor);
  return audit_alone(db, &c, action, "denied", NULL);
}

enum pd_result pd_admin_job_add(struct pd_admin_call *c, const char *kind, json_t *params,
                                const char *message, int64_t *id_out)
{
  int64_t id = 0;
  const struct pd_admin_caller *w = c->who;
  enum pd_result rc = pd_db_admin_job_insert(c->db, kind, params, w->actor, w->ref,
                                             w->application_id, w->interaction_token, &id);
  if (rc != PD_OK)
    return rc;
  if (id_out != NULL)
    *id_out = id;
  c->status = 202;
  pd_admin_result(c, "%s (job %" PRId64 ").", message, id);
  json_object_set_new(
      c->result, "job",
      json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "kind", kind, "state", "queued"));
  snprintf(c->target, sizeof(c->target), "job %" PRId64, id);
  return PD_OK;
}

enum pd_result pd_admin_dm(struct pd_admin_call *c, const char *discord_id, const char *text,
                           bool *queued)
{
  const char *app =
      c->who->application_id != NULL ? c->who->application_id : c->env->cfg->application_id;
  if (queued != NULL)
    *queued = false;
  if (app == NULL || c->preview)
    return PD_OK;
  json_t *payload = json_pack("{s:s, s:{s:[]}}", "content", text, "allowed_mentions", "parse");
  if (payload == NULL)
    return PD_E_NOMEM;
  enum pd_result rc = pd_db_job_add_dm(c->db, app, discord_id, payload, c->who->ref, NULL);
  json_decref(payload);
  if (rc == PD_OK && queued != NULL)
    *queued = true;
  return rc;
}

enum pd_result pd_admin_dm_many(struct pd_admin_call *c, json_t *list, int64_t *n)
{
  const char *app =
      c->who->application_id != NULL ? c->who->application_id : c->env->cfg->application_id;
  if (n != NULL)
    *n = 0;
  if (app == NULL || c->preview || json_array_size(list) == 0)
    return PD_OK;
  return pd_db_job_add_dms(c->db, app, list, c->who->ref, n);
}
