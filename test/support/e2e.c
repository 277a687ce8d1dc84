/* e2e.c - the end-to-end harness (see e2e.h). */
#include "e2e.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ixbuild.h"
#include "sig.h"

static void record_followups(struct pd_e2e *e);

/* The suite whose database pd_e2e_audited checks (NULL: the suite has none). */
static struct pd_e2e *audited_suite;

/* Rebuilds base (a libpq URL or keyword string) with another dbname, as keywords. */
static bool with_dbname(const char *base, const char *dbname, char *out, size_t outlen)
{
  char *err = NULL;
  PQconninfoOption *opts = PQconninfoParse(base, &err);
  if (opts == NULL) {
    fprintf(stderr, "e2e: PD_TEST_DATABASE_URL: %s\n", err != NULL ? err : "unparsable");
    PQfreemem(err);
    return false;
  }
  size_t n = 0;
  out[0] = '\0';
  for (PQconninfoOption *o = opts; o->keyword != NULL; o++) {
    const char *v = strcmp(o->keyword, "dbname") == 0 ? dbname : o->val;
    if (v == NULL || v[0] == '\0')
      continue;
    int w = snprintf(out + n, outlen - n, "%s%s='%s'", n > 0 ? " " : "", o->keyword, v);
    if (w < 0 || (size_t)w >= outlen - n) {
      PQconninfoFree(opts);
      return false;
    }
    n += (size_t)w;
  }
  PQconninfoFree(opts);
  return true;
}

