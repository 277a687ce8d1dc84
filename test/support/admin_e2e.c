/* admin_e2e.c - the admin suites' shared helpers (see admin_e2e.h). */
#include "admin_e2e.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pd_ae_admin_file(const char *name, const char *extra_admins, char *env, size_t envlen)
{
  char path[512];
  const char *tmp = getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp";
  snprintf(path, sizeof(path), "%s/%s.admin.json", tmp, name);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -1;
  json_t *admins = extra_admins != NULL ? json_loads(extra_admins, 0, NULL) : json_array();
  if (!json_is_array(admins)) {
    fclose(f);
    json_decref(admins);
    return -1;
  }
  json_array_append_new(admins, json_string(PD_AE_ADMIN));
  json_t *doc = json_pack("{s:o, s:[s]}", "admins", admins, "owners", PD_AE_OWNER);
  int rc = json_dumpf(doc, f, JSON_INDENT(2));
  json_decref(doc);
  if (fclose(f) != 0 || rc != 0)
    return -1;
  snprintf(env, envlen, "ADMIN_FILE=%s", path);
  return 0;
}

int pd_ae_setup(struct pd_e2e *e, const char *suite, char *env, size_t envlen)
{
  int status = 0;
  if (pd_e2e_setup(e, suite) != 0 || pd_ae_admin_file(suite, NULL, env, envlen) != 0)
    return -1;
  return pd_e2e_server_stop(e, 0, SIGTERM, 10000, &status);
}

json_t *pd_ae_ix(const char *user, const char *sub)
{
  return pd_ge_command("admin", sub, user);
}

json_t *pd_ae_admin(struct pd_e2e *e, int idx, const char *user, const char *sub, json_t *ix)
{
  json_t *own = ix != NULL ? ix : pd_ae_ix(user, sub); /* ix is the caller's, given to us */
  json_t *reply = pd_ge_post(e, idx, own);
  json_decref(own);
  return reply;
}

long pd_ae_rest(struct pd_e2e *e, int idx, const char *method, const char *path, const char *body,
                const char *token, struct pd_http_reply *out, json_t **json)
{
  char url[1024], auth[256];
  const char *headers[3] = {NULL, NULL, NULL};
  int n = 0;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", e->srv[idx].port, path);
  if (token != NULL) {
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
    headers[n++] = auth;
  }
  if (body != NULL)
    headers[n++] = "Content-Type: application/json";
  memset(out, 0, sizeof(*out));
  if (json != NULL)
    *json = NULL;
  if (pd_http_do(method, url, headers, body, body != NULL ? strlen(body) : 0, out) != PD_OK)
    return 0;
  if (json != NULL && out->body != NULL)
    *json = json_loads(out->body, 0, NULL);
  return out->status;
}

int64_t pd_ae_audit_count(struct pd_e2e *e, const char *where)
{
  return pd_e2e_sqlf(e, "SELECT count(*) FROM admin_audit WHERE %s", where);
}
