/* db_gifts.c - statements for gifts (see db_gifts.h). */
#include "db_gifts.h"

#include <inttypes.h>
#include <stdio.h>

#include "db_areas.h"

#define UTC_TODAY "(date_trunc('day', pd_now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"

const struct pd_db_stmt pd_db_gifts_stmts[] = {
    {"users_lock", "SELECT id FROM users WHERE id IN ($1, $2) ORDER BY id FOR UPDATE"},
    {"gift_day", "SELECT count(*) FILTER (WHERE giver_id = $1),"
                 " coalesce(sum(notes) FILTER (WHERE giver_id = $1), 0)::bigint,"
                 " count(*) FILTER (WHERE receiver_id = $2),"
                 " coalesce(sum(notes) FILTER (WHERE receiver_id = $2), 0)::bigint,"
                 " extract(epoch FROM " UTC_TODAY " + interval '1 day')::bigint"
                 " FROM gifts WHERE (giver_id = $1 OR receiver_id = $2) AND at >= " UTC_TODAY},
    {"gift_insert", "INSERT INTO gifts (giver_id, receiver_id, user_card_id, notes, discs, gems,"
                    " op_id) VALUES ($1, $2, $3, $4, $5, $6, $7)"},
    {NULL, NULL},
};

enum pd_result pd_db_users_lock(struct pd_db *db, int64_t a, int64_t b)
{
  char x[24], y[24];
  snprintf(x, sizeof(x), "%" PRId64, a);
  snprintf(y, sizeof(y), "%" PRId64, b);
  const char *params[2] = {x, y};
  return pd_db_exec(db, "users_lock", 2, params, NULL);
}

enum pd_result pd_db_gift_day(struct pd_db *db, int64_t giver, int64_t receiver,
                              struct pd_gift_day *out)
{
  char g[24], r[24];
  PGresult *res = NULL;
  snprintf(g, sizeof(g), "%" PRId64, giver);
  snprintf(r, sizeof(r), "%" PRId64, receiver);
  const char *params[2] = {g, r};
  enum pd_result rc = pd_db_exec(db, "gift_day", 2, params, &res);
  if (rc != PD_OK)
    return rc;
  out->given = pd_db_int(res, 0, 0);
  out->given_notes = pd_db_int(res, 0, 1);
  out->received = pd_db_int(res, 0, 2);
  out->received_notes = pd_db_int(res, 0, 3);
  out->resets_at = pd_db_int(res, 0, 4);
  PQclear(res);
  return PD_OK;
}

enum pd_result pd_db_gift_insert(struct pd_db *db, int64_t giver, int64_t receiver, int64_t copy_id,
                                 const int64_t amounts[3], int64_t op_id)
{
  char g[24], r[24], c[24], n[3][24], op[24];
  snprintf(g, sizeof(g), "%" PRId64, giver);
  snprintf(r, sizeof(r), "%" PRId64, receiver);
  snprintf(c, sizeof(c), "%" PRId64, copy_id);
  for (int i = 0; i < 3; i++)
    snprintf(n[i], sizeof(n[i]), "%" PRId64, amounts[i]);
  snprintf(op, sizeof(op), "%" PRId64, op_id);
  const char *params[7] = {g, r, copy_id > 0 ? c : NULL, n[0], n[1], n[2], op};
  return pd_db_exec(db, "gift_insert", 7, params, NULL);
}
