/* db_ratelimit.h - the per-player command limit, shared by every instance through PostgreSQL
 * (see sql/008_rate_limits.sql). */
#ifndef PD_DB_RATELIMIT_H
#define PD_DB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Counts one command for discord_id unless max were counted in the last window_s seconds.
 * *allowed says whether it was counted; when not, *retry_at (Unix seconds, rounded up) is
 * when one more will be.  Runs as its own statement (autocommit), outside any handler. */
enum pd_result pd_db_rate_take(struct pd_db *db, const char *discord_id, int max, int window_s,
                               bool *allowed, int64_t *retry_at);

#endif
