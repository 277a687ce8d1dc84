/* stripe_e2e.c - the Stripe double's driver and the signed webhook sender (stripe_e2e.h). */
#include "stripe_e2e.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stripe_sig.h"

int pd_se_start(struct pd_se *s, const char *build, const char *key)
{
  char bin[300], log[300], k[200];
  unsigned port = 0;
  snprintf(bin, sizeof(bin), "%s/double-stripe", build);
  snprintf(log, sizeof(log), "%s/double-stripe.log",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  snprintf(k, sizeof(k), "%s", key);
  char *const argv[] = {bin, "--port", "0", "--secret-key", k, NULL};
  if (pd_proc_start_double(argv, log, &s->proc, &port) != PD_OK) {
    fprintf(stderr, "stripe_e2e: %s did not start (log %s)\n", bin, log);
    return -1;
  }
  snprintf(s->root, sizeof(s->root), "http://127.0.0.1:%u", port);
  return 0;
}

void pd_se_stop(struct pd_se *s)
{
  pd_proc_stop(s->proc);
  s->proc = NULL;
}

int pd_se_reset(struct pd_se *s)
{
  char url[128];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "%s/_requests", s->root);
  enum pd_result rc = pd_http_do("DELETE", url, NULL, NULL, 0, &r);
  long status = r.status;
  pd_http_reply_free(&r);
  return rc == PD_OK && status == 204 ? 0 : -1;
}

int pd_se_control(struct pd_se *s, const char *what, const char *body)
{
  char url[128];
  struct pd_http_reply r;
  const char *hdr[] = {"Content-Type: application/json", NULL};
  snprintf(url, sizeof(url), "%s/_control/%s", s->root, what);
  enum pd_result rc = pd_http_do("POST", url, hdr, body, strlen(body), &r);
  long status = r.status;
  pd_http_reply_free(&r);
  return rc == PD_OK && status == 204 ? 0 : -1;
}

json_t *pd_se_requests(struct pd_se *s)
{
  char url[128];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "%s/_requests", s->root);
  json_t *j =
      pd_http_do("GET", url, NULL, NULL, 0, &r) == PD_OK ? json_loads(r.body, 0, NULL) : NULL;
  pd_http_reply_free(&r);
  return j;
}

json_t *pd_se_session(const char *id, const char *player, const char *bundle,
                      const char *payment_status, long long amount, const char *payment_intent)
{
  return json_pack("{s:s, s:s, s:s, s:s?, s:{s:s, s:s?}, s:s, s:s, s:s, s:I, s:s, s:s?, s:b}", "id",
                   id, "object", "checkout.session", "mode", "payment", "client_reference_id",
                   player, "metadata", "bundle", bundle, "discord_id", player, "payment_status",
                   payment_status, "status", "complete", "url", "", "amount_total",
                   (json_int_t)amount, "currency", "usd", "payment_intent", payment_intent,
                   "livemode", 0);
}

json_t *pd_se_sub_session(const char *id, const char *player, const char *sub, long long amount)
{
  json_t *s = pd_se_session(id, player, "membership", "paid", amount, NULL);
  json_object_set_new(s, "mode", json_string("subscription"));
  json_object_set_new(s, "subscription", json_string(sub));
  json_object_set_new(s, "invoice", json_string("in_first_of_session"));
  return s;
}

json_t *pd_se_invoice(const char *id, const char *sub, const char *player, const char *bundle,
                      long long amount, long long start, long long end, const char *payment_intent)
{
  json_t *meta = json_pack("{s:s, s:s}", "bundle", bundle, "discord_id", player);
  json_t *line =
      json_pack("{s:s, s:s, s:I, s:s, s:O, s:{s:I, s:I}, s:b, s:i, s:s, s:s}", "id", "il_test_1",
                "object", "line_item", "amount", (json_int_t)amount, "currency", "usd", "metadata",
                meta, "period", "start", (json_int_t)start, "end", (json_int_t)end, "proration", 0,
                "quantity", 1, "type", "subscription", "subscription", sub);
  /* The invoice's own period_start/period_end name the period before (Stripe's quirk for
   * subscription invoices): the line's period is what was paid for. */
  json_t *inv = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:s, s:s, s:s?, s:{s:O},"
                          " s:{s:s, s:[o], s:b, s:i}, s:I, s:I, s:{}, s:b}",
                          "id", id, "object", "invoice", "status", "paid", "billing_reason",
                          "subscription_cycle", "customer", "cus_test_1", "paid", 1, "amount_due",
                          (json_int_t)amount, "amount_paid", (json_int_t)amount, "amount_remaining",
                          (json_int_t)0, "currency", "usd", "subscription", sub, "payment_intent",
                          payment_intent, "subscription_details", "metadata", meta, "lines",
                          "object", "list", "data", line, "has_more", 0, "total_count", 1,
                          "period_start", (json_int_t)(start - (end - start)), "period_end",
                          (json_int_t)start, "metadata", "livemode", 0);
  json_decref(meta);
  return inv;
}

