/* cmd_trade.c - /trade start|add|remove|show|confirm|cancel and the trade message's Confirm and
 * Cancel buttons ("trade:confirm:<trade>:<version>", "trade:cancel:<trade>").
 *
 * A trade lives in the database only (db_trades.h): every command and button locks the trade
 * row first and answers with the trade as it is now, so any message or token may be stale
 * without harm.  Offered copies are escrowed (state 'trading', an active trade_cards row);
 * offered currency is checked when added and again at the swap.  A change clears both
 * confirmations, moves the version on and keeps confirming shut for trade_confirm_delay_s; a
 * Confirm button names the version it was shown with, and a press on any other is refused.
 * When the second side confirms the current version, the swap re-checks every copy and both
 * balances under lock and moves everything in that one transaction, as one ledger operation;
 * if a re-check fails nothing moves and the trade closes as 'failed', its escrow released:
 * the offer on the table is no longer what either side agreed to, and keeping it open would
 * keep the honest side's copies locked for an offer that cannot happen. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "copies.h"
#include "db_ledger.h"
#include "db_trades.h"
#include "progress.h"
#include "reply.h"
#include "utf8.h"

static const char *const CUR_OPTION[3] = {"notes", "discs", "gems"};
static const char *const CUR_NAME[3] = {"Notes", "Discs", "Gems"};

static const struct pd_economy *economy(const struct pd_ctx *ctx)
{
  return &ctx->app->game->economy;
}

/* "1,234 Notes" */
static void amount_text(int64_t n, int c, char out[48])
{
  char num[32];
  pd_fmt_thousands(n, num);
  snprintf(out, 48, "%s %s", num, CUR_NAME[c]);
}

/* Appends ", item" (or item first) to list, cut between characters when full. */
static void list_add(char *list, size_t cap, const char *item)
{
  size_t at = strlen(list);
  if (at + 3 < cap)
    pd_utf8_fmt(list + at, cap - at, "%s%s", at > 0 ? ", " : "", item);
}

/* When confirming opens after the last change (Unix ms). */
static int64_t confirm_opens_ms(const struct pd_ctx *ctx, const struct pd_trade *t)
{
  return t->changed_ms + economy(ctx)->trade_confirm_delay_s * 1000;
}

/* One side's offer as bullet lines. */
static void offer_lines(const struct pd_trade *t, int side, const struct pd_trade_copy *copies,
                        size_t n, char *out, size_t cap)
{
  size_t at = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && at + 1 < cap; i++) {
    if (copies[i].from != side)
      continue;
    pd_utf8_fmt(out + at, cap - at, "• `%s` · %s · %s\n", copies[i].ref, copies[i].artist,
                copies[i].rarity);
    at = strlen(out);
  }
  for (int c = 0; c < 3 && at + 1 < cap; c++) {
    char amt[48];
    if (t->offer[side][c] == 0)
      continue;
    amount_text(t->offer[side][c], c, amt);
    snprintf(out + at, cap - at, "• %s\n", amt);
    at = strlen(out);
  }
  if (at == 0)
    snprintf(out, cap, "• nothing yet\n");
}

/* The trade message: both offers, the version and its change, who confirmed, when confirming
 * opens, and (while open) the Confirm and Cancel buttons.  headline (may be NULL) goes first. */
