/* commands.h - the command table: the single source of names, handlers, flags and
 * descriptions that dispatch, /help and register-commands all read (Redis's command table). */
#ifndef PD_COMMANDS_H
#define PD_COMMANDS_H

#include <jansson.h>
#include <stdbool.h>

#include "app.h"
#include "db.h"
#include "db_users.h"
#include "interaction.h"
#include "log.h"
#include "worker.h"

/* Flags the dispatcher applies so handlers hold only game logic. */
enum {
  PD_CMD_DEFER = 1 << 0,      /* answer type 5 at once; the reply goes out as a follow-up */
  PD_CMD_EPHEMERAL = 1 << 1,  /* only the caller sees the reply */
  PD_CMD_WRITE = 1 << 2,      /* run inside pd_db_tx (retried on serialization failures) */
  PD_CMD_ADMIN = 1 << 3,      /* only ids in ADMIN_FILE */
  PD_CMD_GUILD_ONLY = 1 << 4, /* refused in DMs */
  PD_CMD_PLAYER =
      1 << 5, /* registers the caller first: ctx->player is theirs (in the transaction) */
};

struct pd_option_spec {
  const char *name;
  int type; /* enum pd_option_type */
  const char *description;
  bool required;
  bool autocomplete;
  const char *const *choices; /* NULL-terminated fixed choices (name = value), or NULL */
  bool pack_choices;          /* choices are the packs of assets/packs.json */
  bool bundle_choices;        /* choices are the priced bundles of assets/packs.json */
  /* An integer amount of the economy, PD_AMOUNT_MIN..PD_AMOUNT_MAX (db_ledger.h): registered
   * with Discord as min_value/max_value, so its client refuses the rest before sending (the
   * handler still refuses what a stale client or a hand-made request sends, with the range). */
  bool amount;
};

/* A sub-command of a slash command (/trade start, /burn duplicates): its own options.  The
 * handler of a command with sub-commands reads ctx->ix->subcommand, which the dispatcher has
 * checked is one of the table's. */
struct pd_subcommand_spec {
  const char *name;
  const char *description;
  const struct pd_option_spec *options; /* terminated by a {NULL} entry; may be NULL */
  /* A sub-command group (/admin event create): its sub-commands, terminated by a {NULL} entry,
   * and no options.  The interaction names the chosen one "group sub" (ctx->ix->subcommand). */
  const struct pd_subcommand_spec *group;
};

struct pd_ctx;

/* What answers each kind of interaction is its own field, and the dispatcher calls only the
 * one the interaction's type asks for: a slash command reaches handler, a button, select or
 * modal whose custom_id is "name:..." reaches component, an autocomplete reaches autocomplete.
 * A missing one is answered as unknown, so no handler ever sees a shape it was not written for
 * (a command without custom_id, a button without options). */
struct pd_command {
  const char *name;
  /* The slash command /name.  NULL: the entry only answers components (its buttons), and is
   * neither registered with Discord nor listed by /help. */
  enum pd_result (*handler)(struct pd_ctx *ctx);
  unsigned flags;
  const char *description;
  const struct pd_option_spec *options; /* terminated by a {NULL} entry; may be NULL */
  /* The sub-commands, terminated by a {NULL} entry, or NULL; a command has either these or
   * options. */
  const struct pd_subcommand_spec *subcommands;
  /* Answers an autocomplete (type 4) for this command: pd_ctx_reply with {"choices": [...]}
   * (at most 25).  NULL: no suggestions.  Runs outside any transaction. */
  enum pd_result (*autocomplete)(struct pd_ctx *ctx);
  /* Answers the buttons, selects and modals whose custom_id starts with "name:" (ctx->ix->custom_id
   * is never NULL there).  NULL: the command has none. */
  enum pd_result (*component)(struct pd_ctx *ctx);
};

/* What a handler sees.  It answers with pd_ctx_reply, or returns pd_ctx_user_error's PD_E_USER.
 * By the time it runs, the dispatcher has checked the options against the table: every
 * required option is there, each has its declared type, and a value with choices is one of
 * them. */
