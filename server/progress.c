/* progress.c - the counts behind missions and the unlocks of achievements, written in the
 * transaction of the action that earned them (see progress.h). */
#include "progress.h"

#include <jansson.h>
#include <libpq-fe.h>

#include "db_ledger.h"
#include "db_missions.h"
#include "rarity.h"

#define UNLOCK_MAX 64

/* Unlocks every achievement of kind whose threshold value reaches, that the player does not
 * have yet, and pays each new one's reward from the rewards account (its own operation). */
static enum pd_result unlock(struct pd_app *app, struct pd_db *db, int64_t user_id,
                             enum pd_achievement_kind kind, int64_t value)
{
  const struct pd_missions *m = app->missions;
  const struct pd_achievement *due[UNLOCK_MAX];
  const char *ids[UNLOCK_MAX];
  bool fresh[UNLOCK_MAX];
  size_t n = 0;
  for (size_t i = 0; i < m->nachievements && n < UNLOCK_MAX; i++)
    if (m->achievements[i].kind == kind && m->achievements[i].n <= value) {
      due[n] = &m->achievements[i];
      ids[n++] = m->achievements[i].id;
    }
  if (n == 0)
    return PD_OK;
  enum pd_result rc = pd_db_missions_unlock(db, user_id, ids, n, fresh);
  for (size_t i = 0; rc == PD_OK && i < n; i++) {
    if (!fresh[i] || due[i]->reward.amount <= 0)
      continue;
    int64_t op = 0;
    json_t *meta = json_pack("{s:s}", "achievement", due[i]->id);
    rc = meta != NULL ? pd_ledger_op_new(db, &op) : PD_E_NOMEM;
    if (rc == PD_OK)
      rc = pd_ledger_move(db, op, "achievement", PD_GAME_ACCT(PD_ACCT_REWARDS),
                          PD_PLAYER_ACCT(user_id), due[i]->reward.currency, due[i]->reward.amount,
                          meta, NULL, NULL);
    json_decref(meta);
  }
  return rc;
}

static enum pd_result record(struct pd_app *app, struct pd_db *db, int64_t user_id,
                             const char *kind, int64_t n, int ak)
{
  int64_t total = 0;
  enum pd_result rc = pd_db_missions_record(db, user_id, kind, n, &total);
  if (rc == PD_OK && ak >= 0)
    rc = unlock(app, db, user_id, (enum pd_achievement_kind)ak, total);
  return rc;
}

enum pd_result pd_missions_record(struct pd_app *app, struct pd_db *db, int64_t user_id,
                                  enum pd_mission_kind kind, int64_t n)
{
  if (app->missions == NULL || kind == PD_MK_LOGIN_STREAK || n <= 0)
    return PD_OK;
  int ak = kind == PD_MK_TRADES         ? PD_AK_TRADES
           : kind == PD_MK_ERA_COMPLETE ? PD_AK_ERA_COMPLETE
                                        : -1;
  return record(app, db, user_id, pd_mission_kind_name(kind), n, ak);
}

enum pd_result pd_missions_gained(struct pd_app *app, struct pd_db *db, int64_t user_id,
                                  int64_t copy_id)
{
  struct pd_gain g;
  if (app->missions == NULL)
    return PD_OK;
  enum pd_result rc = pd_db_missions_gain(db, user_id, copy_id, &g);
  if (rc == PD_OK && g.rarity == PD_RARITY_MYTHIC)
    rc = record(app, db, user_id, "mythic", 1, PD_AK_MYTHIC);
  if (rc == PD_OK && g.completes_era)
    rc = pd_missions_record(app, db, user_id, PD_MK_ERA_COMPLETE, 1);
  if (rc == PD_OK)
    rc = unlock(app, db, user_id, PD_AK_CARDS, g.owned);
  return rc;
}

enum pd_result pd_missions_sale(struct pd_app *app, struct pd_db *db, int64_t buyer, int64_t seller,
                                int64_t copy_id)
{
  enum pd_result rc = pd_missions_record(app, db, buyer, PD_MK_MARKET_BUY, 1);
  if (rc == PD_OK)
    rc = pd_missions_record(app, db, seller, PD_MK_MARKET_SELL, 1);
  if (rc == PD_OK)
    rc = pd_missions_gained(app, db, buyer, copy_id);
  return rc;
}

struct login {
  struct pd_app *app;
  int64_t user_id;
};

static enum pd_result login_tx(struct pd_db *db, void *arg)
{
  struct login *l = arg;
  int64_t days = 0;
  enum pd_result rc = pd_db_missions_login(db, l->user_id, &days);
  /* Nothing written when today was already marked: nothing new to unlock either. */
  if (rc == PD_OK && days > 0)
    rc = unlock(l->app, db, l->user_id, PD_AK_LOGIN_STREAK, days);
  return rc;
}

enum pd_result pd_missions_login(struct pd_app *app, struct pd_db *db, int64_t user_id,
                                 int64_t deadline_us)
{
  struct login l = {app, user_id};
  if (app->missions == NULL)
    return PD_OK;
  if (PQtransactionStatus(db->pg) == PQTRANS_INTRANS)
    return login_tx(db, &l);
  return pd_db_tx(db, deadline_us, login_tx, &l);
}
