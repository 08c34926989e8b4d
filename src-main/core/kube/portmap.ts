import { sha512 } from '@noble/hashes/sha2'
import { bytesToHex } from '@noble/hashes/utils'
import { formatIpv4 } from '../net/ipv4.ts'
import { appendTo, emptyOwned, installOwned, type OwnedRules, type RuleParser } from './iptables-writer.ts'
import type { Lab } from './lab.ts'
import type { KubeNode, KubePod } from './objects.ts'

/** The network name in k3s's flannel conflist, which portmap puts into every chain name and comment. */
const CNI_NETWORK = 'cbr0'
const DNAT = 'CNI-HOSTPORT-DNAT'
const SETMARK = 'CNI-HOSTPORT-SETMARK'
const MASQ = 'CNI-HOSTPORT-MASQ'
/** portmap's default markMasqBit 13: a bit of its own, apart from kube-proxy's 0x4000. */
const MASQ_MARK = '0x2000/0x2000'

/** `CNI-DN-` and SHA-512 of network name + container id, cut to iptables' 28 characters. */
export function portmapChainName(containerId: string): string {
  return `CNI-DN-${bytesToHex(sha512(new TextEncoder().encode(CNI_NETWORK + containerId)))}`.slice(0, 28)
}

/** The pods that map host ports, by node: one pass over the pods for every node's rules. */
function hostPortPodsByNode(lab: Lab): Map<string, KubePod[]> {
  const byNode = new Map<string, KubePod[]>()
  for (const p of lab.pods) {
    if (p.hostNetwork || !p.containers.some((c) => c.hostPort !== undefined)) continue
    const list = byNode.get(p.node)
    if (list) list.push(p)
    else byNode.set(p.node, [p])
  }
  return byNode
}

/**
 * The per-container chain portmap writes on CNI ADD: for every mapping, mark hairpin (the pod's
 * own subnet) and localhost sources for masquerade, then DNAT to the pod. Its entry in
 * CNI-HOSTPORT-DNAT matches the host ports with multiport, so other traffic skips the chain.
 */
function addPodChain(owned: OwnedRules, parser: RuleParser, node: KubeNode, pod: KubePod): void {
  const chain = portmapChainName(pod.sandboxId)
  const comment = `dnat name: \\"${CNI_NETWORK}\\" id: \\"${pod.sandboxId}\\"`
  const mappings = pod.containers.flatMap((c) =>
    c.hostPort === undefined || c.port === undefined ? [] : [{ hostPort: c.hostPort, port: c.port }]
  )
  // The pod's address with its subnet's length, as the CNI result carries it; iptables keeps the subnet.
  const hairpin = `${formatIpv4(pod.ip)}/${node.podCIDR.prefixLen}`
  appendTo(owned, parser, chain, '')
  for (const m of mappings) {
    const base = `-p tcp --dport ${m.hostPort}`
    appendTo(owned, parser, chain, `${base} -s ${hairpin} -j ${SETMARK}`)
    appendTo(owned, parser, chain, `${base} -s 127.0.0.1 -j ${SETMARK}`)
    appendTo(owned, parser, chain, `${base} -j DNAT --to-destination ${formatIpv4(pod.ip)}:${m.port}`)
  }
  const ports = mappings.map((m) => m.hostPort).join(',')
  const entry = `-m comment --comment "${comment}" -m multiport -p tcp --destination-ports ${ports} -j ${chain}`
  owned.chains.get(DNAT)!.unshift(parser.rule(entry))
}

/**
 * What the portmap CNI plugin has written on one node: nothing until the first pod with a
 * hostPort, then its three top-level chains (kept for good, as portmap never deletes them) and
 * one CNI-DN chain per pod that maps ports, the newest pod's entry first.
 */
function installPortmapRules(lab: Lab, node: KubeNode, pods: readonly KubePod[], parser: RuleParser): void {
  const ns = lab.netns.get(node.netns)!
  if (pods.length === 0 && !ns.netfilter.nat.chains.get(DNAT)) return
  const nat = emptyOwned()
  appendTo(nat, parser, DNAT, '')
  appendTo(
    nat,
    parser,
    SETMARK,
    `-m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark ${MASQ_MARK}`
  )
  appendTo(nat, parser, MASQ, `-m mark --mark ${MASQ_MARK} -j MASQUERADE`)
  for (const pod of pods) addPodChain(nat, parser, node, pod)
  const toDnat = parser.rule(`-m addrtype --dst-type LOCAL -j ${DNAT}`)
  nat.append.push({ chain: 'PREROUTING', rule: toDnat }, { chain: 'OUTPUT', rule: toDnat })
  nat.prepend.push({
    chain: 'POSTROUTING',
    rule: parser.rule(`-m comment --comment "CNI portfwd requiring masquerade" -j ${MASQ}`)
  })
  installOwned(ns.netfilter, 'nat', 'CNI-', nat)
}

/** portmap's state on every node, after a build or after pods came and went. */
export function syncPortmap(lab: Lab, parser: RuleParser): void {
  const byNode = hostPortPodsByNode(lab)
  for (const node of lab.nodes) installPortmapRules(lab, node, byNode.get(node.name) ?? [], parser)
}
