/* e2e_market.c - the marketplace end to end: signed /sell, /market, /buy and /unlist to two
 * real `popdeck serve` processes sharing one PostgreSQL (the seeded demo catalog), and the
 * Discord double.  Every refusal, the fee and its ledger rows, the seller's DM as the double
 * received it, expiry by the sweep, /market's pages and Buy menu, /viewcard's sale prices, and
 * the races (two buyers, buy against unlist, a double-pressed Buy, one copy sold twice at once),
 * each run many times across both servers with every copy and every Note accounted for after
 * each round. */
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
#include "ixbuild.h"

#define GUILD "2222222222222222222" /* the guild lib/ixbuild.c puts interactions in */
#define OTHER_GUILD "3333333333333333333"
#define ROUNDS 100

static struct pd_e2e E;
static int next_print = 10000;
static int races;

static const char *const BOT_ENV[] = {"DISCORD_BOT_TOKEN=test-bot-token", NULL};

static int setup(void **state)
{
  int status = 0;
  if (pd_e2e_setup(&E, "market") != 0)
    return -1;
  if (pd_e2e_seed_demo(&E, 2) != 0)
    return -1;
  /* Both servers send DMs: they need the bot token. */
  if (pd_e2e_server_stop(&E, 0, SIGTERM, 10000, &status) != 0 ||
      pd_e2e_server_start(&E, 0, BOT_ENV) != 0 || pd_e2e_server_start(&E, 1, BOT_ENV) != 0)
    return -1;
  return 0;
}

static int teardown(void **state)
{
  printf("e2e_market: %d races run\n", races);
  pd_e2e_teardown(&E);
  return 0;
}

/* ---- setup through SQL (what is tested goes through the servers) ---- */

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

/* Registers the player and grants amount of currency, as an admin grant would: the balance and
 * its two ledger rows in one statement, so the ledger stays balanced. */
static void grant(const char *user, const char *currency, int64_t amount)
{
  const char *col = strcmp(currency, "notes") == 0 ? "coins" : currency;
  sql_do("INSERT INTO users (discord_id) VALUES ('%s') ON CONFLICT DO NOTHING", user);
  sql_do("WITH op AS (SELECT nextval('ledger_op_seq') AS id),"
         " u AS (UPDATE users SET %s = %s + %lld WHERE discord_id = '%s' RETURNING id)"
         " INSERT INTO ledger (op_id, kind, user_id, system_account, currency, amount)"
         " SELECT op.id, 'grant', x.u, x.s, '%s', x.a FROM op, u,"
         " LATERAL (VALUES (u.id, NULL::text, %lld::bigint), (NULL::int, 'grants', -%lld::bigint))"
         " x(u, s, a)",
         col, col, (long long)amount, user, currency, (long long)amount, (long long)amount);
}

/* A new copy of the n-th card (by id) for user; its ref (PUBLIC_ID/PRINT) into ref. */
static int64_t give_copy(const char *user, int n, char ref[64])
{
  int print = next_print++;
  sql_do("INSERT INTO users (discord_id) VALUES ('%s') ON CONFLICT DO NOTHING", user);
  int64_t id =
      sql_int("INSERT INTO user_cards (user_id, template_id, print_no)"
              " SELECT u.id, (SELECT id FROM card_templates ORDER BY id OFFSET %d LIMIT 1),"
              " %d FROM users u WHERE u.discord_id = '%s' RETURNING id",
              n, print, user);
  char sql[256];
  snprintf(sql, sizeof(sql),
           "SELECT c.public_id || '/' || uc.print_no FROM user_cards uc JOIN card_templates c"
           " ON c.id = uc.template_id WHERE uc.id = %lld",
           (long long)id);
  pd_e2e_sql_text(&E, sql, ref, 64);
  assert_true(ref[0] != '\0');
  return id;
}

/* Polls sql until it gives want (up to 15 s); returns its last value. */
static int64_t wait_sql(const char *sql, int64_t want)
{
  int64_t v = -1;
  for (int i = 0; i < 150; i++) {
    v = pd_e2e_sql_int(&E, sql);
    if (v == want)
      break;
    usleep(100 * 1000);
  }
  return v;
}

static int64_t user_id(const char *user)
{
  return sql_int("SELECT id FROM users WHERE discord_id = '%s'", user);
}

static int64_t notes_of(const char *user)
{
  return sql_int("SELECT coins FROM users WHERE discord_id = '%s'", user);
}

/* Every Note there is: the players' and the bank's (the only other account a sale pays). */
static int64_t notes_total(void)
{
  return sql_int(
      "SELECT (SELECT coalesce(sum(coins), 0) FROM users) + (SELECT coalesce(sum(amount),"
      " 0) FROM ledger WHERE system_account = 'bank' AND currency = 'notes')");
}

/* The invariants after a test: every operation sums to zero, every balance is its ledger's
 * sum, no copy is in escrow without its listing, no copy has two active listings. */
