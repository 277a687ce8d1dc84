/* cli.h - the subcommands of the popdeck program. */
#ifndef PD_CLI_H
#define PD_CLI_H

#include "config.h"

/* Each returns the process exit code (0 ok, 1 failure, 2 bad usage or configuration). */
int pd_cli_serve(int argc, char **argv);
int pd_cli_migrate(int argc, char **argv);
int pd_cli_register(int argc, char **argv);
int pd_cli_keygen(int argc, char **argv);
int pd_cli_try(int argc, char **argv);
int pd_cli_seed(int argc, char **argv);
int pd_cli_render(int argc, char **argv);
int pd_cli_ingest(int argc, char **argv);
int pd_cli_sync(int argc, char **argv);
int pd_cli_audit(int argc, char **argv);
int pd_cli_payments(int argc, char **argv);

/* Loads .env and the configuration that `need` requires; on a problem prints one line
 * naming the variable and returns false (exit 2). */
bool pd_cli_config(unsigned need, struct pd_config *cfg);

#endif
