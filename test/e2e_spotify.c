/* e2e_spotify.c - lib/spotify.c over real HTTP against test/doubles/spotify.c: one token for
 * many calls, renewed a minute before it expires and once after a 401; a wrong secret refused
 * without the secret in the error; every album page followed, at most five, and never off
 * SPOTIFY_API_BASE; 429s waited out once when Retry-After is short; clear errors otherwise.
 * Each test asserts what reached the double, not only what the client returned. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h" /* PD_E2E_TEST: these suites have no database, so nothing is audited */
#include "http_client.h"
#include "proc.h"
#include "spotify.h"

#define CLIENT_ID "popdeck-e2e-client-id"
#define CLIENT_SECRET "popdeck-e2e-client-secret-5f1c"
#define TAYLOR "06HL4z0CvFAxyc27GXpf02"

static struct pd_proc *P;
static char root[64], accounts[64], api[80];

static int setup(void **state)
{
  char bin[300], log[300];
  unsigned port = 0;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  snprintf(bin, sizeof(bin), "%s/double-spotify",
           getenv("PD_BUILD_DIR") != NULL ? getenv("PD_BUILD_DIR") : "build");
  snprintf(log, sizeof(log), "%s/double-spotify.log",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  char *const argv[] = {bin,
                        "--port",
                        "0",
                        "--fixtures",
                        "test/fixtures/spotify",
                        "--client-id",
                        CLIENT_ID,
                        "--client-secret",
                        CLIENT_SECRET,
                        NULL};
  if (pd_proc_start_double(argv, log, &P, &port) != PD_OK)
    return -1;
  snprintf(root, sizeof(root), "http://127.0.0.1:%u", port);
  snprintf(accounts, sizeof(accounts), "%s", root);
  snprintf(api, sizeof(api), "%s/v1", root);
  return 0;
}

static int teardown(void **state)
{
  pd_proc_stop(P);
  curl_global_cleanup();
  return 0;
}

/* Forgets what the double saw and every control setting before each test. */
static int reset(void **state)
{
  char url[128];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "%s/_requests", root);
  enum pd_result rc = pd_http_do("DELETE", url, NULL, NULL, 0, &r);
  long status = r.status;
  pd_http_reply_free(&r);
  return rc == PD_OK && status == 204 ? 0 : -1;
}

static void control(const char *path, const char *body)
{
  char url[128];
  struct pd_http_reply r;
  const char *hdr[] = {"Content-Type: application/json", NULL};
  snprintf(url, sizeof(url), "%s%s", root, path);
  assert_int_equal(pd_http_do("POST", url, hdr, body, strlen(body), &r), PD_OK);
  assert_int_equal(r.status, 204);
  pd_http_reply_free(&r);
}

/* What the double recorded for paths containing filter (all when NULL).  Caller owns. */
static json_t *requests(const char *filter)
{
  char url[256];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "%s/_requests%s%s", root, filter != NULL ? "?path=" : "",
           filter != NULL ? filter : "");
  json_t *j =
      pd_http_do("GET", url, NULL, NULL, 0, &r) == PD_OK ? json_loads(r.body, 0, NULL) : NULL;
  pd_http_reply_free(&r);
  assert_non_null(j);
  return j;
}

static size_t count(const char *filter)
{
  json_t *j = requests(filter);
  size_t n = json_array_size(j);
  json_decref(j);
  return n;
}

static const char *str(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));
  return s != NULL ? s : "";
}

static struct pd_spotify client(const char *secret)
{
  struct pd_spotify sp = {accounts, api, CLIENT_ID, secret, "", 0};
  return sp;
}

