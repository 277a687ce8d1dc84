/* ingest.c - `popdeck ingest artist "NAME"` and `popdeck sync`: artists from MusicBrainz (eras
 * from studio albums, members of groups), candidate pictures from the Cover Art Archive,
 * Spotify and Wikimedia Commons, written through the catalog writer.  A source without
 * credentials is skipped with one line.  The work itself (pd_ingest_artist, pd_ingest_sync:
 * ingest.h) prints nothing; the commands print what it reports. */
#include "ingest.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "lastfm.h"
#include "musicbrainz.h"
#include "commons.h"
#include "spotify.h"

/* The sources one command asks; those without credentials are off. */
struct sources {
  const struct pd_ingest_report *rep;
  struct pd_mb mb;
  struct pd_spotify spotify;
  bool spotify_on;
  struct pd_commons commons;
  bool commons_on;
};

static void say(const struct pd_ingest_report *rep, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(const struct pd_ingest_report *rep, bool error, const char *fmt, ...)
{
  char line[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  rep->line(rep->arg, error, line);
}

/* false when the work is to stop. */
static bool progress(const struct pd_ingest_report *rep, int done, int total, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static bool progress(const struct pd_ingest_report *rep, int done, int total, const char *fmt, ...)
{
  char text[600];
  va_list ap;
  if (rep->progress == NULL)
    return true;
  va_start(ap, fmt);
  vsnprintf(text, sizeof(text), fmt, ap);
  va_end(ap);
  return rep->progress(rep->arg, done, total, text);
}

/* The sources' bases and keys, borrowed from cfg (it outlives src). */
static void sources_init(struct sources *src, const struct pd_config *cfg, const char *who,
                         const struct pd_ingest_report *rep)
{
  memset(src, 0, sizeof(*src));
  src->rep = rep;
  src->mb.base = cfg->musicbrainz_base;
  src->spotify.accounts_base = cfg->spotify_accounts_base;
  src->spotify.api_base = cfg->spotify_api_base;
  src->spotify.client_id = cfg->spotify_client_id;
  src->spotify.client_secret = cfg->spotify_client_secret;
  src->spotify_on = src->spotify.client_id != NULL && src->spotify.client_secret != NULL;
  if (!src->spotify_on)
    say(rep, false,
        "%s: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set, so Spotify is skipped", who);
  src->commons.base = cfg->commons_api_base;
  src->commons_on = src->commons.base != NULL;
  if (!src->commons_on)
    say(rep, false,
        "%s: COMMONS_API_BASE is not set, so no photos are searched on Wikimedia Commons", who);
}

/* Appends a candidate picture (stolen reference) to an era. */
static void add_candidate(json_t *era, json_t *cand)
{
  json_t *list = json_object_get(era, "candidates");
  if (list == NULL)
    json_object_set_new(era, "candidates", list = json_array());
  json_array_append_new(list, cand);
}

/* One artist from MusicBrainz into the catalog, through the same path as the demo seed
 * (generated art until images are ingested).  PD_E_NOTFOUND when MusicBrainz has no match or
 * no studio album; err says why. */
#define PHOTOS_PER_SEARCH 3

/* Wikimedia Commons: each era's searches ("{artist} {era} concert", "... red carpet", ...),
 * a few free photos each, with what the classifier reads and their licence.  A failed search
 * costs only its own photos. */
static void from_commons(struct sources *src, const char *name, json_t *eras, int per_search)
{
  size_t i, k, found = 0;
  json_t *e, *photo;
  if (!src->commons_on)
    return;
  json_array_foreach(eras, i, e)
  {
    for (int s = 0; s < PD_ERA_KEYWORDS; s++) {
      char keyword[600], err[300];
      json_t *photos = NULL;
      snprintf(keyword, sizeof(keyword), "%s %s %s", name,
               json_string_value(json_object_get(e, "name")), pd_era_keyword_suffix[s]);
      if (pd_commons_search(&src->commons, keyword, per_search, &photos, err, sizeof(err)) !=
          PD_OK) {
        say(src->rep, false, "ingest:   search \"%s\" skipped: %s", keyword, err);
        continue;
      }
      json_array_foreach(photos, k, photo)
      {
        json_object_set_new(photo, "keyword", json_string(keyword));
        add_candidate(e, json_incref(photo));
        found++;
      }
      json_decref(photos);
    }
  }
  say(src->rep, false, "ingest: Wikimedia Commons: %zu free photos found for %zu eras", found,
      json_array_size(eras));
}

/* Spotify: the artist's id, popularity, followers and genres, and its album covers and
 * photo as candidates (Spotify serves them at 640 px at most, so today they are refused for
 * size with the reason recorded, and kept the day a larger one comes).  A Spotify failure
 * costs only Spotify's part. */
static void from_spotify(struct sources *src, const char *name, json_t *artist, json_t *eras)
{
  struct pd_spotify_artist sa = {0};
  json_t *albums = NULL;
  char err[300];
  if (!src->spotify_on)
    return;
  enum pd_result rc = pd_spotify_find_artist(&src->spotify, name, &sa, err, sizeof(err));
  if (rc == PD_E_NOTFOUND) {
    say(src->rep, false, "ingest: Spotify knows no artist called \"%s\"", name);
    return;
  }
  if (rc == PD_OK)
    rc = pd_spotify_albums(&src->spotify, sa.id, &albums, err, sizeof(err));
  if (rc != PD_OK) {
    say(src->rep, false, "ingest: Spotify skipped: %s", err);
    pd_spotify_artist_free(&sa);
    return;
  }
  json_object_set_new(artist, "spotify_id", json_string(sa.id));
  json_t *genres = sa.genres != NULL ? json_incref(sa.genres) : json_array();
  json_object_set_new(artist, "metadata",
                      json_pack("{s:{s:i, s:I, s:o}}", "spotify", "popularity", sa.popularity,
                                "followers", (json_int_t)sa.followers, "genres", genres));
  size_t i, k, matched = 0;
  json_t *e, *al;
  json_array_foreach(eras, i, e)
  {
    const char *era = json_string_value(json_object_get(e, "name"));
    json_array_foreach(albums, k, al)
    {
      const char *url = json_string_value(
          json_object_get(json_array_get(json_object_get(al, "images"), 0), "url"));
      if (url == NULL || strcasecmp(json_string_value(json_object_get(al, "name")), era) != 0)
        continue;
      char keyword[600];
      snprintf(keyword, sizeof(keyword), "%s %s cover", name, era);
      /* No date: a year-precision release date would pull the cover out of its own era. */
      add_candidate(e, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "url", url, "kind", "cover",
                                 "keyword", keyword, "license", "source", "Spotify", "note",
                                 "album artwork, (c) its label"));
      matched++;
      break;
    }
  }
  /* The artist's photo is current: it belongs to the newest era. */
  const char *photo = json_string_value(json_object_get(json_array_get(sa.images, 0), "url"));
  json_t *newest = json_array_get(eras, json_array_size(eras) - 1);
  if (photo != NULL && newest != NULL) {
    char keyword[600];
    snprintf(keyword, sizeof(keyword), "%s press photo", name);
    add_candidate(newest,
                  json_pack("{s:s, s:s, s:s, s:{s:s}}", "url", photo, "kind", "promo", "keyword",
                            keyword, "license", "source", "Spotify artist image"));
  }
  say(src->rep, false, "ingest: Spotify: %s (%s), popularity %d, %zu albums, %zu match eras",
      sa.name, sa.id, sa.popularity, json_array_size(albums), matched);
  json_decref(albums);
  pd_spotify_artist_free(&sa);
}

/* The catalog's "downloaded" hook during one artist's ingest: the images step. */
struct steps {
  const struct pd_ingest_report *rep;
  bool stop;
};

static void images_downloaded(void *arg, const char *artist, size_t images)
{
  struct steps *st = arg;
  if (!progress(st->rep, 2, PD_INGEST_STEPS, "images: %zu new for %s; writing the cards", images,
                artist))
    st->stop = true; /* the write is one transaction: it goes on, and the stop comes after */
}

/* One artist: each of its steps reported as progress when steps is set (an ingest job), not
 * when it is one artist of a sync (which counts artists). */
static enum pd_result ingest_one(struct pd_catalog *s, struct sources *src, const char *name,
                                 bool steps, char *err, size_t errlen)
{
  struct pd_mb *mb = &src->mb;
  const struct pd_ingest_report *rep = src->rep;
  struct pd_ingest_report quiet = {rep->line, NULL, rep->arg};
  struct steps st = {steps ? rep : &quiet, false};
  struct pd_mb_artist found;
  json_t *eras = NULL;
  enum pd_result rc = PD_OK;
  if (!progress(st.rep, 0, PD_INGEST_STEPS, "MusicBrainz lookup: %s", name))
    goto stopped;
  rc = pd_mb_find_artist(mb, name, &found, err, errlen);
  if (rc == PD_OK)
    rc = pd_mb_eras(mb, found.mbid, &eras, err, errlen);
  if (rc == PD_OK && json_array_size(eras) == 0) {
    snprintf(err, errlen, "MusicBrainz lists no studio albums for %s", found.name);
    rc = PD_E_NOTFOUND;
  }
  if (rc == PD_OK) {
    const char *caa = s->cfg->coverart_base;
    size_t i;
    json_t *e;
    json_array_foreach(eras, i, e)
    {
      char url[512], keyword[600];
      const char *rg = json_string_value(json_object_get(e, "mbid"));
      if (!pd_mb_id_valid(rg))
        continue; /* no id fit for a URL: no cover */
      snprintf(url, sizeof(url), "%s/release-group/%s/front-1200", caa, rg);
      snprintf(keyword, sizeof(keyword), "%s %s cover", found.name,
               json_string_value(json_object_get(e, "name")));
      add_candidate(e, json_pack("{s:s, s:s, s:s, s:{s:s, s:s}}", "url", url, "kind", "cover",
                                 "keyword", keyword, "license", "source", "Cover Art Archive",
                                 "url", url));
    }
    say(rep, false, "ingest: %s (%s), %zu eras", found.name, found.mbid, json_array_size(eras));
    if (!progress(st.rep, 1, PD_INGEST_STEPS, "eras: %zu studio albums of %s",
                  json_array_size(eras), found.name))
      goto stopped;
    json_t *members = NULL;
    if (found.is_group && pd_mb_members(mb, found.mbid, &members, err, errlen) != PD_OK) {
      say(rep, false, "ingest: %s's members are unknown: %s", found.name, err);
      members = NULL;
    } else if (members != NULL) {
      say(rep, false, "ingest: %s is a group of %zu", found.name, json_array_size(members));
    }
    json_t *artist = json_pack("{s:s, s:s, s:b, s:O, s:o*}", "name", found.name, "mbid", found.mbid,
                               "is_group", found.is_group, "eras", eras, "members", members);
    from_spotify(src, found.name, artist, eras);
    from_commons(src, found.name, eras, PHOTOS_PER_SEARCH);
    s->downloaded = images_downloaded;
    s->downloaded_arg = &st;
    int rendered = s->cards_rendered, replaced = s->cards_replaced;
    rc = pd_catalog_add_artist(s, artist);
    s->downloaded = NULL;
    s->downloaded_arg = NULL;
    if (rc != PD_OK)
      snprintf(err, errlen, "writing %s failed (see the log line above); nothing of it was kept",
               found.name);
    json_decref(artist);
    if (rc == PD_OK &&
        (st.stop ||
         !progress(st.rep, 3, PD_INGEST_STEPS, "cards: %d rendered, %d redrawn for %s",
                   s->cards_rendered - rendered, s->cards_replaced - replaced, found.name)))
      goto stopped;
  }
  json_decref(eras);
  return rc;
stopped:
  json_decref(eras);
  snprintf(err, errlen, "stopped before %s was done", name);
  return PD_E_CONFLICT;
}

enum pd_result pd_ingest_artist(struct pd_catalog *cat, const char *name,
                                const struct pd_ingest_report *rep, char *err, size_t errlen)
{
  struct sources src;
  sources_init(&src, cat->cfg, "ingest", rep);
  say(rep, false, "ingest: looking up \"%s\" on MusicBrainz", name);
  return ingest_one(cat, &src, name, true, err, errlen);
}

/* Last.fm asks a client for at most five requests a second: one every 200 ms. */
#define LASTFM_PACE_MS 200

/* Appends to names the artists similar to each of from (three each) that names lacks yet. */
static void add_similar(const struct pd_lastfm *fm, const struct pd_ingest_report *rep,
                        json_t *from, json_t *names)
{
  size_t n = json_array_size(from);
  for (size_t i = 0; i < n; i++) {
    json_t *similar = NULL;
    char err[512];
    if (i > 0) {
      struct timespec pace = {0, LASTFM_PACE_MS * 1000000L};
      nanosleep(&pace, NULL);
    }
    if (pd_lastfm_similar(fm, json_string_value(json_array_get(from, i)), 3, &similar, err,
                          sizeof(err)) != PD_OK) {
      say(rep, true, "sync: %s", err);
      continue;
    }
    size_t k;
    json_t *s;
    json_array_foreach(similar, k, s)
    {
      bool seen = false;
      for (size_t j = 0; j < json_array_size(names) && !seen; j++)
        seen = strcmp(json_string_value(json_array_get(names, j)), json_string_value(s)) == 0;
      if (!seen)
        json_array_append(names, s);
    }
    json_decref(similar);
  }
}

enum pd_result pd_ingest_sync(struct pd_catalog *cat, json_t *seeds,
                              const struct pd_ingest_report *rep, int *skipped, char *err,
                              size_t errlen)
{
  json_t *names = NULL, *chart = NULL;
  *skipped = 0;
  if (cat->cfg->lastfm_api_key == NULL) {
    snprintf(err, errlen,
             "LASTFM_API_KEY is not set, so Last.fm is skipped and there is nothing "
             "to sync");
    return PD_E_INVALID;
  }
  struct pd_lastfm fm = {cat->cfg->lastfm_base, cat->cfg->lastfm_api_key};
  struct sources src;
  enum pd_result rc = PD_OK;
  sources_init(&src, cat->cfg, "sync", rep);
  size_t top = json_array_size(seeds);
  if (seeds != NULL && top > 0) {
    /* The seeds are in the catalog already: only the artists similar to them are new. */
    names = json_array();
    add_similar(&fm, rep, seeds, names);
    size_t kept = 0;
    for (size_t i = 0; i < json_array_size(names); i++) {
      bool seed = false;
      for (size_t j = 0; j < top && !seed; j++)
        seed = strcmp(json_string_value(json_array_get(names, i)),
                      json_string_value(json_array_get(seeds, j))) == 0;
      if (!seed)
        json_array_set(names, kept++, json_array_get(names, i));
    }
    while (json_array_size(names) > kept)
      json_array_remove(names, json_array_size(names) - 1);
    say(rep, false, "sync: %zu most collected artists, %zu similar ones not among them", top, kept);
  } else {
    rc = pd_lastfm_top_artists(&fm, 20, &chart, err, errlen);
    if (rc != PD_OK)
      goto out;
    top = json_array_size(chart);
    names = json_deep_copy(chart);
    add_similar(&fm, rep, chart, names);
    say(rep, false, "sync: %zu chart artists, %zu with similar ones", top, json_array_size(names));
  }
  size_t total = json_array_size(names);
  if (!progress(rep, 0, (int)total, "0/%zu artists: chart and similar artists found", total)) {
    snprintf(err, errlen, "stopped before the first artist");
    rc = PD_E_CONFLICT;
    goto out;
  }
  size_t i;
  json_t *n;
  json_array_foreach(names, i, n)
  {
    say(rep, false, "sync: [%zu/%zu] %s", i + 1, total, json_string_value(n));
    rc = ingest_one(cat, &src, json_string_value(n), false, err, errlen);
    if (rc == PD_E_CONFLICT)
      goto out;
    if (rc != PD_OK) {
      say(rep, false, "sync:   skipped: %s", err);
      (*skipped)++;
    }
    rc = PD_OK;
    if (!progress(rep, (int)(i + 1), (int)total, "%zu/%zu artists: %s", i + 1, total,
                  json_string_value(n))) {
      snprintf(err, errlen, "stopped after %zu of %zu artists", i + 1, total);
      rc = PD_E_CONFLICT;
      goto out;
    }
  }
out:
  json_decref(chart);
  json_decref(names);
  return rc;
}

enum pd_result pd_ingest_refill(struct pd_catalog *cat, const char *artist, json_t *eras,
                                size_t target, int per_search, const struct pd_ingest_report *rep,
                                char *err, size_t errlen)
{
  /* Commons only: the refill looks for photos, and Spotify has none of an era. */
  struct sources src;
  memset(&src, 0, sizeof(src));
  src.rep = rep;
  src.commons.base = cat->cfg->commons_api_base;
  src.commons_on = src.commons.base != NULL;
  if (!src.commons_on) {
    snprintf(err, errlen, "COMMONS_API_BASE is not set: no photos to refill from");
    return PD_E_INVALID;
  }
  json_t *one = json_array();
  if (one == NULL || json_array_get(eras, target) == NULL) {
    json_decref(one);
    snprintf(err, errlen, "%s has no era %zu", artist, target);
    return PD_E_INVALID;
  }
  /* The era object itself (shared): its candidates land in eras. */
  json_array_append(one, json_array_get(eras, target));
  from_commons(&src, artist, one, per_search);
  json_decref(one);
  json_t *a = json_pack("{s:s, s:b, s:O}", "name", artist, "is_group", false, "eras", eras);
  if (a == NULL)
    return PD_E_NOMEM;
  cat->stock_only = true;
  enum pd_result rc = pd_catalog_add_artist(cat, a);
  cat->stock_only = false;
  if (rc != PD_OK)
    snprintf(err, errlen, "writing the stock of %s failed: %s", artist, pd_result_str(rc));
  json_decref(a);
  return rc;
}

/* The commands' reports: each line printed, stderr for an error. */
static void print_line(void *arg, bool error, const char *text)
{
  FILE *f = error ? stderr : stdout;
  fprintf(f, "%s\n", text);
  fflush(f);
}

/* `popdeck ingest artist "NAME"`. */
int pd_cli_ingest(int argc, char **argv)
{
  struct pd_catalog s = {0};
  char err[512];
  if (argc != 3 || strcmp(argv[1], "artist") != 0) {
    fprintf(stderr, "usage: popdeck ingest artist \"NAME\"\n");
    return 2;
  }
  if (!pd_catalog_open(&s, PD_NEED_DB)) {
    pd_catalog_close(&s);
    return 2;
  }
  const struct pd_ingest_report rep = {print_line, NULL, NULL};
  int rc = 1;
  if (pd_ingest_artist(&s, argv[2], &rep, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "ingest: %s\n", err);
  } else {
    printf("ingest: %d artists and %d eras added, %d images added, %d refused, %d cards rendered, "
           "%d redrawn from"
           " real art, %d already there\n",
           s.artists_added, s.eras_added, s.images_added, s.images_refused, s.cards_rendered,
           s.cards_replaced, s.cards_kept);
    rc = 0;
  }
  pd_catalog_close(&s);
  return rc;
}

/* `popdeck sync`: Last.fm's top chart artists and the artists similar to each, ingested from
 * MusicBrainz.  Without LASTFM_API_KEY, Last.fm is skipped with one line.  One artist that
 * cannot be ingested does not stop the others. */
int pd_cli_sync(int argc, char **argv)
{
  struct pd_catalog s = {0};
  char err[512];
  if (argc != 1) {
    fprintf(stderr, "usage: popdeck sync\n");
    return 2;
  }
  /* Without a Last.fm key there is nothing to do, and no database is needed to say so. */
  struct pd_config pre;
  if (!pd_cli_config(0, &pre))
    return 2;
  bool has_key = pre.lastfm_api_key != NULL;
  pd_config_free(&pre);
  if (!has_key) {
    printf("sync: LASTFM_API_KEY is not set, so Last.fm is skipped and there is nothing to sync\n");
    return 0;
  }
  if (!pd_catalog_open(&s, PD_NEED_DB)) {
    pd_catalog_close(&s);
    return 2;
  }
  const struct pd_ingest_report rep = {print_line, NULL, NULL};
  int rc = 1, failed = 0;
  if (pd_ingest_sync(&s, NULL, &rep, &failed, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "sync: %s\n", err);
    goto out;
  }
  printf("sync: %d artists and %d eras added, %d images added, %d cards rendered, %d redrawn, %d "
         "skipped\n",
         s.artists_added, s.eras_added, s.images_added, s.cards_rendered, s.cards_replaced, failed);
  rc = 0;
out:
  pd_catalog_close(&s);
  return rc;
}
