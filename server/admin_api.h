/* admin_api.h - the REST admin API under /admin/v1: bearer authentication (ADMIN_TOKEN), the
 * slowing down of an address that keeps failing it, the route table, and JSON in and out around
 * the runner that /admin uses too (lib/admin.h).  http.c hands every request under /admin/ here
 * with what it read from libmicrohttpd, and sends back what this answers. */
#ifndef PD_ADMIN_API_H
#define PD_ADMIN_API_H

#include <stdbool.h>
#include <stddef.h>

#include "app.h"
#include "log.h"

/* One row of the route table: a method, a path whose {name} segment matches any one segment,
 * the operation it runs (NULL: the OpenAPI document), and the argument the path parameter
 * becomes (NULL: none). */
struct pd_admin_route {
  const char *method;
  const char *path;
  const char *op;
  const char *param_arg;
};
/* NULL-terminated; assets/admin-openapi.json documents exactly these. */
extern const struct pd_admin_route pd_admin_routes[];

struct pd_admin_api;
/* Reads what the API needs from app->cfg: with ADMIN_TOKEN unset it is off (every /admin/ route
 * answers 404); with it, ASSETS_DIR/admin-openapi.json is read now, and PD_E_IO (after one line
 * naming the file) stops the start when it cannot be. */
enum pd_result pd_admin_api_new(struct pd_app *app, struct pd_admin_api **out);
/* Says in the log, once the server listens, that the API is off (when it is). */
void pd_admin_api_started(const struct pd_admin_api *api);
void pd_admin_api_free(struct pd_admin_api *api);

struct pd_admin_param {
  const char *name, *value; /* value NULL for "?name" without "=" */
};
#define PD_ADMIN_API_QUERY_MAX 32

struct pd_admin_request {
  const char *method;
  const char *path; /* decoded, without the query */
  const struct pd_admin_param *query;
  size_t nquery;
  bool query_truncated;      /* more than PD_ADMIN_API_QUERY_MAX parameters came */
  const char *authorization; /* the header, NULL when absent */
  const char *client;        /* the client's numeric address: the key of failure counts */
  const char *body;
  size_t body_len;
};

#define PD_ADMIN_API_HEADERS 4
struct pd_admin_response {
  int status;
  char *body; /* malloc'd JSON text, the caller frees it */
  size_t len;
  struct {
    const char *name;
    char value[96];
  } headers[PD_ADMIN_API_HEADERS]; /* besides Content-Type */
  size_t nheaders;
  char ref[PD_REF_LEN + 1]; /* the request's reference id, also in X-Request-Id */
  char op[40];              /* the operation routed to, for the log line ("" none) */
  const char *error;        /* our failure, for the log line only */
};

/* Answers req.  out->body is NULL only when memory ran out. */
void pd_admin_api_handle(struct pd_admin_api *api, const struct pd_admin_request *req,
                         struct pd_admin_response *out);

#ifdef PD_UNITTEST
/* The route for method and path: 0 with *route and the path parameter's value in param (""
 * when the route has none), 404 for no route of that path, 405 for a path with routes of other
 * methods only (allow gets them, comma-separated). */
int pd_admin_api_match(const char *method, const char *path, const struct pd_admin_route **route,
                       char *param, size_t param_cap, char *allow, size_t allow_cap);
/* The failure counts, on a clock of the test's: whether client is held off at now_us (and for
 * how many more seconds), and a failure of client's. */
bool pd_admin_api_held(struct pd_admin_api *api, const char *client, int64_t now_us,
                       int *retry_after_s);
void pd_admin_api_failed(struct pd_admin_api *api, const char *client, int64_t now_us);
#endif

#endif
