/* e2e_catalog_tasks.c - the catalog's periodic tasks and reuse versus create, end to end: the
 * real `popdeck serve` with its scheduler, the Last.fm, MusicBrainz, Spotify and Wikimedia Commons
 * doubles (and the image host behind Commons), and the database clock moved a period at a time.
 *   - weekly_sync asks Last.fm for the artists similar to the most collected ones, once per
 *     period, and ingests the new ones through MusicBrainz (never the chart while cards are owned);
 *   - monthly_prune retires the artists under the Spotify or the Last.fm threshold: their cards
 *     are no longer drawn, their copies stay owned and show "retired" in /viewcard and /mycards;
 *   - stock_refill searches more photos for eras short of unused images and stores them without
 *     making a card;
 *   - a draw whose era has fewer cards of the drawn rarity than min_stock_per_rarity makes a new
 *     card from an unused image, drawn by the worker before the reply goes out; with enough
 *     cards it makes one with chance 1 - reuse_bias (a chi-square test over many draws). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"
#include "http_client.h"

#define FM_KEY "fm-catalog-tasks-key"
#define SP_ID "popdeck-e2e-client-id"
#define SP_SECRET "popdeck-e2e-client-secret-5f1c"
#define PERIOD 3600 /* every task's period here: the test moves the clock an hour at a time */

static struct pd_e2e E;
static struct pd_proc *FM, *MB, *SP, *CM, *IMG;
static unsigned fm_port, mb_port, sp_port, cm_port, img_port;

static struct pd_proc *double_up(const char *name, char *const *args, unsigned *port)
{
  char bin[300], log[600];
  char *argv[16];
  struct pd_proc *p = NULL;
  size_t n = 0;
  snprintf(bin, sizeof(bin), "%s/double-%s", E.build, name);
  snprintf(log, sizeof(log), "%s/tasks-%s.log", E.cards_dir, name);
  argv[n++] = bin;
  for (size_t i = 0; args[i] != NULL && n < 15; i++)
    argv[n++] = args[i];
  argv[n] = NULL;
  return pd_proc_start_double(argv, log, &p, port) == PD_OK ? p : NULL;
}

static int setup(void **state)
{
  int status = 0;
  char ibase[64];
  if (pd_e2e_setup(&E, "catalog_tasks") != 0 || pd_e2e_server_stop(&E, 0, 15, 10000, &status) != 0)
    return -1;
  /* Taylor Swift, Beyoncé and Dua Lipa, five eras each with one card per rarity. */
  if (pd_e2e_seed_demo(&E, 3) != 0)
    return -1;
  char *fm[] = {"--port", "0", "--fixtures", "test/fixtures/lastfm", "--key", FM_KEY, NULL};
  char *mb[] = {"--port", "0", "--fixtures", "test/fixtures/musicbrainz", NULL};
  char *sp[] = {"--port",      "0",   "--fixtures",      "test/fixtures/spotify",
                "--client-id", SP_ID, "--client-secret", SP_SECRET,
                NULL};
  char *img[] = {"--port", "0", NULL};
  if ((FM = double_up("lastfm", fm, &fm_port)) == NULL ||
      (MB = double_up("musicbrainz", mb, &mb_port)) == NULL ||
      (SP = double_up("spotify", sp, &sp_port)) == NULL ||
      (IMG = double_up("images", img, &img_port)) == NULL)
    return -1;
  snprintf(ibase, sizeof(ibase), "http://127.0.0.1:%u", img_port);
  char *cm[] = {"--port", "0", "--fixtures", "test/fixtures/commons", "--image-base", ibase, NULL};
  if ((CM = double_up("commons", cm, &cm_port)) == NULL)
    return -1;
  /* A picture for the stock the draw tests make by hand: a rendered card is a fine PNG. */
  char cmd[2048];
  snprintf(cmd, sizeof(cmd), "mkdir -p %s/art && cp %s/TAYL_19-01.png %s/art/stocktest.png",
           E.cards_dir, E.cards_dir, E.cards_dir);
  return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
  int status = 0;
  if (E.srv[0].proc != NULL)
    pd_e2e_server_stop(&E, 0, 15, 10000, &status);
  pd_proc_stop(FM);
  pd_proc_stop(MB);
  pd_proc_stop(SP);
  pd_proc_stop(CM);
  pd_proc_stop(IMG);
  pd_e2e_teardown(&E);
  return 0;
}

