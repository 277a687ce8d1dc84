/* cmd_transfer_data.c - /transfer_data target: moves the caller's whole PopDeck account
 * (balances, every copy that is not gone, running cooldowns) to another Discord account.
 *
 * The request waits for answers (economy.transfer_accept_s; the 'transfers' sweeper closes it
 * after): into an account without PopDeck data the target presses Accept; into one with data
 * both press Merge (balances added, copies united).  Either may Cancel; nobody else may press.
 * The move is one transaction that checks everything again: no open trade on either side
 * (they must end it first), at most one transfer per economy.transfer_every_days for each
 * account, the source's listings cancelled first (their copies free).  It is one ledger
 * operation (kind 'transfer': each currency's balance from source to target, summing to zero),
 * a card_moves row per copy, and the data_transfers row with what moved. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db_gifts.h"
#include "db_ledger.h"
#include "db_transfer.h"
#include "draw.h"
#include "reply.h"
#include "sweep.h"
#include "utf8.h"

static json_t *buttons(const struct pd_transfer *t)
{
  char yes[48], no[48];
  bool merge = strcmp(t->mode, "merge") == 0;
  snprintf(yes, sizeof(yes), "transfer_data:%s:%" PRId64, merge ? "merge" : "accept", t->id);
  snprintf(no, sizeof(no), "transfer_data:cancel:%" PRId64, t->id);
  return json_pack("[{s:i, s:[{s:i, s:i, s:s, s:s}, {s:i, s:i, s:s, s:s}]}]", "type", 1,
                   "components", "type", 2, "style", 3, "label", merge ? "Merge" : "Accept",
                   "custom_id", yes, "type", 2, "style", 4, "label", "Cancel", "custom_id", no);
}

/* The refusals both the command and the move check. */
static enum pd_result movable(struct pd_ctx *ctx, struct pd_db *db, int64_t from,
                              const char *from_discord, int64_t to, const char *to_discord)
{
  int64_t who = 0, next = 0;
  enum pd_result rc = pd_db_transfer_trading(db, from, to, &who);
  if (rc != PD_OK)
    return rc;
  if (who != 0)
    return pd_ctx_user_error(
        ctx,
        "<@%s> has an open trade, so the account can't move now. Finish it "
        "with `/trade confirm` or end it with `/trade cancel`, then try again.",
        who == from ? from_discord : to_discord);
  rc = pd_db_transfer_next(db, from, to, ctx->app->game->economy.transfer_every_days, &next);
  if (rc != PD_OK)
    return rc;
  if (next != 0) {
    char refusal[300];
    snprintf(refusal, sizeof(refusal),
             "An account can move data once every %" PRId64
             " days, and one of these two did lately. The next transfer can be made",
             ctx->app->game->economy.transfer_every_days);
    return pd_ctx_wait_error(ctx, refusal, next);
  }
  return PD_OK;
}

enum pd_result cmd_transfer_data(struct pd_ctx *ctx)
{
  const struct pd_economy *ec = &ctx->app->game->economy;
  struct pd_db *db = NULL;
  struct pd_player target = {0};
  struct pd_transfer t;
  bool touched = false, mine = false;
  char text[900];
  const char *to_id = pd_interaction_option_str(ctx->ix, "target");

