/* buy_gems.h - the follow-up of /buy_gems: the worker creates the Checkout Session (off the
 * interaction's 3 s) and answers the link button to it. */
#ifndef PD_BUY_GEMS_H
#define PD_BUY_GEMS_H

#include <jansson.h>

#include "app.h"

/* How long the worker waits for Stripe: well inside the interaction token's 15 minutes, and
 * short enough that a stuck Stripe does not hold a worker for long. */
#define PD_BUY_GEMS_STRIPE_TIMEOUT_MS 4000

/* The message that replaces "thinking" for attach {"bundle", "player", "key"}: the link button
 * to a Checkout Session (made with Idempotency-Key key, so every attempt of the job gets the
 * same session), or, when Stripe fails, what happened and that nothing was charged.  ref is
 * the job's reference id.  Caller owns; NULL only when out of memory. */
json_t *pd_buy_gems_followup(struct pd_app *app, const json_t *attach, const char *ref);

#endif
