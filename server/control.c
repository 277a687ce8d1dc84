/* control.c - the control listener (see control.h).  It keeps its own connection (never one of
 * the pool), reconnects when it loses it, and raises SIGTERM in this process on "shutdown": the
 * main thread's sigwait then drains and stops as for an operator's signal. */
#include "control.h"

#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "log.h"

#define POLL_MS 250

struct pd_control {
  struct pd_app *app;
  pthread_t thread;
  atomic_bool stop;
};

static bool heard_shutdown(struct pd_db *db)
{
  bool shutdown = false;
  PGnotify *n;
  PQconsumeInput(db->pg);
  while ((n = PQnotifies(db->pg)) != NULL) {
    shutdown = shutdown || strcmp(n->extra, "shutdown") == 0;
    PQfreemem(n);
  }
  return shutdown;
}

static void *control_main(void *arg)
{
  struct pd_control *c = arg;
  struct pd_db *db = NULL;
  while (!atomic_load(&c->stop)) {
    if (db == NULL || PQstatus(db->pg) != CONNECTION_OK) {
      pd_db_close(db);
      db = NULL;
      if (pd_db_open(c->app->cfg.database_url, 0, false, &db, NULL, 0) != PD_OK ||
          pd_db_exec_sql(db, "LISTEN " PD_CONTROL_CHANNEL) != PD_OK) {
        pd_db_close(db);
        db = NULL;
        struct timespec pause = {0, 500 * 1000000};
        nanosleep(&pause, NULL);
        continue;
      }
    }
    struct pollfd p = {PQsocket(db->pg), POLLIN, 0};
    if (p.fd < 0 || poll(&p, 1, POLL_MS) <= 0)
      continue;
    if (heard_shutdown(db)) {
      pd_log("info", "shutdown asked through the database", NULL);
      kill(getpid(), SIGTERM);
      break;
    }
  }
  pd_db_close(db);
  return NULL;
}

enum pd_result pd_control_start(struct pd_app *app, struct pd_control **out)
{
  struct pd_control *c = calloc(1, sizeof(*c));
  if (c == NULL)
    return PD_E_NOMEM;
  c->app = app;
  if (pthread_create(&c->thread, NULL, control_main, c) != 0) {
    free(c);
    return PD_E_INTERNAL;
  }
  *out = c;
  return PD_OK;
}

void pd_control_stop(struct pd_control *c)
{
  if (c == NULL)
    return;
  atomic_store(&c->stop, true);
  pthread_join(c->thread, NULL);
  free(c);
}
