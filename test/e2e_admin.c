/* e2e_admin.c - /admin in Discord end to end, against two real servers on one PostgreSQL:
 * who may run it (ADMIN_FILE, its owners, the admins table, SIGHUP), the refusal and audit row
 * a non-admin gets, give_currency on the ledger, the confirmation of a large grant (only the
 * same admin, once, within two minutes, raced from both servers), and a shutdown that stops
 * every instance. */
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

#include "admin_e2e.h"
#include "e2e.h"
#include "gifts_e2e.h"

static struct pd_e2e E;
static char admin_env[600];

#define sqlf(...) pd_e2e_sqlf(&E, __VA_ARGS__)

static int start(int idx)
{
  const char *extra[] = {admin_env, "ADMIN_CONFIRM_GRANT_OVER=1000",
                         "DISCORD_BOT_TOKEN=test-bot-token", NULL};
  return pd_e2e_server_start(&E, idx, extra);
}

static int setup(void **state)
{
  if (pd_ae_setup(&E, "admin", admin_env, sizeof(admin_env)) != 0)
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

/* /admin give_currency by who, to user, amount of currency, on server srv. */
static json_t *give(int srv, const char *who, const char *user, long long amount,
                    const char *currency)
{
  json_t *ix = pd_ae_ix(who, "give_currency");
  pd_ge_option(ix, "user", 6, json_string(user), 0);
  pd_ge_option(ix, "amount", 4, json_integer(amount), 0);
  pd_ge_option(ix, "currency", 3, json_string(currency), 0);
  pd_ge_option(ix, "reason", 3, json_string("e2e compensation"), 0);
  return pd_ae_admin(&E, srv, who, NULL, ix);
}

static json_t *press(int srv, const char *who, const char *custom_id)
{
  json_t *ix = pd_e2e_button(custom_id, who);
  json_t *reply = pd_ge_post(&E, srv, ix);
  json_decref(ix);
  return reply;
}

/* A non-admin is refused, ephemerally, before anything runs, and the attempt is audited. */
static void test_non_admin_refused_and_audited(void **state)
{
  const char *X = "720000000000000101";
  int64_t before = pd_ae_audit_count(&E, "outcome = 'denied'");
  json_t *reply = give(0, PD_AE_PLAYER, X, 500, "notes");
  contains(reply, "/admin is for PopDeck admins only.");
  assert_true(pd_e2e_ephemeral(reply));
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM users WHERE discord_id = '%s'", X), 0);
  assert_int_equal(pd_ae_audit_count(&E, "outcome = 'denied'"), before + 1);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_audit WHERE outcome = 'denied' AND actor = "
                        "'%s' AND action = '/admin' AND args->>'subcommand' = 'give_currency'",
                        PD_AE_PLAYER),
                   1);
  /* Its Confirm button is refused the same way. */
  reply = press(1, PD_AE_PLAYER, "admin:confirm:00000000000000000000000000000000");
  contains(reply, "/admin is for PopDeck admins only.");
  json_decref(reply);
  assert_string_equal(pd_ge_books(&E), "");
}

/* Grants and takebacks are ledger operations with the 'grants' account, never below zero; each
 * is one audit row with before and after; the player gets a DM. */