/* Starts server 0 with extra, stopping first one a failed test left running. */
static void start(const char *const *extra)
{
  int status = 0;
  if (E.srv[0].proc != NULL)
    assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_start(&E, 0, extra), 0);
}

static void stop(void)
{
  int status = 0;
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(status, 0);
}

/* Moves the database clock ten minutes into an hour, so that no real hour boundary falls inside
 * a test and every run the test sees is one it asked for. */
static void align_clock(void)
{
  int64_t into = pd_e2e_sql_int(&E, "SELECT extract(epoch FROM pd_now())::bigint % 3600");
  assert_true(into >= 0);
  assert_true(pd_e2e_clock_advance(&E, (PERIOD - into) + 600));
}

/* Waits up to timeout_ms for task to have n runs finished 'ok'. */
static bool runs_ok(const char *task, int64_t n, int timeout_ms)
{
  for (int waited = 0; waited <= timeout_ms; waited += 100) {
    if (pd_e2e_sqlf(&E, "SELECT count(*) FROM scheduler_runs WHERE task = '%s' AND state = 'ok'",
                    task) >= n)
      return true;
    usleep(100 * 1000);
  }
  return false;
}

/* A double's recorded requests (GET /_requests); caller owns. */
static json_t *recorded(unsigned port, const char *query)
{
  char url[256];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/_requests%s", port, query);
  json_t *j =
      pd_http_do("GET", url, NULL, NULL, 0, &r) == PD_OK ? json_loads(r.body, 0, NULL) : NULL;
  pd_http_reply_free(&r);
  assert_non_null(j);
  return j;
}

/* How many Last.fm requests of method there were (about artist, when not NULL). */
static size_t fm_calls(const char *method, const char *artist)
{
  json_t *all = recorded(fm_port, ""), *r;
  size_t i, n = 0;
  json_array_foreach(all, i, r)
  {
    const char *m = json_string_value(json_object_get(r, "method"));
    const char *a = json_string_value(json_object_get(r, "artist"));
    n += m != NULL && strcmp(m, method) == 0 && (artist == NULL || (a && strcmp(a, artist) == 0));
  }
  json_decref(all);
  return n;
}

static void fm_forget(void)
{
  struct pd_http_reply r;
  char url[128];
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/_requests", fm_port);
  assert_int_equal(pd_http_do("DELETE", url, NULL, NULL, 0, &r), PD_OK);
  pd_http_reply_free(&r);
}

/* A new copy of the first card (by id) of artist for the player. */
static void copy_of_artist(const char *discord, const char *artist)
{
  char sql[1024];
  snprintf(sql, sizeof(sql), "INSERT INTO users (discord_id) VALUES ('%s') ON CONFLICT DO NOTHING",
           discord);
  assert_true(pd_e2e_sql(&E, sql));
  assert_true(pd_e2e_sqlf(&E,
                          "WITH t AS (UPDATE card_templates SET copies_created = copies_created + 1"
                          " WHERE id = (SELECT min(t.id) FROM card_templates t JOIN artists a ON"
                          " a.id = t.artist_id WHERE a.name = '%s')"
                          " RETURNING id, copies_created)"
                          " INSERT INTO user_cards (user_id, template_id, print_no, source)"
                          " SELECT u.id, t.id, t.copies_created, 'test' FROM t, users u"
                          " WHERE u.discord_id = '%s' RETURNING id",
                          artist, discord) > 0);
}

static const char *embed_text(json_t *reply)
{
  json_t *embed = json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0);
  return json_string_value(json_object_get(embed, "description"));
}

