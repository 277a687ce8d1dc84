/* e2e_admin_players.c - the admin's player and event operations end to end, through /admin in
 * Discord against two real servers on one PostgreSQL: a ban that answers every command, button,
 * modal and autocomplete of the player with the suspension before anything runs (and before the
 * rate limit counts it), on both servers, and cancels their listings; unban; the farming flags
 * with both accounts and their review; /admin user against the database; events created, listed
 * and ended with boosts and a pack; temporary cards with their render job. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin_e2e.h"
#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static char admin_env[600];

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

#define SUSPENDED "Your PopDeck account is suspended."
#define MISTAKE "If you think this is a mistake, contact the server's admins."

static int start(int idx)
{
  /* The rate limit is on, so the suite sees that a suspended player's commands are not
   * counted by it. */
  /* No job runner: the render jobs create_temp_card queues stay queued for the test to read
   * (e2e_admin_jobs renders temporary cards). */
  const char *extra[] = {admin_env,
                         "DISCORD_BOT_TOKEN=test-bot-token",
                         "RATE_LIMIT_COMMANDS=1000",
                         "RATE_LIMIT_WINDOW_S=10",
                         "ADMIN_JOB_WORKERS=0",
                         NULL};
  return pd_e2e_server_start(&E, idx, extra);
}

