/* e2e_http.c - the HTTP front against clients that misbehave on the wire: oversize bodies
 * (declared and chunked), clients that trickle a request byte by byte, too many connections
 * from one address; and the ops routes (/readyz, /metrics) kept off the shared database pool
 * and, with OPS_LISTEN_ADDR, off the main listener.  Real `popdeck serve` over raw loopback
 * sockets where curl would not misbehave the way an attacker does, real PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

static struct pd_e2e E;

/* Server 1 runs with small limits so the tests need neither minutes nor thousands of sockets. */
#define DEADLINE_S 3
#define CONNS_PER_IP 4
static const char *const limits_env[] = {"HTTP_REQUEST_DEADLINE=3", "HTTP_CONNS_PER_IP=4", NULL};

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "http") != 0)
    return -1;
  return pd_e2e_server_start(&E, 1, limits_env);
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

static int64_t now_ms(void)
{
  return pd_now_us() / 1000;
}

/* A TCP connection to 127.0.0.1:port from local address from ("127.0.0.1", "127.0.0.2", ...:
 * all of 127/8 is loopback, so a second client address needs no network). */
static int dial(int port, const char *from)
{
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in me = {.sin_family = AF_INET}, srv = {.sin_family = AF_INET};
  inet_pton(AF_INET, from, &me.sin_addr);
  inet_pton(AF_INET, "127.0.0.1", &srv.sin_addr);
  srv.sin_port = htons((uint16_t)port);
  if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof(me)) != 0 ||
      connect(fd, (struct sockaddr *)&srv, sizeof(srv)) != 0) {
    fail_msg("cannot connect from %s to port %d: %s", from, port, strerror(errno));
  }
  return fd;
}

static bool send_all(int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    p += n;
    len -= (size_t)n;
  }
  return true;
}

/* Reads until the peer closes (returns true, *got bytes in buf) or timeout_ms passes
 * (returns false).  A reset after data counts as closed. */
static bool read_to_close(int fd, char *buf, size_t cap, size_t *got, int timeout_ms)
{
  int64_t until = now_ms() + timeout_ms;
  *got = 0;
  buf[0] = '\0';
  for (;;) {
    int left = (int)(until - now_ms());
    if (left <= 0)
      return false;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, left) <= 0)
      continue;
    char tmp[4096];
    ssize_t n = recv(fd, tmp, sizeof(tmp), 0);
    if (n == 0 || (n < 0 && errno == ECONNRESET))
      return true;
    if (n < 0)
      return false;
    size_t keep = (size_t)n < cap - 1 - *got ? (size_t)n : cap - 1 - *got;
    memcpy(buf + *got, tmp, keep);
    *got += keep;
    buf[*got] = '\0';
  }
}

/* One full request on an open connection, answer read up to its end (Content-Length).
 * Returns the status, 0 when no answer came. */
static int request_on(int fd, const char *path)
{
  char req[256], buf[4096];
  snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
  if (!send_all(fd, req, strlen(req)))
    return 0;
  size_t got = 0;
  int64_t until = now_ms() + 5000;
  while (got < sizeof(buf) - 1 && now_ms() < until) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 100) <= 0)
      continue;
    ssize_t n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
    if (n <= 0)
      break;
    got += (size_t)n;
    buf[got] = '\0';
    const char *end = strstr(buf, "\r\n\r\n");
    const char *cl = strcasestr(buf, "Content-Length: ");
    if (end != NULL && cl != NULL && (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10) <= got)
      break;
  }
  int status = 0;
  if (got > 12 && strncmp(buf, "HTTP/1.1 ", 9) == 0)
    status = (int)strtol(buf + 9, NULL, 10);
  return status;
}

/* A signed PING to server idx; its status, and in *ms how long it took. */
static long ping(int idx, int64_t *ms)
{
  const char *body = PD_E2E_PING_BODY;
  struct pd_http_reply r;
  int64_t t0 = now_ms();
  long st = pd_e2e_post_signed(&E, idx, body, strlen(body), NULL, &r);
  *ms = now_ms() - t0;
  if (st == 200 && strcmp(r.body, "{\"type\":1}") != 0)
    st = -1;
  pd_http_reply_free(&r);
  return st;
}

