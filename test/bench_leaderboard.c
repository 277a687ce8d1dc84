/* bench_leaderboard.c - /leaderboard's latency on a big database, as `make bench` measures it
 * (scripts/bench-leaderboard.sh generates the players and starts the server).  Every request is
 * a signed interaction over HTTP to the real server, on a kept-alive connection per thread, each
 * thread pausing PACE_MS between its requests:
 *   bench_leaderboard pages URL KEYFILE DATABASE_URL CONC N PACE_MS
 *     Next/Previous presses (component interactions) on a random page of a random board, half
 *     the global boards and half the big server's, by random players (each answer is a page and
 *     the presser's own rank);
 *   bench_leaderboard own URL KEYFILE DATABASE_URL CONC N PACE_MS
 *     /leaderboard by a random player, random board and scope (the first page and their rank);
 *   bench_leaderboard last URL KEYFILE DATABASE_URL CONC N PACE_MS
 *     the last page of the global collection board, pressed by the player ranked last there.
 * Players are the Discord ids 700000000000000001 ... (the script's); the big server is
 * pd_ixb_build's guild, whose players are those of even ids.  Global boards are asked in DMs
 * and the big server's by its members, so the run adds nobody to a server.  An answer without its
 * ranks counts as a failure.  Prints
 * "<mode>_requests", "<mode>_ok", "<mode>_p50_us", "<mode>_p99_us", "<mode>_max_us". */
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
#include <unistd.h>

#include "buf.h"
#include "ixbuild.h"
#include "pd.h"
#include "sig.h"

#define MAX_CONC 64
#define BIG_GUILD 2222222222222222222LL /* pd_ixb_build's guild_id */

static unsigned char sk[crypto_sign_SECRETKEYBYTES];
static const char *url, *mode;
static int conc, per, pace_ms;
static int64_t *lat;
static bool *ok;
/* Players, and the pages of each board in each scope: [board][0 global, 1 big server]. */
static int64_t nplayers, pages[3][2];
static char last_player[24];
static const char board_codes[] = "cne";
static const char *const board_names[] = {"collection", "notes", "eras"};