json_t *pd_se_subscription(const char *id, const char *player, const char *bundle,
                           long long ended_at, long long current_period_end, bool at_period_end)
{
  return json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:b, s:I, s:{s:s, s:s}, s:b}", "id", id,
                   "object", "subscription", "status", "canceled", "customer", "cus_test_1",
                   "ended_at", (json_int_t)ended_at, "canceled_at", (json_int_t)ended_at,
                   "current_period_end", (json_int_t)current_period_end, "cancel_at_period_end",
                   at_period_end, "current_period_start",
                   (json_int_t)(current_period_end - 30 * 86400), "metadata", "bundle", bundle,
                   "discord_id", player, "livemode", 0);
}

json_t *pd_se_charge(const char *payment_intent, long long refunded)
{
  if (refunded < 0)
    return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "id", "dp_test_1", "object", "dispute",
                     "payment_intent", payment_intent, "amount", (json_int_t)499, "reason",
                     "fraudulent", "status", "needs_response");
  return json_pack("{s:s, s:s, s:s, s:I, s:I, s:b}", "id", "ch_test_1", "object", "charge",
                   "payment_intent", payment_intent, "amount", (json_int_t)499, "amount_refunded",
                   (json_int_t)refunded, "refunded", refunded >= 499);
}

char *pd_se_event(const char *event_id, const char *type, json_t *obj)
{
  json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:I, s:{s:o}, s:b, s:i, s:{s:n, s:n}}", "id",
                         event_id, "object", "event", "api_version", "2024-06-20", "type", type,
                         "created", (json_int_t)time(NULL), "data", "object", obj, "livemode", 0,
                         "pending_webhooks", 1, "request", "id", "idempotency_key");
  char *s = ev != NULL ? json_dumps(ev, JSON_COMPACT) : NULL;
  json_decref(ev);
  return s;
}

long pd_se_send(int port, const char *body, const struct pd_se_how *how, struct pd_http_reply *out)
{
  char url[96], header[400], v1[PD_STRIPE_SIG_HEX], v1b[PD_STRIPE_SIG_HEX];
  struct pd_http_reply r;
  size_t len = strlen(body);
  long long t = (long long)time(NULL) + how->t_offset;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/webhooks/stripe", port);
  pd_stripe_sig_sign(how->secret, t, body, len, v1);
  if (how->also != NULL) {
    pd_stripe_sig_sign(how->also, t, body, len, v1b);
    snprintf(header, sizeof(header), "Stripe-Signature: t=%lld,v1=%s,v1=%s,v0=%s", t, v1b, v1, v1b);
  } else {
    snprintf(header, sizeof(header), "Stripe-Signature: t=%lld,v1=%s", t, v1);
  }
  char *sent = strdup(body);
  if (sent == NULL)
    return 0;
  /* The last digit changed: still valid JSON, so only the signature can refuse it. */
  for (size_t i = len; how->tamper && i > 0; i--)
    if (sent[i - 1] >= '0' && sent[i - 1] <= '9') {
      sent[i - 1] = sent[i - 1] == '1' ? '2' : '1';
      break;
    }
  const char *hdr[] = {"Content-Type: application/json; charset=utf-8",
                       how->no_header ? NULL : header, NULL};
  enum pd_result rc = pd_http_do("POST", url, hdr, sent, len, &r);
  free(sent);
  long status = rc == PD_OK ? r.status : 0;
  if (out != NULL)
    *out = r;
  else
    pd_http_reply_free(&r);
  return status;
}
