/* e2e_admin_jobs.c - the admin background jobs end to end, on two real servers, one PostgreSQL
 * and the MusicBrainz, Cover Art Archive (image) and Discord doubles: /admin ingest answers at
 * once with its job and the job's progress edits the /admin message until "done"; a second
 * ingest adds nothing; /admin job shows it; force_render makes a new file revision that
 * /viewcard shows; a job whose instance is killed mid-run is finished by the other server; a job
 * whose attempts are used up is failed with the reason, not run; reseed is for owners and adds
 * nothing the second time; two servers never run one job twice. */
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

#include "admin_e2e.h"
#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static char admin_env[600], mb_env[128], caa_env[128], assets_env[600];
static struct pd_proc *mb, *img;
static unsigned mb_port;

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

/* Server idx with the doubles, and lease (0: the default) and workers (-1: the default). */
static int start_with(int idx, int lease, int workers)
{
  char lease_env[48], workers_env[48];
  const char *extra[12] = {admin_env, "DISCORD_BOT_TOKEN=test-bot-token",     mb_env,
                           caa_env,   "INGEST_ALLOWED_NETWORKS=127.0.0.1/32", assets_env};
  int n = 6;
  if (lease > 0) {
    snprintf(lease_env, sizeof(lease_env), "ADMIN_JOB_LEASE_S=%d", lease);
    extra[n++] = lease_env;
  }
  if (workers >= 0) {
    snprintf(workers_env, sizeof(workers_env), "ADMIN_JOB_WORKERS=%d", workers);
    extra[n++] = workers_env;
  }
  extra[n] = NULL;
  return pd_e2e_server_start(&E, idx, extra);
}

static int start(int idx)
{
  return start_with(idx, 0, -1);
}

/* ASSETS_DIR: assets/ with a demo catalog of its first three artists, so a reseed stays quick
 * (the suite's setup seeds the first two). */
