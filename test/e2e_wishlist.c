/* e2e_wishlist.c - wishlists end to end: two real `popdeck serve` processes on one PostgreSQL
 * (the seeded demo catalog) and the Discord double, the clock moved with pd_e2e_clock_advance.
 * /wishlist add, remove and list with their refusals and the 50-entry cap; a listing of a wished
 * card sends each wisher (by card, artist or era; never the seller) exactly one DM, a second
 * listing within the hour waits and is summarised in the next DM after the hour; a pack marks the
 * opener's wished cards with ★; /viewcard says how many players want a card. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static int next_print = 20000;

static const char *const ENV[] = {"DISCORD_BOT_TOKEN=test-bot-token",
                                  "SCHEDULER_PERIODS=expire:5,wishlist_notify:2", NULL};

static int setup(void **state)
{
  int status = 0;
  if (pd_e2e_setup(&E, "wishlist") != 0 || pd_e2e_seed_demo(&E, 2) != 0)
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

#define HAS(text, needle)                                                                          \
  do {                                                                                             \
    if (strstr((text), (needle)) == NULL)                                                          \
      fail_msg("expected \"%s\" in: %s", (needle), (text));                                        \
  } while (0)
#define LACKS(text, needle)                                                                        \
  do {                                                                                             \
    if (strstr((text), (needle)) != NULL)                                                          \
      fail_msg("did not expect \"%s\" in: %s", (needle), (text));                                  \
  } while (0)

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

static void sql_text(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void sql_text(char *out, size_t cap, const char *fmt, ...)
{
  char sql[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(sql, sizeof(sql), fmt, ap);
  va_end(ap);
  pd_e2e_sql_text(&E, sql, out, cap);
  assert_true(out[0] != '\0');
}

/* /wishlist sub [opt:value] by user: the reply's text (content or embed) into out. */
static void wish(int idx, const char *user, const char *sub, const char *opt, const char *value,
                 char *out, size_t cap)
{
  json_t *ix = pd_ge_command("wishlist", sub, user);
  if (opt != NULL)
    pd_ge_option(ix, opt, 3, json_string(value), 0);
  json_t *reply = pd_ge_post(&E, idx, ix);
  json_decref(ix);
  json_t *data = json_object_get(reply, "data");
  const char *title = json_string_value(
      json_object_get(json_array_get(json_object_get(data, "embeds"), 0), "title"));
  snprintf(out, cap, "%s%s%s", title != NULL ? title : "", title != NULL ? "\n" : "",
           pd_ge_text(reply));
  if (strcmp(sub, "list") != 0 && strcmp(sub, "add") != 0 && strcmp(sub, "remove") != 0)
    fail_msg("no such sub-command %s", sub);
  assert_true(json_integer_value(json_object_get(data, "flags")) & 64); /* ephemeral */
  json_decref(reply);
}

/* A new copy of card_id for user, minted with its move as a draw makes it; its ref into ref. */
static int64_t give_copy(const char *user, int64_t card_id, char ref[64])
{
  int64_t uid = pd_ge_player(&E, user, 30);
  int print = next_print++;
  int64_t id = pd_e2e_sqlf(
      &E,
      "WITH c AS (INSERT INTO user_cards (user_id, template_id, print_no) VALUES (%lld, %lld, %d)"
      " RETURNING id, user_id), m AS (INSERT INTO card_moves (op_id, user_card_id, from_user,"
      " to_user, kind) SELECT nextval('ledger_op_seq'), c.id, NULL, c.user_id, 'draw' FROM c)"
      " SELECT id FROM c",
      (long long)uid, (long long)card_id, print);
  sql_text(ref, 64, "SELECT public_id || '/' || %d FROM card_templates WHERE id = %lld", print,
           (long long)card_id);
  return id;
}

static int64_t sell(int idx, const char *user, const char *ref, long price)
{
  json_t *ix = pd_e2e_command("sell", user), *reply = NULL;
  pd_e2e_option(ix, "card", 3, json_string(ref));
  pd_e2e_option(ix, "price", 4, json_integer(price));
  pd_e2e_option(ix, "currency", 3, json_string("notes"));
  pd_e2e_option(ix, "scope", 3, json_string("global"));
  assert_int_equal(pd_e2e_post(&E, idx, ix, &reply), 200);
  const char *at = strstr(pd_e2e_content(reply), "as listing **");
  if (at == NULL)
    fail_msg("not listed: %s", pd_e2e_content(reply));
  int64_t id = strtoll(at + 13, NULL, 10);
  json_decref(reply);
  json_decref(ix);
  return id;
}

