/* test_classify.c - image kind from URL, tags, text and keyword; era match from the photo date. */
#define PD_UNITTEST 1 /* see classify_parse_date */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "classify.h"

struct kind_row {
  const char *url, *tags, *text, *keyword, *artist, *era;
  enum pd_kind kind;
  double min_conf, max_conf;
  const char *reason_has; /* NULL: not checked */
};

#define YT "https://i.ytimg.com/vi/e-ORhEE9VVg/maxresdefault.jpg"
#define CAA                                                                                        \
  "https://coverartarchive.org/release-group/3ad4a98c-1b5a-4d6e-9a1b-0a1c0b1d2e3f/front-500"
#define WIKI "https://upload.wikimedia.org/wikipedia/commons/thumb/a/ab/"

static const struct kind_row kind_rows[] = {
    /* URL patterns */
    {YT, NULL, NULL, NULL, NULL, NULL, PD_KIND_MV, 0.95, 0.95, "url: YouTube thumbnail"},
    {YT, NULL, NULL, "Taylor Swift 1989 mv", NULL, NULL, PD_KIND_MV, 0.96, 0.97, NULL},
    {"https://img.youtube.com/vi/e-ORhEE9VVg/hqdefault.jpg", NULL, NULL, NULL, NULL, NULL,
     PD_KIND_MV, 0.95, 0.95, NULL},
    {"http://i3.ytimg.com/vi_webp/abc/sddefault.webp", NULL, NULL, NULL, NULL, NULL, PD_KIND_MV,
     0.95, 0.95, NULL},
    {"HTTPS://I.YTIMG.COM:443/vi/abc/0.jpg?sqp=-oaymwE", NULL, NULL, NULL, NULL, NULL, PD_KIND_MV,
     0.95, 0.95, NULL},
    {CAA, NULL, NULL, NULL, NULL, NULL, PD_KIND_COVER, 0.95, 0.95, "Cover Art Archive"},
    {"https://i.scdn.co/image/ab67616d0000b273904445d70d04eb24d6bb79ac", NULL, NULL, NULL, NULL,
     NULL, PD_KIND_COVER, 0.95, 0.95, "Spotify album art"},
    {"https://i.scdn.co/image/ab6761610000e5eb5a00969a4698c3132a15fbb0", NULL, NULL, NULL, NULL,
     NULL, PD_KIND_PROMO, 0.7, 0.7, "Spotify artist photo"},
    {"https://i.scdn.co/image/0123abcd", NULL, NULL, NULL, NULL, NULL, PD_KIND_COVER, 0.8, 0.8,
     NULL},
    /* look-alike hosts and paths are not the real thing */
    {"https://example.com/vi/abc/0.jpg", NULL, NULL, NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0,
     "no signal"},
    {"https://notytimg.com/vi/abc/0.jpg", NULL, NULL, NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0,
     NULL},
    {"https://i.ytimg.com.evil.example/vi/abc/0.jpg", NULL, NULL, NULL, NULL, NULL, PD_KIND_UNKNOWN,
     0, 0, NULL},
    {"https://i.ytimg.com/an_webp/abc/0.jpg", NULL, NULL, NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0,
     NULL},
    /* URL beats text and keyword, and the disagreement costs confidence */
    {YT, NULL, "Taylor Swift on the red carpet", NULL, NULL, NULL, PD_KIND_MV, 0.75, 0.77,
     "says red_carpet"},
    {CAA, NULL, NULL, "Taylor Swift 1989 concert", NULL, NULL, PD_KIND_COVER, 0.75, 0.77, NULL},
    /* text */
    {NULL, NULL, "Taylor Swift performs live at Wembley Stadium", NULL, NULL, NULL, PD_KIND_CONCERT,
     0.75, 0.75, "text: 'live'"},
    {NULL, NULL, "RED CARPET arrivals", NULL, NULL, NULL, PD_KIND_RED_CARPET, 0.75, 0.75, NULL},
    {NULL, NULL, "[MV] IU(\xec\x95\x84\xec\x9d\xb4\xec\x9c\xa0) _ Palette (Feat. G-DRAGON)", NULL,
     NULL, NULL, PD_KIND_MV, 0.75, 0.75, NULL},
    {NULL, NULL, "BTS 'Dynamite' Official M/V", NULL, NULL, NULL, PD_KIND_MV, 0.75, 0.75, NULL},
    {NULL, NULL, "Official album cover for Midnights", NULL, NULL, NULL, PD_KIND_COVER, 0.75, 0.75,
     NULL},
    /* text beats keyword */
    {NULL, NULL, "Backstage photoshoot for Vogue magazine", "Taylor Swift 1989 concert", NULL, NULL,
     PD_KIND_PROMO, 0.59, 0.61, NULL},
    /* keyword only: the weakest signal */
    {NULL, NULL, NULL, "Taylor Swift 1989 red carpet", NULL, NULL, PD_KIND_RED_CARPET, 0.55, 0.55,
     "keyword: 'red carpet'"},
    {NULL, NULL, NULL, "Taylor Swift 1989 live", NULL, NULL, PD_KIND_CONCERT, 0.55, 0.55, NULL},
    {NULL, NULL, NULL, "Taylor Swift 1989 photoshoot", NULL, NULL, PD_KIND_PROMO, 0.55, 0.55, NULL},
    {NULL, NULL, NULL, "Taylor Swift 1989 mv", NULL, NULL, PD_KIND_MV, 0.55, 0.55, NULL},
    {NULL, NULL, NULL, "Taylor Swift 1989 press photo", NULL, NULL, PD_KIND_PROMO, 0.55, 0.55,
     NULL},
    {NULL, NULL, NULL, "Taylor Swift 1989 music video", NULL, NULL, PD_KIND_MV, 0.55, 0.55, NULL},
    /* word boundaries, not substrings */
    {NULL, NULL, "Still alive and delivering", NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0, NULL},
    {NULL, NULL, "Olivia on a livestream from backstage", NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0,
     NULL},
    {NULL, NULL, "MVP of the night", NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0, NULL},
    {NULL, "tour2019", NULL, NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0, NULL},
    {NULL, NULL, "\xc3\xa9live", NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0, NULL},
    /* tags, with the spellings tag systems use */
    {NULL, "red-carpet met_gala", NULL, NULL, NULL, NULL, PD_KIND_RED_CARPET, 0.85, 0.85,
     "tags: 'red carpet'"},
    {NULL, "taylorswift redcarpet grammys", NULL, NULL, NULL, NULL, PD_KIND_RED_CARPET, 0.85, 0.85,
     NULL},
    {NULL, "concert", "magazine photoshoot", NULL, NULL, NULL, PD_KIND_CONCERT, 0.67, 0.69, NULL},
    {NULL, "ai-generated fanart", NULL, NULL, NULL, NULL, PD_KIND_GENERATED, 0.85, 0.85, NULL},
    /* the words of a file name count as text */
    {WIKI "Taylor_Swift_at_the_2019_American_Music_Awards.png/"
          "800px-Taylor_Swift_at_the_2019_American_Music_Awards.png",
     NULL, NULL, NULL, NULL, NULL, PD_KIND_RED_CARPET, 0.75, 0.75, "file name: 'awards'"},
    {WIKI "Taylor%20Swift%20live%20in%20Tokyo.jpg", NULL, NULL, NULL, NULL, NULL, PD_KIND_CONCERT,
     0.75, 0.75, NULL},
    {"https://live.staticflickr.com/65535/5312_abcd_b.jpg", NULL, NULL, NULL, NULL, NULL,
     PD_KIND_UNKNOWN, 0, 0, NULL},
    /* kind words inside the artist's or the era's name are not signals */
    {NULL, NULL, "Live - Lightning Crashes", NULL, "Live", NULL, PD_KIND_UNKNOWN, 0, 0, NULL},
    {NULL, NULL, "Live on stage in 1995", NULL, "Live", NULL, PD_KIND_CONCERT, 0.75, 0.75,
     "text: 'stage'"},
    /* names match case-insensitively, so a lowercase "live" is the band too */
    {NULL, NULL, "Live performing live in 1995", NULL, "Live", NULL, PD_KIND_UNKNOWN, 0, 0, NULL},
    {NULL, NULL, NULL, "Queen Live at Wembley photoshoot", "Queen", "Live at Wembley",
     PD_KIND_PROMO, 0.55, 0.55, NULL},
    {NULL, NULL, NULL, "Taylor Swift Red red carpet", "Taylor Swift", "Red", PD_KIND_RED_CARPET,
     0.55, 0.55, NULL},
    /* conflicts in one tier: the weaker tiers break the tie, confidence drops */
    {NULL, NULL, "Performing live at the Grammy Awards", "Taylor Swift 1989 live", NULL, NULL,
     PD_KIND_CONCERT, 0.6, 0.62, "but text 'awards' (red_carpet)"},
    {NULL, NULL, "Performing live at the Grammy Awards", "Taylor Swift 1989 red carpet", NULL, NULL,
     PD_KIND_RED_CARPET, 0.6, 0.62, NULL},
    {NULL, NULL, "Music video premiere party", NULL, NULL, NULL, PD_KIND_MV, 0.45, 0.45, NULL},
    /* agreement across tiers raises confidence */
    {NULL, "concert", "live on stage", "Taylor Swift 1989 tour", NULL, NULL, PD_KIND_CONCERT, 0.92,
     0.93, NULL},
    /* nothing at all */
    {NULL, NULL, NULL, NULL, NULL, NULL, PD_KIND_UNKNOWN, 0, 0, "no signal"},
    {"", "", "", "", "", "", PD_KIND_UNKNOWN, 0, 0, NULL},
};

