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
/* clear_db {} (destructive): refused (409 clear_db_disabled) unless ALLOW_CLEAR_DB=1; drops the
 * schema and applies every migration of SQL_DIR again, in one transaction. */
enum pd_result pd_admin_clear_db(struct pd_admin_call *c);

/* admin_players.c.  ban {user, reason?: at most 200 bytes}: the player (who need not have
 * played) gets "Your PopDeck account is suspended." on every command, button and modal
 * (server/dispatch.c) until unban {user}; their active listings are cancelled (copies back to
 * their collection) and their open trade cancelled with every offer returned (the other trader
 * is told); cards and balances stay.  Both tell the player by DM.  409 already_banned, 404
 * not_banned. */
enum pd_result pd_admin_ban(struct pd_admin_call *c);
enum pd_result pd_admin_unban(struct pd_admin_call *c);
/* flags {reviewed?: true shows reviewed ones too}: up to 50 farming flags, newest first, with
 * both accounts (Discord id, registration, age in days), the operation and its kind, detail.
 * flags_review {flag}: marks one reviewed (404 flag_not_found, 409 already_reviewed). */
enum pd_result pd_admin_flags(struct pd_admin_call *c);
enum pd_result pd_admin_flags_review(struct pd_admin_call *c);
/* user {user}: balances, copies by state and by rarity, active listings, open trade, payments,
 * flags involving them, ban, registration and last activity (ledger, packs, commands, copies).
 * 404 user_not_found for someone who never played, unless they are banned. */
enum pd_result pd_admin_user(struct pd_admin_call *c);
/* payments {user}: the player's payments (newest first, 50 at most), membership and Gems owed. */
enum pd_result pd_admin_payments(struct pd_admin_call *c);

/* admin_events.c.  Times are "YYYY-MM-DD HH:MM" UTC, ISO 8601 or Unix seconds
 * (pd_admin_parse_time).
 * event_create {name, start, end, description?, boosts?: "legendary=2,mythic=3" or a JSON
 * object of multipliers > 0, pack?: a pack id of the game config, guild?: a server id, else
 * global, claim?: "event" (a player claims its pack free once, the default) or "day" (once per
 * UTC day while it runs), consolation?: Notes per temporary copy its owners get when it is over
 * (0 to 1000000, default 0; the event_end task pays them)}: 201 {"event"}.  event_end {event}: a
 * running event ends now (its temporary copies leave collections), an upcoming one is called off;
 * 409 event_over.  event_list {}: running, upcoming and the last 10 ended, each with its temporary
 * cards. create_temp_card {event, artist: an id, era: a name or id of that artist's era, rarity,
 * image_url? | era_image?: an era_images id of that era (default: the era's best image),
 * expires?: not after the event's end}: 201 {"card", "job"}, the card's render job queued. */
enum pd_result pd_admin_event_create(struct pd_admin_call *c);
enum pd_result pd_admin_event_end(struct pd_admin_call *c);
enum pd_result pd_admin_event_list(struct pd_admin_call *c);
enum pd_result pd_admin_create_temp_card(struct pd_admin_call *c);
/* Unix seconds from s, as above (a time zone suffix Z or +HH:MM, else UTC; an optional " UTC");
 * false when it is none of these or outside 1970..9999. */
bool pd_admin_parse_time(const char *s, int64_t *out);
/* {rarity: multiplier} from v: "legendary=2, mythic=3", or a JSON object (or its text).  false
 * with one line in err (naming what is wrong) otherwise.  *out is owned. */
bool pd_admin_parse_boosts(const json_t *v, json_t **out, char *err, size_t cap);

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

/* admin_cards.c.  setrarity {card: public id, rarity: common|rare|epic|legendary|mythic}: the
 * card's rarity (permanent or temporary) and that of its active listings change, a "render" job
 * {"cards": [public id]} draws it again, and every owner gets one DM; 409 "same_rarity" when it
 * already has it.  Result {card, rarity, was, owners_notified, listings, render_job}. */
enum pd_result pd_admin_setrarity(struct pd_admin_call *c);
/* delete_template {card, refund?: default true} (destructive): the card is removed (sql/016:
 * kept for history, gone from everything a player sees) with every copy; its active listings
 * and the open trades offering a copy are cancelled (escrow back, both traders told); with
 * refund each owner is paid the burn value per copy (listed and offered copies count as their
 * holder's) from the 'refunds' account; owners are told by DM.  Result {card, refund, copies,
 * owners, listings_cancelled, trades_cancelled, refund_total, currency}; the preview has
 * listings and trades instead. */
enum pd_result pd_admin_delete_template(struct pd_admin_call *c);
/* purge_artist {artist: artist id, refund?: default true} (destructive): delete_template for
 * every card of the artist, permanent and temporary, then the artist, its eras and their
 * images are marked removed (the catalog does not ingest it again).  Result as
 * delete_template's, with artist, name and cards. */
enum pd_result pd_admin_purge_artist(struct pd_admin_call *c);

#endif
