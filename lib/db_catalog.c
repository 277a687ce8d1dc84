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
    {"artist_set_spotify",
     "UPDATE artists SET spotify_id = $2 WHERE id = $1 AND spotify_id IS NULL"},
    {"artist_merge_metadata",
     "UPDATE artists SET metadata = coalesce(metadata, '{}'::jsonb) || $2::jsonb WHERE id = $1"},
    {"member_link", "INSERT INTO artist_members (artist_id, member_artist_id, role) VALUES ($1, "
                    "$2, coalesce($3, 'member'))"
                    " ON CONFLICT (artist_id, member_artist_id) DO NOTHING"},
    {"era_upsert", "INSERT INTO eras (artist_id, name, start_date, end_date, search_keywords) "
                   "VALUES ($1, $2, $3, $4, $5::text[])"
                   " ON CONFLICT (artist_id, name) DO UPDATE SET start_date = "
                   "coalesce(eras.start_date, EXCLUDED.start_date)"
                   " RETURNING id, xmax = 0"},
    {"image_upsert",
     "INSERT INTO era_images (era_id, source_url, kind, width, height, phash, license, "
     "storage_url, confidence,"
     " era_match, keyword) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11)"
     " ON CONFLICT (source_url) DO UPDATE SET era_id = era_images.era_id RETURNING id, xmax = 0"},
    /* Stored, or refused before: either way not worth downloading again. */
    {"image_known", "SELECT 1 FROM era_images WHERE source_url = $1 UNION ALL SELECT 1 FROM "
                    "image_rejections WHERE source_url = $1"
                    " LIMIT 1"},
    /* A near-duplicate: within PD_PHASH_DUP_MAX_DISTANCE bits of an image already stored. */
    {"image_near_dup",
     "SELECT id FROM era_images WHERE phash ~ '^[0-9a-f]{16}$'"
     " AND bit_count(('x' || phash)::bit(64) # ('x' || $1)::bit(64)) <= $2 ORDER BY id LIMIT 1"},
    {"image_reject",
     "INSERT INTO image_rejections (era_id, source_url, reason) VALUES ($1, $2, $3)"},
    /* A removed artist stays removed: the catalog does not write it again. */
    {"artist_removed", "SELECT 1 FROM artists WHERE name = $1 AND removed_at IS NOT NULL"},
    {"era_template_count", "SELECT count(*) FROM card_templates WHERE era_id = $1"},
    {"template_find", "SELECT public_id FROM card_templates WHERE source_image_id = $1"
                      " AND coalesce(made_as, rarity) = $2"},
    /* Permanent and temporary cards share one namespace (/viewcard finds either by its id). */
    {"publicid_taken", "SELECT 1 FROM card_templates WHERE public_id = $1 UNION ALL"
                       " SELECT 1 FROM temp_card_templates WHERE public_id = $1"},
    {"template_insert",
     "INSERT INTO card_templates (public_id, artist_id, era_id, rarity, image_url, source_image_id)"
     " VALUES ($1, $2, $3, $4, $5, $6)"},
    /* The era's cards still drawn from generated art, which ingested art replaces. */
    {"era_generated_templates",
     "SELECT t.id, t.public_id, t.rarity, t.image_rev FROM card_templates t JOIN era_images i ON "
     "i.id = t.source_image_id"
     " WHERE t.era_id = $1 AND i.kind = 'generated' AND t.removed_at IS NULL"
     " ORDER BY t.id FOR UPDATE OF t"},
    {"template_repoint", "UPDATE card_templates SET source_image_id = $2, image_url = $3, "
                         "image_rev = $4 WHERE id = $1"},
    {"template_view", "SELECT t.public_id, a.name, e.name, t.rarity, coalesce(i.kind, 'unknown'), "
                      "coalesce(i.storage_url, ''),"
                      " t.image_rev FROM card_templates t"
                      " JOIN artists a ON a.id = t.artist_id JOIN eras e ON e.id = t.era_id"
                      " LEFT JOIN era_images i ON i.id = t.source_image_id WHERE t.public_id = $1"},
    {NULL, NULL},
};

static enum pd_result id_created(struct pd_db *db, const char *stmt, int n,
                                 const char *const *params, int64_t *id, bool *created)
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

enum pd_result pd_db_artist_upsert(struct pd_db *db, const char *name, bool is_group, int64_t *id,
                                   bool *created)
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

enum pd_result pd_db_artist_set_spotify(struct pd_db *db, int64_t artist_id, const char *spotify_id)
{
  char a[24];
  snprintf(a, sizeof(a), "%" PRId64, artist_id);
  const char *params[2] = {a, spotify_id};
  return pd_db_exec(db, "artist_set_spotify", 2, params, NULL);
}

enum pd_result pd_db_artist_merge_metadata(struct pd_db *db, int64_t artist_id, json_t *metadata)
{
  char a[24];
  char *m = json_dumps(metadata, JSON_COMPACT);
  if (m == NULL)
    return PD_E_NOMEM;
  snprintf(a, sizeof(a), "%" PRId64, artist_id);
  const char *params[2] = {a, m};
  enum pd_result rc = pd_db_exec(db, "artist_merge_metadata", 2, params, NULL);
  free(m);
  return rc;
}

