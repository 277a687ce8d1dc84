/* db_market.c - statements for market listings (see db_market.h). */
#include "db_market.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "db_areas.h"
#include "utf8.h"

#define LISTING_COLS                                                                               \
  "l.id, l.user_card_id, l.seller_id, coalesce(l.buyer_id, 0), l.card_id, l.price, uc.print_no,"   \
  " s.discord_id, l.currency, l.scope, coalesce(l.guild_id, ''), l.status,"                        \
  " extract(epoch FROM l.expires_at)::bigint, l.expires_at <= pd_now(), c.public_id, a.name, "     \
  "e.name,"                                                                                        \
  " c.rarity, coalesce(l.rarity_order, 0), coalesce(uc.expires_at <= pd_now(), false)"
#define LISTING_JOIN                                                                               \
  " JOIN user_cards uc ON uc.id = l.user_card_id JOIN users s ON s.id = l.seller_id"               \
  " JOIN all_cards c ON c.id = l.card_id JOIN artists a ON a.id = c.artist_id"                     \
  " JOIN eras e ON e.id = c.era_id"
#define RARITY_ORDER(r)                                                                            \
  "CASE " r " WHEN 'mythic' THEN 0 WHEN 'legendary' THEN 1 WHEN 'epic' THEN 2 WHEN 'rare' THEN 3"  \
  " ELSE 4 END"

/* A page: the first rows of each visible range (global: shown_in = '', this server's:
 * shown_in = $1, NULL in DMs) in the sort's key order, from the cursor on, merged; only then
 * joined for their names.  Each range is one index range (sql/012), so a page reads about
 * 2 x LIMIT index entries however many listings are active.  The cursor is always applied
 * (page 1 starts before every key) so it stays an index condition.  Every statement takes
 * all eight parameters; a sort with fewer keys names the rest in a clause that is always true.
 *   $1 guild, $2 artist_id (0 any), $3 rarity ('' any), $4 currency ('' any), $5 scope filter
 *   ('' both, 'server', 'global'), $6..$8 the cursor.  The limit is written in, not a
 * parameter: with "LIMIT $9" the generic plan (used after five runs) guessed a tenth of the
 * range would be read, and sorted a bitmap scan of half a million listings instead of reading
 * eleven index entries. */
#define PAGE_LIMIT "11" /* a page of 10, and one more to know whether another follows */
#define PAGE_FILTER                                                                                \
  " AND status = 'active' AND expires_at > pd_now() AND ($2::bigint = 0 OR artist_id = $2)"        \
  " AND ($3::text = '' OR rarity = $3) AND ($4::text = '' OR currency = $4)"
#define PAGE_RANGE(vis, scope_ok, cursor, order)                                                   \
  "(SELECT id, price, rarity_order FROM market_listings WHERE shown_in = " vis                     \
  " AND " scope_ok PAGE_FILTER " AND " cursor " ORDER BY " order " LIMIT " PAGE_LIMIT ")"
#define PAGE(cursor, order, order_l)                                                               \
  "WITH k AS (" PAGE_RANGE("''", "$5::text <> 'server'", cursor, order) " UNION ALL " PAGE_RANGE(  \
      "$1::text", "$5::text <> 'global'", cursor,                                                  \
      order) "), top AS (SELECT id FROM k ORDER BY " order " LIMIT " PAGE_LIMIT ")"                \
             " SELECT " LISTING_COLS                                                               \
             " FROM top JOIN market_listings l ON l.id = top.id" LISTING_JOIN " ORDER BY " order_l

