/* e2e_collection.c - looking at cards, end to end: /mycards pages (keyset, stable while cards
 * arrive, buttons only for the player who asked), duplicates and print numbers, filters,
 * autocomplete, /viewcard, /inventory with /privacy, /cooldowns and /odds (with an event
 * boost running). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"
#include "reply.h"

static struct pd_e2e E;
static const char *H = "700000000000000201", *I = "700000000000000202";

/* Gives the player the first n cards (id order) through the same copy numbering as a pick. */
static void give(const char *user, int n)
{
  char sql[1024];
  snprintf(sql, sizeof(sql), "INSERT INTO users (discord_id) VALUES ('%s') ON CONFLICT DO NOTHING",
           user);
  assert_true(pd_e2e_sql(&E, sql));
  snprintf(sql, sizeof(sql),
           "WITH t AS (SELECT id FROM card_templates ORDER BY id LIMIT %d),"
           " upd AS (UPDATE card_templates c SET copies_created = copies_created + 1 FROM t WHERE "
           "c.id = t.id"
           "  RETURNING c.id, c.copies_created)"
           " INSERT INTO user_cards (user_id, template_id, print_no, source)"
           " SELECT (SELECT id FROM users WHERE discord_id = '%s'), id, copies_created, 'test' "
           "FROM upd ORDER BY upd.id",
           n, user);
  assert_true(pd_e2e_sql(&E, sql));
}

static int setup(void **state)
{
  char cmd[2048];
  if (pd_e2e_setup(&E, "collection") != 0)
    return -1;
  snprintf(cmd, sizeof(cmd),
           "DATABASE_URL=\"%s\" CARDS_DIR=\"%s\" %s/popdeck seed demo --limit 3 >/dev/null",
           E.db_url, E.cards_dir, E.build);
  return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

static json_t *run(const char *name, const char *user, const char *opt, const char *value)
{
  json_t *ix = pd_e2e_command(name, user), *reply = NULL;
  if (opt != NULL)
    pd_e2e_option(ix, opt, strcmp(opt, "user") == 0 ? 6 : 3, json_string(value));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

static json_t *embed0(json_t *reply)
{
  return json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0);
}

static const char *button(json_t *reply, size_t i, bool *disabled)
{
  json_t *row = json_array_get(json_object_get(json_object_get(reply, "data"), "components"), 0);
  json_t *b = json_array_get(json_object_get(row, "components"), i);
  *disabled = json_is_true(json_object_get(b, "disabled"));
  return json_string_value(json_object_get(b, "custom_id"));
}

/* The card ids on a listing page, in order, one per line of the description. */
static size_t ids_on(json_t *reply, char ids[][16], size_t max)
{
  const char *d = json_string_value(json_object_get(embed0(reply), "description"));
  size_t n = 0;
  for (const char *p = d; p != NULL && (p = strchr(p, '`')) != NULL && n < max;
       p = strchr(p + 1, '`') + 1) {
    snprintf(ids[n], 16, "%.10s", p + 1);
    n++;
  }
  return n;
}

static json_t *press(const char *custom_id, const char *user)
{
  json_t *ix = pd_e2e_button(custom_id, user), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

static void test_empty_collection_points_to_packs(void **state)
{
  json_t *r = run("mycards", H, NULL, NULL);
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(
      strstr(pd_e2e_content(r), "Your collection is empty. Open a pack with /openpack"));
  json_decref(r);
}

static void test_pages_are_stable_and_complete(void **state)
{
  char p1[10][16], p2[10][16], p3[10][16], again[10][16];
  bool off = false;
  give(H, 23);
  give(H, 2); /* two duplicates: 25 copies of 23 cards */
  json_t *r1 = run("mycards", H, NULL, NULL);
  assert_false(pd_e2e_ephemeral(r1));
  assert_int_equal(ids_on(r1, p1, 10), 10);
  assert_non_null(
      strstr(json_string_value(json_object_get(json_object_get(embed0(r1), "footer"), "text")),
             "Page 1 · 25 cards, 23 different · sorted by newest"));
  const char *prev = button(r1, 0, &off);
  assert_true(off);
  char next[101];
  snprintf(next, sizeof(next), "%s", button(r1, 1, &off));
  assert_false(off);
  assert_true(strlen(next) <= 100);
  /* Someone else cannot page it. */
  json_t *r = press(next, I);
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), "These buttons belong to"));
  json_decref(r);
  /* A card arriving while paging goes to the top, and the pages after are not shifted. */
  give(I, 1);
  assert_true(pd_e2e_sql(
      &E, "WITH upd AS (UPDATE card_templates SET copies_created = copies_created + 1"
          " WHERE id = (SELECT max(id) FROM card_templates) RETURNING id, copies_created)"
          " INSERT INTO user_cards (user_id, template_id, print_no) SELECT"
          " (SELECT id FROM users WHERE discord_id = '700000000000000201'), id, copies_created "
          "FROM upd"));
  json_t *r2 = press(next, H);
  assert_int_equal(json_integer_value(json_object_get(r2, "type")), 7);
  assert_int_equal(ids_on(r2, p2, 10), 10);
  char next2[101], prev2[101];
  snprintf(next2, sizeof(next2), "%s", button(r2, 1, &off));
  assert_false(off);
  snprintf(prev2, sizeof(prev2), "%s", button(r2, 0, &off));
  assert_false(off);
  json_t *r3 = press(next2, H);
  size_t n3 = ids_on(r3, p3, 10);
  assert_int_equal(n3, 3);
  button(r3, 1, &off);
  assert_true(off); /* the last page */
  /* 23 different cards over three pages, none twice. */
  for (size_t i = 0; i < 10; i++)
    for (size_t k = 0; k < 10; k++) {
      assert_string_not_equal(p1[i], p2[k]);
      if (k < n3) {
        assert_string_not_equal(p1[i], p3[k]);
        assert_string_not_equal(p2[i], p3[k]);
      }
    }
  /* Back from page 3 is page 2 again, row for row. */
  char back[101];
  snprintf(back, sizeof(back), "%s", button(r3, 0, &off));
  json_t *r2b = press(back, H);
  assert_int_equal(ids_on(r2b, again, 10), 10);
  for (size_t i = 0; i < 10; i++)
    assert_string_equal(again[i], p2[i]);
  assert_non_null(
      strstr(json_string_value(json_object_get(json_object_get(embed0(r2b), "footer"), "text")),
             "Page 2"));
  /* And back again to page 1, which now starts with the card that arrived. */
  json_t *r1b = press(prev2, H);
  assert_int_equal(ids_on(r1b, again, 10), 10);
  assert_string_equal(again[1], p1[0]);
  (void)prev;
  json_decref(r1);
  json_decref(r2);
  json_decref(r3);
  json_decref(r2b);
  json_decref(r1b);
}