static int cmp_i64(const void *a, const void *b)
{
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int64_t pct(int64_t *v, size_t n, double p)
{
  size_t i = (size_t)(p * (double)(n - 1) + 0.5);
  return v[i < n ? i : n - 1];
}

static size_t append(char *d, size_t sz, size_t n, void *arg)
{
  return pd_buf_add(arg, d, sz * n) == PD_OK ? sz * n : 0;
}

/* One signed interaction; its latency, and whether the answer held a rank line. */
static void post(CURL *h, json_t *ix, int64_t *us, bool *good)
{
  char ts[24], sig[129], h1[160], h2[64];
  struct pd_buf answer;
  long status = 0;
  char *body = json_dumps(ix, JSON_COMPACT);
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
  *good = cc == CURLE_OK && status == 200 && text != NULL && strstr(text, "Your rank: #") != NULL;
  if (!*good)
    fprintf(stderr, "bench_leaderboard: %s HTTP %ld: %.300s\n", curl_easy_strerror(cc), status,
            text != NULL ? text : "");
  free(text);
}

/* A random player; for the big server one of its members (the even ids, as the script made
 * them), so that no request adds a player to it. */
static void player_id(uint32_t r, bool member, char out[24])
{
  long long g = 1 + (long long)(r % (uint32_t)nplayers);
  if (member)
    g = 2 + 2 * (long long)(r % (uint32_t)(nplayers / 2));
  snprintf(out, 24, "%lld", 700000000000000000LL + g);
}

/* The request of the i-th turn of this mode. */
static json_t *request(void)
{
  char user[24], custom_id[128];
  int board = (int)(randombytes_random() % 3);
  int server = (int)(randombytes_random() % 2);
  player_id(randombytes_random(), server, user);
  if (strcmp(mode, "own") == 0) {
    struct pd_ixb b = {.type = 2,
                       .app_id = "1111111111111111111",
                       .user_id = user,
                       .dm = !server,
                       .command = "leaderboard",
                       .options = json_pack("[{s:s, s:i, s:s}, {s:s, s:i, s:s}]", "name", "scope",
                                            "type", 3, "value", server ? "server" : "global",
                                            "name", "by", "type", 3, "value", board_names[board])};
    return pd_ixb_build(&b);
  }
  int64_t page = 1;
  if (strcmp(mode, "last") == 0) {
    board = 0;
    server = 0;
    page = pages[0][0];
    snprintf(user, sizeof(user), "%s", last_player);
  } else {
    page = 1 + (int64_t)(randombytes_random() % (uint32_t)pages[board][server]);
  }
  snprintf(custom_id, sizeof(custom_id), "leaderboard:%c:%c:%lld:%s", server ? 's' : 'g',
           board_codes[board], (long long)page, user);
  struct pd_ixb b = {.type = 3,
                     .app_id = "1111111111111111111",
                     .user_id = user,
                     .dm = !server,
                     .custom_id = custom_id};
  return pd_ixb_build(&b);
}

static void *run_thread(void *arg)
{
  int t = (int)(intptr_t)arg;
  CURL *h = curl_easy_init();
  for (int k = 0; k < per; k++) {
    size_t i = (size_t)t * (size_t)per + (size_t)k;
    json_t *ix = request();
    post(h, ix, &lat[i], &ok[i]);
    json_decref(ix);
    if (pace_ms > 0)
      usleep((useconds_t)pace_ms * 1000);
  }
  curl_easy_cleanup(h);
  return NULL;
}

static int load_sizes(const char *dburl)
{
  PGconn *c = PQconnectdb(dburl);
  if (PQstatus(c) != CONNECTION_OK)
    return -1;
  PGresult *r = PQexec(c, "SELECT board, guild_id, max(rank) FROM leaderboard_ranks WHERE"
                          " guild_id IN (0, 2222222222222222222) GROUP BY 1, 2");
  int rc = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 6 ? 0 : -1;
  for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
    int b = (int)strtol(PQgetvalue(r, i, 0), NULL, 10);
    int s = strtoll(PQgetvalue(r, i, 1), NULL, 10) == BIG_GUILD;
    if (b < 0 || b > 2)
      rc = -1;
    else
      pages[b][s] = (strtoll(PQgetvalue(r, i, 2), NULL, 10) + 9) / 10;
  }
  PQclear(r);
  r = PQexec(c, "SELECT count(*), (SELECT u.discord_id FROM leaderboard_ranks l JOIN users u ON"
                " u.id = l.user_id WHERE l.board = 0 AND l.guild_id = 0 ORDER BY l.rank DESC"
                " LIMIT 1) FROM users WHERE discord_id LIKE '7%'");
  if (rc == 0 && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) {
    nplayers = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    snprintf(last_player, sizeof(last_player), "%s", PQgetvalue(r, 0, 1));
  } else {
    rc = -1;
  }
  PQclear(r);
  PQfinish(c);
  return rc == 0 && nplayers > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
  char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
  size_t len = 0;
  if (argc != 8 || sodium_init() < 0 ||
      (strcmp(argv[1], "pages") != 0 && strcmp(argv[1], "own") != 0 &&
       strcmp(argv[1], "last") != 0)) {
    fprintf(stderr,
            "usage: bench_leaderboard pages|own|last URL KEYFILE DATABASE_URL CONC N PACE_MS\n");
    return 2;
  }
  mode = argv[1];
  url = argv[2];
  FILE *k = fopen(argv[3], "r");
  if (k == NULL || fgets(hex, sizeof(hex), k) == NULL ||
      sodium_hex2bin(sk, sizeof(sk), hex, strcspn(hex, "\n"), NULL, &len, NULL) != 0 ||
      len != sizeof(sk))
    return 1;
  fclose(k);
  conc = (int)strtol(argv[5], NULL, 10);
  per = (int)strtol(argv[6], NULL, 10);
  pace_ms = (int)strtol(argv[7], NULL, 10);
  if (conc < 1 || conc > MAX_CONC || per < 1 || pace_ms < 0)
    return 2;
  if (load_sizes(argv[4]) != 0) {
    fprintf(stderr, "bench_leaderboard: no ranks of the generated players (run a refresh)\n");
    return 1;
  }
  size_t total = (size_t)conc * (size_t)per;
  lat = calloc(total, sizeof(int64_t));
  ok = calloc(total, sizeof(bool));
  pthread_t th[MAX_CONC];
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (int t = 0; t < conc; t++)
    pthread_create(&th[t], NULL, run_thread, (void *)(intptr_t)t);
  for (int t = 0; t < conc; t++)
    pthread_join(th[t], NULL);
  size_t good = 0;
  for (size_t i = 0; i < total; i++)
    good += ok[i];
  qsort(lat, total, sizeof(*lat), cmp_i64);
  printf("%s_requests %zu\n%s_ok %zu\n%s_p50_us %lld\n%s_p99_us %lld\n%s_max_us %lld\n", mode,
         total, mode, good, mode, (long long)pct(lat, total, 0.5), mode,
         (long long)pct(lat, total, 0.99), mode, (long long)lat[total - 1]);
  return good == total ? 0 : 1;
}
