/* spotify.c - the Spotify Web API over libcurl: a client-credentials token cached in the
 * struct, GETs that carry it, and the POST that fetches it (the shared GET helper cannot send
 * a body or headers, so this file has its own libcurl call). */
#include "spotify.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"

struct call {
  const char *url;
  const char *form;            /* form-encoded POST body; NULL for a GET */
  const char *user, *password; /* HTTP Basic credentials, or NULL */
  const char *bearer;          /* access token, or NULL */
};

struct answer {
  long status;
  json_t *json;     /* the parsed body; NULL when empty or not JSON */
  bool empty;       /* no body at all */
  long retry_after; /* Retry-After in seconds; -1 when absent or not a number of seconds */
};

/* An answer's body, capped at PD_SPOTIFY_MAX_BODY. */
struct body {
  struct pd_buf b;
  bool too_big; /* the cap stopped the transfer: the reason the call failed */
};

static size_t collect(char *d, size_t s, size_t n, void *arg)
{
  struct body *b = arg;
  enum pd_result rc = pd_buf_add(&b->b, d, s * n);
  if (rc == PD_E_TOOBIG)
    b->too_big = true;
  return rc == PD_OK ? s * n : 0;
}

static void answer_clear(struct answer *a)
{
  json_decref(a->json);
  memset(a, 0, sizeof(*a));
  a->retry_after = -1;
}

static int ascii_casecmp(const char *a, const char *b)
{
  for (;; a++, b++) {
    int x = (unsigned char)*a, y = (unsigned char)*b;
    x += (x >= 'A' && x <= 'Z') ? 'a' - 'A' : 0;
    y += (y >= 'A' && y <= 'Z') ? 'a' - 'A' : 0;
    if (x != y || x == 0)
      return x - y;
  }
}

/* Retry-After as a number of seconds (RFC 9110 also allows a date, which we do not wait for). */
static long retry_seconds(const char *v)
{
  char *end = NULL;
  while (*v == ' ' || *v == '\t')
    v++;
  if (*v < '0' || *v > '9')
    return -1;
  errno = 0;
  long s = strtol(v, &end, 10);
  while (*end == ' ' || *end == '\t')
    end++;
  return errno == 0 && *end == '\0' && s <= 86400 ? s : -1;
}

/* Overwrites each copy of secret in s with '*'.  Secrets shorter than 8 bytes are not looked
 * for: they would match ordinary words of the message (real ones are 32 characters or more). */
static void redact(char *s, const char *secret)
{
  size_t n = secret != NULL ? strlen(secret) : 0;
  if (n < 8)
    return;
  for (char *at = strstr(s, secret); at != NULL; at = strstr(at + n, secret))
    memset(at, '*', n);
}

static void scrub(const struct pd_spotify *sp, char *err)
{
  redact(err, sp->client_secret);
  redact(err, sp->token);
}

static void forget_token(struct pd_spotify *sp)
{
  memset(sp->token, 0, sizeof(sp->token));
  sp->token_expires_us = 0;
}

/* base (without a trailing '/') + rest into out; false when it does not fit. */
static bool join(char *out, size_t cap, const char *base, const char *rest)
{
  size_t n = strlen(base);
  while (n > 0 && base[n - 1] == '/')
    n--;
  int w = snprintf(out, cap, "%.*s%s", (int)n, base, rest);
  return w >= 0 && (size_t)w < cap;
}

/* Whether url lies under base: the same prefix, then the end, '/' or '?'.  The token is only
 * ever sent there, whatever a "next" link says. */
static bool under(const char *url, const char *base)
{
  size_t n = strlen(base);
  while (n > 0 && base[n - 1] == '/')
    n--;
  return n > 0 && strncmp(url, base, n) == 0 && (url[n] == '\0' || url[n] == '/' || url[n] == '?');
}

static bool add_header(struct curl_slist **list, const char *h)
{
  struct curl_slist *g = curl_slist_append(*list, h);
  if (g == NULL)
    return false;
  *list = g;
  return true;
}

/* One HTTP exchange.  PD_OK when an answer came (whatever its status); PD_E_UPSTREAM with
 * curl's reason in why when none did. */
