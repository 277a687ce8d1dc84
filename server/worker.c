/* worker.c - threads that claim follow-up jobs with FOR UPDATE SKIP LOCKED and send them.
 * The row lock is held while sending, so two instances never send one job at once, and a
 * worker killed mid-send rolls back, leaving the job to the next worker. */
#include "worker.h"

#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backoff.h"
#include "buy_gems.h"
#include "catalog.h"
#include "db_admin_jobs.h"
#include "db_jobs.h"
#include "discord_rest.h"
#include "log.h"
#include "metrics.h"
#include "profile_card.h"
#include "storage.h"
#include "utf8.h"

#include <gd.h>

#define SEND_TIMEOUT_MS 7000 /* below SIGTERM's 10 s budget */
#define IDLE_POLL_MS 250     /* how often an idle worker looks at the stop flag */
#define BACKOFF_BASE_MS 500
#define BACKOFF_MAX_MS 60000

struct pd_workers {
  struct pd_app *app;
  int n;
  pthread_t *threads;
  atomic_bool stop;
  /* A global 429 pauses every send of this process until then (Unix ms). */
  _Atomic int64_t paused_until_ms;
};

static int64_t wall_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void log_job(const char *level, const char *msg, const struct pd_job *j, long status,
                    const char *why)
{
  json_t *f = json_pack("{s:I, s:s, s:s, s:i}", "job", (json_int_t)j->id, "ref", j->ref, "kind",
                        j->kind, "attempt", j->attempts + 1);
  if (status != 0)
    json_object_set_new(f, "status", json_integer(status));
  if (why != NULL)
    json_object_set_new(f, "reason", json_string(why));
  pd_log(level, msg, f);
}

/* What a job kind adds before sending: files to attach, built from the job's attach field
 * (its own column, never part of the payload).  "message" sends the payload as it is. */
#define MAX_FILES 10 /* Discord takes at most ten attachments on a message */
#define MAX_CARD_BYTES (8u << 20)

struct outgoing {
  json_t *payload; /* owned */
  struct pd_discord_file files[MAX_FILES];
  size_t nfiles;
  void *png;               /* drawn here, gdFree */
  void *stored[MAX_FILES]; /* read from storage, free */
};

static void outgoing_free(struct outgoing *o)
{
  json_decref(o->payload);
  if (o->png != NULL)
    gdFree(o->png);
  for (size_t i = 0; i < MAX_FILES; i++)
    free(o->stored[i]);
}

static bool attached(const struct outgoing *o, const char *name)
{
  for (size_t i = 0; i < o->nfiles; i++)
    if (strcmp(o->files[i].filename, name) == 0)
      return true;
  return false;
}

/* STORAGE=discord: a card's URL is attachment://NAME, so every embed image or thumbnail that
 * names one gets the file from CARDS_DIR attached.  A file that cannot be read leaves its embed
 * without the picture rather than the player without the message. */
static void attach_stored_cards(struct pd_workers *w, struct outgoing *o)
{
  static const char *const slots[] = {"image", "thumbnail"};
  size_t i;
  json_t *embed;
  json_array_foreach(json_object_get(o->payload, "embeds"), i, embed)
  {
    for (size_t k = 0; k < 2; k++) {
      const char *name = pd_storage_attachment_name(
          json_string_value(json_object_get(json_object_get(embed, slots[k]), "url")));
      if (name == NULL || attached(o, name))
        continue;
      void *data = NULL;
      size_t len = 0;
      enum pd_result rc = o->nfiles < MAX_FILES ? pd_storage_local_get(w->app->cfg.cards_dir, name,
                                                                       MAX_CARD_BYTES, &data, &len)
                                                : PD_E_TOOBIG;
      if (rc != PD_OK) {
        pd_log_error("card %s could not be attached (%s); sending the embed without it", name,
                     pd_result_str(rc));
        json_object_del(embed, slots[k]);
        continue;
      }
      o->stored[o->nfiles] = data;
      o->files[o->nfiles++] = (struct pd_discord_file){name, data, len, "image/png"};
    }
  }
}

/* /profile's banner: rendered here, off the request path, and attached as profile.png.  If it
 * cannot be drawn the embed goes out without its image rather than not at all. */
