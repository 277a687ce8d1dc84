/* e2e_commons.c - lib/commons.c over real HTTP against test/doubles/commons.c: the search as
 * Wikimedia documents it (every parameter, the keyword URL-encoded, a policy-conforming
 * User-Agent), photos and their licences in search order, an empty answer for an unknown
 * keyword, and clear errors for MediaWiki errors, bad statuses, bad JSON and no listener.
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

#include "e2e.h" /* PD_E2E_TEST: these suites have no database, so nothing is audited */
#include "commons.h"
#include "http_client.h"
#include "proc.h"

#define FILTER                                                                                     \
  "LicenseShortName|LicenseUrl|Artist|Credit|DateTimeOriginal|ImageDescription|Categories|"        \
  "UsageTerms|"                                                                                    \
  "AttributionRequired"

static struct pd_proc *P;
static char root[64], api[96];

static const char *tmp_dir(void)
{
  return getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp";
}

static enum pd_result start_double(const char *image_base, const char *log_name,
                                   struct pd_proc **proc, unsigned *port)
{
  char bin[300], log[300];
  snprintf(bin, sizeof(bin), "%s/double-commons",
           getenv("PD_BUILD_DIR") != NULL ? getenv("PD_BUILD_DIR") : "build");
  snprintf(log, sizeof(log), "%s/%s", tmp_dir(), log_name);
  char *const plain[] = {bin, "--port", "0", "--fixtures", "test/fixtures/commons", NULL};
  char *const rebased[] = {
      bin, "--port", "0", "--fixtures", "test/fixtures/commons", "--image-base", (char *)image_base,
      NULL};
  return pd_proc_start_double(image_base != NULL ? rebased : plain, log, proc, port);
}

static int setup(void **state)
{
  unsigned port = 0;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (start_double(NULL, "double-commons.log", &P, &port) != PD_OK)
    return -1;
  snprintf(root, sizeof(root), "http://127.0.0.1:%u", port);
  snprintf(api, sizeof(api), "%s/w/api.php", root);
  return 0;
}

static int teardown(void **state)
{
  pd_proc_stop(P);
  curl_global_cleanup();
  return 0;
}

/* Forgets what the double saw and any failure still pending, before each test. */
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

static void fail_next(json_t *how)
{
  char url[128];
  struct pd_http_reply r;
  const char *hdr[] = {"Content-Type: application/json", NULL};
  char *body = json_dumps(how, JSON_COMPACT);
  json_decref(how);
  snprintf(url, sizeof(url), "%s/_control/fail", root);
  assert_int_equal(pd_http_do("POST", url, hdr, body, strlen(body), &r), PD_OK);
  assert_int_equal(r.status, 204);
  pd_http_reply_free(&r);
  free(body);
}

/* Everything the double recorded.  Caller owns. */
static json_t *requests(void)
{
  char url[128];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "%s/_requests", root);
  json_t *j =
      pd_http_do("GET", url, NULL, NULL, 0, &r) == PD_OK ? json_loads(r.body, 0, NULL) : NULL;
  pd_http_reply_free(&r);
  assert_non_null(j);
  return j;
}

static const char *str(json_t *o, const char *key)
{
  const char *s = json_string_value(json_object_get(o, key));
  return s != NULL ? s : "(absent)";
}

/* The one request the double saw must be the documented search for keyword: GET, every
 * parameter and no other, our User-Agent.  Returns it (borrowed from *all, caller frees). */
