/* db_wishlist.c - statements for wishlists and their market notices (see db_wishlist.h). */
#include "db_wishlist.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"
#include "utf8.h"

/* Whether wishlist entry w wants card c (an all_cards row): the card, its artist or its era. */
#define WANTS(w, c)                                                                                \
  "((" w ".kind = 'card' AND " w ".target = " c ".id) OR (" w ".kind = 'artist' AND " w            \
  ".target = " c ".artist_id) OR (" w ".kind = 'era' AND " w ".target = " c ".era_id))"

const struct pd_db_stmt pd_db_wishlist_stmts[] = {
    {"wish_resolve_card",
     "SELECT c.id, left(c.public_id || ' · ' || a.name || ' — ' || e.name || ' · ' || c.rarity,"
     " 100) FROM all_cards c JOIN artists a ON a.id = c.artist_id JOIN eras e ON e.id = c.era_id"
     " WHERE lower(c.public_id) = lower($1) ORDER BY c.public_id = $1 DESC LIMIT 1"},
    {"wish_resolve_artist",
     "SELECT id, left(name, 100) FROM artists WHERE removed_at IS NULL AND lower(name) = lower($1)"
     " ORDER BY name = $1 DESC, id LIMIT 1"},
    {"wish_resolve_era",
     "SELECT e.id, left(e.name || ' (' || a.name || ')', 100) FROM eras e JOIN artists a ON"
     " a.id = e.artist_id WHERE e.removed_at IS NULL AND ('e:' || e.id = $1 OR lower(e.name) ="
     " lower($1)) ORDER BY 'e:' || e.id = $1 DESC, e.id LIMIT 1"},
    {"wish_state",
     "SELECT EXISTS (SELECT 1 FROM wishlists WHERE user_id = $1::int AND kind = $2 AND target ="
     " $3::bigint), (SELECT count(*) FROM wishlists WHERE user_id = $1::int)"},
    {"wish_insert", "INSERT INTO wishlists (user_id, kind, target) VALUES ($1::int, $2, $3::bigint)"
                    " ON CONFLICT DO NOTHING RETURNING 1"},
    {"wish_delete", "DELETE FROM wishlists WHERE user_id = $1::int AND kind = $2 AND target ="
                    " $3::bigint RETURNING 1"},
    {"wish_list",
     "SELECT w.kind, coalesce(CASE w.kind"
     " WHEN 'card' THEN (SELECT left(c.public_id || ' · ' || a.name || ' — ' || e.name || ' · ' ||"
     " c.rarity, 100) FROM all_cards c JOIN artists a ON a.id = c.artist_id JOIN eras e ON e.id ="
     " c.era_id WHERE c.id = w.target)"
     " WHEN 'artist' THEN (SELECT left(name, 100) FROM artists WHERE id = w.target)"
     " ELSE (SELECT left(e.name || ' (' || a.name || ')', 100) FROM eras e JOIN artists a ON a.id ="
     " e.artist_id WHERE e.id = w.target) END, '(gone)'),"
     " coalesce(CASE w.kind WHEN 'card' THEN (SELECT public_id FROM all_cards WHERE id = w.target)"
     " WHEN 'artist' THEN (SELECT name FROM artists WHERE id = w.target)"
     " ELSE 'e:' || w.target END, '')"
     " FROM wishlists w WHERE w.user_id = $1::int ORDER BY w.created_at, w.kind, w.target"
     " LIMIT 50"},
    {"wish_wanted_by",
     "SELECT count(DISTINCT w.user_id) FROM all_cards c JOIN wishlists w ON " WANTS(
         "w", "c") " WHERE c.id = $1::bigint"},
    {"wish_marks",
     "SELECT c.id FROM all_cards c WHERE c.id = ANY($2::bigint[]) AND EXISTS (SELECT 1 FROM"
     " wishlists w WHERE w.user_id = $1::int AND " WANTS("w", "c") ")"},
    {"wish_listed",
     "WITH n AS (INSERT INTO wishlist_notices (user_id, listing_id) SELECT DISTINCT w.user_id,"
     " $1::bigint FROM all_cards c JOIN wishlists w ON " WANTS(
         "w", "c") " WHERE c.id = $2::bigint AND w.user_id <> $3::int ON CONFLICT DO NOTHING "
                   "RETURNING 1)"
                   " SELECT count(*) FROM n"},
    /* Players whose last wishlist DM is an hour old (or who never had one), with their pending
     * notices taken and their DM time set, in one statement. */
    {"wish_due",
     "WITH due AS (SELECT n.user_id FROM wishlist_notices n LEFT JOIN wishlist_dms d ON"
     " d.user_id = n.user_id WHERE d.last_at IS NULL OR d.last_at <= pd_now() - interval '1 hour'"
     " GROUP BY n.user_id ORDER BY min(n.id) LIMIT $1),"
     " taken AS (DELETE FROM wishlist_notices n USING due WHERE n.user_id = due.user_id"
     " RETURNING n.id, n.user_id, n.listing_id),"
     " told AS (INSERT INTO wishlist_dms (user_id, last_at) SELECT user_id, pd_now() FROM due"
     " ON CONFLICT (user_id) DO UPDATE SET last_at = pd_now())"
     " SELECT u.discord_id, c.public_id, a.name, e.name, c.rarity, l.price, l.currency, l.id,"
     " l.scope, l.status = 'active' AND l.expires_at > pd_now() FROM taken t"
     " JOIN users u ON u.id = t.user_id JOIN market_listings l ON l.id = t.listing_id"
     " JOIN all_cards c ON c.id = l.card_id JOIN artists a ON a.id = c.artist_id"
     " JOIN eras e ON e.id = c.era_id ORDER BY u.discord_id, t.id"},
    {NULL, NULL},
};

