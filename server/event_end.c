/* event_end.c - the scheduler task "event_end": what happens to an event's temporary cards once
 * they are over.
 *
 * A scheduler task, not a sweeper row (sweep.c): settling an event pays every owner of its
 * copies, one statement each for the payments, the copies and the DMs however many owners
 * there are, and the sweepers' contract is a batch of at most 200 rows a transaction.  Here one
 * transaction settles one event, all or nothing, and the next event gets the next transaction.
 *
 * 1. A temporary card whose own expiry passes before its event ends: its copies already left
 *    collections (all_cards and the copies' expires_at); the listings that hold one are
 *    cancelled and the trades that offer one cancelled with their escrow returned (the trade
 *    code's own close), and the sellers and traders are told.  No consolation yet: it is paid
 *    once, at the event's end, for every copy the event leaves behind, so a copy is never paid
 *    twice and a card that expires early costs its owner nothing.
 * 2. An event past its end (or ended early by an admin) and not settled: the same for all its
 *    cards, then every copy goes ('gone', a move to nobody, as an admin's card removal does:
 *    db_admin_cards.h), each owner gets consolation_notes per copy as ONE ledger operation
 *    from 'rewards' that also holds their copies' moves, one DM each, and the event is marked
 *    settled_at, all in that transaction.  The event row is locked SKIP LOCKED and settled_at
 *    is checked again by the UPDATE, so two instances or a retried run settle it once. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_admin_cards.h"
#include "db_events.h"
#include "db_jobs.h"
#include "db_ledger.h"
#include "db_trades.h"
#include "log.h"
#include "reply.h"
#include "scheduler.h"
#include "utf8.h"

#define IDS_CAP 8192   /* an event's temporary cards as a bigint[] literal */
#define TRADES_CAP 200 /* open trades cancelled in one transaction (each player has one) */
#define EVENTS_MAX 50  /* events settled in one run; the next period takes the rest */

struct run {
  struct pd_app *app;
  int64_t listings, trades, copies, owners, events;
  bool found;
};

static const char *app_id(const struct run *x)
{
  return x->app->cfg.application_id;
}

static enum pd_result queue_dms(struct run *x, struct pd_db *db, json_t *dms)
{
  if (app_id(x) == NULL || json_array_size(dms) == 0)
    return PD_OK;
  return pd_db_job_add_dms(db, app_id(x), dms, "event_end", NULL);
}

/* The open trades that offer a copy of the cards in ids: cancelled, both traders told. */
static enum pd_result cancel_trades(struct run *x, struct pd_db *db, const char *ids,
                                    const char *why_event, json_t *dms)
{
  int64_t tids[TRADES_CAP];
  char cards[TRADES_CAP][32];
  size_t n = 0;
  enum pd_result rc = pd_db_removal_trades(db, ids, tids, cards, TRADES_CAP, &n);
  for (size_t i = 0; rc == PD_OK && i < n && i < TRADES_CAP; i++) {
    struct pd_trade t;
    char why[200], dm[600];
    rc = pd_db_trade_get(db, tids[i], true, &t);
    if (rc != PD_OK || strcmp(t.status, "open") != 0)
      continue;
    pd_utf8_fmt(why, sizeof(why), "%s, an event card it offered, expired", cards[i]);
    rc = pd_db_trade_close(db, &t, "cancelled", why, 0);
    for (int s = 0; rc == PD_OK && s < 2; s++) {
      pd_utf8_fmt(dm, sizeof(dm),
                  "Your trade with <@%s> was cancelled: it offered %s, a temporary card of %s that "
                  "expired. Everything else offered went back to its owner.",
                  t.discord[1 - s], cards[i], why_event);
      json_array_append_new(dms, json_pack("{s:s, s:s}", "recipient", t.discord[s], "content", dm));
    }
    if (rc == PD_OK)
      x->trades++;
  }
  return rc;
}

/* Phase 1: cards that expired before their event is over, with copies still in escrow. */
static enum pd_result early_expiry(struct pd_db *db, void *arg)
{
  struct run *x = arg;
  char ids[IDS_CAP];
  json_t *listed = NULL, *dms = json_array();
  bool any = false;
  x->found = false;
  enum pd_result rc =
      dms != NULL ? pd_db_event_expired_escrow(db, ids, sizeof(ids), &any) : PD_E_NOMEM;
  if (rc == PD_OK && any)
    rc = pd_db_event_cancel_listings(db, ids, &listed);
  size_t i;
  json_t *l;
  json_array_foreach(listed, i, l)
  {
    char dm[400];
    pd_utf8_fmt(dm, sizeof(dm),
                "Your market listing of %s was cancelled: it is a temporary event card, and it "
                "expired.",
                json_string_value(json_object_get(l, "card")));
    json_array_append_new(
        dms, json_pack("{s:O, s:s}", "recipient", json_object_get(l, "recipient"), "content", dm));
    x->listings++;
  }
  if (rc == PD_OK && any)
    rc = cancel_trades(x, db, ids, "an event", dms);
  if (rc == PD_OK)
    rc = queue_dms(x, db, dms);
  x->found = rc == PD_OK && any;
  json_decref(listed);
  json_decref(dms);
  return rc;
}

