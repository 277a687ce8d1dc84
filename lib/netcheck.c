/* netcheck.c - public-address classification (IANA special-purpose registries) and allowlists. */
#include "netcheck.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct range {
  unsigned char addr[16];
  int prefix;
  const char *what;
};

/* IANA IPv4 Special-Purpose Address Registry: nothing here is a place to fetch images from. */
static const struct range v4_special[] = {
    {{255, 255, 255, 255}, 32, "broadcast"},
    {{0}, 8, "this network"},
    {{10}, 8, "private"},
    {{100, 64}, 10, "shared (carrier-grade NAT)"},
    {{127}, 8, "loopback"},
    {{169, 254}, 16, "link-local"},
    {{172, 16}, 12, "private"},
    {{192, 0, 0}, 24, "IETF protocol"},
    {{192, 0, 2}, 24, "documentation"},
    {{192, 88, 99}, 24, "6to4 relay"},
    {{192, 168}, 16, "private"},
    {{198, 18}, 15, "benchmarking"},
    {{198, 51, 100}, 24, "documentation"},
    {{203, 0, 113}, 24, "documentation"},
    {{224}, 4, "multicast"},
    {{240}, 4, "reserved"},
};

/* IANA IPv6 Special-Purpose Address Registry, then anything outside global unicast 2000::/3. */
static const struct range v6_special[] = {
    {{0}, 128, "unspecified"},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback"},
    {{0}, 96, "IPv4-compatible (deprecated)"},
    {{0, 0x64, 0xff, 0x9b}, 96, "NAT64"},
    {{0, 0x64, 0xff, 0x9b, 0, 1}, 48, "NAT64 (local)"},
    {{0x01, 0x00}, 64, "discard-only"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation"},
    {{0x20, 0x01}, 23, "IETF protocol (Teredo and others)"},
    {{0x20, 0x02}, 16, "6to4"},
    {{0x3f, 0xff}, 20, "documentation"},
    {{0xfc}, 7, "unique local (private)"},
    {{0xfe, 0x80}, 10, "link-local"},
    {{0xfe, 0xc0}, 10, "site-local (deprecated)"},
    {{0xff}, 8, "multicast"},
};

static bool in_prefix(const unsigned char *addr, const unsigned char *net, int prefix)
{
  int full = prefix / 8, rest = prefix % 8;
  if (memcmp(addr, net, (size_t)full) != 0)
    return false;
  if (rest == 0)
    return true;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (addr[full] & mask) == (net[full] & mask);
}

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

const char *pd_net_special(int family, const unsigned char *addr)
{
  if (family == AF_INET6 && memcmp(addr, v4_mapped, 12) == 0)
    return pd_net_special(AF_INET, addr + 12);
  const struct range *t = family == AF_INET ? v4_special : v6_special;
  size_t n = family == AF_INET ? PD_ARRAY_LEN(v4_special) : PD_ARRAY_LEN(v6_special);
  if (family != AF_INET && family != AF_INET6)
    return "not an IP";
  for (size_t i = 0; i < n; i++)
    if (in_prefix(addr, t[i].addr, t[i].prefix))
      return t[i].what;
  if (family == AF_INET6 && (addr[0] & 0xe0) != 0x20)
    return "reserved (not global unicast)";
  return NULL;
}

enum pd_result pd_netlist_parse(const char *s, struct pd_netlist *out, char *err, size_t errlen)
{
  memset(out, 0, sizeof(*out));
  while (s != NULL && *s != '\0') {
    char item[64];
    size_t len = strcspn(s, ", \t");
    if (len == 0) {
      s++;
      continue;
    }
    if (len >= sizeof(item)) {
      snprintf(err, errlen, "\"%.*s\" is not an address or network", (int)len, s);
      return PD_E_INVALID;
    }
    if (out->n == PD_NETLIST_MAX) {
      snprintf(err, errlen, "more than %d networks", PD_NETLIST_MAX);
      return PD_E_INVALID;
    }
    memcpy(item, s, len);
    item[len] = '\0';
    s += len;
    struct pd_net *net = &out->nets[out->n];
    char *slash = strchr(item, '/');
    if (slash != NULL)
      *slash = '\0';
    net->family = strchr(item, ':') != NULL ? AF_INET6 : AF_INET;
    int max = net->family == AF_INET ? 32 : 128;
    long prefix = max;
    char *end = NULL;
    if (slash != NULL) {
      prefix = strtol(slash + 1, &end, 10);
      if (slash[1] == '\0' || *end != '\0' || prefix < 0 || prefix > max)
        prefix = -1;
    }
    if (inet_pton(net->family, item, net->addr) != 1 || prefix < 0) {
      if (slash != NULL)
        *slash = '/';
      snprintf(err, errlen, "\"%s\" is not an address or network (like 127.0.0.1/32 or fd00::/8)",
               item);
      return PD_E_INVALID;
    }
    net->prefix = (int)prefix;
    out->n++;
  }
  return PD_OK;
}

bool pd_netlist_contains(const struct pd_netlist *list, int family, const unsigned char *addr)
{
  if (list == NULL)
    return false;
  if (family == AF_INET6 && memcmp(addr, v4_mapped, 12) == 0)
    return pd_netlist_contains(list, AF_INET, addr + 12);
  for (size_t i = 0; i < list->n; i++)
    if (list->nets[i].family == family && in_prefix(addr, list->nets[i].addr, list->nets[i].prefix))
      return true;
  return false;
}

bool pd_net_permitted(const struct pd_netlist *allowed, const struct sockaddr *sa, char *why,
                      size_t whylen)
{
  const unsigned char *addr = NULL;
  char text[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET)
    addr = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
  else if (sa->sa_family == AF_INET6)
    addr = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
  if (addr == NULL) {
    snprintf(why, whylen, "not an IP address (family %d)", sa->sa_family);
    return false;
  }
  const char *what = pd_net_special(sa->sa_family, addr);
  if (what == NULL || pd_netlist_contains(allowed, sa->sa_family, addr))
    return true;
  inet_ntop(sa->sa_family, addr, text, sizeof(text));
  snprintf(why, whylen, "%s is not a public address (%s)", text, what);
  return false;
}
