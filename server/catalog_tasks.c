/* catalog_tasks.c - the weekly sync, the monthly prune and the stock refill (see
 * catalog_tasks.h). */
#include "catalog_tasks.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "db_catalog_tasks.h"
#include "ingest.h"
#include "lastfm.h"
#include "log.h"
#include "spotify.h"

#define SYNC_SEEDS 20        /* the most collected artists whose similar ones the sync ingests */
#define PRUNE_BATCH 50       /* artists read at once */
#define LASTFM_GAP_MS 200    /* Last.fm asks for at most five requests a second */
#define REFILL_ERAS 10       /* eras one refill run searches more photos for */
#define REFILL_PER_SEARCH 10 /* Commons results per search: past the 3 an ingest takes */

/* The ingest pipeline's lines go to the log; its progress stops once serve is stopping. */
static void log_line(void *arg, bool error, const char *text)
{
  (void)arg;
  pd_log(error ? "warn" : "info", "catalog task", json_pack("{s:s}", "text", text));
}

static bool keep_going(void *arg, int done, int total, const char *text)
{
  const struct pd_app *app = arg;
  (void)done;
  (void)total;
  (void)text;
  return !atomic_load(&app->stopping);
}

/* A catalog writer on the server's configuration, with its own connection. */
static enum pd_result open_catalog(struct pd_app *app, struct pd_catalog *c, char *detail,
                                   size_t cap)
{
  char err[600];
  memset(c, 0, sizeof(*c));
  c->say = (struct pd_catalog_say){log_line, NULL};
  enum pd_result rc = pd_catalog_open_cfg(c, &app->cfg, err, sizeof(err));
  if (rc != PD_OK)
    snprintf(detail, cap, "%s", err);
  return rc;
}

/* ---- weekly_sync ---- */

bool pd_task_weekly_sync_enabled(const struct pd_app *app)
{
  if (app->cfg.lastfm_api_key == NULL)
    pd_log("info", "scheduler: weekly_sync is off: LASTFM_API_KEY is not set", NULL);
  return app->cfg.lastfm_api_key != NULL;
}

enum pd_result pd_task_weekly_sync(struct pd_app *app, struct pd_db *db,
                                   const struct pd_task_run *r, char *detail, size_t cap)
{
  struct pd_catalog c;
  json_t *seeds = NULL;
  char err[600] = "";
  int skipped = 0;
  (void)r;
  enum pd_result rc = pd_db_most_collected(db, SYNC_SEEDS, &seeds);
  if (rc == PD_OK)
    rc = open_catalog(app, &c, detail, cap);
  else
    snprintf(detail, cap, "the most collected artists: %s", pd_result_str(rc));
  if (rc != PD_OK) {
    json_decref(seeds);
    return rc;
  }
  const struct pd_ingest_report rep = {log_line, keep_going, app};
  /* Nobody owns a card yet: the chart seeds the catalog instead, as /admin sync does. */
  rc = pd_ingest_sync(&c, seeds, &rep, &skipped, err, sizeof(err));
  if (rc == PD_OK)
    snprintf(detail, cap,
             "%zu seeds%s; %d artists and %d eras added, %d images added, %d cards rendered, "
             "%d skipped",
             json_array_size(seeds), json_array_size(seeds) == 0 ? " (the chart instead)" : "",
             c.artists_added, c.eras_added, c.images_added, c.cards_rendered, skipped);
  else
    snprintf(detail, cap, "%s", err);
  pd_catalog_close(&c);
  json_decref(seeds);
  return rc;
}

/* ---- monthly_prune ---- */

static bool by_spotify(const struct pd_config *cfg)
{
  return cfg->prune_min_spotify_popularity > 0 && cfg->spotify_client_id != NULL &&
         cfg->spotify_client_secret != NULL;
}

static bool by_lastfm(const struct pd_config *cfg)
{
  return cfg->prune_min_lastfm_listeners > 0 && cfg->lastfm_api_key != NULL;
}

