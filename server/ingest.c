/* ingest.c - `popdeck ingest artist "NAME"` and `popdeck sync`: artists from MusicBrainz (eras
 * from studio albums, members of groups), candidate pictures from the Cover Art Archive,
 * Spotify and Wikimedia Commons, written through the catalog writer.  A source without
 * credentials is skipped with one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog.h"
#include "cli.h"
#include "lastfm.h"
#include "musicbrainz.h"
#include "commons.h"
#include "spotify.h"

/* The sources one command asks; those without credentials are off. */
struct sources {
  struct pd_mb mb;
  struct pd_spotify spotify;
  bool spotify_on;
  struct pd_commons commons;
  bool commons_on;
};

/* The sources' bases and keys, borrowed from cfg (it outlives src). */
static void sources_init(struct sources *src, const struct pd_config *cfg, const char *who)
{
  memset(src, 0, sizeof(*src));
  src->mb.base = cfg->musicbrainz_base;
  src->spotify.accounts_base = cfg->spotify_accounts_base;
  src->spotify.api_base = cfg->spotify_api_base;
  src->spotify.client_id = cfg->spotify_client_id;
  src->spotify.client_secret = cfg->spotify_client_secret;
  src->spotify_on = src->spotify.client_id != NULL && src->spotify.client_secret != NULL;
  if (!src->spotify_on)
    printf("%s: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set, so Spotify is skipped\n",
           who);
  src->commons.base = cfg->commons_api_base;
  src->commons_on = src->commons.base != NULL;
  if (!src->commons_on)
    printf("%s: COMMONS_API_BASE is not set, so no photos are searched on Wikimedia Commons\n",
           who);
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
static void from_commons(struct sources *src, const char *name, json_t *eras)
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
      if (pd_commons_search(&src->commons, keyword, PHOTOS_PER_SEARCH, &photos, err, sizeof(err)) !=
          PD_OK) {
        printf("ingest:   search \"%s\" skipped: %s\n", keyword, err);
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
  printf("ingest: Wikimedia Commons: %zu free photos found for %zu eras\n", found,
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
    printf("ingest: Spotify knows no artist called \"%s\"\n", name);
    return;
  }
  if (rc == PD_OK)
    rc = pd_spotify_albums(&src->spotify, sa.id, &albums, err, sizeof(err));
  if (rc != PD_OK) {
    printf("ingest: Spotify skipped: %s\n", err);
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
  printf("ingest: Spotify: %s (%s), popularity %d, %zu albums, %zu match eras\n", sa.name, sa.id,
         sa.popularity, json_array_size(albums), matched);
  json_decref(albums);
  pd_spotify_artist_free(&sa);
}

static enum pd_result ingest_one(struct pd_catalog *s, struct sources *src, const char *name,
                                 char *err, size_t errlen)
{
  struct pd_mb *mb = &src->mb;
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
    const char *caa = s->cfg.coverart_base;
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
    printf("ingest: %s (%s), %zu eras\n", found.name, found.mbid, json_array_size(eras));
    fflush(stdout);
    json_t *members = NULL;
    if (found.is_group && pd_mb_members(mb, found.mbid, &members, err, errlen) != PD_OK) {
      printf("ingest: %s's members are unknown: %s\n", found.name, err);
      members = NULL;
    } else if (members != NULL) {
      printf("ingest: %s is a group of %zu\n", found.name, json_array_size(members));
    }
    json_t *artist = json_pack("{s:s, s:s, s:b, s:O, s:o*}", "name", found.name, "mbid", found.mbid,
                               "is_group", found.is_group, "eras", eras, "members", members);
    from_spotify(src, found.name, artist, eras);
    from_commons(src, found.name, eras);
    rc = pd_catalog_add_artist(s, artist);
    if (rc != PD_OK)
      snprintf(err, errlen, "writing %s failed (see the log line above); nothing of it was kept",
               found.name);
    json_decref(artist);
  }
  json_decref(eras);
  return rc;
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
  struct sources src;
  sources_init(&src, &s.cfg, "ingest");
  int rc = 1;
  printf("ingest: looking up \"%s\" on MusicBrainz\n", argv[2]);
  if (ingest_one(&s, &src, argv[2], err, sizeof(err)) != PD_OK) {
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
  json_t *names = NULL;
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
  struct pd_lastfm fm = {s.cfg.lastfm_base, s.cfg.lastfm_api_key};
  struct sources src;
  sources_init(&src, &s.cfg, "sync");
  int rc = 1, failed = 0;
  if (pd_lastfm_top_artists(&fm, 20, &names, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "sync: %s\n", err);
    goto out;
  }
  size_t top = json_array_size(names);
  for (size_t i = 0; i < top; i++) {
    json_t *similar = NULL;
    if (pd_lastfm_similar(&fm, json_string_value(json_array_get(names, i)), 3, &similar, err,
                          sizeof(err)) != PD_OK) {
      fprintf(stderr, "sync: %s\n", err);
      continue;
    }
    size_t k;
    json_t *n;
    json_array_foreach(similar, k, n)
    {
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
  json_array_foreach(names, i, n)
  {
    printf("sync: [%zu/%zu] %s\n", i + 1, json_array_size(names), json_string_value(n));
    fflush(stdout);
    if (ingest_one(&s, &src, json_string_value(n), err, sizeof(err)) != PD_OK) {
      printf("sync:   skipped: %s\n", err);
      failed++;
    }
  }
  printf("sync: %d artists and %d eras added, %d images added, %d cards rendered, %d redrawn, %d "
         "skipped\n",
         s.artists_added, s.eras_added, s.images_added, s.cards_rendered, s.cards_replaced, failed);
  rc = 0;
out:
  json_decref(names);
  pd_catalog_close(&s);
  return rc;
}
