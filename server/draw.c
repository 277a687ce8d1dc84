/* draw.c - paying, boosts and catalog draws for /openpack and /draw. */
#include "draw.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "db_catalog.h"
#include "db_catalog_tasks.h"
#include "db_ledger.h"
#include "db_packs.h"
#include "log.h"
#include "publicid.h"
#include "reply.h"
#include "storage.h"
#include "utf8.h"

bool pd_draw_event_boost(const struct pd_game_config *g, const char *name, json_t *row,
                         double boost[PD_RARITY_COUNT])
{
  const char *k;
  json_t *v;
  bool any = false;
  /* The row's keys were checked as rarities when the event was made (admin_events.c). */
  json_object_foreach(row, k, v)
  {
    enum pd_rarity r;
    if (pd_rarity_parse(k, &r) != PD_OK || !json_is_number(v) || json_number_value(v) <= 0)
      continue;
    boost[r] *= json_number_value(v);
    any = any || json_number_value(v) != 1;
  }
  const struct pd_event_boost *b = pd_game_event_boost(g, name);
  for (int r = 0; b != NULL && r < PD_RARITY_COUNT; r++)
    boost[r] *= b->weights[r];
  return any || b != NULL;
}

enum pd_result pd_draw_boost(struct pd_db *db, const struct pd_game_config *g, const char *guild,
                             double boost[PD_RARITY_COUNT], char *events, size_t eventslen)
{
  json_t *list = NULL;
  size_t i, at = 0;
  json_t *ev;
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    boost[r] = 1;
  events[0] = '\0';
  enum pd_result rc = pd_db_active_events(db, guild, &list);
  if (rc != PD_OK)
    return rc;
  json_array_foreach(list, i, ev)
  {
    const char *name = json_string_value(json_object_get(ev, "name"));
    if (!pd_draw_event_boost(g, name, json_object_get(ev, "boosts"), boost))
      continue;
    /* Names are cut on a character boundary when they do not all fit. */
    if (at + 1 < eventslen) {
      pd_utf8_fmt(events + at, eventslen - at, "%s%s", at > 0 ? ", " : "", name);
      at += strlen(events + at);
    }
  }
  json_decref(list);
  return PD_OK;
}

static bool publicid_taken(void *arg, const char *id)
{
  bool taken = true; /* on a database error, never hand out the id */
  pd_db_publicid_taken(arg, id, &taken);
  return taken;
}

/* The rarity to take when r has no card: the nearest below, else the nearest above. */
static int stocked(const int64_t counts[PD_RARITY_COUNT], int r)
{
  for (int k = r; k >= 0; k--)
    if (counts[k] > 0)
      return k;
  for (int k = r + 1; k < PD_RARITY_COUNT; k++)
    if (counts[k] > 0)
      return k;
  return -1;
}

/* How many unused images a draw looks at to choose one of a fitting kind. */
#define CREATE_CHOICES 16

/* Reuse versus create (the spec's rarity assignment flow) for a card of rarity r drawn as
 * *template_id: when its era has fewer than min_stock_per_rarity cards of r, or the reuse_bias
 * Bernoulli says create, a new card of r is made from one of the era's unused images instead,
 * chosen with weight kind_multiplier[kind][r] (a kind that never makes r is not chosen).  The card
 * is written with image_rev 0 and its public id goes into made: the worker draws it before the
 * message goes out.  No unused image of a fitting kind: the drawn card is kept (reuse).  The
 * rarity is never changed, so /odds stays exact. */
