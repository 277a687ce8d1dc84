/* admin_players.c - the admin's view of players: suspending and restoring an account (ban,
 * unban), the farming flags with the accounts involved (flags, flags_review), and one player's
 * balances, cards, trade, payments, flags, ban and last activity (user). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ops.h"
#include "db_admin_players.h"
#include "db_payments.h"
#include "db_trades.h"
#include "db_users.h"
#include "utf8.h"

#define FLAGS_IN_MESSAGE 8 /* lines of the message; the rest is in the JSON */

static json_t *json_col(const PGresult *res, int row, int col)
{
  const char *v = pd_db_val(res, row, col);
  json_t *j = v != NULL ? json_loads(v, JSON_DECODE_ANY, NULL) : NULL;
  return j != NULL ? j : json_null();
}

static json_t *int_or_null(const PGresult *res, int row, int col)
{
  return pd_db_val(res, row, col) != NULL ? json_integer(pd_db_int(res, row, col)) : json_null();
}

static json_t *ban_json(const char *user, const struct pd_ban *b)
{
  return json_pack("{s:s, s:s?, s:s, s:I}", "user", user, "reason",
                   b->reason[0] != '\0' ? b->reason : NULL, "banned_by", b->banned_by, "banned_at",
                   (json_int_t)b->banned_at);
}

/* ---- ban, unban ---- */

/* Cancels the player's active listings (their copies back to 'free'); *out gets the listing
 * ids as a JSON array. */
static enum pd_result cancel_listings(struct pd_admin_call *c, int64_t user_id, json_t **out)
{
  char uid[24];
  PGresult *r = NULL;
  snprintf(uid, sizeof(uid), "%" PRId64, user_id);
  const char *p1[1] = {uid};
  *out = NULL;
  enum pd_result rc = pd_db_exec(c->db, "ban_cancel_listings", 1, p1, &r);
  if (rc != PD_OK)
    return rc;
  int n = PQntuples(r);
  size_t cap = 3 + (size_t)n * 21;
  char *copies = malloc(cap);
  json_t *ids = json_array();
  if (copies == NULL || ids == NULL) {
    PQclear(r);
    free(copies);
    json_decref(ids);
    return PD_E_NOMEM;
  }
  /* The copies as an array literal: {1,2,3}. */
  size_t at = (size_t)snprintf(copies, cap, "{");
  for (int i = 0; i < n; i++) {
    json_array_append_new(ids, json_integer(pd_db_int(r, i, 0)));
    at += (size_t)snprintf(copies + at, cap - at, "%s%s", i > 0 ? "," : "", pd_db_val(r, i, 1));
  }
  snprintf(copies + at, cap - at, "}");
  PQclear(r);
  const char *p2[2] = {uid, copies};
  rc = n > 0 ? pd_db_exec(c->db, "ban_free_listed", 2, p2, NULL) : PD_OK;
  free(copies);
  if (rc != PD_OK) {
    json_decref(ids);
    return rc;
  }
  *out = ids;
  return PD_OK;
}

/* Cancels the player's open trade, if any: whatever either side offered goes back, and the
 * other trader is told by DM.  *trade_id gets the trade (0: none). */
static enum pd_result cancel_trade(struct pd_admin_call *c, int64_t user_id, const char *user,
                                   int64_t *trade_id)
{
  struct pd_trade t;
  char why[120], dm[400];
  *trade_id = 0;
  enum pd_result rc = pd_db_trade_of(c->db, user_id, true, &t);
  if (rc == PD_E_NOTFOUND)
    return PD_OK;
  if (rc != PD_OK)
    return rc;
  snprintf(why, sizeof(why), "an admin suspended <@%s>'s account", user);
  rc = pd_db_trade_close(c->db, &t, "cancelled", why, 0);
  if (rc != PD_OK)
    return rc;
  *trade_id = t.id;
  int other = 1 - pd_trade_side(&t, user_id);
  snprintf(dm, sizeof(dm),
           "Your PopDeck trade with <@%s> was cancelled: that account was suspended. Everything "
           "you offered is back in your collection.",
           user);
  return pd_admin_dm(c, t.discord[other], dm, NULL);
}

