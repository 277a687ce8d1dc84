#define PD_UNITTEST 1 /* see pd_metrics_reset */
/* test_metrics.c - counters and the latency histogram as /metrics renders them (lib/metrics.c).
 * The rendered text is parsed line by line, as Prometheus would read it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#define MAX_SAMPLES 256

struct sample {
  char name[96];
  char labels[96]; /* between the braces, "" when none */
  double value;
};

struct scrape {
  struct sample s[MAX_SAMPLES];
  size_t n;
  char types[32][96]; /* families with a # TYPE line */
  size_t n_types;
  char *text;  /* as rendered */
  char *lines; /* a copy cut into lines */
};

static bool typed(const struct scrape *sc, const char *family)
{
  for (size_t i = 0; i < sc->n_types; i++)
    if (strcmp(sc->types[i], family) == 0)
      return true;
  return false;
}

/* The family a sample belongs to: histogram samples drop _bucket/_sum/_count. */
static void family_of(const char *name, char out[96])
{
  static const char *suffixes[] = {"_bucket", "_sum", "_count"};
  snprintf(out, 96, "%s", name);
  for (size_t i = 0; i < PD_ARRAY_LEN(suffixes); i++) {
    size_t n = strlen(out), k = strlen(suffixes[i]);
    if (n > k && strcmp(out + n - k, suffixes[i]) == 0) {
      out[n - k] = '\0';
      return;
    }
  }
}

