/* spotify.c - a local double of Spotify's accounts service (client-credentials tokens) and Web
 * API (artist search, an artist's albums), in Spotify's wire format, serving the fixtures in
 * test/fixtures/spotify/.  It records every request and can be told to fail, to expire the
 * tokens it issued, or to page differently.
 *
 *   double-spotify --port N --fixtures DIR --client-id ID --client-secret S [--image-base URL]
 * (--image-base: image URLs of the fixtures point there instead of https://i.scdn.co)
 *   POST /api/token                  HTTP Basic ID:S, grant_type=client_credentials
 *   GET  /v1/search?type=artist&q=Q  search-<q lowercased, spaces as '-'>.json, else no items
 *   GET  /v1/artists/{id}/albums     artist-albums-<id>.json, in two pages linked by "next"
 *                                    (http://<Host header>/v1/...), else 404
 * Control (not recorded):
 *   POST /_control/fail
 * {"status":429,"count":N,"retry_after":1,"route":"api"|"token"|"any","body":"raw"} the next N
 * requests of that route answer status (429: with Retry-After when retry_after >= 0); "body"
 * replaces Spotify's error JSON POST /_control/expire every token issued so far answers 401 "The
 * access token expired" POST /_control/token  {"expires_in":N}  lifetime of the tokens issued from
 * now on (3600) POST /_control/paging {"page_size":N,"next_base":"http://other/v1"}  album page
 * size (0: half the list) and the base "next" links point at (""/absent: the Host's) GET
 * /_requests[?path=P]  [{seq, method, path, query{}, authorization: bool, scheme, token_id,
 * user_agent, content_type, status}] DELETE /_requests        forgets them and every control
 * setting (issued tokens stay) */
#include <jansson.h>
#include <microhttpd.h>

#include "serve.h"
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_BODY (64 * 1024)

static const char *fixtures, *client_id, *client_secret;
static char expected_basic[512];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *recorded; /* array of request records */
static json_t *tokens;   /* access token -> {"id": n, "expires_ms": t, "revoked": bool} */
static int token_counter;
static long token_life = 3600;
static int fail_status, fail_count;
static long fail_retry_after;
static char fail_route[8] = "api";
static char *fail_body;
static int page_size;
static char next_base[256];
static const char *image_base; /* --image-base: where https://i.scdn.co image URLs point instead */

/* What one request is answered. */
struct out {
  int status;
  json_t *json;         /* body, or */
  char *raw;            /* this text instead */
  char retry_after[24]; /* Retry-After header, or "" */
  char www_authenticate[160];
  int token_id; /* which of our tokens came with the request (0: none of ours) */
};

static int64_t wall_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void api_error(struct out *o, int status, const char *message)
{
  o->status = status;
  o->json = json_pack("{s:{s:i, s:s}}", "error", "status", status, "message", message);
}

static void accounts_error(struct out *o, int status, const char *code, const char *description)
{
  o->status = status;
  o->json = json_pack("{s:s, s:s}", "error", code, "error_description", description);
}

static const char *reason(int status)
{
  switch (status) {
  case 401:
    return "Invalid access token";
  case 403:
    return "Forbidden";
  case 404:
    return "Resource not found";
  case 429:
    return "API rate limit exceeded";
  case 500:
    return "Server error";
  case 502:
    return "Bad gateway";
  case 503:
    return "Service unavailable";
  default:
    return "Bad request";
  }
}

/* The value of name in an application/x-www-form-urlencoded body (no decoding: the values
 * checked here need none), or NULL. */
static char *form_value(const char *body, const char *name, char *buf, size_t cap)
{
  size_t n = strlen(name);
  for (const char *p = body; p != NULL && *p != '\0';) {
    const char *amp = strchr(p, '&');
    size_t len = amp != NULL ? (size_t)(amp - p) : strlen(p);
    if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
      snprintf(buf, cap, "%.*s", (int)(len - n - 1), p + n + 1);
      return buf;
    }
    p = amp != NULL ? amp + 1 : NULL;
  }
  return NULL;
}

