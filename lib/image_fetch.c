/* image_fetch.c - fetch and decode one image under limits. */
#include "image_fetch.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct pd_image_limits pd_image_default_limits = {
  .max_bytes = 20 * 1024 * 1024,
  .timeout_ms = 15000,
  .max_redirects = 3,
  .min_width = 800,
};

const char *pd_image_sniff(const void *data, size_t len)
{
  const unsigned char *d = data;
  if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "png";
  if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
    return "jpeg";
  if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
    return "webp";
  return NULL;
}

enum pd_result pd_image_decode(const void *data, size_t len, int min_width, gdImagePtr *out, const char **type,
                               char *reason, size_t reasonlen)
{
  const char *t = pd_image_sniff(data, len);
  gdImagePtr im = NULL;
  *out = NULL;
  *type = t;
  if (t == NULL || len > (size_t)INT32_MAX) {
    snprintf(reason, reasonlen, "not a PNG, JPEG or WebP file");
    return PD_E_INVALID;
  }
  if (strcmp(t, "png") == 0)
    im = gdImageCreateFromPngPtr((int)len, (void *)data);
  else if (strcmp(t, "jpeg") == 0)
    im = gdImageCreateFromJpegPtr((int)len, (void *)data);
  else
    im = gdImageCreateFromWebpPtr((int)len, (void *)data);
  if (im == NULL) {
    snprintf(reason, reasonlen, "%s file could not be decoded", t);
    return PD_E_INVALID;
  }
  if (gdImageSX(im) < min_width) {
    snprintf(reason, reasonlen, "%dx%d is narrower than %d px", gdImageSX(im), gdImageSY(im), min_width);
    gdImageDestroy(im);
    return PD_E_INVALID;
  }
  *out = im;
  return PD_OK;
}

struct body {
  char *buf;
  size_t len, max;
  bool too_big;
};

static size_t on_body(char *d, size_t s, size_t n, void *arg)
{
  struct body *b = arg;
  size_t add = s * n;
  if (b->len + add > b->max) {
    b->too_big = true;
    return 0; /* abort the transfer */
  }
  char *g = realloc(b->buf, b->len + add);
  if (g == NULL)
    return 0;
  memcpy(g + b->len, d, add);
  b->buf = g;
  b->len += add;
  return add;
}

enum pd_result pd_image_fetch(const char *url, const struct pd_image_limits *lim, gdImagePtr *out,
                              const char **type, size_t *bytes, char *reason, size_t reasonlen)
{
  struct body b = {NULL, 0, lim->max_bytes, false};
  enum pd_result rc = PD_E_UPSTREAM;
  long status = 0;
  *out = NULL;
  *type = NULL;
  *bytes = 0;
  CURL *c = curl_easy_init();
  if (c == NULL)
    return PD_E_NOMEM;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, lim->max_redirects);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, lim->timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, lim->timeout_ms < 5000 ? lim->timeout_ms : 5000L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)lim->max_bytes);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "PopDeck/0.1 (card art ingestion)");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  CURLcode cc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  if (b.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
    snprintf(reason, reasonlen, "larger than %zu bytes", lim->max_bytes);
    rc = PD_E_TOOBIG;
  } else if (cc == CURLE_TOO_MANY_REDIRECTS) {
    snprintf(reason, reasonlen, "more than %ld redirects", lim->max_redirects);
  } else if (cc != CURLE_OK) {
    snprintf(reason, reasonlen, "download failed: %s", curl_easy_strerror(cc));
  } else if (status != 200) {
    snprintf(reason, reasonlen, "the image host answered %ld", status);
  } else {
    *bytes = b.len;
    rc = pd_image_decode(b.buf, b.len, lim->min_width, out, type, reason, reasonlen);
  }
  free(b.buf);
  return rc;
}
