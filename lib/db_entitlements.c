/* db_entitlements.c - statements for Discord's entitlements (see db_entitlements.h). */
#include "db_entitlements.h"

#include <stdio.h>

#include "db_areas.h"

/* The advisory lock key of the reconcile: any constant no other lock of ours uses ("PDENTREC"). */
#define RECONCILE_LOCK "5063504445725243"

const struct pd_db_stmt pd_db_entitlements_stmts[] = {
    {"ent_state", "SELECT state FROM payments WHERE provider = 'discord' AND provider_id = $1"},
    {"ent_lock", "SELECT pg_try_advisory_lock(" RECONCILE_LOCK ")"},
    {"ent_unlock", "SELECT pg_advisory_unlock(" RECONCILE_LOCK ")"},
    {NULL, NULL},
};

enum pd_result pd_db_ent_state(struct pd_db *db, const char *entitlement_id, char *state,
                               size_t cap)
{
  PGresult *r = NULL;
  const char *params[1] = {entitlement_id};
  enum pd_result rc = pd_db_exec(db, "ent_state", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  snprintf(state, cap, "%s", PQntuples(r) == 1 ? pd_db_val(r, 0, 0) : "");
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_ent_lock(struct pd_db *db, bool *got)
{
  PGresult *r = NULL;
  *got = false;
  enum pd_result rc = pd_db_exec(db, "ent_lock", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  *got = pd_db_bool(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_db_ent_unlock(struct pd_db *db)
{
  return pd_db_exec(db, "ent_unlock", 0, NULL, NULL);
}
