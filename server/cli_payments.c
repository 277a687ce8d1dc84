/* cli_payments.c - `popdeck payments reconcile`: grants every Discord entitlement that was
 * missed (a webhook event never delivered, an interaction never seen) and claws back the
 * deleted consumables that were granted, by paging through Discord's entitlement listing
 * (entitlements.c).  Safe to run at any time and any number of times, next to serve's own
 * periodic run (PAYMENTS_RECONCILE_S): one runs at a time, the others say so and exit. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "cli.h"
#include "entitlements.h"

int pd_cli_payments(int argc, char **argv)
{
  struct pd_app app = {0};
  struct pd_db *db = NULL;
  char path[1024], err[512];
  int rc = 1;
  if (argc != 2 || strcmp(argv[1], "reconcile") != 0) {
    fprintf(stderr, "usage: popdeck payments reconcile\n");
    return 2;
  }
  if (!pd_cli_config(PD_NEED_DB | PD_NEED_APP_ID | PD_NEED_BOT_TOKEN, &app.cfg))
    return 2;
  snprintf(path, sizeof(path), "%s/packs.json", app.cfg.assets_dir);
  if (pd_game_config_load(path, &app.game, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "%s\n", err);
    rc = 2;
    goto out;
  }
  if (app.cfg.npayment_skus == 0) {
    printf("reconcile: PAYMENT_SKUS is empty, nothing to reconcile\n");
    rc = 0;
    goto out;
  }
  if (pd_db_open(app.cfg.database_url, 30000, true, &db, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "reconcile: cannot use DATABASE_URL: %s\n", err);
    goto out;
  }
  bool ran = false;
  int64_t seen = 0, granted = 0, clawed = 0;
  enum pd_result r = pd_ent_reconcile(&app, db, &ran, &seen, &granted, &clawed);
  if (r != PD_OK) {
    fprintf(stderr, "reconcile: %s after %lld entitlements (%lld granted, %lld clawed back)\n",
            pd_result_str(r), (long long)seen, (long long)granted, (long long)clawed);
    goto out;
  }
  if (!ran) {
    printf("reconcile: another reconcile is running; nothing done\n");
  } else {
    printf("reconcile: %lld entitlements seen, %lld granted, %lld clawed back\n", (long long)seen,
           (long long)granted, (long long)clawed);
  }
  rc = 0;
out:
  pd_db_close(db);
  pd_game_config_free(app.game);
  pd_config_free(&app.cfg);
  return rc;
}