enum pd_result pd_db_wish_resolve(struct pd_db *db, const char *kind, const char *what,
                                  int64_t *target, char *label, size_t cap)
{
  const char *stmt = strcmp(kind, "card") == 0     ? "wish_resolve_card"
                     : strcmp(kind, "artist") == 0 ? "wish_resolve_artist"
                                                   : "wish_resolve_era";
  const char *params[1] = {what};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, 1, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_NOTFOUND;
  if (rc == PD_OK) {
    *target = pd_db_int(r, 0, 0);
    pd_utf8_copy(label, cap, pd_db_val(r, 0, 1));
  }
  PQclear(r);
  return rc;
}

static void key_params(int64_t user_id, const char *kind, int64_t target, char u[24], char t[24],
                       const char *params[3])
{
  snprintf(u, 24, "%" PRId64, user_id);
  snprintf(t, 24, "%" PRId64, target);
  params[0] = u;
  params[1] = kind;
  params[2] = t;
}

enum pd_result pd_db_wish_add(struct pd_db *db, int64_t user_id, const char *kind, int64_t target,
                              int64_t *count)
{
  char u[24], t[24];
  const char *params[3];
  PGresult *r = NULL;
  key_params(user_id, kind, target, u, t, params);
  enum pd_result rc = pd_db_exec(db, "wish_state", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  bool there = strcmp(pd_db_val(r, 0, 0), "t") == 0;
  *count = pd_db_int(r, 0, 1);
  PQclear(r);
  if (there)
    return PD_E_CONFLICT;
  if (*count >= PD_WISHLIST_MAX)
    return PD_E_TOOBIG;
  rc = pd_db_exec(db, "wish_insert", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_CONFLICT;
  PQclear(r);
  if (rc == PD_OK)
    (*count)++;
  return rc;
}

enum pd_result pd_db_wish_remove(struct pd_db *db, int64_t user_id, const char *kind,
                                 int64_t target)
{
  char u[24], t[24];
  const char *params[3];
  PGresult *r = NULL;
  key_params(user_id, kind, target, u, t, params);
  enum pd_result rc = pd_db_exec(db, "wish_delete", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_NOTFOUND;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_wish_list(struct pd_db *db, int64_t user_id, json_t **out)
{
  char u[24];
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  const char *params[1] = {u};
  PGresult *r = NULL;
  *out = NULL;
  enum pd_result rc = pd_db_exec(db, "wish_list", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  json_t *list = json_array();
  for (int i = 0; list != NULL && i < PQntuples(r); i++)
    json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "kind", pd_db_val(r, i, 0), "label",
                                          pd_db_val(r, i, 1), "value", pd_db_val(r, i, 2)));
  PQclear(r);
  *out = list;
  return list != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_db_wish_wanted_by(struct pd_db *db, int64_t card_id, int64_t *n)
{
  char c[24];
  snprintf(c, sizeof(c), "%" PRId64, card_id);
  const char *params[1] = {c};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "wish_wanted_by", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_wish_marks(struct pd_db *db, int64_t user_id, const int64_t *ids, size_t n,
                                bool *wished)
{
  char u[24], list[24 * 8 + 3];
  size_t at = 1;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  list[0] = '{';
  for (size_t i = 0; i < n && i < 8; i++)
    at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
  snprintf(list + at, sizeof(list) - at, "}");
  const char *params[2] = {u, list};
  PGresult *r = NULL;
  for (size_t i = 0; i < n; i++)
    wished[i] = false;
  if (n > 8)
    return PD_E_TOOBIG; /* a pack is at most PD_PACK_MAX_SIZE cards */
  enum pd_result rc = pd_db_exec(db, "wish_marks", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  for (int k = 0; k < PQntuples(r); k++)
    for (size_t i = 0; i < n; i++)
      wished[i] = wished[i] || ids[i] == pd_db_int(r, k, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_wish_listed(struct pd_db *db, int64_t listing_id, int64_t card_id,
                                 int64_t seller_id, int64_t *n)
{
  char l[24], c[24], s[24];
  snprintf(l, sizeof(l), "%" PRId64, listing_id);
  snprintf(c, sizeof(c), "%" PRId64, card_id);
  snprintf(s, sizeof(s), "%" PRId64, seller_id);
  const char *params[3] = {l, c, s};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "wish_listed", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  if (n != NULL)
    *n = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_wish_due(struct pd_db *db, int limit, json_t **out)
{
  char lim[16];
  snprintf(lim, sizeof(lim), "%d", limit);
  const char *params[1] = {lim};
  PGresult *r = NULL;
  *out = NULL;
  enum pd_result rc = pd_db_exec(db, "wish_due", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  json_t *list = json_array(), *cur = NULL;
  for (int i = 0; list != NULL && i < PQntuples(r); i++) {
    const char *who = pd_db_val(r, i, 0);
    if (cur == NULL || strcmp(json_string_value(json_object_get(cur, "recipient")), who) != 0) {
      cur = json_pack("{s:s, s:[]}", "recipient", who, "notices");
      json_array_append_new(list, cur);
    }
    json_array_append_new(
        json_object_get(cur, "notices"),
        json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:b}", "card", pd_db_val(r, i, 1),
                  "artist", pd_db_val(r, i, 2), "era", pd_db_val(r, i, 3), "rarity",
                  pd_db_val(r, i, 4), "price", (json_int_t)pd_db_int(r, i, 5), "currency",
                  pd_db_val(r, i, 6), "listing", (json_int_t)pd_db_int(r, i, 7), "scope",
                  pd_db_val(r, i, 8), "active", strcmp(pd_db_val(r, i, 9), "t") == 0));
  }
  PQclear(r);
  *out = list;
  return list != NULL ? PD_OK : PD_E_NOMEM;
}
