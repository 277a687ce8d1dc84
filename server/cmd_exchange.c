/* cmd_exchange.c - /exchange amount: buy amount Discs with Notes at
 * economy.exchange_notes_per_disc, as one operation with the 'shop' account (the player pays
 * the Notes to the shop, the shop pays the Discs).  The shop's exchange buttons run the same
 * pd_exchange_run. */
#include <stdio.h>

#include "commands.h"
#include "db_ledger.h"
#include "reply.h"

enum pd_result pd_exchange_run(struct pd_ctx *ctx, int64_t discs)
{
  struct pd_db *db = NULL;
  struct pd_player *p = &ctx->player;
  int64_t op = 0, bal[3] = {p->notes, p->discs, p->gems};
  int64_t rate = ctx->app->game->economy.exchange_notes_per_disc;
  char n[32], d[32], have[32], text[400];
  if (discs < PD_AMOUNT_MIN || discs > PD_AMOUNT_MAX)
    return pd_ctx_user_error(ctx, "**amount** (the Discs to buy) must be a whole number from 1 to "
                                  "1,000,000,000.");
  int64_t cost = discs * rate; /* at most 10^9 * 10^9: fits */
  pd_fmt_thousands(cost, n);
  pd_fmt_thousands(discs, d);
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_ledger_op_new(db, &op);
  json_t *meta = json_pack("{s:I}", "notes_per_disc", (json_int_t)rate);
  if (rc == PD_OK)
    rc = pd_ledger_move(db, op, "exchange", PD_PLAYER_ACCT(p->id), PD_GAME_ACCT(PD_ACCT_SHOP),
                        PD_NOTES, cost, meta, bal, NULL);
  if (rc == PD_E_CHECK) {
    json_decref(meta);
    pd_fmt_thousands(p->notes, have);
    return pd_ctx_user_error(ctx,
                             "%s Discs cost **%s Notes** and you have %s. Claim Notes with "
                             "/daily.",
                             d, n, have);
  }
  if (rc == PD_OK)
    rc = pd_ledger_move(db, op, "exchange", PD_GAME_ACCT(PD_ACCT_SHOP), PD_PLAYER_ACCT(p->id),
                        PD_DISCS, discs, meta, NULL, bal);
  json_decref(meta);
  if (rc != PD_OK)
    return rc;
  p->notes = bal[0];
  p->discs = bal[1];
  pd_fmt_thousands(p->discs, have);
  snprintf(text, sizeof(text), "You bought **%s Discs** for **%s Notes**. You now have %s Discs.",
           d, n, have);
  json_t *embed = json_pack("{s:s, s:s, s:i}", "title", "Exchange", "description", text, "color",
                            PD_COLOR_BRAND);
  /* Only the buyer sees it, from /exchange and from the shop's buttons alike. */
  return pd_ctx_reply(ctx, json_pack("{s:[o], s:i}", "embeds", embed, "flags", PD_FLAG_EPHEMERAL));
}

enum pd_result cmd_exchange(struct pd_ctx *ctx)
{
  int64_t discs = 0;
  if (!pd_interaction_option_int(ctx->ix, "amount", &discs))
    discs = 0;
  return pd_exchange_run(ctx, discs);
}
