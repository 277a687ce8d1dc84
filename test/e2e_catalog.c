/* e2e_catalog.c - the offline demo catalog: `popdeck seed demo` fills artists, members, eras,
 * images and rendered card templates, idempotently; the server publishes the PNGs at /cards/
 * with cache headers and refuses anything that is not a card name; `popdeck render` draws the
 * same bytes again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "e2e.h"

static struct pd_e2e E;

static int setup(void **state)
{
  return pd_e2e_setup(&E, "catalog");
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

/* Runs a popdeck subcommand against the suite's database; returns its output (malloc'd). */
static char *popdeck(const char *args, int *status)
{
  char cmd[2048];
  snprintf(cmd, sizeof(cmd), "DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" %s/popdeck %s 2>&1", E.db_url,
           E.cards_dir, E.build, args);
  FILE *p = popen(cmd, "r");
  char *out = calloc(1, 65536);
  size_t n = fread(out, 1, 65535, p);
  out[n] = '\0';
  int st = pclose(p);
  *status = WEXITSTATUS(st);
  return out;
}

static void test_seed_fills_a_playable_catalog(void **state)
{
  int st = -1;
  char *out = popdeck("seed demo --limit 2", &st);
  assert_int_equal(st, 0);
  assert_non_null(strstr(out, "seed: [1/34] Taylor Swift: 5 eras, 25 cards rendered"));
  assert_non_null(strstr(out, "2 artists and 8 eras added, 40 cards rendered"));
  free(out);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM card_templates"), 40);
  /* One card per rarity per era. */
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(DISTINCT (era_id, rarity)) FROM card_templates"), 40);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM card_templates WHERE rarity = 'mythic'"), 8);
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM eras e JOIN artists a ON a.id = e.artist_id"
              " WHERE a.name = 'Taylor Swift' AND e.name = '1989' AND e.start_date = '2014-10-27'"
              " AND e.end_date = '2017-11-09'"),
      1);
  assert_int_equal(
      pd_e2e_sql_int(
          &E,
          "SELECT count(*) FROM eras WHERE 'Taylor Swift 1989 red carpet' = ANY(search_keywords)"),
      1);
  assert_int_equal(
      pd_e2e_sql_int(
          &E,
          "SELECT count(*) FROM era_images WHERE kind = 'generated' AND phash ~ '^[0-9a-f]{16}$'"),
      8);
  assert_int_equal(
      pd_e2e_sql_int(&E,
                     "SELECT count(*) FROM card_templates WHERE public_id ~ '^TAYL_19#0[1-5]$'"),
      5);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM card_templates WHERE image_url LIKE "
                                      "'http://127.0.0.1:%/cards/%.png'"),
                   40);
}

static void test_seed_again_adds_nothing(void **state)
{
  int st = -1;
  char *out = popdeck("seed demo --limit 2", &st);
  assert_int_equal(st, 0);
  assert_non_null(strstr(out, "0 artists and 0 eras added, 0 cards rendered"));
  assert_non_null(strstr(out, "40 already there"));
  free(out);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM card_templates"), 40);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM era_images"), 8);
}

static void test_cards_are_served_with_cache_headers(void **state)
{
  struct pd_http_reply r;
  assert_int_equal(pd_e2e_get(&E, 0, "/cards/TAYL_19-03.png", &r), 200);
  assert_string_equal(pd_http_header(&r, "Content-Type"), "image/png");
  assert_string_equal(pd_http_header(&r, "Cache-Control"), "public, max-age=31536000, immutable");
  const unsigned char *b = (const unsigned char *)r.body;
  assert_true(r.len > 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0);
  unsigned w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
  unsigned h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
  assert_int_equal(w, 600);
  assert_int_equal(h, 840);
  char etag[80], inm[100];
  snprintf(etag, sizeof(etag), "%s", pd_http_header(&r, "ETag"));
  pd_http_reply_free(&r);
  snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
  char url[128];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/cards/TAYL_19-03.png", E.srv[0].port);
  const char *hdr[] = {inm, NULL};
  assert_int_equal(pd_http_do("GET", url, hdr, NULL, 0, &r), PD_OK);
  assert_int_equal(r.status, 304);
  assert_int_equal(r.len, 0);
  pd_http_reply_free(&r);
}

static void test_only_card_names_are_served(void **state)
{
  const char *bad[] = {"/cards/NOPE_00-00.png",
                       "/cards/../sql/001_players.sql",
                       "/cards/..%2F..%2Fetc%2Fpasswd",
                       "/cards/a.b.png",
                       "/cards/",
                       "/cards/TAYL_19-03.PNG",
                       "/cards/.png"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct pd_http_reply r;
    long st = pd_e2e_get(&E, 0, bad[i], &r);
    if (st != 404)
      fail_msg("%s answered %ld", bad[i], st);
    pd_http_reply_free(&r);
  }
}

