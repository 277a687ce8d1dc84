/* test_netcheck.c - lib/netcheck.c: which addresses are public (IPv4 and IPv6 special-purpose
 * ranges, IPv4-mapped IPv6 judged as IPv4), allowlist parsing and matching, and the verdict
 * with its reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "netcheck.h"

static int parse_addr(const char *s, unsigned char out[16])
{
  int family = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
  assert_int_equal(inet_pton(family, s, out), 1);
  return family;
}

static void test_special_rows(void **state)
{
  struct {
    const char *addr, *what; /* what: NULL when public */
  } rows[] = {
      {"8.8.8.8", NULL},
      {"93.184.216.34", NULL},
      {"1.1.1.1", NULL},
      {"0.0.0.0", "this network"},
      {"0.255.1.2", "this network"},
      {"10.1.2.3", "private"},
      {"100.64.0.1", "shared (carrier-grade NAT)"},
      {"100.127.255.255", "shared (carrier-grade NAT)"},
      {"100.128.0.1", NULL},
      {"127.0.0.1", "loopback"},
      {"127.0.0.2", "loopback"},
      {"169.254.169.254", "link-local"},
      {"172.15.255.255", NULL},
      {"172.16.0.1", "private"},
      {"172.31.255.255", "private"},
      {"172.32.0.1", NULL},
      {"192.0.0.8", "IETF protocol"},
      {"192.0.2.1", "documentation"},
      {"192.88.99.1", "6to4 relay"},
      {"192.168.1.1", "private"},
      {"198.18.0.1", "benchmarking"},
      {"198.19.255.255", "benchmarking"},
      {"198.20.0.1", NULL},
      {"198.51.100.7", "documentation"},
      {"203.0.113.9", "documentation"},
      {"224.0.0.1", "multicast"},
      {"239.255.255.250", "multicast"},
      {"240.0.0.1", "reserved"},
      {"255.255.255.255", "broadcast"},
      {"2606:4700::1111", NULL},
      {"2a00:1450:4001::200e", NULL},
      {"::", "unspecified"},
      {"::1", "loopback"},
      {"::127.0.0.1", "IPv4-compatible (deprecated)"},
      {"::ffff:127.0.0.1", "loopback"},
      {"::ffff:169.254.169.254", "link-local"},
      {"::ffff:8.8.8.8", NULL},
      {"64:ff9b::a9fe:a9fe", "NAT64"},
      {"64:ff9b:1::1", "NAT64 (local)"},
      {"100::1", "discard-only"},
      {"2001:db8::1", "documentation"},
      {"2001::1", "IETF protocol (Teredo and others)"},
      {"2002:a9fe:a9fe::1", "6to4"},
      {"3fff::1", "documentation"},
      {"fc00::1", "unique local (private)"},
      {"fd12:3456::1", "unique local (private)"},
      {"fe80::1", "link-local"},
      {"febf::1", "link-local"},
      {"fec0::1", "site-local (deprecated)"},
      {"ff02::1", "multicast"},
      {"4000::1", "reserved (not global unicast)"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(rows); i++) {
    unsigned char a[16];
    int family = parse_addr(rows[i].addr, a);
    const char *what = pd_net_special(family, a);
    if ((what == NULL) != (rows[i].what == NULL) ||
        (what != NULL && strcmp(what, rows[i].what) != 0))
      fail_msg("%s: %s, want %s", rows[i].addr, what ? what : "public",
               rows[i].what ? rows[i].what : "public");
  }
}

