/* dispatch.c - turns a signed interaction into an answer.  Handlers hold game logic only:
 * this file applies DEFER, EPHEMERAL, WRITE, ADMIN and GUILD_ONLY, runs transactions, queues
 * follow-ups, and is the only place a result becomes a status or an error message. */
#include "dispatch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "commands.h"
#include "db_admin_players.h"
#include "db_flags.h"
#include "db_jobs.h"
#include "db_leaderboard.h"
#include "db_payments.h"
#include "db_ratelimit.h"
#include "entitlements.h"
#include "interaction.h"
#include "metrics.h"
#include "progress.h"
#include "reply.h"
#include "sig.h"
#include "utf8.h"

/* Discord wants the first answer within 3 s; leave room for the network. */
#define DEADLINE_US 2500000

static const char BREATH[] = "PopDeck is catching its breath, try again in a moment.";

void pd_answer_json(struct pd_answer *ans, int status, json_t *j)
{
  ans->status = status;
  ans->body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
  ans->len = ans->body != NULL ? strlen(ans->body) : 0;
  json_decref(j);
  if (ans->body == NULL)
    ans->status = 500;
}

void pd_answer_error(struct pd_answer *ans, int status, const char *msg)
{
  pd_answer_json(ans, status, json_pack("{s:s}", "error", msg));
}

enum pd_result pd_ctx_db(struct pd_ctx *ctx, struct pd_db **db)
{
  if (ctx->db == NULL) {
    enum pd_result rc = pd_db_acquire(ctx->app->pool, ctx->deadline_us, &ctx->db);
    if (rc != PD_OK)
      return rc;
  }
  *db = ctx->db;
  return PD_OK;
}

