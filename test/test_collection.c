/* test_collection.c - the Previous/Next button ids of a collection listing (server/collection.c):
 * every view goes out and comes back whole, negative keys (event cards) included, and every
 * forged or out-of-range number is refused before it is used. */
#define PD_UNITTEST 1 /* see button_id, parse_button */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "collection.h"
#include "rarity.h"

static void test_ids_round_trip(void **state)
{
  struct {
    const char *viewer;
    int64_t owner, artist, era;
    const char *rarity;
    enum pd_sort sort;
    int page;
    bool back;
    int64_t k1, k2;
  } rows[] = {
      {"80351110224678912", 1, 0, 0, NULL, PD_SORT_NEWEST, 2, false, 9123, 44},
      {"9223372036854775807", INT32_MAX, 7, 12, "mythic", PD_SORT_RARITY, 3, true, 4,
       -17}, /* an event card */
      {"1", 5, 3, 0, "common", PD_SORT_ARTIST, PD_LIST_MAX_PAGE, false, INT64_MAX, INT64_MIN},
      {"700000000000000201", 42, 0, 9, "rare", PD_SORT_NEWEST, 1, true, 0, 0},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct pd_list_view v = {0}, back;
    char id[200];
    snprintf(v.viewer, sizeof(v.viewer), "%s", rows[i].viewer);
    v.q.owner = rows[i].owner;
    v.q.artist_id = rows[i].artist;
    v.q.era_id = rows[i].era;
    v.q.rarity = rows[i].rarity;
    v.q.sort = rows[i].sort;
    button_id(&v, rows[i].page, rows[i].back, rows[i].k1, rows[i].k2, id, sizeof(id));
    if (strlen(id) > 100)
      fail_msg("row %zu: %zu characters is more than a custom_id holds", i, strlen(id));
    if (!parse_button(id, &back))
      fail_msg("row %zu: %s was refused", i, id);
    assert_string_equal(back.viewer, rows[i].viewer);
    assert_int_equal(back.q.owner, rows[i].owner);
    assert_int_equal(back.q.artist_id, rows[i].artist);
    assert_int_equal(back.q.era_id, rows[i].era);
    if (rows[i].rarity == NULL)
      assert_null(back.q.rarity);
    else
      assert_string_equal(back.q.rarity, rows[i].rarity);
    assert_int_equal(back.q.sort, rows[i].sort);
    assert_int_equal(back.page, rows[i].page);
    /* Page 1 is the start, whichever way it was reached. */
    assert_int_equal(back.q.backward, rows[i].back && rows[i].page > 1);
    assert_int_equal(back.q.has_cursor, rows[i].page > 1);
    if (rows[i].page > 1) {
      assert_true(back.q.k1 == rows[i].k1);
      assert_true(back.q.k2 == rows[i].k2);
    }
  }
}

static void test_forged_ids_are_refused(void **state)
{
  static const char *const bad[] = {
      "mycards:1:1:0:0:-:n:zik0zj:n:0:0",          /* page INT_MAX: page + 1 would overflow */
      "mycards:1:1:0:0:-:n:lflt:n:0:0",            /* page 1,000,001 */
      "mycards:1:1:0:0:-:n:0:n:0:0",               /* page 0 */
      "mycards:zzzzzzzzzzzzzzz:1:0:0:-:n:2:n:0:0", /* viewer past 64 bits */
      "mycards:3w5e11264sgsf:1:0:0:-:n:2:n:0:0",   /* viewer 2^64 - 1: not a Discord id */
      "mycards:1:0:0:0:-:n:2:n:0:0",               /* owner 0 */
      "mycards:1:3w5e11264sgsf:0:0:-:n:2:n:0:0",   /* owner past 2^63 */
      "mycards:1:1:3w5e11264sgsf:0:-:n:2:n:0:0",   /* artist past 2^63 */
      "mycards:1:1:0:3w5e11264sgsf:-:n:2:n:0:0",   /* era past 2^63 */
      "mycards:1:1:0:0:-:n:2:n:zzzzzzzzzzzzzzz:0", /* key past 64 bits */
      "mycards:1:1:0:0:x:n:2:n:0:0",               /* no such rarity */
      "mycards:1:1:0:0:-:q:2:n:0:0",               /* no such sort */
      "mycards:1:1:0:0:-:n:2:x:0:0",               /* no such direction */
      "mycards:1:1:0:0:-:n:2:n:0:0:extra",         /* trailing fields */
      "mycards:1:1:0:0:-:n:2:n:0",                 /* missing field */
      "mycards:1:1:0:0:-:n:2:n:0:0 ",              /* trailing space */
      "mycards:1:1:0:0:-:n:12345678:n:0:0",        /* page wider than seven digits */
      "mycards:-1:1:0:0:-:n:2:n:0:0",              /* signs are not digits */
      "mycards:1:1:0:0:-:n:2:n:-5:0",
      "pick:1:1",
      "",
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    struct pd_list_view v;
    if (parse_button(bad[i], &v))
      fail_msg("\"%s\" was accepted (page %d)", bad[i], v.page);
  }
}

/* The wire text itself: buttons already sent must still parse after an upgrade, so the
 * encoding is pinned field by field (base 36, negatives as their 64-bit pattern). */
static void test_encoding_is_pinned(void **state)
{
  struct pd_list_view v = {0};
  char id[200];
  snprintf(v.viewer, sizeof(v.viewer), "%s", "80351110224678912");
  v.q.owner = 36;
  v.q.artist_id = 35;
  v.q.era_id = 0;
  v.q.rarity = "legendary";
  v.q.sort = PD_SORT_ARTIST;
  button_id(&v, 37, true, -1, 1295, id, sizeof(id));
  assert_string_equal(id, "mycards:lz63ag7l4ao:10:z:0:l:a:11:p:3w5e11264sgsf:zz");
  v.q.rarity = NULL;
  v.q.sort = PD_SORT_NEWEST;
  button_id(&v, 1, false, 0, 0, id, sizeof(id));
  assert_string_equal(id, "mycards:lz63ag7l4ao:10:z:0:-:n:1:n:0:0");
}

/* Every rarity and every sort goes out and comes back as itself. */
static void test_every_rarity_and_sort_round_trips(void **state)
{
  for (int r = -1; r < PD_RARITY_COUNT; r++) {
    for (int so = 0; so < PD_SORT_COUNT; so++) {
      struct pd_list_view v = {0}, back;
      char id[200];
      snprintf(v.viewer, sizeof(v.viewer), "%s", "700000000000000201");
      v.q.owner = 3;
      v.q.rarity = r < 0 ? NULL : pd_rarity_name((enum pd_rarity)r);
      v.q.sort = (enum pd_sort)so;
      button_id(&v, 2, false, 5, 6, id, sizeof(id));
      if (!parse_button(id, &back))
        fail_msg("%s was refused", id);
      if (r < 0)
        assert_null(back.q.rarity);
      else
        assert_string_equal(back.q.rarity, pd_rarity_name((enum pd_rarity)r));
      assert_int_equal(back.q.sort, so);
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ids_round_trip),
      cmocka_unit_test(test_forged_ids_are_refused),
      cmocka_unit_test(test_encoding_is_pinned),
      cmocka_unit_test(test_every_rarity_and_sort_round_trips),
  };
  return cmocka_run_group_tests_name("test_collection", tests, NULL, NULL);
}