enum pd_result pd_admin_ban(struct pd_admin_call *c)
{
  char user[24], dm[600];
  const char *reason = NULL;
  enum pd_result rc = pd_admin_need_user(c, user);
  if (rc != PD_OK)
    return rc;
  rc = pd_admin_arg_str(c, "reason", &reason);
  if (rc == PD_E_USER)
    return rc;
  if (reason != NULL && reason[0] == '\0')
    reason = NULL;
  if (reason != NULL && strlen(reason) > PD_BAN_REASON_MAX)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"reason\" is at most %d bytes (got %zu): the player reads it on "
                           "every command.",
                           PD_BAN_REASON_MAX, strlen(reason));
  const char *params[3] = {user, reason, c->who->actor};
  PGresult *r = NULL;
  rc = pd_db_exec(c->db, "ban_insert", 3, params, &r);
  if (rc != PD_OK)
    return rc;
  bool added = PQntuples(r) == 1;
  int64_t at = added ? pd_db_int(r, 0, 0) : 0;
  PQclear(r);
  if (!added) {
    struct pd_ban b = {0};
    bool banned = false;
    rc = pd_db_ban_get(c->db, user, &banned, &b);
    if (rc != PD_OK)
      return rc;
    return pd_admin_refuse(c, 409, "already_banned",
                           "<@%s> is already suspended (since <t:%lld:f>, by %s). Unban first to "
                           "change the reason.",
                           user, (long long)b.banned_at, b.banned_by);
  }

  /* Nobody buys from a suspended account, and its trade cannot go on: listings are cancelled
   * and the trade's offers returned.  Cards and balances stay as they are. */
  struct pd_player p;
  json_t *listings = NULL;
  int64_t trade_id = 0;
  rc = pd_db_user_get(c->db, user, &p);
  bool played = rc == PD_OK;
  if (rc == PD_E_NOTFOUND)
    rc = PD_OK;
  if (rc == PD_OK && played)
    rc = cancel_listings(c, p.id, &listings);
  if (rc == PD_OK && played)
    rc = cancel_trade(c, p.id, user, &trade_id);
  if (rc == PD_OK && listings == NULL && (listings = json_array()) == NULL)
    rc = PD_E_NOMEM;
  if (rc != PD_OK) {
    json_decref(listings);
    return rc;
  }
  size_t nlist = json_array_size(listings);
  c->before = json_pack("{s:b}", "banned", false);
  c->after =
      json_pack("{s:b, s:s?, s:O, s:o}", "banned", true, "reason", reason, "listings_cancelled",
                listings, "trade_cancelled", trade_id > 0 ? json_integer(trade_id) : json_null());
  char trade_txt[64] = "";
  if (trade_id > 0)
    snprintf(trade_txt, sizeof(trade_txt), "; trade %" PRId64 " cancelled", trade_id);
  pd_admin_result(c, "<@%s> is suspended%s: %zu listing%s cancelled%s.", user,
                  played ? "" : " (they have not played yet)", nlist, nlist == 1 ? "" : "s",
                  trade_txt);
  json_object_set_new(c->result, "user", json_string(user));
  json_object_set_new(c->result, "reason", reason != NULL ? json_string(reason) : json_null());
  json_object_set_new(c->result, "banned_at", json_integer(at));
  json_object_set_new(c->result, "listings_cancelled", listings);
  json_object_set_new(c->result, "trade_cancelled",
                      trade_id > 0 ? json_integer(trade_id) : json_null());
  pd_utf8_fmt(dm, sizeof(dm),
              "Your PopDeck account was suspended by an admin.%s%s%s Your cards and balances are "
              "kept; your market listings were cancelled. If you think this is a mistake, contact "
              "the server's admins.",
              reason != NULL ? " Reason: " : "", reason != NULL ? reason : "",
              reason != NULL ? "." : "");
  return pd_admin_dm(c, user, dm, NULL);
}

enum pd_result pd_admin_unban(struct pd_admin_call *c)
{
  char user[24];
  enum pd_result rc = pd_admin_need_user(c, user);
  if (rc != PD_OK)
    return rc;
  const char *params[1] = {user};
  PGresult *r = NULL;
  rc = pd_db_exec(c->db, "ban_delete", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return pd_admin_refuse(c, 404, "not_banned", "<@%s> is not suspended.", user);
  }
  struct pd_ban b = {0};
  pd_utf8_copy(b.reason, sizeof(b.reason), pd_db_val(r, 0, 0));
  snprintf(b.banned_by, sizeof(b.banned_by), "%s", pd_db_val(r, 0, 1));
  b.banned_at = pd_db_int(r, 0, 2);
  PQclear(r);
  c->before = json_pack("{s:b, s:o}", "banned", true, "ban", ban_json(user, &b));
  c->after = json_pack("{s:b}", "banned", false);
  pd_admin_result(c, "<@%s> may play PopDeck again (suspended since <t:%lld:f>).", user,
                  (long long)b.banned_at);
  json_object_set_new(c->result, "user", json_string(user));
  return pd_admin_dm(c, user,
                     "Your PopDeck account is no longer suspended: welcome back. Your cards and "
                     "balances are as you left them.",
                     NULL);
}

