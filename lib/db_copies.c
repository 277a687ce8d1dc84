/* db_copies.c - statements for owned copies and their states (see db_copies.h). */
#include "db_copies.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db_areas.h"
#include "utf8.h"

#define COPY_COLS                                                                                  \
  "uc.id, uc.user_id, uc.card_id, c.public_id, uc.print_no, uc.state, c.rarity, a.name, e.name,"   \
  " c.temporary,"                                                                                  \
  " coalesce((SELECT l.id FROM market_listings l WHERE l.user_card_id = uc.id AND l.status ="      \
  " 'active'), 0),"                                                                                \
  " coalesce((SELECT t.trade_id FROM trade_cards t WHERE t.user_card_id = uc.id AND t.active), 0)"
#define COPY_FROM                                                                                  \
  " FROM user_cards uc JOIN all_cards c ON c.id = uc.card_id JOIN artists a ON a.id ="             \
  " c.artist_id JOIN eras e ON e.id = c.era_id"
/* The card a public id names, permanent or temporary, as all_cards.id. */
#define CARD_OF(p)                                                                                 \
  "coalesce((SELECT id FROM card_templates WHERE public_id = " p "),"                              \
  " -(SELECT id FROM temp_card_templates WHERE public_id = " p "))"

const struct pd_db_stmt pd_db_copies_stmts[] = {
    /* Locking the copy first, then reading it whole: FOR UPDATE cannot go through the view. */
    {"copy_own", "WITH k AS (SELECT id FROM user_cards WHERE user_id = $1 AND card_id = " CARD_OF(
                     "$2") " AND print_no = $3 AND state <> 'gone' FOR UPDATE)"
                           " SELECT " COPY_COLS COPY_FROM " WHERE uc.id = (SELECT id FROM k)"},
    {"copy_get", "WITH k AS (SELECT id FROM user_cards WHERE id = $1 FOR UPDATE)"
                 " SELECT " COPY_COLS COPY_FROM " WHERE uc.id = (SELECT id FROM k)"},
    {"copy_set_state",
     "UPDATE user_cards SET state = $4 WHERE id = $1 AND user_id = $2 AND state = $3 RETURNING id"},
    {"copy_give", "WITH u AS (UPDATE user_cards SET user_id = coalesce($4::int, user_id),"
                  " state = CASE WHEN $4::int IS NULL THEN 'gone' ELSE 'free' END"
                  " WHERE id = $1 AND user_id = $2 AND state = $3 RETURNING id)"
                  " INSERT INTO card_moves (op_id, user_card_id, from_user, to_user, kind)"
                  " SELECT $5, u.id, $2, $4::int, $6 FROM u RETURNING id"},
    {"copy_counts",
     "SELECT count(*) FILTER (WHERE state = 'free'), count(*) FILTER (WHERE state = 'locked'),"
     " count(*) FILTER (WHERE state = 'listed'), count(*) FILTER (WHERE state = 'trading')"
     " FROM user_cards WHERE user_id = $1 AND state <> 'gone'"
     " AND (expires_at IS NULL OR expires_at > pd_now())"},
    {"copy_suggest",
     "SELECT c.public_id, uc.print_no, a.name, e.name, c.rarity, uc.state" COPY_FROM
     " WHERE uc.user_id = $1 AND uc.state <> 'gone' AND (uc.expires_at IS NULL OR uc.expires_at >"
     " pd_now()) AND ($2 = '' OR lower(c.public_id || '/' || lpad(uc.print_no::text, 2, '0')) "
     "LIKE " LIKE_LITERAL("$2") " || '%' OR lower(a.name) LIKE '%' || " LIKE_LITERAL(
         "$2") " || '%' OR lower(e.name) LIKE '%' || " LIKE_LITERAL("$2") " || '%')"
                                                                          " ORDER BY uc.state = $3 "
                                                                          "DESC, uc.state = 'free' "
                                                                          "DESC, c.public_id, "
                                                                          "uc.print_no LIMIT 25"},
    {NULL, NULL},
};

static void copy_from(const PGresult *r, struct pd_copy *c)
{
  memset(c, 0, sizeof(*c));
  c->id = pd_db_int(r, 0, 0);
  c->owner = pd_db_int(r, 0, 1);
  c->card_id = pd_db_int(r, 0, 2);
  pd_utf8_copy(c->public_id, sizeof(c->public_id), pd_db_val(r, 0, 3));
  c->print_no = pd_db_int(r, 0, 4);
  snprintf(c->state, sizeof(c->state), "%s", pd_db_val(r, 0, 5));
  snprintf(c->rarity, sizeof(c->rarity), "%s", pd_db_val(r, 0, 6));
  pd_utf8_copy(c->artist, sizeof(c->artist), pd_db_val(r, 0, 7));
  pd_utf8_copy(c->era, sizeof(c->era), pd_db_val(r, 0, 8));
  c->temporary = pd_db_bool(r, 0, 9);
  c->listing_id = pd_db_int(r, 0, 10);
  c->trade_id = pd_db_int(r, 0, 11);
  pd_copyref_format(c->public_id, c->print_no, c->ref);
}

