/* market.c - the sale and the helpers the market commands share (see market.h). */
#include "market.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardview.h"
#include "db_jobs.h"
#include "db_ledger.h"
#include "progress.h"
#include "reply.h"
#include "utf8.h"

const char *pd_market_currency_label(const char *currency)
{
  if (currency != NULL && strcmp(currency, "discs") == 0)
    return "Discs";
  if (currency != NULL && strcmp(currency, "gems") == 0)
    return "Gems";
  return "Notes";
}

void pd_market_price(int64_t price, const char *currency, char *out, size_t len)
{
  char n[32];
  pd_fmt_thousands(price, n);
  snprintf(out, len, "%s %s", n, pd_market_currency_label(currency));
}

enum pd_result pd_market_listing_option(struct pd_ctx *ctx, const char *option, int64_t *id)
{
  char shown[60];
  json_t *v = json_object_get(pd_interaction_option(ctx->ix, option), "value");
  if (json_is_integer(v)) {
    *id = (int64_t)json_integer_value(v);
  } else {
    const char *s = json_string_value(v);
    char *end = NULL;
    if (s == NULL)
      return pd_ctx_user_error(ctx, "Name the listing in **%s**: pick one from the suggestions.",
                               option);
    while (*s == ' ' || *s == '#')
      s++;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    while (end != NULL && *end == ' ')
      end++;
    if (errno != 0 || end == s || *end != '\0' || n < 1)
      return pd_ctx_user_error(
          ctx,
          "\"%s\" is not a listing. Listings are numbers like `12`, as "
          "/market shows them; pick one from the suggestions.",
          pd_utf8_short(shown, sizeof(shown),
                        json_string_value(v) != NULL ? json_string_value(v) : "", 30));
    *id = n;
  }
  if (*id < 1)
    return pd_ctx_user_error(ctx, "Listings are numbered from 1. /market shows them.");
  return PD_OK;
}

static enum pd_currency currency_of(const char *name)
{
  if (strcmp(name, "discs") == 0)
    return PD_DISCS;
  if (strcmp(name, "gems") == 0)
    return PD_GEMS;
  return PD_NOTES;
}

/* Why listing l cannot be bought by the caller here, answered (PD_E_USER); PD_OK when it can. */
static enum pd_result refusal(struct pd_ctx *ctx, const struct pd_listing *l)
{
  if (strcmp(l->status, "sold") == 0)
    return l->buyer_id == ctx->player.id
               ? pd_ctx_user_error(ctx,
                                   "You already bought listing %lld (**%s**): it is in your "
                                   "collection.",
                                   (long long)l->id, l->ref)
               : pd_ctx_user_error(ctx,
                                   "Someone bought it first: listing %lld (**%s**) is sold. "
                                   "/market shows what is still for sale.",
                                   (long long)l->id, l->ref);
  if (strcmp(l->status, "unlisted") == 0 || strcmp(l->status, "cancelled") == 0)
    return pd_ctx_user_error(ctx,
                             "Listing %lld (**%s**) is gone: the seller took it back. /market "
                             "shows what is still for sale.",
                             (long long)l->id, l->ref);
  if (strcmp(l->status, "expired") == 0 || l->expired)
    return pd_ctx_user_error(ctx,
                             "Listing %lld (**%s**) has expired and went back to its seller. "
                             "/market shows what is still for sale.",
                             (long long)l->id, l->ref);
  /* Its copy already left its owner's collection; the event_end task cancels the listing
   * within its period, and until then nobody may pay for it. */
  if (l->copy_expired)
    return pd_ctx_user_error(ctx,
                             "Listing %lld (**%s**) is a temporary event card that has expired: it "
                             "left its owner's collection and can no longer be bought.",
                             (long long)l->id, l->ref);
  if (l->seller_id == ctx->player.id)
    return pd_ctx_user_error(ctx,
                             "Listing %lld is your own. To take **%s** back, use `/unlist "
                             "listing:%lld`.",
                             (long long)l->id, l->ref, (long long)l->id);
  if (strcmp(l->scope, "server") == 0 &&
      (ctx->ix->guild_id == NULL || strcmp(ctx->ix->guild_id, l->guild_id) != 0))
    return pd_ctx_user_error(ctx,
                             "Listing %lld is for sale only in the server where it was listed. "
                             "Buy it there, or pick one from /market here.",
                             (long long)l->id);
  return PD_OK;
}

