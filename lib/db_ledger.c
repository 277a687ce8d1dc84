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
  "CASE $7 WHEN 'notes' THEN coins WHEN 'discs' THEN discs ELSE gems END >= $8::bigint"            \
  " AND NOT " GEM_HOLD
/* A player who owes Gems after a clawback (sql/018 gem_debts) spends none until the debt is
 * settled; only the clawback and the settling themselves take Gems from them. */
#define GEM_HOLD                                                                                   \
  "($7 = 'gems' AND $2 NOT IN ('" PD_LEDGER_KIND_CLAWBACK "', '" PD_LEDGER_KIND_SETTLE "')"        \
  " AND EXISTS (SELECT 1 FROM gem_debts WHERE user_id = $3::int))"

/* The debit happens only with the funds there (no CHECK error, which would abort the caller's
 * transaction), and only when the player it pays exists; the credit only when the debit did: a
 * data-modifying CTE runs whether or not anything reads it, so c must itself wait for d.  The
 * rows are written only when each player side was updated.  Columns: how many rows went in (2,
 * or 0 when nothing moved), the payer's and the payee's balances, whether the payee exists. */
#define PAYEE_EXISTS "($5::int IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $5::int))"
#define LEDGER_MOVE                                                                                \
  "WITH d AS (UPDATE users SET " ADD_ALL(                                                          \
      "-$8::bigint") " WHERE id = $3::int AND " HAS_FUNDS " AND " PAYEE_EXISTS                     \
                     " RETURNING coins, discs, gems),"                                             \
                     " c AS (UPDATE users SET " ADD_ALL(                                           \
                         "$8::bigint") " WHERE id = $5::int"                                       \
                                       " AND ($3::int IS NULL OR EXISTS (SELECT 1 FROM d)) "       \
                                       "RETURNING coins, discs, gems),"                            \
                                       " r AS (INSERT INTO ledger (op_id, kind, user_id, "         \
                                       "system_account, currency, amount, meta)"                   \
                                       " SELECT $1::bigint, $2, x.u, x.s, $7, x.a, $9::jsonb"      \
                                       " FROM (VALUES ($3::int, $4::text, -$8::bigint), "          \
                                       "($5::int, $6::text, $8::bigint)) x(u, s, a)"               \
                                       " WHERE ($3::int IS NULL OR EXISTS (SELECT 1 FROM d))"      \
                                       " AND ($5::int IS NULL OR EXISTS (SELECT 1 FROM c)) "       \
                                       "RETURNING 1)"                                              \
                                       " SELECT (SELECT count(*) FROM r), d.coins, d.discs, "      \
                                       "d.gems, c.coins, c.discs, c.gems, " PAYEE_EXISTS           \
                                       ", " GEM_HOLD                                               \
                                       " FROM (SELECT 1) one LEFT JOIN d ON true LEFT JOIN c ON "  \
                                       "true"

/* pd_ledger_pay_many: the payments as rows (user, amount, meta), each its own operation of two
 * rows (the game's debit, the player's credit), every balance in one UPDATE.  Columns: each
 * payment's user and operation, how many players were updated, how many ledger rows written. */
#define PAY_COL(col, cur) col " = " col " + CASE WHEN $3 = '" cur "' THEN p.a ELSE 0 END"
#define LEDGER_PAY_MANY                                                                            \
  "WITH p AS MATERIALIZED (SELECT x.u, x.a, coalesce(x.m, $5::jsonb) AS m,"                        \
  " nextval('ledger_op_seq') AS op"                                                                \
  " FROM jsonb_to_recordset($1::jsonb) AS x(u int, a bigint, m jsonb)),"                           \
  " c AS (UPDATE users SET " PAY_COL("coins", "notes") ", " PAY_COL(                               \
      "discs", "discs") ", " PAY_COL("gems",                                                       \
                                     "gems") " FROM p WHERE users.id = p.u RETURNING users.id),"   \
                                             " r AS (INSERT INTO ledger (op_id, kind, user_id, "   \
                                             "system_account, currency, amount, meta)"             \
                                             " SELECT p.op, $2, x.u, x.s, $3, x.a, p.m FROM p "    \
                                             "JOIN c ON c.id = p.u CROSS JOIN LATERAL"             \
                                             " (VALUES (NULL::int, $4::text, -p.a), (p.u, "        \
                                             "NULL::text, p.a)) x(u, s, a) RETURNING 1)"           \
                                             " SELECT p.u, p.op, (SELECT count(*) FROM c), "       \
                                             "(SELECT count(*) FROM r) FROM p"

const struct pd_db_stmt pd_db_ledger_stmts[] = {
    {"ledger_op_new", "SELECT nextval('ledger_op_seq')"},
    {"ledger_move", LEDGER_MOVE},
    {"ledger_pay_many", LEDGER_PAY_MANY},
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
    bool payee = pd_db_bool(r, 0, 7);
    rc = payee && from.system == NULL && pd_db_val(r, 0, 1) == NULL ? PD_E_CHECK : PD_E_NOTFOUND;
    if (rc == PD_E_CHECK && pd_db_bool(r, 0, 8))
      rc = PD_E_HOLD;
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

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

enum pd_result pd_ledger_pay_many(struct pd_db *db, const char *game, const char *kind,
                                  enum pd_currency c, json_t *payments, json_t *meta, json_t **ops)
{
  size_t n = json_array_size(payments), i;
  json_t *row;
  *ops = NULL;
  if (game == NULL || !json_is_array(payments))
    return PD_E_INVALID;
  *ops = json_object();
  if (*ops == NULL)
    return PD_E_NOMEM;
  if (n == 0)
    return PD_OK;
  /* Each player once: two payments to one player would be one balance update but four rows. */
  int64_t *users = calloc(n, sizeof(*users));
  if (users == NULL)
    return PD_E_NOMEM;
  enum pd_result rc = PD_OK;
  json_array_foreach(payments, i, row)
  {
    users[i] = json_integer_value(json_object_get(row, "user"));
    if (users[i] <= 0 || json_integer_value(json_object_get(row, "amount")) <= 0)
      rc = PD_E_INVALID;
  }
  qsort(users, n, sizeof(*users), cmp_i64);
  for (i = 1; rc == PD_OK && i < n; i++)
    if (users[i] == users[i - 1])
      rc = PD_E_INVALID;
  free(users);
  if (rc != PD_OK)
    return rc;
  /* jsonb_to_recordset's names: u, a, m. */
  json_t *rows = json_array();
  json_array_foreach(payments, i, row) json_array_append_new(
      rows, json_pack("{s:O, s:O, s:O?}", "u", json_object_get(row, "user"), "a",
                      json_object_get(row, "amount"), "m", json_object_get(row, "meta")));
  char *rows_s = json_dumps(rows, JSON_COMPACT), *meta_s = pd_db_json_param(meta);
  json_decref(rows);
  const char *params[5] = {rows_s, kind, pd_currency_name(c), game, meta_s};
  PGresult *r = NULL;
  rc = rows_s != NULL ? pd_db_exec(db, "ledger_pay_many", 5, params, &r) : PD_E_NOMEM;
  free(rows_s);
  free(meta_s);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != (int)n || pd_db_int(r, 0, 2) != (int64_t)n ||
      pd_db_int(r, 0, 3) != 2 * (int64_t)n) {
    PQclear(r);
    return PD_E_NOTFOUND; /* a player is missing: the caller's transaction must roll back */
  }
  for (int k = 0; k < PQntuples(r); k++)
    json_object_set_new(*ops, pd_db_val(r, k, 0), json_integer(pd_db_int(r, k, 1)));
  PQclear(r);
  return PD_OK;
}
