/* entitlements.c - Discord's premium SKUs granted once however they reach us (see
 * entitlements.h): the interaction's `entitlements`, webhook events, and the reconcile. */
#include "entitlements.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_entitlements.h"
#include "db_jobs.h"
#include "db_payments.h"
#include "discord_rest.h"
#include "log.h"
#include "scheduler.h"

/* The most entitlements of one interaction looked at (a player holds a handful). */
#define IX_MAX 16
/* Discord's page size limit for the listing. */
#define PAGE_LIMIT 100
/* Pages one reconcile reads at most (10,000 entitlements a run, the rest the next run). */
#define PAGES_MAX 100
#define RECONCILE_TIMEOUT_MS 10000
#define RECONCILE_TX_US 10000000

const char *pd_ent_outcome_name(enum pd_ent_outcome o)
{
  switch (o) {
  case PD_ENT_GRANTED:
    return "granted";
  case PD_ENT_CLAWED_BACK:
    return "clawed_back";
  case PD_ENT_MEMBERSHIP:
    return "membership";
  case PD_ENT_DUPLICATE:
    return "duplicate";
  case PD_ENT_REVERSED:
    return "reversed";
  case PD_ENT_PENDING:
    return "pending";
  case PD_ENT_IGNORED:
    return "ignored";
  }
  return "unknown";
}

const struct pd_bundle *pd_ent_bundle(const struct pd_app *app, const char *sku_id)
{
  for (size_t i = 0; sku_id != NULL && i < app->cfg.npayment_skus; i++)
    if (strcmp(app->cfg.payment_skus[i].sku, sku_id) == 0)
      return pd_game_bundle(app->game, app->cfg.payment_skus[i].bundle);
  return NULL;
}

/* The membership's subscription (it has an end, or Discord calls it one), not a purchase. */
static bool subscription(const struct pd_bundle *b, const struct pd_entitlement *e)
{
  return strcmp(b->id, PD_BUNDLE_MEMBERSHIP) == 0 &&
         (e->type == PD_ENT_APPLICATION_SUBSCRIPTION || e->ends_at > 0);
}

static enum pd_ent_outcome from_pay(enum pd_pay_outcome o)
{
  switch (o) {
  case PD_PAY_GRANTED:
    return PD_ENT_GRANTED;
  case PD_PAY_CLAWED_BACK:
    return PD_ENT_CLAWED_BACK;
  case PD_PAY_DUPLICATE:
    return PD_ENT_DUPLICATE;
  case PD_PAY_REVERSED:
    return PD_ENT_REVERSED;
  case PD_PAY_PENDING:
    return PD_ENT_PENDING;
  }
  return PD_ENT_IGNORED;
}

enum pd_result pd_ent_apply(struct pd_app *app, struct pd_db *db, const struct pd_entitlement *e,
                            bool deleted, const char *ref, enum pd_ent_outcome *out)
{
  struct pd_pay_result res;
  enum pd_result rc;
  *out = PD_ENT_IGNORED;
  const struct pd_bundle *b = pd_ent_bundle(app, e->sku_id);
  if (b == NULL || e->user_id == NULL) /* not one we sell, or a server's: nobody to pay */
    return PD_OK;
  bool sub = subscription(b, e);
  if (deleted || e->deleted) {
    /* Refunded (or revoked): what it paid goes back; before its grant, the grant pays nothing. */
    const struct pd_pay_reversal rv = {
        .provider = PD_PAY_DISCORD,
        .provider_id = e->id,
        .reason = sub ? "deleted" : "refund",
        .raw = e->raw,
        .application_id = app->cfg.application_id,
        .ref = ref,
    };
    rc = pd_pay_clawback(db, &rv, &res);
    if (rc == PD_OK)
      *out = from_pay(res.outcome);
    return rc;
  }
  /* A consumed consumable was granted before we consumed it (consumption is queued with the
   * grant only), so there is nothing to do. */
  if (!sub && e->consumed)
    return PD_OK;
  const struct pd_pay_grant g = {
      .provider = PD_PAY_DISCORD,
      .provider_id = e->id,
      .discord_id = e->user_id,
      .bundle = b,
      .amount = -1, /* Discord does not tell an app what the player paid */
      .member_ends_at = sub ? e->ends_at : 0,
      .raw = e->raw,
      .application_id = app->cfg.application_id,
      .ref = ref,
  };
  rc = pd_pay_grant(db, &g, &res);
  if (rc != PD_OK)
    return rc;
  *out = from_pay(res.outcome);
  if (res.outcome == PD_PAY_GRANTED && !sub)
    return pd_db_job_add_consume(db, app->cfg.application_id, e->id, ref, NULL);
  if (res.outcome == PD_PAY_DUPLICATE && sub && e->ends_at > 0) {
    /* A renewal or a cancellation moves the end, unless the payment was taken back. */
    char state[16];
    rc = pd_db_ent_state(db, e->id, state, sizeof(state));
    if (rc == PD_OK && strcmp(state, "granted") == 0) {
      rc = pd_pay_membership_set(db, res.user_id, PD_PAY_DISCORD, e->id, e->ends_at);
      *out = PD_ENT_MEMBERSHIP;
    }
  }
  return rc;
}

