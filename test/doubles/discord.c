/* discord.c - a local double of Discord's REST API for the routes PopDeck calls: webhook
 * follow-ups (JSON or multipart with files), command registration, and direct messages (open
 * the DM channel with POST /users/@me/channels, then POST /channels/{id}/messages, both with
 * the bot token; a user's DM channel id is 9 followed by the user's id, the same every time).  It
 * records every request, answers in Discord's wire format (rate-limit headers included), and can be
 * told to fail or be slow.  Used by the end-to-end tests and by `make run` in development mode.
 * Premium SKUs: it keeps the entitlements a test puts, lists them as
 * GET /applications/{id}/entitlements does (after, before, limit <= 100, user_id,
 * exclude_deleted, ascending by id), and consumes them (POST .../entitlements/{id}/consume: 204,
 * then 400 "already consumed"; 404 for an entitlement it does not hold), all with the bot token.
 *
 *   double-discord --port N            (0 = any free port; prints "listening on 127.0.0.1:PORT")
 *   POST /_control/fail  {"status":429,"count":2,"retry_after":0.25,"global":false,
 *                         "path":"/consume"}  (path: only requests whose path contains it)
 *   POST /_control/delay {"ms":2000,"count":1}
 *   POST /_control/entitlements {entitlement object}   (put, by id)   GET /_control/entitlements
 *   GET /_requests[?token=T][&since=N&wait_ms=M]   DELETE /_requests (also forgets the
 * entitlements) The playground's feed (assets/play reads it, with CORS): every record has a seq
 * that only grows (a DELETE does not reset it); since=N answers the records from seq N on, waiting
 * up to wait_ms (at most 30 s) for one; an uploaded file's bytes stay readable at GET /_files/SEQ/I
 * (the newest 64 MiB of them); POST /_control/interaction records an interaction and its
 * response as Discord itself would know them (method INTERACTION, path /_interaction/TOKEN). */
#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>

#include "serve.h"
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (25 * 1024 * 1024)
#define MAX_PARTS 12

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t recorded_cv = PTHREAD_COND_INITIALIZER; /* a record was appended */
static json_t *recorded;                                      /* array of request records */
static long long next_seq;                                    /* the seq of the next record */
static int fail_status, fail_count, delay_ms, delay_count;
static double fail_retry_after;
static bool fail_global;
static char fail_path[256]; /* only requests whose path contains this fail ("" = any) */
static unsigned long long next_id = 1300000000000000000ULL;
static json_t *entitlements; /* array of entitlement objects, as a test put them */

/* The bytes of uploaded files, for GET /_files/SEQ/I, newest last, at most KEEP_FILE_BYTES. */
#define KEEP_FILE_BYTES (64 * 1024 * 1024)
struct kept_file {
  long long seq;
  int index;
  char type[64];
  char *data;
  size_t len;
};
static struct kept_file *kept;
static size_t nkept, kept_bytes;

struct part {
  char name[64];
  char filename[128];
  char type[64];
  char *data;
  size_t len;
};

struct req {
  char *body;
  size_t len;
  bool too_big;
  struct MHD_PostProcessor *pp;
  struct part parts[MAX_PARTS];
  int nparts;
};

static int64_t wall_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type, const char *encoding,
                               const char *data, uint64_t off, size_t size)
{
  struct req *r = cls;
  struct part *p = NULL;
  for (int i = 0; i < r->nparts; i++)
    if (strcmp(r->parts[i].name, key) == 0)
      p = &r->parts[i];
  if (p == NULL) {
    if (r->nparts == MAX_PARTS)
      return MHD_NO;
    p = &r->parts[r->nparts++];
    snprintf(p->name, sizeof(p->name), "%s", key);
    snprintf(p->filename, sizeof(p->filename), "%s", filename != NULL ? filename : "");
    snprintf(p->type, sizeof(p->type), "%s", content_type != NULL ? content_type : "");
  }
  if (size == 0)
    return MHD_YES;
  char *g = realloc(p->data, p->len + size + 1);
  if (g == NULL)
    return MHD_NO;
  memcpy(g + p->len, data, size);
  p->data = g;
  p->len += size;
  p->data[p->len] = '\0';
  return MHD_YES;
}

