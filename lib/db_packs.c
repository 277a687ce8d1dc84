/* db_packs.c - statements for draws, packs and minted copies. */
#include "db_packs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"
#include "utf8.h"

/* Whether drawable card d may be drawn by a player in guild g: a permanent card, or a temporary
 * card of an event that is global or g's own. */
#define DRAWN_HERE(g)                                                                              \
  "(d.id > 0 OR NOT EXISTS (SELECT 1 FROM temp_card_templates t JOIN events e ON e.id ="           \
  " t.event_id WHERE t.id = -d.id AND e.guild_id IS NOT NULL AND e.guild_id IS DISTINCT FROM " g   \
  "::text))"

const struct pd_db_stmt pd_db_packs_stmts[] = {
    /* The photo credit columns come from the card's source image (PD_CARD_CREDIT_COLS). */
    /* Permanent cards and the temporary cards of events running now (see sql/007). */
    /* A server's event's temporary cards are drawn only there (guild $n; NULL in DMs). */
    {"rarity_counts",
     "SELECT rarity, count(*) FROM drawable_cards d WHERE " DRAWN_HERE("$1") " GROUP BY rarity"},
    {"template_at", "SELECT id FROM drawable_cards d WHERE rarity = $1 AND " DRAWN_HERE(
                        "$3") " ORDER BY id OFFSET $2 LIMIT 1"},
    /* The counter only moves while some of today's allotment is left. */
    {"free_use",
     "INSERT INTO free_allotments (user_id, what, day, used) VALUES ($1, $2, (pd_now() AT "
     "TIME ZONE 'UTC')::date, 1)"
     " ON CONFLICT (user_id, what, day) DO UPDATE SET used = free_allotments.used + 1"
     " WHERE free_allotments.used < $3 RETURNING used"},
    {"cards_info",
     "SELECT t.id, t.public_id, a.name, e.name, t.rarity, t.image_url, t.copies_created, "
     "t.temporary,"
     " coalesce(extract(epoch FROM t.expires_at)::bigint, 0), " PD_CARD_CREDIT_COLS
     ", a.retired_at IS NOT NULL AND NOT t.temporary FROM all_cards t"
     " JOIN artists a ON a.id = t.artist_id JOIN eras e ON e.id = t.era_id " PD_CARD_CREDIT_JOIN
     " WHERE t.id = ANY($1::bigint[])"},
    {"pack_insert",
     "INSERT INTO pack_opens (user_id, pack, template_ids, rarities, paid_currency, "
     "paid_amount, expires_at)"
     " VALUES ($1, $2, $3::bigint[], $4::text[], $5, $6, pd_now() + make_interval(secs "
     "=> $7)) RETURNING id"},
    {"pack_lock",
     "SELECT p.id, u.discord_id, p.user_id, p.pack, p.status = 'picked', "
     "coalesce(p.picked_index, -1),"
     " p.expires_at < pd_now(), array_to_string(p.template_ids, ',') FROM pack_opens p "
     "JOIN users u ON u.id = p.user_id"
     " WHERE p.id = $1 FOR UPDATE OF p"},
    {"pack_pick", "UPDATE pack_opens SET status = 'picked', picked_index = $2, user_card_id = $3, "
                  "picked_at = pd_now()"
                  " WHERE id = $1 AND status = 'open'"},
    {"card_mint_count", "UPDATE card_templates SET copies_created = copies_created + 1 WHERE id = "
                        "$1 AND removed_at IS NULL RETURNING copies_created"},
    {"card_mint", "INSERT INTO user_cards (user_id, template_id, print_no, source) VALUES ($1, $2, "
                  "$3, $4) RETURNING id"},
    /* A temporary card (id given as minus its temp_card_templates id): the copy expires with it. */
    {"temp_mint_count",
     "UPDATE temp_card_templates t SET copies_created = t.copies_created + 1 FROM events e"
     " WHERE t.id = -$1::bigint AND e.id = t.event_id AND t.removed_at IS NULL"
     " RETURNING t.copies_created, "
     "coalesce(t.expires_at, e.end_at)"},
    {"temp_mint", "INSERT INTO user_cards (user_id, temp_template_id, print_no, source, "
                  "is_temporary, expires_at)"
                  " VALUES ($1, -$2::bigint, $3, $4, true, $5) RETURNING id"},
    /* The sweep (server/sweep.c): open packs past their time, oldest first, a batch at a time. */
    {"packs_expire",
     "WITH e AS (SELECT id FROM pack_opens WHERE status = 'open' AND expires_at <= pd_now()"
     " ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
     " UPDATE pack_opens p SET status = 'expired', expired_at = pd_now() FROM e WHERE p.id = e.id"},
    {"active_events",
     "SELECT name, boosts::text FROM events WHERE pd_now() >= start_at AND pd_now() < end_at"
     " AND (guild_id IS NULL OR guild_id = $1::text) ORDER BY id"},
    {NULL, NULL},
};