static enum pd_result perform(const struct call *call, struct answer *a, char *why, size_t whylen)
{
  struct body b = {.too_big = false};
  struct curl_slist *hdr = NULL;
  char auth[sizeof(((struct pd_spotify *)0)->token) + 32], cerr[CURL_ERROR_SIZE] = "";
  enum pd_result rc = PD_OK;
  pd_buf_init(&b.b, PD_SPOTIFY_MAX_BODY);
  answer_clear(a);
  CURL *c = curl_easy_init();
  if (c == NULL)
    return PD_E_NOMEM;
  bool ok = add_header(&hdr, "Accept: application/json");
  if (call->bearer != NULL) {
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", call->bearer);
    ok = ok && add_header(&hdr, auth);
    memset(auth, 0, sizeof(auth));
  }
  if (call->form != NULL) {
    ok = ok && add_header(&hdr, "Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, call->form);
  }
  if (!ok) {
    rc = PD_E_NOMEM;
    goto out;
  }
  if (call->user != NULL) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, call->user);
    curl_easy_setopt(c, CURLOPT_PASSWORD, call->password);
  }
  curl_easy_setopt(c, CURLOPT_URL, call->url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(c, CURLOPT_USERAGENT, PD_SPOTIFY_USER_AGENT);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, PD_SPOTIFY_TIMEOUT_MS);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
  CURLcode cc = curl_easy_perform(c);
  if (cc != CURLE_OK) {
    if (b.too_big)
      snprintf(why, whylen, "the answer is larger than %d bytes", PD_SPOTIFY_MAX_BODY);
    else
      snprintf(why, whylen, "%s", cerr[0] != '\0' ? cerr : curl_easy_strerror(cc));
    rc = PD_E_UPSTREAM;
    goto out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a->status);
  struct curl_header *h = NULL;
  if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK)
    a->retry_after = retry_seconds(h->value);
  a->empty = b.b.len == 0;
  if (b.b.p != NULL)
    a->json = json_loadb(b.b.p, b.b.len, 0, NULL);
out:
  curl_slist_free_all(hdr);
  curl_easy_cleanup(c);
  pd_buf_free(&b.b);
  return rc;
}

/* A failed answer as text: "Spotify <what> answered <status>: <Spotify's message>". */
static void answer_error(const struct answer *a, const char *what, char *err, size_t errlen)
{
  char text[512];
  if (a->status == 200 && a->json == NULL) {
    snprintf(err, errlen, "Spotify %s answered 200 with %s", what,
             a->empty ? "an empty body" : "bad JSON");
    return;
  }
  pd_spotify_error_text(a->json, text, sizeof(text));
  snprintf(err, errlen, "Spotify %s answered %ld: %s", what, a->status, text);
}

static void pause_seconds(long s)
{
  struct timespec t = {s, 0}, left;
  while (nanosleep(&t, &left) != 0 && errno == EINTR)
    t = left;
}

/* One call with Spotify's 429 rule: a Retry-After of at most PD_SPOTIFY_MAX_RETRY_AFTER
 * seconds is waited out, once.  PD_OK when an answer other than 429 came. */
static enum pd_result request(const struct call *call, const char *what, struct answer *a,
                              char *err, size_t errlen)
{
  char why[CURL_ERROR_SIZE + 64], text[512];
  long waited = 0;
  for (int attempt = 0;; attempt++) {
    enum pd_result rc = perform(call, a, why, sizeof(why));
    if (rc != PD_OK) {
      snprintf(err, errlen, "Spotify %s: %s", what, why);
      return rc;
    }
    if (a->status != 429)
      return PD_OK;
    long wait = a->retry_after;
    if (attempt == 0 && wait >= 0 && wait <= PD_SPOTIFY_MAX_RETRY_AFTER) {
      pause_seconds(wait);
      waited = wait;
      continue;
    }
    pd_spotify_error_text(a->json, text, sizeof(text));
    if (attempt > 0)
      snprintf(err, errlen, "Spotify %s answered 429 again after waiting %ld s: %s", what, waited,
               text);
    else if (wait < 0)
      snprintf(err, errlen, "Spotify %s answered 429 without a Retry-After in seconds: %s", what,
               text);
    else
      snprintf(err, errlen, "Spotify %s answered 429: %s (Retry-After %ld s is more than %d s)",
               what, text, wait, PD_SPOTIFY_MAX_RETRY_AFTER);
    return PD_E_UPSTREAM;
  }
}

