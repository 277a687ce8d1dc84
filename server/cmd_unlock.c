/* cmd_unlock.c - /unlock card: a locked copy becomes free to sell, trade, gift or burn. */
#include <string.h>

#include "commands.h"
#include "copies.h"
#include "reply.h"
#include "utf8.h"

enum pd_result cmd_unlock(struct pd_ctx *ctx)
{
  struct pd_copy c;
  struct pd_db *db = NULL;
  enum pd_result rc = pd_ctx_copy(ctx, "card", &c);
  if (rc != PD_OK)
    return rc;
  if (strcmp(c.state, "locked") != 0)
    return pd_ctx_user_error(ctx, "**%s** isn't locked (it is %s). `/lock card:%s` locks it.",
                             c.ref, c.state, c.ref);
  rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_copy_set_state(db, c.id, ctx->player.id, "locked", "free");
  if (rc != PD_OK)
    return rc;
  char text[400];
  pd_utf8_fmt(text, sizeof(text),
              "Unlocked **%s** (%s · %s · %s). It can be sold, traded, gifted or burned again.",
              c.ref, c.artist, c.era, c.rarity);
  return pd_ctx_reply(ctx, pd_reply_text(text, 0));
}
