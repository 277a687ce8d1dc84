/* e2e_play.c - the playground's routes, end to end.  Server 0 is configured as for a real
 * Discord application (the suite's own key, whose private half it does not hold): every /play
 * path is 404 and the log says why.  Server 1 holds the private key in DEV_KEY_FILE and sends to
 * the loopback double, as `make run` does: /play serves the page, /play/api/config the command
 * table and the players (the admin from ADMIN_FILE), and /play/api/interact sends a signed
 * interaction through the real /interactions (its request log line, the database and the
 * double's feed show it).  The browser drives the page in test/browser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"

#define AVA "80351110224678912"
#define BEN "80351110224678913"
#define ADMIN "80351110224678914"

static struct pd_e2e E;
static char key_file[600], other_key_file[600], admin_file[600];
static char env_key[700], env_admin[700], env_other[700];

static bool write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return false;
  bool ok = fputs(text, f) >= 0;
  return fclose(f) == 0 && ok;
}

static bool write_key(const char *path, const unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
  char hex[2 * crypto_sign_SECRETKEYBYTES + 1], line[sizeof(hex) + 1];
  sodium_bin2hex(hex, sizeof(hex), sk, crypto_sign_SECRETKEYBYTES);
  snprintf(line, sizeof(line), "%s\n", hex); /* as popdeck keygen writes it */
  return write_file(path, line);
}

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "play") != 0)
    return -1;
  const char *tmp = getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp";
  snprintf(key_file, sizeof(key_file), "%s/e2e_play-dev-key", tmp);
  snprintf(other_key_file, sizeof(other_key_file), "%s/e2e_play-other-key", tmp);
  snprintf(admin_file, sizeof(admin_file), "%s/e2e_play-admin.json", tmp);
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], other[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, other);
  if (!write_key(key_file, E.sk) || !write_key(other_key_file, other) ||
      !write_file(admin_file, "{\"admins\": [\"" ADMIN "\"]}\n"))
    return -1;
  snprintf(env_key, sizeof(env_key), "DEV_KEY_FILE=%s", key_file);
  snprintf(env_other, sizeof(env_other), "DEV_KEY_FILE=%s", other_key_file);
  snprintf(env_admin, sizeof(env_admin), "ADMIN_FILE=%s", admin_file);
  const char *const dev[] = {env_key, env_admin, "DISCORD_BOT_TOKEN=dev-bot-token", NULL};
  if (pd_e2e_seed_demo(&E, 2) != 0 || pd_e2e_server_start(&E, 1, dev) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  unlink(key_file);
  unlink(other_key_file);
  unlink(admin_file);
  return 0;
}

static long get(int idx, const char *path, struct pd_http_reply *r)
{
  memset(r, 0, sizeof(*r));
  return pd_e2e_get(&E, idx, path, r);
}

static long post(int idx, const char *path, const char *body, struct pd_http_reply *r)
{
  char url[256];
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", E.srv[idx].port, path);
  const char *const h[] = {"Content-Type: application/json", NULL};
  memset(r, 0, sizeof(*r));
  if (pd_http_do("POST", url, h, body, strlen(body), r) != PD_OK)
    return -1;
  return r->status;
}

/* Every /play path answers as an unknown path does. */
static void assert_not_mounted(int idx)
{
  static const char *const paths[] = {"/play", "/play/", "/play/index.html", "/play/play.js",
                                      "/play/api/config"};
  struct pd_http_reply r;
  for (size_t i = 0; i < PD_ARRAY_LEN(paths); i++) {
    assert_int_equal(get(idx, paths[i], &r), 404);
    assert_string_equal(r.body, "not found\n");
    pd_http_reply_free(&r);
  }
  assert_int_equal(post(idx, "/play/api/interact",
                        "{\"player\":\"" AVA "\",\"type\":2,\"command\":\"daily\"}", &r),
                   404);
  pd_http_reply_free(&r);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT count(*) FROM users WHERE discord_id = '%s'", AVA), 0);
}

static void test_refused_with_a_real_application(void **state)
{
  /* Server 0: the suite's key, as a real application's, with no private half on this machine. */
  assert_not_mounted(0);
  assert_true(pd_e2e_log_has(&E, 0, "\"msg\":\"playground not mounted\""));
  assert_true(pd_e2e_log_has(&E, 0, "a real Discord application is configured"));
}

