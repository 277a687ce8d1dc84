/* admin_log.c - what admins did (the audit listing) and who they are (the admins table that
 * owners manage). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ops.h"
#include "admins.h"

#define PAGE_DEFAULT 25
#define PAGE_MAX 100

static json_t *json_col(const PGresult *res, int row, int col)
{
  const char *v = pd_db_val(res, row, col);
  json_t *j = v != NULL ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
  return j != NULL ? j : json_null();
}

enum pd_result pd_admin_audit_list(struct pd_admin_call *c)
{
  const char *user = NULL, *action = NULL;
  int64_t before = 0, limit = PAGE_DEFAULT;
  char before_s[24], limit_s[24];
  enum pd_result rc;
  if ((rc = pd_admin_arg_str(c, "user", &user)) == PD_E_USER ||
      (rc = pd_admin_arg_str(c, "action", &action)) == PD_E_USER ||
      (rc = pd_admin_arg_int(c, "before", &before)) == PD_E_USER ||
      (rc = pd_admin_arg_int(c, "limit", &limit)) == PD_E_USER)
    return rc;
  if (limit < 1 || limit > PAGE_MAX)
    return pd_admin_refuse(c, 400, "invalid_argument", "\"limit\" must be from 1 to %d.", PAGE_MAX);
  if (user != NULL && strcmp(user, PD_ADMIN_REST_ACTOR) != 0 &&
      (user[0] == '\0' || strlen(user) > 20 || strspn(user, "0123456789") != strlen(user)))
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"user\" must be a Discord user id or \"rest\".");
  snprintf(before_s, sizeof(before_s), "%" PRId64, before);
  snprintf(limit_s, sizeof(limit_s), "%" PRId64, limit + 1); /* one more: is there a next page */
  const char *params[4] = {user, action, before > 0 ? before_s : NULL, limit_s};
  PGresult *res = NULL;
  rc = pd_db_exec(c->db, "admin_audit_page", 4, params, &res);
  if (rc != PD_OK)
    return rc;
  int n = PQntuples(res);
  int shown = n > limit ? (int)limit : n;
  json_t *entries = json_array();
  for (int i = 0; i < shown; i++)
    json_array_append_new(
        entries, json_pack("{s:I, s:I, s:s, s:s, s:s, s:s?, s:o, s:o, s:o, s:s?}", "id",
                           (json_int_t)pd_db_int(res, i, 0), "at", (json_int_t)pd_db_int(res, i, 1),
                           "actor", pd_db_val(res, i, 2), "action", pd_db_val(res, i, 3), "outcome",
                           pd_db_val(res, i, 4), "target", pd_db_val(res, i, 5), "args",
                           json_col(res, i, 6), "before", json_col(res, i, 7), "after",
                           json_col(res, i, 8), "ref", pd_db_val(res, i, 9)));
  int64_t next = n > limit ? pd_db_int(res, shown - 1, 0) : 0;
  PQclear(res);
  pd_admin_result(c, "%d audit entr%s%s.", shown, shown == 1 ? "y" : "ies",
                  next > 0 ? " (more on the next page)" : "");
  json_object_set_new(c->result, "entries", entries);
  json_object_set_new(c->result, "next", next > 0 ? json_integer(next) : json_null());
  return PD_OK;
}

enum pd_result pd_admin_admins_list(struct pd_admin_call *c)
{
  PGresult *res = NULL;
  enum pd_result rc = pd_db_exec(c->db, "admins_list", 0, NULL, &res);
  if (rc != PD_OK)
    return rc;
  json_t *list = json_array();
  for (int i = 0; i < PQntuples(res); i++)
    json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:I}", "user", pd_db_val(res, i, 0),
                                          "source", "table", "added_by", pd_db_val(res, i, 1),
                                          "added_at", (json_int_t)pd_db_int(res, i, 2)));
  int table = PQntuples(res);
  PQclear(res);
  const struct pd_admins *file = c->env->admins;
  for (size_t i = 0; file != NULL && i < file->n; i++)
    json_array_append_new(
        list, json_pack("{s:s, s:s}", "user", file->ids[i], "source",
                        pd_admins_is_owner(file, file->ids[i]) ? "file_owner" : "file"));
  pd_admin_result(c, "%d admins in the table, %zu in ADMIN_FILE.", table,
                  file != NULL ? file->n : 0);
  json_object_set_new(c->result, "admins", list);
  return PD_OK;
}

enum pd_result pd_admin_admins_add(struct pd_admin_call *c)
{
  char user[24];
  enum pd_result rc = pd_admin_need_user(c, user);
  if (rc != PD_OK)
    return rc;
  const char *params[2] = {user, c->who->actor};
  PGresult *res = NULL;
  rc = pd_db_exec(c->db, "admins_add", 2, params, &res);
  if (rc != PD_OK)
    return rc;
  bool added = PQntuples(res) == 1;
  PQclear(res);
  if (!added)
    return pd_admin_refuse(c, 409, "already_admin", "<@%s> is already in the admins table.", user);
  c->before = json_pack("{s:b}", "admin", false);
  c->after = json_pack("{s:b}", "admin", true);
  pd_admin_result(c, "<@%s> is now a PopDeck admin.", user);
  json_object_set_new(c->result, "user", json_string(user));
  return PD_OK;
}

enum pd_result pd_admin_admins_remove(struct pd_admin_call *c)
{
  char user[24];
  enum pd_result rc = pd_admin_need_user(c, user);
  if (rc != PD_OK)
    return rc;
  const char *params[1] = {user};
  PGresult *res = NULL;
  rc = pd_db_exec(c->db, "admins_remove", 1, params, &res);
  if (rc != PD_OK)
    return rc;
  bool removed = PQntuples(res) == 1;
  PQclear(res);
  const struct pd_admins *file = c->env->admins;
  if (!removed && file != NULL && pd_admins_has(file, user))
    return pd_admin_refuse(c, 409, "in_admin_file",
                           "<@%s> is an admin through ADMIN_FILE: edit the file and send the "
                           "server SIGHUP to remove them.",
                           user);
  if (!removed)
    return pd_admin_refuse(c, 404, "not_admin", "<@%s> is not in the admins table.", user);
  c->before = json_pack("{s:b}", "admin", true);
  c->after = json_pack("{s:b}", "admin", false);
  pd_admin_result(c, "<@%s> is no longer a PopDeck admin.", user);
  json_object_set_new(c->result, "user", json_string(user));
  return PD_OK;
}
