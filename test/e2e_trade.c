/* e2e_trade.c - trades end to end: signed /trade commands and button presses to two real
 * `popdeck serve` instances on one PostgreSQL.  The whole flow with copies and currency both
 * ways, every refusal, the confirm delay (the suite's servers run a copy of assets whose
 * trade_confirm_delay_s is 1; one test restarts a server on the real assets and checks the
 * default 5 s), confirmations bound to a version, expiry by the sweeper, who may press, and
 * races repeated many times across both servers, each round followed by the escrow and ledger
 * invariants: every copy in one place, currency conserved, every operation summing to zero. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "e2e.h"
#include "gifts_e2e.h"
#include "ixbuild.h"

static struct pd_e2e E;
static char fast_env[500];        /* "ASSETS_DIR=..." */
static const char *fast_extra[2]; /* {fast_env, NULL} */
static int races;                 /* rounds of every race test, for the summary line */

/* A copy of assets/ whose packs.json confirms after 1 s. */
static int make_fast_assets(void)
{
  if (pd_ge_assets_with("e2e_trade-assets", "trade_confirm_delay_s", 1, fast_env,
                        sizeof(fast_env)) != 0)
    return -1;
  fast_extra[0] = fast_env;
  fast_extra[1] = NULL;
  return 0;
}

static int restart(int idx, const char *const *extra)
{
  int status = 0;
  pd_e2e_server_stop(&E, idx, SIGTERM, 10000, &status);
  return pd_e2e_server_start(&E, idx, extra);
}

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "trade") != 0)
    return -1;
  if (pd_e2e_seed_demo(&E, 2) != 0 || make_fast_assets() != 0)
    return -1;
  if (restart(0, fast_extra) != 0 || pd_e2e_server_start(&E, 1, fast_extra) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  printf("e2e_trade: %d race rounds\n", races);
  pd_e2e_teardown(&E);
  return 0;
}

/* ---- setup through SQL (what is tested goes through the servers) ---- */

static void player(const char *user)
{
  char sql[256];
  snprintf(sql, sizeof(sql), "INSERT INTO users (discord_id) VALUES ('%s') ON CONFLICT DO NOTHING",
           user);
  assert_true(pd_e2e_sql(&E, sql));
}

/* Moves amount of currency between a player and a game account as the ledger records it
 * (amount > 0: from the 'grants' account to the player; < 0: from the player to 'shop'). */
static void ledger_game(const char *user, const char *currency, int64_t amount)
{
  char sql[1024];
  const char *col = strcmp(currency, "notes") == 0 ? "coins" : currency;
  snprintf(sql, sizeof(sql),
           "WITH op AS (SELECT nextval('ledger_op_seq') AS id),"
           " u AS (UPDATE users SET %s = %s + %lld WHERE discord_id = '%s' RETURNING id)"
           " INSERT INTO ledger (op_id, kind, user_id, system_account, currency, amount)"
           " SELECT op.id, 'grant', x.u, x.s, '%s', x.a FROM op, u,"
           " LATERAL (VALUES (u.id, NULL::text, %lld::bigint), (NULL::int, '%s', %lld::bigint))"
           " x(u, s, a)",
           col, col, (long long)amount, user, currency, (long long)amount,
           amount > 0 ? "grants" : "shop", (long long)-amount);
  assert_true(pd_e2e_sql(&E, sql));
}

/* A new copy for user; ref gets how players write it, the return value is its id. */
static int64_t mint(const char *user, char ref[64])
{
  char sql[1024];
  snprintf(sql, sizeof(sql),
           "WITH t AS (UPDATE card_templates SET copies_created = copies_created + 1"
           " WHERE id = (SELECT id FROM card_templates ORDER BY random() LIMIT 1)"
           " RETURNING id, copies_created)"
           " INSERT INTO user_cards (user_id, template_id, print_no, source)"
           " SELECT u.id, t.id, t.copies_created, 'test' FROM t, users u WHERE u.discord_id = '%s'"
           " RETURNING id",
           user);
  int64_t id = pd_e2e_sql_int(&E, sql);
  assert_true(id > 0);
  snprintf(sql, sizeof(sql),
           "SELECT t.public_id || '/' || CASE WHEN uc.print_no < 10 THEN '0' ELSE '' END ||"
           " uc.print_no FROM user_cards uc JOIN card_templates t ON t.id = uc.template_id"
           " WHERE uc.id = %lld",
           (long long)id);
  pd_e2e_sql_text(&E, sql, ref, 64);
  return id;
}

static void copy_state(int64_t copy, char out[32])
{
  char sql[200];
  snprintf(sql, sizeof(sql),
           "SELECT u.discord_id || ':' || uc.state FROM user_cards uc JOIN users u ON u.id ="
           " uc.user_id WHERE uc.id = %lld",
           (long long)copy);
  pd_e2e_sql_text(&E, sql, out, 32);
}

static void assert_copy(int64_t copy, const char *user, const char *state)
{
  char got[32], want[64];
  copy_state(copy, got);
  snprintf(want, sizeof(want), "%s:%s", user, state);
  assert_string_equal(got, want);
}

static int64_t balance(const char *user, const char *currency)
{
  char sql[200];
  snprintf(sql, sizeof(sql), "SELECT %s FROM users WHERE discord_id = '%s'",
           strcmp(currency, "notes") == 0 ? "coins" : currency, user);
  return pd_e2e_sql_int(&E, sql);
}

static int64_t trade_int(int64_t trade, const char *col)
{
  char sql[200];
  snprintf(sql, sizeof(sql), "SELECT coalesce(%s, 0) FROM trades WHERE id = %lld", col,
           (long long)trade);
  return pd_e2e_sql_int(&E, sql);
}

static void trade_text(int64_t trade, const char *col, char *out, size_t n)
{
  char sql[200];
  snprintf(sql, sizeof(sql), "SELECT %s FROM trades WHERE id = %lld", col, (long long)trade);
  pd_e2e_sql_text(&E, sql, out, n);
}

