/* netcheck.h - which addresses a download may connect to: public unicast addresses, plus the
 * networks an operator lists as trusted (INGEST_ALLOWED_NETWORKS).  Pure functions over
 * address bytes, asked by the libcurl socket-open callback once the name is resolved, so a
 * redirect or a DNS answer cannot steer a download to loopback, a private network or a
 * cloud metadata service. */
#ifndef PD_NETCHECK_H
#define PD_NETCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "pd.h"

#define PD_NETLIST_MAX 16

struct pd_net {
  int family; /* AF_INET or AF_INET6 */
  unsigned char addr[16];
  int prefix;
};

struct pd_netlist {
  size_t n;
  struct pd_net nets[PD_NETLIST_MAX];
};

/* NULL when addr (4 bytes for AF_INET, 16 for AF_INET6) is a public unicast address, else
 * what it is instead ("loopback", "private", "link-local", ...).  An IPv4-mapped IPv6
 * address is judged as the IPv4 address it carries. */
const char *pd_net_special(int family, const unsigned char *addr);

/* "127.0.0.1/32, 10.0.0.0/8 fd00::/8": CIDR networks separated by commas or spaces; a bare
 * address is one host.  Empty is an empty list.  PD_E_INVALID with err naming the bad item. */
enum pd_result pd_netlist_parse(const char *s, struct pd_netlist *out, char *err, size_t errlen);

bool pd_netlist_contains(const struct pd_netlist *list, int family, const unsigned char *addr);

/* Whether a download may connect to sa: a public address, or one on allowed (may be NULL).
 * Otherwise false, with why naming the address and what it is
 * ("169.254.169.254 is a link-local address"). */
bool pd_net_permitted(const struct pd_netlist *allowed, const struct sockaddr *sa, char *why,
                      size_t whylen);

#endif
