/* catalog.c - artists, eras, images and cards into the catalog (see catalog.h). */
#include "catalog.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "cli.h"
#include "db_admin_jobs.h"
#include "db_catalog.h"
#include "fetch_pool.h"
#include "phash.h"
#include "publicid.h"
#include "storage.h"

#define DEMO_ART_W 900
#define DEMO_ART_H 1260
#define ART_MAX_W 1200 /* stored source art is scaled down to this width */
#define ART_MAX_H 2400 /* and to this height: the download pool hands back nothing larger */
#define PNG_LEVEL 3
#define ART_PNG_LEVEL 1
#define MAX_CARDS_PER_ERA 64

const char *const pd_era_keyword_suffix[PD_ERA_KEYWORDS] = {"concert", "live",       "photoshoot",
                                                            "mv",      "red carpet", "press photo"};

/* A downloaded candidate, decided before the transaction. */
struct candidate {
  json_t *src;    /* borrowed from the artist JSON */
  size_t era;     /* index into the artist's eras, after date reassignment */
  gdImagePtr art; /* NULL when refused */
  uint64_t phash;
  struct pd_classify_result cls;
  char reason[240]; /* why refused */
  int64_t image_id; /* once stored */
  bool used;        /* became a card */
};

/* One line of the writer's: to the caller's sink, else printed as the commands always have. */
static void say(struct pd_catalog *c, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(struct pd_catalog *c, bool error, const char *fmt, ...)
{
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  if (c->say.line != NULL) {
    c->say.line(c->say.arg, error, line);
    return;
  }
  fprintf(error ? stderr : stdout, "%s\n", line);
  fflush(error ? stderr : stdout);
}

enum pd_result pd_catalog_open_cfg(struct pd_catalog *c, const struct pd_config *cfg, char *err,
                                   size_t errlen)
{
  char why[512], path[1024];
  c->cfg = cfg;
  /* The download limits and trusted networks, checked by pd_config_load (config.c). */
  c->fetch_concurrency = cfg->ingest_concurrency;
  c->image_limits = pd_image_default_limits;
  c->image_limits.max_pixels = (uint64_t)cfg->ingest_max_mp * 1000000;
  c->fetch_limits = (struct pd_fetch_limits){
      c->fetch_concurrency, (uint64_t)cfg->ingest_budget_mp * 1000000, ART_MAX_W, ART_MAX_H};
  /* Downloads connect only to public addresses, and to these networks the operator trusts. */
  c->allowed_networks = cfg->ingest_allowed;
  c->image_limits.allowed = &c->allowed_networks;
  enum pd_result rc = pd_renderer_new(cfg->assets_dir, &c->renderer, why, sizeof(why));
  if (rc != PD_OK) {
    snprintf(err, errlen, "%s", why);
    return rc;
  }
  snprintf(path, sizeof(path), "%s/rarity.json", cfg->assets_dir);
  rc = pd_rarity_config_load(path, &c->rarity, why, sizeof(why));
  if (rc != PD_OK) {
    snprintf(err, errlen, "%s", why);
    return rc;
  }
  if (cfg->database_url != NULL &&
      (rc = pd_db_open(cfg->database_url, 0, true, &c->db, why, sizeof(why))) != PD_OK) {
    snprintf(err, errlen, "cannot use DATABASE_URL: %s (is it migrated? run popdeck migrate)", why);
    return rc;
  }
  return PD_OK;
}

bool pd_catalog_open(struct pd_catalog *c, unsigned need)
{
  char err[1200];
  if (!pd_cli_config(need, &c->own_cfg))
    return false;
  c->owns_cfg = true;
  if (pd_catalog_open_cfg(c, &c->own_cfg, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "%s\n", err);
    return false;
  }
  return true;
}

void pd_catalog_close(struct pd_catalog *c)
{
  pd_db_close(c->db);
  pd_rarity_config_free(c->rarity);
  pd_renderer_free(c->renderer);
  if (c->owns_cfg)
    pd_config_free(&c->own_cfg);
  c->db = NULL;
  c->rarity = NULL;
  c->renderer = NULL;
  c->owns_cfg = false;
}

static bool taken_cb(void *arg, const char *id)
{
  struct pd_catalog *c = arg;
  bool taken = true; /* on a database error, never hand out the id */
  pd_db_publicid_taken(c->db, id, &taken);
  return taken;
}

/* Renders the card, stores it as revision rev and gives its URL. */
static enum pd_result render_card(struct pd_catalog *c, const char *artist, const char *era,
                                  const char *public_id, enum pd_rarity rar, gdImagePtr art,
                                  int rev, char *url, size_t urllen)
{
  struct pd_card_spec spec = {artist, era, public_id, rar, 0, art, -1, -1};
  gdImagePtr im = NULL;
  void *png = NULL;
  size_t len = 0;
  char file[64], err[300];
  enum pd_result rc = pd_render_card(c->renderer, &spec, &im);
  if (rc == PD_OK)
    rc = pd_render_png(im, PNG_LEVEL, &png, &len);
  if (rc == PD_OK)
    rc = pd_storage_card_name(public_id, rev, file, sizeof(file));
  if (rc == PD_OK && (rc = pd_storage_put(c->cfg, file, png, len, err, sizeof(err))) != PD_OK)
    say(c, true, "catalog: %s", err);
  if (rc == PD_OK)
    pd_storage_card_url(c->cfg, file, url, urllen);
  free(png);
  if (im != NULL)
    gdImageDestroy(im);
  return rc;
}

/* A new card: a fresh public id, rendered, stored and recorded. */
static enum pd_result new_card(struct pd_catalog *c, const char *artist, int64_t artist_id,
                               const char *era, int64_t era_id, enum pd_rarity rar, gdImagePtr art,
                               int64_t image_id)
{
  char public_id[PD_PUBLICID_SIZE], url[512];
  struct pd_publicid prefix;
  enum pd_result rc = pd_publicid_codes(artist, era, &prefix);
  if (rc == PD_OK)
    rc = pd_publicid_next(&prefix, taken_cb, c, public_id);
  if (rc == PD_OK)
    rc = render_card(c, artist, era, public_id, rar, art, 1, url, sizeof(url));
  if (rc == PD_OK)
    rc = pd_db_template_insert(c->db, public_id, artist_id, era_id, pd_rarity_name(rar), url,
                               image_id);
  c->cards_rendered += rc == PD_OK;
  return rc;
}

/* Index of one of the era's new images for rarity r, chosen with weight kind_multiplier[kind][r]
 * (all equal when every weight is zero). */
static size_t pick_for_rarity(struct pd_catalog *c, struct candidate **imgs, size_t n,
                              enum pd_rarity r)
{
  double w[MAX_CARDS_PER_ERA], total = 0;
  for (size_t i = 0; i < n; i++)
    total += w[i] = c->rarity->kind_multiplier[imgs[i]->cls.kind][r];
  if (total <= 0)
    return randombytes_uniform((uint32_t)n);
  double x = randombytes_random() / 4294967296.0 * total;
  for (size_t i = 0; i < n; i++) {
    if (x < w[i])
      return i;
    x -= w[i];
  }
  return n - 1;
}

/* The era's cards from its new images (see catalog.h). */
static enum pd_result cards_from_images(struct pd_catalog *c, const char *artist, int64_t artist_id,
                                        const char *era, int64_t era_id, struct candidate **imgs,
                                        size_t n)
{
  struct pd_db_template_ref gen[PD_RARITY_COUNT * 4];
  size_t ngen = 0;
  int64_t count = 0;
  enum pd_result rc =
      pd_db_era_generated_templates(c->db, era_id, gen, sizeof(gen) / sizeof(gen[0]), &ngen);
  if (rc == PD_OK)
    rc = pd_db_era_template_count(c->db, era_id, &count);
  /* Generated art is redrawn from the new images, same public id, next revision. */
  for (size_t g = 0; rc == PD_OK && g < ngen; g++) {
    enum pd_rarity rar;
    char url[512];
    if (pd_rarity_parse(gen[g].rarity, &rar) != PD_OK)
      return PD_E_INVALID;
    struct candidate *im = imgs[pick_for_rarity(c, imgs, n, rar)];
    rc = render_card(c, artist, era, gen[g].public_id, rar, im->art, gen[g].image_rev + 1, url,
                     sizeof(url));
    if (rc == PD_OK)
      rc = pd_db_template_repoint(c->db, gen[g].id, im->image_id, url, gen[g].image_rev + 1);
    im->used = true;
    c->cards_replaced += rc == PD_OK;
  }
  /* A new era gets every rarity. */
  for (int r = 0; rc == PD_OK && count == 0 && r < PD_RARITY_COUNT; r++) {
    struct candidate *im = imgs[pick_for_rarity(c, imgs, n, (enum pd_rarity)r)];
    rc = new_card(c, artist, artist_id, era, era_id, (enum pd_rarity)r, im->art, im->image_id);
    im->used = true;
  }
  /* Every other new image is a card of its own, its rarity drawn for its kind. */
  for (size_t i = 0; rc == PD_OK && i < n; i++) {
    double p[PD_RARITY_COUNT];
    if (imgs[i]->used)
      continue;
    rc = pd_rarity_probabilities(c->rarity, imgs[i]->cls.kind, NULL, p);
    if (rc == PD_OK)
      rc = new_card(c, artist, artist_id, era, era_id, pd_rarity_sample(p, randombytes_random()),
                    imgs[i]->art, imgs[i]->image_id);
    imgs[i]->used = true;
  }
  return rc;
}

/* An era without any image: generated stand-in art and one card per rarity. */
static enum pd_result cards_from_generated(struct pd_catalog *c, const char *artist,
                                           int64_t artist_id, const char *era, int64_t era_id)
{
  gdImagePtr art = NULL;
  uint64_t ph = 0;
  int64_t image_id = 0;
  char src[600], hex[PD_PHASH_HEX_LEN + 1];
  enum pd_result rc = pd_render_demo_art(artist, era, DEMO_ART_W, DEMO_ART_H, &art);
  if (rc == PD_OK)
    rc = pd_phash_image(art, &ph);
  if (rc != PD_OK)
    goto out;
  snprintf(src, sizeof(src), "generated:demo/%s/%s", artist, era);
  pd_phash_to_hex(ph, hex);
  json_t *license = json_pack("{s:s, s:s}", "type", "generated", "note",
                              "PopDeck demo artwork, replaced by ingested images");
  struct pd_db_image row = {
      era_id, src, "generated", gdImageSX(art), gdImageSY(art), hex, license, NULL, -1, NULL, NULL};
  rc = pd_db_image_upsert(c->db, &row, &image_id, NULL);
  json_decref(license);
  for (int r = 0; rc == PD_OK && r < PD_RARITY_COUNT; r++) {
    char public_id[PD_PUBLICID_SIZE];
    rc = pd_db_template_find(c->db, image_id, pd_rarity_name((enum pd_rarity)r), public_id);
    if (rc == PD_OK) {
      c->cards_kept++;
      continue;
    }
    if (rc == PD_E_NOTFOUND)
      rc = new_card(c, artist, artist_id, era, era_id, (enum pd_rarity)r, art, image_id);
  }
out:
  if (art != NULL)
    gdImageDestroy(art);
  return rc;
}

/* Stores a decided candidate: near-duplicates of catalog images are refused (recorded), the
 * rest get their art stored and an era_images row. */
static enum pd_result store_image(struct pd_catalog *c, int64_t era_id, struct candidate *k)
{
  char hex[PD_PHASH_HEX_LEN + 1], name[64], reason[120], err[300];
  int64_t dup = 0;
  const char *url = json_string_value(json_object_get(k->src, "url"));
  pd_phash_to_hex(k->phash, hex);
  enum pd_result rc = pd_db_image_near_dup(c->db, hex, PD_PHASH_DUP_MAX_DISTANCE, &dup);
  if (rc != PD_OK)
    return rc;
  if (dup != 0) {
    snprintf(reason, sizeof(reason), "near-duplicate of image %lld", (long long)dup);
    say(c, false, "catalog:   %s refused: %s", url, reason);
    c->images_refused++;
    return pd_db_image_reject(c->db, era_id, url, reason);
  }
  /* Cards are drawn from the stored art itself, so `popdeck render` can draw them again. */
  if (gdImageSX(k->art) > ART_MAX_W) {
    gdImagePtr small = gdImageScale(
        k->art, ART_MAX_W, (unsigned)((int64_t)gdImageSY(k->art) * ART_MAX_W / gdImageSX(k->art)));
    if (small == NULL)
      return PD_E_NOMEM;
    gdImageDestroy(k->art);
    k->art = small;
  }
  void *png = NULL;
  size_t len = 0;
  snprintf(name, sizeof(name), "art/%s.png", hex);
  rc = pd_render_png(k->art, ART_PNG_LEVEL, &png, &len);
  if (rc == PD_OK && (rc = pd_storage_put(c->cfg, name, png, len, err, sizeof(err))) != PD_OK)
    say(c, true, "catalog: %s", err);
  free(png);
  if (rc != PD_OK)
    return rc;
  json_t *license = json_object_get(k->src, "license");
  struct pd_db_image row = {era_id,
                            url,
                            pd_kind_name(k->cls.kind),
                            gdImageSX(k->art),
                            gdImageSY(k->art),
                            hex,
                            license,
                            name,
                            k->cls.confidence,
                            pd_era_match_name(k->cls.era),
                            json_string_value(json_object_get(k->src, "keyword"))};
  bool created = false;
  rc = pd_db_image_upsert(c->db, &row, &k->image_id, &created);
  c->images_added += rc == PD_OK && created;
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

/* Classifies a downloaded candidate for the era it was searched for; a photo dated in another
 * era's window moves there, one dated outside every era is refused. */
static void decide(const char *artist, json_t *eras, struct candidate *k)
{
  json_t *era = json_array_get(eras, k->era);
  const char *date = json_string_value(json_object_get(k->src, "date"));
  const char *forced = json_string_value(json_object_get(k->src, "kind"));
  struct pd_classify_input in = {
      .source_url = json_string_value(json_object_get(k->src, "url")),
      .tags = json_string_value(json_object_get(k->src, "tags")),
      .text = json_string_value(json_object_get(k->src, "text")),
      .keyword = json_string_value(json_object_get(k->src, "keyword")),
      .artist = artist,
      .era_name = json_string_value(json_object_get(era, "name")),
      .photo_date = date,
      .era_start = json_string_value(json_object_get(era, "start")),
      .era_end = json_string_value(json_object_get(era, "end")),
  };
  if (pd_classify_image(&in, &k->cls) != PD_OK) {
    snprintf(k->reason, sizeof(k->reason), "could not be classified");
    return;
  }
  enum pd_kind kind;
  if (forced != NULL && pd_kind_parse(forced, &kind) == PD_OK && kind != k->cls.kind) {
    k->cls.kind = kind; /* the source's word: the archive holds covers */
    k->cls.confidence = 0.9;
  }
  if (k->cls.era != PD_ERA_DATE_OUTSIDE)
    return;
  size_t i;
  json_t *e;
  json_array_foreach(eras, i, e)
  {
    const char *s = json_string_value(json_object_get(e, "start"));
    const char *end = json_string_value(json_object_get(e, "end"));
    if (s != NULL && strncmp(date, s, 10) >= 0 && (end == NULL || strncmp(date, end, 10) <= 0)) {
      k->era = i;
      k->cls.era = PD_ERA_DATE_IN_WINDOW;
      return;
    }
  }
  snprintf(k->reason, sizeof(k->reason), "dated %.10s, outside every era of %s", date, artist);
}

/* Downloads every candidate not seen before and decides each. */
static enum pd_result fetch_candidates(struct pd_catalog *c, const char *artist, json_t *eras,
                                       struct candidate **out, size_t *nout)
{
  size_t n = 0, cap = 0, i, k;
  json_t *e, *cand;
  json_array_foreach(eras, i, e) cap += json_array_size(json_object_get(e, "candidates"));
  struct candidate *ks = calloc(cap + 1, sizeof(*ks));
  struct pd_fetch_item *items = calloc(cap + 1, sizeof(*items));
  if (ks == NULL || items == NULL) {
    free(ks);
    free(items);
    return PD_E_NOMEM;
  }
  enum pd_result rc = PD_OK;
  json_array_foreach(eras, i, e)
  {
    json_array_foreach(json_object_get(e, "candidates"), k, cand)
    {
      const char *url = json_string_value(json_object_get(cand, "url"));
      bool known = false;
      if (url == NULL || (rc = pd_db_image_known(c->db, url, &known)) != PD_OK)
        break;
      for (size_t j = 0; j < n && !known; j++)
        known = strcmp(items[j].url, url) == 0;
      if (known)
        continue;
      ks[n] = (struct candidate){.src = cand, .era = i};
      items[n++].url = url;
    }
  }
  if (rc == PD_OK && n > 0) {
    say(c, false, "catalog: %s: downloading %zu images, %d at a time", artist, n,
        c->fetch_concurrency);
    rc = pd_fetch_all(items, n, &c->fetch_limits, &c->image_limits, NULL);
  }
  /* The pool hashed each image at full size and scaled it to at most ART_MAX_W x ART_MAX_H,
   * so what is kept until the artist is written stays small. */
  for (size_t j = 0; rc == PD_OK && j < n; j++) {
    ks[j].art = items[j].image;
    ks[j].phash = items[j].phash;
    if (items[j].rc != PD_OK)
      snprintf(ks[j].reason, sizeof(ks[j].reason), "%s", items[j].reason);
    else
      decide(artist, eras, &ks[j]);
    if (ks[j].reason[0] != '\0' && ks[j].art != NULL) {
      gdImageDestroy(ks[j].art);
      ks[j].art = NULL;
    }
  }
  free(items);
  *out = ks;
  *nout = n;
  return rc;
}

static enum pd_result write_era(struct pd_catalog *c, const char *artist, int64_t artist_id,
                                json_t *era, size_t era_idx, struct candidate *ks, size_t nk)
{
  const char *name = json_string_value(json_object_get(era, "name"));
  char kw[PD_ERA_KEYWORDS][512];
  const char *keywords[PD_ERA_KEYWORDS + 1];
  for (int i = 0; i < PD_ERA_KEYWORDS; i++) {
    snprintf(kw[i], sizeof(kw[i]), "%s %s %s", artist, name, pd_era_keyword_suffix[i]);
    keywords[i] = kw[i];
  }
  keywords[PD_ERA_KEYWORDS] = NULL;
  int64_t era_id = 0, count = 0;
  bool created = false;
  enum pd_result rc =
      pd_db_era_upsert(c->db, artist_id, name, json_string_value(json_object_get(era, "start")),
                       json_string_value(json_object_get(era, "end")), keywords, &era_id, &created);
  c->eras_added += rc == PD_OK && created;
  struct candidate *fresh[MAX_CARDS_PER_ERA];
  size_t nfresh = 0;
  for (size_t i = 0; rc == PD_OK && i < nk; i++) {
    if (ks[i].era != era_idx)
      continue;
    if (ks[i].art == NULL) {
      const char *url = json_string_value(json_object_get(ks[i].src, "url"));
      say(c, false, "catalog:   %s refused: %s", url, ks[i].reason);
      c->images_refused++;
      rc = pd_db_image_reject(c->db, era_id, url, ks[i].reason);
      continue;
    }
    rc = store_image(c, era_id, &ks[i]);
    if (rc == PD_OK && ks[i].image_id != 0 && nfresh < MAX_CARDS_PER_ERA)
      fresh[nfresh++] = &ks[i];
  }
  if (rc == PD_OK)
    rc = pd_db_era_template_count(c->db, era_id, &count);
  if (rc == PD_OK && nfresh > 0 && (!c->stock_only || count == 0))
    return cards_from_images(c, artist, artist_id, name, era_id, fresh, nfresh);
  if (rc == PD_OK && count > 0) {
    c->cards_kept += (int)count;
    return PD_OK;
  }
  return rc == PD_OK ? cards_from_generated(c, artist, artist_id, name, era_id) : rc;
}

enum pd_result pd_catalog_add_artist(struct pd_catalog *c, json_t *a)
{
  const char *name = json_string_value(json_object_get(a, "name"));
  json_t *eras = json_object_get(a, "eras");
  struct candidate *ks = NULL;
  size_t nk = 0, i;
  json_t *v;
  int64_t id = 0, mid = 0;
  bool created = false;
  if (name == NULL || !json_is_array(eras))
    return PD_E_INVALID;
  bool removed = false;
  enum pd_result rc = pd_db_artist_removed(c->db, name, &removed);
  if (rc != PD_OK)
    return rc;
  if (removed) {
    printf("catalog: %s was removed by an admin (purge_artist); not ingested again\n", name);
    c->artists_removed++;
    return PD_OK;
  }
  json_array_foreach(eras, i, v)
  {
    char end[16];
    json_t *next = json_array_get(eras, i + 1);
    /* An era ends the day before the next begins; the newest runs for a year. */
    if (next != NULL)
      shift_date(json_string_value(json_object_get(next, "start")), -1, 0, end);
    else
      shift_date(json_string_value(json_object_get(v, "start")), 0, 1, end);
    if (end[0] != '\0' && json_object_get(v, "end") == NULL)
      json_object_set_new(v, "end", json_string(end));
  }
  rc = fetch_candidates(c, name, eras, &ks, &nk);
  if (rc == PD_OK && c->downloaded != NULL)
    c->downloaded(c->downloaded_arg, name, nk);
  if (rc == PD_OK)
    rc = pd_db_exec_sql(c->db, "BEGIN");
  if (rc == PD_OK)
    rc = pd_db_artist_upsert(c->db, name, json_is_true(json_object_get(a, "is_group")), &id,
                             &created);
  c->artists_added += rc == PD_OK && created;
  const char *mbid = json_string_value(json_object_get(a, "mbid"));
  const char *spid = json_string_value(json_object_get(a, "spotify_id"));
  if (rc == PD_OK && mbid != NULL)
    rc = pd_db_artist_set_mbid(c->db, id, mbid);
  if (rc == PD_OK && spid != NULL)
    rc = pd_db_artist_set_spotify(c->db, id, spid);
  if (rc == PD_OK && json_is_object(json_object_get(a, "metadata")))
    rc = pd_db_artist_merge_metadata(c->db, id, json_object_get(a, "metadata"));
  json_array_foreach(json_object_get(a, "members"), i, v)
  {
    const char *member =
        json_is_string(v) ? json_string_value(v) : json_string_value(json_object_get(v, "name"));
    if (rc == PD_OK && member != NULL)
      rc = pd_db_artist_upsert(c->db, member, false, &mid, NULL);
    const char *member_mbid = json_string_value(json_object_get(v, "mbid"));
    if (rc == PD_OK && member != NULL && member_mbid != NULL)
      rc = pd_db_artist_set_mbid(c->db, mid, member_mbid);
    if (rc == PD_OK && member != NULL)
      rc = pd_db_member_link(c->db, id, mid, json_string_value(json_object_get(v, "role")));
  }
  json_array_foreach(eras, i, v)
  {
    if (rc == PD_OK)
      rc = write_era(c, name, id, v, i, ks, nk);
  }
  if (rc == PD_OK)
    rc = pd_db_exec_sql(c->db, "COMMIT");
  else
    (void)pd_db_exec_sql(c->db, "ROLLBACK");
  for (size_t k = 0; k < nk; k++)
    if (ks[k].art != NULL)
      gdImageDestroy(ks[k].art);
  free(ks);
  return rc;
}

enum pd_result pd_catalog_load_art(const struct pd_config *cfg, const char *name, gdImagePtr *art,
                                   char *reason, size_t reasonlen)
{
  char dir[1024], url[1024];
  const char *type = NULL;
  void *data = NULL;
  size_t len = 0;
  enum pd_result rc;
  if (cfg->storage == PD_STORAGE_S3) {
    /* Our own bucket, wherever the operator put it (often a private address). */
    struct pd_image_limits own = pd_image_default_limits;
    own.own_storage = true;
    own.min_width = 1;
    pd_storage_card_url(cfg, name, url, sizeof(url));
    return pd_image_fetch(url, &own, art, &type, &len, reason, reasonlen);
  }
  snprintf(dir, sizeof(dir), "%s/art", cfg->cards_dir);
  rc = pd_storage_local_get(dir, name + 4, 32u << 20, &data, &len);
  if (rc == PD_OK)
    rc = pd_image_decode(data, len, 1, art, &type, reason, reasonlen);
  else
    snprintf(reason, reasonlen, "%s", pd_result_str(rc));
  free(data);
  return rc;
}

/* The card's picture: its stored art, a temporary card's uploaded picture downloaded under the
 * INGEST_* limits, or NULL for generated art (the renderer draws it again). */
static enum pd_result source_art(struct pd_catalog *c, const struct pd_db_render_card *card,
                                 gdImagePtr *art, char *err, size_t errlen)
{
  char reason[300];
  const char *type = NULL;
  size_t len = 0;
  *art = NULL;
  if (card->art[0] != '\0') {
    enum pd_result rc = pd_catalog_load_art(c->cfg, card->art, art, reason, sizeof(reason));
    if (rc != PD_OK)
      snprintf(err, errlen, "the card's art %s cannot be read: %s", card->art, reason);
    return rc;
  }
  if (card->source_url[0] != '\0') {
    enum pd_result rc = pd_image_fetch(card->source_url, &c->image_limits, art, &type, &len, reason,
                                       sizeof(reason));
    if (rc != PD_OK)
      snprintf(err, errlen, "the card's picture %s cannot be used: %s", card->source_url, reason);
    return rc;
  }
  return PD_OK;
}

enum pd_result pd_catalog_rerender(struct pd_catalog *c, const char *public_id, int *rev, char *url,
                                   size_t urllen, char *err, size_t errlen)
{
  struct pd_db_render_card card;
  enum pd_rarity rar;
  gdImagePtr art = NULL;
  err[0] = '\0';
  enum pd_result rc = pd_db_exec_sql(c->db, "BEGIN");
  if (rc != PD_OK)
    return rc;
  /* Held to COMMIT: a second render of this card waits, then draws the next revision. */
  rc = pd_db_render_lock(c->db, public_id);
  if (rc == PD_OK)
    rc = pd_db_render_card_get(c->db, public_id, &card);
  if (rc == PD_E_NOTFOUND)
    snprintf(err, errlen, "no card %s", public_id);
  if (rc == PD_OK && (card.artist[0] == '\0' || card.era[0] == '\0' ||
                      pd_rarity_parse(card.rarity, &rar) != PD_OK)) {
    snprintf(err, errlen, "%s has no artist, era or rarity yet", public_id);
    rc = PD_E_INVALID;
  }
  if (rc == PD_OK)
    rc = source_art(c, &card, &art, err, errlen);
  if (rc == PD_OK) {
    *rev = card.image_rev + 1;
    rc = render_card(c, card.artist, card.era, card.public_id, rar, art, *rev, url, urllen);
    if (rc != PD_OK && err[0] == '\0')
      snprintf(err, errlen, "%s could not be drawn or stored: %s", public_id, pd_result_str(rc));
  }
  if (rc == PD_OK)
    rc = pd_db_render_card_set(c->db, &card, url, *rev);
  if (rc == PD_OK)
    rc = pd_db_exec_sql(c->db, "COMMIT");
  if (rc != PD_OK) {
    (void)pd_db_exec_sql(c->db, "ROLLBACK");
    if (err[0] == '\0')
      snprintf(err, errlen, "rendering %s failed: %s", public_id, pd_result_str(rc));
  }
  if (art != NULL)
    gdImageDestroy(art);
  return rc;
}
