/* test_reply.c - Discord's message limits and the small formatting helpers (lib/reply.c).
 * Each limit is tried at its edge (accepted) and one past it (refused for that rule). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"

#define HANGUL "\xEC\x95\x84"    /* one code point, three bytes */
#define EMOJI "\xF0\x9F\x8E\xB5" /* one code point, four bytes */

/* Strings made for a test live until its end. */
static char *made[64];
static size_t n_made;

static const char *rep(const char *unit, size_t n)
{
  size_t u = strlen(unit);
  char *s = malloc(u * n + 1);
  assert_non_null(s);
  for (size_t i = 0; i < n; i++)
    memcpy(s + i * u, unit, u);
  s[u * n] = '\0';
  assert_true(n_made < PD_ARRAY_LEN(made));
  made[n_made++] = s;
  return s;
}

static int free_made(void **state)
{
  for (size_t i = 0; i < n_made; i++)
    free(made[i]);
  n_made = 0;
  return 0;
}

static json_t *button(const char *id)
{
  return json_pack("{s:i, s:i, s:s, s:s}", "type", 2, "style", 1, "label", "Keep", "custom_id", id);
}

static json_t *select_menu(const char *id, size_t n_options)
{
  json_t *opts = json_array();
  for (size_t i = 0; i < n_options; i++) {
    char v[24];
    snprintf(v, sizeof(v), "v%zu", i);
    json_array_append_new(opts, json_pack("{s:s, s:s}", "label", "Item", "value", v));
  }
  return json_pack("{s:i, s:s, s:o}", "type", 3, "custom_id", id, "options", opts);
}

static json_t *row(json_t *items)
{
  return json_pack("{s:i, s:o}", "type", 1, "components", items);
}

/* n_rows rows of per_row buttons, every custom_id distinct. */
static json_t *button_grid(size_t n_rows, size_t per_row)
{
  json_t *rows = json_array();
  for (size_t r = 0; r < n_rows; r++) {
    json_t *items = json_array();
    for (size_t b = 0; b < per_row; b++) {
      char id[48];
      snprintf(id, sizeof(id), "b%zu.%zu", r, b);
      json_array_append_new(items, button(id));
    }
    json_array_append_new(rows, row(items));
  }
  return json_pack("{s:o}", "components", rows);
}

static json_t *embeds_of(size_t n)
{
  json_t *list = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(list, json_pack("{s:s}", "title", "x"));
  return json_pack("{s:o}", "embeds", list);
}

static json_t *one_embed(const char *key, const char *value)
{
  return json_pack("{s:[{s:s}]}", "embeds", key, value);
}

static json_t *nested_embed(const char *key, const char *inner, const char *value)
{
  return json_pack("{s:[{s:{s:s}}]}", "embeds", key, inner, value);
}

static json_t *fields_of(size_t n, const char *name, const char *value)
{
  json_t *fields = json_array();
  for (size_t i = 0; i < n; i++)
    json_array_append_new(fields, json_pack("{s:s, s:s}", "name", name, "value", value));
  return json_pack("{s:[{s:s, s:o}]}", "embeds", "title", "Fields", "fields", fields);
}

static json_t *one_row(json_t *items)
{
  return json_pack("{s:[o]}", "components", row(items));
}

static json_t *realistic_message(void)
{
  return json_pack(
      "{s:s, s:i, s:[{s:s, s:s, s:i, s:[{s:s, s:s, s:b}, {s:s, s:s}], s:{s:s}, s:{s:s}, s:{s:s}}],"
      " s:[o, o, o]}",
      "content", "Your pack \xE2\x80\x94 pick one", "flags", 64, "embeds", "title", "Standard pack",
      "description", "Three cards, keep one", "color", 0x7C5CFF, "fields", "name", "Notes", "value",
      "1,250", "inline", 1, "name", "Rarity", "value", "Rare", "image", "url",
      "attachment://pack.png", "footer", "text", "PopDeck", "author", "name", "IU", "components",
      row(json_pack("[o, o, o]", button("pick:1"), button("pick:2"), button("pick:3"))),
      row(json_pack("[o]", select_menu("shop:item", 3))),
      row(json_pack("[{s:i, s:i, s:s, s:s}]", "type", 2, "style", 5, "label", "Rules", "url",
                    "https://popdeck.example/rules")));
}

