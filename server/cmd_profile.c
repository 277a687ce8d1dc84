/* cmd_profile.c - /profile: registers a player on first use and shows balances, cards by
 * state (locked, listed, trading), membership, Gems owed, and join date. */
#include <stdio.h>

#include "commands.h"
#include "db_users.h"
#include "player.h"
#include "reply.h"

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
  if (rc == PD_OK)
    rc = pd_db_copy_counts(db, p.id, &counts);
  if (rc != PD_OK)
    return rc;
  json_t *fields = pd_player_balance_fields(&p);
  json_array_append_new(fields, pd_player_copies_field(&counts));
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
