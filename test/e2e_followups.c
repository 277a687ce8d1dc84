/* e2e_followups.c - deferred replies are never lost: rate limits, server errors, refusals,
 * expired tokens, two instances on one database, a worker killed mid-send, SIGTERM with a
 * send in flight, and a database outage. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"

static struct pd_e2e E;

static int setup(void **state)
{
  return pd_e2e_setup(&E, "followups");
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

static int reset(void **state)
{
  pd_e2e_double_reset(&E);
  return 0;
}

static int64_t mono_ms(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Posts /profile for user and returns its token (malloc'd). */
static char *defer_profile(int server, const char *user)
{
  json_t *ix = pd_e2e_command("profile", user), *reply = NULL;
  long st = pd_e2e_post(&E, server, ix, &reply);
  assert_int_equal(st, 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 5);
  char *token = strdup(json_string_value(json_object_get(ix, "token")));
  json_decref(ix);
  json_decref(reply);
  return token;
}

static long status_of(json_t *reqs, size_t i)
{
  return (long)json_integer_value(json_object_get(json_array_get(reqs, i), "status"));
}

static void test_429_waits_retry_after_then_delivers(void **state)
{
  assert_int_equal(pd_double_fail_next(E.dbl, 429, 1, 0.6, false), 0);
  int64_t t0 = mono_ms();
  char *token = defer_profile(0, "710000000000000001");
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 2, 8000);
  assert_non_null(reqs);
  assert_int_equal(status_of(reqs, 0), 429);
  assert_int_equal(status_of(reqs, 1), 200);
  int64_t gap = json_integer_value(json_object_get(json_array_get(reqs, 1), "received_at_ms")) -
                json_integer_value(json_object_get(json_array_get(reqs, 0), "received_at_ms"));
  /* Discord said 0.6 s: the second send must not come sooner. */
  assert_true(gap >= 590);
  assert_true(mono_ms() - t0 < 8000);
  /* Both sends carried the same message. */
  assert_true(json_equal(json_object_get(json_array_get(reqs, 0), "json"),
                         json_object_get(json_array_get(reqs, 1), "json")));
  assert_null(pd_e2e_private_key(json_object_get(json_array_get(reqs, 0), "json")));
  json_decref(reqs);
  free(token);
}

static void test_global_429_pauses_every_send(void **state)
{
  assert_int_equal(pd_double_fail_next(E.dbl, 429, 1, 0.8, true), 0);
  char *first = defer_profile(0, "710000000000000011");
  json_t *reqs = pd_double_wait_requests(E.dbl, first, 1, 5000);
  assert_non_null(reqs);
  assert_int_equal(status_of(reqs, 0), 429);
  int64_t limited_at =
      json_integer_value(json_object_get(json_array_get(reqs, 0), "received_at_ms"));
  json_decref(reqs);
  /* Another player's reply, queued during the global limit, waits it out too. */
  char *second = defer_profile(0, "710000000000000012");
  reqs = pd_double_wait_requests(E.dbl, second, 1, 8000);
  assert_non_null(reqs);
  int64_t sent_at = json_integer_value(json_object_get(json_array_get(reqs, 0), "received_at_ms"));
  assert_true(sent_at - limited_at >= 790);
  assert_int_equal(status_of(reqs, 0), 200);
  json_decref(reqs);
  reqs = pd_double_wait_requests(E.dbl, first, 2, 8000);
  assert_non_null(reqs);
  assert_int_equal(status_of(reqs, 1), 200);
  json_decref(reqs);
  free(first);
  free(second);
}

static void test_5xx_retried_with_backoff(void **state)
{
  assert_int_equal(pd_double_fail_next(E.dbl, 500, 2, 0, false), 0);
  char *token = defer_profile(0, "710000000000000002");
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 3, 10000);
  assert_non_null(reqs);
  assert_int_equal(status_of(reqs, 0), 500);
  assert_int_equal(status_of(reqs, 1), 500);
  assert_int_equal(status_of(reqs, 2), 200);
  int64_t a = json_integer_value(json_object_get(json_array_get(reqs, 0), "received_at_ms"));
  int64_t b = json_integer_value(json_object_get(json_array_get(reqs, 1), "received_at_ms"));
  int64_t c = json_integer_value(json_object_get(json_array_get(reqs, 2), "received_at_ms"));
  /* Backoff base 500 ms with jitter in [cap/2, cap]: at least 250 ms, then at least 500 ms. */
  assert_true(b - a >= 240);
  assert_true(c - b >= 490);
  json_decref(reqs);
  free(token);
}