static void test_render_draws_the_same_bytes(void **state)
{
  int st = -1;
  char args[1200], stored[1200];
  snprintf(args, sizeof(args), "render 'TAYL_19#03' %s/again.png", E.cards_dir);
  char *out = popdeck(args, &st);
  assert_int_equal(st, 0);
  assert_non_null(strstr(out, "TAYL_19#03 (Taylor Swift, 1989, epic)"));
  free(out);
  snprintf(stored, sizeof(stored), "cmp -s %s/TAYL_19-03.png %s/again.png", E.cards_dir,
           E.cards_dir);
  assert_int_equal(system(stored), 0);
  out = popdeck("render 'NOPE_00#01' /tmp/x.png", &st);
  assert_int_equal(st, 1);
  assert_non_null(strstr(out, "no card NOPE_00#01"));
  free(out);
}

static void test_seed_into_s3_storage(void **state)
{
  char bin[300], log[600], args[64];
  unsigned port = 0;
  struct pd_proc *s3 = NULL;
  snprintf(bin, sizeof(bin), "%s/double-s3", E.build);
  snprintf(log, sizeof(log), "%s/catalog-s3.log", E.cards_dir);
  char *const argv[] = {bin,        "--port",      "0",        "--key",     "AKIDSEED",
                        "--secret", "seed-secret", "--region", "eu-west-3", NULL};
  assert_int_equal(pd_proc_start_double(argv, log, &s3, &port), PD_OK);
  /* The third artist (Dua Lipa, 3 eras) is new: its 15 cards go to the bucket. */
  snprintf(args, sizeof(args), "seed demo --limit 3");
  char env[400];
  snprintf(env, sizeof(env),
           "STORAGE=s3 S3_ENDPOINT=http://127.0.0.1:%u S3_REGION=eu-west-3 S3_BUCKET=cards"
           " S3_KEY=AKIDSEED S3_SECRET=seed-secret CDN_URL=https://cdn.popdeck.test",
           port);
  char cmd[4096];
  snprintf(cmd, sizeof(cmd), "%s DATABASE_URL=\"%s\" %s/popdeck %s >/dev/null", env, E.db_url,
           E.build, args);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(
      pd_e2e_sql_int(&E,
                     "SELECT count(*) FROM card_templates t JOIN artists a ON a.id = t.artist_id"
                     " WHERE a.name = 'Dua Lipa' AND t.image_url ~ "
                     "'^https://cdn.popdeck.test/DUAL_[A-Z0-9]{2}-0[1-5].png$'"),
      15);
  char url[128];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/_objects", port);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  json_t *objs = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_int_equal(json_object_size(objs), 15);
  json_t *o = json_object_get(objs, "/cards/DUAL_FU-05.png");
  assert_non_null(o);
  assert_string_equal(json_string_value(json_object_get(o, "content_type")), "image/png");
  json_decref(objs);

  /* A wrong secret: the double refuses the signature, seed says so and fails. */
  snprintf(cmd, sizeof(cmd),
           "STORAGE=s3 S3_ENDPOINT=http://127.0.0.1:%u S3_REGION=eu-west-3 S3_BUCKET=cards "
           "S3_KEY=AKIDSEED"
           " S3_SECRET=wrong DATABASE_URL=\"%s\" %s/popdeck seed demo --limit 4 2>&1 | grep -q "
           "'answered 403'",
           port, E.db_url, E.build);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(
      pd_e2e_sql_int(&E,
                     "SELECT count(*) FROM card_templates t JOIN artists a ON a.id = t.artist_id"
                     " WHERE a.name = 'Ariana Grande'"),
      0);
  pd_proc_stop(s3);
}