/* ---- weekly_sync ---- */

static void test_weekly_sync_asks_similar_artists_once_per_period(void **state)
{
  char fm[64], mb[80];
  snprintf(fm, sizeof(fm), "LASTFM_BASE=http://127.0.0.1:%u", fm_port);
  snprintf(mb, sizeof(mb), "MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2", mb_port);
  const char *const extra[] = {
      "LASTFM_API_KEY=" FM_KEY, fm,  mb, "SCHEDULER_PERIODS=expire:5,weekly_sync:3600",
      "SCHEDULER_TICK_MS=100",  NULL};
  /* Taylor Swift is the most collected (two copies), Dua Lipa next (one). */
  copy_of_artist("700000000000000301", "Taylor Swift");
  copy_of_artist("700000000000000302", "Taylor Swift");
  copy_of_artist("700000000000000302", "Dua Lipa");
  fm_forget();
  align_clock();
  start(extra);
  assert_true(runs_ok("weekly_sync", 1, 20000));
  /* Several more ticks in the same period: no second run. */
  usleep(1000 * 1000);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM scheduler_runs WHERE task ="
                                      " 'weekly_sync'"),
                   1);
  /* The seeds are the collected artists, never the chart; Last.fm's similar artists to them
   * that are new (Olivia Rodrigo; Taylor Swift is a seed) go through MusicBrainz, which knows
   * no Olivia Rodrigo: skipped, nothing lost. */
  assert_int_equal(fm_calls("artist.getsimilar", "Taylor Swift"), 1);
  assert_int_equal(fm_calls("artist.getsimilar", "Dua Lipa"), 1);
  assert_int_equal(fm_calls("artist.getsimilar", NULL), 2);
  assert_int_equal(fm_calls("chart.gettopartists", NULL), 0);
  char detail[512];
  pd_e2e_sql_text(&E, "SELECT detail FROM scheduler_runs WHERE task = 'weekly_sync'", detail,
                  sizeof(detail));
  if (strstr(detail, "2 seeds;") == NULL || strstr(detail, "1 skipped") == NULL)
    fail_msg("weekly_sync detail: %s", detail);
  assert_true(pd_e2e_log_has(&E, 0, "sync: [1/1] Olivia Rodrigo"));

  /* The next period: one more run, the same two questions again. */
  assert_true(pd_e2e_clock_advance(&E, PERIOD));
  assert_true(runs_ok("weekly_sync", 2, 20000));
  usleep(500 * 1000);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM scheduler_runs WHERE task ="
                                      " 'weekly_sync'"),
                   2);
  assert_int_equal(fm_calls("artist.getsimilar", NULL), 4);
  stop();
}

/* Without LASTFM_API_KEY the task is off, and the log says why once at start. */
static void test_weekly_sync_off_without_lastfm(void **state)
{
  start(NULL);
  assert_true(pd_e2e_log_has(&E, 0, "weekly_sync is off: LASTFM_API_KEY is not set"));
  assert_true(pd_e2e_log_has(&E, 0, "monthly_prune is off"));
  assert_true(pd_e2e_log_has(&E, 0, "stock_refill is off: COMMONS_API_BASE is not set"));
  stop();
}

/* ---- monthly_prune ---- */

