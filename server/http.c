/* http.c - libmicrohttpd front: collects bodies under a cap, holds off slow and greedy clients,
 * routes, answers, logs. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "admin_api.h"
#include "buf.h"
#include "db_areas.h"
#include "db_jobs.h"
#include "db_scheduler.h"
#include "dispatch.h"
#include "events.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "playground.h"
#include "scheduler.h"
#include "storage.h"
#include "stripe_webhook.h"

#include <sodium.h>

/* The hard deadline on receiving a request.  libmicrohttpd's CONNECTION_TIMEOUT is an idle
 * timeout: every byte restarts it, so a client trickling a header line every 15 s holds its
 * connection (and a slot of the connection limit) forever.  So every connection is tracked
 * from MHD_OPTION_NOTIFY_CONNECTION: STARTED links it into a list with its socket, CLOSED
 * unlinks it, both under guard.mu.  A request is "reading" from the moment its connection
 * opened (or its previous response completed, on a kept-alive connection) until the access
 * handler's last call; a reaper thread shuts down (shutdown(2), never close) the socket of any
 * connection still reading after HTTP_REQUEST_DEADLINE seconds.  libmicrohttpd then sees end of
 * stream and closes the connection itself, through its ordinary path.
 *
 * Why the reaper can never hit a reused descriptor: libmicrohttpd calls the CLOSED notification
 * in MHD_cleanup_connections before it closes the socket (and on the failed-add path before
 * closing it too), and the notification blocks on guard.mu while the reaper holds it.  So while
 * an entry is in the list its descriptor is still open and still this connection's. */
struct conn {
  struct conn *prev, *next;
  int fd;
  int64_t since_us; /* when the request now arriving started (connect, or last completion) */
  bool reading;     /* its headers and body are not all in yet */
  bool cut;         /* the reaper already shut it down */
};

struct guard {
  pthread_mutex_t mu;
  pthread_cond_t cv; /* wakes the reaper early to stop */
  struct conn *head;
  int64_t deadline_us;
  bool stop;
  bool started;
  pthread_t reaper;
};

/* What /readyz and /metrics report from the database, read on a connection of their own (never
 * one of app->pool, which /interactions needs) and kept for PROBE_FRESH_US: a flood of either
 * route costs the database at most one pair of tiny queries a second, and can neither wait for
 * nor take a pool connection.  One request at a time refreshes (busy); others that find the
 * values stale wait for it, up to PROBE_WAIT_US, rather than query too. */
#define PROBE_FRESH_US 1000000
#define PROBE_WAIT_US 1000000
#define PROBE_STATEMENT_MS 1000
struct probe_values {
  int migration;       /* newest applied */
  int64_t queue_depth; /* pending follow-ups, -1 unknown */
  /* The scheduler's tasks' latest runs (none when unknown) and the clock's test skew. */
  struct pd_metrics_task tasks[PD_METRICS_TASKS_MAX];
  size_t ntasks;
  double clock_skew_s;
};
struct probe {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  bool busy;
  int64_t at_us;     /* when the values below were read (0: never) */
  enum pd_result rc; /* of reading them */
  struct probe_values v;
  struct pd_db *db; /* touched only by the request that set busy */
  bool tasks_ready; /* db has the scheduler's statements (once its schema has the tables) */
};

/* One listening daemon: the main one (LISTEN_ADDR), or the ops one (OPS_LISTEN_ADDR), which
 * serves only /healthz, /readyz and /metrics. */
struct front {
  struct pd_http *h;
  struct MHD_Daemon *d;
  bool ops;
};

struct pd_http {
  struct front main, ops;
  struct pd_app *app;
  struct guard guard;
  struct probe probe;
  struct pd_admin_api *admin;
  struct pd_playground *play; /* NULL unless in development mode (playground.h) */
  int ops_port;
};

/* One per HTTP request, freed in the completion callback. */
struct request {
  int64_t start_us;
  enum pd_route route;
  struct pd_buf body; /* capped at PD_MAX_BODY */
  struct pd_reqlog log;
  int status; /* what was answered, for the log line */
};

