/* e2e_admin_cards.c - the admin's card operations end to end, through /admin in Discord on two
 * real servers and one PostgreSQL: setrarity seen at once in an owner's /mycards and /viewcard
 * and on /market, one DM per owner reaching the Discord double, the render job queued, the audit
 * row; delete_template through its Confirm button (only that admin, once) with its listings and
 * trades cancelled, escrow back, refunds from 'refunds' on the ledger and the books clean;
 * refund=false; the removed card gone from /viewcard, suggestions and packs; purge_artist, and a
 * reseed that does not bring the artist back; and a delete's Confirm raced against a /buy and a
 * /trade confirm of an affected copy from the other server. */
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
#include <unistd.h>

#include "admin_e2e.h"
#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static char admin_env[600], assets_env[600];
static int buy_first, delete_first, swap_first, cancel_first; /* who won the races */

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

/* What /burn pays (assets/packs.json). */
#define BURN_COMMON 10
#define BURN_RARE 40
#define BURN_LEGENDARY 400
#define BURN_MYTHIC 1000

static int start(int idx)
{
  const char *extra[] = {admin_env, assets_env, "DISCORD_BOT_TOKEN=test-bot-token", NULL};
  return pd_e2e_server_start(&E, idx, extra);
}

static int setup(void **state)
{
  /* Three artists: Taylor Swift, Beyoncé, Dua Lipa (the one purged). */
  if (pd_ae_setup(&E, "admin_cards", admin_env, sizeof(admin_env)) != 0 ||
      pd_e2e_seed_demo(&E, 3) != 0 ||
      pd_ge_assets_with("e2e_admin_cards-assets", "trade_confirm_delay_s", 0, assets_env,
                        sizeof(assets_env)) != 0)
    return -1;
  return start(0) != 0 || start(1) != 0 ? -1 : 0;
}

static int teardown(void **state)
{
  printf("e2e_admin_cards: delete vs /buy: buy first %d, delete first %d; delete vs /trade "
         "confirm: swap first %d, delete first %d\n",
         buy_first, delete_first, swap_first, cancel_first);
  pd_e2e_teardown(&E);
  return 0;
}

static void contains(json_t *reply, const char *needle)
{
  const char *t = pd_ge_text(reply);
  if (strstr(t, needle) == NULL)
    fail_msg("\"%s\" not in \"%s\"", needle, t);
}

/* The nth card (id order) that matches the SQL condition on card_templates t. */
static void card_where(const char *where, int nth, char pid[32])
{
  char sql[600];
  snprintf(sql, sizeof(sql),
           "SELECT t.public_id FROM card_templates t JOIN artists a ON a.id = t.artist_id"
           " WHERE t.removed_at IS NULL AND %s ORDER BY t.id OFFSET %d LIMIT 1",
           where, nth);
  pd_e2e_sql_text(&E, sql, pid, 32);
  assert_true(pid[0] != '\0');
}

/* "PID (Artist — Era)" as the DMs name a card. */
static void card_name(const char *pid, char *out, size_t cap)
{
  char sql[400];
  snprintf(sql, sizeof(sql),
           "SELECT t.public_id || ' (' || a.name || ' — ' || e.name || ')' FROM card_templates t"
           " JOIN artists a ON a.id = t.artist_id JOIN eras e ON e.id = t.era_id"
           " WHERE t.public_id = '%s'",
           pid);
  pd_e2e_sql_text(&E, sql, out, cap);
}

/* A new copy of card pid for the player (print numbers as minting gives them); ref gets
 * PID/PRINT.  Returns user_cards.id. */
static int64_t copy_of(const char *discord, const char *pid, char ref[48])
{
  int64_t id = sqlf("WITH t AS (UPDATE card_templates SET copies_created = copies_created + 1"
                    " WHERE public_id = '%s' RETURNING id, copies_created)"
                    " INSERT INTO user_cards (user_id, template_id, print_no, source)"
                    " SELECT u.id, t.id, t.copies_created, 'test' FROM t, users u"
                    " WHERE u.discord_id = '%s' RETURNING id",
                    pid, discord);
  assert_true(id > 0);
  char sql[300];
  snprintf(sql, sizeof(sql),
           "SELECT t.public_id || '/' || lpad(c.print_no::text, 2, '0') FROM user_cards c"
           " JOIN card_templates t ON t.id = c.template_id WHERE c.id = %lld",
           (long long)id);
  pd_e2e_sql_text(&E, sql, ref, 48);
  return id;
}

