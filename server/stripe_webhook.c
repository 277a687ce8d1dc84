/* stripe_webhook.c - POST /webhooks/stripe.  The signature is checked on the raw bytes before
 * anything is parsed; then the event's id is recorded and its effect made in one SERIALIZABLE
 * transaction, so a redelivery (Stripe retries for days, out of order, sometimes twice at once)
 * finds the event row and changes nothing, and a second event for the same session finds the
 * payment (db_payments.h grants each session id once).
 *
 *   checkout.session.completed, checkout.session.async_payment_succeeded
 *       payment_status "paid": the session's bundle is granted to client_reference_id
 *       (provider_id = the session id, provider_ref = its payment_intent); otherwise recorded
 *       only (an async payment's later event grants).  A mode "subscription" session grants
 *       nothing itself: its first invoice's invoice.paid does, so it is counted once.
 *   invoice.paid of a subscription: one payment per invoice (provider_id = in_..., provider_ref
 *       = its payment_intent), the membership until the paid period's end, its source the
 *       subscription (sub_...), so each renewal moves the same membership
 *   customer.subscription.deleted: that subscription's membership ends at the subscription's
 *       end (ended_at), and no later-delivered invoice of it sets anything past that
 *   charge.refunded (amount_refunded > 0), charge.dispute.created
 *       the payment of that payment_intent is clawed back (or the reversal waits for it)
 *   anything else: recorded, 200, nothing done */
#include "stripe_webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_payments.h"
#include "log.h"
#include "stripe_sig.h"

/* Stripe waits up to 10 s (then retries); a slow database gets most of that, not all. */
#define WEBHOOK_DEADLINE_US 8000000

struct event {
  struct pd_app *app;
  json_t *ev; /* the whole event (borrowed) */
  const char *id, *type;
  json_t *obj; /* data.object */
  const char *ref;
  const char *outcome; /* what handling it did, for payment_events and the log */
  char player[24];
};

