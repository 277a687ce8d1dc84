/* db_catalog_tasks.c - statements of the catalog's periodic tasks and of reuse versus create
 * (see db_catalog_tasks.h). */
#include "db_catalog_tasks.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"
#include "utf8.h"

/* An era image no card is made from: stored art, not generated, not removed (sql/026's index). */
#define UNUSED_IMAGE(i)                                                                            \
  i ".removed_at IS NULL AND " i ".storage_url IS NOT NULL AND " i ".kind <> 'generated'"          \
    " AND NOT EXISTS (SELECT 1 FROM card_templates u WHERE u.source_image_id = " i ".id)"

const struct pd_db_stmt pd_db_catalog_tasks_stmts[] = {
    {"ct_most_collected",
     "SELECT a.name FROM user_cards c JOIN card_templates t ON t.id = c.template_id"
     " JOIN artists a ON a.id = t.artist_id"
     " WHERE c.state <> 'gone' AND a.removed_at IS NULL AND a.retired_at IS NULL"
     " GROUP BY a.id, a.name ORDER BY count(*) DESC, a.name LIMIT $1"},
    {"ct_prune_batch",
     "SELECT id, name, retired_at IS NOT NULL FROM artists WHERE removed_at IS NULL AND id > $1"
     " ORDER BY id LIMIT $2"},
    {"ct_prune_retire",
     "UPDATE artists SET metadata = coalesce(metadata, '{}'::jsonb) || jsonb_build_object('prune',"
     " $2::jsonb), retired_at = CASE WHEN $3::text IS NULL THEN NULL"
     " ELSE coalesce(retired_at, pd_now()) END, retired_why = $3"
     " WHERE id = $1 RETURNING (SELECT retired_at IS NOT NULL FROM artists WHERE id = $1)"
     " <> ($3::text IS NOT NULL)"},
    {"ct_refill_eras",
     "SELECT e.id, a.name, x.eras, x.target, n.unused FROM eras e JOIN artists a ON a.id ="
     " e.artist_id CROSS JOIN LATERAL (SELECT json_agg(json_build_object('name', o.name, 'start',"
     " o.start_date::text, 'end', o.end_date::text) ORDER BY o.start_date, o.id) AS eras,"
     " count(*) FILTER (WHERE o.start_date < e.start_date OR (o.start_date = e.start_date AND"
     " o.id < e.id)) AS target FROM eras o WHERE o.artist_id = e.artist_id AND (o.removed_at IS"
     " NULL OR o.id = e.id)) x"
     " CROSS JOIN LATERAL (SELECT count(*) AS unused FROM era_images i WHERE i.era_id = e.id"
     " AND " UNUSED_IMAGE(
         "i") ") n"
              " WHERE e.removed_at IS NULL AND a.removed_at IS NULL AND a.retired_at IS NULL"
              " AND n.unused < $1 ORDER BY e.stock_checked_at NULLS FIRST, e.id LIMIT $2"},
    {"ct_refill_checked", "UPDATE eras SET stock_checked_at = pd_now() WHERE id = $1"},
    {"ct_draw_era",
     "SELECT t.era_id, t.artist_id, a.name, e.name, (SELECT count(*) FROM card_templates s"
     " WHERE s.era_id = t.era_id AND s.rarity = t.rarity AND s.removed_at IS NULL"
     " AND s.image_rev > 0) FROM card_templates t JOIN artists a ON a.id = t.artist_id"
     " JOIN eras e ON e.id = t.era_id WHERE t.id = $1 AND t.removed_at IS NULL"},
    {"ct_unused_images",
     "SELECT i.id, i.kind FROM era_images i WHERE i.era_id = $1 AND " UNUSED_IMAGE(
         "i") " ORDER BY i.id LIMIT $2 FOR UPDATE OF i SKIP LOCKED"},
    {"ct_template_create",
     "INSERT INTO card_templates (public_id, artist_id, era_id, rarity, image_url,"
     " source_image_id, image_rev) VALUES ($1, $2, $3, $4, $5, $6, 0)"
     " ON CONFLICT DO NOTHING RETURNING id"},
    {NULL, NULL},
};

static void i64(char *buf, size_t len, int64_t v)
{
  snprintf(buf, len, "%" PRId64, v);
}

static void text(char *out, size_t cap, const char *v)
{
  pd_utf8_copy(out, cap, v != NULL ? v : "");
}

enum pd_result pd_db_most_collected(struct pd_db *db, int limit, json_t **names)
{
  char l[24];
  PGresult *r = NULL;
  i64(l, sizeof(l), limit);
  const char *p[1] = {l};
  *names = NULL;
  enum pd_result rc = pd_db_exec(db, "ct_most_collected", 1, p, &r);
  if (rc != PD_OK)
    return rc;
  *names = json_array();
  for (int i = 0; i < PQntuples(r); i++)
    json_array_append_new(*names, json_string(pd_db_val(r, i, 0)));
  PQclear(r);
  return *names != NULL ? PD_OK : PD_E_NOMEM;
}

