/**
 * `ip link add|set|del` (iproute2 6.1): the devices a learner wires a pod network from by hand
 * (veth pairs, bridges, VXLAN devices), with the kernel's and iproute2's own error texts.
 */
import type { CommandContext, CommandOutput } from '../command.ts'
import { fail, ok } from '../command.ts'
import type { Lab } from '../../kube/lab.ts'
import type { BridgeLink, Link, VethLink, VxlanLink } from '../../linux/link.ts'
import { adjustBridge, deleteLink, freshIfindex, moveLink, release } from '../../linux/link-ops.ts'
import { linkByIndex, linkByName, peerNsid, type Netns } from '../../linux/netns.ts'
import {
  addAddress,
  addLink,
  addLinkLocalOnCarrier,
  enslave,
  learnFromLinkUpFrames,
  setLinkUp
} from '../../linux/ops.ts'
import { renameInterfaceSysctls } from '../../linux/sysctl.ts'
import { ipv4, parseIpv4 } from '../../net/ipv4.ts'
import { macFromBytes, parseMac, type Mac } from '../../net/mac.ts'
import { bad, invalidArgument, parseInt32, parseU16, parseU32 } from './ip-errors.ts'
import { randomBytes } from '../../net/rng.ts'
import { namedNetns } from './ip-netns.ts'

const EXISTS = (): CommandOutput => bad('RTNETLINK answers: File exists', 2)
const NOT_SUPPORTED = (): CommandOutput => bad('RTNETLINK answers: Operation not supported', 2)

/** The vxlan driver's default MTU: VXLAN_HEADROOM below the underlay device, 1500 without one. */
const VXLAN_HEADROOM = 50

/** Linux's VXLAN port, which iproute2 warns about when `dstport` is left out. */
const KERNEL_VXLAN_PORT = 8472
const NO_DSTPORT = `vxlan: destination port not specified
Will use Linux kernel default (non-standard value)
Use 'dstport 4789' to get the IANA assigned value
Use 'dstport 0' to get default and quiet this message
`

const VXLAN_USAGE = `Usage: ... vxlan id VNI
\t\t[ { group | remote } IP_ADDRESS ]
\t\t[ local ADDR ]
\t\t[ ttl TTL ]
\t\t[ tos TOS ]
\t\t[ df DF ]
\t\t[ flowlabel LABEL ]
\t\t[ dev PHYS_DEV ]
\t\t[ dstport PORT ]
\t\t[ srcport MIN MAX ]
\t\t[ [no]learning ]
\t\t[ [no]proxy ]
\t\t[ [no]rsc ]
\t\t[ [no]l2miss ]
\t\t[ [no]l3miss ]
\t\t[ ageing SECONDS ]
\t\t[ maxaddress NUMBER ]
\t\t[ [no]udpcsum ]
\t\t[ [no]udp6zerocsumtx ]
\t\t[ [no]udp6zerocsumrx ]
\t\t[ [no]remcsumtx ] [ [no]remcsumrx ]
\t\t[ [no]external ] [ gbp ] [ gpe ]
\t\t[ [no]vnifilter ]

Where:\tVNI\t:= 0-16777215
\tADDR\t:= { IP_ADDRESS | any }
\tTOS\t:= { NUMBER | inherit }
\tTTL\t:= { 1..255 | auto | inherit }
\tDF\t:= { unset | set | inherit }
\tLABEL := 0-1048575
`

function randomMac(lab: Lab): Mac {
  return macFromBytes(randomBytes(lab.rng, 6))
}

/** The kernel's `veth%d`: the lowest number not taken in the namespace. */
function nextVethName(ns: Netns, taken: readonly string[] = []): string {
  for (let n = 0; ; n++) {
    const name = `veth${n}`
    if (!linkByName(ns, name) && !taken.includes(name)) return name
  }
}

function pushLink<T extends Link>(ns: Netns, link: Omit<T, 'ifindex' | 'stats' | 'txqlen'>): T {
  ns.nextIfindex = freshIfindex(ns)
  return addLink<T>(ns, { ...link, neverUp: true })
}

/** `ip link add [name] NAME type veth [peer [name] PEER]`: the peer is registered first. */
function addVeth(lab: Lab, ns: Netns, name: string | undefined, args: readonly string[]): CommandOutput {
  let peerName: string | undefined
  if (args[0] === 'peer') {
    peerName = args[1] === 'name' ? args[2] : args[1]
  }
  if (name !== undefined && linkByName(ns, name)) return EXISTS()
  if (peerName !== undefined && (linkByName(ns, peerName) || peerName === name)) return EXISTS()
  const peerFinal = peerName ?? nextVethName(ns, name === undefined ? [] : [name])
  const nameFinal = name ?? nextVethName(ns, [peerFinal])
  const peer = pushLink<VethLink>(ns, {
    kind: 'veth',
    name: peerFinal,
    mtu: 1500,
    mac: randomMac(lab),
    up: false,
    peer: { netns: ns.id, ifindex: 0 }
  })
  const link = pushLink<VethLink>(ns, {
    kind: 'veth',
    name: nameFinal,
    mtu: 1500,
    mac: randomMac(lab),
    up: false,
    peer: { netns: ns.id, ifindex: peer.ifindex }
  })
  peer.peer.ifindex = link.ifindex
  return ok('')
}