static int setup(void **state)
{
  if (pd_ae_setup(&E, "admin_players", admin_env, sizeof(admin_env)) != 0 ||
      pd_e2e_seed_demo(&E, 2) != 0)
    return -1;
  return start(0) != 0 || start(1) != 0 ? -1 : 0;
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

static void contains(json_t *reply, const char *needle)
{
  const char *t = pd_ge_text(reply);
  if (strstr(t, needle) == NULL)
    fail_msg("\"%s\" not in \"%s\"", needle, t);
}

static void lacks(json_t *reply, const char *needle)
{
  const char *t = pd_ge_text(reply);
  if (strstr(t, needle) != NULL)
    fail_msg("\"%s\" unexpectedly in \"%s\"", needle, t);
}

/* The result JSON /admin shows under its message (cmd_admin.c's code block). */
static json_t *details(json_t *reply)
{
  const char *t = pd_ge_text(reply);
  const char *a = strstr(t, "```json\n");
  const char *b = a != NULL ? strstr(a + 8, "\n```") : NULL;
  if (b == NULL)
    fail_msg("no details in \"%s\"", t);
  json_t *j = json_loadb(a + 8, (size_t)(b - a - 8), 0, NULL);
  if (j == NULL)
    fail_msg("details are not JSON: \"%s\"", t);
  return j;
}

/* /admin SUB by admin on server srv with string options as name/value pairs (NULL-ended). */
static json_t *admin(int srv, const char *who, const char *sub, ...)
{
  va_list ap;
  json_t *ix = pd_ae_ix(who, sub);
  va_start(ap, sub);
  for (const char *name = va_arg(ap, const char *); name != NULL; name = va_arg(ap, const char *)) {
    const char *value = va_arg(ap, const char *);
    int type = strcmp(name, "user") == 0 ? 6 : 3;
    if (strcmp(name, "event") == 0 || strcmp(name, "era_image") == 0 || strcmp(name, "flag") == 0 ||
        strcmp(name, "consolation") == 0) {
      pd_ge_option(ix, name, 4, json_integer(strtoll(value, NULL, 10)), 0);
      continue;
    }
    if (strcmp(name, "reviewed") == 0) {
      pd_ge_option(ix, name, 5, json_boolean(strcmp(value, "true") == 0), 0);
      continue;
    }
    pd_ge_option(ix, name, type, json_string(value), 0);
  }
  va_end(ap);
  return pd_ae_admin(&E, srv, who, NULL, ix);
}

static json_t *post(int srv, json_t *ix)
{
  json_t *reply = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return reply;
}

static int64_t ledger_rows(const char *discord_id)
{
  return sqlf("SELECT count(*) FROM ledger l JOIN users u ON u.id = l.user_id WHERE"
              " u.discord_id = '%s'",
              discord_id);
}

static int64_t uid(const char *discord_id)
{
  return sqlf("SELECT id FROM users WHERE discord_id = '%s'", discord_id);
}

/* Everything a suspended player sends is answered with the suspension, ephemerally, on both
 * servers, and changes nothing: no balance, no ledger row, no rate-limit count. */
static void assert_suspended(const char *p, const char *reason, const char *copy_ref)
{
  int64_t notes = pd_ge_balance(&E, p, "notes"), rows = ledger_rows(p);
  int64_t hits = sqlf("SELECT count(*) FROM rate_limit_hits r, unnest(r.hits) h WHERE"
                      " r.discord_id = '%s'",
                      p);
  for (int srv = 0; srv < 2; srv++) {
    json_t *reply = post(srv, pd_ge_command("daily", NULL, p));
    contains(reply, SUSPENDED);
    contains(reply, MISTAKE);
    if (reason != NULL)
      contains(reply, reason);
    assert_true(pd_e2e_ephemeral(reply));
    json_decref(reply);
    /* A button and a modal. */
    reply = post(srv, pd_e2e_button("trade:cancel:1", p));
    contains(reply, SUSPENDED);
    assert_true(pd_e2e_ephemeral(reply));
    json_decref(reply);
    json_t *modal = pd_e2e_button("trade:cancel:1", p);
    json_object_set_new(modal, "type", json_integer(5));
    json_object_set_new(json_object_get(modal, "data"), "components", json_array());
    reply = post(srv, modal);
    contains(reply, SUSPENDED);
    assert_true(pd_e2e_ephemeral(reply));
    json_decref(reply);
    /* A command that defers answers at once, too. */
    reply = post(srv, pd_ge_command("openpack", NULL, p));
    contains(reply, SUSPENDED);
    json_decref(reply);
    if (copy_ref != NULL) {
      json_t *ix = pd_ge_command("sell", NULL, p);
      pd_ge_option(ix, "card", 3, json_string(copy_ref), 0);
      pd_ge_option(ix, "price", 4, json_integer(10), 0);
      pd_ge_option(ix, "currency", 3, json_string("notes"), 0);
      reply = post(srv, ix);
      contains(reply, SUSPENDED);
      json_decref(reply);
    }
    /* Autocomplete: nothing. */
    json_t *r = NULL;
    json_t *ac = pd_e2e_autocomplete("sell", "card", "", p);
    assert_int_equal(pd_e2e_post(&E, srv, ac, &r), 200);
    json_decref(ac);
    assert_int_equal(json_array_size(json_object_get(json_object_get(r, "data"), "choices")), 0);
    json_decref(r);
  }
  assert_int_equal(pd_ge_balance(&E, p, "notes"), notes);
  assert_int_equal(ledger_rows(p), rows);
  assert_int_equal(sqlf("SELECT count(*) FROM rate_limit_hits r, unnest(r.hits) h WHERE"
                        " r.discord_id = '%s'",
                        p),
                   hits);
  assert_int_equal(sqlf("SELECT count(*) FROM pack_opens WHERE user_id = %lld", (long long)uid(p)),
                   0);
}

static void test_ban_suspends_every_interaction(void **state)
{
  const char *P = "720000000000000201";
  char ref[48], ref2[48];
  pd_ge_player(&E, P, 30);
  pd_ge_grant(&E, P, "notes", 100);
  int64_t listed = pd_ge_copy(&E, P, "common", 0, ref);
  pd_ge_copy(&E, P, "rare", 0, ref2);
  /* One of their copies on the market, and suggestions before the ban. */
  json_t *ix = pd_ge_command("sell", NULL, P);
  pd_ge_option(ix, "card", 3, json_string(ref), 0);
  pd_ge_option(ix, "price", 4, json_integer(40), 0);
  pd_ge_option(ix, "currency", 3, json_string("notes"), 0);
  json_t *reply = post(0, ix);
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM market_listings WHERE user_card_id = %lld AND status"
                        " = 'active'",
                        (long long)listed),
                   1);
  /* And an open trade with Q, who offers a copy. */
  const char *Q = "720000000000000203";
  char qref[48];
  pd_ge_player(&E, Q, 30);
  int64_t offered = pd_ge_copy(&E, Q, "common", 2, qref);
  ix = pd_ge_command("trade", "start", P);
  pd_ge_option(ix, "user", 6, json_string(Q), 0);
  json_decref(post(1, ix));
  ix = pd_ge_command("trade", "add", Q);
  pd_ge_option(ix, "card", 3, json_string(qref), 0);
  json_decref(post(0, ix));
  int64_t trade =
      sqlf("SELECT trade_id FROM trade_players WHERE user_id = %lld", (long long)uid(P));
  assert_true(trade > 0);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'trading'",
                        (long long)offered),
                   1);
  json_t *r = NULL, *ac = pd_e2e_autocomplete("sell", "card", "", P);
  assert_int_equal(pd_e2e_post(&E, 1, ac, &r), 200);
  json_decref(ac);
  assert_true(json_array_size(json_object_get(json_object_get(r, "data"), "choices")) >= 1);
  json_decref(r);

  reply = admin(0, PD_AE_ADMIN, "ban", "user", P, "reason", "alt farming", NULL);
  contains(reply, "is suspended: 1 listing cancelled; trade ");
  json_decref(reply);
  /* Their trade is cancelled, Q's offer back with Q, and Q told. */
  assert_int_equal(sqlf("SELECT count(*) FROM trades WHERE id = %lld AND status = 'cancelled'",
                        (long long)trade),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM trade_players WHERE user_id IN (%lld, %lld)",
                        (long long)uid(P), (long long)uid(Q)),
                   0);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'free' AND"
                        " user_id = %lld",
                        (long long)offered, (long long)uid(Q)),
                   1);
  json_t *qdm = pd_double_wait_requests(E.dbl, "/channels/9720000000000000203/messages", 1, 10000);
  assert_non_null(qdm);
  const char *qtext = json_string_value(
      json_object_get(json_object_get(json_array_get(qdm, 0), "json"), "content"));
  if (qtext == NULL || strstr(qtext, "was cancelled: that account was suspended") == NULL)
    fail_msg("trade DM: %s", qtext != NULL ? qtext : "(none)");
  json_decref(qdm);
  assert_int_equal(sqlf("SELECT count(*) FROM user_bans WHERE discord_id = '%s' AND reason ="
                        " 'alt farming' AND banned_by = '%s'",
                        P, PD_AE_ADMIN),
                   1);
  /* Nobody can buy from a suspended account: the listing is cancelled, the copy back. */
  assert_int_equal(sqlf("SELECT count(*) FROM market_listings WHERE user_card_id = %lld AND status"
                        " = 'cancelled'",
                        (long long)listed),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND state = 'free' AND"
                        " user_id = %lld",
                        (long long)listed, (long long)uid(P)),
                   1);
  assert_suspended(P, "Reason: alt farming", ref2);
  /* Twice: 409, and the audit says so. */
  reply = admin(1, PD_AE_ADMIN, "ban", "user", P, NULL);
  contains(reply, "is already suspended");
  contains(reply, "(409)");
  json_decref(reply);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'ban' AND outcome = 'done' AND target = 'user "
                                         "720000000000000201'"),
                   1);
  /* The player is told by DM. */
  json_t *msgs = pd_double_wait_requests(E.dbl, "/channels/9720000000000000201/messages", 1, 10000);
  assert_non_null(msgs);
  const char *content = json_string_value(
      json_object_get(json_object_get(json_array_get(msgs, 0), "json"), "content"));
  if (content == NULL || strstr(content, "suspended") == NULL ||
      strstr(content, "alt farming") == NULL)
    fail_msg("ban DM: %s", content != NULL ? content : "(none)");
  json_decref(msgs);

  reply = admin(1, PD_AE_OWNER, "unban", "user", P, NULL);
  contains(reply, "may play PopDeck again");
  json_decref(reply);
  reply = post(1, pd_ge_command("daily", NULL, P));
  lacks(reply, SUSPENDED);
  json_decref(reply);
  assert_int_equal(pd_ge_balance(&E, P, "notes"), 100 + 250);
  reply = admin(0, PD_AE_OWNER, "unban", "user", P, NULL);
  contains(reply, "is not suspended");
  contains(reply, "(404)");
  json_decref(reply);
  assert_string_equal(pd_ge_books(&E), "");
}

