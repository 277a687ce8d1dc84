/* cfgerr.c - the JSON config loaders' errors (see cfgerr.h). */
#include "cfgerr.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum pd_result pd_cfg_fail(const struct pd_cfgerr *e, const char *fmt, ...)
{
  va_list ap;
  if (e->buf == NULL || e->len == 0)
    return PD_E_INVALID;
  int n = e->origin != NULL ? snprintf(e->buf, e->len, "%s: ", e->origin) : 0;
  if (n < 0 || (size_t)n >= e->len)
    return PD_E_INVALID;
  va_start(ap, fmt);
  vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
  va_end(ap);
  return PD_E_INVALID;
}

enum pd_result pd_cfg_known_keys(json_t *obj, const char *path, const char *const *allowed,
                                 const struct pd_cfgerr *e)
{
  const char *key;
  json_t *v;
  if (!json_is_object(obj))
    return pd_cfg_fail(e, "%s: must be an object", path[0] != '\0' ? path : "(root)");
  json_object_foreach(obj, key, v)
  {
    bool ok = strcmp(key, "_comment") == 0;
    for (const char *const *a = allowed; !ok && *a != NULL; a++)
      ok = strcmp(key, *a) == 0;
    if (!ok)
      return pd_cfg_fail(e, "%s%s%.64s: unknown key", path, path[0] != '\0' ? "." : "", key);
  }
  return PD_OK;
}
