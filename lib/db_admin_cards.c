/* db_admin_cards.c - statements of the admin's card operations (see db_admin_cards.h). */
#include "db_admin_cards.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"
#include "db_jobs.h"
#include "rarity.h"
#include "utf8.h"

/* The ids parameter of the removal statements. */
#define IDS "$1::bigint[]"

const struct pd_db_stmt pd_db_admin_cards_stmts[] = {
    /* The template row is what a mint, a rarity change and a removal of the card all write:
     * locking it first puts them in line.  FOR UPDATE cannot go through the all_cards view. */
    {"admin_card_lock",
     "WITH p AS (SELECT id FROM card_templates WHERE public_id = $1 AND removed_at IS NULL"
     " FOR UPDATE), t AS (SELECT -id AS id FROM temp_card_templates WHERE public_id = $1 AND"
     " removed_at IS NULL FOR UPDATE)"
     " SELECT c.id, c.public_id, c.rarity, a.name, e.name, c.artist_id, c.temporary"
     " FROM all_cards c JOIN artists a ON a.id = c.artist_id JOIN eras e ON e.id = c.era_id"
     " WHERE c.id IN (SELECT id FROM p UNION ALL SELECT id FROM t) ORDER BY c.temporary LIMIT 1"},
    /* Active listings carry the card's rarity for /market's sort and filter (sql/012): they
     * change with it.  Closed ones keep what they were sold or listed as. */
    {"admin_card_set_rarity",
     "WITH p AS (UPDATE card_templates SET made_as = coalesce(made_as, rarity), rarity = $2"
     " WHERE id = $1::bigint RETURNING id),"
     " t AS (UPDATE temp_card_templates SET rarity = $2 WHERE id = -$1::bigint RETURNING id),"
     " l AS (UPDATE market_listings SET rarity = $2, rarity_order = CASE $2::text"
     " WHEN 'mythic' THEN 0 WHEN 'legendary' THEN 1 WHEN 'epic' THEN 2 WHEN 'rare' THEN 3"
     " ELSE 4 END WHERE card_id = $1::bigint AND status = 'active' RETURNING id)"
     " SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM t), (SELECT count(*) FROM l)"},
    /* One direct message per owner, all in one statement (pd_db_job_add_dm's row shape); the
     * follow-up workers send them within Discord's limits. */
    {"admin_card_dm_owners",
     "WITH o AS (SELECT DISTINCT u.discord_id FROM user_cards uc JOIN users u ON u.id ="
     " uc.user_id WHERE uc.card_id = $1::bigint AND uc.state <> 'gone'"
     " AND (uc.expires_at IS NULL OR uc.expires_at > pd_now())),"
     " j AS (INSERT INTO followup_jobs (kind, application_id, interaction_token, method,"
     " payload, ref, token_expires_at, attach)"
     " SELECT 'message', $2, '', 'dm', jsonb_build_object('content', $3::text,"
     " 'allowed_mentions', jsonb_build_object('parse', '[]'::jsonb)), $4, 'infinity',"
     " jsonb_build_object('recipient_id', o.discord_id) FROM o ORDER BY o.discord_id"
     " RETURNING id)"
     " SELECT count(*), pg_notify('" PD_JOBS_CHANNEL "', coalesce(min(id), 0)::text) FROM j"},
    {"admin_artist_lock",
     "SELECT name, removed_at IS NOT NULL FROM artists WHERE id = $1::int FOR UPDATE"},
    {"admin_artist_cards",
     "WITH p AS (SELECT id FROM card_templates WHERE artist_id = $1::int AND removed_at IS NULL"
     " ORDER BY id FOR UPDATE), t AS (SELECT -id AS id FROM temp_card_templates WHERE"
     " artist_id = $1::int AND removed_at IS NULL ORDER BY id FOR UPDATE)"
     " SELECT id FROM p UNION ALL SELECT id FROM t"},
    {"removal_owners",
     "SELECT uc.user_id, u.discord_id, c.rarity, count(*),"
     " count(*) FILTER (WHERE uc.expires_at IS NULL OR uc.expires_at > pd_now()),"
     " count(*) FILTER (WHERE uc.state = 'listed'), count(*) FILTER (WHERE uc.state = 'trading')"
     " FROM user_cards uc JOIN users u ON u.id = uc.user_id JOIN all_cards c ON c.id = uc.card_id"
     " WHERE uc.card_id = ANY(" IDS ") AND uc.state <> 'gone' GROUP BY 1, 2, 3 ORDER BY 1"},
    {"removal_escrow",
     "SELECT (SELECT count(*) FROM market_listings WHERE card_id = ANY(" IDS ") AND status ="
     " 'active'), (SELECT count(DISTINCT tc.trade_id) FROM trade_cards tc JOIN user_cards uc ON"
     " uc.id = tc.user_card_id WHERE tc.active AND uc.card_id = ANY(" IDS "))"},
    /* The listings close first; only then may their copies leave 'listed' (sql/010). */
    {"removal_listings_cancel",
     "WITH l AS (UPDATE market_listings SET status = 'cancelled', closed_at = pd_now()"
     " WHERE card_id = ANY(" IDS ") AND status = 'active' RETURNING user_card_id)"
     " SELECT count(*), coalesce(array_agg(user_card_id), '{}')::text FROM l"},
    {"removal_listed_free",
     "UPDATE user_cards SET state = 'free' WHERE id = ANY(" IDS ") AND state = 'listed'"},
    {"removal_trades",
     "SELECT tc.trade_id, min(c.public_id) FROM trade_cards tc"
     " JOIN trades t ON t.id = tc.trade_id AND t.status = 'open'"
     " JOIN user_cards uc ON uc.id = tc.user_card_id JOIN all_cards c ON c.id = uc.card_id"
     " WHERE tc.active AND uc.card_id = ANY(" IDS ") GROUP BY tc.trade_id ORDER BY tc.trade_id"},
    /* As a burn does (db_copies.c copy_give): gone, with a move to nobody. */
    /* Every owner's copies at once, each owner's moves under their operation (a new one when
     * none is given: no refund). */
    {"removal_gone",
     "WITH o AS MATERIALIZED (SELECT x.u, coalesce(x.op, nextval('ledger_op_seq')) AS op"
     " FROM jsonb_to_recordset($2::jsonb) AS x(u int, op bigint)),"
     " g AS (UPDATE user_cards uc SET state = 'gone' FROM o WHERE uc.card_id = ANY(" IDS ")"
     " AND uc.user_id = o.u AND uc.state IN ('free', 'locked') RETURNING uc.id, uc.user_id, o.op),"
     " m AS (INSERT INTO card_moves (op_id, user_card_id, from_user, to_user, kind)"
     " SELECT g.op, g.id, g.user_id, NULL, 'removed' FROM g RETURNING 1)"
     " SELECT count(*) FROM m"},
    {"removal_left",
     "SELECT count(*) FROM user_cards WHERE card_id = ANY(" IDS ") AND state <> 'gone'"},
    {"removal_mark",
     "WITH p AS (UPDATE card_templates SET removed_at = pd_now() WHERE id = ANY(" IDS ")"
     " AND removed_at IS NULL RETURNING 1),"
     " t AS (UPDATE temp_card_templates SET removed_at = pd_now() WHERE id IN (SELECT -x FROM"
     " unnest(" IDS ") x WHERE x < 0) AND removed_at IS NULL RETURNING 1)"
     " SELECT (SELECT count(*) FROM p) + (SELECT count(*) FROM t)"},
    {"removal_mark_artist",
     "WITH a AS (UPDATE artists SET removed_at = pd_now() WHERE id = $1::int AND removed_at IS NULL"
     " RETURNING id), e AS (UPDATE eras SET removed_at = pd_now() WHERE artist_id = $1::int AND"
     " removed_at IS NULL RETURNING id), i AS (UPDATE era_images SET removed_at = pd_now() WHERE"
     " era_id IN (SELECT id FROM eras WHERE artist_id = $1::int) AND removed_at IS NULL"
     " RETURNING 1)"
     " SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM e), (SELECT count(*) FROM i)"},
    {NULL, NULL},
};

