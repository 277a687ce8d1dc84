/* gifts_e2e.c - shared set-up and checks of the economy suites (see gifts_e2e.h). */
#include "gifts_e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "ixbuild.h"

json_t *pd_ge_command(const char *command, const char *sub, const char *user_id)
{
  json_t *ix = pd_e2e_command(command, user_id);
  const char *space = sub != NULL ? strchr(sub, ' ') : NULL;
  json_t *top = json_object_get(json_object_get(ix, "data"), "options");
  if (space != NULL) /* "group sub": a sub-command inside its group */
    json_array_append_new(top, json_pack("{s:s%, s:i, s:[{s:s, s:i, s:[]}]}", "name", sub,
                                         (size_t)(space - sub), "type", 2, "options", "name",
                                         space + 1, "type", 1, "options"));
  else if (sub != NULL)
    json_array_append_new(top, json_pack("{s:s, s:i, s:[]}", "name", sub, "type", 1, "options"));
  return ix;
}

void pd_ge_option(json_t *ix, const char *name, int type, json_t *value, int bot)
{
  json_t *data = json_object_get(ix, "data");
  json_t *opts = json_object_get(data, "options");
  json_t *first = json_array_get(opts, 0);
  if (first != NULL && json_integer_value(json_object_get(first, "type")) == 2)
    first = json_array_get(json_object_get(first, "options"), 0);
  if (first != NULL && json_integer_value(json_object_get(first, "type")) == 1)
    opts = json_object_get(first, "options");
  json_array_append_new(opts,
                        json_pack("{s:s, s:i, s:O}", "name", name, "type", type, "value", value));
  if (type == 6 && json_is_string(value)) {
    json_t *res = json_object_get(data, "resolved");
    if (res == NULL) {
      res = json_pack("{s:{}}", "users");
      json_object_set_new(data, "resolved", res);
    }
    json_t *u = pd_ixb_user(json_string_value(value));
    if (bot)
      json_object_set_new(u, "bot", json_true());
    json_object_set_new(json_object_get(res, "users"), json_string_value(value), u);
  }
  json_decref(value);
}

int64_t pd_ge_player(struct pd_e2e *e, const char *discord_id, int age_days)
{
  char sql[400];
  snprintf(sql, sizeof(sql),
           "INSERT INTO users (discord_id, created_at) VALUES ('%s', now() - make_interval(days "
           "=> %d)) ON CONFLICT (discord_id) DO UPDATE SET created_at = EXCLUDED.created_at"
           " RETURNING id",
           discord_id, age_days);
  return pd_e2e_sql_int(e, sql);
}

int64_t pd_ge_copy(struct pd_e2e *e, const char *discord_id, const char *rarity, int nth,
                   char ref[48])
{
  char sql[1024];
  snprintf(sql, sizeof(sql),
           "WITH t AS (UPDATE card_templates SET copies_created = copies_created + 1 WHERE id ="
           " (SELECT id FROM card_templates WHERE rarity = '%s' ORDER BY id LIMIT 1 OFFSET %d)"
           " RETURNING id, copies_created)"
           " INSERT INTO user_cards (user_id, template_id, print_no, source)"
           " SELECT u.id, t.id, t.copies_created, 'test' FROM t, users u WHERE u.discord_id = '%s'"
           " RETURNING id",
           rarity, nth, discord_id);
  int64_t id = pd_e2e_sql_int(e, sql);
  snprintf(sql, sizeof(sql),
           "SELECT t.public_id || '/' || lpad(c.print_no::text, 2, '0') FROM user_cards c"
           " JOIN card_templates t ON t.id = c.template_id WHERE c.id = %lld",
           (long long)id);
  pd_e2e_sql_text(e, sql, ref, 48);
  return id;
}

void pd_ge_grant(struct pd_e2e *e, const char *discord_id, const char *currency, int64_t amount)
{
  char sql[1200];
  const char *col = strcmp(currency, "notes") == 0 ? "coins" : currency;
  snprintf(
      sql, sizeof(sql),
      "WITH u AS (UPDATE users SET %s = %s + %lld WHERE discord_id = '%s' RETURNING id),"
      " op AS (SELECT nextval('ledger_op_seq') AS id)"
      " INSERT INTO ledger (op_id, kind, user_id, system_account, currency, amount)"
      " SELECT op.id, 'grant', x.u, x.s, '%s', x.a FROM op, u,"
      " LATERAL (VALUES (u.id, NULL::text, %lld::bigint), (NULL::int, 'grants', -%lld::bigint))"
      " x(u, s, a)",
      col, col, (long long)amount, discord_id, currency, (long long)amount, (long long)amount);
  pd_e2e_sql(e, sql);
}

int64_t pd_ge_balance(struct pd_e2e *e, const char *discord_id, const char *currency)
{
  char sql[200];
  snprintf(sql, sizeof(sql), "SELECT %s FROM users WHERE discord_id = '%s'",
           strcmp(currency, "notes") == 0 ? "coins" : currency, discord_id);
  return pd_e2e_sql_int(e, sql);
}