static void test_ingest_artist_from_musicbrainz(void **state)
{
  char bin[300], log[600], cmd[4096];
  unsigned port = 0;
  struct pd_proc *mb = NULL;
  snprintf(bin, sizeof(bin), "%s/double-musicbrainz", E.build);
  snprintf(log, sizeof(log), "%s/catalog-mb.log", E.cards_dir);
  char *const argv[] = {bin, "--port", "0", "--fixtures", "test/fixtures/musicbrainz", NULL};
  assert_int_equal(pd_proc_start_double(argv, log, &mb, &port), PD_OK);

  /* Covers come from a local Cover Art Archive (the image double). */
  struct pd_proc *img = NULL;
  unsigned iport = 0;
  char ibin[300];
  snprintf(ibin, sizeof(ibin), "%s/double-images", E.build);
  snprintf(log, sizeof(log), "%s/catalog-img.log", E.cards_dir);
  char *const iargv[] = {ibin, "--port", "0", NULL};
  assert_int_equal(pd_proc_start_double(iargv, log, &img, &iport), PD_OK);
  char caa[64];
  snprintf(caa, sizeof(caa), "COVERART_BASE=http://127.0.0.1:%u", iport);
  setenv("COVERART_BASE", caa + strlen("COVERART_BASE="), 1);
  /* The doubles are on loopback, which downloads may reach only when allowlisted. */
  setenv("INGEST_ALLOWED_NETWORKS", "127.0.0.1/32", 1);

  /* Taylor Swift is in the demo catalog with 5 eras; MusicBrainz adds her debut album.  Live
   * albums, compilations and "Fearless (Taylor's Version)" are not eras of their own.  The
   * archive has covers for the debut (a new era: five new cards) and for 1989 (whose five
   * generated cards are redrawn from it); Fearless's is too small and Reputation has none. */
  snprintf(cmd, sizeof(cmd),
           "MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2 DATABASE_URL=\"%s\" CARDS_DIR=\"%s\""
           " %s/popdeck ingest artist 'Taylor Swift' > %s/ingest.out 2>&1",
           port, E.db_url, E.cards_dir, E.build, E.cards_dir);
  assert_int_equal(system(cmd), 0);
  snprintf(
      cmd, sizeof(cmd),
      "grep -qF 'ingest: 0 artists and 1 eras added, 2 images added, 2 refused, 5 cards rendered,"
      " 5 redrawn from real art, 10 already there' %s/ingest.out",
      E.cards_dir);
  if (system(cmd) != 0) {
    snprintf(cmd, sizeof(cmd), "cat %s/ingest.out", E.cards_dir);
    (void)system(cmd);
    fail_msg("ingest summary differs");
  }
  /* Without credentials Spotify is skipped with one line, not an error. */
  snprintf(
      cmd, sizeof(cmd),
      "grep -qF 'ingest: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET are not set, so Spotify is"
      " skipped' %s/ingest.out",
      E.cards_dir);
  assert_int_equal(system(cmd), 0);
  /* The new era's art is its album cover: downloaded, a cover by provenance, 900 px wide, its
   * source kept under art/. */
  char sql[1024];
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM era_images i JOIN eras e ON e.id = i.era_id WHERE e.name = "
           "'Taylor Swift'"
           " AND i.kind = 'cover' AND i.width = 900 AND i.source_url = "
           "'http://127.0.0.1:%u/release-group/"
           "1a9d47fc-0c8c-4a1b-9d0a-0b7b1b3a0001/front-1200' AND i.license->>'source' = 'Cover Art "
           "Archive'"
           " AND i.storage_url = 'art/' || i.phash || '.png' AND i.keyword = 'Taylor Swift Taylor "
           "Swift cover'",
           iport);
  assert_int_equal(pd_e2e_sql_int(&E, sql), 1);
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM card_templates t JOIN era_images i ON i.id = t.source_image_id"
              " WHERE i.kind = 'cover'"),
      10);
  /* 1989's cards keep their public ids (owned copies keep pointing at them) and get a new
   * file, revision 2, drawn from the cover; the old file stays for caches that hold it. */
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM card_templates t JOIN era_images i ON i.id = t.source_image_id"
              " WHERE t.public_id ~ '^TAYL_19#0[1-5]$' AND i.kind = 'cover' AND t.image_rev = 2"
              " AND t.image_url LIKE '%/cards/' || replace(t.public_id, '#', '-') || '-r2.png'"),
      5);
  struct pd_http_reply r;
  assert_int_equal(pd_e2e_get(&E, 0, "/cards/TAYL_19-03-r2.png", &r), 200);
  pd_http_reply_free(&r);
  assert_int_equal(pd_e2e_get(&E, 0, "/cards/TAYL_19-03.png", &r), 200);
  pd_http_reply_free(&r);
  /* `popdeck render` draws the redrawn card again from the stored art, byte for byte. */
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" %s/popdeck render 'TAYL_19#03' %s/again-r2.png"
           " >/dev/null && cmp -s %s/TAYL_19-03-r2.png %s/again-r2.png",
           E.db_url, E.cards_dir, E.build, E.cards_dir, E.cards_dir, E.cards_dir);
  assert_int_equal(system(cmd), 0);
  /* Every refusal is recorded with its reason. */
  assert_int_equal(
      pd_e2e_sql_int(
          &E,
          "SELECT count(*) FROM image_rejections WHERE source_url LIKE '%0b7b1b3a0002/front-1200'"
          " AND reason LIKE '%narrower than 800 px%'"),
      1);
  assert_int_equal(
      pd_e2e_sql_int(
          &E,
          "SELECT count(*) FROM image_rejections WHERE source_url LIKE '%0b7b1b3a0005/front-1200'"
          " AND reason LIKE '%404%'"),
      1);
  assert_int_equal(pd_e2e_sql_int(&E,
                                  "SELECT count(*) FROM eras e JOIN artists a ON a.id = e.artist_id"
                                  " WHERE a.name = 'Taylor Swift' AND e.name = 'Taylor Swift'"
                                  " AND e.start_date = '2006-10-24' AND e.end_date = '2008-11-10'"),
                   1);
  assert_int_equal(
      pd_e2e_sql_int(&E,
                     "SELECT count(*) FROM eras WHERE name LIKE '%Version%' OR name LIKE '%Live%'"),
      0);
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM artists WHERE mbid = '20244d07-534f-4eff-b4d4-930878889970'"),
      1);

  /* Twice is once: nothing is downloaded, refused or drawn again. */
  int64_t rejections = pd_e2e_sql_int(&E, "SELECT count(*) FROM image_rejections");
  snprintf(cmd, sizeof(cmd),
           "MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2 DATABASE_URL=\"%s\" CARDS_DIR=\"%s\""
           " %s/popdeck ingest artist 'Taylor Swift' 2>&1 | grep -q '0 artists and 0 eras added, 0 "
           "images added,"
           " 0 refused, 0 cards rendered, 0 redrawn from real art, 20 already there'",
           port, E.db_url, E.cards_dir, E.build);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM image_rejections"), rejections);
  /* An artist MusicBrainz does not know: a clear message, exit 1. */
  snprintf(cmd, sizeof(cmd),
           "MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2 DATABASE_URL=\"%s\" CARDS_DIR=\"%s\""
           " %s/popdeck ingest artist 'Nobody Famous' 2>&1 | grep -q 'knows no artist called "
           "\"Nobody Famous\"'",
           port, E.db_url, E.cards_dir, E.build);
  assert_int_equal(system(cmd), 0);

  /* A group: its members come from MusicBrainz's relations, the one who left marked so. */
  snprintf(cmd, sizeof(cmd),
           "MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2 DATABASE_URL=\"%s\" CARDS_DIR=\"%s\""
           " %s/popdeck ingest artist 'Fifth Harmony' 2>&1 | grep -q '1 artists and 3 eras added, "
           "0 images added,"
           " 3 refused, 15 cards rendered'",
           port, E.db_url, E.cards_dir, E.build);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(
      pd_e2e_sql_int(&E,
                     "SELECT count(*) FROM artist_members am JOIN artists g ON g.id = am.artist_id"
                     " JOIN artists m ON m.id = am.member_artist_id WHERE g.name = 'Fifth Harmony'"
                     " AND g.is_group AND m.mbid LIKE '11111111-aaaa-%'"),
      5);
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM artist_members am JOIN artists m ON m.id = am.member_artist_id"
              " WHERE m.name = 'Camila Cabello' AND am.role = 'former member'"),
      1);

  /* With Spotify: the artist's id and popularity are kept; its album covers (for the four
   * eras whose names match, "reputation" included) and artist photo are candidates, and at
   * 640 px, all Spotify serves, each is refused for size with the reason recorded. */
  struct pd_proc *sp = NULL;
  unsigned sport = 0;
  char sbin[300], ibase[64];
  snprintf(sbin, sizeof(sbin), "%s/double-spotify", E.build);
  snprintf(log, sizeof(log), "%s/catalog-spotify.log", E.cards_dir);
  snprintf(ibase, sizeof(ibase), "http://127.0.0.1:%u", iport);
  char *const sargv[] = {sbin,
                         "--port",
                         "0",
                         "--fixtures",
                         "test/fixtures/spotify",
                         "--client-id",
                         "popdeck-id",
                         "--client-secret",
                         "popdeck-secret",
                         "--image-base",
                         ibase,
                         NULL};
  assert_int_equal(pd_proc_start_double(sargv, log, &sp, &sport), PD_OK);
  snprintf(cmd, sizeof(cmd),
           "SPOTIFY_CLIENT_ID=popdeck-id SPOTIFY_CLIENT_SECRET=popdeck-secret"
           " SPOTIFY_ACCOUNTS_BASE=http://127.0.0.1:%u SPOTIFY_API_BASE=http://127.0.0.1:%u/v1"
           " MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2 DATABASE_URL=\"%s\" CARDS_DIR=\"%s\""
           " %s/popdeck ingest artist 'Taylor Swift' > %s/ingest-spotify.out 2>&1",
           sport, sport, port, E.db_url, E.cards_dir, E.build, E.cards_dir);
  assert_int_equal(system(cmd), 0);
  const char *want[] = {"ingest: Spotify: Taylor Swift (06HL4z0CvFAxyc27GXpf02)", "4 match eras",
                        "0 images added, 5 refused, 0 cards rendered"};
  for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
    snprintf(cmd, sizeof(cmd), "grep -qF '%s' %s/ingest-spotify.out", want[w], E.cards_dir);
    if (system(cmd) != 0) {
      snprintf(cmd, sizeof(cmd), "cat %s/ingest-spotify.out", E.cards_dir);
      (void)system(cmd);
      fail_msg("ingest with Spotify lacks: %s", want[w]);
    }
  }
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM artists WHERE name = 'Taylor Swift'"
                                      " AND spotify_id = '06HL4z0CvFAxyc27GXpf02'"
                                      " AND (metadata->'spotify'->>'popularity')::int > 0"),
                   1);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM image_rejections WHERE source_url LIKE '%/image/%'"
                         " AND reason LIKE '%640x640 is narrower than 800 px%'"),
      5);
  pd_proc_stop(sp);

  /* With Wikimedia Commons: photos found by the eras' searches (three per search).  "1989
   * concert" finds two usable photos among its first three (a fair-use album cover is never a
   * candidate); "1989 live" finds three, one of them taken in May 2018, which belongs to
   * Reputation; "1989 red carpet" finds one.  1989, which has real art already, gets five more
   * cards; Reputation's generated cards are redrawn from its photo. */
  struct pd_proc *cm = NULL;
  unsigned cport = 0;
  char cbin[300];
  snprintf(cbin, sizeof(cbin), "%s/double-commons", E.build);
  snprintf(log, sizeof(log), "%s/catalog-commons.log", E.cards_dir);
  char *const cargv[] = {cbin,           "--port", "0", "--fixtures", "test/fixtures/commons",
                         "--image-base", ibase,    NULL};
  assert_int_equal(pd_proc_start_double(cargv, log, &cm, &cport), PD_OK);
  snprintf(
      cmd, sizeof(cmd),
      "COMMONS_API_BASE=http://127.0.0.1:%u/w/api.php MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2"
      " DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" %s/popdeck ingest artist 'Taylor Swift' > "
      "%s/ingest-commons.out 2>&1",
      cport, port, E.db_url, E.cards_dir, E.build, E.cards_dir);
  assert_int_equal(system(cmd), 0);
  const char *cwant[] = {"ingest: Wikimedia Commons: 6 free photos found for 4 eras",
                         "6 images added, 0 refused, 5 cards rendered, 5 redrawn from real art"};
  for (size_t w = 0; w < sizeof(cwant) / sizeof(cwant[0]); w++) {
    snprintf(cmd, sizeof(cmd), "grep -qF '%s' %s/ingest-commons.out", cwant[w], E.cards_dir);
    if (system(cmd) != 0) {
      snprintf(cmd, sizeof(cmd), "cat %s/ingest-commons.out", E.cards_dir);
      (void)system(cmd);
      fail_msg("ingest with Commons lacks: %s", cwant[w]);
    }
  }
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM era_images i JOIN eras e ON e.id = i.era_id"
              " WHERE e.name = '1989' AND i.kind = 'concert' AND i.era_match = 'date in window'"
              " AND i.license->>'short_name' LIKE 'CC BY%'"
              " AND i.license->>'artist' = 'Example Photographer'"),
      2);
  assert_int_equal(pd_e2e_sql_int(&E,
                                  "SELECT count(*) FROM era_images i JOIN eras e ON e.id = i.era_id"
                                  " WHERE e.name = '1989' AND i.kind = 'red_carpet'"
                                  " AND i.keyword = 'Taylor Swift 1989 red carpet'"),
                   1);
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM era_images i JOIN eras e ON e.id = i.era_id"
              " WHERE e.name = 'Reputation' AND i.source_url LIKE '%Reputation_Stadium_Tour%'"
              " AND i.keyword = 'Taylor Swift 1989 live'"),
      1);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM era_images i JOIN eras e ON e.id = i.era_id"
                         " WHERE e.name = '1989' AND i.license->>'source' = 'Wikimedia Commons'"),
      5);
  assert_int_equal(
      pd_e2e_sql_int(&E,
                     "SELECT count(*) FROM card_templates t JOIN eras e ON e.id = t.era_id"
                     " JOIN era_images i ON i.id = t.source_image_id WHERE e.name = 'Reputation'"
                     " AND i.kind = 'concert' AND t.image_rev = 2"),
      5);
  /* Every search carried a User-Agent and the URL-encoded keyword. */
  struct pd_http_reply cr;
  char curl_[128];
  snprintf(curl_, sizeof(curl_), "http://127.0.0.1:%u/_requests", cport);
  assert_int_equal(pd_http_do("GET", curl_, NULL, NULL, 0, &cr), PD_OK);
  json_t *creqs = json_loads(cr.body, 0, NULL);
  pd_http_reply_free(&cr);
  assert_int_equal(json_array_size(creqs), 4 * 6);
  size_t ci;
  json_t *cq;
  bool saw = false;
  json_array_foreach(creqs, ci, cq)
  {
    assert_non_null(strstr(json_string_value(json_object_get(cq, "user_agent")), "PopDeck/"));
    const char *q = json_string_value(json_object_get(json_object_get(cq, "query"), "gsrsearch"));
    saw = saw || (q != NULL && strcmp(q, "Taylor Swift 1989 red carpet filetype:bitmap") == 0);
  }
  assert_true(saw);
  json_decref(creqs);
  /* Again: the photos are known, nothing is downloaded or added. */
  snprintf(
      cmd, sizeof(cmd),
      "COMMONS_API_BASE=http://127.0.0.1:%u/w/api.php MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2"
      " DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" %s/popdeck ingest artist 'Taylor Swift' 2>&1"
      " | grep -q '0 images added, 0 refused, 0 cards rendered, 0 redrawn'",
      cport, port, E.db_url, E.cards_dir, E.build);
  assert_int_equal(system(cmd), 0);
  pd_proc_stop(cm);

  /* What MusicBrainz saw: a proper User-Agent on every request, one process's requests a
   * second apart, and a 503 (another process asked too soon) answered by waiting, not failing. */
  char url[128];
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/_requests", port);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  json_t *reqs = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_true(json_array_size(reqs) >= 5);
  int64_t first = json_integer_value(json_object_get(json_array_get(reqs, 0), "at_ms"));
  int64_t second = json_integer_value(json_object_get(json_array_get(reqs, 1), "at_ms"));
  assert_false(json_is_true(json_object_get(json_array_get(reqs, 1), "rate_limited")));
  assert_true(second - first >= 1000);
  size_t i;
  json_t *q;
  json_array_foreach(reqs, i, q)
      assert_non_null(strstr(json_string_value(json_object_get(q, "user_agent")), "PopDeck/"));
  json_decref(reqs);
  pd_proc_stop(mb);
  pd_proc_stop(img);
}

