/* e2e_leaderboard.c - /leaderboard end to end: 10,000 players generated with SQL in the suite's
 * database (Notes granted through the ledger, copies spread over a small catalog, two servers'
 * players), the ranks rebuilt by the scheduler's "leaderboard" task when the test moves the
 * database clock a period on, and every answer checked against a ranking the test computes
 * itself from the same rows: own rank, percentile and neighbours for the first, the last and
 * players in between, in both scopes and by each board; the pages and their Previous/Next
 * buttons; ranks that heal when balances and copies are changed behind PopDeck's back; the
 * servers a player plays in recorded by playing, once a day; and a stopping serve cancelling a
 * refresh instead of waiting for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "ixbuild.h"

static struct pd_e2e E;
/* An hour per period: the ranks are rebuilt only when the test moves the clock an hour on. */
static const char *const ENV[] = {"SCHEDULER_PERIODS=expire:3600,leaderboard:3600",
                                  "SCHEDULER_TICK_MS=50", "RATE_LIMIT_COMMANDS=0", NULL};

#define PLAYERS 10000
#define GUILD_A "2222222222222222222" /* the guild of pd_ixb_build's interactions */
#define GUILD_B "3333333333333333333"
#define GUILD_C "4444444444444444444"
#define BOARDS 3

static const char *const board_names[BOARDS] = {"collection", "notes", "eras"};
static const long long weights[5] = {1, 3, 10, 30, 100}; /* assets/packs.json's leaderboard */

/* The test's own ranking, from the rows themselves. */
struct player {
  int64_t id;
  char discord_id[24];
  int64_t score[BOARDS];
  bool in_a, in_b;
};
static struct player *players;
static size_t nplayers;
static int sort_board;

static int by_score(const void *x, const void *y)
{
  const struct player *a = *(struct player *const *)x, *b = *(struct player *const *)y;
  if (a->score[sort_board] != b->score[sort_board])
    return a->score[sort_board] > b->score[sort_board] ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id;
}

/* The players of a scope in rank order (caller frees). */
static struct player **ranking(int board, char scope, size_t *n)
{
  struct player **v = calloc(nplayers, sizeof(*v));
  assert_non_null(v);
  *n = 0;
  for (size_t i = 0; i < nplayers; i++)
    if (scope == 'g' || (scope == 'a' && players[i].in_a) || (scope == 'b' && players[i].in_b))
      v[(*n)++] = &players[i];
  sort_board = board;
  qsort(v, *n, sizeof(*v), by_score);
  return v;
}

static int num(const char *s)
{
  return (int)strtol(s, NULL, 10);
}

static PGresult *query(const char *sql)
{
  PGresult *r = PQexec(E.pg, sql);
  if (PQresultStatus(r) != PGRES_TUPLES_OK)
    fail_msg("%s: %s", sql, PQresultErrorMessage(r));
  return r;
}

