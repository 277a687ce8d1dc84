/* seed.c - `popdeck seed demo [--limit N]`: the offline demo catalog (assets/catalog/demo.json)
 * into the database, with generated artwork and one rendered card per rarity per era.
 * Idempotent: a second run adds nothing.  `popdeck render PUBLIC_ID FILE.png` renders one card. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "classify.h"
#include "db_catalog.h"
#include "image_fetch.h"
#include "lastfm.h"
#include "musicbrainz.h"
#include "phash.h"
#include "publicid.h"
#include "rarity.h"
#include "render.h"
#include "storage.h"

#define DEMO_ART_W 900
#define DEMO_ART_H 1260
#define PNG_LEVEL 3

struct seed {
  struct pd_config cfg;
  struct pd_db *db;
  struct pd_renderer *renderer;
  int artists_added, eras_added, cards_rendered, cards_kept;
};

static bool taken_cb(void *arg, const char *id)
{
  struct seed *s = arg;
  bool taken = true; /* on a database error, never hand out the id */
  pd_db_publicid_taken(s->db, id, &taken);
  return taken;
}

static enum pd_result render_to_storage(struct seed *s, const char *artist, const char *era, const char *public_id,
                                        enum pd_rarity rar, gdImagePtr art)
{
  struct pd_card_spec spec = {artist, era, public_id, rar, 0, art, -1, -1};
  gdImagePtr im = NULL;
  void *png = NULL;
  size_t len = 0;
  char file[64];
  enum pd_result rc = pd_render_card(s->renderer, &spec, &im);
  if (rc == PD_OK)
    rc = pd_render_png(im, PNG_LEVEL, &png, &len);
  if (rc == PD_OK)
    rc = pd_storage_card_name(public_id, 1, file, sizeof(file));
  if (rc == PD_OK) {
    char err[300];
    rc = pd_storage_put(&s->cfg, file, png, len, err, sizeof(err));
    if (rc != PD_OK)
      fprintf(stderr, "seed: %s\n", err);
  }
  free(png);
  if (im != NULL)
    gdImageDestroy(im);
  return rc;
}

/* A release's cover from the Cover Art Archive as the era's art: downloaded under limits,
 * refused (with the reason recorded) when it is not a usable image or is a near-duplicate of
 * an image already in the catalog; otherwise classified.  *art stays NULL when refused. */
static enum pd_result fetch_cover(struct seed *s, int64_t era_id, const char *artist, const char *era,
                                  const char *start, const char *end, const char *url, gdImagePtr *art, uint64_t *ph,
                                  const char **kind)
{
  char reason[200], hex[PD_PHASH_HEX_LEN + 1], keyword[600];
  const char *type = NULL;
  size_t bytes = 0;
  int64_t dup = 0;
  *art = NULL;
  enum pd_result rc = pd_image_fetch(url, &pd_image_default_limits, art, &type, &bytes, reason, sizeof(reason));
  if (rc == PD_OK)
    rc = pd_phash_image(*art, ph);
  if (rc == PD_OK) {
    pd_phash_to_hex(*ph, hex);
    rc = pd_db_image_near_dup(s->db, hex, PD_PHASH_DUP_MAX_DISTANCE, &dup);
    if (rc != PD_OK)
      return rc;
    if (dup != 0) {
      snprintf(reason, sizeof(reason), "near-duplicate of image %lld", (long long)dup);
      rc = PD_E_CONFLICT;
    }
  }
  if (rc != PD_OK) {
    if (*art != NULL)
      gdImageDestroy(*art);
    *art = NULL;
    printf("ingest:   cover for %s refused: %s\n", era, reason);
    return pd_db_image_reject(s->db, era_id, url, reason);
  }
  snprintf(keyword, sizeof(keyword), "%s %s cover", artist, era);
  struct pd_classify_input in = {.source_url = url, .keyword = keyword, .artist = artist, .era_name = era,
                                 .era_start = start, .era_end = end};
  struct pd_classify_result out;
  /* The archive holds release covers: that provenance decides unless the signals say otherwise. */
  bool classified = pd_classify_image(&in, &out) == PD_OK && out.kind != PD_KIND_UNKNOWN;
  *kind = classified ? pd_kind_name(out.kind) : "cover";
  return PD_OK;
}