static void test_one_token_serves_many_calls(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  struct pd_spotify_artist a;
  json_t *albums = NULL;
  char err[256] = "";
  assert_int_equal(pd_spotify_find_artist(&sp, "taylor swift", &a, err, sizeof(err)), PD_OK);
  assert_string_equal(a.id, TAYLOR);
  assert_string_equal(a.name, "Taylor Swift");
  assert_int_equal(a.popularity, 100);
  assert_int_equal(a.followers, 145893042);
  assert_int_equal(json_array_size(a.genres), 1);
  assert_string_equal(json_string_value(json_array_get(a.genres, 0)), "pop");
  assert_int_equal(json_array_size(a.images), 3);
  json_t *img = json_array_get(a.images, 0);
  assert_int_equal(json_integer_value(json_object_get(img, "width")), 640);
  assert_int_equal(strncmp(str(img, "url"), "https://i.scdn.co/image/ab6761610000e5eb", 40), 0);
  assert_int_equal(pd_spotify_albums(&sp, a.id, &albums, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);
  json_decref(albums);
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);

  /* One token request, with Basic credentials and a form body; then four API calls that all
   * carry that one token. */
  json_t *all = requests(NULL);
  assert_int_equal(json_array_size(all), 5);
  json_t *tok = json_array_get(all, 0);
  assert_string_equal(str(tok, "method"), "POST");
  assert_string_equal(str(tok, "path"), "/api/token");
  assert_string_equal(str(tok, "scheme"), "Basic");
  assert_string_equal(str(tok, "content_type"), "application/x-www-form-urlencoded");
  assert_int_equal(json_integer_value(json_object_get(tok, "status")), 200);
  json_t *first_id = json_object_get(json_array_get(all, 1), "token_id");
  assert_true(json_is_integer(first_id));
  static const char *const paths[] = {"/v1/search", "/v1/artists/" TAYLOR "/albums",
                                      "/v1/artists/" TAYLOR "/albums", "/v1/search"};
  for (size_t i = 0; i < PD_ARRAY_LEN(paths); i++) {
    json_t *q = json_array_get(all, i + 1);
    assert_string_equal(str(q, "method"), "GET");
    assert_string_equal(str(q, "path"), paths[i]);
    assert_true(json_is_true(json_object_get(q, "authorization")));
    assert_string_equal(str(q, "scheme"), "Bearer");
    assert_true(json_equal(json_object_get(q, "token_id"), first_id));
    assert_int_equal(json_integer_value(json_object_get(q, "status")), 200);
  }
  size_t i;
  json_t *q;
  json_array_foreach(all, i, q)
      assert_int_equal(strncmp(str(q, "user_agent"), "PopDeck/0.1.0 (", 15), 0);
  /* The search as Spotify documents it: the name URL-encoded in q. */
  json_t *query = json_object_get(json_array_get(all, 1), "query");
  assert_string_equal(str(query, "type"), "artist");
  assert_string_equal(str(query, "limit"), "5");
  assert_string_equal(str(query, "q"), "taylor swift");
  json_decref(all);
}

static void test_every_album_page_is_followed(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  json_t *albums = NULL;
  char err[256] = "";
  assert_int_equal(pd_spotify_albums(&sp, TAYLOR, &albums, err, sizeof(err)), PD_OK);
  static const struct {
    const char *name, *date;
  } want[] = {
      {"Taylor Swift", "2006-10-24"}, {"Fearless", "2008-01-01"}, /* year precision */
      {"Speak Now", "2010-10-01"},                                /* month; the deluxe left out */
      {"Red", "2012-10-22"},          {"1989", "2014-10-27"},     {"reputation", "2017-11-10"},
      {"Lover", "2019-08-23"},        {"folklore", "2020-07-24"}, {"Midnights", "2022-10-21"},
  };
  assert_int_equal(json_array_size(albums), PD_ARRAY_LEN(want));
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    json_t *al = json_array_get(albums, i);
    assert_string_equal(str(al, "name"), want[i].name);
    assert_string_equal(str(al, "release_date"), want[i].date);
    assert_int_equal(strlen(str(al, "id")), 22);
    json_t *imgs = json_object_get(al, "images");
    assert_int_equal(json_array_size(imgs), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(imgs, 0), "width")), 640);
    assert_int_equal(strncmp(str(json_array_get(imgs, 0), "url"),
                             "https://i.scdn.co/image/ab67616d0000b273", 40),
                     0);
  }
  /* The Speak Now kept is the first edition (14 tracks), not the later deluxe of that name. */
  assert_string_equal(str(json_array_get(albums, 2), "id"), "JcWdrkID6ESzkXNyj8sO2s");
  json_decref(albums);

  /* Two pages: the first as asked, the second where the first one's "next" pointed. */
  json_t *pages = requests("/albums");
  assert_int_equal(json_array_size(pages), 2);
  json_t *q0 = json_object_get(json_array_get(pages, 0), "query");
  json_t *q1 = json_object_get(json_array_get(pages, 1), "query");
  assert_string_equal(str(q0, "include_groups"), "album");
  assert_string_equal(str(q0, "limit"), "50");
  assert_null(json_object_get(q0, "offset"));
  assert_string_equal(str(q1, "offset"), "5");
  assert_string_equal(str(q1, "include_groups"), "album");
  json_decref(pages);
}

