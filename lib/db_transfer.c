/* db_transfer.c - statements for whole-account transfers (see db_transfer.h). */
#include "db_transfer.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"

#define XFER_COLS                                                                                  \
  "t.id, t.from_user, (SELECT discord_id FROM users WHERE id = t.from_user),"                      \
  " coalesce(t.to_user, 0), t.to_discord_id, t.mode, t.status, t.expires_at <= pd_now(),"          \
  " extract(epoch FROM t.expires_at)::bigint, t.from_agreed, t.to_agreed"

const struct pd_db_stmt pd_db_transfer_stmts[] = {
    {"xfer_next",
     "SELECT coalesce(ceil(extract(epoch FROM max(closed_at) + make_interval(days => $3::int))),"
     " 0)::bigint FROM data_transfers WHERE status = 'done' AND closed_at > pd_now() -"
     " make_interval(days => $3::int) AND (from_user IN ($1, $2) OR to_user IN ($1, $2))"},
    {"xfer_trading", "SELECT user_id FROM trade_players WHERE user_id IN ($1, $2) ORDER BY"
                     " user_id = $1 DESC LIMIT 1"},
    {"xfer_touched",
     "SELECT coins + discs + gems > 0 OR EXISTS (SELECT 1 FROM user_cards WHERE user_id = u.id)"
     " OR EXISTS (SELECT 1 FROM ledger WHERE user_id = u.id) FROM users u WHERE id = $1"},
    {"xfer_expire_own", "UPDATE data_transfers SET status = 'expired', closed_at = pd_now()"
                        " WHERE from_user = $1 AND status = 'pending' AND expires_at <= pd_now()"},
    {"xfer_pending", "SELECT " XFER_COLS " FROM data_transfers t WHERE t.from_user = $1"
                     " AND t.status = 'pending'"},
    {"xfer_insert",
     "WITH t AS (INSERT INTO data_transfers (from_user, to_user, to_discord_id, mode, from_agreed,"
     " expires_at) VALUES ($1, $2, $3, $4, $5, pd_now() + make_interval(secs => $6::bigint))"
     " RETURNING *) SELECT " XFER_COLS " FROM t"},
    {"xfer_lock", "WITH k AS (SELECT id FROM data_transfers WHERE id = $1 FOR UPDATE)"
                  " SELECT " XFER_COLS " FROM data_transfers t JOIN k ON k.id = t.id"},
    {"xfer_agree", "UPDATE data_transfers SET from_agreed = from_agreed OR $2,"
                   " to_agreed = to_agreed OR $3 WHERE id = $1"},
    {"xfer_close", "UPDATE data_transfers SET status = $2, closed_at = pd_now(),"
                   " to_user = coalesce($3, to_user), op_id = $4, detail = $5::jsonb"
                   " WHERE id = $1 AND status = 'pending' RETURNING id"},
    /* The listing closes first (its copy_state goes NULL), then the copy is free again. */
    {"xfer_cancel_listings", "UPDATE market_listings SET status = 'cancelled', closed_at = pd_now()"
                             " WHERE seller_id = $1 AND status = 'active' RETURNING user_card_id"},
    {"xfer_free_listed", "UPDATE user_cards SET state = 'free' WHERE user_id = $1"
                         " AND state = 'listed' AND id = ANY($2::bigint[]) RETURNING id"},
    {"xfer_move_copies",
     "WITH m AS (UPDATE user_cards SET user_id = $2 WHERE user_id = $1 AND state <> 'gone'"
     " RETURNING id) INSERT INTO card_moves (op_id, user_card_id, from_user, to_user, kind)"
     " SELECT $3, m.id, $1, $2, 'transfer' FROM m RETURNING user_card_id"},
    {"xfer_cooldowns",
     "INSERT INTO user_cooldowns (user_id, command, expires_at) SELECT $2, command, expires_at"
     " FROM user_cooldowns WHERE user_id = $1 AND expires_at > pd_now()"
     " ON CONFLICT (user_id, command) DO UPDATE SET expires_at ="
     " greatest(user_cooldowns.expires_at, EXCLUDED.expires_at) RETURNING command"},
    {"xfer_balances", "SELECT coins, discs, gems FROM users WHERE id = $1 FOR UPDATE"},
    {"xfer_expire",
     "UPDATE data_transfers SET status = 'expired', closed_at = pd_now() WHERE id IN (SELECT id "
     "FROM"
     " data_transfers WHERE status = 'pending' AND expires_at <= pd_now() FOR UPDATE SKIP LOCKED)"
     " RETURNING id"},
    {NULL, NULL},
};

