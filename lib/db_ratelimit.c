/* db_ratelimit.c - the statement behind the per-player command limit. */
#include "db_ratelimit.h"

#include <stdio.h>

#include "db_areas.h"

const struct pd_db_stmt pd_db_ratelimit_stmts[] = {
    {"rate_take", "SELECT allowed, retry_at_ms FROM rate_limit_take($1, $2, $3)"},
    {NULL, NULL},
};

enum pd_result pd_db_rate_take(struct pd_db *db, const char *discord_id, int max, int window_s,
                               bool *allowed, int64_t *retry_at)
{
  char m[16], w[24];
  PGresult *r = NULL;
  snprintf(m, sizeof(m), "%d", max);
  snprintf(w, sizeof(w), "%lld", (long long)window_s * 1000);
  const char *params[3] = {discord_id, m, w};
  *allowed = true;
  *retry_at = 0;
  enum pd_result rc = pd_db_exec(db, "rate_take", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 1) {
    *allowed = pd_db_bool(r, 0, 0);
    *retry_at = (pd_db_int(r, 0, 1) + 999) / 1000;
  }
  PQclear(r);
  return PD_OK;
}