static void token_route(struct MHD_Connection *c, const char *method, struct pd_double_body *r,
                        struct out *o)
{
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  char grant[64];
  if (strcmp(method, "POST") != 0) {
    accounts_error(o, 405, "invalid_request", "Only POST is supported");
    return;
  }
  if (auth == NULL || strcmp(auth, expected_basic) != 0) {
    accounts_error(o, 400, "invalid_client", "Invalid client");
    return;
  }
  if (ctype == NULL || strncasecmp(ctype, "application/x-www-form-urlencoded", 33) != 0) {
    accounts_error(o, 400, "invalid_request",
                   "Content-Type must be application/x-www-form-urlencoded");
    return;
  }
  if (form_value(pd_buf_str(&r->buf), "grant_type", grant, sizeof(grant)) == NULL) {
    accounts_error(o, 400, "unsupported_grant_type", "grant_type parameter is missing");
    return;
  }
  if (strcmp(grant, "client_credentials") != 0) {
    accounts_error(o, 400, "unsupported_grant_type",
                   "grant_type must be client_credentials, authorization_code or refresh_token");
    return;
  }
  unsigned char rnd[12];
  char hex[2 * sizeof(rnd) + 1], tok[64];
  randombytes_buf(rnd, sizeof(rnd));
  sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
  pthread_mutex_lock(&mu);
  int id = ++token_counter;
  long life = token_life;
  snprintf(tok, sizeof(tok), "tok-%d-%s", id, hex);
  json_object_set_new(tokens, tok,
                      json_pack("{s:i, s:I, s:b}", "id", id, "expires_ms",
                                (json_int_t)(wall_ms() + life * 1000), "revoked", 0));
  pthread_mutex_unlock(&mu);
  o->status = 200;
  o->json = json_pack("{s:s, s:s, s:I}", "access_token", tok, "token_type", "Bearer", "expires_in",
                      (json_int_t)life);
}

/* Checks the bearer token: true when it is one we issued and still good; else o is the 401. */
static bool authorized(struct MHD_Connection *c, struct out *o)
{
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  const char *why = NULL;
  if (auth == NULL) {
    why = "No token provided";
  } else if (strncmp(auth, "Bearer ", 7) != 0) {
    why = "Only valid bearer authentication supported";
  } else {
    pthread_mutex_lock(&mu);
    json_t *t = json_object_get(tokens, auth + 7);
    if (t == NULL) {
      why = "Invalid access token";
    } else {
      o->token_id = (int)json_integer_value(json_object_get(t, "id"));
      if (json_is_true(json_object_get(t, "revoked")) ||
          wall_ms() >= json_integer_value(json_object_get(t, "expires_ms")))
        why = "The access token expired";
    }
    pthread_mutex_unlock(&mu);
  }
  if (why == NULL)
    return true;
  api_error(o, 401, why);
  snprintf(o->www_authenticate, sizeof(o->www_authenticate),
           "Bearer realm=\"spotify\", error=\"invalid_token\", error_description=\"%s\"", why);
  return false;
}

/* A query argument as a number in [lo, hi], def when absent; false when malformed. */
static bool int_arg(struct MHD_Connection *c, const char *name, long def, long lo, long hi, long *v)
{
  const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
  char *end = NULL;
  *v = def;
  if (s == NULL)
    return true;
  *v = strtol(s, &end, 10);
  return end != s && *end == '\0' && *v >= lo && *v <= hi;
}

static const char *host_base(struct MHD_Connection *c, char *buf, size_t cap)
{
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
  pthread_mutex_lock(&mu);
  if (next_base[0] != '\0')
    snprintf(buf, cap, "%s", next_base);
  else
    snprintf(buf, cap, "http://%s/v1", host != NULL ? host : "127.0.0.1");
  pthread_mutex_unlock(&mu);
  return buf;
}

static void search_route(struct MHD_Connection *c, struct out *o)
{
  const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
  const char *type = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "type");
  long limit;
  if (q == NULL || q[0] == '\0') {
    api_error(o, 400, "No search query");
    return;
  }
  if (type == NULL) {
    api_error(o, 400, "Missing parameter type");
    return;
  }
  if (strcmp(type, "artist") != 0) {
    api_error(o, 400, "Bad search type field");
    return;
  }
  if (!int_arg(c, "limit", 20, 0, 50, &limit)) {
    api_error(o, 400, "Invalid limit");
    return;
  }
  /* search-<q>.json, q lowercased with spaces as '-'; anything else in q means no fixture. */
  char name[128], path[1024];
  size_t n = 0;
  bool plain = strlen(q) < sizeof(name) - 1;
  for (const char *p = q; plain && *p != '\0'; p++) {
    char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p == ' ' ? '-' : *p;
    plain = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    name[n++] = ch;
  }
  name[n] = '\0';
  json_t *j = NULL;
  if (plain) {
    snprintf(path, sizeof(path), "%s/search-%s.json", fixtures, name);
    j = json_load_file(path, 0, NULL);
  }
  if (j == NULL) {
    char base[300];
    host_base(c, base, sizeof(base));
    j = json_pack("{s:{s:o, s:[], s:I, s:n, s:i, s:n, s:i}}", "artists", "href",
                  json_sprintf("%s/search?query=%s&type=artist&offset=0&limit=%ld", base,
                               plain ? name : "query", limit),
                  "items", "limit", (json_int_t)limit, "next", "offset", 0, "previous", "total", 0);
  }
  o->status = 200;
  o->json = j;
}