/* The bucket headers Discord puts on every answer of a rate-limited route. */
static void ratelimit_headers(struct MHD_Response *resp, const char *remaining,
                              const char *reset_after)
{
  MHD_add_response_header(resp, "X-RateLimit-Limit", "5");
  MHD_add_response_header(resp, "X-RateLimit-Remaining", remaining);
  MHD_add_response_header(resp, "X-RateLimit-Reset-After", reset_after);
  MHD_add_response_header(resp, "X-RateLimit-Bucket", "popdeck-double-bucket");
}

static enum MHD_Result answer(struct MHD_Connection *c, int status, json_t *body,
                              bool with_ratelimit)
{
  char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : strdup("");
  json_decref(body);
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  /* The playground page, served by popdeck on another port, reads the feed. */
  MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
  if (with_ratelimit)
    ratelimit_headers(resp, "4", "1.000");
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static json_t *form_error(const char *field, const char *msg)
{
  return json_pack("{s:i, s:{s:{s:[{s:s, s:s}]}}, s:s}", "code", 50035, "errors", field, "_errors",
                   "code", "BASE_TYPE_BAD", "message", msg, "message", "Invalid Form Body");
}

static size_t u8len(const char *s)
{
  size_t n = 0;
  for (; s != NULL && *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return n;
}

/* Discord's limits on a message payload, checked independently of PopDeck's own code. */
static json_t *check_message(json_t *m, struct req *r)
{
  if (!json_is_object(m))
    return form_error("_root", "Expected an object");
  if (u8len(json_string_value(json_object_get(m, "content"))) > 2000)
    return form_error("content", "Must be 2000 or fewer in length.");
  json_t *embeds = json_object_get(m, "embeds");
  if (embeds != NULL && (!json_is_array(embeds) || json_array_size(embeds) > 10))
    return form_error("embeds", "Must be 10 or fewer in length.");
  size_t i, total = 0;
  json_t *e;
  json_array_foreach(embeds, i, e)
  {
    total += u8len(json_string_value(json_object_get(e, "title"))) +
             u8len(json_string_value(json_object_get(e, "description")));
    const char *img[2] = {
        json_string_value(json_object_get(json_object_get(e, "image"), "url")),
        json_string_value(json_object_get(json_object_get(e, "thumbnail"), "url"))};
    for (int k = 0; k < 2; k++) {
      if (img[k] == NULL || strncmp(img[k], "attachment://", 13) != 0)
        continue;
      bool found = false;
      for (int p = 0; p < r->nparts && !found; p++)
        found = strcmp(r->parts[p].filename, img[k] + 13) == 0;
      if (!found)
        return form_error("embeds", "Attachment referenced but not uploaded.");
    }
  }
  if (total > 6000)
    return form_error("embeds", "Embed size exceeds maximum size of 6000");
  json_t *rows = json_object_get(m, "components");
  if (rows != NULL && (!json_is_array(rows) || json_array_size(rows) > 5))
    return form_error("components", "Must be 5 or fewer in length.");
  return NULL;
}

static json_t *file_record(const struct part *p)
{
  unsigned char h[crypto_hash_sha256_BYTES];
  char hex[2 * sizeof(h) + 1];
  crypto_hash_sha256(h, (const unsigned char *)p->data, p->len);
  sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
  static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  bool png = p->len >= 24 && memcmp(p->data, magic, 8) == 0;
  unsigned w = 0, hgt = 0;
  if (png) {
    const unsigned char *d = (const unsigned char *)p->data;
    w = (unsigned)d[16] << 24 | (unsigned)d[17] << 16 | (unsigned)d[18] << 8 | d[19];
    hgt = (unsigned)d[20] << 24 | (unsigned)d[21] << 16 | (unsigned)d[22] << 8 | d[23];
  }
  return json_pack("{s:s, s:s, s:s, s:I, s:s, s:b, s:I, s:I}", "field", p->name, "filename",
                   p->filename, "content_type", p->type, "size", (json_int_t)p->len, "sha256", hex,
                   "png", png, "width", (json_int_t)w, "height", (json_int_t)hgt);
}

/* Keeps a copy of an uploaded file's bytes (under mu), dropping the oldest past the cap. */
static void keep_file(long long seq, int index, const struct part *p)
{
  if (p->len > KEEP_FILE_BYTES)
    return;
  while (nkept > 0 && kept_bytes + p->len > KEEP_FILE_BYTES) {
    kept_bytes -= kept[0].len;
    free(kept[0].data);
    memmove(kept, kept + 1, (nkept - 1) * sizeof(*kept));
    nkept--;
  }
  struct kept_file *g = realloc(kept, (nkept + 1) * sizeof(*kept));
  char *d = malloc(p->len > 0 ? p->len : 1);
  if (g == NULL || d == NULL) {
    if (g != NULL)
      kept = g;
    free(d);
    return;
  }
  kept = g;
  memcpy(d, p->data, p->len);
  struct kept_file *k = &kept[nkept++];
  k->seq = seq;
  k->index = index;
  snprintf(k->type, sizeof(k->type), "%s",
           p->type[0] != '\0' ? p->type : "application/octet-stream");
  k->data = d;
  k->len = p->len;
  kept_bytes += p->len;
}

static json_t *message_object(json_t *payload, struct req *r)
{
  char id[24];
  pthread_mutex_lock(&mu);
  snprintf(id, sizeof(id), "%llu", next_id++);
  pthread_mutex_unlock(&mu);
  json_t *msg =
      json_pack("{s:s, s:s, s:i, s:O?, s:O?, s:O?, s:[]}", "id", id, "channel_id",
                "3333333333333333333", "type", 20, "content", json_object_get(payload, "content"),
                "embeds", json_object_get(payload, "embeds"), "components",
                json_object_get(payload, "components"), "attachments");
  for (int i = 0; i < r->nparts; i++) {
    if (r->parts[i].filename[0] == '\0')
      continue;
    json_array_append_new(json_object_get(msg, "attachments"),
                          json_pack("{s:s, s:s, s:I, s:s}", "id", id, "filename",
                                    r->parts[i].filename, "size", (json_int_t)r->parts[i].len,
                                    "url", "http://127.0.0.1/attachments/x.png"));
  }
  return msg;
}

/* Snowflakes compare as numbers: by length, then as text. */
static int snowflake_cmp(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  return la != lb ? (la < lb ? -1 : 1) : strcmp(a, b);
}

static int by_id(const void *x, const void *y)
{
  const json_t *const *a = x, *const *b = y;
  return snowflake_cmp(json_string_value(json_object_get(*a, "id")),
                       json_string_value(json_object_get(*b, "id")));
}

/* GET /applications/{id}/entitlements over what a test put; *status is 400 on a bad limit. */
static json_t *entitlement_list(struct MHD_Connection *c, int *status)
{
  const char *after = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
  const char *before = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "before");
  const char *lim = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
  const char *user = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "user_id");
  const char *exd = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "exclude_deleted");
  long limit = lim != NULL ? strtol(lim, NULL, 10) : 100;
  if (limit < 1 || limit > 100) {
    *status = 400;
    return form_error("limit", "int value should be less than or equal to 100.");
  }
  bool exclude_deleted = exd == NULL || strcmp(exd, "false") != 0; /* Discord's default: true */
  size_t n = json_array_size(entitlements), k = 0;
  json_t **all = calloc(n + 1, sizeof(*all));
  for (size_t i = 0; i < n; i++) {
    json_t *e = json_array_get(entitlements, i);
    const char *id = json_string_value(json_object_get(e, "id"));
    const char *uid = json_string_value(json_object_get(e, "user_id"));
    if ((after != NULL && snowflake_cmp(id, after) <= 0) ||
        (before != NULL && snowflake_cmp(id, before) >= 0) ||
        (user != NULL && (uid == NULL || strcmp(uid, user) != 0)) ||
        (exclude_deleted && json_is_true(json_object_get(e, "deleted"))))
      continue;
    all[k++] = e;
  }
  qsort(all, k, sizeof(*all), by_id);
  /* after pages forward from the oldest; before (alone) pages back from the newest. */
  size_t from = before != NULL && after == NULL && k > (size_t)limit ? k - (size_t)limit : 0;
  json_t *out = json_array();
  for (size_t i = from; i < k && json_array_size(out) < (size_t)limit; i++)
    json_array_append_new(out, json_deep_copy(all[i]));
  free(all);
  return out;
}

