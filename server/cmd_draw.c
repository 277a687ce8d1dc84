/* cmd_draw.c - /draw: one card straight into the collection, on its own cooldown, a free
 * draw of today first and then the configured price, with the same draw as packs. */
#include <stdio.h>
#include <string.h>

#include "cardview.h"
#include "commands.h"
#include "db_packs.h"
#include "draw.h"
#include "progress.h"
#include "reply.h"
#include "utf8.h"

enum pd_result cmd_draw(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  struct pd_db *db = NULL;
  struct pd_card_info card;
  int64_t until = 0, amount = 0, id = 0, ucid = 0, print_no = 0;
  const char *rarity = NULL, *currency = NULL;
  double boost[PD_RARITY_COUNT];
  char events[256], title[1100];

  enum pd_result rc = pd_ctx_cooldown(ctx, "draw", pd_draw_cooldown(ctx, g->draw_cooldown_s),
                                      "You can draw again", &until);
  if (rc == PD_OK)
    rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_draw_pay(ctx, db, &ctx->player, "draw", "A draw", g->draw_free_per_day, &g->draw_price,
                     1, -1, &currency, &amount);
  if (rc != PD_OK)
    return rc;
  json_t *made = json_array();
  if (made == NULL)
    return PD_E_NOMEM;
  rc = pd_draw_boost(db, g, ctx->ix->guild_id, boost, events, sizeof(events));
  if (rc == PD_OK)
    rc = pd_draw_cards(ctx->app, db, ctx->ix->guild_id, g->draw_weights, boost, 1, &id, &rarity,
                       made);
  /* A card this draw made is drawn by the worker before the reply goes out. */
  if (rc == PD_OK && json_array_size(made) > 0)
    ctx->followup.attach = json_pack("{s:O}", "render", made);
  json_decref(made);
  if (rc == PD_OK)
    rc = pd_db_card_mint(db, ctx->player.id, id, "draw", &ucid, &print_no);
  if (rc == PD_OK)
    rc = pd_missions_record(ctx->app, db, ctx->player.id, PD_MK_DRAWS, 1);
  if (rc == PD_OK)
    rc = pd_missions_gained(ctx->app, db, ctx->player.id, ucid);
  if (rc == PD_OK)
    rc = pd_db_cards_info(db, &id, 1, &card);
  if (rc != PD_OK)
    return rc;
  pd_utf8_fmt(title, sizeof(title), "You drew %s — %s", card.artist, card.era);
  char text[96];
  if (currency != NULL)
    snprintf(text, sizeof(text), "Paid %lld %s. Next draw <t:%lld:R>.", (long long)amount, currency,
             (long long)until);
  else
    snprintf(text, sizeof(text), "A free draw. Next draw <t:%lld:R>.", (long long)until);
  json_t *embed = pd_card_embed(&card, title, text, print_no, true);
  return pd_ctx_reply(ctx, json_pack("{s:[o]}", "embeds", embed));
}