static const char *embed_desc(json_t *embed)
{
  const char *d = json_string_value(json_object_get(embed, "description"));
  return d != NULL ? d : "";
}

/* Photos from Wikimedia Commons under CC BY and CC BY-SA must carry their credit wherever they
 * are shown: /viewcard and the flip after a pick say "Photo: AUTHOR, LICENCE" with a link to the
 * file's page; a card drawn from a cover (no such licence) says nothing of the kind. */
static void test_commons_photos_are_credited(void **state)
{
  char pid[32], author[256], licence[64], page[512], cover[32], want[1200], sql[1024];
#define CREDITED(what)                                                                             \
  "SELECT " what " FROM card_templates t JOIN era_images i ON i.id = t.source_image_id"            \
  " WHERE i.license->>'source' = 'Wikimedia Commons' AND i.license->>'short_name' LIKE 'CC BY%%'"  \
  " AND (i.license->>'attribution_required')::boolean AND i.license->>'page' LIKE '%%(%%' ORDER "  \
  "BY t.id LIMIT 1"
  snprintf(sql, sizeof(sql), CREDITED("t.public_id"));
  pd_e2e_sql_text(&E, sql, pid, sizeof(pid));
  assert_true(pid[0] != '\0'); /* the Commons ingest above made cards from such photos */
  snprintf(sql, sizeof(sql), CREDITED("i.license->>'artist'"));
  pd_e2e_sql_text(&E, sql, author, sizeof(author));
  snprintf(sql, sizeof(sql), CREDITED("i.license->>'short_name'"));
  pd_e2e_sql_text(&E, sql, licence, sizeof(licence));
  snprintf(sql, sizeof(sql),
           CREDITED("replace(replace(i.license->>'page', '(', '%%28'), ')', '%%29')"));
  pd_e2e_sql_text(&E, sql, page, sizeof(page));
  assert_true(author[0] != '\0' && licence[0] != '\0' &&
              strncmp(page, "https://commons.wikimedia.org/wiki/File:", 40) == 0);
  snprintf(want, sizeof(want), "Photo: %s, %s · [source](%s)", author, licence, page);

  /* /viewcard: the card large, the credit under what the player owns. */
  json_t *ix = pd_e2e_command("viewcard", "700000000000000501"), *reply = NULL;
  pd_e2e_option(ix, "card", 3, json_string(pid));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_t *embed = json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0);
  assert_non_null(json_object_get(embed, "image"));
  if (strstr(embed_desc(embed), want) == NULL)
    fail_msg("/viewcard %s lacks \"%s\" in:\n%s", pid, want, embed_desc(embed));
  assert_non_null(strstr(embed_desc(embed), "You do not own this card yet."));
  json_decref(ix);
  json_decref(reply);

  /* A cover has no photographer to credit. */
  pd_e2e_sql_text(
      &E,
      "SELECT t.public_id FROM card_templates t JOIN era_images i ON i.id = t.source_image_id"
      " WHERE i.kind = 'cover' ORDER BY t.id LIMIT 1",
      cover, sizeof(cover));
  ix = pd_e2e_command("viewcard", "700000000000000501");
  pd_e2e_option(ix, "card", 3, json_string(cover));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  embed = json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0);
  assert_null(strstr(embed_desc(embed), "Photo:"));
  json_decref(ix);
  json_decref(reply);

  /* The flip after a pick: a pack offering the photo card first, picked by its opener. */
  assert_true(pd_e2e_sql(
      &E, "INSERT INTO users (discord_id) VALUES ('700000000000000501') ON CONFLICT DO NOTHING"));
  snprintf(sql, sizeof(sql),
           "INSERT INTO pack_opens (user_id, pack, template_ids, rarities, expires_at)"
           " SELECT (SELECT id FROM users WHERE discord_id = '700000000000000501'), 'standard-3',"
           " ARRAY[(SELECT id FROM card_templates WHERE public_id = '%s'),"
           " (SELECT id FROM card_templates WHERE public_id = '%s')], ARRAY['common', 'common'],"
           " now() + interval '10 minutes' RETURNING id",
           pid, cover);
  int64_t pack = pd_e2e_sql_int(&E, sql);
  assert_true(pack > 0);
  char custom[64];
  snprintf(custom, sizeof(custom), "pick:%lld:0", (long long)pack);
  ix = pd_e2e_button(custom, "700000000000000501");
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 7);
  json_t *embeds = json_object_get(json_object_get(reply, "data"), "embeds");
  embed = json_array_get(embeds, 0);
  assert_non_null(json_object_get(embed, "image"));
  if (strstr(embed_desc(embed), want) == NULL)
    fail_msg("the flip lacks \"%s\" in:\n%s", want, embed_desc(embed));
  assert_non_null(strstr(embed_desc(embed), "flipped card 1."));
  /* The one that got away is a cover: no credit line. */
  assert_null(strstr(embed_desc(json_array_get(embeds, 1)), "Photo:"));
  json_decref(ix);
  json_decref(reply);
}

