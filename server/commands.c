/* commands.c - the command table and the registration body built from it. */
#include "commands.h"

#include <string.h>

#include "copies.h"
#include "db_ledger.h"

static const struct pd_option_spec balance_options[] = {
    {.name = "user",
     .type = PD_OPT_USER,
     .description = "Whose balances to show (yourself if empty)"},
    {.name = NULL},
};

static const char *const currency_choices[] = {"notes", "discs", "gems", NULL};

static const struct pd_option_spec openpack_options[] = {
    {.name = "pack",
     .type = PD_OPT_STRING,
     .description = "Which pack (the standard one if empty)",
     .pack_choices = true},
    {.name = "currency",
     .type = PD_OPT_STRING,
     .description =
         "Pay with this once the free opens are used (the first you can afford if empty)",
     .choices = currency_choices},
    {.name = NULL},
};

static const char *const rarity_choices[] = {"common", "rare", "epic", "legendary", "mythic", NULL};
static const char *const sort_choices[] = {"newest", "rarity", "artist", NULL};
static const char *const onoff_choices[] = {"on", "off", NULL};

static const struct pd_option_spec mycards_options[] = {
    {.name = "artist",
     .type = PD_OPT_STRING,
     .description = "Only this artist's cards",
     .autocomplete = true},
    {.name = "era",
     .type = PD_OPT_STRING,
     .description = "Only this era's cards",
     .autocomplete = true},
    {.name = "rarity",
     .type = PD_OPT_STRING,
     .description = "Only this rarity",
     .choices = rarity_choices},
    {.name = "sort",
     .type = PD_OPT_STRING,
     .description = "Order (newest first if empty)",
     .choices = sort_choices},
    {.name = NULL},
};

static const char *const leaderboard_scopes[] = {"server", "global", NULL};
static const char *const leaderboard_boards[] = {"collection", "notes", "eras", NULL};

static const struct pd_option_spec leaderboard_options[] = {
    {.name = "scope",
     .type = PD_OPT_STRING,
     .description = "This server's players (if empty) or everyone",
     .choices = leaderboard_scopes},
    {.name = "by",
     .type = PD_OPT_STRING,
     .description = "Rank by collection points (if empty), Notes or complete eras",
     .choices = leaderboard_boards},
    {.name = NULL},
};

static const struct pd_option_spec inventory_options[] = {
    {.name = "user", .type = PD_OPT_USER, .description = "Whose collection", .required = true},
    {.name = "artist",
     .type = PD_OPT_STRING,
     .description = "Only this artist's cards",
     .autocomplete = true},
    {.name = "rarity",
     .type = PD_OPT_STRING,
     .description = "Only this rarity",
     .choices = rarity_choices},
    {.name = "sort",
     .type = PD_OPT_STRING,
     .description = "Order (newest first if empty)",
     .choices = sort_choices},
    {.name = NULL},
};

static const struct pd_option_spec privacy_options[] = {
    {.name = "mode",
     .type = PD_OPT_STRING,
     .description = "on: only you see your collection; off: anyone can",
     .required = true,
     .choices = onoff_choices},
    {.name = NULL},
};

static const struct pd_option_spec viewcard_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "Card id, artist or era (pick a suggestion)",
     .required = true,
     .autocomplete = true},
    {.name = NULL},
};

static const struct pd_option_spec odds_options[] = {
    {.name = "pack",
     .type = PD_OPT_STRING,
     .description = "Only this pack (every pack if empty)",
     .pack_choices = true},
    {.name = NULL},
};

/* Locks (the economy). */
static const struct pd_option_spec copy_option[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "One of your copies, written like TAYL_19#03/12 (pick a suggestion)",
     .required = true,
     .autocomplete = true},
    {.name = NULL},
};

/* gifts: /burn, /gift, /shop, /exchange, /transfer_data */
static const struct pd_option_spec burn_card_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "Your copy to burn (pick a suggestion)",
     .required = true,
     .autocomplete = true},
    {.name = NULL},
};

static const struct pd_option_spec burn_duplicates_options[] = {
    {.name = "rarity",
     .type = PD_OPT_STRING,
     .description = "Only duplicates of this rarity (every rarity if empty)",
     .choices = rarity_choices},
    {.name = NULL},
};

