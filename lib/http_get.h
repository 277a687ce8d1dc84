/* http_get.h - one GET of a JSON API over libcurl, for the catalog clients (MusicBrainz, Last.fm),
 * and one POST to a local endpoint (the playground's interactions and its reports to the
 * development double). */
#ifndef PD_HTTP_GET_H
#define PD_HTTP_GET_H

#include <jansson.h>

#include "buf.h"
#include "pd.h"

/* GETs url with a 4 MiB body cap.  PD_OK when an HTTP answer came: *status is its code and
 * *json the parsed body (NULL when it is not JSON; caller owns).  PD_E_UPSTREAM on a network
 * failure, with curl's reason in err. */
enum pd_result pd_http_get_json(const char *url, const char *user_agent, long timeout_ms,
                                long *status, json_t **json, char *err, size_t errlen);

/* POSTs body (NUL-terminated) to url with headers (NULL-terminated "Name: value" list, may be
 * NULL), no proxy, within timeout_ms.  *status gets the HTTP status (0 without an answer) and
 * answer (initialised by the caller, with its cap; may be NULL to drop the body) the body.
 * PD_E_UPSTREAM when no answer came, with curl's reason in err. */
enum pd_result pd_http_post(const char *url, const char *const headers[], const char *body,
                            long timeout_ms, long *status, struct pd_buf *answer, char *err,
                            size_t errlen);

#endif
