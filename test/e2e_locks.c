/* e2e_locks.c - /lock and /unlock end to end, and the copy counts /balance and /profile show:
 * signed interactions to a real `popdeck serve` on a real PostgreSQL with the demo catalog.
 * Copies are written PUBLIC_ID/PRINT, autocomplete offers the player's own copies only (free
 * ones first, locked ones first for /unlock), and a lock raced against itself locks once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e2e.h"

static struct pd_e2e E;

static int setup(void **state)
{
  if (pd_e2e_setup(&E, "locks") != 0)
    return -1;
  if (pd_e2e_seed_demo(&E, 2) != 0)
    return -1;
  return pd_e2e_server_start(&E, 1, NULL);
}

static int teardown(void **state)
{
  pd_e2e_teardown(&E);
  return 0;
}

/* Mints the nth card of the catalog (by id) for user as the next print; ref gets PUBLIC_ID/NN. */
static void give_copy(const char *user, int nth, char ref[64])
{
  char sql[1024];
  snprintf(sql, sizeof(sql), "INSERT INTO users (discord_id) VALUES ('%s') ON CONFLICT DO NOTHING",
           user);
  assert_true(pd_e2e_sql(&E, sql));
  snprintf(sql, sizeof(sql),
           "WITH t AS (UPDATE card_templates SET copies_created = copies_created + 1 WHERE id ="
           " (SELECT id FROM card_templates ORDER BY id OFFSET %d LIMIT 1)"
           " RETURNING id, public_id, copies_created),"
           " c AS (INSERT INTO user_cards (user_id, template_id, print_no, source)"
           " SELECT u.id, t.id, t.copies_created, 'test' FROM t, users u WHERE u.discord_id = '%s'"
           " RETURNING print_no)"
           " SELECT t.public_id || '/' || lpad(c.print_no::text, 2, '0') FROM t, c",
           nth, user);
  pd_e2e_sql_text(&E, sql, ref, 64);
  assert_true(ref[0] != '\0');
}

static json_t *run(int srv, const char *name, const char *user, const char *card)
{
  json_t *ix = pd_e2e_command(name, user), *reply = NULL;
  if (card != NULL)
    pd_e2e_option(ix, "card", 3, json_string(card));
  assert_int_equal(pd_e2e_post(&E, srv, ix, &reply), 200);
  json_decref(ix);
  return reply;
}

static const char *state_of(const char *ref, char *out, size_t len)
{
  char sql[512];
  const char *slash = strrchr(ref, '/');
  snprintf(sql, sizeof(sql),
           "SELECT uc.state FROM user_cards uc JOIN card_templates t ON t.id = uc.template_id"
           " WHERE t.public_id = '%.*s' AND uc.print_no = %s",
           (int)(slash - ref), ref, slash + 1);
  pd_e2e_sql_text(&E, sql, out, len);
  return out;
}

static void test_lock_and_unlock(void **state)
{
  const char *A = "700000000000000301";
  char ref[64], st[16];
  give_copy(A, 0, ref);

  json_t *r = run(0, "lock", A, ref);
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), "Locked **"));
  assert_non_null(strstr(pd_e2e_content(r), ref));
  assert_string_equal(state_of(ref, st, sizeof(st)), "locked");
  json_decref(r);

  r = run(1, "lock", A, ref);
  assert_non_null(strstr(pd_e2e_content(r), "is already locked"));
  json_decref(r);

  r = run(0, "unlock", A, ref);
  assert_non_null(strstr(pd_e2e_content(r), "Unlocked **"));
  assert_string_equal(state_of(ref, st, sizeof(st)), "free");
  json_decref(r);

  r = run(0, "unlock", A, ref);
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), "isn't locked"));
  json_decref(r);

  /* Lowercase and a print number without its leading zero name the same copy. */
  char loose[64];
  snprintf(loose, sizeof(loose), "%s", ref);
  for (char *p = loose; *p != '\0'; p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  char *slash = strrchr(loose, '/');
  if (slash[1] == '0')
    memmove(slash + 1, slash + 2, strlen(slash + 2) + 1);
  r = run(0, "lock", A, loose);
  assert_non_null(strstr(pd_e2e_content(r), "Locked **"));
  json_decref(r);
  r = run(0, "unlock", A, ref);
  json_decref(r);
}