void pd_db_credit_from(const PGresult *r, int row, int col, struct pd_photo_credit *out)
{
  const char *licence = pd_db_val(r, row, col + 1), *page = pd_db_val(r, row, col + 2);
  memset(out, 0, sizeof(*out));
  if (licence == NULL || page == NULL)
    return; /* not a licensed photo, or one without its page: nothing to credit */
  pd_utf8_copy(out->author, sizeof(out->author),
               pd_db_val(r, row, col) != NULL ? pd_db_val(r, row, col) : "");
  pd_utf8_copy(out->licence, sizeof(out->licence), licence);
  if (strlen(page) < sizeof(out->page))
    snprintf(out->page, sizeof(out->page), "%s", page); /* a URL is whole or not at all */
  out->required = pd_db_bool(r, row, col + 3);
}

static void i64(char *buf, size_t len, int64_t v)
{
  snprintf(buf, len, "%" PRId64, v);
}

enum pd_result pd_db_rarity_counts(struct pd_db *db, const char *guild,
                                   int64_t counts[PD_RARITY_COUNT])
{
  PGresult *r = NULL;
  const char *params[1] = {guild};
  enum pd_result rc = pd_db_exec(db, "rarity_counts", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  memset(counts, 0, sizeof(int64_t) * PD_RARITY_COUNT);
  for (int i = 0; i < PQntuples(r); i++) {
    enum pd_rarity rar;
    if (pd_rarity_parse(pd_db_val(r, i, 0), &rar) == PD_OK)
      counts[rar] = pd_db_int(r, i, 1);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_template_at(struct pd_db *db, const char *guild, enum pd_rarity rar,
                                 int64_t index, int64_t *template_id)
{
  char ix[24];
  PGresult *r = NULL;
  i64(ix, sizeof(ix), index);
  const char *params[3] = {pd_rarity_name(rar), ix, guild};
  enum pd_result rc = pd_db_exec(db, "template_at", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_NOTFOUND;
  if (rc == PD_OK)
    *template_id = pd_db_int(r, 0, 0);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_free_use(struct pd_db *db, int64_t user_id, const char *what, int per_day,
                              bool *free)
{
  char u[24], n[16];
  PGresult *r = NULL;
  *free = false;
  if (per_day <= 0)
    return PD_OK;
  i64(u, sizeof(u), user_id);
  snprintf(n, sizeof(n), "%d", per_day);
  const char *params[3] = {u, what, n};
  enum pd_result rc = pd_db_exec(db, "free_use", 3, params, &r);
  if (rc == PD_OK)
    *free = PQntuples(r) == 1;
  PQclear(r);
  return rc;
}

/* "{1,2,3}" for a bigint[] parameter. */
static void id_array(const int64_t *ids, size_t n, char *out, size_t outlen)
{
  size_t at = (size_t)snprintf(out, outlen, "{");
  for (size_t i = 0; i < n && at < outlen; i++)
    at += (size_t)snprintf(out + at, outlen - at, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
  if (at < outlen)
    snprintf(out + at, outlen - at, "}");
}

enum pd_result pd_db_cards_info(struct pd_db *db, const int64_t *ids, size_t n,
                                struct pd_card_info *out)
{
  char arr[512];
  PGresult *r = NULL;
  id_array(ids, n, arr, sizeof(arr));
  const char *params[1] = {arr};
  enum pd_result rc = pd_db_exec(db, "cards_info", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  for (size_t k = 0; k < n; k++) {
    int row = -1;
    for (int i = 0; i < PQntuples(r) && row < 0; i++)
      if (pd_db_int(r, i, 0) == ids[k])
        row = i;
    if (row < 0) {
      rc = PD_E_NOTFOUND;
      break;
    }
    out[k].template_id = ids[k];
    snprintf(out[k].public_id, sizeof(out[k].public_id), "%s", pd_db_val(r, row, 1));
    pd_utf8_copy(out[k].artist, sizeof(out[k].artist), pd_db_val(r, row, 2));
    pd_utf8_copy(out[k].era, sizeof(out[k].era), pd_db_val(r, row, 3));
    snprintf(out[k].rarity, sizeof(out[k].rarity), "%s", pd_db_val(r, row, 4));
    snprintf(out[k].image_url, sizeof(out[k].image_url), "%s", pd_db_val(r, row, 5));
    out[k].copies = pd_db_int(r, row, 6);
    out[k].temporary = pd_db_bool(r, row, 7);
    out[k].expires_at = pd_db_int(r, row, 8);
    pd_db_credit_from(r, row, 9, &out[k].credit);
    out[k].retired = pd_db_bool(r, row, 13);
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_pack_insert(struct pd_db *db, int64_t user_id, const char *pack,
                                 const int64_t *template_ids, const char *const *rarities, size_t n,
                                 const char *currency, int64_t amount, int64_t expiry_s,
                                 int64_t *pack_id)
{
  char u[24], ids[512], rars[256], amt[24], exp[24];
  size_t at = (size_t)snprintf(rars, sizeof(rars), "{");
  for (size_t i = 0; i < n && at < sizeof(rars); i++)
    at += (size_t)snprintf(rars + at, sizeof(rars) - at, "%s%s", i > 0 ? "," : "", rarities[i]);
  if (at < sizeof(rars))
    snprintf(rars + at, sizeof(rars) - at, "}");
  i64(u, sizeof(u), user_id);
  i64(amt, sizeof(amt), amount);
  i64(exp, sizeof(exp), expiry_s);
  id_array(template_ids, n, ids, sizeof(ids));
  PGresult *r = NULL;
  const char *params[7] = {u, pack, ids, rars, currency, amt, exp};
  enum pd_result rc = pd_db_exec(db, "pack_insert", 7, params, &r);
  if (rc == PD_OK)
    *pack_id = pd_db_int(r, 0, 0);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_pack_lock(struct pd_db *db, int64_t pack_id, struct pd_pack_row *out)
{
  char p[24];
  PGresult *r = NULL;
  i64(p, sizeof(p), pack_id);
  const char *params[1] = {p};
  enum pd_result rc = pd_db_exec(db, "pack_lock", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 1) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  memset(out, 0, sizeof(*out));
  out->id = pd_db_int(r, 0, 0);
  snprintf(out->opener, sizeof(out->opener), "%s", pd_db_val(r, 0, 1));
  out->user_id = pd_db_int(r, 0, 2);
  snprintf(out->pack, sizeof(out->pack), "%s", pd_db_val(r, 0, 3));
  out->picked = pd_db_bool(r, 0, 4);
  out->picked_index = (int)pd_db_int(r, 0, 5);
  out->expired = pd_db_bool(r, 0, 6);
  const char *list = pd_db_val(r, 0, 7);
  for (char *end = NULL; list != NULL && *list != '\0' && out->n < PD_ARRAY_LEN(out->template_ids);
       list = end) {
    out->template_ids[out->n++] = strtoll(list, &end, 10);
    if (*end == ',')
      end++;
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_pack_pick(struct pd_db *db, int64_t pack_id, int index, int64_t user_card_id)
{
  char p[24], i[16], c[24];
  i64(p, sizeof(p), pack_id);
  snprintf(i, sizeof(i), "%d", index);
  i64(c, sizeof(c), user_card_id);
  const char *params[3] = {p, i, c};
  return pd_db_exec(db, "pack_pick", 3, params, NULL);
}

enum pd_result pd_db_card_mint(struct pd_db *db, int64_t user_id, int64_t template_id,
                               const char *source, int64_t *user_card_id, int64_t *print_no)
{
  char u[24], t[24], n[24], until[64];
  PGresult *r = NULL;
  bool temp = template_id < 0;
  i64(t, sizeof(t), template_id);
  const char *p1[1] = {t};
  enum pd_result rc = pd_db_exec(db, temp ? "temp_mint_count" : "card_mint_count", 1, p1, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) != 1) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  *print_no = pd_db_int(r, 0, 0);
  snprintf(until, sizeof(until), "%s",
           temp && pd_db_val(r, 0, 1) != NULL ? pd_db_val(r, 0, 1) : "");
  PQclear(r);
  i64(u, sizeof(u), user_id);
  i64(n, sizeof(n), *print_no);
  const char *p2[5] = {u, t, n, source, until[0] != '\0' ? until : NULL};
  rc = pd_db_exec(db, temp ? "temp_mint" : "card_mint", temp ? 5 : 4, p2, &r);
  if (rc == PD_OK)
    *user_card_id = pd_db_int(r, 0, 0);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_active_events(struct pd_db *db, const char *guild, json_t **events)
{
  PGresult *r = NULL;
  const char *params[1] = {guild};
  enum pd_result rc = pd_db_exec(db, "active_events", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *events = json_array();
  for (int i = 0; *events != NULL && i < PQntuples(r); i++) {
    json_t *b = json_loads(pd_db_val(r, i, 1), 0, NULL);
    json_array_append_new(*events, json_pack("{s:s, s:o}", "name", pd_db_val(r, i, 0), "boosts",
                                             json_is_object(b) ? b : json_object()));
    if (!json_is_object(b))
      json_decref(b);
  }
  PQclear(r);
  return *events != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_db_packs_expire(struct pd_db *db, int limit, int64_t *n)
{
  PGresult *r = NULL;
  char lim[16];
  snprintf(lim, sizeof(lim), "%d", limit);
  const char *params[1] = {lim};
  *n = 0;
  enum pd_result rc = pd_db_exec(db, "packs_expire", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = strtoll(PQcmdTuples(r), NULL, 10);
  PQclear(r);
  return PD_OK;
}