static void test_4xx_is_never_retried(void **state)
{
  assert_int_equal(pd_double_fail_next(E.dbl, 400, 1, 0, false), 0);
  char *token = defer_profile(0, "710000000000000003");
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  json_decref(reqs);
  sleep(2); /* long enough for any retry to have happened */
  reqs = pd_double_requests(E.dbl, token);
  assert_int_equal(json_array_size(reqs), 1);
  json_decref(reqs);
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM followup_jobs j WHERE status = 'failed'"
              " AND last_error LIKE 'Discord refused it with 400%' AND interaction_token = ''"),
      1);
  struct pd_http_reply m;
  assert_int_equal(pd_e2e_get(&E, 0, "/metrics", &m), 200);
  assert_non_null(strstr(m.body, "popdeck_followup_failures_total 1\n"));
  pd_http_reply_free(&m);
  free(token);
}

static void test_expired_token_is_given_up_without_sending(void **state)
{
  /* A job whose 15 minutes are over (queued while every worker was down, say). */
  assert_true(pd_e2e_sql(
      &E,
      "INSERT INTO followup_jobs (application_id, interaction_token, method, payload,"
      " token_expires_at, ref) VALUES ('1111111111111111111', 'expiredtoken', 'edit_original',"
      " '{\"content\":\"late\"}', now() - interval '1 second', 'EXPIRED1'); NOTIFY popdeck_jobs"));
  for (int i = 0;
       i < 50 && pd_e2e_sql_int(&E, "SELECT count(*) FROM followup_jobs WHERE ref = 'EXPIRED1'"
                                    " AND status = 'failed'") != 1;
       i++)
    usleep(100000);
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM followup_jobs WHERE ref = 'EXPIRED1' AND status = 'failed'"
              " AND last_error LIKE '%token expired%'"),
      1);
  json_t *reqs = pd_double_requests(E.dbl, "expiredtoken");
  assert_int_equal(json_array_size(reqs), 0);
  json_decref(reqs);
  assert_true(pd_e2e_log_has(&E, 0, "\"ref\":\"EXPIRED1\""));
}

/* Waits until the job with ref has left 'pending' (at most 5 s). */
static void wait_finished(const char *ref)
{
  char sql[160];
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM followup_jobs WHERE ref = '%s' AND status <> 'pending'", ref);
  for (int i = 0; i < 50 && pd_e2e_sql_int(&E, sql) != 1; i++)
    usleep(100000);
}

static void test_unknown_kind_is_failed_not_retried(void **state)
{
  /* A kind this release does not have (written by hand, or by a newer release before a rollback).
   */
  assert_true(pd_e2e_sql(
      &E, "INSERT INTO followup_jobs (kind, application_id, interaction_token, method, payload,"
          " token_expires_at, ref) VALUES ('trophy', '1111111111111111111', 'trophytoken',"
          " 'edit_original', '{\"content\":\"a trophy\"}', now() + interval '10 minutes',"
          " 'UNKNOWN1'); NOTIFY popdeck_jobs"));
  wait_finished("UNKNOWN1");
  assert_int_equal(
      pd_e2e_sql_int(
          &E, "SELECT count(*) FROM followup_jobs WHERE ref = 'UNKNOWN1' AND status = 'failed'"
              " AND attempts = 1 AND last_error = 'unknown job kind \"trophy\"'"
              " AND interaction_token = ''"),
      1);
  sleep(1); /* a retry would have come by now */
  json_t *reqs = pd_double_requests(E.dbl, "trophytoken");
  assert_int_equal(json_array_size(reqs), 0);
  json_decref(reqs);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT attempts FROM followup_jobs WHERE ref = 'UNKNOWN1'"),
                   1);
  assert_true(pd_e2e_log_has(&E, 0, "unknown job kind \\\"trophy\\\""));
}