/* A banned admin keeps /admin (to be unbanned, or to work), and nothing else; a ban without a
 * reason says none; someone who never played can be banned before they start. */
static void test_ban_spares_admin_and_never_played(void **state)
{
  const char *N = "720000000000000202";
  json_t *reply = admin(0, PD_AE_OWNER, "ban", "user", PD_AE_ADMIN, NULL);
  contains(reply, "is suspended");
  json_decref(reply);
  reply = post(1, pd_ge_command("daily", NULL, PD_AE_ADMIN));
  contains(reply, SUSPENDED);
  lacks(reply, "Reason");
  json_decref(reply);
  reply = admin(1, PD_AE_ADMIN, "user", "user", PD_AE_ADMIN, NULL);
  contains(reply, "suspended");
  json_decref(reply);
  /* A banned non-admin gets the suspension from /admin too, not the admin gate. */
  reply = admin(0, PD_AE_ADMIN, "ban", "user", N, "reason", "chargebacks", NULL);
  contains(reply, "(they have not played yet)");
  json_decref(reply);
  reply = admin(0, N, "audit", NULL);
  contains(reply, SUSPENDED);
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM users WHERE discord_id = '%s'", N), 0);
  /* /admin user shows the ban of an id that never played. */
  reply = admin(0, PD_AE_ADMIN, "user", "user", N, NULL);
  contains(reply, "never played PopDeck, but is suspended");
  json_t *d = details(reply);
  assert_string_equal(json_string_value(json_object_get(json_object_get(d, "ban"), "reason")),
                      "chargebacks");
  json_decref(d);
  json_decref(reply);
  reply = admin(0, PD_AE_OWNER, "unban", "user", PD_AE_ADMIN, NULL);
  contains(reply, "may play PopDeck again");
  json_decref(reply);
  reply = admin(0, PD_AE_OWNER, "unban", "user", N, NULL);
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "user", "user", N, NULL);
  contains(reply, "has never played PopDeck.");
  contains(reply, "(404)");
  json_decref(reply);
}

