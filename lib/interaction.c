/* interaction.c - parses the JSON of an interaction in its guild and DM shapes. */
#include "interaction.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *str_at(json_t *obj, const char *key)
{
  json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool user_from(json_t *u, struct pd_user *out)
{
  if (!json_is_object(u))
    return false;
  out->id = str_at(u, "id");
  out->username = str_at(u, "username");
  out->global_name = str_at(u, "global_name");
  out->avatar = str_at(u, "avatar");
  return out->id != NULL;
}

/* Walks into sub-command groups and sub-commands so handlers see the leaf options. */
static void leaf_options(struct pd_interaction *ix, json_t *data)
{
  json_t *opts = json_object_get(data, "options");
  const char *group = NULL;
  for (int depth = 0; depth < 2 && json_is_array(opts) && json_array_size(opts) == 1; depth++) {
    json_t *first = json_array_get(opts, 0);
    json_int_t t = json_integer_value(json_object_get(first, "type"));
    if (t != PD_OPT_SUB_COMMAND && t != PD_OPT_SUB_COMMAND_GROUP)
      break;
    if (t == PD_OPT_SUB_COMMAND_GROUP)
      group = str_at(first, "name");
    if (t == PD_OPT_SUB_COMMAND)
      ix->subcommand = str_at(first, "name");
    opts = json_object_get(first, "options");
  }
  /* A sub-command of a group is named "group sub" ("event create"), kept in data. */
  if (group != NULL && ix->subcommand != NULL) {
    char *path = NULL;
    if (asprintf(&path, "%s %s", group, ix->subcommand) >= 0) {
      json_object_set_new(data, "_subcommand_path", json_string(path));
      free(path);
      ix->subcommand = str_at(data, "_subcommand_path");
    }
  } else if (group != NULL) {
    ix->subcommand = group; /* a group without its sub-command: the table refuses it */
  }
  if (!json_is_array(opts)) {
    opts = json_array();
    json_object_set_new(data, "_leaf_options", opts); /* owned by data from here on */
  }
  ix->options = opts;
}

enum pd_result pd_iso8601_parse(const char *s, int64_t *out)
{
  int y, mo, d, h, mi, sec, n = 0;
  if (s == NULL || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
      n != 19)
    return PD_E_INVALID;
  const char *p = s + n;
  if (*p == '.') {
    p++;
    size_t digits = strspn(p, "0123456789");
    if (digits == 0)
      return PD_E_INVALID;
    p += digits;
  }
  int off = 0;
  if (*p == 'Z' && p[1] == '\0') {
    off = 0;
  } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
             strspn(p + 1, "0123456789") == 2 && strspn(p + 4, "0123456789") == 2) {
    off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
    if (*p == '-')
      off = -off;
  } else {
    return PD_E_INVALID;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return PD_E_INVALID;
  struct tm tm = {.tm_year = y - 1900,
                  .tm_mon = mo - 1,
                  .tm_mday = d,
                  .tm_hour = h,
                  .tm_min = mi,
                  .tm_sec = sec};
  *out = (int64_t)timegm(&tm) - off;
  return PD_OK;
}

/* A timestamp field: absent or null is 0; anything else must parse. */
static enum pd_result time_at(json_t *obj, const char *key, int64_t *out)
{
  json_t *v = json_object_get(obj, key);
  *out = 0;
  if (v == NULL || json_is_null(v))
    return PD_OK;
  return pd_iso8601_parse(json_string_value(v), out);
}

enum pd_result pd_entitlement_parse(json_t *obj, struct pd_entitlement *out)
{
  memset(out, 0, sizeof(*out));
  if (!json_is_object(obj))
    return PD_E_INVALID;
  out->raw = obj;
  out->id = str_at(obj, "id");
  out->sku_id = str_at(obj, "sku_id");
  out->user_id = str_at(obj, "user_id");
  out->type = (int)json_integer_value(json_object_get(obj, "type"));
  out->consumed = json_is_true(json_object_get(obj, "consumed"));
  out->deleted = json_is_true(json_object_get(obj, "deleted"));
  if (out->id == NULL || out->sku_id == NULL || out->id[0] == '\0' ||
      time_at(obj, "starts_at", &out->starts_at) != PD_OK ||
      time_at(obj, "ends_at", &out->ends_at) != PD_OK)
    return PD_E_INVALID;
  return PD_OK;
}

/* The interaction's `entitlements`: what cannot be read is skipped, never the interaction. */
static enum pd_result entitlements_of(struct pd_interaction *ix)
{
  json_t *list = json_object_get(ix->root, "entitlements");
  size_t n = json_is_array(list) ? json_array_size(list) : 0;
  if (n == 0)
    return PD_OK;
  ix->entitlements = calloc(n, sizeof(*ix->entitlements));
  if (ix->entitlements == NULL)
    return PD_E_NOMEM;
  for (size_t i = 0; i < n; i++)
    if (pd_entitlement_parse(json_array_get(list, i), &ix->entitlements[ix->nentitlements]) ==
        PD_OK)
      ix->nentitlements++;
  return PD_OK;
}

enum pd_result pd_interaction_parse(const char *body, size_t len, struct pd_interaction **out,
                                    char *err, size_t errlen)
{
  json_error_t jerr;
  struct pd_interaction *ix = calloc(1, sizeof(*ix));
  if (ix == NULL)
    return PD_E_NOMEM;
  *out = NULL;
  ix->root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
  if (!json_is_object(ix->root)) {
    snprintf(err, errlen, "body is not a JSON object: %s",
             ix->root == NULL ? jerr.text : "wrong type");
    goto bad;
  }
  json_t *type = json_object_get(ix->root, "type");
  if (!json_is_integer(type) || json_integer_value(type) < PD_IX_PING ||
      json_integer_value(type) > PD_IX_MODAL_SUBMIT) {
    snprintf(err, errlen, "unknown interaction type");
    goto bad;
  }
  ix->type = (int)json_integer_value(type);
  ix->id = str_at(ix->root, "id");
  ix->application_id = str_at(ix->root, "application_id");
  ix->token = str_at(ix->root, "token");
  if (ix->type == PD_IX_PING) {
    *out = ix;
    return PD_OK;
  }
  if (ix->id == NULL || ix->application_id == NULL || ix->token == NULL) {
    snprintf(err, errlen, "id, application_id and token are required");
    goto bad;
  }
  ix->guild_id = str_at(ix->root, "guild_id");
  ix->channel_id = str_at(ix->root, "channel_id");
  ix->locale = str_at(ix->root, "locale");
  ix->app_permissions = str_at(ix->root, "app_permissions");

  json_t *member = json_object_get(ix->root, "member");
  bool have_user = false;
  if (json_is_object(member)) {
    have_user = user_from(json_object_get(member, "user"), &ix->user);
    ix->premium_since = str_at(member, "premium_since");
    ix->roles = json_object_get(member, "roles");
    if (!json_is_array(ix->roles))
      ix->roles = NULL;
  } else {
    have_user = user_from(json_object_get(ix->root, "user"), &ix->user);
  }
  if (!have_user) {
    snprintf(err, errlen, "no user (member.user or user) with an id");
    goto bad;
  }

  json_t *data = json_object_get(ix->root, "data");
  if (!json_is_object(data)) {
    snprintf(err, errlen, "data is required");
    goto bad;
  }
  if (ix->type == PD_IX_COMMAND || ix->type == PD_IX_AUTOCOMPLETE) {
    ix->command_name = str_at(data, "name");
    if (ix->command_name == NULL) {
      snprintf(err, errlen, "data.name is required");
      goto bad;
    }
    leaf_options(ix, data);
  } else {
    ix->custom_id = str_at(data, "custom_id");
    if (ix->custom_id == NULL) {
      snprintf(err, errlen, "data.custom_id is required");
      goto bad;
    }
    ix->component_type = (int)json_integer_value(json_object_get(data, "component_type"));
    ix->values = json_object_get(data, "values");
  }
  if (entitlements_of(ix) != PD_OK) {
    pd_interaction_free(ix);
    return PD_E_NOMEM;
  }
  *out = ix;
  return PD_OK;
bad:
  pd_interaction_free(ix);
  return PD_E_INVALID;
}

void pd_interaction_free(struct pd_interaction *ix)
{
  if (ix == NULL)
    return;
  json_decref(ix->root);
  free(ix->entitlements);
  free(ix);
}

json_t *pd_interaction_option(const struct pd_interaction *ix, const char *name)
{
  size_t i;
  json_t *o;
  if (ix->options == NULL)
    return NULL;
  json_array_foreach(ix->options, i, o)
  {
    const char *n = str_at(o, "name");
    if (n != NULL && strcmp(n, name) == 0)
      return o;
  }
  return NULL;
}

const char *pd_interaction_option_str(const struct pd_interaction *ix, const char *name)
{
  json_t *o = pd_interaction_option(ix, name);
  return o != NULL ? str_at(o, "value") : NULL;
}

bool pd_interaction_option_int(const struct pd_interaction *ix, const char *name, int64_t *out)
{
  json_t *o = pd_interaction_option(ix, name);
  json_t *v = o != NULL ? json_object_get(o, "value") : NULL;
  if (!json_is_integer(v))
    return false;
  *out = json_integer_value(v);
  return true;
}

json_t *pd_interaction_focused(const struct pd_interaction *ix)
{
  size_t i;
  json_t *o;
  if (ix->options == NULL)
    return NULL;
  json_array_foreach(ix->options, i, o)
  {
    if (json_is_true(json_object_get(o, "focused")))
      return o;
  }
  return NULL;
}

static json_t *resolved(const struct pd_interaction *ix, const char *kind, const char *id)
{
  json_t *data = json_object_get(ix->root, "data");
  json_t *res = json_object_get(data, "resolved");
  return json_object_get(json_object_get(res, kind), id);
}

json_t *pd_interaction_resolved_user(const struct pd_interaction *ix, const char *id)
{
  return resolved(ix, "users", id);
}

json_t *pd_interaction_resolved_member(const struct pd_interaction *ix, const char *id)
{
  return resolved(ix, "members", id);
}

const char *pd_user_display_name(const struct pd_user *u)
{
  if (u->global_name != NULL && u->global_name[0] != '\0')
    return u->global_name;
  return u->username != NULL ? u->username : u->id;
}