static void i64(char *out, size_t n, int64_t v)
{
  snprintf(out, n, "%" PRId64, v);
}

char *pd_db_card_ids(const int64_t *ids, size_t n)
{
  size_t cap = n * 22 + 3, at = 0;
  char *out = malloc(cap);
  if (out == NULL)
    return NULL;
  out[at++] = '{';
  for (size_t i = 0; i < n; i++)
    at += (size_t)snprintf(out + at, cap - at, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
  snprintf(out + at, cap - at, "}");
  return out;
}

enum pd_result pd_db_admin_card_lock(struct pd_db *db, const char *public_id,
                                     struct pd_admin_card *out)
{
  PGresult *r = NULL;
  const char *params[1] = {public_id};
  enum pd_result rc = pd_db_exec(db, "admin_card_lock", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  memset(out, 0, sizeof(*out));
  out->id = pd_db_int(r, 0, 0);
  pd_utf8_copy(out->public_id, sizeof(out->public_id), pd_db_val(r, 0, 1));
  snprintf(out->rarity, sizeof(out->rarity), "%s", pd_db_val(r, 0, 2));
  pd_utf8_copy(out->artist, sizeof(out->artist), pd_db_val(r, 0, 3));
  pd_utf8_copy(out->era, sizeof(out->era), pd_db_val(r, 0, 4));
  out->artist_id = pd_db_int(r, 0, 5);
  out->temporary = pd_db_bool(r, 0, 6);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_admin_card_set_rarity(struct pd_db *db, int64_t card_id, const char *rarity,
                                           int64_t *listings)
{
  char id[24];
  PGresult *r = NULL;
  i64(id, sizeof(id), card_id);
  const char *params[2] = {id, rarity};
  enum pd_result rc = pd_db_exec(db, "admin_card_set_rarity", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = pd_db_int(r, 0, 0) == 1 ? PD_OK : PD_E_NOTFOUND;
  *listings = pd_db_int(r, 0, 1);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_admin_card_dm_owners(struct pd_db *db, int64_t card_id,
                                          const char *application_id, const char *text,
                                          const char *ref, int64_t *n)
{
  char id[24];
  PGresult *r = NULL;
  i64(id, sizeof(id), card_id);
  const char *params[4] = {id, application_id, text, ref};
  enum pd_result rc = pd_db_exec(db, "admin_card_dm_owners", 4, params, &r);
  if (rc == PD_OK)
    *n = pd_db_int(r, 0, 0);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_admin_artist_lock(struct pd_db *db, int64_t artist_id, char name[128],
                                       bool *removed)
{
  char id[24];
  PGresult *r = NULL;
  i64(id, sizeof(id), artist_id);
  const char *params[1] = {id};
  enum pd_result rc = pd_db_exec(db, "admin_artist_lock", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    rc = PD_E_NOTFOUND;
  } else {
    pd_utf8_copy(name, 128, pd_db_val(r, 0, 0));
    *removed = pd_db_bool(r, 0, 1);
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_admin_artist_cards(struct pd_db *db, int64_t artist_id, int64_t **ids,
                                        size_t *n)
{
  char id[24];
  PGresult *r = NULL;
  i64(id, sizeof(id), artist_id);
  const char *params[1] = {id};
  *ids = NULL;
  *n = 0;
  enum pd_result rc = pd_db_exec(db, "admin_artist_cards", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  size_t rows = (size_t)PQntuples(r);
  int64_t *list = calloc(rows > 0 ? rows : 1, sizeof(*list));
  if (list == NULL) {
    PQclear(r);
    return PD_E_NOMEM;
  }
  for (size_t i = 0; i < rows; i++)
    list[i] = pd_db_int(r, (int)i, 0);
  PQclear(r);
  *ids = list;
  *n = rows;
  return PD_OK;
}

enum pd_result pd_db_removal_owners(struct pd_db *db, const char *ids,
                                    struct pd_removal_owner **owners, size_t *n)
{
  PGresult *r = NULL;
  const char *params[1] = {ids};
  *owners = NULL;
  *n = 0;
  enum pd_result rc = pd_db_exec(db, "removal_owners", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  size_t rows = (size_t)PQntuples(r), k = 0;
  struct pd_removal_owner *list = calloc(rows > 0 ? rows : 1, sizeof(*list));
  if (list == NULL) {
    PQclear(r);
    return PD_E_NOMEM;
  }
  /* Rows come by owner, one per rarity: folded into one entry per owner. */
  for (size_t i = 0; i < rows; i++) {
    int64_t user = pd_db_int(r, (int)i, 0);
    if (k == 0 || list[k - 1].user_id != user) {
      list[k].user_id = user;
      snprintf(list[k].discord_id, sizeof(list[k].discord_id), "%s", pd_db_val(r, (int)i, 1));
      k++;
    }
    struct pd_removal_owner *o = &list[k - 1];
    enum pd_rarity rar;
    o->copies += pd_db_int(r, (int)i, 3);
    if (pd_rarity_parse(pd_db_val(r, (int)i, 2), &rar) == PD_OK)
      o->refundable[rar] += pd_db_int(r, (int)i, 4);
    o->listed += pd_db_int(r, (int)i, 5);
    o->trading += pd_db_int(r, (int)i, 6);
  }
  PQclear(r);
  *owners = list;
  *n = k;
  return PD_OK;
}

enum pd_result pd_db_removal_escrow(struct pd_db *db, const char *ids, int64_t *listings,
                                    int64_t *trades)
{
  PGresult *r = NULL;
  const char *params[1] = {ids};
  enum pd_result rc = pd_db_exec(db, "removal_escrow", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *listings = pd_db_int(r, 0, 0);
  *trades = pd_db_int(r, 0, 1);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_removal_cancel_listings(struct pd_db *db, const char *ids, int64_t *n)
{
  PGresult *r = NULL;
  const char *params[1] = {ids};
  enum pd_result rc = pd_db_exec(db, "removal_listings_cancel", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = pd_db_int(r, 0, 0);
  char *copies = strdup(pd_db_val(r, 0, 1));
  PQclear(r);
  if (copies == NULL)
    return PD_E_NOMEM;
  const char *p2[1] = {copies};
  if (*n > 0)
    rc = pd_db_exec(db, "removal_listed_free", 1, p2, NULL);
  free(copies);
  return rc;
}

enum pd_result pd_db_removal_trades(struct pd_db *db, const char *ids, int64_t *trade_ids,
                                    char (*card_public_ids)[32], size_t cap, size_t *n)
{
  PGresult *r = NULL;
  const char *params[1] = {ids};
  enum pd_result rc = pd_db_exec(db, "removal_trades", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = (size_t)PQntuples(r);
  for (size_t i = 0; i < *n && i < cap; i++) {
    trade_ids[i] = pd_db_int(r, (int)i, 0);
    pd_utf8_copy(card_public_ids[i], 32, pd_db_val(r, (int)i, 1));
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_removal_gone(struct pd_db *db, const char *ids, json_t *owners, int64_t *n)
{
  PGresult *r = NULL;
  char *o = json_dumps(owners, JSON_COMPACT);
  if (o == NULL)
    return PD_E_NOMEM;
  const char *params[2] = {ids, o};
  enum pd_result rc = pd_db_exec(db, "removal_gone", 2, params, &r);
  free(o);
  if (rc == PD_OK)
    *n = pd_db_int(r, 0, 0);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_removal_left(struct pd_db *db, const char *ids, int64_t *n)
{
  PGresult *r = NULL;
  const char *params[1] = {ids};
  enum pd_result rc = pd_db_exec(db, "removal_left", 1, params, &r);
  if (rc == PD_OK)
    *n = pd_db_int(r, 0, 0);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_removal_mark(struct pd_db *db, const char *ids)
{
  const char *params[1] = {ids};
  return pd_db_exec(db, "removal_mark", 1, params, NULL);
}

enum pd_result pd_db_removal_mark_artist(struct pd_db *db, int64_t artist_id)
{
  char id[24];
  i64(id, sizeof(id), artist_id);
  const char *params[1] = {id};
  return pd_db_exec(db, "removal_mark_artist", 1, params, NULL);
}
