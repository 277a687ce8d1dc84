/* image_fetch.c - fetch and decode one image under limits. */
#include "image_fetch.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "image_header.h"

const struct pd_image_limits pd_image_default_limits = {
    .max_bytes = 20 * 1024 * 1024,
    .timeout_ms = 15000,
    .max_redirects = 3,
    .min_width = 800,
    .max_pixels = PD_IMAGE_DEFAULT_MAX_PIXELS,
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

/* Megapixels as a person writes them: "400 MP", "42.3 MP". */
static void megapixels(uint64_t px, char *out, size_t outlen)
{
  if (px % 1000000 == 0)
    snprintf(out, outlen, "%llu MP", (unsigned long long)(px / 1000000));
  else
    snprintf(out, outlen, "%.1f MP", (double)px / 1e6);
}

enum pd_result pd_image_check(const void *data, size_t len, uint64_t max_pixels, int min_width,
                              const char **type, uint32_t *width, uint32_t *height, char *reason,
                              size_t reasonlen)
{
  struct pd_image_header h;
  enum pd_result rc = pd_image_header_read(data, len, &h, reason, reasonlen);
  *type = h.type;
  if (width != NULL)
    *width = h.width;
  if (height != NULL)
    *height = h.height;
  if (rc != PD_OK)
    return rc;
  uint64_t px = (uint64_t)h.width * h.height;
  if (px > max_pixels) {
    char have[32], limit[32];
    megapixels(px, have, sizeof(have));
    megapixels(max_pixels, limit, sizeof(limit));
    snprintf(reason, reasonlen, "%ux%u is %s, over the %s limit", h.width, h.height, have, limit);
    return PD_E_TOOBIG;
  }
  if (h.width < (uint32_t)(min_width > 0 ? min_width : 0)) {
    snprintf(reason, reasonlen, "%ux%u is narrower than %d px", h.width, h.height, min_width);
    return PD_E_INVALID;
  }
  return PD_OK;
}

enum pd_result pd_image_decode_limited(const void *data, size_t len,
                                       const struct pd_image_limits *lim, gdImagePtr *out,
                                       const char **type, char *reason, size_t reasonlen)
{
  uint32_t w = 0, h = 0;
  gdImagePtr im = NULL;
  *out = NULL;
  if (len > (size_t)INT32_MAX) {
    *type = NULL;
    snprintf(reason, reasonlen, "larger than %d bytes", INT32_MAX);
    return PD_E_TOOBIG;
  }
  enum pd_result rc =
      pd_image_check(data, len, lim->max_pixels, lim->min_width, type, &w, &h, reason, reasonlen);
  if (rc != PD_OK)
    return rc;
  if (strcmp(*type, "png") == 0)
    im = gdImageCreateFromPngPtr((int)len, (void *)data);
  else if (strcmp(*type, "jpeg") == 0)
    im = gdImageCreateFromJpegPtr((int)len, (void *)data);
  else
    im = gdImageCreateFromWebpPtr((int)len, (void *)data);
  if (im == NULL) {
    snprintf(reason, reasonlen, "%s file could not be decoded", *type);
    return PD_E_INVALID;
  }
  /* libgd sizes the image from the same header fields; anything else is not a file to trust. */
  if ((uint32_t)gdImageSX(im) != w || (uint32_t)gdImageSY(im) != h) {
    snprintf(reason, reasonlen, "%s file decoded to %dx%d, not the %ux%u its header declares",
             *type, gdImageSX(im), gdImageSY(im), w, h);
    gdImageDestroy(im);
    return PD_E_INVALID;
  }
  *out = im;
  return PD_OK;
}

enum pd_result pd_image_decode(const void *data, size_t len, int min_width, gdImagePtr *out,
                               const char **type, char *reason, size_t reasonlen)
{
  struct pd_image_limits lim = pd_image_default_limits;
  lim.min_width = min_width;
  return pd_image_decode_limited(data, len, &lim, out, type, reason, reasonlen);
}

/* The image being downloaded, capped at the limits' max_bytes. */
struct body {
  struct pd_buf b;
  bool too_big;
};

struct sockcheck {
  const struct pd_netlist *allowed;
  char refused[160]; /* the first address refused, and why */
};

/* libcurl asks here for every address it is about to connect to, after DNS, for the first
 * URL and each redirect alike, so no name or redirect can lead to an address not checked. */
static curl_socket_t open_checked_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
  struct sockcheck *k = arg;
  char why[sizeof(k->refused)];
  if (!pd_net_permitted(k->allowed, &a->addr, why, sizeof(why))) {
    if (k->refused[0] == '\0')
      snprintf(k->refused, sizeof(k->refused), "%s", why);
    return CURL_SOCKET_BAD;
  }
  return socket(a->family, a->socktype, a->protocol);
}