static void test_paging_stops_after_five_pages(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  json_t *albums = NULL;
  char err[256] = "";
  control("/_control/paging", "{\"page_size\":1}");
  assert_int_equal(pd_spotify_albums(&sp, TAYLOR, &albums, err, sizeof(err)), PD_OK);
  assert_int_equal(count("/albums"), PD_SPOTIFY_MAX_PAGES);
  /* The five newest albums, as Spotify lists them, oldest first. */
  assert_int_equal(json_array_size(albums), 5);
  assert_string_equal(str(json_array_get(albums, 0), "name"), "1989");
  assert_string_equal(str(json_array_get(albums, 4), "name"), "Midnights");
  json_decref(albums);
}

static void test_next_off_the_api_base_is_not_followed(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  json_t *albums = NULL;
  char err[256] = "", body[200];
  /* Looks like api_base but is another path: the token must not go there. */
  snprintf(body, sizeof(body), "{\"next_base\":\"%sevil\"}", api);
  control("/_control/paging", body);
  assert_int_equal(pd_spotify_albums(&sp, TAYLOR, &albums, err, sizeof(err)), PD_E_UPSTREAM);
  assert_null(albums);
  assert_string_equal(err, "Spotify's next album page is not under SPOTIFY_API_BASE");
  assert_int_equal(count("/albums"), 1);
  assert_int_equal(count("evil"), 0);
}

static void test_wrong_secret_is_refused_clearly(void **state)
{
  static const char wrong[] = "wrong-secret-that-must-not-leak-7731";
  struct pd_spotify sp = client(wrong);
  struct pd_spotify_artist a;
  json_t *albums = NULL;
  char err[256] = "";
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_string_equal(err, "Spotify token request answered 400: Invalid client (invalid_client)");
  assert_null(strstr(err, wrong));
  assert_null(a.genres);
  assert_int_equal(pd_spotify_albums(&sp, TAYLOR, &albums, err, sizeof(err)), PD_E_UPSTREAM);
  assert_null(strstr(err, wrong));
  assert_null(albums);
  assert_string_equal(sp.token, "");
  /* Each call asked for a token and, refused, went no further. */
  assert_int_equal(count("/api/token"), 2);
  assert_int_equal(count("/v1/"), 0);

  /* No secret at all: refused before any request. */
  sp = client("");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_E_INVALID);
  assert_string_equal(err, "Spotify client id and secret are not set");
  assert_int_equal(count(NULL), 2);
}

/* Should Spotify ever echo the secret or the token in an error message, it is starred out. */
static void test_echoed_secrets_are_starred_out(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  struct pd_spotify_artist a;
  char err[256] = "", echo[1024];
  json_t *fail = json_pack(
      "{s:i, s:i, s:s, s:s}", "status", 400, "count", 1, "route", "token", "body",
      "{\"error\":\"invalid_client\",\"error_description\":\"Invalid client secret " CLIENT_SECRET
      "\"}");
  char *s = json_dumps(fail, JSON_COMPACT);
  control("/_control/fail", s);
  free(s);
  json_decref(fail);
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_null(strstr(err, CLIENT_SECRET));
  assert_string_equal(
      err,
      "Spotify token request answered 400: Invalid client secret ******************************"
      " (invalid_client)");

  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);
  char token[sizeof(sp.token)];
  snprintf(token, sizeof(token), "%s", sp.token);
  assert_true(strlen(token) > 8);
  snprintf(echo, sizeof(echo), "{\"error\":{\"status\":400,\"message\":\"token %s is malformed\"}}",
           token);
  fail = json_pack("{s:i, s:i, s:s}", "status", 400, "count", 1, "body", echo);
  s = json_dumps(fail, JSON_COMPACT);
  control("/_control/fail", s);
  free(s);
  json_decref(fail);
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_null(strstr(err, token));
  assert_non_null(strstr(err, "answered 400: token ****"));
}

