import { appendTo, type OwnedRules, type RuleParser } from './iptables-writer.ts'

/** What one controller owns in each iptables table the lab models. */
export interface OwnedTables {
  mangle: OwnedRules
  nat: OwnedRules
  filter: OwnedRules
}

/**
 * The chains kubelet (1.31) keeps on every node, whatever the proxy mode: KUBE-IPTABLES-HINT
 * tells containerised tools which iptables backend the node uses, KUBE-KUBELET-CANARY is the
 * empty chain whose disappearance tells kubelet the tables were flushed, and KUBE-FIREWALL
 * drops outside packets to 127.0.0.0/8 that `route_localnet` would otherwise let in.
 * They share kube-proxy's `KUBE-` prefix, so they are written with its full sync.
 */
export function addKubeletChains(t: OwnedTables, parser: RuleParser): void {
  appendTo(t.mangle, parser, 'KUBE-IPTABLES-HINT', '')
  for (const owned of [t.mangle, t.nat, t.filter]) appendTo(owned, parser, 'KUBE-KUBELET-CANARY', '')
  appendTo(
    t.filter,
    parser,
    'KUBE-FIREWALL',
    '-m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP'
  )
  // kubelet prepends these before kube-proxy starts; kube-proxy's own prepends then land above them.
  t.filter.append.push(
    { chain: 'INPUT', rule: parser.rule('-j KUBE-FIREWALL') },
    { chain: 'OUTPUT', rule: parser.rule('-j KUBE-FIREWALL') }
  )
}
