/* cmd_gift.c - /gift user [card] [notes] [discs] [gems]: give another player a copy and/or
 * currency, as one operation (kind 'gift': the rows sum to zero between the two players, the
 * copy moves with its card_moves row) and one gifts row.
 *
 * Daily caps (economy.gift_max_per_day gifts and economy.gift_notes_per_day Notes, per UTC day)
 * hold for the giver and for the receiver.  Both players' rows are locked first, in id order,
 * so two gifts racing a cap run one after the other and the second sees the first.  Farming
 * patterns are recorded for admins (db_flags.h) and refuse nothing. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "copies.h"
#include "db_gifts.h"
#include "db_ledger.h"
#include "reply.h"
#include "utf8.h"

static const char *const currency_options[3] = {"notes", "discs", "gems"};
static const char *const currency_labels[3] = {"Notes", "Discs", "Gems"};

/* The amounts named (0 when left out); a value outside 1..PD_AMOUNT_MAX is refused. */
static enum pd_result read_amounts(struct pd_ctx *ctx, int64_t amounts[3])
{
  for (int c = 0; c < 3; c++) {
    amounts[c] = 0;
    if (pd_interaction_option(ctx->ix, currency_options[c]) == NULL)
      continue;
    int64_t v = 0;
    if (!pd_interaction_option_int(ctx->ix, currency_options[c], &v) || v < PD_AMOUNT_MIN ||
        v > PD_AMOUNT_MAX)
      return pd_ctx_user_error(ctx, "**%s** must be a whole number from 1 to 1,000,000,000.",
                               currency_options[c]);
    amounts[c] = v;
  }
  return PD_OK;
}

/* The caps, for the giver and for the receiver. */
static enum pd_result within_caps(struct pd_ctx *ctx, struct pd_db *db, int64_t receiver,
                                  const char *receiver_id, int64_t notes)
{
  const struct pd_economy *ec = &ctx->app->game->economy;
  struct pd_gift_day d;
  char refusal[400], cap[32], left[32];
  enum pd_result rc = pd_db_gift_day(db, ctx->player.id, receiver, &d);
  if (rc != PD_OK)
    return rc;
  pd_fmt_thousands(ec->gift_notes_per_day, cap);
  if (d.given >= ec->gift_max_per_day) {
    snprintf(refusal, sizeof(refusal),
             "You have given %" PRId64 " gifts today, the most a day. You can give again", d.given);
    return pd_ctx_wait_error(ctx, refusal, d.resets_at);
  }
  if (d.received >= ec->gift_max_per_day) {
    snprintf(refusal, sizeof(refusal),
             "<@%s> has received %" PRId64 " gifts today, the most a day. They can receive again",
             receiver_id, d.received);
    return pd_ctx_wait_error(ctx, refusal, d.resets_at);
  }
  if (notes > 0 && d.given_notes + notes > ec->gift_notes_per_day) {
    pd_fmt_thousands(ec->gift_notes_per_day - d.given_notes, left);
    snprintf(refusal, sizeof(refusal),
             "You can give %s Notes a day and have %s left today. The count starts again", cap,
             left);
    return pd_ctx_wait_error(ctx, refusal, d.resets_at);
  }
  if (notes > 0 && d.received_notes + notes > ec->gift_notes_per_day) {
    pd_fmt_thousands(ec->gift_notes_per_day - d.received_notes, left);
    snprintf(refusal, sizeof(refusal),
             "<@%s> can receive %s Notes a day and has room for %s more today. The count starts "
             "again",
             receiver_id, cap, left);
    return pd_ctx_wait_error(ctx, refusal, d.resets_at);
  }
  return PD_OK;
}

