/* test_commons.c - what the Wikimedia Commons client makes of an answer (the fixtures the double
 * serves and hand-made pages): search order, files and licences left out, HTML turned into
 * text, dates normalised, and results the classifier can read. */
#define PD_UNITTEST 1 /* see commons_strip_html, commons_date, commons_free_license */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "classify.h"
#include "commons.h"

static json_t *fixture(const char *name)
{
  char path[256];
  snprintf(path, sizeof(path), "test/fixtures/commons/%s", name);
  json_t *j = json_load_file(path, 0, NULL);
  assert_non_null(j);
  return j;
}

static const char *str(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));
  return s != NULL ? s : "(absent)";
}

/* Whether s is well-formed UTF-8 (what json_string insists on). */
static bool utf8_ok(const char *s, size_t n)
{
  json_t *j = json_stringn(s, n);
  json_decref(j);
  return j != NULL;
}

static void test_concert_answer_in_search_order(void **state)
{
  json_t *a = fixture("search-taylor-swift-1989-concert.json");
  json_t *r = pd_commons_results_from(a);
  static const struct {
    const char *title, *mime, *date, *license, *artist;
    bool attribution;
    int width;
  } want[] = {
      /* index 1; 2 is the fair-use cover */
      {"File:Taylor Swift 1989 World Tour Detroit 2015 (18329176834).jpg", "image/jpeg",
       "2015-05-30", "CC BY 2.0", "Dana Whitfield", true, 3872},
      /* 3; 4 is the SVG logo */
      {"File:Taylor Swift - The 1989 World Tour - Manchester 2015.jpg", "image/jpeg", "2015-06-27",
       "CC BY-SA 2.0", "Jana Beckett", true, 4608},
      {"File:Taylor Swift - The 1989 World Tour - Tokyo Dome (21891738345).jpg", "image/jpeg",
       "2015-05-06", "CC BY-SA 2.0", "Hiro & Kaoru from Tokyo, Japan", true, 2048},
      {"File:Taylor Swift 1989 World Tour Santa Clara 2015.webp", "image/webp", "2015-08-01", "CC0",
       "Marisol Vega", false, 3000},
      /* 7 says "unknown date"; 8 is CC BY-NC, 9 a TIFF */
      {"File:Taylor Swift 1989 World Tour stage (Nashville, 2015).png", "image/png", NULL,
       "Public domain", "Tennessee National Guard", false, 2400},
      {"File:Taylor Swift 1989 World Tour Melbourne final show.jpg", "image/jpeg", "2015-12-12",
       "CC BY-SA 4.0", "Koala Mum", true, 4032},
  };
  assert_int_equal(json_array_size(r), PD_ARRAY_LEN(want));
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    json_t *x = json_array_get(r, i), *lic = json_object_get(x, "license");
    assert_string_equal(str(x, "title"), want[i].title);
    assert_string_equal(str(x, "mime"), want[i].mime);
    assert_string_equal(str(x, "date"), want[i].date != NULL ? want[i].date : "(absent)");
    assert_int_equal(json_integer_value(json_object_get(x, "width")), want[i].width);
    assert_true(json_integer_value(json_object_get(x, "height")) > 0);
    assert_int_equal(strncmp(str(x, "url"), "https://upload.wikimedia.org/wikipedia/commons/", 47),
                     0);
    assert_int_equal(strncmp(str(x, "page_url"), "https://commons.wikimedia.org/wiki/File:", 40),
                     0);
    assert_string_equal(str(lic, "source"), "Wikimedia Commons");
    assert_string_equal(str(lic, "short_name"), want[i].license);
    assert_string_equal(str(lic, "artist"), want[i].artist);
    assert_string_equal(str(lic, "page"), str(x, "page_url"));
    assert_true(json_is_boolean(json_object_get(lic, "attribution_required")));
    assert_int_equal(json_is_true(json_object_get(lic, "attribution_required")),
                     want[i].attribution);
    assert_null(json_object_get(x, "keyword")); /* pd_commons_search adds it */
  }

  /* The photo with HTML everywhere. */
  json_t *tokyo = json_array_get(r, 2);
  assert_string_equal(str(tokyo, "url"),
                      "https://upload.wikimedia.org/wikipedia/commons/b/b0/"
                      "Taylor_Swift_-_The_1989_World_Tour_-_Tokyo_Dome_(21891738345).jpg");
  assert_string_equal(str(tokyo, "description"),
                      "Taylor Swift on stage at the Tokyo Dome \xe2\x80\x93 "
                      "\xe2\x80\x9cStyle\xe2\x80\x9d, 6 May 2015. Night two of two. "
                      "Section A Row 12");
  assert_string_equal(str(json_object_get(tokyo, "license"), "credit"), "Taylor Swift 1989 Tokyo");
  assert_string_equal(str(json_object_get(tokyo, "license"), "url"),
                      "https://creativecommons.org/licenses/by-sa/2.0");
  assert_string_equal(str(tokyo, "tags"),
                      "The 1989 World Tour | Tokyo Dome | Taylor Swift in concert | "
                      "Taylor Swift in 2015");
  json_t *cats = json_object_get(tokyo, "categories");
  assert_int_equal(json_array_size(cats), 4);
  assert_string_equal(json_string_value(json_array_get(cats, 1)), "Tokyo Dome");

  /* Language label and entities of a Commons description; the title as text. */
  json_t *man = json_array_get(r, 1);
  assert_string_equal(str(man, "description"), "English: Taylor Swift & her band perform \"Shake "
                                               "It Off\" at the Etihad Stadium, Manchester.");
  assert_string_equal(str(man, "text"),
                      "Taylor Swift - The 1989 World Tour - Manchester 2015. English: Taylor Swift "
                      "& her band perform \"Shake It Off\" at the Etihad Stadium, Manchester.");
  assert_string_equal(str(json_object_get(man, "license"), "credit"), "Own work");
  assert_string_equal(
      str(json_array_get(r, 3), "description"),
      "English: Taylor Swift at Levi's Stadium, Santa Clara, during The 1989 World Tour.");

  /* Public domain: no licence URL, nothing to attribute. */
  json_t *pd = json_object_get(json_array_get(r, 4), "license");
  assert_null(json_object_get(pd, "url"));
  /* No Categories at all: an empty list and empty tags. */
  json_t *mel = json_array_get(r, 5);
  assert_int_equal(json_array_size(json_object_get(mel, "categories")), 0);
  assert_string_equal(str(mel, "tags"), "");
  json_decref(r);
  json_decref(a);
}

