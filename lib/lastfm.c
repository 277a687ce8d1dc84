/* lastfm.c - Last.fm over libcurl; its errors ({"error": N, "message": ...}) become clear text. */
#include "lastfm.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct buf {
  char *p;
  size_t n;
};

static size_t collect(char *d, size_t s, size_t n, void *arg)
{
  struct buf *b = arg;
  if (b->n + s * n > 4 * 1024 * 1024)
    return 0;
  char *g = realloc(b->p, b->n + s * n + 1);
  if (g == NULL)
    return 0;
  memcpy(g + b->n, d, s * n);
  b->p = g;
  b->n += s * n;
  b->p[b->n] = '\0';
  return s * n;
}

static enum pd_result call(const struct pd_lastfm *fm, const char *query, json_t **out, char *err, size_t errlen)
{
  char url[2048];
  struct buf b = {0};
  long status = 0;
  char *key = curl_easy_escape(NULL, fm->api_key, 0);
  snprintf(url, sizeof(url), "%s/?%s&api_key=%s&format=json", fm->base, query, key != NULL ? key : "");
  curl_free(key);
  CURL *c = curl_easy_init();
  if (c == NULL)
    return PD_E_NOMEM;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "PopDeck/0.1.0");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  CURLcode cc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  json_t *j = cc == CURLE_OK && b.p != NULL ? json_loads(b.p, 0, NULL) : NULL;
  free(b.p);
  *out = NULL;
  if (cc != CURLE_OK) {
    snprintf(err, errlen, "Last.fm: %s", curl_easy_strerror(cc));
    return PD_E_UPSTREAM;
  }
  if (json_object_get(j, "error") != NULL || status != 200) {
    const char *msg = json_string_value(json_object_get(j, "message"));
    snprintf(err, errlen, "Last.fm answered %ld: %s", status, msg != NULL ? msg : "no message");
    json_decref(j);
    return PD_E_UPSTREAM;
  }
  if (j == NULL) {
    snprintf(err, errlen, "Last.fm sent bad JSON");
    return PD_E_UPSTREAM;
  }
  *out = j;
  return PD_OK;
}

static json_t *names_of(json_t *list)
{
  size_t i;
  json_t *a, *names = json_array();
  json_array_foreach(list, i, a) {
    const char *n = json_string_value(json_object_get(a, "name"));
    if (n != NULL && n[0] != '\0')
      json_array_append_new(names, json_string(n));
  }
  return names;
}

enum pd_result pd_lastfm_top_artists(const struct pd_lastfm *fm, int limit, json_t **names, char *err, size_t errlen)
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

enum pd_result pd_lastfm_similar(const struct pd_lastfm *fm, const char *artist, int limit, json_t **names, char *err,
                                 size_t errlen)
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