/* POST .../entitlements/{id}/consume: 204 once; then Discord's refusal; 404 when unknown. */
static json_t *entitlement_consume(const char *id, int *status)
{
  size_t i;
  json_t *e;
  json_array_foreach(entitlements, i, e)
  {
    if (strcmp(json_string_value(json_object_get(e, "id")), id) != 0)
      continue;
    if (json_is_true(json_object_get(e, "deleted")))
      break;
    if (json_is_true(json_object_get(e, "consumed"))) {
      *status = 400;
      return json_pack("{s:s, s:i}", "message", "This entitlement has already been consumed.",
                       "code", 40074);
    }
    json_object_set_new(e, "consumed", json_true());
    *status = 204;
    return NULL;
  }
  *status = 404;
  return json_pack("{s:s, s:i}", "message", "Unknown Entitlement", "code", 10069);
}

static enum MHD_Result discord_route(struct MHD_Connection *c, const char *method, const char *url,
                                     struct req *r)
{
  const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
  const char *query = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "wait");
  json_t *payload = NULL;
  if (ctype != NULL && strncasecmp(ctype, "multipart/form-data", 19) == 0) {
    for (int i = 0; i < r->nparts; i++)
      if (strcmp(r->parts[i].name, "payload_json") == 0)
        payload =
            json_loadb(r->parts[i].data != NULL ? r->parts[i].data : "", r->parts[i].len, 0, NULL);
  } else if (r->len > 0) {
    payload = json_loadb(r->body, r->len, 0, NULL);
  }
  json_t *files = json_array();
  for (int i = 0; i < r->nparts; i++)
    if (strcmp(r->parts[i].name, "payload_json") != 0)
      json_array_append_new(files, file_record(&r->parts[i]));
  json_t *rec = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:O?, s:o, s:I}", "method", method,
                          "path", url, "query", query != NULL ? "wait=true" : NULL, "content_type",
                          ctype, "authorization", auth, "user_agent", ua, "json", payload, "files",
                          files, "received_at_ms", (json_int_t)wall_ms());

  int status = 200, delay = 0;
  json_t *body = NULL;
  pthread_mutex_lock(&mu);
  long long seq = next_seq++;
  json_object_set_new(rec, "seq", json_integer(seq));
  int nfile = 0;
  for (int i = 0; i < r->nparts; i++) {
    if (strcmp(r->parts[i].name, "payload_json") == 0)
      continue;
    char at[64];
    snprintf(at, sizeof(at), "/_files/%lld/%d", seq, nfile);
    json_object_set_new(json_array_get(files, (size_t)nfile), "url", json_string(at));
    keep_file(seq, nfile++, &r->parts[i]);
  }
  json_array_append(recorded, rec);
  if (delay_count > 0) {
    delay_count--;
    delay = delay_ms;
  }
  if (fail_count > 0 && (fail_path[0] == '\0' || strstr(url, fail_path) != NULL)) {
    fail_count--;
    status = fail_status;
  }
  double ra = fail_retry_after;
  bool global = fail_global;
  pthread_mutex_unlock(&mu);

  bool webhook = strncmp(url, "/api/v10/webhooks/", 18) == 0;
  bool edit = webhook && strstr(url, "/messages/@original") != NULL;
  bool commands =
      strncmp(url, "/api/v10/applications/", 22) == 0 && strstr(url, "/commands") != NULL;
  bool dm_open = strcmp(url, "/api/v10/users/@me/channels") == 0;
  /* /channels/{digits}/messages */
  size_t cdigits = strncmp(url, "/api/v10/channels/", 18) == 0 ? strspn(url + 18, "0123456789") : 0;
  bool channel_msg = cdigits > 0 && strcmp(url + 18 + cdigits, "/messages") == 0;
  /* /applications/{digits}/entitlements[/{digits}/consume] */
  const char *ents =
      strncmp(url, "/api/v10/applications/", 22) == 0 ? strstr(url, "/entitlements") : NULL;
  bool ent_list = ents != NULL && strcmp(ents, "/entitlements") == 0;
  size_t edigits = ents != NULL && ents[13] == '/' ? strspn(ents + 14, "0123456789") : 0;
  bool ent_consume = edigits > 0 && strcmp(ents + 14 + edigits, "/consume") == 0;
  bool bot_only = commands || dm_open || channel_msg || ent_list || ent_consume;
  const char *recipient = json_string_value(json_object_get(payload, "recipient_id"));
  if (status == 200) {
    if (edit                     ? strcmp(method, "PATCH") != 0
        : webhook                ? strcmp(method, "POST") != 0
        : commands               ? strcmp(method, "PUT") != 0
        : dm_open || channel_msg ? strcmp(method, "POST") != 0
        : ent_list               ? strcmp(method, "GET") != 0
        : ent_consume            ? strcmp(method, "POST") != 0
                                 : true) {
      status = (webhook || bot_only) ? 405 : 404;
      body = json_pack("{s:s, s:i}", "message",
                       status == 404 ? "404: Not Found" : "405: Method Not Allowed", "code", 0);
    } else if (bot_only && (auth == NULL || strncmp(auth, "Bot ", 4) != 0)) {
      status = 401;
      body = json_pack("{s:s, s:i}", "message", "401: Unauthorized", "code", 0);
    } else if (dm_open) {
      /* A private channel object (type 1, DM) with its one recipient. */
      if (recipient == NULL || recipient[0] == '\0' ||
          strspn(recipient, "0123456789") != strlen(recipient) || strlen(recipient) > 19) {
        status = 400;
        body = form_error("recipient_id", "Value \"\" is not snowflake.");
      } else {
        char chan[24];
        snprintf(chan, sizeof(chan), "9%s", recipient);
        body = json_pack("{s:s, s:i, s:n, s:i, s:[{s:s, s:s, s:s, s:n, s:n}]}", "id", chan, "type",
                         1, "last_message_id", "flags", 0, "recipients", "id", recipient,
                         "username", "player", "discriminator", "0", "global_name", "avatar");
      }
    } else if (ent_list || ent_consume) {
      char id[24];
      snprintf(id, sizeof(id), "%.*s", (int)(edigits < 23 ? edigits : 23), ents + 14);
      pthread_mutex_lock(&mu);
      body = ent_list ? entitlement_list(c, &status) : entitlement_consume(id, &status);
      pthread_mutex_unlock(&mu);
    } else if (commands) {
      if (!json_is_array(payload)) {
        status = 400;
        body = form_error("_root", "Expected an array");
      } else {
        body = json_deep_copy(payload);
        size_t i;
        json_t *cmd;
        json_array_foreach(body, i, cmd)
        {
          json_object_set_new(cmd, "id",
                              json_sprintf("%llu", 1400000000000000000ULL + (unsigned long long)i));
          json_object_set_new(cmd, "application_id", json_string("1111111111111111111"));
          json_object_set_new(cmd, "version", json_string("1"));
        }
      }
    } else {
      body = check_message(payload, r);
      if (body != NULL)
        status = 400;
      else
        body = message_object(payload, r);
      if (channel_msg && body != NULL && status == 200)
        json_object_set_new(body, "channel_id", json_stringn(url + 18, cdigits));
    }
  } else if (status == 429) {
    body = json_pack("{s:s, s:f, s:b}", "message", "You are being rate limited.", "retry_after", ra,
                     "global", global);
  } else if (status == 401) {
    body = json_pack("{s:s, s:i}", "message", "Invalid Webhook Token", "code", 50027);
  } else if (status >= 500) {
    body = json_pack("{s:s, s:i}", "message", "Internal Server Error", "code", 0);
  } else {
    body = json_pack("{s:s, s:i}", "message", "400: Bad Request", "code", 0);
  }
  /* rec (and payload, which rec holds) are shared with the recorded list, which another request
   * may clear: their references are dropped under the lock too (jansson's count is no lock:
   * ThreadSanitizer saw a clear free rec while this thread still read its count). */
  pthread_mutex_lock(&mu);
  json_object_set_new(rec, "status", json_integer(status));
  /* The id of the message a webhook or channel call made or edited, for the feed's readers. */
  if (status == 200 && json_is_string(json_object_get(body, "id")) && !commands && !dm_open)
    json_object_set(rec, "message_id", json_object_get(body, "id"));
  pthread_cond_broadcast(&recorded_cv);
  json_decref(rec);
  json_decref(payload); /* rec holds it too */
  pthread_mutex_unlock(&mu);
  if (delay > 0)
    usleep((useconds_t)delay * 1000);

  char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : strdup("");
  pthread_mutex_lock(&mu); /* body may share the payload's members, recorded above */
  json_decref(body);
  pthread_mutex_unlock(&mu);
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  char num[32];
  if (status == 429) {
    snprintf(num, sizeof(num), "%d", (int)ceil(ra));
    MHD_add_response_header(resp, "Retry-After", num);
    snprintf(num, sizeof(num), "%.3f", ra);
    ratelimit_headers(resp, "0", num);
    MHD_add_response_header(resp, "X-RateLimit-Scope", global ? "global" : "user");
    if (global)
      MHD_add_response_header(resp, "X-RateLimit-Global", "true");
  } else {
    ratelimit_headers(resp, "4", "1.000");
  }
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
  MHD_destroy_response(resp);
  return ok;
}

