/* db_events.c - statements for what players see of events and for the event_end task (see
 * db_events.h). */
#include "db_events.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"
#include "utf8.h"

/* An event's columns in the order event_from reads them. */
#define COLS                                                                                       \
  "id, name, coalesce(description, ''), extract(epoch FROM start_at)::bigint,"                     \
  " extract(epoch FROM end_at)::bigint, boosts::text, coalesce(pack, ''),"                         \
  " coalesce(guild_id, ''), claim_every = 'day', consolation_notes,"                               \
  " pd_now() >= start_at AND pd_now() < end_at, extract(epoch FROM pd_now())::bigint,"             \
  " CASE WHEN claim_every = 'day' THEN floor(extract(epoch FROM pd_now()) / 86400)::int"           \
  " ELSE 0 END"

const struct pd_db_stmt pd_db_events_stmts[] = {
    {"events_visible", "SELECT " COLS " FROM events WHERE end_at > pd_now() AND"
                       " (guild_id IS NULL OR guild_id = $1::text) ORDER BY start_at, id LIMIT $2"},
    /* By id, or by pack: the one visible here first, then a running one, then the soonest. */
    {"event_for_pack", "SELECT " COLS " FROM events WHERE pack IS NOT NULL AND"
                       " (id::text = $1 OR pack = $1)"
                       " ORDER BY (guild_id IS NULL OR guild_id = $2::text) DESC,"
                       " (pd_now() >= start_at AND pd_now() < end_at) DESC, end_at > pd_now() DESC,"
                       " abs(extract(epoch FROM start_at - pd_now())), id LIMIT 1"},
    {"event_claim",
     "INSERT INTO event_pack_claims (event_id, user_id, period, pack_id)"
     " VALUES ($1::int, $2::int, $3::int, $4::bigint) ON CONFLICT DO NOTHING RETURNING 1"},
    {"event_pack_open",
     "SELECT 1 FROM events WHERE pack = $1 AND pd_now() >= start_at AND pd_now() < end_at"
     " AND (guild_id IS NULL OR guild_id = $2::text) LIMIT 1"},
    /* Cards of events not settled yet whose own expiry passed, with a copy still in escrow. */
    {"event_expired_escrow",
     "SELECT coalesce(array_agg(c ORDER BY c), '{}')::text FROM (SELECT -t.id AS c FROM"
     " temp_card_templates t JOIN events e ON e.id = t.event_id WHERE e.settled_at IS NULL"
     " AND t.expires_at <= pd_now() AND (EXISTS (SELECT 1 FROM market_listings l WHERE"
     " l.card_id = -t.id AND l.status = 'active') OR EXISTS (SELECT 1 FROM trade_cards tc"
     " JOIN user_cards uc ON uc.id = tc.user_card_id WHERE tc.active AND uc.card_id = -t.id))"
     " ORDER BY t.id LIMIT 50) x"},
    /* The listings close first; only then may their copies leave 'listed' (sql/010). */
    {"event_listings_cancel",
     "WITH l AS (UPDATE market_listings SET status = 'cancelled', closed_at = pd_now()"
     " WHERE card_id = ANY($1::bigint[]) AND status = 'active' RETURNING user_card_id,"
     " seller_id, card_id), f AS (UPDATE user_cards SET state = 'free' WHERE id IN"
     " (SELECT user_card_id FROM l) AND state = 'listed' RETURNING id)"
     " SELECT u.discord_id, c.public_id, (SELECT count(*) FROM f) FROM l"
     " JOIN users u ON u.id = l.seller_id JOIN all_cards c ON c.id = l.card_id"
     " ORDER BY u.discord_id"},
    {"event_next_over",
     "SELECT " COLS ", (SELECT coalesce(array_agg(-t.id ORDER BY t.id), '{}')::text FROM"
     " temp_card_templates t WHERE t.event_id = events.id) FROM events WHERE settled_at IS NULL"
     " AND end_at <= pd_now() ORDER BY end_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"},
    {"event_settle", "UPDATE events SET settled_at = pd_now() WHERE id = $1::int AND"
                     " settled_at IS NULL RETURNING 1"},
    {NULL, NULL},
};

