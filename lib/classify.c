/* classify.c - image kind and era match from URL patterns, tags, text and the search keyword. */
#include "classify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[PD_KIND_COUNT] = {
    [PD_KIND_UNKNOWN] = "unknown",
    [PD_KIND_COVER] = "cover",
    [PD_KIND_MV] = "mv",
    [PD_KIND_CONCERT] = "concert",
    [PD_KIND_RED_CARPET] = "red_carpet",
    [PD_KIND_PROMO] = "promo",
    [PD_KIND_GENERATED] = "generated",
};

const char *pd_kind_name(enum pd_kind kind)
{
  if ((unsigned)kind >= PD_KIND_COUNT)
    return NULL;
  return kind_names[kind];
}

enum pd_result pd_kind_parse(const char *s, enum pd_kind *out)
{
  if (s == NULL || out == NULL)
    return PD_E_INVALID;
  for (int k = 0; k < PD_KIND_COUNT; k++)
    if (strcmp(s, kind_names[k]) == 0) {
      *out = (enum pd_kind)k;
      return PD_OK;
    }
  return PD_E_INVALID;
}

const char *pd_era_match_name(enum pd_era_match m)
{
  switch (m) {
  case PD_ERA_DATE_IN_WINDOW:
    return "date in window";
  case PD_ERA_DATE_OUTSIDE:
    return "date outside window";
  case PD_ERA_TEXT_MENTION:
    return "era named in text";
  case PD_ERA_SEARCHED:
    return "searched era";
  }
  return "?";
}

/* ---- phrases ---- */

struct phrase {
  const char *text; /* lowercase; ' ' matches any run of separators */
  enum pd_kind kind;
};

static const struct phrase phrases[] = {
    {"concert", PD_KIND_CONCERT},
    {"concerts", PD_KIND_CONCERT},
    {"live", PD_KIND_CONCERT},
    {"stage", PD_KIND_CONCERT},
    {"tour", PD_KIND_CONCERT},
    {"touring", PD_KIND_CONCERT},
    {"festival", PD_KIND_CONCERT},
    {"gig", PD_KIND_CONCERT},
    {"red carpet", PD_KIND_RED_CARPET},
    {"redcarpet", PD_KIND_RED_CARPET},
    {"awards", PD_KIND_RED_CARPET},
    {"award show", PD_KIND_RED_CARPET},
    {"gala", PD_KIND_RED_CARPET},
    {"metgala", PD_KIND_RED_CARPET},
    {"premiere", PD_KIND_RED_CARPET},
    {"grammys", PD_KIND_RED_CARPET},
    {"photoshoot", PD_KIND_PROMO},
    {"photo shoot", PD_KIND_PROMO},
    {"photocall", PD_KIND_PROMO},
    {"press", PD_KIND_PROMO},
    {"pressphoto", PD_KIND_PROMO},
    {"promo", PD_KIND_PROMO},
    {"promotional", PD_KIND_PROMO},
    {"magazine", PD_KIND_PROMO},
    {"editorial", PD_KIND_PROMO},
    {"mv", PD_KIND_MV},
    {"m/v", PD_KIND_MV},
    {"music video", PD_KIND_MV},
    {"musicvideo", PD_KIND_MV},
    {"official video", PD_KIND_MV},
    {"officialvideo", PD_KIND_MV},
    {"video still", PD_KIND_MV},
    {"album cover", PD_KIND_COVER},
    {"single cover", PD_KIND_COVER},
    {"cover art", PD_KIND_COVER},
    {"coverart", PD_KIND_COVER},
    {"album art", PD_KIND_COVER},
    {"albumart", PD_KIND_COVER},
    {"ai generated", PD_KIND_GENERATED},
    {"aigenerated", PD_KIND_GENERATED},
    {"ai art", PD_KIND_GENERATED},
    {"midjourney", PD_KIND_GENERATED},
    {"stable diffusion", PD_KIND_GENERATED},
    {"dall-e", PD_KIND_GENERATED},
};

/* Tie-break order when two kinds have as many phrases: the more specific first. */
static const enum pd_kind tie_order[] = {PD_KIND_MV,      PD_KIND_RED_CARPET, PD_KIND_PROMO,
                                         PD_KIND_CONCERT, PD_KIND_COVER,      PD_KIND_GENERATED};

