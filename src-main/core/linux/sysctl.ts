import type { Link } from './link.ts'
import type { Netns } from './netns.ts'

/**
 * `net.ipv4.conf.default.*` of a fresh network namespace (Linux 6.1): every key the kernel
 * lists for each interface, with the value a new interface copies.
 */
const IPV4_CONF_DEFAULT: Readonly<Record<string, string>> = {
  accept_local: '0',
  accept_redirects: '1',
  accept_source_route: '1',
  arp_accept: '0',
  arp_announce: '0',
  arp_evict_nocarrier: '1',
  arp_filter: '0',
  arp_ignore: '0',
  arp_notify: '0',
  bc_forwarding: '0',
  bootp_relay: '0',
  disable_policy: '0',
  disable_xfrm: '0',
  drop_gratuitous_arp: '0',
  drop_unicast_in_l2_multicast: '0',
  force_igmp_version: '0',
  forwarding: '0',
  igmpv2_unsolicited_report_interval: '10000',
  igmpv3_unsolicited_report_interval: '1000',
  ignore_routes_with_linkdown: '0',
  log_martians: '0',
  mc_forwarding: '0',
  medium_id: '0',
  promote_secondaries: '0',
  proxy_arp: '0',
  proxy_arp_pvlan: '0',
  route_localnet: '0',
  rp_filter: '0',
  secure_redirects: '1',
  send_redirects: '1',
  shared_media: '1',
  src_valid_mark: '0',
  tag: '0'
}

/** `all` differs from `default` in one key (ipv4_devconf vs ipv4_devconf_dflt). */
const IPV4_CONF_ALL: Readonly<Record<string, string>> = { ...IPV4_CONF_DEFAULT, accept_source_route: '0' }

/** The loopback device never goes through IPsec policy (inetdev_init sets both). */
const LOOPBACK_CONF: Readonly<Record<string, string>> = { disable_policy: '1', disable_xfrm: '1' }

const confKeys = (iface: string, values: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`net.ipv4.conf.${iface}.${k}`, v]))

/**
 * The ICMP error limiter's knobs (icmp-rate-limit.ts). icmp_ratemask 6168 selects destination
 * unreachable, source quench, time exceeded and parameter problem.
 */
const ICMP_RATE_LIMIT_DEFAULTS: Readonly<Record<string, string>> = {
  'net.ipv4.icmp_msgs_burst': '50',
  'net.ipv4.icmp_msgs_per_sec': '1000',
  'net.ipv4.icmp_ratelimit': '1000',
  'net.ipv4.icmp_ratemask': '6168'
}

/** Keys whose handler bounds the value (proc_dointvec_minmax); a write outside is EINVAL. */
const SYSCTL_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  // MAX_TCP_SYNCNT
  'net.ipv4.tcp_syn_retries': [1, 127],
  'net.ipv4.icmp_msgs_burst': [0, 2 ** 31 - 1],
  'net.ipv4.icmp_msgs_per_sec': [0, 2 ** 31 - 1]
}

/**
 * br_netfilter is one module for the whole kernel: a namespace created on a host has its keys
 * exactly when the host's namespace has them.
 */
export function inheritModuleSysctls(ns: Pick<Netns, 'sysctl'>, host: Pick<Netns, 'sysctl'>): void {
  if (!('net.bridge.bridge-nf-call-iptables' in host.sysctl))
    delete ns.sysctl['net.bridge.bridge-nf-call-iptables']
}

/**
 * The sysctls a fresh network namespace has that the simulator models, besides the per-interface
 * `net.ipv4.conf.IFACE.*`, which follow `default` (see sysctlEntries). Keys are written as
 * `sysctl` prints them.
 */
export const SYSCTL_DEFAULTS: Readonly<Record<string, string>> = {
  'net.ipv4.ip_forward': '0',
  'net.ipv4.ip_forward_update_priority': '1',
  'net.ipv4.ip_forward_use_pmtu': '0',
  ...confKeys('all', IPV4_CONF_ALL),
  ...confKeys('default', IPV4_CONF_DEFAULT),
  'net.ipv4.tcp_syn_retries': '6',
  ...ICMP_RATE_LIMIT_DEFAULTS,
  // With br_netfilter loaded every namespace has the key, and a new one starts at 1 (brnf_net).
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.netfilter.nf_conntrack_max': '262144',
  'net.netfilter.nf_conntrack_tcp_timeout_established': '432000',
  'net.netfilter.nf_conntrack_tcp_timeout_time_wait': '120',
  'net.netfilter.nf_conntrack_udp_timeout': '30',
  'net.netfilter.nf_conntrack_udp_timeout_stream': '120',
  'net.netfilter.nf_conntrack_icmp_timeout': '30'
}

/** Whether some namespace can have this key: a modelled one, or an interface's `net.ipv4.conf` key. */
export function isKnownSysctl(key: string): boolean {
  const iface = /^net\.ipv4\.conf\.[^.]+\.([a-z0-9_]+)$/.exec(key)
  return key in SYSCTL_DEFAULTS || (iface !== null && iface[1]! in IPV4_CONF_DEFAULT)
}

/** The modelled keys as a reader wants them listed: the per-interface tree as one pattern. */
export function knownSysctlNames(): string[] {
  return [
    ...Object.keys(SYSCTL_DEFAULTS).filter((k) => !k.startsWith('net.ipv4.conf.')),
    `net.ipv4.conf.{all,default,IFACE}.{${Object.keys(IPV4_CONF_DEFAULT).join(',')}}`
  ]
}

/**
 * procps' slashdot: a name whose first separator is `/` is a path, so its `/` and `.` swap
 * (`net/ipv4/conf/flannel.1/rp_filter` is `net.ipv4.conf.flannel/1.rp_filter`). The store and
 * the output use the dotted form.
 */