static void i64(char *out, size_t n, int64_t v)
{
  snprintf(out, n, "%" PRId64, v);
}

static void transfer_from(const PGresult *r, struct pd_transfer *t)
{
  memset(t, 0, sizeof(*t));
  t->id = pd_db_int(r, 0, 0);
  t->from_user = pd_db_int(r, 0, 1);
  snprintf(t->from_discord, sizeof(t->from_discord), "%s",
           pd_db_val(r, 0, 2) != NULL ? pd_db_val(r, 0, 2) : "");
  t->to_user = pd_db_int(r, 0, 3);
  snprintf(t->to_discord, sizeof(t->to_discord), "%s", pd_db_val(r, 0, 4));
  snprintf(t->mode, sizeof(t->mode), "%s", pd_db_val(r, 0, 5) != NULL ? pd_db_val(r, 0, 5) : "");
  snprintf(t->status, sizeof(t->status), "%s", pd_db_val(r, 0, 6));
  t->expired = pd_db_bool(r, 0, 7);
  t->expires_at = pd_db_int(r, 0, 8);
  t->from_agreed = pd_db_bool(r, 0, 9);
  t->to_agreed = pd_db_bool(r, 0, 10);
}

static enum pd_result one_transfer(struct pd_db *db, const char *stmt, int n,
                                   const char *const *params, struct pd_transfer *out)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, n, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0)
    rc = PD_E_NOTFOUND;
  else
    transfer_from(r, out);
  PQclear(r);
  return rc;
}

/* The first value of a one-row statement as a number (0 when no row). */
static enum pd_result one_int(struct pd_db *db, const char *stmt, int n, const char *const *params,
                              int64_t *out)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, n, params, &r);
  if (rc != PD_OK)
    return rc;
  *out = PQntuples(r) > 0 ? pd_db_int(r, 0, 0) : 0;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_transfer_next(struct pd_db *db, int64_t a, int64_t b, int64_t days,
                                   int64_t *next)
{
  char x[24], y[24], d[24];
  i64(x, sizeof(x), a);
  i64(y, sizeof(y), b);
  i64(d, sizeof(d), days);
  const char *params[3] = {x, b > 0 ? y : NULL, d};
  *next = 0;
  if (days <= 0)
    return PD_OK;
  return one_int(db, "xfer_next", 3, params, next);
}

enum pd_result pd_db_transfer_trading(struct pd_db *db, int64_t a, int64_t b, int64_t *who)
{
  char x[24], y[24];
  i64(x, sizeof(x), a);
  i64(y, sizeof(y), b);
  const char *params[2] = {x, b > 0 ? y : NULL};
  return one_int(db, "xfer_trading", 2, params, who);
}

