/* db_payments.c - grants, clawbacks, Gem debts, webhook event records and memberships (see
 * db_payments.h). */
#include "db_payments.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db_areas.h"
#include "db_jobs.h"
#include "db_ledger.h"
#include "reply.h"

#define PAYMENT_ROW                                                                                \
  "jsonb_build_object('id', id, 'provider', provider, 'provider_id', provider_id, 'bundle',"       \
  " bundle, 'gems', gems, 'days', days, 'amount', amount, 'currency', currency, 'state', state,"   \
  " 'clawed_gems', clawed_gems, 'debt_gems', debt_gems, 'clawback_reason', clawback_reason,"       \
  " 'created_at', created_at, 'clawed_back_at', clawed_back_at)"

const struct pd_db_stmt pd_db_payments_stmts[] = {
    {"pay_reversal_find", "SELECT reason FROM payment_reversals WHERE provider = $1"
                          " AND (ref = $2 OR ref = $3) LIMIT 1"},
    /* No conflict target: a second delivery of the same payment hits provider_id's key, or the
     * payment_intent's, and writes nothing either way. */
    {"pay_insert",
     "INSERT INTO payments (provider, provider_id, provider_ref, user_id, bundle, gems, days,"
     " amount, currency, state, raw, clawed_back_at, clawback_reason)"
     " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
     " CASE WHEN $10::text IS NULL THEN 'granted' ELSE 'clawed_back' END, $11::jsonb,"
     " CASE WHEN $10::text IS NOT NULL THEN pd_now() END, $10::text)"
     " ON CONFLICT DO NOTHING RETURNING id"},
    {"pay_find", "SELECT id, user_id FROM payments WHERE provider = $1"
                 " AND (provider_id = $2 OR provider_ref = $3) LIMIT 1"},
    {"pay_set_op", "UPDATE payments SET op_id = $2 WHERE id = $1"},
    {"pay_member_end", "SELECT extract(epoch FROM ends_at)::bigint FROM memberships"
                       " WHERE user_id = $1"},
    {"pay_member_extend",
     "INSERT INTO memberships (user_id, provider, source, ends_at)"
     " VALUES ($1, $2, $3, pd_now() + make_interval(days => $4::int))"
     " ON CONFLICT (user_id) DO UPDATE SET"
     " ends_at = greatest(memberships.ends_at, pd_now()) + make_interval(days => $4::int),"
     " provider = EXCLUDED.provider, source = EXCLUDED.source, updated_at = pd_now()"},
    {"pay_member_set",
     "INSERT INTO memberships (user_id, provider, source, ends_at)"
     " VALUES ($1, $2, $3, to_timestamp($4::bigint))"
     " ON CONFLICT (user_id) DO UPDATE SET"
     " ends_at = CASE WHEN memberships.source = EXCLUDED.source THEN EXCLUDED.ends_at"
     " ELSE greatest(memberships.ends_at, EXCLUDED.ends_at) END,"
     " provider = CASE WHEN memberships.source = EXCLUDED.source"
     " OR EXCLUDED.ends_at >= memberships.ends_at THEN EXCLUDED.provider"
     " ELSE memberships.provider END,"
     " source = CASE WHEN memberships.source = EXCLUDED.source"
     " OR EXCLUDED.ends_at >= memberships.ends_at THEN EXCLUDED.source"
     " ELSE memberships.source END, updated_at = pd_now()"},
    /* The source its clawback ends: the subscription's membership for a subscription's payment. */
    {"pay_lock",
     "SELECT id, user_id, state, gems, days, coalesce(member_source, provider_id), bundle,"
     " amount, currency FROM payments"
     " WHERE provider = $1 AND (provider_id = $2 OR provider_ref = $3) LIMIT 1 FOR UPDATE"},
    {"pay_reversal_add", "INSERT INTO payment_reversals (provider, ref, reason, raw)"
                         " VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING"},
    {"pay_user_lock", "SELECT gems, discord_id FROM users WHERE id = $1 FOR UPDATE"},
    {"pay_clawed", "UPDATE payments SET state = 'clawed_back', clawed_gems = $2, debt_gems = $3,"
                   " clawback_op_id = $4, clawback_reason = $5, clawback_raw = $6::jsonb, "
                   "clawed_back_at = pd_now()"
                   " WHERE id = $1"},
    {"pay_debt_add", "INSERT INTO gem_debts (user_id, gems) VALUES ($1, $2)"
                     " ON CONFLICT (user_id) DO UPDATE SET gems = gem_debts.gems + EXCLUDED.gems"},
    /* A membership the payment started ends now; days it added to another are taken off. */
    {"pay_member_revoke",
     "UPDATE memberships SET ends_at = CASE WHEN source = $2 THEN least(ends_at, pd_now())"
     " ELSE greatest(pd_now(), ends_at - make_interval(days => $3::int)) END, updated_at = pd_now()"
     " WHERE user_id = $1"},
    {"pay_debt_lock", "SELECT d.gems, u.gems FROM gem_debts d JOIN users u ON u.id = d.user_id"
                      " WHERE d.user_id = $1 FOR UPDATE"},
    /* The debt's row goes when it is paid in full (its CHECK keeps it above zero). */
    {"pay_debt_pay",
     "WITH gone AS (DELETE FROM gem_debts WHERE user_id = $1 AND gems <= $2::bigint RETURNING 1)"
     " UPDATE gem_debts SET gems = gems - $2::bigint WHERE user_id = $1 AND gems > $2::bigint"},
    {"pay_event_add", "INSERT INTO payment_events (provider, event_id, type, outcome, raw)"
                      " VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT DO NOTHING RETURNING 1"},
    {"pay_event_outcome",
     "UPDATE payment_events SET outcome = $4 WHERE provider = $1 AND event_id = $2 AND type = $3"},
    {"pay_set_member_source", "UPDATE payments SET member_source = $2 WHERE id = $1"},
    /* A subscription's payment: its end, never earlier than what the same subscription set (a
     * late older invoice); another source's longer membership is kept. */
    {"pay_member_renew",
     "INSERT INTO memberships (user_id, provider, source, ends_at)"
     " VALUES ($1, $2, $3, to_timestamp($4::bigint))"
     " ON CONFLICT (user_id) DO UPDATE SET"
     " ends_at = greatest(memberships.ends_at, EXCLUDED.ends_at),"
     " provider = CASE WHEN EXCLUDED.ends_at >= memberships.ends_at THEN EXCLUDED.provider"
     " ELSE memberships.provider END,"
     " source = CASE WHEN EXCLUDED.ends_at >= memberships.ends_at THEN EXCLUDED.source"
     " ELSE memberships.source END, updated_at = pd_now()"},
    {"pay_sub_end_find", "SELECT extract(epoch FROM ends_at)::bigint FROM subscription_ends"
                         " WHERE provider = $1 AND subscription = $2"},
    {"pay_sub_end_add", "INSERT INTO subscription_ends (provider, subscription, ends_at, raw)"
                        " VALUES ($1, $2, to_timestamp($3::bigint), $4::jsonb)"
                        " ON CONFLICT (provider, subscription) DO UPDATE SET"
                        " ends_at = least(subscription_ends.ends_at, EXCLUDED.ends_at)"},
    {"pay_sub_end_member", "UPDATE memberships SET ends_at = least(ends_at, "
                           "to_timestamp($3::bigint)), updated_at = pd_now()"
                           " WHERE provider = $1 AND source = $2 RETURNING user_id"},
    {"pay_list", "SELECT coalesce(jsonb_agg(" PAYMENT_ROW " ORDER BY id DESC), '[]')"
                 " FROM (SELECT * FROM payments WHERE user_id = $1 ORDER BY id DESC LIMIT $2) p"},
    {NULL, NULL},
};