/* Issue 8, defect 9: a 6 GiB Content-Length is refused right after the headers, and the
 * connection is closed without one byte of the body being sent (with and without the
 * Expect: 100-continue that curl sends for large bodies: no 100 may come first). */
static void test_declared_6gib_is_413_before_the_body(void **state)
{
  const char *expect[] = {"", "Expect: 100-continue\r\n"};
  for (size_t i = 0; i < PD_ARRAY_LEN(expect); i++) {
    char ts[24], sig[129], head[1024], buf[2048];
    snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
    pd_e2e_sign(&E, ts, "{}", 2, sig);
    snprintf(head, sizeof(head),
             "POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: 6442450944\r\nX-Signature-Ed25519: %s\r\nX-Signature-Timestamp: "
             "%s\r\n%s\r\n",
             sig, ts, expect[i]);
    int fd = dial(E.srv[0].port, "127.0.0.1");
    assert_true(send_all(fd, head, strlen(head)));
    int64_t t0 = now_ms();
    size_t got = 0;
    bool closed = read_to_close(fd, buf, sizeof(buf), &got, 3000);
    int64_t took = now_ms() - t0;
    close(fd);
    if (!closed)
      fail_msg(
          "row %zu: the server kept the connection open %lld ms waiting for the body (got \"%s\")",
          i, (long long)took, buf);
    if (strncmp(buf, "HTTP/1.1 413 ", 13) != 0)
      fail_msg("row %zu: expected a 413 first, got \"%s\"", i, buf);
    assert_non_null(strstr(buf, "body over 64 KiB"));
    assert_true(took < 2000);
  }
  int64_t ms;
  assert_int_equal(ping(0, &ms), 200); /* and the server is none the worse */
}

/* A chunked body (no Content-Length) is cut off soon after it passes 64 KiB: 413, closed,
 * instead of being read to its end (this one never ends). */
static void test_chunked_body_past_64k_is_cut_off(void **state)
{
  char ts[24], sig[129], head[1024], buf[2048];
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  pd_e2e_sign(&E, ts, "{}", 2, sig);
  snprintf(
      head, sizeof(head),
      "POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nX-Signature-Ed25519: %s\r\nX-Signature-Timestamp: %s\r\n\r\n",
      sig, ts);
  int fd = dial(E.srv[0].port, "127.0.0.1");
  struct timeval tv = {2, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  assert_true(send_all(fd, head, strlen(head)));
  static char chunk[4096 + 16];
  memcpy(chunk, "1000\r\n", 6);
  memset(chunk + 6, ' ', 4096);
  memcpy(chunk + 6 + 4096, "\r\n", 2);
  size_t sent = 0;
  while (sent < 16 * 1024 * 1024 && send_all(fd, chunk, 6 + 4096 + 2))
    sent += 4096;
  size_t got = 0;
  bool closed = read_to_close(fd, buf, sizeof(buf), &got, 3000);
  close(fd);
  if (!closed || strncmp(buf, "HTTP/1.1 413 ", 13) != 0)
    fail_msg("after %zu body bytes: closed=%d, got \"%s\"", sent, closed, buf);
  assert_true(sent < 16 * 1024 * 1024); /* it stopped reading well before we stopped writing */
}

struct trickler {
  int port;
  const char *start; /* sent at once */
  const char *drip;  /* then one of these a second */
  int64_t cut_ms;    /* how long until the server hung up, -1 if it never did */
};

static void *trickle(void *arg)
{
  struct trickler *t = arg;
  int fd = dial(t->port, "127.0.0.1");
  int64_t t0 = now_ms();
  t->cut_ms = -1;
  bool ok = send_all(fd, t->start, strlen(t->start));
  while (ok && now_ms() - t0 < 4 * DEADLINE_S * 1000) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 1000) > 0) {
      char b[256];
      ssize_t n = recv(fd, b, sizeof(b), 0);
      if (n <= 0)
        break;
    }
    ok = send_all(fd, t->drip, strlen(t->drip));
  }
  if (now_ms() - t0 < 4 * DEADLINE_S * 1000)
    t->cut_ms = now_ms() - t0;
  close(fd);
  return NULL;
}