static int small_assets(void)
{
  char dir[400], cmd[2048], top[300], path[700];
  if (getcwd(top, sizeof(top)) == NULL)
    return -1;
  snprintf(dir, sizeof(dir), "%s/jobs-assets",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  snprintf(cmd, sizeof(cmd),
           "rm -rf '%s' && mkdir -p '%s/catalog' && for f in '%s'/assets/*; do [ \"$(basename "
           "\"$f\")\" = catalog ] || ln -s \"$f\" '%s'/; done",
           dir, dir, top, dir);
  if (system(cmd) != 0)
    return -1;
  json_t *demo = json_load_file("assets/catalog/demo.json", 0, NULL);
  json_t *artists = json_object_get(demo, "artists");
  while (json_array_size(artists) > 3)
    json_array_remove(artists, json_array_size(artists) - 1);
  snprintf(path, sizeof(path), "%s/catalog/demo.json", dir);
  int rc = demo != NULL ? json_dump_file(demo, path, 0) : -1;
  json_decref(demo);
  snprintf(assets_env, sizeof(assets_env), "ASSETS_DIR=%s", dir);
  return rc;
}

static int setup(void **state)
{
  char bin[300], log[600];
  unsigned iport = 0;
  if (pd_ae_setup(&E, "admin_jobs", admin_env, sizeof(admin_env)) != 0 || small_assets() != 0 ||
      pd_e2e_seed_demo(&E, 2) != 0)
    return -1;
  snprintf(bin, sizeof(bin), "%s/double-musicbrainz", E.build);
  snprintf(log, sizeof(log), "%s/jobs-mb.log",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  char *const argv[] = {bin, "--port", "0", "--fixtures", "test/fixtures/musicbrainz", NULL};
  if (pd_proc_start_double(argv, log, &mb, &mb_port) != PD_OK)
    return -1;
  snprintf(bin, sizeof(bin), "%s/double-images", E.build);
  snprintf(log, sizeof(log), "%s/jobs-img.log",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  char *const iargv[] = {bin, "--port", "0", NULL};
  if (pd_proc_start_double(iargv, log, &img, &iport) != PD_OK)
    return -1;
  snprintf(mb_env, sizeof(mb_env), "MUSICBRAINZ_BASE=http://127.0.0.1:%u/ws/2", mb_port);
  snprintf(caa_env, sizeof(caa_env), "COVERART_BASE=http://127.0.0.1:%u", iport);
  return start(0) != 0 || start(1) != 0 ? -1 : 0;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  pd_proc_stop(mb);
  pd_proc_stop(img);
  return 0;
}

static void contains(json_t *reply, const char *needle)
{
  const char *t = pd_ge_text(reply);
  if (strstr(t, needle) == NULL)
    fail_msg("\"%s\" not in \"%s\"", needle, t);
}

/* Waits until job id is in state (up to ms); fails the test otherwise. */
static void wait_state(int64_t id, const char *state, int ms)
{
  for (int waited = 0; waited < ms; waited += 100) {
    if (sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND state = '%s'", (long long)id,
             state) == 1)
      return;
    struct timespec t = {0, 100 * 1000000};
    nanosleep(&t, NULL);
  }
  char row[1000];
  char sql[200];
  snprintf(sql, sizeof(sql), "SELECT row_to_json(j)::text FROM admin_jobs j WHERE id = %lld",
           (long long)id);
  pd_e2e_sql_text(&E, sql, row, sizeof(row));
  fail_msg("job %lld is not %s after %d ms: %s", (long long)id, state, ms, row);
}

static int64_t newest_job(const char *kind)
{
  return sqlf("SELECT coalesce(max(id), 0) FROM admin_jobs WHERE kind = '%s'", kind);
}

/* /admin SUB by who on server srv with one string option (name NULL: none); *token (may be
 * NULL) gets the interaction's token. */
static json_t *admin1(int srv, const char *who, const char *sub, const char *name,
                      const char *value, char token[128])
{
  json_t *ix = pd_ae_ix(who, sub);
  if (name != NULL)
    pd_ge_option(ix, name, 3, json_string(value), 0);
  if (token != NULL)
    snprintf(token, 128, "%s", json_string_value(json_object_get(ix, "token")));
  json_t *reply = pd_ae_admin(&E, srv, who, NULL, ix);
  return reply;
}

/* "` d/t" in a progress edit's description. */
static bool counts_of(const char *text, int *done, int *total)
{
  const char *p = strstr(text != NULL ? text : "", "` ");
  return p != NULL && sscanf(p + 2, "%d/%d", done, total) == 2;
}

/* /admin ingest answers at once with the job; its progress edits the /admin message, in order,
 * up to "done"; the artist is ingested; a second ingest adds nothing; /admin job shows it. */
static void test_ingest_job_edits_its_message(void **state)
{
  char token[128], path[300];
  json_t *reply = admin1(0, PD_AE_ADMIN, "ingest", "artist", "Taylor Swift", token);
  contains(reply, "Ingesting Taylor Swift from MusicBrainz (job ");
  assert_true(pd_e2e_ephemeral(reply));
  json_decref(reply);
  int64_t id = newest_job("ingest");
  assert_true(id > 0);
  wait_state(id, "done", 60000);
  snprintf(path, sizeof(path), "/webhooks/%s/%s/messages/@original", PD_E2E_APP_ID, token);
  /* The last edit says done: wait for it. */
  json_t *edits = NULL;
  const char *last = NULL;
  for (int i = 0; i < 100; i++) {
    json_decref(edits);
    edits = pd_double_requests(E.dbl, path);
    size_t n = json_array_size(edits);
    last = json_string_value(json_object_get(
        json_array_get(
            json_object_get(json_object_get(json_array_get(edits, n - 1), "json"), "embeds"), 0),
        "description"));
    if (last != NULL && strstr(last, "done: Taylor Swift") != NULL)
      break;
    struct timespec t = {0, 100 * 1000000};
    nanosleep(&t, NULL);
  }
  if (last == NULL || strstr(last, "done: Taylor Swift: 0 artists and 1 eras added") == NULL)
    fail_msg("the last edit: %s", last != NULL ? last : "(none)");
  /* Every edit is a PATCH of the first answer, titled with the job, and never goes back. */
  size_t i;
  json_t *r;
  int prev = -1, partial = 0;
  char title[64];
  snprintf(title, sizeof(title), "Job %lld \xc2\xb7 ingest", (long long)id);
  json_array_foreach(edits, i, r)
  {
    json_t *embed = json_array_get(json_object_get(json_object_get(r, "json"), "embeds"), 0);
    const char *text = json_string_value(json_object_get(embed, "description"));
    int done = 0, total = 0;
    assert_string_equal(json_string_value(json_object_get(r, "method")), "PATCH");
    assert_string_equal(json_string_value(json_object_get(embed, "title")), title);
    if (!counts_of(text, &done, &total))
      fail_msg("edit without n/N: %s", text);
    assert_int_equal(total, 4);
    if (done < prev)
      fail_msg("edit %zu went back from %d to %d", i, prev, done);
    prev = done;
    partial += done < total;
  }
  if (partial == 0)
    fail_msg("no progress edit before the last: %zu edits", json_array_size(edits));
  json_decref(edits);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND attempts = 1 AND done "
                        "= 4 AND total = 4 AND (result->>'eras_added')::int = 1 AND actor = '%s'",
                        (long long)id, PD_AE_ADMIN),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM eras e JOIN artists a ON a.id = e.artist_id WHERE "
                        "a.name = 'Taylor Swift' AND e.name = 'Taylor Swift'"),
                   1);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'ingest' AND outcome = 'done'"), 1);

  /* Twice is once. */
  int64_t cards = sqlf("SELECT count(*) FROM card_templates");
  reply = admin1(1, PD_AE_OWNER, "ingest", "artist", "Taylor Swift", NULL);
  contains(reply, "(job ");
  json_decref(reply);
  int64_t again = newest_job("ingest");
  assert_true(again > id);
  wait_state(again, "done", 60000);
  assert_int_equal(
      sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND (result->>'eras_added')"
           "::int = 0 AND (result->>'images_added')::int = 0 AND (result->>"
           "'cards_rendered')::int = 0",
           (long long)again),
      1);
  assert_int_equal(sqlf("SELECT count(*) FROM card_templates"), cards);

  /* /admin job shows it; a job that does not exist is refused by name. */
  json_t *ix = pd_ae_ix(PD_AE_ADMIN, "job");
  pd_ge_option(ix, "job", 4, json_integer(id), 0);
  reply = pd_ae_admin(&E, 1, PD_AE_ADMIN, NULL, ix);
  char want[64];
  snprintf(want, sizeof(want), "Job %lld (ingest): done, 4/4", (long long)id);
  contains(reply, want);
  contains(reply, "\"attempts\": 1");
  json_decref(reply);
  ix = pd_ae_ix(PD_AE_ADMIN, "job");
  pd_ge_option(ix, "job", 4, json_integer(id + 1000), 0);
  reply = pd_ae_admin(&E, 1, PD_AE_ADMIN, NULL, ix);
  contains(reply, "job_not_found");
  json_decref(reply);
  /* An empty name is refused before anything is queued. */
  reply = admin1(0, PD_AE_ADMIN, "ingest", "artist", "", NULL);
  contains(reply, "\"artist\" must be a name");
  json_decref(reply);
  assert_int_equal(newest_job("ingest"), again);
}

