/* cmd_balance.c - /balance [user]: Notes, Discs and Gems of yourself or another player,
 * and how many of their copies are locked, listed or in a trade. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db_users.h"
#include "player.h"
#include "reply.h"

enum pd_result cmd_balance(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_player p;
  struct pd_user target = ctx->ix->user;
  char title[160];

  const char *other = pd_interaction_option_str(ctx->ix, "user");
  if (other != NULL) {
    json_t *ru = pd_interaction_resolved_user(ctx->ix, other);
    target.id = other;
    target.username = json_string_value(json_object_get(ru, "username"));
    target.global_name = json_string_value(json_object_get(ru, "global_name"));
    if (json_is_true(json_object_get(ru, "bot")))
      return pd_ctx_user_error(ctx, "Bots don't collect cards. Pick a player instead.");
  }
  bool self = other == NULL || strcmp(other, ctx->ix->user.id) == 0;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_user_get(db, target.id, &p);
  if (rc == PD_E_NOTFOUND) {
    if (!self)
      return pd_ctx_user_error(ctx, "%s hasn't played PopDeck yet.", pd_user_display_name(&target));
    return pd_ctx_user_error(ctx, "You have no Notes yet. Claim your first with /daily.");
  }
  struct pd_copy_counts counts;
  if (rc == PD_OK)
    rc = pd_db_copy_counts(db, p.id, &counts);
  if (rc != PD_OK)
    return rc;
  snprintf(title, sizeof(title), "%s's balance", pd_user_display_name(&target));
  json_t *fields = pd_player_balance_fields(&p);
  json_array_append_new(fields, pd_player_copies_field(&counts));
  json_t *embed =
      json_pack("{s:s, s:i, s:o}", "title", title, "color", PD_COLOR_BRAND, "fields", fields);
  return pd_ctx_reply(ctx, json_pack("{s:[o]}", "embeds", embed));
}
