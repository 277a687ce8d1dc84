/* musicbrainz.c - MusicBrainz over libcurl, rate-limited to one request a second. */
#include "musicbrainz.h"

#include <curl/curl.h>

#include "http_get.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* GET base + path_and_query, waiting first so requests are at least a second apart. */
static enum pd_result get_once(struct pd_mb *mb, const char *path, json_t **out, long *status,
                               char *err, size_t errlen)
{
  char url[2048], why[256];
  int64_t wait = mb->last_request_us + PD_MB_INTERVAL_US - pd_now_us();
  if (mb->last_request_us != 0 && wait > 0) {
    struct timespec t = {wait / 1000000, (wait % 1000000) * 1000};
    nanosleep(&t, NULL);
  }
  snprintf(url, sizeof(url), "%s%s", mb->base, path);
  enum pd_result rc = pd_http_get_json(url, PD_MB_USER_AGENT, 15000, status, out, why, sizeof(why));
  mb->last_request_us = pd_now_us();
  if (rc != PD_OK) {
    snprintf(err, errlen, "MusicBrainz: %s", why);
    return rc;
  }
  if (*status != 200 || *out == NULL) {
    snprintf(err, errlen, "MusicBrainz answered %ld%s", *status,
             *status == 503   ? " (rate limited)"
             : *status == 200 ? " with bad JSON"
                              : "");
    json_decref(*out);
    *out = NULL;
    return PD_E_UPSTREAM;
  }
  return PD_OK;
}

/* MusicBrainz answers 503 to a client over its rate (another process of ours may have asked a
 * moment ago): wait the interval again and retry a few times before giving up. */
static enum pd_result get_json(struct pd_mb *mb, const char *path, json_t **out, char *err,
                               size_t errlen)
{
  enum pd_result rc = PD_E_UPSTREAM;
  long status = 0;
  for (int attempt = 0; attempt < 4; attempt++) {
    rc = get_once(mb, path, out, &status, err, errlen);
    if (rc == PD_OK || status != 503)
      break;
  }
  return rc;
}

