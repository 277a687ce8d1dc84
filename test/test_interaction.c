/* test_interaction.c - parsing interactions in the shapes Discord sends (lib/interaction.c).
 * Fixtures in test/fixtures/discord/ are Discord's example payloads (MIT, see LICENSE there);
 * tests run from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interaction.h"

#define GUILD "2222222222222222222"
#define PLAYER "80351110224678912"

static struct pd_interaction *parse_file(const char *name)
{
  char path[256], err[160];
  static char buf[65536];
  snprintf(path, sizeof(path), "test/fixtures/discord/%s.json", name);
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    fail_msg("missing fixture %s (run from the repository root)", path);
  size_t n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  if (n == sizeof(buf))
    fail_msg("%s is larger than the test's buffer", path);
  struct pd_interaction *ix = NULL;
  if (pd_interaction_parse(buf, n, &ix, err, sizeof(err)) != PD_OK)
    fail_msg("%s: %s", name, err);
  return ix;
}

static struct pd_interaction *parse_str(const char *body)
{
  char err[160];
  struct pd_interaction *ix = NULL;
  if (pd_interaction_parse(body, strlen(body), &ix, err, sizeof(err)) != PD_OK)
    fail_msg("refused: %s\n%s", err, body);
  return ix;
}

static void expect_str(const char *what, const char *got, const char *want)
{
  if (want == NULL && got == NULL)
    return;
  if (want == NULL || got == NULL || strcmp(got, want) != 0)
    fail_msg("%s: got %s%s%s, want %s%s%s", what, got ? "\"" : "", got ? got : "NULL",
             got ? "\"" : "", want ? "\"" : "", want ? want : "NULL", want ? "\"" : "");
}

/* What every example file gives a handler. */
static void test_fixture_shapes(void **state)
{
  struct {
    const char *file;
    int type;
    const char *id, *guild_id, *user_id, *display, *premium_since, *command_name, *custom_id;
    int component_type;
  } rows[] = {
      {"command-in-guild", PD_IX_COMMAND, "1310000000000000001", GUILD, PLAYER, "Player 8912", NULL,
       "daily", NULL, 0},
      {"command-in-dm", PD_IX_COMMAND, "1310000000000000002", NULL, PLAYER, "Player 8912", NULL,
       "profile", NULL, 0},
      {"command-with-user-option", PD_IX_COMMAND, "1310000000000000003", GUILD, PLAYER,
       "Player 8912", NULL, "balance", NULL, 0},
      {"command-from-booster", PD_IX_COMMAND, "1310000000000000004", GUILD, PLAYER, "Player 8912",
       "2025-01-01T00:00:00.000000+00:00", "openpack", NULL, 0},
      {"autocomplete", PD_IX_AUTOCOMPLETE, "1310000000000000005", GUILD, PLAYER, "Player 8912",
       NULL, "viewcard", NULL, 0},
      {"button-press", PD_IX_COMPONENT, "1310000000000000006", GUILD, PLAYER, "Player 8912", NULL,
       NULL, "pick:EXAMPLE:1", 2},
      {"select-menu", PD_IX_COMPONENT, "1310000000000000007", GUILD, PLAYER, "Player 8912", NULL,
       NULL, "shop:item", 3},
      {"modal-submit", PD_IX_MODAL_SUBMIT, "1310000000000000008", GUILD, PLAYER, "Player 8912",
       NULL, NULL, "sell:modal", 0},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct pd_interaction *ix = parse_file(rows[i].file);
    char what[96];
#define CHECK(field, got, want)                                                                    \
  (snprintf(what, sizeof(what), "%s %s", rows[i].file, field), expect_str(what, got, want))
    if (ix->type != rows[i].type)
      fail_msg("%s: type %d, want %d", rows[i].file, ix->type, rows[i].type);
    CHECK("id", ix->id, rows[i].id);
    CHECK("application_id", ix->application_id, "1111111111111111111");
    CHECK("channel_id", ix->channel_id, "3333333333333333333");
    CHECK("locale", ix->locale, "en-US");
    CHECK("app_permissions", ix->app_permissions, "562949953601536");
    CHECK("guild_id", ix->guild_id, rows[i].guild_id);
    CHECK("user.id", ix->user.id, rows[i].user_id);
    CHECK("user.username", ix->user.username, "player8912");
    CHECK("user.avatar", ix->user.avatar, "a1b2c3d4e5f60718293a4b5c6d7e8f90");
    CHECK("display name", pd_user_display_name(&ix->user), rows[i].display);
    CHECK("premium_since", ix->premium_since, rows[i].premium_since);
    CHECK("command_name", ix->command_name, rows[i].command_name);
    CHECK("custom_id", ix->custom_id, rows[i].custom_id);
#undef CHECK
    if (ix->token == NULL || strncmp(ix->token, "aW50ZXJhY3Rpb24", 15) != 0)
      fail_msg("%s: token %s", rows[i].file, ix->token ? ix->token : "NULL");
    if (ix->component_type != rows[i].component_type)
      fail_msg("%s: component_type %d", rows[i].file, ix->component_type);
    /* Guild interactions carry member.roles; DMs have no member at all. */
    if ((rows[i].guild_id != NULL) != json_is_array(ix->roles))
      fail_msg("%s: roles %s", rows[i].file, ix->roles ? "present" : "absent");
    /* Commands always get an option list to search, components never do. */
    if ((rows[i].command_name != NULL) != json_is_array(ix->options))
      fail_msg("%s: options %s", rows[i].file, ix->options ? "present" : "absent");
    pd_interaction_free(ix);
  }
}