static json_t *flag_in(json_t *flags, int64_t id)
{
  size_t i;
  json_t *f;
  json_array_foreach(flags, i, f)
  {
    if (json_integer_value(json_object_get(f, "id")) == id)
      return f;
  }
  return NULL;
}

/* A gift to a young account raises a flag through the real gift path; /admin flags lists it with
 * both accounts and their ages, flags_review marks it, and it leaves the default list. */
static void test_flags_list_and_review(void **state)
{
  const char *A = "720000000000000211", *Y = "720000000000000212";
  pd_ge_player(&E, A, 40);
  pd_ge_player(&E, Y, 2);
  pd_ge_grant(&E, A, "notes", 500);
  json_t *ix = pd_ge_command("gift", NULL, A);
  pd_ge_option(ix, "user", 6, json_string(Y), 0);
  pd_ge_option(ix, "notes", 4, json_integer(20), 0);
  json_t *reply = post(0, ix);
  contains(reply, "gave");
  json_decref(reply);
  int64_t flag = sqlf("SELECT id FROM abuse_flags WHERE kind = 'young_account' AND from_user = %lld"
                      " AND to_user = %lld",
                      (long long)uid(A), (long long)uid(Y));
  assert_true(flag > 0);

  reply = admin(1, PD_AE_ADMIN, "flags", NULL);
  contains(reply, "unreviewed flag");
  contains(reply, "young_account");
  json_t *d = details(reply);
  json_t *f = flag_in(json_object_get(d, "flags"), flag);
  assert_non_null(f);
  assert_string_equal(json_string_value(json_object_get(json_object_get(f, "from"), "user")), A);
  assert_string_equal(json_string_value(json_object_get(json_object_get(f, "to"), "user")), Y);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "from"), "age_days")), 40);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "to"), "age_days")), 2);
  assert_string_equal(json_string_value(json_object_get(json_object_get(f, "operation"), "kind")),
                      "gift");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(f, "operation"), "id")),
                   sqlf("SELECT op_id FROM gifts WHERE giver_id = %lld", (long long)uid(A)));
  assert_true(json_is_object(json_object_get(f, "detail")));
  json_decref(d);
  json_decref(reply);

  char id[24];
  snprintf(id, sizeof(id), "%lld", (long long)flag);
  reply = admin(0, PD_AE_ADMIN, "flags_review", "flag", id, NULL);
  contains(reply, "is marked reviewed");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM abuse_flags WHERE id = %lld AND reviewed AND"
                        " reviewed_by = '%s' AND reviewed_at IS NOT NULL",
                        (long long)flag, PD_AE_ADMIN),
                   1);
  reply = admin(1, PD_AE_OWNER, "flags_review", "flag", id, NULL);
  contains(reply, "was already reviewed");
  contains(reply, "(409)");
  json_decref(reply);
  reply = admin(1, PD_AE_OWNER, "flags_review", "flag", "99999999", NULL);
  contains(reply, "There is no flag 99999999");
  json_decref(reply);
  /* Gone from the default list, still in the full one. */
  reply = admin(0, PD_AE_ADMIN, "flags", NULL);
  d = details(reply);
  assert_null(flag_in(json_object_get(d, "flags"), flag));
  json_decref(d);
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "flags", "reviewed", "true", NULL);
  d = details(reply);
  f = flag_in(json_object_get(d, "flags"), flag);
  assert_non_null(f);
  assert_true(json_is_true(json_object_get(f, "reviewed")));
  json_decref(d);
  json_decref(reply);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'flags_review' AND outcome = 'done'"), 1);
}