static void test_monthly_prune_retires_artists_under_thresholds(void **state)
{
  char fm[64], mb[80], acc[64], api[80];
  snprintf(fm, sizeof(fm), "LASTFM_BASE=http://127.0.0.1:%u", fm_port);
  snprintf(acc, sizeof(acc), "SPOTIFY_ACCOUNTS_BASE=http://127.0.0.1:%u", sp_port);
  snprintf(api, sizeof(api), "SPOTIFY_API_BASE=http://127.0.0.1:%u/v1", sp_port);
  /* With a Last.fm key the weekly sync runs too (its own period): through the doubles as well. */
  snprintf(mb, sizeof(mb), "MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2", mb_port);
  const char *const extra[] = {"LASTFM_API_KEY=" FM_KEY,
                               fm,
                               mb,
                               acc,
                               api,
                               "SPOTIFY_CLIENT_ID=" SP_ID,
                               "SPOTIFY_CLIENT_SECRET=" SP_SECRET,
                               "PRUNE_MIN_SPOTIFY_POPULARITY=30",
                               "PRUNE_MIN_LASTFM_LISTENERS=100000",
                               "SCHEDULER_PERIODS=expire:5,monthly_prune:3600",
                               "SCHEDULER_TICK_MS=100",
                               NULL};
  const char *owner = "700000000000000311";
  copy_of_artist(owner, "Dua Lipa");
  copy_of_artist(owner, "Beyoncé");
  copy_of_artist(owner, "Taylor Swift");
  fm_forget();
  align_clock();
  start(extra);
  assert_true(runs_ok("monthly_prune", 1, 20000));
  /* Spotify gives Dua Lipa 15 (Last.fm 3.4 million listeners); Last.fm gives Beyoncé 900 (Spotify
   * does not know her: judged by Last.fm alone); Taylor Swift is over both. */
  char why[256];
  pd_e2e_sql_text(&E, "SELECT retired_why FROM artists WHERE name = 'Dua Lipa'", why, sizeof(why));
  assert_string_equal(why, "Spotify popularity 15, under 30");
  pd_e2e_sql_text(&E, "SELECT retired_why FROM artists WHERE name = 'Beyoncé'", why, sizeof(why));
  assert_string_equal(why, "Last.fm listeners 900, under 100000");
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM artists WHERE retired_at IS NOT NULL"),
                   2);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT (metadata->'prune'->>'spotify_popularity')::int FROM artists"
                         " WHERE name = 'Taylor Swift'"),
      100);
  assert_int_equal(fm_calls("artist.getinfo", NULL), 3);
  /* No card of theirs is drawable; every copy stays where it was. */
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM drawable_cards d JOIN card_templates t"
                                      " ON t.id = d.id JOIN artists a ON a.id = t.artist_id"
                                      " WHERE a.retired_at IS NOT NULL"),
                   0);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
                               " WHERE u.discord_id = '%s' AND c.state = 'free'",
                               owner),
                   3);

  /* /viewcard and /mycards show the retired card as retired, and still as the owner's. */
  char pid[32];
  pd_e2e_sql_text(&E,
                  "SELECT min(t.public_id) FROM card_templates t JOIN artists a ON a.id ="
                  " t.artist_id WHERE a.name = 'Dua Lipa' AND t.copies_created > 0",
                  pid, sizeof(pid));
  json_t *ix = pd_e2e_command("viewcard", owner), *reply = NULL;
  pd_e2e_option(ix, "card", 3, json_string(pid));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  char *dump = json_dumps(reply, 0);
  if (strstr(dump, "\"Retired\"") == NULL || strstr(dump, "No longer drawn") == NULL)
    fail_msg("/viewcard %s does not say retired: %s", pid, dump);
  free(dump);
  json_decref(ix);
  json_decref(reply);
  ix = pd_e2e_command("mycards", owner);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  const char *list = embed_text(reply);
  assert_non_null(list);
  /* Two retired lines (Dua Lipa, Beyoncé), and Taylor Swift's without the word. */
  const char *at = strstr(list, "· retired");
  assert_non_null(at);
  assert_non_null(strstr(at + 1, "· retired"));
  assert_null(strstr(strstr(at + 1, "· retired") + 1, "· retired"));
  json_decref(ix);
  json_decref(reply);

  /* Draws hand out only Taylor Swift's cards now. */
  for (int i = 0; i < 8; i++) {
    char user[32];
    snprintf(user, sizeof(user), "7000000000000004%02d", i);
    ix = pd_e2e_command("draw", user);
    assert_int_equal(pd_e2e_post(&E, 0, ix, NULL), 200);
    json_decref(ix);
  }
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM user_cards c JOIN card_templates t ON"
                                      " t.id = c.template_id JOIN artists a ON a.id = t.artist_id"
                                      " WHERE c.source = 'draw' AND a.name <> 'Taylor Swift'"),
                   0);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM user_cards WHERE source = 'draw'"), 8);
  stop();

  /* Lower thresholds the next month: both are over them again, and drawn again. */
  const char *const lower[] = {"LASTFM_API_KEY=" FM_KEY,
                               fm,
                               mb,
                               acc,
                               api,
                               "SPOTIFY_CLIENT_ID=" SP_ID,
                               "SPOTIFY_CLIENT_SECRET=" SP_SECRET,
                               "PRUNE_MIN_SPOTIFY_POPULARITY=10",
                               "PRUNE_MIN_LASTFM_LISTENERS=500",
                               "SCHEDULER_PERIODS=expire:5,monthly_prune:3600",
                               "SCHEDULER_TICK_MS=100",
                               NULL};
  assert_true(pd_e2e_clock_advance(&E, PERIOD));
  start(lower);
  assert_true(runs_ok("monthly_prune", 2, 20000));
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM artists WHERE retired_at IS NOT NULL"
                                      " OR retired_why IS NOT NULL"),
                   0);
  assert_true(pd_e2e_sql_int(&E, "SELECT count(*) FROM drawable_cards d JOIN card_templates t"
                                 " ON t.id = d.id JOIN artists a ON a.id = t.artist_id"
                                 " WHERE a.name = 'Dua Lipa'") > 0);
  char detail[512];
  pd_e2e_sql_text(&E,
                  "SELECT detail FROM scheduler_runs WHERE task = 'monthly_prune' ORDER BY"
                  " period_start DESC LIMIT 1",
                  detail, sizeof(detail));
  assert_string_equal(detail, "3 artists checked: 0 retired, 2 drawn again, 0 not measured");
  stop();
}