/* Lets the confirm delay pass for trade without waiting (race setup only). */
static void settle(int64_t trade)
{
  char sql[200];
  snprintf(sql, sizeof(sql),
           "UPDATE trades SET changed_at = now() - interval '1 hour' WHERE id = %lld",
           (long long)trade);
  assert_true(pd_e2e_sql(&E, sql));
}

/* The invariants after every test and race round: escrow matches the copies' states, closed
 * trades hold nothing, every operation sums to zero, every balance is its ledger sum. */
static void invariants(void)
{
  static const char *const zero[] = {
      "SELECT count(*) FROM user_cards uc WHERE uc.state = 'trading' AND NOT EXISTS (SELECT 1"
      " FROM trade_cards tc WHERE tc.user_card_id = uc.id AND tc.active)",
      "SELECT count(*) FROM trade_cards tc JOIN trades t ON t.id = tc.trade_id WHERE tc.active"
      " AND t.status <> 'open'",
      "SELECT count(*) FROM trade_cards tc JOIN user_cards uc ON uc.id = tc.user_card_id"
      " WHERE tc.active AND uc.user_id <> tc.from_user",
      "SELECT count(*) FROM trade_players p JOIN trades t ON t.id = p.trade_id"
      " WHERE t.status <> 'open'",
      "SELECT count(*) FROM trades t WHERE t.status = 'open' AND (SELECT count(*) FROM"
      " trade_players p WHERE p.trade_id = t.id) <> 2",
      "SELECT count(*) FROM (SELECT op_id FROM ledger GROUP BY op_id, currency"
      " HAVING sum(amount) <> 0) x",
      "SELECT count(*) FROM users u WHERE u.coins <> coalesce((SELECT sum(amount) FROM ledger l"
      " WHERE l.user_id = u.id AND l.currency = 'notes'), 0) OR u.discs <> coalesce((SELECT"
      " sum(amount) FROM ledger l WHERE l.user_id = u.id AND l.currency = 'discs'), 0) OR u.gems"
      " <> coalesce((SELECT sum(amount) FROM ledger l WHERE l.user_id = u.id AND l.currency ="
      " 'gems'), 0)",
      "SELECT count(*) FROM trades WHERE status = 'done' AND (op_id IS NULL OR NOT EXISTS"
      " (SELECT 1 FROM card_moves m WHERE m.op_id = trades.op_id) AND NOT EXISTS (SELECT 1 FROM"
      " ledger l WHERE l.op_id = trades.op_id))",
  };
  for (size_t i = 0; i < sizeof(zero) / sizeof(zero[0]); i++) {
    int64_t n = pd_e2e_sql_int(&E, zero[i]);
    if (n != 0)
      fprintf(stderr, "invariant broken (%lld rows): %s\n", (long long)n, zero[i]);
    assert_int_equal(n, 0);
  }
}

/* ---- interactions ---- */

static json_t *trade_ix(const char *user, const char *sub)
{
  json_t *ix = pd_e2e_command("trade", user);
  json_array_append_new(json_object_get(json_object_get(ix, "data"), "options"),
                        json_pack("{s:s, s:i, s:[]}", "name", sub, "type", 1, "options"));
  return ix;
}

static void sub_option(json_t *ix, const char *name, int type, json_t *value)
{
  json_t *data = json_object_get(ix, "data");
  json_t *sub = json_array_get(json_object_get(data, "options"), 0);
  json_array_append_new(json_object_get(sub, "options"),
                        json_pack("{s:s, s:i, s:o}", "name", name, "type", type, "value", value));
}

static json_t *post(int srv, json_t *ix)
{
  json_t *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, srv, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

/* /trade start user:other (a bot when bot). */
static json_t *start(int srv, const char *user, const char *other, bool bot)
{
  json_t *ix = trade_ix(user, "start");
  sub_option(ix, "user", 6, json_string(other));
  json_t *u = pd_ixb_user(other);
  if (bot)
    json_object_set_new(u, "bot", json_true());
  json_object_set_new(json_object_get(ix, "data"), "resolved",
                      json_pack("{s:{s:o}}", "users", other, u));
  return post(srv, ix);
}

/* /trade add or remove with what is given (NULL / 0: left out). */
static json_t *offer(int srv, const char *user, const char *sub, const char *card, int64_t notes,
                     int64_t discs, int64_t gems)
{
  json_t *ix = trade_ix(user, sub);
  if (card != NULL)
    sub_option(ix, "card", 3, json_string(card));
  if (notes != 0)
    sub_option(ix, "notes", 4, json_integer(notes));
  if (discs != 0)
    sub_option(ix, "discs", 4, json_integer(discs));
  if (gems != 0)
    sub_option(ix, "gems", 4, json_integer(gems));
  return post(srv, ix);
}

static json_t *simple(int srv, const char *user, const char *sub)
{
  return post(srv, trade_ix(user, sub));
}

static json_t *press(int srv, const char *user, const char *custom_id)
{
  return post(srv, pd_e2e_button(custom_id, user));
}

static int reply_type(json_t *r)
{
  return (int)json_integer_value(json_object_get(r, "type"));
}

static const char *desc(json_t *r)
{
  json_t *embed = json_array_get(json_object_get(json_object_get(r, "data"), "embeds"), 0);
  const char *d = json_string_value(json_object_get(embed, "description"));
  return d != NULL ? d : "";
}

/* A button's custom_id on a trade message: 0 Confirm, 1 Cancel ("" when there is none). */
static const char *button(json_t *r, size_t i)
{
  json_t *row = json_array_get(json_object_get(json_object_get(r, "data"), "components"), 0);
  const char *id = json_string_value(
      json_object_get(json_array_get(json_object_get(row, "components"), i), "custom_id"));
  return id != NULL ? id : "";
}

/* The answer is the trade message (a public message, or an update in place) containing want. */
static void assert_trade_msg(json_t *r, int type, const char *want)
{
  if (reply_type(r) != type || strstr(desc(r), want) == NULL) {
    char *s = json_dumps(r, JSON_COMPACT);
    fprintf(stderr, "wanted a type %d trade message with \"%s\", got %s\n", type, want, s);
    free(s);
  }
  assert_int_equal(reply_type(r), type);
  assert_false(pd_e2e_ephemeral(r));
  assert_non_null(strstr(desc(r), want));
}

/* The answer is an ephemeral refusal containing want. */
static void assert_refused(json_t *r, const char *want)
{
  if (!pd_e2e_ephemeral(r) || strstr(pd_e2e_content(r), want) == NULL) {
    char *s = json_dumps(r, JSON_COMPACT);
    fprintf(stderr, "wanted a refusal with \"%s\", got %s\n", want, s);
    free(s);
  }
  assert_int_equal(reply_type(r), 4);
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), want));
}

