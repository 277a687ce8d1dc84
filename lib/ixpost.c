/* ixpost.c - signs and posts an interaction (see ixpost.h). */
#include "ixpost.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sig.h"

static size_t collect(char *d, size_t s, size_t n, void *arg)
{
  return pd_buf_add(arg, d, s * n) == PD_OK ? s * n : 0;
}

enum pd_result pd_ixpost(const char *url, const unsigned char sk[crypto_sign_SECRETKEYBYTES],
                         const char *body, long timeout_ms, long *status, struct pd_buf *answer,
                         char *err, size_t errlen)
{
  char ts[24], sig[2 * crypto_sign_BYTES + 1], h1[200], h2[64];
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  if (pd_sig_sign(sk, ts, body, strlen(body), sig) != PD_OK) {
    snprintf(err, errlen, "cannot sign");
    return PD_E_NOMEM;
  }
  snprintf(h1, sizeof(h1), "X-Signature-Ed25519: %s", sig);
  snprintf(h2, sizeof(h2), "X-Signature-Timestamp: %s", ts);
  struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
  hdrs = curl_slist_append(hdrs, h1);
  hdrs = curl_slist_append(hdrs, h2);
  CURL *c = curl_easy_init();
  if (c == NULL || hdrs == NULL) {
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
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, answer);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  CURLcode cc = curl_easy_perform(c);
  *status = 0;
  if (cc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
  else
    snprintf(err, errlen, "%s", curl_easy_strerror(cc));
  curl_easy_cleanup(c);
  curl_slist_free_all(hdrs);
  return cc == CURLE_OK ? PD_OK : PD_E_IO;
}
