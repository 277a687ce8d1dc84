/* e2e_s3.c - uploads to S3-compatible storage (lib/s3.c, libcurl's SigV4) against a local
 * double that checks the signature with its own canonical request and HMAC chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h" /* PD_E2E_TEST: these suites have no database, so nothing is audited */
#include "http_client.h"
#include "proc.h"
#include "s3.h"

static struct pd_proc *P;
static char endpoint[64];

static int setup(void **state)
{
  char bin[300], log[300];
  unsigned port = 0;
  const char *build = getenv("PD_BUILD_DIR") != NULL ? getenv("PD_BUILD_DIR") : "build";
  if (sodium_init() < 0)
    return -1;
  snprintf(bin, sizeof(bin), "%s/double-s3", build);
  snprintf(log, sizeof(log), "%s/double-s3.log",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  char *const argv[] = {
      bin,        "--port",           "0",        "--key",        "AKIDPOPDECKTEST",
      "--secret", "s3cr3t/key+value", "--region", "eu-central-1", NULL};
  if (pd_proc_start_double(argv, log, &P, &port) != PD_OK)
    return -1;
  snprintf(endpoint, sizeof(endpoint), "http://127.0.0.1:%u", port);
  return 0;
}

static int teardown(void **state)
{
  pd_proc_stop(P);
  return 0;
}

static json_t *objects(void)
{
  char url[128];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "%s/_objects", endpoint);
  json_t *j =
      pd_http_do("GET", url, NULL, NULL, 0, &r) == PD_OK ? json_loads(r.body, 0, NULL) : NULL;
  pd_http_reply_free(&r);
  return j;
}

static void test_signed_put_is_stored(void **state)
{
  struct pd_s3 s3 = {endpoint, "eu-central-1", "popdeck-cards", "AKIDPOPDECKTEST",
                     "s3cr3t/key+value"};
  unsigned char data[3000];
  char want[65], err[256] = "";
  long status = 0;
  randombytes_buf(data, sizeof(data));
  unsigned char h[32];
  crypto_hash_sha256(h, data, sizeof(data));
  sodium_bin2hex(want, sizeof(want), h, sizeof(h));
  assert_int_equal(
      pd_s3_put(&s3, "TAYL_19-03.png", data, sizeof(data), "image/png", &status, err, sizeof(err)),
      PD_OK);
  assert_int_equal(status, 200);
  json_t *all = objects();
  json_t *o = json_object_get(all, "/popdeck-cards/TAYL_19-03.png");
  assert_non_null(o);
  assert_string_equal(json_string_value(json_object_get(o, "sha256")), want);
  assert_int_equal(json_integer_value(json_object_get(o, "size")), sizeof(data));
  assert_string_equal(json_string_value(json_object_get(o, "content_type")), "image/png");
  json_decref(all);
}

static void test_wrong_secret_or_region_is_refused(void **state)
{
  struct pd_s3 rows[] = {
      {endpoint, "eu-central-1", "popdeck-cards", "AKIDPOPDECKTEST", "not-the-secret"},
      {endpoint, "us-east-1", "popdeck-cards", "AKIDPOPDECKTEST", "s3cr3t/key+value"},
      {endpoint, "eu-central-1", "popdeck-cards", "AKIDSOMEONEELSE", "s3cr3t/key+value"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char err[256] = "", name[32];
    long status = 0;
    snprintf(name, sizeof(name), "refused-%zu.png", i);
    assert_int_equal(pd_s3_put(&rows[i], name, "x", 1, "image/png", &status, err, sizeof(err)),
                     PD_E_UPSTREAM);
    assert_int_equal(status, 403);
    assert_non_null(strstr(err, "answered 403"));
    char path[64];
    snprintf(path, sizeof(path), "/popdeck-cards/%s", name);
    json_t *all = objects();
    assert_null(json_object_get(all, path));
    json_decref(all);
  }
}

static void test_unreachable_endpoint_is_a_clear_error(void **state)
{
  struct pd_s3 s3 = {"http://127.0.0.1:9", "eu-central-1", "b", "k", "s"};
  char err[256] = "";
  long status = -1;
  assert_int_equal(pd_s3_put(&s3, "x.png", "x", 1, "image/png", &status, err, sizeof(err)),
                   PD_E_UPSTREAM);
  assert_int_equal(status, 0);
  assert_non_null(strstr(err, "S3 PUT x.png"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_signed_put_is_stored),
      PD_E2E_TEST(test_wrong_secret_or_region_is_refused),
      PD_E2E_TEST(test_unreachable_endpoint_is_a_clear_error),
  };
  return cmocka_run_group_tests_name("e2e_s3", tests, setup, teardown);
}