struct pd_ctx {
  struct pd_app *app;
  const struct pd_interaction *ix;
  const struct pd_command *cmd;
  enum pd_result (*fn)(struct pd_ctx *ctx); /* cmd's entry point for this interaction's type */
  char ref[PD_REF_LEN + 1];
  int64_t deadline_us;
  struct pd_db *db;        /* inside the transaction for WRITE commands; see pd_ctx_db */
  json_t *data;            /* the message data the handler answered with */
  struct pd_player player; /* the caller, registered, for PD_CMD_PLAYER commands */
  /* How a worker finishes a deferred reply: PD_JOB_MESSAGE unless the handler says otherwise,
   * and what that kind builds its files from (owned; never put in data). */
  struct {
    enum pd_job_kind kind;
    json_t *attach;
  } followup;
  /* One-way transfers this command made, for the farming flags (pd_ctx_flag_later): recorded
   * once the command's transaction has committed. */
  struct pd_flag_later {
    int64_t from, to, op_id;
    const char *kind; /* static text: "gift", "sale", "trade" */
  } flags[4];
  int nflags;
  bool update;         /* a button's answer replaces its message (type 7, or 6 when deferred) */
  bool defer;          /* this answer goes out as a follow-up even without PD_CMD_DEFER */
  bool autocompleting; /* running cmd->autocomplete */
  bool owner;          /* PD_CMD_ADMIN: the caller is an owner (ADMIN_FILE's "owners") */
  bool gem_hold;       /* the ledger refused a Gems debit: the player owes Gems (PD_E_HOLD) */
};

/* The database connection for this request: the transaction's for WRITE commands, else
 * one checked out of the pool on first use (so /ping and /help work with it down). */
enum pd_result pd_ctx_db(struct pd_ctx *ctx, struct pd_db **db);
/* The handler's answer: a message data object (stolen). */
enum pd_result pd_ctx_reply(struct pd_ctx *ctx, json_t *data);
/* The one way a player's mistake becomes a message: ephemeral, saying what to do.  Returns
 * PD_E_USER for the handler to return: the dispatcher rolls back whatever the handler wrote
 * and shows the message. */
enum pd_result pd_ctx_user_error(struct pd_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "REFUSAL <t:until:R> (at <t:until:t>)." as the player's mistake (the date too when until is
 * more than half a day away).  Returns PD_E_USER. */
enum pd_result pd_ctx_wait_error(struct pd_ctx *ctx, const char *refusal, int64_t until);
/* Starts the caller's (ctx->player, PD_CMD_PLAYER) cooldown of seconds for command, or, while
 * one runs, answers "REFUSAL <t:…:R> …" and returns PD_E_USER.  *until (may be NULL) is when
 * the running cooldown ends. */
enum pd_result pd_ctx_cooldown(struct pd_ctx *ctx, const char *command, int64_t seconds,
                               const char *refusal, int64_t *until);

/* Records a one-way transfer from -> to (operation op_id, kind "gift", "sale" or "trade") for the
 * farming flags (db_flags.h), after the command's transaction commits, in a short READ
 * COMMITTED transaction of its own.  The flags are advisory (nothing is refused because of one):
 * counting a pair's transfers inside the SERIALIZABLE sale made every concurrent sale read and
 * write the same index pages, and about one sale in three had to run again.  A command that rolls
 * back records nothing; a failure to record is logged, never shown to the player. */
void pd_ctx_flag_later(struct pd_ctx *ctx, int64_t from, int64_t to, int64_t op_id,
                       const char *kind);

extern const struct pd_command pd_commands[];
const struct pd_command *pd_command_find(const char *name);
/* The options the interaction's command (or sub-command) declares, or NULL. */
const struct pd_option_spec *pd_command_options(const struct pd_command *c, const char *subcommand);
/* The sub-command spec named name ("sub", or "group sub" inside a group), or NULL; never a
 * group itself. */
const struct pd_subcommand_spec *pd_command_sub(const struct pd_command *c, const char *name);
/* Whether c is a slash command (an entry with a handler); false for NULL. */
bool pd_command_is_slash(const struct pd_command *c);
/* The registration body for PUT /applications/{id}/commands (caller owns): every slash
 * command; pack options list game's packs as choices. */
json_t *pd_commands_registration(const struct pd_game_config *game);