static const struct pd_subcommand_spec burn_subcommands[] = {
    {.name = "card",
     .description = "Sell one copy back to the game for Notes",
     .options = burn_card_options},
    {.name = "duplicates",
     .description = "Sell every extra copy beyond your lowest print of each card",
     .options = burn_duplicates_options},
    {.name = NULL},
};

static const struct pd_option_spec gift_options[] = {
    {.name = "user", .type = PD_OPT_USER, .description = "Who gets the gift", .required = true},
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "One of your copies to give (pick a suggestion)",
     .autocomplete = true},
    {.name = "notes",
     .type = PD_OPT_INTEGER,
     .description = "Notes to give (1 to 1,000,000,000)",
     .amount = true},
    {.name = "discs",
     .type = PD_OPT_INTEGER,
     .description = "Discs to give (1 to 1,000,000,000)",
     .amount = true},
    {.name = "gems",
     .type = PD_OPT_INTEGER,
     .description = "Gems to give (1 to 1,000,000,000)",
     .amount = true},
    {.name = NULL},
};

static const struct pd_option_spec exchange_options[] = {
    {.name = "amount",
     .type = PD_OPT_INTEGER,
     .description = "How many Discs to buy with Notes",
     .required = true,
     .amount = true},
    {.name = NULL},
};

static const struct pd_option_spec transfer_data_options[] = {
    {.name = "target",
     .type = PD_OPT_USER,
     .description = "The Discord account to move your PopDeck account to",
     .required = true},
    {.name = NULL},
};

/* The marketplace: /sell, /market, /buy, /unlist (cmd_sell.c, cmd_market.c, cmd_buy.c,
 * cmd_unlist.c; the sale itself in market.c). */
static const struct pd_option_spec buy_gems_options[] = {
    {.name = "bundle",
     .type = PD_OPT_STRING,
     .description = "What to buy",
     .required = true,
     .bundle_choices = true},
    {NULL},
};

static const char *const scope_choices[] = {"server", "global", NULL};
static const char *const market_sort_choices[] = {"cheapest", "newest", "rarity", NULL};

static const struct pd_option_spec sell_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "Which of your copies (pick a suggestion)",
     .required = true,
     .autocomplete = true},
    {.name = "price",
     .type = PD_OPT_INTEGER,
     .description = "Price, a whole number from 1 to 1,000,000,000",
     .required = true,
     .amount = true},
    {.name = "currency",
     .type = PD_OPT_STRING,
     .description = "What the buyer pays in",
     .required = true,
     .choices = currency_choices},
    {.name = "scope",
     .type = PD_OPT_STRING,
     .description = "server: buyable only in this server (default); global: everywhere",
     .choices = scope_choices},
    {.name = NULL},
};

static const struct pd_option_spec market_options[] = {
    {.name = "artist",
     .type = PD_OPT_STRING,
     .description = "Only this artist's cards",
     .autocomplete = true},
    {.name = "rarity",
     .type = PD_OPT_STRING,
     .description = "Only this rarity",
     .choices = rarity_choices},
    {.name = "currency",
     .type = PD_OPT_STRING,
     .description = "Only prices in this currency",
     .choices = currency_choices},
    {.name = "scope",
     .type = PD_OPT_STRING,
     .description = "Only this server's listings, or only global ones (both if empty)",
     .choices = scope_choices},
    {.name = "sort",
     .type = PD_OPT_STRING,
     .description = "Order (cheapest first if empty)",
     .choices = market_sort_choices},
    {.name = NULL},
};

static const struct pd_option_spec buy_options[] = {
    {.name = "listing",
     .type = PD_OPT_STRING,
     .description = "The listing number /market shows (pick a suggestion)",
     .required = true,
     .autocomplete = true},
    {.name = NULL},
};

static const struct pd_option_spec unlist_options[] = {
    {.name = "listing",
     .type = PD_OPT_STRING,
     .description = "Which of your listings to take back",
     .required = true,
     .autocomplete = true},
    {.name = NULL},
};

