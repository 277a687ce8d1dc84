/* test_admin_events.c - the times and rarity boosts admins type for events (lib/admin_events.c):
 * every accepted form, and what is refused with the argument named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "admin_ops.h"

static void test_times_accepted(void **state)
{
  static const struct {
    const char *in;
    int64_t t;
  } rows[] = {
      {"2026-12-24 18:00", 1798135200},
      {"2026-12-24 18:00 UTC", 1798135200},
      {"2026-12-24T18:00", 1798135200},
      {"2026-12-24T18:00:00Z", 1798135200},
      {"2026-12-24T18:00:00.250Z", 1798135200},
      {"2026-12-24T19:00:00+01:00", 1798135200},
      {"2026-12-24T12:30:00-0530", 1798135200},
      {"2026-12-24", 1798070400},
      {"2024-02-29 00:00", 1709164800},
      {"1970-01-01 00:00", 0},
      {"1798135200", 1798135200},
      {"0", 0},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    int64_t t = -1;
    if (!pd_admin_parse_time(rows[i].in, &t))
      fail_msg("refused \"%s\"", rows[i].in);
    if (t != rows[i].t)
      fail_msg("\"%s\": %lld, not %lld", rows[i].in, (long long)t, (long long)rows[i].t);
  }
}

static void test_times_refused(void **state)
{
  static const char *bad[] = {NULL,
                              "",
                              "tomorrow",
                              "2026-13-01 00:00",
                              "2026-02-29 00:00",
                              "2026-04-31 00:00",
                              "2026-12-24 24:00",
                              "2026-12-24 18:60",
                              "2026-12-24 18",
                              "2026-12-24 18:00 CET",
                              "2026-12-24T18:00:00+25:00",
                              "26-12-24 18:00",
                              "1969-12-31 23:59",
                              "-5",
                              "12345678901234",
                              "2026-12-24 18:00x"};
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    int64_t t = 0;
    if (pd_admin_parse_time(bad[i], &t))
      fail_msg("accepted \"%s\" as %lld", bad[i] != NULL ? bad[i] : "(null)", (long long)t);
  }
}

static void test_boosts(void **state)
{
  static const struct {
    const char *in;  /* text, or JSON when it starts with '{' */
    const char *out; /* the object, compact, or NULL: refused with err holding needle */
    const char *needle;
  } rows[] = {
      {"legendary=2,mythic=3", "{\"legendary\":2,\"mythic\":3}", NULL},
      {" legendary = 1.5 , mythic:3 ", "{\"legendary\":1.5,\"mythic\":3}", NULL},
      {"", "{}", NULL},
      {"{\"epic\": 2}", "{\"epic\":2}", NULL},
      {"mythic=0", NULL, "mythic's multiplier must be above 0"},
      {"mythic=-1", NULL, "above 0"},
      {"mythic=5000", NULL, "at most"},
      {"shiny=2", NULL, "\"shiny\" is not a rarity"},
      {"mythic=2,mythic=3", NULL, "mythic is given twice"},
      {"mythic", NULL, "mythic needs a multiplier"},
      {"mythic=x", NULL, "mythic needs a multiplier"},
      {"mythic=2 epic=3", NULL, "must look like"},
      {"{\"epic\": \"2\"}", NULL, "epic's multiplier must be a number"},
      {"{broken", NULL, "\"boosts\" must be"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char err[300];
    json_t *out = NULL, *in = json_string(rows[i].in);
    bool ok = pd_admin_parse_boosts(in, &out, err, sizeof(err));
    json_decref(in);
    if (rows[i].out == NULL) {
      if (ok || strstr(err, rows[i].needle) == NULL)
        fail_msg("\"%s\": %s (%s)", rows[i].in, ok ? "accepted" : "refused", err);
      continue;
    }
    if (!ok)
      fail_msg("\"%s\" refused: %s", rows[i].in, err);
    char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
    if (strcmp(text, rows[i].out) != 0)
      fail_msg("\"%s\": %s, not %s", rows[i].in, text, rows[i].out);
    free(text);
    json_decref(out);
  }
  /* A JSON object as REST sends it. */
  json_t *obj = json_pack("{s:i, s:f}", "rare", 2, "common", 0.5), *out = NULL;
  char err[300];
  assert_true(pd_admin_parse_boosts(obj, &out, err, sizeof(err)));
  assert_int_equal(json_integer_value(json_object_get(out, "rare")), 2);
  json_decref(out);
  json_decref(obj);
  obj = json_integer(3);
  assert_false(pd_admin_parse_boosts(obj, &out, err, sizeof(err)));
  json_decref(obj);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_times_accepted),
      cmocka_unit_test(test_times_refused),
      cmocka_unit_test(test_boosts),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
