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
extern const struct pd_db_stmt pd_db_audit_stmts[];

#endif
