/* cmd_profile.c - /profile: registers a player on first use and shows balances, cards by
 * state (locked, listed, trading), membership, Gems owed, achievements with their dates, and
 * join date. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db_missions.h"
#include "db_users.h"
#include "player.h"
#include "reply.h"

#define PD_ACHIEVEMENTS_SHOWN 20 /* a field holds 1,024 characters */

/* The unlocked achievements, oldest first, each with its date; NULL when there are none. */
static enum pd_result achievements_field(struct pd_ctx *ctx, struct pd_db *db, json_t **field)
{
  const struct pd_missions *m = ctx->app->missions;
  struct pd_unlocked got[PD_ACHIEVEMENTS_SHOWN];
  size_t n = 0, used = 0;
  char text[1024];
  *field = NULL;
  if (m == NULL)
    return PD_OK;
  enum pd_result rc = pd_db_missions_achievements(db, ctx->player.id, got, PD_ARRAY_LEN(got), &n);
  if (rc != PD_OK || n == 0)
    return rc;
  text[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    const char *name = got[i].id; /* one taken out of the file keeps its id */
    for (size_t a = 0; a < m->nachievements; a++)
      if (strcmp(m->achievements[a].id, got[i].id) == 0)
        name = m->achievements[a].name;
    int w = snprintf(text + used, sizeof(text) - used, "🏆 %s · <t:%lld:D>\n", name,
                     (long long)got[i].at);
    if (w < 0 || (size_t)w >= sizeof(text) - used)
      break;
    used += (size_t)w;
  }
  *field = json_pack("{s:s, s:s, s:b}", "name", "Achievements", "value", text, "inline", 0);
  return *field != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result cmd_profile(struct pd_ctx *ctx)
{
  const struct pd_player p = ctx->player;
  const struct pd_user *u = &ctx->ix->user;
  char title[160], avatar[256], joined[128];

  snprintf(title, sizeof(title), "%s's PopDeck", pd_user_display_name(u));
  pd_player_avatar_url(u->id, u->avatar, avatar, sizeof(avatar));
  snprintf(joined, sizeof(joined), "<t:%lld:D> (<t:%lld:R>)", (long long)p.created_at,
           (long long)p.created_at);
  struct pd_copy_counts counts;
  struct pd_db *db = NULL;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  json_t *achieved = NULL;
  if (rc == PD_OK)
    rc = pd_db_copy_counts(db, p.id, &counts);
  if (rc == PD_OK)
    rc = achievements_field(ctx, db, &achieved);
  if (rc != PD_OK)
    return rc;
  json_t *fields = pd_player_balance_fields(&p);
  json_array_append_new(fields, pd_player_copies_field(&counts));
  if (achieved != NULL)
    json_array_append_new(fields, achieved);
  if (p.member_until > 0) { /* active by the database's clock (db_users.c) */
    char member[160];
    snprintf(member, sizeof(member),
             "Active until <t:%lld:D> (<t:%lld:R>): shorter cooldowns, more free opens",
             (long long)p.member_until, (long long)p.member_until);
    json_array_append_new(
        fields, json_pack("{s:s, s:s, s:b}", "name", "Membership", "value", member, "inline", 0));
  }
  if (p.gem_debt > 0) {
    char owed[32], text[200];
    pd_fmt_thousands(p.gem_debt, owed);
    snprintf(text, sizeof(text),
             "%s Gems from a refunded payment: Gems can't be spent until they are paid back", owed);
    json_array_append_new(
        fields, json_pack("{s:s, s:s, s:b}", "name", "Gems owed", "value", text, "inline", 0));
  }
  json_array_append_new(
      fields, json_pack("{s:s, s:s, s:b}", "name", "Joined", "value", joined, "inline", 0));
  json_t *embed = json_pack("{s:s, s:i, s:{s:s}, s:o}", "title", title, "color", PD_COLOR_BRAND,
                            "thumbnail", "url", avatar, "fields", fields);
  if (p.created && embed != NULL)
    json_object_set_new(embed, "description",
                        json_string("Welcome to PopDeck! Claim your first Notes with /daily."));
  json_object_set_new(embed, "image", json_pack("{s:s}", "url", "attachment://profile.png"));
  /* The worker draws the banner from this and attaches it (worker.c, PD_JOB_PROFILE_CARD). */
  ctx->followup.kind = PD_JOB_PROFILE_CARD;
  ctx->followup.attach =
      json_pack("{s:s, s:I, s:I, s:I, s:I}", "name", pd_user_display_name(u), "notes",
                (json_int_t)p.notes, "discs", (json_int_t)p.discs, "gems", (json_int_t)p.gems,
                "joined_at", (json_int_t)p.created_at);
  return pd_ctx_reply(ctx, json_pack("{s:[o]}", "embeds", embed));
}
