/* http_get.c - see http_get.h. */
#include "http_get.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* A JSON answer (MusicBrainz, Last.fm, Commons) larger than this is not one we asked for;
 * past it the transfer stops and the call fails as an upstream error. */
#define HTTP_GET_MAX_BODY (4 * 1024 * 1024)

static size_t collect(char *d, size_t s, size_t n, void *arg)
{
  return pd_buf_add(arg, d, s * n) == PD_OK ? s * n : 0;
}

enum pd_result pd_http_get_json(const char *url, const char *user_agent, long timeout_ms,
                                long *status, json_t **json, char *err, size_t errlen)
{
  struct pd_buf b;
  pd_buf_init(&b, HTTP_GET_MAX_BODY);
  *status = 0;
  *json = NULL;
  CURL *c = curl_easy_init();
  if (c == NULL)
    return PD_E_NOMEM;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_USERAGENT, user_agent);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  CURLcode cc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  curl_easy_cleanup(c);
  enum pd_result rc = PD_OK;
  if (cc != CURLE_OK) {
    snprintf(err, errlen, "%s", curl_easy_strerror(cc));
    rc = PD_E_UPSTREAM;
  } else if (b.p != NULL) {
    *json = json_loadb(b.p, b.len, 0, NULL);
  }
  pd_buf_free(&b);
  return rc;
}

static size_t discard(char *d, size_t s, size_t n, void *arg)
{
  return s * n;
}

enum pd_result pd_http_post(const char *url, const char *const headers[], const char *body,
                            long timeout_ms, long *status, struct pd_buf *answer, char *err,
                            size_t errlen)
{
  struct curl_slist *hdrs = NULL;
  *status = 0;
  CURL *c = curl_easy_init();
  bool ok = c != NULL;
  for (size_t i = 0; ok && headers != NULL && headers[i] != NULL; i++) {
    struct curl_slist *more = curl_slist_append(hdrs, headers[i]);
    ok = more != NULL;
    if (ok)
      hdrs = more;
  }
  if (!ok) {
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    snprintf(err, errlen, "out of memory");
    return PD_E_NOMEM;
  }
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, answer != NULL ? collect : discard);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  CURLcode cc = curl_easy_perform(c);
  if (cc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  else
    snprintf(err, errlen, "%s", curl_easy_strerror(cc));
  curl_easy_cleanup(c);
  curl_slist_free_all(hdrs);
  return cc == CURLE_OK ? PD_OK : PD_E_UPSTREAM;
}
