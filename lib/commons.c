/* commons.c - Wikimedia Commons photo search over libcurl. */
#include "commons.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_get.h"

void pd_commons_strip_html(const char *html, char *out, size_t outlen)
{
  static const struct {
    const char *name;
    char c;
  } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&nbsp;", ' '}};
  size_t n = 0;
  bool space = true; /* drops leading space */
  if (outlen == 0)
    return;
  for (const char *p = html != NULL ? html : ""; *p != '\0' && n + 1 < outlen; p++) {
    char c = *p;
    if (c == '<') {
      const char *end = strchr(p, '>');
      if (end == NULL)
        break;
      p = end;
      c = ' ';
    } else if (c == '&') {
      bool found = false;
      for (size_t i = 0; i < PD_ARRAY_LEN(ents) && !found; i++) {
        size_t l = strlen(ents[i].name);
        if (strncmp(p, ents[i].name, l) == 0) {
          c = ents[i].c;
          p += l - 1;
          found = true;
        }
      }
      if (!found && p[1] == '#' && isdigit((unsigned char)p[2])) {
        char *end = NULL;
        long v = strtol(p + 2, &end, 10);
        if (*end == ';' && v >= 32 && v < 127) {
          c = (char)v;
          p = end;
        }
      }
    }
    if (isspace((unsigned char)c)) {
      if (space)
        continue;
      space = true;
      c = ' ';
    } else {
      space = false;
    }
    out[n++] = c;
  }
  while (n > 0 && out[n - 1] == ' ')
    n--;
  out[n] = '\0';
}

bool pd_commons_date(const char *text, char out[11])
{
  static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (const char *p = text; p != NULL && *p != '\0'; p++) {
    int y, m, d, used = 0;
    if (!isdigit((unsigned char)*p) || (p > text && isdigit((unsigned char)p[-1])))
      continue;
    if (sscanf(p, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 && y >= 1900 && y <= 2100 && m >= 1 &&
        m <= 12 && d >= 1 && d <= days[m - 1] && !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))) &&
        !isdigit((unsigned char)p[10])) {
      memcpy(out, p, 10); /* exactly as written: YYYY-MM-DD */
      out[10] = '\0';
      return true;
    }
  }
  return false;
}

bool pd_commons_free_license(const char *s)
{
  static const char *const ok[] = {"CC0", "Public domain", "PD", "CC BY ", "CC BY-SA ", "CC-BY-", "CC-BY-SA-"};
  if (s == NULL)
    return false;
  if (strcasecmp(s, "CC BY") == 0 || strcasecmp(s, "CC BY-SA") == 0)
    return true;
  for (size_t i = 0; i < PD_ARRAY_LEN(ok); i++)
    if (strncasecmp(s, ok[i], strlen(ok[i])) == 0)
      return !(strcasestr(s, "NC") != NULL || strcasestr(s, "ND") != NULL);
  return false;
}

static const char *meta(json_t *ext, const char *key)
{
  return json_string_value(json_object_get(json_object_get(ext, key), "value"));
}

static int by_index(const void *a, const void *b)
{
  json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "index"));
  json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "index"));
  return x < y ? -1 : x > y;
}

