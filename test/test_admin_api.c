/* test_admin_api.c - the REST admin API's router, its OpenAPI document, the bearer check and the
 * failure counts per address (server/admin_api.c), without a database: everything answered
 * before an operation runs. */
#define PD_UNITTEST 1 /* pd_admin_api_match, _held, _failed */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin_api.h"

#define TOKEN "unit-admin-token-0123456789abcdef"

static const char *assets(void)
{
  const char *dir = getenv("ASSETS_DIR");
  return dir != NULL ? dir : "assets";
}

static struct pd_admin_api *api_new(struct pd_app *app, const char *token, int failures,
                                    int window_s)
{
  struct pd_admin_api *api = NULL;
  memset(app, 0, sizeof(*app));
  app->cfg.admin_token = (char *)token;
  app->cfg.assets_dir = (char *)assets();
  app->cfg.admin_auth_failures = failures;
  app->cfg.admin_auth_window_s = window_s;
  assert_int_equal(pd_admin_api_new(app, &api), PD_OK);
  return api;
}

/* {method, path} -> {status, op, path parameter, Allow}. */
static void test_routes_match(void **state)
{
  const struct {
    const char *method, *path;
    int status;
    const char *op, *param, *allow;
  } rows[] = {
      {"POST", "/admin/v1/ingest", 0, "ingest", "", ""},
      {"GET", "/admin/v1/jobs", 0, "jobs", "", ""},
      {"GET", "/admin/v1/jobs/42", 0, "job", "42", ""},
      {"PATCH", "/admin/v1/cards/TAYL_19#03", 0, "setrarity", "TAYL_19#03", ""},
      {"DELETE", "/admin/v1/cards/TAYL_19#03", 0, "delete_template", "TAYL_19#03", ""},
      {"GET", "/admin/v1/cards/TAYL_19#03", 405, NULL, NULL, "PATCH, DELETE"},
      {"POST", "/admin/v1/users/720000000000000001/grants", 0, "give_currency",
       "720000000000000001", ""},
      {"PUT", "/admin/v1/users/7/ban", 0, "ban", "7", ""},
      {"DELETE", "/admin/v1/users/7/ban", 0, "unban", "7", ""},
      {"POST", "/admin/v1/users/7/ban", 405, NULL, NULL, "PUT, DELETE"},
      {"GET", "/admin/v1/users/7", 0, "user", "7", ""},
      {"POST", "/admin/v1/events/3/end", 0, "event_end", "3", ""},
      {"POST", "/admin/v1/events/3/cards", 0, "create_temp_card", "3", ""},
      {"GET", "/admin/v1/events", 0, "event_list", "", ""},
      {"DELETE", "/admin/v1/events", 405, NULL, NULL, "GET, POST"},
      {"PUT", "/admin/v1/admins/9", 0, "admins_add", "9", ""},
      {"GET", "/admin/v1/openapi.json", 0, NULL, "", ""},
      {"POST", "/admin/v1/clear_db", 0, "clear_db", "", ""},
      /* One segment per parameter, nothing before or after the table's paths. */
      {"GET", "/admin/v1/users//ban", 404, NULL, NULL, ""},
      {"GET", "/admin/v1/users/7/8", 404, NULL, NULL, ""},
      {"GET", "/admin/v1/audit/", 404, NULL, NULL, ""},
      {"GET", "/admin/v1/", 404, NULL, NULL, ""},
      {"GET", "/admin/", 404, NULL, NULL, ""},
      {"GET", "/admin/v2/audit", 404, NULL, NULL, ""},
      {"get", "/admin/v1/audit", 405, NULL, NULL, "GET"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    const struct pd_admin_route *r = NULL;
    char param[128] = "x", allow[64] = "x";
    int got = pd_admin_api_match(rows[i].method, rows[i].path, &r, param, sizeof(param), allow,
                                 sizeof(allow));
    if (got != rows[i].status)
      fail_msg("%s %s: %d, want %d", rows[i].method, rows[i].path, got, rows[i].status);
    if (got == 405)
      assert_string_equal(allow, rows[i].allow);
    if (got != 0)
      continue;
    if (rows[i].op == NULL)
      assert_null(r->op);
    else
      assert_string_equal(r->op, rows[i].op);
    assert_string_equal(param, rows[i].param);
  }
}

/* Every route of the table is documented with its method, operation and path parameter, and the
 * document has no route the table lacks. */
static void test_openapi_is_the_table(void **state)
{
  char path[512];
  json_error_t err;
  snprintf(path, sizeof(path), "%s/admin-openapi.json", assets());
  json_t *doc = json_load_file(path, 0, &err);
  if (doc == NULL)
    fail_msg("%s: %s (line %d)", path, err.text, err.line);
  assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
  assert_non_null(json_object_get(
      json_object_get(json_object_get(doc, "components"), "securitySchemes"), "bearerAuth"));
  json_t *paths = json_object_get(doc, "paths");
  size_t routes = 0;
  for (const struct pd_admin_route *r = pd_admin_routes; r->method != NULL; r++, routes++) {
    char method[16];
    snprintf(method, sizeof(method), "%s", r->method);
    for (char *p = method; *p != '\0'; p++)
      *p = (char)(*p - 'A' + 'a');
    json_t *o = json_object_get(json_object_get(paths, r->path), method);
    if (o == NULL)
      fail_msg("%s %s is not in %s", r->method, r->path, path);
    const char *id = json_string_value(json_object_get(o, "operationId"));
    if (r->op != NULL && (id == NULL || strcmp(id, r->op) != 0))
      fail_msg("%s %s: operationId %s, the table runs %s", r->method, r->path, id, r->op);
    /* Its path parameter is declared, and every documented answer of the API's own is there. */
    const char *brace = strchr(r->path, '{');
    if (brace != NULL) {
      char name[64];
      snprintf(name, sizeof(name), "%.*s", (int)strcspn(brace + 1, "}"), brace + 1);
      bool found = false;
      size_t i;
      json_t *p;
      json_array_foreach(json_object_get(o, "parameters"), i, p)
      {
        found = found || (json_is_string(json_object_get(p, "name")) &&
                          strcmp(json_string_value(json_object_get(p, "name")), name) == 0 &&
                          strcmp(json_string_value(json_object_get(p, "in")), "path") == 0);
      }
      if (!found)
        fail_msg("%s %s: path parameter %s is not declared", r->method, r->path, name);
    }
    json_t *responses = json_object_get(o, "responses");
    const char *always[] = {"401", "429"};
    for (size_t i = 0; i < PD_ARRAY_LEN(always); i++)
      if (json_object_get(responses, always[i]) == NULL)
        fail_msg("%s %s: no %s response documented", r->method, r->path, always[i]);
  }
  size_t documented = 0;
  const char *p;
  json_t *item;
  json_object_foreach(paths, p, item)
  {
    const char *m;
    json_t *o;
    json_object_foreach(item, m, o)
    {
      bool found = false;
      documented++;
      for (const struct pd_admin_route *r = pd_admin_routes; r->method != NULL; r++)
        found = found || (strcmp(r->path, p) == 0 && strcasecmp(r->method, m) == 0);
      if (!found)
        fail_msg("%s %s is documented but not routed", m, p);
    }
  }
  assert_int_equal(documented, routes);
  json_decref(doc);
}

/* ADMIN_FAILURES failures within the window hold the address off, with the seconds left; others
 * go on; the window passing lets it try again. */
static void test_failures_hold_an_address_off(void **state)
{
  struct pd_app app;
  struct pd_admin_api *api = api_new(&app, TOKEN, 3, 10);
  int retry = -1;
  int64_t t = 1000000000;
  pd_admin_api_failed(api, "10.0.0.1", t);
  pd_admin_api_failed(api, "10.0.0.1", t + 1000000);
  assert_false(pd_admin_api_held(api, "10.0.0.1", t + 1000000, &retry));
  pd_admin_api_failed(api, "10.0.0.1", t + 2000000);
  assert_true(pd_admin_api_held(api, "10.0.0.1", t + 2500000, &retry));
  assert_int_equal(retry, 8); /* 7.5 s left of the window, rounded up */
  assert_false(pd_admin_api_held(api, "10.0.0.2", t + 2500000, &retry));
  assert_true(pd_admin_api_held(api, "10.0.0.1", t + 9999999, &retry));
  assert_int_equal(retry, 1);
  assert_false(pd_admin_api_held(api, "10.0.0.1", t + 10000000, &retry));
  /* A new window: one failure is not three. */
  pd_admin_api_failed(api, "10.0.0.1", t + 11000000);
  assert_false(pd_admin_api_held(api, "10.0.0.1", t + 11000000, &retry));
  pd_admin_api_free(api);
}

/* The table is bounded: thousands of addresses evict the one that failed longest ago, never
 * one still counting toward its limit while an expired one could go. */
static void test_failures_table_is_bounded(void **state)
{
  struct pd_app app;
  struct pd_admin_api *api = api_new(&app, TOKEN, 2, 60);
  int retry;
  char addr[32];
  int64_t t = 1000000000;
  pd_admin_api_failed(api, "10.9.9.9", t);
  pd_admin_api_failed(api, "10.9.9.9", t);
  for (int i = 0; i < 5000; i++) {
    snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 256, i % 256);
    pd_admin_api_failed(api, addr, t + 1 + i);
  }
  /* The first address was the oldest: it is forgotten. */
  assert_false(pd_admin_api_held(api, "10.9.9.9", t + 6000, &retry));
  /* The newest are remembered. */
  pd_admin_api_failed(api, addr, t + 6000);
  assert_true(pd_admin_api_held(api, addr, t + 6000, &retry));
  pd_admin_api_free(api);
}

