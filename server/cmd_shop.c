/* cmd_shop.c - /shop: the packs and what they cost, with a button per pack and price, and the
 * Notes -> Discs exchange.  Only the caller sees the shop.
 *
 * A pack's button opens it exactly as `/openpack pack:` does (pd_openpack_run, the same
 * function): while free opens are left today the pack shows one "free" button (the free open
 * comes first, as /openpack takes it); once they are used, one button per price, each paying
 * in its currency.  The exchange buttons run /exchange's pd_exchange_run.  Gems come with
 * real-money purchases: where PAYMENT_SKUS is set, the shop names each bundle and shows
 * Discord's premium button for its SKU (style 6 with sku_id and nothing else: Discord draws
 * it and runs the purchase, and no interaction comes back; the entitlement does, see
 * entitlements.c).  That row takes one of the pack rows. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "entitlements.h"
#include "db_shop.h"
#include "draw.h"
#include "reply.h"
#include "utf8.h"

/* Rows of buttons a message may have (Discord: 5), one kept for the exchange. */
#define PACK_ROWS 4
/* Buttons a row may have (Discord: 5). */
#define ROW_BUTTONS 5
#define EXCHANGE_SMALL 1
#define EXCHANGE_LARGE 10

static json_t *button(const char *label, const char *custom_id, int style)
{
  return json_pack("{s:i, s:i, s:s, s:s}", "type", 2, "style", style, "label", label, "custom_id",
                   custom_id);
}

/* "100 Notes or 1 Discs" */
static void price_list(const struct pd_pack *k, char *out, size_t outlen)
{
  size_t at = 0;
  out[0] = '\0';
  for (int i = 0; i < k->nprices && at + 1 < outlen; i++) {
    char a[32];
    pd_fmt_thousands(k->prices[i].amount, a);
    snprintf(out + at, outlen - at, "%s%s %s", i > 0 ? " or " : "", a,
             pd_currency_label(k->prices[i].currency));
    at += strlen(out + at);
  }
}