static enum pd_result trade_reply(struct pd_ctx *ctx, const struct pd_trade *t,
                                  const char *headline)
{
  struct pd_db *db = NULL;
  struct pd_trade_copy copies[2 * PD_TRADE_MAX_COPIES];
  size_t n = 0;
  char desc[3500], side[2][1200], title[64];
  bool open = strcmp(t->status, "open") == 0;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK && open)
    rc = pd_db_trade_copies(db, t, false, copies, PD_ARRAY_LEN(copies), &n);
  if (rc != PD_OK)
    return rc;
  if (n > PD_ARRAY_LEN(copies))
    n = PD_ARRAY_LEN(copies);
  for (int s = 0; s < 2; s++)
    offer_lines(t, s, copies, n, side[s], sizeof(side[s]));
  size_t at = 0;
  desc[0] = '\0';
  if (headline != NULL && headline[0] != '\0') {
    pd_utf8_fmt(desc, sizeof(desc), "%s\n\n", headline);
    at = strlen(desc); /* a headline cut short leaves no gap past the end */
  }
  if (open) {
    pd_utf8_fmt(desc + at, sizeof(desc) - at, "<@%s> offers:\n%s<@%s> offers:\n%s", t->discord[0],
                side[0], t->discord[1], side[1]);
    at = strlen(desc);
    pd_utf8_fmt(desc + at, sizeof(desc) - at, "\n**Version %" PRId64 "**: %s.\n", t->version,
                t->last_change);
    at = strlen(desc);
    for (int s = 0; s < 2; s++) {
      pd_utf8_fmt(desc + at, sizeof(desc) - at, "<@%s>: %s\n", t->discord[s],
                  t->confirmed[s] == t->version ? "confirmed this version" : "not confirmed");
      at = strlen(desc);
    }
    int64_t opens = confirm_opens_ms(ctx, t);
    if (t->now_ms < opens) {
      snprintf(desc + at, sizeof(desc) - at, "Confirming opens <t:%" PRId64 ":R>.\n",
               (opens + 999) / 1000);
      at = strlen(desc);
    }
    snprintf(desc + at, sizeof(desc) - at, "The trade expires <t:%" PRId64 ":R> if left open.",
             t->expires_at);
  } else if (headline == NULL || headline[0] == '\0') {
    snprintf(desc, sizeof(desc), "This trade is %s.", t->status);
  }
  snprintf(title, sizeof(title), "Trade %" PRId64 "%s%s", t->id, open ? "" : " · ",
           open ? "" : t->status);
  json_t *embed =
      json_pack("{s:s, s:s, s:i}", "title", title, "description", desc, "color", PD_COLOR_BRAND);
  json_t *components = json_array();
  if (open) {
    char confirm[64], cancel[48];
    snprintf(confirm, sizeof(confirm), "trade:confirm:%" PRId64 ":%" PRId64, t->id, t->version);
    snprintf(cancel, sizeof(cancel), "trade:cancel:%" PRId64, t->id);
    json_array_append_new(components,
                          json_pack("{s:i, s:[{s:i, s:i, s:s, s:s}, {s:i, s:i, s:s, s:s}]}", "type",
                                    1, "components", "type", 2, "style", 3, "label", "Confirm",
                                    "custom_id", confirm, "type", 2, "style", 4, "label", "Cancel",
                                    "custom_id", cancel));
  }
  return pd_ctx_reply(ctx, json_pack("{s:s, s:[o], s:o}", "content", "", "embeds", embed,
                                     "components", components));
}

/* Closes a trade found past its expiry (before the sweep got to it) and answers with it. */
static enum pd_result expire_now(struct pd_ctx *ctx, struct pd_trade *t)
{
  struct pd_db *db = NULL;
  char why[160];
  snprintf(why, sizeof(why), "it was left open for %" PRId64 " minutes",
           economy(ctx)->trade_expiry_s / 60);
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_trade_close(db, t, "expired", why, 0);
  if (rc != PD_OK)
    return rc;
  char head[300];
  snprintf(head, sizeof(head),
           "This trade expired (%s): everything offered went back to its owner. Start a new one "
           "with `/trade start`.",
           why);
  return trade_reply(ctx, t, head);
}

static bool due(const struct pd_trade *t)
{
  return strcmp(t->status, "open") == 0 && t->now_ms / 1000 >= t->expires_at;
}

/* The caller's open trade, locked.  *answered: it had expired, and the answer says so. */
static enum pd_result my_trade(struct pd_ctx *ctx, struct pd_trade *t, bool *answered)
{
  struct pd_db *db = NULL;
  *answered = false;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_trade_of(db, ctx->player.id, true, t);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(
        ctx, "You have no open trade. Start one with `/trade start user:@someone`.");
  if (rc == PD_OK && due(t)) {
    *answered = true;
    return expire_now(ctx, t);
  }
  return rc;
}

/* The amounts named in notes, discs and gems (0: not named).  *any: at least one was. */
static enum pd_result read_amounts(struct pd_ctx *ctx, int64_t amt[3], bool *any)
{
  *any = false;
  for (int c = 0; c < 3; c++) {
    int64_t v = 0;
    amt[c] = 0;
    if (!pd_interaction_option_int(ctx->ix, CUR_OPTION[c], &v))
      continue;
    if (v < PD_AMOUNT_MIN || v > PD_AMOUNT_MAX)
      return pd_ctx_user_error(ctx,
                               "**%s** must be a whole number from 1 to 1,000,000,000 (got %lld).",
                               CUR_OPTION[c], (long long)v);
    amt[c] = v;
    *any = true;
  }
  return PD_OK;
}

