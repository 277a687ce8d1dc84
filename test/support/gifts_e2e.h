/* gifts_e2e.h - what the burn, gift, shop and transfer suites share: sub-command
 * interactions, players, copies and currency set up through the ledger (so the books stay
 * balanced from the first row), and the books check every test ends with. */
#ifndef PD_GIFTS_E2E_H
#define PD_GIFTS_E2E_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "e2e.h"

/* A command interaction /command sub (sub NULL: no sub-command; "group sub": a sub-command of a
 * group, /admin event create); options go in with pd_ge_option. */
json_t *pd_ge_command(const char *command, const char *sub, const char *user_id);
/* Adds an option to the interaction's leaf options (a user option gets its resolved user; a
 * bot when bot is set).  value is stolen. */
void pd_ge_option(json_t *ix, const char *name, int type, json_t *value, int bot);

/* The player's users.id, registered age_days days ago (created when missing). */
int64_t pd_ge_player(struct pd_e2e *e, const char *discord_id, int age_days);
/* A new copy of the nth card (id order) of rarity for the player (print numbers as minting
 * gives them); ref gets PUBLIC_ID/PRINT.  Returns user_cards.id. */
int64_t pd_ge_copy(struct pd_e2e *e, const char *discord_id, const char *rarity, int nth,
                   char ref[48]);
/* Grants amount of currency to the player from the 'grants' account, as a ledger operation. */
void pd_ge_grant(struct pd_e2e *e, const char *discord_id, const char *currency, int64_t amount);
int64_t pd_ge_balance(struct pd_e2e *e, const char *discord_id, const char *currency);

/* The books: every operation sums to zero in each currency, every player's balance is the sum
 * of their ledger rows and never negative, every copy is in exactly one place (its state
 * matches its listing or trade offer, and its last move names its owner).  Returns "" or the
 * first thing wrong (static buffer). */
const char *pd_ge_books(struct pd_e2e *e);

/* Posts ix to server idx and returns the reply (caller owns); status must be 200. */
json_t *pd_ge_post(struct pd_e2e *e, int idx, json_t *ix);
/* The reply's text: content, else the first embed's description ("" when none). */
const char *pd_ge_text(json_t *reply);
/* The custom_id of button i of the reply's first row, or NULL. */
const char *pd_ge_button(json_t *reply, size_t row, size_t i);

/* A copy of assets/ under $PD_TMP/<name> (links to everything but packs.json) whose packs.json
 * has economy.<key> = value; env gets "ASSETS_DIR=<that copy>" for pd_e2e_server_start.
 * Returns 0 on success. */
int pd_ge_assets_with(const char *name, const char *key, long long value, char *env, size_t envlen);

#endif