static void done(json_t *r, int type, const char *want)
{
  assert_trade_msg(r, type, want);
  json_decref(r);
}

static void refused(json_t *r, const char *want)
{
  assert_refused(r, want);
  json_decref(r);
}

static int64_t open_trade(const char *user)
{
  char sql[256];
  snprintf(sql, sizeof(sql),
           "SELECT coalesce(max(p.trade_id), 0) FROM trade_players p JOIN users u ON u.id ="
           " p.user_id WHERE u.discord_id = '%s'",
           user);
  return pd_e2e_sql_int(&E, sql);
}

/* ---- the flow ---- */

static void test_flow_copies_and_currency_both_ways(void **state)
{
  const char *A = "710000000000000101", *B = "710000000000000102";
  char a1[64], a2[64], b1[64], want[160], sql[512];
  player(A);
  player(B);
  int64_t ca1 = mint(A, a1), ca2 = mint(A, a2), cb1 = mint(B, b1);
  ledger_game(A, "notes", 1000);
  ledger_game(B, "discs", 50);
  ledger_game(B, "gems", 5);

  json_t *r = start(0, A, B, false);
  snprintf(want, sizeof(want), "<@%s> wants to trade with <@%s>", A, B);
  assert_trade_msg(r, 4, want);
  int64_t trade = open_trade(A);
  assert_true(trade > 0);
  assert_int_equal(open_trade(B), trade);
  snprintf(want, sizeof(want), "trade:confirm:%lld:1", (long long)trade);
  assert_string_equal(button(r, 0), want);
  snprintf(want, sizeof(want), "trade:cancel:%lld", (long long)trade);
  assert_string_equal(button(r, 1), want);
  assert_non_null(strstr(desc(r), "Version 1"));
  json_decref(r);

  /* A offers a copy and Notes: the copy is escrowed, the offer recorded, version 2. */
  r = offer(0, A, "add", a1, 300, 0, 0);
  snprintf(want, sizeof(want), "**Version 2**: Player 0101 added %s, 300 Notes.", a1);
  assert_trade_msg(r, 4, want);
  assert_non_null(strstr(desc(r), a1));
  assert_non_null(strstr(desc(r), "Confirming opens <t:"));
  json_decref(r);
  assert_copy(ca1, A, "trading");
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM trade_cards WHERE trade_id = %lld AND user_card_id = %lld AND"
           " active AND added_version = 2",
           (long long)trade, (long long)ca1);
  assert_int_equal(pd_e2e_sql_int(&E, sql), 1);
  assert_int_equal(trade_int(trade, "a_notes"), 300);

  /* B offers a copy, Discs and Gems (on the other server); A adds and takes back a second. */
  done(offer(1, B, "add", b1, 0, 20, 5), 4, "added");
  done(offer(0, A, "add", a2, 0, 0, 0), 4, "**Version 4**");
  assert_copy(ca2, A, "trading");
  r = offer(1, A, "remove", a2, 0, 0, 0);
  snprintf(want, sizeof(want), "**Version 5**: Player 0101 removed %s.", a2);
  assert_trade_msg(r, 4, want);
  json_decref(r);
  assert_copy(ca2, A, "free");
  /* The change is listed, and what is still offered. */
  r = simple(1, B, "show");
  assert_trade_msg(r, 4, a1);
  assert_non_null(strstr(desc(r), b1));
  assert_non_null(strstr(desc(r), "300 Notes"));
  assert_non_null(strstr(desc(r), "20 Discs"));
  assert_non_null(strstr(desc(r), "5 Gems"));
  /* a2 is named only by the change line, not among the offers above it. */
  const char *a2_at = strstr(desc(r), a2);
  assert_true(a2_at != NULL && a2_at > strstr(desc(r), "**Version 5**"));
  char confirm5[64];
  snprintf(confirm5, sizeof(confirm5), "%s", button(r, 0));
  snprintf(want, sizeof(want), "trade:confirm:%lld:5", (long long)trade);
  assert_string_equal(confirm5, want);
  json_decref(r);

  /* Confirming right after a change is refused, saying when it opens. */
  refused(simple(0, A, "confirm"), "confirming opens <t:");
  sleep(2);
  /* A confirms with the button: the message updates in place. */
  r = press(0, A, confirm5);
  snprintf(want, sizeof(want), "<@%s> confirmed version 5. Waiting for <@%s>.", A, B);
  assert_trade_msg(r, 7, want);
  json_decref(r);
  assert_int_equal(trade_int(trade, "a_confirmed"), 5);
  /* A press by the same side again changes nothing. */
  done(press(1, A, confirm5), 7, "You already confirmed version 5");

  /* B confirms on the other server: everything moves in one operation. */
  r = press(1, B, confirm5);
  assert_trade_msg(r, 7, "**Trade done.**");
  assert_int_equal(json_array_size(json_object_get(json_object_get(r, "data"), "components")), 0);
  json_decref(r);
  assert_copy(ca1, B, "free");
  assert_copy(cb1, A, "free");
  assert_copy(ca2, A, "free");
  assert_int_equal(balance(A, "notes"), 700);
  assert_int_equal(balance(B, "notes"), 300);
  assert_int_equal(balance(A, "discs"), 20);
  assert_int_equal(balance(B, "discs"), 30);
  assert_int_equal(balance(A, "gems"), 5);
  assert_int_equal(balance(B, "gems"), 0);
  char status[16];
  trade_text(trade, "status", status, sizeof(status));
  assert_string_equal(status, "done");
  int64_t op = trade_int(trade, "op_id");
  assert_true(op > 0);
  /* One operation: three currency moves (two rows each) and two card moves. */
  snprintf(sql, sizeof(sql), "SELECT count(*) FROM ledger WHERE op_id = %lld AND kind = 'trade'",
           (long long)op);
  assert_int_equal(pd_e2e_sql_int(&E, sql), 6);
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM card_moves WHERE op_id = %lld AND kind = 'trade'", (long long)op);
  assert_int_equal(pd_e2e_sql_int(&E, sql), 2);
  assert_int_equal(open_trade(A), 0);
  assert_int_equal(open_trade(B), 0);
  /* The old button finds the trade over. */
  refused(press(0, B, confirm5), "This trade is over (done)");
  invariants();
}