static char lower(char c)
{
  return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Letters, digits and any non-ASCII byte (part of a UTF-8 letter) make up words. */
static bool is_word(char c)
{
  unsigned char u = (unsigned char)c;
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u >= 0x80;
}

static bool is_sep(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '-' || c == '_';
}

/* Length of pat matched at hay[i] (case-insensitive, ' ' in pat = a run of separators) with
 * word boundaries at whichever ends of pat are word characters; 0 for no match. */
static size_t match_at(const char *hay, size_t len, size_t i, const char *pat)
{
  size_t plen = strlen(pat);
  if (plen == 0 || (is_word(pat[0]) && i > 0 && is_word(hay[i - 1])))
    return 0;
  size_t j = i;
  for (size_t p = 0; p < plen; p++) {
    if (pat[p] == ' ') {
      size_t start = j;
      while (j < len && is_sep(hay[j]))
        j++;
      while (p + 1 < plen && pat[p + 1] == ' ')
        p++;
      if (j == start)
        return 0;
    } else {
      if (j >= len || lower(hay[j]) != lower(pat[p]))
        return 0;
      j++;
    }
  }
  if (is_word(pat[plen - 1]) && j < len && is_word(hay[j]))
    return 0;
  return j - i;
}

/* How far before hay[start] a containing name or phrase may begin: no artist or era name is
 * longer than NAME_REACH, and no phrase (with its separator runs) longer than PHRASE_REACH. */
#define NAME_REACH 512
#define PHRASE_REACH 64

/* Whether hay[start, end) lies inside an occurrence of name beginning at most reach before. */
static bool inside(const char *hay, size_t len, size_t start, size_t end, const char *name,
                   size_t reach)
{
  if (name == NULL || name[0] == '\0')
    return false;
  for (size_t k = start > reach ? start - reach : 0; k <= start; k++) {
    size_t m = match_at(hay, len, k, name);
    if (m > 0 && k + m >= end)
      return true;
  }
  return false;
}

/* Whether hay[start, end) lies inside any kind phrase. */
static bool inside_phrase(const char *hay, size_t len, size_t start, size_t end)
{
  for (size_t p = 0; p < PD_ARRAY_LEN(phrases); p++)
    if (inside(hay, len, start, end, phrases[p].text, PHRASE_REACH))
      return true;
  return false;
}

/* ---- evidence ---- */

enum tier { TIER_URL, TIER_TAGS, TIER_TEXT, TIER_KEYWORD, TIER_COUNT };

static const double tier_confidence[TIER_COUNT] = {0.95, 0.85, 0.75, 0.55};

struct evidence {
  int hits[PD_KIND_COUNT];           /* distinct phrases found, per kind */
  const char *what[PD_KIND_COUNT];   /* the first phrase (or URL rule) per kind */
  const char *source[PD_KIND_COUNT]; /* "tags", "text", "file name", ... */
  double confidence;                 /* what deciding from this tier is worth */
  bool any;
};

static void scan(const char *hay, const char *source, const struct pd_classify_input *in,
                 struct evidence *ev)
{
  if (hay == NULL)
    return;
  size_t len = strnlen(hay, PD_CLASSIFY_SCAN_MAX);
  for (size_t p = 0; p < PD_ARRAY_LEN(phrases); p++) {
    for (size_t i = 0; i < len; i++) {
      size_t m = match_at(hay, len, i, phrases[p].text);
      if (m == 0)
        continue;
      if (inside(hay, len, i, i + m, in->artist, NAME_REACH) ||
          inside(hay, len, i, i + m, in->era_name, NAME_REACH))
        continue;
      enum pd_kind k = phrases[p].kind;
      if (ev->hits[k] == 0) {
        ev->what[k] = phrases[p].text;
        ev->source[k] = source;
      }
      ev->hits[k]++;
      ev->any = true;
      break; /* each phrase counts once */
    }
  }
}

/* ---- URLs ---- */

struct url_rule {
  const char *host;
  bool subdomains; /* also *.host */
  const char *path_prefix;
  enum pd_kind kind;
  double confidence;
  const char *what;
};

/* First match wins, so the specific Spotify prefixes come before the general one.  Spotify
 * image ids start with ab67616d for album art and ab676161 for artist photos. */
static const struct url_rule url_rules[] = {
    {"ytimg.com", true, "/vi/", PD_KIND_MV, 0.95, "YouTube thumbnail"},
    {"ytimg.com", true, "/vi_webp/", PD_KIND_MV, 0.95, "YouTube thumbnail"},
    {"img.youtube.com", false, "/vi/", PD_KIND_MV, 0.95, "YouTube thumbnail"},
    {"img.youtube.com", false, "/vi_webp/", PD_KIND_MV, 0.95, "YouTube thumbnail"},
    {"coverartarchive.org", true, "/", PD_KIND_COVER, 0.95, "Cover Art Archive"},
    {"i.scdn.co", false, "/image/ab67616d", PD_KIND_COVER, 0.95, "Spotify album art"},
    {"i.scdn.co", false, "/image/ab676161", PD_KIND_PROMO, 0.7, "Spotify artist photo"},
    {"i.scdn.co", false, "/image/", PD_KIND_COVER, 0.8, "Spotify image"},
};

#define HOST_MAX 256
#define NAME_MAX_BYTES 512

struct url_parts {
  char host[HOST_MAX]; /* lowercase, no user or port */
  const char *path;    /* from the first '/', up to '?' or '#' */
  size_t path_len;
};

static void url_split(const char *url, struct url_parts *u)
{
  const char *p = url;
  const char *scheme = strstr(url, "://");
  if (scheme != NULL && scheme - url <= 16)
    p = scheme + 3;
  else if (p[0] == '/' && p[1] == '/')
    p += 2;
  size_t hlen = strcspn(p, "/?#");
  const char *host = p;
  const char *at = memchr(host, '@', hlen);
  if (at != NULL) {
    hlen -= (size_t)(at + 1 - host);
    host = at + 1;
  }
  const char *colon = memchr(host, ':', hlen);
  if (colon != NULL)
    hlen = (size_t)(colon - host);
  size_t n = 0;
  for (; n < hlen && n + 1 < HOST_MAX; n++)
    u->host[n] = lower(host[n]);
  u->host[n] = '\0';
  p = host + strcspn(host, "/?#");
  u->path = p;
  u->path_len = p[0] == '/' ? strcspn(p, "?#") : 0;
}

static bool host_matches(const char *host, const struct url_rule *r)
{
  size_t hl = strlen(host), rl = strlen(r->host);
  if (hl == rl)
    return strcmp(host, r->host) == 0;
  return r->subdomains && hl > rl && host[hl - rl - 1] == '.' &&
         strcmp(host + hl - rl, r->host) == 0;
}

static int hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* The last path segment, percent-decoded, into out. */
static void url_file_name(const struct url_parts *u, char out[NAME_MAX_BYTES])
{
  size_t start = 0;
  for (size_t i = 0; i < u->path_len; i++)
    if (u->path[i] == '/')
      start = i + 1;
  size_t n = 0;
  for (size_t i = start; i < u->path_len && n + 1 < NAME_MAX_BYTES; i++) {
    char c = u->path[i];
    if (c == '%' && i + 2 < u->path_len && hex_value(u->path[i + 1]) >= 0 &&
        hex_value(u->path[i + 2]) >= 0) {
      c = (char)(hex_value(u->path[i + 1]) * 16 + hex_value(u->path[i + 2]));
      i += 2;
    } else if (c == '+') {
      c = ' ';
    }
    out[n++] = c == '\0' ? ' ' : c;
  }
  out[n] = '\0';
}

static void url_evidence(const struct url_parts *u, struct evidence *ev)
{
  for (size_t r = 0; r < PD_ARRAY_LEN(url_rules); r++) {
    const struct url_rule *rule = &url_rules[r];
    size_t pl = strlen(rule->path_prefix);
    if (!host_matches(u->host, rule) || u->path_len < pl ||
        memcmp(u->path, rule->path_prefix, pl) != 0)
      continue;
    ev->hits[rule->kind] = 1;
    ev->what[rule->kind] = rule->what;
    ev->source[rule->kind] = "url";
    ev->confidence = rule->confidence;
    ev->any = true;
    return;
  }
}

/* ---- dates ---- */

PD_STATIC long classify_parse_date(const char *s, bool allow_time)
{
  static const int days_in[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (s == NULL)
    return -1;
  for (int i = 0; i < 10; i++) {
    bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : !(s[i] >= '0' && s[i] <= '9'))
      return -1;
  }
  if (s[10] != '\0' && !(allow_time && (s[10] == 'T' || s[10] == ' ')))
    return -1;
  long y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in[m - 1])
    return -1;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (m == 2 && d == 29 && !leap)
    return -1;
  return y * 10000 + m * 100 + d;
}