/* Entitlements this instance has seen through to the end (by id and end), so a player's every
 * interaction does not ask the database about the subscription or purchase they hold.  Only an
 * optimisation: payments stays the truth, and a miss costs one short transaction. */
#define SEEN_SLOTS 512
static struct {
  pthread_mutex_t mu;
  char keys[SEEN_SLOTS][48];
  size_t next;
} seen = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void seen_key(const struct pd_entitlement *e, char out[48])
{
  snprintf(out, 48, "%s:%lld", e->id, (long long)e->ends_at);
}

static bool seen_has(const struct pd_entitlement *e)
{
  char k[48];
  bool found = false;
  seen_key(e, k);
  pthread_mutex_lock(&seen.mu);
  for (size_t i = 0; i < SEEN_SLOTS && !found; i++)
    found = strcmp(seen.keys[i], k) == 0;
  pthread_mutex_unlock(&seen.mu);
  return found;
}

static void seen_add(const struct pd_entitlement *e)
{
  char k[48];
  seen_key(e, k);
  pthread_mutex_lock(&seen.mu);
  memcpy(seen.keys[seen.next], k, sizeof(k));
  seen.next = (seen.next + 1) % SEEN_SLOTS;
  pthread_mutex_unlock(&seen.mu);
}

static void log_outcome(const char *how, const struct pd_entitlement *e, enum pd_ent_outcome o,
                        const char *ref)
{
  if (o == PD_ENT_DUPLICATE)
    return;
  json_t *f =
      json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s}", "via", how, "entitlement", e->id, "sku",
                e->sku_id, "user_id", e->user_id, "outcome", pd_ent_outcome_name(o), "ref", ref);
  pd_log("info", "entitlement", f);
}

struct ix_batch {
  struct pd_app *app;
  const struct pd_entitlement *pending[IX_MAX];
  enum pd_ent_outcome outcome[IX_MAX];
  size_t n;
  const char *ref;
};

static enum pd_result ix_apply(struct pd_db *db, void *arg)
{
  struct ix_batch *b = arg;
  enum pd_result rc = PD_OK;
  for (size_t i = 0; rc == PD_OK && i < b->n; i++)
    rc = pd_ent_apply(b->app, db, b->pending[i], false, b->ref, &b->outcome[i]);
  return rc;
}

void pd_ent_from_interaction(struct pd_app *app, const struct pd_interaction *ix,
                             int64_t deadline_us, const char *ref)
{
  struct ix_batch b = {.app = app, .ref = ref};
  for (size_t i = 0; i < ix->nentitlements && b.n < IX_MAX; i++) {
    const struct pd_entitlement *e = &ix->entitlements[i];
    const struct pd_bundle *bundle = pd_ent_bundle(app, e->sku_id);
    /* Only the caller's own, and only what could still need doing. */
    if (bundle == NULL || e->deleted || e->user_id == NULL ||
        strcmp(e->user_id, ix->user.id) != 0 || (!subscription(bundle, e) && e->consumed) ||
        seen_has(e))
      continue;
    b.pending[b.n++] = e;
  }
  if (b.n == 0)
    return;
  struct pd_db *db = NULL;
  enum pd_result rc = pd_db_acquire(app->pool, deadline_us, &db);
  if (rc == PD_OK)
    rc = pd_db_tx(db, deadline_us, ix_apply, &b);
  pd_db_release(db);
  if (rc != PD_OK) {
    json_t *f = json_pack("{s:s, s:s, s:s}", "ref", ref, "user_id", ix->user.id, "error",
                          pd_result_str(rc));
    pd_log("warn", "entitlements of the interaction not granted (the webhook or reconcile will)",
           f);
    return;
  }
  for (size_t i = 0; i < b.n; i++) {
    seen_add(b.pending[i]);
    log_outcome("interaction", b.pending[i], b.outcome[i], ref);
  }
}