static const char *header(const struct pd_admin_response *out, const char *name)
{
  for (size_t i = 0; i < out->nheaders; i++)
    if (strcasecmp(out->headers[i].name, name) == 0)
      return out->headers[i].value;
  return NULL;
}

static json_t *handle(struct pd_admin_api *api, const char *method, const char *path,
                      const char *auth, const char *body, struct pd_admin_response *out)
{
  const struct pd_admin_request req = {
      .method = method,
      .path = path,
      .authorization = auth,
      .client = "127.0.0.1",
      .body = body != NULL ? body : "",
      .body_len = body != NULL ? strlen(body) : 0,
  };
  pd_admin_api_handle(api, &req, out);
  assert_non_null(out->body);
  assert_int_equal(strlen(out->body), out->len);
  assert_non_null(header(out, "X-Request-Id"));
  assert_string_equal(header(out, "X-Request-Id"), out->ref);
  json_t *j = json_loads(out->body, 0, NULL);
  assert_non_null(j);
  return j;
}

static const char *code_of(json_t *j)
{
  const char *c = json_string_value(json_object_get(json_object_get(j, "error"), "code"));
  return c != NULL ? c : "";
}

/* Everything answered before an operation runs (and so before the database is asked). */
static void test_answers_before_the_operation(void **state)
{
  struct pd_app app;
  struct pd_admin_response out;
  struct pd_admin_api *api = api_new(&app, NULL, 5, 60);
  json_t *j = handle(api, "GET", "/admin/v1/audit", "Bearer " TOKEN, NULL, &out);
  assert_int_equal(out.status, 404);
  json_decref(j);
  free(out.body);
  pd_admin_api_free(api);

  api = api_new(&app, TOKEN, 1000, 60);
  const struct {
    const char *method, *path, *auth, *body;
    int status;
    const char *code, *header, *value;
  } rows[] = {
      {"GET", "/admin/v1/audit", NULL, NULL, 401, "unauthorized", "WWW-Authenticate",
       "Bearer realm=\"popdeck-admin\""},
      {"GET", "/admin/v1/audit", "Bearer wrong", NULL, 401, "unauthorized", "WWW-Authenticate",
       "Bearer realm=\"popdeck-admin\""},
      /* A prefix, the token and more, another scheme. */
      {"GET", "/admin/v1/audit", "Bearer unit-admin-token", NULL, 401, "unauthorized", NULL, NULL},
      {"GET", "/admin/v1/audit", "Bearer " TOKEN "x", NULL, 401, "unauthorized", NULL, NULL},
      {"GET", "/admin/v1/audit", "Basic " TOKEN, NULL, 401, "unauthorized", NULL, NULL},
      /* Unknown routes are only told apart from known ones with the token. */
      {"GET", "/admin/v1/nothing", NULL, NULL, 401, "unauthorized", NULL, NULL},
      {"GET", "/admin/v1/nothing", "Bearer " TOKEN, NULL, 404, "unknown_route", NULL, NULL},
      {"GET", "/admin/v1/clear_db", "bearer " TOKEN, NULL, 405, "method_not_allowed", "Allow",
       "POST"},
      {"POST", "/admin/v1/users/7/grants", "Bearer " TOKEN, "{\"amount\": ", 400, "bad_json", NULL,
       NULL},
      {"POST", "/admin/v1/users/7/grants", "Bearer " TOKEN, "[1, 2]", 400, "bad_json", NULL, NULL},
      {"POST", "/admin/v1/users/7/grants", "Bearer " TOKEN, "\"text\"", 400, "bad_json", NULL,
       NULL},
      {"POST", "/admin/v1/users/7/grants", "Bearer " TOKEN, "{\"a\": 1, \"a\": 2}", 400, "bad_json",
       NULL, NULL},
      /* The path names the user; a body that names another is refused, not overruled. */
      {"POST", "/admin/v1/users/7/grants", "Bearer " TOKEN, "{\"user\": \"8\"}", 400,
       "conflicting_argument", NULL, NULL},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    j = handle(api, rows[i].method, rows[i].path, rows[i].auth, rows[i].body, &out);
    if (out.status != rows[i].status || strcmp(code_of(j), rows[i].code) != 0)
      fail_msg("row %zu: %d %s, want %d %s", i, out.status, out.body, rows[i].status, rows[i].code);
    if (rows[i].header != NULL) {
      const char *v = header(&out, rows[i].header);
      if (v == NULL || strcmp(v, rows[i].value) != 0)
        fail_msg("row %zu: %s: %s, want %s", i, rows[i].header, v, rows[i].value);
    }
    json_decref(j);
    free(out.body);
  }
  /* The document, with the token. */
  j = handle(api, "GET", "/admin/v1/openapi.json", "Bearer " TOKEN, NULL, &out);
  assert_int_equal(out.status, 200);
  assert_non_null(json_object_get(j, "paths"));
  json_decref(j);
  free(out.body);
  pd_admin_api_free(api);
}