const struct pd_db_stmt pd_db_market_stmts[] = {
    {"listing_insert",
     "INSERT INTO market_listings (user_card_id, seller_id, card_id, price, currency, scope,"
     " guild_id, expires_at, artist_id, rarity, rarity_order)"
     " SELECT $1, $2, c.id, $3, $4, $5, $6, pd_now() + make_interval(days => $7::int), c.artist_id,"
     " c.rarity, " RARITY_ORDER(
         "c.rarity") " FROM all_cards c WHERE c.id = $8"
                     " RETURNING id, extract(epoch FROM expires_at)::bigint"},
    {"listing_lock", "WITH k AS (SELECT id FROM market_listings WHERE id = $1 FOR UPDATE)"
                     " SELECT " LISTING_COLS " FROM market_listings l" LISTING_JOIN
                     " WHERE l.id = (SELECT id FROM k)"},
    {"listing_close",
     "UPDATE market_listings SET status = $2, buyer_id = $3::int, op_id = $4::bigint,"
     " closed_at = pd_now() WHERE id = $1 AND status = 'active' RETURNING id"},
    /* Cheapest first: (price, id). */
    {"market_cheapest_next", PAGE("(price, id) > ($6::bigint, $7::bigint) AND $8::bigint = $8",
                                  "price, id", "l.price, l.id")},
    {"market_cheapest_prev", PAGE("(price, id) < ($6::bigint, $7::bigint) AND $8::bigint = $8",
                                  "price DESC, id DESC", "l.price DESC, l.id DESC")},
    /* Newest first: id, which grows with time. */
    {"market_newest_next",
     PAGE("id < $6::bigint AND $7::bigint + $8::bigint IS NOT NULL", "id DESC", "l.id DESC")},
    {"market_newest_prev",
     PAGE("id > $6::bigint AND $7::bigint + $8::bigint IS NOT NULL", "id", "l.id")},
    /* Rarest first, then cheapest: (rarity_order, price, id). */
    {"market_rarity_next",
     PAGE("(rarity_order, price, id) > ($6::smallint, $7::bigint, $8::bigint)",
          "rarity_order, price, id", "l.rarity_order, l.price, l.id")},
    {"market_rarity_prev",
     PAGE("(rarity_order, price, id) < ($6::smallint, $7::bigint, $8::bigint)",
          "rarity_order DESC, price DESC, id DESC",
          "l.rarity_order DESC, l.price DESC, l.id DESC")},
    /* /buy's suggestions: among the cheapest 500 of each visible range, what matches. */
    {"market_suggest",
     "WITH k AS ((SELECT id FROM market_listings WHERE shown_in = '' AND status = 'active' AND"
     " expires_at > pd_now() ORDER BY price, id LIMIT 500) UNION ALL (SELECT id FROM "
     "market_listings"
     " WHERE shown_in = $1::text AND status = 'active' AND expires_at > pd_now() ORDER BY price, id"
     " LIMIT 500))"
     " SELECT " LISTING_COLS " FROM k JOIN market_listings l ON l.id = k.id" LISTING_JOIN
     " WHERE $2 = '' OR l.id::text = ltrim($2, '#') OR lower(c.public_id || '/' ||"
     " lpad(uc.print_no::text, 2, '0')) LIKE " LIKE_LITERAL(
         "$2") " || '%' OR lower(a.name) LIKE"
               " '%' || " LIKE_LITERAL("$2") " || '%' OR lower(e.name) LIKE '%' || " LIKE_LITERAL(
                   "$2") " || '%'"
                         " ORDER BY l.price, l.id LIMIT 25"},
    /* /unlist's: the seller's own. */
    {"market_suggest_own",
     "SELECT " LISTING_COLS " FROM market_listings l" LISTING_JOIN
     " WHERE l.seller_id = $1 AND l.status = 'active' AND ($2 = '' OR l.id::text = ltrim($2, '#')"
     " OR lower(c.public_id || '/' || lpad(uc.print_no::text, 2, '0')) LIKE " LIKE_LITERAL(
         "$2") " || '%' OR lower(a.name) LIKE '%' || " LIKE_LITERAL("$2") " || '%')"
                                                                          " ORDER BY l.id DESC "
                                                                          "LIMIT 25"},
    {"market_expire",
     "WITH e AS (SELECT id FROM market_listings WHERE status = 'active' AND expires_at <= pd_now()"
     " ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
     " UPDATE market_listings l SET status = 'expired', closed_at = pd_now() FROM e WHERE l.id = "
     "e.id"
     " RETURNING l.user_card_id, l.seller_id"},
    {"market_card_sales",
     "SELECT price, currency, extract(epoch FROM closed_at)::bigint FROM market_listings"
     " WHERE card_id = $1 AND status = 'sold' ORDER BY closed_at DESC, id DESC LIMIT 5"},
    {"market_card_cheapest",
     "WITH k AS ((SELECT id, price FROM market_listings WHERE card_id = $1 AND shown_in = '' AND"
     " status = 'active' AND expires_at > pd_now() ORDER BY price, id LIMIT 1) UNION ALL"
     " (SELECT id, price FROM market_listings WHERE card_id = $1 AND shown_in = $2::text AND"
     " status = 'active' AND expires_at > pd_now() ORDER BY price, id LIMIT 1))"
     " SELECT " LISTING_COLS " FROM market_listings l" LISTING_JOIN
     " WHERE l.id = (SELECT id FROM k ORDER BY price, id LIMIT 1)"},
    {NULL, NULL},
};

static const char *const sort_names[PD_MSORT_COUNT] = {"cheapest", "newest", "rarity"};

const char *pd_market_sort_name(enum pd_market_sort s)
{
  return (unsigned)s < PD_MSORT_COUNT ? sort_names[s] : NULL;
}

enum pd_result pd_market_sort_parse(const char *s, enum pd_market_sort *out)
{
  for (int i = 0; s != NULL && i < PD_MSORT_COUNT; i++)
    if (strcmp(s, sort_names[i]) == 0) {
      *out = (enum pd_market_sort)i;
      return PD_OK;
    }
  return PD_E_INVALID;
}

