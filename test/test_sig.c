/* test_sig.c - Discord's signature rule (lib/sig.c): Ed25519 over timestamp + body, within 5
 * minutes. Every rejected row carries a signature that is valid for what it signs, so each row is
 * refused for the one thing it changes and not by accident. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sig.h"

#define TS "1764000000"
#define NOW 1764000000
static const char body[] =
    "{\"type\":1,\"id\":\"1310000000000000000\",\"application_id\":\"1111111111111111111\"}";

/* The fixed key: seed 32 x 0x07.  Its public key and the signature of TS + body were made with
 * OpenSSL 3 (`openssl pkeyutl -sign -rawin`), independently of libsodium and of lib/sig.c. */
#define SEED7_PK "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c"
#define SEED7_SIG                                                                                  \
  "a9d90c1e70d7e316bc46131c73bbe739f97080c6378593964d38a79f1e366dd5"                               \
  "26a36f7e7b131bb72125713c4254293107484509d1a10b84eb58e1ab390e1c0f"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static unsigned char other_pk[crypto_sign_PUBLICKEYBYTES], other_sk[crypto_sign_SECRETKEYBYTES];

static void keypair_from_seed_hex(const char *seed_hex, unsigned char *p, unsigned char *s)
{
  unsigned char seed[crypto_sign_SEEDBYTES];
  size_t n = 0;
  if (sodium_hex2bin(seed, sizeof(seed), seed_hex, strlen(seed_hex), NULL, &n, NULL) != 0 ||
      n != sizeof(seed))
    fail_msg("bad seed %s", seed_hex);
  crypto_sign_seed_keypair(p, s, seed);
}

static int setup(void **state)
{
  unsigned char seed[crypto_sign_SEEDBYTES];
  if (sodium_init() < 0)
    return -1;
  memset(seed, 7, sizeof(seed));
  crypto_sign_seed_keypair(pk, sk, seed);
  crypto_sign_keypair(other_pk, other_sk);
  return 0;
}

static void test_fixed_seed_matches_openssl(void **state)
{
  char pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1], sig[129];
  sodium_bin2hex(pk_hex, sizeof(pk_hex), pk, sizeof(pk));
  assert_string_equal(pk_hex, SEED7_PK);
  assert_int_equal(pd_sig_sign(sk, TS, body, strlen(body), sig), PD_OK);
  assert_string_equal(sig, SEED7_SIG);
  assert_int_equal(pd_sig_verify(pk, SEED7_SIG, TS, body, strlen(body), NOW), PD_OK);
}

/* RFC 8032 section 7.1, tests 1 and 2: pd_sig_sign signs exactly ts || body, wherever the split is.
 */