const char *pd_pay_outcome_name(enum pd_pay_outcome o)
{
  switch (o) {
  case PD_PAY_GRANTED:
    return "granted";
  case PD_PAY_CLAWED_BACK:
    return "clawed_back";
  case PD_PAY_DUPLICATE:
    return "duplicate";
  case PD_PAY_REVERSED:
    return "reversed";
  case PD_PAY_PENDING:
    return "pending";
  }
  return "unknown";
}

static enum pd_result dm(struct pd_db *db, const char *application_id, const char *discord_id,
                         const char *text, const char *ref)
{
  if (application_id == NULL)
    return PD_OK;
  json_t *payload = json_pack("{s:s}", "content", text);
  if (payload == NULL)
    return PD_E_NOMEM;
  enum pd_result rc = pd_db_job_add_dm(db, application_id, discord_id, payload, ref, NULL);
  json_decref(payload);
  return rc;
}

static enum pd_result receipt(struct pd_db *db, const struct pd_pay_grant *g,
                              const struct pd_pay_result *out, const struct pd_player *p)
{
  char text[600], gems[32], paid[40], bal[32], extra[200] = "";
  const char *via = strcmp(g->provider, PD_PAY_STRIPE) == 0 ? "Stripe" : "Discord";
  pd_fmt_thousands(out->gems, gems);
  pd_fmt_thousands(p->gems, bal);
  pd_money_text(g->amount, g->currency, paid, sizeof(paid));
  if (out->settled > 0) {
    char s[32];
    pd_fmt_thousands(out->settled, s);
    snprintf(extra, sizeof(extra), " %s of them paid back Gems you owed%s.", s,
             p->gem_debt > 0 ? "" : ": your Gems can be spent again");
  }
  if (g->bundle->gems > 0)
    snprintf(text, sizeof(text),
             "**Thank you!** %s: **%s Gems** are in your wallet (you have %s).%s\nReceipt: "
             "payment %" PRId64 "%s%s via %s, reference `%s`.",
             g->bundle->name, gems, bal, extra, out->payment_id, paid[0] ? " · " : "", paid, via,
             g->provider_id);
  else if (out->member_until > (int64_t)time(NULL))
    snprintf(text, sizeof(text),
             "**Thank you!** %s is active until <t:%lld:D>: shorter cooldowns and more free "
             "opens, same odds.\nReceipt: payment %" PRId64 "%s%s via %s, reference `%s`.",
             g->bundle->name, (long long)out->member_until, out->payment_id, paid[0] ? " · " : "",
             paid, via, g->provider_id);
  else /* a late invoice of a subscription that has already ended */
    snprintf(text, sizeof(text),
             "We received a payment for %s, but its subscription has already ended, so it adds no "
             "membership time.\nReceipt: payment %" PRId64 "%s%s via %s, reference `%s`.",
             g->bundle->name, out->payment_id, paid[0] ? " · " : "", paid, via, g->provider_id);
  return dm(db, g->application_id, g->discord_id, text, g->ref);
}