/* /admin user against the database: balances, copies by state and rarity, listings, flags and
 * the latest activity. */
static void test_user_matches_the_database(void **state)
{
  const char *U = "720000000000000221";
  char ref[48];
  pd_ge_player(&E, U, 10);
  pd_ge_grant(&E, U, "gems", 7);
  pd_ge_copy(&E, U, "common", 1, ref);
  pd_ge_copy(&E, U, "epic", 0, ref);
  pd_ge_copy(&E, U, "epic", 1, ref);
  json_t *reply = post(0, pd_ge_command("daily", NULL, U));
  json_decref(reply);
  json_t *ix = pd_ge_command("sell", NULL, U);
  pd_ge_option(ix, "card", 3, json_string(ref), 0);
  pd_ge_option(ix, "price", 4, json_integer(99), 0);
  pd_ge_option(ix, "currency", 3, json_string("notes"), 0);
  json_decref(post(1, ix));

  reply = admin(1, PD_AE_ADMIN, "user", "user", U, NULL);
  contains(reply, "3 cards; 1 active listings");
  json_t *d = details(reply);
  json_t *bal = json_object_get(d, "balances");
  assert_int_equal(json_integer_value(json_object_get(bal, "notes")),
                   pd_ge_balance(&E, U, "notes"));
  assert_int_equal(json_integer_value(json_object_get(bal, "gems")), 7);
  json_t *copies = json_object_get(d, "copies");
  assert_int_equal(json_integer_value(json_object_get(copies, "owned")), 3);
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(copies, "by_rarity"), "epic")), 2);
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(copies, "by_state"), "listed")), 1);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(copies, "by_state"), "free")),
                   2);
  json_t *l = json_array_get(json_object_get(d, "listings"), 0);
  assert_int_equal(json_integer_value(json_object_get(l, "price")), 99);
  assert_true(json_is_null(json_object_get(d, "trade")));
  assert_true(json_is_array(json_object_get(d, "payments")));
  assert_true(json_is_null(json_object_get(d, "ban")));
  assert_int_equal(json_integer_value(json_object_get(d, "registered_at")),
                   sqlf("SELECT extract(epoch FROM created_at)::bigint FROM users WHERE"
                        " discord_id = '%s'",
                        U));
  /* The latest of the ledger, packs, counted commands and copies. */
  int64_t latest =
      sqlf("SELECT extract(epoch FROM greatest((SELECT max(at) FROM ledger WHERE user_id = %lld),"
           " (SELECT max(h) FROM rate_limit_hits r, unnest(r.hits) h WHERE r.discord_id = '%s'),"
           " (SELECT max(obtained_at) FROM user_cards WHERE user_id = %lld)))::bigint",
           (long long)uid(U), U, (long long)uid(U));
  assert_int_equal(json_integer_value(json_object_get(d, "last_activity")), latest);
  const char *source = json_string_value(json_object_get(d, "last_activity_source"));
  assert_non_null(source);
  assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "activity"), source)),
                   latest);
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(d, "activity"), "command")),
      sqlf("SELECT extract(epoch FROM max(h))::bigint FROM rate_limit_hits r, unnest(r.hits) h"
           " WHERE r.discord_id = '%s'",
           U));
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(d, "activity"), "ledger")),
      sqlf("SELECT extract(epoch FROM max(at))::bigint FROM ledger WHERE user_id = %lld",
           (long long)uid(U)));
  json_decref(d);
  json_decref(reply);
  assert_string_equal(pd_ge_books(&E), "");
}

static int64_t event_id_of(const char *name)
{
  return sqlf("SELECT id FROM events WHERE name = '%s'", name);
}

/* Events: created with boosts and a pack (times in each accepted form), listed as running and
 * upcoming, ended (its temporary copies leave collections) or called off; bad input refused by
 * name. */