/* The open trade of user_id, locked; one found past its expiry is closed now and counts as
 * none (PD_E_NOTFOUND), so a player is never kept waiting for the sweep. */
static enum pd_result open_trade_of(struct pd_ctx *ctx, int64_t user_id, struct pd_trade *t)
{
  struct pd_db *db = NULL;
  char why[160];
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_trade_of(db, user_id, true, t);
  if (rc != PD_OK || !due(t))
    return rc;
  snprintf(why, sizeof(why), "it was left open for %" PRId64 " minutes",
           economy(ctx)->trade_expiry_s / 60);
  rc = pd_db_trade_close(db, t, "expired", why, 0);
  return rc == PD_OK ? PD_E_NOTFOUND : rc;
}

static enum pd_result trade_start(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_trade t;
  struct pd_player other;
  const char *oid = pd_interaction_option_str(ctx->ix, "user");
  json_t *ru = pd_interaction_resolved_user(ctx->ix, oid);
  struct pd_user target = {.id = oid,
                           .username = json_string_value(json_object_get(ru, "username")),
                           .global_name = json_string_value(json_object_get(ru, "global_name"))};
  if (target.username == NULL)
    target.username = "that player";
  if (json_is_true(json_object_get(ru, "bot")))
    return pd_ctx_user_error(ctx, "Bots don't trade cards. Pick a player instead.");
  if (strcmp(oid, ctx->ix->user.id) == 0)
    return pd_ctx_user_error(ctx, "You can't trade with yourself. Pick another player.");
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = open_trade_of(ctx, ctx->player.id, &t);
  if (rc == PD_OK) {
    int me = pd_trade_side(&t, ctx->player.id);
    return pd_ctx_user_error(ctx,
                             "You already have an open trade with <@%s>. See it with `/trade "
                             "show`, or end it with `/trade cancel` first.",
                             t.discord[1 - me]);
  }
  if (rc != PD_E_NOTFOUND)
    return rc;
  rc = pd_db_user_ensure(db, oid, &other);
  if (rc == PD_OK)
    rc = open_trade_of(ctx, other.id, &t);
  if (rc == PD_OK) {
    int them = pd_trade_side(&t, other.id);
    return pd_ctx_user_error(ctx,
                             "<@%s> is already trading with <@%s>. Try again when that trade "
                             "ends.",
                             oid, t.discord[1 - them]);
  }
  if (rc != PD_E_NOTFOUND)
    return rc;
  char change[256];
  int64_t id = 0;
  pd_utf8_fmt(change, sizeof(change), "%s started the trade with %s",
              pd_user_display_name(&ctx->ix->user), pd_user_display_name(&target));
  rc = pd_db_trade_open(db, ctx->player.id, other.id, economy(ctx)->trade_expiry_s, change, &id);
  /* Someone's trade committed between the reads and the insert: the retry reads it. */
  if (rc == PD_E_CONFLICT)
    return PD_E_DB_SOFT;
  if (rc == PD_OK)
    rc = pd_db_trade_get(db, id, true, &t);
  if (rc != PD_OK)
    return rc;
  char head[300];
  snprintf(head, sizeof(head),
           "<@%s> wants to trade with <@%s>. Offer cards and currency with `/trade add`, take "
           "them back with `/trade remove`; when both have confirmed the same version, "
           "everything moves at once.",
           ctx->ix->user.id, oid);
  return trade_reply(ctx, &t, head);
}

/* What /trade add and /trade remove share: the amounts and card asked, the caller's open trade
 * and side, and at the end the change recorded (a new version) and the trade shown. */
struct offer_edit {
  struct pd_db *db;
  struct pd_trade t;
  int64_t amt[3];
  bool card; /* a copy was named */
  int me;    /* the caller's side */
  char what[200];
};

/* PD_OK with *answered set when the caller has no open trade (already answered). verb is what
 * the refusal says to do: "add" or "take out". */
