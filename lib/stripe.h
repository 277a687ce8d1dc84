/* stripe.h - Stripe's API over libcurl: create a Checkout Session (POST /v1/checkout/sessions,
 * form-encoded, the secret key as a Bearer token, an Idempotency-Key so a retried request
 * answers the session the first one made).  The secret key never appears in an error text. */
#ifndef PD_STRIPE_H
#define PD_STRIPE_H

#include <jansson.h>
#include <stdint.h>

#include "pd.h"

#define PD_STRIPE_USER_AGENT "PopDeck/0.1.0"
#define PD_STRIPE_MAX_BODY (256 * 1024)

struct pd_stripe {
  const char *api_base;   /* STRIPE_API_BASE, e.g. https://api.stripe.com (no trailing '/') */
  const char *secret_key; /* STRIPE_SECRET_KEY, sk_... */
  long timeout_ms;        /* the whole exchange, connecting included */
};

/* One Checkout Session for one bundle: paid once (mode=payment), or, with interval_days, a
 * subscription that renews every interval_days days (mode=subscription). */
struct pd_stripe_checkout {
  const char *currency;     /* "usd" */
  int64_t unit_amount;      /* minor units (499 = 4.99) */
  const char *product_name; /* what the Checkout page shows */
  const char *success_url, *cancel_url;
  const char *client_reference_id; /* the player's Discord id */
  const char *bundle;              /* metadata[bundle] */
  const char *idempotency_key;     /* Idempotency-Key, e.g. derived from the interaction id */
  /* > 0: mode=subscription with a recurring price (interval=day, interval_count=interval_days)
   * and the player and bundle in subscription_data[metadata], so the subscription and each of
   * its invoices carry them.  0: mode=payment. */
  int64_t interval_days;
};

struct pd_stripe_session {
  char id[256]; /* cs_... */
  char url[2048];
};

/* Creates the session.  PD_OK with *out filled; PD_E_UPSTREAM with why in err when Stripe could
 * not be reached, took longer than timeout_ms, or refused (its error object's type, code and
 * message); PD_E_INVALID when the client has no key or the checkout lacks a field. */
enum pd_result pd_stripe_checkout_create(const struct pd_stripe *s,
                                         const struct pd_stripe_checkout *c,
                                         struct pd_stripe_session *out, char *err, size_t errlen);

/* Pure parts, exposed for tests. */

/* The form body for c (every value URL-encoded), or NULL when out of memory or a field is
 * missing.  Caller frees with free(). */
char *pd_stripe_checkout_form(const struct pd_stripe_checkout *c);
/* A Checkout Session from an answer: status 200 with "id" and "url", else the error object
 * {"error": {"type", "code", "message"}} as "Stripe answered 400: message (type, code)". */
enum pd_result pd_stripe_session_from(long status, json_t *body, struct pd_stripe_session *out,
                                      char *err, size_t errlen);

#endif
