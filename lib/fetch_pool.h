/* fetch_pool.h - downloads many candidate images at once with bounded concurrency: a fixed
 * number of threads take the next URL until none is left, each downloading under its image
 * limits, checking the file's header, decoding within a shared pixel budget, hashing and
 * scaling the result down.  One failure is that item's result, never the batch's.
 *
 * What the pixel budget bounds: the decoded pixels the pool's threads hold at once.  Before
 * a thread decodes, it reserves the width x height the file's header declares plus the
 * pixels of the scaled copy it will make, waiting while that would take the total over
 * pixel_budget; it gives the reservation back once only the scaled copy is left.  libgd
 * holds 4 bytes a pixel (truecolor), and while decoding a progressive JPEG or an interlaced
 * PNG up to about three times that, so the pool's peak is about 4-12 bytes x pixel_budget,
 * plus concurrency downloads of at most max_bytes each.  The budget does not count what the
 * pool hands back: each kept image is at most keep_width x keep_height (scaled to fit after
 * its pHash is taken from the full decode), and the caller owns those. */
#ifndef PD_FETCH_POOL_H
#define PD_FETCH_POOL_H

#include <gd.h>
#include <stddef.h>
#include <stdint.h>

#include "image_fetch.h"

#define PD_FETCH_MAX_CONCURRENCY 16
#define PD_FETCH_DEFAULT_PIXEL_BUDGET (160u * 1000 * 1000)

struct pd_fetch_limits {
  int concurrency;       /* downloads in flight, 1..PD_FETCH_MAX_CONCURRENCY (clamped) */
  uint64_t pixel_budget; /* see above; must be >= the image limits' max_pixels */
  int keep_width;        /* kept images are scaled down to fit keep_width x keep_height; */
  int keep_height;       /* 0 keeps them as decoded */
};

struct pd_fetch_stats {
  uint64_t peak_reserved_pixels; /* the most pixels reserved at any one moment */
  unsigned waits;                /* how often a thread waited for the budget */
};

struct pd_fetch_item {
  const char *url;   /* in */
  enum pd_result rc; /* out: pd_image_fetch's result (or PD_E_INVALID when no pHash) */
  gdImagePtr image;  /* out: the decoded, scaled image when rc == PD_OK (caller destroys) */
  uint64_t phash;    /* out: pHash of the full decode, before scaling */
  const char *type;  /* out: "png", "jpeg" or "webp" */
  size_t bytes;      /* out: bytes downloaded */
  char reason[200];  /* out: why it was refused */
};

/* Fetches items[0..n) under pool's bounds and lim.  Returns when every item has its result.
 * PD_E_NOMEM only when no thread could be started, with every item then marked so.  stats
 * may be NULL. */
enum pd_result pd_fetch_all(struct pd_fetch_item *items, size_t n,
                            const struct pd_fetch_limits *pool, const struct pd_image_limits *lim,
                            struct pd_fetch_stats *stats);

/* The size im is scaled to so it fits keep_width x keep_height (never enlarged). */
void pd_fetch_keep_size(int width, int height, int keep_width, int keep_height, int *out_w,
                        int *out_h);

#endif
