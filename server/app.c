/* app.c - what every part of a running server shares and may change while it runs: the admin
 * list, which SIGHUP re-reads while requests read it. */
#include "app.h"

#include "admin.h"
#include "log.h"

enum pd_result pd_app_admin_role(struct pd_app *app, struct pd_db *db, const char *discord_id,
                                 bool *admin, bool *owner)
{
  pthread_rwlock_rdlock(&app->admins_lock);
  *owner = pd_admins_is_owner(&app->admins, discord_id);
  enum pd_result rc = pd_admin_is_admin(db, &app->admins, discord_id, admin);
  pthread_rwlock_unlock(&app->admins_lock);
  return rc;
}

void pd_app_admins_reload(struct pd_app *app)
{
  struct pd_admins fresh;
  char err[512];
  if (pd_admins_load(app->cfg.admin_file, &fresh, err, sizeof(err)) != PD_OK) {
    pd_log("error", "ADMIN_FILE not reloaded; the admins stay as they were",
           json_pack("{s:s}", "reason", err[0] != '\0' ? err : "cannot read it"));
    return;
  }
  pthread_rwlock_wrlock(&app->admins_lock);
  struct pd_admins old = app->admins;
  app->admins = fresh;
  pthread_rwlock_unlock(&app->admins_lock);
  pd_admins_free(&old);
  pd_log("info", "ADMIN_FILE reloaded",
         json_pack("{s:i, s:i}", "admins", (int)fresh.n, "owners", (int)fresh.nowners));
}