static enum pd_result maybe_create(const struct pd_app *app, struct pd_db *db, enum pd_rarity r,
                                   int64_t *template_id, json_t *made)
{
  const struct pd_rarity_config *rc_cfg = app->rarity;
  struct pd_db_draw_era era;
  struct pd_db_unused_image imgs[CREATE_CHOICES];
  size_t n = 0;
  enum pd_result rc = pd_db_draw_era(db, *template_id, &era);
  if (rc == PD_E_NOTFOUND)
    return PD_OK;
  if (rc != PD_OK)
    return rc;
  if (pd_rarity_decide_reuse(rc_cfg, era.stock, randombytes_random()) == PD_RARITY_REUSE)
    return PD_OK;
  rc = pd_db_unused_images(db, era.era_id, imgs, CREATE_CHOICES, &n);
  if (rc != PD_OK || n == 0)
    return rc;
  double w[CREATE_CHOICES], total = 0;
  for (size_t i = 0; i < n; i++) {
    enum pd_kind kind;
    w[i] = pd_kind_parse(imgs[i].kind, &kind) == PD_OK ? rc_cfg->kind_multiplier[kind][r] : 0;
    total += w[i];
  }
  if (total <= 0)
    return PD_OK;
  double x = randombytes_random() / 4294967296.0 * total;
  size_t pick = 0;
  while (pick + 1 < n && x >= w[pick]) {
    x -= w[pick];
    pick++;
  }
  while (w[pick] <= 0) /* x landed at the very end: the last image that fits */
    pick--;
  char public_id[PD_PUBLICID_SIZE], file[64], url[512];
  struct pd_publicid prefix;
  rc = pd_publicid_codes(era.artist, era.era, &prefix);
  if (rc == PD_OK)
    rc = pd_publicid_next(&prefix, publicid_taken, db, public_id);
  /* Revision 1's name: the file the worker is about to draw. */
  if (rc == PD_OK)
    rc = pd_storage_card_name(public_id, 1, file, sizeof(file));
  if (rc != PD_OK)
    return rc;
  pd_storage_card_url(&app->cfg, file, url, sizeof(url));
  int64_t id = 0;
  rc = pd_db_draw_template_create(db, public_id, &era, pd_rarity_name(r), url, imgs[pick].id, &id);
  if (rc != PD_OK || id == 0)
    return rc;
  *template_id = id;
  json_array_append_new(made, json_string(public_id));
  return PD_OK;
}

enum pd_result pd_draw_cards(const struct pd_app *app, struct pd_db *db, const char *guild,
                             const double weights[PD_RARITY_COUNT], const double *boost, size_t n,
                             int64_t *template_ids, const char **rarities, json_t *made)
{
  int64_t counts[PD_RARITY_COUNT], total = 0;
  enum pd_result rc = pd_db_rarity_counts(db, guild, counts);
  if (rc != PD_OK)
    return rc;
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    total += counts[r];
  if (total == 0) {
    pd_log_error("the catalog has no cards: run popdeck seed demo or popdeck ingest");
    return PD_E_NOTFOUND;
  }
  for (size_t i = 0; i < n; i++) {
    int drawn = (int)pd_pack_draw(weights, boost, randombytes_random());
    int r = stocked(counts, drawn);
    if (r != drawn)
      pd_log_error("no %s card in the catalog; drew a %s one instead",
                   pd_rarity_name((enum pd_rarity)drawn), pd_rarity_name((enum pd_rarity)r));
    /* A pack shows different cards when the rarity has enough of them. */
    bool dup = true;
    for (int attempt = 0; dup && attempt < 8; attempt++) {
      int64_t at =
          (int64_t)randombytes_uniform((uint32_t)(counts[r] < UINT32_MAX ? counts[r] : UINT32_MAX));
      rc = pd_db_template_at(db, guild, (enum pd_rarity)r, at, &template_ids[i]);
      if (rc != PD_OK)
        return rc;
      dup = false;
      for (size_t k = 0; k < i; k++)
        dup = dup || template_ids[k] == template_ids[i];
    }
    /* The drawn card names the era; the era's stock decides whether a new card is made. */
    if (made != NULL && app->rarity != NULL &&
        (rc = maybe_create(app, db, (enum pd_rarity)r, &template_ids[i], made)) != PD_OK)
      return rc;
    rarities[i] = pd_rarity_name((enum pd_rarity)r);
  }
  return PD_OK;
}

const char *pd_currency_label(enum pd_currency c)
{
  return c == PD_NOTES ? "Notes" : c == PD_DISCS ? "Discs" : "Gems";
}

static int64_t balance_in(const struct pd_player *p, enum pd_currency c)
{
  return c == PD_NOTES ? p->notes : c == PD_DISCS ? p->discs : p->gems;
}