static json_t *post(int srv, json_t *ix)
{
  json_t *r = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return r;
}

static void run_ok(int srv, json_t *ix)
{
  json_decref(post(srv, ix));
}

static json_t *with_card(const char *command, const char *sub, const char *user, const char *ref)
{
  json_t *ix = pd_ge_command(command, sub, user);
  pd_ge_option(ix, "card", 3, json_string(ref), 0);
  return ix;
}

/* /sell ref for price Notes, globally; returns the listing id. */
static int64_t sell(const char *user, const char *ref, int64_t price)
{
  json_t *ix = with_card("sell", NULL, user, ref);
  pd_ge_option(ix, "price", 4, json_integer(price), 0);
  pd_ge_option(ix, "currency", 3, json_string("notes"), 0);
  pd_ge_option(ix, "scope", 3, json_string("global"), 0);
  run_ok(0, ix);
  int64_t id = sqlf("SELECT l.id FROM market_listings l JOIN user_cards c ON c.id ="
                    " l.user_card_id JOIN card_templates t ON t.id = c.template_id WHERE"
                    " t.public_id || '/' || lpad(c.print_no::text, 2, '0') = '%s' AND l.status ="
                    " 'active'",
                    ref);
  assert_true(id > 0);
  return id;
}

static json_t *trade_start(const char *a, const char *b)
{
  json_t *ix = pd_ge_command("trade", "start", a);
  pd_ge_option(ix, "user", 6, json_string(b), 0);
  return ix;
}

static json_t *admin_card(const char *sub, const char *card, int refund)
{
  json_t *ix = pd_ae_ix(PD_AE_ADMIN, sub);
  pd_ge_option(ix, "card", 3, json_string(card), 0);
  if (refund >= 0)
    pd_ge_option(ix, "refund", 5, json_boolean(refund), 0);
  return ix;
}

static json_t *setrarity_ix(const char *pid, const char *rarity)
{
  json_t *ix = admin_card("setrarity", pid, -1);
  pd_ge_option(ix, "rarity", 3, json_string(rarity), 0);
  return ix;
}

static json_t *press(int srv, const char *who, const char *custom_id)
{
  return post(srv, pd_e2e_button(custom_id, who));
}

/* Asks for delete_template (or purge_artist with artist) and returns its Confirm button. */
static void preview(json_t *ix, const char *expect, char confirm[80])
{
  json_t *r = post(0, ix);
  if (expect != NULL)
    contains(r, expect);
  const char *b = pd_ge_button(r, 0, 0);
  if (b == NULL || strncmp(b, "admin:confirm:", 14) != 0)
    fail_msg("no Confirm button: %s", pd_ge_text(r));
  snprintf(confirm, 80, "%s", b);
  json_decref(r);
}

/* The DMs the double got for a Discord user, waiting for at least n. */
static json_t *dms(const char *discord, size_t n)
{
  char path[80];
  snprintf(path, sizeof(path), "/channels/9%s/messages", discord);
  json_t *got = pd_double_wait_requests(E.dbl, path, n, 15000);
  if (got == NULL)
    fail_msg("fewer than %zu DMs reached %s", n, discord);
  return got;
}

static const char *dm_text(json_t *msgs, size_t i)
{
  return json_string_value(
      json_object_get(json_object_get(json_array_get(msgs, i), "json"), "content"));
}

/* Whether one of the DMs holds needle. */
static int dm_has(json_t *msgs, const char *needle)
{
  for (size_t i = 0; i < json_array_size(msgs); i++)
    if (dm_text(msgs, i) != NULL && strstr(dm_text(msgs, i), needle) != NULL)
      return 1;
  return 0;
}

static void books_ok(void)
{
  assert_string_equal(pd_ge_books(&E), "");
}

