/* config.c - reads and checks PopDeck's configuration variables and the .env file. */
#include "config.h"

#include "fetch_pool.h"

#include <ctype.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env_get(void *arg, const char *name)
{
  (void)arg;
  const char *v = getenv(name);
  return (v != NULL && v[0] != '\0') ? v : NULL;
}

struct pd_config_source pd_config_env(void)
{
  struct pd_config_source s = {env_get, NULL};
  return s;
}

static enum pd_result dup_or(const struct pd_config_source *src, const char *name, const char *def,
                             char **out)
{
  const char *v = src->get(src->arg, name);
  if (v == NULL)
    v = def;
  *out = NULL;
  if (v == NULL)
    return PD_OK;
  *out = strdup(v);
  return *out != NULL ? PD_OK : PD_E_NOMEM;
}

static enum pd_result int_var(const struct pd_config_source *src, const char *name, long def,
                              long min, long max, int64_t *out, char *err, size_t errlen)
{
  const char *v = src->get(src->arg, name);
  if (v == NULL) {
    *out = def;
    return PD_OK;
  }
  char *end = NULL;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
    snprintf(err, errlen, "%s: must be a whole number from %ld to %ld (got \"%s\")", name, min, max,
             v);
    return PD_E_INVALID;
  }
  *out = n;
  return PD_OK;
}

/* Whether url is a connection string libpq can use: parsed by libpq itself (no connection
 * is made), and every port in it a number.  Writes what is wrong into err. */
static bool database_url_ok(const char *url, char *err, size_t errlen)
{
  char *why = NULL;
  PQconninfoOption *opts = PQconninfoParse(url, &why);
  if (opts == NULL) {
    size_t n = why != NULL ? strcspn(why, "\n") : 0;
    snprintf(err, errlen,
             "DATABASE_URL: is not a libpq connection string (%.*s); expected e.g."
             " postgresql://user@host:5432/popdeck or \"host=... dbname=...\"",
             (int)n, why != NULL ? why : "out of memory");
    PQfreemem(why);
    return false;
  }
  bool ok = true;
  for (PQconninfoOption *o = opts; ok && o->keyword != NULL; o++) {
    if (strcmp(o->keyword, "port") != 0 || o->val == NULL || o->val[0] == '\0')
      continue;
    /* A list of ports ("5432,5433") goes with a list of hosts. */
    for (const char *p = o->val; ok && *p != '\0';) {
      char *end = NULL;
      errno = 0;
      long port = strtol(p, &end, 10);
      ok = end != p && errno == 0 && port >= 1 && port <= 65535 && (*end == ',' || *end == '\0');
      p = *end == ',' ? end + 1 : end;
    }
    if (!ok)
      snprintf(err, errlen, "DATABASE_URL: port \"%s\" is not a port number (1-65535)", o->val);
  }
  PQconninfoFree(opts);
  return ok;
}

static bool is_snowflake(const char *s)
{
  size_t n = strlen(s);
  if (n == 0 || n > 20)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return false;
  return true;
}

enum pd_result pd_config_parse_addr(const char *s, char **host_out, int *port_out)
{
  const char *colon;
  const char *host = s;
  size_t host_len;
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (close == NULL || close[1] != ':')
      return PD_E_INVALID;
    host = s + 1;
    host_len = (size_t)(close - host);
    colon = close + 1;
  } else {
    colon = strrchr(s, ':');
    if (colon == NULL)
      return PD_E_INVALID;
    host_len = (size_t)(colon - s);
  }
  if (host_len == 0)
    return PD_E_INVALID;
  char *end = NULL;
  errno = 0;
  long port = strtol(colon + 1, &end, 10);
  if (errno != 0 || end == colon + 1 || *end != '\0' || port < 0 || port > 65535)
    return PD_E_INVALID;
  *host_out = strndup(host, host_len);
  if (*host_out == NULL)
    return PD_E_NOMEM;
  *port_out = (int)port;
  return PD_OK;
}

/* OPS_LISTEN_ADDR, HTTP_CONNS_PER_IP and HTTP_REQUEST_DEADLINE: how the HTTP front holds off
 * slow or greedy clients, and where the unauthenticated ops routes live. */
