/* admin.h - the admin operations, one implementation behind both front ends: `/admin` in
 * Discord (server/cmd_admin.c) and the REST API under /admin/v1 (server/admin_api.c).
 *
 * An operation is a row of pd_admin_ops: a name ("setrarity"), flags, and a function that reads
 * its named arguments from call->args and does its work through call->db.  Both front ends turn
 * what they received into the same arguments (a Discord option and a REST JSON field or path
 * parameter of one meaning have one name) and call pd_admin_run, which:
 *   - refuses an owner-only operation to a caller who is not an owner (403 "owner_only");
 *   - for a destructive call (PD_ADMIN_DESTRUCTIVE, or confirm_if says so) without a
 *     confirmation token, runs the operation with call->preview set in a transaction it rolls
 *     back, stores a token valid PD_ADMIN_CONFIRM_S seconds for this actor, operation and
 *     arguments, and answers 409 with the preview and the token;
 *   - with a token, checks it (same actor and operation; unused; not expired) and uses it up
 *     in the transaction that does the work, so it works once even when two presses race;
 *   - runs the operation in one SERIALIZABLE transaction (pd_db_tx: retried on conflicts) and
 *     writes its admin_audit row in that same transaction;
 *   - writes an audit row for a refusal or a preview too, after the rollback.
 *
 * Every answer is JSON: the operation's result object, or {"error": {"code", "message"}}
 * (409 adds "preview", "confirm" and "expires_at").  A result carries "message", one line
 * for a person, which Discord shows. */
#ifndef PD_ADMIN_H
#define PD_ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "admins.h"
#include "config.h"
#include "db.h"
#include "packs.h"

#define PD_ADMIN_CONFIRM_S 120
#define PD_ADMIN_TOKEN_LEN 32 /* hex characters of a confirmation token */
#define PD_ADMIN_REST_ACTOR "rest"

/* What an operation may read besides the database. */
struct pd_admin_env {
  const struct pd_config *cfg;
  const struct pd_game_config *game;
  const struct pd_admins *admins; /* ADMIN_FILE as loaded (the caller holds it steady) */
};

/* Who calls.  REST callers hold ADMIN_TOKEN, the operator's key: they are owners. */
struct pd_admin_caller {
  const char *actor; /* a Discord user id, or PD_ADMIN_REST_ACTOR */
  bool owner;
  const char *ref; /* the request's reference id (log, audit) */
  /* From Discord: the interaction whose first answer a background job edits with its
   * progress.  NULL from REST. */
  const char *application_id;
  const char *interaction_token;
};

/* One call of an operation, as its function sees it. */
struct pd_admin_call {
  struct pd_db *db; /* inside the call's transaction */
  const struct pd_admin_env *env;
  const struct pd_admin_caller *who;
  json_t *args; /* borrowed: the named arguments (an object, never NULL) */
  /* Say what would be done, change nothing that must last (the transaction is rolled back),
   * and set result to the preview: counts and totals, and a "message". */
  bool preview;
  /* What the operation sets: */
  int status;     /* of a success: 200 unless set (201 created, 202 a job was queued) */
  json_t *result; /* owned: the answer object; must hold "message" */
  char target[160];
  json_t *before, *after; /* owned, may stay NULL: what changed, for the audit row */
  /* A refusal (pd_admin_refuse): */
  int err_status;
  char err_code[40];
  char err_message[400];
};

enum {
  PD_ADMIN_OWNER_ONLY = 1 << 0,  /* only owners (and REST) */
  PD_ADMIN_DESTRUCTIVE = 1 << 1, /* always a preview and a confirmation first */
  PD_ADMIN_READ = 1 << 2,        /* changes nothing: runs without a confirmation ever */
};

struct pd_admin_op {
  const char *name;
  unsigned flags;
  enum pd_result (*run)(struct pd_admin_call *c);
  /* Whether this call needs a confirmation although the operation is not always destructive
   * (a grant over ADMIN_CONFIRM_GRANT_OVER); NULL: never.  Sees the arguments only. */
  bool (*confirm_if)(const struct pd_admin_call *c);
};

/* NULL-terminated (admin.c); a new operation is one row there. */
extern const struct pd_admin_op pd_admin_ops[];
const struct pd_admin_op *pd_admin_op_find(const char *name);

/* What pd_admin_run answers: an HTTP status and the JSON body (owned). */
struct pd_admin_answer {
  int status;
  json_t *body;
  char confirm[PD_ADMIN_TOKEN_LEN + 1]; /* the token of a 409, else "" */
};

/* Runs operation op (NULL with a confirm token: the operation the token was made for, with the
 * arguments it was made for) as described atop this file.  args (borrowed, may be NULL for
 * none) are the call's arguments; with a token from REST they must be the ones the preview was
 * made for.  Returns PD_OK whenever *out is filled, refusals included; a database failure
 * (PD_E_DB_*) or PD_E_NOMEM is ours, and the front end shows the reference id. */
