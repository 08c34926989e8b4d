/**
 * `bridge` (iproute2 6.1): `fdb show [br X] [dev X]`, `fdb del MAC dev X [master|self]`,
 * `fdb add|append|replace MAC dev VXLAN dst IP [permanent|static|dynamic]`,
 * `[-d] link show [dev X]`, `link set dev X hairpin on|off|learning on|off`.
 */
import type { Command, CommandContext, CommandOutput } from '../command.ts'
import { fail, ok } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import type { BridgeLink, Link, VxlanFdbEntry } from '../../linux/link.ts'
import { linkByIndex, linkByName, type Netns } from '../../linux/netns.ts'
import { formatIpv4, parseIpv4, type Ipv4 } from '../../net/ipv4.ts'
import { parseMac } from '../../net/mac.ts'
import { hasIpv6, linkFlags, operState } from './link-view.ts'

const bad = (msg: string, code = 1): CommandOutput => fail(`${msg}\n`, code)

/**
 * Multicast addresses the kernel adds to a link's own address list (IPv6 all-nodes, IPv4
 * all-hosts, the solicited-node group of its link-local address; a bridge with multicast
 * snooping also joins the all-snoopers groups): `bridge fdb` lists them as `self permanent`.
 */
function multicastEntries(link: Link): string[] {
  if (!hasIpv6(link) || link.kind === 'vxlan' || link.kind === 'loopback') return []
  const tail = link.mac.split(':').slice(3).join(':')
  if (link.kind === 'bridge')
    return [
      '33:33:00:00:00:01',
      '01:00:5e:00:00:6a',
      '33:33:00:00:00:6a',
      '01:00:5e:00:00:01',
      `33:33:ff:${tail}`
    ]
  return ['33:33:00:00:00:01', '01:00:5e:00:00:01', `33:33:ff:${tail}`]
}

/**
 * One link's entries. `dev NAME` names the entry's device unless the listing was already
 * filtered to one device (`dev`/`brport`), as iproute2's print_fdb leaves it out then.
 */
function fdbLines(lab: Lab, ns: Netns, link: Link, showDev: boolean): string[] {
  const out: string[] = []
  const now = lab.clock.nowMs
  const on = showDev ? ` dev ${link.name}` : ''
  if (link.kind === 'vxlan') {
    // The kernel keeps FDB entries on a list it adds to at the head: newest first.
    for (const e of [...link.fdb].reverse())
      out.push(
        `${e.mac}${on} dst ${formatIpv4(e.dst)} self${e.permanent ? ' permanent' : e.static ? ' static' : ' '}`
      )
    return out
  }
  const self = multicastEntries(link).map((m) => `${m}${on} self permanent`)
  if (link.kind === 'bridge') {
    out.push(...self)
    for (const e of link.fdb)
      if (e.port === link.ifindex) out.push(`${e.mac}${on} master ${link.name} permanent`)
    return out
  }
  if (link.master !== undefined) {
    const br = linkByIndex(ns, link.master) as BridgeLink | undefined
    if (br) {
      const live = [...br.fdb]
        .reverse()
        .filter((e) => e.port === link.ifindex && (e.permanent || now - e.updatedAt <= br.ageingTime * 1000))
      for (const e of live) out.push(`${e.mac}${on} master ${br.name}${e.permanent ? ' permanent' : ' '}`)
    }
  }
  out.push(...self)
  return out
}

function fdbShow(ctx: CommandContext, ns: Netns, args: readonly string[]): CommandOutput {
  const lab = ctx.lab as Lab
  let br: Link | undefined
  let dev: Link | undefined
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    if (w === 'br' || w === 'brport' || w === 'dev') {
      const name = args[++i] ?? ''
      const link = linkByName(ns, name)
      if (!link) return bad(`Cannot find ${w === 'br' ? 'bridge' : 'device'} "${name}"`)
      if (w === 'br') br = link
      else dev = link
    } else return bad(`Command "${w}" is unknown, try "bridge fdb help".`)
  }
  const lines: string[] = []
  for (const link of ns.links) {
    if (dev && link !== dev) continue
    if (br && link !== br && link.master !== br.ifindex) continue
    lines.push(...fdbLines(lab, ns, link, dev === undefined))
  }
  return ok(lines.map((l) => `${l}\n`).join(''))
}