static enum pd_result seed_era(struct seed *s, const char *artist, int64_t artist_id, json_t *era, const char *end)
{
  const char *name = json_string_value(json_object_get(era, "name"));
  const char *start = json_string_value(json_object_get(era, "start"));
  char kw[6][512], src[600], hex[PD_PHASH_HEX_LEN + 1];
  const char *suffix[6] = {"concert", "live", "photoshoot", "mv", "red carpet", "press photo"};
  const char *keywords[7];
  gdImagePtr art = NULL;
  uint64_t ph = 0;
  for (int i = 0; i < 6; i++) {
    snprintf(kw[i], sizeof(kw[i]), "%s %s %s", artist, name, suffix[i]);
    keywords[i] = kw[i];
  }
  keywords[6] = NULL;
  int64_t era_id = 0, image_id = 0;
  bool created = false;
  enum pd_result rc = pd_db_era_upsert(s->db, artist_id, name, start, end, keywords, &era_id, &created);
  if (rc != PD_OK)
    return rc;
  s->eras_added += created;
  const char *kind = "generated";
  json_t *license = NULL;
  /* An era that already has cards keeps its art: nothing is fetched or drawn again. */
  if (!created) {
    int64_t n = 0;
    rc = pd_db_era_template_count(s->db, era_id, &n);
    if (rc != PD_OK || n > 0) {
      s->cards_kept += (int)n;
      return rc;
    }
  }
  const char *cover = json_string_value(json_object_get(era, "cover_url"));
  if (cover != NULL) {
    rc = fetch_cover(s, era_id, artist, name, start, end, cover, &art, &ph, &kind);
    if (rc != PD_OK)
      goto out;
  }
  if (art != NULL) {
    snprintf(src, sizeof(src), "%s", cover);
    license = json_pack("{s:s, s:s}", "source", "Cover Art Archive", "url", cover);
  } else {
    rc = pd_render_demo_art(artist, name, DEMO_ART_W, DEMO_ART_H, &art);
    if (rc == PD_OK)
      rc = pd_phash_image(art, &ph);
    if (rc != PD_OK)
      goto out;
    snprintf(src, sizeof(src), "generated:demo/%s/%s", artist, name);
    license = json_pack("{s:s, s:s}", "type", "generated", "note", "PopDeck demo artwork, replaced by ingested images");
  }
  pd_phash_to_hex(ph, hex);
  rc = pd_db_image_upsert(s->db, era_id, src, kind, gdImageSX(art), gdImageSY(art), hex, license, &image_id, NULL);
  json_decref(license);
  for (int r = 0; rc == PD_OK && r < PD_RARITY_COUNT; r++) {
    char public_id[PD_PUBLICID_SIZE], file[64], url[512];
    const char *rarity = pd_rarity_name((enum pd_rarity)r);
    rc = pd_db_template_find(s->db, image_id, rarity, public_id);
    if (rc == PD_OK) {
      s->cards_kept++;
      continue;
    }
    if (rc != PD_E_NOTFOUND)
      break;
    struct pd_publicid prefix;
    rc = pd_publicid_codes(artist, name, &prefix);
    if (rc == PD_OK)
      rc = pd_publicid_next(&prefix, taken_cb, s, public_id);
    if (rc == PD_OK)
      rc = render_to_storage(s, artist, name, public_id, (enum pd_rarity)r, art);
    if (rc == PD_OK)
      rc = pd_storage_card_name(public_id, 1, file, sizeof(file));
    if (rc == PD_OK) {
      pd_storage_card_url(&s->cfg, file, url, sizeof(url));
      rc = pd_db_template_insert(s->db, public_id, artist_id, era_id, rarity, url, image_id);
    }
    s->cards_rendered += rc == PD_OK;
  }
out:
  if (art != NULL)
    gdImageDestroy(art);
  return rc;
}

/* date moved by days and years (YYYY-MM-DD), "" when date is not one. */
static void shift_date(const char *date, int days, int years, char out[16])
{
  struct tm tm = {0};
  out[0] = '\0';
  if (date == NULL || strptime(date, "%Y-%m-%d", &tm) == NULL)
    return;
  tm.tm_mday += days;
  tm.tm_year += years;
  tm.tm_hour = 12;
  timegm(&tm); /* normalises the fields */
  strftime(out, 16, "%Y-%m-%d", &tm);
}