/* ---- stock_refill ---- */

static void test_stock_refill_stores_photos_without_cards(void **state)
{
  char cm[80];
  snprintf(cm, sizeof(cm), "COMMONS_API_BASE=http://127.0.0.1:%u/w/api.php", cm_port);
  const char *const extra[] = {cm, "INGEST_ALLOWED_NETWORKS=127.0.0.1/32",
                               "SCHEDULER_PERIODS=expire:5,stock_refill:3600",
                               "SCHEDULER_TICK_MS=100", NULL};
  int64_t cards = pd_e2e_sql_int(&E, "SELECT count(*) FROM card_templates");
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM era_images WHERE kind <> 'generated'"),
                   0);
  align_clock();
  start(extra);
  assert_true(runs_ok("stock_refill", 1, 60000));
  /* Commons has photos for Taylor Swift's 1989 (its concert, live and red carpet searches, up to
   * ten results each): stored, classified, with their art, and no card made from them. */
  int64_t stocked =
      pd_e2e_sql_int(&E, "SELECT count(*) FROM era_images i JOIN eras e ON e.id = i.era_id"
                         " WHERE e.name = '1989' AND i.kind <> 'generated' AND i.storage_url"
                         " = 'art/' || i.phash || '.png' AND NOT EXISTS (SELECT 1 FROM"
                         " card_templates t WHERE t.source_image_id = i.id)");
  if (stocked < 4)
    fail_msg("the refill stored %lld photos for 1989", (long long)stocked);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM card_templates"), cards);
  /* Ten eras looked at, least recently first (Taylor Swift's five come first); the next run
   * takes the rest. */
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM eras WHERE stock_checked_at IS NOT NULL"), 10);
  json_t *reqs = recorded(cm_port, "");
  char *dump = json_dumps(reqs, 0);
  if (strstr(dump, "Taylor Swift 1989 concert") == NULL || strstr(dump, "\"10\"") == NULL)
    fail_msg("Commons was not searched for 1989 with ten results: %.2000s", dump);
  free(dump);
  json_decref(reqs);
  assert_true(pd_e2e_clock_advance(&E, PERIOD));
  assert_true(runs_ok("stock_refill", 2, 60000));
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM eras WHERE stock_checked_at IS NOT NULL"),
      pd_e2e_sql_int(&E, "SELECT count(*) FROM eras"));
  stop();
  /* The next tests make their own stock. */
  assert_true(pd_e2e_sql(&E, "UPDATE era_images SET removed_at = pd_now() WHERE kind <>"
                             " 'generated' AND removed_at IS NULL"));
}