/* A pack job written the way the previous release wrote it (its size inside the payload as
 * "_pack"), as an instance of that release still serving during a deploy would: it reaches
 * Discord with its picture and without the private key. */
static void test_old_style_job_during_deploy_keeps_its_picture(void **state)
{
  assert_true(pd_e2e_sql(
      &E, "INSERT INTO followup_jobs (kind, application_id, interaction_token, method, payload,"
          " token_expires_at, ref) VALUES ('pack', '1111111111111111111', 'oldpacktoken',"
          " 'edit_original', '{\"embeds\":[{\"title\":\"Pack\",\"image\":{\"url\":"
          "\"attachment://pack.png\"}}],\"_pack\":{\"size\":3}}', now() + interval '10 minutes',"
          " 'OLDPACK1'); NOTIFY popdeck_jobs"));
  json_t *reqs = pd_double_wait_requests(E.dbl, "oldpacktoken", 1, 5000);
  assert_non_null(reqs);
  json_t *req = json_array_get(reqs, 0);
  assert_int_equal(status_of(reqs, 0), 200);
  assert_null(pd_e2e_private_key(json_object_get(req, "json")));
  json_t *file = json_array_get(json_object_get(req, "files"), 0);
  assert_non_null(file);
  assert_string_equal(json_string_value(json_object_get(file, "filename")), "pack.png");
  json_decref(reqs);
}

/* Migration 009 on a database that has jobs of the previous release waiting: their private keys
 * move to attach, finished rows stay as they were.  The database is migrated to 008 from a copy
 * of sql/001..008, given old-style rows, then migrated with the real sql/. */
static void test_migration_moves_pending_private_keys(void **state)
{
  const char *tmp = getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp";
  char url[1024], dir[512], cmd[4096];
  assert_int_equal(pd_e2e_database_create("e2e_followups_009", url, sizeof(url)), 0);
  snprintf(dir, sizeof(dir), "%s/e2e-followups-sql008", tmp);
  snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s' && cp sql/00[1-8]_*.sql '%s/'", dir, dir,
           dir);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd),
           "SQL_DIR='%s' DATABASE_URL=\"%s\" %s/popdeck migrate | grep -q 'database at version 8$'",
           dir, url, E.build);
  assert_int_equal(system(cmd), 0);
  PGconn *pg = PQconnectdb(url);
  assert_int_equal(PQstatus(pg), CONNECTION_OK);
  PGresult *r = PQexec(
      pg, "INSERT INTO followup_jobs (kind, application_id, interaction_token, method, payload, "
          "token_expires_at, ref,"
          " status) VALUES"
          " ('pack', '1', 't1', 'edit_original', '{\"embeds\":[],\"_pack\":{\"size\":3}}', now(), "
          "'P', 'pending'),"
          " ('profile_card', '1', 't2', 'edit_original', "
          "'{\"embeds\":[],\"_card\":{\"name\":\"Ann\"}}', now(), 'C',"
          " 'pending'),"
          " ('message', '1', 't3', 'edit_original', '{\"content\":\"hi\"}', now(), 'M', 'pending'),"
          " ('pack', '1', '', 'edit_original', '{\"embeds\":[],\"_pack\":{\"size\":5}}', now(), "
          "'D', 'done')");
  assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  /* Up to 009 exactly: later migrations (010 on) are not what this test is about. */
  snprintf(cmd, sizeof(cmd),
           "cp sql/009_*.sql '%s/' && SQL_DIR='%s' DATABASE_URL=\"%s\" %s/popdeck migrate"
           " | grep -q 'database at version 9$'",
           dir, dir, url, E.build);
  assert_int_equal(system(cmd), 0);
  r = PQexec(
      pg,
      "SELECT ref, coalesce(attach::text, 'null'), payload::text FROM followup_jobs ORDER BY ref");
  assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
  assert_int_equal(PQntuples(r), 4);
  const char *want[4][3] = {
      {"C", "{\"name\": \"Ann\"}", "{\"embeds\": []}"},
      {"D", "null",
       "{\"_pack\": {\"size\": 5}, \"embeds\": []}"}, /* finished: history, untouched */
      {"M", "null", "{\"content\": \"hi\"}"},
      {"P", "{\"size\": 3}", "{\"embeds\": []}"},
  };
  for (int i = 0; i < 4; i++)
    for (int k = 0; k < 3; k++)
      assert_string_equal(PQgetvalue(r, i, k), want[i][k]);
  PQclear(r);
  PQfinish(pg);
  pd_e2e_database_drop("e2e_followups_009");
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
  assert_int_equal(system(cmd), 0);
}