/* The larger of two snowflakes (decimal strings) into out. */
static void snowflake_max(char *out, size_t cap, const char *id)
{
  size_t a = strlen(out), b = strlen(id);
  if (b > a || (b == a && strcmp(id, out) > 0))
    snprintf(out, cap, "%s", id);
}

struct one {
  struct pd_app *app;
  struct pd_entitlement e;
  enum pd_ent_outcome outcome;
  const char *ref;
};

static enum pd_result apply_one(struct pd_db *db, void *arg)
{
  struct one *o = arg;
  return pd_ent_apply(o->app, db, &o->e, false, o->ref, &o->outcome);
}

enum pd_result pd_ent_reconcile(struct pd_app *app, struct pd_db *db, bool *ran, int64_t *seen_n,
                                int64_t *granted, int64_t *clawed)
{
  struct pd_discord *d = NULL;
  struct pd_discord_reply reply = {0};
  char ref[PD_REF_LEN + 1], after[24] = "0", path[256];
  int64_t n_seen = 0, n_granted = 0, n_clawed = 0;
  bool locked = false;
  *ran = false;
  if (app->cfg.bot_token == NULL || app->cfg.application_id == NULL)
    return PD_E_INVALID;
  pd_ref_new(ref);
  enum pd_result rc = pd_db_ent_lock(db, &locked);
  if (rc != PD_OK || !locked)
    return rc;
  *ran = true;
  rc = pd_discord_new(app->cfg.api_base, RECONCILE_TIMEOUT_MS, &d);
  /* A stopping serve does not wait for the rest: the next run picks it up. */
  for (int page = 0; rc == PD_OK && page < PAGES_MAX && !atomic_load(&app->stopping); page++) {
    snprintf(path, sizeof(path),
             "/applications/%s/entitlements?limit=%d&exclude_deleted=false&after=%s",
             app->cfg.application_id, PAGE_LIMIT, after);
    rc = pd_discord_request(d, "GET", path, app->cfg.bot_token, NULL, NULL, 0, &reply);
    if (rc == PD_OK && (reply.status != 200 || !json_is_array(reply.body))) {
      json_t *f =
          json_pack("{s:s, s:i, s:s}", "ref", ref, "status", (int)reply.status, "after", after);
      pd_log("error", "entitlement listing refused", f);
      rc = PD_E_UPSTREAM;
    }
    if (rc != PD_OK)
      break;
    size_t i, count = json_array_size(reply.body);
    json_t *obj;
    json_array_foreach(reply.body, i, obj)
    {
      struct one o = {.app = app, .ref = ref};
      if (pd_entitlement_parse(obj, &o.e) != PD_OK)
        continue;
      snowflake_max(after, sizeof(after), o.e.id);
      n_seen++;
      rc = pd_db_tx(db, pd_now_us() + RECONCILE_TX_US, apply_one, &o);
      if (rc != PD_OK)
        break;
      n_granted += o.outcome == PD_ENT_GRANTED;
      n_clawed += o.outcome == PD_ENT_CLAWED_BACK;
      log_outcome("reconcile", &o.e, o.outcome, ref);
    }
    pd_discord_reply_clear(&reply);
    if (count < PAGE_LIMIT)
      break;
  }
  pd_discord_reply_clear(&reply);
  pd_discord_free(d);
  if (pd_db_ent_unlock(db) != PD_OK)
    pd_log_error("reconcile %s: the lock was not released (it goes with the connection)", ref);
  if (seen_n != NULL)
    *seen_n = n_seen;
  if (granted != NULL)
    *granted = n_granted;
  if (clawed != NULL)
    *clawed = n_clawed;
  return rc;
}

/* The scheduler's "entitlement_reconcile" task, every PAYMENTS_RECONCILE_S (scheduler.c). */
enum pd_result pd_task_entitlements(struct pd_app *app, struct pd_db *db,
                                    const struct pd_task_run *r, char *detail, size_t cap)
{
  bool ran = false;
  int64_t n = 0, g = 0, c = 0;
  (void)r;
  enum pd_result rc = pd_ent_reconcile(app, db, &ran, &n, &g, &c);
  if (rc == PD_OK)
    snprintf(detail, cap, "%s: seen %lld, granted %lld, clawed back %lld",
             ran ? "reconciled" : "a `popdeck payments reconcile` was running", (long long)n,
             (long long)g, (long long)c);
  return rc;
}