static enum pd_route route_of(const char *url)
{
  if (strcmp(url, "/interactions") == 0)
    return PD_ROUTE_INTERACTIONS;
  if (strcmp(url, "/healthz") == 0)
    return PD_ROUTE_HEALTHZ;
  if (strcmp(url, "/readyz") == 0)
    return PD_ROUTE_READYZ;
  if (strcmp(url, "/metrics") == 0)
    return PD_ROUTE_METRICS;
  if (strncmp(url, "/cards/", 7) == 0)
    return PD_ROUTE_CARDS;
  if (strcmp(url, "/admin") == 0 || strncmp(url, "/admin/", 7) == 0)
    return PD_ROUTE_ADMIN;
  if (strcmp(url, "/webhooks/stripe") == 0 || strcmp(url, "/paid") == 0)
    return PD_ROUTE_STRIPE;
  if (strcmp(url, "/events") == 0)
    return PD_ROUTE_EVENTS;
  if (strcmp(url, "/play") == 0 || strncmp(url, "/play/", 6) == 0)
    return PD_ROUTE_PLAY;
  return PD_ROUTE_OTHER;
}

static struct conn *conn_of(struct MHD_Connection *c)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci != NULL ? ci->socket_context : NULL;
}

/* The request on c is all in (reading=false), or a new one may start arriving (true). */
static void conn_reading(struct pd_http *h, struct MHD_Connection *c, bool reading)
{
  struct conn *k = conn_of(c);
  if (k == NULL)
    return;
  pthread_mutex_lock(&h->guard.mu);
  k->reading = reading;
  if (reading)
    k->since_us = pd_now_us();
  pthread_mutex_unlock(&h->guard.mu);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
  struct pd_http *h = cls;
  struct guard *g = &h->guard;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct conn *k = calloc(1, sizeof(*k));
    if (k == NULL || ci == NULL) {
      /* Untracked, it would escape the deadline: refuse it now, while the socket is surely its own.
       */
      free(k);
      if (ci != NULL)
        shutdown(ci->connect_fd, SHUT_RDWR);
      *socket_context = NULL;
      return;
    }
    k->fd = ci->connect_fd;
    k->since_us = pd_now_us();
    k->reading = true;
    pthread_mutex_lock(&g->mu);
    k->next = g->head;
    if (g->head != NULL)
      g->head->prev = k;
    g->head = k;
    pthread_mutex_unlock(&g->mu);
    *socket_context = k;
    return;
  }
  struct conn *k = *socket_context;
  if (k == NULL)
    return;
  pthread_mutex_lock(&g->mu);
  if (k->prev != NULL)
    k->prev->next = k->next;
  else
    g->head = k->next;
  if (k->next != NULL)
    k->next->prev = k->prev;
  pthread_mutex_unlock(&g->mu);
  free(k);
  *socket_context = NULL;
}

#define REAP_EVERY_MS 200
static void *reaper(void *arg)
{
  struct guard *g = arg;
  pthread_mutex_lock(&g->mu);
  while (!g->stop) {
    int64_t now = pd_now_us();
    for (struct conn *k = g->head; k != NULL; k = k->next) {
      if (k->reading && !k->cut && now - k->since_us > g->deadline_us) {
        shutdown(k->fd, SHUT_RDWR);
        k->cut = true;
      }
    }
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_nsec += REAP_EVERY_MS * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
      t.tv_sec++;
      t.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&g->cv, &g->mu, &t);
  }
  pthread_mutex_unlock(&g->mu);
  return NULL;
}

static enum pd_result guard_start(struct guard *g, int deadline_s)
{
  pthread_condattr_t ca;
  pthread_mutex_init(&g->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&g->cv, &ca);
  pthread_condattr_destroy(&ca);
  g->deadline_us = (int64_t)deadline_s * 1000000;
  if (pthread_create(&g->reaper, NULL, reaper, g) != 0)
    return PD_E_NOMEM;
  g->started = true;
  return PD_OK;
}

static void guard_stop(struct guard *g)
{
  if (!g->started)
    return;
  pthread_mutex_lock(&g->mu);
  g->stop = true;
  pthread_cond_signal(&g->cv);
  pthread_mutex_unlock(&g->mu);
  pthread_join(g->reaper, NULL);
  g->started = false;
}

static void guard_free(struct guard *g)
{
  pthread_cond_destroy(&g->cv);
  pthread_mutex_destroy(&g->mu);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct request *r, int status,
                               const char *type, char *body, size_t len)
{
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
  MHD_destroy_response(resp);
  pd_metrics_request(r->route, status);
  r->status = status;
  return ok;
}

