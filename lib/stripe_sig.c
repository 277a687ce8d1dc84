/* stripe_sig.c - Stripe-Signature checks (see stripe_sig.h), with libsodium's HMAC-SHA256 and
 * constant-time compare. */
#include "stripe_sig.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The MAC of "{t}.{body}" under secret (the whole "whsec_..." text is the key, as Stripe has it).
 */
static void mac(const char *secret, int64_t t, const void *body, size_t len,
                unsigned char out[crypto_auth_hmacsha256_BYTES])
{
  crypto_auth_hmacsha256_state st;
  char ts[24];
  int n = snprintf(ts, sizeof(ts), "%" PRId64 ".", t);
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, (unsigned long long)n);
  crypto_auth_hmacsha256_update(&st, body, len);
  crypto_auth_hmacsha256_final(&st, out);
  sodium_memzero(&st, sizeof(st));
}

enum pd_result pd_stripe_sig_sign(const char *secret, int64_t t, const void *body, size_t len,
                                  char out[PD_STRIPE_SIG_HEX])
{
  unsigned char m[crypto_auth_hmacsha256_BYTES];
  if (secret == NULL || (body == NULL && len > 0))
    return PD_E_INVALID;
  mac(secret, t, body, len, m);
  sodium_bin2hex(out, PD_STRIPE_SIG_HEX, m, sizeof(m));
  return PD_OK;
}

/* A Unix time of decimal digits only (Stripe never signs another shape). */
static bool parse_t(const char *v, size_t n, int64_t *t)
{
  char buf[20];
  if (n == 0 || n >= sizeof(buf))
    return false;
  for (size_t i = 0; i < n; i++)
    if (v[i] < '0' || v[i] > '9')
      return false;
  memcpy(buf, v, n);
  buf[n] = '\0';
  errno = 0;
  char *end = NULL;
  long long x = strtoll(buf, &end, 10);
  if (errno != 0 || *end != '\0')
    return false;
  *t = (int64_t)x;
  return true;
}

enum pd_result pd_stripe_sig_verify(const char *secret, const char *header, const void *body,
                                    size_t len, int64_t now)
{
  /* The v1 values, decoded, checked only once t is known (it may come last). */
  enum { MAX_V1 = 8 };
  unsigned char v1[MAX_V1][crypto_auth_hmacsha256_BYTES];
  int nv1 = 0;
  int64_t t = 0;
  bool have_t = false;
  if (secret == NULL || secret[0] == '\0' || header == NULL || (body == NULL && len > 0))
    return PD_E_INVALID;
  size_t hlen = strnlen(header, PD_STRIPE_SIG_MAX_HEADER + 1);
  if (hlen == 0 || hlen > PD_STRIPE_SIG_MAX_HEADER)
    return PD_E_INVALID;
  for (const char *p = header; p < header + hlen;) {
    const char *end = memchr(p, ',', (size_t)(header + hlen - p));
    if (end == NULL)
      end = header + hlen;
    /* Stripe writes no spaces; one around a part is forgiven, nothing else. */
    while (p < end && *p == ' ')
      p++;
    const char *stop = end;
    while (stop > p && stop[-1] == ' ')
      stop--;
    const char *eq = memchr(p, '=', (size_t)(stop - p));
    if (eq == NULL || eq == p)
      return PD_E_INVALID;
    size_t klen = (size_t)(eq - p), vlen = (size_t)(stop - eq - 1);
    const char *v = eq + 1;
    if (klen == 1 && p[0] == 't') {
      if (have_t || !parse_t(v, vlen, &t))
        return PD_E_INVALID;
      have_t = true;
    } else if (klen == 2 && p[0] == 'v' && p[1] == '1') {
      size_t got = 0;
      if (vlen != 2 * crypto_auth_hmacsha256_BYTES)
        return PD_E_INVALID;
      if (nv1 < MAX_V1) {
        if (sodium_hex2bin(v1[nv1], sizeof(v1[nv1]), v, vlen, NULL, &got, NULL) != 0 ||
            got != sizeof(v1[nv1]))
          return PD_E_INVALID;
        nv1++;
      }
    }
    /* v0 (Stripe's test scheme) and anything newer: not ours to check. */
    p = end + 1;
  }
  if (!have_t || nv1 == 0)
    return PD_E_INVALID;
  if (t < now - PD_STRIPE_SIG_TOLERANCE_S || t > now + PD_STRIPE_SIG_TOLERANCE_S)
    return PD_E_INVALID;
  unsigned char want[crypto_auth_hmacsha256_BYTES];
  mac(secret, t, body, len, want);
  /* Every value is compared, so the time taken does not say which one matched. */
  int match = 0;
  for (int i = 0; i < nv1; i++)
    match |= sodium_memcmp(want, v1[i], sizeof(want)) == 0;
  sodium_memzero(want, sizeof(want));
  return match ? PD_OK : PD_E_INVALID;
}
