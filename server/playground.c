/* playground.c - /play (see playground.h): the page's static files, its configuration (the
 * command table and the players), and /play/api/interact, which turns a page action into the
 * interaction Discord would send, signs it with the development key, posts it to this server's
 * own /interactions and tells the development double what happened, as Discord itself would
 * know it, so that every open tab sees the channel. */
#include "playground.h"

#include <errno.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "commands.h"
#include "http_get.h"
#include "ixbuild.h"
#include "ixpost.h"
#include "log.h"
#include "sig.h"

/* The page's own files, and the answers /interactions gives (a pack message with its embeds
 * stays far below this; card images go to the double, not through here). */
#define PLAY_MAX_FILE (2 * 1024 * 1024)
#define PLAY_MAX_ANSWER (1024 * 1024)
/* /interactions must answer within Discord's 3 s; more than this is our failure, not a wait. */
#define PLAY_POST_TIMEOUT_MS 10000L
#define PLAY_FEED_TIMEOUT_MS 2000L

struct pd_playground {
  struct pd_app *app;
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  char interactions_url[320];
  char feed[512]; /* the double's root: DISCORD_API_BASE without /api/vN */
};

/* The playground's players besides the admin, who comes from ADMIN_FILE.  The first is the
 * player `popdeck try` acts as. */
static const struct player {
  const char *id, *name;
  bool booster;
} players[] = {
    {"80351110224678912", "Ava", false},
    {"80351110224678913", "Ben", true},
};
#define ADMIN_NAME "Admin"

static bool loopback_http(const char *url)
{
  static const char *const ok[] = {"http://127.", "http://localhost:", "http://localhost/",
                                   "http://[::1]"};
  for (size_t i = 0; i < PD_ARRAY_LEN(ok); i++)
    if (strncmp(url, ok[i], strlen(ok[i])) == 0)
      return true;
  return false;
}

static void not_mounted(const char *reason)
{
  pd_log("info", "playground not mounted", json_pack("{s:s}", "reason", reason));
}

enum pd_result pd_playground_new(struct pd_app *app, int port, struct pd_playground **out)
{
  *out = NULL;
  const struct pd_config *cfg = &app->cfg;
  unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
  enum pd_result rc = pd_sig_load_secret(cfg->dev_key_file, sk);
  if (rc != PD_OK) {
    not_mounted(rc == PD_E_IO ? "no development key in DEV_KEY_FILE: a real Discord application "
                                "is configured (make run makes the key when DISCORD_PUBLIC_KEY "
                                "is unset)"
                              : "DEV_KEY_FILE holds no signing key");
    return PD_OK;
  }
  crypto_sign_ed25519_sk_to_pk(pk, sk);
  if (!cfg->has_public_key || sodium_memcmp(pk, cfg->public_key, sizeof(pk)) != 0) {
    sodium_memzero(sk, sizeof(sk));
    not_mounted("DISCORD_PUBLIC_KEY is not the development key in DEV_KEY_FILE: a real Discord "
                "application is configured");
    return PD_OK;
  }
  if (cfg->api_base == NULL || !loopback_http(cfg->api_base)) {
    sodium_memzero(sk, sizeof(sk));
    not_mounted("DISCORD_API_BASE is not a local Discord double (http on loopback)");
    return PD_OK;
  }
  struct pd_playground *p = calloc(1, sizeof(*p));
  if (p == NULL) {
    sodium_memzero(sk, sizeof(sk));
    return PD_E_NOMEM;
  }
  p->app = app;
  memcpy(p->sk, sk, sizeof(sk));
  sodium_memzero(sk, sizeof(sk));
  const char *h = strcmp(cfg->listen_host, "0.0.0.0") == 0 ? "127.0.0.1"
                  : strcmp(cfg->listen_host, "::") == 0    ? "::1"
                                                           : cfg->listen_host;
  bool v6 = strchr(h, ':') != NULL;
  char base[200];
  snprintf(base, sizeof(base), "http://%s%s%s:%d", v6 ? "[" : "", h, v6 ? "]" : "", port);
  snprintf(p->interactions_url, sizeof(p->interactions_url), "%s/interactions", base);
  snprintf(p->feed, sizeof(p->feed), "%s", cfg->api_base);
  char *api = strstr(p->feed, "/api/");
  if (api != NULL)
    *api = '\0';
  char url[240];
  snprintf(url, sizeof(url), "%s/play", base);
  pd_log("info", "playground mounted", json_pack("{s:s, s:s}", "url", url, "feed", p->feed));
  *out = p;
  return PD_OK;
}