static void test_red_carpet_answer(void **state)
{
  json_t *a = fixture("search-taylor-swift-red-carpet.json");
  json_t *r = pd_commons_results_from(a);
  /* The Met Gala photo has no licence and is left out. */
  static const char *const want[][2] = {
      {"File:Taylor Swift 2015 Billboard Music Awards red carpet.jpg", "2015-05-17"},
      {"File:Taylor Swift at the 2019 American Music Awards (cropped).jpg", "2019-11-24"},
      {"File:Taylor Swift GRAMMYs 2016 arrival.png", "2016-02-15"},
  };
  assert_int_equal(json_array_size(r), PD_ARRAY_LEN(want));
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    assert_string_equal(str(json_array_get(r, i), "title"), want[i][0]);
    assert_string_equal(str(json_array_get(r, i), "date"), want[i][1]);
  }
  json_decref(r);
  json_decref(a);
}

/* The results are what the classifier reads: the concert photos dated in the 1989 era are
 * concerts of that era, the red-carpet ones are red carpet. */
static void test_results_feed_the_classifier(void **state)
{
  static const struct {
    const char *file, *keyword;
    enum pd_kind kind;
  } searches[] = {
      {"search-taylor-swift-1989-concert.json", "Taylor Swift 1989 concert", PD_KIND_CONCERT},
      {"search-taylor-swift-red-carpet.json", "Taylor Swift 1989 red carpet", PD_KIND_RED_CARPET},
  };
  for (size_t s = 0; s < PD_ARRAY_LEN(searches); s++) {
    json_t *a = fixture(searches[s].file);
    json_t *r = pd_commons_results_from(a);
    size_t i;
    json_t *x;
    json_array_foreach(r, i, x)
    {
      struct pd_classify_input in = {
          .source_url = str(x, "url"),
          .tags = str(x, "tags"),
          .text = str(x, "text"),
          .keyword = searches[s].keyword,
          .artist = "Taylor Swift",
          .era_name = "1989",
          .photo_date = json_string_value(json_object_get(x, "date")),
          .era_start = "2014-10-27",
          .era_end = "2017-11-09",
      };
      struct pd_classify_result out;
      assert_int_equal(pd_classify_image(&in, &out), PD_OK);
      assert_int_equal(out.kind, searches[s].kind);
      const char *date = json_string_value(json_object_get(x, "date"));
      if (date == NULL)
        assert_int_not_equal(out.era, PD_ERA_DATE_OUTSIDE);
      else
        assert_int_equal(out.era, strcmp(date, "2017-11-09") <= 0 ? PD_ERA_DATE_IN_WINDOW
                                                                  : PD_ERA_DATE_OUTSIDE);
    }
    json_decref(r);
    json_decref(a);
  }
}