/* The records from seq since on (under mu), stopping before the first still in flight (no
 * status yet), so a reader that moves past what it got never misses how a request ended. */
static json_t *feed_from(long long since, const char *token)
{
  json_t *out = json_array();
  size_t i;
  json_t *rec;
  json_array_foreach(recorded, i, rec)
  {
    if (json_integer_value(json_object_get(rec, "seq")) < since)
      continue;
    if (since >= 0 && json_object_get(rec, "status") == NULL)
      break;
    const char *path = json_string_value(json_object_get(rec, "path"));
    if (token == NULL || strstr(path, token) != NULL)
      json_array_append_new(out, json_deep_copy(rec));
  }
  return out;
}

static long long arg_ll(struct MHD_Connection *c, const char *name, long long dflt)
{
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
  char *end = NULL;
  long long x = v != NULL ? strtoll(v, &end, 10) : dflt;
  return v != NULL && (end == v || *end != '\0' || x < 0) ? dflt : x;
}

/* GET /_files/SEQ/I: a kept upload's bytes. */
static enum MHD_Result file_bytes(struct MHD_Connection *c, const char *url)
{
  long long seq = -1;
  int index = -1, used = 0;
  if (sscanf(url, "/_files/%lld/%d%n", &seq, &index, &used) != 2 || url[used] != '\0')
    return answer(c, 404, json_pack("{s:s, s:i}", "message", "404: Not Found", "code", 0), false);
  pthread_mutex_lock(&mu);
  struct MHD_Response *resp = NULL;
  for (size_t i = 0; i < nkept && resp == NULL; i++) {
    if (kept[i].seq != seq || kept[i].index != index)
      continue;
    resp = MHD_create_response_from_buffer(kept[i].len, kept[i].data, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, "Content-Type", kept[i].type);
  }
  pthread_mutex_unlock(&mu);
  if (resp == NULL)
    return answer(c, 404, json_pack("{s:s, s:i}", "message", "Unknown Attachment", "code", 10004),
                  false);
  MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
  MHD_add_response_header(resp, "Cache-Control", "max-age=3600");
  enum MHD_Result ok = MHD_queue_response(c, 200, resp);
  MHD_destroy_response(resp);
  return ok;
}