static enum MHD_Result send_text(struct MHD_Connection *c, struct request *r, int status,
                                 const char *text)
{
  char *b = strdup(text);
  return b != NULL ? respond(c, r, status, "text/plain; charset=utf-8", b, strlen(b)) : MHD_NO;
}

#define TOO_BIG_TEXT "body over 64 KiB\n"

/* A declared Content-Length over the cap, answered from the first handler call, before any of
 * the body is read.  libmicrohttpd then stops reading (it shuts the socket down for reading and
 * skips the body) and, with Connection: close, closes the connection after this answer. */
static enum MHD_Result too_big_early(struct MHD_Connection *c, struct request *r)
{
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      strlen(TOO_BIG_TEXT), (void *)TOO_BIG_TEXT, MHD_RESPMEM_PERSISTENT);
  if (resp == NULL)
    return MHD_NO;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
  enum MHD_Result ok = MHD_queue_response(c, 413, resp);
  MHD_destroy_response(resp);
  pd_metrics_request(r->route, 413);
  r->status = 413;
  return ok;
}

/* A body without Content-Length (chunked) that grew past the cap while arriving.  libmicrohttpd
 * 0.9.75 only queues an answer right after the headers or once the whole body is in, so the
 * 413 is written to the socket here, directly: nothing else is being written on it at this
 * point (a 100 Continue, if any, went out in full before the body was read).  Then the write
 * side is shut, and the handler's MHD_NO makes libmicrohttpd close the connection instead of
 * reading the rest. */
static void too_big_midway(struct MHD_Connection *c, struct request *r)
{
  char head[256];
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  int n = snprintf(head, sizeof(head),
                   "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\n"
                   "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %zu\r\n\r\n%s",
                   strlen(TOO_BIG_TEXT), TOO_BIG_TEXT);
  if (ci != NULL && n > 0 && (size_t)n < sizeof(head)) {
    /* Small enough for any socket buffer; if it still does not fit, the client gets a reset. */
    (void)send(ci->connect_fd, head, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(ci->connect_fd, SHUT_WR);
  }
  pd_metrics_request(r->route, 413);
  r->status = 413;
}

static void probe_init(struct probe *p)
{
  pthread_condattr_t ca;
  pthread_mutex_init(&p->mu, NULL);
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&p->cv, &ca);
  pthread_condattr_destroy(&ca);
}

static void probe_free(struct probe *p)
{
  pd_db_close(p->db);
  pthread_cond_destroy(&p->cv);
  pthread_mutex_destroy(&p->mu);
}

/* The probe's own connection.  It prepares only the one named statement it runs (job_depth,
 * from db_jobs.c's table): preparing all of them, as pool connections do, would make /readyz
 * wait on a lock anyone holds on any table. */
/* Prepares the statements named in names (NULL-terminated) from table on db. */
static enum pd_result probe_prepare(struct pd_db *db, const struct pd_db_stmt *table,
                                    const char *const *names)
{
  enum pd_result rc = PD_OK;
  for (const struct pd_db_stmt *st = table; rc == PD_OK && st->name != NULL; st++) {
    bool wanted = false;
    for (size_t i = 0; names[i] != NULL; i++)
      wanted = wanted || strcmp(st->name, names[i]) == 0;
    if (!wanted)
      continue;
    PGresult *res = PQprepare(db->pg, st->name, st->sql, 0, NULL);
    rc = PQresultStatus(res) == PGRES_COMMAND_OK ? PD_OK
         : PQstatus(db->pg) == CONNECTION_OK     ? PD_E_DB_HARD
                                                 : PD_E_DB_DOWN;
    PQclear(res);
  }
  return rc;
}

static enum pd_result probe_connect(struct pd_http *h, struct pd_db **out)
{
  static const char *const names[] = {"job_depth", NULL};
  enum pd_result rc = pd_db_open(h->app->cfg.database_url, PROBE_STATEMENT_MS, false, out, NULL, 0);
  if (rc != PD_OK)
    return rc;
  h->probe.tasks_ready = false;
  rc = probe_prepare(*out, pd_db_jobs_stmts, names);
  if (rc != PD_OK) {
    pd_db_close(*out);
    *out = NULL;
  }
  return rc;
}

/* Reads both values on the probe's connection, connecting as needed, and once more if a kept
 * connection turns out to be broken.  A connection that fails is dropped, so the next refresh
 * (a second later at the soonest) connects afresh. */