/* ---- reuse versus create ---- */

/* An artist of its own with one era, `cards` common cards (drawn already) and `unused` concert
 * photos no card is made from; every other card is set aside (removed_at 1999-01-01, put back
 * by restore_catalog) so that every draw lands in this era. */
static int64_t stock_era(const char *artist, int cards, int unused)
{
  char sql[2048];
  snprintf(sql, sizeof(sql),
           "UPDATE card_templates SET removed_at = '1999-01-01' WHERE removed_at IS NULL");
  assert_true(pd_e2e_sql(&E, sql));
  int64_t era = pd_e2e_sqlf(&E,
                            "WITH a AS (INSERT INTO artists (name) VALUES ('%s') RETURNING id)"
                            " INSERT INTO eras (artist_id, name, start_date) SELECT id, 'Stock',"
                            " '2020-01-01' FROM a RETURNING id",
                            artist);
  assert_true(era > 0);
  assert_true(pd_e2e_sqlf(&E,
                          "WITH i AS (INSERT INTO era_images (era_id, source_url, storage_url,"
                          " kind, width, height, phash) SELECT %lld, 'http://127.0.0.1:1/%s/' || n,"
                          " 'art/stocktest.png', 'concert', 900, 1260, lpad(to_hex(n), 16, '0')"
                          " FROM generate_series(1, %d) n RETURNING id)"
                          " SELECT count(*) FROM i",
                          (long long)era, artist, cards + unused) == cards + unused);
  /* The first `cards` images carry the cards. */
  assert_true(pd_e2e_sqlf(&E,
                          "WITH i AS (SELECT id, row_number() OVER (ORDER BY id) AS k FROM"
                          " era_images WHERE era_id = %lld ORDER BY id LIMIT %d),"
                          " c AS (INSERT INTO card_templates (public_id, artist_id, era_id, rarity,"
                          " image_url, source_image_id) SELECT 'STCK_' || upper(left('%s', 1)) ||"
                          " 'S#' || lpad(k::text, 2, '0'), (SELECT artist_id FROM eras WHERE id ="
                          " %lld), %lld, 'common', 'http://127.0.0.1:1/cards/x.png', id FROM i"
                          " RETURNING id) SELECT count(*) FROM c",
                          (long long)era, cards, artist, (long long)era, (long long)era) == cards);
  return era;
}

static void restore_catalog(void)
{
  assert_true(pd_e2e_sql(&E, "UPDATE card_templates SET removed_at = NULL WHERE removed_at ="
                             " '1999-01-01'"));
}

/* One /draw by user; the reply is deferred and its follow-up comes through the Discord double. */
static void draw_as(const char *user)
{
  json_t *ix = pd_e2e_command("draw", user), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 5);
  json_decref(reply);
  json_decref(ix);
}

/* Waits up to 60 s for every card the draws made to be drawn by the worker. */
static bool all_drawn(void)
{
  for (int i = 0; i < 600; i++) {
    if (pd_e2e_sql_int(&E, "SELECT count(*) FROM card_templates WHERE image_rev = 0") == 0)
      return true;
    usleep(100 * 1000);
  }
  return false;
}