/* A subscription's payment: the payment names its subscription, and the membership moves to
 * the paid period's end, capped by the subscription's recorded end. */
static enum pd_result renew(struct pd_db *db, const struct pd_pay_grant *g, int64_t payment_id,
                            const char *uid)
{
  char pid[24], end[24];
  PGresult *r = NULL;
  snprintf(pid, sizeof(pid), "%" PRId64, payment_id);
  const char *sp[2] = {pid, g->member_source};
  enum pd_result rc = pd_db_exec(db, "pay_set_member_source", 2, sp, NULL);
  const char *fp[2] = {g->provider, g->member_source};
  if (rc == PD_OK)
    rc = pd_db_exec(db, "pay_sub_end_find", 2, fp, &r);
  if (rc != PD_OK)
    return rc;
  int64_t ends_at = g->member_ends_at;
  if (PQntuples(r) == 1 && pd_db_int(r, 0, 0) < ends_at)
    ends_at = pd_db_int(r, 0, 0);
  PQclear(r);
  snprintf(end, sizeof(end), "%" PRId64, ends_at);
  const char *mp[4] = {uid, g->provider, g->member_source, end};
  return pd_db_exec(db, "pay_member_renew", 4, mp, NULL);
}

enum pd_result pd_pay_grant(struct pd_db *db, const struct pd_pay_grant *g,
                            struct pd_pay_result *out)
{
  struct pd_player p;
  PGresult *r = NULL;
  memset(out, 0, sizeof(*out));
  if (g->provider == NULL || g->provider_id == NULL || g->discord_id == NULL || g->bundle == NULL)
    return PD_E_INVALID;
  enum pd_result rc = pd_db_user_ensure(db, g->discord_id, &p);
  if (rc != PD_OK)
    return rc;
  out->user_id = p.id;
  /* A refund that arrived first: the payment is recorded, already reversed, and pays nothing. */
  const char *fp[3] = {g->provider, g->provider_id, g->provider_ref};
  if ((rc = pd_db_exec(db, "pay_reversal_find", 3, fp, &r)) != PD_OK)
    return rc;
  char reason[32] = "";
  if (PQntuples(r) == 1)
    snprintf(reason, sizeof(reason), "%s", pd_db_val(r, 0, 0));
  PQclear(r);
  char uid[24], gems[24], days[24], amount[24];
  snprintf(uid, sizeof(uid), "%" PRId64, p.id);
  snprintf(gems, sizeof(gems), "%" PRId64, g->bundle->gems);
  snprintf(days, sizeof(days), "%" PRId64, g->member_ends_at > 0 ? 0 : g->bundle->days);
  snprintf(amount, sizeof(amount), "%" PRId64, g->amount);
  char *raw = pd_db_json_param(g->raw);
  const char *ip[12] = {g->provider,
                        g->provider_id,
                        g->provider_ref,
                        uid,
                        g->bundle->id,
                        gems,
                        days,
                        g->amount >= 0 ? amount : NULL,
                        g->currency,
                        reason[0] ? reason : NULL,
                        raw != NULL ? raw : "{}",
                        NULL};
  rc = pd_db_exec(db, "pay_insert", 11, ip, &r);
  free(raw);
  if (rc != PD_OK)
    return rc;
  if (PQntuples(r) == 0) {
    PQclear(r);
    if ((rc = pd_db_exec(db, "pay_find", 3, fp, &r)) != PD_OK)
      return rc;
    out->outcome = PD_PAY_DUPLICATE;
    out->payment_id = PQntuples(r) == 1 ? pd_db_int(r, 0, 0) : 0;
    PQclear(r);
    return PD_OK;
  }
  out->payment_id = pd_db_int(r, 0, 0);
  PQclear(r);
  if (reason[0] != '\0') {
    out->outcome = PD_PAY_REVERSED;
    return PD_OK;
  }
  out->outcome = PD_PAY_GRANTED;
  char pid[24];
  snprintf(pid, sizeof(pid), "%" PRId64, out->payment_id);
  if (g->bundle->gems > 0) {
    int64_t op = 0;
    json_t *meta = json_pack("{s:I, s:s, s:s}", "payment", (json_int_t)out->payment_id, "provider",
                             g->provider, "bundle", g->bundle->id);
    rc = pd_ledger_game(db, &p, PD_ACCT_PURCHASES, PD_GEMS, g->bundle->gems,
                        PD_LEDGER_KIND_PURCHASE, meta, &op);
    json_decref(meta);
    char ops[24];
    snprintf(ops, sizeof(ops), "%" PRId64, op);
    const char *sp[2] = {pid, ops};
    if (rc == PD_OK)
      rc = pd_db_exec(db, "pay_set_op", 2, sp, NULL);
    if (rc != PD_OK)
      return rc;
    out->gems = g->bundle->gems;
  }
  if (g->member_ends_at > 0 && g->member_source != NULL)
    rc = renew(db, g, out->payment_id, uid);
  else if (g->member_ends_at > 0)
    rc = pd_pay_membership_set(db, p.id, g->provider, g->provider_id, g->member_ends_at);
  else if (g->bundle->days > 0) {
    const char *mp[4] = {uid, g->provider, g->provider_id, days};
    rc = pd_db_exec(db, "pay_member_extend", 4, mp, NULL);
  }
  if (rc == PD_OK && (g->member_ends_at > 0 || g->bundle->days > 0)) {
    const char *ep[1] = {uid};
    rc = pd_db_exec(db, "pay_member_end", 1, ep, &r);
    if (rc == PD_OK) {
      out->member_until = PQntuples(r) == 1 ? pd_db_int(r, 0, 0) : 0;
      PQclear(r);
    }
  }
  if (rc == PD_OK && p.gem_debt > 0)
    rc = pd_pay_settle(db, &p, &out->settled);
  if (rc == PD_OK)
    rc = receipt(db, g, out, &p);
  return rc;
}