/* The scheduler's part of /metrics: a failure leaves it out rather than failing the probe. */
static void probe_tasks(struct pd_http *h, struct pd_db *db, struct probe_values *v)
{
  static const char *const stmts[] = {"sched_latest", "clock_skew", NULL};
  const char *names[PD_METRICS_TASKS_MAX];
  struct pd_sched_last last[PD_METRICS_TASKS_MAX];
  size_t n = 0, found = 0;
  for (const struct pd_task *t = pd_tasks; t->name != NULL && n < PD_METRICS_TASKS_MAX; t++)
    names[n++] = t->name;
  v->ntasks = 0;
  if (!h->probe.tasks_ready)
    h->probe.tasks_ready = probe_prepare(db, pd_db_scheduler_stmts, stmts) == PD_OK;
  if (!h->probe.tasks_ready || pd_db_clock_skew(db, &v->clock_skew_s) != PD_OK ||
      pd_db_sched_latest(db, names, n, last, &found) != PD_OK)
    return;
  for (size_t i = 0; i < found && i < PD_METRICS_TASKS_MAX; i++) {
    struct pd_metrics_task *m = &v->tasks[v->ntasks++];
    snprintf(m->task, sizeof(m->task), "%.31s", last[i].task);
    snprintf(m->state, sizeof(m->state), "%.7s", last[i].state);
    m->started_at = last[i].started_at;
    m->duration_s = last[i].duration_s;
    m->attempts = last[i].attempts;
    m->missed = last[i].missed;
  }
}

static enum pd_result probe_read(struct pd_http *h, struct pd_db **dbp, struct probe_values *v)
{
  enum pd_result rc = PD_E_DB_DOWN;
  for (int attempt = 0; attempt < 2 && rc == PD_E_DB_DOWN; attempt++) {
    bool kept = *dbp != NULL;
    rc = kept ? PD_OK : probe_connect(h, dbp);
    if (rc == PD_OK)
      rc = pd_migrate_current(*dbp, &v->migration);
    if (rc == PD_OK && pd_db_job_depth(*dbp, &v->queue_depth) != PD_OK)
      v->queue_depth = -1;
    if (rc == PD_OK && v->migration >= h->app->latest_migration)
      probe_tasks(h, *dbp, v); /* an older schema has no scheduler_runs yet */
    if (rc == PD_E_DB_DOWN && *dbp != NULL) {
      pd_db_close(*dbp);
      *dbp = NULL;
    }
    if (!kept)
      break; /* a fresh connection that failed: the database is down, not our socket stale */
  }
  return rc;
}

/* The values at most PROBE_FRESH_US old, reading them if they are older. */
static enum pd_result probe_get(struct pd_http *h, struct probe_values *out)
{
  struct probe *p = &h->probe;
  int64_t start = pd_now_us();
  enum pd_result rc;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    if (p->at_us != 0 && pd_now_us() - p->at_us < PROBE_FRESH_US) {
      rc = p->rc;
      *out = p->v;
      pthread_mutex_unlock(&p->mu);
      return rc;
    }
    if (!p->busy)
      break;
    int64_t until = start + PROBE_WAIT_US;
    struct timespec t = {(time_t)(until / 1000000), (long)(until % 1000000) * 1000};
    if (pthread_cond_timedwait(&p->cv, &p->mu, &t) == ETIMEDOUT) {
      pthread_mutex_unlock(&p->mu);
      out->queue_depth = -1;
      out->ntasks = 0;
      return PD_E_DB_DOWN; /* the refresh under way is stuck on the database */
    }
  }
  p->busy = true;
  struct pd_db *db = p->db;
  pthread_mutex_unlock(&p->mu);

  int64_t read_at = pd_now_us();
  struct probe_values v = {.migration = -1, .queue_depth = -1};
  rc = probe_read(h, &db, &v);

  pthread_mutex_lock(&p->mu);
  p->db = db;
  p->busy = false;
  p->at_us = read_at;
  p->rc = rc;
  p->v = v;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  *out = v;
  return rc;
}