/* ---- flags ---- */

static json_t *account_json(const PGresult *r, int row, int id_col, int age_col)
{
  if (pd_db_val(r, row, id_col) == NULL)
    return json_null();
  return json_pack("{s:s, s:I, s:I}", "user", pd_db_val(r, row, id_col), "registered_at",
                   (json_int_t)pd_db_int(r, row, id_col + 1), "age_days",
                   (json_int_t)pd_db_int(r, row, age_col));
}

/* One row of FLAG_COLS (db_admin_players.c) as JSON. */
static json_t *flag_json(const PGresult *r, int i)
{
  json_t *op = pd_db_val(r, i, 6) == NULL
                   ? json_null()
                   : json_pack("{s:I, s:s?}", "id", (json_int_t)pd_db_int(r, i, 6), "kind",
                               pd_db_val(r, i, 7));
  return json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:b, s:s?, s:o}", "id",
                   (json_int_t)pd_db_int(r, i, 0), "kind", pd_db_val(r, i, 1), "from",
                   account_json(r, i, 2, 13), "to", account_json(r, i, 4, 14), "operation", op,
                   "detail", json_col(r, i, 8), "at", (json_int_t)pd_db_int(r, i, 9), "reviewed",
                   pd_db_bool(r, i, 10), "reviewed_by", pd_db_val(r, i, 11), "reviewed_at",
                   int_or_null(r, i, 12));
}

static void flag_line(const PGresult *r, int i, char *out, size_t cap)
{
  char from[64] = "?", to[64] = "?";
  if (pd_db_val(r, i, 2) != NULL)
    snprintf(from, sizeof(from), "<@%s> (%lld d)", pd_db_val(r, i, 2),
             (long long)pd_db_int(r, i, 13));
  if (pd_db_val(r, i, 4) != NULL)
    snprintf(to, sizeof(to), "<@%s> (%lld d)", pd_db_val(r, i, 4), (long long)pd_db_int(r, i, 14));
  pd_utf8_fmt(out, cap, "\n#%lld %s: %s → %s, %s op %s, <t:%lld:R>", (long long)pd_db_int(r, i, 0),
              pd_db_val(r, i, 1), from, to, pd_db_val(r, i, 7) != NULL ? pd_db_val(r, i, 7) : "an",
              pd_db_val(r, i, 6) != NULL ? pd_db_val(r, i, 6) : "-", (long long)pd_db_int(r, i, 9));
}

enum pd_result pd_admin_flags(struct pd_admin_call *c)
{
  bool all = false;
  enum pd_result rc = pd_admin_arg_bool(c, "reviewed", &all);
  if (rc == PD_E_USER)
    return rc;
  PGresult *r = NULL;
  rc = pd_db_exec(c->db, all ? "flags_all" : "flags_open", 0, NULL, &r);
  if (rc != PD_OK)
    return rc;
  int n = PQntuples(r);
  json_t *list = json_array();
  char text[900], line[160];
  int at = snprintf(text, sizeof(text), "%d %sflag%s, newest first%s", n, all ? "" : "unreviewed ",
                    n == 1 ? "" : "s", n == 50 ? " (the latest 50)" : "");
  for (int i = 0; list != NULL && i < n; i++) {
    json_array_append_new(list, flag_json(r, i));
    flag_line(r, i, line, sizeof(line));
    if (i < FLAGS_IN_MESSAGE && at + strlen(line) + 1 < sizeof(text))
      at += snprintf(text + at, sizeof(text) - (size_t)at, "%s", line);
  }
  PQclear(r);
  if (list == NULL)
    return PD_E_NOMEM;
  pd_admin_result(c, "%s", text);
  json_object_set_new(c->result, "flags", list);
  return PD_OK;
}

