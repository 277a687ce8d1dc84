/* lastfm.c - Last.fm over libcurl; its errors ({"error": N, "message": ...}) become clear text. */
#include "lastfm.h"

#include <curl/curl.h>

#include "http_get.h"
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Last.fm's error for "no such artist" (and track, album): a fact, not a failure. */
#define LASTFM_E_NOT_FOUND 6

static enum pd_result call(const struct pd_lastfm *fm, const char *query, json_t **out, char *err,
                           size_t errlen)
{
  char url[2048], why[256];
  long status = 0;
  json_t *j = NULL;
  char *key = curl_easy_escape(NULL, fm->api_key, 0);
  snprintf(url, sizeof(url), "%s/?%s&api_key=%s&format=json", fm->base, query,
           key != NULL ? key : "");
  curl_free(key);
  *out = NULL;
  if (pd_http_get_json(url, "PopDeck/0.1.0", 15000, &status, &j, why, sizeof(why)) != PD_OK) {
    snprintf(err, errlen, "Last.fm: %s", why);
    return PD_E_UPSTREAM;
  }
  if (json_object_get(j, "error") != NULL || status != 200 || j == NULL) {
    const char *msg = json_string_value(json_object_get(j, "message"));
    snprintf(err, errlen, "Last.fm answered %ld: %s", status,
             msg != NULL ? msg : "no usable answer");
    bool missing = json_integer_value(json_object_get(j, "error")) == LASTFM_E_NOT_FOUND;
    json_decref(j);
    return missing ? PD_E_NOTFOUND : PD_E_UPSTREAM;
  }
  *out = j;
  return PD_OK;
}

static json_t *names_of(json_t *list)
{
  size_t i;
  json_t *a, *names = json_array();
  json_array_foreach(list, i, a)
  {
    const char *n = json_string_value(json_object_get(a, "name"));
    if (n != NULL && n[0] != '\0')
      json_array_append_new(names, json_string(n));
  }
  return names;
}

enum pd_result pd_lastfm_top_artists(const struct pd_lastfm *fm, int limit, json_t **names,
                                     char *err, size_t errlen)
{
  char q[128];
  json_t *j = NULL;
  snprintf(q, sizeof(q), "method=chart.gettopartists&limit=%d", limit);
  enum pd_result rc = call(fm, q, &j, err, errlen);
  if (rc != PD_OK)
    return rc;
  *names = names_of(json_object_get(json_object_get(j, "artists"), "artist"));
  json_decref(j);
  return PD_OK;
}

enum pd_result pd_lastfm_similar(const struct pd_lastfm *fm, const char *artist, int limit,
                                 json_t **names, char *err, size_t errlen)
{
  char q[512];
  json_t *j = NULL;
  char *a = curl_easy_escape(NULL, artist, 0);
  if (a == NULL)
    return PD_E_NOMEM;
  snprintf(q, sizeof(q), "method=artist.getsimilar&artist=%s&limit=%d", a, limit);
  curl_free(a);
  enum pd_result rc = call(fm, q, &j, err, errlen);
  if (rc != PD_OK)
    return rc;
  *names = names_of(json_object_get(json_object_get(j, "similarartists"), "artist"));
  json_decref(j);
  return PD_OK;
}

enum pd_result pd_lastfm_listeners(const struct pd_lastfm *fm, const char *artist,
                                   int64_t *listeners, char *err, size_t errlen)
{
  char q[512];
  json_t *j = NULL;
  char *a = curl_easy_escape(NULL, artist, 0);
  if (a == NULL)
    return PD_E_NOMEM;
  snprintf(q, sizeof(q), "method=artist.getinfo&artist=%s&autocorrect=0", a);
  curl_free(a);
  enum pd_result rc = call(fm, q, &j, err, errlen);
  if (rc != PD_OK)
    return rc;
  /* Last.fm sends the count as a string of digits. */
  const char *v = json_string_value(
      json_object_get(json_object_get(json_object_get(j, "artist"), "stats"), "listeners"));
  char *end = NULL;
  errno = 0;
  long long n = v != NULL ? strtoll(v, &end, 10) : -1;
  if (v == NULL || errno != 0 || end == v || *end != '\0' || n < 0) {
    snprintf(err, errlen, "Last.fm gave no listener count for %s", artist);
    rc = PD_E_UPSTREAM;
  } else {
    *listeners = (int64_t)n;
  }
  json_decref(j);
  return rc;
}
