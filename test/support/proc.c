/* proc.c - spawning and watching the programs an end-to-end test drives. */
#include "proc.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct pd_proc {
  pid_t pid;
  bool exited;
  int status;
  char *log_path;
  long log_start; /* where this process's output begins in the log */
};

static int64_t ms_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static bool same_name(const char *a, const char *b)
{
  size_t na = strcspn(a, "="), nb = strcspn(b, "=");
  return na == nb && strncmp(a, b, na) == 0;
}

enum pd_result pd_proc_spawn(struct pd_proc **out, char *const argv[], const char *const env[],
                             const char *log_path)
{
  struct pd_proc *p = calloc(1, sizeof(*p));
  if (p == NULL)
    return PD_E_NOMEM;
  p->log_path = strdup(log_path);
  int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0 || p->log_path == NULL) {
    free(p->log_path);
    free(p);
    return PD_E_IO;
  }
  p->log_start = lseek(fd, 0, SEEK_END);

  size_t n_env = 0, n_extra = 0;
  while (environ[n_env] != NULL)
    n_env++;
  while (env != NULL && env[n_extra] != NULL)
    n_extra++;
  char **envp = calloc(n_env + n_extra + 1, sizeof(char *));
  size_t k = 0;
  for (size_t i = 0; envp != NULL && i < n_env; i++) {
    bool overridden = false;
    for (size_t j = 0; j < n_extra && !overridden; j++)
      overridden = same_name(environ[i], env[j]);
    if (!overridden)
      envp[k++] = environ[i];
  }
  for (size_t j = 0; envp != NULL && j < n_extra; j++)
    envp[k++] = (char *)env[j];

  pid_t pid = envp != NULL ? fork() : -1;
  if (pid == 0) {
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0)
      dup2(devnull, STDIN_FILENO);
    execve(argv[0], argv, envp);
    fprintf(stderr, "exec %s failed\n", argv[0]);
    _exit(127);
  }
  close(fd);
  free(envp);
  if (pid < 0) {
    free(p->log_path);
    free(p);
    return PD_E_IO;
  }
  p->pid = pid;
  *out = p;
  return PD_OK;
}

static void reap(struct pd_proc *p, int flags)
{
  int st;
  if (p->exited)
    return;
  if (waitpid(p->pid, &st, flags) == p->pid) {
    p->exited = true;
    p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
}

enum pd_result pd_proc_wait_log(struct pd_proc *p, const char *needle, int timeout_ms, char *line,
                                size_t cap)
{
  int64_t until = ms_now() + timeout_ms;
  char buf[8192];
  for (;;) {
    FILE *f = fopen(p->log_path, "r");
    if (f != NULL) {
      fseek(f, p->log_start, SEEK_SET);
      while (fgets(buf, sizeof(buf), f) != NULL) {
        if (strstr(buf, needle) != NULL) {
          if (line != NULL)
            snprintf(line, cap, "%s", buf);
          fclose(f);
          return PD_OK;
        }
      }
      fclose(f);
    }
    reap(p, WNOHANG);
    if (p->exited || ms_now() >= until)
      return PD_E_NOTFOUND;
    usleep(20000);
  }
}

void pd_proc_signal(struct pd_proc *p, int sig)
{
  if (p != NULL && !p->exited)
    kill(p->pid, sig);
}

enum pd_result pd_proc_wait_exit(struct pd_proc *p, int timeout_ms, int *status)
{
  int64_t until = ms_now() + timeout_ms;
  for (;;) {
    reap(p, WNOHANG);
    if (p->exited) {
      if (status != NULL)
        *status = p->status;
      return PD_OK;
    }
    if (ms_now() >= until)
      return PD_E_NOTFOUND;
    usleep(10000);
  }
}

pid_t pd_proc_pid(const struct pd_proc *p)
{
  return p->pid;
}

void pd_proc_free(struct pd_proc *p)
{
  if (p == NULL)
    return;
  if (!p->exited) {
    kill(p->pid, SIGKILL);
    reap(p, 0);
  }
  free(p->log_path);
  free(p);
}

int pd_proc_free_port(void)
{
  struct sockaddr_in a = {0};
  socklen_t len = sizeof(a);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
    if (fd >= 0)
      close(fd);
    return -1;
  }
  close(fd);
  return ntohs(a.sin_port);
}

enum pd_result pd_proc_start_double(char *const argv[], const char *log_path, struct pd_proc **out,
                                    unsigned *port)
{
  char line[256];
  struct pd_proc *p = NULL;
  *out = NULL;
  if (pd_proc_spawn(&p, argv, NULL, log_path) != PD_OK)
    return PD_E_IO;
  bool up = pd_proc_wait_log(p, "listening on 127.0.0.1:", 5000, line, sizeof(line)) == PD_OK;
  const char *at = up ? strstr(line, "127.0.0.1:") : NULL;
  if (at == NULL || sscanf(at + 10, "%u", port) != 1) {
    pd_proc_free(p);
    return PD_E_IO;
  }
  *out = p;
  return PD_OK;
}

void pd_proc_stop(struct pd_proc *p)
{
  int status;
  if (p == NULL)
    return;
  pd_proc_signal(p, SIGTERM);
  pd_proc_wait_exit(p, 5000, &status);
  pd_proc_free(p);
}
