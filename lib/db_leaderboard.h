/* db_leaderboard.h - the servers a player plays in, and the leaderboards' ranks (sql/025): one
 * statement for a page with the caller's own rank and neighbours, and the refresh that rebuilds
 * every rank from balances and copies. */
#ifndef PD_DB_LEADERBOARD_H
#define PD_DB_LEADERBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "rarity.h"

#define PD_LB_PAGE 10 /* players a page */

/* What a board ranks by (leaderboard_ranks.board). */
enum pd_lb_board { PD_LB_COLLECTION = 0, PD_LB_NOTES = 1, PD_LB_ERAS = 2 };

struct pd_lb_row {
  int64_t rank; /* 1 = the top */
  char discord_id[24];
  int64_t score;
  bool me;
};

/* One page of a board and where the caller stands on it. */
struct pd_lb_view {
  int64_t total;        /* players on the board */
  int64_t refreshed_at; /* epoch seconds of the ranks' refresh (database clock); 0: never */
  struct pd_lb_row page[PD_LB_PAGE];
  size_t npage;
  struct pd_lb_row near[3]; /* the caller with the players just above and below */
  size_t nnear;
  int64_t my_rank; /* 0: the caller is not on the board (yet) */
};

/* Records that user_id plays in guild_id (a snowflake as text): a row the first time, and
 * last_seen at most once a day; otherwise the statement only reads. */
enum pd_result pd_db_player_guild_seen(struct pd_db *db, int64_t user_id, const char *guild_id);

/* Ranks first_rank .. first_rank + PD_LB_PAGE - 1 of board in guild_id (0: global), and
 * user_id's own rank with its neighbours, in one statement. */
enum pd_result pd_db_lb_view(struct pd_db *db, enum pd_lb_board board, int64_t guild_id,
                             int64_t user_id, int64_t first_rank, struct pd_lb_view *out);

/* The statement "lb_refresh" rebuilds every board from the players' balances and copies
 * (pd_leaderboard_refresh), one copy of each rarity worth weights[rarity] collection points.
 * It is one statement, for outside a transaction on a connection without a statement timeout;
 * the scheduler's task sends it itself so that it can cancel it (cmd_leaderboard.c).
 * pd_db_lb_refresh_param makes its one parameter, pd_db_lb_refresh_result reads its row. */
enum pd_result pd_db_lb_refresh_param(const int64_t weights[PD_RARITY_COUNT], char *out,
                                      size_t cap);
void pd_db_lb_refresh_result(const PGresult *r, int64_t *players, int64_t *rows, double *build_ms);

#endif