static void test_kind_table(void **state)
{
  (void)state;
  assert_true(PD_ARRAY_LEN(kind_rows) >= 30);
  for (size_t i = 0; i < PD_ARRAY_LEN(kind_rows); i++) {
    const struct kind_row *r = &kind_rows[i];
    struct pd_classify_input in = {.source_url = r->url,
                                   .tags = r->tags,
                                   .text = r->text,
                                   .keyword = r->keyword,
                                   .artist = r->artist,
                                   .era_name = r->era};
    struct pd_classify_result out;
    assert_int_equal(pd_classify_image(&in, &out), PD_OK);
    if (out.kind != r->kind || out.confidence < r->min_conf - 1e-9 ||
        out.confidence > r->max_conf + 1e-9 ||
        (r->reason_has != NULL && strstr(out.reason, r->reason_has) == NULL))
      fail_msg("row %zu: got %s %.3f \"%s\", want %s in [%.2f, %.2f]%s%s", i,
               pd_kind_name(out.kind), out.confidence, out.reason, pd_kind_name(r->kind),
               r->min_conf, r->max_conf, r->reason_has ? " with " : "",
               r->reason_has ? r->reason_has : "");
  }
}

static double confidence_of(const char *url, const char *tags, const char *text,
                            const char *keyword, enum pd_kind want)
{
  struct pd_classify_input in = {.source_url = url, .tags = tags, .text = text, .keyword = keyword};
  struct pd_classify_result out;
  assert_int_equal(pd_classify_image(&in, &out), PD_OK);
  assert_int_equal(out.kind, want);
  return out.confidence;
}

