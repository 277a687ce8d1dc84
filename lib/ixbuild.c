/* ixbuild.c - interaction bodies shaped like Discord's (see shared/discord/examples). */
#include "ixbuild.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define GUILD_ID PD_IXB_GUILD_ID
#define CHANNEL_ID PD_IXB_CHANNEL_ID

static void snowflake(char out[24])
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
  uint64_t v = ((ms - 1420070400000ULL) << 22) | (randombytes_random() & 0x3FFFFF);
  snprintf(out, 24, "%" PRIu64, v);
}

json_t *pd_ixb_user_named(const char *id, const char *display)
{
  char name[40], global[40];
  size_t n = strlen(id);
  const char *tail = n > 4 ? id + n - 4 : id;
  if (display != NULL) {
    size_t k = 0;
    for (const char *p = display; *p != '\0' && k + 1 < sizeof(name); p++)
      if (*p != ' ')
        name[k++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
    name[k] = '\0';
    snprintf(global, sizeof(global), "%s", display);
  } else {
    snprintf(name, sizeof(name), "player%s", tail);
    snprintf(global, sizeof(global), "Player %s", tail);
  }
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:n, s:n, s:i}", "id", id, "username", name,
                   "global_name", global, "discriminator", "0", "avatar",
                   "a1b2c3d4e5f60718293a4b5c6d7e8f90", "avatar_decoration_data", "clan",
                   "public_flags", 0);
}

json_t *pd_ixb_user(const char *id)
{
  return pd_ixb_user_named(id, NULL);
}

static json_t *data_of(const struct pd_ixb *b)
{
  char cmd_id[24];
  json_t *data;
  if (b->type == 2 || b->type == 4) {
    json_decref(b->values);
    json_decref(b->components);
    snowflake(cmd_id);
    data = json_pack("{s:s, s:s, s:i, s:o}", "id", cmd_id, "name", b->command, "type", 1, "options",
                     b->options != NULL ? b->options : json_array());
    if (b->resolved_users != NULL)
      json_object_set_new(data, "resolved", json_pack("{s:o}", "users", b->resolved_users));
  } else {
    data = json_pack("{s:s}", "custom_id", b->custom_id != NULL ? b->custom_id : "");
    if (b->type == 3) {
      json_object_set_new(data, "component_type",
                          json_integer(b->component_type != 0 ? b->component_type : 2));
      if (b->values != NULL)
        json_object_set_new(data, "values", b->values);
    } else {
      json_object_set_new(data, "components", b->components != NULL ? b->components : json_array());
    }
    if (b->type != 3)
      json_decref(b->values);
    if (b->type == 3)
      json_decref(b->components);
    json_decref(b->options);
    json_decref(b->resolved_users);
  }
  return data;
}

json_t *pd_ixb_build(const struct pd_ixb *b)
{
  char id[24];
  unsigned char raw[52];
  char token[80];
  snowflake(id);
  randombytes_buf(raw, sizeof(raw));
  sodium_bin2base64(token, sizeof(token), raw, sizeof(raw),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);

  json_t *ix = json_pack("{s:s, s:s, s:s, s:i, s:[], s:[], s:s, s:s, s:i, s:i}", "app_permissions",
                         "562949953601536", "application_id", b->app_id, "id", id, "context",
                         b->dm ? 1 : 0, "entitlement_sku_ids", "entitlements", "locale", "en-US",
                         "token", token, "type", b->type, "version", 1);
  if (ix == NULL || b->type == 1) {
    json_decref(b->options);
    json_decref(b->resolved_users);
    json_decref(b->message);
    json_decref(b->values);
    json_decref(b->components);
    return ix;
  }
  json_object_set_new(ix, "channel_id", json_string(CHANNEL_ID));
  json_object_set_new(ix, "data", data_of(b));
  if (b->message != NULL)
    json_object_set_new(ix, "message", b->message);
  if (b->dm) {
    json_object_set_new(ix, "user", pd_ixb_user_named(b->user_id, b->user_name));
    json_object_set_new(ix, "channel", json_pack("{s:s, s:i}", "id", CHANNEL_ID, "type", 1));
    json_object_set_new(ix, "authorizing_integration_owners", json_pack("{s:s}", "1", b->user_id));
    return ix;
  }
  json_t *since = json_null();
  if (b->booster) {
    char buf[40];
    time_t t = time(NULL) - 30 * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S.000000+00:00", &tm);
    json_decref(since);
    since = json_string(buf);
  }
  json_object_set_new(ix, "guild_id", json_string(GUILD_ID));
  json_object_set_new(ix, "guild_locale", json_string("en-US"));
  json_object_set_new(ix, "guild",
                      json_pack("{s:s, s:s, s:[]}", "id", GUILD_ID, "locale", "en-US", "features"));
  json_object_set_new(ix, "channel",
                      json_pack("{s:s, s:i, s:s, s:s}", "id", CHANNEL_ID, "type", 0, "name",
                                "popdeck", "guild_id", GUILD_ID));
  json_object_set_new(ix, "authorizing_integration_owners", json_pack("{s:s}", "0", GUILD_ID));
  json_object_set_new(
      ix, "member",
      json_pack("{s:n, s:b, s:i, s:s, s:b, s:n, s:b, s:s, s:o, s:[s], s:o}", "avatar", "deaf", 0,
                "flags", 0, "joined_at", "2024-05-01T12:00:00.000000+00:00", "mute", 0, "nick",
                "pending", 0, "permissions", "2248473465835073", "premium_since", since, "roles",
                "4444444444444444444", "user", pd_ixb_user_named(b->user_id, b->user_name)));
  return ix;
}