/* POST /_control/interaction: what the playground sent and what PopDeck answered. */
static enum MHD_Result record_interaction(struct MHD_Connection *c, json_t *j)
{
  const char *token = json_string_value(json_object_get(j, "token"));
  if (token == NULL ||
      strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
          strlen(token))
    return answer(c, 400, form_error("token", "Expected a token"), false);
  char path[160];
  snprintf(path, sizeof(path), "/_interaction/%s", token);
  json_t *rec =
      json_pack("{s:s, s:s, s:O, s:[], s:i, s:I}", "method", "INTERACTION", "path", path, "json", j,
                "files", "status", 200, "received_at_ms", (json_int_t)wall_ms());
  pthread_mutex_lock(&mu);
  json_object_set_new(rec, "seq", json_integer(next_seq++));
  json_array_append_new(recorded, rec);
  pthread_cond_broadcast(&recorded_cv);
  pthread_mutex_unlock(&mu);
  return answer(c, 204, NULL, false);
}

static enum MHD_Result control(struct MHD_Connection *c, const char *method, const char *url,
                               struct req *r)
{
  if (strcmp(url, "/_requests") == 0 && strcmp(method, "GET") == 0) {
    const char *token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
    long long since = arg_ll(c, "since", -1), wait_ms = arg_ll(c, "wait_ms", 0);
    if (wait_ms > 30000)
      wait_ms = 30000;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(wait_ms / 1000);
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&mu);
    json_t *out = feed_from(since, token);
    /* Waits in slices, so that a stopping double is never held up by a reader. */
    while (json_array_size(out) == 0 && wait_ms > 0 && !pd_double_stopping) {
      struct timespec now, slice;
      clock_gettime(CLOCK_REALTIME, &now);
      if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
        break;
      slice = now;
      slice.tv_nsec += 200000000L;
      if (slice.tv_nsec >= 1000000000L) {
        slice.tv_sec++;
        slice.tv_nsec -= 1000000000L;
      }
      pthread_cond_timedwait(&recorded_cv, &mu, &slice);
      json_decref(out);
      out = feed_from(since, token);
    }
    pthread_mutex_unlock(&mu);
    return answer(c, 200, out, false);
  }
  if (strncmp(url, "/_files/", 8) == 0 && strcmp(method, "GET") == 0)
    return file_bytes(c, url);
  if (strcmp(url, "/_requests") == 0 && strcmp(method, "DELETE") == 0) {
    pthread_mutex_lock(&mu);
    json_array_clear(recorded);
    json_array_clear(entitlements);
    fail_count = delay_count = 0;
    fail_path[0] = '\0';
    pthread_mutex_unlock(&mu);
    return answer(c, 204, NULL, false);
  }
  if (strcmp(url, "/_control/entitlements") == 0 && strcmp(method, "GET") == 0) {
    pthread_mutex_lock(&mu);
    json_t *out = json_deep_copy(entitlements);
    pthread_mutex_unlock(&mu);
    return answer(c, 200, out, false);
  }
  json_t *j = r->len > 0 ? json_loadb(r->body, r->len, 0, NULL) : NULL;
  enum MHD_Result ok;
  if (strcmp(url, "/_control/interaction") == 0 && json_is_object(j)) {
    ok = record_interaction(c, j);
  } else if (strcmp(url, "/_control/entitlements") == 0 && json_is_object(j) &&
             json_is_string(json_object_get(j, "id"))) {
    const char *id = json_string_value(json_object_get(j, "id"));
    size_t i;
    json_t *e;
    pthread_mutex_lock(&mu);
    json_array_foreach(entitlements, i, e)
    {
      if (strcmp(json_string_value(json_object_get(e, "id")), id) == 0) {
        json_array_remove(entitlements, i);
        break;
      }
    }
    json_array_append(entitlements, j);
    pthread_mutex_unlock(&mu);
    ok = answer(c, 204, NULL, false);
  } else if (strcmp(url, "/_control/fail") == 0 && json_is_object(j)) {
    pthread_mutex_lock(&mu);
    fail_status = (int)json_integer_value(json_object_get(j, "status"));
    fail_count = (int)json_integer_value(json_object_get(j, "count"));
    fail_retry_after = json_number_value(json_object_get(j, "retry_after"));
    fail_global = json_is_true(json_object_get(j, "global"));
    const char *only = json_string_value(json_object_get(j, "path"));
    snprintf(fail_path, sizeof(fail_path), "%s", only != NULL ? only : "");
    pthread_mutex_unlock(&mu);
    ok = answer(c, 204, NULL, false);
  } else if (strcmp(url, "/_control/delay") == 0 && json_is_object(j)) {
    pthread_mutex_lock(&mu);
    delay_ms = (int)json_integer_value(json_object_get(j, "ms"));
    delay_count = (int)json_integer_value(json_object_get(j, "count"));
    pthread_mutex_unlock(&mu);
    ok = answer(c, 204, NULL, false);
  } else {
    ok = answer(c, 404, json_pack("{s:s, s:i}", "message", "404: Not Found", "code", 0), false);
  }
  json_decref(j);
  return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  struct req *r = *con_cls;
  if (r == NULL) {
    r = calloc(1, sizeof(*r));
    if (r == NULL)
      return MHD_NO;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (ct != NULL && strncasecmp(ct, "multipart/form-data", 19) == 0)
      r->pp = MHD_create_post_processor(c, 65536, on_part, r);
    *con_cls = r;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (r->len + *upload_size > MAX_BODY) {
      r->too_big = true;
    } else if (r->pp != NULL) {
      MHD_post_process(r->pp, upload, *upload_size);
      r->len += *upload_size;
    } else {
      char *g = realloc(r->body, r->len + *upload_size + 1);
      if (g == NULL)
        return MHD_NO;
      memcpy(g + r->len, upload, *upload_size);
      r->body = g;
      r->len += *upload_size;
      r->body[r->len] = '\0';
    }
    *upload_size = 0;
    return MHD_YES;
  }
  if (r->too_big)
    return answer(c, 413,
                  json_pack("{s:s, s:i}", "message", "Request entity too large", "code", 40005),
                  false);
  if (strncmp(url, "/api/v10/", 9) == 0)
    return discord_route(c, method, url, r);
  if (strncmp(url, "/_", 2) == 0)
    return control(c, method, url, r);
  return answer(c, 404, json_pack("{s:s, s:i}", "message", "404: Not Found", "code", 0), false);
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
  struct req *r = *con_cls;
  if (r == NULL)
    return;
  if (r->pp != NULL)
    MHD_destroy_post_processor(r->pp);
  for (int i = 0; i < r->nparts; i++)
    free(r->parts[i].data);
  free(r->body);
  free(r);
  *con_cls = NULL;
}

int main(int argc, char **argv)
{
  long port = 0;
  if (argc == 3 && strcmp(argv[1], "--port") == 0) {
    char *end = NULL;
    port = strtol(argv[2], &end, 10);
    if (*end != '\0' || port < 0 || port > 65535)
      argc = 0;
  }
  if (argc != 3) {
    fprintf(stderr, "usage: double-discord --port N\n");
    return 2;
  }
  if (sodium_init() < 0)
    return 1;
  recorded = json_array();
  entitlements = json_array();
  int rc = pd_double_serve(port, on_request, NULL, on_done);
  json_decref(recorded);
  json_decref(entitlements);
  for (size_t i = 0; i < nkept; i++)
    free(kept[i].data);
  free(kept);
  return rc;
}
