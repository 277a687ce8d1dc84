/* try.c - `popdeck try COMMAND [name=value ...]`: builds a realistic signed interaction, posts
 * it to the running server, prints the reply and, for a deferred command, the follow-up the
 * server sent to the Discord double.  No Discord application needed. */
#include <curl/curl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "reply.h"
#include "sig.h"

#define DEV_APP_ID "1111111111111111111"
#define DEV_GUILD "2222222222222222222"
#define DEV_CHANNEL "3333333333333333333"

struct buf {
  char *p;
  size_t n;
};

static size_t collect(char *d, size_t s, size_t n, void *arg)
{
  struct buf *b = arg;
  char *g = realloc(b->p, b->n + s * n + 1);
  if (g == NULL)
    return 0;
  memcpy(g + b->n, d, s * n);
  b->p = g;
  b->n += s * n;
  b->p[b->n] = '\0';
  return s * n;
}

static void snowflake(char out[24])
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
  uint64_t v = ((ms - 1420070400000ULL) << 22) | (randombytes_random() & 0x3FFFFF);
  snprintf(out, 24, "%" PRIu64, v);
}

static json_t *make_user(const char *id)
{
  char name[40], global[40];
  size_t n = strlen(id);
  snprintf(name, sizeof(name), "player%s", n > 4 ? id + n - 4 : id);
  snprintf(global, sizeof(global), "Player %s", n > 4 ? id + n - 4 : id);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:n, s:i}", "id", id, "username", name, "global_name", global,
                   "discriminator", "0", "avatar", "a1b2c3d4e5f60718293a4b5c6d7e8f90", "avatar_decoration_data",
                   "clan", "public_flags", 0);
}

static bool add_option(const struct pd_command *cmd, const char *arg, json_t *opts, json_t *resolved)
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
      json_object_set_new(json_object_get(resolved, "users"), val, make_user(val));
    json_array_append_new(opts, json_pack("{s:s, s:i, s:o}", "name", o->name, "type", o->type, "value", v));
    return true;
  }
  fprintf(stderr, "try: /%s has no option \"%.*s\"; it takes:", cmd->name, (int)nlen, arg);
  for (const struct pd_option_spec *o = cmd->options; o != NULL && o->name != NULL; o++)
    fprintf(stderr, " %s", o->name);
  fprintf(stderr, "%s\n", cmd->options == NULL ? " nothing" : "");
  return false;
}

static json_t *build(const char *app_id, const struct pd_command *cmd, int argc, char **argv, const char *user_id,
                     bool dm, bool booster)
{
  char id[24], cmd_id[24];
  unsigned char raw[52];
  char token[80];
  snowflake(id);
  snowflake(cmd_id);
  randombytes_buf(raw, sizeof(raw));
  sodium_bin2base64(token, sizeof(token), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);

  json_t *opts = json_array(), *resolved = json_pack("{s:{}}", "users");
  for (int i = 0; i < argc; i++) {
    if (!add_option(cmd, argv[i], opts, resolved)) {
      json_decref(opts);
      json_decref(resolved);
      return NULL;
    }
  }
  json_t *data = json_pack("{s:s, s:s, s:i, s:o}", "id", cmd_id, "name", cmd->name, "type", 1, "options", opts);
  if (json_object_size(json_object_get(resolved, "users")) > 0)
    json_object_set_new(data, "resolved", resolved);
  else
    json_decref(resolved);

  json_t *ix = json_pack("{s:s, s:s, s:s, s:i, s:[], s:[], s:s, s:s, s:s, s:i, s:i, s:o}", "app_permissions",
                         "562949953601536", "application_id", app_id, "id", id, "context", dm ? 1 : 0,
                         "entitlement_sku_ids", "entitlements", "locale", "en-US", "token", token, "channel_id",
                         DEV_CHANNEL, "type", 2, "version", 1, "data", data);
  if (dm) {
    json_object_set_new(ix, "user", make_user(user_id));
    json_object_set_new(ix, "channel", json_pack("{s:s, s:i}", "id", DEV_CHANNEL, "type", 1));
    json_object_set_new(ix, "authorizing_integration_owners", json_pack("{s:s}", "1", user_id));
  } else {
    char since[32] = "";
    if (booster) {
      time_t t = time(NULL) - 30 * 86400;
      strftime(since, sizeof(since), "%Y-%m-%dT%H:%M:%S.000000+00:00", gmtime(&t));
    }
    json_object_set_new(ix, "guild_id", json_string(DEV_GUILD));
    json_object_set_new(ix, "guild_locale", json_string("en-US"));
    json_object_set_new(ix, "guild", json_pack("{s:s, s:s, s:[]}", "id", DEV_GUILD, "locale", "en-US", "features"));
    json_object_set_new(ix, "channel", json_pack("{s:s, s:i, s:s, s:s}", "id", DEV_CHANNEL, "type", 0, "name",
                                                 "popdeck", "guild_id", DEV_GUILD));
    json_object_set_new(ix, "authorizing_integration_owners", json_pack("{s:s}", "0", DEV_GUILD));
    json_object_set_new(
      ix, "member",
      json_pack("{s:n, s:b, s:i, s:s, s:b, s:n, s:b, s:s, s:o, s:[s], s:o}", "avatar", "deaf", 0, "flags", 0,
                "joined_at", "2024-05-01T12:00:00.000000+00:00", "mute", 0, "nick", "pending", 0, "permissions",
                "2248473465835073", "premium_since", booster ? json_string(since) : json_null(), "roles",
                "4444444444444444444", "user", make_user(user_id)));
  }
  return ix;
}