static bool mentions_era(const char *hay, const char *era)
{
  if (hay == NULL || era == NULL || era[0] == '\0')
    return false;
  size_t len = strnlen(hay, PD_CLASSIFY_SCAN_MAX);
  for (size_t i = 0; i < len; i++) {
    size_t m = match_at(hay, len, i, era);
    /* The album "Red" is not named by "red carpet". */
    if (m > 0 && !inside_phrase(hay, len, i, i + m))
      return true;
  }
  return false;
}

/* ---- the decision ---- */

static void append(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t cap, const char *fmt, ...)
{
  size_t used = strnlen(buf, cap);
  if (used + 1 >= cap)
    return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + used, cap - used, fmt, ap);
  va_end(ap);
}

static int support_below(const struct evidence ev[TIER_COUNT], int top, enum pd_kind k)
{
  int n = 0;
  for (int t = top + 1; t < TIER_COUNT; t++)
    n += ev[t].hits[k];
  return n;
}

static void decide_kind(const struct evidence ev[TIER_COUNT], struct pd_classify_result *out)
{
  int top = 0;
  while (top < TIER_COUNT && !ev[top].any)
    top++;
  if (top == TIER_COUNT) {
    out->kind = PD_KIND_UNKNOWN;
    out->confidence = 0;
    append(out->reason, sizeof(out->reason), "no signal");
    return;
  }
  const struct evidence *win = &ev[top];
  enum pd_kind best = PD_KIND_UNKNOWN;
  for (size_t i = 0; i < PD_ARRAY_LEN(tie_order); i++) {
    enum pd_kind k = tie_order[i];
    if (win->hits[k] == 0)
      continue;
    if (best == PD_KIND_UNKNOWN || win->hits[k] > win->hits[best] ||
        (win->hits[k] == win->hits[best] &&
         support_below(ev, top, k) > support_below(ev, top, best)))
      best = k;
  }
  out->kind = best;
  double conf = win->confidence;
  if (win->source[best] != NULL && strcmp(win->source[best], "url") == 0)
    append(out->reason, sizeof(out->reason), "url: %s", win->what[best]);
  else
    append(out->reason, sizeof(out->reason), "%s: '%s'", win->source[best], win->what[best]);

  for (int k = 0; k < PD_KIND_COUNT; k++)
    if (k != (int)best && win->hits[k] > 0) {
      conf *= 0.6;
      append(out->reason, sizeof(out->reason), "; but %s '%s' (%s)", win->source[k], win->what[k],
             kind_names[k]);
    }
  for (int t = top + 1; t < TIER_COUNT; t++) {
    if (!ev[t].any)
      continue;
    bool agrees = ev[t].hits[best] > 0;
    int rival = -1;
    for (int k = 0; k < PD_KIND_COUNT && rival < 0; k++)
      if (k != (int)best && ev[t].hits[k] > 0)
        rival = k;
    if (agrees && rival < 0) {
      conf += (1 - conf) * 0.3;
    } else {
      conf *= agrees ? 0.9 : 0.8;
      append(out->reason, sizeof(out->reason), "; %s '%s' says %s", ev[t].source[rival],
             ev[t].what[rival], kind_names[rival]);
    }
  }
  out->confidence = conf > 0.99 ? 0.99 : conf;
}