static void test_allowlist_rows(void **state)
{
  struct {
    const char *list;
    enum pd_result rc;
    const char *err;
  } parse[] = {
      {"", PD_OK, NULL},
      {"127.0.0.1/32", PD_OK, NULL},
      {"127.0.0.1", PD_OK, NULL},
      {"10.0.0.0/8, fd00::/8 192.168.0.0/16", PD_OK, NULL},
      {"127.0.0.1/33", PD_E_INVALID,
       "\"127.0.0.1/33\" is not an address or network (like 127.0.0.1/32 or fd00::/8)"},
      {"127.0.0.1/", PD_E_INVALID,
       "\"127.0.0.1/\" is not an address or network (like 127.0.0.1/32 or fd00::/8)"},
      {"localhost", PD_E_INVALID,
       "\"localhost\" is not an address or network (like 127.0.0.1/32 or fd00::/8)"},
      {"10.0.0.0/8,10.0.0/8", PD_E_INVALID,
       "\"10.0.0/8\" is not an address or network (like 127.0.0.1/32 or fd00::/8)"},
      {"::1/129", PD_E_INVALID,
       "\"::1/129\" is not an address or network (like 127.0.0.1/32 or fd00::/8)"},
      {"127.0.0.1/8x", PD_E_INVALID,
       "\"127.0.0.1/8x\" is not an address or network (like 127.0.0.1/32 or fd00::/8)"},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(parse); i++) {
    struct pd_netlist l;
    char err[200] = "";
    enum pd_result rc = pd_netlist_parse(parse[i].list, &l, err, sizeof(err));
    if (rc != parse[i].rc)
      fail_msg("\"%s\": %s (%s)", parse[i].list, pd_result_str(rc), err);
    if (parse[i].err != NULL)
      assert_string_equal(err, parse[i].err);
  }
  struct {
    const char *list, *addr;
    bool in;
  } match[] = {
      {"127.0.0.1/32", "127.0.0.1", true},
      {"127.0.0.1/32", "127.0.0.2", false},
      {"127.0.0.1/32", "::ffff:127.0.0.1", true},
      {"127.0.0.1/32", "::1", false},
      {"10.0.0.0/8", "10.255.0.1", true},
      {"10.0.0.0/8", "11.0.0.1", false},
      {"172.16.0.0/12", "172.31.1.1", true},
      {"172.16.0.0/12", "172.32.1.1", false},
      {"fd00::/8", "fd12::1", true},
      {"fd00::/8", "fc00::1", false},
      {"::1", "::1", true},
      {"", "127.0.0.1", false},
  };
  for (size_t i = 0; i < PD_ARRAY_LEN(match); i++) {
    struct pd_netlist l;
    char err[200];
    unsigned char a[16];
    assert_int_equal(pd_netlist_parse(match[i].list, &l, err, sizeof(err)), PD_OK);
    int family = parse_addr(match[i].addr, a);
    if (pd_netlist_contains(&l, family, a) != match[i].in)
      fail_msg("%s in \"%s\": want %d", match[i].addr, match[i].list, match[i].in);
  }
}

static void test_permitted(void **state)
{
  struct pd_netlist l;
  char err[200], why[200] = "";
  assert_int_equal(pd_netlist_parse("127.0.0.1/32", &l, err, sizeof(err)), PD_OK);
  struct sockaddr_in v4 = {.sin_family = AF_INET};
  struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
  inet_pton(AF_INET, "169.254.169.254", &v4.sin_addr);
  assert_false(pd_net_permitted(&l, (struct sockaddr *)&v4, why, sizeof(why)));
  assert_string_equal(why, "169.254.169.254 is not a public address (link-local)");
  inet_pton(AF_INET, "127.0.0.1", &v4.sin_addr);
  assert_true(pd_net_permitted(&l, (struct sockaddr *)&v4, why, sizeof(why)));
  assert_false(pd_net_permitted(NULL, (struct sockaddr *)&v4, why, sizeof(why)));
  assert_string_equal(why, "127.0.0.1 is not a public address (loopback)");
  inet_pton(AF_INET, "8.8.8.8", &v4.sin_addr);
  assert_true(pd_net_permitted(NULL, (struct sockaddr *)&v4, why, sizeof(why)));
  inet_pton(AF_INET6, "::1", &v6.sin6_addr);
  assert_false(pd_net_permitted(&l, (struct sockaddr *)&v6, why, sizeof(why)));
  assert_string_equal(why, "::1 is not a public address (loopback)");
  inet_pton(AF_INET6, "::ffff:127.0.0.1", &v6.sin6_addr);
  assert_true(pd_net_permitted(&l, (struct sockaddr *)&v6, why, sizeof(why)));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_special_rows),
      cmocka_unit_test(test_allowlist_rows),
      cmocka_unit_test(test_permitted),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