static enum MHD_Result readyz(struct pd_http *h, struct MHD_Connection *c, struct request *r)
{
  struct probe_values v;
  char text[160];
  if (atomic_load(&h->app->stopping))
    return send_text(c, r, 503, "stopping\n");
  enum pd_result rc = probe_get(h, &v);
  int current = v.migration;
  if (rc != PD_OK) {
    snprintf(text, sizeof(text), "database unreachable: %s\n", pd_result_str(rc));
    return send_text(c, r, 503, text);
  }
  if (current < h->app->latest_migration) {
    snprintf(text, sizeof(text),
             "database at migration %d, this build needs %d: run popdeck migrate\n", current,
             h->app->latest_migration);
    return send_text(c, r, 503, text);
  }
  return send_text(c, r, 200, "ready\n");
}

static enum MHD_Result metrics(struct pd_http *h, struct MHD_Connection *c, struct request *r)
{
  struct pd_metrics_gauges g = {.followup_queue_depth = -1,
                                .db_pool_in_use = pd_db_pool_in_use(h->app->pool),
                                .db_pool_size = pd_db_pool_size(h->app->pool)};
  struct probe_values v;
  if (probe_get(h, &v) == PD_OK) {
    g.followup_queue_depth = v.queue_depth;
    g.tasks = v.tasks;
    g.ntasks = v.ntasks;
    g.clock_skew_s = v.clock_skew_s;
  }
  char *text = NULL;
  size_t len = 0;
  if (pd_metrics_render(&g, &text, &len) != PD_OK)
    return MHD_NO;
  return respond(c, r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

/* GET /cards/<name>.png from CARDS_DIR.  A name is an id, never a path: anything outside
 * [A-Za-z0-9_-]+.png is 404 before the file system is asked.  Card images never change
 * under a name, so caches may keep them for a year.  Only STORAGE=local publishes here. */
#define MAX_CARD_BYTES (8 * 1024 * 1024)
static enum MHD_Result card_image(struct pd_http *h, struct MHD_Connection *c, struct request *r,
                                  const char *url)
{
  void *data = NULL;
  size_t len = 0;
  if (h->app->cfg.storage != PD_STORAGE_LOCAL) /* s3 and discord cards are not ours to publish */
    return send_text(c, r, 404, "no such card image\n");
  enum pd_result rc =
      pd_storage_local_get(h->app->cfg.cards_dir, url + 7, MAX_CARD_BYTES, &data, &len);
  if (rc == PD_E_NOTFOUND)
    return send_text(c, r, 404, "no such card image\n");
  if (rc != PD_OK)
    return send_text(c, r, 500, "cannot read the card image\n");
  unsigned char hash[crypto_generichash_BYTES_MIN];
  char etag[2 * sizeof(hash) + 3];
  crypto_generichash(hash, sizeof(hash), data, len, NULL, 0);
  etag[0] = '"';
  sodium_bin2hex(etag + 1, sizeof(etag) - 2, hash, sizeof(hash));
  etag[sizeof(etag) - 2] = '"';
  etag[sizeof(etag) - 1] = '\0';
  const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
  bool fresh = inm != NULL && strstr(inm, etag) != NULL;
  struct MHD_Response *resp =
      fresh ? MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
  if (fresh)
    free(data);
  if (resp == NULL)
    return MHD_NO;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "image/png");
  MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                          "public, max-age=31536000, immutable");
  int status = fresh ? 304 : 200;
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
  MHD_destroy_response(resp);
  pd_metrics_request(r->route, status);
  r->status = status;
  return ok;
}

static enum MHD_Result interactions(struct pd_http *h, struct MHD_Connection *c, struct request *r)
{
  struct pd_answer ans;
  const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Signature-Ed25519");
  const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Signature-Timestamp");
  pd_dispatch(h->app, sig, ts, pd_buf_str(&r->body), r->body.len, &ans, &r->log);
  if (ans.body == NULL)
    return send_text(c, r, 500, "out of memory\n");
  return respond(c, r, ans.status, "application/json", ans.body, ans.len);
}

/* POST /webhooks/stripe: the raw body and its Stripe-Signature go to stripe_webhook.c; GET
 * /paid is where Stripe Checkout sends the player back. */