/* A forged page number (zik0zj is INT_MAX) is refused with the message for a foreign button, and
 * the server answers the next press as before (the -O1 sanitizer build aborted on page + 1). */
static void test_forged_page_is_refused(void **state)
{
  json_t *r = press("mycards:1:1:0:0:-:n:zik0zj:n:0:0", H);
  assert_true(pd_e2e_ephemeral(r));
  assert_string_equal(pd_e2e_content(r),
                      "That button is not one PopDeck made. Run /mycards again.");
  json_decref(r);
  r = run("mycards", H, NULL, NULL);
  assert_false(pd_e2e_ephemeral(r));
  json_decref(r);
}

static void test_duplicates_filters_and_sorts(void **state)
{
  /* Duplicates show their count and both print numbers. */
  json_t *r = run("mycards", H, "sort", "artist");
  const char *d = json_string_value(json_object_get(embed0(r), "description"));
  assert_non_null(strstr(d, " · ×2 (#1, #2)"));
  json_decref(r);
  r = run("mycards", H, "rarity", "mythic");
  d = json_string_value(json_object_get(embed0(r), "description"));
  assert_non_null(strstr(d, "Mythic"));
  assert_null(strstr(d, "Common"));
  assert_non_null(
      strstr(json_string_value(json_object_get(embed0(r), "title")), "Your collection: Mythic"));
  json_decref(r);
  /* A prefix names the artist; a name matching nothing is told so. */
  r = run("mycards", H, "artist", "taylor");
  assert_non_null(strstr(json_string_value(json_object_get(embed0(r), "title")), "Taylor Swift"));
  assert_null(strstr(json_string_value(json_object_get(embed0(r), "description")), "Dua Lipa"));
  json_decref(r);
  /* LIKE's wildcards are characters in a name, not patterns: "T_ylor" and "%wift" name nobody. */
  const char *wild[] = {"T_ylor", "%wift", "_", "%", "taylor\\"};
  for (size_t i = 0; i < PD_ARRAY_LEN(wild); i++) {
    char want[120];
    r = run("mycards", H, "artist", wild[i]);
    snprintf(want, sizeof(want), "No artist called \"%s\"", wild[i]);
    if (!pd_e2e_ephemeral(r) || strstr(pd_e2e_content(r), want) == NULL)
      fail_msg("artist \"%s\" matched: %s", wild[i],
               json_string_value(json_object_get(embed0(r), "title")));
    json_decref(r);
  }
  r = run("mycards", H, "artist", "Nobody Famous");
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), "No artist called \"Nobody Famous\""));
  json_decref(r);
  /* Rarest first. */
  r = run("mycards", H, "sort", "rarity");
  char ids[10][16];
  ids_on(r, ids, 10);
  assert_non_null(strstr(json_string_value(json_object_get(embed0(r), "description")), "Mythic"));
  assert_true(strstr(json_string_value(json_object_get(embed0(r), "description")), "Mythic") <
              strstr(json_string_value(json_object_get(embed0(r), "description")), "Legendary"));
  json_decref(r);
}