static enum pd_result seed_artist(struct seed *s, json_t *a)
{
  const char *name = json_string_value(json_object_get(a, "name"));
  int64_t id = 0, mid = 0;
  bool created = false;
  size_t i;
  json_t *v;
  enum pd_result rc = pd_db_exec_sql(s->db, "BEGIN");
  if (rc == PD_OK)
    rc = pd_db_artist_upsert(s->db, name, json_is_true(json_object_get(a, "is_group")), &id, &created);
  s->artists_added += rc == PD_OK && created;
  const char *mbid = json_string_value(json_object_get(a, "mbid"));
  if (rc == PD_OK && mbid != NULL)
    rc = pd_db_artist_set_mbid(s->db, id, mbid);
  json_array_foreach(json_object_get(a, "members"), i, v) {
    if (rc == PD_OK)
      rc = pd_db_artist_upsert(s->db, json_string_value(v), false, &mid, NULL);
    if (rc == PD_OK)
      rc = pd_db_member_link(s->db, id, mid);
  }
  json_t *eras = json_object_get(a, "eras");
  json_array_foreach(eras, i, v) {
    char end[16];
    json_t *next = json_array_get(eras, i + 1);
    /* An era ends the day before the next begins; the newest runs for a year. */
    if (next != NULL)
      shift_date(json_string_value(json_object_get(next, "start")), -1, 0, end);
    else
      shift_date(json_string_value(json_object_get(v, "start")), 0, 1, end);
    if (rc == PD_OK)
      rc = seed_era(s, name, id, v, end[0] ? end : NULL);
  }
  if (rc == PD_OK)
    rc = pd_db_exec_sql(s->db, "COMMIT");
  else
    (void)pd_db_exec_sql(s->db, "ROLLBACK");
  return rc;
}

static bool open_catalog(struct seed *s, unsigned need)
{
  char err[512];
  if (!pd_cli_config(need, &s->cfg))
    return false;
  if (pd_renderer_new(s->cfg.assets_dir, &s->renderer, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "%s\n", err);
    return false;
  }
  if (s->cfg.database_url != NULL && pd_db_open(s->cfg.database_url, 0, true, &s->db) != PD_OK) {
    fprintf(stderr, "cannot connect to DATABASE_URL (is it migrated? run popdeck migrate)\n");
    return false;
  }
  return true;
}

static void close_catalog(struct seed *s)
{
  pd_db_close(s->db);
  pd_renderer_free(s->renderer);
  pd_config_free(&s->cfg);
}

int pd_cli_seed(int argc, char **argv)
{
  struct seed s = {0};
  long limit = -1;
  if (argc == 4 && strcmp(argv[2], "--limit") == 0) {
    char *end = NULL;
    limit = strtol(argv[3], &end, 10);
    if (*end != '\0' || limit < 1)
      argc = 0;
  } else if (argc != 2) {
    argc = 0;
  }
  if (argc == 0 || strcmp(argv[1], "demo") != 0) {
    fprintf(stderr, "usage: popdeck seed demo [--limit N]\n");
    return 2;
  }
  if (!open_catalog(&s, PD_NEED_DB)) {
    close_catalog(&s);
    return 2;
  }
  char path[1024];
  json_error_t jerr;
  snprintf(path, sizeof(path), "%s/catalog/demo.json", s.cfg.assets_dir);
  json_t *cat = json_load_file(path, 0, &jerr);
  int rc = 1;
  if (!json_is_array(json_object_get(cat, "artists"))) {
    fprintf(stderr, "seed: %s: %s\n", path, cat == NULL ? jerr.text : "no \"artists\" array");
    goto out;
  }
  size_t i, n = json_array_size(json_object_get(cat, "artists"));
  json_t *a;
  json_array_foreach(json_object_get(cat, "artists"), i, a) {
    if (limit >= 0 && (long)i >= limit)
      break;
    int before = s.cards_rendered;
    if (seed_artist(&s, a) != PD_OK) {
      fprintf(stderr, "seed: %s failed (see the log line above); the artists before it are seeded\n",
              json_string_value(json_object_get(a, "name")));
      goto out;
    }
    printf("seed: [%zu/%zu] %s: %zu eras, %d cards rendered\n", i + 1, n, json_string_value(json_object_get(a, "name")),
           json_array_size(json_object_get(a, "eras")), s.cards_rendered - before);
    fflush(stdout);
  }
  printf("seed: %d artists and %d eras added, %d cards rendered into %s, %d already there\n", s.artists_added,
         s.eras_added, s.cards_rendered, s.cfg.cards_dir, s.cards_kept);
  rc = 0;
out:
  json_decref(cat);
  close_catalog(&s);
  return rc;
}

