/* db_areas.c - every area's statements, prepared on each new connection. */
#include "db_areas.h"

const struct pd_db_stmt *const pd_db_areas[] = {
    pd_db_users_stmts,
    pd_db_jobs_stmts,
    pd_db_catalog_stmts,
    pd_db_packs_stmts,
    pd_db_collection_stmts,
    pd_db_ratelimit_stmts,
    pd_db_ledger_stmts,
    pd_db_copies_stmts,
    /* gifts */
    pd_db_burns_stmts,
    pd_db_gifts_stmts,
    pd_db_flags_stmts,
    pd_db_shop_stmts,
    pd_db_transfer_stmts,
    /* market */
    pd_db_market_stmts,
    /* trade */
    pd_db_trades_stmts,
    /* audit */
    pd_db_audit_stmts,
    /* admin */
    pd_db_admin_stmts,
    /* admin: players and events */
    pd_db_admin_players_stmts,
    pd_db_admin_events_stmts,
    /* admin: clear_db */
    pd_db_admin_clear_stmts,
    /* admin: background jobs */
    pd_db_admin_jobs_stmts,
    pd_db_admin_cards_stmts,
    /* payments */
    pd_db_payments_stmts,
    /* payments: Discord's entitlements */
    pd_db_entitlements_stmts,
    pd_db_scheduler_stmts,
    /* missions and achievements */
    pd_db_missions_stmts,
    pd_db_leaderboard_stmts,
    /* live ops */
    pd_db_events_stmts,
    pd_db_wishlist_stmts,
    pd_db_catalog_tasks_stmts,
    NULL,
};