static void test_sync_from_lastfm_chart(void **state)
{
  char bin[300], log[600], cmd[4096];
  unsigned mbport = 0, fmport = 0;
  struct pd_proc *mb = NULL, *fm = NULL;
  snprintf(bin, sizeof(bin), "%s/double-musicbrainz", E.build);
  snprintf(log, sizeof(log), "%s/sync-mb.log", E.cards_dir);
  char *const mbargv[] = {bin, "--port", "0", "--fixtures", "test/fixtures/musicbrainz", NULL};
  assert_int_equal(pd_proc_start_double(mbargv, log, &mb, &mbport), PD_OK);
  char fmbin[300];
  snprintf(fmbin, sizeof(fmbin), "%s/double-lastfm", E.build);
  snprintf(log, sizeof(log), "%s/sync-fm.log", E.cards_dir);
  char *const fmargv[] = {fmbin,   "--port",      "0", "--fixtures", "test/fixtures/lastfm",
                          "--key", "fm-test-key", NULL};
  assert_int_equal(pd_proc_start_double(fmargv, log, &fm, &fmport), PD_OK);

  /* No key: one line, nothing done, success. */
  snprintf(cmd, sizeof(cmd),
           "env -u LASTFM_API_KEY DATABASE_URL=\"%s\" %s/popdeck sync 2>&1"
           " | grep -q '^sync: LASTFM_API_KEY is not set'",
           E.db_url, E.build);
  assert_int_equal(system(cmd), 0);
  /* A wrong key: Last.fm's own message, exit 1. */
  snprintf(cmd, sizeof(cmd),
           "LASTFM_API_KEY=wrong LASTFM_BASE=http://127.0.0.1:%u DATABASE_URL=\"%s\""
           " %s/popdeck sync 2>&1 | grep -q 'Last.fm answered 403: Invalid API key'",
           fmport, E.db_url, E.build);
  assert_int_equal(system(cmd), 0);
  /* The chart (Taylor Swift, Nobody Famous) plus similar artists (Olivia Rodrigo); MusicBrainz
   * knows only Taylor Swift, already in the catalog, so two are skipped and nothing is lost. */
  snprintf(cmd, sizeof(cmd),
           "LASTFM_API_KEY=fm-test-key LASTFM_BASE=http://127.0.0.1:%u"
           " MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2 DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" "
           "%s/popdeck sync"
           " > %s/sync.out 2>&1",
           fmport, mbport, E.db_url, E.cards_dir, E.build, E.cards_dir);
  assert_int_equal(system(cmd), 0);
  const char *want[] = {
      "sync: 2 chart artists, 3 with similar ones", "sync: [3/3] Olivia Rodrigo",
      "knows no artist called \"Nobody Famous\"",
      "sync: 0 artists and 0 eras added, 0 images added, 0 cards rendered, 0 redrawn, 2 skipped"};
  for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
    snprintf(cmd, sizeof(cmd), "grep -qF '%s' %s/sync.out", want[i], E.cards_dir);
    if (system(cmd) != 0)
      fail_msg("sync output lacks: %s", want[i]);
  }
  pd_proc_stop(mb);
  pd_proc_stop(fm);
}