static enum pd_result edit_begin(struct pd_ctx *ctx, struct offer_edit *e, const char *verb,
                                 bool *answered)
{
  bool any = false;
  memset(e, 0, sizeof(*e));
  *answered = false;
  e->card = pd_interaction_option(ctx->ix, "card") != NULL;
  enum pd_result rc = read_amounts(ctx, e->amt, &any);
  if (rc != PD_OK)
    return rc;
  if (!any && !e->card)
    return pd_ctx_user_error(ctx,
                             "Say what to %s: a **card**, or an amount of **notes**, "
                             "**discs** or **gems**.",
                             verb);
  rc = my_trade(ctx, &e->t, answered);
  if (rc != PD_OK || *answered)
    return rc;
  e->me = pd_trade_side(&e->t, ctx->player.id);
  return pd_ctx_db(ctx, &e->db);
}

/* "NAME added|removed WHAT": the trade's new version (both confirmations cleared), shown. */
static enum pd_result edit_finish(struct pd_ctx *ctx, struct offer_edit *e, const char *done)
{
  char change[256];
  pd_utf8_fmt(change, sizeof(change), "%s %s %s", pd_user_display_name(&ctx->ix->user), done,
              e->what);
  enum pd_result rc = pd_db_trade_change(e->db, &e->t, change, economy(ctx)->trade_expiry_s);
  if (rc != PD_OK)
    return rc;
  return trade_reply(ctx, &e->t, NULL);
}

static enum pd_result trade_add(struct pd_ctx *ctx)
{
  struct offer_edit e;
  struct pd_copy copy;
  bool answered = false;
  enum pd_result rc = edit_begin(ctx, &e, "add", &answered);
  if (rc != PD_OK || answered)
    return rc;
  if (e.card) {
    int64_t offered = 0;
    rc = pd_ctx_copy(ctx, "card", &copy);
    if (rc == PD_OK)
      rc = pd_ctx_copy_free(ctx, &copy, "traded");
    if (rc == PD_OK)
      rc = pd_db_trade_copy_count(e.db, e.t.id, ctx->player.id, &offered);
    if (rc != PD_OK)
      return rc;
    if (offered >= PD_TRADE_MAX_COPIES)
      return pd_ctx_user_error(ctx, "You already offer %d copies, the most one side may offer.",
                               PD_TRADE_MAX_COPIES);
    /* Escrow: the copy goes to 'trading' first, then its offer row, which the database lets
     * point only at a copy in that state. */
    rc = pd_db_copy_set_state(e.db, copy.id, ctx->player.id, "free", "trading");
    if (rc == PD_E_CONFLICT)
      return PD_E_DB_SOFT; /* moved since it was locked: cannot happen, but a retry tells */
    if (rc == PD_OK)
      rc = pd_db_trade_card_add(e.db, e.t.id, copy.id, ctx->player.id, e.t.version + 1);
    if (rc != PD_OK)
      return rc;
    list_add(e.what, sizeof(e.what), copy.ref);
  }
  const int64_t bal[3] = {ctx->player.notes, ctx->player.discs, ctx->player.gems};
  for (int c = 0; c < 3; c++) {
    char a[48], b[48], m[48];
    if (e.amt[c] == 0)
      continue;
    int64_t total = e.t.offer[e.me][c] + e.amt[c];
    if (total > PD_AMOUNT_MAX)
      return pd_ctx_user_error(ctx,
                               "One side may offer at most 1,000,000,000 %s; you already offer "
                               "%lld.",
                               CUR_NAME[c], (long long)e.t.offer[e.me][c]);
    if (total > bal[c]) {
      amount_text(bal[c], c, a);
      amount_text(total, c, b);
      amount_text(total - bal[c], c, m);
      return pd_ctx_user_error(ctx, "You have %s; offering %s in all needs %s more.", a, b, m);
    }
    e.t.offer[e.me][c] = total;
    amount_text(e.amt[c], c, a);
    list_add(e.what, sizeof(e.what), a);
  }
  return edit_finish(ctx, &e, "added");
}

