/* bench_webhooks.c - the payment webhooks at a steady rate, as `make bench` measures them
 * (scripts/bench-payments.sh sets up the server):
 *   bench_webhooks discord URL KEYFILE SKU RATE SECONDS
 *     RATE signed ENTITLEMENT_CREATE events a second for SECONDS to URL (POST /events), each a
 *     new purchase (entitlement 1400000000000000001 + i of player 8600000000000000001 + i),
 *     signed with the Ed25519 key in KEYFILE as Discord signs;
 *   bench_webhooks stripe URL SECRET RATE SECONDS
 *     the same rate of checkout.session.completed (paid) events for bundle gems-100 to URL
 *     (POST /webhooks/stripe), signed with SECRET as Stripe signs (t=...,v1=HMAC-SHA256).
 * Every event is sent at its own moment (start + i / RATE) by a pool of threads, each with a
 * kept-alive connection; its latency counts from that moment, so a slow answer that delays the
 * next sends shows in the figures instead of hiding.  The first second is a warm-up at the same
 * rate (the server's pool connects and prepares its statements on first use) and is not
 * counted.  Prints one line: how many, the rate achieved, p50, p99 and max in microseconds, and
 * how many did not get a 2xx. */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pd.h"
#include "sig.h"

#define THREADS 8

static bool stripe;
static const char *url, *sku, *secret;
static unsigned char sk[crypto_sign_SECRETKEYBYTES];
static int64_t start_us, n, rate;
static int64_t *lat;
static atomic_int_fast64_t next_i, failed;

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static size_t sink(char *d, size_t sz, size_t k, void *arg)
{
  return sz * k;
}

/* Event i's body, as the provider sends it. */
static char *body_of(int64_t i)
{
  char ent[24], user[24], sess[40], pi[40], evt[40];
  snprintf(ent, sizeof(ent), "%lld", 1400000000000000001LL + (long long)i);
  snprintf(user, sizeof(user), "%lld", 8600000000000000001LL + (long long)i);
  json_t *j;
  if (!stripe) {
    j = json_pack("{s:i, s:s, s:i, s:{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:i, s:b, s:n, s:n, "
                  "s:b}}}",
                  "version", 1, "application_id", "1111111111111111111", "type", 1, "event", "type",
                  "ENTITLEMENT_CREATE", "timestamp", "2026-12-01T12:00:00.000000+00:00", "data",
                  "id", ent, "sku_id", sku, "application_id", "1111111111111111111", "user_id",
                  user, "type", 1, "deleted", 0, "starts_at", "ends_at", "consumed", 0);
  } else {
    snprintf(sess, sizeof(sess), "cs_bench_%lld", (long long)i);
    snprintf(pi, sizeof(pi), "pi_bench_%lld", (long long)i);
    snprintf(evt, sizeof(evt), "evt_bench_%lld", (long long)i);
    j = json_pack("{s:s, s:s, s:s, s:I, s:b, s:{s:{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, "
                  "s:{s:s}}}}",
                  "id", evt, "object", "event", "type", "checkout.session.completed", "created",
                  (json_int_t)time(NULL), "livemode", 0, "data", "object", "id", sess, "object",
                  "checkout.session", "client_reference_id", user, "payment_status", "paid",
                  "status", "complete", "mode", "payment", "amount_total", (json_int_t)99,
                  "currency", "usd", "metadata", "bundle", "gems-100");
    if (j != NULL)
      json_object_set_new(json_object_get(json_object_get(j, "data"), "object"), "payment_intent",
                          json_string(pi));
  }
  char *s = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  return s;
}

