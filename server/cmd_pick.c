/* cmd_pick.c - the buttons of a pack message ("pick:<pack>:<index>"): the opener keeps one
 * card, exactly once.  The pack row is locked for the pick, so a double click, two buttons
 * pressed together or a retry find it already picked and make no second card; anyone else's
 * press, and a press after the pack expired, get an ephemeral answer and change nothing.  The
 * message flips to the kept card's front with the ones that got away beside it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardview.h"
#include "commands.h"
#include "db_packs.h"
#include "progress.h"
#include "reply.h"
#include "utf8.h"

enum pd_result cmd_pick(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_pack_row row;
  struct pd_card_info cards[PD_ARRAY_LEN(row.template_ids)];
  long long pack_id = 0;
  int index = -1, used = 0;
  int64_t ucid = 0, print_no = 0;

  if (sscanf(ctx->ix->custom_id, "pick:%lld:%d%n", &pack_id, &index, &used) != 2 ||
      ctx->ix->custom_id[used] != '\0')
    return pd_ctx_user_error(ctx,
                             "That button is not one PopDeck made. Open a pack with /openpack.");
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_pack_lock(db, pack_id, &row);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx, "That pack no longer exists. Open a new one with /openpack.");
  if (rc != PD_OK)
    return rc;
  if (strcmp(row.opener, ctx->ix->user.id) != 0)
    return pd_ctx_user_error(
        ctx, "This is not your pack: only <@%s> can pick from it. Open your own with /openpack.",
        row.opener);
  if (row.picked)
    return pd_ctx_user_error(ctx, "You already kept card %d from this pack. It is in /mycards.",
                             row.picked_index + 1);
  if (row.expired)
    return pd_ctx_user_error(
        ctx,
        "This pack expired before you picked, so no card was kept. Open a new one with /openpack.");
  if (index < 0 || (size_t)index >= row.n)
    return pd_ctx_user_error(ctx,
                             "That button is not one PopDeck made. Open a pack with /openpack.");

  rc = pd_db_card_mint(db, row.user_id, row.template_ids[index], "pack", &ucid, &print_no);
  /* An admin removed the card since the pack was opened (delete_template, purge_artist). */
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx,
                             "Card %d of this pack was removed from PopDeck by an admin, so it "
                             "cannot be kept. Pick another one.",
                             index + 1);
  if (rc == PD_OK)
    rc = pd_missions_gained(ctx->app, db, row.user_id, ucid);
  if (rc == PD_OK)
    rc = pd_db_pack_pick(db, row.id, index, ucid);
  if (rc == PD_OK)
    rc = pd_db_cards_info(db, row.template_ids, row.n, cards);
  size_t shown = row.n;
  if (rc == PD_E_NOTFOUND) {
    /* One that got away was removed: the kept card alone. */
    shown = 0;
    rc = pd_db_cards_info(db, &row.template_ids[index], 1, &cards[index]);
  }
  if (rc != PD_OK)
    return rc;

  char title[1100], desc[256];
  pd_utf8_fmt(title, sizeof(title), "You kept %s — %s", cards[index].artist, cards[index].era);
  json_t *embeds = json_array();
  snprintf(desc, sizeof(desc), "<@%s> flipped card %d.", ctx->ix->user.id, index + 1);
  json_array_append_new(embeds, pd_card_embed(&cards[index], title, desc, print_no, true));
  for (size_t i = 0; i < shown; i++) {
    if ((int)i == index)
      continue;
    pd_utf8_fmt(title, sizeof(title), "Got away: %s — %s", cards[i].artist, cards[i].era);
    json_array_append_new(embeds, pd_card_embed(&cards[i], title, NULL, 0, false));
  }
  ctx->update = true;
  /* Attached cards can only go out in an edit, not in the immediate answer. */
  ctx->defer = ctx->app->cfg.storage == PD_STORAGE_DISCORD;
  return pd_ctx_reply(ctx,
                      json_pack("{s:s, s:o, s:[]}", "content", "", "embeds", embeds, "components"));
}
