/* worker.h - follow-up workers: deliver queued deferred replies to Discord. */
#ifndef PD_WORKER_H
#define PD_WORKER_H

#include "app.h"

struct pd_workers;
enum pd_result pd_workers_start(struct pd_app *app, int n, struct pd_workers **out);
/* Asks every worker to stop after its current send, and waits for them. */
void pd_workers_stop(struct pd_workers *w);

#endif
