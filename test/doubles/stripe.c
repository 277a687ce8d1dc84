/* stripe.c - a local double of Stripe's API: POST /v1/checkout/sessions in Stripe's wire format
 * (mode=payment, or mode=subscription with a recurring price; a form-encoded body, the secret
 * key as a Bearer token or as HTTP Basic's user, and
 * Idempotency-Key: the same key with the same body answers the same session again, the same key
 * with another body is Stripe's 400 idempotency_error).  It records every request.
 *
 *   double-stripe --port N --secret-key sk_test_...
 *   POST /v1/checkout/sessions     a checkout.session {id: cs_test_..., url, ...}
 * Control (not recorded):
 *   POST /_control/fail  {"status":500,"count":N}  the next N session requests answer status
 *   POST /_control/delay {"ms":M,"count":N}        the next N are answered only after M ms
 *   GET  /_requests      [{seq, method, path, authorization: "bearer"|"basic"|"wrong"|null,
 *                          idempotency_key, content_type, form{}, status, session}]
 *   DELETE /_requests    forgets them, the sessions and every control setting */
#include <jansson.h>
#include <microhttpd.h>

#include "serve.h"
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_BODY (64 * 1024)

static const char *secret_key;
static char expected_basic[512];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static json_t *recorded; /* request records */
static json_t *keys;     /* Idempotency-Key -> {"body": raw form, "status", "answer"} */
static int fail_status, fail_count, delay_ms, delay_count;

struct out {
  int status;
  json_t *json;
  const char *session; /* the id answered, for the record */
};

static void stripe_error(struct out *o, int status, const char *type, const char *code,
                         const char *message)
{
  o->status = status;
  o->json =
      json_pack("{s:{s:s, s:s?, s:s}}", "error", "type", type, "code", code, "message", message);
}

static int hexval(char c)
{
  return c >= '0' && c <= '9'   ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

/* application/x-www-form-urlencoded, decoded: '+' is a space, %XX a byte. */
static char *decode(const char *s, size_t n)
{
  char *out = malloc(n + 1);
  size_t k = 0;
  for (size_t i = 0; out != NULL && i < n; i++) {
    if (s[i] == '+') {
      out[k++] = ' ';
    } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
      i += 2;
    } else {
      out[k++] = s[i];
    }
  }
  if (out != NULL)
    out[k] = '\0';
  return out;
}

/* The form's fields as {name: value} (a repeated name: the last one). */
static json_t *parse_form(const char *body, size_t len)
{
  json_t *f = json_object();
  const char *p = body, *end = body + len;
  while (p < end) {
    const char *amp = memchr(p, '&', (size_t)(end - p));
    if (amp == NULL)
      amp = end;
    const char *eq = memchr(p, '=', (size_t)(amp - p));
    char *name = decode(p, (size_t)((eq != NULL ? eq : amp) - p));
    char *value = eq != NULL ? decode(eq + 1, (size_t)(amp - eq - 1)) : strdup("");
    if (name != NULL && value != NULL && name[0] != '\0')
      json_object_set_new(f, name, json_string(value));
    free(name);
    free(value);
    p = amp + 1;
  }
  return f;
}

static const char *field(json_t *form, const char *name)
{
  return json_string_value(json_object_get(form, name));
}