static bool base62_id(const char *s, size_t n)
{
  if (n != 22)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
          (s[i] >= 'A' && s[i] <= 'Z')))
      return false;
  return true;
}

/* Whether group is one of the comma-separated include_groups (all when NULL). */
static bool in_groups(const char *groups, const char *group)
{
  size_t n = group != NULL ? strlen(group) : 0;
  if (groups == NULL)
    return true;
  for (const char *p = groups; n > 0 && p != NULL;
       p = strchr(p, ',') != NULL ? strchr(p, ',') + 1 : NULL)
    if (strncmp(p, group, n) == 0 && (p[n] == ',' || p[n] == '\0'))
      return true;
  return false;
}

static json_t *page_link(const char *base, const char *id, long offset, long limit,
                         const char *groups)
{
  return json_sprintf("%s/artists/%s/albums?offset=%ld&limit=%ld%s%s", base, id, offset, limit,
                      groups != NULL ? "&include_groups=" : "", groups != NULL ? groups : "");
}

static void albums_route(struct MHD_Connection *c, const char *id, size_t idlen, struct out *o)
{
  const char *groups = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "include_groups");
  long limit, offset;
  char sid[32], path[1024], base[300];
  if (!base62_id(id, idlen)) {
    api_error(o, 400, "Invalid base62 id");
    return;
  }
  if (!int_arg(c, "limit", 20, 1, 50, &limit)) {
    api_error(o, 400, "Invalid limit");
    return;
  }
  if (!int_arg(c, "offset", 0, 0, 100000, &offset)) {
    api_error(o, 400, "Invalid offset");
    return;
  }
  snprintf(sid, sizeof(sid), "%.*s", (int)idlen, id);
  snprintf(path, sizeof(path), "%s/artist-albums-%s.json", fixtures, sid);
  json_t *all = json_load_file(path, 0, NULL);
  if (all == NULL) {
    api_error(o, 404, "Resource not found");
    return;
  }
  json_t *items = json_array();
  size_t i;
  json_t *al;
  json_array_foreach(json_object_get(all, "items"), i, al)
  {
    if (in_groups(groups, json_string_value(json_object_get(al, "album_group"))))
      json_array_append(items, al);
  }
  long total = (long)json_array_size(items);
  pthread_mutex_lock(&mu);
  long size = page_size > 0 ? page_size : (total + 1) / 2;
  pthread_mutex_unlock(&mu);
  if (size < 1)
    size = 1;
  if (size > limit)
    size = limit;
  host_base(c, base, sizeof(base));
  json_t *page = json_array();
  for (long k = offset; k < total && k < offset + size; k++)
    json_array_append(page, json_array_get(items, (size_t)k));
  o->status = 200;
  o->json = json_pack(
      "{s:o, s:I, s:o, s:I, s:o, s:I, s:o}", "href", page_link(base, sid, offset, size, groups),
      "limit", (json_int_t)size, "next",
      offset + size < total ? page_link(base, sid, offset + size, size, groups) : json_null(),
      "offset", (json_int_t)offset, "previous",
      offset > 0 ? page_link(base, sid, offset > size ? offset - size : 0, size, groups)
                 : json_null(),
      "total", (json_int_t)total, "items", page);
  json_decref(items);
  json_decref(all);
}

static void api_route(struct MHD_Connection *c, const char *method, const char *url, struct out *o)
{
  if (!authorized(c, o))
    return;
  if (strcmp(method, "GET") != 0) {
    api_error(o, 405, "Method not allowed");
    return;
  }
  if (strcmp(url, "/v1/search") == 0) {
    search_route(c, o);
    return;
  }
  const char *rest = strncmp(url, "/v1/artists/", 12) == 0 ? url + 12 : NULL;
  const char *slash = rest != NULL ? strchr(rest, '/') : NULL;
  if (slash != NULL && strcmp(slash, "/albums") == 0) {
    albums_route(c, rest, (size_t)(slash - rest), o);
    return;
  }
  api_error(o, 404, "Service not found");
}