/* What the gift was, for the message: "**REF** and 100 Notes". */
static void describe(const char *ref, const int64_t amounts[3], char *out, size_t outlen)
{
  size_t at = 0;
  out[0] = '\0';
  if (ref != NULL) {
    snprintf(out, outlen, "**%s**", ref);
    at = strlen(out);
  }
  for (int c = 0; c < 3; c++) {
    char n[32];
    if (amounts[c] == 0 || at + 1 >= outlen)
      continue;
    pd_fmt_thousands(amounts[c], n);
    snprintf(out + at, outlen - at, "%s**%s %s**", at > 0 ? " and " : "", n, currency_labels[c]);
    at += strlen(out + at);
  }
}

enum pd_result cmd_gift(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_player to;
  struct pd_copy c;
  int64_t amounts[3], op = 0;
  const char *to_id = pd_interaction_option_str(ctx->ix, "user");
  const char *card = pd_interaction_option_str(ctx->ix, "card");
  char what[300], text[700];

  if (json_is_true(json_object_get(pd_interaction_resolved_user(ctx->ix, to_id), "bot")))
    return pd_ctx_user_error(ctx, "Bots don't collect cards. Give your gift to a player.");
  if (strcmp(to_id, ctx->ix->user.id) == 0)
    return pd_ctx_user_error(ctx, "You can't give a gift to yourself. Name another player.");
  enum pd_result rc = read_amounts(ctx, amounts);
  if (rc != PD_OK)
    return rc;
  if (card == NULL && amounts[0] == 0 && amounts[1] == 0 && amounts[2] == 0)
    return pd_ctx_user_error(
        ctx,
        "Name something to give: a **card**, or an amount of **notes**, **discs** or **gems**.");
  rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_user_ensure(db, to_id, &to);
  if (rc == PD_OK)
    rc = pd_db_users_lock(db, ctx->player.id, to.id);
  if (rc == PD_OK)
    rc = within_caps(ctx, db, to.id, to_id, amounts[0]);
  if (rc == PD_OK && card != NULL) {
    rc = pd_ctx_copy(ctx, "card", &c);
    if (rc == PD_OK)
      rc = pd_ctx_copy_free(ctx, &c, "gifted");
  }
  if (rc == PD_OK)
    rc = pd_ledger_op_new(db, &op);
  for (int k = 0; rc == PD_OK && k < 3; k++) {
    if (amounts[k] == 0)
      continue;
    int64_t bal[3] = {ctx->player.notes, ctx->player.discs, ctx->player.gems};
    json_t *meta = json_pack("{s:s}", "to", to_id);
    rc = pd_ledger_move(db, op, "gift", PD_PLAYER_ACCT(ctx->player.id), PD_PLAYER_ACCT(to.id),
                        (enum pd_currency)k, amounts[k], meta, bal, NULL);
    json_decref(meta);
    if (rc == PD_E_CHECK) {
      char want[32], have[32];
      pd_fmt_thousands(amounts[k], want);
      pd_fmt_thousands(bal[k], have);
      return pd_ctx_user_error(ctx, "You have %s %s, so you can't give %s. /balance shows yours.",
                               have, currency_labels[k], want);
    }
  }
  if (rc == PD_OK && card != NULL) {
    rc = pd_db_copy_give(db, c.id, ctx->player.id, "free", to.id, op, "gift");
    if (rc == PD_E_CONFLICT)
      return pd_ctx_user_error(ctx, "**%s** moved meanwhile, so nothing was given.", c.ref);
  }
  if (rc == PD_OK)
    rc = pd_db_gift_insert(db, ctx->player.id, to.id, card != NULL ? c.id : 0, amounts, op);
  if (rc != PD_OK)
    return rc;
  pd_ctx_flag_later(ctx, ctx->player.id, to.id, op, "gift");
  describe(card != NULL ? c.ref : NULL, amounts, what, sizeof(what));
  pd_utf8_fmt(text, sizeof(text), "<@%s> gave <@%s> %s. 🎁", ctx->ix->user.id, to_id, what);
  /* The receiver is pinged: the message is how they learn of it. */
  return pd_ctx_reply(
      ctx, json_pack("{s:s, s:{s:[s]}}", "content", text, "allowed_mentions", "users", to_id));
}
