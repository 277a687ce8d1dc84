/* cmd_events.c - /events: the events running and upcoming where the player is (the global ones
 * and this server's own), each with its window as Discord timestamps, its boosts as the exact
 * odds /odds prints (the same function, pd_odds_text, over the same weights), its event pack
 * and how often that pack is free. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db_events.h"
#include "draw.h"
#include "reply.h"
#include "utf8.h"

#define EVENTS_SHOWN 10 /* fields of one embed, with room to spare (Discord allows 25) */

/* One event as an embed field (Discord: name <= 256, value <= 1024 characters). */
static json_t *event_field(const struct pd_game_config *g, const struct pd_event *e)
{
  char name[300], value[1024], odds[600], when[200], pack[300];
  double boost[PD_RARITY_COUNT];
  for (int r = 0; r < PD_RARITY_COUNT; r++)
    boost[r] = 1;
  json_t *row = json_loads(e->boosts, 0, NULL);
  bool boosted = pd_draw_event_boost(g, e->name, row, boost);
  json_decref(row);
  odds[0] = '\0';
  if (boosted) {
    int at = snprintf(odds, sizeof(odds), "\nOdds of each %s card while it runs:\n",
                      g->default_pack->name);
    if (at > 0 && (size_t)at < sizeof(odds))
      pd_odds_text(g->default_pack->weights, boost, true, odds + at, sizeof(odds) - (size_t)at);
  }
  if (e->running)
    snprintf(when, sizeof(when), "Running: <t:%lld:f> to <t:%lld:f>, ends <t:%lld:R>.",
             (long long)e->start, (long long)e->end, (long long)e->end);
  else
    snprintf(when, sizeof(when), "Upcoming: starts <t:%lld:R> (<t:%lld:f>), ends <t:%lld:f>.",
             (long long)e->start, (long long)e->start, (long long)e->end);
  pack[0] = '\0';
  const struct pd_pack *k = e->pack[0] != '\0' ? pd_game_pack(g, e->pack) : NULL;
  if (k != NULL)
    pd_utf8_fmt(pack, sizeof(pack),
                "\nEvent pack: **%s** (%d cards, keep 1), free %s with "
                "`/claim_event_pack pack:%s`.",
                k->name, k->size, e->daily ? "once per UTC day" : "once per event", k->id);
  pd_utf8_fmt(name, sizeof(name), "%s%s%s", e->name, e->guild[0] != '\0' ? " (this server)" : "",
              e->running ? "" : " (upcoming)");
  pd_utf8_fmt(value, sizeof(value), "%.300s%s%s%s%s", e->description,
              e->description[0] != '\0' ? "\n" : "", when, pack, odds);
  return json_pack("{s:s, s:s}", "name", name, "value", value);
}

enum pd_result cmd_events(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  struct pd_db *db = NULL;
  struct pd_event rows[EVENTS_SHOWN];
  size_t n = 0;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_events_visible(db, ctx->ix->guild_id, rows, EVENTS_SHOWN, &n);
  if (rc != PD_OK)
    return rc;
  if (n == 0)
    return pd_ctx_reply(
        ctx, json_pack("{s:[{s:s, s:s, s:i}]}", "embeds", "title", "Events", "description",
                       "No event is running or coming up here right now. When one starts, its "
                       "boosts and its pack show here (and in /odds).",
                       "color", PD_COLOR_BRAND));
  json_t *fields = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(fields, event_field(g, &rows[i]));
  return pd_ctx_reply(
      ctx, json_pack("{s:[{s:s, s:s, s:i, s:o}]}", "embeds", "title", "Events", "description",
                     "Running and upcoming events here. Odds are exact: the numbers /odds uses.",
                     "color", PD_COLOR_BRAND, "fields", fields));
}