static json_t *the_search(json_t **all, const char *keyword, const char *limit)
{
  char gsrsearch[400];
  snprintf(gsrsearch, sizeof(gsrsearch), "%s filetype:bitmap", keyword);
  *all = requests();
  assert_int_equal(json_array_size(*all), 1);
  json_t *q = json_array_get(*all, 0);
  assert_string_equal(str(q, "method"), "GET");
  assert_string_equal(str(q, "path"), "/w/api.php");
  assert_string_equal(str(q, "user_agent"), PD_COMMONS_USER_AGENT);
  json_t *want =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "action", "query", "format",
                "json", "formatversion", "2", "generator", "search", "gsrsearch", gsrsearch,
                "gsrnamespace", "6", "gsrlimit", limit, "prop", "imageinfo", "iiprop",
                "url|size|mime|extmetadata", "iiextmetadatafilter", FILTER);
  json_t *got = json_object_get(q, "query");
  if (!json_equal(got, want)) {
    char *s = json_dumps(got, JSON_COMPACT);
    print_error("the double saw %s\n", s);
    free(s);
  }
  assert_true(json_equal(got, want));
  json_decref(want);
  assert_int_equal(json_integer_value(json_object_get(q, "status")), 200);
  return q;
}

static void test_concert_photos_and_licences_come_through(void **state)
{
  struct pd_commons cm = {api};
  json_t *res = NULL, *all = NULL;
  char err[256] = "";
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift 1989 concert", 10, &res, err, sizeof(err)),
                   PD_OK);
  static const struct {
    const char *title, *license, *artist, *date;
    bool attribution;
  } want[] = {
      {"File:Taylor Swift 1989 World Tour Detroit 2015 (18329176834).jpg", "CC BY 2.0",
       "Dana Whitfield", "2015-05-30", true},
      {"File:Taylor Swift - The 1989 World Tour - Manchester 2015.jpg", "CC BY-SA 2.0",
       "Jana Beckett", "2015-06-27", true},
      {"File:Taylor Swift - The 1989 World Tour - Tokyo Dome (21891738345).jpg", "CC BY-SA 2.0",
       "Hiro & Kaoru from Tokyo, Japan", "2015-05-06", true},
      {"File:Taylor Swift 1989 World Tour Santa Clara 2015.webp", "CC0", "Marisol Vega",
       "2015-08-01", false},
      {"File:Taylor Swift 1989 World Tour stage (Nashville, 2015).png", "Public domain",
       "Tennessee National Guard", NULL, false},
      {"File:Taylor Swift 1989 World Tour Melbourne final show.jpg", "CC BY-SA 4.0", "Koala Mum",
       "2015-12-12", true},
  };
  assert_int_equal(json_array_size(res), PD_ARRAY_LEN(want));
  for (size_t i = 0; i < PD_ARRAY_LEN(want); i++) {
    json_t *x = json_array_get(res, i), *lic = json_object_get(x, "license");
    assert_string_equal(str(x, "title"), want[i].title);
    assert_string_equal(str(x, "keyword"), "Taylor Swift 1989 concert");
    assert_string_equal(str(x, "date"), want[i].date != NULL ? want[i].date : "(absent)");
    assert_int_equal(strncmp(str(x, "url"), "https://upload.wikimedia.org/wikipedia/commons/", 47),
                     0);
    assert_string_equal(str(lic, "short_name"), want[i].license);
    assert_string_equal(str(lic, "artist"), want[i].artist);
    assert_string_equal(str(lic, "source"), "Wikimedia Commons");
    assert_string_equal(str(lic, "page"), str(x, "page_url"));
    assert_int_equal(json_is_true(json_object_get(lic, "attribution_required")),
                     want[i].attribution);
  }
  json_t *tokyo = json_array_get(res, 2);
  assert_string_equal(str(json_object_get(tokyo, "license"), "credit"), "Taylor Swift 1989 Tokyo");
  assert_non_null(strstr(str(tokyo, "description"),
                         "Tokyo Dome \xe2\x80\x93 \xe2\x80\x9cStyle\xe2\x80\x9d, 6 May"));
  assert_null(strchr(str(tokyo, "description"), '<'));
  json_decref(res);

  json_t *q = the_search(&all, "Taylor Swift 1989 concert", "10");
  assert_string_equal(str(q, "fixture"), "search-taylor-swift-1989-concert.json");
  json_decref(all);
}

