/* admin_api.c - the REST admin API (see admin_api.h): who may call (ADMIN_TOKEN, compared in
 * constant time; an address that keeps failing is held off), which route runs which operation
 * with which arguments, and the JSON of every answer.  The operations themselves are lib/'s,
 * through pd_admin_run, exactly as /admin runs them. */
#include "admin_api.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin.h"

/* The whole request: the runner's transaction retries within it.  REST has no Discord
 * 3-second limit, and clear_db migrates the schema inside its transaction. */
#define REST_DEADLINE_US 15000000
#define OPENAPI_FILE "admin-openapi.json"
#define OPENAPI_MAX (1024 * 1024)
/* Addresses whose failures are remembered at once.  A full table forgets an address whose
 * window has passed first, else the one that failed longest ago. */
#define FAIL_SLOTS 1024
#define ADDR_MAX 64
#define REALM "Bearer realm=\"popdeck-admin\""

const struct pd_admin_route pd_admin_routes[] = {
    {"POST", "/admin/v1/ingest", "ingest", NULL},
    {"POST", "/admin/v1/sync", "sync", NULL},
    {"POST", "/admin/v1/render", "force_render", NULL},
    {"GET", "/admin/v1/jobs", "jobs", NULL},
    {"GET", "/admin/v1/jobs/{id}", "job", "job"},
    {"PATCH", "/admin/v1/cards/{public_id}", "setrarity", "card"},
    {"DELETE", "/admin/v1/cards/{public_id}", "delete_template", "card"},
    {"POST", "/admin/v1/users/{discord_id}/grants", "give_currency", "user"},
    {"DELETE", "/admin/v1/artists/{id}", "purge_artist", "artist"},
    {"GET", "/admin/v1/events", "event_list", NULL},
    {"POST", "/admin/v1/events", "event_create", NULL},
    {"POST", "/admin/v1/events/{id}/end", "event_end", "event"},
    {"POST", "/admin/v1/events/{id}/cards", "create_temp_card", "event"},
    {"GET", "/admin/v1/flags", "flags", NULL},
    {"POST", "/admin/v1/flags/{id}/review", "flags_review", "flag"},
    {"PUT", "/admin/v1/users/{discord_id}/ban", "ban", "user"},
    {"DELETE", "/admin/v1/users/{discord_id}/ban", "unban", "user"},
    {"GET", "/admin/v1/audit", "audit", NULL},
    {"GET", "/admin/v1/users/{discord_id}", "user", "user"},
    {"GET", "/admin/v1/users/{discord_id}/payments", "payments", "user"},
    {"POST", "/admin/v1/reseed", "reseed", NULL},
    {"POST", "/admin/v1/shutdown", "shutdown", NULL},
    {"POST", "/admin/v1/clear_db", "clear_db", NULL},
    {"GET", "/admin/v1/admins", "admins_list", NULL},
    {"PUT", "/admin/v1/admins/{discord_id}", "admins_add", "user"},
    {"DELETE", "/admin/v1/admins/{discord_id}", "admins_remove", "user"},
    {"GET", "/admin/v1/openapi.json", NULL, NULL},
    {NULL, NULL, NULL, NULL},
};

struct fail {
  char client[ADDR_MAX]; /* "" free */
  int64_t since_us;      /* the window's start: this address's first failure in it */
  int64_t last_us;
  int count;
};

struct pd_admin_api {
  struct pd_app *app;
  bool on;
  unsigned char token_hash[crypto_generichash_BYTES];
  char *openapi;
  size_t openapi_len;
  int64_t window_us;
  int limit;
  pthread_mutex_t mu; /* guards fails */
  struct fail fails[FAIL_SLOTS];
};

/* ---- failures per address ---- */

static struct fail *fail_find(struct pd_admin_api *api, const char *client)
{
  for (size_t i = 0; i < FAIL_SLOTS; i++)
    if (api->fails[i].client[0] != '\0' && strcmp(api->fails[i].client, client) == 0)
      return &api->fails[i];
  return NULL;
}

PD_STATIC bool pd_admin_api_held(struct pd_admin_api *api, const char *client, int64_t now_us,
                                 int *retry_after_s)
{
  bool held = false;
  pthread_mutex_lock(&api->mu);
  struct fail *f = fail_find(api, client);
  if (f != NULL && now_us - f->since_us < api->window_us && f->count >= api->limit) {
    int64_t left = f->since_us + api->window_us - now_us;
    *retry_after_s = (int)((left + 999999) / 1000000);
    held = true;
  }
  pthread_mutex_unlock(&api->mu);
  return held;
}