static struct player *find(int64_t id)
{
  size_t lo = 0, hi = nplayers;
  while (lo < hi) { /* players are loaded in id order */
    size_t mid = (lo + hi) / 2;
    if (players[mid].id < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  assert_true(lo < nplayers && players[lo].id == id);
  return &players[lo];
}

/* Reads players, copies, the catalog and player_guilds and scores everyone as the README
 * defines the boards: collection = the weights of every copy not gone; notes = the balance;
 * eras = eras where the player holds every rarity the era's cards come in. */
static void load_truth(void)
{
  free(players);
  PGresult *r = query("SELECT id, discord_id, coins FROM users ORDER BY id");
  nplayers = (size_t)PQntuples(r);
  players = calloc(nplayers, sizeof(*players));
  assert_non_null(players);
  for (size_t i = 0; i < nplayers; i++) {
    players[i].id = strtoll(PQgetvalue(r, (int)i, 0), NULL, 10);
    snprintf(players[i].discord_id, sizeof(players[i].discord_id), "%s", PQgetvalue(r, (int)i, 1));
    players[i].score[1] = strtoll(PQgetvalue(r, (int)i, 2), NULL, 10);
  }
  PQclear(r);
  /* Every era's rarities as a bit mask, and each player's per era. */
  r = query("SELECT era_id, rarity FROM card_templates WHERE removed_at IS NULL");
  static int need[1000];
  memset(need, 0, sizeof(need));
  const char *const rar[5] = {"common", "rare", "epic", "legendary", "mythic"};
  for (int i = 0; i < PQntuples(r); i++) {
    int era = num(PQgetvalue(r, i, 0));
    for (int k = 0; k < 5; k++)
      if (strcmp(PQgetvalue(r, i, 1), rar[k]) == 0)
        need[era] |= 1 << k;
  }
  PQclear(r);
  r = query("SELECT c.user_id, t.era_id, t.rarity FROM user_cards c JOIN card_templates t"
            " ON t.id = c.template_id WHERE c.state <> 'gone' AND t.removed_at IS NULL"
            " ORDER BY c.user_id, t.era_id");
  int64_t cur = -1;
  int cur_era = -1, have = 0;
  struct player *p = NULL;
  for (int i = 0; i <= PQntuples(r); i++) {
    int64_t u = i < PQntuples(r) ? strtoll(PQgetvalue(r, i, 0), NULL, 10) : -2;
    int era = i < PQntuples(r) ? num(PQgetvalue(r, i, 1)) : -2;
    if ((u != cur || era != cur_era) && p != NULL && have == need[cur_era])
      p->score[2]++;
    if (u != cur || era != cur_era)
      have = 0;
    if (u != cur && u >= 0)
      p = find(u);
    cur = u;
    cur_era = era;
    if (i == PQntuples(r))
      break;
    for (int k = 0; k < 5; k++)
      if (strcmp(PQgetvalue(r, i, 2), rar[k]) == 0) {
        have |= 1 << k;
        p->score[0] += weights[k];
      }
  }
  PQclear(r);
  r = query("SELECT user_id, guild_id FROM player_guilds");
  for (int i = 0; i < PQntuples(r); i++) {
    struct player *q = find(strtoll(PQgetvalue(r, i, 0), NULL, 10));
    q->in_a = q->in_a || strcmp(PQgetvalue(r, i, 1), GUILD_A) == 0;
    q->in_b = q->in_b || strcmp(PQgetvalue(r, i, 1), GUILD_B) == 0;
  }
  PQclear(r);
}

/* Waits up to 20 s for this hour's refresh (by the database clock) to be done. */
static void refreshed(void)
{
  for (int i = 0; i < 400; i++) {
    if (pd_e2e_sql_int(&E,
                       "SELECT count(*) FROM scheduler_runs WHERE task = 'leaderboard' AND"
                       " state = 'ok' AND period_start = pd_period_start('3600 s', pd_now())") == 1)
      return;
    usleep(50 * 1000);
  }
  fail_msg("the leaderboard task did not run in this period");
}

/* An hour on, and that period's refresh. */
static void next_refresh(void)
{
  assert_true(pd_e2e_clock_advance(&E, 3600));
  refreshed();
}

/* /leaderboard by user in guild (NULL: a DM, where the player's servers are not recorded). */
static json_t *ask(const char *user, const char *guild, const char *scope, const char *by)
{
  struct pd_ixb b = {.type = 2,
                     .app_id = PD_E2E_APP_ID,
                     .user_id = user,
                     .dm = guild == NULL,
                     .command = "leaderboard",
                     .options = json_array()};
  if (scope != NULL)
    json_array_append_new(b.options,
                          json_pack("{s:s, s:i, s:s}", "name", "scope", "type", 3, "value", scope));
  if (by != NULL)
    json_array_append_new(b.options,
                          json_pack("{s:s, s:i, s:s}", "name", "by", "type", 3, "value", by));
  json_t *ix = pd_ixb_build(&b);
  if (guild != NULL)
    json_object_set_new(ix, "guild_id", json_string(guild));
  json_t *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

static json_t *press(const char *custom_id, const char *user)
{
  json_t *ix = pd_e2e_button(custom_id, user), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

static const char *description(json_t *reply)
{
  const char *d = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0), "description"));
  if (d == NULL)
    fail_msg("no embed in %s", pd_e2e_content(reply));
  return d;
}

/* "1,234" at s as a number; *end past it. */
static int64_t grouped(const char *s, const char **end)
{
  int64_t v = 0;
  for (; (*s >= '0' && *s <= '9') || *s == ','; s++)
    if (*s != ',')
      v = v * 10 + (*s - '0');
  *end = s;
  return v;
}

struct line {
  int64_t rank, score;
  char id[24];
  bool me;
};

/* The rank lines ("#R <@id> · S ...") of one paragraph of text, up to a blank line. */
static size_t lines_of(const char *text, struct line *out, size_t max)
{
  size_t n = 0;
  const char *p = text;
  while (*p != '\0' && *p != '\n' && n < max) {
    const char *eol = strchr(p, '\n');
    const char *hash = strchr(p, '#'), *at = strstr(p, "<@");
    if (eol == NULL)
      eol = p + strlen(p);
    if (hash != NULL && hash < eol && at != NULL && at < eol) {
      const char *e = NULL;
      struct line *l = &out[n++];
      l->me = strstr(p, "← you") != NULL && strstr(p, "← you") < eol;
      l->rank = grouped(hash + 1, &e);
      size_t k = strcspn(at + 2, ">");
      snprintf(l->id, sizeof(l->id), "%.*s", (int)k, at + 2);
      const char *dot = strstr(at, "· ");
      assert_non_null(dot);
      l->score = grouped(dot + strlen("· "), &e);
    }
    p = *eol == '\n' ? eol + 1 : eol;
  }
  return n;
}

/* What the reply must say for the player at position i (0-based) of ranking v of n. */
static void check_me(json_t *reply, struct player **v, size_t n, size_t i, int board)
{
  const char *d = description(reply);
  const char *mine = strstr(d, "**Your rank: #");
  if (mine == NULL)
    fail_msg("no own rank for %s in: %s", v[i]->discord_id, d);
  const char *e = NULL;
  int64_t rank = grouped(mine + strlen("**Your rank: #"), &e);
  assert_int_equal(rank, (int64_t)i + 1);
  assert_true(strncmp(e, " of ", 4) == 0);
  assert_int_equal(grouped(e + 4, &e), (int64_t)n);
  int64_t tenths = (int64_t)(((i + 1) * 1000 + n - 1) / n);
  char top[64];
  snprintf(top, sizeof(top), "** · top %" PRId64 ".%" PRId64 "%%\n", tenths / 10, tenths % 10);
  if (strncmp(e, top, strlen(top)) != 0)
    fail_msg("want \"%s\" after the rank, got: %.40s", top, e);
  struct line near[8];
  size_t k = lines_of(strchr(mine, '\n') + 1, near, 8);
  size_t from = i > 0 ? i - 1 : 0, to = i + 1 < n ? i + 1 : i;
  assert_int_equal(k, to - from + 1);
  for (size_t j = 0; j < k; j++) {
    assert_int_equal(near[j].rank, (int64_t)(from + j) + 1);
    assert_string_equal(near[j].id, v[from + j]->discord_id);
    assert_int_equal(near[j].score, v[from + j]->score[board]);
    assert_int_equal(near[j].me, from + j == i);
  }
}

/* The page in reply holds ranks first.. of v, in order, with their scores. */
static void check_page(json_t *reply, struct player **v, size_t n, size_t first, int board)
{
  struct line l[12];
  size_t k = lines_of(description(reply), l, 12);
  size_t want = n - first < 10 ? n - first : 10;
  assert_int_equal(k, want);
  for (size_t j = 0; j < k; j++) {
    assert_int_equal(l[j].rank, (int64_t)(first + j) + 1);
    assert_string_equal(l[j].id, v[first + j]->discord_id);
    assert_int_equal(l[j].score, v[first + j]->score[board]);
  }
}

static const char *button(json_t *reply, int which, bool *disabled)
{
  json_t *b = json_array_get(
      json_object_get(
          json_array_get(json_object_get(json_object_get(reply, "data"), "components"), 0),
          "components"),
      (size_t)which);
  *disabled = json_is_true(json_object_get(b, "disabled"));
  return json_string_value(json_object_get(b, "custom_id"));
}

static int setup(void **state)
{
  int status = 0;
  if (pd_e2e_setup(&E, "leaderboard") != 0 || pd_e2e_server_stop(&E, 0, 15, 10000, &status) != 0)
    return -1;
  /* 20 artists of two eras, eleven cards each (4 common, 3 rare, 2 epic, a legendary and a
   * mythic), except that even eras have no mythic and era 1's legendary is removed: complete
   * means every rarity that is left.  10,000 players, Notes in steps of 10 (many ties) granted
   * through the ledger, 80,000 copies (5% gone) over the two eras each player collects, low
   * ids owning many; two thirds of them play in guild A, half in guild B. */
  static const char gen[] =
      "INSERT INTO artists (name) SELECT 'LB artist ' || a FROM generate_series(1, 20) a;"
      "INSERT INTO eras (artist_id, name) SELECT ar.id, 'Era ' || e FROM artists ar,"
      " generate_series(1, 2) e ORDER BY ar.id, e;"
      "INSERT INTO card_templates (public_id, artist_id, era_id, rarity, image_url)"
      " SELECT upper(lpad(to_hex(er.id), 4, '0')) || '_' || lpad(k::text, 2, '0') || '#01',"
      " er.artist_id, er.id, (ARRAY['common','common','common','common','rare','rare','rare',"
      "'epic','epic','legendary','mythic'])[k], 'https://cards.invalid/' || er.id || '/' || k"
      " FROM eras er, generate_series(1, 11) k WHERE NOT (k = 11 AND er.id % 2 = 0)"
      " ORDER BY er.id, k;"
      "UPDATE card_templates SET removed_at = pd_now() WHERE era_id = (SELECT min(id) FROM eras)"
      " AND rarity = 'legendary';"
      "INSERT INTO users (discord_id) SELECT (600000000000000000 + g)::text"
      " FROM generate_series(1, 10000) g;"
      "WITH o AS (SELECT nextval('ledger_op_seq') AS id),"
      " u AS (UPDATE users SET coins = coins + ((id * 7919) % 500) * 10"
      "  WHERE (id * 7919) % 500 > 0 RETURNING id, ((id * 7919) % 500) * 10 AS amt)"
      " INSERT INTO ledger (op_id, kind, user_id, system_account, currency, amount)"
      " SELECT o.id, 'grant', u.id, NULL, 'notes', u.amt FROM o, u"
      " UNION ALL SELECT o.id, 'grant', NULL, 'grants', 'notes', -(SELECT sum(amt) FROM u) FROM o;"
      "SELECT setseed(0.13);"
      "CREATE TEMP TABLE ec AS SELECT row_number() OVER (ORDER BY era_id) - 1 AS k,"
      " array_agg(id ORDER BY id) AS a FROM card_templates GROUP BY era_id;"
      "INSERT INTO user_cards (user_id, template_id, print_no, state)"
      " SELECT s.u, ec.a[1 + floor(random() * array_length(ec.a, 1))::int], s.g,"
      " CASE WHEN random() < 0.05 THEN 'gone' ELSE 'free' END"
      " FROM (SELECT g, (SELECT min(id) FROM users) + floor(power(random(), 2) * 10000)::int AS u,"
      " floor(random() * 2)::int AS pick FROM generate_series(1, 80000) g) s"
      " JOIN ec ON ec.k = (s.u * 2 + s.pick) % 40;"
      "DROP TABLE ec;"
      "INSERT INTO player_guilds (user_id, guild_id)"
      " SELECT id, " GUILD_A " FROM users WHERE id % 3 <> 0"
      " UNION ALL SELECT id, " GUILD_B " FROM users WHERE id % 2 = 0;"
      "ANALYZE;";
  if (!pd_e2e_sql(&E, gen) || pd_e2e_server_start(&E, 0, ENV) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  free(players);
  pd_e2e_teardown(&E);
  return 0;
}

/* Own rank, percentile and neighbours against the test's ranking, for the first, the second,
 * the middle, the last but one, the last and two players in between, on every board, globally
 * (asked in a DM) and in two servers. */
static void test_own_rank_matches_brute_force(void **state)
{
  next_refresh();
  load_truth();
  assert_int_equal(nplayers, PLAYERS);
  static const struct {
    char scope;
    const char *guild, *option;
  } scopes[] = {{'g', NULL, "global"}, {'a', GUILD_A, NULL}, {'b', GUILD_B, "server"}};
  for (size_t s = 0; s < PD_ARRAY_LEN(scopes); s++) {
    for (int board = 0; board < BOARDS; board++) {
      size_t n = 0;
      struct player **v = ranking(board, scopes[s].scope, &n);
      assert_true(n > 4000);
      assert_true(v[0]->score[board] > v[n - 1]->score[board]); /* not everyone tied */
      size_t picks[] = {0, 1, n / 2, 1237 % n, 4321 % n, n - 2, n - 1};
      for (size_t k = 0; k < PD_ARRAY_LEN(picks); k++) {
        json_t *r = ask(v[picks[k]]->discord_id, scopes[s].guild, scopes[s].option,
                        board == 0 && k % 2 == 0 ? NULL : board_names[board]);
        check_me(r, v, n, picks[k], board);
        json_decref(r);
      }
      free(v);
    }
  }
}

/* The top ten, Next and Previous, the very last page, a page past the end, and buttons that are
 * someone else's or not PopDeck's. */
static void test_pages_and_buttons(void **state)
{
  size_t n = 0;
  struct player **v = ranking(0, 'g', &n);
  const char *viewer = v[n / 2]->discord_id;
  json_t *r = ask(viewer, NULL, "global", "collection");
  check_page(r, v, n, 0, 0);
  bool off = false;
  const char *prev = button(r, 0, &off);
  assert_true(off);
  char next[128];
  snprintf(next, sizeof(next), "%s", button(r, 1, &off));
  assert_false(off);
  json_decref(r);
  r = press(next, viewer);
  assert_int_equal(json_integer_value(json_object_get(r, "type")), 7); /* the message itself */
  check_page(r, v, n, 10, 0);
  check_me(r, v, n, n / 2, 0);
  char back[128];
  snprintf(back, sizeof(back), "%s", button(r, 0, &off));
  assert_false(off);
  json_decref(r);
  r = press(back, viewer);
  check_page(r, v, n, 0, 0);
  json_decref(r);
  /* The last page, as the Next of the one before it names it. */
  char last[128];
  snprintf(last, sizeof(last), "leaderboard:g:c:%zu:%s", (n + 9) / 10, viewer);
  r = press(last, viewer);
  check_page(r, v, n, ((n + 9) / 10 - 1) * 10, 0);
  prev = button(r, 0, &off);
  assert_false(off);
  (void)prev;
  button(r, 1, &off);
  assert_true(off);
  json_decref(r);
  /* A page past the end (an old button on a board that shrank) shows the last one. */
  snprintf(last, sizeof(last), "leaderboard:g:c:99999:%s", viewer);
  r = press(last, viewer);
  check_page(r, v, n, ((n + 9) / 10 - 1) * 10, 0);
  json_decref(r);
  free(v);
  /* A server's last page by Notes. */
  v = ranking(1, 'b', &n);
  viewer = v[0]->discord_id;
  snprintf(last, sizeof(last), "leaderboard:s:n:%zu:%s", (n + 9) / 10, viewer);
  json_t *ix = pd_e2e_button(last, viewer);
  json_object_set_new(ix, "guild_id", json_string(GUILD_B));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &r), 200);
  json_decref(ix);
  check_page(r, v, n, ((n + 9) / 10 - 1) * 10, 1);
  check_me(r, v, n, 0, 1);
  json_decref(r);
  /* Someone else's buttons, and forged ones. */
  r = press(next, v[1]->discord_id);
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), "These buttons belong to"));
  json_decref(r);
  static const char *const forged[] = {
      "leaderboard:g:c:0:600000000000000001", "leaderboard:x:c:1:600000000000000001",
      "leaderboard:g:z:1:600000000000000001", "leaderboard:g:c:99999999999:600000000000000001",
      "leaderboard:g:c:1:60000000000000000a", "leaderboard:g:c:1"};
  for (size_t i = 0; i < PD_ARRAY_LEN(forged); i++) {
    r = press(forged[i], "600000000000000001");
    assert_true(pd_e2e_ephemeral(r));
    assert_non_null(strstr(pd_e2e_content(r), "not one PopDeck made"));
    json_decref(r);
  }
  free(v);
  /* A server's board needs a server. */
  r = ask("600000000000000001", NULL, NULL, NULL);
  assert_non_null(strstr(pd_e2e_content(r), "scope:global"));
  json_decref(r);
}

