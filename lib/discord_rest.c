/* discord_rest.c - Discord REST calls over libcurl, with the rate-limit headers read. */
#include "discord_rest.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backoff.h"
#include "buf.h"

/* A Discord answer past this is not one we can use: the rest is read and dropped, so the
 * connection stays reusable, and the status and headers still count. */
#define DISCORD_MAX_ANSWER (1024 * 1024)

struct pd_discord {
  CURL *easy; /* reused: keeps the connection to Discord alive between sends */
  char *api_base;
  long timeout_ms;
};

struct answer {
  struct pd_buf body;
  bool too_big;
  char reset_after[32];
  char retry_after[32];
  bool global;
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
  struct answer *a = arg;
  size_t add = size * n;
  if (a->too_big)
    return add; /* keep reading, but drop it */
  enum pd_result rc = pd_buf_add(&a->body, data, add);
  if (rc == PD_E_TOOBIG) {
    a->too_big = true;
    return add;
  }
  return rc == PD_OK ? add : 0;
}

/* Copies a header's value (trimmed) when the line is "name: value". */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t outlen)
{
  size_t nlen = strlen(name);
  if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
    return;
  const char *v = line + nlen + 1;
  const char *end = line + len;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
    end--;
  size_t vlen = (size_t)(end - v);
  if (vlen >= outlen)
    vlen = outlen - 1;
  memcpy(out, v, vlen);
  out[vlen] = '\0';
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
  struct answer *a = arg;
  size_t len = size * n;
  char global[16] = "";
  header_value(line, len, "X-RateLimit-Reset-After", a->reset_after, sizeof(a->reset_after));
  header_value(line, len, "Retry-After", a->retry_after, sizeof(a->retry_after));
  header_value(line, len, "X-RateLimit-Global", global, sizeof(global));
  if (strcasecmp(global, "true") == 0)
    a->global = true;
  return len;
}

enum pd_result pd_discord_new(const char *api_base, long timeout_ms, struct pd_discord **out)
{
  struct pd_discord *d = calloc(1, sizeof(*d));
  if (d == NULL)
    return PD_E_NOMEM;
  d->easy = curl_easy_init();
  d->api_base = strdup(api_base);
  d->timeout_ms = timeout_ms;
  if (d->easy == NULL || d->api_base == NULL) {
    pd_discord_free(d);
    return PD_E_NOMEM;
  }
  *out = d;
  return PD_OK;
}

void pd_discord_free(struct pd_discord *d)
{
  if (d == NULL)
    return;
  curl_easy_cleanup(d->easy);
  free(d->api_base);
  free(d);
}

void pd_discord_reply_clear(struct pd_discord_reply *r)
{
  json_decref(r->body);
  memset(r, 0, sizeof(*r));
}

enum pd_result pd_discord_webhook_path(const char *application_id, const char *token,
                                       bool edit_original, char *out, size_t outlen)
{
  for (const char *p = token; *p != '\0'; p++) {
    char c = *p;
    bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.';
    if (!safe)
      return PD_E_INVALID;
  }
  int n = edit_original
              ? snprintf(out, outlen, "/webhooks/%s/%s/messages/@original", application_id, token)
              : snprintf(out, outlen, "/webhooks/%s/%s?wait=true", application_id, token);
  return n > 0 && (size_t)n < outlen ? PD_OK : PD_E_TOOBIG;
}

enum pd_result pd_discord_request(struct pd_discord *d, const char *method, const char *path,
                                  const char *bot_token, json_t *payload,
                                  const struct pd_discord_file *files, size_t nfiles,
                                  struct pd_discord_reply *reply)
{
  enum pd_result rc = PD_E_NOMEM;
  struct answer a = {.too_big = false};
  struct curl_slist *headers = NULL;
  curl_mime *mime = NULL;
  char *json = NULL;
  char url[2048];
  char auth[512];
  CURL *c = d->easy;

  pd_buf_init(&a.body, DISCORD_MAX_ANSWER);
  memset(reply, 0, sizeof(*reply));
  reply->retry_after_ms = -1;
  if (snprintf(url, sizeof(url), "%s%s", d->api_base, path) >= (int)sizeof(url))
    return PD_E_TOOBIG;
  json = payload != NULL ? json_dumps(payload, JSON_COMPACT) : strdup("{}");
  if (json == NULL)
    goto out;

  curl_easy_reset(c);
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(c, CURLOPT_USERAGENT, PD_DISCORD_USER_AGENT);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, d->timeout_ms);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, d->timeout_ms < 3000 ? d->timeout_ms : 3000);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, reply->error);

  if (bot_token != NULL) {
    snprintf(auth, sizeof(auth), "Authorization: Bot %s", bot_token);
    headers = curl_slist_append(headers, auth);
  }
  if (strcmp(method, "GET") == 0) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L); /* no body */
  } else if (nfiles == 0) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
  } else {
    mime = curl_mime_init(c);
    curl_mimepart *part = curl_mime_addpart(mime);
    curl_mime_name(part, "payload_json");
    curl_mime_data(part, json, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "application/json");
    for (size_t i = 0; i < nfiles; i++) {
      char field[32];
      snprintf(field, sizeof(field), "files[%zu]", i);
      part = curl_mime_addpart(mime);
      curl_mime_name(part, field);
      curl_mime_data(part, files[i].data, files[i].len);
      curl_mime_filename(part, files[i].filename);
      curl_mime_type(part, files[i].content_type != NULL ? files[i].content_type
                                                         : "application/octet-stream");
    }
    curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
  }
  if (headers != NULL)
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

  CURLcode cc = curl_easy_perform(c);
  if (cc != CURLE_OK) {
    if (reply->error[0] == '\0')
      snprintf(reply->error, sizeof(reply->error), "%s", curl_easy_strerror(cc));
    rc = PD_E_UPSTREAM;
    goto out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
  if (a.body.p != NULL && !a.too_big)
    reply->body = json_loadb(a.body.p, a.body.len, 0, NULL);
  reply->global = a.global || json_is_true(json_object_get(reply->body, "global"));
  if (reply->status == 429) {
    json_t *ra = json_object_get(reply->body, "retry_after");
    reply->retry_after_ms = pd_backoff_rate_limit_ms(
        json_is_number(ra) ? json_number_value(ra) : -1, a.reset_after[0] ? a.reset_after : NULL,
        a.retry_after[0] ? a.retry_after : NULL);
  }
  rc = PD_OK;
out:
  /* The token in the URL and the bot token must not outlive the call in curl's buffers. */
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
  curl_easy_setopt(c, CURLOPT_MIMEPOST, NULL);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, NULL);
  curl_slist_free_all(headers);
  curl_mime_free(mime);
  free(json);
  pd_buf_free(&a.body);
  return rc;
}
