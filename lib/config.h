/* config.h - PopDeck's configuration, read from the environment and an optional .env file. */
#ifndef PD_CONFIG_H
#define PD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sodium.h>

#include "netcheck.h"
#include "pd.h"

/* What a subcommand needs: each bit makes the matching variable required. */
enum {
  PD_NEED_DB = 1 << 0,
  PD_NEED_PUBLIC_KEY = 1 << 1,
  PD_NEED_APP_ID = 1 << 2,
  PD_NEED_BOT_TOKEN = 1 << 3,
};

/* Where rendered cards go: a directory served at /cards/, S3-compatible object storage, or
 * a directory whose files are attached to each Discord message that shows them. */
enum pd_storage_kind { PD_STORAGE_LOCAL = 0, PD_STORAGE_S3, PD_STORAGE_DISCORD };

/* One PAYMENT_SKUS entry: a Discord SKU and the bundle (assets/packs.json) it sells. */
#define PD_PAYMENT_SKUS_MAX 16
struct pd_sku {
  char sku[24];
  char bundle[32];
};

/* One SCHEDULER_PERIODS entry: a scheduler task and its period in seconds. */
#define PD_SCHEDULER_PERIODS_MAX 16
struct pd_task_period {
  char task[32];
  int seconds;
};

struct pd_config {
  char *database_url;
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  bool has_public_key;
  char *application_id;
  char *bot_token;
  char *api_base;    /* DISCORD_API_BASE, no trailing slash */
  char *listen_host; /* from LISTEN_ADDR */
  int listen_port;
  char *public_base_url; /* PUBLIC_BASE_URL, may be NULL */
  /* ADMIN_TOKEN: the REST admin API's bearer token, PD_ADMIN_TOKEN_MIN characters at least;
   * NULL keeps the API off (every /admin/ route answers 404). */
  char *admin_token;
  char *admin_file;             /* ADMIN_FILE */
  char *sql_dir;                /* SQL_DIR */
  char *assets_dir;             /* ASSETS_DIR */
  char *cards_dir;              /* CARDS_DIR: rendered card PNGs served at /cards/ */
  enum pd_storage_kind storage; /* STORAGE: local (default), s3 or discord */
  char *s3_endpoint, *s3_region, *s3_bucket, *s3_key, *s3_secret;
  char *cdn_url;           /* CDN_URL: public base of stored objects */
  int http_threads;        /* HTTP_THREADS */
  int db_pool_size;        /* DB_POOL_SIZE */
  int followup_workers;    /* FOLLOWUP_WORKERS */
  int64_t daily_notes;     /* DAILY_NOTES */
  int rate_limit_commands; /* RATE_LIMIT_COMMANDS: per player per window, 0 = no limit */
  int rate_limit_window_s; /* RATE_LIMIT_WINDOW_S */
  /* The HTTP front's limits and its private listener (read by http_limits in config.c). */
  char *ops_host; /* OPS_LISTEN_ADDR: /readyz and /metrics only there; NULL = unset */
  int ops_port;
  int http_conns_per_ip; /* HTTP_CONNS_PER_IP: open connections per client address, 0 = no cap */
  int http_request_deadline_s; /* HTTP_REQUEST_DEADLINE: seconds to send a request's headers and
                                  body */
  /* Catalog ingestion, `popdeck ingest` and `sync` (read by ingest_vars in config.c). */
  int ingest_concurrency; /* INGEST_CONCURRENCY: downloads at once */
  long ingest_max_mp;     /* INGEST_MAX_PIXELS: megapixels a header may declare */
  long ingest_budget_mp;  /* INGEST_PIXEL_BUDGET: megapixels decoded at once */
  struct pd_netlist
      ingest_allowed;          /* INGEST_ALLOWED_NETWORKS: non-public networks downloads may use */
  char *musicbrainz_base;      /* MUSICBRAINZ_BASE */
  char *coverart_base;         /* COVERART_BASE */
  char *commons_api_base;      /* COMMONS_API_BASE, NULL = no Commons search */
  char *spotify_accounts_base; /* SPOTIFY_ACCOUNTS_BASE */
  char *spotify_api_base;      /* SPOTIFY_API_BASE */
  char *spotify_client_id;     /* SPOTIFY_CLIENT_ID, may be NULL */
  char *spotify_client_secret; /* SPOTIFY_CLIENT_SECRET, may be NULL */
  char *lastfm_api_key;        /* LASTFM_API_KEY, NULL = sync has nothing to do */
  char *lastfm_base;           /* LASTFM_BASE */
  /* The monthly prune (server/catalog_tasks.c): an artist under either stops being drawn. */
  int prune_min_spotify_popularity;   /* PRUNE_MIN_SPOTIFY_POPULARITY: 0..100, 0 = not by Spotify */
  int64_t prune_min_lastfm_listeners; /* PRUNE_MIN_LASTFM_LISTENERS: 0 = not by Last.fm */
  char *dev_key_file;                 /* DEV_KEY_FILE: the development signing key (keygen, try) */
  /* The admin surface (read by admin_vars in config.c). */
  int64_t admin_confirm_grant_over; /* ADMIN_CONFIRM_GRANT_OVER: grants above need a confirmation */
  int admin_auth_failures;          /* ADMIN_AUTH_FAILURES: bad tokens per address per window */
  int admin_auth_window_s;          /* ADMIN_AUTH_WINDOW_S */
  int admin_job_lease_s; /* ADMIN_JOB_LEASE_S: a running job's lease, renewed as it works */
  int admin_job_workers; /* ADMIN_JOB_WORKERS: background job threads per instance */
  bool allow_clear_db;   /* ALLOW_CLEAR_DB=1: the owners' clear_db is possible */
  /* Real money (read by payment_vars in config.c). */
  struct pd_sku payment_skus[PD_PAYMENT_SKUS_MAX]; /* PAYMENT_SKUS: Discord SKU -> bundle */
  size_t npayment_skus;
  char *stripe_api_base;       /* STRIPE_API_BASE, no trailing slash */
  char *stripe_secret_key;     /* STRIPE_SECRET_KEY, NULL: /buy_gems says payments are off */
  char *stripe_webhook_secret; /* STRIPE_WEBHOOK_SECRET (whsec_...), NULL: the webhook is 404 */
  char *stripe_success_url;    /* STRIPE_SUCCESS_URL, NULL: PUBLIC_BASE_URL's /paid */
  char *stripe_cancel_url;     /* STRIPE_CANCEL_URL, NULL: PUBLIC_BASE_URL's /paid?cancelled=1 */
  int payments_reconcile_s; /* PAYMENTS_RECONCILE_S: Discord entitlement reconcile period, 0 off */
  /* The scheduler (server/scheduler.c, read by scheduler_vars in config.c). */
  bool scheduler;        /* SCHEDULER=0 keeps this instance out of the scheduled tasks */
  int scheduler_tick_ms; /* SCHEDULER_TICK_MS: how often an instance looks for a due task */
  /* SCHEDULER_PERIODS: tasks whose period differs from their default (the names are checked
   * against the task table when serve starts). */
  struct pd_task_period scheduler_periods[PD_SCHEDULER_PERIODS_MAX];
  size_t nscheduler_periods;
};

#define PD_ADMIN_TOKEN_MIN 32

/* Source of variables: a lookup function so tests can feed a table instead of the
 * process environment.  Returns NULL when unset. */
struct pd_config_source {
  const char *(*get)(void *arg, const char *name);
  void *arg;
};

/* Reads every variable from src and checks the ones `need` names.  On failure writes one
 * line naming the variable and what is wrong into err, and returns PD_E_INVALID. */
enum pd_result pd_config_load(const struct pd_config_source *src, unsigned need,
                              struct pd_config *out, char *err, size_t errlen);
void pd_config_free(struct pd_config *c);

/* The process environment as a source. */
struct pd_config_source pd_config_env(void);

/* Loads NAME=value lines from path into the environment, without overriding variables
 * already set.  A missing file is fine; a malformed line is an error naming its number. */
enum pd_result pd_config_load_dotenv(const char *path, char *err, size_t errlen);

/* Parses "host:port" or "[v6]:port".  host_out gets a malloc'd string. */
enum pd_result pd_config_parse_addr(const char *s, char **host_out, int *port_out);

#endif
