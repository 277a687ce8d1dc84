/* e2e.h - end-to-end harness: a fresh database per suite on the throwaway cluster, the
 * Discord double, a signing key, and real `popdeck serve` processes to talk to. */
#ifndef PD_E2E_H
#define PD_E2E_H

#include <jansson.h>
#include <libpq-fe.h>
#include <sodium.h>
#include <stdbool.h>

#include "double.h"
#include "http_client.h"
#include "proc.h"

#define PD_E2E_SERVERS 2
#define PD_E2E_APP_ID "1111111111111111111"

struct pd_e2e_server {
  struct pd_proc *proc;
  int port;
  char log[512];
};

struct pd_e2e {
  char build[256];
  char db_url[1024];
  char db_name[64];
  struct pd_double *dbl;
  struct pd_e2e_server srv[PD_E2E_SERVERS];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
  PGconn *pg;
  char cards_dir[512]; /* CARDS_DIR of the suite's servers */
};

/* Creates database e2e_<suite>, migrates it with `popdeck migrate`, starts the double and
 * server 0.  Returns 0 on success, and prints what failed otherwise. */
int pd_e2e_setup(struct pd_e2e *e, const char *suite);
void pd_e2e_teardown(struct pd_e2e *e);

/* Starts server idx with the suite's environment plus extra (NULL-terminated "K=V" list), whose
 * variables take the place of the suite's own. */
int pd_e2e_server_start(struct pd_e2e *e, int idx, const char *const *extra);
/* Sends sig and waits for exit; *status gets the exit code (or 128+signal). */
int pd_e2e_server_stop(struct pd_e2e *e, int idx, int sig, int timeout_ms, int *status);

/* A command interaction from user_id (guild shape); add options with pd_e2e_option. */
json_t *pd_e2e_command(const char *name, const char *user_id);
void pd_e2e_option(json_t *ix, const char *name, int type, json_t *value);
/* A button press (component type 2) with custom_id by user_id. */
json_t *pd_e2e_button(const char *custom_id, const char *user_id);
/* An autocomplete for command with the focused option name typed so far as value. */
json_t *pd_e2e_autocomplete(const char *command, const char *option, const char *typed,
                            const char *user_id);
/* The first value of a SQL query as text into out ("" on error or no row). */
void pd_e2e_sql_text(struct pd_e2e *e, const char *sql, char *out, size_t outlen);

/* Signs with the suite key (timestamp now) and posts to server idx.  Returns the HTTP
 * status; *reply (may be NULL) gets the parsed JSON answer.  ix is borrowed. */
long pd_e2e_post(struct pd_e2e *e, int idx, json_t *ix, json_t **reply);
/* Posts exactly these bytes and headers (NULL header = left out). */
long pd_e2e_post_raw(struct pd_e2e *e, int idx, const char *body, size_t len, const char *sig,
                     const char *ts, struct pd_http_reply *out);
/* Signs exactly these bytes with the suite key and the time now, and posts them to server idx.
 * sig (may be NULL) gets the signature sent. */
long pd_e2e_post_signed(struct pd_e2e *e, int idx, const char *body, size_t len, char sig[129],
                        struct pd_http_reply *out);
/* A PING (type 1) body in the shape Discord sends. */
#define PD_E2E_PING_BODY                                                                           \
  "{\"app_permissions\":\"562949953601536\",\"application_id\":\"1111111111111111111\","           \
  "\"id\":\"1310000000000000000\",\"token\":\"abc\",\"type\":1,\"version\":1}"
/* Signs body with timestamp ts using the suite key. */
void pd_e2e_sign(struct pd_e2e *e, const char *ts, const char *body, size_t len, char sig[129]);

/* GET http://127.0.0.1:<port>path on server idx. */
long pd_e2e_get(struct pd_e2e *e, int idx, const char *path, struct pd_http_reply *out);

/* One value from the suite's database (first row, first column); -1 on error or no row. */
int64_t pd_e2e_sql_int(struct pd_e2e *e, const char *sql);
/* pd_e2e_sql_int of a printf-formatted query. */
int64_t pd_e2e_sqlf(struct pd_e2e *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `popdeck seed demo --limit limit` into the suite's database and cards; 0 on success. */
int pd_e2e_seed_demo(struct pd_e2e *e, int limit);
/* Runs a statement; returns false (and prints why) on failure. */
bool pd_e2e_sql(struct pd_e2e *e, const char *sql);

/* Appends a payload PopDeck produced to $PD_TMP/payloads.jsonl for the OpenAPI check. */
void pd_e2e_record_payload(const char *kind, json_t *body);

/* Records what the double saw (for the OpenAPI check), then clears it. */
void pd_e2e_double_reset(struct pd_e2e *e);

/* A fresh database name on the test cluster (dropped first if it exists); *url gets its
 * connection string.  For checks that need a database at another migration than the suite's. */
int pd_e2e_database_create(const char *name, char *url, size_t urllen);
void pd_e2e_database_drop(const char *name);

/* The first object key anywhere in j that starts with '_' (PopDeck's old private keys, which
 * Discord must never get), or NULL when there is none. */
const char *pd_e2e_private_key(json_t *j);

/* Moves the database clock (pd_now(), sql/022) forward by seconds, for every server at once:
 * expiries, daily resets, event windows and the scheduler's periods without sleeping. */
bool pd_e2e_clock_advance(struct pd_e2e *e, long long seconds);
/* The value of the /metrics sample whose line starts with `sample ` ("name{labels}") on server
 * idx; -1 when the line is missing or the server does not answer. */
double pd_e2e_metric(struct pd_e2e *e, int idx, const char *sample);

/* Does server idx's log contain needle? */
bool pd_e2e_log_has(struct pd_e2e *e, int idx, const char *needle);

/* The message content of a type-4 reply, or "" */
const char *pd_e2e_content(json_t *reply);
/* Whether reply.data.flags has EPHEMERAL. */
bool pd_e2e_ephemeral(json_t *reply);

/* Gives the player discord_id (who must exist) amount of currency ("notes", "discs", "gems") as
 * an admin grant does: the balance and one operation of two ledger rows with the 'grants'
 * account, so the audit after the test agrees.  Setup only: set balances through this, never by
 * UPDATE users alone.  Returns false (and prints why) on failure. */
bool pd_e2e_grant(struct pd_e2e *e, const char *discord_id, const char *currency, long long amount);

/* Every e2e test is listed with one of these instead of cmocka_unit_test: the test, then
 * `popdeck audit` against the suite's database (when the suite made one with pd_e2e_setup),
 * and a ledger or copies that are not clean fail the test with the audit's line.  (The audit
 * runs after the test's body, not as a cmocka teardown: cmocka reports a failed teardown as an
 * error of the suite, not as the test that left the database broken.) */
struct pd_e2e_test {
  void (*fn)(void **state);
};
void pd_e2e_audited(void **state);
#define PD_E2E_TEST(f)                                                                             \
  {                                                                                                \
#f, pd_e2e_audited, NULL, NULL, &(struct pd_e2e_test)                                          \
    {                                                                                              \
      f                                                                                            \
    }                                                                                              \
  }
#define PD_E2E_TEST_SETUP(f, setup)                                                                \
  {                                                                                                \
#f, pd_e2e_audited, setup, NULL, &(struct pd_e2e_test)                                         \
    {                                                                                              \
      f                                                                                            \
    }                                                                                              \
  }
/* Runs `popdeck audit ARGS` against the suite's database; out gets what it printed.  Returns
 * its exit status (-1 when it could not be run). */
int pd_e2e_audit(struct pd_e2e *e, const char *args, char *out, size_t outlen);

#endif
