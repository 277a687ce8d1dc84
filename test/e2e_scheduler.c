/* e2e_scheduler.c - the scheduler and the database clock, end to end: two `popdeck serve`
 * instances on one database, each with a scheduler ticking every 50 ms, and the test moving the
 * database clock (pd_clock) forward a period at a time.  Each period of a task runs once however
 * the two race for it (their own run counters, summed, equal the periods); periods missed while
 * no instance ran collapse into one catch-up run that says how many it covered; a run left
 * 'running' by a dead instance is taken over; /metrics shows each task's latest run; a task name
 * that is not one stops serve; and no view, function or default reads now() instead of
 * pd_now(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"

static struct pd_e2e E;
/* An hour per period: the test moves the clock an hour at a time, far from any real boundary. */
static const char *const FAST[] = {
    "SCHEDULER_PERIODS=expire:3600,leaderboard:3600,event_end:3600,wishlist_notify:3600",
    "SCHEDULER_TICK_MS=50", NULL};
/* The tasks that run in every configuration (the others need their sources or thresholds). */
static const char *const TASKS[] = {"expire", "leaderboard", "event_end", "wishlist_notify", NULL};

static int setup(void **state)
{
  int status = 0;
  if (pd_e2e_setup(&E, "scheduler") != 0 || pd_e2e_server_stop(&E, 0, 15, 10000, &status) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

/* Waits up to 10 s for every task's current period (by the database clock) to be done. */
static bool period_done(void)
{
  for (int i = 0; i < 200; i++) {
    if (pd_e2e_sql_int(&E, "SELECT count(*) FROM scheduler_runs WHERE state = 'ok' AND task IN"
                           " ('expire', 'leaderboard', 'event_end', 'wishlist_notify') AND"
                           " period_start = pd_period_start('3600 s', pd_now())") == 4)
      return true;
    usleep(50 * 1000);
  }
  return false;
}

static double runs_on(int idx, const char *task)
{
  char sample[128];
  snprintf(sample, sizeof(sample), "popdeck_task_runs_total{task=\"%s\",outcome=\"ok\"}", task);
  double v = pd_e2e_metric(&E, idx, sample);
  return v < 0 ? 0 : v; /* an instance that never ran it has no line for it */
}

/* Starts server idx with extra, stopping first one a failed test left running (a second start
 * would lose it, and it would go on running tasks on the suite's database). */
static void start(int idx, const char *const *extra)
{
  int status = 0;
  if (E.srv[idx].proc != NULL)
    assert_int_equal(pd_e2e_server_stop(&E, idx, 15, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_start(&E, idx, extra), 0);
}

static void start_both(void)
{
  start(0, FAST);
  start(1, FAST);
}

static void stop_both(void)
{
  int status = 0;
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);
  assert_int_equal(status, 0);
  assert_int_equal(pd_e2e_server_stop(&E, 1, 15, 10000, &status), 0);
  assert_int_equal(status, 0);
}

/* Ten periods with two instances racing every 50 ms: each task runs once per period in all. */
static void test_two_instances_run_each_period_once(void **state)
{
  assert_true(pd_e2e_sql(&E, "DELETE FROM scheduler_runs"));
  start_both();
  assert_true(period_done());
  for (int k = 0; k < 10; k++) {
    assert_true(pd_e2e_clock_advance(&E, 3600));
    assert_true(period_done());
  }
  /* A last look a few ticks later: nobody ran a done period again. */
  usleep(300 * 1000);
  for (const char *const *t = TASKS; *t != NULL; t++) {
    int64_t rows = pd_e2e_sqlf(&E, "SELECT count(*) FROM scheduler_runs WHERE task = '%s'", *t);
    assert_true(rows >= 11); /* the first period, then ten more (a real hour may add one) */
    assert_int_equal(pd_e2e_sqlf(&E,
                                 "SELECT count(*) FROM scheduler_runs WHERE task = '%s' AND"
                                 " (state <> 'ok' OR attempts <> 1)",
                                 *t),
                     0);
    double r0 = runs_on(0, *t), r1 = runs_on(1, *t);
    fprintf(stderr, "# %s runs: server 0 %.0f, server 1 %.0f, periods %lld\n", *t, r0, r1,
            (long long)rows);
    assert_true(r0 + r1 == (double)rows);
  }
  /* /metrics shows the latest run, from whichever instance ran it. */
  double last = pd_e2e_metric(&E, 1, "popdeck_task_last_run_timestamp_seconds{task=\"expire\"}");
  assert_true(last > 0);
  assert_true(pd_e2e_metric(&E, 0, "popdeck_task_last_outcome{task=\"expire\",outcome=\"ok\"}") ==
              1);
  assert_true(
      pd_e2e_metric(&E, 0, "popdeck_task_last_outcome{task=\"expire\",outcome=\"failed\"}") == 0);
  assert_true(pd_e2e_metric(&E, 0, "popdeck_task_last_duration_seconds{task=\"leaderboard\"}") >=
              0);
  assert_true(pd_e2e_metric(&E, 0, "popdeck_clock_skew_seconds") >= 36000);
  stop_both();
}

/* Five periods pass while nothing runs: the restart runs the current one once, missed 4. */
static void test_missed_periods_are_caught_up_once(void **state)
{
  start_both();
  assert_true(period_done());
  stop_both();
  assert_true(pd_e2e_clock_advance(&E, 5 * 3600));
  int64_t before = pd_e2e_sql_int(&E, "SELECT count(*) FROM scheduler_runs WHERE task = 'expire'");
  start_both();
  assert_true(period_done());
  usleep(300 * 1000);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM scheduler_runs WHERE task = 'expire'"),
                   before + 1);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT missed FROM scheduler_runs WHERE task = 'expire'"
                                      " AND period_start = pd_period_start('3600 s', pd_now())"),
                   4);
  double m0 = pd_e2e_metric(&E, 0, "popdeck_task_last_missed_periods{task=\"expire\"}");
  assert_true(m0 == 4);
  stop_both();
}

