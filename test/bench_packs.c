/* bench_packs.c - /openpack as a player meets it: the deferred acknowledgement's latency, and
 * how long after it the pack message reaches Discord (the double records when each follow-up
 * arrived).  Each open is by a new player (one free open each), paced so every open is its
 * own follow-up rather than a queue.
 *   bench_packs URL KEYFILE DOUBLE_URL N RATE_PER_S
 * prints one line per figure. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http_client.h"
#include "ixbuild.h"
#include "pd.h"
#include "sig.h"

static int64_t wall_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int64_t pct(int64_t *v, size_t n, double p)
{
  qsort(v, n, sizeof(*v), cmp_i64);
  size_t i = (size_t)(p * (double)(n - 1) + 0.5);
  return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  char hex[2 * crypto_sign_SECRETKEYBYTES + 2], url[256], ts[24], sig[129];
  size_t len = 0;
  if (argc != 6 || sodium_init() < 0) {
    fprintf(stderr, "usage: bench_packs URL KEYFILE DOUBLE_URL N RATE_PER_S\n");
    return 2;
  }
  FILE *k = fopen(argv[2], "r");
  if (k == NULL || fgets(hex, sizeof(hex), k) == NULL ||
      sodium_hex2bin(sk, sizeof(sk), hex, strcspn(hex, "\n"), NULL, &len, NULL) != 0 ||
      len != sizeof(sk))
    return 1;
  fclose(k);
  size_t n = (size_t)strtoul(argv[4], NULL, 10);
  long pause_us = 1000000L / atol(argv[5]);
  int64_t *ack = calloc(n, sizeof(int64_t)), *acked_at = calloc(n, sizeof(int64_t)),
          *follow = calloc(n, sizeof(int64_t));
  char(*tokens)[160] = calloc(n, 160);
  const char *headers[4] = {"Content-Type: application/json", NULL, NULL, NULL};
  char h1[160], h2[64];
  size_t ok = 0;
  for (size_t i = 0; i < n; i++) {
    char user[24];
    snprintf(user, sizeof(user), "%llu",
             900000000000000000ULL + (unsigned long long)time(NULL) % 100000 * 1000 + i);
    struct pd_ixb b = {
        .type = 2, .app_id = "1111111111111111111", .user_id = user, .command = "openpack"};
    json_t *ix = pd_ixb_build(&b);
    snprintf(tokens[i], sizeof(tokens[i]), "%s", json_string_value(json_object_get(ix, "token")));
    char *body = json_dumps(ix, JSON_COMPACT);
    json_decref(ix);
    snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
    pd_sig_sign(sk, ts, body, strlen(body), sig);
    snprintf(h1, sizeof(h1), "X-Signature-Ed25519: %s", sig);
    snprintf(h2, sizeof(h2), "X-Signature-Timestamp: %s", ts);
    headers[1] = h1;
    headers[2] = h2;
    struct pd_http_reply r;
    int64_t t0 = pd_now_us();
    enum pd_result rc = pd_http_do("POST", argv[1], headers, body, strlen(body), &r);
    ack[i] = pd_now_us() - t0;
    acked_at[i] = wall_ms();
    free(body);
    if (rc != PD_OK || r.status != 200 || strstr(r.body, "\"type\":5") == NULL) {
      fprintf(stderr, "bench_packs: open %zu answered %ld: %.200s\n", i, r.status, r.body);
      pd_http_reply_free(&r);
      return 1;
    }
    pd_http_reply_free(&r);
    usleep((useconds_t)pause_us);
  }
  sleep(1);
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "%s/_requests", argv[3]);
  if (pd_http_do("GET", url, NULL, NULL, 0, &r) != PD_OK)
    return 1;
  json_t *reqs = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  for (size_t i = 0; i < n; i++) {
    size_t j;
    json_t *q;
    json_array_foreach(reqs, j, q)
    {
      const char *path = json_string_value(json_object_get(q, "path"));
      if (path != NULL && strstr(path, tokens[i]) != NULL) {
        follow[ok++] = json_integer_value(json_object_get(q, "received_at_ms")) - acked_at[i];
        break;
      }
    }
  }
  json_decref(reqs);
  printf("openpack_opens %zu\nopenpack_ack_p50_us %lld\nopenpack_ack_p99_us %lld\n", n,
         (long long)pct(ack, n, 0.5), (long long)pct(ack, n, 0.99));
  if (ok == 0)
    return 1;
  printf("openpack_followups %zu\nopenpack_followup_p50_ms %lld\nopenpack_followup_p99_ms %lld\n",
         ok, (long long)pct(follow, ok, 0.5), (long long)pct(follow, ok, 0.99));
  return ok == n ? 0 : 1;
}