/* The DMs the double got for user so far, their contents joined into out; how many. */
static size_t dms_of(const char *user, char *out, size_t cap)
{
  char chan[64];
  snprintf(chan, sizeof(chan), "/channels/9%s/messages", user);
  json_t *msgs = pd_double_requests(E.dbl, chan);
  size_t at = 0, i, n = json_array_size(msgs);
  json_t *m;
  out[0] = '\0';
  json_array_foreach(msgs, i, m)
  {
    const char *c = json_string_value(json_object_get(json_object_get(m, "json"), "content"));
    if (at < cap)
      at += (size_t)snprintf(out + at, cap - at, "%s\n", c != NULL ? c : "");
  }
  json_decref(msgs);
  return n;
}

/* Waits (up to 15 s) until user has n DMs. */
static void wait_dms(const char *user, size_t n)
{
  char chan[64];
  snprintf(chan, sizeof(chan), "/channels/9%s/messages", user);
  json_t *msgs = pd_double_wait_requests(E.dbl, chan, n, 15000);
  if (msgs == NULL)
    fail_msg("fewer than %zu DMs to %s", n, user);
  json_decref(msgs);
}

/* Waits until the notices are all taken, then lets a few more task periods pass. */
static void settle_notices(void)
{
  for (int i = 0; i < 150 && pd_e2e_sql_int(&E, "SELECT count(*) FROM wishlist_notices n JOIN"
                                                " wishlist_dms d USING (user_id) WHERE d.last_at"
                                                " <= pd_now() - interval '1 hour'") != 0;
       i++)
    usleep(100 * 1000);
  usleep(3000 * 1000);
}

static void test_add_remove_list_and_cap(void **state)
{
  const char *W = "740000000000000001";
  char text[5000], pub[32], artist[128], era[32];
  sql_text(pub, sizeof(pub), "SELECT public_id FROM card_templates ORDER BY id LIMIT 1");
  sql_text(artist, sizeof(artist), "SELECT a.name FROM artists a ORDER BY a.id LIMIT 1");
  sql_text(era, sizeof(era), "SELECT 'e:' || id FROM eras ORDER BY id LIMIT 1");

  wish(0, W, "list", NULL, NULL, text, sizeof(text));
  HAS(text, "Empty. Add a card");
  wish(0, W, "add", "card", pub, text, sizeof(text));
  HAS(text, "Added the card **");
  HAS(text, pub);
  HAS(text, "(1 of 50)");
  wish(1, W, "add", "card", pub, text, sizeof(text));
  HAS(text, "is already on your wishlist");
  wish(1, W, "add", "artist", artist, text, sizeof(text));
  HAS(text, "Added the artist **");
  wish(0, W, "add", "era", era, text, sizeof(text));
  HAS(text, "Added the era **");
  HAS(text, "(3 of 50)");
  wish(0, W, "add", "artist", "No Such Artist Anywhere", text, sizeof(text));
  HAS(text, "No artist \"No Such Artist Anywhere\" in the catalog");
  wish(0, W, "add", NULL, NULL, text, sizeof(text));
  HAS(text, "Give exactly one of card, artist or era to add (you gave 0)");
  json_t *ix = pd_ge_command("wishlist", "add", W);
  pd_ge_option(ix, "card", 3, json_string(pub), 0);
  pd_ge_option(ix, "artist", 3, json_string(artist), 0);
  json_t *reply = pd_ge_post(&E, 0, ix);
  json_decref(ix);
  HAS(pd_ge_text(reply), "you gave 2");
  json_decref(reply);

  wish(1, W, "list", NULL, NULL, text, sizeof(text));
  HAS(text, "card: ");
  HAS(text, pub);
  HAS(text, "artist: ");
  HAS(text, artist);
  HAS(text, "era: ");
  /* remove's suggestions are the player's own entries of that kind. */
  json_t *ac = pd_e2e_autocomplete("wishlist", "card", "", W);
  json_t *data = json_object_get(ac, "data");
  json_t *focused = json_incref(json_object_get(data, "options"));
  json_object_set_new(
      data, "options",
      json_pack("[{s:s, s:i, s:o}]", "name", "remove", "type", 1, "options", focused));
  assert_int_equal(pd_e2e_post(&E, 0, ac, &reply), 200);
  json_t *choices = json_object_get(json_object_get(reply, "data"), "choices");
  assert_int_equal(json_array_size(choices), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(choices, 0), "value")), pub);
  json_decref(reply);
  json_decref(ac);

  wish(0, W, "remove", "card", pub, text, sizeof(text));
  HAS(text, "Removed the card **");
  wish(1, W, "remove", "card", pub, text, sizeof(text));
  HAS(text, "is not on your wishlist");
  wish(1, W, "remove", "era", era, text, sizeof(text));
  HAS(text, "Removed the era");

  /* The cap: with 50 entries the 51st is refused and nothing is added. */
  sql_do("INSERT INTO wishlists (user_id, kind, target) SELECT u.id, 'card', g FROM users u,"
         " generate_series(1000000, 1000048) g WHERE u.discord_id = '%s'",
         W);
  assert_int_equal(pd_e2e_sqlf(&E,
                               "SELECT count(*) FROM wishlists w JOIN users u ON u.id ="
                               " w.user_id WHERE u.discord_id = '%s'",
                               W),
                   50);
  wish(0, W, "add", "card", pub, text, sizeof(text));
  HAS(text, "Your wishlist is full (50 entries)");
  wish(0, W, "list", NULL, NULL, text, sizeof(text));
  HAS(text, "Your wishlist (50 of 50)");
  sql_do("DELETE FROM wishlists");
}

