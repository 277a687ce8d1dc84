/* dispatch.h - POST /interactions: signature, parsing, the command table's flags, and the
 * mapping of every result to what Discord and the player see. */
#ifndef PD_DISPATCH_H
#define PD_DISPATCH_H

#include <stddef.h>

#include "app.h"
#include "log.h"

struct pd_answer {
  int status;
  char *body; /* malloc'd */
  size_t len;
};

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
