/* db.c - connections, prepared statements, the pool and the transaction helper. */
#include "db.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_areas.h"
#include "log.h"
#include "metrics.h"

/* After a failed connect, wait this long before trying again, so a database outage
 * costs each request microseconds instead of a connect timeout. */
#define RECONNECT_PAUSE_US 250000

static enum pd_result prepare_all(PGconn *pg)
{
  for (size_t a = 0; pd_db_areas[a] != NULL; a++) {
    for (const struct pd_db_stmt *s = pd_db_areas[a]; s->name != NULL; s++) {
      PGresult *r = PQprepare(pg, s->name, s->sql, 0, NULL);
      ExecStatusType st = PQresultStatus(r);
      if (st != PGRES_COMMAND_OK) {
        enum pd_result rc = PQstatus(pg) == CONNECTION_OK ? PD_E_DB_HARD : PD_E_DB_DOWN;
        if (rc == PD_E_DB_HARD)
          pd_log_error("preparing statement %s: %s", s->name, PQresultErrorMessage(r));
        PQclear(r);
        return rc;
      }
      PQclear(r);
    }
  }
  return PD_OK;
}

/* libpq's reason for the last failure on pg, on one line, into err (may be NULL). */
static void pq_reason(PGconn *pg, char *err, size_t errlen)
{
  if (err == NULL || errlen == 0)
    return;
  const char *m = pg != NULL ? PQerrorMessage(pg) : "out of memory";
  size_t n = strlen(m);
  while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
    n--;
  snprintf(err, errlen, "%.*s", (int)n, m);
  for (char *p = err; *p != '\0'; p++)
    if (*p == '\n' || *p == '\t')
      *p = ' '; /* libpq puts one line per address tried, hints indented */
}

static enum pd_result connect_pg(const char *conninfo, int statement_timeout_ms, bool prepare,
                                 PGconn **out, char *err, size_t errlen)
{
  char options[128];
  snprintf(options, sizeof(options),
           "-c statement_timeout=%d -c idle_in_transaction_session_timeout=60000 -c "
           "client_min_messages=warning",
           statement_timeout_ms);
  /* dbname comes first so the keywords after it override what the URL says. */
  const char *keys[] = {"dbname", "connect_timeout", "application_name", "options", NULL};
  const char *vals[] = {conninfo, "2", "popdeck", options, NULL};
  PGconn *pg = PQconnectdbParams(keys, vals, 1);
  *out = NULL;
  if (pg == NULL) {
    pq_reason(NULL, err, errlen);
    return PD_E_NOMEM;
  }
  if (PQstatus(pg) != CONNECTION_OK) {
    pq_reason(pg, err, errlen);
    PQfinish(pg);
    return PD_E_DB_DOWN;
  }
  if (prepare) {
    enum pd_result rc = prepare_all(pg);
    if (rc != PD_OK) {
      pq_reason(pg, err, errlen);
      PQfinish(pg);
      return rc;
    }
  }
  *out = pg;
  return PD_OK;
}

enum pd_result pd_db_open(const char *conninfo, int statement_timeout_ms, bool prepare,
                          struct pd_db **out, char *err, size_t errlen)
{
  struct pd_db *db = calloc(1, sizeof(*db));
  if (db == NULL)
    return PD_E_NOMEM;
  db->conninfo = strdup(conninfo);
  db->statement_timeout_ms = statement_timeout_ms;
  db->prepare = prepare;
  if (db->conninfo == NULL) {
    free(db);
    return PD_E_NOMEM;
  }
  enum pd_result rc = connect_pg(conninfo, statement_timeout_ms, prepare, &db->pg, err, errlen);
  if (rc != PD_OK) {
    pd_db_close(db);
    return rc;
  }
  db->fresh = true;
  *out = db;
  return PD_OK;
}

void pd_db_close(struct pd_db *db)
{
  if (db == NULL)
    return;
  PQfinish(db->pg);
  free(db->conninfo);
  free(db);
}

enum pd_result pd_db_reconnect(struct pd_db *db)
{
  PQfinish(db->pg);
  db->pg = NULL;
  enum pd_result rc =
      connect_pg(db->conninfo, db->statement_timeout_ms, db->prepare, &db->pg, NULL, 0);
  db->fresh = rc == PD_OK;
  return rc;
}

/* ---- pool ---- */

struct pd_db_pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int size;
  int in_use;
  int64_t next_connect_us;
  bool down; /* the last connect failed: said once in the log, and again when it comes back */
  struct pd_db *slots;
  bool *busy;
};