static void test_two_instances_deliver_each_job_exactly_once(void **state)
{
  enum { N = 40 };
  char *tokens[N];
  const char *env[] = {NULL};
  assert_int_equal(pd_e2e_server_start(&E, 1, env), 0);
  for (int i = 0; i < N; i++) {
    char user[32];
    snprintf(user, sizeof(user), "7200000000000%05d", i);
    tokens[i] = defer_profile(i % 2, user);
  }
  json_t *all = pd_double_wait_requests(E.dbl, NULL, N, 15000);
  assert_non_null(all);
  sleep(1); /* any duplicate would have arrived by now */
  json_decref(all);
  all = pd_double_requests(E.dbl, NULL);
  assert_int_equal(json_array_size(all), N);
  for (int i = 0; i < N; i++) {
    json_t *mine = pd_double_requests(E.dbl, tokens[i]);
    if (json_array_size(mine) != 1)
      fail_msg("job %d reached Discord %zu times", i, json_array_size(mine));
    json_decref(mine);
    free(tokens[i]);
  }
  json_decref(all);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM followup_jobs WHERE status = 'pending'"), 0);
  int status = -1;
  assert_int_equal(pd_e2e_server_stop(&E, 1, SIGTERM, 10000, &status), 0);
  assert_int_equal(status, 0);
}

static void test_worker_killed_mid_send_loses_nothing(void **state)
{
  /* Server 0 will be inside a slow send when it is killed without warning. */
  assert_int_equal(pd_double_delay_next(E.dbl, 3000, 1), 0);
  char *token = defer_profile(0, "710000000000000005");
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs); /* the send is in flight */
  json_decref(reqs);
  int status = -1;
  assert_int_equal(pd_e2e_server_stop(&E, 0, SIGKILL, 5000, &status), 0);
  /* The job is still pending: its row lock died with the process. */
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM followup_jobs WHERE status = 'pending'"), 1);
  /* Another instance takes it over. */
  const char *env[] = {NULL};
  assert_int_equal(pd_e2e_server_start(&E, 1, env), 0);
  reqs = pd_double_wait_requests(E.dbl, token, 2, 10000);
  assert_non_null(reqs);
  assert_int_equal(status_of(reqs, json_array_size(reqs) - 1), 200);
  json_decref(reqs);
  for (int i = 0;
       i < 50 &&
       pd_e2e_sql_int(&E, "SELECT count(*) FROM followup_jobs WHERE status = 'pending'") != 0;
       i++)
    usleep(100000);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM followup_jobs WHERE status = 'pending'"), 0);
  /* Server 0 comes back for the next tests. */
  assert_int_equal(pd_e2e_server_stop(&E, 1, SIGTERM, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_start(&E, 0, env), 0);
  free(token);
}

static void test_sigterm_finishes_the_send_in_flight(void **state)
{
  assert_int_equal(pd_double_delay_next(E.dbl, 1500, 1), 0);
  char *token = defer_profile(0, "710000000000000006");
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  json_decref(reqs);
  int64_t t0 = mono_ms();
  int status = -1;
  assert_int_equal(pd_e2e_server_stop(&E, 0, SIGTERM, 10000, &status), 0);
  assert_int_equal(status, 0);
  assert_true(mono_ms() - t0 < 10000);
  /* It waited for Discord's answer and recorded the delivery before exiting. */
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM followup_jobs WHERE status = 'pending'"), 0);
  const char *env[] = {NULL};
  assert_int_equal(pd_e2e_server_start(&E, 0, env), 0);
  free(token);
}