enum pd_result pd_db_transfer_touched(struct pd_db *db, int64_t user, bool *touched)
{
  char x[24];
  PGresult *r = NULL;
  i64(x, sizeof(x), user);
  const char *params[1] = {x};
  enum pd_result rc = pd_db_exec(db, "xfer_touched", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *touched = PQntuples(r) > 0 && pd_db_bool(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_transfer_pending(struct pd_db *db, int64_t from, struct pd_transfer *out)
{
  char x[24];
  i64(x, sizeof(x), from);
  const char *params[1] = {x};
  enum pd_result rc = pd_db_exec(db, "xfer_expire_own", 1, params, NULL);
  if (rc != PD_OK)
    return rc;
  return one_transfer(db, "xfer_pending", 1, params, out);
}

enum pd_result pd_db_transfer_insert(struct pd_db *db, int64_t from, int64_t to,
                                     const char *to_discord, const char *mode, bool from_agreed,
                                     int64_t accept_s, struct pd_transfer *out)
{
  char f[24], t[24], s[24];
  i64(f, sizeof(f), from);
  i64(t, sizeof(t), to);
  i64(s, sizeof(s), accept_s);
  const char *params[6] = {f, to > 0 ? t : NULL, to_discord, mode, from_agreed ? "t" : "f", s};
  return one_transfer(db, "xfer_insert", 6, params, out);
}

enum pd_result pd_db_transfer_lock(struct pd_db *db, int64_t id, struct pd_transfer *out)
{
  char x[24];
  i64(x, sizeof(x), id);
  const char *params[1] = {x};
  return one_transfer(db, "xfer_lock", 1, params, out);
}

enum pd_result pd_db_transfer_agree(struct pd_db *db, int64_t id, bool from, bool to)
{
  char x[24];
  i64(x, sizeof(x), id);
  const char *params[3] = {x, from ? "t" : "f", to ? "t" : "f"};
  return pd_db_exec(db, "xfer_agree", 3, params, NULL);
}

enum pd_result pd_db_transfer_close(struct pd_db *db, int64_t id, const char *status,
                                    int64_t to_user, int64_t op_id, json_t *detail)
{
  char x[24], t[24], op[24];
  PGresult *r = NULL;
  i64(x, sizeof(x), id);
  i64(t, sizeof(t), to_user);
  i64(op, sizeof(op), op_id);
  char *d = detail != NULL ? json_dumps(detail, JSON_COMPACT) : NULL;
  const char *params[5] = {x, status, to_user > 0 ? t : NULL, op_id > 0 ? op : NULL, d};
  enum pd_result rc = pd_db_exec(db, "xfer_close", 5, params, &r);
  free(d);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_CONFLICT;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_transfer_move(struct pd_db *db, int64_t from, int64_t to, int64_t op_id,
                                   struct pd_transfer_moved *out)
{
  char f[24], t[24], op[24];
  PGresult *r = NULL;
  i64(f, sizeof(f), from);
  i64(t, sizeof(t), to);
  i64(op, sizeof(op), op_id);
  memset(out, 0, sizeof(*out));
  const char *one[1] = {f};
  enum pd_result rc = pd_db_exec(db, "xfer_cancel_listings", 1, one, &r);
  if (rc != PD_OK)
    return rc;
  /* The copies of the cancelled listings as an array literal: {1,2,3}. */
  out->listings = PQntuples(r);
  size_t cap = 3 + (size_t)out->listings * 21;
  char *ids = malloc(cap);
  if (ids == NULL) {
    PQclear(r);
    return PD_E_NOMEM;
  }
  size_t at = (size_t)snprintf(ids, cap, "{");
  for (int i = 0; i < PQntuples(r); i++)
    at += (size_t)snprintf(ids + at, cap - at, "%s%s", i > 0 ? "," : "", pd_db_val(r, i, 0));
  snprintf(ids + at, cap - at, "}");
  PQclear(r);
  const char *fp[2] = {f, ids};
  rc = pd_db_exec(db, "xfer_free_listed", 2, fp, NULL);
  free(ids);
  const char *mp[3] = {f, t, op};
  if (rc == PD_OK)
    rc = pd_db_exec(db, "xfer_move_copies", 3, mp, &r);
  if (rc != PD_OK)
    return rc;
  out->copies = PQntuples(r);
  PQclear(r);
  rc = pd_db_exec(db, "xfer_cooldowns", 2, mp, &r);
  if (rc != PD_OK)
    return rc;
  out->cooldowns = PQntuples(r);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_transfer_balances(struct pd_db *db, int64_t user, int64_t out[3])
{
  char x[24];
  PGresult *r = NULL;
  i64(x, sizeof(x), user);
  const char *params[1] = {x};
  enum pd_result rc = pd_db_exec(db, "xfer_balances", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 1)
    rc = PD_E_NOTFOUND;
  for (int i = 0; rc == PD_OK && i < 3; i++)
    out[i] = pd_db_int(r, 0, i);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_transfer_expire(struct pd_db *db, int64_t *n)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "xfer_expire", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *n = PQntuples(r);
  PQclear(r);
  return PD_OK;
}