static enum pd_result clawback_dm(struct pd_db *db, const struct pd_pay_reversal *rv,
                                  const char *discord_id, const char *bundle, int64_t gems,
                                  int64_t taken, int64_t debt, const char *paid)
{
  char text[700], g[32], t[32], d[32];
  const char *why = strcmp(rv->reason, "dispute") == 0  ? "disputed"
                    : strcmp(rv->reason, "refund") == 0 ? "refunded"
                                                        : "cancelled";
  pd_fmt_thousands(gems, g);
  pd_fmt_thousands(taken, t);
  pd_fmt_thousands(debt, d);
  if (gems == 0)
    snprintf(text, sizeof(text),
             "Your payment for %s%s%s was %s, so what it added to your "
             "membership has ended.",
             bundle, paid[0] ? " · " : "", paid, why);
  else if (debt == 0)
    snprintf(text, sizeof(text), "Your payment for %s%s%s was %s, so its %s Gems were taken back.",
             bundle, paid[0] ? " · " : "", paid, why, g);
  else
    snprintf(text, sizeof(text),
             "Your payment for %s%s%s was %s. Its %s Gems are taken back: %s were in your wallet, "
             "and you owe the other **%s Gems**. Until they are paid back you can't spend Gems "
             "(Notes and Discs work as usual); Gems you get pay them back first.",
             bundle, paid[0] ? " · " : "", paid, why, g, t, d);
  return dm(db, rv->application_id, discord_id, text, rv->ref);
}

