/* db_audit.h - the statements of `popdeck audit` (server/audit.c), run in its one
 * REPEATABLE READ transaction; sql/011_audit.sql holds the checkpoints they read and write.
 * Times are microseconds since the Unix epoch. */
#ifndef PD_DB_AUDIT_H
#define PD_DB_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "audit.h"
#include "db.h"

/* The checkpoint a run starts from; run_id 0 = none (read the whole ledger). */
struct pd_audit_checkpoint {
  int64_t run_id;
  int64_t horizon_us;
  int64_t max_id;
};

/* One audit at a time per database (a session lock, released when the connection closes):
 * *got is false when another run holds it. */
enum pd_result pd_db_audit_lock(struct pd_db *db, bool *got);
/* The database's clock, and the start of the oldest transaction open in this database right
 * now (0: none).  Outside the audit's transaction, before its snapshot. */
enum pd_result pd_db_audit_clock(struct pd_db *db, int64_t *now_us, int64_t *oldest_us);
/* The latest clean run's checkpoint (run_id 0 when there is none). */
enum pd_result pd_db_audit_last(struct pd_db *db, struct pd_audit_checkpoint *cp);
/* Records this run (committed only if it is clean); *max_id gets the highest ledger id. */
enum pd_result pd_db_audit_run_new(struct pd_db *db, int64_t now_us, int64_t horizon_us, bool full,
                                   int64_t *run_id, int64_t *max_id);
/* Every account's sums into audit_sums for run_id: cp's sums plus the rows after it (all of
 * them when cp->run_id is 0), split at horizon_us.  *rows gets how many ledger rows were read. */
enum pd_result pd_db_audit_fill(struct pd_db *db, int64_t run_id,
                                const struct pd_audit_checkpoint *cp, int64_t horizon_us,
                                int64_t *rows);
/* Statistics on the run's new audit_sums rows, so the checks that join them are planned for
 * their real number (not the empty table's). */
enum pd_result pd_db_audit_analyze(struct pd_db *db);
/* How many accounts the run checks (players and game accounts). */
enum pd_result pd_db_audit_accounts(struct pd_db *db, int64_t *accounts);
/* The checks, each filling f with the first offender (f->kind stays PD_AUDIT_CLEAN if none):
 * players' balances against run_id's sums, game accounts below zero, operations written after
 * cp that do not sum to zero (*ops gets how many were checked), copies out of place. */
enum pd_result pd_db_audit_players(struct pd_db *db, int64_t run_id, struct pd_audit_finding *f);
enum pd_result pd_db_audit_system(struct pd_db *db, int64_t run_id, struct pd_audit_finding *f);
enum pd_result pd_db_audit_ops(struct pd_db *db, const struct pd_audit_checkpoint *cp, int64_t *ops,
                               struct pd_audit_finding *f);
enum pd_result pd_db_audit_copies(struct pd_db *db, struct pd_audit_finding *f);
/* The first payment whose Gems disagree with the ledger or with what is owed (sql/018). */
enum pd_result pd_db_audit_payments(struct pd_db *db, struct pd_audit_finding *f);
/* A clean run: its figures, and the older runs' sums deleted (only the newest is read). */
enum pd_result pd_db_audit_finish(struct pd_db *db, int64_t run_id, int64_t accounts, int64_t ops,
                                  int64_t rows, double seconds);

#endif
