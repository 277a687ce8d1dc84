/* commons.c - a local double of the Wikimedia Commons MediaWiki Action API (api.php) for the
 * one query PopDeck makes: generator=search with prop=imageinfo, answered in MediaWiki's wire
 * format from test/fixtures/commons/.  Like Wikimedia it refuses requests without a
 * descriptive User-Agent (403, plain text) and reports bad parameters as a MediaWiki error
 * with status 200.  It records every request and can be told to fail.
 *
 *   double-commons --port N --fixtures DIR [--image-base URL]
 * (--image-base: https://upload.wikimedia.org in the answers becomes URL)
 *   GET /w/api.php?action=query&format=json&formatversion=2&generator=search&gsrsearch=Q
 *        &gsrnamespace=6&gsrlimit=N&gsroffset=N&prop=imageinfo&iiprop=...&iiextmetadatafilter=...
 *     fixture search-<Q without filetype: terms, lowercased, runs of other characters as one
 *     '-'>.json; its pages with gsroffset < index <= gsroffset + gsrlimit (default 10, at most
 *     50 with MediaWiki's warning) in the namespaces asked (default 0), imageinfo cut to iiprop
 *     and extmetadata to iiextmetadatafilter; "continue" when the fixture has more.  No
 *     fixture or no page left: {"batchcomplete":true} and no "query".  formatversion 1 (or
 *     none) gets pages keyed by page id and "batchcomplete":"".
 *   Errors, with status 200 and a MediaWiki-API-Error header, as {"error":{"code","info",
 *     "docref"},"servedby"}: badvalue (action, format, formatversion or generator missing or
 *     not the one above), missingparam (gsrsearch), badinteger (gsrlimit, gsroffset).
 *   No User-Agent, an empty one or a library default (curl/, python-requests/, ...): 403 text.
 * Control (not recorded):
 *   POST /_control/fail {"status":200,"count":1,"code":"...","info":"...","body":"raw",
 *                        "content_type":"text/html"}
 *       the next count API requests answer status: with body when given, else a MediaWiki
 *       error (code, info) for 200 and Wikimedia's HTML error page otherwise
 *   GET /_requests[?path=P]  [{seq, method, path, query{decoded arguments}, user_agent,
 *                              status, fixture, error, at_ms}]
 *   DELETE /_requests        forgets them and any failure still pending */
#include <jansson.h>
#include <microhttpd.h>

#include "serve.h"
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_BODY (64 * 1024)
#define MAX_LIMIT 50
#define SERVED_BY "mw-api-ext.eqiad.main-7d9f8c6b5-popdeck"
#define DOCREF                                                                                     \
  "See https://commons.wikimedia.org/w/api.php for API usage. Subscribe to the "                   \
  "mediawiki-api-announce mailing list "                                                           \
  "at "                                                                                            \
  "&lt;https://lists.wikimedia.org/postorius/lists/mediawiki-api-announce.lists.wikimedia.org/"    \
  "&gt; for notice "                                                                               \
  "of API deprecations and breaking changes."
#define UA_POLICY                                                                                  \
  "Scripts should use an informative User-Agent string with contact information, or they may be "  \
  "blocked without "                                                                               \
  "notice. See https://foundation.wikimedia.org/wiki/Policy:User-Agent_policy\n"
#define UPLOAD_HOST "https://upload.wikimedia.org"

static const char *fixtures, *image_base;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *recorded; /* array of request records */
static int fail_status, fail_count;
static char *fail_body, *fail_type, *fail_code, *fail_info;

/* What one request is answered. */
struct out {
  int status;
  json_t *json; /* body, or */
  char *raw;    /* this text, of content_type */
  const char *content_type;
  char error_code[64]; /* MediaWiki-API-Error header, or "" */
  char fixture[224];   /* the fixture file served, or "" */
};

