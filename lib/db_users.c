/* db_users.c - statements for players, the wallet and cooldowns. */
#include "db_users.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"

#define PLAYER_COLS "id, discord_id, coins, discs, gems, extract(epoch FROM created_at)::bigint"
/* After "created": an active membership's end and the Gems owed (sql/018); a new player has
 * neither. */
#define PAYMENT_COLS                                                                               \
  "coalesce((SELECT extract(epoch FROM m.ends_at)::bigint FROM memberships m"                      \
  " WHERE m.user_id = users.id AND m.ends_at > pd_now()), 0),"                                     \
  " coalesce((SELECT d.gems FROM gem_debts d WHERE d.user_id = users.id), 0)"

const struct pd_db_stmt pd_db_users_stmts[] = {
    /* ON CONFLICT DO NOTHING keeps a returning player's row unlocked; the second branch
     * finds it.  A concurrent first registration returns no row: the caller retries. */
    {"user_ensure",
     "WITH ins AS (INSERT INTO users (discord_id) VALUES ($1) ON CONFLICT (discord_id) DO NOTHING"
     " RETURNING " PLAYER_COLS ", true AS created, 0::bigint, 0::bigint)"
     " SELECT * FROM ins UNION ALL"
     " SELECT " PLAYER_COLS ", false, " PAYMENT_COLS " FROM users WHERE discord_id = $1 LIMIT 1"},
    {"user_get",
     "SELECT " PLAYER_COLS ", false, " PAYMENT_COLS " FROM users WHERE discord_id = $1"},
    /* The WHERE on DO UPDATE restarts only an expired cooldown; a running one returns no row. */
    {"cooldown_claim",
     "INSERT INTO user_cooldowns (user_id, command, expires_at)"
     " VALUES ($1, $2, pd_now() + make_interval(secs => $3::bigint))"
     " ON CONFLICT (user_id, command) DO UPDATE SET expires_at = EXCLUDED.expires_at"
     " WHERE user_cooldowns.expires_at <= pd_now()"
     " RETURNING ceil(extract(epoch FROM expires_at))::bigint"},
    {"cooldown_get", "SELECT ceil(extract(epoch FROM expires_at))::bigint FROM user_cooldowns "
                     "WHERE user_id = $1 AND command = $2"},
    {NULL, NULL},
};

const char *pd_currency_name(enum pd_currency c)
{
  switch (c) {
  case PD_NOTES:
    return "notes";
  case PD_DISCS:
    return "discs";
  case PD_GEMS:
    return "gems";
  }
  return "notes";
}

static void player_from(const PGresult *r, struct pd_player *p)
{
  memset(p, 0, sizeof(*p));
  p->id = pd_db_int(r, 0, 0);
  snprintf(p->discord_id, sizeof(p->discord_id), "%s", pd_db_val(r, 0, 1));
  p->notes = pd_db_int(r, 0, 2);
  p->discs = pd_db_int(r, 0, 3);
  p->gems = pd_db_int(r, 0, 4);
  p->created_at = pd_db_int(r, 0, 5);
  p->created = pd_db_bool(r, 0, 6);
  p->member_until = pd_db_int(r, 0, 7);
  p->gem_debt = pd_db_int(r, 0, 8);
}

static enum pd_result one_player(struct pd_db *db, const char *stmt, const char *discord_id,
                                 struct pd_player *out, enum pd_result none)
{
  PGresult *r = NULL;
  const char *params[1] = {discord_id};
  enum pd_result rc = pd_db_exec(db, stmt, 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    rc = none;
  } else {
    player_from(r, out);
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_user_ensure(struct pd_db *db, const char *discord_id, struct pd_player *out)
{
  return one_player(db, "user_ensure", discord_id, out, PD_E_DB_SOFT);
}

enum pd_result pd_db_user_get(struct pd_db *db, const char *discord_id, struct pd_player *out)
{
  return one_player(db, "user_get", discord_id, out, PD_E_NOTFOUND);
}

enum pd_result pd_db_cooldown_claim(struct pd_db *db, int64_t user_id, const char *command,
                                    int64_t seconds, bool *claimed, int64_t *until)
{
  char id[24], secs[24];
  snprintf(id, sizeof(id), "%" PRId64, user_id);
  snprintf(secs, sizeof(secs), "%" PRId64, seconds);
  const char *params[3] = {id, command, secs};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "cooldown_claim", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  *claimed = PQntuples(r) == 1;
  if (*claimed) {
    *until = pd_db_int(r, 0, 0);
    PQclear(r);
    return PD_OK;
  }
  PQclear(r);
  rc = pd_db_exec(db, "cooldown_get", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  *until = PQntuples(r) == 1 ? pd_db_int(r, 0, 0) : 0;
  PQclear(r);
  return PD_OK;
}