static void send_one(CURL *h, int64_t i)
{
  char *body = body_of(i);
  char ts[24], h1[200], h2[64];
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  if (stripe) {
    /* Stripe-Signature: t=TS,v1=hex(HMAC-SHA256(secret, "TS.body")). */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
    snprintf(h1, sizeof(h1), "Stripe-Signature: t=%s,v1=%s", ts, hex);
    h2[0] = '\0';
  } else {
    char sig[129];
    pd_sig_sign(sk, ts, body, strlen(body), sig);
    snprintf(h1, sizeof(h1), "X-Signature-Ed25519: %s", sig);
    snprintf(h2, sizeof(h2), "X-Signature-Timestamp: %s", ts);
  }
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  headers = curl_slist_append(headers, h1);
  if (h2[0] != '\0')
    headers = curl_slist_append(headers, h2);
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
  int64_t due = start_us + i * 1000000 / rate, now = pd_now_us();
  if (due > now) {
    struct timespec t = {(time_t)((due - now) / 1000000), (long)((due - now) % 1000000) * 1000};
    nanosleep(&t, NULL);
  }
  long status = 0;
  CURLcode cc = curl_easy_perform(h);
  lat[i] = pd_now_us() - due;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (cc != CURLE_OK || status < 200 || status > 299) {
    if (atomic_fetch_add(&failed, 1) < 3)
      fprintf(stderr, "bench_webhooks: event %lld: %s, HTTP %ld\n", (long long)i,
              curl_easy_strerror(cc), status);
  }
  curl_slist_free_all(headers);
  free(body);
}

static void *worker(void *arg)
{
  CURL *h = curl_easy_init();
  for (int64_t i; (i = atomic_fetch_add(&next_i, 1)) < n;)
    send_one(h, i);
  curl_easy_cleanup(h);
  return NULL;
}

static int usage(void)
{
  fprintf(stderr, "usage: bench_webhooks discord URL KEYFILE SKU RATE SECONDS\n"
                  "       bench_webhooks stripe URL SECRET RATE SECONDS\n");
  return 2;
}

int main(int argc, char **argv)
{
  if (argc < 2 || sodium_init() < 0)
    return usage();
  stripe = strcmp(argv[1], "stripe") == 0;
  if ((!stripe && (strcmp(argv[1], "discord") != 0 || argc != 7)) || (stripe && argc != 6))
    return usage();
  url = argv[2];
  if (stripe) {
    secret = argv[3];
  } else {
    char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
    size_t len = 0;
    FILE *k = fopen(argv[3], "r");
    bool ok = k != NULL && fgets(hex, sizeof(hex), k) != NULL &&
              sodium_hex2bin(sk, sizeof(sk), hex, strcspn(hex, "\n"), NULL, &len, NULL) == 0 &&
              len == sizeof(sk);
    if (k != NULL)
      fclose(k);
    if (!ok) {
      fprintf(stderr, "bench_webhooks: %s is not a signing key\n", argv[3]);
      return 2;
    }
    sku = argv[4];
  }
  rate = strtoll(argv[stripe ? 4 : 5], NULL, 10);
  int64_t secs = strtoll(argv[stripe ? 5 : 6], NULL, 10);
  if (rate <= 0 || secs <= 0)
    return usage();
  n = rate * (secs + 1); /* the first rate events are the warm-up */
  lat = calloc((size_t)n, sizeof(*lat));
  curl_global_init(CURL_GLOBAL_DEFAULT);
  pthread_t t[THREADS];
  start_us = pd_now_us() + 100000;
  for (int k = 0; k < THREADS; k++)
    pthread_create(&t[k], NULL, worker, NULL);
  for (int k = 0; k < THREADS; k++)
    pthread_join(t[k], NULL);
  int64_t took = pd_now_us() - start_us - 1000000, m = n - rate, *v = lat + rate;
  qsort(v, (size_t)m, sizeof(*v), cmp_i64);
  printf("%lld events in %.1f s (%.0f/s): p50 %lld us, p99 %lld us, max %lld us, non-2xx %lld\n",
         (long long)m, (double)took / 1e6, (double)m * 1e6 / (double)took,
         (long long)v[(size_t)(0.50 * (double)(m - 1))],
         (long long)v[(size_t)(0.99 * (double)(m - 1))], (long long)v[m - 1],
         (long long)atomic_load(&failed));
  free(lat);
  curl_global_cleanup();
  return 0;
}