/* Issue 8, defect 9: clients that send a header line, or a body byte, every second (each
 * byte restarts an idle timeout) are hung up on by the hard deadline; while they trickle, a
 * signed PING on another connection is answered fast. */
static void test_tricklers_hit_the_deadline(void **state)
{
  struct trickler t[] = {
      {E.srv[1].port, "POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: y\r\n", 0},
      {E.srv[1].port,
       "POST /interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n", "{", 0},
  };
  pthread_t th[PD_ARRAY_LEN(t)];
  for (size_t i = 0; i < PD_ARRAY_LEN(t); i++)
    pthread_create(&th[i], NULL, trickle, &t[i]);
  int64_t worst = 0;
  for (int i = 0; i < 4; i++) {
    usleep(500000);
    int64_t ms;
    assert_int_equal(ping(1, &ms), 200);
    worst = ms > worst ? ms : worst;
  }
  for (size_t i = 0; i < PD_ARRAY_LEN(t); i++)
    pthread_join(th[i], NULL);
  for (size_t i = 0; i < PD_ARRAY_LEN(t); i++) {
    if (t[i].cut_ms < 0)
      fail_msg("trickler %zu was still connected after %d s (deadline %d s)", i, 4 * DEADLINE_S,
               DEADLINE_S);
    if (t[i].cut_ms < DEADLINE_S * 1000 - 200 || t[i].cut_ms > DEADLINE_S * 1000 + 2500)
      fail_msg("trickler %zu hung up on after %lld ms, deadline %d s", i, (long long)t[i].cut_ms,
               DEADLINE_S);
  }
  if (worst > 1000)
    fail_msg("a PING took %lld ms while clients trickled", (long long)worst);
  /* A request sent at once on a kept-alive connection is not cut: the deadline is per request. */
  int fd = dial(E.srv[1].port, "127.0.0.1");
  for (int i = 0; i < 3; i++) {
    assert_int_equal(request_on(fd, "/healthz"), 200);
    usleep(DEADLINE_S * 1000000 / 2);
  }
  close(fd);
}

/* Issue 8, defect 9: connections per client address are capped (HTTP_CONNS_PER_IP=4 on
 * server 1).  The fifth from 127.0.0.1 is closed unanswered; a client on another address
 * (127.0.0.2) is served meanwhile; once two close, 127.0.0.1 is served again. */
static void test_connections_capped_per_address(void **state)
{
  int held[CONNS_PER_IP];
  for (int i = 0; i < CONNS_PER_IP; i++) {
    held[i] = dial(E.srv[1].port, "127.0.0.1");
    /* A full answer on each proves the server counts it before the next one dials. */
    if (request_on(held[i], "/healthz") != 200)
      fail_msg("connection %d of %d was not served", i + 1, CONNS_PER_IP);
  }
  int extra = dial(E.srv[1].port, "127.0.0.1");
  assert_int_equal(request_on(extra, "/healthz"), 0);
  close(extra);

  int other = dial(E.srv[1].port, "127.0.0.2");
  assert_int_equal(request_on(other, "/healthz"), 200);
  close(other);

  close(held[0]);
  close(held[1]);
  usleep(300000); /* the server notices the two closes */
  for (int i = 0; i < 2; i++) {
    held[i] = dial(E.srv[1].port, "127.0.0.1");
    if (request_on(held[i], "/healthz") != 200)
      fail_msg("after two closed, new connection %d was not served", i + 1);
  }
  for (int i = 0; i < CONNS_PER_IP; i++)
    close(held[i]);
}

static void restart_server1(const char *const *env)
{
  int status;
  if (E.srv[1].proc != NULL)
    pd_e2e_server_stop(&E, 1, SIGTERM, 10000, &status);
  assert_int_equal(pd_e2e_server_start(&E, 1, env), 0);
}

static long get_ms(int idx, const char *path, int64_t *ms, struct pd_http_reply *out)
{
  int64_t t0 = now_ms();
  long st = pd_e2e_get(&E, idx, path, out);
  *ms = now_ms() - t0;
  return st;
}