static void test_events_round_trip(void **state)
{
  char start[24], id[24];
  snprintf(start, sizeof(start), "%lld", (long long)time(NULL) - 60);
  json_t *reply = admin(0, PD_AE_ADMIN, "event create", "name", "Winter Fest", "start", start,
                        "end", "2099-12-31T23:59:00Z", "boosts", "legendary=2, mythic=3", "pack",
                        "premium-5", "description", "Cold cards", NULL);
  contains(reply, "Event ");
  contains(reply, "\"Winter Fest\" created (running)");
  json_decref(reply);
  int64_t ev = event_id_of("Winter Fest");
  assert_int_equal(sqlf("SELECT count(*) FROM events WHERE id = %lld AND boosts = "
                        "'{\"legendary\": 2, \"mythic\": 3}'::jsonb AND pack = 'premium-5' AND "
                        "created_by = '%s' AND guild_id IS NULL AND description = 'Cold cards' AND "
                        "end_at = '2099-12-31 23:59:00+00'",
                        (long long)ev, PD_AE_ADMIN),
                   1);
  reply = admin(1, PD_AE_ADMIN, "event create", "name", "Spring", "start", "2098-03-01 12:00",
                "end", "2098-03-08T12:00:00+02:00", "guild", "123456789012345678", "claim", "day",
                "consolation", "15", NULL);
  contains(reply, "created (upcoming)");
  contains(reply, "only in server 123456789012345678");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM events WHERE name = 'Spring' AND start_at ="
                        " '2098-03-01 12:00+00' AND end_at = '2098-03-08 10:00+00' AND boosts ="
                        " '{}' AND guild_id = '123456789012345678' AND claim_every = 'day' AND"
                        " consolation_notes = 15"),
                   1);
  /* Refusals name the argument. */
  reply = admin(0, PD_AE_ADMIN, "event create", "name", "Bad", "start", "tomorrow", "end",
                "2099-01-01 00:00", NULL);
  contains(reply, "\"start\" must be a time");
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "event create", "name", "Bad", "start", "2099-01-02 00:00", "end",
                "2099-01-01 00:00", NULL);
  contains(reply, "\"end\"");
  contains(reply, "must be after \"start\"");
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "event create", "name", "Bad", "start", "2099-01-01 00:00", "end",
                "2099-02-30 00:00", NULL);
  contains(reply, "\"end\" must be a time");
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "event create", "name", "Bad", "start", "2099-01-01 00:00", "end",
                "2099-01-02 00:00", "boosts", "mythic=0", NULL);
  contains(reply, "\"boosts\": mythic's multiplier must be above 0");
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "event create", "name", "Bad", "start", "2099-01-01 00:00", "end",
                "2099-01-02 00:00", "boosts", "shiny=2", NULL);
  contains(reply, "\"shiny\" is not a rarity");
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "event create", "name", "Bad", "start", "2099-01-01 00:00", "end",
                "2099-01-02 00:00", "pack", "no-such-pack", NULL);
  contains(reply, "is not a choice for **pack**");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM events WHERE name = 'Bad'"), 0);

  /* A temporary card of the running event, rendered, and a player's copy of it. */
  const char *P = "720000000000000231";
  pd_ge_player(&E, P, 30);
  snprintf(id, sizeof(id), "%lld", (long long)ev);
  char artist[24], era[128];
  pd_e2e_sql_text(&E, "SELECT artist_id FROM eras ORDER BY id LIMIT 1", artist, sizeof(artist));
  pd_e2e_sql_text(&E, "SELECT name FROM eras ORDER BY id LIMIT 1", era, sizeof(era));
  reply = admin(0, PD_AE_ADMIN, "create_temp_card", "event", id, "artist", artist, "era", era,
                "rarity", "legendary", NULL);
  contains(reply, "Temporary card");
  json_decref(reply);
  int64_t tc = sqlf("SELECT id FROM temp_card_templates WHERE event_id = %lld", (long long)ev);
  assert_true(tc > 0);
  pd_e2e_sql(&E, "UPDATE temp_card_templates SET image_url = 'http://127.0.0.1/x.png'");
  int64_t copy = sqlf("WITH t AS (UPDATE temp_card_templates SET copies_created = 1 WHERE id = %lld"
                      " RETURNING id) INSERT INTO user_cards (user_id, temp_template_id, print_no,"
                      " source, is_temporary, expires_at) SELECT %lld, t.id, 1, 'test', true,"
                      " '2099-12-31 23:59:00+00' FROM t RETURNING id",
                      (long long)tc, (long long)uid(P));

  reply = admin(1, PD_AE_ADMIN, "event list", NULL);
  contains(reply, "1 running, 1 upcoming");
  json_t *d = details(reply);
  json_t *run = json_array_get(json_object_get(d, "running"), 0);
  assert_string_equal(json_string_value(json_object_get(run, "name")), "Winter Fest");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(run, "boosts"), "mythic")),
                   3);
  assert_string_equal(json_string_value(json_object_get(run, "pack")), "premium-5");
  assert_int_equal(json_array_size(json_object_get(run, "cards")), 1);
  assert_string_equal(
      json_string_value(json_object_get(json_array_get(json_object_get(d, "upcoming"), 0), "name")),
      "Spring");
  json_decref(d);
  json_decref(reply);

  reply = admin(0, PD_AE_ADMIN, "event end", "event", id, NULL);
  contains(reply, "ended now: 1 temporary copy left");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM events WHERE id = %lld AND end_at <= now() AND"
                        " ended_at IS NOT NULL",
                        (long long)ev),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM user_cards WHERE id = %lld AND expires_at <= now()",
                        (long long)copy),
                   1);
  /* Out of the player's collection, by the existing expiry rule. */
  reply = post(0, pd_ge_command("mycards", NULL, P));
  lacks(reply, "event card");
  json_decref(reply);
  reply = admin(1, PD_AE_ADMIN, "event end", "event", id, NULL);
  contains(reply, "already ended");
  contains(reply, "(409)");
  json_decref(reply);
  /* Calling off an upcoming event leaves it an empty window. */
  snprintf(id, sizeof(id), "%lld", (long long)event_id_of("Spring"));
  reply = admin(1, PD_AE_ADMIN, "event end", "event", id, NULL);
  contains(reply, "is called off");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM events WHERE name = 'Spring' AND start_at = end_at"
                        " AND end_at = ended_at"),
                   1);
  reply = admin(0, PD_AE_ADMIN, "event list", NULL);
  contains(reply, "0 running, 0 upcoming, 2 recently ended");
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "event end", "event", "999999", NULL);
  contains(reply, "There is no event 999999");
  json_decref(reply);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'event_end' AND outcome = 'done'"), 2);
}

