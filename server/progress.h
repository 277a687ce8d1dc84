/* progress.h - what the actions tell missions and achievements, inside their own transaction
 * (one call per action: a rollback or a retry of the action takes its count with it), and the
 * /missions command with its Claim buttons (cmd_missions.c). */
#ifndef PD_SERVER_PROGRESS_H
#define PD_SERVER_PROGRESS_H

#include <stdint.h>

#include "app.h"
#include "db.h"
#include "missions.h"

/* The player did kind (not login_streak) n times: today's and the lifetime count, and the
 * achievements of that count (trades, era_complete) unlocked and paid.  Without a missions
 * config (app->missions NULL) it does nothing. */
enum pd_result pd_missions_record(struct pd_app *app, struct pd_db *db, int64_t user_id,
                                  enum pd_mission_kind kind, int64_t n);
/* Copy copy_id just became user_id's (minted, bought, traded): first mythic, cards owned,
 * and whether it completes its era (an era_complete count). */
enum pd_result pd_missions_gained(struct pd_app *app, struct pd_db *db, int64_t user_id,
                                  int64_t copy_id);
/* A sale on the market: the buyer's market_buy and the copy gained, the seller's
 * market_sell. */
enum pd_result pd_missions_sale(struct pd_app *app, struct pd_db *db, int64_t buyer, int64_t seller,
                                int64_t copy_id);
/* The player used a command: today joins their login streak, and streak achievements unlock.
 * Outside a transaction (a command that does not write) it opens its own until deadline_us. */
enum pd_result pd_missions_login(struct pd_app *app, struct pd_db *db, int64_t user_id,
                                 int64_t deadline_us);

#endif
