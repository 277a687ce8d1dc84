/* sig.h - Discord's request signature rule: Ed25519 over timestamp + raw body. */
#ifndef PD_SIG_H
#define PD_SIG_H

#include <stddef.h>
#include <stdint.h>
#include <sodium.h>

#include "pd.h"

/* How far the signed timestamp may be from our clock, either way. */
#define PD_SIG_MAX_SKEW_S 300

/* Checks the two headers Discord sends against the body.  sig_hex is
 * X-Signature-Ed25519 (128 hex chars), ts is X-Signature-Timestamp (Unix seconds as
 * decimal text).  now is the current Unix time.  Returns PD_OK only when the
 * signature is valid and the timestamp is within PD_SIG_MAX_SKEW_S of now; any
 * missing or malformed piece is PD_E_INVALID.  Nothing is parsed beyond the headers. */
enum pd_result pd_sig_verify(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                             const char *sig_hex, const char *ts, const void *body, size_t body_len,
                             int64_t now);

/* Signs timestamp + body with sk (libsodium's 64-byte secret key) into sig_hex
 * (129 bytes with the NUL), as Discord would: used by `popdeck try`, tests and benchmarks. */
enum pd_result pd_sig_sign(const unsigned char sk[crypto_sign_SECRETKEYBYTES], const char *ts,
                           const void *body, size_t body_len,
                           char sig_hex[2 * crypto_sign_BYTES + 1]);

/* Reads a signing key as `popdeck keygen` writes it: the 64-byte secret key as hex on one line.
 * PD_E_IO when the file cannot be opened, PD_E_INVALID when it holds no key. */
enum pd_result pd_sig_load_secret(const char *path, unsigned char sk[crypto_sign_SECRETKEYBYTES]);

#endif