/* One owner's DM. */
static void owner_dm(const struct pd_event *e, const struct pd_removal_owner *o, char *out,
                     size_t cap)
{
  char escrow[160] = "", pay[160] = "", total[32];
  if (o->listed + o->trading > 0)
    snprintf(escrow, sizeof(escrow),
             " (%" PRId64 " listing%s and %" PRId64 " trade offer%s holding them were cancelled)",
             o->listed, o->listed == 1 ? "" : "s", o->trading, o->trading == 1 ? "" : "s");
  if (e->consolation_notes > 0) {
    pd_fmt_thousands(o->copies * e->consolation_notes, total);
    snprintf(pay, sizeof(pay),
             ", and you got %" PRId64 " × %" PRId64 " = **%s Notes** as a "
             "consolation",
             o->copies, e->consolation_notes, total);
  }
  pd_utf8_fmt(out, cap,
              "**%s** is over: your %" PRId64 " temporary cop%s of its cards left your "
              "collection%s%s.",
              e->name, o->copies, o->copies == 1 ? "y" : "ies", escrow, pay);
}

/* Phase 2: the oldest event that is over and not settled, settled whole. */
static enum pd_result settle_one(struct pd_db *db, void *arg)
{
  struct run *x = arg;
  struct pd_event e;
  char ids[IDS_CAP];
  struct pd_removal_owner *owners = NULL;
  size_t nowners = 0;
  int64_t cancelled = 0, gone = 0, copies = 0;
  json_t *dms = json_array(), *pay = json_array(), *moves = json_array(), *ops = NULL;
  x->found = false;
  enum pd_result rc = dms != NULL && pay != NULL && moves != NULL
                          ? pd_db_event_next_over(db, &e, ids, sizeof(ids))
                          : PD_E_NOMEM;
  if (rc == PD_E_NOTFOUND) {
    rc = PD_OK;
    goto out;
  }
  bool cards = rc == PD_OK && strcmp(ids, "{}") != 0;
  if (cards)
    rc = pd_db_removal_owners(db, ids, &owners, &nowners);
  if (cards && rc == PD_OK)
    rc = pd_db_removal_cancel_listings(db, ids, &cancelled);
  if (cards && rc == PD_OK)
    rc = cancel_trades(x, db, ids, e.name, dms);
  for (size_t i = 0; rc == PD_OK && i < nowners; i++) {
    copies += owners[i].copies;
    if (e.consolation_notes > 0)
      json_array_append_new(
          pay, json_pack("{s:I, s:I, s:{s:I, s:I}}", "user", (json_int_t)owners[i].user_id,
                         "amount", (json_int_t)(owners[i].copies * e.consolation_notes), "meta",
                         "event", (json_int_t)e.id, "copies", (json_int_t)owners[i].copies));
  }
  if (rc == PD_OK && json_array_size(pay) > 0)
    rc = pd_ledger_pay_many(db, PD_ACCT_REWARDS, "event_consolation", PD_NOTES, pay, NULL, &ops);
  for (size_t i = 0; rc == PD_OK && i < nowners; i++) {
    char key[24], dm[700];
    snprintf(key, sizeof(key), "%" PRId64, owners[i].user_id);
    json_t *op = json_object_get(ops, key);
    json_array_append_new(moves, json_pack("{s:I, s:O}", "u", (json_int_t)owners[i].user_id, "op",
                                           op != NULL ? op : json_null()));
    owner_dm(&e, &owners[i], dm, sizeof(dm));
    json_array_append_new(
        dms, json_pack("{s:s, s:s}", "recipient", owners[i].discord_id, "content", dm));
  }
  if (rc == PD_OK && nowners > 0)
    rc = pd_db_removal_gone(db, ids, moves, &gone);
  if (rc == PD_OK && gone != copies)
    rc = PD_E_INTERNAL; /* the escrow was released above, so every copy was free or locked */
  if (rc == PD_OK)
    rc = queue_dms(x, db, dms);
  if (rc == PD_OK)
    rc = pd_db_event_settle(db, e.id);
  if (rc == PD_OK) {
    x->found = true;
    x->events++;
    x->owners += (int64_t)nowners;
    x->copies += copies;
    x->listings += cancelled;
    pd_log("info", "event settled",
           json_pack("{s:I, s:I, s:I, s:I}", "event", (json_int_t)e.id, "owners",
                     (json_int_t)nowners, "copies", (json_int_t)copies, "consolation",
                     (json_int_t)(copies * e.consolation_notes)));
  }
out:
  free(owners);
  json_decref(dms);
  json_decref(pay);
  json_decref(moves);
  json_decref(ops);
  return rc;
}

enum pd_result pd_task_event_end(struct pd_app *app, struct pd_db *db, const struct pd_task_run *r,
                                 char *detail, size_t cap)
{
  struct run x = {.app = app};
  enum pd_result rc = PD_OK;
  (void)r;
  for (int b = 0; rc == PD_OK && b < EVENTS_MAX && !atomic_load(&app->stopping); b++) {
    rc = pd_db_tx(db, pd_now_us() + 5000000, early_expiry, &x);
    if (rc != PD_OK || !x.found)
      break;
  }
  for (int b = 0; rc == PD_OK && b < EVENTS_MAX && !atomic_load(&app->stopping); b++) {
    rc = pd_db_tx(db, pd_now_us() + 20000000, settle_one, &x);
    if (rc != PD_OK || !x.found)
      break;
  }
  snprintf(detail, cap,
           "settled %" PRId64 " events (%" PRId64 " owners, %" PRId64 " copies); cancelled %" PRId64
           " listings, %" PRId64 " trades%s",
           x.events, x.owners, x.copies, x.listings, x.trades, rc != PD_OK ? " (failed)" : "");
  return rc;
}
