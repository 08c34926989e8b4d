import { endpointCache } from './endpoints.ts'
import { installFlannelRules } from './flannel.ts'
import { installOwned, RuleParser } from './iptables-writer.ts'
import {
  kubeProxyIptablesRules,
  kubeProxyRulesAreNodeIndependent,
  type KubeProxyRules
} from './kube-proxy-iptables.ts'
import { syncIpvs } from './kube-proxy-ipvs.ts'
import { syncNft } from './kube-proxy-nft.ts'
import { syncNetworkPolicies } from './kube-router-netpol.ts'
import type { Lab } from './lab.ts'
import { proxyModeOf } from './proxy-mode.ts'

/**
 * A full kube-proxy sync on every node (after a build or any change to pods or Services):
 * rewrites what kube-proxy owns in the node's netfilter / IPVS / nftables state.
 */
export function syncKubeProxy(lab: Lab, parser = new RuleParser()): void {
  let shared: KubeProxyRules | undefined
  const endpoints = endpointCache(lab)
  for (const node of lab.nodes) {
    const ns = lab.netns.get(node.netns)!
    if (proxyModeOf(lab, node) === 'iptables') {
      const rules = kubeProxyRulesAreNodeIndependent(lab)
        ? (shared ??= kubeProxyIptablesRules(lab, node, parser, endpoints))
        : kubeProxyIptablesRules(lab, node, parser, endpoints)
      installOwned(ns.netfilter, 'mangle', 'KUBE-', rules.mangle)
      installOwned(ns.netfilter, 'nat', 'KUBE-', rules.nat)
      installOwned(ns.netfilter, 'filter', 'KUBE-', rules.filter)
    } else if (proxyModeOf(lab, node) === 'ipvs') {
      syncIpvs(lab, node, ns, parser, endpoints)
    } else {
      syncNft(lab, node, ns, endpoints)
    }
  }
  // kube-proxy's restore replaces every KUBE- chain it sees; kube-router resyncs on the same
  // pod and Service events, so its chains are written again after kube-proxy's.
  syncNetworkPolicies(lab, parser)
}

/** flanneld's iptables rules on every node. */
export function syncFlannelRules(lab: Lab, parser = new RuleParser()): void {
  for (const node of lab.nodes) installFlannelRules(lab, node, lab.netns.get(node.netns)!, parser)
}