/* force_render: a new file revision (new URL, image_rev + 1, the file there), which /viewcard
 * shows at once. */
static void test_force_render_makes_a_new_revision(void **state)
{
  char card[32], url0[600], url1[600], sql[300], file[700];
  pd_e2e_sql_text(&E, "SELECT public_id FROM card_templates ORDER BY id LIMIT 1", card,
                  sizeof(card));
  snprintf(sql, sizeof(sql), "SELECT image_url FROM card_templates WHERE public_id = '%s'", card);
  pd_e2e_sql_text(&E, sql, url0, sizeof(url0));
  int64_t rev = sqlf("SELECT image_rev FROM card_templates WHERE public_id = '%s'", card);
  json_t *reply = admin1(0, PD_AE_ADMIN, "force_render", "card", card, NULL);
  contains(reply, "Rendering ");
  json_decref(reply);
  int64_t id = newest_job("render");
  wait_state(id, "done", 30000);
  assert_int_equal(sqlf("SELECT image_rev FROM card_templates WHERE public_id = '%s'", card),
                   rev + 1);
  pd_e2e_sql_text(&E, sql, url1, sizeof(url1));
  assert_true(strcmp(url0, url1) != 0);
  char name[64];
  snprintf(name, sizeof(name), "%s", card);
  *strchr(name, '#') = '-';
  char suffix[160];
  snprintf(suffix, sizeof(suffix), "/cards/%s-r%lld.png", name, (long long)(rev + 1));
  if (strstr(url1, suffix) == NULL)
    fail_msg("new URL %s lacks %s", url1, suffix);
  snprintf(file, sizeof(file), "%s/%s-r%lld.png", E.cards_dir, name, (long long)(rev + 1));
  assert_int_equal(access(file, R_OK), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND params = "
                        "jsonb_build_object('cards', jsonb_build_array('%s'))",
                        (long long)id, card),
                   1);
  /* /viewcard shows the new file. */
  json_t *ix = pd_e2e_command("viewcard", PD_AE_PLAYER);
  pd_e2e_option(ix, "card", 3, json_string(card));
  reply = pd_ge_post(&E, 1, ix);
  json_decref(ix);
  char *text = json_dumps(reply, 0);
  if (strstr(text, url1) == NULL)
    fail_msg("/viewcard does not show %s: %s", url1, text);
  free(text);
  json_decref(reply);
  /* A card that does not exist is refused, nothing queued. */
  reply = admin1(0, PD_AE_ADMIN, "force_render", "card", "NONE_00#00", NULL);
  contains(reply, "card_not_found");
  json_decref(reply);
  assert_int_equal(newest_job("render"), id);
}