static void test_ping(void **state)
{
  struct pd_interaction *ix = parse_file("ping");
  assert_int_equal(ix->type, PD_IX_PING);
  assert_string_equal(ix->id, "1310000000000000000");
  assert_string_equal(ix->application_id, "1111111111111111111");
  assert_non_null(ix->token);
  assert_null(ix->user.id);
  pd_interaction_free(ix);
  ix = parse_str("{\"type\":1}"); /* a PING needs nothing else to be answered */
  assert_int_equal(ix->type, PD_IX_PING);
  pd_interaction_free(ix);
}

static void test_guild_member_roles(void **state)
{
  struct pd_interaction *ix = parse_file("command-in-guild");
  assert_int_equal(json_array_size(ix->roles), 0);
  assert_int_equal(json_array_size(ix->options), 0);
  assert_null(ix->subcommand);
  pd_interaction_free(ix);
  ix = parse_str(
      "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",\"guild_id\":\"3\","
      "\"member\":{\"roles\":[\"41\",\"42\"],\"premium_since\":null,\"nick\":\"Nick\","
      "\"user\":{\"id\":\"9\",\"username\":\"u\",\"global_name\":null}},"
      "\"data\":{\"name\":\"daily\"}}");
  assert_string_equal(ix->user.id, "9");
  assert_null(ix->user.global_name);
  assert_string_equal(pd_user_display_name(&ix->user), "u");
  assert_null(ix->premium_since);
  assert_int_equal(json_array_size(ix->roles), 2);
  assert_string_equal(json_string_value(json_array_get(ix->roles, 1)), "42");
  pd_interaction_free(ix);
  ix = parse_str(
      "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",\"guild_id\":\"3\","
      "\"member\":{\"roles\":null,\"user\":{\"id\":\"9\"}},\"data\":{\"name\":\"daily\"}}");
  assert_null(ix->roles); /* roles that are not a list read as none */
  pd_interaction_free(ix);
}

