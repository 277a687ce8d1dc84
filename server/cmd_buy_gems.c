/* cmd_buy_gems.c - /buy_gems bundle: an ephemeral link button to a Stripe Checkout Session for
 * the bundle, paid for on Stripe's page; the webhook (stripe_webhook.c) grants it.
 *
 * Stripe must not be able to break Discord's 3 s: the command is deferred (ephemeral
 * "thinking") and the session is created by the follow-up worker (the job kind "checkout",
 * worker.c), which then edits the answer into the button.  The Idempotency-Key is the
 * interaction's id, so a retried job, or the same interaction delivered twice, gets the one
 * session Stripe made the first time. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "buy_gems.h"
#include "commands.h"
#include "log.h"
#include "reply.h"
#include "stripe.h"

/* STRIPE_SUCCESS_URL / STRIPE_CANCEL_URL, else PUBLIC_BASE_URL's /paid page; false when
 * neither is set. */
static bool return_urls(const struct pd_config *cfg, char *ok, char *cancel, size_t len)
{
  const char *base = cfg->public_base_url;
  size_t n = base != NULL ? strlen(base) : 0;
  while (n > 0 && base[n - 1] == '/')
    n--;
  if (cfg->stripe_success_url != NULL)
    snprintf(ok, len, "%s", cfg->stripe_success_url);
  else if (n > 0)
    snprintf(ok, len, "%.*s/paid", (int)n, base);
  else
    return false;
  if (cfg->stripe_cancel_url != NULL)
    snprintf(cancel, len, "%s", cfg->stripe_cancel_url);
  else if (n > 0)
    snprintf(cancel, len, "%.*s/paid?cancelled=1", (int)n, base);
  else
    return false;
  return true;
}

static const char NOT_SET_UP[] =
    "Payments are not set up on this PopDeck yet, so Gems can't be bought here. The server's "
    "admins can turn them on (STRIPE_SECRET_KEY).";

enum pd_result cmd_buy_gems(struct pd_ctx *ctx)
{
  const struct pd_config *cfg = &ctx->app->cfg;
  char ok[1024], cancel[1024], key[96];
  /* The dispatcher checked the option against the bundles (the table's bundle_choices). */
  const char *id =
      json_string_value(json_object_get(pd_interaction_option(ctx->ix, "bundle"), "value"));
  const struct pd_bundle *b = id != NULL ? pd_game_bundle(ctx->app->game, id) : NULL;
  if (cfg->stripe_secret_key == NULL || !return_urls(cfg, ok, cancel, sizeof(ok)))
    return pd_ctx_reply(ctx, pd_reply_text(NOT_SET_UP, PD_FLAG_EPHEMERAL));
  if (b == NULL || b->nprices == 0)
    return pd_ctx_user_error(ctx, "That bundle can't be bought with money. /buy_gems lists "
                                  "the ones that can.");
  snprintf(key, sizeof(key), "popdeck-buy-%s", ctx->ix->id);
  ctx->defer = true;
  ctx->followup.kind = PD_JOB_CHECKOUT;
  ctx->followup.attach =
      json_pack("{s:s, s:s, s:s}", "bundle", b->id, "player", ctx->ix->user.id, "key", key);
  if (ctx->followup.attach == NULL)
    return PD_E_NOMEM;
  /* What the job starts from; the worker replaces it with the button. */
  return pd_ctx_reply(ctx, pd_reply_text("Opening a Stripe checkout...", 0));
}

json_t *pd_buy_gems_followup(struct pd_app *app, const json_t *attach, const char *ref)
{
  const struct pd_config *cfg = &app->cfg;
  char ok[1024], cancel[1024], err[400], price[40], text[600];
  const char *id = json_string_value(json_object_get(attach, "bundle"));
  const char *player = json_string_value(json_object_get(attach, "player"));
  const char *key = json_string_value(json_object_get(attach, "key"));
  const struct pd_bundle *b = id != NULL ? pd_game_bundle(app->game, id) : NULL;
  struct pd_stripe_session session;
  enum pd_result rc = PD_E_INVALID;
  snprintf(err, sizeof(err), "the job names no bundle of assets/packs.json");
  if (b != NULL && b->nprices > 0 && player != NULL && key != NULL &&
      return_urls(cfg, ok, cancel, sizeof(ok))) {
    const struct pd_stripe s = {cfg->stripe_api_base, cfg->stripe_secret_key,
                                PD_BUY_GEMS_STRIPE_TIMEOUT_MS};
    const struct pd_stripe_checkout c = {
        .currency = b->prices[0].currency,
        .unit_amount = b->prices[0].amount,
        .product_name = b->name,
        .success_url = ok,
        .cancel_url = cancel,
        .client_reference_id = player,
        .bundle = b->id,
        .idempotency_key = key,
        /* The membership (days, no Gems) renews: a subscription billed every b->days days. */
        .interval_days = b->gems == 0 && b->days > 0 ? b->days : 0,
    };
    rc = pd_stripe_checkout_create(&s, &c, &session, err, sizeof(err));
  }
  if (rc != PD_OK) {
    json_t *f = json_pack("{s:s, s:s?, s:s?, s:s}", "ref", ref, "bundle", id, "player", player,
                          "error", err);
    pd_log("error", "stripe checkout not created", f);
    snprintf(text, sizeof(text),
             "Stripe could not open a checkout just now, and nothing was charged. Try /buy_gems "
             "again in a moment (reference `%s`).",
             ref);
    return pd_reply_text(text, 0);
  }
  pd_money_text(b->prices[0].amount, b->prices[0].currency, price, sizeof(price));
  char label[64];
  snprintf(label, sizeof(label), "Pay %s", price);
  if (b->gems > 0)
    snprintf(text, sizeof(text),
             "**%s**: %" PRId64 " Gems for %s. Pay on Stripe's page; the Gems reach your wallet "
             "(and a receipt your DMs) as soon as Stripe confirms the payment.",
             b->name, b->gems, price);
  else
    snprintf(text, sizeof(text),
             "**%s**: %s every %" PRId64 " days, renewing until you cancel it. Pay on "
             "Stripe's page; it starts as soon as Stripe confirms the first payment.",
             b->name, price, b->days);
  return json_pack("{s:s, s:[{s:i, s:[{s:i, s:i, s:s, s:s}]}], s:{s:[]}}", "content", text,
                   "components", "type", 1, "components", "type", 2, "style", 5, "label", label,
                   "url", session.url, "allowed_mentions", "parse");
}
