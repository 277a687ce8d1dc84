/* test_commands.c - invariants of the command table (server/commands.c) that Discord enforces,
 * and the registration body built from it.  Handlers are linked, never called. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "commands.h"
#include "reply.h"

#define KNOWN_FLAGS                                                                                \
  (PD_CMD_DEFER | PD_CMD_EPHEMERAL | PD_CMD_WRITE | PD_CMD_ADMIN | PD_CMD_GUILD_ONLY |             \
   PD_CMD_PLAYER)

/* Discord's rule for command and option names, as PopDeck uses it: 1-32 of a-z 0-9 - _. */
static bool valid_name(const char *s)
{
  size_t n = s != NULL ? strlen(s) : 0;
  if (n < 1 || n > 32)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
          s[i] == '_'))
      return false;
  return true;
}

static bool valid_description(const char *s)
{
  size_t n = s != NULL ? pd_utf8_len(s) : 0;
  return n >= 1 && n <= 100;
}

/* The checker itself must refuse what Discord refuses. */
static void test_name_rule(void **state)
{
  struct {
    const char *name;
    bool ok;
  } rows[] = {
      {"ping", true},
      {"open-pack", true},
      {"trade_2", true},
      {"a", true},
      {"abcdefghijklmnopqrstuvwxyz012345", true},
      {"abcdefghijklmnopqrstuvwxyz0123456", false},
      {"", false},
      {NULL, false},
      {"Ping", false},
      {"open pack", false},
      {"caf\xC3\xA9", false},
      {"/ping", false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    if (valid_name(rows[i].name) != rows[i].ok)
      fail_msg("\"%s\" should be %s", rows[i].name ? rows[i].name : "NULL",
               rows[i].ok ? "valid" : "invalid");
}

/* Discord's rules for one option list: names, descriptions, order, types, at most 25. */
static void check_option_list(const char *name, const struct pd_option_spec *list)
{
  size_t nopts = 0;
  bool optional_seen = false;
  for (const struct pd_option_spec *o = list; o != NULL && o->name != NULL; o++, nopts++) {
    if (!valid_name(o->name))
      fail_msg("/%s option \"%s\" badly named", name, o->name);
    if (!valid_description(o->description))
      fail_msg("/%s option %s description is not 1-100 characters", name, o->name);
    if (o->required && optional_seen)
      fail_msg("/%s: required option %s after an optional one", name, o->name);
    optional_seen |= !o->required;
    if (o->type < PD_OPT_SUB_COMMAND || o->type > PD_OPT_ATTACHMENT)
      fail_msg("/%s option %s has type %d", name, o->name, o->type);
    if (o->autocomplete && o->type != PD_OPT_STRING && o->type != PD_OPT_INTEGER &&
        o->type != PD_OPT_NUMBER)
      fail_msg("/%s option %s: autocomplete on a type %d option", name, o->name, o->type);
    for (const struct pd_option_spec *p = list; p < o; p++)
      if (strcmp(p->name, o->name) == 0)
        fail_msg("/%s option %s appears twice", name, o->name);
  }
  if (nopts > 25)
    fail_msg("/%s has %zu options", name, nopts);
}

static void test_table_invariants(void **state)
{
  size_t count = 0;
  for (const struct pd_command *c = pd_commands; c->name != NULL; c++, count++) {
    if (!valid_name(c->name))
      fail_msg("command name \"%s\" is not 1-32 of a-z0-9-_", c->name);
    if (!valid_description(c->description))
      fail_msg("/%s description is not 1-100 characters", c->name);
    if (c->handler == NULL && c->component == NULL)
      fail_msg("/%s answers nothing: neither a slash handler nor a component one", c->name);
    /* Choices are checked by the dispatcher against what the player sent: only text has them. */
    for (const struct pd_option_spec *o = c->options; o != NULL && o->name != NULL; o++)
      if ((o->choices != NULL || o->pack_choices || o->bundle_choices) && o->type != PD_OPT_STRING)
        fail_msg("/%s option %s has choices but is not a string", c->name, o->name);
    if (c->handler == NULL && (c->options != NULL || c->autocomplete != NULL))
      fail_msg("/%s has options or autocomplete but no slash command to carry them", c->name);
    if ((c->flags & ~(unsigned)KNOWN_FLAGS) != 0)
      fail_msg("/%s has unknown flags %#x", c->name, c->flags);
    for (const struct pd_command *o = pd_commands; o < c; o++)
      if (strcmp(o->name, c->name) == 0)
        fail_msg("/%s appears twice", c->name);
    if (c->subcommands != NULL && c->options != NULL)
      fail_msg("/%s has both options and sub-commands", c->name);
    check_option_list(c->name, c->options);
    size_t nsub = 0;
    for (const struct pd_subcommand_spec *sc = c->subcommands; sc != NULL && sc->name != NULL;
         sc++, nsub++) {
      if (!valid_name(sc->name) || !valid_description(sc->description))
        fail_msg("/%s sub-command \"%s\" badly named or described", c->name, sc->name);
      for (const struct pd_subcommand_spec *p = c->subcommands; p < sc; p++)
        if (strcmp(p->name, sc->name) == 0)
          fail_msg("/%s sub-command %s appears twice", c->name, sc->name);
      check_option_list(c->name, sc->options);
    }
    if (nsub > 25)
      fail_msg("/%s has %zu sub-commands", c->name, nsub);
  }
  if (count < 1 || count > 100)
    fail_msg("%zu commands (Discord allows up to 100)", count);
}

static void test_find(void **state)
{
  for (const struct pd_command *c = pd_commands; c->name != NULL; c++)
    if (pd_command_find(c->name) != c)
      fail_msg("pd_command_find(\"%s\") does not find its entry", c->name);
  static const char *unknown[] = {"nope", "", "PING", "pin", "pingx", "ping ", " ping", "help\n"};
  for (size_t i = 0; i < PD_ARRAY_LEN(unknown); i++)
    if (pd_command_find(unknown[i]) != NULL)
      fail_msg("pd_command_find(\"%s\") found something", unknown[i]);
  assert_null(pd_command_find(NULL));
}

/* Each entry of the PUT /applications/{id}/commands body says exactly what the table says. */
/* The registered options opts say exactly what the table's list says. */
static void check_registered(const char *name, json_t *opts, const struct pd_option_spec *list,
                             const struct pd_game_config *game)
{
  static const char *option_keys[] = {"name",         "type",    "description", "required",
                                      "autocomplete", "choices", "min_value",   "max_value"};
  const char *key;
  json_t *v;
  size_t k = 0;
  for (const struct pd_option_spec *o = list; o != NULL && o->name != NULL; o++, k++) {
    json_t *oj = json_array_get(opts, k);
    if (oj == NULL)
      fail_msg("/%s option %s is not registered", name, o->name);
    json_object_foreach(oj, key, v)
    {
      bool ok = false;
      for (size_t m = 0; m < PD_ARRAY_LEN(option_keys); m++)
        ok |= strcmp(key, option_keys[m]) == 0;
      if (!ok)
        fail_msg("/%s option %s registers unknown field \"%s\"", name, o->name, key);
    }
    assert_string_equal(json_string_value(json_object_get(oj, "name")), o->name);
    assert_string_equal(json_string_value(json_object_get(oj, "description")), o->description);
    assert_int_equal(json_integer_value(json_object_get(oj, "type")), o->type);
    assert_true(json_is_boolean(json_object_get(oj, "required")));
    assert_int_equal(json_is_true(json_object_get(oj, "required")), o->required);
    assert_int_equal(json_is_true(json_object_get(oj, "autocomplete")), o->autocomplete);
    /* Amounts carry the economy's range, so Discord's client refuses the rest. */
    if (o->amount) {
      assert_int_equal(o->type, PD_OPT_INTEGER);
      assert_int_equal(json_integer_value(json_object_get(oj, "min_value")), 1);
      assert_int_equal(json_integer_value(json_object_get(oj, "max_value")), 1000000000);
    } else {
      assert_null(json_object_get(oj, "min_value"));
    }
    /* Pack choices are the configured packs, value = id, name = what players read. */
    json_t *choices = json_object_get(oj, "choices");
    if (o->pack_choices) {
      assert_int_equal(json_array_size(choices), game->npacks);
      for (size_t m = 0; m < game->npacks; m++) {
        assert_string_equal(json_string_value(json_object_get(json_array_get(choices, m), "value")),
                            game->packs[m].id);
        assert_string_equal(json_string_value(json_object_get(json_array_get(choices, m), "name")),
                            game->packs[m].name);
      }
    } else if (o->bundle_choices) {
      /* Bundle choices are the bundles money buys (those with a price). */
      size_t priced = 0;
      for (size_t m = 0; m < game->nbundles; m++) {
        if (game->bundles[m].nprices == 0)
          continue;
        json_t *ch = json_array_get(choices, priced++);
        assert_string_equal(json_string_value(json_object_get(ch, "value")), game->bundles[m].id);
        assert_string_equal(json_string_value(json_object_get(ch, "name")), game->bundles[m].name);
      }
      assert_int_equal(json_array_size(choices), priced);
      assert_true(priced > 0);
    } else if (o->choices == NULL) {
      assert_null(choices);
    }
  }
  if (json_array_size(opts) != k)
    fail_msg("/%s registers %zu options, the table has %zu", name, json_array_size(opts), k);
}

static void test_registration_matches_table(void **state)
{
  static const char *allowed[] = {"name",     "type",    "description",
                                  "contexts", "options", "default_member_permissions"};
  struct pd_game_config *game = NULL;
  char err[256];
  assert_int_equal(pd_game_config_load("assets/packs.json", &game, err, sizeof(err)), PD_OK);
  json_t *reg = pd_commands_registration(game);
  assert_true(json_is_array(reg));
  const struct pd_command *c = pd_commands;
  size_t i;
  json_t *cmd;
  json_array_foreach(reg, i, cmd)
  {
    while (c->name != NULL && !pd_command_is_slash(c))
      c++; /* entries that only answer buttons are not slash commands */
    if (c->name == NULL)
      fail_msg("registration has more entries than the table");
    const char *key;
    json_t *v;
    json_object_foreach(cmd, key, v)
    {
      bool ok = false;
      for (size_t k = 0; k < PD_ARRAY_LEN(allowed); k++)
        ok |= strcmp(key, allowed[k]) == 0;
      if (!ok) /* dispatch flags such as DEFER are ours, not Discord's */
        fail_msg("/%s registers unknown field \"%s\"", c->name, key);
    }
    assert_string_equal(json_string_value(json_object_get(cmd, "name")), c->name);
    assert_string_equal(json_string_value(json_object_get(cmd, "description")), c->description);
    assert_true(json_is_integer(json_object_get(cmd, "type")));
    assert_int_equal(json_integer_value(json_object_get(cmd, "type")), 1); /* CHAT_INPUT */

    json_t *ctx = json_object_get(cmd, "contexts");
    size_t want_ctx = (c->flags & PD_CMD_GUILD_ONLY) ? 1 : 2; /* 0 guild, 1 bot DM */
    if (!json_is_array(ctx) || json_array_size(ctx) != want_ctx)
      fail_msg("/%s contexts should hold %zu entries", c->name, want_ctx);
    for (size_t k = 0; k < want_ctx; k++)
      if (!json_is_integer(json_array_get(ctx, k)) ||
          json_integer_value(json_array_get(ctx, k)) != (json_int_t)k)
        fail_msg("/%s contexts[%zu] is not %zu", c->name, k, k);

    json_t *perms = json_object_get(cmd, "default_member_permissions");
    if ((c->flags & PD_CMD_ADMIN) ? !(json_is_integer(perms) && json_integer_value(perms) == 0)
                                  : perms != NULL)
      fail_msg("/%s default_member_permissions does not match its ADMIN flag", c->name);

    json_t *opts = json_object_get(cmd, "options");
    if (c->subcommands == NULL) {
      check_registered(c->name, opts, c->options, game);
    } else {
      size_t k = 0;
      for (const struct pd_subcommand_spec *sc = c->subcommands; sc->name != NULL; sc++, k++) {
        json_t *sj = json_array_get(opts, k);
        if (sj == NULL || strcmp(json_string_value(json_object_get(sj, "name")), sc->name) != 0)
          fail_msg("/%s sub-command %s is not registered in place", c->name, sc->name);
        assert_string_equal(json_string_value(json_object_get(sj, "description")), sc->description);
        if (sc->group == NULL) {
          assert_int_equal(json_integer_value(json_object_get(sj, "type")), PD_OPT_SUB_COMMAND);
          check_registered(c->name, json_object_get(sj, "options"), sc->options, game);
          continue;
        }
        /* A group: type 2, its sub-commands in order, each with its options. */
        assert_int_equal(json_integer_value(json_object_get(sj, "type")), PD_OPT_SUB_COMMAND_GROUP);
        assert_null(sc->options);
        json_t *subs = json_object_get(sj, "options");
        size_t g = 0;
        for (const struct pd_subcommand_spec *gs = sc->group; gs->name != NULL; gs++, g++) {
          json_t *gj = json_array_get(subs, g);
          if (gj == NULL || strcmp(json_string_value(json_object_get(gj, "name")), gs->name) != 0)
            fail_msg("/%s %s %s is not registered in place", c->name, sc->name, gs->name);
          assert_int_equal(json_integer_value(json_object_get(gj, "type")), PD_OPT_SUB_COMMAND);
          check_registered(c->name, json_object_get(gj, "options"), gs->options, game);
          /* The dispatcher finds it by its path. */
          char path[80];
          snprintf(path, sizeof(path), "%s %s", sc->name, gs->name);
          assert_ptr_equal(pd_command_sub(c, path), gs);
        }
        assert_int_equal(json_array_size(subs), g);
        assert_null(pd_command_sub(c, sc->name)); /* a group alone is no sub-command */
      }
      if (json_array_size(opts) != k)
        fail_msg("/%s registers %zu sub-commands, the table has %zu", c->name,
                 json_array_size(opts), k);
    }
    c++;
  }
  while (c->name != NULL && !pd_command_is_slash(c))
    c++;
  if (c->name != NULL)
    fail_msg("/%s is in the table but not registered", c->name);
  json_decref(reg);
  pd_game_config_free(game);
}

/* Discord refuses a command whose names, descriptions and choice values (its options, sub-commands
 * and groups included) add up to more than 4000 characters (code points). */
static size_t chars_of(const char *s)
{
  size_t n = 0;
  for (; s != NULL && *s != '\0'; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

static size_t command_chars(json_t *j)
{
  size_t n = chars_of(json_string_value(json_object_get(j, "name"))) +
             chars_of(json_string_value(json_object_get(j, "description")));
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(j, "options"), i, v) n += command_chars(v);
  json_array_foreach(json_object_get(j, "choices"), i, v)
  {
    n += chars_of(json_string_value(json_object_get(v, "name")));
    n += chars_of(json_string_value(json_object_get(v, "value")));
  }
  return n;
}

static void test_registration_within_discord_size(void **state)
{
  char err[256];
  struct pd_game_config *game = NULL;
  assert_int_equal(pd_game_config_load("assets/packs.json", &game, err, sizeof(err)), PD_OK);
  json_t *reg = pd_commands_registration(game);
  size_t i;
  json_t *cmd;
  json_array_foreach(reg, i, cmd)
  {
    size_t n = command_chars(cmd);
    if (n > 4000)
      fail_msg("/%s registers %zu characters; Discord takes at most 4000",
               json_string_value(json_object_get(cmd, "name")), n);
    if (json_array_size(json_object_get(cmd, "options")) > 25)
      fail_msg("/%s has more than 25 options or sub-commands",
               json_string_value(json_object_get(cmd, "name")));
  }
  json_decref(reg);
  pd_game_config_free(game);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_name_rule),
      cmocka_unit_test(test_table_invariants),
      cmocka_unit_test(test_find),
      cmocka_unit_test(test_registration_matches_table),
      cmocka_unit_test(test_registration_within_discord_size),
  };
  return cmocka_run_group_tests_name("test_commands", tests, NULL, NULL);
}