static void test_display_name(void **state)
{
  struct {
    const char *user, *want;
  } rows[] = {
      {"{\"id\":\"9\",\"username\":\"u\",\"global_name\":\"Global\"}", "Global"},
      {"{\"id\":\"9\",\"username\":\"u\",\"global_name\":null}", "u"},
      {"{\"id\":\"9\",\"username\":\"u\",\"global_name\":\"\"}", "u"},
      {"{\"id\":\"9\"}", "9"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char body[256];
    snprintf(body, sizeof(body),
             "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",\"user\":%s,"
             "\"data\":{\"name\":\"x\"}}",
             rows[i].user);
    struct pd_interaction *ix = parse_str(body);
    expect_str(rows[i].user, pd_user_display_name(&ix->user), rows[i].want);
    pd_interaction_free(ix);
  }
}

static void test_dm_user_at_top_level(void **state)
{
  struct pd_interaction *ix = parse_file("command-in-dm");
  assert_null(ix->guild_id);
  assert_null(ix->roles);
  assert_null(ix->premium_since);
  assert_string_equal(ix->user.id, PLAYER);
  assert_string_equal(ix->user.global_name, "Player 8912");
  pd_interaction_free(ix);
}

static void test_user_option_resolved(void **state)
{
  struct pd_interaction *ix = parse_file("command-with-user-option");
  json_t *opt = pd_interaction_option(ix, "user");
  assert_int_equal(json_integer_value(json_object_get(opt, "type")), PD_OPT_USER);
  const char *id = pd_interaction_option_str(ix, "user");
  assert_string_equal(id, "53908232506183680");
  json_t *u = pd_interaction_resolved_user(ix, id);
  assert_string_equal(json_string_value(json_object_get(u, "id")), id);
  assert_string_equal(json_string_value(json_object_get(u, "username")), "player3680");
  json_t *m = pd_interaction_resolved_member(ix, id);
  assert_string_equal(json_string_value(json_object_get(m, "joined_at")),
                      "2023-02-01T10:00:00.000000+00:00");
  assert_null(pd_interaction_resolved_user(ix, PLAYER)); /* only the option's user is resolved */
  assert_null(pd_interaction_option(ix, "nope"));
  int64_t n = 0;
  assert_false(pd_interaction_option_int(ix, "user", &n)); /* a USER value is a string id */
  pd_interaction_free(ix);

  ix = parse_file("command-from-booster");
  assert_string_equal(pd_interaction_option_str(ix, "pack"), "standard-3");
  assert_null(pd_interaction_option_str(ix, "nope"));
  assert_null(pd_interaction_resolved_user(ix, PLAYER)); /* no resolved block at all */
  pd_interaction_free(ix);
}

static void test_autocomplete_focused(void **state)
{
  struct pd_interaction *ix = parse_file("autocomplete");
  json_t *f = pd_interaction_focused(ix);
  assert_non_null(f);
  assert_string_equal(json_string_value(json_object_get(f, "name")), "card");
  assert_string_equal(json_string_value(json_object_get(f, "value")), "tay");
  pd_interaction_free(ix);
  ix = parse_str(
      "{\"type\":4,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",\"user\":{\"id\":\"9\"},"
      "\"data\":{\"name\":\"trade\",\"options\":[{\"name\":\"give\",\"type\":3,\"value\":\"a\","
      "\"focused\":false},"
      "{\"name\":\"take\",\"type\":3,\"value\":\"b\",\"focused\":true}]}}");
  assert_string_equal(json_string_value(json_object_get(pd_interaction_focused(ix), "name")),
                      "take");
  pd_interaction_free(ix);
  ix = parse_file("command-from-booster"); /* a command has nothing focused */
  assert_null(pd_interaction_focused(ix));
  pd_interaction_free(ix);
}

static void test_components(void **state)
{
  struct pd_interaction *ix = parse_file("button-press");
  assert_string_equal(ix->custom_id, "pick:EXAMPLE:1");
  assert_null(ix->values);
  assert_null(pd_interaction_option(ix, "anything"));
  assert_null(pd_interaction_focused(ix));
  pd_interaction_free(ix);
  ix = parse_file("select-menu");
  assert_int_equal(json_array_size(ix->values), 1);
  assert_string_equal(json_string_value(json_array_get(ix->values, 0)), "premium-5");
  pd_interaction_free(ix);
  ix = parse_file("modal-submit");
  assert_string_equal(ix->custom_id, "sell:modal");
  json_t *rows = json_object_get(json_object_get(ix->root, "data"), "components");
  json_t *input = json_array_get(json_object_get(json_array_get(rows, 0), "components"), 0);
  assert_string_equal(json_string_value(json_object_get(input, "value")), "250");
  pd_interaction_free(ix);
}

#define HEAD                                                                                       \
  "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",\"user\":{\"id\":\"9\","      \
  "\"username\":\"u\"},"

/* Sub-command groups and sub-commands are walked so handlers see the leaf options. */
static void test_subcommands_flattened(void **state)
{
  struct {
    const char *what, *body, *subcommand, *leaf, *value;
    size_t n_options;
  } rows[] = {
      {"group -> sub-command -> options",
       HEAD "\"data\":{\"name\":\"admin\",\"options\":[{\"name\":\"ingest\",\"type\":2,\"options\":"
            "[{\"name\":\"artist\","
            "\"type\":1,\"options\":[{\"name\":\"name\",\"type\":3,\"value\":\"IU\"},{\"name\":"
            "\"count\",\"type\":4,"
            "\"value\":3}]}]}]}}",
       "ingest artist", "name", "IU", 2},
      {"sub-command -> options",
       HEAD "\"data\":{\"name\":\"card\",\"options\":[{\"name\":\"view\",\"type\":1,\"options\":[{"
            "\"name\":\"id\","
            "\"type\":3,\"value\":\"AB12\"}]}]}}",
       "view", "id", "AB12", 1},
      {"sub-command without options",
       HEAD "\"data\":{\"name\":\"card\",\"options\":[{\"name\":\"list\",\"type\":1}]}}", "list",
       NULL, NULL, 0},
      {"group -> sub-command without options",
       HEAD "\"data\":{\"name\":\"admin\",\"options\":[{\"name\":\"art\",\"type\":2,\"options\":[{"
            "\"name\":\"redo\","
            "\"type\":1}]}]}}",
       "art redo", NULL, NULL, 0},
      {"plain options",
       HEAD
       "\"data\":{\"name\":\"pay\",\"options\":[{\"name\":\"to\",\"type\":3,\"value\":\"x\"}]}}",
       NULL, "to", "x", 1},
      {"no options key", HEAD "\"data\":{\"name\":\"pay\"}}", NULL, NULL, NULL, 0},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct pd_interaction *ix = parse_str(rows[i].body);
    char what[96];
    snprintf(what, sizeof(what), "%s: subcommand", rows[i].what);
    expect_str(what, ix->subcommand, rows[i].subcommand);
    if (!json_is_array(ix->options) || json_array_size(ix->options) != rows[i].n_options)
      fail_msg("%s: %zu leaf options, want %zu", rows[i].what, json_array_size(ix->options),
               rows[i].n_options);
    if (rows[i].leaf != NULL) {
      snprintf(what, sizeof(what), "%s: option %s", rows[i].what, rows[i].leaf);
      expect_str(what, pd_interaction_option_str(ix, rows[i].leaf), rows[i].value);
    }
    /* The sub-command's own name is not an option the handler can read. */
    if (rows[i].subcommand != NULL && pd_interaction_option(ix, rows[i].subcommand) != NULL)
      fail_msg("%s: sub-command visible as an option", rows[i].what);
    pd_interaction_free(ix);
  }
  struct pd_interaction *ix = parse_str(rows[0].body);
  int64_t count = 0;
  assert_true(pd_interaction_option_int(ix, "count", &count));
  assert_int_equal(count, 3);
  assert_false(pd_interaction_option_int(ix, "name", &count)); /* a string is not an integer */
  pd_interaction_free(ix);
}

#define USER "\"user\":{\"id\":\"9\"}"
#define IDS "\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\""
#define CMD_DATA "\"data\":{\"name\":\"x\"}"
#define BUTTON_DATA "\"data\":{\"custom_id\":\"c\",\"component_type\":2}"
/* data any type would accept, so a bad type is refused for its type alone */
#define ANY_DATA "\"data\":{\"name\":\"x\",\"custom_id\":\"c\"}"

static void test_malformed(void **state)
{
  /* The first rows are the valid bodies the others each break in one place. */
  struct {
    const char *what, *body;
    enum pd_result want;
  } rows[] = {
      {"valid command", "{\"type\":2," IDS "," USER "," CMD_DATA "}", PD_OK},
      {"valid button", "{\"type\":3," IDS "," USER "," BUTTON_DATA "}", PD_OK},
      {"valid guild command", "{\"type\":2," IDS ",\"member\":{" USER "}," CMD_DATA "}", PD_OK},
      {"not JSON", "not json", PD_E_INVALID},
      {"empty body", "", PD_E_INVALID},
      {"truncated JSON", "{\"type\":2," IDS "," USER "," CMD_DATA, PD_E_INVALID},
      {"JSON array", "[{\"type\":2," IDS "," USER "," CMD_DATA "}]", PD_E_INVALID},
      {"JSON string", "\"type\"", PD_E_INVALID},
      {"JSON null", "null", PD_E_INVALID},
      {"type 0", "{\"type\":0," IDS "," USER "," ANY_DATA "}", PD_E_INVALID},
      {"type 6", "{\"type\":6," IDS "," USER "," ANY_DATA "}", PD_E_INVALID},
      {"type -1", "{\"type\":-1," IDS "," USER "," ANY_DATA "}", PD_E_INVALID},
      {"type \"2\"", "{\"type\":\"2\"," IDS "," USER "," ANY_DATA "}", PD_E_INVALID},
      {"type 2.0", "{\"type\":2.0," IDS "," USER "," ANY_DATA "}", PD_E_INVALID},
      {"type missing", "{" IDS "," USER "," ANY_DATA "}", PD_E_INVALID},
      {"ping type as a string", "{\"type\":\"1\"}", PD_E_INVALID},
      {"missing token", "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\"," USER "," CMD_DATA "}",
       PD_E_INVALID},
      {"token null",
       "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":null," USER "," CMD_DATA "}",
       PD_E_INVALID},
      {"missing id", "{\"type\":2,\"application_id\":\"2\",\"token\":\"t\"," USER "," CMD_DATA "}",
       PD_E_INVALID},
      {"missing application_id", "{\"type\":2,\"id\":\"1\",\"token\":\"t\"," USER "," CMD_DATA "}",
       PD_E_INVALID},
      {"command without data", "{\"type\":2," IDS "," USER "}", PD_E_INVALID},
      {"command data not an object", "{\"type\":2," IDS "," USER ",\"data\":[]}", PD_E_INVALID},
      {"command without data.name", "{\"type\":2," IDS "," USER ",\"data\":{}}", PD_E_INVALID},
      {"command data.name a number", "{\"type\":2," IDS "," USER ",\"data\":{\"name\":5}}",
       PD_E_INVALID},
      {"autocomplete without data.name", "{\"type\":4," IDS "," USER ",\"data\":{\"options\":[]}}",
       PD_E_INVALID},
      {"component without custom_id",
       "{\"type\":3," IDS "," USER ",\"data\":{\"component_type\":2}}", PD_E_INVALID},
      {"modal without custom_id", "{\"type\":5," IDS "," USER ",\"data\":{\"components\":[]}}",
       PD_E_INVALID},
      {"no user anywhere", "{\"type\":2," IDS "," CMD_DATA "}", PD_E_INVALID},
      {"member without user", "{\"type\":2," IDS ",\"member\":{\"roles\":[]}," CMD_DATA "}",
       PD_E_INVALID},
      {"user without id", "{\"type\":2," IDS ",\"user\":{\"username\":\"u\"}," CMD_DATA "}",
       PD_E_INVALID},
      {"user id a number", "{\"type\":2," IDS ",\"user\":{\"id\":9}," CMD_DATA "}", PD_E_INVALID},
      {"duplicate type", "{\"type\":2," IDS "," USER "," CMD_DATA ",\"type\":1}", PD_E_INVALID},
      {"duplicate token", "{\"type\":2," IDS ",\"token\":\"u\"," USER "," CMD_DATA "}",
       PD_E_INVALID},
      {"duplicate key inside data",
       "{\"type\":2," IDS "," USER ",\"data\":{\"name\":\"x\",\"name\":\"y\"}}", PD_E_INVALID},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct pd_interaction *ix = (struct pd_interaction *)&rows[i]; /* must be overwritten */
    char err[160] = "";
    enum pd_result rc =
        pd_interaction_parse(rows[i].body, strlen(rows[i].body), &ix, err, sizeof(err));
    if (rc != rows[i].want)
      fail_msg("%s: got %s (%s), want %s", rows[i].what, pd_result_str(rc), err,
               pd_result_str(rows[i].want));
    if (rc == PD_OK) {
      assert_non_null(ix);
      pd_interaction_free(ix);
      continue;
    }
    if (ix != NULL)
      fail_msg("%s: refused but *out was not cleared", rows[i].what);
    if (err[0] == '\0')
      fail_msg("%s: refused without a reason", rows[i].what);
  }
  pd_interaction_free(NULL);
}