/* ---- refusals ---- */

static void test_refusals(void **state)
{
  const char *A = "710000000000000201", *B = "710000000000000202", *C = "710000000000000203";
  const char *BOT = "710000000000000299";
  char a1[64], a2[64], c1[64], want[200];
  player(A);
  player(B);
  player(C);
  int64_t ca1 = mint(A, a1), ca2 = mint(A, a2);
  mint(C, c1);
  ledger_game(A, "notes", 100);

  refused(start(0, A, A, false), "You can't trade with yourself");
  refused(start(0, A, BOT, true), "Bots don't trade cards");
  refused(simple(0, A, "show"), "You have no open trade");
  refused(offer(0, A, "add", a1, 0, 0, 0), "You have no open trade");
  refused(simple(1, A, "confirm"), "You have no open trade");
  refused(simple(1, A, "cancel"), "You have no open trade");

  done(start(0, A, B, false), 4, "wants to trade");
  int64_t trade = open_trade(A);
  snprintf(want, sizeof(want), "<@%s> is already trading with <@%s>", A, B);
  refused(start(1, C, A, false), want);
  snprintf(want, sizeof(want), "You already have an open trade with <@%s>", B);
  refused(start(1, A, C, false), want);
  snprintf(want, sizeof(want), "You already have an open trade with <@%s>", A);
  refused(start(1, B, C, false), want);

  refused(simple(0, A, "confirm"), "Nothing is offered yet");
  refused(offer(0, A, "add", NULL, 0, 0, 0), "Say what to add");
  refused(offer(0, A, "remove", NULL, 0, 0, 0), "Say what to take out");
  refused(offer(0, A, "add", NULL, -5, 0, 0), "from 1 to 1,000,000,000 (got -5)");
  refused(offer(0, A, "add", NULL, 0, 1000000001, 0), "from 1 to 1,000,000,000 (got 1000000001)");
  refused(offer(0, A, "add", NULL, 250, 0, 0), "You have 100 Notes; offering 250 Notes in all "
                                               "needs 150 Notes more.");
  refused(offer(0, A, "add", NULL, 0, 0, 1), "You have 0 Gems");
  refused(offer(0, A, "add", c1, 0, 0, 0), "You don't have");
  refused(offer(0, A, "add", "not a copy", 0, 0, 0), "is not a copy");
  char sql[256];
  snprintf(sql, sizeof(sql), "UPDATE user_cards SET state = 'locked' WHERE id = %lld",
           (long long)ca2);
  assert_true(pd_e2e_sql(&E, sql));
  refused(offer(0, A, "add", a2, 0, 0, 0), "is locked");
  /* A refusal changes nothing: still version 1. */
  assert_int_equal(trade_int(trade, "version"), 1);

  done(offer(0, A, "add", a1, 60, 0, 0), 4, "added");
  refused(offer(1, A, "add", a1, 0, 0, 0), "is offered in your open trade");
  refused(offer(1, A, "add", NULL, 50, 0, 0), "You have 100 Notes; offering 110 Notes in all");
  refused(offer(1, A, "remove", a2, 0, 0, 0), "is not in your offer");
  refused(offer(1, A, "remove", NULL, 61, 0, 0), "You offer only 60 Notes");
  refused(offer(1, B, "remove", a1, 0, 0, 0), "You don't have");

  /* Only the two traders may press; the refusal is theirs alone and changes nothing. */
  json_t *r = simple(0, B, "show");
  char confirm[64], cancel[64];
  snprintf(confirm, sizeof(confirm), "%s", button(r, 0));
  snprintf(cancel, sizeof(cancel), "%s", button(r, 1));
  json_decref(r);
  sleep(2);
  snprintf(want, sizeof(want), "only they can press");
  refused(press(0, C, confirm), want);
  refused(press(1, C, cancel), want);
  assert_int_equal(trade_int(trade, "a_confirmed") + trade_int(trade, "b_confirmed"), 0);
  refused(press(0, A, "trade:confirm:nonsense"), "not one PopDeck made");
  char status[16];
  trade_text(trade, "status", status, sizeof(status));
  assert_string_equal(status, "open");

  /* B cancels with the button: the message updates, the escrow is released. */
  snprintf(want, sizeof(want), "<@%s> cancelled the trade", B);
  done(press(1, B, cancel), 7, want);
  assert_copy(ca1, A, "free");
  trade_text(trade, "status", status, sizeof(status));
  assert_string_equal(status, "cancelled");
  assert_int_equal(open_trade(A) + open_trade(B), 0);
  refused(press(0, A, confirm), "This trade is over (cancelled");
  assert_int_equal(balance(A, "notes"), 100);

  /* /trade cancel as a command, by the side asked. */
  done(start(1, B, A, false), 4, "wants to trade");
  trade = open_trade(A);
  done(offer(1, A, "add", a1, 0, 0, 0), 4, "added");
  done(simple(0, B, "cancel"), 4, "cancelled the trade");
  assert_copy(ca1, A, "free");
  trade_text(trade, "status", status, sizeof(status));
  assert_string_equal(status, "cancelled");
  invariants();
}

/* The swap re-checks funds: A spent the offered Notes after offering them, so nothing moves,
 * the trade closes as failed and the second confirmer is told why. */
