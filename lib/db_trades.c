/* db_trades.c - statements for trades and their escrow (see db_trades.h). */
#include "db_trades.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db_areas.h"
#include "utf8.h"

/* "Now" is the wall clock to the millisecond (the confirm delay is measured within a
 * transaction) moved by pd_clock's skew like pd_now(), so it is on the clock changed_at and
 * expires_at were written by. */
#define TRADE_COLS                                                                                 \
  "t.id, t.a_id, t.b_id, ua.discord_id, ub.discord_id, t.status, t.version,"                       \
  " coalesce(t.a_confirmed, 0), coalesce(t.b_confirmed, 0), t.a_notes, t.a_discs, t.a_gems,"       \
  " t.b_notes, t.b_discs, t.b_gems, (extract(epoch FROM t.changed_at) * 1000)::bigint,"            \
  " (extract(epoch FROM clock_timestamp() + (SELECT skew FROM pd_clock)) * 1000)::bigint,"         \
  " extract(epoch FROM t.expires_at)::bigint, coalesce(t.last_change, ''),"                        \
  " coalesce(t.close_reason, '')"
#define TRADE_FROM " FROM trades t JOIN users ua ON ua.id = t.a_id JOIN users ub ON ub.id = t.b_id"
#define COPY_NAMES " JOIN all_cards c ON c.id = uc.card_id JOIN artists a ON a.id = c.artist_id"

const struct pd_db_stmt pd_db_trades_stmts[] = {
    /* The trade row is what every change to a trade queues on: FOR UPDATE OF t only. */
    {"trade_of", "SELECT " TRADE_COLS TRADE_FROM " JOIN trade_players p ON p.trade_id = t.id"
                 " WHERE p.user_id = $1 AND t.status = 'open'"},
    {"trade_of_lock", "SELECT " TRADE_COLS TRADE_FROM " JOIN trade_players p ON p.trade_id = t.id"
                      " WHERE p.user_id = $1 AND t.status = 'open' FOR UPDATE OF t"},
    {"trade_get", "SELECT " TRADE_COLS TRADE_FROM " WHERE t.id = $1"},
    {"trade_get_lock", "SELECT " TRADE_COLS TRADE_FROM " WHERE t.id = $1 FOR UPDATE OF t"},
    {"trade_open",
     "INSERT INTO trades (a_id, b_id, expires_at, last_change)"
     " VALUES ($1, $2, pd_now() + make_interval(secs => $3::bigint), $4) RETURNING id"},
    /* A player already in an open trade keeps it: the primary key says one each. */
    {"trade_players_add", "INSERT INTO trade_players (user_id, trade_id) VALUES ($1, $3), ($2, $3)"
                          " ON CONFLICT (user_id) DO NOTHING RETURNING user_id"},
    {"trade_change",
     "UPDATE trades SET version = version + 1, a_confirmed = NULL, b_confirmed = NULL,"
     " changed_at = pd_now(), last_change = $2, expires_at = pd_now() + make_interval(secs => "
     "$3::bigint),"
     " a_notes = $4, a_discs = $5, a_gems = $6, b_notes = $7, b_discs = $8, b_gems = $9"
     " WHERE id = $1 AND status = 'open'"
     " RETURNING version, (extract(epoch FROM changed_at) * 1000)::bigint,"
     " extract(epoch FROM expires_at)::bigint"},
    {"trade_card_add", "INSERT INTO trade_cards (trade_id, user_card_id, from_user, added_version)"
                       " VALUES ($1, $2, $3, $4) RETURNING id"},
    {"trade_card_remove", "UPDATE trade_cards SET active = false WHERE trade_id = $1 AND"
                          " user_card_id = $2 AND from_user = $3 AND active RETURNING id"},
    {"trade_copies",
     "SELECT uc.id, tc.from_user, uc.user_id, uc.state, c.public_id, uc.print_no, c.rarity, a.name"
     " FROM trade_cards tc JOIN user_cards uc ON uc.id = tc.user_card_id" COPY_NAMES
     " WHERE tc.trade_id = $1 AND tc.active ORDER BY tc.id"},
    /* The swap's re-check: each offered copy locked, in id order (two swaps never wait on each
     * other's copies crosswise), read as it is now. */
    {"trade_copies_lock",
     "WITH k AS (SELECT uc.id FROM trade_cards tc JOIN user_cards uc ON uc.id = tc.user_card_id"
     " WHERE tc.trade_id = $1 AND tc.active ORDER BY uc.id FOR UPDATE OF uc)"
     " SELECT uc.id, tc.from_user, uc.user_id, uc.state, c.public_id, uc.print_no, c.rarity, a.name"
     " FROM trade_cards tc JOIN user_cards uc ON uc.id = tc.user_card_id" COPY_NAMES
     " WHERE tc.trade_id = $1 AND tc.active AND uc.id IN (SELECT id FROM k) ORDER BY tc.id"},
    {"trade_copy_count",
     "SELECT count(*) FROM trade_cards WHERE trade_id = $1 AND from_user = $2 AND active"},
    {"trade_balances", "SELECT id, coins, discs, gems FROM users WHERE id IN ($1, $2)"
                       " ORDER BY id FOR UPDATE"},
    {"trade_confirm", "UPDATE trades SET a_confirmed = CASE WHEN $2 = 0 THEN $3 ELSE a_confirmed"
                      " END, b_confirmed = CASE WHEN $2 = 1 THEN $3 ELSE b_confirmed END"
                      " WHERE id = $1 AND status = 'open' AND version = $3 RETURNING id"},
    {"trade_cards_close", "UPDATE trade_cards SET active = false WHERE trade_id = $1 AND active"
                          " RETURNING user_card_id"},
    /* Only after the offers closed (the composite key forbids it before). */
    {"trade_copies_free", "UPDATE user_cards SET state = 'free' WHERE id = ANY($1::bigint[])"
                          " AND state = 'trading'"},
    {"trade_close", "UPDATE trades SET status = $2, close_reason = $3, op_id = $4::bigint,"
                    " closed_at = pd_now() WHERE id = $1 AND status = 'open' RETURNING id"},
    {"trade_players_drop", "DELETE FROM trade_players WHERE trade_id = $1"},
    {"trades_expired", "SELECT id FROM trades WHERE status = 'open' AND expires_at <= pd_now()"
                       " ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED"},
    {"trade_suggest",
     "SELECT c.public_id, uc.print_no, a.name, c.rarity FROM trade_players p"
     " JOIN trades t ON t.id = p.trade_id AND t.status = 'open'"
     " JOIN trade_cards tc ON tc.trade_id = t.id AND tc.active AND tc.from_user = p.user_id"
     " JOIN user_cards uc ON uc.id = tc.user_card_id" COPY_NAMES " WHERE p.user_id = $1"
     " AND ($2 = '' OR lower(c.public_id || '/' || lpad(uc.print_no::text, 2, '0')) "
     "LIKE " LIKE_LITERAL("$2") " || '%' OR lower(a.name) LIKE '%' || " LIKE_LITERAL(
         "$2") " || '%')"
               " ORDER BY tc.id LIMIT 25"},
    {NULL, NULL},
};

