/* test_config.c - configuration rules (lib/config.c), fed from a table instead of the environment,
 * and the .env reader over temporary files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define PK "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
#define MAX_VARS 32

struct kv {
  const char *k, *v;
};

static const char *table_get(void *arg, const char *name)
{
  for (const struct kv *e = arg; e->k != NULL; e++)
    if (strcmp(e->k, name) == 0)
      return e->v;
  return NULL;
}

static enum pd_result load(const struct kv *vars, unsigned need, struct pd_config *c, char *err,
                           size_t errlen)
{
  struct pd_config_source src = {table_get, (void *)vars};
  return pd_config_load(&src, need, c, err, errlen);
}

/* Everything a `popdeck serve` needs, valid. */
static const struct kv complete[] = {
    {"DATABASE_URL", "postgresql:///popdeck"},
    {"DISCORD_PUBLIC_KEY", PK},
    {"DISCORD_APPLICATION_ID", "1111111111111111111"},
    {"DISCORD_BOT_TOKEN", "bot-token"},
    {NULL, NULL},
};
#define NEED_ALL (PD_NEED_DB | PD_NEED_PUBLIC_KEY | PD_NEED_APP_ID | PD_NEED_BOT_TOKEN)

/* complete[] with name dropped (value NULL) or set to value, into out. */
static void with(const char *name, const char *value, struct kv out[MAX_VARS])
{
  size_t n = 0;
  bool placed = false;
  for (const struct kv *e = complete; e->k != NULL; e++) {
    if (strcmp(e->k, name) == 0) {
      placed = true;
      if (value == NULL)
        continue;
      out[n++] = (struct kv){name, value};
    } else {
      out[n++] = *e;
    }
  }
  if (!placed && value != NULL)
    out[n++] = (struct kv){name, value};
  out[n] = (struct kv){NULL, NULL};
}

static void test_defaults(void **state)
{
  struct kv vars[] = {{NULL, NULL}};
  struct pd_config c;
  char err[256];
  assert_int_equal(load(vars, 0, &c, err, sizeof(err)), PD_OK);
  assert_string_equal(err, "");
  assert_null(c.database_url);
  assert_false(c.has_public_key);
  assert_null(c.application_id);
  assert_null(c.bot_token);
  assert_string_equal(c.api_base, "https://discord.com/api/v10");
  assert_string_equal(c.listen_host, "127.0.0.1");
  assert_int_equal(c.listen_port, 8080);
  assert_null(c.public_base_url);
  assert_null(c.admin_token);
  assert_string_equal(c.admin_file, "admin.json");
  assert_string_equal(c.sql_dir, "sql");
  assert_string_equal(c.assets_dir, "assets");
  assert_string_equal(c.cards_dir, ".data/cards");
  assert_int_equal(c.storage, PD_STORAGE_LOCAL);
  assert_null(c.s3_endpoint);
  assert_string_equal(c.s3_region, "us-east-1");
  assert_null(c.cdn_url);
  assert_int_equal(c.http_threads, 8);
  assert_int_equal(c.db_pool_size, 8);
  assert_int_equal(c.followup_workers, 2);
  assert_int_equal(c.daily_notes, 250);
  assert_int_equal(c.rate_limit_commands, 8);
  assert_int_equal(c.rate_limit_window_s, 10);
  assert_int_equal(c.ingest_concurrency, 4);
  assert_int_equal(c.prune_min_spotify_popularity, 0); /* the prune is off until configured */
  assert_int_equal(c.prune_min_lastfm_listeners, 0);
  assert_int_equal(c.ingest_max_mp, 40);
  assert_int_equal(c.ingest_budget_mp, 160);
  assert_int_equal(c.ingest_allowed.n, 0);
  assert_string_equal(c.musicbrainz_base, "https://musicbrainz.org/ws/2");
  assert_string_equal(c.coverart_base, "https://coverartarchive.org");
  assert_null(c.commons_api_base);
  assert_string_equal(c.spotify_accounts_base, "https://accounts.spotify.com");
  assert_string_equal(c.spotify_api_base, "https://api.spotify.com/v1");
  assert_null(c.spotify_client_id);
  assert_null(c.spotify_client_secret);
  assert_null(c.lastfm_api_key);
  assert_string_equal(c.lastfm_base, "https://ws.audioscrobbler.com/2.0");
  assert_string_equal(c.dev_key_file, ".data/dev-key");
  pd_config_free(&c);
  pd_config_free(&c); /* a freed config is zeroed, so a second free is harmless */
  pd_config_free(NULL);
}

