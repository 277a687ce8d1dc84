/* backoff.h - when to try a failed send again: Discord's rate-limit answers and our backoff. */
#ifndef PD_BACKOFF_H
#define PD_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

/* Exponential backoff with full jitter: a delay drawn uniformly from
 * [cap/2, cap] where cap = min(max_ms, base_ms * 2^attempt).  rnd is a uniform
 * 32-bit random value (libsodium's randombytes_random()), so the arithmetic is
 * testable.  attempt counts from 0. */
int64_t pd_backoff_ms(unsigned attempt, int64_t base_ms, int64_t max_ms, uint32_t rnd);

/* What a 429 asks of us.  retry_after_s is the JSON body's retry_after (or <0 when
 * absent); reset_after_hdr is X-RateLimit-Reset-After and retry_after_hdr is Retry-After
 * (either may be NULL).  Returns the wait in milliseconds: the body first, then the
 * Reset-After header, then Retry-After, and 1000 when none can be read.  Rounds up,
 * never below 1 ms, never above 15 minutes. */
int64_t pd_backoff_rate_limit_ms(double retry_after_s, const char *reset_after_hdr,
                                 const char *retry_after_hdr);

/* Should a send that got this HTTP status (0 = network error) be tried again? */
enum pd_send_verdict {
  PD_SEND_DONE,       /* 2xx */
  PD_SEND_RATE_LIMIT, /* 429: wait as told */
  PD_SEND_RETRY,      /* 5xx or network: back off */
  PD_SEND_GIVE_UP,    /* any other 4xx: never retried blindly */
};
enum pd_send_verdict pd_backoff_verdict(long status);

#endif
