/* http_get.h - one GET of a JSON API over libcurl, for the catalog clients (MusicBrainz, Last.fm).
 */
#ifndef PD_HTTP_GET_H
#define PD_HTTP_GET_H

#include <jansson.h>

#include "pd.h"

/* GETs url with a 4 MiB body cap.  PD_OK when an HTTP answer came: *status is its code and
 * *json the parsed body (NULL when it is not JSON; caller owns).  PD_E_UPSTREAM on a network
 * failure, with curl's reason in err. */
enum pd_result pd_http_get_json(const char *url, const char *user_agent, long timeout_ms,
                                long *status, json_t **json, char *err, size_t errlen);

#endif
