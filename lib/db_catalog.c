/* db_catalog.c - statements for the card catalog. */
#include "db_catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_areas.h"

const struct pd_db_stmt pd_db_catalog_stmts[] = {
  /* DO UPDATE (a no-op) rather than DO NOTHING so the existing row's id comes back. */
  {"artist_upsert",
   "INSERT INTO artists (name, is_group) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE"
   " SET is_group = artists.is_group OR EXCLUDED.is_group RETURNING id, xmax = 0"},
  {"artist_set_mbid", "UPDATE artists SET mbid = $2 WHERE id = $1 AND mbid IS NULL"},
  {"member_link",
   "INSERT INTO artist_members (artist_id, member_artist_id, role) VALUES ($1, $2, 'member')"
   " ON CONFLICT (artist_id, member_artist_id) DO NOTHING"},
  {"era_upsert",
   "INSERT INTO eras (artist_id, name, start_date, end_date, search_keywords) VALUES ($1, $2, $3, $4, $5::text[])"
   " ON CONFLICT (artist_id, name) DO UPDATE SET start_date = coalesce(eras.start_date, EXCLUDED.start_date)"
   " RETURNING id, xmax = 0"},
  {"image_upsert",
   "INSERT INTO era_images (era_id, source_url, kind, width, height, phash, license)"
   " VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) ON CONFLICT (source_url) DO UPDATE SET era_id = era_images.era_id"
   " RETURNING id, xmax = 0"},
  /* A near-duplicate: within PD_PHASH_DUP_MAX_DISTANCE bits of an image already stored. */
  {"image_near_dup",
   "SELECT id FROM era_images WHERE phash ~ '^[0-9a-f]{16}$'"
   " AND bit_count(('x' || phash)::bit(64) # ('x' || $1)::bit(64)) <= $2 ORDER BY id LIMIT 1"},
  {"image_reject", "INSERT INTO image_rejections (era_id, source_url, reason) VALUES ($1, $2, $3)"},
  {"era_template_count", "SELECT count(*) FROM card_templates WHERE era_id = $1"},
  {"template_find", "SELECT public_id FROM card_templates WHERE source_image_id = $1 AND rarity = $2"},
  {"publicid_taken", "SELECT 1 FROM card_templates WHERE public_id = $1"},
  {"template_insert",
   "INSERT INTO card_templates (public_id, artist_id, era_id, rarity, image_url, source_image_id)"
   " VALUES ($1, $2, $3, $4, $5, $6)"},
  {"template_view",
   "SELECT t.public_id, a.name, e.name, t.rarity, coalesce(i.kind, 'unknown') FROM card_templates t"
   " JOIN artists a ON a.id = t.artist_id JOIN eras e ON e.id = t.era_id"
   " LEFT JOIN era_images i ON i.id = t.source_image_id WHERE t.public_id = $1"},
  {NULL, NULL},
};

static enum pd_result id_created(struct pd_db *db, const char *stmt, int n, const char *const *params, int64_t *id,
                                 bool *created)
{
  PGresult *r = NULL;
  enum pd_result rc = pd_db_exec(db, stmt, n, params, &r);
  if (rc != PD_OK)
    return rc;
  *id = pd_db_int(r, 0, 0);
  if (created != NULL)
    *created = pd_db_bool(r, 0, 1);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_artist_upsert(struct pd_db *db, const char *name, bool is_group, int64_t *id, bool *created)
{
  const char *params[2] = {name, is_group ? "true" : "false"};
  return id_created(db, "artist_upsert", 2, params, id, created);
}

enum pd_result pd_db_artist_set_mbid(struct pd_db *db, int64_t artist_id, const char *mbid)
{
  char a[24];
  snprintf(a, sizeof(a), "%" PRId64, artist_id);
  const char *params[2] = {a, mbid};
  return pd_db_exec(db, "artist_set_mbid", 2, params, NULL);
}

enum pd_result pd_db_member_link(struct pd_db *db, int64_t group_id, int64_t member_id)
{
  char g[24], m[24];
  snprintf(g, sizeof(g), "%" PRId64, group_id);
  snprintf(m, sizeof(m), "%" PRId64, member_id);
  const char *params[2] = {g, m};
  return pd_db_exec(db, "member_link", 2, params, NULL);
}

/* A PostgreSQL array literal of text: {"a","b"} with quotes and backslashes escaped. */
static char *text_array(const char *const *items)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (f == NULL)
    return NULL;
  fputc('{', f);
  for (size_t i = 0; items[i] != NULL; i++) {
    fputs(i > 0 ? ",\"" : "\"", f);
    for (const char *p = items[i]; *p != '\0'; p++) {
      if (*p == '"' || *p == '\\')
        fputc('\\', f);
      fputc(*p, f);
    }
    fputc('"', f);
  }
  fputc('}', f);
  fclose(f);
  return buf;
}