  if (json_is_true(json_object_get(pd_interaction_resolved_user(ctx->ix, to_id), "bot")))
    return pd_ctx_user_error(ctx, "Bots can't hold a PopDeck account. Name a player.");
  if (strcmp(to_id, ctx->ix->user.id) == 0)
    return pd_ctx_user_error(ctx, "That is this account. Name the Discord account to move to.");
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_transfer_touched(db, ctx->player.id, &mine);
  if (rc == PD_OK && !mine)
    return pd_ctx_user_error(ctx, "Your account has nothing to move yet.");
  if (rc == PD_OK)
    rc = pd_db_user_get(db, to_id, &target);
  if (rc == PD_E_NOTFOUND) {
    target.id = 0;
    rc = PD_OK;
  } else if (rc == PD_OK) {
    rc = pd_db_transfer_touched(db, target.id, &touched);
  }
  if (rc == PD_OK)
    rc = movable(ctx, db, ctx->player.id, ctx->ix->user.id, target.id, to_id);
  if (rc == PD_OK) {
    rc = pd_db_transfer_pending(db, ctx->player.id, &t);
    if (rc == PD_OK)
      return pd_ctx_user_error(ctx,
                               "You already asked to move your account to <@%s>; it waits for an "
                               "answer until <t:%" PRId64 ":t>. Cancel it with its button first.",
                               t.to_discord, t.expires_at);
    if (rc == PD_E_NOTFOUND)
      rc = PD_OK;
  }
  if (rc == PD_OK)
    rc = pd_db_transfer_insert(db, ctx->player.id, target.id, to_id, touched ? "merge" : "move",
                               !touched, ec->transfer_accept_s, &t);
  if (rc != PD_OK)
    return rc;
  if (touched)
    snprintf(text, sizeof(text),
             "<@%s> wants to move their PopDeck account to <@%s>, who already has PopDeck data. "
             "If both choose **Merge**, the balances are added and the copies united on <@%s>'s "
             "account (listings are cancelled first). Either can cancel. The buttons work until "
             "<t:%" PRId64 ":t>.",
             ctx->ix->user.id, to_id, to_id, t.expires_at);
  else
    snprintf(text, sizeof(text),
             "<@%s> wants to move their whole PopDeck account (balances, copies, cooldowns; "
             "listings are cancelled first) to <@%s>. <@%s>, press **Accept** before "
             "<t:%" PRId64 ":t> to take it, or Cancel.",
             ctx->ix->user.id, to_id, to_id, t.expires_at);
  return pd_ctx_reply(ctx, json_pack("{s:s, s:o, s:{s:[s]}}", "content", text, "components",
                                     buttons(&t), "allowed_mentions", "users", to_id));
}

/* Moves everything from t's source to target (both rows locked), closing t. */
static enum pd_result run_move(struct pd_ctx *ctx, struct pd_db *db, const struct pd_transfer *t)
{
  struct pd_player target;
  struct pd_transfer_moved moved;
  int64_t bal[3], op = 0;
  bool touched = false;
  char text[900], n[3][32];
  enum pd_result rc = pd_db_user_ensure(db, t->to_discord, &target);
  if (rc == PD_OK && strcmp(t->mode, "move") == 0)
    rc = pd_db_transfer_touched(db, target.id, &touched);
  if (rc != PD_OK)
    return rc;
  if (touched)
    return pd_ctx_user_error(ctx,
                             "<@%s> has PopDeck data now, so this would be a merge. <@%s> can run "
                             "/transfer_data again to ask for one.",
                             t->to_discord, t->from_discord);
  rc = movable(ctx, db, t->from_user, t->from_discord, target.id, t->to_discord);
  if (rc == PD_OK)
    rc = pd_db_users_lock(db, t->from_user, target.id);
  if (rc == PD_OK)
    rc = pd_db_transfer_balances(db, t->from_user, bal);
  if (rc == PD_OK)
    rc = pd_ledger_op_new(db, &op);
  if (rc == PD_OK)
    rc = pd_db_transfer_move(db, t->from_user, target.id, op, &moved);
  json_t *meta = json_pack("{s:I}", "transfer", (json_int_t)t->id);
  for (int c = 0; rc == PD_OK && c < 3; c++)
    if (bal[c] > 0)
      rc = pd_ledger_move(db, op, "transfer", PD_PLAYER_ACCT(t->from_user),
                          PD_PLAYER_ACCT(target.id), (enum pd_currency)c, bal[c], meta, NULL, NULL);
  json_decref(meta);
  if (rc != PD_OK)
    return rc;
  json_t *detail = json_pack(
      "{s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "mode", t->mode, "notes", (json_int_t)bal[0], "discs",
      (json_int_t)bal[1], "gems", (json_int_t)bal[2], "copies", (json_int_t)moved.copies,
      "listings_cancelled", (json_int_t)moved.listings, "cooldowns", (json_int_t)moved.cooldowns);
  rc = pd_db_transfer_close(db, t->id, "done", target.id, op, detail);
  json_decref(detail);
  if (rc != PD_OK)
    return rc;
  for (int c = 0; c < 3; c++)
    pd_fmt_thousands(bal[c], n[c]);
  snprintf(text, sizeof(text),
           "Done: <@%s>'s PopDeck account %s <@%s>'s. Moved **%s Notes, %s Discs, %s Gems**, "
           "**%" PRId64 " copies** (%" PRId64 " listings cancelled first) and %" PRId64
           " cooldowns. Transfer %" PRId64 ".",
           t->from_discord, strcmp(t->mode, "merge") == 0 ? "is merged into" : "moved to",
           t->to_discord, n[0], n[1], n[2], moved.copies, moved.listings, moved.cooldowns, t->id);
  ctx->update = true;
  return pd_ctx_reply(ctx, json_pack("{s:s, s:[]}", "content", text, "components"));
}