static void test_listed_card_tells_each_wisher_once(void **state)
{
  const char *S = "740000000000000011", *W1 = "740000000000000012", *W2 = "740000000000000013",
             *W3 = "740000000000000014", *W4 = "740000000000000015";
  char text[4000], pub[32], other[32], artist[128], era[32], ref[64];
  int64_t card = pd_e2e_sql_int(&E, "SELECT id FROM card_templates ORDER BY id LIMIT 1");
  sql_text(pub, sizeof(pub), "SELECT public_id FROM card_templates WHERE id = %lld",
           (long long)card);
  sql_text(artist, sizeof(artist),
           "SELECT a.name FROM card_templates c JOIN artists a ON a.id = c.artist_id WHERE c.id ="
           " %lld",
           (long long)card);
  sql_text(era, sizeof(era), "SELECT 'e:' || era_id FROM card_templates WHERE id = %lld",
           (long long)card);
  /* A card of another artist, for W4. */
  sql_text(other, sizeof(other),
           "SELECT public_id FROM card_templates WHERE artist_id <> (SELECT artist_id FROM"
           " card_templates WHERE id = %lld) ORDER BY id LIMIT 1",
           (long long)card);
  wish(0, W1, "add", "card", pub, text, sizeof(text));
  wish(0, W2, "add", "artist", artist, text, sizeof(text));
  wish(1, W3, "add", "era", era, text, sizeof(text));
  wish(1, W4, "add", "card", other, text, sizeof(text));
  wish(0, S, "add", "card", pub, text, sizeof(text)); /* the seller's own wish: no DM */
  pd_double_reset(E.dbl);

  give_copy(S, card, ref);
  int64_t l1 = sell(0, S, ref, 300);
  assert_int_equal(pd_e2e_sqlf(&E, "SELECT count(*) FROM wishlist_notices WHERE listing_id = %lld",
                               (long long)l1),
                   3);
  const char *wishers[3] = {W1, W2, W3};
  char want[64];
  snprintf(want, sizeof(want), "`/buy listing:%lld`", (long long)l1);
  for (int i = 0; i < 3; i++) {
    wait_dms(wishers[i], 1);
    assert_int_equal(dms_of(wishers[i], text, sizeof(text)), 1);
    HAS(text, "★ **");
    HAS(text, pub);
    HAS(text, "on your wishlist, was listed on the market for **300 Notes**");
    HAS(text, want);
  }
  assert_int_equal(dms_of(S, text, sizeof(text)), 0);
  assert_int_equal(dms_of(W4, text, sizeof(text)), 0);

  /* Two more listings within the hour: no DM yet, both wait. */
  give_copy(S, card, ref);
  int64_t l2 = sell(1, S, ref, 400);
  give_copy(S, card, ref);
  int64_t l3 = sell(0, S, ref, 500);
  settle_notices();
  for (int i = 0; i < 3; i++)
    assert_int_equal(dms_of(wishers[i], text, sizeof(text)), 1);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM wishlist_notices"), 6);

  /* After the hour: one DM each, the second listing named and the third summarised. */
  assert_true(pd_e2e_clock_advance(&E, 3600 + 5));
  snprintf(want, sizeof(want), "`/buy listing:%lld`", (long long)l2);
  char third[64];
  snprintf(third, sizeof(third), "(`/buy listing:%lld`)", (long long)l3);
  for (int i = 0; i < 3; i++) {
    wait_dms(wishers[i], 2);
    dms_of(wishers[i], text, sizeof(text));
    HAS(text, "for **400 Notes**");
    HAS(text, want);
    HAS(text, "And 1 more card you wished for was listed:");
    HAS(text, third);
  }
  settle_notices();
  for (int i = 0; i < 3; i++)
    assert_int_equal(dms_of(wishers[i], text, sizeof(text)), 2);
  assert_int_equal(dms_of(S, text, sizeof(text)), 0);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM wishlist_notices"), 0);
  sql_do("DELETE FROM wishlists");
}

