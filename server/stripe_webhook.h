/* stripe_webhook.h - POST /webhooks/stripe: Stripe's signed events, each handled once. */
#ifndef PD_STRIPE_WEBHOOK_H
#define PD_STRIPE_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "dispatch.h"

/* sig is the Stripe-Signature header (NULL when absent), body the raw bytes as received.
 * 404 without STRIPE_WEBHOOK_SECRET; 400 for a bad signature (checked before anything is
 * parsed) or a body that is not an event; 200 once the event is handled, or was before; 500
 * on our failure, so Stripe delivers it again. */
void pd_stripe_webhook(struct pd_app *app, const char *sig, const char *body, size_t len,
                       struct pd_answer *ans, struct pd_reqlog *log);

/* GET /paid (cancelled: /paid?cancelled=1): the page Stripe Checkout sends the player back to
 * when STRIPE_SUCCESS_URL / STRIPE_CANCEL_URL are not set.  Plain HTML, no state. */
void pd_stripe_paid_page(bool cancelled, struct pd_answer *ans);

#endif
