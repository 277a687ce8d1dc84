/* entitlements.h - Discord's premium SKUs: each entitlement whose SKU PAYMENT_SKUS maps to a
 * bundle is granted once (keyed by the entitlement id, db_payments.h) however it reaches us:
 * an interaction's `entitlements`, a webhook event (server/events.c) or the reconcile that
 * pages through Discord's entitlement listing.  A granted consumable is consumed through the
 * follow-up queue; a subscription moves the membership's end; a deleted consumable is clawed
 * back. */
#ifndef PD_ENTITLEMENTS_H
#define PD_ENTITLEMENTS_H

#include <stdbool.h>

#include "app.h"
#include "interaction.h"

/* What applying one entitlement did (payment_events.outcome, logs). */
enum pd_ent_outcome {
  PD_ENT_GRANTED,     /* paid now (and, for a consumable, its consumption queued) */
  PD_ENT_CLAWED_BACK, /* taken back now */
  PD_ENT_MEMBERSHIP,  /* a subscription's end moved */
  PD_ENT_DUPLICATE,   /* seen before: nothing changed */
  PD_ENT_REVERSED,    /* its deletion came first: nothing paid */
  PD_ENT_PENDING,     /* a deletion before the payment: recorded for the grant to find */
  PD_ENT_IGNORED,     /* no bundle for its SKU, no user, or nothing to do (already consumed) */
};
const char *pd_ent_outcome_name(enum pd_ent_outcome o);

/* The bundle PAYMENT_SKUS maps sku_id to, or NULL. */
const struct pd_bundle *pd_ent_bundle(const struct pd_app *app, const char *sku_id);

/* Applies e in the caller's transaction.  deleted: an ENTITLEMENT_DELETE (or e->deleted).  ref
 * names the request in jobs and logs. */
enum pd_result pd_ent_apply(struct pd_app *app, struct pd_db *db, const struct pd_entitlement *e,
                            bool deleted, const char *ref, enum pd_ent_outcome *out);

/* Before an interaction's command: grants the caller's entitlements that map to a bundle and
 * are not yet granted, in one short transaction of their own.  No query at all when there is
 * none (or every one was seen by this instance already).  A failure is logged and the command
 * goes on: the webhook event or the reconcile grants it later. */
void pd_ent_from_interaction(struct pd_app *app, const struct pd_interaction *ix,
                             int64_t deadline_us, const char *ref);

/* One reconcile: pages through GET /applications/{id}/entitlements with the bot token and
 * applies every entitlement (deleted ones included) on db, each in its own transaction, while
 * holding the reconcile lock.  *ran is false when another instance holds it.  Counts go to
 * seen, granted and clawed (any may be NULL). */
enum pd_result pd_ent_reconcile(struct pd_app *app, struct pd_db *db, bool *ran, int64_t *seen,
                                int64_t *granted, int64_t *clawed);

#endif
