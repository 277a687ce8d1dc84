/* commands.c - the command table and the registration body built from it. */
#include "commands.h"

#include <string.h>

static const struct pd_option_spec balance_options[] = {
  {"user", PD_OPT_USER, "Whose balances to show (yourself if empty)", false, false},
  {NULL, 0, NULL, false, false},
};

const struct pd_command pd_commands[] = {
  {"ping", cmd_ping, PD_CMD_EPHEMERAL, "Check that PopDeck is awake and how fast it answers", NULL},
  {"help", cmd_help, PD_CMD_EPHEMERAL, "What PopDeck can do", NULL},
  {"profile", cmd_profile, PD_CMD_DEFER | PD_CMD_WRITE, "Your PopDeck profile: balances and join date", NULL},
  {"balance", cmd_balance, 0, "Notes, Discs and Gems of you or another player", balance_options},
  {"daily", cmd_daily, PD_CMD_WRITE, "Claim your daily Notes", NULL},
  {NULL, NULL, 0, NULL, NULL},
};

const struct pd_command *pd_command_find(const char *name)
{
  for (const struct pd_command *c = pd_commands; name != NULL && c->name != NULL; c++)
    if (strcmp(c->name, name) == 0)
      return c;
  return NULL;
}

json_t *pd_commands_registration(void)
{
  json_t *list = json_array();
  for (const struct pd_command *c = pd_commands; list != NULL && c->name != NULL; c++) {
    /* contexts: 0 guild, 1 bot DM; guild-only commands are offered only in guilds. */
    json_t *cmd = json_pack("{s:s, s:i, s:s, s:[i]}", "name", c->name, "type", 1, "description", c->description,
                            "contexts", 0);
    if (cmd == NULL) {
      json_decref(list);
      return NULL;
    }
    if (!(c->flags & PD_CMD_GUILD_ONLY))
      json_array_append_new(json_object_get(cmd, "contexts"), json_integer(1));
    if (c->flags & PD_CMD_ADMIN)
      json_object_set_new(cmd, "default_member_permissions", json_string("0"));
    if (c->options != NULL) {
      json_t *opts = json_array();
      for (const struct pd_option_spec *o = c->options; o->name != NULL; o++) {
        json_t *oj = json_pack("{s:s, s:i, s:s, s:b}", "name", o->name, "type", o->type, "description",
                               o->description, "required", o->required);
        if (o->autocomplete)
          json_object_set_new(oj, "autocomplete", json_true());
        json_array_append_new(opts, oj);
      }
      json_object_set_new(cmd, "options", opts);
    }
    json_array_append_new(list, cmd);
  }
  return list;
}