enum pd_result pd_db_pool_new(const char *conninfo, int size, struct pd_db_pool **out)
{
  struct pd_db_pool *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return PD_E_NOMEM;
  p->size = size;
  p->slots = calloc((size_t)size, sizeof(*p->slots));
  p->busy = calloc((size_t)size, sizeof(*p->busy));
  if (p->slots == NULL || p->busy == NULL)
    goto nomem;
  for (int i = 0; i < size; i++) {
    p->slots[i].pool = p;
    p->slots[i].statement_timeout_ms = 2500;
    p->slots[i].prepare = true;
    p->slots[i].conninfo = strdup(conninfo);
    if (p->slots[i].conninfo == NULL)
      goto nomem;
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&p->cv, &ca);
  pthread_condattr_destroy(&ca);
  *out = p;
  /* One connection now, so a database that cannot be reached is in the log from the start,
   * in libpq's own words; it is not fatal (requests answer "catching its breath" meanwhile). */
  struct pd_db *first = NULL;
  if (pd_db_acquire(p, pd_now_us() + 3000000, &first) == PD_OK)
    pd_db_release(first);
  return PD_OK;
nomem:
  if (p->slots != NULL)
    for (int i = 0; i < size; i++)
      free(p->slots[i].conninfo);
  free(p->slots);
  free(p->busy);
  free(p);
  return PD_E_NOMEM;
}

void pd_db_pool_free(struct pd_db_pool *p)
{
  if (p == NULL)
    return;
  for (int i = 0; i < p->size; i++) {
    PQfinish(p->slots[i].pg);
    free(p->slots[i].conninfo);
  }
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  free(p->slots);
  free(p->busy);
  free(p);
}

enum pd_result pd_db_acquire(struct pd_db_pool *p, int64_t deadline_us, struct pd_db **out)
{
  int slot = -1;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    /* Prefer a slot that already holds a live connection. */
    for (int i = 0; i < p->size; i++) {
      if (!p->busy[i] && p->slots[i].pg != NULL) {
        slot = i;
        break;
      }
    }
    for (int i = 0; slot < 0 && i < p->size; i++)
      if (!p->busy[i])
        slot = i;
    if (slot >= 0)
      break;
    int64_t now = pd_now_us();
    if (now >= deadline_us) {
      pthread_mutex_unlock(&p->mu);
      return PD_E_DB_DOWN;
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t wait = deadline_us - now;
    ts.tv_sec += wait / 1000000;
    ts.tv_nsec += (wait % 1000000) * 1000;
    if (ts.tv_nsec >= 1000000000) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&p->cv, &p->mu, &ts);
  }
  p->busy[slot] = true;
  p->in_use++;
  struct pd_db *db = &p->slots[slot];
  bool need_connect = db->pg == NULL || PQstatus(db->pg) != CONNECTION_OK;
  bool throttled = need_connect && pd_now_us() < p->next_connect_us;
  pthread_mutex_unlock(&p->mu);

  db->fresh = false;
  enum pd_result rc = PD_OK;
  if (throttled) {
    rc = PD_E_DB_DOWN;
  } else if (need_connect) {
    PQfinish(db->pg);
    db->pg = NULL;
    char why[512] = "";
    rc = connect_pg(db->conninfo, db->statement_timeout_ms, true, &db->pg, why, sizeof(why));
    db->fresh = rc == PD_OK;
    pthread_mutex_lock(&p->mu);
    bool was_down = p->down;
    p->down = rc != PD_OK;
    if (rc != PD_OK)
      p->next_connect_us = pd_now_us() + RECONNECT_PAUSE_US;
    pthread_mutex_unlock(&p->mu);
    if (rc != PD_OK && !was_down)
      pd_log("warn",
             rc == PD_E_DB_DOWN ? "database unreachable"
                                : "database refused our statements (run popdeck migrate?)",
             json_pack("{s:s, s:s}", "error", why, "result", pd_result_str(rc)));
    else if (rc == PD_OK && was_down)
      pd_log("info", "database reachable again", NULL);
  }
  if (rc != PD_OK) {
    pd_db_release(db);
    return rc;
  }
  *out = db;
  return PD_OK;
}

