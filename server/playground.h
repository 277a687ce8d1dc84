/* playground.h - /play: PopDeck in a browser page that behaves like a Discord channel, for
 * development only.  The page's actions become interactions built as `popdeck try` builds them,
 * signed with the development key and sent through this server's own /interactions; follow-ups
 * and DMs reach the page from the development Discord double (build/double-discord).
 *
 * It mounts only when this server holds the private half of DISCORD_PUBLIC_KEY (DEV_KEY_FILE)
 * and DISCORD_API_BASE is a loopback double: no real Discord application can be both, since
 * Discord keeps its private key.  Otherwise every /play path is 404 and the log says why. */
#ifndef PD_PLAYGROUND_H
#define PD_PLAYGROUND_H

#include <stddef.h>

#include "app.h"

struct pd_playground;

/* What a /play request gets: status, Content-Type and body (malloc'd). */
struct pd_play_answer {
  int status;
  const char *content_type;
  char *body;
  size_t len;
};

/* Decides whether to mount (and logs either way).  *out is NULL when not mounted, which is not
 * an error.  port is where this server's main listener took its port (for its /interactions). */
enum pd_result pd_playground_new(struct pd_app *app, int port, struct pd_playground **out);
void pd_playground_free(struct pd_playground *p);

/* Answers one request whose path starts with /play. */
void pd_playground_handle(struct pd_playground *p, const char *method, const char *url,
                          const char *body, size_t len, struct pd_play_answer *ans);

#endif