static void test_give_currency(void **state)
{
  const char *X = "720000000000000102";
  json_t *reply = give(0, PD_AE_ADMIN, X, 500, "notes");
  contains(reply, "Gave 500 Notes to <@"
                  "720000000000000102"
                  ">: balance 0 → 500.");
  assert_true(pd_e2e_ephemeral(reply));
  json_decref(reply);
  assert_int_equal(pd_ge_balance(&E, X, "notes"), 500);
  assert_int_equal(sqlf("SELECT count(*) FROM ledger l JOIN users u ON u.id = l.user_id WHERE "
                        "u.discord_id = '%s' AND l.kind = 'admin_grant' AND l.amount = 500",
                        X),
                   1);
  assert_int_equal(sqlf("SELECT count(*) FROM admin_audit WHERE action = 'give_currency' AND "
                        "outcome = 'done' AND actor = '%s' AND target = 'user %s' AND "
                        "(before->>'notes')::int = 0 AND (after->>'notes')::int = 500 AND ref IS "
                        "NOT NULL",
                        PD_AE_ADMIN, X),
                   1);
  reply = give(1, PD_AE_ADMIN, X, -200, "notes");
  contains(reply, "Took 200 Notes from");
  json_decref(reply);
  assert_int_equal(pd_ge_balance(&E, X, "notes"), 300);
  /* More than there is: what there is. */
  reply = give(0, PD_AE_OWNER, X, -900, "notes");
  contains(reply, "balance 300 → 0.");
  json_decref(reply);
  assert_int_equal(pd_ge_balance(&E, X, "notes"), 0);
  reply = give(0, PD_AE_ADMIN, X, -1, "notes");
  contains(reply, "has no Notes to take back");
  json_decref(reply);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'give_currency' AND outcome = 'refused' AND "
                                         "after->>'code' = 'nothing_to_take'"),
                   1);
  /* The DM of the first grant, through the durable queue. */
  json_t *msgs = pd_double_wait_requests(E.dbl, "/channels/9720000000000000102/messages", 3, 10000);
  assert_non_null(msgs);
  const char *content = json_string_value(
      json_object_get(json_object_get(json_array_get(msgs, 0), "json"), "content"));
  assert_non_null(content);
  if (strstr(content, "500 Notes") == NULL || strstr(content, "e2e compensation") == NULL)
    fail_msg("grant DM: %s", content);
  json_decref(msgs);
  /* A bad amount or currency is refused by name. */
  reply = give(0, PD_AE_ADMIN, X, 0, "notes");
  contains(reply, "\"amount\" must be");
  json_decref(reply);
  assert_string_equal(pd_ge_books(&E), "");
}

/* Racing presses of one Confirm, one per server: the grant is made once. */
struct race {
  const char *id;
  int srv;
  char text[600];
};

static void *race_press(void *arg)
{
  struct race *r = arg;
  json_t *reply = press(r->srv, PD_AE_ADMIN, r->id);
  snprintf(r->text, sizeof(r->text), "%s", pd_ge_text(reply));
  json_decref(reply);
  return NULL;
}

/* A grant over ADMIN_CONFIRM_GRANT_OVER shows a preview; only the same admin's Confirm does it,
 * once, and Cancel or two minutes end it. */
static void test_large_grant_needs_confirmation(void **state)
{
  const char *X = "720000000000000103";
  char custom[80], cancel[80];
  json_t *reply = give(0, PD_AE_ADMIN, X, 5000, "gems");
  contains(reply, "This gives 5000 Gems to <@720000000000000103> (balance 0 → 5000).");
  contains(reply, "Press **Confirm**");
  assert_non_null(pd_ge_button(reply, 0, 0));
  snprintf(custom, sizeof(custom), "%s", pd_ge_button(reply, 0, 0));
  snprintf(cancel, sizeof(cancel), "%s", pd_ge_button(reply, 0, 1));
  assert_int_equal(strncmp(custom, "admin:confirm:", 14), 0);
  json_decref(reply);
  /* The preview changed nothing, not even an account for the player. */
  assert_int_equal(sqlf("SELECT count(*) FROM users WHERE discord_id = '%s'", X), 0);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'give_currency' AND outcome = 'previewed'"), 1);
  /* Another admin (even an owner) cannot press it. */
  reply = press(1, PD_AE_OWNER, custom);
  contains(reply, "Only the admin who asked for this can confirm it.");
  json_decref(reply);
  assert_int_equal(sqlf("SELECT count(*) FROM users WHERE discord_id = '%s'", X), 0);
  /* The same admin, twice at once from both servers: once. */
  struct race r[2] = {{custom, 0, ""}, {custom, 1, ""}};
  pthread_t t[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&t[i], NULL, race_press, &r[i]);
  for (int i = 0; i < 2; i++)
    pthread_join(t[i], NULL);
  int done = 0, used = 0;
  for (int i = 0; i < 2; i++) {
    done += strstr(r[i].text, "Gave 5000 Gems") != NULL;
    used += strstr(r[i].text, "already used") != NULL;
  }
  if (done != 1 || used != 1)
    fail_msg("racing confirms: \"%s\" / \"%s\"", r[0].text, r[1].text);
  assert_int_equal(pd_ge_balance(&E, X, "gems"), 5000);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'give_currency' AND outcome = 'done' AND "
                                         "target = 'user 720000000000000103'"),
                   1);
  /* Cancel: the token is spent without effect. */
  reply = give(0, PD_AE_ADMIN, X, 2000, "gems");
  snprintf(custom, sizeof(custom), "%s", pd_ge_button(reply, 0, 0));
  snprintf(cancel, sizeof(cancel), "%s", pd_ge_button(reply, 0, 1));
  json_decref(reply);
  reply = press(0, PD_AE_ADMIN, cancel);
  contains(reply, "Cancelled: nothing was changed.");
  json_decref(reply);
  reply = press(0, PD_AE_ADMIN, custom);
  contains(reply, "already used");
  json_decref(reply);
  /* Expired: two minutes have passed (moved back in the database). */
  reply = give(0, PD_AE_ADMIN, X, 3000, "gems");
  snprintf(custom, sizeof(custom), "%s", pd_ge_button(reply, 0, 0));
  json_decref(reply);
  pd_e2e_sqlf(&E,
              "UPDATE admin_confirmations SET expires_at = now() - interval '1 second' "
              "WHERE token = '%s' RETURNING 1",
              custom + 14);
  reply = press(1, PD_AE_ADMIN, custom);
  contains(reply, "expired");
  json_decref(reply);
  assert_int_equal(pd_ge_balance(&E, X, "gems"), 5000);
  /* Under the threshold: no confirmation. */
  reply = give(0, PD_AE_ADMIN, X, 1000, "gems");
  contains(reply, "Gave 1000 Gems");
  json_decref(reply);
  assert_string_equal(pd_ge_books(&E), "");
}