enum pd_result cmd_transfer_button(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_transfer t;
  char action[16], text[600];
  long long id = 0;
  int used = 0;
  const char *cid = ctx->ix->custom_id;
  if (sscanf(cid, "transfer_data:%15[a-z]:%lld%n", action, &id, &used) != 2 || cid[used] != '\0' ||
      (strcmp(action, "accept") != 0 && strcmp(action, "merge") != 0 &&
       strcmp(action, "cancel") != 0))
    return pd_ctx_user_error(ctx, "That button is not one PopDeck made.");
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_transfer_lock(db, (int64_t)id, &t);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx, "That transfer no longer exists.");
  if (rc != PD_OK)
    return rc;
  const char *me = ctx->ix->user.id;
  bool source = strcmp(me, t.from_discord) == 0, target = strcmp(me, t.to_discord) == 0;
  if (!source && !target)
    return pd_ctx_user_error(ctx, "Only <@%s> and <@%s> can answer this transfer.", t.from_discord,
                             t.to_discord);
  if (strcmp(t.status, "pending") != 0)
    return pd_ctx_user_error(ctx, "This transfer is already %s.",
                             strcmp(t.status, "done") == 0 ? "done" : t.status);
  if (t.expired)
    return pd_ctx_user_error(ctx,
                             "This transfer expired unanswered. <@%s> can ask again with "
                             "/transfer_data.",
                             t.from_discord);
  if (strcmp(action, "cancel") == 0) {
    rc = pd_db_transfer_close(db, t.id, "cancelled", 0, 0, NULL);
    if (rc != PD_OK)
      return rc;
    snprintf(text, sizeof(text), "<@%s> cancelled the transfer: nothing moved.", me);
    ctx->update = true;
    return pd_ctx_reply(ctx, json_pack("{s:s, s:[]}", "content", text, "components"));
  }
  bool merge = strcmp(t.mode, "merge") == 0;
  if (strcmp(action, merge ? "merge" : "accept") != 0)
    return pd_ctx_user_error(ctx, "That button is not one PopDeck made.");
  if (!merge && !target)
    return pd_ctx_user_error(ctx, "Only <@%s> can accept this transfer.", t.to_discord);
  if (merge) {
    rc = pd_db_transfer_agree(db, t.id, source, target);
    if (rc != PD_OK)
      return rc;
    t.from_agreed = t.from_agreed || source;
    t.to_agreed = t.to_agreed || target;
    if (!t.from_agreed || !t.to_agreed) {
      snprintf(text, sizeof(text),
               "<@%s> chose **Merge**. Waiting for <@%s> until <t:%" PRId64 ":t>.", me,
               source ? t.to_discord : t.from_discord, t.expires_at);
      ctx->update = true;
      return pd_ctx_reply(ctx, json_pack("{s:s, s:o}", "content", text, "components", buttons(&t)));
    }
  }
  return run_move(ctx, db, &t);
}

enum pd_result pd_transfer_sweep(struct pd_app *app, struct pd_db *db, int64_t *n)
{
  return pd_db_transfer_expire(db, n);
}
