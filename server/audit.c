/* audit.c - `popdeck audit [--full]`: checks that the ledger and the copies agree with
 * themselves, in one REPEATABLE READ snapshot, and prints the first offender (exit 1) or one
 * line of what was checked (exit 0).
 *
 * The checks: every player's balance (users.coins/discs/gems) is the sum of its ledger rows and
 * not below zero; no game account that issues nothing sums below zero; every operation's rows
 * sum to zero in each currency; each listed or trading copy has exactly one active listing or
 * open offer by its owner, nothing active points at a copy in another state, and no two live
 * copies share a card and print number.
 *
 * A clean run leaves a checkpoint (sql/011_audit.sql): every account's sum of the rows dated
 * before its horizon.  The next run reads only what came after (and compares every account's
 * balance against checkpoint + rows after, so a balance changed without a row is caught however
 * old its rows are); --full ignores the checkpoint.  The horizon must leave no row behind that
 * the snapshot could not see: a row is dated with its transaction's start (now()) and becomes
 * visible at its commit, so the horizon is at most the start of the oldest transaction open
 * when the clock is read (before the snapshot), and PD_AUDIT_MARGIN_US before the clock.  What
 * the audit does not see this way (rows of an old date changed in place) only --full finds.
 *
 * Exit status: 0 clean, 1 something is wrong (the line says what), 2 the audit could not run
 * (configuration, database unreachable, a statement failed, another audit running). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "cli.h"
#include "db.h"
#include "db_audit.h"

static double seconds_since(const struct timespec *t0)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

struct run {
  bool full;
  struct pd_audit_checkpoint cp;
  int64_t run_id, horizon_us, max_id, rows, ops, accounts;
  struct pd_audit_finding found;
};

/* The checks, in the open transaction; r->found names the first offender. */
static enum pd_result check(struct pd_db *db, int64_t now_us, int64_t oldest_us, struct run *r)
{
  /* The transaction's first statement takes the snapshot: after the clock was read. */
  enum pd_result rc = pd_db_audit_last(db, &r->cp);
  if (rc != PD_OK)
    return rc;
  if (r->full)
    memset(&r->cp, 0, sizeof(r->cp));
  r->horizon_us = pd_audit_horizon(now_us, oldest_us, PD_AUDIT_MARGIN_US,
                                   r->cp.run_id != 0 ? r->cp.horizon_us : PD_AUDIT_NO_HORIZON);
  rc = pd_db_audit_run_new(db, now_us, r->horizon_us, r->full, &r->run_id, &r->max_id);
  if (rc == PD_OK)
    rc = pd_db_audit_fill(db, r->run_id, &r->cp, r->horizon_us, &r->rows);
  if (rc == PD_OK)
    rc = pd_db_audit_analyze(db);
  if (rc == PD_OK)
    rc = pd_db_audit_accounts(db, &r->accounts);
  if (rc == PD_OK)
    rc = pd_db_audit_players(db, r->run_id, &r->found);
  if (rc == PD_OK && r->found.kind == PD_AUDIT_CLEAN)
    rc = pd_db_audit_system(db, r->run_id, &r->found);
  if (rc == PD_OK && r->found.kind == PD_AUDIT_CLEAN)
    rc = pd_db_audit_ops(db, &r->cp, &r->ops, &r->found);
  if (rc == PD_OK && r->found.kind == PD_AUDIT_CLEAN)
    rc = pd_db_audit_copies(db, &r->found);
  if (rc == PD_OK && r->found.kind == PD_AUDIT_CLEAN)
    rc = pd_db_audit_payments(db, &r->found);
  return rc;
}

int pd_cli_audit(int argc, char **argv)
{
  struct pd_config cfg;
  struct pd_db *db = NULL;
  struct run r = {0};
  char why[512] = "", line[1024];
  if (argc == 2 && strcmp(argv[1], "--full") == 0) {
    r.full = true;
  } else if (argc != 1) {
    fprintf(stderr, "usage: popdeck audit [--full]\n");
    return 2;
  }
  if (!pd_cli_config(PD_NEED_DB, &cfg))
    return 2;
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = 2;
  bool locked = false, in_tx = false;
  int64_t now_us = 0, oldest_us = 0;
  /* No statement timeout: a full run at 100 M rows reads for minutes. */
  if (pd_db_open(cfg.database_url, 0, true, &db, why, sizeof(why)) != PD_OK) {
    fprintf(stderr, "audit: cannot use DATABASE_URL: %s (is it migrated? run popdeck migrate)\n",
            why);
    goto out;
  }
  if (pd_db_audit_lock(db, &locked) != PD_OK)
    goto failed;
  if (!locked) {
    fprintf(stderr, "audit: another audit of this database is running; try again when it ends\n");
    goto out;
  }
  if (pd_db_audit_clock(db, &now_us, &oldest_us) != PD_OK)
    goto failed;
  /* Read write only for the audit's own checkpoint rows, written from this same snapshot so
   * the checkpoint is exactly what was verified; the game's tables are only read. */
  if (pd_db_exec_sql(db, "BEGIN ISOLATION LEVEL REPEATABLE READ") != PD_OK)
    goto failed;
  in_tx = true;
  if (check(db, now_us, oldest_us, &r) != PD_OK)
    goto failed;
  if (r.found.kind != PD_AUDIT_CLEAN) {
    /* Nothing of a run that found something stays: the next one starts from the last clean. */
    pd_audit_describe(&r.found, line, sizeof(line));
    printf("%s\n", line);
    rc = 1;
    goto out;
  }
  double secs = seconds_since(&t0);
  if (pd_db_audit_finish(db, r.run_id, r.accounts, r.ops, r.rows, secs) != PD_OK ||
      pd_db_exec_sql(db, "COMMIT") != PD_OK)
    goto failed;
  in_tx = false;
  printf("audit: clean: %lld accounts, %lld ops and %lld ledger rows checked in %.2f s (%s)\n",
         (long long)r.accounts, (long long)r.ops, (long long)r.rows, secs,
         r.cp.run_id != 0 ? "rows since the last checkpoint" : "the whole ledger");
  rc = 0;
  goto out;
failed:
  fprintf(stderr, "audit: the database refused a statement (see the log line above)\n");
  rc = 2;
out:
  if (in_tx)
    (void)pd_db_exec_sql(db, "ROLLBACK");
  pd_db_close(db);
  pd_config_free(&cfg);
  return rc;
}