static void mb_delay(int ms, int count)
{
  char url[200];
  struct pd_http_reply r;
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/_control/delay?ms=%d&count=%d", mb_port, ms,
           count);
  assert_int_equal(pd_http_do("POST", url, NULL, NULL, 0, &r), PD_OK);
  assert_int_equal(r.status, 200);
  pd_http_reply_free(&r);
}

/* Server 0 dies (SIGKILL) in the middle of a job: once its lease runs out, server 1 finishes it
 * (a second attempt, on another instance). */
static void test_killed_job_is_picked_up(void **state)
{
  int status = 0;
  char before[128], after[128], sql[200];
  assert_int_equal(pd_e2e_server_stop(&E, 1, SIGTERM, 10000, &status), 0);
  assert_int_equal(pd_e2e_server_stop(&E, 0, SIGTERM, 10000, &status), 0);
  assert_int_equal(start_with(0, 2, -1), 0);
  mb_delay(4000, 1); /* the artist search: the job is busy in it when server 0 dies */
  json_t *reply = admin1(0, PD_AE_ADMIN, "ingest", "artist", "Fifth Harmony", NULL);
  contains(reply, "(job ");
  json_decref(reply);
  int64_t id = newest_job("ingest");
  wait_state(id, "running", 10000);
  struct timespec t = {1, 0};
  nanosleep(&t, NULL);
  snprintf(sql, sizeof(sql), "SELECT instance FROM admin_jobs WHERE id = %lld", (long long)id);
  pd_e2e_sql_text(&E, sql, before, sizeof(before));
  char pid[24];
  snprintf(pid, sizeof(pid), ":%d", (int)pd_proc_pid(E.srv[0].proc));
  if (strstr(before, pid) == NULL)
    fail_msg("job %lld runs on %s, not server 0 (%s)", (long long)id, before, pid);
  assert_int_equal(pd_e2e_server_stop(&E, 0, SIGKILL, 10000, &status), 0);
  assert_int_equal(
      sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND state = 'running'", (long long)id),
      1);
  assert_int_equal(start_with(1, 2, -1), 0);
  wait_state(id, "done", 60000);
  pd_e2e_sql_text(&E, sql, after, sizeof(after));
  assert_true(strcmp(before, after) != 0);
  assert_int_equal(sqlf("SELECT attempts FROM admin_jobs WHERE id = %lld", (long long)id), 2);
  assert_int_equal(sqlf("SELECT count(*) FROM artists WHERE name = 'Fifth Harmony' AND is_group"),
                   1);
  assert_int_equal(pd_e2e_server_stop(&E, 1, SIGTERM, 10000, &status), 0);
  assert_int_equal(start(0), 0);
  assert_int_equal(start(1), 0);
}

