/* serve.c - `popdeck serve`: start, serve until SIGTERM, then drain and exit 0. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "admin_jobs.h"
#include "app.h"
#include "cli.h"
#include "control.h"
#include "entitlements.h"
#include "http.h"
#include "log.h"
#include "migrate.h"
#include "render.h"
#include "scheduler.h"
#include "worker.h"

#define PACK_CARD_W 240        /* each back in a pack image */
#define DRAIN_LIMIT_US 8000000 /* leave room inside the 10 s a supervisor gives us */

static void drain(struct pd_app *app)
{
  int64_t until = pd_now_us() + DRAIN_LIMIT_US;
  while (atomic_load(&app->inflight) > 0 && pd_now_us() < until) {
    struct timespec t = {0, 10 * 1000000};
    nanosleep(&t, NULL);
  }
}

/* assets/packs.json and assets/missions.json, checked now rather than on the first /openpack, and
 * the card backs every pack message shows, drawn once. */
static enum pd_result load_game(struct pd_app *app)
{
  char path[1024], err[512];
  struct pd_renderer *r = NULL;
  gdImagePtr back = NULL;
  snprintf(path, sizeof(path), "%s/packs.json", app->cfg.assets_dir);
  enum pd_result rc = pd_game_config_load(path, &app->game, err, sizeof(err));
  if (rc == PD_OK) {
    snprintf(path, sizeof(path), "%s/missions.json", app->cfg.assets_dir);
    rc = pd_missions_load(path, &app->missions, err, sizeof(err));
  }
  if (rc != PD_OK) {
    fprintf(stderr, "%s\n", err);
    return rc;
  }
  snprintf(path, sizeof(path), "%s/rarity.json", app->cfg.assets_dir);
  rc = pd_rarity_config_load(path, &app->rarity, err, sizeof(err));
  if (rc != PD_OK) {
    fprintf(stderr, "%s\n", err);
    return rc;
  }
  rc = pd_renderer_new(app->cfg.assets_dir, &r, err, sizeof(err));
  if (rc == PD_OK)
    rc = pd_render_back(r, &back);
  for (int n = 1; rc == PD_OK && n <= PD_PACK_MAX_SIZE; n++) {
    gdImagePtr cards[PD_PACK_MAX_SIZE], strip = NULL;
    for (int i = 0; i < n; i++)
      cards[i] = back;
    rc = pd_render_strip(cards, (size_t)n, PACK_CARD_W, &strip);
    if (rc == PD_OK)
      rc = pd_render_png(strip, 6, &app->pack_backs[n], &app->pack_backs_len[n]);
    if (strip != NULL)
      gdImageDestroy(strip);
  }
  if (rc != PD_OK)
    fprintf(stderr, "cannot draw the card backs (ASSETS_DIR=%s): %s\n", app->cfg.assets_dir, err);
  if (back != NULL)
    gdImageDestroy(back);
  pd_renderer_free(r);
  return rc;
}

int pd_cli_serve(int argc, char **argv)
{
  struct pd_app app = {0};
  struct pd_http *http = NULL;
  struct pd_workers *workers = NULL;
  struct pd_control *control = NULL;
  struct pd_admin_jobs *admin_jobs = NULL;
  struct pd_scheduler *scheduler = NULL;
  char err[512];
  int port = 0, sig = 0, rc = 1;

  if (argc > 1) {
    fprintf(stderr, "usage: popdeck serve\n");
    return 2;
  }
  if (!pd_cli_config(PD_NEED_DB | PD_NEED_PUBLIC_KEY | PD_NEED_APP_ID, &app.cfg))
    return 2;
  if (pd_scheduler_check(&app.cfg) != PD_OK) {
    pd_config_free(&app.cfg);
    return 2;
  }
  pthread_rwlock_init(&app.admins_lock, NULL);
  if (pd_admins_load(app.cfg.admin_file, &app.admins, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "ADMIN_FILE: %s\n", err[0] ? err : "cannot read it");
    rc = 2;
    goto out;
  }
  if (pd_migrate_latest(app.cfg.sql_dir, &app.latest_migration) != PD_OK) {
    fprintf(stderr, "SQL_DIR: cannot read migrations in \"%s\"\n", app.cfg.sql_dir);
    rc = 2;
    goto out;
  }
  if (load_game(&app) != PD_OK) {
    rc = 2;
    goto out;
  }
  if (pd_db_pool_new(app.cfg.database_url, app.cfg.db_pool_size, &app.pool) != PD_OK)
    goto out;

  /* Every thread started from here on inherits this mask; only sigwait below takes them. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL);

  enum pd_result hrc = pd_http_start(&app, &http, &port);
  if (hrc != PD_OK) {
    rc = hrc == PD_E_INVALID ? 2 : 1; /* a malformed address is a configuration error */
    goto out;
  }
  if (pd_workers_start(&app, app.cfg.followup_workers, &workers) != PD_OK ||
      pd_control_start(&app, &control) != PD_OK ||
      pd_admin_jobs_start(&app, &admin_jobs) != PD_OK ||
      pd_scheduler_start(&app, &scheduler) != PD_OK)
    goto out;
  json_t *f = json_pack("{s:s, s:i, s:i, s:i, s:i}", "host", app.cfg.listen_host, "port", port,
                        "http_threads", app.cfg.http_threads, "followup_workers",
                        app.cfg.followup_workers, "admin_job_workers", app.cfg.admin_job_workers);
  if (app.cfg.ops_host != NULL) {
    json_object_set_new(f, "ops_host", json_string(app.cfg.ops_host));
    json_object_set_new(f, "ops_port", json_integer(pd_http_ops_port(http)));
  }
  pd_log("info", "listening", f);

  /* SIGHUP re-reads ADMIN_FILE; SIGTERM, SIGINT (or a shutdown notice, control.c) stop. */
  while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
    pd_app_admins_reload(&app);
  pd_log("info", "stopping", json_pack("{s:s}", "signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"));
  atomic_store(&app.stopping, true);
  /* A running job stops at its next progress report and goes back to the queue. */
  pd_admin_jobs_quiesce(admin_jobs);
  pd_http_quiesce(http);
  drain(&app);
  rc = 0;
out:
  pd_http_stop(http);
  pd_control_stop(control);
  pd_admin_jobs_stop(admin_jobs);
  pd_scheduler_stop(scheduler);
  pd_workers_stop(workers);
  pd_db_pool_free(app.pool);
  pd_admins_free(&app.admins);
  pthread_rwlock_destroy(&app.admins_lock);
  pd_game_config_free(app.game);
  pd_missions_free(app.missions);
  pd_rarity_config_free(app.rarity);
  for (int n = 0; n <= PD_PACK_MAX_SIZE; n++)
    free(app.pack_backs[n]);
  pd_config_free(&app.cfg);
  if (rc == 0)
    pd_log("info", "stopped", NULL);
  return rc;
}