static void build_profile_card(struct pd_workers *w, const struct pd_job *j, struct outgoing *o)
{
  char fonts[512];
  const json_t *card = j->attach;
  struct pd_profile_card c = {
      .name = json_string_value(json_object_get(card, "name")),
      .notes = json_integer_value(json_object_get(card, "notes")),
      .discs = json_integer_value(json_object_get(card, "discs")),
      .gems = json_integer_value(json_object_get(card, "gems")),
      .joined_at = json_integer_value(json_object_get(card, "joined_at")),
  };
  snprintf(fonts, sizeof(fonts), "%s/fonts", w->app->cfg.assets_dir);
  size_t len = 0;
  if (c.name != NULL && pd_profile_card_png(fonts, &c, &o->png, &len) == PD_OK) {
    o->files[0] = (struct pd_discord_file){"profile.png", o->png, len, "image/png"};
    o->nfiles = 1;
  } else {
    pd_log_error("profile card could not be drawn (fonts in %s?); sending without it", fonts);
    json_object_del(json_array_get(json_object_get(o->payload, "embeds"), 0), "image");
  }
}

/* A pack message: the backs of its cards, drawn at start, attached as pack.png. */
static void attach_pack_backs(struct pd_workers *w, const struct pd_job *j, struct outgoing *o)
{
  json_int_t n = json_integer_value(json_object_get(j->attach, "size"));
  if (n < 1 || n > PD_PACK_MAX_SIZE || w->app->pack_backs[n] == NULL) {
    pd_log_error("pack of %lld cards has no backs image; sending without it", (long long)n);
    json_object_del(json_array_get(json_object_get(o->payload, "embeds"), 0), "image");
    return;
  }
  o->files[o->nfiles++] = (struct pd_discord_file){"pack.png", w->app->pack_backs[n],
                                                   w->app->pack_backs_len[n], "image/png"};
}

/* /buy_gems: the Checkout Session is created here, off the interaction's 3 s, and the payload
 * becomes its link button (or what went wrong).  A retried job asks Stripe again with the same
 * Idempotency-Key, and gets the same session. */
static void build_checkout(struct pd_workers *w, const struct pd_job *j, struct outgoing *o)
{
  json_t *p = pd_buy_gems_followup(w->app, j->attach, j->ref);
  if (p == NULL)
    return;
  json_decref(o->payload);
  o->payload = p;
}

/* Each kind by the name followup_jobs.kind stores, and what it does before the send (NULL:
 * nothing).  Indexed by enum pd_job_kind, so a kind without a row here has no name. */
static const struct {
  const char *name;
  void (*prepare)(struct pd_workers *w, const struct pd_job *j, struct outgoing *o);
} kinds[PD_JOB_KIND_COUNT] = {
    [PD_JOB_MESSAGE] = {"message", NULL},
    [PD_JOB_PACK] = {"pack", attach_pack_backs},
    [PD_JOB_PROFILE_CARD] = {"profile_card", build_profile_card},
    [PD_JOB_CHECKOUT] = {"checkout", build_checkout},
};

const char *pd_job_kind_name(enum pd_job_kind kind)
{
  return (unsigned)kind < PD_JOB_KIND_COUNT ? kinds[kind].name : NULL;
}

/* PD_E_INVALID for a kind this build does not know (a row written by hand, or by a newer
 * release during a rollback): failing it is better than sending something half built. */
static enum pd_result prepare(struct pd_workers *w, const struct pd_job *j, struct outgoing *o)
{
  memset(o, 0, sizeof(*o));
  size_t k = 0;
  while (k < PD_JOB_KIND_COUNT && (kinds[k].name == NULL || strcmp(kinds[k].name, j->kind) != 0))
    k++;
  if (k == PD_JOB_KIND_COUNT)
    return PD_E_INVALID;
  o->payload = json_deep_copy(j->payload);
  if (o->payload == NULL)
    return PD_E_NOMEM;
  if (kinds[k].prepare != NULL)
    kinds[k].prepare(w, j, o);
  attach_stored_cards(w, o);
  return PD_OK;
}

/* The cards the interaction's draw made from unused images (attach "render", draw.h): each is
 * drawn now, before the message that shows it goes out.  A card already drawn (a retried job)
 * is not drawn again.  why says what failed: the job is then retried, the message held back. */
