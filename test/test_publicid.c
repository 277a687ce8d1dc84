/* test_publicid.c - public ids: codes from real artist names, strict parsing, collisions. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "publicid.h"

static void test_make(void **state)
{
  (void)state;
  static const struct {
    const char *artist, *era;
    int n;
    const char *want;
  } rows[] = {
      {"Taylor Swift", "1989", 3, "TAYL_19#03"},
      {"Taylor Swift", "Midnights", 1, "TAYL_MI#01"},
      {"Beyonc\xc3\xa9", "Lemonade", 12, "BEYO_LE#12"},
      {"M\xc3\xa5neskin", "Teatro d'ira: Vol. I", 7, "MANE_TE#07"},
      {"BTS", "Map of the Soul: 7", 99, "BTSX_MA#99"},
      {"(G)I-DLE", "I feel", 1, "GIDL_IF#01"},
      {"Ed Sheeran", "\xc3\xb7", 2, "EDSH_XX#02"}, /* ÷ */
      {"Ed Sheeran", "\xc3\x97", 2, "EDSH_XX#02"}, /* × */
      {"P!nk", "Beautiful Trauma", 5, "PNKX_BE#05"},
      {"IU", "Palette", 1, "IUXX_PA#01"},
      {"!!!", "Thr!!!er", 1, "XXXX_TH#01"},              /* the band named !!! */
      {"\xe2\x98\x85\xe2\x98\x85", "", 1, "XXXX_XX#01"}, /* ★★ */
      {"", "", 1, "XXXX_XX#01"},
      {"   ", " - ", 1, "XXXX_XX#01"},
      {"Sigur R\xc3\xb3s", "\xc3\x81g\xc3\xa6tis byrjun", 1, "SIGU_AG#01"},
      {"M\xc3\xb8", "No Mythologies to Follow", 1, "MOXX_NO#01"},
      {"\xc3\x93lafur Arnalds", "re:member", 1, "OLAF_RE#01"},
      {"\xc3\x86sop Rock", "Spirit World Field Guide", 1, "AESO_SP#01"},
      {"Die \xc3\x84rzte", "Dunkel", 1, "DIEA_DU#01"},
      {"Fu\xc3\x9f"
       "ball",
       "\xc3\x9f", 1, "FUSS_SS#01"}, /* ß -> SS */
      {"\xc5\x92uvre",
       "\xc3\x9e"
       "or",
       1, "OEUV_TH#01"}, /* Œ, Þ */
      {"\xc4\xb2sbrand",
       "\xc5\x81\xc3\xb3"
       "d\xc5\xba",
       1, "IJSB_LO#01"},                                             /* Ĳ, Łódź */
      {"S\xc6\xa1n T\xc3\xb9ng M-TP", "Sky Tour", 1, "SONT_SK#01"},  /* ơ, ù */
      {"M\xe1\xbb\xb9 T\xc3\xa2m", "T\xc3\xa2m 9", 1, "MYTA_TA#01"}, /* ỹ, â */
      {"\xc8\x98tefan B\xc4\x83nic\xc4\x83", "", 1, "STEF_XX#01"},   /* Ș, ă */
      {"BLACKPINK", "BORN PINK", 1, "BLAC_BO#01"},
      {"twice", "fancy you", 1, "TWIC_FA#01"},
      {"5 Seconds of Summer", "5SOS", 1, "5SEC_5S#01"},
      {"2NE1", "Crush", 1, "2NE1_CR#01"},
      {"A$AP Rocky", "Testing", 1, "AAPR_TE#01"},
      {"will.i.am", "#willpower", 1, "WILL_WI#01"},
      {"C\xc3\xa9line Dion", "D'eux", 1, "CELI_DE#01"},
      {"\xeb\xb0\xa9\xed\x83\x84\xec\x86\x8c\xeb\x85\x84\xeb\x8b\xa8", "Wings", 1,
       "XXXX_WI#01"}, /* Hangul: not Latin, skipped */
      {"\xd0\x97\xd0\xb5\xd0\xbc\xd1\x84\xd0\xb8\xd1\x80\xd0\xb0", "1", 1,
       "XXXX_1X#01"}, /* Cyrillic: skipped */
      {"Kenshi \xe7\xb1\xb3\xe6\xb4\xa5 Yonezu", "Lemon", 1, "KENS_LE#01"},
      /* malformed UTF-8 is skipped byte by byte, never read past the end */
      {"\xff\xfe"
       "AB\xc3",
       "\xe9t\xe9", 1, "ABXX_TX#01"},
      {"\xc0\xaf"
       "Z",
       "\xed\xa0\x80"
       "Q",
       1, "ZXXX_QX#01"}, /* overlong '/', a surrogate */
      {"\xf4\x90\x80\x80"
       "K",
       "\xe2\x82", 1, "KXXX_XX#01"}, /* above U+10FFFF, truncated */
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char out[PD_PUBLICID_SIZE];
    memset(out, '?', sizeof(out));
    enum pd_result rc = pd_publicid_make(rows[i].artist, rows[i].era, rows[i].n, out);
    if (rc != PD_OK || strcmp(out, rows[i].want) != 0)
      fail_msg("row %zu: got %d \"%s\", want \"%s\"", i, rc, rc == PD_OK ? out : "", rows[i].want);
    assert_true(pd_publicid_valid(out));
    struct pd_publicid id;
    assert_int_equal(pd_publicid_parse(out, &id), PD_OK);
    assert_int_equal(id.n, rows[i].n);
    assert_memory_equal(id.art, rows[i].want, 4);
    assert_memory_equal(id.era, rows[i].want + 5, 2);
  }
}

