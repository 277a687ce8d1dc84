/* double.c - the test side of the Discord double's control API. */
#include "double.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http_client.h"
#include "proc.h"

struct pd_double {
  struct pd_proc *proc;
  char root[64];
  char api_base[96];
};

enum pd_result pd_double_start(struct pd_double **out, const char *build_dir)
{
  char bin[512], log[512];
  struct pd_double *d = calloc(1, sizeof(*d));
  if (d == NULL)
    return PD_E_NOMEM;
  snprintf(bin, sizeof(bin), "%s/double-discord", build_dir);
  snprintf(log, sizeof(log), "%s/double-discord-%d.log",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp", (int)getpid());
  char *const argv[] = {bin, "--port", "0", NULL};
  unsigned port = 0;
  if (pd_proc_start_double(argv, log, &d->proc, &port) != PD_OK) {
    pd_double_stop(d);
    return PD_E_IO;
  }
  snprintf(d->root, sizeof(d->root), "http://127.0.0.1:%u", port);
  snprintf(d->api_base, sizeof(d->api_base), "%s/api/v10", d->root);
  *out = d;
  return PD_OK;
}

const char *pd_double_api_base(const struct pd_double *d)
{
  return d->api_base;
}

const char *pd_double_root(const struct pd_double *d)
{
  return d->root;
}

static enum pd_result control(struct pd_double *d, const char *method, const char *path,
                              json_t *body)
{
  char url[256];
  struct pd_http_reply r;
  char *s = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
  json_decref(body);
  snprintf(url, sizeof(url), "%s%s", d->root, path);
  const char *hdr[] = {"Content-Type: application/json", NULL};
  enum pd_result rc = pd_http_do(method, url, hdr, s, s != NULL ? strlen(s) : 0, &r);
  if (rc == PD_OK && r.status >= 300)
    rc = PD_E_UPSTREAM;
  pd_http_reply_free(&r);
  free(s);
  return rc;
}

enum pd_result pd_double_fail_next(struct pd_double *d, int status, int count, double retry_after,
                                   bool global)
{
  return control(d, "POST", "/_control/fail",
                 json_pack("{s:i, s:i, s:f, s:b}", "status", status, "count", count, "retry_after",
                           retry_after, "global", global));
}

enum pd_result pd_double_fail_next_on(struct pd_double *d, const char *path, int status, int count,
                                      double retry_after)
{
  return control(d, "POST", "/_control/fail",
                 json_pack("{s:i, s:i, s:f, s:b, s:s}", "status", status, "count", count,
                           "retry_after", retry_after, "global", 0, "path", path));
}

enum pd_result pd_double_delay_next(struct pd_double *d, int ms, int count)
{
  return control(d, "POST", "/_control/delay", json_pack("{s:i, s:i}", "ms", ms, "count", count));
}

json_t *pd_double_requests(struct pd_double *d, const char *filter)
{
  char url[1024];
  struct pd_http_reply r;
  if (filter != NULL) {
    char *esc = curl_easy_escape(NULL, filter, 0);
    snprintf(url, sizeof(url), "%s/_requests?token=%s", d->root, esc);
    curl_free(esc);
  } else {
    snprintf(url, sizeof(url), "%s/_requests", d->root);
  }
  json_t *list = NULL;
  if (pd_http_do("GET", url, NULL, NULL, 0, &r) == PD_OK && r.status == 200)
    list = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  return list != NULL ? list : json_array();
}

json_t *pd_double_wait_requests(struct pd_double *d, const char *filter, size_t n, int timeout_ms)
{
  for (int waited = 0;; waited += 50) {
    json_t *list = pd_double_requests(d, filter);
    if (json_array_size(list) >= n)
      return list;
    json_decref(list);
    if (waited >= timeout_ms)
      return NULL;
    usleep(50000);
  }
}

enum pd_result pd_double_entitlement_put(struct pd_double *d, json_t *ent)
{
  return control(d, "POST", "/_control/entitlements", json_incref(ent)); /* control drops it */
}

json_t *pd_double_entitlements(struct pd_double *d)
{
  char url[256];
  struct pd_http_reply r;
  json_t *list = NULL;
  snprintf(url, sizeof(url), "%s/_control/entitlements", d->root);
  if (pd_http_do("GET", url, NULL, NULL, 0, &r) == PD_OK && r.status == 200)
    list = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  return list != NULL ? list : json_array();
}

void pd_double_reset(struct pd_double *d)
{
  control(d, "DELETE", "/_requests", NULL);
}

void pd_double_stop(struct pd_double *d)
{
  if (d == NULL)
    return;
  pd_proc_stop(d->proc);
  free(d);
}
