/* reply.c - building interaction responses and checking them against Discord's limits. */
#include "reply.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

json_t *pd_reply_new(enum pd_callback_type type, json_t *data)
{
  json_t *r = json_pack("{s:i}", "type", (int)type);
  if (r != NULL && data != NULL)
    json_object_set_new(r, "data", data);
  else
    json_decref(data);
  return r;
}

json_t *pd_reply_text(const char *text, int flags)
{
  json_t *d = json_pack("{s:s, s:{s:[]}}", "content", text, "allowed_mentions", "parse");
  if (d != NULL && flags != 0)
    json_object_set_new(d, "flags", json_integer(flags));
  return d;
}

size_t pd_utf8_len(const char *s)
{
  size_t n = 0;
  for (; *s != '\0'; s++)
    if (((unsigned char)*s & 0xC0) != 0x80)
      n++;
  return n;
}

static size_t str_len(const json_t *obj, const char *key)
{
  const char *s = json_string_value(json_object_get(obj, key));
  return s != NULL ? pd_utf8_len(s) : 0;
}

#define FAIL(...)                                                                                  \
  do {                                                                                             \
    snprintf(err, errlen, __VA_ARGS__);                                                            \
    return PD_E_INVALID;                                                                           \
  } while (0)

static enum pd_result check_embeds(const json_t *embeds, char *err, size_t errlen)
{
  size_t i, total = 0;
  json_t *e;
  if (!json_is_array(embeds))
    FAIL("embeds must be an array");
  if (json_array_size(embeds) > 10)
    FAIL("more than 10 embeds");
  json_array_foreach(embeds, i, e)
  {
    size_t t = str_len(e, "title"), d = str_len(e, "description");
    json_t *footer = json_object_get(e, "footer"), *author = json_object_get(e, "author");
    size_t f = str_len(footer, "text"), a = str_len(author, "name");
    if (t > 256)
      FAIL("embeds[%zu].title over 256 characters", i);
    if (d > 4096)
      FAIL("embeds[%zu].description over 4096 characters", i);
    if (f > 2048)
      FAIL("embeds[%zu].footer.text over 2048 characters", i);
    if (a > 256)
      FAIL("embeds[%zu].author.name over 256 characters", i);
    total += t + d + f + a;
    json_t *fields = json_object_get(e, "fields");
    if (fields != NULL) {
      size_t j;
      json_t *fl;
      if (!json_is_array(fields) || json_array_size(fields) > 25)
        FAIL("embeds[%zu].fields must be an array of at most 25", i);
      json_array_foreach(fields, j, fl)
      {
        size_t fn = str_len(fl, "name"), fv = str_len(fl, "value");
        if (fn == 0 || fn > 256)
          FAIL("embeds[%zu].fields[%zu].name must be 1-256 characters", i, j);
        if (fv == 0 || fv > 1024)
          FAIL("embeds[%zu].fields[%zu].value must be 1-1024 characters", i, j);
        total += fn + fv;
      }
    }
  }
  if (total > 6000)
    FAIL("embeds hold %zu characters, over 6000", total);
  return PD_OK;
}

static enum pd_result check_components(const json_t *rows, char *err, size_t errlen)
{
  size_t i, j, k;
  json_t *row, *c, *opt;
  const char *ids[25];
  size_t nids = 0;
  if (!json_is_array(rows) || json_array_size(rows) > 5)
    FAIL("components must be an array of at most 5 action rows");
  json_array_foreach(rows, i, row)
  {
    json_t *items = json_object_get(row, "components");
    if (json_integer_value(json_object_get(row, "type")) != 1 || !json_is_array(items))
      FAIL("components[%zu] must be an action row (type 1) with components", i);
    size_t n = json_array_size(items);
    bool has_select = false;
    json_array_foreach(items, j, c)
    {
      json_int_t type = json_integer_value(json_object_get(c, "type"));
      if (type != 2)
        has_select = true;
      const char *id = json_string_value(json_object_get(c, "custom_id"));
      if (id != NULL) {
        size_t len = strlen(id);
        if (len == 0 || len > 100)
          FAIL("components[%zu][%zu].custom_id must be 1-100 characters", i, j);
        for (size_t m = 0; m < nids; m++)
          if (strcmp(ids[m], id) == 0)
            FAIL("custom_id \"%s\" used twice", id);
        if (nids < PD_ARRAY_LEN(ids))
          ids[nids++] = id;
      }
      if (type == 2 && str_len(c, "label") > 80)
        FAIL("components[%zu][%zu].label over 80 characters", i, j);
      json_t *opts = json_object_get(c, "options");
      if (opts != NULL) {
        if (json_array_size(opts) > 25)
          FAIL("components[%zu][%zu] has more than 25 options", i, j);
        json_array_foreach(opts, k, opt)
        {
          if (str_len(opt, "label") > 100 || str_len(opt, "value") > 100 ||
              str_len(opt, "description") > 100)
            FAIL("components[%zu][%zu].options[%zu] text over 100 characters", i, j, k);
        }
      }
    }
    if (n == 0 || n > 5 || (has_select && n != 1))
      FAIL("components[%zu] must hold 1-5 buttons or exactly 1 select", i);
  }
  return PD_OK;
}

enum pd_result pd_reply_check(const json_t *data, char *err, size_t errlen)
{
  if (!json_is_object(data))
    FAIL("message data must be an object");
  if (str_len(data, "content") > 2000)
    FAIL("content over 2000 characters");
  json_t *flags = json_object_get(data, "flags");
  if (flags != NULL && (json_integer_value(flags) & ~(json_int_t)(PD_FLAG_EPHEMERAL | 4)) != 0)
    FAIL("flags may only be EPHEMERAL (64) or SUPPRESS_EMBEDS (4)");
  json_t *embeds = json_object_get(data, "embeds");
  if (embeds != NULL && check_embeds(embeds, err, errlen) != PD_OK)
    return PD_E_INVALID;
  json_t *rows = json_object_get(data, "components");
  if (rows != NULL && check_components(rows, err, errlen) != PD_OK)
    return PD_E_INVALID;
  return PD_OK;
}

void pd_fmt_thousands(int64_t n, char out[32])
{
  char digits[24];
  uint64_t u = n < 0 ? (uint64_t)(-(n + 1)) + 1 : (uint64_t)n;
  int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
  size_t o = 0;
  if (n < 0)
    out[o++] = '-';
  for (int i = 0; i < len; i++) {
    if (i > 0 && (len - i) % 3 == 0)
      out[o++] = ',';
    out[o++] = digits[i];
  }
  out[o] = '\0';
}

int64_t pd_snowflake_ms(const char *s)
{
  uint64_t v = 0;
  if (s == NULL || *s == '\0')
    return 0;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
      return 0;
    v = v * 10 + (uint64_t)(*s - '0');
  }
  return (int64_t)(v >> 22) + 1420070400000LL; /* Discord's epoch, 2015-01-01 */
}
