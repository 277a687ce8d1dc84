/* fetch_pool.c - bounded concurrent image downloads within a decoded-pixel budget. */
#include "fetch_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "phash.h"

struct pool {
  struct pd_fetch_item *items;
  size_t n;
  atomic_size_t next;
  const struct pd_image_limits *lim;
  const struct pd_fetch_limits *bounds;
  pthread_mutex_t lock;
  pthread_cond_t freed;
  uint64_t reserved;
  struct pd_fetch_stats stats;
};

void pd_fetch_keep_size(int width, int height, int keep_width, int keep_height, int *out_w,
                        int *out_h)
{
  int64_t w = width, h = height;
  if (keep_width > 0 && w > keep_width) {
    h = h * keep_width / w;
    w = keep_width;
  }
  if (keep_height > 0 && h > keep_height) {
    w = w * keep_height / h;
    h = keep_height;
  }
  *out_w = w < 1 ? 1 : (int)w;
  *out_h = h < 1 ? 1 : (int)h;
}

/* Waits until need more pixels fit in the budget (an empty pool always admits one image
 * that fits the budget on its own), then takes them. */
static bool reserve(struct pool *p, uint64_t need)
{
  uint64_t budget = p->bounds->pixel_budget;
  if (budget > 0 && need > budget)
    return false;
  pthread_mutex_lock(&p->lock);
  if (budget > 0 && p->reserved + need > budget)
    p->stats.waits++;
  while (budget > 0 && p->reserved + need > budget)
    pthread_cond_wait(&p->freed, &p->lock);
  p->reserved += need;
  if (p->reserved > p->stats.peak_reserved_pixels)
    p->stats.peak_reserved_pixels = p->reserved;
  pthread_mutex_unlock(&p->lock);
  return true;
}

static void release(struct pool *p, uint64_t n)
{
  pthread_mutex_lock(&p->lock);
  p->reserved -= n;
  pthread_cond_broadcast(&p->freed);
  pthread_mutex_unlock(&p->lock);
}

/* Decode, pHash and scale one downloaded file, inside the budget. */
static enum pd_result decode_item(struct pool *p, struct pd_fetch_item *it, const void *data,
                                  size_t len)
{
  const struct pd_fetch_limits *b = p->bounds;
  uint32_t w = 0, h = 0;
  int kw = 0, kh = 0;
  enum pd_result rc = pd_image_check(data, len, p->lim->max_pixels, p->lim->min_width, &it->type,
                                     &w, &h, it->reason, sizeof(it->reason));
  if (rc != PD_OK)
    return rc;
  pd_fetch_keep_size((int)w, (int)h, b->keep_width, b->keep_height, &kw, &kh);
  uint64_t full = (uint64_t)w * h, scaled = kw == (int)w && kh == (int)h ? 0 : (uint64_t)kw * kh;
  if (!reserve(p, full + scaled)) {
    snprintf(it->reason, sizeof(it->reason),
             "%ux%u does not fit the download pool's budget of %llu pixels", w, h,
             (unsigned long long)b->pixel_budget);
    return PD_E_TOOBIG;
  }
  gdImagePtr im = NULL;
  rc = pd_image_decode_limited(data, len, p->lim, &im, &it->type, it->reason, sizeof(it->reason));
  if (rc == PD_OK && pd_phash_image(im, &it->phash) != PD_OK) {
    snprintf(it->reason, sizeof(it->reason), "no perceptual hash could be computed");
    rc = PD_E_INVALID;
  }
  if (rc == PD_OK && scaled > 0) {
    gdImagePtr small = gdImageScale(im, (unsigned)kw, (unsigned)kh);
    if (small == NULL) {
      snprintf(it->reason, sizeof(it->reason), "no memory to scale %ux%u down", w, h);
      rc = PD_E_NOMEM;
    }
    gdImageDestroy(im);
    im = small;
  }
  if (rc != PD_OK && im != NULL) {
    gdImageDestroy(im);
    im = NULL;
  }
  release(p, full + scaled);
  it->image = im;
  return rc;
}

static void *fetch_worker(void *arg)
{
  struct pool *p = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&p->next, 1);
    if (i >= p->n)
      return NULL;
    struct pd_fetch_item *it = &p->items[i];
    void *data = NULL;
    it->image = NULL;
    it->type = NULL;
    it->bytes = 0;
    it->phash = 0;
    it->reason[0] = '\0';
    it->rc = pd_image_download(it->url, p->lim, &data, &it->bytes, it->reason, sizeof(it->reason));
    if (it->rc == PD_OK)
      it->rc = decode_item(p, it, data, it->bytes);
    free(data);
  }
}

enum pd_result pd_fetch_all(struct pd_fetch_item *items, size_t n,
                            const struct pd_fetch_limits *bounds, const struct pd_image_limits *lim,
                            struct pd_fetch_stats *stats)
{
  pthread_t threads[PD_FETCH_MAX_CONCURRENCY];
  struct pool p = {.items = items, .n = n, .lim = lim, .bounds = bounds};
  int c = bounds->concurrency;
  size_t want = c < 1 ? 1 : c > PD_FETCH_MAX_CONCURRENCY ? PD_FETCH_MAX_CONCURRENCY : (size_t)c;
  size_t started = 0;
  enum pd_result rc = PD_OK;
  atomic_init(&p.next, 0);
  pthread_mutex_init(&p.lock, NULL);
  pthread_cond_init(&p.freed, NULL);
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
    rc = PD_E_NOMEM;
  }
  for (size_t t = 0; t < started; t++)
    pthread_join(threads[t], NULL);
  pthread_cond_destroy(&p.freed);
  pthread_mutex_destroy(&p.lock);
  if (stats != NULL)
    *stats = p.stats;
  return rc;
}
