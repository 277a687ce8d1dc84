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
