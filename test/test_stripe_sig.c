/* test_stripe_sig.c - Stripe's webhook signature rule (lib/stripe_sig.c) in Stripe's published
 * header format "t=...,v1=...,v0=...": any v1 may match (a secret roll), v0 and unknown schemes
 * are ignored, t must be within 300 s, and a malformed header is refused.  The signatures of
 * the fixed rows were made with OpenSSL (`openssl dgst -sha256 -hmac SECRET`), independently of
 * libsodium and of lib/stripe_sig.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "stripe_sig.h"

#define SECRET "whsec_test_secret_0123456789"
#define OLD_SECRET "whsec_old_secret_abcdef"
#define T 1733061234
#define BODY "{\"id\":\"evt_1\",\"object\":\"event\"}"
/* printf '%s' '1733061234.{"id":"evt_1","object":"event"}' | openssl dgst -sha256 -hmac ... */
#define SIG "6ef5ae973cd328d9863e8497f958a1b21ecc7a3f26d05be4c17131627b532d94"
#define OLD_SIG "d3c88130fd2843b1fb4df58f5e9c72e05aae560d11d8c8eec06f069afe503345"
#define ZEROS "0000000000000000000000000000000000000000000000000000000000000000"

static int setup(void **state)
{
  return sodium_init() < 0 ? -1 : 0;
}

struct row {
  const char *name;
  const char *header;
  const char *body;
  int64_t now;
  enum pd_result want;
};

static const struct row rows[] = {
    {"one v1", "t=1733061234,v1=" SIG, BODY, T, PD_OK},
    {"v1 first, t last", "v1=" SIG ",t=1733061234", BODY, T, PD_OK},
    {"v1 then v0", "t=1733061234,v1=" SIG ",v0=" ZEROS, BODY, T, PD_OK},
    {"secret roll: old v1 then new", "t=1733061234,v1=" OLD_SIG ",v1=" SIG, BODY, T, PD_OK},
    {"secret roll: new v1 then old", "t=1733061234,v1=" SIG ",v1=" OLD_SIG, BODY, T, PD_OK},
    {"unknown scheme ignored", "t=1733061234,v9=xyz,v1=" SIG, BODY, T, PD_OK},
    {"299 s old", "t=1733061234,v1=" SIG, BODY, T + 299, PD_OK},
    {"300 s old", "t=1733061234,v1=" SIG, BODY, T + 300, PD_OK},
    {"301 s old", "t=1733061234,v1=" SIG, BODY, T + 301, PD_E_INVALID},
    {"an hour old", "t=1733061234,v1=" SIG, BODY, T + 3600, PD_E_INVALID},
    {"301 s in the future", "t=1733061234,v1=" SIG, BODY, T - 301, PD_E_INVALID},
    {"only the old secret's v1", "t=1733061234,v1=" OLD_SIG, BODY, T, PD_E_INVALID},
    {"only a v0 that matches", "t=1733061234,v0=" SIG, BODY, T, PD_E_INVALID},
    {"missing t", "v1=" SIG, BODY, T, PD_E_INVALID},
    {"two t", "t=1733061234,t=1733061234,v1=" SIG, BODY, T, PD_E_INVALID},
    {"t not a number", "t=17330612x4,v1=" SIG, BODY, T, PD_E_INVALID},
    {"t negative", "t=-1733061234,v1=" SIG, BODY, T, PD_E_INVALID},
    {"t empty", "t=,v1=" SIG, BODY, T, PD_E_INVALID},
    {"v1 not hex",
     "t=1733061234,v1=6ef5ae973cd328d9863e8497f958a1b21ecc7a3f26d05be4c17131627b532dzz", BODY, T,
     PD_E_INVALID},
    {"v1 one digit short",
     "t=1733061234,v1=6ef5ae973cd328d9863e8497f958a1b21ecc7a3f26d05be4c17131627b532d9", BODY, T,
     PD_E_INVALID},
    {"v1 one digit long", "t=1733061234,v1=" SIG "4", BODY, T, PD_E_INVALID},
    {"v1 empty", "t=1733061234,v1=", BODY, T, PD_E_INVALID},
    {"no v1 at all", "t=1733061234", BODY, T, PD_E_INVALID},
    {"a part without =", "t=1733061234,v1" SIG, BODY, T, PD_E_INVALID},
    {"an empty part", "t=1733061234,,v1=" SIG, BODY, T, PD_E_INVALID},
    {"empty header", "", BODY, T, PD_E_INVALID},
    {"body one byte changed", "t=1733061234,v1=" SIG, "{\"id\":\"evt_2\",\"object\":\"event\"}", T,
     PD_E_INVALID},
    {"body with a byte added", "t=1733061234,v1=" SIG, BODY " ", T, PD_E_INVALID},
    {"signed for another t", "t=1733061235,v1=" SIG, BODY, T, PD_E_INVALID},
    {"upper-case hex is still the same bytes",
     "t=1733061234,v1=6EF5AE973CD328D9863E8497F958A1B21ECC7A3F26D05BE4C17131627B532D94", BODY, T,
     PD_OK},
};

