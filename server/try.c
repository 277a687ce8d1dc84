/* try.c - `popdeck try COMMAND [name=value ...]`: builds a realistic signed interaction, posts
 * it to the running server, prints the reply and, for a deferred command, the follow-up the
 * server sent to the Discord double.  No Discord application needed. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "commands.h"
#include "ixbuild.h"
#include "ixpost.h"
#include "reply.h"
#include "sig.h"

#define DEV_APP_ID "1111111111111111111"

/* The server's reply and the Discord double's record of follow-ups (card images in it, as
 * base64) stay far below this; an answer past it is reported as a failed transfer. */
#define TRY_MAX_ANSWER (16 * 1024 * 1024)

static size_t collect(char *d, size_t s, size_t n, void *arg)
{
  return pd_buf_add(arg, d, s * n) == PD_OK ? s * n : 0;
}

static bool add_option(const struct pd_command *cmd, const char *arg, json_t *opts, json_t *users)
{
  const char *eq = strchr(arg, '=');
  if (eq == NULL) {
    fprintf(stderr, "try: options are name=value (got \"%s\")\n", arg);
    return false;
  }
  size_t nlen = (size_t)(eq - arg);
  const char *val = eq + 1;
  for (const struct pd_option_spec *o = cmd->options; o != NULL && o->name != NULL; o++) {
    if (strlen(o->name) != nlen || strncmp(o->name, arg, nlen) != 0)
      continue;
    json_t *v;
    if (o->type == PD_OPT_INTEGER) {
      char *end = NULL;
      long long x = strtoll(val, &end, 10);
      if (end == val || *end != '\0') {
        fprintf(stderr, "try: %s wants a whole number\n", o->name);
        return false;
      }
      v = json_integer(x);
    } else if (o->type == PD_OPT_BOOLEAN) {
      v = json_boolean(strcmp(val, "true") == 0);
    } else {
      v = json_string(val);
    }
    if (o->type == PD_OPT_USER)
      json_object_set_new(users, val, pd_ixb_user(val));
    json_array_append_new(
        opts, json_pack("{s:s, s:i, s:o}", "name", o->name, "type", o->type, "value", v));
    return true;
  }
  fprintf(stderr, "try: /%s has no option \"%.*s\"; it takes:", cmd->name, (int)nlen, arg);
  for (const struct pd_option_spec *o = cmd->options; o != NULL && o->name != NULL; o++)
    fprintf(stderr, " %s", o->name);
  fprintf(stderr, "%s\n", cmd->options == NULL ? " nothing" : "");
  return false;
}

static json_t *build(const char *app_id, const struct pd_command *cmd, int argc, char **argv,
                     const char *user_id, bool dm, bool booster)
{
  json_t *opts = json_array(), *users = json_object();
  for (int i = 0; i < argc; i++) {
    if (!add_option(cmd, argv[i], opts, users)) {
      json_decref(opts);
      json_decref(users);
      return NULL;
    }
  }
  if (json_object_size(users) == 0) {
    json_decref(users);
    users = NULL;
  }
  struct pd_ixb b = {.type = 2,
                     .app_id = app_id,
                     .user_id = user_id,
                     .dm = dm,
                     .booster = booster,
                     .command = cmd->name,
                     .options = opts,
                     .resolved_users = users};
  return pd_ixb_build(&b);
}

static bool load_secret(const char *path, unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
  if (pd_sig_load_secret(path, sk) == PD_OK)
    return true;
  fprintf(stderr, "try: no signing key in %s (make run creates it; or run: popdeck keygen)\n",
          path);
  return false;
}