void pd_market_key(enum pd_market_sort s, const struct pd_listing *l, int64_t k[3])
{
  k[0] = k[1] = k[2] = 0;
  if (s == PD_MSORT_CHEAPEST) {
    k[0] = l->price;
    k[1] = l->id;
  } else if (s == PD_MSORT_NEWEST) {
    k[0] = l->id;
  } else {
    k[0] = l->rarity_order;
    k[1] = l->price;
    k[2] = l->id;
  }
}

static void listing_from(const PGresult *r, int row, struct pd_listing *l)
{
  memset(l, 0, sizeof(*l));
  l->id = pd_db_int(r, row, 0);
  l->copy_id = pd_db_int(r, row, 1);
  l->seller_id = pd_db_int(r, row, 2);
  l->buyer_id = pd_db_int(r, row, 3);
  l->card_id = pd_db_int(r, row, 4);
  l->price = pd_db_int(r, row, 5);
  l->print_no = pd_db_int(r, row, 6);
  snprintf(l->seller_discord, sizeof(l->seller_discord), "%s", pd_db_val(r, row, 7));
  snprintf(l->currency, sizeof(l->currency), "%s", pd_db_val(r, row, 8));
  snprintf(l->scope, sizeof(l->scope), "%s", pd_db_val(r, row, 9));
  snprintf(l->guild_id, sizeof(l->guild_id), "%s", pd_db_val(r, row, 10));
  snprintf(l->status, sizeof(l->status), "%s", pd_db_val(r, row, 11));
  l->expires_at = pd_db_int(r, row, 12);
  l->expired = pd_db_bool(r, row, 13);
  pd_utf8_copy(l->public_id, sizeof(l->public_id), pd_db_val(r, row, 14));
  pd_utf8_copy(l->artist, sizeof(l->artist), pd_db_val(r, row, 15));
  pd_utf8_copy(l->era, sizeof(l->era), pd_db_val(r, row, 16));
  snprintf(l->rarity, sizeof(l->rarity), "%s", pd_db_val(r, row, 17));
  l->rarity_order = pd_db_int(r, row, 18);
  l->copy_expired = pd_db_bool(r, row, 19);
  pd_copyref_format(l->public_id, l->print_no, l->ref);
}