static enum pd_result trade_remove(struct pd_ctx *ctx)
{
  struct offer_edit e;
  struct pd_copy copy;
  bool answered = false;
  enum pd_result rc = edit_begin(ctx, &e, "take out", &answered);
  if (rc != PD_OK || answered)
    return rc;
  if (e.card) {
    rc = pd_ctx_copy(ctx, "card", &copy);
    if (rc != PD_OK)
      return rc;
    /* Out of escrow: the offer row goes inactive first, then the copy is free again. */
    rc = pd_db_trade_card_remove(e.db, e.t.id, copy.id, ctx->player.id);
    if (rc == PD_E_NOTFOUND)
      return pd_ctx_user_error(
          ctx, "**%s** is not in your offer. `/trade show` lists what you offer.", copy.ref);
    if (rc == PD_OK)
      rc = pd_db_copy_set_state(e.db, copy.id, ctx->player.id, "trading", "free");
    if (rc != PD_OK)
      return rc;
    list_add(e.what, sizeof(e.what), copy.ref);
  }
  for (int c = 0; c < 3; c++) {
    char a[48];
    if (e.amt[c] == 0)
      continue;
    if (e.amt[c] > e.t.offer[e.me][c]) {
      amount_text(e.t.offer[e.me][c], c, a);
      return pd_ctx_user_error(ctx, "You offer only %s, so you can take out at most that.", a);
    }
    e.t.offer[e.me][c] -= e.amt[c];
    amount_text(e.amt[c], c, a);
    list_add(e.what, sizeof(e.what), a);
  }
  return edit_finish(ctx, &e, "removed");
}

/* Both confirmed t's version: re-check and swap everything in this transaction, or close the
 * trade as failed with nothing moved. */
static enum pd_result swap(struct pd_ctx *ctx, struct pd_trade *t)
{
  struct pd_db *db = NULL;
  struct pd_trade_copy copies[2 * PD_TRADE_MAX_COPIES];
  size_t n = 0;
  int64_t bal[2][3], op = 0;
  char why[256] = "";
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_trade_copies(db, t, true, copies, PD_ARRAY_LEN(copies), &n);
  if (rc == PD_OK)
    rc = pd_db_trade_balances(db, t, bal);
  if (rc != PD_OK)
    return rc;
  if (n > PD_ARRAY_LEN(copies))
    return PD_E_INTERNAL; /* trade_add caps each side */
  for (size_t i = 0; i < n && why[0] == '\0'; i++)
    if (copies[i].owner != t->user[copies[i].from] || strcmp(copies[i].state, "trading") != 0)
      snprintf(why, sizeof(why), "`%s` is no longer <@%s>'s to give", copies[i].ref,
               t->discord[copies[i].from]);
  for (int s = 0; s < 2 && why[0] == '\0'; s++)
    for (int c = 0; c < 3 && why[0] == '\0'; c++)
      if (t->offer[s][c] > bal[s][c]) {
        char a[48], b[48];
        amount_text(t->offer[s][c], c, a);
        amount_text(bal[s][c], c, b);
        snprintf(why, sizeof(why), "<@%s> no longer has the %s offered (has %s)", t->discord[s], a,
                 b);
      }
  if (why[0] != '\0') {
    rc = pd_db_trade_close(db, t, "failed", why, 0);
    if (rc != PD_OK)
      return rc;
    char head[400];
    snprintf(head, sizeof(head),
             "**The trade failed and nothing moved:** %s. Everything offered went back to its "
             "owner.",
             why);
    return trade_reply(ctx, t, head);
  }
  json_t *meta =
      json_pack("{s:I, s:I}", "trade", (json_int_t)t->id, "version", (json_int_t)t->version);
  rc = meta != NULL ? pd_ledger_op_new(db, &op) : PD_E_NOMEM;
  /* Offers closed first, then each copy changes hands out of 'trading'. */
  size_t closed = 0;
  if (rc == PD_OK)
    rc = pd_db_trade_cards_close(db, t->id, NULL, 0, &closed);
  if (rc == PD_OK && closed != n)
    rc = PD_E_INTERNAL; /* the offers were read under the trade's lock */
  for (size_t i = 0; rc == PD_OK && i < n; i++) {
    rc = pd_db_copy_give(db, copies[i].copy_id, t->user[copies[i].from], "trading",
                         t->user[1 - copies[i].from], op, "trade");
    if (rc == PD_OK) /* one copy at a time: the one that completes an era counts once */
      rc = pd_missions_gained(ctx->app, db, t->user[1 - copies[i].from], copies[i].copy_id);
  }
  for (int s = 0; rc == PD_OK && s < 2; s++)
    for (int c = 0; rc == PD_OK && c < 3; c++)
      if (t->offer[s][c] > 0)
        rc = pd_ledger_move(db, op, "trade", PD_PLAYER_ACCT(t->user[s]),
                            PD_PLAYER_ACCT(t->user[1 - s]), (enum pd_currency)c, t->offer[s][c],
                            meta, NULL, NULL);
  json_decref(meta);
  /* A trade where one side gives nothing is a gift by another name: it counts for the farming
   * flags as a one-way transfer to the side that only receives. */
  int gives[2] = {0, 0};
  for (size_t i = 0; i < n; i++)
    gives[copies[i].from] = 1;
  for (int s = 0; s < 2; s++)
    for (int c = 0; c < 3; c++)
      gives[s] |= t->offer[s][c] > 0;
  for (int s = 0; rc == PD_OK && s < 2; s++)
    if (gives[s] && !gives[1 - s])
      pd_ctx_flag_later(ctx, t->user[s], t->user[1 - s], op, "trade");
  /* The copies and balances were locked and checked above: a refusal here is a bug. */
  if (rc == PD_E_CONFLICT || rc == PD_E_CHECK)
    rc = PD_E_INTERNAL;
  for (int s = 0; rc == PD_OK && s < 2; s++)
    rc = pd_missions_record(ctx->app, db, t->user[s], PD_MK_TRADES, 1);
  if (rc == PD_OK)
    rc = pd_db_trade_close(db, t, "done", NULL, op);
  if (rc != PD_OK)
    return rc;
  char head[200];
  snprintf(head, sizeof(head), "**Trade done.** <@%s> and <@%s> swapped version %" PRId64 ":",
           t->discord[0], t->discord[1], t->version);
  /* The closed message still lists what moved: the offers as they were. */
  char desc[3000], side[2][1200];
  for (int s = 0; s < 2; s++)
    offer_lines(t, s, copies, n, side[s], sizeof(side[s]));
  pd_utf8_fmt(desc, sizeof(desc), "%s\n<@%s> gave:\n%s<@%s> gave:\n%s", head, t->discord[0],
              side[0], t->discord[1], side[1]);
  return trade_reply(ctx, t, desc);
}

