/* db_audit.c - the audit's statements (see db_audit.h and sql/011_audit.sql). */
#include "db_audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db_areas.h"

#define AUDIT_LOCK_KEY "7314159266" /* pg_try_advisory_lock key: one audit at a time */
/* Parameter n (microseconds since the epoch) as a timestamp, exactly. */
#define TS(n) "('epoch'::timestamptz + $" #n "::bigint * interval '1 microsecond')"
#define US(x) "(extract(epoch FROM " x ") * 1000000)::bigint"
/* The ledger rows a run reads after its checkpoint (horizon $H, highest id $M; none: all):
 * those dated at or after the horizon (the BRIN index on at, and partition pruning, find them
 * in a few pages), and any row written since with an older date (a higher id: the primary key). */
#define AFTER(cols, H, M)                                                                          \
  "SELECT " cols " FROM ledger WHERE at >= coalesce(" TS(                                          \
      H) ", '-infinity')"                                                                          \
         " UNION ALL SELECT " cols " FROM ledger WHERE at < coalesce(" TS(H) ", '-infinity')"      \
                                                                             " AND id > $" #M      \
                                                                             "::bigint"

const struct pd_db_stmt pd_db_audit_stmts[] = {
    {"audit_lock", "SELECT pg_try_advisory_lock(" AUDIT_LOCK_KEY ")"},
    /* Transactions of roles this one may not see show no xact_start; the margin covers them. */
    {"audit_clock", "SELECT " US("clock_timestamp()") ", coalesce((SELECT " US(
                        "min(xact_start)") " FROM pg_stat_activity"
                                           " WHERE datname = current_database() AND pid <> "
                                           "pg_backend_pid()), 0)"},
    {"audit_last",
     "SELECT id, " US("horizon") ", max_id FROM audit_runs"
                                 " WHERE accounts IS NOT NULL ORDER BY id DESC LIMIT 1"},
    {"audit_run_new", "INSERT INTO audit_runs (started_at, horizon, max_id, full_run)"
                      " VALUES (" TS(1) ", " TS(2) ", (SELECT coalesce(max(id), 0) FROM ledger),"
                                                   " $3::boolean) RETURNING id, max_id"},
    /* $1 this run, $2 the checkpoint's run (NULL: none), $3 its horizon, $4 its highest id,
     * $5 this run's horizon. */
    {"audit_fill",
     "WITH d AS (" AFTER(
         "user_id, system_account, currency, amount, at", 3,
         4) "),"
            " a AS (SELECT user_id, system_account, currency, sum(total)::bigint AS total,"
            " sum(settled)::bigint AS settled, sum(n)::bigint AS n FROM ("
            " SELECT user_id, system_account, currency, sum AS total, sum AS settled, 0 AS n"
            " FROM audit_sums WHERE run_id = $2::bigint"
            " UNION ALL SELECT user_id, system_account, currency, sum(amount),"
            " coalesce(sum(amount) FILTER (WHERE at < " TS(
                5) "), 0), count(*)"
                   " FROM d GROUP BY 1, 2, 3) x GROUP BY 1, 2, 3),"
                   " ins AS (INSERT INTO audit_sums (run_id, user_id, system_account, currency, "
                   "total, sum)"
                   " SELECT $1::bigint, user_id, system_account, currency, total, settled FROM a "
                   "RETURNING 1)"
                   " SELECT (SELECT count(*) FROM ins), (SELECT coalesce(sum(n), 0)::bigint FROM "
                   "a)"},
    {"audit_accounts",
     "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM system_accounts)"},
    /* Every player, with or without ledger rows: its three balances, then its three sums.  One
     * row per player joined by id (a merge or hash join), not one lookup per player and
     * currency. */
    {"audit_players",
     "SELECT u.id, u.discord_id, u.coins, u.discs, u.gems, coalesce(s.n, 0)::bigint,"
     " coalesce(s.d, 0)::bigint, coalesce(s.g, 0)::bigint FROM users u LEFT JOIN ("
     "SELECT user_id, sum(total) FILTER (WHERE currency = 'notes') AS n,"
     " sum(total) FILTER (WHERE currency = 'discs') AS d,"
     " sum(total) FILTER (WHERE currency = 'gems') AS g"
     " FROM audit_sums WHERE run_id = $1::bigint AND user_id IS NOT NULL GROUP BY user_id) s"
     " ON s.user_id = u.id"
     " WHERE u.coins <> coalesce(s.n, 0) OR u.discs <> coalesce(s.d, 0)"
     " OR u.gems <> coalesce(s.g, 0) OR u.coins < 0 OR u.discs < 0 OR u.gems < 0"
     " ORDER BY u.id LIMIT 1"},
    {"audit_system",
     "SELECT s.system_account, s.currency, s.total FROM audit_sums s"
     " JOIN system_accounts a ON a.name = s.system_account"
     " WHERE s.run_id = $1::bigint AND NOT a.issues AND s.total < 0 ORDER BY 1, 2 LIMIT 1"},
    /* An operation is read whole (ledger_op_idx) only when its rows after the checkpoint do
     * not sum to zero: an operation is written in one transaction, so its rows share one
     * date and are all after the checkpoint or all before it (checked then). */
    {"audit_ops",
     "WITH g AS (SELECT op_id,"
     " coalesce(sum(amount) FILTER (WHERE currency = 'notes'), 0) <> 0"
     " OR coalesce(sum(amount) FILTER (WHERE currency = 'discs'), 0) <> 0"
     " OR coalesce(sum(amount) FILTER (WHERE currency = 'gems'), 0) <> 0 AS off"
     " FROM (" AFTER(
         "op_id, currency, amount", 1,
         2) ") d GROUP BY op_id),"
            " c AS (SELECT count(*) AS ops, (array_agg(op_id ORDER BY op_id) FILTER (WHERE "
            "off))[1:1000]"
            " AS cand FROM g)"
            " SELECT c.ops, b.op_id, b.currency, b.s, b.kinds FROM c LEFT JOIN LATERAL ("
            " SELECT l.op_id, l.currency, sum(l.amount)::bigint AS s,"
            " string_agg(DISTINCT l.kind, ',' ORDER BY l.kind) AS kinds FROM ledger l"
            " WHERE l.op_id = ANY (c.cand) GROUP BY l.op_id, l.currency HAVING sum(l.amount) <> 0"
            " ORDER BY l.op_id, l.currency LIMIT 1) b ON true"},
    /* The first copy out of place, by check (the codes of audit_copy_kinds) then copy id. */
    {"audit_copies",
     "SELECT f.p, f.id, f.user_id, u.discord_id, f.card_id, f.print_no, f.state, f.n, f.other"
     " FROM ("
     "(SELECT 1 AS p, uc.id, uc.user_id, uc.card_id, uc.print_no, uc.state, x.n, 0::bigint AS other"
     " FROM user_cards uc CROSS JOIN LATERAL (SELECT count(*) AS n FROM market_listings ml"
     " WHERE ml.user_card_id = uc.id AND ml.status = 'active' AND ml.seller_id = uc.user_id) x"
     " WHERE uc.state = 'listed' AND x.n <> 1 ORDER BY uc.id LIMIT 1)"
     " UNION ALL (SELECT 2, uc.id, uc.user_id, uc.card_id, uc.print_no, uc.state, x.n, 0"
     " FROM user_cards uc CROSS JOIN LATERAL (SELECT count(*) AS n FROM trade_cards tc"
     " JOIN trades t ON t.id = tc.trade_id WHERE tc.user_card_id = uc.id AND tc.active"
     " AND tc.from_user = uc.user_id AND t.status = 'open') x"
     " WHERE uc.state = 'trading' AND x.n <> 1 ORDER BY uc.id LIMIT 1)"
     " UNION ALL (SELECT 3, uc.id, uc.user_id, uc.card_id, uc.print_no, uc.state, 0, ml.id"
     " FROM market_listings ml JOIN user_cards uc ON uc.id = ml.user_card_id"
     " WHERE ml.status = 'active' AND uc.state <> 'listed' ORDER BY uc.id LIMIT 1)"
     " UNION ALL (SELECT 4, uc.id, uc.user_id, uc.card_id, uc.print_no, uc.state, 0, tc.trade_id"
     " FROM trade_cards tc JOIN user_cards uc ON uc.id = tc.user_card_id"
     " WHERE tc.active AND uc.state <> 'trading' ORDER BY uc.id LIMIT 1)"
     " UNION ALL (SELECT 5, uc.id, uc.user_id, uc.card_id, uc.print_no, uc.state, d.n, d.second"
     " FROM (SELECT min(id) AS first, max(id) AS second, count(*) AS n FROM user_cards"
     " WHERE state <> 'gone' GROUP BY card_id, print_no HAVING count(*) > 1"
     " ORDER BY 1 LIMIT 1) d JOIN user_cards uc ON uc.id = d.first)"
     ") f JOIN users u ON u.id = f.user_id ORDER BY f.p, f.id LIMIT 1"},
    /* Each payment against the ledger (the first thing wrong, by check then payment): its grant
     * gave the player its Gems, one with Gems and no grant was reversed before it was paid, its
     * clawback took what it says, took-plus-owed is the payment, and no player owes more than
     * their payments left owed (settling only lowers a debt). */
    {"audit_payments",
     "SELECT f.p, f.id, u.discord_id, f.want, f.got FROM ("
     "(SELECT 1 AS p, p.id, p.user_id, p.gems AS want, coalesce(g.s, 0) AS got FROM payments p"
     " LEFT JOIN LATERAL (SELECT sum(l.amount) AS s FROM ledger l WHERE l.op_id = p.op_id"
     " AND l.user_id = p.user_id AND l.currency = 'gems') g ON true"
     " WHERE p.op_id IS NOT NULL AND coalesce(g.s, 0) <> p.gems ORDER BY p.id LIMIT 1)"
     " UNION ALL (SELECT 2, p.id, p.user_id, p.gems, 0 FROM payments p"
     " WHERE p.gems > 0 AND p.op_id IS NULL AND NOT (p.state = 'clawed_back'"
     " AND p.clawed_gems = 0 AND p.debt_gems = 0) ORDER BY p.id LIMIT 1)"
     " UNION ALL (SELECT 3, p.id, p.user_id, p.clawed_gems, coalesce(-g.s, 0) FROM payments p"
     " LEFT JOIN LATERAL (SELECT sum(l.amount) AS s FROM ledger l WHERE l.op_id = p.clawback_op_id"
     " AND l.user_id = p.user_id AND l.currency = 'gems') g ON true"
     " WHERE p.state = 'clawed_back' AND coalesce(-g.s, 0) <> p.clawed_gems ORDER BY p.id LIMIT 1)"
     " UNION ALL (SELECT 4, p.id, p.user_id, p.gems, p.clawed_gems + p.debt_gems FROM payments p"
     " WHERE p.state = 'clawed_back' AND p.op_id IS NOT NULL"
     " AND p.clawed_gems + p.debt_gems <> p.gems ORDER BY p.id LIMIT 1)"
     " UNION ALL (SELECT 5, 0, d.user_id, coalesce(o.s, 0), d.gems FROM gem_debts d"
     " LEFT JOIN LATERAL (SELECT sum(p.debt_gems) AS s FROM payments p"
     " WHERE p.user_id = d.user_id) o ON true WHERE d.gems > coalesce(o.s, 0)"
     " ORDER BY d.user_id LIMIT 1)"
     ") f JOIN users u ON u.id = f.user_id ORDER BY f.p, f.id LIMIT 1"},
    {"audit_finish", "UPDATE audit_runs SET accounts = $2::bigint, ops = $3::bigint,"
                     " rows_read = $4::bigint, seconds = $5::float8 WHERE id = $1::bigint"},
    {"audit_prune", "DELETE FROM audit_sums WHERE run_id < $1::bigint"},
    {NULL, NULL},
};