/* The caller's entitlements: every field read; entries without id or sku_id, or with a
 * timestamp that is not one, are left out and the interaction still parses. */
static void test_entitlements(void **state)
{
  struct pd_interaction *ix = parse_str(
      "{\"type\":2,\"id\":\"1\",\"application_id\":\"11\",\"token\":\"t\",\"user\":{\"id\":"
      "\"" PLAYER "\"},\"data\":{\"name\":\"ping\"},\"entitlements\":["
      "{\"id\":\"1312345678901234567\",\"sku_id\":\"1300000000000000001\",\"application_id\":"
      "\"11\",\"user_id\":\"" PLAYER "\",\"type\":1,\"deleted\":false,\"starts_at\":null,"
      "\"ends_at\":null,\"consumed\":false},"
      "{\"id\":\"1312345678901234568\",\"sku_id\":\"1300000000000000009\",\"user_id\":\"" PLAYER
      "\",\"type\":8,\"deleted\":true,\"consumed\":true,"
      "\"starts_at\":\"2026-11-30T18:04:11.117000+00:00\",\"ends_at\":\"2026-12-30T18:04:11Z\"},"
      "{\"sku_id\":\"1300000000000000001\"},"
      "{\"id\":\"5\",\"sku_id\":\"6\",\"ends_at\":\"next tuesday\"},"
      "7]}");
  assert_int_equal(ix->nentitlements, 2);
  const struct pd_entitlement *a = &ix->entitlements[0], *b = &ix->entitlements[1];
  expect_str("a.id", a->id, "1312345678901234567");
  expect_str("a.sku_id", a->sku_id, "1300000000000000001");
  expect_str("a.user_id", a->user_id, PLAYER);
  assert_int_equal(a->type, PD_ENT_PURCHASE);
  assert_false(a->consumed);
  assert_false(a->deleted);
  assert_int_equal(a->starts_at, 0);
  assert_int_equal(a->ends_at, 0);
  assert_non_null(a->raw);
  assert_int_equal(b->type, PD_ENT_APPLICATION_SUBSCRIPTION);
  assert_true(b->consumed);
  assert_true(b->deleted);
  assert_int_equal(b->starts_at, 1796061851);
  assert_int_equal(b->ends_at, 1798653851);
  pd_interaction_free(ix);

  ix = parse_str("{\"type\":2,\"id\":\"1\",\"application_id\":\"11\",\"token\":\"t\","
                 "\"user\":{\"id\":\"" PLAYER "\"},\"data\":{\"name\":\"ping\"},"
                 "\"entitlements\":[]}");
  assert_int_equal(ix->nentitlements, 0);
  assert_null(ix->entitlements);
  pd_interaction_free(ix);
}