static void assert_books_clean(void)
{
  assert_int_equal(sql_int("SELECT count(*) FROM (SELECT op_id FROM ledger GROUP BY op_id, currency"
                           " HAVING sum(amount) <> 0) x"),
                   0);
  assert_int_equal(
      sql_int("SELECT count(*) FROM users u WHERE"
              " coins <> coalesce((SELECT sum(amount) FROM ledger l WHERE l.user_id = u.id AND"
              " currency = 'notes'), 0) OR discs <> coalesce((SELECT sum(amount) FROM ledger l"
              " WHERE l.user_id = u.id AND currency = 'discs'), 0) OR gems <> coalesce((SELECT"
              " sum(amount) FROM ledger l WHERE l.user_id = u.id AND currency = 'gems'), 0)"),
      0);
  assert_int_equal(
      sql_int("SELECT count(*) FROM user_cards uc WHERE state = 'listed' AND NOT EXISTS"
              " (SELECT 1 FROM market_listings l WHERE l.user_card_id = uc.id AND"
              " l.status = 'active')"),
      0);
  assert_int_equal(sql_int("SELECT count(*) FROM market_listings l JOIN user_cards uc ON uc.id ="
                           " l.user_card_id WHERE l.status = 'active' AND (uc.state <> 'listed' OR"
                           " uc.user_id <> l.seller_id)"),
                   0);
}

/* ---- interactions ---- */

struct opt {
  const char *name;
  int type; /* 3 string, 4 integer */
  const char *s;
  long long i;
};

/* A command from user in GUILD (guild NULL: keep it; "" a DM), options as given. */
static json_t *command(const char *name, const char *user, const char *guild,
                       const struct opt *opts, size_t n)
{
  json_t *ix;
  if (guild != NULL && guild[0] == '\0') {
    struct pd_ixb b = {
        .type = 2, .app_id = PD_E2E_APP_ID, .user_id = user, .command = name, .dm = true};
    ix = pd_ixb_build(&b);
  } else {
    ix = pd_e2e_command(name, user);
    if (guild != NULL)
      json_object_set_new(ix, "guild_id", json_string(guild));
  }
  for (size_t k = 0; k < n; k++)
    pd_e2e_option(ix, opts[k].name, opts[k].type,
                  opts[k].type == 4 ? json_integer(opts[k].i) : json_string(opts[k].s));
  return ix;
}

/* Posts ix (borrowed) to server idx; the reply's content into out; returns the reply (owned). */
static json_t *post(int idx, json_t *ix, char *out, size_t len)
{
  json_t *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, idx, ix, &reply), 200);
  if (out != NULL)
    snprintf(out, len, "%s", pd_e2e_content(reply));
  return reply;
}

static void run(int idx, const char *name, const char *user, const char *guild,
                const struct opt *opts, size_t n, char *out, size_t len)
{
  json_t *ix = command(name, user, guild, opts, n);
  json_decref(post(idx, ix, out, len));
  json_decref(ix);
}

#define HAS(text, needle)                                                                          \
  do {                                                                                             \
    if (strstr((text), (needle)) == NULL)                                                          \
      fail_msg("expected \"%s\" in: %s", (needle), (text));                                        \
  } while (0)

/* /sell card price currency [scope]; the listing id from the answer (0 if refused). */
static int64_t sell(int idx, const char *user, const char *ref, long long price,
                    const char *currency, const char *scope, const char *guild, char *out,
                    size_t len)
{
  struct opt o[4] = {{"card", 3, ref, 0},
                     {"price", 4, NULL, price},
                     {"currency", 3, currency, 0},
                     {"scope", 3, scope, 0}};
  char text[1200];
  run(idx, "sell", user, guild, o, scope != NULL ? 4 : 3, text, sizeof(text));
  if (out != NULL)
    snprintf(out, len, "%s", text);
  const char *at = strstr(text, "as listing **");
  return at != NULL ? strtoll(at + 13, NULL, 10) : 0;
}

static void buy(int idx, const char *user, const char *listing, const char *guild, char *out,
                size_t len)
{
  struct opt o[1] = {{"listing", 3, listing, 0}};
  run(idx, "buy", user, guild, o, 1, out, len);
}

static void buy_id(int idx, const char *user, int64_t id, char *out, size_t len)
{
  char s[24];
  snprintf(s, sizeof(s), "%lld", (long long)id);
  buy(idx, user, s, NULL, out, len);
}

static void unlist(int idx, const char *user, int64_t id, char *out, size_t len)
{
  char s[24];
  snprintf(s, sizeof(s), "%lld", (long long)id);
  struct opt o[1] = {{"listing", 3, s, 0}};
  run(idx, "unlist", user, NULL, o, 1, out, len);
}

/* The Buy menu of a /market page, choosing listing id. */
static json_t *buy_menu(const char *user, int64_t id)
{
  char v[24];
  snprintf(v, sizeof(v), "%lld", (long long)id);
  json_t *ix = pd_e2e_button("buy:page", user);
  json_t *data = json_object_get(ix, "data");
  json_object_set_new(data, "component_type", json_integer(3));
  json_object_set_new(data, "values", json_pack("[s]", v));
  return ix;
}

/* ---- the tests ---- */

