/* db_users.h - players: registration, balances and cooldowns (balances change only through
 * db_ledger.h). */
#ifndef PD_DB_USERS_H
#define PD_DB_USERS_H

#include <jansson.h>
#include <stdbool.h>

#include "db.h"

enum pd_currency { PD_NOTES, PD_DISCS, PD_GEMS };
const char *pd_currency_name(enum pd_currency c); /* "notes", "discs", "gems" */

struct pd_player {
  int64_t id;
  char discord_id[24];
  int64_t notes, discs, gems;
  int64_t created_at;   /* Unix seconds */
  bool created;         /* registered by this call */
  int64_t member_until; /* an active membership's end (Unix s), 0: not a member */
  int64_t gem_debt;     /* Gems owed after a clawback (sql/018 gem_debts): none may be spent */
};

/* Registers the Discord user on first sight and returns the player either way. */
enum pd_result pd_db_user_ensure(struct pd_db *db, const char *discord_id, struct pd_player *out);
/* PD_E_NOTFOUND when the Discord user never played. */
enum pd_result pd_db_user_get(struct pd_db *db, const char *discord_id, struct pd_player *out);

/* Starts a cooldown of seconds for (user, command) when none is running.  *claimed says
 * whether it started; either way *until is when the running cooldown ends (Unix s). */
enum pd_result pd_db_cooldown_claim(struct pd_db *db, int64_t user_id, const char *command,
                                    int64_t seconds, bool *claimed, int64_t *until);

#endif
