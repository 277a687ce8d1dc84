/* e2e_image_fetch.c - lib/image_fetch.c over real HTTP against test/doubles/images.c: types from
 * magic bytes whatever the header says, the width floor, undecodable files, bounded redirects,
 * the size cap and the timeout, each refusal with its reason; and the download pool: never more
 * in flight than its bound, every item its own result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_pool.h"
#include "http_client.h"
#include "image_fetch.h"
#include "phash.h"
#include "proc.h"

static struct pd_proc *P;
static char base[64];

static int setup(void **state)
{
  char bin[300], log[300];
  unsigned port = 0;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  snprintf(bin, sizeof(bin), "%s/double-images", getenv("PD_BUILD_DIR") != NULL ? getenv("PD_BUILD_DIR") : "build");
  snprintf(log, sizeof(log), "%s/double-images.log", getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  char *const argv[] = {bin, "--port", "0", NULL};
  if (pd_proc_start_double(argv, log, &P, &port) != PD_OK)
    return -1;
  snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
  return 0;
}

static int teardown(void **state)
{
  pd_proc_stop(P);
  curl_global_cleanup();
  return 0;
}

static void test_rows(void **state)
{
  struct pd_image_limits small = pd_image_default_limits;
  small.max_bytes = 1024 * 1024;
  struct pd_image_limits quick = pd_image_default_limits;
  quick.timeout_ms = 500;
  struct {
    const char *path;
    const struct pd_image_limits *lim;
    enum pd_result rc;
    const char *type;
    int width;
    const char *reason;
  } rows[] = {
    {"/photo.png", &pd_image_default_limits, PD_OK, "png", 1000, NULL},       /* served as text/html */
    {"/photo.jpg", &pd_image_default_limits, PD_OK, "jpeg", 900, NULL},       /* served as image/png */
    {"/photo.webp", &pd_image_default_limits, PD_OK, "webp", 1200, NULL},
    {"/small.png", &pd_image_default_limits, PD_E_INVALID, "png", 0, "400x300 is narrower than 800 px"},
    {"/garbage.png", &pd_image_default_limits, PD_E_INVALID, NULL, 0, "not a PNG, JPEG or WebP file"},
    {"/corrupt.png", &pd_image_default_limits, PD_E_INVALID, "png", 0, "png file could not be decoded"},
    {"/redirect/2", &pd_image_default_limits, PD_OK, "png", 1000, NULL},
    {"/redirect/5", &pd_image_default_limits, PD_E_UPSTREAM, NULL, 0, "more than 3 redirects"},
    {"/big.png", &small, PD_E_TOOBIG, NULL, 0, "larger than 1048576 bytes"},
    {"/slow.png", &quick, PD_E_UPSTREAM, NULL, 0, "download failed: Timeout"},
    {"/missing.png", &pd_image_default_limits, PD_E_UPSTREAM, NULL, 0, "the image host answered 404"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char url[128], reason[200] = "";
    gdImagePtr im = NULL;
    const char *type = NULL;
    size_t bytes = 0;
    snprintf(url, sizeof(url), "%s%s", base, rows[i].path);
    enum pd_result rc = pd_image_fetch(url, rows[i].lim, &im, &type, &bytes, reason, sizeof(reason));
    if (rc != rows[i].rc)
      fail_msg("%s: got %s (%s), want %s", rows[i].path, pd_result_str(rc), reason, pd_result_str(rows[i].rc));
    if (rows[i].type != NULL && (type == NULL || strcmp(type, rows[i].type) != 0))
      fail_msg("%s: type %s, want %s", rows[i].path, type ? type : "none", rows[i].type);
    if (rows[i].width > 0)
      assert_int_equal(gdImageSX(im), rows[i].width);
    if (rows[i].reason != NULL && strncmp(reason, rows[i].reason, strlen(rows[i].reason)) != 0)
      fail_msg("%s: reason \"%s\", want \"%s...\"", rows[i].path, reason, rows[i].reason);
    if (rc == PD_OK)
      assert_true(bytes > 0);
    else
      assert_null(im);
    if (im != NULL)
      gdImageDestroy(im);
  }
}

static json_t *stats(const char *path)
{
  char url[128];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "%s%s", base, path);
  if (pd_http_do("GET", url, NULL, NULL, 0, &r) != PD_OK)
    return NULL;
  json_t *j = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  return j;
}

/* Twelve slow photos through a pool of 4: the host never sees more than 4 at once, and does
 * see 4 (the bound is used, not just respected).  A refused item in the batch fails alone;
 * every photo decodes, and each URL is a different picture. */
static void test_pool_is_bounded(void **state)
{
  enum { N = 13 };
  char urls[N][160];
  struct pd_fetch_item items[N];
  json_decref(stats("/_stats/reset"));
  for (int i = 0; i < N; i++) {
    if (i == 6)
      snprintf(urls[i], sizeof(urls[i]), "%s/small.png", base);
    else
      snprintf(urls[i], sizeof(urls[i]), "%s/wikipedia/commons/photo-%d.jpg?delay_ms=300", base, i);
    memset(&items[i], 0, sizeof(items[i]));
    items[i].url = urls[i];
  }
  assert_int_equal(pd_fetch_all(items, N, 4, &pd_image_default_limits), PD_OK);
  json_t *st = stats("/_stats");
  assert_int_equal(json_integer_value(json_object_get(st, "requests")), N - 1);
  assert_int_equal(json_integer_value(json_object_get(st, "max_in_flight")), 4);
  json_decref(st);
  uint64_t hashes[N];
  for (int i = 0; i < N; i++) {
    if (i == 6) {
      assert_int_equal(items[i].rc, PD_E_INVALID);
      assert_non_null(strstr(items[i].reason, "narrower than 800 px"));
      assert_null(items[i].image);
      continue;
    }
    assert_int_equal(items[i].rc, PD_OK);
    assert_string_equal(items[i].type, "jpeg");
    assert_int_equal(gdImageSX(items[i].image), 1200);
    assert_int_equal(pd_phash_image(items[i].image, &hashes[i]), PD_OK);
    for (int k = 0; k < i; k++)
      if (k != 6)
        assert_true(pd_phash_distance(hashes[i], hashes[k]) > PD_PHASH_DUP_MAX_DISTANCE);
    gdImageDestroy(items[i].image);
  }
  /* A pool of one is sequential. */
  json_decref(stats("/_stats/reset"));
  assert_int_equal(pd_fetch_all(items, 3, 1, &pd_image_default_limits), PD_OK);
  st = stats("/_stats");
  assert_int_equal(json_integer_value(json_object_get(st, "max_in_flight")), 1);
  json_decref(st);
  for (int i = 0; i < 3; i++)
    gdImageDestroy(items[i].image);
}

int main(void)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_rows), cmocka_unit_test(test_pool_is_bounded)};
  return cmocka_run_group_tests_name("e2e_image_fetch", tests, setup, teardown);
}