static void test_sell_and_its_refusals(void **state)
{
  const char *S = "710000000000000001", *X = "710000000000000002";
  char ref[64], other[64], text[1200];
  give_copy(S, 0, ref);
  give_copy(X, 1, other);

  sell(0, S, ref, 0, "notes", NULL, NULL, text, sizeof(text));
  HAS(text, "from 1 to 1,000,000,000");
  sell(0, S, ref, -5, "notes", NULL, NULL, text, sizeof(text));
  HAS(text, "from 1 to 1,000,000,000");
  sell(1, S, ref, 1000000001LL, "notes", NULL, NULL, text, sizeof(text));
  HAS(text, "from 1 to 1,000,000,000");
  /* Server scope (the default) in a DM: told to sell in a server or globally. */
  sell(0, S, ref, 100, "notes", NULL, "", text, sizeof(text));
  HAS(text, "scope:global");
  sell(0, S, ref, 100, "notes", "server", "", text, sizeof(text));
  HAS(text, "scope:global");
  sell(0, S, other, 100, "notes", NULL, NULL, text, sizeof(text));
  HAS(text, "You don't have");
  sell(0, S, "not a copy", 100, "notes", NULL, NULL, text, sizeof(text));
  HAS(text, "is not a copy");
  /* A locked copy says how to unlock it. */
  sql_do("UPDATE user_cards SET state = 'locked' WHERE user_id = %lld", (long long)user_id(S));
  sell(0, S, ref, 100, "notes", NULL, NULL, text, sizeof(text));
  HAS(text, "is locked");
  HAS(text, "/unlock");
  sql_do("UPDATE user_cards SET state = 'free' WHERE user_id = %lld", (long long)user_id(S));
  assert_int_equal(sql_int("SELECT count(*) FROM market_listings"), 0);

  /* Listed: the id, the price, the fee the seller pays, the expiry. */
  int64_t id = sell(1, S, ref, 999, "notes", NULL, NULL, text, sizeof(text));
  assert_true(id > 0);
  HAS(text, "**999 Notes**");
  HAS(text, "receive **950 Notes**");
  HAS(text, "fee of 49 Notes");
  HAS(text, "<t:");
  HAS(text, ":R>");
  assert_int_equal(
      sql_int("SELECT count(*) FROM market_listings WHERE id = %lld AND status ="
              " 'active' AND scope = 'server' AND guild_id = '" GUILD "' AND price = 999"
              " AND abs(extract(epoch FROM expires_at - now() - interval '7 days')) < 60",
              (long long)id),
      1);
  assert_int_equal(
      sql_int("SELECT count(*) FROM user_cards WHERE state = 'listed' AND user_id = %lld",
              (long long)user_id(S)),
      1);
  /* Listed already: refused with the way to take it back. */
  sell(0, S, ref, 5, "notes", "global", NULL, text, sizeof(text));
  HAS(text, "is on the market");
  HAS(text, "/unlist");
  /* A global listing may be made from a DM. */
  give_copy(S, 2, ref);
  assert_true(sell(0, S, ref, 7, "discs", "global", "", text, sizeof(text)) > 0);
  HAS(text, "everywhere");
  assert_books_clean();
}