static void test_strip_html(void **state)
{
  static const char *const rows[][2] = {
      {"plain text", "plain text"},
      {"", ""},
      {"  lots \n\t of   space  ", "lots of space"},
      {"<b>Tay</b>lor <i>Swift</i>", "Taylor Swift"},
      {"one<br>two<br/>three<p>four</p>five", "one two three four five"},
      {"<div class=\"description en\"><span class=\"language en\"><b>English:</b></span> hi</div>",
       "English: hi"},
      {"<a href=\"//x/?a=1&amp;b=2\" title=\"a > b\">link</a> after", "link after"},
      {"<a title='it\"s > fine'>ok</a>", "ok"},
      {"Tom &amp; Jerry &lt;3 &gt; &quot;q&quot; &apos;a&apos; &#39;b&#039;",
       "Tom & Jerry <3 > \"q\" 'a' 'b'"},
      {"&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
      {"a&nbsp;b &ndash; c &mdash; d&hellip;", "a b \xe2\x80\x93 c \xe2\x80\x94 d\xe2\x80\xa6"},
      {"&#233;&#xE9;&#XE9; &#x1F3A4;", "\xc3\xa9\xc3\xa9\xc3\xa9 \xf0\x9f\x8e\xa4"},
      {"bad: &#0; &#xD800; &#x110000; &#1;",
       "bad: \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd"},
      {"tab&#9;and&#10;newline", "tab and newline"},
      {"not entities: & &amp &bogus; &#; &#x; &#12a; AT&T",
       "not entities: & &amp &bogus; &#; &#x; &#12a; AT&T"},
      {"&#99999999999999999999;", "&#99999999999999999999;"},
      {"a < b, 1<2 and 3 <= 4", "a < b, 1<2 and 3 <= 4"},
      {"c<d is a tag cut short", "c"},
      {"x <!-- a comment with <b>tags</b> --> y", "x y"},
      {"x <!-- never closed", "x"},
      {"before<script type=\"text/javascript\">var s = '<b>no</b>';</script>after", "before after"},
      {"a<STYLE>.c { color: red }</Style>b", "a b"},
      {"<script>unterminated", ""},
      {"cut <a href=\"x", "cut"},
      {"<!DOCTYPE html><?xml version=\"1.0\"?>ok", "ok"},
      {"Beyonc\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac", "Beyonc\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac"},
      {"bad bytes \xff\xc3( \xed\xa0\x80 \xc0\xaf end",
       "bad bytes \xef\xbf\xbd\xef\xbf\xbd( \xef\xbf\xbd\xef\xbf\xbd"
       "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd end"},
  };
  char out[256];
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    size_t n = commons_strip_html(rows[i][0], out, sizeof(out));
    if (strcmp(out, rows[i][1]) != 0)
      print_error("row %zu: \"%s\" gave \"%s\"\n", i, rows[i][0], out);
    assert_string_equal(out, rows[i][1]);
    assert_int_equal(n, strlen(out));
    assert_true(utf8_ok(out, n));
  }
  assert_int_equal(commons_strip_html(NULL, out, sizeof(out)), 0);
  assert_string_equal(out, "");
}

