/* cmd_odds.c - /odds [pack]: the exact chance of each rarity in each pack and in /draw,
 * computed from assets/packs.json by the same function the draws use, with any event boost
 * running now applied (and the odds without it shown beside). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardview.h"
#include "commands.h"
#include "draw.h"
#include "reply.h"
#include "utf8.h"

void pd_odds_text(const double w[PD_RARITY_COUNT], const double *boost, bool changed_only,
                  char *text, size_t cap)
{
  double p[PD_RARITY_COUNT], base[PD_RARITY_COUNT];
  size_t at = 0;
  text[0] = '\0';
  pd_pack_odds(w, boost, p);
  pd_pack_odds(w, NULL, base);
  for (int r = PD_RARITY_COUNT - 1; r >= 0 && at < cap; r--) {
    const char *label = pd_rarity_label(pd_rarity_name((enum pd_rarity)r));
    int n = 0;
    if (boost != NULL && p[r] != base[r])
      n = snprintf(text + at, cap - at, "%s: **%.4f%%** (usually %.4f%%)\n", label, 100 * p[r],
                   100 * base[r]);
    else if (!changed_only)
      n = snprintf(text + at, cap - at, "%s: **%.4f%%**\n", label, 100 * p[r]);
    if (n > 0)
      at += (size_t)n;
  }
}

static void odds_field(json_t *fields, const char *name, const double w[PD_RARITY_COUNT],
                       const double *boost)
{
  char text[512];
  pd_odds_text(w, boost, false, text, sizeof(text));
  json_array_append_new(fields,
                        json_pack("{s:s, s:s, s:b}", "name", name, "value", text, "inline", 1));
}

enum pd_result cmd_odds(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  const char *id = pd_interaction_option_str(ctx->ix, "pack");
  struct pd_db *db = NULL;
  double boost[PD_RARITY_COUNT];
  char events[256], name[160], desc[600];
  const struct pd_pack *only = id != NULL ? pd_game_pack(g, id) : NULL;
  if (id != NULL && only == NULL)
    return PD_E_INVALID; /* one of the packs: the dispatcher checked */
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_draw_boost(db, g, ctx->ix->guild_id, boost, events, sizeof(events));
  if (rc != PD_OK)
    return rc;
  bool boosted = events[0] != '\0';
  json_t *fields = json_array();
  for (size_t i = 0; i < g->npacks; i++) {
    const struct pd_pack *k = &g->packs[i];
    if (only != NULL && only != k)
      continue;
    snprintf(name, sizeof(name), "%s (%d cards, keep 1)", k->name, k->size);
    odds_field(fields, name, k->weights, boosted ? boost : NULL);
  }
  if (only == NULL)
    odds_field(fields, "/draw (1 card)", g->draw_weights, boosted ? boost : NULL);
  snprintf(desc, sizeof(desc),
           "The exact chance of each rarity for every card drawn, from the same numbers the game "
           "draws with.%s%s",
           boosted ? "\n**Event boost on now:** " : "", events);
  return pd_ctx_reply(ctx,
                      json_pack("{s:[{s:s, s:s, s:i, s:o}]}", "embeds", "title", "Pack odds",
                                "description", desc, "color", PD_COLOR_BRAND, "fields", fields));
}
