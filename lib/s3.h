/* s3.h - PUT objects to S3-compatible storage over libcurl, signed with libcurl's own AWS
 * Signature Version 4 (CURLOPT_AWS_SIGV4), path-style URLs (endpoint/bucket/key). */
#ifndef PD_S3_H
#define PD_S3_H

#include <stddef.h>

#include "pd.h"

struct pd_s3 {
  const char *endpoint; /* S3_ENDPOINT, e.g. https://s3.eu-central-1.amazonaws.com */
  const char *region;   /* S3_REGION */
  const char *bucket;   /* S3_BUCKET */
  const char *key;      /* S3_KEY */
  const char *secret;   /* S3_SECRET */
};

/* PUTs data as bucket/name.  status_out gets the HTTP status (0 on a network error);
 * PD_OK only for 2xx.  err gets a short reason otherwise. */
enum pd_result pd_s3_put(const struct pd_s3 *s3, const char *name, const void *data, size_t len,
                         const char *content_type, long *status_out, char *err, size_t errlen);

#endif