/* Takes one injected failure for this route, if any is pending. */
static bool injected(bool token, struct out *o)
{
  bool hit = false;
  pthread_mutex_lock(&mu);
  if (fail_count > 0 &&
      (strcmp(fail_route, "any") == 0 || strcmp(fail_route, token ? "token" : "api") == 0)) {
    fail_count--;
    hit = true;
    o->status = fail_status;
    if (fail_body != NULL)
      o->raw = strdup(fail_body);
    if (fail_status == 429 && fail_retry_after >= 0)
      snprintf(o->retry_after, sizeof(o->retry_after), "%ld", fail_retry_after);
  }
  pthread_mutex_unlock(&mu);
  if (hit && o->raw == NULL) {
    if (token)
      accounts_error(o, o->status, o->status == 429 ? "rate_limited" : "server_error",
                     reason(o->status));
    else
      api_error(o, o->status, reason(o->status));
  }
  return hit;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
  json_object_set_new(cls, key, value != NULL ? json_string(value) : json_null());
  return MHD_YES;
}

static void record(struct MHD_Connection *c, const char *method, const char *url,
                   const struct out *o)
{
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
  const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  const char *scheme = auth == NULL                       ? NULL
                       : strncmp(auth, "Basic ", 6) == 0  ? "Basic"
                       : strncmp(auth, "Bearer ", 7) == 0 ? "Bearer"
                                                          : "other";
  json_t *query = json_object();
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, query);
  json_t *rec =
      json_pack("{s:s, s:s, s:o, s:b, s:s?, s:o, s:s?, s:s?, s:i, s:I}", "method", method, "path",
                url, "query", query, "authorization", auth != NULL, "scheme", scheme, "token_id",
                o->token_id > 0 ? json_integer(o->token_id) : json_null(), "user_agent", ua,
                "content_type", ctype, "status", o->status, "at_ms", (json_int_t)wall_ms());
  pthread_mutex_lock(&mu);
  json_object_set_new(rec, "seq", json_integer((json_int_t)json_array_size(recorded)));
  json_array_append_new(recorded, rec);
  pthread_mutex_unlock(&mu);
}

static enum MHD_Result reply(struct MHD_Connection *c, struct out *o)
{
  if (image_base != NULL && o->json != NULL)
    pd_double_rebase_urls(o->json, "https://i.scdn.co", image_base);
  char *s = o->raw != NULL    ? o->raw
            : o->json != NULL ? json_dumps(o->json, JSON_COMPACT)
                              : strdup("");
  json_decref(o->json);
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(resp, "Content-Type",
                          o->raw != NULL ? "text/html" : "application/json; charset=utf-8");
  if (o->retry_after[0] != '\0')
    MHD_add_response_header(resp, "Retry-After", o->retry_after);
  if (o->www_authenticate[0] != '\0')
    MHD_add_response_header(resp, "WWW-Authenticate", o->www_authenticate);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)o->status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static void reset(void)
{
  json_array_clear(recorded);
  fail_count = fail_status = 0;
  fail_retry_after = 0;
  snprintf(fail_route, sizeof(fail_route), "api");
  free(fail_body);
  fail_body = NULL;
  token_life = 3600;
  page_size = 0;
  next_base[0] = '\0';
}