static void test_realistic_message_passes(void **state)
{
  json_t *m = realistic_message();
  char err[160] = "";
  if (pd_reply_check(m, err, sizeof(err)) != PD_OK)
    fail_msg("refused: %s", err);
  json_decref(m);
}

struct row {
  const char *what;
  json_t *msg;
  const char *err; /* NULL: accepted; else a piece of the reason */
};

static void run_rows(struct row *rows, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    char err[200] = "";
    assert_non_null(rows[i].msg);
    enum pd_result rc = pd_reply_check(rows[i].msg, err, sizeof(err));
    json_decref(rows[i].msg);
    if (rows[i].err == NULL && rc != PD_OK)
      fail_msg("%s: refused: %s", rows[i].what, err);
    if (rows[i].err != NULL && (rc != PD_E_INVALID || strstr(err, rows[i].err) == NULL))
      fail_msg("%s: got %s \"%s\", want a refusal saying \"%s\"", rows[i].what, pd_result_str(rc),
               err, rows[i].err);
  }
}

static void test_content_and_flags(void **state)
{
  struct row rows[] = {
      {"content 2000", json_pack("{s:s}", "content", rep("a", 2000)), NULL},
      {"content 2001", json_pack("{s:s}", "content", rep("a", 2001)), "content over 2000"},
      {"content 2000 three-byte code points", json_pack("{s:s}", "content", rep(HANGUL, 2000)),
       NULL},
      {"content 2001 three-byte code points", json_pack("{s:s}", "content", rep(HANGUL, 2001)),
       "content over 2000"},
      {"content 2000 four-byte code points", json_pack("{s:s}", "content", rep(EMOJI, 2000)), NULL},
      {"flags 0", json_pack("{s:s, s:i}", "content", "x", "flags", 0), NULL},
      {"flags EPHEMERAL", json_pack("{s:s, s:i}", "content", "x", "flags", 64), NULL},
      {"flags SUPPRESS_EMBEDS", json_pack("{s:s, s:i}", "content", "x", "flags", 4), NULL},
      {"flags both", json_pack("{s:s, s:i}", "content", "x", "flags", 68), NULL},
      {"flags CROSSPOSTED", json_pack("{s:s, s:i}", "content", "x", "flags", 1), "flags may only"},
      {"flags EPHEMERAL|LOADING", json_pack("{s:s, s:i}", "content", "x", "flags", 64 | 128),
       "flags may only"},
      {"flags 1<<12", json_pack("{s:s, s:i}", "content", "x", "flags", 1 << 12), "flags may only"},
      {"data not an object", json_pack("[s]", "x"), "must be an object"},
  };
  run_rows(rows, PD_ARRAY_LEN(rows));
}

