/* reply.h - Discord interaction responses: callback types, flags, and the message limits
 * every reply is checked against before it leaves (a broken limit is a 400 from Discord). */
#ifndef PD_REPLY_H
#define PD_REPLY_H

#include <jansson.h>
#include <stdint.h>

#include "pd.h"

enum pd_callback_type {
  PD_CB_PONG = 1,
  PD_CB_MESSAGE = 4,
  PD_CB_DEFERRED_MESSAGE = 5,
  PD_CB_DEFERRED_UPDATE = 6,
  PD_CB_UPDATE_MESSAGE = 7,
  PD_CB_AUTOCOMPLETE = 8,
  PD_CB_MODAL = 9,
};

#define PD_FLAG_EPHEMERAL 64

/* {"type": type, "data": data}; data is stolen and may be NULL. */
json_t *pd_reply_new(enum pd_callback_type type, json_t *data);

/* A plain message data object {"content": text} with flags (0 or PD_FLAG_EPHEMERAL) and no
 * pings: allowed_mentions is empty so a name in the text never notifies anyone. */
json_t *pd_reply_text(const char *text, int flags);

/* Checks a message data object (content, embeds, components, flags) against Discord's
 * limits.  PD_E_INVALID with the first broken rule in err. */
enum pd_result pd_reply_check(const json_t *data, char *err, size_t errlen);

/* Counts Unicode code points, as Discord's length limits do. */
size_t pd_utf8_len(const char *s);

/* 1234567 -> "1,234,567" */
void pd_fmt_thousands(int64_t n, char out[32]);

/* Milliseconds since the Unix epoch encoded in a Discord snowflake, 0 if s is not one. */
int64_t pd_snowflake_ms(const char *s);
#endif
