import type { Lab } from '../kube/lab.ts'
import { RuleParser } from '../kube/iptables-writer.ts'
import { kubeProxyIptablesRules } from '../kube/kube-proxy-iptables.ts'
import { proxyModeOf } from '../kube/proxy-mode.ts'
import { installFlannelRules } from '../kube/flannel.ts'
import { lastNetpolState } from '../kube/kube-router-netpol.ts'
import { formatIptRuleSpec } from '../linux/iptables-rule.ts'
import { chainsInSaveOrder, type IptRule, type IptTableName } from '../linux/netfilter.ts'
import { linkByIndex, newNetns, type Netns } from '../linux/netns.ts'
import { forwardingConsequences, SYSCTL_DEFAULTS } from '../linux/sysctl.ts'
import { formatIpv4 } from '../net/ipv4.ts'
import type { LabHost, LabPlan } from './export-lab.ts'
import { addUnderlaySegment, cableToUnderlay, emptyLabHost, underlaySwitch } from './lab-host.ts'
import { formatNftTable } from '../linux/nft-format.ts'

/**
 * The simulator's built lab → the plan `podnet export-lab` renders: every namespace with its
 * links (MACs, names, MTUs and creation order, hence ifindexes, as the simulator has them),
 * addresses, routes, permanent neighbours, VXLAN FDB entries, sysctls, netfilter rules and
 * apps — so the real lab prints what the simulated one prints, up to what is random by nature.
 */

/** Remembers the line each rule was parsed from: kube-proxy's, flanneld's and kube-router's own input form. */
class RecordingParser extends RuleParser {
  readonly asWritten = new Map<string, string>()
  override rule(spec: string): IptRule {
    const r = super.rule(spec)
    const canonical = formatIptRuleSpec(r)
    if (!this.asWritten.has(canonical)) this.asWritten.set(canonical, spec)
    return r
  }
  override made(rule: IptRule, spec: () => string): IptRule {
    const canonical = formatIptRuleSpec(rule)
    if (!this.asWritten.has(canonical)) this.asWritten.set(canonical, spec())
    return rule
  }
}

/**
 * Lines as the components wrote them, keyed by the canonical (iptables-save) form, so that
 * the real lab gets them through iptables-restore in their own form and the kernel's
 * normalisation is what the comparison checks. Rules the learner's setup added fall back to
 * the canonical form.
 */
function asWrittenRules(lab: Lab): Map<string, string> {
  const rec = new RecordingParser()
  for (const node of lab.nodes) {
    if (proxyModeOf(lab, node) === 'iptables') kubeProxyIptablesRules(lab, node, rec)
    installFlannelRules(lab, node, newNetns(`${node.netns}-scratch`, 'node'), rec)
    const netpol = lastNetpolState(lab, node)
    if (netpol)
      for (const specs of [
        netpol.topJumps.map((j) => j.spec),
        ...netpol.topChains.values(),
        ...netpol.policyChains.values(),
        ...netpol.podChains.values()
      ])
        for (const spec of specs) rec.rule(spec)
  }
  return rec.asWritten
}

/**
 * `ipset restore` input in the form kube-router's buffer writes it: no bucketsize or initval,
 * which the kernel picks, so what it adds is what the comparison of `ipset save` checks.
 */
function ipsetRestoreText(ns: Netns): string | undefined {
  if (ns.ipsets.size === 0) return undefined
  const lines: string[] = []
  for (const set of ns.ipsets.values()) {
    const timeout = set.timeout === undefined ? '' : ` timeout ${set.timeout}`
    lines.push(`create ${set.name} ${set.type} family inet hashsize 1024 maxelem 65536${timeout}`)
    for (const key of set.nomatch ?? []) lines.push(`add ${set.name} ${key}${timeout} nomatch`)
    for (const key of set.entries) lines.push(`add ${set.name} ${key}${timeout}`)
  }
  return lines.join('\n') + '\n'
}

