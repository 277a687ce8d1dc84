/* http_client.c - libcurl requests for the end-to-end tests. */
#include "http_client.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

/* What a test fetches (JSON, /metrics, a card image) stays far below these; past them the
 * request fails as PD_E_UPSTREAM, as a transfer error does. */
#define CLIENT_MAX_BODY (16 * 1024 * 1024)
#define CLIENT_MAX_HEADERS (64 * 1024)

static size_t append(char *d, size_t s, size_t n, void *arg)
{
  return pd_buf_add(arg, d, s * n) == PD_OK ? s * n : 0;
}

enum pd_result pd_http_do(const char *method, const char *url, const char *const headers[],
                          const void *body, size_t len, struct pd_http_reply *out)
{
  struct pd_buf b, h;
  struct curl_slist *list = NULL;
  memset(out, 0, sizeof(*out));
  pd_buf_init(&b, CLIENT_MAX_BODY);
  pd_buf_init(&h, CLIENT_MAX_HEADERS);
  CURL *c = curl_easy_init();
  if (c == NULL)
    return PD_E_NOMEM;
  for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
    list = curl_slist_append(list, headers[i]);
  /* curl adds "Expect: 100-continue" to large bodies; Discord does not send it. */
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
  if (body != NULL) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
             strcmp(method, "PATCH") == 0) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
  }
  CURLcode cc = curl_easy_perform(c);
  if (cc == CURLE_OK)
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  out->body = pd_buf_take(&b, &out->len);
  if (out->body == NULL)
    out->body = strdup("");
  out->headers = pd_buf_take(&h, NULL);
  return cc == CURLE_OK ? PD_OK : PD_E_UPSTREAM;
}

const char *pd_http_header(struct pd_http_reply *r, const char *name)
{
  static __thread char value[512];
  size_t nlen = strlen(name);
  for (const char *line = r->headers; line != NULL && *line != '\0';) {
    const char *end = strchr(line, '\n');
    size_t llen = end != NULL ? (size_t)(end - line) : strlen(line);
    if (llen > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
      const char *v = line + nlen + 1;
      while (*v == ' ')
        v++;
      size_t vlen = (size_t)(line + llen - v);
      while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == ' '))
        vlen--;
      if (vlen >= sizeof(value))
        vlen = sizeof(value) - 1;
      memcpy(value, v, vlen);
      value[vlen] = '\0';
      return value;
    }
    line = end != NULL ? end + 1 : NULL;
  }
  return NULL;
}

void pd_http_reply_free(struct pd_http_reply *r)
{
  if (r == NULL)
    return;
  free(r->body);
  free(r->headers);
  memset(r, 0, sizeof(*r));
}
