/* bench_market.c - /buy under concurrency, as `make bench` measures it (scripts/bench.sh sets
 * up the players and listings).  Every request is a signed /buy from its own buyer.
 *   bench_market spread URL KEYFILE DATABASE_URL SELLERS CONC N
 *     CONC buyers at once, each buying N different listings one after another (the listings of
 *     the sellers whose Discord ids match the LIKE pattern SELLERS, in id order: listing i goes
 *     to buyer i % CONC): latency of every /buy.
 *   bench_market contended URL KEYFILE DATABASE_URL SELLERS CONC ROUNDS
 *     each round CONC buyers press /buy on the same listing at the same instant: latency of
 *     every answer, and exactly one winner per round.
 *   bench_market burst URL KEYFILE DATABASE_URL SELLERS CONC ROUNDS
 *     each round CONC buyers press /buy at the same instant, each on a listing of its own (the
 *     uncontended case in the contended case's shape: how long the last of a simultaneous
 *     burst waits), and every one of them buys.
 * Buyers are the Discord ids 810000000000000001 ... CONC.  Prints one line per figure. */
#include <curl/curl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "ixbuild.h"
#include "pd.h"
#include "sig.h"

#define MAX_CONC 200

static unsigned char sk[crypto_sign_SECRETKEYBYTES];
static const char *url;
static int64_t *listings;
static size_t nlistings;
static int conc, per;
static int64_t *lat; /* microseconds, one per request */
static int *won;     /* per request: 1 bought, 0 told it was gone, -1 anything else */
static pthread_barrier_t start;

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

static size_t append(char *d, size_t sz, size_t n, void *arg)
{
  return pd_buf_add(arg, d, sz * n) == PD_OK ? sz * n : 0;
}

/* One signed /buy of listing by buyer on the thread's kept-alive connection h (as Discord keeps
 * its connections); its latency and outcome. */
static void buy(CURL *h, int buyer, int64_t listing, int64_t *us, int *outcome)
{
  char user[24], id[24], ts[24], sig[129], h1[160], h2[64];
  struct pd_buf answer;
  long status = 0;
  snprintf(user, sizeof(user), "%llu", 810000000000000000ULL + (unsigned long long)buyer);
  snprintf(id, sizeof(id), "%lld", (long long)listing);
  struct pd_ixb b = {.type = 2,
                     .app_id = "1111111111111111111",
                     .user_id = user,
                     .command = "buy",
                     .options =
                         json_pack("[{s:s, s:i, s:s}]", "name", "listing", "type", 3, "value", id)};
  json_t *ix = pd_ixb_build(&b);
  char *body = json_dumps(ix, JSON_COMPACT);
  json_decref(ix);
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  pd_sig_sign(sk, ts, body, strlen(body), sig);
  snprintf(h1, sizeof(h1), "X-Signature-Ed25519: %s", sig);
  snprintf(h2, sizeof(h2), "X-Signature-Timestamp: %s", ts);
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  headers = curl_slist_append(headers, h1);
  headers = curl_slist_append(headers, h2);
  headers = curl_slist_append(headers, "Expect:");
  pd_buf_init(&answer, 1 << 20);
  curl_easy_setopt(h, CURLOPT_URL, url);
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
  int64_t t0 = pd_now_us();
  CURLcode cc = curl_easy_perform(h);
  *us = pd_now_us() - t0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  free(body);
  size_t len = 0;
  char *text = pd_buf_take(&answer, &len);
  *outcome = -1;
  if (cc == CURLE_OK && status == 200 && text != NULL) {
    if (strstr(text, "You bought") != NULL)
      *outcome = 1;
    else if (strstr(text, "Someone bought it first") != NULL)
      *outcome = 0;
    else
      fprintf(stderr, "bench_market: %.300s\n", text);
  } else {
    fprintf(stderr, "bench_market: no answer (%s, HTTP %ld)\n", curl_easy_strerror(cc), status);
  }
  free(text);
}

static void *spread_thread(void *arg)
{
  int t = (int)(intptr_t)arg;
  CURL *h = curl_easy_init();
  pthread_barrier_wait(&start);
  for (int k = 0; k < per; k++) {
    size_t i = (size_t)k * (size_t)conc + (size_t)t;
    buy(h, t + 1, listings[i], &lat[i], &won[i]);
  }
  curl_easy_cleanup(h);
  return NULL;
}

/* Round k: every buyer at listing k (contended), or each at its own listing (burst), each on
 * its own connection, kept between rounds. */