static const struct {
  const char *what;
  const char *sql;
} books[] = {
    {"an operation does not sum to zero",
     "SELECT count(*) FROM (SELECT op_id FROM ledger GROUP BY op_id, currency"
     " HAVING sum(amount) <> 0) x"},
    {"a balance is not the sum of its ledger rows",
     "SELECT count(*) FROM users u WHERE"
     " u.coins <> coalesce((SELECT sum(amount) FROM ledger l WHERE l.user_id = u.id"
     " AND l.currency = 'notes'), 0) OR u.discs <> coalesce((SELECT sum(amount) FROM ledger l"
     " WHERE l.user_id = u.id AND l.currency = 'discs'), 0) OR u.gems <> coalesce((SELECT"
     " sum(amount) FROM ledger l WHERE l.user_id = u.id AND l.currency = 'gems'), 0)"},
    {"a balance is negative",
     "SELECT count(*) FROM users WHERE coins < 0 OR discs < 0 OR gems < 0"},
    {"a copy's state does not match its listing or trade offer",
     "SELECT count(*) FROM user_cards uc WHERE (uc.state = 'listed') <> EXISTS (SELECT 1 FROM"
     " market_listings l WHERE l.user_card_id = uc.id AND l.status = 'active')"
     " OR (uc.state = 'trading') <> EXISTS (SELECT 1 FROM trade_cards t WHERE t.user_card_id ="
     " uc.id AND t.active)"},
    {"a copy's last move does not name where it is",
     "SELECT count(*) FROM user_cards uc WHERE EXISTS (SELECT 1 FROM card_moves m WHERE"
     " m.user_card_id = uc.id) AND (SELECT m.to_user FROM card_moves m WHERE m.user_card_id ="
     " uc.id ORDER BY m.id DESC LIMIT 1) IS DISTINCT FROM"
     " (CASE WHEN uc.state = 'gone' THEN NULL ELSE uc.user_id END)"},
    {"a copy moved twice in one operation",
     "SELECT count(*) FROM (SELECT op_id, user_card_id FROM card_moves GROUP BY 1, 2"
     " HAVING count(*) > 1) x"},
    {"a gone copy came back",
     "SELECT count(*) FROM card_moves m JOIN card_moves later ON later.user_card_id ="
     " m.user_card_id AND later.id > m.id WHERE m.to_user IS NULL"},
};

const char *pd_ge_books(struct pd_e2e *e)
{
  static char out[200];
  out[0] = '\0';
  for (size_t i = 0; i < sizeof(books) / sizeof(books[0]); i++) {
    int64_t n = pd_e2e_sql_int(e, books[i].sql);
    if (n != 0) {
      snprintf(out, sizeof(out), "%s (%lld)", books[i].what, (long long)n);
      break;
    }
  }
  return out;
}

json_t *pd_ge_post(struct pd_e2e *e, int idx, json_t *ix)
{
  json_t *reply = NULL;
  long st = pd_e2e_post(e, idx, ix, &reply);
  if (st != 200) {
    fprintf(stderr, "post to server %d: HTTP %ld\n", idx, st);
    json_decref(reply);
    return json_object();
  }
  return reply != NULL ? reply : json_object();
}

const char *pd_ge_text(json_t *reply)
{
  json_t *data = json_object_get(reply, "data");
  const char *c = json_string_value(json_object_get(data, "content"));
  if (c != NULL && c[0] != '\0')
    return c;
  const char *d = json_string_value(
      json_object_get(json_array_get(json_object_get(data, "embeds"), 0), "description"));
  return d != NULL ? d : "";
}

const char *pd_ge_button(json_t *reply, size_t row, size_t i)
{
  json_t *r = json_array_get(json_object_get(json_object_get(reply, "data"), "components"), row);
  return json_string_value(
      json_object_get(json_array_get(json_object_get(r, "components"), i), "custom_id"));
}

int pd_ge_assets_with(const char *name, const char *key, long long value, char *env, size_t envlen)
{
  char dir[400], cmd[2048], top[300], path[700];
  if (getcwd(top, sizeof(top)) == NULL)
    return -1;
  snprintf(dir, sizeof(dir), "%s/%s", getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp", name);
  snprintf(cmd, sizeof(cmd),
           "rm -rf '%s' && mkdir -p '%s' && for f in '%s'/assets/*; do [ \"$(basename \"$f\")\" "
           "= packs.json ] || ln -s \"$f\" '%s'/; done",
           dir, dir, top, dir);
  if (system(cmd) != 0)
    return -1;
  json_error_t err;
  json_t *packs = json_load_file("assets/packs.json", 0, &err);
  if (packs == NULL)
    return -1;
  json_object_set_new(json_object_get(packs, "economy"), key, json_integer(value));
  snprintf(path, sizeof(path), "%s/packs.json", dir);
  int rc = json_dump_file(packs, path, JSON_INDENT(2));
  json_decref(packs);
  snprintf(env, envlen, "ASSETS_DIR=%s", dir);
  return rc;
}