static void test_embed_limits(void **state)
{
  struct row rows[] = {
      {"10 embeds", embeds_of(10), NULL},
      {"11 embeds", embeds_of(11), "more than 10 embeds"},
      {"embeds not a list", json_pack("{s:{}}", "embeds"), "embeds must be an array"},
      {"title 256", one_embed("title", rep("t", 256)), NULL},
      {"title 257", one_embed("title", rep("t", 257)), "title over 256"},
      {"title 256 multi-byte", one_embed("title", rep(HANGUL, 256)), NULL},
      {"description 4096", one_embed("description", rep("d", 4096)), NULL},
      {"description 4097", one_embed("description", rep("d", 4097)), "description over 4096"},
      {"footer 2048", nested_embed("footer", "text", rep("f", 2048)), NULL},
      {"footer 2049", nested_embed("footer", "text", rep("f", 2049)), "footer.text over 2048"},
      {"author 256", nested_embed("author", "name", rep("a", 256)), NULL},
      {"author 257", nested_embed("author", "name", rep("a", 257)), "author.name over 256"},
      {"25 fields", fields_of(25, "n", "v"), NULL},
      {"26 fields", fields_of(26, "n", "v"), "at most 25"},
      {"field name 256", fields_of(1, rep("n", 256), "v"), NULL},
      {"field name 257", fields_of(1, rep("n", 257), "v"), "fields[0].name must be 1-256"},
      {"field name empty", fields_of(1, "", "v"), "fields[0].name must be 1-256"},
      {"field value 1024", fields_of(1, "n", rep("v", 1024)), NULL},
      {"field value 1025", fields_of(1, "n", rep("v", 1025)), "fields[0].value must be 1-1024"},
      {"field value empty", fields_of(1, "n", ""), "fields[0].value must be 1-1024"},
  };
  run_rows(rows, PD_ARRAY_LEN(rows));
}

/* The 6000 characters are summed over titles, descriptions, fields, footers and authors of all
 * embeds. */
static void test_embed_total(void **state)
{
  const char *d4096 = rep("d", 4096), *t256 = rep("t", 256);
  struct row rows[] = {
      {"6000 across two embeds",
       json_pack("{s:[{s:s}, {s:s}]}", "embeds", "description", d4096, "description",
                 rep("e", 1904)),
       NULL},
      {"6001 across two embeds",
       json_pack("{s:[{s:s}, {s:s}]}", "embeds", "description", d4096, "description",
                 rep("e", 1905)),
       "over 6000"},
      {"6001 across three embeds",
       json_pack("{s:[{s:s}, {s:s}, {s:s}]}", "embeds", "description", rep("a", 3000),
                 "description", rep("b", 3000), "description", "c"),
       "over 6000"},
      {"6000 with title and footer",
       json_pack("{s:[{s:s, s:s, s:{s:s}}]}", "embeds", "title", t256, "description", d4096,
                 "footer", "text", rep("f", 1648)),
       NULL},
      {"a field pushes it over",
       json_pack("{s:[{s:s, s:s, s:{s:s}, s:[{s:s, s:s}]}]}", "embeds", "title", t256,
                 "description", d4096, "footer", "text", rep("f", 1648), "fields", "name", "n",
                 "value", "v"),
       "over 6000"},
      {"an author pushes it over",
       json_pack("{s:[{s:s, s:s, s:{s:s}, s:{s:s}}]}", "embeds", "title", t256, "description",
                 d4096, "footer", "text", rep("f", 1648), "author", "name", "a"),
       "over 6000"},
      {"6000 multi-byte code points",
       json_pack("{s:[{s:s}, {s:s}]}", "embeds", "description", rep(HANGUL, 4096), "description",
                 rep(HANGUL, 1904)),
       NULL},
  };
  run_rows(rows, PD_ARRAY_LEN(rows));
}

