/* db_leaderboard.c - statements for player_guilds and the leaderboards (see db_leaderboard.h). */
#include "db_leaderboard.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"

const struct pd_db_stmt pd_db_leaderboard_stmts[] = {
    /* The NOT EXISTS finds a row seen within the day through the primary key and then inserts
     * nothing, so a player's commands write here once a day per server, not once a command. */
    {"player_guild_seen",
     "INSERT INTO player_guilds AS g (user_id, guild_id) SELECT $1, $2::bigint"
     " WHERE NOT EXISTS (SELECT 1 FROM player_guilds WHERE user_id = $1 AND guild_id = $2::bigint"
     " AND last_seen > pd_now() - interval '1 day')"
     " ON CONFLICT (user_id, guild_id) DO UPDATE SET last_seen = pd_now()"},
    /* Every part is an index range of leaderboard_ranks: the board's size is its last rank
     * (a backward scan, one row), the page a range of ranks, the caller's rank one lookup and
     * the neighbours the ranks around it.  The state row comes back even when the board is
     * empty.  Each player's Discord id is looked up row by row: joined, the planner took the
     * neighbours' range for thousands of rows and hashed all of users (900 ms at a million). */
    {"lb_view",
     "WITH me AS (SELECT rank FROM leaderboard_ranks WHERE user_id = $3 AND board = $1"
     " AND guild_id = $2),"
     " x AS (SELECT 0 AS part, r.rank, r.user_id, r.score FROM leaderboard_ranks r"
     "  WHERE r.board = $1 AND r.guild_id = $2 AND r.rank BETWEEN $4 AND $4 + 9" /* PD_LB_PAGE */
     "  UNION ALL SELECT 1, r.rank, r.user_id, r.score FROM leaderboard_ranks r, me"
     "  WHERE r.board = $1 AND r.guild_id = $2 AND r.rank BETWEEN me.rank - 1 AND me.rank + 1)"
     " SELECT coalesce((SELECT rank FROM leaderboard_ranks WHERE board = $1 AND guild_id = $2"
     " ORDER BY rank DESC LIMIT 1), 0),"
     " coalesce(extract(epoch FROM s.refreshed_at)::bigint, 0), x.part, x.rank,"
     " (SELECT u.discord_id FROM users u WHERE u.id = x.user_id), x.score, x.user_id = $3"
     " FROM leaderboard_state s LEFT JOIN x ON true ORDER BY x.part, x.rank"},
    {"lb_refresh",
     "SELECT ranked_players, rank_rows, took_ms FROM pd_leaderboard_refresh($1::bigint[])"},
    {NULL, NULL},
};

enum pd_result pd_db_player_guild_seen(struct pd_db *db, int64_t user_id, const char *guild_id)
{
  char id[24];
  snprintf(id, sizeof(id), "%" PRId64, user_id);
  const char *params[2] = {id, guild_id};
  return pd_db_exec(db, "player_guild_seen", 2, params, NULL);
}

static void row_from(const PGresult *r, int i, struct pd_lb_row *out)
{
  memset(out, 0, sizeof(*out));
  out->rank = pd_db_int(r, i, 3);
  snprintf(out->discord_id, sizeof(out->discord_id), "%s", pd_db_val(r, i, 4));
  out->score = pd_db_int(r, i, 5);
  out->me = pd_db_bool(r, i, 6);
}

enum pd_result pd_db_lb_view(struct pd_db *db, enum pd_lb_board board, int64_t guild_id,
                             int64_t user_id, int64_t first_rank, struct pd_lb_view *out)
{
  char b[8], g[24], u[24], f[24];
  snprintf(b, sizeof(b), "%d", (int)board);
  snprintf(g, sizeof(g), "%" PRId64, guild_id);
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  snprintf(f, sizeof(f), "%" PRId64, first_rank);
  const char *params[4] = {b, g, u, f};
  PGresult *r = NULL;
  memset(out, 0, sizeof(*out));
  enum pd_result rc = pd_db_exec(db, "lb_view", 4, params, &r);
  if (rc != PD_OK)
    return rc;
  for (int i = 0; i < PQntuples(r); i++) {
    out->total = pd_db_int(r, i, 0);
    out->refreshed_at = pd_db_int(r, i, 1);
    if (pd_db_val(r, i, 2) == NULL)
      continue; /* the state row alone: nothing on this board */
    if (pd_db_int(r, i, 2) == 0 && out->npage < PD_LB_PAGE) {
      row_from(r, i, &out->page[out->npage++]);
    } else if (pd_db_int(r, i, 2) == 1 && out->nnear < PD_ARRAY_LEN(out->near)) {
      struct pd_lb_row *n = &out->near[out->nnear++];
      row_from(r, i, n);
      if (n->me)
        out->my_rank = n->rank;
    }
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_lb_refresh_param(const int64_t weights[PD_RARITY_COUNT], char *out, size_t cap)
{
  size_t n = 0;
  for (int i = 0; i < PD_RARITY_COUNT; i++) {
    int k = snprintf(out + n, cap - n, "%s%" PRId64, i > 0 ? "," : "{", weights[i]);
    if (k < 0 || (size_t)k >= cap - n - 1)
      return PD_E_INVALID;
    n += (size_t)k;
  }
  snprintf(out + n, cap - n, "}");
  return PD_OK;
}

void pd_db_lb_refresh_result(const PGresult *r, int64_t *players, int64_t *rows, double *build_ms)
{
  *players = pd_db_int(r, 0, 0);
  *rows = pd_db_int(r, 0, 1);
  *build_ms = PQgetisnull(r, 0, 2) ? 0 : strtod(pd_db_val(r, 0, 2), NULL);
}