static void test_every_variable_read(void **state)
{
  struct kv vars[] = {
      {"DATABASE_URL", "postgresql:///x"},
      {"DISCORD_PUBLIC_KEY", PK},
      {"DISCORD_APPLICATION_ID", "1111111111111111111"},
      {"DISCORD_BOT_TOKEN", "bot-token"},
      {"DISCORD_API_BASE", "http://127.0.0.1:9/api/v10"},
      {"LISTEN_ADDR", "0.0.0.0:9000"},
      {"PUBLIC_BASE_URL", "https://popdeck.example"},
      {"ADMIN_TOKEN", "0123456789abcdef0123456789abcdef"},
      {"ADMIN_FILE", "/etc/popdeck/admins.json"},
      {"SQL_DIR", "/srv/sql"},
      {"ASSETS_DIR", "/srv/assets"},
      {"CARDS_DIR", "/srv/cards"},
      {"STORAGE", "s3"},
      {"S3_ENDPOINT", "http://127.0.0.1:9000"},
      {"S3_REGION", "eu-west-1"},
      {"S3_BUCKET", "cards"},
      {"S3_KEY", "key"},
      {"S3_SECRET", "secret"},
      {"CDN_URL", "https://cdn.example"},
      {"HTTP_THREADS", "16"},
      {"DB_POOL_SIZE", "3"},
      {"FOLLOWUP_WORKERS", "0"},
      {"DAILY_NOTES", "1000"},
      {"RATE_LIMIT_COMMANDS", "0"},
      {"RATE_LIMIT_WINDOW_S", "60"},
      {"INGEST_CONCURRENCY", "9"},
      {"PRUNE_MIN_SPOTIFY_POPULARITY", "20"},
      {"PRUNE_MIN_LASTFM_LISTENERS", "50000"},
      {"INGEST_MAX_PIXELS", "12"},
      {"INGEST_PIXEL_BUDGET", "24"},
      {"INGEST_ALLOWED_NETWORKS", "127.0.0.1/32, fd00::/8"},
      {"MUSICBRAINZ_BASE", "http://127.0.0.1:1/ws/2"},
      {"COVERART_BASE", "http://127.0.0.1:2"},
      {"COMMONS_API_BASE", "http://127.0.0.1:3/w/api.php"},
      {"SPOTIFY_ACCOUNTS_BASE", "http://127.0.0.1:4"},
      {"SPOTIFY_API_BASE", "http://127.0.0.1:5/v1"},
      {"SPOTIFY_CLIENT_ID", "sp-id"},
      {"SPOTIFY_CLIENT_SECRET", "sp-secret"},
      {"LASTFM_API_KEY", "fm-key"},
      {"LASTFM_BASE", "http://127.0.0.1:6"},
      {"DEV_KEY_FILE", "/tmp/popdeck-key"},
      {NULL, NULL},
  };
  struct pd_config c;
  char err[256];
  assert_int_equal(load(vars, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_string_equal(c.database_url, "postgresql:///x");
  assert_true(c.has_public_key);
  assert_int_equal(c.public_key[0], 0x3b);
  assert_int_equal(c.public_key[1], 0x6a);
  assert_int_equal(c.public_key[31], 0x29);
  assert_string_equal(c.application_id, "1111111111111111111");
  assert_string_equal(c.bot_token, "bot-token");
  assert_string_equal(c.api_base, "http://127.0.0.1:9/api/v10");
  assert_string_equal(c.listen_host, "0.0.0.0");
  assert_int_equal(c.listen_port, 9000);
  assert_string_equal(c.public_base_url, "https://popdeck.example");
  assert_string_equal(c.admin_token, "0123456789abcdef0123456789abcdef");
  assert_string_equal(c.admin_file, "/etc/popdeck/admins.json");
  assert_string_equal(c.sql_dir, "/srv/sql");
  assert_string_equal(c.assets_dir, "/srv/assets");
  assert_string_equal(c.cards_dir, "/srv/cards");
  assert_int_equal(c.storage, PD_STORAGE_S3);
  assert_string_equal(c.s3_endpoint, "http://127.0.0.1:9000");
  assert_string_equal(c.s3_region, "eu-west-1");
  assert_string_equal(c.s3_bucket, "cards");
  assert_string_equal(c.s3_key, "key");
  assert_string_equal(c.s3_secret, "secret");
  assert_string_equal(c.cdn_url, "https://cdn.example");
  assert_int_equal(c.http_threads, 16);
  assert_int_equal(c.db_pool_size, 3);
  assert_int_equal(c.followup_workers, 0);
  assert_int_equal(c.daily_notes, 1000);
  assert_int_equal(c.rate_limit_commands, 0);
  assert_int_equal(c.rate_limit_window_s, 60);
  assert_int_equal(c.ingest_concurrency, 9);
  assert_int_equal(c.prune_min_spotify_popularity, 20);
  assert_int_equal(c.prune_min_lastfm_listeners, 50000);
  assert_int_equal(c.ingest_max_mp, 12);
  assert_int_equal(c.ingest_budget_mp, 24);
  assert_int_equal(c.ingest_allowed.n, 2);
  assert_int_equal(c.ingest_allowed.nets[0].prefix, 32);
  assert_int_equal(c.ingest_allowed.nets[1].prefix, 8);
  assert_string_equal(c.musicbrainz_base, "http://127.0.0.1:1/ws/2");
  assert_string_equal(c.coverart_base, "http://127.0.0.1:2");
  assert_string_equal(c.commons_api_base, "http://127.0.0.1:3/w/api.php");
  assert_string_equal(c.spotify_accounts_base, "http://127.0.0.1:4");
  assert_string_equal(c.spotify_api_base, "http://127.0.0.1:5/v1");
  assert_string_equal(c.spotify_client_id, "sp-id");
  assert_string_equal(c.spotify_client_secret, "sp-secret");
  assert_string_equal(c.lastfm_api_key, "fm-key");
  assert_string_equal(c.lastfm_base, "http://127.0.0.1:6");
  assert_string_equal(c.dev_key_file, "/tmp/popdeck-key");
  pd_config_free(&c);
}

/* INGEST_PIXEL_BUDGET defaults to 160 megapixels, or to INGEST_MAX_PIXELS when that is larger. */
static void test_pixel_budget_follows_max(void **state)
{
  struct {
    const char *max, *budget;
    long want_max, want_budget;
  } rows[] = {
      {NULL, NULL, 40, 160},   {"200", NULL, 200, 200}, {"200", "300", 200, 300},
      {"100", NULL, 100, 160}, {"7", "7", 7, 7},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct kv vars[3] = {{NULL, NULL}, {NULL, NULL}, {NULL, NULL}};
    size_t n = 0;
    if (rows[i].max != NULL)
      vars[n++] = (struct kv){"INGEST_MAX_PIXELS", rows[i].max};
    if (rows[i].budget != NULL)
      vars[n++] = (struct kv){"INGEST_PIXEL_BUDGET", rows[i].budget};
    struct pd_config c;
    char err[256];
    assert_int_equal(load(vars, 0, &c, err, sizeof(err)), PD_OK);
    assert_int_equal(c.ingest_max_mp, rows[i].want_max);
    assert_int_equal(c.ingest_budget_mp, rows[i].want_budget);
    pd_config_free(&c);
  }
}

/* Each required variable, missing while its `need` bit is set, is named first on the error line;
 * the same table without that bit loads. */
static void test_required_per_need(void **state)
{
  struct {
    unsigned need;
    const char *name;
  } rows[] = {
      {PD_NEED_DB, "DATABASE_URL"},
      {PD_NEED_PUBLIC_KEY, "DISCORD_PUBLIC_KEY"},
      {PD_NEED_APP_ID, "DISCORD_APPLICATION_ID"},
      {PD_NEED_BOT_TOKEN, "DISCORD_BOT_TOKEN"},
  };
  struct pd_config c;
  char err[256];
  assert_int_equal(load(complete, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  pd_config_free(&c);
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct kv vars[MAX_VARS];
    char want[64];
    with(rows[i].name, NULL, vars);
    snprintf(want, sizeof(want), "%s: is required", rows[i].name);
    enum pd_result rc = load(vars, NEED_ALL, &c, err, sizeof(err));
    if (rc != PD_E_INVALID || strncmp(err, want, strlen(want)) != 0)
      fail_msg("%s missing: got %s \"%s\"", rows[i].name, pd_result_str(rc), err);
    rc = load(vars, NEED_ALL & ~rows[i].need, &c, err, sizeof(err));
    if (rc != PD_OK)
      fail_msg("%s missing but not needed: got %s \"%s\"", rows[i].name, pd_result_str(rc), err);
    pd_config_free(&c);
  }
}

/* One bad variable on top of a complete configuration: the error line starts with its name. */
static void test_bad_values_named(void **state)
{
  struct {
    const char *name, *value, *prefix;
  } rows[] = {
      {"DATABASE_URL", "nonsense://",
       "DATABASE_URL: is not a libpq connection string (missing \"=\" after"},
      {"DATABASE_URL", "postgres://%zz@db/popdeck",
       "DATABASE_URL: is not a libpq connection string (invalid percent"},
      {"DATABASE_URL", "postgresql://db/popdeck?bogus=1",
       "DATABASE_URL: is not a libpq connection string (invalid URI"},
      {"DATABASE_URL", "dbname='popdeck",
       "DATABASE_URL: is not a libpq connection string (unterminated"},
      {"DATABASE_URL", "postgresql://[::1/popdeck",
       "DATABASE_URL: is not a libpq connection string"},
      {"DATABASE_URL", "postgresql://db:notaport/popdeck",
       "DATABASE_URL: port \"notaport\" is not a port number"},
      {"DATABASE_URL", "host=a,b port=5432,0",
       "DATABASE_URL: port \"5432,0\" is not a port number"},
      {"DATABASE_URL", "postgresql://db:65536/popdeck", "DATABASE_URL: port \"65536\""},
      {"DISCORD_PUBLIC_KEY", "abcd", "DISCORD_PUBLIC_KEY: must be 64 hex"},
      {"DISCORD_PUBLIC_KEY", PK "0", "DISCORD_PUBLIC_KEY: must be 64 hex"},
      {"DISCORD_PUBLIC_KEY", "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da2",
       "DISCORD_PUBLIC_KEY: must be 64 hex"},
      {"DISCORD_PUBLIC_KEY", "zz6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29",
       "DISCORD_PUBLIC_KEY: must be 64 hex"},
      {"DISCORD_PUBLIC_KEY", "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da2 ",
       "DISCORD_PUBLIC_KEY: must be 64 hex"},
      {"DISCORD_APPLICATION_ID", "my-app", "DISCORD_APPLICATION_ID: must be a numeric"},
      {"DISCORD_APPLICATION_ID", "-1111", "DISCORD_APPLICATION_ID: must be a numeric"},
      {"DISCORD_APPLICATION_ID", "1111 1111", "DISCORD_APPLICATION_ID: must be a numeric"},
      {"DISCORD_APPLICATION_ID", "111111111111111111111",
       "DISCORD_APPLICATION_ID: must be a numeric"},
      {"DISCORD_API_BASE", "discord.com/api/v10", "DISCORD_API_BASE: must be an http"},
      {"DISCORD_API_BASE", "ftp://discord.com/api", "DISCORD_API_BASE: must be an http"},
      {"DISCORD_API_BASE", "https:/discord.com", "DISCORD_API_BASE: must be an http"},
      {"STORAGE", "ftp", "STORAGE: must be local, s3 or discord"},
      {"ADMIN_TOKEN", "short", "ADMIN_TOKEN: must be at least 32"},
      {"ADMIN_TOKEN", "0123456789abcdef0123456789abcde", "ADMIN_TOKEN: must be at least 32"},
      {"ALLOW_CLEAR_DB", "yes", "ALLOW_CLEAR_DB: must be 0 or 1"},
      {"ADMIN_JOB_LEASE_S", "0", "ADMIN_JOB_LEASE_S"},
      {"HTTP_THREADS", "0", "HTTP_THREADS: must be a whole number from 1 to 256"},
      {"HTTP_THREADS", "257", "HTTP_THREADS: must be a whole number from 1 to 256"},
      {"HTTP_THREADS", "8 ", "HTTP_THREADS: must be a whole number"},
      {"DB_POOL_SIZE", "abc", "DB_POOL_SIZE: must be a whole number from 1 to 256"},
      {"DB_POOL_SIZE", "0", "DB_POOL_SIZE: must be a whole number"},
      {"DB_POOL_SIZE", "", "DB_POOL_SIZE: must be a whole number"},
      {"FOLLOWUP_WORKERS", "-1", "FOLLOWUP_WORKERS: must be a whole number from 0 to 64"},
      {"FOLLOWUP_WORKERS", "65", "FOLLOWUP_WORKERS: must be a whole number"},
      {"DAILY_NOTES", "12x", "DAILY_NOTES: must be a whole number"},
      {"DAILY_NOTES", "0", "DAILY_NOTES: must be a whole number from 1 to 1000000000"},
      {"DAILY_NOTES", "1000000001", "DAILY_NOTES: must be a whole number"},
      {"DAILY_NOTES", "99999999999999999999", "DAILY_NOTES: must be a whole number"},
      {"RATE_LIMIT_COMMANDS", "-1",
       "RATE_LIMIT_COMMANDS: must be a whole number from 0 to 1000000"},
      {"RATE_LIMIT_COMMANDS", "8/10s", "RATE_LIMIT_COMMANDS: must be a whole number"},
      {"RATE_LIMIT_WINDOW_S", "0", "RATE_LIMIT_WINDOW_S: must be a whole number from 1 to 3600"},
      {"RATE_LIMIT_WINDOW_S", "3601", "RATE_LIMIT_WINDOW_S: must be a whole number"},
      {"INGEST_CONCURRENCY", "0",
       "INGEST_CONCURRENCY: must be a whole number from 1 to 16 (got \"0\")"},
      {"INGEST_CONCURRENCY", "17", "INGEST_CONCURRENCY: must be a whole number from 1 to 16"},
      {"INGEST_CONCURRENCY", "four", "INGEST_CONCURRENCY: must be a whole number"},
      {"PRUNE_MIN_SPOTIFY_POPULARITY", "101",
       "PRUNE_MIN_SPOTIFY_POPULARITY: must be a whole number from 0 to 100 (got \"101\")"},
      {"PRUNE_MIN_SPOTIFY_POPULARITY", "high", "PRUNE_MIN_SPOTIFY_POPULARITY: must be a whole"},
      {"PRUNE_MIN_LASTFM_LISTENERS", "-1",
       "PRUNE_MIN_LASTFM_LISTENERS: must be a whole number from 0 to 2000000000"},
      {"PRUNE_MIN_LASTFM_LISTENERS", "10k", "PRUNE_MIN_LASTFM_LISTENERS: must be a whole number"},
      {"INGEST_MAX_PIXELS", "0",
       "INGEST_MAX_PIXELS: must be a whole number of megapixels from 1 to 1000 (got \"0\")"},
      {"INGEST_MAX_PIXELS", "1001", "INGEST_MAX_PIXELS: must be a whole number of megapixels"},
      {"INGEST_MAX_PIXELS", "40MP", "INGEST_MAX_PIXELS: must be a whole number of megapixels"},
      {"INGEST_PIXEL_BUDGET", "39",
       "INGEST_PIXEL_BUDGET: must be a whole number of megapixels from 40 (INGEST_MAX_PIXELS) to "
       "100000 (got \"39\")"},
      {"INGEST_PIXEL_BUDGET", "100001",
       "INGEST_PIXEL_BUDGET: must be a whole number of megapixels"},
      {"INGEST_PIXEL_BUDGET", "99999999999999999999",
       "INGEST_PIXEL_BUDGET: must be a whole number of megapixels"},
      {"INGEST_ALLOWED_NETWORKS", "10.0.0.0/33", "INGEST_ALLOWED_NETWORKS: "},
      {"INGEST_ALLOWED_NETWORKS", "intranet", "INGEST_ALLOWED_NETWORKS: \"intranet\""},
      {"MUSICBRAINZ_BASE", "musicbrainz.org/ws/2",
       "MUSICBRAINZ_BASE: must be an http:// or https:// URL"},
      {"COVERART_BASE", "ftp://127.0.0.1", "COVERART_BASE: must be an http:// or https:// URL"},
      {"COMMONS_API_BASE", "commons", "COMMONS_API_BASE: must be an http:// or https:// URL"},
      {"SPOTIFY_ACCOUNTS_BASE", "accounts",
       "SPOTIFY_ACCOUNTS_BASE: must be an http:// or https:// URL"},
      {"SPOTIFY_API_BASE", "https:/api", "SPOTIFY_API_BASE: must be an http:// or https:// URL"},
      {"LASTFM_BASE", "ws.audioscrobbler.com", "LASTFM_BASE: must be an http:// or https:// URL"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct kv vars[MAX_VARS];
    struct pd_config c;
    char err[256];
    with(rows[i].name, rows[i].value, vars);
    enum pd_result rc = load(vars, NEED_ALL, &c, err, sizeof(err));
    if (rc != PD_E_INVALID || strncmp(err, rows[i].prefix, strlen(rows[i].prefix)) != 0)
      fail_msg("%s=\"%s\": got %s \"%s\", want \"%s...\"", rows[i].name, rows[i].value,
               pd_result_str(rc), err, rows[i].prefix);
  }
}

/* STORAGE=s3 needs each of the four S3 variables. */
/* Connection strings libpq takes, in both its forms, are accepted without connecting. */
static void test_database_urls_accepted(void **state)
{
  static const char *const good[] = {
      "postgresql:///popdeck",
      "postgresql://popdeck:secret@db.internal:5432/popdeck?sslmode=require",
      "postgresql:///popdeck?host=/run/postgresql&user=postgres",
      "postgres://u@[::1]:5433/popdeck",
      "host=db1,db2 port=5432,5433 dbname=popdeck target_session_attrs=read-write",
      "dbname='pop deck' user=popdeck",
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(good); i++) {
    struct kv vars[MAX_VARS];
    struct pd_config c;
    char err[256] = "";
    with("DATABASE_URL", good[i], vars);
    if (load(vars, NEED_ALL, &c, err, sizeof(err)) != PD_OK)
      fail_msg("\"%s\" refused: %s", good[i], err);
    assert_string_equal(c.database_url, good[i]);
    pd_config_free(&c);
  }
}

static void test_s3_needs_its_variables(void **state)
{
  static const char *names[] = {"S3_ENDPOINT", "S3_BUCKET", "S3_KEY", "S3_SECRET"};
  for (size_t miss = 0; miss < PD_ARRAY_LEN(names); miss++) {
    struct kv vars[8];
    size_t n = 0;
    vars[n++] = (struct kv){"STORAGE", "s3"};
    for (size_t i = 0; i < PD_ARRAY_LEN(names); i++)
      if (i != miss)
        vars[n++] = (struct kv){names[i], "x"};
    vars[n] = (struct kv){NULL, NULL};
    struct pd_config c;
    char err[256], want[64];
    snprintf(want, sizeof(want), "%s: is required when STORAGE=s3", names[miss]);
    enum pd_result rc = load(vars, 0, &c, err, sizeof(err));
    if (rc != PD_E_INVALID || strcmp(err, want) != 0)
      fail_msg("without %s: got %s \"%s\"", names[miss], pd_result_str(rc), err);
  }
}

/* The edges of each range load, and land in the right field. */
static void test_numeric_edges(void **state)
{
  struct {
    const char *name, *value;
    int64_t want;
  } rows[] = {
      {"HTTP_THREADS", "1", 1},     {"HTTP_THREADS", "256", 256},
      {"DB_POOL_SIZE", "1", 1},     {"DB_POOL_SIZE", "256", 256},
      {"FOLLOWUP_WORKERS", "0", 0}, {"FOLLOWUP_WORKERS", "64", 64},
      {"DAILY_NOTES", "1", 1},      {"DAILY_NOTES", "1000000000", 1000000000},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct kv vars[] = {{rows[i].name, rows[i].value}, {NULL, NULL}};
    struct pd_config c;
    char err[256];
    if (load(vars, 0, &c, err, sizeof(err)) != PD_OK)
      fail_msg("%s=%s refused: %s", rows[i].name, rows[i].value, err);
    int64_t got = strcmp(rows[i].name, "HTTP_THREADS") == 0       ? c.http_threads
                  : strcmp(rows[i].name, "DB_POOL_SIZE") == 0     ? c.db_pool_size
                  : strcmp(rows[i].name, "FOLLOWUP_WORKERS") == 0 ? c.followup_workers
                                                                  : c.daily_notes;
    if (got != rows[i].want)
      fail_msg("%s=%s read as %lld", rows[i].name, rows[i].value, (long long)got);
    pd_config_free(&c);
  }
  struct kv ok[] = {{"ADMIN_TOKEN", "0123456789abcdef0123456789abcdef"},
                    {"DISCORD_APPLICATION_ID", "12345678901234567890"},
                    {NULL, NULL}};
  struct pd_config c;
  char err[256];
  assert_int_equal(load(ok, 0, &c, err, sizeof(err)), PD_OK);
  pd_config_free(&c);
}

static void test_listen_addr(void **state)
{
  struct {
    const char *value;
    const char *host; /* NULL: refused */
    int port;
  } rows[] = {
      {"127.0.0.1:8080", "127.0.0.1", 8080},
      {"[::1]:8080", "::1", 8080},
      {"0.0.0.0:0", "0.0.0.0", 0},
      {"localhost:65535", "localhost", 65535},
      {"[2001:db8::1]:443", "2001:db8::1", 443},
      {"8080", NULL, 0},
      {"host:", NULL, 0},
      {":80", NULL, 0},
      {"h:99999", NULL, 0},
      {"h:65536", NULL, 0},
      {"h:-1", NULL, 0},
      {"h:80x", NULL, 0},
      {"[::1]8080", NULL, 0},
      {"[::1", NULL, 0},
      {"[]:80", NULL, 0},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct kv vars[] = {{"LISTEN_ADDR", rows[i].value}, {NULL, NULL}};
    struct pd_config c;
    char err[256];
    enum pd_result rc = load(vars, 0, &c, err, sizeof(err));
    if (rows[i].host == NULL) {
      if (rc != PD_E_INVALID || strncmp(err, "LISTEN_ADDR: must be HOST:PORT", 30) != 0)
        fail_msg("LISTEN_ADDR=%s: got %s \"%s\"", rows[i].value, pd_result_str(rc), err);
      continue;
    }
    if (rc != PD_OK)
      fail_msg("LISTEN_ADDR=%s refused: %s", rows[i].value, err);
    if (strcmp(c.listen_host, rows[i].host) != 0 || c.listen_port != rows[i].port)
      fail_msg("LISTEN_ADDR=%s read as host \"%s\" port %d", rows[i].value, c.listen_host,
               c.listen_port);
    pd_config_free(&c);
  }
}

static void test_api_base_trailing_slashes(void **state)
{
  struct {
    const char *value, *want;
  } rows[] = {
      {"https://discord.com/api/v10", "https://discord.com/api/v10"},
      {"https://discord.com/api/v10/", "https://discord.com/api/v10"},
      {"http://127.0.0.1:9/api/v10///", "http://127.0.0.1:9/api/v10"},
      {"http://127.0.0.1:9", "http://127.0.0.1:9"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    struct kv vars[] = {{"DISCORD_API_BASE", rows[i].value}, {NULL, NULL}};
    struct pd_config c;
    char err[256];
    assert_int_equal(load(vars, 0, &c, err, sizeof(err)), PD_OK);
    assert_string_equal(c.api_base, rows[i].want);
    pd_config_free(&c);
  }
}

/* Writes text to a new temporary file; path receives its name. */
static void temp_file(const char *text, char path[64])
{
  const char *dir = getenv("TMPDIR");
  snprintf(path, 64, "%s/pd-dotenv-XXXXXX",
           dir != NULL && dir[0] != '\0' && strlen(dir) < 40 ? dir : "/tmp");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  assert_non_null(f);
  fputs(text, f);
  assert_int_equal(fclose(f), 0);
}

static void test_dotenv_values(void **state)
{
  static const char *names[] = {"PD_T_PLAIN", "PD_T_EXPORTED", "PD_T_DQ",      "PD_T_SQ",
                                "PD_T_EQ",    "PD_T_CRLF",     "PD_T_TRAIL",   "PD_T_INDENT",
                                "PD_T_SET",   "PD_T_EMPTY",    "PD_T_MISMATCH"};
  for (size_t i = 0; i < PD_ARRAY_LEN(names); i++)
    unsetenv(names[i]);
  setenv("PD_T_SET", "from-env", 1);
  setenv("PD_T_EMPTY", "", 1);
  char path[64], err[256] = "";
  temp_file("# a comment\n"
            "\n"
            "   \n"
            "  # an indented comment\n"
            "PD_T_PLAIN=one\n"
            "export PD_T_EXPORTED=two\n"
            "PD_T_DQ=\"three four\"\n"
            "PD_T_SQ='five'\n"
            "PD_T_EQ=postgresql://u@h/db?sslmode=disable\n"
            "PD_T_CRLF=six\r\n"
            "PD_T_TRAIL=seven   \n"
            "   PD_T_INDENT=eight\n"
            "PD_T_SET=from-file\n"
            "PD_T_EMPTY=filled\n"
            "PD_T_MISMATCH=\"nine'\n",
            path);
  enum pd_result rc = pd_config_load_dotenv(path, err, sizeof(err));
  unlink(path);
  if (rc != PD_OK)
    fail_msg("refused: %s", err);
  struct {
    const char *name, *want;
  } rows[] = {
      {"PD_T_PLAIN", "one"},
      {"PD_T_EXPORTED", "two"},
      {"PD_T_DQ", "three four"},
      {"PD_T_SQ", "five"},
      {"PD_T_EQ", "postgresql://u@h/db?sslmode=disable"},
      {"PD_T_CRLF", "six"},
      {"PD_T_TRAIL", "seven"},
      {"PD_T_INDENT", "eight"},
      {"PD_T_SET", "from-env"}, /* the environment wins over the file */
      {"PD_T_EMPTY", "filled"}, /* an empty variable counts as unset, as pd_config_env reads it */
      {"PD_T_MISMATCH", "\"nine'"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    const char *got = getenv(rows[i].name);
    if (got == NULL || strcmp(got, rows[i].want) != 0)
      fail_msg("%s: got %s%s%s, want \"%s\"", rows[i].name, got ? "\"" : "", got ? got : "(unset)",
               got ? "\"" : "", rows[i].want);
  }
  assert_null(getenv("export PD_T_EXPORTED"));
}

static void test_dotenv_errors_name_the_line(void **state)
{
  char long_line[5000];
  memset(long_line, 'x', sizeof(long_line) - 2);
  memcpy(long_line, "PD_T_LONG=", 10);
  long_line[sizeof(long_line) - 2] = '\n';
  long_line[sizeof(long_line) - 1] = '\0';
  struct {
    const char *text;
    const char *want; /* after "path" */
  } rows[] = {
      {"PD_T_A=1\nthis line is wrong\n", ":2: expected NAME=value"},
      {"# c\n\nPD_T_A=1\n=value\n", ":4: expected NAME=value"},
      {"export =1\n", ":1: expected NAME=value"},
      {"PD_T_A=1\nBAD-NAME=1\n", ":2: \"BAD-NAME\" is not a variable name"},
      {"PD_T A=1\n", ":1: \"PD_T A\" is not a variable name"},
      {long_line, ":1: line too long"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char path[64], err[256] = "", want[128];
    temp_file(rows[i].text, path);
    enum pd_result rc = pd_config_load_dotenv(path, err, sizeof(err));
    unlink(path);
    snprintf(want, sizeof(want), "%s%s", path, rows[i].want);
    if (rc != PD_E_INVALID || strcmp(err, want) != 0)
      fail_msg("row %zu: got %s \"%s\", want \"%s\"", i, pd_result_str(rc), err, want);
  }
}

static void test_dotenv_missing_file(void **state)
{
  char err[64] = "untouched";
  assert_int_equal(pd_config_load_dotenv("/nonexistent-popdeck-dir/.env", err, sizeof(err)), PD_OK);
  assert_string_equal(err, "untouched");
}

/* Real money's variables: the SKU map parsed in order, Stripe's base without its trailing
 * slash, secrets unset by default, and every malformed value named. */
static void test_payment_vars(void **state)
{
  struct pd_config c;
  char err[256];
  assert_int_equal(load(complete, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_int_equal(c.npayment_skus, 0);
  assert_string_equal(c.stripe_api_base, "https://api.stripe.com");
  assert_null(c.stripe_secret_key);
  assert_null(c.stripe_webhook_secret);
  assert_int_equal(c.payments_reconcile_s, 3600);
  pd_config_free(&c);

  struct kv vars[MAX_VARS];
  with("PAYMENT_SKUS", "1300000000000000001:gems-550,1300000000000000002:membership", vars);
  assert_int_equal(load(vars, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_int_equal(c.npayment_skus, 2);
  assert_string_equal(c.payment_skus[0].sku, "1300000000000000001");
  assert_string_equal(c.payment_skus[0].bundle, "gems-550");
  assert_string_equal(c.payment_skus[1].bundle, "membership");
  pd_config_free(&c);
  with("STRIPE_API_BASE", "http://127.0.0.1:9/", vars);
  assert_int_equal(load(vars, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_string_equal(c.stripe_api_base, "http://127.0.0.1:9");
  pd_config_free(&c);

  static const char *const bad[][2] = {
      {"PAYMENT_SKUS", "gems-550"},          {"PAYMENT_SKUS", "13000:"},
      {"PAYMENT_SKUS", ":gems-550"},         {"PAYMENT_SKUS", "13x0:gems-550"},
      {"PAYMENT_SKUS", "1300:Gems"},         {"PAYMENT_SKUS", "1300:gems-550,"},
      {"STRIPE_API_BASE", "api.stripe.com"}, {"STRIPE_SUCCESS_URL", "popdeck.example/paid"},
      {"PAYMENTS_RECONCILE_S", "-1"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    with(bad[i][0], bad[i][1], vars);
    enum pd_result rc = load(vars, NEED_ALL, &c, err, sizeof(err));
    if (rc != PD_E_INVALID || strncmp(err, bad[i][0], strlen(bad[i][0])) != 0)
      fail_msg("%s=\"%s\": got %s \"%s\"", bad[i][0], bad[i][1], pd_result_str(rc), err);
  }
}

/* The scheduler's variables: on, 1 s ticks and no overrides by default; SCHEDULER_PERIODS read in
 * order; every malformed value named. */
static void test_scheduler_vars(void **state)
{
  struct pd_config c;
  char err[256];
  assert_int_equal(load(complete, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_true(c.scheduler);
  assert_int_equal(c.scheduler_tick_ms, 1000);
  assert_int_equal(c.nscheduler_periods, 0);
  pd_config_free(&c);

  struct kv vars[MAX_VARS];
  with("SCHEDULER", "0", vars);
  assert_int_equal(load(vars, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_false(c.scheduler);
  pd_config_free(&c);
  with("SCHEDULER_PERIODS", "expire:5,leaderboard:30,weekly_sync:604800", vars);
  assert_int_equal(load(vars, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_true(c.scheduler);
  assert_int_equal(c.nscheduler_periods, 3);
  assert_string_equal(c.scheduler_periods[0].task, "expire");
  assert_int_equal(c.scheduler_periods[0].seconds, 5);
  assert_string_equal(c.scheduler_periods[1].task, "leaderboard");
  assert_int_equal(c.scheduler_periods[2].seconds, 604800);
  pd_config_free(&c);

  static const char *const bad[][2] = {
      {"SCHEDULER_PERIODS", "expire"},
      {"SCHEDULER_PERIODS", "expire:"},
      {"SCHEDULER_PERIODS", ":60"},
      {"SCHEDULER_PERIODS", "expire:0"},
      {"SCHEDULER_PERIODS", "expire:60,"},
      {"SCHEDULER_PERIODS", "Expire:60"},
      {"SCHEDULER_PERIODS", "expire:6x"},
      {"SCHEDULER_PERIODS", "expire:99999999"},
      {"SCHEDULER", "yes"},
      {"SCHEDULER_TICK_MS", "5"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(bad); i++) {
    with(bad[i][0], bad[i][1], vars);
    enum pd_result rc = load(vars, NEED_ALL, &c, err, sizeof(err));
    if (rc != PD_E_INVALID || strncmp(err, bad[i][0], strlen(bad[i][0])) != 0)
      fail_msg("%s=\"%s\": got %s \"%s\"", bad[i][0], bad[i][1], pd_result_str(rc), err);
  }
}

/* The HTTP front's limits and the ops listener: defaults, values read, and bad values named. */
static void test_http_limits(void **state)
{
  struct pd_config c;
  char err[256];
  assert_int_equal(load(complete, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_null(c.ops_host); /* unset: /readyz and /metrics stay on LISTEN_ADDR */
  assert_int_equal(c.http_conns_per_ip, 64);
  assert_int_equal(c.http_request_deadline_s, 10);
  pd_config_free(&c);

  struct kv vars[MAX_VARS];
  with("OPS_LISTEN_ADDR", "[::1]:9090", vars);
  assert_int_equal(load(vars, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_string_equal(c.ops_host, "::1");
  assert_int_equal(c.ops_port, 9090);
  pd_config_free(&c);
  with("HTTP_CONNS_PER_IP", "0", vars);
  assert_int_equal(load(vars, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_int_equal(c.http_conns_per_ip, 0); /* 0 turns the cap off, for a proxy on one address */
  pd_config_free(&c);
  with("HTTP_REQUEST_DEADLINE", "3", vars);
  assert_int_equal(load(vars, NEED_ALL, &c, err, sizeof(err)), PD_OK);
  assert_int_equal(c.http_request_deadline_s, 3);
  pd_config_free(&c);

  struct {
    const char *name, *value, *prefix;
  } rows[] = {
      {"OPS_LISTEN_ADDR", "9090", "OPS_LISTEN_ADDR: must be HOST:PORT"},
      {"OPS_LISTEN_ADDR", "127.0.0.1:", "OPS_LISTEN_ADDR: must be HOST:PORT"},
      {"OPS_LISTEN_ADDR", ":9090", "OPS_LISTEN_ADDR: must be HOST:PORT"},
      {"OPS_LISTEN_ADDR", "127.0.0.1:70000", "OPS_LISTEN_ADDR: must be HOST:PORT"},
      {"OPS_LISTEN_ADDR", "[::1:9090", "OPS_LISTEN_ADDR: must be HOST:PORT"},
      {"HTTP_CONNS_PER_IP", "-1", "HTTP_CONNS_PER_IP: must be a whole number from 0 to 4096"},
      {"HTTP_CONNS_PER_IP", "4097", "HTTP_CONNS_PER_IP: must be a whole number"},
      {"HTTP_CONNS_PER_IP", "many", "HTTP_CONNS_PER_IP: must be a whole number"},
      {"HTTP_REQUEST_DEADLINE", "0", "HTTP_REQUEST_DEADLINE: must be a whole number from 1 to 300"},
      {"HTTP_REQUEST_DEADLINE", "301", "HTTP_REQUEST_DEADLINE: must be a whole number"},
      {"HTTP_REQUEST_DEADLINE", "10s", "HTTP_REQUEST_DEADLINE: must be a whole number"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    with(rows[i].name, rows[i].value, vars);
    enum pd_result rc = load(vars, NEED_ALL, &c, err, sizeof(err));
    if (rc != PD_E_INVALID || strncmp(err, rows[i].prefix, strlen(rows[i].prefix)) != 0)
      fail_msg("%s=\"%s\": got %s \"%s\", want \"%s...\"", rows[i].name, rows[i].value,
               pd_result_str(rc), err, rows[i].prefix);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_every_variable_read),
      cmocka_unit_test(test_pixel_budget_follows_max),
      cmocka_unit_test(test_required_per_need),
      cmocka_unit_test(test_bad_values_named),
      cmocka_unit_test(test_database_urls_accepted),
      cmocka_unit_test(test_s3_needs_its_variables),
      cmocka_unit_test(test_numeric_edges),
      cmocka_unit_test(test_listen_addr),
      cmocka_unit_test(test_api_base_trailing_slashes),
      cmocka_unit_test(test_dotenv_values),
      cmocka_unit_test(test_dotenv_errors_name_the_line),
      cmocka_unit_test(test_dotenv_missing_file),
      cmocka_unit_test(test_http_limits),
      cmocka_unit_test(test_payment_vars),
      cmocka_unit_test(test_scheduler_vars),
  };
  return cmocka_run_group_tests_name("test_config", tests, NULL, NULL);
}