static void test_recheck_fails_nothing_moves(void **state)
{
  const char *A = "710000000000000301", *B = "710000000000000302";
  char b1[64], want[200];
  player(A);
  player(B);
  int64_t cb1 = mint(B, b1);
  ledger_game(A, "notes", 100);
  done(start(0, A, B, false), 4, "wants to trade");
  int64_t trade = open_trade(A);
  done(offer(0, A, "add", NULL, 100, 0, 0), 4, "added");
  done(offer(1, B, "add", b1, 0, 0, 0), 4, "added");
  settle(trade);
  done(simple(0, A, "confirm"), 4, "confirmed version 3");
  ledger_game(A, "notes", -40); /* a purchase elsewhere */
  json_t *r = simple(1, B, "confirm");
  snprintf(want, sizeof(want),
           "**The trade failed and nothing moved:** <@%s> no longer has the 100 Notes offered (has "
           "60 Notes)",
           A);
  assert_trade_msg(r, 4, want);
  json_decref(r);
  char status[16];
  trade_text(trade, "status", status, sizeof(status));
  assert_string_equal(status, "failed");
  assert_copy(cb1, B, "free");
  assert_int_equal(balance(A, "notes"), 60);
  assert_int_equal(balance(B, "notes"), 0);
  assert_int_equal(open_trade(A) + open_trade(B), 0);
  invariants();
}

/* A confirmation is bound to its version: a change clears it, and the old button is refused. */
static void test_version_bound_confirmations(void **state)
{
  const char *A = "710000000000000401", *B = "710000000000000402";
  char a1[64], b1[64];
  player(A);
  player(B);
  mint(A, a1);
  int64_t cb1 = mint(B, b1);
  ledger_game(B, "notes", 500);
  done(start(0, A, B, false), 4, "wants to trade");
  int64_t trade = open_trade(A);
  json_t *r = offer(0, A, "add", a1, 0, 0, 0);
  char v2[64];
  snprintf(v2, sizeof(v2), "%s", button(r, 0));
  json_decref(r);
  sleep(2);
  done(press(1, B, v2), 7, "confirmed version 2");
  assert_int_equal(trade_int(trade, "b_confirmed"), 2);
  /* B changes the offer: B's own confirmation is gone, and the old button is refused. */
  done(offer(0, B, "add", b1, 100, 0, 0), 4, "**Version 3**");
  assert_int_equal(trade_int(trade, "b_confirmed"), 0);
  assert_copy(cb1, B, "trading");
  sleep(2);
  refused(press(0, A, v2), "The offer changed: Player 0402 added");
  refused(press(1, B, v2), "(version 3 now, you pressed on version 2)");
  assert_int_equal(trade_int(trade, "a_confirmed") + trade_int(trade, "b_confirmed"), 0);
  /* Confirmed on 3, then a removal voids it again. */
  done(simple(0, A, "confirm"), 4, "confirmed version 3");
  done(offer(1, B, "remove", NULL, 40, 0, 0), 4, "Player 0402 removed 40 Notes");
  assert_int_equal(trade_int(trade, "a_confirmed"), 0);
  assert_int_equal(trade_int(trade, "b_notes"), 60);
  done(simple(1, B, "cancel"), 4, "cancelled");
  invariants();
}

/* The real assets: confirming stays shut for 5 s after a change. */
static void test_default_delay_is_five_seconds(void **state)
{
  const char *A = "710000000000000501", *B = "710000000000000502";
  char a1[64];
  player(A);
  player(B);
  mint(A, a1);
  assert_int_equal(restart(1, NULL), 0);
  done(start(1, A, B, false), 4, "wants to trade");
  int64_t trade = open_trade(A);
  done(offer(1, A, "add", a1, 0, 0, 0), 4, "added");
  time_t changed = time(NULL);
  json_t *r = simple(1, B, "confirm");
  assert_refused(r, "confirming opens <t:");
  long long at = strtoll(strstr(pd_e2e_content(r), "<t:") + 3, NULL, 10);
  assert_true(at >= (long long)changed + 4 && at <= (long long)changed + 6);
  json_decref(r);
  sleep(3);
  refused(simple(1, B, "confirm"), "confirming opens <t:");
  assert_int_equal(trade_int(trade, "b_confirmed"), 0);
  sleep(3);
  done(simple(1, B, "confirm"), 4, "confirmed version 2");
  done(simple(1, A, "cancel"), 4, "cancelled");
  assert_int_equal(restart(1, fast_extra), 0);
  invariants();
}

/* A trade left open past its expiry is closed by the sweep, its escrow released. */
static void test_expiry_releases_escrow(void **state)
{
  const char *A = "710000000000000601", *B = "710000000000000602";
  char a1[64], b1[64], sql[256], status[16] = "";
  player(A);
  player(B);
  int64_t ca1 = mint(A, a1), cb1 = mint(B, b1);
  done(start(0, A, B, false), 4, "expires <t:");
  int64_t trade = open_trade(A);
  done(offer(0, A, "add", a1, 0, 0, 0), 4, "added");
  done(offer(1, B, "add", b1, 0, 0, 0), 4, "added");
  /* 900 s from the last change. */
  snprintf(sql, sizeof(sql),
           "SELECT round(extract(epoch FROM expires_at - changed_at)) FROM trades WHERE id = %lld",
           (long long)trade);
  assert_int_equal(pd_e2e_sql_int(&E, sql), 900);
  snprintf(sql, sizeof(sql),
           "UPDATE trades SET expires_at = now() - interval '1 second' WHERE id = %lld",
           (long long)trade);
  assert_true(pd_e2e_sql(&E, sql));
  for (int i = 0; i < 150; i++) {
    trade_text(trade, "status", status, sizeof(status));
    if (strcmp(status, "expired") == 0)
      break;
    usleep(100000);
  }
  assert_string_equal(status, "expired");
  assert_copy(ca1, A, "free");
  assert_copy(cb1, B, "free");
  assert_int_equal(open_trade(A) + open_trade(B), 0);
  assert_true(pd_e2e_log_has(&E, 0, "sweep released") || pd_e2e_log_has(&E, 1, "sweep released"));
  /* A trade found expired by a command before the sweep closes there and then. */
  done(start(1, A, B, false), 4, "wants to trade");
  trade = open_trade(A);
  snprintf(sql, sizeof(sql),
           "UPDATE trades SET expires_at = now() - interval '1 second' WHERE id = %lld",
           (long long)trade);
  assert_true(pd_e2e_sql(&E, sql));
  json_t *r = simple(1, B, "show");
  if (reply_type(r) == 4 && !pd_e2e_ephemeral(r))
    assert_non_null(strstr(desc(r), "This trade expired"));
  else
    assert_refused(r, "You have no open trade"); /* the sweep was first */
  json_decref(r);
  invariants();
}

