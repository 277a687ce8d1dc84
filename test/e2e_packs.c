/* e2e_packs.c - opening packs and keeping one card, end to end: signed interactions to a real
 * `popdeck serve`, a real PostgreSQL with the seeded demo catalog, the Discord double.  The
 * pack message, the flip, who may press, exactly-once picks under double and concurrent
 * presses, expiry, cooldowns with the booster reduction, paying after the free opens, and
 * /draw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "e2e.h"
#include "ixbuild.h"

static struct pd_e2e E;

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "packs") != 0)
    return -1;
  return pd_e2e_seed_demo(&E, 2);
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

/* Opens a pack as user and returns the follow-up the double received (caller owns). */
static json_t *open_pack(const char *user, const char *pack, bool booster)
{
  struct pd_ixb b = {.type = 2,
                     .app_id = PD_E2E_APP_ID,
                     .user_id = user,
                     .command = "openpack",
                     .booster = booster};
  json_t *ix = pd_ixb_build(&b), *reply = NULL;
  if (pack != NULL)
    pd_e2e_option(ix, "pack", 3, json_string(pack));
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")),
                   5); /* deferred: "thinking" */
  json_decref(reply);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  json_t *req = json_incref(json_array_get(reqs, 0));
  json_decref(reqs);
  json_decref(ix);
  /* What the worker builds the pack from never travels in the message itself. */
  assert_null(pd_e2e_private_key(json_object_get(req, "json")));
  return req;
}

static const char *button_id(json_t *req, size_t i)
{
  json_t *row = json_array_get(json_object_get(json_object_get(req, "json"), "components"), 0);
  return json_string_value(
      json_object_get(json_array_get(json_object_get(row, "components"), i), "custom_id"));
}

static long press(const char *custom_id, const char *user, json_t **reply)
{
  json_t *ix = pd_e2e_button(custom_id, user);
  long st = pd_e2e_post(&E, 0, ix, reply);
  json_decref(ix);
  return st;
}

static int64_t user_cards(const char *user)
{
  char sql[256];
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id WHERE u.discord_id "
           "= '%s'",
           user);
  return pd_e2e_sql_int(&E, sql);
}

