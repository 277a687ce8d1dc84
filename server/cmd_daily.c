/* cmd_daily.c - /daily: the daily Notes, once per 24 hours, credited with its ledger row. */
#include <stdio.h>

#include "commands.h"
#include "db_ledger.h"
#include "reply.h"

#define DAILY_COOLDOWN_S (24 * 60 * 60)

enum pd_result cmd_daily(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_player *p = &ctx->player;
  int64_t until = 0;
  char amount[32], total[32], text[512];

  enum pd_result rc =
      pd_ctx_cooldown(ctx, "daily", DAILY_COOLDOWN_S,
                      "You already claimed today's Notes. Your next daily is ready", &until);
  if (rc == PD_OK)
    rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  int64_t notes = ctx->app->cfg.daily_notes;
  rc = pd_ledger_game(db, p, PD_ACCT_REWARDS, PD_NOTES, notes, "daily", NULL, NULL);
  if (rc != PD_OK)
    return rc;
  pd_fmt_thousands(notes, amount);
  pd_fmt_thousands(p->notes, total);
  snprintf(
      text, sizeof(text),
      "You claimed **%s Notes**! You now have **%s Notes**.\nYour next daily is ready <t:%lld:R>.",
      amount, total, (long long)until);
  json_t *embed = json_pack("{s:s, s:s, s:i}", "title", "Daily Notes claimed", "description", text,
                            "color", PD_COLOR_BRAND);
  return pd_ctx_reply(ctx, json_pack("{s:[o]}", "embeds", embed));
}