static void i64(char *out, size_t n, int64_t v)
{
  snprintf(out, n, "%" PRId64, v);
}

int pd_trade_side(const struct pd_trade *t, int64_t user_id)
{
  if (user_id == t->user[PD_TRADE_A])
    return PD_TRADE_A;
  if (user_id == t->user[PD_TRADE_B])
    return PD_TRADE_B;
  return -1;
}

static void trade_from(const PGresult *r, struct pd_trade *t)
{
  memset(t, 0, sizeof(*t));
  t->id = pd_db_int(r, 0, 0);
  t->user[0] = pd_db_int(r, 0, 1);
  t->user[1] = pd_db_int(r, 0, 2);
  snprintf(t->discord[0], sizeof(t->discord[0]), "%s", pd_db_val(r, 0, 3));
  snprintf(t->discord[1], sizeof(t->discord[1]), "%s", pd_db_val(r, 0, 4));
  snprintf(t->status, sizeof(t->status), "%s", pd_db_val(r, 0, 5));
  t->version = pd_db_int(r, 0, 6);
  t->confirmed[0] = pd_db_int(r, 0, 7);
  t->confirmed[1] = pd_db_int(r, 0, 8);
  for (int s = 0; s < 2; s++)
    for (int c = 0; c < 3; c++)
      t->offer[s][c] = pd_db_int(r, 0, 9 + 3 * s + c);
  t->changed_ms = pd_db_int(r, 0, 15);
  t->now_ms = pd_db_int(r, 0, 16);
  t->expires_at = pd_db_int(r, 0, 17);
  pd_utf8_copy(t->last_change, sizeof(t->last_change), pd_db_val(r, 0, 18));
  pd_utf8_copy(t->close_reason, sizeof(t->close_reason), pd_db_val(r, 0, 19));
}

static enum pd_result one_trade(struct pd_db *db, const char *stmt, int64_t key,
                                struct pd_trade *out)
{
  char k[24];
  i64(k, sizeof(k), key);
  const char *params[1] = {k};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0)
    rc = PD_E_NOTFOUND;
  else
    trade_from(r, out);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_trade_of(struct pd_db *db, int64_t user_id, bool lock, struct pd_trade *out)
{
  return one_trade(db, lock ? "trade_of_lock" : "trade_of", user_id, out);
}

