/* cmd_lock.c - /lock card: keeps one of the player's copies from being sold, traded, gifted or
 * burned until /unlock.  Only a free copy can be locked (a listed or traded one is already
 * held somewhere, and the refusal says where). */
#include <string.h>

#include "commands.h"
#include "copies.h"
#include "reply.h"
#include "utf8.h"

enum pd_result cmd_lock(struct pd_ctx *ctx)
{
  struct pd_copy c;
  struct pd_db *db = NULL;
  enum pd_result rc = pd_ctx_copy(ctx, "card", &c);
  if (rc != PD_OK)
    return rc;
  if (strcmp(c.state, "locked") == 0)
    return pd_ctx_user_error(ctx, "**%s** is already locked. `/unlock card:%s` frees it.", c.ref,
                             c.ref);
  rc = pd_ctx_copy_free(ctx, &c, "locked");
  if (rc == PD_OK)
    rc = pd_ctx_db(ctx, &db);
  if (rc == PD_OK)
    rc = pd_db_copy_set_state(db, c.id, ctx->player.id, "free", "locked");
  if (rc != PD_OK)
    return rc; /* the row is ours FOR UPDATE: a conflict here is a bug, not a race */
  char text[400];
  pd_utf8_fmt(text, sizeof(text),
              "Locked **%s** (%s · %s · %s). It can't be sold, traded, gifted or burned until you "
              "`/unlock card:%s`.",
              c.ref, c.artist, c.era, c.rarity, c.ref);
  return pd_ctx_reply(ctx, pd_reply_text(text, 0));
}
