/* double.h - drive build/double-discord from a test: start it, make it misbehave, read what
 * PopDeck sent it. */
#ifndef PD_TEST_DOUBLE_H
#define PD_TEST_DOUBLE_H

#include <jansson.h>
#include <stdbool.h>

#include "pd.h"

struct pd_double;

enum pd_result pd_double_start(struct pd_double **out, const char *build_dir);
/* "http://127.0.0.1:PORT/api/v10": what DISCORD_API_BASE is set to. */
const char *pd_double_api_base(const struct pd_double *d);
/* "http://127.0.0.1:PORT": the double's own routes (/_requests, /_files, /_control). */
const char *pd_double_root(const struct pd_double *d);
/* The next count Discord-route requests answer status (429 with retry_after seconds). */
enum pd_result pd_double_fail_next(struct pd_double *d, int status, int count, double retry_after,
                                   bool global);
/* The same, for the next count requests whose path contains path only. */
enum pd_result pd_double_fail_next_on(struct pd_double *d, const char *path, int status, int count,
                                      double retry_after);
/* The next count Discord-route requests are answered only after ms milliseconds. */
enum pd_result pd_double_delay_next(struct pd_double *d, int ms, int count);
/* Recorded requests whose path contains filter (all when NULL).  Caller owns. */
json_t *pd_double_requests(struct pd_double *d, const char *filter);
/* Polls until at least n such requests were recorded; NULL on timeout.  Caller owns. */
json_t *pd_double_wait_requests(struct pd_double *d, const char *filter, size_t n, int timeout_ms);
/* Puts (by id) an entitlement object the double then lists and can consume; ent is borrowed. */
enum pd_result pd_double_entitlement_put(struct pd_double *d, json_t *ent);
/* The entitlements the double holds, as it holds them (consumed ones marked).  Caller owns. */
json_t *pd_double_entitlements(struct pd_double *d);
/* Forgets the recorded requests, the failures asked for and the entitlements. */
void pd_double_reset(struct pd_double *d);
void pd_double_stop(struct pd_double *d);

#endif