/* Handlers, one file each (server/cmd_NAME.c). */
enum pd_result cmd_ping(struct pd_ctx *ctx);
enum pd_result cmd_help(struct pd_ctx *ctx);
enum pd_result cmd_profile(struct pd_ctx *ctx);
enum pd_result cmd_balance(struct pd_ctx *ctx);
enum pd_result cmd_daily(struct pd_ctx *ctx);
enum pd_result cmd_openpack(struct pd_ctx *ctx);
enum pd_result cmd_pick(struct pd_ctx *ctx);
enum pd_result cmd_draw(struct pd_ctx *ctx);
enum pd_result cmd_mycards(struct pd_ctx *ctx);
enum pd_result cmd_inventory(struct pd_ctx *ctx);
enum pd_result cmd_privacy(struct pd_ctx *ctx);
enum pd_result cmd_viewcard(struct pd_ctx *ctx);
enum pd_result cmd_viewcard_autocomplete(struct pd_ctx *ctx);
enum pd_result cmd_cooldowns(struct pd_ctx *ctx);
enum pd_result cmd_odds(struct pd_ctx *ctx);
/* Missions (cmd_missions.c): the command and its Claim buttons. */
enum pd_result cmd_missions(struct pd_ctx *ctx);
enum pd_result cmd_missions_button(struct pd_ctx *ctx);
/* /leaderboard and its Previous/Next buttons (cmd_leaderboard.c). */
enum pd_result cmd_leaderboard(struct pd_ctx *ctx);
enum pd_result cmd_leaderboard_button(struct pd_ctx *ctx);
/* Autocomplete of collection filters (collection.c). */
enum pd_result pd_list_autocomplete(struct pd_ctx *ctx);
/* The Previous/Next buttons of a collection listing (collection.c). */
enum pd_result pd_list_button(struct pd_ctx *ctx);

/* Live ops: /events, /claim_event_pack, /wishlist. */
enum pd_result cmd_events(struct pd_ctx *ctx);
enum pd_result cmd_claim_event_pack(struct pd_ctx *ctx);
enum pd_result cmd_claim_event_pack_autocomplete(struct pd_ctx *ctx);
enum pd_result cmd_wishlist(struct pd_ctx *ctx);
enum pd_result cmd_wishlist_autocomplete(struct pd_ctx *ctx);

/* Locks (the economy). */
enum pd_result cmd_lock(struct pd_ctx *ctx);
enum pd_result cmd_unlock(struct pd_ctx *ctx);
/* gifts: /burn, /gift, /shop, /exchange, /transfer_data (one file each) */
enum pd_result cmd_burn(struct pd_ctx *ctx);
enum pd_result cmd_burn_button(struct pd_ctx *ctx);
enum pd_result cmd_gift(struct pd_ctx *ctx);
enum pd_result cmd_shop(struct pd_ctx *ctx);
enum pd_result cmd_shop_button(struct pd_ctx *ctx);
enum pd_result cmd_exchange(struct pd_ctx *ctx);
/* Real money (cmd_buy_gems.c): a Stripe Checkout link for a bundle. */
enum pd_result cmd_buy_gems(struct pd_ctx *ctx);
/* Buys discs Discs with Notes (/exchange and the shop's buttons). */
enum pd_result pd_exchange_run(struct pd_ctx *ctx, int64_t discs);
enum pd_result cmd_transfer_data(struct pd_ctx *ctx);
enum pd_result cmd_transfer_button(struct pd_ctx *ctx);
/* The marketplace (cmd_sell.c, cmd_market.c, cmd_buy.c, cmd_unlist.c). */
enum pd_result cmd_sell(struct pd_ctx *ctx);
enum pd_result cmd_market(struct pd_ctx *ctx);
enum pd_result cmd_market_button(struct pd_ctx *ctx);
enum pd_result cmd_market_autocomplete(struct pd_ctx *ctx);
enum pd_result cmd_buy(struct pd_ctx *ctx);
enum pd_result cmd_buy_menu(struct pd_ctx *ctx);
enum pd_result cmd_buy_autocomplete(struct pd_ctx *ctx);
enum pd_result cmd_unlist(struct pd_ctx *ctx);
enum pd_result cmd_unlist_autocomplete(struct pd_ctx *ctx);
/* Trades (cmd_trade.c): the command, its Confirm and Cancel buttons, the card autocomplete, and
 * the sweeper that expires trades left open (a row of pd_sweepers). */
enum pd_result cmd_trade(struct pd_ctx *ctx);
enum pd_result cmd_trade_button(struct pd_ctx *ctx);
enum pd_result cmd_trade_autocomplete(struct pd_ctx *ctx);
enum pd_result pd_trade_sweep(struct pd_app *app, struct pd_db *db, int64_t *n);

/* The admin surface (cmd_admin.c): /admin, its Confirm and Cancel buttons, its card and artist
 * suggestions. */
enum pd_result cmd_admin(struct pd_ctx *ctx);
enum pd_result cmd_admin_button(struct pd_ctx *ctx);
enum pd_result cmd_admin_autocomplete(struct pd_ctx *ctx);

/* Colours shared by embeds. */
#define PD_COLOR_BRAND 0x7C5CFF

#endif
