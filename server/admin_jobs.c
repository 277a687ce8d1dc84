/* admin_jobs.c - the admin background jobs' runner and its kinds (see admin_jobs.h). */
#include "admin_jobs.h"

#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "catalog.h"
#include "db_admin_jobs.h"
#include "ingest.h"
#include "log.h"
#include "utf8.h"

#define IDLE_POLL_MS 250    /* how often an idle thread looks at the stop flag */
#define CLAIM_EVERY_MS 1000 /* and at leases that ran out (nobody announces those) */
#define EDIT_EVERY_MS 1000  /* at most one edit of a job's Discord message a second */
/* A job that reported nothing for this long is stuck: its lease is no longer renewed, so
 * another instance takes it over once it runs out. */
#define STALL_MS (10 * 60 * 1000)
#define BAR_WIDTH 20
#define COLOR_RUNNING 0x3498DB
#define COLOR_DONE 0x2ECC71
#define COLOR_ERROR 0xE74C3C

/* One runner thread; the heartbeat reads what it runs. */
struct slot {
  struct pd_admin_jobs *r;
  pthread_t thread;
  _Atomic int64_t job;     /* the job's id while it runs, else 0 */
  atomic_int attempt;      /* its attempt */
  _Atomic int64_t beat_us; /* pd_now_us of its last progress */
  struct pd_db *db;        /* its connection, opened before the thread starts */
};

struct pd_admin_jobs {
  struct pd_app *app;
  char instance[128]; /* host:pid */
  int n;
  struct slot *slots;
  pthread_t heart;
  bool heart_running;
  atomic_bool stop;
};

struct pd_admin_job {
  struct pd_admin_jobs *r;
  struct slot *slot;
  struct pd_db *db; /* the thread's own connection */
  struct pd_catalog *cat;
  struct pd_db_admin_job row;
  int64_t last_edit_us;
  bool lost;     /* another instance holds it now: leave it */
  bool stopping; /* this instance is stopping: give it back */
};

static int64_t now_ms(void)
{
  return pd_now_us() / 1000;
}

static void pause_ms(int ms)
{
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};
  nanosleep(&t, NULL);
}

static void log_job(const char *level, const char *msg, const struct pd_db_admin_job *j,
                    const char *text)
{
  json_t *f = json_pack("{s:I, s:s, s:i, s:s}", "job", (json_int_t)j->id, "kind", j->kind,
                        "attempt", j->attempts, "ref", j->ref);
  if (text != NULL)
    json_object_set_new(f, "text", json_string(text));
  pd_log(level, msg, f);
}

/* ---- the job's Discord message ---- */

/* "`██████░░░░░░` 12/34": done of total as a bar of BAR_WIDTH cells. */
static void bar(int done, int total, char *out, size_t cap)
{
  size_t n = 0;
  int full = total > 0 ? (int)((int64_t)done * BAR_WIDTH / total) : 0;
  if (full > BAR_WIDTH)
    full = BAR_WIDTH;
  n += (size_t)snprintf(out + n, cap - n, "`");
  for (int i = 0; i < BAR_WIDTH && n + 4 < cap; i++)
    n += (size_t)snprintf(out + n, cap - n, "%s", i < full ? "\xe2\x96\x88" : "\xe2\x96\x91");
  if (total > 0)
    snprintf(out + n, cap - n, "` %d/%d", done, total);
  else
    snprintf(out + n, cap - n, "` %d", done);
}

/* Queues an edit of the job's first answer (nothing when it came from REST, or its token has
 * expired).  In the caller's transaction: it supersedes every edit not yet sent. */
static enum pd_result edit(struct pd_admin_job *job, int done, int total, const char *text,
                           int color)
{
  char title[96], line[120], body[1400];
  bool queued = false;
  if (!job->row.has_token)
    return PD_OK;
  snprintf(title, sizeof(title), "Job %" PRId64 " \xc2\xb7 %s", job->row.id, job->row.kind);
  bar(done, total, line, sizeof(line));
  pd_utf8_fmt(body, sizeof(body), "%s\n%s", line, text);
  json_t *payload = json_pack("{s:[{s:s, s:s, s:i}]}", "embeds", "title", title, "description",
                              body, "color", color);
  if (payload == NULL)
    return PD_E_NOMEM;
  enum pd_result rc = pd_db_admin_job_edit(job->db, job->row.id, payload, &queued);
  json_decref(payload);
  job->last_edit_us = pd_now_us();
  return rc;
}