static json_t *autocomplete(const char *user, const char *sub, const char *typed)
{
  struct pd_ixb b = {.type = 4,
                     .app_id = PD_E2E_APP_ID,
                     .user_id = user,
                     .command = "trade",
                     .options = json_pack("[{s:s, s:i, s:[{s:s, s:i, s:s, s:b}]}]", "name", sub,
                                          "type", 1, "options", "name", "card", "type", 3, "value",
                                          typed, "focused", 1)};
  return post(0, pd_ixb_build(&b));
}

static bool choices_have(json_t *r, const char *ref)
{
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(json_object_get(r, "data"), "choices"), i, c)
  {
    if (strcmp(json_string_value(json_object_get(c, "value")), ref) == 0)
      return true;
  }
  return false;
}

static void test_autocomplete(void **state)
{
  const char *A = "710000000000000701", *B = "710000000000000702";
  char a1[64], a2[64], b1[64];
  player(A);
  player(B);
  mint(A, a1);
  mint(A, a2);
  mint(B, b1);
  done(start(0, A, B, false), 4, "wants to trade");
  done(offer(0, A, "add", a1, 0, 0, 0), 4, "added");
  json_t *r = autocomplete(A, "add", "");
  assert_int_equal(reply_type(r), 8);
  assert_true(choices_have(r, a1) && choices_have(r, a2));
  assert_false(choices_have(r, b1));
  json_decref(r);
  r = autocomplete(A, "remove", "");
  assert_true(choices_have(r, a1));
  assert_false(choices_have(r, a2));
  json_decref(r);
  r = autocomplete(B, "remove", "");
  assert_int_equal(json_array_size(json_object_get(json_object_get(r, "data"), "choices")), 0);
  json_decref(r);
  done(simple(0, A, "cancel"), 4, "cancelled");
}

/* ---- races ---- */

struct shot {
  int srv;
  const char *user;
  const char *sub;    /* a command, or NULL for a button */
  char arg[64];       /* the button's custom_id, or the card */
  int64_t notes;      /* for add/remove */
  const char *target; /* for start */
  json_t *reply;
  pthread_barrier_t *go;
};

static void *fire(void *arg)
{
  struct shot *s = arg;
  json_t *ix;
  if (s->sub == NULL) {
    ix = pd_e2e_button(s->arg, s->user);
  } else if (strcmp(s->sub, "start") == 0) {
    ix = trade_ix(s->user, "start");
    sub_option(ix, "user", 6, json_string(s->target));
    json_object_set_new(json_object_get(ix, "data"), "resolved",
                        json_pack("{s:{s:o}}", "users", s->target, pd_ixb_user(s->target)));
  } else {
    ix = trade_ix(s->user, s->sub);
    if (s->arg[0] != '\0')
      sub_option(ix, "card", 3, json_string(s->arg));
    if (s->notes != 0)
      sub_option(ix, "notes", 4, json_integer(s->notes));
  }
  pthread_barrier_wait(s->go);
  s->reply = NULL;
  if (pd_e2e_post(&E, s->srv, ix, &s->reply) != 200) {
    json_decref(s->reply);
    s->reply = NULL;
  }
  json_decref(ix);
  return NULL;
}

/* Fires n shots at the same instant and waits for every answer. */
static void salvo(struct shot *s, int n)
{
  pthread_t t[8];
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, (unsigned)n);
  for (int i = 0; i < n; i++) {
    s[i].go = &go;
    pthread_create(&t[i], NULL, fire, &s[i]);
  }
  for (int i = 0; i < n; i++) {
    pthread_join(t[i], NULL);
    assert_non_null(s[i].reply);
  }
  pthread_barrier_destroy(&go);
}

static bool is_done(json_t *r)
{
  return reply_type(r) != 0 && !pd_e2e_ephemeral(r) && strstr(desc(r), "**Trade done.**") != NULL;
}

/* A free copy of user (the oldest); ref gets how it is written. */
static int64_t free_copy(const char *user, char ref[64])
{
  char sql[512];
  snprintf(sql, sizeof(sql),
           "SELECT uc.id FROM user_cards uc JOIN users u ON u.id = uc.user_id WHERE u.discord_id"
           " = '%s' AND uc.state = 'free' ORDER BY uc.id LIMIT 1",
           user);
  int64_t id = pd_e2e_sql_int(&E, sql);
  assert_true(id > 0);
  snprintf(sql, sizeof(sql),
           "SELECT t.public_id || '/' || CASE WHEN uc.print_no < 10 THEN '0' ELSE '' END ||"
           " uc.print_no FROM user_cards uc JOIN card_templates t ON t.id = uc.template_id"
           " WHERE uc.id = %lld",
           (long long)id);
  pd_e2e_sql_text(&E, sql, ref, 64);
  return id;
}

/* What two players hold together: copies (ids summed and counted) and each currency. */
struct holdings {
  int64_t copies, id_sum, notes, discs, gems;
};

static struct holdings holdings(const char *a, const char *b)
{
  char sql[512];
  struct holdings h;
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM user_cards uc JOIN users u ON u.id = uc.user_id WHERE"
           " u.discord_id IN ('%s', '%s') AND uc.state <> 'gone'",
           a, b);
  h.copies = pd_e2e_sql_int(&E, sql);
  snprintf(sql, sizeof(sql),
           "SELECT coalesce(sum(uc.id), 0) FROM user_cards uc JOIN users u ON u.id = uc.user_id"
           " WHERE u.discord_id IN ('%s', '%s') AND uc.state <> 'gone'",
           a, b);
  h.id_sum = pd_e2e_sql_int(&E, sql);
  h.notes = balance(a, "notes") + balance(b, "notes");
  h.discs = balance(a, "discs") + balance(b, "discs");
  h.gems = balance(a, "gems") + balance(b, "gems");
  return h;
}