PD_STATIC void pd_admin_api_failed(struct pd_admin_api *api, const char *client, int64_t now_us)
{
  pthread_mutex_lock(&api->mu);
  struct fail *f = fail_find(api, client);
  for (size_t i = 0; f == NULL && i < FAIL_SLOTS; i++)
    if (api->fails[i].client[0] == '\0' || now_us - api->fails[i].since_us >= api->window_us)
      f = &api->fails[i];
  if (f == NULL) {
    f = &api->fails[0];
    for (size_t i = 1; i < FAIL_SLOTS; i++)
      if (api->fails[i].last_us < f->last_us)
        f = &api->fails[i];
  }
  if (strcmp(f->client, client) != 0) {
    snprintf(f->client, sizeof(f->client), "%s", client);
    f->count = 0;
  }
  if (f->count == 0 || now_us - f->since_us >= api->window_us) {
    f->since_us = now_us;
    f->count = 0;
  }
  f->count++;
  f->last_us = now_us;
  pthread_mutex_unlock(&api->mu);
}

/* ---- setup ---- */

static enum pd_result read_openapi(struct pd_admin_api *api, const char *dir)
{
  char path[1024];
  enum pd_result rc = PD_E_IO;
  snprintf(path, sizeof(path), "%s/" OPENAPI_FILE, dir);
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    goto out;
  api->openapi = malloc(OPENAPI_MAX);
  if (api->openapi == NULL) {
    rc = PD_E_NOMEM;
    goto out;
  }
  api->openapi_len = fread(api->openapi, 1, OPENAPI_MAX, f);
  if (api->openapi_len > 0 && api->openapi_len < OPENAPI_MAX && !ferror(f))
    rc = PD_OK;
out:
  if (f != NULL)
    fclose(f);
  if (rc != PD_OK)
    fprintf(stderr, "ASSETS_DIR: cannot read %s (the admin API's OpenAPI document)\n", path);
  return rc;
}

enum pd_result pd_admin_api_new(struct pd_app *app, struct pd_admin_api **out)
{
  struct pd_admin_api *api = calloc(1, sizeof(*api));
  if (api == NULL)
    return PD_E_NOMEM;
  api->app = app;
  api->on = app->cfg.admin_token != NULL;
  api->limit = app->cfg.admin_auth_failures;
  api->window_us = (int64_t)app->cfg.admin_auth_window_s * 1000000;
  pthread_mutex_init(&api->mu, NULL);
  if (!api->on) {
    *out = api;
    return PD_OK;
  }
  crypto_generichash(api->token_hash, sizeof(api->token_hash),
                     (const unsigned char *)app->cfg.admin_token, strlen(app->cfg.admin_token),
                     NULL, 0);
  enum pd_result rc = read_openapi(api, app->cfg.assets_dir);
  if (rc != PD_OK) {
    pd_admin_api_free(api);
    return rc;
  }
  *out = api;
  return PD_OK;
}

void pd_admin_api_started(const struct pd_admin_api *api)
{
  if (!api->on)
    pd_log("info", "admin API off: ADMIN_TOKEN is not set, every /admin/ route answers 404", NULL);
}

void pd_admin_api_free(struct pd_admin_api *api)
{
  if (api == NULL)
    return;
  pthread_mutex_destroy(&api->mu);
  sodium_memzero(api->token_hash, sizeof(api->token_hash));
  free(api->openapi);
  free(api);
}

/* ---- routes ---- */

/* Whether path matches pattern, segment by segment; a {name} segment takes any one non-empty
 * segment, copied to param. */
static bool path_matches(const char *pattern, const char *path, char *param, size_t cap)
{
  const char *p = pattern, *s = path;
  param[0] = '\0';
  while (*p != '\0' && *s != '\0') {
    if (*p == '{') {
      size_t n = strcspn(s, "/");
      if (n == 0 || n >= cap)
        return false;
      memcpy(param, s, n);
      param[n] = '\0';
      s += n;
      p = strchr(p, '}');
      if (p == NULL)
        return false;
      p++;
      continue;
    }
    if (*p != *s)
      return false;
    p++;
    s++;
  }
  return *p == '\0' && *s == '\0';
}

#define PARAM_MAX 128