/* Balances and copies changed behind PopDeck's back (an operator's SQL) are in the ranks after
 * the next refresh, and not before: until then the answer says how old its ranks are. */
static void test_drift_healed_by_refresh(void **state)
{
  size_t n = 0;
  struct player **v = ranking(1, 'g', &n);
  char poorest[24], richest_cards[24];
  snprintf(poorest, sizeof(poorest), "%s", v[n - 1]->discord_id);
  free(v);
  v = ranking(0, 'g', &n);
  snprintf(richest_cards, sizeof(richest_cards), "%s", v[0]->discord_id);
  free(v);
  int64_t as_of =
      pd_e2e_sql_int(&E, "SELECT extract(epoch FROM refreshed_at)::bigint FROM leaderboard_state");
  /* The ledger stays balanced (the audit after the test checks it); the leaderboard is what
   * drifted. */
  assert_true(pd_e2e_grant(&E, poorest, "notes", 100000000));
  char sql[256];
  snprintf(sql, sizeof(sql),
           "UPDATE user_cards SET state = 'gone' WHERE user_id = (SELECT id FROM users WHERE"
           " discord_id = '%s')",
           richest_cards);
  assert_true(pd_e2e_sql(&E, sql));
  /* Not yet: the ranks are the last refresh's, and say so. */
  json_t *r = ask(poorest, NULL, "global", "notes");
  char stamp[64];
  snprintf(stamp, sizeof(stamp), "Ranks as of <t:%lld:R>.", (long long)as_of);
  assert_non_null(strstr(description(r), stamp));
  v = ranking(1, 'g', &n);
  check_me(r, v, n, n - 1, 1);
  free(v);
  json_decref(r);
  next_refresh();
  load_truth();
  int64_t now_as_of =
      pd_e2e_sql_int(&E, "SELECT extract(epoch FROM refreshed_at)::bigint FROM leaderboard_state");
  assert_true(now_as_of >= as_of + 3600);
  v = ranking(1, 'g', &n);
  assert_string_equal(v[0]->discord_id, poorest);
  r = ask(poorest, NULL, "global", "notes");
  check_me(r, v, n, 0, 1);
  snprintf(stamp, sizeof(stamp), "Ranks as of <t:%lld:R>.", (long long)now_as_of);
  assert_non_null(strstr(description(r), stamp));
  json_decref(r);
  free(v);
  v = ranking(0, 'g', &n);
  size_t at = 0;
  while (strcmp(v[at]->discord_id, richest_cards) != 0)
    at++;
  assert_int_equal(v[at]->score[0], 0);
  r = ask(richest_cards, NULL, "global", NULL);
  check_me(r, v, n, at, 0);
  json_decref(r);
  free(v);
  /* And in a server's board too. */
  v = ranking(1, 'a', &n);
  at = 0;
  while (at < n && strcmp(v[at]->discord_id, poorest) != 0)
    at++;
  if (at < n) {
    r = ask(poorest, GUILD_A, NULL, "notes");
    check_me(r, v, n, at, 1);
    json_decref(r);
  }
  free(v);
}