void pd_db_release(struct pd_db *db)
{
  if (db == NULL)
    return;
  struct pd_db_pool *p = db->pool;
  if (p == NULL)
    return;
  /* A connection left inside a transaction (a bug, or a lost COMMIT) is not reused. */
  if (db->pg != NULL && PQtransactionStatus(db->pg) != PQTRANS_IDLE) {
    PQfinish(db->pg);
    db->pg = NULL;
  }
  pthread_mutex_lock(&p->mu);
  int slot = (int)(db - p->slots);
  p->busy[slot] = false;
  p->in_use--;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

int pd_db_pool_in_use(struct pd_db_pool *p)
{
  pthread_mutex_lock(&p->mu);
  int n = p->in_use;
  pthread_mutex_unlock(&p->mu);
  return n;
}

int pd_db_pool_size(const struct pd_db_pool *p)
{
  return p->size;
}

/* ---- statements ---- */

static enum pd_result map_error(struct pd_db *db, PGresult *r, const char *what)
{
  const char *state = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
  if (db->pg == NULL || PQstatus(db->pg) != CONNECTION_OK)
    return PD_E_DB_DOWN;
  if (state == NULL)
    return PD_E_DB_DOWN;
  if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
    return PD_E_DB_SOFT;
  if (strcmp(state, "23505") == 0)
    return PD_E_CONFLICT; /* a unique violation: a duplicate */
  if (strcmp(state, "23514") == 0)
    return PD_E_CHECK; /* a check violation: a balance going negative, an amount out of range */
  if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
      strcmp(state, "57014") == 0 || strcmp(state, "53300") == 0)
    return PD_E_DB_DOWN;
  pd_log_error("statement %s failed (%s): %s", what, state, PQresultErrorMessage(r));
  return PD_E_DB_HARD;
}

static enum pd_result check(struct pd_db *db, PGresult *r, const char *what, PGresult **res)
{
  ExecStatusType st = PQresultStatus(r);
  if (r != NULL && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
    if (res != NULL)
      *res = r;
    else
      PQclear(r);
    return PD_OK;
  }
  enum pd_result rc = map_error(db, r, what);
  PQclear(r);
  return rc;
}

enum pd_result pd_db_exec(struct pd_db *db, const char *stmt, int nparams,
                          const char *const *params, PGresult **res)
{
  if (res != NULL)
    *res = NULL;
  if (db->pg == NULL)
    return PD_E_DB_DOWN;
  PGresult *r = PQexecPrepared(db->pg, stmt, nparams, params, NULL, NULL, 0);
  return check(db, r, stmt, res);
}

enum pd_result pd_db_exec_sql(struct pd_db *db, const char *sql)
{
  if (db->pg == NULL)
    return PD_E_DB_DOWN;
  return check(db, PQexec(db->pg, sql), "sql", NULL);
}

enum pd_result pd_db_tx(struct pd_db *db, int64_t deadline_us,
                        enum pd_result (*fn)(struct pd_db *db, void *arg), void *arg)
{
  enum pd_result rc = PD_E_DB_SOFT;
  bool reconnected = false;
  for (int attempt = 0; attempt < PD_DB_TX_ATTEMPTS; attempt++) {
    if (attempt > 0) {
      if (pd_now_us() >= deadline_us)
        break;
      /* 1-4 ms times the attempt, jittered, so colliding transactions spread out. */
      struct timespec pause = {0, (long)(1000000 + randombytes_uniform(3000000)) *
                                      (attempt < 4 ? attempt : 4)};
      nanosleep(&pause, NULL);
    }
    rc = pd_db_exec_sql(db, "BEGIN ISOLATION LEVEL SERIALIZABLE");
    if (rc == PD_OK)
      rc = fn(db, arg);
    if (rc == PD_OK)
      rc = pd_db_exec_sql(db, "COMMIT");
    if (rc == PD_OK)
      return PD_OK;
    if (db->pg != NULL && PQtransactionStatus(db->pg) != PQTRANS_IDLE &&
        PQstatus(db->pg) == CONNECTION_OK)
      (void)pd_db_exec_sql(db, "ROLLBACK");
    if (rc == PD_E_DB_DOWN && !db->fresh && !reconnected) {
      /* The pooled socket may have died while idle (a database restart): one new try. */
      reconnected = true;
      if (pd_db_reconnect(db) == PD_OK)
        continue;
      return PD_E_DB_DOWN;
    }
    if (rc != PD_E_DB_SOFT)
      return rc;
    pd_metrics_tx_retry();
  }
  return rc;
}

char *pd_db_json_param(const json_t *j)
{
  return j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

const char *pd_db_val(const PGresult *res, int row, int col)
{
  if (res == NULL || row >= PQntuples(res) || col >= PQnfields(res) || PQgetisnull(res, row, col))
    return NULL;
  return PQgetvalue(res, row, col);
}

int64_t pd_db_int(const PGresult *res, int row, int col)
{
  const char *v = pd_db_val(res, row, col);
  return v != NULL ? strtoll(v, NULL, 10) : 0;
}

bool pd_db_bool(const PGresult *res, int row, int col)
{
  const char *v = pd_db_val(res, row, col);
  return v != NULL && v[0] == 't';
}
