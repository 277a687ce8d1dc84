/* admin_queue.c - the operations that queue background jobs (ingest, sync, force_render, reseed)
 * and the ones that show them (job, jobs).  A queued job is an admin_jobs row written in the
 * call's transaction: any instance's runner (server/admin_jobs.c) takes it once it commits. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "admin_ops.h"
#include "db_admin_jobs.h"

#define ARTIST_MAX 200 /* bytes of an artist's name */
#define PAGE_DEFAULT 25
#define PAGE_MAX 100

enum pd_result pd_admin_ingest(struct pd_admin_call *c)
{
  const char *artist = NULL;
  enum pd_result rc = pd_admin_need_str(c, "artist", &artist);
  if (rc != PD_OK)
    return rc;
  size_t n = strlen(artist);
  if (n == 0 || n > ARTIST_MAX || strspn(artist, " ") == n)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"artist\" must be a name of 1 to %d bytes.", ARTIST_MAX);
  json_t *params = json_pack("{s:s}", "artist", artist);
  if (params == NULL)
    return PD_E_NOMEM;
  char message[300];
  snprintf(message, sizeof(message), "Ingesting %s from MusicBrainz", artist);
  rc = pd_admin_job_add(c, "ingest", params, message, NULL);
  json_decref(params);
  return rc;
}

enum pd_result pd_admin_sync(struct pd_admin_call *c)
{
  return pd_admin_job_add(c, "sync", NULL,
                          "Syncing Last.fm's chart and similar artists from MusicBrainz", NULL);
}

enum pd_result pd_admin_force_render(struct pd_admin_call *c)
{
  const char *card = NULL;
  char message[200];
  enum pd_result rc = pd_admin_arg_str(c, "card", &card);
  if (rc == PD_E_USER)
    return rc;
  if (rc == PD_OK && card[0] == '\0')
    card = NULL;
  if (card != NULL) {
    bool exists = false;
    if (strlen(card) > 32)
      return pd_admin_refuse(c, 400, "invalid_argument", "\"card\" must be a card's public id.");
    rc = pd_db_admin_card_exists(c->db, card, &exists);
    if (rc != PD_OK)
      return rc;
    if (!exists)
      return pd_admin_refuse(c, 404, "card_not_found",
                             "No permanent or temporary card has the public id %s.", card);
  }
  json_t *params = card != NULL ? json_pack("{s:[s]}", "cards", card) : NULL;
  if (card != NULL && params == NULL)
    return PD_E_NOMEM;
  if (card != NULL)
    snprintf(message, sizeof(message), "Rendering %s again as a new file", card);
  else
    snprintf(message, sizeof(message), "Rendering every card again as new files");
  rc = pd_admin_job_add(c, "render", params, message, NULL);
  json_decref(params);
  return rc;
}

enum pd_result pd_admin_reseed(struct pd_admin_call *c)
{
  return pd_admin_job_add(c, "reseed", NULL,
                          "Seeding the demo catalog (what is there already stays)", NULL);
}

/* "Job 12 (ingest): running, 2/4: images: ..." */
static void job_line(const json_t *job, char *out, size_t cap)
{
  const json_t *msgs = json_object_get(job, "messages");
  const char *last =
      json_string_value(json_object_get(json_array_get(msgs, json_array_size(msgs) - 1), "text"));
  const char *error = json_string_value(json_object_get(job, "error"));
  json_t *total = json_object_get(job, "total");
  char count[48] = "";
  if (json_is_integer(total))
    snprintf(count, sizeof(count), ", %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT,
             json_integer_value(json_object_get(job, "done")), json_integer_value(total));
  snprintf(out, cap, "Job %" JSON_INTEGER_FORMAT " (%s): %s%s%s%s",
           json_integer_value(json_object_get(job, "id")),
           json_string_value(json_object_get(job, "kind")),
           json_string_value(json_object_get(job, "state")), count,
           error != NULL || last != NULL ? ": " : "",
           error != NULL  ? error
           : last != NULL ? last
                          : "");
}

enum pd_result pd_admin_job(struct pd_admin_call *c)
{
  int64_t id = 0;
  json_t *job = NULL;
  char line[900];
  enum pd_result rc = pd_admin_need_int(c, "job", &id);
  if (rc != PD_OK)
    return rc;
  snprintf(c->target, sizeof(c->target), "job %" PRId64, id);
  rc = id > 0 ? pd_db_admin_job_get(c->db, id, &job) : PD_E_NOTFOUND;
  if (rc == PD_E_NOTFOUND)
    return pd_admin_refuse(c, 404, "job_not_found", "There is no job %" PRId64 ".", id);
  if (rc != PD_OK)
    return rc;
  job_line(job, line, sizeof(line));
  pd_admin_result(c, "%s", line);
  json_object_set_new(c->result, "job", job);
  return PD_OK;
}

enum pd_result pd_admin_jobs(struct pd_admin_call *c)
{
  const char *state = NULL;
  int64_t before = 0, limit = PAGE_DEFAULT;
  json_t *jobs = NULL;
  enum pd_result rc;
  if ((rc = pd_admin_arg_str(c, "state", &state)) == PD_E_USER ||
      (rc = pd_admin_arg_int(c, "before", &before)) == PD_E_USER ||
      (rc = pd_admin_arg_int(c, "limit", &limit)) == PD_E_USER)
    return rc;
  if (limit < 1 || limit > PAGE_MAX)
    return pd_admin_refuse(c, 400, "invalid_argument", "\"limit\" must be from 1 to %d.", PAGE_MAX);
  if (state != NULL && strcmp(state, "queued") != 0 && strcmp(state, "running") != 0 &&
      strcmp(state, "done") != 0 && strcmp(state, "failed") != 0)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"state\" must be queued, running, done or failed.");
  /* One more than asked: whether there is a next page. */
  rc = pd_db_admin_job_page(c->db, state, before, (int)limit + 1, &jobs);
  if (rc != PD_OK)
    return rc;
  int64_t next = 0;
  if ((int64_t)json_array_size(jobs) > limit) {
    json_array_remove(jobs, json_array_size(jobs) - 1);
    next =
        json_integer_value(json_object_get(json_array_get(jobs, json_array_size(jobs) - 1), "id"));
  }
  size_t n = json_array_size(jobs);
  pd_admin_result(c, "%zu job%s%s.", n, n == 1 ? "" : "s",
                  next > 0 ? " (more on the next page)" : "");
  json_object_set_new(c->result, "jobs", jobs);
  json_object_set_new(c->result, "next", next > 0 ? json_integer(next) : json_null());
  return PD_OK;
}