static void test_rfc8032_vectors(void **state)
{
  static const char t1_seed[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  static const char t1_sig[] =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc6"
      "1e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
  static const char t2_seed[] = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb";
  static const char t2_sig[] =
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e45"
      "8f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";
  struct {
    const char *seed, *ts, *body, *want;
  } rows[] = {
      {t1_seed, "", "", t1_sig},
      {t2_seed, "", "r", t2_sig},
      {t2_seed, "r", "", t2_sig},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    unsigned char p[crypto_sign_PUBLICKEYBYTES], s[crypto_sign_SECRETKEYBYTES];
    char sig[129];
    keypair_from_seed_hex(rows[i].seed, p, s);
    assert_int_equal(pd_sig_sign(s, rows[i].ts, rows[i].body, strlen(rows[i].body), sig), PD_OK);
    if (strcmp(sig, rows[i].want) != 0)
      fail_msg("row %zu: signed \"%s\" + \"%s\" as %s", i, rows[i].ts, rows[i].body, sig);
  }
}

static void test_random_keypair_round_trip(void **state)
{
  unsigned char p[crypto_sign_PUBLICKEYBYTES], s[crypto_sign_SECRETKEYBYTES];
  char sig[129];
  crypto_sign_keypair(p, s);
  assert_int_equal(pd_sig_sign(s, TS, body, strlen(body), sig), PD_OK);
  assert_int_equal(strlen(sig), 128);
  assert_int_equal(strspn(sig, "0123456789abcdef"), 128);
  assert_int_equal(pd_sig_verify(p, sig, TS, body, strlen(body), NOW), PD_OK);
  assert_int_equal(pd_sig_verify(pk, sig, TS, body, strlen(body), NOW), PD_E_INVALID);
}

/* How a row's X-Signature-Ed25519 is made from a good signature of signed_ts + signed_body. */
enum mangle {
  AS_SIGNED,
  FLIP_BIT_FIRST, /* lowest bit of byte 0 (R) */
  FLIP_BIT_LAST,  /* highest bit of byte 63 (S) */
  NOT_HEX,        /* one character replaced by 'g' */
  HEX_127,        /* last character dropped */
  HEX_129,        /* one hex character appended */
  ALL_ZERO,       /* 128 zeros */
  SIG_NULL,
  SIG_EMPTY,
  BODY_ONLY, /* a good signature over the body alone, no timestamp */
  OTHER_KEY, /* signed by someone else's key */
};

static void make_sig(enum mangle how, const char *ts, const char *b, char out[131],
                     const char **sig)
{
  unsigned char bin[crypto_sign_BYTES];
  pd_sig_sign(how == OTHER_KEY ? other_sk : sk, how == BODY_ONLY ? "" : ts, b, strlen(b), out);
  *sig = out;
  switch (how) {
  case FLIP_BIT_FIRST:
  case FLIP_BIT_LAST:
    sodium_hex2bin(bin, sizeof(bin), out, 128, NULL, NULL, NULL);
    if (how == FLIP_BIT_FIRST)
      bin[0] ^= 0x01;
    else
      bin[63] ^= 0x80;
    sodium_bin2hex(out, 129, bin, sizeof(bin));
    break;
  case NOT_HEX:
    out[40] = 'g';
    break;
  case HEX_127:
    out[127] = '\0';
    break;
  case HEX_129:
    out[128] = '0', out[129] = '\0';
    break;
  case ALL_ZERO:
    memset(out, '0', 128), out[128] = '\0';
    break;
  case SIG_NULL:
    *sig = NULL;
    break;
  case SIG_EMPTY:
    out[0] = '\0';
    break;
  default:
    break;
  }
}

static void test_table(void **state)
{
  char body_byte[sizeof(body)], body_short[sizeof(body)], body_long[sizeof(body) + 1];
  memcpy(body_byte, body, sizeof(body));
  body_byte[10] ^= 0x01; /* "type" -> "tyqe" */
  snprintf(body_short, sizeof(body_short), "%.*s", (int)strlen(body) - 1, body);
  snprintf(body_long, sizeof(body_long), "%s ", body);
  struct {
    const char *what;
    enum mangle how;
    const char *signed_ts, *signed_body; /* what the signature covers */
    const char *ts, *body;               /* what the request carries */
    int64_t now;
    enum pd_result want;
  } rows[] = {
      {"fresh and intact", AS_SIGNED, TS, body, TS, body, NOW, PD_OK},
      {"empty body", AS_SIGNED, TS, "", TS, "", NOW, PD_OK},
      {"exactly 300 s old", AS_SIGNED, TS, body, TS, body, NOW + 300, PD_OK},
      {"exactly 300 s ahead", AS_SIGNED, TS, body, TS, body, NOW - 300, PD_OK},
      {"301 s old", AS_SIGNED, TS, body, TS, body, NOW + 301, PD_E_INVALID},
      {"301 s ahead", AS_SIGNED, TS, body, TS, body, NOW - 301, PD_E_INVALID},
      {"one body byte changed", AS_SIGNED, TS, body, TS, body_byte, NOW, PD_E_INVALID},
      {"body one byte shorter", AS_SIGNED, TS, body, TS, body_short, NOW, PD_E_INVALID},
      {"body one byte longer", AS_SIGNED, TS, body, TS, body_long, NOW, PD_E_INVALID},
      {"timestamp changed", AS_SIGNED, TS, body, "1764000001", body, NOW, PD_E_INVALID},
      {"signature bit flipped in R", FLIP_BIT_FIRST, TS, body, TS, body, NOW, PD_E_INVALID},
      {"signature bit flipped in S", FLIP_BIT_LAST, TS, body, TS, body, NOW, PD_E_INVALID},
      {"signature not hex", NOT_HEX, TS, body, TS, body, NOW, PD_E_INVALID},
      {"signature 127 hex chars", HEX_127, TS, body, TS, body, NOW, PD_E_INVALID},
      {"signature 129 hex chars", HEX_129, TS, body, TS, body, NOW, PD_E_INVALID},
      {"signature all zeros", ALL_ZERO, TS, body, TS, body, NOW, PD_E_INVALID},
      {"no signature header", SIG_NULL, TS, body, TS, body, NOW, PD_E_INVALID},
      {"empty signature header", SIG_EMPTY, TS, body, TS, body, NOW, PD_E_INVALID},
      {"no timestamp header", AS_SIGNED, "", body, NULL, body, NOW, PD_E_INVALID},
      /* at now = 0 an empty timestamp would read as 0 s, inside the window: only its emptiness
         refuses it */
      {"empty timestamp header", AS_SIGNED, "", body, "", body, 0, PD_E_INVALID},
      {"timestamp with a plus sign", AS_SIGNED, "+1764000000", body, "+1764000000", body, NOW,
       PD_E_INVALID},
      {"timestamp with a minus sign", AS_SIGNED, "-1764000000", body, "-1764000000", body, -NOW,
       PD_E_INVALID},
      {"timestamp with a leading space", AS_SIGNED, " 1764000000", body, " 1764000000", body, NOW,
       PD_E_INVALID},
      {"timestamp with a trailing space", AS_SIGNED, "1764000000 ", body, "1764000000 ", body, NOW,
       PD_E_INVALID},
      {"timestamp with a letter inside", AS_SIGNED, "17640a0000", body, "17640a0000", body, NOW,
       PD_E_INVALID},
      {"timestamp in hex", AS_SIGNED, "0x69231a00", body, "0x69231a00", body, 0x69231a00,
       PD_E_INVALID},
      {"timestamp with a fraction", AS_SIGNED, "1764000000.5", body, "1764000000.5", body, NOW,
       PD_E_INVALID},
      {"signed over the body alone", BODY_ONLY, TS, body, TS, body, NOW, PD_E_INVALID},
      {"someone else's key", OTHER_KEY, TS, body, TS, body, NOW, PD_E_INVALID},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    char buf[131];
    const char *sig;
    make_sig(rows[i].how, rows[i].signed_ts, rows[i].signed_body, buf, &sig);
    enum pd_result rc =
        pd_sig_verify(pk, sig, rows[i].ts, rows[i].body, strlen(rows[i].body), rows[i].now);
    if (rc != rows[i].want)
      fail_msg("%s: got %s, want %s", rows[i].what, pd_result_str(rc), pd_result_str(rows[i].want));
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_fixed_seed_matches_openssl),
      cmocka_unit_test(test_rfc8032_vectors),
      cmocka_unit_test(test_random_keypair_round_trip),
      cmocka_unit_test(test_table),
  };
  return cmocka_run_group_tests_name("test_sig", tests, setup, NULL);
}
