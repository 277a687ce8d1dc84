/* fetch_pool.c - bounded concurrent image downloads. */
#include "fetch_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

struct pool {
  struct pd_fetch_item *items;
  size_t n;
  atomic_size_t next;
  const struct pd_image_limits *lim;
};

static void *fetch_worker(void *arg)
{
  struct pool *p = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&p->next, 1);
    if (i >= p->n)
      return NULL;
    struct pd_fetch_item *it = &p->items[i];
    it->image = NULL;
    it->type = NULL;
    it->bytes = 0;
    it->reason[0] = '\0';
    it->rc = pd_image_fetch(it->url, p->lim, &it->image, &it->type, &it->bytes, it->reason, sizeof(it->reason));
  }
}

enum pd_result pd_fetch_all(struct pd_fetch_item *items, size_t n, int concurrency, const struct pd_image_limits *lim)
{
  pthread_t threads[PD_FETCH_MAX_CONCURRENCY];
  struct pool p = {items, n, 0, lim};
  size_t want = concurrency < 1 ? 1 : concurrency > PD_FETCH_MAX_CONCURRENCY ? PD_FETCH_MAX_CONCURRENCY : (size_t)concurrency;
  size_t started = 0;
  if (want > n)
    want = n;
  for (; started < want; started++)
    if (pthread_create(&threads[started], NULL, fetch_worker, &p) != 0)
      break;
  if (started == 0 && n > 0) {
    for (size_t i = 0; i < n; i++) {
      items[i].rc = PD_E_NOMEM;
      items[i].image = NULL;
      snprintf(items[i].reason, sizeof(items[i].reason), "no download thread could be started");
    }
    return PD_E_NOMEM;
  }
  for (size_t t = 0; t < started; t++)
    pthread_join(threads[t], NULL);
  return PD_OK;
}