/* The ranking the spec asks for: url > text > keyword; conflicts cost, agreement pays. */
static void test_confidence_ordering(void **state)
{
  (void)state;
  double url = confidence_of(YT, NULL, NULL, NULL, PD_KIND_MV);
  double tags = confidence_of(NULL, "mv", NULL, NULL, PD_KIND_MV);
  double text = confidence_of(NULL, NULL, "official music video", NULL, PD_KIND_MV);
  double keyword = confidence_of(NULL, NULL, NULL, "IU Palette mv", PD_KIND_MV);
  assert_true(url > tags && tags > text && text > keyword && keyword > 0);

  double agreed = confidence_of(NULL, NULL, "live on stage", "IU tour", PD_KIND_CONCERT);
  double alone = confidence_of(NULL, NULL, "live on stage", NULL, PD_KIND_CONCERT);
  double disputed = confidence_of(NULL, NULL, "live on stage", "IU photoshoot", PD_KIND_CONCERT);
  double mixed = confidence_of(NULL, NULL, "live on stage", "IU tour photoshoot", PD_KIND_CONCERT);
  double split = confidence_of(NULL, NULL, "live photoshoot", "IU tour", PD_KIND_CONCERT);
  assert_true(agreed > alone && alone > mixed && mixed > disputed);
  assert_true(split < alone);
  /* Even disputed, a stronger tier still decides: */
  assert_true(confidence_of(YT, NULL, "red carpet", "red carpet", PD_KIND_MV) > 0.5);
}

struct era_row {
  const char *photo_date, *start, *end, *text, *era_name;
  enum pd_era_match match;
  bool unreadable;
};