static void test_database_outage_is_a_polite_message_then_recovers(void **state)
{
  const char *pgdir = getenv("PD_PG_DIR");
  char cmd[1024];
  assert_non_null(pgdir);
  json_t *ix = pd_e2e_command("daily", "710000000000000007"), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, NULL), 200);
  json_decref(ix);
  PQfinish(E.pg);
  E.pg = NULL;

  snprintf(cmd, sizeof(cmd), "scripts/pg.sh stop %s", pgdir);
  assert_int_equal(system(cmd), 0);
  int64_t t0 = mono_ms();
  ix = pd_e2e_command("balance", "710000000000000007");
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_true(mono_ms() - t0 < 3000);
  assert_true(pd_e2e_ephemeral(reply));
  assert_non_null(
      strstr(pd_e2e_content(reply), "PopDeck is catching its breath, try again in a moment."));
  json_decref(ix);
  json_decref(reply);
  /* Commands that need no database still answer, and ops see the outage. */
  ix = pd_e2e_command("ping", "710000000000000007");
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "Pong!"));
  json_decref(ix);
  json_decref(reply);
  struct pd_http_reply r;
  assert_int_equal(pd_e2e_get(&E, 0, "/readyz", &r), 503);
  pd_http_reply_free(&r);

  snprintf(cmd, sizeof(cmd), "scripts/pg.sh start %s --fast >/dev/null", pgdir);
  assert_int_equal(system(cmd), 0);
  t0 = mono_ms();
  bool back = false;
  while (!back && mono_ms() - t0 < 5000) {
    ix = pd_e2e_command("balance", "710000000000000007");
    assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
    back = json_object_get(json_object_get(reply, "data"), "embeds") != NULL;
    json_decref(ix);
    json_decref(reply);
    if (!back)
      usleep(100000);
  }
  assert_true(back);
  E.pg = PQconnectdb(E.db_url);
  assert_int_equal(PQstatus(E.pg), CONNECTION_OK);
}

/* An idle server's workers wait: with nothing queued, each looks at the queue a few times a
 * second (IDLE_POLL_MS) instead of asking PostgreSQL again at once.  (The queue's "next due"
 * came back 0 rather than "nothing" for an empty queue, and every worker spun on it, using a
 * core between itself and its database backend.)  Counted in committed transactions, which
 * the statistics flush at least once a second. */
static void test_idle_workers_wait(void **state)
{
  for (int i = 0;
       i < 100 &&
       pd_e2e_sql_int(&E, "SELECT count(*) FROM followup_jobs WHERE status = 'pending'") != 0;
       i++)
    usleep(100 * 1000);
  sleep(2);
  const char *q = "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()";
  int64_t before = pd_e2e_sql_int(&E, q);
  sleep(4);
  int64_t spent = pd_e2e_sql_int(&E, q) - before;
  /* Each worker of each server: about 8 transactions a second when idle; spinning, thousands. */
  if (spent > 600)
    fail_msg("%lld transactions in 4 s on an idle queue", (long long)spent);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST_SETUP(test_429_waits_retry_after_then_delivers, reset),
      PD_E2E_TEST_SETUP(test_global_429_pauses_every_send, reset),
      PD_E2E_TEST_SETUP(test_5xx_retried_with_backoff, reset),
      PD_E2E_TEST_SETUP(test_4xx_is_never_retried, reset),
      PD_E2E_TEST_SETUP(test_expired_token_is_given_up_without_sending, reset),
      PD_E2E_TEST_SETUP(test_unknown_kind_is_failed_not_retried, reset),
      PD_E2E_TEST_SETUP(test_old_style_job_during_deploy_keeps_its_picture, reset),
      PD_E2E_TEST_SETUP(test_migration_moves_pending_private_keys, reset),
      PD_E2E_TEST_SETUP(test_two_instances_deliver_each_job_exactly_once, reset),
      PD_E2E_TEST_SETUP(test_worker_killed_mid_send_loses_nothing, reset),
      PD_E2E_TEST_SETUP(test_sigterm_finishes_the_send_in_flight, reset),
      PD_E2E_TEST_SETUP(test_database_outage_is_a_polite_message_then_recovers, reset),
      PD_E2E_TEST_SETUP(test_idle_workers_wait, reset),
  };
  return cmocka_run_group_tests_name("e2e_followups", tests, setup, teardown);
}
