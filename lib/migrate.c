/* migrate.c - numbered SQL migrations recorded in schema_migrations. */
#include "migrate.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#define MAX_MIGRATIONS 999
#define MIGRATE_LOCK_KEY "7314159265" /* pg_advisory_lock key shared by all instances */

/* A migration file is NNN_name.sql with NNN from 001. */
static int version_of(const char *name)
{
  size_t n = strlen(name);
  if (n < 9 || strcmp(name + n - 4, ".sql") != 0 || name[3] != '_')
    return 0;
  int v = 0;
  for (int i = 0; i < 3; i++) {
    if (name[i] < '0' || name[i] > '9')
      return 0;
    v = v * 10 + (name[i] - '0');
  }
  return v;
}

static int cmp_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted list of migration file names; the caller frees each and the array. */
static enum pd_result list_files(const char *dir, char ***out, size_t *count)
{
  DIR *d = opendir(dir);
  if (d == NULL)
    return PD_E_IO;
  char **names = NULL;
  size_t n = 0;
  enum pd_result rc = PD_OK;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (version_of(e->d_name) == 0)
      continue;
    if (n == MAX_MIGRATIONS) {
      rc = PD_E_TOOBIG;
      break;
    }
    char **grown = realloc(names, (n + 1) * sizeof(*names));
    if (grown == NULL) {
      rc = PD_E_NOMEM;
      break;
    }
    names = grown;
    names[n] = strdup(e->d_name);
    if (names[n] == NULL) {
      rc = PD_E_NOMEM;
      break;
    }
    n++;
  }
  closedir(d);
  if (rc != PD_OK) {
    for (size_t i = 0; i < n; i++)
      free(names[i]);
    free(names);
    return rc;
  }
  if (n > 1) /* with no files names is NULL, and qsort's pointer must not be */
    qsort(names, n, sizeof(*names), cmp_names);
  *out = names;
  *count = n;
  return PD_OK;
}

enum pd_result pd_migrate_latest(const char *dir, int *version)
{
  char **names = NULL;
  size_t n = 0;
  enum pd_result rc = list_files(dir, &names, &n);
  if (rc != PD_OK)
    return rc;
  *version = n > 0 ? version_of(names[n - 1]) : 0;
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return PD_OK;
}

static enum pd_result read_file(const char *path, char **out)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return PD_E_IO;
  enum pd_result rc = PD_E_IO;
  char *buf = NULL;
  if (fseek(f, 0, SEEK_END) != 0)
    goto out;
  long len = ftell(f);
  if (len < 0 || len > 16 * 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0)
    goto out;
  buf = malloc((size_t)len + 1);
  if (buf == NULL) {
    rc = PD_E_NOMEM;
    goto out;
  }
  if (fread(buf, 1, (size_t)len, f) != (size_t)len)
    goto out;
  buf[len] = '\0';
  *out = buf;
  buf = NULL;
  rc = PD_OK;
out:
  free(buf);
  fclose(f);
  return rc;
}

enum pd_result pd_migrate_current(struct pd_db *db, int *version)
{
  PGresult *r = PQexec(db->pg, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  enum pd_result rc = PD_OK;
  if (PQresultStatus(r) == PGRES_TUPLES_OK) {
    *version = (int)pd_db_int(r, 0, 0);
  } else {
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (state != NULL && strcmp(state, "42P01") == 0)
      *version = 0; /* no table: nothing applied yet */
    else
      rc = PQstatus(db->pg) == CONNECTION_OK ? PD_E_DB_HARD : PD_E_DB_DOWN;
  }
  PQclear(r);
  return rc;
}

/* Runs migration name of dir and records it, in the transaction the caller has open. */
static enum pd_result apply_sql(struct pd_db *db, const char *dir, const char *name)
{
  char path[4096];
  char *sql = NULL;
  char vbuf[16];
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  enum pd_result rc = read_file(path, &sql);
  if (rc != PD_OK) {
    pd_log_error("migrate: cannot read %s", path);
    return rc;
  }
  PGresult *r = PQexec(db->pg, sql);
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
    pd_log_error("migrate: %s failed: %s", name, PQresultErrorMessage(r));
    rc = PQstatus(db->pg) == CONNECTION_OK ? PD_E_DB_HARD : PD_E_DB_DOWN;
    goto out;
  }
  PQclear(r);
  snprintf(vbuf, sizeof(vbuf), "%d", version_of(name));
  const char *params[2] = {vbuf, name};
  r = PQexecParams(db->pg, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2, NULL,
                   params, NULL, NULL, 0);
  if (PQresultStatus(r) != PGRES_COMMAND_OK) {
    pd_log_error("migrate: recording %s failed: %s", name, PQresultErrorMessage(r));
    rc = PQstatus(db->pg) == CONNECTION_OK ? PD_E_DB_HARD : PD_E_DB_DOWN;
  }
out:
  PQclear(r);
  free(sql);
  return rc;
}

static enum pd_result apply_one(struct pd_db *db, const char *dir, const char *name)
{
  enum pd_result rc = pd_db_exec_sql(db, "BEGIN");
  if (rc != PD_OK)
    return rc;
  rc = apply_sql(db, dir, name);
  if (rc != PD_OK) {
    (void)pd_db_exec_sql(db, "ROLLBACK");
    return rc;
  }
  return pd_db_exec_sql(db, "COMMIT");
}

