/* db_flags.c - statements for farming flags (see db_flags.h). */
#include "db_flags.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "db_areas.h"

const struct pd_db_stmt pd_db_flags_stmts[] = {
    {"flag_record", "INSERT INTO one_way_transfers (from_user, to_user, kind, op_id)"
                    " VALUES ($1, $2, $3, $4)"},
    /* How many one-way transfers the pair made in the last day, and the age in days of the
     * younger of the two accounts. */
    {"flag_facts",
     "SELECT (SELECT count(*) FROM one_way_transfers WHERE from_user = $1 AND to_user = $2"
     " AND at > pd_now() - interval '1 day'),"
     " (SELECT floor(extract(epoch FROM pd_now() - max(created_at)) / 86400)::bigint FROM users"
     " WHERE id IN ($1, $2))"},
    /* Raised unless the same kind was raised for the pair within the last day. */
    {"flag_raise",
     "INSERT INTO abuse_flags (kind, from_user, to_user, op_id, detail)"
     " SELECT $1, $2, $3, $4, $5::jsonb WHERE NOT EXISTS (SELECT 1 FROM abuse_flags"
     " WHERE kind = $1 AND from_user = $2 AND to_user = $3 AND at > pd_now() - interval '1 day')"
     " RETURNING id"},
    {NULL, NULL},
};

static enum pd_result raise_flag(struct pd_db *db, const char *kind, const char *from,
                                 const char *to, const char *op, json_t *detail, int *raised)
{
  char *d = json_dumps(detail, JSON_COMPACT);
  json_decref(detail);
  if (d == NULL)
    return PD_E_NOMEM;
  const char *params[5] = {kind, from, to, op, d};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "flag_raise", 5, params, &r);
  free(d);
  if (rc == PD_OK) {
    *raised += PQntuples(r);
    PQclear(r);
  }
  return rc;
}

enum pd_result pd_db_flag_one_way(struct pd_db *db, const struct pd_economy *ec, int64_t from,
                                  int64_t to, int64_t op_id, const char *kind, int *raised)
{
  char f[24], t[24], op[24];
  int n = 0;
  PGresult *r = NULL;
  snprintf(f, sizeof(f), "%" PRId64, from);
  snprintf(t, sizeof(t), "%" PRId64, to);
  snprintf(op, sizeof(op), "%" PRId64, op_id);
  const char *params[4] = {f, t, kind, op};
  enum pd_result rc = pd_db_exec(db, "flag_record", 4, params, NULL);
  if (rc == PD_OK)
    rc = pd_db_exec(db, "flag_facts", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  int64_t count = pd_db_int(r, 0, 0), youngest_days = pd_db_int(r, 0, 1);
  PQclear(r);
  if (count >= ec->farm_one_way_per_day)
    rc = raise_flag(db, PD_FLAG_ONE_WAY, f, t, op,
                    json_pack("{s:s, s:I, s:i}", "last", kind, "in_a_day", (json_int_t)count,
                              "threshold", ec->farm_one_way_per_day),
                    &n);
  if (rc == PD_OK && youngest_days < ec->young_account_days)
    rc = raise_flag(db, PD_FLAG_YOUNG, f, t, op,
                    json_pack("{s:s, s:I, s:I}", "last", kind, "youngest_days",
                              (json_int_t)youngest_days, "threshold_days",
                              (json_int_t)ec->young_account_days),
                    &n);
  if (raised != NULL)
    *raised = n;
  return rc;
}
