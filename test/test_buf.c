/* test_buf.c - lib/buf.c: appends fill a buffer up to its cap exactly and no further, a refused
 * append (plain or printf) leaves the contents as they were, the contents stay NUL-terminated,
 * and the UTF-8 cut never leaves half a character. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pd.h"

/* The buffer holds exactly want (len and bytes) and a NUL right after it. */
static void expect_holds(const struct pd_buf *b, const char *want, size_t row)
{
  size_t n = strlen(want);
  if (b->len != n)
    fail_msg("row %zu: len %zu, want %zu", row, b->len, n);
  if (memcmp(pd_buf_str(b), want, n) != 0 || pd_buf_str(b)[n] != '\0')
    fail_msg("row %zu: holds \"%s\", want \"%s\"", row, pd_buf_str(b), want);
  if (b->p != NULL && b->alloc > b->max + 1)
    fail_msg("row %zu: allocated %zu past the cap %zu", row, b->alloc, b->max);
}

static void test_add(void **state)
{
  /* Each row: a cap, then pieces appended in order, each with the result it must get, and
   * what the buffer must hold afterwards. */
  struct {
    size_t max;
    const char *pieces[4];
    enum pd_result rcs[4];
    const char *want;
  } rows[] = {
      {8, {"abcd", "efgh"}, {PD_OK, PD_OK}, "abcdefgh"},    /* exactly the cap */
      {8, {"abcd", "efghi"}, {PD_OK, PD_E_TOOBIG}, "abcd"}, /* one past: refused whole */
      {8, {"abcdefgh", "x", ""}, {PD_OK, PD_E_TOOBIG, PD_OK}, "abcdefgh"}, /* full: only "" fits */
      {8, {"abcdefghi"}, {PD_E_TOOBIG}, ""},
      {8,
       {"ab", "toolongpiece", "cd"},
       {PD_OK, PD_E_TOOBIG, PD_OK},
       "abcd"}, /* usable after a refusal */
      {0, {"", "a"}, {PD_OK, PD_E_TOOBIG}, ""},
      {1, {"a", "b"}, {PD_OK, PD_E_TOOBIG}, "a"},
      {1, {"ab"}, {PD_E_TOOBIG}, ""},
      {100, {"x"}, {PD_OK}, "x"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct pd_buf b;
    pd_buf_init(&b, rows[i].max);
    for (size_t k = 0; k < 4 && rows[i].pieces[k] != NULL; k++) {
      enum pd_result rc = pd_buf_add(&b, rows[i].pieces[k], strlen(rows[i].pieces[k]));
      if (rc != rows[i].rcs[k])
        fail_msg("row %zu piece %zu: %s, want %s", i, k, pd_result_str(rc),
                 pd_result_str(rows[i].rcs[k]));
    }
    expect_holds(&b, rows[i].want, i);
    pd_buf_free(&b);
  }
}

static void test_addf(void **state)
{
  struct pd_buf b;
  pd_buf_init(&b, 10);
  assert_int_equal(pd_buf_addf(&b, "%d-%s", 42, "ab"), PD_OK);
  expect_holds(&b, "42-ab", 0);
  assert_int_equal(pd_buf_addf(&b, "%s", "abcdef"), PD_E_TOOBIG); /* 11 bytes: one past */
  expect_holds(&b, "42-ab", 1);
  assert_int_equal(pd_buf_addf(&b, "%05d", 7), PD_OK); /* exactly the cap */
  expect_holds(&b, "42-ab00007", 2);
  assert_int_equal(pd_buf_addf(&b, "%s", ""), PD_OK);
  assert_int_equal(pd_buf_addf(&b, "x"), PD_E_TOOBIG);
  expect_holds(&b, "42-ab00007", 3);
  pd_buf_free(&b);

  pd_buf_init(&b, 0);
  assert_int_equal(pd_buf_addf(&b, "%s", ""), PD_OK);
  assert_int_equal(pd_buf_addf(&b, "%c", 'z'), PD_E_TOOBIG);
  expect_holds(&b, "", 4);
  pd_buf_free(&b);
}

/* Many one-byte appends grow the buffer step by step; every byte lands, in order, and the
 * allocation stays within the cap. */
static void test_growth(void **state)
{
  size_t caps[] = {1, 63, 64, 65, 1000, 65536};
  for (size_t i = 0; i < PD_ARRAY_LEN(caps); i++) {
    struct pd_buf b;
    pd_buf_init(&b, caps[i]);
    for (size_t k = 0; k < caps[i]; k++) {
      char c = (char)('a' + k % 26);
      if (pd_buf_add(&b, &c, 1) != PD_OK)
        fail_msg("cap %zu: byte %zu refused", caps[i], k);
      if (b.p[b.len] != '\0')
        fail_msg("cap %zu: not NUL-terminated after %zu bytes", caps[i], k + 1);
    }
    assert_int_equal(pd_buf_add(&b, "x", 1), PD_E_TOOBIG);
    assert_int_equal(b.len, caps[i]);
    assert_true(b.alloc <= caps[i] + 1);
    for (size_t k = 0; k < caps[i]; k++)
      if (b.p[k] != (char)('a' + k % 26))
        fail_msg("cap %zu: byte %zu is %c", caps[i], k, b.p[k]);
    pd_buf_free(&b);
  }
}

static void test_take_reset_free(void **state)
{
  struct pd_buf b;
  pd_buf_init(&b, 16);
  size_t len = 99;
  assert_null(pd_buf_take(&b, &len)); /* nothing added: nothing to hand over */
  assert_int_equal(len, 0);
  assert_string_equal(pd_buf_str(&b), "");

  assert_int_equal(pd_buf_add(&b, "hello", 5), PD_OK);
  char *p = pd_buf_take(&b, &len);
  assert_non_null(p);
  assert_int_equal(len, 5);
  assert_string_equal(p, "hello");
  free(p);
  expect_holds(&b, "", 0); /* empty afterwards, the cap kept */
  assert_int_equal(b.max, 16);
  assert_int_equal(pd_buf_add(&b, "0123456789abcdef", 16), PD_OK);
  assert_int_equal(pd_buf_add(&b, "!", 1), PD_E_TOOBIG);

  pd_buf_reset(&b);
  expect_holds(&b, "", 1);
  assert_int_equal(pd_buf_add(&b, "again", 5), PD_OK);
  expect_holds(&b, "again", 2);
  p = pd_buf_take(&b, NULL);
  assert_string_equal(p, "again");
  free(p);

  assert_int_equal(pd_buf_add(&b, "x", 1), PD_OK);
  pd_buf_free(&b);
  expect_holds(&b, "", 3);
  pd_buf_free(&b); /* twice is harmless */
  pd_buf_free(NULL);
}

#define E3 "\xE2\x82\xAC"     /* € */
#define E4 "\xF0\x9F\x8E\xB5" /* a four-byte note */

static void test_cut_utf8(void **state)
{
  struct {
    const char *s;
    size_t max;
    const char *want;
    bool cut;
  } rows[] = {
      {"abcdef", 10, "abcdef", false},
      {"abcdef", 6, "abcdef", false},
      {"abcdef", 3, "abc", true},
      {"ab" E3, 5, "ab" E3, false},
      {"ab" E3, 4, "ab", true}, /* never the first two bytes of € */
      {"ab" E3, 3, "ab", true},
      {"ab" E3 "c", 5, "ab" E3, true},
      {E4 E4, 7, E4, true},
      {E4, 3, "", true},
      {"caf\xC3\xA9", 4, "caf", true},
      {"abc", 0, "", true},
      {"", 0, "", false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct pd_buf b;
    pd_buf_init(&b, 64);
    assert_int_equal(pd_buf_add(&b, rows[i].s, strlen(rows[i].s)), PD_OK);
    bool cut = pd_buf_cut_utf8(&b, rows[i].max);
    if (cut != rows[i].cut)
      fail_msg("row %zu: cut %d, want %d", i, cut, rows[i].cut);
    expect_holds(&b, rows[i].want, i);
    pd_buf_free(&b);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_add),      cmocka_unit_test(test_addf),
      cmocka_unit_test(test_growth),   cmocka_unit_test(test_take_reset_free),
      cmocka_unit_test(test_cut_utf8),
  };
  return cmocka_run_group_tests_name("test_buf", tests, NULL, NULL);
}