/* The double's control root is DISCORD_API_BASE without its /api/vN suffix. */
static void print_followup(const char *api_base, const char *token)
{
  char root[512], url[1024];
  snprintf(root, sizeof(root), "%s", api_base);
  char *api = strstr(root, "/api/");
  if (api != NULL)
    *api = '\0';
  if (strncmp(root, "http://127.", 11) != 0 && strncmp(root, "http://localhost", 16) != 0) {
    printf("(deferred: the follow-up went to %s, where this tool cannot see it)\n", api_base);
    return;
  }
  snprintf(url, sizeof(url), "%s/_requests?token=%s", root, token);
  for (int i = 0; i < 100; i++) {
    struct pd_buf b;
    pd_buf_init(&b, TRY_MAX_ANSWER);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    json_t *list = cc == CURLE_OK && b.p != NULL ? json_loads(b.p, 0, NULL) : NULL;
    pd_buf_free(&b);
    if (cc != CURLE_OK) {
      printf("(deferred: no Discord double answers at %s)\n", root);
      return;
    }
    if (json_array_size(list) > 0) {
      json_t *last = json_array_get(list, json_array_size(list) - 1);
      printf("follow-up %s %s -> %lld\n", json_string_value(json_object_get(last, "method")),
             json_string_value(json_object_get(last, "path")),
             (long long)json_integer_value(json_object_get(last, "status")));
      char *s = json_dumps(json_object_get(last, "json"), JSON_INDENT(2) | JSON_PRESERVE_ORDER);
      printf("%s\n", s != NULL ? s : "null");
      free(s);
      size_t k;
      json_t *file;
      json_array_foreach(json_object_get(last, "files"), k, file)
      {
        printf("attached %s: %s, %lldx%lld, %lld bytes\n",
               json_string_value(json_object_get(file, "field")),
               json_string_value(json_object_get(file, "filename")),
               (long long)json_integer_value(json_object_get(file, "width")),
               (long long)json_integer_value(json_object_get(file, "height")),
               (long long)json_integer_value(json_object_get(file, "size")));
      }
      json_decref(list);
      return;
    }
    json_decref(list);
    usleep(100000);
  }
  printf("(deferred: no follow-up reached the double within 10 s)\n");
}

int pd_cli_try(int argc, char **argv)
{
  struct pd_config cfg;
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  const char *user_id = "80351110224678912", *dump = NULL;
  bool dm = false, booster = false;
  int i = 1;
  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
    if (strcmp(argv[i], "--dm") == 0)
      dm = true;
    else if (strcmp(argv[i], "--booster") == 0)
      booster = true;
    else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
      user_id = argv[++i];
    else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
      dump = argv[++i];
    else
      break;
  }
  if (i >= argc) {
    fprintf(stderr, "usage: popdeck try [--user ID] [--dm] [--booster] [--dump FILE] COMMAND "
                    "[name=value ...]\n");
    return 2;
  }
  const struct pd_command *cmd = pd_command_find(argv[i]);
  if (!pd_command_is_slash(cmd)) {
    fprintf(stderr, "try: no command \"%s\"; see popdeck try help\n", argv[i]);
    return 2;
  }
  if (!pd_cli_config(0, &cfg))
    return 2;
  int rc = 1;
  char *body = NULL;
  struct pd_buf answer;
  pd_buf_init(&answer, TRY_MAX_ANSWER);
  json_t *ix = build(cfg.application_id != NULL ? cfg.application_id : DEV_APP_ID, cmd,
                     argc - i - 1, argv + i + 1, user_id, dm, booster);
  if (ix == NULL || !load_secret(cfg.dev_key_file, sk))
    goto out;
  body = json_dumps(ix, JSON_COMPACT);
  char url[300], err[256];
  if (dump != NULL) {
    /* For benchmarks: the body, then the two signature headers, one per line. */
    char ts[24], sig[2 * crypto_sign_BYTES + 1];
    snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
    pd_sig_sign(sk, ts, body, strlen(body), sig);
    FILE *f = fopen(dump, "w");
    if (f == NULL)
      goto out;
    fprintf(f, "%s\nX-Signature-Ed25519: %s\nX-Signature-Timestamp: %s\n", body, sig, ts);
    fclose(f);
    rc = 0;
    goto out;
  }
  const char *h = strcmp(cfg.listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : cfg.listen_host;
  bool v6 = strchr(h, ':') != NULL;
  char hostbuf[128];
  snprintf(hostbuf, sizeof(hostbuf), "%s%s%s", v6 ? "[" : "", h, v6 ? "]" : "");
  snprintf(url, sizeof(url), "http://%s:%d/interactions", hostbuf, cfg.listen_port);
  printf("-> POST %s  /%s as user %s%s\n", url, cmd->name, user_id, dm ? " (DM)" : "");
  long status = 0;
  if (pd_ixpost(url, sk, body, 5000L, &status, &answer, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "try: %s: %s (is `make run` serving?)\n", url, err);
    goto out;
  }
  json_t *reply = answer.p != NULL ? json_loads(answer.p, 0, NULL) : NULL;
  char *pretty = reply != NULL ? json_dumps(reply, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  printf("<- %ld\n%s\n", status, pretty != NULL ? pretty : pd_buf_str(&answer));
  free(pretty);
  if (json_integer_value(json_object_get(reply, "type")) == PD_CB_DEFERRED_MESSAGE)
    print_followup(cfg.api_base, json_string_value(json_object_get(ix, "token")));
  json_decref(reply);
  rc = status == 200 ? 0 : 1;
out:
  sodium_memzero(sk, sizeof(sk));
  pd_buf_free(&answer);
  free(body);
  json_decref(ix);
  pd_config_free(&cfg);
  return rc;
}
