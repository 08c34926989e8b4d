import { ApiError } from '../../api/envelope.ts'
import { reason } from '../../api/error-reasons.ts'
import { curlRequest } from '../engine/http-request.ts'
import { sendTrace, sourceNetns } from '../engine/probe.ts'
import type { NetfilterDetail, ProbeSpec, Trace } from '../engine/trace.ts'
import { endpointsOf } from '../kube/endpoints.ts'
import type { Lab } from '../kube/lab.ts'
import { formatIptRule } from '../linux/iptables-rule.ts'
import { normaliseSysctlKey, readSysctl } from '../linux/sysctl.ts'
import { formatCidr } from '../net/cidr.ts'
import { formatIpv4, parseIpv4 } from '../net/ipv4.ts'
import { buildLab } from '../scenario/build-lab.ts'
import { LabShell } from '../shell/lab-shell.ts'
import type { LoadedLesson } from './course-loader.ts'
import { LessonTerminals } from './lesson-terminals.ts'
import type { HopFacts, LabFacts, LabSession, LinkFacts, NeighbourFacts, TraceFacts } from './lab-facts.ts'
import type { TraceSpec } from './lesson.schema.ts'

/**
 * The lesson core's view of the sim core: `LabFacts` over a `Lab`, `TraceFacts` from an engine
 * `Trace`, and a `LabSession` (lab + shell) for the checker. The service uses the same
 * functions to build the `sim.*` events it sends to a lesson actor.
 */

/**
 * A frozen copy of what goals can ask about. Frozen because events carrying it may be replayed
 * later (the checker's graph search) while the live lab has moved on.
 */
export function labFacts(lab: Lab): LabFacts {
  const links = new Map<string, 'up' | 'down'>()
  const linkFacts = new Map<string, LinkFacts>()
  const neighbours = new Map<string, NeighbourFacts[]>()
  const fdb = new Map<string, { mac: string; dst?: string }[]>()
  const routes = new Map<string, { destination: string; via?: string }[]>()
  for (const ns of lab.netns.values()) {
    for (const link of ns.links) {
      const id = `${ns.id}/${link.name}`
      links.set(id, link.up ? 'up' : 'down')
      const master = ns.links.find((other) => other.ifindex === link.master)?.name
      linkFacts.set(id, {
        type: link.kind,
        ...(master === undefined ? {} : { master }),
        addresses: ns.addresses
          .filter((a) => a.ifindex === link.ifindex)
          .map((a) => `${formatIpv4(a.address)}/${a.prefixLen}`),
        mtu: link.mtu
      })
      neighbours.set(
        id,
        ns.neighbours
          .filter((n) => n.ifindex === link.ifindex)
          .map((n) => ({
            address: formatIpv4(n.ip),
            ...(n.lladdr === undefined ? {} : { lladdr: n.lladdr }),
            state: n.state
          }))
      )
      // Learned entries older than the ageing time are gone for the kernel (and `bridge fdb show`).
      if (link.kind === 'bridge')
        fdb.set(
          id,
          link.fdb
            .filter((entry) => entry.permanent || lab.clock.nowMs - entry.updatedAt <= link.ageingTime * 1000)
            .map((entry) => ({ mac: entry.mac }))
        )
      if (link.kind === 'vxlan')
        fdb.set(
          id,
          link.fdb.map((entry) => ({ mac: entry.mac, dst: formatIpv4(entry.dst) }))
        )
    }
    const main = ns.routes.filter((route) => route.table === 'main')
    routes.set(
      ns.id,
      main.map((route) => ({
        destination: route.dst.prefixLen === 0 ? 'default' : formatCidr(route.dst),
        ...(route.gateway === undefined ? {} : { via: formatIpv4(route.gateway) })
      }))
    )
  }
  const sysctls = new Map(
    [...lab.netns.values()].map((ns) => [
      ns.id,
      { sysctl: { ...ns.sysctl }, links: ns.links.map((l) => ({ name: l.name, kind: l.kind })) }
    ])
  )
  const endpoints = new Map(
    lab.services.map((svc) => [
      svc.name,
      svc.ports.flatMap((port) =>
        endpointsOf(lab, svc, port).map((e) => ({ ip: formatIpv4(e.ip), port: e.port }))
      )
    ])
  )
  // Every shell line takes a snapshot, so rules are printed only when a goal asks. Rule objects
  // are immutable, and a chain kube-proxy shares between nodes is copied before anyone changes
  // it (`ownChain`), so only a node's own chains need their rule list copied here.
  const tables = new Map(
    [...lab.netns.values()].map((ns) => [
      ns.id,
      (['filter', 'nat', 'mangle'] as const).map((name) => ({
        name,
        chains: [...ns.netfilter[name].chains.values()].map((c) => ({
          name: c.name,
          rules: c.shared ? c.rules : [...c.rules]
        }))
      }))
    ])
  )
  const pods = new Set(lab.pods.map((pod) => pod.name))
  const netnsOf = (host: string): string => lab.pods.find((pod) => pod.name === host)?.netns ?? host
  return {
    linkState: (id) => links.get(id),
    podExists: (pod) => pods.has(pod),
    link: (id) => linkFacts.get(id),
    neighbours: (device) => neighbours.get(device),
    fdbEntries: (device) => fdb.get(device),
    routes: (host) => routes.get(netnsOf(host)),
    sysctl: (host, key) => {
      const view = sysctls.get(netnsOf(host))
      return view && readSysctl(view, normaliseSysctlKey(key))
    },
    iptablesRules: (host, table) =>
      tables
        .get(netnsOf(host))
        ?.find((t) => t.name === table)
        ?.chains.flatMap((c) => c.rules.map((rule) => formatIptRule(c.name, rule))),
    endpoints: (service) => endpoints.get(service)
  }
}