static int64_t wall_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *arg(struct MHD_Connection *c, const char *name)
{
  return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

static void mw_error(struct out *o, const char *code, json_t *info)
{
  o->status = 200;
  o->json = json_pack("{s:{s:s, s:o, s:s}, s:s}", "error", "code", code, "info", info, "docref",
                      DOCREF, "servedby", SERVED_BY);
  snprintf(o->error_code, sizeof(o->error_code), "%s", code);
}

static void text(struct out *o, int status, const char *type, const char *body)
{
  o->status = status;
  o->raw = strdup(body);
  o->content_type = type;
}

/* Wikimedia refuses clients that do not say who they are, and library defaults. */
static bool descriptive(const char *ua)
{
  static const char *const generic[] = {"curl/",          "libcurl", "python-requests/",
                                        "python-urllib/", "wget/",   "go-http-client/",
                                        "java/",          "okhttp/"};
  if (ua == NULL || ua[strspn(ua, " \t")] == '\0')
    return false;
  for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
    if (strncasecmp(ua, generic[i], strlen(generic[i])) == 0)
      return false;
  return true;
}

/* Whether value is one of the '|'-separated items of list. */
static bool in_list(const char *list, const char *value)
{
  size_t n = strlen(value);
  for (const char *p = list; p != NULL; p = strchr(p, '|') != NULL ? strchr(p, '|') + 1 : NULL)
    if (strncmp(p, value, n) == 0 && (p[n] == '|' || p[n] == '\0'))
      return true;
  return false;
}

/* gsrsearch as a fixture name: filetype: terms dropped, lowercased, runs of anything but
 * letters and digits as one '-'.  False when nothing is left or it is too long. */
static bool slug(const char *q, char *out, size_t cap)
{
  size_t n = 0;
  bool dash = false;
  for (const char *p = q; *p != '\0';) {
    size_t len = strcspn(p, " ");
    if (len > 0 && strncasecmp(p, "filetype:", 9) != 0) {
      for (size_t i = 0; i < len; i++) {
        char ch = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] - 'A' + 'a') : p[i];
        bool keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!keep) {
          dash = n > 0;
          continue;
        }
        if (n + 3 > cap)
          return false;
        if (dash)
          out[n++] = '-';
        dash = false;
        out[n++] = ch;
      }
      dash = n > 0;
    }
    p += len;
    p += strspn(p, " ");
  }
  out[n] = '\0';
  return n > 0;
}

/* An integer argument: def when absent, "max" is max; false (and o the error) when malformed. */
static bool int_arg(struct MHD_Connection *c, const char *name, long def, long max, long *v,
                    struct out *o)
{
  const char *s = arg(c, name);
  char *end = NULL;
  *v = def;
  if (s == NULL)
    return true;
  if (max > 0 && strcmp(s, "max") == 0) {
    *v = max;
    return true;
  }
  *v = strtol(s, &end, 10);
  if (end == s || *end != '\0') {
    mw_error(o, "badinteger",
             json_sprintf("Invalid value \"%s\" for integer parameter \"%s\".", s, name));
    return false;
  }
  return true;
}

/* Checks one parameter that has a fixed set of values; false (and o the error) otherwise. */
static bool one_of(struct MHD_Connection *c, const char *name, const char *const *values,
                   struct out *o)
{
  const char *v = arg(c, name);
  if (v == NULL) {
    mw_error(o, "badvalue", json_sprintf("The \"%s\" parameter must be set.", name));
    return false;
  }
  for (; *values != NULL; values++)
    if (strcmp(v, *values) == 0)
      return true;
  mw_error(o, "badvalue", json_sprintf("Unrecognized value for parameter \"%s\": %s.", name, v));
  return false;
}

static void rebase_images(json_t *j)
{
  const char *key;
  size_t i;
  json_t *v;
  if (json_is_object(j)) {
    json_object_foreach(j, key, v)
    {
      const char *sv = json_string_value(v);
      if (sv != NULL && strncmp(sv, UPLOAD_HOST "/", sizeof(UPLOAD_HOST)) == 0)
        json_object_set_new(j, key, json_sprintf("%s%s", image_base, sv + sizeof(UPLOAD_HOST) - 1));
      else
        rebase_images(v);
    }
  } else if (json_is_array(j)) {
    json_array_foreach(j, i, v) rebase_images(v);
  }
}

/* A page as iiprop and iiextmetadatafilter ask (imageinfo only when prop has it). */
static json_t *shape_page(struct MHD_Connection *c, json_t *page)
{
  static const struct {
    const char *prop, *key;
  } fields[] = {{"url", "url"},   {"url", "descriptionurl"}, {"url", "descriptionshorturl"},
                {"size", "size"}, {"size", "width"},         {"size", "height"},
                {"mime", "mime"}};
  const char *prop = arg(c, "prop");
  const char *iiprop = arg(c, "iiprop") != NULL ? arg(c, "iiprop") : "timestamp|user";
  const char *filter = arg(c, "iiextmetadatafilter");
  json_t *out = json_deep_copy(page);
  json_object_del(out, "imageinfo");
  if (prop == NULL || !in_list(prop, "imageinfo"))
    return out;
  json_t *infos = json_array();
  size_t i;
  json_t *ii;
  json_array_foreach(json_object_get(page, "imageinfo"), i, ii)
  {
    json_t *keep = json_object();
    for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
      if (in_list(iiprop, fields[k].prop) && json_object_get(ii, fields[k].key) != NULL)
        json_object_set(keep, fields[k].key, json_object_get(ii, fields[k].key));
    if (in_list(iiprop, "extmetadata")) {
      json_t *ext = json_object(), *v;
      const char *key;
      json_object_foreach(json_object_get(ii, "extmetadata"), key, v)
      {
        if (filter == NULL || in_list(filter, key))
          json_object_set(ext, key, v);
      }
      json_object_set_new(keep, "extmetadata", ext);
    }
    json_array_append_new(infos, keep);
  }
  json_object_set_new(out, "imageinfo", infos);
  return out;
}