static void test_buy_refusals_fee_ledger_and_dm(void **state)
{
  const char *S = "711000000000000001", *B = "711000000000000002", *C = "711000000000000003";
  char ref[64], text[1200], sid[24];
  give_copy(S, 3, ref);
  int64_t id = sell(0, S, ref, 999, "notes", NULL, NULL, text, sizeof(text));
  assert_true(id > 0);
  snprintf(sid, sizeof(sid), "%lld", (long long)id);

  buy(0, B, sid, NULL, text, sizeof(text));
  HAS(text, "**999 Notes** short");
  grant(B, "notes", 500);
  buy(1, B, sid, NULL, text, sizeof(text));
  HAS(text, "**499 Notes** short");
  buy(0, S, sid, NULL, text, sizeof(text));
  HAS(text, "your own");
  HAS(text, "/unlist");
  buy(0, B, sid, OTHER_GUILD, text, sizeof(text));
  HAS(text, "only in the server where it was listed");
  buy(0, B, sid, "", text, sizeof(text));
  HAS(text, "only in the server where it was listed");
  buy(0, B, "99999999", NULL, text, sizeof(text));
  HAS(text, "There is no listing 99999999");
  buy(0, B, "abc", NULL, text, sizeof(text));
  HAS(text, "is not a listing");
  assert_int_equal(notes_of(B), 500);

  /* Bought on the other server, written "#id" as a player might. */
  grant(B, "notes", 1000);
  int64_t bank0 =
      sql_int("SELECT coalesce(sum(amount), 0) FROM ledger WHERE system_account = 'bank'"
              " AND currency = 'notes'");
  int64_t s0 = notes_of(S);
  char hid[24];
  snprintf(hid, sizeof(hid), "#%lld", (long long)id);
  buy(1, B, hid, NULL, text, sizeof(text));
  HAS(text, "You bought");
  assert_int_equal(notes_of(B), 1500 - 999);
  assert_int_equal(notes_of(S), s0 + 950);
  int64_t op = sql_int("SELECT op_id FROM market_listings WHERE id = %lld AND status = 'sold' AND"
                       " buyer_id = %lld AND closed_at IS NOT NULL",
                       (long long)id, (long long)user_id(B));
  assert_true(op > 0);
  /* One operation: buyer -> seller 950, buyer -> bank 49; it sums to zero. */
  assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE op_id = %lld", (long long)op), 4);
  assert_int_equal(sql_int("SELECT sum(amount) FROM ledger WHERE op_id = %lld", (long long)op), 0);
  assert_int_equal(sql_int("SELECT sum(amount) FROM ledger WHERE op_id = %lld AND user_id = %lld",
                           (long long)op, (long long)user_id(B)),
                   -999);
  assert_int_equal(sql_int("SELECT amount FROM ledger WHERE op_id = %lld AND user_id = %lld",
                           (long long)op, (long long)user_id(S)),
                   950);
  assert_int_equal(sql_int("SELECT amount FROM ledger WHERE op_id = %lld AND system_account ="
                           " 'bank'",
                           (long long)op),
                   49);
  assert_int_equal(sql_int("SELECT coalesce(sum(amount), 0) FROM ledger WHERE system_account ="
                           " 'bank' AND currency = 'notes'"),
                   bank0 + 49);
  /* The copy is the buyer's, free, and its move is recorded in the same operation. */
  assert_int_equal(sql_int("SELECT count(*) FROM user_cards uc JOIN market_listings l ON"
                           " l.user_card_id = uc.id WHERE l.id = %lld AND uc.user_id = %lld AND"
                           " uc.state = 'free'",
                           (long long)id, (long long)user_id(B)),
                   1);
  assert_int_equal(sql_int("SELECT count(*) FROM card_moves m JOIN market_listings l ON"
                           " l.user_card_id = m.user_card_id WHERE l.id = %lld AND m.op_id = %lld"
                           " AND m.kind = 'sale' AND m.from_user = %lld AND m.to_user = %lld",
                           (long long)id, (long long)op, (long long)user_id(S),
                           (long long)user_id(B)),
                   1);
  /* Sold: the next buyer is told someone was first; the buyer that it is theirs already. */
  grant(C, "notes", 5000);
  buy(0, C, sid, NULL, text, sizeof(text));
  HAS(text, "Someone bought it first");
  buy(0, B, sid, NULL, text, sizeof(text));
  HAS(text, "You already bought");

  /* The seller's DM, through the queue: the channel opened with the bot token, then the message. */
  char chan[64];
  snprintf(chan, sizeof(chan), "/channels/9%s/messages", S);
  json_t *msgs = pd_double_wait_requests(E.dbl, chan, 1, 10000);
  assert_non_null(msgs);
  json_t *m = json_array_get(msgs, 0);
  assert_string_equal(json_string_value(json_object_get(m, "authorization")), "Bot test-bot-token");
  const char *content = json_string_value(json_object_get(json_object_get(m, "json"), "content"));
  assert_non_null(content);
  HAS(content, "sold");
  HAS(content, ref);
  HAS(content, "**950 Notes**");
  HAS(content, "49 Notes");
  json_decref(msgs);
  json_t *opens = pd_double_requests(E.dbl, "/users/@me/channels");
  bool found = false;
  size_t i;
  json_t *o;
  json_array_foreach(opens, i, o)
  {
    const char *to = json_string_value(json_object_get(json_object_get(o, "json"), "recipient_id"));
    found = found || (to != NULL && strcmp(to, S) == 0 &&
                      strcmp(json_string_value(json_object_get(o, "authorization")),
                             "Bot test-bot-token") == 0);
  }
  json_decref(opens);
  assert_true(found);
  char sql[256];
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM followup_jobs WHERE method = 'dm' AND status = 'done' AND attach"
           " ->> 'recipient_id' = '%s'",
           S);
  assert_int_equal(wait_sql(sql, 1), 1);

  /* A price whose fee rounds down to nothing: the seller gets it all, one move only. */
  give_copy(S, 4, ref);
  id = sell(0, S, ref, 19, "notes", "global", NULL, text, sizeof(text));
  HAS(text, "receive **19 Notes**");
  buy_id(1, C, id, text, sizeof(text));
  HAS(text, "You bought");
  op = sql_int("SELECT op_id FROM market_listings WHERE id = %lld", (long long)id);
  assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE op_id = %lld", (long long)op), 2);
  assert_int_equal(sql_int("SELECT count(*) FROM ledger WHERE op_id = %lld AND system_account IS"
                           " NOT NULL",
                           (long long)op),
                   0);
  /* A global listing is bought from anywhere, a DM too. */
  give_copy(S, 5, ref);
  id = sell(0, S, ref, 100, "notes", "global", NULL, text, sizeof(text));
  snprintf(sid, sizeof(sid), "%lld", (long long)id);
  buy(0, C, sid, "", text, sizeof(text));
  HAS(text, "You bought");
  assert_books_clean();
}

static void test_unlist(void **state)
{
  const char *S = "712000000000000001", *C = "712000000000000002";
  char ref[64], text[1200];
  int64_t copy = give_copy(S, 6, ref);
  int64_t id = sell(0, S, ref, 300, "notes", NULL, NULL, text, sizeof(text));
  assert_true(id > 0);
  unlist(1, C, id, text, sizeof(text));
  HAS(text, "You have no listing");
  unlist(1, S, id, text, sizeof(text));
  HAS(text, "back in your collection");
  assert_int_equal(sql_int("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'free' AND"
                           " user_id = %lld",
                           (long long)copy, (long long)user_id(S)),
                   1);
  assert_int_equal(
      sql_int("SELECT count(*) FROM market_listings WHERE id = %lld AND status = 'unlisted' AND"
              " closed_at IS NOT NULL",
              (long long)id),
      1);
  unlist(0, S, id, text, sizeof(text));
  HAS(text, "already closed");
  grant(C, "notes", 1000);
  buy_id(0, C, id, text, sizeof(text));
  HAS(text, "took it back");
  assert_int_equal(notes_of(C), 1000);
  /* Free again: it can be listed again. */
  assert_true(sell(0, S, ref, 300, "notes", NULL, NULL, text, sizeof(text)) > 0);
  assert_books_clean();
}

