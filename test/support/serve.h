/* serve.h - the shared life of a test double: listen on 127.0.0.1, print the port, serve until
 * SIGTERM or SIGINT. */
#ifndef PD_TEST_SERVE_H
#define PD_TEST_SERVE_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Starts a thread-per-connection libmicrohttpd daemon on 127.0.0.1:port (0 = any free port),
 * prints "listening on 127.0.0.1:PORT", blocks until SIGTERM/SIGINT, stops it.  completed may
 * be NULL.  Returns the process exit code. */
int pd_double_serve(long port, MHD_AccessHandlerCallback handler, void *cls,
                    MHD_RequestCompletedCallback completed);
/* Set once the double is stopping: a handler that waits (a long poll) returns early, since
 * stopping waits for every connection's thread. */
extern atomic_bool pd_double_stopping;

/* A request body as libmicrohttpd hands it over, in pieces. */
struct pd_double_body {
  struct pd_buf buf; /* capped at the max given to pd_double_body_more */
  bool too_big;      /* more than max arrived; the rest was dropped */
};
/* Call first in a handler.  While the body is still arriving it returns true with *ret the
 * answer for libmicrohttpd; once it is complete it returns false with *out the whole body. */
bool pd_double_body_more(void **con_cls, const char *upload, size_t *upload_size, size_t max,
                         struct pd_double_body **out, enum MHD_Result *ret);
/* The MHD_RequestCompletedCallback that frees it. */
void pd_double_body_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe);

/* Every string in j that starts with from (an internet host in a fixture) is made to start
 * with to instead (a local double), so nothing a test serves points off the machine. */
void pd_double_rebase_urls(json_t *j, const char *from, const char *to);

#endif