static const struct era_row era_rows[] = {
    {"2014-11-15", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_DATE_IN_WINDOW, false},
    {"2014-10-27", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_DATE_IN_WINDOW, false},
    {"2015-12-31", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_DATE_IN_WINDOW, false},
    {"2014-10-26", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_DATE_OUTSIDE, false},
    {"2016-01-01", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_DATE_OUTSIDE, false},
    {"2014-11-15T20:15:00Z", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_DATE_IN_WINDOW, false},
    {"2014-11-15 20:15:00", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_DATE_IN_WINDOW, false},
    {"2030-01-01", "2022-10-21", NULL, NULL, NULL, PD_ERA_DATE_IN_WINDOW, false},
    {"1999-01-01", NULL, "2000-01-01", NULL, NULL, PD_ERA_DATE_IN_WINDOW, false},
    {"2016-02-29", "2016-01-01", "2016-12-31", NULL, NULL, PD_ERA_DATE_IN_WINDOW, false},
    /* a date outside the window wins over the text naming the era */
    {"2010-05-05", "2014-10-27", "2015-12-31", "Taylor Swift, 1989 era", "1989",
     PD_ERA_DATE_OUTSIDE, false},
    /* no usable date: the text, else the search */
    {NULL, "2014-10-27", "2015-12-31", "Taylor Swift during the 1989 World Tour", "1989",
     PD_ERA_TEXT_MENTION, false},
    {NULL, "2014-10-27", "2015-12-31", "Taylor Swift in concert", "1989", PD_ERA_SEARCHED, false},
    {NULL, NULL, NULL, "Taylor Swift on the red carpet", "Red", PD_ERA_SEARCHED, false},
    {NULL, NULL, NULL, "Taylor Swift, Red (Taylor's Version) promo", "Red", PD_ERA_TEXT_MENTION,
     false},
    {"", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_SEARCHED, false},
    {"2014/11/15", "2014-10-27", "2015-12-31", NULL, NULL, PD_ERA_SEARCHED, true},
    {"2015-02-29", "2015-01-01", "2015-12-31", NULL, NULL, PD_ERA_SEARCHED, true},
    {"2015-1-5", "2015-01-01", "2015-12-31", NULL, NULL, PD_ERA_SEARCHED, true},
    {"2015-06-01x", "2015-01-01", "2015-12-31", NULL, NULL, PD_ERA_SEARCHED, true},
    {"2015-13-01", "2015-01-01", "2015-12-31", "1989 tour", "1989", PD_ERA_TEXT_MENTION, true},
};

static void test_era_table(void **state)
{
  (void)state;
  for (size_t i = 0; i < PD_ARRAY_LEN(era_rows); i++) {
    const struct era_row *r = &era_rows[i];
    struct pd_classify_input in = {.photo_date = r->photo_date,
                                   .era_start = r->start,
                                   .era_end = r->end,
                                   .text = r->text,
                                   .era_name = r->era_name};
    struct pd_classify_result out;
    assert_int_equal(pd_classify_image(&in, &out), PD_OK);
    if (out.era != r->match)
      fail_msg("row %zu: got %s, want %s (%s)", i, pd_era_match_name(out.era),
               pd_era_match_name(r->match), out.reason);
    assert_true(strstr(out.reason, pd_era_match_name(r->match)) != NULL);
    assert_int_equal(strstr(out.reason, "unreadable") != NULL, r->unreadable);
  }
}

static void test_bad_input(void **state)
{
  (void)state;
  static const struct {
    const char *start, *end;
  } bad_windows[] = {
      {"2014-13-01", NULL},       {NULL, "2014-02-30"},       {"2015-01-01", "2014-12-31"},
      {"2015-01-01T00:00", NULL}, {NULL, "2015-01-01 00:00"}, {"14-01-01", NULL},
      {"2014-1-01", NULL},        {"0000-01-01", NULL},       {"2014-01-01 ", NULL},
  };
  struct pd_classify_result out;
  for (size_t i = 0; i < PD_ARRAY_LEN(bad_windows); i++) {
    struct pd_classify_input in = {.era_start = bad_windows[i].start,
                                   .era_end = bad_windows[i].end};
    if (pd_classify_image(&in, &out) != PD_E_INVALID)
      fail_msg("window %zu accepted", i);
  }
  struct pd_classify_input in = {0};
  assert_int_equal(pd_classify_image(NULL, &out), PD_E_INVALID);
  assert_int_equal(pd_classify_image(&in, NULL), PD_E_INVALID);
}

