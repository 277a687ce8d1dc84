/* test_backoff.c - retry arithmetic for follow-ups (lib/backoff.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "backoff.h"
#include "pd.h"

#define BASE 500
#define MAX 60000

/* With rnd 0 the wait is half the cap, with UINT32_MAX the whole cap; the cap doubles from BASE
 * and stops at MAX. */
static void test_backoff_exact_bounds(void **state)
{
  static const int64_t cap[21] = {500,   1000,  2000,  4000,  8000,  16000, 32000,
                                  60000, 60000, 60000, 60000, 60000, 60000, 60000,
                                  60000, 60000, 60000, 60000, 60000, 60000, 60000};
  for (unsigned a = 0; a <= 20; a++) {
    int64_t lo = pd_backoff_ms(a, BASE, MAX, 0), hi = pd_backoff_ms(a, BASE, MAX, UINT32_MAX);
    if (lo != cap[a] / 2 || hi != cap[a])
      fail_msg("attempt %u: [%lld, %lld], want [%lld, %lld]", a, (long long)lo, (long long)hi,
               (long long)(cap[a] / 2), (long long)cap[a]);
  }
}

static void test_backoff_other_shapes(void **state)
{
  struct {
    unsigned attempt;
    int64_t base, max;
    uint32_t rnd;
    int64_t want;
  } rows[] = {
      {0, 500, 60000, 1u << 31, 375},        /* half-way: 250 + 251/2 */
      {1000, 500, 60000, UINT32_MAX, 60000}, /* far past the cap */
      {UINT32_MAX, 500, 60000, 0, 30000},
      {2, 300, 1000, 0, 500}, /* 1200 capped to 1000 */
      {2, 300, 1000, UINT32_MAX, 1000},
      {1, 300, 1000, UINT32_MAX, 600},
      {0, 3, 7, 0, 1}, /* odd caps round the half down */
      {2, 3, 7, UINT32_MAX, 7},
      {2, 3, 7, 0, 3},
      {0, 100000, 60000, 0, 30000}, /* a base above the cap is capped */
      {0, 100000, 60000, UINT32_MAX, 60000},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    int64_t got = pd_backoff_ms(rows[i].attempt, rows[i].base, rows[i].max, rows[i].rnd);
    if (got != rows[i].want)
      fail_msg("row %zu: got %lld, want %lld", i, (long long)got, (long long)rows[i].want);
  }
}

/* Over many draws: inside [cap/2, cap], never above max, and the bounds never shrink. */
static void test_backoff_monotone_and_bounded(void **state)
{
  int64_t prev_lo = 0, prev_hi = 0;
  uint32_t x = 12345;
  for (unsigned a = 0; a < 40; a++) {
    int64_t lo = pd_backoff_ms(a, BASE, MAX, 0), hi = pd_backoff_ms(a, BASE, MAX, UINT32_MAX);
    if (lo < prev_lo || hi < prev_hi)
      fail_msg("attempt %u: bounds [%lld, %lld] shrank from [%lld, %lld]", a, (long long)lo,
               (long long)hi, (long long)prev_lo, (long long)prev_hi);
    if (hi > MAX || lo < BASE / 2)
      fail_msg("attempt %u: bounds [%lld, %lld] outside [%d, %d]", a, (long long)lo, (long long)hi,
               BASE / 2, MAX);
    for (int k = 0; k < 200; k++) {
      x = x * 1664525u + 1013904223u;
      int64_t v = pd_backoff_ms(a, BASE, MAX, x);
      if (v < lo || v > hi)
        fail_msg("attempt %u rnd %u: %lld outside [%lld, %lld]", a, x, (long long)v, (long long)lo,
                 (long long)hi);
    }
    prev_lo = lo, prev_hi = hi;
  }
}

static void test_rate_limit_ms(void **state)
{
  struct {
    const char *what;
    double body;
    const char *reset_after, *retry_after;
    int64_t want;
  } rows[] = {
      {"body first", 0.25, "3.5", "9", 250},
      {"Reset-After next", -1, "3.5", "9", 3500},
      {"Retry-After last", -1, NULL, "9", 9000},
      {"nothing readable", -1, NULL, NULL, 1000},
      {"NaN body ignored", NAN, "2", "9", 2000},
      {"negative body ignored", -0.5, NULL, "4", 4000},
      {"garbage Reset-After ignored", -1, "soon", "9", 9000},
      {"trailing garbage ignored", -1, "1.5x", NULL, 1000},
      {"empty header ignored", -1, "", "2", 2000},
      {"negative header ignored", -1, "-2", "4", 4000},
      {"both headers garbage", -1, "later", "Wed, 21 Oct 2026 07:28:00 GMT", 1000},
      {"trailing spaces allowed", -1, "1.5  ", NULL, 1500},
      {"rounds up to 1 ms", 0.0001, NULL, NULL, 1},
      {"zero is 1 ms", 0, NULL, NULL, 1},
      {"rounds up, never down", 1.0001, NULL, NULL, 1001},
      {"header rounds up", -1, "1.2341", NULL, 1235},
      {"header zero is 1 ms", -1, "0", NULL, 1},
      {"exactly 15 minutes", 900, NULL, NULL, 900000},
      {"body clamped to 15 minutes", 1e9, NULL, NULL, 900000},
      {"Reset-After clamped", -1, "100000", NULL, 900000},
      {"Retry-After clamped", -1, NULL, "3600", 900000},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    int64_t got = pd_backoff_rate_limit_ms(rows[i].body, rows[i].reset_after, rows[i].retry_after);
    if (got != rows[i].want)
      fail_msg("%s: got %lld, want %lld", rows[i].what, (long long)got, (long long)rows[i].want);
  }
}

static void test_verdicts(void **state)
{
  struct {
    long status;
    enum pd_send_verdict want;
  } rows[] = {
      {0, PD_SEND_RETRY},     {200, PD_SEND_DONE},    {204, PD_SEND_DONE},
      {299, PD_SEND_DONE},    {300, PD_SEND_GIVE_UP}, {301, PD_SEND_GIVE_UP},
      {400, PD_SEND_GIVE_UP}, {401, PD_SEND_GIVE_UP}, {403, PD_SEND_GIVE_UP},
      {404, PD_SEND_GIVE_UP}, {428, PD_SEND_GIVE_UP}, {429, PD_SEND_RATE_LIMIT},
      {430, PD_SEND_GIVE_UP}, {499, PD_SEND_GIVE_UP}, {500, PD_SEND_RETRY},
      {502, PD_SEND_RETRY},   {503, PD_SEND_RETRY},   {599, PD_SEND_RETRY},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    enum pd_send_verdict got = pd_backoff_verdict(rows[i].status);
    if (got != rows[i].want)
      fail_msg("status %ld: verdict %d, want %d", rows[i].status, got, rows[i].want);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_backoff_exact_bounds),
      cmocka_unit_test(test_backoff_other_shapes),
      cmocka_unit_test(test_backoff_monotone_and_bounded),
      cmocka_unit_test(test_rate_limit_ms),
      cmocka_unit_test(test_verdicts),
  };
  return cmocka_run_group_tests_name("test_backoff", tests, NULL, NULL);
}