enum pd_result cmd_shop(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  const struct pd_player *p = &ctx->player;
  struct pd_db *db = NULL;
  char text[3000], label[80], id[100], prices[160], n[3][32], rate[32];
  size_t at = 0;
  json_t *rows = json_array();
  enum pd_result rc = pd_ctx_db(ctx, &db);
  const struct pd_config *cfg = &ctx->app->cfg;
  size_t pack_rows = cfg->npayment_skus > 0 ? PACK_ROWS - 1 : PACK_ROWS;
  text[0] = '\0';
  for (size_t i = 0; rc == PD_OK && i < g->npacks; i++) {
    const struct pd_pack *k = &g->packs[i];
    char what[48];
    int used = 0;
    if (k->event)
      continue; /* sold only while its event runs: /events and /claim_event_pack */
    snprintf(what, sizeof(what), "pack:%s", k->id);
    rc = pd_db_free_used(db, p->id, what, &used);
    if (rc != PD_OK)
      break;
    int free = pd_draw_free_opens(ctx, k), left = free > used ? free - used : 0;
    price_list(k, prices, sizeof(prices));
    pd_utf8_fmt(text + at, sizeof(text) - at,
                "**%s** — %d cards, keep one. Free: %d of %d left today.%s%s%s\n", k->name, k->size,
                left, free, k->nprices > 0 ? " Then " : "", k->nprices > 0 ? prices : "",
                k->nprices > 0 ? " each." : "");
    at += strlen(text + at);
    if (i >= pack_rows)
      continue; /* named, but no room for its buttons: /openpack opens it */
    json_t *row = json_array();
    if (left > 0) {
      pd_utf8_fmt(label, sizeof(label), "%s · free (%d left)", k->name, left);
      snprintf(id, sizeof(id), "shop:open:%s:free", k->id);
      json_array_append_new(row, button(label, id, 3));
    } else {
      for (int c = 0; c < k->nprices; c++) {
        char a[32];
        pd_fmt_thousands(k->prices[c].amount, a);
        pd_utf8_fmt(label, sizeof(label), "%s · %s %s", k->name, a,
                    pd_currency_label(k->prices[c].currency));
        snprintf(id, sizeof(id), "shop:open:%s:%s", k->id, pd_currency_name(k->prices[c].currency));
        json_array_append_new(row, button(label, id, 1));
      }
    }
    if (json_array_size(row) > 0)
      json_array_append_new(rows, json_pack("{s:i, s:o}", "type", 1, "components", row));
    else
      json_decref(row);
  }
  if (rc != PD_OK) {
    json_decref(rows);
    return rc;
  }
  pd_fmt_thousands(g->economy.exchange_notes_per_disc, rate);
  pd_fmt_thousands(p->notes, n[0]);
  pd_fmt_thousands(p->discs, n[1]);
  pd_fmt_thousands(p->gems, n[2]);
  snprintf(text + at, sizeof(text) - at,
           "\n**Exchange** — %s Notes buy 1 Disc (any amount with `/exchange amount`).\n", rate);
  at += strlen(text + at);
  json_t *premium = json_array();
  for (size_t i = 0; i < cfg->npayment_skus && json_array_size(premium) < ROW_BUTTONS; i++) {
    const struct pd_bundle *b = pd_ent_bundle(ctx->app, cfg->payment_skus[i].sku);
    if (b == NULL)
      continue;
    char what[64];
    if (b->gems > 0) {
      pd_fmt_thousands(b->gems, what);
      snprintf(what + strlen(what), sizeof(what) - strlen(what), " Gems");
    } else {
      snprintf(what, sizeof(what), "%lld days of shorter cooldowns and more free opens",
               (long long)b->days);
    }
    pd_utf8_fmt(text + at, sizeof(text) - at, "%s**%s** — %s",
                json_array_size(premium) > 0 ? " · "
                                             : "**Gems and membership**, bought through Discord: ",
                b->name, what);
    at += strlen(text + at);
    json_array_append_new(premium, json_pack("{s:i, s:i, s:s}", "type", 2, "style", 6, "sku_id",
                                             cfg->payment_skus[i].sku));
  }
  if (json_array_size(premium) == 0)
    snprintf(text + at, sizeof(text) - at,
             "**Gems** come with real-money purchases; the shop sells none yet.\n");
  else
    snprintf(text + at, sizeof(text) - at, ".\n");
  at += strlen(text + at);
  snprintf(text + at, sizeof(text) - at, "\nYou have %s Notes, %s Discs and %s Gems.", n[0], n[1],
           n[2]);
  json_t *ex = json_array();
  for (int amount = EXCHANGE_SMALL; amount <= EXCHANGE_LARGE; amount *= EXCHANGE_LARGE) {
    char cost[32];
    pd_fmt_thousands(amount * g->economy.exchange_notes_per_disc, cost);
    snprintf(label, sizeof(label), "Buy %d Disc%s (%s Notes)", amount, amount > 1 ? "s" : "", cost);
    snprintf(id, sizeof(id), "shop:exchange:%d", amount);
    json_array_append_new(ex, button(label, id, 2));
  }
  if (json_array_size(premium) > 0)
    json_array_append_new(rows, json_pack("{s:i, s:o}", "type", 1, "components", premium));
  else
    json_decref(premium);
  json_array_append_new(rows, json_pack("{s:i, s:o}", "type", 1, "components", ex));
  json_t *embed = json_pack("{s:s, s:s, s:i}", "title", "PopDeck shop", "description", text,
                            "color", PD_COLOR_BRAND);
  return pd_ctx_reply(ctx, json_pack("{s:[o], s:o, s:i}", "embeds", embed, "components", rows,
                                     "flags", PD_FLAG_EPHEMERAL));
}

enum pd_result cmd_shop_button(struct pd_ctx *ctx)
{
  const char *id = ctx->ix->custom_id;
  char pack[40], cur[16];
  int used = 0;
  long long amount = 0;
  if (sscanf(id, "shop:exchange:%lld%n", &amount, &used) == 1 && id[used] == '\0')
    return pd_exchange_run(ctx, (int64_t)amount);
  if (sscanf(id, "shop:open:%39[a-z0-9-]:%15[a-z]%n", pack, cur, &used) == 2 && id[used] == '\0') {
    const struct pd_pack *k = pd_game_pack(ctx->app->game, pack);
    int want = -2;
    if (strcmp(cur, "free") == 0)
      want = -1;
    for (int c = PD_NOTES; c <= PD_GEMS; c++)
      if (strcmp(cur, pd_currency_name((enum pd_currency)c)) == 0)
        want = c;
    if (k == NULL)
      return pd_ctx_user_error(ctx, "That pack is no longer sold. Open /shop again.");
    if (want >= -1) {
      /* A pack message goes out as /openpack's does: a follow-up with the card backs. */
      ctx->defer = true;
      return pd_openpack_run(ctx, k, want);
    }
  }
  return pd_ctx_user_error(ctx, "That button is not one PopDeck made. Open /shop again.");
}
