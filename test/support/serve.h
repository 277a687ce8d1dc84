/* serve.h - the shared life of a test double: listen on 127.0.0.1, print the port, serve until
 * SIGTERM or SIGINT. */
#ifndef PD_TEST_SERVE_H
#define PD_TEST_SERVE_H

#include <jansson.h>
#include <microhttpd.h>

/* Starts a thread-per-connection libmicrohttpd daemon on 127.0.0.1:port (0 = any free port),
 * prints "listening on 127.0.0.1:PORT", blocks until SIGTERM/SIGINT, stops it.  completed may
 * be NULL.  Returns the process exit code. */
int pd_double_serve(long port, MHD_AccessHandlerCallback handler, void *cls, MHD_RequestCompletedCallback completed);

/* Every string in j that starts with from (an internet host in a fixture) is made to start
 * with to instead (a local double), so nothing a test serves points off the machine. */
void pd_double_rebase_urls(json_t *j, const char *from, const char *to);

#endif
