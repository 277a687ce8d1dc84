/* db_shop.c - statements for the shop (see db_shop.h). */
#include "db_shop.h"

#include <inttypes.h>
#include <stdio.h>

#include "db_areas.h"

const struct pd_db_stmt pd_db_shop_stmts[] = {
    {"shop_free_used", "SELECT used FROM free_allotments WHERE user_id = $1 AND what = $2"
                       " AND day = (pd_now() AT TIME ZONE 'UTC')::date"},
    {NULL, NULL},
};

enum pd_result pd_db_free_used(struct pd_db *db, int64_t user_id, const char *what, int *used)
{
  char u[24];
  PGresult *r = NULL;
  snprintf(u, sizeof(u), "%" PRId64, user_id);
  const char *params[2] = {u, what};
  enum pd_result rc = pd_db_exec(db, "shop_free_used", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  *used = PQntuples(r) == 1 ? (int)pd_db_int(r, 0, 0) : 0;
  PQclear(r);
  return PD_OK;
}