static void test_expired_token_is_fetched_again(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  struct pd_spotify_artist a;
  json_t *albums = NULL;
  char err[256] = "";
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  control("/_control/expire", "{}");
  assert_int_equal(pd_spotify_albums(&sp, a.id, &albums, err, sizeof(err)), PD_OK);
  assert_int_equal(json_array_size(albums), 9);
  json_decref(albums);
  pd_spotify_artist_free(&a);

  /* token, search, albums 401 (old token), token, albums, albums (new token). */
  json_t *all = requests(NULL);
  static const struct {
    const char *path;
    int status;
    int token; /* 0 none, 1 the first, 2 the second */
  } want[] = {
      {"/api/token", 200, 0},
      {"/v1/search", 200, 1},
      {"/v1/artists/" TAYLOR "/albums", 401, 1},
      {"/api/token", 200, 0},
      {"/v1/artists/" TAYLOR "/albums", 200, 2},
      {"/v1/artists/" TAYLOR "/albums", 200, 2},
  };
  assert_int_equal(json_array_size(all), PD_ARRAY_LEN(want));
  json_int_t first = json_integer_value(json_object_get(json_array_get(all, 1), "token_id"));
  json_int_t second = json_integer_value(json_object_get(json_array_get(all, 4), "token_id"));
  assert_true(first > 0 && second > first);
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    json_t *q = json_array_get(all, i);
    assert_string_equal(str(q, "path"), want[i].path);
    assert_int_equal(json_integer_value(json_object_get(q, "status")), want[i].status);
    json_t *id = json_object_get(q, "token_id");
    if (want[i].token == 0)
      assert_true(json_is_null(id));
    else
      assert_int_equal(json_integer_value(id), want[i].token == 1 ? first : second);
  }
  json_decref(all);

  /* Refused again with the new token: retried once only, and a clear error. */
  assert_int_equal(reset(state), 0);
  control("/_control/fail", "{\"status\":401,\"count\":2}");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_string_equal(err, "Spotify artist search answered 401: Invalid access token");
  assert_int_equal(count("/v1/search"), 2);
  assert_int_equal(count("/api/token"), 1);
  /* The refused token is not kept: the next call starts with a new one. */
  assert_string_equal(sp.token, "");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);
  assert_int_equal(count("/api/token"), 2);
}

static void test_token_renewed_a_minute_before_it_expires(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  struct pd_spotify_artist a;
  char err[256] = "";
  /* 61 s to live: PopDeck treats it as good for one second. */
  control("/_control/token", "{\"expires_in\":61}");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);
  assert_int_equal(count("/api/token"), 1);
  usleep(1100000);
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);
  /* A new token before Spotify refused the old one: no 401 on the way. */
  assert_int_equal(count("/api/token"), 2);
  json_t *all = requests("/v1/");
  size_t i;
  json_t *q;
  json_array_foreach(all, i, q)
      assert_int_equal(json_integer_value(json_object_get(q, "status")), 200);
  json_decref(all);
}

static void test_short_429_is_waited_out_once(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  struct pd_spotify_artist a;
  char err[256] = "";
  int64_t t0 = pd_now_us();
  control("/_control/fail", "{\"status\":429,\"count\":1,\"retry_after\":1}");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);
  assert_true(pd_now_us() - t0 >= 1000000);
  json_t *s = requests("/v1/search");
  assert_int_equal(json_array_size(s), 2);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(s, 0), "status")), 429);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(s, 1), "status")), 200);
  int64_t gap = json_integer_value(json_object_get(json_array_get(s, 1), "at_ms")) -
                json_integer_value(json_object_get(json_array_get(s, 0), "at_ms"));
  assert_true(gap >= 1000);
  json_decref(s);

  /* Twice in a row: waited once, then an error. */
  assert_int_equal(reset(state), 0);
  control("/_control/fail", "{\"status\":429,\"count\":2,\"retry_after\":1}");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_string_equal(
      err, "Spotify artist search answered 429 again after waiting 1 s: API rate limit exceeded");
  assert_int_equal(count("/v1/search"), 2);

  /* Longer than 5 s, or no Retry-After: an error at once, without waiting. */
  assert_int_equal(reset(state), 0);
  control("/_control/fail", "{\"status\":429,\"count\":1,\"retry_after\":30}");
  t0 = pd_now_us();
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_true(pd_now_us() - t0 < 1000000);
  assert_string_equal(err, "Spotify artist search answered 429: API rate limit exceeded "
                           "(Retry-After 30 s is more than 5 s)");
  control("/_control/fail", "{\"status\":429,\"count\":1,\"retry_after\":-1}");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_string_equal(err, "Spotify artist search answered 429 without a Retry-After in seconds: "
                           "API rate limit exceeded");
  assert_int_equal(count("/v1/search"), 2);

  /* The token request follows the same rule. */
  assert_int_equal(reset(state), 0);
  sp = client(CLIENT_SECRET);
  control("/_control/fail", "{\"status\":429,\"count\":1,\"retry_after\":1,\"route\":\"token\"}");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)), PD_OK);
  pd_spotify_artist_free(&a);
  assert_int_equal(count("/api/token"), 2);
}