/* STORAGE=discord: cards are files in CARDS_DIR that no route publishes; their URL is
 * attachment://NAME, and the worker attaches the file to each message that shows one.  A
 * card file that is gone leaves the embed without its picture, and the message still goes. */
static void test_discord_attachment_storage(void **state)
{
  char cmd[4096];
  snprintf(cmd, sizeof(cmd),
           "STORAGE=discord DATABASE_URL=\"%s\" CARDS_DIR=\"%s/discord\" %s/popdeck seed demo"
           " --limit 1 >/dev/null",
           E.db_url, E.cards_dir, E.build);
  /* The catalog already has these cards (as local files); a fresh era shows the backend. */
  assert_true(pd_e2e_sql(&E, "DELETE FROM card_templates WHERE public_id LIKE 'TAYL_FE#%'"));
  assert_int_equal(system(cmd), 0);
  assert_int_equal(
      pd_e2e_sql_int(&E,
                     "SELECT count(*) FROM card_templates WHERE public_id LIKE 'TAYL_FE#%'"
                     " AND image_url = 'attachment://' || replace(public_id, '#', '-') || '.png'"),
      5);
  const char *env[] = {"STORAGE=discord", NULL, NULL};
  char dir[600];
  snprintf(dir, sizeof(dir), "CARDS_DIR=%s/discord", E.cards_dir);
  env[1] = dir;
  int status = 0;
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_start(&E, 0, env), 0);
  pd_e2e_double_reset(&E);
  char sql[2048];
  snprintf(sql, sizeof(sql),
           "INSERT INTO followup_jobs (application_id, interaction_token, method, payload,"
           " token_expires_at) VALUES ('%s', 'tok-attach', 'edit_original', "
           "'{\"embeds\":[{\"title\":\"Fearless\","
           "\"image\":{\"url\":\"attachment://"
           "TAYL_FE-02.png\"},\"thumbnail\":{\"url\":\"attachment://TAYL_FE-02.png\"}},"
           "{\"title\":\"gone\",\"image\":{\"url\":\"attachment://TAYL_FE-09.png\"}}]}', now() + "
           "interval '10 minutes');"
           " NOTIFY popdeck_jobs",
           PD_E2E_APP_ID);
  assert_true(pd_e2e_sql(&E, sql));
  json_t *reqs = pd_double_wait_requests(E.dbl, "tok-attach", 1, 5000);
  assert_non_null(reqs);
  json_t *req = json_array_get(reqs, 0);
  assert_non_null(
      strstr(json_string_value(json_object_get(req, "content_type")), "multipart/form-data"));
  json_t *files = json_object_get(req, "files");
  assert_int_equal(json_array_size(files), 1); /* the same card twice is attached once */
  json_t *file = json_array_get(files, 0);
  assert_string_equal(json_string_value(json_object_get(file, "filename")), "TAYL_FE-02.png");
  assert_int_equal(json_integer_value(json_object_get(file, "width")), 600);
  assert_int_equal(json_integer_value(json_object_get(file, "height")), 840);
  json_t *embeds = json_object_get(json_object_get(req, "json"), "embeds");
  assert_null(json_object_get(json_array_get(embeds, 1), "image"));
  assert_string_equal(json_string_value(json_object_get(json_array_get(embeds, 1), "title")),
                      "gone");
  json_decref(reqs);
  assert_true(pd_e2e_log_has(&E, 0, "card TAYL_FE-09.png could not be attached"));
  /* Not published at /cards/: the files are for attachments only. */
  struct pd_http_reply r;
  assert_int_equal(pd_e2e_get(&E, 0, "/cards/TAYL_FE-02.png", &r), 404);
  pd_http_reply_free(&r);
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_start(&E, 0, NULL), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_seed_fills_a_playable_catalog),
      PD_E2E_TEST(test_seed_again_adds_nothing),
      PD_E2E_TEST(test_cards_are_served_with_cache_headers),
      PD_E2E_TEST(test_only_card_names_are_served),
      PD_E2E_TEST(test_render_draws_the_same_bytes),
      PD_E2E_TEST(test_seed_into_s3_storage),
      PD_E2E_TEST(test_discord_attachment_storage),
      PD_E2E_TEST(test_ingest_artist_from_musicbrainz),
      PD_E2E_TEST(test_commons_photos_are_credited),
      PD_E2E_TEST(test_sync_from_lastfm_chart),
  };
  return cmocka_run_group_tests_name("e2e_catalog", tests, setup, teardown);
}
