/**
 * `ip` (iproute2 6.1): `addr|link|route|neigh [show] [dev X]` with `-d`, `-br`, `-s`, the families
 * `-4`, `-6`, `-0` and `-f NAME` (IPv6 as every host has it, ip-inet6-commands.ts), the
 * route listing's selectors (ip-route-filter.ts), `ip route get`, and the mutations a learner wiring a pod network by hand needs: `link add|set|del`
 * (ip-link-edit.ts), `netns add|del|list|exec` and `-n NS` (ip-netns.ts), `route add|replace|del`,
 * `neigh add|replace|del|flush`, `addr add|del`, `rule` (ip-rule.ts), tables by name or number
 * (`route … table N`, `route flush table N`), and `monitor` (ip-monitor.ts). Output
 * and error texts are iproute2's.
 */
import type { Command, CommandContext, CommandOutput } from '../command.ts'
import { fail, ok } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import type { Link } from '../../linux/link.ts'
import {
  addAddress,
  addRoute,
  deleteAddress,
  deleteNeighbour,
  deleteRoute,
  gatewayRoute,
  isLocalAddress,
  lookupFlow,
  pickSource,
  routeErrno,
  setNeighbour
} from '../../linux/ops.ts'
import { announceRoutes } from '../../linux/netlink.ts'
import { linkByIndex, linkByName, type Netns } from '../../linux/netns.ts'
import { interfaceConf } from '../../linux/sysctl.ts'
import { primaryFor } from '../../linux/address-routes.ts'
import {
  parseRouteProto,
  parseTable,
  tableId,
  type Route,
  type RouteTable,
  type RouteType
} from '../../linux/route.ts'
import { makeCidr, parseCidr } from '../../net/cidr.ts'
import { formatIpv4, parseIpv4 } from '../../net/ipv4.ts'
import { parseMac } from '../../net/mac.ts'
import { linkAdd, linkDel, linkSet } from './ip-link-edit.ts'
import { isMonitor, monitorAtOnce, monitorNetlink } from './ip-monitor.ts'
import { execIn, namedNetns, runNetns, targetIn } from './ip-netns.ts'
import { runRuleCommand } from './ip-rule.ts'
import { parseRouteFilter } from './ip-route-filter.ts'
import { bad, incomplete, invalidArgument, parseU32 } from './ip-errors.ts'
import { neighbourSelected, NUD_NAMES, parseNeighbourFilter } from './ip-neigh-filter.ts'
import {
  showAddrs,
  showLinks,
  showNeighbours,
  showRoutes,
  type IpFamily,
  type ShowOptions
} from './ip-show.ts'
import {
  ipv6RouteListing,
  ipv6Unsimulated,
  runIpv6Neigh,
  runIpv6Route,
  runIpv6Rule
} from './ip-inet6-commands.ts'
import { parseIpv6 } from '../../net/ipv6.ts'

const OBJECTS: Record<string, 'addr' | 'link' | 'route' | 'neigh' | 'netns' | 'rule'> = {
  net: 'netns',
  netn: 'netns',
  netns: 'netns',
  a: 'addr',
  ad: 'addr',
  add: 'addr',
  addr: 'addr',
  addre: 'addr',
  addres: 'addr',
  address: 'addr',
  l: 'link',
  li: 'link',
  lin: 'link',
  link: 'link',
  r: 'route',
  ro: 'route',
  rou: 'route',
  rout: 'route',
  route: 'route',
  n: 'neigh',
  ne: 'neigh',
  nei: 'neigh',
  neig: 'neigh',
  neigh: 'neigh',
  neighbor: 'neigh',
  neighbour: 'neigh',
  ru: 'rule',
  rul: 'rule',
  rule: 'rule'
}

