/* db_shop.h - what the shop reads: how many of today's free opens a player has used. */
#ifndef PD_DB_SHOP_H
#define PD_DB_SHOP_H

#include <stdint.h>

#include "db.h"

/* Today's (UTC) used free allotments of what ("pack:standard-3"), 0 when none. */
enum pd_result pd_db_free_used(struct pd_db *db, int64_t user_id, const char *what, int *used);

#endif