static void test_listing_expires(void **state)
{
  const char *S = "713000000000000001", *C = "713000000000000002";
  char ref[64], text[1200];
  int64_t copy = give_copy(S, 7, ref);
  int64_t id = sell(0, S, ref, 50, "notes", NULL, NULL, text, sizeof(text));
  assert_true(id > 0);
  sql_do("UPDATE market_listings SET expires_at = now() - interval '1 minute' WHERE id = %lld",
         (long long)id);
  /* Past its time, before or after the sweep: not for sale. */
  grant(C, "notes", 100);
  buy_id(1, C, id, text, sizeof(text));
  HAS(text, "has expired");
  char sql[160];
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM market_listings WHERE id = %lld AND status = 'expired'",
           (long long)id);
  assert_int_equal(wait_sql(sql, 1), 1);
  assert_int_equal(sql_int("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'free' AND"
                           " user_id = %lld",
                           (long long)copy, (long long)user_id(S)),
                   1);
  buy_id(0, C, id, text, sizeof(text));
  HAS(text, "has expired");
  assert_int_equal(notes_of(C), 100);
  assert_books_clean();
}

/* The rows of a /market page as listing ids, in order. */
static size_t page_ids(json_t *reply, int64_t *ids, size_t max)
{
  json_t *data = json_object_get(reply, "data");
  const char *d = json_string_value(
      json_object_get(json_array_get(json_object_get(data, "embeds"), 0), "description"));
  size_t n = 0;
  for (const char *p = d; p != NULL && (p = strstr(p, "`#")) != NULL && n < max; p += 2)
    ids[n++] = strtoll(p + 2, NULL, 10);
  return n;
}

static const char *page_button(json_t *reply, int i, bool *disabled)
{
  json_t *row = json_array_get(json_object_get(json_object_get(reply, "data"), "components"), 1);
  json_t *b = json_array_get(json_object_get(row, "components"), (size_t)i);
  *disabled = json_is_true(json_object_get(b, "disabled"));
  return json_string_value(json_object_get(b, "custom_id"));
}