void pd_playground_free(struct pd_playground *p)
{
  if (p == NULL)
    return;
  sodium_memzero(p->sk, sizeof(p->sk));
  free(p);
}

static void answer_json(struct pd_play_answer *ans, int status, json_t *j)
{
  ans->status = status;
  ans->content_type = "application/json";
  ans->body = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;
  ans->len = ans->body != NULL ? strlen(ans->body) : 0;
  json_decref(j);
  if (ans->body == NULL)
    ans->status = 500;
}

static void answer_text(struct pd_play_answer *ans, int status, const char *text)
{
  ans->status = status;
  ans->content_type = "text/plain; charset=utf-8";
  ans->body = strdup(text);
  ans->len = ans->body != NULL ? strlen(text) : 0;
}

static void answer_error(struct pd_play_answer *ans, int status, const char *msg)
{
  answer_json(ans, status, json_pack("{s:s}", "error", msg));
}

/* The Content-Type of a file the page may load, by its extension; NULL for any other. */
static const char *type_of(const char *name)
{
  static const struct {
    const char *ext, *type;
  } types[] = {
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},
  };
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot != NULL && i < PD_ARRAY_LEN(types); i++)
    if (strcmp(dot, types[i].ext) == 0)
      return types[i].type;
  return NULL;
}

/* A file name of assets/play: letters, digits, '_', '-', '.', not starting with '.'. */
static bool name_ok(const char *name)
{
  size_t n = strlen(name);
  if (n == 0 || n > 64 || name[0] == '.')
    return false;
  return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.") == n;
}

/* GET /play and /play/NAME: read from ASSETS_DIR/play on each request, so an edited page shows
 * on reload. */
static void static_file(struct pd_playground *p, const char *name, struct pd_play_answer *ans)
{
  const char *type = type_of(name);
  if (!name_ok(name) || type == NULL) {
    answer_text(ans, 404, "not found\n");
    return;
  }
  char path[1200];
  snprintf(path, sizeof(path), "%s/play/%s", p->app->cfg.assets_dir, name);
  FILE *f = fopen(path, "rb");
  struct stat st;
  if (f == NULL || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
      st.st_size > PLAY_MAX_FILE) {
    if (f != NULL)
      fclose(f);
    answer_text(ans, 404, "not found\n");
    return;
  }
  char *data = malloc((size_t)st.st_size + 1);
  size_t got = data != NULL ? fread(data, 1, (size_t)st.st_size, f) : 0;
  fclose(f);
  if (data == NULL || got != (size_t)st.st_size) {
    free(data);
    answer_text(ans, 500, "cannot read the file\n");
    return;
  }
  ans->status = 200;
  ans->content_type = type;
  ans->body = data;
  ans->len = got;
}

/* The admin player: the first admin (or owner) ADMIN_FILE lists, into id. */
static bool admin_id(struct pd_playground *p, char *id, size_t idlen)
{
  struct pd_app *app = p->app;
  pthread_rwlock_rdlock(&app->admins_lock);
  bool have = app->admins.n > 0;
  if (have)
    snprintf(id, idlen, "%s", app->admins.ids[0]);
  pthread_rwlock_unlock(&app->admins_lock);
  return have;
}

static json_t *player_json(const char *id, const char *name, bool booster, bool admin)
{
  json_t *u = pd_ixb_user_named(id, name);
  json_t *j = json_pack("{s:s, s:s, s:O, s:b, s:b}", "id", id, "name", name, "username",
                        json_object_get(u, "username"), "booster", booster, "admin", admin);
  json_decref(u);
  return j;
}

