/* http_client.h - a small libcurl client for tests (loopback only, no proxies). */
#ifndef PD_TEST_HTTP_H
#define PD_TEST_HTTP_H

#include <stddef.h>

#include "pd.h"

struct pd_http_reply {
  long status;
  char *body; /* NUL-terminated; "" when empty */
  size_t len;
  char *headers; /* the raw response header block */
};

/* headers: NULL-terminated "Name: value" list (may be NULL).  PD_E_UPSTREAM when no
 * HTTP answer came; out is always safe to pd_http_reply_free. */
enum pd_result pd_http_do(const char *method, const char *url, const char *const headers[],
                          const void *body, size_t len, struct pd_http_reply *out);
/* A response header's value (case-insensitive name), in a static per-reply buffer; NULL if absent.
 */
const char *pd_http_header(struct pd_http_reply *r, const char *name);
void pd_http_reply_free(struct pd_http_reply *r);

#endif
