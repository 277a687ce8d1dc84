/* cmd_admin.c - /admin: the Discord front of the admin operations (lib/admin.h).  A sub-command
 * is the operation of the same name ("event create" is event_create), its options are the
 * operation's arguments by name, and the answer is the operation's: a message, the result as
 * JSON for the details, or for a destructive call the preview with Confirm and Cancel buttons
 * that only the same admin can press, for PD_ADMIN_CONFIRM_S seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "commands.h"
#include "db_admin.h"
#include "db_collection.h"
#include "reply.h"
#include "utf8.h"

#define COLOR_DONE 0x2ECC71
#define COLOR_WARN 0xE67E22
#define COLOR_ERROR 0xE74C3C
#define DETAILS_MAX 3600 /* of the 4096 an embed description holds */
#define BUTTON_STYLE_SECONDARY 2
#define BUTTON_STYLE_DANGER 4

/* The operation's arguments from the leaf options: each option's value under its name; an
 * uploaded attachment as NAME_url, its URL (data.resolved.attachments). */
static json_t *args_of(const struct pd_interaction *ix)
{
  json_t *args = json_object();
  size_t i;
  json_t *o;
  json_array_foreach(ix->options, i, o)
  {
    const char *name = json_string_value(json_object_get(o, "name"));
    json_t *v = json_object_get(o, "value");
    if (name == NULL || v == NULL)
      continue;
    if (json_integer_value(json_object_get(o, "type")) == PD_OPT_ATTACHMENT) {
      char key[80];
      json_t *att = json_object_get(
          json_object_get(json_object_get(json_object_get(ix->root, "data"), "resolved"),
                          "attachments"),
          json_string_value(v));
      snprintf(key, sizeof(key), "%s_url", name);
      if (json_is_string(json_object_get(att, "url")))
        json_object_set(args, key, json_object_get(att, "url"));
      continue;
    }
    json_object_set(args, name, v);
  }
  return args;
}

/* The result without its message, as indented JSON in a code block, clipped to fit. */
static void details(const json_t *result, char *out, size_t cap)
{
  out[0] = '\0';
  json_t *rest = json_deep_copy(result);
  json_object_del(rest, "message");
  if (rest == NULL || json_object_size(rest) == 0) {
    json_decref(rest);
    return;
  }
  char *text = json_dumps(rest, JSON_INDENT(1) | JSON_SORT_KEYS);
  json_decref(rest);
  if (text == NULL)
    return;
  char body[DETAILS_MAX + 1];
  pd_utf8_copy(body, sizeof(body), text);
  if (strlen(text) >= sizeof(body) - 1)
    pd_utf8_clip(body, sizeof(body), DETAILS_MAX - 4);
  free(text);
  snprintf(out, cap, "\n```json\n%s\n```", body);
}

static json_t *embed(const char *title, int color, const char *text)
{
  return json_pack("{s:[{s:s, s:s, s:i}]}", "embeds", "title", title, "description", text, "color",
                   color);
}

/* The admin's message for an answer of pd_admin_run. */
static json_t *message_of(const struct pd_interaction *ix, const struct pd_admin_answer *ans)
{
  char title[120], text[4096], more[DETAILS_MAX + 32];
  const char *sub = ix->subcommand != NULL ? ix->subcommand : "confirmation";
  pd_utf8_fmt(title, sizeof(title), "/admin %s", sub);
  json_t *err = json_object_get(ans->body, "error");
  const char *msg = json_string_value(json_object_get(err != NULL ? err : ans->body, "message"));
  if (ans->status == 409 && ans->confirm[0] != '\0') {
    const char *preview =
        json_string_value(json_object_get(json_object_get(ans->body, "preview"), "message"));
    details(json_object_get(ans->body, "preview"), more, sizeof(more));
    pd_utf8_fmt(
        text, sizeof(text),
        "%s\n\nPress **Confirm** to do it (only you can), before <t:%lld:T> (<t:%lld:R>).%s",
        preview != NULL ? preview : "This cannot be undone.",
        (long long)json_integer_value(json_object_get(ans->body, "expires_at")),
        (long long)json_integer_value(json_object_get(ans->body, "expires_at")), more);
    json_t *data = embed(title, COLOR_WARN, text);
    char yes[100], no[100];
    snprintf(yes, sizeof(yes), "admin:confirm:%s", ans->confirm);
    snprintf(no, sizeof(no), "admin:cancel:%s", ans->confirm);
    json_object_set_new(data, "components",
                        json_pack("[{s:i, s:[{s:i, s:i, s:s, s:s}, {s:i, s:i, s:s, s:s}]}]", "type",
                                  1, "components", "type", 2, "style", BUTTON_STYLE_DANGER, "label",
                                  "Confirm", "custom_id", yes, "type", 2, "style",
                                  BUTTON_STYLE_SECONDARY, "label", "Cancel", "custom_id", no));
    return data;
  }
  if (err != NULL) {
    pd_utf8_fmt(text, sizeof(text), "%s\n-# %s (%d)", msg != NULL ? msg : "Refused.",
                json_string_value(json_object_get(err, "code")), ans->status);
    return embed(title, COLOR_ERROR, text);
  }
  details(ans->body, more, sizeof(more));
  pd_utf8_fmt(text, sizeof(text), "%s%s", msg != NULL ? msg : "Done.", more);
  json_t *data = embed(title, COLOR_DONE, text);
  json_object_set_new(data, "components", json_array()); /* a confirmed preview loses its buttons */
  return data;
}

