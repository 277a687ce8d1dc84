/* cmd_buy.c - /buy listing: buys a listing visible here (market.c does the sale), and the Buy
 * menu on /market's pages ("buy:page", the listing id as the chosen value), which buys exactly
 * the same way.  The listing option autocompletes over the listings visible here, cheapest
 * first. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "market.h"

enum pd_result cmd_buy(struct pd_ctx *ctx)
{
  int64_t id = 0;
  enum pd_result rc = pd_market_listing_option(ctx, "listing", &id);
  if (rc != PD_OK)
    return rc;
  return pd_market_buy(ctx, id);
}

enum pd_result cmd_buy_menu(struct pd_ctx *ctx)
{
  const char *v = json_string_value(json_array_get(ctx->ix->values, 0));
  char *end = NULL;
  errno = 0;
  long long id = v != NULL ? strtoll(v, &end, 10) : 0;
  if (strcmp(ctx->ix->custom_id, "buy:page") != 0 || v == NULL || errno != 0 || end == v ||
      *end != '\0' || id < 1)
    return pd_ctx_user_error(ctx, "That menu is not one PopDeck made. Run /market again.");
  return pd_market_buy(ctx, id);
}

enum pd_result cmd_buy_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  json_t *choices = NULL;
  json_t *focused = pd_interaction_focused(ctx->ix);
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_market_suggest(db, ctx->ix->guild_id, 0,
                              json_string_value(json_object_get(focused, "value")), &choices);
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