/* The Rarity field of the first embed. */
static const char *rarity_field(json_t *reply)
{
  json_t *e = json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0);
  size_t i;
  json_t *f;
  json_array_foreach(json_object_get(e, "fields"), i, f)
  {
    if (strcmp(json_string_value(json_object_get(f, "name")), "Rarity") == 0)
      return json_string_value(json_object_get(f, "value"));
  }
  return "";
}

/* setrarity: the card is Epic at once in /mycards, /viewcard and on /market (its listing also
 * under the epic filter); its two owners get one DM each, whatever their number of copies; the
 * render job and the audit row say what changed. */
static void test_setrarity_reaches_owners_at_once(void **state)
{
  const char *O1 = "731000000000000001", *O2 = "731000000000000002", *V = "731000000000000003";
  char pid[32], name[300], ref[48], want[400];
  card_where("t.rarity = 'rare' AND a.name = 'Taylor Swift'", 0, pid);
  card_name(pid, name, sizeof(name));
  pd_ge_player(&E, O1, 30);
  pd_ge_player(&E, O2, 30);
  pd_ge_player(&E, V, 30);
  copy_of(O1, pid, ref);
  copy_of(O1, pid, ref);
  copy_of(O2, pid, ref);
  sell(O2, ref, 100);

  json_t *r = post(1, setrarity_ix(pid, "epic"));
  snprintf(want, sizeof(want), "%s is now Epic (was Rare): 2 owners told, 1 active listing", name);
  contains(r, want);
  json_decref(r);

  /* /mycards of an owner, on the other server. */
  r = post(0, pd_ge_command("mycards", NULL, O1));
  snprintf(want, sizeof(want), "`%s` ", pid);
  const char *row = strstr(pd_ge_text(r), want);
  if (row == NULL || strstr(row, "· Epic") == NULL || strstr(row, "\n") < strstr(row, "· Epic"))
    fail_msg("/mycards: %s", pd_ge_text(r));
  json_decref(r);
  r = post(1, with_card("viewcard", NULL, O1, pid));
  assert_string_equal(rarity_field(r), "Epic");
  json_decref(r);
  /* /market: the listing shows Epic, and the epic filter finds it. */
  json_t *ix = pd_ge_command("market", NULL, V);
  pd_ge_option(ix, "rarity", 3, json_string("epic"), 0);
  r = post(0, ix);
  row = strstr(pd_ge_text(r), pid);
  if (row == NULL || strstr(row, "· Epic ·") == NULL)
    fail_msg("/market rarity:epic: %s", pd_ge_text(r));
  json_decref(r);
  assert_int_equal(sqlf("SELECT count(*) FROM market_listings l JOIN card_templates t ON t.id ="
                        " l.card_id WHERE t.public_id = '%s' AND l.status = 'active' AND"
                        " l.rarity = 'epic' AND l.rarity_order = 2",
                        pid),
                   1);

  /* One DM each, through the durable queue to the double. */
  snprintf(want, sizeof(want), "Your card %s is now Epic (was Rare).", name);
  json_t *m1 = dms(O1, 1), *m2 = dms(O2, 1);
  assert_string_equal(dm_text(m1, 0), want);
  assert_string_equal(dm_text(m2, 0), want);
  json_decref(m1);
  json_decref(m2);
  assert_int_equal(sqlf("SELECT count(*) FROM followup_jobs WHERE method = 'dm' AND"
                        " attach->>'recipient_id' = '%s'",
                        O1),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE kind = 'render' AND params ="
                        " '{\"cards\": [\"%s\"]}'::jsonb AND actor = '%s'",
                        pid, PD_AE_ADMIN),
                   1);
  snprintf(want, sizeof(want),
           "action = 'setrarity' AND outcome = 'done' AND target = 'card %s' AND"
           " before->>'rarity' = 'rare' AND after->>'rarity' = 'epic' AND"
           " (after->>'owners_notified')::int = 2",
           pid);
  assert_int_equal(pd_ae_audit_count(&E, want), 1);

  /* The same rarity again, an unknown card. */
  r = post(0, setrarity_ix(pid, "epic"));
  contains(r, "is already Epic");
  json_decref(r);
  ix = pd_ae_ix(PD_AE_ADMIN, "setrarity");
  pd_ge_option(ix, "card", 3, json_string("NOPE_00#01"), 0);
  pd_ge_option(ix, "rarity", 3, json_string("rare"), 0);
  r = post(0, ix);
  contains(r, "There is no card NOPE_00#01");
  json_decref(r);
  books_ok();
}