/* A job whose attempts are used up, its lease run out: failed with the reason, never run. */
static void test_exhausted_job_is_failed_not_run(void **state)
{
  struct pd_http_reply r;
  char url[200];
  snprintf(url, sizeof(url), "http://127.0.0.1:%u/_requests", mb_port);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  json_t *mb_before = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  int64_t id = sqlf("INSERT INTO admin_jobs (kind, params, state, actor, attempts, max_attempts,"
                    " lease_until, instance, started_at) VALUES ('ingest', '{\"artist\": \"Nobody "
                    "Famous\"}', 'running', 'rest', 3, 3, now() - interval '1 second',"
                    " 'gone-host:4242', now()) RETURNING id");
  assert_true(id > 0);
  wait_state(id, "failed", 15000);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND attempts = 3 AND error"
                        " = 'the instance running it stopped 3 times; last on gone-host:4242' AND"
                        " finished_at IS NOT NULL AND lease_until IS NULL",
                        (long long)id),
                   1);
  assert_int_equal(pd_http_do("GET", url, NULL, NULL, 0, &r), PD_OK);
  json_t *mb_after = json_loads(r.body, 0, NULL);
  pd_http_reply_free(&r);
  assert_int_equal(json_array_size(mb_after), json_array_size(mb_before));
  json_decref(mb_before);
  json_decref(mb_after);
}

/* reseed: refused to an admin who is not an owner; an owner's seeds the demo catalog, and a
 * second adds nothing. */
static void test_reseed_is_for_owners(void **state)
{
  int64_t jobs = sqlf("SELECT count(*) FROM admin_jobs WHERE kind = 'reseed'");
  json_t *reply = admin1(0, PD_AE_ADMIN, "reseed", NULL, NULL, NULL);
  contains(reply, "Only an owner");
  contains(reply, "owner_only");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE kind = 'reseed'"), jobs);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'reseed' AND outcome = 'refused'"), 1);
  reply = admin1(1, PD_AE_OWNER, "reseed", NULL, NULL, NULL);
  contains(reply, "(job ");
  json_decref(reply);
  int64_t id = newest_job("reseed");
  wait_state(id, "done", 60000);
  /* The suite seeded two of the three artists: the third is added, five eras of cards. */
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND (result->>"
                        "'artists_added')::int = 1 AND done = 3 AND total = 3",
                        (long long)id),
                   1);
  int64_t cards = sqlf("SELECT count(*) FROM card_templates");
  reply = admin1(0, PD_AE_OWNER, "reseed", NULL, NULL, NULL);
  json_decref(reply);
  int64_t again = newest_job("reseed");
  assert_true(again > id);
  wait_state(again, "done", 60000);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND (result->>"
                        "'artists_added')::int = 0 AND (result->>'cards_rendered')::int = 0",
                        (long long)again),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM card_templates"), cards);
}