enum pd_result pd_admin_flags_review(struct pd_admin_call *c)
{
  int64_t flag = 0;
  char id[24];
  enum pd_result rc = pd_admin_need_int(c, "flag", &flag);
  if (rc != PD_OK)
    return rc;
  if (flag < 1)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"flag\" must be a flag's id (/admin flags).");
  snprintf(id, sizeof(id), "%" PRId64, flag);
  snprintf(c->target, sizeof(c->target), "flag %" PRId64, flag);
  const char *params[2] = {id, c->who->actor};
  PGresult *r = NULL;
  rc = pd_db_exec(c->db, "flag_review", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 1) {
    PQclear(r);
    c->before = json_pack("{s:b}", "reviewed", false);
    c->after = json_pack("{s:b, s:s}", "reviewed", true, "reviewed_by", c->who->actor);
    pd_admin_result(c, "Flag %" PRId64 " is marked reviewed.", flag);
    json_object_set_new(c->result, "flag", json_integer(flag));
    json_object_set_new(c->result, "reviewed", json_true());
    return PD_OK;
  }
  PQclear(r);
  rc = pd_db_exec(c->db, "flag_get", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    return pd_admin_refuse(c, 404, "flag_not_found",
                           "There is no flag %" PRId64 ". /admin flags lists them.", flag);
  }
  char by[24];
  snprintf(by, sizeof(by), "%s", pd_db_val(r, 0, 1));
  int64_t when = pd_db_int(r, 0, 2);
  PQclear(r);
  return pd_admin_refuse(c, 409, "already_reviewed",
                         "Flag %" PRId64 " was already reviewed (by %s, <t:%lld:R>).", flag,
                         by[0] != '\0' ? by : "someone", (long long)when);
}

/* ---- user ---- */

/* {key: count} from a result of (text, count) rows. */
static json_t *counts(struct pd_admin_call *c, const char *stmt, const char *uid, int64_t *total,
                      enum pd_result *rc)
{
  PGresult *r = NULL;
  const char *params[1] = {uid};
  *rc = pd_db_exec(c->db, stmt, 1, params, &r);
  if (*rc != PD_OK)
    return NULL;
  json_t *o = json_object();
  for (int i = 0; o != NULL && i < PQntuples(r); i++) {
    json_object_set_new(o, pd_db_val(r, i, 0), json_integer(pd_db_int(r, i, 1)));
    if (total != NULL)
      *total += pd_db_int(r, i, 1);
  }
  PQclear(r);
  if (o == NULL)
    *rc = PD_E_NOMEM;
  return o;
}

static enum pd_result user_listings(struct pd_admin_call *c, const char *uid, json_t *out)
{
  PGresult *r = NULL;
  const char *params[1] = {uid};
  enum pd_result rc = pd_db_exec(c->db, "user_listings", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  json_t *list = json_array();
  for (int i = 0; list != NULL && i < PQntuples(r); i++)
    json_array_append_new(
        list, json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s?, s:I}", "id",
                        (json_int_t)pd_db_int(r, i, 0), "card", pd_db_val(r, i, 1), "print",
                        (json_int_t)pd_db_int(r, i, 2), "price", (json_int_t)pd_db_int(r, i, 3),
                        "currency", pd_db_val(r, i, 4), "scope", pd_db_val(r, i, 5), "guild",
                        pd_db_val(r, i, 6), "expires_at", (json_int_t)pd_db_int(r, i, 7)));
  int64_t total = PQntuples(r) > 0 ? pd_db_int(r, 0, 8) : 0;
  PQclear(r);
  if (list == NULL)
    return PD_E_NOMEM;
  json_object_set_new(out, "listings", list);
  json_object_set_new(out, "listings_active", json_integer(total));
  return PD_OK;
}

static enum pd_result user_trade(struct pd_admin_call *c, int64_t user_id, json_t *out)
{
  struct pd_trade t;
  enum pd_result rc = pd_db_trade_of(c->db, user_id, false, &t);
  if (rc == PD_E_NOTFOUND) {
    json_object_set_new(out, "trade", json_null());
    return PD_OK;
  }
  if (rc != PD_OK)
    return rc;
  int me = pd_trade_side(&t, user_id);
  json_object_set_new(out, "trade",
                      json_pack("{s:I, s:s, s:I, s:I, s:[I,I,I], s:[I,I,I]}", "id",
                                (json_int_t)t.id, "with", t.discord[1 - me], "version",
                                (json_int_t)t.version, "expires_at", (json_int_t)t.expires_at,
                                "offers", (json_int_t)t.offer[me][0], (json_int_t)t.offer[me][1],
                                (json_int_t)t.offer[me][2], "asks", (json_int_t)t.offer[1 - me][0],
                                (json_int_t)t.offer[1 - me][1], (json_int_t)t.offer[1 - me][2]));
  return PD_OK;
}