bool pd_admin_job_progress(struct pd_admin_job *job, int done, int total, const char *text)
{
  bool held = false;
  atomic_store(&job->slot->beat_us, pd_now_us());
  if (atomic_load(&job->r->stop)) {
    job->stopping = true;
    return false;
  }
  enum pd_result rc = pd_db_exec_sql(job->db, "BEGIN");
  if (rc == PD_OK)
    rc = pd_db_admin_job_progress(job->db, &job->row, job->r->app->cfg.admin_job_lease_s, done,
                                  total, text, &held);
  if (rc == PD_OK && !held) {
    (void)pd_db_exec_sql(job->db, "ROLLBACK");
    job->lost = true;
    log_job("warn", "admin job taken over by another instance: stopping", &job->row, NULL);
    return false;
  }
  if (total >= 0)
    job->row.total = total;
  job->row.done = done;
  if (rc == PD_OK && pd_now_us() - job->last_edit_us >= EDIT_EVERY_MS * 1000)
    rc = edit(job, done, total >= 0 ? total : job->row.total, text, COLOR_RUNNING);
  if (rc == PD_OK)
    rc = pd_db_exec_sql(job->db, "COMMIT");
  if (rc != PD_OK) {
    /* The work goes on: its lease is the heartbeat's, and the next report may get through. */
    (void)pd_db_exec_sql(job->db, "ROLLBACK");
    log_job("warn", "admin job progress not recorded", &job->row, pd_result_str(rc));
  }
  return true;
}

/* ---- the kinds ---- */

struct kind_out {
  json_t *result;    /* owned: what the job did */
  char message[600]; /* one line: "done: ..." */
  char error[600];   /* why it failed */
};

static void report_line(void *arg, bool error, const char *text)
{
  struct pd_admin_job *job = arg;
  log_job(error ? "warn" : "info", "admin job", &job->row, text);
}

static bool report_progress(void *arg, int done, int total, const char *text)
{
  return pd_admin_job_progress(arg, done, total, text);
}

static json_t *catalog_counts(const struct pd_catalog *c)
{
  return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "artists_added", c->artists_added,
                   "eras_added", c->eras_added, "images_added", c->images_added, "images_refused",
                   c->images_refused, "cards_rendered", c->cards_rendered, "cards_replaced",
                   c->cards_replaced, "cards_kept", c->cards_kept);
}

/* Idempotent: an artist already there gains only what is new (nothing, the second time). */
static enum pd_result kind_ingest(struct pd_admin_job *job, struct kind_out *out)
{
  const char *artist = json_string_value(json_object_get(job->row.params, "artist"));
  const struct pd_ingest_report rep = {report_line, report_progress, job};
  struct pd_catalog *c = job->cat;
  if (artist == NULL || artist[0] == '\0') {
    snprintf(out->error, sizeof(out->error), "the job names no artist");
    return PD_E_INVALID;
  }
  enum pd_result rc = pd_ingest_artist(c, artist, &rep, out->error, sizeof(out->error));
  if (rc != PD_OK)
    return rc;
  out->result = catalog_counts(c);
  pd_utf8_fmt(out->message, sizeof(out->message),
              "%s: %d artists and %d eras added, %d images added, %d refused, %d cards rendered, "
              "%d redrawn from real art, %d already there",
              artist, c->artists_added, c->eras_added, c->images_added, c->images_refused,
              c->cards_rendered, c->cards_replaced, c->cards_kept);
  return PD_OK;
}

/* Idempotent as ingest is, artist by artist. */
static enum pd_result kind_sync(struct pd_admin_job *job, struct kind_out *out)
{
  const struct pd_ingest_report rep = {report_line, report_progress, job};
  struct pd_catalog *c = job->cat;
  int skipped = 0;
  if (c->cfg->lastfm_api_key == NULL) {
    out->result = json_pack("{s:b}", "skipped", true);
    snprintf(out->message, sizeof(out->message),
             "LASTFM_API_KEY is not set, so Last.fm is skipped and there is nothing to sync");
    return PD_OK;
  }
  enum pd_result rc = pd_ingest_sync(c, NULL, &rep, &skipped, out->error, sizeof(out->error));
  if (rc != PD_OK)
    return rc;
  out->result = catalog_counts(c);
  json_object_set_new(out->result, "artists_skipped", json_integer(skipped));
  snprintf(out->message, sizeof(out->message),
           "%d artists and %d eras added, %d images added, %d cards rendered, %d redrawn, %d "
           "skipped",
           c->artists_added, c->eras_added, c->images_added, c->cards_rendered, c->cards_replaced,
           skipped);
  return PD_OK;
}

