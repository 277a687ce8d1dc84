/* cmd_openpack.c - /openpack [pack] [currency]: pay (a free open of today, else one of the
 * pack's prices: the first the player can afford, or the one in currency), start the
 * cooldown, draw the pack's cards and record them, all in one transaction; the follow-up
 * shows the card backs with one button per card (see cmd_pick.c for the flip).  The shop's
 * buttons open packs through the same pd_openpack_run; /claim_event_pack deals its free pack
 * through pd_openpack_deal.  An event pack opens only while an event offering it runs. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "db_events.h"
#include "db_packs.h"
#include "db_wishlist.h"
#include "draw.h"
#include "progress.h"
#include "reply.h"
#include "utf8.h"

enum pd_result cmd_openpack(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  const char *id = pd_interaction_option_str(ctx->ix, "pack");
  const char *cur = pd_interaction_option_str(ctx->ix, "currency");
  /* The dispatcher checked the options against the packs (the table's pack_choices) and the
   * currencies. */
  const struct pd_pack *pack = id != NULL ? pd_game_pack(g, id) : g->default_pack;
  int want = -1;
  for (int c = PD_NOTES; cur != NULL && c <= PD_GEMS; c++)
    if (strcmp(cur, pd_currency_name((enum pd_currency)c)) == 0)
      want = c;
  return pd_openpack_run(ctx, pack, want);
}

enum pd_result pd_openpack_run(struct pd_ctx *ctx, const struct pd_pack *pack, int want)
{
  const struct pd_game_config *g = ctx->app->game;
  struct pd_db *db = NULL;
  int64_t amount = 0;
  const char *currency = NULL;
  char what[48];

  if (pack == NULL)
    return PD_E_INVALID;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  /* An event pack opens only while an event offering it runs where the player is. */
  bool open = !pack->event;
  if (rc == PD_OK && pack->event)
    rc = pd_db_event_pack_open(db, pack->id, ctx->ix->guild_id, &open);
  if (rc != PD_OK)
    return rc;
  if (!open)
    return pd_ctx_user_error(ctx,
                             "%s is an event pack: it opens only while an event offering it runs "
                             "here. /events shows what runs.",
                             pack->name);
  rc = pd_ctx_cooldown(ctx, "openpack", pd_draw_cooldown(ctx, g->openpack_cooldown_s),
                       "You can open your next pack", NULL);
  if (rc != PD_OK)
    return rc;
  snprintf(what, sizeof(what), "pack:%s", pack->id);
  rc = pd_draw_pay(ctx, db, &ctx->player, what, pack->name, pd_draw_free_opens(ctx, pack),
                   pack->prices, pack->nprices, want, &currency, &amount);
  if (rc != PD_OK)
    return rc;
  return pd_openpack_deal(ctx, db, pack, currency, amount, NULL);
}

enum pd_result pd_openpack_deal(struct pd_ctx *ctx, struct pd_db *db, const struct pd_pack *pack,
                                const char *currency, int64_t amount, int64_t *pack_id_out)
{
  const struct pd_game_config *g = ctx->app->game;
  int64_t pack_id = 0, ids[PD_PACK_MAX_SIZE];
  const char *rarities[PD_PACK_MAX_SIZE];
  double boost[PD_RARITY_COUNT];
  char events[256], text[700];

  json_t *made = json_array();
  if (made == NULL)
    return PD_E_NOMEM;
  enum pd_result rc = pd_draw_boost(db, g, ctx->ix->guild_id, boost, events, sizeof(events));
  if (rc == PD_OK)
    rc = pd_draw_cards(ctx->app, db, ctx->ix->guild_id, pack->weights, boost, (size_t)pack->size,
                       ids, rarities, made);
  if (rc == PD_OK)
    rc = pd_db_pack_insert(db, ctx->player.id, pack->id, ids, rarities, (size_t)pack->size,
                           currency, amount, g->pack_expiry_s, &pack_id);
  if (rc == PD_OK)
    rc = pd_missions_record(ctx->app, db, ctx->player.id, PD_MK_OPEN_PACKS, 1);
  /* Which cards the opener wished for: their buttons say so (nobody else sees this message's
   * buttons work for them). */
  bool wished[PD_PACK_MAX_SIZE];
  if (rc == PD_OK)
    rc = pd_db_wish_marks(db, ctx->player.id, ids, (size_t)pack->size, wished);
  if (rc != PD_OK) {
    json_decref(made);
    return rc;
  }
  if (pack_id_out != NULL)
    *pack_id_out = pack_id;
  char marks[120] = "";
  for (int i = 0, at = 0; i < pack->size; i++)
    if (wished[i])
      at += snprintf(marks + at, sizeof(marks) - (size_t)at, "%sCard %d",
                     at > 0 ? ", " : "\n★ on your wishlist: ", i + 1);

  long long expires = (long long)time(NULL) + g->pack_expiry_s;
  snprintf(text, sizeof(text),
           "<@%s> opened a **%s**. Pick one card to keep; the others get away.\n"
           "The buttons work until <t:%lld:R>.%s%s%s",
           ctx->ix->user.id, pack->name, expires, events[0] != '\0' ? "\nEvent boost on: " : "",
           events, marks);
  json_t *buttons = json_array();
  for (int i = 0; i < pack->size; i++) {
    char custom[64], label[24]; /* "Card 5 ★": the star is 3 bytes of UTF-8 */
    snprintf(custom, sizeof(custom), "pick:%lld:%d", (long long)pack_id, i);
    snprintf(label, sizeof(label), "Card %d%s", i + 1, wished[i] ? " ★" : "");
    json_array_append_new(buttons, json_pack("{s:i, s:i, s:s, s:s}", "type", 2, "style", 1, "label",
                                             label, "custom_id", custom));
  }
  json_t *embed = json_pack("{s:s, s:s, s:i, s:{s:s}}", "title", pack->name, "description", text,
                            "color", PD_COLOR_BRAND, "image", "url", "attachment://pack.png");
  /* The worker draws the cards this pack made, then attaches the backs of this many cards as
   * pack.png (worker.c, PD_JOB_PACK). */
  ctx->followup.kind = PD_JOB_PACK;
  ctx->followup.attach = json_pack("{s:i, s:o}", "size", pack->size, "render", made);
  return pd_ctx_reply(ctx, json_pack("{s:[o], s:[{s:i, s:o}]}", "embeds", embed, "components",
                                     "type", 1, "components", buttons));
}
