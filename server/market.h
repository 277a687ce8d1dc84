/* market.h - what /sell, /market, /buy and /unlist share: the listing option, the sale itself
 * (one transaction: the listing closed, the copy to the buyer, one ledger operation paying the
 * seller and the bank, the seller's DM queued), and how prices read. */
#ifndef PD_MARKET_H
#define PD_MARKET_H

#include "commands.h"
#include "db_market.h"

/* The fee the market keeps from a sale at price: price * market_fee_bps / 10000, rounded
 * down (prices are at most PD_AMOUNT_MAX, so it cannot overflow). */
static inline int64_t pd_market_fee(const struct pd_economy *e, int64_t price)
{
  return price * (int64_t)e->market_fee_bps / 10000;
}

/* "1,234 Notes" (the currency's name as players see it). */
void pd_market_price(int64_t price, const char *currency, char *out, size_t len);
/* "Notes" for "notes", "Discs", "Gems". */
const char *pd_market_currency_label(const char *currency);

/* The listing named by option (`12` or `#12`, as autocomplete gives it); anything else is
 * answered as the player's mistake (PD_E_USER). */
enum pd_result pd_market_listing_option(struct pd_ctx *ctx, const char *option, int64_t *id);

/* Buys listing id for the caller (ctx->player, inside the transaction): every refusal of
 * /buy, the sale, the seller's DM, and the answer.  /buy and the Buy menu of /market both
 * come here. */
enum pd_result pd_market_buy(struct pd_ctx *ctx, int64_t id);

#endif
