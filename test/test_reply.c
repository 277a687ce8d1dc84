/* test_reply.c - Discord's message limits and the small formatting helpers (lib/reply.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "reply.h"

static char *repeat(const char *unit, size_t n)
{
  size_t u = strlen(unit);
  char *s = malloc(u * n + 1);
  for (size_t i = 0; i < n; i++)
    memcpy(s + i * u, unit, u);
  s[u * n] = '\0';
  return s;
}

static json_t *button(const char *id)
{
  return json_pack("{s:i, s:i, s:s, s:s}", "type", 2, "style", 1, "label", "Keep", "custom_id", id);
}

static void test_realistic_message_passes(void **state)
{
  json_t *m = json_pack("{s:s, s:[{s:s, s:s, s:i, s:[{s:s, s:s, s:b}], s:{s:s}, s:{s:s}}], s:[{s:i, s:[o, o, o]}]}",
                        "content", "Your pack", "embeds", "title", "Pack", "description", "Pick one", "color", 1,
                        "fields", "name", "Notes", "value", "250", "inline", 1, "image", "url",
                        "attachment://pack.png", "footer", "text", "PopDeck", "components", "type", 1, "components",
                        button("pick:1"), button("pick:2"), button("pick:3"));
  char err[160];
  assert_int_equal(pd_reply_check(m, err, sizeof(err)), PD_OK);
  json_decref(m);
}

static void expect_invalid(json_t *m, const char *what)
{
  char err[160] = "";
  if (pd_reply_check(m, err, sizeof(err)) != PD_E_INVALID)
    fail_msg("%s: accepted", what);
  assert_true(err[0] != '\0');
  json_decref(m);
}

static void test_each_limit(void **state)
{
  char *s2001 = repeat("a", 2001), *s257 = repeat("b", 257), *s4097 = repeat("c", 4097), *s1025 = repeat("d", 1025);
  char *s101 = repeat("e", 101), *s81 = repeat("f", 81), *s3000 = repeat("g", 3000);
  char err[160];
  expect_invalid(json_pack("{s:s}", "content", s2001), "content 2001");
  /* 2000 multi-byte characters are 2000 characters, not 6000 bytes. */
  char *hangul = repeat("\xEC\x95\x84", 2000);
  json_t *ok = json_pack("{s:s}", "content", hangul);
  assert_int_equal(pd_reply_check(ok, err, sizeof(err)), PD_OK);
  json_decref(ok);
  json_t *many = json_array();
  for (int i = 0; i < 11; i++)
    json_array_append_new(many, json_pack("{s:s}", "title", "x"));
  expect_invalid(json_pack("{s:o}", "embeds", many), "11 embeds");
  expect_invalid(json_pack("{s:[{s:s}]}", "embeds", "title", s257), "title 257");
  expect_invalid(json_pack("{s:[{s:s}]}", "embeds", "description", s4097), "description 4097");
  json_t *fields = json_array();
  for (int i = 0; i < 26; i++)
    json_array_append_new(fields, json_pack("{s:s, s:s}", "name", "n", "value", "v"));
  expect_invalid(json_pack("{s:[{s:o}]}", "embeds", "fields", fields), "26 fields");
  expect_invalid(json_pack("{s:[{s:[{s:s, s:s}]}]}", "embeds", "fields", "name", "n", "value", s1025), "value 1025");
  expect_invalid(json_pack("{s:[{s:s}, {s:s}, {s:s}]}", "embeds", "description", s3000, "description", s3000,
                           "description", "x"),
                 "6001 across embeds");
  json_t *rows = json_array();
  for (int i = 0; i < 6; i++)
    json_array_append_new(rows, json_pack("{s:i, s:[o]}", "type", 1, "components", button(i % 2 ? "a" : "b")));
  expect_invalid(json_pack("{s:o}", "components", rows), "6 rows");
  json_t *six = json_array();
  const char *ids[] = {"1", "2", "3", "4", "5", "6"};
  for (int i = 0; i < 6; i++)
    json_array_append_new(six, button(ids[i]));
  expect_invalid(json_pack("{s:[{s:i, s:o}]}", "components", "type", 1, "components", six), "6 buttons in a row");
  expect_invalid(json_pack("{s:[{s:i, s:[{s:i, s:s}, o]}]}", "components", "type", 1, "components", "type", 3,
                           "custom_id", "sel", button("b")),
                 "select beside a button");
  expect_invalid(json_pack("{s:[{s:i, s:[o]}]}", "components", "type", 1, "components", button(s101)), "custom_id 101");
  expect_invalid(json_pack("{s:[{s:i, s:[o]}]}", "components", "type", 1, "components", button("")), "empty custom_id");
  expect_invalid(json_pack("{s:[{s:i, s:[o, o]}]}", "components", "type", 1, "components", button("x"), button("x")),
                 "duplicate custom_id");
  json_t *long_label = button("l");
  json_object_set_new(long_label, "label", json_string(s81));
  expect_invalid(json_pack("{s:[{s:i, s:[o]}]}", "components", "type", 1, "components", long_label), "label 81");
  json_t *opts = json_array();
  for (int i = 0; i < 26; i++)
    json_array_append_new(opts, json_pack("{s:s, s:s}", "label", "l", "value", "v"));
  expect_invalid(json_pack("{s:[{s:i, s:[{s:i, s:s, s:o}]}]}", "components", "type", 1, "components", "type", 3,
                           "custom_id", "sel", "options", opts),
                 "26 select options");
  expect_invalid(json_pack("{s:i}", "flags", 1 << 12), "unknown flag");
  free(s2001), free(s257), free(s4097), free(s1025), free(s101), free(s81), free(s3000), free(hangul);
}

static void test_text_and_formatting(void **state)
{
  json_t *t = pd_reply_text("hi", 64);
  assert_int_equal(json_array_size(json_object_get(json_object_get(t, "allowed_mentions"), "parse")), 0);
  assert_int_equal(json_integer_value(json_object_get(t, "flags")), 64);
  json_decref(t);
  struct {
    int64_t n;
    const char *want;
  } rows[] = {{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-1234567, "-1,234,567"},
              {INT64_MAX, "9,223,372,036,854,775,807"}, {INT64_MIN, "-9,223,372,036,854,775,808"}};
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char out[32];
    pd_fmt_thousands(rows[i].n, out);
    assert_string_equal(out, rows[i].want);
  }
  assert_int_equal(pd_snowflake_ms("175928847299117063"), 1462015105796LL);
  assert_int_equal(pd_snowflake_ms("abc"), 0);
  assert_int_equal(pd_snowflake_ms(""), 0);
  assert_int_equal(pd_utf8_len("Beyonc\xC3\xA9"), 7);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_realistic_message_passes),
    cmocka_unit_test(test_each_limit),
    cmocka_unit_test(test_text_and_formatting),
  };
  return cmocka_run_group_tests_name("test_reply", tests, NULL, NULL);
}