/* delete_template with refund through Confirm: the preview counts what goes; only the admin
 * who asked can confirm, once; then the listing is cancelled, the trade offering a copy is
 * cancelled with the other side's card and Notes where they were, every copy is gone with a move
 * to nobody, each owner is paid the burn value per copy from 'refunds', everyone is told, and the
 * card is nowhere a player looks. */
static void test_delete_template_refunds_through_confirm(void **state)
{
  const char *A = "732000000000000001", *B = "732000000000000002", *C = "732000000000000003";
  char pid[32], other[32], name[300], ref[48], bref[48], cref[48], confirm[80], want[400];
  card_where("t.rarity = 'common' AND a.name = 'Taylor Swift'", 1, pid);
  card_where("t.rarity = 'common' AND a.name = 'Taylor Swift'", 2, other);
  card_name(pid, name, sizeof(name));
  pd_ge_player(&E, A, 30);
  pd_ge_player(&E, B, 30);
  pd_ge_player(&E, C, 30);
  pd_ge_grant(&E, C, "notes", 50);
  copy_of(A, pid, ref);
  int64_t listed = sell(A, ref, 70);
  copy_of(A, pid, ref);
  copy_of(B, pid, bref);
  int64_t c_copy = copy_of(C, other, cref);
  run_ok(0, trade_start(B, C));
  run_ok(1, with_card("trade", "add", B, bref));
  run_ok(0, with_card("trade", "add", C, cref));
  json_t *add = pd_ge_command("trade", "add", C);
  pd_ge_option(add, "notes", 4, json_integer(30), 0);
  run_ok(1, add);

  preview(admin_card("delete_template", pid, -1),
          "3 copies held by 2 owners go, 1 active listing and 1 open trade are cancelled; each "
          "owner is paid the burn value per copy: 30 Notes in all",
          confirm);
  /* The preview changed nothing. */
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards c JOIN card_templates t ON t.id ="
                        " c.template_id WHERE t.public_id = '%s' AND c.state <> 'gone'",
                        pid),
                   3);
  json_t *r = press(1, PD_AE_OWNER, confirm);
  contains(r, "Only the admin who asked for this can confirm it.");
  json_decref(r);
  r = press(1, PD_AE_ADMIN, confirm);
  snprintf(want, sizeof(want),
           "Removed %s: 3 copies of 2 owners gone, 1 listing and 1 trade cancelled", name);
  contains(r, want);
  json_decref(r);
  r = press(0, PD_AE_ADMIN, confirm);
  contains(r, "already used");
  json_decref(r);

  assert_int_equal(sqlf("SELECT count(*) FROM user_cards c JOIN card_templates t ON t.id ="
                        " c.template_id WHERE t.public_id = '%s' AND c.state <> 'gone'",
                        pid),
                   0);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards c JOIN card_templates t ON t.id ="
                        " c.template_id WHERE t.public_id = '%s' AND (SELECT m.to_user IS NULL"
                        " AND m.kind = 'removed' FROM card_moves m WHERE m.user_card_id = c.id"
                        " ORDER BY m.id DESC LIMIT 1)",
                        pid),
                   3);
  assert_int_equal(sqlf("SELECT count(*) FROM market_listings WHERE id = %lld AND status ="
                        " 'cancelled'",
                        (long long)listed),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM trades t JOIN users u ON u.id = t.a_id WHERE"
                        " u.discord_id = '%s' AND t.status = 'cancelled'",
                        B),
                   1);
  /* C's side of the trade is back: the card free and C's, the Notes never left. */
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
                        " WHERE c.id = %lld AND u.discord_id = '%s' AND c.state = 'free'",
                        (long long)c_copy, C),
                   1);
  assert_int_equal(pd_ge_balance(&E, C, "notes"), 50);
  /* Refunds: the listed copy counts as A's. */
  assert_int_equal(pd_ge_balance(&E, A, "notes"), 2 * BURN_COMMON);
  assert_int_equal(pd_ge_balance(&E, B, "notes"), BURN_COMMON);
  assert_int_equal(sqlf("SELECT -sum(amount) FROM ledger WHERE system_account = 'refunds' AND"
                        " kind = 'refund' AND meta->>'card' = '%s'",
                        pid),
                   3 * BURN_COMMON);
  assert_int_equal(sqlf("SELECT count(*) FROM card_templates WHERE public_id = '%s' AND"
                        " removed_at IS NOT NULL",
                        pid),
                   1);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'delete_template' AND outcome = 'done' AND "
                                         "(before->>'copies')::int = 3 AND "
                                         "(after->>'refund_total')::int = 30"),
                   1);

  /* Everyone told: the owners their refund, both traders the cancelled trade. */
  snprintf(want, sizeof(want), "%s was removed from PopDeck; you got 2 × %d Notes.", name,
           BURN_COMMON);
  json_t *m = dms(A, 1);
  assert_true(dm_has(m, want));
  json_decref(m);
  m = dms(B, 2);
  snprintf(want, sizeof(want), "you got 1 × %d Notes.", BURN_COMMON);
  assert_true(dm_has(m, want));
  snprintf(want, sizeof(want), "Your trade with <@%s> was cancelled: it offered a copy of %s", C,
           pid);
  assert_true(dm_has(m, want));
  json_decref(m);
  m = dms(C, 1);
  snprintf(want, sizeof(want), "Your trade with <@%s> was cancelled", B);
  assert_true(dm_has(m, want));
  json_decref(m);

  /* Nowhere a player looks: /viewcard, suggestions, draws, and a pack that offered it. */
  r = post(0, with_card("viewcard", NULL, A, pid));
  snprintf(want, sizeof(want), "No card %s", pid);
  contains(r, want);
  json_decref(r);
  json_t *ac = pd_e2e_autocomplete("viewcard", "card", pid, A);
  r = post(1, ac);
  assert_int_equal(json_array_size(json_object_get(json_object_get(r, "data"), "choices")), 0);
  json_decref(r);
  assert_int_equal(sqlf("SELECT count(*) FROM drawable_cards d JOIN card_templates t ON t.id ="
                        " d.id WHERE t.public_id = '%s'",
                        pid),
                   0);
  r = post(0, pd_ge_command("mycards", NULL, A));
  if (strstr(pd_ge_text(r), pid) != NULL)
    fail_msg("/mycards still shows %s: %s", pid, pd_ge_text(r));
  json_decref(r);
  int64_t pack = sqlf("INSERT INTO pack_opens (user_id, pack, template_ids, rarities, expires_at)"
                      " SELECT u.id, 'standard-3', ARRAY[(SELECT id FROM card_templates WHERE"
                      " public_id = '%s'), (SELECT id FROM card_templates WHERE public_id ="
                      " '%s')], ARRAY['common', 'common'], now() + interval '5 minutes'"
                      " FROM users u WHERE u.discord_id = '%s' RETURNING id",
                      pid, other, A);
  char button[64];
  snprintf(button, sizeof(button), "pick:%lld:0", (long long)pack);
  r = press(0, A, button);
  contains(r, "Card 1 of this pack was removed from PopDeck by an admin");
  json_decref(r);
  snprintf(button, sizeof(button), "pick:%lld:1", (long long)pack);
  json_decref(press(1, A, button));
  assert_int_equal(sqlf("SELECT count(*) FROM pack_opens WHERE id = %lld AND status = 'picked'"
                        " AND picked_index = 1",
                        (long long)pack),
                   1);
  /* A removed card cannot be changed or removed again. */
  r = post(0, setrarity_ix(pid, "rare"));
  contains(r, "There is no card");
  json_decref(r);
  books_ok();
}

