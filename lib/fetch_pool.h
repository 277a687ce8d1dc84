/* fetch_pool.h - downloads many candidate images at once with bounded concurrency: a fixed
 * number of threads take the next URL until none is left, each through pd_image_fetch with
 * its limits.  One failure is that item's result, never the batch's. */
#ifndef PD_FETCH_POOL_H
#define PD_FETCH_POOL_H

#include <gd.h>
#include <stddef.h>

#include "image_fetch.h"

#define PD_FETCH_MAX_CONCURRENCY 16

struct pd_fetch_item {
  const char *url;    /* in */
  enum pd_result rc;  /* out: pd_image_fetch's result */
  gdImagePtr image;   /* out: the decoded image when rc == PD_OK (caller destroys) */
  const char *type;   /* out: "png", "jpeg" or "webp" */
  size_t bytes;       /* out: bytes downloaded */
  char reason[200];   /* out: why it was refused */
};

/* Fetches items[0..n) with at most concurrency (1..PD_FETCH_MAX_CONCURRENCY, clamped)
 * downloads in flight.  Returns when every item has its result.  PD_E_NOMEM only when no
 * thread could be started, with every item then marked so. */
enum pd_result pd_fetch_all(struct pd_fetch_item *items, size_t n, int concurrency, const struct pd_image_limits *lim);

#endif
