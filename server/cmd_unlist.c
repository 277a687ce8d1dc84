/* cmd_unlist.c - /unlist listing: the seller takes a listed copy back.  The listing is locked
 * and closed before the copy returns to 'free', in one transaction, so racing a buyer exactly
 * one of them wins.  The option autocompletes over the caller's own active listings. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db_users.h"
#include "market.h"
#include "reply.h"

enum pd_result cmd_unlist(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_listing l;
  int64_t id = 0;
  char text[400];
  enum pd_result rc = pd_market_listing_option(ctx, "listing", &id);
  if (rc == PD_OK)
    rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_listing_lock(db, id, &l);
  if (rc == PD_E_NOTFOUND || (rc == PD_OK && l.seller_id != ctx->player.id))
    return pd_ctx_user_error(ctx, "You have no listing %lld. The suggestions show your listings.",
                             (long long)id);
  if (rc != PD_OK)
    return rc;
  if (strcmp(l.status, "sold") == 0)
    return pd_ctx_user_error(ctx, "Too late: listing %lld (**%s**) was sold.", (long long)l.id,
                             l.ref);
  if (strcmp(l.status, "active") != 0)
    return pd_ctx_user_error(ctx,
                             "Listing %lld (**%s**) is already closed (%s); the copy is back in "
                             "your collection.",
                             (long long)l.id, l.ref, l.status);
  /* Closed first: while the listing is active the database holds the copy in 'listed'. */
  rc = pd_db_listing_close(db, l.id, "unlisted", 0, 0);
  if (rc == PD_OK)
    rc = pd_db_copy_set_state(db, l.copy_id, ctx->player.id, "listed", "free");
  if (rc != PD_OK)
    return rc;
  snprintf(text, sizeof(text),
           "Listing %lld is closed: **%s** is back in your collection, free to sell, trade or "
           "gift.",
           (long long)l.id, l.ref);
  return pd_ctx_reply(ctx, pd_reply_text(text, 0));
}

enum pd_result cmd_unlist_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_player p;
  json_t *choices = NULL;
  json_t *focused = pd_interaction_focused(ctx->ix);
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_user_get(db, ctx->ix->user.id, &p);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_reply(ctx, json_pack("{s:[]}", "choices"));
  if (rc == PD_OK)
    rc = pd_db_market_suggest(db, NULL, p.id, json_string_value(json_object_get(focused, "value")),
                              &choices);
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