enum pd_result pd_ctx_reply(struct pd_ctx *ctx, json_t *data)
{
  json_decref(ctx->data);
  ctx->data = data;
  return data != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_ctx_user_error(struct pd_ctx *ctx, const char *fmt, ...)
{
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  pd_utf8_vfmt(text, sizeof(text), fmt, ap); /* a long message is cut between characters */
  va_end(ap);
  enum pd_result rc = pd_ctx_reply(ctx, pd_reply_text(text, PD_FLAG_EPHEMERAL));
  return rc == PD_OK ? PD_E_USER : rc;
}

enum pd_result pd_ctx_wait_error(struct pd_ctx *ctx, const char *refusal, int64_t until)
{
  /* A wait past half a day names the day as well as the time. */
  char style = until - (int64_t)time(NULL) > 12 * 3600 ? 'f' : 't';
  return pd_ctx_user_error(ctx, "%s <t:%lld:R> (at <t:%lld:%c>).", refusal, (long long)until,
                           (long long)until, style);
}

enum pd_result pd_ctx_cooldown(struct pd_ctx *ctx, const char *command, int64_t seconds,
                               const char *refusal, int64_t *until)
{
  struct pd_db *db = NULL;
  bool claimed = false;
  int64_t when = 0;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_cooldown_claim(db, ctx->player.id, command, seconds, &claimed, &when);
  if (until != NULL)
    *until = when;
  if (rc != PD_OK || claimed)
    return rc;
  return pd_ctx_wait_error(ctx, refusal, when);
}

void pd_ctx_flag_later(struct pd_ctx *ctx, int64_t from, int64_t to, int64_t op_id,
                       const char *kind)
{
  if (ctx->nflags >= (int)PD_ARRAY_LEN(ctx->flags)) {
    pd_log_error("ref %s: more one-way transfers than a command records; op %lld not flagged",
                 ctx->ref, (long long)op_id);
    return;
  }
  ctx->flags[ctx->nflags++] = (struct pd_flag_later){from, to, op_id, kind};
}

/* The farming flags of a committed command (pd_ctx_flag_later), in their own transaction. */
static void record_flags(struct pd_ctx *ctx, struct pd_db *db)
{
  enum pd_result rc = ctx->nflags > 0 ? pd_db_exec_sql(db, "BEGIN") : PD_OK;
  for (int i = 0; rc == PD_OK && i < ctx->nflags; i++)
    rc = pd_db_flag_one_way(db, &ctx->app->game->economy, ctx->flags[i].from, ctx->flags[i].to,
                            ctx->flags[i].op_id, ctx->flags[i].kind, NULL);
  if (ctx->nflags > 0)
    rc = rc == PD_OK ? pd_db_exec_sql(db, "COMMIT") : rc;
  if (rc != PD_OK) {
    if (db->pg != NULL && PQtransactionStatus(db->pg) != PQTRANS_IDLE)
      (void)pd_db_exec_sql(db, "ROLLBACK");
    pd_log_error("ref %s: farming flags not recorded: %s", ctx->ref, pd_result_str(rc));
  }
  ctx->nflags = 0;
}

/* Whether this answer goes out as a follow-up: the command's flag, or the handler's choice. */
static bool deferred(const struct pd_ctx *ctx)
{
  return (ctx->cmd->flags & PD_CMD_DEFER) || ctx->defer;
}

/* Pays back what the player owes from the Gems they have (db_payments.h). */
struct settle {
  struct pd_ctx *ctx;
  int64_t owed; /* before */
};

static enum pd_result settle_debt(struct pd_db *db, void *arg)
{
  struct settle *st = arg;
  enum pd_result rc = pd_db_user_ensure(db, st->ctx->ix->user.id, &st->ctx->player);
  st->owed = st->ctx->player.gem_debt;
  return rc == PD_OK ? pd_pay_settle(db, &st->ctx->player, NULL) : rc;
}

/* The ledger refused to take Gems from a player who owes Gems (db_ledger.h), and the command
 * rolled back.  Gems that reached them since the clawback (a sale, a gift) pay the debt back
 * now, in a transaction of their own; then the player reads what is still owed, why, and what
 * works meanwhile. */
static enum pd_result gem_hold_refusal(struct pd_ctx *ctx, struct pd_db *db)
{
  char owed[32];
  struct settle st = {ctx, 0};
  if (pd_db_tx(db, ctx->deadline_us, settle_debt, &st) != PD_OK)
    pd_log_error("ref %s: the Gems owed were not settled", ctx->ref);
  if (st.owed <= 0) /* a trade: the other side owes Gems */
    return pd_ctx_user_error(ctx, "The other player's Gems are on hold, so this can't go through "
                                  "with Gems from them. Ask them to /balance, or leave Gems out.");
  if (ctx->player.gem_debt <= 0)
    return pd_ctx_user_error(ctx, "Gems you received have paid back the Gems you owed: your "
                                  "Gems can be spent again. Try that once more.");
  pd_fmt_thousands(ctx->player.gem_debt, owed);
  return pd_ctx_user_error(
      ctx,
      "Your Gems are on hold: a payment was refunded after its Gems were spent, and you owe "
      "**%s Gems**. Gems can't be spent until that is paid back; Gems you get pay it back "
      "first (/buy_gems, the /shop, a sale or a gift). Notes and Discs work as usual.",
      owed);
}

/* The handler plus, for a deferred command, its follow-up job: one unit of work that a
 * WRITE command runs inside one transaction, so effects and follow-up commit together. */
static enum pd_result run_handler(struct pd_db *db, void *arg)
{
  struct pd_ctx *ctx = arg;
  if (db != NULL)
    ctx->db = db;
  pd_ctx_reply(ctx, NULL);
  ctx->nflags = 0; /* a retried transaction records its transfers again */
  ctx->followup.kind = PD_JOB_MESSAGE;
  json_decref(ctx->followup.attach); /* a retried transaction starts again */
  ctx->followup.attach = NULL;
  enum pd_result rc = PD_OK;
  if ((ctx->cmd->flags & PD_CMD_PLAYER) && !ctx->autocompleting) {
    struct pd_db *pdb = NULL;
    rc = pd_ctx_db(ctx, &pdb);
    if (rc == PD_OK)
      rc = pd_db_user_ensure(pdb, ctx->ix->user.id, &ctx->player);
    if (rc == PD_OK) /* the login streak: today is a day this player used PopDeck */
      rc = pd_missions_login(ctx->app, pdb, ctx->player.id, ctx->deadline_us);
    /* Which servers a player plays in, for the server leaderboards (no gateway, so no member
     * lists): written once a day per server at most, read otherwise. */
    if (rc == PD_OK && ctx->ix->guild_id != NULL && pd_snowflake_ms(ctx->ix->guild_id) > 0)
      rc = pd_db_player_guild_seen(pdb, ctx->player.id, ctx->ix->guild_id);
  }
  ctx->gem_hold = false;
  if (rc == PD_OK)
    rc = ctx->fn(ctx);
  if (rc == PD_E_HOLD) { /* rolled back; run_command settles and says why */
    ctx->gem_hold = true;
    rc = pd_ctx_user_error(ctx, "Your Gems are on hold.");
  }
  if (rc == PD_OK && ctx->data == NULL)
    rc = PD_E_INTERNAL; /* a handler must answer */
  /* Any result but PD_OK rolls back what the handler wrote: a player's mistake (PD_E_USER)
   * changes nothing, and the dispatcher shows its message. */
  if (rc != PD_OK || !deferred(ctx))
    return rc;
  struct pd_db *jdb = NULL;
  rc = pd_ctx_db(ctx, &jdb);
  if (rc == PD_OK)
    rc = pd_db_job_add(jdb, pd_job_kind_name(ctx->followup.kind), ctx->ix->application_id,
                       ctx->ix->token, PD_JOB_EDIT_ORIGINAL, ctx->data, ctx->followup.attach,
                       ctx->ref, NULL);
  return rc;
}

static enum pd_result run_command(struct pd_ctx *ctx)
{
  enum pd_result rc;
  if ((ctx->cmd->flags & PD_CMD_WRITE) && !ctx->autocompleting) {
    struct pd_db *db = NULL;
    rc = pd_db_acquire(ctx->app->pool, ctx->deadline_us, &db);
    if (rc != PD_OK)
      return rc;
    rc = pd_db_tx(db, ctx->deadline_us, run_handler, ctx);
    if (rc == PD_OK)
      record_flags(ctx, db);
    if (rc == PD_E_USER && ctx->gem_hold)
      rc = gem_hold_refusal(ctx, db);
    ctx->db = NULL;
    pd_db_release(db);
    json_decref(ctx->followup.attach); /* copied into the job, if there was one */
    ctx->followup.attach = NULL;
    return rc;
  }
  rc = run_handler(NULL, ctx);
  if (rc == PD_E_DB_DOWN && ctx->db != NULL && !ctx->db->fresh) {
    /* A pooled connection that died while idle (a database restart): one more try. */
    if (pd_db_reconnect(ctx->db) == PD_OK)
      rc = run_handler(NULL, ctx);
  }
  pd_db_release(ctx->db);
  ctx->db = NULL;
  json_decref(ctx->followup.attach);
  ctx->followup.attach = NULL;
  return rc;
}

/* How long the limit may wait for a pooled connection: under load it gives way to the command. */
#define RATE_LIMIT_WAIT_US 250000
/* The same for the suspension check. */
#define BAN_CHECK_WAIT_US 250000

/* Whether the caller's account is suspended (user_bans), before anything else is done for
 * them: no handler runs and the rate limit does not count it.  /admin stays open to admins
 * (an admin who is banned can still unban).  When the ban cannot be read (the database is
 * down or every connection busy) the interaction goes on, as the rate limit lets it, and the
 * miss is logged. */
static bool suspended(struct pd_ctx *ctx, struct pd_ban *ban)
{
  struct pd_db *db = NULL;
  bool banned = false, admin = false, owner = false;
  int64_t wait_until = pd_now_us() + BAN_CHECK_WAIT_US;
  enum pd_result rc = pd_db_acquire(
      ctx->app->pool, wait_until < ctx->deadline_us ? wait_until : ctx->deadline_us, &db);
  if (rc == PD_OK)
    rc = pd_db_ban_get(db, ctx->ix->user.id, &banned, ban);
  if (rc == PD_OK && banned && ctx->cmd != NULL && (ctx->cmd->flags & PD_CMD_ADMIN))
    rc = pd_app_admin_role(ctx->app, db, ctx->ix->user.id, &admin, &owner);
  pd_db_release(db);
  if (rc != PD_OK) {
    json_t *fields = json_pack("{s:s, s:s, s:s}", "ref", ctx->ref, "user_id", ctx->ix->user.id,
                               "error", pd_result_str(rc));
    pd_log("warn", "suspension not checked", fields);
    return false;
  }
  return banned && !admin;
}

static enum pd_result suspension_refusal(struct pd_ctx *ctx, const struct pd_ban *ban)
{
  if (ban->reason[0] != '\0')
    return pd_ctx_user_error(ctx,
                             "Your PopDeck account is suspended.\nReason: %s\nIf you think this "
                             "is a mistake, contact the server's admins.",
                             ban->reason);
  return pd_ctx_user_error(ctx, "Your PopDeck account is suspended.\nIf you think this is a "
                                "mistake, contact the server's admins.");
}

/* The per-player limit, before any handler runs: a refused command changes nothing.  It is
 * shared by every instance (the count lives in PostgreSQL).  When the count cannot be had (the
 * database is down or every connection busy) the command goes on: its handler meets the same
 * trouble and says so, and /ping and /help keep working. */
static enum pd_result within_limit(struct pd_ctx *ctx)
{
  const struct pd_config *cfg = &ctx->app->cfg;
  struct pd_db *db = NULL;
  bool ok = true;
  int64_t retry_at = 0, wait_until = pd_now_us() + RATE_LIMIT_WAIT_US;
  char refusal[160];
  if (cfg->rate_limit_commands <= 0)
    return PD_OK;
  if (pd_db_acquire(ctx->app->pool, wait_until < ctx->deadline_us ? wait_until : ctx->deadline_us,
                    &db) != PD_OK)
    return PD_OK;
  enum pd_result rc = pd_db_rate_take(db, ctx->ix->user.id, cfg->rate_limit_commands,
                                      cfg->rate_limit_window_s, &ok, &retry_at);
  pd_db_release(db);
  if (rc != PD_OK || ok)
    return PD_OK;
  snprintf(refusal, sizeof(refusal),
           "Slow down: PopDeck takes %d commands every %d seconds from each player. Try again",
           cfg->rate_limit_commands, cfg->rate_limit_window_s);
  return pd_ctx_wait_error(ctx, refusal, retry_at);
}

/* PD_CMD_ADMIN: ADMIN_FILE or the admins table says the caller is an admin (ctx->owner says
 * whether an owner).  Anyone else is refused, and the attempt is in the audit log with what
 * was asked.  When the list cannot be read the command fails as ours: never let it through. */
static enum pd_result admin_only(struct pd_ctx *ctx)
{
  struct pd_db *db = NULL;
  bool admin = false;
  enum pd_result rc = pd_db_acquire(ctx->app->pool, ctx->deadline_us, &db);
  if (rc == PD_OK)
    rc = pd_app_admin_role(ctx->app, db, ctx->ix->user.id, &admin, &ctx->owner);
  if (rc == PD_OK && !admin) {
    json_t *asked = json_pack("{s:s?, s:s?, s:O?}", "subcommand", ctx->ix->subcommand, "custom_id",
                              ctx->ix->custom_id, "options", ctx->ix->options);
    char action[64];
    snprintf(action, sizeof(action), "/%s", ctx->cmd->name);
    if (pd_admin_audit_denied(db, ctx->ix->user.id, action, asked, ctx->ref) != PD_OK)
      pd_log_error("ref %s: the refused /%s was not written to the audit log", ctx->ref,
                   ctx->cmd->name);
    json_decref(asked);
  }
  pd_db_release(db);
  if (rc != PD_OK)
    return rc;
  if (!admin)
    return pd_ctx_user_error(ctx, "/%s is for PopDeck admins only.", ctx->cmd->name);
  return PD_OK;
}

/* Gates from the command's flags; a refusal is the player's mistake. */
static enum pd_result allowed(struct pd_ctx *ctx)
{
  unsigned f = ctx->cmd->flags;
  if ((f & PD_CMD_GUILD_ONLY) && ctx->ix->guild_id == NULL)
    return pd_ctx_user_error(
        ctx, "/%s works only inside a server. Try it in a channel where PopDeck is installed.",
        ctx->cmd->name);
  if (f & PD_CMD_ADMIN)
    return admin_only(ctx);
  return PD_OK;
}

/* Appends ", item" (or "item" first) to list while it fits; the rest is left out whole. */
static void list_add(char *list, size_t cap, const char *item)
{
  size_t at = strlen(list);
  if (at + strlen(item) + 3 < cap)
    snprintf(list + at, cap - at, "%s%s", at > 0 ? ", " : "", item);
}

/* Whether v has the JSON shape Discord sends for an option of type t. */
static bool option_type_ok(int t, const json_t *v)
{
  switch (t) {
  case PD_OPT_STRING:
  case PD_OPT_USER:
  case PD_OPT_CHANNEL:
  case PD_OPT_ROLE:
  case PD_OPT_MENTIONABLE:
  case PD_OPT_ATTACHMENT:
    return json_is_string(v); /* text, or a snowflake as text */
  case PD_OPT_INTEGER:
    return json_is_integer(v);
  case PD_OPT_NUMBER:
    return json_is_number(v);
  case PD_OPT_BOOLEAN:
    return json_is_boolean(v);
  default:
    return true;
  }
}

/* The option table, applied before the handler: a required option missing, a value of the
 * wrong type, or a value outside the choices (fixed, or the packs of assets/packs.json) is
 * refused with one message, so handlers read their options without checking them again.
 * (A stale registration, or a hand-made request, can send any of these.) */
static enum pd_result check_options(struct pd_ctx *ctx)
{
  const struct pd_game_config *g = ctx->app->game;
  if (ctx->ix->type != PD_IX_COMMAND)
    return PD_OK;
  if (ctx->cmd->subcommands != NULL && pd_command_sub(ctx->cmd, ctx->ix->subcommand) == NULL) {
    char list[400] = "";
    for (const struct pd_subcommand_spec *sc = ctx->cmd->subcommands; sc->name != NULL; sc++) {
      char item[80];
      for (const struct pd_subcommand_spec *gs = sc->group; gs != NULL && gs->name != NULL; gs++) {
        snprintf(item, sizeof(item), "%s %s", sc->name, gs->name);
        list_add(list, sizeof(list), item);
      }
      if (sc->group == NULL)
        list_add(list, sizeof(list), sc->name);
    }
    return pd_ctx_user_error(ctx, "/%s needs one of its sub-commands: %s.", ctx->cmd->name, list);
  }
  for (const struct pd_option_spec *o = pd_command_options(ctx->cmd, ctx->ix->subcommand);
       o != NULL && o->name != NULL; o++) {
    json_t *v = json_object_get(pd_interaction_option(ctx->ix, o->name), "value");
    char shown[120], list[400] = "";
    if (v == NULL) {
      if (o->required)
        return pd_ctx_user_error(ctx, "/%s needs **%s**: %s.", ctx->cmd->name, o->name,
                                 o->description);
      continue;
    }
    if (!option_type_ok(o->type, v))
      return pd_ctx_user_error(
          ctx, "/%s got a **%s** of the wrong kind. Pick it again from the command's options.",
          ctx->cmd->name, o->name);
    if (o->choices == NULL && !((o->pack_choices || o->bundle_choices) && g != NULL))
      continue;
    const char *value = json_string_value(v);
    bool found = false;
    for (const char *const *c = o->choices; c != NULL && *c != NULL; c++) {
      found = found || (value != NULL && strcmp(value, *c) == 0);
      list_add(list, sizeof(list), *c);
    }
    for (size_t k = 0; o->pack_choices && g != NULL && k < g->npacks; k++) {
      found = found || (value != NULL && strcmp(value, g->packs[k].id) == 0);
      list_add(list, sizeof(list), g->packs[k].id);
    }
    for (size_t k = 0; o->bundle_choices && g != NULL && k < g->nbundles; k++) {
      if (g->bundles[k].nprices == 0)
        continue;
      found = found || (value != NULL && strcmp(value, g->bundles[k].id) == 0);
      list_add(list, sizeof(list), g->bundles[k].id);
    }
    if (!found)
      return pd_ctx_user_error(ctx, "\"%s\" is not a choice for **%s**. Choose one of: %s.",
                               pd_utf8_short(shown, sizeof(shown), value, 40), o->name, list);
  }
  return PD_OK;
}

static json_t *our_failure(struct pd_ctx *ctx, enum pd_result rc, struct pd_reqlog *log)
{
  char text[256];
  log->error = pd_result_str(rc);
  if (rc == PD_E_DB_DOWN || rc == PD_E_DB_SOFT)
    snprintf(text, sizeof(text), "%s (ref `%s`)", BREATH, ctx->ref);
  else
    snprintf(text, sizeof(text),
             "Something went wrong on our side. If it keeps happening, tell an admin the reference "
             "`%s`.",
             ctx->ref);
  return pd_reply_new(PD_CB_MESSAGE, pd_reply_text(text, PD_FLAG_EPHEMERAL));
}

/* Answers a command, a button or a modal through the command table. */
static json_t *answer_command(struct pd_app *app, const struct pd_interaction *ix,
                              struct pd_reqlog *log)
{
  struct pd_ctx ctx = {0};
  json_t *resp = NULL;
  char name[40] = "";
  ctx.app = app;
  ctx.ix = ix;
  ctx.deadline_us = pd_now_us() + DEADLINE_US;
  pd_ref_new(ctx.ref);
  memcpy(log->ref, ctx.ref, sizeof(log->ref));

