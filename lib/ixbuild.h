/* ixbuild.h - builds realistic interaction bodies, in the shapes Discord sends them, for
 * `popdeck try`, the end-to-end tests and the benchmarks. */
#ifndef PD_IXBUILD_H
#define PD_IXBUILD_H

#include <jansson.h>
#include <stdbool.h>

struct pd_ixb {
  int type; /* 1 ping, 2 command, 3 component, 4 autocomplete, 5 modal */
  const char *app_id;
  const char *user_id;
  bool dm;                /* user at top level, no guild or member */
  bool booster;           /* member.premium_since set */
  const char *command;    /* data.name for commands and autocomplete */
  json_t *options;        /* data.options (stolen; may be NULL) */
  json_t *resolved_users; /* data.resolved.users (stolen; may be NULL) */
  const char *custom_id;  /* data.custom_id for components and modals */
  json_t *message;        /* the message a component sits on (stolen; may be NULL) */
  const char *user_name;  /* the user's display name (NULL: "Player NNNN" from the id) */
  int component_type;     /* data.component_type of a component (0: 2, a button) */
  json_t *values;         /* data.values of a select (stolen; may be NULL) */
  json_t *components;     /* data.components of a modal submit (stolen; may be NULL) */
};

/* A fresh id (a snowflake of now) and token each call.  Caller owns the result. */
json_t *pd_ixb_build(const struct pd_ixb *b);
/* A user object as Discord sends it, named after the last digits of id. */
json_t *pd_ixb_user(const char *id);
/* The same with a display name of its own (username: name in lower case, spaces left out). */
json_t *pd_ixb_user_named(const char *id, const char *name);
/* The ids of the guild and channel every built interaction happens in. */
#define PD_IXB_GUILD_ID "2222222222222222222"
#define PD_IXB_CHANNEL_ID "3333333333333333333"

#endif