enum pd_result pd_db_listing_insert(struct pd_db *db, const struct pd_copy *c, int64_t price,
                                    const char *currency, const char *scope, const char *guild,
                                    int64_t days, int64_t *id, int64_t *expires_at)
{
  char copy[24], seller[24], pr[24], d[24], card[24];
  snprintf(copy, sizeof(copy), "%" PRId64, c->id);
  snprintf(seller, sizeof(seller), "%" PRId64, c->owner);
  snprintf(pr, sizeof(pr), "%" PRId64, price);
  snprintf(d, sizeof(d), "%" PRId64, days);
  snprintf(card, sizeof(card), "%" PRId64, c->card_id);
  const char *params[8] = {copy, seller, pr, currency, scope, guild, d, card};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "listing_insert", 8, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 1) {
    rc = PD_E_NOTFOUND;
  } else {
    *id = pd_db_int(r, 0, 0);
    *expires_at = pd_db_int(r, 0, 1);
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_listing_lock(struct pd_db *db, int64_t id, struct pd_listing *out)
{
  char ids[24];
  snprintf(ids, sizeof(ids), "%" PRId64, id);
  const char *params[1] = {ids};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "listing_lock", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0)
    rc = PD_E_NOTFOUND;
  else
    listing_from(r, 0, out);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_listing_close(struct pd_db *db, int64_t id, const char *status,
                                   int64_t buyer_id, int64_t op_id)
{
  char ids[24], b[24], op[24];
  snprintf(ids, sizeof(ids), "%" PRId64, id);
  snprintf(b, sizeof(b), "%" PRId64, buyer_id);
  snprintf(op, sizeof(op), "%" PRId64, op_id);
  const char *params[4] = {ids, status, buyer_id > 0 ? b : NULL, op_id > 0 ? op : NULL};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "listing_close", 4, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_CONFLICT;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_market_page(struct pd_db *db, const struct pd_market_query *q,
                                 struct pd_listing *rows, size_t max, size_t *n, bool *more)
{
  static const char *const stmts[PD_MSORT_COUNT][2] = {
      {"market_cheapest_next", "market_cheapest_prev"},
      {"market_newest_next", "market_newest_prev"},
      {"market_rarity_next", "market_rarity_prev"}};
  char a[24], k[3][24];
  int64_t key[3] = {q->k[0], q->k[1], q->k[2]};
  if ((unsigned)q->sort >= PD_MSORT_COUNT || max != 10)
    return PD_E_INVALID; /* PAGE_LIMIT is a page of 10 plus one */
  if (!q->has_cursor) {
    /* Page 1 starts before every key: prices and ids are >= 1, rarity_order >= 0, and newest
     * counts down from the largest id. */
    key[0] = q->sort == PD_MSORT_NEWEST ? INT64_MAX : -1;
    key[1] = key[2] = 0;
  }
  snprintf(a, sizeof(a), "%" PRId64, q->artist_id);
  for (int i = 0; i < 3; i++)
    snprintf(k[i], sizeof(k[i]), "%" PRId64, key[i]);
  const char *params[8] = {q->guild,
                           a,
                           q->rarity != NULL ? q->rarity : "",
                           q->currency != NULL ? q->currency : "",
                           q->scope != NULL ? q->scope : "",
                           k[0],
                           k[1],
                           k[2]};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmts[q->sort][q->backward], 8, params, &r);
  if (rc != PD_OK)
    return rc;
  size_t got = (size_t)PQntuples(r);
  *more = got > max;
  *n = got > max ? max : got;
  for (size_t i = 0; i < *n; i++) {
    /* A backward page comes nearest-first: shown the other way round. */
    int row = q->backward ? (int)(*n - 1 - i) : (int)i;
    listing_from(r, row, &rows[i]);
  }
  PQclear(r);
  return PD_OK;
}

/* "#12 · TAYL_19#03/12 · Taylor Swift — 1989 · 500 notes" as a choice whose value is "12". */
static json_t *choices_of(PGresult *r)
{
  json_t *list = json_array();
  for (int i = 0; list != NULL && i < PQntuples(r); i++) {
    struct pd_listing l;
    char name[100], value[24];
    listing_from(r, i, &l);
    pd_utf8_fmt(name, sizeof(name), "#%lld · %s · %s — %s · %lld %s", (long long)l.id, l.ref,
                l.artist, l.era, (long long)l.price, l.currency);
    snprintf(value, sizeof(value), "%lld", (long long)l.id);
    json_array_append_new(list, json_pack("{s:s, s:s}", "name", name, "value", value));
  }
  return list;
}

enum pd_result pd_db_market_suggest(struct pd_db *db, const char *guild, int64_t seller,
                                    const char *typed, json_t **choices)
{
  char s[24];
  PGresult *r = NULL;
  enum pd_result rc;
  snprintf(s, sizeof(s), "%" PRId64, seller);
  if (seller > 0) {
    const char *params[2] = {s, typed != NULL ? typed : ""};
    rc = pd_db_exec(db, "market_suggest_own", 2, params, &r);
  } else {
    const char *params[2] = {guild, typed != NULL ? typed : ""};
    rc = pd_db_exec(db, "market_suggest", 2, params, &r);
  }
  if (rc != PD_OK)
    return rc;
  json_t *list = choices_of(r);
  PQclear(r);
  if (list == NULL)
    return PD_E_NOMEM;
  *choices = list;
  return PD_OK;
}

enum pd_result pd_db_market_expire(struct pd_db *db, int limit, int64_t *n)
{
  char lim[16];
  snprintf(lim, sizeof(lim), "%d", limit);
  const char *params[1] = {lim};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "market_expire", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = 0;
  /* Each listing is closed above; only now may its copy leave 'listed'. */
  for (int i = 0; rc == PD_OK && i < PQntuples(r); i++) {
    rc = pd_db_copy_set_state(db, pd_db_int(r, i, 0), pd_db_int(r, i, 1), "listed", "free");
    if (rc == PD_OK)
      (*n)++;
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_market_card(struct pd_db *db, int64_t card_id, const char *guild,
                                 struct pd_sale sales[5], size_t *nsales,
                                 struct pd_listing *cheapest, bool *has_cheapest)
{
  char id[24];
  snprintf(id, sizeof(id), "%" PRId64, card_id);
  const char *p1[1] = {id};
  PGresult *r = NULL;
  *nsales = 0;
  *has_cheapest = false;
  enum pd_result rc = pd_db_exec(db, "market_card_sales", 1, p1, &r);
  if (rc != PD_OK)
    return rc;
  for (int i = 0; i < PQntuples(r) && i < 5; i++) {
    sales[i].price = pd_db_int(r, i, 0);
    snprintf(sales[i].currency, sizeof(sales[i].currency), "%s", pd_db_val(r, i, 1));
    sales[i].at = pd_db_int(r, i, 2);
    (*nsales)++;
  }
  PQclear(r);
  const char *p2[2] = {id, guild};
  rc = pd_db_exec(db, "market_card_cheapest", 2, p2, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) > 0) {
    listing_from(r, 0, cheapest);
    *has_cheapest = true;
  }
  PQclear(r);
  return PD_OK;
}
