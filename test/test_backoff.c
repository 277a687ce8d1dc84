/* test_backoff.c - retry arithmetic for follow-ups (lib/backoff.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backoff.h"

static void test_backoff_bounds(void **state)
{
  struct {
    unsigned attempt;
    uint32_t rnd;
    int64_t want;
  } rows[] = {
    {0, 0, 250},           {0, UINT32_MAX, 500},   {1, 0, 500},          {1, UINT32_MAX, 1000},
    {2, 0, 1000},          {3, UINT32_MAX, 4000},  {7, 0, 30000},        {7, UINT32_MAX, 60000},
    {20, 0, 30000},        {20, UINT32_MAX, 60000}, {1000, UINT32_MAX, 60000},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    int64_t got = pd_backoff_ms(rows[i].attempt, 500, 60000, rows[i].rnd);
    if (got != rows[i].want)
      fail_msg("attempt %u rnd %u: got %lld, want %lld", rows[i].attempt, rows[i].rnd, (long long)got,
               (long long)rows[i].want);
  }
  for (unsigned a = 0; a < 30; a++) {
    int64_t lo = pd_backoff_ms(a, 500, 60000, 0), hi = pd_backoff_ms(a, 500, 60000, UINT32_MAX);
    int64_t mid = pd_backoff_ms(a, 500, 60000, UINT32_MAX / 2);
    assert_true(lo <= mid && mid <= hi && hi <= 60000 && lo >= 250);
  }
}

static void test_rate_limit_precedence(void **state)
{
  assert_int_equal(pd_backoff_rate_limit_ms(0.25, "3.5", "9"), 250);
  assert_int_equal(pd_backoff_rate_limit_ms(-1, "3.5", "9"), 3500);
  assert_int_equal(pd_backoff_rate_limit_ms(-1, NULL, "9"), 9000);
  assert_int_equal(pd_backoff_rate_limit_ms(-1, "soon", "9"), 9000);
  assert_int_equal(pd_backoff_rate_limit_ms(-1, "1.5x", NULL), 1000);
  assert_int_equal(pd_backoff_rate_limit_ms(-1, NULL, NULL), 1000);
  assert_int_equal(pd_backoff_rate_limit_ms(0.0001, NULL, NULL), 1);
  assert_int_equal(pd_backoff_rate_limit_ms(0, NULL, NULL), 1);
  assert_int_equal(pd_backoff_rate_limit_ms(1e9, NULL, NULL), 15 * 60 * 1000);
  assert_int_equal(pd_backoff_rate_limit_ms(-1, "-2", "4"), 4000);
}

static void test_verdicts(void **state)
{
  struct {
    long status;
    enum pd_send_verdict want;
  } rows[] = {
    {0, PD_SEND_RETRY},       {200, PD_SEND_DONE},      {204, PD_SEND_DONE},      {301, PD_SEND_GIVE_UP},
    {400, PD_SEND_GIVE_UP},   {401, PD_SEND_GIVE_UP},   {403, PD_SEND_GIVE_UP},   {404, PD_SEND_GIVE_UP},
    {429, PD_SEND_RATE_LIMIT}, {500, PD_SEND_RETRY},    {502, PD_SEND_RETRY},     {503, PD_SEND_RETRY},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
    if (pd_backoff_verdict(rows[i].status) != rows[i].want)
      fail_msg("status %ld: wrong verdict", rows[i].status);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_backoff_bounds),
    cmocka_unit_test(test_rate_limit_precedence),
    cmocka_unit_test(test_verdicts),
  };
  return cmocka_run_group_tests_name("test_backoff", tests, NULL, NULL);
}
