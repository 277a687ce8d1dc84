/* copies.c - one of the player's copies as a command option (see copies.h). */
#include "copies.h"

#include <string.h>

#include "db_users.h"
#include "utf8.h"

enum pd_result pd_ctx_copy(struct pd_ctx *ctx, const char *option, struct pd_copy *out)
{
  struct pd_db *db = NULL;
  struct pd_copyref ref;
  char shown[80];
  const char *typed = pd_interaction_option_str(ctx->ix, option);
  if (typed == NULL)
    return pd_ctx_user_error(
        ctx, "Name the copy in **%s**: pick one of yours from the suggestions.", option);
  if (pd_copyref_parse(typed, &ref) != PD_OK)
    return pd_ctx_user_error(ctx,
                             "\"%s\" is not a copy. Copies are written like `TAYL_19#03/12` (the "
                             "card, then its print number); pick one from the suggestions.",
                             pd_utf8_short(shown, sizeof(shown), typed, 40));
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_copy_own(db, ctx->player.id, &ref, out);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx,
                             "You don't have **%s/%02lld**. /mycards shows your copies, and the "
                             "suggestions list them.",
                             ref.public_id, (long long)ref.print_no);
  return rc;
}

enum pd_result pd_ctx_copy_free(struct pd_ctx *ctx, const struct pd_copy *c, const char *verb)
{
  if (strcmp(c->state, "free") == 0)
    return PD_OK;
  if (strcmp(c->state, "locked") == 0)
    return pd_ctx_user_error(ctx,
                             "**%s** is locked, so it can't be %s. Unlock it with `/unlock "
                             "card:%s` first.",
                             c->ref, verb, c->ref);
  if (strcmp(c->state, "listed") == 0)
    return pd_ctx_user_error(ctx,
                             "**%s** is on the market (listing %lld), so it can't be %s. Take it "
                             "back with `/unlist listing:%lld` first.",
                             c->ref, (long long)c->listing_id, verb, (long long)c->listing_id);
  if (strcmp(c->state, "trading") == 0)
    return pd_ctx_user_error(ctx,
                             "**%s** is offered in your open trade, so it can't be %s. Take it out "
                             "with `/trade remove card:%s` or end the trade with `/trade cancel`.",
                             c->ref, verb, c->ref);
  return pd_ctx_user_error(ctx, "**%s** is no longer in your collection.", c->ref);
}

enum pd_result pd_copy_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  struct pd_player p;
  json_t *choices = NULL;
  json_t *focused = pd_interaction_focused(ctx->ix);
  const char *prefer = strcmp(ctx->cmd->name, "unlock") == 0 ? "locked" : "free";
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_user_get(db, ctx->ix->user.id, &p);
  if (rc == PD_E_NOTFOUND) /* never played: nothing to suggest */
    return pd_ctx_reply(ctx, json_pack("{s:[]}", "choices"));
  if (rc == PD_OK)
    rc = pd_db_copy_suggest(db, p.id, json_string_value(json_object_get(focused, "value")), prefer,
                            &choices);
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
