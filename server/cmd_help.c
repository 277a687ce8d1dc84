/* cmd_help.c - /help: every command and its description, read from the command table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "reply.h"

enum pd_result cmd_help(struct pd_ctx *ctx)
{
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL)
    return PD_E_NOMEM;
  /* /admin is listed for admins only; with the database down, for ADMIN_FILE's. */
  struct pd_db *db = NULL;
  bool admin = false, owner = false;
  if (pd_ctx_db(ctx, &db) != PD_OK)
    db = NULL;
  if (pd_app_admin_role(ctx->app, db, ctx->ix->user.id, &admin, &owner) != PD_OK)
    pd_app_admin_role(ctx->app, NULL, ctx->ix->user.id, &admin, &owner);
  for (const struct pd_command *c = pd_commands; c->name != NULL; c++) {
    if (((c->flags & PD_CMD_ADMIN) && !admin) || !pd_command_is_slash(c))
      continue;
    fprintf(f, "**/%s**", c->name);
    for (const struct pd_option_spec *o = c->options; o != NULL && o->name != NULL; o++)
      fprintf(f, o->required ? " `%s`" : " `[%s]`", o->name);
    for (const struct pd_subcommand_spec *sc = c->subcommands; sc != NULL && sc->name != NULL; sc++)
      fprintf(f, "%s`%s`", sc == c->subcommands ? " " : "|", sc->name);
    fprintf(f, " - %s%s\n", c->description, (c->flags & PD_CMD_GUILD_ONLY) ? " (in servers)" : "");
  }
  if (fclose(f) != 0) {
    free(text);
    return PD_E_NOMEM;
  }
  json_t *data = json_pack("{s:[{s:s, s:s, s:i, s:{s:s}}]}", "embeds", "title", "PopDeck commands",
                           "description", text, "color", PD_COLOR_BRAND, "footer", "text",
                           "Open packs, keep the card you love, collect every era.");
  free(text);
  return pd_ctx_reply(ctx, data);
}
