/* commons.c - Wikimedia Commons search over libcurl: one generator=search query with image
 * info, its pages put back in search order, unusable files and licences left out, and the
 * HTML of the metadata turned into plain text. */
#include "commons.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "http_get.h"

#define FIELD_MAX 512     /* bytes kept of an author, a credit or a licence name */
#define DATE_TEXT_MAX 512 /* bytes of DateTimeOriginal's text looked at */
#define MAX_CATEGORIES 64
/* The categories joined with " | ": every one kept, each under FIELD_MAX, fits. */
#define TAGS_MAX (MAX_CATEGORIES * (FIELD_MAX + 3))

/* ---- HTML to plain text ---- */

/* Where stripped text goes: white space is held back until text follows, so runs collapse and
 * nothing leads or trails; a piece that does not fit ends the output (full). */
struct sink {
  char *p;
  size_t cap, n;
  bool space, full;
};

static void put(struct sink *s, const char *b, size_t len)
{
  size_t need = len + (s->space && s->n > 0 ? 1 : 0);
  if (s->full || s->n + need + 1 > s->cap) {
    s->full = true;
    return;
  }
  if (s->space && s->n > 0)
    s->p[s->n++] = ' ';
  s->space = false;
  memcpy(s->p + s->n, b, len);
  s->n += len;
  s->p[s->n] = '\0';
}