static struct pd_mb musicbrainz(void)
{
  const char *base = getenv("MUSICBRAINZ_BASE");
  struct pd_mb mb = {base != NULL && base[0] != '\0' ? base : "https://musicbrainz.org/ws/2", 0};
  return mb;
}

/* One artist from MusicBrainz into the catalog, through the same path as the demo seed
 * (generated art until images are ingested).  PD_E_NOTFOUND when MusicBrainz has no match or
 * no studio album; err says why. */
static enum pd_result ingest_one(struct seed *s, struct pd_mb *mb, const char *name, char *err, size_t errlen)
{
  struct pd_mb_artist found;
  json_t *eras = NULL;
  enum pd_result rc = pd_mb_find_artist(mb, name, &found, err, errlen);
  if (rc == PD_OK)
    rc = pd_mb_eras(mb, found.mbid, &eras, err, errlen);
  if (rc == PD_OK && json_array_size(eras) == 0) {
    snprintf(err, errlen, "MusicBrainz lists no studio albums for %s", found.name);
    rc = PD_E_NOTFOUND;
  }
  if (rc == PD_OK) {
    const char *caa = getenv("COVERART_BASE");
    size_t i;
    json_t *e;
    json_array_foreach(eras, i, e) {
      char url[512];
      const char *rg = json_string_value(json_object_get(e, "mbid"));
      if (rg == NULL)
        continue;
      snprintf(url, sizeof(url), "%s/release-group/%s/front-1200",
               caa != NULL && caa[0] != '\0' ? caa : "https://coverartarchive.org", rg);
      json_object_set_new(e, "cover_url", json_string(url));
    }
    printf("ingest: %s (%s), %zu eras\n", found.name, found.mbid, json_array_size(eras));
    fflush(stdout);
    json_t *artist = json_pack("{s:s, s:s, s:b, s:O}", "name", found.name, "mbid", found.mbid, "is_group",
                               found.is_group, "eras", eras);
    rc = seed_artist(s, artist);
    if (rc != PD_OK)
      snprintf(err, errlen, "writing %s failed (see the log line above); nothing of it was kept", found.name);
    json_decref(artist);
  }
  json_decref(eras);
  return rc;
}

/* `popdeck ingest artist "NAME"`. */
int pd_cli_ingest(int argc, char **argv)
{
  struct seed s = {0};
  char err[512];
  if (argc != 3 || strcmp(argv[1], "artist") != 0) {
    fprintf(stderr, "usage: popdeck ingest artist \"NAME\"\n");
    return 2;
  }
  if (!open_catalog(&s, PD_NEED_DB)) {
    close_catalog(&s);
    return 2;
  }
  struct pd_mb mb = musicbrainz();
  int rc = 1;
  printf("ingest: looking up \"%s\" on MusicBrainz\n", argv[2]);
  if (ingest_one(&s, &mb, argv[2], err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "ingest: %s\n", err);
  } else {
    printf("ingest: %d artists and %d eras added, %d cards rendered, %d already there\n", s.artists_added,
           s.eras_added, s.cards_rendered, s.cards_kept);
    rc = 0;
  }
  close_catalog(&s);
  return rc;
}

/* `popdeck sync`: Last.fm's top chart artists and the artists similar to each, ingested from
 * MusicBrainz.  Without LASTFM_API_KEY, Last.fm is skipped with one line.  One artist that
 * cannot be ingested does not stop the others. */