/* Trades (cmd_trade.c). */
static const struct pd_option_spec trade_start_options[] = {
    {.name = "user", .type = PD_OPT_USER, .description = "Who to trade with", .required = true},
    {.name = NULL},
};
static const struct pd_option_spec trade_add_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "One of your free copies to offer (pick a suggestion)",
     .autocomplete = true},
    {.name = "notes",
     .type = PD_OPT_INTEGER,
     .description = "Notes to offer (1 to 1,000,000,000)",
     .amount = true},
    {.name = "discs",
     .type = PD_OPT_INTEGER,
     .description = "Discs to offer (1 to 1,000,000,000)",
     .amount = true},
    {.name = "gems",
     .type = PD_OPT_INTEGER,
     .description = "Gems to offer (1 to 1,000,000,000)",
     .amount = true},
    {.name = NULL},
};
static const struct pd_option_spec trade_remove_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "A copy in your offer to take back (pick a suggestion)",
     .autocomplete = true},
    {.name = "notes", .type = PD_OPT_INTEGER, .description = "Notes to take back", .amount = true},
    {.name = "discs", .type = PD_OPT_INTEGER, .description = "Discs to take back", .amount = true},
    {.name = "gems", .type = PD_OPT_INTEGER, .description = "Gems to take back", .amount = true},
    {.name = NULL},
};
static const struct pd_subcommand_spec trade_subcommands[] = {
    {.name = "start",
     .description = "Start a trade with another player",
     .options = trade_start_options},
    {.name = "add",
     .description = "Offer a copy or currency in your trade",
     .options = trade_add_options},
    {.name = "remove",
     .description = "Take a copy or currency out of your offer",
     .options = trade_remove_options},
    {.name = "show", .description = "Your open trade as it stands"},
    {.name = "confirm", .description = "Agree to the trade as it stands now"},
    {.name = "cancel", .description = "End your trade; everything offered goes back"},
    {.name = NULL},
};

/* /admin (cmd_admin.c): each sub-command is the admin operation of the same name (a group's
 * "event create" is event_create), and each option the operation's argument of the same name,
 * as the REST API under /admin/v1 takes them (lib/admin_ops.h). */