function fdbDel(ns: Netns, args: readonly string[]): CommandOutput {
  const mac = parseMac(args[0] ?? '')
  const devAt = args.indexOf('dev')
  const dev = devAt === -1 ? undefined : linkByName(ns, args[devAt + 1] ?? '')
  // fdb_modify serves add and del alike: the same messages, and exit status 255.
  if (devAt === -1 || args[0] === undefined || args[0] === 'dev')
    return bad('Device and address are required arguments.', 255)
  if (!mac) return bad(`Invalid mac address ${args[0]}`, 255)
  if (!dev) return bad(`Cannot find device "${args[devAt + 1] ?? ''}"`, 255)
  if (dev.kind === 'vxlan') {
    const before = dev.fdb.length
    dev.fdb = dev.fdb.filter((e) => e.mac !== mac)
    return before === dev.fdb.length ? bad('RTNETLINK answers: No such file or directory', 255) : ok('')
  }
  const br =
    dev.kind === 'bridge'
      ? dev
      : dev.master === undefined
        ? undefined
        : (linkByIndex(ns, dev.master) as BridgeLink | undefined)
  if (!br || br.kind !== 'bridge') return bad('RTNETLINK answers: No such file or directory', 255)
  const before = br.fdb.length
  br.fdb = br.fdb.filter((e) => !(e.mac === mac && e.port === dev.ifindex))
  return before === br.fdb.length ? bad('RTNETLINK answers: No such file or directory', 255) : ok('')
}

/**
 * `bridge fdb add|append|replace MAC dev DEV dst IP [self] [permanent|static|dynamic]` on a
 * VXLAN device, as vxlan_fdb_update does it: `add` refuses an existing MAC, `replace` rewrites
 * its remote, and `append` adds remotes only to the all-zeros or multicast MAC, so on a
 * unicast MAC that exists it changes nothing. iproute2 6.1 asks for a permanent entry unless
 * told otherwise.
 */
function fdbModify(ns: Netns, verb: 'add' | 'append' | 'replace', args: readonly string[]): CommandOutput {
  let macText: string | undefined
  let devName: string | undefined
  let dstText: string | undefined
  let state: 'permanent' | 'static' | 'dynamic' = 'permanent'
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    if (w === 'dev') devName = args[++i]
    else if (w === 'dst') dstText = args[++i]
    else if (w === 'permanent' || w === 'local') state = 'permanent'
    else if (w === 'static' || w === 'temp') state = 'static'
    else if (w === 'dynamic') state = 'dynamic'
    else if (w === 'self' || w === 'master') continue
    else if (macText === undefined) macText = w
    else return bad(`Error: either "to" is duplicate, or "${w}" is a garbage.`, 255)
  }
  if (macText === undefined || devName === undefined)
    return bad('Device and address are required arguments.', 255)
  const mac = parseMac(macText)
  if (!mac) return bad(`Invalid mac address ${macText}`, 255)
  const dev = linkByName(ns, devName)
  if (!dev) return bad(`Cannot find device "${devName}"`, 255)
  if (dev.kind !== 'vxlan') return bad('RTNETLINK answers: Operation not supported', 255)
  if (dstText === undefined) return bad('RTNETLINK answers: Invalid argument', 255)
  const dst = parseIpv4Loose(dstText)
  if (dst === undefined) return bad(`Error: any valid address is expected rather than "${dstText}".`)
  const entry: VxlanFdbEntry = {
    mac,
    dst,
    permanent: state === 'permanent',
    ...(state === 'static' ? { static: true } : {})
  }
  const at = dev.fdb.findIndex((e) => e.mac === mac)
  if (at === -1) dev.fdb.push(entry)
  else if (verb === 'add') return bad('RTNETLINK answers: File exists', 255)
  else if (verb === 'replace') dev.fdb[at] = entry
  return ok('')
}

/** inet_pton as iproute2's get_addr uses it for `dst`: a short dotted quad fills the rest with zeros. */
function parseIpv4Loose(text: string): Ipv4 | undefined {
  if (!/^\d{1,3}(\.\d{1,3}){0,3}$/.test(text)) return undefined
  const parts = text.split('.').map(Number)
  if (parts.some((p) => p > 255)) return undefined
  while (parts.length < 4) parts.push(0)
  return parseIpv4(parts.join('.'))
}

