/* db_admin_clear.h - what clear_db (admin_owner.c) reads before it drops the schema: the counts
 * its preview shows. */
#ifndef PD_DB_ADMIN_CLEAR_H
#define PD_DB_ADMIN_CLEAR_H

#include <stdint.h>

#include "db.h"

struct pd_db_clear_counts {
  int64_t players, copies, ledger_rows;
};
enum pd_result pd_db_admin_clear_counts(struct pd_db *db, struct pd_db_clear_counts *out);

#endif
