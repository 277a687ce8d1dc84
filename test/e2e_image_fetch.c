/* e2e_image_fetch.c - lib/image_fetch.c over real HTTP against test/doubles/images.c: types from
 * magic bytes whatever the header says, the width floor, undecodable files, bounded redirects,
 * the size cap and the timeout, each refusal with its reason; redirects followed to https
 * only (the double also serves https, with a certificate made here by openssl) and sockets
 * opened only to public addresses or the allowlisted 127.0.0.1; decompression bombs refused from
 * their headers, quickly and without the memory a decode would take; and the download pool:
 * never more in flight than its bound, never more decoded pixels than its budget, every item
 * its own result. */
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
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h" /* PD_E2E_TEST: these suites have no database, so nothing is audited */
#include "fetch_pool.h"
#include "http_client.h"
#include "image_fetch.h"
#include "netcheck.h"
#include "phash.h"
#include "proc.h"

static struct pd_proc *P;
static char base[64], tls_base[64], ca[300];
static unsigned tls_port;
/* The default limits, trusting the double: 127.0.0.1 allowlisted, its certificate as CA. */
static struct pd_netlist allow_local;
static struct pd_image_limits local;

static int setup(void **state)
{
  char bin[300], log[300], key[300], cmd[1200], line[200];
  const char *tmp = getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp";
  unsigned port = 0;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  snprintf(bin, sizeof(bin), "%s/double-images",
           getenv("PD_BUILD_DIR") != NULL ? getenv("PD_BUILD_DIR") : "build");
  snprintf(log, sizeof(log), "%s/double-images.log", tmp);
  snprintf(ca, sizeof(ca), "%s/images-cert.pem", tmp);
  snprintf(key, sizeof(key), "%s/images-key.pem", tmp);
  snprintf(cmd, sizeof(cmd),
           "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
           " -subj /CN=popdeck-test -addext subjectAltName=IP:127.0.0.1,IP:127.0.0.2 -keyout %s "
           "-out %s 2>/dev/null",
           key, ca);
  if (system(cmd) != 0)
    return -1;
  char *const argv[] = {bin, "--port", "0", "--tls-cert", ca, "--tls-key", key, NULL};
  if (pd_proc_start_double(argv, log, &P, &port) != PD_OK ||
      pd_proc_wait_log(P, "https on 127.0.0.1:", 2000, line, sizeof(line)) != PD_OK ||
      sscanf(strstr(line, "127.0.0.1:") + 10, "%u", &tls_port) != 1)
    return -1;
  snprintf(base, sizeof(base), "http://127.0.0.1:%u", port);
  snprintf(tls_base, sizeof(tls_base), "https://127.0.0.1:%u", tls_port);
  char err[200];
  if (pd_netlist_parse("127.0.0.1/32", &allow_local, err, sizeof(err)) != PD_OK)
    return -1;
  local = pd_image_default_limits;
  local.allowed = &allow_local;
  local.ca_file = ca;
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
  struct pd_image_limits small = local;
  small.max_bytes = 1024 * 1024;
  struct pd_image_limits quick = local;
  quick.timeout_ms = 500;
  struct {
    const char *path;
    const struct pd_image_limits *lim;
    enum pd_result rc;
    const char *type;
    int width;
    const char *reason;
  } rows[] = {
      {"/photo.png", &local, PD_OK, "png", 1000, NULL}, /* served as text/html */
      {"/photo.jpg", &local, PD_OK, "jpeg", 900, NULL}, /* served as image/png */
      {"/photo.webp", &local, PD_OK, "webp", 1200, NULL},
      {"/small.png", &local, PD_E_INVALID, "png", 0, "400x300 is narrower than 800 px"},
      {"/garbage.png", &local, PD_E_INVALID, NULL, 0, "not a PNG, JPEG or WebP file"},
      {"/corrupt.png", &local, PD_E_INVALID, "png", 0, "png file could not be decoded"},
      /* Over plain http a redirect is not followed (see test_redirect_rows for https). */
      {"/redirect/2", &local, PD_E_INVALID, NULL, 0, "redirect to http://127.0.0.1:"},
      {"/big.png", &small, PD_E_TOOBIG, NULL, 0, "larger than 1048576 bytes"},
      {"/slow.png", &quick, PD_E_UPSTREAM, NULL, 0, "download failed: Timeout"},
      {"/missing.png", &local, PD_E_UPSTREAM, NULL, 0, "the image host answered 404"},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char url[128], reason[200] = "";
    gdImagePtr im = NULL;
    const char *type = NULL;
    size_t bytes = 0;
    snprintf(url, sizeof(url), "%s%s", base, rows[i].path);
    enum pd_result rc =
        pd_image_fetch(url, rows[i].lim, &im, &type, &bytes, reason, sizeof(reason));
    if (rc != rows[i].rc)
      fail_msg("%s: got %s (%s), want %s", rows[i].path, pd_result_str(rc), reason,
               pd_result_str(rows[i].rc));
    if (rows[i].type != NULL && (type == NULL || strcmp(type, rows[i].type) != 0))
      fail_msg("%s: type %s, want %s", rows[i].path, type ? type : "none", rows[i].type);
    if (rows[i].width > 0)
      assert_int_equal(gdImageSX(im), rows[i].width);
    if (rows[i].reason != NULL && strncmp(reason, rows[i].reason, strlen(rows[i].reason)) != 0)
      fail_msg("%s: reason \"%s\", want \"%s...\"", rows[i].path, reason, rows[i].reason);
    if (rc == PD_E_INVALID && strncmp(rows[i].path, "/redirect/", 10) == 0 &&
        strstr(reason, "/redirect/1 refused: only https redirects are followed") == NULL)
      fail_msg("%s: reason \"%s\"", rows[i].path, reason);
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
  const struct pd_fetch_limits pool4 = {4, PD_FETCH_DEFAULT_PIXEL_BUDGET, 0, 0};
  const struct pd_fetch_limits pool1 = {1, PD_FETCH_DEFAULT_PIXEL_BUDGET, 0, 0};
  json_decref(stats("/_stats/reset"));
  for (int i = 0; i < N; i++) {
    if (i == 6)
      snprintf(urls[i], sizeof(urls[i]), "%s/small.png", base);
    else
      snprintf(urls[i], sizeof(urls[i]), "%s/wikipedia/commons/photo-%d.jpg?delay_ms=300", base, i);
    memset(&items[i], 0, sizeof(items[i]));
    items[i].url = urls[i];
  }
  assert_int_equal(pd_fetch_all(items, N, &pool4, &local, NULL), PD_OK);
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
  assert_int_equal(pd_fetch_all(items, 3, &pool1, &local, NULL), PD_OK);
  st = stats("/_stats");
  assert_int_equal(json_integer_value(json_object_get(st, "max_in_flight")), 1);
  json_decref(st);
  for (int i = 0; i < 3; i++)
    gdImageDestroy(items[i].image);
}

static int64_t requests_seen(void)
{
  json_t *st = stats("/_stats");
  int64_t n = json_integer_value(json_object_get(st, "requests"));
  json_decref(st);
  return n;
}

/* Redirects: followed from http to https and from https to https; refused to http, to a
 * cloud metadata address and to a loopback address not on the allowlist (127.0.0.2, where the
 * double listens too), each with a reason naming where; the socket check applies to the first
 * URL as well, before any connection (the double sees no request). */
static void test_redirect_rows(void **state)
{
  char to_https[200], to_http[200], meta_http[200], meta_https[200], loop2[200], chain[200],
      chain5[200];
  snprintf(to_https, sizeof(to_https), "%s/goto?u=%s/photo.png", base, tls_base);
  snprintf(chain, sizeof(chain), "%s/redirect/2", tls_base);
  snprintf(chain5, sizeof(chain5), "%s/redirect/5", tls_base);
  snprintf(to_http, sizeof(to_http), "%s/goto?u=%s/photo.png", tls_base, base);
  snprintf(meta_http, sizeof(meta_http), "%s/goto?u=http://169.254.169.254/latest/meta-data",
           tls_base);
  snprintf(meta_https, sizeof(meta_https), "%s/goto?u=https://169.254.169.254/latest/meta-data",
           tls_base);
  snprintf(loop2, sizeof(loop2), "%s/goto?u=https://127.0.0.2:%u/photo.png", tls_base, tls_port);
  char want_http[200], want_loop2[200];
  snprintf(want_http, sizeof(want_http),
           "redirect to %s/photo.png refused: only https redirects are followed", base);
  snprintf(want_loop2, sizeof(want_loop2),
           "refused to connect to https://127.0.0.2:%u/photo.png: 127.0.0.2 is not a public "
           "address (loopback)",
           tls_port);
  struct {
    const char *url;
    enum pd_result rc;
    const char *reason;
  } rows[] = {
      {to_https, PD_OK, NULL},
      {chain, PD_OK, NULL},
      {chain5, PD_E_UPSTREAM, "more than 3 redirects"},
      {to_http, PD_E_INVALID, want_http},
      {meta_http, PD_E_INVALID,
       "redirect to http://169.254.169.254/latest/meta-data refused: only https redirects are "
       "followed"},
      {meta_https, PD_E_INVALID,
       "refused to connect to https://169.254.169.254/latest/meta-data: 169.254.169.254 is not a "
       "public address"
       " (link-local)"},
      {loop2, PD_E_INVALID, want_loop2},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    char reason[200] = "";
    gdImagePtr im = NULL;
    const char *type = NULL;
    size_t bytes = 0;
    enum pd_result rc =
        pd_image_fetch(rows[i].url, &local, &im, &type, &bytes, reason, sizeof(reason));
    if (rc != rows[i].rc)
      fail_msg("%s: got %s (%s), want %s", rows[i].url, pd_result_str(rc), reason,
               pd_result_str(rows[i].rc));
    if (rows[i].reason != NULL && strcmp(reason, rows[i].reason) != 0)
      fail_msg("%s: reason \"%s\", want \"%s\"", rows[i].url, reason, rows[i].reason);
    if (rc == PD_OK)
      assert_int_equal(gdImageSX(im), 1000);
    else
      assert_null(im);
    if (im != NULL)
      gdImageDestroy(im);
  }
  /* Without the allowlist, the double's own address is refused before connecting. */
  char url[200], reason[200] = "";
  gdImagePtr im = NULL;
  const char *type = NULL;
  size_t bytes = 0;
  struct pd_image_limits strict = local;
  strict.allowed = NULL;
  snprintf(url, sizeof(url), "%s/wikipedia/commons/direct.jpg", base);
  int64_t before = requests_seen();
  assert_int_equal(pd_image_fetch(url, &strict, &im, &type, &bytes, reason, sizeof(reason)),
                   PD_E_INVALID);
  char want[300];
  snprintf(want, sizeof(want),
           "refused to connect to %s: 127.0.0.1 is not a public address (loopback)", url);
  assert_string_equal(reason, want);
  assert_null(im);
  assert_int_equal(requests_seen(), before);
  /* With it, the same URL is fetched (and the double counts it). */
  assert_int_equal(pd_image_fetch(url, &local, &im, &type, &bytes, reason, sizeof(reason)), PD_OK);
  gdImageDestroy(im);
  assert_int_equal(requests_seen(), before + 1);
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* The child's side of test_bombs_refused_undecoded: 0 when every bomb was refused as it
 * should be, else 1 with the reason on stderr. */
static int refuse_bombs(void)
{
  const char *paths[] = {"/bomb.png", "/bomb.jpg", "/bomb.webp"},
             *types[] = {"png", "jpeg", "webp"};
  struct rusage before, after;
#ifndef UNDER_ASAN
  /* A decode would allocate 1.6 GB for the image alone; give the child 512 MB more than it
   * has (ASan reserves terabytes of address space for its shadow, so not there). */
  long pages = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL || fscanf(f, "%ld", &pages) != 1)
    return 1;
  fclose(f);
  rlim_t cap = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + ((rlim_t)512 << 20);
  struct rlimit rl = {cap, cap};
  if (setrlimit(RLIMIT_AS, &rl) != 0)
    return 1;
#endif
  getrusage(RUSAGE_SELF, &before);
  for (size_t i = 0; i < 3; i++) {
    char url[128], reason[200] = "";
    gdImagePtr im = NULL;
    const char *type = NULL;
    size_t bytes = 0;
    snprintf(url, sizeof(url), "%s%s", base, paths[i]);
    int64_t t0 = pd_now_us();
    enum pd_result rc = pd_image_fetch(url, &local, &im, &type, &bytes, reason, sizeof(reason));
    int64_t ms = (pd_now_us() - t0) / 1000;
    fprintf(stderr, "%s: %s (%s), %zu bytes, %lld ms\n", paths[i], pd_result_str(rc), reason, bytes,
            (long long)ms);
    if (rc != PD_E_TOOBIG || strcmp(reason, "20000x20000 is 400 MP, over the 40 MP limit") != 0 ||
        im != NULL || type == NULL || strcmp(type, types[i]) != 0 || ms > 2000)
      return 1;
  }
  getrusage(RUSAGE_SELF, &after);
  long grew_mb = (after.ru_maxrss - before.ru_maxrss) / 1024;
  fprintf(stderr, "peak resident size grew by %ld MB\n", grew_mb);
  return grew_mb < 200 ? 0 : 1;
}

/* A PNG, a JPEG and a WebP, each a small file declaring 20000x20000 (400 MP): refused with
 * PD_E_TOOBIG and the reason, within two seconds, in a child whose peak resident size grows
 * by less than 200 MB (and, outside ASan, under an address-space limit a decode would hit). */
static void test_bombs_refused_undecoded(void **state)
{
  char url[128];
  struct pd_http_reply r;
  /* The double makes its PNG bomb on first request; do not count that. */
  snprintf(url, sizeof(url), "%s/bomb.png", base);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  pd_http_reply_free(&r);
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0)
    _exit(refuse_bombs());
  int status = 0;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail_msg("a bomb was not refused from its header (see above), status %d", status);
}