enum pd_result pd_db_member_link(struct pd_db *db, int64_t group_id, int64_t member_id,
                                 const char *role)
{
  char g[24], m[24];
  snprintf(g, sizeof(g), "%" PRId64, group_id);
  snprintf(m, sizeof(m), "%" PRId64, member_id);
  const char *params[3] = {g, m, role};
  return pd_db_exec(db, "member_link", 3, params, NULL);
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

enum pd_result pd_db_era_upsert(struct pd_db *db, int64_t artist_id, const char *name,
                                const char *start, const char *end, const char *const *keywords,
                                int64_t *id, bool *created)
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

enum pd_result pd_db_image_upsert(struct pd_db *db, const struct pd_db_image *im, int64_t *id,
                                  bool *created)
{
  char e[24], w[16], h[16], c[32];
  char *lic = im->license != NULL ? json_dumps(im->license, JSON_COMPACT) : NULL;
  snprintf(e, sizeof(e), "%" PRId64, im->era_id);
  snprintf(w, sizeof(w), "%d", im->width);
  snprintf(h, sizeof(h), "%d", im->height);
  snprintf(c, sizeof(c), "%.3f", im->confidence);
  const char *params[11] = {e,
                            im->source_url,
                            im->kind,
                            w,
                            h,
                            im->phash,
                            lic,
                            im->storage_url,
                            im->confidence >= 0 ? c : NULL,
                            im->era_match,
                            im->keyword};
  enum pd_result rc = id_created(db, "image_upsert", 11, params, id, created);
  free(lic);
  return rc;
}

enum pd_result pd_db_image_known(struct pd_db *db, const char *source_url, bool *known)
{
  PGresult *r = NULL;
  const char *params[1] = {source_url};
  enum pd_result rc = pd_db_exec(db, "image_known", 1, params, &r);
  if (rc == PD_OK)
    *known = PQntuples(r) > 0;
  PQclear(r);
  return rc;
}

enum pd_result pd_db_image_near_dup(struct pd_db *db, const char *phash, int max_distance,
                                    int64_t *dup_id)
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

enum pd_result pd_db_image_reject(struct pd_db *db, int64_t era_id, const char *source_url,
                                  const char *reason)
{
  char e[24];
  snprintf(e, sizeof(e), "%" PRId64, era_id);
  const char *params[3] = {e, source_url, reason};
  return pd_db_exec(db, "image_reject", 3, params, NULL);
}

enum pd_result pd_db_artist_removed(struct pd_db *db, const char *name, bool *removed)
{
  PGresult *r = NULL;
  const char *params[1] = {name};
  enum pd_result rc = pd_db_exec(db, "artist_removed", 1, params, &r);
  if (rc == PD_OK)
    *removed = PQntuples(r) > 0;
  PQclear(r);
  return rc;
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

enum pd_result pd_db_template_find(struct pd_db *db, int64_t image_id, const char *rarity,
                                   char public_id[16])
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

enum pd_result pd_db_template_insert(struct pd_db *db, const char *public_id, int64_t artist_id,
                                     int64_t era_id, const char *rarity, const char *image_url,
                                     int64_t image_id)
{
  char a[24], e[24], i[24];
  snprintf(a, sizeof(a), "%" PRId64, artist_id);
  snprintf(e, sizeof(e), "%" PRId64, era_id);
  snprintf(i, sizeof(i), "%" PRId64, image_id);
  const char *params[6] = {public_id, a, e, rarity, image_url, i};
  return pd_db_exec(db, "template_insert", 6, params, NULL);
}

enum pd_result pd_db_template_view(struct pd_db *db, const char *public_id,
                                   struct pd_template_view *out)
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
  snprintf(out->art, sizeof(out->art), "%s", pd_db_val(r, 0, 5));
  out->image_rev = (int)pd_db_int(r, 0, 6);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_era_generated_templates(struct pd_db *db, int64_t era_id,
                                             struct pd_db_template_ref *out, size_t max, size_t *n)
{
  char e[24];
  PGresult *r = NULL;
  snprintf(e, sizeof(e), "%" PRId64, era_id);
  const char *params[1] = {e};
  enum pd_result rc = pd_db_exec(db, "era_generated_templates", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  *n = 0;
  for (int i = 0; i < PQntuples(r) && *n < max; i++, (*n)++) {
    out[*n].id = pd_db_int(r, i, 0);
    snprintf(out[*n].public_id, sizeof(out[*n].public_id), "%s", pd_db_val(r, i, 1));
    snprintf(out[*n].rarity, sizeof(out[*n].rarity), "%s", pd_db_val(r, i, 2));
    out[*n].image_rev = (int)pd_db_int(r, i, 3);
  }
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_template_repoint(struct pd_db *db, int64_t template_id, int64_t image_id,
                                      const char *image_url, int image_rev)
{
  char t[24], i[24], v[16];
  snprintf(t, sizeof(t), "%" PRId64, template_id);
  snprintf(i, sizeof(i), "%" PRId64, image_id);
  snprintf(v, sizeof(v), "%d", image_rev);
  const char *params[4] = {t, i, image_url, v};
  return pd_db_exec(db, "template_repoint", 4, params, NULL);
}