/* Side confirms t at version (what the button showed, or the current one for the command). */
static enum pd_result confirm(struct pd_ctx *ctx, struct pd_trade *t, int64_t version)
{
  struct pd_db *db = NULL;
  int me = pd_trade_side(t, ctx->player.id);
  if (version != t->version)
    return pd_ctx_user_error(ctx,
                             "The offer changed: %s (version %lld now, you pressed on version "
                             "%lld). Look at the new offer and confirm that one.",
                             t->last_change, (long long)t->version, (long long)version);
  int64_t offered[2] = {0, 0};
  enum pd_result rc = pd_ctx_db(ctx, &db);
  for (int s = 0; rc == PD_OK && s < 2; s++)
    rc = pd_db_trade_copy_count(db, t->id, t->user[s], &offered[s]);
  if (rc != PD_OK)
    return rc;
  for (int s = 0; s < 2; s++)
    for (int c = 0; c < 3; c++)
      offered[s] += t->offer[s][c];
  if (offered[0] == 0 && offered[1] == 0)
    return pd_ctx_user_error(ctx, "Nothing is offered yet: add cards or currency with `/trade "
                                  "add` first.");
  int64_t opens = confirm_opens_ms(ctx, t);
  if (t->now_ms < opens) {
    char refusal[400];
    pd_utf8_fmt(refusal, sizeof(refusal),
                "The offer changed moments ago (%s). Look it over: confirming opens",
                t->last_change);
    return pd_ctx_wait_error(ctx, refusal, (opens + 999) / 1000);
  }
  if (t->confirmed[me] == t->version) {
    char head[200];
    snprintf(head, sizeof(head), "You already confirmed version %lld; waiting for <@%s>.",
             (long long)t->version, t->discord[1 - me]);
    return trade_reply(ctx, t, head);
  }
  rc = pd_db_trade_confirm(db, t, me, version);
  if (rc != PD_OK)
    return rc;
  if (t->confirmed[1 - me] == t->version)
    return swap(ctx, t);
  char head[200];
  snprintf(head, sizeof(head), "<@%s> confirmed version %lld. Waiting for <@%s>.", ctx->ix->user.id,
           (long long)t->version, t->discord[1 - me]);
  return trade_reply(ctx, t, head);
}