export function normaliseSysctlKey(key: string): string {
  return /^[^./]*\//.test(key) ? swapDotsAndSlashes(key) : key
}

/** The file under /proc/sys/ of a dotted name (and the reverse: the swap is its own inverse). */
export function swapDotsAndSlashes(s: string): string {
  return s.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'))
}

/** An interface name as it appears inside a dotted sysctl name. */
const ifaceInKey = (name: string): string => name.replace(/\./g, '/')

/** What a namespace's sysctls are derived from: the written values and the interfaces. */
export interface SysctlView {
  readonly sysctl: Readonly<Record<string, string>>
  readonly links: ReadonlyArray<Pick<Link, 'name' | 'kind'>>
}

/**
 * Every sysctl of the namespace, sorted as `sysctl -a` lists them. An interface's
 * `net.ipv4.conf` key is the value written to it, else `default`'s: the kernel copies `default`
 * when the interface appears and copies every later change of `default` to interfaces whose key
 * nobody wrote (devinet_copy_dflt_conf).
 */
export function sysctlEntries(ns: SysctlView): Array<[string, string]> {
  const all = new Map(Object.entries(ns.sysctl))
  for (const link of ns.links)
    for (const key of Object.keys(IPV4_CONF_DEFAULT))
      all.set(`net.ipv4.conf.${ifaceInKey(link.name)}.${key}`, interfaceConf(ns, link, key))
  return [...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * The sysctl names of an interface's keys, by interface name then key: the walk consults
 * `forwarding` on every routed packet, and building the name (a regex replace and a template)
 * each time was a visible share of a trace. Names are pure functions of their two parts.
 */
const confNames = new Map<string, Map<string, string>>()

function interfaceConfKey(ifname: string, key: string): string {
  let keys = confNames.get(ifname)
  if (!keys) confNames.set(ifname, (keys = new Map()))
  let name = keys.get(key)
  if (name === undefined) keys.set(key, (name = `net.ipv4.conf.${ifaceInKey(ifname)}.${key}`))
  return name
}

/** One `net.ipv4.conf` key of an interface, as the kernel consults it (IN_DEV_CONF_GET). */
export function interfaceConf(
  ns: Pick<Netns, 'sysctl'>,
  link: Pick<Link, 'name' | 'kind'>,
  key: string
): string {
  return (
    ns.sysctl[interfaceConfKey(link.name, key)] ??
    (link.kind === 'loopback' ? LOOPBACK_CONF[key] : undefined) ??
    ns.sysctl[interfaceConfKey('default', key)]!
  )
}

/** One sysctl by its dotted name; undefined when /proc/sys has no such file. */
export function readSysctl(ns: SysctlView, key: string): string | undefined {
  if (key in ns.sysctl) return ns.sysctl[key]
  const conf = /^net\.ipv4\.conf\.([^.]+)\.([a-z0-9_]+)$/.exec(key)
  if (!conf || !(conf[2]! in IPV4_CONF_DEFAULT)) return undefined
  const link = ns.links.find((l) => ifaceInKey(l.name) === conf[1])
  return link && interfaceConf(ns, link, conf[2]!)
}

export type SysctlWrite = 'ok' | 'no-such-key' | 'invalid-argument'

/** What the kernel sets by itself when forwarding is switched (inet_forward_change). */
export function forwardingConsequences(on: boolean): Record<string, string> {
  return {
    'net.ipv4.conf.all.forwarding': on ? '1' : '0',
    'net.ipv4.conf.default.forwarding': on ? '1' : '0',
    'net.ipv4.conf.all.accept_redirects': on ? '0' : '1'
  }
}

/**
 * Writes one sysctl as the kernel takes it. Every modelled key is an integer (proc_dointvec).
 * `ip_forward` is `conf.all.forwarding`: either one switches forwarding on every interface and
 * in `default`, and turns `all.accept_redirects` off while forwarding (inet_forward_change).
 */
export function writeSysctl(ns: Netns, key: string, raw: string): SysctlWrite {
  if (readSysctl(ns, key) === undefined) return 'no-such-key'
  const value = raw.trim()
  if (!/^-?\d+$/.test(value)) return 'invalid-argument'
  const v = String(Number(value))
  const range = SYSCTL_RANGES[key]
  if (range && (Number(v) < range[0] || Number(v) > range[1])) return 'invalid-argument'
  if (key === 'net.ipv4.ip_forward' || key === 'net.ipv4.conf.all.forwarding') {
    const on = v !== '0'
    ns.sysctl['net.ipv4.ip_forward'] = on ? '1' : '0'
    Object.assign(ns.sysctl, forwardingConsequences(on))
    for (const link of ns.links) delete ns.sysctl[`net.ipv4.conf.${ifaceInKey(link.name)}.forwarding`]
    return 'ok'
  }
  ns.sysctl[key] = v
  return 'ok'
}

/** An interface left the namespace (deleted or moved): its written keys go with it. */
export function forgetInterfaceSysctls(ns: Netns, name: string): void {
  const prefix = `net.ipv4.conf.${ifaceInKey(name)}.`
  for (const k of Object.keys(ns.sysctl)) if (k.startsWith(prefix)) delete ns.sysctl[k]
}

/** A rename keeps the device's in_device, so what was written to it follows it to the new name. */
export function renameInterfaceSysctls(ns: Netns, from: string, to: string): void {
  const prefix = `net.ipv4.conf.${ifaceInKey(from)}.`
  for (const [k, v] of Object.entries(ns.sysctl)) {
    if (!k.startsWith(prefix)) continue
    delete ns.sysctl[k]
    ns.sysctl[`net.ipv4.conf.${ifaceInKey(to)}.${k.slice(prefix.length)}`] = v
  }
}