/* The latest of the player's activity, by source; *latest gets it (0: none). */
static enum pd_result user_activity(struct pd_admin_call *c, const char *uid, const char *user,
                                    json_t *out, int64_t *latest)
{
  static const char *const sources[] = {"ledger", "pack_open", "command", "card"};
  PGresult *r = NULL;
  const char *params[2] = {uid, user};
  enum pd_result rc = pd_db_exec(c->db, "user_activity", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  json_t *by = json_object();
  const char *from = NULL;
  *latest = 0;
  for (int k = 0; by != NULL && k < 4; k++) {
    json_object_set_new(by, sources[k], int_or_null(r, 0, k));
    if (pd_db_val(r, 0, k) != NULL && pd_db_int(r, 0, k) > *latest) {
      *latest = pd_db_int(r, 0, k);
      from = sources[k];
    }
  }
  PQclear(r);
  if (by == NULL)
    return PD_E_NOMEM;
  json_object_set_new(out, "last_activity", *latest > 0 ? json_integer(*latest) : json_null());
  json_object_set_new(out, "last_activity_source", from != NULL ? json_string(from) : json_null());
  json_object_set_new(out, "activity", by);
  return PD_OK;
}

static enum pd_result user_flags(struct pd_admin_call *c, const char *uid, json_t *out)
{
  PGresult *r = NULL;
  const char *params[1] = {uid};
  enum pd_result rc = pd_db_exec(c->db, "flags_of_user", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  json_t *list = json_array();
  for (int i = 0; list != NULL && i < PQntuples(r); i++)
    json_array_append_new(list, flag_json(r, i));
  PQclear(r);
  if (list == NULL)
    return PD_E_NOMEM;
  json_object_set_new(out, "flags", list);
  return PD_OK;
}

static enum pd_result user_payments(struct pd_admin_call *c, int64_t user_id, json_t *out)
{
  json_t *list = NULL;
  enum pd_result rc = pd_pay_list(c->db, user_id, 20, &list);
  if (rc == PD_OK)
    json_object_set_new(out, "payments", list);
  return rc;
}

/* One payment as a line of the admin's message. */
static void payment_line(json_t *p, char *out, size_t len)
{
  json_t *amount = json_object_get(p, "amount");
  char money[40] = "", shown[32];
  pd_money_text(json_is_integer(amount) ? json_integer_value(amount) : -1,
                json_string_value(json_object_get(p, "currency")), shown, sizeof(shown));
  if (shown[0] != '\0')
    snprintf(money, sizeof(money), " · %s", shown);
  const char *state = json_string_value(json_object_get(p, "state"));
  char how[96];
  if (state != NULL && strcmp(state, "clawed_back") == 0)
    snprintf(how, sizeof(how), "clawed back (%s; %lld taken, %lld owed)",
             json_string_value(json_object_get(p, "clawback_reason")),
             (long long)json_integer_value(json_object_get(p, "clawed_gems")),
             (long long)json_integer_value(json_object_get(p, "debt_gems")));
  else
    snprintf(how, sizeof(how), "granted");
  pd_utf8_fmt(out, len, "\n#%lld %s · %lld Gems%s · %s `%s` · %s",
              (long long)json_integer_value(json_object_get(p, "id")),
              json_string_value(json_object_get(p, "bundle")),
              (long long)json_integer_value(json_object_get(p, "gems")), money,
              json_string_value(json_object_get(p, "provider")),
              json_string_value(json_object_get(p, "provider_id")), how);
}

enum pd_result pd_admin_payments(struct pd_admin_call *c)
{
  char user[24], text[1800];
  struct pd_player p;
  json_t *list = NULL, *row;
  enum pd_result rc = pd_admin_need_user(c, user);
  if (rc != PD_OK)
    return rc;
  rc = pd_db_user_get(c->db, user, &p);
  if (rc == PD_E_NOTFOUND)
    return pd_admin_refuse(c, 404, "user_not_found", "<@%s> has never played PopDeck.", user);
  if (rc == PD_OK)
    rc = pd_pay_list(c->db, p.id, 50, &list);
  if (rc != PD_OK)
    return rc;
  size_t at = 0, i;
  pd_utf8_fmt(text, sizeof(text), "<@%s>: %zu payments%s", user, json_array_size(list),
              json_array_size(list) > 10 ? " (the latest 10 here)" : "");
  at = strlen(text);
  json_array_foreach(list, i, row)
  {
    if (i >= 10)
      break;
    payment_line(row, text + at, sizeof(text) - at);
    at += strlen(text + at);
  }
  if (p.member_until > 0)
    pd_utf8_fmt(text + at, sizeof(text) - at, "\nMember until <t:%lld:f>.",
                (long long)p.member_until);
  at += strlen(text + at);
  if (p.gem_debt > 0)
    pd_utf8_fmt(text + at, sizeof(text) - at, "\nOwes %lld Gems: spending Gems is blocked.",
                (long long)p.gem_debt);
  json_t *o = pd_admin_result(c, "%s", text);
  if (o == NULL) {
    json_decref(list);
    return PD_E_NOMEM;
  }
  json_object_set_new(o, "user", json_string(user));
  json_object_set_new(o, "payments", list);
  json_object_set_new(o, "member_until",
                      p.member_until > 0 ? json_integer(p.member_until) : json_null());
  json_object_set_new(o, "gem_debt", json_integer(p.gem_debt));
  return PD_OK;
}

enum pd_result pd_admin_user(struct pd_admin_call *c)
{
  char user[24], uid[24];
  struct pd_player p;
  struct pd_ban ban = {0};
  bool banned = false;
  enum pd_result rc = pd_admin_need_user(c, user);
  if (rc != PD_OK)
    return rc;
  rc = pd_db_ban_get(c->db, user, &banned, &ban);
  if (rc != PD_OK)
    return rc;
  rc = pd_db_user_get(c->db, user, &p);
  if (rc == PD_E_NOTFOUND && !banned)
    return pd_admin_refuse(c, 404, "user_not_found", "<@%s> has never played PopDeck.", user);
  if (rc == PD_E_NOTFOUND) {
    pd_admin_result(c, "<@%s> has never played PopDeck, but is suspended (since <t:%lld:f>).", user,
                    (long long)ban.banned_at);
    json_object_set_new(c->result, "user", json_string(user));
    json_object_set_new(c->result, "registered", json_false());
    json_object_set_new(c->result, "ban", ban_json(user, &ban));
    return PD_OK;
  }
  if (rc != PD_OK)
    return rc;
  snprintf(uid, sizeof(uid), "%" PRId64, p.id);
  json_t *o = pd_admin_result(c, "<@%s>", user); /* the message is written last */
  if (o == NULL)
    return PD_E_NOMEM;
  json_object_set_new(o, "user", json_string(user));
  json_object_set_new(o, "registered", json_true());
  json_object_set_new(o, "registered_at", json_integer(p.created_at));
  json_object_set_new(o, "balances",
                      json_pack("{s:I, s:I, s:I}", "notes", (json_int_t)p.notes, "discs",
                                (json_int_t)p.discs, "gems", (json_int_t)p.gems));
  int64_t owned = 0, latest = 0;
  json_t *by_state = counts(c, "user_copies_by_state", uid, NULL, &rc);
  json_t *by_rarity = rc == PD_OK ? counts(c, "user_copies_by_rarity", uid, &owned, &rc) : NULL;
  if (rc != PD_OK) {
    json_decref(by_state);
    return rc;
  }
  json_object_set_new(o, "copies",
                      json_pack("{s:I, s:o, s:o}", "owned", (json_int_t)owned, "by_state", by_state,
                                "by_rarity", by_rarity));
  if ((rc = user_listings(c, uid, o)) != PD_OK || (rc = user_trade(c, p.id, o)) != PD_OK ||
      (rc = user_payments(c, p.id, o)) != PD_OK || (rc = user_flags(c, uid, o)) != PD_OK ||
      (rc = user_activity(c, uid, user, o, &latest)) != PD_OK)
    return rc;
  json_object_set_new(o, "ban", banned ? ban_json(user, &ban) : json_null());
  char seen[48] = "no activity recorded";
  if (latest > 0)
    snprintf(seen, sizeof(seen), "last active <t:%lld:R>", (long long)latest);
  json_t *trade = json_object_get(o, "trade");
  pd_admin_result(c,
                  "<@%s>%s: %" PRId64 " Notes, %" PRId64 " Discs, %" PRId64 " Gems; %" PRId64
                  " cards; %lld active listings%s; %zu flags; registered <t:%lld:D>, %s.",
                  user, banned ? " (suspended)" : "", p.notes, p.discs, p.gems, owned,
                  (long long)json_integer_value(json_object_get(o, "listings_active")),
                  json_is_null(trade) ? "" : ", an open trade",
                  json_array_size(json_object_get(o, "flags")), (long long)p.created_at, seen);
  return PD_OK;
}