/* Each card becomes one revision newer.  Resumed, the job starts after the cards its last
 * attempt recorded as done; a card drawn but not yet recorded when that instance died is drawn
 * once more, as one more revision of the same picture: harmless. */
static enum pd_result kind_render(struct pd_admin_job *job, struct kind_out *out)
{
  json_t *cards = json_object_get(job->row.params, "cards");
  json_t *all = NULL;
  enum pd_result rc = PD_OK;
  if (cards == NULL) {
    rc = pd_db_admin_card_ids(job->cat->db, &all);
    if (rc != PD_OK) {
      snprintf(out->error, sizeof(out->error), "the cards cannot be listed: %s", pd_result_str(rc));
      return rc;
    }
    cards = all;
  }
  if (!json_is_array(cards)) {
    snprintf(out->error, sizeof(out->error), "\"cards\" must be a list of public ids");
    return PD_E_INVALID;
  }
  int n = (int)json_array_size(cards), failed = 0, drawn = 0;
  int from = job->row.attempts > 1 && job->row.done <= n ? job->row.done : 0;
  json_t *revs = json_object();
  char first[400] = "";
  for (int i = from; i < n; i++) {
    const char *id = json_string_value(json_array_get(cards, (size_t)i));
    char url[600], err[400], text[200];
    int rev = 0;
    rc = id != NULL ? pd_catalog_rerender(job->cat, id, &rev, url, sizeof(url), err, sizeof(err))
                    : PD_E_INVALID;
    if (id == NULL)
      snprintf(err, sizeof(err), "card %d of the list is not a public id", i + 1);
    if (rc == PD_OK) {
      drawn++;
      json_object_set_new(revs, id, json_pack("{s:i, s:s}", "image_rev", rev, "image_url", url));
    } else {
      failed++;
      if (first[0] == '\0')
        snprintf(first, sizeof(first), "%s", err);
      log_job("warn", "admin job: a card was not rendered", &job->row, err);
    }
    pd_utf8_fmt(text, sizeof(text), "%d/%d cards: %s", i + 1, n, id != NULL ? id : "?");
    if (!pd_admin_job_progress(job, i + 1, n, text)) {
      json_decref(revs);
      json_decref(all);
      snprintf(out->error, sizeof(out->error), "stopped after %d of %d cards", i + 1, n);
      return PD_E_CONFLICT;
    }
  }
  json_decref(all);
  out->result = json_pack("{s:i, s:i, s:o}", "rendered", drawn, "failed", failed, "cards", revs);
  if (failed > 0) {
    snprintf(out->error, sizeof(out->error), "%d of %d cards could not be rendered; the first: %s",
             failed, n - from, first);
    return PD_E_UPSTREAM;
  }
  snprintf(out->message, sizeof(out->message), "%d card%s rendered again as new files", drawn,
           drawn == 1 ? "" : "s");
  return PD_OK;
}

/* Idempotent like `popdeck seed demo`: a second run adds nothing. */
static enum pd_result kind_reseed(struct pd_admin_job *job, struct kind_out *out)
{
  const struct pd_ingest_report rep = {report_line, report_progress, job};
  struct pd_catalog *c = job->cat;
  enum pd_result rc = pd_seed_demo(c, -1, &rep, out->error, sizeof(out->error));
  if (rc != PD_OK)
    return rc;
  out->result = catalog_counts(c);
  snprintf(out->message, sizeof(out->message),
           "%d artists and %d eras added, %d cards rendered, %d already there", c->artists_added,
           c->eras_added, c->cards_rendered, c->cards_kept);
  return PD_OK;
}

static const struct {
  const char *name;
  enum pd_result (*run)(struct pd_admin_job *job, struct kind_out *out);
} kinds[] = {
    {"ingest", kind_ingest},
    {"sync", kind_sync},
    {"render", kind_render},
    {"reseed", kind_reseed},
};

/* ---- running one job ---- */