/** The engine wants an address; lessons may name a pod, node or external host instead. */
export function probeSpecOf(lab: Lab, spec: TraceSpec): ProbeSpec {
  const to =
    lab.pods.find((pod) => pod.name === spec.to)?.ip ??
    lab.nodes.find((node) => node.name === spec.to)?.ip ??
    lab.externalHosts.find((host) => host.name === spec.to)?.ip
  // The request names both ends; one the lab does not have is the caller's mistake, said as such.
  if (!sourceNetns(lab, spec.from)) {
    throw new ApiError(
      'invalid_input',
      `trace.from: this lab has no node, pod or host named "${spec.from}"`,
      {
        reason: reason('unknown_target', { name: spec.from })
      }
    )
  }
  if (to === undefined && parseIpv4(spec.to) === undefined) {
    throw new ApiError(
      'invalid_input',
      `trace.to: "${spec.to}" is neither a pod, node or host of this lab nor an IPv4 address`,
      { reason: reason('unknown_target', { name: spec.to }) }
    )
  }
  const wholeConnection = spec.protocol === 'tcp' && (spec.connection ?? 'http') === 'http'
  return {
    proto: spec.protocol,
    from: spec.from,
    to: to === undefined ? spec.to : formatIpv4(to),
    ...(spec.port === undefined ? {} : { port: spec.port }),
    ...(wholeConnection ? { payload: curlRequest(spec.to, spec.port ?? 80) } : {})
  }
}

/**
 * Whether two trace requests send the same packet into the lab: the same source namespace (a pod
 * or any of its containers), the same destination once names are resolved, the same protocol and
 * port (the engine's default filled in). Both must name things the lab has.
 */
export function sameProbe(lab: Lab, a: TraceSpec, b: TraceSpec): boolean {
  const [pa, pb] = [probeSpecOf(lab, a), probeSpecOf(lab, b)]
  const port = (probe: ProbeSpec): number | undefined =>
    probe.proto === 'icmp' ? undefined : (probe.port ?? 80)
  return (
    sourceNetns(lab, a.from) === sourceNetns(lab, b.from) &&
    pa.to === pb.to &&
    pa.proto === pb.proto &&
    port(pa) === port(pb)
  )
}

/**
 * What lessons check in a trace. Only the request's path counts: "delivered" means the request
 * reached its destination's local delivery, and predictions and pinned questions are about the
 * way there, not the reply.
 */
