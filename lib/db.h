/* db.h - PostgreSQL access: connections with every named statement prepared, a pool,
 * and the transaction helper that retries serialization failures (Taler's run_transaction). */
#ifndef PD_DB_H
#define PD_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "pd.h"

/* One named prepared statement.  Each area file (db_users.c, db_jobs.c, ...) exports a
 * NULL-terminated table of these; db.c prepares them all on every new connection. */
struct pd_db_stmt {
  const char *name;
  const char *sql;
};

struct pd_db {
  PGconn *pg;
  struct pd_db_pool *pool; /* NULL for a standalone connection */
  bool fresh;              /* connected during this checkout: a failure is not a stale socket */
  char *conninfo;          /* standalone connections keep it to reconnect */
  int statement_timeout_ms;
  bool prepare; /* prepare the named statements on (re)connect */
};

/* A standalone connection (workers, migrate, tests).  statement_timeout_ms 0 = none.
 * prepare=false skips preparing the statements (migrate runs before tables exist).  On a
 * failure err (may be NULL) gets libpq's own reason on one line. */
enum pd_result pd_db_open(const char *conninfo, int statement_timeout_ms, bool prepare,
                          struct pd_db **out, char *err, size_t errlen);
void pd_db_close(struct pd_db *db);
/* Drops a broken connection and connects again. */
enum pd_result pd_db_reconnect(struct pd_db *db);

struct pd_db_pool;
/* Connects one slot at once: a database that cannot be reached is logged as a warning with
 * libpq's reason (not an error: the pool connects when it can).  Each later change between
 * reachable and not is logged once. */
enum pd_result pd_db_pool_new(const char *conninfo, int size, struct pd_db_pool **out);
void pd_db_pool_free(struct pd_db_pool *p);
/* Waits for a free connection until deadline_us (pd_now_us clock); PD_E_DB_DOWN when
 * none comes free in time or the database cannot be reached. */
enum pd_result pd_db_acquire(struct pd_db_pool *p, int64_t deadline_us, struct pd_db **out);
void pd_db_release(struct pd_db *db);
int pd_db_pool_in_use(struct pd_db_pool *p);
int pd_db_pool_size(const struct pd_db_pool *p);

/* Runs the named statement with text parameters (NULL entries are SQL NULL).  *res, when
 * res is not NULL, is the result to PQclear.  Failures map to PD_E_DB_SOFT (40001,
 * 40P01: retry), PD_E_CONFLICT (23505, a duplicate), PD_E_CHECK (23514), PD_E_DB_DOWN (connection
 * lost, timeouts, shutdown) or PD_E_DB_HARD (logged with the statement name). */
enum pd_result pd_db_exec(struct pd_db *db, const char *stmt, int nparams,
                          const char *const *params, PGresult **res);
/* Plain SQL without parameters (BEGIN, COMMIT, LISTEN, migrations). */
enum pd_result pd_db_exec_sql(struct pd_db *db, const char *sql);

/* Runs fn inside BEGIN ISOLATION LEVEL SERIALIZABLE ... COMMIT on db, retrying the whole
 * function on serialization failures and deadlocks with a short jittered pause, and once
 * on a connection that turned out to be stale.  fn must be safe to run again: all its
 * effects go through db.  Gives up with PD_E_DB_SOFT after max_attempts or at deadline. */
#define PD_DB_TX_ATTEMPTS 12
enum pd_result pd_db_tx(struct pd_db *db, int64_t deadline_us,
                        enum pd_result (*fn)(struct pd_db *db, void *arg), void *arg);

/* The SQL expression for the player's text p (a parameter such as "$2") as a LIKE pattern that
 * matches it literally: LIKE's wildcards, and its escape character (backslash), are escaped in
 * SQL, so no C buffer cuts a long or multi-byte name.  Append || '%' for a prefix match. */
#define LIKE_LITERAL(p)                                                                            \
  "replace(replace(replace(lower(" p "), '\\', '\\\\'), '%', '\\%'), '_', '\\_')"

/* j (borrowed, may be NULL) as text for a jsonb parameter; NULL for NULL.  Free it. */
char *pd_db_json_param(const json_t *j);

/* Result helpers: the value at row, col of a PGresult, NULL for SQL NULL. */
const char *pd_db_val(const PGresult *res, int row, int col);
int64_t pd_db_int(const PGresult *res, int row, int col);
bool pd_db_bool(const PGresult *res, int row, int col);

#endif