/* A player's servers are recorded as they play: a row the first time, nothing written again the
 * same day, last_seen moved a day later; the server's board then ranks them. */
static void test_servers_recorded_by_playing(void **state)
{
  const char *who = "650000000000000001";
  json_t *r = ask(who, GUILD_C, NULL, NULL);
  assert_non_null(strstr(pd_e2e_content(r), "Nobody is on this leaderboard yet"));
  json_decref(r);
  char sql[512], before[64], after[64];
  snprintf(sql, sizeof(sql),
           "SELECT g.xmin::text || ' ' || extract(epoch FROM g.last_seen)::bigint FROM"
           " player_guilds g JOIN users u ON u.id = g.user_id WHERE u.discord_id = '%s' AND"
           " g.guild_id = " GUILD_C,
           who);
  pd_e2e_sql_text(&E, sql, before, sizeof(before));
  assert_true(before[0] != '\0');
  /* Other commands the same day: read, not written. */
  json_t *ix = pd_e2e_command("daily", who);
  json_object_set_new(ix, "guild_id", json_string(GUILD_C));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &r), 200);
  json_decref(r);
  r = ask(who, GUILD_C, NULL, NULL);
  json_decref(r);
  pd_e2e_sql_text(&E, sql, after, sizeof(after));
  assert_string_equal(before, after);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM player_guilds g JOIN users u ON"
                               " u.id = g.user_id WHERE u.discord_id = '%s'",
                               who),
                   1);
  /* A day later: last_seen moves, once. */
  assert_true(pd_e2e_clock_advance(&E, 86400));
  refreshed();
  assert_int_equal(pd_e2e_post(&E, 0, ix, &r), 200); /* /daily again: a new day */
  json_decref(r);
  json_decref(ix);
  pd_e2e_sql_text(&E, sql, after, sizeof(after));
  assert_string_not_equal(before, after);
  assert_true(strtoll(strchr(after, ' ') + 1, NULL, 10) >=
              strtoll(strchr(before, ' ') + 1, NULL, 10) + 86400);
  /* In the ranks after the next refresh: alone on guild C's board. */
  next_refresh();
  r = ask(who, GUILD_C, NULL, "notes");
  assert_non_null(strstr(description(r), "**Your rank: #1 of 1** · top 100.0%"));
  json_decref(r);
}