static json_t *suggest(const char *command, const char *option, const char *typed)
{
  json_t *ix = pd_e2e_autocomplete(command, option, typed, H), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 8);
  json_t *choices = json_incref(json_object_get(json_object_get(reply, "data"), "choices"));
  json_decref(reply);
  return choices;
}

static void test_autocomplete(void **state)
{
  json_t *c = suggest("mycards", "artist", "lip");
  assert_int_equal(json_array_size(c), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "value")),
                      "Dua Lipa");
  json_decref(c);
  c = suggest("mycards", "era", "1989");
  assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "name")),
                      "1989 (Taylor Swift)");
  char era[32];
  snprintf(era, sizeof(era), "%s",
           json_string_value(json_object_get(json_array_get(c, 0), "value")));
  assert_int_equal(strncmp(era, "e:", 2), 0);
  json_decref(c);
  /* The value a suggestion carries works as the option. */
  json_t *r = run("mycards", H, "era", era);
  assert_non_null(
      strstr(json_string_value(json_object_get(embed0(r), "title")), "1989 (Taylor Swift)"));
  json_decref(r);
  c = suggest("viewcard", "card", "tayl_19");
  assert_int_equal(json_array_size(c), 5);
  for (size_t i = 0; i < 5; i++)
    assert_int_equal(
        strncmp(json_string_value(json_object_get(json_array_get(c, i), "value")), "TAYL_19#0", 9),
        0);
  json_decref(c);
  /* Everything matches an empty string: 25 at most.  LIKE's wildcards are just characters. */
  c = suggest("viewcard", "card", "");
  assert_int_equal(json_array_size(c), 25);
  json_decref(c);
  c = suggest("viewcard", "card", "%");
  assert_int_equal(json_array_size(c), 0);
  json_decref(c);
}

static void test_viewcard(void **state)
{
  char url[600];
  pd_e2e_sql_text(&E, "SELECT image_url FROM card_templates ORDER BY id LIMIT 1", url, sizeof(url));
  char pid[32];
  pd_e2e_sql_text(&E, "SELECT public_id FROM card_templates ORDER BY id LIMIT 1", pid, sizeof(pid));
  json_t *r = run("viewcard", H, "card", pid);
  json_t *e = embed0(r);
  assert_string_equal(json_string_value(json_object_get(json_object_get(e, "image"), "url")), url);
  assert_non_null(strstr(json_string_value(json_object_get(e, "description")), "You own #1, #2."));
  char *all = json_dumps(e, 0);
  assert_non_null(strstr(all, "\"Copies in the game\""));
  assert_non_null(strstr(all, "\"Owners\""));
  free(all);
  json_decref(r);
  r = run("viewcard", I, "card", "NOPE_00#01");
  assert_non_null(strstr(pd_e2e_content(r), "No card NOPE_00#01"));
  json_decref(r);
}

static bool utf8_ok(const char *s)
{
  json_t *j = s != NULL ? json_string(s) : NULL; /* jansson refuses broken UTF-8 */
  bool ok = j != NULL;
  json_decref(j);
  return ok;
}