enum pd_result pd_admin_run(struct pd_db *db, int64_t deadline_us, const struct pd_admin_env *env,
                            const struct pd_admin_caller *who, const char *op, json_t *args,
                            const char *confirm, struct pd_admin_answer *out);
void pd_admin_answer_clear(struct pd_admin_answer *a);
/* Cancels actor's confirmation token (it can no longer be used); *cancelled says whether it was
 * actor's and still usable. */
enum pd_result pd_admin_cancel(struct pd_db *db, const char *token, const char *actor,
                               bool *cancelled);

/* Refuses the call: status (400 bad argument, 404 no such thing, 409 a state that forbids it,
 * 422 ...), a code in snake_case, and a message that says what to do.  Returns PD_E_USER for
 * the operation to return (its transaction is rolled back). */
enum pd_result pd_admin_refuse(struct pd_admin_call *c, int status, const char *code,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Arguments.  Each returns PD_OK with the value, PD_E_NOTFOUND when the argument is absent
 * (nothing else set; a required one is the caller's business: pd_admin_need_*), or PD_E_USER
 * after refusing the call with 400 "invalid_argument" naming it. */
enum pd_result pd_admin_arg_str(struct pd_admin_call *c, const char *name, const char **out);
/* A JSON integer, or a string of digits (REST query parameters and Discord string options
 * arrive as text). */
enum pd_result pd_admin_arg_int(struct pd_admin_call *c, const char *name, int64_t *out);
/* true/false, or "true"/"false"/"1"/"0". */
enum pd_result pd_admin_arg_bool(struct pd_admin_call *c, const char *name, bool *out);
/* A Discord user id (1 to 20 digits): a string, or an integer. */
enum pd_result pd_admin_arg_snowflake(struct pd_admin_call *c, const char *name, char out[24]);
/* The same, refusing an absent argument with 400 "missing_argument". */
enum pd_result pd_admin_need_str(struct pd_admin_call *c, const char *name, const char **out);
enum pd_result pd_admin_need_int(struct pd_admin_call *c, const char *name, int64_t *out);
enum pd_result pd_admin_need_snowflake(struct pd_admin_call *c, const char *name, char out[24]);

/* The player an operation is about: the Discord id of argument "user" (required), which also
 * becomes the audit row's target ("user ID"). */
enum pd_result pd_admin_need_user(struct pd_admin_call *c, char out[24]);

/* Sets c->result to {"message": text, ...} when it is still NULL, and returns it. */
json_t *pd_admin_result(struct pd_admin_call *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Queues a direct message of text to the Discord user discord_id in the call's transaction
 * (the durable queue; sent after commit, retried within Discord's rate limits).  The
 * application id is the interaction's, else DISCORD_APPLICATION_ID; without either the message
 * is skipped (*queued false).  queued may be NULL. */
enum pd_result pd_admin_dm(struct pd_admin_call *c, const char *discord_id, const char *text,
                           bool *queued);

/* pd_admin_dm for many players in one statement: list is [{"recipient", "content"}]; *n (may
 * be NULL) gets how many were queued (0 without an application id, or in a preview). */
enum pd_result pd_admin_dm_many(struct pd_admin_call *c, json_t *list, int64_t *n);

/* Whether discord_id is an admin: in ADMIN_FILE (admins or owners) or in the admins table (not
 * asked when db is NULL). */
enum pd_result pd_admin_is_admin(struct pd_db *db, const struct pd_admins *file,
                                 const char *discord_id, bool *admin);

/* An audit row of its own, outside any operation: outcome "denied" for a non-admin who tried
 * /admin, with what was asked in args (borrowed, may be NULL). */
enum pd_result pd_admin_audit_denied(struct pd_db *db, const char *actor, const char *action,
                                     json_t *args, const char *ref);

/* Queues background job kind ("ingest", "sync", "render", "reseed") with params (borrowed; NULL
 * for none, stored as {}) in
 * the call's transaction, announces it on commit (channel PD_ADMIN_JOBS_CHANNEL), and sets the
 * call's answer to 202 {"message", "job": {"id", "kind", "state": "queued"}}.  A job from
 * Discord keeps the interaction token, so its progress edits the first answer. */
#define PD_ADMIN_JOBS_CHANNEL "popdeck_admin_jobs"
enum pd_result pd_admin_job_add(struct pd_admin_call *c, const char *kind, json_t *params,
                                const char *message, int64_t *id_out);

/* The instance-wide control channel: payload "shutdown" asks every instance to stop. */
#define PD_CONTROL_CHANNEL "popdeck_control"

#endif