/* A player of the playground by id: its name and whether it boosts; false for anyone else. */
static bool player_find(struct pd_playground *p, const char *id, const char **name, bool *booster)
{
  for (size_t i = 0; i < PD_ARRAY_LEN(players); i++) {
    if (strcmp(players[i].id, id) == 0) {
      *name = players[i].name;
      *booster = players[i].booster;
      return true;
    }
  }
  char admin[32];
  if (admin_id(p, admin, sizeof(admin)) && strcmp(admin, id) == 0) {
    *name = ADMIN_NAME;
    *booster = false;
    return true;
  }
  return false;
}

/* GET /play/api/config. */
static void config(struct pd_playground *p, struct pd_play_answer *ans)
{
  json_t *list = json_array();
  for (size_t i = 0; i < PD_ARRAY_LEN(players); i++)
    json_array_append_new(list,
                          player_json(players[i].id, players[i].name, players[i].booster, false));
  char admin[32];
  bool is_player = false;
  if (admin_id(p, admin, sizeof(admin))) {
    for (size_t i = 0; i < PD_ARRAY_LEN(players); i++)
      is_player = is_player || strcmp(players[i].id, admin) == 0;
    if (!is_player)
      json_array_append_new(list, player_json(admin, ADMIN_NAME, false, true));
  }
  json_t *commands = pd_commands_registration(p->app->game);
  const struct pd_config *cfg = &p->app->cfg;
  answer_json(ans, 200,
              json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "app_id",
                        cfg->application_id != NULL ? cfg->application_id : "", "guild_id",
                        PD_IXB_GUILD_ID, "channel_id", PD_IXB_CHANNEL_ID, "guild_name",
                        "PopDeck Playground", "feed", p->feed, "players", list, "commands",
                        commands != NULL ? commands : json_array()));
}

/* Discord puts every user an option names in data.resolved.users: collects them from options,
 * sub-commands included.  Returns false on an option that is not an object. */
static bool resolve_users(struct pd_playground *p, json_t *options, json_t *users, int depth)
{
  size_t i;
  json_t *o;
  json_array_foreach(options, i, o)
  {
    if (!json_is_object(o) || depth > 2)
      return false;
    json_t *sub = json_object_get(o, "options");
    if (sub != NULL && (!json_is_array(sub) || !resolve_users(p, sub, users, depth + 1)))
      return false;
    if (json_integer_value(json_object_get(o, "type")) != PD_OPT_USER)
      continue;
    const char *id = json_string_value(json_object_get(o, "value"));
    if (id == NULL || id[0] == '\0' || strspn(id, "0123456789") != strlen(id) || strlen(id) > 20)
      return false;
    const char *name = NULL; /* a player's name, or "Player NNNN" for anyone else */
    bool booster;
    player_find(p, id, &name, &booster);
    json_object_set_new(users, id, pd_ixb_user_named(id, name));
  }
  return true;
}

/* How Discord shows the invocation: "/wishlist add card:abc". */
static void invocation(json_t *options, struct pd_buf *out)
{
  size_t i;
  json_t *o;
  json_array_foreach(options, i, o)
  {
    json_t *v = json_object_get(o, "value");
    const char *name = json_string_value(json_object_get(o, "name"));
    pd_buf_add(out, " ", 1);
    pd_buf_add(out, name != NULL ? name : "?", strlen(name != NULL ? name : "?"));
    if (v == NULL) { /* a sub-command or group */
      invocation(json_object_get(o, "options"), out);
      continue;
    }
    char *text = json_is_string(v) ? strdup(json_string_value(v))
                                   : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    pd_buf_add(out, ":", 1);
    if (text != NULL)
      pd_buf_add(out, text, strlen(text));
    free(text);
  }
}