/* A small buffer cuts on a character boundary, never inside one. */
static void test_strip_html_cuts_whole_characters(void **state)
{
  const char *in = "ab \xc3\xa9&eacute;\xe6\x9d\xb1 &#x1F3A4;";
  static const char *const want[] = {"",
                                     "",
                                     "a",
                                     "ab",
                                     "ab",
                                     "ab",
                                     "ab \xc3\xa9",
                                     "ab \xc3\xa9",
                                     "ab \xc3\xa9\xc3\xa9",
                                     "ab \xc3\xa9\xc3\xa9",
                                     "ab \xc3\xa9\xc3\xa9",
                                     "ab \xc3\xa9\xc3\xa9\xe6\x9d\xb1"};
  char out[16];
  for (size_t cap = 0; cap < PD_ARRAY_LEN(want); cap++) {
    memset(out, 'x', sizeof(out));
    size_t n = commons_strip_html(in, out, cap);
    if (cap == 0) {
      assert_int_equal(n, 0);
      assert_int_equal(out[0], 'x'); /* nothing written at all */
      continue;
    }
    assert_string_equal(out, want[cap]);
    assert_true(n < cap);
    assert_true(utf8_ok(out, n));
  }
  assert_int_equal(commons_strip_html(in, out, sizeof(out)), 15);
  assert_string_equal(out, "ab \xc3\xa9\xc3\xa9\xe6\x9d\xb1 \xf0\x9f\x8e\xa4");
}

static void test_dates(void **state)
{
  static const char *const rows[][2] = {
      {"2023-03-17", "2023-03-17"},
      {"2023-03-17 20:15:00", "2023-03-17"},
      {"2023-03-17T20:15:00Z", "2023-03-17"},
      {"2015:05:06 19:42:10", "2015-05-06"}, /* EXIF */
      {"2015-06", "2015-06-01"},             /* month precision */
      {"March 2023", "2023-03-01"},
      {"march, 2023", "2023-03-01"},
      {"Mar. 2023", "2023-03-01"},
      {"Sept 2015", "2015-09-01"},
      {"17 March 2023", "2023-03-17"},
      {"5 Dec, 2015", "2015-12-05"},
      {"November 24, 2019", "2019-11-24"},
      {"Nov 24 2019", "2019-11-24"},
      {"20:15, 13 June 2015", "2015-06-13"},
      {"<time class=\"dtstart\" datetime=\"2015-06-27\" lang=\"en\">27 June 2015</time>",
       "2015-06-27"},
      {"<time datetime='2015-06-27T21:00'>evening</time>", "2015-06-27"},
      {"<time datetime=\"2015-02-30\">15 February 2016</time>",
       "2016-02-15"}, /* a bad attribute: the text */
      {"Taken on <span class=\"date\">2016-02-15</span>", "2016-02-15"},
      {"<span title=\"circa\">c.</span> June 2012", "2012-06-01"},
      {"2016-02-29", "2016-02-29"},
      {"2000-02-29", "2000-02-29"},
      {"1900-02-29", NULL},
      {"2015-02-29", NULL},
      {"2015-13-01", NULL},
      {"2015-04-31", NULL},
      {"0000-00-00 00:00:00", NULL},
      {"1799-12-31", NULL},
      {"2015", NULL}, /* a year alone is too coarse */
      {"circa 2015", NULL},
      {"1989 World Tour", NULL},
      {"unknown date", NULL},
      {"Mayor of 2015", NULL},
      {"20150613", NULL},
      {"12015-06-13", NULL},
      {"2015-06-130", NULL},
      {"June 31, 2015", NULL},
      {"", NULL},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char out[11] = "";
    bool ok = commons_date(rows[i][0], out);
    if (ok != (rows[i][1] != NULL) || (ok && strcmp(out, rows[i][1]) != 0))
      print_error("row %zu: \"%s\" gave %s \"%s\"\n", i, rows[i][0], ok ? "true" : "false", out);
    assert_int_equal(ok, rows[i][1] != NULL);
    if (ok)
      assert_string_equal(out, rows[i][1]);
  }
  char out[11];
  assert_false(commons_date(NULL, out));
}