/* refund=false: the copies go, nothing is credited, and the owner is told so. */
static void test_delete_template_without_refund(void **state)
{
  const char *D = "733000000000000001";
  char pid[32], ref[48], confirm[80];
  card_where("t.rarity = 'rare' AND a.name = 'Beyoncé'", 0, pid);
  pd_ge_player(&E, D, 30);
  copy_of(D, pid, ref);
  copy_of(D, pid, ref);
  int64_t refunds = sqlf("SELECT count(*) FROM ledger WHERE system_account = 'refunds'");
  preview(admin_card("delete_template", pid, 0), "nothing is refunded (refund=false)", confirm);
  json_t *r = press(0, PD_AE_ADMIN, confirm);
  contains(r, "nothing was refunded");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, D, "notes"), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM ledger WHERE system_account = 'refunds'"), refunds);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards c JOIN users u ON u.id = c.user_id"
                        " WHERE u.discord_id = '%s' AND c.state <> 'gone'",
                        D),
                   0);
  json_t *m = dms(D, 1);
  assert_true(dm_has(m, "your 2 copies went with it, and no Notes were refunded."));
  json_decref(m);
  books_ok();
}

/* purge_artist: every card of the artist goes with its copies (refunded at their rarities), the
 * artist and its eras leave the suggestions, and a reseed does not bring them back. */