static void test_rows(void **state)
{
  for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    const struct row *r = &rows[i];
    enum pd_result got = pd_stripe_sig_verify(SECRET, r->header, r->body, strlen(r->body), r->now);
    if (got != r->want)
      fail_msg("%s: got %d, want %d", r->name, got, r->want);
  }
}

static void test_missing_pieces(void **state)
{
  const char *h = "t=1733061234,v1=" SIG;
  assert_int_equal(pd_stripe_sig_verify(SECRET, NULL, BODY, strlen(BODY), T), PD_E_INVALID);
  assert_int_equal(pd_stripe_sig_verify(NULL, h, BODY, strlen(BODY), T), PD_E_INVALID);
  assert_int_equal(pd_stripe_sig_verify("", h, BODY, strlen(BODY), T), PD_E_INVALID);
  assert_int_equal(pd_stripe_sig_verify("whsec_other", h, BODY, strlen(BODY), T), PD_E_INVALID);
}

/* The header is cut at PD_STRIPE_SIG_MAX_HEADER: a longer one is refused, not read further. */
static void test_header_too_long(void **state)
{
  char h[PD_STRIPE_SIG_MAX_HEADER + 200];
  int n = snprintf(h, sizeof(h), "t=1733061234,v1=%s", SIG);
  while ((size_t)n + 4 < sizeof(h) - 1)
    n += snprintf(h + n, sizeof(h) - (size_t)n, ",v0=");
  assert_int_equal(pd_stripe_sig_verify(SECRET, h, BODY, strlen(BODY), T), PD_E_INVALID);
}

/* What the signer makes is OpenSSL's answer, and verifies. */
static void test_sign_matches_openssl(void **state)
{
  char hex[PD_STRIPE_SIG_HEX], h[128];
  assert_int_equal(pd_stripe_sig_sign(SECRET, T, BODY, strlen(BODY), hex), PD_OK);
  assert_string_equal(hex, SIG);
  assert_int_equal(pd_stripe_sig_sign(OLD_SECRET, T, BODY, strlen(BODY), hex), PD_OK);
  assert_string_equal(hex, OLD_SIG);
  snprintf(h, sizeof(h), "t=%d,v1=%s", T + 10, hex);
  assert_int_equal(pd_stripe_sig_sign(SECRET, T + 10, "", 0, hex), PD_OK);
  snprintf(h, sizeof(h), "t=%d,v1=%s", T + 10, hex);
  assert_int_equal(pd_stripe_sig_verify(SECRET, h, "", 0, T), PD_OK);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows),
      cmocka_unit_test(test_missing_pieces),
      cmocka_unit_test(test_header_too_long),
      cmocka_unit_test(test_sign_matches_openssl),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