static enum pd_result render_made(struct pd_workers *w, const struct pd_job *j, char *why,
                                  size_t cap)
{
  json_t *ids = json_object_get(j->attach, "render");
  struct pd_catalog c = {0};
  enum pd_result rc = PD_OK;
  size_t i;
  json_t *id;
  if (json_array_size(ids) == 0)
    return PD_OK;
  rc = pd_catalog_open_cfg(&c, &w->app->cfg, why, cap);
  json_array_foreach(ids, i, id)
  {
    struct pd_db_render_card card;
    char url[512];
    int rev = 0;
    if (rc != PD_OK)
      break;
    rc = pd_db_render_card_get(c.db, json_string_value(id), &card);
    if (rc == PD_OK && card.image_rev == 0)
      rc = pd_catalog_rerender(&c, json_string_value(id), &rev, url, sizeof(url), why, cap);
    else if (rc != PD_OK)
      snprintf(why, cap, "the new card %s: %s", json_string_value(id), pd_result_str(rc));
  }
  pd_catalog_close(&c);
  return rc;
}

/* A direct message: the DM channel with the recipient (Discord answers the same channel every
 * time, so a retry may open it again), then the message in it, both with the bot token.  The
 * reply is the failing step's, or the message's.  PD_E_INVALID when the job names no recipient
 * or Discord's channel has no usable id. */
static enum pd_result send_dm(struct pd_workers *w, struct pd_discord *discord,
                              const struct pd_job *j, struct outgoing *o,
                              struct pd_discord_reply *reply)
{
  char path[128];
  const char *to = json_string_value(json_object_get(j->attach, "recipient_id"));
  memset(reply, 0, sizeof(*reply));
  if (to == NULL || to[0] == '\0' || strspn(to, "0123456789") != strlen(to) || strlen(to) > 20)
    return PD_E_INVALID;
  json_t *open = json_pack("{s:s}", "recipient_id", to);
  if (open == NULL)
    return PD_E_NOMEM;
  enum pd_result rc = pd_discord_request(discord, "POST", "/users/@me/channels",
                                         w->app->cfg.bot_token, open, NULL, 0, reply);
  json_decref(open);
  if (rc != PD_OK || reply->status < 200 || reply->status > 299)
    return rc;
  const char *ch = json_string_value(json_object_get(reply->body, "id"));
  if (ch == NULL || ch[0] == '\0' || strspn(ch, "0123456789") != strlen(ch) || strlen(ch) > 20)
    return PD_E_INVALID;
  snprintf(path, sizeof(path), "/channels/%s/messages", ch);
  pd_discord_reply_clear(reply);
  return pd_discord_request(discord, "POST", path, w->app->cfg.bot_token, o->payload, o->files,
                            o->nfiles, reply);
}

/* A granted consumable's consumption, with the bot token.  PD_E_INVALID when the job names no
 * usable entitlement or application. */
static enum pd_result send_consume(struct pd_workers *w, struct pd_discord *discord,
                                   const struct pd_job *j, struct pd_discord_reply *reply)
{
  char path[160];
  const char *id = json_string_value(json_object_get(j->attach, "entitlement_id"));
  const char *app = j->application_id;
  memset(reply, 0, sizeof(*reply));
  if (id == NULL || id[0] == '\0' || strspn(id, "0123456789") != strlen(id) || strlen(id) > 20 ||
      app[0] == '\0' || strspn(app, "0123456789") != strlen(app) || strlen(app) > 20)
    return PD_E_INVALID;
  snprintf(path, sizeof(path), "/applications/%s/entitlements/%s/consume", app, id);
  return pd_discord_request(discord, "POST", path, w->app->cfg.bot_token, NULL, NULL, 0, reply);
}

/* A consumption is done when Discord says so (2xx), and also when there is nothing left to
 * consume: the entitlement is gone (404, deleted or refunded meanwhile) or an earlier attempt
 * whose answer was lost already consumed it (400 saying so). */
static bool consumed_already(long status, const json_t *body)
{
  const char *msg = json_string_value(json_object_get(body, "message"));
  return status == 404 || (status == 400 && msg != NULL && strcasestr(msg, "consumed") != NULL);
}

/* Sends one job; everything it decides is written in the caller's transaction. */
static enum pd_result deliver(struct pd_workers *w, struct pd_db *db, struct pd_discord *discord,
                              struct pd_job *j)
{
  char path[512];
  char why[320];
  struct pd_discord_reply reply;