static void test_market_pages_and_buy_menu(void **state)
{
  char *s = NULL;
  const char *M = "714000000000000001", *V = "714000000000000002", *W = "714000000000000003";
  char ref[64], text[1200];
  int64_t ids[20];
  /* In gems, which no other test lists in on this server: 15 server listings here, 5 global,
   * 3 in another server. */
  int64_t here[20];
  for (int i = 0; i < 23; i++) {
    give_copy(M, i % 10, ref);
    const char *scope = i < 15 || i >= 20 ? "server" : "global";
    const char *guild = i < 20 ? NULL : OTHER_GUILD;
    int64_t id = sell(i % 2, M, ref, 1000 - i * 7, "gems", scope, guild, text, sizeof(text));
    assert_true(id > 0);
    if (i < 20)
      here[i] = id;
  }
  struct opt gems[1] = {{"currency", 3, "gems", 0}};
  json_t *ix = command("market", V, NULL, gems, 1);
  json_t *p1 = post(0, ix, NULL, 0);
  json_decref(ix);
  size_t n = page_ids(p1, ids, 20);
  assert_int_equal(n, 10);
  /* Cheapest first: the last ones listed (the lowest prices) lead; prices never go down. */
  assert_int_equal(ids[0], here[19]);
  int64_t prev = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t p = sql_int("SELECT price FROM market_listings WHERE id = %lld", (long long)ids[i]);
    assert_true(p >= prev);
    prev = p;
  }
  const char *desc = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(p1, "data"), "embeds"), 0), "description"));
  HAS(desc, "Gems");
  HAS(desc, "<t:");
  HAS(desc, "print #");
  HAS(desc, "by <@"
            "714000000000000001"
            ">");
  /* The Buy menu lists the same ten. */
  json_t *menu = json_array_get(
      json_object_get(json_array_get(json_object_get(json_object_get(p1, "data"), "components"), 0),
                      "components"),
      0);
  assert_string_equal(json_string_value(json_object_get(menu, "custom_id")), "buy:page");
  assert_int_equal(json_array_size(json_object_get(menu, "options")), 10);

  bool off = false;
  char next_id[128], prev_id[128];
  snprintf(next_id, sizeof(next_id), "%s", page_button(p1, 1, &off));
  assert_false(off);
  page_button(p1, 0, &off);
  assert_true(off);
  /* Only the viewer pages. */
  ix = pd_e2e_button(next_id, W);
  json_t *r = post(1, ix, text, sizeof(text));
  json_decref(ix);
  json_decref(r);
  HAS(text, "belong to");
  ix = pd_e2e_button(next_id, V);
  json_t *p2 = post(1, ix, NULL, 0);
  json_decref(ix);
  assert_int_equal(json_integer_value(json_object_get(p2, "type")), 7);
  int64_t ids2[20];
  assert_int_equal(page_ids(p2, ids2, 20), 10);
  assert_int_equal(ids2[9], here[0]); /* the dearest last */
  page_button(p2, 1, &off);
  assert_true(off);
  snprintf(prev_id, sizeof(prev_id), "%s", page_button(p2, 0, &off));
  assert_false(off);
  ix = pd_e2e_button(prev_id, V);
  json_t *back = post(0, ix, NULL, 0);
  json_decref(ix);
  int64_t ids3[20];
  assert_int_equal(page_ids(back, ids3, 20), 10);
  assert_memory_equal(ids3, ids, 10 * sizeof(int64_t));
  json_decref(back);
  json_decref(p2);

  /* In a DM only the global ones; scope:server only this server's; newest first. */
  ix = command("market", V, "", gems, 1);
  r = post(0, ix, NULL, 0);
  json_decref(ix);
  assert_int_equal(page_ids(r, ids3, 20), 5);
  json_decref(r);
  struct opt server_only[2] = {{"currency", 3, "gems", 0}, {"scope", 3, "server", 0}};
  ix = command("market", V, NULL, server_only, 2);
  r = post(1, ix, NULL, 0);
  json_decref(ix);
  assert_int_equal(page_ids(r, ids3, 20), 10);
  for (int i = 0; i < 10; i++)
    assert_true(ids3[i] >= here[0] && ids3[i] <= here[14]);
  json_decref(r);
  struct opt newest[2] = {{"currency", 3, "gems", 0}, {"sort", 3, "newest", 0}};
  ix = command("market", V, NULL, newest, 2);
  r = post(0, ix, NULL, 0);
  json_decref(ix);
  assert_int_equal(page_ids(r, ids3, 20), 10);
  assert_int_equal(ids3[0], here[19]);
  assert_true(ids3[1] < ids3[0]);
  json_decref(r);
  struct opt rarity[2] = {{"currency", 3, "gems", 0}, {"sort", 3, "rarity", 0}};
  ix = command("market", V, NULL, rarity, 2);
  r = post(0, ix, NULL, 0);
  json_decref(ix);
  assert_int_equal(page_ids(r, ids3, 20), 10);
  assert_true(
      sql_int("SELECT rarity_order FROM market_listings WHERE id = %lld", (long long)ids3[0]) <=
      sql_int("SELECT rarity_order FROM market_listings WHERE id = %lld", (long long)ids3[9]));
  json_decref(r);

  /* The Buy menu buys exactly as /buy does: refusals included. */
  ix = buy_menu(W, ids[0]);
  r = post(1, ix, text, sizeof(text));
  json_decref(r);
  HAS(text, "short");
  grant(W, "gems", 5000);
  r = post(1, ix, text, sizeof(text));
  json_decref(r);
  HAS(text, "You bought");
  r = post(0, ix, text, sizeof(text));
  json_decref(r);
  HAS(text, "You already bought");
  json_decref(ix);
  json_decref(p1);
  /* The artist autocompletes; /buy's listing autocompletes over what is visible, cheapest first. */
  ix = pd_e2e_autocomplete("market", "artist", "tay", V);
  r = post(0, ix, NULL, 0);
  json_decref(ix);
  assert_true(json_array_size(json_object_get(json_object_get(r, "data"), "choices")) >= 1);
  json_decref(r);
  ix = pd_e2e_autocomplete("buy", "listing", "", V);
  r = post(0, ix, NULL, 0);
  json_decref(ix);
  json_t *choices = json_object_get(json_object_get(r, "data"), "choices");
  assert_true(json_array_size(choices) >= 1);
  int64_t first =
      strtoll(json_string_value(json_object_get(json_array_get(choices, 0), "value")), NULL, 10);
  assert_int_equal(sql_int("SELECT price FROM market_listings WHERE id = %lld", (long long)first),
                   sql_int("SELECT min(price) FROM market_listings WHERE status = 'active' AND"
                           " expires_at > now() AND (scope = 'global' OR guild_id = '" GUILD "')"));
  json_decref(r);
  ix = pd_e2e_autocomplete("unlist", "listing", "", M);
  r = post(0, ix, NULL, 0);
  json_decref(ix);
  assert_int_equal(json_array_size(json_object_get(json_object_get(r, "data"), "choices")), 22);
  json_decref(r);
  /* A page whose listings went meanwhile: said so, with no Buy menu (a select needs options). */
  sql_do("UPDATE market_listings SET expires_at = now() - interval '1 second' WHERE"
         " currency = 'gems' AND price > 900 AND status = 'active'");
  ix = pd_e2e_button(next_id, V);
  r = post(0, ix, NULL, 0);
  json_decref(ix);
  json_t *comps = json_object_get(json_object_get(r, "data"), "components");
  assert_int_equal(json_array_size(comps), 1);
  s = json_dumps(r, 0);
  HAS(s, "Nothing more here");
  free(s);
  json_decref(r);
  assert_books_clean();
}

