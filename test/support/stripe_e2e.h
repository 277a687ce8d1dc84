/* stripe_e2e.h - what the Stripe suites share: build/double-stripe started and read, and a
 * webhook sender that builds Stripe events and posts them to a server's /webhooks/stripe
 * signed as Stripe signs them (Stripe-Signature: t=...,v1=...), with knobs to get it wrong. */
#ifndef PD_STRIPE_E2E_H
#define PD_STRIPE_E2E_H

#include <jansson.h>
#include <stdbool.h>

#include "http_client.h"
#include "proc.h"

struct pd_se {
  struct pd_proc *proc;
  char root[64]; /* http://127.0.0.1:PORT: what STRIPE_API_BASE is set to */
};

/* Starts the double accepting secret key key; 0 on success. */
int pd_se_start(struct pd_se *s, const char *build, const char *key);
void pd_se_stop(struct pd_se *s);
/* Forgets the double's requests, sessions and control settings; 0 on success. */
int pd_se_reset(struct pd_se *s);
/* POST /_control/<what> with the JSON text body; 0 on success. */
int pd_se_control(struct pd_se *s, const char *what, const char *body);
/* The double's request records (caller owns; NULL on failure). */
json_t *pd_se_requests(struct pd_se *s);

/* A checkout.session object as Stripe sends it in an event (caller owns). */
json_t *pd_se_session(const char *id, const char *player, const char *bundle,
                      const char *payment_status, long long amount, const char *payment_intent);
/* A checkout.session of mode "subscription" (paid, its subscription sub) (caller owns). */
json_t *pd_se_sub_session(const char *id, const char *player, const char *sub, long long amount);
/* A paid invoice of subscription sub (API 2024-06-20's shape: subscription, payment_intent,
 * subscription_details.metadata, one subscription line with its period and metadata), for
 * amount, billing the period [start, end] (Unix s); payment_intent may be NULL (caller owns). */
json_t *pd_se_invoice(const char *id, const char *sub, const char *player, const char *bundle,
                      long long amount, long long start, long long end, const char *payment_intent);
/* A subscription as customer.subscription.deleted carries it: status canceled, ended_at,
 * current_period_end, cancel_at_period_end, metadata (caller owns). */
json_t *pd_se_subscription(const char *id, const char *player, const char *bundle,
                           long long ended_at, long long current_period_end, bool at_period_end);
/* A charge with amount_refunded (charge.refunded), or a dispute (refunded < 0). */
json_t *pd_se_charge(const char *payment_intent, long long refunded);
/* {"id", "object": "event", "type", "created", "data": {"object": obj}, ...} as compact text
 * (caller frees); obj is stolen. */
char *pd_se_event(const char *event_id, const char *type, json_t *obj);

/* How to sign a delivery.  All zero: as Stripe does, with secret, now. */
struct pd_se_how {
  const char *secret; /* the v1 */
  const char *also;   /* a second v1 with this secret first (a secret roll), or NULL */
  long t_offset;      /* seconds added to now in t */
  bool no_header;     /* send no Stripe-Signature */
  bool tamper;        /* sign the body, then change its last digit */
};
/* POSTs body to http://127.0.0.1:port/webhooks/stripe signed as how says.  Returns the status
 * (0 when no answer came); out (may be NULL) gets the reply. */
long pd_se_send(int port, const char *body, const struct pd_se_how *how, struct pd_http_reply *out);

#endif
