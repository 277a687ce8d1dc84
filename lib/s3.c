/* s3.c - object uploads with libcurl's AWS SigV4 signing. */
#include "s3.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

static size_t discard(char *d, size_t s, size_t n, void *arg)
{
  (void)d;
  (void)arg;
  return s * n;
}

enum pd_result pd_s3_put(const struct pd_s3 *s3, const char *name, const void *data, size_t len,
                         const char *content_type, long *status_out, char *err, size_t errlen)
{
  char url[2048], sigv4[128], userpwd[512], ctype[128];
  struct curl_slist *headers = NULL;
  *status_out = 0;
  CURL *c = curl_easy_init();
  if (c == NULL)
    return PD_E_NOMEM;
  snprintf(url, sizeof(url), "%s/%s/%s", s3->endpoint, s3->bucket, name);
  snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", s3->region);
  snprintf(userpwd, sizeof(userpwd), "%s:%s", s3->key, s3->secret);
  snprintf(ctype, sizeof(ctype), "Content-Type: %s", content_type);
  headers = curl_slist_append(headers, ctype);
  curl_easy_setopt(c, CURLOPT_URL, url);
  /* The body goes in as POSTFIELDS under a PUT: libcurl's SigV4 hashes the payload from
   * POSTFIELDS, and an upload through a read callback would be signed as an empty body
   * (which S3, and test/doubles/s3.c, refuse). */
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4);
  curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "popdeck/0.1.0");
  CURLcode cc = curl_easy_perform(c);
  enum pd_result rc = PD_OK;
  if (cc != CURLE_OK) {
    snprintf(err, errlen, "S3 PUT %s: %s", name, curl_easy_strerror(cc));
    rc = PD_E_UPSTREAM;
  } else {
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status_out);
    if (*status_out < 200 || *status_out >= 300) {
      snprintf(err, errlen, "S3 PUT %s: answered %ld", name, *status_out);
      rc = PD_E_UPSTREAM;
    }
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return rc;
}