int pd_cli_sync(int argc, char **argv)
{
  struct seed s = {0};
  char err[512];
  json_t *names = NULL;
  if (argc != 1) {
    fprintf(stderr, "usage: popdeck sync\n");
    return 2;
  }
  const char *key = getenv("LASTFM_API_KEY");
  if (key == NULL || key[0] == '\0') {
    printf("sync: LASTFM_API_KEY is not set, so Last.fm is skipped and there is nothing to sync\n");
    return 0;
  }
  if (!open_catalog(&s, PD_NEED_DB)) {
    close_catalog(&s);
    return 2;
  }
  const char *base = getenv("LASTFM_BASE");
  struct pd_lastfm fm = {base != NULL && base[0] != '\0' ? base : "https://ws.audioscrobbler.com/2.0", key};
  struct pd_mb mb = musicbrainz();
  int rc = 1, failed = 0;
  if (pd_lastfm_top_artists(&fm, 20, &names, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "sync: %s\n", err);
    goto out;
  }
  size_t top = json_array_size(names);
  for (size_t i = 0; i < top; i++) {
    json_t *similar = NULL;
    if (pd_lastfm_similar(&fm, json_string_value(json_array_get(names, i)), 3, &similar, err, sizeof(err)) != PD_OK) {
      fprintf(stderr, "sync: %s\n", err);
      continue;
    }
    size_t k;
    json_t *n;
    json_array_foreach(similar, k, n) {
      bool seen = false;
      for (size_t j = 0; j < json_array_size(names) && !seen; j++)
        seen = strcmp(json_string_value(json_array_get(names, j)), json_string_value(n)) == 0;
      if (!seen)
        json_array_append(names, n);
    }
    json_decref(similar);
  }
  printf("sync: %zu chart artists, %zu with similar ones\n", top, json_array_size(names));
  size_t i;
  json_t *n;
  json_array_foreach(names, i, n) {
    printf("sync: [%zu/%zu] %s\n", i + 1, json_array_size(names), json_string_value(n));
    fflush(stdout);
    if (ingest_one(&s, &mb, json_string_value(n), err, sizeof(err)) != PD_OK) {
      printf("sync:   skipped: %s\n", err);
      failed++;
    }
  }
  printf("sync: %d artists and %d eras added, %d cards rendered, %d skipped\n", s.artists_added, s.eras_added,
         s.cards_rendered, failed);
  rc = 0;
out:
  json_decref(names);
  close_catalog(&s);
  return rc;
}

int pd_cli_render(int argc, char **argv)
{
  struct seed s = {0};
  struct pd_template_view t;
  enum pd_rarity rar;
  int rc = 1;
  if (argc != 3) {
    fprintf(stderr, "usage: popdeck render PUBLIC_ID FILE.png\n");
    return 2;
  }
  if (!open_catalog(&s, PD_NEED_DB)) {
    close_catalog(&s);
    return 2;
  }
  gdImagePtr im = NULL;
  void *png = NULL;
  size_t len = 0;
  enum pd_result r = pd_db_template_view(s.db, argv[1], &t);
  if (r == PD_E_NOTFOUND) {
    fprintf(stderr, "render: no card %s\n", argv[1]);
    goto out;
  }
  if (r != PD_OK || pd_rarity_parse(t.rarity, &rar) != PD_OK)
    goto out;
  /* Only generated artwork is stored today; ingested images will be drawn from storage. */
  struct pd_card_spec spec = {t.artist, t.era, t.public_id, rar, 0, NULL, -1, -1};
  if (pd_render_card(s.renderer, &spec, &im) != PD_OK || pd_render_png(im, PNG_LEVEL, &png, &len) != PD_OK)
    goto out;
  FILE *f = fopen(argv[2], "wb");
  if (f == NULL || fwrite(png, 1, len, f) != len) {
    fprintf(stderr, "render: cannot write %s\n", argv[2]);
    if (f != NULL)
      fclose(f);
    goto out;
  }
  fclose(f);
  printf("render: %s (%s, %s, %s) -> %s, %zu bytes\n", t.public_id, t.artist, t.era, t.rarity, argv[2], len);
  rc = 0;
out:
  free(png);
  if (im != NULL)
    gdImageDestroy(im);
  close_catalog(&s);
  return rc;
}
