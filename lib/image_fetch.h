/* image_fetch.h - downloading candidate card art: size cap, timeouts, bounded redirects that
 * are followed to https only, connections only to public addresses (or networks the operator
 * trusts), checked on each resolved address as its socket opens, no proxy, type
 * from the magic bytes (never the Content-Type header), a pixel limit checked on the file's
 * header before anything is decoded, decoding PNG, JPEG and WebP with libgd, and a recorded
 * reason for every refusal. */
#ifndef PD_IMAGE_FETCH_H
#define PD_IMAGE_FETCH_H

#include <gd.h>
#include <stddef.h>
#include <stdint.h>

#include "netcheck.h"
#include "pd.h"

struct pd_image_limits {
  size_t max_bytes; /* larger downloads are abandoned: PD_E_TOOBIG */
  long timeout_ms;  /* whole transfer */
  long max_redirects;
  int min_width; /* narrower images are refused (the catalog wants >= 800 px) */
  uint64_t
      max_pixels; /* a header declaring more (width x height) is refused undecoded: PD_E_TOOBIG */
  /* Addresses that are not public are refused when the socket opens, unless on this list
   * (INGEST_ALLOWED_NETWORKS; NULL: none). */
  const struct pd_netlist *allowed;
  const char *ca_file; /* CA bundle to verify https with; NULL: the system's */
  /* The URL is our own storage's, built from the operator's S3_ENDPOINT or CDN_URL (an endpoint
   * on a private network is normal): the address check is left out, redirects stay https. */
  bool own_storage;
};
extern const struct pd_image_limits pd_image_default_limits;

#define PD_IMAGE_DEFAULT_MAX_PIXELS (40u * 1000 * 1000)

/* "png", "jpeg", "webp", or NULL when the bytes are none of them. */
const char *pd_image_sniff(const void *data, size_t len);

/* Checks the header of data against max_pixels and min_width without decoding: PD_E_TOOBIG
 * ("20000x20000 is 400 MP, over the 40 MP limit"), PD_E_INVALID for an unknown type, a
 * damaged header or a too-narrow image, each with a reason; *type is set whenever the
 * magic bytes are known.  *width and *height get the declared size (may be NULL). */
enum pd_result pd_image_check(const void *data, size_t len, uint64_t max_pixels, int min_width,
                              const char **type, uint32_t *width, uint32_t *height, char *reason,
                              size_t reasonlen);

/* pd_image_check with the default pixel limit, then decodes by magic bytes.  PD_E_INVALID
 * with a reason for an unknown type, an undecodable file or one narrower than min_width;
 * PD_E_TOOBIG for one over the pixel limit. */
enum pd_result pd_image_decode(const void *data, size_t len, int min_width, gdImagePtr *out,
                               const char **type, char *reason, size_t reasonlen);
/* The same under lim's pixel limit and width floor. */
enum pd_result pd_image_decode_limited(const void *data, size_t len,
                                       const struct pd_image_limits *lim, gdImagePtr *out,
                                       const char **type, char *reason, size_t reasonlen);

/* GETs url (http or https) under lim into *data (caller frees), *len bytes, following
 * redirects to https only.  PD_E_UPSTREAM (network, HTTP status, too many redirects),
 * PD_E_TOOBIG, or PD_E_INVALID (a redirect to anything but https; an address that is not
 * public and not allowed, refused before connecting), each with reason filled in. */
enum pd_result pd_image_download(const char *url, const struct pd_image_limits *lim, void **data,
                                 size_t *len, char *reason, size_t reasonlen);

/* pd_image_download, then pd_image_decode_limited. */
enum pd_result pd_image_fetch(const char *url, const struct pd_image_limits *lim, gdImagePtr *out,
                              const char **type, size_t *bytes, char *reason, size_t reasonlen);

#endif
