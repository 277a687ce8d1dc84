/* control.h - instance-wide control through the database: a thread listens on
 * PD_CONTROL_CHANNEL, and "shutdown" (the owners' /admin shutdown) stops this instance as
 * SIGTERM does.  Every instance listens, so one notice stops them all. */
#ifndef PD_CONTROL_H
#define PD_CONTROL_H

#include "app.h"

struct pd_control;
enum pd_result pd_control_start(struct pd_app *app, struct pd_control **out);
void pd_control_stop(struct pd_control *c);

#endif