static enum pd_result fetch_token(struct pd_spotify *sp, char *err, size_t errlen)
{
  char url[2048];
  struct answer a = {.retry_after = -1};
  enum pd_result rc = PD_E_UPSTREAM;
  forget_token(sp);
  if (sp->client_id == NULL || sp->client_id[0] == '\0' || sp->client_secret == NULL ||
      sp->client_secret[0] == '\0') {
    snprintf(err, errlen, "Spotify client id and secret are not set");
    return PD_E_INVALID;
  }
  if (sp->accounts_base == NULL || !join(url, sizeof(url), sp->accounts_base, "/api/token")) {
    snprintf(err, errlen, "SPOTIFY_ACCOUNTS_BASE is missing or too long");
    return PD_E_INVALID;
  }
  struct call call = {url, "grant_type=client_credentials", sp->client_id, sp->client_secret, NULL};
  rc = request(&call, "token request", &a, err, errlen);
  if (rc != PD_OK)
    goto out;
  rc = PD_E_UPSTREAM;
  if (a.status != 200 || a.json == NULL) {
    answer_error(&a, "token request", err, errlen);
    goto out;
  }
  const char *tok = json_string_value(json_object_get(a.json, "access_token"));
  const char *type = json_string_value(json_object_get(a.json, "token_type"));
  json_t *expires = json_object_get(a.json, "expires_in");
  if (tok == NULL || tok[0] == '\0' || strlen(tok) >= sizeof(sp->token)) {
    snprintf(err, errlen, "Spotify's token answer has no usable access_token");
    goto out;
  }
  if (type == NULL || ascii_casecmp(type, "Bearer") != 0) {
    snprintf(err, errlen, "Spotify's token answer is of type %.40s, not Bearer",
             type != NULL ? type : "(none)");
    goto out;
  }
  if (!json_is_integer(expires) || json_integer_value(expires) <= 0) {
    snprintf(err, errlen, "Spotify's token answer has no expires_in");
    goto out;
  }
  json_int_t life = json_integer_value(expires);
  if (life > 86400)
    life = 86400;
  memcpy(sp->token, tok, strlen(tok) + 1);
  sp->token_expires_us = pd_now_us() + (int64_t)life * 1000000 - PD_SPOTIFY_TOKEN_MARGIN_US;
  rc = PD_OK;
out:
  json_decref(a.json);
  return rc;
}

/* GET url with the token (fetched first when there is none or it is about to expire); a 401
 * means the token was refused, so it is fetched again and the GET tried once more. */
static enum pd_result api_get(struct pd_spotify *sp, const char *url, const char *what,
                              json_t **out, char *err, size_t errlen)
{
  struct answer a = {.retry_after = -1};
  enum pd_result rc = PD_OK;
  *out = NULL;
  for (int attempt = 0; attempt < 2; attempt++) {
    if (sp->token[0] == '\0' || pd_now_us() >= sp->token_expires_us) {
      rc = fetch_token(sp, err, errlen);
      if (rc != PD_OK)
        goto out;
    }
    struct call call = {url, NULL, NULL, NULL, sp->token};
    rc = request(&call, what, &a, err, errlen);
    if (rc != PD_OK)
      goto out;
    if (a.status != 401 || attempt == 1)
      break;
    forget_token(sp);
    json_decref(a.json);
    a.json = NULL;
  }
  if (a.status == 200 && a.json != NULL) {
    *out = a.json;
    a.json = NULL;
    goto out;
  }
  answer_error(&a, what, err, errlen);
  rc = a.status == 404 ? PD_E_NOTFOUND : PD_E_UPSTREAM;
out:
  if (rc != PD_OK)
    scrub(sp, err);
  if (a.status == 401)
    forget_token(sp);
  json_decref(a.json);
  return rc;
}

