/* interaction.h - an incoming Discord interaction, parsed once into the fields handlers use. */
#ifndef PD_INTERACTION_H
#define PD_INTERACTION_H

#include <jansson.h>
#include <stdbool.h>

#include "pd.h"

enum pd_interaction_type {
  PD_IX_PING = 1,
  PD_IX_COMMAND = 2,
  PD_IX_COMPONENT = 3,
  PD_IX_AUTOCOMPLETE = 4,
  PD_IX_MODAL_SUBMIT = 5,
};

/* Option types Discord uses in data.options. */
enum pd_option_type {
  PD_OPT_SUB_COMMAND = 1,
  PD_OPT_SUB_COMMAND_GROUP = 2,
  PD_OPT_STRING = 3,
  PD_OPT_INTEGER = 4,
  PD_OPT_BOOLEAN = 5,
  PD_OPT_USER = 6,
  PD_OPT_CHANNEL = 7,
  PD_OPT_ROLE = 8,
  PD_OPT_MENTIONABLE = 9,
  PD_OPT_NUMBER = 10,
  PD_OPT_ATTACHMENT = 11,
};

struct pd_user {
  const char *id;
  const char *username;
  const char *global_name; /* may be NULL */
  const char *avatar;      /* hash, may be NULL */
};

/* Entitlement types Discord sends (a subset). */
enum pd_entitlement_type {
  PD_ENT_PURCHASE = 1,
  PD_ENT_TEST_MODE_PURCHASE = 4,
  PD_ENT_APPLICATION_SUBSCRIPTION = 8,
};

/* A Discord entitlement (a premium SKU the user holds): from an interaction's `entitlements`,
 * a webhook event's data, or the entitlement listing.  Strings are borrowed from raw. */
struct pd_entitlement {
  json_t *raw; /* borrowed: the object as received */
  const char *id;
  const char *sku_id;
  const char *user_id; /* may be NULL (a guild subscription) */
  int type;
  bool consumed;
  bool deleted;
  int64_t starts_at; /* Unix s; 0: none given */
  int64_t ends_at;   /* Unix s; 0: none given (no end) */
};

/* Reads one entitlement object: PD_E_INVALID when it has no string id and sku_id, or a
 * starts_at / ends_at that is neither null nor an ISO 8601 timestamp. */
enum pd_result pd_entitlement_parse(json_t *obj, struct pd_entitlement *out);

/* An ISO 8601 timestamp as Discord writes it ("2026-11-30T18:04:11.117000+00:00", or with Z)
 * as Unix seconds (fraction dropped).  PD_E_INVALID for anything else. */
enum pd_result pd_iso8601_parse(const char *s, int64_t *out);

/* Every string here is borrowed from root and lives as long as the interaction. */
struct pd_interaction {
  json_t *root; /* owned */
  int type;
  const char *id;
  const char *application_id;
  const char *token;
  const char *guild_id;   /* NULL in DMs */
  const char *channel_id; /* may be NULL */
  const char *locale;     /* may be NULL */
  const char *app_permissions;
  struct pd_user user;       /* member.user in guilds, user in DMs */
  const char *premium_since; /* member.premium_since: set for server boosters */
  json_t *roles;             /* member.roles (borrowed), NULL in DMs */
  const char *command_name;  /* data.name for commands and autocomplete */
  const char *subcommand;    /* the sub-command chosen, if any: "name", or "group name" */
  json_t *options;           /* the leaf option list (borrowed), never NULL for commands */
  const char *custom_id;     /* data.custom_id for components and modals */
  int component_type;
  json_t *values; /* data.values for selects (borrowed) */
  /* The caller's entitlements (the `entitlements` array); entries that cannot be read are
   * left out.  NULL when there are none. */
  struct pd_entitlement *entitlements; /* owned array */
  size_t nentitlements;
};

/* Parses a raw body.  Malformed JSON, a missing required field or an unknown type
 * gives PD_E_INVALID with a short reason in err. */
enum pd_result pd_interaction_parse(const char *body, size_t len, struct pd_interaction **out,
                                    char *err, size_t errlen);
void pd_interaction_free(struct pd_interaction *ix);

/* The option named name in the leaf option list, or NULL. */
json_t *pd_interaction_option(const struct pd_interaction *ix, const char *name);
const char *pd_interaction_option_str(const struct pd_interaction *ix, const char *name);
bool pd_interaction_option_int(const struct pd_interaction *ix, const char *name, int64_t *out);
/* The option that has "focused": true in an autocomplete, or NULL. */
json_t *pd_interaction_focused(const struct pd_interaction *ix);
/* data.resolved.users[id] and data.resolved.members[id], or NULL. */
json_t *pd_interaction_resolved_user(const struct pd_interaction *ix, const char *id);
json_t *pd_interaction_resolved_member(const struct pd_interaction *ix, const char *id);

/* The user's display name: global_name, else username. */
const char *pd_user_display_name(const struct pd_user *u);

#endif