static void test_refused_with_another_key_or_a_remote_api(void **state)
{
  int status = 0;
  /* A development key on disk that is not the configured public key's. */
  const char *const other[] = {env_other, NULL};
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_start(&E, 0, other), 0);
  assert_not_mounted(0);
  assert_true(pd_e2e_log_has(&E, 0, "DISCORD_PUBLIC_KEY is not the development key"));
  /* The right key, but follow-ups would go to a host that is not this machine's double
   * (192.0.2.1 is TEST-NET-1: never contacted, no scheduler, no bot token). */
  const char *const remote[] = {env_key, "DISCORD_API_BASE=http://192.0.2.1/api/v10", "SCHEDULER=0",
                                NULL};
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_start(&E, 0, remote), 0);
  assert_not_mounted(0);
  assert_true(pd_e2e_log_has(&E, 0, "DISCORD_API_BASE is not a local Discord double"));
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_start(&E, 0, NULL), 0);
}

static void test_serves_the_page_and_only_its_files(void **state)
{
  struct pd_http_reply r;
  assert_true(pd_e2e_log_has(&E, 1, "\"msg\":\"playground mounted\""));
  assert_int_equal(get(1, "/play", &r), 200);
  assert_string_equal(pd_http_header(&r, "Content-Type"), "text/html; charset=utf-8");
  assert_non_null(strstr(r.body, "PopDeck Playground</title>"));
  assert_non_null(strstr(r.body, "play.js"));
  pd_http_reply_free(&r);
  assert_int_equal(get(1, "/play/play.js", &r), 200);
  assert_string_equal(pd_http_header(&r, "Content-Type"), "text/javascript; charset=utf-8");
  pd_http_reply_free(&r);
  /* Nothing outside assets/play, no hidden or unknown kinds of file, nothing below it. */
  static const char *const refused[] = {
      "/play/..%2Fpacks.json", "/play/%2e%2e/packs.json", "/play/.hidden.js", "/play/sub/play.js",
      "/play/nothing.js",      "/play/index.html~",       "/play/api/nothing"};
  for (size_t i = 0; i < PD_ARRAY_LEN(refused); i++) {
    assert_int_equal(get(1, refused[i], &r), 404);
    pd_http_reply_free(&r);
  }
  assert_int_equal(post(1, "/play/play.js", "{}", &r), 405);
  pd_http_reply_free(&r);
}

static void test_config_lists_commands_and_players(void **state)
{
  struct pd_http_reply r;
  assert_int_equal(get(1, "/play/api/config", &r), 200);
  json_t *c = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_non_null(c);
  assert_string_equal(json_string_value(json_object_get(c, "app_id")), PD_E2E_APP_ID);
  /* The double's root, where the page reads follow-ups and DMs. */
  assert_string_equal(json_string_value(json_object_get(c, "feed")), pd_double_root(E.dbl));
  json_t *players = json_object_get(c, "players");
  assert_int_equal(json_array_size(players), 3);
  static const struct {
    const char *id, *name;
    bool booster, admin;
  } want[] = {{AVA, "Ava", false, false}, {BEN, "Ben", true, false}, {ADMIN, "Admin", false, true}};
  for (size_t i = 0; i < 3; i++) {
    json_t *p = json_array_get(players, i);
    assert_string_equal(json_string_value(json_object_get(p, "id")), want[i].id);
    assert_string_equal(json_string_value(json_object_get(p, "name")), want[i].name);
    assert_int_equal(json_is_true(json_object_get(p, "booster")), want[i].booster);
    assert_int_equal(json_is_true(json_object_get(p, "admin")), want[i].admin);
  }
  /* The command table as Discord registers it: names, descriptions, choices, autocomplete. */
  json_t *cmds = json_object_get(c, "commands");
  size_t i;
  json_t *cmd;
  bool openpack = false, viewcard_ac = false;
  json_array_foreach(cmds, i, cmd)
  {
    const char *name = json_string_value(json_object_get(cmd, "name"));
    assert_non_null(json_string_value(json_object_get(cmd, "description")));
    openpack = openpack || strcmp(name, "openpack") == 0;
    if (strcmp(name, "viewcard") == 0)
      viewcard_ac = json_is_true(
          json_object_get(json_array_get(json_object_get(cmd, "options"), 0), "autocomplete"));
  }
  assert_true(openpack);
  assert_true(viewcard_ac);
  assert_true(json_array_size(cmds) >= 30);
  json_decref(c);
}

