/* cmd_sell.c - /sell card price currency [scope]: lists one of the caller's free copies on the
 * market.  The copy goes into escrow ('listed') and an active listing holds it there until it
 * sells, is taken back (/unlist) or expires (economy.listing_days; the sweep returns it).
 * Server scope (the default) is buyable only in the guild where it was listed, so it needs one;
 * global is buyable everywhere. */
#include <stdio.h>
#include <string.h>

#include "cardview.h"
#include "commands.h"
#include "db_wishlist.h"
#include "copies.h"
#include "db_ledger.h"
#include "market.h"
#include "reply.h"
#include "utf8.h"

enum pd_result cmd_sell(struct pd_ctx *ctx)
{
  const struct pd_economy *ec = &ctx->app->game->economy;
  struct pd_db *db = NULL;
  struct pd_copy c;
  int64_t price = 0, id = 0, expires = 0;
  char shown[48], fee_s[48], got_s[48], text[900];
  const char *currency = pd_interaction_option_str(ctx->ix, "currency");
  const char *scope = pd_interaction_option_str(ctx->ix, "scope");
  if (scope == NULL)
    scope = "server";
  if (currency == NULL || !pd_interaction_option_int(ctx->ix, "price", &price))
    return PD_E_INVALID; /* required and typed: the dispatcher checked */
  if (price < PD_AMOUNT_MIN || price > PD_AMOUNT_MAX)
    return pd_ctx_user_error(ctx,
                             "A price is a whole number from 1 to 1,000,000,000; %lld is not "
                             "one.",
                             (long long)price);
  if (strcmp(scope, "server") == 0 && ctx->ix->guild_id == NULL)
    return pd_ctx_user_error(ctx,
                             "A server listing is sold in the server where you list it, and this "
                             "is a direct message. Run /sell in a server, or add `scope:global` "
                             "to sell it everywhere.");
  enum pd_result rc = pd_ctx_copy(ctx, "card", &c);
  if (rc != PD_OK)
    return rc;
  rc = pd_ctx_copy_free(ctx, &c, "sold");
  if (rc != PD_OK)
    return rc;
  rc = pd_ctx_db(ctx, &db);
  /* Escrow first: an active listing may only point at a copy in 'listed'. */
  if (rc == PD_OK)
    rc = pd_db_copy_set_state(db, c.id, ctx->player.id, "free", "listed");
  if (rc == PD_OK)
    rc = pd_db_listing_insert(db, &c, price, currency, scope,
                              strcmp(scope, "server") == 0 ? ctx->ix->guild_id : NULL,
                              ec->listing_days, &id, &expires);
  /* The wishers are told by the wishlist_notify task; here only their notices are written. */
  if (rc == PD_OK)
    rc = pd_db_wish_listed(db, id, c.card_id, ctx->player.id, NULL);
  if (rc != PD_OK)
    return rc;
  int64_t fee = pd_market_fee(ec, price);
  pd_market_price(price, currency, shown, sizeof(shown));
  pd_market_price(fee, currency, fee_s, sizeof(fee_s));
  pd_market_price(price - fee, currency, got_s, sizeof(got_s));
  pd_utf8_fmt(text, sizeof(text),
              "Listed **%s** (%s — %s, %s) as listing **%lld** for **%s**, for sale %s. When it "
              "sells you receive **%s**: the market keeps a fee of %s (%d.%02d%%). It expires "
              "<t:%lld:R>; take it back any time with `/unlist listing:%lld`.",
              c.ref, c.artist, c.era, pd_rarity_label(c.rarity), (long long)id, shown,
              strcmp(scope, "server") == 0 ? "in this server only" : "everywhere", got_s, fee_s,
              ec->market_fee_bps / 100, ec->market_fee_bps % 100, (long long)expires,
              (long long)id);
  return pd_ctx_reply(ctx, pd_reply_text(text, 0));
}