static int round_no;
static bool burst;
static CURL *handles[MAX_CONC];
static void *contended_thread(void *arg)
{
  int t = (int)(intptr_t)arg;
  size_t i = (size_t)round_no * (size_t)conc + (size_t)t;
  pthread_barrier_wait(&start);
  buy(handles[t], t + 1, listings[burst ? i : (size_t)round_no], &lat[i], &won[i]);
  return NULL;
}

static int load_listings(const char *dburl, const char *seller, size_t want)
{
  char sql[512];
  PGconn *c = PQconnectdb(dburl);
  if (PQstatus(c) != CONNECTION_OK)
    return -1;
  snprintf(sql, sizeof(sql),
           "SELECT l.id FROM market_listings l JOIN users u ON u.id = l.seller_id WHERE"
           " u.discord_id LIKE '%s' AND l.status = 'active' ORDER BY l.id LIMIT %zu",
           seller, want);
  PGresult *r = PQexec(c, sql);
  nlistings = PQresultStatus(r) == PGRES_TUPLES_OK ? (size_t)PQntuples(r) : 0;
  listings = calloc(nlistings + 1, sizeof(int64_t));
  for (size_t i = 0; i < nlistings; i++)
    listings[i] = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
  PQclear(r);
  PQfinish(c);
  return nlistings == want ? 0 : -1;
}

int main(int argc, char **argv)
{
  char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
  size_t len = 0;
  if (argc != 8 || sodium_init() < 0 ||
      (strcmp(argv[1], "spread") != 0 && strcmp(argv[1], "contended") != 0 &&
       strcmp(argv[1], "burst") != 0)) {
    fprintf(stderr,
            "usage: bench_market spread|contended|burst URL KEYFILE DATABASE_URL SELLER CONC N\n");
    return 2;
  }
  bool spread = strcmp(argv[1], "spread") == 0;
  burst = strcmp(argv[1], "burst") == 0;
  url = argv[2];
  FILE *k = fopen(argv[3], "r");
  if (k == NULL || fgets(hex, sizeof(hex), k) == NULL ||
      sodium_hex2bin(sk, sizeof(sk), hex, strcspn(hex, "\n"), NULL, &len, NULL) != 0 ||
      len != sizeof(sk))
    return 1;
  fclose(k);
  conc = (int)strtol(argv[6], NULL, 10);
  per = (int)strtol(argv[7], NULL, 10);
  if (conc < 1 || conc > MAX_CONC || per < 1)
    return 2;
  size_t total = (size_t)conc * (size_t)per;
  if (load_listings(argv[4], argv[5], spread || burst ? total : (size_t)per) != 0) {
    fprintf(stderr, "bench_market: not enough active listings of %s\n", argv[5]);
    return 1;
  }
  lat = calloc(total, sizeof(int64_t));
  won = calloc(total, sizeof(int));
  pthread_t th[MAX_CONC];
  int rounds_ok = 0;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (int t = 0; t < conc; t++)
    handles[t] = curl_easy_init();
  for (int rnd = 0; rnd < (spread ? 1 : per); rnd++) {
    round_no = rnd;
    pthread_barrier_init(&start, NULL, (unsigned)conc);
    for (int t = 0; t < conc; t++)
      pthread_create(&th[t], NULL, spread ? spread_thread : contended_thread, (void *)(intptr_t)t);
    for (int t = 0; t < conc; t++)
      pthread_join(th[t], NULL);
    pthread_barrier_destroy(&start);
    if (!spread && !burst) {
      int winners = 0, losers = 0;
      for (int t = 0; t < conc; t++) {
        winners += won[rnd * conc + t] == 1;
        losers += won[rnd * conc + t] == 0;
      }
      rounds_ok += winners == 1 && losers == conc - 1;
    }
  }
  for (int t = 0; t < conc; t++)
    curl_easy_cleanup(handles[t]);
  size_t answered = 0;
  for (size_t i = 0; i < total; i++)
    answered += won[i] >= 0;
  const char *p = spread ? "buy_spread" : burst ? "buy_burst" : "buy_contended";
  printf("%s_requests %zu\n%s_answered %zu\n%s_p50_us %lld\n%s_p99_us %lld\n", p, total, p,
         answered, p, (long long)pct(lat, total, 0.5), p, (long long)pct(lat, total, 0.99));
  if (!spread && !burst)
    printf("%s_rounds %d\n%s_rounds_one_winner %d\n", p, per, p, rounds_ok);
  size_t bought = 0;
  for (size_t i = 0; i < total; i++)
    bought += won[i] == 1;
  if (burst)
    printf("%s_bought %zu\n", p, bought);
  return answered == total && (spread || (burst ? bought == total : rounds_ok == per)) ? 0 : 1;
}