/* audit_payments' first column, in its order. */
static const enum pd_audit_kind audit_payment_kinds[] = {
    PD_AUDIT_CLEAN,    PD_AUDIT_PAYMENT,      PD_AUDIT_UNPAID,
    PD_AUDIT_CLAWBACK, PD_AUDIT_CLAWBACK_SUM, PD_AUDIT_DEBT,
};

/* audit_copies' first column, in its order. */
static const enum pd_audit_kind audit_copy_kinds[] = {
    PD_AUDIT_CLEAN,         PD_AUDIT_LISTED,      PD_AUDIT_TRADING,
    PD_AUDIT_LISTING_STATE, PD_AUDIT_OFFER_STATE, PD_AUDIT_DUPLICATE,
};

static void text_at(const PGresult *r, int col, char *out, size_t outlen)
{
  const char *v = pd_db_val(r, 0, col);
  snprintf(out, outlen, "%s", v != NULL ? v : "");
}

static void int_text(int64_t v, char out[24])
{
  snprintf(out, 24, "%" PRId64, v);
}

enum pd_result pd_db_audit_lock(struct pd_db *db, bool *got)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_lock", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *got = pd_db_bool(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_clock(struct pd_db *db, int64_t *now_us, int64_t *oldest_us)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_clock", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *now_us = pd_db_int(r, 0, 0);
  *oldest_us = pd_db_int(r, 0, 1);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_last(struct pd_db *db, struct pd_audit_checkpoint *cp)
{
  PGresult *r = NULL;
  memset(cp, 0, sizeof(*cp));
  enum pd_result rc = pd_db_exec(db, "audit_last", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) > 0) {
    cp->run_id = pd_db_int(r, 0, 0);
    cp->horizon_us = pd_db_int(r, 0, 1);
    cp->max_id = pd_db_int(r, 0, 2);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_run_new(struct pd_db *db, int64_t now_us, int64_t horizon_us, bool full,
                                   int64_t *run_id, int64_t *max_id)
{
  char now[24], h[24];
  int_text(now_us, now);
  int_text(horizon_us, h);
  const char *params[3] = {now, h, full ? "true" : "false"};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_run_new", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  *run_id = pd_db_int(r, 0, 0);
  *max_id = pd_db_int(r, 0, 1);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_fill(struct pd_db *db, int64_t run_id,
                                const struct pd_audit_checkpoint *cp, int64_t horizon_us,
                                int64_t *rows)
{
  char run[24], cp_run[24], cp_h[24], cp_max[24], h[24];
  int_text(run_id, run);
  int_text(cp->run_id, cp_run);
  int_text(cp->horizon_us, cp_h);
  int_text(cp->max_id, cp_max);
  int_text(horizon_us, h);
  bool none = cp->run_id == 0;
  const char *params[5] = {run, none ? NULL : cp_run, none ? NULL : cp_h, none ? "0" : cp_max, h};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_fill", 5, params, &r);
  if (rc != PD_OK)
    return rc;
  *rows = pd_db_int(r, 0, 1);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_analyze(struct pd_db *db)
{
  /* ANALYZE counts the rows this transaction inserted; it cannot be prepared. */
  return pd_db_exec_sql(db, "ANALYZE audit_sums");
}

enum pd_result pd_db_audit_accounts(struct pd_db *db, int64_t *accounts)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_accounts", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *accounts = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_players(struct pd_db *db, int64_t run_id, struct pd_audit_finding *f)
{
  char run[24];
  int_text(run_id, run);
  const char *params[1] = {run};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_players", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) > 0) {
    static const char *const names[3] = {"notes", "discs", "gems"};
    f->id = pd_db_int(r, 0, 0);
    text_at(r, 1, f->who, sizeof(f->who));
    /* The first currency that disagrees with its rows, else the first below zero. */
    for (int pass = 0; pass < 2 && f->kind == PD_AUDIT_CLEAN; pass++)
      for (int c = 0; c < 3 && f->kind == PD_AUDIT_CLEAN; c++) {
        int64_t bal = pd_db_int(r, 0, 2 + c), sum = pd_db_int(r, 0, 5 + c);
        if (pass == 0 ? bal != sum : bal < 0) {
          f->kind = pass == 0 ? PD_AUDIT_BALANCE : PD_AUDIT_NEGATIVE;
          snprintf(f->currency, sizeof(f->currency), "%s", names[c]);
          f->balance = bal;
          f->ledger = sum;
        }
      }
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_system(struct pd_db *db, int64_t run_id, struct pd_audit_finding *f)
{
  char run[24];
  int_text(run_id, run);
  const char *params[1] = {run};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_system", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) > 0) {
    f->kind = PD_AUDIT_SYSTEM;
    text_at(r, 0, f->who, sizeof(f->who));
    text_at(r, 1, f->currency, sizeof(f->currency));
    f->ledger = pd_db_int(r, 0, 2);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_ops(struct pd_db *db, const struct pd_audit_checkpoint *cp, int64_t *ops,
                               struct pd_audit_finding *f)
{
  char cp_h[24], cp_max[24];
  int_text(cp->horizon_us, cp_h);
  int_text(cp->max_id, cp_max);
  bool none = cp->run_id == 0;
  const char *params[2] = {none ? NULL : cp_h, none ? "0" : cp_max};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_ops", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  *ops = pd_db_int(r, 0, 0);
  if (pd_db_val(r, 0, 1) != NULL) {
    f->kind = PD_AUDIT_OP;
    f->id = pd_db_int(r, 0, 1);
    text_at(r, 2, f->currency, sizeof(f->currency));
    f->ledger = pd_db_int(r, 0, 3);
    text_at(r, 4, f->kinds, sizeof(f->kinds));
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_copies(struct pd_db *db, struct pd_audit_finding *f)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_copies", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) > 0) {
    int64_t p = pd_db_int(r, 0, 0);
    f->kind = p > 0 && p < (int64_t)PD_ARRAY_LEN(audit_copy_kinds) ? audit_copy_kinds[p]
                                                                   : PD_AUDIT_DUPLICATE;
    f->id = pd_db_int(r, 0, 1);
    f->owner = pd_db_int(r, 0, 2);
    text_at(r, 3, f->who, sizeof(f->who));
    f->card_id = pd_db_int(r, 0, 4);
    f->print_no = pd_db_int(r, 0, 5);
    text_at(r, 6, f->state, sizeof(f->state));
    f->count = pd_db_int(r, 0, 7);
    f->other = pd_db_int(r, 0, 8);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_audit_finish(struct pd_db *db, int64_t run_id, int64_t accounts, int64_t ops,
                                  int64_t rows, double seconds)
{
  char run[24], acc[24], op[24], rw[24], secs[32];
  int_text(run_id, run);
  int_text(accounts, acc);
  int_text(ops, op);
  int_text(rows, rw);
  snprintf(secs, sizeof(secs), "%.3f", seconds);
  const char *params[5] = {run, acc, op, rw, secs};
  enum pd_result rc = pd_db_exec(db, "audit_finish", 5, params, NULL);
  if (rc == PD_OK)
    rc = pd_db_exec(db, "audit_prune", 1, params, NULL);
  return rc;
}

enum pd_result pd_db_audit_payments(struct pd_db *db, struct pd_audit_finding *f)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "audit_payments", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) > 0) {
    int64_t p = pd_db_int(r, 0, 0);
    f->kind = p > 0 && p < (int64_t)PD_ARRAY_LEN(audit_payment_kinds) ? audit_payment_kinds[p]
                                                                      : PD_AUDIT_DEBT;
    f->id = pd_db_int(r, 0, 1);
    text_at(r, 2, f->who, sizeof(f->who));
    f->want = pd_db_int(r, 0, 3);
    f->got = pd_db_int(r, 0, 4);
  }
  PQclear(r);
  return PD_OK;
}