enum pd_result pd_db_era_upsert(struct pd_db *db, int64_t artist_id, const char *name, const char *start,
                                const char *end, const char *const *keywords, int64_t *id, bool *created)
{
  char a[24];
  char *kw = text_array(keywords);
  if (kw == NULL)
    return PD_E_NOMEM;
  snprintf(a, sizeof(a), "%" PRId64, artist_id);
  const char *params[5] = {a, name, start, end, kw};
  enum pd_result rc = id_created(db, "era_upsert", 5, params, id, created);
  free(kw);
  return rc;
}

enum pd_result pd_db_image_upsert(struct pd_db *db, int64_t era_id, const char *source_url, const char *kind,
                                  int width, int height, const char *phash, json_t *license, int64_t *id,
                                  bool *created)
{
  char e[24], w[16], h[16];
  char *lic = license != NULL ? json_dumps(license, JSON_COMPACT) : NULL;
  snprintf(e, sizeof(e), "%" PRId64, era_id);
  snprintf(w, sizeof(w), "%d", width);
  snprintf(h, sizeof(h), "%d", height);
  const char *params[7] = {e, source_url, kind, w, h, phash, lic};
  enum pd_result rc = id_created(db, "image_upsert", 7, params, id, created);
  free(lic);
  return rc;
}

enum pd_result pd_db_image_near_dup(struct pd_db *db, const char *phash, int max_distance, int64_t *dup_id)
{
  char d[16];
  PGresult *r = NULL;
  snprintf(d, sizeof(d), "%d", max_distance);
  const char *params[2] = {phash, d};
  enum pd_result rc = pd_db_exec(db, "image_near_dup", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  *dup_id = PQntuples(r) > 0 ? pd_db_int(r, 0, 0) : 0;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_image_reject(struct pd_db *db, int64_t era_id, const char *source_url, const char *reason)
{
  char e[24];
  snprintf(e, sizeof(e), "%" PRId64, era_id);
  const char *params[3] = {e, source_url, reason};
  return pd_db_exec(db, "image_reject", 3, params, NULL);
}

enum pd_result pd_db_era_template_count(struct pd_db *db, int64_t era_id, int64_t *n)
{
  char e[24];
  PGresult *r = NULL;
  snprintf(e, sizeof(e), "%" PRId64, era_id);
  const char *params[1] = {e};
  enum pd_result rc = pd_db_exec(db, "era_template_count", 1, params, &r);
  if (rc == PD_OK)
    *n = pd_db_int(r, 0, 0);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_template_find(struct pd_db *db, int64_t image_id, const char *rarity, char public_id[16])
{
  char i[24];
  PGresult *r = NULL;
  snprintf(i, sizeof(i), "%" PRId64, image_id);
  const char *params[2] = {i, rarity};
  enum pd_result rc = pd_db_exec(db, "template_find", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0)
    rc = PD_E_NOTFOUND;
  else
    snprintf(public_id, 16, "%s", pd_db_val(r, 0, 0));
  PQclear(r);
  return rc;
}

enum pd_result pd_db_publicid_taken(struct pd_db *db, const char *public_id, bool *taken)
{
  PGresult *r = NULL;
  const char *params[1] = {public_id};
  enum pd_result rc = pd_db_exec(db, "publicid_taken", 1, params, &r);
  if (rc == PD_OK)
    *taken = PQntuples(r) > 0;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_template_insert(struct pd_db *db, const char *public_id, int64_t artist_id, int64_t era_id,
                                     const char *rarity, const char *image_url, int64_t image_id)
{
  char a[24], e[24], i[24];
  snprintf(a, sizeof(a), "%" PRId64, artist_id);
  snprintf(e, sizeof(e), "%" PRId64, era_id);
  snprintf(i, sizeof(i), "%" PRId64, image_id);
  const char *params[6] = {public_id, a, e, rarity, image_url, i};
  return pd_db_exec(db, "template_insert", 6, params, NULL);
}

enum pd_result pd_db_template_view(struct pd_db *db, const char *public_id, struct pd_template_view *out)
{
  PGresult *r = NULL;
  const char *params[1] = {public_id};
  enum pd_result rc = pd_db_exec(db, "template_view", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return PD_E_NOTFOUND;
  }
  snprintf(out->public_id, sizeof(out->public_id), "%s", pd_db_val(r, 0, 0));
  snprintf(out->artist, sizeof(out->artist), "%s", pd_db_val(r, 0, 1));
  snprintf(out->era, sizeof(out->era), "%s", pd_db_val(r, 0, 2));
  snprintf(out->rarity, sizeof(out->rarity), "%s", pd_db_val(r, 0, 3));
  snprintf(out->kind, sizeof(out->kind), "%s", pd_db_val(r, 0, 4));
  PQclear(r);
  return PD_OK;
}