  /* Components and modals name their command before the first ':' of custom_id. */
  if (ix->command_name != NULL) {
    snprintf(name, sizeof(name), "%s", ix->command_name);
  } else {
    /* A forged custom_id may hold anything: the name is cut on a character boundary. */
    size_t n = strcspn(ix->custom_id, ":");
    n = pd_utf8_prefix(ix->custom_id, n < sizeof(name) - 1 ? n : sizeof(name) - 1);
    snprintf(name, sizeof(name), "%.*s", (int)n, ix->custom_id);
  }
  snprintf(log->command, sizeof(log->command), "%s", name);
  ctx.cmd = pd_command_find(name);
  /* Each interaction type reaches only the entry point written for it. */
  if (ctx.cmd != NULL)
    ctx.fn = ix->type == PD_IX_AUTOCOMPLETE
                 ? (pd_command_is_slash(ctx.cmd) ? ctx.cmd->autocomplete : NULL)
             : ix->type == PD_IX_COMMAND ? ctx.cmd->handler
                                         : ctx.cmd->component;
  struct pd_ban ban;
  /* What the player bought is theirs before the command runs (a /balance right after a
   * purchase shows it), in a transaction of its own: the command's outcome cannot undo it. */
  if (ix->type != PD_IX_AUTOCOMPLETE)
    pd_ent_from_interaction(app, ix, ctx.deadline_us, ctx.ref);
  if (ix->type == PD_IX_AUTOCOMPLETE) {
    /* Suggestions are a courtesy: on any failure the player just sees none, and a suspended
     * player none at all. */
    if (ctx.fn == NULL || suspended(&ctx, &ban))
      return json_pack("{s:i, s:{s:[]}}", "type", PD_CB_AUTOCOMPLETE, "data", "choices");
    ctx.autocompleting = true;
    enum pd_result arc = run_command(&ctx);
    if (arc != PD_OK || !json_is_array(json_object_get(ctx.data, "choices"))) {
      json_t *fields = json_pack("{s:s, s:s, s:s}", "ref", ctx.ref, "command", name, "error",
                                 pd_result_str(arc));
      pd_log("warn", "autocomplete failed", fields);
      json_decref(ctx.data);
      return json_pack("{s:i, s:{s:[]}}", "type", PD_CB_AUTOCOMPLETE, "data", "choices");
    }
    return pd_reply_new(PD_CB_AUTOCOMPLETE, ctx.data);
  }
  if (suspended(&ctx, &ban)) {
    suspension_refusal(&ctx, &ban);
    json_object_set_new(ctx.data, "allowed_mentions", json_pack("{s:[]}", "parse"));
    return pd_reply_new(PD_CB_MESSAGE, ctx.data);
  }
  if (ctx.fn == NULL) {
    pd_ctx_user_error(
        &ctx,
        ix->type == PD_IX_COMMAND
            ? "I don't know /%s (it may have been removed). /help lists what PopDeck can do."
            : "That button belongs to something PopDeck no longer runs (%s). Start again from "
              "/help.",
        name);
    return pd_reply_new(PD_CB_MESSAGE, ctx.data);
  }