PD_STATIC int pd_admin_api_match(const char *method, const char *path,
                                 const struct pd_admin_route **route, char *param, size_t param_cap,
                                 char *allow, size_t allow_cap)
{
  char seen[PARAM_MAX];
  bool path_known = false;
  allow[0] = '\0';
  for (const struct pd_admin_route *r = pd_admin_routes; r->method != NULL; r++) {
    if (!path_matches(r->path, path, seen, sizeof(seen)))
      continue;
    if (strcmp(r->method, method) == 0) {
      snprintf(param, param_cap, "%s", seen);
      *route = r;
      return 0;
    }
    size_t used = strlen(allow);
    snprintf(allow + used, allow_cap - used, "%s%s", path_known ? ", " : "", r->method);
    path_known = true;
  }
  return path_known ? 405 : 404;
}

/* ---- answers ---- */

static void add_header(struct pd_admin_response *out, const char *name, const char *value)
{
  if (out->nheaders >= PD_ADMIN_API_HEADERS)
    return;
  out->headers[out->nheaders].name = name;
  snprintf(out->headers[out->nheaders].value, sizeof(out->headers[0].value), "%s", value);
  out->nheaders++;
}

/* out's body: j (stolen) as JSON text. */
static void answer_json(struct pd_admin_response *out, int status, json_t *j)
{
  out->status = status;
  out->body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
  out->len = out->body != NULL ? strlen(out->body) : 0;
  json_decref(j);
}

static void answer_error(struct pd_admin_response *out, int status, const char *code,
                         const char *message)
{
  answer_json(out, status, json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", message));
}

/* Ours, not the caller's: the reference id lets an operator find the log line. */
static void answer_failure(struct pd_admin_response *out, enum pd_result rc)
{
  char message[200];
  bool busy = rc == PD_E_DB_DOWN || rc == PD_E_DB_SOFT;
  out->error = pd_result_str(rc);
  snprintf(message, sizeof(message),
           busy ? "The database is unreachable or busy right now; try again (ref %s)."
                : "Something went wrong on our side; the log has the reference %s.",
           out->ref);
  answer_json(out, busy ? 503 : 500,
              json_pack("{s:{s:s, s:s, s:s}}", "error", "code", busy ? "unavailable" : "internal",
                        "message", message, "ref", out->ref));
  if (busy)
    add_header(out, "Retry-After", "1");
}

/* Whether authorization is "Bearer <ADMIN_TOKEN>".  Both sides are hashed first, so the compare
 * takes the same time whatever the length or the first wrong byte of what was sent. */
static bool authorized(const struct pd_admin_api *api, const char *authorization)
{
  unsigned char got[crypto_generichash_BYTES];
  if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
    return false;
  const char *t = authorization + 7;
  t += strspn(t, " ");
  size_t n = strlen(t);
  while (n > 0 && t[n - 1] == ' ')
    n--;
  crypto_generichash(got, sizeof(got), (const unsigned char *)t, n, NULL, 0);
  return sodium_memcmp(got, api->token_hash, sizeof(got)) == 0;
}

/* Puts name = value into args, refusing a second, different value (a body field and a query
 * parameter, or either and the path, naming one argument twice). */
static bool put_arg(json_t *args, const char *name, json_t *value, struct pd_admin_response *out)
{
  char message[200];
  json_t *had = json_object_get(args, name);
  if (had != NULL && !json_equal(had, value)) {
    json_decref(value);
    snprintf(message, sizeof(message),
             "\"%.60s\" is given twice (path, query or body) with different values.", name);
    answer_error(out, 400, "conflicting_argument", message);
    return false;
  }
  json_object_set_new(args, name, value);
  return true;
}

/* The call's arguments: the body's fields, the query's parameters (all text, but confirm), and
 * the path parameter.  NULL after answering 400. */
static json_t *args_of(const struct pd_admin_request *req, const struct pd_admin_route *route,
                       const char *param, const char **confirm, struct pd_admin_response *out)
{
  json_t *args = NULL;
  json_error_t jerr;
  size_t shown = req->body_len;
  while (shown > 0 && strchr(" \t\r\n", req->body[shown - 1]) != NULL)
    shown--;
  if (shown > 0) {
    args = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(args)) {
      char message[300];
      snprintf(message, sizeof(message), "The body must be a JSON object%s%s.",
               args == NULL ? ": " : "", args == NULL ? jerr.text : "");
      json_decref(args);
      answer_error(out, 400, "bad_json", message);
      return NULL;
    }
  } else {
    args = json_object();
  }
  if (args == NULL)
    return NULL;
  if (req->query_truncated) {
    answer_error(out, 400, "invalid_argument", "Too many query parameters.");
    goto fail;
  }
  for (size_t i = 0; i < req->nquery; i++) {
    const struct pd_admin_param *q = &req->query[i];
    if (strcmp(q->name, "confirm") == 0) {
      *confirm = q->value != NULL ? q->value : "";
      continue;
    }
    json_t *v = json_string(q->value != NULL ? q->value : "");
    if (v == NULL) {
      answer_error(out, 400, "invalid_argument", "A query parameter is not UTF-8 text.");
      goto fail;
    }
    if (!put_arg(args, q->name, v, out))
      goto fail;
  }
  if (route->param_arg != NULL) {
    json_t *v = json_string(param);
    if (v == NULL) {
      answer_error(out, 400, "invalid_argument", "The path is not UTF-8 text.");
      goto fail;
    }
    if (!put_arg(args, route->param_arg, v, out))
      goto fail;
  }
  return args;
fail:
  json_decref(args);
  return NULL;
}

