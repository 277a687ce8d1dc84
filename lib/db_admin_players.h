/* db_admin_players.h - statements of the admin's player operations (admin_players.c): bans
 * (user_bans, sql/015), the farming flags and their review, and what /admin user shows; plus
 * the suspension check every interaction passes first (server/dispatch.c). */
#ifndef PD_DB_ADMIN_PLAYERS_H
#define PD_DB_ADMIN_PLAYERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* What a ban's reason may hold (bytes): it is shown to the player on every command. */
#define PD_BAN_REASON_MAX 200

struct pd_ban {
  char reason[PD_BAN_REASON_MAX + 1]; /* "" when none was given */
  char banned_by[24];                 /* a Discord id, or "rest" */
  int64_t banned_at;                  /* Unix s */
};

/* Whether discord_id is suspended (one primary-key lookup); out (may be NULL) gets the ban. */
enum pd_result pd_db_ban_get(struct pd_db *db, const char *discord_id, bool *banned,
                             struct pd_ban *out);

#endif
