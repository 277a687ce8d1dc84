/* app.h - what a running `popdeck serve` holds: configuration, the database pool, the
 * admin list.  Nothing here is state that differs between instances in a way that matters. */
#ifndef PD_APP_H
#define PD_APP_H

#include <stdatomic.h>
#include <stdbool.h>

#include "admins.h"
#include "config.h"
#include "db.h"
#include "packs.h"

struct pd_app {
  struct pd_config cfg;
  struct pd_db_pool *pool;
  struct pd_admins admins;
  int latest_migration;        /* the newest file in SQL_DIR: /readyz wants the database there */
  struct pd_game_config *game; /* assets/packs.json */
  /* Pack messages show n card backs side by side: drawn once at start, PNG. */
  void *pack_backs[PD_PACK_MAX_SIZE + 1];
  size_t pack_backs_len[PD_PACK_MAX_SIZE + 1];
  atomic_int inflight; /* requests being answered, for a clean SIGTERM */
  atomic_bool stopping;
};

#endif
