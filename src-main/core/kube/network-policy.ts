import type { NetworkPolicySpec } from '../scenario/scenario.schema.ts'
import type { Lab } from './lab.ts'
import type { KubeLabelSelector, KubeNetworkPolicy, KubeNetworkPolicyPeer, KubePod } from './objects.ts'

/** The object the apiserver stores for a spec: policyTypes defaulted as its defaulting does. */
export function networkPolicyFromSpec(spec: NetworkPolicySpec, createdAt: number): KubeNetworkPolicy {
  const policyTypes = spec.policyTypes ?? (spec.egress === undefined ? ['Ingress'] : ['Ingress', 'Egress'])
  return {
    name: spec.name,
    namespace: spec.namespace,
    podSelector: spec.podSelector,
    policyTypes: [...policyTypes],
    ...(spec.ingress === undefined ? {} : { ingress: spec.ingress }),
    ...(spec.egress === undefined ? {} : { egress: spec.egress }),
    createdAt
  }
}

/** metav1.LabelSelectorAsSelector: every matchLabels pair and every expression must hold. */
export function selectorMatches(sel: KubeLabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key)
    const value = labels[e.key]
    const inValues = has && (e.values ?? []).includes(value!)
    const ok =
      e.operator === 'In'
        ? inValues
        : e.operator === 'NotIn'
          ? !inValues
          : e.operator === 'Exists'
            ? has
            : !has
    if (!ok) return false
  }
  return true
}

/**
 * The lab keeps no Namespace objects: a namespace carries only the label the apiserver gives
 * every namespace, `kubernetes.io/metadata.name`, which is what namespaceSelectors match.
 */
export function namespaceLabels(namespace: string): Record<string, string> {
  return { 'kubernetes.io/metadata.name': namespace }
}

/** Pods a NetworkPolicy peer names (podSelector within the policy's namespace, or across namespaceSelector's). */
export function peerPods(lab: Lab, policy: KubeNetworkPolicy, peer: KubeNetworkPolicyPeer): KubePod[] {
  if (peer.namespaceSelector) {
    const nsSel = peer.namespaceSelector
    return lab.pods.filter(
      (p) =>
        !p.hostNetwork &&
        selectorMatches(nsSel, namespaceLabels(p.namespace)) &&
        (peer.podSelector === undefined || selectorMatches(peer.podSelector, p.labels))
    )
  }
  if (peer.podSelector) {
    const sel = peer.podSelector
    return lab.pods.filter(
      (p) => !p.hostNetwork && p.namespace === policy.namespace && selectorMatches(sel, p.labels)
    )
  }
  return []
}

/** The pods a policy applies to; hostNetwork pods are never selected (they have no pod IP of their own). */
export function targetPods(lab: Lab, policy: KubeNetworkPolicy): KubePod[] {
  return lab.pods.filter(
    (p) => !p.hostNetwork && p.namespace === policy.namespace && selectorMatches(policy.podSelector, p.labels)
  )
}
