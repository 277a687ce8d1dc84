/* db_payments.h - real money in the game: one payments table for Discord's premium SKUs and
 * Stripe Checkout (sql/018), each payment granted once, clawed back once, and a player who had
 * already spent clawed-back Gems owes them (no Gems leave them until it is settled).
 *
 * Every function works in the caller's transaction, so a webhook's event row, the payment, its
 * ledger operation, the membership and the player's receipt commit together or not at all.
 * Gems come from the game's 'purchases' account (db_ledger.h) and go back to it. */
#ifndef PD_DB_PAYMENTS_H
#define PD_DB_PAYMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "db_users.h"
#include "packs.h"

#define PD_PAY_DISCORD "discord"
#define PD_PAY_STRIPE "stripe"

/* Ledger kinds of the Gems a payment moves. */
#define PD_LEDGER_KIND_PURCHASE "purchase_gems"

/* A payment to grant. */
struct pd_pay_grant {
  const char *provider;           /* PD_PAY_DISCORD or PD_PAY_STRIPE */
  const char *provider_id;        /* the entitlement id, or the Checkout Session id (cs_...) */
  const char *provider_ref;       /* Stripe's payment_intent (pi_...), or NULL */
  const char *discord_id;         /* the player (registered if new) */
  const struct pd_bundle *bundle; /* what it buys */
  int64_t amount;                 /* money in minor units; < 0: not known */
  const char *currency;           /* "usd", or NULL */
  /* A subscription's current end (Unix s): the membership lasts until then (renewals move it).
   * 0: the bundle's days are added to the membership, from now or from its current end. */
  int64_t member_ends_at;
  json_t *raw;                /* borrowed: the event or entitlement as received */
  const char *application_id; /* for the DM receipt; NULL: no receipt */
  const char *ref;            /* the request's reference id (logs, jobs) */
  /* With member_ends_at: the membership's source, the subscription (sub_...) every invoice of
   * which is a payment, so a renewal moves the same membership (never back: a late older
   * invoice keeps the later end), a refund of any of its payments ends it, and an end recorded
   * by pd_pay_subscription_ended caps it.  NULL: the source is provider_id (as before). */
  const char *member_source;
};

/* A refund, a dispute or a deleted entitlement. */
struct pd_pay_reversal {
  const char *provider;
  const char *provider_id;  /* the payment's provider_id, or NULL */
  const char *provider_ref; /* or its provider_ref (a charge names the payment_intent) */
  const char *reason;       /* "refund", "dispute", "deleted" */
  json_t *raw;              /* borrowed */
  const char *application_id;
  const char *ref;
};

enum pd_pay_outcome {
  PD_PAY_GRANTED,     /* granted now */
  PD_PAY_CLAWED_BACK, /* clawed back now */
  PD_PAY_DUPLICATE,   /* already granted (or already clawed back): nothing changed */
  PD_PAY_REVERSED,    /* the grant found its refund already recorded: nothing paid */
  PD_PAY_PENDING,     /* a reversal for a payment not seen yet: recorded for the grant to find */
};
const char *pd_pay_outcome_name(enum pd_pay_outcome o); /* "granted", "clawed_back", ... */

struct pd_pay_result {
  enum pd_pay_outcome outcome;
  int64_t payment_id; /* payments.id (0 for PD_PAY_PENDING) */
  int64_t user_id;
  int64_t gems;         /* granted, or taken back */
  int64_t debt;         /* Gems owed after this clawback (0: the player had them all) */
  int64_t settled;      /* Gems of an earlier debt this grant paid back */
  int64_t member_until; /* a grant of membership: when the player's membership now ends (Unix
                         * s; at or before now when a recorded end of its subscription caps it) */
};

/* Grants g once: the first call for (provider, provider_id) writes the payment, pays the Gems
 * from 'purchases' as one ledger operation, adds the membership, pays back any Gems owed
 * from the new ones, and queues the player's receipt; a later call is PD_PAY_DUPLICATE.
 * A refund recorded before the payment (PD_PAY_PENDING) makes it PD_PAY_REVERSED. */
enum pd_result pd_pay_grant(struct pd_db *db, const struct pd_pay_grant *g,
                            struct pd_pay_result *out);

/* Claws r's payment back once: takes its Gems from the player (what is there), records the
 * rest as owed (gem_debts), ends what it added to the membership, and tells the player.  No
 * payment yet: PD_PAY_PENDING (recorded).  Already clawed back: PD_PAY_DUPLICATE. */
enum pd_result pd_pay_clawback(struct pd_db *db, const struct pd_pay_reversal *r,
                               struct pd_pay_result *out);

/* Pays back Gems the player owes from the Gems they have; p's balances are updated and
 * *settled (may be NULL) gets how many.  Nothing owed or nothing there: PD_OK, 0. */
enum pd_result pd_pay_settle(struct pd_db *db, struct pd_player *p, int64_t *settled);

/* Records a webhook event by its id once: *first is false for a redelivery (do nothing then).
 * outcome is what handling it did; call again with first == NULL to update it. */
enum pd_result pd_pay_event(struct pd_db *db, const char *provider, const char *event_id,
                            const char *type, const char *outcome, json_t *raw, bool *first);

/* Sets the membership of source (an entitlement or subscription id) to end at ends_at (Unix
 * s): a renewal moves it, a cancellation's end shortens it; another source's longer
 * membership is kept. */
enum pd_result pd_pay_membership_set(struct pd_db *db, int64_t user_id, const char *provider,
                                     const char *source, int64_t ends_at);

/* A subscription ended (Stripe's customer.subscription.deleted): the membership whose source
 * it is ends at ends_at (Unix s) if it ran longer, even when a renewal set it, and the end is
 * kept so a payment of it granted later (events out of order) sets nothing past it.  *user_id
 * (may be NULL) gets the member's users.id, 0 when no membership has that source. */
enum pd_result pd_pay_subscription_ended(struct pd_db *db, const char *provider,
                                         const char *subscription, int64_t ends_at, json_t *raw,
                                         int64_t *user_id);

/* A player's payments, newest first, as JSON rows (id, provider, provider_id, bundle, gems,
 * days, amount, currency, state, clawed_gems, debt_gems, created_at, clawed_back_at). */
enum pd_result pd_pay_list(struct pd_db *db, int64_t user_id, int limit, json_t **out);

#endif
