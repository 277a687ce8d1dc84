/* e2e_missions.c - missions and achievements end to end, on two `popdeck serve` instances and
 * the database clock (pd_e2e_clock_advance): progress counted by opening packs, drawing,
 * buying, selling and trading; the daily reset at 00:00 UTC and the weekly one on Monday; a
 * mission not done refused; a claim pressed 20 times at once on both servers paying once; a
 * transaction that the database makes run again (a serialization failure forced from a second
 * connection) counting once; achievements unlocked once, paid once and shown in /profile; the
 * login streak.  The suite's assets/missions.json has exactly three missions per period, so
 * the test knows which ones every day shows. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "e2e.h"
#include "ixbuild.h"

static struct pd_e2e E;
static char assets_env[600];
static const char *ENV[] = {assets_env, "DISCORD_BOT_TOKEN=test-bot-token", NULL};

static const char MISSIONS_JSON[] =
    "{\"daily\": ["
    "{\"id\": \"open_2\", \"kind\": \"open_packs\", \"n\": 2, \"reward\": {\"currency\": "
    "\"notes\", \"amount\": 100}},"
    "{\"id\": \"draw_2\", \"kind\": \"draws\", \"n\": 2, \"reward\": {\"currency\": \"notes\", "
    "\"amount\": 50}},"
    "{\"id\": \"buy_1\", \"kind\": \"market_buy\", \"n\": 1, \"reward\": {\"currency\": "
    "\"notes\", \"amount\": 20}}],"
    "\"weekly\": ["
    "{\"id\": \"open_3\", \"kind\": \"open_packs\", \"n\": 3, \"reward\": {\"currency\": "
    "\"discs\", \"amount\": 5}},"
    "{\"id\": \"trade_1\", \"kind\": \"trades\", \"n\": 1, \"reward\": {\"currency\": "
    "\"notes\", \"amount\": 200}},"
    "{\"id\": \"sell_1\", \"kind\": \"market_sell\", \"n\": 1, \"reward\": {\"currency\": "
    "\"notes\", \"amount\": 300}}],"
    "\"achievements\": ["
    "{\"id\": \"first_mythic\", \"name\": \"First mythic\", \"kind\": \"mythic\", \"n\": 1, "
    "\"reward\": {\"currency\": \"discs\", \"amount\": 3}},"
    "{\"id\": \"era_complete\", \"name\": \"Era complete\", \"kind\": \"era_complete\", \"n\": 1, "
    "\"reward\": {\"currency\": \"discs\", \"amount\": 7}},"
    "{\"id\": \"cards_3\", \"name\": \"3 cards\", \"kind\": \"cards\", \"n\": 3},"
    "{\"id\": \"first_trade\", \"name\": \"First trade\", \"kind\": \"trades\", \"n\": 1, "
    "\"reward\": {\"currency\": \"notes\", \"amount\": 11}},"
    "{\"id\": \"streak_3\", \"name\": \"3-day streak\", \"kind\": \"login_streak\", \"n\": 3, "
    "\"reward\": {\"currency\": \"notes\", \"amount\": 30}}]}";

/* assets/ with the suite's missions.json in place of the shipped one. */
static int make_assets(void)
{
  char dir[400], cmd[2048], top[300], path[700];
  if (getcwd(top, sizeof(top)) == NULL)
    return -1;
  snprintf(dir, sizeof(dir), "%s/e2e_missions-assets",
           getenv("PD_TMP") != NULL ? getenv("PD_TMP") : "/tmp");
  snprintf(cmd, sizeof(cmd),
           "rm -rf '%s' && mkdir -p '%s' && for f in '%s'/assets/*; do [ \"$(basename \"$f\")\" "
           "= missions.json ] || ln -s \"$f\" '%s'/; done",
           dir, dir, top, dir);
  if (system(cmd) != 0)
    return -1;
  snprintf(path, sizeof(path), "%s/missions.json", dir);
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return -1;
  fputs(MISSIONS_JSON, f);
  fclose(f);
  snprintf(assets_env, sizeof(assets_env), "ASSETS_DIR=%s", dir);
  return 0;
}