bool pd_task_monthly_prune_enabled(const struct pd_app *app)
{
  const struct pd_config *cfg = &app->cfg;
  if (cfg->prune_min_spotify_popularity > 0 && !by_spotify(cfg))
    pd_log_error("PRUNE_MIN_SPOTIFY_POPULARITY is set but SPOTIFY_CLIENT_ID and "
                 "SPOTIFY_CLIENT_SECRET are not: the prune does not ask Spotify");
  if (cfg->prune_min_lastfm_listeners > 0 && !by_lastfm(cfg))
    pd_log_error("PRUNE_MIN_LASTFM_LISTENERS is set but LASTFM_API_KEY is not: the prune does not "
                 "ask Last.fm");
  if (!by_spotify(cfg) && !by_lastfm(cfg))
    pd_log("info",
           "scheduler: monthly_prune is off: neither PRUNE_MIN_SPOTIFY_POPULARITY nor "
           "PRUNE_MIN_LASTFM_LISTENERS is set with its source",
           NULL);
  return by_spotify(cfg) || by_lastfm(cfg);
}

static void pause_ms(int ms)
{
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
  nanosleep(&t, NULL);
}

struct prune_one {
  int64_t artist_id;
  json_t *measured;
  const char *why;
  bool changed;
};

static enum pd_result prune_write(struct pd_db *db, void *arg)
{
  struct prune_one *p = arg;
  return pd_db_prune_set(db, p->artist_id, p->measured, p->why, &p->changed);
}

/* Measures one artist and decides.  An artist a source does not know, or could not be asked
 * about, is judged by the other source alone, and not at all when neither answered: a missing
 * number is no evidence of an unpopular artist. */
static enum pd_result prune_artist(struct pd_app *app, struct pd_db *db, struct pd_spotify *sp,
                                   const struct pd_db_prune_artist *a, int *retired, int *back,
                                   int *unmeasured)
{
  const struct pd_config *cfg = &app->cfg;
  char err[512], why[200] = "";
  bool measured = false;
  json_t *m = json_object();
  if (by_spotify(cfg)) {
    struct pd_spotify_artist sa = {0};
    enum pd_result rc = pd_spotify_find_artist(sp, a->name, &sa, err, sizeof(err));
    if (rc == PD_OK) {
      measured = true;
      json_object_set_new(m, "spotify_popularity", json_integer(sa.popularity));
      if (sa.popularity < cfg->prune_min_spotify_popularity)
        snprintf(why, sizeof(why), "Spotify popularity %d, under %d", sa.popularity,
                 cfg->prune_min_spotify_popularity);
    } else if (rc != PD_E_NOTFOUND) {
      pd_log_error("prune: Spotify about %s: %s", a->name, err);
    }
    pd_spotify_artist_free(&sa);
  }
  if (by_lastfm(cfg)) {
    struct pd_lastfm fm = {cfg->lastfm_base, cfg->lastfm_api_key};
    int64_t listeners = 0;
    enum pd_result rc = pd_lastfm_listeners(&fm, a->name, &listeners, err, sizeof(err));
    pause_ms(LASTFM_GAP_MS);
    if (rc == PD_OK) {
      measured = true;
      json_object_set_new(m, "lastfm_listeners", json_integer(listeners));
      if (listeners < cfg->prune_min_lastfm_listeners && why[0] == '\0')
        snprintf(why, sizeof(why), "Last.fm listeners %lld, under %lld", (long long)listeners,
                 (long long)cfg->prune_min_lastfm_listeners);
    } else if (rc != PD_E_NOTFOUND) {
      pd_log_error("prune: Last.fm about %s: %s", a->name, err);
    }
  }
  if (!measured) {
    (*unmeasured)++;
    json_decref(m);
    return PD_OK;
  }
  struct prune_one p = {a->id, m, why[0] != '\0' ? why : NULL, false};
  enum pd_result rc = pd_db_tx(db, pd_now_us() + 5000000, prune_write, &p);
  json_decref(m);
  if (rc == PD_OK && p.changed) {
    pd_log("info", p.why != NULL ? "prune: artist retired" : "prune: artist drawn again",
           json_pack("{s:s, s:s?}", "artist", a->name, "why", p.why));
    *(p.why != NULL ? retired : back) += 1;
  }
  return rc;
}

