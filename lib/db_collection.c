/* db_collection.c - collection pages by keyset, filters, autocomplete, privacy. */
#include "db_collection.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db_areas.h"
#include "utf8.h"

/* One row per template the player owns, with its copies and print numbers. */
/* The player's copies are read first, through user_cards (user_id, id), and only then joined:
 * the plan's cost follows the size of the collection, never the size of the table (with the
 * filters as parameters a generic plan would otherwise start from card_templates). */
#define LIST_SELECT                                                                                \
  "WITH c AS MATERIALIZED (SELECT id, card_id AS template_id, print_no FROM user_cards WHERE "     \
  "user_id = $1 AND state <> 'gone'"                                                               \
  " AND (expires_at IS NULL OR expires_at > pd_now()))"                                            \
  " SELECT t.public_id, a.name, e.name, t.rarity, count(*), string_agg('#' || c.print_no, ', ' "   \
  "ORDER BY "                                                                                      \
  "c.print_no), t.temporary, a.retired_at IS NOT NULL AND NOT t.temporary, "
#define LIST_FROM                                                                                  \
  " FROM c JOIN all_cards t ON t.id = c.template_id JOIN artists a ON a.id = t.artist_id"          \
  " JOIN eras e ON e.id = t.era_id WHERE ($2::bigint = 0 OR t.artist_id = $2) AND ($3::bigint = "  \
  "0 OR"                                                                                           \
  " t.era_id = $3) AND ($4::text = '' OR t.rarity = $4) GROUP BY t.id, t.public_id, t.rarity, "    \
  "t.temporary, a.id, e.id"
#define RANK                                                                                       \
  "(CASE t.rarity WHEN 'common' THEN 0 WHEN 'rare' THEN 1 WHEN 'epic' THEN 2 WHEN 'legendary' "    \
  "THEN 3 ELSE 4 END)"
#define ARTIST_AT "((SELECT name FROM artists WHERE id = $5), $6::bigint)"