static void test_component_limits(void **state)
{
  struct row rows[] = {
      {"5 rows", button_grid(5, 1), NULL},
      {"6 rows", button_grid(6, 1), "at most 5 action rows"},
      {"5 buttons in a row", button_grid(1, 5), NULL},
      {"6 buttons in a row", button_grid(1, 6), "1-5 buttons or exactly 1 select"},
      {"25 buttons", button_grid(5, 5), NULL},
      {"empty row", one_row(json_array()), "1-5 buttons or exactly 1 select"},
      {"select alone", one_row(json_pack("[o]", select_menu("s", 3))), NULL},
      {"select and a button", one_row(json_pack("[o, o]", select_menu("s", 3), button("b"))),
       "1-5 buttons or exactly 1 select"},
      {"button and a select", one_row(json_pack("[o, o]", button("b"), select_menu("s", 3))),
       "1-5 buttons or exactly 1 select"},
      {"two selects", one_row(json_pack("[o, o]", select_menu("s1", 3), select_menu("s2", 3))),
       "1-5 buttons or exactly 1 select"},
      {"row not type 1",
       json_pack("{s:[{s:i, s:[o]}]}", "components", "type", 2, "components", button("b")),
       "action row (type 1)"},
      {"components not a list", json_pack("{s:{}}", "components"), "at most 5 action rows"},
      {"custom_id 100", one_row(json_pack("[o]", button(rep("i", 100)))), NULL},
      {"custom_id 101", one_row(json_pack("[o]", button(rep("i", 101)))),
       "custom_id must be 1-100"},
      {"custom_id empty", one_row(json_pack("[o]", button(""))), "custom_id must be 1-100"},
      {"select custom_id 101", one_row(json_pack("[o]", select_menu(rep("s", 101), 1))),
       "custom_id must be 1-100"},
      {"duplicate custom_id in a row", one_row(json_pack("[o, o]", button("x"), button("x"))),
       "\"x\" used twice"},
      {"duplicate custom_id across rows",
       json_pack("{s:[o, o]}", "components", row(json_pack("[o]", button("x"))),
                 row(json_pack("[o]", select_menu("x", 1)))),
       "\"x\" used twice"},
      {"link button without custom_id",
       one_row(json_pack("[{s:i, s:i, s:s, s:s}]", "type", 2, "style", 5, "label", "Web", "url",
                         "https://x.example")),
       NULL},
      {"label 80",
       one_row(json_pack("[{s:i, s:i, s:s, s:s}]", "type", 2, "style", 1, "custom_id", "l", "label",
                         rep("l", 80))),
       NULL},
      {"label 81",
       one_row(json_pack("[{s:i, s:i, s:s, s:s}]", "type", 2, "style", 1, "custom_id", "l", "label",
                         rep("l", 81))),
       "label over 80"},
      {"label 80 multi-byte",
       one_row(json_pack("[{s:i, s:i, s:s, s:s}]", "type", 2, "style", 1, "custom_id", "l", "label",
                         rep(HANGUL, 80))),
       NULL},
      {"25 select options", one_row(json_pack("[o]", select_menu("s", 25))), NULL},
      {"26 select options", one_row(json_pack("[o]", select_menu("s", 26))),
       "more than 25 options"},
  };
  run_rows(rows, PD_ARRAY_LEN(rows));
}

static void test_select_option_text(void **state)
{
  static const char *keys[] = {"label", "value", "description"};
  for (size_t k = 0; k < PD_ARRAY_LEN(keys); k++) {
    for (size_t len = 100; len <= 101; len++) {
      json_t *opt = json_pack("{s:s, s:s}", "label", "l", "value", "v");
      json_object_set_new(opt, keys[k], json_string(rep("o", len)));
      json_t *m = json_pack("{s:[{s:i, s:[{s:i, s:s, s:[o]}]}]}", "components", "type", 1,
                            "components", "type", 3, "custom_id", "s", "options", opt);
      char err[200] = "";
      enum pd_result rc = pd_reply_check(m, err, sizeof(err));
      json_decref(m);
      if (len == 100 && rc != PD_OK)
        fail_msg("option %s of 100: refused: %s", keys[k], err);
      if (len == 101 && (rc != PD_E_INVALID || strstr(err, "options[0] text over 100") == NULL))
        fail_msg("option %s of 101: got %s \"%s\"", keys[k], pd_result_str(rc), err);
    }
  }
}