static void run_op(struct pd_admin_api *api, const struct pd_admin_route *route, json_t *args,
                   const char *confirm, struct pd_admin_response *out)
{
  struct pd_app *app = api->app;
  struct pd_db *db = NULL;
  struct pd_admin_answer ans = {0};
  const struct pd_admin_caller who = {
      .actor = PD_ADMIN_REST_ACTOR,
      .owner = true, /* ADMIN_TOKEN is the operator's own key */
      .ref = out->ref,
  };
  int64_t deadline = pd_now_us() + REST_DEADLINE_US;
  enum pd_result rc = pd_db_acquire(app->pool, deadline, &db);
  if (rc != PD_OK) {
    answer_failure(out, rc);
    return;
  }
  pthread_rwlock_rdlock(&app->admins_lock);
  const struct pd_admin_env env = {&app->cfg, app->game, &app->admins};
  rc = pd_admin_run(db, deadline, &env, &who, route->op, args, confirm, &ans);
  pthread_rwlock_unlock(&app->admins_lock);
  pd_db_release(db);
  if (rc != PD_OK) {
    answer_failure(out, rc);
  } else {
    answer_json(out, ans.status, ans.body);
    ans.body = NULL; /* answer_json took it */
  }
  pd_admin_answer_clear(&ans);
}

void pd_admin_api_handle(struct pd_admin_api *api, const struct pd_admin_request *req,
                         struct pd_admin_response *out)
{
  const struct pd_admin_route *route = NULL;
  char param[PARAM_MAX], allow[64], after[16];
  const char *confirm = NULL;
  int retry = 0;
  memset(out, 0, sizeof(*out));
  pd_ref_new(out->ref);
  add_header(out, "X-Request-Id", out->ref);
  if (!api->on) {
    answer_error(out, 404, "not_found",
                 "There is no admin API on this server (ADMIN_TOKEN is not set).");
    return;
  }
  /* Held off before the token is even looked at: guessing costs the same whether right or not. */
  const char *client = req->client != NULL && req->client[0] != '\0' ? req->client : "unknown";
  int64_t now = pd_now_us();
  if (pd_admin_api_held(api, client, now, &retry)) {
    snprintf(after, sizeof(after), "%d", retry);
    add_header(out, "Retry-After", after);
    answer_error(out, 429, "too_many_failures",
                 "Too many requests with a missing or wrong token from this address: wait "
                 "Retry-After seconds.");
    return;
  }
  if (!authorized(api, req->authorization)) {
    pd_admin_api_failed(api, client, now);
    add_header(out, "WWW-Authenticate", REALM);
    answer_error(out, 401, "unauthorized",
                 req->authorization == NULL
                     ? "Send the header Authorization: Bearer <ADMIN_TOKEN>."
                     : "That is not the admin token (Authorization: Bearer <ADMIN_TOKEN>).");
    return;
  }
  int m = pd_admin_api_match(req->method, req->path, &route, param, sizeof(param), allow,
                             sizeof(allow));
  if (m == 405) {
    add_header(out, "Allow", allow);
    answer_error(out, 405, "method_not_allowed",
                 "That method is not one this path takes (see Allow).");
    return;
  }
  if (m != 0) {
    answer_error(out, 404, "unknown_route",
                 "No such admin route; GET /admin/v1/openapi.json lists them.");
    return;
  }
  if (route->op == NULL) {
    out->status = 200;
    out->body = malloc(api->openapi_len + 1);
    if (out->body != NULL) {
      memcpy(out->body, api->openapi, api->openapi_len);
      out->body[api->openapi_len] = '\0';
      out->len = api->openapi_len;
    }
    return;
  }
  snprintf(out->op, sizeof(out->op), "%s", route->op);
  json_t *args = args_of(req, route, param, &confirm, out);
  if (args == NULL) {
    if (out->body == NULL && out->status == 0)
      out->status = 500;
    return;
  }
  run_op(api, route, args, confirm, out);
  json_decref(args);
}
