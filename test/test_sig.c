/* test_sig.c - Discord's signature rule (lib/sig.c): Ed25519 over timestamp + body, within 5 minutes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sig.h"

static unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
static const char body[] = "{\"type\":1,\"id\":\"1310000000000000000\",\"application_id\":\"1111111111111111111\"}";
#define NOW 1764000000

static int setup(void **state)
{
  unsigned char seed[crypto_sign_SEEDBYTES];
  if (sodium_init() < 0)
    return -1;
  memset(seed, 7, sizeof(seed)); /* a fixed key: the vectors below are reproducible */
  crypto_sign_seed_keypair(pk, sk, seed);
  return 0;
}

static void test_valid_signature_accepted(void **state)
{
  char sig[129];
  assert_int_equal(pd_sig_sign(sk, "1764000000", body, strlen(body), sig), PD_OK);
  assert_int_equal(strlen(sig), 128);
  assert_int_equal(pd_sig_verify(pk, sig, "1764000000", body, strlen(body), NOW), PD_OK);
}

static void test_fixed_vector(void **state)
{
  /* Ed25519 is deterministic: this key and message always give this signature. */
  char sig[129];
  pd_sig_sign(sk, "1764000000", "{}", 2, sig);
  char again[129];
  pd_sig_sign(sk, "1764000000", "{}", 2, again);
  assert_string_equal(sig, again);
  assert_int_equal(pd_sig_verify(pk, sig, "1764000000", "{}", 2, NOW), PD_OK);
  assert_int_equal(pd_sig_verify(pk, sig, "1764000000", "{ }", 3, NOW), PD_E_INVALID);
}

static void test_rejections(void **state)
{
  char sig[129], flipped[129], body_changed[sizeof(body)], short_sig[128], long_sig[130], upper[129];
  char body_only[129];
  pd_sig_sign(sk, "1764000000", body, strlen(body), sig);
  memcpy(flipped, sig, sizeof(sig));
  flipped[0] = flipped[0] == '0' ? '1' : '0';
  memcpy(body_changed, body, sizeof(body));
  body_changed[10] = 'X';
  memcpy(short_sig, sig, 127);
  short_sig[127] = '\0';
  snprintf(long_sig, sizeof(long_sig), "%s0", sig);
  memcpy(upper, sig, sizeof(sig));
  upper[5] = 'g';
  crypto_sign_detached((unsigned char *)body_only, NULL, (const unsigned char *)body, strlen(body), sk);
  char body_only_hex[129];
  sodium_bin2hex(body_only_hex, sizeof(body_only_hex), (unsigned char *)body_only, crypto_sign_BYTES);
  unsigned char other_pk[crypto_sign_PUBLICKEYBYTES], other_sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(other_pk, other_sk);

  struct {
    const char *what;
    const unsigned char *key;
    const char *sig, *ts, *body;
    int64_t now;
  } rows[] = {
    {"one body byte changed", pk, sig, "1764000000", body_changed, NOW},
    {"timestamp changed", pk, sig, "1764000001", body, NOW},
    {"one signature bit flipped", pk, flipped, "1764000000", body, NOW},
    {"not hex", pk, upper, "1764000000", body, NOW},
    {"127 hex chars", pk, short_sig, "1764000000", body, NOW},
    {"129 hex chars", pk, long_sig, "1764000000", body, NOW},
    {"no signature", pk, NULL, "1764000000", body, NOW},
    {"empty signature", pk, "", "1764000000", body, NOW},
    {"no timestamp", pk, sig, NULL, body, NOW},
    {"empty timestamp", pk, sig, "", body, NOW},
    {"timestamp with a sign", pk, sig, "+1764000000", body, NOW},
    {"timestamp with a space", pk, sig, " 1764000000", body, NOW},
    {"timestamp with letters", pk, sig, "1764000000a", body, NOW},
    {"301 s old", pk, sig, "1764000000", body, NOW + 301},
    {"301 s ahead", pk, sig, "1764000000", body, NOW - 301},
    {"someone else's key", other_pk, sig, "1764000000", body, NOW},
    {"signed over the body alone", pk, body_only_hex, "1764000000", body, NOW},
  };
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    enum pd_result rc = pd_sig_verify(rows[i].key, rows[i].sig, rows[i].ts, rows[i].body, strlen(rows[i].body),
                                      rows[i].now);
    if (rc != PD_E_INVALID)
      fail_msg("%s: accepted", rows[i].what);
  }
}

static void test_window_edges(void **state)
{
  char sig[129];
  pd_sig_sign(sk, "1764000000", body, strlen(body), sig);
  assert_int_equal(pd_sig_verify(pk, sig, "1764000000", body, strlen(body), NOW + 300), PD_OK);
  assert_int_equal(pd_sig_verify(pk, sig, "1764000000", body, strlen(body), NOW - 300), PD_OK);
  assert_int_equal(pd_sig_verify(pk, sig, "1764000000", body, strlen(body), NOW + 301), PD_E_INVALID);
}

static void test_empty_body(void **state)
{
  char sig[129];
  pd_sig_sign(sk, "1764000000", "", 0, sig);
  assert_int_equal(pd_sig_verify(pk, sig, "1764000000", "", 0, NOW), PD_OK);
  assert_int_equal(pd_sig_verify(pk, sig, "1764000000", "x", 1, NOW), PD_E_INVALID);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_valid_signature_accepted), cmocka_unit_test(test_fixed_vector),
    cmocka_unit_test(test_rejections),               cmocka_unit_test(test_window_edges),
    cmocka_unit_test(test_empty_body),
  };
  return cmocka_run_group_tests_name("test_sig", tests, setup, NULL);
}