static void test_mistakes_say_what_to_do(void **state)
{
  const char *A = "700000000000000302", *B = "700000000000000303";
  char mine[64], theirs[64], st[16];
  give_copy(A, 1, mine);
  give_copy(B, 1, theirs);

  json_t *r = run(0, "lock", A, theirs); /* another player's copy */
  assert_true(pd_e2e_ephemeral(r));
  assert_non_null(strstr(pd_e2e_content(r), "You don't have"));
  assert_string_equal(state_of(theirs, st, sizeof(st)), "free");
  json_decref(r);

  r = run(0, "lock", A, "TAYL_19#03");
  assert_non_null(strstr(pd_e2e_content(r), "is not a copy"));
  assert_non_null(strstr(pd_e2e_content(r), "TAYL_19#03/12"));
  json_decref(r);

  r = run(0, "lock", A, NULL); /* the option table refuses it before the handler */
  assert_non_null(strstr(pd_e2e_content(r), "needs **card**"));
  json_decref(r);

  /* A listed copy cannot be locked, and the refusal names the listing to take back. */
  char sql[1024];
  const char *slash = strrchr(mine, '/');
  snprintf(
      sql, sizeof(sql),
      "WITH c AS (UPDATE user_cards SET state = 'listed' WHERE print_no = %s AND template_id ="
      " (SELECT id FROM card_templates WHERE public_id = '%.*s') RETURNING id, user_id, card_id)"
      " INSERT INTO market_listings (user_card_id, seller_id, card_id, price, currency, scope,"
      " expires_at) SELECT id, user_id, card_id, 100, 'notes', 'global', now() + interval '1 day'"
      " FROM c",
      slash + 1, (int)(slash - mine), mine);
  assert_true(pd_e2e_sql(&E, sql));
  r = run(0, "lock", A, mine);
  assert_non_null(strstr(pd_e2e_content(r), "is on the market"));
  assert_non_null(strstr(pd_e2e_content(r), "/unlist listing:"));
  assert_string_equal(state_of(mine, st, sizeof(st)), "listed");
  json_decref(r);
}

static json_t *suggest(const char *command, const char *user, const char *typed)
{
  json_t *ix = pd_e2e_autocomplete(command, "card", typed, user), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(ix);
  assert_int_equal(json_integer_value(json_object_get(reply, "type")), 8);
  json_t *choices = json_incref(json_object_get(json_object_get(reply, "data"), "choices"));
  json_decref(reply);
  return choices;
}

static void test_autocomplete_offers_own_copies(void **state)
{
  const char *A = "700000000000000304", *B = "700000000000000305";
  char a1[64], a2[64], b1[64];
  give_copy(A, 2, a1);
  give_copy(A, 3, a2);
  give_copy(B, 2, b1);
  json_t *r = run(0, "lock", A, a2);
  json_decref(r);

  json_t *c = suggest("lock", A, "");
  assert_int_equal(json_array_size(c), 2);
  /* Free first, and every choice's value is a ref the commands accept. */
  assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "value")), a1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(c, 1), "value")), a2);
  assert_non_null(
      strstr(json_string_value(json_object_get(json_array_get(c, 1), "name")), "(locked)"));
  for (size_t i = 0; i < json_array_size(c); i++)
    assert_true(strcmp(json_string_value(json_object_get(json_array_get(c, i), "value")), b1) != 0);
  json_decref(c);

  c = suggest("unlock", A, ""); /* locked first for /unlock */
  assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "value")), a2);
  json_decref(c);

  char typed[16];
  snprintf(typed, sizeof(typed), "%.6s", a1);
  for (char *p = typed; *p != '\0'; p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  c = suggest("lock", A, typed);
  assert_true(json_array_size(c) >= 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(c, 0), "value")), a1);
  json_decref(c);

  c = suggest("lock", "700000000000000399", ""); /* never played: nothing, no failure */
  assert_int_equal(json_array_size(c), 0);
  json_decref(c);
}