static const char *str(json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

/* A session paid for: its bundle to its player, once. */
static enum pd_result fulfil(struct pd_db *db, struct event *e)
{
  json_t *s = e->obj;
  const char *paid = str(s, "payment_status");
  if (paid == NULL || strcmp(paid, "paid") != 0) {
    e->outcome = "unpaid"; /* checkout.session.async_payment_succeeded will follow */
    return PD_OK;
  }
  json_t *meta = json_object_get(s, "metadata");
  const char *player = str(s, "client_reference_id");
  if (player == NULL)
    player = str(meta, "discord_id");
  const char *bundle_id = str(meta, "bundle");
  const struct pd_bundle *bundle =
      bundle_id != NULL ? pd_game_bundle(e->app->game, bundle_id) : NULL;
  const char *sid = str(s, "id");
  if (sid == NULL || player == NULL || bundle == NULL) {
    /* Paid, but not one of our sessions as we made them: nothing a retry would change.
     * Recorded with the event for an admin to settle by hand. */
    e->outcome = "unfulfillable";
    json_t *f = json_pack("{s:s, s:s, s:s?, s:s?, s:s?}", "ref", e->ref, "event", e->id, "session",
                          sid, "player", player, "bundle", bundle_id);
    pd_log("error", "stripe session paid but not fulfillable", f);
    return PD_OK;
  }
  snprintf(e->player, sizeof(e->player), "%s", player);
  json_t *amount = json_object_get(s, "amount_total");
  const struct pd_pay_grant g = {
      .provider = PD_PAY_STRIPE,
      .provider_id = sid,
      .provider_ref = str(s, "payment_intent"),
      .discord_id = player,
      .bundle = bundle,
      .amount = json_is_integer(amount) ? json_integer_value(amount) : -1,
      .currency = str(s, "currency"),
      .raw = e->ev,
      .application_id = e->app->cfg.application_id,
      .ref = e->ref,
  };
  struct pd_pay_result r;
  enum pd_result rc = pd_pay_grant(db, &g, &r);
  if (rc == PD_OK)
    e->outcome = pd_pay_outcome_name(r.outcome);
  return rc;
}

/* The invoice's subscription id: "subscription" (an id, or the object when expanded), or, in
 * Stripe's newer API versions, parent.subscription_details.subscription. */
static const char *invoice_subscription(json_t *inv)
{
  json_t *sub = json_object_get(inv, "subscription");
  if (json_is_object(sub))
    sub = json_object_get(sub, "id");
  if (!json_is_string(sub))
    sub = json_object_get(json_object_get(json_object_get(inv, "parent"), "subscription_details"),
                          "subscription");
  return json_string_value(sub);
}

/* The subscription's metadata as the invoice carries it: subscription_details.metadata (a
 * snapshot taken when the invoice was finalized), parent.subscription_details.metadata in newer
 * API versions, else the subscription line's own metadata. */
static const char *invoice_meta(json_t *inv, json_t *line, const char *key)
{
  const char *v =
      str(json_object_get(json_object_get(inv, "subscription_details"), "metadata"), key);
  if (v == NULL)
    v = str(json_object_get(json_object_get(json_object_get(inv, "parent"), "subscription_details"),
                            "metadata"),
            key);
  if (v == NULL)
    v = str(json_object_get(line, "metadata"), key);
  return v;
}

/* A subscription's invoice paid: the membership until the end of the period it paid for. */
static enum pd_result invoice_paid(struct pd_db *db, struct event *e)
{
  json_t *inv = e->obj;
  const char *status = str(inv, "status");
  json_t *amount = json_object_get(inv, "amount_paid");
  const char *sub = invoice_subscription(inv);
  if (status == NULL || strcmp(status, "paid") != 0 || !json_is_integer(amount) ||
      json_integer_value(amount) < 0) {
    e->outcome = "unpaid";
    return PD_OK;
  }
  if (sub == NULL) {
    e->outcome = "unmatched"; /* an invoice outside a subscription: not one we made */
    return PD_OK;
  }
  /* The paid period: the latest end among the lines (one line, the membership's price). */
  json_t *lines = json_object_get(json_object_get(inv, "lines"), "data"), *line = NULL, *l;
  size_t i;
  int64_t ends_at = 0;
  json_array_foreach(lines, i, l)
  {
    json_t *end = json_object_get(json_object_get(l, "period"), "end");
    if (json_is_integer(end) && json_integer_value(end) > ends_at) {
      ends_at = json_integer_value(end);
      line = l;
    }
  }
  const char *player = invoice_meta(inv, line, "discord_id");
  const char *bundle_id = invoice_meta(inv, line, "bundle");
  const struct pd_bundle *bundle =
      bundle_id != NULL ? pd_game_bundle(e->app->game, bundle_id) : NULL;
  const char *iid = str(inv, "id");
  if (iid == NULL || player == NULL || bundle == NULL || bundle->gems > 0 || ends_at <= 0) {
    /* Paid, but not a membership subscription as we make them: recorded for an admin. */
    e->outcome = "unfulfillable";
    json_t *f =
        json_pack("{s:s, s:s, s:s?, s:s, s:s?, s:s?}", "ref", e->ref, "event", e->id, "invoice",
                  iid, "subscription", sub, "player", player, "bundle", bundle_id);
    pd_log("error", "stripe invoice paid but not fulfillable", f);
    return PD_OK;
  }
  snprintf(e->player, sizeof(e->player), "%s", player);
  json_t *pi = json_object_get(inv, "payment_intent");
  if (json_is_object(pi))
    pi = json_object_get(pi, "id");
  const struct pd_pay_grant g = {
      .provider = PD_PAY_STRIPE,
      .provider_id = iid,
      .provider_ref = json_string_value(pi), /* none for an invoice of 0 */
      .discord_id = player,
      .bundle = bundle,
      .amount = json_integer_value(amount),
      .currency = str(inv, "currency"),
      .member_ends_at = ends_at,
      .member_source = sub,
      .raw = e->ev,
      .application_id = e->app->cfg.application_id,
      .ref = e->ref,
  };
  struct pd_pay_result r;
  enum pd_result rc = pd_pay_grant(db, &g, &r);
  if (rc == PD_OK)
    e->outcome = pd_pay_outcome_name(r.outcome);
  return rc;
}

/* A subscription is over: its membership ends when it did (ended_at; the period's end when it
 * was cancelled at the period's end, which is then ended_at too). */
static enum pd_result subscription_deleted(struct pd_db *db, struct event *e)
{
  const char *sub = str(e->obj, "id");
  static const char *const ends[] = {"ended_at", "current_period_end", "canceled_at"};
  int64_t ends_at = 0;
  for (size_t i = 0; ends_at <= 0 && i < PD_ARRAY_LEN(ends); i++) {
    json_t *v = json_object_get(e->obj, ends[i]);
    if (json_is_integer(v))
      ends_at = json_integer_value(v);
  }
  if (ends_at <= 0)
    ends_at = (int64_t)time(NULL); /* deleted, with no end named: it ends now */
  if (sub == NULL) {
    e->outcome = "unmatched";
    return PD_OK;
  }
  const char *player = str(json_object_get(e->obj, "metadata"), "discord_id");
  if (player != NULL)
    snprintf(e->player, sizeof(e->player), "%s", player);
  int64_t uid = 0;
  enum pd_result rc = pd_pay_subscription_ended(db, PD_PAY_STRIPE, sub, ends_at, e->obj, &uid);
  if (rc == PD_OK)
    e->outcome = uid != 0 ? "ended" : "recorded";
  return rc;
}

/* A refund or a dispute: the payment of the charge's payment_intent is taken back. */
static enum pd_result reverse(struct pd_db *db, struct event *e, const char *reason)
{
  const char *pi = str(e->obj, "payment_intent");
  json_t *refunded = json_object_get(e->obj, "amount_refunded");
  if (strcmp(reason, "refund") == 0 && json_integer_value(refunded) <= 0) {
    e->outcome = "ignored";
    return PD_OK;
  }
  if (pi == NULL) {
    e->outcome = "unmatched"; /* a charge outside Checkout: not one of ours */
    return PD_OK;
  }
  const struct pd_pay_reversal rv = {
      .provider = PD_PAY_STRIPE,
      .provider_ref = pi,
      .reason = reason,
      .raw = e->ev,
      .application_id = e->app->cfg.application_id,
      .ref = e->ref,
  };
  struct pd_pay_result r;
  enum pd_result rc = pd_pay_clawback(db, &rv, &r);
  if (rc == PD_OK)
    e->outcome = pd_pay_outcome_name(r.outcome);
  return rc;
}

static enum pd_result handle(struct pd_db *db, void *arg)
{
  struct event *e = arg;
  bool first = false;
  e->outcome = "received";
  e->player[0] = '\0';
  enum pd_result rc = pd_pay_event(db, PD_PAY_STRIPE, e->id, e->type, "received", e->ev, &first);
  if (rc != PD_OK)
    return rc;
  if (!first) {
    e->outcome = "redelivered";
    return PD_OK;
  }
  const char *mode = str(e->obj, "mode");
  bool session = strcmp(e->type, "checkout.session.completed") == 0 ||
                 strcmp(e->type, "checkout.session.async_payment_succeeded") == 0;
  if (session && mode != NULL && strcmp(mode, "subscription") == 0)
    e->outcome = "subscription"; /* its invoices grant: invoice.paid */
  else if (session)
    rc = fulfil(db, e);
  else if (strcmp(e->type, "invoice.paid") == 0)
    rc = invoice_paid(db, e);
  else if (strcmp(e->type, "customer.subscription.deleted") == 0)
    rc = subscription_deleted(db, e);
  else if (strcmp(e->type, "charge.refunded") == 0)
    rc = reverse(db, e, "refund");
  else if (strcmp(e->type, "charge.dispute.created") == 0)
    rc = reverse(db, e, "dispute");
  else
    e->outcome = "ignored";
  if (rc == PD_OK)
    rc = pd_pay_event(db, PD_PAY_STRIPE, e->id, e->type, e->outcome, NULL, NULL);
  return rc;
}

void pd_stripe_paid_page(bool cancelled, struct pd_answer *ans)
{
  const char *text =
      cancelled ? "<!doctype html><meta charset=utf-8><title>PopDeck</title>"
                  "<p>Payment cancelled: nothing was charged. You can go back to Discord.</p>\n"
                : "<!doctype html><meta charset=utf-8><title>PopDeck</title>"
                  "<p>Payment received, thank you! Go back to Discord: your purchase arrives "
                  "with a receipt in your DMs.</p>\n";
  ans->body = strdup(text);
  ans->len = ans->body != NULL ? strlen(ans->body) : 0;
  ans->status = ans->body != NULL ? 200 : 500;
}

void pd_stripe_webhook(struct pd_app *app, const char *sig, const char *body, size_t len,
                       struct pd_answer *ans, struct pd_reqlog *log)
{
  memset(ans, 0, sizeof(*ans));
  snprintf(log->command, sizeof(log->command), "stripe");
  if (app->cfg.stripe_webhook_secret == NULL) {
    pd_answer_error(ans, 404, "not found");
    return;
  }
  if (pd_stripe_sig_verify(app->cfg.stripe_webhook_secret, sig, body, len, (int64_t)time(NULL)) !=
      PD_OK) {
    log->error = "invalid signature";
    pd_answer_error(ans, 400, "invalid Stripe-Signature");
    return;
  }
  json_t *ev = json_loadb(body, len, 0, NULL);
  struct event e = {.app = app, .ev = ev, .ref = log->ref};
  pd_ref_new(log->ref);
  e.id = str(ev, "id");
  e.type = str(ev, "type");
  e.obj = json_object_get(json_object_get(ev, "data"), "object");
  if (e.id == NULL || e.type == NULL || !json_is_object(e.obj) || strlen(e.id) > 255) {
    json_decref(ev);
    log->error = "not an event";
    pd_answer_error(ans, 400, "the body is not a Stripe event");
    return;
  }
  snprintf(log->command, sizeof(log->command), "stripe %.32s", e.type);
  int64_t deadline = pd_now_us() + WEBHOOK_DEADLINE_US;
  struct pd_db *db = NULL;
  enum pd_result rc = pd_db_acquire(app->pool, deadline, &db);
  if (rc == PD_OK)
    rc = pd_db_tx(db, deadline, handle, &e);
  pd_db_release(db);
  if (e.player[0] != '\0')
    snprintf(log->user_id, sizeof(log->user_id), "%s", e.player);
  json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "ref", log->ref, "event", e.id, "type", e.type,
                        "outcome", rc == PD_OK ? e.outcome : pd_result_str(rc));
  pd_log(rc == PD_OK ? "info" : "error", "stripe event", f);
  if (rc != PD_OK) {
    log->error = pd_result_str(rc);
    pd_answer_json(
        ans, 500,
        json_pack("{s:s, s:s}", "error", "not handled, deliver it again", "ref", log->ref));
  } else {
    pd_answer_json(ans, 200, json_pack("{s:b, s:s}", "received", 1, "outcome", e.outcome));
  }
  json_decref(ev);
}