function restoreText(ns: Netns, table: IptTableName, asWritten: Map<string, string>): string | undefined {
  const t = ns.netfilter[table]
  const chains = chainsInSaveOrder(t)
  if (chains.every((c) => c.rules.length === 0 && c.policy !== undefined)) return undefined
  const lines = [`*${table}`]
  for (const c of chains) if (c.policy === undefined) lines.push(`:${c.name} - [0:0]`)
  for (const c of chains) {
    for (const r of c.rules) {
      const canonical = formatIptRuleSpec(r)
      lines.push(`-A ${c.name} ${asWritten.get(canonical) ?? canonical}`)
    }
  }
  lines.push('COMMIT')
  return lines.join('\n')
}

export function labPlanFromLab(lab: Lab): LabPlan {
  const asWritten = asWrittenRules(lab)
  const underlayName = lab.netns.has('underlay') ? 'underlay-switch' : 'underlay'
  const u = underlaySwitch(underlayName)
  const bridges = new Map<string, string>()
  for (const seg of lab.segments.values()) {
    const br = `br${bridges.size}`
    bridges.set(seg.id, br)
    addUnderlaySegment(u, br, seg.mtu ?? lab.scenario.cluster.mtu)
  }
  const hosts: LabHost[] = [u]
  const created = new Set<string>()

  for (const ns of lab.netns.values()) {
    const kind: LabHost['kind'] = ns.kind === 'router' ? 'external' : ns.kind === 'named' ? 'pod' : ns.kind
    const h = emptyLabHost(ns.id, kind)
    const name = (ifindex: number | undefined): string =>
      ifindex === undefined ? '?' : (linkByIndex(ns, ifindex)?.name ?? `if${ifindex}`)
    // The kernel numbers a peer namespace when a link into it appears; the simulator may number
    // lazily (on first print), so without its numbers use creation order, as the kernel would.
    const nsids = new Map(ns.peerNsids)
    for (const l of ns.links)
      if (l.kind === 'veth' && !nsids.has(l.peer.netns)) nsids.set(l.peer.netns, nsids.size)
    for (const [peer, id] of nsids) h.nsids.push([peer, id])
    // Writing ip_forward sets these by itself on the real side too; the script writes only the cause.
    const implied = forwardingConsequences(ns.sysctl['net.ipv4.ip_forward'] === '1')
    // A node's bridge-nf-call-iptables is written whatever its value (kubeadm's prerequisite,
    // /etc/sysctl.d), so the lab does not depend on the host's default for new namespaces.
    const written = (k: string): boolean => ns.kind === 'node' && k === 'net.bridge.bridge-nf-call-iptables'
    for (const [k, v] of Object.entries(ns.sysctl))
      if ((SYSCTL_DEFAULTS[k] !== v && implied[k] !== v) || written(k)) h.sysctls.push([k, v])
    for (const l of ns.links) {
      switch (l.kind) {
        case 'loopback':
          break
        case 'ether':
          cableToUnderlay(
            u,
            bridges.get(l.segment) ?? 'br0',
            l.mtu,
            { host: ns.id, name: l.name, mac: l.mac },
            lab.segments.get(l.segment)?.mtu
          )
          break
        case 'veth': {
          const peerNs = lab.netns.get(l.peer.netns)
          const peer = peerNs && linkByIndex(peerNs, l.peer.ifindex)
          if (!peerNs || !peer)
            throw new Error(`${ns.id}/${l.name}: veth peer ${l.peer.netns}/${l.peer.ifindex} missing`)
          // Each pair is created once, from the node side (the CNI plugin's peer ends in the pod).
          if (ns.kind === 'pod' && peerNs.kind !== 'pod') break
          if (created.has(`${ns.id}/${l.ifindex}`)) break
          created.add(`${peerNs.id}/${peer.ifindex}`)
          h.links.push({
            kind: 'veth',
            name: l.name,
            mac: l.mac,
            mtu: l.mtu,
            peer: { host: peerNs.id, name: peer.name, mac: peer.mac, mtu: peer.mtu }
          })
          break
        }
        case 'bridge':
          h.links.push({ kind: 'bridge', name: l.name, mac: l.mac, mtu: l.mtu })
          break
        case 'vxlan':
          h.links.push({
            kind: 'vxlan',
            name: l.name,
            vni: l.vni,
            ...(l.local === undefined ? {} : { local: formatIpv4(l.local) }),
            dev: name(l.dev),
            dstport: l.dstport,
            learning: l.learning,
            mac: l.mac,
            mtu: l.mtu
          })
          for (const f of l.fdb)
            h.fdb.push(
              `${f.mac} dev ${l.name} dst ${formatIpv4(f.dst)} self${f.permanent ? ' permanent' : ''}`
            )
          break
        case 'dummy':
          // kube-ipvs0 (IPVS mode): this kernel family has no dummy links in the lab's target
          // machines' guarantees; IPVS mode is checked against docs/networking-facts.md instead.
          throw new Error(
            `${ns.id}/${l.name}: IPVS mode cannot be exported: it needs the ip_vs and dummy kernel modules, which the lab does not assume (the conformance kernel has neither)`
          )
      }
      if (l.master !== undefined) h.masters.push([l.name, name(l.master)])
      if (l.brport?.hairpin) h.hairpin.push(l.name)
      if (l.up && l.kind !== 'loopback') h.up.push(l.name)
    }
    for (const a of ns.addresses) {
      const dev = name(a.ifindex)
      if (dev === 'lo' && formatIpv4(a.address) === '127.0.0.1') continue
      let text = `${formatIpv4(a.address)}/${a.prefixLen}`
      if (a.broadcast !== undefined) text += ` brd ${formatIpv4(a.broadcast)}`
      if (a.scope !== 'global') text += ` scope ${a.scope}`
      h.addresses.push(`${text} dev ${dev}`)
    }
    for (const r of ns.routes) {
      if (r.table !== 'main' || r.proto === 'kernel') continue
      const dst = r.dst.prefixLen === 0 ? 'default' : `${formatIpv4(r.dst.network)}/${r.dst.prefixLen}`
      let text = r.type === 'unicast' ? dst : `${r.type} ${dst}`
      if (r.gateway !== undefined) text += ` via ${formatIpv4(r.gateway)}`
      if (r.dev !== undefined) text += ` dev ${name(r.dev)}`
      if (r.onlink) text += ' onlink'
      if (r.proto !== 'boot') text += ` proto ${r.proto}`
      if (r.scope !== 'global' && r.type === 'unicast') text += ` scope ${r.scope}`
      if (r.src !== undefined) text += ` src ${formatIpv4(r.src)}`
      if (r.metric !== undefined) text += ` metric ${r.metric}`
      h.routes.push(text)
    }
    for (const n of ns.neighbours) {
      if (n.state !== 'PERMANENT' || !n.lladdr) continue
      h.neighbours.push(`${formatIpv4(n.ip)} lladdr ${n.lladdr} dev ${name(n.ifindex)} nud permanent`)
    }
    for (const table of ['mangle', 'nat', 'filter'] as const) {
      const text = restoreText(ns, table, asWritten)
      if (text) h.iptables.push({ table, restore: text })
    }
    const sets = ipsetRestoreText(ns)
    if (sets) h.ipsets = sets
    // kube-proxy's nftables table as the simulator holds it, in `nft list` form (nft -f reads it).
    if (ns.nft) h.nft = formatNftTable(ns.nft)
    const pod = lab.pods.find((p) => p.netns === ns.id && !p.hostNetwork)
    for (const s of ns.sockets) {
      // CoreDNS is no python app: the DNS conformance variant answers for it with dnsmasq.
      if (s.app === 'coredns') continue
      h.apps.push({ kind: s.app, port: s.port, podName: s.reply || pod?.name || ns.id })
    }
    hosts.push(h)
  }
  return { scenarioId: lab.scenario.id, seed: lab.scenario.cluster.seed, hosts }
}
