/* events_e2e.c - signed webhook events as Discord sends them (see events_e2e.h). */
#include "events_e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

json_t *pd_ev_entitlement(const char *id, const char *sku_id, const char *user_id, int type,
                          bool consumed, bool deleted, const char *ends_at)
{
  json_t *ent = json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:n, s:b}", "id", id, "sku_id", sku_id,
                          "application_id", PD_E2E_APP_ID, "user_id", user_id, "type", type,
                          "deleted", deleted, "starts_at", "consumed", consumed);
  json_object_set_new(ent, "ends_at", ends_at != NULL ? json_string(ends_at) : json_null());
  return ent;
}

json_t *pd_ev_event(const char *type, const char *timestamp, json_t *data)
{
  return json_pack("{s:i, s:s, s:i, s:{s:s, s:s, s:O}}", "version", 1, "application_id",
                   PD_E2E_APP_ID, "type", 1, "event", "type", type, "timestamp", timestamp, "data",
                   data);
}

json_t *pd_ev_ping(void)
{
  return json_pack("{s:i, s:s, s:i}", "version", 1, "application_id", PD_E2E_APP_ID, "type", 0);
}

void pd_ev_time(long offset_s, char out[40])
{
  time_t t = time(NULL) + offset_s;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, 40, "%Y-%m-%dT%H:%M:%S.000000+00:00", &tm);
}

long pd_ev_post_raw(struct pd_e2e *e, int idx, const char *body, size_t len, const char *sig,
                    const char *ts, struct pd_http_reply *out)
{
  char url[128], h1[200], h2[80];
  const char *headers[5];
  size_t n = 0;
  struct pd_http_reply local;
  headers[n++] = "Content-Type: application/json";
  headers[n++] = "User-Agent: Discord-Webhook/1.0 (+https://discord.com)";
  if (sig != NULL) {
    snprintf(h1, sizeof(h1), "X-Signature-Ed25519: %s", sig);
    headers[n++] = h1;
  }
  if (ts != NULL) {
    snprintf(h2, sizeof(h2), "X-Signature-Timestamp: %s", ts);
    headers[n++] = h2;
  }
  headers[n] = NULL;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d/events", e->srv[idx].port);
  struct pd_http_reply *r = out != NULL ? out : &local;
  long status = pd_http_do("POST", url, headers, body, len, r) == PD_OK ? r->status : -1;
  if (out == NULL)
    pd_http_reply_free(&local);
  return status;
}

long pd_ev_post(struct pd_e2e *e, int idx, json_t *body, struct pd_http_reply *out)
{
  char ts[24], sig[129];
  char *s = json_dumps(body, JSON_COMPACT);
  if (s == NULL)
    return -1;
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  pd_e2e_sign(e, ts, s, strlen(s), sig);
  long status = pd_ev_post_raw(e, idx, s, strlen(s), sig, ts, out);
  free(s);
  return status;
}