static void test_viewcard_sales(void **state)
{
  const char *S = "715000000000000001", *B = "715000000000000002";
  char ref[64], text[1200], pub[32];
  grant(B, "discs", 10000);
  for (int i = 0; i < 6; i++) {
    give_copy(S, 20, ref);
    int64_t id = sell(0, S, ref, 101 + i, "discs", "global", NULL, text, sizeof(text));
    buy_id(i % 2, B, id, text, sizeof(text));
    HAS(text, "You bought");
  }
  give_copy(S, 20, ref);
  assert_true(sell(0, S, ref, 77, "discs", NULL, NULL, text, sizeof(text)) > 0);
  snprintf(pub, sizeof(pub), "%.*s", (int)strcspn(ref, "/"), ref);
  struct opt card[1] = {{"card", 3, pub, 0}};
  json_t *ix = command("viewcard", B, NULL, card, 1);
  json_t *r = post(0, ix, NULL, 0);
  json_decref(ix);
  char *s = json_dumps(r, 0);
  /* The last five sales, newest first, and the cheapest listing here. */
  HAS(s, "Last sales");
  HAS(s, "106 Discs");
  HAS(s, "102 Discs");
  assert_null(strstr(s, "101 Discs"));
  HAS(s, "Cheapest for sale here");
  HAS(s, "77 Discs");
  free(s);
  json_decref(r);
  /* Elsewhere the server listing is not offered. */
  ix = command("viewcard", B, OTHER_GUILD, card, 1);
  r = post(1, ix, NULL, 0);
  json_decref(ix);
  s = json_dumps(r, 0);
  assert_null(strstr(s, "77 Discs"));
  free(s);
  json_decref(r);
  assert_books_clean();
}

/* ---- races: two interactions at once, one to each server ---- */

struct shot {
  int idx;
  json_t *ix;
  char text[1200];
  pthread_barrier_t *go;
};

static void *fire(void *arg)
{
  struct shot *s = arg;
  json_t *reply = NULL;
  pthread_barrier_wait(s->go);
  long st = pd_e2e_post(&E, s->idx, s->ix, &reply);
  snprintf(s->text, sizeof(s->text), "%s", st == 200 ? pd_e2e_content(reply) : "HTTP error");
  json_decref(reply);
  return NULL;
}

/* Posts a to server 0 and b to server 1 at the same instant; their answers into the shots. */
static void race(json_t *a, json_t *b, struct shot out[2])
{
  pthread_barrier_t go;
  pthread_t t[2];
  pthread_barrier_init(&go, NULL, 2);
  out[0] = (struct shot){.idx = 0, .ix = a, .go = &go};
  out[1] = (struct shot){.idx = 1, .ix = b, .go = &go};
  for (int i = 0; i < 2; i++)
    pthread_create(&t[i], NULL, fire, &out[i]);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  pthread_barrier_destroy(&go);
  races++;
}

static json_t *buy_ix(const char *user, int64_t id)
{
  char s[24];
  snprintf(s, sizeof(s), "%lld", (long long)id);
  struct opt o[1] = {{"listing", 3, s, 0}};
  return command("buy", user, NULL, o, 1);
}

/* After a round: the copy is in exactly one place, owned by owner, free; the sale (if any)
 * moved it once; the Notes are all still there. */
static void assert_round(int64_t copy, const char *owner, int64_t moves, int64_t total)
{
  assert_int_equal(sql_int("SELECT count(*) FROM user_cards WHERE id = %lld AND user_id = %lld AND"
                           " state = 'free'",
                           (long long)copy, (long long)user_id(owner)),
                   1);
  assert_int_equal(
      sql_int("SELECT count(*) FROM card_moves WHERE user_card_id = %lld", (long long)copy), moves);
  assert_int_equal(sql_int("SELECT count(*) FROM market_listings WHERE user_card_id = %lld AND"
                           " status = 'active'",
                           (long long)copy),
                   0);
  assert_int_equal(notes_total(), total);
}

static void test_race_two_buyers(void **state)
{
  const char *S = "716000000000000001", *B1 = "716000000000000002", *B2 = "716000000000000003";
  char ref[64], text[1200];
  grant(B1, "notes", 1000000);
  grant(B2, "notes", 1000000);
  int64_t total = notes_total();
  for (int round = 0; round < ROUNDS; round++) {
    int64_t copy = give_copy(S, round % 30, ref);
    int64_t id = sell(round % 2, S, ref, 100 + round, "notes", "global", NULL, text, sizeof(text));
    assert_true(id > 0);
    json_t *a = buy_ix(B1, id), *b = buy_ix(B2, id);
    struct shot s[2];
    race(a, b, s);
    json_decref(a);
    json_decref(b);
    bool w0 = strstr(s[0].text, "You bought") != NULL, w1 = strstr(s[1].text, "You bought") != NULL;
    if (w0 == w1)
      fail_msg("round %d: exactly one buyer must win: \"%s\" / \"%s\"", round, s[0].text,
               s[1].text);
    HAS(w0 ? s[1].text : s[0].text, "Someone bought it first");
    assert_round(copy, w0 ? B1 : B2, 1, total);
  }
  assert_books_clean();
}

