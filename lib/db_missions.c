/* db_missions.c - statements for missions and achievements (see db_missions.h). */
#include "db_missions.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db_areas.h"
#include "rarity.h"

const struct pd_db_stmt pd_db_missions_stmts[] = {
    /* Today's row and the lifetime row in one statement. */
    {"missions_record",
     "WITH d AS (INSERT INTO mission_counts (user_id, kind, day, n)"
     " VALUES ($1, $2, pd_period_start('1 day', pd_now()), $3)"
     " ON CONFLICT (user_id, kind, day) DO UPDATE SET n = mission_counts.n + excluded.n)"
     " INSERT INTO player_totals (user_id, kind, n) VALUES ($1, $2, $3)"
     " ON CONFLICT (user_id, kind) DO UPDATE SET n = player_totals.n + excluded.n RETURNING n"},
    /* The copy's rarity; the rarities its era's cards come in (by the artist's index); the
     * rarities of that era the owner holds; the owner's copies of this era and rarity; and all
     * the owner's copies.  An event's temporary copy has no template: NULL rarity. */
    {"missions_gain",
     "SELECT t.rarity,"
     " (SELECT count(DISTINCT x.rarity) FROM card_templates x WHERE x.artist_id = t.artist_id"
     " AND x.era_id = t.era_id AND x.removed_at IS NULL),"
     " (SELECT count(DISTINCT x.rarity) FROM user_cards o JOIN card_templates x"
     " ON x.id = o.template_id WHERE o.user_id = $1 AND o.state <> 'gone' AND x.era_id = t.era_id),"
     " (SELECT count(*) FROM user_cards o JOIN card_templates x ON x.id = o.template_id"
     " WHERE o.user_id = $1 AND o.state <> 'gone' AND x.era_id = t.era_id"
     " AND x.rarity = t.rarity),"
     " (SELECT count(*) FROM user_cards o WHERE o.user_id = $1 AND o.state <> 'gone')"
     " FROM user_cards c LEFT JOIN card_templates t ON t.id = c.template_id"
     " WHERE c.id = $2 AND c.user_id = $1"},
    /* Writes only on the first command of a UTC day: every later one reads and moves on, so
     * a player's commands do not queue on the row. */
    {"missions_login",
     "WITH today AS (SELECT pd_period_start('1 day', pd_now()) AS d)"
     " INSERT INTO login_streaks AS s (user_id, last_day, days, best)"
     " SELECT $1, today.d, 1, 1 FROM today WHERE NOT EXISTS (SELECT 1 FROM login_streaks o"
     " WHERE o.user_id = $1 AND o.last_day >= today.d)"
     " ON CONFLICT (user_id) DO UPDATE SET"
     " days = CASE WHEN s.last_day = excluded.last_day - interval '1 day' THEN s.days + 1 ELSE 1"
     " END,"
     " best = greatest(s.best, CASE WHEN s.last_day = excluded.last_day - interval '1 day'"
     " THEN s.days + 1 ELSE 1 END),"
     " last_day = excluded.last_day RETURNING days"},
    {"missions_unlock",
     "INSERT INTO achievements (user_id, achievement) SELECT $1, unnest($2::text[])"
     " ON CONFLICT DO NOTHING RETURNING achievement"},
    {"missions_periods", "SELECT extract(epoch FROM pd_period_start('1 day', pd_now()))::bigint,"
                         " extract(epoch FROM pd_period_start('7 days', pd_now()))::bigint,"
                         " extract(epoch FROM pd_now())::bigint"},
    {"missions_progress",
     "SELECT kind, coalesce(sum(n) FILTER (WHERE day = to_timestamp($2)), 0), sum(n)"
     " FROM mission_counts WHERE user_id = $1 AND day >= to_timestamp($3)"
     " AND day < to_timestamp($3) + interval '7 days' GROUP BY kind"},
    /* The run counts while its last day is today or yesterday: today's first command has not
     * come yet. */
    {"missions_streak",
     "SELECT CASE WHEN last_day >= pd_period_start('1 day', pd_now()) - interval '1 day'"
     " THEN days ELSE 0 END, best FROM login_streaks WHERE user_id = $1"},
    {"missions_claimed", "SELECT count(*) FROM mission_claims WHERE user_id = $1 AND period = $2"
                         " AND period_start = to_timestamp($3) AND mission = $4"},
    {"missions_claim", "INSERT INTO mission_claims (user_id, period, period_start, mission)"
                       " VALUES ($1, $2, to_timestamp($3), $4) ON CONFLICT DO NOTHING RETURNING 1"},
    {"missions_achievements",
     "SELECT achievement, extract(epoch FROM unlocked_at)::bigint FROM achievements"
     " WHERE user_id = $1 ORDER BY unlocked_at, achievement LIMIT $2"},
    {NULL, NULL},
};

