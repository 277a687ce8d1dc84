/* sig.c - verifies (and, for local tools, makes) Discord interaction signatures. */
#include "sig.h"

#include <errno.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The signed message is timestamp || body.  A short timestamp fits on the stack;
 * libsodium has no streaming API for pure Ed25519, so the two are joined. */
static enum pd_result join(const char *ts, const void *body, size_t body_len, unsigned char **out,
                           size_t *out_len)
{
  size_t ts_len = strlen(ts);
  unsigned char *m = malloc(ts_len + body_len + 1);
  if (m == NULL)
    return PD_E_NOMEM;
  memcpy(m, ts, ts_len);
  if (body_len > 0)
    memcpy(m + ts_len, body, body_len);
  *out = m;
  *out_len = ts_len + body_len;
  return PD_OK;
}

static bool timestamp_ok(const char *ts, int64_t now)
{
  size_t n = strlen(ts);
  if (n == 0 || n > 12)
    return false;
  for (size_t i = 0; i < n; i++)
    if (ts[i] < '0' || ts[i] > '9')
      return false;
  errno = 0;
  char *end = NULL;
  long long t = strtoll(ts, &end, 10);
  if (errno != 0 || *end != '\0')
    return false;
  int64_t d = (int64_t)t - now;
  return d >= -PD_SIG_MAX_SKEW_S && d <= PD_SIG_MAX_SKEW_S;
}

enum pd_result pd_sig_verify(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                             const char *sig_hex, const char *ts, const void *body, size_t body_len,
                             int64_t now)
{
  unsigned char sig[crypto_sign_BYTES];
  size_t sig_len = 0;
  unsigned char *m = NULL;
  size_t m_len = 0;
  enum pd_result rc = PD_E_INVALID;

  if (sig_hex == NULL || ts == NULL || strlen(sig_hex) != 2 * crypto_sign_BYTES)
    return PD_E_INVALID;
  if (sodium_hex2bin(sig, sizeof(sig), sig_hex, strlen(sig_hex), NULL, &sig_len, NULL) != 0 ||
      sig_len != sizeof(sig))
    return PD_E_INVALID;
  if (!timestamp_ok(ts, now))
    return PD_E_INVALID;
  rc = join(ts, body, body_len, &m, &m_len);
  if (rc != PD_OK)
    return rc;
  rc = crypto_sign_verify_detached(sig, m, m_len, pk) == 0 ? PD_OK : PD_E_INVALID;
  free(m);
  return rc;
}

enum pd_result pd_sig_sign(const unsigned char sk[crypto_sign_SECRETKEYBYTES], const char *ts,
                           const void *body, size_t body_len,
                           char sig_hex[2 * crypto_sign_BYTES + 1])
{
  unsigned char sig[crypto_sign_BYTES];
  unsigned char *m = NULL;
  size_t m_len = 0;
  enum pd_result rc = join(ts, body, body_len, &m, &m_len);
  if (rc != PD_OK)
    return rc;
  crypto_sign_detached(sig, NULL, m, m_len, sk);
  free(m);
  sodium_bin2hex(sig_hex, 2 * crypto_sign_BYTES + 1, sig, sizeof(sig));
  return PD_OK;
}

enum pd_result pd_sig_load_secret(const char *path, unsigned char sk[crypto_sign_SECRETKEYBYTES])
{
  char hex[2 * crypto_sign_SECRETKEYBYTES + 2];
  size_t len = 0;
  FILE *f = fopen(path, "r");
  if (f == NULL)
    return PD_E_IO;
  bool ok = fgets(hex, sizeof(hex), f) != NULL &&
            sodium_hex2bin(sk, crypto_sign_SECRETKEYBYTES, hex, strcspn(hex, "\n"), NULL, &len,
                           NULL) == 0 &&
            len == crypto_sign_SECRETKEYBYTES;
  fclose(f);
  sodium_memzero(hex, sizeof(hex));
  if (!ok)
    sodium_memzero(sk, crypto_sign_SECRETKEYBYTES);
  return ok ? PD_OK : PD_E_INVALID;
}
