/* cmd_cooldowns.c - /cooldowns: when each command is ready again, as Discord relative times,
 * with the cooldown this player gets (boosters and role tiers wait less) and today's free
 * opens and draws left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "db_collection.h"
#include "db_users.h"
#include "draw.h"
#include "reply.h"

static void line(FILE *f, json_t *until, const char *command, const char *label, int64_t wait_s)
{
  json_t *u = json_object_get(until, command);
  if (u != NULL)
    fprintf(f, "**/%s** — ready <t:%lld:R>", label, (long long)json_integer_value(u));
  else
    fprintf(f, "**/%s** — ready now", label);
  if (wait_s > 0)
    fprintf(f, " (every %lldm%s)\n", (long long)(wait_s / 60), wait_s % 60 ? "+" : "");
  else
    fprintf(f, "\n");
}

enum pd_result cmd_cooldowns(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  struct pd_db *db = NULL;
  json_t *until = NULL, *used = NULL;
  char *text = NULL;
  size_t len = 0;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_cooldowns(db, ctx->player.id, &until, &used);
  if (rc != PD_OK)
    return rc;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL) {
    json_decref(until);
    json_decref(used);
    return PD_E_NOMEM;
  }
  line(f, until, "daily", "daily", 0);
  line(f, until, "openpack", "openpack", pd_draw_cooldown(ctx, g->openpack_cooldown_s));
  line(f, until, "draw", "draw", pd_draw_cooldown(ctx, g->draw_cooldown_s));
  fprintf(f, "\nFree today:");
  for (size_t i = 0; i < g->npacks; i++) {
    char what[48];
    snprintf(what, sizeof(what), "pack:%s", g->packs[i].id);
    int64_t left =
        pd_draw_free_opens(ctx, &g->packs[i]) - json_integer_value(json_object_get(used, what));
    if (g->packs[i].free_per_day > 0)
      fprintf(f, " %lld %s,", (long long)(left > 0 ? left : 0), g->packs[i].name);
  }
  int64_t draws = g->draw_free_per_day - json_integer_value(json_object_get(used, "draw"));
  fprintf(f, " %lld draws.", (long long)(draws > 0 ? draws : 0));
  if (ctx->ix->premium_since != NULL)
    fprintf(f, "\nYou boost this server, so your pack and draw cooldowns are shorter. Thank you!");
  if (pd_draw_member(ctx))
    fprintf(f, "\nYou are a member until <t:%lld:D>: shorter cooldowns and more free opens.",
            (long long)ctx->player.member_until);
  json_decref(until);
  json_decref(used);
  if (fclose(f) != 0) {
    free(text);
    return PD_E_NOMEM;
  }
  json_t *data = json_pack("{s:[{s:s, s:s, s:i}]}", "embeds", "title", "Your cooldowns",
                           "description", text, "color", PD_COLOR_BRAND);
  free(text);
  return pd_ctx_reply(ctx, data);
}