enum pd_result pd_task_monthly_prune(struct pd_app *app, struct pd_db *db,
                                     const struct pd_task_run *r, char *detail, size_t cap)
{
  struct pd_spotify sp = {app->cfg.spotify_accounts_base,
                          app->cfg.spotify_api_base,
                          app->cfg.spotify_client_id,
                          app->cfg.spotify_client_secret,
                          "",
                          0};
  struct pd_db_prune_artist batch[PRUNE_BATCH];
  int64_t after = 0;
  int checked = 0, retired = 0, back = 0, unmeasured = 0;
  size_t n = 0;
  enum pd_result rc = PD_OK;
  (void)r;
  do {
    rc = pd_db_prune_batch(db, after, batch, PRUNE_BATCH, &n);
    for (size_t i = 0; rc == PD_OK && i < n && !atomic_load(&app->stopping); i++) {
      rc = prune_artist(app, db, &sp, &batch[i], &retired, &back, &unmeasured);
      after = batch[i].id;
      checked++;
    }
  } while (rc == PD_OK && n == PRUNE_BATCH && !atomic_load(&app->stopping));
  snprintf(detail, cap, "%d artists checked: %d retired, %d drawn again, %d not measured%s",
           checked, retired, back, unmeasured, rc != PD_OK ? " (failed)" : "");
  return rc;
}

/* ---- stock_refill ---- */

bool pd_task_stock_refill_enabled(const struct pd_app *app)
{
  if (app->cfg.commons_api_base == NULL)
    pd_log("info", "scheduler: stock_refill is off: COMMONS_API_BASE is not set", NULL);
  return app->cfg.commons_api_base != NULL;
}

static enum pd_result refill_checked(struct pd_db *db, void *arg)
{
  return pd_db_refill_checked(db, *(const int64_t *)arg);
}

enum pd_result pd_task_stock_refill(struct pd_app *app, struct pd_db *db,
                                    const struct pd_task_run *r, char *detail, size_t cap)
{
  struct pd_catalog c;
  struct pd_db_refill_era eras[REFILL_ERAS];
  size_t n = 0, searched = 0;
  int failed = 0;
  (void)r;
  enum pd_result rc = open_catalog(app, &c, detail, cap);
  if (rc != PD_OK)
    return rc;
  rc = pd_db_refill_eras(db, c.rarity->min_stock_per_rarity, eras, REFILL_ERAS, &n);
  const struct pd_ingest_report rep = {log_line, keep_going, app};
  for (size_t i = 0; rc == PD_OK && i < n && !atomic_load(&app->stopping); i++) {
    char err[600];
    /* One era that cannot be refilled (its pictures fail) does not hold up the others. */
    if (pd_ingest_refill(&c, eras[i].artist, eras[i].eras, eras[i].target, REFILL_PER_SEARCH, &rep,
                         err, sizeof(err)) != PD_OK) {
      pd_log_error("refill: %s", err);
      failed++;
    }
    rc = pd_db_tx(db, pd_now_us() + 5000000, refill_checked, &eras[i].era_id);
    searched++;
  }
  for (size_t i = 0; i < n; i++)
    json_decref(eras[i].eras);
  snprintf(detail, cap, "%zu eras short of %lld unused images searched, %d images added, %d failed",
           searched, (long long)c.rarity->min_stock_per_rarity, c.images_added, failed);
  pd_catalog_close(&c);
  return rc;
}