static enum MHD_Result stripe(struct pd_http *h, struct MHD_Connection *c, struct request *r,
                              const char *url, const char *method, bool get)
{
  struct pd_answer ans;
  if (strcmp(url, "/paid") == 0) {
    if (!get)
      return send_text(c, r, 405, "use GET\n");
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "cancelled");
    pd_stripe_paid_page(q != NULL && strcmp(q, "1") == 0, &ans);
    if (ans.body == NULL)
      return send_text(c, r, 500, "out of memory\n");
    return respond(c, r, ans.status, "text/html; charset=utf-8", ans.body, ans.len);
  }
  if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
    return send_text(c, r, 405, "use POST\n");
  const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Stripe-Signature");
  pd_stripe_webhook(h->app, sig, pd_buf_str(&r->body), r->body.len, &ans, &r->log);
  if (ans.body == NULL)
    return send_text(c, r, 500, "out of memory\n");
  return respond(c, r, ans.status, "application/json", ans.body, ans.len);
}

/* POST /events: Discord's webhook events (events.c); 204 answers carry no body. */
static enum MHD_Result events(struct pd_http *h, struct MHD_Connection *c, struct request *r)
{
  struct pd_answer ans;
  const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Signature-Ed25519");
  const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Signature-Timestamp");
  pd_events_handle(h->app, sig, ts, pd_buf_str(&r->body), r->body.len, &ans, &r->log);
  if (ans.body == NULL)
    return send_text(c, r, 500, "out of memory\n");
  return respond(c, r, ans.status, "application/json", ans.body, ans.len);
}

/* /play and below: only in development mode; otherwise as unknown as any other path. */
static enum MHD_Result play(struct pd_http *h, struct MHD_Connection *c, struct request *r,
                            const char *url, const char *method)
{
  if (h->play == NULL)
    return send_text(c, r, 404, "not found\n");
  struct pd_play_answer ans;
  pd_playground_handle(h->play, method, url, pd_buf_str(&r->body), r->body.len, &ans);
  if (ans.body == NULL)
    return send_text(c, r, 500, "out of memory\n");
  return respond(c, r, ans.status, ans.content_type, ans.body, ans.len);
}

/* The query of an admin request, as admin_api.c takes it. */
struct query {
  struct pd_admin_param p[PD_ADMIN_API_QUERY_MAX];
  size_t n;
  bool truncated;
};

static enum MHD_Result query_add(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
  struct query *q = cls;
  if (q->n == PD_ADMIN_API_QUERY_MAX) {
    q->truncated = true;
    return MHD_NO;
  }
  q->p[q->n].name = key;
  q->p[q->n].value = value;
  q->n++;
  return MHD_YES;
}

/* The client's address as text, the key the admin API counts failures by.  An IPv6 client is
 * counted by its /64, which one subscriber usually holds whole. */
static void client_of(struct MHD_Connection *c, char *out, size_t cap)
{
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  snprintf(out, cap, "unknown");
  if (ci == NULL || ci->client_addr == NULL)
    return;
  if (ci->client_addr->sa_family == AF_INET) {
    getnameinfo(ci->client_addr, sizeof(struct sockaddr_in), out, (socklen_t)cap, NULL, 0,
                NI_NUMERICHOST);
  } else if (ci->client_addr->sa_family == AF_INET6) {
    struct sockaddr_in6 a;
    memcpy(&a, ci->client_addr, sizeof(a));
    bool mapped = IN6_IS_ADDR_V4MAPPED(&a.sin6_addr);
    if (!mapped)
      memset(a.sin6_addr.s6_addr + 8, 0, 8);
    a.sin6_scope_id = 0;
    char host[INET6_ADDRSTRLEN + 1] = "unknown";
    getnameinfo((struct sockaddr *)&a, sizeof(a), host, sizeof(host), NULL, 0, NI_NUMERICHOST);
    snprintf(out, cap, "%s%s", host, mapped ? "" : "/64");
  }
}

