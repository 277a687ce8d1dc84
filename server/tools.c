/* tools.c - the small subcommands: migrate, keygen, register-commands, and config loading. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "commands.h"
#include "db.h"
#include "discord_rest.h"
#include "migrate.h"

bool pd_cli_config(unsigned need, struct pd_config *cfg)
{
  char err[512];
  struct pd_config_source env = pd_config_env();
  if (pd_config_load_dotenv(".env", err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "%s\n", err);
    return false;
  }
  if (pd_config_load(&env, need, cfg, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "%s\n", err);
    return false;
  }
  return true;
}

static void print_applied(const char *file)
{
  printf("migrate: applied %s\n", file);
}

int pd_cli_migrate(int argc, char **argv)
{
  struct pd_config cfg;
  struct pd_db *db = NULL;
  int applied = 0, version = 0;
  if (!pd_cli_config(PD_NEED_DB, &cfg))
    return 2;
  int rc = 1;
  char why[512] = "";
  if (pd_db_open(cfg.database_url, 0, false, &db, why, sizeof(why)) != PD_OK) {
    fprintf(stderr, "migrate: cannot connect to DATABASE_URL: %s\n", why);
    goto out;
  }
  if (pd_migrate_run(db, cfg.sql_dir, print_applied, &applied) != PD_OK) {
    fprintf(
        stderr,
        "migrate: failed (see the log line above); nothing after the failed file was applied\n");
    goto out;
  }
  pd_migrate_current(db, &version);
  printf("migrate: %d applied, database at version %d\n", applied, version);
  /* Every run, not only when a file was applied: the months ahead move on with the calendar. */
  int made = 0;
  if (pd_migrate_partitions(db, PD_LEDGER_MONTHS_AHEAD, &made) != PD_OK) {
    fprintf(stderr, "migrate: cannot make the ledger's partitions (see the log line above)\n");
    goto out;
  }
  printf("migrate: %d ledger partition%s made (months through %d ahead exist)\n", made,
         made == 1 ? "" : "s", PD_LEDGER_MONTHS_AHEAD);
  rc = 0;
out:
  pd_db_close(db);
  pd_config_free(&cfg);
  return rc;
}

int pd_cli_keygen(int argc, char **argv)
{
  char dflt[4096];
  const char *path = argc > 1 ? argv[1] : dflt;
  if (argc <= 1) { /* DEV_KEY_FILE, read with the rest of the configuration */
    struct pd_config cfg;
    if (!pd_cli_config(0, &cfg))
      return 2;
    snprintf(dflt, sizeof(dflt), "%s", cfg.dev_key_file);
    pd_config_free(&cfg);
  }
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
  char pkhex[2 * crypto_sign_PUBLICKEYBYTES + 1];

  FILE *f = fopen(path, "r");
  if (f != NULL) {
    /* Keep an existing key: the public key may already be configured somewhere. */
    size_t len = 0;
    if (fgets(hex, sizeof(hex), f) == NULL ||
        sodium_hex2bin(sk, sizeof(sk), hex, strcspn(hex, "\n"), NULL, &len, NULL) != 0 ||
        len != sizeof(sk)) {
      fprintf(stderr, "keygen: %s is not a signing key (%zu bytes); delete it to make a new one\n",
              path, len);
      fclose(f);
      return 1;
    }
    fclose(f);
    crypto_sign_ed25519_sk_to_pk(pk, sk);
  } else {
    crypto_sign_keypair(pk, sk);
    sodium_bin2hex(hex, sizeof(hex), sk, sizeof(sk));
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
      fprintf(stderr, "keygen: cannot create %s: %s\n", path, strerror(errno));
      return 1;
    }
    size_t n = strlen(hex);
    hex[n] = '\n';
    bool ok = write(fd, hex, n + 1) == (ssize_t)(n + 1);
    close(fd);
    if (!ok) {
      fprintf(stderr, "keygen: cannot write %s\n", path);
      return 1;
    }
  }
  sodium_memzero(sk, sizeof(sk));
  sodium_memzero(hex, sizeof(hex));
  sodium_bin2hex(pkhex, sizeof(pkhex), pk, sizeof(pk));
  printf("%s\n", pkhex);
  return 0;
}

int pd_cli_register(int argc, char **argv)
{
  struct pd_config cfg;
  struct pd_discord *d = NULL;
  struct pd_discord_reply reply = {0};
  char path[256];
  const char *guild = NULL;
  if (argc == 3 && strcmp(argv[1], "--guild") == 0) {
    guild = argv[2];
  } else if (argc != 1) {
    fprintf(stderr, "usage: popdeck register-commands [--guild ID]\n");
    return 2;
  }
  if (!pd_cli_config(PD_NEED_APP_ID | PD_NEED_BOT_TOKEN, &cfg))
    return 2;
  int rc = 1;
  char gpath[1024], err[512];
  struct pd_game_config *game = NULL;
  snprintf(gpath, sizeof(gpath), "%s/packs.json", cfg.assets_dir);
  if (pd_game_config_load(gpath, &game, err, sizeof(err)) != PD_OK) {
    fprintf(stderr, "register-commands: %s\n", err);
    pd_config_free(&cfg);
    return 2;
  }
  json_t *body = pd_commands_registration(game);
  pd_game_config_free(game);
  if (guild != NULL)
    snprintf(path, sizeof(path), "/applications/%s/guilds/%s/commands", cfg.application_id, guild);
  else
    snprintf(path, sizeof(path), "/applications/%s/commands", cfg.application_id);
  if (body == NULL || pd_discord_new(cfg.api_base, 15000, &d) != PD_OK)
    goto out;
  if (pd_discord_request(d, "PUT", path, cfg.bot_token, body, NULL, 0, &reply) != PD_OK) {
    fprintf(stderr, "register-commands: cannot reach %s: %s\n", cfg.api_base, reply.error);
    goto out;
  }
  if (reply.status != 200) {
    char *why = reply.body != NULL ? json_dumps(reply.body, JSON_COMPACT) : NULL;
    fprintf(stderr, "register-commands: Discord answered %ld: %s\n", reply.status,
            why != NULL ? why : "");
    free(why);
    goto out;
  }
  printf("register-commands: %zu commands registered %s%s\n", json_array_size(reply.body),
         guild != NULL ? "in guild " : "globally (may take up to an hour to appear)",
         guild != NULL ? guild : "");
  rc = 0;
out:
  json_decref(body);
  pd_discord_reply_clear(&reply);
  pd_discord_free(d);
  pd_config_free(&cfg);
  return rc;
}