static void assert_same_holdings(struct holdings x, struct holdings y)
{
  assert_int_equal(x.copies, y.copies);
  assert_int_equal(x.id_sum, y.id_sum);
  assert_int_equal(x.notes, y.notes);
  assert_int_equal(x.discs, y.discs);
  assert_int_equal(x.gems, y.gems);
}

/* Opens a trade of a with b where a offers a copy and 10 Notes and b a copy and 1 Disc, the
 * delay already past.  The copies' ids go to ca, cb. */
static int64_t staged_trade(int round, const char *a, const char *b, int64_t *ca, int64_t *cb)
{
  char ra[64], rb[64];
  done(start(round % 2, a, b, false), 4, "wants to trade");
  int64_t trade = open_trade(a);
  *ca = free_copy(a, ra);
  *cb = free_copy(b, rb);
  done(offer((round + 1) % 2, a, "add", ra, 10, 0, 0), 4, "added");
  done(offer(round % 2, b, "add", rb, 0, 1, 0), 4, "added");
  settle(trade);
  return trade;
}

static void stock(const char *a, const char *b)
{
  char ref[64];
  player(a);
  player(b);
  for (int i = 0; i < 3; i++) {
    mint(a, ref);
    mint(b, ref);
  }
  ledger_game(a, "notes", 1000000);
  ledger_game(b, "discs", 1000000);
}

/* Both sides confirm the same version at the same instant, on different servers: exactly one
 * swap, every time. */
static void test_race_both_confirm(void **state)
{
  enum { ROUNDS = 100 };
  const char *A = "710000000000000801", *B = "710000000000000802";
  stock(A, B);
  struct holdings before = holdings(A, B);
  for (int round = 0; round < ROUNDS; round++) {
    int64_t ca, cb;
    int64_t trade = staged_trade(round, A, B, &ca, &cb);
    struct shot s[2] = {{.srv = 0, .user = A}, {.srv = 1, .user = B}};
    for (int i = 0; i < 2; i++) {
      /* Half the rounds with the buttons, half with the commands. */
      if (round % 2 == 0)
        snprintf(s[i].arg, sizeof(s[i].arg), "trade:confirm:%lld:3", (long long)trade);
      else
        s[i].sub = "confirm";
    }
    salvo(s, 2);
    int swaps = is_done(s[0].reply) + is_done(s[1].reply);
    if (swaps != 1) {
      char *x = json_dumps(s[0].reply, 0), *y = json_dumps(s[1].reply, 0);
      fprintf(stderr, "round %d: %d swaps\n%s\n%s\n", round, swaps, x, y);
      free(x);
      free(y);
    }
    assert_int_equal(swaps, 1);
    json_decref(s[0].reply);
    json_decref(s[1].reply);
    char status[16];
    trade_text(trade, "status", status, sizeof(status));
    assert_string_equal(status, "done");
    assert_copy(ca, B, "free");
    assert_copy(cb, A, "free");
    assert_same_holdings(before, holdings(A, B));
    races++;
  }
  assert_int_equal(balance(A, "notes"), 1000000 - 10 * ROUNDS);
  assert_int_equal(balance(B, "discs"), 1000000 - ROUNDS);
  invariants();
}

/* Two players start a trade with a third at once (one trade opens), then the same copy is
 * offered twice at once (one offer, the other refused). */
static void test_race_same_copy_two_offers(void **state)
{
  enum { ROUNDS = 50 };
  const char *A = "710000000000000901", *C = "710000000000000902", *D = "710000000000000903";
  char ref[64], sql[256];
  stock(A, C);
  player(D);
  struct holdings before = holdings(A, C);
  for (int round = 0; round < ROUNDS; round++) {
    struct shot st[2] = {{.srv = 0, .user = C, .sub = "start", .target = A},
                         {.srv = 1, .user = D, .sub = "start", .target = A}};
    salvo(st, 2);
    int opened = 0;
    for (int i = 0; i < 2; i++) {
      if (!pd_e2e_ephemeral(st[i].reply))
        opened++;
      else
        assert_refused(st[i].reply, "is already trading with");
      json_decref(st[i].reply);
    }
    assert_int_equal(opened, 1);
    int64_t trade = open_trade(A);
    assert_true(trade > 0);
    assert_int_equal(open_trade(C) + open_trade(D), trade);
    int64_t copy = free_copy(A, ref);
    struct shot s[2] = {{.srv = round % 2, .user = A, .sub = "add"},
                        {.srv = (round + 1) % 2, .user = A, .sub = "add"}};
    snprintf(s[0].arg, sizeof(s[0].arg), "%s", ref);
    snprintf(s[1].arg, sizeof(s[1].arg), "%s", ref);
    salvo(s, 2);
    int added = 0;
    for (int i = 0; i < 2; i++) {
      if (!pd_e2e_ephemeral(s[i].reply))
        added++;
      else
        assert_refused(s[i].reply, "is offered in your open trade");
      json_decref(s[i].reply);
    }
    assert_int_equal(added, 1);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM trade_cards WHERE user_card_id = %lld AND active",
             (long long)copy);
    assert_int_equal(pd_e2e_sql_int(&E, sql), 1);
    assert_int_equal(trade_int(trade, "version"), 2);
    assert_copy(copy, A, "trading");
    done(simple(round % 2, A, "cancel"), 4, "cancelled");
    assert_copy(copy, A, "free");
    assert_same_holdings(before, holdings(A, C));
    races += 2;
  }
  invariants();
}

/* A confirms the version B already confirmed while B takes a copy (or Notes) out: either the
 * swap happens on exactly that version, or the change wins and A's press is refused; never a
 * mix. */