enum pd_result pd_pay_clawback(struct pd_db *db, const struct pd_pay_reversal *rv,
                               struct pd_pay_result *out)
{
  PGresult *r = NULL;
  memset(out, 0, sizeof(*out));
  if (rv->provider == NULL || (rv->provider_id == NULL && rv->provider_ref == NULL) ||
      rv->reason == NULL)
    return PD_E_INVALID;
  const char *lp[3] = {rv->provider, rv->provider_id, rv->provider_ref};
  enum pd_result rc = pd_db_exec(db, "pay_lock", 3, lp, &r);
  if (rc != PD_OK)
    return rc;
  char *raw = pd_db_json_param(rv->raw);
  if (PQntuples(r) == 0) {
    /* Not granted yet (events out of order): the grant will find this and pay nothing. */
    PQclear(r);
    out->outcome = PD_PAY_PENDING;
    const char *ap[4] = {rv->provider, rv->provider_id != NULL ? rv->provider_id : rv->provider_ref,
                         rv->reason, raw != NULL ? raw : "{}"};
    rc = pd_db_exec(db, "pay_reversal_add", 4, ap, NULL);
    if (rc == PD_OK && rv->provider_id != NULL && rv->provider_ref != NULL) {
      ap[1] = rv->provider_ref;
      rc = pd_db_exec(db, "pay_reversal_add", 4, ap, NULL);
    }
    free(raw);
    return rc;
  }
  out->payment_id = pd_db_int(r, 0, 0);
  out->user_id = pd_db_int(r, 0, 1);
  bool granted = strcmp(pd_db_val(r, 0, 2), "granted") == 0;
  int64_t gems = pd_db_int(r, 0, 3), days = pd_db_int(r, 0, 4);
  char source[128], bundle[64], paid[40];
  snprintf(source, sizeof(source), "%s", pd_db_val(r, 0, 5));
  snprintf(bundle, sizeof(bundle), "%s", pd_db_val(r, 0, 6));
  pd_money_text(pd_db_val(r, 0, 7) != NULL ? pd_db_int(r, 0, 7) : -1, pd_db_val(r, 0, 8), paid,
                sizeof(paid));
  PQclear(r);
  if (!granted) {
    free(raw);
    out->outcome = PD_PAY_DUPLICATE;
    return PD_OK;
  }
  char uid[24], pid[24];
  snprintf(uid, sizeof(uid), "%" PRId64, out->user_id);
  snprintf(pid, sizeof(pid), "%" PRId64, out->payment_id);
  const char *up[1] = {uid};
  if ((rc = pd_db_exec(db, "pay_user_lock", 1, up, &r)) != PD_OK) {
    free(raw);
    return rc;
  }
  int64_t have = pd_db_int(r, 0, 0);
  char discord_id[24];
  snprintf(discord_id, sizeof(discord_id), "%s", pd_db_val(r, 0, 1));
  PQclear(r);
  int64_t take = have < gems ? have : gems, debt = gems - take, op = 0;
  if (take > 0) {
    json_t *meta =
        json_pack("{s:I, s:s}", "payment", (json_int_t)out->payment_id, "reason", rv->reason);
    rc = pd_ledger_op_new(db, &op);
    if (rc == PD_OK)
      rc = pd_ledger_move(db, op, PD_LEDGER_KIND_CLAWBACK, PD_PLAYER_ACCT(out->user_id),
                          PD_GAME_ACCT(PD_ACCT_PURCHASES), PD_GEMS, take, meta, NULL, NULL);
    json_decref(meta);
  }
  char ts[24], ds[24], ops[24], dys[24];
  snprintf(ts, sizeof(ts), "%" PRId64, take);
  snprintf(ds, sizeof(ds), "%" PRId64, debt);
  snprintf(ops, sizeof(ops), "%" PRId64, op);
  snprintf(dys, sizeof(dys), "%" PRId64, days);
  const char *cp[6] = {pid, ts, ds, op != 0 ? ops : NULL, rv->reason, raw != NULL ? raw : "{}"};
  if (rc == PD_OK)
    rc = pd_db_exec(db, "pay_clawed", 6, cp, NULL);
  free(raw);
  const char *dp[2] = {uid, ds};
  if (rc == PD_OK && debt > 0)
    rc = pd_db_exec(db, "pay_debt_add", 2, dp, NULL);
  const char *mp[3] = {uid, source, dys};
  if (rc == PD_OK && (days > 0 || gems == 0))
    rc = pd_db_exec(db, "pay_member_revoke", 3, mp, NULL);
  if (rc != PD_OK)
    return rc;
  out->outcome = PD_PAY_CLAWED_BACK;
  out->gems = take;
  out->debt = debt;
  return clawback_dm(db, rv, discord_id, bundle, gems, take, debt, paid);
}

