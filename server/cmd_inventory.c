/* cmd_inventory.c - /inventory user [artist] [rarity] [sort]: another player's collection,
 * unless they made it private with /privacy. */
#include <stdio.h>
#include <string.h>

#include "collection.h"
#include "db_users.h"
#include "utf8.h"

enum pd_result cmd_inventory(struct pd_ctx *ctx)
{
  struct pd_list_view v = {.page = 1};
  struct pd_db *db = NULL;
  struct pd_player owner;
  char filters[400];
  bool private_ = false;
  const char *target =
      pd_interaction_option_str(ctx->ix, "user"); /* required: the dispatcher checked */
  if (target == NULL)
    return PD_E_INVALID;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_user_get(db, target, &owner);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx, "<@%s> has not played PopDeck yet.", target);
  if (rc == PD_OK)
    rc = pd_db_privacy_get(db, owner.id, &private_);
  if (rc != PD_OK)
    return rc;
  v.own = strcmp(target, ctx->ix->user.id) == 0;
  if (private_ && !v.own)
    return pd_ctx_user_error(ctx, "<@%s> keeps their collection private.", target);
  json_t *user = pd_interaction_resolved_user(ctx->ix, target);
  const char *name = json_string_value(json_object_get(user, "global_name"));
  if (name == NULL)
    name = json_string_value(json_object_get(user, "username"));
  pd_utf8_copy(v.owner_name, sizeof(v.owner_name), name != NULL ? name : "That player");
  snprintf(v.viewer, sizeof(v.viewer), "%s", ctx->ix->user.id);
  v.q.owner = owner.id;
  rc = pd_list_filters(ctx, db, &v, filters, sizeof(filters));
  if (rc != PD_OK)
    return rc;
  return pd_list_answer(ctx, db, &v, filters);
}
