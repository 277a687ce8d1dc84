/* db_areas.h - the list of every area's prepared-statement table (see db.h). */
#ifndef PD_DB_AREAS_H
#define PD_DB_AREAS_H

#include "db.h"

/* NULL-terminated; each entry is a NULL-terminated statement table. */
extern const struct pd_db_stmt *const pd_db_areas[];

extern const struct pd_db_stmt pd_db_users_stmts[];
extern const struct pd_db_stmt pd_db_jobs_stmts[];
extern const struct pd_db_stmt pd_db_catalog_stmts[];
extern const struct pd_db_stmt pd_db_packs_stmts[];
extern const struct pd_db_stmt pd_db_collection_stmts[];
extern const struct pd_db_stmt pd_db_ratelimit_stmts[];
extern const struct pd_db_stmt pd_db_ledger_stmts[];
extern const struct pd_db_stmt pd_db_copies_stmts[];
/* gifts: burns, gifts and their caps, farming flags, data transfers */
extern const struct pd_db_stmt pd_db_burns_stmts[];
extern const struct pd_db_stmt pd_db_gifts_stmts[];
extern const struct pd_db_stmt pd_db_flags_stmts[];
extern const struct pd_db_stmt pd_db_shop_stmts[];
extern const struct pd_db_stmt pd_db_transfer_stmts[];
extern const struct pd_db_stmt pd_db_market_stmts[];
extern const struct pd_db_stmt pd_db_trades_stmts[];
extern const struct pd_db_stmt pd_db_audit_stmts[];
/* admin: the runner (db_admin.c) */
extern const struct pd_db_stmt pd_db_admin_stmts[];
/* admin: players (db_admin_players.c) and events (db_admin_events.c) */
extern const struct pd_db_stmt pd_db_admin_players_stmts[];
extern const struct pd_db_stmt pd_db_admin_events_stmts[];
/* admin: clear_db (db_admin_clear.c) */
extern const struct pd_db_stmt pd_db_admin_clear_stmts[];
/* admin: background jobs (db_admin_jobs.c) */
extern const struct pd_db_stmt pd_db_admin_jobs_stmts[];
/* admin: the card operations (db_admin_cards.c) */
extern const struct pd_db_stmt pd_db_admin_cards_stmts[];
/* payments */
extern const struct pd_db_stmt pd_db_payments_stmts[];
/* payments: Discord's entitlements (db_entitlements.c) */
extern const struct pd_db_stmt pd_db_entitlements_stmts[];
/* the scheduler and the clock (db_scheduler.c) */
extern const struct pd_db_stmt pd_db_scheduler_stmts[];
/* missions and achievements (db_missions.c) */
extern const struct pd_db_stmt pd_db_missions_stmts[];
/* leaderboards and the servers players play in (db_leaderboard.c) */
extern const struct pd_db_stmt pd_db_leaderboard_stmts[];
/* live ops: events for players and their settlement (db_events.c), wishlists (db_wishlist.c) */
extern const struct pd_db_stmt pd_db_events_stmts[];
extern const struct pd_db_stmt pd_db_wishlist_stmts[];
/* the catalog's tasks and reuse versus create (db_catalog_tasks.c) */
extern const struct pd_db_stmt pd_db_catalog_tasks_stmts[];

#endif