static void test_purge_artist(void **state)
{
  const char *F = "734000000000000001";
  char common[32], mythic[32], ref[48], confirm[80], art[24];
  card_where("t.rarity = 'common' AND a.name = 'Dua Lipa'", 0, common);
  card_where("t.rarity = 'mythic' AND a.name = 'Dua Lipa'", 0, mythic);
  pd_e2e_sql_text(&E, "SELECT id FROM artists WHERE name = 'Dua Lipa'", art, sizeof(art));
  int64_t cards = sqlf("SELECT count(*) FROM card_templates t JOIN artists a ON a.id ="
                       " t.artist_id WHERE a.name = 'Dua Lipa'");
  assert_true(cards > 0);
  pd_ge_player(&E, F, 30);
  copy_of(F, common, ref);
  copy_of(F, mythic, ref);
  sell(F, ref, 500);

  json_t *ix = pd_ae_ix(PD_AE_ADMIN, "purge_artist");
  pd_ge_option(ix, "artist", 3, json_string(art), 0);
  preview(ix, "This removes Dua Lipa for good: 2 copies held by 1 owner go, 1 active listing",
          confirm);
  json_t *r = press(1, PD_AE_ADMIN, confirm);
  contains(r, "Removed Dua Lipa: 2 copies of 1 owner gone, 1 listing");
  json_decref(r);
  assert_int_equal(pd_ge_balance(&E, F, "notes"), BURN_COMMON + BURN_MYTHIC);
  assert_int_equal(sqlf("SELECT count(*) FROM card_templates t JOIN artists a ON a.id ="
                        " t.artist_id WHERE a.name = 'Dua Lipa' AND t.removed_at IS NULL"),
                   0);
  assert_int_equal(sqlf("SELECT count(*) FROM artists WHERE name = 'Dua Lipa' AND removed_at IS"
                        " NOT NULL"),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM eras e JOIN artists a ON a.id = e.artist_id WHERE"
                        " a.name = 'Dua Lipa' AND e.removed_at IS NULL"),
                   0);
  json_t *m = dms(F, 1);
  char want[200];
  snprintf(want, sizeof(want),
           "Dua Lipa was removed from PopDeck with every card of theirs; you got %d Notes for "
           "your 2 copies.",
           BURN_COMMON + BURN_MYTHIC);
  assert_true(dm_has(m, want));
  json_decref(m);
  /* Suggestions: neither the artist nor its cards. */
  r = post(0, pd_e2e_autocomplete("mycards", "artist", "dua", F));
  assert_int_equal(json_array_size(json_object_get(json_object_get(r, "data"), "choices")), 0);
  json_decref(r);
  r = post(0, pd_e2e_autocomplete("viewcard", "card", "dua lipa", F));
  assert_int_equal(json_array_size(json_object_get(json_object_get(r, "data"), "choices")), 0);
  json_decref(r);
  /* A name typed past the suggestions, and twice: already removed. */
  ix = pd_ae_ix(PD_AE_ADMIN, "purge_artist");
  pd_ge_option(ix, "artist", 3, json_string("Dua Lipa"), 0);
  r = post(0, ix);
  contains(r, "pick the artist from the suggestions");
  json_decref(r);
  ix = pd_ae_ix(PD_AE_ADMIN, "purge_artist");
  pd_ge_option(ix, "artist", 3, json_string(art), 0);
  r = post(0, ix);
  contains(r, "was already removed");
  json_decref(r);
  /* The demo catalog seeded again: Dua Lipa stays removed, no card of hers comes back. */
  assert_int_equal(pd_e2e_seed_demo(&E, 3), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM card_templates t JOIN artists a ON a.id ="
                        " t.artist_id WHERE a.name = 'Dua Lipa'"),
                   cards);
  assert_int_equal(sqlf("SELECT count(*) FROM all_cards c JOIN artists a ON a.id = c.artist_id"
                        " WHERE a.name = 'Dua Lipa'"),
                   0);
  assert_int_equal(sqlf("SELECT count(*) FROM artists WHERE name = 'Dua Lipa' AND removed_at IS"
                        " NULL"),
                   0);
  books_ok();
}