bool pd_mb_id_valid(const char *s)
{
  static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
  if (s == NULL)
    return false;
  for (size_t i = 0; i < sizeof(shape) - 1; i++) {
    if (s[i] == '\0')
      return false;
    if (shape[i] == '-' ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
      return false;
  }
  return s[sizeof(shape) - 1] == '\0';
}

/* err for an id that must not go into a URL. */
static enum pd_result bad_id(const char *what, const char *id, char *err, size_t errlen)
{
  snprintf(err, errlen, "MusicBrainz: %s id \"%.60s\" is not a UUID", what, id != NULL ? id : "");
  return PD_E_INVALID;
}

enum pd_result pd_mb_find_artist(struct pd_mb *mb, const char *name, struct pd_mb_artist *out,
                                 char *err, size_t errlen)
{
  char path[1024];
  json_t *r = NULL;
  char *q = curl_easy_escape(NULL, name, 0);
  if (q == NULL)
    return PD_E_NOMEM;
  snprintf(path, sizeof(path), "/artist?query=artist:%%22%s%%22&fmt=json&limit=5", q);
  curl_free(q);
  enum pd_result rc = get_json(mb, path, &r, err, errlen);
  if (rc != PD_OK)
    return rc;
  json_t *best = json_array_get(json_object_get(r, "artists"), 0);
  if (best == NULL || json_integer_value(json_object_get(best, "score")) < 90) {
    snprintf(err, errlen, "MusicBrainz knows no artist called \"%s\"", name);
    json_decref(r);
    return PD_E_NOTFOUND;
  }
  const char *id = json_string_value(json_object_get(best, "id"));
  const char *nm = json_string_value(json_object_get(best, "name"));
  const char *type = json_string_value(json_object_get(best, "type"));
  if (!pd_mb_id_valid(id)) {
    bad_id("artist", id, err, errlen);
    json_decref(r);
    return PD_E_UPSTREAM;
  }
  snprintf(out->mbid, sizeof(out->mbid), "%s", id);
  snprintf(out->name, sizeof(out->name), "%s", nm != NULL ? nm : name);
  out->is_group = type != NULL && strcmp(type, "Group") == 0;
  json_decref(r);
  return PD_OK;
}

static int by_start(const void *a, const void *b)
{
  const char *x = json_string_value(json_object_get(*(json_t *const *)a, "start"));
  const char *y = json_string_value(json_object_get(*(json_t *const *)b, "start"));
  return strcmp(x, y);
}

json_t *pd_mb_eras_from(json_t *answer)
{
  size_t i, n = 0;
  json_t *rg;
  json_t *groups = json_object_get(answer, "release-groups");
  json_t **list = calloc(json_array_size(groups) + 1, sizeof(json_t *));
  if (list == NULL)
    return NULL;
  json_array_foreach(groups, i, rg)
  {
    const char *type = json_string_value(json_object_get(rg, "primary-type"));
    const char *title = json_string_value(json_object_get(rg, "title"));
    const char *date = json_string_value(json_object_get(rg, "first-release-date"));
    if (type == NULL || strcmp(type, "Album") != 0 ||
        json_array_size(json_object_get(rg, "secondary-types")) > 0 || title == NULL ||
        date == NULL || strlen(date) < 4)
      continue;
    char start[16];
    snprintf(start, sizeof(start), "%.4s-%.2s-%.2s", date, strlen(date) >= 7 ? date + 5 : "01",
             strlen(date) >= 10 ? date + 8 : "01");
    const char *id = json_string_value(json_object_get(rg, "id"));
    list[n++] = json_pack("{s:s, s:s, s:s*}", "name", title, "start", start, "mbid",
                          pd_mb_id_valid(id) ? id : NULL);
  }
  qsort(list, n, sizeof(json_t *), by_start);
  json_t *eras = json_array();
  for (i = 0; i < n; i++) {
    /* "Title (Taylor's Version)", "Title (Deluxe)": the era of an earlier "Title". */
    const char *title = json_string_value(json_object_get(list[i], "name"));
    const char *paren = strstr(title, " (");
    bool repeat = false;
    for (size_t k = 0; paren != NULL && k < json_array_size(eras); k++) {
      const char *seen = json_string_value(json_object_get(json_array_get(eras, k), "name"));
      repeat |= strlen(seen) == (size_t)(paren - title) &&
                strncmp(seen, title, (size_t)(paren - title)) == 0;
    }
    if (repeat)
      json_decref(list[i]);
    else
      json_array_append_new(eras, list[i]);
  }
  free(list);
  return eras;
}

enum pd_result pd_mb_eras(struct pd_mb *mb, const char *mbid, json_t **eras, char *err,
                          size_t errlen)
{
  char path[256];
  json_t *r = NULL;
  if (!pd_mb_id_valid(mbid))
    return bad_id("artist", mbid, err, errlen);
  snprintf(path, sizeof(path), "/release-group?artist=%s&type=album&fmt=json&limit=100", mbid);
  enum pd_result rc = get_json(mb, path, &r, err, errlen);
  if (rc != PD_OK)
    return rc;
  *eras = pd_mb_eras_from(r);
  json_decref(r);
  return *eras != NULL ? PD_OK : PD_E_NOMEM;
}

json_t *pd_mb_members_from(json_t *answer)
{
  json_t *out = json_array();
  size_t i;
  json_t *rel;
  if (out == NULL)
    return NULL;
  json_array_foreach(json_object_get(answer, "relations"), i, rel)
  {
    json_t *who = json_object_get(rel, "artist");
    const char *type = json_string_value(json_object_get(rel, "type"));
    const char *dir = json_string_value(json_object_get(rel, "direction"));
    const char *name = json_string_value(json_object_get(who, "name"));
    const char *id = json_string_value(json_object_get(who, "id"));
    /* On a group's page its members point at it: "member of band", backward. */
    if (type == NULL || strcmp(type, "member of band") != 0 || dir == NULL ||
        strcmp(dir, "backward") != 0 || name == NULL || id == NULL)
      continue;
    if (!pd_mb_id_valid(id))
      id = NULL; /* kept by name, never put in a URL */
    bool seen = false;
    for (size_t k = 0; k < json_array_size(out) && !seen; k++) {
      json_t *m = json_array_get(out, k);
      const char *mid = json_string_value(json_object_get(m, "mbid"));
      seen = id != NULL && mid != NULL
                 ? strcmp(mid, id) == 0
                 : strcmp(json_string_value(json_object_get(m, "name")), name) == 0;
    }
    if (!seen)
      json_array_append_new(
          out, json_pack("{s:s, s:s*, s:s}", "name", name, "mbid", id, "role",
                         json_is_true(json_object_get(rel, "ended")) ? "former member" : "member"));
  }
  return out;
}

enum pd_result pd_mb_members(struct pd_mb *mb, const char *mbid, json_t **members, char *err,
                             size_t errlen)
{
  char path[256];
  json_t *r = NULL;
  if (!pd_mb_id_valid(mbid))
    return bad_id("artist", mbid, err, errlen);
  snprintf(path, sizeof(path), "/artist/%s?inc=artist-rels&fmt=json", mbid);
  enum pd_result rc = get_json(mb, path, &r, err, errlen);
  if (rc != PD_OK)
    return rc;
  *members = pd_mb_members_from(r);
  json_decref(r);
  return *members != NULL ? PD_OK : PD_E_NOMEM;
}