const struct pd_db_stmt pd_db_collection_stmts[] = {
    /* Newest first: by the newest copy of each card. */
    {"list_newest_next", LIST_SELECT "max(c.id), t.id" LIST_FROM
                                     " HAVING NOT $7::bool OR (max(c.id), t.id) < ($5::bigint, "
                                     "$6::bigint) ORDER BY max(c.id) DESC, t.id DESC LIMIT $8"},
    {"list_newest_prev", LIST_SELECT "max(c.id), t.id" LIST_FROM
                                     " HAVING NOT $7::bool OR (max(c.id), t.id) > ($5::bigint, "
                                     "$6::bigint) ORDER BY max(c.id), t.id LIMIT $8"},
    /* Rarest first. */
    {"list_rarity_next", LIST_SELECT RANK ", t.id" LIST_FROM " HAVING NOT $7::bool OR (" RANK
                                          ", t.id) < ($5::bigint, $6::bigint) ORDER BY " RANK
                                          " DESC, t.id DESC LIMIT $8"},
    {"list_rarity_prev",
     LIST_SELECT RANK ", t.id" LIST_FROM " HAVING NOT $7::bool OR (" RANK
                      ", t.id) > ($5::bigint, $6::bigint) ORDER BY " RANK ", t.id LIMIT $8"},
    /* By artist name (the cursor carries the artist's id, its name is looked up). */
    {"list_artist_next",
     LIST_SELECT "a.id, t.id" LIST_FROM " HAVING NOT $7::bool OR (a.name, t.id) > " ARTIST_AT
                 " ORDER BY a.name, t.id LIMIT $8"},
    {"list_artist_prev",
     LIST_SELECT "a.id, t.id" LIST_FROM " HAVING NOT $7::bool OR (a.name, t.id) < " ARTIST_AT
                 " ORDER BY a.name DESC, t.id DESC LIMIT $8"},
    {"collection_counts", "SELECT count(*), count(DISTINCT card_id) FROM user_cards WHERE user_id "
                          "= $1 AND state <> 'gone'"
                          " AND (expires_at IS NULL OR expires_at > pd_now())"},
    {"artist_lookup", "SELECT id, name FROM artists WHERE lower(name) = lower($1) AND removed_at"
                      " IS NULL UNION ALL (SELECT id, name FROM artists WHERE removed_at IS NULL"
                      " AND lower(name) LIKE " LIKE_LITERAL("$2") " || '%' ORDER BY name LIMIT 2)"},
    {"era_by_id", "SELECT e.id, e.name || ' (' || a.name || ')' FROM eras e JOIN artists a ON a.id "
                  "= e.artist_id WHERE e.id = $1 AND e.removed_at IS NULL"},
    {"era_lookup",
     "SELECT e.id, e.name || ' (' || a.name || ')' FROM eras e JOIN artists a ON a.id = e.artist_id"
     " WHERE lower(e.name) = lower($1) AND ($2::bigint = 0 OR e.artist_id = $2)"
     " AND e.removed_at IS NULL ORDER BY e.id "
     "LIMIT 2"},
    {"privacy_set", "UPDATE users SET inventory_private = $2 WHERE id = $1"},
    {"privacy_get", "SELECT inventory_private FROM users WHERE id = $1"},
    {"suggest_artists",
     "SELECT name, name FROM artists WHERE removed_at IS NULL AND lower(name) LIKE '%' "
     "|| " LIKE_LITERAL("$1") " || '%'"
                              " ORDER BY lower(name) LIKE " LIKE_LITERAL(
                                  "$1") " || '%' DESC, name LIMIT 25"},
    {"suggest_eras",
     "SELECT left(e.name || ' (' || a.name || ')', 100), 'e:' || e.id FROM eras e "
     "JOIN artists a ON a.id = e.artist_id"
     " WHERE e.removed_at IS NULL AND lower(e.name || ' ' || a.name) LIKE '%' || " LIKE_LITERAL(
         "$1") " || '%'"
               " ORDER BY lower(e.name) LIKE " LIKE_LITERAL(
                   "$1") " || '%' DESC, a.name, e.start_date LIMIT 25"},
    {"suggest_cards",
     "SELECT left(t.public_id || ' · ' || a.name || ' — ' || e.name || ' · ' || t.rarity, 100), "
     "t.public_id"
     " FROM all_cards t JOIN artists a ON a.id = t.artist_id JOIN eras e ON e.id = t.era_id"
     " WHERE (NOT t.temporary OR t.expires_at > pd_now()) AND lower(t.public_id || ' ' || a.name "
     "|| ' "
     "' || e.name) LIKE '%' || " LIKE_LITERAL(
         "$1") " || '%'"
               " ORDER BY lower(t.public_id) LIKE " LIKE_LITERAL(
                   "$1") " || '%' DESC, a.name, e.start_date, t.public_id LIMIT 25"},
    {"card_view",
     "SELECT t.id, t.public_id, a.name, e.name, t.rarity, t.image_url, t.copies_created,"
     " (SELECT count(DISTINCT user_id) FROM user_cards WHERE card_id = t.id AND state <> 'gone'),"
     " (SELECT string_agg('#' || print_no, ', ' ORDER BY print_no) FROM user_cards WHERE card_id = "
     "t.id"
     "  AND user_id = $2 AND state <> 'gone'), e.start_date::text, t.temporary, "
     "coalesce(extract(epoch FROM "
     "t.expires_at)::bigint, 0), " PD_CARD_CREDIT_COLS
     ", a.retired_at IS NOT NULL AND NOT t.temporary FROM all_cards t"
     " JOIN artists a ON a.id = t.artist_id"
     " JOIN eras e ON e.id = t.era_id " PD_CARD_CREDIT_JOIN
     " WHERE t.public_id = $1 ORDER BY t.temporary LIMIT 1"},
    {"cooldowns_list",
     "SELECT command, extract(epoch FROM expires_at)::bigint FROM user_cooldowns WHERE user_id = $1"
     " AND expires_at > pd_now() ORDER BY expires_at"},
    {"free_used_today", "SELECT what, used FROM free_allotments WHERE user_id = $1 AND day = "
                        "(pd_now() AT TIME ZONE 'UTC')::date"},
    {NULL, NULL},
};

static const char *const sort_names[PD_SORT_COUNT] = {"newest", "rarity", "artist"};

const char *pd_sort_name(enum pd_sort s)
{
  return (unsigned)s < PD_SORT_COUNT ? sort_names[s] : NULL;
}

enum pd_result pd_sort_parse(const char *s, enum pd_sort *out)
{
  for (int i = 0; s != NULL && i < PD_SORT_COUNT; i++)
    if (strcmp(s, sort_names[i]) == 0) {
      *out = (enum pd_sort)i;
      return PD_OK;
    }
  return PD_E_INVALID;
}