static void test_interact_goes_through_interactions(void **state)
{
  struct pd_http_reply r;
  pd_double_reset(E.dbl);
  assert_int_equal(post(1, "/play/api/interact",
                        "{\"player\":\"" BEN "\",\"type\":2,\"command\":\"daily\"}", &r),
                   200);
  json_t *a = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_int_equal(json_integer_value(json_object_get(a, "status")), 200);
  json_t *resp = json_object_get(a, "response");
  assert_int_equal(json_integer_value(json_object_get(resp, "type")), 4);
  const char *title = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(resp, "data"), "embeds"), 0), "title"));
  assert_string_equal(title, "Daily Notes claimed");
  const char *token =
      json_string_value(json_object_get(json_object_get(a, "interaction"), "token"));
  assert_non_null(token);
  /* The real path: signed, verified, dispatched, logged as any interaction is, and paid. */
  assert_true(pd_e2e_log_has(&E, 1, "\"route\":\"/interactions\",\"status\":200,"));
  assert_true(pd_e2e_log_has(&E, 1, "\"user_id\":\"" BEN "\""));
  /* What the embed says Ben now has is what the database holds (a booster's daily is more). */
  const char *desc = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(resp, "data"), "embeds"), 0), "description"));
  const char *now = desc != NULL ? strstr(desc, "You now have **") : NULL;
  assert_non_null(now);
  long long have = strtoll(now + 15, NULL, 10);
  assert_true(have > 0);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT coins FROM users WHERE discord_id = '%s'", BEN), have);
  /* The double knows it as Discord would: who, what, and the answer. */
  json_t *recs = pd_double_wait_requests(E.dbl, "/_interaction/", 1, 5000);
  assert_non_null(recs);
  json_t *rec = json_object_get(json_array_get(recs, 0), "json");
  assert_string_equal(json_string_value(json_object_get(rec, "token")), token);
  assert_string_equal(json_string_value(json_object_get(rec, "command")), "/daily");
  assert_string_equal(json_string_value(json_object_get(json_object_get(rec, "user"), "name")),
                      "Ben");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(rec, "response"), "type")),
                   4);
  json_decref(recs);
  json_decref(a);
}

/* /openpack's deferred answer, then its follow-up with the pack image, whose bytes the page
 * reads from the double's feed; a pick (type 3, the message it sits on) flips it. */
static void test_pack_image_and_pick_through_the_feed(void **state)
{
  struct pd_http_reply r;
  assert_int_equal(post(1, "/play/api/interact",
                        "{\"player\":\"" AVA "\",\"type\":2,\"command\":\"openpack\"}", &r),
                   200);
  json_t *a = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  json_t *resp = json_object_get(a, "response");
  assert_int_equal(json_integer_value(json_object_get(resp, "type")), 5);
  const char *token =
      json_string_value(json_object_get(json_object_get(a, "interaction"), "token"));
  char filter[200];
  snprintf(filter, sizeof(filter), "%s/messages/@original", token);
  json_t *edits = pd_double_wait_requests(E.dbl, filter, 1, 15000);
  assert_non_null(edits);
  json_t *edit = json_array_get(edits, 0);
  json_t *file = json_array_get(json_object_get(edit, "files"), 0);
  assert_string_equal(json_string_value(json_object_get(file, "filename")), "pack.png");
  char url[400];
  snprintf(url, sizeof(url), "%s%s", pd_double_root(E.dbl),
           json_string_value(json_object_get(file, "url")));
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  assert_int_equal(r.status, 200);
  assert_string_equal(pd_http_header(&r, "Content-Type"), "image/png");
  assert_string_equal(pd_http_header(&r, "Access-Control-Allow-Origin"), "*");
  assert_int_equal(r.len, json_integer_value(json_object_get(file, "size")));
  assert_memory_equal(r.body, "\x89PNG", 4);
  pd_http_reply_free(&r);

  /* The first button, pressed on the message the follow-up made. */
  json_t *msg = json_object_get(edit, "json");
  const char *custom = json_string_value(json_object_get(
      json_array_get(
          json_object_get(json_array_get(json_object_get(msg, "components"), 0), "components"), 0),
      "custom_id"));
  assert_non_null(custom);
  json_t *press = json_pack("{s:s, s:i, s:s, s:i, s:{s:s, s:O}}", "player", AVA, "type", 3,
                            "custom_id", custom, "component_type", 2, "message", "id",
                            "1300000000000000000", "embeds", json_object_get(msg, "embeds"));
  char *body = json_dumps(press, JSON_COMPACT);
  assert_int_equal(post(1, "/play/api/interact", body, &r), 200);
  free(body);
  json_decref(press);
  json_t *b = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  json_t *flip = json_object_get(b, "response");
  assert_int_equal(json_integer_value(json_object_get(flip, "type")), 7);
  const char *kept = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(flip, "data"), "embeds"), 0), "title"));
  assert_non_null(kept);
  assert_int_equal(strncmp(kept, "You kept ", 9), 0);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM user_cards uc JOIN users u ON u.id = "
                               "uc.user_id WHERE u.discord_id = '%s'",
                               AVA),
                   1);
  /* The feed has the press with the message it sat on, for every tab to flip it. */
  json_t *recs = pd_double_requests(E.dbl, "/_interaction/");
  json_t *last = json_object_get(json_array_get(recs, json_array_size(recs) - 1), "json");
  assert_string_equal(json_string_value(json_object_get(last, "message_id")),
                      "1300000000000000000");
  assert_string_equal(json_string_value(json_object_get(last, "custom_id")), custom);
  json_decref(recs);
  json_decref(b);
  json_decref(edits);
  json_decref(a);
}