/* gsrlimit as asked (at most 50); files left out are not made up for, so fewer may come. */
static void test_limit_is_sent_and_capped(void **state)
{
  struct pd_commons cm = {api};
  json_t *res = NULL, *all = NULL;
  char err[256] = "";
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift red carpet", 2, &res, err, sizeof(err)),
                   PD_OK);
  assert_int_equal(json_array_size(res), 2);
  assert_string_equal(str(json_array_get(res, 0), "title"),
                      "File:Taylor Swift 2015 Billboard Music Awards red carpet.jpg");
  assert_string_equal(str(json_array_get(res, 1), "date"), "2019-11-24");
  json_decref(res);
  the_search(&all, "Taylor Swift red carpet", "2");
  json_decref(all);

  /* The third result has no licence. */
  assert_int_equal(reset(state), 0);
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift red carpet", 3, &res, err, sizeof(err)),
                   PD_OK);
  assert_int_equal(json_array_size(res), 2);
  json_decref(res);
  the_search(&all, "Taylor Swift red carpet", "3");
  json_decref(all);

  assert_int_equal(reset(state), 0);
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift red carpet", 500, &res, err, sizeof(err)),
                   PD_OK);
  assert_int_equal(json_array_size(res), 3);
  assert_string_equal(str(json_array_get(res, 2), "title"),
                      "File:Taylor Swift GRAMMYs 2016 arrival.png");
  json_decref(res);
  the_search(&all, "Taylor Swift red carpet", "50");
  json_decref(all);
}

/* '&', '+', '#', '%', '/', '=' and UTF-8 survive the trip: only an encoded keyword arrives
 * whole, with every other parameter intact. */
static void test_keyword_is_url_encoded(void **state)
{
  static const char keyword[] = "Simon & Garfunkel + Beyonc\xc3\xa9 #1 100% a=b/c?d";
  struct pd_commons cm = {api};
  json_t *res = NULL, *all = NULL;
  char err[256] = "";
  assert_int_equal(pd_commons_search(&cm, keyword, 5, &res, err, sizeof(err)), PD_OK);
  assert_true(json_is_array(res));
  assert_int_equal(json_array_size(res), 0);
  json_decref(res);
  json_t *q = the_search(&all, keyword, "5");
  assert_true(json_is_null(json_object_get(q, "fixture")));
  json_decref(all);
}

static void test_unknown_keyword_is_an_empty_array(void **state)
{
  struct pd_commons cm = {api};
  json_t *res = NULL, *all = NULL;
  char err[256] = "";
  assert_int_equal(
      pd_commons_search(&cm, "Nobody Anybody 2031 concert", 10, &res, err, sizeof(err)), PD_OK);
  assert_true(json_is_array(res));
  assert_int_equal(json_array_size(res), 0);
  json_decref(res);
  the_search(&all, "Nobody Anybody 2031 concert", "10");
  json_decref(all);
}

static void test_mediawiki_error_is_reported_clearly(void **state)
{
  struct pd_commons cm = {api};
  json_t *res = NULL, *all = NULL;
  char err[256] = "";
  fail_next(json_pack("{s:i, s:i, s:s, s:s}", "status", 200, "count", 1, "code", "maxlag", "info",
                      "Waiting for 10.64.48.35: 5.2 seconds lagged."));
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift 1989 concert", 10, &res, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_null(res);
  assert_string_equal(
      err, "Wikimedia Commons refused the search: Waiting for 10.64.48.35: 5.2 seconds lagged. "
           "(maxlag)");
  json_t *q = the_search(&all, "Taylor Swift 1989 concert", "10");
  assert_string_equal(str(q, "error"), "maxlag");
  json_decref(all);
  /* Only that one: the next search is answered. */
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift 1989 concert", 10, &res, err, sizeof(err)),
                   PD_OK);
  assert_int_equal(json_array_size(res), 6);
  json_decref(res);
}