static const struct pd_option_spec admin_ingest_options[] = {
    {.name = "artist",
     .type = PD_OPT_STRING,
     .description = "The artist's name, as MusicBrainz knows it",
     .required = true},
    {.name = NULL},
};
static const struct pd_option_spec admin_render_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "One card's public id (every card if empty)",
     .autocomplete = true},
    {.name = NULL},
};
static const struct pd_option_spec admin_setrarity_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "The card's public id, like TAYL_19#03",
     .required = true,
     .autocomplete = true},
    {.name = "rarity",
     .type = PD_OPT_STRING,
     .description = "Its new rarity",
     .required = true,
     .choices = rarity_choices},
    {.name = NULL},
};
static const struct pd_option_spec admin_delete_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "The card's public id, like TAYL_19#03",
     .required = true,
     .autocomplete = true},
    {.name = "refund",
     .type = PD_OPT_BOOLEAN,
     .description = "Pay each owner the card's burn value per copy (default true)"},
    {.name = NULL},
};
static const struct pd_option_spec admin_give_options[] = {
    {.name = "user",
     .type = PD_OPT_USER,
     .description = "Who gets it (or loses it)",
     .required = true},
    {.name = "amount",
     .type = PD_OPT_INTEGER,
     .description = "How much; negative takes back (never below zero)",
     .required = true},
    {.name = "currency",
     .type = PD_OPT_STRING,
     .description = "notes, discs or gems",
     .required = true,
     .choices = currency_choices},
    {.name = "reason",
     .type = PD_OPT_STRING,
     .description = "Why, for the audit log and the player's DM"},
    {.name = NULL},
};
static const struct pd_option_spec admin_purge_options[] = {
    {.name = "artist",
     .type = PD_OPT_STRING,
     .description = "The artist (pick a suggestion)",
     .required = true,
     .autocomplete = true},
    {.name = "refund",
     .type = PD_OPT_BOOLEAN,
     .description = "Pay each owner the burn value per copy (default true)"},
    {.name = NULL},
};
static const char *const event_claim_choices[] = {"event", "day", NULL};
/* /wishlist add and remove: exactly one of these (the handler refuses none or two). */
static const struct pd_option_spec wishlist_add_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "A card (pick a suggestion)",
     .autocomplete = true},
    {.name = "artist",
     .type = PD_OPT_STRING,
     .description = "Every card of an artist",
     .autocomplete = true},
    {.name = "era",
     .type = PD_OPT_STRING,
     .description = "Every card of an era",
     .autocomplete = true},
    {.name = NULL},
};
static const struct pd_option_spec wishlist_remove_options[] = {
    {.name = "card",
     .type = PD_OPT_STRING,
     .description = "A card on your wishlist",
     .autocomplete = true},
    {.name = "artist",
     .type = PD_OPT_STRING,
     .description = "An artist on your wishlist",
     .autocomplete = true},
    {.name = "era",
     .type = PD_OPT_STRING,
     .description = "An era on your wishlist",
     .autocomplete = true},
    {.name = NULL},
};
static const struct pd_subcommand_spec wishlist_subcommands[] = {
    {.name = "add",
     .description = "Wish for a card, an artist or an era",
     .options = wishlist_add_options},
    {.name = "remove", .description = "Take a wish off", .options = wishlist_remove_options},
    {.name = "list", .description = "Your wishlist (up to 50 entries)"},
    {.name = NULL},
};
static const struct pd_option_spec claim_event_pack_options[] = {
    {.name = "pack",
     .type = PD_OPT_STRING,
     .description = "The event pack to claim (those running here are suggested)",
     .required = true,
     .autocomplete = true},
    {.name = NULL},
};
static const struct pd_option_spec admin_event_create_options[] = {
    {.name = "name", .type = PD_OPT_STRING, .description = "The event's name", .required = true},
    {.name = "start",
     .type = PD_OPT_STRING,
     .description = "When it starts, UTC: 2026-12-24 18:00 (or a Unix time)",
     .required = true},
    {.name = "end",
     .type = PD_OPT_STRING,
     .description = "When it ends, UTC: 2026-12-31 23:59 (or a Unix time)",
     .required = true},
    {.name = "description", .type = PD_OPT_STRING, .description = "What players read about it"},
    {.name = "boosts",
     .type = PD_OPT_STRING,
     .description = "Rarity weight multipliers, like legendary=2,mythic=3"},
    {.name = "pack",
     .type = PD_OPT_STRING,
     .description = "An event pack of assets/packs.json, openable while it runs",
     .pack_choices = true},
    {.name = "guild",
     .type = PD_OPT_STRING,
     .description = "Only this server's players (a server id; global if empty)"},
    {.name = "claim",
     .type = PD_OPT_STRING,
     .description = "How often a player may claim its pack free (default once per event)",
     .choices = event_claim_choices},
    {.name = "consolation",
     .type = PD_OPT_INTEGER,
     .description = "Notes per temporary copy its owner gets when the event is over (default 0)"},
    {.name = NULL},
};
static const struct pd_option_spec admin_event_end_options[] = {
    {.name = "event",
     .type = PD_OPT_INTEGER,
     .description = "The event's id (/admin event list)",
     .required = true},
    {.name = NULL},
};
static const struct pd_subcommand_spec admin_event_group[] = {
    {.name = "create", .description = "Create an event", .options = admin_event_create_options},
    {.name = "end", .description = "End an event now", .options = admin_event_end_options},
    {.name = "list", .description = "Running, upcoming and recent events"},
    {.name = NULL},
};
static const struct pd_option_spec admin_temp_card_options[] = {
    {.name = "event",
     .type = PD_OPT_INTEGER,
     .description = "The event it belongs to",
     .required = true},
    {.name = "artist",
     .type = PD_OPT_STRING,
     .description = "The artist (pick a suggestion)",
     .required = true,
     .autocomplete = true},
    {.name = "era", .type = PD_OPT_STRING, .description = "The era's name", .required = true},
    {.name = "rarity",
     .type = PD_OPT_STRING,
     .description = "Its rarity",
     .required = true,
     .choices = rarity_choices},
    {.name = "image",
     .type = PD_OPT_ATTACHMENT,
     .description = "A picture to upload (else the era's image)"},
    {.name = "era_image",
     .type = PD_OPT_INTEGER,
     .description = "An era image's id to draw it from"},
    {.name = "expires",
     .type = PD_OPT_STRING,
     .description = "When copies expire, UTC (the event's end if empty)"},
    {.name = NULL},
};
static const struct pd_option_spec admin_flags_options[] = {
    {.name = "reviewed", .type = PD_OPT_BOOLEAN, .description = "Show reviewed flags too"},
    {.name = NULL},
};
static const struct pd_option_spec admin_flags_review_options[] = {
    {.name = "flag",
     .type = PD_OPT_INTEGER,
     .description = "The flag's id (/admin flags)",
     .required = true},
    {.name = NULL},
};
static const struct pd_option_spec admin_ban_options[] = {
    {.name = "user", .type = PD_OPT_USER, .description = "The player to suspend", .required = true},
    {.name = "reason", .type = PD_OPT_STRING, .description = "Why, for the audit log"},
    {.name = NULL},
};
static const struct pd_option_spec admin_user_options[] = {
    {.name = "user", .type = PD_OPT_USER, .description = "The player", .required = true},
    {.name = NULL},
};
static const struct pd_option_spec admin_audit_options[] = {
    {.name = "user", .type = PD_OPT_USER, .description = "Only what this admin did"},
    {.name = "action", .type = PD_OPT_STRING, .description = "Only this operation, like setrarity"},
    {.name = "before",
     .type = PD_OPT_INTEGER,
     .description = "Entries older than this id (the next page)"},
    {.name = NULL},
};
static const struct pd_option_spec admin_job_options[] = {
    {.name = "job", .type = PD_OPT_INTEGER, .description = "The job's id", .required = true},
    {.name = NULL},
};
static const struct pd_subcommand_spec admin_admins_group[] = {
    {.name = "add",
     .description = "Make a player an admin (owners only)",
     .options = admin_user_options},
    {.name = "remove",
     .description = "Take a player's admin rights (owners only)",
     .options = admin_user_options},
    {.name = "list", .description = "Who is an admin"},
    {.name = NULL},
};
static const struct pd_subcommand_spec admin_subcommands[] = {
    {.name = "ingest",
     .description = "Add an artist and its eras from MusicBrainz (a background job)",
     .options = admin_ingest_options},
    {.name = "sync",
     .description = "Ingest Last.fm's chart and similar artists (a background job)"},
    {.name = "force_render",
     .description = "Render cards again (a background job)",
     .options = admin_render_options},
    {.name = "setrarity",
     .description = "Change a card's rarity; every owner is told",
     .options = admin_setrarity_options},
    {.name = "delete_template",
     .description = "Remove a card and every copy, refunding owners",
     .options = admin_delete_options},
    {.name = "give_currency",
     .description = "Give or take Notes, Discs or Gems",
     .options = admin_give_options},
    {.name = "purge_artist",
     .description = "Remove an artist with its eras and cards, refunding owners",
     .options = admin_purge_options},
    {.name = "event", .description = "Events", .group = admin_event_group},
    {.name = "create_temp_card",
     .description = "Add a temporary card to an event",
     .options = admin_temp_card_options},
    {.name = "flags",
     .description = "Anti-abuse flags with the accounts involved",
     .options = admin_flags_options},
    {.name = "flags_review",
     .description = "Mark an anti-abuse flag reviewed",
     .options = admin_flags_review_options},
    {.name = "ban", .description = "Suspend a player", .options = admin_ban_options},
    {.name = "unban", .description = "Lift a player's suspension", .options = admin_user_options},
    {.name = "audit",
     .description = "What admins did, newest first",
     .options = admin_audit_options},
    {.name = "user",
     .description = "A player's balances, cards, flags and last activity",
     .options = admin_user_options},
    {.name = "payments",
     .description = "A player's payments, membership and Gems owed",
     .options = admin_user_options},
    {.name = "job", .description = "A background job's progress", .options = admin_job_options},
    {.name = "reseed", .description = "Seed the demo catalog again (owners; idempotent)"},
    {.name = "shutdown", .description = "Stop every PopDeck instance gracefully (owners)"},
    {.name = "clear_db",
     .description = "Drop and re-migrate the database (owners; ALLOW_CLEAR_DB=1)"},
    {.name = "admins", .description = "The admins table (owners)", .group = admin_admins_group},
    {.name = NULL},
};