static void test_draw_creates_cards_when_stock_is_low(void **state)
{
  /* One card in the era, min_stock_per_rarity 5 (assets/rarity.json): a draw creates while the
   * era has fewer than five cards of its rarity drawn.  Each created card counts once the
   * worker has drawn it, so the first four draws create whatever the worker's pace. */
  int64_t era = stock_era("Lowstock", 1, 10);
  start(NULL);
  const char *users[] = {"700000000000000501", "700000000000000502", "700000000000000503",
                         "700000000000000504"};
  for (size_t i = 0; i < 4; i++) {
    json_t *ix = pd_e2e_command("draw", users[i]), *reply = NULL;
    const char *token = json_string_value(json_object_get(ix, "token"));
    assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
    json_decref(reply);
    /* The reply goes out once its new card is drawn, showing that card's file. */
    json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 20000);
    assert_non_null(reqs);
    json_t *embed = json_array_get(
        json_object_get(json_object_get(json_array_get(reqs, 0), "json"), "embeds"), 0);
    const char *url = json_string_value(json_object_get(json_object_get(embed, "image"), "url"));
    assert_non_null(url);
    char pid[32], want[64];
    pd_e2e_sql_text(&E,
                    "SELECT t.public_id FROM user_cards c JOIN card_templates t ON t.id ="
                    " c.template_id JOIN users u ON u.id = c.user_id WHERE c.source = 'draw'"
                    " ORDER BY c.id DESC LIMIT 1",
                    pid, sizeof(pid));
    assert_int_equal(strncmp(pid, "LOWS_ST#", 8), 0);
    snprintf(want, sizeof(want), "/cards/LOWS_ST-%s.png", pid + 8);
    if (strstr(url, want) == NULL)
      fail_msg("draw %zu shows %s, not the new card %s", i + 1, url, pid);
    struct pd_http_reply r;
    assert_int_equal(pd_e2e_get(&E, 0, strstr(url, "/cards/"), &r), 200);
    pd_http_reply_free(&r);
    json_decref(reqs);
    json_decref(ix);
  }
  /* Four new common cards of the era, each from its own unused photo, drawn (revision 1). */
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM card_templates WHERE era_id = %lld AND"
                               " rarity = 'common' AND image_rev = 1 AND public_id LIKE 'LOWS%%'",
                               (long long)era),
                   4);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(DISTINCT source_image_id) FROM card_templates WHERE"
                               " era_id = %lld",
                               (long long)era),
                   5);
  stop();
  restore_catalog();
}

/* A pack whose three cards land in an era short of stock: three new cards, each from its own
 * photo, all drawn before the pack message goes out, and the pick mints the chosen one. */
static void test_pack_creates_cards_before_its_message(void **state)
{
  int64_t era = stock_era("Packstock", 1, 10);
  start(NULL);
  const char *user = "700000000000000551";
  json_t *ix = pd_e2e_command("openpack", user), *reply = NULL;
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(reply);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 20000);
  assert_non_null(reqs);
  json_decref(reqs);
  /* When the message went out, every card the pack made was drawn already. */
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM card_templates WHERE era_id = %lld AND"
                               " image_rev = 1 AND public_id LIKE 'PACK%%'",
                               (long long)era),
                   3);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM pack_opens p, unnest(p.template_ids) AS x(id)"
                               " JOIN card_templates t ON t.id = x.id WHERE t.public_id LIKE"
                               " 'PACK%%' AND p.user_id = (SELECT id FROM users WHERE discord_id"
                               " = '%s')",
                               user),
                   3);
  int64_t pack = pd_e2e_sqlf(&E,
                             "SELECT max(id) FROM pack_opens WHERE user_id = (SELECT id FROM"
                             " users WHERE discord_id = '%s')",
                             user);
  char custom[64];
  snprintf(custom, sizeof(custom), "pick:%lld:1", (long long)pack);
  json_decref(ix);
  ix = pd_e2e_button(custom, user);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 7);
  json_decref(reply);
  json_decref(ix);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM user_cards c JOIN card_templates t ON t.id ="
                               " c.template_id WHERE t.public_id LIKE 'PACK%%' AND c.print_no = 1"),
                   1);
  stop();
  restore_catalog();
}

