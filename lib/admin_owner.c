/* admin_owner.c - the owners' operations on the whole deployment: shutdown (every instance
 * stops gracefully, through a database notice) and clear_db (drop and re-migrate the schema,
 * only where the server was started with ALLOW_CLEAR_DB=1). */
#include <stdio.h>
#include <string.h>

#include "admin_ops.h"
#include "db_admin.h"

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
