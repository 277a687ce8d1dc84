/* events.h - POST /events: Discord's webhook events (ENTITLEMENT_CREATE, _UPDATE, _DELETE),
 * signed as interactions are. */
#ifndef PD_EVENTS_H
#define PD_EVENTS_H

#include <stddef.h>

#include "app.h"
#include "dispatch.h"

/* Verifies sig and ts as /interactions does (401), parses the body (400), and answers 204 with
 * an empty body once an entitlement event is handled (500 when it could not be: Discord
 * delivers it again). */
void pd_events_handle(struct pd_app *app, const char *sig, const char *ts, const char *body,
                      size_t len, struct pd_answer *ans, struct pd_reqlog *log);

#endif
