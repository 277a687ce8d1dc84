/* proc.h - child processes for end-to-end tests: spawn with extra environment, log to a
 * file, wait for a log line, signal, reap. */
#ifndef PD_TEST_PROC_H
#define PD_TEST_PROC_H

#include <stddef.h>
#include <sys/types.h>

#include "pd.h"

struct pd_proc;

/* Starts argv[0] with the parent's environment plus env (NULL-terminated "NAME=value",
 * overriding same names); stdout and stderr are appended to log_path. */
enum pd_result pd_proc_spawn(struct pd_proc **out, char *const argv[], const char *const env[],
                             const char *log_path);
/* Waits until a line containing needle is in the log (from where this process's output
 * began); copies that line to line (may be NULL).  PD_E_NOTFOUND on timeout or early exit. */
enum pd_result pd_proc_wait_log(struct pd_proc *p, const char *needle, int timeout_ms, char *line,
                                size_t cap);
void pd_proc_signal(struct pd_proc *p, int sig);
/* Waits for exit; *status is the exit code, or 128 + signal. */
enum pd_result pd_proc_wait_exit(struct pd_proc *p, int timeout_ms, int *status);
pid_t pd_proc_pid(const struct pd_proc *p);
/* Kills (SIGKILL) a process still running, reaps it, frees p.  NULL is fine. */
void pd_proc_free(struct pd_proc *p);
/* Starts a test double (argv[0] is its path) that prints "listening on 127.0.0.1:PORT", and
 * waits up to 5 s for that line.  *port gets the port. */
enum pd_result pd_proc_start_double(char *const argv[], const char *log_path, struct pd_proc **out,
                                    unsigned *port);
/* SIGTERM, wait up to 5 s, free.  NULL is fine. */
void pd_proc_stop(struct pd_proc *p);
/* A TCP port on 127.0.0.1 that was free a moment ago. */
int pd_proc_free_port(void);

#endif