static void test_parse_date(void **state)
{
  (void)state;
  static const struct {
    const char *s;
    bool allow_time;
    long want;
  } rows[] = {
      {"2014-10-27", false, 20141027},
      {"2000-02-29", false, 20000229},
      {"1900-02-29", false, -1},
      {"2024-02-29", false, 20240229},
      {"2023-02-29", false, -1},
      {"2023-04-31", false, -1},
      {"2023-00-10", false, -1},
      {"2023-01-00", false, -1},
      {"2023-01-32", false, -1},
      {"2023-12-31", false, 20231231},
      {"2023-12-31T23:59", false, -1},
      {"2023-12-31T23:59", true, 20231231},
      {"2023-12-31 23:59", true, 20231231},
      {"2023-12-31Z", true, -1},
      {"2023-12-3", false, -1},
      {"", false, -1},
      {NULL, false, -1},
      {"abcd-ef-gh", false, -1},
      {"2023/12/31", false, -1},
      {"+023-12-31", false, -1},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    if (classify_parse_date(rows[i].s, rows[i].allow_time) != rows[i].want)
      fail_msg("row %zu (%s): got %ld", i, rows[i].s ? rows[i].s : "NULL",
               classify_parse_date(rows[i].s, rows[i].allow_time));
}

static void test_kind_names(void **state)
{
  (void)state;
  static const struct {
    enum pd_kind kind;
    const char *name;
  } rows[] = {
      {PD_KIND_UNKNOWN, "unknown"},
      {PD_KIND_COVER, "cover"},
      {PD_KIND_MV, "mv"},
      {PD_KIND_CONCERT, "concert"},
      {PD_KIND_RED_CARPET, "red_carpet"},
      {PD_KIND_PROMO, "promo"},
      {PD_KIND_GENERATED, "generated"},
  };
  assert_int_equal(PD_ARRAY_LEN(rows), PD_KIND_COUNT);
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    enum pd_kind k = PD_KIND_COUNT;
    assert_string_equal(pd_kind_name(rows[i].kind), rows[i].name);
    assert_int_equal(pd_kind_parse(rows[i].name, &k), PD_OK);
    assert_int_equal(k, rows[i].kind);
  }
  static const char *const bad[] = {"", "Cover", "red carpet", "red-carpet", "mv ", "music video"};
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    enum pd_kind k = PD_KIND_COUNT;
    assert_int_equal(pd_kind_parse(bad[i], &k), PD_E_INVALID);
    assert_int_equal(k, PD_KIND_COUNT);
  }
  enum pd_kind k;
  assert_int_equal(pd_kind_parse(NULL, &k), PD_E_INVALID);
  assert_null(pd_kind_name(PD_KIND_COUNT));
  assert_null(pd_kind_name((enum pd_kind) - 1));
}

/* Long page text is read up to the cap, and the reason never overflows. */
static void test_long_input(void **state)
{
  (void)state;
  static char text[PD_CLASSIFY_SCAN_MAX + 64];
  memset(text, 'a', sizeof(text) - 1);
  text[sizeof(text) - 1] = '\0';
  memcpy(text + PD_CLASSIFY_SCAN_MAX + 8, " live ", 6); /* beyond the cap: not read */
  memcpy(text + 100, " gala ", 6);
  struct pd_classify_input in = {.text = text,
                                 .tags = "concert live stage tour festival gig mv",
                                 .keyword = "red carpet awards gala photoshoot promo magazine"};
  struct pd_classify_result out;
  assert_int_equal(pd_classify_image(&in, &out), PD_OK);
  assert_int_equal(out.kind, PD_KIND_CONCERT);
  assert_true(strlen(out.reason) < PD_CLASSIFY_REASON_MAX);

  struct pd_classify_input only_far = {.text = text};
  memset(text + 100, 'a', 6);
  assert_int_equal(pd_classify_image(&only_far, &out), PD_OK);
  assert_int_equal(out.kind, PD_KIND_UNKNOWN);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_kind_table), cmocka_unit_test(test_confidence_ordering),
      cmocka_unit_test(test_era_table),  cmocka_unit_test(test_bad_input),
      cmocka_unit_test(test_parse_date), cmocka_unit_test(test_kind_names),
      cmocka_unit_test(test_long_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