/* Six 3000x2000 photos (6 MP each, plus 0.96 MP for the 1200x800 copy each keeps) through six
 * threads with a budget of 14 MP, which fits two at once: never more reserved than the
 * budget; every photo comes back scaled to 1200x800 with the pHash of its full-size decode.
 * A budget smaller than one image refuses it rather than waiting for ever. */
static void test_pool_pixel_budget(void **state)
{
  enum { N = 6 };
  char urls[N][160];
  struct pd_fetch_item items[N];
  struct pd_fetch_stats st;
  struct pd_image_limits lim = local;
  lim.max_pixels = 8000000;
  const struct pd_fetch_limits pool = {N, 14000000, 1200, 2400};
  for (int i = 0; i < N; i++) {
    snprintf(urls[i], sizeof(urls[i]), "%s/wikipedia/commons/big-%d.jpg?w=3000&h=2000", base, i);
    memset(&items[i], 0, sizeof(items[i]));
    items[i].url = urls[i];
  }
  assert_int_equal(pd_fetch_all(items, N, &pool, &lim, &st), PD_OK);
  printf("pool: peak %llu pixels reserved (budget 14000000), %u waits\n",
         (unsigned long long)st.peak_reserved_pixels, st.waits);
  assert_true(st.peak_reserved_pixels <= 14000000);
  assert_true(st.peak_reserved_pixels >= 6960000);
  for (int i = 0; i < N; i++) {
    if (items[i].rc != PD_OK)
      fail_msg("%s: %s (%s)", urls[i], pd_result_str(items[i].rc), items[i].reason);
    assert_int_equal(gdImageSX(items[i].image), 1200);
    assert_int_equal(gdImageSY(items[i].image), 800);
  }
  gdImagePtr full = NULL;
  const char *type = NULL;
  size_t bytes = 0;
  char reason[200];
  uint64_t h = 0;
  assert_int_equal(pd_image_fetch(urls[0], &lim, &full, &type, &bytes, reason, sizeof(reason)),
                   PD_OK);
  assert_int_equal(gdImageSX(full), 3000);
  assert_int_equal(pd_phash_image(full, &h), PD_OK);
  assert_true(h == items[0].phash);
  gdImageDestroy(full);
  for (int i = 0; i < N; i++)
    gdImageDestroy(items[i].image);

  const struct pd_fetch_limits tight = {2, 5000000, 0, 0};
  assert_int_equal(pd_fetch_all(items, 1, &tight, &lim, NULL), PD_OK);
  assert_int_equal(items[0].rc, PD_E_TOOBIG);
  assert_string_equal(items[0].reason,
                      "3000x2000 does not fit the download pool's budget of 5000000 pixels");
  assert_null(items[0].image);
}

int main(void)
{
  const struct CMUnitTest tests[] = {PD_E2E_TEST(test_rows), PD_E2E_TEST(test_redirect_rows),
                                     PD_E2E_TEST(test_bombs_refused_undecoded),
                                     PD_E2E_TEST(test_pool_is_bounded),
                                     PD_E2E_TEST(test_pool_pixel_budget)};
  return cmocka_run_group_tests_name("e2e_image_fetch", tests, setup, teardown);
}