static void test_race_buy_against_unlist(void **state)
{
  const char *S = "717000000000000001", *B = "717000000000000002";
  char ref[64], text[1200];
  int bought = 0;
  grant(B, "notes", 1000000);
  int64_t total = notes_total();
  for (int round = 0; round < ROUNDS; round++) {
    int64_t copy = give_copy(S, round % 30, ref);
    int64_t id = sell(round % 2, S, ref, 100, "notes", NULL, NULL, text, sizeof(text));
    assert_true(id > 0);
    char sid[24];
    snprintf(sid, sizeof(sid), "%lld", (long long)id);
    struct opt o[1] = {{"listing", 3, sid, 0}};
    json_t *a = buy_ix(B, id), *b = command("unlist", S, NULL, o, 1);
    struct shot s[2];
    /* Alternate which server gets which, so each side sometimes starts first. */
    if (round % 2 == 0)
      race(a, b, s);
    else
      race(b, a, s);
    json_decref(a);
    json_decref(b);
    const char *bt = round % 2 == 0 ? s[0].text : s[1].text;
    const char *ut = round % 2 == 0 ? s[1].text : s[0].text;
    bool won_buy = strstr(bt, "You bought") != NULL;
    bool won_unlist = strstr(ut, "back in your collection") != NULL;
    if (won_buy == won_unlist)
      fail_msg("round %d: exactly one of buy and unlist must win: \"%s\" / \"%s\"", round, bt, ut);
    if (won_buy)
      HAS(ut, "Too late");
    else
      HAS(bt, "took it back");
    bought += won_buy;
    assert_round(copy, won_buy ? B : S, won_buy ? 1 : 0, total);
  }
  printf("e2e_market: buy against unlist: the buyer won %d of %d\n", bought, ROUNDS);
  assert_books_clean();
}

static void test_race_double_pressed_buy(void **state)
{
  const char *S = "718000000000000001", *B = "718000000000000002";
  char ref[64], text[1200];
  grant(B, "notes", 1000000);
  int64_t total = notes_total();
  for (int round = 0; round < ROUNDS; round++) {
    int64_t copy = give_copy(S, round % 30, ref);
    int64_t id = sell(round % 2, S, ref, 100, "notes", NULL, NULL, text, sizeof(text));
    assert_true(id > 0);
    json_t *a = buy_menu(B, id), *b = buy_menu(B, id);
    struct shot s[2];
    race(a, b, s);
    json_decref(a);
    json_decref(b);
    bool w0 = strstr(s[0].text, "You bought") != NULL, w1 = strstr(s[1].text, "You bought") != NULL;
    if (w0 == w1)
      fail_msg("round %d: one press must buy: \"%s\" / \"%s\"", round, s[0].text, s[1].text);
    HAS(w0 ? s[1].text : s[0].text, "You already bought");
    assert_round(copy, B, 1, total);
  }
  assert_int_equal(notes_of(B), 1000000 - ROUNDS * 100);
  assert_books_clean();
}

static void test_race_sell_twice(void **state)
{
  const char *S = "719000000000000001";
  char ref[64];
  for (int round = 0; round < ROUNDS; round++) {
    int64_t copy = give_copy(S, round % 30, ref);
    struct opt o1[3] = {{"card", 3, ref, 0}, {"price", 4, NULL, 10}, {"currency", 3, "notes", 0}};
    struct opt o2[4] = {{"card", 3, ref, 0},
                        {"price", 4, NULL, 20},
                        {"currency", 3, "discs", 0},
                        {"scope", 3, "global", 0}};
    json_t *a = command("sell", S, NULL, o1, 3), *b = command("sell", S, NULL, o2, 4);
    struct shot s[2];
    race(a, b, s);
    json_decref(a);
    json_decref(b);
    bool w0 = strstr(s[0].text, "as listing **") != NULL,
         w1 = strstr(s[1].text, "as listing **") != NULL;
    if (w0 == w1)
      fail_msg("round %d: one sale must list: \"%s\" / \"%s\"", round, s[0].text, s[1].text);
    HAS(w0 ? s[1].text : s[0].text, "is on the market");
    assert_int_equal(
        sql_int("SELECT count(*) FROM market_listings WHERE user_card_id = %lld", (long long)copy),
        1);
    assert_int_equal(sql_int("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'listed'",
                             (long long)copy),
                     1);
  }
  assert_books_clean();
}

/* Every foreign key onto a copy's (id, state) has an index on its referencing column: changing a
 * copy's state makes PostgreSQL look for rows still pointing at the old state, and without the
 * index that look is a scan of every listing (or trade offer) ever made. */
static void test_escrow_keys_are_indexed(void **state)
{
  assert_int_equal(sql_int("SELECT count(*) FROM pg_constraint c WHERE c.contype = 'f' AND"
                           " c.confrelid = 'user_cards'::regclass AND array_length(c.conkey, 1) = 2"
                           " AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid ="
                           " c.conrelid AND i.indpred IS NULL AND i.indkey[0] = c.conkey[1])"),
                   0);
  assert_true(sql_int("SELECT count(*) FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid"
                      " = 'user_cards'::regclass AND array_length(c.conkey, 1) = 2") >= 2);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_escrow_keys_are_indexed),
      PD_E2E_TEST(test_sell_and_its_refusals),
      PD_E2E_TEST(test_buy_refusals_fee_ledger_and_dm),
      PD_E2E_TEST(test_unlist),
      PD_E2E_TEST(test_listing_expires),
      PD_E2E_TEST(test_market_pages_and_buy_menu),
      PD_E2E_TEST(test_viewcard_sales),
      PD_E2E_TEST(test_race_two_buyers),
      PD_E2E_TEST(test_race_buy_against_unlist),
      PD_E2E_TEST(test_race_double_pressed_buy),
      PD_E2E_TEST(test_race_sell_twice),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