/* "**100 Notes** or **1 Discs**" and "0 Notes and 0 Discs" for the prices considered. */
static void prices_text(const struct pd_player *p, const struct pd_price *prices, int n, int want,
                        char *cost, size_t costlen, char *have, size_t havelen)
{
  size_t c = 0, h = 0;
  cost[0] = have[0] = '\0';
  for (int i = 0; i < n; i++) {
    char a[32], b[32];
    if (want >= 0 && (int)prices[i].currency != want)
      continue;
    pd_fmt_thousands(prices[i].amount, a);
    pd_fmt_thousands(balance_in(p, prices[i].currency), b);
    if (c + 1 < costlen)
      snprintf(cost + c, costlen - c, "%s**%s %s**", c > 0 ? " or " : "", a,
               pd_currency_label(prices[i].currency));
    if (h + 1 < havelen)
      snprintf(have + h, havelen - h, "%s%s%s%s", h > 0 ? " and " : "", b, n > 1 ? " " : "",
               n > 1 ? pd_currency_label(prices[i].currency) : "");
    c = strlen(cost);
    h = strlen(have);
  }
}

enum pd_result pd_draw_pay(struct pd_ctx *ctx, struct pd_db *db, struct pd_player *p,
                           const char *what, const char *label, int free_per_day,
                           const struct pd_price *prices, int nprices, int want,
                           const char **currency, int64_t *amount)
{
  bool free = false;
  char cost[200], have[200];
  *currency = NULL;
  *amount = 0;
  enum pd_result rc = pd_db_free_use(db, p->id, what, free_per_day, &free);
  if (rc != PD_OK || free)
    return rc;
  const struct pd_price *pick = NULL;
  bool offered = false;
  for (int i = 0; i < nprices && pick == NULL; i++) {
    if (want >= 0 && (int)prices[i].currency != want)
      continue;
    offered = true;
    if (prices[i].amount == 0 || balance_in(p, prices[i].currency) >= prices[i].amount)
      pick = &prices[i];
  }
  if (pick != NULL && pick->amount == 0)
    return PD_OK;
  if (!offered && want >= 0) {
    prices_text(p, prices, nprices, -1, cost, sizeof(cost), have, sizeof(have));
    return pd_ctx_user_error(ctx, "%s is not sold for %s%s%s.", label,
                             pd_currency_label((enum pd_currency)want),
                             nprices > 0 ? ": it costs " : "", nprices > 0 ? cost : "");
  }
  if (pick != NULL) {
    json_t *meta = json_pack("{s:s}", "for", what);
    rc = pd_ledger_game(db, p, PD_ACCT_SHOP, pick->currency, -pick->amount, "purchase", meta, NULL);
    json_decref(meta);
    if (rc != PD_E_CHECK) {
      if (rc == PD_OK) {
        *currency = pd_currency_name(pick->currency);
        *amount = pick->amount;
      }
      return rc;
    }
  }
  /* Nothing affordable (or the balance would go below zero). */
  if (nprices == 0)
    return pd_ctx_user_error(ctx,
                             "%s comes only free, %d a day, and today's are used. Come back "
                             "tomorrow.",
                             label, free_per_day);
  prices_text(p, prices, nprices, want, cost, sizeof(cost), have, sizeof(have));
  return pd_ctx_user_error(ctx,
                           "%s costs %s once today's %d free ones are used, and you have %s. "
                           "Claim Notes with /daily, or come back tomorrow for free ones.",
                           label, cost, free_per_day, have);
}

int64_t pd_draw_cooldown(const struct pd_ctx *ctx, int64_t base_s)
{
  const char *roles[64];
  size_t n = 0, i;
  json_t *r;
  json_array_foreach(ctx->ix->roles, i, r)
  {
    if (n < PD_ARRAY_LEN(roles) && json_is_string(r))
      roles[n++] = json_string_value(r);
  }
  return pd_game_cooldown_s(ctx->app->game, base_s, ctx->ix->premium_since != NULL,
                            pd_draw_member(ctx), roles, n);
}

bool pd_draw_member(const struct pd_ctx *ctx)
{
  return ctx->player.member_until > 0; /* set only while active, by the database's clock */
}

int pd_draw_free_opens(const struct pd_ctx *ctx, const struct pd_pack *k)
{
  if (k->free_per_day == 0 || !pd_draw_member(ctx))
    return k->free_per_day;
  return k->free_per_day + ctx->app->game->member_extra_opens;
}