static void test_make_rejects(void **state)
{
  (void)state;
  char out[PD_PUBLICID_SIZE] = "untouched";
  static const int bad_n[] = {0, -1, 100, 1000};
  for (size_t i = 0; i < PD_ARRAY_LEN(bad_n); i++)
    assert_int_equal(pd_publicid_make("Taylor Swift", "1989", bad_n[i], out), PD_E_INVALID);
  assert_int_equal(pd_publicid_make(NULL, "1989", 1, out), PD_E_INVALID);
  assert_int_equal(pd_publicid_make("Taylor Swift", NULL, 1, out), PD_E_INVALID);
  assert_string_equal(out, "untouched");

  static const struct pd_publicid bad_ids[] = {
      {"tayl", "19", 1}, {"TAY", "19", 1}, {"TAYL", "1", 1}, {"TAYL", "1_", 1}, {"TA-L", "19", 1},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(bad_ids); i++)
    assert_int_equal(pd_publicid_format(&bad_ids[i], out), PD_E_INVALID);
  assert_int_equal(pd_publicid_format(NULL, out), PD_E_INVALID);
  assert_int_equal(pd_publicid_codes("a", "b", NULL), PD_E_INVALID);
}

static void test_valid_and_parse(void **state)
{
  (void)state;
  static const struct {
    const char *s;
    bool valid;
  } rows[] = {
      {"TAYL_19#03", true},         {"2NE1_XX#99", true},    {"XXXX_XX#01", true},
      {"0000_00#10", true},         {"TAYL_19#00", false},   {"tayl_19#03", false},
      {"TAYL_19#3", false},         {"TAYL_19#003", false},  {"TAYL-19#03", false},
      {"TAYL_19-03", false},        {"TAY_19#03", false},    {"TAYLO_19#03", false},
      {"TAYL_1#03", false},         {"TAYL_19#03\n", false}, {" TAYL_19#03", false},
      {"TAYL_19#0A", false},        {"TAYL_19#", false},     {"", false},
      {"T\xc3\x84YL_19#03", false}, {"TAYL_1a#03", false},   {"TAYL_19##3", false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    if (pd_publicid_valid(rows[i].s) != rows[i].valid)
      fail_msg("\"%s\": valid should be %d", rows[i].s, rows[i].valid);
    struct pd_publicid id = {"keep", "me", 42};
    enum pd_result rc = pd_publicid_parse(rows[i].s, &id);
    assert_int_equal(rc, rows[i].valid ? PD_OK : PD_E_INVALID);
    if (!rows[i].valid) {
      assert_string_equal(id.art, "keep");
      assert_int_equal(id.n, 42);
      continue;
    }
    char again[PD_PUBLICID_SIZE];
    assert_int_equal(pd_publicid_format(&id, again), PD_OK);
    assert_string_equal(again, rows[i].s);
  }
  assert_false(pd_publicid_valid(NULL));
  struct pd_publicid id;
  assert_int_equal(pd_publicid_parse(NULL, &id), PD_E_INVALID);
  assert_int_equal(pd_publicid_parse("TAYL_19#03", NULL), PD_E_INVALID);
}

static void test_next_in(void **state)
{
  (void)state;
  static const char *const gaps[] = {"TAYL_19#01", "TAYL_19#02", "TAYL_19#04", "TAYX_19#03",
                                     "TAYL_MI#03", "bogus",      "TAYL_19#00"};
  static const struct {
    const char *era;
    size_t ntaken;
    const char *want;
  } rows[] = {
      {"19", 0, "TAYL_19#01"}, /* nothing taken */
      {"19", 2, "TAYL_19#03"}, /* next number */
      {"19", 3, "TAYL_19#03"}, /* lowest free: a gap is filled */
      {"19", 7, "TAYL_19#03"}, /* other artists, other eras and junk are ignored */
      {"MI", 7, "TAYL_MI#01"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct pd_publicid prefix = {"TAYL", "", 0};
    memcpy(prefix.era, rows[i].era, 3);
    char out[PD_PUBLICID_SIZE];
    assert_int_equal(pd_publicid_next_in(&prefix, gaps, rows[i].ntaken, out), PD_OK);
    assert_string_equal(out, rows[i].want);
  }
}

/* Fills every NN of the listed era codes and checks where the next id lands. */
static void test_fallback_era_codes(void **state)
{
  (void)state;
  static const struct {
    const char *era;
    const char *full[3]; /* era codes whose 99 numbers are all taken */
    int partial;         /* and this many of the next one */
    const char *want;
  } rows[] = {
      {"19", {"19"}, 0, "TAYL_10#01"},        {"MI", {"MI"}, 0, "TAYL_M0#01"},
      {"MI", {"MI", "M0"}, 50, "TAYL_M1#51"}, {"M0", {"M0"}, 0, "TAYL_M1#01"},
      {"MZ", {"MZ", "M0"}, 0, "TAYL_M1#01"},  {"XX", {"XX"}, 0, "TAYL_X0#01"},
      {"ZZ", {"ZZ"}, 0, "TAYL_Z0#01"},
  };
  static char ids[4 * 99][PD_PUBLICID_SIZE];
  static const char *list[4 * 99];
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    size_t n = 0;
    const char *next_code = NULL;
    for (size_t f = 0; f < 3 && rows[i].full[f] != NULL; f++) {
      struct pd_publicid id = {"TAYL", "", 0};
      memcpy(id.era, rows[i].full[f], 3);
      for (id.n = 1; id.n <= 99; id.n++, n++) {
        assert_int_equal(pd_publicid_format(&id, ids[n]), PD_OK);
        list[n] = ids[n];
      }
    }
    if (rows[i].partial > 0) {
      next_code = rows[i].want + 5;
      struct pd_publicid id = {"TAYL", {next_code[0], next_code[1], '\0'}, 0};
      for (id.n = 1; id.n <= rows[i].partial; id.n++, n++) {
        assert_int_equal(pd_publicid_format(&id, ids[n]), PD_OK);
        list[n] = ids[n];
      }
    }
    struct pd_publicid prefix = {"TAYL", "", 0};
    memcpy(prefix.era, rows[i].era, 3);
    char out[PD_PUBLICID_SIZE];
    assert_int_equal(pd_publicid_next_in(&prefix, list, n, out), PD_OK);
    if (strcmp(out, rows[i].want) != 0)
      fail_msg("row %zu: got %s, want %s", i, out, rows[i].want);
  }
}

/* The callback form against a caller's set of ids, recording what it is asked. */
#define ALL_IDS (36 * 36 * 99)

static const char digits36[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

struct seen {
  unsigned char *asked; /* per id: how often taken() was asked */
  unsigned char *used;  /* per id: in use */
  long *order;          /* the ids in the order they were asked */
  long calls;
  bool all_taken;
};

static long id_index(const char *s)
{
  struct pd_publicid id;
  assert_int_equal(pd_publicid_parse(s, &id), PD_OK);
  assert_string_equal(id.art, "BTSX");
  long f = strchr(digits36, id.era[0]) - digits36, c = strchr(digits36, id.era[1]) - digits36;
  return (f * 36 + c) * 99 + (id.n - 1);
}

static void id_of(long i, char out[PD_PUBLICID_SIZE])
{
  struct pd_publicid id = {
      "BTSX", {digits36[i / 99 / 36], digits36[i / 99 % 36], '\0'}, (int)(i % 99) + 1};
  assert_int_equal(pd_publicid_format(&id, out), PD_OK);
}

static bool seen_taken(void *arg, const char *s)
{
  struct seen *st = arg;
  long i = id_index(s);
  if (st->calls < ALL_IDS)
    st->order[st->calls] = i;
  st->calls++;
  st->asked[i]++;
  return st->all_taken || st->used[i];
}

static uint64_t next_rand(uint64_t *state)
{
  uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
  z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* When everything is taken, the walk asks about every id of the artist exactly once, then
 * says PD_E_CONFLICT: it can neither loop nor hand back a taken id.  That walk is the order
 * ids are issued in, so later checks compare against it. */
static void test_exhaustion(void **state)
{
  (void)state;
  struct seen st = {calloc(ALL_IDS, 1), calloc(ALL_IDS, 1), calloc(ALL_IDS, sizeof(long)), 0, true};
  assert_non_null(st.asked);
  assert_non_null(st.used);
  assert_non_null(st.order);
  struct pd_publicid prefix = {"BTSX", "MA", 0};
  char out[PD_PUBLICID_SIZE] = "untouched";
  assert_int_equal(pd_publicid_next(&prefix, seen_taken, &st, out), PD_E_CONFLICT);
  assert_string_equal(out, "untouched");
  assert_int_equal(st.calls, ALL_IDS);
  for (long i = 0; i < ALL_IDS; i++)
    if (st.asked[i] != 1)
      fail_msg("id %ld asked %d times", i, st.asked[i]);

  /* The documented order. */
  static const struct {
    long position;
    const char *id;
  } landmarks[] = {
      {0, "BTSX_MA#01"},       {98, "BTSX_MA#99"},      {99, "BTSX_M0#01"},
      {99 * 10, "BTSX_M9#01"}, {99 * 11, "BTSX_MB#01"}, {99 * 35, "BTSX_MZ#01"},
      {99 * 36, "BTSX_00#01"}, {99 * 72, "BTSX_10#01"}, {ALL_IDS - 1, "BTSX_ZZ#99"},
  };
  long *order = st.order;
  for (size_t i = 0; i < PD_ARRAY_LEN(landmarks); i++) {
    char want[PD_PUBLICID_SIZE];
    id_of(order[landmarks[i].position], want);
    assert_string_equal(want, landmarks[i].id);
  }

  /* Issuing one id after another follows that order. */
  st.order = calloc(ALL_IDS, sizeof(long));
  assert_non_null(st.order);
  st.all_taken = false;
  for (long k = 0; k < 250; k++) {
    st.calls = 0;
    assert_int_equal(pd_publicid_next(&prefix, seen_taken, &st, out), PD_OK);
    long i = id_index(out);
    assert_int_equal(i, order[k]);
    st.used[i] = 1;
  }

  /* With a random half of the ids in use, the answer is the first free one in the order. */
  uint64_t seed = 11;
  for (int round = 0; round < 20; round++) {
    memset(st.used, 0, ALL_IDS);
    long first_free = -1;
    for (long k = 0; k < ALL_IDS; k++) {
      bool in_use = k < 99 * (round + 1) || next_rand(&seed) % 2 == 0;
      st.used[order[k]] = in_use;
      if (!in_use && first_free < 0)
        first_free = k;
    }
    st.calls = 0;
    assert_int_equal(pd_publicid_next(&prefix, seen_taken, &st, out), PD_OK);
    assert_int_equal(id_index(out), order[first_free]);
    assert_int_equal(st.used[id_index(out)], 0);
  }

  /* The array form agrees, down to the very last free id. */
  static char ids[ALL_IDS][PD_PUBLICID_SIZE];
  const char **list = calloc(ALL_IDS, sizeof(*list));
  assert_non_null(list);
  for (long k = 0; k < ALL_IDS; k++) {
    id_of(order[k], ids[k]);
    list[k] = ids[k];
  }
  assert_int_equal(pd_publicid_next_in(&prefix, list, ALL_IDS, out), PD_E_CONFLICT);
  assert_int_equal(pd_publicid_next_in(&prefix, list, ALL_IDS - 1, out), PD_OK);
  assert_string_equal(out, "BTSX_ZZ#99");
  list[12345] = "TAYL_00#01"; /* frees ids[12345] */
  assert_int_equal(pd_publicid_next_in(&prefix, list, ALL_IDS, out), PD_OK);
  assert_string_equal(out, ids[12345]);
  free(list);
  free(order);
  free(st.order);
  free(st.asked);
  free(st.used);
}

static void test_next_rejects(void **state)
{
  (void)state;
  char out[PD_PUBLICID_SIZE];
  struct pd_publicid bad = {"tayl", "19", 0}, bad_era = {"TAYL", "1", 0}, ok = {"TAYL", "19", 0};
  assert_int_equal(pd_publicid_next_in(&bad, NULL, 0, out), PD_E_INVALID);
  assert_int_equal(pd_publicid_next_in(&bad_era, NULL, 0, out), PD_E_INVALID);
  assert_int_equal(pd_publicid_next_in(NULL, NULL, 0, out), PD_E_INVALID);
  assert_int_equal(pd_publicid_next_in(&ok, NULL, 3, out), PD_E_INVALID);
  assert_int_equal(pd_publicid_next(&ok, NULL, NULL, out), PD_E_INVALID);
  assert_int_equal(pd_publicid_next_in(&ok, NULL, 0, out), PD_OK);
  assert_string_equal(out, "TAYL_19#01");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_make),
      cmocka_unit_test(test_make_rejects),
      cmocka_unit_test(test_valid_and_parse),
      cmocka_unit_test(test_next_in),
      cmocka_unit_test(test_fallback_era_codes),
      cmocka_unit_test(test_exhaustion),
      cmocka_unit_test(test_next_rejects),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