#define CREATE_SCHEMA_MIGRATIONS                                                                   \
  "CREATE TABLE IF NOT EXISTS schema_migrations ("                                                 \
  " version INT PRIMARY KEY, name TEXT NOT NULL,"                                                  \
  " applied_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now())"

/* Which versions schema_migrations records (have[v] for v in 1..MAX_MIGRATIONS). */
static enum pd_result recorded_versions(struct pd_db *db, bool have[MAX_MIGRATIONS + 1])
{
  memset(have, 0, sizeof(bool) * (MAX_MIGRATIONS + 1));
  PGresult *r = PQexec(db->pg, "SELECT version FROM schema_migrations");
  enum pd_result rc = PD_OK;
  if (PQresultStatus(r) != PGRES_TUPLES_OK)
    rc = PQstatus(db->pg) == CONNECTION_OK ? PD_E_DB_HARD : PD_E_DB_DOWN;
  for (int i = 0; rc == PD_OK && i < PQntuples(r); i++) {
    int64_t v = pd_db_int(r, i, 0);
    if (v >= 1 && v <= MAX_MIGRATIONS)
      have[v] = true;
  }
  PQclear(r);
  return rc;
}

enum pd_result pd_migrate_run(struct pd_db *db, const char *dir, void (*progress)(const char *file),
                              int *applied)
{
  char **names = NULL;
  size_t n = 0;
  int current = 0;
  bool recorded[MAX_MIGRATIONS + 1];
  *applied = 0;
  enum pd_result rc = list_files(dir, &names, &n);
  if (rc != PD_OK) {
    pd_log_error("migrate: cannot list %s", dir);
    return rc;
  }
  rc = pd_db_exec_sql(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")");
  if (rc != PD_OK)
    goto out_free;
  rc = pd_db_exec_sql(db, CREATE_SCHEMA_MIGRATIONS);
  if (rc == PD_OK)
    rc = pd_migrate_current(db, &current);
  if (rc == PD_OK)
    rc = recorded_versions(db, recorded);
  for (size_t i = 0; rc == PD_OK && i < n; i++) {
    int v = version_of(names[i]);
    if (recorded[v])
      continue;
    /* A file numbered below one already applied (two branches merged, each with its own
     * number) is applied too, not skipped: the database would lack it for good otherwise. */
    if (v < current)
      pd_log("warn", "migrate: applying a migration numbered below the newest applied",
             json_pack("{s:s, s:i}", "file", names[i], "newest_applied", current));
    rc = apply_one(db, dir, names[i]);
    if (rc == PD_OK) {
      (*applied)++;
      if (progress != NULL)
        progress(names[i]);
    }
  }
  (void)pd_db_exec_sql(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
out_free:
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return rc;
}

enum pd_result pd_migrate_all_in_tx(struct pd_db *db, const char *dir, int *applied)
{
  char **names = NULL;
  size_t n = 0;
  *applied = 0;
  enum pd_result rc = list_files(dir, &names, &n);
  if (rc != PD_OK) {
    pd_log_error("migrate: cannot list %s", dir);
    return rc;
  }
  /* Released when the caller's transaction ends: a `popdeck migrate` started meanwhile waits,
   * then finds every file recorded. */
  rc = pd_db_exec_sql(db, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")");
  if (rc == PD_OK)
    rc = pd_db_exec_sql(db, CREATE_SCHEMA_MIGRATIONS);
  for (size_t i = 0; rc == PD_OK && i < n; i++) {
    rc = apply_sql(db, dir, names[i]);
    if (rc == PD_OK)
      (*applied)++;
  }
  for (size_t i = 0; i < n; i++)
    free(names[i]);
  free(names);
  return rc;
}

enum pd_result pd_migrate_partitions(struct pd_db *db, int months_ahead, int *made)
{
  char ahead[16];
  *made = 0;
  enum pd_result rc = pd_db_exec_sql(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")");
  if (rc != PD_OK)
    return rc;
  PGresult *r = PQexec(db->pg, "SELECT to_regproc('ledger_ensure_partitions') IS NOT NULL");
  bool exists = PQresultStatus(r) == PGRES_TUPLES_OK && pd_db_bool(r, 0, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK)
    rc = PQstatus(db->pg) == CONNECTION_OK ? PD_E_DB_HARD : PD_E_DB_DOWN;
  PQclear(r);
  if (rc == PD_OK && exists) {
    snprintf(ahead, sizeof(ahead), "%d", months_ahead);
    const char *params[1] = {ahead};
    r = PQexecParams(db->pg, "SELECT ledger_ensure_partitions(now(), $1::int)", 1, NULL, params,
                     NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      *made = (int)pd_db_int(r, 0, 0);
    } else {
      pd_log_error("migrate: making the ledger's partitions failed: %s", PQresultErrorMessage(r));
      rc = PD_E_DB_HARD;
    }
    PQclear(r);
  }
  (void)pd_db_exec_sql(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
  return rc;
}