function linkShow(ctx: CommandContext, ns: Netns, args: readonly string[], details: boolean): CommandOutput {
  const lab = ctx.lab as Lab
  const devAt = args.indexOf('dev')
  const only = devAt === -1 ? undefined : linkByName(ns, args[devAt + 1] ?? '')
  if (devAt !== -1 && !only) return bad(`Cannot find device "${args[devAt + 1] ?? ''}"`)
  const out: string[] = []
  for (const link of ns.links) {
    if (link.master === undefined || (only && link !== only)) continue
    const master = linkByIndex(ns, link.master)?.name ?? ''
    // iproute2 looks the peer's ifindex up in this namespace, whatever namespace the peer is in:
    // a pod's eth0 is ifindex 2 there, so a node prints the name of its own link 2 (`@eth0`).
    const peer =
      link.kind === 'veth' ? `@${linkByIndex(ns, link.peer.ifindex)?.name ?? `if${link.peer.ifindex}`}` : ''
    const state = operState(lab, ns, link) === 'UP' ? 'forwarding' : 'disabled'
    out.push(
      `${link.ifindex}: ${link.name}${peer}: <${linkFlags(lab, ns, link).join(',')}> mtu ${link.mtu} master ${master} state ${state} priority 32 cost 2 `
    )
    if (details) {
      const p = link.brport!
      out.push(
        `    hairpin ${p.hairpin ? 'on' : 'off'} guard off root_block off fastleave off learning ${p.learning ? 'on' : 'off'} flood ${p.flood ? 'on' : 'off'} mcast_flood on bcast_flood on mcast_router 1 mcast_to_unicast off neigh_suppress off vlan_tunnel off isolated off locked off `
      )
    }
  }
  return ok(out.map((l) => `${l}\n`).join(''))
}

function linkSet(ns: Netns, args: readonly string[]): CommandOutput {
  const devAt = args.indexOf('dev')
  const dev = devAt === -1 ? undefined : linkByName(ns, args[devAt + 1] ?? '')
  if (!dev)
    return bad(
      devAt === -1 ? 'Device is a required argument.' : `Cannot find device "${args[devAt + 1] ?? ''}"`
    )
  if (!dev.brport) return bad('RTNETLINK answers: Operation not supported', 2)
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    if (w === 'hairpin' || w === 'learning' || w === 'flood') {
      const v = args[++i]
      if (v !== 'on' && v !== 'off')
        return bad(`Error: argument of "${w}" must be "on" or "off", not "${v ?? ''}"`)
      dev.brport[w] = v === 'on'
    }
  }
  return ok('')
}

export const bridgeCommand: Command = {
  name: 'bridge',
  summary: 'show and change bridge ports and forwarding databases (iproute2)',
  subcommands: ['fdb', 'link'],
  availableOn: ['node', 'external'],
  run(argv, ctx) {
    const ns = (ctx.lab as Lab).netns.get(ctx.target.netns)!
    let i = 0
    let details = false
    for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
      if (argv[i] === '-d' || argv[i] === '-details') details = true
      else return bad(`Option "${argv[i]!}" is unknown, try "bridge help".`)
    }
    const obj = argv[i]
    const sub = argv[i + 1] ?? 'show'
    const rest = argv.slice(i + 2)
    if (obj === 'fdb') {
      if (sub === 'show' || sub === 'list' || sub === 'ls') return fdbShow(ctx, ns, rest)
      if (sub === 'del' || sub === 'delete') return fdbDel(ns, rest)
      if (sub === 'add' || sub === 'append' || sub === 'replace') return fdbModify(ns, sub, rest)
      return bad(`Command "${sub}" is unknown, try "bridge fdb help".`)
    }
    if (obj === 'link') {
      if (sub === 'show' || sub === 'list' || sub === 'ls') return linkShow(ctx, ns, rest, details)
      if (sub === 'set') return linkSet(ns, rest)
      return bad(`Command "${sub}" is unknown, try "bridge link help".`)
    }
    if (obj === undefined)
      return fail(
        'Usage: bridge [ OPTIONS ] OBJECT { COMMAND | help }\nwhere  OBJECT := { link | fdb | mdb | vlan | vni | monitor }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] |\n                    -o[neline] | -t[imestamp] | -n[etns] name |\n                    -com[pressvlans] -c[olor] -p[retty] -j[son] }\n',
        255
      )
    return bad(`Object "${obj}" is unknown, try "bridge help".`, 255)
  }
}