function addVxlan(lab: Lab, ns: Netns, name: string, args: readonly string[]): CommandOutput {
  let vni: number | undefined
  let dev: Link | undefined
  let dstport: number | undefined
  let local: number | undefined
  let learning = true
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!
    const v = args[i + 1] ?? ''
    if (w === 'id' || w === 'vni') {
      vni = parseU32(v)
      if (vni === undefined || vni >= 1 << 24) return invalidArgument(v, 'invalid id')
      i++
    } else if (w === 'dev') {
      dev = linkByName(ns, v)
      if (!dev) return bad(`Cannot find device "${v}"`, 255)
      i++
    } else if (w === 'dstport') {
      dstport = parseU16(v)
      if (dstport === undefined) return invalidArgument(v, 'dst port')
      i++
    } else if (w === 'local') {
      local = parseIpv4(v)
      if (local === undefined) return bad(`Error: any valid address is expected rather than "${v}".`)
      i++
    } else if (w === 'nolearning') learning = false
    else if (w === 'learning') learning = true
    else return fail(`vxlan: unknown command "${w}"?\n${VXLAN_USAGE}`, 1)
  }
  if (vni === undefined) return bad('vxlan: missing virtual network identifier')
  if (linkByName(ns, name)) return EXISTS()
  const port = dstport ?? KERNEL_VXLAN_PORT
  if (ns.links.some((l) => l.kind === 'vxlan' && l.vni === vni && l.dstport === port))
    return bad('Error: A VXLAN device with the specified VNI already exists.', 2)
  pushLink<VxlanLink>(ns, {
    kind: 'vxlan',
    name,
    mtu: dev === undefined ? 1500 : dev.mtu - VXLAN_HEADROOM,
    mac: randomMac(lab),
    up: false,
    vni,
    ...(local === undefined ? {} : { local }),
    dev: dev?.ifindex ?? 0,
    dstport: port,
    learning,
    ageing: 300,
    fdb: []
  })
  return dstport === undefined ? { stdout: '', stderr: NO_DSTPORT, exitCode: 0 } : ok('')
}

export function linkAdd(lab: Lab, ns: Netns, args: readonly string[]): CommandOutput {
  let name: string | undefined
  let i = 0
  for (; i < args.length && args[i] !== 'type'; i++) {
    const w = args[i]!
    if (w === 'name' || w === 'dev') name = args[++i]
    else if (name === undefined) name = w
    else return bad(`Error: either "dev" is duplicate, or "${w}" is a garbage.`, 255)
  }
  const type = args[i + 1]
  if (type === undefined) return bad('Not enough information: "type" argument is required')
  const rest = args.slice(i + 2)
  if (type === 'veth') return addVeth(lab, ns, name, rest)
  if (type !== 'bridge' && type !== 'vxlan') return bad('Error: Unknown device type.', 2)
  // Unnamed bridges and VXLAN devices get the kernel's `bridge%d` / `vxlan%d`; a name is required here.
  if (name === undefined) return bad('Not enough information: "dev" argument is required.')
  if (type === 'vxlan') return addVxlan(lab, ns, name, rest)
  if (linkByName(ns, name)) return EXISTS()
  const br = pushLink<BridgeLink>(ns, {
    kind: 'bridge',
    name,
    mtu: 1500,
    mac: randomMac(lab),
    up: false,
    fdb: [],
    ageingTime: 300,
    nextPortNo: 1
  })
  br.fdb.push({ mac: br.mac, port: br.ifindex, permanent: true, local: true, updatedAt: lab.clock.nowMs })
  return ok('')
}

export function linkDel(lab: Lab, ns: Netns, args: readonly string[]): CommandOutput {
  const rest = args[0] === 'dev' ? args.slice(1) : args
  const name = rest[0]
  if (name === undefined) return bad('Not enough information: "dev" argument is required.')
  const link = linkByName(ns, name)
  if (!link) return bad(`Cannot find device "${name}"`)
  if (link.kind === 'loopback' || link.kind === 'ether') return NOT_SUPPORTED()
  deleteLink(lab.netns, ns, link)
  return ok('')
}

/** A new MAC on a link: a bridge keeps it from then on; a port's bridge may follow it. */
function setAddress(ns: Netns, link: Link, mac: Mac): void {
  if (link.kind === 'bridge') {
    for (const e of link.fdb) if (e.port === link.ifindex && e.mac === link.mac) e.mac = mac
    link.macSet = true
  }
  const br = link.master === undefined ? undefined : linkByIndex(ns, link.master)
  if (br?.kind === 'bridge')
    for (const e of br.fdb) if (e.port === link.ifindex && e.mac === link.mac) e.mac = mac
  link.mac = mac
  if (br?.kind === 'bridge') adjustBridge(ns, br)
}