enum pd_result pd_db_prune_batch(struct pd_db *db, int64_t after, struct pd_db_prune_artist *out,
                                 size_t max, size_t *n)
{
  char a[24], m[24];
  PGresult *r = NULL;
  i64(a, sizeof(a), after);
  i64(m, sizeof(m), (int64_t)max);
  const char *p[2] = {a, m};
  *n = 0;
  enum pd_result rc = pd_db_exec(db, "ct_prune_batch", 2, p, &r);
  if (rc != PD_OK)
    return rc;
  for (int i = 0; i < PQntuples(r) && *n < max; i++, (*n)++) {
    out[*n].id = pd_db_int(r, i, 0);
    text(out[*n].name, sizeof(out[*n].name), pd_db_val(r, i, 1));
    out[*n].retired = pd_db_bool(r, i, 2);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_prune_set(struct pd_db *db, int64_t artist_id, json_t *measured,
                               const char *why, bool *changed)
{
  char a[24];
  PGresult *r = NULL;
  i64(a, sizeof(a), artist_id);
  char *m = pd_db_json_param(measured);
  if (m == NULL)
    return PD_E_NOMEM;
  const char *p[3] = {a, m, why};
  *changed = false;
  enum pd_result rc = pd_db_exec(db, "ct_prune_retire", 3, p, &r);
  free(m);
  if (rc == PD_OK && PQntuples(r) > 0)
    *changed = pd_db_bool(r, 0, 0);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_refill_eras(struct pd_db *db, int64_t wanted, struct pd_db_refill_era *out,
                                 size_t max, size_t *n)
{
  char w[24], m[24];
  PGresult *r = NULL;
  i64(w, sizeof(w), wanted);
  i64(m, sizeof(m), (int64_t)max);
  const char *p[2] = {w, m};
  *n = 0;
  enum pd_result rc = pd_db_exec(db, "ct_refill_eras", 2, p, &r);
  if (rc != PD_OK)
    return rc;
  for (int i = 0; rc == PD_OK && i < PQntuples(r) && *n < max; i++, (*n)++) {
    struct pd_db_refill_era *e = &out[*n];
    e->era_id = pd_db_int(r, i, 0);
    text(e->artist, sizeof(e->artist), pd_db_val(r, i, 1));
    e->eras = json_loads(pd_db_val(r, i, 2), 0, NULL);
    e->target = (size_t)pd_db_int(r, i, 3);
    e->unused = pd_db_int(r, i, 4);
    if (e->eras == NULL) {
      rc = PD_E_NOMEM;
      break;
    }
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_refill_checked(struct pd_db *db, int64_t era_id)
{
  char e[24];
  i64(e, sizeof(e), era_id);
  const char *p[1] = {e};
  return pd_db_exec(db, "ct_refill_checked", 1, p, NULL);
}

enum pd_result pd_db_draw_era(struct pd_db *db, int64_t template_id, struct pd_db_draw_era *out)
{
  char t[24];
  PGresult *r = NULL;
  memset(out, 0, sizeof(*out));
  if (template_id <= 0)
    return PD_E_NOTFOUND; /* an event's card: events choose their own cards */
  i64(t, sizeof(t), template_id);
  const char *p[1] = {t};
  enum pd_result rc = pd_db_exec(db, "ct_draw_era", 1, p, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    rc = PD_E_NOTFOUND;
  } else {
    out->era_id = pd_db_int(r, 0, 0);
    out->artist_id = pd_db_int(r, 0, 1);
    /* Whole names: a public id is made from them (their first letters). */
    text(out->artist, sizeof(out->artist), pd_db_val(r, 0, 2));
    text(out->era, sizeof(out->era), pd_db_val(r, 0, 3));
    out->stock = pd_db_int(r, 0, 4);
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_db_unused_images(struct pd_db *db, int64_t era_id, struct pd_db_unused_image *out,
                                   size_t max, size_t *n)
{
  char e[24], m[24];
  PGresult *r = NULL;
  i64(e, sizeof(e), era_id);
  i64(m, sizeof(m), (int64_t)max);
  const char *p[2] = {e, m};
  *n = 0;
  enum pd_result rc = pd_db_exec(db, "ct_unused_images", 2, p, &r);
  if (rc != PD_OK)
    return rc;
  for (int i = 0; i < PQntuples(r) && *n < max; i++, (*n)++) {
    out[*n].id = pd_db_int(r, i, 0);
    text(out[*n].kind, sizeof(out[*n].kind), pd_db_val(r, i, 1));
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_draw_template_create(struct pd_db *db, const char *public_id,
                                          const struct pd_db_draw_era *era, const char *rarity,
                                          const char *image_url, int64_t image_id, int64_t *id)
{
  char a[24], e[24], i[24];
  PGresult *r = NULL;
  i64(a, sizeof(a), era->artist_id);
  i64(e, sizeof(e), era->era_id);
  i64(i, sizeof(i), image_id);
  const char *p[6] = {public_id, a, e, rarity, image_url, i};
  *id = 0;
  enum pd_result rc = pd_db_exec(db, "ct_template_create", 6, p, &r);
  if (rc == PD_OK && PQntuples(r) > 0)
    *id = pd_db_int(r, 0, 0);
  PQclear(r);
  return rc;
}