static void test_other_failures_are_clear(void **state)
{
  struct pd_spotify sp = client(CLIENT_SECRET);
  struct pd_spotify_artist a;
  json_t *albums = NULL;
  char err[256] = "";
  assert_int_equal(pd_spotify_find_artist(&sp, "Nobody Famous", &a, err, sizeof(err)),
                   PD_E_NOTFOUND);
  assert_string_equal(err, "Spotify knows no artist called \"Nobody Famous\"");
  assert_int_equal(pd_spotify_albums(&sp, "0000000000000000000000", &albums, err, sizeof(err)),
                   PD_E_NOTFOUND);
  assert_string_equal(err, "Spotify album list answered 404: Resource not found");
  assert_int_equal(pd_spotify_albums(&sp, "not-an-id", &albums, err, sizeof(err)), PD_E_UPSTREAM);
  assert_string_equal(err, "Spotify album list answered 400: Invalid base62 id");
  assert_null(albums);

  control("/_control/fail",
          "{\"status\":200,\"count\":1,\"body\":\"<html>upstream hiccup</html>\"}");
  assert_int_equal(pd_spotify_find_artist(&sp, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_string_equal(err, "Spotify artist search answered 200 with bad JSON");
  control("/_control/fail", "{\"status\":503,\"count\":1}");
  assert_int_equal(pd_spotify_albums(&sp, TAYLOR, &albums, err, sizeof(err)), PD_E_UPSTREAM);
  assert_string_equal(err, "Spotify album list answered 503: Service unavailable");
  control("/_control/fail", "{\"status\":502,\"count\":1,\"body\":\"\"}");
  assert_int_equal(pd_spotify_albums(&sp, TAYLOR, &albums, err, sizeof(err)), PD_E_UPSTREAM);
  assert_string_equal(err, "Spotify album list answered 502: no error message");
  /* One token served all of it. */
  assert_int_equal(count("/api/token"), 1);

  /* Nobody listening. */
  struct pd_spotify down = {
      "http://127.0.0.1:9", "http://127.0.0.1:9/v1", CLIENT_ID, CLIENT_SECRET, "", 0};
  assert_int_equal(pd_spotify_find_artist(&down, "Taylor Swift", &a, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_int_equal(strncmp(err, "Spotify token request: ", 23), 0);
  assert_non_null(strstr(err, "127.0.0.1"));
  assert_null(strstr(err, CLIENT_SECRET));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST_SETUP(test_one_token_serves_many_calls, reset),
      PD_E2E_TEST_SETUP(test_every_album_page_is_followed, reset),
      PD_E2E_TEST_SETUP(test_paging_stops_after_five_pages, reset),
      PD_E2E_TEST_SETUP(test_next_off_the_api_base_is_not_followed, reset),
      PD_E2E_TEST_SETUP(test_wrong_secret_is_refused_clearly, reset),
      PD_E2E_TEST_SETUP(test_echoed_secrets_are_starred_out, reset),
      PD_E2E_TEST_SETUP(test_expired_token_is_fetched_again, reset),
      PD_E2E_TEST_SETUP(test_token_renewed_a_minute_before_it_expires, reset),
      PD_E2E_TEST_SETUP(test_short_429_is_waited_out_once, reset),
      PD_E2E_TEST_SETUP(test_other_failures_are_clear, reset),
  };
  return cmocka_run_group_tests_name("e2e_spotify", tests, setup, teardown);
}
