/* e2e_image_fetch.c - lib/image_fetch.c over real HTTP against test/doubles/images.c: types from
 * magic bytes whatever the header says, the width floor, undecodable files, bounded redirects,
 * the size cap and the timeout, each refusal with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_fetch.h"
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

int main(void)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_rows)};
  return cmocka_run_group_tests_name("e2e_image_fetch", tests, setup, teardown);
}