void pd_spotify_artist_free(struct pd_spotify_artist *a)
{
  if (a == NULL)
    return;
  json_decref(a->genres);
  json_decref(a->images);
  memset(a, 0, sizeof(*a));
}

enum pd_result pd_spotify_find_artist(struct pd_spotify *sp, const char *name,
                                      struct pd_spotify_artist *out, char *err, size_t errlen)
{
  char rest[1024], url[2048];
  json_t *j = NULL;
  memset(out, 0, sizeof(*out));
  if (name == NULL || name[0] == '\0') {
    snprintf(err, errlen, "no artist name to look up on Spotify");
    return PD_E_INVALID;
  }
  char *q = curl_easy_escape(NULL, name, 0);
  if (q == NULL)
    return PD_E_NOMEM;
  int w = snprintf(rest, sizeof(rest), "/search?type=artist&limit=5&q=%s", q);
  curl_free(q);
  if (w < 0 || (size_t)w >= sizeof(rest) || sp->api_base == NULL ||
      !join(url, sizeof(url), sp->api_base, rest)) {
    snprintf(err, errlen, "the artist name or SPOTIFY_API_BASE is too long for a Spotify search");
    return PD_E_INVALID;
  }
  enum pd_result rc = api_get(sp, url, "artist search", &j, err, errlen);
  if (rc != PD_OK)
    return rc;
  rc = pd_spotify_artist_from(j, name, out);
  if (rc == PD_E_NOTFOUND) {
    snprintf(err, errlen, "Spotify knows no artist called \"%s\"", name);
  } else if (rc == PD_E_INVALID) {
    snprintf(err, errlen, "Spotify's artist search answer has no artists.items");
    rc = PD_E_UPSTREAM;
  } else if (rc != PD_OK) {
    snprintf(err, errlen, "Spotify artist search: %s", pd_result_str(rc));
  }
  json_decref(j);
  return rc;
}

enum pd_result pd_spotify_albums(struct pd_spotify *sp, const char *artist_id, json_t **albums,
                                 char *err, size_t errlen)
{
  char rest[512], first[2048];
  char *url = NULL;
  json_t *items = NULL;
  enum pd_result rc = PD_OK;
  *albums = NULL;
  if (artist_id == NULL || artist_id[0] == '\0') {
    snprintf(err, errlen, "no Spotify artist id");
    return PD_E_INVALID;
  }
  char *id = curl_easy_escape(NULL, artist_id, 0);
  if (id == NULL)
    return PD_E_NOMEM;
  int w = snprintf(rest, sizeof(rest), "/artists/%s/albums?include_groups=album&limit=50", id);
  curl_free(id);
  if (w < 0 || (size_t)w >= sizeof(rest) || sp->api_base == NULL ||
      !join(first, sizeof(first), sp->api_base, rest)) {
    snprintf(err, errlen, "the artist id or SPOTIFY_API_BASE is too long for a Spotify album list");
    return PD_E_INVALID;
  }
  items = json_array();
  url = strdup(first);
  if (items == NULL || url == NULL) {
    rc = PD_E_NOMEM;
    goto out;
  }
  /* Past PD_SPOTIFY_MAX_PAGES pages (250 albums) the rest is left out rather than failing. */
  for (int page = 0; url != NULL && page < PD_SPOTIFY_MAX_PAGES; page++) {
    json_t *p = NULL;
    rc = api_get(sp, url, "album list", &p, err, errlen);
    free(url);
    url = NULL;
    if (rc != PD_OK)
      goto out;
    json_t *its = json_object_get(p, "items");
    const char *next = json_string_value(json_object_get(p, "next"));
    if (!json_is_array(its)) {
      snprintf(err, errlen, "Spotify's album list answer has no items");
      rc = PD_E_UPSTREAM;
    } else if (json_array_extend(items, its) != 0) {
      rc = PD_E_NOMEM;
    } else if (next != NULL && !under(next, sp->api_base)) {
      snprintf(err, errlen, "Spotify's next album page is not under SPOTIFY_API_BASE");
      rc = PD_E_UPSTREAM;
    } else if (next != NULL) {
      url = strdup(next);
      rc = url != NULL ? PD_OK : PD_E_NOMEM;
    }
    json_decref(p);
    if (rc != PD_OK)
      goto out;
  }
  *albums = pd_spotify_albums_from(items);
  rc = *albums != NULL ? PD_OK : PD_E_NOMEM;
out:
  free(url);
  json_decref(items);
  return rc;
}