/* Discord's timestamps, with and without a fraction, in UTC or with an offset. */
static void test_iso8601(void **state)
{
  static const struct {
    const char *in;
    enum pd_result want;
    int64_t unix_s;
  } rows[] = {
      {"2026-11-30T18:04:11.117000+00:00", PD_OK, 1796061851},
      {"2026-11-30T18:04:11Z", PD_OK, 1796061851},
      {"2026-11-30T20:04:11+02:00", PD_OK, 1796061851},
      {"1970-01-01T00:00:00+00:00", PD_OK, 0},
      {"2026-11-30 18:04:11", PD_E_INVALID, 0},
      {"2026-11-30T18:04:11", PD_E_INVALID, 0},
      {"2026-13-30T18:04:11Z", PD_E_INVALID, 0},
      {"2026-11-30T18:04:11.Z", PD_E_INVALID, 0},
      {"2026-11-30T18:04:11+0000", PD_E_INVALID, 0},
      {"", PD_E_INVALID, 0},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    int64_t got = -1;
    enum pd_result rc = pd_iso8601_parse(rows[i].in, &got);
    if (rc != rows[i].want || (rc == PD_OK && got != rows[i].unix_s))
      fail_msg("%s: got %s %lld", rows[i].in, pd_result_str(rc), (long long)got);
  }
  assert_int_equal(pd_iso8601_parse(NULL, &(int64_t){0}), PD_E_INVALID);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixture_shapes),        cmocka_unit_test(test_ping),
      cmocka_unit_test(test_guild_member_roles),    cmocka_unit_test(test_display_name),
      cmocka_unit_test(test_dm_user_at_top_level),  cmocka_unit_test(test_user_option_resolved),
      cmocka_unit_test(test_autocomplete_focused),  cmocka_unit_test(test_components),
      cmocka_unit_test(test_subcommands_flattened), cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_entitlements),          cmocka_unit_test(test_iso8601),
  };
  return cmocka_run_group_tests_name("test_interaction", tests, NULL, NULL);
}
