/* admin_owner.c - the owners' operations on the whole deployment: shutdown (every instance
 * stops gracefully, through a database notice) and clear_db (drop and re-migrate the schema,
 * only where the server was started with ALLOW_CLEAR_DB=1). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin_ops.h"
#include "db_admin.h"
#include "db_admin_clear.h"
#include "migrate.h"

enum pd_result pd_admin_shutdown(struct pd_admin_call *c)
{
  snprintf(c->target, sizeof(c->target), "every instance");
  /* Delivered when this transaction commits, to every instance listening (control.c). */
  enum pd_result rc = c->preview ? PD_OK : pd_db_admin_notify_shutdown(c->db);
  if (rc != PD_OK)
    return rc;
  pd_admin_result(c, "Every PopDeck instance on this database is stopping gracefully: each "
                     "finishes the requests it has, then exits. Your supervisor starts them "
                     "again, or they stay stopped.");
  return PD_OK;
}

/* The schema is dropped and built again in the operation's own transaction: the runner's audit
 * row, written after this returns, lands in the new admin_audit, and a failure anywhere (a file
 * that does not apply, a lock not granted in time) leaves the database exactly as it was. */
enum pd_result pd_admin_clear_db(struct pd_admin_call *c)
{
  const struct pd_config *cfg = c->env->cfg;
  struct pd_db_clear_counts n;
  int applied = 0, made = 0;
  snprintf(c->target, sizeof(c->target), "the whole database");
  if (!cfg->allow_clear_db)
    return pd_admin_refuse(c, 409, "clear_db_disabled",
                           "clear_db is off on this server. Start it with ALLOW_CLEAR_DB=1 to "
                           "allow it (a test or staging deployment, never production).");
  enum pd_result rc = pd_db_admin_clear_counts(c->db, &n);
  if (rc != PD_OK)
    return rc;
  json_t *counts = json_pack("{s:I, s:I, s:I}", "players", (json_int_t)n.players, "copies",
                             (json_int_t)n.copies, "ledger_rows", (json_int_t)n.ledger_rows);
  if (counts == NULL)
    return PD_E_NOMEM;
  if (c->preview) {
    pd_admin_result(c,
                    "This deletes EVERYTHING: %" PRId64 " players, %" PRId64 " copies, %" PRId64
                    " ledger rows, the catalog, the audit log; then the schema is migrated again "
                    "from SQL_DIR.",
                    n.players, n.copies, n.ledger_rows);
    json_object_update(c->result, counts);
    json_decref(counts);
    return PD_OK;
  }
  c->before = counts;
  rc = pd_db_exec_sql(c->db, "DROP SCHEMA public CASCADE");
  if (rc == PD_OK)
    rc = pd_db_exec_sql(c->db, "CREATE SCHEMA public");
  if (rc == PD_OK)
    rc = pd_migrate_all_in_tx(c->db, cfg->sql_dir, &applied);
  if (rc == PD_OK)
    rc = pd_migrate_partitions(c->db, PD_LEDGER_MONTHS_AHEAD, &made);
  if (rc != PD_OK)
    return rc;
  c->after = json_pack("{s:i, s:i}", "migrations", applied, "ledger_partitions", made);
  pd_admin_result(c,
                  "The database was cleared: %" PRId64 " players, %" PRId64 " copies and %" PRId64
                  " ledger rows are gone, and %d migrations were applied again.",
                  n.players, n.copies, n.ledger_rows, applied);
  json_object_update(c->result, c->before);
  json_object_set_new(c->result, "migrations", json_integer(applied));
  return PD_OK;
}
