/* cmd_missions.c - /missions: today's three daily missions and this week's three weekly ones
 * (lib/missions.c chooses them from the period's start), each with its progress as a count and
 * a bar, its reward and when it resets, and one button per mission that claims it once it is
 * done ("missions:claim:<d|w>:<period start>:<id>").  A claim inserts the one claim row of the
 * player, period and mission and pays the reward from the rewards account in the same
 * transaction, so however many presses race, one pays; the message then shows it claimed. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db_ledger.h"
#include "db_missions.h"
#include "reply.h"
#include "utf8.h"

#define BAR_CELLS_MAX 10
#define PERIOD_NAME(p) ((p) == PD_PERIOD_DAY ? "day" : "week")

/* "2/3 ▰▰▱": at most BAR_CELLS_MAX cells, a full bar only when done. */
static void progress_text(int64_t have, int64_t need, char *out, size_t len)
{
  int64_t shown = have < need ? have : need;
  int64_t cells = need < BAR_CELLS_MAX ? need : BAR_CELLS_MAX;
  int64_t full = shown * cells / need;
  int used = snprintf(out, len, "%lld/%lld ", (long long)shown, (long long)need);
  for (int64_t i = 0; i < cells && used > 0 && (size_t)used < len; i++) {
    int w = snprintf(out + used, len - (size_t)used, "%s", i < full ? "▰" : "▱");
    if (w < 0)
      break;
    used += w;
  }
}

static void reward_text(const struct pd_reward *r, char *out, size_t len)
{
  static const char *const names[3] = {"Notes", "Discs", "Gems"};
  char amount[32];
  pd_fmt_thousands(r->amount, amount);
  snprintf(out, len, "%s %s", amount, names[r->currency]);
}

/* One period's three missions as lines of text and one button row. */
static enum pd_result period_block(struct pd_ctx *ctx, struct pd_db *db,
                                   enum pd_mission_period period, int64_t start,
                                   const struct pd_mission_progress *pr, char *text, size_t len,
                                   json_t *rows)
{
  const struct pd_missions *m = ctx->app->missions;
  size_t pick[PD_MISSIONS_PER_PERIOD];
  int64_t ends = start + (period == PD_PERIOD_DAY ? 86400 : 7 * 86400);
  size_t used = 0;
  json_t *buttons = json_array();
  pd_missions_pick(m, period, start, pick);
  int w = snprintf(text, len, "**%s** · resets <t:%" PRId64 ":R>\n",
                   period == PD_PERIOD_DAY ? "Today" : "This week", ends);
  used = w > 0 ? (size_t)w : 0;
  for (size_t i = 0; i < PD_MISSIONS_PER_PERIOD; i++) {
    const struct pd_mission *ms = &m->pool[period][pick[i]];
    char title[PD_MISSION_NAME_MAX + 32], bar[96], reward[64], label[128], custom[100];
    bool claimed = false;
    enum pd_result rc = pd_db_missions_claimed(db, ctx->player.id, period, start, ms->id, &claimed);
    if (rc != PD_OK) {
      json_decref(buttons);
      return rc;
    }
    int64_t have = pr->counts[ms->kind][period == PD_PERIOD_DAY ? 0 : 1];
    bool done = have >= ms->n;
    pd_mission_title(ms, title, sizeof(title));
    progress_text(have, ms->n, bar, sizeof(bar));
    reward_text(&ms->reward, reward, sizeof(reward));
    w = snprintf(text + used, len - used, "%s %s · %s · %s%s\n",
                 claimed ? "✅"
                 : done  ? "🎁"
                         : "▫️",
                 title, bar, reward, claimed ? " · claimed" : "");
    if (w > 0 && (size_t)w < len - used)
      used += (size_t)w;
    snprintf(label, sizeof(label), "%s: %s",
             claimed ? "Claimed"
             : done  ? "Claim"
                     : "Not done",
             title);
    snprintf(custom, sizeof(custom), "missions:claim:%c:%" PRId64 ":%s",
             period == PD_PERIOD_DAY ? 'd' : 'w', start, ms->id);
    json_array_append_new(buttons, json_pack("{s:i, s:i, s:s, s:s, s:b}", "type", 2, "style",
                                             done && !claimed ? 3 : 2, "label", label, "custom_id",
                                             custom, "disabled", !done || claimed));
  }
  json_array_append_new(rows, json_pack("{s:i, s:o}", "type", 1, "components", buttons));
  return PD_OK;
}

