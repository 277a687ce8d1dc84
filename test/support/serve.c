/* serve.c - see serve.h. */
#include "serve.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

atomic_bool pd_double_stopping;

int pd_double_serve(long port, MHD_AccessHandlerCallback handler, void *cls,
                    MHD_RequestCompletedCallback completed)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* before the daemon's threads exist */
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof(addr));
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  struct MHD_Daemon *d = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0, NULL,
      NULL, handler, cls, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
      MHD_OPTION_END);
  if (d == NULL) {
    fprintf(stderr, "cannot listen on 127.0.0.1:%ld\n", port);
    return 1;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
  printf("listening on 127.0.0.1:%u\n", di != NULL ? di->port : (unsigned)port);
  fflush(stdout);
  int sig;
  sigwait(&set, &sig);
  atomic_store(&pd_double_stopping, true);
  MHD_stop_daemon(d);
  return 0;
}

void pd_double_rebase_urls(json_t *j, const char *from, const char *to)
{
  size_t n = strlen(from), i;
  const char *key;
  json_t *v;
  if (json_is_object(j)) {
    json_object_foreach(j, key, v)
    {
      const char *sv = json_string_value(v);
      if (sv != NULL && strncmp(sv, from, n) == 0)
        json_object_set_new(j, key, json_sprintf("%s%s", to, sv + n));
      else
        pd_double_rebase_urls(v, from, to);
    }
  } else if (json_is_array(j)) {
    json_array_foreach(j, i, v) pd_double_rebase_urls(v, from, to);
  }
}

bool pd_double_body_more(void **con_cls, const char *upload, size_t *upload_size, size_t max,
                         struct pd_double_body **out, enum MHD_Result *ret)
{
  struct pd_double_body *r = *con_cls;
  *ret = MHD_YES;
  if (r == NULL) {
    r = calloc(1, sizeof(*r));
    if (r != NULL)
      pd_buf_init(&r->buf, max);
    *con_cls = r;
    *ret = r != NULL ? MHD_YES : MHD_NO;
    return true;
  }
  if (*upload_size > 0) {
    enum pd_result rc = r->too_big ? PD_E_TOOBIG : pd_buf_add(&r->buf, upload, *upload_size);
    if (rc == PD_E_TOOBIG) {
      r->too_big = true; /* drop the rest, answer once it is all in */
    } else if (rc != PD_OK) {
      *ret = MHD_NO;
      return true;
    }
    *upload_size = 0;
    return true;
  }
  *out = r;
  return false;
}

void pd_double_body_done(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
  struct pd_double_body *r = *con_cls;
  if (r != NULL)
    pd_buf_free(&r->buf);
  free(r);
  *con_cls = NULL;
}