static bool load_secret(unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
  const char *path = pd_cli_dev_key_path();
  char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
  size_t len = 0;
  FILE *f = fopen(path, "r");
  bool ok = f != NULL && fgets(hex, sizeof(hex), f) != NULL &&
            sodium_hex2bin(sk, crypto_sign_SECRETKEYBYTES, hex, strcspn(hex, "\n"), NULL, &len, NULL) == 0 &&
            len == crypto_sign_SECRETKEYBYTES;
  if (f != NULL)
    fclose(f);
  if (!ok)
    fprintf(stderr, "try: no signing key in %s (make run creates it; or run: popdeck keygen)\n", path);
  sodium_memzero(hex, sizeof(hex));
  return ok;
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
    struct buf b = {0};
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
    CURLcode cc = curl_easy_perform(c);
    curl_easy_cleanup(c);
    json_t *list = cc == CURLE_OK && b.p != NULL ? json_loads(b.p, 0, NULL) : NULL;
    free(b.p);
    if (cc != CURLE_OK) {
      printf("(deferred: no Discord double answers at %s)\n", root);
      return;
    }
    if (json_array_size(list) > 0) {
      json_t *last = json_array_get(list, json_array_size(list) - 1);
      printf("follow-up %s %s -> %lld\n", json_string_value(json_object_get(last, "method")), "@original",
             (long long)json_integer_value(json_object_get(last, "status")));
      char *s = json_dumps(json_object_get(last, "json"), JSON_INDENT(2) | JSON_PRESERVE_ORDER);
      printf("%s\n", s != NULL ? s : "null");
      free(s);
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
    fprintf(stderr, "usage: popdeck try [--user ID] [--dm] [--booster] [--dump FILE] COMMAND [name=value ...]\n");
    return 2;
  }
  const struct pd_command *cmd = pd_command_find(argv[i]);
  if (cmd == NULL) {
    fprintf(stderr, "try: no command \"%s\"; see popdeck try help\n", argv[i]);
    return 2;
  }
  if (!pd_cli_config(0, &cfg))
    return 2;
  int rc = 1;
  char *body = NULL;
  struct curl_slist *hdrs = NULL;
  struct buf answer = {0};
  CURL *c = NULL;
  json_t *ix = build(cfg.application_id != NULL ? cfg.application_id : DEV_APP_ID, cmd, argc - i - 1, argv + i + 1,
                     user_id, dm, booster);
  if (ix == NULL || !load_secret(sk))
    goto out;
  body = json_dumps(ix, JSON_COMPACT);
  char ts[24], sig[2 * crypto_sign_BYTES + 1], h1[200], h2[64], url[300];
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  pd_sig_sign(sk, ts, body, strlen(body), sig);
  sodium_memzero(sk, sizeof(sk));
  snprintf(h1, sizeof(h1), "X-Signature-Ed25519: %s", sig);
  snprintf(h2, sizeof(h2), "X-Signature-Timestamp: %s", ts);
  if (dump != NULL) {
    /* For benchmarks: the body, then the two signature headers, one per line. */
    FILE *f = fopen(dump, "w");
    if (f == NULL)
      goto out;
    fprintf(f, "%s\n%s\n%s\n", body, h1, h2);
    fclose(f);
    rc = 0;
    goto out;
  }
  const char *h = strcmp(cfg.listen_host, "0.0.0.0") == 0 ? "127.0.0.1" : cfg.listen_host;
  bool v6 = strchr(h, ':') != NULL;
  char hostbuf[128];
  snprintf(hostbuf, sizeof(hostbuf), "%s%s%s", v6 ? "[" : "", h, v6 ? "]" : "");
  snprintf(url, sizeof(url), "http://%s:%d/interactions", hostbuf, cfg.listen_port);
  hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
  hdrs = curl_slist_append(hdrs, h1);
  hdrs = curl_slist_append(hdrs, h2);
  c = curl_easy_init();
  curl_easy_setopt(c, CURLOPT_URL, url);
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
  printf("-> POST %s  /%s as user %s%s\n", url, cmd->name, user_id, dm ? " (DM)" : "");
  CURLcode cc = curl_easy_perform(c);
  if (cc != CURLE_OK) {
    fprintf(stderr, "try: %s: %s (is `make run` serving?)\n", url, curl_easy_strerror(cc));
    goto out;
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  json_t *reply = answer.p != NULL ? json_loads(answer.p, 0, NULL) : NULL;
  char *pretty = reply != NULL ? json_dumps(reply, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  printf("<- %ld\n%s\n", status, pretty != NULL ? pretty : (answer.p != NULL ? answer.p : ""));
  free(pretty);
  if (json_integer_value(json_object_get(reply, "type")) == PD_CB_DEFERRED_MESSAGE)
    print_followup(cfg.api_base, json_string_value(json_object_get(ix, "token")));
  json_decref(reply);
  rc = status == 200 ? 0 : 1;
out:
  curl_easy_cleanup(c);
  curl_slist_free_all(hdrs);
  free(answer.p);
  free(body);
  json_decref(ix);
  pd_config_free(&cfg);
  return rc;
}
