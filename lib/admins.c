/* admins.c - reads and queries the admin list. */
#include "admins.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool in(char *const *ids, size_t n, const char *id)
{
  for (size_t i = 0; id != NULL && i < n; i++)
    if (strcmp(ids[i], id) == 0)
      return true;
  return false;
}

/* Appends the ids of list (a JSON array of numeric strings; key names it for err) to *ids. */
static enum pd_result add_ids(const char *path, const char *key, json_t *list, char ***ids,
                              size_t *n, char *err, size_t errlen)
{
  size_t i;
  json_t *v;
  char **grown = realloc(*ids, (*n + json_array_size(list) + 1) * sizeof(char *));
  if (grown == NULL)
    return PD_E_NOMEM;
  *ids = grown;
  json_array_foreach(list, i, v)
  {
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20) {
      snprintf(err, errlen, "%s: %s[%zu] must be a numeric Discord user id as a string", path, key,
               i);
      return PD_E_INVALID;
    }
    if (in(*ids, *n, s))
      continue;
    if (((*ids)[*n] = strdup(s)) == NULL)
      return PD_E_NOMEM;
    (*n)++;
  }
  return PD_OK;
}

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
  json_t *admins = json_object_get(root, "admins"), *owners = json_object_get(root, "owners");
  if (!json_is_array(admins) || (owners != NULL && !json_is_array(owners))) {
    snprintf(err, errlen,
             "%s: \"admins\" must be an array of Discord user ids (and \"owners\", if given)",
             path);
    goto out;
  }
  /* Owners are admins too: ids holds both, owners only the owners. */
  rc = add_ids(path, "owners", owners, &out->owners, &out->nowners, err, errlen);
  if (rc == PD_OK)
    rc = add_ids(path, "admins", admins, &out->ids, &out->n, err, errlen);
  if (rc == PD_OK)
    rc = add_ids(path, "owners", owners, &out->ids, &out->n, err, errlen);
  if (rc != PD_OK)
    pd_admins_free(out);
out:
  json_decref(root);
  return rc;
}

bool pd_admins_has(const struct pd_admins *a, const char *discord_id)
{
  return in(a->ids, a->n, discord_id);
}

bool pd_admins_is_owner(const struct pd_admins *a, const char *discord_id)
{
  return in(a->owners, a->nowners, discord_id);
}

void pd_admins_free(struct pd_admins *a)
{
  if (a == NULL)
    return;
  for (size_t i = 0; i < a->n; i++)
    free(a->ids[i]);
  for (size_t i = 0; i < a->nowners; i++)
    free(a->owners[i]);
  free(a->ids);
  free(a->owners);
  memset(a, 0, sizeof(*a));
}