/* ---- races ---- */

struct shot {
  json_t *ix; /* stolen */
  int srv;
  char text[800];
  int delay_ms; /* sent this much later than the others */
};

static void *shoot(void *arg)
{
  struct shot *s = arg;
  if (s->delay_ms > 0)
    usleep((useconds_t)s->delay_ms * 1000);
  json_t *r = pd_ge_post(&E, s->srv, s->ix);
  snprintf(s->text, sizeof(s->text), "%s", pd_ge_text(r));
  json_decref(r);
  json_decref(s->ix);
  return NULL;
}

static void fire(struct shot *s, int n)
{
  pthread_t t[4];
  for (int i = 0; i < n; i++)
    pthread_create(&t[i], NULL, shoot, &s[i]);
  for (int i = 0; i < n; i++)
    pthread_join(t[i], NULL);
}

/* Discord ids unique to a test and round (18 digits; the bounds keep the compiler sure of it). */
static void who(char out[24], int test, int round, int k)
{
  snprintf(out, 24, "7359%02u%04u%08u", (unsigned)test % 100u, (unsigned)round % 10000u,
           (unsigned)k % 100000000u);
}

/* The delete's Confirm from one server and a /buy of the card's listed copy from the other, at
 * once: either the sale lands first (the buyer paid, then holds the copy and is refunded) or the
 * delete does (the listing is cancelled, the buyer is refused, the seller refunded); one refund,
 * the copy gone, the Notes all accounted for. */
static void test_delete_races_a_buy(void **state)
{
  enum { ROUNDS = 6 };
  for (int round = 0; round < ROUNDS; round++) {
    char S[24], Bu[24], pid[32], ref[48], confirm[80], listing[24];
    who(S, 1, round, 1);
    who(Bu, 1, round, 2);
    card_where("t.rarity = 'legendary' AND a.name <> 'Dua Lipa'", 0, pid);
    pd_ge_player(&E, S, 30);
    pd_ge_player(&E, Bu, 30);
    pd_ge_grant(&E, Bu, "notes", 100);
    int64_t x = copy_of(S, pid, ref);
    snprintf(listing, sizeof(listing), "%lld", (long long)sell(S, ref, 100));
    preview(admin_card("delete_template", pid, -1), NULL, confirm);
    json_t *buy = pd_ge_command("buy", NULL, Bu);
    pd_ge_option(buy, "listing", 3, json_string(listing), 0);
    struct shot s[2] = {{pd_e2e_button(confirm, PD_AE_ADMIN), round % 2, "", 0},
                        {buy, 1 - round % 2, "", 0}};
    fire(s, 2);
    if (strstr(s[0].text, "Removed") == NULL)
      fail_msg("round %d: the delete: %s", round, s[0].text);
    int64_t seller = pd_ge_balance(&E, S, "notes"), buyer = pd_ge_balance(&E, Bu, "notes");
    int64_t refunds = sqlf("SELECT count(*) FROM ledger WHERE system_account = 'refunds' AND"
                           " meta->>'card' = '%s'",
                           pid);
    int64_t gone =
        sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'gone'", (long long)x);
    int sold = seller == 95 && buyer == BURN_LEGENDARY;
    int removed = seller == BURN_LEGENDARY && buyer == 100;
    if (refunds != 1 || gone != 1 || sold + removed != 1)
      fail_msg("round %d: seller %lld, buyer %lld Notes, %lld refunds, gone %lld (buy: %s)", round,
               (long long)seller, (long long)buyer, (long long)refunds, (long long)gone, s[1].text);
    buy_first += sold;
    delete_first += removed;
    books_ok();
  }
}