struct blocked_post {
  const char *user;
  long status;
};

static void *post_balance(void *arg)
{
  struct blocked_post *b = arg;
  json_t *ix = pd_e2e_command("balance", b->user);
  b->status = pd_e2e_post(&E, 1, ix, NULL);
  json_decref(ix);
  return NULL;
}

/* Issue 8, defect 14: /readyz and /metrics take no connection from the shared pool.  With
 * DB_POOL_SIZE=2 and both connections held by /balance requests stuck behind a table lock,
 * /readyz still answers 200 (it used to wait a second for the pool, then say 503) and
 * /metrics still reads the follow-up queue depth. */
static void test_ops_routes_stay_off_the_shared_pool(void **state)
{
  /* No follow-up workers: a worker still connecting when the lock is taken would wait on it
   * too (connections prepare their statements), and only the pool's waits are counted below.
   * No scheduler either: its expire sweeps (every 5 s in the suites) read users, so one would
   * wait on the lock as a third session, and a count of waiters that includes it is wrong. */
  static const char *const env[] = {"DB_POOL_SIZE=2", "FOLLOWUP_WORKERS=0", "SCHEDULER=0", NULL};
  restart_server1(env);
  /* Both pool connections open (they prepare their statements on connecting) before the lock. */
  struct blocked_post b[2] = {{"700000000000000901", 0}, {"700000000000000902", 0}};
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&th[i], NULL, post_balance, &b[i]);
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  /* The lock holder's own session: should the test fail half-way, the server ends it (and the
   * lock) by itself 5 s later. */
  PGconn *locker = PQconnectdb(E.db_url);
  assert_int_equal(PQstatus(locker), CONNECTION_OK);
  PGresult *res = PQexec(locker, "SET idle_in_transaction_session_timeout = '5s'; BEGIN;"
                                 " LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
  assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  /* One at a time, each once the previous one holds its connection: requests that arrive
   * together may be accepted by the same HTTP thread, and wait behind each other there. */
  struct pd_http_reply r;
  int64_t ms;
  for (int k = 0; k < 2; k++) {
    pthread_create(&th[k], NULL, post_balance, &b[k]);
    /* Seen from PostgreSQL: k + 1 sessions wait for the lock, each a pool connection. */
    bool held = false;
    int64_t waiting = 0;
    for (int i = 0; i < 150 && !held; i++) {
      waiting = pd_e2e_sql_int(
          &E, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
              " AND wait_event_type = 'Lock'");
      held = waiting == k + 1;
      if (!held)
        usleep(20000);
    }
    if (!held)
      fail_msg("/balance %d never waited on the lock (%lld sessions waiting)", k + 1,
               (long long)waiting);
  }
  assert_int_equal(get_ms(1, "/metrics", &ms, &r), 200);
  assert_non_null(strstr(r.body, "\npopdeck_db_pool_in_use 2\n"));
  pd_http_reply_free(&r);
  for (int i = 0; i < 3; i++) {
    long st = get_ms(1, "/readyz", &ms, &r);
    if (st != 200 || ms > 500)
      fail_msg("/readyz with the pool exhausted: %ld \"%s\" in %lld ms", st, r.body, (long long)ms);
    pd_http_reply_free(&r);
    st = get_ms(1, "/metrics", &ms, &r);
    if (st != 200 || ms > 500 || strstr(r.body, "popdeck_followup_queue_depth 0\n") == NULL)
      fail_msg("/metrics with the pool exhausted: %ld in %lld ms, depth line %s", st, (long long)ms,
               strstr(r.body, "popdeck_followup_queue_depth") != NULL ? "wrong" : "missing");
    pd_http_reply_free(&r);
    usleep(400000); /* past the cached second by the third round */
  }
  res = PQexec(locker, "COMMIT");
  PQclear(res);
  PQfinish(locker);
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
}

/* The distinct times the server's ops connection last started a query, sampled from
 * pg_stat_activity (live, not the delayed statistics) while /readyz and /metrics are
 * hammered; each refresh of the cached answer is one new time. */