static void test_reply_builders(void **state)
{
  struct {
    const char *text;
    int flags;
  } rows[] = {{"hi", 0}, {"hi", PD_FLAG_EPHEMERAL}, {"@everyone look at <@80351110224678912>", 0}};
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    json_t *t = pd_reply_text(rows[i].text, rows[i].flags);
    assert_string_equal(json_string_value(json_object_get(t, "content")), rows[i].text);
    json_t *am = json_object_get(t, "allowed_mentions");
    json_t *parse = json_object_get(am, "parse");
    assert_true(json_is_array(parse));
    assert_int_equal(json_array_size(parse), 0);
    assert_int_equal(json_object_size(am), 1); /* no users/roles lists that would re-allow pings */
    if (rows[i].flags == 0)
      assert_null(json_object_get(t, "flags"));
    else
      assert_int_equal(json_integer_value(json_object_get(t, "flags")), rows[i].flags);
    char err[160];
    assert_int_equal(pd_reply_check(t, err, sizeof(err)), PD_OK);
    json_t *r = pd_reply_new(PD_CB_MESSAGE, t);
    assert_int_equal(json_integer_value(json_object_get(r, "type")), 4);
    assert_ptr_equal(json_object_get(r, "data"), t);
    json_decref(r);
  }
  json_t *pong = pd_reply_new(PD_CB_PONG, NULL);
  assert_int_equal(json_object_size(pong), 1);
  assert_int_equal(json_integer_value(json_object_get(pong, "type")), 1);
  json_decref(pong);
}

static void test_fmt_thousands(void **state)
{
  struct {
    int64_t n;
    const char *want;
  } rows[] = {
      {0, "0"},
      {1, "1"},
      {-1, "-1"},
      {999, "999"},
      {-999, "-999"},
      {1000, "1,000"},
      {-1000, "-1,000"},
      {12345, "12,345"},
      {999999, "999,999"},
      {1000000, "1,000,000"},
      {1234567, "1,234,567"},
      {-1234567, "-1,234,567"},
      {INT64_MAX, "9,223,372,036,854,775,807"},
      {INT64_MIN, "-9,223,372,036,854,775,808"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char out[32];
    memset(out, 'X', sizeof(out));
    pd_fmt_thousands(rows[i].n, out);
    if (strcmp(out, rows[i].want) != 0)
      fail_msg("%lld: got \"%.31s\", want \"%s\"", (long long)rows[i].n, out, rows[i].want);
  }
}

static void test_snowflake_ms(void **state)
{
  struct {
    const char *s;
    int64_t want;
  } rows[] = {
      {"175928847299117063", 1462015105796LL}, /* Discord's documented example */
      {"4194304", 1420070400001LL},            /* 1 << 22: one millisecond after Discord's epoch */
      {"0", 1420070400000LL},
      {"abc", 0},
      {"", 0},
      {NULL, 0},
      {"17592884729911706x", 0},
      {"-175928847299117063", 0},
      {" 175928847299117063", 0},
      {"1759288472991170630000", 0}, /* overflows 64 bits */
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    int64_t got = pd_snowflake_ms(rows[i].s);
    if (got != rows[i].want)
      fail_msg("\"%s\": got %lld, want %lld", rows[i].s ? rows[i].s : "NULL", (long long)got,
               (long long)rows[i].want);
  }
}

static void test_utf8_len(void **state)
{
  struct {
    const char *s;
    size_t want;
  } rows[] = {
      {"", 0},
      {"abc", 3},
      {"Beyonc\xC3\xA9", 7},
      {HANGUL HANGUL HANGUL, 3},
      {EMOJI, 1},
      {"a" HANGUL "b" EMOJI "c", 5},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    if (pd_utf8_len(rows[i].s) != rows[i].want)
      fail_msg("row %zu: %zu code points, want %zu", i, pd_utf8_len(rows[i].s), rows[i].want);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_realistic_message_passes),
      cmocka_unit_test_teardown(test_content_and_flags, free_made),
      cmocka_unit_test_teardown(test_embed_limits, free_made),
      cmocka_unit_test_teardown(test_embed_total, free_made),
      cmocka_unit_test_teardown(test_component_limits, free_made),
      cmocka_unit_test_teardown(test_select_option_text, free_made),
      cmocka_unit_test(test_reply_builders),
      cmocka_unit_test(test_fmt_thousands),
      cmocka_unit_test(test_snowflake_ms),
      cmocka_unit_test(test_utf8_len),
  };
  return cmocka_run_group_tests_name("test_reply", tests, NULL, NULL);
}