/* The seller's notice, queued with the sale: it goes out once the sale commits. */
static enum pd_result queue_seller_dm(struct pd_ctx *ctx, struct pd_db *db,
                                      const struct pd_listing *l, int64_t paid, int64_t fee)
{
  char text[600], price[48], got[48], kept[48];
  pd_market_price(l->price, l->currency, price, sizeof(price));
  pd_market_price(paid, l->currency, got, sizeof(got));
  pd_market_price(fee, l->currency, kept, sizeof(kept));
  pd_utf8_fmt(text, sizeof(text),
              "Your listing %lld sold: <@%s> bought **%s** (%s — %s) for **%s**. You received "
              "**%s** (the market kept %s).",
              (long long)l->id, ctx->ix->user.id, l->ref, l->artist, l->era, price, got, kept);
  json_t *msg = json_pack("{s:s, s:{s:[]}}", "content", text, "allowed_mentions", "parse");
  if (msg == NULL)
    return PD_E_NOMEM;
  enum pd_result rc =
      pd_db_job_add_dm(db, ctx->app->cfg.application_id, l->seller_discord, msg, ctx->ref, NULL);
  json_decref(msg);
  return rc;
}

enum pd_result pd_market_buy(struct pd_ctx *ctx, int64_t id)
{
  struct pd_db *db = NULL;
  struct pd_listing l;
  int64_t op = 0, bal[3] = {ctx->player.notes, ctx->player.discs, ctx->player.gems};
  char price[48], missing[48], have[48], text[700];
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_listing_lock(db, id, &l);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx, "There is no listing %lld. /market shows what is for sale.",
                             (long long)id);
  if (rc != PD_OK)
    return rc;
  rc = refusal(ctx, &l);
  if (rc != PD_OK)
    return rc;
  enum pd_currency cur = currency_of(l.currency);
  pd_market_price(l.price, l.currency, price, sizeof(price));
  if (pd_balance_of(bal, cur) < l.price) {
    pd_market_price(l.price - pd_balance_of(bal, cur), l.currency, missing, sizeof(missing));
    pd_market_price(pd_balance_of(bal, cur), l.currency, have, sizeof(have));
    return pd_ctx_user_error(ctx,
                             "Listing %lld costs **%s** and you have %s: you are **%s** short.",
                             (long long)l.id, price, have, missing);
  }
  int64_t fee = pd_market_fee(&ctx->app->game->economy, l.price);
  int64_t paid = l.price - fee;
  json_t *meta = json_pack("{s:I, s:s}", "listing", (json_int_t)l.id, "copy", l.ref);
  rc = pd_ledger_op_new(db, &op);
  /* The listing closes first: while it is active the database holds its copy in 'listed'. */
  if (rc == PD_OK)
    rc = pd_db_listing_close(db, l.id, "sold", ctx->player.id, op);
  if (rc == PD_OK)
    rc = pd_db_copy_give(db, l.copy_id, l.seller_id, "listed", ctx->player.id, op, "sale");
  if (rc == PD_OK && paid > 0)
    rc = pd_ledger_move(db, op, "sale", PD_PLAYER_ACCT(ctx->player.id), PD_PLAYER_ACCT(l.seller_id),
                        cur, paid, meta, bal, NULL);
  if (rc == PD_OK && fee > 0)
    rc = pd_ledger_move(db, op, "market_fee", PD_PLAYER_ACCT(ctx->player.id),
                        PD_GAME_ACCT(PD_ACCT_BANK), cur, fee, meta, bal, NULL);
  json_decref(meta);
  /* A sale is how alt accounts feed a main (junk listed at a price only an alt would pay, or a
   * prize listed for 1): it counts as value going from the buyer to the seller, for the farming
   * flags admins review (nothing is refused because of one). */
  if (rc == PD_OK)
    pd_ctx_flag_later(ctx, ctx->player.id, l.seller_id, op, "sale");
  if (rc == PD_OK)
    rc = pd_missions_sale(ctx->app, db, ctx->player.id, l.seller_id, l.copy_id);
  if (rc == PD_E_CHECK) /* spent since this transaction read the balance: nothing stays */
    return pd_ctx_user_error(ctx, "Listing %lld costs **%s** and you no longer have that much.",
                             (long long)l.id, price);
  if (rc == PD_OK)
    rc = queue_seller_dm(ctx, db, &l, paid, fee);
  if (rc != PD_OK)
    return rc;
  ctx->player.notes = bal[0];
  ctx->player.discs = bal[1];
  ctx->player.gems = bal[2];
  char left[48];
  pd_market_price(pd_balance_of(bal, cur), l.currency, left, sizeof(left));
  pd_utf8_fmt(text, sizeof(text),
              "You bought **%s** (%s — %s, %s) from <@%s> for **%s**. It is in your collection "
              "now; you have %s left.",
              l.ref, l.artist, l.era, pd_rarity_label(l.rarity), l.seller_discord, price, left);
  return pd_ctx_reply(ctx, pd_reply_text(text, 0));
}