/* A run left 'running' by an instance that died (its lock went with it) is taken over. */
static void test_dead_runner_is_taken_over(void **state)
{
  assert_true(pd_e2e_clock_advance(&E, 3600));
  assert_true(pd_e2e_sql(&E, "INSERT INTO scheduler_runs (task, period_start, state, instance)"
                             " VALUES ('expire', pd_period_start('3600 s', pd_now()), 'running',"
                             " 'gone:1')"));
  start_both();
  assert_true(period_done());
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT attempts FROM scheduler_runs WHERE task = 'expire'"
                                      " AND period_start = pd_period_start('3600 s', pd_now())"),
                   2);
  char who[128];
  pd_e2e_sql_text(&E,
                  "SELECT instance FROM scheduler_runs WHERE task = 'expire' AND period_start ="
                  " pd_period_start('3600 s', pd_now())",
                  who, sizeof(who));
  assert_string_not_equal(who, "gone:1");
  stop_both();
}

/* SCHEDULER=0 keeps an instance out; a task name that is not one stops serve with exit 2. */
static void test_scheduler_off_and_bad_task_name(void **state)
{
  static const char *const OFF[] = {"SCHEDULER=0", "SCHEDULER_PERIODS=expire:3600",
                                    "SCHEDULER_TICK_MS=50", NULL};
  int status = 0;
  assert_true(pd_e2e_clock_advance(&E, 3600));
  start(0, OFF);
  usleep(500 * 1000);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM scheduler_runs WHERE period_start ="
                                      " pd_period_start('3600 s', pd_now())"),
                   0);
  assert_int_equal(pd_e2e_server_stop(&E, 0, 15, 10000, &status), 0);

  char cmd[1024];
  snprintf(cmd, sizeof(cmd),
           "SCHEDULER_PERIODS=expire:60,leaderbord:30 DATABASE_URL=postgresql:///x"
           " DISCORD_PUBLIC_KEY=%s DISCORD_APPLICATION_ID=%s %s/popdeck serve 2>&1 | head -n 1"
           " | grep -q '^SCHEDULER_PERIODS: \"leaderbord\" is not a task (the tasks are: expire'",
           E.pk_hex, PD_E2E_APP_ID, E.build);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof(cmd),
           "SCHEDULER_PERIODS=leaderbord:30 DATABASE_URL=postgresql:///x DISCORD_PUBLIC_KEY=%s"
           " DISCORD_APPLICATION_ID=%s %s/popdeck serve >/dev/null 2>&1",
           E.pk_hex, PD_E2E_APP_ID, E.build);
  int rc = system(cmd);
  assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
}

/* The clock has one source: any now() a later migration adds to a view, a function or a column
 * default (outside the job queues, which keep the wall clock) is named here. */
static void test_nothing_reads_now_but_pd_now(void **state)
{
  char found[2048];
  pd_e2e_sql_text(
      &E,
      "SELECT coalesce(string_agg(what, ', '), '') FROM ("
      " SELECT c.table_name || '.' || c.column_name AS what FROM information_schema.columns c"
      " JOIN information_schema.tables t USING (table_schema, table_name)"
      " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
      " AND c.column_default ~ '(^|[^a-z_])now\\(\\)'"
      " AND c.table_name NOT IN ('followup_jobs', 'admin_jobs', 'schema_migrations')"
      " UNION ALL SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
      " WHERE n.nspname = 'public' AND c.relkind = 'v'"
      " AND pg_get_viewdef(c.oid) ~ '(^|[^a-z_])now\\(\\)'"
      " UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
      " WHERE n.nspname = 'public' AND p.proname <> 'pd_now'"
      " AND p.prosrc ~ '(^|[^a-z_])now\\(\\)') x",
      found, sizeof(found));
  assert_string_equal(found, "");
  /* And the clock moves what it should: a skewed pd_now() is now() plus the skew. */
  assert_true(pd_e2e_sql(&E, "UPDATE pd_clock SET skew = '0'"));
  assert_true(pd_e2e_clock_advance(&E, 86400));
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT round(extract(epoch FROM pd_now() - now()))"), 86400);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT extract(isodow FROM pd_period_start('7 days',"
                                      " pd_now()))::int"),
                   1); /* weekly periods start on Monday */
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT extract(day FROM pd_period_start('1 month',"
                                      " pd_now()))::int"),
                   1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_two_instances_run_each_period_once),
      PD_E2E_TEST(test_missed_periods_are_caught_up_once),
      PD_E2E_TEST(test_dead_runner_is_taken_over),
      PD_E2E_TEST(test_scheduler_off_and_bad_task_name),
      PD_E2E_TEST(test_nothing_reads_now_but_pd_now),
  };
  return cmocka_run_group_tests_name("e2e_scheduler", tests, setup, teardown);
}
