/* cmd_mycards.c - /mycards [artist] [era] [rarity] [sort]: your collection, ten cards a page
 * with copies and print numbers; its Previous/Next buttons ("mycards:...", pd_list_button in
 * collection.c) page it. */
#include "collection.h"
#include "db_users.h"

enum pd_result cmd_mycards(struct pd_ctx *ctx)
{
  struct pd_list_view v = {.page = 1, .own = true};
  struct pd_db *db = NULL;
  char filters[400];
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  snprintf(v.viewer, sizeof(v.viewer), "%s", ctx->ix->user.id);
  v.q.owner = ctx->player.id;
  rc = pd_list_filters(ctx, db, &v, filters, sizeof(filters));
  if (rc != PD_OK)
    return rc;
  return pd_list_answer(ctx, db, &v, filters);
}