/* ---- pure parsers ---- */

void pd_spotify_error_text(json_t *body, char *out, size_t outlen)
{
  json_t *e = json_object_get(body, "error");
  const char *msg = json_string_value(json_object_get(e, "message"));
  const char *code = json_string_value(e);
  const char *desc = json_string_value(json_object_get(body, "error_description"));
  if (outlen == 0)
    return;
  if (msg != NULL)
    snprintf(out, outlen, "%s", msg);
  else if (code != NULL && desc != NULL)
    snprintf(out, outlen, "%s (%s)", desc, code);
  else if (code != NULL)
    snprintf(out, outlen, "%s", code);
  else
    snprintf(out, outlen, "no error message");
}

static bool digits(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

bool pd_spotify_release_date(const char *date, const char *precision, char out[11])
{
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  size_t n = date != NULL ? strlen(date) : 0;
  size_t want = precision == NULL                 ? n
                : strcmp(precision, "day") == 0   ? 10
                : strcmp(precision, "month") == 0 ? 7
                : strcmp(precision, "year") == 0  ? 4
                                                  : 0;
  if (n != want || (n != 4 && n != 7 && n != 10) || !digits(date, 4))
    return false;
  int year =
      (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
  int month = 1, day = 1;
  if (n >= 7) {
    if (date[4] != '-' || !digits(date + 5, 2))
      return false;
    month = (date[5] - '0') * 10 + (date[6] - '0');
  }
  if (n == 10) {
    if (date[7] != '-' || !digits(date + 8, 2))
      return false;
    day = (date[8] - '0') * 10 + (date[9] - '0');
  }
  /* Spotify writes "0000" for a date it does not know. */
  if (year == 0 || month < 1 || month > 12 || day < 1 || day > mdays[month - 1])
    return false;
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap)
    return false;
  memcpy(out, date, 4);
  out[4] = '-';
  out[5] = (char)('0' + month / 10);
  out[6] = (char)('0' + month % 10);
  out[7] = '-';
  out[8] = (char)('0' + day / 10);
  out[9] = (char)('0' + day % 10);
  out[10] = '\0';
  return true;
}

struct ranked {
  json_t *v;
  long long key;
  size_t idx;
  char date[11];
};

static int by_area_desc(const void *a, const void *b)
{
  const struct ranked *x = a, *y = b;
  if (x->key != y->key)
    return x->key > y->key ? -1 : 1;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Pixel sizes into [0, 999999], so the sort key cannot overflow. */
static long long clamp_px(json_int_t v)
{
  return v < 0 ? 0 : v > 999999 ? 999999 : (long long)v;
}

json_t *pd_spotify_images_from(json_t *images)
{
  size_t i, n = 0;
  json_t *im;
  struct ranked *list = calloc(json_array_size(images) + 1, sizeof(*list));
  json_t *out = json_array();
  if (list == NULL || out == NULL)
    goto fail;
  json_array_foreach(images, i, im)
  {
    const char *url = json_string_value(json_object_get(im, "url"));
    json_t *w = json_object_get(im, "width"), *h = json_object_get(im, "height");
    if (url == NULL || url[0] == '\0')
      continue;
    bool sized = json_is_integer(w) && json_is_integer(h);
    json_t *v =
        json_pack("{s:s, s:o, s:o}", "url", url, "width",
                  json_is_integer(w) ? json_integer(json_integer_value(w)) : json_null(), "height",
                  json_is_integer(h) ? json_integer(json_integer_value(h)) : json_null());
    if (v == NULL)
      goto fail;
    /* Width first: the card pipeline's floor is a width. */
    long long key =
        sized ? clamp_px(json_integer_value(w)) * 1000000 + clamp_px(json_integer_value(h)) : -1;
    list[n++] = (struct ranked){v, key, i, ""};
  }
  qsort(list, n, sizeof(*list), by_area_desc);
  for (i = 0; i < n; i++) {
    json_array_append_new(out, list[i].v);
    list[i].v = NULL;
  }
  free(list);
  return out;
fail:
  for (i = 0; list != NULL && i < n; i++)
    json_decref(list[i].v);
  free(list);
  json_decref(out);
  return NULL;
}

static int by_date(const void *a, const void *b)
{
  const struct ranked *x = a, *y = b;
  int c = strcmp(x->date, y->date);
  if (c != 0)
    return c;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

json_t *pd_spotify_albums_from(json_t *items)
{
  size_t i, n = 0;
  json_t *al;
  struct ranked *list = calloc(json_array_size(items) + 1, sizeof(*list));
  json_t *out = json_array();
  if (list == NULL || out == NULL)
    goto fail;
  json_array_foreach(items, i, al)
  {
    const char *id = json_string_value(json_object_get(al, "id"));
    const char *name = json_string_value(json_object_get(al, "name"));
    const char *date = json_string_value(json_object_get(al, "release_date"));
    const char *prec = json_string_value(json_object_get(al, "release_date_precision"));
    if (id == NULL || id[0] == '\0' || name == NULL || name[0] == '\0')
      continue;
    if (!pd_spotify_release_date(date, prec, list[n].date))
      continue;
    list[n].v = al; /* borrowed from items */
    list[n].idx = i;
    n++;
  }
  qsort(list, n, sizeof(*list), by_date);
  for (i = 0; i < n; i++) {
    const char *name = json_string_value(json_object_get(list[i].v, "name"));
    bool seen = false;
    for (size_t k = 0; k < json_array_size(out) && !seen; k++)
      seen = ascii_casecmp(json_string_value(json_object_get(json_array_get(out, k), "name")),
                           name) == 0;
    if (seen)
      continue;
    json_t *imgs = pd_spotify_images_from(json_object_get(list[i].v, "images"));
    json_t *v = imgs != NULL
                    ? json_pack("{s:O, s:s, s:s, s:o}", "id", json_object_get(list[i].v, "id"),
                                "name", name, "release_date", list[i].date, "images", imgs)
                    : NULL;
    if (v == NULL || json_array_append_new(out, v) != 0)
      goto fail;
  }
  free(list);
  return out;
fail:
  free(list);
  json_decref(out);
  return NULL;
}

enum pd_result pd_spotify_artist_from(json_t *search, const char *name,
                                      struct pd_spotify_artist *out)
{
  size_t i;
  json_t *a;
  json_t *items = json_object_get(json_object_get(search, "artists"), "items");
  memset(out, 0, sizeof(*out));
  if (!json_is_array(items) || name == NULL)
    return PD_E_INVALID;
  json_array_foreach(items, i, a)
  {
    const char *nm = json_string_value(json_object_get(a, "name"));
    const char *id = json_string_value(json_object_get(a, "id"));
    if (nm == NULL || id == NULL || id[0] == '\0' || strlen(id) >= sizeof(out->id) ||
        ascii_casecmp(nm, name) != 0)
      continue;
    snprintf(out->id, sizeof(out->id), "%s", id);
    snprintf(out->name, sizeof(out->name), "%s", nm);
    out->popularity = (int)json_integer_value(json_object_get(a, "popularity"));
    out->followers =
        (long)json_integer_value(json_object_get(json_object_get(a, "followers"), "total"));
    out->genres = json_array();
    out->images = pd_spotify_images_from(json_object_get(a, "images"));
    if (out->genres == NULL || out->images == NULL) {
      pd_spotify_artist_free(out);
      return PD_E_NOMEM;
    }
    size_t k;
    json_t *g;
    json_array_foreach(json_object_get(a, "genres"), k, g)
    {
      if (json_is_string(g))
        json_array_append(out->genres, g); /* json_array_append takes its own reference */
    }
    return PD_OK;
  }
  return PD_E_NOTFOUND;
}
