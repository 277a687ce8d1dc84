/* cmd_claim_event_pack.c - /claim_event_pack pack: a running event's free pack, once per event
 * or once per UTC day (the event's claim rule), opened exactly as /openpack opens a pack
 * (pd_openpack_deal: the same draw, message and pick buttons) at no cost.  The claim is a row of
 * event_pack_claims (event, player, day-or-0) written in the transaction that opens the pack, so
 * racing claims open one pack.  The autocomplete offers the packs claimable here now. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db_events.h"
#include "draw.h"
#include "reply.h"
#include "utf8.h"

#define DAY_S 86400

enum pd_result cmd_claim_event_pack(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  const char *which = pd_interaction_option_str(ctx->ix, "pack");
  const char *guild = ctx->ix->guild_id;
  struct pd_db *db = NULL;
  struct pd_event e;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_event_for_pack(db, which != NULL ? which : "", guild, &e);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx,
                             "No event offers a pack called \"%.40s\". Pick one from the "
                             "suggestions, or see /events.",
                             which != NULL ? which : "");
  if (rc != PD_OK)
    return rc;
  const struct pd_pack *pack = pd_game_pack(g, e.pack);
  if (pack == NULL) /* the config lost the pack since the event was made */
    return pd_ctx_user_error(ctx, "%s's pack \"%s\" is no longer in the game; ask an admin.",
                             e.name, e.pack);
  if (e.guild[0] != '\0' && (guild == NULL || strcmp(guild, e.guild) != 0))
    return pd_ctx_user_error(ctx, "%s belongs to another server: its %s can be claimed only there.",
                             e.name, pack->name);
  if (e.now < e.start) {
    char refusal[400];
    pd_utf8_fmt(refusal, sizeof(refusal), "%s has not started yet: claim its %s from", e.name,
                pack->name);
    return pd_ctx_wait_error(ctx, refusal, e.start);
  }
  if (!e.running)
    return pd_ctx_user_error(ctx, "%s ended <t:%lld:R>: its %s can no longer be claimed.", e.name,
                             (long long)e.end, pack->name);
  int64_t pack_id = 0;
  rc = pd_openpack_deal(ctx, db, pack, NULL, 0, &pack_id);
  if (rc == PD_OK)
    rc = pd_db_event_claim(db, &e, ctx->player.id, pack_id);
  if (rc != PD_E_CONFLICT)
    return rc;
  /* Already claimed: the pack drawn above rolls back with the refusal. */
  json_decref(ctx->data);
  ctx->data = NULL;
  json_decref(ctx->followup.attach);
  ctx->followup.attach = NULL;
  ctx->followup.kind = PD_JOB_MESSAGE;
  int64_t next = ((int64_t)e.period + 1) * DAY_S;
  if (!e.daily || next >= e.end)
    return pd_ctx_user_error(ctx,
                             "You already claimed %s's free %s%s. It ends <t:%lld:R>; /openpack "
                             "opens more at its price while it runs.",
                             e.name, pack->name, e.daily ? " today, its last day" : "",
                             (long long)e.end);
  char refusal[400];
  pd_utf8_fmt(refusal, sizeof(refusal), "You already claimed today's free %s of %s; the next one",
              pack->name, e.name);
  return pd_ctx_wait_error(ctx, refusal, next);
}

enum pd_result cmd_claim_event_pack_autocomplete(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  const char *typed = pd_interaction_option_str(ctx->ix, "pack");
  struct pd_db *db = NULL;
  struct pd_event rows[25];
  size_t n = 0;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_events_visible(db, ctx->ix->guild_id, rows, 25, &n);
  if (rc != PD_OK)
    return rc;
  json_t *choices = json_array();
  for (size_t i = 0; i < n; i++) {
    const struct pd_pack *k = pd_game_pack(g, rows[i].pack);
    char name[101], value[24];
    if (!rows[i].running || k == NULL)
      continue;
    if (typed != NULL && typed[0] != '\0' && strcasestr(k->name, typed) == NULL &&
        strcasestr(rows[i].name, typed) == NULL && strstr(k->id, typed) == NULL)
      continue;
    pd_utf8_fmt(name, sizeof(name), "%s (%s, free %s)", k->name, rows[i].name,
                rows[i].daily ? "daily" : "once");
    snprintf(value, sizeof(value), "%lld", (long long)rows[i].id);
    json_array_append_new(choices, json_pack("{s:s, s:s}", "name", name, "value", value));
  }
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