static size_t on_body(char *d, size_t s, size_t n, void *arg)
{
  struct body *b = arg;
  enum pd_result rc = pd_buf_add(&b->b, d, s * n);
  if (rc == PD_E_TOOBIG)
    b->too_big = true;
  return rc == PD_OK ? s * n : 0; /* 0 aborts the transfer */
}

enum pd_result pd_image_download(const char *url, const struct pd_image_limits *lim, void **data,
                                 size_t *len, char *reason, size_t reasonlen)
{
  struct body b = {.too_big = false};
  struct sockcheck k = {lim->allowed, ""};
  enum pd_result rc = PD_E_UPSTREAM;
  long status = 0, redirects = 0;
  char *last = NULL, where[300] = "";
  *data = NULL;
  *len = 0;
  pd_buf_init(&b.b, lim->max_bytes);
  CURL *c = curl_easy_init();
  if (c == NULL)
    return PD_E_NOMEM;
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, lim->max_redirects);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  /* The first URL is the operator's (COVERART_BASE, a double in tests); where it sends us is not.
   */
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  if (!lim->own_storage) {
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_checked_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &k);
  }
  /* A proxy would make the socket check judge the proxy, not the destination. */
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  if (lim->ca_file != NULL)
    curl_easy_setopt(c, CURLOPT_CAINFO, lim->ca_file);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, lim->timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, lim->timeout_ms < 5000 ? lim->timeout_ms : 5000L);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)lim->max_bytes);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "PopDeck/0.1 (card art ingestion)");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  CURLcode cc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(c, CURLINFO_REDIRECT_COUNT, &redirects);
  if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &last) == CURLE_OK && last != NULL)
    snprintf(where, sizeof(where), "%s", last);
  curl_easy_cleanup(c);
  if (cc != CURLE_OK && k.refused[0] != '\0') {
    snprintf(reason, reasonlen, "refused to connect to %s: %s", where, k.refused);
    rc = PD_E_INVALID;
  } else if (cc == CURLE_UNSUPPORTED_PROTOCOL && redirects > 0) {
    snprintf(reason, reasonlen, "redirect to %s refused: only https redirects are followed", where);
    rc = PD_E_INVALID;
  } else if (b.too_big || cc == CURLE_FILESIZE_EXCEEDED) {
    snprintf(reason, reasonlen, "larger than %zu bytes", lim->max_bytes);
    rc = PD_E_TOOBIG;
  } else if (cc == CURLE_TOO_MANY_REDIRECTS) {
    snprintf(reason, reasonlen, "more than %ld redirects", lim->max_redirects);
  } else if (cc != CURLE_OK) {
    snprintf(reason, reasonlen, "download failed: %s", curl_easy_strerror(cc));
  } else if (status != 200) {
    snprintf(reason, reasonlen, "the image host answered %ld", status);
  } else {
    *data = pd_buf_take(&b.b, len);
    return PD_OK;
  }
  pd_buf_free(&b.b);
  return rc;
}

enum pd_result pd_image_fetch(const char *url, const struct pd_image_limits *lim, gdImagePtr *out,
                              const char **type, size_t *bytes, char *reason, size_t reasonlen)
{
  void *data = NULL;
  *out = NULL;
  *type = NULL;
  *bytes = 0;
  enum pd_result rc = pd_image_download(url, lim, &data, bytes, reason, reasonlen);
  if (rc == PD_OK)
    rc = pd_image_decode_limited(data, *bytes, lim, out, type, reason, reasonlen);
  free(data);
  return rc;
}