/* The delete's Confirm and the second /trade confirm of a trade offering a copy, at once: the
 * swap happens and the new holder is refunded, or the trade is cancelled and the giver is; never
 * both, never neither. */
static void test_delete_races_a_trade_confirm(void **state)
{
  enum { ROUNDS = 6 };
  for (int round = 0; round < ROUNDS; round++) {
    char A[24], B[24], pid[32], ref[48], confirm[80];
    who(A, 2, round, 1);
    who(B, 2, round, 2);
    card_where("t.rarity = 'mythic' AND a.name <> 'Dua Lipa'", 0, pid);
    pd_ge_player(&E, A, 30);
    pd_ge_player(&E, B, 30);
    pd_ge_grant(&E, B, "notes", 10);
    int64_t x = copy_of(A, pid, ref);
    run_ok(0, trade_start(A, B));
    run_ok(1, with_card("trade", "add", A, ref));
    json_t *add = pd_ge_command("trade", "add", B);
    pd_ge_option(add, "notes", 4, json_integer(10), 0);
    run_ok(0, add);
    run_ok(1, pd_ge_command("trade", "confirm", B));
    preview(admin_card("delete_template", pid, -1), NULL, confirm);
    /* The swap is the quicker of the two: every other round it starts a moment later, so both
     * orders are seen (the outcome is checked either way). */
    struct shot s[2] = {
        {pd_e2e_button(confirm, PD_AE_ADMIN), round % 2, "", 0},
        {pd_ge_command("trade", "confirm", A), 1 - round % 2, "", 40 * (round % 2)}};
    fire(s, 2);
    if (strstr(s[0].text, "Removed") == NULL)
      fail_msg("round %d: the delete: %s", round, s[0].text);
    int64_t a = pd_ge_balance(&E, A, "notes"), b = pd_ge_balance(&E, B, "notes");
    int64_t done = sqlf("SELECT count(*) FROM trades t JOIN users u ON u.id = t.a_id WHERE"
                        " u.discord_id = '%s' AND t.status = 'done'",
                        A),
            cancelled = sqlf("SELECT count(*) FROM trades t JOIN users u ON u.id = t.a_id WHERE"
                             " u.discord_id = '%s' AND t.status = 'cancelled'",
                             A);
    int64_t gone =
        sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'gone'", (long long)x);
    int swapped = done == 1 && a == 10 && b == BURN_MYTHIC;
    int first = cancelled == 1 && a == BURN_MYTHIC && b == 10;
    if (gone != 1 || swapped + first != 1)
      fail_msg("round %d: done %lld, cancelled %lld, A %lld, B %lld Notes, gone %lld (confirm: %s)",
               round, (long long)done, (long long)cancelled, (long long)a, (long long)b,
               (long long)gone, s[1].text);
    swap_first += swapped;
    cancel_first += first;
    books_ok();
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_setrarity_reaches_owners_at_once),
      PD_E2E_TEST(test_delete_template_refunds_through_confirm),
      PD_E2E_TEST(test_delete_template_without_refund),
      PD_E2E_TEST(test_purge_artist),
      PD_E2E_TEST(test_delete_races_a_buy),
      PD_E2E_TEST(test_delete_races_a_trade_confirm),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