function setMtu(ns: Netns, link: Link, mtu: number): CommandOutput | undefined {
  if (mtu < 68) return bad('Error: mtu less than device minimum.', 2)
  if (mtu > 65535) return bad('Error: mtu greater than device maximum.', 2)
  link.mtu = mtu
  if (link.kind === 'bridge') link.mtuSet = true
  const br = link.master === undefined ? undefined : linkByIndex(ns, link.master)
  if (br?.kind === 'bridge') adjustBridge(ns, br)
  return undefined
}

/** 127.0.0.1 comes with lo's first up (inetdev on NETDEV_UP), as in a fresh `ip netns add`. */
function bringUp(lab: Lab, ns: Netns, link: Link): void {
  setLinkUp(ns, link, true)
  delete link.neverUp
  if (link.kind === 'loopback' && !ns.addresses.some((a) => a.ifindex === link.ifindex))
    addAddress(ns, link.ifindex, ipv4('127.0.0.1'), 8, 'host')
  addLinkLocalOnCarrier(lab.netns, ns, link, lab.clock.nowMs)
  learnFromLinkUpFrames(lab.netns, ns, link, lab.clock.nowMs)
}

/**
 * `ip link set [dev] X up|down|mtu N|address MAC|netns NS|master BR|nomaster|name NEW`.
 * iproute2 checks every argument before it sends one request; the kernel then moves the link,
 * changes address, MTU and name, the master, and last the up/down flag (do_setlink's order).
 */
export function linkSet(ctx: CommandContext, ns: Netns, args: readonly string[]): CommandOutput {
  const lab = ctx.lab as Lab
  const rest = [...args]
  if (rest[0] === 'dev') rest.shift()
  const name = rest.shift()
  if (!name) return bad('Not enough information: "dev" argument is required.')
  const link = linkByName(ns, name)
  if (!link) return bad(`Cannot find device "${name}"`)
  let up: boolean | undefined
  let mtu: number | undefined
  let mac: Mac | undefined
  let target: Netns | undefined
  let master: Link | null | undefined
  let newName: string | undefined
  while (rest.length > 0) {
    const word = rest.shift()!
    if (word === 'up' || word === 'down') up = word === 'up'
    else if (word === 'mtu') {
      const text = rest.shift() ?? ''
      mtu = parseInt32(text)
      if (mtu === undefined) return invalidArgument(text, 'Invalid "mtu" value\n')
    } else if (word === 'address') {
      const text = rest.shift() ?? ''
      mac = parseMac(text)
      if (!mac) return bad(`"${text}" is invalid lladdr.`)
    } else if (word === 'netns') {
      const text = rest.shift() ?? ''
      target = namedNetns(ctx, text)
      if (!target) return invalidArgument(text, 'Invalid "netns" value\n')
    } else if (word === 'master') {
      const text = rest.shift() ?? ''
      master = linkByName(ns, text)
      if (!master) return invalidArgument(text, 'Device does not exist\n')
    } else if (word === 'nomaster') master = null
    else if (word === 'name') newName = rest.shift()
    else return invalidArgument(word, 'Unknown link attribute')
  }
  let home = ns
  if (target && target !== ns) {
    moveLink(lab.netns, ns, link, target)
    home = target
    if (link.kind === 'veth' && link.peer.netns !== target.id) {
      const peerNs = lab.netns.get(link.peer.netns)
      peerNsid(target, link.peer.netns)
      if (peerNs) peerNsid(peerNs, target.id)
    }
  }
  if (mac !== undefined) setAddress(home, link, mac)
  if (mtu !== undefined) {
    const error = setMtu(home, link, mtu)
    if (error) return error
  }
  if (newName !== undefined && newName !== link.name) {
    if (linkByName(home, newName)) return EXISTS()
    if (link.up) return bad('RTNETLINK answers: Device or resource busy', 2)
    renameInterfaceSysctls(home, link.name, newName)
    link.name = newName
  }
  if (master === null) release(home, link)
  else if (master !== undefined && link.master !== master.ifindex) {
    // do_set_master leaves the old master before it asks the new one, which may refuse.
    release(home, link)
    if (master.kind !== 'bridge') return NOT_SUPPORTED()
    enslave(link, master, lab.clock.nowMs)
    adjustBridge(home, master)
    if (link.up) {
      addLinkLocalOnCarrier(lab.netns, home, link, lab.clock.nowMs)
      learnFromLinkUpFrames(lab.netns, home, link, lab.clock.nowMs)
    }
  }
  if (up === true) bringUp(lab, home, link)
  else if (up === false) setLinkUp(home, link, false)
  return ok('')
}