const struct pd_command pd_commands[] = {
    {.name = "ping",
     .handler = cmd_ping,
     .flags = PD_CMD_EPHEMERAL,
     .description = "Check that PopDeck is awake and how fast it answers"},
    {.name = "help",
     .handler = cmd_help,
     .flags = PD_CMD_EPHEMERAL,
     .description = "What PopDeck can do"},
    {.name = "profile",
     .handler = cmd_profile,
     .flags = PD_CMD_DEFER | PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Your PopDeck profile: balances and join date"},
    {.name = "balance",
     .handler = cmd_balance,
     .description = "Notes, Discs and Gems of you or another player",
     .options = balance_options},
    {.name = "daily",
     .handler = cmd_daily,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Claim your daily Notes"},
    {.name = "missions",
     .handler = cmd_missions,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER | PD_CMD_EPHEMERAL,
     .description = "Today's and this week's missions, and their rewards to claim",
     .component = cmd_missions_button},
    {.name = "openpack",
     .handler = cmd_openpack,
     .flags = PD_CMD_DEFER | PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Open a pack and keep one of its cards",
     .options = openpack_options},
    {.name = "pick",
     .component = cmd_pick,
     .flags = PD_CMD_WRITE,
     .description = "Keep a card from a pack (the pack message's buttons)"},
    {.name = "draw",
     .handler = cmd_draw,
     .flags = PD_CMD_DEFER | PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Draw one card straight into your collection"},
    {.name = "mycards",
     .handler = cmd_mycards,
     .flags = PD_CMD_PLAYER,
     .description = "Your collection, ten cards a page",
     .options = mycards_options,
     .autocomplete = pd_list_autocomplete,
     .component = pd_list_button},
    {.name = "inventory",
     .handler = cmd_inventory,
     .description = "Look at another player's collection",
     .options = inventory_options,
     .autocomplete = pd_list_autocomplete},
    {.name = "privacy",
     .handler = cmd_privacy,
     .flags = PD_CMD_EPHEMERAL | PD_CMD_PLAYER,
     .description = "Hide or show your collection to others",
     .options = privacy_options},
    {.name = "viewcard",
     .handler = cmd_viewcard,
     .description = "A card up close: picture, rarity, copies and owners",
     .options = viewcard_options,
     .autocomplete = cmd_viewcard_autocomplete},
    {.name = "cooldowns",
     .handler = cmd_cooldowns,
     .flags = PD_CMD_EPHEMERAL | PD_CMD_PLAYER,
     .description = "When your daily, packs and draws are ready"},
    {.name = "leaderboard",
     .handler = cmd_leaderboard,
     .flags = PD_CMD_PLAYER,
     .description = "The top players and where you stand: collection, Notes or eras",
     .options = leaderboard_options,
     .component = cmd_leaderboard_button},
    /* Live ops: events (cmd_events.c, cmd_claim_event_pack.c) and wishlists (cmd_wishlist.c). */
    {.name = "events",
     .handler = cmd_events,
     .description = "Running and upcoming events: boosts, event packs, time left"},
    {.name = "claim_event_pack",
     .handler = cmd_claim_event_pack,
     .flags = PD_CMD_DEFER | PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Claim a running event's free pack and open it",
     .options = claim_event_pack_options,
     .autocomplete = cmd_claim_event_pack_autocomplete},
    {.name = "wishlist",
     .handler = cmd_wishlist,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER | PD_CMD_EPHEMERAL,
     .description = "Wish for cards, artists or eras: marked in packs, a DM when one is listed",
     .subcommands = wishlist_subcommands,
     .autocomplete = cmd_wishlist_autocomplete},
    {.name = "odds",
     .handler = cmd_odds,
     .description = "The exact odds of every rarity in every pack",
     .options = odds_options},
    /* Locks (the economy). */
    {.name = "lock",
     .handler = cmd_lock,
     .flags = PD_CMD_EPHEMERAL | PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Lock a copy so it can't be sold, traded, gifted or burned",
     .options = copy_option,
     .autocomplete = pd_copy_autocomplete},
    {.name = "unlock",
     .handler = cmd_unlock,
     .flags = PD_CMD_EPHEMERAL | PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Unlock a locked copy",
     .options = copy_option,
     .autocomplete = pd_copy_autocomplete},
    /* gifts: /burn, /gift, /shop, /exchange, /transfer_data */
    {.name = "burn",
     .handler = cmd_burn,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER | PD_CMD_EPHEMERAL,
     .description = "Sell copies back to the game for Notes",
     .subcommands = burn_subcommands,
     .autocomplete = pd_copy_autocomplete,
     .component = cmd_burn_button},
    {.name = "gift",
     .handler = cmd_gift,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Give another player a card, Notes, Discs or Gems",
     .options = gift_options,
     .autocomplete = pd_copy_autocomplete},
    {.name = "shop",
     .handler = cmd_shop,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Packs and what they cost, and Notes to Discs",
     .component = cmd_shop_button},
    {.name = "exchange",
     .handler = cmd_exchange,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER | PD_CMD_EPHEMERAL,
     .description = "Buy Discs with Notes",
     .options = exchange_options},
    {.name = "buy_gems",
     .handler = cmd_buy_gems,
     .flags = PD_CMD_EPHEMERAL,
     .description = "Buy Gems (or a membership) with money, through Stripe Checkout",
     .options = buy_gems_options},
    {.name = "transfer_data",
     .handler = cmd_transfer_data,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER | PD_CMD_GUILD_ONLY,
     .description = "Move your whole PopDeck account to another Discord account",
     .options = transfer_data_options,
     .component = cmd_transfer_button},
    /* The marketplace. */
    {.name = "sell",
     .handler = cmd_sell,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Put one of your copies up for sale on the market",
     .options = sell_options,
     .autocomplete = pd_copy_autocomplete},
    {.name = "market",
     .handler = cmd_market,
     .description = "Cards for sale here, ten a page, cheapest first",
     .options = market_options,
     .autocomplete = cmd_market_autocomplete,
     .component = cmd_market_button},
    {.name = "buy",
     .handler = cmd_buy,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Buy a card listed on the market",
     .options = buy_options,
     .autocomplete = cmd_buy_autocomplete,
     .component = cmd_buy_menu},
    {.name = "unlist",
     .handler = cmd_unlist,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER,
     .description = "Take one of your listings off the market",
     .options = unlist_options,
     .autocomplete = cmd_unlist_autocomplete},
    /* Trades (cmd_trade.c). */
    {.name = "trade",
     .handler = cmd_trade,
     .flags = PD_CMD_WRITE | PD_CMD_PLAYER | PD_CMD_GUILD_ONLY,
     .description = "Trade cards and currency with another player, with escrow",
     .subcommands = trade_subcommands,
     .autocomplete = cmd_trade_autocomplete,
     .component = cmd_trade_button},
    /* The admin surface (cmd_admin.c); the same operations as REST /admin/v1. */
    {.name = "admin",
     .handler = cmd_admin,
     .flags = PD_CMD_ADMIN | PD_CMD_EPHEMERAL,
     .description = "Run PopDeck: catalog, cards, currency, events, players (admins only)",
     .subcommands = admin_subcommands,
     .autocomplete = cmd_admin_autocomplete,
     .component = cmd_admin_button},
    {.name = NULL},
};

const struct pd_command *pd_command_find(const char *name)
{
  for (const struct pd_command *c = pd_commands; name != NULL && c->name != NULL; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

const struct pd_subcommand_spec *pd_command_sub(const struct pd_command *c, const char *name)
{
  for (const struct pd_subcommand_spec *s = c != NULL ? c->subcommands : NULL;
       s != NULL && s->name != NULL && name != NULL; s++) {
    size_t n = strlen(s->name);
    if (s->group == NULL && strcmp(s->name, name) == 0)
      return s;
    if (s->group != NULL && strncmp(s->name, name, n) == 0 && name[n] == ' ')
      for (const struct pd_subcommand_spec *g = s->group; g->name != NULL; g++)
        if (strcmp(g->name, name + n + 1) == 0)
          return g;
  }
  return NULL;
}

const struct pd_option_spec *pd_command_options(const struct pd_command *c, const char *subcommand)
{
  if (c == NULL)
    return NULL;
  if (c->subcommands == NULL)
    return c->options;
  const struct pd_subcommand_spec *s = pd_command_sub(c, subcommand);
  return s != NULL ? s->options : NULL;
}

/* The registration of an option list (Discord's application command option objects). */
static json_t *options_json(const struct pd_option_spec *list, const struct pd_game_config *game)
{
  json_t *opts = json_array();
  for (const struct pd_option_spec *o = list; opts != NULL && o != NULL && o->name != NULL; o++) {
    json_t *oj = json_pack("{s:s, s:i, s:s, s:b}", "name", o->name, "type", o->type, "description",
                           o->description, "required", o->required);
    if (o->autocomplete)
      json_object_set_new(oj, "autocomplete", json_true());
    if (o->amount) {
      json_object_set_new(oj, "min_value", json_integer(PD_AMOUNT_MIN));
      json_object_set_new(oj, "max_value", json_integer(PD_AMOUNT_MAX));
    }
    if (o->choices != NULL) {
      json_t *ch = json_array();
      for (const char *const *v = o->choices; *v != NULL; v++)
        json_array_append_new(ch, json_pack("{s:s, s:s}", "name", *v, "value", *v));
      json_object_set_new(oj, "choices", ch);
    }
    if (o->pack_choices && game != NULL) {
      json_t *ch = json_array();
      for (size_t k = 0; k < game->npacks; k++)
        json_array_append_new(
            ch, json_pack("{s:s, s:s}", "name", game->packs[k].name, "value", game->packs[k].id));
      json_object_set_new(oj, "choices", ch);
    }
    if (o->bundle_choices && game != NULL) {
      json_t *ch = json_array();
      for (size_t k = 0; k < game->nbundles; k++)
        if (game->bundles[k].nprices > 0)
          json_array_append_new(ch, json_pack("{s:s, s:s}", "name", game->bundles[k].name, "value",
                                              game->bundles[k].id));
      json_object_set_new(oj, "choices", ch);
    }
    json_array_append_new(opts, oj);
  }
  return opts;
}

/* A sub-command, or a group with its sub-commands, as Discord registers them. */
static json_t *subcommand_json(const struct pd_subcommand_spec *sc,
                               const struct pd_game_config *game)
{
  json_t *sj = json_pack("{s:s, s:i, s:s}", "name", sc->name, "type",
                         sc->group != NULL ? PD_OPT_SUB_COMMAND_GROUP : PD_OPT_SUB_COMMAND,
                         "description", sc->description);
  if (sc->group != NULL) {
    json_t *subs = json_array();
    for (const struct pd_subcommand_spec *g = sc->group; g->name != NULL; g++)
      json_array_append_new(subs, subcommand_json(g, game));
    json_object_set_new(sj, "options", subs);
  } else if (sc->options != NULL) {
    json_object_set_new(sj, "options", options_json(sc->options, game));
  }
  return sj;
}

bool pd_command_is_slash(const struct pd_command *c)
{
  return c != NULL && c->handler != NULL;
}

json_t *pd_commands_registration(const struct pd_game_config *game)
{
  json_t *list = json_array();
  for (const struct pd_command *c = pd_commands; list != NULL && c->name != NULL; c++) {
    if (!pd_command_is_slash(c))
      continue;
    /* contexts: 0 guild, 1 bot DM; guild-only commands are offered only in guilds. */
    json_t *cmd = json_pack("{s:s, s:i, s:s, s:[i]}", "name", c->name, "type", 1, "description",
                            c->description, "contexts", 0);
    if (cmd == NULL) {
      json_decref(list);
      return NULL;
    }
    if (!(c->flags & PD_CMD_GUILD_ONLY))
      json_array_append_new(json_object_get(cmd, "contexts"), json_integer(1));
    /* "0": no member has the permissions it needs, so Discord hides the command from everyone
     * but server administrators (the dispatcher still checks the admin list on every call).
     * Discord's API description takes it as an integer in requests (and answers a string). */
    if (c->flags & PD_CMD_ADMIN)
      json_object_set_new(cmd, "default_member_permissions", json_integer(0));
    if (c->subcommands != NULL) {
      json_t *subs = json_array();
      for (const struct pd_subcommand_spec *sc = c->subcommands; sc->name != NULL; sc++)
        json_array_append_new(subs, subcommand_json(sc, game));
      json_object_set_new(cmd, "options", subs);
    } else if (c->options != NULL) {
      json_object_set_new(cmd, "options", options_json(c->options, game));
    }
    json_array_append_new(list, cmd);
  }
  return list;
}
