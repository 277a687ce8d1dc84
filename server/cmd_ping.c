/* cmd_ping.c - /ping: is PopDeck awake, and how long did the interaction take to reach us. */
#include <stdio.h>
#include <time.h>

#include "commands.h"
#include "reply.h"

enum pd_result cmd_ping(struct pd_ctx *ctx)
{
  struct timespec now;
  char text[160];
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
  int64_t created_ms = pd_snowflake_ms(ctx->ix->id);
  int64_t transit = created_ms > 0 ? now_ms - created_ms : -1;
  if (transit >= 0 && transit < 60000)
    snprintf(text, sizeof(text),
             "Pong! Discord to PopDeck took **%lld ms**; answering takes about a millisecond.",
             (long long)transit);
  else
    snprintf(text, sizeof(text), "Pong! PopDeck is awake and answering.");
  return pd_ctx_reply(ctx, pd_reply_text(text, 0));
}