const IP_USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}
`

/** read_family's names; the families a lab host has no use for are refused by name. */
const FAMILIES: Record<string, IpFamily | 'unsimulated'> = {
  inet: 'inet',
  inet6: 'inet6',
  link: 'link',
  bridge: 'unsimulated',
  mpls: 'unsimulated'
}

function nsOf(ctx: CommandContext): Netns {
  return (ctx.lab as Lab).netns.get(ctx.target.netns)!
}

/** `dev X` or a bare device name after `show`. */
function pickDevice(
  ns: Netns,
  args: readonly string[]
): { link?: Link; error?: CommandOutput; rest: string[] } {
  const rest = [...args]
  let name: string | undefined
  const i = rest.indexOf('dev')
  if (i !== -1) {
    name = rest[i + 1]
    rest.splice(i, 2)
  } else if (rest[0] !== undefined && !['up', 'table', 'to', 'scope', 'proto'].includes(rest[0])) {
    name = rest.shift()
  }
  if (name === undefined) return { rest }
  const link = linkByName(ns, name)
  if (!link) return { error: bad(`Device "${name}" does not exist.`), rest }
  return { link, rest }
}

/**
 * Each object's command words in the order iproute2 tries them. iproute2 accepts any prefix of a
 * word and takes the first command it begins, so `ip r a` is `ip route add` and `ip l s` is
 * `ip link set` (set is tried before show). `chg` is the one spelling that is not a prefix.
 */
const VERBS = {
  link: [
    'add',
    'change',
    'replace',
    'delete',
    'set',
    'show',
    'lst',
    'list',
    'xstats',
    'afstats',
    'property',
    'help'
  ],
  addr: [
    'add',
    'change',
    'replace',
    'delete',
    'list',
    'show',
    'lst',
    'flush',
    'save',
    'showdump',
    'restore',
    'help'
  ],
  route: [
    'add',
    'change',
    'replace',
    'prepend',
    'append',
    'test',
    'delete',
    'list',
    'show',
    'lst',
    'get',
    'flush',
    'save',
    'restore',
    'showdump',
    'help'
  ],
  neigh: ['add', 'change', 'replace', 'delete', 'get', 'show', 'lst', 'list', 'flush', 'help'],
  rule: ['list', 'lst', 'show', 'save', 'restore', 'add', 'delete', 'flush', 'help']
} as const satisfies Record<string, readonly string[]>

type IpObject = keyof typeof VERBS
const LISTING = new Set(['show', 'list', 'lst'])

/** The command a word names, as iproute2 resolves it; listing is the default without a word. */
function verbOf(object: IpObject, word: string | undefined): string | undefined {
  if (word === undefined) return 'show'
  if (word === 'chg') return 'change'
  const verb = VERBS[object].find((candidate) => candidate.startsWith(word))
  return verb !== undefined && LISTING.has(verb) ? 'show' : verb
}

const HELP_NAME: Record<IpObject, string> = {
  link: 'link',
  addr: 'address',
  route: 'route',
  neigh: 'neigh',
  rule: 'rule'
}

/** What `ip <object>` says about a word that is no command, or one the lab does not simulate. */
function unknownVerb(
  object: IpObject,
  word: string,
  verb: string | undefined,
  simulated: readonly string[]
): CommandOutput {
  if (verb === undefined) return bad(`Command "${word}" is unknown, try "ip ${HELP_NAME[object]} help".`, 255)
  return bad(
    `Podnet Lab does not simulate "ip ${HELP_NAME[object]} ${verb}"; it simulates ip ${HELP_NAME[object]} ${simulated.join(', ')}.`,
    255
  )
}

/**
 * The links a listing names: `dev X` or a bare name, narrowed to the ports of `master Y` and to
 * the links of `type KIND` (the kind `ip link add` was given; a NIC and lo have none).
 */
function listedLinks(
  ns: Netns,
  args: readonly string[]
): { links?: Link[]; error?: CommandOutput; byDevice?: boolean } {
  const rest = [...args]
  const t = rest.indexOf('type')
  let kind: string | undefined
  if (t !== -1) {
    kind = rest[t + 1]
    if (kind === undefined) return { error: incomplete() }
    rest.splice(t, 2)
  }
  const ofKind = (l: Link): boolean =>
    kind === undefined || (l.kind !== 'ether' && l.kind !== 'loopback' && l.kind === kind)
  const m = rest.indexOf('master')
  let master: Link | undefined
  if (m !== -1) {
    const name = rest[m + 1] ?? ''
    master = linkByName(ns, name)
    if (!master) return { error: bad(`Device "${name}" does not exist.`) }
    rest.splice(m, 2)
  }
  const { link, error } = pickDevice(ns, rest)
  if (error) return { error }
  const links = (link ? [link] : ns.links).filter(ofKind)
  return {
    links: master ? links.filter((l) => l.master === master.ifindex) : links,
    byDevice: link !== undefined
  }
}

/** `ip rule`: list, add, del and flush (ip-rule.ts). */
function runRule(ns: Netns, args: string[], family: IpFamily): CommandOutput {
  const word = args[0]
  const sub = verbOf('rule', word)
  if (family === 'inet6') return runIpv6Rule(ns, sub, args.slice(1))
  if (family === 'link')
    return fail('RTNETLINK answers: Address family not supported by protocol\nDump terminated\n', 255)
  if (sub !== 'show' && sub !== 'add' && sub !== 'delete' && sub !== 'flush')
    return unknownVerb('rule', word!, sub, ['show', 'list', 'add', 'del', 'flush'])
  return runRuleCommand(ns, sub, args.slice(1))
}

function runLink(ctx: CommandContext, ns: Netns, args: string[], o: ShowOptions): CommandOutput {
  const lab = ctx.lab as Lab
  const sub = verbOf('link', args[0])
  if (sub === 'show') {
    const { links, error } = listedLinks(ns, args.slice(1))
    if (error) return error
    return ok(showLinks(lab, ns, links!, o))
  }
  if (sub === 'set') return linkSet(ctx, ns, args.slice(1))
  if (sub === 'add') return linkAdd(lab, ns, args.slice(1))
  if (sub === 'delete') return linkDel(lab, ns, args.slice(1))
  return unknownVerb('link', args[0]!, sub, ['show', 'set', 'add', 'del'])
}

const wildcardDeletion = (address: string): string =>
  `Warning: Executing wildcard deletion to stay compatible with old scripts.
         Explicitly specify the prefix length (${address}/32) to avoid this warning.
         This special behaviour is likely to disappear in further releases,
         fix your scripts!
