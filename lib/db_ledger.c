/* db_ledger.c - the statement every balance change goes through (see db_ledger.h). */
#include "db_ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"

/* One currency column changed by a signed amount. */
#define ADD_COL(col, cur, amt) col " = " col " + CASE WHEN $7 = '" cur "' THEN " amt " ELSE 0 END"
#define ADD_ALL(amt)                                                                               \
  ADD_COL("coins", "notes", amt)                                                                   \
  ", " ADD_COL("discs", "discs", amt) ", " ADD_COL("gems", "gems", amt)
#define HAS_FUNDS                                                                                  \
  "CASE $7 WHEN 'notes' THEN coins WHEN 'discs' THEN discs ELSE gems END >= $8::bigint"

const struct pd_db_stmt pd_db_ledger_stmts[] = {
    {"ledger_op_new", "SELECT nextval('ledger_op_seq')"},
    /* The debit happens only with the funds there (no CHECK error, which would abort the
     * caller's transaction), and the credit only when the debit did: a data-modifying CTE runs
     * whether or not anything reads it, so c must itself wait for d.  The rows are written only
     * when each player side was updated.  The first column says how many rows went in: 2, or 0
     * when nothing moved. */
    {"ledger_move",
     "WITH d AS (UPDATE users SET " ADD_ALL(
         "-$8::bigint") " WHERE id = $3::int AND " HAS_FUNDS " RETURNING coins, discs, gems),"
                        " c AS (UPDATE users SET " ADD_ALL(
                            "$8::bigint") " WHERE id = $5::int AND ($3::int IS NULL OR EXISTS"
                                          " (SELECT 1 FROM d)) RETURNING coins, discs, gems),"
                                          " r AS (INSERT INTO ledger (op_id, kind, user_id, "
                                          "system_account, currency, amount, meta)"
                                          " SELECT $1::bigint, $2, x.u, x.s, $7, x.a, $9::jsonb"
                                          " FROM (VALUES ($3::int, $4::text, -$8::bigint), "
                                          "($5::int, $6::text, $8::bigint)) x(u, s, a)"
                                          " WHERE ($3::int IS NULL OR EXISTS (SELECT 1 FROM d))"
                                          " AND ($5::int IS NULL OR EXISTS (SELECT 1 FROM c)) "
                                          "RETURNING 1)"
                                          " SELECT (SELECT count(*) FROM r), d.coins, d.discs, "
                                          "d.gems, c.coins, c.discs, c.gems"
                                          " FROM (SELECT 1) one LEFT JOIN d ON true LEFT JOIN c ON "
                                          "true"},
    {NULL, NULL},
};

enum pd_result pd_ledger_op_new(struct pd_db *db, int64_t *op_id)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "ledger_op_new", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *op_id = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

static bool same_account(struct pd_account a, struct pd_account b)
{
  if (a.system != NULL || b.system != NULL)
    return a.system != NULL && b.system != NULL && strcmp(a.system, b.system) == 0;
  return a.user_id == b.user_id;
}

static void balances_at(const PGresult *r, int col, int64_t out[3])
{
  if (out == NULL || pd_db_val(r, 0, col) == NULL)
    return;
  for (int i = 0; i < 3; i++)
    out[i] = pd_db_int(r, 0, col + i);
}

enum pd_result pd_ledger_move(struct pd_db *db, int64_t op_id, const char *kind,
                              struct pd_account from, struct pd_account to, enum pd_currency c,
                              int64_t amount, json_t *meta, int64_t from_bal[3], int64_t to_bal[3])
{
  char op[24], fu[24], tu[24], amt[24];
  if (amount <= 0 || same_account(from, to) || (from.system == NULL && from.user_id <= 0) ||
      (to.system == NULL && to.user_id <= 0))
    return PD_E_INVALID;
  snprintf(op, sizeof(op), "%" PRId64, op_id);
  snprintf(fu, sizeof(fu), "%" PRId64, from.user_id);
  snprintf(tu, sizeof(tu), "%" PRId64, to.user_id);
  snprintf(amt, sizeof(amt), "%" PRId64, amount);
  char *meta_s = meta != NULL ? json_dumps(meta, JSON_COMPACT) : NULL;
  const char *params[9] = {op,
                           kind,
                           from.system == NULL ? fu : NULL,
                           from.system,
                           to.system == NULL ? tu : NULL,
                           to.system,
                           pd_currency_name(c),
                           amt,
                           meta_s};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "ledger_move", 9, params, &r);
  free(meta_s);
  if (rc != PD_OK)
    return rc;
  if (pd_db_int(r, 0, 0) != 2) {
    /* The debit found no funds (or no such player): nothing was written. */
    rc = from.system == NULL && pd_db_val(r, 0, 1) == NULL ? PD_E_CHECK : PD_E_NOTFOUND;
  } else {
    balances_at(r, 1, from_bal);
    balances_at(r, 4, to_bal);
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_ledger_game(struct pd_db *db, struct pd_player *p, const char *game,
                              enum pd_currency c, int64_t amount, const char *kind, json_t *meta,
                              int64_t *op_id)
{
  int64_t op = 0, bal[3] = {p->notes, p->discs, p->gems};
  enum pd_result rc = pd_ledger_op_new(db, &op);
  if (rc != PD_OK)
    return rc;
  if (amount > 0)
    rc = pd_ledger_move(db, op, kind, PD_GAME_ACCT(game), PD_PLAYER_ACCT(p->id), c, amount, meta,
                        NULL, bal);
  else
    rc = pd_ledger_move(db, op, kind, PD_PLAYER_ACCT(p->id), PD_GAME_ACCT(game), c, -amount, meta,
                        bal, NULL);
  if (rc != PD_OK)
    return rc;
  p->notes = bal[0];
  p->discs = bal[1];
  p->gems = bal[2];
  if (op_id != NULL)
    *op_id = op;
  return PD_OK;
}