static void control(struct MHD_Connection *c, const char *method, const char *url,
                    struct pd_double_body *r, struct out *o)
{
  o->status = 204;
  if (strcmp(url, "/_requests") == 0 && strcmp(method, "GET") == 0) {
    const char *filter = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "path");
    json_t *list = json_array();
    size_t i;
    json_t *rec;
    pthread_mutex_lock(&mu);
    json_array_foreach(recorded, i, rec)
    {
      if (filter == NULL || strstr(json_string_value(json_object_get(rec, "path")), filter) != NULL)
        json_array_append_new(list, json_deep_copy(rec));
    }
    pthread_mutex_unlock(&mu);
    o->status = 200;
    o->json = list;
    return;
  }
  if (strcmp(url, "/_requests") == 0 && strcmp(method, "DELETE") == 0) {
    pthread_mutex_lock(&mu);
    reset();
    pthread_mutex_unlock(&mu);
    return;
  }
  json_t *j = r->buf.len > 0 ? json_loadb(r->buf.p, r->buf.len, 0, NULL) : json_object();
  if (strcmp(method, "POST") != 0 || !json_is_object(j)) {
    api_error(o, 400, "control routes take POST with a JSON object");
  } else if (strcmp(url, "/_control/fail") == 0) {
    const char *route = json_string_value(json_object_get(j, "route"));
    const char *body = json_string_value(json_object_get(j, "body"));
    json_t *ra = json_object_get(j, "retry_after");
    pthread_mutex_lock(&mu);
    fail_status = (int)json_integer_value(json_object_get(j, "status"));
    fail_count = (int)json_integer_value(json_object_get(j, "count"));
    fail_retry_after = ra != NULL ? (long)json_number_value(ra) : 1;
    snprintf(fail_route, sizeof(fail_route), "%s", route != NULL ? route : "api");
    free(fail_body);
    fail_body = body != NULL ? strdup(body) : NULL;
    pthread_mutex_unlock(&mu);
  } else if (strcmp(url, "/_control/expire") == 0) {
    const char *k;
    json_t *t;
    pthread_mutex_lock(&mu);
    json_object_foreach(tokens, k, t) json_object_set_new(t, "revoked", json_true());
    pthread_mutex_unlock(&mu);
  } else if (strcmp(url, "/_control/token") == 0) {
    pthread_mutex_lock(&mu);
    token_life = (long)json_integer_value(json_object_get(j, "expires_in"));
    pthread_mutex_unlock(&mu);
  } else if (strcmp(url, "/_control/paging") == 0) {
    const char *nb = json_string_value(json_object_get(j, "next_base"));
    pthread_mutex_lock(&mu);
    page_size = (int)json_integer_value(json_object_get(j, "page_size"));
    snprintf(next_base, sizeof(next_base), "%s", nb != NULL ? nb : "");
    pthread_mutex_unlock(&mu);
  } else {
    api_error(o, 404, "no such control route");
  }
  json_decref(j);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  struct pd_double_body *r = NULL;
  enum MHD_Result more;
  if (pd_double_body_more(con_cls, upload, upload_size, MAX_BODY, &r, &more))
    return more;
  struct out o = {0};
  if (strncmp(url, "/_", 2) == 0) {
    control(c, method, url, r, &o);
    return reply(c, &o);
  }
  bool token = strcmp(url, "/api/token") == 0;
  if (r->too_big) {
    api_error(&o, 413, "Request entity too large");
  } else if (!injected(token, &o)) {
    if (token)
      token_route(c, method, r, &o);
    else if (strncmp(url, "/v1/", 4) == 0)
      api_route(c, method, url, &o);
    else
      api_error(&o, 404, "Service not found");
  }
  record(c, method, url, &o);
  return reply(c, &o);
}

int main(int argc, char **argv)
{
  long port = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0)
      port = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--fixtures") == 0)
      fixtures = argv[i + 1];
    else if (strcmp(argv[i], "--client-id") == 0)
      client_id = argv[i + 1];
    else if (strcmp(argv[i], "--image-base") == 0)
      image_base = argv[i + 1];
    else if (strcmp(argv[i], "--client-secret") == 0)
      client_secret = argv[i + 1];
  }
  if (port < 0 || port > 65535 || fixtures == NULL || client_id == NULL || client_secret == NULL) {
    fprintf(stderr,
            "usage: double-spotify --port N --fixtures DIR --client-id ID --client-secret S\n");
    return 2;
  }
  if (sodium_init() < 0)
    return 1;
  /* "Basic " + base64(id:secret), what a correct client sends. */
  char pair[300];
  snprintf(pair, sizeof(pair), "%s:%s", client_id, client_secret);
  snprintf(expected_basic, sizeof(expected_basic), "Basic ");
  sodium_bin2base64(expected_basic + 6, sizeof(expected_basic) - 6, (const unsigned char *)pair,
                    strlen(pair), sodium_base64_VARIANT_ORIGINAL);
  recorded = json_array();
  tokens = json_object();
  int rc = pd_double_serve(port, on_request, NULL, pd_double_body_done);
  json_decref(recorded);
  json_decref(tokens);
  free(fail_body);
  return rc;
}