static void *hammer(void *arg)
{
  int *count = arg;
  int64_t until = now_ms() + 2000;
  while (now_ms() < until) {
    struct pd_http_reply r;
    long st = pd_e2e_get(&E, 1, (*count % 2) == 0 ? "/readyz" : "/metrics", &r);
    pd_http_reply_free(&r);
    if (st == 200)
      (*count)++;
  }
  return NULL;
}

/* Issue 8, defect 14: many /readyz and /metrics calls within a second reach the database at
 * most once a second, and the answer is never more than about a second old. */
static void test_ops_answers_cached_at_most_a_second(void **state)
{
  char seen[64][64];
  int nseen = 0, count = 0;
  pthread_t th;
  pthread_create(&th, NULL, hammer, &count);
  int64_t until = now_ms() + 2000;
  while (now_ms() < until) {
    char t[64];
    pd_e2e_sql_text(&E,
                    "SELECT coalesce(max(query_start)::text, '') FROM pg_stat_activity WHERE "
                    "datname = current_database()"
                    " AND pid <> pg_backend_pid() AND (query LIKE '%schema_migrations%'"
                    " OR (query LIKE '%FROM followup_jobs WHERE status = ''pending''%' AND query "
                    "NOT LIKE '%next_attempt_at%') OR query LIKE '%unnest($1::text[]) AS t(task)%'"
                    " OR query LIKE '%FROM pd_clock))%')",
                    t, sizeof(t));
    bool known = t[0] == '\0';
    for (int i = 0; i < nseen && !known; i++)
      known = strcmp(seen[i], t) == 0;
    if (!known && nseen < 64)
      snprintf(seen[nseen++], sizeof(seen[0]), "%s", t);
    usleep(10000);
  }
  pthread_join(th, NULL);
  if (count < 50 || nseen < 1 || nseen > 4)
    fail_msg("%d ops requests in 2 s reached the database %d times (want 1 to 4)", count, nseen);

  /* Staleness: an answer cached just now may outlive a change, but not by more than ~1 s.
   * First let what the hammering cached expire, so the next /readyz reads afresh. */
  struct pd_http_reply r;
  int64_t ms;
  usleep(1100000);
  assert_int_equal(get_ms(1, "/readyz", &ms, &r), 200);
  pd_http_reply_free(&r);
  int64_t cached_at = now_ms();
  assert_true(pd_e2e_sql(&E, "CREATE TABLE saved_migration AS SELECT * FROM schema_migrations"
                             " WHERE version = (SELECT max(version) FROM schema_migrations)"));
  assert_true(pd_e2e_sql(&E, "DELETE FROM schema_migrations WHERE version = (SELECT max(version) "
                             "FROM schema_migrations)"));
  int64_t changed_at = now_ms();
  long first = get_ms(1, "/readyz", &ms, &r);
  pd_http_reply_free(&r);
  int64_t first_after = now_ms() - cached_at;
  long st = first;
  while (st != 503 && now_ms() - changed_at < 3000) {
    usleep(50000);
    st = get_ms(1, "/readyz", &ms, &r);
    pd_http_reply_free(&r);
  }
  int64_t lag = now_ms() - changed_at;
  assert_true(pd_e2e_sql(&E, "INSERT INTO schema_migrations SELECT * FROM saved_migration"));
  assert_true(pd_e2e_sql(&E, "DROP TABLE saved_migration"));
  if (first_after < 800 && first != 200)
    fail_msg("/readyz went to the database again %lld ms after the last read",
             (long long)first_after);
  if (st != 503 || lag > 1500)
    fail_msg("/readyz still said ready %lld ms after the database fell behind", (long long)lag);
}

/* Issue 8, defect 14: with OPS_LISTEN_ADDR, /readyz and /metrics are served there only (404 on
 * the main listener), /healthz on both, and /interactions never on the ops listener. */
