/* db_flags.h - farming flags for admins: transfers of value that go one way between two
 * accounts (many in a day, or from or to a young account) are recorded in abuse_flags.
 * Nothing is ever refused because of a flag.
 *
 * Every feature that moves value from one player to another without anything coming back
 * (a gift; a sale or a one-sided trade when they want it) calls pd_db_flag_one_way once per
 * transfer, in the transaction that made it. */
#ifndef PD_DB_FLAGS_H
#define PD_DB_FLAGS_H

#include <stdint.h>

#include "db.h"
#include "packs.h"

/* Flag kinds (abuse_flags.kind). */
#define PD_FLAG_ONE_WAY "one_way_transfers"
#define PD_FLAG_YOUNG "young_account"

/* Records a one-way transfer of kind ("gift", "sale", "trade") from -> to as operation op_id,
 * then raises, at most once per pair of accounts a day each: PD_FLAG_ONE_WAY when this makes
 * ec->farm_one_way_per_day or more one-way transfers from -> to within the last day, and
 * PD_FLAG_YOUNG when either account is younger than ec->young_account_days.  *raised (may be
 * NULL) gets how many flags this call raised. */
enum pd_result pd_db_flag_one_way(struct pd_db *db, const struct pd_economy *ec, int64_t from,
                                  int64_t to, int64_t op_id, const char *kind, int *raised);

#endif
