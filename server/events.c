/* events.c - POST /events.  Discord posts webhook events here, signed like interactions; each
 * entitlement event is recorded by its id (entitlement id, event type, event timestamp) in the
 * transaction that applies it, so a redelivery changes nothing, and events that arrive late or
 * out of order settle on the same result (entitlements.c, db_payments.h). */
#include "events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_payments.h"
#include "entitlements.h"
#include "log.h"
#include "metrics.h"
#include "sig.h"

/* Discord wants the answer within 3 s; leave room for the network. */
#define DEADLINE_US 2500000

enum { EVENT_PING = 0, EVENT_EVENT = 1 };

/* 204: nothing. */
static void no_content(struct pd_answer *ans)
{
  ans->status = 204;
  ans->body = calloc(1, 1);
  ans->len = 0;
  if (ans->body == NULL)
    ans->status = 500;
}

struct event {
  struct pd_app *app;
  const char *type;
  char id[160];
  json_t *raw;
  struct pd_entitlement e;
  bool deleted;
  bool first;
  enum pd_ent_outcome outcome;
  const char *ref;
};

static enum pd_result handle(struct pd_db *db, void *arg)
{
  struct event *ev = arg;
  ev->outcome = PD_ENT_DUPLICATE;
  enum pd_result rc =
      pd_pay_event(db, PD_PAY_DISCORD, ev->id, ev->type, "received", ev->raw, &ev->first);
  if (rc != PD_OK || !ev->first)
    return rc;
  rc = pd_ent_apply(ev->app, db, &ev->e, ev->deleted, ev->ref, &ev->outcome);
  if (rc == PD_OK)
    rc = pd_pay_event(db, PD_PAY_DISCORD, ev->id, ev->type, pd_ent_outcome_name(ev->outcome), NULL,
                      NULL);
  return rc;
}

void pd_events_handle(struct pd_app *app, const char *sig, const char *ts, const char *body,
                      size_t len, struct pd_answer *ans, struct pd_reqlog *log)
{
  json_error_t jerr;
  struct pd_db *db = NULL;
  memset(ans, 0, sizeof(*ans));
  if (pd_sig_verify(app->cfg.public_key, sig, ts, body, len, (int64_t)time(NULL)) != PD_OK) {
    pd_metrics_signature_failure();
    pd_answer_error(ans, 401, "invalid request signature");
    return;
  }
  json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
  json_t *type = json_object_get(root, "type");
  json_t *event = json_object_get(root, "event");
  const char *etype = json_string_value(json_object_get(event, "type"));
  const char *at = json_string_value(json_object_get(event, "timestamp"));
  if (!json_is_object(root) || !json_is_integer(type)) {
    pd_answer_error(ans, 400, "body is not a webhook event (an object with an integer type)");
    goto out;
  }
  log->ix_type = (int)json_integer_value(type);
  if (json_integer_value(type) == EVENT_PING) {
    no_content(ans);
    goto out;
  }
  if (json_integer_value(type) != EVENT_EVENT || etype == NULL) {
    pd_answer_error(ans, 400, "an event needs event.type");
    goto out;
  }
  snprintf(log->command, sizeof(log->command), "%s", etype);
  bool create = strcmp(etype, "ENTITLEMENT_CREATE") == 0;
  bool update = strcmp(etype, "ENTITLEMENT_UPDATE") == 0;
  bool del = strcmp(etype, "ENTITLEMENT_DELETE") == 0;
  if (!create && !update && !del) { /* APPLICATION_AUTHORIZED and the rest: not ours */
    no_content(ans);
    goto out;
  }
  struct event ev = {.app = app, .type = etype, .raw = root, .deleted = del};
  if (at == NULL || pd_entitlement_parse(json_object_get(event, "data"), &ev.e) != PD_OK) {
    pd_answer_error(ans, 400,
                    "an entitlement event needs event.timestamp and data with id and sku_id");
    goto out;
  }
  if (ev.e.user_id != NULL)
    snprintf(log->user_id, sizeof(log->user_id), "%s", ev.e.user_id);
  pd_ref_new(log->ref);
  ev.ref = log->ref;
  snprintf(ev.id, sizeof(ev.id), "%s:%s:%.64s", ev.e.id, etype, at);
  int64_t deadline = pd_now_us() + DEADLINE_US;
  int64_t t0 = pd_now_us();
  enum pd_result rc = pd_db_acquire(app->pool, deadline, &db);
  if (rc == PD_OK)
    rc = pd_db_tx(db, deadline, handle, &ev);
  pd_db_release(db);
  pd_metrics_handler_seconds((double)(pd_now_us() - t0) / 1e6);
  if (rc != PD_OK) {
    /* Ours: Discord delivers it again, and the event id makes that safe. */
    log->error = pd_result_str(rc);
    json_t *f = json_pack("{s:s, s:s, s:s, s:s}", "ref", log->ref, "event", ev.id, "type", etype,
                          "error", pd_result_str(rc));
    pd_log("error", "webhook event failed", f);
    char text[80];
    snprintf(text, sizeof(text), "internal error (ref %s)", log->ref);
    pd_answer_error(ans, 500, text);
    goto out;
  }
  if (ev.first && (ev.outcome != PD_ENT_DUPLICATE)) {
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s}", "ref", log->ref, "event", ev.id, "sku",
                          ev.e.sku_id, "type", etype, "outcome", pd_ent_outcome_name(ev.outcome));
    pd_log(ev.outcome == PD_ENT_IGNORED ? "warn" : "info",
           ev.outcome == PD_ENT_IGNORED ? "webhook event ignored (SKU not in PAYMENT_SKUS?)"
                                        : "webhook event",
           f);
  }
  no_content(ans);
out:
  json_decref(root);
}
