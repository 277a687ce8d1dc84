/* image_fetch.h - downloading candidate card art: size cap, timeouts, bounded redirects, type
 * from the magic bytes (never the Content-Type header), decoding PNG, JPEG and WebP with libgd,
 * and a recorded reason for every refusal. */
#ifndef PD_IMAGE_FETCH_H
#define PD_IMAGE_FETCH_H

#include <gd.h>
#include <stddef.h>

#include "pd.h"

struct pd_image_limits {
  size_t max_bytes;  /* larger downloads are abandoned: PD_E_TOOBIG */
  long timeout_ms;   /* whole transfer */
  long max_redirects;
  int min_width;     /* narrower images are refused (the catalog wants >= 800 px) */
};
extern const struct pd_image_limits pd_image_default_limits;

/* "png", "jpeg", "webp", or NULL when the bytes are none of them. */
const char *pd_image_sniff(const void *data, size_t len);

/* Decodes by magic bytes.  PD_E_INVALID with a reason for an unknown type, an undecodable
 * file or one narrower than min_width. */
enum pd_result pd_image_decode(const void *data, size_t len, int min_width, gdImagePtr *out, const char **type,
                               char *reason, size_t reasonlen);

/* GETs url and decodes it.  PD_E_UPSTREAM (network, HTTP status, too many redirects),
 * PD_E_TOOBIG or PD_E_INVALID, each with reason filled in. */
enum pd_result pd_image_fetch(const char *url, const struct pd_image_limits *lim, gdImagePtr *out,
                              const char **type, size_t *bytes, char *reason, size_t reasonlen);

#endif