static bool admin_sql(const char *sql)
{
  const char *url = getenv("PD_TEST_DATABASE_URL");
  if (url == NULL)
    return false; /* PQconnectdb(NULL) crashes; setup has said what is missing */
  PGconn *c = PQconnectdb(url);
  bool ok = PQstatus(c) == CONNECTION_OK;
  if (ok) {
    PGresult *r = PQexec(c, sql);
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
      fprintf(stderr, "e2e: %s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
  } else {
    fprintf(stderr, "e2e: cannot reach the test cluster: %s", PQerrorMessage(c));
  }
  PQfinish(c);
  return ok;
}

/* The environment every server of the suite shares. */
static void base_env(struct pd_e2e *e, int port, char env[][1100], size_t *n)
{
  size_t i = 0;
  snprintf(env[i++], 1100, "DATABASE_URL=%s", e->db_url);
  snprintf(env[i++], 1100, "DISCORD_PUBLIC_KEY=%s", e->pk_hex);
  snprintf(env[i++], 1100, "DISCORD_APPLICATION_ID=%s", PD_E2E_APP_ID);
  snprintf(env[i++], 1100, "DISCORD_API_BASE=%s", pd_double_api_base(e->dbl));
  snprintf(env[i++], 1100, "LISTEN_ADDR=127.0.0.1:%d", port);
  snprintf(env[i++], 1100, "ADMIN_FILE=/nonexistent/admin.json");
  snprintf(env[i++], 1100, "HTTP_THREADS=8");
  snprintf(env[i++], 1100, "DB_POOL_SIZE=8");
  snprintf(env[i++], 1100, "CARDS_DIR=%s", e->cards_dir);
  /* Suites send many commands from one player in a moment (races, paging); the per-player
   * limit has its own suite (e2e_ratelimit), which sets it. */
  snprintf(env[i++], 1100, "RATE_LIMIT_COMMANDS=0");
  /* The economy's sweeps every 5 s rather than every minute, so that the suites that wait for
   * one wait seconds; the scheduler's own suite (e2e_scheduler) sets its periods itself. */
  snprintf(env[i++], 1100, "SCHEDULER_PERIODS=expire:5");
  snprintf(env[i++], 1100, "SCHEDULER_TICK_MS=200");
  *n = i;
}

int pd_e2e_server_start(struct pd_e2e *e, int idx, const char *const *extra)
{
  char env[16][1100];
  const char *envp[32];
  size_t n = 0;
  struct pd_e2e_server *s = &e->srv[idx];
  s->port = pd_proc_free_port();
  base_env(e, s->port, env, &n);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    /* A variable in extra replaces the suite's own (getenv would find the first of two). */
    size_t name = strcspn(env[i], "=") + 1;
    bool replaced = false;
    for (size_t j = 0; extra != NULL && extra[j] != NULL; j++)
      replaced = replaced || strncmp(env[i], extra[j], name) == 0;
    if (!replaced)
      envp[k++] = env[i];
  }
  for (size_t i = 0; extra != NULL && extra[i] != NULL && k < 30; i++)
    envp[k++] = extra[i];
  envp[k] = NULL;
  snprintf(s->log, sizeof(s->log), "%s/%s-server%d.log",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp", e->db_name, idx);
  char bin[300];
  snprintf(bin, sizeof(bin), "%s/popdeck", e->build);
  char *const argv[] = {bin, "serve", NULL};
  if (pd_proc_spawn(&s->proc, argv, envp, s->log) != PD_OK) {
    fprintf(stderr, "e2e: cannot start %s\n", bin);
    return -1;
  }
  char line[1024];
  if (pd_proc_wait_log(s->proc, "\"msg\":\"listening\"", 10000, line, sizeof(line)) != PD_OK) {
    fprintf(stderr, "e2e: server %d did not start; its log is %s\n", idx, s->log);
    return -1;
  }
  return 0;
}

int pd_e2e_server_stop(struct pd_e2e *e, int idx, int sig, int timeout_ms, int *status)
{
  struct pd_e2e_server *s = &e->srv[idx];
  if (s->proc == NULL)
    return -1;
  pd_proc_signal(s->proc, sig);
  enum pd_result rc = pd_proc_wait_exit(s->proc, timeout_ms, status);
  pd_proc_free(s->proc);
  s->proc = NULL;
  return rc == PD_OK ? 0 : -1;
}

int pd_e2e_setup(struct pd_e2e *e, const char *suite)
{
  char sql[256], cmd[2048];
  memset(e, 0, sizeof(*e));
  if (sodium_init() < 0)
    return -1;
  const char *base = getenv("PD_TEST_DATABASE_URL");
  if (base == NULL) {
    fprintf(stderr, "e2e: PD_TEST_DATABASE_URL is not set: run the suites through `make test`\n");
    return -1;
  }
  snprintf(e->build, sizeof(e->build), "%s",
           getenv("PD_BUILD_DIR") != NULL ? getenv("PD_BUILD_DIR") : "build");
  snprintf(e->db_name, sizeof(e->db_name), "e2e_%s", suite);
  snprintf(e->cards_dir, sizeof(e->cards_dir), "%s/%s-cards",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp", e->db_name);
  snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", e->db_name);
  if (!admin_sql(sql))
    return -1;
  snprintf(sql, sizeof(sql), "CREATE DATABASE %s", e->db_name);
  if (!admin_sql(sql) || !with_dbname(base, e->db_name, e->db_url, sizeof(e->db_url)))
    return -1;

  /* The real migrate subcommand, as an operator runs it. */
  snprintf(cmd, sizeof(cmd), "DATABASE_URL=\"%s\" %s/popdeck migrate >/dev/null", e->db_url,
           e->build);
  if (system(cmd) != 0) {
    fprintf(stderr, "e2e: popdeck migrate failed\n");
    return -1;
  }
  e->pg = PQconnectdb(e->db_url);
  if (PQstatus(e->pg) != CONNECTION_OK)
    return -1;
  audited_suite = e;

  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  crypto_sign_keypair(pk, e->sk);
  sodium_bin2hex(e->pk_hex, sizeof(e->pk_hex), pk, sizeof(pk));
  if (pd_double_start(&e->dbl, e->build) != PD_OK) {
    fprintf(stderr, "e2e: cannot start the Discord double\n");
    return -1;
  }
  return pd_e2e_server_start(e, 0, NULL);
}

void pd_e2e_teardown(struct pd_e2e *e)
{
  int status;
  if (audited_suite == e)
    audited_suite = NULL;
  for (int i = 0; i < PD_E2E_SERVERS; i++)
    if (e->srv[i].proc != NULL)
      pd_e2e_server_stop(e, i, SIGTERM, 10000, &status);
  if (e->dbl != NULL)
    record_followups(e);
  pd_double_stop(e->dbl);
  PQfinish(e->pg);
  if (e->db_name[0] == '\0')
    return; /* setup stopped before naming a database */
  char sql[256];
  snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", e->db_name);
  admin_sql(sql);
}

int pd_e2e_database_create(const char *name, char *url, size_t urllen)
{
  char sql[256];
  pd_e2e_database_drop(name);
  snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
  if (!admin_sql(sql) || !with_dbname(getenv("PD_TEST_DATABASE_URL"), name, url, urllen))
    return -1;
  return 0;
}

void pd_e2e_database_drop(const char *name)
{
  char sql[256];
  snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
  admin_sql(sql);
}

const char *pd_e2e_private_key(json_t *j)
{
  const char *key, *found = NULL;
  json_t *v;
  size_t i;
  if (json_is_object(j)) {
    json_object_foreach(j, key, v)
    {
      found = key[0] == '_' ? key : pd_e2e_private_key(v);
      if (found != NULL)
        return found;
    }
  } else if (json_is_array(j)) {
    json_array_foreach(j, i, v)
    {
      found = pd_e2e_private_key(v);
      if (found != NULL)
        return found;
    }
  }
  return NULL;
}

json_t *pd_e2e_command(const char *name, const char *user_id)
{
  struct pd_ixb b = {.type = 2, .app_id = PD_E2E_APP_ID, .user_id = user_id, .command = name};
  return pd_ixb_build(&b);
}

json_t *pd_e2e_button(const char *custom_id, const char *user_id)
{
  struct pd_ixb b = {
      .type = 3, .app_id = PD_E2E_APP_ID, .user_id = user_id, .custom_id = custom_id};
  return pd_ixb_build(&b);
}

json_t *pd_e2e_autocomplete(const char *command, const char *option, const char *typed,
                            const char *user_id)
{
  struct pd_ixb b = {.type = 4,
                     .app_id = PD_E2E_APP_ID,
                     .user_id = user_id,
                     .command = command,
                     .options = json_pack("[{s:s, s:i, s:s, s:b}]", "name", option, "type", 3,
                                          "value", typed, "focused", 1)};
  return pd_ixb_build(&b);
}

void pd_e2e_option(json_t *ix, const char *name, int type, json_t *value)
{
  json_t *data = json_object_get(ix, "data");
  json_array_append_new(json_object_get(data, "options"),
                        json_pack("{s:s, s:i, s:O}", "name", name, "type", type, "value", value));
  if (type == 6 && json_is_string(value)) {
    json_t *res = json_object_get(data, "resolved");
    if (res == NULL) {
      res = json_pack("{s:{}}", "users");
      json_object_set_new(data, "resolved", res);
    }
    json_object_set_new(json_object_get(res, "users"), json_string_value(value),
                        pd_ixb_user(json_string_value(value)));
  }
  json_decref(value);
}

void pd_e2e_sign(struct pd_e2e *e, const char *ts, const char *body, size_t len, char sig[129])
{
  pd_sig_sign(e->sk, ts, body, len, sig);
}

long pd_e2e_post_raw(struct pd_e2e *e, int idx, const char *body, size_t len, const char *sig,
                     const char *ts, struct pd_http_reply *out)
{
  char url[128], h1[200], h2[80];
  const char *headers[4];
  size_t n = 0;
  headers[n++] = "Content-Type: application/json";
  if (sig != NULL) {
    snprintf(h1, sizeof(h1), "X-Signature-Ed25519: %s", sig);
    headers[n++] = h1;
  }
  if (ts != NULL) {
    snprintf(h2, sizeof(h2), "X-Signature-Timestamp: %s", ts);
    headers[n++] = h2;
  }
  headers[n] = NULL;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/interactions", e->srv[idx].port);
  if (pd_http_do("POST", url, headers, body, len, out) != PD_OK)
    return -1;
  return out->status;
}

/* Appends {"kind": kind, "body": body} to $PD_TMP/payloads.jsonl, which scripts/test.sh checks
 * against Discord's OpenAPI description after the suites ran. */
void pd_e2e_record_payload(const char *kind, json_t *body)
{
  const char *dir = getenv("PD_TMP");
  char path[512];
  if (dir == NULL || body == NULL)
    return;
  snprintf(path, sizeof(path), "%s/payloads.jsonl", dir);
  json_t *line = json_pack("{s:s, s:O}", "kind", kind, "body", body);
  char *s = json_dumps(line, JSON_COMPACT);
  FILE *f = fopen(path, "a");
  if (f != NULL && s != NULL)
    fprintf(f, "%s\n", s);
  if (f != NULL)
    fclose(f);
  free(s);
  json_decref(line);
}

/* Every follow-up the double saw, recorded for the OpenAPI check. */
static void record_followups(struct pd_e2e *e)
{
  size_t i;
  json_t *req;
  json_t *all = pd_double_requests(e->dbl, NULL);
  json_array_foreach(all, i, req)
  {
    const char *method = json_string_value(json_object_get(req, "method"));
    const char *path = json_string_value(json_object_get(req, "path"));
    json_t *body = json_object_get(req, "json");
    if (method == NULL || path == NULL || body == NULL || json_is_null(body))
      continue;
    if (strcmp(method, "PATCH") == 0 && strstr(path, "/messages/@original") != NULL)
      pd_e2e_record_payload("webhook_patch", body);
    else if (strcmp(method, "POST") == 0 && strstr(path, "/webhooks/") != NULL)
      pd_e2e_record_payload("webhook_post", body);
    else if (strcmp(method, "PUT") == 0 && strstr(path, "/commands") != NULL)
      pd_e2e_record_payload("commands_put", body);
    else if (strcmp(method, "POST") == 0 && strstr(path, "/users/@me/channels") != NULL)
      pd_e2e_record_payload("dm_open", body);
    else if (strcmp(method, "POST") == 0 && strncmp(path, "/api/v10/channels/", 18) == 0)
      pd_e2e_record_payload("channel_message", body);
  }
  json_decref(all);
}

void pd_e2e_double_reset(struct pd_e2e *e)
{
  record_followups(e);
  pd_double_reset(e->dbl);
}

long pd_e2e_post_signed(struct pd_e2e *e, int idx, const char *body, size_t len, char sig[129],
                        struct pd_http_reply *out)
{
  char ts[24], s[129];
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  pd_e2e_sign(e, ts, body, len, s);
  if (sig != NULL)
    memcpy(sig, s, sizeof(s));
  return pd_e2e_post_raw(e, idx, body, len, s, ts, out);
}

long pd_e2e_post(struct pd_e2e *e, int idx, json_t *ix, json_t **reply)
{
  struct pd_http_reply r;
  char *body = json_dumps(ix, JSON_COMPACT);
  long st = body != NULL ? pd_e2e_post_signed(e, idx, body, strlen(body), NULL, &r) : -1;
  free(body);
  if (st < 0)
    return st;
  json_t *j = r.body != NULL ? json_loads(r.body, 0, NULL) : NULL;
  if (st == 200)
    pd_e2e_record_payload("callback", j);
  if (reply != NULL)
    *reply = j;
  else
    json_decref(j);
  pd_http_reply_free(&r);
  return st;
}

long pd_e2e_get(struct pd_e2e *e, int idx, const char *path, struct pd_http_reply *out)
{
  char url[256];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", e->srv[idx].port, path);
  if (pd_http_do("GET", url, NULL, NULL, 0, out) != PD_OK)
    return -1;
  return out->status;
}

int64_t pd_e2e_sql_int(struct pd_e2e *e, const char *sql)
{
  PGresult *r = PQexec(e->pg, sql);
  int64_t v = -1;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
    v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
  else if (PQresultStatus(r) != PGRES_TUPLES_OK)
    fprintf(stderr, "e2e: %s: %s", sql, PQresultErrorMessage(r));
  PQclear(r);
  return v;
}

void pd_e2e_sql_text(struct pd_e2e *e, const char *sql, char *out, size_t outlen)
{
  PGresult *r = PQexec(e->pg, sql);
  out[0] = '\0';
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
    snprintf(out, outlen, "%s", PQgetvalue(r, 0, 0));
  else if (PQresultStatus(r) != PGRES_TUPLES_OK)
    fprintf(stderr, "e2e: %s: %s", sql, PQresultErrorMessage(r));
  PQclear(r);
}

bool pd_e2e_sql(struct pd_e2e *e, const char *sql)
{
  PGresult *r = PQexec(e->pg, sql);
  bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok)
    fprintf(stderr, "e2e: %s: %s", sql, PQresultErrorMessage(r));
  PQclear(r);
  return ok;
}

bool pd_e2e_clock_advance(struct pd_e2e *e, long long seconds)
{
  char sql[160];
  snprintf(sql, sizeof(sql), "UPDATE pd_clock SET skew = skew + make_interval(secs => %lld)",
           seconds);
  return pd_e2e_sql(e, sql);
}

double pd_e2e_metric(struct pd_e2e *e, int idx, const char *sample)
{
  struct pd_http_reply r = {0};
  double v = -1;
  size_t n = strlen(sample);
  if (pd_e2e_get(e, idx, "/metrics", &r) == 200) {
    for (const char *line = r.body; line != NULL && *line != '\0';) {
      if (strncmp(line, sample, n) == 0 && line[n] == ' ') {
        v = strtod(line + n + 1, NULL);
        break;
      }
      line = strchr(line, '\n');
      line = line != NULL ? line + 1 : NULL;
    }
  }
  pd_http_reply_free(&r);
  return v;
}

bool pd_e2e_log_has(struct pd_e2e *e, int idx, const char *needle)
{
  FILE *f = fopen(e->srv[idx].log, "r");
  char line[8192];
  bool found = false;
  if (f == NULL)
    return false;
  while (!found && fgets(line, sizeof(line), f) != NULL)
    found = strstr(line, needle) != NULL;
  fclose(f);
  return found;
}

const char *pd_e2e_content(json_t *reply)
{
  const char *s = json_string_value(json_object_get(json_object_get(reply, "data"), "content"));
  return s != NULL ? s : "";
}

bool pd_e2e_ephemeral(json_t *reply)
{
  return (json_integer_value(json_object_get(json_object_get(reply, "data"), "flags")) & 64) != 0;
}

int pd_e2e_audit(struct pd_e2e *e, const char *args, char *out, size_t outlen)
{
  char cmd[2048];
  snprintf(cmd, sizeof(cmd), "DATABASE_URL=\"%s\" %s/popdeck audit %s 2>&1", e->db_url, e->build,
           args);
  FILE *p = popen(cmd, "r");
  if (p == NULL)
    return -1;
  size_t n = 0;
  out[0] = '\0';
  while (n + 1 < outlen && fgets(out + n, (int)(outlen - n), p) != NULL)
    n += strlen(out + n);
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void pd_e2e_audited(void **state)
{
  const struct pd_e2e_test *t = *state;
  t->fn(state);
  /* A test that failed has already longjmp'd out of here: only a passing one is audited. */
  if (audited_suite == NULL)
    return;
  char out[4096];
  int st = pd_e2e_audit(audited_suite, "", out, sizeof(out));
  if (st != 0)
    fail_msg("popdeck audit after this test exited %d: %s", st, out);
}

bool pd_e2e_grant(struct pd_e2e *e, const char *discord_id, const char *currency, long long amount)
{
  char sql[1024];
  const char *col = strcmp(currency, "notes") == 0 ? "coins" : currency;
  snprintf(sql, sizeof(sql),
           "WITH o AS (SELECT nextval('ledger_op_seq') AS id),"
           " u AS (UPDATE users SET %s = %s + %lld WHERE discord_id = '%s' RETURNING id)"
           " INSERT INTO ledger (op_id, kind, user_id, system_account, currency, amount)"
           " SELECT o.id, 'grant', v.u, v.s, '%s', v.a FROM o, u,"
           " LATERAL (VALUES (u.id, NULL, %lld), (NULL, 'grants', %lld)) v(u, s, a)",
           col, col, amount, discord_id, currency, amount, -amount);
  return pd_e2e_sql(e, sql) && pd_e2e_sql_int(e, "SELECT 1") == 1;
}

int64_t pd_e2e_sqlf(struct pd_e2e *e, const char *fmt, ...)
{
  char sql[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  return pd_e2e_sql_int(e, sql);
}

int pd_e2e_seed_demo(struct pd_e2e *e, int limit)
{
  char cmd[2048];
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" %s/popdeck seed demo --limit %d >/dev/null",
           e->db_url, e->cards_dir, e->build, limit);
  return system(cmd) == 0 ? 0 : -1;
}