enum pd_result pd_db_trade_get(struct pd_db *db, int64_t trade_id, bool lock, struct pd_trade *out)
{
  return one_trade(db, lock ? "trade_get_lock" : "trade_get", trade_id, out);
}

enum pd_result pd_db_trade_open(struct pd_db *db, int64_t a, int64_t b, int64_t expiry_s,
                                const char *change, int64_t *trade_id)
{
  char as[24], bs[24], es[24], ts[24];
  i64(as, sizeof(as), a);
  i64(bs, sizeof(bs), b);
  i64(es, sizeof(es), expiry_s);
  const char *p1[4] = {as, bs, es, change};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "trade_open", 4, p1, &r);
  if (rc != PD_OK)
    return rc;
  *trade_id = pd_db_int(r, 0, 0);
  PQclear(r);
  i64(ts, sizeof(ts), *trade_id);
  const char *p2[3] = {as, bs, ts};
  rc = pd_db_exec(db, "trade_players_add", 3, p2, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 2 ? PD_OK : PD_E_CONFLICT;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_trade_change(struct pd_db *db, struct pd_trade *t, const char *change,
                                  int64_t expiry_s)
{
  char id[24], es[24], amt[6][24];
  i64(id, sizeof(id), t->id);
  i64(es, sizeof(es), expiry_s);
  const char *params[9] = {id, change, es};
  for (int i = 0; i < 6; i++) {
    i64(amt[i], sizeof(amt[i]), t->offer[i / 3][i % 3]);
    params[3 + i] = amt[i];
  }
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "trade_change", 9, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 1) {
    rc = PD_E_CONFLICT;
  } else {
    t->version = pd_db_int(r, 0, 0);
    t->changed_ms = pd_db_int(r, 0, 1);
    t->expires_at = pd_db_int(r, 0, 2);
    t->confirmed[0] = t->confirmed[1] = 0;
    pd_utf8_copy(t->last_change, sizeof(t->last_change), change);
  }
  PQclear(r);
  return rc;
}

static enum pd_result rows_or(struct pd_db *db, const char *stmt, int n, const char *const *params,
                              enum pd_result none)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, n, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) > 0 ? PD_OK : none;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_trade_card_add(struct pd_db *db, int64_t trade_id, int64_t copy_id,
                                    int64_t user, int64_t version)
{
  char t[24], c[24], u[24], v[24];
  i64(t, sizeof(t), trade_id);
  i64(c, sizeof(c), copy_id);
  i64(u, sizeof(u), user);
  i64(v, sizeof(v), version);
  const char *params[4] = {t, c, u, v};
  return rows_or(db, "trade_card_add", 4, params, PD_E_CONFLICT);
}

enum pd_result pd_db_trade_card_remove(struct pd_db *db, int64_t trade_id, int64_t copy_id,
                                       int64_t user)
{
  char t[24], c[24], u[24];
  i64(t, sizeof(t), trade_id);
  i64(c, sizeof(c), copy_id);
  i64(u, sizeof(u), user);
  const char *params[3] = {t, c, u};
  return rows_or(db, "trade_card_remove", 3, params, PD_E_NOTFOUND);
}