/* The thread's catalog writer, opened at its first job (its own connection, renderer and
 * rarity tables) and kept; counters start again at zero for each job. */
static enum pd_result catalog_ready(struct pd_admin_jobs *r, struct pd_catalog **cat, char *err,
                                    size_t errlen)
{
  if (*cat != NULL && PQstatus((*cat)->db->pg) == CONNECTION_OK) {
    struct pd_catalog *c = *cat;
    c->artists_added = c->eras_added = c->images_added = c->images_refused = 0;
    c->cards_rendered = c->cards_replaced = c->cards_kept = 0;
    return PD_OK;
  }
  if (*cat != NULL) {
    pd_catalog_close(*cat);
    free(*cat);
    *cat = NULL;
  }
  struct pd_catalog *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return PD_E_NOMEM;
  enum pd_result rc = pd_catalog_open_cfg(c, &r->app->cfg, err, errlen);
  if (rc != PD_OK) {
    pd_catalog_close(c);
    free(c);
    return rc;
  }
  *cat = c;
  return PD_OK;
}

/* The end of a job this instance still holds: done or failed, and the last edit of its message,
 * always queued (never held back by the one-a-second rule). */
static void finish(struct pd_admin_job *job, bool ok, json_t *result, const char *text)
{
  char line[700];
  bool held = false;
  pd_utf8_fmt(line, sizeof(line), "%s: %s", ok ? "done" : "failed", text);
  enum pd_result rc = pd_db_exec_sql(job->db, "BEGIN");
  if (rc == PD_OK)
    rc = pd_db_admin_job_finish(job->db, &job->row, ok, result, text, line, &held);
  if (rc == PD_OK && held) {
    int total = job->row.total > 0 ? job->row.total : 1;
    rc = edit(job, ok ? total : job->row.done, total, line, ok ? COLOR_DONE : COLOR_ERROR);
  }
  if (rc == PD_OK)
    rc = pd_db_exec_sql(job->db, "COMMIT");
  if (rc != PD_OK) {
    /* Left running: once the heartbeat stops, the lease runs out and it is done again. */
    (void)pd_db_exec_sql(job->db, "ROLLBACK");
    log_job("error", "admin job could not be finished", &job->row, pd_result_str(rc));
    return;
  }
  if (!held)
    log_job("warn", "admin job finished elsewhere meanwhile", &job->row, NULL);
  else
    log_job(ok ? "info" : "error", ok ? "admin job done" : "admin job failed", &job->row, text);
}

static void run_job(struct pd_admin_job *job, struct pd_catalog **cat)
{
  struct kind_out out = {0};
  char err[600] = "";
  enum pd_result rc = PD_E_INVALID;
  size_t k = 0;
  while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].name, job->row.kind) != 0)
    k++;
  log_job("info", "admin job started", &job->row, job->row.instance);
  if (k == sizeof(kinds) / sizeof(kinds[0])) {
    pd_utf8_fmt(out.error, sizeof(out.error), "unknown job kind \"%s\"", job->row.kind);
  } else if ((rc = catalog_ready(job->r, cat, err, sizeof(err))) != PD_OK) {
    pd_utf8_fmt(out.error, sizeof(out.error), "the catalog cannot be opened: %s", err);
  } else {
    job->cat = *cat;
    /* A report made on the way (a line of the catalog writer's) goes to the log. */
    job->cat->say = (struct pd_catalog_say){report_line, job};
    rc = kinds[k].run(job, &out);
    job->cat->say = (struct pd_catalog_say){NULL, NULL};
  }
  if (job->lost) {
    /* Another instance runs it now: what this one did is what a resumed run redoes. */
  } else if (job->stopping) {
    if (pd_db_admin_job_release(job->db, &job->row) == PD_OK)
      log_job("info", "admin job put back in the queue: this instance is stopping", &job->row,
              NULL);
  } else if (rc == PD_OK) {
    finish(job, true, out.result, out.message);
  } else {
    if (out.error[0] == '\0')
      snprintf(out.error, sizeof(out.error), "%s", pd_result_str(rc));
    finish(job, false, out.result, out.error);
  }
  json_decref(out.result);
}

/* One short transaction: the oldest job to run, made this instance's (or failed when its
 * attempts are used up).  *j->id is 0 when there was none, or it was failed. */
