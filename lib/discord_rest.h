/* discord_rest.h - the libcurl client for Discord's REST API: webhook follow-ups
 * (JSON or multipart with PNG attachments) and command registration. */
#ifndef PD_DISCORD_REST_H
#define PD_DISCORD_REST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pd.h"

#define PD_DISCORD_USER_AGENT "DiscordBot (popdeck, 0.1.0)"

struct pd_discord_file {
  const char *filename; /* referenced as attachment://filename in embeds */
  const void *data;
  size_t len;
  const char *content_type; /* e.g. "image/png" */
};

struct pd_discord_reply {
  long status;            /* HTTP status, 0 when no answer came (network error) */
  json_t *body;           /* the parsed JSON answer, NULL when none */
  bool global;            /* X-RateLimit-Global: true, or "global": true in a 429 body */
  int64_t retry_after_ms; /* for a 429: how long Discord asks us to wait */
  char error[256];        /* curl's error text for a network failure */
};
void pd_discord_reply_clear(struct pd_discord_reply *r);

struct pd_discord;
/* api_base is DISCORD_API_BASE (no trailing slash); timeout_ms bounds each request. */
enum pd_result pd_discord_new(const char *api_base, long timeout_ms, struct pd_discord **out);
void pd_discord_free(struct pd_discord *d);

/* method is "GET" (no body: payload and files are ignored), "PATCH", "POST" or "PUT"; path
 * starts with '/' and may carry a query.  bot_token, when not NULL,
 * is sent as "Authorization: Bot <token>".  With files the body is multipart/form-data
 * (payload_json plus files[n]); otherwise application/json.  Returns PD_OK whenever an
 * HTTP answer arrived (look at reply->status), PD_E_UPSTREAM on a network failure. */
enum pd_result pd_discord_request(struct pd_discord *d, const char *method, const char *path,
                                  const char *bot_token, json_t *payload,
                                  const struct pd_discord_file *files, size_t nfiles,
                                  struct pd_discord_reply *reply);

/* The webhook path for an interaction's follow-up: edit the original deferred message,
 * or post a new follow-up.  The token is URL-safe (Discord issues base64url). */
enum pd_result pd_discord_webhook_path(const char *application_id, const char *token,
                                       bool edit_original, char *out, size_t outlen);

#endif