enum pd_result pd_db_trade_copies(struct pd_db *db, const struct pd_trade *t, bool lock,
                                  struct pd_trade_copy *out, size_t cap, size_t *n)
{
  char id[24];
  i64(id, sizeof(id), t->id);
  const char *params[1] = {id};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, lock ? "trade_copies_lock" : "trade_copies", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = (size_t)PQntuples(r);
  for (size_t i = 0; i < *n && i < cap; i++) {
    struct pd_trade_copy *c = &out[i];
    memset(c, 0, sizeof(*c));
    c->copy_id = pd_db_int(r, (int)i, 0);
    c->from = pd_db_int(r, (int)i, 1) == t->user[PD_TRADE_A] ? PD_TRADE_A : PD_TRADE_B;
    c->owner = pd_db_int(r, (int)i, 2);
    snprintf(c->state, sizeof(c->state), "%s", pd_db_val(r, (int)i, 3));
    pd_copyref_format(pd_db_val(r, (int)i, 4), pd_db_int(r, (int)i, 5), c->ref);
    snprintf(c->rarity, sizeof(c->rarity), "%s", pd_db_val(r, (int)i, 6));
    pd_utf8_copy(c->artist, sizeof(c->artist), pd_db_val(r, (int)i, 7));
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_trade_copy_count(struct pd_db *db, int64_t trade_id, int64_t user, int64_t *n)
{
  char t[24], u[24];
  i64(t, sizeof(t), trade_id);
  i64(u, sizeof(u), user);
  const char *params[2] = {t, u};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "trade_copy_count", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_trade_balances(struct pd_db *db, const struct pd_trade *t, int64_t bal[2][3])
{
  char a[24], b[24];
  i64(a, sizeof(a), t->user[0]);
  i64(b, sizeof(b), t->user[1]);
  const char *params[2] = {a, b};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "trade_balances", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 2)
    rc = PD_E_NOTFOUND;
  for (int i = 0; rc == PD_OK && i < 2; i++) {
    int side = pd_db_int(r, i, 0) == t->user[0] ? 0 : 1;
    for (int c = 0; c < 3; c++)
      bal[side][c] = pd_db_int(r, i, 1 + c);
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_trade_confirm(struct pd_db *db, struct pd_trade *t, int side, int64_t version)
{
  char id[24], s[24], v[24];
  i64(id, sizeof(id), t->id);
  i64(s, sizeof(s), side);
  i64(v, sizeof(v), version);
  const char *params[3] = {id, s, v};
  enum pd_result rc = rows_or(db, "trade_confirm", 3, params, PD_E_CONFLICT);
  if (rc == PD_OK)
    t->confirmed[side] = version;
  return rc;
}

enum pd_result pd_db_trade_cards_close(struct pd_db *db, int64_t trade_id, int64_t *ids, size_t cap,
                                       size_t *n)
{
  char t[24];
  i64(t, sizeof(t), trade_id);
  const char *params[1] = {t};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "trade_cards_close", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = (size_t)PQntuples(r);
  for (size_t i = 0; ids != NULL && i < *n && i < cap; i++)
    ids[i] = pd_db_int(r, (int)i, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_trade_close(struct pd_db *db, struct pd_trade *t, const char *status,
                                 const char *reason, int64_t op_id)
{
  char id[24], op[24], list[2 * PD_TRADE_MAX_COPIES * 24 + 8];
  int64_t ids[2 * PD_TRADE_MAX_COPIES];
  size_t n = 0;
  i64(id, sizeof(id), t->id);
  i64(op, sizeof(op), op_id);
  enum pd_result rc = pd_db_trade_cards_close(db, t->id, ids, PD_ARRAY_LEN(ids), &n);
  if (rc != PD_OK)
    return rc;
  if (n > PD_ARRAY_LEN(ids))
    return PD_E_INTERNAL; /* more than the offers allow: pd_db_trade_card_add's callers cap it */
  if (n > 0) {
    size_t at = 0;
    list[at++] = '{';
    for (size_t i = 0; i < n; i++)
      at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
    snprintf(list + at, sizeof(list) - at, "}");
    const char *p1[1] = {list};
    rc = pd_db_exec(db, "trade_copies_free", 1, p1, NULL);
    if (rc != PD_OK)
      return rc;
  }
  const char *p2[4] = {id, status, reason, op_id > 0 ? op : NULL};
  rc = rows_or(db, "trade_close", 4, p2, PD_E_CONFLICT);
  if (rc != PD_OK)
    return rc;
  const char *p3[1] = {id};
  rc = pd_db_exec(db, "trade_players_drop", 1, p3, NULL);
  if (rc == PD_OK) {
    snprintf(t->status, sizeof(t->status), "%s", status);
    pd_utf8_copy(t->close_reason, sizeof(t->close_reason), reason != NULL ? reason : "");
  }
  return rc;
}

enum pd_result pd_db_trades_expired(struct pd_db *db, int64_t *ids, size_t cap, size_t *n)
{
  char c[24];
  i64(c, sizeof(c), (int64_t)cap);
  const char *params[1] = {c};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "trades_expired", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = (size_t)PQntuples(r);
  for (size_t i = 0; i < *n && i < cap; i++)
    ids[i] = pd_db_int(r, (int)i, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_trade_suggest(struct pd_db *db, int64_t user, const char *typed,
                                   json_t **choices)
{
  char u[24];
  i64(u, sizeof(u), user);
  const char *params[2] = {u, typed != NULL ? typed : ""};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "trade_suggest", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  json_t *list = json_array();
  for (int i = 0; list != NULL && i < PQntuples(r); i++) {
    char ref[PD_COPYREF_SIZE], name[100];
    pd_copyref_format(pd_db_val(r, i, 0), pd_db_int(r, i, 1), ref);
    pd_utf8_fmt(name, sizeof(name), "%s · %s · %s (in your offer)", ref, pd_db_val(r, i, 2),
                pd_db_val(r, i, 3));
    json_array_append_new(list, json_pack("{s:s, s:s}", "name", name, "value", ref));
  }
  PQclear(r);
  if (list == NULL)
    return PD_E_NOMEM;
  *choices = list;
  return PD_OK;
}
