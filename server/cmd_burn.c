/* cmd_burn.c - /burn card and /burn duplicates: sell copies back to the game for Notes by
 * rarity (economy.burn_notes), paid from the 'burns' account, the copies marked 'gone'.
 *
 * An epic or rarer copy, and every /burn duplicates, first answers with Burn / Keep buttons
 * (only the caller sees them).  A button carries what it burns (the copy id, or the rarity and
 * a digest of the copy ids shown) and checks everything again in its own transaction: a copy
 * that moved, was locked or was already burned is refused, a list that changed since it was
 * shown is refused whole, and a double click burns once (the second finds the copies gone). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "copies.h"
#include "db_burns.h"
#include "reply.h"
#include "utf8.h"

/* Copies the duplicates list shows by name; the rest are counted. */
#define SHOWN 15

static json_t *confirm_row(const char *burn_id, const char *label)
{
  return json_pack("[{s:i, s:[{s:i, s:i, s:s, s:s}, {s:i, s:i, s:s, s:s}]}]", "type", 1,
                   "components", "type", 2, "style", 4, "label", label, "custom_id", burn_id,
                   "type", 2, "style", 2, "label", "Keep", "custom_id", "burn:keep");
}

static enum pd_result burned(struct pd_ctx *ctx, const char *what, int64_t notes, int64_t total)
{
  char paid[32], have[32], text[700];
  pd_fmt_thousands(notes, paid);
  pd_fmt_thousands(total, have);
  pd_utf8_fmt(text, sizeof(text), "You burned %s for **%s Notes**. You now have **%s Notes**.",
              what, paid, have);
  json_t *embed =
      json_pack("{s:s, s:s, s:i}", "title", "Burned", "description", text, "color", PD_COLOR_BRAND);
  return pd_ctx_reply(ctx, json_pack("{s:[o], s:[]}", "embeds", embed, "components"));
}

/* Burns one free copy of the caller's, already loaded and locked. */
static enum pd_result burn_one(struct pd_ctx *ctx, struct pd_db *db, const struct pd_copy *c)
{
  int64_t op = 0, notes = pd_burn_notes(&ctx->app->game->economy, c->rarity);
  int64_t total = ctx->player.notes + notes;
  enum pd_result rc = pd_db_burn(db, ctx->player.id, &c->id, 1, notes, &op, &total);
  if (rc == PD_E_CONFLICT)
    return pd_ctx_user_error(ctx, "**%s** is no longer yours to burn.", c->ref);
  if (rc != PD_OK)
    return rc;
  char what[PD_COPYREF_SIZE + 16];
  snprintf(what, sizeof(what), "**%s**", c->ref);
  return burned(ctx, what, notes, total);
}

static bool needs_confirm(const struct pd_copy *c)
{
  enum pd_rarity r;
  return pd_rarity_parse(c->rarity, &r) == PD_OK && r >= PD_RARITY_EPIC;
}

static enum pd_result burn_card(struct pd_ctx *ctx)
{
  struct pd_copy c;
  enum pd_result rc = pd_ctx_copy(ctx, "card", &c);
  if (rc == PD_OK)
    rc = pd_ctx_copy_free(ctx, &c, "burned");
  if (rc != PD_OK)
    return rc;
  if (!needs_confirm(&c))
    return burn_one(ctx, ctx->db, &c);
  char id[48], paid[32], text[600];
  snprintf(id, sizeof(id), "burn:card:%" PRId64, c.id);
  pd_fmt_thousands(pd_burn_notes(&ctx->app->game->economy, c.rarity), paid);
  pd_utf8_fmt(text, sizeof(text),
              "Burn **%s** (%s · %s · %s) for **%s Notes**? A burned copy is gone for good.", c.ref,
              c.artist, c.era, c.rarity, paid);
  return pd_ctx_reply(
      ctx, json_pack("{s:s, s:o}", "content", text, "components", confirm_row(id, "Burn")));
}

/* The duplicates list as text: up to SHOWN names, then how many more. */
static void list_text(const struct pd_burn_item *items, size_t n, int64_t more, int64_t notes,
                      char *out, size_t outlen)
{
  char paid[32];
  size_t at = 0;
  pd_fmt_thousands(notes, paid);
  out[0] = '\0';
  for (size_t i = 0; i < n && i < SHOWN && at + 1 < outlen; i++) {
    pd_utf8_fmt(out + at, outlen - at, "• %s (%s)\n", items[i].ref, items[i].rarity);
    at += strlen(out + at);
  }
  if (n > SHOWN && at + 1 < outlen) {
    snprintf(out + at, outlen - at, "… and %zu more\n", n - SHOWN);
    at += strlen(out + at);
  }
  if (at + 1 < outlen)
    snprintf(out + at, outlen - at,
             "**%zu copies for %s Notes.** The copy with the lowest print number of each card, "
             "and your locked, listed and traded copies, stay.%s",
             n, paid, more > 0 ? " (The rest burn in the next /burn duplicates.)" : "");
}

static int64_t list_notes(const struct pd_burn_item *items, size_t n)
{
  int64_t notes = 0;
  for (size_t i = 0; i < n; i++)
    notes += items[i].notes;
  return notes;
}

static void list_ids(const struct pd_burn_item *items, size_t n, int64_t *ids)
{
  for (size_t i = 0; i < n; i++)
    ids[i] = items[i].id;
}