/* create_temp_card: a unique public id, the era's best image, the render job with the card;
 * refused for another artist's era, an expiry after the event, a bad picture. */
static void test_create_temp_card(void **state)
{
  char id[24], artist[24], other_era[24], era[128], era_id[24], img[24], other_img[24];
  json_t *reply = admin(0, PD_AE_ADMIN, "event create", "name", "Card Fest", "start",
                        "2020-01-01 00:00", "end", "2099-06-01 00:00", NULL);
  contains(reply, "created (running)");
  json_decref(reply);
  snprintf(id, sizeof(id), "%lld", (long long)event_id_of("Card Fest"));
  pd_e2e_sql_text(&E, "SELECT artist_id FROM eras ORDER BY id LIMIT 1", artist, sizeof(artist));
  pd_e2e_sql_text(&E, "SELECT name FROM eras ORDER BY id LIMIT 1", era, sizeof(era));
  pd_e2e_sql_text(&E, "SELECT id FROM eras ORDER BY id LIMIT 1", era_id, sizeof(era_id));
  char sql[300];
  snprintf(sql, sizeof(sql), "SELECT id FROM eras WHERE artist_id <> %s ORDER BY id LIMIT 1",
           artist);
  pd_e2e_sql_text(&E, sql, other_era, sizeof(other_era));
  assert_true(other_era[0] != '\0');
  snprintf(sql, sizeof(sql),
           "SELECT id FROM era_images WHERE era_id = %s"
           " ORDER BY kind = 'generated', storage_url IS NULL, confidence DESC NULLS LAST,"
           " width::bigint * height DESC NULLS LAST, id LIMIT 1",
           era_id);
  pd_e2e_sql_text(&E, sql, img, sizeof(img));
  assert_true(img[0] != '\0');
  snprintf(sql, sizeof(sql), "SELECT id FROM era_images WHERE era_id = %s ORDER BY id LIMIT 1",
           other_era);
  pd_e2e_sql_text(&E, sql, other_img, sizeof(other_img));

  reply = admin(1, PD_AE_ADMIN, "create_temp_card", "event", id, "artist", artist, "era", era,
                "rarity", "mythic", "expires", "2099-05-01T00:00:00Z", NULL);
  contains(reply, "Temporary card");
  json_t *d = details(reply);
  const char *pid = json_string_value(json_object_get(json_object_get(d, "card"), "card"));
  int64_t job = json_integer_value(json_object_get(json_object_get(d, "job"), "id"));
  assert_non_null(pid);
  assert_true(job > 0);
  assert_int_equal(sqlf("SELECT count(*) FROM temp_card_templates WHERE public_id = '%s' AND"
                        " event_id = %s AND artist_id = %s AND era_id = %s AND rarity = 'mythic'"
                        " AND image_url IS NULL AND source_image_id = %s AND source_url IS NULL"
                        " AND expires_at = '2099-05-01 00:00+00' AND public_id ~"
                        " '^[A-Z0-9]{4}_[A-Z0-9]{2}#[0-9]{2}$'",
                        pid, id, artist, era_id, img),
                   1);
  /* One namespace with the permanent cards. */
  assert_int_equal(sqlf("SELECT count(*) FROM card_templates WHERE public_id = '%s'", pid), 0);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs WHERE id = %lld AND kind = 'render' AND"
                        " state = 'queued' AND params = jsonb_build_object('cards',"
                        " jsonb_build_array('%s'))",
                        (long long)job, pid),
                   1);
  /* Invisible to players until rendered. */
  assert_int_equal(sqlf("SELECT count(*) FROM all_cards WHERE public_id = '%s'", pid), 0);
  json_decref(d);
  json_decref(reply);

  /* By era id, with an uploaded picture: another id, the URL kept. */
  reply = admin(0, PD_AE_ADMIN, "create_temp_card", "event", id, "artist", artist, "era", era_id,
                "rarity", "mythic", "image_url", "https://cdn.example.test/a.png", NULL);
  contains(reply, "Temporary card");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(DISTINCT public_id) FROM temp_card_templates t JOIN events e"
                        " ON e.id = t.event_id WHERE e.name = 'Card Fest'"),
                   2);
  assert_int_equal(sqlf("SELECT count(*) FROM temp_card_templates WHERE source_url ="
                        " 'https://cdn.example.test/a.png' AND source_image_id IS NULL"),
                   1);
  int64_t before = sqlf("SELECT count(*) FROM temp_card_templates");
  int64_t jobs = sqlf("SELECT count(*) FROM admin_jobs");
  reply = admin(0, PD_AE_ADMIN, "create_temp_card", "event", id, "artist", artist, "era", other_era,
                "rarity", "rare", NULL);
  contains(reply, "belongs to another artist");
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "create_temp_card", "event", id, "artist", artist, "era", era,
                "rarity", "rare", "expires", "2099-07-01 00:00", NULL);
  contains(reply, "\"expires\"");
  contains(reply, "must not be after the event's end");
  json_decref(reply);
  reply = admin(0, PD_AE_ADMIN, "create_temp_card", "event", id, "artist", artist, "era", era,
                "rarity", "rare", "image_url", "ftp://example.test/a.png", NULL);
  contains(reply, "\"image_url\" must be an http(s) URL");
  json_decref(reply);
  if (other_img[0] != '\0') {
    reply = admin(0, PD_AE_ADMIN, "create_temp_card", "event", id, "artist", artist, "era", era,
                  "rarity", "rare", "era_image", other_img, NULL);
    contains(reply, "is not one of");
    json_decref(reply);
  }
  reply = admin(0, PD_AE_ADMIN, "create_temp_card", "event", id, "artist", artist, "era",
                "No Such Era", "rarity", "rare", NULL);
  contains(reply, "has no era called \"No Such Era\"");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM temp_card_templates"), before);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_jobs"), jobs);
  assert_true(pd_ae_audit_count(&E, "action = 'create_temp_card' AND outcome = 'refused'") >= 4);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_ban_suspends_every_interaction),
      PD_E2E_TEST(test_ban_spares_admin_and_never_played),
      PD_E2E_TEST(test_flags_list_and_review),
      PD_E2E_TEST(test_user_matches_the_database),
      PD_E2E_TEST(test_events_round_trip),
      PD_E2E_TEST(test_create_temp_card),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