`

function runAddr(ctx: CommandContext, ns: Netns, args: string[], o: ShowOptions): CommandOutput {
  const lab = ctx.lab as Lab
  const sub = verbOf('addr', args[0])
  if (sub === 'show') {
    const { links, error, byDevice } = listedLinks(ns, args.slice(1))
    if (error) return error
    return ok(showAddrs(lab, ns, links!, o, byDevice === true))
  }
  if ((sub === 'add' || sub === 'delete') && (o.family === 'inet6' || args[1]?.includes(':') === true))
    return ipv6Unsimulated(`ip -6 addr ${sub}`)
  if (sub === 'add' || sub === 'delete') {
    const prefix = args[1]
    const devAt = args.indexOf('dev')
    const link = devAt === -1 ? undefined : linkByName(ns, args[devAt + 1] ?? '')
    const ip = prefix === undefined ? undefined : parseIpv4(prefix.split('/')[0]!)
    const len = prefix?.includes('/') ? Number(prefix.split('/')[1]) : 32
    if (ip === undefined || !(len >= 0 && len <= 32))
      return bad(`Error: any valid prefix is expected rather than "${prefix ?? ''}".`)
    if (!link)
      return bad(
        devAt === -1
          ? 'Not enough information: "dev" argument is required.'
          : `Cannot find device "${args[devAt + 1] ?? ''}"`
      )
    if (sub === 'add') {
      const scopeAt = args.indexOf('scope')
      const scope = scopeAt === -1 ? 'global' : args[scopeAt + 1]
      if (scope !== 'global' && scope !== 'link' && scope !== 'host')
        return invalidArgument(scope ?? '', 'invalid scope value.')
      // __inet_insert_ifa: the same address with another prefix length is another address.
      const assigned = ns.addresses.some(
        (a) => a.ifindex === link.ifindex && a.address === ip && a.prefixLen === len
      )
      if (assigned) return bad('Error: ipv4: Address already assigned.', 2)
      // Addresses of one subnet share a scope (__inet_insert_ifa).
      const primary = primaryFor(ns.addresses, { ifindex: link.ifindex, address: ip, prefixLen: len })
      if (primary && primary.scope !== scope) return bad('Error: ipv4: Invalid scope value.', 2)
      const brd = args.indexOf('brd') !== -1 ? args.indexOf('brd') : args.indexOf('broadcast')
      addAddress(ns, link.ifindex, ip, len, scope, brd !== -1 && args[brd + 1] === '+')
      return ok('')
    }
    // With a length iproute2 sends IFA_ADDRESS too, and the kernel then wants the same length.
    const lengthGiven = prefix?.includes('/') === true
    const existing = ns.addresses.find(
      (a) => a.ifindex === link.ifindex && a.address === ip && (!lengthGiven || a.prefixLen === len)
    )
    if (!existing) return bad('Error: ipv4: Address not found.', 2)
    deleteAddress(ns, existing)
    // Without a prefix length iproute2 sends none and the kernel takes the first address that matches.
    return lengthGiven ? ok('') : fail(wildcardDeletion(formatIpv4(ip)), 0)
  }
  return unknownVerb('addr', args[0]!, sub, ['show', 'add', 'del'])
}

function parseRouteSpec(
  ns: Netns,
  args: readonly string[]
): { route?: Route; error?: CommandOutput; table: RouteTable } {
  let table: RouteTable = 'main'
  let viaGiven = false
  const r: Partial<Route> & { onlink: boolean } = {
    onlink: false,
    proto: 'boot',
    scope: 'global',
    type: 'unicast'
  }
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    const v = args[i + 1]
    if (i === 0 && (w === 'unreachable' || w === 'blackhole' || w === 'prohibit')) {
      r.type = w
      continue
    }
    // iproute2 takes any prefix of `protocol` from `pro` on (`p` and `pr` are the metric's).
    switch (w.length >= 3 && 'protocol'.startsWith(w) ? 'proto' : w) {
      case 'via': {
        const gw = parseIpv4(v ?? '')
        if (gw === undefined)
          return { error: bad(`Error: inet address is expected rather than "${v ?? ''}".`), table }
        // A zero gateway is none, though the route keeps the scope a gateway gives it.
        if (gw !== 0) r.gateway = gw
        viaGiven = true
        i++
        break
      }
      case 'dev': {
        const link = linkByName(ns, v ?? '')
        if (!link) return { error: bad(`Cannot find device "${v ?? ''}"`), table }
        r.dev = link.ifindex
        i++
        break
      }
      case 'onlink':
        r.onlink = true
        break
      case 'proto': {
        const proto = parseRouteProto(v ?? '')
        if (proto === undefined)
          return { error: invalidArgument(v ?? '', '"protocol" value is invalid\n'), table }
        r.proto = proto
        i++
        break
      }
      case 'scope':
        if (v === 'link' || v === 'host' || v === 'global') r.scope = v
        i++
        break
      case 'src': {
        const src = parseIpv4(v ?? '')
        if (src !== undefined) r.src = src
        i++
        break
      }
      case 'metric':
        r.metric = Number(v)
        i++
        break
      case 'table': {
        const named = parseTable(v ?? '')
        if (named === undefined)
          return { error: invalidArgument(v ?? '', '"table" value is invalid\n'), table }
        table = named
        i++
        break
      }
      default: {
        const text = w === 'to' ? (args[++i] ?? '') : w
        if (r.dst)
          return { error: bad(`Error: either "to" is duplicate, or "${text}" is a garbage.`, 255), table }
        const dst = text === 'default' ? makeCidr(0, 0) : parseCidr(text)
        if (!dst) return { error: bad(`Error: any valid prefix is expected rather than "${text}".`), table }
        r.dst = dst
      }
    }
  }
  if (!r.dst) return { error: bad('Error: any valid prefix is expected rather than "".'), table }
  const reject = r.type !== 'unicast'
  if (r.gateway === undefined && r.dev === undefined && !reject)
    return { error: bad('Error: Device for nexthop is not up.', 2), table }
  if (r.gateway !== undefined && r.dev === undefined) {
    if (r.onlink) return { error: bad('Error: Nexthop device required for onlink.', 2), table }
    const via = gatewayRoute(ns, table, r.gateway)
    if ((via?.type !== 'unicast' && via?.type !== 'local') || via.dev === undefined)
      return { error: bad('Error: Nexthop has invalid gateway.', 2), table }
    r.dev = via.dev
  }
  if (!viaGiven && r.scope === 'global' && !reject) r.scope = 'link'
  return { route: { ...(r as Route), table }, table }
}

const GET_ERRORS = {
  ENETUNREACH: 'Network is unreachable',
  EHOSTUNREACH: 'No route to host',
  EACCES: 'Permission denied',
  EINVAL: 'Invalid argument'
} as const

/** iproute2 prints a mark below 16 in decimal and the rest in hex. */
const markText = (mark: number): string =>
  mark === 0 ? '' : ` mark ${mark < 16 ? mark : `0x${mark.toString(16)}`}`

/**
 * How `ip route get` names the table that answered: main goes unnamed, and so does local while
 * the rules were never changed (the kernel then looks local and main up as one table).
 */
function tableText(ns: Netns, r: Route): string {
  if (r.table === 'main' || (r.table === 'local' && ns.rules === undefined)) return ''
  return ` table ${r.table}`
}

/**
 * `ip route get DST [from SRC] [iif DEV] [oif DEV] [mark N]`. With `iif` the kernel resolves the
 * route a packet arriving on DEV would take (the forwarding path): no source is chosen and no
 * uid applies, and the cache line names the input device. With `oif` a failed lookup still
 * answers: the kernel takes the destination to be on that link.
 */
function routeGet(ns: Netns, args: readonly string[]): CommandOutput {
  const rest = [...args]
  const option = (word: string): string | undefined => {
    const i = rest.indexOf(word)
    return i === -1 ? undefined : rest.splice(i, 2)[1]
  }
  const from = option('from')
  const iifName = option('iif')
  const oifName = option('oif')
  const markArg = option('mark')
  const target = rest.find((a) => a !== 'to')
  const dst = parseIpv4(target ?? '')
  if (dst === undefined) return bad(`Error: inet prefix is expected rather than "${target ?? ''}".`)
  const fromIp = from === undefined ? undefined : parseIpv4(from)
  if (from !== undefined && fromIp === undefined)
    return bad(`Error: inet prefix is expected rather than "${from}".`)
  const mark = markArg === undefined ? 0 : parseU32(markArg)
  if (mark === undefined) return invalidArgument(markArg ?? '', 'invalid mark value')
  const iif = iifName === undefined ? undefined : linkByName(ns, iifName)
  if (iifName !== undefined && !iif) return bad(`Cannot find device "${iifName}"`)
  const oif = oifName === undefined ? undefined : linkByName(ns, oifName)
  if (oifName !== undefined && !oif) return bad(`Cannot find device "${oifName}"`)
  const fromText = fromIp === undefined ? '' : ` from ${formatIpv4(fromIp)}`
  const flow = {
    dst,
    src: fromIp ?? 0,
    mark,
    iif: iif?.name ?? 'lo',
    ...(oif ? { oif: oif.name } : {})
  }
  const found = lookupFlow(ns, flow)
  const errno = routeErrno(found)
  if (iif) {
    // ip_route_input_slow: a packet from 0.0.0.0 is a martian; one to forward needs forwarding on.
    if (fromIp === undefined || fromIp === 0) return bad(`RTNETLINK answers: ${GET_ERRORS.EINVAL}`, 2)
    if (errno !== undefined || !found)
      return bad(`RTNETLINK answers: ${GET_ERRORS[errno ?? 'ENETUNREACH']}`, 2)
    const r = found
    if (r.type === 'unicast' && interfaceConf(ns, iif, 'forwarding') !== '1')
      return bad(`RTNETLINK answers: ${GET_ERRORS.EHOSTUNREACH}`, 2)
    const dev = r.type === 'local' ? 'lo' : linkByIndex(ns, r.dev!)!.name
    const via = r.gateway !== undefined ? ` via ${formatIpv4(r.gateway)}` : ''
    return ok(
      `${r.type === 'local' ? 'local ' : ''}${formatIpv4(dst)}${fromText}${via} dev ${dev}${tableText(ns, r)}${markText(mark)} \n    cache ${r.type === 'local' ? '<local> ' : ''}iif ${iif.name} \n`
    )
  }
  const r: Route | undefined =
    errno === undefined
      ? found
      : oif
        ? {
            table: 'main',
            type: 'unicast',
            dst: makeCidr(dst, 32),
            dev: oif.ifindex,
            proto: 'boot',
            scope: 'link',
            onlink: false
          }
        : undefined
  if (!r || r.dev === undefined) return bad(`RTNETLINK answers: ${GET_ERRORS[errno ?? 'ENETUNREACH']}`, 2)
  if (r.type === 'local')
    return ok(
      `local ${formatIpv4(dst)}${fromText} dev lo${tableText(ns, r)}${fromIp === undefined ? ` src ${formatIpv4(r.src ?? dst)}` : ''}${markText(mark)} uid 0 \n    cache <local> \n`
    )
  const dev = linkByIndex(ns, r.dev)!
  const src = fromIp === undefined ? pickSource(ns, r, dst) : undefined
  const broadcast = r.type === 'broadcast'
  // rt_set_nexthop keeps a gateway only of link scope: one that is the host's own address has
  // host scope, so the packet goes to the device unrouted, and out of lo that is delivery here.
  const via = r.gateway !== undefined && (r.onlink || !isLocalAddress(ns, r.gateway)) ? r.gateway : undefined
  const flags = broadcast ? '<local,brd> ' : dev.kind === 'loopback' ? '<local> ' : ''
  return ok(
    `${broadcast ? 'broadcast ' : ''}${formatIpv4(dst)}${fromText}${via !== undefined ? ` via ${formatIpv4(via)}` : ''} dev ${dev.name}${tableText(ns, r)}${src !== undefined ? ` src ${formatIpv4(src)}` : ''}${markText(mark)} uid 0 \n    cache ${flags}\n`
  )
}

/** A table `ip route show|flush` may read: main and local always, others once a route made them. */
function tableExists(ns: Netns, table: RouteTable): boolean {
  return table === 'main' || table === 'local' || (ns.tables?.includes(table) ?? false)
}

/**
 * Every table in the kernel's dump order: by the id's low byte (its hash bucket), and within a
 * bucket the newest first.
 */
function tablesInDumpOrder(ns: Netns): RouteTable[] {
  const made: RouteTable[] = [...(ns.tables ?? []), 'main', 'local']
  return made
    .map((t, i) => ({ t, i }))
    .sort((a, b) => (tableId(a.t) & 255) - (tableId(b.t) & 255) || b.i - a.i)
    .map(({ t }) => t)
}

const NO_TABLE = (what: 'Dump' | 'Flush'): CommandOutput =>
  fail(`Error: ipv4: FIB table does not exist.\n${what} terminated\n`, 2)

/** Without a family, a `table all` listing is of every family: IPv4's tables, then IPv6's. */
function routeShow(lab: Lab, ns: Netns, rest: string[], family: IpFamily): CommandOutput {
  const world = lab.netns
  const filter = parseRouteFilter(ns, rest)
  if ('exitCode' in filter) return filter
  const { table } = filter
  if (table === 'all') {
    const v4 = tablesInDumpOrder(ns)
      .map((each) => showRoutes(world, ns, each, filter, true))
      .join('')
    const v6 = family === 'any' && !filter.root && !filter.match && !filter.via && !filter.src
    return ok(v6 ? v4 + ipv6RouteListing(lab, ns, rest).stdout : v4)
  }
  if (!tableExists(ns, table)) return NO_TABLE('Dump')
  return ok(showRoutes(world, ns, table, filter))
}

const ROUTE_TYPES: readonly RouteType[] = [
  'unicast',
  'local',
  'broadcast',
  'unreachable',
  'blackhole',
  'prohibit'
]

const ROUTE_SIMULATED = ['show', 'get', 'add', 'del', 'replace', 'flush table']

/** `ip route flush table T`: every route of the table goes. */
function routeFlush(ns: Netns, word: string, rest: readonly string[]): CommandOutput {
  const name = rest[0] === 'table' ? rest[1] : undefined
  if (name === undefined || rest.length !== 2) return unknownVerb('route', word, 'flush', ROUTE_SIMULATED)
  const table = parseTable(name)
  if (table === undefined) return invalidArgument(name, 'table id value is invalid\n')
  if (!tableExists(ns, table)) return NO_TABLE('Flush')
  const gone = ns.routes.filter((r) => r.table === table)
  ns.routes = ns.routes.filter((r) => r.table !== table)
  announceRoutes(ns.netlink, 'del', gone)
  return ok('')
}

function runRoute(ctx: CommandContext, ns: Netns, args: string[], family: IpFamily): CommandOutput {
  const sub = verbOf('route', args[0])
  // iproute2 reads the family off the first address written when none was asked for.
  const ipv6Written =
    family === 'any' && args.slice(1).some((a) => parseIpv6(a.split(/[%/]/)[0]!) !== undefined)
  if (family === 'inet6' || ipv6Written) return runIpv6Route(ctx.lab as Lab, ns, sub, args.slice(1))
  if (family === 'link' && sub === 'show') return ok('')
  if (sub === 'show') return routeShow(ctx.lab as Lab, ns, args.slice(1), family)
  if (sub === 'get') return routeGet(ns, args.slice(1))
  if (sub === 'flush') return routeFlush(ns, args[0]!, args.slice(1))
  if (sub === 'add' || sub === 'delete' || sub === 'replace') {
    if (sub === 'delete') {
      const spec = args.slice(1)
      // A type before the prefix must match too (fib_table_delete).
      const type = ROUTE_TYPES.find((t) => t === spec[0])
      if (type !== undefined) spec.shift()
      const text = spec[0] === 'to' ? spec[1] : spec[0]
      const dst = text === 'default' ? makeCidr(0, 0) : parseCidr(text ?? '')
      if (!dst) return bad(`Error: any valid prefix is expected rather than "${text ?? ''}".`)
      const via = spec.indexOf('via')
      const devAt = spec.indexOf('dev')
      const dev = devAt === -1 ? undefined : linkByName(ns, spec[devAt + 1] ?? '')
      if (devAt !== -1 && !dev) return bad(`Cannot find device "${spec[devAt + 1] ?? ''}"`)
      const tableAt = spec.indexOf('table')
      const table = tableAt === -1 ? 'main' : parseTable(spec[tableAt + 1] ?? '')
      if (table === undefined) return invalidArgument(spec[tableAt + 1] ?? '', '"table" value is invalid\n')
      const res = deleteRoute(
        ns,
        dst,
        table,
        via === -1 ? undefined : parseIpv4(spec[via + 1] ?? ''),
        dev?.ifindex,
        type
      )
      return res.ok ? ok('') : bad(res.message, 2)
    }
    const { route, error } = parseRouteSpec(ns, args.slice(1))
    if (error) return error
    if (sub === 'replace') deleteRoute(ns, route!.dst, route!.table)
    const res = addRoute(ns, route!)
    return res.ok ? ok('') : bad(res.message, 2)
  }
  return unknownVerb('route', args[0]!, sub, ROUTE_SIMULATED)
}

function runNeigh(ctx: CommandContext, ns: Netns, args: string[], family: IpFamily): CommandOutput {
  const lab = ctx.lab as Lab
  const sub = verbOf('neigh', args[0])
  if (family === 'inet6' || (family === 'link' && sub === 'show')) return runIpv6Neigh(ns, sub, args.slice(1))
  if (sub === 'show') {
    const filter = parseNeighbourFilter(ns, args.slice(1), 'show')
    return 'exitCode' in filter ? filter : ok(showNeighbours(ns, filter))
  }
  if (sub === 'flush') {
    if (args.length < 2) return bad('Flush requires arguments.')
    const filter = parseNeighbourFilter(ns, args.slice(1), 'flush')
    if ('exitCode' in filter) return filter
    ns.neighbours = ns.neighbours.filter((n) => !neighbourSelected(filter, n))
    return ok('')
  }
  if (sub !== 'delete' && sub !== 'add' && sub !== 'replace' && sub !== 'change')
    return unknownVerb('neigh', args[0]!, sub, ['show', 'flush', 'add', 'del', 'replace', 'change'])
  const devAt = args.indexOf('dev')
  const devName = devAt === -1 ? undefined : args[devAt + 1]
  const link = devName === undefined ? undefined : linkByName(ns, devName)
  if (devName !== undefined && !link) return bad(`Cannot find device "${devName}"`)
  const ip = parseIpv4(args[1] ?? '')
  if (ip === undefined) return bad(`Error: inet address is expected rather than "${args[1] ?? ''}".`)
  if (!link) return bad('Device and destination are required arguments.')
  if (sub === 'delete')
    return deleteNeighbour(ns, link.ifindex, ip)
      ? ok('')
      : bad('RTNETLINK answers: No such file or directory', 2)
  const macAt = args.indexOf('lladdr')
  const mac = macAt === -1 ? undefined : parseMac(args[macAt + 1] ?? '')
  if (macAt !== -1 && !mac) return bad(`"${args[macAt + 1] ?? ''}" is invalid lladdr.`)
  const nudAt = args.indexOf('nud')
  const nud = nudAt === -1 ? 'PERMANENT' : NUD_NAMES[args[nudAt + 1] ?? '']
  if (nud === undefined) return invalidArgument(args[nudAt + 1] ?? '', 'nud state is bad')
  const state = nud === 'PERMANENT' || nud === 'STALE' || nud === 'NOARP' ? nud : 'REACHABLE'
  if (sub === 'add' && ns.neighbours.some((n) => n.ifindex === link.ifindex && n.ip === ip))
    return bad('RTNETLINK answers: File exists', 2)
  setNeighbour(ns, link.ifindex, ip, mac, state, lab.clock.nowMs).state = state
  return ok('')
}

export const ipCommand: Command = {
  name: 'ip',
  summary: 'show and change links, addresses, routes and neighbours (iproute2)',
  subcommands: ['addr', 'link', 'route', 'neigh', 'rule', 'netns', 'monitor'],
  run(argv, ctx) {
    const ns = nsOf(ctx)
    const o: ShowOptions = { details: false, brief: false, stats: false, family: 'any' }
    let i = 0
    for (; i < argv.length; i++) {
      const a = argv[i]!
      if (!a.startsWith('-')) break
      if (a === '-d' || a === '-details') o.details = true
      else if (a === '-br' || a === '-brief') o.brief = true
      else if (a === '-s' || a === '-stats' || a === '-statistics') o.stats = true
      else if (a === '-4') o.family = 'inet'
      else if (a === '-6') o.family = 'inet6'
      else if (a === '-0') o.family = 'link'
      else if (a.length >= 2 && '-family'.startsWith(a)) {
        const name = argv[++i]
        if (name === undefined) return fail(IP_USAGE, 255)
        const family = FAMILIES[name]
        if (family === undefined) return invalidArgument(name, 'invalid protocol family')
        if (family === 'unsimulated')
          return bad(
            `Podnet Lab does not simulate "ip -f ${name}"; it lists the families inet, inet6 and link.`,
            255
          )
        o.family = family
      } else if (a === '-n' || a === '-netns') {
        const name = argv[i + 1] ?? ''
        const there = namedNetns(ctx, name)
        if (!there) return bad(`Cannot open network namespace "${name}": No such file or directory`, 255)
        return execIn(ctx, there, ['ip', ...argv.slice(0, i), ...argv.slice(i + 2)])
      } else if (a === '-h' || a === '-help') return fail(IP_USAGE, 255)
      else return bad(`Option "${a}" is unknown, try "ip -help".`, 255)
    }
    const objName = argv[i]
    if (objName === undefined) return fail(IP_USAGE, 255)
    if (isMonitor(objName)) return monitorAtOnce(argv.slice(i + 1))
    const obj = OBJECTS[objName]
    if (!obj) return bad(`Object "${objName}" is unknown, try "ip help".`, 255)
    const rest = argv.slice(i + 1)
    switch (obj) {
      case 'link':
        return runLink(ctx, ns, rest, o)
      case 'addr':
        return runAddr(ctx, ns, rest, o)
      case 'route':
        return runRoute(ctx, ns, rest, o.family)
      case 'neigh':
        return runNeigh(ctx, ns, rest, o.family)
      case 'netns':
        return runNetns(ctx, ns, rest)
      case 'rule':
        return runRule(ns, rest, o.family)
    }
  },
  spawn(argv, ctx, io) {
    // `ip -n NS monitor` listens in NS; any other option leaves it to run().
    const inNetns = argv[0] === '-n' || argv[0] === '-netns'
    const objName = inNetns ? argv[2] : argv[0]
    if (objName === undefined || !isMonitor(objName)) return ipCommand.run(argv, ctx)
    if (!inNetns) return monitorNetlink(argv.slice(1), ctx, io)
    const there = namedNetns(ctx, argv[1] ?? '')
    if (!there) return ipCommand.run(argv, ctx)
    return monitorNetlink(argv.slice(3), { ...ctx, target: targetIn(ctx, there) }, io)
  }
}
