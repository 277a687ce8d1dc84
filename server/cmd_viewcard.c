/* cmd_viewcard.c - /viewcard card: the rendered card, its artist, era and rarity, your copies
 * and their print numbers, the copies in the game and how many players own one, its last five
 * market sales and the cheapest listing of it visible here.  The card option autocompletes on
 * public id, artist and era. */
#include <stdio.h>
#include <string.h>

#include "cardview.h"
#include "commands.h"
#include "db_collection.h"
#include "db_users.h"
#include "db_wishlist.h"
#include "market.h"
#include "utf8.h"

/* The market fields: the last sales (price and when) and the cheapest listing buyable here. */
static enum pd_result market_fields(struct pd_ctx *ctx, struct pd_db *db, int64_t card_id,
                                    json_t *fields)
{
  struct pd_sale sales[5];
  struct pd_listing cheapest;
  size_t n = 0, at = 0;
  bool has = false;
  char text[600], price[48];
  enum pd_result rc = pd_db_market_card(db, card_id, ctx->ix->guild_id, sales, &n, &cheapest, &has);
  if (rc != PD_OK)
    return rc;
  text[0] = '\0';
  for (size_t i = 0; i < n && at < sizeof(text); i++) {
    pd_market_price(sales[i].price, sales[i].currency, price, sizeof(price));
    int w = snprintf(text + at, sizeof(text) - at, "%s%s <t:%lld:R>", i > 0 ? "\n" : "", price,
                     (long long)sales[i].at);
    at += w > 0 ? (size_t)w : 0;
  }
  json_array_append_new(fields,
                        json_pack("{s:s, s:s, s:b}", "name", "Last sales", "value",
                                  n > 0 ? text : "Never sold on the market yet", "inline", 1));
  if (has) {
    pd_market_price(cheapest.price, cheapest.currency, price, sizeof(price));
    pd_utf8_fmt(text, sizeof(text), "**%s** · %s · `/buy listing:%lld`", price, cheapest.ref,
                (long long)cheapest.id);
  }
  json_array_append_new(fields, json_pack("{s:s, s:s, s:b}", "name", "Cheapest for sale here",
                                          "value", has ? text : "None listed", "inline", 1));
  return PD_OK;
}

enum pd_result cmd_viewcard(struct pd_ctx *ctx)
{
  const char *id = pd_interaction_option_str(ctx->ix, "card");
  struct pd_db *db = NULL;
  struct pd_player p = {0};
  struct pd_card_view cv;
  char text[400], shown[200];
  if (id == NULL)
    return PD_E_INVALID; /* required: the dispatcher checked */
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK) {
    rc = pd_db_user_get(db, ctx->ix->user.id, &p);
    if (rc == PD_E_NOTFOUND)
      rc = PD_OK; /* a newcomer owns nothing */
  }
  if (rc == PD_OK)
    rc = pd_db_card_view(db, id, p.id, &cv);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(
        ctx, "No card %s. Type part of an artist, era or card id and pick a suggestion.",
        pd_utf8_short(shown, sizeof(shown), id, 40));
  if (rc != PD_OK)
    return rc;
  if (cv.mine[0] != '\0')
    snprintf(text, sizeof(text), "You own %s.", cv.mine);
  else
    snprintf(text, sizeof(text), "You do not own this card yet.");
  json_t *embed = pd_card_embed(&cv.card, NULL, text, 0, true);
  json_t *fields = json_object_get(embed, "fields");
  snprintf(text, sizeof(text), "%lld", (long long)cv.card.copies);
  json_array_append_new(fields, json_pack("{s:s, s:s, s:b}", "name", "Copies in the game", "value",
                                          text, "inline", 1));
  snprintf(text, sizeof(text), "%lld", (long long)cv.owners);
  json_array_append_new(fields,
                        json_pack("{s:s, s:s, s:b}", "name", "Owners", "value", text, "inline", 1));
  int64_t wanted = 0;
  rc = pd_db_wish_wanted_by(db, cv.card.template_id, &wanted);
  if (rc == PD_OK) {
    snprintf(text, sizeof(text), "wanted by %lld player%s", (long long)wanted,
             wanted == 1 ? "" : "s");
    json_array_append_new(
        fields, json_pack("{s:s, s:s, s:b}", "name", "Wishlists", "value", text, "inline", 1));
    rc = market_fields(ctx, db, cv.card.template_id, fields);
  }
  if (rc != PD_OK) {
    json_decref(embed);
    return rc;
  }
  /* Attached cards (STORAGE=discord) can only go out in a follow-up. */
  ctx->defer = ctx->app->cfg.storage == PD_STORAGE_DISCORD;
  return pd_ctx_reply(ctx, json_pack("{s:[o]}", "embeds", embed));
}

enum pd_result cmd_viewcard_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  json_t *choices = NULL;
  json_t *focused = pd_interaction_focused(ctx->ix);
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_suggest_cards(db, json_string_value(json_object_get(focused, "value")), &choices);
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