static void test_ops_listen_addr(void **state)
{
  char ops_env[64];
  int ops_port = pd_proc_free_port();
  snprintf(ops_env, sizeof(ops_env), "OPS_LISTEN_ADDR=127.0.0.1:%d", ops_port);
  const char *const env[] = {ops_env, NULL};
  restart_server1(env);
  char want[64];
  snprintf(want, sizeof(want), "\"ops_port\":%d", ops_port);
  assert_true(pd_e2e_log_has(&E, 1, want));

  struct pd_http_reply r;
  struct {
    const char *method, *path;
    long on_main, on_ops;
  } rows[] = {
      {"GET", "/healthz", 200, 200},
      {"GET", "/readyz", 404, 200},
      {"GET", "/metrics", 404, 200},
      {"POST", "/interactions", 401, 404}, /* unsigned: 401 means it reached the handler */
      {"GET", "/cards/none.png", 404, 404},
      {"GET", "/nope", 404, 404},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char url[128];
    int ports[2] = {E.srv[1].port, ops_port};
    long want_st[2] = {rows[i].on_main, rows[i].on_ops};
    for (int k = 0; k < 2; k++) {
      snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", ports[k], rows[i].path);
      pd_http_do(rows[i].method, url, NULL, NULL, 0, &r);
      if (r.status != want_st[k])
        fail_msg("%s %s on the %s listener: %ld, want %ld", rows[i].method, rows[i].path,
                 k == 0 ? "main" : "ops", r.status, want_st[k]);
      if (k == 1 && strcmp(rows[i].path, "/metrics") == 0)
        assert_non_null(strstr(r.body, "popdeck_followup_queue_depth 0\n"));
      pd_http_reply_free(&r);
    }
  }
  int64_t ms;
  assert_int_equal(ping(1, &ms), 200); /* signed interactions still work on the main listener */

  /* Unset, as before: everything on the main listener. */
  restart_server1(NULL);
  assert_int_equal(pd_e2e_get(&E, 1, "/readyz", &r), 200);
  pd_http_reply_free(&r);
  assert_int_equal(pd_e2e_get(&E, 1, "/metrics", &r), 200);
  pd_http_reply_free(&r);
}

/* A malformed or non-numeric OPS_LISTEN_ADDR stops serve with one line naming it, exit 2. */
static void test_bad_ops_listen_addr_exits_2(void **state)
{
  const char *rows[][2] = {
      {"nonsense", "OPS_LISTEN_ADDR: must be HOST:PORT"},
      {"127.0.0.1:99999", "OPS_LISTEN_ADDR: must be HOST:PORT"},
      {"localhost:9090", "OPS_LISTEN_ADDR: localhost is not a numeric address"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char cmd[2048], out[1024];
    snprintf(cmd, sizeof(cmd),
             "timeout 20 env DATABASE_URL=\"%s\" DISCORD_PUBLIC_KEY=%s DISCORD_APPLICATION_ID=%s "
             "LISTEN_ADDR=127.0.0.1:%d"
             " ADMIN_FILE=/nonexistent/admin.json OPS_LISTEN_ADDR=%s %s/popdeck serve 2>&1",
             E.db_url, E.pk_hex, PD_E2E_APP_ID, pd_proc_free_port(), rows[i][0], E.build);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 2)
      fail_msg("OPS_LISTEN_ADDR=%s: exit %d, output \"%s\"", rows[i][0], WEXITSTATUS(status), out);
    if (strncmp(out, rows[i][1], strlen(rows[i][1])) != 0 || strchr(out, '\n') != out + n - 1)
      fail_msg("OPS_LISTEN_ADDR=%s: want one line \"%s...\", got \"%s\"", rows[i][0], rows[i][1],
               out);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_declared_6gib_is_413_before_the_body),
      PD_E2E_TEST(test_chunked_body_past_64k_is_cut_off),
      PD_E2E_TEST(test_tricklers_hit_the_deadline),
      PD_E2E_TEST(test_connections_capped_per_address),
      PD_E2E_TEST(test_ops_routes_stay_off_the_shared_pool),
      PD_E2E_TEST(test_ops_answers_cached_at_most_a_second),
      PD_E2E_TEST(test_ops_listen_addr),
      PD_E2E_TEST(test_bad_ops_listen_addr_exits_2),
  };
  return cmocka_run_group_tests_name("e2e_http", tests, setup, teardown);
}