/* Jobs queued on both servers at once, both running workers: each job runs once (one attempt,
 * one progress and one final message), and the card gets exactly one revision per job. */
static void test_two_servers_run_each_job_once(void **state)
{
  char card[32];
  const int n = 6;
  pd_e2e_sql_text(&E, "SELECT public_id FROM card_templates ORDER BY id DESC LIMIT 1", card,
                  sizeof(card));
  int64_t rev = sqlf("SELECT image_rev FROM card_templates WHERE public_id = '%s'", card);
  int64_t first = newest_job("render");
  for (int i = 0; i < n; i++)
    json_decref(admin1(i % 2, PD_AE_ADMIN, "force_render", "card", card, NULL));
  int64_t last = newest_job("render");
  assert_int_equal(
      sqlf("SELECT count(*) FROM admin_jobs WHERE kind = 'render' AND id > %lld", (long long)first),
      n);
  for (int64_t id = first + 1; id <= last; id++)
    if (sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND kind = 'render'",
             (long long)id) == 1)
      wait_state(id, "done", 30000);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE kind = 'render' AND id > %lld AND"
                        " attempts = 1 AND jsonb_array_length(messages) = 2 AND state = 'done'",
                        (long long)first),
                   n);
  assert_int_equal(sqlf("SELECT image_rev FROM card_templates WHERE public_id = '%s'", card),
                   rev + n);
  assert_int_equal(sqlf("SELECT count(DISTINCT result->'cards'->'%s'->>'image_url') FROM admin_jobs"
                        " WHERE kind = 'render' AND id > %lld",
                        card, (long long)first),
                   n);
}

/* A temporary card stays out of collections until its render job has drawn it: from its era's
 * image, or from a picture uploaded with /admin create_temp_card (an attachment, downloaded
 * under the INGEST_* limits). */
static void test_temp_cards_render(void **state)
{
  char start[24], end[24], artist[24], era[200], url[300], sql[400], pid[32];
  int64_t now = sqlf("SELECT extract(epoch FROM now())::bigint");
  snprintf(start, sizeof(start), "%lld", (long long)(now - 3600));
  snprintf(end, sizeof(end), "%lld", (long long)(now + 86400));
  json_t *ix = pd_ae_ix(PD_AE_ADMIN, "event create");
  pd_ge_option(ix, "name", 3, json_string("Render Fest"), 0);
  pd_ge_option(ix, "start", 3, json_string(start), 0);
  pd_ge_option(ix, "end", 3, json_string(end), 0);
  json_decref(pd_ae_admin(&E, 0, PD_AE_ADMIN, NULL, ix));
  int64_t event = sqlf("SELECT id FROM events WHERE name = 'Render Fest'");
  assert_true(event > 0);
  pd_e2e_sql_text(&E, "SELECT artist_id::text FROM eras ORDER BY id LIMIT 1", artist,
                  sizeof(artist));
  pd_e2e_sql_text(&E, "SELECT name FROM eras ORDER BY id LIMIT 1", era, sizeof(era));
  for (int upload = 0; upload < 2; upload++) {
    ix = pd_ae_ix(PD_AE_ADMIN, "create_temp_card");
    pd_ge_option(ix, "event", 4, json_integer(event), 0);
    pd_ge_option(ix, "artist", 3, json_string(artist), 0);
    pd_ge_option(ix, "era", 3, json_string(era), 0);
    pd_ge_option(ix, "rarity", 3, json_string(upload ? "mythic" : "epic"), 0);
    if (upload) {
      /* Discord sends an attachment option as an id, its URL in data.resolved.attachments. */
      snprintf(url, sizeof(url), "%s/upload/fest.jpg", strchr(caa_env, '=') + 1);
      pd_ge_option(ix, "image", 11, json_string("990000000000000001"), 0);
      json_object_set_new(json_object_get(ix, "data"), "resolved",
                          json_pack("{s:{s:{s:s, s:s, s:s}}}", "attachments", "990000000000000001",
                                    "id", "990000000000000001", "filename", "fest.jpg", "url",
                                    url));
    }
    json_t *reply = pd_ae_admin(&E, 0, PD_AE_ADMIN, NULL, ix);
    contains(reply, "Temporary card");
    json_decref(reply);
    int64_t job = newest_job("render");
    snprintf(sql, sizeof(sql),
             "SELECT public_id FROM temp_card_templates WHERE event_id = %lld ORDER BY id DESC"
             " LIMIT 1",
             (long long)event);
    pd_e2e_sql_text(&E, sql, pid, sizeof(pid));
    assert_true(pid[0] != '\0');
    if (upload)
      assert_int_equal(sqlf("SELECT count(*) FROM temp_card_templates WHERE public_id = '%s' AND"
                            " source_url = '%s'",
                            pid, url),
                       1);
    wait_state(job, "done", 30000);
    /* Drawn: in all_cards with its picture, so draws and collections may show it. */
    assert_int_equal(sqlf("SELECT count(*) FROM all_cards WHERE public_id = '%s' AND temporary"
                          " AND image_url LIKE '%%/cards/%%.png'",
                          pid),
                     1);
    ix = pd_e2e_command("viewcard", PD_AE_PLAYER);
    pd_e2e_option(ix, "card", 3, json_string(pid));
    reply = pd_ge_post(&E, 1, ix);
    json_decref(ix);
    char *text = json_dumps(reply, 0);
    if (strstr(text, pid) == NULL || strstr(text, ".png") == NULL)
      fail_msg("/viewcard %s: %s", pid, text);
    free(text);
    json_decref(reply);
  }
}