static void test_open_flip_and_keep(void **state)
{
  const char *A = "700000000000000101", *B = "700000000000000102";
  json_t *req = open_pack(A, NULL, false);
  /* The pack message: the backs of three cards as pack.png, one button per card. */
  assert_string_equal(json_string_value(json_object_get(req, "method")), "PATCH");
  json_t *file = json_array_get(json_object_get(req, "files"), 0);
  assert_string_equal(json_string_value(json_object_get(file, "filename")), "pack.png");
  assert_true(json_is_true(json_object_get(file, "png")));
  assert_true(json_integer_value(json_object_get(file, "width")) > 3 * 200);
  json_t *embed = json_array_get(json_object_get(json_object_get(req, "json"), "embeds"), 0);
  assert_string_equal(json_string_value(json_object_get(json_object_get(embed, "image"), "url")),
                      "attachment://pack.png");
  assert_non_null(
      strstr(json_string_value(json_object_get(embed, "description")), "Pick one card to keep"));
  assert_null(pd_e2e_private_key(json_object_get(req, "json")));
  char want[64];
  int64_t pack = pd_e2e_sql_int(&E, "SELECT max(id) FROM pack_opens");
  for (int i = 0; i < 3; i++) {
    snprintf(want, sizeof(want), "pick:%lld:%d", (long long)pack, i);
    assert_string_equal(button_id(req, (size_t)i), want);
  }
  assert_null(button_id(req, 3));
  /* Recorded: three cards offered, nothing picked, a free open used, the cooldown running. */
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM pack_opens WHERE status = 'open'"
                                      " AND array_length(template_ids, 1) = 3 AND paid_amount = 0"),
                   1);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT used FROM free_allotments WHERE what = 'pack:standard-3'"), 1);

  /* Someone else's press: told so, nothing changes. */
  json_t *reply = NULL;
  char id1[64];
  snprintf(id1, sizeof(id1), "%s", button_id(req, 1));
  assert_int_equal(press(id1, B, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  assert_non_null(strstr(pd_e2e_content(reply), "This is not your pack"));
  json_decref(reply);
  assert_int_equal(user_cards(B), 0);

  /* The opener flips card 2: the message is replaced (type 7) by its front, the others beside. */
  assert_int_equal(press(id1, A, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 7);
  json_t *data = json_object_get(reply, "data");
  json_t *embeds = json_object_get(data, "embeds");
  assert_int_equal(json_array_size(embeds), 3);
  assert_int_equal(json_array_size(json_object_get(data, "components")), 0);
  json_t *kept = json_array_get(embeds, 0);
  assert_non_null(strstr(json_string_value(json_object_get(kept, "title")), "You kept "));
  char sql[512], url[600], pid[32];
  snprintf(sql, sizeof(sql),
           "SELECT t.image_url FROM pack_opens p JOIN card_templates t ON t.id = p.template_ids[2]"
           " WHERE p.id = %lld",
           (long long)pack);
  pd_e2e_sql_text(&E, sql, url, sizeof(url));
  assert_string_equal(json_string_value(json_object_get(json_object_get(kept, "image"), "url")),
                      url);
  snprintf(sql, sizeof(sql),
           "SELECT t.public_id FROM pack_opens p JOIN card_templates t ON t.id = p.template_ids[2]"
           " WHERE p.id = %lld",
           (long long)pack);
  pd_e2e_sql_text(&E, sql, pid, sizeof(pid));
  char *kept_text = json_dumps(kept, 0);
  assert_non_null(strstr(kept_text, pid));
  assert_non_null(strstr(kept_text, "\"Print\""));
  free(kept_text);
  for (size_t i = 1; i < 3; i++) {
    json_t *other = json_array_get(embeds, i);
    assert_non_null(strstr(json_string_value(json_object_get(other, "title")), "Got away: "));
    assert_non_null(json_object_get(json_object_get(other, "thumbnail"), "url"));
  }
  json_decref(reply);
  /* Owned: one copy, its print number the template's new copy count; the picture is served. */
  assert_int_equal(user_cards(A), 1);
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM user_cards c JOIN card_templates t ON t.id = c.template_id"
           " JOIN pack_opens p ON p.user_card_id = c.id WHERE p.id = %lld AND p.status = 'picked' "
           "AND p.picked_index = 1"
           " AND c.print_no = t.copies_created AND c.source = 'pack' AND t.id = p.template_ids[2]",
           (long long)pack);
  assert_int_equal(pd_e2e_sql_int(&E, sql), 1);
  struct pd_http_reply r;
  assert_int_equal(pd_e2e_get(&E, 0, strstr(url, "/cards/"), &r), 200);
  pd_http_reply_free(&r);

  /* A second click on any button: told it is kept, no second copy. */
  int64_t copies = pd_e2e_sql_int(&E, "SELECT sum(copies_created) FROM card_templates");
  assert_int_equal(press(button_id(req, 0), A, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  assert_non_null(strstr(pd_e2e_content(reply), "You already kept card 2"));
  json_decref(reply);
  assert_int_equal(user_cards(A), 1);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT sum(copies_created) FROM card_templates"), copies);
  json_decref(req);
}

struct presser {
  char custom_id[64];
  const char *user;
  long status;
  json_t *reply;
};

static void *press_thread(void *arg)
{
  struct presser *p = arg;
  p->status = press(p->custom_id, p->user, &p->reply);
  return NULL;
}

/* Sixteen presses at once on the three buttons (a double click, a retry, two buttons
 * together): one card, one flip, every other press told the card is kept. */
static void test_concurrent_presses_keep_one_card(void **state)
{
  enum { N = 16 };
  const char *C = "700000000000000103";
  json_t *req = open_pack(C, NULL, false);
  int64_t copies = pd_e2e_sql_int(&E, "SELECT sum(copies_created) FROM card_templates");
  struct presser p[N];
  pthread_t t[N];
  for (int i = 0; i < N; i++) {
    snprintf(p[i].custom_id, sizeof(p[i].custom_id), "%s", button_id(req, (size_t)(i % 3)));
    p[i].user = C;
    p[i].reply = NULL;
  }
  for (int i = 0; i < N; i++)
    pthread_create(&t[i], NULL, press_thread, &p[i]);
  int flips = 0, kept = 0;
  for (int i = 0; i < N; i++) {
    pthread_join(t[i], NULL);
    assert_int_equal(p[i].status, 200);
    if (json_integer_value(json_object_get(p[i].reply, "type")) == 7)
      flips++;
    else if (strstr(pd_e2e_content(p[i].reply), "You already kept card") != NULL)
      kept++;
    json_decref(p[i].reply);
  }
  assert_int_equal(flips, 1);
  assert_int_equal(kept, N - 1);
  assert_int_equal(user_cards(C), 1);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT sum(copies_created) FROM card_templates"),
                   copies + 1);
  json_decref(req);
}

static void test_expired_pack_keeps_nothing(void **state)
{
  const char *D = "700000000000000104";
  json_t *req = open_pack(D, NULL, false), *reply = NULL;
  assert_true(pd_e2e_sql(&E, "UPDATE pack_opens SET expires_at = pd_now() - interval '1 second'"
                             " WHERE id = (SELECT max(id) FROM pack_opens)"));
  assert_int_equal(press(button_id(req, 0), D, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  assert_non_null(strstr(pd_e2e_content(reply), "This pack expired before you picked"));
  json_decref(reply);
  assert_int_equal(user_cards(D), 0);
  /* The scheduler's expire task (every 5 s in the suites) closes it; the pick still refuses. */
  int64_t closed = 0;
  for (int i = 0; i < 100 && closed != 1; i++) {
    usleep(100 * 1000);
    closed = pd_e2e_sql_int(&E, "SELECT count(*) FROM pack_opens WHERE id = (SELECT max(id) FROM"
                                " pack_opens) AND status = 'expired' AND expired_at IS NOT NULL");
  }
  assert_int_equal(closed, 1);
  assert_int_equal(press(button_id(req, 1), D, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "This pack expired before you picked"));
  json_decref(reply);
  assert_int_equal(user_cards(D), 0);
  /* A forged button names no pack of ours. */
  assert_int_equal(press("pick:999999:0", D, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "That pack no longer exists"));
  json_decref(reply);
  assert_int_equal(press("pick:1:0; DROP TABLE users", D, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "not one PopDeck made"));
  json_decref(reply);
  json_decref(req);
}

static int64_t cooldown_left(const char *user, const char *command)
{
  char sql[400];
  snprintf(sql, sizeof(sql),
           "SELECT round(extract(epoch FROM c.expires_at - now())) FROM user_cooldowns c"
           " JOIN users u ON u.id = c.user_id WHERE u.discord_id = '%s' AND c.command = '%s'",
           user, command);
  return pd_e2e_sql_int(&E, sql);
}

static void test_cooldowns_and_boosters(void **state)
{
  const char *A = "700000000000000101", *E2 = "700000000000000105";
  /* A opened in the first test: told exactly when the next pack is ready. */
  json_t *ix = pd_e2e_command("openpack", A), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  assert_non_null(strstr(pd_e2e_content(reply), "You can open your next pack <t:"));
  json_decref(reply);
  json_decref(ix);
  int64_t left = cooldown_left(A, "openpack");
  assert_true(left > 380 && left <= 420);
  /* A server booster waits half as long (booster_multiplier 0.5 of 420 s). */
  json_decref(open_pack(E2, NULL, true));
  left = cooldown_left(E2, "openpack");
  assert_true(left > 190 && left <= 210);
}

static void test_paying_after_the_free_opens(void **state)
{
  const char *F = "700000000000000106";
  char sql[512];
  /* Today's three free opens are used and F has no Notes: told the price, and nothing is
   * kept of the attempt (no cooldown started, no allotment moved). */
  json_decref(open_pack(F, NULL, false));
  assert_true(pd_e2e_sql(&E, "DELETE FROM user_cooldowns"));
  snprintf(sql, sizeof(sql),
           "UPDATE free_allotments SET used = 3 WHERE user_id = (SELECT id FROM users"
           " WHERE discord_id = '%s')",
           F);
  assert_true(pd_e2e_sql(&E, sql));
  json_t *ix = pd_e2e_command("openpack", F), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_true(pd_e2e_ephemeral(reply));
  assert_non_null(strstr(pd_e2e_content(reply), "Standard pack costs **100 Notes**"));
  assert_non_null(strstr(pd_e2e_content(reply), "you have 0"));
  json_decref(reply);
  json_decref(ix);
  assert_int_equal(cooldown_left(F, "openpack"), -1);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM pack_opens p JOIN users u ON u.id = p.user_id"
                         " WHERE u.discord_id = '700000000000000106'"),
      1);
  /* With 150 Notes the pack is bought: 50 left, one ledger row, the price on the audit row.
   * (F has none: the Notes come as an admin grant, with their ledger rows.) */
  assert_true(pd_e2e_grant(&E, F, "notes", 150));
  json_decref(open_pack(F, "standard-3", false));
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT coins FROM users WHERE discord_id = '700000000000000106'"), 50);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM transactions t JOIN users u ON u.id = t.user_id"
                         " WHERE u.discord_id = '700000000000000106' AND t.amount = -100"
                         " AND t.type = 'purchase' AND t.currency = 'notes'"),
      1);
  assert_int_equal(pd_e2e_sql_int(&E,
                                  "SELECT count(*) FROM pack_opens WHERE paid_currency = 'notes'"
                                  " AND paid_amount = 100"),
                   1);
  /* A premium pack has five cards and costs Gems, which F has none of. */
  assert_true(pd_e2e_sql(&E, "DELETE FROM user_cooldowns"));
  ix = pd_e2e_command("openpack", F);
  pd_e2e_option(ix, "pack", 3, json_string("premium-5"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "Premium pack costs **5 Gems**"));
  json_decref(reply);
  json_decref(ix);
  assert_true(pd_e2e_grant(&E, F, "gems", 5));
  json_t *req = open_pack(F, "premium-5", false);
  assert_non_null(button_id(req, 4));
  assert_null(button_id(req, 5));
  json_decref(req);
  /* A pack that does not exist. */
  ix = pd_e2e_command("openpack", F);
  pd_e2e_option(ix, "pack", 3, json_string("mega-99"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_string_equal(pd_e2e_content(reply), "\"mega-99\" is not a choice for **pack**. Choose one "
                                             "of: standard-3, premium-5, festival-3.");
  /* Refused before the handler: no cooldown started, nothing paid. */
  char sql2[256];
  snprintf(sql2, sizeof(sql2),
           "SELECT count(*) FROM pack_opens p JOIN users u ON u.id = p.user_id"
           " WHERE u.discord_id = '%s' AND p.pack = 'mega-99'",
           F);
  assert_int_equal(pd_e2e_sql_int(&E, sql2), 0);
  json_decref(reply);
  json_decref(ix);
}

static void test_draw_one_card(void **state)
{
  const char *G = "700000000000000107";
  json_t *ix = pd_e2e_command("draw", G), *reply = NULL;
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 5);
  json_decref(reply);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  json_t *embed = json_array_get(
      json_object_get(json_object_get(json_array_get(reqs, 0), "json"), "embeds"), 0);
  assert_non_null(strstr(json_string_value(json_object_get(embed, "title")), "You drew "));
  assert_non_null(strstr(json_string_value(json_object_get(json_object_get(embed, "image"), "url")),
                         "/cards/"));
  assert_non_null(strstr(json_string_value(json_object_get(embed, "description")), "A free draw"));
  json_decref(reqs);
  json_decref(ix);
  assert_int_equal(
      pd_e2e_sql_int(&E, "SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
                         " WHERE u.discord_id = '700000000000000107' AND c.source = 'draw'"),
      1);
  int64_t left = cooldown_left(G, "draw");
  assert_true(left > 100 && left <= 120);
  ix = pd_e2e_command("draw", G);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  assert_non_null(strstr(pd_e2e_content(reply), "You can draw again <t:"));
  json_decref(reply);
  json_decref(ix);
}

/* An event's temporary cards are drawn while it runs, beside the permanent ones (the rarity
 * odds stay the pack's); a kept one is marked as an event card and leaves the collection when
 * it expires, and nothing of the event is drawn after it ends. */
static void test_event_cards(void **state)
{
  char sql[1024], user[32], custom[64];
  assert_true(pd_e2e_sql(&E,
                         "INSERT INTO events (name, start_at, end_at) VALUES ('Summer Festival',"
                         " now() - interval '1 hour', now() + interval '2 days')"));
  assert_true(pd_e2e_sql(
      &E,
      "INSERT INTO temp_card_templates (public_id, artist_id, era_id, rarity, image_url, event_id,"
      " expires_at) SELECT 'EVNT_SF#0' || r.n, t.artist_id, t.era_id, r.rarity, t.image_url,"
      " (SELECT max(id) FROM events), now() + interval '1 day'"
      " FROM (VALUES (1, 'common'), (2, 'rare'), (3, 'epic'), (4, 'legendary'), (5, 'mythic')) "
      "r(n, rarity),"
      " (SELECT * FROM card_templates ORDER BY id LIMIT 1) t"));
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM drawable_cards WHERE id < 0"), 5);
  /* About one pack in three holds an event card: open packs until one does. */
  int64_t pack = -1;
  for (int i = 0; i < 40 && pack < 0; i++) {
    snprintf(user, sizeof(user), "7000000000000003%02d", i);
    json_decref(open_pack(user, NULL, false));
    pack =
        pd_e2e_sql_int(&E, "SELECT id FROM pack_opens WHERE id = (SELECT max(id) FROM pack_opens)"
                           " AND EXISTS (SELECT 1 FROM unnest(template_ids) x WHERE x < 0)");
  }
  assert_true(pack > 0);
  snprintf(sql, sizeof(sql),
           "SELECT array_position(template_ids, (SELECT min(x) FROM unnest(template_ids) x)) - 1"
           " FROM pack_opens WHERE id = %lld",
           (long long)pack);
  int64_t index = pd_e2e_sql_int(&E, sql);
  snprintf(custom, sizeof(custom), "pick:%lld:%lld", (long long)pack, (long long)index);
  json_t *reply = NULL;
  assert_int_equal(press(custom, user, &reply), 200);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 7);
  char *kept =
      json_dumps(json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0), 0);
  assert_non_null(strstr(kept, "\"Event card\""));
  assert_non_null(strstr(kept, "EVNT_SF#0"));
  free(kept);
  json_decref(reply);
  snprintf(sql, sizeof(sql),
           "SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
           " JOIN temp_card_templates t ON t.id = c.temp_template_id WHERE u.discord_id = '%s' AND "
           "c.is_temporary"
           " AND c.template_id IS NULL AND c.expires_at = t.expires_at AND c.print_no = "
           "t.copies_created",
           user);
  assert_int_equal(pd_e2e_sql_int(&E, sql), 1);
  /* In the collection, marked as an event card. */
  json_t *ix = pd_e2e_command("mycards", user);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  const char *d = json_string_value(json_object_get(
      json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0), "description"));
  assert_non_null(strstr(d, " · event card"));
  json_decref(reply);
  /* A day later: the copy has expired and the event is over. */
  snprintf(sql, sizeof(sql),
           "UPDATE user_cards SET expires_at = now() - interval '1 second' WHERE is_temporary"
           " AND user_id = (SELECT id FROM users WHERE discord_id = '%s')",
           user);
  assert_true(pd_e2e_sql(&E, sql));
  assert_true(pd_e2e_sql(
      &E,
      "UPDATE events SET start_at = now() - interval '3 days', end_at = now() - interval '1 second'"
      " WHERE name = 'Summer Festival'"));
  ix = pd_e2e_command("mycards", user);
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  char *all = json_dumps(reply, 0);
  assert_null(strstr(all, "EVNT_SF"));
  free(all);
  json_decref(reply);
  assert_int_equal(pd_e2e_sql_int(&E, "SELECT count(*) FROM drawable_cards WHERE id < 0"), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_open_flip_and_keep),
      PD_E2E_TEST(test_concurrent_presses_keep_one_card),
      PD_E2E_TEST(test_expired_pack_keeps_nothing),
      PD_E2E_TEST(test_cooldowns_and_boosters),
      PD_E2E_TEST(test_paying_after_the_free_opens),
      PD_E2E_TEST(test_draw_one_card),
      PD_E2E_TEST(test_event_cards),
  };
  return cmocka_run_group_tests_name("e2e_packs", tests, setup, teardown);
}