static void test_licenses(void **state)
{
  static const struct {
    const char *name;
    bool free;
  } rows[] = {
      {"Public domain", true},
      {"public domain", true},
      {"Public Domain Mark 1.0", true},
      {"PD-US", true},
      {"PD", true},
      {"CC0", true},
      {"CC0 1.0", true},
      {"CC-zero", true},
      {"CC PDM 1.0", true},
      {"CC BY 2.0", true},
      {"CC BY 4.0", true},
      {"CC BY 3.0 us", true},
      {"CC-BY-4.0", true},
      {"cc by", true},
      {"CC BY-SA 2.0", true},
      {"CC BY-SA 3.0 de", true},
      {"CC BY-SA 3.0 igo", true},
      {"CC-BY-SA-3.0-migrated", true},
      {"CC BY-SA 4.0", true},
      {"  CC  BY-SA  4.0 ", true},
      {"CC BY-NC 2.0", false},
      {"CC BY-NC-SA 2.0", false},
      {"CC BY-ND 4.0", false},
      {"CC BY-SA-NC 3.0", false},
      {"CC BY-NC-ND 4.0", false},
      {"CC BYSA 4.0", false},
      {"CC SA 1.0", false},
      {"GFDL", false},
      {"Fair use", false},
      {"Attribution", false},
      {"Copyrighted free use", false},
      {"All rights reserved", false},
      {"", false},
      {"CC", false},
      {"pdf", false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    if (commons_free_license(rows[i].name) != rows[i].free)
      print_error("row %zu: \"%s\"\n", i, rows[i].name);
    assert_int_equal(commons_free_license(rows[i].name), rows[i].free);
  }
  assert_false(commons_free_license(NULL));
}

/* A page in the answer's shape. */
static json_t *page(int pageid, int index, const char *mime, const char *license)
{
  json_t *ext = json_object();
  if (license != NULL)
    json_object_set_new(ext, "LicenseShortName",
                        json_pack("{s:s, s:s}", "value", license, "source", "commons-desc-page"));
  json_t *p =
      json_pack("{s:i, s:i, s:s, s:s, s:[{s:s, s:s, s:s, s:i, s:i, s:o}]}", "pageid", pageid, "ns",
                6, "title", "File:X.jpg", "imagerepository", "local", "imageinfo", "url",
                "https://u/x.jpg", "descriptionurl", "https://c/wiki/File:X.jpg", "mime", mime,
                "width", 10, "height", 20, "extmetadata", ext);
  if (index > 0)
    json_object_set_new(p, "index", json_integer(index));
  json_object_set_new(p, "title", json_sprintf("File:P%d.jpg", pageid));
  return p;
}

static void assert_titles(json_t *results, const char *const *want, size_t n)
{
  assert_int_equal(json_array_size(results), n);
  for (size_t i = 0; i < n; i++)
    assert_string_equal(str(json_array_get(results, i), "title"), want[i]);
}

static void test_order_is_the_search_index(void **state)
{
  /* formatversion 2: an array in page id order; pages without an index go last, in the
   * answer's order. */
  json_t *a = json_pack("{s:b, s:{s:[o, o, o, o, o]}}", "batchcomplete", 1, "query", "pages",
                        page(1, 4, "image/jpeg", "CC0"), page(2, 0, "image/jpeg", "CC0"),
                        page(3, 1, "image/png", "CC0"), page(4, 0, "image/jpeg", "CC0"),
                        page(5, 2, "image/webp", "CC0"));
  json_t *r = pd_commons_results_from(a);
  static const char *const want[] = {"File:P3.jpg", "File:P5.jpg", "File:P1.jpg", "File:P2.jpg",
                                     "File:P4.jpg"};
  assert_titles(r, want, PD_ARRAY_LEN(want));
  json_decref(r);
  json_decref(a);

  /* formatversion 1: keyed by page id, same order. */
  a = json_pack("{s:s, s:{s:{s:o, s:o, s:o}}}", "batchcomplete", "", "query", "pages", "10",
                page(10, 3, "image/jpeg", "CC0"), "20", page(20, 1, "image/jpeg", "CC0"), "30",
                page(30, 2, "image/jpeg", "CC0"));
  r = pd_commons_results_from(a);
  static const char *const want1[] = {"File:P20.jpg", "File:P30.jpg", "File:P10.jpg"};
  assert_titles(r, want1, PD_ARRAY_LEN(want1));
  json_decref(r);
  json_decref(a);
}

static void test_unusable_pages_are_left_out(void **state)
{
  json_t *no_info = page(7, 7, "image/jpeg", "CC0");
  json_object_del(no_info, "imageinfo");
  json_t *no_url = page(8, 8, "image/jpeg", "CC0");
  json_object_del(json_array_get(json_object_get(no_url, "imageinfo"), 0), "url");
  json_t *a =
      json_pack("{s:{s:[o, o, o, o, o, o, o, o, o, o]}}", "query", "pages",
                page(1, 1, "image/gif", "CC0"), page(2, 2, "image/tiff", "CC0"),
                page(3, 3, "image/svg+xml", "CC0"), page(4, 4, "application/pdf", "CC0"),
                page(5, 5, "image/jpeg", NULL), page(6, 6, "image/jpeg", "CC BY-NC 4.0"), no_info,
                no_url, page(9, 9, "image/jpeg", "CC BY 4.0"), page(10, 10, "IMAGE/JPEG", "CC0"));
  json_t *r = pd_commons_results_from(a);
  static const char *const want[] = {"File:P9.jpg"};
  assert_titles(r, want, PD_ARRAY_LEN(want));
  /* CC BY without an AttributionRequired field still needs attribution; no date, no
   * description, no categories are empty, not missing. */
  json_t *x = json_array_get(r, 0);
  assert_true(json_is_true(json_object_get(json_object_get(x, "license"), "attribution_required")));
  assert_null(json_object_get(x, "date"));
  assert_string_equal(str(x, "description"), "");
  assert_string_equal(str(x, "text"), "P9");
  assert_int_equal(json_array_size(json_object_get(x, "categories")), 0);
  json_decref(r);
  json_decref(a);
}

static void test_empty_and_odd_answers(void **state)
{
  static const char *const answers[] = {
      "{\"batchcomplete\":true}",
      "{\"batchcomplete\":true,\"query\":{}}",
      "{\"query\":{\"pages\":[]}}",
      "{\"query\":{\"pages\":\"nonsense\"}}",
      "{\"query\":{\"pages\":[1, \"x\", null, {\"imageinfo\":\"no\"}, "
      "{\"imageinfo\":[{\"url\":5}]}]}}",
      "[]",
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(answers); i++) {
    json_t *a = json_loads(answers[i], 0, NULL);
    assert_non_null(a);
    json_t *r = pd_commons_results_from(a);
    assert_true(json_is_array(r));
    assert_int_equal(json_array_size(r), 0);
    json_decref(r);
    json_decref(a);
  }
  json_t *r = pd_commons_results_from(NULL);
  assert_int_equal(json_array_size(r), 0);
  json_decref(r);
}

/* Categories: split on '|', trimmed, empty ones dropped; metadata values that are not strings
 * count as absent. */
static void test_categories_and_odd_metadata(void **state)
{
  json_t *p = page(1, 1, "image/jpeg", "CC BY-SA 4.0");
  json_t *ext = json_object_get(json_array_get(json_object_get(p, "imageinfo"), 0), "extmetadata");
  json_object_set_new(ext, "Categories", json_pack("{s:s}", "value", " A |B||  C D  |"));
  json_object_set_new(ext, "ImageDescription", json_pack("{s:i}", "value", 5));
  json_object_set_new(ext, "DateTimeOriginal", json_pack("{s:{s:s}}", "value", "en", "2015-01-01"));
  json_object_set_new(ext, "AttributionRequired", json_pack("{s:s}", "value", "false"));
  json_object_set_new(ext, "Artist", json_string("not an object"));
  json_t *a = json_pack("{s:{s:[o]}}", "query", "pages", p);
  json_t *r = pd_commons_results_from(a);
  json_t *x = json_array_get(r, 0);
  json_t *cats = json_object_get(x, "categories");
  assert_int_equal(json_array_size(cats), 3);
  assert_string_equal(json_string_value(json_array_get(cats, 0)), "A");
  assert_string_equal(json_string_value(json_array_get(cats, 1)), "B");
  assert_string_equal(json_string_value(json_array_get(cats, 2)), "C D");
  assert_string_equal(str(x, "tags"), "A | B | C D");
  assert_string_equal(str(x, "description"), "");
  assert_null(json_object_get(x, "date"));
  assert_null(json_object_get(json_object_get(x, "license"), "artist"));
  assert_false(
      json_is_true(json_object_get(json_object_get(x, "license"), "attribution_required")));
  json_decref(r);
  json_decref(a);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_concert_answer_in_search_order),
      cmocka_unit_test(test_red_carpet_answer),
      cmocka_unit_test(test_results_feed_the_classifier),
      cmocka_unit_test(test_strip_html),
      cmocka_unit_test(test_strip_html_cuts_whole_characters),
      cmocka_unit_test(test_dates),
      cmocka_unit_test(test_licenses),
      cmocka_unit_test(test_order_is_the_search_index),
      cmocka_unit_test(test_unusable_pages_are_left_out),
      cmocka_unit_test(test_empty_and_odd_answers),
      cmocka_unit_test(test_categories_and_odd_metadata),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