static int setup(void **state)
{
  int status = 0;
  if (pd_e2e_setup(&E, "missions") != 0 || pd_e2e_seed_demo(&E, 2) != 0 || make_assets() != 0)
    return -1;
  if (pd_e2e_server_stop(&E, 0, SIGTERM, 10000, &status) != 0 ||
      pd_e2e_server_start(&E, 0, ENV) != 0 || pd_e2e_server_start(&E, 1, ENV) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

/* ---- SQL for setup and checks (what is tested goes through the servers) ---- */

static int64_t sql_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t sql_int(const char *fmt, ...)
{
  char sql[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  return pd_e2e_sql_int(&E, sql);
}

static void sql_do(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql_do(const char *fmt, ...)
{
  char sql[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  assert_true(pd_e2e_sql(&E, sql));
}

static void player(const char *user)
{
  sql_do("INSERT INTO users (discord_id) VALUES ('%s') ON CONFLICT DO NOTHING", user);
}

static int64_t uid(const char *user)
{
  return sql_int("SELECT id FROM users WHERE discord_id = '%s'", user);
}

/* A new copy of template for user (a copy minted for the test's setup); ref gets its name. */
static int64_t mint(const char *user, int64_t template_id, char ref[64])
{
  int64_t id = sql_int(
      "WITH t AS (UPDATE card_templates SET copies_created = copies_created + 1 WHERE id = %lld"
      " RETURNING id, copies_created)"
      " INSERT INTO user_cards (user_id, template_id, print_no, source)"
      " SELECT u.id, t.id, t.copies_created, 'test' FROM t, users u WHERE u.discord_id = '%s'"
      " RETURNING id",
      (long long)template_id, user);
  assert_true(id > 0);
  char sql[512];
  snprintf(sql, sizeof(sql),
           "SELECT t.public_id || '/' || CASE WHEN uc.print_no < 10 THEN '0' ELSE '' END ||"
           " uc.print_no FROM user_cards uc JOIN card_templates t ON t.id = uc.template_id"
           " WHERE uc.id = %lld",
           (long long)id);
  pd_e2e_sql_text(&E, sql, ref, 64);
  return id;
}

/* Today's count of kind for user, and the lifetime one. */
static int64_t today(const char *user, const char *kind)
{
  return sql_int("SELECT coalesce(sum(n), 0) FROM mission_counts WHERE user_id = %lld AND kind ="
                 " '%s' AND day = pd_period_start('1 day', pd_now())",
                 (long long)uid(user), kind);
}

static int64_t lifetime(const char *user, const char *kind)
{
  return sql_int("SELECT coalesce(sum(n), 0) FROM player_totals WHERE user_id = %lld AND kind ="
                 " '%s'",
                 (long long)uid(user), kind);
}

static int64_t balance(const char *user, const char *col)
{
  return sql_int("SELECT %s FROM users WHERE discord_id = '%s'", col, user);
}

static int64_t day_start(void)
{
  return sql_int("SELECT extract(epoch FROM pd_period_start('1 day', pd_now()))::bigint");
}

/* Moves the clock to offset seconds after the next UTC midnight (or the next Monday's). */
static void to_next(bool monday, int offset)
{
  int64_t now = sql_int("SELECT extract(epoch FROM pd_now())::bigint");
  int64_t start = sql_int("SELECT extract(epoch FROM pd_period_start('%s', pd_now()))::bigint",
                          monday ? "7 days" : "1 day");
  int64_t next = start + (monday ? 7 * 86400 : 86400) + offset;
  assert_true(pd_e2e_clock_advance(&E, next - now));
}

/* ---- interactions ---- */

static json_t *post(int idx, json_t *ix)
{
  json_t *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, idx, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

/* A deferred command: the follow-up the double received (owned). */
static json_t *deferred(int idx, json_t *ix)
{
  const char *token = json_string_value(json_object_get(ix, "token"));
  char tok[256];
  snprintf(tok, sizeof(tok), "%s", token);
  json_t *reply = post(idx, ix);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 5);
  json_decref(reply);
  json_t *reqs = pd_double_wait_requests(E.dbl, tok, 1, 10000);
  assert_non_null(reqs);
  json_t *req = json_incref(json_array_get(reqs, 0));
  json_decref(reqs);
  return req;
}

static const char *data_text(json_t *reply)
{
  json_t *d = json_object_get(reply, "data");
  const char *c = json_string_value(json_object_get(d, "content"));
  if (c != NULL && c[0] != '\0')
    return c;
  json_t *e = json_array_get(json_object_get(d, "embeds"), 0);
  c = json_string_value(json_object_get(e, "description"));
  return c != NULL ? c : "";
}

#define HAS(text, needle)                                                                          \
  do {                                                                                             \
    if (strstr((text), (needle)) == NULL)                                                          \
      fail_msg("expected \"%s\" in: %s", (needle), (text));                                        \
  } while (0)

/* /openpack, then the pick of its first card; the clock then passes the pack cooldown. */
static void open_and_pick(int idx, const char *user)
{
  json_decref(deferred(idx, pd_e2e_command("openpack", user)));
  int64_t pack = sql_int("SELECT max(p.id) FROM pack_opens p JOIN users u ON u.id = p.user_id"
                         " WHERE u.discord_id = '%s'",
                         user);
  char custom[64];
  snprintf(custom, sizeof(custom), "pick:%lld:0", (long long)pack);
  json_t *r = post(idx, pd_e2e_button(custom, user));
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 7);
  json_decref(r);
  assert_true(pd_e2e_clock_advance(&E, 421));
}

static void draw(int idx, const char *user)
{
  json_decref(deferred(idx, pd_e2e_command("draw", user)));
  assert_true(pd_e2e_clock_advance(&E, 121));
}

/* /missions: the reply (owned), ephemeral. */
static json_t *missions(int idx, const char *user)
{
  json_t *r = post(idx, pd_e2e_command("missions", user));
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 4);
  assert_true(pd_e2e_ephemeral(r));
  return r;
}

/* The button of the message whose custom_id ends in ":<mission>" (NULL if none). */
static json_t *button_of(json_t *reply, const char *mission)
{
  json_t *rows = json_object_get(json_object_get(reply, "data"), "components");
  char tail[48];
  snprintf(tail, sizeof(tail), ":%s", mission);
  for (size_t r = 0; r < json_array_size(rows); r++) {
    json_t *bs = json_object_get(json_array_get(rows, r), "components");
    for (size_t b = 0; b < json_array_size(bs); b++) {
      const char *id = json_string_value(json_object_get(json_array_get(bs, b), "custom_id"));
      if (id != NULL && strlen(id) > strlen(tail) &&
          strcmp(id + strlen(id) - strlen(tail), tail) == 0)
        return json_array_get(bs, b);
    }
  }
  return NULL;
}

static bool enabled(json_t *button)
{
  return button != NULL && !json_is_true(json_object_get(button, "disabled"));
}

static json_t *press(int idx, const char *user, const char *custom_id)
{
  return post(idx, pd_e2e_button(custom_id, user));
}

static int64_t ledger_rows(const char *user, const char *kind)
{
  return sql_int("SELECT count(*) FROM ledger WHERE user_id = %lld AND kind = '%s'",
                 (long long)uid(user), kind);
}

/* ---- the tests ---- */

/* Packs and draws counted exactly, shown as counts and bars; the daily missions start again at
 * 00:00 UTC and the weekly ones on Monday; a mission not done and a day that is over are
 * refused with their reasons. */
static void test_progress_and_resets(void **state)
{
  const char *A = "720000000000000101";
  char custom[100];
  to_next(true, 3600); /* Monday 01:00 UTC */
  int64_t monday = day_start();
  open_and_pick(0, A);
  open_and_pick(1, A);
  draw(0, A);
  assert_int_equal(today(A, "open_packs"), 2);
  assert_int_equal(today(A, "draws"), 1);
  assert_int_equal(lifetime(A, "open_packs"), 2);

  json_t *r = missions(1, A);
  const char *t = data_text(r);
  HAS(t, "Open 2 packs · 2/2 ▰▰ · 100 Notes");
  HAS(t, "Draw 2 times · 1/2 ▰▱ · 50 Notes");
  HAS(t, "Buy 1 card on the market · 0/1 ▱ · 20 Notes");
  HAS(t, "Open 3 packs · 2/3 ▰▰▱ · 5 Discs");
  HAS(t, "resets <t:");
  json_t *b = button_of(r, "open_2");
  assert_true(enabled(b));
  assert_string_equal(json_string_value(json_object_get(b, "label")), "Claim: Open 2 packs");
  assert_false(enabled(button_of(r, "draw_2")));
  assert_false(enabled(button_of(r, "open_3")));
  snprintf(custom, sizeof(custom), "missions:claim:d:%lld:open_2", (long long)monday);
  assert_string_equal(json_string_value(json_object_get(b, "custom_id")), custom);
  json_decref(r);

  /* Not done: refused, nothing paid. */
  snprintf(custom, sizeof(custom), "missions:claim:d:%lld:draw_2", (long long)monday);
  r = press(0, A, custom);
  assert_true(pd_e2e_ephemeral(r));
  HAS(data_text(r), "**Draw 2 times** is not done yet (1/2 ▰▱), so there is nothing to claim.");
  json_decref(r);
  /* A mission of another pool, and a made-up button. */
  snprintf(custom, sizeof(custom), "missions:claim:d:%lld:open_3", (long long)monday);
  r = press(0, A, custom);
  HAS(data_text(r), "That is not one of this day's missions.");
  json_decref(r);
  r = press(0, A, "missions:claim:d:1:open_2; DROP TABLE users");
  HAS(data_text(r), "That button is not one PopDeck made.");
  json_decref(r);
  assert_int_equal(ledger_rows(A, "mission"), 0);

  /* Tuesday: the daily counts start again, the week's go on; Monday's button is over. */
  to_next(false, 3600);
  r = missions(0, A);
  t = data_text(r);
  HAS(t, "Open 2 packs · 0/2 ▱▱");
  HAS(t, "Draw 2 times · 0/2 ▱▱");
  HAS(t, "Open 3 packs · 2/3 ▰▰▱");
  HAS(t, "Login streak: **2** days running");
  assert_false(enabled(button_of(r, "open_2")));
  json_decref(r);
  snprintf(custom, sizeof(custom), "missions:claim:d:%lld:open_2", (long long)monday);
  r = press(1, A, custom);
  HAS(data_text(r), "That mission was for a day that is over, and missions reset with it.");
  json_decref(r);
  open_and_pick(0, A);
  r = missions(0, A);
  HAS(data_text(r), "Open 2 packs · 1/2 ▰▱");
  HAS(data_text(r), "Open 3 packs · 3/3 ▰▰▰");
  assert_true(enabled(button_of(r, "open_3")));
  json_decref(r);
  assert_int_equal(lifetime(A, "open_packs"), 3);

  /* The next Monday: the week's counts start again too. */
  to_next(true, 60);
  r = missions(1, A);
  HAS(data_text(r), "Open 3 packs · 0/3 ▱▱▱");
  assert_false(enabled(button_of(r, "open_3")));
  json_decref(r);
  assert_int_equal(lifetime(A, "open_packs"), 3);
  assert_int_equal(ledger_rows(A, "mission"), 0);
}

struct presser {
  int idx;
  const char *user;
  char custom_id[100];
  json_t *reply;
};

static void *press_thread(void *arg)
{
  struct presser *p = arg;
  json_t *ix = pd_e2e_button(p->custom_id, p->user);
  pd_e2e_post(&E, p->idx, ix, &p->reply);
  json_decref(ix);
  return NULL;
}

/* Twenty presses of one Claim at once, on both servers: one pays (one claim row, one ledger
 * operation, the balance up by the reward once) and its message shows the mission claimed;
 * the nineteen others are told it is claimed already. */
static void test_claim_raced_20_times_pays_once(void **state)
{
  enum { N = 20 };
  const char *B = "720000000000000102";
  to_next(false, 7200);
  open_and_pick(0, B);
  open_and_pick(1, B);
  int64_t notes = balance(B, "coins");
  struct presser p[N];
  pthread_t th[N];
  for (int i = 0; i < N; i++) {
    p[i].idx = i % 2;
    p[i].user = B;
    p[i].reply = NULL;
    snprintf(p[i].custom_id, sizeof(p[i].custom_id), "missions:claim:d:%lld:open_2",
             (long long)day_start());
  }
  for (int i = 0; i < N; i++)
    pthread_create(&th[i], NULL, press_thread, &p[i]);
  int paid = 0, already = 0;
  for (int i = 0; i < N; i++) {
    pthread_join(th[i], NULL);
    assert_non_null(p[i].reply);
    if (json_integer_value(json_object_get(p[i].reply, "type")) == 7) {
      paid++;
      HAS(data_text(p[i].reply), "Claimed **Open 2 packs**: **+100 Notes**.");
      HAS(data_text(p[i].reply), "✅ Open 2 packs · 2/2 ▰▰ · 100 Notes · claimed");
      json_t *b = button_of(p[i].reply, "open_2");
      assert_false(enabled(b));
      assert_string_equal(json_string_value(json_object_get(b, "label")), "Claimed: Open 2 packs");
    } else {
      HAS(data_text(p[i].reply), "You already claimed **Open 2 packs** this day.");
      already++;
    }
    json_decref(p[i].reply);
  }
  assert_int_equal(paid, 1);
  assert_int_equal(already, N - 1);
  assert_int_equal(balance(B, "coins"), notes + 100);
  assert_int_equal(ledger_rows(B, "mission"), 1);
  assert_int_equal(
      sql_int("SELECT count(*) FROM mission_claims WHERE user_id = %lld", (long long)uid(B)), 1);
  assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE kind = 'mission' AND"
                           " system_account = 'rewards' AND amount = -100"),
                   1);
  /* /missions shows it claimed from then on. */
  json_t *r = missions(1, B);
  HAS(data_text(r), "✅ Open 2 packs");
  assert_false(enabled(button_of(r, "open_2")));
  json_decref(r);
}

/* /sell card price:10 currency:notes; the listing id. */
static int64_t sell(int idx, const char *user, const char *ref)
{
  json_t *ix = pd_e2e_command("sell", user);
  pd_e2e_option(ix, "card", 3, json_string(ref));
  pd_e2e_option(ix, "price", 4, json_integer(10));
  pd_e2e_option(ix, "currency", 3, json_string("notes"));
  json_t *r = post(idx, ix);
  const char *at = strstr(data_text(r), "as listing **");
  int64_t id = at != NULL ? strtoll(at + 13, NULL, 10) : 0;
  if (id <= 0)
    fail_msg("not listed: %s", data_text(r));
  json_decref(r);
  return id;
}

struct buyer {
  int idx;
  const char *user;
  int64_t listing;
  char text[1200];
};

static void *buy_thread(void *arg)
{
  struct buyer *b = arg;
  char id[24];
  snprintf(id, sizeof(id), "%lld", (long long)b->listing);
  json_t *ix = pd_e2e_command("buy", b->user), *reply = NULL;
  pd_e2e_option(ix, "listing", 3, json_string(id));
  pd_e2e_post(&E, b->idx, ix, &reply);
  json_decref(ix);
  snprintf(b->text, sizeof(b->text), "%s", data_text(reply));
  json_decref(reply);
  return NULL;
}

static void buy(int idx, const char *user, int64_t listing, char *out, size_t len)
{
  struct buyer b = {idx, user, listing, ""};
  buy_thread(&b);
  snprintf(out, len, "%s", b.text);
}

static int64_t any_template(const char *rarity)
{
  return sql_int("SELECT id FROM card_templates WHERE removed_at IS NULL AND rarity = '%s'"
                 " ORDER BY id LIMIT 1",
                 rarity);
}

/* A buy whose transaction the database makes run again: a second connection holds the
 * seller's lifetime market_sell row, so the buy blocks after it has counted the buyer's
 * market_buy; the holder then commits a change of that row, the buy's statement fails with a
 * serialization failure, and pd_db_tx runs the whole buy again.  The buyer's, and the
 * seller's, counts go up by one, not two. */
static void test_retried_transaction_counts_once(void **state)
{
  const char *S = "720000000000000103", *U = "720000000000000104";
  char ref[64], text[1200];
  to_next(false, 3 * 3600);
  player(S);
  player(U);
  assert_true(pd_e2e_grant(&E, U, "notes", 100));
  mint(S, any_template("common"), ref);
  int64_t first = sell(0, S, ref);
  buy(1, U, first, text, sizeof(text));
  HAS(text, "You bought");
  assert_int_equal(today(U, "market_buy"), 1);
  assert_int_equal(today(S, "market_sell"), 1);
  mint(S, any_template("common"), ref);
  int64_t second = sell(0, S, ref);

  PGconn *hold = PQconnectdb(E.db_url);
  assert_int_equal(PQstatus(hold), CONNECTION_OK);
  char sql[300];
  snprintf(sql, sizeof(sql),
           "BEGIN; UPDATE player_totals SET n = n WHERE user_id = %lld AND kind = 'market_sell'",
           (long long)uid(S));
  PGresult *res = PQexec(hold, sql);
  assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  double retries = pd_e2e_metric(&E, 0, "popdeck_db_tx_retries_total");

  struct buyer b = {0, U, second, ""};
  pthread_t th;
  pthread_create(&th, NULL, buy_thread, &b);
  /* The buy waits on the held row (its first attempt has counted the buyer already). */
  int64_t waiting = 0;
  for (int i = 0; i < 100 && waiting == 0; i++) {
    waiting = sql_int("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND"
                      " query LIKE '%%INSERT INTO player_totals%%'");
    if (waiting == 0)
      usleep(50 * 1000);
  }
  assert_int_equal(waiting, 1);
  res = PQexec(hold, "COMMIT");
  assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
  PQclear(res);
  PQfinish(hold);
  pthread_join(th, NULL);
  HAS(b.text, "You bought");
  double after = pd_e2e_metric(&E, 0, "popdeck_db_tx_retries_total");
  fprintf(stderr, "# tx retries on server 0: %.0f -> %.0f\n", retries, after);
  assert_true(after >= retries + 1);
  assert_int_equal(today(U, "market_buy"), 2);
  assert_int_equal(lifetime(U, "market_buy"), 2);
  assert_int_equal(today(S, "market_sell"), 2);
  assert_int_equal(lifetime(S, "market_sell"), 2);
  assert_int_equal(
      sql_int("SELECT count(*) FROM market_listings WHERE buyer_id = %lld", (long long)uid(U)), 2);
}

/* /trade start, the other side adds a card, both confirm once the confirm delay passed. */
static json_t *trade(int idx, const char *user, const char *sub)
{
  json_t *ix = pd_e2e_command("trade", user);
  json_array_append_new(json_object_get(json_object_get(ix, "data"), "options"),
                        json_pack("{s:s, s:i, s:[]}", "name", sub, "type", 1, "options"));
  return ix;
}

static void trade_option(json_t *ix, const char *name, int type, json_t *value)
{
  json_t *sub = json_array_get(json_object_get(json_object_get(ix, "data"), "options"), 0);
  json_array_append_new(json_object_get(sub, "options"),
                        json_pack("{s:s, s:i, s:o}", "name", name, "type", type, "value", value));
}

static void trade_card(const char *from, const char *to, const char *ref)
{
  json_t *ix = trade(0, from, "start");
  trade_option(ix, "user", 6, json_string(to));
  json_object_set_new(json_object_get(ix, "data"), "resolved",
                      json_pack("{s:{s:o}}", "users", to, pd_ixb_user(to)));
  json_decref(post(0, ix));
  ix = trade(0, from, "add");
  trade_option(ix, "card", 3, json_string(ref));
  json_decref(post(0, ix));
  assert_true(pd_e2e_clock_advance(&E, 6));
  json_decref(post(1, trade(1, to, "confirm")));
  json_t *r = post(0, trade(0, from, "confirm"));
  HAS(data_text(r), "Trade done.");
  json_decref(r);
}

/* An era the demo catalog has in several rarities, mythic among them. */
static int64_t mythic_era(void)
{
  return sql_int("SELECT era_id FROM card_templates WHERE removed_at IS NULL GROUP BY era_id"
                 " HAVING bool_or(rarity = 'mythic') AND count(DISTINCT rarity) >= 3"
                 " ORDER BY count(DISTINCT rarity) DESC, era_id LIMIT 1");
}

static int64_t era_template(int64_t era, const char *rarity)
{
  return sql_int("SELECT id FROM card_templates WHERE era_id = %lld AND rarity = '%s' AND"
                 " removed_at IS NULL ORDER BY id LIMIT 1",
                 (long long)era, rarity);
}

static int64_t unlocked(const char *user, const char *id)
{
  return sql_int("SELECT count(*) FROM achievements WHERE user_id = %lld AND achievement = '%s'",
                 (long long)uid(user), id);
}

/* The copy that completes an era (here a mythic, bought on the market) unlocks First mythic and
 * Era complete and counts one era; a second mythic of that era unlocks and counts nothing; the
 * first trade unlocks First trade for both sides; each reward is paid once from the rewards
 * account; /profile lists them with their dates; three days running unlock the streak once, and
 * a skipped day starts the run again. */
static void test_achievements_once_and_profile(void **state)
{
  const char *C = "720000000000000105", *S = "720000000000000106";
  char ref[64], text[1200];
  to_next(false, 4 * 3600);
  int64_t era = mythic_era();
  assert_true(era > 0);
  player(C);
  player(S);
  assert_true(pd_e2e_grant(&E, C, "notes", 1000));
  int64_t rarities = sql_int("SELECT count(DISTINCT rarity) FROM card_templates WHERE era_id = %lld"
                             " AND removed_at IS NULL",
                             (long long)era);
  static const char *const R[] = {"common", "rare", "epic", "legendary"};
  for (size_t i = 0; i < 4; i++)
    if (era_template(era, R[i]) > 0)
      mint(C, era_template(era, R[i]), ref);
  assert_int_equal(
      sql_int("SELECT count(*) FROM user_cards WHERE user_id = %lld", (long long)uid(C)),
      rarities - 1);
  int64_t discs = balance(C, "discs");

  mint(S, era_template(era, "mythic"), ref);
  buy(0, C, sell(1, S, ref), text, sizeof(text));
  HAS(text, "You bought");
  assert_int_equal(unlocked(C, "first_mythic"), 1);
  assert_int_equal(unlocked(C, "era_complete"), 1);
  assert_int_equal(unlocked(C, "cards_3"), 1);
  assert_int_equal(today(C, "era_complete"), 1);
  assert_int_equal(lifetime(C, "mythic"), 1);
  assert_int_equal(balance(C, "discs"), discs + 3 + 7);
  assert_int_equal(ledger_rows(C, "achievement"), 2); /* cards_3 pays nothing */

  /* A second mythic of the era: the era was complete already, the mythic not the first. */
  mint(S, era_template(era, "mythic"), ref);
  buy(1, C, sell(0, S, ref), text, sizeof(text));
  HAS(text, "You bought");
  assert_int_equal(today(C, "era_complete"), 1);
  assert_int_equal(lifetime(C, "mythic"), 2);
  assert_int_equal(
      sql_int("SELECT count(*) FROM achievements WHERE user_id = %lld", (long long)uid(C)), 3);
  assert_int_equal(balance(C, "discs"), discs + 10);
  assert_int_equal(ledger_rows(C, "achievement"), 2);

  /* The first trade, for both sides: S gives C a card. */
  int64_t c_notes = balance(C, "coins"), s_notes = balance(S, "coins");
  mint(S, any_template("common"), ref);
  trade_card(S, C, ref);
  assert_int_equal(today(C, "trades"), 1);
  assert_int_equal(today(S, "trades"), 1);
  assert_int_equal(unlocked(C, "first_trade"), 1);
  assert_int_equal(unlocked(S, "first_trade"), 1);
  assert_int_equal(balance(C, "coins"), c_notes + 11);
  assert_int_equal(balance(S, "coins"), s_notes + 11);

  /* /profile lists them, with their dates. */
  json_t *req = deferred(0, pd_e2e_command("profile", C));
  json_t *fields = json_object_get(
      json_array_get(json_object_get(json_object_get(req, "json"), "embeds"), 0), "fields");
  const char *shown = NULL;
  for (size_t i = 0; i < json_array_size(fields); i++)
    if (strcmp(json_string_value(json_object_get(json_array_get(fields, i), "name")),
               "Achievements") == 0)
      shown = json_string_value(json_object_get(json_array_get(fields, i), "value"));
  assert_non_null(shown);
  HAS(shown, "🏆 First mythic · <t:");
  HAS(shown, "🏆 Era complete · <t:");
  HAS(shown, "🏆 3 cards · <t:");
  HAS(shown, "🏆 First trade · <t:");
  char when[64];
  snprintf(when, sizeof(when), "<t:%lld:D>",
           (long long)sql_int("SELECT extract(epoch FROM unlocked_at)::bigint FROM achievements"
                              " WHERE user_id = %lld AND achievement = 'first_trade'",
                              (long long)uid(C)));
  HAS(shown, when);
  json_decref(req);

  /* Days running: C played today; two more days make three, paid once; a fourth pays nothing;
   * a skipped day starts again at one. */
  int64_t notes = balance(C, "coins");
  for (int d = 0; d < 2; d++) {
    to_next(false, 600);
    json_decref(missions(d % 2, C));
  }
  json_t *r = missions(0, C);
  HAS(data_text(r), "Login streak: **3** days running (best 3).");
  json_decref(r);
  assert_int_equal(unlocked(C, "streak_3"), 1);
  assert_int_equal(balance(C, "coins"), notes + 30);
  to_next(false, 600);
  json_decref(missions(1, C));
  to_next(false, 600);
  to_next(false, 600);
  r = missions(1, C);
  HAS(data_text(r), "Login streak: **1** day running (best 4).");
  json_decref(r);
  assert_int_equal(unlocked(C, "streak_3"), 1);
  assert_int_equal(balance(C, "coins"), notes + 30);
  /* First mythic, Era complete, First trade, the streak: each paid once. */
  assert_int_equal(ledger_rows(C, "achievement"), 4);
}

/* A missions.json that does not validate stops serve with one line naming it (exit 2). */
static void test_bad_missions_json_stops_serve(void **state)
{
  char dir[400], path[700], cmd[2048];
  snprintf(dir, sizeof(dir), "%s", strchr(assets_env, '=') + 1);
  snprintf(path, sizeof(path), "%s/missions.json", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("{\"daily\": [], \"weekly\": [], \"achievements\": []}", f);
  fclose(f);
  snprintf(cmd, sizeof(cmd),
           "ASSETS_DIR='%s' DATABASE_URL=postgresql:///x DISCORD_PUBLIC_KEY=%s"
           " DISCORD_APPLICATION_ID=%s %s/popdeck serve 2>&1 | head -n 1 | grep -qx"
           " '%s: daily: must be an array of 3 to 64 missions'",
           dir, E.pk_hex, PD_E2E_APP_ID, E.build, path);
  int line = system(cmd);
  snprintf(cmd, sizeof(cmd),
           "ASSETS_DIR='%s' DATABASE_URL=postgresql:///x DISCORD_PUBLIC_KEY=%s"
           " DISCORD_APPLICATION_ID=%s %s/popdeck serve >/dev/null 2>&1",
           dir, E.pk_hex, PD_E2E_APP_ID, E.build);
  int rc = system(cmd);
  f = fopen(path, "w");
  assert_non_null(f);
  fputs(MISSIONS_JSON, f);
  fclose(f);
  assert_int_equal(line, 0);
  assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_progress_and_resets),
      PD_E2E_TEST(test_claim_raced_20_times_pays_once),
      PD_E2E_TEST(test_retried_transaction_counts_once),
      PD_E2E_TEST(test_achievements_once_and_profile),
      PD_E2E_TEST(test_bad_missions_json_stops_serve),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