enum pd_result pd_db_collection_page(struct pd_db *db, const struct pd_list_query *q,
                                     struct pd_list_row *rows, size_t max, size_t *n, bool *more)
{
  static const char *const stmts[PD_SORT_COUNT][2] = {{"list_newest_next", "list_newest_prev"},
                                                      {"list_rarity_next", "list_rarity_prev"},
                                                      {"list_artist_next", "list_artist_prev"}};
  char o[24], a[24], e[24], k1[24], k2[24], lim[24];
  PGresult *r = NULL;
  if ((unsigned)q->sort >= PD_SORT_COUNT)
    return PD_E_INVALID;
  snprintf(o, sizeof(o), "%" PRId64, q->owner);
  snprintf(a, sizeof(a), "%" PRId64, q->artist_id);
  snprintf(e, sizeof(e), "%" PRId64, q->era_id);
  snprintf(k1, sizeof(k1), "%" PRId64, q->k1);
  snprintf(k2, sizeof(k2), "%" PRId64, q->k2);
  snprintf(lim, sizeof(lim), "%zu", max + 1);
  const char *params[8] = {
      o, a, e, q->rarity != NULL ? q->rarity : "", k1, k2, q->has_cursor ? "true" : "false", lim};
  enum pd_result rc = pd_db_exec(db, stmts[q->sort][q->backward], 8, params, &r);
  if (rc != PD_OK)
    return rc;
  size_t got = (size_t)PQntuples(r);
  *more = got > max;
  *n = got > max ? max : got;
  for (size_t i = 0; i < *n; i++) {
    /* A backward page comes nearest-first: shown the other way round. */
    int row = q->backward ? (int)(*n - 1 - i) : (int)i;
    struct pd_list_row *w = &rows[i];
    snprintf(w->public_id, sizeof(w->public_id), "%s", pd_db_val(r, row, 0));
    pd_utf8_copy(w->artist, sizeof(w->artist), pd_db_val(r, row, 1));
    pd_utf8_copy(w->era, sizeof(w->era), pd_db_val(r, row, 2));
    snprintf(w->rarity, sizeof(w->rarity), "%s", pd_db_val(r, row, 3));
    w->copies = pd_db_int(r, row, 4);
    const char *prints = pd_db_val(r, row, 5);
    if (strlen(prints) >= sizeof(w->prints))
      snprintf(w->prints, sizeof(w->prints), "%.*s…", (int)(sizeof(w->prints) - 5), prints);
    else
      snprintf(w->prints, sizeof(w->prints), "%s", prints);
    w->temporary = pd_db_bool(r, row, 6);
    w->retired = pd_db_bool(r, row, 7);
    w->k1 = pd_db_int(r, row, 8);
    w->k2 = pd_db_int(r, row, 9);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_collection_counts(struct pd_db *db, int64_t owner, int64_t *copies,
                                       int64_t *distinct)
{
  char o[24];
  PGresult *r = NULL;
  snprintf(o, sizeof(o), "%" PRId64, owner);
  const char *params[1] = {o};
  enum pd_result rc = pd_db_exec(db, "collection_counts", 1, params, &r);
  if (rc == PD_OK) {
    *copies = pd_db_int(r, 0, 0);
    *distinct = pd_db_int(r, 0, 1);
  }
  PQclear(r);
  return rc;
}

/* The one match of a lookup answer (id, name): 0 when none or ambiguous. */
static void one_match(PGresult *r, int64_t *id, char *canon, size_t len)
{
  *id = 0;
  if (PQntuples(r) >= 1 && (PQntuples(r) == 1 || pd_db_int(r, 0, 0) != pd_db_int(r, 1, 0) ||
                            strcasecmp(pd_db_val(r, 0, 1), pd_db_val(r, 1, 1)) == 0)) {
    *id = pd_db_int(r, 0, 0);
    pd_utf8_copy(canon, len, pd_db_val(r, 0, 1));
  }
}

enum pd_result pd_db_artist_lookup(struct pd_db *db, const char *name, int64_t *artist_id,
                                   char *canon, size_t len)
{
  PGresult *r = NULL;
  const char *params[2] = {name, name};
  enum pd_result rc = pd_db_exec(db, "artist_lookup", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  /* An exact name wins; otherwise the prefix must name one artist. */
  *artist_id = 0;
  if (PQntuples(r) > 0 && strcasecmp(pd_db_val(r, 0, 1), name) == 0) {
    *artist_id = pd_db_int(r, 0, 0);
    pd_utf8_copy(canon, len, pd_db_val(r, 0, 1));
  } else if (PQntuples(r) == 1) {
    one_match(r, artist_id, canon, len);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_era_lookup(struct pd_db *db, const char *value, int64_t artist_id,
                                int64_t *era_id, char *canon, size_t len)
{
  PGresult *r = NULL;
  char a[24];
  enum pd_result rc;
  *era_id = 0;
  if (strncmp(value, "e:", 2) == 0 && strspn(value + 2, "0123456789") == strlen(value + 2) &&
      value[2] != '\0') {
    const char *params[1] = {value + 2};
    rc = pd_db_exec(db, "era_by_id", 1, params, &r);
  } else {
    snprintf(a, sizeof(a), "%" PRId64, artist_id);
    const char *params[2] = {value, a};
    rc = pd_db_exec(db, "era_lookup", 2, params, &r);
  }
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 1)
    one_match(r, era_id, canon, len);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_privacy_set(struct pd_db *db, int64_t user_id, bool private_)
{
  char u[24];
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  const char *params[2] = {u, private_ ? "true" : "false"};
  return pd_db_exec(db, "privacy_set", 2, params, NULL);
}

enum pd_result pd_db_privacy_get(struct pd_db *db, int64_t user_id, bool *private_)
{
  char u[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  const char *params[1] = {u};
  enum pd_result rc = pd_db_exec(db, "privacy_get", 1, params, &r);
  if (rc == PD_OK)
    *private_ = PQntuples(r) == 1 && pd_db_bool(r, 0, 0);
  PQclear(r);
  return rc;
}

static enum pd_result suggest(struct pd_db *db, const char *stmt, const char *typed,
                              json_t **choices)
{
  PGresult *r = NULL;
  const char *params[1] = {typed != NULL ? typed : ""};
  enum pd_result rc = pd_db_exec(db, stmt, 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *choices = json_array();
  for (int i = 0; *choices != NULL && i < PQntuples(r) && i < 25; i++)
    json_array_append_new(
        *choices, json_pack("{s:s, s:s}", "name", pd_db_val(r, i, 0), "value", pd_db_val(r, i, 1)));
  PQclear(r);
  return *choices != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_db_suggest_artists(struct pd_db *db, const char *typed, json_t **choices)
{
  return suggest(db, "suggest_artists", typed, choices);
}

enum pd_result pd_db_suggest_eras(struct pd_db *db, const char *typed, json_t **choices)
{
  return suggest(db, "suggest_eras", typed, choices);
}

enum pd_result pd_db_suggest_cards(struct pd_db *db, const char *typed, json_t **choices)
{
  return suggest(db, "suggest_cards", typed, choices);
}

enum pd_result pd_db_card_view(struct pd_db *db, const char *public_id, int64_t viewer,
                               struct pd_card_view *out)
{
  char v[24];
  PGresult *r = NULL;
  snprintf(v, sizeof(v), "%" PRId64, viewer);
  const char *params[2] = {public_id, v};
  enum pd_result rc = pd_db_exec(db, "card_view", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 1) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  memset(out, 0, sizeof(*out));
  out->card.template_id = pd_db_int(r, 0, 0);
  snprintf(out->card.public_id, sizeof(out->card.public_id), "%s", pd_db_val(r, 0, 1));
  pd_utf8_copy(out->card.artist, sizeof(out->card.artist), pd_db_val(r, 0, 2));
  pd_utf8_copy(out->card.era, sizeof(out->card.era), pd_db_val(r, 0, 3));
  snprintf(out->card.rarity, sizeof(out->card.rarity), "%s", pd_db_val(r, 0, 4));
  snprintf(out->card.image_url, sizeof(out->card.image_url), "%s", pd_db_val(r, 0, 5));
  out->card.copies = pd_db_int(r, 0, 6);
  out->owners = pd_db_int(r, 0, 7);
  const char *mine = pd_db_val(r, 0, 8);
  if (mine != NULL && strlen(mine) >= sizeof(out->mine))
    snprintf(out->mine, sizeof(out->mine), "%.*s…", (int)(sizeof(out->mine) - 5), mine);
  else
    snprintf(out->mine, sizeof(out->mine), "%s", mine != NULL ? mine : "");
  snprintf(out->era_start, sizeof(out->era_start), "%s",
           pd_db_val(r, 0, 9) != NULL ? pd_db_val(r, 0, 9) : "");
  out->card.temporary = pd_db_bool(r, 0, 10);
  out->card.expires_at = pd_db_int(r, 0, 11);
  pd_db_credit_from(r, 0, 12, &out->card.credit);
  out->card.retired = pd_db_bool(r, 0, 16);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_cooldowns(struct pd_db *db, int64_t user_id, json_t **until,
                               json_t **free_used)
{
  char u[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  const char *params[1] = {u};
  enum pd_result rc = pd_db_exec(db, "cooldowns_list", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *until = json_object();
  for (int i = 0; i < PQntuples(r); i++)
    json_object_set_new(*until, pd_db_val(r, i, 0), json_integer(pd_db_int(r, i, 1)));
  PQclear(r);
  rc = pd_db_exec(db, "free_used_today", 1, params, &r);
  if (rc != PD_OK) {
    json_decref(*until);
    return rc;
  }
  *free_used = json_object();
  for (int i = 0; i < PQntuples(r); i++)
    json_object_set_new(*free_used, pd_db_val(r, i, 0), json_integer(pd_db_int(r, i, 1)));
  PQclear(r);
  return PD_OK;
}