static void api_route(struct MHD_Connection *c, struct out *o)
{
  static const char *const actions[] = {"query", NULL};
  static const char *const formats[] = {"json", NULL};
  static const char *const versions[] = {"1", "2", "latest", NULL};
  static const char *const generators[] = {"search", NULL};
  long limit, offset;
  if (!one_of(c, "action", actions, o) || !one_of(c, "format", formats, o))
    return;
  bool v2 = arg(c, "formatversion") != NULL;
  if (v2 && !one_of(c, "formatversion", versions, o))
    return;
  v2 = v2 && strcmp(arg(c, "formatversion"), "1") != 0;
  if (!one_of(c, "generator", generators, o))
    return;
  const char *q = arg(c, "gsrsearch");
  if (q == NULL || q[0] == '\0') {
    mw_error(o, "missingparam", json_string("The \"gsrsearch\" parameter must be set."));
    return;
  }
  if (!int_arg(c, "gsrlimit", 10, MAX_LIMIT, &limit, o) ||
      !int_arg(c, "gsroffset", 0, 0, &offset, o))
    return;
  json_t *warnings = NULL;
  if (limit > MAX_LIMIT || limit < 1) {
    warnings = json_pack("{s:{s:o}}", "search", v2 ? "warnings" : "*",
                         limit > MAX_LIMIT
                             ? json_sprintf("gsrlimit may not be over %d (set to %d) for users.",
                                            MAX_LIMIT, MAX_LIMIT)
                             : json_string("gsrlimit may not be less than 1 (set to 1)."));
    limit = limit > MAX_LIMIT ? MAX_LIMIT : 1;
  }
  if (offset < 0)
    offset = 0;
  const char *ns = arg(c, "gsrnamespace") != NULL ? arg(c, "gsrnamespace") : "0";

  char name[200], path[1024];
  json_t *fixture = NULL;
  if (slug(q, name, sizeof(name))) {
    snprintf(path, sizeof(path), "%s/search-%s.json", fixtures, name);
    fixture = json_load_file(path, 0, NULL);
    if (fixture != NULL)
      snprintf(o->fixture, sizeof(o->fixture), "search-%s.json", name);
  }
  json_t *pages = v2 ? json_array() : json_object();
  bool more = false;
  size_t i;
  json_t *pg;
  json_array_foreach(json_object_get(json_object_get(fixture, "query"), "pages"), i, pg)
  {
    json_int_t idx = json_integer_value(json_object_get(pg, "index"));
    char nsbuf[24], id[24];
    snprintf(nsbuf, sizeof(nsbuf), "%lld",
             (long long)json_integer_value(json_object_get(pg, "ns")));
    if (idx > offset + limit)
      more = true;
    if (idx <= offset || idx > offset + limit || !in_list(ns, nsbuf))
      continue;
    json_t *shaped = shape_page(c, pg);
    if (v2) {
      json_array_append_new(pages, shaped);
    } else {
      snprintf(id, sizeof(id), "%lld",
               (long long)json_integer_value(json_object_get(pg, "pageid")));
      json_object_set_new(pages, id, shaped);
    }
  }
  o->status = 200;
  o->json = json_object();
  json_object_set_new(o->json, "batchcomplete", v2 ? json_true() : json_string(""));
  if (more)
    json_object_set_new(o->json, "continue",
                        json_pack("{s:I, s:s}", "gsroffset", (json_int_t)(offset + limit),
                                  "continue", "gsroffset||"));
  else if (json_object_get(fixture, "continue") != NULL &&
           json_object_size(pages) + json_array_size(pages) > 0)
    json_object_set(o->json, "continue", json_object_get(fixture, "continue"));
  if (warnings != NULL)
    json_object_set_new(o->json, "warnings", warnings);
  if (json_object_size(pages) + json_array_size(pages) > 0)
    json_object_set_new(o->json, "query", json_pack("{s:o}", "pages", pages));
  else
    json_decref(pages);
  json_decref(fixture);
}