/* A held-off address is answered 429 before its token is looked at, the right one included. */
static void test_held_off_before_the_token(void **state)
{
  struct pd_app app;
  struct pd_admin_response out;
  struct pd_admin_api *api = api_new(&app, TOKEN, 2, 60);
  for (int i = 0; i < 2; i++) {
    json_decref(handle(api, "GET", "/admin/v1/openapi.json", "Bearer nope", NULL, &out));
    assert_int_equal(out.status, 401);
    free(out.body);
  }
  json_t *j = handle(api, "GET", "/admin/v1/openapi.json", "Bearer " TOKEN, NULL, &out);
  assert_int_equal(out.status, 429);
  assert_string_equal(code_of(j), "too_many_failures");
  const char *after = header(&out, "Retry-After");
  assert_non_null(after);
  long s = strtol(after, NULL, 10);
  assert_true(s >= 59 && s <= 60);
  json_decref(j);
  free(out.body);
  pd_admin_api_free(api);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_routes_match),
      cmocka_unit_test(test_openapi_is_the_table),
      cmocka_unit_test(test_failures_hold_an_address_off),
      cmocka_unit_test(test_failures_table_is_bounded),
      cmocka_unit_test(test_answers_before_the_operation),
      cmocka_unit_test(test_held_off_before_the_token),
  };
  return cmocka_run_group_tests_name("test_admin_api", tests, NULL, NULL);
}