static enum pd_result http_limits(const struct pd_config_source *src, struct pd_config *c,
                                  char *err, size_t errlen)
{
  int64_t n;
  const char *v = src->get(src->arg, "OPS_LISTEN_ADDR");
  if (v != NULL) {
    enum pd_result rc = pd_config_parse_addr(v, &c->ops_host, &c->ops_port);
    if (rc == PD_E_NOMEM)
      return rc;
    if (rc != PD_OK) {
      snprintf(err, errlen,
               "OPS_LISTEN_ADDR: must be HOST:PORT, e.g. 10.0.0.5:9090 or [::1]:9090 (got \"%s\")",
               v);
      return PD_E_INVALID;
    }
  }
  if (int_var(src, "HTTP_CONNS_PER_IP", 64, 0, 4096, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->http_conns_per_ip = (int)n;
  if (int_var(src, "HTTP_REQUEST_DEADLINE", 10, 1, 300, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->http_request_deadline_s = (int)n;
  return PD_OK;
}

/* A whole number of megapixels from min (named by min_name when it is another variable's value)
 * to max; *out is left alone when name is unset. */
static enum pd_result megapixels(const struct pd_config_source *src, const char *name, long min,
                                 const char *min_name, long max, long *out, char *err,
                                 size_t errlen)
{
  const char *v = src->get(src->arg, name);
  if (v == NULL)
    return PD_OK;
  char *end = NULL;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno != 0 || end == v || *end != '\0' || n < min || n > max) {
    snprintf(err, errlen,
             "%s: must be a whole number of megapixels from %ld%s%s%s to %ld (got \"%s\")", name,
             min, min_name != NULL ? " (" : "", min_name != NULL ? min_name : "",
             min_name != NULL ? ")" : "", max, v);
    return PD_E_INVALID;
  }
  *out = n;
  return PD_OK;
}

/* A base URL variable: def when unset, else it must be http:// or https://. */
static enum pd_result url_var(const struct pd_config_source *src, const char *name, const char *def,
                              char **out, char *err, size_t errlen)
{
  if (dup_or(src, name, def, out) != PD_OK)
    return PD_E_NOMEM;
  if (*out != NULL && strncmp(*out, "http://", 7) != 0 && strncmp(*out, "https://", 8) != 0) {
    snprintf(err, errlen, "%s: must be an http:// or https:// URL (got \"%s\")", name, *out);
    return PD_E_INVALID;
  }
  return PD_OK;
}

/* A secret variable: NULL when unset or empty. */
static enum pd_result secret_var(const struct pd_config_source *src, const char *name, char **out)
{
  const char *v = src->get(src->arg, name);
  *out = NULL;
  if (v == NULL || v[0] == '\0')
    return PD_OK;
  *out = strdup(v);
  return *out != NULL ? PD_OK : PD_E_NOMEM;
}

/* PAYMENT_SKUS: "SKU_ID:BUNDLE_ID,..." (Discord's SKU ids are snowflakes; bundle ids are
 * checked against assets/packs.json when serve starts). */
static enum pd_result payment_skus(const char *v, struct pd_config *c, char *err, size_t errlen)
{
  size_t n = 0;
  const char *at = v;
  bool more = v != NULL && v[0] != '\0';
  while (more) {
    const char *end = strchr(at, ','), *colon = strchr(at, ':');
    size_t len = end != NULL ? (size_t)(end - at) : strlen(at);
    struct pd_sku *k = &c->payment_skus[n];
    size_t sku_len = colon != NULL && colon < at + len ? (size_t)(colon - at) : 0;
    size_t b_len = sku_len > 0 ? len - sku_len - 1 : 0;
    bool ok = n < PD_PAYMENT_SKUS_MAX && sku_len > 0 && sku_len < sizeof(k->sku) && b_len > 0 &&
              b_len < sizeof(k->bundle);
    for (size_t i = 0; ok && i < sku_len; i++)
      ok = at[i] >= '0' && at[i] <= '9';
    for (size_t i = 0; ok && i < b_len; i++) {
      char ch = at[sku_len + 1 + i];
      ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    }
    if (!ok) {
      snprintf(err, errlen,
               "PAYMENT_SKUS: must be SKU_ID:BUNDLE_ID pairs separated by commas, at most %d, "
               "such as 1300000000000000001:gems-550 (got \"%.120s\")",
               PD_PAYMENT_SKUS_MAX, v);
      return PD_E_INVALID;
    }
    memcpy(k->sku, at, sku_len);
    k->sku[sku_len] = '\0';
    memcpy(k->bundle, at + sku_len + 1, b_len);
    k->bundle[b_len] = '\0';
    n++;
    more = end != NULL; /* a trailing comma leaves an empty pair, refused above */
    at += len + (end != NULL ? 1 : 0);
  }
  c->npayment_skus = n;
  return PD_OK;
}

/* Real money: Discord's SKUs and Stripe (server/payments*.c). */
static enum pd_result payment_vars(const struct pd_config_source *src, struct pd_config *c,
                                   char *err, size_t errlen)
{
  int64_t n;
  enum pd_result rc = payment_skus(src->get(src->arg, "PAYMENT_SKUS"), c, err, errlen);
  if (rc != PD_OK)
    return rc;
  if ((rc = url_var(src, "STRIPE_API_BASE", "https://api.stripe.com", &c->stripe_api_base, err,
                    errlen)) != PD_OK)
    return rc;
  for (size_t len = strlen(c->stripe_api_base); len > 0 && c->stripe_api_base[len - 1] == '/';)
    c->stripe_api_base[--len] = '\0';
  if (secret_var(src, "STRIPE_SECRET_KEY", &c->stripe_secret_key) != PD_OK ||
      secret_var(src, "STRIPE_WEBHOOK_SECRET", &c->stripe_webhook_secret) != PD_OK)
    return PD_E_NOMEM;
  if ((rc = url_var(src, "STRIPE_SUCCESS_URL", NULL, &c->stripe_success_url, err, errlen)) !=
          PD_OK ||
      (rc = url_var(src, "STRIPE_CANCEL_URL", NULL, &c->stripe_cancel_url, err, errlen)) != PD_OK)
    return rc;
  if (int_var(src, "PAYMENTS_RECONCILE_S", 3600, 0, 7 * 86400, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->payments_reconcile_s = (int)n;
  return PD_OK;
}

/* SCHEDULER_PERIODS: "task:seconds,..." with task names of [a-z0-9_] and 1 s to 31 days. */
static enum pd_result scheduler_periods(const char *v, struct pd_config *c, char *err,
                                        size_t errlen)
{
  size_t n = 0;
  const char *at = v;
  bool more = v != NULL && v[0] != '\0';
  while (more) {
    const char *end = strchr(at, ','), *colon = strchr(at, ':');
    size_t len = end != NULL ? (size_t)(end - at) : strlen(at);
    struct pd_task_period *t = &c->scheduler_periods[n];
    size_t name_len = colon != NULL && colon < at + len ? (size_t)(colon - at) : 0;
    long secs = 0;
    bool ok = n < PD_SCHEDULER_PERIODS_MAX && name_len > 0 && name_len < sizeof(t->task) &&
              len - name_len - 1 > 0 && len - name_len - 1 < 9;
    for (size_t i = 0; ok && i < name_len; i++)
      ok = (at[i] >= 'a' && at[i] <= 'z') || (at[i] >= '0' && at[i] <= '9') || at[i] == '_';
    for (size_t i = name_len + 1; ok && i < len; i++) {
      ok = at[i] >= '0' && at[i] <= '9';
      secs = secs * 10 + (at[i] - '0');
    }
    if (!ok || secs < 1 || secs > 31 * 86400) {
      snprintf(err, errlen,
               "SCHEDULER_PERIODS: must be TASK:SECONDS pairs separated by commas, at most %d, "
               "each from 1 to %d seconds, such as expire:60,leaderboard:30 (got \"%.120s\")",
               PD_SCHEDULER_PERIODS_MAX, 31 * 86400, v);
      return PD_E_INVALID;
    }
    memcpy(t->task, at, name_len);
    t->task[name_len] = '\0';
    t->seconds = (int)secs;
    n++;
    more = end != NULL;
    at += len + (end != NULL ? 1 : 0);
  }
  c->nscheduler_periods = n;
  return PD_OK;
}

static enum pd_result scheduler_vars(const struct pd_config_source *src, struct pd_config *c,
                                     char *err, size_t errlen)
{
  int64_t n;
  const char *v = src->get(src->arg, "SCHEDULER");
  if (v != NULL && strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
    snprintf(err, errlen, "SCHEDULER: must be 0 or 1 (got \"%s\")", v);
    return PD_E_INVALID;
  }
  c->scheduler = v == NULL || strcmp(v, "1") == 0;
  if (int_var(src, "SCHEDULER_TICK_MS", 1000, 10, 60000, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->scheduler_tick_ms = (int)n;
  return scheduler_periods(src->get(src->arg, "SCHEDULER_PERIODS"), c, err, errlen);
}

/* The admin surface's knobs (admin.h, server/admin_api.c, server/admin_jobs.c). */
static enum pd_result admin_vars(const struct pd_config_source *src, struct pd_config *c, char *err,
                                 size_t errlen)
{
  int64_t n;
  if (int_var(src, "ADMIN_CONFIRM_GRANT_OVER", 100000, 0, 1000000000, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->admin_confirm_grant_over = n;
  if (int_var(src, "ADMIN_AUTH_FAILURES", 5, 1, 1000000, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->admin_auth_failures = (int)n;
  if (int_var(src, "ADMIN_AUTH_WINDOW_S", 60, 1, 86400, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->admin_auth_window_s = (int)n;
  if (int_var(src, "ADMIN_JOB_LEASE_S", 30, 1, 3600, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->admin_job_lease_s = (int)n;
  if (int_var(src, "ADMIN_JOB_WORKERS", 1, 0, 16, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->admin_job_workers = (int)n;
  const char *v = src->get(src->arg, "ALLOW_CLEAR_DB");
  if (v != NULL && strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
    snprintf(err, errlen, "ALLOW_CLEAR_DB: must be 0 or 1 (got \"%s\")", v);
    return PD_E_INVALID;
  }
  c->allow_clear_db = v != NULL && strcmp(v, "1") == 0;
  return PD_OK;
}

/* What `popdeck ingest` and `sync` read: the download limits, the sources' bases and keys,
 * and the development key's file. */
static enum pd_result ingest_vars(const struct pd_config_source *src, struct pd_config *c,
                                  char *err, size_t errlen)
{
  int64_t n;
  enum pd_result rc;
  if (int_var(src, "INGEST_CONCURRENCY", 4, 1, PD_FETCH_MAX_CONCURRENCY, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->ingest_concurrency = (int)n;
  /* Decompression bombs: a header declaring more than INGEST_MAX_PIXELS is refused before
   * decoding, and the download pool never holds more than INGEST_PIXEL_BUDGET decoded. */
  c->ingest_max_mp = 40;
  if (megapixels(src, "INGEST_MAX_PIXELS", 1, NULL, 1000, &c->ingest_max_mp, err, errlen) != PD_OK)
    return PD_E_INVALID;
  /* Unset, the default budget grows to fit one largest image. */
  c->ingest_budget_mp = c->ingest_max_mp > 160 ? c->ingest_max_mp : 160;
  if (megapixels(src, "INGEST_PIXEL_BUDGET", c->ingest_max_mp, "INGEST_MAX_PIXELS", 100000,
                 &c->ingest_budget_mp, err, errlen) != PD_OK)
    return PD_E_INVALID;
  const char *v = src->get(src->arg, "INGEST_ALLOWED_NETWORKS");
  char why[256];
  if (pd_netlist_parse(v, &c->ingest_allowed, why, sizeof(why)) != PD_OK) {
    snprintf(err, errlen, "INGEST_ALLOWED_NETWORKS: %s", why);
    return PD_E_INVALID;
  }
  const struct {
    const char *name, *def;
    char **out;
  } urls[] = {
      {"MUSICBRAINZ_BASE", "https://musicbrainz.org/ws/2", &c->musicbrainz_base},
      {"COVERART_BASE", "https://coverartarchive.org", &c->coverart_base},
      {"COMMONS_API_BASE", NULL, &c->commons_api_base},
      {"SPOTIFY_ACCOUNTS_BASE", "https://accounts.spotify.com", &c->spotify_accounts_base},
      {"SPOTIFY_API_BASE", "https://api.spotify.com/v1", &c->spotify_api_base},
      {"LASTFM_BASE", "https://ws.audioscrobbler.com/2.0", &c->lastfm_base},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(urls); i++) {
    rc = url_var(src, urls[i].name, urls[i].def, urls[i].out, err, errlen);
    if (rc != PD_OK)
      return rc;
  }
  if (dup_or(src, "SPOTIFY_CLIENT_ID", NULL, &c->spotify_client_id) != PD_OK ||
      dup_or(src, "SPOTIFY_CLIENT_SECRET", NULL, &c->spotify_client_secret) != PD_OK ||
      dup_or(src, "LASTFM_API_KEY", NULL, &c->lastfm_api_key) != PD_OK ||
      dup_or(src, "DEV_KEY_FILE", ".data/dev-key", &c->dev_key_file) != PD_OK)
    return PD_E_NOMEM;
  if (int_var(src, "PRUNE_MIN_SPOTIFY_POPULARITY", 0, 0, 100, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->prune_min_spotify_popularity = (int)n;
  if (int_var(src, "PRUNE_MIN_LASTFM_LISTENERS", 0, 0, 2000000000, &n, err, errlen) != PD_OK)
    return PD_E_INVALID;
  c->prune_min_lastfm_listeners = n;
  return PD_OK;
}

enum pd_result pd_config_load(const struct pd_config_source *src, unsigned need,
                              struct pd_config *c, char *err, size_t errlen)
{
  enum pd_result rc = PD_E_INVALID;
  const char *v;
  int64_t n;

  memset(c, 0, sizeof(*c));
  err[0] = '\0';

  if (dup_or(src, "DATABASE_URL", NULL, &c->database_url) != PD_OK)
    goto nomem;
  if ((need & PD_NEED_DB) && c->database_url == NULL) {
    snprintf(err, errlen,
             "DATABASE_URL: is required (a libpq connection string, e.g. "
             "postgresql://user@host/popdeck)");
    goto out;
  }
  if (c->database_url != NULL && !database_url_ok(c->database_url, err, errlen))
    goto out;

  v = src->get(src->arg, "DISCORD_PUBLIC_KEY");
  if (v != NULL) {
    size_t bin_len = 0;
    if (strlen(v) != 2 * crypto_sign_PUBLICKEYBYTES ||
        sodium_hex2bin(c->public_key, sizeof(c->public_key), v, strlen(v), NULL, &bin_len, NULL) !=
            0 ||
        bin_len != crypto_sign_PUBLICKEYBYTES) {
      snprintf(err, errlen,
               "DISCORD_PUBLIC_KEY: must be %d hex characters (the application's Ed25519 public "
               "key), got %zu characters",
               2 * crypto_sign_PUBLICKEYBYTES, strlen(v));
      goto out;
    }
    c->has_public_key = true;
  } else if (need & PD_NEED_PUBLIC_KEY) {
    snprintf(err, errlen,
             "DISCORD_PUBLIC_KEY: is required (copy it from the Discord developer portal, General "
             "Information)");
    goto out;
  }

  if (dup_or(src, "DISCORD_APPLICATION_ID", NULL, &c->application_id) != PD_OK)
    goto nomem;
  if (c->application_id != NULL && !is_snowflake(c->application_id)) {
    snprintf(err, errlen, "DISCORD_APPLICATION_ID: must be a numeric Discord id (got \"%s\")",
             c->application_id);
    goto out;
  }
  if ((need & PD_NEED_APP_ID) && c->application_id == NULL) {
    snprintf(err, errlen,
             "DISCORD_APPLICATION_ID: is required (the application id from the Discord developer "
             "portal)");
    goto out;
  }

  if (dup_or(src, "DISCORD_BOT_TOKEN", NULL, &c->bot_token) != PD_OK)
    goto nomem;
  if ((need & PD_NEED_BOT_TOKEN) && c->bot_token == NULL) {
    snprintf(
        err, errlen,
        "DISCORD_BOT_TOKEN: is required to register commands (Bot page of the developer portal)");
    goto out;
  }

  if (dup_or(src, "DISCORD_API_BASE", "https://discord.com/api/v10", &c->api_base) != PD_OK)
    goto nomem;
  if (strncmp(c->api_base, "http://", 7) != 0 && strncmp(c->api_base, "https://", 8) != 0) {
    snprintf(err, errlen, "DISCORD_API_BASE: must be an http:// or https:// URL (got \"%s\")",
             c->api_base);
    goto out;
  }
  size_t blen = strlen(c->api_base);
  while (blen > 0 && c->api_base[blen - 1] == '/')
    c->api_base[--blen] = '\0';

  v = src->get(src->arg, "LISTEN_ADDR");
  if (v == NULL)
    v = "127.0.0.1:8080";
  rc = pd_config_parse_addr(v, &c->listen_host, &c->listen_port);
  if (rc == PD_E_NOMEM)
    goto nomem;
  if (rc != PD_OK) {
    snprintf(err, errlen,
             "LISTEN_ADDR: must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080 (got \"%s\")", v);
    rc = PD_E_INVALID;
    goto out;
  }
  rc = PD_E_INVALID;

  if (dup_or(src, "PUBLIC_BASE_URL", NULL, &c->public_base_url) != PD_OK ||
      dup_or(src, "ADMIN_TOKEN", NULL, &c->admin_token) != PD_OK ||
      dup_or(src, "ADMIN_FILE", "admin.json", &c->admin_file) != PD_OK ||
      dup_or(src, "SQL_DIR", "sql", &c->sql_dir) != PD_OK ||
      dup_or(src, "ASSETS_DIR", "assets", &c->assets_dir) != PD_OK ||
      dup_or(src, "CARDS_DIR", ".data/cards", &c->cards_dir) != PD_OK)
    goto nomem;
  v = src->get(src->arg, "STORAGE");
  if (v == NULL || strcmp(v, "local") == 0) {
    c->storage = PD_STORAGE_LOCAL;
  } else if (strcmp(v, "s3") == 0) {
    c->storage = PD_STORAGE_S3;
  } else if (strcmp(v, "discord") == 0) {
    c->storage = PD_STORAGE_DISCORD;
  } else {
    snprintf(err, errlen, "STORAGE: must be local, s3 or discord (got \"%s\")", v);
    goto out;
  }
  if (dup_or(src, "S3_ENDPOINT", NULL, &c->s3_endpoint) != PD_OK ||
      dup_or(src, "S3_REGION", "us-east-1", &c->s3_region) != PD_OK ||
      dup_or(src, "S3_BUCKET", NULL, &c->s3_bucket) != PD_OK ||
      dup_or(src, "S3_KEY", NULL, &c->s3_key) != PD_OK ||
      dup_or(src, "S3_SECRET", NULL, &c->s3_secret) != PD_OK ||
      dup_or(src, "CDN_URL", NULL, &c->cdn_url) != PD_OK)
    goto nomem;
  if (c->storage == PD_STORAGE_S3) {
    const char *names[4] = {"S3_ENDPOINT", "S3_BUCKET", "S3_KEY", "S3_SECRET"};
    const char *vals[4] = {c->s3_endpoint, c->s3_bucket, c->s3_key, c->s3_secret};
    for (int i = 0; i < 4; i++) {
      if (vals[i] == NULL) {
        snprintf(err, errlen, "%s: is required when STORAGE=s3", names[i]);
        goto out;
      }
    }
  }
  if (c->admin_token != NULL && strlen(c->admin_token) < PD_ADMIN_TOKEN_MIN) {
    snprintf(err, errlen,
             "ADMIN_TOKEN: must be at least %d characters (got %zu); make one with "
             "`openssl rand -hex 32`, or leave it unset to keep the admin API off",
             PD_ADMIN_TOKEN_MIN, strlen(c->admin_token));
    goto out;
  }

  if (int_var(src, "HTTP_THREADS", 8, 1, 256, &n, err, errlen) != PD_OK)
    goto out;
  c->http_threads = (int)n;
  if (int_var(src, "DB_POOL_SIZE", 8, 1, 256, &n, err, errlen) != PD_OK)
    goto out;
  c->db_pool_size = (int)n;
  if (int_var(src, "FOLLOWUP_WORKERS", 2, 0, 64, &n, err, errlen) != PD_OK)
    goto out;
  c->followup_workers = (int)n;
  if (int_var(src, "DAILY_NOTES", 250, 1, 1000000000, &n, err, errlen) != PD_OK)
    goto out;
  c->daily_notes = n;
  if (int_var(src, "RATE_LIMIT_COMMANDS", 8, 0, 1000000, &n, err, errlen) != PD_OK)
    goto out;
  c->rate_limit_commands = (int)n;
  if (int_var(src, "RATE_LIMIT_WINDOW_S", 10, 1, 3600, &n, err, errlen) != PD_OK)
    goto out;
  c->rate_limit_window_s = (int)n;
  rc = http_limits(src, c, err, errlen);
  if (rc == PD_OK)
    rc = ingest_vars(src, c, err, errlen);
  if (rc == PD_OK)
    rc = admin_vars(src, c, err, errlen);
  if (rc == PD_OK)
    rc = payment_vars(src, c, err, errlen);
  if (rc == PD_OK)
    rc = scheduler_vars(src, c, err, errlen);
  if (rc == PD_E_NOMEM)
    goto nomem;
  if (rc != PD_OK)
    goto out;
  return PD_OK;

nomem:
  snprintf(err, errlen, "out of memory reading the configuration");
  rc = PD_E_NOMEM;
out:
  pd_config_free(c);
  return rc;
}

void pd_config_free(struct pd_config *c)
{
  if (c == NULL)
    return;
  free(c->database_url);
  free(c->application_id);
  if (c->bot_token != NULL)
    sodium_memzero(c->bot_token, strlen(c->bot_token));
  free(c->bot_token);
  free(c->api_base);
  free(c->listen_host);
  free(c->public_base_url);
  free(c->admin_token);
  free(c->admin_file);
  free(c->sql_dir);
  free(c->assets_dir);
  free(c->cards_dir);
  free(c->s3_endpoint);
  free(c->s3_region);
  free(c->s3_bucket);
  free(c->s3_key);
  if (c->s3_secret != NULL)
    sodium_memzero(c->s3_secret, strlen(c->s3_secret));
  free(c->s3_secret);
  free(c->cdn_url);
  free(c->ops_host);
  free(c->musicbrainz_base);
  free(c->coverart_base);
  free(c->commons_api_base);
  free(c->spotify_accounts_base);
  free(c->spotify_api_base);
  free(c->spotify_client_id);
  if (c->spotify_client_secret != NULL)
    sodium_memzero(c->spotify_client_secret, strlen(c->spotify_client_secret));
  free(c->spotify_client_secret);
  if (c->lastfm_api_key != NULL)
    sodium_memzero(c->lastfm_api_key, strlen(c->lastfm_api_key));
  free(c->lastfm_api_key);
  free(c->lastfm_base);
  free(c->dev_key_file);
  free(c->stripe_api_base);
  if (c->stripe_secret_key != NULL)
    sodium_memzero(c->stripe_secret_key, strlen(c->stripe_secret_key));
  free(c->stripe_secret_key);
  if (c->stripe_webhook_secret != NULL)
    sodium_memzero(c->stripe_webhook_secret, strlen(c->stripe_webhook_secret));
  free(c->stripe_webhook_secret);
  free(c->stripe_success_url);
  free(c->stripe_cancel_url);
  memset(c, 0, sizeof(*c));
}

/* Strips one layer of matching single or double quotes. */
static char *unquote(char *v)
{
  size_t n = strlen(v);
  if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
    v[n - 1] = '\0';
    return v + 1;
  }
  return v;
}

enum pd_result pd_config_load_dotenv(const char *path, char *err, size_t errlen)
{
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return PD_OK; /* no .env is the normal case in production */
  enum pd_result rc = PD_OK;
  char line[4096];
  int lineno = 0;
  while (fgets(line, sizeof(line), f) != NULL) {
    lineno++;
    size_t n = strlen(line);
    if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
      snprintf(err, errlen, "%s:%d: line too long", path, lineno);
      rc = PD_E_INVALID;
      goto out;
    }
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
      line[--n] = '\0';
    char *p = line;
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '\0' || *p == '#')
      continue;
    if (strncmp(p, "export ", 7) == 0)
      p += 7;
    char *eq = strchr(p, '=');
    if (eq == NULL || eq == p) {
      snprintf(err, errlen, "%s:%d: expected NAME=value", path, lineno);
      rc = PD_E_INVALID;
      goto out;
    }
    *eq = '\0';
    for (char *q = p; *q != '\0'; q++) {
      if (!(isalnum((unsigned char)*q) || *q == '_')) {
        snprintf(err, errlen, "%s:%d: \"%s\" is not a variable name", path, lineno, p);
        rc = PD_E_INVALID;
        goto out;
      }
    }
    const char *cur = getenv(p);
    if (cur == NULL || cur[0] == '\0')
      setenv(p, unquote(eq + 1), 1);
  }
out:
  fclose(f);
  return rc;
}
