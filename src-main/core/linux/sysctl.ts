/** The sysctls the course touches, with the values a fresh network namespace has. */
export const SYSCTL_DEFAULTS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv4.conf.all.route_localnet': '0',
  'net.ipv4.conf.all.rp_filter': '0',
  'net.ipv4.conf.all.arp_ignore': '0',
  'net.bridge.bridge-nf-call-iptables': '0',
  'net.netfilter.nf_conntrack_max': '262144',
  'net.netfilter.nf_conntrack_tcp_timeout_established': '432000',
  'net.netfilter.nf_conntrack_tcp_timeout_time_wait': '120',
  'net.netfilter.nf_conntrack_udp_timeout': '30',
  'net.netfilter.nf_conntrack_udp_timeout_stream': '120',
  'net.netfilter.nf_conntrack_icmp_timeout': '30'
}

/** `sysctl` accepts both `a.b.c` and `a/b/c`; the store uses dots. */
export function normaliseSysctlKey(key: string): string {
  return key.replace(/\//g, '.')
}