static enum pd_result claim(struct pd_admin_jobs *r, struct pd_db *db, struct pd_db_admin_job *j)
{
  char why[300];
  enum pd_result rc = pd_db_exec_sql(db, "BEGIN");
  if (rc != PD_OK)
    return rc;
  rc = pd_db_admin_job_pick(db, j);
  if (rc == PD_E_NOTFOUND) {
    j->id = 0;
    return pd_db_exec_sql(db, "COMMIT");
  }
  if (rc == PD_OK && j->attempts >= j->max_attempts) {
    /* Each attempt ended with its instance gone (a crash, a kill, a lost machine): another run
     * would most likely end the same way. */
    snprintf(why, sizeof(why), "the instance running it stopped %d times; last on %s", j->attempts,
             j->instance[0] != '\0' ? j->instance : "an unknown instance");
    rc = pd_db_admin_job_exhaust(db, j->id, why);
    struct pd_admin_job dead = {.r = r, .db = db, .row = *j};
    dead.row.has_token = true; /* the edit checks the token itself */
    if (rc == PD_OK) {
      char line[400];
      snprintf(line, sizeof(line), "failed: %s", why);
      rc = edit(&dead, 0, 1, line, COLOR_ERROR);
    }
    if (rc == PD_OK) {
      pd_log("error", "admin job failed: its attempts are used up",
             json_pack("{s:I, s:s}", "job", (json_int_t)j->id, "reason", why));
      j->id = 0;
      return pd_db_exec_sql(db, "COMMIT");
    }
  } else if (rc == PD_OK) {
    rc = pd_db_admin_job_start(db, r->instance, r->app->cfg.admin_job_lease_s, j);
  }
  if (rc == PD_OK)
    return pd_db_exec_sql(db, "COMMIT");
  (void)pd_db_exec_sql(db, "ROLLBACK");
  pd_db_admin_job_clear(j);
  return rc;
}

/* Sleeps until a job is announced or CLAIM_EVERY_MS passes, looking at the stop flag. */
static void wait_for_work(struct pd_admin_jobs *r, struct pd_db *db)
{
  for (int waited = 0; waited < CLAIM_EVERY_MS && !atomic_load(&r->stop); waited += IDLE_POLL_MS) {
    struct pollfd p = {PQsocket(db->pg), POLLIN, 0};
    if (p.fd < 0 || poll(&p, 1, IDLE_POLL_MS) <= 0)
      continue;
    PQconsumeInput(db->pg);
    bool heard = false;
    PGnotify *n;
    while ((n = PQnotifies(db->pg)) != NULL) {
      heard = true;
      PQfreemem(n);
    }
    if (heard || PQstatus(db->pg) != CONNECTION_OK)
      return;
  }
}

/* A connection of the runner's own, listening for new jobs; NULL when the database cannot be
 * reached (the thread tries again). */
static struct pd_db *listening(struct pd_admin_jobs *r)
{
  struct pd_db *db = NULL;
  if (pd_db_open(r->app->cfg.database_url, 0, true, &db, NULL, 0) != PD_OK ||
      pd_db_exec_sql(db, "LISTEN " PD_ADMIN_JOBS_CHANNEL) != PD_OK) {
    pd_db_close(db);
    return NULL;
  }
  return db;
}

static void *runner_main(void *arg)
{
  struct slot *s = arg;
  struct pd_admin_jobs *r = s->r;
  struct pd_db *db = s->db;
  struct pd_catalog *cat = NULL;
  s->db = NULL;
  while (!atomic_load(&r->stop)) {
    if (db == NULL || PQstatus(db->pg) != CONNECTION_OK) {
      pd_db_close(db);
      db = listening(r);
      if (db == NULL) {
        pause_ms(500);
        continue;
      }
    }
    struct pd_db_admin_job row;
    enum pd_result rc = claim(r, db, &row);
    if (rc != PD_OK) {
      pd_log_error("admin job runner: %s", pd_result_str(rc));
      pause_ms(200);
      continue;
    }
    if (row.id == 0) {
      wait_for_work(r, db);
      continue;
    }
    struct pd_admin_job job = {.r = r, .slot = s, .db = db, .row = row};
    atomic_store(&s->beat_us, pd_now_us());
    atomic_store(&s->attempt, row.attempts);
    atomic_store(&s->job, row.id);
    run_job(&job, &cat);
    atomic_store(&s->job, 0);
    pd_db_admin_job_clear(&job.row);
  }
  if (cat != NULL) {
    pd_catalog_close(cat);
    free(cat);
  }
  pd_db_close(db);
  return NULL;
}

