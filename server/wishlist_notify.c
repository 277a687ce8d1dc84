/* wishlist_notify.c - the scheduler task "wishlist_notify": the DMs that tell players a card
 * they wished for was listed.  A listing's transaction only writes a notice row per wisher
 * (db_wishlist.h pd_db_wish_listed); this task takes the notices of players whose last such DM
 * is at least an hour old and queues ONE DM each (the durable queue), naming the first listing
 * and summarising the rest ("and 3 more cards you wished for were listed").  Notices that arrive
 * within the hour wait for the next DM, so a player gets at most one an hour however many
 * wished cards are listed. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db_jobs.h"
#include "db_wishlist.h"
#include "log.h"
#include "market.h"
#include "scheduler.h"
#include "utf8.h"

#define BATCH 100 /* players told per transaction */
#define BATCHES_MAX 50

struct run {
  struct pd_app *app;
  int64_t players, notices;
  size_t got;
};

/* One player's DM from their notices (oldest first). */
static void dm_text(json_t *notices, char *out, size_t cap)
{
  json_t *first = json_array_get(notices, 0);
  size_t more = json_array_size(notices) - 1;
  char price[64], rest[700] = "";
  pd_market_price(json_integer_value(json_object_get(first, "price")),
                  json_string_value(json_object_get(first, "currency")), price, sizeof(price));
  if (more > 0) {
    size_t at = (size_t)snprintf(rest, sizeof(rest),
                                 "\nAnd %zu more card%s you wished for %s "
                                 "listed:",
                                 more, more == 1 ? "" : "s", more == 1 ? "was" : "were");
    for (size_t i = 1; i < json_array_size(notices) && i <= 10 && at < sizeof(rest); i++)
      at += (size_t)snprintf(
          rest + at, sizeof(rest) - at, "%s **%s** (`/buy listing:%lld`)", i > 1 ? "," : "",
          json_string_value(json_object_get(json_array_get(notices, i), "card")),
          (long long)json_integer_value(json_object_get(json_array_get(notices, i), "listing")));
    if (more > 10 && at < sizeof(rest))
      snprintf(rest + at, sizeof(rest) - at, " …");
  }
  pd_utf8_fmt(out, cap,
              "★ **%s** (%s — %s, %s), on your wishlist, was listed on the market for **%s**%s: "
              "`/buy listing:%lld`%s%s",
              json_string_value(json_object_get(first, "card")),
              json_string_value(json_object_get(first, "artist")),
              json_string_value(json_object_get(first, "era")),
              json_string_value(json_object_get(first, "rarity")), price,
              strcmp(json_string_value(json_object_get(first, "scope")), "server") == 0
                  ? " (in one server's market)"
                  : "",
              (long long)json_integer_value(json_object_get(first, "listing")),
              json_is_true(json_object_get(first, "active")) ? "." : " (already gone).", rest);
}

static enum pd_result notify_batch(struct pd_db *db, void *arg)
{
  struct run *x = arg;
  json_t *due = NULL, *dms = json_array();
  x->got = 0;
  enum pd_result rc = dms != NULL ? pd_db_wish_due(db, BATCH, &due) : PD_E_NOMEM;
  size_t i;
  json_t *p;
  json_array_foreach(due, i, p)
  {
    char text[1500];
    json_t *notices = json_object_get(p, "notices");
    dm_text(notices, text, sizeof(text));
    json_array_append_new(dms, json_pack("{s:O, s:s}", "recipient", json_object_get(p, "recipient"),
                                         "content", text));
    x->notices += (int64_t)json_array_size(notices);
  }
  x->got = json_array_size(due);
  const char *app = x->app->cfg.application_id;
  /* Without an application id no DM can be sent; the notices are dropped with the batch. */
  if (rc == PD_OK && app != NULL && json_array_size(dms) > 0)
    rc = pd_db_job_add_dms(db, app, dms, "wishlist", NULL);
  if (rc == PD_OK)
    x->players += (int64_t)x->got;
  json_decref(due);
  json_decref(dms);
  return rc;
}

enum pd_result pd_task_wishlist_notify(struct pd_app *app, struct pd_db *db,
                                       const struct pd_task_run *r, char *detail, size_t cap)
{
  struct run x = {.app = app};
  enum pd_result rc = PD_OK;
  (void)r;
  for (int b = 0; b < BATCHES_MAX && !atomic_load(&app->stopping); b++) {
    rc = pd_db_tx(db, pd_now_us() + 5000000, notify_batch, &x);
    if (rc != PD_OK || x.got < BATCH)
      break;
  }
  snprintf(detail, cap, "told %" PRId64 " players of %" PRId64 " listings%s", x.players, x.notices,
           rc != PD_OK ? " (failed)" : "");
  return rc;
}
