/* test_copyref.c - PUBLIC_ID/PRINT as players type it and as autocomplete writes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "copyref.h"

static void test_parse_accepts(void **state)
{
  static const struct {
    const char *in, *id;
    int64_t print;
  } rows[] = {
      {"TAYL_19#03/12", "TAYL_19#03", 12},     {"  tayl_19#03/12 ", "TAYL_19#03", 12},
      {"TAYL_19#03/#7", "TAYL_19#03", 7},      {"TAYL_19#03/007", "TAYL_19#03", 7},
      {"SUMMER-FEST-1/3", "SUMMER-FEST-1", 3},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    struct pd_copyref r;
    assert_int_equal(pd_copyref_parse(rows[i].in, &r), PD_OK);
    assert_string_equal(r.public_id, rows[i].id);
    assert_int_equal(r.print_no, rows[i].print);
  }
}

static void test_parse_refuses(void **state)
{
  static const char *bad[] = {NULL,
                              "",
                              "TAYL_19#03",
                              "/12",
                              "TAYL_19#03/",
                              "TAYL_19#03/0",
                              "TAYL_19#03/-1",
                              "TAYL_19#03/1/2",
                              "TAYL 19/3",
                              "TAYL_19#03/1x",
                              "TAYL_19#03/9999999999999",
                              "TAYL_19#03_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/1",
                              "é/1"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct pd_copyref r;
    if (pd_copyref_parse(bad[i], &r) != PD_E_INVALID)
      fail_msg("\"%s\" was accepted", bad[i] != NULL ? bad[i] : "(null)");
  }
}

static void test_format_round_trips(void **state)
{
  char out[PD_COPYREF_SIZE];
  struct pd_copyref r;
  pd_copyref_format("TAYL_19#03", 3, out);
  assert_string_equal(out, "TAYL_19#03/03");
  pd_copyref_format("TAYL_19#03", 1234, out);
  assert_string_equal(out, "TAYL_19#03/1234");
  assert_int_equal(pd_copyref_parse(out, &r), PD_OK);
  assert_int_equal(r.print_no, 1234);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_accepts),
      cmocka_unit_test(test_parse_refuses),
      cmocka_unit_test(test_format_round_trips),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
