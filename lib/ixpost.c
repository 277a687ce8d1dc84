/* ixpost.c - signs and posts an interaction (see ixpost.h). */
#include "ixpost.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http_get.h"
#include "sig.h"

enum pd_result pd_ixpost(const char *url, const unsigned char sk[crypto_sign_SECRETKEYBYTES],
                         const char *body, long timeout_ms, long *status, struct pd_buf *answer,
                         char *err, size_t errlen)
{
  char ts[24], sig[2 * crypto_sign_BYTES + 1], h1[200], h2[64];
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  if (pd_sig_sign(sk, ts, body, strlen(body), sig) != PD_OK) {
    snprintf(err, errlen, "cannot sign");
    return PD_E_NOMEM;
  }
  snprintf(h1, sizeof(h1), "X-Signature-Ed25519: %s", sig);
  snprintf(h2, sizeof(h2), "X-Signature-Timestamp: %s", ts);
  const char *const headers[] = {"Content-Type: application/json", h1, h2, NULL};
  return pd_http_post(url, headers, body, timeout_ms, status, answer, err, errlen);
}
