/* ixpost.h - sends an interaction body to an interactions endpoint as Discord does: signed
 * with Ed25519 over timestamp + body, the two X-Signature headers, POST.  For `popdeck try` and
 * the playground (server/playground.c), which sign with the development key. */
#ifndef PD_IXPOST_H
#define PD_IXPOST_H

#include <sodium.h>
#include <stddef.h>

#include "buf.h"
#include "pd.h"

/* Signs body (the time now) and POSTs it to url, within timeout_ms.  *status gets the HTTP
 * status and answer (initialised by the caller, with its cap) the body (pd_http_post).
 * PD_E_UPSTREAM when no answer came, with curl's reason in err. */
enum pd_result pd_ixpost(const char *url, const unsigned char sk[crypto_sign_SECRETKEYBYTES],
                         const char *body, long timeout_ms, long *status, struct pd_buf *answer,
                         char *err, size_t errlen);

#endif