/* Renews the lease of every job a thread of this instance is running and reporting progress on,
 * a few times a lease: a long step (a slow download) keeps the job, a dead instance loses it. */
static void *heart_main(void *arg)
{
  struct pd_admin_jobs *r = arg;
  struct pd_db *db = NULL;
  int lease_s = r->app->cfg.admin_job_lease_s;
  int every_ms = lease_s * 1000 / 3 > IDLE_POLL_MS ? lease_s * 1000 / 3 : IDLE_POLL_MS;
  int64_t next = 0;
  while (!atomic_load(&r->stop)) {
    if (now_ms() < next) {
      pause_ms(IDLE_POLL_MS < every_ms ? IDLE_POLL_MS : every_ms);
      continue;
    }
    next = now_ms() + every_ms;
    bool busy = false;
    for (int i = 0; i < r->n && !busy; i++)
      busy = atomic_load(&r->slots[i].job) != 0;
    if (!busy)
      continue; /* an idle instance keeps no connection for this */
    if (db == NULL || PQstatus(db->pg) != CONNECTION_OK) {
      pd_db_close(db);
      db = NULL;
      if (pd_db_open(r->app->cfg.database_url, 5000, true, &db, NULL, 0) != PD_OK) {
        pd_db_close(db);
        db = NULL;
        continue;
      }
    }
    for (int i = 0; i < r->n; i++) {
      struct slot *s = &r->slots[i];
      struct pd_db_admin_job j = {.id = atomic_load(&s->job), .attempts = atomic_load(&s->attempt)};
      bool held = false;
      if (j.id == 0 || pd_now_us() - atomic_load(&s->beat_us) > (int64_t)STALL_MS * 1000)
        continue;
      snprintf(j.instance, sizeof(j.instance), "%s", r->instance);
      if (pd_db_admin_job_renew(db, &j, lease_s, &held) != PD_OK)
        pd_log_error("admin job runner: lease of job %" PRId64 " not renewed", j.id);
    }
  }
  pd_db_close(db);
  return NULL;
}

enum pd_result pd_admin_jobs_start(struct pd_app *app, struct pd_admin_jobs **out)
{
  char host[64] = "localhost";
  struct pd_admin_jobs *r = calloc(1, sizeof(*r));
  if (r == NULL)
    return PD_E_NOMEM;
  r->app = app;
  if (gethostname(host, sizeof(host)) != 0)
    snprintf(host, sizeof(host), "localhost");
  host[sizeof(host) - 1] = '\0';
  snprintf(r->instance, sizeof(r->instance), "%s:%d", host, (int)getpid());
  int n = app->cfg.admin_job_workers;
  r->slots = calloc((size_t)(n > 0 ? n : 1), sizeof(*r->slots));
  if (r->slots == NULL) {
    free(r);
    return PD_E_NOMEM;
  }
  *out = r;
  for (int i = 0; i < n; i++) {
    r->slots[i].r = r;
    /* Connected (its statements prepared) before `serve` says it listens, not meanwhile. */
    r->slots[i].db = listening(r);
    if (pthread_create(&r->slots[i].thread, NULL, runner_main, &r->slots[i]) != 0)
      return PD_E_INTERNAL;
    r->n++;
  }
  /* After the runners: it reads r->n, which no longer changes. */
  if (n > 0 && pthread_create(&r->heart, NULL, heart_main, r) != 0)
    return PD_E_INTERNAL;
  r->heart_running = n > 0;
  return PD_OK;
}

void pd_admin_jobs_quiesce(struct pd_admin_jobs *r)
{
  if (r != NULL)
    atomic_store(&r->stop, true);
}

void pd_admin_jobs_stop(struct pd_admin_jobs *r)
{
  if (r == NULL)
    return;
  atomic_store(&r->stop, true);
  for (int i = 0; i < r->n; i++)
    pthread_join(r->slots[i].thread, NULL);
  for (int i = r->n; i < r->app->cfg.admin_job_workers; i++)
    pd_db_close(r->slots[i].db); /* a slot whose thread never started */
  if (r->heart_running)
    pthread_join(r->heart, NULL);
  free(r->slots);
  free(r);
}