static void test_bad_status_and_bad_json_are_errors(void **state)
{
  struct pd_commons cm = {api};
  json_t *res = NULL;
  char err[256] = "";
  fail_next(json_pack("{s:i}", "status", 503));
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift 1989 concert", 10, &res, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_null(res);
  assert_string_equal(err, "Wikimedia Commons answered 503");

  fail_next(json_pack("{s:i, s:s}", "status", 429, "body", "Too many requests"));
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift 1989 concert", 10, &res, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_string_equal(err, "Wikimedia Commons answered 429 (rate limited)");

  fail_next(json_pack("{s:i, s:s, s:s}", "status", 200, "body", "<!DOCTYPE html><title>API</title>",
                      "content_type", "text/html"));
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift 1989 concert", 10, &res, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_null(res);
  assert_string_equal(err, "Wikimedia Commons answered 200 with a body that is not JSON");

  fail_next(json_pack("{s:i, s:s}", "status", 200, "body", "[1,2,3]"));
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift 1989 concert", 10, &res, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_string_equal(err, "Wikimedia Commons answered 200 with a body that is not JSON");

  json_t *all = requests();
  assert_int_equal(json_array_size(all), 4);
  json_decref(all);
}

static void test_no_listener_is_an_upstream_error(void **state)
{
  char base[96];
  snprintf(base, sizeof(base), "http://127.0.0.1:%d/w/api.php", pd_proc_free_port());
  struct pd_commons cm = {base};
  json_t *res = NULL;
  char err[256] = "";
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift 1989 concert", 10, &res, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_null(res);
  assert_int_equal(strncmp(err, "Wikimedia Commons: ", 19), 0);
}

/* Refused before anything is sent. */
static void test_bad_arguments_send_nothing(void **state)
{
  char long_kw[PD_COMMONS_KEYWORD_MAX + 2];
  memset(long_kw, 'a', sizeof(long_kw) - 1);
  long_kw[sizeof(long_kw) - 1] = '\0';
  struct pd_commons cm = {api}, unset = {NULL};
  json_t *res = NULL;
  char err[256] = "";
  assert_int_equal(pd_commons_search(&cm, "", 10, &res, err, sizeof(err)), PD_E_INVALID);
  assert_int_equal(pd_commons_search(&cm, long_kw, 10, &res, err, sizeof(err)), PD_E_INVALID);
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift", 0, &res, err, sizeof(err)), PD_E_INVALID);
  assert_null(res);
  assert_int_equal(pd_commons_search(&unset, "Taylor Swift", 5, &res, err, sizeof(err)),
                   PD_E_INVALID);
  assert_string_equal(err, "COMMONS_API_BASE is not set");
  long_kw[PD_COMMONS_KEYWORD_MAX] = '\0'; /* the longest allowed is sent */
  assert_int_equal(pd_commons_search(&cm, long_kw, 10, &res, err, sizeof(err)), PD_OK);
  json_decref(res);
  json_t *all = requests();
  assert_int_equal(json_array_size(all), 1);
  json_decref(all);
}