static void test_draw_reuses_when_no_unused_image(void **state)
{
  /* Stock is low, but there is no unused photo to make a card from: the draw reuses. */
  int64_t era = stock_era("Nophoto", 1, 0);
  start(NULL);
  for (int i = 0; i < 3; i++) {
    char user[32];
    snprintf(user, sizeof(user), "7000000000000006%02d", i);
    draw_as(user);
  }
  assert_true(all_drawn());
  assert_int_equal(
      pd_e2e_sqlf(&E, "SELECT count(*) FROM card_templates WHERE era_id = %lld", (long long)era),
      1);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT copies_created FROM card_templates WHERE era_id = %lld",
                               (long long)era),
                   3);
  stop();
  restore_catalog();
}

/* With five cards (min_stock_per_rarity) a draw reuses with chance reuse_bias and creates
 * otherwise.  N draws: creates C ~ Binomial(N, 1 - p).  Pearson's chi-square with one degree of
 * freedom, (R - Np)^2 / Np + (C - N(1-p))^2 / N(1-p), exceeds 10.83 with probability 0.001 when
 * the draws follow reuse_bias: the test fails by chance once in a thousand runs.  A draw that
 * always reused or always created gives about 86 or 200 here. */
#define CHI_DRAWS 200
#define CHI_CRITICAL 10.83
static void test_reuse_rate_follows_reuse_bias(void **state)
{
  json_t *cfg = json_load_file("assets/rarity.json", 0, NULL);
  assert_non_null(cfg);
  double p = json_number_value(json_object_get(json_object_get(cfg, "reuse"), "reuse_bias"));
  int64_t min_stock =
      json_integer_value(json_object_get(json_object_get(cfg, "reuse"), "min_stock_per_rarity"));
  json_decref(cfg);
  assert_true(p > 0 && p < 1);
  /* Photos for every create with a wide margin (C > 120 has a chance under 1e-40). */
  int64_t era = stock_era("Chisquare", (int)min_stock, 130);
  start(NULL);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < CHI_DRAWS; i++) {
    char user[32];
    snprintf(user, sizeof(user), "70000000000001%04d", i);
    draw_as(user);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  /* What a draw's answer costs with the stock lookups (the drawing itself is the worker's). */
  print_message("%d /draw interactions answered in %.0f ms on average\n", CHI_DRAWS,
                ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) /
                    CHI_DRAWS);
  assert_true(all_drawn());
  int64_t created =
      pd_e2e_sqlf(&E, "SELECT count(*) FROM card_templates WHERE era_id = %lld", (long long)era) -
      min_stock;
  int64_t reused = CHI_DRAWS - created;
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM user_cards c JOIN card_templates t ON t.id ="
                               " c.template_id WHERE t.era_id = %lld AND c.source = 'draw'",
                               (long long)era),
                   CHI_DRAWS);
  double er = CHI_DRAWS * p, ec = CHI_DRAWS * (1 - p);
  double chi = (reused - er) * (reused - er) / er + (created - ec) * (created - ec) / ec;
  print_message("reuse versus create: %lld reused, %lld created of %d (reuse_bias %.2f),"
                " chi-square %.2f\n",
                (long long)reused, (long long)created, CHI_DRAWS, p, chi);
  if (chi > CHI_CRITICAL)
    fail_msg("%lld reused of %d is off reuse_bias %.2f: chi-square %.2f > %.2f", (long long)reused,
             CHI_DRAWS, p, chi, CHI_CRITICAL);
  stop();
  restore_catalog();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_weekly_sync_off_without_lastfm),
      PD_E2E_TEST(test_weekly_sync_asks_similar_artists_once_per_period),
      PD_E2E_TEST(test_monthly_prune_retires_artists_under_thresholds),
      PD_E2E_TEST(test_stock_refill_stores_photos_without_cards),
      PD_E2E_TEST(test_draw_creates_cards_when_stock_is_low),
      PD_E2E_TEST(test_pack_creates_cards_before_its_message),
      PD_E2E_TEST(test_draw_reuses_when_no_unused_image),
      PD_E2E_TEST(test_reuse_rate_follows_reuse_bias),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
