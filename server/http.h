/* http.h - the HTTP front: libmicrohttpd daemon, routes, request log lines, metrics. */
#ifndef PD_HTTP_H
#define PD_HTTP_H

#include "app.h"

/* Largest interaction body accepted; larger is 413. */
#define PD_MAX_BODY (64 * 1024)

struct pd_http;
/* Starts listening on cfg.listen_host:listen_port, and on cfg.ops_host:ops_port when that is
 * set; *port_out gets the main bound port.  PD_E_INVALID (after one line naming the variable)
 * for an address that is not numeric, or an admin API (ADMIN_TOKEN set) without its OpenAPI
 * document in ASSETS_DIR. */
enum pd_result pd_http_start(struct pd_app *app, struct pd_http **out, int *port_out);
/* The ops listener's bound port, 0 when there is none. */
int pd_http_ops_port(const struct pd_http *h);
/* Stops accepting new connections (in-flight requests go on). */
void pd_http_quiesce(struct pd_http *h);
void pd_http_stop(struct pd_http *h);

#endif