/* setrarity's picture: the card is drawn again with its new frame as a new file revision (same
 * public id, new URL), by the render job it queued. */
static void test_setrarity_redraws_the_card(void **state)
{
  char card[32], url0[600], url1[600], sql[300];
  pd_e2e_sql_text(&E,
                  "SELECT public_id FROM card_templates WHERE rarity = 'common' ORDER BY id"
                  " DESC LIMIT 1",
                  card, sizeof(card));
  snprintf(sql, sizeof(sql), "SELECT image_url FROM card_templates WHERE public_id = '%s'", card);
  pd_e2e_sql_text(&E, sql, url0, sizeof(url0));
  int64_t rev = sqlf("SELECT image_rev FROM card_templates WHERE public_id = '%s'", card);
  json_t *ix = pd_ae_ix(PD_AE_ADMIN, "setrarity");
  pd_ge_option(ix, "card", 3, json_string(card), 0);
  pd_ge_option(ix, "rarity", 3, json_string("legendary"), 0);
  json_t *reply = pd_ae_admin(&E, 0, PD_AE_ADMIN, NULL, ix);
  contains(reply, "Legendary");
  json_decref(reply);
  wait_state(newest_job("render"), "done", 30000);
  assert_int_equal(sqlf("SELECT count(*) FROM card_templates WHERE public_id = '%s' AND rarity ="
                        " 'legendary' AND image_rev = %lld",
                        card, (long long)(rev + 1)),
                   1);
  pd_e2e_sql_text(&E, sql, url1, sizeof(url1));
  if (strcmp(url0, url1) == 0 || strstr(url1, ".png") == NULL)
    fail_msg("setrarity left the picture at %s (now %s)", url0, url1);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_ingest_job_edits_its_message),
      PD_E2E_TEST(test_force_render_makes_a_new_revision),
      PD_E2E_TEST(test_killed_job_is_picked_up),
      PD_E2E_TEST(test_exhausted_job_is_failed_not_run),
      PD_E2E_TEST(test_reseed_is_for_owners),
      PD_E2E_TEST(test_two_servers_run_each_job_once),
      PD_E2E_TEST(test_temp_cards_render),
      PD_E2E_TEST(test_setrarity_redraws_the_card),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