enum pd_result pd_pay_settle(struct pd_db *db, struct pd_player *p, int64_t *settled)
{
  char uid[24], amt[24];
  PGresult *r = NULL;
  if (settled != NULL)
    *settled = 0;
  snprintf(uid, sizeof(uid), "%" PRId64, p->id);
  const char *params[2] = {uid, amt};
  enum pd_result rc = pd_db_exec(db, "pay_debt_lock", 1, params, &r);
  if (rc != PD_OK)
    return rc;
  int64_t owed = PQntuples(r) == 1 ? pd_db_int(r, 0, 0) : 0;
  int64_t have = PQntuples(r) == 1 ? pd_db_int(r, 0, 1) : 0;
  PQclear(r);
  int64_t take = owed < have ? owed : have;
  p->gem_debt = owed;
  if (take <= 0)
    return PD_OK;
  int64_t bal[3] = {p->notes, p->discs, p->gems}, op = 0;
  json_t *meta = json_pack("{s:I}", "owed", (json_int_t)owed);
  rc = pd_ledger_op_new(db, &op);
  if (rc == PD_OK)
    rc = pd_ledger_move(db, op, PD_LEDGER_KIND_SETTLE, PD_PLAYER_ACCT(p->id),
                        PD_GAME_ACCT(PD_ACCT_PURCHASES), PD_GEMS, take, meta, bal, NULL);
  json_decref(meta);
  snprintf(amt, sizeof(amt), "%" PRId64, take);
  if (rc == PD_OK)
    rc = pd_db_exec(db, "pay_debt_pay", 2, params, NULL);
  if (rc != PD_OK)
    return rc;
  p->notes = bal[0];
  p->discs = bal[1];
  p->gems = bal[2];
  p->gem_debt = owed - take;
  if (settled != NULL)
    *settled = take;
  return PD_OK;
}