/* POSTs record to the double's /_control/interaction; a failure is logged, not the page's. */
static void tell_double(struct pd_playground *p, json_t *record)
{
  char url[600], err[256] = "";
  snprintf(url, sizeof(url), "%s/_control/interaction", p->feed);
  char *body = json_dumps(record, JSON_COMPACT);
  const char *const headers[] = {"Content-Type: application/json", NULL};
  long status = 0;
  enum pd_result rc = body != NULL ? pd_http_post(url, headers, body, PLAY_FEED_TIMEOUT_MS, &status,
                                                  NULL, err, sizeof(err))
                                   : PD_E_NOMEM;
  if (rc != PD_OK || status != 204)
    pd_log("warn", "playground: the double did not record an interaction",
           json_pack("{s:s, s:s, s:i}", "feed", p->feed, "error", err, "status", (int)status));
  free(body);
}

/* The interaction the page asked for, built as `popdeck try` builds one; NULL with why in err.
 * *name gets the player's name. */
static json_t *build(struct pd_playground *p, json_t *req, const char **name, char *err,
                     size_t errlen)
{
  const char *player = json_string_value(json_object_get(req, "player"));
  bool booster = false;
  if (player == NULL || !player_find(p, player, name, &booster)) {
    snprintf(err, errlen, "player must be the id of one of /play/api/config's players");
    return NULL;
  }
  int type = (int)json_integer_value(json_object_get(req, "type"));
  const char *command = json_string_value(json_object_get(req, "command"));
  const char *custom_id = json_string_value(json_object_get(req, "custom_id"));
  json_t *options = json_object_get(req, "options");
  json_t *values = json_object_get(req, "values");
  json_t *components = json_object_get(req, "components");
  json_t *message = json_object_get(req, "message");
  if (type != 2 && type != 3 && type != 4 && type != 5) {
    snprintf(err, errlen, "type must be 2 (command), 3 (component), 4 (autocomplete) or 5 (modal)");
    return NULL;
  }
  if ((type == 2 || type == 4) && !pd_command_is_slash(pd_command_find(command))) {
    snprintf(err, errlen, "command must be one of /play/api/config's commands");
    return NULL;
  }
  if ((type == 3 || type == 5) &&
      (custom_id == NULL || custom_id[0] == '\0' || strlen(custom_id) > 100)) {
    snprintf(err, errlen, "custom_id must be the component's custom_id (1 to 100 characters)");
    return NULL;
  }
  if ((options != NULL && !json_is_array(options)) || (values != NULL && !json_is_array(values)) ||
      (components != NULL && !json_is_array(components)) ||
      (message != NULL && !json_is_object(message))) {
    snprintf(err, errlen, "options, values and components must be arrays, message an object");
    return NULL;
  }
  json_t *users = json_object();
  if (options != NULL && !resolve_users(p, options, users, 0)) {
    json_decref(users);
    snprintf(err, errlen, "options must be objects; a user option's value a user id");
    return NULL;
  }
  if (json_object_size(users) == 0) {
    json_decref(users);
    users = NULL;
  }
  int ctype = (int)json_integer_value(json_object_get(req, "component_type"));
  struct pd_ixb b = {
      .type = type,
      .app_id = p->app->cfg.application_id != NULL ? p->app->cfg.application_id : "",
      .user_id = player,
      .user_name = *name,
      .dm = json_is_true(json_object_get(req, "dm")),
      .booster = booster,
      .command = command,
      .options = options != NULL ? json_deep_copy(options) : NULL,
      .resolved_users = users,
      .custom_id = custom_id,
      .message = message != NULL ? json_deep_copy(message) : NULL,
      .component_type = type == 3 ? (ctype == 3 ? 3 : 2) : 0,
      .values = values != NULL ? json_deep_copy(values) : NULL,
      .components = components != NULL ? json_deep_copy(components) : NULL,
  };
  json_t *ix = pd_ixb_build(&b);
  if (ix == NULL)
    snprintf(err, errlen, "out of memory");
  return ix;
}

