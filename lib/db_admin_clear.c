/* db_admin_clear.c - statements of clear_db (see db_admin_clear.h). */
#include "db_admin_clear.h"

#include "db_areas.h"

const struct pd_db_stmt pd_db_admin_clear_stmts[] = {
    {"admin_clear_counts", "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM user_cards),"
                           " (SELECT count(*) FROM ledger)"},
    {NULL, NULL},
};

enum pd_result pd_db_admin_clear_counts(struct pd_db *db, struct pd_db_clear_counts *out)
{
  PGresult *res = NULL;
  enum pd_result rc = pd_db_exec(db, "admin_clear_counts", 0, NULL, &res);
  if (rc == PD_OK) {
    out->players = pd_db_int(res, 0, 0);
    out->copies = pd_db_int(res, 0, 1);
    out->ledger_rows = pd_db_int(res, 0, 2);
  }
  PQclear(res);
  return rc;
}