/* A serve told to stop while a refresh runs stops at once: the refresh is cancelled (its
 * transaction rolls back, the old ranks stay) instead of being waited for, which at a million
 * players is a minute or more.  The test makes a refresh that cannot finish by holding a lock
 * on the rank table, then stops the server. */
static void test_stop_cancels_a_running_refresh(void **state)
{
  PGconn *blocker = PQconnectdb(E.db_url);
  assert_int_equal(PQstatus(blocker), CONNECTION_OK);
  PGresult *r = PQexec(blocker, "BEGIN; LOCK TABLE leaderboard_ranks IN ACCESS EXCLUSIVE MODE");
  assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
  PQclear(r);
  int64_t before =
      pd_e2e_sql_int(&E, "SELECT extract(epoch FROM refreshed_at)::bigint FROM leaderboard_state");
  assert_true(pd_e2e_clock_advance(&E, 3600));
  bool waiting = false;
  for (int i = 0; i < 200 && !waiting; i++) {
    waiting = pd_e2e_sql_int(&E, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type ="
                                 " 'Lock' AND query LIKE '%pd_leaderboard_refresh%'") == 1;
    if (!waiting)
      usleep(50 * 1000);
  }
  assert_true(waiting);
  int status = -1;
  int stopped = pd_e2e_server_stop(&E, 0, 15, 3000, &status);
  r = PQexec(blocker, "ROLLBACK");
  PQclear(r);
  PQfinish(blocker);
  assert_int_equal(stopped, 0);
  assert_int_equal(status, 0);
  /* The old ranks are still there, and the run is left to be taken up again. */
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT extract(epoch FROM refreshed_at)::bigint FROM leaderboard_state"),
      before);
  assert_true(pd_e2e_sql_int(&E, "SELECT count(*) FROM leaderboard_ranks") > 0);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM scheduler_runs WHERE task ="
                                      " 'leaderboard' AND state = 'failed' AND detail ="
                                      " 'cancelled: serve is stopping' AND period_start ="
                                      " pd_period_start('3600 s', pd_now())"),
                   1);
  assert_int_equal(pd_e2e_server_start(&E, 0, ENV), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_own_rank_matches_brute_force),
      PD_E2E_TEST(test_pages_and_buttons),
      PD_E2E_TEST(test_drift_healed_by_refresh),
      PD_E2E_TEST(test_servers_recorded_by_playing),
      PD_E2E_TEST(test_stop_cancels_a_running_refresh),
  };
  return cmocka_run_group_tests_name("e2e_leaderboard", tests, setup, teardown);
}
