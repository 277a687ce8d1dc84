/* migrate.h - applies sql/NNN_name.sql files in order, once each. */
#ifndef PD_MIGRATE_H
#define PD_MIGRATE_H

#include "db.h"

/* The highest migration number found in dir (0 when there are none). */
enum pd_result pd_migrate_latest(const char *dir, int *version);

/* Applies every migration in dir not yet recorded in schema_migrations, each in its own
 * transaction, under an advisory lock so several instances can run it at once.
 * progress (may be NULL) is called with each file applied. */
enum pd_result pd_migrate_run(struct pd_db *db, const char *dir, void (*progress)(const char *file),
                              int *applied);

/* Applies every migration in dir to a database with none applied, inside the transaction the
 * caller has open (no BEGIN or COMMIT of its own), under the migration lock until that
 * transaction ends: clear_db drops the schema and builds it again in one transaction, so the
 * database is either as it was or complete.  *applied gets how many files were run. */
enum pd_result pd_migrate_all_in_tx(struct pd_db *db, const char *dir, int *applied);

/* The highest version recorded in the database (0 when none, or no table yet). */
enum pd_result pd_migrate_current(struct pd_db *db, int *version);

/* How many months ahead of this one the ledger has partitions after a migrate (`popdeck
 * migrate`, clear_db): a deploy every quarter keeps every write in a month partition, and the
 * default partition catches the rest. */
#define PD_LEDGER_MONTHS_AHEAD 3

/* Makes the ledger's month partitions from this month through months_ahead months ahead
 * (ledger_ensure_partitions, sql/010), moving the rows of a new month out of the default
 * partition; under the migration lock, so instances migrating at once do not race.  *made gets
 * how many were made; 0 with no ledger yet (a database before 010). */
enum pd_result pd_migrate_partitions(struct pd_db *db, int months_ahead, int *made);

#endif
