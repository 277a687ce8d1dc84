/* test_audit.c - the audit's horizon and the lines that name what it found (lib/audit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "audit.h"

#define MIN_US (60LL * 1000000)

static void test_horizon(void **state)
{
  static const struct {
    int64_t now, oldest, margin, prev, want;
  } rows[] = {
      /* Nothing open: the margin before the clock. */
      {100 * MIN_US, 0, 10 * MIN_US, PD_AUDIT_NO_HORIZON, 90 * MIN_US},
      /* A transaction open since before that: its start (its rows carry it). */
      {100 * MIN_US, 50 * MIN_US, 10 * MIN_US, PD_AUDIT_NO_HORIZON, 50 * MIN_US},
      /* One that started within the margin changes nothing. */
      {100 * MIN_US, 95 * MIN_US, 10 * MIN_US, PD_AUDIT_NO_HORIZON, 90 * MIN_US},
      /* Never before the checkpoint it starts from (a clock stepped back). */
      {100 * MIN_US, 0, 10 * MIN_US, 95 * MIN_US, 95 * MIN_US},
      {100 * MIN_US, 20 * MIN_US, 10 * MIN_US, 30 * MIN_US, 30 * MIN_US},
      /* Ahead of the checkpoint: moves on. */
      {100 * MIN_US, 0, 10 * MIN_US, 60 * MIN_US, 90 * MIN_US},
      {100 * MIN_US, 0, 0, 60 * MIN_US, 100 * MIN_US},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    int64_t got = pd_audit_horizon(rows[i].now, rows[i].oldest, rows[i].margin, rows[i].prev);
    if (got != rows[i].want)
      fail_msg("row %zu: horizon %lld, want %lld", i, (long long)got, (long long)rows[i].want);
  }
  /* The margin outlasts every bound on a write transaction (2.5 s deadline, 30 s worker
   * statements, 60 s idle in transaction). */
  assert_true(PD_AUDIT_MARGIN_US > 60 * 1000000LL);
}

static void test_describe(void **state)
{
  static const struct {
    struct pd_audit_finding f;
    const char *want;
  } rows[] = {
      {{.kind = PD_AUDIT_BALANCE,
        .id = 42,
        .who = "1000000000000000001",
        .currency = "notes",
        .balance = 120,
        .ledger = 100},
       "audit: player 42 (discord 1000000000000000001) notes: balance 120, ledger 100"},
      {{.kind = PD_AUDIT_NEGATIVE, .id = 7, .who = "9", .currency = "gems", .balance = -3},
       "audit: player 7 (discord 9) gems: balance -3 is below zero"},
      {{.kind = PD_AUDIT_SYSTEM, .who = "bank", .currency = "notes", .ledger = -5},
       "audit: game account bank notes: its rows sum to -5, below zero"},
      {{.kind = PD_AUDIT_OP,
        .id = 17,
        .kinds = "market_fee,sale",
        .currency = "discs",
        .ledger = 5},
       "audit: op 17 (market_fee,sale) discs: its rows sum to 5, not 0"},
      {{.kind = PD_AUDIT_LISTED,
        .id = 5,
        .card_id = 3,
        .print_no = 12,
        .owner = 42,
        .who = "1",
        .state = "listed",
        .count = 0},
       "audit: copy 5 (card 3 #12, player 42 (discord 1), listed) has 0 active listings by its "
       "owner"},
      {{.kind = PD_AUDIT_TRADING, .id = 5, .state = "trading", .count = 2},
       ") has 2 active offers by its owner in open trades"},
      {{.kind = PD_AUDIT_LISTING_STATE, .id = 5, .state = "free", .other = 9},
       "free) is not listed, but listing 9 is active"},
      {{.kind = PD_AUDIT_OFFER_STATE, .id = 5, .state = "gone", .other = 4},
       "gone) is not trading, but trade 4 offers it"},
      {{.kind = PD_AUDIT_DUPLICATE, .id = 5, .card_id = -2, .print_no = 1, .other = 6},
       " and copy 6 are both live copies of card -2 #1"},
      {{.kind = PD_AUDIT_CLEAN}, "audit: clean"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char out[512];
    pd_audit_describe(&rows[i].f, out, sizeof(out));
    if (strstr(out, rows[i].want) == NULL)
      fail_msg("row %zu: \"%s\" does not say \"%s\"", i, out, rows[i].want);
  }
  /* A short buffer is cut, not overrun. */
  char small[16];
  pd_audit_describe(&rows[0].f, small, sizeof(small));
  assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_horizon),
      cmocka_unit_test(test_describe),
  };
  return cmocka_run_group_tests_name("test_audit", tests, NULL, NULL);
}