  if (j->expired) {
    pd_metrics_followup(PD_FOLLOWUP_EXPIRED);
    log_job("error", "follow-up dropped", j, 0, "interaction token expired before delivery");
    return pd_db_job_fail(db, j->id, "interaction token expired before delivery");
  }
  int64_t pause = atomic_load(&w->paused_until_ms) - wall_ms();
  if (pause > 0)
    return pd_db_job_retry(db, j->id, pause, "waiting out a global rate limit");
  if (j->method == PD_JOB_DM && w->app->cfg.bot_token == NULL)
    return pd_db_job_fail(db, j->id, "DISCORD_BOT_TOKEN is not set: direct messages need it");
  if (j->method == PD_JOB_CONSUME && w->app->cfg.bot_token == NULL)
    return pd_db_job_fail(db, j->id,
                          "DISCORD_BOT_TOKEN is not set: consuming entitlements needs it");
  if (j->method != PD_JOB_DM && j->method != PD_JOB_CONSUME &&
      pd_discord_webhook_path(w->app->cfg.application_id, j->token,
                              j->method == PD_JOB_EDIT_ORIGINAL, path, sizeof(path)) != PD_OK)
    return pd_db_job_fail(db, j->id, "interaction token is not URL-safe");
  enum pd_result rc = render_made(w, j, why, sizeof(why));
  if (rc != PD_OK) {
    int64_t delay =
        pd_backoff_ms((unsigned)j->attempts, BACKOFF_BASE_MS, BACKOFF_MAX_MS, randombytes_random());
    log_job("warn", "follow-up waits for its new card", j, 0, why);
    return pd_db_job_retry(db, j->id, delay, why);
  }
  struct outgoing o;
  rc = prepare(w, j, &o);
  if (rc != PD_OK) {
    outgoing_free(&o);
    if (rc == PD_E_NOMEM)
      return rc;
    pd_utf8_fmt(why, sizeof(why), "unknown job kind \"%s\"", j->kind);
    log_job("error", "follow-up dropped", j, 0, why);
    return pd_db_job_fail(db, j->id, why);
  }
  if (j->method == PD_JOB_DM)
    rc = send_dm(w, discord, j, &o, &reply);
  else if (j->method == PD_JOB_CONSUME)
    rc = send_consume(w, discord, j, &reply);
  else
    rc = pd_discord_request(discord, j->method == PD_JOB_EDIT_ORIGINAL ? "PATCH" : "POST", path,
                            NULL, o.payload, o.files, o.nfiles, &reply);
  outgoing_free(&o);
  if (rc == PD_E_INVALID) {
    const char *what = j->method == PD_JOB_CONSUME ? "no entitlement id to consume"
                                                   : "no DM channel for the recipient";
    pd_discord_reply_clear(&reply);
    log_job("error", "follow-up dropped", j, 0, what);
    return pd_db_job_fail(db, j->id, what);
  }
  long status = rc == PD_OK ? reply.status : 0;
  if (j->method == PD_JOB_CONSUME && consumed_already(status, reply.body)) {
    pd_metrics_followup(PD_FOLLOWUP_SENT);
    log_job("info", "entitlement was already consumed", j, status, NULL);
    pd_discord_reply_clear(&reply);
    return pd_db_job_done(db, j->id);
  }
  switch (pd_backoff_verdict(status)) {
  case PD_SEND_DONE:
    pd_metrics_followup(PD_FOLLOWUP_SENT);
    log_job("info", "follow-up sent", j, status, NULL);
    rc = pd_db_job_done(db, j->id);
    break;
  case PD_SEND_RATE_LIMIT:
    pd_metrics_followup(PD_FOLLOWUP_RATE_LIMITED);
    if (reply.global)
      atomic_store(&w->paused_until_ms, wall_ms() + reply.retry_after_ms);
    snprintf(why, sizeof(why), "429 rate limited%s, retry after %lld ms",
             reply.global ? " (global)" : "", (long long)reply.retry_after_ms);
    log_job("warn", "follow-up rate limited", j, status, why);
    rc = pd_db_job_retry(db, j->id, reply.retry_after_ms, why);
    break;
  case PD_SEND_RETRY: {
    int64_t delay =
        pd_backoff_ms((unsigned)j->attempts, BACKOFF_BASE_MS, BACKOFF_MAX_MS, randombytes_random());
    pd_metrics_followup(PD_FOLLOWUP_RETRY);
    if (status == 0)
      snprintf(why, sizeof(why), "network error: %s", reply.error);
    else
      snprintf(why, sizeof(why), "Discord answered %ld", status);
    log_job("warn", "follow-up will be retried", j, status, why);
    rc = pd_db_job_retry(db, j->id, delay, why);
    break;
  }
  case PD_SEND_GIVE_UP: {
    const char *msg = json_string_value(json_object_get(reply.body, "message"));
    pd_metrics_followup(PD_FOLLOWUP_GAVE_UP);
    snprintf(why, sizeof(why), "Discord refused it with %ld: %s", status,
             msg != NULL ? msg : "(no message)");
    log_job("error", "follow-up given up", j, status, why);
    rc = pd_db_job_fail(db, j->id, why);
    break;
  }
  }
  pd_discord_reply_clear(&reply);
  return rc;
}