static void session_id(char out[40])
{
  static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  memcpy(out, "cs_test_", 8);
  for (int i = 8; i < 38; i++)
    out[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
  out[38] = '\0';
}

/* A new session for form, or Stripe's 400 for a missing or wrong field. */
static void create_session(struct MHD_Connection *c, json_t *form, struct out *o)
{
  static const char *const required[] = {
      "mode",
      "line_items[0][price_data][currency]",
      "line_items[0][price_data][unit_amount]",
      "line_items[0][price_data][product_data][name]",
      "line_items[0][quantity]",
      "success_url",
      "cancel_url",
  };
  char msg[200], id[40], url[300];
  for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
    if (field(form, required[i]) == NULL) {
      snprintf(msg, sizeof(msg), "Missing required param: %s.", required[i]);
      stripe_error(o, 400, "invalid_request_error", "parameter_missing", msg);
      return;
    }
  }
  /* Stripe's rule: a subscription needs a recurring price, a one-time payment must not have
   * one; the interval is day, week, month or year, at most a year in all. */
  const char *mode = field(form, "mode");
  const char *interval = field(form, "line_items[0][price_data][recurring][interval]");
  const char *count = field(form, "line_items[0][price_data][recurring][interval_count]");
  bool sub = strcmp(mode, "subscription") == 0;
  if (!sub && strcmp(mode, "payment") != 0) {
    stripe_error(o, 400, "invalid_request_error", "parameter_invalid_string",
                 "This double creates only mode=payment and mode=subscription sessions.");
    return;
  }
  if (sub && interval == NULL) {
    stripe_error(o, 400, "invalid_request_error", "parameter_missing",
                 "You must provide at least one recurring price in `subscription` mode when "
                 "using prices.");
    return;
  }
  if (!sub && interval != NULL) {
    stripe_error(o, 400, "invalid_request_error", "parameter_invalid_string",
                 "You specified `payment` mode but passed a recurring price. Either switch to "
                 "`subscription` mode or use only one-time prices.");
    return;
  }
  if (sub) {
    char *cend = NULL;
    long n = count != NULL ? strtol(count, &cend, 10) : 1;
    if ((count != NULL && (cend == NULL || *cend != '\0')) || n < 1 ||
        (strcmp(interval, "day") == 0 && n > 365) ||
        (strcmp(interval, "day") != 0 && strcmp(interval, "week") != 0 &&
         strcmp(interval, "month") != 0 && strcmp(interval, "year") != 0)) {
      stripe_error(o, 400, "invalid_request_error", "parameter_invalid_integer",
                   "Invalid recurring price: interval and interval_count.");
      return;
    }
  }
  char *end = NULL;
  long long amount = strtoll(field(form, "line_items[0][price_data][unit_amount]"), &end, 10);
  if (end == NULL || *end != '\0' || amount <= 0) {
    stripe_error(o, 400, "invalid_request_error", "parameter_invalid_integer",
                 "Invalid integer: line_items[0][price_data][unit_amount]");
    return;
  }
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
  session_id(id);
  snprintf(url, sizeof(url), "http://%s/c/pay/%s", host != NULL ? host : "127.0.0.1", id);
  json_t *metadata = json_object();
  const char *k;
  json_t *v;
  json_object_foreach(form, k, v)
  {
    if (strncmp(k, "metadata[", 9) == 0 && k[strlen(k) - 1] == ']')
      json_object_set_new(metadata, k + 9, json_string(json_string_value(v)));
  }
  /* strip the closing ']' of each metadata key */
  json_t *clean = json_object();
  json_object_foreach(metadata, k, v)
  {
    char name[128];
    snprintf(name, sizeof(name), "%.*s", (int)strlen(k) - 1, k);
    json_object_set(clean, name, v);
  }
  json_decref(metadata);
  o->status = 200;
  o->json =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s?, s:o, s:I, s:s, s:n, s:s, s:s, s:b, s:I}",
                "id", id, "object", "checkout.session", "url", url, "mode", mode, "payment_status",
                "unpaid", "status", "open", "client_reference_id",
                field(form, "client_reference_id"), "metadata", clean, "amount_total",
                (json_int_t)amount, "currency", field(form, "line_items[0][price_data][currency]"),
                "payment_intent", "success_url", field(form, "success_url"), "cancel_url",
                field(form, "cancel_url"), "livemode", 0, "created", (json_int_t)time(NULL));
}

/* Stripe's key check: Bearer sk_..., or HTTP Basic with the key as the user. */
static const char *auth_kind(struct MHD_Connection *c)
{
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
  if (auth == NULL)
    return NULL;
  if (strncmp(auth, "Bearer ", 7) == 0 && strcmp(auth + 7, secret_key) == 0)
    return "bearer";
  if (strcmp(auth, expected_basic) == 0)
    return "basic";
  return "wrong";
}

static void sessions_route(struct MHD_Connection *c, const char *method, struct pd_double_body *r,
                           json_t *form, struct out *o)
{
  const char *auth = auth_kind(c);
  const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
  if (strcmp(method, "POST") != 0) {
    stripe_error(o, 405, "invalid_request_error", NULL, "Use POST.");
    return;
  }
  if (auth == NULL || strcmp(auth, "wrong") == 0) {
    o->status = 401;
    o->json = json_pack("{s:{s:s, s:s}}", "error", "type", "invalid_request_error", "message",
                        auth == NULL ? "You did not provide an API key."
                                     : "Invalid API Key provided: sk_****");
    return;
  }
  pthread_mutex_lock(&mu);
  bool fail = fail_count > 0;
  if (fail)
    fail_count--;
  int delay = delay_count > 0 ? delay_ms : 0;
  if (delay_count > 0)
    delay_count--;
  json_t *seen = key != NULL ? json_incref(json_object_get(keys, key)) : NULL;
  pthread_mutex_unlock(&mu);
  if (delay > 0)
    usleep((useconds_t)delay * 1000);
  if (fail) {
    json_decref(seen);
    stripe_error(o, fail_status, "api_error", NULL, "An error occurred with our connection.");
    return;
  }
  const char *body = pd_buf_str(&r->buf);
  if (seen != NULL) {
    /* The same key again: the first answer, if the parameters are the same. */
    if (strcmp(json_string_value(json_object_get(seen, "body")), body) != 0) {
      stripe_error(o, 400, "idempotency_error", NULL,
                   "Keys for idempotent requests can only be used with the same parameters they "
                   "were first used with. Try using a key other than the one used in the "
                   "original request.");
    } else {
      o->status = (int)json_integer_value(json_object_get(seen, "status"));
      o->json = json_deep_copy(json_object_get(seen, "answer"));
    }
    json_decref(seen);
  } else {
    create_session(c, form, o);
    if (key != NULL) {
      pthread_mutex_lock(&mu);
      /* Two requests with one new key at once: the first stored wins, as on Stripe. */
      json_t *first = json_object_get(keys, key);
      if (first == NULL)
        json_object_set_new(
            keys, key,
            json_pack("{s:s, s:i, s:O}", "body", body, "status", o->status, "answer", o->json));
      else if (strcmp(json_string_value(json_object_get(first, "body")), body) == 0) {
        json_decref(o->json);
        o->status = (int)json_integer_value(json_object_get(first, "status"));
        o->json = json_deep_copy(json_object_get(first, "answer"));
      }
      pthread_mutex_unlock(&mu);
    }
  }
  o->session = json_string_value(json_object_get(o->json, "id"));
}