enum pd_result pd_pay_event(struct pd_db *db, const char *provider, const char *event_id,
                            const char *type, const char *outcome, json_t *raw, bool *first)
{
  PGresult *r = NULL;
  if (first == NULL) {
    const char *up[4] = {provider, event_id, type, outcome};
    return pd_db_exec(db, "pay_event_outcome", 4, up, NULL);
  }
  char *raw_s = pd_db_json_param(raw);
  const char *params[5] = {provider, event_id, type, outcome, raw_s != NULL ? raw_s : "{}"};
  enum pd_result rc = pd_db_exec(db, "pay_event_add", 5, params, &r);
  free(raw_s);
  if (rc != PD_OK)
    return rc;
  *first = PQntuples(r) == 1;
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_pay_membership_set(struct pd_db *db, int64_t user_id, const char *provider,
                                     const char *source, int64_t ends_at)
{
  char uid[24], end[24];
  snprintf(uid, sizeof(uid), "%" PRId64, user_id);
  snprintf(end, sizeof(end), "%" PRId64, ends_at);
  const char *params[4] = {uid, provider, source, end};
  return pd_db_exec(db, "pay_member_set", 4, params, NULL);
}

enum pd_result pd_pay_subscription_ended(struct pd_db *db, const char *provider,
                                         const char *subscription, int64_t ends_at, json_t *raw,
                                         int64_t *user_id)
{
  char end[24];
  PGresult *r = NULL;
  if (user_id != NULL)
    *user_id = 0;
  if (provider == NULL || subscription == NULL || ends_at <= 0)
    return PD_E_INVALID;
  snprintf(end, sizeof(end), "%" PRId64, ends_at);
  char *raw_s = pd_db_json_param(raw);
  const char *ap[4] = {provider, subscription, end, raw_s != NULL ? raw_s : "{}"};
  enum pd_result rc = pd_db_exec(db, "pay_sub_end_add", 4, ap, NULL);
  free(raw_s);
  const char *mp[3] = {provider, subscription, end};
  if (rc == PD_OK)
    rc = pd_db_exec(db, "pay_sub_end_member", 3, mp, &r);
  if (rc != PD_OK)
    return rc;
  if (user_id != NULL && PQntuples(r) == 1)
    *user_id = pd_db_int(r, 0, 0);
  PQclear(r);
  return PD_OK;
}

enum pd_result pd_pay_list(struct pd_db *db, int64_t user_id, int limit, json_t **out)
{
  char uid[24], lim[16];
  PGresult *r = NULL;
  snprintf(uid, sizeof(uid), "%" PRId64, user_id);
  snprintf(lim, sizeof(lim), "%d", limit);
  const char *params[2] = {uid, lim};
  enum pd_result rc = pd_db_exec(db, "pay_list", 2, params, &r);
  if (rc != PD_OK)
    return rc;
  *out = json_loads(pd_db_val(r, 0, 0), 0, NULL);
  PQclear(r);
  return *out != NULL ? PD_OK : PD_E_NOMEM;
}