static enum pd_result cancel(struct pd_ctx *ctx, struct pd_trade *t)
{
  struct pd_db *db = NULL;
  char why[160], head[300];
  pd_utf8_fmt(why, sizeof(why), "%s cancelled it", pd_user_display_name(&ctx->ix->user));
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_trade_close(db, t, "cancelled", why, 0);
  if (rc != PD_OK)
    return rc;
  snprintf(head, sizeof(head),
           "<@%s> cancelled the trade: everything offered went back to its owner.",
           ctx->ix->user.id);
  return trade_reply(ctx, t, head);
}

enum pd_result cmd_trade(struct pd_ctx *ctx)
{
  const char *sub = ctx->ix->subcommand;
  struct pd_trade t;
  bool answered = false;
  if (strcmp(sub, "start") == 0)
    return trade_start(ctx);
  if (strcmp(sub, "add") == 0)
    return trade_add(ctx);
  if (strcmp(sub, "remove") == 0)
    return trade_remove(ctx);
  enum pd_result rc = my_trade(ctx, &t, &answered);
  if (rc != PD_OK || answered)
    return rc;
  if (strcmp(sub, "confirm") == 0)
    return confirm(ctx, &t, t.version);
  if (strcmp(sub, "cancel") == 0)
    return cancel(ctx, &t);
  return trade_reply(ctx, &t, NULL); /* show */
}

enum pd_result cmd_trade_button(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_trade t;
  long long id = 0, version = 0;
  int used = 0;
  bool is_confirm = false;
  const char *cid = ctx->ix->custom_id;
  if (sscanf(cid, "trade:confirm:%lld:%lld%n", &id, &version, &used) == 2 && cid[used] == '\0')
    is_confirm = true;
  else if (!(sscanf(cid, "trade:cancel:%lld%n", &id, &used) == 1 && cid[used] == '\0'))
    return pd_ctx_user_error(ctx, "That button is not one PopDeck made. See your trade with "
                                  "`/trade show`.");
  ctx->update = true;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_trade_get(db, id, true, &t);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx, "That trade no longer exists. Start one with `/trade start`.");
  if (rc != PD_OK)
    return rc;
  if (pd_trade_side(&t, ctx->player.id) < 0)
    return pd_ctx_user_error(ctx,
                             "This trade is between <@%s> and <@%s>: only they can press its "
                             "buttons. Start your own with `/trade start`.",
                             t.discord[0], t.discord[1]);
  if (strcmp(t.status, "open") != 0)
    return pd_ctx_user_error(ctx,
                             "This trade is over (%s%s%s). Start a new one with `/trade "
                             "start`.",
                             t.status, t.close_reason[0] != '\0' ? ": " : "", t.close_reason);
  if (due(&t))
    return expire_now(ctx, &t);
  return is_confirm ? confirm(ctx, &t, version) : cancel(ctx, &t);
}

enum pd_result cmd_trade_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_player p;
  json_t *choices = NULL;
  if (ctx->ix->subcommand == NULL || strcmp(ctx->ix->subcommand, "remove") != 0)
    return pd_copy_autocomplete(ctx);
  /* Taking a copy out: only the ones in the caller's offer. */
  json_t *focused = pd_interaction_focused(ctx->ix);
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_user_get(db, ctx->ix->user.id, &p);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_reply(ctx, json_pack("{s:[]}", "choices"));
  if (rc == PD_OK)
    rc = pd_db_trade_suggest(db, p.id, json_string_value(json_object_get(focused, "value")),
                             &choices);
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}

enum pd_result pd_trade_sweep(struct pd_app *app, struct pd_db *db, int64_t *n)
{
  int64_t ids[100];
  size_t k = 0;
  char why[160];
  snprintf(why, sizeof(why), "it was left open for %" PRId64 " minutes",
           app->game->economy.trade_expiry_s / 60);
  enum pd_result rc = pd_db_trades_expired(db, ids, PD_ARRAY_LEN(ids), &k);
  for (size_t i = 0; rc == PD_OK && i < k && i < PD_ARRAY_LEN(ids); i++) {
    struct pd_trade t;
    rc = pd_db_trade_get(db, ids[i], true, &t);
    if (rc == PD_OK)
      rc = pd_db_trade_close(db, &t, "expired", why, 0);
    if (rc == PD_OK)
      (*n)++;
  }
  return rc;
}