/* POST /play/api/interact. */
static void interact(struct pd_playground *p, const char *body, size_t len,
                     struct pd_play_answer *ans)
{
  char err[256];
  json_error_t jerr;
  json_t *req = json_loadb(body != NULL ? body : "", len, 0, &jerr);
  if (!json_is_object(req)) {
    json_decref(req);
    answer_error(ans, 400, "the body must be a JSON object (see assets/play/play.js)");
    return;
  }
  const char *pname = NULL;
  json_t *ix = build(p, req, &pname, err, sizeof(err));
  if (ix == NULL) {
    json_decref(req);
    answer_error(ans, 400, err);
    return;
  }
  char *text = json_dumps(ix, JSON_COMPACT);
  struct pd_buf answer;
  pd_buf_init(&answer, PLAY_MAX_ANSWER);
  long status = 0;
  enum pd_result rc = text != NULL
                          ? pd_ixpost(p->interactions_url, p->sk, text, PLAY_POST_TIMEOUT_MS,
                                      &status, &answer, err, sizeof(err))
                          : PD_E_NOMEM;
  free(text);
  if (rc != PD_OK) {
    pd_log("error", "playground: /interactions did not answer",
           json_pack("{s:s, s:s}", "url", p->interactions_url, "error", err));
    answer_error(ans, 502, "this server's /interactions did not answer (see its log)");
    goto out;
  }
  json_t *response = answer.p != NULL ? json_loads(answer.p, 0, NULL) : NULL;
  if (response == NULL)
    response = json_null();
  int type = (int)json_integer_value(json_object_get(ix, "type"));
  const char *token = json_string_value(json_object_get(ix, "token"));
  const char *id = json_string_value(json_object_get(ix, "id"));
  if (type != 4) {
    const char *player = json_string_value(json_object_get(req, "player"));
    json_t *rec = json_pack("{s:s, s:s, s:i, s:{s:s, s:s}, s:b, s:O, s:I}", "id", id, "token",
                            token, "type", type, "user", "id", player, "name", pname, "dm",
                            json_is_true(json_object_get(req, "dm")), "response", response,
                            "status", (json_int_t)status);
    if (type == 2) {
      struct pd_buf inv;
      pd_buf_init(&inv, 4096);
      const char *cmd = json_string_value(json_object_get(req, "command"));
      pd_buf_add(&inv, "/", 1);
      pd_buf_add(&inv, cmd, strlen(cmd));
      invocation(json_object_get(req, "options"), &inv);
      json_object_set_new(rec, "command", json_string(pd_buf_str(&inv)));
      pd_buf_free(&inv);
    } else {
      json_object_set(rec, "custom_id", json_object_get(req, "custom_id"));
    }
    json_t *mid = json_object_get(json_object_get(req, "message"), "id");
    if ((type == 3 || type == 5) && json_is_string(mid)) /* a modal a button opened */
      json_object_set(rec, "message_id", mid);
    tell_double(p, rec);
    json_decref(rec);
  }
  answer_json(ans, 200,
              json_pack("{s:I, s:{s:s, s:s}, s:o}", "status", (json_int_t)status, "interaction",
                        "id", id, "token", token, "response", response));
out:
  pd_buf_free(&answer);
  json_decref(ix);
  json_decref(req);
}

void pd_playground_handle(struct pd_playground *p, const char *method, const char *url,
                          const char *body, size_t len, struct pd_play_answer *ans)
{
  memset(ans, 0, sizeof(*ans));
  bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
  bool post = strcmp(method, "POST") == 0;
  if (strcmp(url, "/play") == 0 || strcmp(url, "/play/") == 0) {
    if (get)
      static_file(p, "index.html", ans);
    else
      answer_text(ans, 405, "use GET\n");
  } else if (strcmp(url, "/play/api/config") == 0) {
    if (get)
      config(p, ans);
    else
      answer_text(ans, 405, "use GET\n");
  } else if (strcmp(url, "/play/api/interact") == 0) {
    if (post)
      interact(p, body, len, ans);
    else
      answer_text(ans, 405, "use POST\n");
  } else if (strncmp(url, "/play/", 6) == 0 && strncmp(url, "/play/api/", 10) != 0) {
    if (get)
      static_file(p, url + 6, ans);
    else
      answer_text(ans, 405, "use GET\n");
  } else {
    answer_text(ans, 404, "not found\n");
  }
}
