/* events_e2e.h - Discord's side of webhook events for the end-to-end suites: entitlement
 * objects and event bodies in the shape Discord sends (../shared/discord/examples), signed with
 * the suite's key and posted to a server's POST /events as Discord delivers them. */
#ifndef PD_TEST_EVENTS_E2E_H
#define PD_TEST_EVENTS_E2E_H

#include <jansson.h>

#include "e2e.h"

/* An entitlement object.  ends_at: an ISO 8601 timestamp, or NULL (null).  Caller owns. */
json_t *pd_ev_entitlement(const char *id, const char *sku_id, const char *user_id, int type,
                          bool consumed, bool deleted, const char *ends_at);
/* {"version": 1, "application_id", "type": 1, "event": {"type", "timestamp", "data"}}; data is
 * borrowed.  Caller owns. */
json_t *pd_ev_event(const char *type, const char *timestamp, json_t *data);
/* {"version": 1, "application_id", "type": 0}.  Caller owns. */
json_t *pd_ev_ping(void);
/* Signs body (borrowed) with the suite key and the time now, as Discord does, and posts it to
 * server idx's /events.  Returns the HTTP status (-1: no answer); out (may be NULL) gets it. */
long pd_ev_post(struct pd_e2e *e, int idx, json_t *body, struct pd_http_reply *out);
/* Posts exactly these bytes and headers to /events (NULL header = left out). */
long pd_ev_post_raw(struct pd_e2e *e, int idx, const char *body, size_t len, const char *sig,
                    const char *ts, struct pd_http_reply *out);
/* An ISO 8601 UTC timestamp (Discord's shape) for now + offset_s. */
void pd_ev_time(long offset_s, char out[40]);

#endif
