/* test_interaction.c - parsing interactions in the shapes Discord sends (lib/interaction.c).
 * Fixtures in test/fixtures/discord/ are Discord's example payloads (MIT, see LICENSE there). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interaction.h"

static struct pd_interaction *parse_file(const char *name)
{
  char path[256], err[160];
  snprintf(path, sizeof(path), "test/fixtures/discord/%s.json", name);
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    fail_msg("missing fixture %s (run from the repository root)", path);
  static char buf[65536];
  size_t n = fread(buf, 1, sizeof(buf), f);
  fclose(f);
  struct pd_interaction *ix = NULL;
  if (pd_interaction_parse(buf, n, &ix, err, sizeof(err)) != PD_OK)
    fail_msg("%s: %s", name, err);
  return ix;
}

static void test_guild_command(void **state)
{
  struct pd_interaction *ix = parse_file("command-in-guild");
  assert_int_equal(ix->type, PD_IX_COMMAND);
  assert_string_equal(ix->command_name, "daily");
  assert_string_equal(ix->user.id, "80351110224678912");
  assert_string_equal(pd_user_display_name(&ix->user), "Player 8912");
  assert_string_equal(ix->guild_id, "2222222222222222222");
  assert_non_null(ix->roles);
  assert_null(ix->premium_since);
  assert_string_equal(ix->locale, "en-US");
  assert_non_null(ix->options);
  assert_int_equal(json_array_size(ix->options), 0);
  pd_interaction_free(ix);
}

static void test_dm_command(void **state)
{
  struct pd_interaction *ix = parse_file("command-in-dm");
  assert_string_equal(ix->command_name, "profile");
  assert_null(ix->guild_id);
  assert_null(ix->roles);
  assert_non_null(ix->user.id);
  pd_interaction_free(ix);
}

static void test_booster_and_string_option(void **state)
{
  struct pd_interaction *ix = parse_file("command-from-booster");
  assert_non_null(ix->premium_since);
  assert_string_equal(pd_interaction_option_str(ix, "pack"), "standard-3");
  assert_null(pd_interaction_option_str(ix, "nope"));
  pd_interaction_free(ix);
}

static void test_user_option_resolved(void **state)
{
  struct pd_interaction *ix = parse_file("command-with-user-option");
  const char *id = pd_interaction_option_str(ix, "user");
  assert_string_equal(id, "53908232506183680");
  json_t *u = pd_interaction_resolved_user(ix, id);
  assert_string_equal(json_string_value(json_object_get(u, "username")), "player3680");
  assert_null(pd_interaction_resolved_user(ix, "1"));
  pd_interaction_free(ix);
}

static void test_autocomplete_focused(void **state)
{
  struct pd_interaction *ix = parse_file("autocomplete");
  assert_int_equal(ix->type, PD_IX_AUTOCOMPLETE);
  json_t *f = pd_interaction_focused(ix);
  assert_string_equal(json_string_value(json_object_get(f, "value")), "tay");
  pd_interaction_free(ix);
}

static void test_components_and_modal(void **state)
{
  struct pd_interaction *ix = parse_file("button-press");
  assert_int_equal(ix->type, PD_IX_COMPONENT);
  assert_string_equal(ix->custom_id, "pick:EXAMPLE:1");
  assert_int_equal(ix->component_type, 2);
  assert_null(ix->command_name);
  pd_interaction_free(ix);
  ix = parse_file("select-menu");
  assert_string_equal(ix->custom_id, "shop:item");
  assert_string_equal(json_string_value(json_array_get(ix->values, 0)), "premium-5");
  pd_interaction_free(ix);
  ix = parse_file("modal-submit");
  assert_int_equal(ix->type, PD_IX_MODAL_SUBMIT);
  assert_string_equal(ix->custom_id, "sell:modal");
  pd_interaction_free(ix);
  ix = parse_file("ping");
  assert_int_equal(ix->type, PD_IX_PING);
  pd_interaction_free(ix);
}

static void test_subcommands_flattened(void **state)
{
  const char *body =
    "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",\"user\":{\"id\":\"9\",\"username\":\"u\"},"
    "\"data\":{\"name\":\"admin\",\"options\":[{\"name\":\"ingest\",\"type\":2,\"options\":[{\"name\":\"artist\","
    "\"type\":1,\"options\":[{\"name\":\"name\",\"type\":3,\"value\":\"IU\"}]}]}]}}";
  struct pd_interaction *ix = NULL;
  char err[160];
  assert_int_equal(pd_interaction_parse(body, strlen(body), &ix, err, sizeof(err)), PD_OK);
  assert_string_equal(ix->subcommand, "artist");
  assert_string_equal(pd_interaction_option_str(ix, "name"), "IU");
  assert_string_equal(pd_user_display_name(&ix->user), "u");
  pd_interaction_free(ix);
}

static void test_malformed(void **state)
{
  const char *user = "\"user\":{\"id\":\"9\"}";
  char rows[12][256];
  int n = 0;
  snprintf(rows[n++], 256, "not json");
  snprintf(rows[n++], 256, "[1,2]");
  snprintf(rows[n++], 256, "{\"type\":0}");
  snprintf(rows[n++], 256, "{\"type\":6,\"id\":\"1\"}");
  snprintf(rows[n++], 256, "{\"type\":\"2\"}");
  snprintf(rows[n++], 256, "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",%s,\"data\":{\"name\":\"x\"}}", user);
  snprintf(rows[n++], 256, "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",%s,\"data\":{}}", user);
  snprintf(rows[n++], 256, "{\"type\":3,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",%s,\"data\":{}}", user);
  snprintf(rows[n++], 256, "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",\"data\":{\"name\":\"x\"}}");
  snprintf(rows[n++], 256, "{\"type\":2,\"type\":1}");
  snprintf(rows[n++], 256, "{\"type\":2,\"id\":\"1\",\"application_id\":\"2\",\"token\":\"t\",%s}", user);
  for (int i = 0; i < n; i++) {
    struct pd_interaction *ix = NULL;
    char err[160] = "";
    if (pd_interaction_parse(rows[i], strlen(rows[i]), &ix, err, sizeof(err)) != PD_E_INVALID)
      fail_msg("row %d accepted: %s", i, rows[i]);
    assert_null(ix);
    assert_true(err[0] != '\0');
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_guild_command),          cmocka_unit_test(test_dm_command),
    cmocka_unit_test(test_booster_and_string_option), cmocka_unit_test(test_user_option_resolved),
    cmocka_unit_test(test_autocomplete_focused),   cmocka_unit_test(test_components_and_modal),
    cmocka_unit_test(test_subcommands_flattened),  cmocka_unit_test(test_malformed),
  };
  return cmocka_run_group_tests_name("test_interaction", tests, NULL, NULL);
}