/* Owners manage the admins table; an admin it names may use /admin at once, on any server. */
static void test_admins_table_is_owners(void **state)
{
  const char *Z = "720000000000000104";
  json_t *ix = pd_ae_ix(PD_AE_ADMIN, "admins add");
  pd_ge_option(ix, "user", 6, json_string(Z), 0);
  json_t *reply = pd_ae_admin(&E, 0, PD_AE_ADMIN, NULL, ix);
  contains(reply, "Only an owner");
  json_decref(reply);
  assert_int_equal(pd_ae_audit_count(&E, "action = 'admins_add' AND outcome = 'refused'"), 1);

  reply = pd_ae_admin(&E, 1, Z, "audit", NULL);
  contains(reply, "admins only");
  json_decref(reply);
  ix = pd_ae_ix(PD_AE_OWNER, "admins add");
  pd_ge_option(ix, "user", 6, json_string(Z), 0);
  reply = pd_ae_admin(&E, 0, PD_AE_OWNER, NULL, ix);
  contains(reply, "is now a PopDeck admin");
  json_decref(reply);
  reply = pd_ae_admin(&E, 1, Z, "audit", NULL);
  contains(reply, "audit entr");
  contains(reply, "admins_add");
  json_decref(reply);
  reply = pd_ae_admin(&E, 1, Z, "admins list", NULL);
  contains(reply, Z);
  contains(reply, "file_owner");
  json_decref(reply);

  ix = pd_ae_ix(PD_AE_OWNER, "admins remove");
  pd_ge_option(ix, "user", 6, json_string(PD_AE_ADMIN), 0);
  reply = pd_ae_admin(&E, 0, PD_AE_OWNER, NULL, ix);
  contains(reply, "is an admin through ADMIN_FILE");
  json_decref(reply);
  ix = pd_ae_ix(PD_AE_OWNER, "admins remove");
  pd_ge_option(ix, "user", 6, json_string(Z), 0);
  reply = pd_ae_admin(&E, 0, PD_AE_OWNER, NULL, ix);
  contains(reply, "is no longer a PopDeck admin");
  json_decref(reply);
  reply = pd_ae_admin(&E, 1, Z, "audit", NULL);
  contains(reply, "admins only");
  json_decref(reply);
}

/* SIGHUP re-reads ADMIN_FILE: a new admin may run /admin without a restart, a broken file
 * leaves the list as it was. */