/* Takes one injected failure, if any is pending. */
static bool injected(struct out *o)
{
  pthread_mutex_lock(&mu);
  bool hit = fail_count > 0;
  if (hit) {
    fail_count--;
    if (fail_body != NULL)
      text(o, fail_status, fail_type != NULL ? fail_type : "text/html; charset=utf-8", fail_body);
    else if (fail_status == 200)
      mw_error(o, fail_code != NULL ? fail_code : "internal_api_error_DBQueryError",
               json_string(fail_info != NULL ? fail_info : "[0b1c2d3e4f] Database query error."));
    else
      text(o, fail_status, "text/html; charset=utf-8",
           "<!DOCTYPE html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>Wikimedia "
           "Error</title>"
           "<p>Our servers are currently under maintenance or experiencing a technical problem. "
           "Please try again in "
           "a few minutes.</p></html>\n");
  }
  pthread_mutex_unlock(&mu);
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
  json_t *query = json_object();
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, query);
  json_t *rec = json_pack(
      "{s:s, s:s, s:o, s:s?, s:i, s:s?, s:s?, s:I}", "method", method, "path", url, "query", query,
      "user_agent", MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent"), "status",
      o->status, "fixture", o->fixture[0] != '\0' ? o->fixture : NULL, "error",
      o->error_code[0] != '\0' ? o->error_code : NULL, "at_ms", (json_int_t)wall_ms());
  pthread_mutex_lock(&mu);
  json_object_set_new(rec, "seq", json_integer((json_int_t)json_array_size(recorded)));
  json_array_append_new(recorded, rec);
  pthread_mutex_unlock(&mu);
}

static enum MHD_Result reply(struct MHD_Connection *c, struct out *o)
{
  if (image_base != NULL && o->json != NULL)
    rebase_images(o->json);
  char *s = o->raw != NULL    ? o->raw
            : o->json != NULL ? json_dumps(o->json, JSON_COMPACT)
                              : strdup("");
  json_decref(o->json);
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(resp, "Content-Type",
                          o->raw != NULL ? o->content_type : "application/json; charset=utf-8");
  if (o->error_code[0] != '\0')
    MHD_add_response_header(resp, "MediaWiki-API-Error", o->error_code);
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)o->status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static void reset(void)
{
  json_array_clear(recorded);
  fail_count = fail_status = 0;
  free(fail_body);
  free(fail_type);
  free(fail_code);
  free(fail_info);
  fail_body = fail_type = fail_code = fail_info = NULL;
}

static char *dup_or_null(json_t *j, const char *key)
{
  const char *s = json_string_value(json_object_get(j, key));
  return s != NULL ? strdup(s) : NULL;
}

static void control(struct MHD_Connection *c, const char *method, const char *url,
                    struct pd_double_body *r, struct out *o)
{
  o->status = 204;
  if (strcmp(url, "/_requests") == 0 && strcmp(method, "GET") == 0) {
    const char *filter = arg(c, "path");
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
  if (strcmp(url, "/_control/fail") == 0 && strcmp(method, "POST") == 0 && json_is_object(j)) {
    json_t *st = json_object_get(j, "status"), *n = json_object_get(j, "count");
    pthread_mutex_lock(&mu);
    free(fail_body);
    free(fail_type);
    free(fail_code);
    free(fail_info);
    fail_status = st != NULL ? (int)json_integer_value(st) : 200;
    fail_count = n != NULL ? (int)json_integer_value(n) : 1;
    fail_body = dup_or_null(j, "body");
    fail_type = dup_or_null(j, "content_type");
    fail_code = dup_or_null(j, "code");
    fail_info = dup_or_null(j, "info");
    pthread_mutex_unlock(&mu);
  } else {
    text(o, 404, "text/plain; charset=utf-8",
         "no such control route (POST /_control/fail takes a JSON object)\n");
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
  if (!descriptive(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent")))
    text(&o, 403, "text/plain; charset=utf-8", UA_POLICY);
  else if (r->too_big)
    text(&o, 413, "text/plain; charset=utf-8", "Request Entity Too Large\n");
  else if (strcmp(url, "/w/api.php") != 0)
    text(&o, 404, "text/html; charset=utf-8",
         "<!DOCTYPE html>\n<title>Not Found</title><p>Not Found</p>\n");
  else if (!injected(&o))
    api_route(c, &o);
  record(c, method, url, &o);
  return reply(c, &o);
}

int main(int argc, char **argv)
{
  long port = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0) {
      char *end = NULL;
      port = strtol(argv[i + 1], &end, 10);
      if (*end != '\0')
        port = -1;
    } else if (strcmp(argv[i], "--fixtures") == 0) {
      fixtures = argv[i + 1];
    } else if (strcmp(argv[i], "--image-base") == 0) {
      image_base = argv[i + 1];
    }
  }
  if (port < 0 || port > 65535 || fixtures == NULL) {
    fprintf(stderr, "usage: double-commons --port N --fixtures DIR [--image-base URL]\n");
    return 2;
  }
  recorded = json_array();
  int rc = pd_double_serve(port, on_request, NULL, pd_double_body_done);
  pthread_mutex_lock(&mu);
  reset();
  pthread_mutex_unlock(&mu);
  json_decref(recorded);
  return rc;
}