static enum MHD_Result admin(struct pd_http *h, struct MHD_Connection *c, struct request *r,
                             const char *url, const char *method)
{
  struct query q = {0};
  char client[INET6_ADDRSTRLEN + 8];
  struct pd_admin_response out;
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_add, &q);
  client_of(c, client, sizeof(client));
  const struct pd_admin_request req = {
      .method = method,
      .path = url,
      .query = q.p,
      .nquery = q.n,
      .query_truncated = q.truncated,
      .authorization =
          MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION),
      .client = client,
      .body = pd_buf_str(&r->body),
      .body_len = r->body.len,
  };
  pd_admin_api_handle(h->admin, &req, &out);
  memcpy(r->log.ref, out.ref, sizeof(r->log.ref));
  snprintf(r->log.command, sizeof(r->log.command), "%s", out.op);
  r->log.error = out.error;
  if (out.body == NULL)
    return send_text(c, r, 500, "out of memory\n");
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(out.len, out.body, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(out.body);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  for (size_t i = 0; i < out.nheaders; i++)
    MHD_add_response_header(resp, out.headers[i].name, out.headers[i].value);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)out.status, resp);
  MHD_destroy_response(resp);
  pd_metrics_request(r->route, out.status);
  r->status = out.status;
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  struct front *f = cls;
  struct pd_http *h = f->h;
  struct request *r = *con_cls;
  if (r == NULL) {
    r = calloc(1, sizeof(*r));
    if (r == NULL)
      return MHD_NO;
    r->start_us = pd_now_us();
    r->route = route_of(url);
    pd_buf_init(&r->body, PD_MAX_BODY);
    atomic_fetch_add(&h->app->inflight, 1);
    *con_cls = r;
    /* Refuse a declared oversize body before reading it.  (libmicrohttpd has already
     * refused a Content-Length that is not a number.) */
    const char *cl =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > PD_MAX_BODY) {
      conn_reading(h, c, false);
      return too_big_early(c, r);
    }
    return MHD_YES;
  }
  if (*upload_size > 0) {
    enum pd_result rc = pd_buf_add(&r->body, upload, *upload_size);
    if (rc == PD_E_TOOBIG) {
      too_big_midway(c, r);
      return MHD_NO;
    }
    if (rc != PD_OK)
      return MHD_NO;
    *upload_size = 0;
    return MHD_YES;
  }
  conn_reading(h, c, false); /* the whole request is in: the deadline no longer applies */

  bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
  /* With an ops listener, /readyz and /metrics live only there, and it serves nothing else
   * but /healthz. */
  bool ops_route = r->route == PD_ROUTE_READYZ || r->route == PD_ROUTE_METRICS;
  if (f->ops ? !(ops_route || r->route == PD_ROUTE_HEALTHZ) : ops_route && h->ops.d != NULL)
    return send_text(c, r, 404, "not found\n");
  switch (r->route) {
  case PD_ROUTE_INTERACTIONS:
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
      return send_text(c, r, 405, "use POST\n");
    return interactions(h, c, r);
  case PD_ROUTE_HEALTHZ:
    return get ? send_text(c, r, 200, "ok\n") : send_text(c, r, 405, "use GET\n");
  case PD_ROUTE_READYZ:
    return get ? readyz(h, c, r) : send_text(c, r, 405, "use GET\n");
  case PD_ROUTE_METRICS:
    return get ? metrics(h, c, r) : send_text(c, r, 405, "use GET\n");
  case PD_ROUTE_CARDS:
    return get ? card_image(h, c, r, url) : send_text(c, r, 405, "use GET\n");
  case PD_ROUTE_ADMIN:
    return admin(h, c, r, url, method);
  case PD_ROUTE_STRIPE:
    return stripe(h, c, r, url, method, get);
  case PD_ROUTE_EVENTS:
    return strcmp(method, MHD_HTTP_METHOD_POST) == 0 ? events(h, c, r)
                                                     : send_text(c, r, 405, "use POST\n");
  case PD_ROUTE_PLAY:
    return play(h, c, r, url, method);
  default:
    return send_text(c, r, 404, "not found\n");
  }
}

static void on_complete(void *cls, struct MHD_Connection *c, void **con_cls,
                        enum MHD_RequestTerminationCode toe)
{
  struct pd_http *h = cls;
  struct request *r = *con_cls;
  if (r == NULL)
    return;
  int status = r->status;
  json_t *f = json_pack("{s:s, s:i, s:f}", "route", pd_route_name(r->route), "status", status,
                        "duration_ms", (double)(pd_now_us() - r->start_us) / 1000.0);
  if (r->log.ix_type != 0)
    json_object_set_new(f, "interaction_type", json_integer(r->log.ix_type));
  if (r->log.command[0] != '\0')
    json_object_set_new(f, "command", json_string(r->log.command));
  if (r->log.user_id[0] != '\0')
    json_object_set_new(f, "user_id", json_string(r->log.user_id));
  if (r->log.ref[0] != '\0')
    json_object_set_new(f, "ref", json_string(r->log.ref));
  if (r->log.error != NULL)
    json_object_set_new(f, "error", json_string(r->log.error));
  if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
    json_object_set_new(f, "aborted", json_true());
  if (r->route != PD_ROUTE_HEALTHZ && r->route != PD_ROUTE_METRICS && r->route != PD_ROUTE_CARDS)
    pd_log(status >= 500 || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK ? "warn" : "info", "request",
           f);
  else
    json_decref(f);
  pd_buf_free(&r->body);
  free(r);
  *con_cls = NULL;
  conn_reading(h, c, true); /* a kept-alive connection's next request starts its own deadline */
  atomic_fetch_sub(&h->app->inflight, 1);
}