enum pd_result pd_db_missions_record(struct pd_db *db, int64_t user_id, const char *kind, int64_t n,
                                     int64_t *total)
{
  char u[24], c[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  snprintf(c, sizeof(c), "%" PRId64, n);
  const char *params[3] = {u, kind, c};
  enum pd_result rc = pd_db_exec(db, "missions_record", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  *total = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_missions_gain(struct pd_db *db, int64_t user_id, int64_t copy_id,
                                   struct pd_gain *out)
{
  char u[24], c[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  snprintf(c, sizeof(c), "%" PRId64, copy_id);
  const char *params[2] = {u, c};
  enum pd_result rc = pd_db_exec(db, "missions_gain", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 1) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  enum pd_rarity rarity;
  out->rarity = -1;
  out->completes_era = false;
  if (!PQgetisnull(r, 0, 0) && pd_rarity_parse(PQgetvalue(r, 0, 0), &rarity) == PD_OK) {
    out->rarity = (int)rarity;
    int64_t era_has = pd_db_int(r, 0, 1), owner_has = pd_db_int(r, 0, 2);
    out->completes_era = era_has > 0 && owner_has >= era_has && pd_db_int(r, 0, 3) == 1;
  }
  out->owned = pd_db_int(r, 0, 4);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_missions_login(struct pd_db *db, int64_t user_id, int64_t *days)
{
  char u[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  const char *params[1] = {u};
  enum pd_result rc = pd_db_exec(db, "missions_login", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *days = PQntuples(r) == 1 ? pd_db_int(r, 0, 0) : 0;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_missions_unlock(struct pd_db *db, int64_t user_id, const char *const *ids,
                                     size_t n, bool *unlocked)
{
  /* Ids are [a-z0-9_] (lib/missions.c checks), so the array literal needs no quoting. */
  char u[24], arr[64 * (PD_MISSION_ID_MAX + 1) + 3];
  size_t used = 0;
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  arr[used++] = '{';
  for (size_t i = 0; i < n; i++) {
    unlocked[i] = false;
    int w = snprintf(arr + used, sizeof(arr) - used, "%s%s", i > 0 ? "," : "", ids[i]);
    if (w < 0 || (size_t)w >= sizeof(arr) - used - 1)
      return PD_E_INVALID;
    used += (size_t)w;
  }
  arr[used++] = '}';
  arr[used] = '\0';
  const char *params[2] = {u, arr};
  enum pd_result rc = pd_db_exec(db, "missions_unlock", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  for (int row = 0; row < PQntuples(r); row++)
    for (size_t i = 0; i < n; i++)
      if (strcmp(PQgetvalue(r, row, 0), ids[i]) == 0)
        unlocked[i] = true;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_missions_periods(struct pd_db *db, int64_t *day, int64_t *week, int64_t *now)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "missions_periods", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *day = pd_db_int(r, 0, 0);
  *week = pd_db_int(r, 0, 1);
  *now = pd_db_int(r, 0, 2);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_missions_progress(struct pd_db *db, int64_t user_id, int64_t day, int64_t week,
                                       struct pd_mission_progress *out)
{
  char u[24], d[24], w[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  snprintf(d, sizeof(d), "%" PRId64, day);
  snprintf(w, sizeof(w), "%" PRId64, week);
  const char *params[3] = {u, d, w};
  memset(out, 0, sizeof(*out));
  enum pd_result rc = pd_db_exec(db, "missions_progress", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  for (int row = 0; row < PQntuples(r); row++)
    for (int k = 0; k < PD_MK_COUNT; k++)
      if (strcmp(PQgetvalue(r, row, 0), pd_mission_kind_name((enum pd_mission_kind)k)) == 0) {
        out->counts[k][0] = pd_db_int(r, row, 1);
        out->counts[k][1] = pd_db_int(r, row, 2);
      }
  PQclear(r);
  rc = pd_db_exec(db, "missions_streak", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 1) {
    out->counts[PD_MK_LOGIN_STREAK][0] = out->counts[PD_MK_LOGIN_STREAK][1] = pd_db_int(r, 0, 0);
    out->best_streak = pd_db_int(r, 0, 1);
  }
  PQclear(r);
  return PD_OK;
}

static const char *period_name(enum pd_mission_period p)
{
  return p == PD_PERIOD_DAY ? "day" : "week";
}

enum pd_result pd_db_missions_claimed(struct pd_db *db, int64_t user_id,
                                      enum pd_mission_period period, int64_t start,
                                      const char *mission, bool *claimed)
{
  char u[24], s[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  snprintf(s, sizeof(s), "%" PRId64, start);
  const char *params[4] = {u, period_name(period), s, mission};
  enum pd_result rc = pd_db_exec(db, "missions_claimed", 4, params, &r);
  if (rc != PD_OK)
    return rc;
  *claimed = pd_db_int(r, 0, 0) > 0;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_missions_claim(struct pd_db *db, int64_t user_id,
                                    enum pd_mission_period period, int64_t start,
                                    const char *mission, bool *won)
{
  char u[24], s[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  snprintf(s, sizeof(s), "%" PRId64, start);
  const char *params[4] = {u, period_name(period), s, mission};
  enum pd_result rc = pd_db_exec(db, "missions_claim", 4, params, &r);
  if (rc != PD_OK)
    return rc;
  *won = PQntuples(r) == 1;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_missions_achievements(struct pd_db *db, int64_t user_id,
                                           struct pd_unlocked *out, size_t max, size_t *n)
{
  char u[24], m[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  snprintf(m, sizeof(m), "%zu", max);
  const char *params[2] = {u, m};
  enum pd_result rc = pd_db_exec(db, "missions_achievements", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = 0;
  for (int row = 0; row < PQntuples(r) && *n < max; row++) {
    snprintf(out[*n].id, sizeof(out[*n].id), "%s", PQgetvalue(r, row, 0));
    out[*n].at = pd_db_int(r, row, 1);
    (*n)++;
  }
  PQclear(r);
  return PD_OK;
}
