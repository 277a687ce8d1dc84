/* test_utf8.c - lib/utf8.c: every cut lands on a character boundary, is marked with "…" when
 * there is room, and what fits is left alone; the results are always valid UTF-8 (jansson takes
 * them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <string.h>

#include "pd.h"
#include "utf8.h"

#define E PD_UTF8_ELLIPSIS

static bool valid(const char *s)
{
  json_t *j = json_string(s); /* jansson checks UTF-8 */
  bool ok = j != NULL;
  json_decref(j);
  return ok;
}

static void test_prefix(void **state)
{
  struct {
    const char *s;
    size_t max, want;
  } rows[] = {
      {"abc", 10, 3},
      {"abc", 3, 3},
      {"abc", 2, 2},
      {"caf\xC3\xA9", 4, 3}, /* é is two bytes: not half of it */
      {"caf\xC3\xA9", 5, 5},
      {"\xF0\x9F\x8E\xB5x", 3, 0}, /* a four-byte note */
      {"\xF0\x9F\x8E\xB5x", 4, 4},
      {"", 0, 0},
      {"ab", 0, 0},
      {"\xE2\x80\xA6\xE2\x80\xA6", 5, 3},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    if (pd_utf8_prefix(rows[i].s, rows[i].max) != rows[i].want)
      fail_msg("row %zu: prefix %zu, want %zu", i, pd_utf8_prefix(rows[i].s, rows[i].max),
               rows[i].want);
}

static void test_copy(void **state)
{
  struct {
    const char *src;
    size_t cap;
    const char *want;
    bool cut;
  } rows[] = {
      {"Taylor Swift", 32, "Taylor Swift", false},
      {"Taylor Swift", 13, "Taylor Swift", false}, /* exactly fits with its NUL */
      {"Taylor Swift", 12, "Taylor S" E, true},
      {"Bj\xC3\xB6rk Gu\xC3\xB0mundsd\xC3\xB3ttir", 10, "Bj\xC3\xB6rk" E, true}, /* ö kept whole */
      {"Bj\xC3\xB6rk", 7, "Bj\xC3\xB6rk", false},
      {"Bj\xC3\xB6rk", 6, "Bj" E, true}, /* ö does not fit beside the mark */
      {"\xE5\xAE\x87\xE5\xA4\x9A\xE7\x94\xB0", 7, "\xE5\xAE\x87" E, true},
      {"abcdef", 4, "abc", true}, /* no room for the mark */
      {"abcdef", 1, "", true},
      {"", 1, "", false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char out[64];
    memset(out, 'X', sizeof(out));
    bool cut = pd_utf8_copy(out, rows[i].cap, rows[i].src);
    if (strcmp(out, rows[i].want) != 0 || cut != rows[i].cut)
      fail_msg("row %zu: \"%s\" (cut %d), want \"%s\"", i, out, cut, rows[i].want);
    assert_true(strlen(out) < rows[i].cap);
    assert_int_equal(out[rows[i].cap], 'X'); /* nothing written past cap */
    assert_true(valid(out));
  }
}

static void test_fmt(void **state)
{
  char out[20];
  assert_false(pd_utf8_fmt(out, sizeof(out), "%s — %s", "ab", "cd"));
  assert_string_equal(out, "ab — cd");
  /* "Ωμέγα — Ωμέγα" is 25 bytes: cut inside the second name, on a boundary. */
  char small[16];
  assert_true(pd_utf8_fmt(small, sizeof(small), "%s — %s",
                          "\xCE\xA9\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1", "x"));
  assert_string_equal(small,
                      "\xCE\xA9\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1 " E); /* not a third of the dash */
  assert_true(pd_utf8_fmt(out, sizeof(out), "%s — %s", "\xCE\xA9\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1",
                          "\xCE\xA9\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1"));
  assert_string_equal(out, "\xCE\xA9\xCE\xBC\xCE\xAD\xCE\xB3\xCE\xB1 \xE2\x80\x94 " E);
  assert_true(valid(out));
  /* Longer than any stack buffer the caller might have: still whole characters. */
  char big[2000], dst[301];
  for (size_t i = 0; i + 2 < sizeof(big); i += 2)
    memcpy(big + i, "\xC3\xBC", 2);
  big[sizeof(big) - 2] = '\0';
  assert_true(pd_utf8_fmt(dst, sizeof(dst), "Your collection: %s, %s", big, big));
  assert_true(valid(dst));
  assert_true(strlen(dst) <= 300);
  assert_int_equal(strcmp(dst + strlen(dst) - 3, E), 0);
}

static void test_clip(void **state)
{
  struct {
    const char *s;
    size_t max;
    const char *want;
    bool cut;
  } rows[] = {
      {"abcdef", 6, "abcdef", false},
      {"abcdef", 5, "abcd" E, true},
      {"abc", 2, "a" E, true},
      {"abcd", 1, E, true},
      {"\xC3\xBC\xC3\xBC\xC3\xBC", 2, "\xC3\xBC" E, true},
      {"\xC3\xBC\xC3\xBC", 2, "\xC3\xBC\xC3\xBC", false},
      {"x", 0, "", true},
      {"", 0, "", false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char buf[32];
    snprintf(buf, sizeof(buf), "%s", rows[i].s);
    bool cut = pd_utf8_clip(buf, sizeof(buf), rows[i].max);
    if (strcmp(buf, rows[i].want) != 0 || cut != rows[i].cut)
      fail_msg("row %zu: \"%s\" (cut %d), want \"%s\"", i, buf, cut, rows[i].want);
    assert_true(valid(buf));
  }
  /* A buffer with no room for the mark's three bytes is cut without it. */
  char tight[5] = "abcd";
  assert_true(pd_utf8_clip(tight, sizeof(tight), 3));
  assert_string_equal(tight, "abc");
  char b[32];
  assert_string_equal(pd_utf8_short(b, sizeof(b), "Fearless (Taylor's Version)", 10),
                      "Fearless " E);
  assert_string_equal(pd_utf8_short(b, sizeof(b), NULL, 10), "");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_prefix),
      cmocka_unit_test(test_copy),
      cmocka_unit_test(test_fmt),
      cmocka_unit_test(test_clip),
  };
  return cmocka_run_group_tests_name("test_utf8", tests, NULL, NULL);
}