enum pd_result pd_classify_image(const struct pd_classify_input *in, struct pd_classify_result *out)
{
  if (in == NULL || out == NULL)
    return PD_E_INVALID;
  long start = -1, end = -1;
  if (in->era_start != NULL && in->era_start[0] != '\0') {
    start = classify_parse_date(in->era_start, false);
    if (start < 0)
      return PD_E_INVALID;
  }
  if (in->era_end != NULL && in->era_end[0] != '\0') {
    end = classify_parse_date(in->era_end, false);
    if (end < 0)
      return PD_E_INVALID;
  }
  if (start >= 0 && end >= 0 && start > end)
    return PD_E_INVALID;

  memset(out, 0, sizeof(*out));
  struct evidence ev[TIER_COUNT];
  memset(ev, 0, sizeof(ev));
  for (int t = 0; t < TIER_COUNT; t++)
    ev[t].confidence = tier_confidence[t];

  char file_name[NAME_MAX_BYTES] = "";
  if (in->source_url != NULL && in->source_url[0] != '\0') {
    struct url_parts u;
    url_split(in->source_url, &u);
    url_evidence(&u, &ev[TIER_URL]);
    url_file_name(&u, file_name);
  }
  scan(in->tags, "tags", in, &ev[TIER_TAGS]);
  scan(in->text, "text", in, &ev[TIER_TEXT]);
  scan(file_name, "file name", in, &ev[TIER_TEXT]);
  scan(in->keyword, "keyword", in, &ev[TIER_KEYWORD]);
  decide_kind(ev, out);

  bool had_date = in->photo_date != NULL && in->photo_date[0] != '\0';
  long date = had_date ? classify_parse_date(in->photo_date, true) : -1;
  if (date >= 0)
    out->era = (start < 0 || date >= start) && (end < 0 || date <= end) ? PD_ERA_DATE_IN_WINDOW
                                                                        : PD_ERA_DATE_OUTSIDE;
  else if (mentions_era(in->tags, in->era_name) || mentions_era(in->text, in->era_name))
    out->era = PD_ERA_TEXT_MENTION;
  else
    out->era = PD_ERA_SEARCHED;
  append(out->reason, sizeof(out->reason), " | era: %s%s", pd_era_match_name(out->era),
         had_date && date < 0 ? " (unreadable photo date)" : "");
  return PD_OK;
}
