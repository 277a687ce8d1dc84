/* admins.c - reads and queries the admin list. */
#include "admins.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum pd_result pd_admins_load(const char *path, struct pd_admins *out, char *err, size_t errlen)
{
  json_error_t jerr;
  memset(out, 0, sizeof(*out));
  if (errlen > 0)
    err[0] = '\0';
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    if (errno == ENOENT)
      return PD_OK;
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return PD_E_IO;
  }
  json_t *root = json_loadf(f, 0, &jerr);
  fclose(f);
  enum pd_result rc = PD_E_INVALID;
  if (root == NULL) {
    snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
    return PD_E_INVALID;
  }
  json_t *list = json_object_get(root, "admins");
  if (!json_is_array(list)) {
    snprintf(err, errlen, "%s: \"admins\" must be an array of Discord user ids", path);
    goto out;
  }
  out->ids = calloc(json_array_size(list) + 1, sizeof(char *));
  if (out->ids == NULL) {
    rc = PD_E_NOMEM;
    goto out;
  }
  size_t i;
  json_t *v;
  json_array_foreach(list, i, v)
  {
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strspn(s, "0123456789") != strlen(s)) {
      snprintf(err, errlen, "%s: admins[%zu] must be a numeric Discord user id as a string", path,
               i);
      pd_admins_free(out);
      goto out;
    }
    out->ids[out->n] = strdup(s);
    if (out->ids[out->n] == NULL) {
      pd_admins_free(out);
      rc = PD_E_NOMEM;
      goto out;
    }
    out->n++;
  }
  rc = PD_OK;
out:
  json_decref(root);
  return rc;
}

bool pd_admins_has(const struct pd_admins *a, const char *discord_id)
{
  for (size_t i = 0; discord_id != NULL && i < a->n; i++)
    if (strcmp(a->ids[i], discord_id) == 0)
      return true;
  return false;
}

void pd_admins_free(struct pd_admins *a)
{
  if (a == NULL)
    return;
  for (size_t i = 0; i < a->n; i++)
    free(a->ids[i]);
  free(a->ids);
  memset(a, 0, sizeof(*a));
}
