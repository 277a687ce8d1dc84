/* bench_verify.c - libsodium's Ed25519 verify rate on this machine (the floor for a signed
 * PING), and a signer for the benchmark's request bodies.
 *   bench_verify rate [N]             verifies/s over a realistic ~1 KB timestamp+body
 *   bench_verify sign KEYFILE BODYFILE   prints the two signature headers for BODYFILE, now */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pd.h"
#include "sig.h"

static int rate(long n)
{
  unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
  char body[1024], sig[129];
  crypto_sign_keypair(pk, sk);
  memset(body, 'x', sizeof(body) - 1);
  body[sizeof(body) - 1] = '\0';
  memcpy(body, "{\"type\":2,", 10);
  pd_sig_sign(sk, "1764000000", body, strlen(body), sig);
  int64_t t0 = pd_now_us();
  for (long i = 0; i < n; i++)
    if (pd_sig_verify(pk, sig, "1764000000", body, strlen(body), 1764000000) != PD_OK)
      return 1;
  double s = (double)(pd_now_us() - t0) / 1e6;
  printf("verify_per_s %.0f\nverify_us %.2f\n", (double)n / s, s * 1e6 / (double)n);
  return 0;
}

static int sign(const char *keyfile, const char *bodyfile)
{
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  char hex[2 * crypto_sign_SECRETKEYBYTES + 2], ts[24], sig[129];
  static char body[65536];
  size_t len = 0;
  FILE *k = fopen(keyfile, "r"), *b = fopen(bodyfile, "rb");
  if (k == NULL || b == NULL || fgets(hex, sizeof(hex), k) == NULL ||
      sodium_hex2bin(sk, sizeof(sk), hex, strcspn(hex, "\n"), NULL, &len, NULL) != 0 ||
      len != sizeof(sk))
    return 1;
  len = fread(body, 1, sizeof(body), b);
  while (len > 0 && body[len - 1] == '\n')
    len--;
  fclose(k);
  fclose(b);
  snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
  pd_sig_sign(sk, ts, body, len, sig);
  printf("X-Signature-Ed25519: %s\nX-Signature-Timestamp: %s\n", sig, ts);
  return 0;
}

int main(int argc, char **argv)
{
  if (sodium_init() < 0)
    return 1;
  if (argc >= 2 && strcmp(argv[1], "rate") == 0)
    return rate(argc > 2 ? strtol(argv[2], NULL, 10) : 20000);
  if (argc == 4 && strcmp(argv[1], "sign") == 0)
    return sign(argv[2], argv[3]);
  fprintf(stderr, "usage: bench_verify rate [N] | sign KEYFILE BODYFILE\n");
  return 2;
}