static void test_counts_on_balance_and_profile(void **state)
{
  const char *A = "700000000000000306";
  char r1[64], r2[64], r3[64];
  give_copy(A, 4, r1);
  give_copy(A, 5, r2);
  give_copy(A, 6, r3);
  json_t *r = run(0, "lock", A, r1);
  json_decref(r);
  r = run(0, "lock", A, r2);
  json_decref(r);

  json_t *ix = pd_e2e_command("balance", A), *reply = NULL;
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_t *fields = json_object_get(
      json_array_get(json_object_get(json_object_get(reply, "data"), "embeds"), 0), "fields");
  const char *cards = NULL;
  for (size_t i = 0; i < json_array_size(fields); i++)
    if (strcmp(json_string_value(json_object_get(json_array_get(fields, i), "name")), "Cards") == 0)
      cards = json_string_value(json_object_get(json_array_get(fields, i), "value"));
  assert_non_null(cards);
  assert_string_equal(cards, "3 copies: 2 locked, 0 listed, 0 in a trade");
  json_decref(ix);
  json_decref(reply);

  /* /profile is deferred: its follow-up carries the same field. */
  ix = pd_e2e_command("profile", A);
  const char *token = json_string_value(json_object_get(ix, "token"));
  assert_int_equal(pd_e2e_post(&E, 0, ix, &reply), 200);
  json_decref(reply);
  json_t *reqs = pd_double_wait_requests(E.dbl, token, 1, 5000);
  assert_non_null(reqs);
  char *dump = json_dumps(json_array_get(reqs, 0), 0);
  assert_non_null(strstr(dump, "3 copies: 2 locked, 0 listed, 0 in a trade"));
  free(dump);
  json_decref(reqs);
  json_decref(ix);
}

struct locker {
  int srv;
  const char *command, *user, *ref;
  json_t *reply;
};

static void *lock_thread(void *arg)
{
  struct locker *l = arg;
  json_t *ix = pd_e2e_command(l->command, l->user);
  pd_e2e_option(ix, "card", 3, json_string(l->ref));
  l->reply = NULL;
  pd_e2e_post(&E, l->srv, ix, &l->reply);
  json_decref(ix);
  return NULL;
}

/* The same copy locked from both servers at once, 50 rounds: each round exactly one "Locked",
 * the rest "already locked"; then unlocked the same way. */
static void test_racing_locks_lock_once(void **state)
{
  enum { N = 4, ROUNDS = 50 };
  const char *A = "700000000000000307";
  char ref[64], st[16];
  give_copy(A, 7, ref);
  for (int round = 0; round < ROUNDS; round++) {
    for (int phase = 0; phase < 2; phase++) {
      struct locker l[N];
      pthread_t t[N];
      for (int i = 0; i < N; i++) {
        l[i] = (struct locker){i % 2, phase == 0 ? "lock" : "unlock", A, ref, NULL};
        pthread_create(&t[i], NULL, lock_thread, &l[i]);
      }
      int won = 0;
      for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        const char *text = pd_e2e_content(l[i].reply);
        if (strstr(text, phase == 0 ? "Locked **" : "Unlocked **") != NULL)
          won++;
        else if (strstr(text, phase == 0 ? "already locked" : "isn't locked") == NULL)
          fail_msg("round %d: unexpected answer: %s", round, text);
        json_decref(l[i].reply);
      }
      assert_int_equal(won, 1);
      assert_string_equal(state_of(ref, st, sizeof(st)), phase == 0 ? "locked" : "free");
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_lock_and_unlock),
      PD_E2E_TEST(test_mistakes_say_what_to_do),
      PD_E2E_TEST(test_autocomplete_offers_own_copies),
      PD_E2E_TEST(test_counts_on_balance_and_profile),
      PD_E2E_TEST(test_racing_locks_lock_once),
  };
  return cmocka_run_group_tests_name("e2e_locks", tests, setup, teardown);
}