/* One transaction: claim a due job, send it, record the outcome.  *did says whether a job
 * was found. */
static enum pd_result work_once(struct pd_workers *w, struct pd_db *db, struct pd_discord *discord,
                                bool *did)
{
  struct pd_job *j = NULL;
  *did = false;
  enum pd_result rc = pd_db_exec_sql(db, "BEGIN");
  if (rc != PD_OK)
    return rc;
  rc = pd_db_job_claim(db, &j);
  if (rc == PD_OK) {
    *did = true;
    rc = deliver(w, db, discord, j);
  } else if (rc == PD_E_NOTFOUND) {
    rc = PD_OK;
  }
  pd_job_free(j);
  if (rc == PD_OK)
    return pd_db_exec_sql(db, "COMMIT");
  if (PQstatus(db->pg) == CONNECTION_OK)
    (void)pd_db_exec_sql(db, "ROLLBACK");
  return rc;
}

/* Sleeps until a job is announced, the next retry is due, or IDLE_POLL_MS passes. */
static void wait_for_work(struct pd_db *db)
{
  int64_t due = -1;
  if (pd_db_job_next_due_ms(db, &due) != PD_OK)
    return;
  if (due == 0)
    return;
  int timeout = (due < 0 || due > IDLE_POLL_MS) ? IDLE_POLL_MS : (int)due;
  struct pollfd p = {PQsocket(db->pg), POLLIN, 0};
  if (p.fd >= 0 && poll(&p, 1, timeout) > 0) {
    PQconsumeInput(db->pg);
    PGnotify *n;
    while ((n = PQnotifies(db->pg)) != NULL)
      PQfreemem(n);
  }
}

static void *worker_main(void *arg)
{
  struct pd_workers *w = arg;
  struct pd_db *db = NULL;
  struct pd_discord *discord = NULL;
  if (pd_discord_new(w->app->cfg.api_base, SEND_TIMEOUT_MS, &discord) != PD_OK)
    return NULL;
  while (!atomic_load(&w->stop)) {
    if (db == NULL || PQstatus(db->pg) != CONNECTION_OK) {
      pd_db_close(db);
      db = NULL;
      if (pd_db_open(w->app->cfg.database_url, 30000, true, &db, NULL, 0) != PD_OK ||
          pd_db_exec_sql(db, "LISTEN " PD_JOBS_CHANNEL) != PD_OK) {
        pd_db_close(db);
        db = NULL;
        struct timespec pause = {0, 500 * 1000000};
        nanosleep(&pause, NULL);
        continue;
      }
    }
    bool did = false;
    enum pd_result rc = work_once(w, db, discord, &did);
    if (rc != PD_OK) {
      pd_log_error("follow-up worker: %s", pd_result_str(rc));
      struct timespec pause = {0, 200 * 1000000};
      nanosleep(&pause, NULL);
      continue;
    }
    if (!did)
      wait_for_work(db);
  }
  pd_db_close(db);
  pd_discord_free(discord);
  return NULL;
}

enum pd_result pd_workers_start(struct pd_app *app, int n, struct pd_workers **out)
{
  struct pd_workers *w = calloc(1, sizeof(*w));
  if (w == NULL)
    return PD_E_NOMEM;
  w->app = app;
  w->threads = calloc((size_t)(n > 0 ? n : 1), sizeof(*w->threads));
  if (w->threads == NULL) {
    free(w);
    return PD_E_NOMEM;
  }
  for (int i = 0; i < n; i++) {
    if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0) {
      pd_workers_stop(w);
      return PD_E_INTERNAL;
    }
    w->n++;
  }
  *out = w;
  return PD_OK;
}

void pd_workers_stop(struct pd_workers *w)
{
  if (w == NULL)
    return;
  atomic_store(&w->stop, true);
  for (int i = 0; i < w->n; i++)
    pthread_join(w->threads[i], NULL);
  free(w->threads);
  free(w);
}