/* MusicBrainz has album titles over 400 characters.  An artist and an era whose names are each
 * longer than every buffer they pass through, in two-byte letters: the filter summary, the
 * title, the rows and /viewcard are cut between characters with "…" and stay within Discord's
 * limits (the -O1 sanitizer build caught the summary writing past its buffer before). */
static void test_long_multibyte_names(void **state)
{
  char artist[2048], era[2048], sql[1024];
  assert_true(pd_e2e_sql(&E, "INSERT INTO artists (name) VALUES ('Ωmega ' || repeat('ü', 260))"));
  assert_true(pd_e2e_sql(
      &E, "INSERT INTO eras (artist_id, name, start_date) SELECT id, 'Épopée ' || repeat('é', 240),"
          " '2020-01-01' FROM artists WHERE name LIKE 'Ωmega %'"));
  assert_true(pd_e2e_sql(
      &E, "INSERT INTO card_templates (public_id, artist_id, era_id, rarity, image_url)"
          " SELECT 'OMEG_EP#01', a.id, e.id, 'common', 'http://127.0.0.1:1/cards/OMEG_EP-01.png'"
          " FROM artists a JOIN eras e ON e.artist_id = a.id WHERE a.name LIKE 'Ωmega %'"));
  snprintf(sql, sizeof(sql),
           "WITH upd AS (UPDATE card_templates SET copies_created = copies_created + 1"
           " WHERE public_id = 'OMEG_EP#01' RETURNING id, copies_created)"
           " INSERT INTO user_cards (user_id, template_id, print_no) SELECT"
           " (SELECT id FROM users WHERE discord_id = '%s'), id, copies_created FROM upd",
           H);
  assert_true(pd_e2e_sql(&E, sql));
  pd_e2e_sql_text(&E, "SELECT name FROM artists WHERE name LIKE 'Ωmega %'", artist, sizeof(artist));
  pd_e2e_sql_text(&E, "SELECT name FROM eras WHERE name LIKE 'Épopée %'", era, sizeof(era));
  assert_true(strlen(artist) > 500 && strlen(era) > 450);

  json_t *ix = pd_e2e_command("mycards", H), *r = NULL;
  pd_e2e_option(ix, "artist", 3, json_string(artist));
  pd_e2e_option(ix, "era", 3, json_string(era));
  pd_e2e_option(ix, "rarity", 3, json_string("common"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &r), 200);
  json_decref(ix);
  assert_false(pd_e2e_ephemeral(r));
  const char *title = json_string_value(json_object_get(embed0(r), "title"));
  const char *desc = json_string_value(json_object_get(embed0(r), "description"));
  assert_non_null(title);
  assert_true(utf8_ok(title) && utf8_ok(desc));
  assert_int_equal(strncmp(title, "Your collection: Ωmega üü", strlen("Your collection: Ωmega üü")),
                   0);
  assert_true(pd_utf8_len(title) <= 256);
  assert_int_equal(strcmp(title + strlen(title) - 3, "…"), 0);
  /* The row names the card with both names cut, and its id. */
  assert_non_null(strstr(desc, "`OMEG_EP#01` **Ωmega üü"));
  assert_non_null(strstr(desc, "… — Épopée éé"));
  json_decref(r);

  /* /viewcard: the embed title is "ARTIST — ERA", cut to Discord's 256. */
  r = run("viewcard", H, "card", "OMEG_EP#01");
  title = json_string_value(json_object_get(embed0(r), "title"));
  assert_non_null(title);
  assert_true(utf8_ok(title));
  assert_true(pd_utf8_len(title) <= 256);
  assert_int_equal(strncmp(title, "Ωmega üü", strlen("Ωmega üü")), 0);
  json_decref(r);

  /* An unknown multi-byte name is quoted back cut between characters, not refused as broken. */
  char unknown[sizeof(artist) + 8];
  snprintf(unknown, sizeof(unknown), "Ж%s", artist);
  r = run("mycards", H, "artist", unknown);
  assert_true(pd_e2e_ephemeral(r));
  assert_true(utf8_ok(pd_e2e_content(r)));
  assert_non_null(strstr(pd_e2e_content(r), "No artist called \"ЖΩmega üü"));
  assert_non_null(strstr(pd_e2e_content(r), "…\" in PopDeck"));
  json_decref(r);
}