static enum pd_result one_copy(struct pd_db *db, const char *stmt, int n, const char *const *params,
                               struct pd_copy *out)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, n, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0)
    rc = PD_E_NOTFOUND;
  else
    copy_from(r, out);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_copy_own(struct pd_db *db, int64_t owner, const struct pd_copyref *ref,
                              struct pd_copy *out)
{
  char o[24], p[24];
  snprintf(o, sizeof(o), "%" PRId64, owner);
  snprintf(p, sizeof(p), "%" PRId64, ref->print_no);
  const char *params[3] = {o, ref->public_id, p};
  return one_copy(db, "copy_own", 3, params, out);
}

enum pd_result pd_db_copy_get(struct pd_db *db, int64_t copy_id, struct pd_copy *out)
{
  char id[24];
  snprintf(id, sizeof(id), "%" PRId64, copy_id);
  const char *params[1] = {id};
  return one_copy(db, "copy_get", 1, params, out);
}

static enum pd_result exactly_one(struct pd_db *db, const char *stmt, int n,
                                  const char *const *params)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, n, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_CONFLICT;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_copy_set_state(struct pd_db *db, int64_t copy_id, int64_t owner,
                                    const char *from, const char *to)
{
  char id[24], o[24];
  snprintf(id, sizeof(id), "%" PRId64, copy_id);
  snprintf(o, sizeof(o), "%" PRId64, owner);
  const char *params[4] = {id, o, from, to};
  return exactly_one(db, "copy_set_state", 4, params);
}

enum pd_result pd_db_copy_give(struct pd_db *db, int64_t copy_id, int64_t owner, const char *from,
                               int64_t to, int64_t op_id, const char *kind)
{
  char id[24], o[24], t[24], op[24];
  if (to == owner)
    return PD_E_INVALID;
  snprintf(id, sizeof(id), "%" PRId64, copy_id);
  snprintf(o, sizeof(o), "%" PRId64, owner);
  snprintf(t, sizeof(t), "%" PRId64, to);
  snprintf(op, sizeof(op), "%" PRId64, op_id);
  const char *params[6] = {id, o, from, to > 0 ? t : NULL, op, kind};
  return exactly_one(db, "copy_give", 6, params);
}

enum pd_result pd_db_copy_counts(struct pd_db *db, int64_t owner, struct pd_copy_counts *out)
{
  char o[24];
  snprintf(o, sizeof(o), "%" PRId64, owner);
  const char *params[1] = {o};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "copy_counts", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  out->free_ = pd_db_int(r, 0, 0);
  out->locked = pd_db_int(r, 0, 1);
  out->listed = pd_db_int(r, 0, 2);
  out->trading = pd_db_int(r, 0, 3);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_copy_suggest(struct pd_db *db, int64_t owner, const char *typed,
                                  const char *prefer, json_t **choices)
{
  char o[24];
  snprintf(o, sizeof(o), "%" PRId64, owner);
  const char *params[3] = {o, typed != NULL ? typed : "", prefer != NULL ? prefer : "free"};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "copy_suggest", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  json_t *list = json_array();
  for (int i = 0; list != NULL && i < PQntuples(r); i++) {
    char ref[PD_COPYREF_SIZE], name[100];
    pd_copyref_format(pd_db_val(r, i, 0), pd_db_int(r, i, 1), ref);
    const char *state = pd_db_val(r, i, 5);
    char tail[32] = "";
    if (strcmp(state, "free") != 0)
      snprintf(tail, sizeof(tail), " (%s)", state);
    /* 100 characters at most (Discord's limit), cut between characters. */
    pd_utf8_fmt(name, sizeof(name), "%s · %s · %s · %s%s", ref, pd_db_val(r, i, 2),
                pd_db_val(r, i, 3), pd_db_val(r, i, 4), tail);
    json_array_append_new(list, json_pack("{s:s, s:s}", "name", name, "value", ref));
  }
  PQclear(r);
  if (list == NULL)
    return PD_E_NOMEM;
  *choices = list;
  return PD_OK;
}