export function traceFactsOf(lab: Lab, spec: TraceSpec, trace: Trace): TraceFacts {
  const request = trace.hops.filter((hop) => hop.leg === 'request' || hop.leg === 'arp')
  const ownerOf = addressOwners(lab)
  const hops: HopFacts[] = request.flatMap((hop) => {
    if (hop.objectId === undefined) return []
    const facts: HopFacts = { device: hop.objectId, stage: hop.stage }
    const frame = hop.stage === 'link-xmit' ? hop.after : hop.stage === 'link-recv' ? hop.before : undefined
    if (frame?.eth && frame.ip)
      facts.addresses = {
        'src-mac': ownerOf(frame.eth.src),
        'src-ip': ownerOf(frame.ip.src),
        'dst-ip': ownerOf(frame.ip.dst)
      }
    return [facts]
  })
  const delivered = request.find((hop) => hop.leg === 'request' && hop.stage === 'local-deliver')
  const facts: TraceFacts = { spec, verdict: delivered ? 'delivered' : 'dropped', hops }
  if (delivered?.before?.ip) facts.arrivingTtl = delivered.before.ip.ttl
  // A REJECT is no silent drop: its hop answers with an ICMP error and names the reason there.
  const reasonOf = (hop: Trace['hops'][number]): string | undefined => {
    const reason = (hop.detail as { reason?: unknown } | undefined)?.reason
    return hop.drop ?? (hop.stage === 'icmp-error' && typeof reason === 'string' ? reason : undefined)
  }
  const stopped = request.find((hop) => reasonOf(hop) !== undefined)
  if (!delivered && stopped) facts.dropStage = reasonOf(stopped)!
  for (const hop of request) {
    if (hop.stage !== 'netfilter') continue
    const detail = hop.detail as NetfilterDetail | undefined
    const sep = detail?.hits.find((hit) => hit.chain.startsWith('KUBE-SEP-') && hit.target === 'DNAT')
    if (!sep || detail?.nat?.kind !== 'DNAT') continue
    const ip = detail.nat.to.split(':')[0]
    const pod = lab.pods.find((p) => formatIpv4(p.ip) === ip)
    facts.kubeSep = { chain: sep.chain, pod: pod?.name ?? ip ?? detail.nat.to }
    break
  }
  return facts
}

/** The interface (`node-1/eth0`) holding a MAC or IPv4 address, or the address itself if none does. */
function addressOwners(lab: Lab): (address: string) => string {
  const owners = new Map<string, string>()
  for (const ns of lab.netns.values()) {
    // A bridge takes the lowest MAC of its ports; the frames it sends carry it as the bridge's own.
    for (const link of ns.links)
      if (link.kind !== 'loopback' && (!owners.has(link.mac) || link.kind === 'bridge'))
        owners.set(link.mac, `${ns.id}/${link.name}`)
    for (const address of ns.addresses) {
      const link = ns.links.find((l) => l.ifindex === address.ifindex)
      if (link && link.kind !== 'loopback') owners.set(formatIpv4(address.address), `${ns.id}/${link.name}`)
    }
  }
  return (address) => owners.get(address) ?? address
}

/** A fresh lab for a lesson: its scenario built, its `setup:` lines applied, a terminal per target on top. */
export function openLessonLab(loaded: LoadedLesson): LabSession & { shell: LabShell } {
  const shell = new LabShell(buildLab(loaded.scenario))
  const problems = shell.applySetup()
  if (problems.length > 0) throw new Error(problems.map((p) => p.text).join('; '))
  const terminals = new LessonTerminals(shell)
  return {
    shell,
    exec(on, command) {
      return (
        terminals.run(on, command) ?? {
          output: `no node, pod, pod/container or external host named "${on}"\n`,
          exitCode: 127,
          jobsEnded: [],
          interrupted: false
        }
      )
    },
    trace(spec) {
      return traceFactsOf(shell.lab, spec, sendTrace(shell.lab, probeSpecOf(shell.lab, spec)))
    },
    facts() {
      return labFacts(shell.lab)
    }
  }
}
