/* admin_ops.h - the functions behind the rows of pd_admin_ops (admin.c), one file of lib/ per
 * area.  Each reads its arguments from c->args by the names listed here (a Discord option and a
 * REST field or path parameter of one meaning share the name), works through c->db, and sets
 * c->result (with "message"), c->target and, for changes, c->before / c->after. */
#ifndef PD_ADMIN_OPS_H
#define PD_ADMIN_OPS_H

#include "admin.h"

/* admin_grants.c.  give_currency {user, amount, currency: notes|discs|gems, reason?}: a
 * positive amount is paid from the game's "grants" account, a negative one taken back into it
 * (never below zero: at most the balance is taken).  The player is told by DM. */
enum pd_result pd_admin_give_currency(struct pd_admin_call *c);
/* |amount| over ADMIN_CONFIRM_GRANT_OVER. */
bool pd_admin_give_currency_confirm_if(const struct pd_admin_call *c);

/* admin_log.c.  audit {user?: Discord id or "rest", action?, before?: an entry id, limit?: 1-100}:
 * newest first, keyset pages ("next" is the before of the next page). */
enum pd_result pd_admin_audit_list(struct pd_admin_call *c);
/* admins_list {}, admins_add {user}, admins_remove {user}: the admins table (owners only
 * change it; ADMIN_FILE's entries are listed as such and cannot be removed here). */
enum pd_result pd_admin_admins_list(struct pd_admin_call *c);
enum pd_result pd_admin_admins_add(struct pd_admin_call *c);
enum pd_result pd_admin_admins_remove(struct pd_admin_call *c);

/* admin_owner.c (owners only).  shutdown {}: every instance stops (control.c). */
enum pd_result pd_admin_shutdown(struct pd_admin_call *c);

/* admin_queue.c: background jobs (server/admin_jobs.c runs them; each answers 202 {"job"}).
 * ingest {artist: a name of 1-200 bytes}: job "ingest" {"artist"}.
 * sync {}: job "sync" (Last.fm's chart and similar artists).
 * force_render {card?: a permanent or temporary card's public id, checked to exist; none =
 * every card}: job "render" {"cards": [public id]} or {} (every card).
 * reseed {} (owners only): job "reseed", the demo catalog as `popdeck seed demo` writes it. */
enum pd_result pd_admin_ingest(struct pd_admin_call *c);
enum pd_result pd_admin_sync(struct pd_admin_call *c);
enum pd_result pd_admin_force_render(struct pd_admin_call *c);
enum pd_result pd_admin_reseed(struct pd_admin_call *c);
/* job {job}: {"job": {id, kind, state, done, total, messages (the newest 20: {"at", "text"}),
 * result, error, attempts, max_attempts, created, started, finished (Unix seconds or null),
 * params, instance, actor}}; 404 "job_not_found".
 * jobs {state?: queued|running|done|failed, before?: a job id, limit?: 1-100}: newest first,
 * keyset pages ("next" is the before of the next page). */
enum pd_result pd_admin_job(struct pd_admin_call *c);
enum pd_result pd_admin_jobs(struct pd_admin_call *c);

#endif
