/* admin_grants.c - give_currency: an admin pays a player from the game's "grants" account, or
 * takes back into it, as one ledger operation (db_ledger.h), never below zero. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_ops.h"
#include "db_ledger.h"
#include "db_users.h"
#include "utf8.h"

#define REASON_MAX 200

static const char *const currency_label[] = {"Notes", "Discs", "Gems"};

static bool currency_of(const char *name, enum pd_currency *out)
{
  for (int k = PD_NOTES; k <= PD_GEMS; k++)
    if (name != NULL && strcmp(name, pd_currency_name((enum pd_currency)k)) == 0) {
      *out = (enum pd_currency)k;
      return true;
    }
  return false;
}

bool pd_admin_give_currency_confirm_if(const struct pd_admin_call *c)
{
  json_t *v = json_object_get(c->args, "amount");
  int64_t n = json_is_integer(v) ? json_integer_value(v) : 0;
  if (json_is_string(v))
    n = strtoll(json_string_value(v), NULL, 10);
  if (n < 0)
    n = n == INT64_MIN ? INT64_MAX : -n;
  return n > c->env->cfg->admin_confirm_grant_over;
}

enum pd_result pd_admin_give_currency(struct pd_admin_call *c)
{
  char user[24], dm[400];
  const char *cur = NULL, *reason = NULL;
  int64_t amount = 0;
  enum pd_currency k;
  enum pd_result rc;
  if ((rc = pd_admin_need_user(c, user)) != PD_OK ||
      (rc = pd_admin_need_int(c, "amount", &amount)) != PD_OK ||
      (rc = pd_admin_need_str(c, "currency", &cur)) != PD_OK)
    return rc;
  rc = pd_admin_arg_str(c, "reason", &reason);
  if (rc == PD_E_USER)
    return rc;
  if (!currency_of(cur, &k))
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"currency\" must be notes, discs or gems (got \"%.40s\").", cur);
  if (amount == 0 || amount > PD_AMOUNT_MAX || amount < -PD_AMOUNT_MAX)
    return pd_admin_refuse(c, 400, "invalid_argument",
                           "\"amount\" must be a whole number from 1 to %lld, or from -%lld to -1 "
                           "to take back.",
                           (long long)PD_AMOUNT_MAX, (long long)PD_AMOUNT_MAX);
  if (reason != NULL && strlen(reason) > REASON_MAX)
    return pd_admin_refuse(c, 400, "invalid_argument", "\"reason\" is at most %d bytes (got %zu).",
                           REASON_MAX, strlen(reason));

  /* A grant may go to someone who never played (it waits in their account); taking back needs
   * an account with something in it. */
  struct pd_player p;
  rc = amount > 0 ? pd_db_user_ensure(c->db, user, &p) : pd_db_user_get(c->db, user, &p);
  if (rc == PD_E_NOTFOUND)
    return pd_admin_refuse(c, 404, "user_not_found",
                           "<@%s> has never played PopDeck, so there is nothing to take back.",
                           user);
  if (rc != PD_OK)
    return rc;
  int64_t before = k == PD_NOTES ? p.notes : k == PD_DISCS ? p.discs : p.gems;
  int64_t delta = amount;
  if (amount < 0 && -amount > before)
    delta = -before; /* never below zero: take what there is */
  if (delta == 0)
    return pd_admin_refuse(c, 409, "nothing_to_take", "<@%s> has no %s to take back.", user,
                           currency_label[k]);
  const char *label = currency_label[k];
  if (c->preview) {
    pd_admin_result(c, "This %s %" PRId64 " %s %s <@%s> (balance %" PRId64 " → %" PRId64 ").",
                    delta > 0 ? "gives" : "takes", delta > 0 ? delta : -delta, label,
                    delta > 0 ? "to" : "from", user, before, before + delta);
    json_object_set_new(c->result, "balance_before", json_integer(before));
    json_object_set_new(c->result, "balance_after", json_integer(before + delta));
    json_object_set_new(c->result, "amount", json_integer(delta));
    return PD_OK;
  }
  json_t *meta =
      json_pack("{s:s, s:s*, s:s*}", "actor", c->who->actor, "reason", reason, "ref", c->who->ref);
  int64_t op = 0;
  rc = pd_ledger_game(c->db, &p, PD_ACCT_GRANTS, k, delta, "admin_grant", meta, &op);
  json_decref(meta);
  if (rc == PD_E_HOLD) /* Gems owed after a clawback: they go to the debt, not back to grants */
    return pd_admin_refuse(c, 409, "gems_on_hold",
                           "<@%s> owes %" PRId64 " Gems after a refunded payment; their Gems pay "
                           "that back and can't be taken.",
                           user, p.gem_debt);
  if (rc != PD_OK)
    return rc;
  int64_t after = k == PD_NOTES ? p.notes : k == PD_DISCS ? p.discs : p.gems;
  c->before = json_pack("{s:I}", pd_currency_name(k), (json_int_t)before);
  c->after =
      json_pack("{s:I, s:I}", pd_currency_name(k), (json_int_t)after, "op_id", (json_int_t)op);
  pd_admin_result(c, "%s %" PRId64 " %s %s <@%s>: balance %" PRId64 " → %" PRId64 ".",
                  delta > 0 ? "Gave" : "Took", delta > 0 ? delta : -delta, label,
                  delta > 0 ? "to" : "from", user, before, after);
  json_object_set_new(c->result, "user", json_string(user));
  json_object_set_new(c->result, "currency", json_string(pd_currency_name(k)));
  json_object_set_new(c->result, "amount", json_integer(delta));
  json_object_set_new(c->result, "balance", json_integer(after));
  json_object_set_new(c->result, "op_id", json_integer(op));
  if (amount < 0 && delta != amount)
    json_object_set_new(c->result, "capped", json_true());
  if (reason != NULL)
    pd_utf8_fmt(dm, sizeof(dm), "An admin %s %" PRId64 " %s %s your PopDeck account: %s",
                delta > 0 ? "added" : "took", delta > 0 ? delta : -delta, label,
                delta > 0 ? "to" : "from", reason);
  else
    pd_utf8_fmt(dm, sizeof(dm), "An admin %s %" PRId64 " %s %s your PopDeck account.",
                delta > 0 ? "added" : "took", delta > 0 ? delta : -delta, label,
                delta > 0 ? "to" : "from");
  return pd_admin_dm(c, user, dm, NULL);
}
