/* main.c - popdeck's entry point: picks the subcommand. */
#include <curl/curl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *usage;
} subcommands[] = {
    {"serve", pd_cli_serve,
     "serve                     the interactions endpoint and follow-up workers"},
    {"migrate", pd_cli_migrate,
     "migrate                   apply sql/NNN_name.sql migrations not yet applied"},
    {"audit", pd_cli_audit,
     "audit [--full]            check the ledger and the copies; exit 1 naming the first offender"},
    {"payments", pd_cli_payments,
     "payments reconcile        grant Discord entitlements that were missed, claw back deleted "
     "ones"},
    {"register-commands", pd_cli_register,
     "register-commands [--guild ID]  upload the command table to Discord"},
    {"keygen", pd_cli_keygen,
     "keygen [FILE]             make a development signing key, print its public key"},
    {"try", pd_cli_try,
     "try COMMAND [name=value ...]  send a signed command to the running server"},
    {"seed", pd_cli_seed,
     "seed demo [--limit N]      the offline demo catalog with rendered cards (idempotent)"},
    {"render", pd_cli_render,
     "render PUBLIC_ID FILE.png  render one card (--strip W FILE.png ID|back...: side by side)"},
    {"sync", pd_cli_sync,
     "sync                      Last.fm's chart and similar artists, ingested (idempotent)"},
    {"ingest", pd_cli_ingest,
     "ingest artist \"NAME\"      an artist and its eras from MusicBrainz (idempotent)"},
};

static int usage(FILE *f)
{
  fprintf(f, "usage: popdeck SUBCOMMAND [ARGS]\n\n");
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
    fprintf(f, "  %s\n", subcommands[i].usage);
  fprintf(f, "\nConfiguration comes from the environment and .env; see .env.example.\n");
  return 2;
}

int main(int argc, char **argv)
{
  if (argc < 2)
    return usage(stderr);
  if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
      strcmp(argv[1], "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "popdeck: cannot initialise libsodium or libcurl\n");
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  int rc = -1;
  for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
    if (strcmp(argv[1], subcommands[i].name) == 0)
      rc = subcommands[i].run(argc - 1, argv + 1);
  if (rc < 0) {
    fprintf(stderr, "popdeck: unknown subcommand \"%s\"\n", argv[1]);
    rc = usage(stderr);
  }
  curl_global_cleanup();
  return rc;
}