json_t *pd_commons_results_from(json_t *answer)
{
  json_t *pages = json_object_get(json_object_get(answer, "query"), "pages"), *out = json_array();
  size_t n = json_array_size(pages);
  json_t **sorted = calloc(n + 1, sizeof(*sorted));
  if (out == NULL || sorted == NULL) {
    free(sorted);
    json_decref(out);
    return NULL;
  }
  for (size_t i = 0; i < n; i++)
    sorted[i] = json_array_get(pages, i);
  qsort(sorted, n, sizeof(*sorted), by_index);
  for (size_t i = 0; i < n; i++) {
    json_t *info = json_array_get(json_object_get(sorted[i], "imageinfo"), 0);
    json_t *ext = json_object_get(info, "extmetadata");
    const char *mime = json_string_value(json_object_get(info, "mime"));
    const char *url = json_string_value(json_object_get(info, "thumburl"));
    const char *title = json_string_value(json_object_get(sorted[i], "title"));
    const char *lic = meta(ext, "LicenseShortName");
    if (url == NULL)
      url = json_string_value(json_object_get(info, "url"));
    if (url == NULL || title == NULL || mime == NULL ||
        !(strcmp(mime, "image/jpeg") == 0 || strcmp(mime, "image/png") == 0 || strcmp(mime, "image/webp") == 0))
      continue;
    char license[128], desc[1024], text[1400], tags[1024], artist[256], date_text[256], date[11];
    pd_commons_strip_html(lic, license, sizeof(license));
    if (!pd_commons_free_license(license))
      continue;
    pd_commons_strip_html(meta(ext, "ImageDescription"), desc, sizeof(desc));
    pd_commons_strip_html(meta(ext, "Categories"), tags, sizeof(tags));
    pd_commons_strip_html(meta(ext, "Artist"), artist, sizeof(artist));
    pd_commons_strip_html(meta(ext, "DateTimeOriginal"), date_text, sizeof(date_text));
    snprintf(text, sizeof(text), "%s %s", title, desc);
    json_t *c = json_pack("{s:s, s:s?, s:s, s:s, s:s, s:I, s:I, s:{s:s, s:s, s:s?, s:s?, s:s?}}", "url", url,
                          "page_url", json_string_value(json_object_get(info, "descriptionurl")), "title", title,
                          "text", text, "tags", tags, "width", json_integer_value(json_object_get(info, "width")),
                          "height", json_integer_value(json_object_get(info, "height")), "license", "source",
                          "Wikimedia Commons", "short_name", license, "url", meta(ext, "LicenseUrl"), "artist",
                          artist[0] != '\0' ? artist : NULL, "page",
                          json_string_value(json_object_get(info, "descriptionurl")));
    if (c != NULL && pd_commons_date(date_text, date))
      json_object_set_new(c, "date", json_string(date));
    if (c != NULL)
      json_array_append_new(out, c);
  }
  free(sorted);
  return out;
}

enum pd_result pd_commons_search(const struct pd_commons *cm, const char *keyword, int limit, json_t **results,
                                 char *err, size_t errlen)
{
  char url[2048], search[600], why[256];
  long status = 0;
  json_t *j = NULL;
  *results = NULL;
  snprintf(search, sizeof(search), "%s filetype:bitmap", keyword);
  char *q = curl_easy_escape(NULL, search, 0);
  if (q == NULL)
    return PD_E_NOMEM;
  snprintf(url, sizeof(url),
           "%s?action=query&format=json&formatversion=2&generator=search&gsrnamespace=6&gsrlimit=%d&gsrsearch=%s"
           "&prop=imageinfo&iiprop=url%%7Csize%%7Cmime%%7Cextmetadata&iiurlwidth=%d&iiextmetadatafilter="
           "LicenseShortName%%7CLicenseUrl%%7CArtist%%7CDateTimeOriginal%%7CImageDescription%%7CCategories",
           cm->base, limit < 1 ? 1 : limit > 50 ? 50 : limit, q, PD_COMMONS_THUMB_W);
  curl_free(q);
  if (pd_http_get_json(url, PD_COMMONS_USER_AGENT, 15000, &status, &j, why, sizeof(why)) != PD_OK) {
    snprintf(err, errlen, "Wikimedia Commons: %s", why);
    return PD_E_UPSTREAM;
  }
  json_t *e = json_object_get(j, "error");
  if (status != 200 || j == NULL || e != NULL) {
    const char *info = json_string_value(json_object_get(e, "info"));
    snprintf(err, errlen, "Wikimedia Commons answered %ld: %s", status, info != NULL ? info : "no usable answer");
    json_decref(j);
    return PD_E_UPSTREAM;
  }
  *results = pd_commons_results_from(j);
  json_decref(j);
  return *results != NULL ? PD_OK : PD_E_NOMEM;
}