/* Runs op (or the one a token was made for) for the caller of ctx and answers with it. */
static enum pd_result run(struct pd_ctx *ctx, const char *op, json_t *args, const char *token)
{
  struct pd_db *db = NULL;
  struct pd_admin_answer ans;
  const struct pd_admin_caller who = {
      .actor = ctx->ix->user.id,
      .owner = ctx->owner,
      .ref = ctx->ref,
      .application_id = ctx->ix->application_id,
      .interaction_token = ctx->ix->token,
  };
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  pthread_rwlock_rdlock(&ctx->app->admins_lock);
  const struct pd_admin_env env = {&ctx->app->cfg, ctx->app->game, &ctx->app->admins};
  rc = pd_admin_run(db, ctx->deadline_us, &env, &who, op, args, token, &ans);
  pthread_rwlock_unlock(&ctx->app->admins_lock);
  if (rc != PD_OK)
    return rc;
  rc = pd_ctx_reply(ctx, message_of(ctx->ix, &ans));
  pd_admin_answer_clear(&ans);
  return rc;
}

enum pd_result cmd_admin(struct pd_ctx *ctx)
{
  char op[64];
  snprintf(op, sizeof(op), "%s", ctx->ix->subcommand);
  for (char *p = op; *p != '\0'; p++)
    if (*p == ' ')
      *p = '_';
  json_t *args = args_of(ctx->ix);
  if (args == NULL)
    return PD_E_NOMEM;
  enum pd_result rc = run(ctx, op, args, NULL);
  json_decref(args);
  return rc;
}

/* admin:confirm:TOKEN and admin:cancel:TOKEN.  Either answer replaces the preview. */
enum pd_result cmd_admin_button(struct pd_ctx *ctx)
{
  const char *id = ctx->ix->custom_id;
  const char *token = strrchr(id, ':');
  token = token != NULL ? token + 1 : "";
  ctx->update = true;
  if (strncmp(id, "admin:confirm:", 14) == 0)
    return run(ctx, NULL, NULL, token);
  if (strncmp(id, "admin:cancel:", 13) != 0)
    return pd_ctx_user_error(
        ctx, "That button is not one PopDeck made for /admin. Run the command again.");
  struct pd_db *db = NULL;
  bool cancelled = false;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_admin_cancel(db, token, ctx->ix->user.id, &cancelled);
  if (rc != PD_OK)
    return rc;
  if (!cancelled)
    return pd_ctx_user_error(ctx,
                             "That confirmation is not yours, or was already used or cancelled.");
  return pd_ctx_reply(ctx, json_pack("{s:[{s:s, s:s, s:i}], s:[]}", "embeds", "title", "/admin",
                                     "description", "Cancelled: nothing was changed.", "color",
                                     COLOR_WARN, "components"));
}

/* Suggestions: "card" from the catalog (public ids), "artist" as ids with their names. */
enum pd_result cmd_admin_autocomplete(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  json_t *choices = NULL;
  json_t *focused = pd_interaction_focused(ctx->ix);
  const char *name = json_string_value(json_object_get(focused, "name"));
  const char *typed = json_string_value(json_object_get(focused, "value"));
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc != PD_OK)
    return rc;
  if (name != NULL && strcmp(name, "card") == 0)
    rc = pd_db_suggest_cards(db, typed, &choices);
  else if (name != NULL && strcmp(name, "artist") == 0)
    rc = pd_db_admin_suggest_artists(db, typed, &choices);
  else
    choices = json_array();
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(ctx, json_pack("{s:o}", "choices", choices));
}
