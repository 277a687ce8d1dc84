/* stripe_sig.h - Stripe's webhook signature rule: the Stripe-Signature header
 * "t=<unix s>,v1=<hex>,v1=<hex>,v0=<hex>" (any order), each v1 being
 * hex(HMAC-SHA256(endpoint secret, "{t}.{raw body}")). */
#ifndef PD_STRIPE_SIG_H
#define PD_STRIPE_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "pd.h"

/* How far t may be from our clock, either way (Stripe's libraries use the same 5 minutes). */
#define PD_STRIPE_SIG_TOLERANCE_S 300
/* Longest header looked at: a few v1 values during a secret roll fit many times over. */
#define PD_STRIPE_SIG_MAX_HEADER 2048
/* Hex of one HMAC-SHA256, with the NUL. */
#define PD_STRIPE_SIG_HEX 65

/* PD_OK when header has exactly one t within PD_STRIPE_SIG_TOLERANCE_S of now and any of its
 * v1 values is the signature of "{t}.{body}" under secret (compared in constant time).  v0
 * and schemes we do not know are ignored.  Anything else is PD_E_INVALID: no header or
 * secret, a malformed or duplicated t, a part without '=', a v1 that is not 64 hex digits, no
 * v1 at all.  Nothing of the body is parsed. */
enum pd_result pd_stripe_sig_verify(const char *secret, const char *header, const void *body,
                                    size_t len, int64_t now);

/* hex(HMAC-SHA256(secret, "{t}.{body}")) into out: what one v1 is (tests, the webhook sender). */
enum pd_result pd_stripe_sig_sign(const char *secret, int64_t t, const void *body, size_t len,
                                  char out[PD_STRIPE_SIG_HEX]);

#endif