/* The follow-up the double got for an /openpack by user: its buttons' labels joined. */
static void open_pack(const char *user, char *labels, size_t cap, char *desc, size_t dcap)
{
  json_t *ix = pd_e2e_command("openpack", user), *reply = NULL;
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 5);
  json_decref(reply);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 10000);
  assert_non_null(reqs);
  json_t *msg = json_object_get(json_array_get(reqs, 0), "json");
  json_t *row = json_array_get(json_object_get(msg, "components"), 0);
  size_t at = 0, i;
  json_t *b;
  labels[0] = '\0';
  json_array_foreach(json_object_get(row, "components"), i, b)
  {
    at += (size_t)snprintf(labels + at, cap - at, "[%s]",
                           json_string_value(json_object_get(b, "label")));
  }
  snprintf(desc, dcap, "%s",
           json_string_value(
               json_object_get(json_array_get(json_object_get(msg, "embeds"), 0), "description")));
  json_decref(reqs);
  json_decref(ix);
}

static void test_pack_marks_wished_cards(void **state)
{
  const char *W = "740000000000000021", *N = "740000000000000022";
  char labels[200], desc[1000];
  /* W wishes for every artist, so every card drawn is wished. */
  pd_ge_player(&E, W, 30);
  sql_do("INSERT INTO wishlists (user_id, kind, target) SELECT u.id, 'artist', a.id FROM users u,"
         " artists a WHERE u.discord_id = '%s'",
         W);
  open_pack(W, labels, sizeof(labels), desc, sizeof(desc));
  assert_string_equal(labels, "[Card 1 ★][Card 2 ★][Card 3 ★]");
  HAS(desc, "★ on your wishlist: Card 1, Card 2, Card 3");
  open_pack(N, labels, sizeof(labels), desc, sizeof(desc));
  assert_string_equal(labels, "[Card 1][Card 2][Card 3]");
  LACKS(desc, "★");
  sql_do("DELETE FROM wishlists");
}

static void test_viewcard_wanted_by(void **state)
{
  const char *V = "740000000000000031";
  char pub[32], artist[128], era[32], text[300];
  int64_t card = pd_e2e_sql_int(&E, "SELECT id FROM card_templates ORDER BY id DESC LIMIT 1");
  sql_text(pub, sizeof(pub), "SELECT public_id FROM card_templates WHERE id = %lld",
           (long long)card);
  sql_text(artist, sizeof(artist),
           "SELECT a.name FROM card_templates c JOIN artists a ON a.id = c.artist_id WHERE c.id ="
           " %lld",
           (long long)card);
  sql_text(era, sizeof(era), "SELECT 'e:' || era_id FROM card_templates WHERE id = %lld",
           (long long)card);
  /* By card, by artist, by era, and one player by all three: four players. */
  wish(0, "740000000000000032", "add", "card", pub, text, sizeof(text));
  wish(0, "740000000000000033", "add", "artist", artist, text, sizeof(text));
  wish(1, "740000000000000034", "add", "era", era, text, sizeof(text));
  wish(1, "740000000000000035", "add", "card", pub, text, sizeof(text));
  wish(1, "740000000000000035", "add", "artist", artist, text, sizeof(text));
  wish(1, "740000000000000035", "add", "era", era, text, sizeof(text));
  json_t *ix = pd_e2e_command("viewcard", V), *reply = NULL;
  pd_e2e_option(ix, "card", 3, json_string(pub));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  char *dump = json_dumps(reply, 0);
  HAS(dump, "wanted by 4 players");
  free(dump);
  json_decref(reply);
  sql_do("DELETE FROM wishlists");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_add_remove_list_and_cap),
      PD_E2E_TEST(test_listed_card_tells_each_wisher_once),
      PD_E2E_TEST(test_pack_marks_wished_cards),
      PD_E2E_TEST(test_viewcard_wanted_by),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
