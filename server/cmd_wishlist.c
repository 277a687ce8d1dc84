/* cmd_wishlist.c - /wishlist add|remove (card, artist or era: exactly one) and /wishlist list.
 * Discord does not let a command with sub-commands be run bare, so the list is its own
 * sub-command.  add's options autocomplete from the catalog as /viewcard's and /mycards' do
 * (the same suggestion values), remove's from the player's own entries.  What a wish does: a
 * pack marks a wished card for its opener (cmd_openpack.c), a listing of one leaves a notice
 * for the wishlist_notify task (wishlist_notify.c), and /viewcard counts the wishers. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "db_collection.h"
#include "db_wishlist.h"
#include "reply.h"
#include "utf8.h"

static const char *const kinds[] = {"card", "artist", "era"};

/* The one option of card, artist and era that is given: its kind into *kind, its value out.
 * Refuses (PD_E_USER) none or more than one. */
static enum pd_result the_option(struct pd_ctx *ctx, const char *verb, const char **kind,
                                 const char **value)
{
  int given = 0;
  for (size_t i = 0; i < PD_ARRAY_LEN(kinds); i++) {
    const char *v = pd_interaction_option_str(ctx->ix, kinds[i]);
    if (v != NULL && v[0] != '\0') {
      given++;
      *kind = kinds[i];
      *value = v;
    }
  }
  if (given != 1)
    return pd_ctx_user_error(ctx,
                             "Give exactly one of card, artist or era to %s (you gave %d): "
                             "`/wishlist %s card:…`.",
                             verb, given, verb);
  return PD_OK;
}

static enum pd_result wish_add(struct pd_ctx *ctx, struct pd_db *db)
{
  const char *kind = NULL, *value = NULL;
  char label[200], shown[200];
  int64_t target = 0, count = 0;
  enum pd_result rc = the_option(ctx, "add", &kind, &value);
  if (rc == PD_OK)
    rc = pd_db_wish_resolve(db, kind, value, &target, label, sizeof(label));
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx,
                             "No %s \"%s\" in the catalog. Type part of it and pick a "
                             "suggestion.",
                             kind, pd_utf8_short(shown, sizeof(shown), value, 40));
  if (rc == PD_OK)
    rc = pd_db_wish_add(db, ctx->player.id, kind, target, &count);
  if (rc == PD_E_CONFLICT)
    return pd_ctx_user_error(ctx, "%s is already on your wishlist.", label);
  if (rc == PD_E_TOOBIG)
    return pd_ctx_user_error(ctx,
                             "Your wishlist is full (%d entries). Remove one with `/wishlist "
                             "remove` first; `/wishlist list` shows them.",
                             PD_WISHLIST_MAX);
  if (rc != PD_OK)
    return rc;
  char text[600];
  pd_utf8_fmt(text, sizeof(text),
              "Added the %s **%s** to your wishlist (%lld of %d). A pack marks a wished card with "
              "★, and you get a DM when one is listed on the market (at most one an hour).",
              kind, label, (long long)count, PD_WISHLIST_MAX);
  return pd_ctx_reply(ctx, pd_reply_text(text, PD_FLAG_EPHEMERAL));
}

static enum pd_result wish_remove(struct pd_ctx *ctx, struct pd_db *db)
{
  const char *kind = NULL, *value = NULL;
  char label[200], shown[200];
  int64_t target = 0;
  enum pd_result rc = the_option(ctx, "remove", &kind, &value);
  if (rc == PD_OK)
    rc = pd_db_wish_resolve(db, kind, value, &target, label, sizeof(label));
  if (rc == PD_OK)
    rc = pd_db_wish_remove(db, ctx->player.id, kind, target);
  if (rc == PD_E_NOTFOUND)
    return pd_ctx_user_error(ctx,
                             "The %s \"%s\" is not on your wishlist. `/wishlist list` shows "
                             "what is.",
                             kind, pd_utf8_short(shown, sizeof(shown), value, 40));
  if (rc != PD_OK)
    return rc;
  char text[300];
  pd_utf8_fmt(text, sizeof(text), "Removed the %s **%s** from your wishlist.", kind, label);
  return pd_ctx_reply(ctx, pd_reply_text(text, PD_FLAG_EPHEMERAL));
}

