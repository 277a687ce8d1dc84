/* catalog_tasks.h - the catalog's periodic tasks, each a row of pd_tasks[] (scheduler.c):
 *   weekly_sync    Last.fm's artists similar to the most collected ones, ingested;
 *   monthly_prune  artists under PRUNE_MIN_SPOTIFY_POPULARITY or PRUNE_MIN_LASTFM_LISTENERS
 *                  retired (no longer drawn, copies kept), and back once they are over again;
 *   stock_refill   more photos for eras short of unused images, stored as stock a draw may
 *                  make a new card from (reuse versus create, draw.c).
 * Each runs outside a transaction on the scheduler's connection (see scheduler.h). */
#ifndef PD_CATALOG_TASKS_H
#define PD_CATALOG_TASKS_H

#include "scheduler.h"

bool pd_task_weekly_sync_enabled(const struct pd_app *app);
enum pd_result pd_task_weekly_sync(struct pd_app *app, struct pd_db *db,
                                   const struct pd_task_run *r, char *detail, size_t cap);
bool pd_task_monthly_prune_enabled(const struct pd_app *app);
enum pd_result pd_task_monthly_prune(struct pd_app *app, struct pd_db *db,
                                     const struct pd_task_run *r, char *detail, size_t cap);
bool pd_task_stock_refill_enabled(const struct pd_app *app);
enum pd_result pd_task_stock_refill(struct pd_app *app, struct pd_db *db,
                                    const struct pd_task_run *r, char *detail, size_t cap);

#endif