static void test_race_confirm_vs_change(void **state)
{
  enum { ROUNDS = 60 };
  const char *A = "710000000000001001", *B = "710000000000001002";
  stock(A, B);
  ledger_game(B, "notes", 1000);
  struct holdings before = holdings(A, B);
  int swapped = 0, changed = 0;
  for (int round = 0; round < ROUNDS; round++) {
    int64_t ca, cb;
    int64_t trade = staged_trade(round, A, B, &ca, &cb);
    bool by_card = round % 2 == 0;
    if (!by_card) {
      done(offer(0, B, "add", NULL, 5, 0, 0), 4, "added"); /* version 4 */
      settle(trade);
    }
    int64_t v = trade_int(trade, "version");
    char id[64];
    snprintf(id, sizeof(id), "trade:confirm:%lld:%lld", (long long)trade, (long long)v);
    done(press(round % 2, B, id), 7, "confirmed version");
    int64_t a_notes = balance(A, "notes"), b_notes = balance(B, "notes");
    char refb[64];
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT t.public_id || '/' || CASE WHEN uc.print_no < 10 THEN '0' ELSE '' END ||"
             " uc.print_no FROM user_cards uc JOIN card_templates t ON t.id = uc.template_id"
             " WHERE uc.id = %lld",
             (long long)cb);
    pd_e2e_sql_text(&E, sql, refb, sizeof(refb));
    struct shot s[2] = {{.srv = round % 2, .user = A},
                        {.srv = (round + 1) % 2, .user = B, .sub = "remove"}};
    snprintf(s[0].arg, sizeof(s[0].arg), "%s", id);
    if (by_card)
      snprintf(s[1].arg, sizeof(s[1].arg), "%s", refb);
    else
      s[1].notes = 5;
    salvo(s, 2);
    char status[16];
    trade_text(trade, "status", status, sizeof(status));
    if (strcmp(status, "done") == 0) {
      /* The swap won: it moved version v exactly, and the removal found no trade. */
      assert_true(is_done(s[0].reply));
      assert_refused(s[1].reply, "You have no open trade");
      assert_copy(ca, B, "free");
      assert_copy(cb, A, "free");
      assert_int_equal(balance(A, "notes"), a_notes - 10 + (by_card ? 0 : 5));
      assert_int_equal(balance(B, "notes"), b_notes + 10 - (by_card ? 0 : 5));
      swapped++;
    } else {
      /* The change won: a new version, no confirmation left, A's press refused, nothing moved. */
      assert_string_equal(status, "open");
      assert_refused(s[0].reply, "The offer changed");
      assert_trade_msg(s[1].reply, 4, "removed");
      assert_int_equal(trade_int(trade, "version"), v + 1);
      assert_int_equal(trade_int(trade, "a_confirmed") + trade_int(trade, "b_confirmed"), 0);
      assert_copy(ca, A, "trading");
      assert_copy(cb, B, by_card ? "free" : "trading");
      assert_int_equal(balance(A, "notes"), a_notes);
      done(simple(0, A, "cancel"), 4, "cancelled");
      changed++;
    }
    json_decref(s[0].reply);
    json_decref(s[1].reply);
    assert_same_holdings(before, holdings(A, B));
    races++;
  }
  printf("e2e_trade: confirm vs change: %d swaps on the confirmed version, %d changes first\n",
         swapped, changed);
  invariants();
}

/* The second confirmer's button pressed three times at once on both servers: one swap. */
static void test_race_double_clicked_confirm(void **state)
{
  enum { ROUNDS = 50 };
  const char *A = "710000000000001101", *B = "710000000000001102";
  stock(A, B);
  struct holdings before = holdings(A, B);
  for (int round = 0; round < ROUNDS; round++) {
    int64_t ca, cb;
    int64_t trade = staged_trade(round, A, B, &ca, &cb);
    done(simple(round % 2, A, "confirm"), 4, "confirmed version 3");
    struct shot s[3] = {
        {.srv = 0, .user = B}, {.srv = 1, .user = B}, {.srv = round % 2, .user = B}};
    for (int i = 0; i < 3; i++)
      snprintf(s[i].arg, sizeof(s[i].arg), "trade:confirm:%lld:3", (long long)trade);
    salvo(s, 3);
    int swaps = 0;
    for (int i = 0; i < 3; i++) {
      if (is_done(s[i].reply))
        swaps++;
      else
        assert_refused(s[i].reply, "This trade is over (done)");
      json_decref(s[i].reply);
    }
    assert_int_equal(swaps, 1);
    assert_copy(ca, B, "free");
    assert_copy(cb, A, "free");
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM card_moves WHERE op_id = (SELECT op_id FROM trades WHERE id ="
             " %lld)",
             (long long)trade);
    assert_int_equal(pd_e2e_sql_int(&E, sql), 2);
    assert_same_holdings(before, holdings(A, B));
    races++;
  }
  invariants();
}

/* The database clock moved on (pd_clock's skew, as the tests move it): a trade reads "now" from
 * that same clock, so its confirm delay still passes and the trade completes. */
static void test_confirm_delay_on_a_moved_clock(void **state)
{
  const char *A = "710000000000001201", *B = "710000000000001202";
  char a1[64];
  player(A);
  player(B);
  mint(A, a1);
  assert_true(pd_e2e_clock_advance(&E, 3 * 86400));
  json_decref(start(0, A, B, false));
  done(offer(0, A, "add", a1, 0, 0, 0), 4, "added");
  /* Past the suite's 1 s delay by the database clock alone: no sleeping. */
  assert_true(pd_e2e_clock_advance(&E, 2));
  done(simple(1, B, "confirm"), 4, "confirmed version 2");
  json_t *r = simple(0, A, "confirm");
  if (!is_done(r))
    fail_msg("not done: %s", desc(r));
  json_decref(r);
  invariants();
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_flow_copies_and_currency_both_ways),
      PD_E2E_TEST(test_refusals),
      PD_E2E_TEST(test_recheck_fails_nothing_moves),
      PD_E2E_TEST(test_version_bound_confirmations),
      PD_E2E_TEST(test_default_delay_is_five_seconds),
      PD_E2E_TEST(test_expiry_releases_escrow),
      PD_E2E_TEST(test_autocomplete),
      PD_E2E_TEST(test_race_both_confirm),
      PD_E2E_TEST(test_race_same_copy_two_offers),
      PD_E2E_TEST(test_race_confirm_vs_change),
      PD_E2E_TEST(test_race_double_clicked_confirm),
      /* Last: it leaves the clock moved for the suite's database. */
      PD_E2E_TEST(test_confirm_delay_on_a_moved_clock),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
