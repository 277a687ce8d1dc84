/* test_commands.c - invariants of the command table (server/commands.c) that Discord enforces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "commands.h"
#include "reply.h"

static bool valid_name(const char *s)
{
  size_t n = strlen(s);
  if (n < 1 || n > 32)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
      return false;
  return true;
}

static void test_table_invariants(void **state)
{
  size_t count = 0;
  for (const struct pd_command *c = pd_commands; c->name != NULL; c++, count++) {
    if (!valid_name(c->name))
      fail_msg("command name \"%s\" is not 1-32 lowercase characters", c->name);
    size_t d = pd_utf8_len(c->description);
    if (d < 1 || d > 100)
      fail_msg("/%s description is %zu characters", c->name, d);
    assert_non_null(c->handler);
    for (const struct pd_command *o = pd_commands; o < c; o++)
      if (strcmp(o->name, c->name) == 0)
        fail_msg("/%s appears twice", c->name);
    assert_ptr_equal(pd_command_find(c->name), c);
    size_t nopts = 0;
    bool optional_seen = false;
    for (const struct pd_option_spec *o = c->options; o != NULL && o->name != NULL; o++, nopts++) {
      if (!valid_name(o->name))
        fail_msg("/%s option \"%s\" badly named", c->name, o->name);
      size_t od = pd_utf8_len(o->description);
      if (od < 1 || od > 100)
        fail_msg("/%s option %s description is %zu characters", c->name, o->name, od);
      if (o->required && optional_seen)
        fail_msg("/%s: required option %s after an optional one", c->name, o->name);
      optional_seen |= !o->required;
      assert_true(o->type >= 1 && o->type <= 11);
    }
    assert_true(nopts <= 25);
  }
  assert_true(count >= 5 && count <= 100);
  assert_null(pd_command_find("nope"));
  assert_null(pd_command_find(NULL));
}

static void test_registration_matches_table(void **state)
{
  json_t *reg = pd_commands_registration();
  size_t i;
  json_t *cmd;
  const struct pd_command *c = pd_commands;
  json_array_foreach(reg, i, cmd) {
    assert_string_equal(json_string_value(json_object_get(cmd, "name")), c->name);
    assert_string_equal(json_string_value(json_object_get(cmd, "description")), c->description);
    assert_int_equal(json_integer_value(json_object_get(cmd, "type")), 1);
    json_t *ctx = json_object_get(cmd, "contexts");
    assert_int_equal(json_array_size(ctx), (c->flags & PD_CMD_GUILD_ONLY) ? 1 : 2);
    assert_null(json_object_get(cmd, "flags")); /* dispatch flags are ours, not Discord's */
    size_t k = 0;
    for (const struct pd_option_spec *o = c->options; o != NULL && o->name != NULL; o++, k++) {
      json_t *oj = json_array_get(json_object_get(cmd, "options"), k);
      assert_string_equal(json_string_value(json_object_get(oj, "name")), o->name);
      assert_int_equal(json_integer_value(json_object_get(oj, "type")), o->type);
    }
    c++;
  }
  assert_null(c->name); /* every table entry was registered */
  json_decref(reg);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_table_invariants),
    cmocka_unit_test(test_registration_matches_table),
  };
  return cmocka_run_group_tests_name("test_commands", tests, NULL, NULL);
}
