/* test_commons.c - what the Wikimedia Commons client makes of an answer (the fixture the double
 * serves): free, bitmap photos in search order with readable text, categories, the date taken
 * and the licence; and its HTML, date and licence helpers over tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "commons.h"

static void test_results_from_a_search(void **state)
{
  json_t *a = json_load_file("test/fixtures/commons/taylor-swift-1989-concert.json", 0, NULL);
  assert_non_null(a);
  json_t *r = pd_commons_results_from(a);
  /* Five files: a fair-use poster and an SVG logo are left out; the rest in search order. */
  assert_int_equal(json_array_size(r), 3);
  json_t *tokyo = json_array_get(r, 0), *detroit = json_array_get(r, 1), *rep = json_array_get(r, 2);
  assert_string_equal(json_string_value(json_object_get(tokyo, "title")), "File:Taylor Swift 1989 Tour Tokyo stage.jpg");
  assert_string_equal(json_string_value(json_object_get(tokyo, "date")), "2015-05-05");
  assert_string_equal(json_string_value(json_object_get(rep, "date")), "2018-05-08");
  /* The scaled copy is what gets downloaded, not the 3000 px original. */
  assert_non_null(strstr(json_string_value(json_object_get(detroit, "url")), "/thumb/a/ab/"));
  assert_non_null(strstr(json_string_value(json_object_get(detroit, "url")), "/1200px-"));
  const char *text = json_string_value(json_object_get(detroit, "text"));
  assert_non_null(strstr(text, "during The 1989 World Tour in Detroit & singing"));
  assert_null(strchr(text, '<'));
  assert_string_equal(json_string_value(json_object_get(detroit, "tags")),
                      "Taylor Swift in concert|The 1989 World Tour|2015 concerts");
  json_t *lic = json_object_get(detroit, "license");
  assert_string_equal(json_string_value(json_object_get(lic, "source")), "Wikimedia Commons");
  assert_string_equal(json_string_value(json_object_get(lic, "short_name")), "CC BY-SA 2.0");
  assert_string_equal(json_string_value(json_object_get(lic, "artist")), "Example Photographer");
  assert_non_null(strstr(json_string_value(json_object_get(lic, "page")), "commons.wikimedia.org/wiki/File:"));
  json_decref(r);
  json_decref(a);
  /* No "query" (nothing found) is an empty list, not an error. */
  a = json_pack("{s:b}", "batchcomplete", 1);
  r = pd_commons_results_from(a);
  assert_int_equal(json_array_size(r), 0);
  json_decref(r);
  json_decref(a);
}

static void test_strip_html(void **state)
{
  static const char *rows[][2] = {
    {"<a href=\"//x\">Jane Doe</a>", "Jane Doe"},
    {"  Tom &amp; Jerry &lt;3 &quot;live&quot; &#39;15 &#65;  ", "Tom & Jerry <3 \"live\" '15 A"},
    {"<div>one</div><div>two</div>", "one two"},
    {"line\n\tbreak", "line break"},
    {"unclosed <b tag", "unclosed"},
    {"&bogus; stays", "&bogus; stays"},
    {"", ""},
  };
  char out[128];
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    pd_commons_strip_html(rows[i][0], out, sizeof(out));
    assert_string_equal(out, rows[i][1]);
  }
  char small[6];
  pd_commons_strip_html("abcdefghij", small, sizeof(small));
  assert_string_equal(small, "abcde");
}

static void test_dates(void **state)
{
  static const char *rows[][2] = {
    {"2015-05-30 20:41:12", "2015-05-30"}, {"<span>2015-05-05</span>", "2015-05-05"},
    {"taken on 2018-05-08", "2018-05-08"},  {"2020-02-29", "2020-02-29"},
    {"2019-02-29", NULL},                   {"2100-02-29", NULL},
    {"2015-13-01", NULL},                   {"March 2015", NULL},
    {"12015-05-05", NULL},                  {"2015-05-051", NULL},
    {"2014", NULL},                         {"", NULL},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char out[11] = "";
    bool ok = pd_commons_date(rows[i][0], out);
    if (rows[i][1] == NULL) {
      if (ok)
        fail_msg("\"%s\" gave %s", rows[i][0], out);
    } else {
      assert_true(ok);
      assert_string_equal(out, rows[i][1]);
    }
  }
}

static void test_free_licences(void **state)
{
  const char *yes[] = {"CC BY 2.0", "CC BY-SA 4.0", "CC BY", "CC BY-SA", "CC0", "Public domain", "PD-self", "CC-BY-SA-3.0"};
  const char *no[] = {"Fair use", "CC BY-NC 2.0", "CC BY-ND 4.0", "CC BY-NC-SA 3.0", "All rights reserved", "", NULL};
  for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
    if (!pd_commons_free_license(yes[i]))
      fail_msg("%s refused", yes[i]);
  for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
    if (pd_commons_free_license(no[i]))
      fail_msg("%s accepted", no[i] != NULL ? no[i] : "(null)");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_results_from_a_search),
    cmocka_unit_test(test_strip_html),
    cmocka_unit_test(test_dates),
    cmocka_unit_test(test_free_licences),
  };
  return cmocka_run_group_tests_name("test_commons", tests, NULL, NULL);
}