static void test_feed_since_and_long_poll(void **state)
{
  const char *base = pd_double_root(E.dbl);
  char url[400];
  struct pd_http_reply r;
  /* The newest seq so far, then nothing newer: the poll waits, then answers []. */
  snprintf(url, sizeof(url), "%s/_requests?since=0", base);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  json_t *all = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_true(json_array_size(all) > 0);
  long long next =
      json_integer_value(json_object_get(json_array_get(all, json_array_size(all) - 1), "seq")) + 1;
  json_decref(all);
  snprintf(url, sizeof(url), "%s/_requests?since=%lld&wait_ms=300", base, next);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  assert_string_equal(r.body, "[]");
  assert_string_equal(pd_http_header(&r, "Access-Control-Allow-Origin"), "*");
  pd_http_reply_free(&r);
  /* A command sent meanwhile is the next record. */
  assert_int_equal(post(1, "/play/api/interact",
                        "{\"player\":\"" ADMIN "\",\"type\":2,\"command\":\"balance\"}", &r),
                   200);
  pd_http_reply_free(&r);
  snprintf(url, sizeof(url), "%s/_requests?since=%lld&wait_ms=5000", base, next);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  json_t *got = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(got, 0), "seq")), next);
  assert_string_equal(json_string_value(json_object_get(json_array_get(got, 0), "method")),
                      "INTERACTION");
  json_decref(got);
}

static void test_bad_requests_are_refused(void **state)
{
  static const struct {
    const char *body, *error;
  } bad[] = {
      {"not json", "the body must be a JSON object"},
      {"{\"player\":\"1\",\"type\":2,\"command\":\"daily\"}", "player must be"},
      {"{\"player\":\"" AVA "\",\"type\":1}", "type must be"},
      {"{\"player\":\"" AVA "\",\"type\":2,\"command\":\"nosuch\"}", "command must be"},
      {"{\"player\":\"" AVA "\",\"type\":3}", "custom_id must be"},
      {"{\"player\":\"" AVA "\",\"type\":2,\"command\":\"gift\",\"options\":{}}", "must be arrays"},
      {"{\"player\":\"" AVA "\",\"type\":2,\"command\":\"gift\",\"options\":[{\"name\":\"user\","
       "\"type\":6,\"value\":\"x\"}]}",
       "a user option's value a user id"},
  };
  struct pd_http_reply r;
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    assert_int_equal(post(1, "/play/api/interact", bad[i].body, &r), 400);
    json_t *j = json_loads(r.body, 0, NULL);
    const char *err = json_string_value(json_object_get(j, "error"));
    if (err == NULL || strstr(err, bad[i].error) == NULL)
      fail_msg("%s: got %s", bad[i].body, r.body);
    json_decref(j);
    pd_http_reply_free(&r);
  }
  assert_int_equal(get(1, "/play/api/interact", &r), 405);
  pd_http_reply_free(&r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_refused_with_a_real_application),
      PD_E2E_TEST(test_refused_with_another_key_or_a_remote_api),
      PD_E2E_TEST(test_serves_the_page_and_only_its_files),
      PD_E2E_TEST(test_config_lists_commands_and_players),
      PD_E2E_TEST(test_interact_goes_through_interactions),
      PD_E2E_TEST(test_pack_image_and_pick_through_the_feed),
      PD_E2E_TEST(test_feed_since_and_long_poll),
      PD_E2E_TEST(test_bad_requests_are_refused),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
