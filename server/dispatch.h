/* dispatch.h - POST /interactions: signature, parsing, the command table's flags, and the
 * mapping of every result to what Discord and the player see. */
#ifndef PD_DISPATCH_H
#define PD_DISPATCH_H

#include <jansson.h>
#include <stddef.h>

#include "app.h"
#include "log.h"

struct pd_answer {
  int status;
  char *body; /* malloc'd */
  size_t len;
};

/* ans gets status and j (stolen) as compact JSON; 500 when it cannot be made.  Every JSON route
 * (/interactions, /events, /webhooks/stripe) answers through these. */
void pd_answer_json(struct pd_answer *ans, int status, json_t *j);
/* {"error": msg}. */
void pd_answer_error(struct pd_answer *ans, int status, const char *msg);

/* What the request log line says about an interaction. */
struct pd_reqlog {
  int ix_type;
  char command[40];
  char user_id[24];
  char ref[PD_REF_LEN + 1];
  const char *error; /* our failure, for the log only */
};

void pd_dispatch(struct pd_app *app, const char *sig, const char *ts, const char *body, size_t len,
                 struct pd_answer *ans, struct pd_reqlog *log);

#endif