static enum pd_result burn_duplicates(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_burn_item *items = NULL;
  size_t n = 0;
  int64_t more = 0, ids[PD_BURN_MAX];
  char digest[33], id[100], text[1800];
  const char *rarity = pd_interaction_option_str(ctx->ix, "rarity");
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_burn_duplicates(db, ctx->player.id, rarity, &ctx->app->game->economy, &items, &n,
                               &more);
  if (rc != PD_OK)
    goto out;
  if (n == 0) {
    rc = pd_ctx_user_error(ctx,
                           "You have no %s%sduplicates to burn: every copy you have is the "
                           "only one of its card, or locked, listed or in a trade.",
                           rarity != NULL ? rarity : "", rarity != NULL ? " " : "");
    goto out;
  }
  list_ids(items, n, ids);
  pd_burn_digest(ids, n, digest);
  snprintf(id, sizeof(id), "burn:dups:%s:%zu:%s", rarity != NULL ? rarity : "all", n, digest);
  list_text(items, n, more, list_notes(items, n), text, sizeof(text));
  rc = pd_ctx_reply(
      ctx, json_pack("{s:s, s:o}", "content", text, "components", confirm_row(id, "Burn them")));
out:
  free(items);
  return rc;
}

enum pd_result cmd_burn(struct pd_ctx *ctx)
{
  if (strcmp(ctx->ix->subcommand, "card") == 0)
    return burn_card(ctx);
  return burn_duplicates(ctx);
}

static enum pd_result press_card(struct pd_ctx *ctx, int64_t copy_id)
{
  struct pd_db *db = NULL;
  struct pd_copy c;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_copy_get(db, copy_id, &c);
  if (rc == PD_E_NOTFOUND || (rc == PD_OK && c.owner != ctx->player.id))
    return pd_ctx_user_error(ctx, "That copy is not yours to burn. /mycards shows your copies.");
  if (rc != PD_OK)
    return rc;
  if (strcmp(c.state, "gone") == 0)
    return pd_ctx_user_error(ctx, "**%s** is already burned.", c.ref);
  rc = pd_ctx_copy_free(ctx, &c, "burned");
  if (rc != PD_OK)
    return rc;
  ctx->update = true;
  return burn_one(ctx, db, &c);
}

static enum pd_result press_duplicates(struct pd_ctx *ctx, const char *rarity, size_t shown,
                                       const char *digest)
{
  struct pd_db *db = NULL;
  struct pd_burn_item *items = NULL;
  size_t n = 0;
  int64_t more = 0, op = 0, ids[PD_BURN_MAX];
  char now_digest[33], what[64];
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_burn_duplicates(db, ctx->player.id, strcmp(rarity, "all") == 0 ? NULL : rarity,
                               &ctx->app->game->economy, &items, &n, &more);
  if (rc != PD_OK)
    goto out;
  list_ids(items, n, ids);
  pd_burn_digest(ids, n, now_digest);
  if (n == 0) {
    rc = pd_ctx_user_error(ctx, "Those duplicates are already burned (or no longer yours).");
    goto out;
  }
  if (n != shown || strcmp(now_digest, digest) != 0) {
    rc = pd_ctx_user_error(ctx,
                           "Your duplicates changed since this list was shown (%zu then, %zu "
                           "now), so nothing was burned. Run /burn duplicates again.",
                           shown, n);
    goto out;
  }
  int64_t notes = list_notes(items, n), total = ctx->player.notes + notes;
  rc = pd_db_burn(db, ctx->player.id, ids, n, notes, &op, &total);
  if (rc == PD_E_CONFLICT)
    rc = pd_ctx_user_error(ctx, "One of those copies moved meanwhile, so nothing was burned. Run "
                                "/burn duplicates again.");
  if (rc != PD_OK)
    goto out;
  snprintf(what, sizeof(what), "**%zu duplicates**", n);
  ctx->update = true;
  rc = burned(ctx, what, notes, total);
out:
  free(items);
  return rc;
}

enum pd_result cmd_burn_button(struct pd_ctx *ctx)
{
  const char *id = ctx->ix->custom_id;
  long long copy_id = 0;
  unsigned long shown = 0;
  char rarity[16], digest[40];
  int used = 0;
  if (strcmp(id, "burn:keep") == 0) {
    ctx->update = true;
    return pd_ctx_reply(
        ctx, json_pack("{s:s, s:[]}", "content", "Kept: nothing was burned.", "components"));
  }
  if (sscanf(id, "burn:card:%lld%n", &copy_id, &used) == 1 && id[used] == '\0' && copy_id > 0)
    return press_card(ctx, (int64_t)copy_id);
  if (sscanf(id, "burn:dups:%15[a-z]:%lu:%39[0-9a-f]%n", rarity, &shown, digest, &used) == 3 &&
      id[used] == '\0' && strlen(digest) == 32 && shown <= PD_BURN_MAX) {
    enum pd_rarity r;
    if (strcmp(rarity, "all") == 0 || pd_rarity_parse(rarity, &r) == PD_OK)
      return press_duplicates(ctx, rarity, (size_t)shown, digest);
  }
  return pd_ctx_user_error(ctx, "That button is not one PopDeck made. Start again with /burn.");
}