static void test_sighup_reloads_the_file(void **state)
{
  const char *W = "720000000000000105";
  char env[600];
  json_t *reply = pd_ae_admin(&E, 0, W, "audit", NULL);
  contains(reply, "admins only");
  json_decref(reply);
  assert_int_equal(pd_ae_admin_file("admin", "[\"720000000000000105\"]", env, sizeof(env)), 0);
  pd_proc_signal(E.srv[0].proc, SIGHUP);
  assert_int_equal(pd_proc_wait_log(E.srv[0].proc, "ADMIN_FILE reloaded", 5000, NULL, 0), PD_OK);
  reply = pd_ae_admin(&E, 0, W, "audit", NULL);
  contains(reply, "audit entr");
  json_decref(reply);
  /* The other server has not been told yet. */
  reply = pd_ae_admin(&E, 1, W, "audit", NULL);
  contains(reply, "admins only");
  json_decref(reply);
  /* A broken file keeps the list as it was. */
  FILE *f = fopen(strchr(env, '=') + 1, "w");
  assert_non_null(f);
  fputs("{\"admins\": [", f);
  fclose(f);
  pd_proc_signal(E.srv[0].proc, SIGHUP);
  assert_int_equal(pd_proc_wait_log(E.srv[0].proc, "ADMIN_FILE not reloaded", 5000, NULL, 0),
                   PD_OK);
  reply = pd_ae_admin(&E, 0, W, "audit", NULL);
  contains(reply, "audit entr");
  json_decref(reply);
  assert_int_equal(pd_ae_admin_file("admin", NULL, env, sizeof(env)), 0);
}

/* The audit listing pages by id, newest first, and filters by admin and operation. */
static void test_audit_pages(void **state)
{
  const char *X = "720000000000000106";
  for (int i = 0; i < 3; i++)
    json_decref(give(0, PD_AE_OWNER, X, 10 + i, "discs"));
  json_t *ix = pd_ae_ix(PD_AE_ADMIN, "audit");
  pd_ge_option(ix, "user", 6, json_string(PD_AE_OWNER), 0);
  pd_ge_option(ix, "action", 3, json_string("give_currency"), 0);
  json_t *reply = pd_ae_admin(&E, 0, PD_AE_ADMIN, NULL, ix);
  const char *t = pd_ge_text(reply);
  /* Newest first: the grant of 12 before the grant of 10. */
  const char *a = strstr(t, "720000000000000106"), *b12 = strstr(t, "\"amount\": 12"),
             *b10 = strstr(t, "\"amount\": 10");
  if (a == NULL || b12 == NULL || b10 == NULL || b12 > b10)
    fail_msg("audit page: %s", t);
  if (strstr(t, "\"action\": \"audit\"") != NULL)
    fail_msg("the filter let another action through: %s", t);
  json_decref(reply);
  int64_t newest = sqlf("SELECT max(id) FROM admin_audit WHERE actor = '%s' AND action = "
                        "'give_currency' AND target = 'user %s'",
                        PD_AE_OWNER, X);
  ix = pd_ae_ix(PD_AE_ADMIN, "audit");
  pd_ge_option(ix, "user", 6, json_string(PD_AE_OWNER), 0);
  pd_ge_option(ix, "before", 4, json_integer(newest), 0);
  reply = pd_ae_admin(&E, 0, PD_AE_ADMIN, NULL, ix);
  t = pd_ge_text(reply);
  if (strstr(t, "\"amount\": 12") != NULL || strstr(t, "\"amount\": 11") == NULL)
    fail_msg("the page before %lld: %s", (long long)newest, t);
  json_decref(reply);
}

/* shutdown: every instance on the database stops gracefully (exit 0); only owners may. */
static void test_shutdown_stops_every_instance(void **state)
{
  json_t *reply = pd_ae_admin(&E, 0, PD_AE_ADMIN, "shutdown", NULL);
  contains(reply, "Only an owner");
  json_decref(reply);
  reply = pd_ae_admin(&E, 0, PD_AE_OWNER, "shutdown", NULL);
  contains(reply, "is stopping gracefully");
  json_decref(reply);
  for (int i = 0; i < 2; i++) {
    int status = -1;
    assert_int_equal(pd_proc_wait_exit(E.srv[i].proc, 15000, &status), PD_OK);
    assert_int_equal(status, 0);
    pd_proc_free(E.srv[i].proc);
    E.srv[i].proc = NULL;
  }
  assert_int_equal(pd_ae_audit_count(&E, "action = 'shutdown' AND outcome = 'done'"), 1);
  assert_int_equal(start(0), 0);
  assert_int_equal(start(1), 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      PD_E2E_TEST(test_non_admin_refused_and_audited),  PD_E2E_TEST(test_give_currency),
      PD_E2E_TEST(test_large_grant_needs_confirmation), PD_E2E_TEST(test_admins_table_is_owners),
      PD_E2E_TEST(test_sighup_reloads_the_file),        PD_E2E_TEST(test_audit_pages),
      PD_E2E_TEST(test_shutdown_stops_every_instance),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