static void record(struct MHD_Connection *c, const char *method, const char *url, json_t *form,
                   const struct out *o)
{
  const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
  const char *ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  json_t *rec =
      json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:O, s:i, s:s?}", "method", method, "path", url,
                "authorization", auth_kind(c), "idempotency_key", key, "content_type", ctype,
                "form", form, "status", o->status, "session", o->session);
  pthread_mutex_lock(&mu);
  json_object_set_new(rec, "seq", json_integer((json_int_t)json_array_size(recorded)));
  json_array_append_new(recorded, rec);
  pthread_mutex_unlock(&mu);
}

static enum MHD_Result reply(struct MHD_Connection *c, struct out *o)
{
  char *s = o->json != NULL ? json_dumps(o->json, JSON_COMPACT) : strdup("");
  json_decref(o->json);
  struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(resp, "Content-Type", "application/json");
  MHD_add_response_header(resp, "Request-Id", "req_double");
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)o->status, resp);
  MHD_destroy_response(resp);
  return ok;
}

static void control(struct MHD_Connection *c, const char *method, const char *url,
                    struct pd_double_body *r, struct out *o)
{
  o->status = 204;
  if (strcmp(url, "/_requests") == 0 && strcmp(method, "GET") == 0) {
    pthread_mutex_lock(&mu);
    o->json = json_deep_copy(recorded);
    pthread_mutex_unlock(&mu);
    o->status = 200;
    return;
  }
  if (strcmp(url, "/_requests") == 0 && strcmp(method, "DELETE") == 0) {
    pthread_mutex_lock(&mu);
    json_array_clear(recorded);
    json_object_clear(keys);
    fail_count = delay_count = 0;
    pthread_mutex_unlock(&mu);
    return;
  }
  json_t *j = r->buf.len > 0 ? json_loadb(r->buf.p, r->buf.len, 0, NULL) : json_object();
  if (strcmp(method, "POST") != 0 || !json_is_object(j)) {
    stripe_error(o, 400, "invalid_request_error", NULL, "control routes take POST with JSON");
  } else if (strcmp(url, "/_control/fail") == 0) {
    pthread_mutex_lock(&mu);
    fail_status = (int)json_integer_value(json_object_get(j, "status"));
    fail_count = (int)json_integer_value(json_object_get(j, "count"));
    pthread_mutex_unlock(&mu);
  } else if (strcmp(url, "/_control/delay") == 0) {
    pthread_mutex_lock(&mu);
    delay_ms = (int)json_integer_value(json_object_get(j, "ms"));
    delay_count = (int)json_integer_value(json_object_get(j, "count"));
    pthread_mutex_unlock(&mu);
  } else {
    stripe_error(o, 404, "invalid_request_error", NULL, "no such control route");
  }
  json_decref(j);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
  struct pd_double_body *r = NULL;
  enum MHD_Result more;
  if (pd_double_body_more(con_cls, upload, upload_size, MAX_BODY, &r, &more))
    return more;
  struct out o = {0};
  if (strncmp(url, "/_", 2) == 0) {
    control(c, method, url, r, &o);
    return reply(c, &o);
  }
  json_t *form = parse_form(pd_buf_str(&r->buf), r->buf.len);
  if (r->too_big)
    stripe_error(&o, 413, "invalid_request_error", NULL, "Request too large.");
  else if (strcmp(url, "/v1/checkout/sessions") == 0)
    sessions_route(c, method, r, form, &o);
  else
    stripe_error(&o, 404, "invalid_request_error", NULL, "Unrecognized request URL.");
  record(c, method, url, form, &o);
  json_decref(form);
  return reply(c, &o);
}

int main(int argc, char **argv)
{
  long port = -1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--port") == 0)
      port = strtol(argv[i + 1], NULL, 10);
    else if (strcmp(argv[i], "--secret-key") == 0)
      secret_key = argv[i + 1];
  }
  if (port < 0 || port > 65535 || secret_key == NULL) {
    fprintf(stderr, "usage: double-stripe --port N --secret-key sk_test_...\n");
    return 2;
  }
  if (sodium_init() < 0)
    return 1;
  char user[300];
  snprintf(user, sizeof(user), "%s:", secret_key);
  snprintf(expected_basic, sizeof(expected_basic), "Basic ");
  sodium_bin2base64(expected_basic + 6, sizeof(expected_basic) - 6, (const unsigned char *)user,
                    strlen(user), sodium_base64_VARIANT_ORIGINAL);
  recorded = json_array();
  keys = json_object();
  int rc = pd_double_serve(port, on_request, NULL, pd_double_body_done);
  json_decref(recorded);
  json_decref(keys);
  return rc;
}