static void scrape(const struct pd_metrics_gauges *g, struct scrape *sc)
{
  size_t len = 0;
  memset(sc, 0, sizeof(*sc));
  assert_int_equal(pd_metrics_render(g, &sc->text, &len), PD_OK);
  assert_int_equal(strlen(sc->text), len);
  assert_true(len > 0 && sc->text[len - 1] == '\n');
  sc->lines = strdup(sc->text);
  assert_non_null(sc->lines);
  char *save = NULL;
  for (char *line = strtok_r(sc->lines, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    char name[96], rest[160];
    if (strncmp(line, "# HELP ", 7) == 0) {
      if (sscanf(line + 7, "%95s %159[^\n]", name, rest) != 2)
        fail_msg("HELP without text: %s", line);
      continue;
    }
    if (strncmp(line, "# TYPE ", 7) == 0) {
      char type[32];
      if (sscanf(line + 7, "%95s %31s", name, type) != 2 ||
          (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0 &&
           strcmp(type, "histogram") != 0))
        fail_msg("bad TYPE line: %s", line);
      if (typed(sc, name))
        fail_msg("family %s typed twice", name);
      assert_true(sc->n_types < PD_ARRAY_LEN(sc->types));
      snprintf(sc->types[sc->n_types++], 96, "%s", name);
      continue;
    }
    assert_true(sc->n < MAX_SAMPLES);
    struct sample *s = &sc->s[sc->n++];
    size_t name_len = strspn(line, "abcdefghijklmnopqrstuvwxyz_");
    if (name_len == 0 || name_len >= sizeof(s->name))
      fail_msg("bad sample line: %s", line);
    memcpy(s->name, line, name_len);
    const char *p = line + name_len;
    if (*p == '{') {
      const char *close = strchr(p, '}');
      if (close == NULL || (size_t)(close - p - 1) >= sizeof(s->labels))
        fail_msg("bad labels: %s", line);
      memcpy(s->labels, p + 1, (size_t)(close - p - 1));
      p = close + 1;
    }
    char *end = NULL;
    if (*p != ' ')
      fail_msg("no space before the value: %s", line);
    s->value = strtod(p + 1, &end);
    if (end == p + 1 || *end != '\0')
      fail_msg("bad value: %s", line);
    char family[96];
    family_of(s->name, family);
    if (!typed(sc, family))
      fail_msg("sample before its # TYPE line: %s", line);
    for (size_t i = 0; i + 1 < sc->n; i++)
      if (strcmp(sc->s[i].name, s->name) == 0 && strcmp(sc->s[i].labels, s->labels) == 0)
        fail_msg("sample repeated: %s", line);
  }
}

/* The value of name{labels}, or -1 when the scrape has no such sample. */
static double value_of(const struct scrape *sc, const char *name, const char *labels)
{
  for (size_t i = 0; i < sc->n; i++)
    if (strcmp(sc->s[i].name, name) == 0 && strcmp(sc->s[i].labels, labels) == 0)
      return sc->s[i].value;
  return -1;
}

static size_t count_named(const struct scrape *sc, const char *name)
{
  size_t n = 0;
  for (size_t i = 0; i < sc->n; i++)
    n += strcmp(sc->s[i].name, name) == 0;
  return n;
}

static void expect(const struct scrape *sc, const char *name, const char *labels, double want)
{
  double got = value_of(sc, name, labels);
  if (got != want)
    fail_msg("%s{%s}: got %g, want %g (-1: absent)\n%s", name, labels, got, want, sc->text);
}

static void scrape_free(struct scrape *sc)
{
  free(sc->text);
  free(sc->lines);
}

static const struct pd_metrics_gauges idle = {.db_pool_size = 8};

static int reset(void **state)
{
  pd_metrics_reset();
  return 0;
}

static void test_fresh_process(void **state)
{
  struct scrape sc;
  scrape(&idle, &sc);
  assert_int_equal(count_named(&sc, "popdeck_http_requests_total"), 0);
  assert_true(typed(&sc, "popdeck_http_requests_total"));
  expect(&sc, "popdeck_signature_failures_total", "", 0);
  expect(&sc, "popdeck_handler_duration_seconds_bucket", "le=\"+Inf\"", 0);
  expect(&sc, "popdeck_handler_duration_seconds_count", "", 0);
  expect(&sc, "popdeck_handler_duration_seconds_sum", "", 0);
  assert_int_equal(count_named(&sc, "popdeck_followup_attempts_total"), PD_FOLLOWUP_OUTCOME_COUNT);
  expect(&sc, "popdeck_followup_failures_total", "", 0);
  expect(&sc, "popdeck_followup_queue_depth", "", 0);
  expect(&sc, "popdeck_db_pool_in_use", "", 0);
  expect(&sc, "popdeck_db_pool_size", "", 8);
  scrape_free(&sc);
}

static void test_requests_by_route_and_status(void **state)
{
  struct {
    enum pd_route route;
    int status, times;
    const char *labels;
  } rows[] = {
      {PD_ROUTE_INTERACTIONS, 200, 5, "route=\"/interactions\",status=\"200\""},
      {PD_ROUTE_INTERACTIONS, 401, 3, "route=\"/interactions\",status=\"401\""},
      {PD_ROUTE_INTERACTIONS, 413, 1, "route=\"/interactions\",status=\"413\""},
      {PD_ROUTE_HEALTHZ, 200, 2, "route=\"/healthz\",status=\"200\""},
      {PD_ROUTE_READYZ, 503, 4, "route=\"/readyz\",status=\"503\""},
      {PD_ROUTE_METRICS, 200, 1, "route=\"/metrics\",status=\"200\""},
      {PD_ROUTE_CARDS, 304, 6, "route=\"/cards\",status=\"304\""},
      {PD_ROUTE_CARDS, 404, 1, "route=\"/cards\",status=\"404\""},
      {PD_ROUTE_ADMIN, 403, 2, "route=\"/admin\",status=\"403\""},
      {PD_ROUTE_OTHER, 405, 7, "route=\"other\",status=\"405\""},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    for (int k = 0; k < rows[i].times; k++)
      pd_metrics_request(rows[i].route, rows[i].status);
  struct scrape sc;
  scrape(&idle, &sc);
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    expect(&sc, "popdeck_http_requests_total", rows[i].labels, rows[i].times);
  assert_int_equal(count_named(&sc, "popdeck_http_requests_total"), PD_ARRAY_LEN(rows));
  scrape_free(&sc);

  pd_metrics_reset();
  scrape(&idle, &sc);
  assert_int_equal(count_named(&sc, "popdeck_http_requests_total"), 0);
  scrape_free(&sc);
}

/* A status outside the usual set is still reported under its own code, each one separately. */
static void test_unusual_statuses(void **state)
{
  pd_metrics_request(PD_ROUTE_INTERACTIONS, 418);
  pd_metrics_request(PD_ROUTE_INTERACTIONS, 418);
  struct scrape sc;
  scrape(&idle, &sc);
  expect(&sc, "popdeck_http_requests_total", "route=\"/interactions\",status=\"418\"", 2);
  assert_int_equal(count_named(&sc, "popdeck_http_requests_total"), 1);
  scrape_free(&sc);

  pd_metrics_request(PD_ROUTE_INTERACTIONS, 422);
  pd_metrics_request(PD_ROUTE_ADMIN, 409);
  pd_metrics_request(PD_ROUTE_INTERACTIONS, 200);
  scrape(&idle, &sc);
  expect(&sc, "popdeck_http_requests_total", "route=\"/interactions\",status=\"418\"", 2);
  expect(&sc, "popdeck_http_requests_total", "route=\"/interactions\",status=\"422\"", 1);
  expect(&sc, "popdeck_http_requests_total", "route=\"/admin\",status=\"409\"", 1);
  expect(&sc, "popdeck_http_requests_total", "route=\"/interactions\",status=\"200\"", 1);
  assert_int_equal(count_named(&sc, "popdeck_http_requests_total"), 4);
  scrape_free(&sc);

  pd_metrics_request(PD_ROUTE_CARDS, 99); /* not an HTTP status at all */
  pd_metrics_request(PD_ROUTE_CARDS, 600);
  pd_metrics_request(PD_ROUTE_CARDS, 599);
  scrape(&idle, &sc);
  expect(&sc, "popdeck_http_requests_total", "route=\"/cards\",status=\"other\"", 2);
  expect(&sc, "popdeck_http_requests_total", "route=\"/cards\",status=\"599\"", 1);
  scrape_free(&sc);
}

static void test_unknown_route_counts_as_other(void **state)
{
  pd_metrics_request((enum pd_route)99, 200);
  struct scrape sc;
  scrape(&idle, &sc);
  expect(&sc, "popdeck_http_requests_total", "route=\"other\",status=\"200\"", 1);
  scrape_free(&sc);
  assert_string_equal(pd_route_name(PD_ROUTE_INTERACTIONS), "/interactions");
  assert_string_equal(pd_route_name(PD_ROUTE_ADMIN), "/admin");
  assert_string_equal(pd_route_name((enum pd_route)99), "other");
}

static void test_signature_failures(void **state)
{
  for (int i = 0; i < 3; i++)
    pd_metrics_signature_failure();
  struct scrape sc;
  scrape(&idle, &sc);
  expect(&sc, "popdeck_signature_failures_total", "", 3);
  scrape_free(&sc);
}

static void test_tx_retries(void **state)
{
  struct scrape sc;
  scrape(&idle, &sc);
  expect(&sc, "popdeck_db_tx_retries_total", "", 0);
  scrape_free(&sc);
  pd_metrics_tx_retry();
  pd_metrics_tx_retry();
  scrape(&idle, &sc);
  expect(&sc, "popdeck_db_tx_retries_total", "", 2);
  scrape_free(&sc);
}

static void test_histogram_cumulative(void **state)
{
  static const double seen[] = {0.0001, 0.0005, 0.0006, 0.003, 0.003, 0.02, 0.2, 1, 2.4, 3, 10};
  static const struct {
    const char *le;
    double bound;
  } buckets[] = {{"0.0005", 0.0005}, {"0.001", 0.001}, {"0.0025", 0.0025}, {"0.005", 0.005},
                 {"0.01", 0.01},     {"0.025", 0.025}, {"0.05", 0.05},     {"0.1", 0.1},
                 {"0.25", 0.25},     {"0.5", 0.5},     {"1", 1},           {"2.5", 2.5}};
  double sum = 0;
  for (size_t i = 0; i < PD_ARRAY_LEN(seen); i++) {
    pd_metrics_handler_seconds(seen[i]);
    sum += seen[i];
  }
  struct scrape sc;
  scrape(&idle, &sc);
  assert_int_equal(count_named(&sc, "popdeck_handler_duration_seconds_bucket"),
                   PD_ARRAY_LEN(buckets) + 1);
  double prev = 0;
  for (size_t b = 0; b < PD_ARRAY_LEN(buckets); b++) {
    double want = 0;
    for (size_t i = 0; i < PD_ARRAY_LEN(seen); i++)
      want += seen[i] <= buckets[b].bound; /* le: less than or equal */
    char labels[32];
    snprintf(labels, sizeof(labels), "le=\"%s\"", buckets[b].le);
    expect(&sc, "popdeck_handler_duration_seconds_bucket", labels, want);
    assert_true(want >= prev);
    prev = want;
  }
  double count = value_of(&sc, "popdeck_handler_duration_seconds_count", "");
  assert_true(count == (double)PD_ARRAY_LEN(seen));
  expect(&sc, "popdeck_handler_duration_seconds_bucket", "le=\"+Inf\"", count);
  double got_sum = value_of(&sc, "popdeck_handler_duration_seconds_sum", "");
  if (fabs(got_sum - sum) > 1e-6 * PD_ARRAY_LEN(seen) + 1e-6) /* kept in whole microseconds */
    fail_msg("_sum %f, want %f", got_sum, sum);
  scrape_free(&sc);
}

static void test_followups(void **state)
{
  static const struct {
    enum pd_followup_outcome o;
    const char *label;
    int times;
  } rows[] = {
      {PD_FOLLOWUP_SENT, "outcome=\"sent\"", 7},
      {PD_FOLLOWUP_RATE_LIMITED, "outcome=\"rate_limited\"", 2},
      {PD_FOLLOWUP_RETRY, "outcome=\"retry\"", 3},
      {PD_FOLLOWUP_GAVE_UP, "outcome=\"gave_up\"", 4},
      {PD_FOLLOWUP_EXPIRED, "outcome=\"expired\"", 5},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    for (int k = 0; k < rows[i].times; k++)
      pd_metrics_followup(rows[i].o);
  pd_metrics_followup(PD_FOLLOWUP_OUTCOME_COUNT); /* out of range: ignored */
  struct scrape sc;
  scrape(&idle, &sc);
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++)
    expect(&sc, "popdeck_followup_attempts_total", rows[i].label, rows[i].times);
  assert_int_equal(count_named(&sc, "popdeck_followup_attempts_total"), PD_ARRAY_LEN(rows));
  expect(&sc, "popdeck_followup_failures_total", "",
         value_of(&sc, "popdeck_followup_attempts_total", "outcome=\"gave_up\"") +
             value_of(&sc, "popdeck_followup_attempts_total", "outcome=\"expired\""));
  expect(&sc, "popdeck_followup_failures_total", "", 9);
  scrape_free(&sc);
}

static void test_gauges(void **state)
{
  struct pd_metrics_gauges g = {.followup_queue_depth = 12, .db_pool_in_use = 3, .db_pool_size = 8};
  struct scrape sc;
  scrape(&g, &sc);
  expect(&sc, "popdeck_followup_queue_depth", "", 12);
  expect(&sc, "popdeck_db_pool_in_use", "", 3);
  expect(&sc, "popdeck_db_pool_size", "", 8);
  scrape_free(&sc);

  g.followup_queue_depth = -1; /* the database could not be asked: say nothing rather than 0 */
  scrape(&g, &sc);
  assert_int_equal(count_named(&sc, "popdeck_followup_queue_depth"), 0);
  assert_false(typed(&sc, "popdeck_followup_queue_depth"));
  assert_null(strstr(sc.text, "queue_depth")); /* its HELP line too */
  expect(&sc, "popdeck_db_pool_in_use", "", 3);
  scrape_free(&sc);
}

/* The scheduler's lines: this instance's runs by task and outcome, each task's latest run from
 * the database with exactly one outcome set, and the clock's skew only when there is one. */
static void test_tasks(void **state)
{
  struct pd_metrics_task t[2] = {
      {.task = "expire",
       .started_at = 1700000000.5,
       .duration_s = 0.25,
       .state = "ok",
       .attempts = 1,
       .missed = 4},
      {.task = "leaderboard", .started_at = 1700000060, .state = "running", .attempts = 2},
  };
  struct pd_metrics_gauges g = {.db_pool_size = 8, .tasks = t, .ntasks = 2};
  struct scrape sc;
  pd_metrics_task_run("expire", true);
  pd_metrics_task_run("expire", true);
  pd_metrics_task_run("expire", false);
  scrape(&g, &sc);
  expect(&sc, "popdeck_task_runs_total", "task=\"expire\",outcome=\"ok\"", 2);
  expect(&sc, "popdeck_task_runs_total", "task=\"expire\",outcome=\"failed\"", 1);
  assert_int_equal(count_named(&sc, "popdeck_task_runs_total"), 2); /* leaderboard ran elsewhere */
  expect(&sc, "popdeck_task_last_run_timestamp_seconds", "task=\"expire\"", 1700000000.5);
  expect(&sc, "popdeck_task_last_duration_seconds", "task=\"expire\"", 0.25);
  expect(&sc, "popdeck_task_last_missed_periods", "task=\"expire\"", 4);
  expect(&sc, "popdeck_task_last_outcome", "task=\"expire\",outcome=\"ok\"", 1);
  expect(&sc, "popdeck_task_last_outcome", "task=\"expire\",outcome=\"running\"", 0);
  expect(&sc, "popdeck_task_last_outcome", "task=\"leaderboard\",outcome=\"running\"", 1);
  expect(&sc, "popdeck_task_last_outcome", "task=\"leaderboard\",outcome=\"ok\"", 0);
  expect(&sc, "popdeck_task_last_attempts", "task=\"leaderboard\"", 2);
  assert_int_equal(count_named(&sc, "popdeck_clock_skew_seconds"), 0);
  scrape_free(&sc);
  g.clock_skew_s = 86400;
  g.ntasks = 0; /* the database could not be asked: no latest runs, the counters still */
  scrape(&g, &sc);
  expect(&sc, "popdeck_clock_skew_seconds", "", 86400);
  assert_int_equal(count_named(&sc, "popdeck_task_last_outcome"), 0);
  expect(&sc, "popdeck_task_runs_total", "task=\"expire\",outcome=\"ok\"", 2);
  scrape_free(&sc);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup(test_fresh_process, reset),
      cmocka_unit_test_setup(test_requests_by_route_and_status, reset),
      cmocka_unit_test_setup(test_unusual_statuses, reset),
      cmocka_unit_test_setup(test_unknown_route_counts_as_other, reset),
      cmocka_unit_test_setup(test_signature_failures, reset),
      cmocka_unit_test_setup(test_tx_retries, reset),
      cmocka_unit_test_setup(test_histogram_cumulative, reset),
      cmocka_unit_test_setup(test_followups, reset),
      cmocka_unit_test_setup(test_gauges, reset),
      cmocka_unit_test_setup(test_tasks, reset),
  };
  return cmocka_run_group_tests_name("test_metrics", tests, NULL, NULL);
}