/* Starts one daemon of h on host:port; var names the variable for error lines. */
static enum pd_result front_start(struct pd_http *h, struct front *f, const char *var,
                                  const char *host, int port, unsigned threads, int *port_out)
{
  struct addrinfo hints = {0}, *ai = NULL;
  char portstr[8];
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  snprintf(portstr, sizeof(portstr), "%d", port);
  if (getaddrinfo(host, portstr, &hints, &ai) != 0) {
    fprintf(stderr,
            "%s: %s is not a numeric address (an IP address of this machine, e.g. 10.0.0.5)\n", var,
            host);
    return PD_E_INVALID;
  }
  f->h = h;
  unsigned flags =
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (ai->ai_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  f->d =
      MHD_start_daemon(flags, 0, NULL, NULL, on_request, f, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                       MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_NOTIFY_COMPLETED,
                       on_complete, h, MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
                       /* idle: still what ends a client that stops reading its answer */
                       MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 4096u,
                       /* 0 is libmicrohttpd's "no cap" too */
                       MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)h->app->cfg.http_conns_per_ip,
                       MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
  freeaddrinfo(ai);
  if (f->d == NULL) {
    pd_log_error("%s: cannot listen on %s:%d (in use, or not an address of this machine)", var,
                 host, port);
    return PD_E_IO;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
  *port_out = di != NULL ? di->port : port;
  return PD_OK;
}

enum pd_result pd_http_start(struct pd_app *app, struct pd_http **out, int *port_out)
{
  struct pd_http *h = calloc(1, sizeof(*h));
  if (h == NULL)
    return PD_E_NOMEM;
  h->app = app;
  h->ops.ops = true;
  enum pd_result arc = pd_admin_api_new(app, &h->admin);
  if (arc != PD_OK) {
    free(h);
    return arc == PD_E_IO ? PD_E_INVALID : arc;
  }
  probe_init(&h->probe);
  if (guard_start(&h->guard, app->cfg.http_request_deadline_s) != PD_OK) {
    guard_free(&h->guard);
    probe_free(&h->probe);
    pd_admin_api_free(h->admin);
    free(h);
    return PD_E_NOMEM;
  }
  enum pd_result rc = PD_OK;
  /* The ops daemon first: while it is not up, the main one must not drop /readyz. */
  if (app->cfg.ops_host != NULL)
    rc = front_start(h, &h->ops, "OPS_LISTEN_ADDR", app->cfg.ops_host, app->cfg.ops_port, 2,
                     &h->ops_port);
  if (rc == PD_OK)
    rc = front_start(h, &h->main, "LISTEN_ADDR", app->cfg.listen_host, app->cfg.listen_port,
                     (unsigned)app->cfg.http_threads, port_out);
  if (rc == PD_OK)
    rc = pd_playground_new(app, *port_out, &h->play);
  if (rc != PD_OK) {
    pd_http_stop(h);
    return rc;
  }
  pd_admin_api_started(h->admin);
  *out = h;
  return PD_OK;
}

int pd_http_ops_port(const struct pd_http *h)
{
  return h != NULL && h->ops.d != NULL ? h->ops_port : 0;
}

void pd_http_quiesce(struct pd_http *h)
{
  if (h == NULL)
    return;
  MHD_quiesce_daemon(h->main.d);
  if (h->ops.d != NULL)
    MHD_quiesce_daemon(h->ops.d);
}

void pd_http_stop(struct pd_http *h)
{
  if (h == NULL)
    return;
  /* Each closes every connection it has, each through on_connection. */
  if (h->main.d != NULL)
    MHD_stop_daemon(h->main.d);
  if (h->ops.d != NULL)
    MHD_stop_daemon(h->ops.d);
  guard_stop(&h->guard);
  guard_free(&h->guard);
  probe_free(&h->probe);
  pd_admin_api_free(h->admin);
  pd_playground_free(h->play);
  free(h);
}