  enum pd_result rc = within_limit(&ctx);
  if (rc == PD_OK)
    rc = allowed(&ctx);
  if (rc == PD_OK)
    rc = check_options(&ctx);
  if (rc == PD_OK)
    rc = run_command(&ctx);
  bool mistake = rc == PD_E_USER; /* the player's: ctx.data is the message */
  if (rc != PD_OK && !mistake) {
    resp = our_failure(&ctx, rc, log);
    json_t *fields = json_pack("{s:s, s:s, s:s, s:s}", "ref", ctx.ref, "command", name, "user_id",
                               ix->user.id, "error", pd_result_str(rc));
    pd_log("error", "command failed", fields);
    json_decref(ctx.data);
    return resp;
  }

  json_t *data = ctx.data;
  ctx.data = NULL;
  if (json_object_get(data, "allowed_mentions") == NULL)
    json_object_set_new(data, "allowed_mentions", json_pack("{s:[]}", "parse"));
  bool ephemeral = mistake || (ctx.cmd->flags & PD_CMD_EPHEMERAL);
  char err[160];
  if (pd_reply_check(data, err, sizeof(err)) != PD_OK) {
    json_t *fields = json_pack("{s:s, s:s, s:s}", "ref", ctx.ref, "command", name, "error", err);
    pd_log("error", "reply breaks a Discord limit", fields);
    json_decref(data);
    return our_failure(&ctx, PD_E_INTERNAL, log);
  }
  if (!mistake && deferred(&ctx)) {
    /* The data went into the follow-up job; Discord now shows "thinking" (or, for a button
     * that edits its message, nothing until the edit). */
    json_decref(data);
    if (ctx.update)
      return pd_reply_new(PD_CB_DEFERRED_UPDATE, NULL);
    return pd_reply_new(PD_CB_DEFERRED_MESSAGE,
                        ephemeral ? json_pack("{s:i}", "flags", PD_FLAG_EPHEMERAL) : NULL);
  }
  if (ctx.update && !mistake)
    return pd_reply_new(PD_CB_UPDATE_MESSAGE, data);
  if (ephemeral) {
    json_int_t flags = json_integer_value(json_object_get(data, "flags"));
    json_object_set_new(data, "flags", json_integer(flags | PD_FLAG_EPHEMERAL));
  }
  return pd_reply_new(PD_CB_MESSAGE, data);
}

void pd_dispatch(struct pd_app *app, const char *sig, const char *ts, const char *body, size_t len,
                 struct pd_answer *ans, struct pd_reqlog *log)
{
  char err[160];
  struct pd_interaction *ix = NULL;
  memset(ans, 0, sizeof(*ans));

  if (pd_sig_verify(app->cfg.public_key, sig, ts, body, len, (int64_t)time(NULL)) != PD_OK) {
    pd_metrics_signature_failure();
    pd_answer_error(ans, 401, "invalid request signature");
    return;
  }
  if (pd_interaction_parse(body, len, &ix, err, sizeof(err)) != PD_OK) {
    pd_answer_error(ans, 400, err);
    return;
  }
  log->ix_type = ix->type;
  if (ix->user.id != NULL)
    snprintf(log->user_id, sizeof(log->user_id), "%s", ix->user.id);

  int64_t t0 = pd_now_us();
  json_t *resp =
      ix->type == PD_IX_PING ? pd_reply_new(PD_CB_PONG, NULL) : answer_command(app, ix, log);
  pd_metrics_handler_seconds((double)(pd_now_us() - t0) / 1e6);
  pd_answer_json(ans, 200, resp);
  pd_interaction_free(ix);
}