/* The whole message: both periods, with head (may be NULL) above them. */
static enum pd_result missions_view(struct pd_ctx *ctx, const char *head)
{
  struct pd_db *db = NULL;
  struct pd_mission_progress pr;
  int64_t day = 0, week = 0, now = 0;
  char daily[1200], weekly[1200], desc[2900], streak[160];
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_missions_periods(db, &day, &week, &now);
  if (rc == PD_OK)
    rc = pd_db_missions_progress(db, ctx->player.id, day, week, &pr);
  if (rc != PD_OK)
    return rc;
  json_t *rows = json_array();
  rc = period_block(ctx, db, PD_PERIOD_DAY, day, &pr, daily, sizeof(daily), rows);
  if (rc == PD_OK)
    rc = period_block(ctx, db, PD_PERIOD_WEEK, week, &pr, weekly, sizeof(weekly), rows);
  if (rc != PD_OK) {
    json_decref(rows);
    return rc;
  }
  snprintf(streak, sizeof(streak), "Login streak: **%lld** day%s running (best %lld).",
           (long long)pr.counts[PD_MK_LOGIN_STREAK][0],
           pr.counts[PD_MK_LOGIN_STREAK][0] == 1 ? "" : "s", (long long)pr.best_streak);
  pd_utf8_fmt(desc, sizeof(desc), "%s%s%s\n%s\n%s", head != NULL ? head : "",
              head != NULL ? "\n\n" : "", daily, weekly, streak);
  json_t *embed = json_pack("{s:s, s:s, s:i}", "title", "Missions", "description", desc, "color",
                            PD_COLOR_BRAND);
  return pd_ctx_reply(ctx, json_pack("{s:[o], s:o}", "embeds", embed, "components", rows));
}

enum pd_result cmd_missions(struct pd_ctx *ctx)
{
  return missions_view(ctx, NULL);
}

enum pd_result cmd_missions_button(struct pd_ctx *ctx)
{
  const struct pd_missions *m = ctx->app->missions;
  struct pd_db *db = NULL;
  struct pd_mission_progress pr;
  char which = 0, id[PD_MISSION_ID_MAX + 1], title[PD_MISSION_NAME_MAX + 32], bar[96];
  char reward[64], head[300];
  long long start = 0;
  int used = 0;
  int64_t day = 0, week = 0, now = 0;
  bool won = false;

  if (sscanf(ctx->ix->custom_id, "missions:claim:%c:%lld:%32[a-z0-9_]%n", &which, &start, id,
             &used) != 3 ||
      ctx->ix->custom_id[used] != '\0' || (which != 'd' && which != 'w'))
    return pd_ctx_user_error(ctx, "That button is not one PopDeck made. See /missions.");
  enum pd_mission_period period = which == 'd' ? PD_PERIOD_DAY : PD_PERIOD_WEEK;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_missions_periods(db, &day, &week, &now);
  if (rc != PD_OK)
    return rc;
  if (start != (period == PD_PERIOD_DAY ? day : week))
    return pd_ctx_user_error(ctx,
                             "That mission was for a %s that is over, and missions reset with "
                             "it. /missions shows the current ones.",
                             PERIOD_NAME(period));
  const struct pd_mission *ms = pd_missions_chosen(m, period, start, id);
  if (ms == NULL)
    return pd_ctx_user_error(ctx, "That is not one of this %s's missions. See /missions.",
                             PERIOD_NAME(period));
  rc = pd_db_missions_progress(db, ctx->player.id, day, week, &pr);
  if (rc != PD_OK)
    return rc;
  int64_t have = pr.counts[ms->kind][period == PD_PERIOD_DAY ? 0 : 1];
  pd_mission_title(ms, title, sizeof(title));
  if (have < ms->n) {
    progress_text(have, ms->n, bar, sizeof(bar));
    return pd_ctx_user_error(ctx,
                             "**%s** is not done yet (%s), so there is nothing to claim. Its "
                             "reward waits until it is.",
                             title, bar);
  }
  rc = pd_db_missions_claim(db, ctx->player.id, period, start, ms->id, &won);
  if (rc != PD_OK)
    return rc;
  if (!won)
    return pd_ctx_user_error(ctx, "You already claimed **%s** this %s.", title,
                             PERIOD_NAME(period));
  json_t *meta = json_pack("{s:s, s:s, s:I}", "mission", ms->id, "period", PERIOD_NAME(period),
                           "period_start", (json_int_t)start);
  rc = meta != NULL ? pd_ledger_game(db, &ctx->player, PD_ACCT_REWARDS, ms->reward.currency,
                                     ms->reward.amount, "mission", meta, NULL)
                    : PD_E_NOMEM;
  json_decref(meta);
  if (rc != PD_OK)
    return rc;
  reward_text(&ms->reward, reward, sizeof(reward));
  pd_utf8_fmt(head, sizeof(head), "Claimed **%s**: **+%s**.", title, reward);
  ctx->update = true;
  return missions_view(ctx, head);
}