static void test_inventory_and_privacy(void **state)
{
  json_t *r = run("inventory", I, "user", H);
  assert_false(pd_e2e_ephemeral(r));
  assert_non_null(strstr(json_string_value(json_object_get(embed0(r), "title")), "'s collection"));
  json_decref(r);
  json_decref(run("privacy", H, "mode", "on"));
  r = run("inventory", I, "user", H);
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), "keeps their collection private"));
  json_decref(r);
  r = run("inventory", H, "user", H); /* the owner still sees it */
  assert_false(pd_e2e_ephemeral(r));
  json_decref(r);
  json_decref(run("privacy", H, "mode", "off"));
  r = run("inventory", I, "user", H);
  assert_false(pd_e2e_ephemeral(r));
  json_decref(r);
  r = run("inventory", I, "user", "700000000000000299");
  assert_non_null(strstr(pd_e2e_content(r), "has not played PopDeck yet"));
  json_decref(r);
}

static void test_cooldowns(void **state)
{
  assert_true(pd_e2e_sql(
      &E, "INSERT INTO user_cooldowns (user_id, command, expires_at) SELECT id, 'openpack',"
          " now() + interval '5 minutes' FROM users WHERE discord_id = '700000000000000201'"));
  json_t *r = run("cooldowns", H, NULL, NULL);
  assert_true(pd_e2e_ephemeral(r));
  const char *d = json_string_value(json_object_get(embed0(r), "description"));
  assert_non_null(strstr(d, "**/daily** — ready now"));
  assert_non_null(strstr(d, "**/openpack** — ready <t:"));
  assert_non_null(strstr(d, "**/draw** — ready now"));
  assert_non_null(strstr(d, "Free today: 3 Standard pack, 5 draws."));
  json_decref(r);
}

static void test_odds(void **state)
{
  json_t *r = run("odds", H, NULL, NULL);
  char *all = json_dumps(embed0(r), 0);
  assert_non_null(strstr(all, "Standard pack (3 cards, keep 1)"));
  assert_non_null(strstr(all, "Premium pack (5 cards, keep 1)"));
  assert_non_null(strstr(all, "/draw (1 card)"));
  assert_non_null(strstr(all, "Mythic: **1.0000%**"));
  assert_non_null(strstr(all, "Common: **62.0000%**"));
  assert_non_null(strstr(all, "Legendary: **8.0000%**")); /* premium */
  assert_null(strstr(all, "usually"));
  free(all);
  json_decref(r);
  /* An event with a boost is running: the boosted odds, and what they usually are. */
  assert_true(pd_e2e_sql(&E,
                         "INSERT INTO events (name, start_at, end_at) VALUES ('Summer Festival',"
                         " now() - interval '1 hour', now() + interval '1 day')"));
  r = run("odds", H, "pack", "standard-3");
  all = json_dumps(embed0(r), 0);
  assert_non_null(strstr(all, "Event boost on now:** Summer Festival"));
  /* mythic 1 x 2 and legendary 4 x 1.5 over 62 + 23 + 10 + 6 + 2 = 103. */
  assert_non_null(strstr(all, "Mythic: **1.9417%** (usually 1.0000%)"));
  assert_non_null(strstr(all, "Legendary: **5.8252%** (usually 4.0000%)"));
  assert_null(strstr(all, "Premium"));
  free(all);
  json_decref(r);
  r = run("odds", H, "pack", "mega-99");
  assert_true(pd_e2e_ephemeral(r));
  assert_string_equal(pd_e2e_content(r), "\"mega-99\" is not a choice for **pack**. Choose one of: "
                                         "standard-3, premium-5, festival-3.");
  json_decref(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_empty_collection_points_to_packs),
      PD_E2E_TEST(test_pages_are_stable_and_complete),
      PD_E2E_TEST(test_forged_page_is_refused),
      PD_E2E_TEST(test_duplicates_filters_and_sorts),
      PD_E2E_TEST(test_autocomplete),
      PD_E2E_TEST(test_viewcard),
      PD_E2E_TEST(test_long_multibyte_names),
      PD_E2E_TEST(test_inventory_and_privacy),
      PD_E2E_TEST(test_cooldowns),
      PD_E2E_TEST(test_odds),
  };
  return cmocka_run_group_tests_name("e2e_collection", tests, setup, teardown);
}