static void put_cp(struct sink *s, uint32_t cp)
{
  char b[4];
  size_t n;
  if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == 0xA0) {
    s->space = true;
    return;
  }
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp >= 0xD800 && cp < 0xE000) || cp > 0x10FFFF)
    cp = 0xFFFD;
  if (cp < 0x80) {
    b[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    b[0] = (char)(0xC0 | cp >> 6);
    b[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    b[0] = (char)(0xE0 | cp >> 12);
    b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
    b[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    b[0] = (char)(0xF0 | cp >> 18);
    b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    b[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  put(s, b, n);
}

/* One UTF-8 character at s: its code point and length; a malformed sequence (overlong,
 * surrogate, cut short, past U+10FFFF) is one byte of U+FFFD. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
  static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
  size_t n = s[0] < 0x80             ? 1
             : (s[0] & 0xE0) == 0xC0 ? 2
             : (s[0] & 0xF0) == 0xE0 ? 3
             : (s[0] & 0xF8) == 0xF0 ? 4
                                     : 0;
  uint32_t c = n == 1 ? s[0] : n == 2 ? s[0] & 0x1Fu : n == 3 ? s[0] & 0x0Fu : s[0] & 0x07u;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      n = 0;
      break;
    }
    c = c << 6 | (s[i] & 0x3Fu);
  }
  if (n == 0 || c < min[n] || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) {
    *cp = 0xFFFD;
    return 1;
  }
  *cp = c;
  return n;
}

static const struct {
  const char *name;
  uint32_t cp;
} entities[] = {
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},      {"apos", '\''},
    {"nbsp", 0xA0},    {"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026}, {"lsquo", 0x2018},
    {"rsquo", 0x2019}, {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"laquo", 0xAB},    {"raquo", 0xBB},
    {"middot", 0xB7},  {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122},  {"eacute", 0xE9},
};

/* An entity at s ('&'): its code point and length, 0 when it is not one we know. */
static size_t entity(const char *s, uint32_t *cp)
{
  const char *semi = memchr(s, ';', strnlen(s, 12));
  if (semi == NULL || semi - s < 3)
    return 0;
  size_t len = (size_t)(semi - s) + 1;
  if (s[1] == '#') {
    bool hex = s[2] == 'x' || s[2] == 'X';
    const char *d = s + (hex ? 3 : 2);
    uint32_t v = 0;
    if (d == semi)
      return 0;
    for (; d < semi; d++) {
      int digit = *d >= '0' && *d <= '9'          ? *d - '0'
                  : hex && *d >= 'a' && *d <= 'f' ? *d - 'a' + 10
                  : hex && *d >= 'A' && *d <= 'F' ? *d - 'A' + 10
                                                  : -1;
      if (digit < 0)
        return 0;
      v = v * (hex ? 16 : 10) + (uint32_t)digit;
      if (v > 0x10FFFF)
        v = 0x110000; /* stays out of range however many digits follow */
    }
    *cp = v == 0 ? 0xFFFD : v;
    return len;
  }
  for (size_t i = 0; i < PD_ARRAY_LEN(entities); i++) {
    size_t n = strlen(entities[i].name);
    if (n == len - 2 && memcmp(s + 1, entities[i].name, n) == 0) {
      *cp = entities[i].cp;
      return len;
    }
  }
  return 0;
}

/* Tags that do not break a word: "<b>Tay</b>lor" is "Taylor". */
static bool inline_tag(const char *name)
{
  static const char *const tags[] = {"a",    "abbr", "b",    "bdi",   "bdo",  "cite",   "code",
                                     "data", "dfn",  "em",   "font",  "i",    "kbd",    "mark",
                                     "q",    "s",    "samp", "small", "span", "strong", "sub",
                                     "sup",  "time", "u",    "var",   "wbr"};
  for (size_t i = 0; i < PD_ARRAY_LEN(tags); i++)
    if (strcmp(name, tags[i]) == 0)
      return true;
  return false;
}

static bool ascii_alpha(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char lower(char c)
{
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* The end of the tag that starts at s ('<'), quoted attribute values included; NULL when it
 * never closes. */
static const char *tag_end(const char *s)
{
  char quote = 0;
  for (s++; *s != '\0'; s++) {
    if (quote != 0) {
      if (*s == quote)
        quote = 0;
    } else if (*s == '"' || *s == '\'') {
      quote = *s;
    } else if (*s == '>') {
      return s + 1;
    }
  }
  return NULL;
}

/* Past the "</name ...>" that closes a raw-text element (script, style), or the end. */
static const char *skip_raw_text(const char *s, const char *name)
{
  size_t n = strlen(name);
  for (; *s != '\0'; s++) {
    if (s[0] != '<' || s[1] != '/')
      continue;
    size_t k = 0;
    while (k < n && lower(s[2 + k]) == name[k])
      k++;
    if (k == n && !ascii_alpha(s[2 + n])) {
      const char *e = tag_end(s);
      return e != NULL ? e : s + strlen(s);
    }
  }
  return s;
}

PD_STATIC size_t commons_strip_html(const char *html, char *out, size_t outlen)
{
  struct sink s = {out, outlen, 0, false, false};
  if (outlen == 0)
    return 0;
  out[0] = '\0';
  const char *p = html != NULL ? html : "";
  while (*p != '\0' && !s.full) {
    uint32_t cp;
    size_t n;
    if (p[0] == '<' && strncmp(p, "<!--", 4) == 0) {
      const char *e = strstr(p + 4, "-->");
      p = e != NULL ? e + 3 : p + strlen(p);
      s.space = true;
    } else if (p[0] == '<' && (p[1] == '!' || p[1] == '?' || ascii_alpha(p[1]) ||
                               (p[1] == '/' && ascii_alpha(p[2])))) {
      char name[16];
      size_t k = 0;
      const char *q = p + (p[1] == '/' ? 2 : 1);
      while ((ascii_alpha(*q) || (*q >= '0' && *q <= '9')) && k + 1 < sizeof(name))
        name[k++] = lower(*q++);
      name[k] = '\0';
      const char *e = tag_end(p);
      if (e == NULL)
        break; /* a tag cut short: nothing after it is text */
      if (p[1] != '/' && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0))
        e = skip_raw_text(e, name);
      if (!inline_tag(name))
        s.space = true;
      p = e;
    } else if (p[0] == '&' && (n = entity(p, &cp)) > 0) {
      put_cp(&s, cp);
      p += n;
    } else {
      n = utf8_next((const unsigned char *)p, &cp);
      if (cp == 0xFFFD || cp < 0x80)
        put_cp(&s, cp);
      else
        put(&s, p, n);
      p += n;
    }
  }
  return s.n;
}

/* Plain text of html as a JSON string, at most cap bytes; NULL for NULL. */
static json_t *plain(const char *html, size_t cap)
{
  if (html == NULL)
    return NULL;
  char *buf = malloc(cap);
  if (buf == NULL)
    return NULL;
  commons_strip_html(html, buf, cap);
  json_t *j = json_string(buf);
  free(buf);
  return j;
}

/* ---- dates ---- */

static bool leap(int y)
{
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool on_calendar(int y, int m, int d)
{
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1800 || y > 2999 || m < 1 || m > 12 || d < 1)
    return false;
  return d <= days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

static bool is_digit(char c)
{
  return c >= '0' && c <= '9';
}

/* Exactly n digits at s (and no digit after them) as a number, else -1. */
static int number(const char *s, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!is_digit(s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return is_digit(s[n]) ? -1 : v;
}

/* A one- or two-digit day at s: the value and its length, else 0. */
static int day_at(const char *s, int *len)
{
  *len = is_digit(s[0]) && is_digit(s[1]) ? 2 : is_digit(s[0]) ? 1 : 0;
  return *len > 0 ? number(s, *len) : -1;
}

/* An English month name or abbreviation as a whole word at s: 1-12 and its length (with a
 * trailing '.'), else 0. */
static int month_at(const char *s, int *len)
{
  static const char *const names[] = {"january",   "february", "march",    "april",
                                      "may",       "june",     "july",     "august",
                                      "september", "october",  "november", "december"};
  int n = 0;
  while (ascii_alpha(s[n]))
    n++;
  for (int m = 0; m < 12 && n >= 3; m++) {
    int k = 0;
    while (k < n && lower(s[k]) == names[m][k])
      k++;
    bool whole = names[m][k] == '\0' && k == n;
    bool abbrev = k == n && (n == 3 || (m == 8 && n == 4)); /* "Jun", "Sept" */
    if (whole || abbrev) {
      *len = n + (s[n] == '.' ? 1 : 0);
      return m + 1;
    }
  }
  *len = 0;
  return 0;
}

static const char *skip_spaces(const char *s, bool comma)
{
  if (comma && *s == ',')
    s++;
  while (*s == ' ')
    s++;
  return s;
}

static bool put_date(int y, int m, int d, char out[11])
{
  if (!on_calendar(y, m, d))
    return false;
  char buf[40]; /* the checks above keep it to 10 characters */
  snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, d);
  memcpy(out, buf, 11);
  return true;
}

/* ISO "YYYY-MM-DD" (or EXIF "YYYY:MM:DD"), then "YYYY-MM", at s. */
static bool iso_at(const char *s, char out[11])
{
  int y = number(s, 4);
  if (y < 0 || (s[4] != '-' && s[4] != ':'))
    return false;
  int m = number(s + 5, 2);
  if (m < 0)
    return false;
  if (s[7] == s[4] && is_digit(s[8]))
    return put_date(y, m, number(s + 8, 2), out);
  return s[4] == '-' && put_date(y, m, 1, out);
}

/* "13 June 2015" at s. */
static bool day_month_year_at(const char *s, char out[11])
{
  int dl, ml;
  int d = day_at(s, &dl);
  if (d < 0)
    return false;
  const char *p = skip_spaces(s + dl, false);
  if (p == s + dl)
    return false;
  int m = month_at(p, &ml);
  if (m == 0)
    return false;
  p = skip_spaces(p + ml, true);
  int y = number(p, 4);
  return y >= 0 && put_date(y, m, d, out);
}

/* "June 13, 2015", then "June 2015", at s. */
static bool month_first_at(const char *s, char out[11])
{
  int ml, dl;
  int m = month_at(s, &ml);
  if (m == 0)
    return false;
  const char *p = skip_spaces(s + ml, true);
  if (p == s + ml)
    return false;
  int d = day_at(p, &dl);
  if (d >= 0 && dl <= 2 && !is_digit(p[dl])) {
    const char *q = skip_spaces(p + dl, true);
    int y = number(q, 4);
    if (q != p + dl && y >= 0)
      return put_date(y, m, d, out);
  }
  int y = number(p, 4);
  return y >= 0 && put_date(y, m, 1, out);
}

PD_STATIC bool commons_date(const char *raw, char out[11])
{
  char text[DATE_TEXT_MAX];
  if (raw == NULL)
    return false;
  /* <time datetime="2015-06-13">: the machine-readable form Commons' templates write. */
  const char *attr = strstr(raw, "datetime=");
  if (attr != NULL && (attr[9] == '"' || attr[9] == '\'') && iso_at(attr + 10, out))
    return true;
  commons_strip_html(raw, text, sizeof(text));
  for (const char *p = text; *p != '\0'; p++) {
    bool word_start = p == text || !(is_digit(p[-1]) || ascii_alpha(p[-1]));
    if (!word_start)
      continue;
    if (is_digit(*p) && (iso_at(p, out) || day_month_year_at(p, out)))
      return true;
    if (ascii_alpha(*p) && month_first_at(p, out))
      return true;
  }
  return false;
}

/* ---- licences ---- */

PD_STATIC bool commons_free_license(const char *short_name)
{
  char s[FIELD_MAX];
  size_t n = 0;
  if (short_name == NULL)
    return false;
  /* lowercased, '-' and '_' as spaces, runs of spaces as one, trimmed: "CC-BY-SA-4.0" is
   * "cc by sa 4.0" */
  commons_strip_html(short_name, s, sizeof(s));
  for (size_t i = 0; s[i] != '\0'; i++) {
    char c = s[i] == '-' || s[i] == '_' ? ' ' : lower(s[i]);
    if (c == ' ' && (n == 0 || s[n - 1] == ' '))
      continue;
    s[n++] = c;
  }
  while (n > 0 && s[n - 1] == ' ')
    n--;
  s[n] = '\0';
  if (strncmp(s, "public domain", 13) == 0 || strcmp(s, "pd") == 0 || strncmp(s, "pd ", 3) == 0 ||
      strcmp(s, "cc0") == 0 || strncmp(s, "cc0 ", 4) == 0 || strncmp(s, "cc zero", 7) == 0 ||
      strcmp(s, "cc pdm") == 0 || strncmp(s, "cc pdm ", 7) == 0)
    return true;
  if (strncmp(s, "cc by", 5) != 0)
    return false;
  const char *rest = s + 5;
  if (strncmp(rest, " sa", 3) == 0 && (rest[3] == '\0' || rest[3] == ' '))
    rest += 3;
  /* then nothing, or a version ("4.0", "3.0 de", "2.5 igo"): "nc" and "nd" are not free */
  return rest[0] == '\0' || (rest[0] == ' ' && is_digit(rest[1]));
}

/* ---- the answer ---- */

static const char *meta(json_t *ext, const char *key)
{
  return json_string_value(json_object_get(json_object_get(ext, key), "value"));
}

static bool usable_mime(const char *mime)
{
  return mime != NULL && (strcmp(mime, "image/jpeg") == 0 || strcmp(mime, "image/png") == 0 ||
                          strcmp(mime, "image/webp") == 0);
}

/* "File:Taylor Swift 2015.jpg" as "Taylor Swift 2015". */
static json_t *title_text(const char *title, const char *description)
{
  const char *t = strncmp(title, "File:", 5) == 0 ? title + 5 : title;
  const char *dot = strrchr(t, '.');
  int len = (int)(dot != NULL && dot != t ? (size_t)(dot - t) : strlen(t));
  if (description == NULL || description[0] == '\0')
    return json_sprintf("%.*s", len, t);
  return json_sprintf("%.*s. %s", len, t, description);
}

static json_t *categories_of(const char *list, json_t **tags)
{
  json_t *cats = json_array();
  struct pd_buf joined;
  pd_buf_init(&joined, TAGS_MAX);
  for (const char *p = list; p != NULL && *p != '\0' && json_array_size(cats) < MAX_CATEGORIES;) {
    const char *bar = strchr(p, '|');
    size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
    const char *e = p + len;
    while (p < e && *p == ' ')
      p++;
    while (e > p && e[-1] == ' ')
      e--;
    if (e > p && (size_t)(e - p) < FIELD_MAX) {
      json_array_append_new(cats, json_stringn(p, (size_t)(e - p)));
      /* Out of memory leaves this one out of the tags, as it was. */
      (void)pd_buf_addf(&joined, "%s%.*s", joined.len > 0 ? " | " : "", (int)(e - p), p);
    }
    p = bar != NULL ? bar + 1 : NULL;
  }
  *tags = json_string(pd_buf_str(&joined));
  pd_buf_free(&joined);
  return cats;
}

/* One page of the answer as a result, or NULL when it is not usable. */
static json_t *result_of(json_t *page)
{
  json_t *ii = json_array_get(json_object_get(page, "imageinfo"), 0);
  json_t *ext = json_object_get(ii, "extmetadata");
  const char *url = json_string_value(json_object_get(ii, "url"));
  const char *mime = json_string_value(json_object_get(ii, "mime"));
  const char *title = json_string_value(json_object_get(page, "title"));
  const char *page_url = json_string_value(json_object_get(ii, "descriptionurl"));
  const char *lic = meta(ext, "LicenseShortName");
  if (url == NULL || title == NULL || !usable_mime(mime) || !commons_free_license(lic))
    return NULL;
  const char *desc = meta(ext, "ImageDescription");
  json_t *description = plain(desc != NULL ? desc : "", PD_COMMONS_TEXT_MAX);
  json_t *tags = NULL;
  json_t *cats = categories_of(meta(ext, "Categories"), &tags);
  const char *attribution = meta(ext, "AttributionRequired");
  bool by = strncasecmp(lic, "cc by", 5) == 0 || strncasecmp(lic, "cc-by", 5) == 0;
  json_t *license =
      json_pack("{s:s, s:o, s:s*, s:o*, s:o*, s:b, s:s*}", "source", "Wikimedia Commons",
                "short_name", plain(lic, FIELD_MAX), "url", meta(ext, "LicenseUrl"), "artist",
                plain(meta(ext, "Artist"), FIELD_MAX), "credit",
                plain(meta(ext, "Credit"), FIELD_MAX), "attribution_required",
                attribution != NULL ? strcmp(attribution, "true") == 0 : by, "page", page_url);
  json_t *r = json_pack(
      "{s:s, s:s*, s:s, s:I, s:I, s:s, s:O, s:o, s:o, s:o, s:o}", "url", url, "page_url", page_url,
      "title", title, "width", json_integer_value(json_object_get(ii, "width")), "height",
      json_integer_value(json_object_get(ii, "height")), "mime", mime, "description", description,
      "categories", cats, "text", title_text(title, json_string_value(description)), "tags", tags,
      "license", license);
  char date[11];
  if (r != NULL && commons_date(meta(ext, "DateTimeOriginal"), date))
    json_object_set_new(r, "date", json_string(date));
  json_decref(description);
  return r;
}

struct ranked {
  json_t *page;
  json_int_t index; /* the search's rank; pages without one go last */
  size_t pos;       /* where the answer had it, for a stable order */
};

static int by_rank(const void *a, const void *b)
{
  const struct ranked *x = a, *y = b;
  if (x->index != y->index)
    return x->index < y->index ? -1 : 1;
  return x->pos < y->pos ? -1 : x->pos > y->pos;
}

json_t *pd_commons_results_from(json_t *answer)
{
  json_t *pages = json_object_get(json_object_get(answer, "query"), "pages");
  json_t *out = json_array();
  size_t n = 0, i;
  json_t *pg;
  const char *key;
  if (out == NULL)
    return NULL;
  size_t total = json_is_array(pages) ? json_array_size(pages) : json_object_size(pages);
  struct ranked *list = calloc(total + 1, sizeof(*list));
  if (list == NULL) {
    json_decref(out);
    return NULL;
  }
  /* formatversion 2 lists the pages in page id order, 1 keys them by page id: either way
   * "index" is the search's order. */
  if (json_is_array(pages)) {
    json_array_foreach(pages, i, pg)
    {
      json_t *idx = json_object_get(pg, "index");
      list[n] = (struct ranked){pg, json_is_integer(idx) ? json_integer_value(idx) : INT64_MAX, n};
      n++;
    }
  } else {
    json_object_foreach(pages, key, pg)
    {
      json_t *idx = json_object_get(pg, "index");
      list[n] = (struct ranked){pg, json_is_integer(idx) ? json_integer_value(idx) : INT64_MAX, n};
      n++;
    }
  }
  qsort(list, n, sizeof(*list), by_rank);
  for (i = 0; i < n; i++) {
    json_t *r = result_of(list[i].page);
    if (r != NULL)
      json_array_append_new(out, r);
  }
  free(list);
  return out;
}

enum pd_result pd_commons_search(const struct pd_commons *cm, const char *keyword, int limit,
                                 json_t **results, char *err, size_t errlen)
{
  char url[4096], search[PD_COMMONS_KEYWORD_MAX + 32], why[256];
  long status = 0;
  json_t *j = NULL;
  enum pd_result rc = PD_E_UPSTREAM;
  *results = NULL;
  if (cm == NULL || cm->base == NULL || cm->base[0] == '\0') {
    snprintf(err, errlen, "COMMONS_API_BASE is not set");
    return PD_E_INVALID;
  }
  if (keyword == NULL || keyword[0] == '\0' || strlen(keyword) > PD_COMMONS_KEYWORD_MAX ||
      limit < 1) {
    snprintf(err, errlen,
             "a Commons search needs a keyword of 1 to %d bytes and a limit of at least 1",
             PD_COMMONS_KEYWORD_MAX);
    return PD_E_INVALID;
  }
  snprintf(search, sizeof(search), "%s filetype:bitmap", keyword);
  char *q = curl_easy_escape(NULL, search, 0);
  if (q == NULL)
    return PD_E_NOMEM;
  int len = snprintf(
      url, sizeof(url),
      "%s%caction=query&format=json&formatversion=2&generator=search&gsrsearch=%s&gsrnamespace=6"
      "&gsrlimit=%d&prop=imageinfo&iiprop=url%%7Csize%%7Cmime%%7Cextmetadata"
      "&iiextmetadatafilter=LicenseShortName%%7CLicenseUrl%%7CArtist%%7CCredit%%7CDateTimeOriginal"
      "%%7CImageDescription%%7CCategories%%7CUsageTerms%%7CAttributionRequired",
      cm->base, strchr(cm->base, '?') != NULL ? '&' : '?', q,
      limit < PD_COMMONS_MAX_LIMIT ? limit : PD_COMMONS_MAX_LIMIT);
  curl_free(q);
  if (len < 0 || (size_t)len >= sizeof(url)) {
    snprintf(err, errlen, "COMMONS_API_BASE is too long");
    return PD_E_INVALID;
  }
  if (pd_http_get_json(url, PD_COMMONS_USER_AGENT, PD_COMMONS_TIMEOUT_MS, &status, &j, why,
                       sizeof(why)) != PD_OK) {
    snprintf(err, errlen, "Wikimedia Commons: %s", why);
    return PD_E_UPSTREAM;
  }
  json_t *error = json_object_get(j, "error");
  if (error != NULL) {
    const char *info = json_string_value(json_object_get(error, "info"));
    const char *code = json_string_value(json_object_get(error, "code"));
    snprintf(err, errlen, "Wikimedia Commons refused the search: %s (%s)",
             info != NULL ? info : "no reason given", code != NULL ? code : "no code");
  } else if (status != 200) {
    snprintf(err, errlen, "Wikimedia Commons answered %ld%s", status,
             status == 403   ? " (is the User-Agent refused?)"
             : status == 429 ? " (rate limited)"
                             : "");
  } else if (!json_is_object(j)) {
    snprintf(err, errlen, "Wikimedia Commons answered 200 with a body that is not JSON");
  } else {
    *results = pd_commons_results_from(j);
    rc = *results != NULL ? PD_OK : PD_E_NOMEM;
  }
  size_t i;
  json_t *r;
  json_array_foreach(*results, i, r) json_object_set_new(r, "keyword", json_string(keyword));
  json_decref(j);
  return rc;
}
