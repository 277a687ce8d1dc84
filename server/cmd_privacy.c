/* cmd_privacy.c - /privacy on|off: whether others may look at your collection. */
#include <string.h>

#include "commands.h"
#include "db_collection.h"
#include "db_users.h"
#include "reply.h"

enum pd_result cmd_privacy(struct pd_ctx *ctx)
{
  const char *mode =
      pd_interaction_option_str(ctx->ix, "mode"); /* "on" or "off": the table's choices */
  struct pd_db *db = NULL;
  bool on = strcmp(mode, "on") == 0;
  enum pd_result rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_privacy_set(db, ctx->player.id, on);
  if (rc != PD_OK)
    return rc;
  return pd_ctx_reply(
      ctx,
      pd_reply_text(on ? "Your collection is now private: /inventory shows it to no one but you."
                       : "Your collection is now public: anyone can look at it with /inventory.",
                    0));
}