/* The double itself behaves as Wikimedia does where the client cannot show it. */
static void test_double_answers_like_wikimedia(void **state)
{
  char url[512];
  struct pd_http_reply r;
  /* No User-Agent: 403 in plain text, before MediaWiki sees the request. */
  snprintf(url, sizeof(url), "%s?action=query&format=json", api);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  assert_int_equal(r.status, 403);
  assert_int_equal(strncmp(pd_http_header(&r, "Content-Type"), "text/plain", 10), 0);
  assert_non_null(strstr(r.body, "User-Agent"));
  pd_http_reply_free(&r);
  /* A library's default agent is refused too. */
  const char *curl_ua[] = {"User-Agent: curl/8.5.0", NULL};
  assert_int_equal(pd_http_do("GET", url, curl_ua, NULL, 0, &r), PD_OK);
  assert_int_equal(r.status, 403);
  pd_http_reply_free(&r);

  /* Missing action: MediaWiki's error shape with status 200. */
  const char *ua[] = {"User-Agent: " PD_COMMONS_USER_AGENT, NULL};
  snprintf(url, sizeof(url), "%s?format=json", api);
  assert_int_equal(pd_http_do("GET", url, ua, NULL, 0, &r), PD_OK);
  assert_int_equal(r.status, 200);
  assert_string_equal(pd_http_header(&r, "MediaWiki-API-Error"), "badvalue");
  json_t *j = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_string_equal(str(json_object_get(j, "error"), "code"), "badvalue");
  assert_string_equal(str(json_object_get(j, "error"), "info"),
                      "The \"action\" parameter must be set.");
  assert_non_null(json_object_get(j, "servedby"));
  json_decref(j);

  /* formatversion 1 keys pages by id; a limit over 50 is cut with a warning. */
  snprintf(url, sizeof(url),
           "%s?action=query&format=json&generator=search&gsrsearch=Taylor%%20Swift%%20red%%"
           "20carpet&gsrnamespace=6"
           "&gsrlimit=99&prop=imageinfo&iiprop=mime",
           api);
  assert_int_equal(pd_http_do("GET", url, ua, NULL, 0, &r), PD_OK);
  j = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_string_equal(str(j, "batchcomplete"), "");
  json_t *pages = json_object_get(json_object_get(j, "query"), "pages");
  assert_true(json_is_object(pages));
  assert_int_equal(json_object_size(pages), 4);
  json_t *ii = json_array_get(json_object_get(json_object_get(pages, "40003318"), "imageinfo"), 0);
  assert_string_equal(str(ii, "mime"), "image/jpeg");
  assert_null(json_object_get(ii, "url")); /* iiprop had no url */
  assert_string_equal(str(json_object_get(json_object_get(j, "warnings"), "search"), "*"),
                      "gsrlimit may not be over 50 (set to 50) for users.");
  json_decref(j);

  /* The recorded requests, UA-refused ones included. */
  json_t *all = requests();
  assert_int_equal(json_array_size(all), 4);
  assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 0), "status")), 403);
  assert_true(json_is_null(json_object_get(json_array_get(all, 0), "user_agent")));
  json_decref(all);
}

/* --image-base moves the upload URLs to a local image host, and only those. */
static void test_image_base_rewrites_upload_urls(void **state)
{
  struct pd_proc *p2 = NULL;
  unsigned port = 0;
  char base[96];
  assert_int_equal(start_double("http://127.0.0.1:9/img", "double-commons-rebased.log", &p2, &port),
                   PD_OK);
  snprintf(base, sizeof(base), "http://127.0.0.1:%u/w/api.php", port);
  struct pd_commons cm = {base};
  json_t *res = NULL;
  char err[256] = "";
  assert_int_equal(pd_commons_search(&cm, "Taylor Swift red carpet", 10, &res, err, sizeof(err)),
                   PD_OK);
  pd_proc_stop(p2);
  assert_int_equal(json_array_size(res), 3);
  assert_string_equal(str(json_array_get(res, 0), "url"),
                      "http://127.0.0.1:9/img/wikipedia/commons/3/32/"
                      "Taylor_Swift_2015_Billboard_Music_Awards_red_carpet.jpg");
  assert_int_equal(
      strncmp(str(json_array_get(res, 0), "page_url"), "https://commons.wikimedia.org/wiki/", 35),
      0);
  json_decref(res);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST_SETUP(test_concert_photos_and_licences_come_through, reset),
      PD_E2E_TEST_SETUP(test_limit_is_sent_and_capped, reset),
      PD_E2E_TEST_SETUP(test_keyword_is_url_encoded, reset),
      PD_E2E_TEST_SETUP(test_unknown_keyword_is_an_empty_array, reset),
      PD_E2E_TEST_SETUP(test_mediawiki_error_is_reported_clearly, reset),
      PD_E2E_TEST_SETUP(test_bad_status_and_bad_json_are_errors, reset),
      PD_E2E_TEST_SETUP(test_no_listener_is_an_upstream_error, reset),
      PD_E2E_TEST_SETUP(test_bad_arguments_send_nothing, reset),
      PD_E2E_TEST_SETUP(test_double_answers_like_wikimedia, reset),
      PD_E2E_TEST_SETUP(test_image_base_rewrites_upload_urls, reset),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
