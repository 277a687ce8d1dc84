/* app.h - what a running `popdeck serve` holds: configuration, the database pool, the
 * admin list.  Nothing here is state that differs between instances in a way that matters. */
#ifndef PD_APP_H
#define PD_APP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "admins.h"
#include "missions.h"
#include "config.h"
#include "db.h"
#include "packs.h"

struct pd_app {
  struct pd_config cfg;
  struct pd_db_pool *pool;
  /* ADMIN_FILE, re-read on SIGHUP: read it under admins_lock (pd_app_admin_role). */
  struct pd_admins admins;
  pthread_rwlock_t admins_lock;
  int latest_migration;         /* the newest file in SQL_DIR: /readyz wants the database there */
  struct pd_game_config *game;  /* assets/packs.json */
  struct pd_missions *missions; /* assets/missions.json */
  struct pd_rarity_config *rarity; /* assets/rarity.json: reuse versus create in draws */
  /* Pack messages show n card backs side by side: drawn once at start, PNG. */
  void *pack_backs[PD_PACK_MAX_SIZE + 1];
  size_t pack_backs_len[PD_PACK_MAX_SIZE + 1];
  atomic_int inflight; /* requests being answered, for a clean SIGTERM */
  atomic_bool stopping;
};

/* Whether discord_id is an admin (ADMIN_FILE or the admins table, read through db) and an owner
 * (ADMIN_FILE's "owners"). */
enum pd_result pd_app_admin_role(struct pd_app *app, struct pd_db *db, const char *discord_id,
                                 bool *admin, bool *owner);
/* Re-reads ADMIN_FILE (SIGHUP).  A file that cannot be read or parsed leaves the list as it
 * was, and says why in the log. */
void pd_app_admins_reload(struct pd_app *app);

#endif