static void event_from(const PGresult *r, int i, struct pd_event *e)
{
  memset(e, 0, sizeof(*e));
  e->id = pd_db_int(r, i, 0);
  pd_utf8_copy(e->name, sizeof(e->name), pd_db_val(r, i, 1));
  pd_utf8_copy(e->description, sizeof(e->description), pd_db_val(r, i, 2));
  e->start = pd_db_int(r, i, 3);
  e->end = pd_db_int(r, i, 4);
  snprintf(e->boosts, sizeof(e->boosts), "%s", pd_db_val(r, i, 5));
  snprintf(e->pack, sizeof(e->pack), "%s", pd_db_val(r, i, 6));
  snprintf(e->guild, sizeof(e->guild), "%s", pd_db_val(r, i, 7));
  e->daily = strcmp(pd_db_val(r, i, 8), "t") == 0;
  e->consolation_notes = pd_db_int(r, i, 9);
  e->running = strcmp(pd_db_val(r, i, 10), "t") == 0;
  e->now = pd_db_int(r, i, 11);
  e->period = (int)pd_db_int(r, i, 12);
}

enum pd_result pd_db_events_visible(struct pd_db *db, const char *guild, struct pd_event *rows,
                                    size_t max, size_t *n)
{
  char lim[24];
  snprintf(lim, sizeof(lim), "%zu", max);
  const char *params[2] = {guild, lim};
  PGresult *r = NULL;
  *n = 0;
  enum pd_result rc = pd_db_exec(db, "events_visible", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  for (int i = 0; i < PQntuples(r) && (size_t)i < max; i++)
    event_from(r, i, &rows[(*n)++]);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_event_for_pack(struct pd_db *db, const char *which, const char *guild,
                                    struct pd_event *out)
{
  const char *params[2] = {which, guild};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "event_for_pack", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_NOTFOUND;
  if (rc == PD_OK)
    event_from(r, 0, out);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_event_claim(struct pd_db *db, const struct pd_event *e, int64_t user_id,
                                 int64_t pack_id)
{
  char ev[24], u[24], per[24], pk[24];
  snprintf(ev, sizeof(ev), "%" PRId64, e->id);
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  snprintf(per, sizeof(per), "%d", e->period);
  snprintf(pk, sizeof(pk), "%" PRId64, pack_id);
  const char *params[4] = {ev, u, per, pk};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "event_claim", 4, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_CONFLICT;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_event_pack_open(struct pd_db *db, const char *pack, const char *guild,
                                     bool *open)
{
  const char *params[2] = {pack, guild};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "event_pack_open", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  *open = PQntuples(r) > 0;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_event_expired_escrow(struct pd_db *db, char *ids, size_t cap, bool *any)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "event_expired_escrow", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  const char *v = pd_db_val(r, 0, 0);
  rc = strlen(v) < cap ? PD_OK : PD_E_INTERNAL;
  if (rc == PD_OK)
    snprintf(ids, cap, "%s", v);
  *any = rc == PD_OK && strcmp(v, "{}") != 0;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_event_cancel_listings(struct pd_db *db, const char *ids, json_t **out)
{
  const char *params[1] = {ids};
  PGresult *r = NULL;
  *out = NULL;
  enum pd_result rc = pd_db_exec(db, "event_listings_cancel", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  json_t *list = json_array();
  for (int i = 0; list != NULL && i < PQntuples(r); i++)
    json_array_append_new(
        list, json_pack("{s:s, s:s}", "recipient", pd_db_val(r, i, 0), "card", pd_db_val(r, i, 1)));
  /* Every cancelled listing's copy went back to 'free' in the same statement. */
  if (list != NULL && PQntuples(r) > 0 && pd_db_int(r, 0, 2) != PQntuples(r))
    rc = PD_E_INTERNAL;
  PQclear(r);
  if (list == NULL)
    return PD_E_NOMEM;
  if (rc != PD_OK) {
    json_decref(list);
    return rc;
  }
  *out = list;
  return PD_OK;
}

enum pd_result pd_db_event_next_over(struct pd_db *db, struct pd_event *e, char *ids, size_t cap)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "event_next_over", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_NOTFOUND;
  if (rc == PD_OK) {
    event_from(r, 0, e);
    const char *v = pd_db_val(r, 0, 13);
    rc = strlen(v) < cap ? PD_OK : PD_E_INTERNAL;
    if (rc == PD_OK)
      snprintf(ids, cap, "%s", v);
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_event_settle(struct pd_db *db, int64_t event_id)
{
  char ev[24];
  snprintf(ev, sizeof(ev), "%" PRId64, event_id);
  const char *params[1] = {ev};
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, "event_settle", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  rc = PQntuples(r) == 1 ? PD_OK : PD_E_CONFLICT;
  PQclear(r);
  return rc;
}