static enum pd_result wish_list(struct pd_ctx *ctx, struct pd_db *db)
{
  json_t *list = NULL;
  enum pd_result rc = pd_db_wish_list(db, ctx->player.id, &list);
  if (rc != PD_OK)
    return rc;
  /* 50 entries of at most 100 characters fit an embed description (4096). */
  char text[4096];
  size_t at = 0, i;
  json_t *w;
  text[0] = '\0';
  json_array_foreach(list, i, w)
  {
    char line[160];
    pd_utf8_fmt(line, sizeof(line), "%s%s: %s", i > 0 ? "\n" : "",
                json_string_value(json_object_get(w, "kind")),
                json_string_value(json_object_get(w, "label")));
    if (at + strlen(line) + 1 < sizeof(text))
      at += (size_t)snprintf(text + at, sizeof(text) - at, "%s", line);
  }
  size_t n = json_array_size(list);
  json_decref(list);
  char title[64];
  snprintf(title, sizeof(title), "Your wishlist (%zu of %d)", n, PD_WISHLIST_MAX);
  return pd_ctx_reply(
      ctx, json_pack("{s:[{s:s, s:s, s:i}], s:i}", "embeds", "title", title, "description",
                     n > 0 ? text : "Empty. Add a card, an artist or an era with `/wishlist add`.",
                     "color", PD_COLOR_BRAND, "flags", PD_FLAG_EPHEMERAL));
}

enum pd_result cmd_wishlist(struct pd_ctx *ctx)
{
  const char *sub = ctx->ix->subcommand;
  struct pd_db *db = NULL;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  if (sub != NULL && strcmp(sub, "add") == 0)
    return wish_add(ctx, db);
  if (sub != NULL && strcmp(sub, "remove") == 0)
    return wish_remove(ctx, db);
  return wish_list(ctx, db);
}

enum pd_result cmd_wishlist_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  json_t *focused = pd_interaction_focused(ctx->ix), *choices = NULL;
  const char *name = json_string_value(json_object_get(focused, "name"));
  const char *typed = json_string_value(json_object_get(focused, "value"));
  const char *sub = ctx->ix->subcommand;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK || name == NULL)
    return rc != PD_OK ? rc : PD_E_INVALID;
  if (sub != NULL && strcmp(sub, "remove") == 0) {
    /* The player's own entries of that kind (nothing when they never played). */
    struct pd_player p = {0};
    json_t *list = NULL;
    choices = json_array();
    rc = pd_db_user_get(db, ctx->ix->user.id, &p);
    if (rc == PD_OK)
      rc = pd_db_wish_list(db, p.id, &list);
    size_t i;
    json_t *w;
    json_array_foreach(list, i, w)
    {
      const char *label = json_string_value(json_object_get(w, "label"));
      if (strcmp(json_string_value(json_object_get(w, "kind")), name) != 0 ||
          json_array_size(choices) >= 25)
        continue;
      if (typed != NULL && typed[0] != '\0' && strcasestr(label, typed) == NULL)
        continue;
      json_array_append_new(
          choices, json_pack("{s:s, s:O}", "name", label, "value", json_object_get(w, "value")));
    }
    json_decref(list);
    if (rc == PD_E_NOTFOUND)
      rc = PD_OK;
  } else if (strcmp(name, "card") == 0) {
    rc = pd_db_suggest_cards(db, typed, &choices);
  } else if (strcmp(name, "artist") == 0) {
    rc = pd_db_suggest_artists(db, typed, &choices);
  } else {
    rc = pd_db_suggest_eras(db, typed, &choices);
  }
  if (rc != PD_OK) {
    json_decref(choices);
    return rc;
  }
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
